//! The Learn view: train the transformer on the current trajectory in the worker, with a
//! progress bar per epoch, U/T against epochs next to the exact U/T (dashed), pause/resume, and
//! the model saved to or loaded from a file.

mod network_view;
mod training_chart;
mod training_stats;

use super::commands::Commands;
use super::files;
use super::progress_bar::ProgressBar;
use super::settings_form::{SettingsFields, commit_fields, form_fields};
use crate::core::inspection::ParticleInspection;
use crate::core::learner::EpochReport;
use crate::core::simulation::ConfigView;
use crate::protocol::link::Group;
use crate::protocol::link::LinkSettings;
use crate::protocol::messages::{Event, Request};
use leptos::prelude::*;
use network_view::NetworkView;
use training_chart::TrainingChart;
use training_stats::TrainingStats;

/// What the page knows of training and of the current model.
#[derive(Clone, Copy)]
pub struct LearnState {
    pub reports: RwSignal<Vec<EpochReport>>,
    pub exact_u_per_t: RwSignal<Option<f64>>,
    /// The occupancy-blind optimum (of the held-out trajectory if there is one).
    pub blind_u_per_t: RwSignal<Option<f64>>,
    /// (epoch, step in epoch, steps per epoch, paused) of the running training.
    pub progress: RwSignal<Option<(usize, usize, usize, bool)>>,
    pub epochs: RwSignal<usize>,
    pub training: RwSignal<bool>,
    /// A sentence about the current model (trained or loaded).
    pub model: RwSignal<Option<String>>,
    /// U/T of a loaded model on the current trajectory.
    pub loaded_u_per_t: RwSignal<Option<f64>>,
    /// A trained model not yet saved to a file (the page asks before the tab closes).
    pub unsaved: RwSignal<bool>,
    /// What the model makes of one particle, and the configuration it sits in.
    pub inspection: RwSignal<Option<(ConfigView, ParticleInspection)>>,
}

impl LearnState {
    pub fn new() -> Self {
        Self {
            reports: RwSignal::new(Vec::new()),
            exact_u_per_t: RwSignal::new(None),
            blind_u_per_t: RwSignal::new(None),
            progress: RwSignal::new(None),
            epochs: RwSignal::new(0),
            training: RwSignal::new(false),
            model: RwSignal::new(None),
            loaded_u_per_t: RwSignal::new(None),
            unsaved: RwSignal::new(false),
            inspection: RwSignal::new(None),
        }
    }

    /// Starts training the learner of `settings` on the current trajectory.
    pub fn start_training(&self, settings: LinkSettings, commands: Commands) {
        self.reports.set(Vec::new());
        self.progress.set(None);
        self.training.set(true);
        commands.send(Request::Train {
            config: settings.learner,
        });
    }

    /// The training's events, the model file to download and a loaded model.
    pub fn handle(&self, event: Event, commands: Commands) {
        match event {
            Event::TrainingStarted {
                epochs,
                exact_u_per_t,
                blind_u_per_t,
                ..
            } => {
                self.epochs.set(epochs);
                self.exact_u_per_t.set(exact_u_per_t);
                self.blind_u_per_t.set(blind_u_per_t);
                self.training.set(true);
            }
            Event::TrainingProgress {
                epoch,
                step_in_epoch,
                steps_per_epoch,
                paused,
            } => self
                .progress
                .set(Some((epoch, step_in_epoch, steps_per_epoch, paused))),
            Event::EpochDone(report) => {
                self.reports.update(|r| r.push(report));
                self.unsaved.set(true);
            }
            Event::TrainingFinished {
                epochs_done,
                completed,
            } => {
                self.training.set(false);
                let how = if completed {
                    "trained"
                } else {
                    "stopped after"
                };
                self.model.set(Some(format!("{how} {epochs_done} epochs")));
            }
            Event::Inspection { view, inspection } => self.inspection.set(Some((view, inspection))),
            Event::ModelFile { file_name, bytes } => {
                match files::download_bytes(&file_name, &bytes) {
                    Ok(()) => self.unsaved.set(false),
                    Err(problem) => {
                        commands.say(format!("The model could not be saved: {problem}"))
                    }
                }
            }
            Event::ModelLoaded {
                name,
                u_per_t,
                restored,
                ..
            } => {
                self.loaded_u_per_t.set(u_per_t);
                let fit = u_per_t
                    .map(|u| format!(", U/T = {u:.4} on the current trajectory"))
                    .unwrap_or_default();
                if restored {
                    self.model
                        .set(Some(format!("{name}, restored from the page's copy{fit}")));
                } else {
                    self.unsaved.set(false);
                    self.model.set(Some(format!("loaded from {name}{fit}")));
                }
            }
            _ => {}
        }
    }

