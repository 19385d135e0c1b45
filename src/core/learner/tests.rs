//! Tests of the learner on hand-made and simulated trajectories.

use super::batch::{SegmentSource, Tokenize};
use super::config::{LearnerConfig, Mode, OptimizerKind};
use super::helpers::{
    Helper, ShareFuture, ShareRequest, StepHelpers, forward_flops_per_token, helpers_worth,
};
use super::learned::{LearnedDynamics, ModelFileError};
use super::loss::{BatchTensors, config_log_likelihoods};
use super::train::Trainer;
use crate::core::compute::cpu_device;
use crate::core::ctmc::Engine;
use crate::core::loglik::log_likelihood;
use crate::core::model::{
    ActiveLattice, ActiveLatticeSpec, Dynamics, FaRates, FaSpec, FredricksonAndersen, SiteConfig,
};
use crate::core::rng::Rng;
use crate::core::trajectory::Trajectory;
use burn::tensor::{Device, Tensor, TensorData};
use pollster::block_on;
use std::rc::Rc;
use std::sync::Arc;

fn simulate_fa(spec: FaSpec, total_time: f64, seed: u64) -> Trajectory<FredricksonAndersen> {
    let mut rng = Rng::new(seed);
    let model = spec.build(&mut rng).unwrap();
    let mut engine = Engine::new(model, rng);
    engine.observe(true);
    engine.advance_to(total_time);
    engine.take_trajectory().unwrap()
}

fn simulate_alm(spec: ActiveLatticeSpec, total_time: f64, seed: u64) -> Trajectory<ActiveLattice> {
    let mut rng = Rng::new(seed);
    let model = spec.build(&mut rng).unwrap();
    let mut engine = Engine::new(model, rng);
    engine.observe(true);
    engine.advance_to(total_time);
    engine.take_trajectory().unwrap()
}

/// The models C_0 ..= C_K of a (short) trajectory, by replay.
fn models<M: Dynamics>(trajectory: &Trajectory<M>) -> Vec<M> {
    let mut replay = trajectory.replay_from(0);
    let mut out = vec![replay.model().clone()];
    while replay.step() {
        out.push(replay.model().clone());
    }
    out
}

/// U computed by hand (f64) from per-move rates of every configuration.
fn u_by_hand<M: Dynamics>(trajectory: &Trajectory<M>, rates: &[Vec<f64>]) -> f64 {
    let m = M::MOVES_PER_TOKEN;
    let mut u = 0.0;
    for (k, r) in rates.iter().enumerate() {
        if k < trajectory.num_jumps() {
            let j = trajectory.jump(k);
            u += r[j.token as usize * m + j.mv as usize].ln();
        }
        u -= trajectory.dt()[k] * r.iter().sum::<f64>();
    }
    u
}

fn tiny_config() -> LearnerConfig {
    LearnerConfig {
        d_model: 8,
        heads: 2,
        layers: 1,
        d_ff: 16,
        segment_len: 4,
        seed: 3,
        ..Default::default()
    }
}

/// A 4-site FA trajectory written by hand: 3 jumps.
fn hand_trajectory() -> Trajectory<FredricksonAndersen> {
    Trajectory::from_parts(
        4,
        Some(FaRates { c: 0.3 }),
        SiteConfig {
            n: vec![1, 0, 0, 0],
        },
        vec![1, 0, 2],
        vec![0, 0, 0],
        vec![0.5, 1.25, 0.75, 0.5],
        3.0,
    )
    .unwrap()
}

#[test]
fn loss_of_a_hand_made_trajectory_matches_the_formula() {
    let trajectory = Arc::new(hand_trajectory());
    for mode in [Mode::Mode1, Mode::Mode2 { classes: 3 }] {
        for hard in [false, true] {
            let config = LearnerConfig {
                mode,
                hard_constraint: hard,
                ..tiny_config()
            };
            let trainer = Trainer::new(config, trajectory.clone(), cpu_device(), None).unwrap();
            let learned = trainer.learned();
            // The network's rates of each configuration, then U by hand in f64.
            let configs = models(&trajectory);
            let rates: Vec<Vec<f64>> = configs
                .iter()
                .map(|m| {
                    let r = block_on(learned.rates(std::slice::from_ref(m))).unwrap();
                    r.into_iter().map(f64::from).collect()
                })
                .collect();
            if hard {
                for (model, r) in configs.iter().zip(&rates) {
                    for (t, &rate) in r.iter().enumerate() {
                        assert_eq!(rate == 0.0, !model.move_allowed(t, 0), "{mode:?}");
                    }
                }
            }
            let expected = u_by_hand(&trajectory, &rates);
            let u = block_on(trainer.evaluator().run()).unwrap().u_per_t * trajectory.total_time();
            assert!(
                (u - expected).abs() < 1e-4 * expected.abs().max(1.0),
                "{mode:?} hard {hard}: {u} vs {expected}"
            );
        }
    }
}

