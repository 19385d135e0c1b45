//! The learner's settings (SPEC section 4): network size, mode, constraint and training schedule.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// How the network turns a token's output into the rates of its candidate moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Mode {
    /// Mode 1: a free log-rate per candidate move.
    Mode1,
    /// Mode 2: every candidate move is put in one of `classes` classes, each with a learned rate.
    Mode2 { classes: usize },
}

impl Mode {
    /// N_W, the number of classes (0 in Mode 1).
    pub fn classes(&self) -> usize {
        match self {
            Mode::Mode1 => 0,
            Mode::Mode2 { classes } => *classes,
        }
    }
}

/// What attention may attend to besides the tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttentionSink {
    /// Nothing: a plain softmax over the tokens, whose weights sum to 1 (the paper's network).
    #[default]
    None,
    /// Quiet softmax: a fixed logit of 0 for "nothing".
    Quiet,
    /// A learned logit per head for "nothing" (an attention sink), starting high enough that
    /// attending to nothing is a real option from the first step.
    Learned,
}

/// The nonlinearity of the encoder's feed-forward blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// GELU with the exact error function.
    #[default]
    Gelu,
    /// ReLU: PyTorch's default for `TransformerEncoderLayer`, as in the authors' tutorial
    /// learner; cheaper than GELU on the CPU (no error function).
    Relu,
}

/// How the position embedding tables start (they are learned either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionInit {
    /// Drawn from N(0, 1), like every other table: the network must discover that positions
    /// form a periodic lattice.
    #[default]
    Random,
    /// Each position table fills its own block of the embedding with cos and sin of
    /// 2 pi k x / L, k = 1 .. L/2, so relative positions are linear maps of the embeddings from
    /// the start; the entries are then trained like any other weight. Not a prior: it says
    /// nothing about which positions interact.
    Periodic,
}

/// Copies of the training data made from symmetries of the lattice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Augmentation {
    /// The segments as recorded.
    #[default]
    None,
    /// A prior: each training segment is moved by a random translation of the periodic lattice
    /// (one per segment and position table). Every model here is the same at every site, so
    /// this is a symmetry of the dynamics, but the paper's learner must find it for itself
    /// (SPEC 4): the option hands it over. It turns one trajectory into L^d and stops the
    /// network from tying blocked moves to where clusters happened to sit; it says nothing
    /// about which moves are allowed or which sites interact.
    Translations,
}

/// The optimiser of the training run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    /// Adam (AdamW when there is weight decay), as in the authors' public tutorial.
    #[default]
    Adam,
    /// AdaBelief, the optimiser of the paper (its runs used a learning rate of 1e-4).
    #[serde(rename = "adabelief")]
    AdaBelief,
}

/// How the learning rate changes over a training run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LrSchedule {
    /// Warm-up and cosine decay in Mode 1, a constant rate in Mode 2: what each mode learns
    /// best with. Measured on held-out data (native, 10 epochs): FA tutorial Mode 1, U/T
    /// 0.0064 below exact with the cosine against 0.049 below with a constant rate, which
    /// jitters; classroom-size active lattice, unconstrained Mode 2 with N_W = 4, 70.8 with a
    /// constant rate against -25.3 with the cosine, which freezes the class rates before they
    /// have moved.
    #[default]
    ByMode,
    /// The same learning rate at every step.
    Constant,
    /// A linear warm-up over the first 5% of the run's steps (at most 500), then a cosine decay
    /// to 1% of the learning rate at the last step of the last epoch, so the weights settle
    /// instead of jittering around the optimum.
    WarmupCosine,
}

impl LrSchedule {
    /// The learning rate of step `step` (0-based) of a run of `total` steps in `mode`, for a
    /// peak rate `peak`; steps past `total` keep the final rate.
    pub fn rate(&self, mode: &Mode, peak: f64, step: usize, total: usize) -> f64 {
        match (self, mode) {
            (LrSchedule::Constant, _) | (LrSchedule::ByMode, Mode::Mode2 { .. }) => peak,
            (LrSchedule::WarmupCosine, _) | (LrSchedule::ByMode, Mode::Mode1) => {
                const FLOOR: f64 = 0.01;
                let total = total.max(1);
                let warmup = (total / 20).clamp(1, 500);
                if step < warmup {
                    return peak * (step + 1) as f64 / warmup as f64;
                }
                let progress =
                    ((step - warmup) as f64 / (total - warmup).max(1) as f64).clamp(0.0, 1.0);
                let cosine = 0.5 * (1.0 + (std::f64::consts::PI * progress).cos());
                peak * (FLOOR + (1.0 - FLOOR) * cosine)
            }
        }
    }
}

