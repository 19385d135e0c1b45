//! Reading a Mode 2 network (SPEC 4): which true kind of move falls into which learned class,
//! the rate the network gives each kind, and beside them the true rates and the rates the
//! trajectory itself supports (maximum likelihood per kind) — the "discovery" of the processes.

#[cfg(feature = "learner")]
use crate::core::learner::{LearnedDynamics, LearnerError};
#[cfg(feature = "learner")]
use crate::core::model::ActiveLatticeRates;
use crate::core::model::{ActiveLattice, MoveKind};
use crate::core::trajectory::{AnyTrajectory, Trajectory};
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

    /// What each class is: the true kind that makes up most of its moves and that kind's share
    /// of the class, e.g. the blocked steps in the near-zero class that the paper's N_W = 4
    /// finds. Blocked steps name no class when they were masked (the hard constraint), where
    /// their class does not set their rate. `None` for a class with no moves.
    pub fn class_kinds(&self) -> Vec<Option<(MoveKind, f64)>> {
        (0..self.class_rates.len())
            .map(|class| {
                let in_class = |kind: &MoveKind, row: &Vec<u64>| {
                    let masked = self.blocked_masked && *kind == MoveKind::Blocked;
                    if masked {
                        0
                    } else {
                        row.get(class).copied().unwrap_or(0)
                    }
                };
                let total: u64 = MoveKind::ALL
                    .iter()
                    .zip(&self.counts)
                    .map(|(kind, row)| in_class(kind, row))
                    .sum();
                let (kind, most) = MoveKind::ALL
                    .iter()
                    .zip(&self.counts)
                    .map(|(kind, row)| (*kind, in_class(kind, row)))
                    .max_by_key(|(_, n)| *n)?;
                (total > 0).then(|| (kind, most as f64 / total as f64))
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
#[cfg(feature = "learner")]
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
#[cfg(feature = "learner")]
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
    KindStatistics::of(trajectory).by_kind().to_vec()
}

/// A step kind finer than [`MoveKind`]: blocked steps split by whether they point along the
/// particle's orientation, which is all an occupancy-blind learner can tell them by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FineKind {
    Rotation,
    Forward,
    OtherStep,
    BlockedForward,
    BlockedOther,
}

impl FineKind {
    fn of(model: &ActiveLattice, i: usize, m: usize) -> Self {
        match model.move_kind(i, m) {
            MoveKind::Rotation => FineKind::Rotation,
            MoveKind::Forward => FineKind::Forward,
            MoveKind::OtherStep => FineKind::OtherStep,
            MoveKind::Blocked if m - 2 == model.particle(i).2 as usize => FineKind::BlockedForward,
            MoveKind::Blocked => FineKind::BlockedOther,
        }
    }
}

/// Jumps and exposures of one trajectory by kind of move (SPEC 4, "Diagnostics"): what bounds
/// any learner's U/T on it, with one rate per group of kinds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KindStatistics {
    /// Per [`FineKind`], in declaration order.
    fine: [KindEstimate; 5],
    total_time: f64,
}

/// E ln(E / S) - E: the largest log-likelihood of E events over exposure S with one rate,
/// reached at the rate E / S (0 when there are no events: the rate is then 0).
fn class_log_likelihood(events: u64, exposure: f64) -> f64 {
    if events == 0 {
        0.0
    } else {
        let e = events as f64;
        e * (e / exposure).ln() - e
    }
}

impl KindStatistics {
    /// The statistics of an active-lattice trajectory; `None` for a model without move kinds.
    pub fn of_any(trajectory: &AnyTrajectory) -> Option<Self> {
        trajectory.active_lattice().map(Self::of)
    }

