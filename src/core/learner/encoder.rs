//! The transformer encoder of the learner (SPEC 4): post-norm layers of multi-head self-attention
//! and a GELU feed-forward block, no mask, and by default no dropout.
//!
//! The feed-forward nonlinearity is GELU or ReLU ([`Activation`]). Dropout, where asked for, is
//! PyTorch's: on the attention block's output, the feed-forward hidden units and the feed-forward
//! output, during training only (on a device with autodiff).
//!
//! Written out rather than taken from burn so that attention can hold an *attention sink*: a
//! learned logit per head that competes with the tokens in the softmax,
//!
//! ```text
//! a_ij = exp(s_ij) / (exp(z_h) + sum_k exp(s_ik)),   s_ij = q_i . k_j / sqrt(d_head),
//! ```
//!
//! so a head can attend to nothing. That lets a particle's token tell "a particle on that site"
//! from "no particle there": under a plain softmax the weights always sum to 1 and the presence
//! of a neighbour cancels out of the gradient. The sink is a generic attention device (no rule
//! of the model is built in); `z_h` starts at [`SINK_LOGIT_INIT`] and is learned.

use super::config::{Activation, AttentionSink};
use burn::module::{Module, Param};
use burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::tensor::{Device, Distribution, Tensor, TensorData, activation};

/// The starting sink logit: with a few dozen tokens whose scores start near 0, the sink takes a
/// sizeable share of each head's attention from the first step, so the gradient that teaches a
/// head to attend to something specific is not drowned by the normalisation.
pub const SINK_LOGIT_INIT: f32 = 3.0;

/// A stack of encoder layers.
#[derive(Module, Debug)]
pub struct Encoder {
    layers: Vec<EncoderLayer>,
}

/// One post-norm layer: x = LN(x + attention(x)); x = LN(x + FF(x)).
#[derive(Module, Debug)]
struct EncoderLayer {
    /// Queries, keys and values in one product, `d_model -> 3 d_model`.
    qkv: Linear,
    output: Linear,
    /// The sink logit z_h of each head (learned sink), absent otherwise.
    sink: Option<Param<Tensor<1>>>,
    norm_attention: LayerNorm,
    ff_in: Linear,
    ff_out: Linear,
    norm_ff: LayerNorm,
    heads: usize,
    /// A fixed sink logit of 0 (quiet softmax).
    quiet: bool,
    /// ReLU instead of GELU in the feed-forward block.
    relu: bool,
    /// Dropout probability while training (0: none).
    dropout: f64,
}

impl Encoder {
    /// `layers` layers of width `d_model`, `heads` heads and feed-forward width `d_ff`.
    pub fn new(
        d_model: usize,
        heads: usize,
        d_ff: usize,
        layers: usize,
        sink: AttentionSink,
        activation: Activation,
        dropout: f64,
        device: &Device,
    ) -> Self {
        let layers = (0..layers)
            .map(|_| EncoderLayer::new(d_model, heads, d_ff, sink, activation, dropout, device))
            .collect();
        Self { layers }
    }

    /// (layers, heads, d_model, d_ff, has a learned sink, quiet, relu): equal shapes can share
    /// weights.
    pub fn shape(&self) -> Vec<(usize, usize, usize, usize, bool, bool, bool)> {
        self.layers
            .iter()
            .map(|l| {
                let [d_model, _] = l.output.weight.val().dims();
                let [_, d_ff] = l.ff_in.weight.val().dims();
                (
                    self.layers.len(),
                    l.heads,
                    d_model,
                    d_ff,
                    l.sink.is_some(),
                    l.quiet,
                    l.relu,
                )
            })
            .collect()
    }

    /// `[configs, tokens, d_model]` to the same shape.
    pub fn forward(&self, mut x: Tensor<3>) -> Tensor<3> {
        for layer in &self.layers {
            x = layer.forward(x);
        }
        x
    }

