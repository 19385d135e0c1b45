//! The Simulate view: model, parameters and seed (from the link or a preset), run / pause,
//! the lattice live on a canvas with time, events/s and observables, and the trajectory saved to
//! or loaded from a file.

mod preset_bar;
mod simulation_stats;
mod trajectory_card;

use super::commands::Commands;
use super::files;
use super::lattice_canvas;
use super::settings_form::{SettingsFields, commit_fields, form_fields};
use crate::protocol::link::Group;
use crate::protocol::link::LinkSettings;
use crate::protocol::messages::{Event, Request, SimulationFrame, TrajectorySummary};
use leptos::prelude::*;
use preset_bar::{ModelChoice, PresetBar};
use simulation_stats::SimulationStats;
use std::collections::VecDeque;
use trajectory_card::TrajectoryCard;

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

    /// Starts simulating `settings`.
    pub fn start(&self, settings: LinkSettings, commands: Commands) {
        self.running.set(true);
        self.frame.set(None);
        commands.send(Request::Simulate {
            settings: settings.simulation,
        });
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
pub fn SimulatePanel(state: SimulationState) -> impl IntoView {
    let commands = expect_context::<Commands>();
    let link = expect_context::<RwSignal<LinkSettings>>();
    let fields = form_fields(link, Group::Simulation);
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let strip = StoredValue::new_local(VecDeque::<Vec<u8>>::new());

    Effect::new(move |_| {
        // A new run starts with no frame: its strip starts empty.
        let Some(frame) = state.frame.get() else {
            strip.update_value(VecDeque::clear);
            return;
        };
        if let Some(canvas) = canvas.get() {
            strip.update_value(|strip| lattice_canvas::draw(&canvas, &frame.view, strip));
            state.frames.update(|n| *n += 1);
        }
    });
    let run = move |_| state.start(commit_fields(link, fields, commands), commands);
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

    view! {
        <section class="panel wide" id="simulate-panel">
            <h2>"Simulate"</h2>
            <p class="hint">
                "Exact continuous-time Monte Carlo of the model's rules. Each particle (its arrow \
                shows its orientation) turns at rate D, hops forward at rate v₊ and in the other \
                three directions at rate v₀, never onto an occupied site. Watch the particles \
                stream along their arrows; at high density they jam into clusters. The recorded \
                trajectory is all the learner will see."
            </p>
            <PresetBar />
            <div class="form">
                <ModelChoice />
                <SettingsFields fields=fields />
            </div>
            <div class="controls">
                <button class="primary" data-testid="sim-run" on:click=run>
                    "Run"
                </button>
                <button
                    data-testid="sim-pause"
                    on:click=toggle_pause
                    disabled=move || !state.running.get()
                >
                    {move || if paused() { "Resume" } else { "Pause" }}
                </button>
                <button
                    data-testid="sim-save"
                    on:click=move |_| commands.send(Request::SaveTrajectory)
                    disabled=move || state.trajectory.get().is_none() || state.running.get()
                >
                    "Save trajectory"
                </button>
                <label class="file-button">
                    "Load trajectory…"
                    <input
                        type="file"
                        accept=".json,application/json"
                        data-testid="sim-load"
                        on:change=load
                    />
                </label>
            </div>
            <div class="sim-body">
                <canvas
                    node_ref=canvas
                    width="480"
                    height="480"
                    data-testid="lattice-canvas"
                    data-frames=move || state.frames.get().to_string()
                ></canvas>
                <SimulationStats state=state />
            </div>
            <TrajectoryCard state=state />
        </section>
    }
}
