//! The presets and the model choice: each replaces the settings with a named starting point.

use crate::core::model::ModelKind;
use crate::core::presets::Preset;
use crate::protocol::link::LinkSettings;
use crate::ui::settings_form::write_link;
use leptos::prelude::*;

/// Replaces the settings in the link and the forms with `settings`.
fn apply(link: RwSignal<LinkSettings>, settings: LinkSettings) {
    write_link(&settings);
    link.set(settings);
}

/// One button per preset: all of its settings (simulation, learner, Discover and Extrapolate).
#[component]
pub fn PresetBar() -> impl IntoView {
    let link = expect_context::<RwSignal<LinkSettings>>();
    let choose = move |preset: Preset| {
        let current = link.get_untracked();
        apply(
            link,
            LinkSettings {
                embed: current.embed,
                ..LinkSettings::of_preset(preset, current.backend)
            },
        );
    };
    view! {
        <div class="presets">
            <span>"Presets: "</span>
            {Preset::ALL
                .into_iter()
                .map(|preset| {
                    view! {
                        <button
                            data-testid=format!("preset-{}", preset.name())
                            on:click=move |_| choose(preset)
                        >
                            {preset.label()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// The model: choosing the other one starts from its preset's simulation, keeping the learner
/// and the other settings.
#[component]
pub fn ModelChoice() -> impl IntoView {
    let link = expect_context::<RwSignal<LinkSettings>>();
    let choose = move |name: String| {
        let Some(kind) = ModelKind::from_name(&name) else {
            return;
        };
        let mut settings = link.get_untracked();
        settings.simulation = Preset::of_model(kind).simulation();
        apply(link, settings);
    };
    view! {
        <label>
            "model"
            <select
                data-testid="field-model"
                prop:value=move || link.with(|l| l.simulation.model.kind_name())
                on:change=move |ev| choose(event_target_value(&ev))
            >
                <option value="active-lattice">"active lattice"</option>
                <option value="fa">"Fredrickson–Andersen"</option>
            </select>
        </label>
    }
}
