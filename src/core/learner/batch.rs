//! From trajectory segments to the learner's inputs: token features, observed jumps, waiting
//! times and allowed-move masks, rebuilt on demand by replay (never all configurations at once).

use crate::core::model::{ActiveLattice, Direction, Dynamics, FredricksonAndersen};
use crate::core::trajectory::{AnyTrajectory, Trajectory};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How a model's configurations become tokens: which embedding tables a token is looked up in,
/// and how many candidate moves it has. Stored in model files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenScheme {
    /// The model's kind, as in trajectory files ("active-lattice", "fa").
    pub kind: String,
    /// The linear size L the embedding tables were built for.
    #[serde(rename = "L")]
    pub size: usize,
    /// Size of each embedding table; a token's embedding is the sum of one row of each.
    pub tables: Vec<usize>,
    /// Candidate moves per token.
    pub moves_per_token: usize,
}

impl TokenScheme {
    /// The embedding tables indexed by a position on the lattice (ALM: x and y; FA: the site),
    /// which [`PositionInit::Periodic`](super::PositionInit::Periodic) starts periodic.
    pub fn position_tables(&self) -> &'static [usize] {
        match self.kind.as_str() {
            k if k == ActiveLattice::KIND => ActiveLattice::POSITION_TABLES,
            k if k == FredricksonAndersen::KIND => FredricksonAndersen::POSITION_TABLES,
            _ => &[],
        }
    }
}

/// A model whose configurations the learner can read (SPEC 4, "Tokens").
pub trait Tokenize: Dynamics + Send + Sync {
    /// Which of [`Tokenize::tables`] are indexed by a lattice position.
    const POSITION_TABLES: &'static [usize];

    /// Sizes of the embedding tables for linear size `size`.
    fn tables(size: usize) -> Vec<usize>;

    /// Appends every token's index into table f to `out[f]`, token by token.
    fn push_features(&self, out: &mut [Vec<i32>]);

    /// True if move `mv` of `token` is possible in the current configuration (whatever the
    /// rate constants).
    fn move_allowed(&self, token: usize, mv: usize) -> bool;

    /// The scheme of this model at linear size `size`.
    fn scheme(size: usize) -> TokenScheme {
        TokenScheme {
            kind: Self::KIND.to_string(),
            size,
            tables: Self::tables(size),
            moves_per_token: Self::MOVES_PER_TOKEN,
        }
    }
}

/// ALM: a particle's token is E_x[x] + E_y[y] + E_o[o].
impl Tokenize for ActiveLattice {
    const POSITION_TABLES: &'static [usize] = &[0, 1];

    fn tables(size: usize) -> Vec<usize> {
        vec![size, size, 4]
    }

    fn push_features(&self, out: &mut [Vec<i32>]) {
        let c = self.config();
        out[0].extend(c.x.iter().map(|&v| v as i32));
        out[1].extend(c.y.iter().map(|&v| v as i32));
        out[2].extend(c.o.iter().map(|&v| v as i32));
    }

    fn move_allowed(&self, token: usize, mv: usize) -> bool {
        match mv {
            0 | 1 => true,
            2..=5 => {
                let (x, y, _) = self.particle(token);
                let (tx, ty) = self.neighbour(x, y, Direction::from_index((mv - 2) as u8));
                !self.is_occupied(tx, ty)
            }
            _ => false,
        }
    }
}

/// FA: a site's token is E_n[n_i] + E_pos[i].
impl Tokenize for FredricksonAndersen {
    const POSITION_TABLES: &'static [usize] = &[1];

    fn tables(size: usize) -> Vec<usize> {
        vec![2, size]
    }

    fn push_features(&self, out: &mut [Vec<i32>]) {
        let l = self.len();
        out[0].extend((0..l).map(|i| self.n(i) as i32));
        out[1].extend(0..l as i32);
    }

    fn move_allowed(&self, token: usize, mv: usize) -> bool {
        let l = self.len();
        mv == 0 && self.n((token + l - 1) % l) + self.n((token + 1) % l) > 0
    }
}

/// Consecutive configurations (or any set of them) as flat arrays, configuration-major.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    /// Tokens per configuration (N).
    pub num_tokens: usize,
    /// Candidate moves per token (M).
    pub moves_per_token: usize,
    /// One array per embedding table, `num_configs * num_tokens` long.
    pub features: Vec<Vec<i32>>,
    /// Per configuration: the jump out of it as (token, move), `None` for the trajectory's last.
    pub observed: Vec<Option<(u32, u8)>>,
    /// Per configuration: the time spent in it.
    pub dt: Vec<f64>,
    /// `num_configs * N * M` flags: the move is possible (filled only when asked for).
    pub allowed: Vec<bool>,
}

