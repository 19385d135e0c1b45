//! A trained network with everything needed to use it again: its settings, the model kind and
//! size it was trained on, the rates it gives to configurations, and the model file.
//!
//! Model file (version 3): one line of JSON (the header), a newline, then the weights as
//! little-endian f32, tensor after tensor in the header's order:
//!
//! ```text
//! {"format":"jumpformer-model","version":3,"learner":{...LearnerConfig...},
//!  "tokens":{"kind":"fa","L":10,"tables":[2,10],"moves_per_token":1},
//!  "training":{"epochs":10,"steps":2000,"u_per_t":-4.07,"exact_u_per_t":-4.065},
//!  "tensors":[{"name":"embeddings.0.weight","shape":[2,64]}, ...]}
//! <binary weights>
//! ```
//!
//! Writing reads the weights back asynchronously (works on WebGPU); reading validates the header,
//! every tensor's name and shape and the byte count, with typed errors.

use super::LearnerError;
use super::batch::{Batch, TokenScheme, Tokenize};
use super::config::{ConfigError, LearnerConfig};
use super::loss::BatchTensors;
use super::network::RateNetwork;
#[cfg(not(target_arch = "wasm32"))]
use super::threads::on_shares;
#[cfg(not(target_arch = "wasm32"))]
use crate::core::compute::runs_on_cpu;
use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use thiserror::Error;

/// The value of the header's `"format"` key.
pub const MODEL_FORMAT: &str = "jumpformer-model";
/// The model file version this build writes and reads. Version 3 has the learner's own encoder
/// (fused query/key/value weights, optional attention sink); files of versions 1 and 2 hold
/// burn's encoder layout and are refused with a request to train again.
pub const MODEL_VERSION: u64 = 3;

/// How far a model was trained.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingSummary {
    pub epochs: usize,
    pub steps: usize,
    /// The learner's U/T at the last report, if any.
    pub u_per_t: Option<f64>,
    /// U/T of the true dynamics on the training trajectory, if known.
    pub exact_u_per_t: Option<f64>,
}

/// A trained network, without autodiff, with its settings.
#[derive(Debug, Clone)]
pub struct LearnedDynamics {
    config: LearnerConfig,
    scheme: TokenScheme,
    network: RateNetwork,
    summary: TrainingSummary,
    /// Threads that share a batch of configurations in [`Self::rates`] (native CPU only).
    threads: usize,
}

/// Why a model file was refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ModelFileError {
    #[error("this is not a Jumpformer model file ({0})")]
    NotAModelFile(String),
    #[error("model file version {0} is not supported (this build reads version 3)")]
    Version(u64),
    #[error(
        "this model was saved by an older Jumpformer (model file version {0}) whose network was \
        laid out differently; train it again"
    )]
    Outdated(u64),
    #[error("the model file's header is malformed: {0}")]
    Header(String),
    #[error("the model file's learner settings are invalid: {0}")]
    Config(#[from] ConfigError),
    #[error("the model file's token scheme is invalid: {0}")]
    Scheme(String),
    #[error("the model file's weights do not fit the network: {0}")]
    Tensors(String),
    #[error("the model file has {found} bytes of weights, expected {expected}")]
    Length { found: usize, expected: usize },
    #[error("reading the weights back from the device failed: {0}")]
    Readback(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TensorEntry {
    name: String,
    shape: Vec<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    format: String,
    version: u64,
    learner: LearnerConfig,
    tokens: TokenScheme,
    training: TrainingSummary,
    tensors: Vec<TensorEntry>,
}

/// Collects every float parameter, flattened, with its dotted path and shape.
#[derive(Default)]
struct Collector {
    path: Vec<String>,
    entries: Vec<TensorEntry>,
    tensors: Vec<Tensor<1>>,
}

impl ModuleVisitor for Collector {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.transform_for_save().val();
        let shape = tensor.dims().to_vec();
        let n = shape.iter().product::<usize>();
        self.entries.push(TensorEntry {
            name: self.path.join("."),
            shape,
        });
        self.tensors.push(tensor.reshape([n]));
    }
}

/// Puts the file's tensors into a network of the right shape, by path.
struct Loader {
    path: Vec<String>,
    tensors: HashMap<String, (Vec<usize>, Vec<f32>)>,
    errors: Vec<String>,
}

impl ModuleMapper for Loader {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let name = self.path.join(".");
        let Some((shape, values)) = self.tensors.remove(&name) else {
            self.errors.push(format!("{name} is missing"));
            return param;
        };
        let expected = param.lazy_shape().to_vec();
        if shape != expected {
            self.errors.push(format!(
                "{name} has shape {shape:?}, the network needs {expected:?}"
            ));
            return param;
        }
        let device = param.lazy_device();
        let tensor = Tensor::<D>::from_data(TensorData::new(values, shape), &device);
        let id = param.id;
        param.transform_for_load(tensor, id)
    }
}

