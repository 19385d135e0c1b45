//! An [`Engine`] of whichever model a [`ModelSpec`] names, for callers that pick the model at
//! run time (the worker, the command line).

use super::{Engine, Progress};
use crate::core::model::{AnyModel, ModelError, ModelSpec};
use crate::core::rng::Rng;
use crate::core::trajectory::AnyTrajectory;

/// An engine of either model kind.
#[derive(Debug, Clone)]
pub enum AnyEngine {
    ActiveLattice(Engine<crate::core::model::ActiveLattice>),
    Fa(Engine<crate::core::model::FredricksonAndersen>),
}

macro_rules! each {
    ($self:expr, $e:ident => $body:expr) => {
        match $self {
            AnyEngine::ActiveLattice($e) => $body,
            AnyEngine::Fa($e) => $body,
        }
    };
}

impl AnyEngine {
    /// Validates `spec`, draws the initial configuration from `Rng::new(seed)` and continues the
    /// run with the same generator: one seed, one stream, one trajectory.
    pub fn from_spec(spec: &ModelSpec, seed: u64) -> Result<Self, ModelError> {
        let mut rng = Rng::new(seed);
        Ok(match spec.build(&mut rng)? {
            AnyModel::ActiveLattice(m) => Self::ActiveLattice(Engine::new(m, rng)),
            AnyModel::Fa(m) => Self::Fa(Engine::new(m, rng)),
        })
    }

    /// See [`Engine::advance`].
    pub fn advance(&mut self, until: f64, max_events: u64) -> Progress {
        each!(self, e => e.advance(until, max_events))
    }

    /// See [`Engine::time`].
    pub fn time(&self) -> f64 {
        each!(self, e => e.time())
    }

    /// See [`Engine::events`].
    pub fn events(&self) -> u64 {
        each!(self, e => e.events())
    }

    /// See [`Engine::total_rate`].
    pub fn total_rate(&self) -> f64 {
        each!(self, e => e.total_rate())
    }

    /// See [`Engine::observe`].
    pub fn observe(&mut self, record: bool) {
        each!(self, e => e.observe(record))
    }

    /// See [`Engine::log_likelihood`].
    pub fn log_likelihood(&self) -> Option<f64> {
        each!(self, e => e.log_likelihood())
    }

    /// Tokens of the model (particles or sites).
    pub fn num_tokens(&self) -> usize {
        each!(self, e => crate::core::model::Dynamics::num_tokens(e.model()))
    }

    /// See [`Engine::take_trajectory`].
    pub fn take_trajectory(&mut self) -> Option<AnyTrajectory> {
        each!(self, e => e.take_trajectory().map(AnyTrajectory::from))
    }
}
