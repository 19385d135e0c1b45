//! Typed messages between the page (UI) and its Web Worker.
//!
//! The page sends [`Request`]s; the worker answers with [`Event`]s. Both cross the worker
//! boundary as JSON text (serde_json): measured in Chromium, a frame of the paper preset took
//! 260 ms through serde-wasm-bindgen and well under a millisecond as JSON. A message that does not
//! parse is an error the receiver reports, never a silent drop.

use crate::core::compute::BackendInfo;
use crate::core::discovery::{ClassMembership, KindEstimate};
use crate::core::inspection::ParticleInspection;
use crate::core::learner::{EpochReport, LearnerConfig};
use crate::core::observables::{ObservableSummary, Snapshot};
use crate::core::plateau::ScanScore;
use crate::core::propagation::EnsembleSummary;
use crate::core::simulation::ConfigView;
use crate::protocol::link::{ExploreSettings, SimulationSettings};
use serde::{Deserialize, Serialize};

/// What the page asks of the learner worker's backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendRequest {
    /// WebGPU when an adapter exists; false forces the CPU.
    pub prefer_gpu: bool,
    /// On the CPU, how many workers share each training step: 0 for one per core.
    pub cpu_workers: usize,
}

/// What the page asks the worker to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Request {
    /// Choose the compute backend.
    Init { backend: BackendRequest },
    /// Run the smoke training (a tiny network, Adam) on the chosen backend.
    SmokeTrain { steps: usize },
    /// Start a new recorded simulation; it replaces the current trajectory when it finishes.
    Simulate { settings: SimulationSettings },
    /// Pause the running simulation (handled at once, not queued).
    Pause,
    /// Resume a paused simulation (handled at once, not queued).
    Resume,
    /// Send the current trajectory as a file.
    SaveTrajectory,
    /// Read and validate a trajectory file; on success it becomes the current trajectory.
    LoadTrajectory {
        name: String,
        text: String,
        /// What the page showed of this trajectory before (a [`Backup`] being restored): kept
        /// as it is, with the simulation's observables and timing, instead of a fresh summary.
        #[serde(default)]
        summary: Option<TrajectorySummary>,
    },
    /// Train a new learner on the current trajectory (pause/resume steer it).
    Train { config: LearnerConfig },
    /// Send the current learned model as a file.
    SaveModel,
    /// Show what the current model makes of one particle of the trajectory's last
    /// configuration.
    Inspect { particle: usize },
    /// Read a model file; on success it becomes the current model and is evaluated on the
    /// current trajectory.
    LoadModel {
        name: String,
        bytes: Vec<u8>,
        /// The page's own backup of a model trained earlier, not a file the user picked.
        #[serde(default)]
        restored: bool,
    },
    /// Discover: train Mode 2 for N_W = 1..=max_classes on the current trajectory, `epochs`
    /// each, with the other settings of `config`; with `warm_start`, each from the embeddings
    /// and encoder of the current model when it has the same shape, else from scratch.
    Scan {
        config: LearnerConfig,
        max_classes: usize,
        epochs: usize,
        #[serde(default)]
        warm_start: bool,
    },
    /// Extrapolate: run the current model's dynamics and the true dynamics side by side at
    /// `explore.phi`, same seeds and initial configurations (L is the model's, the true rates the
    /// trajectory's).
    SideBySide { explore: ExploreSettings },
    /// Extrapolate: for each density of `explore.sweep`, an ensemble of the true and of the
    /// learned dynamics.
    Sweep { explore: ExploreSettings },
    /// Stop the running job, keeping what it finished (handled at once, not queued).
    Stop,
}

impl Request {
    /// Requests that steer the running job rather than wait their turn in the queue.
    pub fn is_control(&self) -> bool {
        matches!(self, Request::Pause | Request::Resume | Request::Stop)
    }

    /// Requests that run a network: only the learner worker serves them. The page starts with
    /// the simulation worker, which has no learner, and loads the learner for the first of these.
    pub fn needs_learner(&self) -> bool {
        match self {
            Request::Init { .. }
            | Request::SmokeTrain { .. }
            | Request::Train { .. }
            | Request::SaveModel
            | Request::Inspect { .. }
            | Request::LoadModel { .. }
            | Request::Scan { .. }
            | Request::SideBySide { .. }
            | Request::Sweep { .. } => true,
            Request::Simulate { .. }
            | Request::Pause
            | Request::Resume
            | Request::SaveTrajectory
            | Request::LoadTrajectory { .. }
            | Request::Stop => false,
        }
    }
}

