//! Exact path log-likelihood of a trajectory (SPEC Eq. 1):
//!
//! ```text
//! U = sum_{k=0}^{K-1} ln W(C_k -> C_{k+1})  -  sum_{k=0}^{K} dt_k R(C_k)
//! ```
//!
//! computed by replay with the incrementally maintained total rate of the model's
//! [`Selector`](crate::core::ctmc::Selector).

use crate::core::ctmc::Selector;
use crate::core::model::Dynamics;
use crate::core::trajectory::{AnyTrajectory, Trajectory};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// U of a trajectory, with K and U/T.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PathLogLikelihood {
    /// Number of jumps.
    #[serde(rename = "K")]
    pub k: usize,
    /// The path log-likelihood U.
    #[serde(rename = "U")]
    pub u: f64,
    /// U divided by the duration T.
    #[serde(rename = "U_per_T")]
    pub u_per_t: f64,
}

/// Why U could not be computed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum LogLikError {
    /// The trajectory carries no rates (observed data), so there is no exact U.
    #[error("the trajectory has no rates (\"model\".\"rates\" is absent), so it has no exact U")]
    UnknownRates,
}

/// U under the trajectory's own (true) rates.
pub fn log_likelihood<M: Dynamics>(
    trajectory: &Trajectory<M>,
) -> Result<PathLogLikelihood, LogLikError> {
    let rates = trajectory.rates().ok_or(LogLikError::UnknownRates)?;
    Ok(log_likelihood_with(trajectory, rates))
}

/// U of the trajectory's path under other rate constants `rates` of the same model.
pub fn log_likelihood_with<M: Dynamics>(
    trajectory: &Trajectory<M>,
    rates: M::Rates,
) -> PathLogLikelihood {
    let model = M::new(trajectory.size(), rates, trajectory.initial().clone())
        .expect("a valid trajectory with valid rates gives a valid model");
    let mut state = M::Selector::new(model);
    let dt = trajectory.dt();
    let mut u = 0.0;
    for (k, (&token, &mv)) in trajectory
        .tokens()
        .iter()
        .zip(trajectory.moves())
        .enumerate()
    {
        let (token, mv) = (token as usize, mv as usize);
        u += libm::log(state.rate(token, mv)) - dt[k] * state.total_rate();
        state.apply(token, mv);
    }
    u -= dt[trajectory.num_jumps()] * state.total_rate();
    PathLogLikelihood {
        k: trajectory.num_jumps(),
        u,
        u_per_t: u / trajectory.total_time(),
    }
}

impl AnyTrajectory {
    /// U under the trajectory's own rates.
    pub fn log_likelihood(&self) -> Result<PathLogLikelihood, LogLikError> {
        match self {
            AnyTrajectory::ActiveLattice(t) => log_likelihood(t),
            AnyTrajectory::Fa(t) => log_likelihood(t),
        }
    }
}