/// Everything that defines a learner and its training run.
///
/// Serialised with these field names in links and model files; absent fields take the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LearnerConfig {
    /// Width of the token embeddings and of the encoder.
    pub d_model: usize,
    /// Attention heads per encoder layer; must divide `d_model`.
    pub heads: usize,
    /// Encoder layers (0: embeddings straight into the head, no attention).
    pub layers: usize,
    /// Hidden width of the encoder's feed-forward blocks.
    pub d_ff: usize,
    /// The feed-forward blocks' nonlinearity.
    pub activation: Activation,
    /// Mode 1 (free rates) or Mode 2 (N_W classes of move).
    pub mode: Mode,
    /// A prior: mask moves that are impossible in the configuration to a rate of exactly zero
    /// (the rule is given, not learned). Off by default.
    pub hard_constraint: bool,
    /// Whether attention may attend to nothing, so a token can tell "no particle there" from
    /// "some particle there".
    pub attention_sink: AttentionSink,
    /// How the position embedding tables start.
    pub position_init: PositionInit,
    /// A prior: random lattice translations of the training segments (translational invariance
    /// is given, not learned). Off by default.
    pub augmentation: Augmentation,
    /// The optimiser's (peak) learning rate.
    pub learning_rate: f64,
    /// Decoupled weight decay (AdamW): each step shrinks every weight by learning rate x this
    /// factor. 0 (the default) is plain Adam. A regulariser against memorising a short
    /// trajectory; it says nothing about the rules.
    pub weight_decay: f64,
    /// Dropout probability in the encoder during training (on each sublayer's output and the
    /// feed-forward hidden units; off when evaluating). 0 (the default) is the paper's network.
    /// A regulariser against memorising a short trajectory; it says nothing about the rules.
    pub dropout: f64,
    /// With a warm start (Mode 2 from a trained network): train only the rate head and the
    /// class rates, keeping the embeddings and encoder as the warm start left them, so that the
    /// runs of a scan read every configuration alike and differ only in their classes. Says
    /// nothing about the rules. Off by default; a trainer without a warm start ignores it.
    pub freeze_body: bool,
    /// How the learning rate changes over the run's `epochs`.
    pub lr_schedule: LrSchedule,
    /// Adam or AdaBelief.
    pub optimizer: OptimizerKind,
    /// Consecutive configurations per segment (a mini-trajectory).
    pub segment_len: usize,
    /// Segments per optimiser step (the minibatch).
    pub segments_per_batch: usize,
    /// Passes over the training trajectory.
    pub epochs: usize,
    /// Largest L2 norm of each parameter tensor's gradient; 0 switches clipping off.
    pub grad_clip_norm: f64,
    /// Seed of the weight initialisation and of the segment shuffling.
    pub seed: u64,
}

impl LearnerConfig {
    /// The priors this learner is given (parts of the rules handed over rather than learned),
    /// in words; empty when everything is learned from the data.
    pub fn priors(&self) -> Vec<&'static str> {
        let mut priors = Vec::new();
        if self.hard_constraint {
            priors.push("the exclusion rule (hard constraint)");
        }
        if self.augmentation == Augmentation::Translations {
            priors.push("translational invariance (translated copies)");
        }
        priors
    }

    /// [`LearnerConfig::priors`] as the sentence the page and the command line show.
    pub fn describe_priors(&self) -> String {
        let priors = self.priors();
        if priors.is_empty() {
            "No priors: the network is told nothing of the rules.".to_string()
        } else {
            format!("Priors given, not learned: {}.", priors.join("; "))
        }
    }
}

