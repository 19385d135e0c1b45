//! Helper workers: more copies of the learner worker, one per spare core, that each take a share
//! of every CPU training step and evaluation ([`crate::core::learner::helpers`]), so training in
//! the browser uses the user's cores.
//!
//! The learner worker starts them when it chooses the CPU backend; each loads the same script and
//! wasm, learns from its name that it is a helper, and says when it is ready. Until then, or
//! after one fails, its share is computed by the learner worker itself: helpers speed a step up
//! and never lose one. A request travels as `{request: JSON, weights: Float32Array}`, a reply as
//! `{reply: JSON, grads: Float32Array}` (or `{error}`), the arrays transferred, not copied.

use crate::core::compute::cpu_device;
use crate::core::learner::helpers::{Helper, ShareFuture, ShareReply, ShareRequest, StepHelpers};
use futures::StreamExt;
use futures::channel::{mpsc, oneshot};
use js_sys::{Array, Float32Array, Object, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions};

/// The name a helper is started with; the worker binary reads it to know its role.
pub const HELPER_NAME: &str = "jumpformer-helper";

/// The most helpers started when asked for (`workers=8`): beyond this, each step's share is too
/// small to pay for sending the weights.
const MAX_HELPERS: usize = 7;

/// The most workers started by default (one per core): each is a full copy of the learner, its
/// 17 MB of wasm compiled again and its own memory, which a phone's eight cores would multiply.
const DEFAULT_MAX_WORKERS: usize = 4;

/// Where a helper is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HelperState {
    Loading,
    Ready,
    Failed,
}

/// One helper worker seen from the learner worker.
struct HelperWorker {
    worker: Worker,
    state: Cell<HelperState>,
    /// Where the reply to the request in flight goes.
    waiting: RefCell<Option<oneshot::Sender<Result<ShareReply, String>>>>,
}

impl HelperWorker {
    /// Marks the helper failed and tells whoever waits for it.
    fn fail(&self, why: String) {
        self.state.set(HelperState::Failed);
        self.worker.terminate();
        if let Some(waiting) = self.waiting.borrow_mut().take() {
            let _ = waiting.send(Err(why));
        }
    }

    fn on_message(&self, data: &JsValue) {
        if Reflect::get(data, &"ready".into()).is_ok_and(|v| v.is_truthy()) {
            if self.state.get() == HelperState::Loading {
                self.state.set(HelperState::Ready);
            }
            return;
        }
        let reply = match Reflect::get(data, &"error".into()) {
            Ok(error) if error.is_string() => Err(error.as_string().unwrap_or_default()),
            _ => decode_reply(data),
        };
        if let Err(why) = &reply {
            self.fail(why.clone());
            return;
        }
        if let Some(waiting) = self.waiting.borrow_mut().take() {
            let _ = waiting.send(reply);
        }
    }
}

fn decode_reply(data: &JsValue) -> Result<ShareReply, String> {
    let text = Reflect::get(data, &"reply".into())
        .ok()
        .and_then(|v| v.as_string())
        .ok_or("a helper's reply has no text")?;
    let mut reply: ShareReply =
        serde_json::from_str(&text).map_err(|e| format!("a helper's reply is unreadable: {e}"))?;
    if let Ok(grads) = Reflect::get(data, &"grads".into())
        && let Ok(grads) = grads.dyn_into::<Float32Array>()
    {
        reply.grads = grads.to_vec();
    }
    Ok(reply)
}

/// The helpers of one learner worker.
pub struct HelperPool {
    helpers: Vec<Rc<HelperWorker>>,
}

impl HelperPool {
    /// Starts helpers so that `workers` share each step (0: one per core, at most
    /// [`DEFAULT_MAX_WORKERS`]), at most [`MAX_HELPERS`]; none on a one-core machine or where
    /// workers cannot start workers.
    pub fn start(workers: usize) -> Self {
        let scope = super::scope();
        let workers = match workers {
            0 => (scope.navigator().hardware_concurrency() as usize).min(DEFAULT_MAX_WORKERS),
            n => n,
        };
        let wanted = workers.saturating_sub(1).min(MAX_HELPERS);
        let script = scope.location().href();
        let helpers = (0..wanted).filter_map(|_| start_helper(&script)).collect();
        Self { helpers }
    }

    /// Helpers started (loading, ready or failed).
    pub fn started(&self) -> usize {
        self.helpers.len()
    }

    fn ready(&self) -> impl Iterator<Item = &Rc<HelperWorker>> {
        self.helpers
            .iter()
            .filter(|h| h.state.get() == HelperState::Ready)
    }
}

