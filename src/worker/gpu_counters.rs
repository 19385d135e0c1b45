//! Counts the WebGPU work the worker asks for: queue submissions, compute dispatches and
//! buffer mappings for reading (each a GPU→CPU read-back, for which the worker waits; mappings for
//! writing, staging buffers of uploads, are counted apart as `write_maps`). The counts
//! are in `self.jumpformerGpuCounts`, where a benchmark (`tests/browser/bench-training.mjs
//! --webgpu`) or a curious user's console reads them; counting costs one increment per call.
//! What the worker asks for between epochs (the evaluation of U/T and the model's backup copy)
//! is also counted apart (`.between_epochs`), so the optimiser steps' own share is known.

use js_sys::Function;

/// Wraps the three WebGPU methods; wgpu's bindings look them up on each call, so every call
/// from the wasm module is counted.
const COUNTERS: &str = r#"
if (self.GPUQueue && !self.jumpformerGpuCounts) {
  const counts = self.jumpformerGpuCounts = {
    submits: 0, dispatches: 0, readbacks: 0, write_maps: 0,
    between_epochs: { submits: 0, dispatches: 0, readbacks: 0, write_maps: 0 },
  };
  self.jumpformerGpuBetweenEpochs = false;
  const count = (proto, name, key) => {
    const original = proto[name];
    proto[name] = function (...args) {
      // A mapping for writing (an upload's staging buffer coming back) is not a read-back.
      const k = typeof key === 'function' ? key(...args) : key;
      counts[k] += 1;
      if (self.jumpformerGpuBetweenEpochs) counts.between_epochs[k] += 1;
      return original.apply(this, args);
    };
  };
  count(GPUQueue.prototype, 'submit', 'submits');
  count(GPUComputePassEncoder.prototype, 'dispatchWorkgroups', 'dispatches');
  count(GPUBuffer.prototype, 'mapAsync',
    (mode) => (mode & GPUMapMode.READ ? 'readbacks' : 'write_maps'));
}
"#;

/// Installs the counters; before the backend is chosen.
pub fn install() {
    if let Err(err) = Function::new_no_args(COUNTERS).call0(&js_sys::global()) {
        web_sys::console::warn_2(&"jumpformer worker: no GPU counters".into(), &err);
    }
}

/// Marks the work from now on as between epochs (`true`) or optimiser steps (`false`) in the
/// counts.
pub fn between_epochs(on: bool) {
    let _ = js_sys::Reflect::set(
        &js_sys::global(),
        &"jumpformerGpuBetweenEpochs".into(),
        &on.into(),
    );
}
