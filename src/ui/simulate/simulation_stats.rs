//! The running simulation's figures: time, events, events/s and the observables of the
//! configuration on the canvas.

use super::SimulationState;
use crate::core::observables::Observable;
use crate::protocol::messages::SimulationFrame;
use leptos::prelude::*;

/// The latest frame's figures.
#[component]
pub fn SimulationStats(state: SimulationState) -> impl IntoView {
    let number = |value: Option<f64>, digits: usize| {
        value
            .map(|v| format!("{v:.digits$}"))
            .unwrap_or_else(|| "–".into())
    };
    let frame_value = move |f: fn(&SimulationFrame) -> Option<f64>, digits: usize| {
        move || number(state.frame.get().as_ref().and_then(f), digits)
    };

    view! {
        <dl class="stats">
            <dt>"time"</dt>
            <dd data-testid="sim-time">
                {frame_value(|f| Some(f.time), 2)} " / " {frame_value(|f| Some(f.total_time), 0)}
            </dd>
            <dt>"events"</dt>
            <dd data-testid="sim-events">
                {move || {
                    state.frame.get().map(|f| f.events.to_string()).unwrap_or_else(|| "–".into())
                }}
            </dd>
            <dt title="events per second of wall-clock time since the start, pauses left out">
                "events/s"
            </dt>
            <dd data-testid="sim-rate">{frame_value(|f| Some(f.events_per_s), 0)}</dd>
            {Observable::ALL
                .into_iter()
                .filter(|o| o.of_one_configuration())
                .map(|o| {
                    view! {
                        <dt>{o.label()}</dt>
                        <dd data-testid=format!(
                            "obs-{}",
                            o.key(),
                        )>
                            {move || number(
                                state
                                    .frame
                                    .get()
                                    .and_then(|f| f.observables)
                                    .and_then(|s| o.of_snapshot(&s)),
                                o.digits(),
                            )}
                        </dd>
                    }
                })
                .collect_view()}
        </dl>
    }
}
