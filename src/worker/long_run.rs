//! Asks the user before a long job goes on: after a few seconds a job's pace gives its total
//! time (`core::estimate`); a job projected past the limit is paused with [`Event::LongRun`].

use super::control::{Control, now_ms};
use super::post;
use crate::core::estimate::{Verdict, judge};
use crate::protocol::messages::Event;

/// One job's probe; asks at most once.
pub struct LongRunCheck {
    job: &'static str,
    bytes: Option<f64>,
    started_ms: f64,
    decided: bool,
}

impl LongRunCheck {
    /// Starts the clock of `job`, which needs about `bytes` of memory if known.
    pub fn start(job: &'static str, bytes: Option<f64>) -> Self {
        Self {
            job,
            bytes,
            started_ms: now_ms(),
            decided: false,
        }
    }

    /// Called as the job goes, with the share of it done; pauses the job and asks the page
    /// when it is projected to be long.
    pub fn check(&mut self, done: f64, control: &Control) {
        if self.decided {
            return;
        }
        match judge((now_ms() - self.started_ms) / 1e3, done) {
            Verdict::Probing => {}
            Verdict::Short => self.decided = true,
            Verdict::Long(seconds) => {
                self.decided = true;
                control.set_paused(true);
                post(&Event::LongRun {
                    job: self.job.into(),
                    seconds,
                    bytes: self.bytes,
                });
            }
        }
    }
}
