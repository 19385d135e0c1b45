//! The Web Worker: receives [`Request`]s from the page, runs the heavy work off the page's
//! thread, and posts [`Event`]s back.
//!
//! Requests are queued and served one at a time by a single async task, so a long job never
//! interleaves with another; long jobs yield to the event loop between chunks.

mod web_adapter;

use crate::core::compute::{BackendKind, select_device, smoke_train};
use crate::protocol::{Event, Request};
use burn::tensor::Device;
use futures::StreamExt;
use futures::channel::mpsc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Installs the message handler and starts serving requests. Called once by the worker binary.
pub fn start() {
    console_error_panic_hook::set_once();
    let (sender, requests) = mpsc::unbounded::<Request>();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
        match serde_wasm_bindgen::from_value::<Request>(message.data()) {
            Ok(request) => {
                if sender.unbounded_send(request).is_err() {
                    post(&Event::Error {
                        message: "the worker has stopped serving requests".into(),
                    });
                }
            }
            Err(err) => post(&Event::Error {
                message: format!("the worker could not read a request: {err}"),
            }),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    wasm_bindgen_futures::spawn_local(serve(requests));
    // Messages that reached the worker before its wasm module had loaded were dispatched to no
    // handler; the page holds its requests back until it hears this.
    post(&Event::Started);
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Sends one event to the page.
fn post(event: &Event) {
    match serde_wasm_bindgen::to_value(event) {
        Ok(value) => {
            if let Err(err) = scope().post_message(&value) {
                web_sys::console::error_2(&"jumpformer worker: postMessage failed".into(), &err);
            }
        }
        Err(err) => web_sys::console::error_1(&format!("jumpformer worker: {err}").into()),
    }
}

async fn serve(mut requests: mpsc::UnboundedReceiver<Request>) {
    let mut device: Option<Device> = None;
    while let Some(request) = requests.next().await {
        match request {
            Request::Init { prefer_gpu } => {
                let (chosen, mut backend) = select_device(prefer_gpu).await;
                if backend.kind == BackendKind::Gpu
                    && backend.adapter.as_deref().is_none_or(str::is_empty)
                {
                    backend.adapter = web_adapter::describe().await;
                }
                device = Some(chosen);
                post(&Event::Ready { backend });
            }
            Request::SmokeTrain { steps } => match &device {
                Some(device) => smoke(device, steps).await,
                None => post(&Event::Error {
                    message: "no backend yet: the worker was not initialised".into(),
                }),
            },
        }
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
        Err(err) => post(&Event::Error {
            message: format!("smoke training failed: {err}"),
        }),
    }
}
