//! The transformer that maps a configuration to the rates of all candidate moves (SPEC 4).
//!
//! - Tokens: the sum of one row of each embedding table (ALM: E_x[x] + E_y[y] + E_o[o];
//!   FA: E_n[n] + E_pos[i]). No other positional information, no attention mask, no dropout.
//! - Encoder: a standard post-norm transformer encoder with GELU feed-forward ([`Encoder`]),
//!   whose attention may hold a learned sink.
//! - Mode 1 head: a shared linear map from a token's output to its moves' log-rates.
//! - Mode 2 head: a linear map to N_W logits per move (standardised over the classes); the class
//!   is the argmax, made differentiable by a straight-through estimator (forward: one-hot of the
//!   argmax; backward: gradient of the softmax, taken through ln W = h . ln r); class k has the
//!   learned rate exp(s_k).

use super::batch::TokenScheme;
use super::config::{LearnerConfig, Mode, PositionInit};
use super::encoder::Encoder;
use burn::module::{Module, ModuleVisitor, Param};
use burn::nn::{Embedding, EmbeddingConfig, Linear, LinearConfig};
use burn::tensor::{Device, Int, Tensor, TensorData, activation};
use std::sync::Mutex;

/// Log-rates are clamped to this range before exponentiation.
pub const LOG_RATE_MIN: f32 = -20.0;
/// See [`LOG_RATE_MIN`].
pub const LOG_RATE_MAX: f32 = 15.0;

/// Mode 2 class log-rates are stored divided by this factor (s_k = 3 theta_k), so Adam, whose
/// steps are about the learning rate in the stored parameter, moves a class rate 3 times faster
/// than the other weights: fast enough to travel a few e-folds per epoch, slow enough that the
/// rate of a rare process (a handful of events per minibatch) does not wander.
pub const CLASS_LOG_RATE_SCALE: f32 = 3.0;

/// The range over which the Mode 2 class log-rates s_k start, spread evenly, so the classes
/// start distinct. Without the hard constraint it reaches down to e^-6 = 0.0025: the network
/// must give moves that can never happen (a step onto an occupied site) a rate near zero, and a
/// class that starts there gives them somewhere to fall from the first step. From [-3, 3] they
/// shared the lowest class with the slowest real process, and no class ever moved below it (a
/// class no move falls into gets no gradient). With the constraint those moves are masked, and
/// a class starting at 0.0025 would only have to climb to the slowest real rate.
pub fn class_log_rate_init(hard_constraint: bool) -> (f32, f32) {
    if hard_constraint {
        (-3.0, 3.0)
    } else {
        (-6.0, 3.0)
    }
}

/// Mode 2 class logits are standardised per move before the softmax,
/// (l - mean) / sqrt(var + 1) * CLASS_LOGIT_SPREAD over the classes: the argmax is unchanged,
/// but the softmax can no longer saturate, so the straight-through gradient still reaches a
/// move that sits in the wrong class (without it, training stalls with whole kinds of move
/// stuck in a wrong class).
pub const CLASS_LOGIT_SPREAD: f32 = 1.5;

/// The learner's network; its shape is fixed by a [`LearnerConfig`] and a [`TokenScheme`].
#[derive(Module, Debug)]
pub struct RateNetwork {
    embeddings: Vec<Embedding>,
    encoder: Encoder,
    head: Linear,
    /// Mode 2 only: s_k / [`CLASS_LOG_RATE_SCALE`], s_k the log-rate of class k.
    class_log_rates: Option<Param<Tensor<1>>>,
    moves_per_token: usize,
    classes: usize,
}

/// Class logits `[.., classes]` standardised over the last axis (see [`CLASS_LOGIT_SPREAD`]).
fn standardised(logits: Tensor<4>) -> Tensor<4> {
    let centred = logits.clone() - logits.mean_dim(3);
    let variance = centred.clone().powf_scalar(2.0).mean_dim(3);
    centred / (variance + 1.0).sqrt() * CLASS_LOGIT_SPREAD
}

/// A position table of `size` rows whose entries start periodic: position table `block` of
/// `blocks` owns the columns `[block * d / blocks, (block + 1) * d / blocks)`, filled pair by
/// pair with (cos, sin)(2 pi k x / L) for k = 1, 2, .., L/2, then again from k = 1; the other
/// columns start at 0. Distinct blocks keep x and y apart, so that a dot product of two tokens'
/// embeddings is a sum of cosines of their separations along each axis.
fn periodic_table(
    size: usize,
    d_model: usize,
    block: usize,
    blocks: usize,
    device: &Device,
) -> Embedding {
    let width = d_model / blocks.max(1);
    let first = block * width;
    let frequencies = (size / 2).max(1);
    let mut values = vec![0.0f32; size * d_model];
    for x in 0..size {
        for pair in 0..width / 2 {
            let k = (pair % frequencies + 1) as f64;
            let angle = 2.0 * std::f64::consts::PI * k * x as f64 / size as f64;
            let column = first + 2 * pair;
            values[x * d_model + column] = angle.cos() as f32;
            values[x * d_model + column + 1] = angle.sin() as f32;
        }
    }
    let weight = Tensor::<2>::from_data(TensorData::new(values, [size, d_model]), device);
    Embedding {
        weight: Param::from_tensor(weight),
    }
}

