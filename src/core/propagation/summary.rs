//! What an ensemble of replicas at one density runs (its settings) and what it measured (mean ±
//! standard error of each observable over replicas): plain data, shown by the page.

use super::{Integrator, PropagationError};
use crate::core::model::ActiveLatticeSpec;
use crate::core::observables::Observable;
use crate::core::rng::Rng;
use serde::{Deserialize, Serialize};

/// Time between two observable snapshots, as in a simulation run.
pub use crate::core::simulation::SAMPLE_INTERVAL;

/// What an ensemble runs and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EnsembleSettings {
    /// The model at the density to run (the rate constants matter only for the true dynamics).
    pub spec: ActiveLatticeSpec,
    /// Total time T of every replica.
    pub t_end: f64,
    /// Time before the first snapshot.
    pub burn_in: f64,
    /// Number of independent replicas.
    pub replicas: usize,
    /// Replica r starts from, and draws from, [`replica_rng`]`(seed, r)`.
    pub seed: u64,
    /// How learned dynamics is integrated (the true dynamics always runs the exact engine).
    pub integrator: Integrator,
}

impl EnsembleSettings {
    /// The largest number of replicas an ensemble may have.
    pub const MAX_REPLICAS: usize = 256;

    /// Checks every setting's range.
    pub fn validate(&self) -> Result<(), PropagationError> {
        self.spec.validate()?;
        if !(self.t_end.is_finite() && self.t_end > 0.0) {
            return Err(PropagationError::Setting(format!(
                "T = {} must be a finite time above 0",
                self.t_end
            )));
        }
        if !(self.burn_in.is_finite() && (0.0..self.t_end).contains(&self.burn_in)) {
            return Err(PropagationError::Setting(format!(
                "the burn-in {} must be at least 0 and below T = {}",
                self.burn_in, self.t_end
            )));
        }
        if !(1..=Self::MAX_REPLICAS).contains(&self.replicas) {
            return Err(PropagationError::Setting(format!(
                "{} replicas: choose from 1 to {}",
                self.replicas,
                Self::MAX_REPLICAS
            )));
        }
        self.integrator.validate()
    }
}

/// The generator of replica `r` of a run seeded `seed`: it draws the initial configuration, then
/// the dynamics. The true and the learned ensemble of one seed start from the same configurations.
pub fn replica_rng(seed: u64, r: usize) -> Rng {
    Rng::new(seed ^ (r as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// A mean over replicas and its standard error (0 with one replica).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub mean: f64,
    pub sem: f64,
}

impl Estimate {
    /// Mean and standard error sd / sqrt(n) of `values` (sample sd, n - 1).
    pub fn of(values: &[f64]) -> Self {
        let n = values.len();
        if n == 0 {
            return Self {
                mean: 0.0,
                sem: 0.0,
            };
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let sem = if n < 2 {
            0.0
        } else {
            let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            (var / n as f64).sqrt()
        };
        Self { mean, sem }
    }
}

/// The observables of an ensemble: each replica's time averages, then mean ± standard error
/// over replicas (SPEC 6).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EnsembleSummary {
    pub phi: f64,
    pub replicas: usize,
    /// Snapshots per replica.
    pub snapshots: usize,
    pub f4: Estimate,
    pub var_f4: Estimate,
    pub n_var_f4: Estimate,
    pub n_c: Estimate,
    pub mean_s: Estimate,
    pub largest: Estimate,
    /// Moves performed, summed over replicas.
    pub jumps: u64,
    /// Impossible moves chosen and rejected (learned dynamics only).
    pub rejected: u64,
}

impl EnsembleSummary {
    /// Mean ± standard error over replicas of one observable's time average.
    pub fn estimate(&self, observable: Observable) -> Estimate {
        match observable {
            Observable::F4 => self.f4,
            Observable::VarF4 => self.var_f4,
            Observable::NVarF4 => self.n_var_f4,
            Observable::Clusters => self.n_c,
            Observable::MeanSize => self.mean_s,
            Observable::Largest => self.largest,
        }
    }
}
