//! Everything the page knows, one state per view, and where each of the worker's events goes.

use super::backend_panel::BackendState;
use super::commands::Commands;
use super::discover::DiscoverState;
use super::extrapolate::{ExtrapolateJob, ExtrapolateState};
use super::learn::LearnState;
use super::long_run_bar::LongRunQuestion;
use super::recovery::Recovery;
use super::simulate::SimulationState;
use super::story::Story;
use crate::protocol::{BackendRequest, Event, LinkSettings};
use leptos::prelude::*;

/// The state of every view and of the page around them. Each view's state handles its own
/// events; this routes them and handles what belongs to no view (backups, failures, long-run
/// questions, errors).
#[derive(Clone, Copy)]
pub struct PageState {
    pub backend: BackendState,
    pub simulation: SimulationState,
    pub learn: LearnState,
    pub discover: DiscoverState,
    pub extrapolate: ExtrapolateState,
    pub recovery: Recovery,
    pub long_run: RwSignal<Option<LongRunQuestion>>,
    pub commands: Commands,
    /// The link asked for the GPU when there is one (a restarted worker asks again).
    pub backend_request: BackendRequest,
    pub story: Story,
    pub link: RwSignal<LinkSettings>,
}

impl PageState {
    /// Hands `event` to the state it belongs to, then to the story, which may start its next
    /// step's job from it: that job finds the views up to date (e.g. the simulation ended).
    pub fn route(self, event: Event) {
        let for_story = self
            .story
            .playing
            .get_untracked()
            .is_some()
            .then(|| event.clone());
        self.handle(event);
        if let Some(event) = for_story {
            self.story.follow(&event, self);
        }
    }

    fn handle(self, event: Event) {
        let PageState {
            backend,
            simulation,
            learn,
            discover,
            extrapolate,
            recovery,
            long_run,
            commands,
            backend_request,
            ..
        } = self;
        if event.ends_job() {
            long_run.set(None);
        }
        if event.starts_job() {
            self.drop_running_simulation();
        }
        match event {
            Event::Started => {}
            Event::Ready { backend: mut info } => {
                if let Some(why) = recovery.gpu_unusable.get_value() {
                    info.reason =
                        format!("{why}, so the page went on on the CPU ({})", info.reason);
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
            | Event::ModelLoaded { .. }
            | Event::Inspection { .. }) => learn.handle(event, commands),
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
                    recovery.replace_worker(commands, message, device_lost, backend_request);
                });
            }
        }
    }

    /// A job other than a simulation starts (or the simulation worker is replaced): a simulation
    /// still running gave way to it and was dropped, which the user is told.
    pub fn drop_running_simulation(self) {
        if self.simulation.running.get_untracked() {
            self.simulation.running.set(false);
            self.commands.say(
                "The simulation that was running gave way to this job and was dropped; the \
                 trajectory recorded before it is kept."
                    .into(),
            );
        }
    }

    /// A job is running, or a trained model is not saved: leaving the page would lose work.
    pub fn has_unsaved_work(self) -> bool {
        self.simulation.running.get_untracked()
            || self.learn.training.get_untracked()
            || self.learn.unsaved.get_untracked()
            || self.discover.running.get_untracked()
            || self.extrapolate.running.get_untracked() != ExtrapolateJob::Idle
    }
}
