//! The Simulate view: model, parameters and seed (from the link or a preset), run / pause,
//! the lattice live on a canvas with time, events/s and observables, and the trajectory saved to
//! or loaded from a file.

use super::commands::Commands;
use super::files;
use super::lattice_canvas;
use super::settings_form::{SettingsFields, commit_fields, fields_of, write_link};
use crate::core::learner::LearnerConfig;
use crate::core::observables::Observable;
use crate::core::presets::Preset;
use crate::protocol::link::Group;
use crate::protocol::link::{ExploreSettings, LinkSettings, SimulationSettings, classroom_explore};
use crate::protocol::messages::{Event, Request, SimulationFrame, TrajectorySummary};
use leptos::prelude::*;
use std::collections::VecDeque;

/// What the page knows of the simulation and the current trajectory.
#[derive(Clone, Copy)]
pub struct SimulationState {
    pub frame: RwSignal<Option<SimulationFrame>>,
    /// Frames drawn so far (tests watch it grow).
    pub frames: RwSignal<u64>,
    pub running: RwSignal<bool>,
    pub trajectory: RwSignal<Option<TrajectorySummary>>,
}

impl SimulationState {
    pub fn new() -> Self {
        Self {
            frame: RwSignal::new(None),
            frames: RwSignal::new(0),
            running: RwSignal::new(false),
            trajectory: RwSignal::new(None),
        }
    }

    /// The simulation's events, and the trajectory file to download.
    pub fn handle(&self, event: Event, commands: Commands) {
        match event {
            Event::SimulationFrame(frame) => self.frame.set(Some(frame)),
            Event::TrajectoryReady(summary) => {
                self.running.set(false);
                self.trajectory.set(Some(summary));
            }
            Event::TrajectoryFile { file_name, json } => {
                if let Err(problem) = files::download(&file_name, &json, "application/json") {
                    commands.say(format!("The file could not be saved: {problem}"));
                }
            }
            _ => {}
        }
    }
}

