//! What training reports, step by step and epoch by epoch: plain data, shown by the page and the
//! CLI, and built without the network.

use serde::{Deserialize, Serialize};

/// What one optimiser step did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepOutcome {
    /// The epoch this step belongs to (1-based).
    pub epoch: usize,
    /// The step within its epoch (1-based).
    pub step_in_epoch: usize,
    /// Steps per epoch.
    pub steps_per_epoch: usize,
    /// U / (sum of dt) of this minibatch under the network before the step.
    pub batch_u_per_t: f64,
    /// True if this step ended its epoch (time for `Trainer::epoch_report`).
    pub epoch_finished: bool,
    /// Set if the loss was not finite: the step was skipped and the last good weights restored.
    pub warning: Option<String>,
}

/// The state of learning after an epoch.
///
/// U/T on the training trajectory can exceed the exact U/T (a network that memorises the
/// trajectory gives each observed jump a rate near 1/dt); only U/T on a held-out trajectory
/// with the same rules (`val_*`) measures what was learned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochReport {
    /// Epochs completed.
    pub epoch: usize,
    /// Optimiser steps so far.
    pub steps: usize,
    /// Configurations the optimiser has trained on so far, counted once per visit: how far the
    /// unconstrained learner gets past the occupancy-blind optimum is set by these more than by
    /// steps or epochs.
    #[serde(default)]
    pub configs_seen: u64,
    /// U/T of the learner over the whole training trajectory.
    pub u_per_t: f64,
    /// U/T of the true dynamics, when the rates are known.
    pub exact_u_per_t: Option<f64>,
    /// The blocked leak on the training trajectory: (1/T) times the time integral of the summed
    /// rates the network gives moves that are impossible in the configuration (0 under the hard
    /// constraint).
    #[serde(default)]
    pub blocked_leak: f64,
    /// U/T of the learner on the held-out trajectory, if there is one.
    #[serde(default)]
    pub val_u_per_t: Option<f64>,
    /// `u_per_t` split over consecutive stretches of the training trajectory (they add up to
    /// it): what tells a real difference between two networks from noise
    /// (`core::plateau`).
    #[serde(default)]
    pub u_per_t_blocks: Vec<f64>,
    /// `val_u_per_t` split over consecutive stretches of the held-out trajectory.
    #[serde(default)]
    pub val_u_per_t_blocks: Option<Vec<f64>>,
    /// U/T of the true dynamics on the held-out trajectory, when its rates are known.
    #[serde(default)]
    pub val_exact_u_per_t: Option<f64>,
    /// The blocked leak on the held-out trajectory.
    #[serde(default)]
    pub val_blocked_leak: Option<f64>,
    /// The epoch whose weights are kept: the best held-out U/T so far (early stopping), or the
    /// last epoch without a held-out trajectory.
    #[serde(default)]
    pub kept_epoch: usize,
    /// Seconds spent training in this epoch.
    pub train_seconds: f64,
    /// Seconds spent evaluating U/T for this report.
    pub eval_seconds: f64,
    /// Mode 2: the learned class rates exp(s_k), in class order.
    pub class_rates: Option<Vec<f64>>,
    /// How far the network is from translational invariance: the share of its total rate that
    /// moves when the lattice is shifted, on configurations of the held-out trajectory (the
    /// training one without); 0 for the true rates. See `learner::symmetry`.
    #[serde(default)]
    pub translation_spread: Option<f64>,
    /// Warnings of the epoch's steps (skipped non-finite steps).
    pub warnings: Vec<String>,
}
