//! Exact continuous-time Monte Carlo (SPEC section 3): rejection-free (Gillespie / n-fold way).
//!
//! - [`SumTree`], [`RateTable`]: model-free rate bookkeeping and O(log n) selection, reusable
//!   with rates from anywhere (e.g. a learned network).
//! - [`Selector`]: how an engine keeps a model's rates current and picks the next move. Each
//!   model names its own ([`Dynamics::Selector`]): [`RatedModel`], a [`Dynamics`] model with its
//!   rate table kept current incrementally (any model, any rates), or a model-specific one such as
//!   the active-lattice model's O(1) move-class selector.
//! - [`Engine`]: the clock and the random draws; runs in slices of time or events and can
//!   record a [`Trajectory`](crate::core::trajectory::Trajectory) and its log-likelihood.
//! - [`AnyEngine`]: an engine of the model a [`ModelSpec`](crate::core::model::ModelSpec) names.

mod any;
mod engine;
mod sum_tree;

pub use any::AnyEngine;
pub use engine::{Engine, Progress};
pub use sum_tree::{RateTable, SumTree};

use crate::core::model::Dynamics;
use std::fmt::Debug;

/// A model together with whatever bookkeeping makes rejection-free selection fast: the total
/// rate R(C), the rate of any move, and the move whose cumulative interval holds `u * R`.
///
/// Any correct implementation chooses move (token, m) with probability rate / R, up to the
/// rounding of `u * R`; which move a given `u` picks may differ between implementations.
/// Everything must be deterministic and use only IEEE basic operations, so one seed gives one
/// trajectory on every platform.
pub trait Selector: Clone + Debug {
    /// The model whose moves are selected.
    type Model: Dynamics;

    /// Builds the bookkeeping for `model`'s current configuration.
    fn new(model: Self::Model) -> Self;
    /// The model in its current configuration.
    fn model(&self) -> &Self::Model;
    /// R(C): the total rate of the current configuration.
    fn total_rate(&self) -> f64;
    /// The rate of move `mv` of `token` in the current configuration.
    fn rate(&self, token: usize, mv: usize) -> f64;
    /// The move (token, m) chosen with probability rate / R for `u` uniform in [0, 1); `None`
    /// if R = 0.
    fn select(&self, u: f64) -> Option<(usize, usize)>;
    /// Performs a possible move and updates the bookkeeping.
    fn apply(&mut self, token: usize, mv: usize);
    /// Gives the model back.
    fn into_model(self) -> Self::Model;
}

/// A model together with the rates of all its candidate moves, kept current after every jump by
/// recomputing only the tokens the model reports as touched.
#[derive(Debug, Clone)]
pub struct RatedModel<M: Dynamics> {
    model: M,
    table: RateTable,
    touched: Vec<u32>,
}

impl<M: Dynamics> RatedModel<M> {
    /// Computes every rate of `model`.
    pub fn new(model: M) -> Self {
        let mut rated = Self {
            table: RateTable::new(model.num_tokens(), M::MOVES_PER_TOKEN),
            model,
            touched: Vec::with_capacity(16),
        };
        rated.refresh_all();
        rated
    }

    /// The model in its current configuration.
    #[inline]
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The rates of all candidate moves.
    #[inline]
    pub fn table(&self) -> &RateTable {
        &self.table
    }

    /// R(C): the total rate of the current configuration.
    #[inline]
    pub fn total_rate(&self) -> f64 {
        self.table.total()
    }

    /// The rate of move `mv` of `token` in the current configuration.
    #[inline]
    pub fn rate(&self, token: usize, mv: usize) -> f64 {
        self.table.rate(token, mv)
    }

    /// Performs a possible move and updates the rates it may have changed.
    #[inline]
    pub fn apply(&mut self, token: usize, mv: usize) {
        self.touched.clear();
        self.model.apply(token, mv, &mut self.touched);
        for k in 0..self.touched.len() {
            self.refresh(self.touched[k] as usize);
        }
    }

    /// Replaces the configuration (e.g. by a checkpoint) and recomputes every rate.
    pub fn set_config(&mut self, config: &M::Config) {
        self.model.set_config(config);
        self.refresh_all();
    }

    /// Gives the model back.
    pub fn into_model(self) -> M {
        self.model
    }

    #[inline]
    fn refresh(&mut self, token: usize) {
        let model = &self.model;
        self.table
            .update_token_with_total(token, |row| model.token_rates(token, row));
    }

    fn refresh_all(&mut self) {
        for token in 0..self.model.num_tokens() {
            self.refresh(token);
        }
    }
}

/// The generic selection: a sum tree over tokens' total rates, for any model and any rates.
impl<M: Dynamics> Selector for RatedModel<M> {
    type Model = M;

    fn new(model: M) -> Self {
        RatedModel::new(model)
    }

    #[inline]
    fn model(&self) -> &M {
        &self.model
    }

    #[inline]
    fn total_rate(&self) -> f64 {
        self.table.total()
    }

    #[inline]
    fn rate(&self, token: usize, mv: usize) -> f64 {
        self.table.rate(token, mv)
    }

    #[inline]
    fn select(&self, u: f64) -> Option<(usize, usize)> {
        self.table.select(u)
    }

    #[inline]
    fn apply(&mut self, token: usize, mv: usize) {
        RatedModel::apply(self, token, mv)
    }

    fn into_model(self) -> M {
        self.model
    }
}
