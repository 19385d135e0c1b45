//! The table of settings: one entry per setting, with its link key, its label and help for the
//! forms, its group (which form shows it), and how it is read (with its allowed range) and
//! written. Adding a setting is adding one entry here (and its field in the core type).

use super::{BackendPreference, MAX_SWEEP_POINTS, MAX_T, Settings};
use crate::core::learner::{
    Activation, AttentionSink, Augmentation, LearnerConfig, LrSchedule, Mode, OptimizerKind,
    PositionInit, Range,
};
use crate::core::model::{ModelKind, ModelSpec};
use crate::core::presets::Preset;
use crate::core::propagation::{EnsembleSettings, Integrator};
use crate::core::simulation::max_recorded_time;

/// Which form shows a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// The model kind and the backend: chosen by their own controls.
    General,
    Simulation,
    Learner,
    Discover,
    Extrapolate,
}

/// How a form shows a setting, to fit its values.
#[derive(Clone, Copy)]
pub enum Control {
    /// A number typed in a field, with its unit after it ("" for none) and its range below.
    Number { unit: &'static str },
    /// A slider over `min..=max` in steps of `step` beside a field with its value: for the
    /// parameters a class varies by hand. The field still takes any valid value.
    Slider { min: f64, max: f64, step: f64 },
    /// One of a few values, each as `(value, label)`.
    Choice(fn() -> Vec<(&'static str, &'static str)>),
    /// On (`1`) or off (`0`).
    Switch,
    /// Free text, e.g. a list of densities.
    Text,
}

/// A number without a unit.
const NUMBER: Control = Control::Number { unit: "" };
/// A time in the model's units.
const TIME: Control = Control::Number { unit: "model time" };

/// One setting of a run.
pub struct Setting {
    /// Its name in a link and in the CLI's `--set KEY=VALUE`.
    pub key: &'static str,
    /// Its label in the forms.
    pub label: &'static str,
    /// One sentence on what it does (the forms' tooltip, the CLI's list of settings).
    pub help: &'static str,
    pub group: Group,
    /// Sets the value from text; on refusal, says what was expected ("an integer from 1 to 16").
    pub read: fn(&mut Settings, &str) -> Result<(), String>,
    /// The value as text; `None` where the setting does not apply (e.g. `c` of an active lattice).
    pub write: fn(&Settings) -> Option<String>,
    /// Brings the current value in line with the settings read before it (e.g. a burn-in below
    /// a shorter T), whether or not a value is given; may add a sentence for the user.
    pub fit: Option<fn(&mut Settings, &mut Vec<String>)>,
    /// The form's control for it.
    pub control: Control,
    /// Folded away in the form (the network, the optimiser, seeds of the learner).
    pub advanced: bool,
}

impl Setting {
    /// The same setting shown with `control`.
    const fn with(self, control: Control) -> Self {
        Setting { control, ..self }
    }

    /// The same setting, folded away in the form.
    const fn advanced(self) -> Self {
        Setting {
            advanced: true,
            ..self
        }
    }

    /// What a value must be, as the reader says when refusing one (e.g. "an integer from 2 to
    /// 256"), for the settings `current`; `None` for a setting that refuses nothing.
    pub fn expected(&self, current: &Settings) -> Option<String> {
        (self.read)(&mut current.clone(), "").err()
    }
}

/// The keys of `group` that apply to `settings` (its model), in table order.
pub fn keys_of(group: Group, settings: &Settings) -> Vec<&'static str> {
    SETTINGS
        .iter()
        .filter(|s| s.group == group && (s.write)(settings).is_some())
        .map(|s| s.key)
        .collect()
}

/// The entry of `key`.
pub fn setting(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.key == key)
}

fn parse<T: std::str::FromStr>(raw: &str, expected: impl Into<String>) -> Result<T, String> {
    raw.trim().parse().map_err(|_| expected.into())
}

