//! `jumpformer train FILE`: trains the transformer learner (SPEC section 4) on one trajectory file,
//! reports U/T after every epoch next to the exact U/T, and optionally writes the model file.

use super::backend::cpu_threads;
use super::input::{InputError, read_trajectory};
use super::preset::PresetArg;
use crate::core::compute::{BackendInfo, select_device};
use crate::core::discovery::{ClassMembership, KindStatistics, class_membership};
use crate::core::estimate::{describe_bytes, describe_duration};
use crate::core::learner::{
    Activation, AttentionSink, EpochReport, LearnedDynamics, LearnerConfig, LearnerError,
    LrSchedule, Mode, ModelFileError, PositionInit, SegmentSource, Trainer, Validation,
    segment_source,
};
use crate::core::model::ActiveLattice;
use crate::core::presets::Preset;
use crate::core::settings::{Group, Settings, keys_of};
use crate::core::trajectory::{AnyTrajectory, Trajectory};
use burn::tensor::Device;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use thiserror::Error;

/// Network and training settings shared by `train` and `scan`; absent ones take the learner's
/// defaults ([`LearnerConfig::default`]).
#[derive(Debug, clap::Args)]
pub struct LearnerArgs {
    /// Start from a preset's learner (paper: the defaults; fa-tutorial: the defaults with periodic
    /// position tables and dropout 0.1; classroom: a small network with the hard-constraint
    /// prior; exclusion: the same network with no prior, ten epochs); the flags below change any
    /// setting.
    #[arg(long, value_enum)]
    preset: Option<PresetArg>,
    /// Passes over the trajectory (default 10).
    #[arg(long)]
    epochs: Option<usize>,
    /// The optimiser's (peak) learning rate (default 1e-3).
    #[arg(long)]
    lr: Option<f64>,
    /// How the learning rate changes over the run: by-mode (the default: warmup-cosine in Mode 1,
    /// constant in Mode 2), constant, or warmup-cosine (linear warm-up, then a cosine decay to 1%
    /// at the last epoch).
    #[arg(long = "lr-schedule", value_parser = parse_schedule)]
    lr_schedule: Option<LrSchedule>,
    /// What attention may attend to besides the tokens: none (plain softmax; the default),
    /// learned (a learned sink logit per head) or quiet (quiet softmax: a fixed logit 0).
    #[arg(long = "attention-sink", value_parser = parse_sink)]
    attention_sink: Option<AttentionSink>,
    /// How the position tables start: random (the default) or periodic (cos/sin of
    /// 2 pi k x / L, then learned).
    #[arg(long = "position-init", value_parser = parse_position_init)]
    position_init: Option<PositionInit>,
    /// Decoupled weight decay (AdamW); 0 (the default) is plain Adam.
    #[arg(long = "weight-decay", value_name = "W")]
    weight_decay: Option<String>,
    /// Dropout probability in the encoder while training (0, the default, is none; PyTorch's
    /// transformer layers use 0.1): a regulariser against memorising a short trajectory.
    #[arg(long, value_name = "P")]
    dropout: Option<String>,
    /// With --warm-start: train only the rate head and the class rates, keeping the warm
    /// start's embeddings and encoder as they are.
    #[arg(long = "freeze-body")]
    freeze_body: bool,
    /// A prior (translational invariance is given, not learned): translations moves each
    /// training segment by a random shift of the periodic lattice; none is the default.
    #[arg(long, value_name = "translations|none")]
    augment: Option<String>,
    /// Consecutive configurations per training segment (default 128).
    #[arg(long)]
    segment: Option<usize>,
    /// Segments per optimiser step (default 1).
    #[arg(long)]
    batch: Option<usize>,
    /// Width of the embeddings and of the encoder (default 64).
    #[arg(long = "d-model")]
    d_model: Option<usize>,
    /// Attention heads per layer, a divisor of --d-model (default 4).
    #[arg(long)]
    heads: Option<usize>,
    /// Encoder layers (default 2).
    #[arg(long)]
    layers: Option<usize>,
    /// Hidden width of the feed-forward blocks (default 256).
    #[arg(long, visible_alias = "d-ff")]
    ff: Option<usize>,
    /// The feed-forward nonlinearity: gelu (the default) or relu (PyTorch's default, as in the
    /// authors' tutorial learner).
    #[arg(long, value_parser = parse_activation)]
    activation: Option<Activation>,
    /// A prior (the rule is given, not learned): mask moves impossible in the configuration to
    /// a rate of exactly zero.
    #[arg(long = "hard-constraint")]
    hard_constraint: bool,
    /// A held-out trajectory with the same rules (another seed): U/T on it is reported every
    /// epoch, and the weights of the best held-out epoch are kept (early stopping).
    #[arg(long)]
    validate: Option<PathBuf>,
    /// Start the embeddings and encoder from this model file (e.g. Mode 2 from a trained Mode 1
    /// network of the same shape); the rate head starts fresh.
    #[arg(long = "warm-start")]
    warm_start: Option<PathBuf>,
    /// Largest L2 norm of each parameter's gradient, 0 for no clipping (default 100).
    #[arg(long)]
    clip: Option<f64>,
    /// Seed of the weight initialisation and of the segment shuffling (default 1).
    #[arg(long)]
    seed: Option<u64>,
    /// Train on the CPU even where a GPU adapter exists.
    #[arg(long)]
    cpu: bool,
    /// Threads sharing each training step and evaluation on the CPU backend (default: all
    /// cores); results differ only by float rounding.
    #[arg(long)]
    threads: Option<usize>,
    /// Any learner setting by its name in the page's link (e.g. `--set sink=learned`),
    /// checked against the same ranges; repeatable, applied after the flags above.
    /// `jumpformer settings` lists them all.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
}