#[test]
fn true_rates_give_the_exact_log_likelihood() {
    let device = Device::flex();
    let fa = simulate_fa(FaSpec { l: 8, c: 0.3 }, 200.0, 5);
    let alm = simulate_alm(
        ActiveLatticeSpec {
            l: 6,
            phi: 0.3,
            d: 0.1,
            v_plus: 10.0,
            v_zero: 1.0,
        },
        5.0,
        6,
    );
    fn check<M: Tokenize>(trajectory: &Trajectory<M>, device: &Device)
    where
        M::Config: Send + Sync,
    {
        assert!(trajectory.num_jumps() > 100, "{}", trajectory.num_jumps());
        let exact = log_likelihood(trajectory).unwrap().u;
        let m = M::MOVES_PER_TOKEN;
        let mut u = 0.0;
        let chunk = 97;
        for start in (0..trajectory.num_configs()).step_by(chunk) {
            let batch = trajectory.segment(start, chunk, false);
            let b = batch.num_configs();
            let n = batch.num_tokens;
            let mut rates = Vec::with_capacity(b * n * m);
            let mut replay = trajectory.replay_from(start);
            for k in 0..b {
                if k > 0 {
                    replay.step();
                }
                for t in 0..n {
                    for mv in 0..m {
                        rates.push(replay.model().rate(t, mv) as f32);
                    }
                }
            }
            let rates = Tensor::<3>::from_data(TensorData::new(rates, [b, n, m]), device);
            let t = BatchTensors::new(&batch, false, device);
            let per_config = config_log_likelihoods(
                rates.clone().log(),
                rates,
                t.observed_index,
                t.has_observed,
                t.dt,
            );
            let values = per_config.into_data().try_into_vec_as::<f32>().unwrap();
            u += values.iter().map(|&v| v as f64).sum::<f64>();
        }
        assert!(
            (u - exact).abs() < 1e-5 * exact.abs(),
            "{} {u} vs exact {exact}",
            M::KIND
        );
    }
    check(&fa, &device);
    check(&alm, &device);
}

/// Both optimisers (Adam and the paper's AdaBelief) raise U/T and report every epoch.
#[test]
fn training_steps_raise_the_likelihood_and_report() {
    let trajectory = Arc::new(simulate_fa(FaSpec { l: 6, c: 0.3 }, 300.0, 11));
    let exact = log_likelihood(&trajectory).unwrap().u_per_t;
    for optimizer in [OptimizerKind::Adam, OptimizerKind::AdaBelief] {
        let config = LearnerConfig {
            d_model: 16,
            heads: 2,
            layers: 1,
            d_ff: 32,
            segment_len: 64,
            learning_rate: 3e-3,
            epochs: 3,
            seed: 2,
            optimizer,
            ..Default::default()
        };
        let mut trainer =
            Trainer::new(config, trajectory.clone(), cpu_device(), Some(exact)).unwrap();
        let before = block_on(trainer.evaluator().run()).unwrap().u_per_t;
        let mut reports = Vec::new();
        while !trainer.finished() {
            let step = block_on(trainer.train_step()).unwrap();
            assert!(step.warning.is_none());
            assert!(step.step_in_epoch <= step.steps_per_epoch);
            if step.epoch_finished {
                assert_eq!(step.step_in_epoch, step.steps_per_epoch);
                reports.push(block_on(trainer.epoch_report()).unwrap());
            }
        }
        assert_eq!(reports.len(), 3);
        let last = reports.last().unwrap();
        assert_eq!(last.exact_u_per_t, Some(exact));
        assert!(
            last.u_per_t > before,
            "{optimizer:?}: {before} -> {}",
            last.u_per_t
        );
        assert!(
            last.u_per_t <= exact + 0.05,
            "cannot beat the truth by much: {last:?}"
        );
        assert_eq!(last.steps, 3 * trainer.steps_per_epoch());
        // The segments tile the trajectory, so an epoch visits every configuration once.
        assert_eq!(last.configs_seen, 3 * trajectory.num_configs() as u64);
    }
}

/// With a held-out trajectory, every report carries its U/T next to its exact U/T, and the
/// kept network is the one of the best held-out epoch: its held-out U/T, evaluated again, is
/// the best reported one (early stopping).
#[test]
fn early_stopping_keeps_the_best_held_out_epoch() {
    let spec = FaSpec { l: 6, c: 0.3 };
    let training = Arc::new(simulate_fa(spec, 300.0, 11));
    let held_out = Arc::new(simulate_fa(spec, 300.0, 12));
    let held_out_exact = log_likelihood(&held_out).unwrap().u_per_t;
    let config = LearnerConfig {
        d_model: 16,
        heads: 2,
        layers: 1,
        d_ff: 32,
        segment_len: 16,
        learning_rate: 1e-2,
        lr_schedule: super::config::LrSchedule::Constant,
        epochs: 6,
        seed: 2,
        ..Default::default()
    };
    let mut trainer = Trainer::new(config, training, cpu_device(), None)
        .unwrap()
        .with_validation(super::train::Validation {
            source: held_out.clone(),
            exact_u_per_t: Some(held_out_exact),
        })
        .unwrap();
    let mut reports = Vec::new();
    while !trainer.finished() {
        reports.push(block_on(trainer.run_epoch()).unwrap());
    }
    let best = reports
        .iter()
        .max_by(|a, b| a.val_u_per_t.unwrap().total_cmp(&b.val_u_per_t.unwrap()))
        .unwrap();
    for r in &reports {
        assert_eq!(r.val_exact_u_per_t, Some(held_out_exact));
        assert!(r.blocked_leak >= 0.0 && r.val_blocked_leak.unwrap() >= 0.0);
    }
    assert_eq!(reports.last().unwrap().kept_epoch, best.epoch);
    assert_eq!(trainer.kept_epoch(), best.epoch);
    let kept = trainer.kept();
    assert_eq!(kept.summary().epochs, best.epoch);
    let again = Trainer::resume(&kept, held_out, cpu_device(), None).unwrap();
    let u = block_on(again.evaluator().run()).unwrap().u_per_t;
    assert!(
        (u - best.val_u_per_t.unwrap()).abs() < 1e-6 * u.abs(),
        "{u} vs {best:?}"
    );
}

