//! The compute backend of the learner: which burn device runs the tensors, and why.
//!
//! The choice is made at run time. Where burn's wgpu backend is compiled in (the `gpu` feature:
//! the browser's GPU learner worker, natively on request) the first WebGPU/Vulkan/Metal adapter
//! is used; otherwise, or when no adapter is found, training runs on burn's pure-Rust CPU
//! backend (Flex, the `cpu` feature). The browser's GPU learner is built without the CPU
//! backend: where it finds no adapter, the page loads the CPU-only learner instead. The kinds of backend and their description are plain data, which the page shows; the
//! devices themselves (`device`) are built with the learner.

#[cfg(feature = "learner")]
mod device;
#[cfg(all(feature = "gpu", not(feature = "cpu")))]
pub use device::select_gpu;
#[cfg(feature = "learner")]
pub use device::{ComputeError, runs_on_cpu, smoke_train};
#[cfg(feature = "cpu")]
pub use device::{cpu_device, select_device};

use serde::{Deserialize, Serialize};

/// Which kind of backend tensors run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackendKind {
    /// burn's wgpu backend on a GPU adapter (WebGPU in the browser).
    Gpu,
    /// burn's Flex backend on the CPU.
    Cpu,
}

/// The backend in use, with the reason it was chosen, as shown to the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackendInfo {
    pub kind: BackendKind,
    /// The adapter's name for a GPU backend, e.g. "google swiftshader"; browsers may withhold it.
    pub adapter: Option<String>,
    /// One sentence that says why this backend was chosen.
    pub reason: String,
    /// Threads of execution that share each CPU training step (in the browser: the learner
    /// worker and its helper workers, one per core); 1 on a GPU.
    #[serde(default = "one")]
    pub workers: usize,
}

fn one() -> usize {
    1
}

impl BackendInfo {
    /// A short label for badges and logs: "WebGPU: <adapter>" or "CPU".
    pub fn label(&self) -> String {
        match (&self.kind, &self.adapter) {
            (BackendKind::Gpu, Some(adapter)) if !adapter.is_empty() => {
                format!("WebGPU ({adapter})")
            }
            (BackendKind::Gpu, _) => "WebGPU".to_string(),
            (BackendKind::Cpu, _) if self.workers > 1 => {
                format!("CPU (burn Flex) × {} workers", self.workers)
            }
            (BackendKind::Cpu, _) => "CPU (burn Flex)".to_string(),
        }
    }
}
