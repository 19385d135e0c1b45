//! The native command-line entry to the Jumpformer core.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    jumpformer::cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
