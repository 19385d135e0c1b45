//! The page: a leptos (client-side rendered) UI that renders state and sends commands to the
//! worker. It computes nothing heavy itself.

mod autosave;
mod autosave_bar;
mod backend_panel;
mod chart;
mod commands;
mod discover_panel;
mod extrapolate_panel;
mod files;
mod lattice_canvas;
mod learn_panel;
mod leave_guard;
mod long_run_bar;
mod recovery;
mod settings_form;
mod simulate_panel;
mod worker_client;

use crate::protocol::{BackendPreference, Event, LinkSettings, Request};
use autosave_bar::AutosaveBar;
use backend_panel::{BackendPanel, BackendState};
use commands::Commands;
use discover_panel::{DiscoverPanel, DiscoverState};
use extrapolate_panel::{ExtrapolateJob, ExtrapolatePanel, ExtrapolateState};
use learn_panel::{LearnPanel, LearnState};
use leptos::prelude::*;
use long_run_bar::{LongRunBar, LongRunQuestion};
use recovery::Recovery;
use simulate_panel::{SimulatePanel, SimulationState};

/// Number of Adam steps of the smoke training run at start.
const SMOKE_STEPS: usize = 20;

/// Mounts the app on the page's body. Called once by the app binary.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// The page URL's query string, e.g. "?model=fa&L=10".
fn current_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

