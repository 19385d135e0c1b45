//! Replicas of the active-lattice model at one density, run by the true dynamics or by a learned
//! one, with the observables of SPEC 6 sampled in each: one point of the paper's Fig. 4.

use super::{Integrator, Propagation, PropagationError, RateSource};
use crate::core::ctmc::Engine;
use crate::core::model::{ActiveLattice, ActiveLatticeSpec};
use crate::core::observables::{Observable, ObservableSummary, Sampler, Snapshot};
use crate::core::rng::Rng;
use serde::{Deserialize, Serialize};

/// Time between two observable snapshots, as in a simulation run.
pub use crate::core::simulation::SAMPLE_INTERVAL;

/// What an ensemble runs and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EnsembleSettings {
    /// The model at the density to run (the rate constants matter only for the true dynamics).
    pub spec: ActiveLatticeSpec,
    /// Total time T of every replica.
    pub t_end: f64,
    /// Time before the first snapshot.
    pub burn_in: f64,
    /// Number of independent replicas.
    pub replicas: usize,
    /// Replica r starts from, and draws from, [`replica_rng`]`(seed, r)`.
    pub seed: u64,
    /// How learned dynamics is integrated (the true dynamics always runs the exact engine).
    pub integrator: Integrator,
}

impl EnsembleSettings {
    /// The largest number of replicas an ensemble may have.
    pub const MAX_REPLICAS: usize = 256;

    /// Checks every setting's range.
    pub fn validate(&self) -> Result<(), PropagationError> {
        self.spec.validate()?;
        if !(self.t_end.is_finite() && self.t_end > 0.0) {
            return Err(PropagationError::Setting(format!(
                "T = {} must be a finite time above 0",
                self.t_end
            )));
        }
        if !(self.burn_in.is_finite() && (0.0..self.t_end).contains(&self.burn_in)) {
            return Err(PropagationError::Setting(format!(
                "the burn-in {} must be at least 0 and below T = {}",
                self.burn_in, self.t_end
            )));
        }
        if !(1..=Self::MAX_REPLICAS).contains(&self.replicas) {
            return Err(PropagationError::Setting(format!(
                "{} replicas: choose from 1 to {}",
                self.replicas,
                Self::MAX_REPLICAS
            )));
        }
        self.integrator.validate()
    }
}

