//! The simulation worker: the Web Worker the page starts with. It simulates and reads and writes
//! trajectory files; built without the learner, it is a small download. The page replaces it by
//! the learner worker (`jumpformer-worker`) for the first request that runs a network.

#[cfg(target_arch = "wasm32")]
fn main() {
    jumpformer::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("jumpformer-sim-worker runs in the browser only; build it with trunk.");
}