impl Default for LearnerConfig {
    fn default() -> Self {
        Self {
            d_model: 64,
            heads: 4,
            layers: 2,
            d_ff: 256,
            activation: Activation::Gelu,
            mode: Mode::Mode1,
            hard_constraint: false,
            attention_sink: AttentionSink::None,
            position_init: PositionInit::Random,
            augmentation: Augmentation::None,
            learning_rate: 1e-3,
            weight_decay: 0.0,
            dropout: 0.0,
            freeze_body: false,
            lr_schedule: LrSchedule::ByMode,
            optimizer: OptimizerKind::Adam,
            segment_len: 128,
            segments_per_batch: 1,
            epochs: 10,
            grad_clip_norm: 100.0,
            seed: 1,
        }
    }
}

/// The inclusive range of a whole-number setting: stated once here, used by the checks of the
/// core, the link and the forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub min: usize,
    pub max: usize,
}

impl Range {
    const fn new(min: usize, max: usize) -> Self {
        Self { min, max }
    }

    /// True if `value` is allowed.
    pub fn contains(&self, value: usize) -> bool {
        (self.min..=self.max).contains(&value)
    }

    /// The range in words, e.g. "an integer from 1 to 16".
    pub fn describe(&self) -> String {
        format!("an integer from {} to {}", self.min, self.max)
    }
}

/// A learner setting outside its allowed range.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ConfigError {
    /// The message names the setting, its value and the allowed range.
    #[error("learner setting {name} = {value} is out of range: {expected}")]
    OutOfRange {
        name: &'static str,
        value: String,
        expected: String,
    },
}

fn check_int(name: &'static str, value: usize, range: Range) -> Result<(), ConfigError> {
    if range.contains(value) {
        Ok(())
    } else {
        Err(ConfigError::OutOfRange {
            name,
            value: value.to_string(),
            expected: range.describe(),
        })
    }
}

fn check_real(
    name: &'static str,
    value: f64,
    ok: bool,
    expected: &'static str,
) -> Result<(), ConfigError> {
    if value.is_finite() && ok {
        Ok(())
    } else {
        Err(ConfigError::OutOfRange {
            name,
            value: value.to_string(),
            expected: expected.to_string(),
        })
    }
}

impl LearnerConfig {
    /// Largest number of Mode 2 classes.
    pub const MAX_CLASSES: usize = 16;
    /// Largest dropout probability: above it too little of the network trains at each step.
    pub const MAX_DROPOUT: f64 = 0.9;
    /// Allowed N_W in Mode 2.
    pub const CLASSES: Range = Range::new(1, Self::MAX_CLASSES);
    /// Allowed `d_model`.
    pub const D_MODEL: Range = Range::new(4, 1024);
    /// Allowed `heads` (also a divisor of `d_model`).
    pub const HEADS: Range = Range::new(1, 32);
    /// Allowed `layers`.
    pub const LAYERS: Range = Range::new(0, 16);
    /// Allowed `d_ff`.
    pub const D_FF: Range = Range::new(1, 8192);
    /// Allowed `segment_len`.
    pub const SEGMENT_LEN: Range = Range::new(1, 1 << 16);
    /// Allowed `segments_per_batch`.
    pub const SEGMENTS_PER_BATCH: Range = Range::new(1, 4096);
    /// Allowed `epochs`.
    pub const EPOCHS: Range = Range::new(1, 100_000);