fn whole(raw: &str, range: Range) -> Result<usize, String> {
    parse(raw, range.describe()).and_then(|v| {
        if range.contains(v) {
            Ok(v)
        } else {
            Err(range.describe())
        }
    })
}

/// A switch's value in a link: 0 or 1.
fn switch(raw: &str) -> Result<bool, String> {
    match parse::<u8>(raw, "0 or 1")? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err("0 or 1".into()),
    }
}

fn real(raw: &str, ok: impl Fn(f64) -> bool, expected: &str) -> Result<f64, String> {
    parse::<f64>(raw, expected).and_then(|v| {
        if v.is_finite() && ok(v) {
            Ok(v)
        } else {
            Err(expected.to_string())
        }
    })
}

const SEED: &str = "a whole number from 0 to 2^64 - 1";
const DENSITY: &str = "a number strictly between 0 and 1";
const RATE: &str = "a rate from 0 to 1e4";

fn rate(raw: &str) -> Result<f64, String> {
    real(raw, |v| (0.0..=1.0e4).contains(&v), RATE)
}

/// One of a few named values.
fn choice<T: Copy>(raw: &str, names: &[(&'static str, T)]) -> Result<T, String> {
    names
        .iter()
        .find(|(name, _)| *name == raw.trim())
        .map(|(_, value)| *value)
        .ok_or_else(|| {
            let all: Vec<&str> = names.iter().map(|(name, _)| *name).collect();
            format!("one of {}", all.join(", "))
        })
}

fn name_of<T: PartialEq>(names: &[(&'static str, T)], value: &T) -> String {
    names
        .iter()
        .find(|(_, v)| v == value)
        .map_or_else(String::new, |(name, _)| (*name).to_string())
}

const BACKENDS: &[(&str, BackendPreference)] = &[
    ("auto", BackendPreference::Auto),
    ("cpu", BackendPreference::Cpu),
];
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
const AUGMENTATIONS: &[(&str, Augmentation)] = &[
    ("translations", Augmentation::Translations),
    ("none", Augmentation::None),
];
const OPTIMIZERS: &[(&str, OptimizerKind)] = &[
    ("adam", OptimizerKind::Adam),
    ("adabelief", OptimizerKind::AdaBelief),
];
const LR_SCHEDULES: &[(&str, LrSchedule)] = &[
    ("by_mode", LrSchedule::ByMode),
    ("cosine", LrSchedule::WarmupCosine),
    ("constant", LrSchedule::Constant),
];

/// The largest T a recording of the current model may have.
fn max_t(s: &Settings) -> f64 {
    MAX_T.min(max_recorded_time(&s.simulation.model))
}

/// A setting kept in one field of [`Settings`] (`$($field).+`), read by `$parse` (text to the
/// value, or what was expected) and written with `to_string`.
macro_rules! field {
    ($key:literal, $label:literal, $help:literal, $group:ident, $($field:ident).+, $parse:expr) => {
        Setting {
            key: $key,
            label: $label,
            help: $help,
            group: Group::$group,
            read: |s, raw| {
                s.$($field).+ = ($parse)(raw)?;
                Ok(())
            },
            write: |s| Some(s.$($field).+.to_string()),
            control: NUMBER,
            advanced: false,
            fit: None,
        }
    };
}

/// A setting kept in one field, one of the named values of `$names`.
macro_rules! named {
    ($key:literal, $label:literal, $help:literal, $group:ident, $($field:ident).+, $names:ident) => {
        Setting {
            key: $key,
            label: $label,
            help: $help,
            group: Group::$group,
            read: |s, raw| {
                s.$($field).+ = choice(raw, $names)?;
                Ok(())
            },
            write: |s| Some(name_of($names, &s.$($field).+)),
            control: Control::Choice(|| $names.iter().map(|(name, _)| (*name, *name)).collect()),
            advanced: false,
            fit: None,
        }
    };
}

/// An on/off setting kept in one `bool` field, written as 1 or 0.
macro_rules! switch {
    ($key:literal, $label:literal, $help:literal, $group:ident, $($field:ident).+) => {
        Setting {
            key: $key,
            label: $label,
            help: $help,
            group: Group::$group,
            read: |s, raw| {
                s.$($field).+ = switch(raw)?;
                Ok(())
            },
            write: |s| Some(u8::from(s.$($field).+).to_string()),
            control: Control::Switch,
            advanced: false,
            fit: None,
        }
    };
}

/// A parameter of the active-lattice model (ignored, and not written, for the FA model).
macro_rules! active_lattice {
    ($key:literal, $label:literal, $help:literal, $field:ident, $parse:expr) => {
        Setting {
            key: $key,
            label: $label,
            help: $help,
            group: Group::Simulation,
            read: |s, raw| {
                if let ModelSpec::ActiveLattice(m) = &mut s.simulation.model {
                    m.$field = ($parse)(raw)?;
                }
                Ok(())
            },
            write: |s| match &s.simulation.model {
                ModelSpec::ActiveLattice(m) => Some(m.$field.to_string()),
                ModelSpec::Fa(_) => None,
            },
            control: NUMBER,
            advanced: false,
            fit: None,
        }
    };
}

/// Every setting, in the order they are read: a setting may depend on those above it.
pub const SETTINGS: &[Setting] = &[
    Setting {
        key: "model",
        label: "model",
        help: "The lattice model: active-lattice (the paper's active matter) or fa \
            (Fredrickson–Andersen); each starts from its own preset.",
        group: Group::General,
        read: |s, raw| {
            let kind = ModelKind::from_name(raw.trim()).ok_or("one of active-lattice, fa")?;
            if kind != s.simulation.model.kind() {
                s.simulation = Preset::of_model(kind).simulation();
            }
            Ok(())
        },
        write: |s| Some(s.simulation.model.kind_name().to_string()),
        control: Control::Choice(|| {
            ModelKind::ALL
                .iter()
                .map(|k| (k.name(), k.name()))
                .collect()
        }),
        advanced: false,
        fit: None,
    },
    Setting {
        key: "L",
        label: "L (lattice size)",
        help: "Sites per side of the periodic square lattice (active lattice) or of the ring (FA).",
        group: Group::Simulation,
        read: |s, raw| match &mut s.simulation.model {
            ModelSpec::ActiveLattice(m) => {
                m.l = whole(raw, Range { min: 2, max: 256 })?;
                Ok(())
            }
            ModelSpec::Fa(m) => {
                m.l = whole(raw, Range { min: 3, max: 4096 })?;
                Ok(())
            }
        },
        write: |s| match &s.simulation.model {
            ModelSpec::ActiveLattice(m) => Some(m.l.to_string()),
            ModelSpec::Fa(m) => Some(m.l.to_string()),
        },
        control: Control::Number {
            unit: "sites per side",
        },
        advanced: false,
        fit: None,
    },
    active_lattice!(
        "phi",
        "φ (density)",
        "Fraction of sites occupied by particles.",
        phi,
        |raw| real(raw, |v| v > 0.0 && v < 1.0, DENSITY)
    )
    .with(Control::Slider {
        min: 0.01,
        max: 0.9,
        step: 0.001,
    }),
    active_lattice!(
        "D",
        "D (rotation rate)",
        "Rate of each of a particle's two rotations (a quarter turn either way).",
        d,
        rate
    )
    .with(Control::Slider {
        min: 0.01,
        max: 2.0,
        step: 0.01,
    }),
    active_lattice!(
        "v_plus",
        "v₊ (forward rate)",
        "Rate of a hop in the particle's own direction, onto an empty site.",
        v_plus,
        rate
    )
    .with(Control::Slider {
        min: 0.1,
        max: 50.0,
        step: 0.1,
    }),
    active_lattice!(
        "v_zero",
        "v₀ (other hops)",
        "Rate of a hop in each of the three other directions, onto an empty site.",
        v_zero,
        rate
    )
    .with(Control::Slider {
        min: 0.1,
        max: 10.0,
        step: 0.1,
    }),
    Setting {
        key: "c",
        label: "c",
        help: "FA: the up-spin concentration; a site with an up neighbour flips up at rate c and \
            down at rate 1 − c.",
        group: Group::Simulation,
        read: |s, raw| {
            if let ModelSpec::Fa(m) = &mut s.simulation.model {
                m.c = real(raw, |v| v > 0.0 && v < 1.0, DENSITY)?;
            }
            Ok(())
        },
        write: |s| match &s.simulation.model {
            ModelSpec::Fa(m) => Some(m.c.to_string()),
            ModelSpec::ActiveLattice(_) => None,
        },
        control: Control::Slider {
            min: 0.01,
            max: 0.99,
            step: 0.01,
        },
        advanced: false,
        fit: None,
    },
    Setting {
        key: "T",
        label: "T (total time)",
        help: "Length of the recorded trajectory in model time; at most 1e6, and at most 1e7 \
            recorded jumps.",
        group: Group::Simulation,
        read: |s, raw| {
            let limit = max_t(s);
            s.simulation.t = real(
                raw,
                |v| v > 0.0 && v <= limit,
                &format!(
                    "a time above 0 and at most {limit:.4} (1e6, and at most 1e7 recorded \
                     jumps for this model)"
                ),
            )?;
            Ok(())
        },
        write: |s| Some(s.simulation.t.to_string()),
        // The model is complete here: check it as a whole, then fit T to its recording limit.
        control: TIME,
        advanced: false,
        fit: Some(|s, problems| {
            if let Err(err) = s.simulation.model.validate() {
                problems.push(format!(
                    "The link's model is not valid ({err}); the default model is used."
                ));
                s.simulation.model = Preset::of_model(s.simulation.model.kind())
                    .simulation()
                    .model;
            }
            s.simulation.t = s.simulation.t.min(max_t(s));
        }),
    },
    Setting {
        key: "burn_in",
        label: "burn-in",
        help: "Time before the first observable snapshot (the trajectory still starts at 0).",
        group: Group::Simulation,
        read: |s, raw| {
            let t = s.simulation.t;
            s.simulation.burn_in = real(raw, |v| v >= 0.0 && v < t, "a time from 0 to below T")?;
            Ok(())
        },
        write: |s| Some(s.simulation.burn_in.to_string()),
        control: TIME,
        advanced: false,
        fit: Some(|s, _| s.simulation.burn_in = s.simulation.burn_in.min(s.simulation.t / 2.0)),
    },
    field!(
        "seed",
        "seed",
        "Seed of the simulation's random numbers: the same seed gives the same trajectory, in the \
        page and in the CLI.",
        Simulation,
        simulation.seed,
        |raw| parse(raw, SEED)
    ),
    Setting {
        key: "mode",
        label: "mode",
        help: "Mode 1 learns a rate per move; Mode 2 sorts moves into N_W classes, each with one \
            learned rate.",
        group: Group::Learner,
        read: |s, raw| {
            s.learner.mode = match (parse::<u8>(raw, "1 or 2")?, s.learner.mode) {
                (1, _) => Mode::Mode1,
                (2, Mode::Mode2 { classes }) => Mode::Mode2 { classes },
                (2, Mode::Mode1) => Mode::Mode2 { classes: 4 },
                _ => return Err("1 or 2".into()),
            };
            Ok(())
        },
        write: |s| {
            Some(
                if s.learner.mode == Mode::Mode1 {
                    "1"
                } else {
                    "2"
                }
                .into(),
            )
        },
        control: Control::Choice(|| vec![("1", "1: a rate per move"), ("2", "2: N_W classes")]),
        advanced: false,
        fit: None,
    },
    Setting {
        key: "classes",
        label: "N_W (classes, mode 2)",
        help: "Mode 2: how many distinct rates the network may use.",
        group: Group::Learner,
        read: |s, raw| {
            let classes = whole(raw, LearnerConfig::CLASSES)?;
            if let Mode::Mode2 { .. } = s.learner.mode {
                s.learner.mode = Mode::Mode2 { classes };
            }
            Ok(())
        },
        write: |s| Some(s.learner.mode.classes().max(1).to_string()),
        control: NUMBER,
        advanced: false,
        fit: None,
    },
    field!(
        "epochs",
        "epochs",
        "Passes over the trajectory; the weights of the best held-out epoch are kept.",
        Learner,
        learner.epochs,
        |raw| whole(raw, LearnerConfig::EPOCHS)
    ),
    field!(
        "lr",
        "learning rate",
        "The optimiser's step size (the peak of the schedule).",
        Learner,
        learner.learning_rate,
        |raw| real(
            raw,
            |v| v > 0.0 && v <= 1.0,
            "a number above 0 and at most 1",
        )
    ),
    named!(
        "lr_schedule",
        "learning-rate schedule (by_mode, cosine, constant)",
        "by_mode (the default): cosine in Mode 1, constant in Mode 2; cosine: a linear warm-up, \
        then a cosine decay to 1% of the peak at the last epoch; constant: the same rate \
        throughout.",
        Learner,
        learner.lr_schedule,
        LR_SCHEDULES
    )
    .advanced(),
    named!(
        "optimizer",
        "optimiser (adam, adabelief)",
        "adam (the default): Adam, AdamW with weight decay, as in the authors' tutorial; \
        adabelief: AdaBelief, the paper's optimiser (its runs used lr = 1e-4).",
        Learner,
        learner.optimizer,
        OPTIMIZERS
    )
    .advanced(),
    field!(
        "segment",
        "segment length",
        "Consecutive configurations per segment; one optimiser step takes a minibatch of segments.",
        Learner,
        learner.segment_len,
        |raw| whole(raw, LearnerConfig::SEGMENT_LEN)
    )
    .with(Control::Number {
        unit: "configurations",
    })
    .advanced(),
    field!(
        "batch",
        "segments per step",
        "Segments in one optimiser step's minibatch: more is smoother and, on a GPU, faster per \
        configuration.",
        Learner,
        learner.segments_per_batch,
        |raw| whole(raw, LearnerConfig::SEGMENTS_PER_BATCH)
    )
    .with(Control::Number { unit: "segments" })
    .advanced(),
    field!(
        "d_model",
        "d_model",
        "Width of the transformer's token vectors.",
        Learner,
        learner.d_model,
        |raw| whole(raw, LearnerConfig::D_MODEL)
    )
    .advanced(),
    Setting {
        key: "heads",
        label: "heads",
        help: "Attention heads per layer; must divide d_model.",
        group: Group::Learner,
        read: |s, raw| {
            let heads = whole(raw, LearnerConfig::HEADS)?;
            if !s.learner.d_model.is_multiple_of(heads) {
                return Err("a divisor of d_model".into());
            }
            s.learner.heads = heads;
            Ok(())
        },
        write: |s| Some(s.learner.heads.to_string()),
        // A d_model the default heads do not divide: one head.
        control: NUMBER,
        advanced: true,
        fit: Some(|s, _| {
            if !s.learner.d_model.is_multiple_of(s.learner.heads) {
                s.learner.heads = 1;
            }
        }),
    },
    field!(
        "layers",
        "layers",
        "Transformer encoder layers.",
        Learner,
        learner.layers,
        |raw| whole(raw, LearnerConfig::LAYERS)
    )
    .advanced(),
    field!(
        "d_ff",
        "feed-forward width",
        "Hidden width of each layer's feed-forward block.",
        Learner,
        learner.d_ff,
        |raw| whole(raw, LearnerConfig::D_FF)
    )
    .advanced(),
    named!(
        "activation",
        "feed-forward nonlinearity (gelu, relu)",
        "The feed-forward block's nonlinearity; relu is PyTorch's default and the benchmark's.",
        Learner,
        learner.activation,
        ACTIVATIONS
    )
    .advanced(),
    named!(
        "sink",
        "attention sink (learned, quiet, none)",
        "An extra key every token may attend to, so that attention can find nothing (e.g. no \
        neighbour).",
        Learner,
        learner.attention_sink,
        SINKS
    )
    .advanced(),
    named!(
        "pos_init",
        "position tables start (periodic, random)",
        "How the learned position tables start: periodic (cos and sin of 2πkx/L, then learned) or \
        random.",
        Learner,
        learner.position_init,
        POSITION_INITS
    )
    .advanced(),
    field!(
        "wd",
        "weight decay (0: off)",
        "Decoupled weight decay (AdamW): a regulariser against memorising a short trajectory. 0 \
        is plain Adam.",
        Learner,
        learner.weight_decay,
        |raw| real(raw, |v| (0.0..=1.0).contains(&v), "a number from 0 to 1")
    )
    .advanced(),
    field!(
        "dropout",
        "dropout (0: off)",
        "Dropout in the encoder while training: a regulariser against memorising a short \
        trajectory. 0, the paper's network, is off.",
        Learner,
        learner.dropout,
        |raw| real(
            raw,
            |v| (0.0..=LearnerConfig::MAX_DROPOUT).contains(&v),
            "a number from 0 to 0.9"
        )
    )
    .advanced(),
    named!(
        "augment",
        "translated copies (a prior: translational invariance is given; translations, none)",
        "translations moves each training segment by a random shift of the periodic lattice: the \
        rules are declared the same at every site instead of being learned. Less memorising of \
        where clusters sat; nothing about which moves are allowed. Off (none) by default.",
        Learner,
        learner.augmentation,
        AUGMENTATIONS
    )
    .advanced(),
    switch!(
        "hard",
        "hard constraint (a prior: the exclusion rule is given, not learned)",
        "1 masks moves onto occupied sites: the exclusion rule is given, not learned. Off \
            by default.",
        Learner,
        learner.hard_constraint
    ),
    field!(
        "clip",
        "gradient clip (0: off)",
        "Largest gradient norm of a step; 0 turns clipping off.",
        Learner,
        learner.grad_clip_norm,
        |raw| real(raw, |v| v >= 0.0, "a number from 0 up (0: off)")
    )
    .advanced(),
    field!(
        "lseed",
        "learner seed",
        "Seed of the network's initial weights and of the order of the segments.",
        Learner,
        learner.seed,
        |raw| parse(raw, SEED)
    )
    .advanced(),
    field!(
        "scan_max",
        "largest N_W",
        "The scan trains Mode 2 for N_W = 1, 2, … up to this.",
        Discover,
        explore.scan_max,
        |raw| whole(raw, LearnerConfig::CLASSES)
    ),
    field!(
        "scan_epochs",
        "epochs per N_W",
        "Epochs of each N_W's training.",
        Discover,
        explore.scan_epochs,
        |raw| whole(raw, Range { min: 1, max: 1000 })
    ),
    switch!(
        "scan_warm",
        "start from the trained network",
        "1: each N_W's embeddings and encoder start from the network trained in Learn (it \
            must have the same size), its class head fresh; 0: from scratch. Without the hard \
            constraint a scan from scratch tends to stay at the occupancy-blind optimum.",
        Discover,
        explore.scan_warm_start
    ),
    switch!(
        "scan_frozen",
        "keep the trained network fixed (only the classes learn)",
        "1, with a start from the trained network: each N_W trains only its class head and \
            class rates, so every N_W reads the configurations the same way and the curve \
            compares numbers of classes, not luck in training; it is also faster. 0: the whole \
            network trains.",
        Discover,
        learner.freeze_body
    ),
    field!(
        "x_phi",
        "φ (side by side)",
        "Density of the side-by-side run of the learned and the true dynamics.",
        Extrapolate,
        explore.phi,
        |raw| real(raw, |v| v > 0.0 && v < 1.0, DENSITY)
    ),
    field!(
        "x_T",
        "T (each run)",
        "Model time of each run (side by side, and each density of the sweep).",
        Extrapolate,
        explore.t,
        |raw| real(
            raw,
            |v| v > 0.0 && v <= MAX_T,
            "a time above 0 and at most 1e6",
        )
    )
    .with(TIME),
    Setting {
        key: "x_burn_in",
        label: "burn-in",
        help: "Time before the first observable snapshot of each run.",
        group: Group::Extrapolate,
        read: |s, raw| {
            let t = s.explore.t;
            s.explore.burn_in = real(raw, |v| v >= 0.0 && v < t, "a time from 0 to below x_T")?;
            Ok(())
        },
        write: |s| Some(s.explore.burn_in.to_string()),
        control: TIME,
        advanced: false,
        fit: Some(|s, _| s.explore.burn_in = s.explore.burn_in.min(s.explore.t / 2.0)),
    },
    field!(
        "replicas",
        "replicas",
        "Independent runs per density; the observables' standard errors come from them.",
        Extrapolate,
        explore.replicas,
        |raw| whole(
            raw,
            Range {
                min: 1,
                max: EnsembleSettings::MAX_REPLICAS,
            },
        )
    ),
    field!(
        "x_seed",
        "seed",
        "Seed of the runs' initial configurations and moves (the same for both dynamics).",
        Extrapolate,
        explore.seed,
        |raw| parse(raw, SEED)
    ),
    field!(
        "tau",
        "τ (0: exact loop)",
        "0 runs the exact loop (rates re-evaluated after every jump); above 0, tau-leaping with \
        this time step.",
        Extrapolate,
        explore.tau,
        |raw| real(
            raw,
            |v| (0.0..=Integrator::MAX_TAU).contains(&v),
            "a time from 0 (exact) to 10",
        )
    )
    .with(TIME),
    Setting {
        key: "sweep",
        label: "sweep densities",
        help: "The densities of the sweep, comma-separated (the paper's Fig. 4).",
        group: Group::Extrapolate,
        read: |s, raw| {
            const EXPECTED: &str =
                "a comma-separated list of 1 to 20 densities strictly between 0 and 1";
            let list: Vec<f64> = raw
                .split(',')
                .map(|v| real(v, |p| p > 0.0 && p < 1.0, EXPECTED))
                .collect::<Result<_, _>>()?;
            if list.is_empty() || list.len() > MAX_SWEEP_POINTS {
                return Err(EXPECTED.into());
            }
            s.explore.sweep = list;
            Ok(())
        },
        write: |s| {
            let all: Vec<String> = s.explore.sweep.iter().map(f64::to_string).collect();
            Some(all.join(","))
        },
        control: Control::Text,
        advanced: false,
        fit: None,
    },
    named!(
        "backend",
        "backend",
        "auto: WebGPU when the browser has an adapter, else the CPU; cpu: always the CPU.",
        General,
        backend,
        BACKENDS
    ),
    switch!(
        "embed",
        "embedded view",
        "1 shows the compact page for an iframe in a course page: the four steps, without the \
        header, the autosave bar and the backend panel.",
        General,
        embed
    ),
    Setting {
        key: "workers",
        label: "CPU workers",
        help: "How many browser workers share each training step on the CPU backend: 0 starts \
            one per core (up to 4), 1 trains in one worker, at most 8. The result is the same up \
            to float rounding.",
        group: Group::General,
        read: |s, raw| {
            s.workers = whole(raw, CPU_WORKERS)?;
            Ok(())
        },
        write: |s| Some(s.workers.to_string()),
        fit: None,
        control: NUMBER,
        advanced: true,
    },
];

/// The range of the `workers` setting (0: one per core).
const CPU_WORKERS: Range = Range { min: 0, max: 8 };

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::presets::Preset;

    #[test]
    fn every_control_fits_its_setting() {
        let mut all = unusual();
        all.push(Settings::default());
        for settings in &all {
            for entry in SETTINGS {
                let Some(value) = (entry.write)(settings) else {
                    continue;
                };
                let key = entry.key;
                match entry.control {
                    Control::Choice(options) => {
                        assert!(options().iter().any(|(v, _)| *v == value), "{key}={value}")
                    }
                    Control::Switch => assert!(value == "0" || value == "1", "{key}={value}"),
                    Control::Slider { min, max, step } => {
                        assert!(min < max && step > 0.0, "{key}");
                        assert!(entry.expected(settings).is_some(), "{key}");
                    }
                    Control::Number { .. } | Control::Text => {
                        assert!(entry.expected(settings).is_some(), "{key} refuses nothing")
                    }
                }
            }
        }
        // The paper's values sit inside their sliders.
        for entry in SETTINGS {
            if let (Control::Slider { min, max, .. }, Some(value)) =
                (entry.control, (entry.write)(&Settings::default()))
            {
                let value: f64 = value.parse().unwrap();
                assert!((min..=max).contains(&value), "{}={value}", entry.key);
            }
        }
    }

    /// Settings of both models with no value at its default, so a reader that ignores its
    /// text would be caught.
    fn unusual() -> Vec<Settings> {
        [Preset::Classroom, Preset::FaTutorial]
            .iter()
            .map(|preset| {
                let mut s = Settings {
                    simulation: preset.simulation(),
                    learner: preset.learner(),
                    backend: BackendPreference::Cpu,
                    ..Settings::default()
                };
                s.learner.mode = Mode::Mode2 { classes: 3 };
                s.learner.hard_constraint = true;
                s.embed = true;
                s.workers = 2;
                s.learner.activation = Activation::Relu;
                s.explore.tau = 0.0;
                s.explore.scan_warm_start = false;
                s.explore.sweep = vec![0.2, 0.45];
                s
            })
            .collect()
    }

    #[test]
    fn keys_are_unique() {
        for (i, a) in SETTINGS.iter().enumerate() {
            assert!(
                SETTINGS[i + 1..].iter().all(|b| b.key != a.key),
                "{} twice",
                a.key
            );
            assert!(!a.label.is_empty() && !a.help.is_empty(), "{}", a.key);
        }
    }

    #[test]
    fn every_setting_reads_back_what_it_writes() {
        for settings in unusual() {
            // Read each written value, in table order, into the default settings: a reader that
            // ignored its text would leave the default, which these settings differ from.
            let mut fresh = Settings::default();
            for entry in SETTINGS {
                let Some(text) = (entry.write)(&settings) else {
                    continue;
                };
                (entry.read)(&mut fresh, &text).unwrap_or_else(|e| panic!("{}: {e}", entry.key));
                assert_eq!((entry.write)(&fresh), Some(text), "{}", entry.key);
            }
            assert_eq!(fresh, settings);
        }
    }

    #[test]
    fn a_value_out_of_range_is_refused_naming_the_range() {
        let mut settings = Settings::default();
        // The learner's own range (the link once accepted up to 100,000 here).
        assert_eq!(
            settings.set("segment", "70000"),
            Err("segment=\"70000\" is not an integer from 1 to 65536".into())
        );
        assert_eq!(settings, Settings::default());
        assert!(
            settings.set("c", "0.5").is_err(),
            "c is not a setting of the active lattice"
        );
        assert!(settings.set("nope", "1").is_err());
        settings.set("heads", "8").unwrap();
        assert_eq!(settings.learner.heads, 8);
    }
}
