//! The gradient of the loss -U over one minibatch.
//!
//! The minibatch is cut into micro-batches of at most [`MICRO_BATCH_TOKENS`] tokens, each with
//! its own forward and backward pass, and their gradients are summed: U is a sum over
//! configurations, so the sum is the minibatch's gradient (up to float rounding). Small passes
//! keep their activations in cache, so a bigger minibatch is not slower per configuration.
//! On a GPU the minibatch runs whole. Natively on the CPU, with more than one thread, the
//! micro-batches are shared out among threads, each with its own copy of the weights and so its
//! own autodiff graph; in the browser, among the learner worker and its helper workers
//! ([`super::helpers`]), when the step is big enough to pay for the messages.

use super::LearnerError;
use super::batch::{Batch, TokenScheme};
use super::config::LearnerConfig;
use super::helpers::{
    ShareRequest, ShareWork, StepHelpers, flat_weights, forward_flops_per_token, helpers_worth,
    unflatten_grads,
};
use super::loss::{BatchTensors, batch_log_likelihood};
use super::network::RateNetwork;
#[cfg(not(target_arch = "wasm32"))]
use super::threads::on_shares;
use crate::core::compute::runs_on_cpu;
use burn::optim::{GradientsAccumulator, GradientsParams};
use burn::tensor::{Device, Tensor};

/// The most tokens in one forward and backward pass: 0.25 MB per activation of width 64 and
/// 1 MB for the feed-forward's hidden layer of width 256, which stay in a core's L2 cache.
/// Measured on the FA tutorial setting with steps of 1000 configurations, 2 threads: 4.69 s
/// per epoch against 4.93 s with 2048 (medians of 5 interleaved runs), and steps of 1000 no
/// longer slower per configuration than steps of 128.
pub const MICRO_BATCH_TOKENS: usize = 1024;

/// U of a minibatch and the gradient of -U.
pub(super) struct BatchGradient {
    /// U of the minibatch under the weights before the step.
    pub u: f64,
    /// The gradient of -U; `None` if U is not finite (no step should be taken).
    pub grads: Option<GradientsParams>,
}

/// On a GPU: the gradient of -U over `batch` taken at once, with U left on the device, so the
/// step waits for no read-back (the trainer reads several steps' U back together and undoes the
/// steps from the first whose U is not finite).
pub(super) fn device_gradient(
    network: &RateNetwork,
    batch: &Batch,
    hard_constraint: bool,
    device: &Device,
) -> (Tensor<1>, GradientsParams) {
    let tensors = BatchTensors::new(batch, hard_constraint, device);
    let output = network.forward(tensors.features.clone(), tensors.allowed.clone());
    let u: Tensor<1> = batch_log_likelihood(output.log_rates, output.rates, &tensors);
    let grads = GradientsParams::from_grads(u.clone().neg().backward(), network);
    (u.detach(), grads)
}

/// How many micro-batches `batch` is cut into on the CPU: a multiple of `threads`, enough that
/// none holds more than [`MICRO_BATCH_TOKENS`] tokens. A GPU takes the minibatch whole (one
/// pass, one read-back).
fn part_count(batch: &Batch, threads: usize, device: &Device) -> usize {
    if !runs_on_cpu(device) {
        return 1;
    }
    let tokens = batch.num_configs() * batch.num_tokens.max(1);
    let threads = threads.max(1);
    tokens.div_ceil(MICRO_BATCH_TOKENS * threads).max(1) * threads
}

/// Helpers that take shares of a step, with what they need to build the network.
pub(super) struct Helping<'a> {
    pub helpers: &'a dyn StepHelpers,
    pub config: &'a LearnerConfig,
    pub scheme: &'a TokenScheme,
    /// The trainer keeps the body fixed: helpers need no gradient for it.
    pub frozen_body: bool,
}