/// The blocked leak is the summed rate of impossible moves: an FA site with no up neighbour
/// cannot flip. With the hard constraint it is 0.
#[test]
fn the_blocked_leak_sums_the_rates_of_impossible_moves() {
    let trajectory = Arc::new(hand_trajectory());
    let trainer = Trainer::new(tiny_config(), trajectory.clone(), cpu_device(), None).unwrap();
    let evaluation = block_on(trainer.evaluator().run()).unwrap();
    let learned = trainer.learned();
    let mut by_hand = 0.0;
    for (k, model) in models(&trajectory).iter().enumerate() {
        let rates = block_on(learned.rates(std::slice::from_ref(model))).unwrap();
        for (site, rate) in rates.iter().enumerate() {
            if !model.move_allowed(site, 0) {
                by_hand += trajectory.dt()[k] * *rate as f64;
            }
        }
    }
    by_hand /= trajectory.total_time();
    assert!(by_hand > 0.0);
    assert!(
        (evaluation.blocked_leak - by_hand).abs() < 1e-5 * by_hand,
        "{evaluation:?} vs {by_hand}"
    );
    let constrained = LearnerConfig {
        hard_constraint: true,
        ..tiny_config()
    };
    let trainer = Trainer::new(constrained, trajectory, cpu_device(), None).unwrap();
    assert_eq!(
        block_on(trainer.evaluator().run()).unwrap().blocked_leak,
        0.0
    );
}

/// A model's weights as stored in its file, split into the body (embeddings and encoder) and
/// the rest (the head and class rates).
fn body_and_head(learned: &LearnedDynamics) -> (Vec<u8>, Vec<u8>) {
    let bytes = block_on(learned.to_bytes()).unwrap();
    let newline = bytes.iter().position(|&b| b == b'\n').unwrap();
    let header: serde_json::Value = serde_json::from_slice(&bytes[..newline]).unwrap();
    let weights = &bytes[newline + 1..];
    let body_bytes: usize = header["tensors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| {
            let name = t["name"].as_str().unwrap();
            name.starts_with("embeddings") || name.starts_with("encoder")
        })
        .map(|t| {
            4 * t["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_u64().unwrap() as usize)
                .product::<usize>()
        })
        .sum();
    (
        weights[..body_bytes].to_vec(),
        weights[body_bytes..].to_vec(),
    )
}

/// A Mode 2 network warm-started from a Mode 1 network starts with its embeddings and encoder
/// (the same weights, byte for byte, in the model file) and a fresh head; a network of another
/// shape is refused.
#[test]
fn a_warm_start_takes_the_body_and_not_the_head() {
    let trajectory = Arc::new(hand_trajectory());
    let mut mode1 = Trainer::new(tiny_config(), trajectory.clone(), cpu_device(), None).unwrap();
    for _ in 0..3 {
        block_on(mode1.train_step()).unwrap();
    }
    let body = mode1.learned();
    let mode2 = LearnerConfig {
        mode: Mode::Mode2 { classes: 3 },
        ..tiny_config()
    };
    let warm = Trainer::warm_started(mode2.clone(), &body, trajectory.clone(), cpu_device(), None)
        .unwrap();
    let (body_from, head_from) = body_and_head(&body);
    let (body_to, head_to) = body_and_head(&warm.learned());
    assert!(!body_from.is_empty());
    assert_eq!(body_from, body_to, "the body is copied");
    assert_ne!(head_from, head_to, "the head is not");
    let wider = LearnerConfig {
        d_model: 16,
        ..mode2
    };
    let refused = Trainer::warm_started(wider, &body, trajectory, cpu_device(), None);
    assert!(matches!(refused, Err(super::LearnerError::Mismatch(_))));
}

#[test]
fn the_same_seed_trains_the_same_network() {
    let trajectory = Arc::new(hand_trajectory());
    let run = || {
        let mut trainer =
            Trainer::new(tiny_config(), trajectory.clone(), cpu_device(), None).unwrap();
        for _ in 0..3 {
            block_on(trainer.train_step()).unwrap();
        }
        block_on(trainer.evaluator().run()).unwrap().u_per_t
    };
    assert_eq!(run(), run());
}

#[test]
fn a_saved_and_loaded_model_gives_the_same_u_per_t() {
    let trajectory = Arc::new(simulate_fa(FaSpec { l: 6, c: 0.3 }, 100.0, 12));
    for mode in [Mode::Mode1, Mode::Mode2 { classes: 3 }] {
        let config = LearnerConfig {
            mode,
            hard_constraint: matches!(mode, Mode::Mode2 { .. }),
            segment_len: 32,
            ..tiny_config()
        };
        let mut trainer =
            Trainer::new(config.clone(), trajectory.clone(), cpu_device(), None).unwrap();
        for _ in 0..4 {
            block_on(trainer.train_step()).unwrap();
        }
        let u_before = block_on(trainer.evaluator().run()).unwrap().u_per_t;
        let learned = trainer.learned();
        let bytes = block_on(learned.to_bytes()).unwrap();
        let loaded = LearnedDynamics::from_bytes(&bytes, &cpu_device()).unwrap();
        assert_eq!(loaded.config(), &config);
        assert_eq!(loaded.scheme(), learned.scheme());
        assert_eq!(loaded.summary().steps, 4);
        let resumed = Trainer::resume(&loaded, trajectory.clone(), cpu_device(), None).unwrap();
        let u_after = block_on(resumed.evaluator().run()).unwrap().u_per_t;
        assert_eq!(u_before, u_after, "{mode:?}");
        assert_eq!(
            block_on(learned.class_rates()).unwrap(),
            block_on(loaded.class_rates()).unwrap()
        );
        // Saving the loaded model gives the same bytes.
        assert_eq!(block_on(loaded.to_bytes()).unwrap(), bytes);
    }
}