    /// Replays `trajectory` once and counts.
    pub fn of(trajectory: &Trajectory<ActiveLattice>) -> Self {
        let empty = KindEstimate {
            events: 0,
            exposure: 0.0,
        };
        let mut fine = [empty; 5];
        let moves = <ActiveLattice as crate::core::model::Dynamics>::MOVES_PER_TOKEN;
        let mut replay = trajectory.replay_from(0);
        loop {
            let model = replay.model();
            let dt = replay.dt();
            let mut per_kind = [0u32; 5];
            for i in 0..model.num_particles() {
                for m in 0..moves {
                    per_kind[FineKind::of(model, i, m) as usize] += 1;
                }
            }
            for (estimate, n) in fine.iter_mut().zip(per_kind) {
                estimate.exposure += n as f64 * dt;
            }
            let Some(jump) = replay.next_jump() else {
                break;
            };
            fine[FineKind::of(model, jump.token as usize, jump.mv as usize) as usize].events += 1;
            replay.step();
        }
        Self {
            fine,
            total_time: trajectory.total_time(),
        }
    }

    /// Jumps and exposure of every [`MoveKind`], in [`MoveKind::ALL`] order.
    pub fn by_kind(&self) -> [KindEstimate; 4] {
        let [rotation, forward, other, blocked_forward, blocked_other] = self.fine;
        let blocked = KindEstimate {
            events: blocked_forward.events + blocked_other.events,
            exposure: blocked_forward.exposure + blocked_other.exposure,
        };
        [rotation, forward, other, blocked]
    }

    /// The best U/T with one rate per group, the groups given as sets of [`MoveKind::ALL`]
    /// indices: the sum over groups of (E ln(E/S) - E) / T.
    fn grouped_u_per_t(&self, kinds: &[KindEstimate], groups: &[Vec<usize>]) -> f64 {
        let total: f64 = groups
            .iter()
            .map(|group| {
                let events = group.iter().map(|&k| kinds[k].events).sum();
                let exposure = group.iter().map(|&k| kinds[k].exposure).sum();
                class_log_likelihood(events, exposure)
            })
            .sum();
        total / self.total_time
    }

    /// The best U/T of a learner with `classes` rates whose classes follow the kinds of move:
    /// the maximum over groupings of {rotation, forward, other, blocked} into at most `classes`
    /// groups. It rises with `classes` and is flat from 4 on, where it is the trajectory's
    /// maximum-likelihood U/T (the ceiling of Mode 2 at N_W = `classes`).
    pub fn best_u_per_t(&self, classes: usize) -> f64 {
        let kinds = self.by_kind();
        set_partitions(kinds.len())
            .into_iter()
            .filter(|groups| groups.len() <= classes.max(1))
            .map(|groups| self.grouped_u_per_t(&kinds, &groups))
            .fold(f64::NEG_INFINITY, f64::max)
    }

    /// The occupancy-blind optimum: the best U/T of a learner that knows each move's kind and
    /// the particle's orientation but not whether the target site is occupied, i.e. the groups
    /// {rotation}, {forward, blocked forward}, {other, blocked other}.
    pub fn occupancy_blind_u_per_t(&self) -> f64 {
        let groups = [vec![0], vec![1, 3], vec![2, 4]];
        self.grouped_u_per_t(&self.fine, &groups)
    }
}

