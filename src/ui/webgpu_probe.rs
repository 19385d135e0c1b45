//! Whether this browser gives the page a WebGPU adapter, asked once when the page opens. It
//! decides which learner worker the page loads: the build with the GPU backend (and no CPU
//! backend) only where it may train on a GPU, the smaller CPU-only build elsewhere (sizes:
//! `scripts/bench-download.sh`).

use js_sys::{Function, Promise, Reflect};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The answer to "does `navigator.gpu.requestAdapter()` give an adapter?", once known.
#[derive(Clone, Copy)]
pub struct WebGpuProbe {
    adapter: StoredValue<Option<bool>>,
}

impl WebGpuProbe {
    /// Asks the browser for an adapter; the answer comes a few milliseconds later.
    pub fn start() -> Self {
        let adapter = StoredValue::new(None);
        leptos::task::spawn_local(async move {
            let found = adapter_exists().await;
            adapter.set_value(Some(found));
        });
        Self { adapter }
    }

    /// True once the browser has said it has no WebGPU adapter (false while it has not
    /// answered: the learner worker with the GPU backend then decides for itself).
    pub fn no_adapter(&self) -> bool {
        self.adapter.get_value() == Some(false)
    }
}

/// Asks `navigator.gpu` for an adapter; a browser without WebGPU, or one that refuses, has none.
async fn adapter_exists() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let gpu = Reflect::get(&window.navigator(), &JsValue::from_str("gpu")).unwrap_or_default();
    if gpu.is_undefined() || gpu.is_null() {
        return false;
    }
    let Some(request) = Reflect::get(&gpu, &JsValue::from_str("requestAdapter"))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
    else {
        return false;
    };
    let Some(promise) = request
        .call0(&gpu)
        .ok()
        .and_then(|p| p.dyn_into::<Promise>().ok())
    else {
        return false;
    };
    JsFuture::from(promise)
        .await
        .is_ok_and(|adapter| !adapter.is_null() && !adapter.is_undefined())
}
