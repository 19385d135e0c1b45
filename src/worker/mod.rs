//! The Web Worker: receives [`Request`]s from the page, runs the heavy work off the page's
//! thread, and posts [`Event`]s back.
//!
//! Requests are queued and served one at a time by a single async task. Pause and resume act at
//! once on the running job; any other request makes a running simulation give way to it.
//!
//! It is built three times: the simulation worker (without the feature `learner`: simulation
//! and trajectory files, a small download), which the page starts with, and the learner worker
//! (with `learner`, in `learning.rs`: training, scans, extrapolation, models), which the page
//! loads for the first request that runs a network, once with the GPU backend alone (`gpu`) and
//! once with the CPU backend alone (`cpu`, which adds the helper workers of `helpers.rs`).

mod backup;
mod control;
#[cfg(feature = "learner")]
mod device_watch;
#[cfg(feature = "learner")]
mod discover;
#[cfg(feature = "learner")]
mod extrapolate;
#[cfg(feature = "learner")]
mod gpu_counters;
#[cfg(feature = "cpu")]
mod helpers;
#[cfg(feature = "learner")]
mod learning;
#[cfg(feature = "learner")]
mod long_run;
mod simulate;
#[cfg(feature = "learner")]
mod stepping;
#[cfg(feature = "learner")]
mod train;
#[cfg(feature = "learner")]
mod web_adapter;

use crate::core::simulation::{bytes_per_jump, final_view};
use crate::core::trajectory::AnyTrajectory;
use crate::protocol::messages::{Event, Request, TrajectorySummary};
use control::Control;
use futures::StreamExt;
use futures::channel::mpsc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Installs the message handler and starts serving requests. Called once by the worker binary.
pub fn start() {
    #[cfg(feature = "cpu")]
    if scope().name() == helpers::HELPER_NAME {
        helpers::serve();
        return;
    }
    // A panic leaves the wasm module unusable: log it, and tell the page, which starts a new
    // worker and restores the trajectory and model from its backups.
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        post(&Event::WorkerFailed {
            message: format!("the worker panicked: {info}"),
            device_lost: false,
        });
    }));
    #[cfg(feature = "learner")]
    {
        device_watch::install();
        gpu_counters::install();
    }
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
    /// The current trajectory (simulated or loaded) and what the page was told of it.
    trajectory: Option<(AnyTrajectory, TrajectorySummary)>,
    /// The backend and the current model.
    #[cfg(feature = "learner")]
    learning: learning::Learning,
}

async fn serve(mut requests: mpsc::UnboundedReceiver<Request>, control: Control) {
    let mut state = WorkerState::default();
    while let Some(request) = requests.next().await {
        control.taken();
        state.handle(request, &control).await;
    }
}

fn post_error(message: impl Into<String>) {
    post(&Event::Error {
        message: message.into(),
    });
}

impl WorkerState {
    /// Carries out one request; a job runs here until it ends, is stopped or gives way.
    async fn handle(&mut self, request: Request, control: &Control) {
        match request {
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
            Request::Pause | Request::Resume | Request::Stop => {}
            #[cfg(feature = "learner")]
            request => {
                self.learning
                    .handle(request, self.trajectory.as_ref(), control)
                    .await;
            }
            #[cfg(not(feature = "learner"))]
            _ => post_error(
                "This is the simulation worker, built without the learner: the page sends \
                 requests that run a network to the learner worker.",
            ),
        }
    }

    /// Makes `trajectory` the current one, sends the page a copy and tells it. The copy goes
    /// first: the page may answer the news with a request that replaces this worker by the
    /// learner worker, which it gives its copy.
    fn keep_trajectory(&mut self, trajectory: AnyTrajectory, summary: TrajectorySummary) {
        backup::trajectory(&trajectory, &summary);
        post(&Event::TrajectoryReady(summary.clone()));
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