#[component]
fn App() -> impl IntoView {
    let backend = BackendState::new();
    let simulation = SimulationState::new();
    let learn = LearnState::new();
    let discover = DiscoverState::new();
    let extrapolate = ExtrapolateState::new();
    let messages = RwSignal::new(Vec::<String>::new());
    let (link, link_problems) = LinkSettings::from_query(&current_query());
    messages.update(|m| m.extend(link_problems));
    let prefer_gpu = link.backend == BackendPreference::Auto;
    let link = RwSignal::new(link);
    let commands = Commands::new(messages);
    let recovery = Recovery::new();
    let long_run = RwSignal::new(None::<LongRunQuestion>);

    let on_event = move |event: Event| match event {
        Event::Started => {}
        Event::Ready { backend: mut info } => {
            if recovery.gpu_lost.get_value() {
                info.reason = format!(
                    "the GPU device was lost, so the page went on on the CPU ({})",
                    info.reason
                );
            }
            backend.backend.set(Some(info));
        }
        Event::SmokeStep { loss, .. } => backend.losses.update(|l| l.push(loss)),
        Event::SmokeDone { losses, seconds } => {
            backend.losses.set(losses);
            backend.seconds.set(Some(seconds));
        }
        Event::SimulationFrame(frame) => simulation.frame.set(Some(frame)),
        Event::TrajectoryReady(summary) => {
            simulation.running.set(false);
            simulation.trajectory.set(Some(summary));
        }
        Event::TrajectoryFile { file_name, json } => {
            if let Err(problem) = files::download(&file_name, &json, "application/json") {
                messages.update(|m| m.push(format!("The file could not be saved: {problem}")));
            }
        }
        Event::TrainingStarted {
            epochs,
            exact_u_per_t,
            blind_u_per_t,
            ..
        } => {
            learn.epochs.set(epochs);
            learn.exact_u_per_t.set(exact_u_per_t);
            learn.blind_u_per_t.set(blind_u_per_t);
            learn.training.set(true);
        }
        Event::TrainingProgress {
            epoch,
            step_in_epoch,
            steps_per_epoch,
            paused,
        } => learn
            .progress
            .set(Some((epoch, step_in_epoch, steps_per_epoch, paused))),
        Event::EpochDone(report) => {
            learn.reports.update(|r| r.push(report));
            learn.unsaved.set(true);
        }
        Event::TrainingFinished {
            epochs_done,
            completed,
        } => {
            long_run.set(None);
            learn.training.set(false);
            let how = if completed {
                "trained"
            } else {
                "stopped after"
            };
            learn.model.set(Some(format!("{how} {epochs_done} epochs")));
        }
        Event::ModelFile { file_name, bytes } => match files::download_bytes(&file_name, &bytes) {
            Ok(()) => learn.unsaved.set(false),
            Err(problem) => {
                messages.update(|m| m.push(format!("The model could not be saved: {problem}")))
            }
        },
        Event::ModelLoaded {
            name,
            u_per_t,
            restored,
            ..
        } => {
            learn.loaded_u_per_t.set(u_per_t);
            let fit = u_per_t
                .map(|u| format!(", U/T = {u:.4} on the current trajectory"))
                .unwrap_or_default();
            if restored {
                learn
                    .model
                    .set(Some(format!("{name}, restored from the page's copy{fit}")));
            } else {
                learn.unsaved.set(false);
                learn.model.set(Some(format!("loaded from {name}{fit}")));
            }
        }
        Event::Backup(copy) => recovery.keep(copy, commands),
        Event::ScanStarted {
            max_classes,
            epochs,
            exact_u_per_t,
            val_exact_u_per_t,
            rate_estimates,
            val_kind_bounds,
        } => {
            discover
                .val_kind_bounds
                .set(val_kind_bounds.unwrap_or_default());
            discover.max_classes.set(max_classes);
            discover.epochs.set(epochs);
            discover.exact_u_per_t.set(exact_u_per_t);
            discover.val_exact_u_per_t.set(val_exact_u_per_t);
            discover
                .rate_estimates
                .set(rate_estimates.unwrap_or_default());
            discover.running.set(true);
        }
        Event::ScanProgress {
            classes,
            epoch,
            step_in_epoch,
            steps_per_epoch,
        } => discover
            .progress
            .set(Some((classes, epoch, step_in_epoch, steps_per_epoch))),
        Event::ScanPointDone(point) => discover.points.update(|p| p.push(point)),
        Event::ScanFinished { .. } => {
            long_run.set(None);
            discover.running.set(false);
            discover.progress.set(None);
        }
        Event::SideBySideStarted { integrator } => {
            extrapolate.integrator.set(integrator);
            extrapolate.running.set(ExtrapolateJob::SideBySide);
        }
        Event::SideBySideFrame(frame) => extrapolate.push_frame(frame),
        Event::SideBySideFinished { summaries, .. } => {
            extrapolate.side_summary.set(summaries);
            extrapolate.running.set(ExtrapolateJob::Idle);
        }
        Event::SweepStarted {
            densities,
            integrator,
        } => {
            extrapolate.sweep_densities.set(densities);
            extrapolate.integrator.set(integrator);
            extrapolate.running.set(ExtrapolateJob::Sweep);
        }
        Event::SweepProgress { phi, fraction } => {
            extrapolate.sweep_progress.set(Some((phi, fraction)))
        }
        Event::SweepPointDone(point) => extrapolate.sweep.update(|p| p.push(point)),
        Event::SweepFinished { .. } => {
            long_run.set(None);
            extrapolate.running.set(ExtrapolateJob::Idle);
            extrapolate.sweep_progress.set(None);
        }
        Event::Error { message } => messages.update(|m| m.push(message)),
        Event::LongRun {
            job,
            seconds,
            bytes,
        } => long_run.set(Some(LongRunQuestion {
            job,
            seconds,
            bytes,
        })),
        Event::WorkerFailed {
            message,
            device_lost,
        } => {
            commands.retire();
            long_run.set(None);
            simulation.running.set(false);
            learn.training.set(false);
            learn.progress.set(None);
            discover.running.set(false);
            discover.progress.set(None);
            extrapolate.running.set(ExtrapolateJob::Idle);
            extrapolate.sweep_progress.set(None);
            backend.backend.set(None);
            // Replacing the worker drops its callbacks, one of which is running now.
            leptos::task::spawn_local(async move {
                recovery.replace_worker(commands, message, device_lost, prefer_gpu);
            });
        }
    };
    commands.start(on_event);
    recovery.look_for_earlier(commands);
    leave_guard::install(move || {
        simulation.running.get_untracked()
            || learn.training.get_untracked()
            || learn.unsaved.get_untracked()
            || discover.running.get_untracked()
            || extrapolate.running.get_untracked() != ExtrapolateJob::Idle
    });
    commands.send(Request::Init { prefer_gpu });
    commands.send(Request::SmokeTrain { steps: SMOKE_STEPS });

    view! {
        <header class="top">
            <h1>"Jumpformer"</h1>
            <p class="tagline">"Learn the rules of a stochastic many-body system from one trajectory, with a transformer, in your browser."</p>
        </header>
        <AutosaveBar recovery=recovery commands=commands />
        <LongRunBar question=long_run commands=commands
            backend=Signal::derive(move || backend.backend.with(|b| b.as_ref().map(|b| b.kind))) />
        <div class="messages" data-testid="messages">
            {move || messages.get().into_iter().map(|m| view! { <p class="message">{m}</p> }).collect_view()}
        </div>
        <main>
            <SimulatePanel commands=commands link=link state=simulation />
            <LearnPanel commands=commands link=link state=learn
                has_trajectory=Signal::derive(move || simulation.trajectory.with(Option::is_some)) />
            <DiscoverPanel commands=commands link=link state=discover
                has_trajectory=Signal::derive(move || simulation.trajectory.with(Option::is_some)) />
            <ExtrapolatePanel commands=commands link=link state=extrapolate
                has_model=Signal::derive(move || learn.model.with(Option::is_some)) />
            <BackendPanel state=backend />
        </main>
    }
}
