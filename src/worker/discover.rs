//! The N_W scan job (Discover): Mode 2 trained for N_W = 1, 2, ... on the current trajectory,
//! from scratch or warm-started from the current model; after each, its best U/T, class rates,
//! and which kinds of move fall in which class.

use super::control::{Control, now_ms};
use super::learning::Compute;
use super::long_run::LongRunCheck;
use super::post;
use super::stepping::{Beat, Stepper};
use super::train::validation_with_kind_bounds;
use crate::core::discovery::{class_membership, kind_rate_estimates};
use crate::core::learner::{
    EpochReport, LearnedDynamics, LearnerConfig, Mode, Trainer, Validation, segment_source,
};
use crate::core::trajectory::AnyTrajectory;
use crate::protocol::messages::{Event, ScanPoint, ScanStart};

/// Configurations of the trajectory classified for the membership table.
const MEMBERSHIP_CONFIGS: usize = 32;

/// Runs the scan until its end or a stop; finished N_W are reported as they finish. `warm` is
/// the model to warm-start from when the page asked for a warm start (`None` inside when there
/// is no model).
#[allow(clippy::too_many_arguments)]
pub async fn scan(
    config: &LearnerConfig,
    max_classes: usize,
    epochs: usize,
    warm: Option<Option<&LearnedDynamics>>,
    trajectory: &AnyTrajectory,
    exact_u_per_t: Option<f64>,
    compute: &Compute,
    control: &Control,
) {
    let (start, body) = warm_start(config, warm, trajectory, compute);
    let rate_estimates = trajectory.active_lattice().map(kind_rate_estimates);
    // One held-out trajectory for the whole scan: every N_W is judged on the same data.
    let (validation, val_kind_bounds) = match validation_with_kind_bounds(trajectory, max_classes) {
        Some((validation, bounds)) => (Some(validation), bounds),
        None => (None, None),
    };
    post(&Event::ScanStarted {
        max_classes,
        epochs,
        exact_u_per_t,
        val_exact_u_per_t: validation.as_ref().and_then(|v| v.exact_u_per_t),
        rate_estimates,
        val_kind_bounds,
        start,
    });
    control.set_paused(false);
    let mut completed = true;
    let mut long_run = LongRunCheck::start("scan", None);
    for classes in 1..=max_classes {
        // This N_W's place in the scan: the share done before it, and its own share.
        let share = (
            (classes - 1) as f64 / max_classes as f64,
            1.0 / max_classes as f64,
        );
        let run = LearnerConfig {
            mode: Mode::Mode2 { classes },
            epochs,
            ..config.clone()
        };
        match train_one(
            run,
            body,
            trajectory,
            exact_u_per_t,
            validation.clone(),
            compute,
            control,
            (&mut long_run, share),
        )
        .await
        {
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

/// Where the scan's runs start: from `warm`'s body when one was asked for and fits (same
/// network shape, same kind of model), else from scratch, with the reason.
fn warm_start<'a>(
    config: &LearnerConfig,
    warm: Option<Option<&'a LearnedDynamics>>,
    trajectory: &AnyTrajectory,
    compute: &Compute,
) -> (ScanStart, Option<&'a LearnedDynamics>) {
    let learned = match warm {
        None => return (ScanStart::Scratch, None),
        Some(None) => {
            let reason = "there is no trained network yet (train one in Learn)".to_string();
            return (ScanStart::ScratchBecause { reason }, None);
        }
        Some(Some(learned)) => learned,
    };
    let probe = LearnerConfig {
        mode: Mode::Mode2 { classes: 1 },
        ..config.clone()
    };
    match Trainer::warm_started(
        probe,
        learned,
        segment_source(trajectory.clone()),
        compute.device.clone(),
        None,
    ) {
        Ok(_) => (
            ScanStart::WarmStart {
                epochs: learned.summary().epochs,
                frozen: config.freeze_body,
            },
            Some(learned),
        ),
        Err(err) => (
            ScanStart::ScratchBecause {
                reason: err.to_string(),
            },
            None,
        ),
    }
}

/// Trains one N_W, from `body`'s embeddings and encoder if given; `Ok(None)` if stopped before
/// its last epoch. The best epoch is the best on the held-out trajectory when there is one, else
/// on the training trajectory.
async fn train_one(
    config: LearnerConfig,
    body: Option<&LearnedDynamics>,
    trajectory: &AnyTrajectory,
    exact_u_per_t: Option<f64>,
    validation: Option<Validation>,
    compute: &Compute,
    control: &Control,
    (long_run, share): (&mut LongRunCheck, (f64, f64)),
) -> Result<Option<ScanPoint>, String> {
    let classes = config.mode.classes();
    let started = now_ms();
    let source = segment_source(trajectory.clone());
    let device = compute.device.clone();
    let trainer = match body {
        Some(body) => Trainer::warm_started(config, body, source, device, exact_u_per_t),
        None => Trainer::new(config, source, device, exact_u_per_t),
    };
    let mut trainer = compute.share(trainer.map_err(|e| e.to_string())?);
    if let Some(validation) = validation {
        trainer = trainer
            .with_validation(validation)
            .map_err(|e| e.to_string())?;
    }
    // The best epoch's report and network: by held-out U/T when there is a held-out
    // trajectory, else by training U/T.
    let judged = |r: &EpochReport| r.val_u_per_t.unwrap_or(r.u_per_t);
    let mut best: Option<(EpochReport, LearnedDynamics)> = None;
    let mut stepper = Stepper::new(&trainer, control, long_run, share);
    loop {
        match stepper.beat(&mut trainer, None).await {
            Beat::Step {
                outcome,
                report,
                show_progress,
            } => {
                if show_progress {
                    post(&Event::ScanProgress {
                        classes,
                        epoch: outcome.epoch,
                        step_in_epoch: outcome.step_in_epoch,
                        steps_per_epoch: outcome.steps_per_epoch,
                    });
                }
                if let Some(report) = report {
                    let report = report?;
                    let better = best
                        .as_ref()
                        .is_none_or(|(b, _)| judged(&report) > judged(b) || judged(b).is_nan());
                    if better {
                        best = Some((report, trainer.learned()));
                    }
                }
            }
            Beat::Failed(err) => return Err(err),
            Beat::Stop => return Ok(None),
            Beat::Done => break,
        }
    }
    let Some((report, learned)) = best else {
        return Ok(None);
    };
    let membership = match trajectory.active_lattice() {
        Some(t) => class_membership(&learned, t, MEMBERSHIP_CONFIGS)
            .await
            .map_err(|e| e.to_string())?,
        None => None,
    };
    Ok(Some(ScanPoint {
        classes,
        u_per_t: report.u_per_t,
        val_u_per_t: report.val_u_per_t,
        u_per_t_blocks: report.u_per_t_blocks,
        val_u_per_t_blocks: report.val_u_per_t_blocks,
        best_epoch: report.epoch,
        class_rates: report.class_rates.unwrap_or_default(),
        membership,
        seconds: (now_ms() - started) / 1e3,
    }))
}
