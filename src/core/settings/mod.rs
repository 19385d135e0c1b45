//! Every setting of a run, stated once: [`Settings`] holds them, the table in [`table`] names,
//! labels, bounds, reads and writes each one, and [`query`] turns them into the text of a link
//! (`?model=active-lattice&L=30&phi=0.1244…`) and back. The page's link and forms and the CLI's
//! `--set KEY=VALUE` all go through the table.

pub mod query;
pub mod table;

pub use table::{Control, Group, SETTINGS, Setting, keys_of, setting};

use crate::core::learner::LearnerConfig;
use crate::core::model::{ActiveLatticeRates, ActiveLatticeSpec};
use crate::core::presets::Preset;
use crate::core::propagation::{EnsembleSettings, Integrator};
pub use crate::core::simulation::SimulationSettings;
use serde::{Deserialize, Serialize};

/// Which compute backend a run asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackendPreference {
    /// WebGPU when an adapter exists, else the CPU.
    Auto,
    /// The CPU even where WebGPU exists.
    Cpu,
}

/// The longest simulated time a run may ask for.
pub const MAX_T: f64 = 1.0e6;

/// Settings of the Discover and Extrapolate views.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExploreSettings {
    /// The N_W scan trains Mode 2 for N_W = 1..=scan_max.
    pub scan_max: usize,
    /// Epochs of each scan run.
    pub scan_epochs: usize,
    /// Whether each N_W of the scan starts from the trained network's embeddings and encoder
    /// (a warm start; the class head starts fresh) when there is one of the same shape, rather
    /// than from scratch.
    #[serde(default = "warm_start_by_default")]
    pub scan_warm_start: bool,
    /// Density of the side-by-side run.
    pub phi: f64,
    /// Total time of each run (side by side, and each sweep point).
    pub t: f64,
    /// Time before the first observable snapshot.
    pub burn_in: f64,
    /// Replicas per density.
    pub replicas: usize,
    pub seed: u64,
    /// 0: the exact loop; above 0: tau-leaping with this tau.
    pub tau: f64,
    /// Densities of the sweep (Fig. 4 of the paper).
    pub sweep: Vec<f64>,
}

/// The scan starts from the trained network unless asked not to: measured on the exclusion
/// preset's trajectory with no prior, a scan from scratch stayed at the occupancy-blind optimum
/// (held-out U/T 9.7 for every N_W >= 3 after 2 epochs, 16.6 at N_W = 4 after 10), while one
/// warm-started from its Mode 1 network reached 31.9 at N_W = 4 with a near-zero class holding
/// 72% of the blocked moves.
fn warm_start_by_default() -> bool {
    true
}

impl Default for ExploreSettings {
    fn default() -> Self {
        Self {
            scan_max: 6,
            scan_epochs: 3,
            scan_warm_start: warm_start_by_default(),
            phi: 0.3,
            t: 50.0,
            burn_in: 10.0,
            replicas: 4,
            seed: 1,
            tau: 0.01,
            sweep: vec![0.124, 0.2, 0.3, 0.4, 0.5],
        }
    }
}

impl ExploreSettings {
    /// The integrator the `tau` setting names.
    pub fn integrator(&self) -> Integrator {
        if self.tau > 0.0 {
            Integrator::TauLeap { tau: self.tau }
        } else {
            Integrator::Exact
        }
    }

    /// The ensemble at density `phi` for a model of linear size `l`.
    pub fn ensemble(&self, l: usize, rates: ActiveLatticeRates, phi: f64) -> EnsembleSettings {
        EnsembleSettings {
            spec: ActiveLatticeSpec {
                l,
                phi,
                d: rates.d,
                v_plus: rates.v_plus,
                v_zero: rates.v_zero,
            },
            t_end: self.t,
            burn_in: self.burn_in,
            replicas: self.replicas,
            seed: self.seed,
            integrator: self.integrator(),
        }
    }
}

/// Discover and Extrapolate settings of the classroom preset: short runs that finish in
/// about a minute on a laptop's CPU.
pub fn classroom_explore() -> ExploreSettings {
    ExploreSettings {
        scan_max: 6,
        scan_epochs: 2,
        scan_warm_start: warm_start_by_default(),
        phi: 0.3,
        t: 30.0,
        burn_in: 5.0,
        replicas: 4,
        seed: 1,
        tau: 0.01,
        sweep: vec![0.124, 0.3, 0.5],
    }
}

/// The most densities a sweep may have.
pub const MAX_SWEEP_POINTS: usize = 20;

/// All the settings of a run: what a link carries, what the forms edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub simulation: SimulationSettings,
    pub learner: LearnerConfig,
    pub explore: ExploreSettings,
    pub backend: BackendPreference,
    /// The compact page for an iframe in a course page (`?embed=1`).
    #[serde(default)]
    pub embed: bool,
    /// How many browser workers share each CPU training step: 0 for one per core.
    #[serde(default)]
    pub workers: usize,
}

impl Settings {
    /// Everything a preset sets (its simulation, learner and the Discover and Extrapolate
    /// settings), run on `backend`.
    pub fn of_preset(preset: Preset, backend: BackendPreference) -> Self {
        Self {
            simulation: preset.simulation(),
            learner: preset.learner(),
            explore: match preset {
                Preset::Classroom | Preset::Exclusion => classroom_explore(),
                Preset::Paper | Preset::FaTutorial => ExploreSettings::default(),
            },
            backend,
            embed: false,
            workers: 0,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            simulation: Preset::Paper.simulation(),
            learner: LearnerConfig::default(),
            explore: ExploreSettings::default(),
            backend: BackendPreference::Auto,
            embed: false,
            workers: 0,
        }
    }
}
