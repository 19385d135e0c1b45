//! The current trajectory: where it came from, its jumps, T, exact U/T, size and speed, and
//! its time-averaged observables.

use super::SimulationState;
use crate::core::observables::Observable;
use leptos::prelude::*;

/// A card describing the current trajectory (nothing before the first).
#[component]
pub fn TrajectoryCard(state: SimulationState) -> impl IntoView {
    move || {
        state.trajectory.get().map(|t| {
            let u = t
                .u_per_t
                .map(|u| format!("{u:.4}"))
                .unwrap_or_else(|| "unknown (no rates in the file)".into());
            let speed = t
                .seconds
                .map(|s| {
                    format!(
                        " · simulated in {s:.2} s at {:.0} events/s",
                        t.jumps as f64 / s.max(1e-9)
                    )
                })
                .unwrap_or_default();
            let obs = t.observables.map(|o| {
                let values: Vec<String> = Observable::ALL
                    .iter()
                    .map(|k| format!("{} {:.*}", k.label(), k.digits(), k.of_summary(&o)))
                    .collect();
                format!(
                    "Time averages over {} snapshots: {}",
                    o.snapshots,
                    values.join(", ")
                )
            });
            view! {
                <div
                    class="trajectory"
                    data-testid="trajectory"
                    data-jumps=t.jumps.to_string()
                    data-u-per-t=t.u_per_t.map(|u| u.to_string()).unwrap_or_default()
                >
                    <strong>"Trajectory: "</strong>
                    {format!(
                        "{} ({}), {} jumps over T = {}, exact U/T = {u}, {:.1} bytes/jump{speed}",
                        t.source,
                        t.kind,
                        t.jumps,
                        t.total_time,
                        t.bytes_per_jump,
                    )}
                    {obs.map(|o| view! { <p>{o}</p> })}
                </div>
            }
        })
    }
}
