//! The native command-line entry to the Jumpformer core.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    keep_freed_memory();
    jumpformer::cli::main()
}

/// Training allocates and frees tensors of a few hundred kB many times per step. By default
/// glibc serves each with a fresh mmap and returns it with munmap, so every step pays page
/// faults (a third of a training epoch's time on the FA tutorial setting); raising the mmap
/// and trim thresholds makes freed blocks reusable.
#[cfg(all(not(target_arch = "wasm32"), target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    // SAFETY: mallopt only changes allocator parameters; it is called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 512 << 20);
    }
}

#[cfg(all(
    not(target_arch = "wasm32"),
    not(all(target_os = "linux", target_env = "gnu"))
))]
fn keep_freed_memory() {}

#[cfg(target_arch = "wasm32")]
fn main() {}
