//! A simulation run as a user starts it: a model from its parameters and seed, recorded from
//! t = 0 to T, advanced in slices (one per animation frame), with the observables of SPEC 6
//! sampled every unit of time after the burn-in.

use crate::core::ctmc::AnyEngine;
use crate::core::model::{
    ActiveLattice, ActiveLatticeSpec, Dynamics as _, FaSpec, ModelError, ModelSpec, ParticleConfig,
    SiteConfig,
};
use crate::core::observables::{ObservableSummary, Sampler, Snapshot};
use crate::core::trajectory::AnyTrajectory;
use serde::{Deserialize, Serialize};

/// Time between two observable snapshots.
pub const SAMPLE_INTERVAL: f64 = 1.0;

/// What to simulate: the model with its parameters, the duration, the burn-in and the seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulationSettings {
    pub model: ModelSpec,
    /// Total simulated time T.
    pub t: f64,
    /// Time before observables are sampled.
    pub burn_in: f64,
    pub seed: u64,
}

/// The most jumps a recorded trajectory may be expected to hold: about 130 MB in memory and
/// 250 MB as a file, 17 times the paper preset's T = 500 trajectory.
pub const MAX_RECORDED_JUMPS: f64 = 1.0e7;

/// The longest T whose recording of `spec` stays within [`MAX_RECORDED_JUMPS`] at the model's
/// largest total rate.
pub fn max_recorded_time(spec: &ModelSpec) -> f64 {
    MAX_RECORDED_JUMPS / spec.max_total_rate().max(f64::MIN_POSITIVE)
}

/// Refuses, before anything is allocated, a recording of `spec` over `t` that could hold more
/// than [`MAX_RECORDED_JUMPS`] jumps.
pub fn check_recording(spec: &ModelSpec, t: f64) -> Result<(), ModelError> {
    let jumps = spec.max_total_rate() * t;
    // The relative slack lets T = max_recorded_time(spec) itself pass despite rounding.
    if jumps <= MAX_RECORDED_JUMPS * (1.0 + 1e-12) {
        Ok(())
    } else {
        Err(ModelError::TooManyJumps {
            t,
            jumps,
            limit: MAX_RECORDED_JUMPS,
            max_t: max_recorded_time(spec),
        })
    }
}

/// The current configuration, in the form a view draws it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum ConfigView {
    /// Active-lattice particles on an L x L lattice.
    Particles { l: usize, particles: ParticleConfig },
    /// FA sites on a ring.
    Sites { sites: SiteConfig },
}

impl ConfigView {
    /// The view of an active-lattice model's current configuration.
    pub fn of_particles(model: &ActiveLattice) -> Self {
        ConfigView::Particles {
            l: model.size(),
            particles: model.config().clone(),
        }
    }
}

/// A recording simulation of total time T.
#[derive(Debug)]
pub struct SimulationRun {
    engine: AnyEngine,
    sampler: Option<Sampler>,
    t_end: f64,
}

impl SimulationRun {
    /// Builds the model from `spec` and `seed` and starts recording at t = 0.
    pub fn new(spec: &ModelSpec, t_end: f64, burn_in: f64, seed: u64) -> Result<Self, ModelError> {
        Self::start(spec, t_end, burn_in, seed, true)
    }

    /// The same run without recording its trajectory (U and the observables only): no limit on
    /// the number of jumps, no memory that grows with them (benchmarks, long runs).
    pub fn unrecorded(
        spec: &ModelSpec,
        t_end: f64,
        burn_in: f64,
        seed: u64,
    ) -> Result<Self, ModelError> {
        Self::start(spec, t_end, burn_in, seed, false)
    }

    fn start(
        spec: &ModelSpec,
        t_end: f64,
        burn_in: f64,
        seed: u64,
        record: bool,
    ) -> Result<Self, ModelError> {
        if !(t_end.is_finite() && t_end > 0.0) {
            return Err(ModelError::OutOfRange {
                name: "T",
                value: t_end,
                expected: "a finite time above 0",
            });
        }
        spec.validate()?;
        if record {
            check_recording(spec, t_end)?;
        }
        let mut engine = AnyEngine::from_spec(spec, seed)?;
        engine.observe(record);
        let sampler = matches!(engine, AnyEngine::ActiveLattice(_))
            .then(|| Sampler::new(burn_in, SAMPLE_INTERVAL));
        Ok(Self {
            engine,
            sampler,
            t_end,
        })
    }

    /// Runs to `until` (at most T), taking the snapshots that fall in between; returns the jumps made.
    pub fn advance(&mut self, until: f64) -> u64 {
        let until = until.min(self.t_end);
        let before = self.engine.events();
        match (&mut self.engine, &mut self.sampler) {
            (AnyEngine::ActiveLattice(engine), Some(sampler)) => sampler.run(engine, until),
            (engine, _) => {
                engine.advance(until, u64::MAX);
            }
        }
        self.engine.events() - before
    }

