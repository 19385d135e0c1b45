//! The `jumpformer` command line: reproducible runs, scripting and benchmarks over the core.
//!
//! Every subcommand that reports numbers can print one JSON object per result line (`--json`),
//! so scripts can depend on its shape.

mod backend;
mod bench;
mod input;
mod loglik;
mod preset;
mod propagate;
mod scan;
mod settings;
mod simulate;
mod train;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Learn stochastic dynamics from one trajectory with a transformer.
#[derive(Debug, Parser)]
#[command(name = "jumpformer", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show the compute backend the learner uses on this machine and run a smoke training.
    Backend(backend::BackendArgs),
    /// Run the exact CTMC of a model; report U/T and observables, optionally save the trajectory.
    Simulate(simulate::SimulateArgs),
    /// Exact path log-likelihood U of a trajectory file under its own rates.
    Loglik(loglik::LoglikArgs),
    /// Benchmarks (`ctmc`: engine speed and trajectory size on the paper preset).
    Bench(bench::BenchArgs),
    /// Train the learner on a trajectory file; report U/T per epoch, optionally save the model.
    Train(train::TrainArgs),
    /// Train Mode 2 for each number of classes N_W in a range; report the best U/T of each.
    Scan(scan::ScanArgs),
    /// Run a trained model's dynamics at a density with replicas; report the observables.
    Propagate(propagate::PropagateArgs),
    /// List every setting of a run (the page's link keys, also `--set KEY=VALUE` of train and
    /// scan) with its default and what it does.
    Settings(settings::SettingsArgs),
}

/// Parses the command line, runs the subcommand, and maps its error to a non-zero exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Backend(args) => backend::run(&args),
        Command::Simulate(args) => simulate::run(&args).map_err(|e| e.to_string()),
        Command::Loglik(args) => loglik::run(&args).map_err(|e| e.to_string()),
        Command::Bench(args) => bench::run(&args).map_err(|e| e.to_string()),
        Command::Train(args) => train::run(&args).map_err(|e| e.to_string()),
        Command::Scan(args) => scan::run(&args).map_err(|e| e.to_string()),
        Command::Propagate(args) => propagate::run(&args).map_err(|e| e.to_string()),
        Command::Settings(args) => {
            settings::run(&args);
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("jumpformer: {err}");
            ExitCode::FAILURE
        }
    }
}
