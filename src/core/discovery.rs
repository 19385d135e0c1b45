//! Reading a Mode 2 network (SPEC 4): which true kind of move falls into which learned class,
//! the rate the network gives each kind, and beside them the true rates and the rates the
//! trajectory itself supports (maximum likelihood per kind) — the "discovery" of the processes.

use crate::core::learner::{LearnedDynamics, LearnerError};
use crate::core::model::{ActiveLattice, ActiveLatticeRates, MoveKind};
use crate::core::trajectory::Trajectory;
use serde::{Deserialize, Serialize};

/// Counts of candidate moves by true kind (rows, [`MoveKind::ALL`] order) and learned class
/// (columns), over configurations sampled at evenly spaced times of a trajectory, so each
/// configuration counts in proportion to the time the trajectory spends in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMembership {
    /// Row labels, one per [`MoveKind`].
    pub kinds: Vec<String>,
    /// The true rate of each row (when the trajectory's rates are known).
    pub true_rates: Option<Vec<f64>>,
    /// The learned rate exp(s_k) of each class.
    pub class_rates: Vec<f64>,
    /// `counts[kind][class]`.
    pub counts: Vec<Vec<u64>>,
    /// Configurations examined.
    pub configs: usize,
    /// The network was trained with the hard constraint: blocked moves have rate 0 whatever
    /// their class.
    #[serde(default)]
    pub blocked_masked: bool,
}

impl ClassMembership {
    /// For each true kind, the class most of its moves fall into, and that fraction.
    pub fn dominant_classes(&self) -> Vec<Option<(usize, f64)>> {
        self.counts
            .iter()
            .map(|row| {
                let total: u64 = row.iter().sum();
                let (k, &best) = row.iter().enumerate().max_by_key(|(_, c)| **c)?;
                (total > 0).then(|| (k, best as f64 / total as f64))
            })
            .collect()
    }

    /// The learned rate of each true kind, averaged over its candidate moves: with the
    /// membership fractions p_kc of kind k, W_k = sum_c p_kc r_c. When the classes are pure this
    /// is the rate of the kind's class; when the network spends a spare class splitting one
    /// process in two, it is the time average of the rate the learned dynamics gives that
    /// process, the number to set beside the true rate. `None` for a kind with no moves.
    pub fn kind_rates(&self) -> Vec<Option<f64>> {
        MoveKind::ALL
            .iter()
            .zip(&self.counts)
            .map(|(kind, row)| {
                let total: u64 = row.iter().sum();
                if total == 0 {
                    return None;
                }
                if self.blocked_masked && *kind == MoveKind::Blocked {
                    return Some(0.0);
                }
                let weighted: f64 = row
                    .iter()
                    .zip(&self.class_rates)
                    .map(|(&n, r)| n as f64 * r)
                    .sum();
                Some(weighted / total as f64)
            })
            .collect()
    }
}

/// The configuration current at each of `samples` evenly spaced times (midpoints of equal
/// intervals of [0, T]), so a configuration is drawn in proportion to its waiting time.
fn configurations_at_even_times(
    trajectory: &Trajectory<ActiveLattice>,
    samples: usize,
) -> Vec<ActiveLattice> {
    let samples = samples.max(1);
    let interval = trajectory.total_time() / samples as f64;
    let mut replay = trajectory.replay_from(0);
    let mut left = 0.0;
    let mut models = Vec::with_capacity(samples);
    for j in 0..samples {
        let t = (j as f64 + 0.5) * interval;
        while t >= left + replay.dt() && replay.next_jump().is_some() {
            left += replay.dt();
            replay.step();
        }
        models.push(replay.model().clone());
    }
    models
}

/// Classifies every candidate move of the configurations at `configs` evenly spaced times of
/// `trajectory` with the Mode 2 network `learned` (one network call for all of them). `None` in
/// Mode 1.
pub async fn class_membership(
    learned: &LearnedDynamics,
    trajectory: &Trajectory<ActiveLattice>,
    configs: usize,
) -> Result<Option<ClassMembership>, LearnerError> {
    let Some(class_rates) = learned.class_rates().await? else {
        return Ok(None);
    };
    let models = configurations_at_even_times(trajectory, configs);
    let Some(classes) = learned.classes(&models).await? else {
        return Ok(None);
    };
    let n_classes = class_rates.len();
    let mut counts = vec![vec![0u64; n_classes]; MoveKind::ALL.len()];
    let moves = <ActiveLattice as crate::core::model::Dynamics>::MOVES_PER_TOKEN;
    let mut index = 0;
    for model in &models {
        for i in 0..model.num_particles() {
            for m in 0..moves {
                let kind = model.move_kind(i, m) as usize;
                let class = (classes[index] as usize).min(n_classes - 1);
                counts[kind][class] += 1;
                index += 1;
            }
        }
    }
    let true_rates = trajectory
        .rates()
        .map(|r: ActiveLatticeRates| MoveKind::ALL.iter().map(|k| k.rate(&r)).collect());
    Ok(Some(ClassMembership {
        kinds: MoveKind::ALL
            .iter()
            .map(|k| k.label().to_string())
            .collect(),
        true_rates,
        class_rates,
        counts,
        configs: models.len(),
        blocked_masked: learned.config().hard_constraint,
    }))
}

/// What one trajectory says about the rate of one kind of move: the maximum-likelihood estimate
/// events / exposure, exposure = the time integral of the number of candidate moves of that kind.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KindEstimate {
    /// Jumps of this kind in the trajectory.
    pub events: u64,
    /// Integral over time of the number of candidate moves of this kind.
    pub exposure: f64,
}

impl KindEstimate {
    /// The maximum-likelihood rate (0 when there was no exposure).
    pub fn rate(&self) -> f64 {
        if self.exposure > 0.0 {
            self.events as f64 / self.exposure
        } else {
            0.0
        }
    }

    /// The estimate's relative standard error, 1 / sqrt(events) (Poisson counting).
    pub fn relative_error(&self) -> f64 {
        1.0 / (self.events.max(1) as f64).sqrt()
    }
}

/// The maximum-likelihood rate of every [`MoveKind`] (in [`MoveKind::ALL`] order) from the jumps
/// and waiting times of `trajectory`: the rates the best possible Mode 2 learner would find, which
/// differ from the true rates only by the trajectory's finite statistics.
pub fn kind_rate_estimates(trajectory: &Trajectory<ActiveLattice>) -> Vec<KindEstimate> {
    let mut estimates = vec![
        KindEstimate {
            events: 0,
            exposure: 0.0
        };
        MoveKind::ALL.len()
    ];
    let moves = <ActiveLattice as crate::core::model::Dynamics>::MOVES_PER_TOKEN;
    let mut replay = trajectory.replay_from(0);
    loop {
        let model = replay.model();
        let dt = replay.dt();
        let mut per_kind = [0u32; MoveKind::ALL.len()];
        for i in 0..model.num_particles() {
            for m in 0..moves {
                per_kind[model.move_kind(i, m) as usize] += 1;
            }
        }
        for (estimate, n) in estimates.iter_mut().zip(per_kind) {
            estimate.exposure += n as f64 * dt;
        }
        let Some(jump) = replay.next_jump() else {
            break;
        };
        estimates[model.move_kind(jump.token as usize, jump.mv as usize) as usize].events += 1;
        replay.step();
    }
    estimates
}
