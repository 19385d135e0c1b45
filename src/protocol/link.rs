//! Every setting of a run, as carried by the page's URL: `?model=active-lattice&L=30&phi=0.1244…`.
//!
//! Parsing never fails as a whole: each malformed or out-of-range value is refused with a
//! sentence for the user and its default is used instead, so a bad link still opens a page.

use crate::core::learner::{
    Activation, AttentionSink, LearnerConfig, LrSchedule, Mode, PositionInit, Range,
};
use crate::core::model::{ActiveLatticeRates, ActiveLatticeSpec, FaSpec, ModelSpec};
use crate::core::presets::Preset;
use crate::core::propagation::{EnsembleSettings, Integrator};
pub use crate::core::simulation::SimulationSettings;
use crate::core::simulation::max_recorded_time;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// Which compute backend the link asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackendPreference {
    /// WebGPU when an adapter exists, else the CPU.
    Auto,
    /// The CPU even where WebGPU exists.
    Cpu,
}

/// The longest simulated time a link may ask for.
pub const MAX_T: f64 = 1.0e6;

/// Settings of the Discover and Extrapolate views.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExploreSettings {
    /// The N_W scan trains Mode 2 for N_W = 1..=scan_max.
    pub scan_max: usize,
    /// Epochs of each scan run.
    pub scan_epochs: usize,
    /// Density of the side-by-side run.
    pub phi: f64,
    /// Total time of each run (side by side, and each sweep point).
    pub t: f64,
    /// Time before the first observable snapshot.
    pub burn_in: f64,
    /// Replicas per density.
    pub replicas: usize,
    pub seed: u64,
    /// 0: the exact loop; above 0: tau-leaping with this tau.
    pub tau: f64,
    /// Densities of the sweep (Fig. 4 of the paper).
    pub sweep: Vec<f64>,
}

impl Default for ExploreSettings {
    fn default() -> Self {
        Self {
            scan_max: 6,
            scan_epochs: 3,
            phi: 0.3,
            t: 50.0,
            burn_in: 10.0,
            replicas: 4,
            seed: 1,
            tau: 0.01,
            sweep: vec![0.124, 0.2, 0.3, 0.4, 0.5],
        }
    }
}

impl ExploreSettings {
    /// The integrator the `tau` setting names.
    pub fn integrator(&self) -> Integrator {
        if self.tau > 0.0 {
            Integrator::TauLeap { tau: self.tau }
        } else {
            Integrator::Exact
        }
    }

    /// The ensemble at density `phi` for a model of linear size `l`.
    pub fn ensemble(&self, l: usize, rates: ActiveLatticeRates, phi: f64) -> EnsembleSettings {
        EnsembleSettings {
            spec: ActiveLatticeSpec {
                l,
                phi,
                d: rates.d,
                v_plus: rates.v_plus,
                v_zero: rates.v_zero,
            },
            t_end: self.t,
            burn_in: self.burn_in,
            replicas: self.replicas,
            seed: self.seed,
            integrator: self.integrator(),
        }
    }
}

/// Discover and Extrapolate settings of the classroom preset: short runs that finish in
/// about a minute on a laptop's CPU.
pub fn classroom_explore() -> ExploreSettings {
    ExploreSettings {
        scan_max: 6,
        scan_epochs: 2,
        phi: 0.3,
        t: 30.0,
        burn_in: 5.0,
        replicas: 4,
        seed: 1,
        tau: 0.01,
        sweep: vec![0.124, 0.3, 0.5],
    }
}

/// The most densities a sweep may have.
pub const MAX_SWEEP_POINTS: usize = 20;

/// All the settings a link carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkSettings {
    pub simulation: SimulationSettings,
    pub learner: LearnerConfig,
    pub explore: ExploreSettings,
    pub backend: BackendPreference,
}

impl Default for LinkSettings {
    fn default() -> Self {
        Self {
            simulation: Preset::Paper.simulation(),
            learner: LearnerConfig::default(),
            explore: ExploreSettings::default(),
            backend: BackendPreference::Auto,
        }
    }
}

