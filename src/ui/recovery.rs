//! What the page keeps of the worker's work, and what it does when the worker is replaced: when
//! it fails, a new worker is started (on the CPU if the GPU device was lost) and given back the
//! trajectory and the model from the page's copies (finished scan and sweep points live in the
//! page anyway); when a request first needs the learner, the learner worker takes the place of
//! the simulation worker and is given the trajectory the same way. A learner build that cannot
//! be loaded (offline, the page keeps only the build it used) gives way to the other build.

use super::autosave::{self, SavedSession};
use super::commands::Commands;
use super::webgpu_probe::WebGpuProbe;
use super::worker_client::WorkerBuild;
use crate::protocol::Request;
use crate::protocol::messages::{BackendRequest, Backup};
use leptos::prelude::*;

/// Number of Adam steps of the smoke training run when the learner loads.
const SMOKE_STEPS: usize = 20;

/// After this many failures the page stops starting new workers (something fails every time).
const MAX_RESTARTS: u32 = 3;

/// The page's copies of the worker's state, and the autosave's status.
#[derive(Clone, Copy)]
pub struct Recovery {
    trajectory: StoredValue<Option<Backup>>,
    model: StoredValue<Option<Backup>>,
    restarts: StoredValue<u32>,
    /// Why the GPU could not be used (its device was lost, or the learner found no adapter), if
    /// that happened in this visit: later workers run on the CPU.
    pub gpu_unusable: StoredValue<Option<String>>,
    /// Whether the browser has a WebGPU adapter: where it has none, the CPU-only learner loads.
    webgpu: WebGpuProbe,
    /// The build of the learner that last failed to start (e.g. offline, where only the other
    /// build is kept): the page loads the other one instead.
    unloadable: StoredValue<Option<WorkerBuild>>,
    /// Autosave is on (a preference of this browser).
    pub autosave: RwSignal<bool>,
    /// Which kinds of backup the autosave has written in this visit: (trajectory, model).
    pub autosaved: RwSignal<(bool, bool)>,
    /// What an earlier visit left in this browser, until restored or discarded.
    pub earlier: RwSignal<Option<SavedSession>>,
}

impl Recovery {
    pub fn new(webgpu: WebGpuProbe) -> Self {
        Self {
            webgpu,
            unloadable: StoredValue::new(None),
            trajectory: StoredValue::new(None),
            model: StoredValue::new(None),
            restarts: StoredValue::new(0),
            gpu_unusable: StoredValue::new(None),
            autosave: RwSignal::new(autosave::enabled()),
            autosaved: RwSignal::new((false, false)),
            earlier: RwSignal::new(None),
        }
    }

    /// Keeps the worker's newest copy of its trajectory or model, and autosaves it.
    pub fn keep(&self, backup: Backup, commands: Commands) {
        let is_trajectory = matches!(backup, Backup::Trajectory { .. });
        if self.autosave.get_untracked() {
            let (autosaved, saving) = (self.autosaved, backup.clone());
            leptos::task::spawn_local(async move {
                match autosave::save(&saving).await {
                    Ok(()) => autosaved.update(|(t, m)| {
                        *if is_trajectory { t } else { m } = true;
                    }),
                    Err(problem) => commands.say(format!(
                        "Autosave failed: {problem}. The work is still here; save it as a file to \
                        keep it."
                    )),
                }
            });
        }
        if is_trajectory {
            self.trajectory.set_value(Some(backup));
        } else {
            self.model.set_value(Some(backup));
        }
    }

    /// Turns autosave on (saving what the page holds now) or off (deleting what is stored).
    pub fn set_autosave(&self, on: bool, commands: Commands) {
        self.autosave.set(on);
        if let Err(problem) = autosave::set_enabled(on) {
            commands.say(format!("The autosave choice is not remembered: {problem}."));
        }
        let autosaved = self.autosaved;
        if on {
            for backup in [self.trajectory.get_value(), self.model.get_value()]
                .into_iter()
                .flatten()
            {
                self.keep(backup, commands);
            }
        } else {
            leptos::task::spawn_local(async move {
                match autosave::clear().await {
                    Ok(()) => autosaved.set((false, false)),
                    Err(problem) => {
                        commands.say(format!("The autosave could not be deleted: {problem}."))
                    }
                }
            });
        }
    }

    /// Looks for what an earlier visit saved in this browser.
    pub fn look_for_earlier(&self, commands: Commands) {
        let earlier = self.earlier;
        leptos::task::spawn_local(async move {
            match autosave::load().await {
                Ok(session) if !session.is_empty() => earlier.set(Some(session)),
                Ok(_) => {}
                Err(problem) => commands.say(format!(
                    "The autosave of an earlier visit could not be read: {problem}."
                )),
            }
        });
    }

    /// Loads what an earlier visit saved into the worker.
    pub fn restore_earlier(&self, commands: Commands) {
        if let Some(session) = self.earlier.get_untracked() {
            // A model needs the learner worker: load it before the trajectory is sent, so that
            // both go to the same worker.
            if session.model.is_some() {
                commands.ensure_learner();
            }
            restore(
                commands,
                session.trajectory.map(|s| s.backup),
                session.model.map(|s| s.backup),
            );
        }
        self.earlier.set(None);
    }

    /// Forgets what an earlier visit saved (and deletes it from the browser).
    pub fn discard_earlier(&self, commands: Commands) {
        self.earlier.set(None);
        let autosaved = self.autosaved;
        leptos::task::spawn_local(async move {
            match autosave::clear().await {
                Ok(()) => autosaved.set((false, false)),
                Err(problem) => {
                    commands.say(format!("The autosave could not be deleted: {problem}."))
                }
            }
        });
    }