#[test]
fn broken_model_files_are_refused_with_reasons() {
    let trajectory = Arc::new(hand_trajectory());
    let trainer = Trainer::new(tiny_config(), trajectory, cpu_device(), None).unwrap();
    let bytes = block_on(trainer.learned().to_bytes()).unwrap();
    let device = cpu_device();
    let err = |b: &[u8]| LearnedDynamics::from_bytes(b, &device).unwrap_err();
    assert!(matches!(err(b"hello"), ModelFileError::NotAModelFile(_)));
    assert!(matches!(
        err(&bytes[..bytes.len() - 4]),
        ModelFileError::Length { .. }
    ));
    let text = String::from_utf8_lossy(&bytes).to_string();
    let newline = bytes.iter().position(|&b| b == b'\n').unwrap();
    let header = &text[..newline];
    let with_header = |h: String| {
        let mut out = h.into_bytes();
        out.extend_from_slice(&bytes[newline..]);
        out
    };
    let e = err(&with_header(
        header.replace("\"version\":3", "\"version\":7"),
    ));
    assert_eq!(e, ModelFileError::Version(7));
    // Versions 1 and 2 held burn's encoder layout: refused with a request to train again.
    for old in [1, 2] {
        let file = with_header(header.replace("\"version\":3", &format!("\"version\":{old}")));
        assert_eq!(err(&file), ModelFileError::Outdated(old));
    }
    let e = err(&with_header(
        header.replace("\"d_model\":8", "\"d_model\":3"),
    ));
    assert!(matches!(e, ModelFileError::Config(_)), "{e}");
    let e = err(&with_header(header.replace("\"L\":4", "\"L\":5")));
    assert!(matches!(e, ModelFileError::Scheme(_)), "{e}");
    let e = err(&with_header(
        header.replace("embeddings.0.weight", "embeddings.9.weight"),
    ));
    assert!(
        e.to_string().contains("embeddings.0.weight is missing"),
        "{e}"
    );
}

#[test]
fn rates_of_replicas_and_wrong_models_are_refused() {
    let trajectory = Arc::new(hand_trajectory());
    let trainer = Trainer::new(tiny_config(), trajectory.clone(), cpu_device(), None).unwrap();
    let learned = trainer.learned();
    let configs = models(&trajectory);
    let all = block_on(learned.rates(&configs)).unwrap();
    assert_eq!(all.len(), configs.len() * 4);
    for (b, model) in configs.iter().enumerate() {
        let one = block_on(learned.rates(std::slice::from_ref(model))).unwrap();
        for (x, y) in one.iter().zip(&all[b * 4..(b + 1) * 4]) {
            assert!((x - y).abs() <= 1e-6 * x.abs(), "{one:?} vs {all:?}");
        }
    }
    let other =
        FredricksonAndersen::new(5, FaRates { c: 0.3 }, SiteConfig { n: vec![0; 5] }).unwrap();
    assert!(block_on(learned.rates(&[other])).is_err());
}

/// A trajectory whose `poison_at`-th segment (counting from 0) has a NaN waiting time, as a
/// corrupted input or an overflow would give.
struct Poisoned {
    inner: Trajectory<FredricksonAndersen>,
    calls: std::sync::atomic::AtomicUsize,
    poison_at: usize,
}

impl SegmentSource for Poisoned {
    fn scheme(&self) -> super::batch::TokenScheme {
        self.inner.scheme()
    }
    fn num_configs(&self) -> usize {
        SegmentSource::num_configs(&self.inner)
    }
    fn num_tokens(&self) -> usize {
        SegmentSource::num_tokens(&self.inner)
    }
    fn total_time(&self) -> f64 {
        SegmentSource::total_time(&self.inner)
    }
    fn segment(&self, start: usize, len: usize, with_allowed: bool) -> super::batch::Batch {
        let mut batch = self.inner.segment(start, len, with_allowed);
        let call = self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if call == self.poison_at {
            batch.dt[0] = f64::NAN;
        }
        batch
    }
}

/// A trainer whose third minibatch (step 3 of epoch 1) has a NaN time step.
fn trainer_poisoned_at_step_3() -> Trainer {
    let source = Arc::new(Poisoned {
        inner: simulate_fa(FaSpec { l: 6, c: 0.3 }, 300.0, 11),
        calls: Default::default(),
        poison_at: 2,
    });
    let config = LearnerConfig {
        segment_len: 16,
        learning_rate: 1e-2,
        ..tiny_config()
    };
    Trainer::new(config, source, cpu_device(), None).unwrap()
}

/// The weights part of the trainer's model file (its header also counts the steps).
fn weights(trainer: &Trainer) -> Vec<u8> {
    let bytes = block_on(trainer.learned().to_bytes()).unwrap();
    let newline = bytes.iter().position(|&b| b == b'\n').unwrap();
    bytes[newline + 1..].to_vec()
}

#[test]
fn a_nan_loss_skips_the_step_restores_good_weights_and_says_so() {
    let mut trainer = trainer_poisoned_at_step_3();
    let initial = weights(&trainer);
    assert!(block_on(trainer.train_step()).unwrap().warning.is_none());
    let after_first = weights(&trainer);
    assert!(after_first != initial, "a good step changes the weights");
    assert!(block_on(trainer.train_step()).unwrap().warning.is_none());
    let bad = block_on(trainer.train_step()).unwrap();
    let warning = bad.warning.expect("the NaN is reported");
    assert!(
        warning.contains("NaN") && warning.contains("restored"),
        "{warning}"
    );
    // Restored: the weights before the last update, the last ones known to give a finite loss.
    assert!(
        weights(&trainer) == after_first,
        "restored to the weights after step 1"
    );
    let next = block_on(trainer.train_step()).unwrap();
    assert!(next.warning.is_none(), "training goes on");
    assert!(next.batch_u_per_t.is_finite());
    let u = block_on(trainer.evaluator().run()).unwrap().u_per_t;
    assert!(u.is_finite());
}

