//! The learner worker without the GPU backend: what the page loads where it found no WebGPU
//! adapter, or where the CPU was asked for. The same worker as `jumpformer-worker` with burn's
//! CPU backend in place of its GPU backend, less than half its download (`scripts/bench-download.sh`).

#[cfg(target_arch = "wasm32")]
fn main() {
    jumpformer::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("jumpformer-cpu-worker runs in the browser only; build it with trunk.");
}