/// One animation frame of a running simulation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulationFrame {
    pub time: f64,
    pub total_time: f64,
    pub events: u64,
    /// Jumps per second of wall-clock time over the last frame.
    pub events_per_s: f64,
    pub view: ConfigView,
    /// The latest observable snapshot (active lattice, after the burn-in).
    pub observables: Option<Snapshot>,
    pub paused: bool,
}

/// What the page shows of the current trajectory, simulated or loaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrajectorySummary {
    /// Where it came from: "simulation" or the file's name.
    pub source: String,
    pub kind: String,
    pub jumps: usize,
    pub total_time: f64,
    /// Exact U/T when the rates are known.
    pub u_per_t: Option<f64>,
    /// Bytes per jump of the stored trajectory (checkpoints included).
    pub bytes_per_jump: f64,
    /// Time averages of the observables (simulations of the active lattice).
    pub observables: Option<ObservableSummary>,
    /// The configuration at the end of the trajectory.
    pub last_view: ConfigView,
    /// Wall-clock seconds the simulation took (none for a loaded file).
    pub seconds: Option<f64>,
    /// The name to save it under.
    pub file_name: String,
}

/// Where each N_W of a scan starts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScanStart {
    /// A fresh network, as asked.
    #[default]
    Scratch,
    /// The embeddings and encoder of the current model (its kept weights, after `epochs`
    /// epochs); the class head fresh. `frozen`: only the class head and rates train.
    WarmStart {
        epochs: usize,
        #[serde(default)]
        frozen: bool,
    },
    /// A fresh network although a warm start was asked for, because of `reason`.
    ScratchBecause { reason: String },
}

impl ScanStart {
    /// The sentence the Discover view shows.
    pub fn describe(&self) -> String {
        match self {
            ScanStart::Scratch => "Each N_W starts from scratch.".to_string(),
            ScanStart::WarmStart { epochs, frozen } => format!(
                "Each N_W starts from the trained network's embeddings and encoder (trained \
                 {epochs} epoch{} in Learn), with a fresh class head{}.",
                if *epochs == 1 { "" } else { "s" },
                if *frozen {
                    "; the network is kept fixed and only the classes learn"
                } else {
                    ""
                }
            ),
            ScanStart::ScratchBecause { reason } => {
                format!("Each N_W starts from scratch: {reason}.")
            }
        }
    }
}

/// One finished N_W of a scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanPoint {
    pub classes: usize,
    /// U/T on the training trajectory at the best epoch.
    pub u_per_t: f64,
    /// U/T on the held-out trajectory at the best epoch (the best epoch is chosen by it).
    #[serde(default)]
    pub val_u_per_t: Option<f64>,
    /// `u_per_t` split over consecutive stretches of the training trajectory, and
    /// `val_u_per_t` over the held-out one: what the plateau's noise is judged by.
    #[serde(default)]
    pub u_per_t_blocks: Vec<f64>,
    #[serde(default)]
    pub val_u_per_t_blocks: Option<Vec<f64>>,
    pub best_epoch: usize,
    /// The learned class rates at the best epoch.
    pub class_rates: Vec<f64>,
    /// How the true kinds of move fall into the classes (active lattice only).
    pub membership: Option<ClassMembership>,
    pub seconds: f64,
}

impl ScanPoint {
    /// The score the plateau judges this N_W by: held-out when there is a held-out
    /// trajectory, else training.
    pub fn score(&self) -> ScanScore<'_> {
        let held_out_blocks = self.val_u_per_t_blocks.as_deref().unwrap_or_default();
        ScanScore::judged(
            self.classes,
            (self.u_per_t, &self.u_per_t_blocks),
            self.val_u_per_t.map(|u| (u, held_out_blocks)),
        )
    }
}

/// One frame of the side-by-side run: replica 0 of each dynamics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SideBySideFrame {
    pub time: f64,
    pub total_time: f64,
    pub truth: ConfigView,
    pub learned: ConfigView,
    /// Latest snapshots of replica 0.
    pub truth_snapshot: Option<Snapshot>,
    pub learned_snapshot: Option<Snapshot>,
    /// Moves of the learned dynamics (all replicas) and impossible moves it chose and rejected.
    pub learned_jumps: u64,
    pub rejected: u64,
    /// Learned-dynamics moves per second of wall time over the last frame.
    pub events_per_s: f64,
}

