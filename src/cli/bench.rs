//! `jumpformer bench ctmc`: speed of the exact CTMC and size of its stored trajectories.

use crate::core::ctmc::Engine;
use crate::core::loglik::log_likelihood;
use crate::core::model::{ActiveLattice, ActiveLatticeSpec, ModelError};
use crate::core::rng::Rng;
use serde_json::json;
use std::time::Instant;
use thiserror::Error;

/// What to benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchTarget {
    /// The exact CTMC engine on the paper preset.
    Ctmc,
}

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// What to benchmark.
    #[arg(value_enum)]
    target: BenchTarget,
    /// Seconds of simulation per measured density.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Why a benchmark could not run.
#[derive(Debug, Error)]
pub enum BenchError {
    #[error("{0}")]
    Model(#[from] ModelError),
    #[error("--seconds = {0} must be a positive finite number")]
    Seconds(f64),
}

const SEED: u64 = 11;
const PAPER_T: f64 = 500.0;

fn paper_engine(phi: f64) -> Result<Engine<ActiveLattice>, BenchError> {
    let mut rng = Rng::new(SEED);
    let model = ActiveLatticeSpec::paper(phi).build(&mut rng)?;
    Ok(Engine::new(model, rng))
}

/// Jumps per second of an unobserved run at density `phi`, over about `seconds` of wall time.
fn events_per_second(phi: f64, seconds: f64) -> Result<f64, BenchError> {
    let mut engine = paper_engine(phi)?;
    engine.advance(f64::INFINITY, 100_000);
    let start = Instant::now();
    let mut events = 0;
    while start.elapsed().as_secs_f64() < seconds {
        events += engine.advance(f64::INFINITY, 1_000_000).events;
    }
    Ok(events as f64 / start.elapsed().as_secs_f64())
}

pub fn run(args: &BenchArgs) -> Result<(), BenchError> {
    let BenchTarget::Ctmc = args.target;
    if !(args.seconds.is_finite() && args.seconds > 0.0) {
        return Err(BenchError::Seconds(args.seconds));
    }
    let low = events_per_second(0.1244, args.seconds)?;
    let high = events_per_second(0.5, args.seconds)?;

    let mut engine = paper_engine(0.1244)?;
    engine.observe(true);
    let start = Instant::now();
    engine.advance_to(PAPER_T);
    let trajectory = engine.take_trajectory().expect("recording was on");
    let record_seconds = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let json_text = trajectory.to_json();
    let write_seconds = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let u = log_likelihood(&trajectory)
        .map(|r| r.u_per_t)
        .unwrap_or(f64::NAN);
    let loglik_seconds = start.elapsed().as_secs_f64();

    let report = json!({
        "bench": "ctmc",
        "preset": "paper: L = 30, D = 0.1, v_plus = 10, v_zero = 1",
        "events_per_s_phi_0.1244": low,
        "events_per_s_phi_0.5": high,
        "trajectory_T": PAPER_T,
        "trajectory_K": trajectory.num_jumps(),
        "trajectory_seconds": record_seconds,
        "bytes_per_jump": trajectory.bytes_per_jump(),
        "json_bytes": json_text.len(),
        "json_write_seconds": write_seconds,
        "loglik_seconds": loglik_seconds,
        "U_per_T": u,
    });
    if args.json {
        println!("{report}");
    } else {
        println!("CTMC, paper preset (L = 30, D = 0.1, v_plus = 10, v_zero = 1):");
        println!("  phi = 0.1244: {low:.3e} jumps/s");
        println!("  phi = 0.5:    {high:.3e} jumps/s");
        println!(
            "T = {PAPER_T} trajectory: {} jumps recorded in {record_seconds:.3} s, {:.2} \
            bytes/jump in memory, {} bytes as JSON",
            trajectory.num_jumps(),
            trajectory.bytes_per_jump(),
            json_text.len()
        );
        println!("  exact U/T = {u:.5} (replay in {loglik_seconds:.3} s)");
    }
    Ok(())
}