    /// Checks every setting's range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_int("d_model", self.d_model, Self::D_MODEL)?;
        check_int("heads", self.heads, Self::HEADS)?;
        if !self.d_model.is_multiple_of(self.heads) {
            return Err(ConfigError::OutOfRange {
                name: "heads",
                value: self.heads.to_string(),
                expected: "a divisor of d_model".to_string(),
            });
        }
        check_int("layers", self.layers, Self::LAYERS)?;
        check_int("d_ff", self.d_ff, Self::D_FF)?;
        if let Mode::Mode2 { classes } = self.mode {
            check_int("classes", classes, Self::CLASSES)?;
        }
        check_real(
            "learning_rate",
            self.learning_rate,
            self.learning_rate > 0.0 && self.learning_rate <= 1.0,
            "a number in (0, 1]",
        )?;
        check_real(
            "weight_decay",
            self.weight_decay,
            (0.0..=1.0).contains(&self.weight_decay),
            "a number from 0 to 1",
        )?;
        check_real(
            "dropout",
            self.dropout,
            (0.0..=Self::MAX_DROPOUT).contains(&self.dropout),
            "a number from 0 to 0.9",
        )?;
        check_int("segment_len", self.segment_len, Self::SEGMENT_LEN)?;
        check_int(
            "segments_per_batch",
            self.segments_per_batch,
            Self::SEGMENTS_PER_BATCH,
        )?;
        check_int("epochs", self.epochs, Self::EPOCHS)?;
        check_real(
            "grad_clip_norm",
            self.grad_clip_norm,
            self.grad_clip_norm >= 0.0,
            "a number >= 0 (0: no clipping)",
        )?;
        Ok(())
    }

    /// Configurations per optimiser step (at most; the last segment of a trajectory is shorter).
    pub fn batch_configs(&self) -> usize {
        self.segment_len * self.segments_per_batch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_round_trip() {
        let config = LearnerConfig::default();
        config.validate().unwrap();
        let text = serde_json::to_string(&config).unwrap();
        assert_eq!(
            serde_json::from_str::<LearnerConfig>(&text).unwrap(),
            config
        );
        let mode2 = LearnerConfig {
            mode: Mode::Mode2 { classes: 4 },
            ..config
        };
        let text = serde_json::to_string(&mode2).unwrap();
        assert!(
            text.contains(r#""mode":{"kind":"mode2","classes":4}"#),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<LearnerConfig>(&text).unwrap(), mode2);
        let partial: LearnerConfig = serde_json::from_str(r#"{"d_model": 32}"#).unwrap();
        assert_eq!(partial.d_model, 32);
        assert_eq!(partial.heads, 4);
    }

    #[test]
    fn warmup_cosine_rises_then_decays_to_one_percent() {
        let s = LrSchedule::WarmupCosine;
        let mode1 = Mode::Mode1;
        let total = 1000; // warm-up: 50 steps
        assert!((s.rate(&mode1, 1e-3, 0, total) - 1e-3 / 50.0).abs() < 1e-15);
        assert!((s.rate(&mode1, 1e-3, 49, total) - 1e-3).abs() < 1e-15);
        assert!((s.rate(&mode1, 1e-3, 50, total) - 1e-3).abs() < 1e-15);
        let mid = s.rate(&mode1, 1e-3, 50 + 475, total);
        assert!((mid - 1e-3 * (0.01 + 0.99 * 0.5)).abs() < 1e-9, "{mid}");
        assert!((s.rate(&mode1, 1e-3, 1000, total) - 1e-5).abs() < 1e-15);
        assert!((s.rate(&mode1, 1e-3, 5000, total) - 1e-5).abs() < 1e-15);
        assert_eq!(LrSchedule::Constant.rate(&mode1, 1e-3, 7, total), 1e-3);
    }

    #[test]
    fn the_default_schedule_decays_in_mode_1_only() {
        let by_mode = LearnerConfig::default().lr_schedule;
        let mode2 = Mode::Mode2 { classes: 4 };
        for step in [0, 7, 600, 999] {
            assert_eq!(
                by_mode.rate(&Mode::Mode1, 1e-3, step, 1000),
                LrSchedule::WarmupCosine.rate(&Mode::Mode1, 1e-3, step, 1000)
            );
            assert_eq!(by_mode.rate(&mode2, 1e-3, step, 1000), 1e-3);
        }
    }

    #[test]
    fn out_of_range_settings_are_named() {
        let bad = LearnerConfig {
            heads: 3,
            ..Default::default()
        };
        let err = bad.validate().unwrap_err().to_string();
        assert!(err.contains("heads") && err.contains("divisor"), "{err}");
        let bad = LearnerConfig {
            learning_rate: f64::NAN,
            ..Default::default()
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("learning_rate")
        );
        let bad = LearnerConfig {
            mode: Mode::Mode2 { classes: 0 },
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().to_string().contains("classes"));
    }
}
