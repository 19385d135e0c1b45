//! The lattice active-matter model of the paper (SPEC 2.1).
//!
//! N particles on an L x L periodic square lattice, at most one per site. Particle i sits at
//! (x_i, y_i) and points along o_i in {0: +x, 1: +y, 2: -x, 3: -y}. Each particle has six moves:
//!
//! | m       | move                         | rate                                        |
//! |---------|------------------------------|---------------------------------------------|
//! | 0       | rotate o -> o + 1 (mod 4)    | D                                           |
//! | 1       | rotate o -> o + 3 (mod 4)    | D                                           |
//! | 2 + d   | step one site in direction d | v_plus if d == o, else v_zero; 0 if blocked |

mod selector;

pub use selector::ActiveLatticeSelector;

use super::{Dynamics, ModelError, check_open_unit, check_rate, check_size};
use crate::core::rng::Rng;
use serde::{Deserialize, Serialize};

const EMPTY: u32 = u32::MAX;
const MAX_L: usize = 1024;

/// A lattice direction, also a particle's orientation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    PlusX = 0,
    PlusY = 1,
    MinusX = 2,
    MinusY = 3,
}

impl Direction {
    /// All four directions in index order.
    pub const ALL: [Direction; 4] = [
        Direction::PlusX,
        Direction::PlusY,
        Direction::MinusX,
        Direction::MinusY,
    ];

    /// The direction with index `d` (taken mod 4).
    #[inline]
    pub fn from_index(d: u8) -> Self {
        Self::ALL[(d & 3) as usize]
    }

    /// "+x", "+y", "-x" or "-y".
    pub fn label(self) -> &'static str {
        ["+x", "+y", "-x", "-y"][self as usize]
    }
}

/// One of a particle's six candidate moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// m = 0: o -> (o + 1) mod 4.
    RotateForward,
    /// m = 1: o -> (o + 3) mod 4.
    RotateBackward,
    /// m = 2 + d: one lattice step in direction d.
    Translate(Direction),
}

impl Move {
    /// The move with index `m`, or `None` if `m >= 6`.
    #[inline]
    pub fn from_index(m: usize) -> Option<Self> {
        match m {
            0 => Some(Move::RotateForward),
            1 => Some(Move::RotateBackward),
            2..=5 => Some(Move::Translate(Direction::from_index((m - 2) as u8))),
            _ => None,
        }
    }

    /// This move's index m.
    pub fn index(self) -> usize {
        match self {
            Move::RotateForward => 0,
            Move::RotateBackward => 1,
            Move::Translate(d) => 2 + d as usize,
        }
    }
}

/// A candidate move's kind by its true rate: the four processes of the model, which Mode 2 of
/// the learner should discover as four classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MoveKind {
    /// A rotation, rate D.
    Rotation,
    /// A step along the orientation into an empty site, rate v_plus.
    Forward,
    /// A step in any other direction into an empty site, rate v_zero.
    OtherStep,
    /// A step into an occupied site, rate 0.
    Blocked,
}

impl MoveKind {
    /// All kinds, in the order of their true rates in the paper (D, v_plus, v_zero, 0).
    pub const ALL: [MoveKind; 4] = [
        MoveKind::Rotation,
        MoveKind::Forward,
        MoveKind::OtherStep,
        MoveKind::Blocked,
    ];

    /// A short name for tables and plots.
    pub fn label(self) -> &'static str {
        match self {
            MoveKind::Rotation => "rotation (D)",
            MoveKind::Forward => "forward step (v_plus)",
            MoveKind::OtherStep => "side/back step (v_zero)",
            MoveKind::Blocked => "blocked step (0)",
        }
    }

    /// The true rate of a move of this kind.
    pub fn rate(self, rates: &ActiveLatticeRates) -> f64 {
        match self {
            MoveKind::Rotation => rates.d,
            MoveKind::Forward => rates.v_plus,
            MoveKind::OtherStep => rates.v_zero,
            MoveKind::Blocked => 0.0,
        }
    }
}

/// The rate constants D, v_plus and v_zero (file keys "D", "v_plus", "v_zero").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActiveLatticeRates {
    #[serde(rename = "D")]
    pub d: f64,
    pub v_plus: f64,
    pub v_zero: f64,
}

