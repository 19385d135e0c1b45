//! A cursor that walks a trajectory's configurations by replaying its jumps.

use super::{Jump, Trajectory};
use crate::core::model::Dynamics;

/// The model at configuration C_k of a trajectory; [`Replay::step`] moves to C_{k+1}.
#[derive(Debug, Clone)]
pub struct Replay<'a, M: Dynamics> {
    trajectory: &'a Trajectory<M>,
    model: M,
    k: usize,
    touched: Vec<u32>,
}

impl<'a, M: Dynamics> Replay<'a, M> {
    pub(super) fn new(trajectory: &'a Trajectory<M>, k: usize) -> Self {
        let (base, config) = trajectory.checkpoint_before(k);
        let mut model = trajectory.origin().clone();
        if base > 0 {
            model.set_config(config);
        }
        let mut replay = Self {
            trajectory,
            model,
            k: base,
            touched: Vec::with_capacity(16),
        };
        while replay.k < k {
            replay.step();
        }
        replay
    }

    /// The index k of the current configuration.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The model in C_k.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The jump leaving C_k, or `None` at the final configuration C_K.
    pub fn next_jump(&self) -> Option<Jump> {
        (self.k < self.trajectory.num_jumps()).then(|| self.trajectory.jump(self.k))
    }

    /// dt_k: the time spent in C_k.
    pub fn dt(&self) -> f64 {
        self.trajectory.dt()[self.k]
    }

    /// Moves to C_{k+1}; returns false (and stays) at C_K.
    pub fn step(&mut self) -> bool {
        let Some(jump) = self.next_jump() else {
            return false;
        };
        self.touched.clear();
        self.model
            .apply(jump.token as usize, jump.mv as usize, &mut self.touched);
        self.k += 1;
        true
    }
}