    /// Replaces the simulation worker by the learner worker: the learner chooses its backend
    /// (`backend.prefer_gpu`, unless the GPU device was lost before), runs the smoke training and is
    /// given the page's copies of the trajectory and model.
    pub fn load_learner(&self, commands: Commands, backend: BackendRequest) {
        commands.switch_to_learner(self.learner_build(backend));
        self.choose_backend(commands, backend);
        commands.send(Request::SmokeTrain { steps: SMOKE_STEPS });
        restore(
            commands,
            self.trajectory.get_value(),
            self.model.get_value(),
        );
    }

    /// Whether the GPU could not be used in this visit (see [`Recovery::gpu_unusable`]).
    fn gpu_failed(&self) -> bool {
        self.gpu_unusable.with_value(Option::is_some)
    }

    /// The learner worker to load: the build with the GPU backend, unless the learner will run
    /// on the CPU anyway (the CPU was asked for, the GPU could not be used, or the browser has no
    /// WebGPU adapter): the CPU-only build, which the GPU build could not run anyway.
    /// A build that failed to start gives way to the other (the GPU build then trains on the GPU
    /// even where the CPU was asked for: it has no CPU backend).
    fn learner_build(&self, backend: BackendRequest) -> WorkerBuild {
        let wanted = if backend.prefer_gpu && !self.gpu_failed() && !self.webgpu.no_adapter() {
            WorkerBuild::Learner
        } else {
            WorkerBuild::CpuLearner
        };
        match wanted.other_learner() {
            Some(other) if self.unloadable.get_value() == Some(wanted) => other,
            _ => wanted,
        }
    }

    /// Asks a new learner worker to choose its backend: the GPU if `backend.prefer_gpu` and the
    /// GPU did not fail in this visit.
    fn choose_backend(&self, commands: Commands, backend: BackendRequest) {
        commands.send(Request::Init {
            backend: BackendRequest {
                prefer_gpu: backend.prefer_gpu && !self.gpu_failed(),
                ..backend
            },
        });
    }

    /// Replaces a failed worker: starts a new one and gives it back the trajectory and model.
    /// Call outside the failed worker's callbacks (e.g. from a spawned task).
    pub fn replace_worker(
        &self,
        commands: Commands,
        failure: String,
        device_lost: bool,
        backend: BackendRequest,
    ) {
        let restarts = self.restarts.get_value() + 1;
        self.restarts.set_value(restarts);
        if device_lost {
            self.gpu_unusable.set_value(Some(failure.clone()));
            // Offline, with only the GPU build kept, a learner that cannot use the GPU has no
            // other build to give way to: the simulation worker takes its place again.
            if self.unloadable.get_value() == Some(WorkerBuild::CpuLearner) {
                commands.switch_to_simulation();
                restore(commands, self.trajectory.get_value(), None);
                commands.say(format!(
                    "The learner stopped: {failure}; the learner built for the CPU could not be \
                     loaded either (offline, the page keeps only the build it used), so nothing \
                     can be trained here now. The trajectory and the model stay on the page: \
                     train again once the page is online."
                ));
                return;
            }
        }
        if restarts > MAX_RESTARTS {
            commands.say(format!(
                "The worker stopped again: {failure}. It failed {restarts} times, so the page no \
                 longer restarts it: save your trajectory and model if they are shown, and reload \
                 the page."
            ));
            return;
        }
        // A learner worker that never started could not load its script or module: the other
        // build takes its place, and runs the smoke training the failed one never ran.
        let failed = commands.build();
        let learner = failed != WorkerBuild::Simulation;
        let never_started = learner && !commands.worker_started();
        if never_started {
            self.unloadable.set_value(Some(failed));
        }
        if learner {
            commands.switch_to_learner(self.learner_build(backend));
            self.choose_backend(commands, backend);
            if never_started {
                commands.send(Request::SmokeTrain { steps: SMOKE_STEPS });
            }
        } else {
            commands.restart();
        }
        let (trajectory, model) = (self.trajectory.get_value(), self.model.get_value());
        let kept = match (&trajectory, &model) {
            (Some(_), Some(_)) => "the trajectory and the model were given back to it",
            (Some(_), None) => "the trajectory was given back to it",
            (None, Some(_)) => "the model was given back to it",
            (None, None) => "there was no trajectory or model to give back",
        };
        let backend = if device_lost { " on the CPU" } else { "" };
        restore(commands, trajectory, model);
        if never_started {
            commands.say(format!(
                "{} could not be started ({failure}), so the page loaded {} instead; {kept}.",
                capitalised(failed.describe()),
                commands.build().describe(),
            ));
            return;
        }
        commands.say(format!(
            "The worker stopped: {failure}. A new worker was started{backend}; {kept}, and \
             finished epochs, scan points and sweep points stay on the page. Start the \
             interrupted job again to go on."
        ));
    }
}

/// `text` with its first letter in upper case.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Sends the backups to the worker: the trajectory first, so that the model is evaluated on it.
fn restore(commands: Commands, trajectory: Option<Backup>, model: Option<Backup>) {
    if let Some(Backup::Trajectory { summary, json }) = trajectory {
        commands.send(Request::LoadTrajectory {
            name: summary.file_name.clone(),
            text: json,
            summary: Some(summary),
        });
    }
    if let Some(Backup::Model { name, bytes }) = model {
        commands.send(Request::LoadModel {
            name,
            bytes,
            restored: true,
        });
    }
}