fn start_helper(script: &str) -> Option<Rc<HelperWorker>> {
    let options = WorkerOptions::new();
    options.set_name(HELPER_NAME);
    let worker = Worker::new_with_options(script, &options).ok()?;
    let helper = Rc::new(HelperWorker {
        worker,
        state: Cell::new(HelperState::Loading),
        waiting: RefCell::new(None),
    });
    let weak = Rc::downgrade(&helper);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
        if let Some(helper) = weak.upgrade() {
            helper.on_message(&message.data());
        }
    });
    let weak = Rc::downgrade(&helper);
    let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
        if let Some(helper) = weak.upgrade() {
            helper.fail(format!("a helper worker failed: {}", event.message()));
        }
    });
    helper
        .worker
        .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    helper
        .worker
        .set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // The pool lives as long as the learner worker.
    on_message.forget();
    on_error.forget();
    Some(helper)
}

impl StepHelpers for HelperPool {
    fn available(&self) -> usize {
        self.ready().count()
    }

    fn send(&self, index: usize, request: ShareRequest) -> ShareFuture {
        let Some(helper) = self.ready().nth(index).cloned() else {
            return Box::pin(std::future::ready(Err(format!(
                "no helper {index} is ready"
            ))));
        };
        count_share();
        let (sender, receiver) = oneshot::channel();
        *helper.waiting.borrow_mut() = Some(sender);
        if let Err(why) = post_request(&helper.worker, &request) {
            helper.fail(why);
        }
        Box::pin(async move {
            receiver
                .await
                .unwrap_or_else(|_| Err("a helper stopped before it answered".to_string()))
        })
    }
}

/// Counts the shares sent to helpers in `self.jumpformerHelperShares`, where the browser tests
/// and a curious user's console read it.
fn count_share() {
    let (global, key) = (
        js_sys::global(),
        JsValue::from_str("jumpformerHelperShares"),
    );
    let sent = Reflect::get(&global, &key)
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0);
    let _ = Reflect::set(&global, &key, &(sent + 1.0).into());
}

fn post_request(worker: &Worker, request: &ShareRequest) -> Result<(), String> {
    let text = serde_json::to_string(request).map_err(|e| e.to_string())?;
    let weights = Float32Array::from(request.weights.as_slice());
    let message = Object::new();
    let set = |key: &str, value: &JsValue| Reflect::set(&message, &key.into(), value);
    set("request", &text.into()).map_err(|e| format!("{e:?}"))?;
    set("weights", &weights).map_err(|e| format!("{e:?}"))?;
    worker
        .post_message_with_transfer(&message, &Array::of1(&weights.buffer()))
        .map_err(|e| format!("a request could not be sent to a helper: {e:?}"))
}

/// A helper's side: serves [`ShareRequest`]s one at a time until the learner worker ends it.
/// Called by [`super::start`] in a worker named [`HELPER_NAME`].
pub fn serve() {
    let scope = super::scope();
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        post_error(&format!("a helper worker panicked: {info}"));
    }));
    let (sender, mut requests) = mpsc::unbounded::<JsValue>();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
        let _ = sender.unbounded_send(message.data());
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    wasm_bindgen_futures::spawn_local(async move {
        let mut helper = Helper::new(cpu_device());
        while let Some(data) = requests.next().await {
            match answer(&mut helper, &data).await {
                Ok(()) => {}
                Err(why) => post_error(&why),
            }
        }
    });
    let ready = Object::new();
    let _ = Reflect::set(&ready, &"ready".into(), &JsValue::TRUE);
    let _ = scope.post_message(&ready);
}

async fn answer(helper: &mut Helper, data: &JsValue) -> Result<(), String> {
    let text = Reflect::get(data, &"request".into())
        .ok()
        .and_then(|v| v.as_string())
        .ok_or("a request to a helper has no text")?;
    let mut request: ShareRequest = serde_json::from_str(&text)
        .map_err(|e| format!("a helper could not read a request: {e}"))?;
    request.weights = Reflect::get(data, &"weights".into())
        .ok()
        .and_then(|w| w.dyn_into::<Float32Array>().ok())
        .ok_or("a request to a helper has no weights")?
        .to_vec();
    let mut reply = helper.answer(request).await.map_err(|e| e.to_string())?;
    let grads = Float32Array::from(std::mem::take(&mut reply.grads).as_slice());
    let text = serde_json::to_string(&reply).map_err(|e| e.to_string())?;
    let message = Object::new();
    let _ = Reflect::set(&message, &"reply".into(), &text.into());
    let _ = Reflect::set(&message, &"grads".into(), &grads);
    let scope = super::scope();
    scope
        .post_message_with_transfer(&message, &Array::of1(&grads.buffer()))
        .map_err(|e| format!("a helper could not send its reply: {e:?}"))
}

fn post_error(why: &str) {
    let scope = super::scope();
    let message = Object::new();
    let _ = Reflect::set(&message, &"error".into(), &why.into());
    let _ = scope.post_message(&message);
}
