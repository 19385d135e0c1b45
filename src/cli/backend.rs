//! `jumpformer backend`: which compute backend this machine gives the learner, proved by a
//! smoke training run.

use crate::core::compute::{BackendInfo, BackendKind, select_device, smoke_train};

/// Threads for the network's work on `backend`: `threads` (a `--threads` flag) or all cores on
/// the CPU, 1 on a GPU.
pub fn cpu_threads(threads: Option<usize>, backend: &BackendInfo) -> usize {
    match backend.kind {
        BackendKind::Gpu => 1,
        BackendKind::Cpu => threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        }),
    }
}

#[derive(Debug, clap::Args)]
pub struct BackendArgs {
    /// Use the CPU even where a GPU adapter exists.
    #[arg(long)]
    cpu: bool,
    /// Number of Adam steps of the smoke training.
    #[arg(long, default_value_t = 20)]
    steps: usize,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &BackendArgs) -> Result<(), String> {
    pollster::block_on(async {
        let (device, info) = select_device(!args.cpu).await;
        let start = std::time::Instant::now();
        let losses = smoke_train(&device, args.steps, |_, _| {})
            .await
            .map_err(|e| e.to_string())?;
        let seconds = start.elapsed().as_secs_f64();
        if args.json {
            let report = serde_json::json!({
                "backend": info.kind, "adapter": info.adapter, "reason": info.reason,
                "losses": losses, "seconds": seconds,
            });
            println!("{report}");
        } else {
            println!("backend: {} — {}", info.label(), info.reason);
            if let (Some(first), Some(last)) = (losses.first(), losses.last()) {
                println!(
                    "smoke training: loss {first:.4} -> {last:.4} in {} Adam steps ({seconds:.2} \
                    s)",
                    losses.len()
                );
            }
        }
        Ok(())
    })
}
