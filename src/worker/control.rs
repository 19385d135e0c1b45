//! Steering a running job from the message handler: pause/resume at once, and stop when a new
//! request is waiting; plus yielding to the worker's event loop so those messages get through.

use js_sys::Promise;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::DedicatedWorkerGlobalScope;

/// Shared between the message handler and the running job.
#[derive(Clone, Default)]
pub struct Control {
    paused: Rc<Cell<bool>>,
    waiting: Rc<Cell<usize>>,
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

    /// A queued request was taken up.
    pub fn taken(&self) {
        self.waiting.set(self.waiting.get().saturating_sub(1));
    }

    /// Whether the running job should give way to a waiting request.
    pub fn should_stop(&self) -> bool {
        self.waiting.get() > 0
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

/// Wall-clock milliseconds.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
