//! What the browser tells of its WebGPU adapter (`GPUAdapter.info`): wgpu's adapter info is
//! empty on the web, so the worker asks WebGPU itself, for the badge.

use js_sys::{Function, Promise, Reflect};
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The fields of `GPUAdapterInfo` the badge shows.
#[derive(Deserialize, Default)]
#[serde(default)]
struct AdapterInfo {
    vendor: String,
    architecture: String,
    description: String,
}

/// "vendor architecture description" of the adapter WebGPU would hand out, if any.
pub async fn describe() -> Option<String> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let gpu = Reflect::get(&navigator, &"gpu".into())
        .ok()
        .filter(|g| !g.is_undefined())?;
    let request: Function = Reflect::get(&gpu, &"requestAdapter".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let promise: Promise = request.call0(&gpu).ok()?.dyn_into().ok()?;
    let adapter = JsFuture::from(promise)
        .await
        .ok()
        .filter(|a| !a.is_null())?;
    let info = Reflect::get(&adapter, &"info".into()).ok()?;
    // GPUAdapterInfo exposes its fields as getters; copy them into a plain object first.
    let plain = js_sys::Object::new();
    for name in ["vendor", "architecture", "description"] {
        let _ = Reflect::set(
            &plain,
            &name.into(),
            &Reflect::get(&info, &name.into()).ok()?,
        );
    }
    let info: AdapterInfo = serde_wasm_bindgen::from_value(plain.into()).ok()?;
    let parts: Vec<&str> = [&info.vendor, &info.architecture, &info.description]
        .into_iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}