impl ActiveLatticeRates {
    /// The paper's rates: D = 0.1, v_plus = 10, v_zero = 1.
    pub const PAPER: Self = Self {
        d: 0.1,
        v_plus: 10.0,
        v_zero: 1.0,
    };

    fn validate(&self) -> Result<(), ModelError> {
        check_rate("D", self.d)?;
        check_rate("v_plus", self.v_plus)?;
        check_rate("v_zero", self.v_zero)
    }
}

/// The particles' positions and orientations as three parallel arrays (file's `"initial"`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParticleConfig {
    pub x: Vec<u16>,
    pub y: Vec<u16>,
    pub o: Vec<u8>,
}

impl ParticleConfig {
    /// Number of particles.
    pub fn len(&self) -> usize {
        self.x.len()
    }

    /// True if there are no particles.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }
}

/// The lattice active-matter model in one configuration, with an occupancy grid for O(1) lookups.
#[derive(Debug, Clone)]
pub struct ActiveLattice {
    l: usize,
    rates: ActiveLatticeRates,
    particles: ParticleConfig,
    /// `grid[y * L + x]`: the particle on that site, or `EMPTY`.
    grid: Vec<u32>,
}

impl ActiveLattice {
    /// The kind of move `m` of particle `i` in the current configuration.
    pub fn move_kind(&self, i: usize, m: usize) -> MoveKind {
        let (x, y, o) = self.particle(i);
        match Move::from_index(m) {
            Some(Move::Translate(d)) => {
                let (tx, ty) = self.neighbour(x, y, d);
                if self.is_occupied(tx, ty) {
                    MoveKind::Blocked
                } else if d as u8 == o {
                    MoveKind::Forward
                } else {
                    MoveKind::OtherStep
                }
            }
            _ => MoveKind::Rotation,
        }
    }

    /// Number of particles N.
    pub fn num_particles(&self) -> usize {
        self.particles.len()
    }

    /// Particle `i` as (x, y, o).
    #[inline]
    pub fn particle(&self, i: usize) -> (usize, usize, u8) {
        (
            self.particles.x[i] as usize,
            self.particles.y[i] as usize,
            self.particles.o[i],
        )
    }

    /// The particle on site (x, y), if any.
    #[inline]
    pub fn occupant(&self, x: usize, y: usize) -> Option<usize> {
        match self.grid[y * self.l + x] {
            EMPTY => None,
            i => Some(i as usize),
        }
    }

    /// True if a particle sits on (x, y).
    #[inline]
    pub fn is_occupied(&self, x: usize, y: usize) -> bool {
        self.grid[y * self.l + x] != EMPTY
    }

    /// The site one step from (x, y) in direction `d`, with periodic boundaries.
    #[inline]
    pub fn neighbour(&self, x: usize, y: usize, d: Direction) -> (usize, usize) {
        let l = self.l;
        match d {
            Direction::PlusX => (if x + 1 == l { 0 } else { x + 1 }, y),
            Direction::PlusY => (x, if y + 1 == l { 0 } else { y + 1 }),
            Direction::MinusX => (if x == 0 { l - 1 } else { x - 1 }, y),
            Direction::MinusY => (x, if y == 0 { l - 1 } else { y - 1 }),
        }
    }

    fn rebuild_grid(&mut self) {
        self.grid.clear();
        self.grid.resize(self.l * self.l, EMPTY);
        for i in 0..self.particles.len() {
            let (x, y, _) = self.particle(i);
            self.grid[y * self.l + x] = i as u32;
        }
    }

    /// Pushes the particles next to (x, y), except `mover`.
    #[inline]
    fn push_neighbours(&self, x: usize, y: usize, mover: u32, touched: &mut Vec<u32>) {
        for d in Direction::ALL {
            let (nx, ny) = self.neighbour(x, y, d);
            let occupant = self.grid[ny * self.l + nx];
            if occupant != EMPTY && occupant != mover {
                touched.push(occupant);
            }
        }
    }

