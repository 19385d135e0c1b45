//! Stochastic many-body models behind one interface, [`Dynamics`].
//!
//! A model is a configuration of tokens (particles or sites), a fixed list of candidate moves per
//! token, and a rate per candidate move (SPEC section 2). Adding a model means adding a file that
//! implements [`Dynamics`] and, for the parameter form users type in, a variant of [`ModelSpec`].

mod active_lattice;
mod fredrickson_andersen;

pub use active_lattice::{
    ActiveLattice, ActiveLatticeRates, ActiveLatticeSelector, ActiveLatticeSpec, Direction,
    Move as AlmMove, MoveKind, ParticleConfig,
};
pub use fredrickson_andersen::{FaRates, FaSpec, FredricksonAndersen, SiteConfig};

use crate::core::ctmc::Selector;
use crate::core::rng::Rng;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt::Debug;
use thiserror::Error;

/// A model's parameter, size or configuration is out of range.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ModelError {
    /// A parameter lies outside its allowed range; the message names the range.
    #[error("{name} = {value} is out of range: {expected}")]
    OutOfRange {
        name: &'static str,
        value: f64,
        expected: &'static str,
    },
    /// A configuration does not fit the model (wrong length, site outside the lattice, ...).
    #[error("{0}")]
    Config(String),
    /// Recording this run could make more jumps than a trajectory may hold.
    #[error(
        "T = {t} could record up to {jumps:.2e} jumps, more than the {limit:.0e} a trajectory may \
        hold (about 130 MB in memory); choose T at most {max_t:.4}"
    )]
    TooManyJumps {
        t: f64,
        jumps: f64,
        limit: f64,
        max_t: f64,
    },
}

/// Checks `lo <= value <= hi` for a size parameter.
pub(crate) fn check_size(
    name: &'static str,
    value: usize,
    lo: usize,
    hi: usize,
    expected: &'static str,
) -> Result<(), ModelError> {
    if (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(ModelError::OutOfRange {
            name,
            value: value as f64,
            expected,
        })
    }
}

/// Checks that a rate is finite and non-negative.
pub(crate) fn check_rate(name: &'static str, value: f64) -> Result<(), ModelError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(ModelError::OutOfRange {
            name,
            value,
            expected: "a finite rate >= 0",
        })
    }
}

/// Checks `0 < value < 1`.
pub(crate) fn check_open_unit(name: &'static str, value: f64) -> Result<(), ModelError> {
    if value > 0.0 && value < 1.0 {
        Ok(())
    } else {
        Err(ModelError::OutOfRange {
            name,
            value,
            expected: "strictly between 0 and 1",
        })
    }
}

/// One continuous-time Markov jump model: a configuration plus its candidate moves and their rates.
///
/// Tokens are indexed `0..num_tokens()`, moves `0..MOVES_PER_TOKEN`. The model owns its current
/// configuration; [`Dynamics::apply`] changes it and reports which tokens' rates may have changed,
/// so an engine recomputes only those.
pub trait Dynamics: Clone + Debug {
    /// The model's `"kind"` in files and parameter objects, e.g. `"active-lattice"`.
    const KIND: &'static str;
    /// Number of candidate moves of every token.
    const MOVES_PER_TOKEN: usize;
    /// The rate constants; serde field names are those of the file format (SPEC 7).
    type Rates: Copy + Debug + PartialEq + Serialize + DeserializeOwned;
    /// A configuration; its serde form is the file format's `"initial"` object (SPEC 7).
    type Config: Clone + Debug + PartialEq + Serialize + DeserializeOwned;
    /// How an [`Engine`](crate::core::ctmc::Engine) of this model selects moves:
    /// [`RatedModel<Self>`](crate::core::ctmc::RatedModel) (a sum tree, works for any model) unless
    /// the model's rate structure allows something faster.
    type Selector: Selector<Model = Self>;

