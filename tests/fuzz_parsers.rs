//! Fuzzing of every parser of outside input: trajectory files, model files and links.
//!
//! Inputs are structure-aware: valid files and links, then mutated (a value replaced by an
//! extreme or ill-typed one, an array lengthened or cut, bytes flipped, the text truncated).
//! Every input must give `Ok` or a typed error: no panic, no hang, and no allocation beyond
//! what the input's own size pays for. What is accepted must also write back to an input that
//! reads to the same thing.
//!
//! CI runs a few thousand cases per parser. The long run (at least 10^6 executions each):
//!
//! ```text
//! PROPTEST_CASES=1000000 cargo test --release --test fuzz_parsers
//! ```

use jumpformer::core::compute::cpu_device;
use jumpformer::core::ctmc::Engine;
use jumpformer::core::learner::{LearnedDynamics, LearnerConfig, Trainer};
use jumpformer::core::model::{ActiveLatticeSpec, FaSpec};
use jumpformer::core::rng::Rng;
use jumpformer::core::trajectory::{AnyTrajectory, Trajectory};
use jumpformer::protocol::link::{LinkSettings, SETTINGS};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use std::sync::{Arc, OnceLock};

/// Cases per parser unless `PROPTEST_CASES` says otherwise.
fn config(default_cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

fn alm_file() -> &'static Value {
    static FILE: OnceLock<Value> = OnceLock::new();
    FILE.get_or_init(|| {
        let mut rng = Rng::new(5);
        let spec = ActiveLatticeSpec {
            l: 4,
            ..ActiveLatticeSpec::paper(0.25)
        };
        let mut engine = Engine::new(spec.build(&mut rng).unwrap(), rng);
        engine.observe(true);
        engine.advance_to(0.5);
        serde_json::from_str(&engine.take_trajectory().unwrap().to_json()).unwrap()
    })
}

fn fa_file() -> &'static Value {
    static FILE: OnceLock<Value> = OnceLock::new();
    FILE.get_or_init(|| {
        let mut rng = Rng::new(6);
        let spec = FaSpec { l: 5, c: 0.4 };
        let mut engine = Engine::new(spec.build(&mut rng).unwrap(), rng);
        engine.observe(true);
        engine.advance_to(20.0);
        serde_json::from_str(&engine.take_trajectory().unwrap().to_json()).unwrap()
    })
}

/// Values that break assumptions: huge, negative, fractional, ill-typed.
fn nasty_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(1)),
        Just(json!(2)),
        Just(json!(3)),
        Just(json!(4)),
        Just(json!(6)),
        Just(json!(255)),
        Just(json!(256)),
        Just(json!(65_536)),
        Just(json!(u32::MAX)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(1e300)),
        Just(json!(-1e300)),
        Just(json!(1e-300)),
        Just(json!(0.5)),
        Just(json!(-0.0)),
        Just(json!(f64::MAX)),
        Just(json!(null)),
        Just(json!(true)),
        Just(json!("NaN")),
        Just(json!("")),
        Just(json!([])),
        Just(json!({})),
        Just(json!([1, 2, 3])),
        any::<i64>().prop_map(|v| json!(v)),
        any::<f64>().prop_map(|v| json!(v)),
        (0u64..40).prop_map(|v| json!(v)),
    ]
}

/// One edit of a JSON document.
#[derive(Debug, Clone)]
enum Edit {
    /// Replace the value at the `n`-th node (in document order) by `value`.
    Replace(usize, Value),
    /// Remove the `n`-th node from its parent.
    Remove(usize),
    /// Append `value` `times` times to the `n`-th array, or cut it to `times` elements.
    Grow(usize, Value, usize),
    Cut(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), nasty_value()).prop_map(|(n, v)| Edit::Replace(n, v)),
        1 => any::<usize>().prop_map(Edit::Remove),
        1 => (any::<usize>(), nasty_value(), 1usize..4).prop_map(|(n, v, t)| Edit::Grow(n, v, t)),
        1 => (any::<usize>(), 0usize..4).prop_map(|(n, t)| Edit::Cut(n, t)),
    ]
}

fn count(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count).sum(),
        Value::Object(map) => map.values().map(count).sum(),
        _ => 0,
    }
}

