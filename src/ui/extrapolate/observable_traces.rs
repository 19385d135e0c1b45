//! The observables of the side-by-side run over time: f4 and the largest cluster of the first
//! replica, true (dashed) and learned.

use super::{ExtrapolateState, SeriesSample};
use crate::core::observables::Snapshot;
use crate::ui::chart::{self, LEARNED_COLOUR, Series, TRUE_COLOUR};
use crate::ui::chart_export::ChartExport;
use crate::ui::commands::Commands;
use leptos::html::Canvas;
use leptos::prelude::*;

fn draw_series(
    canvas: &web_sys::HtmlCanvasElement,
    samples: &[SeriesSample],
    pick: fn(&Snapshot) -> f64,
    label: &str,
) -> Result<(), String> {
    let line = |name: &str, colour, dashed, which: fn(&SeriesSample) -> Option<Snapshot>| Series {
        label: name.to_string(),
        colour,
        points: samples
            .iter()
            .filter_map(|s| which(s).map(|snap| (s.time, pick(&snap))))
            .collect(),
        errors: None,
        dashed,
    };
    chart::multi_chart(
        canvas,
        &[
            line("true", TRUE_COLOUR, true, |s| s.truth),
            line("learned", LEARNED_COLOUR, false, |s| s.learned),
        ],
        "time",
        label,
    )
}

/// Two charts against time, redrawn as samples arrive.
#[component]
pub fn ObservableTraces(state: ExtrapolateState) -> impl IntoView {
    let commands = expect_context::<Commands>();
    let f4_canvas = NodeRef::<Canvas>::new();
    let largest_canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let samples = state.samples.get();
        for (canvas, pick, label) in [
            (
                f4_canvas,
                (|s: &Snapshot| s.f4) as fn(&Snapshot) -> f64,
                "f4 (replica 1)",
            ),
            (
                largest_canvas,
                |s: &Snapshot| s.largest,
                "largest cluster / N (replica 1)",
            ),
        ] {
            if let Some(canvas) = canvas.get()
                && let Err(problem) = draw_series(&canvas, &samples, pick, label)
            {
                commands.say(format!("The chart could not be drawn: {problem}"));
            }
        }
    });

    view! {
        <div class="charts" hidden=move || state.samples.with(Vec::is_empty)>
            <canvas
                node_ref=f4_canvas
                width="420"
                height="240"
                data-testid="extrapolate-f4-chart"
            ></canvas>
            <ChartExport canvas=f4_canvas name="side-by-side-f4" />
            <canvas
                node_ref=largest_canvas
                width="420"
                height="240"
                data-testid="extrapolate-largest-chart"
            ></canvas>
            <ChartExport canvas=largest_canvas name="side-by-side-largest" />
        </div>
    }
}