/// On a GPU U is read back every few steps: a NaN is found when the steps are settled, and the
/// weights go back to the same ones as when it is found at once (the weights after step 1, the
/// last known to give a finite loss). Forced here on the CPU, which runs the same code.
#[test]
fn a_nan_loss_found_by_a_deferred_readback_restores_the_same_weights() {
    let mut trainer = trainer_poisoned_at_step_3().with_deferred_readback(true);
    assert!(trainer.steps_per_epoch() > super::train::STEPS_PER_READBACK);
    assert!(block_on(trainer.train_step()).unwrap().warning.is_none());
    let after_first = weights(&trainer);
    // Steps 2 to 7 are taken on trust; the 8th reads back all eight losses at once.
    for _ in 1..super::train::STEPS_PER_READBACK - 1 {
        assert!(block_on(trainer.train_step()).unwrap().warning.is_none());
    }
    let settled = block_on(trainer.train_step()).unwrap();
    let warning = settled
        .warning
        .expect("the NaN is reported when the losses are read");
    assert!(
        warning.contains("epoch 1, step 3") && warning.contains("NaN"),
        "{warning}"
    );
    assert!(
        weights(&trainer) == after_first,
        "restored to the weights after step 1"
    );
    let mut next = block_on(trainer.train_step()).unwrap();
    while !next.epoch_finished {
        assert!(next.warning.is_none(), "training goes on");
        next = block_on(trainer.train_step()).unwrap();
    }
    assert!(next.batch_u_per_t.is_finite());
    assert!(
        block_on(trainer.evaluator().run())
            .unwrap()
            .u_per_t
            .is_finite()
    );
}

/// Deferring the read-back changes nothing in what is learned: the same seed trains to the same
/// U/T (the same float operations in the same order).
#[test]
fn a_deferred_readback_trains_the_same_network() {
    let source = simulate_fa(FaSpec { l: 6, c: 0.3 }, 200.0, 5);
    let config = LearnerConfig {
        segment_len: 16,
        epochs: 2,
        ..tiny_config()
    };
    let u_per_t = |deferred: bool| {
        let mut trainer =
            Trainer::new(config.clone(), Arc::new(source.clone()), cpu_device(), None)
                .unwrap()
                .with_deferred_readback(deferred);
        while !trainer.finished() {
            block_on(trainer.train_step()).unwrap();
        }
        block_on(trainer.evaluator().run()).unwrap().u_per_t
    };
    assert_eq!(u_per_t(true), u_per_t(false));
}

/// Threads and micro-batches change only the order of float sums: the same seed trains to the
/// same network. Steps of 300 configurations of 10 tokens are cut into 4 micro-batches on 2
/// threads, and into 3 on 1 thread. After 3 epochs (27 Adam steps) in f32 the two runs' U/T
/// agree to rounding (measured with steps of 600 and micro-batches of 2048 tokens: 2e-8 relative in
/// Mode 1, equal in Mode 2); the tolerance 1e-5
/// leaves f32 rounding (1e-7 per operation) room to grow over the steps, while a part dropped
/// or counted twice changes the gradient at the percent level.
#[test]
fn threads_and_micro_batches_give_the_same_training() {
    let trajectory = Arc::new(simulate_fa(FaSpec::TUTORIAL, 1000.0, 4));
    for mode in [Mode::Mode1, Mode::Mode2 { classes: 2 }] {
        let config = LearnerConfig {
            mode,
            segment_len: 300,
            epochs: 3,
            ..tiny_config()
        };
        let run = |threads: usize| {
            let mut trainer = Trainer::new(config.clone(), trajectory.clone(), cpu_device(), None)
                .unwrap()
                .with_threads(threads);
            let mut last = None;
            for _ in 0..config.epochs {
                last = Some(block_on(trainer.run_epoch()).unwrap());
            }
            last.unwrap().u_per_t
        };
        let (one, two) = (run(1), run(2));
        assert!(
            (one - two).abs() < 1e-5 * one.abs(),
            "{mode:?}: 1 thread {one}, 2 threads {two}"
        );
    }
}

/// The parameter count worked out from the settings is the built network's, for every shape
/// option (a model file's size is checked against it before anything is allocated).
#[test]
fn the_parameter_count_is_the_networks() {
    use super::config::AttentionSink;
    use super::network::RateNetwork;
    use burn::module::Module;
    let device = Device::flex();
    let schemes = [ActiveLattice::scheme(7), FredricksonAndersen::scheme(9)];
    for scheme in &schemes {
        for mode in [Mode::Mode1, Mode::Mode2 { classes: 3 }] {
            for sink in [
                AttentionSink::None,
                AttentionSink::Quiet,
                AttentionSink::Learned,
            ] {
                for layers in [0, 2] {
                    let config = LearnerConfig {
                        mode,
                        attention_sink: sink,
                        layers,
                        d_ff: 12,
                        ..tiny_config()
                    };
                    let network = RateNetwork::new(&config, scheme, &device);
                    assert_eq!(
                        RateNetwork::parameter_count(&config, scheme),
                        Some(network.num_params()),
                        "{} {mode:?} {sink:?} {layers} layers",
                        scheme.kind
                    );
                }
            }
        }
    }
    let huge = LearnerConfig {
        d_model: usize::MAX / 2,
        ..tiny_config()
    };
    assert_eq!(RateNetwork::parameter_count(&huge, &schemes[0]), None);
}

