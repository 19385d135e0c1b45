//! `jumpformer train` and `jumpformer scan`, run as the built binary on a tiny FA trajectory.

use jumpformer::core::compute::cpu_device;
use jumpformer::core::learner::{Activation, LearnedDynamics, Mode};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_jumpformer");

/// The tiny network and segments that keep every run well under a second.
const TINY: [&str; 10] = [
    "--segment",
    "64",
    "--d-model",
    "16",
    "--heads",
    "2",
    "--layers",
    "1",
    "--ff",
    "32",
];

/// A path in the temporary folder, unique to this test process and `name`; removed on drop.
struct TempPath(PathBuf);

impl TempPath {
    fn new(name: &str) -> Self {
        Self(std::env::temp_dir().join(format!(
            "jumpformer-cli-train-{}-{name}",
            std::process::id()
        )))
    }

    fn arg(&self) -> &str {
        self.0.to_str().expect("temporary paths are UTF-8")
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn jumpformer(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("the jumpformer binary runs")
}

/// Runs a command that must succeed and returns its stdout's JSON lines.
fn json_lines(args: &[&str]) -> Vec<Value> {
    let out = jumpformer(args);
    assert!(
        out.status.success(),
        "jumpformer {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("stdout is UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}")))
        .collect()
}

/// A 300-time-unit FA trajectory on a ring of 6 (a few hundred jumps).
fn tiny_fa(name: &str) -> TempPath {
    let path = TempPath::new(name);
    json_lines(&[
        "simulate",
        "--model",
        "fa",
        "--L",
        "6",
        "--c",
        "0.3",
        "--T",
        "300",
        "--seed",
        "1",
        "--out",
        path.arg(),
        "--json",
    ]);
    path
}

#[test]
fn train_reports_every_epoch_next_to_the_exact_u_and_saves_the_model() {
    let trajectory = tiny_fa("train.json");
    let model = TempPath::new("train.model");
    let mut args = vec![
        "train",
        trajectory.arg(),
        "--mode",
        "1",
        "--epochs",
        "2",
        "--json",
        "--out",
        model.arg(),
        // Any learner setting by its link name, through the table of settings.
        "--set",
        "activation=relu",
        "--set",
        "lseed=7",
    ];
    args.extend(TINY);
    let lines = json_lines(&args);
    assert_eq!(lines.len(), 2, "one line per epoch: {lines:?}");

    let exact = json_lines(&["loglik", trajectory.arg(), "--json"])[0]["U_per_T"]
        .as_f64()
        .expect("loglik reports U_per_T");
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["epoch"].as_u64(), Some(i as u64 + 1), "{line}");
        let u = line["U_per_T"].as_f64().expect("U_per_T is a number");
        assert!(u.is_finite(), "{line}");
        // The learner cannot beat the true dynamics by more than noise on the training data.
        assert!(u < exact + 0.5, "{line}");
        assert_eq!(line["exact_U_per_T"].as_f64(), Some(exact), "{line}");
        let seconds = line["seconds"].as_f64().expect("seconds is a number");
        assert!(seconds > 0.0 && seconds.is_finite(), "{line}");
        assert!(
            line.get("class_rates").is_none(),
            "Mode 1 has no classes: {line}"
        );
    }

    let bytes = std::fs::read(&model.0).expect("the model file was written");
    assert!(!bytes.is_empty());
    let learned = LearnedDynamics::from_bytes(&bytes, &cpu_device()).expect("the model loads");
    assert_eq!(learned.config().mode, Mode::Mode1);
    assert_eq!(learned.config().d_model, 16);
    assert_eq!(learned.config().activation, Activation::Relu);
    assert_eq!(learned.config().seed, 7);
    assert_eq!(learned.summary().epochs, 2);
}