/// `config` with settings applied through the table of settings, each checked as a link's value
/// is: first the flags that stand for one setting (`--FLAG`, its key, its value if given), then
/// each `--set KEY=VALUE` (learner keys only).
fn apply_settings(
    config: LearnerConfig,
    flags: &[(&str, &str, Option<&String>)],
    pairs: &[String],
) -> Result<LearnerConfig, TrainCliError> {
    let mut settings = Settings {
        learner: config,
        ..Settings::default()
    };
    for &(flag, key, value) in flags {
        if let Some(value) = value {
            settings
                .set(key, value)
                .map_err(|e| TrainCliError::Settings(format!("--{flag}: {e}")))?;
        }
    }
    for pair in pairs {
        let (key, value) = pair.split_once('=').ok_or_else(|| {
            TrainCliError::Settings(format!("--set {pair:?}: expected KEY=VALUE"))
        })?;
        if !keys_of(Group::Learner, &settings).contains(&key) {
            return Err(TrainCliError::Settings(format!(
                "--set {pair:?}: {key:?} is not a learner setting (see `jumpformer settings`)"
            )));
        }
        settings
            .set(key, value)
            .map_err(|e| TrainCliError::Settings(format!("--set {e}")))?;
    }
    Ok(settings.learner)
}

impl LearnerArgs {
    /// The learner settings in `mode`, checked.
    pub fn config(&self, mode: Mode) -> Result<LearnerConfig, TrainCliError> {
        let d = self
            .preset
            .map_or_else(LearnerConfig::default, |p| Preset::from(p).learner());
        let config = LearnerConfig {
            d_model: self.d_model.unwrap_or(d.d_model),
            heads: self.heads.unwrap_or(d.heads),
            layers: self.layers.unwrap_or(d.layers),
            d_ff: self.ff.unwrap_or(d.d_ff),
            activation: self.activation.unwrap_or(d.activation),
            mode,
            hard_constraint: self.hard_constraint || d.hard_constraint,
            attention_sink: self.attention_sink.unwrap_or(d.attention_sink),
            position_init: self.position_init.unwrap_or(d.position_init),
            augmentation: d.augmentation,
            weight_decay: d.weight_decay,
            dropout: d.dropout,
            freeze_body: self.freeze_body || d.freeze_body,
            learning_rate: self.lr.unwrap_or(d.learning_rate),
            lr_schedule: self.lr_schedule.unwrap_or(d.lr_schedule),
            optimizer: d.optimizer,
            segment_len: self.segment.unwrap_or(d.segment_len),
            segments_per_batch: self.batch.unwrap_or(d.segments_per_batch),
            epochs: self.epochs.unwrap_or(d.epochs),
            grad_clip_norm: self.clip.unwrap_or(d.grad_clip_norm),
            seed: self.seed.unwrap_or(d.seed),
        };
        let flags = [
            ("augment", "augment", self.augment.as_ref()),
            ("weight-decay", "wd", self.weight_decay.as_ref()),
            ("dropout", "dropout", self.dropout.as_ref()),
        ];
        let config = apply_settings(config, &flags, &self.set)?;
        config
            .validate()
            .map_err(|e| TrainCliError::Settings(e.to_string()))?;
        Ok(config)
    }

