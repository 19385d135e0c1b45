//! `--preset`: the core's named starting points ([`Preset`]) on the command line.

use crate::core::presets::Preset;

/// A preset's name on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PresetArg {
    /// The paper's run: L = 30, phi = 0.1244, D = 0.1, v_plus = 10, v_zero = 1, T = 500.
    Paper,
    /// A classroom-size run: L = 12, N = 18, T = 100; a small network with the hard-constraint
    /// prior.
    Classroom,
    /// Excluded volume learned with no prior: L = 6, phi = 0.25, T = 500; the classroom's small
    /// network without the hard constraint, ten epochs.
    Exclusion,
    /// The authors' Fredrickson–Andersen tutorial: L = 10, c = 0.3, T = 10^4.
    FaTutorial,
}

impl From<PresetArg> for Preset {
    fn from(arg: PresetArg) -> Self {
        match arg {
            PresetArg::Paper => Preset::Paper,
            PresetArg::Classroom => Preset::Classroom,
            PresetArg::Exclusion => Preset::Exclusion,
            PresetArg::FaTutorial => Preset::FaTutorial,
        }
    }
}