#[component]
pub fn SimulatePanel(
    commands: Commands,
    link: RwSignal<LinkSettings>,
    state: SimulationState,
) -> impl IntoView {
    let fields = RwSignal::new(Vec::new());
    Effect::new(move |_| fields.set(fields_of(&link.get(), Group::Simulation)));
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let strip = StoredValue::new_local(VecDeque::<Vec<u8>>::new());

    Effect::new(move |_| {
        let Some(frame) = state.frame.get() else {
            return;
        };
        if let Some(canvas) = canvas.get() {
            strip.update_value(|strip| lattice_canvas::draw(&canvas, &frame.view, strip));
            state.frames.update(|n| *n += 1);
        }
    });

    let preset = move |simulation: SimulationSettings,
                       rest: Option<(LearnerConfig, ExploreSettings)>| {
        let current = link.get_untracked();
        let (learner, explore) = rest.unwrap_or((current.learner, current.explore));
        let settings = LinkSettings {
            simulation,
            learner,
            explore,
            backend: current.backend,
        };
        write_link(&settings);
        link.set(settings);
    };
    let run = move |_| {
        let settings = commit_fields(link, fields, commands);
        strip.update_value(VecDeque::clear);
        state.running.set(true);
        commands.send(Request::Simulate {
            settings: settings.simulation,
        });
    };
    let set_model = move |model: String| {
        let simulation = if model == "fa" {
            Preset::FaTutorial.simulation()
        } else {
            Preset::Paper.simulation()
        };
        preset(simulation, None);
    };
    let paused = move || state.frame.get().is_some_and(|f| f.paused);
    let toggle_pause = move |_| commands.toggle_pause(paused());
    let load = move |ev: leptos::ev::Event| {
        files::send_chosen_file(&ev, commands, true, |name, contents| {
            Request::LoadTrajectory {
                name,
                text: contents.into_text(),
                summary: None,
            }
        })
    };

    let model_kind = move || match link.get().simulation.model {
        crate::core::model::ModelSpec::Fa(_) => "fa",
        _ => "active-lattice",
    };
    let number = |value: Option<f64>, digits: usize| {
        value
            .map(|v| format!("{v:.digits$}"))
            .unwrap_or_else(|| "–".into())
    };
    let frame_value = move |f: fn(&SimulationFrame) -> Option<f64>, digits: usize| {
        move || number(state.frame.get().as_ref().and_then(f), digits)
    };

    view! {
        <section class="panel wide" id="simulate-panel">
            <h2>"Simulate"</h2>
            <div class="presets">
                <span>"Presets: "</span>
                <button data-testid="preset-paper" on:click=move |_| preset(Preset::Paper.simulation(), Some((LearnerConfig::default(), ExploreSettings::default())))>"Paper (L=30, φ=0.124, T=500)"</button>
                <button data-testid="preset-classroom" on:click=move |_| preset(Preset::Classroom.simulation(), Some((Preset::Classroom.learner(), classroom_explore())))>"Classroom (L=12, T=100)"</button>
                <button data-testid="preset-fa" on:click=move |_| preset(Preset::FaTutorial.simulation(), Some((LearnerConfig::default(), ExploreSettings::default())))>"FA tutorial"</button>
            </div>
            <div class="form">
                <label>"model"
                    <select data-testid="field-model" prop:value=model_kind on:change=move |ev| set_model(event_target_value(&ev))>
                        <option value="active-lattice">"active lattice"</option>
                        <option value="fa">"Fredrickson–Andersen"</option>
                    </select>
                </label>
                <SettingsFields fields=fields />
            </div>
            <div class="controls">
                <button class="primary" data-testid="sim-run" on:click=run>"Run"</button>
                <button data-testid="sim-pause" on:click=toggle_pause disabled=move || !state.running.get()>
                    {move || if paused() { "Resume" } else { "Pause" }}
                </button>
                <button data-testid="sim-save" on:click=move |_| commands.send(Request::SaveTrajectory)
                    disabled=move || state.trajectory.get().is_none() || state.running.get()>"Save trajectory"</button>
                <label class="file-button">"Load trajectory…"
                    <input type="file" accept=".json,application/json" data-testid="sim-load" on:change=load />
                </label>
            </div>
            <div class="sim-body">
                <canvas node_ref=canvas width="480" height="480" data-testid="lattice-canvas"
                    data-frames=move || state.frames.get().to_string()></canvas>
                <dl class="stats">
                    <dt>"time"</dt><dd data-testid="sim-time">{frame_value(|f| Some(f.time), 2)} " / " {frame_value(|f| Some(f.total_time), 0)}</dd>
                    <dt>"events"</dt><dd data-testid="sim-events">{move || state.frame.get().map(|f| f.events.to_string()).unwrap_or_else(|| "–".into())}</dd>
                    <dt>"events/s"</dt><dd data-testid="sim-rate">{frame_value(|f| Some(f.events_per_s), 0)}</dd>
                    {Observable::ALL
                        .into_iter()
                        .filter(|o| o.of_one_configuration())
                        .map(|o| view! {
                            <dt>{o.label()}</dt>
                            <dd data-testid=format!("obs-{}", o.key())>
                                {move || number(
                                    state.frame.get().and_then(|f| f.observables).and_then(|s| o.of_snapshot(&s)),
                                    o.digits(),
                                )}
                            </dd>
                        })
                        .collect_view()}
                </dl>
            </div>
            <TrajectoryCard state=state />
        </section>
    }
}

#[component]
fn TrajectoryCard(state: SimulationState) -> impl IntoView {
    move || {
        state.trajectory.get().map(|t| {
            let u = t.u_per_t.map(|u| format!("{u:.4}")).unwrap_or_else(|| "unknown (no rates in the file)".into());
            let speed = t.seconds.map(|s| format!(" · simulated in {s:.2} s ({:.2e} events/s)", t.jumps as f64 / s.max(1e-9))).unwrap_or_default();
            let obs = t.observables.map(|o| {
                let values: Vec<String> = Observable::ALL
                    .iter()
                    .map(|k| format!("{} {:.*}", k.label(), k.digits(), k.of_summary(&o)))
                    .collect();
                format!("Time averages over {} snapshots: {}", o.snapshots, values.join(", "))
            });
            view! {
                <div class="trajectory" data-testid="trajectory" data-jumps=t.jumps.to_string() data-u-per-t=t.u_per_t.map(|u| u.to_string()).unwrap_or_default()>
                    <strong>"Trajectory: "</strong>
                    {format!("{} ({}), {} jumps over T = {}, exact U/T = {u}, {:.1} bytes/jump{speed}", t.source, t.kind, t.jumps, t.total_time, t.bytes_per_jump)}
                    {obs.map(|o| view! { <p>{o}</p> })}
                </div>
            }
        })
    }
}