impl LinkSettings {
    /// Reads settings from decoded query pairs; returns them with one sentence per refused value.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> (Self, Vec<String>) {
        let mut reader = Reader {
            problems: Vec::new(),
        };
        let pairs: Vec<(&str, &str)> = pairs.into_iter().collect();
        let get = |key: &str| pairs.iter().rev().find(|(k, _)| *k == key).map(|(_, v)| *v);
        for (key, _) in &pairs {
            if !is_known_key(key) {
                reader.problems.push(format!(
                    "The link's setting {key:?} is not known; it was ignored."
                ));
            }
        }

        let backend = match get("backend") {
            None | Some("auto") => BackendPreference::Auto,
            Some("cpu") => BackendPreference::Cpu,
            Some(other) => {
                reader.refuse("backend", other, "one of auto, cpu", "auto");
                BackendPreference::Auto
            }
        };

        let defaults = match get("model") {
            None | Some("active-lattice") => Preset::Paper.simulation(),
            Some("fa") => Preset::FaTutorial.simulation(),
            Some(other) => {
                reader.refuse(
                    "model",
                    other,
                    "one of active-lattice, fa",
                    "active-lattice",
                );
                Preset::Paper.simulation()
            }
        };
        let model = match defaults.model {
            ModelSpec::ActiveLattice(d) => ModelSpec::ActiveLattice(ActiveLatticeSpec {
                l: reader.number(
                    get("L"),
                    "L",
                    d.l,
                    |v: usize| (2..=256).contains(&v),
                    "an integer from 2 to 256",
                ),
                phi: reader.number(
                    get("phi"),
                    "phi",
                    d.phi,
                    |v: f64| v > 0.0 && v < 1.0,
                    "a number strictly between 0 and 1",
                ),
                d: reader.number(get("D"), "D", d.d, rate_ok, "a rate from 0 to 1e4"),
                v_plus: reader.number(
                    get("v_plus"),
                    "v_plus",
                    d.v_plus,
                    rate_ok,
                    "a rate from 0 to 1e4",
                ),
                v_zero: reader.number(
                    get("v_zero"),
                    "v_zero",
                    d.v_zero,
                    rate_ok,
                    "a rate from 0 to 1e4",
                ),
            }),
            ModelSpec::Fa(d) => ModelSpec::Fa(FaSpec {
                l: reader.number(
                    get("L"),
                    "L",
                    d.l,
                    |v: usize| (3..=4096).contains(&v),
                    "an integer from 3 to 4096",
                ),
                c: reader.number(
                    get("c"),
                    "c",
                    d.c,
                    |v: f64| v > 0.0 && v < 1.0,
                    "a number strictly between 0 and 1",
                ),
            }),
        };
        let model = match model.validate() {
            Ok(()) => model,
            Err(err) => {
                reader.problems.push(format!(
                    "The link's model is not valid ({err}); the default model is used."
                ));
                defaults.model.clone()
            }
        };
        // T is bounded by the link's limit and by what a recording of this model may hold.
        let max_t = MAX_T.min(max_recorded_time(&model));
        let t = reader.number(
            get("T"),
            "T",
            defaults.t.min(max_t),
            |v: f64| v > 0.0 && v <= max_t,
            &format!(
                "a time above 0 and at most {max_t:.4} (1e6, and at most 1e7 recorded jumps for \
                 this model)"
            ),
        );
        let burn_in = reader.number(
            get("burn_in"),
            "burn_in",
            defaults.burn_in.min(t / 2.0),
            |v: f64| v >= 0.0 && v < t,
            "a time from 0 to below T",
        );
        let seed = reader.number(
            get("seed"),
            "seed",
            defaults.seed,
            |_: u64| true,
            "a whole number from 0 to 2^64 - 1",
        );

