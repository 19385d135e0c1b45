//! The density sweep of the Extrapolate view (the paper's Fig. 4): for each density, the true
//! and the learned ensembles' observables with standard errors, as charts and a table.

use super::{ExtrapolateJob, ExtrapolateState};
use crate::core::observables::Observable;
use crate::core::propagation::{EnsembleSummary, Estimate};
use crate::protocol::messages::SweepPoint;
use crate::ui::chart::{self, LEARNED_COLOUR, Series, TRUE_COLOUR};
use crate::ui::chart_export::ChartExport;
use crate::ui::commands::Commands;
use crate::ui::progress_bar::ProgressBar;
use leptos::html::Canvas;
use leptos::prelude::*;

/// The observables of Fig. 4 (its fluctuation as N var(f4), not var(f4)), one chart each.
pub fn figure_4_observables() -> impl Iterator<Item = Observable> {
    Observable::ALL
        .into_iter()
        .filter(|o| *o != Observable::VarF4)
}

/// How many charts the sweep draws.
const SWEEP_CHARTS: usize = Observable::ALL.len() - 1;

fn draw_sweep(
    canvas: &web_sys::HtmlCanvasElement,
    points: &[SweepPoint],
    observable: Observable,
) -> Result<(), String> {
    let field = |s: &EnsembleSummary| s.estimate(observable);
    let series = |name: &str, colour, dashed, pick: fn(&SweepPoint) -> &EnsembleSummary| Series {
        label: name.to_string(),
        colour,
        points: points
            .iter()
            .map(|p| (pick(p).phi, field(pick(p)).mean))
            .collect(),
        errors: Some(points.iter().map(|p| field(pick(p)).sem).collect()),
        dashed,
    };
    chart::multi_chart(
        canvas,
        &[
            series("true", TRUE_COLOUR, true, |p| &p.truth),
            series("learned", LEARNED_COLOUR, false, |p| &p.learned),
        ],
        "φ",
        observable.label(),
    )
}

/// An estimate as "mean ± standard error".
pub fn estimate(e: Estimate) -> String {
    format!("{:.4} ± {:.4}", e.mean, e.sem)
}

#[component]
pub fn SweepResults(state: ExtrapolateState) -> impl IntoView {
    let commands = expect_context::<Commands>();
    let sweep_canvases: [NodeRef<Canvas>; SWEEP_CHARTS] = std::array::from_fn(|_| NodeRef::new());
    Effect::new(move |_| {
        let points = state.sweep.get();
        for (canvas, observable) in sweep_canvases.iter().zip(figure_4_observables()) {
            if let Some(canvas) = canvas.get()
                && let Err(problem) = draw_sweep(&canvas, &points, observable)
            {
                commands.say(format!("The chart could not be drawn: {problem}"));
            }
        }
    });

    let sweep_text = move || match state.sweep_progress.get() {
        Some((phi, f)) if state.running.get() == ExtrapolateJob::Sweep => {
            format!("φ = {phi}: {:.0}% of the learned run", 100.0 * f)
        }
        _ => format!(
            "{} of {} densities done",
            state.sweep.with(Vec::len),
            state.sweep_densities.with(Vec::len)
        ),
    };
    let sweep_percent = move || {
        let total = state.sweep_densities.with(Vec::len).max(1) as f64;
        let done = state.sweep.with(Vec::len) as f64;
        let inner = if state.running.get() == ExtrapolateJob::Sweep {
            state.sweep_progress.get().map(|p| p.1).unwrap_or(0.0)
        } else {
            0.0
        };
        (100.0 * (done + inner) / total).min(100.0)
    };

    view! {
        <h3>"Density sweep (the paper's Fig. 4): mean ± standard error over replicas"</h3>
        <div
            data-testid="sweep-progress"
            data-points=move || state.sweep.with(Vec::len).to_string()
            data-running=move || (state.running.get() == ExtrapolateJob::Sweep).to_string()
        >
            <ProgressBar
                test_id="sweep-progress-bar"
                percent=Signal::derive(sweep_percent)
                text=Signal::derive(sweep_text)
            />
        </div>
        <div class="charts" hidden=move || state.sweep.with(Vec::is_empty)>
            {sweep_canvases
                .iter()
                .zip(figure_4_observables())
                .map(|(canvas, o)| {
                    view! {
                        <figure class="chart">
                            <canvas
                                node_ref=*canvas
                                width="360"
                                height="240"
                                data-testid=format!("sweep-{}", o.key())
                            ></canvas>
                            <ChartExport canvas=*canvas name=format!("sweep-{}", o.key()) />
                        </figure>
                    }
                })
                .collect_view()}
        </div>
        <table class="membership" data-testid="sweep-table">
            <tr>
                <th>"φ"</th>
                <th>"f4 true"</th>
                <th>"f4 learned"</th>
                <th>"largest true"</th>
                <th>"largest learned"</th>
                <th>"rejected"</th>
                <th>"learned moves / s"</th>
            </tr>
            {move || {
                state
                    .sweep
                    .get()
                    .into_iter()
                    .map(|p| {
                        view! {
                            <tr>
                                <td>{p.truth.phi}</td>
                                <td>{estimate(p.truth.f4)}</td>
                                <td>{estimate(p.learned.f4)}</td>
                                <td>{estimate(p.truth.largest)}</td>
                                <td>{estimate(p.learned.largest)}</td>
                                <td>{p.learned.rejected.to_string()}</td>
                                <td>{format!("{:.3e}", p.events_per_s)}</td>
                            </tr>
                        }
                    })
                    .collect_view()
            }}
        </table>
    }
}
