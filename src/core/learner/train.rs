//! Training by maximum path likelihood, one minibatch at a time, so a browser worker can yield
//! and report progress between steps; and the evaluation of U/T over a whole trajectory in chunks.

use super::adabelief::AdaBelief;
use super::batch::{Batch, SegmentSource, TokenScheme};
use super::config::{Augmentation, LearnerConfig, OptimizerKind};
use super::evaluation::Evaluator;
use super::gradient::{Helping, batch_gradient, device_gradient};
use super::helpers::StepHelpers;
use super::learned::{LearnedDynamics, TrainingSummary};
use super::network::RateNetwork;
use super::report::{EpochReport, StepOutcome};
use super::symmetry::{
    SPREAD_CONFIGS, SPREAD_SHIFTS, evenly_spaced_configurations, translation_spread,
};
use super::{LearnerError, now_seconds};
use crate::core::compute::runs_on_cpu;
use crate::core::rng::Rng;
use burn::module::Module;
use burn::optim::{
    AdamConfig, AdamWConfig, ModuleOptimizer, grad_clipping::GradientClippingConfig,
};
use burn::tensor::{Device, Tensor};
use std::rc::Rc;
use std::sync::Arc;

/// On a GPU, the U of this many optimiser steps is read back at once (and at the end of each
/// epoch): each read-back waits for the GPU to finish all it was given, so reading every step's
/// U would stall every step.
pub const STEPS_PER_READBACK: usize = 8;

/// An optimiser step taken on a GPU whose U is still on the device.
struct PendingStep {
    /// U of the minibatch under `before`.
    u: Tensor<1>,
    /// The weights the step started from.
    before: RateNetwork,
    epoch: usize,
    step_in_epoch: usize,
    /// Time spanned by the minibatch (sum of dt).
    time: f64,
}

/// A held-out trajectory with the same rules as the training one.
#[derive(Clone)]
pub struct Validation {
    /// Its segments.
    pub source: Arc<dyn SegmentSource>,
    /// Its exact U/T, when its rates are known.
    pub exact_u_per_t: Option<f64>,
}

/// The weights of the best epoch so far (early stopping).
struct Kept {
    epoch: usize,
    val_u_per_t: f64,
    network: RateNetwork,
    summary: TrainingSummary,
}

/// Trains a [`RateNetwork`] on one trajectory.
pub struct Trainer {
    config: LearnerConfig,
    scheme: TokenScheme,
    source: Arc<dyn SegmentSource>,
    device: Device,
    network: RateNetwork,
    last_good: RateNetwork,
    optimizer: ModuleOptimizer,
    rng: Rng,
    /// Draws the translations of [`Augmentation::Translations`], apart from `rng` so that the
    /// segment order does not depend on the augmentation.
    augmentation_rng: Rng,
    /// Segment starts in this epoch's order.
    order: Vec<usize>,
    /// Next position in `order`.
    cursor: usize,
    epochs_done: usize,
    steps: usize,
    configs_seen: u64,
    epoch_seconds: f64,
    warnings: Vec<String>,
    exact_u_per_t: Option<f64>,
    last_u_per_t: Option<f64>,
    validation: Option<Validation>,
    kept: Option<Kept>,
    /// Threads that share each step's forward and backward passes (natively; 1 in the browser).
    threads: usize,
    /// Helpers that take shares of each step and evaluation (the browser's extra workers).
    helpers: Option<Rc<dyn StepHelpers>>,
    /// Whether U is read back every [`STEPS_PER_READBACK`] steps rather than every step (on a
    /// GPU, where a read-back stalls the step).
    deferred_readback: bool,
    /// Steps taken whose U has not been read back yet.
    pending: Vec<PendingStep>,
    /// U / (sum of dt) of the last minibatch whose U was read back.
    last_batch_u_per_t: f64,
    /// The configurations the translation spread is measured on, drawn at the first report.
    spread_configurations: Option<Batch>,
    /// Steps move only the head and class rates: a warm start with
    /// [`LearnerConfig::freeze_body`].
    frozen_body: bool,
}

/// Moves `segment` by a random translation of the lattice (one shift per position table).
fn translate(segment: &mut Batch, scheme: &TokenScheme, rng: &mut Rng) {
    let tables = scheme.position_tables();
    let shifts: Vec<usize> = tables
        .iter()
        .map(|&t| rng.below(scheme.tables[t] as u64) as usize)
        .collect();
    segment.translate(tables, &scheme.tables, &shifts);
}