    /// The worker failed: no training runs any more.
    pub fn interrupted(&self) {
        self.training.set(false);
        self.progress.set(None);
    }
}

#[component]
pub fn LearnPanel(
    state: LearnState,
    has_trajectory: Signal<bool>,
    active_lattice: Signal<bool>,
) -> impl IntoView {
    let commands = expect_context::<Commands>();
    let link = expect_context::<RwSignal<LinkSettings>>();
    let fields = form_fields(link, Group::Learner);

    let train = move |_| state.start_training(commit_fields(link, fields, commands), commands);
    let paused = move || state.progress.get().is_some_and(|p| p.3);
    let toggle_pause = move |_| commands.toggle_pause(paused());
    let load = move |ev: leptos::ev::Event| {
        files::send_chosen_file(&ev, commands, false, |name, contents| Request::LoadModel {
            name,
            bytes: contents.into_bytes(),
            restored: false,
        })
    };
    let progress_percent = move || {
        state
            .progress
            .get()
            .map(|(_, step, steps, _)| 100.0 * step as f64 / steps.max(1) as f64)
            .unwrap_or(0.0)
    };
    let progress_text = move || match state.progress.get() {
        Some((epoch, step, steps, paused)) => format!(
            "epoch {epoch} of {} · step {step} / {steps}{}",
            state.epochs.get(),
            if paused { " · paused" } else { "" }
        ),
        None => "not training".to_string(),
    };

    view! {
        <section class="panel wide" id="learn-panel">
            <h2>"Learn"</h2>
            <p class="hint">
                "A transformer learns the transition rates from the current trajectory by \
                maximising its path log-likelihood U (Eq. 1 of the paper). U/T climbs toward the \
                U/T of the true dynamics (dashed)."
            </p>
            <p class="hint">
                "What counts is U/T on a held-out trajectory: the same rules, another seed, \
                simulated for you. On its own training trajectory a network can score above the \
                exact U/T by memorising the observed jumps; on held-out data it cannot, and the \
                model kept is the one of the best held-out epoch."
            </p>
            <p class="hint" data-testid="learn-priors">
                {move || link.with(|l| l.learner.describe_priors())}
            </p>
            <div class="form">
                <SettingsFields fields=fields />
            </div>
            <div class="controls">
                <button
                    class="primary"
                    data-testid="learn-train"
                    on:click=train
                    disabled=move || !has_trajectory.get()
                >
                    "Train"
                </button>
                <button
                    data-testid="learn-pause"
                    on:click=toggle_pause
                    disabled=move || !state.training.get()
                >
                    {move || if paused() { "Resume" } else { "Pause" }}
                </button>
                <button
                    data-testid="learn-save"
                    on:click=move |_| commands.send(Request::SaveModel)
                    disabled=move || state.model.get().is_none() || state.training.get()
                >
                    "Save model"
                </button>
                <label class="file-button">
                    "Load model…"
                    <input type="file" accept=".jfmodel" data-testid="learn-load" on:change=load />
                </label>
            </div>
            <ProgressBar
                test_id="learn-progress"
                percent=Signal::derive(progress_percent)
                text=Signal::derive(progress_text)
            />
            <div class="sim-body">
                <TrainingChart state=state />
                <TrainingStats state=state />
            </div>
            <NetworkView state=state active_lattice=active_lattice />
        </section>
    }
}