impl Batch {
    /// An empty batch for `tables` embedding tables.
    pub fn empty(tables: usize, num_tokens: usize, moves_per_token: usize) -> Self {
        Self {
            num_tokens,
            moves_per_token,
            features: vec![Vec::new(); tables],
            observed: Vec::new(),
            dt: Vec::new(),
            allowed: Vec::new(),
        }
    }

    /// Number of configurations.
    pub fn num_configs(&self) -> usize {
        self.dt.len()
    }

    /// True if there are no configurations.
    pub fn is_empty(&self) -> bool {
        self.dt.is_empty()
    }

    /// Appends configuration `model` with its observed jump and waiting time.
    pub fn push<M: Tokenize>(
        &mut self,
        model: &M,
        observed: Option<(u32, u8)>,
        dt: f64,
        with_allowed: bool,
    ) {
        debug_assert_eq!(model.num_tokens(), self.num_tokens);
        model.push_features(&mut self.features);
        self.observed.push(observed);
        self.dt.push(dt);
        if with_allowed {
            for t in 0..self.num_tokens {
                for m in 0..self.moves_per_token {
                    self.allowed.push(model.move_allowed(t, m));
                }
            }
        }
    }

    /// Appends all of `other`'s configurations.
    pub fn extend(&mut self, other: &Batch) {
        assert_eq!(self.num_tokens, other.num_tokens, "batches of different N");
        for (mine, theirs) in self.features.iter_mut().zip(&other.features) {
            mine.extend_from_slice(theirs);
        }
        self.observed.extend_from_slice(&other.observed);
        self.dt.extend_from_slice(&other.dt);
        self.allowed.extend_from_slice(&other.allowed);
    }

