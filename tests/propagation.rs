//! Propagation of dynamics from a rate source (SPEC section 5), checked against the exact engine.
//!
//! Tolerances: every observable is a mean over R independent replicas of each replica's time
//! average, with standard error sem = sd / sqrt(R). Two independent estimates of the same
//! quantity differ by less than 4 sqrt(sem_a^2 + sem_b^2) except with probability ~6e-5 (normal
//! approximation); the seeds are fixed, so a pass is reproducible.

use jumpformer::core::compute::cpu_device;
use jumpformer::core::learner::{LearnedDynamics, LearnerConfig, Mode, Trainer};
use jumpformer::core::model::{ActiveLattice, ActiveLatticeSpec};
use jumpformer::core::observables::Sampler;
use jumpformer::core::propagation::{
    Ensemble, EnsembleSettings, Estimate, Integrator, Propagation, RateSource, SAMPLE_INTERVAL,
    replica_rng,
};
use jumpformer::core::rng::Rng;
use std::sync::Arc;

/// L = 12 at phi = 0.3 (N = 43): clusters form, and a run is a few thousand jumps per unit time.
fn settings(seed: u64, replicas: usize, integrator: Integrator) -> EnsembleSettings {
    EnsembleSettings {
        spec: ActiveLatticeSpec {
            l: 12,
            ..ActiveLatticeSpec::paper(0.3)
        },
        t_end: 40.0,
        burn_in: 8.0,
        replicas,
        seed,
        integrator,
    }
}

