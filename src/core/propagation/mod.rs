//! Running learned dynamics forward (SPEC section 5): the CTMC loop of section 3 with rates from a
//! trained network, re-evaluated after every jump, many replicas per network call.
//!
//! - [`RateSource`]: the network, or the model's true rates (to check the loop itself).
//! - [`Propagation`]: replicas of any model advanced in batched steps; forbidden moves that the
//!   network gives a small rate are rejected and counted.
//! - [`Ensemble`]: active-lattice replicas at one density with their observables (SPEC 6), run
//!   by the true engine or by a [`Propagation`]; one point of the paper's Fig. 4.

// Running a network forward needs the learner; the ensembles' settings and results do not.
#[cfg(feature = "learner")]
mod ensemble;
#[cfg(feature = "learner")]
mod rate_source;
#[cfg(feature = "learner")]
mod replicas;
mod summary;

#[cfg(feature = "learner")]
pub use ensemble::Ensemble;
#[cfg(feature = "learner")]
pub use rate_source::RateSource;
#[cfg(feature = "learner")]
pub use replicas::{Propagation, StepReport};
pub use summary::{EnsembleSettings, EnsembleSummary, Estimate, SAMPLE_INTERVAL, replica_rng};

use crate::core::learner::LearnerError;
use crate::core::model::ModelError;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// How the rates are integrated in time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Integrator {
    /// The exact loop: rates re-evaluated after every jump.
    Exact,
    /// Approximate: rates frozen for a time `tau`; moves fired in that time, except that a token
    /// whose rates an earlier move of the leap changed does not move again before the next leap.
    TauLeap { tau: f64 },
}

impl Integrator {
    /// The largest tau accepted (in the model's time units).
    pub const MAX_TAU: f64 = 10.0;

    /// Checks tau.
    pub fn validate(&self) -> Result<(), PropagationError> {
        match *self {
            Integrator::Exact => Ok(()),
            Integrator::TauLeap { tau } if tau > 0.0 && tau <= Self::MAX_TAU => Ok(()),
            Integrator::TauLeap { tau } => Err(PropagationError::Setting(format!(
                "tau = {tau} must be above 0 and at most {}",
                Self::MAX_TAU
            ))),
        }
    }

    /// "exact" or "tau-leap (tau = ...)", for plots and reports.
    pub fn describe(&self) -> String {
        match self {
            Integrator::Exact => "exact".into(),
            Integrator::TauLeap { tau } => format!("tau-leap (tau = {tau})"),
        }
    }
}

/// Why a propagation could not start or go on.
#[derive(Debug, Error)]
pub enum PropagationError {
    #[error("{0}")]
    Model(#[from] ModelError),
    #[error("{0}")]
    Learner(#[from] LearnerError),
    /// A setting is out of range; the message says which and why.
    #[error("{0}")]
    Setting(String),
    /// The rate source answered with the wrong number of rates.
    #[error("{0}")]
    Rates(String),
}