    /// The training device (autodiff on) and why it was chosen.
    pub fn device(&self) -> (Device, BackendInfo) {
        pollster::block_on(select_device(!self.cpu))
    }

    /// Threads for training on `backend`: `--threads` or all cores on the CPU, 1 on a GPU.
    pub fn threads(&self, backend: &BackendInfo) -> usize {
        cpu_threads(self.threads, backend)
    }

    /// The held-out trajectory named by `--validate`, loaded and checked.
    pub fn validation(&self) -> Result<Option<Loaded>, TrainCliError> {
        self.validate.as_deref().map(load).transpose()
    }

    /// A trainer of a fresh network on `loaded`, validated on `held_out` if given.
    pub fn trainer(
        &self,
        config: LearnerConfig,
        loaded: &Loaded,
        held_out: Option<&Loaded>,
        device: Device,
        backend: &BackendInfo,
    ) -> Result<Trainer, TrainCliError> {
        let trainer = match &self.warm_start {
            None => Trainer::new(config, loaded.source.clone(), device, loaded.exact_u_per_t)?,
            Some(path) => {
                let bytes = std::fs::read(path).map_err(|source| TrainCliError::Read {
                    path: path.clone(),
                    source,
                })?;
                let body = LearnedDynamics::from_bytes(&bytes, &device)?;
                Trainer::warm_started(
                    config,
                    &body,
                    loaded.source.clone(),
                    device,
                    loaded.exact_u_per_t,
                )?
            }
        };
        let trainer = trainer.with_threads(self.threads(backend));
        Ok(match held_out {
            Some(h) => trainer.with_validation(Validation {
                source: h.source.clone(),
                exact_u_per_t: h.exact_u_per_t,
            })?,
            None => trainer,
        })
    }
}

fn parse_activation(text: &str) -> Result<Activation, String> {
    match text {
        "gelu" => Ok(Activation::Gelu),
        "relu" => Ok(Activation::Relu),
        _ => Err(format!("{text:?}: expected gelu or relu")),
    }
}

fn parse_sink(text: &str) -> Result<AttentionSink, String> {
    match text {
        "learned" => Ok(AttentionSink::Learned),
        "quiet" => Ok(AttentionSink::Quiet),
        "none" => Ok(AttentionSink::None),
        _ => Err(format!("{text:?}: expected learned, quiet or none")),
    }
}

fn parse_schedule(text: &str) -> Result<LrSchedule, String> {
    match text {
        "by-mode" => Ok(LrSchedule::ByMode),
        "constant" => Ok(LrSchedule::Constant),
        "warmup-cosine" => Ok(LrSchedule::WarmupCosine),
        _ => Err(format!(
            "{text:?}: expected by-mode, constant or warmup-cosine"
        )),
    }
}

