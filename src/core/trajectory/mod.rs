//! Trajectories omega = C_0 -(dt_0)-> C_1 -(dt_1)-> ... C_K -(dt_K)-> (SPEC section 3).
//!
//! Stored as the initial configuration plus, per jump, the token (u32) and move (u8) as
//! struct-of-arrays, and K + 1 waiting times (f64): 13 bytes per jump. A full configuration is
//! kept every [`CHECKPOINT_INTERVAL`] jumps so any configuration is rebuilt by replaying at most
//! that many jumps ([`Replay`]).

mod error;
mod file;
mod replay;

pub use error::TrajectoryError;
pub use file::{AnyTrajectory, FORMAT, VERSION};
pub use replay::Replay;

use crate::core::model::{Dynamics, ModelError};

/// Jumps between two stored full configurations.
pub const CHECKPOINT_INTERVAL: usize = 4096;

/// Relative tolerance on sum(dt) = T.
pub const SUM_TOLERANCE: f64 = 1e-9;

/// One jump: which token made which of its candidate moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Jump {
    pub token: u32,
    pub mv: u8,
}

/// A recorded or loaded trajectory of a model, always valid: every jump is possible in the
/// configuration it leaves, and there are K + 1 non-negative waiting times.
#[derive(Debug, Clone)]
pub struct Trajectory<M: Dynamics> {
    /// The model in C_0, with the true rates if known, else [`Dynamics::placeholder_rates`].
    origin: M,
    rates_known: bool,
    total_time: f64,
    tokens: Vec<u32>,
    moves: Vec<u8>,
    /// K + 1 entries; the last is the time spent in C_K.
    dt: Vec<f64>,
    /// `checkpoints[j]` is C_{(j + 1) * CHECKPOINT_INTERVAL}.
    checkpoints: Vec<M::Config>,
}

impl<M: Dynamics> Trajectory<M> {
    /// An empty recording starting from `model`'s configuration, with its (known) rates.
    pub(crate) fn begin(model: &M) -> Self {
        Self {
            origin: model.clone(),
            rates_known: true,
            total_time: 0.0,
            tokens: Vec::new(),
            moves: Vec::new(),
            dt: vec![0.0],
            checkpoints: Vec::new(),
        }
    }

    /// Appends a jump that left the last configuration after `dt`; `after` is the model in the
    /// configuration the jump led to.
    pub(crate) fn push(&mut self, jump: Jump, dt: f64, after: &M) {
        self.tokens.push(jump.token);
        self.moves.push(jump.mv);
        *self.dt.last_mut().expect("dt is never empty") = dt;
        self.dt.push(0.0);
        if self.tokens.len().is_multiple_of(CHECKPOINT_INTERVAL) {
            self.checkpoints.push(after.config().clone());
        }
    }

    /// Sets the time spent in the final configuration and the total duration T.
    pub(crate) fn close(&mut self, final_dt: f64, total_time: f64) {
        *self.dt.last_mut().expect("dt is never empty") = final_dt;
        self.total_time = total_time;
    }

    /// A trajectory from its parts, after checking every rule of SPEC section 7: L and rates in
    /// range (`rates: None` means unknown), a valid initial configuration, K tokens and moves and
    /// K + 1 finite non-negative dt adding up to `total_time` within 1e-9 relative, and every
    /// jump possible in the configuration it leaves (checked by replay).
    pub fn from_parts(
        size: usize,
        rates: Option<M::Rates>,
        initial: M::Config,
        tokens: Vec<u32>,
        moves: Vec<u8>,
        dt: Vec<f64>,
        total_time: f64,
    ) -> Result<Self, TrajectoryError> {
        let origin = M::new(size, rates.unwrap_or_else(M::placeholder_rates), initial).map_err(
            |e| match e {
                ModelError::Config(msg) => TrajectoryError::Initial(msg),
                other => TrajectoryError::Model(other.to_string()),
            },
        )?;
        if moves.len() != tokens.len() {
            return Err(TrajectoryError::Lengths(format!(
                "jumps.move has {} entries but jumps.token has {}",
                moves.len(),
                tokens.len()
            )));
        }
        if dt.len() != tokens.len() + 1 {
            return Err(TrajectoryError::Lengths(format!(
                "dt has {} entries but there are {} jumps (expected {})",
                dt.len(),
                tokens.len(),
                tokens.len() + 1
            )));
        }
        if !(total_time.is_finite() && total_time > 0.0) {
            return Err(TrajectoryError::TotalTime(total_time));
        }
        check_waiting_times(&dt, total_time)?;
        let mut trajectory = Self {
            origin,
            rates_known: rates.is_some(),
            total_time,
            tokens,
            moves,
            dt,
            checkpoints: Vec::new(),
        };
        trajectory.check_jumps_and_checkpoint()?;
        Ok(trajectory)
    }

