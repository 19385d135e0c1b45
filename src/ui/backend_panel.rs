//! The backend badge and the smoke training that proves the chosen backend can train. The
//! backend is chosen when the learner worker loads (for the first request that runs a network,
//! or the panel's button); until then the badge says so.

use super::commands::Commands;
use crate::core::compute::{BackendInfo, BackendKind};
use crate::protocol::Event;
use leptos::prelude::*;

/// What the page knows about the worker's backend and its smoke training.
#[derive(Clone, Copy)]
pub struct BackendState {
    pub backend: RwSignal<Option<BackendInfo>>,
    pub losses: RwSignal<Vec<f32>>,
    pub seconds: RwSignal<Option<f64>>,
}

impl BackendState {
    pub fn new() -> Self {
        Self {
            backend: RwSignal::new(None),
            losses: RwSignal::new(Vec::new()),
            seconds: RwSignal::new(None),
        }
    }

    /// The backend's kind as the badge's `data-kind` says it: "unloaded" before the learner
    /// loads, "pending" until it has chosen.
    fn kind(&self, learner: bool) -> &'static str {
        match self.backend.with(|b| b.as_ref().map(|b| b.kind)) {
            Some(BackendKind::Gpu) => "gpu",
            Some(BackendKind::Cpu) => "cpu",
            None if learner => "pending",
            None => "unloaded",
        }
    }

    /// The badge's text.
    fn label(&self, learner: bool) -> String {
        self.backend
            .with(|b| b.as_ref().map(|b| b.label()))
            .unwrap_or_else(|| {
                if learner {
                    "choosing a backend…".into()
                } else {
                    "learner not loaded yet".into()
                }
            })
    }

    /// Why this backend was chosen.
    fn reason(&self, learner: bool) -> String {
        self.backend
            .with(|b| b.as_ref().map(|b| b.reason.clone()))
            .unwrap_or_else(|| {
                if learner {
                    String::new()
                } else {
                    NOT_LOADED.into()
                }
            })
    }

    /// The smoke training's events.
    pub fn handle(&self, event: Event) {
        match event {
            Event::SmokeStep { loss, .. } => self.losses.update(|l| l.push(loss)),
            Event::SmokeDone { losses, seconds } => {
                self.losses.set(losses);
                self.seconds.set(Some(seconds));
            }
            _ => {}
        }
    }
}

/// What the badge says before the learner loads.
const NOT_LOADED: &str = "Simulation is ready. The learner (about 1 MB, or 2.4 MB with WebGPU) is \
    downloaded when you first train, scan, extrapolate or load a model; it then chooses WebGPU or \
    the CPU.";

/// The SVG polyline of a loss curve in a `width` x `height` box, log-scaled.
fn sparkline(losses: &[f32], width: f32, height: f32) -> String {
    let logs: Vec<f32> = losses.iter().map(|l| l.max(1e-12).ln()).collect();
    let (lo, hi) = logs
        .iter()
        .fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let span = (hi - lo).max(1e-6);
    let step = width / (logs.len().max(2) - 1) as f32;
    logs.iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                i as f32 * step,
                height - (v - lo) / span * height
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The backend in the page's header: what runs the heavy work, and why (the full story, with
/// the smoke training, is in the backend panel).
#[component]
pub fn BackendBadge(state: BackendState) -> impl IntoView {
    let commands = expect_context::<Commands>();
    let (kind, label, reason) = (
        move || state.kind(commands.learner_loaded()),
        move || state.label(commands.learner_loaded()),
        move || state.reason(commands.learner_loaded()),
    );
    view! {
        <p class="header-backend" role="status" data-testid="header-backend">
            <a href="#backend-panel" class="badge" data-kind=kind>
                {label}
            </a>
            <span class="reason">{reason}</span>
        </p>
    }
}

#[component]
pub fn BackendPanel(state: BackendState) -> impl IntoView {
    let commands = expect_context::<Commands>();
    let (kind, label, reason) = (
        move || state.kind(commands.learner_loaded()),
        move || state.label(commands.learner_loaded()),
        move || state.reason(commands.learner_loaded()),
    );
    let done = move || {
        if state.seconds.get().is_some() {
            "done"
        } else {
            "running"
        }
    };
    let first = move || {
        state
            .losses
            .get()
            .first()
            .map(|l| format!("{l:.4}"))
            .unwrap_or_default()
    };
    let last = move || {
        state
            .losses
            .get()
            .last()
            .map(|l| format!("{l:.4}"))
            .unwrap_or_default()
    };
    view! {
        <section class="panel" id="backend-panel">
            <h2>"Compute backend"</h2>
            <p class="badge" data-testid="backend-badge" data-kind=kind>
                {label}
            </p>
            <p class="reason" data-testid="backend-reason">
                {reason}
            </p>
            <Show when=move || !commands.learner_loaded()>
                <button
                    data-testid="load-learner"
                    on:click=move |_| commands.ensure_learner()
                    title="Download the learner now, e.g. before the network goes away"
                >
                    "Load the learner now"
                </button>
            </Show>
            <h3>"Smoke training"</h3>
            <p class="hint">
                "A tiny network trained with Adam on this backend, in the worker: the loss must \
                fall."
            </p>
            <div
                class="smoke"
                data-testid="smoke"
                data-state=done
                data-first-loss=first
                data-last-loss=last
            >
                <svg class="sparkline" viewBox="0 0 240 60" width="240" height="60">
                    <polyline
                        fill="none"
                        stroke="currentColor"
                        stroke-width="2"
                        points=move || sparkline(&state.losses.get(), 240.0, 60.0)
                    />
                </svg>
                <p>
                    {move || format!("{} steps", state.losses.get().len())} " · loss " {first}
                    " → " {last}
                    {move || {
                        state.seconds.get().map(|s| format!(" · {s:.2} s")).unwrap_or_default()
                    }}
                </p>
            </div>
        </section>
    }
}
