//! The scan's results: best U/T against N_W as a chart and a table, and where the curve
//! flattens.

use super::DiscoverState;
use crate::core::plateau::{Gap, NOISE_STANDARD_ERRORS, Plateau};
use crate::protocol::messages::ScanPoint;
use crate::ui::chart;
use crate::ui::chart_export::ChartExport;
use crate::ui::commands::Commands;
use leptos::prelude::*;

/// Where the scan's curve flattens (see [`crate::core::plateau`]).
pub(super) fn plateau(points: &[ScanPoint]) -> Option<Plateau> {
    let scores: Vec<_> = points.iter().map(ScanPoint::score).collect();
    crate::core::plateau::plateau(&scores)
}

/// "1.47 ± 0.21": a gap to the best with its standard error.
fn gap_text(gap: &Gap) -> String {
    match gap.standard_error {
        Some(se) => format!("{:.3} ± {se:.3}", gap.gap),
        None => format!("{:.3}", gap.gap),
    }
}

/// The sentence under the table: where the curve flattens and the evidence.
fn plateau_text(found: &Plateau, judged_on: &str) -> String {
    let n = found.classes;
    let mut text = format!("The curve flattens at N_W = {n}");
    if found.best_classes != n {
        let gap = found.gap(n).map(|g| gap_text(&g)).unwrap_or_default();
        text += &format!(
            ": the best {judged_on} U/T is N_W = {}'s, {gap} above N_W = {n}, ",
            found.best_classes
        );
        text += if found.gap(n).is_some_and(|g| g.within_noise()) {
            "within the noise (two standard errors)"
        } else {
            "a negligible difference (under 1% of the curve's rise)"
        };
    }
    match found.below() {
        Some(below) if found.blocks > 0 => {
            text += &format!(
                ". N_W = {} is {} below the best on the {judged_on} trajectory, more than \
                 its noise allows (standard errors from {} stretches of the trajectory).",
                below.classes,
                gap_text(&below),
                found.blocks
            );
        }
        Some(below) => {
            text += &format!(
                ". N_W = {} is {:.3} below the best, more than 2% of the curve's rise.",
                below.classes, below.gap
            );
        }
        None => text += ".",
    }
    text
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
pub fn ScanChart(state: DiscoverState, discovered: Memo<Option<Plateau>>) -> impl IntoView {
    let commands = expect_context::<Commands>();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        let found = discovered.get();
        let curves = state.points.with(|p| chart::UCurves {
            training: p.iter().map(|p| (p.classes as f64, p.u_per_t)).collect(),
            exact: state.exact_u_per_t.get(),
            held_out: p
                .iter()
                .filter_map(|p| Some((p.classes as f64, p.val_u_per_t?)))
                .collect(),
            // Two standard errors of each point's gap to the best: a bar that reaches the best
            // point's level is within noise of it.
            held_out_errors: found
                .as_ref()
                .filter(|found| found.blocks > 0 && p.iter().all(|p| p.val_u_per_t.is_some()))
                .and_then(|found| {
                    p.iter()
                        .map(|p| {
                            let gap = found.gap(p.classes)?;
                            Some(NOISE_STANDARD_ERRORS * gap.standard_error?)
                        })
                        .collect()
                }),
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
    discovered: Memo<Option<Plateau>>,
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
                    discovered
                        .with(|d| d.as_ref().map(|d| d.classes.to_string()).unwrap_or_default())
                }
            >
                <tr>
                    <th>"N_W"</th>
                    <th>"held-out U/T"</th>
                    <th title="How far this N_W's U/T lies below the best one's (held-out when \
                    there is a held-out trajectory), ± its standard error">"below the best"</th>
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
                                    <td class="gap">
                                        {move || {
                                            discovered
                                                .with(|d| {
                                                    d.as_ref()
                                                        .and_then(|d| d.gap(n))
                                                        .map(|g| gap_text(&g))
                                                        .unwrap_or_else(|| "–".into())
                                                })
                                        }}
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
            <p class="hint" data-testid="discover-plateau">
                {move || {
                    let judged_on = if state
                        .points
                        .with(|p| p.iter().all(|p| p.val_u_per_t.is_some()))
                    {
                        "held-out"
                    } else {
                        "training"
                    };
                    let exact = state
                        .val_exact_u_per_t
                        .get()
                        .filter(|_| judged_on == "held-out")
                        .or_else(|| state.exact_u_per_t.get())
                        .map(|e| format!(" Exact {judged_on} U/T of the true dynamics: {e:.3}."))
                        .unwrap_or_default();
                    match discovered.get() {
                        Some(found) => plateau_text(&found, judged_on) + &exact,
                        None => "Scan to see where the curve flattens.".into(),
                    }
                }}
            </p>
        </div>
    }
}