    fn check_jumps_and_checkpoint(&mut self) -> Result<(), TrajectoryError> {
        let mut model = self.origin.clone();
        let mut touched = Vec::with_capacity(16);
        for (index, (&token, &mv)) in self.tokens.iter().zip(&self.moves).enumerate() {
            model
                .check_move(token as usize, mv as usize)
                .map_err(|reason| TrajectoryError::Jump { index, reason })?;
            touched.clear();
            model.apply(token as usize, mv as usize, &mut touched);
            if (index + 1).is_multiple_of(CHECKPOINT_INTERVAL) {
                self.checkpoints.push(model.config().clone());
            }
        }
        Ok(())
    }

    /// K: the number of jumps.
    pub fn num_jumps(&self) -> usize {
        self.tokens.len()
    }

    /// K + 1: the number of configurations C_0 ..= C_K.
    pub fn num_configs(&self) -> usize {
        self.tokens.len() + 1
    }

    /// T: the total duration.
    pub fn total_time(&self) -> f64 {
        self.total_time
    }

    /// The linear size L.
    pub fn size(&self) -> usize {
        self.origin.size()
    }

    /// The true rates, if known.
    pub fn rates(&self) -> Option<M::Rates> {
        self.rates_known.then(|| self.origin.rates())
    }

    /// C_0.
    pub fn initial(&self) -> &M::Config {
        self.origin.config()
    }

    /// The model in C_0 (with placeholder rates if the true ones are unknown).
    pub fn origin(&self) -> &M {
        &self.origin
    }

    /// Token of every jump.
    pub fn tokens(&self) -> &[u32] {
        &self.tokens
    }

    /// Move index of every jump.
    pub fn moves(&self) -> &[u8] {
        &self.moves
    }

    /// The K + 1 waiting times; `dt[k]` is the time spent in C_k.
    pub fn dt(&self) -> &[f64] {
        &self.dt
    }

    /// Jump k, leading from C_k to C_{k+1}.
    pub fn jump(&self, k: usize) -> Jump {
        Jump {
            token: self.tokens[k],
            mv: self.moves[k],
        }
    }

    /// The stored bytes per jump: jumps, waiting times and checkpoints, initial configuration
    /// excluded.
    pub fn bytes_per_jump(&self) -> f64 {
        let per_jump = size_of::<u32>() + size_of::<u8>() + size_of::<f64>();
        let checkpoint = self.origin.config_bytes();
        let total = per_jump * self.num_jumps() + checkpoint * self.checkpoints.len();
        total as f64 / self.num_jumps().max(1) as f64
    }

    /// The configuration nearest below C_k that is stored, and its index.
    fn checkpoint_before(&self, k: usize) -> (usize, &M::Config) {
        match k / CHECKPOINT_INTERVAL {
            0 => (0, self.origin.config()),
            j => (j * CHECKPOINT_INTERVAL, &self.checkpoints[j - 1]),
        }
    }

    /// A replay cursor at C_k, rebuilt from the nearest checkpoint.
    ///
    /// # Panics
    /// If `k > K`.
    pub fn replay_from(&self, k: usize) -> Replay<'_, M> {
        assert!(k <= self.num_jumps(), "configuration {k} beyond C_K");
        Replay::new(self, k)
    }

    /// C_k.
    pub fn config_at(&self, k: usize) -> M::Config {
        self.replay_from(k).model().config().clone()
    }

    /// The configurations C_k0, ..., C_{k1-1}, rebuilt by replay.
    pub fn configs(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = M::Config> + '_ {
        let mut replay = self.replay_from(range.start.min(self.num_jumps()));
        let count = range
            .end
            .min(self.num_configs())
            .saturating_sub(range.start);
        (0..count).map(move |i| {
            if i > 0 {
                replay.step();
            }
            replay.model().config().clone()
        })
    }
}

fn check_waiting_times(dt: &[f64], total_time: f64) -> Result<(), TrajectoryError> {
    for (index, &value) in dt.iter().enumerate() {
        let problem = if !value.is_finite() {
            "not finite"
        } else if value < 0.0 {
            "negative"
        } else {
            continue;
        };
        return Err(TrajectoryError::Dt {
            index,
            value,
            problem,
        });
    }
    let sum: f64 = dt.iter().sum();
    let relative = (sum - total_time).abs() / total_time;
    if relative > SUM_TOLERANCE {
        return Err(TrajectoryError::Sum {
            sum,
            total: total_time,
            relative,
        });
    }
    Ok(())
}