/// The generator of replica `r` of a run seeded `seed`: it draws the initial configuration, then
/// the dynamics. The true and the learned ensemble of one seed start from the same configurations.
pub fn replica_rng(seed: u64, r: usize) -> Rng {
    Rng::new(seed ^ (r as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// A mean over replicas and its standard error (0 with one replica).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub mean: f64,
    pub sem: f64,
}

impl Estimate {
    /// Mean and standard error sd / sqrt(n) of `values` (sample sd, n - 1).
    pub fn of(values: &[f64]) -> Self {
        let n = values.len();
        if n == 0 {
            return Self {
                mean: 0.0,
                sem: 0.0,
            };
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let sem = if n < 2 {
            0.0
        } else {
            let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            (var / n as f64).sqrt()
        };
        Self { mean, sem }
    }
}

/// The observables of an ensemble: each replica's time averages, then mean ± standard error
/// over replicas (SPEC 6).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EnsembleSummary {
    pub phi: f64,
    pub replicas: usize,
    /// Snapshots per replica.
    pub snapshots: usize,
    pub f4: Estimate,
    pub var_f4: Estimate,
    pub n_var_f4: Estimate,
    pub n_c: Estimate,
    pub mean_s: Estimate,
    pub largest: Estimate,
    /// Moves performed, summed over replicas.
    pub jumps: u64,
    /// Impossible moves chosen and rejected (learned dynamics only).
    pub rejected: u64,
}

impl EnsembleSummary {
    /// Mean ± standard error over replicas of one observable's time average.
    pub fn estimate(&self, observable: Observable) -> Estimate {
        match observable {
            Observable::F4 => self.f4,
            Observable::VarF4 => self.var_f4,
            Observable::NVarF4 => self.n_var_f4,
            Observable::Clusters => self.n_c,
            Observable::MeanSize => self.mean_s,
            Observable::Largest => self.largest,
        }
    }
}

enum Runner {
    True(Vec<Engine<ActiveLattice>>),
    Learned {
        propagation: Propagation<ActiveLattice>,
        source: RateSource,
    },
}

/// Replicas at one density with a sampler each, advanced in slices.
pub struct Ensemble {
    settings: EnsembleSettings,
    runner: Runner,
    samplers: Vec<Sampler>,
}

impl Ensemble {
    /// Builds the replicas' initial configurations; `source` chooses the dynamics (the true one
    /// runs the exact engine of the CTMC core).
    pub fn new(settings: EnsembleSettings, source: RateSource) -> Result<Self, PropagationError> {
        settings.validate()?;
        let mut models = Vec::with_capacity(settings.replicas);
        let mut rngs = Vec::with_capacity(settings.replicas);
        for r in 0..settings.replicas {
            let mut rng = replica_rng(settings.seed, r);
            models.push(settings.spec.build(&mut rng)?);
            rngs.push(rng);
        }
        let runner = match source {
            RateSource::True => Runner::True(
                models
                    .into_iter()
                    .zip(rngs)
                    .map(|(m, rng)| Engine::new(m, rng))
                    .collect(),
            ),
            RateSource::Learned(ref learned) => {
                let scheme =
                    <ActiveLattice as crate::core::learner::Tokenize>::scheme(settings.spec.l);
                learned.check_scheme(&scheme)?;
                Runner::Learned {
                    propagation: Propagation::new(
                        models,
                        rngs,
                        settings.integrator,
                        settings.t_end,
                    )?,
                    source,
                }
            }
        };
        let samplers = (0..settings.replicas)
            .map(|_| Sampler::new(settings.burn_in, SAMPLE_INTERVAL))
            .collect();
        Ok(Self {
            settings,
            runner,
            samplers,
        })
    }

    /// The settings it runs with.
    pub fn settings(&self) -> &EnsembleSettings {
        &self.settings
    }

    /// "true" or "learned".
    pub fn label(&self) -> &'static str {
        match self.runner {
            Runner::True(_) => "true",
            Runner::Learned { .. } => "learned",
        }
    }

    /// The time every replica has reached.
    pub fn time(&self) -> f64 {
        match &self.runner {
            Runner::True(engines) => engines
                .iter()
                .map(|e| e.time())
                .fold(f64::INFINITY, f64::min),
            Runner::Learned { propagation, .. } => propagation.time(),
        }
    }

    /// True once every replica has reached T.
    pub fn finished(&self) -> bool {
        self.time() >= self.settings.t_end
    }

    /// Moves performed, summed over replicas.
    pub fn jumps(&self) -> u64 {
        match &self.runner {
            Runner::True(engines) => engines.iter().map(|e| e.events()).sum(),
            Runner::Learned { propagation, .. } => propagation.jumps(),
        }
    }

    /// Impossible moves chosen and rejected, summed over replicas.
    pub fn rejected(&self) -> u64 {
        match &self.runner {
            Runner::True(_) => 0,
            Runner::Learned { propagation, .. } => propagation.rejected(),
        }
    }

    /// Replica `r`'s current configuration.
    pub fn model(&self, r: usize) -> Option<&ActiveLattice> {
        match &self.runner {
            Runner::True(engines) => engines.get(r).map(|e| e.model()),
            Runner::Learned { propagation, .. } => propagation.models().get(r),
        }
    }

    /// Replica `r`'s latest snapshot, if one was taken.
    pub fn latest_snapshot(&self, r: usize) -> Option<Snapshot> {
        self.samplers.get(r).and_then(|s| s.last())
    }

    /// Advances towards time `until` (at most T). The true dynamics gets there in one call; the
    /// learned dynamics stops after `max_steps` network calls, so a caller can yield in between.
    pub async fn advance(&mut self, until: f64, max_steps: usize) -> Result<(), PropagationError> {
        let until = until.min(self.settings.t_end);
        match &mut self.runner {
            Runner::True(engines) => {
                for (engine, sampler) in engines.iter_mut().zip(&mut self.samplers) {
                    sampler.run(engine, until);
                }
            }
            Runner::Learned {
                propagation,
                source,
            } => {
                let samplers = &mut self.samplers;
                let mut observe = |r: usize, model: &ActiveLattice, t: f64| {
                    samplers[r].record_until(model, t);
                };
                for _ in 0..max_steps {
                    if propagation.time() >= until {
                        break;
                    }
                    propagation.step(source, &mut observe).await?;
                }
            }
        }
        Ok(())
    }

    /// Mean ± standard error over replicas of each replica's time averages.
    pub fn summary(&self) -> EnsembleSummary {
        let per: Vec<ObservableSummary> = self.samplers.iter().map(|s| s.summary()).collect();
        let take =
            |f: fn(&ObservableSummary) -> f64| Estimate::of(&per.iter().map(f).collect::<Vec<_>>());
        EnsembleSummary {
            phi: self.settings.spec.phi,
            replicas: self.settings.replicas,
            snapshots: per.iter().map(|s| s.snapshots).min().unwrap_or(0),
            f4: take(|s| s.f4),
            var_f4: take(|s| s.var_f4),
            n_var_f4: take(|s| s.n_var_f4),
            n_c: take(|s| s.n_c),
            mean_s: take(|s| s.mean_s),
            largest: take(|s| s.largest),
            jumps: self.jumps(),
            rejected: self.rejected(),
        }
    }
}
