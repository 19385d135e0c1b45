//! The Extrapolate jobs: the learned dynamics run beside the true one at one density (two live
//! canvases), and the density sweep of the paper's Fig. 4. Both stop on request and keep what
//! they finished.

use super::control::{Control, Throttle, now_ms, yield_now};
use super::long_run::LongRunCheck;
use super::post;
use crate::core::learner::LearnedDynamics;
use crate::core::model::{ActiveLattice, ActiveLatticeRates, Dynamics as _};
use crate::core::propagation::{Ensemble, EnsembleSettings, RateSource};
use crate::core::simulation::ConfigView;
use crate::core::trajectory::AnyTrajectory;
use crate::protocol::link::ExploreSettings;
use crate::protocol::messages::{Event, SideBySideFrame, SweepPoint};

/// Wall time spent on the learned dynamics between two frames.
const FRAME_BUDGET_MS: f64 = 40.0;
/// The ensemble settings at `phi`: L from the model, true rates from the trajectory (the paper's
/// when the trajectory has none), or a sentence for the user.
fn ensemble_settings(
    explore: &ExploreSettings,
    learned: &LearnedDynamics,
    trajectory: Option<&AnyTrajectory>,
    phi: f64,
) -> Result<EnsembleSettings, String> {
    if learned.scheme().kind != ActiveLattice::KIND {
        return Err(format!(
            "Extrapolation needs a model trained on the active-lattice model; the current one was \
            trained on {}.",
            learned.scheme().kind
        ));
    }
    let rates = match trajectory {
        Some(AnyTrajectory::ActiveLattice(t)) => t.rates(),
        _ => None,
    }
    .unwrap_or(ActiveLatticeRates::PAPER);
    let settings = explore.ensemble(learned.scheme().size, rates, phi);
    settings.validate().map_err(|e| format!("{e}."))?;
    Ok(settings)
}

fn view(ensemble: &Ensemble) -> ConfigView {
    match ensemble.model(0) {
        Some(model) => ConfigView::of_particles(model),
        None => ConfigView::Particles {
            l: ensemble.settings().spec.l,
            particles: Default::default(),
        },
    }
}

/// Runs both dynamics to T at `explore.phi`, the true one kept at the learned one's time.
pub async fn side_by_side(
    explore: &ExploreSettings,
    learned: &LearnedDynamics,
    trajectory: Option<&AnyTrajectory>,
    control: &Control,
) {
    let built = ensemble_settings(explore, learned, trajectory, explore.phi).and_then(|s| {
        let truth = Ensemble::new(s, RateSource::True).map_err(|e| e.to_string())?;
        let network =
            Ensemble::new(s, RateSource::Learned(learned.clone())).map_err(|e| e.to_string())?;
        Ok((s, truth, network))
    });
    let (settings, mut truth, mut network) = match built {
        Ok(built) => built,
        Err(message) => {
            post(&Event::Error {
                message: format!("The side-by-side run could not start: {message}"),
            });
            post(&Event::SideBySideFinished {
                summaries: None,
                completed: false,
            });
            return;
        }
    };
    post(&Event::SideBySideStarted {
        integrator: settings.integrator.describe(),
    });
    control.set_paused(false);
    let mut completed = false;
    loop {
        if control.checkpoint(|| {}).await.is_none() {
            break;
        }
        let (wall0, jumps0) = (now_ms(), network.jumps());
        let mut failed = false;
        while now_ms() - wall0 < FRAME_BUDGET_MS && !network.finished() {
            if let Err(err) = network.advance(settings.t_end, 1).await {
                post(&Event::Error {
                    message: format!("The learned dynamics stopped: {err}."),
                });
                failed = true;
                break;
            }
        }
        if failed {
            break;
        }
        let _ = truth.advance(network.time(), usize::MAX).await;
        let wall = (now_ms() - wall0).max(1.0);
        post(&Event::SideBySideFrame(SideBySideFrame {
            time: network.time().min(settings.t_end),
            total_time: settings.t_end,
            truth: view(&truth),
            learned: view(&network),
            truth_snapshot: truth.latest_snapshot(0),
            learned_snapshot: network.latest_snapshot(0),
            learned_jumps: network.jumps(),
            rejected: network.rejected(),
            events_per_s: (network.jumps() - jumps0) as f64 / wall * 1e3,
        }));
        if network.finished() {
            completed = true;
            break;
        }
        yield_now().await;
    }
    post(&Event::SideBySideFinished {
        summaries: Some((truth.summary(), network.summary())),
        completed,
    });
}

/// For each density: the true ensemble, then the learned one; each finished density is posted.
pub async fn sweep(
    explore: &ExploreSettings,
    learned: &LearnedDynamics,
    trajectory: Option<&AnyTrajectory>,
    control: &Control,
) {
    let mut all = Vec::new();
    for &phi in &explore.sweep {
        match ensemble_settings(explore, learned, trajectory, phi) {
            Ok(s) => all.push(s),
            Err(message) => {
                post(&Event::Error {
                    message: format!("The sweep could not start: {message}"),
                });
                post(&Event::SweepFinished { completed: false });
                return;
            }
        }
    }
    post(&Event::SweepStarted {
        densities: explore.sweep.clone(),
        integrator: explore.integrator().describe(),
    });
    control.set_paused(false);
    let mut completed = true;
    let mut long_run = LongRunCheck::start("density sweep", None);
    let densities = all.len().max(1) as f64;
    'densities: for (index, settings) in all.into_iter().enumerate() {
        let started = now_ms();
        let phi = settings.spec.phi;
        let run = Ensemble::new(settings, RateSource::True).and_then(|truth| {
            Ensemble::new(settings, RateSource::Learned(learned.clone())).map(|n| (truth, n))
        });
        let (mut truth, mut network) = match run {
            Ok(run) => run,
            Err(err) => {
                post(&Event::Error {
                    message: format!("The sweep skipped phi = {phi}: {err}."),
                });
                continue;
            }
        };
        // The true engine is fast: slices of T / 50, yielding in between.
        while !truth.finished() {
            if control.checkpoint(|| {}).await.is_none() {
                completed = false;
                break 'densities;
            }
            let _ = truth
                .advance(truth.time() + settings.t_end / 50.0, usize::MAX)
                .await;
            yield_now().await;
        }
        let (learned_started, mut throttle) = (now_ms(), Throttle::default());
        while !network.finished() {
            let fraction = (network.time() / settings.t_end).min(1.0);
            long_run.check((index as f64 + fraction) / densities, control);
            if control.checkpoint(|| {}).await.is_none() {
                completed = false;
                break 'densities;
            }
            let wall0 = now_ms();
            while now_ms() - wall0 < FRAME_BUDGET_MS && !network.finished() {
                if let Err(err) = network.advance(settings.t_end, 1).await {
                    post(&Event::Error {
                        message: format!("The learned dynamics stopped at phi = {phi}: {err}."),
                    });
                    completed = false;
                    break 'densities;
                }
            }
            if throttle.ready(false) {
                post(&Event::SweepProgress {
                    phi,
                    fraction: (network.time() / settings.t_end).min(1.0),
                });
            }
            yield_now().await;
        }
        let learned_seconds = ((now_ms() - learned_started) / 1e3).max(1e-3);
        post(&Event::SweepPointDone(SweepPoint {
            truth: truth.summary(),
            learned: network.summary(),
            events_per_s: network.jumps() as f64 / learned_seconds,
            seconds: (now_ms() - started) / 1e3,
        }));
    }
    post(&Event::SweepFinished { completed });
}
