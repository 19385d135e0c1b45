//! The side-by-side run's result: each observable of Fig. 4, true and learned, as a mean over
//! replicas with its standard error.

use super::ExtrapolateState;
use super::sweep_results::{estimate, figure_4_observables};
use leptos::prelude::*;

/// The comparison table, once the run has ended.
#[component]
pub fn SideBySideSummary(state: ExtrapolateState) -> impl IntoView {
    move || {
        state.side_summary.get().map(|(t, l)| {
            view! {
                <table class="membership" data-testid="extrapolate-summary">
                    <tr>
                        <th>{format!("φ = {}, {} replicas", t.phi, t.replicas)}</th>
                        <th>"true"</th>
                        <th>"learned"</th>
                    </tr>
                    {figure_4_observables()
                        .map(|o| {
                            view! {
                                <tr>
                                    <td>{o.label()}</td>
                                    <td>{estimate(t.estimate(o))}</td>
                                    <td>{estimate(l.estimate(o))}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                    <tr>
                        <td>"rejected moves"</td>
                        <td>"0"</td>
                        <td>{l.rejected.to_string()}</td>
                    </tr>
                </table>
            }
        })
    }
}