/// Applies `edit` to node `*n` counting down in document order; true once applied.
fn apply(value: &mut Value, n: &mut usize, edit: &Edit) -> bool {
    if *n == 0 {
        match edit {
            Edit::Replace(_, v) => *value = v.clone(),
            Edit::Grow(_, v, times) => match value {
                Value::Array(items) => items.extend(std::iter::repeat_n(v.clone(), *times)),
                _ => *value = v.clone(),
            },
            Edit::Cut(_, len) => match value {
                Value::Array(items) => items.truncate(*len),
                _ => *value = Value::Null,
            },
            Edit::Remove(_) => *value = Value::Null,
        }
        return true;
    }
    *n -= 1;
    let removing = matches!(edit, Edit::Remove(_));
    match value {
        Value::Array(items) => {
            for i in 0..items.len() {
                if removing && *n == 0 {
                    items.remove(i);
                    return true;
                }
                if apply(&mut items[i], n, edit) {
                    return true;
                }
            }
        }
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                if removing && *n == 0 {
                    map.remove(&key);
                    return true;
                }
                if apply(map.get_mut(&key).expect("key listed"), n, edit) {
                    return true;
                }
            }
        }
        _ => {}
    }
    false
}

fn mutated(base: &Value, edits: &[Edit]) -> Value {
    let mut doc = base.clone();
    for e in edits {
        let target = match e {
            Edit::Replace(n, _) | Edit::Remove(n) | Edit::Grow(n, _, _) | Edit::Cut(n, _) => *n,
        };
        let mut n = target % count(&doc);
        apply(&mut doc, &mut n, e);
    }
    doc
}

/// Reads a trajectory text; what is accepted must write back and read back the same.
fn check_trajectory_text(text: &str) {
    if let Ok(trajectory) = AnyTrajectory::from_json(text) {
        let again = AnyTrajectory::from_json(&trajectory.to_json())
            .expect("an accepted trajectory writes back readable");
        assert_eq!(again.to_json(), trajectory.to_json());
    }
}

#[test]
fn trajectory_files_with_edited_values_never_panic() {
    let mut runner = TestRunner::new(config(3000));
    let strategy = (
        prop_oneof![Just(0usize), Just(1usize)],
        prop::collection::vec(edit(), 1..4),
    );
    runner
        .run(&strategy, |(which, edits)| {
            let base = if which == 0 { alm_file() } else { fa_file() };
            check_trajectory_text(&mutated(base, &edits).to_string());
            Ok(())
        })
        .unwrap();
}

#[test]
fn trajectory_files_with_damaged_bytes_never_panic() {
    let mut runner = TestRunner::new(config(3000));
    let strategy = (
        prop_oneof![Just(0usize), Just(1usize)],
        any::<usize>(),
        prop::collection::vec((any::<usize>(), any::<u8>()), 0..4),
    );
    runner
        .run(&strategy, |(which, cut, flips)| {
            let base = if which == 0 { alm_file() } else { fa_file() };
            let mut bytes = base.to_string().into_bytes();
            for (at, byte) in flips {
                let i = at % bytes.len();
                bytes[i] = byte;
            }
            bytes.truncate(cut % (bytes.len() + 1));
            check_trajectory_text(&String::from_utf8_lossy(&bytes));
            Ok(())
        })
        .unwrap();
}

/// A small trained-shape model file (fresh weights) on an FA trajectory.
fn model_file() -> &'static Vec<u8> {
    static FILE: OnceLock<Vec<u8>> = OnceLock::new();
    FILE.get_or_init(|| {
        let trajectory: Trajectory<jumpformer::core::model::FredricksonAndersen> =
            Trajectory::from_json(&fa_file().to_string()).unwrap();
        let config = LearnerConfig {
            d_model: 8,
            heads: 2,
            layers: 1,
            d_ff: 8,
            ..LearnerConfig::default()
        };
        let trainer = Trainer::new(config, Arc::new(trajectory), cpu_device(), None).unwrap();
        pollster::block_on(trainer.learned().to_bytes()).unwrap()
    })
}

fn split_model(bytes: &[u8]) -> (Value, Vec<u8>) {
    let newline = bytes.iter().position(|&b| b == b'\n').unwrap();
    (
        serde_json::from_slice(&bytes[..newline]).unwrap(),
        bytes[newline + 1..].to_vec(),
    )
}