/// `inspect` gives the same rates as `rates` for its configuration, and one attention map per
/// layer whose rows are weights: non-negative, summing to 1 without a sink and to at most 1
/// with one (the sink takes the rest).
#[test]
fn an_inspection_holds_the_rates_and_each_layers_attention() {
    use super::config::AttentionSink;
    let spec = ActiveLatticeSpec {
        l: 6,
        ..ActiveLatticeSpec::paper(0.25)
    };
    let trajectory = Arc::new(simulate_alm(spec, 2.0, 5));
    let model = models(&trajectory).pop().unwrap();
    for (sink, layers) in [(AttentionSink::None, 2), (AttentionSink::Learned, 1)] {
        let config = LearnerConfig {
            layers,
            attention_sink: sink,
            ..tiny_config()
        };
        let trainer = Trainer::new(config, trajectory.clone(), cpu_device(), None).unwrap();
        let learned = trainer.learned();
        let inspection = block_on(learned.inspect(&model)).unwrap();
        let n = model.num_particles();
        assert_eq!((inspection.tokens, inspection.moves), (n, 6));
        let rates = block_on(learned.rates(std::slice::from_ref(&model))).unwrap();
        assert_eq!(inspection.rates, rates);
        assert_eq!(inspection.attention.len(), layers);
        for map in &inspection.attention {
            assert_eq!(map.len(), n * n);
            for row in map.chunks(n) {
                assert!(row.iter().all(|&w| w >= 0.0));
                let sum: f32 = row.iter().sum();
                match sink {
                    AttentionSink::None => assert!((sum - 1.0).abs() < 1e-4, "{sum}"),
                    _ => assert!(sum > 0.0 && sum < 1.0 + 1e-4, "{sum}"),
                }
            }
        }
    }
}

/// A translated segment is the segment of the translated configurations: the same tokens at
/// shifted positions, with the same observed jumps, waiting times and allowed moves (the rules
/// are the same at every site).
#[test]
fn a_translated_segment_is_the_segment_of_the_translated_lattice() {
    let spec = ActiveLatticeSpec {
        l: 7,
        phi: 0.3,
        d: 0.1,
        v_plus: 10.0,
        v_zero: 1.0,
    };
    let trajectory = simulate_alm(spec, 2.0, 11);
    let scheme = ActiveLattice::scheme(7);
    let original = trajectory.segment(5, 40, true);
    let mut moved = original.clone();
    let shifts = [3, 5];
    moved.translate(ActiveLattice::POSITION_TABLES, &scheme.tables, &shifts);
    assert_eq!(moved.observed, original.observed);
    assert_eq!(moved.dt, original.dt);
    assert_eq!(moved.features[2], original.features[2]);
    let mut lattice = models(&trajectory)[5].clone();
    let n = original.num_tokens;
    for k in 0..original.num_configs() {
        let tokens = k * n..(k + 1) * n;
        let mut config = lattice.config().clone();
        for (t, i) in tokens.clone().enumerate() {
            assert_eq!(moved.features[0][i], (original.features[0][i] + 3) % 7);
            assert_eq!(moved.features[1][i], (original.features[1][i] + 5) % 7);
            config.x[t] = moved.features[0][i] as u16;
            config.y[t] = moved.features[1][i] as u16;
        }
        lattice.set_config(&config);
        for t in 0..n {
            for mv in 0..ActiveLattice::MOVES_PER_TOKEN {
                let flag = original.allowed[(k * n + t) * ActiveLattice::MOVES_PER_TOKEN + mv];
                assert_eq!(
                    lattice.move_allowed(t, mv),
                    flag,
                    "config {k} token {t} move {mv}"
                );
            }
        }
    }
}

/// Chunks read back together (as on a GPU) or evaluated on threads give the U, leak and
/// per-stretch U of chunks read back one by one, up to float rounding.
#[test]
fn evaluation_read_back_every_few_chunks_gives_the_same_u() {
    let trajectory = Arc::new(simulate_fa(FaSpec { l: 8, c: 0.3 }, 4000.0, 21));
    let trainer = Trainer::new(tiny_config(), trajectory.clone(), cpu_device(), None).unwrap();
    let chunks = trajectory.num_jumps() * 8 / 4096;
    assert!(chunks >= 4, "the trajectory spans {chunks} chunks");
    let every = block_on(trainer.evaluator().run()).unwrap();
    let grouped = block_on(trainer.evaluator().with_chunks_per_readback(3).run()).unwrap();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-5 * a.abs().max(b.abs());
    assert!(
        close(every.u_per_t, grouped.u_per_t),
        "{every:?} vs {grouped:?}"
    );
    assert!(
        close(every.blocked_leak, grouped.blocked_leak),
        "{every:?} vs {grouped:?}"
    );
    assert!(every.blocked_leak > 0.0);
    // The stretches are the same whichever way the chunks were read back, on threads too, and
    // add up to U/T.
    let threaded = block_on(trainer.evaluator().with_threads(3).run()).unwrap();
    let blocks = every.u_per_t_blocks.len();
    assert!(
        blocks >= chunks.min(20) && blocks <= 20,
        "{blocks} stretches of {chunks} chunks"
    );
    for other in [&grouped, &threaded] {
        assert_eq!(other.u_per_t_blocks.len(), every.u_per_t_blocks.len());
        for (a, b) in every.u_per_t_blocks.iter().zip(&other.u_per_t_blocks) {
            assert!(close(*a, *b), "{every:?} vs {other:?}");
        }
    }
    let sum: f64 = every.u_per_t_blocks.iter().sum();
    assert!(close(sum, every.u_per_t), "{sum} vs {}", every.u_per_t);
}

