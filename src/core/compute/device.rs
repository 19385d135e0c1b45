//! The devices of the learner: the CPU device, the choice of a GPU adapter, and the smoke
//! training that proves a device can train.

use super::{BackendInfo, BackendKind};
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Tensor, TensorData, activation};

/// The CPU device, with autodiff switched on for training.
#[cfg(feature = "cpu")]
pub fn cpu_device() -> Device {
    Device::flex().autodiff()
}

/// True if `device` (with or without autodiff) is the CPU backend: there, work is best cut into
/// cache-sized pieces, while a GPU wants few, large dispatches and few read-backs.
pub fn runs_on_cpu(device: &Device) -> bool {
    #[cfg(feature = "cpu")]
    return device.clone().without_autodiff() == Device::flex();
    #[cfg(not(feature = "cpu"))]
    {
        let _ = device;
        false
    }
}

/// Picks the training device: a GPU adapter when one can be had, else the CPU.
///
/// Never fails: an unavailable or broken GPU falls back to the CPU with the reason recorded.
#[cfg(all(feature = "gpu", feature = "cpu"))]
pub async fn select_device(prefer_gpu: bool) -> (Device, BackendInfo) {
    if !prefer_gpu {
        return cpu_choice("the CPU backend was requested");
    }
    match gpu_device().await {
        Ok(choice) => choice,
        Err(err) => cpu_choice(&no_adapter_reason(&err)),
    }
}

/// Picks the training device where no GPU backend is compiled in: always the CPU.
#[cfg(all(not(feature = "gpu"), feature = "cpu"))]
pub async fn select_device(prefer_gpu: bool) -> (Device, BackendInfo) {
    if !prefer_gpu {
        return cpu_choice("the CPU backend was requested");
    }
    cpu_choice("this build has no GPU backend (build with --features gpu)")
}

/// Picks the training device of a build without the CPU backend (the page's GPU learner): the
/// GPU, even where the CPU was asked for (the page loads this build then only if the CPU-only
/// one cannot be loaded). Fails, with the reason for the user, where no adapter can be had.
#[cfg(all(feature = "gpu", not(feature = "cpu")))]
pub async fn select_gpu(prefer_gpu: bool) -> Result<(Device, BackendInfo), String> {
    let (device, mut backend) = gpu_device().await.map_err(|err| no_adapter_reason(&err))?;
    if !prefer_gpu {
        backend.reason = format!(
            "{}; the CPU was asked for, but this build of the learner has no CPU backend",
            backend.reason
        );
    }
    Ok((device, backend))
}

/// The first GPU adapter wgpu finds, as a training device, and what it is.
#[cfg(feature = "gpu")]
async fn gpu_device() -> Result<(Device, BackendInfo), String> {
    let (device, setup) = Device::wgpu_options()
        .init_with_setup_async()
        .await
        .map_err(|err| err.to_string())?;
    let info = setup.adapter.get_info();
    let adapter = if info.driver.is_empty() {
        info.name.clone()
    } else {
        format!("{} — {}", info.name, info.driver)
    };
    let backend = BackendInfo {
        kind: BackendKind::Gpu,
        adapter: Some(adapter),
        reason: format!("a GPU adapter was found ({:?})", info.backend),
        workers: 1,
    };
    Ok((device.autodiff(), backend))
}

#[cfg(feature = "cpu")]
fn cpu_choice(reason: &str) -> (Device, BackendInfo) {
    let info = BackendInfo {
        kind: BackendKind::Cpu,
        adapter: None,
        reason: reason.to_string(),
        workers: 1,
    };
    (cpu_device(), info)
}

/// Turns wgpu's adapter error into a sentence for the user.
#[cfg(feature = "gpu")]
fn no_adapter_reason(error: &str) -> String {
    if error.contains("no adapters") || error.contains("AdapterUnavailable") {
        if cfg!(target_arch = "wasm32") {
            "WebGPU not available in this browser".to_string()
        } else {
            "no GPU adapter found on this machine".to_string()
        }
    } else {
        format!("the GPU could not be started ({error})")
    }
}

