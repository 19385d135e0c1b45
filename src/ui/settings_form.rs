//! Settings forms whose fields are link key/value pairs, so the link parser validates them and a
//! refused value is reported the same way as in a link.

use super::commands::Commands;
use crate::protocol::link::LinkSettings;
use leptos::prelude::*;

/// The settings' values for `keys`, as the link writes them.
pub fn fields_of(settings: &LinkSettings, keys: &[&str]) -> Vec<(String, String)> {
    query_pairs(settings)
        .into_iter()
        .filter(|(k, _)| keys.contains(&k.as_str()))
        .collect()
}

/// Every key/value pair of the settings' link.
fn query_pairs(settings: &LinkSettings) -> Vec<(String, String)> {
    settings
        .to_query()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
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

/// Human labels of the link keys.
fn label(key: &str) -> &'static str {
    match key {
        "L" => "L (lattice size)",
        "phi" => "φ (density)",
        "D" => "D (rotation rate)",
        "v_plus" => "v₊ (forward rate)",
        "v_zero" => "v₀ (other hops)",
        "c" => "c",
        "T" => "T (total time)",
        "burn_in" => "burn-in",
        "seed" => "seed",
        "mode" => "mode (1: free rates, 2: N_W classes)",
        "classes" => "N_W (classes, mode 2)",
        "epochs" => "epochs",
        "lr" => "learning rate",
        "segment" => "segment length",
        "d_model" => "d_model",
        "heads" => "heads",
        "layers" => "layers",
        "d_ff" => "feed-forward width",
        "hard" => "hard constraint (0/1): a prior, the rule is given",
        "activation" => "feed-forward nonlinearity (gelu, relu)",
        "sink" => "attention sink (learned, quiet, none)",
        "pos_init" => "position tables start (periodic, random)",
        "lr_schedule" => "learning-rate schedule (cosine, constant)",
        "clip" => "gradient clip (0: off)",
        "lseed" => "learner seed",
        "scan_max" => "largest N_W",
        "scan_epochs" => "epochs per N_W",
        "x_phi" => "φ (side by side)",
        "x_T" => "T (each run)",
        "x_burn_in" => "burn-in",
        "replicas" => "replicas",
        "x_seed" => "seed",
        "tau" => "τ (0: exact loop)",
        "sweep" => "sweep densities",
        _ => "",
    }
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
                view! {
                    <label>{label(&key)}
                        <input type="text" data-testid=format!("field-{key}") prop:value=value on:change=set />
                    </label>
                }
            })
            .collect_view()
    }
}