/// The network's view of one configuration ([`LearnedDynamics::inspect`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inspection {
    pub tokens: usize,
    pub moves: usize,
    /// The learned rate of move m of token t at `t * moves + m`.
    pub rates: Vec<f32>,
    /// Per layer, averaged over heads: how much token i attends to token j at `i * tokens + j`.
    pub attention: Vec<Vec<f32>>,
}

impl LearnedDynamics {
    pub(crate) fn from_parts(
        config: LearnerConfig,
        scheme: TokenScheme,
        network: RateNetwork,
        summary: TrainingSummary,
    ) -> Self {
        Self {
            config,
            scheme,
            network,
            summary,
            threads: 1,
        }
    }

    /// Shares each call of [`Self::rates`] among `threads` threads natively, a contiguous share
    /// of the configurations each (the rates do not depend on the split). On wasm and on a GPU
    /// the configurations go through the network in one call, as with 1 thread.
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// The learner settings the network was built and trained with.
    pub fn config(&self) -> &LearnerConfig {
        &self.config
    }

    /// The model kind, size and token layout the network was trained on.
    pub fn scheme(&self) -> &TokenScheme {
        &self.scheme
    }

    /// How far it was trained.
    pub fn summary(&self) -> &TrainingSummary {
        &self.summary
    }

    /// The network (without autodiff).
    pub fn network(&self) -> &RateNetwork {
        &self.network
    }

    /// The device the network lives on (without autodiff).
    pub fn device(&self) -> Device {
        self.network
            .devices()
            .into_iter()
            .next()
            .expect("a network has parameters")
            .without_autodiff()
    }

    /// `Ok` if configurations of `scheme` can be fed to this network.
    pub fn check_scheme(&self, scheme: &TokenScheme) -> Result<(), LearnerError> {
        if scheme == &self.scheme {
            Ok(())
        } else {
            Err(LearnerError::Mismatch(format!(
                "the network was trained on {} with L = {}, not {} with L = {}",
                self.scheme.kind, self.scheme.size, scheme.kind, scheme.size
            )))
        }
    }

    /// Mode 2: the learned class rates exp(s_k), in class order; `None` in Mode 1.
    pub async fn class_rates(&self) -> Result<Option<Vec<f64>>, LearnerError> {
        let Some(tensor) = self.network.class_rates_tensor() else {
            return Ok(None);
        };
        let data = tensor
            .into_data_async()
            .await
            .map_err(LearnerError::readback)?;
        let values = data
            .try_into_vec_as::<f32>()
            .map_err(LearnerError::readback)?;
        Ok(Some(values.into_iter().map(f64::from).collect()))
    }

    /// The network's input for `models`, checked against the scheme it was trained on; `None`
    /// when there is nothing to evaluate (no models, or no tokens).
    fn batch_of<M: Tokenize>(
        &self,
        models: &[M],
        with_allowed: bool,
    ) -> Result<Option<Batch>, LearnerError> {
        let Some(first) = models.first() else {
            return Ok(None);
        };
        self.check_scheme(&M::scheme(first.size()))?;
        if let Some(b) = models
            .iter()
            .position(|m| m.num_tokens() != first.num_tokens())
        {
            return Err(LearnerError::Mismatch(format!(
                "configuration {b} has {} tokens, configuration 0 has {}",
                models[b].num_tokens(),
                first.num_tokens()
            )));
        }
        if first.num_tokens() == 0 {
            return Ok(None);
        }
        Ok(Some(Batch::of_models(models, with_allowed)))
    }

    /// The learned rate of every candidate move of every token of every configuration in
    /// `models` (e.g. independent replicas), configuration-major: `rates[(b * N + t) * M + m]`.
    /// All models must have the same number of tokens N. With the hard constraint, impossible
    /// moves get exactly 0.
    pub async fn rates<M: Tokenize>(&self, models: &[M]) -> Result<Vec<f32>, LearnerError> {
        #[cfg(not(target_arch = "wasm32"))]
        if self.threads > 1 && models.len() > 1 && runs_on_cpu(&self.device()) {
            let shares = on_shares(models, self.threads, "propagation", |share| {
                pollster::block_on(self.rates_in_one_call(share))
            });
            let mut rates = Vec::new();
            for share in shares {
                rates.extend(share?);
            }
            return Ok(rates);
        }
        self.rates_in_one_call(models).await
    }