/// Helpers answered in this process, as the browser's extra workers answer by message: each
/// request goes through [`Helper::answer`] with only the flat weights and the batches. Helper
/// `failing` (if any) answers every request with an error.
struct InProcessHelpers {
    helpers: Vec<std::cell::RefCell<Helper>>,
    failing: Option<usize>,
    requests: std::cell::Cell<usize>,
}

impl InProcessHelpers {
    fn new(count: usize, failing: Option<usize>) -> Rc<Self> {
        Rc::new(Self {
            helpers: (0..count)
                .map(|_| std::cell::RefCell::new(Helper::new(cpu_device())))
                .collect(),
            failing,
            requests: std::cell::Cell::new(0),
        })
    }
}

impl StepHelpers for InProcessHelpers {
    fn available(&self) -> usize {
        self.helpers.len()
    }

    fn send(&self, index: usize, request: ShareRequest) -> ShareFuture {
        self.requests.set(self.requests.get() + 1);
        let reply = if self.failing == Some(index) {
            Err("this helper fails".to_string())
        } else {
            block_on(self.helpers[index].borrow_mut().answer(request)).map_err(|e| e.to_string())
        };
        Box::pin(std::future::ready(reply))
    }
}

/// Steps and evaluations shared with helpers train the same network as one thread alone: the
/// micro-batches are the same (cut for 3 workers instead of 1), only the order of the float sums
/// changes. The tolerance is the one of `threads_and_micro_batches_give_the_same_training`, and
/// so is the reason. A helper that fails has its share computed by the trainer, so the result
/// is still the same.
#[test]
fn helpers_give_the_same_training_and_evaluation() {
    let trajectory = Arc::new(simulate_fa(FaSpec::TUTORIAL, 300.0, 4));
    for mode in [Mode::Mode1, Mode::Mode2 { classes: 2 }] {
        let config = LearnerConfig {
            mode,
            segment_len: 300,
            epochs: 2,
            seed: 3,
            ..LearnerConfig::default()
        };
        let run = |helpers: Option<Rc<InProcessHelpers>>| {
            let mut trainer =
                Trainer::new(config.clone(), trajectory.clone(), cpu_device(), None).unwrap();
            if let Some(helpers) = helpers.clone() {
                trainer = trainer.with_helpers(helpers);
            }
            let mut last = None;
            for _ in 0..config.epochs {
                last = Some(block_on(trainer.run_epoch()).unwrap());
            }
            if let Some(helpers) = helpers {
                assert!(helpers.requests.get() > 0, "the helpers were asked nothing");
            }
            last.unwrap().u_per_t
        };
        let alone = run(None);
        for (helpers, failing) in [(2, None), (2, Some(1))] {
            let helped = run(Some(InProcessHelpers::new(helpers, failing)));
            assert!(
                (alone - helped).abs() < 1e-5 * alone.abs(),
                "{mode:?}: alone {alone}, with {helpers} helpers ({failing:?} failing) {helped}"
            );
        }
    }
}

/// Only work that pays for its messages is shared: a step of 10 MFLOP stays on one worker; the
/// classroom preset's (a 1-layer network of width 32, 64 configurations of 18 tokens: about 65
/// MFLOP) goes to up to five helpers; the FA tutorial's (the default network, 128
/// configurations of 10 tokens: about 0.8 GFLOP) to as many as are available.
#[test]
fn only_steps_worth_sharing_are_shared() {
    use crate::core::presets::Preset;
    let step = |config: &LearnerConfig, tokens: usize| {
        3.0 * forward_flops_per_token(config, tokens) * (config.segment_len * tokens) as f64
    };
    let classroom = Preset::Classroom.learner();
    let fa = Preset::FaTutorial.learner();
    assert!(
        (4e7..8e7).contains(&step(&classroom, 18)),
        "{}",
        step(&classroom, 18)
    );
    assert!((6e8..9e8).contains(&step(&fa, 10)), "{}", step(&fa, 10));
    assert_eq!(helpers_worth(1e7, 7), 0);
    assert_eq!(helpers_worth(step(&classroom, 18), 7), 5);
    assert_eq!(helpers_worth(step(&classroom, 18), 1), 1);
    assert_eq!(helpers_worth(step(&fa, 10), 7), 7);
    assert_eq!(helpers_worth(step(&fa, 10), 1), 1);
    assert_eq!(helpers_worth(step(&fa, 10), 0), 0);
}

/// The translation spread is 0 for a network blind to position (every row of its FA position
/// table made equal: a shifted configuration then embeds to the same tokens) and clearly above 0
/// for a fresh network, whose random position tables tie rates to sites.
#[test]
fn a_network_blind_to_position_has_no_translation_spread() {
    use super::symmetry::{evenly_spaced_configurations, translation_spread};
    let trajectory = Arc::new(simulate_fa(FaSpec { l: 8, c: 0.3 }, 100.0, 5));
    let config = tiny_config();
    let fresh = Trainer::new(config.clone(), trajectory.clone(), cpu_device(), None)
        .unwrap()
        .learned();
    let configurations = evenly_spaced_configurations(trajectory.as_ref(), 64, false);
    assert_eq!(configurations.num_configs(), 64);
    let spread_of = |learned: &LearnedDynamics| {
        block_on(translation_spread(learned, &configurations, 4, 1))
            .unwrap()
            .unwrap()
    };
    let fresh_spread = spread_of(&fresh);
    assert!(fresh_spread > 0.01, "fresh network: {fresh_spread}");

    // FA tables: E_n (2 rows), then E_pos (L rows), d_model wide, first in visiting order.
    let d = config.d_model;
    let mut flat = block_on(super::helpers::flat_weights(fresh.network())).unwrap();
    let positions = 2 * d..(2 + 8) * d;
    let first_row: Vec<f32> = flat[positions.start..positions.start + d].to_vec();
    for row in flat[positions].chunks_mut(d) {
        row.copy_from_slice(&first_row);
    }
    let blind = super::helpers::load_weights(fresh.network().clone(), &flat).unwrap();
    let blind = LearnedDynamics::from_parts(
        config,
        fresh.scheme().clone(),
        blind,
        fresh.summary().clone(),
    );
    assert_eq!(spread_of(&blind), 0.0);
}

