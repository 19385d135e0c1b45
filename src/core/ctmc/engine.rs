//! The Gillespie loop: wait dt ~ Exp(R(C)), choose a move with probability rate / R(C), apply it.
//!
//! The waiting time to the next jump is drawn right after each jump (and once at the start), so
//! the sequence of random draws, hence the trajectory, does not depend on how a caller slices
//! the run into [`Engine::advance`] calls (e.g. animation frames).

use super::Selector;
use crate::core::model::Dynamics;
use crate::core::rng::Rng;
use crate::core::trajectory::{Jump, Trajectory};

/// What one [`Engine::advance`] call did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Jumps performed in this call.
    pub events: u64,
    /// True if the clock reached the requested time (false: stopped by the event budget).
    pub reached: bool,
}

/// Path log-likelihood and, optionally, the trajectory, accumulated from a start time on.
#[derive(Debug, Clone)]
struct Observation<M: Dynamics> {
    start: f64,
    /// Time from which the current configuration's exposure still has to be counted.
    mark: f64,
    /// sum ln W(C_k -> C_k+1) - sum dt_k R(C_k) over the finished configurations.
    log_likelihood: f64,
    trajectory: Option<Trajectory<M>>,
}

/// An exact CTMC run of a model from one seeded generator, selecting moves with `S` (by default
/// the model's own [`Dynamics::Selector`]).
#[derive(Debug, Clone)]
pub struct Engine<M: Dynamics, S: Selector<Model = M> = <M as Dynamics>::Selector> {
    state: S,
    rng: Rng,
    time: f64,
    last_jump_time: f64,
    /// Waiting time from `last_jump_time` to the next jump (infinite if R = 0).
    wait: f64,
    events: u64,
    observation: Option<Observation<M>>,
}

impl<M: Dynamics> Engine<M> {
    /// A run starting at time 0 from `model`'s configuration; every later draw comes from `rng`
    /// (pass the generator that drew the initial configuration to keep one stream per seed).
    pub fn new(model: M, rng: Rng) -> Self {
        Self::with_selector(model, rng)
    }
}

impl<M: Dynamics, S: Selector<Model = M>> Engine<M, S> {
    /// Like [`Engine::new`], selecting moves with `S` instead of the model's default selector
    /// (e.g. [`RatedModel`](super::RatedModel) to check a specialised selector against).
    pub fn with_selector(model: M, mut rng: Rng) -> Self {
        let state = S::new(model);
        let wait = draw_wait(&mut rng, state.total_rate());
        Self {
            state,
            rng,
            time: 0.0,
            last_jump_time: 0.0,
            wait,
            events: 0,
            observation: None,
        }
    }

    /// The model in its current configuration.
    pub fn model(&self) -> &M {
        self.state.model()
    }

    /// The model with its current rates and selection bookkeeping.
    pub fn rated(&self) -> &S {
        &self.state
    }

    /// The current time.
    pub fn time(&self) -> f64 {
        self.time
    }

    /// Jumps performed since the start.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// R(C) of the current configuration.
    pub fn total_rate(&self) -> f64 {
        self.state.total_rate()
    }

    /// Starts (or restarts) observing at the current time: the path log-likelihood under the
    /// model's rates from now on, and the trajectory too if `record` (initial configuration =
    /// the current one, checkpoints every [`crate::core::trajectory::CHECKPOINT_INTERVAL`] jumps).
    pub fn observe(&mut self, record: bool) {
        self.observation = Some(Observation {
            start: self.time,
            mark: self.time,
            log_likelihood: 0.0,
            trajectory: record.then(|| Trajectory::begin(self.state.model())),
        });
    }

    /// U of the observed path so far (SPEC Eq. 1), including the time spent in the current
    /// configuration up to now; `None` if not observing.
    pub fn log_likelihood(&self) -> Option<f64> {
        let obs = self.observation.as_ref()?;
        Some(obs.log_likelihood - self.state.total_rate() * (self.time - obs.mark))
    }

    /// Length of the observed time window so far; `None` if not observing.
    pub fn observed_time(&self) -> Option<f64> {
        self.observation.as_ref().map(|o| self.time - o.start)
    }

    /// Jumps recorded so far; `None` if no trajectory is being recorded.
    pub fn recorded_jumps(&self) -> Option<usize> {
        self.observation
            .as_ref()?
            .trajectory
            .as_ref()
            .map(|t| t.num_jumps())
    }

    /// Ends observation and returns the recorded trajectory, closed at the current time (its last
    /// dt is the time spent in the current configuration).
    pub fn take_trajectory(&mut self) -> Option<Trajectory<M>> {
        let obs = self.observation.take()?;
        let mut trajectory = obs.trajectory?;
        trajectory.close(self.time - obs.mark, self.time - obs.start);
        Some(trajectory)
    }

    /// Runs until time `until` or until `max_events` jumps were made, whichever comes first.
    /// The clock ends at `until` if reached, otherwise at the last jump.
    pub fn advance(&mut self, until: f64, max_events: u64) -> Progress {
        let events = if self.observation.is_some() {
            self.run::<true>(until, max_events)
        } else {
            self.run::<false>(until, max_events)
        };
        let reached = self.last_jump_time + self.wait > until;
        let clock = if reached { until } else { self.last_jump_time };
        self.time = self.time.max(clock);
        Progress { events, reached }
    }

    /// Runs to time `until` with no event budget.
    pub fn advance_to(&mut self, until: f64) -> u64 {
        self.advance(until, u64::MAX).events
    }

    #[inline(always)]
    fn run<const OBSERVE: bool>(&mut self, until: f64, max_events: u64) -> u64 {
        let mut done = 0;
        while done < max_events {
            let jump_time = self.last_jump_time + self.wait;
            if jump_time > until {
                break;
            }
            let Some((token, mv)) = self.state.select(self.rng.uniform()) else {
                break;
            };
            if OBSERVE {
                self.observe_jump(token, mv, jump_time);
            } else {
                self.state.apply(token, mv);
            }
            self.last_jump_time = jump_time;
            self.time = jump_time;
            self.wait = draw_wait(&mut self.rng, self.state.total_rate());
            done += 1;
        }
        self.events += done;
        done
    }

    fn observe_jump(&mut self, token: usize, mv: usize, jump_time: f64) {
        let rate = self.state.rate(token, mv);
        let total = self.state.total_rate();
        let obs = self.observation.as_mut().expect("observing");
        // The drawn wait is the exact dt unless observation began between two jumps.
        let dt = if obs.mark == self.last_jump_time {
            self.wait
        } else {
            jump_time - obs.mark
        };
        obs.log_likelihood += libm::log(rate) - total * dt;
        obs.mark = jump_time;
        self.state.apply(token, mv);
        if let Some(trajectory) = obs.trajectory.as_mut() {
            let jump = Jump {
                token: token as u32,
                mv: mv as u8,
            };
            trajectory.push(jump, dt, self.state.model());
        }
    }
}

#[inline]
fn draw_wait(rng: &mut Rng, total: f64) -> f64 {
    if total > 0.0 {
        rng.exponential(total)
    } else {
        f64::INFINITY
    }
}