fn optimizer(config: &LearnerConfig) -> ModuleOptimizer {
    let clipping = (config.grad_clip_norm > 0.0)
        .then_some(GradientClippingConfig::Norm(config.grad_clip_norm as f32));
    match config.optimizer {
        OptimizerKind::AdaBelief => AdaBelief::new(config.weight_decay as f32).init(clipping),
        OptimizerKind::Adam if config.weight_decay > 0.0 => AdamWConfig::new()
            .with_epsilon(1e-8)
            .with_weight_decay(config.weight_decay as f32)
            .with_grad_clipping(clipping)
            .init(),
        OptimizerKind::Adam => AdamConfig::new()
            .with_epsilon(1e-8)
            .with_grad_clipping(clipping)
            .init(),
    }
}

impl Trainer {
    /// A trainer of a fresh network on `source`. `device` is the training device (autodiff on,
    /// e.g. [`crate::core::compute::cpu_device`]); `exact_u_per_t` is shown next to the learner's.
    pub fn new(
        config: LearnerConfig,
        source: Arc<dyn SegmentSource>,
        device: Device,
        exact_u_per_t: Option<f64>,
    ) -> Result<Self, LearnerError> {
        config.validate()?;
        let scheme = source.scheme();
        let network = RateNetwork::seeded(&config, &scheme, &device);
        Self::with_network(config, network, source, device, exact_u_per_t)
    }

    /// A trainer of a fresh network whose embeddings and encoder start from `body` (e.g. a
    /// Mode 2 network warm-started from a trained Mode 1 network); the head starts fresh. With
    /// [`LearnerConfig::freeze_body`] only the head and the class rates are trained.
    pub fn warm_started(
        config: LearnerConfig,
        body: &LearnedDynamics,
        source: Arc<dyn SegmentSource>,
        device: Device,
        exact_u_per_t: Option<f64>,
    ) -> Result<Self, LearnerError> {
        config.validate()?;
        let scheme = source.scheme();
        body.check_scheme(&scheme)?;
        let trained = body.network().clone().fork(&device).train();
        let network = RateNetwork::seeded(&config, &scheme, &device)
            .with_body_of(&trained)
            .ok_or_else(|| {
                LearnerError::Mismatch(
                    "the warm start's network has another shape (d_model, heads, layers, d_ff, \
                     attention sink and activation must match)"
                        .to_string(),
                )
            })?;
        let frozen_body = config.freeze_body;
        let network = network.trainable(frozen_body);
        let mut trainer = Self::with_network(config, network, source, device, exact_u_per_t)?;
        trainer.frozen_body = frozen_body;
        Ok(trainer)
    }

    /// A trainer that continues from `learned` (e.g. a loaded model file) on `source`.
    pub fn resume(
        learned: &LearnedDynamics,
        source: Arc<dyn SegmentSource>,
        device: Device,
        exact_u_per_t: Option<f64>,
    ) -> Result<Self, LearnerError> {
        learned.check_scheme(&source.scheme())?;
        // A network trained with a frozen body resumes with every weight trainable again.
        let network = learned
            .network()
            .clone()
            .fork(&device)
            .train()
            .trainable(false);
        Self::with_network(
            learned.config().clone(),
            network,
            source,
            device,
            exact_u_per_t,
        )
    }

    fn with_network(
        config: LearnerConfig,
        network: RateNetwork,
        source: Arc<dyn SegmentSource>,
        device: Device,
        exact_u_per_t: Option<f64>,
    ) -> Result<Self, LearnerError> {
        config.validate()?;
        if source.num_tokens() == 0 {
            return Err(LearnerError::Trajectory(
                "the trajectory has no tokens (no particles) to learn from".to_string(),
            ));
        }
        let deferred_readback = !runs_on_cpu(&device);
        Ok(Self {
            scheme: source.scheme(),
            optimizer: optimizer(&config),
            rng: Rng::new(config.seed ^ 0x5E67_3E47_5EED_0001),
            augmentation_rng: Rng::new(config.seed ^ 0x7A45_1A7E_0000_0002),
            last_good: network.clone(),
            network,
            source,
            device,
            order: Vec::new(),
            cursor: 0,
            epochs_done: 0,
            steps: 0,
            configs_seen: 0,
            epoch_seconds: 0.0,
            warnings: Vec::new(),
            exact_u_per_t,
            last_u_per_t: None,
            validation: None,
            kept: None,
            threads: 1,
            helpers: None,
            deferred_readback,
            pending: Vec::new(),
            last_batch_u_per_t: 0.0,
            spread_configurations: None,
            frozen_body: false,
            config,
        })
    }

