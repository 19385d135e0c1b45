//! Independent replicas advanced together, one batched rate evaluation per step (SPEC 5).

use super::{Integrator, PropagationError, RateSource};
use crate::core::ctmc::RateTable;
use crate::core::learner::Tokenize;
use crate::core::rng::Rng;

/// What one [`Propagation::step`] did, summed over replicas.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepReport {
    /// Moves performed.
    pub jumps: u64,
    /// Chosen moves that were impossible, rejected: the clock advanced, the configuration did not.
    pub rejected: u64,
}

/// One replica's clock, generator, counts and rate table (its configuration lives beside it).
#[derive(Debug, Clone)]
struct Replica {
    rng: Rng,
    time: f64,
    jumps: u64,
    rejected: u64,
    table: RateTable,
}

/// `R` independent runs of one model from time 0 to T, driven by rates from a [`RateSource`].
///
/// Each step asks the source once for the rates of every unfinished replica's configuration,
/// then runs every such replica through one leap of the chosen [`Integrator`]:
///
/// ```text
/// dt ~ Exp(R(C)),  R(C) = sum over tokens t and moves m of W_tm(C)
/// (t, m) chosen with probability W_tm(C) / R(C)
/// if (t, m) is possible: C -> C'     else: rejected, C stays
/// ```
///
/// [`Integrator::Exact`] stops each leap after one jump, so rates are re-evaluated after every
/// jump; a rejected move leaves the configuration, hence every rate, as it was, so the leap goes
/// on with the same table instead of asking the network again. [`Integrator::TauLeap`] keeps the
/// rates for a time tau, and a token touched by an earlier move of the same leap (its rates are
/// stale) cannot move again in that leap.
#[derive(Debug, Clone)]
pub struct Propagation<M: Tokenize> {
    models: Vec<M>,
    replicas: Vec<Replica>,
    integrator: Integrator,
    t_end: f64,
    touched: Vec<u32>,
}

impl<M: Tokenize> Propagation<M> {
    /// Replicas starting at time 0 in `models`' configurations, each with its own generator.
    pub fn new(
        models: Vec<M>,
        rngs: Vec<Rng>,
        integrator: Integrator,
        t_end: f64,
    ) -> Result<Self, PropagationError> {
        integrator.validate()?;
        if !(t_end.is_finite() && t_end > 0.0) {
            return Err(PropagationError::Setting(format!(
                "T = {t_end} must be a finite time above 0"
            )));
        }
        if models.is_empty() || models.len() != rngs.len() {
            return Err(PropagationError::Setting(format!(
                "{} replicas need as many generators, got {}",
                models.len(),
                rngs.len()
            )));
        }
        let tokens = models[0].num_tokens();
        if models.iter().any(|m| m.num_tokens() != tokens) {
            return Err(PropagationError::Setting(
                "every replica must have the same number of tokens".into(),
            ));
        }
        let replicas = rngs
            .into_iter()
            .map(|rng| Replica {
                rng,
                time: 0.0,
                jumps: 0,
                rejected: 0,
                table: RateTable::new(tokens, M::MOVES_PER_TOKEN),
            })
            .collect();
        Ok(Self {
            models,
            replicas,
            integrator,
            t_end,
            touched: Vec::with_capacity(16),
        })
    }

    /// The replicas' current configurations.
    pub fn models(&self) -> &[M] {
        &self.models
    }

    /// The total time T every replica runs to.
    pub fn t_end(&self) -> f64 {
        self.t_end
    }

    /// The integrator in use.
    pub fn integrator(&self) -> Integrator {
        self.integrator
    }

    /// The time every replica has reached (the smallest replica clock).
    pub fn time(&self) -> f64 {
        self.replicas
            .iter()
            .map(|r| r.time)
            .fold(f64::INFINITY, f64::min)
    }

    /// True once every replica has reached T.
    pub fn finished(&self) -> bool {
        self.replicas.iter().all(|r| r.time >= self.t_end)
    }

    /// Moves performed, summed over replicas.
    pub fn jumps(&self) -> u64 {
        self.replicas.iter().map(|r| r.jumps).sum()
    }

    /// Rejected (impossible) moves chosen, summed over replicas.
    pub fn rejected(&self) -> u64 {
        self.replicas.iter().map(|r| r.rejected).sum()
    }

    /// Advances every unfinished replica by one leap, with one call to `source` for all of them.
    ///
    /// `observe(r, model, until)` is called whenever replica `r`'s configuration `model` is known
    /// to hold up to time `until` (before each of its moves and at the end of each leap), so a
    /// sampler can take the snapshots falling in between.
    pub async fn step(
        &mut self,
        source: &RateSource,
        observe: &mut impl FnMut(usize, &M, f64),
    ) -> Result<StepReport, PropagationError> {
        let active: Vec<usize> = (0..self.replicas.len())
            .filter(|&r| self.replicas[r].time < self.t_end)
            .collect();
        if active.is_empty() {
            return Ok(StepReport::default());
        }
        let rates = if active.len() == self.models.len() {
            source.rates(&self.models).await?
        } else {
            let subset: Vec<M> = active.iter().map(|&r| self.models[r].clone()).collect();
            source.rates(&subset).await?
        };
        let per_model = self.models[0].num_tokens() * M::MOVES_PER_TOKEN;
        if rates.len() != per_model * active.len() {
            return Err(PropagationError::Rates(format!(
                "the rate source gave {} rates for {} configurations of {per_model}",
                rates.len(),
                active.len()
            )));
        }
        let mut report = StepReport::default();
        for (k, &r) in active.iter().enumerate() {
            let replica = &mut self.replicas[r];
            replica
                .table
                .set_all(&rates[k * per_model..(k + 1) * per_model]);
            let (jumps, rejected) = leap(
                replica,
                &mut self.models[r],
                self.integrator,
                self.t_end,
                &mut self.touched,
                &mut |model, until| observe(r, model, until),
            );
            report.jumps += jumps;
            report.rejected += rejected;
        }
        Ok(report)
    }
}

/// One leap of one replica with its rate table frozen; returns (jumps, rejected).
fn leap<M: Tokenize>(
    replica: &mut Replica,
    model: &mut M,
    integrator: Integrator,
    t_end: f64,
    touched: &mut Vec<u32>,
    observe: &mut impl FnMut(&M, f64),
) -> (u64, u64) {
    let (leap_end, max_jumps) = match integrator {
        Integrator::Exact => (t_end, 1),
        Integrator::TauLeap { tau } => ((replica.time + tau).min(t_end), u64::MAX),
    };
    let (mut jumps, mut rejected) = (0, 0);
    while jumps < max_jumps {
        let total = replica.table.total();
        let next = if total > 0.0 {
            replica.time + replica.rng.exponential(total)
        } else {
            f64::INFINITY
        };
        if next > leap_end {
            observe(model, leap_end);
            replica.time = leap_end;
            break;
        }
        observe(model, next);
        replica.time = next;
        let Some((token, mv)) = replica.table.select(replica.rng.uniform()) else {
            break;
        };
        if model.move_allowed(token, mv) {
            touched.clear();
            model.apply(token, mv, touched);
            for &t in touched.iter() {
                replica.table.update_token(t as usize, |row| row.fill(0.0));
            }
            jumps += 1;
        } else {
            rejected += 1;
        }
    }
    replica.jumps += jumps;
    replica.rejected += rejected;
    (jumps, rejected)
}