/// The observables f4, n_c, <s> and largest-cluster fraction of an ensemble.
type Observables = [(&'static str, Estimate); 4];

/// Runs the true engine (the CTMC core's own simulator).
fn engine_observables(settings: EnsembleSettings) -> Observables {
    let mut ensemble = Ensemble::new(settings, RateSource::True).expect("valid settings");
    pollster::block_on(ensemble.advance(settings.t_end, usize::MAX)).expect("the engine runs");
    assert!(ensemble.finished());
    let s = ensemble.summary();
    assert_eq!(s.rejected, 0);
    [
        ("f4", s.f4),
        ("n_c", s.n_c),
        ("mean_s", s.mean_s),
        ("largest", s.largest),
    ]
}

/// Runs the propagation loop with the model's own rates fed in as if a network gave them.
fn loop_observables(settings: EnsembleSettings) -> (Observables, u64, u64) {
    let mut models = Vec::new();
    let mut rngs = Vec::new();
    for r in 0..settings.replicas {
        let mut rng = replica_rng(settings.seed, r);
        models.push(settings.spec.build(&mut rng).expect("valid spec"));
        rngs.push(rng);
    }
    let mut propagation =
        Propagation::new(models, rngs, settings.integrator, settings.t_end).expect("valid");
    let mut samplers: Vec<Sampler> = (0..settings.replicas)
        .map(|_| Sampler::new(settings.burn_in, SAMPLE_INTERVAL))
        .collect();
    let mut observe = |r: usize, model: &ActiveLattice, t: f64| {
        samplers[r].record_until(model, t);
    };
    while !propagation.finished() {
        pollster::block_on(propagation.step(&RateSource::True, &mut observe)).expect("steps");
    }
    let per: Vec<_> = samplers.iter().map(|s| s.summary()).collect();
    let est = |f: fn(&jumpformer::core::observables::ObservableSummary) -> f64| {
        Estimate::of(&per.iter().map(f).collect::<Vec<_>>())
    };
    (
        [
            ("f4", est(|s| s.f4)),
            ("n_c", est(|s| s.n_c)),
            ("mean_s", est(|s| s.mean_s)),
            ("largest", est(|s| s.largest)),
        ],
        propagation.jumps(),
        propagation.rejected(),
    )
}

fn assert_agree(a: &Observables, b: &Observables, what: &str) {
    for ((name, x), (_, y)) in a.iter().zip(b) {
        let tolerance = 4.0 * (x.sem * x.sem + y.sem * y.sem).sqrt();
        assert!(
            (x.mean - y.mean).abs() <= tolerance,
            "{what}: {name} {:.4} ± {:.4} vs {:.4} ± {:.4} (tolerance {tolerance:.4})",
            x.mean,
            x.sem,
            y.mean,
            y.sem
        );
        assert!(x.sem > 0.0 && y.sem > 0.0, "{name}: replicas must differ");
    }
}

#[test]
fn the_exact_loop_with_true_rates_reproduces_the_simulator() {
    let engine = engine_observables(settings(101, 16, Integrator::Exact));
    let (looped, jumps, rejected) = loop_observables(settings(202, 16, Integrator::Exact));
    assert_eq!(rejected, 0, "true rates never choose an impossible move");
    assert!(jumps > 100_000, "{jumps} jumps");
    assert_agree(&engine, &looped, "exact loop vs engine");
}

#[test]
fn tau_leaping_with_a_small_tau_agrees_with_the_exact_engine() {
    // tau = 0.01: about 0.1 moves per particle per leap at these rates (v_plus = 10).
    let engine = engine_observables(settings(303, 16, Integrator::Exact));
    let (leaped, _, rejected) =
        loop_observables(settings(404, 16, Integrator::TauLeap { tau: 0.01 }));
    assert_eq!(rejected, 0);
    assert_agree(&engine, &leaped, "tau-leap vs engine");
}

#[test]
fn a_true_ensemble_is_reproducible_from_its_seed() {
    let a = engine_observables(settings(7, 3, Integrator::Exact));
    let b = engine_observables(settings(7, 3, Integrator::Exact));
    assert_eq!(a, b);
}

/// A small untrained network on the active-lattice model at L = 12, as a rate source.
fn untrained(hard_constraint: bool) -> RateSource {
    RateSource::Learned(untrained_network(hard_constraint))
}

/// A small untrained network on the active-lattice model at L = 12.
fn untrained_network(hard_constraint: bool) -> LearnedDynamics {
    let spec = ActiveLatticeSpec {
        l: 12,
        ..ActiveLatticeSpec::paper(0.3)
    };
    let mut engine = jumpformer::core::ctmc::Engine::new(
        spec.build(&mut Rng::new(1)).expect("valid"),
        Rng::new(2),
    );
    engine.observe(true);
    engine.advance_to(1.0);
    let trajectory = engine.take_trajectory().expect("recorded");
    let config = LearnerConfig {
        d_model: 16,
        heads: 2,
        layers: 1,
        d_ff: 32,
        segment_len: 16,
        mode: Mode::Mode1,
        hard_constraint,
        ..Default::default()
    };
    let trainer =
        Trainer::new(config, Arc::new(trajectory), cpu_device(), None).expect("a valid trainer");
    trainer.learned()
}

#[test]
fn a_rejected_move_does_not_ask_the_network_again() {
    // A rejected move leaves the configuration, so every rate, as it was: the exact loop goes on
    // with the same rates, and one replica needs one network call per jump (plus the last call,
    // whose next move would fall after T).
    let settings = settings(5, 1, Integrator::Exact);
    let mut rng = replica_rng(settings.seed, 0);
    let model = settings.spec.build(&mut rng).expect("valid spec");
    let mut propagation =
        Propagation::new(vec![model], vec![rng], Integrator::Exact, 0.3).expect("valid");
    let source = untrained(false);
    let mut calls = 0;
    while !propagation.finished() {
        pollster::block_on(propagation.step(&source, &mut |_, _, _| {})).expect("steps");
        calls += 1;
    }
    assert!(
        propagation.rejected() > 0,
        "an untrained network chooses blocked steps"
    );
    assert_eq!(calls, propagation.jumps() + 1);
}

#[test]
fn threads_do_not_change_a_learned_propagation() {
    let run = |threads: usize| {
        let settings = EnsembleSettings {
            t_end: 0.2,
            burn_in: 0.0,
            ..settings(11, 5, Integrator::Exact)
        };
        let source = RateSource::Learned(untrained_network(false).with_threads(threads));
        let mut ensemble = Ensemble::new(settings, source).expect("valid");
        while !ensemble.finished() {
            pollster::block_on(ensemble.advance(settings.t_end, 64)).expect("propagates");
        }
        ensemble.summary()
    };
    let one = run(1);
    assert!(one.jumps > 0);
    // Each configuration goes through the network alone or with others: the same arithmetic
    // per row, so the same rates and the same trajectories.
    assert_eq!(run(3), one);
}

#[test]
fn learned_dynamics_rejects_impossible_moves_unless_they_are_masked() {
    let run = |source: RateSource, seed: u64| {
        let settings = EnsembleSettings {
            t_end: 0.3,
            burn_in: 0.0,
            ..settings(seed, 4, Integrator::Exact)
        };
        let mut ensemble = Ensemble::new(settings, source).expect("valid");
        while !ensemble.finished() {
            pollster::block_on(ensemble.advance(settings.t_end, 64)).expect("propagates");
        }
        ensemble.summary()
    };
    // An untrained network gives every move a rate near 1, blocked steps included.
    let free = run(untrained(false), 9);
    assert!(free.jumps > 0);
    assert!(
        free.rejected > 0,
        "at phi = 0.3 some chosen steps are blocked"
    );
    let masked = run(untrained(true), 9);
    assert!(masked.jumps > 0);
    assert_eq!(
        masked.rejected, 0,
        "the hard constraint masks blocked steps"
    );
    assert_eq!(run(untrained(false), 9), free, "one seed, one run");
}

#[test]
fn a_network_for_another_size_is_refused() {
    let source = untrained(false);
    let settings = EnsembleSettings {
        spec: ActiveLatticeSpec {
            l: 14,
            ..ActiveLatticeSpec::paper(0.3)
        },
        ..settings(1, 2, Integrator::Exact)
    };
    let err = Ensemble::new(settings, source).err().expect("refused");
    assert!(err.to_string().contains("L = 12"), "{err}");
}

#[test]
fn bad_settings_are_refused_with_a_reason() {
    let base = settings(1, 1, Integrator::Exact);
    let bad = [
        (
            EnsembleSettings {
                replicas: 0,
                ..base
            },
            "replicas",
        ),
        (
            EnsembleSettings {
                burn_in: 50.0,
                ..base
            },
            "burn-in",
        ),
        (
            EnsembleSettings {
                t_end: f64::NAN,
                ..base
            },
            "T = NaN",
        ),
        (settings(1, 1, Integrator::TauLeap { tau: -1.0 }), "tau"),
        (
            EnsembleSettings {
                spec: ActiveLatticeSpec {
                    phi: 1.5,
                    ..base.spec
                },
                ..base
            },
            "phi",
        ),
    ];
    for (s, reason) in bad {
        let err = Ensemble::new(s, RateSource::True).err().expect("refused");
        assert!(
            err.to_string().contains(reason),
            "{err} (expected {reason})"
        );
    }
}
