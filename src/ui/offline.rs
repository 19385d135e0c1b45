//! Offline use: registers the service worker (`www/sw.js`) that keeps the page, its wasm and its
//! worker after the first visit.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Registers the service worker, where the browser has them (a secure context: https or
/// localhost). Without one the page still works; it only is not kept for offline use.
pub fn keep_for_offline() {
    let Some(container) = web_sys::window()
        .and_then(|w| Reflect::get(&w, &JsValue::from_str("navigator")).ok())
        .and_then(|n| Reflect::get(&n, &JsValue::from_str("serviceWorker")).ok())
        .filter(|c| !c.is_undefined())
    else {
        return;
    };
    let registered = Reflect::get(&container, &JsValue::from_str("register"))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|register| {
            register
                .call1(&container, &JsValue::from_str("./sw.js"))
                .ok()
        })
        .and_then(|p| p.dyn_into::<Promise>().ok());
    if let Some(promise) = registered {
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(err) = JsFuture::from(promise).await {
                web_sys::console::warn_1(&JsValue::from_str(&format!(
                    "The page will not be kept for offline use: {err:?}"
                )));
            }
        });
    }
}
