//! "Copy link": the page's address, which holds every setting, copied for sharing.

use js_sys::{Function, Promise, Reflect};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Writes `text` to the clipboard (the asynchronous Clipboard API, reached without web-sys
/// features so that none of the crates built on web-sys is rebuilt for it).
async fn write_to_clipboard(text: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let navigator = Reflect::get(&window, &JsValue::from_str("navigator")).map_err(describe)?;
    let clipboard = Reflect::get(&navigator, &JsValue::from_str("clipboard")).map_err(describe)?;
    if clipboard.is_undefined() {
        return Err(
            "this browser gives the page no clipboard (it needs https or localhost)".into(),
        );
    }
    let write: Function = Reflect::get(&clipboard, &JsValue::from_str("writeText"))
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| "the clipboard cannot take text")?;
    let promise: Promise = write
        .call1(&clipboard, &JsValue::from_str(text))
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| "the clipboard gave no answer")?;
    JsFuture::from(promise).await.map(|_| ()).map_err(describe)
}

fn describe(error: JsValue) -> String {
    error
        .as_string()
        .or_else(|| {
            Reflect::get(&error, &JsValue::from_str("message"))
                .ok()?
                .as_string()
        })
        .unwrap_or_else(|| format!("{error:?}"))
}

/// A button that copies the link to this run and says whether it did.
#[component]
pub fn CopyLink() -> impl IntoView {
    let said = RwSignal::new(String::new());
    let copy = move |_| {
        let href = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        leptos::task::spawn_local(async move {
            said.set(match write_to_clipboard(&href).await {
                Ok(()) => "Link copied: it opens this page with every setting of this run.".into(),
                Err(problem) => format!(
                    "The link could not be copied: {problem}. Copy it from the address bar."
                ),
            });
        });
    };
    view! {
        <button data-testid="copy-link" on:click=copy>
            "Copy link"
        </button>
        <span class="small" role="status" data-testid="copy-link-status">
            {move || said.get()}
        </span>
    }
}
