//! Trajectory storage, replay, the JSON file format and its validation, and the exact U.

use jumpformer::core::ctmc::Engine;
use jumpformer::core::loglik::{LogLikError, log_likelihood};
use jumpformer::core::model::{
    ActiveLattice, ActiveLatticeRates, ActiveLatticeSpec, Dynamics, FaRates, FredricksonAndersen,
    ParticleConfig, SiteConfig,
};
use jumpformer::core::rng::Rng;
use jumpformer::core::trajectory::{
    AnyTrajectory, CHECKPOINT_INTERVAL, Trajectory, TrajectoryError,
};
use serde_json::{Value, json};

/// Two particles facing each other on a 3 x 3 lattice; jumps p0 +y, then p1 rotates.
fn hand_alm() -> Value {
    json!({
        "format": "jumpformer-trajectory", "version": 1,
        "model": {"kind": "active-lattice", "L": 3,
                  "rates": {"D": 0.1, "v_plus": 10.0, "v_zero": 1.0}},
        "T": 1.75,
        "initial": {"x": [0, 1], "y": [0, 0], "o": [0, 2]},
        "jumps": {"token": [0, 1], "move": [3, 0]},
        "dt": [0.5, 0.25, 1.0]
    })
}

/// FA ring of 3 from (1, 0, 0); site 1 flips up.
fn hand_fa() -> Value {
    json!({
        "format": "jumpformer-trajectory", "version": 1,
        "model": {"kind": "fa", "L": 3, "rates": {"c": 0.3}},
        "T": 2.5,
        "initial": {"n": [1, 0, 0]},
        "jumps": {"token": [1], "move": [0]},
        "dt": [2.0, 0.5]
    })
}

fn load(v: &Value) -> Result<AnyTrajectory, TrajectoryError> {
    AnyTrajectory::from_json(&v.to_string())
}

#[test]
fn ctmc_loglik_of_hand_built_alm_trajectory() {
    // C0: each particle has two rotations (0.2) and three free steps at v_zero (its forward
    // step is blocked by the other): R0 = 2 * 3.2 = 6.4.
    // Jump 0: p0 steps +y (sideways, W = 1) to (0, 1). C1: both particles now face an empty
    // site: each has 0.2 + 10 + 3 * 1 = 13.2, R1 = 26.4.
    // Jump 1: p1 rotates (W = 0.1) to o = 3; its -y step is free: still 13.2 each, R2 = 26.4.
    // U = ln 1 + ln 0.1 - (0.5 * 6.4 + 0.25 * 26.4 + 1.0 * 26.4).
    let expected = 0.1f64.ln() - (0.5 * 6.4 + 0.25 * 26.4 + 26.4);
    let t = load(&hand_alm()).unwrap();
    let r = t.log_likelihood().unwrap();
    assert_eq!(r.k, 2);
    assert!((r.u - expected).abs() < 1e-12, "{} vs {expected}", r.u);
    assert!((r.u_per_t - expected / 1.75).abs() < 1e-12);
}

#[test]
fn ctmc_loglik_of_hand_built_fa_trajectory() {
    // C0 = (1,0,0): sites 1 and 2 flip up at rate c * 1 = 0.3, site 0 cannot flip: R0 = 0.6.
    // C1 = (1,1,0): site 0 (1-c)*1 = 0.7, site 1 (1-c)*1 = 0.7, site 2 c*2 = 0.6: R1 = 2.0.
    let expected = 0.3f64.ln() - (2.0 * 0.6 + 0.5 * 2.0);
    let r = load(&hand_fa()).unwrap().log_likelihood().unwrap();
    assert!((r.u - expected).abs() < 1e-12, "{} vs {expected}", r.u);
}

