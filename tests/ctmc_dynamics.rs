//! Statistical and exact checks of the CTMC engine on the true models.
//!
//! Tolerances are 5 standard errors of the estimator, so a correct engine fails a test with
//! probability below 1e-6 per check; the seeds are fixed, so results are reproducible anyway.

use jumpformer::core::ctmc::{Engine, RatedModel, Selector};
use jumpformer::core::model::{
    ActiveLattice, ActiveLatticeRates, ActiveLatticeSelector, ActiveLatticeSpec, Dynamics, FaRates,
    FaSpec, FredricksonAndersen, ParticleConfig, SiteConfig,
};
use jumpformer::core::rng::Rng;
use jumpformer::core::trajectory::Trajectory;

fn record<M: Dynamics>(model: M, seed: u64, t: f64) -> Trajectory<M> {
    let mut engine = Engine::new(model, Rng::new(seed));
    engine.observe(true);
    engine.advance_to(t);
    engine.take_trajectory().expect("recording")
}

/// Class of an ALM move: 0 rotation, 1 step along the orientation, 2 any other step.
fn move_class(model: &ActiveLattice, token: usize, mv: usize) -> usize {
    match mv {
        0 | 1 => 0,
        m if (m - 2) as u8 == model.particle(token).2 => 1,
        _ => 2,
    }
}

#[test]
fn ctmc_alm_move_classes_match_their_integrated_rates() {
    // Low density, with blocking: L = 12, phi = 0.1 -> N = 14.
    let spec = ActiveLatticeSpec {
        l: 12,
        phi: 0.1,
        d: 0.5,
        v_plus: 3.0,
        v_zero: 1.0,
    };
    let mut rng = Rng::new(5);
    let model = spec.build(&mut rng).unwrap();
    let mut engine = Engine::new(model, rng);
    engine.observe(true);
    engine.advance_to(1500.0);
    let trajectory = engine.take_trajectory().unwrap();

    // For each class, (observed count) - (integral over time of the class's total rate) is a
    // martingale whose variance equals the expected count (a counting process's compensator),
    // so the count must lie within 5 sqrt(expected) of the integrated rate.
    let mut observed = [0.0f64; 3];
    let mut expected = [0.0f64; 3];
    let mut blocked_time_weight = 0.0;
    let mut replay = trajectory.replay_from(0);
    loop {
        let model = replay.model();
        let dt = replay.dt();
        for i in 0..model.num_tokens() {
            for m in 0..6 {
                let r = model.rate(i, m);
                expected[move_class(model, i, m)] += r * dt;
                if m >= 2 && r == 0.0 {
                    blocked_time_weight += dt;
                }
            }
        }
        match replay.next_jump() {
            Some(jump) => observed[move_class(model, jump.token as usize, jump.mv as usize)] += 1.0,
            None => break,
        }
        replay.step();
    }
    assert!(
        blocked_time_weight > 0.0,
        "the test must exercise blocked moves"
    );
    for c in 0..3 {
        let tolerance = 5.0 * expected[c].sqrt();
        assert!(
            (observed[c] - expected[c]).abs() < tolerance,
            "class {c}: observed {} expected {} +- {tolerance}",
            observed[c],
            expected[c]
        );
    }
}

#[test]
fn ctmc_single_particle_has_exact_rates_and_exponential_waits() {
    // One particle never blocks: R = 2D + v_plus + 3 v_zero = 1 + 3 + 3 = 7 in every
    // configuration, dt ~ Exp(7) and each class has probability rate / R at every jump.
    let rates = ActiveLatticeRates {
        d: 0.5,
        v_plus: 3.0,
        v_zero: 1.0,
    };
    let config = ParticleConfig {
        x: vec![2],
        y: vec![3],
        o: vec![1],
    };
    let model = ActiveLattice::new(5, rates, config).unwrap();
    let trajectory = record(model, 9, 20_000.0);
    let k = trajectory.num_jumps() as f64;
    assert!(k > 100_000.0);

    // Mean of K iid Exp(7) waits: standard error (1/7) / sqrt(K).
    let mean_dt = trajectory.dt()[..trajectory.num_jumps()]
        .iter()
        .sum::<f64>()
        / k;
    assert!(
        (mean_dt - 1.0 / 7.0).abs() < 5.0 / 7.0 / k.sqrt(),
        "{mean_dt}"
    );

    let mut counts = [0.0f64; 3];
    let mut replay = trajectory.replay_from(0);
    while let Some(jump) = replay.next_jump() {
        counts[move_class(replay.model(), jump.token as usize, jump.mv as usize)] += 1.0;
        replay.step();
    }
    // Binomial proportions: standard error sqrt(p (1 - p) / K).
    for (c, p) in [1.0 / 7.0, 3.0 / 7.0, 3.0 / 7.0].into_iter().enumerate() {
        let fraction = counts[c] / k;
        let se = (p * (1.0 - p) / k).sqrt();
        assert!(
            (fraction - p).abs() < 5.0 * se,
            "class {c}: {fraction} vs {p}"
        );
    }
}