    fn validate_config(l: usize, c: &ParticleConfig) -> Result<(), ModelError> {
        let n = c.x.len();
        if c.y.len() != n || c.o.len() != n {
            return Err(ModelError::Config(format!(
                "x, y and o must have the same length, found {}, {} and {}",
                n,
                c.y.len(),
                c.o.len()
            )));
        }
        if n > l * l {
            return Err(ModelError::Config(format!(
                "{n} particles do not fit on {} sites",
                l * l
            )));
        }
        let mut first_on_site = vec![EMPTY; l * l];
        for i in 0..n {
            let (x, y, o) = (c.x[i] as usize, c.y[i] as usize, c.o[i]);
            if x >= l || y >= l {
                return Err(ModelError::Config(format!(
                    "particle {i}: site ({x}, {y}) is outside the {l} x {l} lattice"
                )));
            }
            if o >= 4 {
                return Err(ModelError::Config(format!(
                    "particle {i}: orientation {o} is not in 0..4"
                )));
            }
            let site = &mut first_on_site[y * l + x];
            if *site != EMPTY {
                return Err(ModelError::Config(format!(
                    "particles {} and {i} both occupy site ({x}, {y})",
                    *site
                )));
            }
            *site = i as u32;
        }
        Ok(())
    }
}

impl Dynamics for ActiveLattice {
    const KIND: &'static str = "active-lattice";
    const MOVES_PER_TOKEN: usize = 6;
    type Rates = ActiveLatticeRates;
    type Config = ParticleConfig;
    type Selector = ActiveLatticeSelector;

    fn new(size: usize, rates: Self::Rates, config: Self::Config) -> Result<Self, ModelError> {
        check_size("L", size, 2, MAX_L, "an integer from 2 to 1024")?;
        rates.validate()?;
        Self::validate_config(size, &config)?;
        let mut model = Self {
            l: size,
            rates,
            particles: config,
            grid: Vec::new(),
        };
        model.rebuild_grid();
        Ok(model)
    }

    fn placeholder_rates() -> Self::Rates {
        ActiveLatticeRates {
            d: 1.0,
            v_plus: 1.0,
            v_zero: 1.0,
        }
    }

    fn size(&self) -> usize {
        self.l
    }

    fn rates(&self) -> Self::Rates {
        self.rates
    }

    fn num_tokens(&self) -> usize {
        self.particles.len()
    }

    fn config(&self) -> &Self::Config {
        &self.particles
    }

    fn config_bytes(&self) -> usize {
        self.num_particles() * (2 * size_of::<u16>() + size_of::<u8>())
    }

    fn set_config(&mut self, config: &Self::Config) {
        self.particles.clone_from(config);
        self.rebuild_grid();
    }

    #[inline]
    fn rate(&self, i: usize, m: usize) -> f64 {
        let (x, y, o) = self.particle(i);
        match Move::from_index(m) {
            Some(Move::RotateForward | Move::RotateBackward) => self.rates.d,
            Some(Move::Translate(d)) => {
                let (tx, ty) = self.neighbour(x, y, d);
                if self.is_occupied(tx, ty) {
                    0.0
                } else if d as u8 == o {
                    self.rates.v_plus
                } else {
                    self.rates.v_zero
                }
            }
            None => 0.0,
        }
    }

    /// The six rates of particle i, with total 2 D + v_plus [forward step free] + v_zero
    /// (number of other free steps): the same bits whatever the orientation.
    #[inline]
    fn token_rates(&self, i: usize, out: &mut [f64]) -> f64 {
        let (x, y, o) = self.particle(i);
        let ActiveLatticeRates { d, v_plus, v_zero } = self.rates;
        out[0] = d;
        out[1] = d;
        let (mut forward_free, mut other_free) = (0.0, 0.0);
        for dir in Direction::ALL {
            let (tx, ty) = self.neighbour(x, y, dir);
            let free = !self.is_occupied(tx, ty);
            let forward = dir as u8 == o;
            out[2 + dir as usize] = match (free, forward) {
                (false, _) => 0.0,
                (true, true) => v_plus,
                (true, false) => v_zero,
            };
            if free {
                if forward {
                    forward_free += 1.0;
                } else {
                    other_free += 1.0;
                }
            }
        }
        2.0 * d + (v_plus * forward_free + v_zero * other_free)
    }

