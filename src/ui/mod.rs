//! The page: a leptos (client-side rendered) UI that renders state and sends commands to the
//! worker. It computes nothing heavy itself.

mod about_model;
mod autosave;
mod autosave_bar;
mod backend_panel;
mod chart;
mod chart_export;
mod commands;
mod copy_link;
mod discover;
mod extrapolate;
mod files;
mod lattice_canvas;
mod learn;
mod leave_guard;
mod long_run_bar;
mod offline;
mod page_state;
mod progress_bar;
mod recovery;
mod settings_form;
mod simulate;
mod story;
mod webgpu_probe;
mod worker_client;

use crate::protocol::{BackendPreference, BackendRequest, LinkSettings};
use about_model::AboutModel;
use autosave_bar::AutosaveBar;
use backend_panel::{BackendBadge, BackendPanel, BackendState};
use commands::Commands;
use discover::{DiscoverPanel, DiscoverState};
use extrapolate::{ExtrapolatePanel, ExtrapolateState};
use learn::{LearnPanel, LearnState};
use leptos::prelude::*;
use long_run_bar::{LongRunBar, LongRunQuestion};
use page_state::PageState;
use recovery::Recovery;
use simulate::{SimulatePanel, SimulationState};
use story::{Story, StoryBar};

/// Mounts the app on the page's body. Called once by the app binary.
pub fn mount() {
    console_error_panic_hook::set_once();
    offline::keep_for_offline();
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
    let backend_request = BackendRequest {
        prefer_gpu: link.backend == BackendPreference::Auto,
        cpu_workers: link.workers,
    };
    let link = RwSignal::new(link);
    let commands = Commands::new(messages);
    provide_context(commands);
    provide_context(link);
    let recovery = Recovery::new(webgpu_probe::WebGpuProbe::start());
    let long_run = RwSignal::new(None::<LongRunQuestion>);

    let page = PageState {
        backend,
        simulation,
        learn,
        discover,
        extrapolate,
        recovery,
        long_run,
        commands,
        backend_request,
        story: Story::new(),
        link,
    };
    // The page starts with the simulation worker; the learner worker (most of the download)
    // is loaded for the first request that runs a network.
    commands.start(
        move |event| page.route(event),
        move || {
            page.drop_running_simulation();
            recovery.load_learner(commands, backend_request);
        },
    );
    recovery.look_for_earlier(commands);
    leave_guard::install(move || page.has_unsaved_work());

    // The page's class says whether it is embedded (`?embed=1`): the CSS then hides what a
    // course page's iframe has no room for.
    Effect::new(move |_| {
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            body.set_class_name(if link.with(|l| l.embed) { "embed" } else { "" });
        }
    });
    view! {
        <header class="top">
            <h1>"Jumpformer"</h1>
            <p class="tagline">
                "Learn the rules of a stochastic many-body system from one trajectory, with a \
                transformer, in your browser."
            </p>
            <BackendBadge state=backend />
        </header>
        <StoryBar page=page story=page.story />
        <AutosaveBar recovery=recovery />
        <LongRunBar
            question=long_run
            backend=Signal::derive(move || backend.backend.with(|b| b.as_ref().map(|b| b.kind)))
        />
        <div class="messages" data-testid="messages">
            {move || {
                messages
                    .get()
                    .into_iter()
                    .map(|m| view! { <p class="message">{m}</p> })
                    .collect_view()
            }}
        </div>
        <main>
            <AboutModel />
            <SimulatePanel state=simulation />
            <LearnPanel
                state=learn
                has_trajectory=Signal::derive(move || simulation.trajectory.with(Option::is_some))
                active_lattice=Signal::derive(move || {
                    simulation
                        .trajectory
                        .with(|t| t.as_ref().is_some_and(|t| t.kind == "active-lattice"))
                })
            />
            <DiscoverPanel
                state=discover
                has_trajectory=Signal::derive(move || simulation.trajectory.with(Option::is_some))
            />
            <ExtrapolatePanel
                state=extrapolate
                has_model=Signal::derive(move || learn.model.with(Option::is_some))
            />
            <BackendPanel state=backend />
        </main>
    }
}