/// Dropout acts while training only: on a device with autodiff two passes of the same network
/// give different rates, and without autodiff the network gives exactly the rates of the same
/// weights built without dropout (dropout draws nothing at initialisation).
#[test]
fn dropout_acts_while_training_only() {
    use super::network::RateNetwork;
    use burn::module::Module;
    let trajectory = simulate_fa(FaSpec { l: 8, c: 0.3 }, 50.0, 4);
    let batch = trajectory.segment(0, 16, false);
    let scheme = FredricksonAndersen::scheme(8);
    let rates = |dropout: f64, autodiff: bool| -> Vec<Vec<f32>> {
        let device = cpu_device();
        device.seed(11);
        let config = LearnerConfig {
            dropout,
            ..tiny_config()
        };
        let network = RateNetwork::new(&config, &scheme, &device);
        let run = |network: &RateNetwork, device: &Device| {
            let t = BatchTensors::new(&batch, false, device);
            network
                .forward(t.features, None)
                .rates
                .into_data()
                .try_to_vec::<f32>()
                .unwrap()
        };
        if autodiff {
            vec![run(&network, &device), run(&network, &device)]
        } else {
            let inner = device.clone().without_autodiff();
            vec![run(&network.valid(), &inner)]
        }
    };
    let plain = rates(0.0, false).remove(0);
    assert_eq!(rates(0.5, false).remove(0), plain);
    let training = rates(0.5, true);
    assert_ne!(training[0], training[1]);
    assert_ne!(training[0], plain);
    // Without dropout, training and evaluation differ only by float rounding (the autodiff
    // device multiplies in another order).
    let undropped = rates(0.0, true).remove(0);
    assert!(
        undropped
            .iter()
            .zip(&plain)
            .all(|(a, b)| (a - b).abs() <= 1e-5 * b.abs().max(1.0)),
        "{undropped:?} vs {plain:?}"
    );
}

/// With a frozen body, training a warm-started network moves its head and class rates and
/// leaves its embeddings and encoder exactly as the warm start gave them; without, both move.
#[test]
fn a_frozen_body_stays_as_the_warm_start_left_it() {
    let trajectory = Arc::new(simulate_fa(FaSpec { l: 8, c: 0.3 }, 100.0, 6));
    let mut mode1 = Trainer::new(tiny_config(), trajectory.clone(), cpu_device(), None).unwrap();
    for _ in 0..3 {
        block_on(mode1.train_step()).unwrap();
    }
    let body = mode1.learned();
    let trained = |freeze_body: bool| {
        let config = LearnerConfig {
            mode: Mode::Mode2 { classes: 3 },
            freeze_body,
            ..tiny_config()
        };
        let mut warm =
            Trainer::warm_started(config, &body, trajectory.clone(), cpu_device(), None).unwrap();
        let start = body_and_head(&warm.learned());
        for _ in 0..3 {
            block_on(warm.train_step()).unwrap();
        }
        (start, body_and_head(&warm.learned()))
    };
    let ((body_start, head_start), (body_end, head_end)) = trained(true);
    assert_eq!(body_start, body_end, "a frozen body does not move");
    assert_ne!(head_start, head_end, "the head trains");
    let ((body_start, _), (body_end, _)) = trained(false);
    assert_ne!(body_start, body_end, "an unfrozen body trains");
}

/// A frozen body shared with helpers: the helpers' backward passes stop at the head too, and the
/// training is the one-thread training (same tolerance as
/// `helpers_give_the_same_training_and_evaluation`), its body unchanged.
#[test]
fn a_frozen_body_trains_the_same_with_helpers() {
    let trajectory = Arc::new(simulate_fa(FaSpec::TUTORIAL, 300.0, 4));
    let mode1 = LearnerConfig {
        segment_len: 300,
        epochs: 1,
        seed: 3,
        ..LearnerConfig::default()
    };
    let mut trainer = Trainer::new(mode1.clone(), trajectory.clone(), cpu_device(), None).unwrap();
    block_on(trainer.run_epoch()).unwrap();
    let body = trainer.learned();
    let config = LearnerConfig {
        mode: Mode::Mode2 { classes: 2 },
        freeze_body: true,
        ..mode1
    };
    let run = |helpers: Option<Rc<InProcessHelpers>>| {
        let mut trainer = Trainer::warm_started(
            config.clone(),
            &body,
            trajectory.clone(),
            cpu_device(),
            None,
        )
        .unwrap();
        if let Some(helpers) = helpers.clone() {
            trainer = trainer.with_helpers(helpers);
        }
        let report = block_on(trainer.run_epoch()).unwrap();
        if let Some(helpers) = helpers {
            assert!(helpers.requests.get() > 0, "the helpers were asked nothing");
        }
        assert_eq!(
            body_and_head(&trainer.learned()).0,
            body_and_head(&body).0,
            "the body is unchanged"
        );
        report.u_per_t
    };
    let alone = run(None);
    let helped = run(Some(InProcessHelpers::new(2, None)));
    assert!(
        (alone - helped).abs() < 1e-5 * alone.abs(),
        "alone {alone}, with 2 helpers {helped}"
    );
}
