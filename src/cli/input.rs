//! Reading the files the subcommands take, with errors that name the file.

use crate::core::trajectory::{AnyTrajectory, TrajectoryError};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// A file could not be read, or is not a valid trajectory.
#[derive(Debug, Error)]
pub enum InputError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Trajectory {
        path: PathBuf,
        source: TrajectoryError,
    },
}

/// The bytes of a file.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, InputError> {
    std::fs::read(path).map_err(|source| InputError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// A trajectory file (SPEC section 7), validated.
pub fn read_trajectory(path: &Path) -> Result<AnyTrajectory, InputError> {
    let text = std::fs::read_to_string(path).map_err(|source| InputError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    AnyTrajectory::from_json(&text).map_err(|source| InputError::Trajectory {
        path: path.to_path_buf(),
        source,
    })
}
