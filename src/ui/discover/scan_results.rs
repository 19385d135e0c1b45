//! The scan's results: best U/T against N_W as a chart and a table, and where the curve
//! flattens.

use super::DiscoverState;
use crate::protocol::messages::ScanPoint;
use crate::ui::chart;
use crate::ui::chart_export::ChartExport;
use crate::ui::commands::Commands;
use leptos::prelude::*;

/// The U/T a scan point is judged by: held-out when there is a held-out trajectory.
fn judged(point: &ScanPoint) -> f64 {
    point.val_u_per_t.unwrap_or(point.u_per_t)
}

/// The smallest N_W whose (held-out) U/T is within 2% of the range's top: where the curve
/// flattens.
pub(super) fn plateau(points: &[ScanPoint]) -> Option<usize> {
    let best = points
        .iter()
        .map(judged)
        .filter(|u| u.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    let worst = points
        .iter()
        .map(judged)
        .filter(|u| u.is_finite())
        .fold(f64::INFINITY, f64::min);
    if !best.is_finite() || points.len() < 2 {
        return None;
    }
    let tolerance = 0.02 * (best - worst).max(best.abs() * 0.01);
    points
        .iter()
        .filter(|p| judged(p) >= best - tolerance)
        .map(|p| p.classes)
        .min()
}

fn rates_text(rates: &[f64]) -> String {
    rates
        .iter()
        .map(|r| format!("{r:.3}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Best U/T against N_W, training and held-out, with dashed references: the exact U/T and the
/// held-out bound of a learner that only knows the kind of each move.
#[component]
pub fn ScanChart(state: DiscoverState) -> impl IntoView {
    let commands = expect_context::<Commands>();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        let curves = state.points.with(|p| chart::UCurves {
            training: p.iter().map(|p| (p.classes as f64, p.u_per_t)).collect(),
            exact: state.exact_u_per_t.get(),
            held_out: p
                .iter()
                .filter_map(|p| Some((p.classes as f64, p.val_u_per_t?)))
                .collect(),
            held_out_exact: state.val_exact_u_per_t.get(),
            blind: None,
            kind_bound: state.val_kind_bounds.with(|b| {
                b.iter()
                    .enumerate()
                    .map(|(i, &u)| ((i + 1) as f64, u))
                    .collect()
            }),
        });
        if let Some(canvas) = canvas.get()
            && let Err(problem) = chart::u_chart(&canvas, &curves, "N_W", "best U/T")
        {
            commands.say(format!("The chart could not be drawn: {problem}"));
        }
    });
    view! {
        <figure class="chart" hidden=move || state.points.with(Vec::is_empty)>
            <canvas
                node_ref=canvas
                width="560"
                height="320"
                data-testid="discover-chart"
                data-kind-bounds=move || {
                    state
                        .val_kind_bounds
                        .with(|b| b.iter().map(f64::to_string).collect::<Vec<_>>().join(","))
                }
            ></canvas>
            <ChartExport canvas=canvas name="discover-u-per-t" />
        </figure>
    }
}

/// One row per finished N_W (held-out and training U/T, class rates), with a button that
/// shows its classes, and a sentence on where the curve flattens.
#[component]
pub fn ScanTable(
    state: DiscoverState,
    discovered: Memo<Option<usize>>,
    shown: Memo<Option<ScanPoint>>,
) -> impl IntoView {
    view! {
        <div>
            <table
                class="scan-table"
                data-testid="discover-table"
                data-points=move || state.points.with(Vec::len).to_string()
                data-u=move || {
                    state
                        .points
                        .with(|p| {
                            p.iter().map(|p| p.u_per_t.to_string()).collect::<Vec<_>>().join(",")
                        })
                }
                data-running=move || state.running.get().to_string()
                data-discovered=move || {
                    discovered.get().map(|n| n.to_string()).unwrap_or_default()
                }
            >
                <tr>
                    <th>"N_W"</th>
                    <th>"held-out U/T"</th>
                    <th>"training U/T"</th>
                    <th>"class rates"</th>
                    <th></th>
                </tr>
                {move || {
                    state
                        .points
                        .get()
                        .into_iter()
                        .map(|p| {
                            let n = p.classes;
                            view! {
                                <tr class:chosen=move || {
                                    shown.with(|s| s.as_ref().is_some_and(|s| s.classes == n))
                                }>
                                    <td>{n}</td>
                                    <td>
                                        {p
                                            .val_u_per_t
                                            .map(|u| format!("{u:.3}"))
                                            .unwrap_or_else(|| "–".into())}
                                    </td>
                                    <td>{format!("{:.3}", p.u_per_t)}</td>
                                    <td>{rates_text(&p.class_rates)}</td>
                                    <td>
                                        <button
                                            class="small"
                                            on:click=move |_| state.shown.set(Some(n))
                                        >
                                            "classes"
                                        </button>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()
                }}
            </table>
            <p class="hint">
                {move || match (discovered.get(), state.exact_u_per_t.get()) {
                    (Some(n), Some(exact)) => {
                        format!(
                            "The curve flattens at N_W = {n} (within 2% of the best). \
                            Exact U/T of the true dynamics: {exact:.3}.",
                        )
                    }
                    (Some(n), None) => {
                        format!("The curve flattens at N_W = {n} (within 2% of the best).")
                    }
                    _ => "Scan to see where the curve flattens.".into(),
                }}
            </p>
        </div>
    }
}
