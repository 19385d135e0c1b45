//! The page's one way to ask the worker for something; a request that cannot be sent becomes a
//! message for the user.

use super::worker_client::WorkerClient;
use crate::protocol::Request;
use leptos::prelude::*;

/// A copyable handle on the worker and on the page's message list.
#[derive(Clone, Copy)]
pub struct Commands {
    client: StoredValue<Option<WorkerClient>, LocalStorage>,
    pub messages: RwSignal<Vec<String>>,
}

impl Commands {
    pub fn new(client: Option<WorkerClient>, messages: RwSignal<Vec<String>>) -> Self {
        Self {
            client: StoredValue::new_local(client),
            messages,
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

    /// Shows a message to the user.
    pub fn say(&self, message: String) {
        self.messages.update(|m| m.push(message));
    }
}
