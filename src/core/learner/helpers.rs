//! Work handed to helpers: other copies of the learner (in the browser, more Web Workers, one
//! per core) that each take a share of a training step's gradient or of an evaluation.
//!
//! A helper is stateless between requests: each [`ShareRequest`] carries the weights as one flat
//! array, in the order [`burn::module::Module::visit`] meets the parameters, and the batches to
//! run. Its [`ShareReply`] carries U (and the blocked leak, or the gradient of −U, flattened the
//! same way). The trainer sums the shares in a fixed order, so the result differs from one
//! thread's only by float rounding. The core does not know how a request travels: the worker
//! implements [`StepHelpers`] with `postMessage`, the tests with a plain function call.

use super::LearnerError;
use super::batch::{Batch, TokenScheme};
use super::config::LearnerConfig;
use super::network::RateNetwork;
use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData, Transaction};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;

/// What a helper is asked to compute.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ShareWork {
    /// U and the gradient of −U summed over these micro-batches (one forward and backward pass
    /// each).
    Gradient { parts: Vec<Batch> },
    /// U and the blocked leak summed over these evaluation chunks (forward only).
    Evaluate { chunks: Vec<Batch> },
}

/// One share of a step or an evaluation: the network's settings and weights, and the work.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShareRequest {
    pub config: LearnerConfig,
    pub scheme: TokenScheme,
    pub hard_constraint: bool,
    /// Gradient only: the trainer keeps the embeddings and encoder fixed, so the backward pass
    /// stops at the head and the reply holds no gradient for them.
    #[serde(default)]
    pub frozen_body: bool,
    pub work: ShareWork,
    /// Every parameter, flattened in visiting order (sent apart from the rest, as binary).
    #[serde(skip)]
    pub weights: Vec<f32>,
}

/// A helper's answer to a [`ShareRequest`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ShareReply {
    /// U summed over the share.
    pub u: f64,
    /// The blocked leak summed over the share (evaluation only).
    pub leak: f64,
    /// Gradient only: false if U was not finite (then there is no gradient and no step).
    pub finite: bool,
    /// Gradient only: per parameter in visiting order, whether it has a gradient.
    pub present: Vec<bool>,
    /// Gradient only: the gradients of the present parameters, flattened (sent as binary).
    #[serde(skip)]
    pub grads: Vec<f32>,
}

/// The least work worth a share, in floating-point operations (about 1 ms of wasm on one
/// core at the FA tutorial's 11 GFLOP/s). Measured in Chromium on 2 cores once the learner
/// worker stopped re-running its constructors on every call from JavaScript: sharing the
/// classroom preset's steps (about 65 MFLOP) with one helper took the classroom story from 95 s
/// to 65 s, and the Exclusion preset's (about 30 MFLOP) its three epochs from 14.6 s to 12.4 s.
/// Steps under twice this stay on one worker.
pub const MIN_SHARE_FLOPS: f64 = 1e7;

/// Floating-point operations of one forward pass per token, for configurations of `tokens`
/// tokens: the attention's four projections and the feed-forward block (a multiply and an add
/// per weight), and the scores and weighted sum over the other tokens, in every layer.
pub fn forward_flops_per_token(config: &LearnerConfig, tokens: usize) -> f64 {
    let (d, ff) = (config.d_model as f64, config.d_ff as f64);
    let per_layer = 2.0 * (4.0 * d * d + 2.0 * d * ff) + 4.0 * tokens as f64 * d;
    config.layers as f64 * per_layer
}

/// How many helpers should take a share of `flops` of work: none if a share would hold less
/// than [`MIN_SHARE_FLOPS`], and never more than are available.
pub fn helpers_worth(flops: f64, available: usize) -> usize {
    let shares = (flops / MIN_SHARE_FLOPS).floor() as usize;
    shares.saturating_sub(1).min(available)
}

