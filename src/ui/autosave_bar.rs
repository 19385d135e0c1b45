//! The autosave switch, and the offer to restore what an earlier visit left in this browser.

use super::autosave::{Saved, SavedSession};
use super::commands::Commands;
use super::recovery::Recovery;
use crate::protocol::messages::Backup;
use leptos::prelude::*;

/// "a trajectory (…) and a model (…)" for the restore offer.
fn describe(session: &SavedSession) -> String {
    let when = |saved: &Saved| {
        String::from(
            js_sys::Date::new(&saved.saved_at_ms.into())
                .to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED),
        )
    };
    let parts: Vec<String> = [&session.trajectory, &session.model]
        .into_iter()
        .flatten()
        .map(|saved| match &saved.backup {
            Backup::Trajectory { summary, .. } => format!(
                "a trajectory ({}, {} jumps, T = {}, saved {})",
                summary.kind,
                summary.jumps,
                summary.total_time,
                when(saved)
            ),
            Backup::Model { name, .. } => format!("a model ({name}, saved {})", when(saved)),
        })
        .collect();
    format!(
        "From an earlier visit, this browser keeps {}.",
        parts.join(" and ")
    )
}

#[component]
pub fn AutosaveBar(recovery: Recovery) -> impl IntoView {
    let commands = expect_context::<Commands>();
    let saved =
        move |pick: fn((bool, bool)) -> bool| move || pick(recovery.autosaved.get()).to_string();
    view! {
        <div
            class="autosave"
            data-testid="autosave"
            data-saved-trajectory=saved(|(t, _)| t)
            data-saved-model=saved(|(_, m)| m)
        >
            <label>
                <input
                    type="checkbox"
                    data-testid="autosave-toggle"
                    prop:checked=move || recovery.autosave.get()
                    on:change=move |ev| recovery.set_autosave(event_target_checked(&ev), commands)
                />
                "Autosave: keep the latest trajectory and model in this browser (nothing leaves \
                it)"
            </label>
            {move || {
                recovery
                    .earlier
                    .get()
                    .map(|session| {
                        view! {
                            <div class="restore" role="status" data-testid="autosave-earlier">
                                <span>{describe(&session)}</span>
                                <button
                                    class="primary"
                                    data-testid="autosave-restore"
                                    on:click=move |_| recovery.restore_earlier(commands)
                                >
                                    "Restore"
                                </button>
                                <button
                                    data-testid="autosave-discard"
                                    on:click=move |_| recovery.discard_earlier(commands)
                                >
                                    "Discard"
                                </button>
                            </div>
                        }
                    })
            }}
        </div>
    }
}
