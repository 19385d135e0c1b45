//! The loop every training job shares (Learn's training, each N_W of a Discover scan): one
//! optimiser step per beat, with the long-run probe, pause and stop, the step's warning shown,
//! the epoch's report when an epoch ends, and a yield so that messages get through.

use super::control::{Control, Throttle, yield_now};
use super::gpu_counters;
use super::long_run::LongRunCheck;
use super::post;
use crate::core::estimate::EVALUATION_OVERHEAD;
use crate::core::learner::{EpochReport, StepOutcome, Trainer};
use crate::protocol::messages::Event;

/// What one beat of the loop produced.
pub enum Beat {
    /// A step was taken. `report` is the epoch's evaluation when the step ended an epoch;
    /// `show_progress` says whether a progress message is due.
    Step {
        outcome: StepOutcome,
        report: Option<Result<EpochReport, String>>,
        show_progress: bool,
    },
    /// The user asked to stop, or a newer request waits.
    Stop,
    /// Every epoch is done.
    Done,
    /// A step failed; the weights learned so far are kept by the trainer.
    Failed(String),
}

/// Drives one trainer, as `share` of a job of which `before` was done before it (a scan's
/// N_W runs each have a share; a training is the whole job).
pub struct Stepper<'a> {
    control: &'a Control,
    long_run: &'a mut LongRunCheck,
    before: f64,
    share: f64,
    total_steps: f64,
    throttle: Throttle,
}

impl<'a> Stepper<'a> {
    pub fn new(
        trainer: &Trainer,
        control: &'a Control,
        long_run: &'a mut LongRunCheck,
        (before, share): (f64, f64),
    ) -> Self {
        Self {
            control,
            long_run,
            before,
            share,
            total_steps: (trainer.config().epochs * trainer.steps_per_epoch()).max(1) as f64,
            throttle: Throttle::default(),
        }
    }

    /// One step of `trainer`; `paused` is posted if the job is paused before the step.
    pub async fn beat(&mut self, trainer: &mut Trainer, paused: Option<Event>) -> Beat {
        if trainer.finished() {
            return Beat::Done;
        }
        let own = trainer.steps() as f64 / self.total_steps;
        self.long_run.check(
            (self.before + self.share * own) / EVALUATION_OVERHEAD,
            self.control,
        );
        let on_pause = || {
            if let Some(event) = &paused {
                post(event);
            }
        };
        if self.control.checkpoint(on_pause).await.is_none() {
            // Steps whose loss is still on the GPU are checked before the weights are kept.
            if let Ok(Some(warning)) | Err(warning) =
                trainer.settle().await.map_err(|e| e.to_string())
            {
                post(&Event::Error { message: warning });
            }
            return Beat::Stop;
        }
        let outcome = match trainer.train_step().await {
            Ok(outcome) => outcome,
            Err(err) => return Beat::Failed(err.to_string()),
        };
        if let Some(warning) = &outcome.warning {
            post(&Event::Error {
                message: warning.clone(),
            });
        }
        let report = if outcome.epoch_finished {
            gpu_counters::between_epochs(true);
            let report = trainer.epoch_report().await.map_err(|e| e.to_string());
            gpu_counters::between_epochs(false);
            Some(report)
        } else {
            None
        };
        let show_progress = self.throttle.ready(outcome.epoch_finished);
        yield_now().await;
        Beat::Step {
            outcome,
            report,
            show_progress,
        }
    }
}