    /// This batch cut into `parts` runs of consecutive configurations whose sizes differ by at
    /// most one (fewer parts if there are fewer configurations); their union is the batch.
    pub fn split(&self, parts: usize) -> Vec<Batch> {
        let total = self.num_configs();
        let parts = parts.clamp(1, total.max(1));
        let (n, m) = (self.num_tokens, self.moves_per_token);
        let with_allowed = !self.allowed.is_empty();
        let mut start = 0;
        (0..parts)
            .map(|p| {
                let len = total / parts + usize::from(p < total % parts);
                let range = start..start + len;
                start += len;
                Batch {
                    num_tokens: n,
                    moves_per_token: m,
                    features: self
                        .features
                        .iter()
                        .map(|f| f[range.start * n..range.end * n].to_vec())
                        .collect(),
                    observed: self.observed[range.clone()].to_vec(),
                    dt: self.dt[range.clone()].to_vec(),
                    allowed: if with_allowed {
                        self.allowed[range.start * n * m..range.end * n * m].to_vec()
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect()
    }

    /// Moves every configuration by a lattice translation: entry i of `shifts` is added, modulo
    /// `sizes[table]`, to position table `tables[i]`. Moves are relative to their token, so the
    /// observed jumps, waiting times and allowed-move flags stay as they are.
    pub fn translate(&mut self, tables: &[usize], sizes: &[usize], shifts: &[usize]) {
        for (&table, &shift) in tables.iter().zip(shifts) {
            let size = sizes[table] as i32;
            let shift = (shift % sizes[table]) as i32;
            for value in &mut self.features[table] {
                *value = (*value + shift) % size;
            }
        }
    }

    /// Configurations with a given set of models, no observed jumps and zero waiting times: the
    /// input to evaluate rates (e.g. independent replicas).
    ///
    /// # Panics
    /// If the models do not all have the same number of tokens.
    pub fn of_models<M: Tokenize>(models: &[M], with_allowed: bool) -> Self {
        let n = models.first().map_or(0, |m| m.num_tokens());
        // The number of tables does not depend on L.
        let mut batch = Self::empty(M::tables(2).len(), n, M::MOVES_PER_TOKEN);
        for model in models {
            assert_eq!(
                model.num_tokens(),
                n,
                "every replica must have the same number of tokens"
            );
            batch.push(model, None, 0.0, with_allowed);
        }
        batch
    }
}

/// Where training segments come from: a trajectory, rebuilt on demand from its checkpoints.
pub trait SegmentSource: Send + Sync {
    /// The token scheme of the trajectory's model.
    fn scheme(&self) -> TokenScheme;
    /// K + 1: the number of configurations.
    fn num_configs(&self) -> usize;
    /// Tokens per configuration.
    fn num_tokens(&self) -> usize;
    /// T: the total duration.
    fn total_time(&self) -> f64;
    /// Configurations `start .. start + len` (clipped to the trajectory), with allowed-move
    /// masks if `with_allowed`.
    fn segment(&self, start: usize, len: usize, with_allowed: bool) -> Batch;
}

/// The trajectory, of either model, as the learner reads it: segments rebuilt from its
/// checkpoints.
pub fn segment_source(trajectory: AnyTrajectory) -> Arc<dyn SegmentSource> {
    match trajectory {
        AnyTrajectory::ActiveLattice(t) => Arc::new(t),
        AnyTrajectory::Fa(t) => Arc::new(t),
    }
}

impl<M: Tokenize> SegmentSource for Trajectory<M>
where
    M::Config: Send + Sync,
{
    fn scheme(&self) -> TokenScheme {
        M::scheme(self.size())
    }

    fn num_configs(&self) -> usize {
        Trajectory::num_configs(self)
    }

    fn num_tokens(&self) -> usize {
        self.origin().num_tokens()
    }

    fn total_time(&self) -> f64 {
        Trajectory::total_time(self)
    }

    fn segment(&self, start: usize, len: usize, with_allowed: bool) -> Batch {
        let end = (start + len).min(Trajectory::num_configs(self));
        let mut batch = Batch::empty(
            M::tables(self.size()).len(),
            self.origin().num_tokens(),
            M::MOVES_PER_TOKEN,
        );
        if start >= end {
            return batch;
        }
        let mut replay = self.replay_from(start);
        for (i, &dt) in self.dt()[start..end].iter().enumerate() {
            if i > 0 {
                replay.step();
            }
            let observed = replay.next_jump().map(|j| (j.token, j.mv));
            batch.push(replay.model(), observed, dt, with_allowed);
        }
        batch
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{ActiveLatticeRates, FaRates, ParticleConfig, SiteConfig};

    #[test]
    fn fa_tokens_and_masks() {
        let fa = FredricksonAndersen::new(
            4,
            FaRates { c: 0.3 },
            SiteConfig {
                n: vec![1, 0, 0, 0],
            },
        )
        .unwrap();
        let mut out = vec![Vec::new(), Vec::new()];
        fa.push_features(&mut out);
        assert_eq!(out, vec![vec![1, 0, 0, 0], vec![0, 1, 2, 3]]);
        let allowed: Vec<bool> = (0..4).map(|i| fa.move_allowed(i, 0)).collect();
        assert_eq!(allowed, vec![false, true, false, true]);
        for i in 0..4 {
            assert_eq!(fa.move_allowed(i, 0), fa.rate(i, 0) > 0.0);
        }
    }

    #[test]
    fn split_batches_are_the_batch_in_order() {
        let fa = FredricksonAndersen::new(
            4,
            FaRates { c: 0.3 },
            SiteConfig {
                n: vec![1, 0, 1, 0],
            },
        )
        .unwrap();
        let mut batch = Batch::empty(2, 4, 1);
        for k in 0..7 {
            batch.push(&fa, Some((k as u32 % 4, 0)), 0.5 + k as f64, true);
        }
        let parts = batch.split(3);
        assert_eq!(
            parts.iter().map(Batch::num_configs).collect::<Vec<_>>(),
            vec![3, 2, 2]
        );
        let mut joined = Batch::empty(2, 4, 1);
        for part in &parts {
            joined.extend(part);
        }
        assert_eq!(joined, batch);
        assert_eq!(batch.split(20).len(), 7);
    }

    #[test]
    fn alm_tokens_and_masks() {
        let config = ParticleConfig {
            x: vec![0, 1],
            y: vec![0, 0],
            o: vec![2, 1],
        };
        let alm = ActiveLattice::new(3, ActiveLatticeRates::PAPER, config).unwrap();
        let mut out = vec![Vec::new(), Vec::new(), Vec::new()];
        alm.push_features(&mut out);
        assert_eq!(out, vec![vec![0, 1], vec![0, 0], vec![2, 1]]);
        for t in 0..2 {
            for m in 0..6 {
                assert_eq!(alm.move_allowed(t, m), alm.rate(t, m) > 0.0, "{t} {m}");
            }
        }
        assert!(!alm.move_allowed(0, 2)); // +x of (0,0) is (1,0): occupied
    }
}
