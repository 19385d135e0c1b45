//! The Fredrickson–Andersen model on a ring (SPEC 2.2), the authors' tutorial model.
//!
//! L sites, n_i in {0, 1}, one move per site (a flip) with rate
//!
//! ```text
//! W_i = (n_i (1 - c) + (1 - n_i) c) (n_{i-1} + n_{i+1}),   indices mod L,
//! ```
//!
//! so a site with no up neighbour cannot flip.

use super::{Dynamics, ModelError, check_open_unit, check_size};
use crate::core::rng::Rng;
use serde::{Deserialize, Serialize};

const MAX_L: usize = 1 << 20;

/// The FA rate constant c (file key "c"): up-spin density of the non-interacting limit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaRates {
    pub c: f64,
}

/// The site occupations n_i (file's `"initial": {"n": [...]}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub n: Vec<u8>,
}

/// The FA model on a ring in one configuration.
#[derive(Debug, Clone)]
pub struct FredricksonAndersen {
    c: f64,
    sites: SiteConfig,
}

impl FredricksonAndersen {
    /// Number of sites L.
    pub fn len(&self) -> usize {
        self.sites.n.len()
    }

    /// Always false: a ring has at least two sites.
    pub fn is_empty(&self) -> bool {
        self.sites.n.is_empty()
    }

    /// n_i.
    #[inline]
    pub fn n(&self, i: usize) -> u8 {
        self.sites.n[i]
    }

    #[inline]
    fn left(&self, i: usize) -> usize {
        if i == 0 { self.len() - 1 } else { i - 1 }
    }

    #[inline]
    fn right(&self, i: usize) -> usize {
        if i + 1 == self.len() { 0 } else { i + 1 }
    }

    /// n_{i-1} + n_{i+1}: the number of up neighbours that facilitate a flip of site i.
    #[inline]
    fn up_neighbours(&self, i: usize) -> u8 {
        self.n(self.left(i)) + self.n(self.right(i))
    }
}

impl Dynamics for FredricksonAndersen {
    const KIND: &'static str = "fa";
    const MOVES_PER_TOKEN: usize = 1;
    type Rates = FaRates;
    type Config = SiteConfig;
    type Selector = crate::core::ctmc::RatedModel<Self>;

    fn new(size: usize, rates: Self::Rates, config: Self::Config) -> Result<Self, ModelError> {
        check_size("L", size, 2, MAX_L, "an integer from 2 to 1048576")?;
        check_open_unit("c", rates.c)?;
        if config.n.len() != size {
            return Err(ModelError::Config(format!(
                "n has {} entries but L = {size}",
                config.n.len()
            )));
        }
        if let Some(i) = config.n.iter().position(|&n| n > 1) {
            return Err(ModelError::Config(format!(
                "site {i}: n = {} is not 0 or 1",
                config.n[i]
            )));
        }
        Ok(Self {
            c: rates.c,
            sites: config,
        })
    }

    fn placeholder_rates() -> Self::Rates {
        FaRates { c: 0.5 }
    }

    fn size(&self) -> usize {
        self.len()
    }

    fn rates(&self) -> Self::Rates {
        FaRates { c: self.c }
    }

    fn num_tokens(&self) -> usize {
        self.len()
    }

    fn config(&self) -> &Self::Config {
        &self.sites
    }

    fn config_bytes(&self) -> usize {
        self.len()
    }

    fn set_config(&mut self, config: &Self::Config) {
        self.sites.clone_from(config);
    }

    #[inline]
    fn rate(&self, i: usize, m: usize) -> f64 {
        if m != 0 {
            return 0.0;
        }
        let c = self.c;
        let n_i = self.n(i) as f64;
        (n_i * (1.0 - c) + (1.0 - n_i) * c) * self.up_neighbours(i) as f64
    }

    fn check_move(&self, i: usize, m: usize) -> Result<(), String> {
        if i >= self.len() {
            return Err(format!("token {i} is not a site (L = {})", self.len()));
        }
        if m != 0 {
            return Err(format!(
                "move {m} of site {i} is not 0 (FA has one move, a flip)"
            ));
        }
        if self.up_neighbours(i) == 0 {
            return Err(format!(
                "site {i} flips but neither neighbour is up (rate 0)"
            ));
        }
        Ok(())
    }

    #[inline]
    fn apply(&mut self, i: usize, _m: usize, touched: &mut Vec<u32>) {
        self.sites.n[i] ^= 1;
        touched.extend([self.left(i) as u32, i as u32, self.right(i) as u32]);
    }
}

/// Parameters of an FA run as a user states them: L and c.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaSpec {
    #[serde(rename = "L")]
    pub l: usize,
    pub c: f64,
}

impl FaSpec {
    /// The authors' tutorial values L = 10, c = 0.3.
    pub const TUTORIAL: Self = Self { l: 10, c: 0.3 };

    /// Checks L and c.
    pub fn validate(&self) -> Result<(), ModelError> {
        check_size("L", self.l, 2, MAX_L, "an integer from 2 to 1048576")?;
        check_open_unit("c", self.c)
    }

    /// The model with each n_i ~ Bernoulli(c), drawn in site order from `rng`.
    pub fn build(&self, rng: &mut Rng) -> Result<FredricksonAndersen, ModelError> {
        self.validate()?;
        let n = (0..self.l).map(|_| rng.bernoulli(self.c) as u8).collect();
        FredricksonAndersen::new(self.l, FaRates { c: self.c }, SiteConfig { n })
    }
}
