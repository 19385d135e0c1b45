//! The Web Worker binary: runs simulation and training off the page's thread.

#[cfg(target_arch = "wasm32")]
unsafe extern "C" {
    /// The module's static constructors (the `inventory` registrations of burn's GPU kernel
    /// compilers), synthesised by the linker.
    fn __wasm_call_ctors();
}

#[cfg(target_arch = "wasm32")]
fn main() {
    // Run the constructors once, here. Without this call the linker wraps every exported
    // function (the allocator, the externref table, ...) so that each call from JavaScript runs
    // all of them again: measured in Chromium, that was 40% of the learner worker's time during
    // training and made sharing a step with helper workers slower than not sharing it.
    // SAFETY: called once, first thing, before anything reads what the constructors register.
    unsafe { __wasm_call_ctors() };
    jumpformer::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("jumpformer-worker runs in the browser only; build it with trunk.");
}
