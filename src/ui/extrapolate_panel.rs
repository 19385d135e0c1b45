//! The Extrapolate view: the current model's dynamics beside the true dynamics at a density it
//! never saw (two live canvases and observable time series), and a density sweep reproducing the
//! paper's Fig. 4 with error bars from replicas. Plots name the integrator that made them.

use super::chart::{self, LEARNED_COLOUR, Series, TRUE_COLOUR};
use super::commands::Commands;
use super::lattice_canvas;
use super::progress_bar::ProgressBar;
use super::settings_form::{SettingsFields, commit_fields, fields_of};
use crate::core::observables::{Observable, Snapshot};
use crate::core::propagation::{EnsembleSummary, Estimate};
use crate::protocol::link::Group;
use crate::protocol::link::LinkSettings;
use crate::protocol::messages::{Event, Request, SideBySideFrame, SweepPoint};
use leptos::html::Canvas;
use leptos::prelude::*;
use std::collections::VecDeque;

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

/// The observables of Fig. 4 (its fluctuation as N var(f4), not var(f4)), one chart each.
fn sweep_observables() -> impl Iterator<Item = Observable> {
    Observable::ALL
        .into_iter()
        .filter(|o| *o != Observable::VarF4)
}

/// How many charts the sweep draws.
const SWEEP_CHARTS: usize = Observable::ALL.len() - 1;

fn draw_sweep(
    canvas: &web_sys::HtmlCanvasElement,
    points: &[SweepPoint],
    observable: Observable,
) -> Result<(), String> {
    let field = |s: &EnsembleSummary| s.estimate(observable);
    let series = |name: &str, colour, dashed, pick: fn(&SweepPoint) -> &EnsembleSummary| Series {
        label: name.to_string(),
        colour,
        points: points
            .iter()
            .map(|p| (pick(p).phi, field(pick(p)).mean))
            .collect(),
        errors: Some(points.iter().map(|p| field(pick(p)).sem).collect()),
        dashed,
    };
    chart::multi_chart(
        canvas,
        &[
            series("true", TRUE_COLOUR, true, |p| &p.truth),
            series("learned", LEARNED_COLOUR, false, |p| &p.learned),
        ],
        "φ",
        observable.label(),
    )
}

fn draw_series(
    canvas: &web_sys::HtmlCanvasElement,
    samples: &[SeriesSample],
    pick: fn(&Snapshot) -> f64,
    label: &str,
) -> Result<(), String> {
    let line = |name: &str, colour, dashed, which: fn(&SeriesSample) -> Option<Snapshot>| Series {
        label: name.to_string(),
        colour,
        points: samples
            .iter()
            .filter_map(|s| which(s).map(|snap| (s.time, pick(&snap))))
            .collect(),
        errors: None,
        dashed,
    };
    chart::multi_chart(
        canvas,
        &[
            line("true", TRUE_COLOUR, true, |s| s.truth),
            line("learned", LEARNED_COLOUR, false, |s| s.learned),
        ],
        "time",
        label,
    )
}

fn estimate(e: Estimate) -> String {
    format!("{:.4} ± {:.4}", e.mean, e.sem)
}

