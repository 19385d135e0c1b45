//! The side-by-side run of the Extrapolate view: the true and the learned dynamics on two live
//! canvases, their observables over time, and the final comparison with standard errors.

use super::chart::{self, LEARNED_COLOUR, Series, TRUE_COLOUR};
use super::commands::Commands;
use super::extrapolate_panel::{ExtrapolateState, SeriesSample};
use super::lattice_canvas;
use super::sweep_results::{estimate, figure_4_observables};
use crate::core::observables::Snapshot;
use crate::protocol::messages::SideBySideFrame;
use leptos::html::Canvas;
use leptos::prelude::*;
use std::collections::VecDeque;

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

#[component]
pub fn SideBySideView(state: ExtrapolateState, commands: Commands) -> impl IntoView {
    let truth_canvas = NodeRef::<Canvas>::new();
    let learned_canvas = NodeRef::<Canvas>::new();
    let frames = RwSignal::new(0usize);
    Effect::new(move |_| {
        let Some(frame) = state.frame.get() else {
            return;
        };
        let mut strip = VecDeque::new();
        if let (Some(t), Some(l)) = (truth_canvas.get(), learned_canvas.get()) {
            lattice_canvas::draw(&t, &frame.truth, &mut strip);
            lattice_canvas::draw(&l, &frame.learned, &mut strip);
            frames.update(|n| *n += 1);
        }
    });
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

    let frame_text = move |f: fn(&SideBySideFrame) -> String| {
        state
            .frame
            .with(|fr| fr.as_ref().map(f))
            .unwrap_or_else(|| "–".into())
    };
    let snap_text = |s: Option<Snapshot>| {
        s.map(|s| {
            format!(
                "f4 {:.3} · n_c {} · ⟨s⟩ {:.2} · largest {:.2}",
                s.f4, s.n_c, s.mean_s, s.largest
            )
        })
        .unwrap_or_else(|| "(burn-in)".into())
    };

    view! {
            <div class="side-by-side">
            <figure>
                <figcaption>"true dynamics"</figcaption>
                <canvas node_ref=truth_canvas width="300" height="300" data-testid="extrapolate-true-canvas"></canvas>
                <p class="small">{move || snap_text(state.frame.with(|f| f.as_ref().and_then(|f| f.truth_snapshot)))}</p>
            </figure>
            <figure>
                <figcaption>"learned dynamics"</figcaption>
                <canvas node_ref=learned_canvas width="300" height="300" data-testid="extrapolate-learned-canvas"
                    data-frames=move || frames.get().to_string()></canvas>
                <p class="small">{move || snap_text(state.frame.with(|f| f.as_ref().and_then(|f| f.learned_snapshot)))}</p>
            </figure>
            <dl class="stats" data-testid="extrapolate-stats"
                data-time=move || state.frame.with(|f| f.as_ref().map(|f| f.time.to_string())).unwrap_or_default()
                data-rejected=move || state.frame.with(|f| f.as_ref().map(|f| f.rejected.to_string())).unwrap_or_default()
                data-jumps=move || state.frame.with(|f| f.as_ref().map(|f| f.learned_jumps.to_string())).unwrap_or_default()
                data-done=move || state.side_summary.with(Option::is_some).to_string()>
                <dt>"time"</dt><dd>{move || frame_text(|f| format!("{:.1} / {}", f.time, f.total_time))}</dd>
                <dt>"learned moves"</dt><dd>{move || frame_text(|f| f.learned_jumps.to_string())}</dd>
                <dt>"rejected (blocked) moves"</dt><dd>{move || frame_text(|f| f.rejected.to_string())}</dd>
                <dt>"learned moves / s"</dt><dd>{move || frame_text(|f| format!("{:.3e}", f.events_per_s))}</dd>
            </dl>
        </div>
        <div class="charts">
            <canvas node_ref=f4_canvas width="420" height="240" data-testid="extrapolate-f4-chart"></canvas>
            <canvas node_ref=largest_canvas width="420" height="240" data-testid="extrapolate-largest-chart"></canvas>
        </div>
        {move || state.side_summary.get().map(|(t, l)| view! {
            <table class="membership" data-testid="extrapolate-summary">
                <tr><th>{format!("φ = {}, {} replicas", t.phi, t.replicas)}</th><th>"true"</th><th>"learned"</th></tr>
                {figure_4_observables().map(|o| view! {
                    <tr><td>{o.label()}</td><td>{estimate(t.estimate(o))}</td><td>{estimate(l.estimate(o))}</td></tr>
                }).collect_view()}
                <tr><td>"rejected moves"</td><td>"0"</td><td>{l.rejected.to_string()}</td></tr>
            </table>
        })}
    }
}
