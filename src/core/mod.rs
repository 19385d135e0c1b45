//! The browser-free core: everything Jumpformer computes, for native and wasm alike.

pub mod compute;
pub mod ctmc;
pub mod discovery;
pub mod estimate;
pub mod inspection;
pub mod learner;
pub mod loglik;
pub mod model;
pub mod observables;
pub mod plateau;
pub mod presets;
pub mod propagation;
pub mod rng;
pub mod settings;
pub mod simulation;
pub mod trajectory;