#[test]
fn train_mode2_reports_class_rates() {
    let trajectory = tiny_fa("mode2.json");
    let mut args = vec![
        "train",
        trajectory.arg(),
        "--mode",
        "2",
        "--classes",
        "3",
        "--epochs",
        "1",
        "--json",
    ];
    args.extend(TINY);
    let lines = json_lines(&args);
    assert_eq!(lines.len(), 1);
    let rates = lines[0]["class_rates"]
        .as_array()
        .expect("Mode 2 reports class rates");
    assert_eq!(rates.len(), 3);
    assert!(
        rates
            .iter()
            .all(|r| r.as_f64().is_some_and(|r| r > 0.0 && r.is_finite()))
    );
}

#[test]
fn train_refuses_bad_input_with_a_message() {
    let invalid = TempPath::new("invalid.json");
    std::fs::write(
        &invalid.0,
        r#"{"format": "jumpformer-trajectory", "version": 1}"#,
    )
    .unwrap();
    let missing = TempPath::new("missing.json");
    let trajectory = tiny_fa("bad-settings.json");
    let cases: [(Vec<&str>, &str); 8] = [
        (vec!["train", invalid.arg(), "--json"], invalid.arg()),
        (vec!["train", missing.arg(), "--json"], "cannot read"),
        (vec!["train", trajectory.arg(), "--heads", "3"], "heads"),
        (vec!["train", trajectory.arg(), "--mode", "2"], "--classes"),
        (vec!["scan", trajectory.arg(), "--classes", "3..1"], "empty"),
        (
            vec!["train", trajectory.arg(), "--set", "segment=70000"],
            "segment=\"70000\" is not an integer from 1 to 65536",
        ),
        (
            vec!["train", trajectory.arg(), "--set", "phi=0.3"],
            "not a learner setting",
        ),
        (vec!["scan", trajectory.arg(), "--set", "lr"], "KEY=VALUE"),
    ];
    for (args, expected) in cases {
        let out = jumpformer(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed results");
    }
}

#[test]
fn scan_prints_one_line_per_number_of_classes() {
    let trajectory = tiny_fa("scan.json");
    let mut args = vec![
        "scan",
        trajectory.arg(),
        "--classes",
        "1..2",
        "--epochs",
        "1",
        "--json",
    ];
    args.extend(TINY);
    let mut lines = json_lines(&args);
    assert_eq!(lines.len(), 3, "{lines:?}");
    let summary = lines.pop().expect("the plateau line");
    let plateau = summary["plateau"]["classes"].as_u64();
    assert!(matches!(plateau, Some(1 | 2)), "{summary}");
    assert_eq!(summary["judged_on"], "training", "{summary}");
    let exact = json_lines(&["loglik", trajectory.arg(), "--json"])[0]["U_per_T"].as_f64();
    for (line, classes) in lines.iter().zip(1..) {
        assert_eq!(line["classes"].as_u64(), Some(classes), "{line}");
        assert!(
            line["U_per_T"].as_f64().is_some_and(f64::is_finite),
            "{line}"
        );
        assert_eq!(line["exact_U_per_T"].as_f64(), exact, "{line}");
        assert_eq!(
            line["class_rates"].as_array().map(Vec::len),
            Some(classes as usize),
            "{line}"
        );
        assert!(line["seconds"].as_f64().is_some_and(|s| s > 0.0), "{line}");
    }
}

/// The number under `key` in a JSON line of the CLI's output.
fn number(line: &Value, key: &str) -> f64 {
    line[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is a number: {line}"))
}

/// An active-lattice trajectory with the paper's rates, simulated by the CLI.
fn alm_trajectory(name: &str, l: &str, phi: &str, t: &str, seed: &str) -> TempPath {
    let trajectory = TempPath::new(name);
    json_lines(&[
        "simulate",
        "--L",
        l,
        "--phi",
        phi,
        "--T",
        t,
        "--seed",
        seed,
        "--out",
        trajectory.arg(),
        "--json",
    ]);
    trajectory
}

/// A small active-lattice trajectory: L = 10, phi = 0.25 (N = 25), T = 50, about 5e3 jumps.
fn small_alm(name: &str) -> TempPath {
    alm_trajectory(name, "10", "0.25", "50", "5")
}

/// `train --validate`: every epoch reports U/T on the held-out trajectory next to its exact
/// U/T and its occupancy-blind optimum, and the blocked leak; the saved model is the one of the
/// best held-out epoch (early stopping). Small network and trajectories, no hard constraint.
#[test]
fn train_with_a_held_out_trajectory_keeps_the_best_held_out_epoch() {
    let training = alm_trajectory("held-train.json", "8", "0.25", "10", "3");
    let held_out = alm_trajectory("held-out.json", "8", "0.25", "10", "4");
    let model = TempPath::new("held.model");
    let mut args = vec![
        "train",
        training.arg(),
        "--validate",
        held_out.arg(),
        "--epochs",
        "4",
        "--lr",
        "1e-2",
        "--json",
        "--out",
        model.arg(),
    ];
    args.extend(TINY);
    let lines = json_lines(&args);
    assert_eq!(lines.len(), 4);
    let val_exact = number(&lines[0], "val_exact_U_per_T");
    let blind = number(&lines[0], "blind_U_per_T");
    let val_blind = number(&lines[0], "val_blind_U_per_T");
    assert!(blind < number(&lines[0], "exact_U_per_T"));
    assert!(val_blind < val_exact);
    let mut best = (0, f64::NEG_INFINITY);
    for line in &lines {
        assert_eq!(number(line, "val_exact_U_per_T"), val_exact);
        assert!(number(line, "blocked_leak") > 0.0, "{line}");
        assert!(number(line, "val_blocked_leak") > 0.0, "{line}");
        // Random position tables tie rates to sites: shifting the lattice moves some rate.
        assert!(number(line, "translation_spread") > 0.0, "{line}");
        let val = number(line, "val_U_per_T");
        if val > best.1 {
            best = (line["epoch"].as_u64().expect("epoch"), val);
        }
        assert_eq!(line["kept_epoch"].as_u64(), Some(best.0), "{line}");
    }
    let bytes = std::fs::read(&model.0).expect("the model file was written");
    let learned = LearnedDynamics::from_bytes(&bytes, &cpu_device()).expect("the model loads");
    assert_eq!(learned.summary().epochs as u64, best.0);
}

/// The classroom preset's network (d_model 32, one layer, constant learning rate) with the hard
/// constraint.
const CLASSROOM: [&str; 15] = [
    "--d-model",
    "32",
    "--heads",
    "2",
    "--ff",
    "64",
    "--layers",
    "1",
    "--lr",
    "3e-3",
    "--lr-schedule",
    "constant",
    "--segment",
    "64",
    "--hard-constraint",
];

/// Mode 1 with the hard constraint on the small active-lattice trajectory, two epochs of a small
/// network: U/T within 1% of the exact U/T. Measured (burn's encoder, before model file version
/// 3): 103.38 after one epoch and 103.41 after two, against exact 102.93 (0.5%). Longer training overfits this short trajectory and passes the
/// exact value (106.9 after six epochs): the true rates are not the maximum of U on finite data.
#[test]
fn mode1_learns_an_active_lattice_trajectory_to_within_one_percent() {
    let trajectory = small_alm("mode1-alm.json");
    let mut args = vec![
        "train",
        trajectory.arg(),
        "--mode",
        "1",
        "--epochs",
        "2",
        "--json",
    ];
    args.extend(CLASSROOM);
    let lines = json_lines(&args);
    let last = lines.last().expect("two epochs");
    let u = last["U_per_T"].as_f64().expect("a number");
    let exact = last["exact_U_per_T"].as_f64().expect("the rates are known");
    assert!(
        (u - exact).abs() <= 0.01 * exact.abs(),
        "U/T {u} vs exact {exact}"
    );
}

/// The N_W scan on the classroom trajectory (L = 12, phi = 0.1244, N = 18, paper rates, T = 100,
/// seed 1: 18,447 jumps), Mode 2 with the hard constraint and the classroom network, two epochs
/// per N_W. With blocked moves masked the model has three processes with a non-zero rate
/// (D, v_plus, v_zero), so the curve should rise to N_W = 3 and stay flat after it.
///
/// Measured (release build, same seeds, burn's encoder before model file version 3), exact U/T
/// 116.07:
/// -64.72, 98.87, 116.07, 116.05, 116.01, 116.04; the N_W = 3 class rates are 0.0945, 1.020,
/// 10.21 (true 0.1, 1, 10). Tolerances: N_W = 3 within 2% of the exact U/T; every N_W above 3
/// within 2% of N_W = 3 (flat); the N_W = 3 class rates within 10% of the true rates.
#[test]
fn the_nw_scan_of_the_classroom_trajectory_flattens_at_three_processes() {
    let trajectory = alm_trajectory("scan-classroom.json", "12", "0.1244", "100", "1");
    let mut args = vec![
        "scan",
        trajectory.arg(),
        "--classes",
        "1..6",
        "--epochs",
        "2",
        "--json",
    ];
    args.extend(CLASSROOM);
    let mut lines = json_lines(&args);
    assert_eq!(lines.len(), 7);
    let summary = lines.pop().expect("the plateau line");
    assert_eq!(summary["plateau"]["classes"].as_u64(), Some(3), "{summary}");
    let exact = lines[0]["exact_U_per_T"]
        .as_f64()
        .expect("the rates are known");
    let u: Vec<f64> = lines
        .iter()
        .map(|l| l["U_per_T"].as_f64().expect("a number"))
        .collect();
    let tolerance = 0.02 * exact.abs();
    assert!(u[0] < u[1] && u[1] < u[2], "rises to N_W = 3: {u:?}");
    assert!(
        (u[2] - exact).abs() <= tolerance,
        "N_W = 3: {} vs exact {exact}",
        u[2]
    );
    for (k, &v) in u.iter().enumerate().skip(3) {
        assert!(
            (v - u[2]).abs() <= tolerance,
            "N_W = {} is off the plateau: {u:?}",
            k + 1
        );
    }
    let rates: Vec<f64> = lines[2]["class_rates"]
        .as_array()
        .expect("class rates")
        .iter()
        .filter_map(|r| r.as_f64())
        .collect();
    let mut sorted = rates.clone();
    sorted.sort_by(f64::total_cmp);
    for (learned, truth) in sorted.iter().zip([0.1, 1.0, 10.0]) {
        assert!(
            (learned / truth - 1.0).abs() <= 0.1,
            "N_W = 3 class rates {rates:?} vs D, v_zero, v_plus = 0.1, 1, 10"
        );
    }
}

/// The authors' FA tutorial setting (L = 10, c = 0.3, T = 1e4; 26,109 jumps with seed 1), Mode 1
/// with the default network and the hard constraint (unfacilitated flips masked): within 0.01 of
/// the exact U/T after 4 epochs. Measured (burn's encoder, before model file version 3):
/// -4.1857, -4.1131, -4.0969, -4.0910 against exact
/// -4.0896 (the authors' PyTorch tutorial: -4.070 against -4.0647 after 10 epochs). Without the
/// hard constraint it takes about 8 epochs (-4.0883 at epoch 8).
#[test]
fn mode1_fa_tutorial_reaches_the_exact_u_per_t_within_0_01_in_four_epochs() {
    let trajectory = TempPath::new("fa-tutorial.json");
    json_lines(&[
        "simulate",
        "--model",
        "fa",
        "--seed",
        "1",
        "--out",
        trajectory.arg(),
        "--json",
    ]);
    let lines = json_lines(&[
        "train",
        trajectory.arg(),
        "--mode",
        "1",
        "--epochs",
        "4",
        "--hard-constraint",
        "--json",
    ]);
    let last = lines.last().expect("four epochs");
    let u = last["U_per_T"].as_f64().expect("a number");
    let exact = last["exact_U_per_T"].as_f64().expect("the rates are known");
    assert!((u - exact).abs() < 0.01, "U/T {u} vs exact {exact}");
}

/// `--preset` gives the command line the page's presets: the classroom run is the page's
/// (N = 18, T = 100, burn-in 10, the same U/T as the page's classroom trajectory), flags change
/// it, and a model that contradicts the preset is refused.
#[test]
fn presets_start_the_cli_where_the_page_starts() {
    let run = &json_lines(&["simulate", "--preset", "classroom", "--json"])[0];
    assert_eq!(run["N"], 18);
    assert_eq!(run["T"], 100.0);
    assert_eq!(run["seed"], 1);
    // The page's classroom trajectory (seed 1) has exact U/T 116.0715 (README, browser tests).
    let u = run["U_per_T"].as_f64().unwrap();
    assert!((u - 116.0715).abs() < 1e-3, "{u}");
    let shorter = &json_lines(&["simulate", "--preset", "classroom", "--T", "20", "--json"])[0];
    assert_eq!(shorter["T"], 20.0);
    assert_eq!(shorter["N"], 18);
    let out = jumpformer(&[
        "simulate",
        "--preset",
        "fa-tutorial",
        "--model",
        "active-lattice",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--preset fa-tutorial"));

    let file = TempPath::new("preset-fa.json");
    let fa = &json_lines(&[
        "simulate",
        "--preset",
        "fa-tutorial",
        "--T",
        "200",
        "--out",
        file.arg(),
        "--json",
    ])[0];
    assert_eq!(fa["N"], 10);
    let model = TempPath::new("preset.jfmodel");
    json_lines(&[
        "train",
        file.arg(),
        "--preset",
        "classroom",
        "--epochs",
        "1",
        "--out",
        model.arg(),
        "--json",
    ]);
    let bytes = std::fs::read(&model.0).unwrap();
    let learned = LearnedDynamics::from_bytes(&bytes, &cpu_device()).unwrap();
    let config = learned.config();
    assert_eq!((config.d_model, config.heads, config.layers), (32, 2, 1));
    assert!(
        config.hard_constraint,
        "the classroom learner has the prior"
    );
}

/// `train` says which priors it was given: none by default; the hard constraint and translated
/// copies by name when asked for, and the saved model carries them.
#[test]
fn train_names_the_priors_it_is_given() {
    let file = TempPath::new("priors-fa.json");
    json_lines(&[
        "simulate",
        "--model",
        "fa",
        "--L",
        "8",
        "--T",
        "100",
        "--out",
        file.arg(),
        "--json",
    ]);
    let text = |extra: &[&str]| {
        let mut args = vec!["train", file.arg(), "--epochs", "1", "--d-model", "16"];
        args.extend_from_slice(extra);
        let out = jumpformer(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(text(&[]).contains("No priors: the network is told nothing of the rules."));
    let model = TempPath::new("priors.jfmodel");
    let given = text(&[
        "--hard-constraint",
        "--augment",
        "translations",
        "--out",
        model.arg(),
    ]);
    assert!(
        given.contains(
            "Priors given, not learned: the exclusion rule (hard constraint); translational \
             invariance (translated copies)."
        ),
        "{given}"
    );
    let learned =
        LearnedDynamics::from_bytes(&std::fs::read(&model.0).unwrap(), &cpu_device()).unwrap();
    assert_eq!(learned.config().priors().len(), 2);
}

/// A Mode 2 scan of an active lattice says, per N_W, where each true kind of move falls among
/// the kept network's classes on the held-out trajectory: every candidate move of the examined
/// configurations is counted once, in one of the N_W classes.
#[test]
fn scan_reports_where_each_kind_of_move_falls() {
    let training = alm_trajectory("member-train.json", "8", "0.25", "5", "3");
    let held_out = alm_trajectory("member-held.json", "8", "0.25", "5", "4");
    let mut args = vec![
        "scan",
        training.arg(),
        "--validate",
        held_out.arg(),
        "--classes",
        "2",
        "--epochs",
        "1",
        "--json",
    ];
    args.extend(TINY);
    let lines = json_lines(&args);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let membership = &lines[0]["membership"];
    let counts: Vec<Vec<u64>> = serde_json::from_value(membership["counts"].clone())
        .unwrap_or_else(|e| panic!("membership counts: {e}: {membership}"));
    assert_eq!(counts.len(), 4, "one row per kind of move: {membership}");
    assert!(counts.iter().all(|row| row.len() == 2), "{membership}");
    let configs = membership["configs"].as_u64().expect("configs");
    // L = 8, phi = 0.25: N = 16 particles, 6 candidate moves each.
    let moves: u64 = counts.iter().flatten().sum();
    assert_eq!(moves, configs * 16 * 6, "{membership}");
    assert_eq!(membership["class_rates"].as_array().map(Vec::len), Some(2));
}

/// The paper's central claim at a size CI can afford: with no prior, the network learns that a
/// particle cannot step onto an occupied site, judged on held-out data. A small dense lattice
/// (L = 6, phi = 0.25: N = 9, paper rates, T = 500, about 38,000 jumps; held-out seed 2), the
/// classroom network without the hard constraint, three epochs at a constant learning rate.
///
/// The bar is the held-out trajectory's occupancy-blind optimum: the maximum likelihood of that
/// very trajectory over every learner that knows each move's kind but not whether its target is
/// occupied. It is an exact bound, not an estimate, so a held-out U/T above it can only come
/// from occupancy. Measured (release build; held-out exact 42.57, blind 9.67): 9.49, 12.39,
/// 20.90, blocked leak 25.5, 22.7, 15.7. Over learner seeds 1-3 and the two files swapped the
/// third epoch cleared the blind optimum by 8.9 to 16.6, so the margin asked here is 5; the
/// leak must fall by a fifth (it fell by 26-54%).
///
/// Then Discover's warm start: a scan of N_W = 4 for two epochs that starts from this network's
/// embeddings and encoder clears the same bound by 5 (measured 21.34 against 9.67; from scratch
/// the same scan gave -26.67, and N_W = 3 gave 9.66, the blind optimum).
#[test]
fn without_priors_the_network_learns_excluded_volume_on_held_out_data() {
    let training = alm_trajectory("exclusion-train.json", "6", "0.25", "500", "1");
    let held_out = alm_trajectory("exclusion-held.json", "6", "0.25", "500", "2");
    let model = TempPath::new("exclusion.model");
    let mut args = vec![
        "train",
        training.arg(),
        "--validate",
        held_out.arg(),
        "--epochs",
        "3",
        "--json",
        "--out",
        model.arg(),
    ];
    args.extend(CLASSROOM.iter().filter(|&&a| a != "--hard-constraint"));
    let lines = json_lines(&args);
    assert_eq!(lines.len(), 3);
    let last = &lines[2];
    let kept = lines
        .iter()
        .find(|l| l["epoch"] == last["kept_epoch"])
        .expect("the kept epoch is one of the run's");
    let (val, blind) = (
        number(kept, "val_U_per_T"),
        number(kept, "val_blind_U_per_T"),
    );
    assert!(
        val >= blind + 5.0,
        "held-out U/T {val} does not clear the occupancy-blind optimum {blind} by 5 \
         (exact {})",
        number(kept, "val_exact_U_per_T")
    );
    let (leak_first, leak_kept) = (
        number(&lines[0], "val_blocked_leak"),
        number(kept, "val_blocked_leak"),
    );
    assert!(
        leak_kept <= 0.8 * leak_first,
        "blocked leak {leak_first} -> {leak_kept}"
    );

    let mut args = vec![
        "scan",
        training.arg(),
        "--validate",
        held_out.arg(),
        "--classes",
        "4",
        "--epochs",
        "2",
        "--warm-start",
        model.arg(),
        "--json",
    ];
    args.extend(CLASSROOM.iter().filter(|&&a| a != "--hard-constraint"));
    let lines = json_lines(&args);
    let val = number(&lines[0], "val_U_per_T");
    assert!(
        val >= blind + 5.0,
        "warm-started N_W = 4: held-out U/T {val} vs occupancy-blind optimum {blind}"
    );
}
