//! Which moves fall into which class: for the N_W shown, each true kind of move with its true
//! rate, its rate in the trajectory, the learned rate and how its moves split over the classes.

use crate::core::discovery::KindEstimate;
use crate::protocol::messages::ScanPoint;
use leptos::prelude::*;

/// The class membership of `point`'s network (nothing in Mode 1 or for FA), with the
/// trajectory's own rate of each kind (`estimates`) beside it.
#[component]
pub fn ClassMembershipTable(
    point: Memo<Option<ScanPoint>>,
    estimates: RwSignal<Vec<KindEstimate>>,
) -> impl IntoView {
    move || {
        point
            .get()
            .and_then(|p| p.membership.map(|m| (p.classes, m)))
            .map(|(n, m)| {
                let names = m.class_kinds();
                let header = m
                    .class_rates
                    .iter()
                    .enumerate()
                    .map(|(k, r)| {
                        let name = names
                            .get(k)
                            .copied()
                            .flatten()
                            .map(|(kind, share)| {
                                format!("{}: {:.0}%", kind.label(), 100.0 * share)
                            })
                            .unwrap_or_else(|| "empty".into());
                        view! {
                            <th title="the true kind that makes up most of this class's moves">
                                {format!("class {} (rate {r:.3})", k + 1)} <br />
                                <span class="class-kind" data-testid="class-kind">
                                    {name}
                                </span>
                            </th>
                        }
                    })
                    .collect_view();
                let kind_rates = m.kind_rates();
                let estimates = estimates.get();
                let rows = m
                    .kinds
                    .iter()
                    .enumerate()
                    .map(|(i, kind)| {
                        let truth = m
                            .true_rates
                            .as_ref()
                            .and_then(|t| t.get(i))
                            .map(|r| format!("{r}"))
                            .unwrap_or_else(|| "?".into());
                        let estimate = estimates
                            .get(i)
                            .filter(|e| e.events > 0)
                            .map(|e| {
                                format!(
                                    "{:.3} ± {:.0}%",
                                    e.rate(),
                                    100.0 * e.relative_error(),
                                )
                            })
                            .unwrap_or_else(|| "–".into());
                        let learned = kind_rates
                            .get(i)
                            .copied()
                            .flatten()
                            .map(|r| format!("{r:.3}"))
                            .unwrap_or_else(|| "–".into());
                        let total: u64 = m.counts[i].iter().sum();
                        let cells = m
                            .counts[i]
                            .iter()
                            .map(|&c| {
                                let share = if total > 0 {
                                    100.0 * c as f64 / total as f64
                                } else {
                                    0.0
                                };
                                let major = share >= 50.0;
                                view! { <td class:major=major>{format!("{c} ({share:.0}%)")}</td> }
                            })
                            .collect_view();
                        view! {
                            <tr>
                                <td>{kind.clone()}</td>
                                <td>{truth}</td>
                                <td>{estimate}</td>
                                <td class="learned-rate">{learned}</td>
                                {cells}
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <h3>
                        {format!(
                            "Which moves fall into which class (N_W = {n}, {} \
                            configurations of the trajectory)",
                            m.configs,
                        )}
                    </h3>
                    <table class="membership" data-testid="discover-membership">
                        <tr>
                            <th>"true kind of move"</th>
                            <th>"true rate"</th>
                            <th title="jumps of this kind / time-integrated number of such moves, ± its Poisson error">
                                "rate in the trajectory"
                            </th>
                            <th title="the class rates averaged over the moves of this kind">
                                "learned rate"
                            </th>
                            {header}
                        </tr>
                        {rows}
                    </table>
                }
            })
    }
}