/// Stationary law of FA on a ring of 3: detailed balance with product Bernoulli(c), restricted
/// to the non-absorbing states (all-down is absorbing and unreachable from the others).
fn fa3_stationary(c: f64) -> [f64; 8] {
    let mut p = [0.0; 8];
    for (s, w) in p.iter_mut().enumerate().skip(1) {
        let up = s.count_ones() as i32;
        *w = c.powi(up) * (1.0 - c).powi(3 - up);
    }
    let z: f64 = p.iter().sum();
    p.map(|w| w / z)
}

fn fa_state(config: &SiteConfig) -> usize {
    config
        .n
        .iter()
        .enumerate()
        .map(|(i, &n)| (n as usize) << i)
        .sum()
}

#[test]
fn ctmc_fa_ring_of_three_has_exact_escape_times_and_stationary_law() {
    let c = 0.3;
    let model =
        FredricksonAndersen::new(3, FaRates { c }, SiteConfig { n: vec![1, 0, 0] }).unwrap();
    let trajectory = record(model, 21, 200_000.0);
    let batches = 50;
    let batch_len = trajectory.total_time() / batches as f64;

    let mut waits: [Vec<f64>; 8] = Default::default();
    let mut exit_rate = [0.0; 8];
    let mut time_in = vec![[0.0f64; 8]; batches];
    let mut t = 0.0;
    let mut replay = trajectory.replay_from(0);
    loop {
        let state = fa_state(replay.model().config());
        let dt = replay.dt();
        exit_rate[state] = (0..3).map(|i| replay.model().rate(i, 0)).sum();
        // Split the stay across batch boundaries.
        let (mut start, end) = (t, t + dt);
        while start < end {
            let b = ((start / batch_len) as usize).min(batches - 1);
            let stop = end.min((b + 1) as f64 * batch_len);
            time_in[b][state] += stop - start;
            start = if stop > start { stop } else { end };
        }
        t = end;
        if replay.next_jump().is_none() {
            break;
        }
        waits[state].push(dt);
        replay.step();
    }

    // Escape time from each state: mean of iid Exp(R(s)), standard error 1 / (R(s) sqrt(n)).
    for s in 1..8 {
        let n = waits[s].len() as f64;
        assert!(n > 1000.0, "state {s} visited {n} times");
        let mean = waits[s].iter().sum::<f64>() / n;
        let expected = 1.0 / exit_rate[s];
        assert!(
            (mean - expected).abs() < 5.0 * expected / n.sqrt(),
            "state {s}: mean wait {mean}, expected {expected}"
        );
    }

    // Time fraction in each state: batch means over 50 batches, each much longer than the
    // relaxation time (~1/c), are close to independent; tolerance 5 standard errors of their mean.
    let exact = fa3_stationary(c);
    for s in 1..8 {
        let fractions: Vec<f64> = time_in.iter().map(|b| b[s] / batch_len).collect();
        let mean = fractions.iter().sum::<f64>() / batches as f64;
        let var = fractions.iter().map(|f| (f - mean).powi(2)).sum::<f64>() / (batches - 1) as f64;
        let se = (var / batches as f64).sqrt();
        assert!(
            (mean - exact[s]).abs() < 5.0 * se,
            "state {s}: time fraction {mean} vs exact {} (se {se})",
            exact[s]
        );
    }
}

#[test]
fn ctmc_same_seed_gives_identical_trajectory_however_the_run_is_sliced() {
    let spec = ActiveLatticeSpec::paper(0.3);
    let build = |seed| {
        let mut rng = Rng::new(seed);
        let model = spec.build(&mut rng).unwrap();
        Engine::new(model, rng)
    };
    let mut one_go = build(42);
    one_go.observe(true);
    one_go.advance_to(20.0);
    let a = one_go.take_trajectory().unwrap();

    let mut framed = build(42);
    framed.observe(true);
    let mut t: f64 = 0.0;
    while t < 20.0 {
        t = (t + 0.013).min(20.0);
        // Small event budgets too, as a UI frame might impose.
        while !framed.advance(t, 37).reached {}
    }
    let b = framed.take_trajectory().unwrap();

    assert!(a.num_jumps() > 10_000);
    assert_eq!(a.initial(), b.initial());
    assert_eq!(a.tokens(), b.tokens());
    assert_eq!(a.moves(), b.moves());
    assert_eq!(a.dt()[..a.num_jumps()], b.dt()[..b.num_jumps()]);
    assert!((a.total_time() - b.total_time()).abs() < 1e-12);

    let mut other = build(43);
    other.observe(true);
    other.advance_to(20.0);
    assert_ne!(other.take_trajectory().unwrap().tokens(), a.tokens());
}