#[test]
fn ctmc_engine_loglik_matches_replay_and_file_round_trips_exactly() {
    let mut rng = Rng::new(17);
    let model = ActiveLatticeSpec::paper(0.1244).build(&mut rng).unwrap();
    let mut engine = Engine::new(model, rng);
    engine.advance_to(3.0);
    engine.observe(true); // starts between two jumps
    engine.advance_to(40.0);
    let u_engine = engine.log_likelihood().unwrap();
    let trajectory = engine.take_trajectory().unwrap();
    assert!((trajectory.total_time() - 37.0).abs() < 1e-12);
    let u_replay = log_likelihood(&trajectory).unwrap().u;
    assert!(
        (u_engine - u_replay).abs() < 1e-9 * u_replay.abs(),
        "{u_engine} vs {u_replay}"
    );

    let text = trajectory.to_json();
    let back = Trajectory::<ActiveLattice>::from_json(&text).unwrap();
    assert_eq!(back.initial(), trajectory.initial());
    assert_eq!(back.tokens(), trajectory.tokens());
    assert_eq!(back.moves(), trajectory.moves());
    // serde_json writes the shortest exact decimal of every f64, but without its
    // `float_roundtrip` feature it may read one back 1 ulp off: compare to 2 ulp.
    let close = |a: f64, b: f64| (a - b).abs() <= 4.5e-16 * a.abs().max(b.abs());
    assert_eq!(back.dt().len(), trajectory.dt().len());
    for (k, (a, b)) in back.dt().iter().zip(trajectory.dt()).enumerate() {
        assert!(close(*a, *b), "dt[{k}]: {a} vs {b}");
    }
    assert!(close(back.total_time(), trajectory.total_time()));
    assert_eq!(back.rates(), Some(ActiveLatticeRates::PAPER));
    assert!(trajectory.bytes_per_jump() <= 16.0);
}

/// Numbers the default JSON float parser reads one unit in the last place off (found by
/// tests/fuzz_parsers.rs) read back exactly: a file written from a read file is the same file.
#[test]
fn ctmc_numbers_in_files_read_back_to_the_same_value() {
    let mut v = hand_alm();
    v["model"]["rates"]["v_plus"] = json!(4.510456096041186e18);
    let once = load(&v).unwrap().to_json();
    let twice = AnyTrajectory::from_json(&once).unwrap().to_json();
    assert_eq!(once, twice);
    assert!(
        once.contains("4.510456096041186e18") || once.contains("4.510456096041186e+18"),
        "{once}"
    );
}

#[test]
fn ctmc_checkpoint_replay_equals_straight_replay() {
    let model = FredricksonAndersen::new(
        40,
        FaRates { c: 0.3 },
        SiteConfig {
            n: (0..40).map(|i| (i % 3 == 0) as u8).collect(),
        },
    )
    .unwrap();
    let mut engine = Engine::new(model, Rng::new(8));
    engine.observe(true);
    engine.advance(f64::INFINITY, 3 * CHECKPOINT_INTERVAL as u64 + 123);
    let trajectory = engine.take_trajectory().unwrap();
    let k_max = trajectory.num_jumps();
    assert_eq!(k_max, 3 * CHECKPOINT_INTERVAL + 123);

    let mut straight = trajectory.replay_from(0);
    let probes = [0, 1, 4095, 4096, 4097, 8191, 8192, 12_000, k_max];
    for k in 0..=k_max {
        if probes.contains(&k) {
            assert_eq!(trajectory.config_at(k), *straight.model().config(), "C_{k}");
            assert_eq!(trajectory.replay_from(k).k(), k);
        }
        straight.step();
    }
    let segment: Vec<_> = trajectory.configs(4090..4100).collect();
    assert_eq!(segment.len(), 10);
    for (i, c) in segment.iter().enumerate() {
        assert_eq!(*c, trajectory.config_at(4090 + i));
    }
    assert_eq!(trajectory.configs(k_max..k_max + 5).count(), 1);
    // Final configuration is the engine's.
    assert_eq!(trajectory.config_at(k_max), *engine.model().config());
}

#[test]
fn ctmc_unknown_rates_load_but_have_no_exact_u() {
    let mut v = hand_alm();
    v["model"].as_object_mut().unwrap().remove("rates");
    let t = load(&v).unwrap();
    assert_eq!(t.log_likelihood(), Err(LogLikError::UnknownRates));
    let text = t.to_json();
    assert!(!text.contains("rates"));
    assert!(load(&serde_json::from_str(&text).unwrap()).is_ok());
}

fn expect_error(v: Value, needle: &str) -> TrajectoryError {
    let err = load(&v).expect_err(needle);
    let message = err.to_string();
    assert!(
        message.contains(needle),
        "message {message:?} should contain {needle:?}"
    );
    err
}

