//! The training job: steps the learner one minibatch at a time on the worker's device, posting
//! progress and a report per epoch, pausable, and giving way to newer requests. Whatever was
//! learned before a stop or an error is kept.

use super::control::Control;
use super::learning::Compute;
use super::long_run::LongRunCheck;
use super::post;
use super::stepping::{Beat, Stepper};
use crate::core::discovery::KindStatistics;
use crate::core::learner::{LearnedDynamics, LearnerConfig, Trainer, Validation, segment_source};
use crate::core::simulation::held_out_twin;
use crate::core::trajectory::AnyTrajectory;
use crate::protocol::messages::Event;
use burn::tensor::Device;

/// Mixed into the seed of the held-out trajectory, so it differs from the training seed.
const HELD_OUT_SEED: u64 = 0x4E1D_0075_EED5_0002;

/// A held-out trajectory with the same rules as `trajectory` (another seed), when its rates are
/// known; training keeps the weights of the epoch that scores best on it.
fn held_out_trajectory(trajectory: &AnyTrajectory) -> Option<AnyTrajectory> {
    held_out_twin(trajectory, HELD_OUT_SEED ^ trajectory.num_jumps() as u64)
}

fn validation_of(held_out: AnyTrajectory) -> Validation {
    Validation {
        exact_u_per_t: held_out.log_likelihood().ok().map(|l| l.u_per_t),
        source: segment_source(held_out),
    }
}

/// The held-out validation of a scan with, for an active lattice, the best U/T on the held-out
/// trajectory of a learner with N_W rates per kind of move, for N_W = 1 ..= `max_classes`.
pub fn validation_with_kind_bounds(
    trajectory: &AnyTrajectory,
    max_classes: usize,
) -> Option<(Validation, Option<Vec<f64>>)> {
    let twin = held_out_trajectory(trajectory)?;
    let bounds = twin
        .active_lattice()
        .map(KindStatistics::of)
        .map(|statistics| {
            (1..=max_classes)
                .map(|n| statistics.best_u_per_t(n))
                .collect()
        });
    Some((validation_of(twin), bounds))
}

/// The held-out validation of a training with the held-out trajectory's occupancy-blind optimum.
fn held_out(trajectory: &AnyTrajectory) -> Option<(Validation, Option<f64>)> {
    let twin = held_out_trajectory(trajectory)?;
    let blind = blind_u_per_t(&twin);
    Some((validation_of(twin), blind))
}

/// The occupancy-blind optimum of an active-lattice trajectory.
fn blind_u_per_t(trajectory: &AnyTrajectory) -> Option<f64> {
    KindStatistics::of_any(trajectory).map(|k| k.occupancy_blind_u_per_t())
}

/// A trainer of a fresh network on `trajectory`, validated on its held-out twin when there is
/// one, and the occupancy-blind optimum to show beside it (of the held-out trajectory if any).
fn new_trainer(
    config: &LearnerConfig,
    trajectory: &AnyTrajectory,
    exact_u_per_t: Option<f64>,
    compute: &Compute,
) -> Result<(Trainer, Option<f64>), String> {
    let trainer = Trainer::new(
        config.clone(),
        segment_source(trajectory.clone()),
        compute.device.clone(),
        exact_u_per_t,
    )
    .map_err(|e| e.to_string())?;
    let trainer = compute.share(trainer);
    match held_out(trajectory) {
        Some((validation, blind)) => trainer
            .with_validation(validation)
            .map(|t| (t, blind))
            .map_err(|e| e.to_string()),
        None => Ok((trainer, blind_u_per_t(trajectory))),
    }
}

/// Trains a new learner; returns what it learned (the weights of the best held-out epoch), also
/// when stopped early.
pub async fn train(
    config: &LearnerConfig,
    trajectory: &AnyTrajectory,
    exact_u_per_t: Option<f64>,
    compute: &Compute,
    control: &Control,
) -> Option<LearnedDynamics> {
    let (mut trainer, blind_u_per_t) = match new_trainer(config, trajectory, exact_u_per_t, compute)
    {
        Ok(started) => started,
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
        blind_u_per_t,
    });
    control.set_paused(false);
    let mut long_run = LongRunCheck::start("training", Some(trainer.memory_bytes()));
    let mut stepper = Stepper::new(&trainer, control, &mut long_run, (0.0, 1.0));
    loop {
        let paused = progress(&trainer, 0, true);
        match stepper.beat(&mut trainer, Some(paused)).await {
            Beat::Step {
                outcome,
                report,
                show_progress,
            } => {
                if show_progress {
                    post(&Event::TrainingProgress {
                        epoch: outcome.epoch,
                        step_in_epoch: outcome.step_in_epoch,
                        steps_per_epoch: outcome.steps_per_epoch,
                        paused: false,
                    });
                }
                match report {
                    Some(Ok(report)) => {
                        post(&Event::EpochDone(report));
                        let kept = trainer.kept();
                        super::gpu_counters::between_epochs(true);
                        super::backup::model(&kept, super::learning::model_file_name(&kept)).await;
                        super::gpu_counters::between_epochs(false);
                    }
                    Some(Err(err)) => post(&Event::Error {
                        message: format!("The epoch could not be evaluated: {err}."),
                    }),
                    None => {}
                }
            }
            Beat::Failed(err) => {
                post(&Event::Error {
                    message: format!(
                        "Training stopped: {err}. The weights learned so far are kept."
                    ),
                });
                break;
            }
            Beat::Stop | Beat::Done => break,
        }
    }
    post(&Event::TrainingFinished {
        epochs_done: trainer.epochs_done(),
        completed: trainer.finished(),
    });
    Some(trainer.kept())
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
    let trainer = Trainer::resume(
        learned,
        segment_source(trajectory.clone()),
        device.clone(),
        None,
    )
    .map_err(|e| e.to_string())?;
    trainer
        .evaluator()
        .run()
        .await
        .map(|e| e.u_per_t)
        .map_err(|e| e.to_string())
}
