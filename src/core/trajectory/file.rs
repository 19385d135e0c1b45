//! The trajectory file (SPEC section 7): JSON, version 1, exactly these keys:
//!
//! ```text
//! {"format": "jumpformer-trajectory", "version": 1,
//!  "model": {"kind": "active-lattice", "L": 30, "rates": {"D": 0.1, "v_plus": 10.0, "v_zero": 1.0}},
//!  "T": 500.0,
//!  "initial": {"x": [...N], "y": [...N], "o": [...N]},
//!  "jumps": {"token": [...K], "move": [...K]},
//!  "dt": [...K+1]}
//! ```
//!
//! FA: `"model": {"kind": "fa", "L": 10, "rates": {"c": 0.3}}`, `"initial": {"n": [...L]}`.
//! `"rates"` may be absent (unknown rates). Reading checks every rule through
//! [`Trajectory::from_parts`]; unknown or missing keys are refused.

use super::{Trajectory, TrajectoryError};
use crate::core::model::{ActiveLattice, Dynamics, FredricksonAndersen};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The value of the file's `"format"` key.
pub const FORMAT: &str = "jumpformer-trajectory";
/// The file format version this build reads and writes.
pub const VERSION: u64 = 1;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIn {
    format: String,
    version: u64,
    model: ModelIn,
    #[serde(rename = "T")]
    total_time: f64,
    initial: Value,
    jumps: JumpsIn,
    dt: Vec<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelIn {
    kind: String,
    #[serde(rename = "L")]
    size: usize,
    #[serde(default)]
    rates: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JumpsIn {
    token: Vec<u32>,
    #[serde(rename = "move")]
    mv: Vec<u8>,
}

/// Just the keys that identify the format, for a clearer message when the full parse fails.
#[derive(Deserialize)]
struct Header {
    format: Option<Value>,
    version: Option<Value>,
}

#[derive(Serialize)]
struct FileOut<'a, R: Serialize, C: Serialize> {
    format: &'static str,
    version: u64,
    model: ModelOut<R>,
    #[serde(rename = "T")]
    total_time: f64,
    initial: &'a C,
    jumps: JumpsOut<'a>,
    dt: &'a [f64],
}

#[derive(Serialize)]
struct ModelOut<R: Serialize> {
    kind: &'static str,
    #[serde(rename = "L")]
    size: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    rates: Option<R>,
}

#[derive(Serialize)]
struct JumpsOut<'a> {
    token: &'a [u32],
    #[serde(rename = "move")]
    mv: &'a [u8],
}

fn check_identity(format: &str, version: u64) -> Result<(), TrajectoryError> {
    if format != FORMAT {
        return Err(TrajectoryError::Format(format.to_string()));
    }
    if version != VERSION {
        return Err(TrajectoryError::Version(version));
    }
    Ok(())
}

fn parse_file(text: &str) -> Result<FileIn, TrajectoryError> {
    match serde_json::from_str::<FileIn>(text) {
        Ok(file) => {
            check_identity(&file.format, file.version)?;
            Ok(file)
        }
        Err(err) => {
            if let Ok(header) = serde_json::from_str::<Header>(text) {
                if let Some(format) = header.format.filter(|f| f != FORMAT) {
                    let shown = format.as_str().map_or(format.to_string(), str::to_string);
                    return Err(TrajectoryError::Format(shown));
                }
                if let Some(version) = header.version.and_then(|v| v.as_u64()) {
                    check_identity(FORMAT, version)?;
                }
            }
            Err(TrajectoryError::Syntax(err.to_string()))
        }
    }
}

impl<M: Dynamics> Trajectory<M> {
    /// Reads and validates a trajectory file of this model's kind.
    pub fn from_json(text: &str) -> Result<Self, TrajectoryError> {
        Self::from_file(parse_file(text)?)
    }

