//! `jumpformer train FILE`: trains the transformer learner (SPEC section 4) on one trajectory file,
//! reports U/T after every epoch next to the exact U/T, and optionally writes the model file.

use super::input::{InputError, read_trajectory};
use crate::core::compute::{BackendInfo, select_device};
use crate::core::learner::{
    EpochReport, LearnerConfig, LearnerError, Mode, ModelFileError, SegmentSource, Trainer,
};
use crate::core::trajectory::AnyTrajectory;
use burn::tensor::Device;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use thiserror::Error;

/// Network and training settings shared by `train` and `scan`; absent ones take the learner's
/// defaults ([`LearnerConfig::default`]).
#[derive(Debug, clap::Args)]
pub struct LearnerArgs {
    /// Passes over the trajectory (default 10).
    #[arg(long)]
    epochs: Option<usize>,
    /// Adam's learning rate (default 1e-3).
    #[arg(long)]
    lr: Option<f64>,
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
    #[arg(long)]
    ff: Option<usize>,
    /// Mask moves impossible in the configuration to a rate of exactly zero.
    #[arg(long = "hard-constraint")]
    hard_constraint: bool,
    /// Largest L2 norm of each parameter's gradient, 0 for no clipping (default 100).
    #[arg(long)]
    clip: Option<f64>,
    /// Seed of the weight initialisation and of the segment shuffling (default 1).
    #[arg(long)]
    seed: Option<u64>,
    /// Train on the CPU even where a GPU adapter exists.
    #[arg(long)]
    cpu: bool,
}

impl LearnerArgs {
    /// The learner settings in `mode`, checked.
    pub fn config(&self, mode: Mode) -> Result<LearnerConfig, TrainCliError> {
        let d = LearnerConfig::default();
        let config = LearnerConfig {
            d_model: self.d_model.unwrap_or(d.d_model),
            heads: self.heads.unwrap_or(d.heads),
            layers: self.layers.unwrap_or(d.layers),
            d_ff: self.ff.unwrap_or(d.d_ff),
            mode,
            hard_constraint: self.hard_constraint,
            learning_rate: self.lr.unwrap_or(d.learning_rate),
            segment_len: self.segment.unwrap_or(d.segment_len),
            segments_per_batch: self.batch.unwrap_or(d.segments_per_batch),
            epochs: self.epochs.unwrap_or(d.epochs),
            grad_clip_norm: self.clip.unwrap_or(d.grad_clip_norm),
            seed: self.seed.unwrap_or(d.seed),
        };
        config
            .validate()
            .map_err(|e| TrainCliError::Settings(e.to_string()))?;
        Ok(config)
    }

    /// The training device (autodiff on) and why it was chosen.
    pub fn device(&self) -> (Device, BackendInfo) {
        pollster::block_on(select_device(!self.cpu))
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
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A trajectory file loaded for training: the segments and the exact U/T (if it has rates).
pub struct Loaded {
    pub source: Arc<dyn SegmentSource>,
    pub exact_u_per_t: Option<f64>,
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
    let source: Arc<dyn SegmentSource> = match trajectory {
        AnyTrajectory::ActiveLattice(t) => Arc::new(t),
        AnyTrajectory::Fa(t) => Arc::new(t),
    };
    Ok(Loaded {
        source,
        exact_u_per_t,
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
    let (device, info) = args.learner.device();
    let mut trainer = Trainer::new(
        config.clone(),
        loaded.source.clone(),
        device,
        loaded.exact_u_per_t,
    )?;
    if !args.json {
        println!(
            "{}: {} trajectory, K = {} jumps, T = {}; {} steps per epoch; backend {}",
            args.file.display(),
            loaded.kind,
            loaded.num_jumps,
            loaded.total_time,
            trainer.steps_per_epoch(),
            info.label()
        );
    }
    for _ in 0..config.epochs {
        let report = pollster::block_on(trainer.run_epoch())?;
        print_epoch(args, &config, &report);
    }
    if let Some(out) = &args.out {
        let bytes = pollster::block_on(trainer.learned().to_bytes())?;
        std::fs::write(out, bytes).map_err(|source| TrainCliError::Write {
            path: out.clone(),
            source,
        })?;
        if !args.json {
            println!("model written to {}", out.display());
        }
    }
    Ok(())
}

fn print_epoch(args: &TrainArgs, config: &LearnerConfig, report: &EpochReport) {
    let seconds = epoch_seconds(report);
    if args.json {
        let mut line = json!({
            "epoch": report.epoch,
            "steps": report.steps,
            "U_per_T": report.u_per_t,
            "exact_U_per_T": report.exact_u_per_t,
            "seconds": seconds,
            "train_seconds": report.train_seconds,
            "eval_seconds": report.eval_seconds,
        });
        if let Some(rates) = &report.class_rates {
            line["class_rates"] = json!(rates);
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
        println!(
            "epoch {}/{}: U/T = {:.6}{exact}{rates}, {seconds:.2} s",
            report.epoch, config.epochs, report.u_per_t
        );
        for w in &report.warnings {
            println!("  warning: {w}");
        }
    }
}
