//! The page's one way to ask the worker for something; a request that cannot be sent becomes a
//! message for the user. It also starts the worker, and replaces it when it fails.

use super::worker_client::WorkerClient;
use crate::protocol::{Event, Request};
use leptos::prelude::*;
use std::rc::Rc;

type Handler = Rc<dyn Fn(Event)>;

/// A copyable handle on the worker and on the page's message list.
#[derive(Clone, Copy)]
pub struct Commands {
    client: StoredValue<Option<WorkerClient>, LocalStorage>,
    handler: StoredValue<Option<Handler>, LocalStorage>,
    /// Counts the workers started; events of any but the newest are dropped.
    generation: StoredValue<u32>,
    pub messages: RwSignal<Vec<String>>,
}

impl Commands {
    pub fn new(messages: RwSignal<Vec<String>>) -> Self {
        Self {
            client: StoredValue::new_local(None),
            handler: StoredValue::new_local(None),
            generation: StoredValue::new(0),
            messages,
        }
    }

    /// Starts the worker; its events go to `handler`.
    pub fn start(&self, handler: impl Fn(Event) + 'static) {
        self.handler.set_value(Some(Rc::new(handler)));
        self.restart();
    }

    /// Drops every later event of the current worker (it failed; a new one is coming).
    pub fn retire(&self) {
        self.generation.update_value(|g| *g += 1);
    }

    /// Stops the current worker, if any, and starts a new one with the same handler. Must not
    /// run inside one of the old worker's callbacks (it drops them).
    pub fn restart(&self) {
        self.retire();
        let Some(handler) = self.handler.get_value() else {
            return;
        };
        let (generation, current) = (self.generation.get_value(), self.generation);
        let client = WorkerClient::spawn(move |event| {
            if current.try_get_value() == Some(generation) {
                handler(event);
            }
        });
        match client {
            Ok(client) => self.client.set_value(Some(client)),
            Err(problem) => {
                self.client.set_value(None);
                self.say(problem);
            }
        }
    }

    /// Sends `request`, or tells the user why it could not be sent.
    pub fn send(&self, request: Request) {
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