/// A finished density of a sweep: true and learned observables with their standard errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    pub truth: EnsembleSummary,
    pub learned: EnsembleSummary,
    /// Learned-dynamics moves per second of wall time.
    pub events_per_s: f64,
    pub seconds: f64,
}

/// What the worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    /// The worker's message handler is installed: requests sent from now on are received.
    Started,
    /// The worker has chosen its backend and is ready for work.
    Ready {
        backend: BackendInfo,
    },
    /// One step of the smoke training finished with this loss.
    SmokeStep {
        step: usize,
        loss: f32,
    },
    /// The smoke training finished.
    SmokeDone {
        losses: Vec<f32>,
        seconds: f64,
    },
    /// A frame of the running simulation.
    SimulationFrame(SimulationFrame),
    /// The current trajectory changed (a simulation finished or a file was loaded).
    TrajectoryReady(TrajectorySummary),
    /// The current trajectory as a file to download.
    TrajectoryFile {
        file_name: String,
        json: String,
    },
    /// Training started: this many optimiser steps make an epoch.
    TrainingStarted {
        epochs: usize,
        steps_per_epoch: usize,
        exact_u_per_t: Option<f64>,
        /// Active lattice: the occupancy-blind optimum of the held-out trajectory (of the
        /// training trajectory when there is none), the line a learner must pass to show it
        /// learned that particles block each other.
        #[serde(default)]
        blind_u_per_t: Option<f64>,
    },
    /// Progress inside an epoch.
    TrainingProgress {
        epoch: usize,
        step_in_epoch: usize,
        steps_per_epoch: usize,
        paused: bool,
    },
    /// An epoch finished: U/T of the learner over the whole trajectory.
    EpochDone(EpochReport),
    /// Training ended (all epochs done, or stopped by a newer request).
    TrainingFinished {
        epochs_done: usize,
        completed: bool,
    },
    /// The current learned model as a file to download.
    ModelFile {
        file_name: String,
        bytes: Vec<u8>,
    },
    /// What the current model makes of one particle, in the configuration `view`.
    Inspection {
        view: ConfigView,
        inspection: ParticleInspection,
    },
    /// A model file was loaded and evaluated on the current trajectory.
    ModelLoaded {
        name: String,
        u_per_t: Option<f64>,
        config: LearnerConfig,
        /// Echoes [`Request::LoadModel`]'s `restored`.
        #[serde(default)]
        restored: bool,
    },
    /// A copy of the worker's current trajectory or model, sent whenever it changes, so that the
    /// page can restore a restarted worker and keep the autosave.
    Backup(Backup),
    /// Discover: a scan started; `epochs` per N_W. `rate_estimates`: the trajectory's own
    /// rate of each kind of move (active lattice only), the same for every N_W.
    ScanStarted {
        max_classes: usize,
        epochs: usize,
        exact_u_per_t: Option<f64>,
        /// Exact U/T of the held-out trajectory the scan is judged on.
        #[serde(default)]
        val_exact_u_per_t: Option<f64>,
        rate_estimates: Option<Vec<KindEstimate>>,
        /// Active lattice: the best U/T on the held-out trajectory of any learner with N_W rates
        /// that follow the kinds of move (rotation, forward, other, blocked), for N_W = 1, 2, ..
        #[serde(default)]
        val_kind_bounds: Option<Vec<f64>>,
        /// Where each N_W starts (a warm start or scratch).
        #[serde(default)]
        start: ScanStart,
    },
    /// Discover: progress inside the run of one N_W.
    ScanProgress {
        classes: usize,
        epoch: usize,
        step_in_epoch: usize,
        steps_per_epoch: usize,
    },
    /// Discover: one N_W finished.
    ScanPointDone(ScanPoint),
    /// Discover: the scan ended (all N_W done, or stopped).
    ScanFinished {
        completed: bool,
    },
    /// Extrapolate: the side-by-side run started with this integrator (described for the user).
    SideBySideStarted {
        integrator: String,
    },
    SideBySideFrame(SideBySideFrame),
    /// Extrapolate: the side-by-side run ended, with the true and the learned ensembles'
    /// observables so far (`None` if it could not start).
    SideBySideFinished {
        summaries: Option<(EnsembleSummary, EnsembleSummary)>,
        completed: bool,
    },
    /// Extrapolate: a sweep started.
    SweepStarted {
        densities: Vec<f64>,
        integrator: String,
    },
    /// Extrapolate: progress of the current density (`fraction` of its learned run done).
    SweepProgress {
        phi: f64,
        fraction: f64,
    },
    SweepPointDone(SweepPoint),
    /// Extrapolate: the sweep ended; finished densities are kept.
    SweepFinished {
        completed: bool,
    },
    /// The running job was measured over its first seconds and will take long: it is paused
    /// until the page sends [`Request::Resume`] (go on) or [`Request::Stop`]. `job` names it
    /// for the user ("training", "scan", "sweep").
    LongRun {
        job: String,
        seconds: f64,
        /// Memory it needs, when known.
        bytes: Option<f64>,
    },
    /// A request failed; the message is for the user.
    Error {
        message: String,
    },
    /// The worker cannot go on (a panic, or its GPU device was lost); the page replaces it. Also
    /// posted by the worker's device-loss watcher, which is JavaScript
    /// (`worker::device_watch`), so the JSON form is part of the protocol.
    WorkerFailed {
        message: String,
        #[serde(default)]
        device_lost: bool,
    },
}