    /// The simulated time reached.
    pub fn time(&self) -> f64 {
        self.engine.time()
    }

    /// T.
    pub fn total_time(&self) -> f64 {
        self.t_end
    }

    /// Jumps so far.
    pub fn events(&self) -> u64 {
        self.engine.events()
    }

    /// Whether the run has reached T.
    pub fn finished(&self) -> bool {
        self.engine.time() >= self.t_end
    }

    /// The current configuration.
    pub fn view(&self) -> ConfigView {
        match &self.engine {
            AnyEngine::ActiveLattice(e) => ConfigView::of_particles(e.model()),
            AnyEngine::Fa(e) => ConfigView::Sites {
                sites: e.model().config().clone(),
            },
        }
    }

    /// The latest observable snapshot (active lattice, after the burn-in).
    pub fn latest_observables(&self) -> Option<Snapshot> {
        self.sampler.as_ref().and_then(Sampler::last)
    }

    /// Time averages of the observables so far (active lattice).
    pub fn observable_summary(&self) -> Option<ObservableSummary> {
        self.sampler
            .as_ref()
            .filter(|s| s.last().is_some())
            .map(Sampler::summary)
    }

    /// Tokens of the model: particles (active lattice) or sites (FA).
    pub fn num_tokens(&self) -> usize {
        self.engine.num_tokens()
    }

    /// U of the path so far under the true rates.
    pub fn log_likelihood(&self) -> Option<f64> {
        self.engine.log_likelihood()
    }

    /// U/T of the path so far under the true rates.
    pub fn log_likelihood_per_time(&self) -> Option<f64> {
        let t = self.engine.time();
        self.engine
            .log_likelihood()
            .filter(|_| t > 0.0)
            .map(|u| u / t)
    }

    /// Ends the run and hands over the recorded trajectory.
    pub fn into_trajectory(mut self) -> Option<AnyTrajectory> {
        self.engine.take_trajectory()
    }
}

/// The configuration a trajectory ends in, C_K.
pub fn final_view(trajectory: &AnyTrajectory) -> ConfigView {
    match trajectory {
        AnyTrajectory::ActiveLattice(t) => ConfigView::Particles {
            l: t.size(),
            particles: t.config_at(t.num_jumps()),
        },
        AnyTrajectory::Fa(t) => ConfigView::Sites {
            sites: t.config_at(t.num_jumps()),
        },
    }
}

/// The model and parameters a trajectory was simulated with, when its rates are known (an
/// active lattice keeps its number of particles: phi = N / L^2).
pub fn spec_of(trajectory: &AnyTrajectory) -> Option<ModelSpec> {
    match trajectory {
        AnyTrajectory::ActiveLattice(t) => t.rates().map(|r| {
            let l = t.size();
            ModelSpec::ActiveLattice(ActiveLatticeSpec {
                l,
                phi: t.origin().num_particles() as f64 / (l * l) as f64,
                d: r.d,
                v_plus: r.v_plus,
                v_zero: r.v_zero,
            })
        }),
        AnyTrajectory::Fa(t) => t.rates().map(|r| {
            ModelSpec::Fa(FaSpec {
                l: t.size(),
                c: r.c,
            })
        }),
    }
}

/// A held-out trajectory for `trajectory`: the same model, parameters and duration from another
/// seed, on which a learner's U/T measures what it learned rather than what it memorised.
/// `None` when the rates are unknown (a file of observed data).
pub fn held_out_twin(trajectory: &AnyTrajectory, seed: u64) -> Option<AnyTrajectory> {
    let spec = spec_of(trajectory)?;
    let mut engine = AnyEngine::from_spec(&spec, seed).ok()?;
    engine.observe(true);
    engine.advance(trajectory.total_time(), u64::MAX);
    engine.take_trajectory()
}

