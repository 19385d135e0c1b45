//! The N_W scan job (Discover): Mode 2 trained from scratch for N_W = 1, 2, ... on the current
//! trajectory; after each, its best U/T, class rates, and which kinds of move fall in which class.

use super::control::{Control, now_ms, sleep, yield_now};
use super::post;
use super::train::segment_source;
use crate::core::discovery::{class_membership, kind_rate_estimates};
use crate::core::learner::{LearnedDynamics, LearnerConfig, Mode, Trainer};
use crate::core::trajectory::AnyTrajectory;
use crate::protocol::messages::{Event, ScanPoint};
use burn::tensor::Device;

/// Configurations of the trajectory classified for the membership table.
const MEMBERSHIP_CONFIGS: usize = 32;
/// Least time between two progress messages.
const PROGRESS_INTERVAL_MS: f64 = 100.0;

/// Runs the scan until its end or a stop; finished N_W are reported as they finish.
pub async fn scan(
    config: &LearnerConfig,
    max_classes: usize,
    epochs: usize,
    trajectory: &AnyTrajectory,
    exact_u_per_t: Option<f64>,
    device: &Device,
    control: &Control,
) {
    let rate_estimates = match trajectory {
        AnyTrajectory::ActiveLattice(t) => Some(kind_rate_estimates(t)),
        AnyTrajectory::Fa(_) => None,
    };
    post(&Event::ScanStarted {
        max_classes,
        epochs,
        exact_u_per_t,
        rate_estimates,
    });
    control.set_paused(false);
    let mut completed = true;
    for classes in 1..=max_classes {
        let run = LearnerConfig {
            mode: Mode::Mode2 { classes },
            epochs,
            ..config.clone()
        };
        match train_one(run, trajectory, exact_u_per_t, device, control).await {
            Ok(Some(point)) => post(&Event::ScanPointDone(point)),
            Ok(None) => {
                completed = false;
                break;
            }
            Err(message) => {
                post(&Event::Error {
                    message: format!(
                        "The scan stopped at N_W = {classes}: {message}. Finished values are kept."
                    ),
                });
                completed = false;
                break;
            }
        }
    }
    post(&Event::ScanFinished { completed });
}

/// Trains one N_W; `Ok(None)` if stopped before its last epoch.
async fn train_one(
    config: LearnerConfig,
    trajectory: &AnyTrajectory,
    exact_u_per_t: Option<f64>,
    device: &Device,
    control: &Control,
) -> Result<Option<ScanPoint>, String> {
    let classes = config.mode.classes();
    let started = now_ms();
    let mut trainer = Trainer::new(
        config,
        segment_source(trajectory),
        device.clone(),
        exact_u_per_t,
    )
    .map_err(|e| e.to_string())?;
    let mut best: Option<(f64, usize, Vec<f64>, LearnedDynamics)> = None;
    let mut last_progress = 0.0;
    while !trainer.finished() {
        if control.should_stop() {
            return Ok(None);
        }
        if control.paused() {
            sleep(50).await;
            continue;
        }
        let outcome = trainer.train_step().await.map_err(|e| e.to_string())?;
        if let Some(warning) = outcome.warning {
            post(&Event::Error { message: warning });
        }
        if outcome.epoch_finished || now_ms() - last_progress > PROGRESS_INTERVAL_MS {
            post(&Event::ScanProgress {
                classes,
                epoch: outcome.epoch,
                step_in_epoch: outcome.step_in_epoch,
                steps_per_epoch: outcome.steps_per_epoch,
            });
            last_progress = now_ms();
        }
        if outcome.epoch_finished {
            let report = trainer.epoch_report().await.map_err(|e| e.to_string())?;
            let better = best
                .as_ref()
                .is_none_or(|(u, ..)| report.u_per_t > *u || u.is_nan());
            if better {
                best = Some((
                    report.u_per_t,
                    report.epoch,
                    report.class_rates.unwrap_or_default(),
                    trainer.learned(),
                ));
            }
        }
        yield_now().await;
    }
    let Some((u_per_t, best_epoch, class_rates, learned)) = best else {
        return Ok(None);
    };
    let membership = match trajectory {
        AnyTrajectory::ActiveLattice(t) => class_membership(&learned, t, MEMBERSHIP_CONFIGS)
            .await
            .map_err(|e| e.to_string())?,
        AnyTrajectory::Fa(_) => None,
    };
    Ok(Some(ScanPoint {
        classes,
        u_per_t,
        best_epoch,
        class_rates,
        membership,
        seconds: (now_ms() - started) / 1e3,
    }))
}
