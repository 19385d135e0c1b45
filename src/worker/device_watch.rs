//! Tells the page at once when WebGPU loses the worker's GPU device (driver reset, GPU process
//! crash, `device.destroy()`): wgpu does not surface it, and a read-back from a lost device
//! may never finish. The watcher also keeps the devices in `self.jumpformerDevices`, where a
//! test (or a curious user's console) can destroy them.

use js_sys::Function;

/// Wraps `GPUAdapter.prototype.requestDevice` so that every device the worker gets posts
/// `Event::WorkerFailed { device_lost: true }` (as JSON, see the protocol) when it is lost.
const WATCHER: &str = r#"
if (self.GPUAdapter && !self.jumpformerDevices) {
  self.jumpformerDevices = [];
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (...args) {
    const device = await requestDevice.apply(this, args);
    self.jumpformerDevices.push(device);
    device.lost.then((info) => {
      const why = info.message ? `${info.reason}: ${info.message}` : String(info.reason);
      postMessage(JSON.stringify({
        type: 'WorkerFailed', message: `the GPU device was lost (${why})`, device_lost: true,
      }));
    });
    return device;
  };
}
"#;

/// Installs the watcher; before the backend is chosen.
pub fn install() {
    if let Err(err) = Function::new_no_args(WATCHER).call0(&js_sys::global()) {
        web_sys::console::warn_2(&"jumpformer worker: no GPU device watcher".into(), &err);
    }
}