/// Every partition of {0, .., n-1} into non-empty groups (15 for n = 4).
fn set_partitions(n: usize) -> Vec<Vec<Vec<usize>>> {
    let mut partitions: Vec<Vec<Vec<usize>>> = vec![Vec::new()];
    for item in 0..n {
        let mut next = Vec::new();
        for partition in &partitions {
            for g in 0..partition.len() {
                let mut extended = partition.clone();
                extended[g].push(item);
                next.push(extended);
            }
            let mut alone = partition.clone();
            alone.push(vec![item]);
            next.push(alone);
        }
        partitions = next;
    }
    partitions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_active_lattice_trajectory_has_move_kind_statistics() {
        use crate::core::model::{FaSpec, ModelSpec};
        use crate::core::simulation::SimulationRun;
        let spec = ModelSpec::Fa(FaSpec::TUTORIAL);
        let mut run = SimulationRun::new(&spec, 10.0, 0.0, 1).unwrap();
        run.advance(10.0);
        let fa = run.into_trajectory().unwrap();
        assert!(KindStatistics::of_any(&fa).is_none());
    }
    use crate::core::model::{ActiveLatticeRates, ParticleConfig};
    use crate::core::trajectory::Trajectory;

    /// The warm-started N_W = 4 scan of the exclusion preset's trajectory (README): its slowest
    /// class is named by the blocked steps that make up nearly all of it.
    #[test]
    fn each_class_is_named_by_the_kind_that_fills_it() {
        let mut membership = ClassMembership {
            kinds: MoveKind::ALL
                .iter()
                .map(|k| k.label().to_string())
                .collect(),
            true_rates: None,
            class_rates: vec![0.0089, 0.1068, 0.9342, 8.4512],
            counts: vec![
                vec![0, 4608, 0, 0],
                vec![1, 0, 0, 1335],
                vec![0, 0, 5308, 0],
                vec![1840, 0, 503, 0],
            ],
            configs: 256,
            blocked_masked: false,
        };
        let named = membership.class_kinds();
        assert_eq!(named[0], Some((MoveKind::Blocked, 1840.0 / 1841.0)));
        assert_eq!(named[1], Some((MoveKind::Rotation, 1.0)));
        assert_eq!(named[2].map(|(k, _)| k), Some(MoveKind::OtherStep));
        assert_eq!(named[3], Some((MoveKind::Forward, 1.0)));
        // Masked blocked steps name nothing: the first class then holds one forward step.
        membership.blocked_masked = true;
        assert_eq!(membership.class_kinds()[0], Some((MoveKind::Forward, 1.0)));
        membership.counts[1][0] = 0;
        assert_eq!(membership.class_kinds()[0], None);
    }

    #[test]
    fn there_are_fifteen_partitions_of_four_kinds() {
        assert_eq!(set_partitions(4).len(), 15);
        assert_eq!(set_partitions(1), vec![vec![vec![0]]]);
    }

    /// Two particles side by side on a 3 x 3 lattice, one jump, worked out by hand.
    #[test]
    fn diagnostics_match_a_hand_computation() {
        // Particle 0 at (0,0) facing +x, particle 1 at (1,0) facing +y.
        let initial = ParticleConfig {
            x: vec![0, 1],
            y: vec![0, 0],
            o: vec![0, 1],
        };
        // Particle 1 steps +y (forward) to (1,1) after 0.5; then 1.5 more until T = 2.
        let trajectory = Trajectory::from_parts(
            3,
            Some(ActiveLatticeRates::PAPER),
            initial,
            vec![1],
            vec![3],
            vec![0.5, 1.5],
            2.0,
        )
        .unwrap();
        let stats = KindStatistics::of(&trajectory);
        // C_0: particle 0's +x step is blocked (forward), particle 1's -x step is blocked
        // (other); each particle has 2 rotations; free: particle 0 has 3 other steps, particle
        // 1 one forward and 2 other steps. C_1: nothing is blocked (1 is now at (1,1)); particle
        // 0 has 1 forward + 3 other, particle 1 has 1 forward + 3 other.
        let by_kind = stats.by_kind();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(by_kind[0].exposure, 4.0 * 2.0));
        assert!(close(by_kind[1].exposure, 1.0 * 0.5 + 2.0 * 1.5));
        assert!(close(by_kind[2].exposure, 5.0 * 0.5 + 6.0 * 1.5));
        assert!(close(by_kind[3].exposure, 2.0 * 0.5));
        assert_eq!(by_kind.map(|k| k.events), [0, 1, 0, 0]);
        // Four classes: only the forward class has an event, E ln(E/S) - E = ln(1/3.5) - 1.
        let best = (1.0f64 / 3.5).ln() - 1.0;
        assert!(close(stats.best_u_per_t(4), best / 2.0));
        assert!(close(stats.best_u_per_t(6), best / 2.0));
        // One class: 1 event over all the exposure, 8 + 3.5 + 11.5 + 1 = 24.
        assert!(close(
            stats.best_u_per_t(1),
            ((1.0f64 / 24.0).ln() - 1.0) / 2.0
        ));
        // Blind: forward grouped with blocked forward (exposure 3.5 + 0.5).
        assert!(close(
            stats.occupancy_blind_u_per_t(),
            ((1.0f64 / 4.0).ln() - 1.0) / 2.0
        ));
    }
}
