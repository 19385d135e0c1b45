//! Replicas of the active-lattice model at one density, run by the true dynamics or by a learned
//! one, with the observables of SPEC 6 sampled in each: one point of the paper's Fig. 4.

use super::summary::{EnsembleSettings, EnsembleSummary, Estimate, SAMPLE_INTERVAL, replica_rng};
use super::{Propagation, PropagationError, RateSource};
use crate::core::ctmc::Engine;
use crate::core::model::ActiveLattice;
use crate::core::observables::{ObservableSummary, Sampler, Snapshot};

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
