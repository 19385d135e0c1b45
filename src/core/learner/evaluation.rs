//! U/T of a network over a whole trajectory, chunk by chunk without autodiff, and how it is
//! spread over the trajectory (per-block sums, for comparing networks on the same data).

use super::LearnerError;
use super::batch::{Batch, SegmentSource, TokenScheme};
use super::config::LearnerConfig;
use super::helpers::{
    MIN_SHARE_FLOPS, ShareRequest, ShareWork, StepHelpers, flat_weights, forward_flops_per_token,
};
use super::loss::{BatchTensors, batch_log_likelihood};
use super::network::RateNetwork;
#[cfg(not(target_arch = "wasm32"))]
use super::threads::on_shares;
use crate::core::compute::runs_on_cpu;
use burn::tensor::{Device, Tensor};
use std::rc::Rc;
use std::sync::Arc;

/// Tokens per evaluation chunk on the CPU: small enough that a forward pass stays in cache.
const EVAL_TOKENS_PER_CHUNK_CPU: usize = 4096;
/// Tokens per evaluation chunk on a GPU: few dispatches and read-backs, bounded memory.
const EVAL_TOKENS_PER_CHUNK_GPU: usize = 32_768;
/// On a GPU, the values of this many evaluation chunks are read back in one transfer: the
/// paper preset's trajectory is about 1,900 chunks, and each read-back waits for the GPU to
/// finish.
const EVAL_CHUNKS_PER_READBACK_GPU: usize = 16;
/// How many consecutive stretches of the trajectory an evaluation reports U/T for (fewer when
/// the trajectory has fewer chunks): enough to estimate, by batch means, how much a difference
/// of U/T between two networks on the same trajectory could be noise.
pub const EVAL_BLOCKS: usize = 20;

/// What a network scores on a whole trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// U/T (SPEC Eq. 1 over T).
    pub u_per_t: f64,
    /// The blocked leak: (1/T) times the time integral of the summed rates of moves that are
    /// impossible in the configuration.
    pub blocked_leak: f64,
    /// U over each of up to [`EVAL_BLOCKS`] consecutive stretches of the trajectory (whole
    /// chunks, in order), divided by the whole T: they add up to `u_per_t`. Two networks
    /// evaluated on the same trajectory and device have the same stretches.
    pub u_per_t_blocks: Vec<f64>,
}

/// U/T of a network over a whole trajectory, computed chunk by chunk without autodiff; each
/// [`Evaluator::step`] is one chunk, so a caller can yield in between.
pub struct Evaluator {
    network: RateNetwork,
    hard_constraint: bool,
    source: Arc<dyn SegmentSource>,
    device: Device,
    chunk: usize,
    next: usize,
    u: f64,
    leak: f64,
    /// U of each block (see [`Evaluation::u_per_t_blocks`]), not yet divided by T.
    blocks: Vec<f64>,
    threads: usize,
    /// Helpers that take one chunk each per [`Evaluator::step`], with the network's settings.
    helpers: Option<EvaluationHelpers>,
    /// The first configuration and `[U, leak]` of each chunk evaluated but not yet read back.
    pending: Vec<(usize, Tensor<1>)>,
    chunks_per_readback: usize,
}

/// What an [`Evaluator`] needs to hand chunks to helpers.
struct EvaluationHelpers {
    helpers: Rc<dyn StepHelpers>,
    config: LearnerConfig,
    scheme: TokenScheme,
    /// The network's weights, flattened once per evaluation.
    weights: Option<Vec<f32>>,
}

/// U and the blocked leak of one chunk, read back (see [`chunk_terms`]).
pub(super) async fn chunk_values(
    network: &RateNetwork,
    batch: &Batch,
    hard_constraint: bool,
    device: &Device,
) -> Result<(f64, f64), LearnerError> {
    let values = chunk_terms(network, batch, hard_constraint, device)
        .into_data_async()
        .await
        .map_err(LearnerError::readback)?
        .try_into_vec_as::<f32>()
        .map_err(LearnerError::readback)?;
    Ok((values[0] as f64, values[1] as f64))
}

