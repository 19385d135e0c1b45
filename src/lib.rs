//! Jumpformer: learn the rules of a stochastic many-body system from one observed trajectory.
//!
//! Layers, bottom to top (see ARCHITECTURE.md):
//! - [`core`]: models, the CTMC engine, trajectories, observables, the learner. No browser code.
//! - [`protocol`]: the typed messages between the page and its worker.
//! - `worker` (wasm): runs the heavy work in a Web Worker; with `learner`, the network's jobs too.
//! - `ui` (wasm, feature `page`): the leptos page.
//! - `cli` (native, feature `learner`): the command-line entry to the core.
//!
//! Without `learner` the core keeps its models, simulation, observables and the data types of
//! learning (settings, reports) but not the network: that is what the page is built with.

pub mod core;
pub mod protocol;

#[cfg(all(not(target_arch = "wasm32"), feature = "learner"))]
pub mod cli;
#[cfg(all(target_arch = "wasm32", feature = "page"))]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod worker;
