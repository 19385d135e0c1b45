//! Why a trajectory (or trajectory file) was refused: each message says what is wrong and where.

use thiserror::Error;

/// A trajectory breaks a rule of SPEC section 7.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TrajectoryError {
    /// Not JSON, or a key is missing, unknown, or of the wrong type (serde's message, with position).
    #[error("not a valid trajectory file: {0}")]
    Syntax(String),
    /// `"format"` is not `"jumpformer-trajectory"`.
    #[error("\"format\" is {0:?}, expected \"jumpformer-trajectory\"")]
    Format(String),
    /// `"version"` is not 1.
    #[error("\"version\" is {0}, only version 1 is supported")]
    Version(u64),
    /// `"model"."kind"` names no known model, or not the expected one.
    #[error("model.kind is {found:?}, expected {expected}")]
    Kind { found: String, expected: String },
    /// `"model"."rates"` has missing or unknown keys.
    #[error("model.rates: {0}")]
    RatesShape(String),
    /// L or a rate is out of range.
    #[error("model: {0}")]
    Model(String),
    /// The initial configuration has the wrong shape or an impossible value.
    #[error("initial: {0}")]
    Initial(String),
    /// Two arrays that must agree in length do not.
    #[error("{0}")]
    Lengths(String),
    /// `"T"` is not a positive finite number.
    #[error("T = {0} must be a positive finite number")]
    TotalTime(f64),
    /// A waiting time is negative or not finite.
    #[error("dt[{index}] = {value} is {problem}")]
    Dt {
        index: usize,
        value: f64,
        problem: &'static str,
    },
    /// The waiting times do not add up to T.
    #[error("the dt add up to {sum} but T = {total} (relative difference {relative:.3e} > 1e-9)")]
    Sum { sum: f64, total: f64, relative: f64 },
    /// Jump `index` is impossible in the configuration it starts from.
    #[error("jump {index}: {reason}")]
    Jump { index: usize, reason: String },
}
