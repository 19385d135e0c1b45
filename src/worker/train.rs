//! The training job: steps the learner one minibatch at a time on the worker's device, posting
//! progress and a report per epoch, pausable, and giving way to newer requests. Whatever was
//! learned before a stop or an error is kept.

use super::control::{Control, now_ms, sleep, yield_now};
use super::post;
use crate::core::learner::{LearnedDynamics, LearnerConfig, SegmentSource, Trainer};
use crate::core::trajectory::AnyTrajectory;
use crate::protocol::messages::Event;
use burn::tensor::Device;
use std::sync::Arc;

/// Least time between two progress messages.
const PROGRESS_INTERVAL_MS: f64 = 100.0;

/// The trajectory as the learner reads it: segments rebuilt from its checkpoints.
pub fn segment_source(trajectory: &AnyTrajectory) -> Arc<dyn SegmentSource> {
    match trajectory {
        AnyTrajectory::ActiveLattice(t) => Arc::new(t.clone()),
        AnyTrajectory::Fa(t) => Arc::new(t.clone()),
    }
}

/// Trains a new learner; returns what it learned, also when stopped early.
pub async fn train(
    config: &LearnerConfig,
    trajectory: &AnyTrajectory,
    exact_u_per_t: Option<f64>,
    device: &Device,
    control: &Control,
) -> Option<LearnedDynamics> {
    let source = segment_source(trajectory);
    let mut trainer = match Trainer::new(config.clone(), source, device.clone(), exact_u_per_t) {
        Ok(trainer) => trainer,
        Err(err) => {
            post(&Event::Error {
                message: format!("Training could not start: {err}."),
            });
            return None;
        }
    };
    post(&Event::TrainingStarted {
        epochs: config.epochs,
        steps_per_epoch: trainer.steps_per_epoch(),
        exact_u_per_t,
    });
    control.set_paused(false);
    let mut last_progress = 0.0;
    while !trainer.finished() {
        if control.should_stop() {
            break;
        }
        if control.paused() {
            post(&progress(&trainer, 0, true));
            while control.paused() && !control.should_stop() {
                sleep(50).await;
            }
            continue;
        }
        match trainer.train_step().await {
            Ok(outcome) => {
                if let Some(warning) = outcome.warning {
                    post(&Event::Error { message: warning });
                }
                if outcome.epoch_finished || now_ms() - last_progress > PROGRESS_INTERVAL_MS {
                    post(&Event::TrainingProgress {
                        epoch: outcome.epoch,
                        step_in_epoch: outcome.step_in_epoch,
                        steps_per_epoch: outcome.steps_per_epoch,
                        paused: false,
                    });
                    last_progress = now_ms();
                }
                if outcome.epoch_finished {
                    match trainer.epoch_report().await {
                        Ok(report) => post(&Event::EpochDone(report)),
                        Err(err) => post(&Event::Error {
                            message: format!("The epoch could not be evaluated: {err}."),
                        }),
                    }
                }
            }
            Err(err) => {
                post(&Event::Error {
                    message: format!(
                        "Training stopped: {err}. The weights learned so far are kept."
                    ),
                });
                break;
            }
        }
        yield_now().await;
    }
    post(&Event::TrainingFinished {
        epochs_done: trainer.epochs_done(),
        completed: trainer.finished(),
    });
    Some(trainer.learned())
}

fn progress(trainer: &Trainer, step_in_epoch: usize, paused: bool) -> Event {
    Event::TrainingProgress {
        epoch: trainer.epochs_done() + 1,
        step_in_epoch,
        steps_per_epoch: trainer.steps_per_epoch(),
        paused,
    }
}

/// U/T of a (loaded) model over the trajectory.
pub async fn evaluate(
    learned: &LearnedDynamics,
    trajectory: &AnyTrajectory,
    device: &Device,
) -> Result<f64, String> {
    let trainer = Trainer::resume(learned, segment_source(trajectory), device.clone(), None)
        .map_err(|e| e.to_string())?;
    trainer.evaluator().run().await.map_err(|e| e.to_string())
}
