//! `jumpformer simulate`: one exact CTMC run with its U/T and (active lattice) observables.

use super::preset::PresetArg;
use crate::core::model::{ModelError, ModelKind, ModelSpec};
use crate::core::observables::Observable;
use crate::core::observables::ObservableSummary;
use crate::core::presets::Preset;
use crate::core::settings::Settings;
use crate::core::simulation::SimulationRun;
use crate::core::trajectory::AnyTrajectory;
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;
use thiserror::Error;

fn model_kind(name: &str) -> Result<ModelKind, String> {
    ModelKind::from_name(name).ok_or_else(|| "expected active-lattice or fa".to_string())
}

#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// Start from a preset's model, T, burn-in and seed; the flags below change any of them.
    #[arg(long, value_enum)]
    preset: Option<PresetArg>,
    /// The model: active-lattice or fa (default active-lattice, or the preset's).
    #[arg(long, value_parser = model_kind)]
    model: Option<ModelKind>,
    /// Linear size L (default 30 for active-lattice, 10 for fa).
    #[arg(long = "L")]
    l: Option<usize>,
    /// Density phi, N = round(phi L^2) (active-lattice; default 0.1244).
    #[arg(long)]
    phi: Option<f64>,
    /// Rotation rate D (active-lattice; default 0.1).
    #[arg(long = "D")]
    d: Option<f64>,
    /// Rate of a step along the orientation (active-lattice; default 10).
    #[arg(long = "v-plus")]
    v_plus: Option<f64>,
    /// Rate of a step in any other direction (active-lattice; default 1).
    #[arg(long = "v-zero")]
    v_zero: Option<f64>,
    /// FA parameter c (default 0.3).
    #[arg(long)]
    c: Option<f64>,
    /// Total time T (default 500 for active-lattice, 10000 for fa).
    #[arg(long = "T")]
    t: Option<f64>,
    /// Time before the first observable snapshot (default T / 5, or the preset's); snapshots
    /// every 1 time unit.
    #[arg(long = "burn-in")]
    burn_in: Option<f64>,
    /// Seed of the run's one random generator (default 1).
    #[arg(long)]
    seed: Option<u64>,
    /// Write the trajectory file (SPEC section 7) here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Why a simulation could not run.
#[derive(Debug, Error)]
pub enum SimulateError {
    #[error("{0}")]
    Model(#[from] ModelError),
    #[error("{name} = {value} must be {expected}")]
    Time {
        name: &'static str,
        value: f64,
        expected: &'static str,
    },
    #[error("{0}")]
    Flag(String),
    #[error("--model contradicts --preset {0}, which sets the other model")]
    Preset(&'static str),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

struct RunResult {
    n: usize,
    events: u64,
    seconds: f64,
    u: f64,
    summary: Option<ObservableSummary>,
    trajectory: Option<AnyTrajectory>,
}

pub fn run(args: &SimulateArgs) -> Result<(), SimulateError> {
    let base = match (args.preset.map(Preset::from), args.model) {
        (Some(preset), kind) => {
            let base = preset.simulation();
            if kind.is_some_and(|k| k != base.model.kind()) {
                return Err(SimulateError::Preset(preset.name()));
            }
            base
        }
        (None, kind) => Preset::of_model(kind.unwrap_or(ModelKind::ActiveLattice)).simulation(),
    };
    let spec = model_with_flags(args, base.model)?;
    spec.validate()?;
    let total_time = args.t.unwrap_or(base.t);
    if !(total_time.is_finite() && total_time > 0.0) {
        return Err(SimulateError::Time {
            name: "T",
            value: total_time,
            expected: "a positive finite number",
        });
    }
    let burn_in = args.burn_in.unwrap_or(if args.preset.is_some() {
        base.burn_in
    } else {
        total_time / 5.0
    });
    let seed = args.seed.unwrap_or(base.seed);
    if !(burn_in.is_finite() && burn_in >= 0.0) {
        return Err(SimulateError::Time {
            name: "burn-in",
            value: burn_in,
            expected: "a finite number >= 0",
        });
    }
    // Only a run that is saved is recorded (and bound by the recording limit).
    let mut run = if args.out.is_some() {
        SimulationRun::new(&spec, total_time, burn_in, seed)?
    } else {
        SimulationRun::unrecorded(&spec, total_time, burn_in, seed)?
    };
    let start = Instant::now();
    run.advance(total_time);
    let seconds = start.elapsed().as_secs_f64();
    let result = RunResult {
        n: run.num_tokens(),
        events: run.events(),
        seconds,
        u: run.log_likelihood().unwrap_or(f64::NAN),
        summary: run.observable_summary(),
        trajectory: run.into_trajectory(),
    };
    if let (Some(path), Some(trajectory)) = (&args.out, &result.trajectory) {
        std::fs::write(path, trajectory.to_json()).map_err(|source| SimulateError::Write {
            path: path.clone(),
            source,
        })?;
    }
    report(args, &spec, total_time, seed, &result);
    Ok(())
}

/// The preset's model with the parameters the flags give, set through the settings table (so a
/// flag is checked as a link's value is, and one the model lacks is refused).
fn model_with_flags(args: &SimulateArgs, model: ModelSpec) -> Result<ModelSpec, SimulateError> {
    let flags = [
        ("L", args.l.map(|v| v.to_string())),
        ("phi", args.phi.map(|v| v.to_string())),
        ("D", args.d.map(|v| v.to_string())),
        ("v_plus", args.v_plus.map(|v| v.to_string())),
        ("v_zero", args.v_zero.map(|v| v.to_string())),
        ("c", args.c.map(|v| v.to_string())),
    ];
    let mut settings = Settings::default();
    settings.simulation.model = model;
    for (key, value) in flags {
        if let Some(value) = value {
            settings.set(key, &value).map_err(SimulateError::Flag)?;
        }
    }
    Ok(settings.simulation.model)
}

fn report(args: &SimulateArgs, spec: &ModelSpec, total_time: f64, seed: u64, r: &RunResult) {
    let events_per_s = r.events as f64 / r.seconds.max(1e-9);
    let u_per_t = r.u / total_time;
    if args.json {
        let mut out = json!({
            "model": spec,
            "N": r.n,
            "T": total_time,
            "seed": seed,
            "events": r.events,
            "seconds": r.seconds,
            "events_per_s": events_per_s,
            "U": r.u,
            "U_per_T": u_per_t,
        });
        if let (Some(s), Some(fields)) = (&r.summary, out.as_object_mut()) {
            fields.insert("snapshots".into(), json!(s.snapshots));
            for observable in Observable::ALL {
                fields.insert(observable.key().into(), json!(observable.of_summary(s)));
            }
        }
        if let Some(path) = &args.out {
            out["out"] = json!(path.display().to_string());
        }
        println!("{out}");
    } else {
        println!(
            "{} N = {}, T = {total_time}, seed {}: {} jumps in {:.3} s ({:.3e} jumps/s), U/T = \
            {u_per_t:.6}",
            spec.kind_name(),
            r.n,
            seed,
            r.events,
            r.seconds,
            events_per_s
        );
        if let Some(s) = &r.summary {
            let values: Vec<String> = Observable::ALL
                .iter()
                .map(|o| format!("{} = {:.*}", o.label(), o.digits(), o.of_summary(s)))
                .collect();
            println!(
                "observables over {} snapshots: {}",
                s.snapshots,
                values.join(", ")
            );
        }
        if let Some(path) = &args.out {
            println!("trajectory written to {}", path.display());
        }
    }
}