/// U and the gradient of -U over `batch` under `network`: with helpers (in the browser, on the
/// CPU), shared among them and this thread; else on `threads` threads natively, or on one.
pub(super) async fn batch_gradient(
    network: &RateNetwork,
    batch: &Batch,
    hard_constraint: bool,
    device: &Device,
    threads: usize,
    helping: Option<Helping<'_>>,
) -> Result<BatchGradient, LearnerError> {
    if let Some(helping) = helping
        && runs_on_cpu(device)
    {
        // A backward pass costs about twice the forward one.
        let flops = 3.0
            * forward_flops_per_token(helping.config, batch.num_tokens)
            * (batch.num_configs() * batch.num_tokens) as f64;
        let helpers = helpers_worth(flops, helping.helpers.available());
        if helpers > 0 {
            return shared(network, batch, hard_constraint, device, helping, helpers).await;
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    if threads > 1 && runs_on_cpu(device) {
        return threaded(network, batch, hard_constraint, device, threads);
    }
    #[cfg(target_arch = "wasm32")]
    let _ = threads;
    let parts = batch.split(part_count(batch, 1, device));
    sequential(network, &parts, hard_constraint, device).await
}

/// The micro-batches `parts` one after the other on one graph at a time.
pub(super) async fn sequential(
    network: &RateNetwork,
    parts: &[Batch],
    hard_constraint: bool,
    device: &Device,
) -> Result<BatchGradient, LearnerError> {
    let mut u = 0.0;
    let mut sum = GradientsAccumulator::<RateNetwork>::new();
    for part in parts {
        let tensors = BatchTensors::new(part, hard_constraint, device);
        let output = network.forward(tensors.features.clone(), tensors.allowed.clone());
        let part_u: Tensor<1> = batch_log_likelihood(output.log_rates, output.rates, &tensors);
        let value: f32 = part_u
            .clone()
            .into_scalar_async()
            .await
            .map_err(LearnerError::readback)?;
        u += value as f64;
        if !value.is_finite() {
            return Ok(BatchGradient { u, grads: None });
        }
        let grads = GradientsParams::from_grads(part_u.neg().backward(), network);
        sum.accumulate(network, grads);
    }
    Ok(BatchGradient {
        u,
        grads: Some(sum.grads()),
    })
}

/// The micro-batches shared out in contiguous runs among this thread (the first run) and
/// `helpers` helpers (one run each), whose gradients are summed in run order. A helper that
/// fails has its run computed here instead, so a failing helper slows a step down but never
/// loses it.
async fn shared(
    network: &RateNetwork,
    batch: &Batch,
    hard_constraint: bool,
    device: &Device,
    helping: Helping<'_>,
    helpers: usize,
) -> Result<BatchGradient, LearnerError> {
    let workers = helpers + 1;
    let parts = batch.split(part_count(batch, workers, device));
    let per_share = parts.len().div_ceil(workers).max(1);
    let mut shares = parts.chunks(per_share);
    let own = shares.next().unwrap_or(&[]);
    let weights = flat_weights(network).await?;
    let sent: Vec<_> = shares
        .enumerate()
        .map(|(index, share)| {
            let request = ShareRequest {
                config: helping.config.clone(),
                scheme: helping.scheme.clone(),
                hard_constraint,
                frozen_body: helping.frozen_body,
                work: ShareWork::Gradient {
                    parts: share.to_vec(),
                },
                weights: weights.clone(),
            };
            (share, helping.helpers.send(index, request))
        })
        .collect();
    let mine = sequential(network, own, hard_constraint, device).await?;
    let mut u = mine.u;
    let mut finite = mine.grads.is_some();
    let mut sum = GradientsAccumulator::<RateNetwork>::new();
    if let Some(grads) = mine.grads {
        sum.accumulate(network, grads);
    }
    for (share, reply) in sent {
        let (share_u, grads) = match reply.await {
            Ok(reply) if reply.finite => (reply.u, Some(unflatten_grads(network, &reply, device)?)),
            Ok(reply) => (reply.u, None),
            Err(_) => {
                let part = sequential(network, share, hard_constraint, device).await?;
                (part.u, part.grads)
            }
        };
        u += share_u;
        match grads {
            Some(grads) if finite => sum.accumulate(network, grads),
            _ => finite = false,
        }
    }
    Ok(BatchGradient {
        u,
        grads: finite.then(|| sum.grads()),
    })
}

/// The micro-batches shared out in contiguous runs among `threads` threads; the threads'
/// gradients are summed in thread order, so the result does not depend on scheduling.
#[cfg(not(target_arch = "wasm32"))]
fn threaded(
    network: &RateNetwork,
    batch: &Batch,
    hard_constraint: bool,
    device: &Device,
    threads: usize,
) -> Result<BatchGradient, LearnerError> {
    use burn::module::Module;

    let parts = batch.split(part_count(batch, threads, device));
    let results = on_shares(&parts, threads, "training", |share| {
        // Fresh leaves: each thread's graph is its own.
        let replica = network.clone().fork(device);
        pollster::block_on(sequential(&replica, share, hard_constraint, device))
    });
    let mut u = 0.0;
    let mut sum = GradientsAccumulator::<RateNetwork>::new();
    let mut finite = true;
    for result in results {
        let part = result?;
        u += part.u;
        match part.grads {
            Some(grads) if finite => sum.accumulate(network, grads),
            _ => finite = false,
        }
    }
    Ok(BatchGradient {
        u,
        grads: finite.then(|| sum.grads()),
    })
}
