//! Counts the WebGPU work the worker asks for: queue submissions, compute dispatches and
//! buffer mappings (each mapping is a GPU→CPU read-back, for which the worker waits). The counts
//! are in `self.jumpformerGpuCounts`, where a benchmark (`tests/browser/bench-training.mjs
//! --webgpu`) or a curious user's console reads them; counting costs one increment per call.

use js_sys::Function;

/// Wraps the three WebGPU methods; wgpu's bindings look them up on each call, so every call
/// from the wasm module is counted.
const COUNTERS: &str = r#"
if (self.GPUQueue && !self.jumpformerGpuCounts) {
  const counts = self.jumpformerGpuCounts = { submits: 0, dispatches: 0, readbacks: 0 };
  const count = (proto, name, key) => {
    const original = proto[name];
    proto[name] = function (...args) { counts[key] += 1; return original.apply(this, args); };
  };
  count(GPUQueue.prototype, 'submit', 'submits');
  count(GPUComputePassEncoder.prototype, 'dispatchWorkgroups', 'dispatches');
  count(GPUBuffer.prototype, 'mapAsync', 'readbacks');
}
"#;

/// Installs the counters; before the backend is chosen.
pub fn install() {
    if let Err(err) = Function::new_no_args(COUNTERS).call0(&js_sys::global()) {
        web_sys::console::warn_2(&"jumpformer worker: no GPU counters".into(), &err);
    }
}
