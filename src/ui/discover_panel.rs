//! The Discover view: Mode 2 trained for N_W = 1..6 on the current trajectory, the best U/T of
//! each against N_W with the exact U/T dashed (the plateau says how many processes there are),
//! the learned class rates beside the true rates, and which moves fall into which class.

use super::chart;
use super::commands::Commands;
use super::progress_bar::ProgressBar;
use super::settings_form::{SettingsFields, commit_fields, fields_of};
use crate::core::discovery::KindEstimate;
use crate::protocol::link::{Group, LinkSettings};
use crate::protocol::messages::{Event, Request, ScanPoint};
use leptos::prelude::*;

/// What the page knows of the scan.
#[derive(Clone, Copy)]
pub struct DiscoverState {
    pub points: RwSignal<Vec<ScanPoint>>,
    pub exact_u_per_t: RwSignal<Option<f64>>,
    /// Exact U/T of the held-out trajectory the scan is judged on.
    pub val_exact_u_per_t: RwSignal<Option<f64>>,
    /// The held-out trajectory's best U/T with N_W rates per kind of move, N_W = 1, 2, ..
    /// (empty for FA).
    pub val_kind_bounds: RwSignal<Vec<f64>>,
    /// The trajectory's own rate of each kind of move (empty for FA).
    pub rate_estimates: RwSignal<Vec<KindEstimate>>,
    /// (N_W, epoch, step, steps per epoch) of the running scan.
    pub progress: RwSignal<Option<(usize, usize, usize, usize)>>,
    pub max_classes: RwSignal<usize>,
    pub epochs: RwSignal<usize>,
    pub running: RwSignal<bool>,
    /// The N_W whose classes are tabulated (the user's choice, else the discovered one).
    pub shown: RwSignal<Option<usize>>,
}

impl DiscoverState {
    pub fn new() -> Self {
        Self {
            points: RwSignal::new(Vec::new()),
            exact_u_per_t: RwSignal::new(None),
            val_exact_u_per_t: RwSignal::new(None),
            val_kind_bounds: RwSignal::new(Vec::new()),
            rate_estimates: RwSignal::new(Vec::new()),
            progress: RwSignal::new(None),
            max_classes: RwSignal::new(0),
            epochs: RwSignal::new(0),
            running: RwSignal::new(false),
            shown: RwSignal::new(None),
        }
    }

    /// The scan's events.
    pub fn handle(&self, event: Event) {
        match event {
            Event::ScanStarted {
                max_classes,
                epochs,
                exact_u_per_t,
                val_exact_u_per_t,
                rate_estimates,
                val_kind_bounds,
            } => {
                self.val_kind_bounds
                    .set(val_kind_bounds.unwrap_or_default());
                self.max_classes.set(max_classes);
                self.epochs.set(epochs);
                self.exact_u_per_t.set(exact_u_per_t);
                self.val_exact_u_per_t.set(val_exact_u_per_t);
                self.rate_estimates.set(rate_estimates.unwrap_or_default());
                self.running.set(true);
            }
            Event::ScanProgress {
                classes,
                epoch,
                step_in_epoch,
                steps_per_epoch,
            } => self
                .progress
                .set(Some((classes, epoch, step_in_epoch, steps_per_epoch))),
            Event::ScanPointDone(point) => self.points.update(|p| p.push(point)),
            Event::ScanFinished { .. } => self.interrupted(),
            _ => {}
        }
    }

    /// The scan ended or its worker failed: finished points stay.
    pub fn interrupted(&self) {
        self.running.set(false);
        self.progress.set(None);
    }
}

/// The U/T a scan point is judged by: held-out when there is a held-out trajectory.
fn judged(point: &ScanPoint) -> f64 {
    point.val_u_per_t.unwrap_or(point.u_per_t)
}