/// Errors of a computation on the chosen device.
#[derive(Debug, thiserror::Error)]
pub enum ComputeError {
    #[error("reading a result back from the device failed: {0}")]
    Readback(String),
    #[error("the loss became {0} at step {1}")]
    NonFinite(f32, usize),
}

/// A two-layer perceptron, the smallest model that exercises forward, backward and Adam.
#[derive(Module, Debug)]
struct SmokeNet {
    hidden: Linear,
    output: Linear,
}

impl SmokeNet {
    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.output
            .forward(activation::tanh(self.hidden.forward(x)))
    }
}

/// Number of samples and input features of the smoke regression problem.
const SMOKE_SAMPLES: usize = 64;
const SMOKE_FEATURES: usize = 4;

/// A fixed regression problem, y = sin(x0) + x1 x2 - x3 / 2, on a deterministic grid of inputs.
fn smoke_data() -> (Vec<f32>, Vec<f32>) {
    let mut inputs = Vec::with_capacity(SMOKE_SAMPLES * SMOKE_FEATURES);
    let mut targets = Vec::with_capacity(SMOKE_SAMPLES);
    for s in 0..SMOKE_SAMPLES {
        let x: [f32; SMOKE_FEATURES] =
            std::array::from_fn(|f| (((s * (2 * f + 3) + f * 7) % 17) as f32 / 8.0) - 1.0);
        inputs.extend_from_slice(&x);
        targets.push(x[0].sin() + x[1] * x[2] - 0.5 * x[3]);
    }
    (inputs, targets)
}

/// Trains the smoke network with Adam for `steps` steps and returns the loss before each step.
///
/// This is the proof that training works on a device: forward pass, autodiff backward pass,
/// optimizer update, and reading the loss back (asynchronously, as the browser requires).
/// `on_step(step, loss)` is called after each step, e.g. to stream progress to the page.
pub async fn smoke_train(
    device: &Device,
    steps: usize,
    mut on_step: impl FnMut(usize, f32),
) -> Result<Vec<f32>, ComputeError> {
    device.seed(7);
    let mut model = SmokeNet {
        hidden: LinearConfig::new(SMOKE_FEATURES, 16).init(device),
        output: LinearConfig::new(16, 1).init(device),
    };
    let (inputs, targets) = smoke_data();
    let x = Tensor::<2>::from_data(
        TensorData::new(inputs, [SMOKE_SAMPLES, SMOKE_FEATURES]),
        device,
    );
    let y = Tensor::<2>::from_data(TensorData::new(targets, [SMOKE_SAMPLES, 1]), device);
    let mut optimizer = AdamConfig::new().init();
    let mut losses = Vec::with_capacity(steps);
    for step in 0..steps {
        let loss = (model.forward(x.clone()) - y.clone()).powi_scalar(2).mean();
        let value: f32 = loss
            .clone()
            .into_scalar_async()
            .await
            .map_err(|err| ComputeError::Readback(format!("{err:?}")))?;
        if !value.is_finite() {
            return Err(ComputeError::NonFinite(value, step));
        }
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optimizer.step(0.02, model, grads);
        losses.push(value);
        on_step(step, value);
    }
    Ok(losses)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoke_training_on_cpu_lowers_the_loss() {
        let device = cpu_device();
        let losses =
            pollster::block_on(smoke_train(&device, 30, |_, _| {})).expect("training runs");
        assert_eq!(losses.len(), 30);
        assert!(losses.iter().all(|l| l.is_finite()));
        // Adam at lr 0.02 on a smooth 4-16-1 regression: the loss must fall well below its start.
        assert!(
            losses[29] < 0.5 * losses[0],
            "losses did not fall: {losses:?}"
        );
    }

    #[test]
    fn the_cpu_device_is_known_as_the_cpu_with_or_without_autodiff() {
        assert!(runs_on_cpu(&cpu_device()));
        assert!(runs_on_cpu(&Device::flex()));
    }

    #[test]
    fn cpu_label_names_the_backend() {
        let (_, info) = cpu_choice("test");
        assert_eq!(info.kind, BackendKind::Cpu);
        assert!(info.label().contains("CPU"));
    }
}
