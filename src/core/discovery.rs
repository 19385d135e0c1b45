//! Reading a Mode 2 network (SPEC 4): which true kind of move falls into which learned class,
//! and the learned class rates beside the true rates — the "discovery" of the model's processes.

use crate::core::learner::{LearnedDynamics, LearnerError};
use crate::core::model::{ActiveLattice, ActiveLatticeRates, MoveKind};
use crate::core::trajectory::Trajectory;
use serde::{Deserialize, Serialize};

/// Counts of candidate moves by true kind (rows, [`MoveKind::ALL`] order) and learned class
/// (columns), over configurations sampled evenly from a trajectory.
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
}

/// Classifies every candidate move of `configs` configurations spread evenly over `trajectory`
/// with the Mode 2 network `learned` (one network call for all of them). `None` in Mode 1.
pub async fn class_membership(
    learned: &LearnedDynamics,
    trajectory: &Trajectory<ActiveLattice>,
    configs: usize,
) -> Result<Option<ClassMembership>, LearnerError> {
    let Some(class_rates) = learned.class_rates().await? else {
        return Ok(None);
    };
    let total = trajectory.num_configs();
    let configs = configs.clamp(1, total);
    let mut models = Vec::with_capacity(configs);
    let mut replay = trajectory.replay_from(0);
    for j in 0..configs {
        let k = if configs == 1 {
            0
        } else {
            j * (total - 1) / (configs - 1)
        };
        while replay.k() < k {
            replay.step();
        }
        models.push(replay.model().clone());
    }
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
    }))
}
