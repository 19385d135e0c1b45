//! How long a job will take and how much memory it needs, so that the page and the CLI can say
//! so, and ask, before a long run (e.g. "about 3 h on this CPU").
//!
//! Time is projected from the pace of the job's first seconds on this machine, not modelled:
//! the same network runs 4x slower in a browser than natively and 100x faster on a real GPU.

use crate::core::learner::LearnerConfig;

/// Wall-clock seconds a job runs before its total time is projected from its pace.
pub const PROBE_SECONDS: f64 = 3.0;

/// Jobs projected to take longer than this ask the user before going on.
pub const ASK_ABOVE_SECONDS: f64 = 600.0;

/// Evaluation passes (training and held-out trajectories, once per epoch) on top of the
/// optimiser steps the probe measures: measured 21% natively and 34% in Chromium.
pub const EVALUATION_OVERHEAD: f64 = 1.3;

/// Projected total seconds of a job that ran `elapsed_s` seconds and did the share `done` of
/// its work; `None` while nothing measurable is done.
pub fn projected_seconds(elapsed_s: f64, done: f64) -> Option<f64> {
    (done > 0.0 && done.is_finite() && elapsed_s.is_finite()).then(|| elapsed_s / done.min(1.0))
}

/// What the probe of a job concluded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Too early to tell.
    Probing,
    /// Short enough to run without asking.
    Short,
    /// Projected to take this many seconds in all: ask first.
    Long(f64),
}

/// Judges a job from its pace so far. A job that has measured no progress yet (e.g. a sweep
/// still running its first true ensemble) keeps probing: its pace is unknown, not slow.
pub fn judge(elapsed_s: f64, done: f64) -> Verdict {
    if elapsed_s < PROBE_SECONDS {
        return Verdict::Probing;
    }
    match projected_seconds(elapsed_s, done) {
        Some(total) if total > ASK_ABOVE_SECONDS => Verdict::Long(total),
        Some(_) => Verdict::Short,
        None => Verdict::Probing,
    }
}

/// Bytes of memory a training holds: the weights with their gradients and the optimiser's two
/// moments (Adam's or AdaBelief's), and the activations one optimiser step keeps for the
/// backward pass. `tokens_in_flight` is how many tokens one forward pass sees (a micro-batch on
/// the CPU, the whole minibatch on a GPU); `tokens_per_configuration` sets the attention
/// matrices' size.
pub fn training_bytes(
    config: &LearnerConfig,
    tokens_per_configuration: usize,
    tokens_in_flight: usize,
) -> f64 {
    let (d, ff, layers) = (
        config.d_model as f64,
        config.d_ff as f64,
        config.layers as f64,
    );
    let n = tokens_per_configuration as f64;
    let parameters = layers * (4.0 * d * d + 2.0 * d * ff + 9.0 * d) + 1024.0 * d;
    // Per token and layer: projections, attention output, norms and residuals (~12 d), the
    // feed-forward's hidden layer twice (before and after the activation), and one row of
    // each head's attention matrix, before and after the softmax.
    let per_token = layers * (12.0 * d + 2.0 * ff + 2.0 * config.heads as f64 * n);
    4.0 * (4.0 * parameters + tokens_in_flight as f64 * per_token)
}

/// "about 3 h 10 min", "about 12 min", "about 40 s".
pub fn describe_duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "an unknown time (no progress was measured)".into();
    }
    let s = seconds.max(0.0).round() as u64;
    match s {
        0..=89 => format!("about {s} s"),
        90..=5399 => format!("about {} min", (s + 30) / 60),
        _ if s < 48 * 3600 => {
            let minutes = (s + 30) / 60;
            format!("about {} h {} min", minutes / 60, minutes % 60)
        }
        _ => format!("about {:.1} days", seconds / 86_400.0),
    }
}

/// "12 kB", "3.4 MB", "1.2 GB".
pub fn describe_bytes(bytes: f64) -> String {
    match bytes {
        b if b < 1e6 => format!("{:.0} kB", b / 1e3),
        b if b < 1e9 => format!("{:.1} MB", b / 1e6),
        b => format!("{:.1} GB", b / 1e9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_is_judged_after_the_probe_from_its_pace() {
        assert_eq!(judge(1.0, 0.5), Verdict::Probing);
        // 3 s for 1% of the work: 300 s in all, no question.
        assert_eq!(judge(3.0, 0.01), Verdict::Short);
        // 3 s for 0.1%: 3000 s in all.
        assert_eq!(judge(3.0, 0.001), Verdict::Long(3000.0));
        // No progress measured yet: no projection, the probe goes on.
        assert_eq!(judge(4.0, 0.0), Verdict::Probing);
    }

    #[test]
    fn durations_and_sizes_read_as_a_person_would_say_them() {
        assert_eq!(describe_duration(40.2), "about 40 s");
        assert_eq!(describe_duration(720.0), "about 12 min");
        assert_eq!(describe_duration(3.0 * 3600.0 + 600.0), "about 3 h 10 min");
        assert_eq!(describe_duration(5.0 * 86_400.0), "about 5.0 days");
        assert_eq!(describe_bytes(12_000.0), "12 kB");
        assert_eq!(describe_bytes(3.4e6), "3.4 MB");
        assert_eq!(describe_bytes(1.25e9), "1.2 GB");
    }

    #[test]
    fn training_memory_grows_with_the_network_and_the_tokens_in_flight() {
        let config = LearnerConfig::default();
        let small = training_bytes(&config, 18, 2048);
        let whole_batch = training_bytes(&config, 18, 128 * 18);
        let bigger = training_bytes(
            &LearnerConfig {
                d_model: 2 * config.d_model,
                ..config.clone()
            },
            18,
            2048,
        );
        assert!(small > 1e5 && small < 1e9, "{small}");
        assert!(whole_batch > small && bigger > small);
    }
}