    fn from_file(file: FileIn) -> Result<Self, TrajectoryError> {
        if file.model.kind != M::KIND {
            return Err(TrajectoryError::Kind {
                found: file.model.kind,
                expected: format!("{:?}", M::KIND),
            });
        }
        let rates = match file.model.rates {
            None | Some(Value::Null) => None,
            Some(value) => Some(
                serde_json::from_value::<M::Rates>(value)
                    .map_err(|e| TrajectoryError::RatesShape(e.to_string()))?,
            ),
        };
        let initial = serde_json::from_value::<M::Config>(file.initial)
            .map_err(|e| TrajectoryError::Initial(e.to_string()))?;
        Self::from_parts(
            file.model.size,
            rates,
            initial,
            file.jumps.token,
            file.jumps.mv,
            file.dt,
            file.total_time,
        )
    }

    /// The trajectory file as a JSON string (numbers round-trip exactly).
    pub fn to_json(&self) -> String {
        let out = FileOut {
            format: FORMAT,
            version: VERSION,
            model: ModelOut {
                kind: M::KIND,
                size: self.size(),
                rates: self.rates(),
            },
            total_time: self.total_time(),
            initial: self.initial(),
            jumps: JumpsOut {
                token: self.tokens(),
                mv: self.moves(),
            },
            dt: self.dt(),
        };
        serde_json::to_string(&out).expect("a trajectory always serialises")
    }
}

/// A trajectory of any known model, as read from a file whose kind is not known in advance.
#[derive(Debug, Clone)]
pub enum AnyTrajectory {
    ActiveLattice(Trajectory<ActiveLattice>),
    Fa(Trajectory<FredricksonAndersen>),
}

impl AnyTrajectory {
    /// The trajectory of the active-lattice model, if it is one: what the move-kind diagnostics
    /// and the class membership read.
    pub fn active_lattice(&self) -> Option<&Trajectory<ActiveLattice>> {
        match self {
            AnyTrajectory::ActiveLattice(t) => Some(t),
            AnyTrajectory::Fa(_) => None,
        }
    }

    /// Reads and validates a trajectory file of any known kind.
    pub fn from_json(text: &str) -> Result<Self, TrajectoryError> {
        let file = parse_file(text)?;
        match file.model.kind.as_str() {
            ActiveLattice::KIND => Trajectory::from_file(file).map(Self::ActiveLattice),
            FredricksonAndersen::KIND => Trajectory::from_file(file).map(Self::Fa),
            _ => Err(TrajectoryError::Kind {
                found: file.model.kind,
                expected: format!(
                    "{:?} or {:?}",
                    ActiveLattice::KIND,
                    FredricksonAndersen::KIND
                ),
            }),
        }
    }

    /// The trajectory file as a JSON string.
    pub fn to_json(&self) -> String {
        match self {
            Self::ActiveLattice(t) => t.to_json(),
            Self::Fa(t) => t.to_json(),
        }
    }

    /// The model kind, as in the file.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::ActiveLattice(_) => ActiveLattice::KIND,
            Self::Fa(_) => FredricksonAndersen::KIND,
        }
    }

    /// K: the number of jumps.
    pub fn num_jumps(&self) -> usize {
        match self {
            Self::ActiveLattice(t) => t.num_jumps(),
            Self::Fa(t) => t.num_jumps(),
        }
    }

    /// T: the total duration.
    pub fn total_time(&self) -> f64 {
        match self {
            Self::ActiveLattice(t) => t.total_time(),
            Self::Fa(t) => t.total_time(),
        }
    }
}

impl From<Trajectory<ActiveLattice>> for AnyTrajectory {
    fn from(t: Trajectory<ActiveLattice>) -> Self {
        Self::ActiveLattice(t)
    }
}

impl From<Trajectory<FredricksonAndersen>> for AnyTrajectory {
    fn from(t: Trajectory<FredricksonAndersen>) -> Self {
        Self::Fa(t)
    }
}