#[component]
pub fn ExtrapolatePanel(
    commands: Commands,
    link: RwSignal<LinkSettings>,
    state: ExtrapolateState,
    has_model: Signal<bool>,
) -> impl IntoView {
    let fields = RwSignal::new(Vec::new());
    Effect::new(move |_| fields.set(fields_of(&link.get(), Group::Extrapolate)));
    let truth_canvas = NodeRef::<Canvas>::new();
    let learned_canvas = NodeRef::<Canvas>::new();
    let frames = RwSignal::new(0usize);
    Effect::new(move |_| {
        let Some(frame) = state.frame.get() else {
            return;
        };
        let mut strip = VecDeque::new();
        if let (Some(t), Some(l)) = (truth_canvas.get(), learned_canvas.get()) {
            lattice_canvas::draw(&t, &frame.truth, &mut strip);
            lattice_canvas::draw(&l, &frame.learned, &mut strip);
            frames.update(|n| *n += 1);
        }
    });
    let f4_canvas = NodeRef::<Canvas>::new();
    let largest_canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let samples = state.samples.get();
        for (canvas, pick, label) in [
            (
                f4_canvas,
                (|s: &Snapshot| s.f4) as fn(&Snapshot) -> f64,
                "f4 (replica 1)",
            ),
            (
                largest_canvas,
                |s: &Snapshot| s.largest,
                "largest cluster / N (replica 1)",
            ),
        ] {
            if let Some(canvas) = canvas.get()
                && let Err(problem) = draw_series(&canvas, &samples, pick, label)
            {
                commands.say(format!("The chart could not be drawn: {problem}"));
            }
        }
    });
    let sweep_canvases: [NodeRef<Canvas>; SWEEP_CHARTS] = std::array::from_fn(|_| NodeRef::new());
    Effect::new(move |_| {
        let points = state.sweep.get();
        for (canvas, observable) in sweep_canvases.iter().zip(sweep_observables()) {
            if let Some(canvas) = canvas.get()
                && let Err(problem) = draw_sweep(&canvas, &points, observable)
            {
                commands.say(format!("The chart could not be drawn: {problem}"));
            }
        }
    });

    let side = move |_| {
        let settings = commit_fields(link, fields, commands);
        state.frame.set(None);
        state.samples.set(Vec::new());
        state.side_summary.set(None);
        state.paused.set(false);
        state.running.set(ExtrapolateJob::SideBySide);
        commands.send(Request::SideBySide {
            explore: settings.explore,
        });
    };
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
    let frame_text = move |f: fn(&SideBySideFrame) -> String| {
        state
            .frame
            .with(|fr| fr.as_ref().map(f))
            .unwrap_or_else(|| "–".into())
    };
    let snap_text = |s: Option<Snapshot>| {
        s.map(|s| {
            format!(
                "f4 {:.3} · n_c {} · ⟨s⟩ {:.2} · largest {:.2}",
                s.f4, s.n_c, s.mean_s, s.largest
            )
        })
        .unwrap_or_else(|| "(burn-in)".into())
    };
    let sweep_text = move || match state.sweep_progress.get() {
        Some((phi, f)) if state.running.get() == ExtrapolateJob::Sweep => {
            format!("φ = {phi}: {:.0}% of the learned run", 100.0 * f)
        }
        _ => format!(
            "{} of {} densities done",
            state.sweep.with(Vec::len),
            state.sweep_densities.with(Vec::len)
        ),
    };
    let sweep_percent = move || {
        let total = state.sweep_densities.with(Vec::len).max(1) as f64;
        let done = state.sweep.with(Vec::len) as f64;
        let inner = if state.running.get() == ExtrapolateJob::Sweep {
            state.sweep_progress.get().map(|p| p.1).unwrap_or(0.0)
        } else {
            0.0
        };
        (100.0 * (done + inner) / total).min(100.0)
    };

    view! {
        <section class="panel wide" id="extrapolate-panel">
            <h2>"Extrapolate"</h2>
            <p class="hint">"Run the learned dynamics at densities it was never trained on, beside the true model at the same density and seeds. At high density the true model phase-separates (motility-induced phase separation): does the learned one? Blocked moves the network still gives a rate are chosen now and then and rejected (counted below). τ = 0 runs the exact loop (rates re-evaluated after every jump); τ > 0 freezes the rates for τ (tau-leaping), checked against the exact loop on the true model in the test suite."</p>
            <div class="form"><SettingsFields fields=fields /></div>
            <div class="controls">
                <button class="primary" data-testid="extrapolate-side" on:click=side disabled=move || !has_model.get() || busy()>"Run side by side"</button>
                <button class="primary" data-testid="extrapolate-sweep" on:click=sweep disabled=move || !has_model.get() || busy()>"Run density sweep"</button>
                <button data-testid="extrapolate-pause" on:click=toggle_pause disabled=move || !busy()>{move || if state.paused.get() { "Resume" } else { "Pause" }}</button>
                <button data-testid="extrapolate-stop" on:click=move |_| commands.send(Request::Stop) disabled=move || !busy()>"Stop"</button>
            </div>
            <p class="hint" data-testid="extrapolate-integrator">{move || {
                let i = state.integrator.get();
                if i.is_empty() { "Needs a trained or loaded model (Learn view) of the active-lattice model.".to_string() } else { format!("Learned dynamics integrated with: {i}") }
            }}</p>
            <div class="side-by-side">
                <figure>
                    <figcaption>"true dynamics"</figcaption>
                    <canvas node_ref=truth_canvas width="300" height="300" data-testid="extrapolate-true-canvas"></canvas>
                    <p class="small">{move || snap_text(state.frame.with(|f| f.as_ref().and_then(|f| f.truth_snapshot)))}</p>
                </figure>
                <figure>
                    <figcaption>"learned dynamics"</figcaption>
                    <canvas node_ref=learned_canvas width="300" height="300" data-testid="extrapolate-learned-canvas"
                        data-frames=move || frames.get().to_string()></canvas>
                    <p class="small">{move || snap_text(state.frame.with(|f| f.as_ref().and_then(|f| f.learned_snapshot)))}</p>
                </figure>
                <dl class="stats" data-testid="extrapolate-stats"
                    data-time=move || state.frame.with(|f| f.as_ref().map(|f| f.time.to_string())).unwrap_or_default()
                    data-rejected=move || state.frame.with(|f| f.as_ref().map(|f| f.rejected.to_string())).unwrap_or_default()
                    data-jumps=move || state.frame.with(|f| f.as_ref().map(|f| f.learned_jumps.to_string())).unwrap_or_default()
                    data-done=move || state.side_summary.with(Option::is_some).to_string()>
                    <dt>"time"</dt><dd>{move || frame_text(|f| format!("{:.1} / {}", f.time, f.total_time))}</dd>
                    <dt>"learned moves"</dt><dd>{move || frame_text(|f| f.learned_jumps.to_string())}</dd>
                    <dt>"rejected (blocked) moves"</dt><dd>{move || frame_text(|f| f.rejected.to_string())}</dd>
                    <dt>"learned moves / s"</dt><dd>{move || frame_text(|f| format!("{:.3e}", f.events_per_s))}</dd>
                </dl>
            </div>
            <div class="charts">
                <canvas node_ref=f4_canvas width="420" height="240" data-testid="extrapolate-f4-chart"></canvas>
                <canvas node_ref=largest_canvas width="420" height="240" data-testid="extrapolate-largest-chart"></canvas>
            </div>
            {move || state.side_summary.get().map(|(t, l)| view! {
                <table class="membership" data-testid="extrapolate-summary">
                    <tr><th>{format!("φ = {}, {} replicas", t.phi, t.replicas)}</th><th>"true"</th><th>"learned"</th></tr>
                    {sweep_observables().map(|o| view! {
                        <tr><td>{o.label()}</td><td>{estimate(t.estimate(o))}</td><td>{estimate(l.estimate(o))}</td></tr>
                    }).collect_view()}
                    <tr><td>"rejected moves"</td><td>"0"</td><td>{l.rejected.to_string()}</td></tr>
                </table>
            })}
            <h3>"Density sweep (the paper's Fig. 4): mean ± standard error over replicas"</h3>
            <div data-testid="sweep-progress"
                data-points=move || state.sweep.with(Vec::len).to_string()
                data-running=move || (state.running.get() == ExtrapolateJob::Sweep).to_string()>
                <ProgressBar test_id="sweep-progress-bar" percent=Signal::derive(sweep_percent) text=Signal::derive(sweep_text) />
            </div>
            <div class="charts">
                {sweep_canvases.iter().zip(sweep_observables()).map(|(canvas, o)| view! {
                    <canvas node_ref=*canvas width="360" height="240" data-testid=format!("sweep-{}", o.key())></canvas>
                }).collect_view()}
            </div>
            <table class="membership" data-testid="sweep-table">
                <tr><th>"φ"</th><th>"f4 true"</th><th>"f4 learned"</th><th>"largest true"</th><th>"largest learned"</th><th>"rejected"</th><th>"learned moves / s"</th></tr>
                {move || state.sweep.get().into_iter().map(|p| view! {
                    <tr>
                        <td>{p.truth.phi}</td>
                        <td>{estimate(p.truth.f4)}</td><td>{estimate(p.learned.f4)}</td>
                        <td>{estimate(p.truth.largest)}</td><td>{estimate(p.learned.largest)}</td>
                        <td>{p.learned.rejected.to_string()}</td>
                        <td>{format!("{:.3e}", p.events_per_s)}</td>
                    </tr>
                }).collect_view()}
            </table>
        </section>
    }
}
