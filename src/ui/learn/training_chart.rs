//! U/T against epochs: training and held-out, with the exact U/T and the occupancy-blind
//! optimum dashed.

use super::LearnState;
use crate::ui::chart;
use crate::ui::chart_export::ChartExport;
use crate::ui::commands::Commands;
use leptos::prelude::*;

/// The training's U/T per epoch as a chart.
#[component]
pub fn TrainingChart(state: LearnState) -> impl IntoView {
    let commands = expect_context::<Commands>();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        let curves = state.reports.with(|r| chart::UCurves {
            training: r.iter().map(|r| (r.epoch as f64, r.u_per_t)).collect(),
            exact: state.exact_u_per_t.get(),
            held_out_errors: None,
            held_out: r
                .iter()
                .filter_map(|r| Some((r.epoch as f64, r.val_u_per_t?)))
                .collect(),
            held_out_exact: r.last().and_then(|r| r.val_exact_u_per_t),
            blind: state.blind_u_per_t.get(),
            kind_bound: Vec::new(),
        });
        if let Some(canvas) = canvas.get()
            && let Err(problem) = chart::u_chart(&canvas, &curves, "epoch", "U/T")
        {
            commands.say(format!("The chart could not be drawn: {problem}"));
        }
    });
    view! {
        <figure class="chart" hidden=move || state.reports.with(Vec::is_empty)>
            <canvas node_ref=canvas width="560" height="320" data-testid="learn-chart"></canvas>
            <ChartExport canvas=canvas name="learn-u-per-t" />
        </figure>
    }
}
