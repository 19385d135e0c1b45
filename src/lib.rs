//! Jumpformer: learn the rules of a stochastic many-body system from one observed trajectory.
//!
//! Layers, bottom to top (see ARCHITECTURE.md):
//! - [`core`]: models, the CTMC engine, trajectories, observables, the learner. No browser code.
//! - [`protocol`]: the typed messages between the page and its worker.
//! - `worker` (wasm only): runs the heavy work in a Web Worker.
//! - `ui` (wasm only): the leptos page.
//! - `cli` (native only): the command-line entry to the core.

pub mod core;
pub mod protocol;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod worker;