    /// Evaluates every epoch on `validation` too, and keeps the weights of the epoch with the
    /// best held-out U/T ([`Trainer::kept`]).
    pub fn with_validation(mut self, validation: Validation) -> Result<Self, LearnerError> {
        if validation.source.scheme() != self.scheme {
            return Err(LearnerError::Mismatch(format!(
                "the held-out trajectory ({} at L = {}) is not of the training trajectory's \
                 model and size ({} at L = {})",
                validation.source.scheme().kind,
                validation.source.scheme().size,
                self.scheme.kind,
                self.scheme.size
            )));
        }
        if validation.source.num_tokens() == 0 {
            return Err(LearnerError::Trajectory(
                "the held-out trajectory has no tokens".to_string(),
            ));
        }
        self.validation = Some(validation);
        Ok(self)
    }

    /// Shares each step's forward and backward passes, and each evaluation, among `threads`
    /// threads (at least 1). More than one helps only natively on the CPU backend; in the
    /// browser the work stays on the worker's thread. The result differs from one thread's only
    /// by float rounding.
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = if cfg!(target_arch = "wasm32") {
            1
        } else {
            threads.max(1)
        };
        self
    }

    /// Reads U back every [`STEPS_PER_READBACK`] steps (`true`, the default on a GPU) or every
    /// step (the default on the CPU, where a read-back costs nothing). The trained weights are
    /// the same either way; a non-finite loss is found later when deferred.
    pub fn with_deferred_readback(mut self, deferred: bool) -> Self {
        self.deferred_readback = deferred;
        self
    }

    /// Shares each step's forward and backward passes, and each evaluation, with `helpers`
    /// (on the CPU backend; the browser's extra workers). The result differs from this thread's
    /// alone only by float rounding.
    pub fn with_helpers(mut self, helpers: Rc<dyn StepHelpers>) -> Self {
        self.helpers = Some(helpers);
        self
    }

    /// Threads sharing each step (see [`Trainer::with_threads`]).
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The settings.
    pub fn config(&self) -> &LearnerConfig {
        &self.config
    }

    /// Epochs completed.
    pub fn epochs_done(&self) -> usize {
        self.epochs_done
    }

    /// Optimiser steps taken.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// True once `config.epochs` epochs are done (stepping on is allowed: more epochs).
    pub fn finished(&self) -> bool {
        self.epochs_done >= self.config.epochs
    }

    /// Number of segments of the trajectory.
    pub fn num_segments(&self) -> usize {
        self.source.num_configs().div_ceil(self.config.segment_len)
    }

    /// Optimiser steps per epoch.
    pub fn steps_per_epoch(&self) -> usize {
        self.num_segments().div_ceil(self.config.segments_per_batch)
    }

    /// Bytes of memory the training holds (see [`crate::core::estimate::training_bytes`]),
    /// with the trajectory's tokens, on this trainer's device and threads.
    pub fn memory_bytes(&self) -> f64 {
        let tokens = self.source.num_tokens();
        let minibatch = self.config.segment_len * self.config.segments_per_batch * tokens;
        let in_flight = if runs_on_cpu(&self.device) {
            minibatch.min(super::gradient::MICRO_BATCH_TOKENS) * self.threads
        } else {
            minibatch
        };
        crate::core::estimate::training_bytes(&self.config, tokens, in_flight)
    }

    /// The network being trained.
    pub fn network(&self) -> &RateNetwork {
        &self.network
    }

    /// Draws a new order of the segments (Fisher–Yates from the seeded generator).
    fn shuffle(&mut self) {
        let len = self.config.segment_len;
        self.order = (0..self.num_segments()).map(|s| s * len).collect();
        for i in (1..self.order.len()).rev() {
            let j = self.rng.below(i as u64 + 1) as usize;
            self.order.swap(i, j);
        }
        self.cursor = 0;
    }

    /// One optimiser step on the next minibatch of shuffled segments.
    pub async fn train_step(&mut self) -> Result<StepOutcome, LearnerError> {
        let started = now_seconds();
        if self.cursor >= self.order.len() {
            self.shuffle();
        }
        let steps_per_epoch = self.steps_per_epoch();
        let step_in_epoch = self.cursor / self.config.segments_per_batch + 1;
        let hard = self.config.hard_constraint;
        let end = (self.cursor + self.config.segments_per_batch).min(self.order.len());
        let mut batch: Option<Batch> = None;
        for &start in &self.order[self.cursor..end] {
            let mut segment = self.source.segment(start, self.config.segment_len, hard);
            if self.config.augmentation == Augmentation::Translations {
                translate(&mut segment, &self.scheme, &mut self.augmentation_rng);
            }
            match batch.as_mut() {
                None => batch = Some(segment),
                Some(b) => b.extend(&segment),
            }
        }
        self.cursor = end;
        let batch = batch.expect("an epoch has at least one segment");
        let time: f64 = batch.dt.iter().sum();
        let batch_configs = batch.num_configs();
        let total_steps = self.config.epochs * steps_per_epoch;
        let learning_rate = self.config.lr_schedule.rate(
            &self.config.mode,
            self.config.learning_rate,
            self.steps,
            total_steps,
        );
        let mut warning = None;
        if !self.deferred_readback {
            let helping = self.helpers.as_deref().map(|helpers| Helping {
                helpers,
                config: &self.config,
                scheme: &self.scheme,
                frozen_body: self.frozen_body,
            });
            let gradient = batch_gradient(
                &self.network,
                &batch,
                hard,
                &self.device,
                self.threads,
                helping,
            )
            .await?;
            let u_value = gradient.u;
            match gradient.grads {
                // The loss is -U of the minibatch (a sum over configurations, as in the
                // authors' tutorial; Adam is insensitive to the scale).
                Some(grads) => {
                    self.last_good = self.network.clone();
                    let network = self.network.clone();
                    self.network = self.optimizer.step(learning_rate, network, grads);
                }
                None => {
                    let (good, epoch) = (self.last_good.clone(), self.epochs_done + 1);
                    warning = Some(self.undo(good, u_value, epoch, step_in_epoch));
                }
            }
            if time > 0.0 {
                self.last_batch_u_per_t = u_value / time;
            }
        } else {
            let (u, grads) = device_gradient(&self.network, &batch, hard, &self.device);
            let before = self.network.clone();
            self.network = self.optimizer.step(learning_rate, before.clone(), grads);
            self.pending.push(PendingStep {
                u,
                before,
                epoch: self.epochs_done + 1,
                step_in_epoch,
                time,
            });
        }
        self.steps += 1;
        self.configs_seen += batch_configs as u64;
        let epoch = self.epochs_done + 1;
        let epoch_finished = self.cursor >= self.order.len();
        if epoch_finished {
            self.epochs_done += 1;
        }
        if epoch_finished || self.pending.len() >= STEPS_PER_READBACK {
            warning = warning.or(self.settle().await?);
        }
        self.epoch_seconds += now_seconds() - started;
        Ok(StepOutcome {
            epoch,
            step_in_epoch,
            steps_per_epoch,
            batch_u_per_t: self.last_batch_u_per_t,
            epoch_finished,
            warning,
        })
    }

    /// Reads back the U of the steps taken on a GPU since the last read, all in one read-back.
    /// If one is not finite, the weights go back to those before the step that led to it, and
    /// the warning says so. Called every [`STEPS_PER_READBACK`] steps, at the end of each epoch,
    /// and by whoever stops a training between epochs.
    pub async fn settle(&mut self) -> Result<Option<String>, LearnerError> {
        if self.pending.is_empty() {
            return Ok(None);
        }
        let pending = std::mem::take(&mut self.pending);
        let values = Tensor::cat(pending.iter().map(|p| p.u.clone()).collect(), 0)
            .into_data_async()
            .await
            .map_err(LearnerError::readback)?
            .try_into_vec_as::<f32>()
            .map_err(LearnerError::readback)?;
        for (i, (step, &value)) in pending.iter().zip(&values).enumerate() {
            if !value.is_finite() {
                // U of step i was computed with the weights the step before it produced.
                let good = match i {
                    0 => self.last_good.clone(),
                    _ => pending[i - 1].before.clone(),
                };
                let warning = self.undo(good, value as f64, step.epoch, step.step_in_epoch);
                return Ok(Some(warning));
            }
            if step.time > 0.0 {
                self.last_batch_u_per_t = value as f64 / step.time;
            }
        }
        if let Some(last) = pending.last() {
            self.last_good = last.before.clone();
        }
        Ok(None)
    }

    /// Goes back to the weights `good` after step `step_in_epoch` of `epoch` found the loss
    /// `u_value` (not finite); gives the warning.
    fn undo(
        &mut self,
        good: RateNetwork,
        u_value: f64,
        epoch: usize,
        step_in_epoch: usize,
    ) -> String {
        let message = format!(
            "epoch {epoch}, step {step_in_epoch}: the loss became {u_value}; the step was \
             skipped and the last good weights restored"
        );
        self.network = good;
        self.optimizer = optimizer(&self.config);
        self.warnings.push(message.clone());
        message
    }

    /// Trains to the end of the current epoch and reports.
    pub async fn run_epoch(&mut self) -> Result<EpochReport, LearnerError> {
        loop {
            if self.train_step().await?.epoch_finished {
                return self.epoch_report().await;
            }
        }
    }

    /// Evaluates U/T over the whole training trajectory (and the held-out one, if any),
    /// keeps the weights if they are the best on held-out data so far, and reports on the
    /// epoch; resets the epoch's timer and warnings.
    pub async fn epoch_report(&mut self) -> Result<EpochReport, LearnerError> {
        let started = now_seconds();
        let training = self.evaluator().run().await?;
        let held_out = match self.validation_evaluator() {
            Some(evaluator) => Some(evaluator.run().await?),
            None => None,
        };
        let learned = self.learned();
        let class_rates = learned.class_rates().await?;
        let spread_on = self.spread_configurations.get_or_insert_with(|| {
            let source = self.validation.as_ref().map_or(&self.source, |v| &v.source);
            evenly_spaced_configurations(
                source.as_ref(),
                SPREAD_CONFIGS,
                self.config.hard_constraint,
            )
        });
        let translation_spread =
            translation_spread(&learned, spread_on, SPREAD_SHIFTS, self.config.seed).await?;
        let eval_seconds = now_seconds() - started;
        self.last_u_per_t = Some(training.u_per_t);
        if let Some(held_out) = &held_out {
            let better = match &self.kept {
                None => true,
                Some(kept) => held_out.u_per_t > kept.val_u_per_t || kept.val_u_per_t.is_nan(),
            };
            if better {
                self.kept = Some(Kept {
                    epoch: self.epochs_done,
                    val_u_per_t: held_out.u_per_t,
                    network: self.network.valid(),
                    summary: self.summary(),
                });
            }
        }
        let report = EpochReport {
            epoch: self.epochs_done,
            steps: self.steps,
            configs_seen: self.configs_seen,
            u_per_t: training.u_per_t,
            exact_u_per_t: self.exact_u_per_t,
            blocked_leak: training.blocked_leak,
            val_u_per_t: held_out.as_ref().map(|e| e.u_per_t),
            val_exact_u_per_t: self.validation.as_ref().and_then(|v| v.exact_u_per_t),
            val_blocked_leak: held_out.as_ref().map(|e| e.blocked_leak),
            u_per_t_blocks: training.u_per_t_blocks,
            val_u_per_t_blocks: held_out.map(|e| e.u_per_t_blocks),
            kept_epoch: self.kept.as_ref().map_or(self.epochs_done, |k| k.epoch),
            train_seconds: self.epoch_seconds,
            eval_seconds,
            class_rates,
            translation_spread,
            warnings: std::mem::take(&mut self.warnings),
        };
        self.epoch_seconds = 0.0;
        Ok(report)
    }

    /// A chunked evaluator of U/T of the current network over the training trajectory.
    pub fn evaluator(&self) -> Evaluator {
        self.evaluator_on(self.source.clone())
    }

    /// A chunked evaluator of the current network over the held-out trajectory, if any.
    pub fn validation_evaluator(&self) -> Option<Evaluator> {
        let source = self.validation.as_ref()?.source.clone();
        Some(self.evaluator_on(source))
    }

    fn evaluator_on(&self, source: Arc<dyn SegmentSource>) -> Evaluator {
        let evaluator = Evaluator::new(
            self.network.valid(),
            self.config.hard_constraint,
            source,
            self.device.clone().without_autodiff(),
        )
        .with_threads(self.threads);
        match &self.helpers {
            Some(helpers) => {
                evaluator.with_helpers(helpers.clone(), self.config.clone(), self.scheme.clone())
            }
            None => evaluator,
        }
    }

    fn summary(&self) -> TrainingSummary {
        TrainingSummary {
            epochs: self.epochs_done,
            steps: self.steps,
            u_per_t: self.last_u_per_t,
            exact_u_per_t: self.exact_u_per_t,
        }
    }

    /// The network to keep: the weights of the epoch with the best held-out U/T when there is
    /// a held-out trajectory (early stopping), else the current weights.
    pub fn kept(&self) -> LearnedDynamics {
        match &self.kept {
            Some(kept) => LearnedDynamics::from_parts(
                self.config.clone(),
                self.scheme.clone(),
                kept.network.clone(),
                kept.summary.clone(),
            ),
            None => self.learned(),
        }
    }

    /// The epoch [`Trainer::kept`] comes from.
    pub fn kept_epoch(&self) -> usize {
        self.kept.as_ref().map_or(self.epochs_done, |k| k.epoch)
    }

    /// The current network with its settings, detached from training (for rates and saving).
    pub fn learned(&self) -> LearnedDynamics {
        LearnedDynamics::from_parts(
            self.config.clone(),
            self.scheme.clone(),
            self.network.valid(),
            self.summary(),
        )
    }
}
