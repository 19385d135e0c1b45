//! Steering a running job from the message handler: pause/resume at once, and stop when a new
//! request is waiting; plus yielding to the worker's event loop so those messages get through.

use js_sys::{Array, Function, Promise, Reflect};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::DedicatedWorkerGlobalScope;

/// Shared between the message handler and the running job.
#[derive(Clone, Default)]
pub struct Control {
    paused: Rc<Cell<bool>>,
    waiting: Rc<Cell<usize>>,
    stop: Rc<Cell<bool>>,
}

impl Control {
    pub fn set_paused(&self, paused: bool) {
        self.paused.set(paused);
    }

    pub fn paused(&self) -> bool {
        self.paused.get()
    }

    /// A request was queued.
    pub fn queued(&self) {
        self.waiting.set(self.waiting.get() + 1);
    }

    /// A queued request was taken up; an earlier stop no longer applies.
    pub fn taken(&self) {
        self.waiting.set(self.waiting.get().saturating_sub(1));
        self.stop.set(false);
    }

    /// The user asked the running job to stop.
    pub fn request_stop(&self) {
        self.stop.set(true);
        self.paused.set(false);
    }

    /// Whether the running job should stop: the user asked, or a request is waiting.
    pub fn should_stop(&self) -> bool {
        self.stop.get() || self.waiting.get() > 0
    }
}

impl Control {
    /// The top of every job's loop: waits while the job is paused (`on_pause` runs once as a
    /// pause begins, e.g. to post a paused frame); returns the milliseconds spent paused, or
    /// `None` when the job should stop (the user asked, or a newer request waits).
    pub async fn checkpoint(&self, on_pause: impl FnOnce()) -> Option<f64> {
        if self.should_stop() {
            return None;
        }
        let mut paused_ms = 0.0;
        if self.paused() {
            on_pause();
            let started = now_ms();
            while self.paused() && !self.should_stop() {
                sleep(50).await;
            }
            paused_ms = now_ms() - started;
        }
        (!self.should_stop()).then_some(paused_ms)
    }
}

/// Least time between two progress messages of a job.
#[cfg(feature = "learner")]
pub const PROGRESS_INTERVAL_MS: f64 = 100.0;

/// Lets a job's progress messages through at most every [`PROGRESS_INTERVAL_MS`].
#[cfg(feature = "learner")]
#[derive(Default)]
pub struct Throttle {
    last_ms: f64,
}

#[cfg(feature = "learner")]
impl Throttle {
    /// Whether to post now: the interval has passed, or `force` (e.g. an epoch ended).
    pub fn ready(&mut self, force: bool) -> bool {
        let now = now_ms();
        let ready = force || now - self.last_ms > PROGRESS_INTERVAL_MS;
        if ready {
            self.last_ms = now;
        }
        ready
    }
}

/// Waits `ms` milliseconds (0: just lets queued messages be handled).
pub async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

/// Lets queued messages (pause, resume, new requests) be handled, then continues.
///
/// A zero-delay `setTimeout` cost about 8 ms per frame in Chromium's workers (a quarter of the
/// simulation's time); a message to ourselves through a `MessageChannel` returns in a fraction
/// of a millisecond, after the tasks already queued.
pub async fn yield_now() {
    let Some((port_in, port_out)) = message_channel() else {
        return sleep(0).await;
    };
    let promise = Promise::new(&mut |resolve, _| {
        let _ = Reflect::set(&port_in, &"onmessage".into(), &resolve);
        let post: Option<Function> = Reflect::get(&port_out, &"postMessage".into())
            .ok()
            .and_then(|f| f.dyn_into().ok());
        if let Some(post) = post {
            let _ = post.call1(&port_out, &JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
    let _ = Reflect::set(&port_in, &"onmessage".into(), &JsValue::NULL);
}

/// The two ports of a new `MessageChannel` (built through `Reflect`, so web-sys needs no extra
/// features).
fn message_channel() -> Option<(JsValue, JsValue)> {
    let constructor: Function = Reflect::get(&js_sys::global(), &"MessageChannel".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let channel = Reflect::construct(&constructor, &Array::new()).ok()?;
    Some((
        Reflect::get(&channel, &"port1".into()).ok()?,
        Reflect::get(&channel, &"port2".into()).ok()?,
    ))
}

/// Wall-clock milliseconds.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