/// The future of one helper's reply; `Err` says why the helper could not answer.
pub type ShareFuture = Pin<Box<dyn Future<Output = Result<ShareReply, String>>>>;

/// Helpers that take shares of the work. `send` must hand the request over at once (not when
/// the future is first polled), so that the helpers work while the caller computes its own share.
pub trait StepHelpers {
    /// How many helpers can take a share now (loaded and not failed).
    fn available(&self) -> usize;
    /// Sends `request` to helper `index` (below [`StepHelpers::available`]).
    fn send(&self, index: usize, request: ShareRequest) -> ShareFuture;
}

/// Every parameter tensor of a network in visiting order, with its id.
#[derive(Default)]
struct ParamList {
    ids: Vec<ParamId>,
    shapes: Vec<Vec<usize>>,
    tensors: Vec<Tensor<1>>,
}

impl ModuleVisitor for ParamList {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.val();
        let shape = tensor.dims().to_vec();
        let n = shape.iter().product::<usize>();
        self.ids.push(param.id);
        self.shapes.push(shape);
        self.tensors.push(tensor.reshape([n]));
    }
}

/// Reads tensors back in one transfer and concatenates them (also the model file's weights).
pub(super) async fn flat_values(tensors: Vec<Tensor<1>>) -> Result<Vec<f32>, LearnerError> {
    let mut transaction = Transaction::default();
    for tensor in tensors {
        transaction = transaction.register(tensor);
    }
    let mut flat = Vec::new();
    for data in transaction
        .execute_async()
        .await
        .map_err(LearnerError::readback)?
    {
        flat.extend(
            data.try_into_vec_as::<f32>()
                .map_err(LearnerError::readback)?,
        );
    }
    Ok(flat)
}

/// The network's weights, flattened in visiting order.
pub async fn flat_weights(network: &RateNetwork) -> Result<Vec<f32>, LearnerError> {
    let mut list = ParamList::default();
    network.visit(&mut list);
    flat_values(list.tensors).await
}

/// Replaces every weight by the next values of a flat array, in visiting order.
struct WeightLoader<'a> {
    values: &'a [f32],
    offset: usize,
    short: bool,
}

impl ModuleMapper for WeightLoader<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let shape = param.lazy_shape().to_vec();
        let n: usize = shape.iter().product();
        let Some(values) = self.values.get(self.offset..self.offset + n) else {
            self.short = true;
            return param;
        };
        self.offset += n;
        let device = param.lazy_device();
        let tensor = Tensor::<D>::from_data(TensorData::new(values.to_vec(), shape), &device);
        let id = param.id;
        param.transform_for_load(tensor, id)
    }
}

/// `network` with the weights of `flat` (from [`flat_weights`] of a network of the same shape).
pub(super) fn load_weights(
    network: RateNetwork,
    flat: &[f32],
) -> Result<RateNetwork, LearnerError> {
    let mut loader = WeightLoader {
        values: flat,
        offset: 0,
        short: false,
    };
    let network = network.map(&mut loader);
    if loader.short || loader.offset != flat.len() {
        return Err(LearnerError::Mismatch(format!(
            "a helper was sent {} weights for a network of another size",
            flat.len()
        )));
    }
    Ok(network)
}

/// Gradients of `network`'s parameters, flattened in visiting order, for a [`ShareReply`].
async fn flatten_grads(
    network: &RateNetwork,
    mut grads: GradientsParams,
) -> Result<(Vec<bool>, Vec<f32>), LearnerError> {
    struct Take<'a> {
        grads: &'a mut GradientsParams,
        present: Vec<bool>,
        tensors: Vec<Tensor<1>>,
    }
    impl ModuleVisitor for Take<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            match self.grads.remove::<D>(param.id) {
                Some(grad) => {
                    let n = grad.dims().iter().product::<usize>();
                    self.present.push(true);
                    self.tensors.push(grad.reshape([n]));
                }
                None => self.present.push(false),
            }
        }
    }
    let mut take = Take {
        grads: &mut grads,
        present: Vec::new(),
        tensors: Vec::new(),
    };
    network.visit(&mut take);
    let present = take.present;
    Ok((present, flat_values(take.tensors).await?))
}