    /// The attention weights of every layer, averaged over heads: one `[configs, tokens,
    /// tokens]` tensor per layer, row i saying how much token i attends to each token (a row
    /// sums to less than 1 when a sink takes the rest).
    pub fn attention_maps(&self, mut x: Tensor<3>) -> Vec<Tensor<3>> {
        let mut maps = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            let [b, n, _] = x.dims();
            maps.push(layer.weights(x.clone()).mean_dim(1).reshape([b, n, n]));
            x = layer.forward(x);
        }
        maps
    }
}

impl EncoderLayer {
    fn new(
        d_model: usize,
        heads: usize,
        d_ff: usize,
        sink: AttentionSink,
        activation: Activation,
        dropout: f64,
        device: &Device,
    ) -> Self {
        let sink_param = (sink == AttentionSink::Learned).then(|| {
            let init = vec![SINK_LOGIT_INIT; heads];
            Param::from_tensor(Tensor::<1>::from_data(
                TensorData::new(init, [heads]),
                device,
            ))
        });
        Self {
            qkv: LinearConfig::new(d_model, 3 * d_model).init(device),
            output: LinearConfig::new(d_model, d_model).init(device),
            sink: sink_param,
            norm_attention: LayerNormConfig::new(d_model).init(device),
            ff_in: LinearConfig::new(d_model, d_ff).init(device),
            ff_out: LinearConfig::new(d_ff, d_model).init(device),
            norm_ff: LayerNormConfig::new(d_model).init(device),
            heads,
            quiet: sink == AttentionSink::Quiet,
            relu: activation == Activation::Relu,
            dropout,
        }
    }

    fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let attended = self.drop(self.attention(x.clone()));
        let x = self.norm_attention.forward(x + attended);
        let hidden = self.ff_in.forward(x.clone());
        let hidden = self.drop(if self.relu {
            activation::relu(hidden)
        } else {
            activation::gelu(hidden)
        });
        let ff = self.drop(self.ff_out.forward(hidden));
        self.norm_ff.forward(x + ff)
    }

    /// Inverted dropout: while training, zeroes each element with probability p and scales the
    /// rest by 1 / (1 - p), so that evaluation (no dropout) sees the same expected activations.
    fn drop<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        if self.dropout <= 0.0 || !x.device().is_autodiff() {
            return x;
        }
        let keep = 1.0 - self.dropout;
        let mask = x.random_like(Distribution::Bernoulli(keep));
        (x * mask).mul_scalar(1.0 / keep)
    }

    /// Multi-head self-attention, `[b, n, d]` to `[b, n, d]`.
    fn attention(&self, x: Tensor<3>) -> Tensor<3> {
        let [b, n, d] = x.dims();
        let (weights, v) = self.weights_and_values(x);
        let context = weights.matmul(v).swap_dims(1, 2).reshape([b, n, d]);
        self.output.forward(context)
    }

    /// The attention weights, `[b, h, n, n]`.
    fn weights(&self, x: Tensor<3>) -> Tensor<4> {
        self.weights_and_values(x).0
    }

    /// The attention weights `[b, h, n, n]` and the values `[b, h, n, dh]`.
    fn weights_and_values(&self, x: Tensor<3>) -> (Tensor<4>, Tensor<4>) {
        let [b, n, d] = x.dims();
        let h = self.heads;
        let dh = d / h;
        // [b, n, 3 h, dh] -> three [b, h, n, dh], as strided views (no copy)
        let qkv = self.qkv.forward(x).reshape([b, n, 3 * h, dh]);
        let part = |i: usize| -> Tensor<4> { qkv.clone().narrow(2, i * h, h).swap_dims(1, 2) };
        let (q, k, v) = (part(0), part(1), part(2));
        let scores = q.matmul(k.transpose()).mul_scalar(1.0 / (dh as f32).sqrt());
        let weights = match (&self.sink, self.quiet) {
            (Some(sink), _) => {
                // The sink is one more column of logits; its weight is dropped after the softmax.
                let z = sink.val().reshape([1, h, 1, 1]).expand([b, h, n, 1]);
                activation::softmax(Tensor::cat(vec![scores, z], 3), 3).narrow(3, 0, n)
            }
            (None, true) => activation::quiet_softmax(scores, 3),
            (None, false) => activation::softmax(scores, 3),
        };
        (weights, v)
    }
}
