//! The training's figures: held-out and training U/T, the exact U/T and the occupancy-blind
//! optimum, the blocked leak, the translation spread, epoch time, class rates and the current
//! model.

use super::LearnState;
use crate::core::learner::EpochReport;
use leptos::prelude::*;

/// What `value` makes of the latest epoch's report, or "" before the first (for attributes).
fn of_last<T: ToString>(
    state: LearnState,
    value: impl Fn(&EpochReport) -> Option<T> + Copy,
) -> impl Fn() -> String + Copy {
    move || {
        state
            .reports
            .with(|r| r.last().and_then(value))
            .map(|v| v.to_string())
            .unwrap_or_default()
    }
}

/// `text`, or a dash when there is nothing to show.
fn or_dash(text: Option<String>) -> String {
    text.unwrap_or_else(|| "–".into())
}

/// The latest epoch's figures (and, as data attributes, what the browser tests read).
#[component]
pub fn TrainingStats(state: LearnState) -> impl IntoView {
    let last = move |text: fn(&EpochReport) -> String| {
        move || or_dash(state.reports.with(|r| r.last().map(text)))
    };
    // Training U/T of the epoch whose weights are kept (the model that is saved).
    let kept_u = move || {
        state.reports.with(|r| {
            let kept = r.last()?.kept_epoch;
            r.iter().find(|r| r.epoch == kept).map(|r| r.u_per_t)
        })
    };
    let held_out = |r: &EpochReport| match r.val_u_per_t {
        Some(val) => {
            let exact = r
                .val_exact_u_per_t
                .map(|e| format!(" (exact {e:.4})"))
                .unwrap_or_default();
            format!("{val:.4}{exact}; kept: epoch {}", r.kept_epoch)
        }
        None => "–".into(),
    };
    let class_rates = |r: &EpochReport| match &r.class_rates {
        Some(rates) => rates
            .iter()
            .map(|r| format!("{r:.3}"))
            .collect::<Vec<_>>()
            .join(", "),
        None => "– (mode 2)".into(),
    };
    let figure = move |value: RwSignal<Option<f64>>, none: &'static str| {
        move || {
            value
                .get()
                .map_or_else(|| none.to_string(), |u| format!("{u:.4}"))
        }
    };

    view! {
        <dl
            class="stats"
            data-testid="learn-stats"
            data-epochs=move || state.reports.with(Vec::len).to_string()
            data-first-u=move || {
                state.reports.with(|r| r.first().map(|r| r.u_per_t.to_string()).unwrap_or_default())
            }
            data-last-u=of_last(state, |r| Some(r.u_per_t))
            data-training=move || state.training.get().to_string()
            data-loaded-u=move || {
                state.loaded_u_per_t.get().map(|u| u.to_string()).unwrap_or_default()
            }
            data-last-val-u=of_last(state, |r| r.val_u_per_t)
            data-kept-u=move || kept_u().map(|u| u.to_string()).unwrap_or_default()
            data-steps=of_last(state, |r| Some(r.steps))
            data-train-seconds=of_last(state, |r| Some(r.train_seconds))
            data-eval-seconds=of_last(state, |r| Some(r.eval_seconds))
            data-translation-spread=of_last(state, |r| r.translation_spread)
        >
            <dt>"held-out U/T"</dt>
            <dd data-testid="learn-held-out">{last(held_out)}</dd>
            <dt>"training U/T"</dt>
            <dd>{last(|r| format!("{:.4}", r.u_per_t))}</dd>
            <dt>"exact U/T (training)"</dt>
            <dd>{figure(state.exact_u_per_t, "unknown")}</dd>
            <dt>"occupancy-blind optimum"</dt>
            <dd data-testid="learn-blind">{figure(state.blind_u_per_t, "–")}</dd>
            <dt>"blocked leak"</dt>
            <dd>{last(|r| format!("{:.4}", r.val_blocked_leak.unwrap_or(r.blocked_leak)))}</dd>
            <dt title="the share of the network's total rate that moves when the lattice is shifted: 0 for rates that are the same at every site, as the true ones are">
                "translation spread"
            </dt>
            <dd data-testid="learn-translation-spread">
                {last(|r| {
                    r.translation_spread
                        .map_or_else(|| "–".into(), |s| format!("{:.1}%", 100.0 * s))
                })}
            </dd>
            <dt>"epoch time"</dt>
            <dd>{last(|r| format!("{:.2} s + {:.2} s eval", r.train_seconds, r.eval_seconds))}</dd>
            <dt>"class rates"</dt>
            <dd>{last(class_rates)}</dd>
            <dt>"model"</dt>
            <dd data-testid="learn-model">
                {move || state.model.get().unwrap_or_else(|| "none yet".into())}
            </dd>
        </dl>
    }
}