/// Reads every parameter once, which initialises the lazy ones.
struct ForceInit;

impl ModuleVisitor for ForceInit {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let _ = param.val();
    }
}

/// The network's answer for a batch of configurations, each `[configs, tokens, moves]`.
#[derive(Debug, Clone)]
pub struct RateOutput {
    /// ln W of every candidate move, before any hard-constraint mask (finite, clamped).
    pub log_rates: Tensor<3>,
    /// W of every candidate move, with the hard-constraint mask applied if one was given.
    pub rates: Tensor<3>,
}

impl RateNetwork {
    /// A freshly initialised network (weights drawn from the device's generator: seed it first).
    pub fn new(config: &LearnerConfig, scheme: &TokenScheme, device: &Device) -> Self {
        let positions = scheme.position_tables();
        let embeddings = scheme
            .tables
            .iter()
            .enumerate()
            .map(|(t, &n)| match positions.iter().position(|&p| p == t) {
                Some(block) if config.position_init == PositionInit::Periodic => {
                    periodic_table(n, config.d_model, block, positions.len(), device)
                }
                _ => EmbeddingConfig::new(n, config.d_model).init(device),
            })
            .collect();
        let encoder = Encoder::new(
            config.d_model,
            config.heads,
            config.d_ff,
            config.layers,
            config.attention_sink,
            config.activation,
            config.dropout,
            device,
        );
        let classes = config.mode.classes();
        let outputs = scheme.moves_per_token * classes.max(1);
        let head = LinearConfig::new(config.d_model, outputs).init(device);
        let class_log_rates = match config.mode {
            Mode::Mode1 => None,
            Mode::Mode2 { classes } => {
                let (low, high) = class_log_rate_init(config.hard_constraint);
                let init: Vec<f32> = (0..classes)
                    .map(|k| {
                        (if classes == 1 {
                            0.0
                        } else {
                            low + (high - low) * k as f32 / (classes - 1) as f32
                        }) / CLASS_LOG_RATE_SCALE
                    })
                    .collect();
                let tensor = Tensor::<1>::from_data(TensorData::new(init, [classes]), device);
                Some(Param::from_tensor(tensor))
            }
        };
        Self {
            embeddings,
            encoder,
            head,
            class_log_rates,
            moves_per_token: scheme.moves_per_token,
            classes,
        }
    }

    /// A network initialised from `config.seed`: the same seed gives the same weights.
    ///
    /// burn initialises parameters lazily from the device's generator, which may be shared by
    /// the whole process; seeding and forcing every parameter happen under one lock, so
    /// concurrent initialisations (parallel tests) cannot interleave their draws.
    pub fn seeded(config: &LearnerConfig, scheme: &TokenScheme, device: &Device) -> Self {
        static INIT: Mutex<()> = Mutex::new(());
        let _guard = INIT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        device.seed(config.seed);
        let network = Self::new(config, scheme, device);
        network.visit(&mut ForceInit);
        network
    }

    /// This network with the embeddings and encoder of `body`, keeping its own head: a Mode 2
    /// network warm-started from a trained Mode 1 network (which has learned what a
    /// configuration looks like, so only the classes have to be learned). `None` if the two
    /// bodies differ in shape.
    pub fn with_body_of(self, body: &RateNetwork) -> Option<Self> {
        let same = body.embeddings.len() == self.embeddings.len()
            && body
                .embeddings
                .iter()
                .zip(&self.embeddings)
                .all(|(a, b)| a.weight.val().dims() == b.weight.val().dims())
            && body.encoder.shape() == self.encoder.shape();
        same.then(|| Self {
            embeddings: body.embeddings.clone(),
            encoder: body.encoder.clone(),
            ..self
        })
    }

    /// The number of weights of the network `config` and `scheme` define, worked out without
    /// building it (`None` if it overflows): a model file's weights must have exactly this many,
    /// which bounds what reading a file may allocate by the file's own size.
    pub fn parameter_count(config: &LearnerConfig, scheme: &TokenScheme) -> Option<usize> {
        let d = config.d_model;
        let ff = config.d_ff;
        let linear =
            |inputs: usize, outputs: usize| inputs.checked_mul(outputs)?.checked_add(outputs);
        let embeddings = scheme
            .tables
            .iter()
            .try_fold(0usize, |sum, &rows| sum.checked_add(rows.checked_mul(d)?))?;
        let sink = if config.attention_sink == super::config::AttentionSink::Learned {
            config.heads
        } else {
            0
        };
        let layer = [
            linear(d, d.checked_mul(3)?)?,
            linear(d, d)?,
            linear(d, ff)?,
            linear(ff, d)?,
            d.checked_mul(4)?, // two layer norms, each a scale and a shift
            sink,
        ]
        .into_iter()
        .try_fold(0usize, usize::checked_add)?;
        let classes = config.mode.classes();
        let head = linear(d, scheme.moves_per_token.checked_mul(classes.max(1))?)?;
        embeddings
            .checked_add(layer.checked_mul(config.layers)?)?
            .checked_add(head)?
            .checked_add(classes)
    }