        let simulation = SimulationSettings {
            model,
            t,
            burn_in,
            seed,
        };
        let learner = reader.learner(&get);
        let explore = reader.explore(&get);
        (
            Self {
                simulation,
                learner,
                explore,
                backend,
            },
            reader.problems,
        )
    }

    /// Reads settings from a raw query string such as `?model=fa&L=10` (percent-decoding included).
    pub fn from_query(query: &str) -> (Self, Vec<String>) {
        let decoded: Vec<(String, String)> = query
            .trim_start_matches('?')
            .split('&')
            .filter(|part| !part.is_empty())
            .map(|part| {
                let (key, value) = part.split_once('=').unwrap_or((part, ""));
                (percent_decode(key), percent_decode(value))
            })
            .collect();
        Self::from_pairs(decoded.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The query string (without `?`) that restores these settings.
    pub fn to_query(&self) -> String {
        let s = &self.simulation;
        let mut query = String::new();
        match &s.model {
            ModelSpec::ActiveLattice(m) => {
                let _ = write!(
                    query,
                    "model=active-lattice&L={}&phi={}&D={}&v_plus={}&v_zero={}",
                    m.l, m.phi, m.d, m.v_plus, m.v_zero
                );
            }
            ModelSpec::Fa(m) => {
                let _ = write!(query, "model=fa&L={}&c={}", m.l, m.c);
            }
        }
        let _ = write!(query, "&T={}&burn_in={}&seed={}", s.t, s.burn_in, s.seed);
        let l = &self.learner;
        let _ = write!(
            query,
            "&mode={}&classes={}&epochs={}&lr={}&lr_schedule={}&segment={}&d_model={}&heads={}&layers={}&d_ff={}&activation={}&sink={}&pos_init={}&hard={}&clip={}&lseed={}",
            if l.mode == Mode::Mode1 { 1 } else { 2 },
            l.mode.classes().max(1),
            l.epochs,
            l.learning_rate,
            name_of(LR_SCHEDULES, l.lr_schedule),
            l.segment_len,
            l.d_model,
            l.heads,
            l.layers,
            l.d_ff,
            name_of(ACTIVATIONS, l.activation),
            name_of(SINKS, l.attention_sink),
            name_of(POSITION_INITS, l.position_init),
            u8::from(l.hard_constraint),
            l.grad_clip_norm,
            l.seed
        );
        let x = &self.explore;
        let sweep: Vec<String> = x.sweep.iter().map(f64::to_string).collect();
        let _ = write!(
            query,
            "&scan_max={}&scan_epochs={}&x_phi={}&x_T={}&x_burn_in={}&replicas={}&x_seed={}&tau={}&sweep={}",
            x.scan_max,
            x.scan_epochs,
            x.phi,
            x.t,
            x.burn_in,
            x.replicas,
            x.seed,
            x.tau,
            sweep.join(",")
        );
        if self.backend == BackendPreference::Cpu {
            query.push_str("&backend=cpu");
        }
        query
    }
}

/// The link keys of the simulation settings (the Simulate form).
pub const SIMULATION_KEYS: &[&str] = &[
    "L", "phi", "D", "v_plus", "v_zero", "c", "T", "burn_in", "seed",
];
/// The link keys of the learner settings (the Learn form).
pub const LEARNER_KEYS: &[&str] = &[
    "mode",
    "classes",
    "epochs",
    "lr",
    "lr_schedule",
    "segment",
    "d_model",
    "heads",
    "layers",
    "d_ff",
    "activation",
    "sink",
    "pos_init",
    "hard",
    "clip",
    "lseed",
];

/// The link's names of the learner's choices.
const ACTIVATIONS: &[(&str, Activation)] =
    &[("gelu", Activation::Gelu), ("relu", Activation::Relu)];
const SINKS: &[(&str, AttentionSink)] = &[
    ("learned", AttentionSink::Learned),
    ("quiet", AttentionSink::Quiet),
    ("none", AttentionSink::None),
];
const POSITION_INITS: &[(&str, PositionInit)] = &[
    ("periodic", PositionInit::Periodic),
    ("random", PositionInit::Random),
];
const LR_SCHEDULES: &[(&str, LrSchedule)] = &[
    ("cosine", LrSchedule::WarmupCosine),
    ("constant", LrSchedule::Constant),
];

fn name_of<T: PartialEq + Copy>(names: &[(&'static str, T)], value: T) -> &'static str {
    names
        .iter()
        .find(|(_, v)| *v == value)
        .map_or("", |(name, _)| name)
}
/// The link keys of the N_W scan (the Discover form).
pub const DISCOVER_KEYS: &[&str] = &["scan_max", "scan_epochs"];
/// The link keys of the propagation settings (the Extrapolate form).
pub const EXTRAPOLATE_KEYS: &[&str] = &[
    "x_phi",
    "x_T",
    "x_burn_in",
    "replicas",
    "x_seed",
    "tau",
    "sweep",
];
/// Keys that belong to no form: the model kind and the backend preference.
const OTHER_KEYS: &[&str] = &["model", "backend"];

/// Whether `key` is a setting of the link.
fn is_known_key(key: &str) -> bool {
    [
        SIMULATION_KEYS,
        LEARNER_KEYS,
        DISCOVER_KEYS,
        EXTRAPOLATE_KEYS,
        OTHER_KEYS,
    ]
    .iter()
    .any(|group| group.contains(&key))
}

fn rate_ok(v: f64) -> bool {
    (0.0..=1.0e4).contains(&v)
}

/// Collects a sentence for each refused value.
struct Reader {
    problems: Vec<String>,
}

impl Reader {
    /// The learner settings; each is checked alone against the core's range, then heads against
    /// d_model (a heads that does not divide d_model is refused alone).
    fn learner<'a>(&mut self, get: &impl Fn(&str) -> Option<&'a str>) -> LearnerConfig {
        let d = LearnerConfig::default();
        let mode = self.number(get("mode"), "mode", 1u8, |m| m == 1 || m == 2, "1 or 2");
        let classes = self.int(get("classes"), "classes", 4, LearnerConfig::CLASSES);
        let d_model = self.int(get("d_model"), "d_model", d.d_model, LearnerConfig::D_MODEL);
        let mut heads = self.int(get("heads"), "heads", d.heads, LearnerConfig::HEADS);
        if !d_model.is_multiple_of(heads) {
            let fallback = if d_model.is_multiple_of(d.heads) {
                d.heads
            } else {
                1
            };
            self.refuse(
                "heads",
                &heads.to_string(),
                "a divisor of d_model",
                &fallback.to_string(),
            );
            heads = fallback;
        }
        LearnerConfig {
            mode: if mode == 1 {
                Mode::Mode1
            } else {
                Mode::Mode2 { classes }
            },
            epochs: self.int(get("epochs"), "epochs", d.epochs, LearnerConfig::EPOCHS),
            learning_rate: self.number(
                get("lr"),
                "lr",
                d.learning_rate,
                |v: f64| v > 0.0 && v <= 1.0,
                "a number above 0 and at most 1",
            ),
            segment_len: self.int(
                get("segment"),
                "segment",
                d.segment_len,
                LearnerConfig::SEGMENT_LEN,
            ),
            d_model,
            heads,
            layers: self.int(get("layers"), "layers", d.layers, LearnerConfig::LAYERS),
            d_ff: self.int(get("d_ff"), "d_ff", d.d_ff, LearnerConfig::D_FF),
            hard_constraint: self.number(get("hard"), "hard", 0u8, |v| v <= 1, "0 or 1") == 1,
            activation: self.choice(get("activation"), "activation", ACTIVATIONS, d.activation),
            attention_sink: self.choice(get("sink"), "sink", SINKS, d.attention_sink),
            position_init: self.choice(
                get("pos_init"),
                "pos_init",
                POSITION_INITS,
                d.position_init,
            ),
            lr_schedule: self.choice(
                get("lr_schedule"),
                "lr_schedule",
                LR_SCHEDULES,
                d.lr_schedule,
            ),
            grad_clip_norm: self.number(
                get("clip"),
                "clip",
                d.grad_clip_norm,
                |v: f64| v >= 0.0 && v.is_finite(),
                "a number from 0 up (0: off)",
            ),
            seed: self.number(
                get("lseed"),
                "lseed",
                d.seed,
                |_| true,
                "a whole number from 0 to 2^64 - 1",
            ),
            ..d
        }
    }

    /// The Discover and Extrapolate settings; the burn-in must lie below T.
    fn explore<'a>(&mut self, get: &impl Fn(&str) -> Option<&'a str>) -> ExploreSettings {
        let d = ExploreSettings::default();
        let t = self.number(
            get("x_T"),
            "x_T",
            d.t,
            |v: f64| v > 0.0 && v <= MAX_T,
            "a time above 0 and at most 1e6",
        );
        let sweep = match get("sweep") {
            None => d.sweep.clone(),
            Some(raw) => {
                let parsed: Option<Vec<f64>> = raw
                    .split(',')
                    .map(|v| {
                        v.trim()
                            .parse::<f64>()
                            .ok()
                            .filter(|p| *p > 0.0 && *p < 1.0)
                    })
                    .collect();
                match parsed {
                    Some(list) if !list.is_empty() && list.len() <= MAX_SWEEP_POINTS => list,
                    _ => {
                        self.refuse(
                            "sweep",
                            raw,
                            "a comma-separated list of 1 to 20 densities strictly between 0 and 1",
                            "0.124,0.2,0.3,0.4,0.5",
                        );
                        d.sweep.clone()
                    }
                }
            }
        };
        ExploreSettings {
            scan_max: self.number(
                get("scan_max"),
                "scan_max",
                d.scan_max,
                |v| (1..=LearnerConfig::MAX_CLASSES).contains(&v),
                "an integer from 1 to 16",
            ),
            scan_epochs: self.number(
                get("scan_epochs"),
                "scan_epochs",
                d.scan_epochs,
                |v| (1..=1000).contains(&v),
                "an integer from 1 to 1000",
            ),
            phi: self.number(
                get("x_phi"),
                "x_phi",
                d.phi,
                |v: f64| v > 0.0 && v < 1.0,
                "a number strictly between 0 and 1",
            ),
            t,
            burn_in: self.number(
                get("x_burn_in"),
                "x_burn_in",
                d.burn_in.min(t / 2.0),
                |v: f64| v >= 0.0 && v < t,
                "a time from 0 to below x_T",
            ),
            replicas: self.number(
                get("replicas"),
                "replicas",
                d.replicas,
                |v| (1..=EnsembleSettings::MAX_REPLICAS).contains(&v),
                "an integer from 1 to 256",
            ),
            seed: self.number(
                get("x_seed"),
                "x_seed",
                d.seed,
                |_: u64| true,
                "a whole number from 0 to 2^64 - 1",
            ),
            tau: self.number(
                get("tau"),
                "tau",
                d.tau,
                |v: f64| (0.0..=Integrator::MAX_TAU).contains(&v),
                "a time from 0 (exact) to 10",
            ),
            sweep,
        }
    }

    fn refuse(&mut self, key: &str, value: &str, expected: &str, default: &str) {
        self.problems.push(format!(
            "The link's {key}={value:?} is not {expected}; using {default}."
        ));
    }

    /// One of a few named values; anything else is refused and `default` used.
    fn choice<T: PartialEq + Copy>(
        &mut self,
        raw: Option<&str>,
        key: &str,
        names: &[(&'static str, T)],
        default: T,
    ) -> T {
        let Some(raw) = raw else { return default };
        match names.iter().find(|(name, _)| *name == raw.trim()) {
            Some((_, value)) => *value,
            None => {
                let expected: Vec<&str> = names.iter().map(|(name, _)| *name).collect();
                let expected = format!("one of {}", expected.join(", "));
                self.refuse(key, raw, &expected, name_of(names, default));
                default
            }
        }
    }

    fn int(&mut self, raw: Option<&str>, key: &str, default: usize, range: Range) -> usize {
        self.number(raw, key, default, |v| range.contains(v), &range.describe())
    }

    fn number<T>(
        &mut self,
        raw: Option<&str>,
        key: &str,
        default: T,
        ok: impl Fn(T) -> bool,
        expected: &str,
    ) -> T
    where
        T: std::str::FromStr + Copy + std::fmt::Display,
    {
        let Some(raw) = raw else { return default };
        match raw.trim().parse::<T>() {
            Ok(value) if ok(value) => value,
            _ => {
                self.refuse(key, raw, expected, &default.to_string());
                default
            }
        }
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi * 16 + lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_through_the_query() {
        for simulation in [
            Preset::Paper.simulation(),
            Preset::Classroom.simulation(),
            Preset::FaTutorial.simulation(),
        ] {
            let settings = LinkSettings {
                simulation,
                learner: Preset::Classroom.learner(),
                explore: ExploreSettings {
                    tau: 0.0,
                    sweep: vec![0.25, 0.5],
                    ..ExploreSettings::default()
                },
                backend: BackendPreference::Cpu,
            };
            let (back, problems) = LinkSettings::from_query(&format!("?{}", settings.to_query()));
            assert!(problems.is_empty(), "{problems:?}");
            assert_eq!(back, settings);
        }
    }

    #[test]
    fn an_empty_link_gives_the_paper_preset() {
        let (settings, problems) = LinkSettings::from_query("");
        assert!(problems.is_empty());
        assert_eq!(settings, LinkSettings::default());
    }

    #[test]
    fn bad_values_are_refused_one_by_one_and_defaults_used() {
        let (settings, problems) =
            LinkSettings::from_query("?L=abc&phi=1.5&T=-3&seed=7&colour=red&backend=quantum");
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("L=\"abc\"")));
        assert!(
            problems
                .iter()
                .any(|p| p.contains("phi=\"1.5\"") && p.contains("strictly between 0 and 1"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("\"colour\" is not known"))
        );
        assert_eq!(settings.simulation.seed, 7);
        assert_eq!(settings.simulation.t, Preset::Paper.simulation().t);
        assert_eq!(settings.simulation.model, Preset::Paper.simulation().model);
    }

    #[test]
    fn a_density_too_low_for_one_particle_falls_back_to_the_default_model() {
        let (settings, problems) = LinkSettings::from_query("?L=2&phi=0.01");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(settings.simulation.model, Preset::Paper.simulation().model);
    }

    #[test]
    fn a_time_too_long_to_record_is_refused_naming_the_limit() {
        // L = 256, phi = 0.5: N = 32768 particles, at most 13.2 jumps each per unit time.
        let (settings, problems) = LinkSettings::from_query("?L=256&phi=0.5&T=1000&seed=4");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("T=") && problems[0].contains("1e7 recorded jumps"),
            "{problems:?}"
        );
        let max_t = 1.0e7 / (32768.0 * 13.2);
        assert!(
            (settings.simulation.t - max_t).abs() < 1e-9,
            "{}",
            settings.simulation.t
        );
        assert!(settings.simulation.burn_in < settings.simulation.t);
        assert_eq!(settings.simulation.seed, 4);
        let (again, problems) = LinkSettings::from_query(&settings.to_query());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(again, settings);
    }

    #[test]
    fn learner_settings_round_trip_and_bad_ones_are_refused() {
        let mut settings = LinkSettings::default();
        settings.learner.mode = Mode::Mode2 { classes: 5 };
        settings.learner.hard_constraint = true;
        settings.learner.attention_sink = AttentionSink::Quiet;
        settings.learner.position_init = PositionInit::Random;
        settings.learner.lr_schedule = LrSchedule::WarmupCosine;
        let (back, problems) = LinkSettings::from_query(&settings.to_query());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back, settings);

        let (back, problems) = LinkSettings::from_query("sink=maybe&pos_init=periodic");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("sink") && problems[0].contains("learned, quiet, none"),
            "{problems:?}"
        );
        let default = LearnerConfig::default();
        assert_eq!(back.learner.attention_sink, default.attention_sink);
        assert_eq!(back.learner.position_init, PositionInit::Periodic);

        let (back, problems) = LinkSettings::from_query("mode=3&lr=-1&d_model=30&heads=4");
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("mode=\"3\"")));
        assert!(problems.iter().any(|p| p.contains("heads")), "{problems:?}");
        // heads is refused alone: d_model = 30 stays, with 1 head (4 does not divide 30).
        assert_eq!((back.learner.d_model, back.learner.heads), (30, 1));
        assert_eq!(back.learner.mode, default.mode);
        back.learner.validate().unwrap();

        // A value past the core's range is refused for its key alone, naming the key.
        let (back, problems) = LinkSettings::from_query("segment=70000&epochs=7");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("segment") && problems[0].contains("65536"),
            "{problems:?}"
        );
        assert_eq!(back.learner.segment_len, default.segment_len);
        assert_eq!(back.learner.epochs, 7);
    }

    #[test]
    fn bad_explore_settings_are_refused() {
        let (back, problems) =
            LinkSettings::from_query("?sweep=0.2,abc&replicas=0&tau=-1&x_T=20&x_burn_in=30");
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("sweep")));
        assert_eq!(back.explore.sweep, ExploreSettings::default().sweep);
        assert_eq!(back.explore.t, 20.0);
        assert_eq!(back.explore.burn_in, 10.0);
        assert_eq!(back.explore.integrator(), Integrator::TauLeap { tau: 0.01 });
    }

    #[test]
    fn percent_encoding_is_decoded() {
        assert_eq!(percent_decode("a%20b+c%3D"), "a b c=");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