    /// [`Self::rates`] with every configuration in one network call.
    async fn rates_in_one_call<M: Tokenize>(&self, models: &[M]) -> Result<Vec<f32>, LearnerError> {
        let Some(batch) = self.batch_of(models, self.config.hard_constraint)? else {
            return Ok(Vec::new());
        };
        self.batch_rates(&batch).await
    }

    /// The learned rate of every candidate move of `batch` (built with allowed-move masks when
    /// the network has the hard constraint), in one network call, laid out as [`Self::rates`].
    pub async fn batch_rates(&self, batch: &Batch) -> Result<Vec<f32>, LearnerError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let tensors = BatchTensors::new(batch, self.config.hard_constraint, &self.device());
        let output = self.network.forward(tensors.features, tensors.allowed);
        let data = output
            .rates
            .into_data_async()
            .await
            .map_err(LearnerError::readback)?;
        data.try_into_vec_as::<f32>()
            .map_err(LearnerError::readback)
    }

    /// What the network makes of one configuration: the learned rate of every candidate move of
    /// every token, and where each token's attention goes in every layer.
    pub async fn inspect<M: Tokenize>(&self, model: &M) -> Result<Inspection, LearnerError> {
        let models = std::slice::from_ref(model);
        let rates = self.rates(models).await?;
        let Some(batch) = self.batch_of(models, false)? else {
            return Ok(Inspection::default());
        };
        let tokens = rates.len() / self.network.moves_per_token().max(1);
        let tensors = BatchTensors::new(&batch, false, &self.device());
        let mut attention = Vec::new();
        for map in self.network.attention_maps(tensors.features) {
            let data = map
                .into_data_async()
                .await
                .map_err(LearnerError::readback)?;
            attention.push(
                data.try_into_vec_as::<f32>()
                    .map_err(LearnerError::readback)?,
            );
        }
        Ok(Inspection {
            tokens,
            moves: self.network.moves_per_token(),
            rates,
            attention,
        })
    }

    /// Mode 2: the class (0..N_W) the network puts every candidate move of every configuration
    /// in, laid out like [`Self::rates`]; `None` in Mode 1.
    pub async fn classes<M: Tokenize>(
        &self,
        models: &[M],
    ) -> Result<Option<Vec<u32>>, LearnerError> {
        let Some(batch) = self.batch_of(models, false)? else {
            return Ok(Some(Vec::new()));
        };
        let tensors = BatchTensors::new(&batch, false, &self.device());
        let Some(classes) = self.network.classes_of(tensors.features) else {
            return Ok(None);
        };
        let data = classes
            .into_data_async()
            .await
            .map_err(LearnerError::readback)?;
        let values = data
            .try_into_vec_as::<i64>()
            .map_err(LearnerError::readback)?;
        Ok(Some(values.into_iter().map(|c| c.max(0) as u32).collect()))
    }

    /// The model file's bytes (reads the weights back from the device).
    pub async fn to_bytes(&self) -> Result<Vec<u8>, ModelFileError> {
        let mut collector = Collector::default();
        self.network.visit(&mut collector);
        let values = super::helpers::flat_values(collector.tensors)
            .await
            .map_err(|e| ModelFileError::Readback(e.to_string()))?;
        let header = Header {
            format: MODEL_FORMAT.to_string(),
            version: MODEL_VERSION,
            learner: self.config.clone(),
            tokens: self.scheme.clone(),
            training: self.summary.clone(),
            tensors: collector.entries,
        };
        let mut bytes = serde_json::to_vec(&header).expect("a header always serialises");
        bytes.push(b'\n');
        for v in values {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        Ok(bytes)
    }

    /// Reads a model file onto `device` (autodiff is switched off), checking everything.
    pub fn from_bytes(bytes: &[u8], device: &Device) -> Result<Self, ModelFileError> {
        let newline = bytes
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| ModelFileError::NotAModelFile("no header line".to_string()))?;
        let value: serde_json::Value = serde_json::from_slice(&bytes[..newline])
            .map_err(|e| ModelFileError::NotAModelFile(format!("the header is not JSON: {e}")))?;
        match value.get("format").and_then(|f| f.as_str()) {
            Some(MODEL_FORMAT) => {}
            Some(other) => {
                return Err(ModelFileError::NotAModelFile(format!(
                    "\"format\" is {other:?}, expected {MODEL_FORMAT:?}"
                )));
            }
            None => {
                return Err(ModelFileError::NotAModelFile(
                    "the header has no \"format\"".to_string(),
                ));
            }
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(MODEL_VERSION) => {}
            Some(old @ (1 | 2)) => return Err(ModelFileError::Outdated(old)),
            Some(other) => return Err(ModelFileError::Version(other)),
            None => return Err(ModelFileError::Header("\"version\" is missing".to_string())),
        }
        let header: Header =
            serde_json::from_value(value).map_err(|e| ModelFileError::Header(e.to_string()))?;
        header.learner.validate()?;
        check_scheme_shape(&header.tokens)?;
        let weights = &bytes[newline + 1..];
        // Sizes are checked against the bytes present before anything is allocated.
        let too_large = || ModelFileError::Tensors("the network is too large".to_string());
        let network_bytes = RateNetwork::parameter_count(&header.learner, &header.tokens)
            .and_then(|n| n.checked_mul(4))
            .ok_or_else(too_large)?;
        if weights.len() != network_bytes {
            return Err(ModelFileError::Length {
                found: weights.len(),
                expected: network_bytes,
            });
        }
        let listed = header.tensors.iter().try_fold(0usize, |sum, t| {
            t.shape
                .iter()
                .try_fold(4usize, |bytes, &d| bytes.checked_mul(d))
                .and_then(|bytes| sum.checked_add(bytes))
        });
        if listed != Some(network_bytes) {
            return Err(ModelFileError::Tensors(format!(
                "the listed tensors hold {} bytes, the network {network_bytes}",
                listed.map_or_else(|| "too many".to_string(), |b| b.to_string())
            )));
        }
        let mut tensors = HashMap::new();
        let mut offset = 0;
        for entry in &header.tensors {
            let n: usize = entry.shape.iter().product();
            let values: Vec<f32> = weights[offset..offset + 4 * n]
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            offset += 4 * n;
            if let Some(i) = values.iter().position(|v| !v.is_finite()) {
                return Err(ModelFileError::Tensors(format!(
                    "{}[{i}] is not finite",
                    entry.name
                )));
            }
            if tensors
                .insert(entry.name.clone(), (entry.shape.clone(), values))
                .is_some()
            {
                return Err(ModelFileError::Tensors(format!(
                    "{} appears twice",
                    entry.name
                )));
            }
        }
        let device = device.clone().without_autodiff();
        let skeleton = RateNetwork::new(&header.learner, &header.tokens, &device);
        let mut loader = Loader {
            path: Vec::new(),
            tensors,
            errors: Vec::new(),
        };
        let network = skeleton.map(&mut loader).valid();
        let mut errors = loader.errors;
        let mut unused: Vec<_> = loader.tensors.into_keys().collect();
        unused.sort();
        errors.extend(
            unused
                .into_iter()
                .map(|name| format!("{name} is not part of the network")),
        );
        if !errors.is_empty() {
            return Err(ModelFileError::Tensors(errors.join("; ")));
        }
        Ok(Self {
            config: header.learner,
            scheme: header.tokens,
            network,
            summary: header.training,
            threads: 1,
        })
    }
}

/// The token scheme must be one this build knows, with tables that fit its size.
fn check_scheme_shape(scheme: &TokenScheme) -> Result<(), ModelFileError> {
    use crate::core::model::{ActiveLattice, Dynamics, FredricksonAndersen};
    let expected = match scheme.kind.as_str() {
        ActiveLattice::KIND => ActiveLattice::scheme(scheme.size),
        FredricksonAndersen::KIND => FredricksonAndersen::scheme(scheme.size),
        other => {
            return Err(ModelFileError::Scheme(format!(
                "unknown model kind {other:?}"
            )));
        }
    };
    if !(2..=1 << 20).contains(&scheme.size) {
        return Err(ModelFileError::Scheme(format!(
            "L = {} is out of range",
            scheme.size
        )));
    }
    if &expected != scheme {
        return Err(ModelFileError::Scheme(format!(
            "tables {:?} and {} moves per token do not match {} at L = {} (expected {:?} and {})",
            scheme.tables,
            scheme.moves_per_token,
            scheme.kind,
            scheme.size,
            expected.tables,
            expected.moves_per_token
        )));
    }
    Ok(())
}