    /// A model of linear size `size` (`L`) in configuration `config`, after validating both.
    fn new(size: usize, rates: Self::Rates, config: Self::Config) -> Result<Self, ModelError>;
    /// Positive stand-in rates for replaying a trajectory whose true rates are unknown: which
    /// moves are possible depends only on the configuration, never on the rate values.
    fn placeholder_rates() -> Self::Rates;
    /// The linear size `L`.
    fn size(&self) -> usize;
    /// The rate constants.
    fn rates(&self) -> Self::Rates;
    /// Number of tokens (particles or sites).
    fn num_tokens(&self) -> usize;
    /// The current configuration.
    fn config(&self) -> &Self::Config;
    /// Bytes of the current configuration's arrays (memory accounting of checkpoints).
    fn config_bytes(&self) -> usize;
    /// Replaces the configuration by one known to be valid for this model (e.g. a checkpoint).
    fn set_config(&mut self, config: &Self::Config);
    /// The rate of move `mv` of token `token` in the current configuration (0 if impossible).
    fn rate(&self, token: usize, mv: usize) -> f64;
    /// Writes the rates of all of `token`'s moves into `out` (length [`Self::MOVES_PER_TOKEN`])
    /// and returns their sum. A model may override this for speed; its sum must then depend only
    /// on the multiset of rates up to rounding, and be bit-identical for identical multisets, so
    /// an engine can skip work when a token's total did not change.
    #[inline]
    fn token_rates(&self, token: usize, out: &mut [f64]) -> f64 {
        for (m, r) in out.iter_mut().enumerate() {
            *r = self.rate(token, m);
        }
        out.iter().sum()
    }
    /// `Ok` if the move is possible now, otherwise a sentence saying why not, naming the token,
    /// e.g. "particle 7 moves +x into occupied site (3, 5)". Checks index ranges too.
    fn check_move(&self, token: usize, mv: usize) -> Result<(), String>;
    /// Performs a possible move and pushes every token whose rates may have changed (the mover
    /// included, duplicates allowed) onto `touched`.
    fn apply(&mut self, token: usize, mv: usize, touched: &mut Vec<u32>);
}

/// A model with its parameters as a user states them, serialised with `"kind"` as tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum ModelSpec {
    /// The lattice active-matter model of the paper (SPEC 2.1).
    #[serde(rename = "active-lattice")]
    ActiveLattice(ActiveLatticeSpec),
    /// The Fredrickson–Andersen model on a ring (SPEC 2.2).
    #[serde(rename = "fa")]
    Fa(FaSpec),
}

impl ModelSpec {
    /// The largest total rate R(C) any configuration can have: an upper bound of the jumps per
    /// unit time. ALM: every particle with all four steps free, N (2D + v_plus + 3 v_zero); FA:
    /// every site with both neighbours up, 2 L max(c, 1 - c).
    pub fn max_total_rate(&self) -> f64 {
        match self {
            ModelSpec::ActiveLattice(s) => {
                s.num_particles() as f64 * (2.0 * s.d + s.v_plus + 3.0 * s.v_zero)
            }
            ModelSpec::Fa(s) => 2.0 * s.l as f64 * s.c.max(1.0 - s.c),
        }
    }

    /// Which of the two models this is.
    pub fn kind(&self) -> ModelKind {
        match self {
            ModelSpec::ActiveLattice(_) => ModelKind::ActiveLattice,
            ModelSpec::Fa(_) => ModelKind::Fa,
        }
    }

    /// The model's name in files, links and the CLI ("active-lattice" or "fa").
    pub fn kind_name(&self) -> &'static str {
        self.kind().name()
    }

    /// The model and its parameters in a file name, e.g. "active-lattice-L30-phi0.1244" or
    /// "fa-L10-c0.3".
    pub fn file_stem(&self) -> String {
        match self {
            ModelSpec::ActiveLattice(m) => format!("active-lattice-L{}-phi{}", m.l, m.phi),
            ModelSpec::Fa(m) => format!("fa-L{}-c{}", m.l, m.c),
        }
    }

    /// Checks every parameter's range.
    pub fn validate(&self) -> Result<(), ModelError> {
        match self {
            ModelSpec::ActiveLattice(spec) => spec.validate(),
            ModelSpec::Fa(spec) => spec.validate(),
        }
    }
}

/// The two models, without their parameters: what a link, a file or the CLI names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    /// The lattice model of active matter (SPEC 2.1).
    ActiveLattice,
    /// The Fredrickson–Andersen model (SPEC 2.2).
    Fa,
}

impl ModelKind {
    /// Both kinds, the paper's first.
    pub const ALL: [ModelKind; 2] = [ModelKind::ActiveLattice, ModelKind::Fa];

    /// The kind's name in files, links and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::ActiveLattice => "active-lattice",
            ModelKind::Fa => "fa",
        }
    }

    /// The kind called `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// A freshly built model of either kind, in its random initial configuration.
#[derive(Debug, Clone)]
pub enum AnyModel {
    ActiveLattice(ActiveLattice),
    Fa(FredricksonAndersen),
}

impl ModelSpec {
    /// Validates the parameters and draws the initial configuration from `rng`.
    pub fn build(&self, rng: &mut Rng) -> Result<AnyModel, ModelError> {
        Ok(match self {
            ModelSpec::ActiveLattice(spec) => AnyModel::ActiveLattice(spec.build(rng)?),
            ModelSpec::Fa(spec) => AnyModel::Fa(spec.build(rng)?),
        })
    }
}
