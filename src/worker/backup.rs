//! Copies of the worker's state sent to the page ([`Event::Backup`]): the page restores them
//! into a new worker if this one fails, and keeps them in the browser's storage (autosave).

use super::post;
#[cfg(feature = "learner")]
use crate::core::learner::LearnedDynamics;
use crate::core::trajectory::AnyTrajectory;
use crate::protocol::messages::{Backup, Event, TrajectorySummary};

/// Largest trajectory file the page keeps a copy of. Beyond it a copy would double the memory of
/// a long recording (the recording limit allows about 10 million jumps).
pub const MAX_TRAJECTORY_BACKUP_BYTES: usize = 64 << 20;

/// Sends a copy of the current trajectory, or says why there is none.
pub fn trajectory(trajectory: &AnyTrajectory, summary: &TrajectorySummary) {
    let expected = summary.bytes_per_jump * summary.jumps as f64;
    if expected > MAX_TRAJECTORY_BACKUP_BYTES as f64 {
        post(&too_large(expected));
        return;
    }
    let json = trajectory.to_json();
    if json.len() > MAX_TRAJECTORY_BACKUP_BYTES {
        post(&too_large(json.len() as f64));
        return;
    }
    post(&Event::Backup(Backup::Trajectory {
        summary: summary.clone(),
        json,
    }));
}

fn too_large(bytes: f64) -> Event {
    Event::Error {
        message: format!(
            "This trajectory is large ({:.0} MB, the limit is {} MB), so the page keeps no backup \
             copy of it: if the worker fails it is lost, and autosave skips it. Save it as a file \
             to keep it.",
            bytes / 1e6,
            MAX_TRAJECTORY_BACKUP_BYTES >> 20
        ),
    }
}

/// Sends a copy of the current model under `name`.
#[cfg(feature = "learner")]
pub async fn model(learned: &LearnedDynamics, name: String) {
    match learned.to_bytes().await {
        Ok(bytes) => post(&Event::Backup(Backup::Model { name, bytes })),
        Err(err) => post(&Event::Error {
            message: format!("No backup copy of the model could be made: {err}."),
        }),
    }
}
