//! The Extrapolate view: the current model's dynamics beside the true dynamics at a density it
//! never saw (two live canvases and observable time series), and a density sweep reproducing the
//! paper's Fig. 4 with error bars from replicas. Plots name the integrator that made them.

mod observable_traces;
mod side_by_side_summary;
mod side_by_side_view;
mod sweep_results;

use super::commands::Commands;
use super::settings_form::{SettingsFields, commit_fields, form_fields};
use crate::core::observables::Snapshot;
use crate::core::propagation::EnsembleSummary;
use crate::protocol::link::Group;
use crate::protocol::link::LinkSettings;
use crate::protocol::messages::{Event, Request, SideBySideFrame, SweepPoint};
use leptos::prelude::*;
use side_by_side_view::SideBySideView;
use sweep_results::SweepResults;

/// One time-series sample of replica 0 of both dynamics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesSample {
    pub time: f64,
    pub truth: Option<Snapshot>,
    pub learned: Option<Snapshot>,
}

/// Which extrapolation job the worker is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtrapolateJob {
    Idle,
    SideBySide,
    Sweep,
}

/// What the page knows of the extrapolation runs.
#[derive(Clone, Copy)]
pub struct ExtrapolateState {
    pub frame: RwSignal<Option<SideBySideFrame>>,
    pub samples: RwSignal<Vec<SeriesSample>>,
    pub side_summary: RwSignal<Option<(EnsembleSummary, EnsembleSummary)>>,
    pub sweep: RwSignal<Vec<SweepPoint>>,
    pub sweep_densities: RwSignal<Vec<f64>>,
    pub sweep_progress: RwSignal<Option<(f64, f64)>>,
    /// The integrator of the run on screen, described.
    pub integrator: RwSignal<String>,
    pub running: RwSignal<ExtrapolateJob>,
    pub paused: RwSignal<bool>,
}

impl ExtrapolateState {
    /// Starts the side-by-side run of `settings`.
    pub fn start_side_by_side(&self, settings: LinkSettings, commands: Commands) {
        self.frame.set(None);
        self.samples.set(Vec::new());
        self.side_summary.set(None);
        self.paused.set(false);
        self.running.set(ExtrapolateJob::SideBySide);
        commands.send(Request::SideBySide {
            explore: settings.explore,
        });
    }

    pub fn new() -> Self {
        Self {
            frame: RwSignal::new(None),
            samples: RwSignal::new(Vec::new()),
            side_summary: RwSignal::new(None),
            sweep: RwSignal::new(Vec::new()),
            sweep_densities: RwSignal::new(Vec::new()),
            sweep_progress: RwSignal::new(None),
            integrator: RwSignal::new(String::new()),
            running: RwSignal::new(ExtrapolateJob::Idle),
            paused: RwSignal::new(false),
        }
    }

    /// Records a frame, adding a time-series sample when a new snapshot was taken.
    /// The side-by-side run's and the sweep's events.
    pub fn handle(&self, event: Event) {
        match event {
            Event::SideBySideStarted { integrator } => {
                self.integrator.set(integrator);
                self.running.set(ExtrapolateJob::SideBySide);
            }
            Event::SideBySideFrame(frame) => self.push_frame(frame),
            Event::SideBySideFinished { summaries, .. } => {
                self.side_summary.set(summaries);
                self.running.set(ExtrapolateJob::Idle);
            }
            Event::SweepStarted {
                densities,
                integrator,
            } => {
                self.sweep_densities.set(densities);
                self.integrator.set(integrator);
                self.running.set(ExtrapolateJob::Sweep);
            }
            Event::SweepProgress { phi, fraction } => {
                self.sweep_progress.set(Some((phi, fraction)))
            }
            Event::SweepPointDone(point) => self.sweep.update(|p| p.push(point)),
            Event::SweepFinished { .. } => self.interrupted(),
            _ => {}
        }
    }

    /// The job ended or its worker failed: finished densities stay.
    pub fn interrupted(&self) {
        self.running.set(ExtrapolateJob::Idle);
        self.sweep_progress.set(None);
    }

    pub fn push_frame(&self, frame: SideBySideFrame) {
        let sample = SeriesSample {
            time: frame.time,
            truth: frame.truth_snapshot,
            learned: frame.learned_snapshot,
        };
        if sample.truth.is_some() || sample.learned.is_some() {
            self.samples.update(|s| {
                let changed = s.last().is_none_or(|last| {
                    last.truth != sample.truth || last.learned != sample.learned
                });
                if changed {
                    s.push(sample);
                }
            });
        }
        self.frame.set(Some(frame));
    }
}

#[component]
pub fn ExtrapolatePanel(state: ExtrapolateState, has_model: Signal<bool>) -> impl IntoView {
    let commands = expect_context::<Commands>();
    let link = expect_context::<RwSignal<LinkSettings>>();
    let fields = form_fields(link, Group::Extrapolate);

    let side = move |_| state.start_side_by_side(commit_fields(link, fields, commands), commands);
    let sweep = move |_| {
        let settings = commit_fields(link, fields, commands);
        state.sweep.set(Vec::new());
        state.sweep_progress.set(None);
        state.paused.set(false);
        state.running.set(ExtrapolateJob::Sweep);
        commands.send(Request::Sweep {
            explore: settings.explore,
        });
    };
    let toggle_pause = move |_| {
        let paused = !state.paused.get_untracked();
        state.paused.set(paused);
        commands.toggle_pause(!paused);
    };
    let busy = move || state.running.get() != ExtrapolateJob::Idle;
    view! {
        <section class="panel wide" id="extrapolate-panel">
            <h2>"Extrapolate"</h2>
            <p class="hint">
                "Run the learned dynamics at densities it was never trained on, beside the true \
                model at the same density and seeds. At high density the true model \
                phase-separates (motility-induced phase separation): does the learned one? \
                Blocked moves the network still gives a rate are chosen now and then and rejected \
                (counted below). τ = 0 runs the exact loop (rates re-evaluated after every jump); \
                τ > 0 freezes the rates for τ (tau-leaping), checked against the exact loop on \
                the true model in the test suite."
            </p>
            <div class="form">
                <SettingsFields fields=fields />
            </div>
            <div class="controls">
                <button
                    class="primary"
                    data-testid="extrapolate-side"
                    on:click=side
                    disabled=move || !has_model.get() || busy()
                >
                    "Run side by side"
                </button>
                <button
                    class="primary"
                    data-testid="extrapolate-sweep"
                    on:click=sweep
                    disabled=move || !has_model.get() || busy()
                >
                    "Run density sweep"
                </button>
                <button
                    data-testid="extrapolate-pause"
                    on:click=toggle_pause
                    disabled=move || !busy()
                >
                    {move || if state.paused.get() { "Resume" } else { "Pause" }}
                </button>
                <button
                    data-testid="extrapolate-stop"
                    on:click=move |_| commands.send(Request::Stop)
                    disabled=move || !busy()
                >
                    "Stop"
                </button>
            </div>
            <p class="hint" data-testid="extrapolate-integrator">
                {move || {
                    let i = state.integrator.get();
                    if i.is_empty() {
                        "Needs a trained or loaded model (Learn view) of the active-lattice model."
                            .to_string()
                    } else {
                        format!("Learned dynamics integrated with: {i}")
                    }
                }}
            </p>
            <SideBySideView state=state />
            <SweepResults state=state />
        </section>
    }
}
