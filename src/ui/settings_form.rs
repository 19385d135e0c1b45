//! Settings forms whose fields are link key/value pairs, so the link parser validates them and a
//! refused value is reported the same way as in a link.

use super::commands::Commands;
use crate::protocol::link::{Group, LinkSettings, keys_of, setting};
use leptos::prelude::*;

/// The values of the settings of `group` that apply to the current model, as the link writes
/// them.
pub fn fields_of(settings: &LinkSettings, group: Group) -> Vec<(String, String)> {
    let keys = keys_of(group, settings);
    query_pairs(settings)
        .into_iter()
        .filter(|(k, _)| keys.contains(&k.as_str()))
        .collect()
}

/// Every key/value pair of the settings' link.
fn query_pairs(settings: &LinkSettings) -> Vec<(String, String)> {
    settings
        .to_pairs()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

/// `current` with `fields` applied, and a sentence for each refused value.
pub fn apply_fields(
    current: &LinkSettings,
    fields: &[(String, String)],
) -> (LinkSettings, Vec<String>) {
    let mut pairs = query_pairs(current);
    pairs.extend(fields.iter().cloned());
    let (settings, problems) =
        LinkSettings::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    (
        settings,
        problems
            .into_iter()
            .map(|p| p.replace("The link's", "The setting"))
            .collect(),
    )
}

/// Applies a form's `fields` to the current settings before a run: each refused value becomes a
/// message for the user, and the result goes to the address bar and to `link`.
pub fn commit_fields(
    link: RwSignal<LinkSettings>,
    fields: RwSignal<Vec<(String, String)>>,
    commands: Commands,
) -> LinkSettings {
    let (settings, problems) = apply_fields(&link.get_untracked(), &fields.get_untracked());
    for problem in problems {
        commands.say(problem);
    }
    write_link(&settings);
    link.set(settings.clone());
    settings
}

/// Writes the settings into the address bar, so the page's URL is always a link to this run.
pub fn write_link(settings: &LinkSettings) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let url = format!("?{}", settings.to_query());
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// The label and the help sentence of a link key, from the table of settings.
fn label_and_help(key: &str) -> (&'static str, &'static str) {
    setting(key).map_or(("", ""), |s| (s.label, s.help))
}

/// One text input per field; edits update `fields`.
#[component]
pub fn SettingsFields(fields: RwSignal<Vec<(String, String)>>) -> impl IntoView {
    move || {
        fields
            .get()
            .into_iter()
            .map(|(key, value)| {
                let name = key.clone();
                let set = move |ev| {
                    let v = event_target_value(&ev);
                    fields.update(|f| {
                        if let Some(slot) = f.iter_mut().find(|(k, _)| *k == name) {
                            slot.1 = v;
                        }
                    })
                };
                let (label, help) = label_and_help(&key);
                view! {
                    <label title=help>
                        {label}
                        <input
                            type="text"
                            data-testid=format!("field-{key}")
                            prop:value=value
                            on:change=set
                        />
                    </label>
                }
            })
            .collect_view()
    }
}
