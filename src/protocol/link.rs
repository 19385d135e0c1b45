//! Every setting of a run, as carried by the page's URL: `?model=active-lattice&L=30&phi=0.1244…`.
//! The settings, their table and the query format live in the core (`core::settings`), shared
//! with the CLI; the page's names for them are re-exported here.

pub use crate::core::settings::{
    BackendPreference, ExploreSettings, Group, MAX_SWEEP_POINTS, MAX_T, SETTINGS, Settings,
    SimulationSettings, classroom_explore, keys_of, setting,
};

/// All the settings a link carries.
pub type LinkSettings = Settings;