    fn check_move(&self, i: usize, m: usize) -> Result<(), String> {
        let n = self.num_particles();
        if i >= n {
            return Err(format!("token {i} is not a particle (there are {n})"));
        }
        match Move::from_index(m) {
            None => Err(format!("move {m} of particle {i} is not in 0..6")),
            Some(Move::Translate(d)) => {
                let (x, y, _) = self.particle(i);
                let (tx, ty) = self.neighbour(x, y, d);
                if self.is_occupied(tx, ty) {
                    Err(format!(
                        "particle {i} moves {} into occupied site ({tx}, {ty})",
                        d.label()
                    ))
                } else {
                    Ok(())
                }
            }
            Some(_) => Ok(()),
        }
    }

    #[inline]
    fn apply(&mut self, i: usize, m: usize, touched: &mut Vec<u32>) {
        let (x, y, o) = self.particle(i);
        touched.push(i as u32);
        match Move::from_index(m) {
            Some(Move::RotateForward) => self.particles.o[i] = (o + 1) & 3,
            Some(Move::RotateBackward) => self.particles.o[i] = (o + 3) & 3,
            Some(Move::Translate(d)) => {
                let (tx, ty) = self.neighbour(x, y, d);
                debug_assert!(!self.is_occupied(tx, ty), "move into an occupied site");
                self.grid[y * self.l + x] = EMPTY;
                self.grid[ty * self.l + tx] = i as u32;
                self.particles.x[i] = tx as u16;
                self.particles.y[i] = ty as u16;
                self.push_neighbours(x, y, i as u32, touched);
                self.push_neighbours(tx, ty, i as u32, touched);
            }
            None => debug_assert!(false, "move index {m} out of range"),
        }
    }
}

/// Parameters of an active-lattice run as a user states them: L, density phi and the rates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActiveLatticeSpec {
    #[serde(rename = "L")]
    pub l: usize,
    pub phi: f64,
    #[serde(rename = "D")]
    pub d: f64,
    pub v_plus: f64,
    pub v_zero: f64,
}

impl ActiveLatticeSpec {
    /// The paper preset at density `phi` (L = 30, D = 0.1, v_plus = 10, v_zero = 1).
    pub fn paper(phi: f64) -> Self {
        let r = ActiveLatticeRates::PAPER;
        Self {
            l: 30,
            phi,
            d: r.d,
            v_plus: r.v_plus,
            v_zero: r.v_zero,
        }
    }

    /// The rate constants.
    pub fn rates(&self) -> ActiveLatticeRates {
        ActiveLatticeRates {
            d: self.d,
            v_plus: self.v_plus,
            v_zero: self.v_zero,
        }
    }

    /// N = round(phi L^2).
    pub fn num_particles(&self) -> usize {
        (self.phi * (self.l * self.l) as f64).round() as usize
    }

    /// Checks L, phi, the rates, and that at least one particle results.
    pub fn validate(&self) -> Result<(), ModelError> {
        check_size("L", self.l, 2, MAX_L, "an integer from 2 to 1024")?;
        check_open_unit("phi", self.phi)?;
        self.rates().validate()?;
        if self.num_particles() == 0 {
            return Err(ModelError::OutOfRange {
                name: "phi",
                value: self.phi,
                expected: "large enough that round(phi L^2) >= 1",
            });
        }
        Ok(())
    }

    /// The model with N distinct sites drawn uniformly at random (a partial Fisher–Yates
    /// shuffle of all sites), then N uniform orientations, all from `rng`.
    pub fn build(&self, rng: &mut Rng) -> Result<ActiveLattice, ModelError> {
        self.validate()?;
        let (l, n) = (self.l, self.num_particles());
        let mut sites: Vec<u32> = (0..(l * l) as u32).collect();
        for i in 0..n {
            let j = i + rng.below((sites.len() - i) as u64) as usize;
            sites.swap(i, j);
        }
        let sites = &sites[..n];
        let config = ParticleConfig {
            x: sites.iter().map(|&s| (s as usize % l) as u16).collect(),
            y: sites.iter().map(|&s| (s as usize / l) as u16).collect(),
            o: (0..n).map(|_| rng.below(4) as u8).collect(),
        };
        ActiveLattice::new(l, self.rates(), config)
    }
}
