//! The side-by-side run of the Extrapolate view: the true and the learned dynamics on two live
//! canvases, their observables over time, and the final comparison with standard errors.

use super::ExtrapolateState;
use super::observable_traces::ObservableTraces;
use super::side_by_side_summary::SideBySideSummary;
use crate::core::observables::Snapshot;
use crate::protocol::messages::SideBySideFrame;
use crate::ui::lattice_canvas;
use leptos::html::Canvas;
use leptos::prelude::*;
use std::collections::VecDeque;

#[component]
pub fn SideBySideView(state: ExtrapolateState) -> impl IntoView {
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
                <canvas
                    node_ref=truth_canvas
                    width="300"
                    height="300"
                    data-testid="extrapolate-true-canvas"
                ></canvas>
                <p class="small">
                    {move || snap_text(
                        state.frame.with(|f| f.as_ref().and_then(|f| f.truth_snapshot)),
                    )}
                </p>
            </figure>
            <figure>
                <figcaption>"learned dynamics"</figcaption>
                <canvas
                    node_ref=learned_canvas
                    width="300"
                    height="300"
                    data-testid="extrapolate-learned-canvas"
                    data-frames=move || frames.get().to_string()
                ></canvas>
                <p class="small">
                    {move || snap_text(
                        state.frame.with(|f| f.as_ref().and_then(|f| f.learned_snapshot)),
                    )}
                </p>
            </figure>
            <dl
                class="stats"
                data-testid="extrapolate-stats"
                data-time=move || {
                    state.frame.with(|f| f.as_ref().map(|f| f.time.to_string())).unwrap_or_default()
                }
                data-rejected=move || {
                    state
                        .frame
                        .with(|f| f.as_ref().map(|f| f.rejected.to_string()))
                        .unwrap_or_default()
                }
                data-jumps=move || {
                    state
                        .frame
                        .with(|f| f.as_ref().map(|f| f.learned_jumps.to_string()))
                        .unwrap_or_default()
                }
                data-done=move || state.side_summary.with(Option::is_some).to_string()
            >
                <dt>"time"</dt>
                <dd>{move || frame_text(|f| format!("{:.1} / {}", f.time, f.total_time))}</dd>
                <dt>"learned moves"</dt>
                <dd>{move || frame_text(|f| f.learned_jumps.to_string())}</dd>
                <dt>"rejected (blocked) moves"</dt>
                <dd>{move || frame_text(|f| f.rejected.to_string())}</dd>
                <dt>"learned moves / s"</dt>
                <dd>{move || frame_text(|f| format!("{:.3e}", f.events_per_s))}</dd>
            </dl>
        </div>
        <ObservableTraces state=state />
        <SideBySideSummary state=state />
    }
}
