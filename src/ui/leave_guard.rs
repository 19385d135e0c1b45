//! Asks before the tab closes or reloads while work would be lost: a job running in the worker,
//! or a trained model not yet saved to a file.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// Installs the browser's "leave this page?" question, asked whenever `at_risk()` is true.
pub fn install(at_risk: impl Fn() -> bool + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let handler = Closure::<dyn Fn(web_sys::BeforeUnloadEvent)>::new(
        move |event: web_sys::BeforeUnloadEvent| {
            if at_risk() {
                event.prevent_default();
                // Older browsers ask only when a return value is set.
                event.set_return_value("");
            }
        },
    );
    if window
        .add_event_listener_with_callback("beforeunload", handler.as_ref().unchecked_ref())
        .is_ok()
    {
        // The page lives as long as the listener.
        handler.forget();
    }
}