/// The worker's state that the page keeps a copy of.
/// Tagged by `backup`: inside [`Event::Backup`] the key `type` is the event's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "backup")]
pub enum Backup {
    /// The current trajectory as its file's JSON text, with what the page shows of it.
    Trajectory {
        summary: TrajectorySummary,
        json: String,
    },
    /// The current learned model as a model file (for a training: its best epoch so far).
    Model { name: String, bytes: Vec<u8> },
}

impl Event {
    /// Whether this event starts a job other than a simulation (a training, scan or Extrapolate
    /// run): a simulation still running in the worker gave way to it and was dropped.
    pub fn starts_job(&self) -> bool {
        matches!(
            self,
            Event::TrainingStarted { .. }
                | Event::ScanStarted { .. }
                | Event::SideBySideStarted { .. }
                | Event::SweepStarted { .. }
        )
    }

    /// Whether this event ends a job (a finished or stopped training, scan or Extrapolate run).
    pub fn ends_job(&self) -> bool {
        matches!(
            self,
            Event::TrainingFinished { .. }
                | Event::ScanFinished { .. }
                | Event::SideBySideFinished { .. }
                | Event::SweepFinished { .. }
        )
    }
}

/// Reads a message that crossed the worker boundary: JSON text, as [`serde_json`] wrote it.
#[cfg(target_arch = "wasm32")]
pub fn decode<T: serde::de::DeserializeOwned>(data: &wasm_bindgen::JsValue) -> Result<T, String> {
    let text = data.as_string().ok_or("the message is not text")?;
    serde_json::from_str(&text).map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::compute::BackendKind;

    #[test]
    fn messages_round_trip_through_json() {
        let events = vec![
            Event::Ready {
                backend: BackendInfo {
                    kind: BackendKind::Gpu,
                    adapter: Some("SwiftShader".into()),
                    reason: "found".into(),
                    workers: 1,
                },
            },
            Event::SmokeStep {
                step: 3,
                loss: 0.25,
            },
            Event::Error {
                message: "bad".into(),
            },
            Event::Backup(Backup::Model {
                name: "m.jfmodel".into(),
                bytes: vec![1, 2, 3],
            }),
        ];
        for event in events {
            let json = serde_json::to_string(&event).unwrap();
            assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), event);
        }
        // The worker's device-loss watcher writes this JSON by hand.
        assert_eq!(
            serde_json::from_str::<Event>(
                r#"{"type":"WorkerFailed","message":"lost","device_lost":true}"#
            )
            .unwrap(),
            Event::WorkerFailed {
                message: "lost".into(),
                device_lost: true
            }
        );
        let request = Request::SmokeTrain { steps: 5 };
        let json = serde_json::to_string(&request).unwrap();
        assert!(json.contains("\"type\":\"SmokeTrain\""));
        assert_eq!(serde_json::from_str::<Request>(&json).unwrap(), request);
    }
}