/// The smallest N_W whose (held-out) U/T is within 2% of the range's top: where the curve
/// flattens.
fn plateau(points: &[ScanPoint]) -> Option<usize> {
    let best = points
        .iter()
        .map(judged)
        .filter(|u| u.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    let worst = points
        .iter()
        .map(judged)
        .filter(|u| u.is_finite())
        .fold(f64::INFINITY, f64::min);
    if !best.is_finite() || points.len() < 2 {
        return None;
    }
    let tolerance = 0.02 * (best - worst).max(best.abs() * 0.01);
    points
        .iter()
        .filter(|p| judged(p) >= best - tolerance)
        .map(|p| p.classes)
        .min()
}

fn rates_text(rates: &[f64]) -> String {
    rates
        .iter()
        .map(|r| format!("{r:.3}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
pub fn DiscoverPanel(
    commands: Commands,
    link: RwSignal<LinkSettings>,
    state: DiscoverState,
    has_trajectory: Signal<bool>,
) -> impl IntoView {
    let fields = RwSignal::new(Vec::new());
    Effect::new(move |_| fields.set(fields_of(&link.get(), Group::Discover)));
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        let curves = state.points.with(|p| chart::UCurves {
            training: p.iter().map(|p| (p.classes as f64, p.u_per_t)).collect(),
            exact: state.exact_u_per_t.get(),
            held_out: p
                .iter()
                .filter_map(|p| Some((p.classes as f64, p.val_u_per_t?)))
                .collect(),
            held_out_exact: state.val_exact_u_per_t.get(),
            blind: None,
            kind_bound: state.val_kind_bounds.with(|b| {
                b.iter()
                    .enumerate()
                    .map(|(i, &u)| ((i + 1) as f64, u))
                    .collect()
            }),
        });
        if let Some(canvas) = canvas.get()
            && let Err(problem) = chart::u_chart(&canvas, &curves, "N_W", "best U/T")
        {
            commands.say(format!("The chart could not be drawn: {problem}"));
        }
    });
    let scan = move |_| {
        let settings = commit_fields(link, fields, commands);
        state.points.set(Vec::new());
        state.progress.set(None);
        state.shown.set(None);
        state.running.set(true);
        commands.send(Request::Scan {
            config: settings.learner,
            max_classes: settings.explore.scan_max,
            epochs: settings.explore.scan_epochs,
        });
    };
    let discovered = move || state.points.with(|p| plateau(p));
    let shown = move || {
        let n = state.shown.get().or_else(discovered)?;
        state
            .points
            .with(|p| p.iter().find(|p| p.classes == n).cloned())
    };
    let progress_text = move || match state.progress.get() {
        Some((classes, epoch, step, steps)) => format!(
            "N_W = {classes} of {} · epoch {epoch} of {} · step {step} / {steps}",
            state.max_classes.get(),
            state.epochs.get()
        ),
        None => "not scanning".into(),
    };
    let progress_percent = move || {
        let max = state.max_classes.get().max(1) as f64;
        let done = state.points.with(Vec::len) as f64;
        let inner = state
            .progress
            .get()
            .map(|(_, epoch, step, steps)| {
                ((epoch.saturating_sub(1)) as f64 + step as f64 / steps.max(1) as f64)
                    / state.epochs.get().max(1) as f64
            })
            .unwrap_or(0.0);
        (100.0 * (done + if state.running.get() { inner } else { 0.0 }) / max).min(100.0)
    };

    view! {
        <section class="panel wide" id="discover-panel">
            <h2>"Discover"</h2>
            <p class="hint">"Mode 2 trains a network that sorts every move into one of N_W classes, each with one learned rate. Train it for N_W = 1, 2, … on the same trajectory: the best U/T stops rising once N_W matches the number of distinct processes (4 for the active-matter model: rotation D, forward step v₊, other steps v₀, and blocked steps with rate 0)."
                {move || if link.with(|l| l.learner.hard_constraint) { " With the hard constraint on, blocked moves are masked to rate 0 and 3 processes remain to be found." } else { "" }}</p>
            <div class="form"><SettingsFields fields=fields /></div>
            <div class="controls">
                <button class="primary" data-testid="discover-scan" on:click=scan disabled=move || !has_trajectory.get() || state.running.get()>"Scan N_W"</button>
                <button data-testid="discover-stop" on:click=move |_| commands.send(Request::Stop) disabled=move || !state.running.get()>"Stop"</button>
            </div>
            <ProgressBar test_id="discover-progress" percent=Signal::derive(progress_percent) text=Signal::derive(progress_text) />
            <div class="sim-body">
                <canvas node_ref=canvas width="560" height="320" data-testid="discover-chart"
                    data-kind-bounds=move || state.val_kind_bounds.with(|b| b.iter().map(f64::to_string).collect::<Vec<_>>().join(","))></canvas>
                <div>
                    <table class="scan-table" data-testid="discover-table"
                        data-points=move || state.points.with(Vec::len).to_string()
                        data-u=move || state.points.with(|p| p.iter().map(|p| p.u_per_t.to_string()).collect::<Vec<_>>().join(","))
                        data-running=move || state.running.get().to_string()
                        data-discovered=move || discovered().map(|n| n.to_string()).unwrap_or_default()>
                        <tr><th>"N_W"</th><th>"held-out U/T"</th><th>"training U/T"</th><th>"class rates"</th><th></th></tr>
                        {move || state.points.get().into_iter().map(|p| {
                            let n = p.classes;
                            view! {
                                <tr class:chosen=move || shown().is_some_and(|s| s.classes == n)>
                                    <td>{n}</td>
                                    <td>{p.val_u_per_t.map(|u| format!("{u:.3}")).unwrap_or_else(|| "–".into())}</td>
                                    <td>{format!("{:.3}", p.u_per_t)}</td>
                                    <td>{rates_text(&p.class_rates)}</td>
                                    <td><button class="small" on:click=move |_| state.shown.set(Some(n))>"classes"</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </table>
                    <p class="hint">{move || match (discovered(), state.exact_u_per_t.get()) {
                        (Some(n), Some(exact)) => format!("The curve flattens at N_W = {n} (within 2% of the best). Exact U/T of the true dynamics: {exact:.3}."),
                        (Some(n), None) => format!("The curve flattens at N_W = {n} (within 2% of the best)."),
                        _ => "Scan to see where the curve flattens.".into(),
                    }}</p>
                </div>
            </div>
            {move || shown().and_then(|p| p.membership.map(|m| (p.classes, m))).map(|(n, m)| {
                let header = m.class_rates.iter().enumerate()
                    .map(|(k, r)| view! { <th>{format!("class {} (rate {r:.3})", k + 1)}</th> })
                    .collect_view();
                let kind_rates = m.kind_rates();
                let estimates = state.rate_estimates.get();
                let rows = m.kinds.iter().enumerate().map(|(i, kind)| {
                    let truth = m.true_rates.as_ref().and_then(|t| t.get(i)).map(|r| format!("{r}")).unwrap_or_else(|| "?".into());
                    let estimate = estimates.get(i).filter(|e| e.events > 0).map(|e| format!("{:.3} ± {:.0}%", e.rate(), 100.0 * e.relative_error())).unwrap_or_else(|| "–".into());
                    let learned = kind_rates.get(i).copied().flatten().map(|r| format!("{r:.3}")).unwrap_or_else(|| "–".into());
                    let total: u64 = m.counts[i].iter().sum();
                    let cells = m.counts[i].iter().map(|&c| {
                        let share = if total > 0 { 100.0 * c as f64 / total as f64 } else { 0.0 };
                        let major = share >= 50.0;
                        view! { <td class:major=major>{format!("{c} ({share:.0}%)")}</td> }
                    }).collect_view();
                    view! { <tr><td>{kind.clone()}</td><td>{truth}</td><td>{estimate}</td><td class="learned-rate">{learned}</td>{cells}</tr> }
                }).collect_view();
                view! {
                    <h3>{format!("Which moves fall into which class (N_W = {n}, {} configurations of the trajectory)", m.configs)}</h3>
                    <table class="membership" data-testid="discover-membership">
                        <tr><th>"true kind of move"</th><th>"true rate"</th><th title="jumps of this kind / time-integrated number of such moves, ± its Poisson error">"rate in the trajectory"</th><th title="the class rates averaged over the moves of this kind">"learned rate"</th>{header}</tr>
                        {rows}
                    </table>
                }
            })}
        </section>
    }
}
