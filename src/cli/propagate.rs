//! `jumpformer propagate MODEL --phi P`: runs a trained model's dynamics (SPEC section 5) at a
//! density, with replicas, and reports the observables of SPEC 6 — optionally beside the true
//! model's at the same density and seeds.

use super::backend::cpu_threads;
use super::input::{InputError, read_bytes};
use crate::core::compute::select_device;
use crate::core::learner::{LearnedDynamics, ModelFileError};
use crate::core::model::{ActiveLattice, ActiveLatticeRates, ActiveLatticeSpec, Dynamics};
use crate::core::observables::Observable;
use crate::core::propagation::{
    Ensemble, EnsembleSettings, EnsembleSummary, Integrator, PropagationError, RateSource,
};
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;
use thiserror::Error;

/// Which dynamics to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Which {
    /// The trained model's rates.
    Learned,
    /// The true model with --D, --v-plus, --v-zero (the exact engine).
    True,
    /// Both, from the same initial configurations.
    Both,
}

#[derive(Debug, clap::Args)]
pub struct PropagateArgs {
    /// A model file written by `jumpformer train --out` (trained on the active-lattice model).
    model: PathBuf,
    /// Density phi; N = round(phi L^2), L as in the training trajectory.
    #[arg(long)]
    phi: f64,
    /// Total time T of every replica.
    #[arg(long = "T", default_value_t = 100.0)]
    t: f64,
    /// Time before the first observable snapshot (default T / 5); snapshots every 1 time unit.
    #[arg(long = "burn-in")]
    burn_in: Option<f64>,
    /// Independent replicas, batched into one network call per step.
    #[arg(long, default_value_t = 4)]
    replicas: usize,
    /// Seed; replica r uses its own stream derived from it.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Approximate tau-leaping with this tau instead of the exact loop.
    #[arg(long)]
    tau: Option<f64>,
    /// Run the learned dynamics, the true one, or both.
    #[arg(long, value_enum, default_value = "learned")]
    dynamics: Which,
    /// True rotation rate D (for --dynamics true/both).
    #[arg(long = "D", default_value_t = ActiveLatticeRates::PAPER.d)]
    d: f64,
    /// True rate of a step along the orientation.
    #[arg(long = "v-plus", default_value_t = ActiveLatticeRates::PAPER.v_plus)]
    v_plus: f64,
    /// True rate of a step in any other direction.
    #[arg(long = "v-zero", default_value_t = ActiveLatticeRates::PAPER.v_zero)]
    v_zero: f64,
    /// Run the network on the CPU even where a GPU adapter exists.
    #[arg(long)]
    cpu: bool,
    /// Threads sharing each network call's replicas on the CPU (default: all cores); the
    /// trajectories do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Print one JSON object per dynamics instead of text.
    #[arg(long)]
    json: bool,
}

/// Why a propagation could not run.
#[derive(Debug, Error)]
pub enum PropagateCliError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{path}: {source}")]
    ModelFile {
        path: PathBuf,
        source: ModelFileError,
    },
    #[error("{0}")]
    Propagation(#[from] PropagationError),
    #[error("{0}")]
    Settings(String),
}

pub fn run(args: &PropagateArgs) -> Result<(), PropagateCliError> {
    let bytes = read_bytes(&args.model)?;
    let (device, backend) = pollster::block_on(select_device(!args.cpu));
    let threads = cpu_threads(args.threads, &backend);
    let learned = LearnedDynamics::from_bytes(&bytes, &device)
        .map_err(|source| PropagateCliError::ModelFile {
            path: args.model.clone(),
            source,
        })?
        .with_threads(threads);
    if learned.scheme().kind != ActiveLattice::KIND {
        return Err(PropagateCliError::Settings(format!(
            "the model was trained on the {} model; propagation with observables needs the {} \
            model",
            learned.scheme().kind,
            ActiveLattice::KIND
        )));
    }
    let integrator = match args.tau {
        None => Integrator::Exact,
        Some(tau) => Integrator::TauLeap { tau },
    };
    let settings = EnsembleSettings {
        spec: ActiveLatticeSpec {
            l: learned.scheme().size,
            phi: args.phi,
            d: args.d,
            v_plus: args.v_plus,
            v_zero: args.v_zero,
        },
        t_end: args.t,
        burn_in: args.burn_in.unwrap_or(args.t / 5.0),
        replicas: args.replicas,
        seed: args.seed,
        integrator,
    };
    settings.validate()?;
    let sources = match args.dynamics {
        Which::Learned => vec![RateSource::Learned(learned)],
        Which::True => vec![RateSource::True],
        Which::Both => vec![RateSource::True, RateSource::Learned(learned)],
    };
    for source in sources {
        let label = source.label();
        let mut ensemble = Ensemble::new(settings, source)?;
        let start = Instant::now();
        while !ensemble.finished() {
            pollster::block_on(ensemble.advance(settings.t_end, 256))?;
        }
        let seconds = start.elapsed().as_secs_f64();
        report(args, &settings, label, &ensemble.summary(), seconds);
    }
    Ok(())
}

fn report(
    args: &PropagateArgs,
    settings: &EnsembleSettings,
    label: &str,
    s: &EnsembleSummary,
    seconds: f64,
) {
    let events_per_s = s.jumps as f64 / seconds.max(1e-9);
    let integrator = if label == "true" {
        "exact".to_string()
    } else {
        settings.integrator.describe()
    };
    if args.json {
        let mut line = json!({
            "dynamics": label,
            "integrator": integrator,
            "L": settings.spec.l,
            "phi": settings.spec.phi,
            "N": settings.spec.num_particles(),
            "T": settings.t_end,
            "burn_in": settings.burn_in,
            "replicas": settings.replicas,
            "seed": settings.seed,
            "events": s.jumps,
            "rejected_moves": s.rejected,
            "seconds": seconds,
            "events_per_s": events_per_s,
            "snapshots": s.snapshots,
        });
        if let Some(fields) = line.as_object_mut() {
            for observable in Observable::ALL {
                let estimate = s.estimate(observable);
                fields.insert(observable.key().into(), json!(estimate.mean));
                fields.insert(format!("{}_sem", observable.key()), json!(estimate.sem));
            }
        }
        println!("{line}");
    } else {
        println!(
            "{label} dynamics ({integrator}), L = {}, phi = {}, {} replicas to T = {}: {} jumps, \
             {} rejected, {seconds:.2} s ({events_per_s:.3e} jumps/s)",
            settings.spec.l,
            settings.spec.phi,
            settings.replicas,
            settings.t_end,
            s.jumps,
            s.rejected
        );
        let values: Vec<String> = Observable::ALL
            .iter()
            .map(|o| {
                let e = s.estimate(*o);
                format!(
                    "{} = {:.*} ± {:.*}",
                    o.label(),
                    o.digits(),
                    e.mean,
                    o.digits(),
                    e.sem
                )
            })
            .collect();
        println!("  {}", values.join(", "));
    }
}
