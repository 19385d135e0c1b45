//! What the network learned, as a picture: for a particle the user clicks in the trajectory's
//! last configuration, the learned rate of each of its moves beside the true rate, and where
//! its attention goes among the other particles.

use super::LearnState;
use crate::core::simulation::ConfigView;
use crate::protocol::messages::Request;
use crate::ui::commands::Commands;
use crate::ui::lattice_canvas;
use leptos::html::Canvas;
use leptos::prelude::*;
use std::collections::VecDeque;

/// The inspected configuration with the attention drawn over it, and the table of moves.
#[component]
pub fn NetworkView(state: LearnState, active_lattice: Signal<bool>) -> impl IntoView {
    let commands = expect_context::<Commands>();
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let Some((view, seen)) = state.inspection.get() else {
            return;
        };
        if let Some(canvas) = canvas.get() {
            lattice_canvas::draw(&canvas, &view, &mut VecDeque::new());
            lattice_canvas::highlight(&canvas, &view, &seen.attention, seen.particle);
        }
    });
    let look = move |particle: usize| commands.send(Request::Inspect { particle });
    let click = move |ev: leptos::ev::MouseEvent| {
        let (Some(canvas), Some((view, _))) = (canvas.get_untracked(), state.inspection.get())
        else {
            return;
        };
        // From CSS pixels (the canvas may be drawn smaller than its size) to canvas pixels.
        let scale = f64::from(canvas.width()) / f64::from(canvas.client_width().max(1));
        let (x, y) = (
            f64::from(ev.offset_x()) * scale,
            f64::from(ev.offset_y()) * scale,
        );
        if let Some(particle) = lattice_canvas::particle_at(&canvas, &view, x, y) {
            look(particle);
        }
    };
    let rows = move || {
        state.inspection.with(|seen| {
            seen.as_ref().map(|(_, seen)| {
                seen.moves
                    .iter()
                    .map(|m| {
                        let truth = m.truth.map_or_else(|| "?".into(), |t| format!("{t}"));
                        view! {
                            <tr>
                                <td>{m.label.clone()}</td>
                                <td class="learned-rate">{format!("{:.3}", m.learned)}</td>
                                <td>{truth}</td>
                            </tr>
                        }
                    })
                    .collect_view()
            })
        })
    };
    // "L;x,y;x,y;…": where each particle sits, for the tests to click one.
    let cells = move || {
        state
            .inspection
            .with(|seen| match seen.as_ref().map(|(view, _)| view) {
                Some(ConfigView::Particles { l, particles }) => {
                    let mut text = l.to_string();
                    for (x, y) in particles.x.iter().zip(&particles.y) {
                        text.push_str(&format!(";{x},{y}"));
                    }
                    text
                }
                _ => String::new(),
            })
    };
    let shown = move || {
        state
            .inspection
            .with(|s| s.as_ref().map(|(_, s)| s.particle))
    };
    view! {
        <section
            class="network-view"
            data-testid="network-view"
            hidden=move || !active_lattice.get() || state.model.with(Option::is_none)
        >
            <h3>"What the network learned"</h3>
            <p class="hint">
                "For one particle of the trajectory's last configuration: the rate the network \
                learned for each of its moves beside the true rate, and, ringed in orange, the \
                particles it attends to in its last layer (the stronger, the more). Click \
                another particle to look at it."
            </p>
            <button
                data-testid="network-look"
                on:click=move |_| look(shown().unwrap_or(0))
                disabled=move || state.training.get()
            >
                "Look into the network"
            </button>
            <div class="sim-body" hidden=move || shown().is_none()>
                <canvas
                    node_ref=canvas
                    width="360"
                    height="360"
                    data-testid="network-canvas"
                    data-particle=move || shown().map(|p| p.to_string()).unwrap_or_default()
                    data-cells=cells
                    aria-label="The last configuration: click a particle to see its learned rates"
                    on:click=click
                ></canvas>
                <table class="membership" data-testid="network-moves">
                    <tr>
                        <th>{move || format!("moves of particle {}", shown().unwrap_or(0))}</th>
                        <th>"learned rate"</th>
                        <th>"true rate"</th>
                    </tr>
                    {rows}
                </table>
            </div>
        </section>
    }
}