#[test]
fn ctmc_fa_initial_condition_is_bernoulli_c() {
    // 20000 sites: the up fraction has standard error sqrt(c (1 - c) / L) = 0.0032.
    let model = FaSpec { l: 20_000, c: 0.3 }
        .build(&mut Rng::new(4))
        .unwrap();
    let up = model.config().n.iter().filter(|&&n| n == 1).count() as f64 / 20_000.0;
    assert!(
        (up - 0.3).abs() < 5.0 * (0.3f64 * 0.7 / 20_000.0).sqrt(),
        "{up}"
    );
}

#[test]
fn ctmc_alm_initial_condition_has_round_phi_l2_distinct_particles() {
    let model = ActiveLatticeSpec::paper(0.1244)
        .build(&mut Rng::new(11))
        .unwrap();
    assert_eq!(model.num_particles(), 112);
    // Validation on construction already refuses duplicate sites; rebuild to be explicit.
    assert!(ActiveLattice::new(30, ActiveLatticeRates::PAPER, model.config().clone()).is_ok());
    let bad = ActiveLatticeSpec {
        phi: 1.5,
        ..ActiveLatticeSpec::paper(0.1)
    };
    assert!(bad.validate().unwrap_err().to_string().contains("phi"));
    let bad = ActiveLatticeSpec {
        l: 1,
        ..ActiveLatticeSpec::paper(0.1)
    };
    assert!(bad.validate().is_err());
    let bad = ActiveLatticeSpec {
        v_plus: f64::NAN,
        ..ActiveLatticeSpec::paper(0.1)
    };
    assert!(bad.validate().unwrap_err().to_string().contains("v_plus"));
    assert!(FaSpec { l: 10, c: 1.0 }.validate().is_err());
}

#[test]
fn ctmc_engine_stops_on_event_budget_and_keeps_time_monotone() {
    let model = FaSpec::TUTORIAL.build(&mut Rng::new(2)).unwrap();
    let mut engine = Engine::new(model, Rng::new(3));
    let p = engine.advance(1e9, 10);
    assert_eq!(p.events, 10);
    assert!(!p.reached);
    let t = engine.time();
    let p = engine.advance(t * 0.5, 10);
    assert_eq!(p.events, 0);
    assert_eq!(engine.time(), t);
}

/// Per-replica summary of an ALM run: jumps per class (rotation, forward step, other step) per
/// unit time, and U/T under the true rates.
fn alm_replica<S: Selector<Model = ActiveLattice>>(seed: u64, t: f64) -> [f64; 4] {
    let spec = ActiveLatticeSpec {
        l: 12,
        phi: 0.3,
        d: 0.5,
        v_plus: 3.0,
        v_zero: 1.0,
    };
    let mut rng = Rng::new(seed);
    let model = spec.build(&mut rng).unwrap();
    let mut engine = Engine::<ActiveLattice, S>::with_selector(model, rng);
    engine.observe(true);
    engine.advance_to(t);
    let u = engine.log_likelihood().unwrap();
    let trajectory = engine.take_trajectory().unwrap();
    let mut out = [0.0, 0.0, 0.0, u / t];
    let mut replay = trajectory.replay_from(0);
    while let Some(jump) = replay.next_jump() {
        out[move_class(replay.model(), jump.token as usize, jump.mv as usize)] += 1.0 / t;
        replay.step();
    }
    out
}

#[test]
fn ctmc_alm_class_selector_matches_the_sum_tree_statistically() {
    // The default (move-class) selector and the generic sum tree, run on independent replicas
    // (own seed, own random initial condition): every summary must agree in mean within 5
    // standard errors of the difference of the two replica means (sample variances).
    let (replicas, t) = (40, 40.0);
    let fast: Vec<[f64; 4]> = (0..replicas)
        .map(|r| alm_replica::<ActiveLatticeSelector>(1000 + r, t))
        .collect();
    let tree: Vec<[f64; 4]> = (0..replicas)
        .map(|r| alm_replica::<RatedModel<ActiveLattice>>(5000 + r, t))
        .collect();
    let stats = |runs: &[[f64; 4]], q: usize| {
        let n = runs.len() as f64;
        let mean = runs.iter().map(|r| r[q]).sum::<f64>() / n;
        let var = runs.iter().map(|r| (r[q] - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var / n)
    };
    for (q, name) in ["rotations/T", "forward steps/T", "other steps/T", "U/T"]
        .iter()
        .enumerate()
    {
        let (mf, vf) = stats(&fast, q);
        let (mt, vt) = stats(&tree, q);
        let se = (vf + vt).sqrt();
        assert!(se > 0.0);
        assert!(
            (mf - mt).abs() < 5.0 * se,
            "{name}: class selector {mf}, sum tree {mt}, se of difference {se}"
        );
    }

    // Same seed, same model: both selectors see the same initial configuration and R.
    let mut rng = Rng::new(3);
    let model = ActiveLatticeSpec::paper(0.5).build(&mut rng).unwrap();
    let a = Engine::new(model.clone(), rng.clone());
    let b = Engine::<ActiveLattice, RatedModel<ActiveLattice>>::with_selector(model, rng);
    assert!((a.total_rate() - b.total_rate()).abs() <= 1e-12 * b.total_rate());
}