fn check_model_bytes(bytes: &[u8]) {
    let device = cpu_device();
    if let Ok(model) = LearnedDynamics::from_bytes(bytes, &device) {
        let again = pollster::block_on(model.to_bytes()).expect("an accepted model writes back");
        LearnedDynamics::from_bytes(&again, &device).expect("and reads back");
    }
}

#[test]
fn model_files_with_edited_headers_never_panic_or_overallocate() {
    let (header, weights) = split_model(model_file());
    let mut runner = TestRunner::new(config(2000));
    let strategy = (
        prop::collection::vec(edit(), 1..4),
        prop_oneof![Just(None), (0usize..2000).prop_map(Some)],
    );
    runner
        .run(&strategy, |(edits, weights_len)| {
            let mut bytes = mutated(&header, &edits).to_string().into_bytes();
            bytes.push(b'\n');
            let mut w = weights.clone();
            if let Some(len) = weights_len {
                w.resize(len, 0x7f);
            }
            bytes.extend_from_slice(&w);
            check_model_bytes(&bytes);
            Ok(())
        })
        .unwrap();
}

#[test]
fn model_files_with_damaged_weights_never_panic() {
    let file = model_file();
    let mut runner = TestRunner::new(config(2000));
    let strategy = (
        any::<usize>(),
        prop::collection::vec((any::<usize>(), any::<u8>()), 0..6),
    );
    runner
        .run(&strategy, |(cut, flips)| {
            let mut bytes = file.clone();
            for (at, byte) in flips {
                let i = at % bytes.len();
                bytes[i] = byte;
            }
            bytes.truncate(cut % (bytes.len() + 1));
            check_model_bytes(&bytes);
            Ok(())
        })
        .unwrap();
}

/// Keys a link may carry (the table of settings, so none is missed), and a few it may not.
fn link_keys() -> Vec<&'static str> {
    SETTINGS
        .iter()
        .map(|s| s.key)
        .chain(["preset", "embed", "%", ""])
        .collect()
}

fn link_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[1-9][0-9]{0,5}",
        "[0-9]{1,25}",
        "-?[0-9]{0,6}\\.?[0-9]{0,6}(e-?[0-9]{1,3})?",
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("-inf".to_string()),
        Just("1e400".to_string()),
        Just("0.1,0.2,NaN".to_string()),
        Just("%ZZ%".to_string()),
        Just("%E2%82".to_string()),
        Just("fa".to_string()),
        Just("active-lattice".to_string()),
        Just("cpu".to_string()),
        ".{0,12}",
    ]
}

/// Whatever a link says, the page opens with settings that are all in range: written back to
/// a link, they read again to themselves with no complaint. A bad value is refused for its key
/// alone: three good values at the end of the link (one per group of settings) are kept
/// whatever comes before them.
#[test]
fn links_never_panic_and_what_they_give_is_valid() {
    let mut runner = TestRunner::new(config(5000));
    let strategy = prop::collection::vec(
        (
            prop::sample::select(link_keys()),
            link_value(),
            any::<bool>(),
        ),
        0..12,
    );
    runner
        .run(&strategy, |pairs| {
            let query: String = pairs
                .iter()
                .map(|(k, v, raw)| {
                    if *raw {
                        format!("{k}={v}")
                    } else {
                        format!("{k}={}", v.replace('&', "%26"))
                    }
                })
                .collect::<Vec<_>>()
                .join("&");
            let query = format!("{query}&epochs=7&seed=9&replicas=3");
            let (settings, problems) = LinkSettings::from_query(&query);
            prop_assert!(
                settings.learner.epochs == 7
                    && settings.simulation.seed == 9
                    && settings.explore.replicas == 3,
                "{query:?}: a good value was lost ({problems:?})"
            );
            let written = settings.to_query();
            let (again, problems) = LinkSettings::from_query(&written);
            prop_assert!(
                problems.is_empty(),
                "{query:?} gave settings whose link {written:?} is refused: {problems:?}"
            );
            prop_assert_eq!(again, settings);
            Ok(())
        })
        .unwrap();
}
