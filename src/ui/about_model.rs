//! "About the models": the rules of the active lattice and of the Fredrickson–Andersen model,
//! each move with a small picture and its rate (the current settings' rates), and the path
//! log-likelihood the learner maximises.

use crate::core::model::ModelSpec;
use crate::protocol::link::LinkSettings;
use leptos::prelude::*;

/// A cell of a move's picture: empty, a particle pointing right, or a particle after the move.
#[derive(Clone, Copy)]
enum Cell {
    Empty,
    Particle,
    Blocker,
}

/// A small picture of one move: a row of cells before, an arrow, the row after.
fn picture(before: [Cell; 3], after: [Cell; 3], turned: Option<&'static str>) -> impl IntoView {
    let cells = move |row: [Cell; 3], x0: f64, turn: Option<&'static str>| {
        row.into_iter()
            .enumerate()
            .map(|(i, cell)| {
                let x = x0 + 18.0 * i as f64;
                let square = view! { <rect x=x y="2" width="16" height="16" rx="2" fill="#eef2fa" stroke="#c8d0de" /> };
                let token = match cell {
                    Cell::Empty => None,
                    Cell::Particle => {
                        let rotate = format!("rotate({} {} 10)", turn.unwrap_or("0"), x + 8.0);
                        Some(
                            view! {
                                <g transform=rotate>
                                    <rect
                                        x=x + 2.0
                                        y="4"
                                        width="12"
                                        height="12"
                                        rx="2"
                                        fill="#0072b2"
                                    />
                                    <path d=format!("M{} 10 l-5 -4 v8 z", x + 14.0) fill="#fff" />
                                </g>
                            }
                                .into_any(),
                        )
                    }
                    Cell::Blocker => Some(
                        view! { <rect x=x + 2.0 y="4" width="12" height="12" rx="2" fill="#e69f00" /> }
                            .into_any(),
                    ),
                };
                view! {
                    {square}
                    {token}
                }
            })
            .collect_view()
    };
    view! {
        <svg viewBox="0 0 138 20" width="138" height="20" aria-hidden="true">
            {cells(before, 0.0, None)}
            <path d="M60 10 h14 m-4 -4 l4 4 l-4 4" stroke="#5b6578" fill="none" />
            {cells(after, 84.0, turned)}
        </svg>
    }
}

/// The rules of both models and the log-likelihood, folded away until opened.
#[component]
pub fn AboutModel() -> impl IntoView {
    use Cell::{Blocker, Empty, Particle};
    let link = expect_context::<RwSignal<LinkSettings>>();
    let rates = move || match link.with(|l| l.simulation.model.clone()) {
        ModelSpec::ActiveLattice(m) => (m.d, m.v_plus, m.v_zero),
        ModelSpec::Fa(_) => (0.1, 10.0, 1.0),
    };
    view! {
        <details class="panel wide about" id="about" data-testid="about">
            <summary>
                <h2>"About the models"</h2>
            </summary>
            <h3>"The active lattice (the paper's active matter)"</h3>
            <p>
                "N particles on an L × L periodic square lattice, at most one per site, each \
                pointing in one of four directions. In continuous time, each particle makes one \
                of these moves, at these rates:"
            </p>
            <table class="moves">
                <tr>
                    <td>
                        {picture([Empty, Particle, Empty], [Empty, Particle, Empty], Some("-90"))}
                    </td>
                    <td>"turn a quarter turn, either way"</td>
                    <td>{move || format!("D = {}", rates().0)}</td>
                </tr>
                <tr>
                    <td>{picture([Particle, Empty, Empty], [Empty, Particle, Empty], None)}</td>
                    <td>"hop forward, onto an empty site"</td>
                    <td>{move || format!("v₊ = {}", rates().1)}</td>
                </tr>
                <tr>
                    <td>
                        {picture([Empty, Particle, Empty], [Particle, Empty, Empty], Some("0"))}
                    </td>
                    <td>"hop in each of the other three directions, onto an empty site"</td>
                    <td>{move || format!("v₀ = {}", rates().2)}</td>
                </tr>
                <tr>
                    <td>{picture([Particle, Blocker, Empty], [Particle, Blocker, Empty], None)}</td>
                    <td>"hop onto an occupied site: blocked"</td>
                    <td>"0"</td>
                </tr>
            </table>
            <p>
                "Those are 4 distinct rates (counting the blocked moves' 0): the number the \
                Discover step should find, without being told that a particle cannot hop onto \
                another. With v₊ much larger than v₀ particles are self-propelled, and above a \
                density of about 0.3 they block each other into clusters (motility-induced phase \
                separation)."
            </p>
            <h3>"The Fredrickson–Andersen model"</h3>
            <p>
                "A ring of L sites, each up or down. A site flips only if at least one neighbour \
                is up (a kinetic constraint): up at rate c, down at rate 1 − c."
            </p>
            <h3>"What the learner maximises"</h3>
            <p>
                "The path log-likelihood of the trajectory (Eq. 1 of the paper): U = Σ ln \
                W(C_k → C_k+1) − Σ R(C_k) Δt_k, with W the learned rate of each observed jump, \
                R(C) the learned total rate out of configuration C, and Δt_k the time spent in \
                it. U/T of the true rates is the best any model can reach on new data."
            </p>
        </details>
    }
}
