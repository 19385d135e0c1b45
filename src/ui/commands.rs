//! The page's one way to ask the worker for something; a request that cannot be sent becomes a
//! message for the user. It also starts the worker, replaces it when it fails, and swaps the
//! simulation worker the page starts with for the learner worker when a request needs a network.

use super::worker_client::{WorkerBuild, WorkerClient};
use crate::protocol::{Event, Request};
use leptos::prelude::*;
use std::rc::Rc;

type Handler = Rc<dyn Fn(Event)>;

/// A copyable handle on the worker and on the page's message list.
#[derive(Clone, Copy)]
pub struct Commands {
    client: StoredValue<Option<WorkerClient>, LocalStorage>,
    handler: StoredValue<Option<Handler>, LocalStorage>,
    /// Loads the learner worker and gives it the page's copies (see `Recovery::load_learner`).
    load_learner: StoredValue<Option<Rc<dyn Fn()>>, LocalStorage>,
    /// The build of the running (or loading) worker: the simulation worker until a learner
    /// build replaces it, after which the backend is being or has been chosen.
    build: RwSignal<WorkerBuild>,
    /// Counts the workers started; events of any but the newest are dropped.
    generation: StoredValue<u32>,
    pub messages: RwSignal<Vec<String>>,
}

impl Commands {
    pub fn new(messages: RwSignal<Vec<String>>) -> Self {
        Self {
            client: StoredValue::new_local(None),
            handler: StoredValue::new_local(None),
            load_learner: StoredValue::new_local(None),
            build: RwSignal::new(WorkerBuild::Simulation),
            generation: StoredValue::new(0),
            messages,
        }
    }

    /// Starts the simulation worker; its events, and those of every later worker, go to
    /// `handler`. `load_learner` is called for the first request that needs the learner: it
    /// must call [`Commands::switch_to_learner`] and give the new worker what it needs.
    pub fn start(&self, handler: impl Fn(Event) + 'static, load_learner: impl Fn() + 'static) {
        self.handler.set_value(Some(Rc::new(handler)));
        self.load_learner.set_value(Some(Rc::new(load_learner)));
        self.restart();
    }

    /// Drops every later event of the current worker (it failed, or it is being replaced).
    pub fn retire(&self) {
        self.generation.update_value(|g| *g += 1);
    }

    /// Stops the current worker, if any, and starts a new one of the same build with the same
    /// handler. The old worker is terminated once the running callback returns: this may be
    /// called from inside one of its callbacks.
    pub fn restart(&self) {
        self.retire();
        let Some(handler) = self.handler.get_value() else {
            return;
        };
        let (generation, current) = (self.generation.get_value(), self.generation);
        let build = self.build();
        let client = WorkerClient::spawn(build, move |event| {
            if current.try_get_value() == Some(generation) {
                handler(event);
            }
        });
        let mut old = None;
        self.client.update_value(|slot| {
            old = match client {
                Ok(client) => slot.replace(client),
                Err(ref problem) => {
                    self.say(problem.clone());
                    slot.take()
                }
            }
        });
        if let Some(old) = old {
            leptos::task::spawn_local(async move { drop(old) });
        }
    }

    /// The build of the running worker.
    pub fn build(&self) -> WorkerBuild {
        self.build.get_untracked()
    }

    /// True once a learner worker runs or is loading (tracked: the backend badge follows it).
    pub fn learner_loaded(&self) -> bool {
        self.build.get() != WorkerBuild::Simulation
    }

    /// True once the running worker has started (its script and wasm module loaded).
    pub fn worker_started(&self) -> bool {
        self.client
            .with_value(|client| client.as_ref().is_some_and(WorkerClient::started))
    }

    /// Replaces the running worker by a learner worker of `build` (the running worker's state
    /// is lost with it: the caller gives the new worker the page's copies).
    pub fn switch_to_learner(&self, build: WorkerBuild) {
        self.build.set(build);
        self.restart();
    }

    /// Replaces the running learner worker by the simulation worker, where no learner can run
    /// (the caller gives it the page's copy of the trajectory); the next request that needs the
    /// learner loads one again.
    pub fn switch_to_simulation(&self) {
        self.build.set(WorkerBuild::Simulation);
        self.restart();
    }

    /// Loads the learner worker now, if the simulation worker runs.
    pub fn ensure_learner(&self) {
        if self.build() == WorkerBuild::Simulation
            && let Some(load) = self.load_learner.get_value()
        {
            load();
        }
    }

    /// Sends `request`, or tells the user why it could not be sent. A request that runs a
    /// network loads the learner worker first.
    pub fn send(&self, request: Request) {
        if request.needs_learner() {
            self.ensure_learner();
        }
        let sent = self.client.with_value(|client| match client {
            Some(client) => client.send(&request),
            None => Err("the worker is not running".into()),
        });
        if let Err(problem) = sent {
            self.say(format!("The request could not be sent: {problem}"));
        }
    }

    /// Resumes the running job if it is `paused`, else pauses it.
    pub fn toggle_pause(&self, paused: bool) {
        self.send(if paused {
            Request::Resume
        } else {
            Request::Pause
        });
    }

    /// Shows a message to the user.
    pub fn say(&self, message: String) {
        self.messages.update(|m| m.push(message));
    }
}