    /// This network ready for training steps. With `freeze_body` its embeddings and encoder are
    /// taken out of autodiff, so the backward pass of a step stops at the head
    /// ([`LearnerConfig::freeze_body`]); without, every weight trains, also those of a body
    /// taken from a network that was trained with a frozen body.
    pub fn trainable(self, freeze_body: bool) -> Self {
        if !freeze_body {
            return self.set_require_grad(true);
        }
        Self {
            embeddings: self.embeddings.into_iter().map(|e| e.no_grad()).collect(),
            encoder: self.encoder.no_grad(),
            ..self
        }
    }

    /// N_W (0 in Mode 1).
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Candidate moves per token.
    pub fn moves_per_token(&self) -> usize {
        self.moves_per_token
    }

    /// The attention maps of every layer for the configurations of `features` (see
    /// [`Encoder::attention_maps`]).
    pub fn attention_maps(&self, features: Vec<Tensor<2, Int>>) -> Vec<Tensor<3>> {
        self.encoder.attention_maps(self.embed(features))
    }

    /// The encoder's output per token, `[configs, tokens, d_model]`, from one `[configs, tokens]`
    /// index tensor per embedding table.
    fn encode(&self, features: Vec<Tensor<2, Int>>) -> Tensor<3> {
        self.encoder.forward(self.embed(features))
    }

    /// The sum of the token's embeddings, `[configs, tokens, d_model]`.
    fn embed(&self, features: Vec<Tensor<2, Int>>) -> Tensor<3> {
        assert_eq!(
            features.len(),
            self.embeddings.len(),
            "one feature per table"
        );
        self.embeddings
            .iter()
            .zip(features)
            .map(|(table, index)| table.forward(index))
            .reduce(|a, b| a + b)
            .expect("at least one embedding table")
    }

    /// Rates of every candidate move; `allowed` (`[configs, tokens, moves]`, 1 or 0) is the
    /// hard-constraint mask, `None` for no constraint.
    pub fn forward(&self, features: Vec<Tensor<2, Int>>, allowed: Option<Tensor<3>>) -> RateOutput {
        let hidden = self.encode(features);
        let [b, n, _] = hidden.dims();
        let m = self.moves_per_token;
        let raw = self.head.forward(hidden);
        let (log_rates, rates) = match &self.class_log_rates {
            None => {
                let log_rates = raw.clamp(LOG_RATE_MIN, LOG_RATE_MAX);
                let rates = log_rates.clone().exp();
                (log_rates, rates)
            }
            Some(s) => {
                let w = self.classes;
                let logits = standardised(raw.reshape([b, n, m, w]));
                let soft = activation::softmax(logits.clone(), 3);
                let max = logits.clone().max_dim(3).repeat_dim(3, w);
                let hard = logits.greater_equal(max).float();
                let straight_through = hard + soft.clone() - soft.detach();
                let class_log_rates: Tensor<4> = s
                    .val()
                    .mul_scalar(CLASS_LOG_RATE_SCALE)
                    .clamp(LOG_RATE_MIN, LOG_RATE_MAX)
                    .reshape([1, 1, 1, w]);
                // For a one-hot h, ln(h . r) = h . ln r, and the straight-through estimator goes
                // through the latter: the softmax gradient of a move's U is then n ln r_k - dt r_k
                // for class k, which favours the class whose rate best fits the move (through
                // ln(h . r) it would be proportional to r_k and favour the extreme classes).
                let log_rates: Tensor<3> = (straight_through.clone() * class_log_rates.clone())
                    .sum_dim(3)
                    .reshape([b, n, m]);
                let rates: Tensor<3> = (straight_through * class_log_rates.exp())
                    .sum_dim(3)
                    .reshape([b, n, m]);
                (log_rates, rates)
            }
        };
        let rates = match allowed {
            Some(mask) => rates * mask,
            None => rates,
        };
        RateOutput { log_rates, rates }
    }

    /// exp(s_k) clamped as in the forward pass, as a tensor (Mode 2), to be read back.
    pub fn class_rates_tensor(&self) -> Option<Tensor<1>> {
        self.class_log_rates.as_ref().map(|s| {
            s.val()
                .mul_scalar(CLASS_LOG_RATE_SCALE)
                .clamp(LOG_RATE_MIN, LOG_RATE_MAX)
                .exp()
        })
    }

    /// The class (argmax) of every candidate move, `[configs, tokens, moves]` (Mode 2).
    pub fn classes_of(&self, features: Vec<Tensor<2, Int>>) -> Option<Tensor<3, Int>> {
        self.class_log_rates.as_ref()?;
        let hidden = self.encode(features);
        let [b, n, _] = hidden.dims();
        let logits: Tensor<4> =
            self.head
                .forward(hidden)
                .reshape([b, n, self.moves_per_token, self.classes]);
        Some(logits.argmax(3).reshape([b, n, self.moves_per_token]))
    }
}
