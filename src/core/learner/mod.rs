//! The transformer learner (SPEC section 4): learns the rates of a stochastic many-body model
//! from one trajectory by maximising the trajectory's path log-likelihood U.
//!
//! - [`config`]: the settings ([`LearnerConfig`], [`Mode`]) and their ranges.
//! - [`report`]: what training reports ([`EpochReport`], [`StepOutcome`]).
//! - [`batch`]: tokens of a configuration ([`Tokenize`]) and segments of a trajectory
//!   ([`SegmentSource`], [`Batch`]), rebuilt on demand by replay.
//! - [`encoder`]: the transformer encoder, with an optional attention sink.
//! - `gradient`: the gradient of a minibatch in cache-sized micro-batches, natively on threads.
//! - [`helpers`]: shares of a step or an evaluation handed to helpers (the browser's extra
//!   workers) and the helper's side ([`helpers::Helper`]).
//! - [`network`]: embeddings, encoder and the Mode 1 / Mode 2 heads ([`RateNetwork`]).
//! - [`loss`]: U of a batch under given rates, shared by the network and known rates.
//! - [`adabelief`]: the paper's optimiser, which burn lacks.
//! - [`train`]: the steppable [`Trainer`] (Adam or AdaBelief, clipping, shuffled segments, epoch
//!   reports, early stopping on held-out data).
//! - [`evaluation`]: the chunked [`Evaluator`] of U over a whole trajectory, with its spread
//!   over stretches of the trajectory.
//! - [`symmetry`]: how far a network is from translational invariance (the translation spread).
//! - [`learned`]: a trained network with its settings ([`LearnedDynamics`]): rates of
//!   configurations for propagation, and the model file.
//!
//! Everything that reads data back from the device is `async` (the browser's WebGPU cannot block);
//! natively drive it with `pollster::block_on`.

pub mod batch;
pub mod config;
pub mod report;

// The network and what runs it (burn): left out of the page's build, which never trains.
#[cfg(feature = "learner")]
pub mod adabelief;
#[cfg(feature = "learner")]
pub mod encoder;
#[cfg(feature = "learner")]
pub mod evaluation;
#[cfg(feature = "learner")]
mod gradient;
#[cfg(feature = "learner")]
pub mod helpers;
#[cfg(feature = "learner")]
pub mod learned;
#[cfg(feature = "learner")]
pub mod loss;
#[cfg(feature = "learner")]
pub mod network;
#[cfg(feature = "learner")]
pub mod symmetry;
#[cfg(all(feature = "learner", not(target_arch = "wasm32")))]
mod threads;
#[cfg(feature = "learner")]
pub mod train;

pub use batch::{Batch, SegmentSource, TokenScheme, Tokenize, segment_source};
pub use config::{
    Activation, AttentionSink, Augmentation, ConfigError, LearnerConfig, LrSchedule, Mode,
    OptimizerKind, PositionInit, Range,
};
#[cfg(feature = "learner")]
pub use evaluation::{Evaluation, Evaluator};
#[cfg(feature = "learner")]
pub use learned::{Inspection, LearnedDynamics, ModelFileError, TrainingSummary};
#[cfg(feature = "learner")]
pub use network::RateNetwork;
pub use report::{EpochReport, StepOutcome};
#[cfg(feature = "learner")]
pub use train::{Trainer, Validation};

use thiserror::Error;

/// Why a learner operation failed.
#[derive(Debug, Error)]
pub enum LearnerError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Reading a result back from the device failed.
    #[error("reading a result back from the device failed: {0}")]
    Readback(String),
    /// The trajectory cannot be learned from (e.g. no tokens).
    #[error("{0}")]
    Trajectory(String),
    /// A configuration of another model or size than the network was trained on.
    #[error("{0}")]
    Mismatch(String),
}

#[cfg(feature = "learner")]
impl LearnerError {
    /// A failed read-back from the device, with the backend's own description.
    pub(crate) fn readback(error: impl std::fmt::Debug) -> Self {
        Self::Readback(format!("{error:?}"))
    }
}

/// Seconds on a monotonic clock (for durations only), natively and in the browser.
#[cfg(feature = "learner")]
pub(crate) fn now_seconds() -> f64 {
    static ORIGIN: std::sync::OnceLock<web_time::Instant> = std::sync::OnceLock::new();
    ORIGIN
        .get_or_init(web_time::Instant::now)
        .elapsed()
        .as_secs_f64()
}

#[cfg(all(test, feature = "learner"))]
mod tests;