/// `[U, blocked leak]` of one chunk: U under the network's rates (masked under the hard
/// constraint), and the dt-weighted sum of the rates it gives impossible moves.
fn chunk_terms(
    network: &RateNetwork,
    batch: &Batch,
    hard_constraint: bool,
    device: &Device,
) -> Tensor<1> {
    let tensors = BatchTensors::new(batch, true, device);
    let allowed = tensors.allowed.clone().expect("the mask was built");
    let output = network.forward(tensors.features.clone(), None);
    let [b, _, _] = output.rates.dims();
    let blocked = output.rates.clone() * (allowed.clone().neg() + 1.0);
    let leak: Tensor<1> = (blocked.sum_dim(2).sum_dim(1).reshape([b]) * tensors.dt.clone()).sum();
    let rates = if hard_constraint {
        output.rates * allowed
    } else {
        output.rates
    };
    let u = batch_log_likelihood(output.log_rates, rates, &tensors);
    Tensor::cat(vec![u, leak], 0)
}

impl Evaluator {
    /// An evaluator of `network` (already without autodiff: `network.valid()`) on `source`, with
    /// inputs on `device` (the network's device, without autodiff).
    pub fn new(
        network: RateNetwork,
        hard_constraint: bool,
        source: Arc<dyn SegmentSource>,
        device: Device,
    ) -> Self {
        let (tokens, chunks_per_readback) = if runs_on_cpu(&device) {
            (EVAL_TOKENS_PER_CHUNK_CPU, 1)
        } else {
            (EVAL_TOKENS_PER_CHUNK_GPU, EVAL_CHUNKS_PER_READBACK_GPU)
        };
        let chunk = (tokens / source.num_tokens().max(1)).max(1);
        let chunks = source.num_configs().div_ceil(chunk);
        Self {
            network,
            hard_constraint,
            source,
            device,
            chunk,
            next: 0,
            u: 0.0,
            leak: 0.0,
            blocks: vec![0.0; chunks.clamp(1, EVAL_BLOCKS)],
            threads: 1,
            helpers: None,
            pending: Vec::new(),
            chunks_per_readback,
        }
    }

    /// Reads U back every `chunks` chunks (and at the end) instead of the device's default (1 on
    /// the CPU, [`EVAL_CHUNKS_PER_READBACK_GPU`] on a GPU); each chunk's values still come back
    /// apart and are added in order, so the result is the same.
    pub fn with_chunks_per_readback(mut self, chunks: usize) -> Self {
        self.chunks_per_readback = chunks.max(1);
        self
    }