fn parse_position_init(text: &str) -> Result<PositionInit, String> {
    match text {
        "periodic" => Ok(PositionInit::Periodic),
        "random" => Ok(PositionInit::Random),
        _ => Err(format!("{text:?}: expected periodic or random")),
    }
}

#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// A trajectory file (SPEC section 7).
    file: PathBuf,
    /// 1: a free rate per candidate move; 2: N_W classes of move (needs --classes).
    /// Default 2 when --classes is given, else 1.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=2))]
    mode: Option<u8>,
    /// Mode 2: N_W, the number of classes of move (1 to 16).
    #[arg(long)]
    classes: Option<usize>,
    #[command(flatten)]
    learner: LearnerArgs,
    /// Write the trained model file here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print one JSON object per epoch instead of text.
    #[arg(long)]
    json: bool,
}

/// Why training could not run.
#[derive(Debug, Error)]
pub enum TrainCliError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{0}")]
    Settings(String),
    #[error("training failed: {0}")]
    Learner(#[from] LearnerError),
    #[error("cannot save the model: {0}")]
    ModelFile(#[from] ModelFileError),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A trajectory file loaded for training: the segments and the exact U/T (if it has rates).
pub struct Loaded {
    pub path: PathBuf,
    pub source: Arc<dyn SegmentSource>,
    /// The same trajectory when it is an active lattice's: Mode 2's classes are judged on it.
    pub active_lattice: Option<Arc<Trajectory<ActiveLattice>>>,
    pub exact_u_per_t: Option<f64>,
    /// Active lattice: jumps and exposures by kind of move, for the diagnostics.
    pub kinds: Option<KindStatistics>,
    pub kind: &'static str,
    pub num_jumps: usize,
    pub total_time: f64,
}

/// Reads and validates a trajectory file and computes its exact U/T when its rates are known.
pub fn load(path: &Path) -> Result<Loaded, TrainCliError> {
    let trajectory = read_trajectory(path)?;
    let exact_u_per_t = trajectory.log_likelihood().ok().map(|r| r.u_per_t);
    let (kind, num_jumps, total_time) = (
        trajectory.kind(),
        trajectory.num_jumps(),
        trajectory.total_time(),
    );
    let kinds = KindStatistics::of_any(&trajectory);
    let (source, active_lattice): (Arc<dyn SegmentSource>, _) = match trajectory {
        AnyTrajectory::ActiveLattice(t) => {
            let t = Arc::new(t);
            (t.clone(), Some(t))
        }
        other => (segment_source(other), None),
    };
    Ok(Loaded {
        path: path.to_path_buf(),
        source,
        active_lattice,
        exact_u_per_t,
        kinds,
        kind,
        num_jumps,
        total_time,
    })
}

/// Seconds an epoch took: its training plus the evaluation of U/T.
pub fn epoch_seconds(report: &EpochReport) -> f64 {
    report.train_seconds + report.eval_seconds
}

/// The mode from `--mode` and `--classes`.
fn mode(args: &TrainArgs) -> Result<Mode, TrainCliError> {
    match (args.mode, args.classes) {
        (None | Some(1), None) => Ok(Mode::Mode1),
        (Some(1), Some(_)) => Err(TrainCliError::Settings(
            "--classes is for --mode 2 (Mode 1 has a free rate per move)".to_string(),
        )),
        (Some(_), None) => Err(TrainCliError::Settings(
            "--mode 2 needs --classes N (the number of classes of move)".to_string(),
        )),
        (_, Some(classes)) => Ok(Mode::Mode2 { classes }),
    }
}

/// Fails early if `out` cannot be written to (its folder is missing), before any training.
pub fn check_out(out: &Path) -> Result<(), TrainCliError> {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
    match parent {
        Some(dir) if !dir.is_dir() => Err(TrainCliError::Write {
            path: out.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("the folder {} does not exist", dir.display()),
            ),
        }),
        _ if out.is_dir() => Err(TrainCliError::Write {
            path: out.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::IsADirectory, "it is a folder"),
        }),
        _ => Ok(()),
    }
}