/// The gradient a helper sent back, as gradients of `network`'s own parameters on `device`.
pub(super) fn unflatten_grads(
    network: &RateNetwork,
    reply: &ShareReply,
    device: &Device,
) -> Result<GradientsParams, LearnerError> {
    let mut list = ParamList::default();
    network.visit(&mut list);
    let mismatch =
        || LearnerError::Mismatch("a helper's gradient does not fit the network".to_string());
    if reply.present.len() != list.ids.len() {
        return Err(mismatch());
    }
    let inner = device.clone().without_autodiff();
    let mut grads = GradientsParams::new();
    let mut offset = 0;
    for ((id, shape), &present) in list.ids.iter().zip(&list.shapes).zip(&reply.present) {
        if !present {
            continue;
        }
        let n: usize = shape.iter().product();
        let values = reply.grads.get(offset..offset + n).ok_or_else(mismatch)?;
        offset += n;
        let data = TensorData::new(values.to_vec(), shape.clone());
        match shape.len() {
            1 => grads.register::<1>(*id, Tensor::from_data(data, &inner)),
            2 => grads.register::<2>(*id, Tensor::from_data(data, &inner)),
            3 => grads.register::<3>(*id, Tensor::from_data(data, &inner)),
            _ => return Err(mismatch()),
        }
    }
    if offset != reply.grads.len() {
        return Err(mismatch());
    }
    Ok(grads)
}

/// A helper's side: answers [`ShareRequest`]s on its own CPU device, keeping a network of the
/// last requested shape between requests (only the weights change from step to step).
pub struct Helper {
    device: Device,
    network: Option<(LearnerConfig, TokenScheme, RateNetwork)>,
}

impl Helper {
    /// A helper computing on `device` (the CPU device, autodiff on).
    pub fn new(device: Device) -> Self {
        Self {
            device,
            network: None,
        }
    }

    /// Computes one share.
    pub async fn answer(&mut self, request: ShareRequest) -> Result<ShareReply, LearnerError> {
        request.config.validate()?;
        let network = match self.network.take() {
            Some((config, scheme, network))
                if config == request.config && scheme == request.scheme =>
            {
                network
            }
            _ => RateNetwork::new(&request.config, &request.scheme, &self.device),
        };
        let network = load_weights(network, &request.weights)?.trainable(request.frozen_body);
        let reply = match &request.work {
            ShareWork::Gradient { parts } => {
                let gradient = super::gradient::sequential(
                    &network,
                    parts,
                    request.hard_constraint,
                    &self.device,
                )
                .await?;
                match gradient.grads {
                    Some(grads) => {
                        let (present, grads) = flatten_grads(&network, grads).await?;
                        ShareReply {
                            u: gradient.u,
                            finite: true,
                            present,
                            grads,
                            ..ShareReply::default()
                        }
                    }
                    None => ShareReply {
                        u: gradient.u,
                        ..ShareReply::default()
                    },
                }
            }
            ShareWork::Evaluate { chunks } => {
                let valid = network.valid();
                let inner = self.device.clone().without_autodiff();
                let (mut u, mut leak) = (0.0, 0.0);
                for chunk in chunks {
                    let (chunk_u, chunk_leak) = super::evaluation::chunk_values(
                        &valid,
                        chunk,
                        request.hard_constraint,
                        &inner,
                    )
                    .await?;
                    u += chunk_u;
                    leak += chunk_leak;
                }
                ShareReply {
                    u,
                    leak,
                    finite: u.is_finite(),
                    ..ShareReply::default()
                }
            }
        };
        self.network = Some((request.config, request.scheme, network));
        Ok(reply)
    }
}