/// Stored bytes per jump of a trajectory, checkpoints included.
pub fn bytes_per_jump(trajectory: &AnyTrajectory) -> f64 {
    match trajectory {
        AnyTrajectory::ActiveLattice(t) => t.bytes_per_jump(),
        AnyTrajectory::Fa(t) => t.bytes_per_jump(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slicing_a_run_gives_the_same_trajectory_as_one_go() {
        let spec = ModelSpec::ActiveLattice(ActiveLatticeSpec {
            l: 10,
            ..ActiveLatticeSpec::paper(0.2)
        });
        let mut sliced = SimulationRun::new(&spec, 20.0, 5.0, 9).unwrap();
        let mut t = 0.0;
        while !sliced.finished() {
            t += 0.37;
            sliced.advance(t);
        }
        let mut whole = SimulationRun::new(&spec, 20.0, 5.0, 9).unwrap();
        whole.advance(f64::INFINITY);
        assert_eq!(sliced.events(), whole.events());
        assert_eq!(sliced.observable_summary(), whole.observable_summary());
        // 16 snapshots: t = 5, 6, ..., 20.
        assert_eq!(whole.observable_summary().unwrap().snapshots, 16);
        let (a, b) = (
            sliced.into_trajectory().unwrap(),
            whole.into_trajectory().unwrap(),
        );
        assert_eq!(a.to_json(), b.to_json());
    }

    #[test]
    fn an_fa_run_has_a_site_view_and_no_observables() {
        let spec = ModelSpec::Fa(FaSpec::TUTORIAL);
        let mut run = SimulationRun::new(&spec, 50.0, 0.0, 3).unwrap();
        run.advance(50.0);
        assert!(run.finished());
        assert!(matches!(run.view(), ConfigView::Sites { ref sites } if sites.n.len() == 10));
        assert!(run.observable_summary().is_none());
        assert!(run.log_likelihood_per_time().is_some_and(f64::is_finite));
        assert_eq!(run.into_trajectory().unwrap().total_time(), 50.0);
    }

    #[test]
    fn a_held_out_twin_has_the_same_rules_and_duration() {
        let spec = ModelSpec::ActiveLattice(ActiveLatticeSpec {
            l: 8,
            ..ActiveLatticeSpec::paper(0.2)
        });
        let mut run = SimulationRun::new(&spec, 5.0, 0.0, 3).unwrap();
        run.advance(5.0);
        let trajectory = run.into_trajectory().unwrap();
        let twin = held_out_twin(&trajectory, 4).unwrap();
        assert_eq!(spec_of(&twin), spec_of(&trajectory));
        assert_eq!(twin.total_time(), trajectory.total_time());
        assert_ne!(twin.num_jumps(), trajectory.num_jumps());
        let (AnyTrajectory::ActiveLattice(a), AnyTrajectory::ActiveLattice(b)) =
            (&trajectory, &twin)
        else {
            panic!("active lattice");
        };
        assert_eq!(a.origin().num_particles(), b.origin().num_particles());
    }
    /// The rate bound really bounds: along a run, no configuration's total rate exceeds it,
    /// for both models (the bound is what limits a recording before it starts).
    #[test]
    fn the_total_rate_bound_holds_along_runs() {
        use crate::core::model::Dynamics;
        let alm = ActiveLatticeSpec {
            l: 8,
            ..ActiveLatticeSpec::paper(0.1)
        };
        let spec = ModelSpec::ActiveLattice(alm);
        let mut run = SimulationRun::new(&spec, 10.0, 0.0, 5).unwrap();
        run.advance(10.0);
        let AnyTrajectory::ActiveLattice(t) = run.into_trajectory().unwrap() else {
            panic!("active lattice");
        };
        let mut replay = t.replay_from(0);
        let (mut most, mut count) = (0.0f64, 0);
        loop {
            let model = replay.model();
            let total: f64 = (0..model.num_tokens())
                .flat_map(|p| (0..6).map(move |m| (p, m)))
                .map(|(p, m)| model.rate(p, m))
                .sum();
            most = most.max(total);
            count += 1;
            if !replay.step() {
                break;
            }
        }
        assert!(count > 100);
        assert!(most <= spec.max_total_rate() + 1e-9, "{most}");
        // 6 particles on 64 sites: mostly free, so the bound is nearly reached.
        assert!(most > 0.8 * spec.max_total_rate(), "{most}");
        let fa = ModelSpec::Fa(FaSpec { l: 6, c: 0.7 });
        assert!((fa.max_total_rate() - 2.0 * 6.0 * 0.7).abs() < 1e-12);
    }

    #[test]
    fn a_recording_that_could_outgrow_memory_is_refused_before_it_starts() {
        let paper = ModelSpec::ActiveLattice(ActiveLatticeSpec::paper(0.1244));
        // N = 112 particles, at most 13.2 jumps each per unit time: T = 500 is fine.
        check_recording(&paper, 500.0).unwrap();
        let err = SimulationRun::new(&paper, 1.0e5, 0.0, 1)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("1e7") && err.contains("T at most 6764"),
            "{err}"
        );
        assert!((max_recorded_time(&paper) - 1.0e7 / (112.0 * 13.2)).abs() < 1e-6);
        // The longest T the link offers is accepted (a link with T = 1e6 gets it).
        for l in 2..=64 {
            for phi in [0.05, 0.1244, 0.3, 0.77] {
                let spec = ModelSpec::ActiveLattice(ActiveLatticeSpec {
                    l,
                    ..ActiveLatticeSpec::paper(phi)
                });
                if spec.validate().is_ok() {
                    check_recording(&spec, max_recorded_time(&spec)).unwrap();
                }
            }
        }
    }
}