fn format_rates(rates: &[f64]) -> String {
    let parts: Vec<String> = rates.iter().map(|r| format!("{r:.4}")).collect();
    format!("[{}]", parts.join(", "))
}

pub fn run(args: &TrainArgs) -> Result<(), TrainCliError> {
    let config = args.learner.config(mode(args)?)?;
    if let Some(out) = &args.out {
        check_out(out)?;
    }
    let loaded = load(&args.file)?;
    let held_out = args.learner.validation()?;
    let (device, info) = args.learner.device();
    let mut trainer =
        args.learner
            .trainer(config.clone(), &loaded, held_out.as_ref(), device, &info)?;
    if !args.json {
        println!(
            "{}: {} trajectory, K = {} jumps, T = {}; {} steps per epoch; backend {}, {} thread(s); \
             training memory {}",
            args.file.display(),
            loaded.kind,
            loaded.num_jumps,
            loaded.total_time,
            trainer.steps_per_epoch(),
            info.label(),
            trainer.threads(),
            describe_bytes(trainer.memory_bytes())
        );
    }
    if !args.json {
        println!("{}", config.describe_priors());
    }
    let diagnostics = Diagnostics::of(&loaded, held_out.as_ref());
    let described = diagnostics.describe();
    if !args.json && !described.is_empty() {
        println!("{described}");
    }
    for epoch in 1..=config.epochs {
        let report = pollster::block_on(trainer.run_epoch())?;
        print_epoch(args, &config, &report, &diagnostics);
        if epoch == 1 && config.epochs > 1 && !args.json {
            let per_epoch = report.train_seconds + report.eval_seconds;
            println!(
                "{} epochs at this pace: {} in all",
                config.epochs,
                describe_duration(per_epoch * config.epochs as f64)
            );
        }
    }
    let kept = trainer.kept();
    let judged_on = held_out.as_ref().unwrap_or(&loaded);
    if config.mode.classes() > 0
        && let Some(membership) = membership(&kept, judged_on)?
    {
        if args.json {
            println!("{}", json!({ "membership": membership }));
        } else {
            println!("{}", describe_membership(&membership, &judged_on.path));
        }
    }
    if let Some(out) = &args.out {
        // The weights of the best held-out epoch when there is a held-out trajectory.
        let bytes = pollster::block_on(kept.to_bytes())?;
        std::fs::write(out, bytes).map_err(|source| TrainCliError::Write {
            path: out.clone(),
            source,
        })?;
        if !args.json {
            println!(
                "model of epoch {} written to {}",
                trainer.kept_epoch(),
                out.display()
            );
        }
    }
    Ok(())
}

/// Configurations, evenly spaced in time, that [`membership`] classifies.
const MEMBERSHIP_CONFIGS: usize = 256;

/// Which true kind of move the network `learned` puts in which class, over
/// [`MEMBERSHIP_CONFIGS`] configurations of `judged_on` (the held-out trajectory when there is
/// one: the classes must hold on data the network has not seen); `None` in Mode 1 or for a
/// model other than the active lattice.
pub fn membership(
    learned: &LearnedDynamics,
    judged_on: &Loaded,
) -> Result<Option<ClassMembership>, TrainCliError> {
    let Some(trajectory) = &judged_on.active_lattice else {
        return Ok(None);
    };
    Ok(pollster::block_on(class_membership(
        learned,
        trajectory,
        MEMBERSHIP_CONFIGS,
    ))?)
}

