//! Where a propagation's rates come from: a trained network, or the model's own rate constants
//! (the reference that checks the propagation loop itself against the exact engine).

use crate::core::learner::{LearnedDynamics, LearnerError, Tokenize};

/// The rates of every candidate move of a batch of configurations.
#[derive(Debug, Clone)]
pub enum RateSource {
    /// The model's own rates (`Dynamics::rate`), computed on the CPU.
    True,
    /// The rates a trained network gives; all replicas go through the network in one call.
    Learned(LearnedDynamics),
}

impl RateSource {
    /// A label for plots and reports: "true" or "learned".
    pub fn label(&self) -> &'static str {
        match self {
            RateSource::True => "true",
            RateSource::Learned(_) => "learned",
        }
    }

    /// The rate of every candidate move of every token of every model, configuration-major:
    /// `rates[(b * N + t) * M + m]`. Non-finite or negative values (which a network could only
    /// produce through a bug) become 0.
    pub async fn rates<M: Tokenize>(&self, models: &[M]) -> Result<Vec<f64>, LearnerError> {
        match self {
            RateSource::True => Ok(models
                .iter()
                .flat_map(|model| {
                    (0..model.num_tokens())
                        .flat_map(move |t| (0..M::MOVES_PER_TOKEN).map(move |m| model.rate(t, m)))
                })
                .collect()),
            RateSource::Learned(learned) => Ok(learned
                .rates(models)
                .await?
                .into_iter()
                .map(|r| {
                    let r = f64::from(r);
                    if r.is_finite() && r > 0.0 { r } else { 0.0 }
                })
                .collect()),
        }
    }
}
