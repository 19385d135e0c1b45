//! The Web Worker binary: runs simulation and training off the page's thread.

#[cfg(target_arch = "wasm32")]
fn main() {
    jumpformer::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("jumpformer-worker runs in the browser only; build it with trunk.");
}