/// The membership as text: for each true kind, the class most of its moves fall into.
pub fn describe_membership(membership: &ClassMembership, path: &Path) -> String {
    let mut lines = vec![format!(
        "classes on {} ({} configurations): where each true kind of move falls",
        path.display(),
        membership.configs
    )];
    let true_rates = membership.true_rates.as_deref().unwrap_or_default();
    for (k, dominant) in membership.dominant_classes().iter().enumerate() {
        let truth = true_rates
            .get(k)
            .map_or(String::new(), |r| format!(" (true rate {r})"));
        let place = match dominant {
            Some((class, share)) => format!(
                "{:.1}% in class {} (rate {:.4})",
                100.0 * share,
                class + 1,
                membership.class_rates[*class]
            ),
            None => "no moves".to_string(),
        };
        lines.push(format!("  {}{truth}: {place}", membership.kinds[k]));
    }
    lines.join("\n")
}

/// The occupancy-blind optimum of the training and held-out trajectories (active lattice).
pub struct Diagnostics {
    pub blind_u_per_t: Option<f64>,
    pub val_blind_u_per_t: Option<f64>,
}

impl Diagnostics {
    pub fn of(loaded: &Loaded, held_out: Option<&Loaded>) -> Self {
        let blind = |l: &Loaded| l.kinds.map(|k| k.occupancy_blind_u_per_t());
        Self {
            blind_u_per_t: blind(loaded),
            val_blind_u_per_t: held_out.and_then(blind),
        }
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(b) = self.blind_u_per_t {
            parts.push(format!("occupancy-blind optimum U/T {b:.4} (training)"));
        }
        if let Some(b) = self.val_blind_u_per_t {
            parts.push(format!("{b:.4} (held-out)"));
        }
        parts.join(", ")
    }
}

fn print_epoch(
    args: &TrainArgs,
    config: &LearnerConfig,
    report: &EpochReport,
    diagnostics: &Diagnostics,
) {
    let seconds = epoch_seconds(report);
    if args.json {
        let mut line = json!({
            "epoch": report.epoch,
            "steps": report.steps,
            "configs_seen": report.configs_seen,
            "U_per_T": report.u_per_t,
            "exact_U_per_T": report.exact_u_per_t,
            "blocked_leak": report.blocked_leak,
            "seconds": seconds,
            "train_seconds": report.train_seconds,
            "eval_seconds": report.eval_seconds,
            "kept_epoch": report.kept_epoch,
        });
        if let Some(b) = diagnostics.blind_u_per_t {
            line["blind_U_per_T"] = json!(b);
        }
        if report.val_u_per_t.is_some() {
            line["val_U_per_T"] = json!(report.val_u_per_t);
            line["val_exact_U_per_T"] = json!(report.val_exact_u_per_t);
            line["val_blocked_leak"] = json!(report.val_blocked_leak);
            if let Some(b) = diagnostics.val_blind_u_per_t {
                line["val_blind_U_per_T"] = json!(b);
            }
        }
        if let Some(rates) = &report.class_rates {
            line["class_rates"] = json!(rates);
        }
        if let Some(spread) = report.translation_spread {
            line["translation_spread"] = json!(spread);
        }
        if !report.warnings.is_empty() {
            line["warnings"] = json!(report.warnings);
        }
        println!("{line}");
    } else {
        let exact = match report.exact_u_per_t {
            Some(e) => format!(" (exact {e:.6})"),
            None => String::new(),
        };
        let rates = match &report.class_rates {
            Some(r) => format!(", class rates {}", format_rates(r)),
            None => String::new(),
        };
        let held_out = match (report.val_u_per_t, report.val_exact_u_per_t) {
            (Some(v), Some(e)) => format!("; held-out U/T = {v:.6} (exact {e:.6})"),
            (Some(v), None) => format!("; held-out U/T = {v:.6}"),
            _ => String::new(),
        };
        let spread = match report.translation_spread {
            Some(s) => format!(", translation spread {:.1}%", 100.0 * s),
            None => String::new(),
        };
        println!(
            "epoch {}/{}: U/T = {:.6}{exact}{held_out}, blocked leak {:.4}{rates}{spread}, \
             {seconds:.2} s",
            report.epoch, config.epochs, report.u_per_t, report.blocked_leak
        );
        for w in &report.warnings {
            println!("  warning: {w}");
        }
    }
}