    /// Configurations evaluated so far, and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.next, self.source.num_configs())
    }

    /// Hands one chunk per step to each available helper (on the CPU backend), beside the chunk
    /// this thread evaluates; `config` and `scheme` are the network's.
    pub fn with_helpers(
        mut self,
        helpers: Rc<dyn StepHelpers>,
        config: LearnerConfig,
        scheme: TokenScheme,
    ) -> Self {
        self.helpers = Some(EvaluationHelpers {
            helpers,
            config,
            scheme,
            weights: None,
        });
        self
    }

    /// Evaluates the next chunk (and one more per available helper); true when the whole
    /// trajectory is done.
    pub async fn step(&mut self) -> Result<bool, LearnerError> {
        let total = self.source.num_configs();
        let helpers = match &self.helpers {
            Some(h) if runs_on_cpu(&self.device) => {
                let tokens = self.source.num_tokens();
                let chunk_flops =
                    forward_flops_per_token(&h.config, tokens) * (self.chunk * tokens) as f64;
                // Each helper takes a whole chunk: worth it if a chunk is.
                if chunk_flops >= MIN_SHARE_FLOPS {
                    h.helpers.available()
                } else {
                    0
                }
            }
            _ => 0,
        };
        if helpers > 0 && self.next < total {
            self.step_shared(helpers).await?;
            return Ok(self.next >= total);
        }
        if self.next < total {
            let batch = self.source.segment(self.next, self.chunk, true);
            let terms = chunk_terms(&self.network, &batch, self.hard_constraint, &self.device);
            self.pending.push((self.next, terms));
            self.next += batch.num_configs();
        }
        let done = self.next >= total;
        if self.pending.len() >= self.chunks_per_readback || done {
            self.read_back().await?;
        }
        Ok(done)
    }

    /// One chunk here and one for each of `helpers` helpers, added in chunk order; a chunk whose
    /// helper fails is evaluated here.
    async fn step_shared(&mut self, helpers: usize) -> Result<(), LearnerError> {
        self.read_back().await?;
        let total = self.source.num_configs();
        let Some(helping) = self.helpers.as_mut() else {
            return Ok(());
        };
        let weights = match helping.weights.take() {
            Some(weights) => weights,
            None => flat_weights(&self.network).await?,
        };
        let mut starts = (self.next..total).step_by(self.chunk);
        let own = starts.next().unwrap_or(total);
        let sent: Vec<_> = starts
            .take(helpers)
            .enumerate()
            .map(|(index, start)| {
                let chunk = self.source.segment(start, self.chunk, true);
                let request = ShareRequest {
                    config: helping.config.clone(),
                    scheme: helping.scheme.clone(),
                    hard_constraint: self.hard_constraint,
                    frozen_body: false,
                    work: ShareWork::Evaluate {
                        chunks: vec![chunk.clone()],
                    },
                    weights: weights.clone(),
                };
                (chunk, helping.helpers.send(index, request))
            })
            .collect();
        helping.weights = Some(weights);
        let batch = self.source.segment(own, self.chunk, true);
        let (u, leak) =
            chunk_values(&self.network, &batch, self.hard_constraint, &self.device).await?;
        self.add(own, u, leak);
        self.next = own + batch.num_configs();
        for (chunk, reply) in sent {
            let start = self.next;
            let (u, leak) = match reply.await {
                Ok(reply) => (reply.u, reply.leak),
                Err(_) => {
                    chunk_values(&self.network, &chunk, self.hard_constraint, &self.device).await?
                }
            };
            self.add(start, u, leak);
            self.next += chunk.num_configs();
        }
        Ok(())
    }

    /// Adds the pending chunks' `[U, leak]`, read back from the device in one transfer.
    async fn read_back(&mut self) -> Result<(), LearnerError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let (starts, terms): (Vec<usize>, Vec<Tensor<1>>) = self.pending.drain(..).unzip();
        let values = Tensor::cat(terms, 0)
            .into_data_async()
            .await
            .map_err(LearnerError::readback)?
            .try_into_vec_as::<f32>()
            .map_err(LearnerError::readback)?;
        for (start, pair) in starts.into_iter().zip(values.chunks_exact(2)) {
            self.add(start, pair[0] as f64, pair[1] as f64);
        }
        Ok(())
    }

    /// Adds the `[U, leak]` of the chunk that starts at configuration `start`.
    fn add(&mut self, start: usize, u: f64, leak: f64) {
        self.u += u;
        let block = block_of(
            start,
            self.chunk,
            self.source.num_configs(),
            self.blocks.len(),
        );
        self.blocks[block] += u;
        if !self.hard_constraint {
            self.leak += leak;
        }
    }

    /// Shares [`Evaluator::run`] among `threads` threads natively (the chunks are independent).
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// The remaining chunks on `self.threads` threads, each summing its own chunks; the sums
    /// are added in thread order.
    #[cfg(not(target_arch = "wasm32"))]
    fn run_threaded(&mut self) -> Result<(), LearnerError> {
        let total = self.source.num_configs();
        let starts: Vec<usize> = (self.next..total).step_by(self.chunk).collect();
        let (source, chunk, network) = (&self.source, self.chunk, &self.network);
        let (hard_constraint, device) = (self.hard_constraint, &self.device);
        let sums = on_shares(&starts, self.threads, "evaluation", |share| {
            share
                .iter()
                .map(|&start| {
                    let batch = source.segment(start, chunk, true);
                    let values = chunk_terms(network, &batch, hard_constraint, device)
                        .into_data()
                        .try_into_vec_as::<f32>()
                        .map_err(LearnerError::readback)?;
                    Ok((start, values[0] as f64, values[1] as f64))
                })
                .collect::<Result<Vec<_>, LearnerError>>()
        });
        for share in sums {
            for (start, u, leak) in share? {
                self.add(start, u, leak);
            }
        }
        self.next = total;
        Ok(())
    }

    /// Evaluates everything.
    pub async fn run(mut self) -> Result<Evaluation, LearnerError> {
        #[cfg(not(target_arch = "wasm32"))]
        if self.threads > 1 {
            self.run_threaded()?;
        }
        while !self.step().await? {}
        let time = self.source.total_time();
        Ok(Evaluation {
            u_per_t: self.u / time,
            blocked_leak: self.leak / time,
            u_per_t_blocks: self.blocks.iter().map(|u| u / time).collect(),
        })
    }
}

/// The block of the chunk that starts at configuration `start`: the chunks, `chunk`
/// configurations each over `total`, are dealt in order into `blocks` runs of nearly equal
/// length.
fn block_of(start: usize, chunk: usize, total: usize, blocks: usize) -> usize {
    let chunks = total.div_ceil(chunk.max(1)).max(1);
    ((start / chunk.max(1)) * blocks / chunks).min(blocks.saturating_sub(1))
}