#[test]
fn ctmc_invalid_files_are_refused_with_what_and_where() {
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = hand_alm();
        f(&mut v);
        v
    };
    assert!(matches!(
        AnyTrajectory::from_json("{not json").unwrap_err(),
        TrajectoryError::Syntax(_)
    ));
    expect_error(
        with(&|v| {
            v.as_object_mut().unwrap().remove("dt");
        }),
        "missing field `dt`",
    );
    expect_error(with(&|v| v["extra"] = json!(1)), "unknown field `extra`");
    expect_error(
        with(&|v| v["jumps"]["when"] = json!([])),
        "unknown field `when`",
    );
    expect_error(with(&|v| v["format"] = json!("csv")), "\"csv\"");
    expect_error(with(&|v| v["version"] = json!(2)), "version");
    expect_error(with(&|v| v["model"]["kind"] = json!("ising")), "\"ising\"");
    expect_error(
        with(&|v| v["model"]["rates"] = json!({"D": 0.1, "v_plus": 1.0})),
        "v_zero",
    );
    expect_error(with(&|v| v["model"]["rates"]["D"] = json!(-1.0)), "D = -1");
    expect_error(with(&|v| v["model"]["L"] = json!(1)), "L = 1");
    expect_error(with(&|v| v["T"] = json!(-1.0)), "T = -1");
    expect_error(with(&|v| v["initial"]["o"] = json!([0])), "same length");
    expect_error(
        with(&|v| v["initial"]["o"] = json!([0, 4])),
        "particle 1: orientation 4",
    );
    expect_error(
        with(&|v| v["initial"]["x"] = json!([0, 3])),
        "particle 1: site (3, 0)",
    );
    expect_error(
        with(&|v| v["initial"]["x"] = json!([1, 1])),
        "particles 0 and 1 both occupy site (1, 0)",
    );
    expect_error(with(&|v| v["initial"] = json!({"n": [0, 1]})), "initial");
    expect_error(
        with(&|v| v["jumps"]["move"] = json!([3])),
        "jumps.move has 1 entries but jumps.token has 2",
    );
    expect_error(with(&|v| v["dt"] = json!([0.5, 1.25])), "dt has 2 entries");
    expect_error(
        with(&|v| v["jumps"]["token"] = json!([0, 2])),
        "jump 1: token 2 is not a particle",
    );
    expect_error(
        with(&|v| v["jumps"]["move"] = json!([3, 6])),
        "jump 1: move 6",
    );
    expect_error(
        with(&|v| v["jumps"]["move"] = json!([2, 0])),
        "jump 0: particle 0 moves +x into occupied site (1, 0)",
    );
    expect_error(
        with(&|v| v["dt"] = json!([0.5, -0.25, 1.5])),
        "dt[1] = -0.25 is negative",
    );
    let err = expect_error(with(&|v| v["T"] = json!(1.76)), "add up to 1.75");
    assert!(matches!(err, TrajectoryError::Sum { .. }));
    // Within the 1e-9 relative tolerance:
    assert!(load(&with(&|v| v["T"] = json!(1.75 * (1.0 + 5e-10)))).is_ok());

    let fa_with = |f: &dyn Fn(&mut Value)| {
        let mut v = hand_fa();
        f(&mut v);
        v
    };
    expect_error(
        fa_with(&|v| v["jumps"]["token"] = json!([0])),
        "jump 0: site 0 flips but neither neighbour is up",
    );
    expect_error(
        fa_with(&|v| v["initial"]["n"] = json!([1, 0])),
        "n has 2 entries but L = 3",
    );
    expect_error(
        fa_with(&|v| v["initial"]["n"] = json!([1, 2, 0])),
        "site 1: n = 2",
    );
    expect_error(
        fa_with(&|v| v["model"]["rates"]["c"] = json!(1.5)),
        "c = 1.5",
    );
    expect_error(fa_with(&|v| v["initial"] = json!({"x": [0]})), "initial");
    assert!(matches!(
        Trajectory::<ActiveLattice>::from_json(&hand_fa().to_string()).unwrap_err(),
        TrajectoryError::Kind { .. }
    ));
}

#[test]
fn ctmc_hand_trajectory_replays_to_the_right_configurations() {
    let AnyTrajectory::ActiveLattice(t) = load(&hand_alm()).unwrap() else {
        panic!("kind")
    };
    assert_eq!(
        t.config_at(2),
        ParticleConfig {
            x: vec![0, 1],
            y: vec![1, 0],
            o: vec![0, 3]
        }
    );
    let model = ActiveLattice::new(3, ActiveLatticeRates::PAPER, t.config_at(1)).unwrap();
    assert_eq!(model.rate(0, 2), 10.0);
}
