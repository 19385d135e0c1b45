//! Settings forms whose fields are link key/value pairs, so the link parser validates them and a
//! refused value is reported the same way as in a link.

use super::commands::Commands;
use crate::core::settings::Control;
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

/// A form's fields of `group`, kept in step with the link: a value the link changes (a preset,
/// a run of another form) replaces the field's, while a field edited but not yet run keeps its
/// edit.
pub fn form_fields(link: RwSignal<LinkSettings>, group: Group) -> RwSignal<Vec<(String, String)>> {
    let fields = RwSignal::new(Vec::<(String, String)>::new());
    let shown = StoredValue::new(Vec::<(String, String)>::new());
    Effect::new(move |_| {
        let from_link = fields_of(&link.get(), group);
        let before = shown.get_value();
        let edits = fields.get_untracked();
        let merged = from_link
            .iter()
            .map(|(key, value)| {
                let unchanged = before.iter().any(|(k, v)| k == key && v == value);
                let edited = edits.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
                match (unchanged, edited) {
                    (true, Some(edit)) => (key.clone(), edit),
                    _ => (key.clone(), value.clone()),
                }
            })
            .collect();
        shown.set_value(from_link);
        fields.set(merged);
    });
    fields
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

/// The text of `key` among `fields`.
fn value_of(fields: &[(String, String)], key: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// One control per field, as its setting asks (a number with its unit and range, a slider, a
/// choice, a switch); the network and optimiser settings are folded away under "advanced".
/// Edits update `fields`.
#[component]
pub fn SettingsFields(fields: RwSignal<Vec<(String, String)>>) -> impl IntoView {
    let keys = move |advanced: bool| {
        fields.with(|f| {
            f.iter()
                .filter(|(k, _)| setting(k).is_some_and(|s| s.advanced == advanced))
                .map(|(k, _)| k.clone())
                .collect::<Vec<_>>()
        })
    };
    let row = move |key: String| view! { <SettingControl key=key fields=fields /> };
    view! {
        <For each=move || keys(false) key=String::clone children=row />
        <Show when=move || !keys(true).is_empty()>
            <details class="advanced">
                <summary>"Advanced: network, optimiser and seeds"</summary>
                <div class="form">
                    <For each=move || keys(true) key=String::clone children=row />
                </div>
            </details>
        </Show>
    }
}

/// The control of one setting.
#[component]
fn SettingControl(key: String, fields: RwSignal<Vec<(String, String)>>) -> impl IntoView {
    let Some(entry) = setting(&key) else {
        return ().into_any();
    };
    let link = expect_context::<RwSignal<LinkSettings>>();
    let name = entry.key;
    let value = Signal::derive(move || fields.with(|f| value_of(f, name)));
    let set = move |text: String| {
        fields.update(|f| {
            if let Some(slot) = f.iter_mut().find(|(k, _)| *k == name) {
                slot.1 = text;
            }
        })
    };
    let test_id = format!("field-{key}");
    let text_field = move || {
        view! {
            <input
                type="text"
                inputmode="decimal"
                data-testid=test_id.clone()
                aria-label=entry.label
                prop:value=value
                on:change=move |ev| set(event_target_value(&ev))
            />
        }
    };
    let range = match entry.control {
        Control::Number { .. } | Control::Slider { .. } | Control::Text => link
            .with_untracked(|l| entry.expected(l))
            .unwrap_or_default(),
        Control::Choice(_) | Control::Switch => String::new(),
    };
    let control = match entry.control {
        Control::Number { unit } => view! {
            {text_field()}
            <span class="unit">{unit}</span>
        }
        .into_any(),
        Control::Text => text_field().into_any(),
        Control::Slider { min, max, step } => view! {
            <input
                type="range"
                min=min
                max=max
                step=step
                aria-label=entry.label
                prop:value=value
                on:input=move |ev| set(event_target_value(&ev))
            />
            {text_field()}
        }
        .into_any(),
        Control::Choice(options) => view! {
            <select
                data-testid=format!("field-{key}")
                aria-label=entry.label
                prop:value=value
                on:change=move |ev| set(event_target_value(&ev))
            >
                {options()
                    .into_iter()
                    .map(|(v, label)| view! { <option value=v>{label}</option> })
                    .collect_view()}
            </select>
        }
        .into_any(),
        Control::Switch => view! {
            <input
                type="checkbox"
                role="switch"
                data-testid=format!("field-{key}")
                aria-label=entry.label
                prop:checked=move || value.get() == "1"
                on:change=move |ev| set(if event_target_checked(&ev) { "1" } else { "0" }.into())
            />
        }
        .into_any(),
    };
    view! {
        <label title=entry.help class="setting">
            <span class="label">{entry.label}</span>
            <span class="control">{control}</span>
            <small class="range">{range}</small>
        </label>
    }
    .into_any()
}
