//! `jumpformer loglik FILE`: the exact path log-likelihood of a trajectory file.

use super::input::{InputError, read_trajectory};
use crate::core::loglik::LogLikError;
use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, clap::Args)]
pub struct LoglikArgs {
    /// A trajectory file (SPEC section 7).
    file: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Why U could not be computed.
#[derive(Debug, Error)]
pub enum LoglikCliError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{path}: {source}")]
    NoRates { path: PathBuf, source: LogLikError },
}

pub fn run(args: &LoglikArgs) -> Result<(), LoglikCliError> {
    let path = &args.file;
    let trajectory = read_trajectory(path)?;
    let result = trajectory
        .log_likelihood()
        .map_err(|source| LoglikCliError::NoRates {
            path: path.clone(),
            source,
        })?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&result).expect("numbers serialise")
        );
    } else {
        println!(
            "{}: K = {}, T = {}, U = {:.6}, U/T = {:.6}",
            path.display(),
            result.k,
            trajectory.total_time(),
            result.u,
            result.u_per_t
        );
    }
    Ok(())
}
