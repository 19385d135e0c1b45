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
mod progress_bar;
mod recovery;
mod settings_form;
mod side_by_side_view;
mod simulate_panel;
mod sweep_results;
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

    // Each view's state handles its own events; the page routes them and handles what
    // belongs to no view (backups, failures, long-run questions, errors).
    let on_event = move |event: Event| {
        if event.ends_job() {
            long_run.set(None);
        }
        match event {
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
            event @ (Event::SmokeStep { .. } | Event::SmokeDone { .. }) => backend.handle(event),
            event @ (Event::SimulationFrame(_)
            | Event::TrajectoryReady(_)
            | Event::TrajectoryFile { .. }) => simulation.handle(event, commands),
            event @ (Event::TrainingStarted { .. }
            | Event::TrainingProgress { .. }
            | Event::EpochDone(_)
            | Event::TrainingFinished { .. }
            | Event::ModelFile { .. }
            | Event::ModelLoaded { .. }) => learn.handle(event, commands),
            event @ (Event::ScanStarted { .. }
            | Event::ScanProgress { .. }
            | Event::ScanPointDone(_)
            | Event::ScanFinished { .. }) => discover.handle(event),
            event @ (Event::SideBySideStarted { .. }
            | Event::SideBySideFrame(_)
            | Event::SideBySideFinished { .. }
            | Event::SweepStarted { .. }
            | Event::SweepProgress { .. }
            | Event::SweepPointDone(_)
            | Event::SweepFinished { .. }) => extrapolate.handle(event),
            Event::Backup(copy) => recovery.keep(copy, commands),
            Event::LongRun {
                job,
                seconds,
                bytes,
            } => long_run.set(Some(LongRunQuestion {
                job,
                seconds,
                bytes,
            })),
            Event::Error { message } => commands.say(message),
            Event::WorkerFailed {
                message,
                device_lost,
            } => {
                commands.retire();
                long_run.set(None);
                simulation.running.set(false);
                learn.interrupted();
                discover.interrupted();
                extrapolate.interrupted();
                backend.backend.set(None);
                // Replacing the worker drops its callbacks, one of which is running now.
                leptos::task::spawn_local(async move {
                    recovery.replace_worker(commands, message, device_lost, prefer_gpu);
                });
            }
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
