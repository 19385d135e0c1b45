//! The Web Worker: receives [`Request`]s from the page, runs the heavy work off the page's
//! thread, and posts [`Event`]s back.
//!
//! Requests are queued and served one at a time by a single async task. Pause and resume act at
//! once on the running job; any other request makes a running simulation give way to it.

mod backup;
mod control;
mod device_watch;
mod discover;
mod extrapolate;
mod long_run;
mod simulate;
mod stepping;
mod train;
mod web_adapter;

use crate::core::compute::{BackendKind, select_device, smoke_train};
use crate::core::inspection::{inspect_particle, last_configuration};
use crate::core::learner::LearnedDynamics;
use crate::core::simulation::{ConfigView, bytes_per_jump, final_view};
use crate::core::trajectory::AnyTrajectory;
use crate::protocol::messages::{Backup, Event, Request, TrajectorySummary};
use burn::tensor::Device;
use control::Control;
use futures::StreamExt;
use futures::channel::mpsc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Installs the message handler and starts serving requests. Called once by the worker binary.
pub fn start() {
    // A panic leaves the wasm module unusable: log it, and tell the page, which starts a new
    // worker and restores the trajectory and model from its backups.
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        post(&Event::WorkerFailed {
            message: format!("the worker panicked: {info}"),
            device_lost: false,
        });
    }));
    device_watch::install();
    let control = Control::default();
    let (sender, requests) = mpsc::unbounded::<Request>();
    let steer = control.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
        match crate::protocol::messages::decode::<Request>(&message.data()) {
            Ok(Request::Pause) => steer.set_paused(true),
            Ok(Request::Resume) => steer.set_paused(false),
            Ok(Request::Stop) => steer.request_stop(),
            Ok(request) => {
                // Looking into the network waits for the running job instead of ending it.
                if !matches!(request, Request::Inspect { .. }) {
                    steer.queued();
                }
                if sender.unbounded_send(request).is_err() {
                    post_error("the worker has stopped serving requests");
                }
            }
            Err(err) => post_error(format!("the worker could not read a request: {err}")),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    wasm_bindgen_futures::spawn_local(serve(requests, control));
    // Messages that reached the worker before its wasm module had loaded were dispatched to no
    // handler; the page holds its requests back until it hears this.
    post(&Event::Started);
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Sends one event to the page.
fn post(event: &Event) {
    match serde_json::to_string(event) {
        Ok(text) => {
            if let Err(err) = scope().post_message(&text.into()) {
                web_sys::console::error_2(&"jumpformer worker: postMessage failed".into(), &err);
            }
        }
        Err(err) => web_sys::console::error_1(&format!("jumpformer worker: {err}").into()),
    }
}

/// What the worker holds between requests.
#[derive(Default)]
struct WorkerState {
    device: Option<Device>,
    /// The current trajectory (simulated or loaded) and what the page was told of it.
    trajectory: Option<(AnyTrajectory, TrajectorySummary)>,
    /// The current learned model (trained here or loaded).
    learned: Option<LearnedDynamics>,
}

async fn serve(mut requests: mpsc::UnboundedReceiver<Request>, control: Control) {
    let mut state = WorkerState::default();
    while let Some(request) = requests.next().await {
        control.taken();
        state.handle(request, &control).await;
    }
}

const NO_BACKEND: &str = "no backend yet: the worker was not initialised";

fn post_error(message: impl Into<String>) {
    post(&Event::Error {
        message: message.into(),
    });
}

impl WorkerState {
    /// Carries out one request; a job runs here until it ends, is stopped or gives way.
    async fn handle(&mut self, request: Request, control: &Control) {
        match request {
            Request::Init { prefer_gpu } => self.init(prefer_gpu).await,
            Request::SmokeTrain { steps } => match &self.device {
                Some(device) => smoke(device, steps).await,
                None => post_error(NO_BACKEND),
            },
            Request::Simulate { settings } => {
                if let Some((trajectory, summary)) = simulate::simulate(&settings, control).await {
                    self.keep_trajectory(trajectory, summary);
                }
            }
            Request::SaveTrajectory => self.save_trajectory(),
            Request::LoadTrajectory {
                name,
                text,
                summary,
            } => self.load_trajectory(name, &text, summary),
            Request::Train { config } => {
                if let Some((device, trajectory, summary)) = self.job_inputs("to learn from") {
                    let exact = summary.u_per_t;
                    let learned = train::train(&config, trajectory, exact, device, control).await;
                    if let Some(learned) = learned {
                        self.learned = Some(learned);
                    }
                }
            }
            Request::SaveModel => self.save_model().await,
            Request::Inspect { particle } => self.inspect(particle).await,
            Request::LoadModel {
                name,
                bytes,
                restored,
            } => load_model(self, name, &bytes, restored).await,
            Request::Scan {
                config,
                max_classes,
                epochs,
            } => match self.job_inputs("to scan") {
                Some((device, trajectory, summary)) => {
                    let exact = summary.u_per_t;
                    discover::scan(
                        &config,
                        max_classes,
                        epochs,
                        trajectory,
                        exact,
                        device,
                        control,
                    )
                    .await;
                }
                None => post(&Event::ScanFinished { completed: false }),
            },
            Request::SideBySide { explore } => match &self.learned {
                Some(learned) => {
                    let trajectory = self.trajectory.as_ref().map(|(t, _)| t);
                    extrapolate::side_by_side(&explore, learned, trajectory, control).await;
                }
                None => {
                    post_error(NO_MODEL);
                    post(&Event::SideBySideFinished {
                        summaries: None,
                        completed: false,
                    });
                }
            },
            Request::Sweep { explore } => match &self.learned {
                Some(learned) => {
                    let trajectory = self.trajectory.as_ref().map(|(t, _)| t);
                    extrapolate::sweep(&explore, learned, trajectory, control).await;
                }
                None => {
                    post_error(NO_MODEL);
                    post(&Event::SweepFinished { completed: false });
                }
            },
            Request::Pause | Request::Resume | Request::Stop => {}
        }
    }

    async fn init(&mut self, prefer_gpu: bool) {
        let (chosen, mut backend) = select_device(prefer_gpu).await;
        if backend.kind == BackendKind::Gpu && backend.adapter.as_deref().is_none_or(str::is_empty)
        {
            backend.adapter = web_adapter::describe().await;
        }
        self.device = Some(chosen);
        post(&Event::Ready { backend });
    }

    /// The device and the trajectory a training job needs; when one is missing, says so (the
    /// job would be `purpose`, e.g. "to scan") and gives `None`.
    fn job_inputs(&self, purpose: &str) -> Option<(&Device, &AnyTrajectory, &TrajectorySummary)> {
        match (&self.device, &self.trajectory) {
            (Some(device), Some((trajectory, summary))) => Some((device, trajectory, summary)),
            (None, _) => {
                post_error(NO_BACKEND);
                None
            }
            (_, None) => {
                post_error(format!(
                    "There is no trajectory {purpose} yet: run a simulation or load a file first."
                ));
                None
            }
        }
    }

    /// Makes `trajectory` the current one, tells the page and sends it a copy.
    fn keep_trajectory(&mut self, trajectory: AnyTrajectory, summary: TrajectorySummary) {
        post(&Event::TrajectoryReady(summary.clone()));
        backup::trajectory(&trajectory, &summary);
        self.trajectory = Some((trajectory, summary));
    }

    fn save_trajectory(&self) {
        match &self.trajectory {
            Some((trajectory, summary)) => post(&Event::TrajectoryFile {
                file_name: summary.file_name.clone(),
                json: trajectory.to_json(),
            }),
            None => post_error("There is no trajectory to save yet: run a simulation first."),
        }
    }

    fn load_trajectory(&mut self, name: String, text: &str, summary: Option<TrajectorySummary>) {
        match AnyTrajectory::from_json(text) {
            Ok(trajectory) => {
                let summary = summary.unwrap_or_else(|| loaded_summary(&trajectory, name));
                self.keep_trajectory(trajectory, summary);
            }
            Err(err) => post_error(format!(
                "The file {name:?} was not loaded: {err}. The current trajectory is kept."
            )),
        }
    }

    async fn inspect(&self, particle: usize) {
        let (Some(learned), Some((trajectory, _))) = (&self.learned, &self.trajectory) else {
            post_error("There is no model and trajectory to look into yet: train first.");
            return;
        };
        let Some(trajectory) = trajectory.active_lattice() else {
            post_error("Looking into the network needs an active-lattice trajectory.");
            return;
        };
        match inspect_particle(learned, trajectory, particle).await {
            Ok(inspection) => post(&Event::Inspection {
                view: ConfigView::of_particles(&last_configuration(trajectory)),
                inspection,
            }),
            Err(err) => post_error(format!("The particle could not be looked into: {err}.")),
        }
    }

    async fn save_model(&self) {
        let Some(learned) = &self.learned else {
            post_error("There is no learned model to save yet: train first.");
            return;
        };
        match learned.to_bytes().await {
            Ok(bytes) => post(&Event::ModelFile {
                file_name: model_file_name(learned),
                bytes,
            }),
            Err(err) => post_error(format!("The model could not be saved: {err}.")),
        }
    }
}

const NO_MODEL: &str =
    "There is no learned model to run yet: train one in the Learn view or load a model file.";

async fn load_model(state: &mut WorkerState, name: String, bytes: &[u8], restored: bool) {
    let Some(device) = &state.device else {
        post_error(NO_BACKEND);
        return;
    };
    let learned = match LearnedDynamics::from_bytes(bytes, device) {
        Ok(learned) => learned,
        Err(err) => {
            post_error(format!(
                "The model file {name:?} was not loaded: {err}. The current model is kept."
            ));
            return;
        }
    };
    let u_per_t = match &state.trajectory {
        Some((trajectory, _)) => match train::evaluate(&learned, trajectory, device).await {
            Ok(u) => Some(u),
            Err(err) => {
                post_error(format!(
                    "The model {name:?} does not fit the current trajectory: {err}."
                ));
                None
            }
        },
        None => None,
    };
    post(&Event::ModelLoaded {
        name: name.clone(),
        u_per_t,
        config: learned.config().clone(),
        restored,
    });
    post(&Event::Backup(Backup::Model {
        name,
        bytes: bytes.to_vec(),
    }));
    state.learned = Some(learned);
}

pub(crate) fn model_file_name(learned: &LearnedDynamics) -> String {
    let config = learned.config();
    let mode = match config.mode.classes() {
        0 => "mode1".to_string(),
        n => format!("mode2-nw{n}"),
    };
    format!(
        "jumpformer-model-{mode}-d{}-l{}.jfmodel",
        config.d_model, config.layers
    )
}

fn loaded_summary(trajectory: &AnyTrajectory, name: String) -> TrajectorySummary {
    TrajectorySummary {
        source: name.clone(),
        kind: trajectory.kind().into(),
        jumps: trajectory.num_jumps(),
        total_time: trajectory.total_time(),
        u_per_t: trajectory.log_likelihood().ok().map(|l| l.u_per_t),
        bytes_per_jump: bytes_per_jump(trajectory),
        observables: None,
        last_view: final_view(trajectory),
        seconds: None,
        file_name: name,
    }
}

async fn smoke(device: &Device, steps: usize) {
    let start = js_sys::Date::now();
    let result = smoke_train(device, steps, |step, loss| {
        post(&Event::SmokeStep { step, loss })
    })
    .await;
    match result {
        Ok(losses) => post(&Event::SmokeDone {
            losses,
            seconds: (js_sys::Date::now() - start) / 1000.0,
        }),
        Err(err) => post_error(format!("smoke training failed: {err}")),
    }
}
