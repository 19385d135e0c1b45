//! The page's handle on its Web Worker: spawns it, sends [`Request`]s, delivers [`Event`]s.
//!
//! A worker drops messages that arrive before its wasm module has loaded, so requests are held
//! back until the worker announces [`Event::Started`], then sent in order.

use crate::protocol::{Event, Request};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::Closure;
use web_sys::{ErrorEvent, MessageEvent, Worker};

/// The builds of the worker (see index.html).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerBuild {
    /// Simulation and trajectory files, without the learner: what the page starts with.
    Simulation,
    /// Everything, the learner with its GPU backend included: loaded for the first request that
    /// runs a network where the browser may train on WebGPU.
    Learner,
    /// The learner without the GPU backend (the smaller download): loaded instead where
    /// the learner will run on the CPU.
    CpuLearner,
}

impl WorkerBuild {
    /// The other build of the learner: what the page tries when this one cannot be loaded.
    pub fn other_learner(self) -> Option<WorkerBuild> {
        match self {
            WorkerBuild::Simulation => None,
            WorkerBuild::Learner => Some(WorkerBuild::CpuLearner),
            WorkerBuild::CpuLearner => Some(WorkerBuild::Learner),
        }
    }

    /// What the page calls this build in its messages.
    pub fn describe(self) -> &'static str {
        match self {
            WorkerBuild::Simulation => "the simulation worker",
            WorkerBuild::Learner => "the learner with the GPU backend",
            WorkerBuild::CpuLearner => "the learner built for the CPU",
        }
    }

    /// Where Trunk puts this build's loader script (file hashing is off).
    fn script(self) -> &'static str {
        match self {
            WorkerBuild::Simulation => "./jumpformer-sim-worker_loader.js",
            WorkerBuild::Learner => "./jumpformer-worker_loader.js",
            WorkerBuild::CpuLearner => "./jumpformer-cpu-worker_loader.js",
        }
    }
}

/// Requests waiting for the worker to start; `None` once it has.
type Outbox = Rc<RefCell<Option<Vec<JsValue>>>>;

/// A running worker and the callbacks that keep its events flowing to the page.
pub struct WorkerClient {
    worker: Worker,
    outbox: Outbox,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl WorkerClient {
    /// Starts a worker of `build`; every event it posts, and any crash, is passed to `on_event`.
    pub fn spawn(
        build: WorkerBuild,
        on_event: impl Fn(Event) + Clone + 'static,
    ) -> Result<Self, String> {
        let worker = Worker::new(build.script())
            .map_err(|err| format!("the page could not start its worker: {err:?}"))?;
        let outbox: Outbox = Rc::new(RefCell::new(Some(Vec::new())));
        let deliver = on_event.clone();
        let (flush_worker, flush_outbox) = (worker.clone(), outbox.clone());
        let on_message =
            Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
                let event = crate::protocol::messages::decode::<Event>(&message.data())
                    .unwrap_or_else(|err| Event::Error {
                        message: format!("the page could not read a worker message: {err}"),
                    });
                if event == Event::Started {
                    for request in flush_outbox.borrow_mut().take().unwrap_or_default() {
                        if let Err(err) = flush_worker.post_message(&request) {
                            deliver(Event::Error {
                                message: format!("a request could not be sent: {err:?}"),
                            });
                        }
                    }
                }
                deliver(event);
            });
        // An uncaught error inside the worker comes as an `ErrorEvent`; a script that could not
        // be fetched (e.g. offline and not kept) as a plain `Event`, with no message.
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |error: web_sys::Event| {
            let message = match error.dyn_ref::<ErrorEvent>() {
                Some(error) => format!("the worker crashed ({})", error.message()),
                None => format!("its script {} could not be loaded", build.script()),
            };
            on_event(Event::WorkerFailed {
                message,
                device_lost: false,
            });
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self {
            worker,
            outbox,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// True once the worker has announced [`Event::Started`]: its script and module loaded.
    pub fn started(&self) -> bool {
        self.outbox.borrow().is_none()
    }

    /// Sends a request, or queues it until the worker has started.
    pub fn send(&self, request: &Request) -> Result<(), String> {
        let value =
            JsValue::from_str(&serde_json::to_string(request).map_err(|err| err.to_string())?);
        match self.outbox.borrow_mut().as_mut() {
            Some(waiting) => {
                waiting.push(value);
                Ok(())
            }
            None => self
                .worker
                .post_message(&value)
                .map_err(|err| format!("{err:?}")),
        }
    }
}

impl Drop for WorkerClient {
    fn drop(&mut self) {
        // The callbacks are freed with `self`: the worker must not call them afterwards.
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}
