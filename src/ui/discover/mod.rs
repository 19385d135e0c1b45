//! The Discover view: Mode 2 trained for N_W = 1..6 on the current trajectory, the best U/T of
//! each against N_W with the exact U/T dashed (the plateau says how many processes there are),
//! the learned class rates beside the true rates, and which moves fall into which class.

mod class_membership;
mod scan_results;

use super::commands::Commands;
use super::progress_bar::ProgressBar;
use super::settings_form::{SettingsFields, commit_fields, form_fields};
use crate::core::discovery::KindEstimate;
use crate::protocol::link::{Group, LinkSettings};
use crate::protocol::messages::{Event, Request, ScanPoint, ScanStart};
use class_membership::ClassMembershipTable;
use leptos::prelude::*;
use scan_results::{ScanChart, ScanTable, plateau};

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
    /// Where the last scan's runs started (a warm start or scratch); `None` before a scan.
    pub start: RwSignal<Option<ScanStart>>,
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
            start: RwSignal::new(None),
        }
    }

    /// Starts the scan of `settings`.
    pub fn start_scan(&self, settings: LinkSettings, commands: Commands) {
        self.points.set(Vec::new());
        self.progress.set(None);
        self.shown.set(None);
        self.running.set(true);
        commands.send(Request::Scan {
            config: settings.learner,
            max_classes: settings.explore.scan_max,
            epochs: settings.explore.scan_epochs,
            warm_start: settings.explore.scan_warm_start,
        });
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
                start,
            } => {
                self.start.set(Some(start));
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

#[component]
pub fn DiscoverPanel(state: DiscoverState, has_trajectory: Signal<bool>) -> impl IntoView {
    let commands = expect_context::<Commands>();
    let link = expect_context::<RwSignal<LinkSettings>>();
    let fields = form_fields(link, Group::Discover);
    let scan = move |_| state.start_scan(commit_fields(link, fields, commands), commands);
    let discovered = Memo::new(move |_| state.points.with(|p| plateau(p)));
    let shown = Memo::new(move |_| {
        let n = state
            .shown
            .get()
            .or_else(|| discovered.with(|d| d.as_ref().map(|d| d.classes)))?;
        state
            .points
            .with(|p| p.iter().find(|p| p.classes == n).cloned())
    });
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
            <p class="hint">
                "Mode 2 trains a network that sorts every move into one of N_W classes, each with \
                one learned rate. Train it for N_W = 1, 2, … on the same trajectory: the best U/T \
                stops rising once N_W matches the number of distinct processes (4 for the \
                active-matter model: rotation D, forward step v₊, other steps v₀, and blocked \
                steps with rate 0)."
                {move || {
                    if link.with(|l| l.learner.hard_constraint) {
                        " With the hard constraint on, blocked moves are masked to rate 0 and 3 \
                        processes remain to be found."
                    } else {
                        ""
                    }
                }}
            </p>
            <div class="form">
                <SettingsFields fields=fields />
            </div>
            <div class="controls">
                <button
                    class="primary"
                    data-testid="discover-scan"
                    on:click=scan
                    disabled=move || !has_trajectory.get() || state.running.get()
                >
                    "Scan N_W"
                </button>
                <button
                    data-testid="discover-stop"
                    on:click=move |_| commands.send(Request::Stop)
                    disabled=move || !state.running.get()
                >
                    "Stop"
                </button>
            </div>
            <p class="hint" data-testid="discover-start">
                {move || state.start.get().map(|s| s.describe()).unwrap_or_default()}
            </p>
            <ProgressBar
                test_id="discover-progress"
                percent=Signal::derive(progress_percent)
                text=Signal::derive(progress_text)
            />
            <div class="sim-body">
                <ScanChart state=state discovered=discovered />
                <ScanTable state=state discovered=discovered shown=shown />
            </div>
            <ClassMembershipTable point=shown estimates=state.rate_estimates />
        </section>
    }
}
