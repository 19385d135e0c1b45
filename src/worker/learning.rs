//! The learner's half of the worker: the backend, the current model, and every request that runs
//! a network (training, scans, extrapolation, model files, inspection). Only the learner worker
//! is built with it; the simulation worker the page starts with has the rest of `worker`.

use super::control::Control;
#[cfg(feature = "cpu")]
use super::helpers::HelperPool;
use super::{discover, extrapolate, post, post_error, train, web_adapter};
use crate::core::compute::{BackendInfo, BackendKind, smoke_train};
use crate::core::inspection::{inspect_particle, last_configuration};
use crate::core::learner::helpers::StepHelpers;
use crate::core::learner::{LearnedDynamics, Trainer};
use crate::core::simulation::ConfigView;
use crate::core::trajectory::AnyTrajectory;
use crate::protocol::messages::{BackendRequest, Backup, Event, Request, TrajectorySummary};
use burn::tensor::Device;
use std::rc::Rc;

const NO_BACKEND: &str = "no backend yet: the worker was not initialised";

const NO_MODEL: &str =
    "There is no learned model to run yet: train one in the Learn view or load a model file.";

/// The training device and why it was chosen: the GPU when asked for and an adapter can be had,
/// else the CPU.
#[cfg(feature = "cpu")]
async fn choose_device(prefer_gpu: bool) -> Option<(Device, BackendInfo)> {
    Some(crate::core::compute::select_device(prefer_gpu).await)
}

/// The GPU, in the learner built without the CPU backend. Where it finds no adapter it cannot
/// train at all: it fails as after a lost device, and the page loads the CPU-only learner in its
/// place, with the trajectory and model given back (`None` here).
#[cfg(not(feature = "cpu"))]
async fn choose_device(prefer_gpu: bool) -> Option<(Device, BackendInfo)> {
    match crate::core::compute::select_gpu(prefer_gpu).await {
        Ok(choice) => Some(choice),
        Err(reason) => {
            post(&Event::WorkerFailed {
                message: format!("the learner with the GPU backend found no GPU ({reason})"),
                device_lost: true,
            });
            None
        }
    }
}

/// The current trajectory, as the worker holds it.
pub type Current<'a> = Option<&'a (AnyTrajectory, TrajectorySummary)>;

/// Where a training job computes: the device, and the helper workers that share its steps and
/// evaluations on the CPU.
pub struct Compute {
    pub device: Device,
    pub helpers: Option<Rc<dyn StepHelpers>>,
}

impl Compute {
    /// `trainer`, sharing its work with the helpers if there are any.
    pub fn share(&self, trainer: Trainer) -> Trainer {
        match &self.helpers {
            Some(helpers) => trainer.with_helpers(helpers.clone()),
            None => trainer,
        }
    }
}

/// The backend and the current learned model.
#[derive(Default)]
pub struct Learning {
    device: Option<Device>,
    /// Helper workers sharing CPU training steps and evaluations (none on a GPU).
    #[cfg(feature = "cpu")]
    helpers: Option<Rc<HelperPool>>,
    /// The current learned model (trained here or loaded).
    learned: Option<LearnedDynamics>,
}

impl Learning {
    /// Carries out one request that needs the learner (see [`Request::needs_learner`]).
    pub async fn handle(&mut self, request: Request, current: Current<'_>, control: &Control) {
        match request {
            Request::Init { backend } => self.init(backend).await,
            Request::SmokeTrain { steps } => match &self.device {
                Some(device) => smoke(device, steps).await,
                None => post_error(NO_BACKEND),
            },
            Request::Train { config } => {
                if let Some((device, trajectory, summary)) =
                    self.job_inputs(current, "to learn from")
                {
                    let exact = summary.u_per_t;
                    let compute = self.compute(device);
                    let learned = train::train(&config, trajectory, exact, &compute, control).await;
                    if let Some(learned) = learned {
                        self.learned = Some(learned);
                    }
                }
            }
            Request::SaveModel => self.save_model().await,
            Request::Inspect { particle } => self.inspect(current, particle).await,
            Request::LoadModel {
                name,
                bytes,
                restored,
            } => self.load_model(current, name, &bytes, restored).await,
            Request::Scan {
                config,
                max_classes,
                epochs,
                warm_start,
            } => match self.job_inputs(current, "to scan") {
                Some((device, trajectory, summary)) => {
                    let exact = summary.u_per_t;
                    let warm = warm_start.then_some(self.learned.as_ref());
                    discover::scan(
                        &config,
                        max_classes,
                        epochs,
                        warm,
                        trajectory,
                        exact,
                        &self.compute(device),
                        control,
                    )
                    .await;
                }
                None => post(&Event::ScanFinished { completed: false }),
            },
            Request::SideBySide { explore } => match &self.learned {
                Some(learned) => {
                    let trajectory = current.map(|(t, _)| t);
                    extrapolate::side_by_side(&explore, learned, trajectory, control).await;
                }
                None => {
                    post_error(NO_MODEL);
                    post(&Event::SideBySideFinished {
                        summaries: None,
                        completed: false,
                    });
                }
            },
            Request::Sweep { explore } => match &self.learned {
                Some(learned) => {
                    let trajectory = current.map(|(t, _)| t);
                    extrapolate::sweep(&explore, learned, trajectory, control).await;
                }
                None => {
                    post_error(NO_MODEL);
                    post(&Event::SweepFinished { completed: false });
                }
            },
            Request::Simulate { .. }
            | Request::Pause
            | Request::Resume
            | Request::SaveTrajectory
            | Request::LoadTrajectory { .. }
            | Request::Stop => {}
        }
    }

    async fn init(&mut self, request: BackendRequest) {
        let Some((chosen, mut backend)) = choose_device(request.prefer_gpu).await else {
            return;
        };
        // The page loads the learner without a GPU backend, asking for the GPU, only where the
        // browser gave it no WebGPU adapter.
        #[cfg(not(feature = "gpu"))]
        if request.prefer_gpu {
            backend.reason = "WebGPU not available in this browser (no adapter), so the page \
                loaded the learner built for the CPU"
                .to_string();
        }
        if backend.kind == BackendKind::Gpu && backend.adapter.as_deref().is_none_or(str::is_empty)
        {
            backend.adapter = web_adapter::describe().await;
        }
        self.device = Some(chosen);
        #[cfg(feature = "cpu")]
        if backend.kind == BackendKind::Cpu {
            self.start_helpers(&mut backend, request.cpu_workers);
        }
        post(&Event::Ready { backend });
    }

    /// Starts the helper workers that share CPU steps (once), and says so in `backend`.
    #[cfg(feature = "cpu")]
    fn start_helpers(&mut self, backend: &mut BackendInfo, cpu_workers: usize) {
        if self.helpers.is_none() {
            let pool = HelperPool::start(cpu_workers);
            if pool.started() > 0 {
                self.helpers = Some(Rc::new(pool));
            }
        }
        if let Some(pool) = &self.helpers {
            backend.workers = 1 + pool.started();
            backend.reason = format!(
                "{}; each training step is shared among {} workers, one per core",
                backend.reason, backend.workers
            );
        }
    }

    /// Where a training job on `device` computes.
    fn compute(&self, device: &Device) -> Compute {
        #[cfg(feature = "cpu")]
        let helpers = self.helpers.clone().map(|pool| pool as Rc<dyn StepHelpers>);
        #[cfg(not(feature = "cpu"))]
        let helpers = None;
        Compute {
            device: device.clone(),
            helpers,
        }
    }

    /// The device and the trajectory a training job needs; when one is missing, says so (the
    /// job would be `purpose`, e.g. "to scan") and gives `None`.
    fn job_inputs<'a>(
        &'a self,
        current: Current<'a>,
        purpose: &str,
    ) -> Option<(&'a Device, &'a AnyTrajectory, &'a TrajectorySummary)> {
        match (&self.device, current) {
            (Some(device), Some((trajectory, summary))) => Some((device, trajectory, summary)),
            (None, _) => {
                post_error(NO_BACKEND);
                None
            }
            (_, None) => {
                post_error(format!(
                    "There is no trajectory {purpose} yet: run a simulation or load a file first."
                ));
                None
            }
        }
    }

    async fn inspect(&self, current: Current<'_>, particle: usize) {
        let (Some(learned), Some((trajectory, _))) = (&self.learned, current) else {
            post_error("There is no model and trajectory to look into yet: train first.");
            return;
        };
        let Some(trajectory) = trajectory.active_lattice() else {
            post_error("Looking into the network needs an active-lattice trajectory.");
            return;
        };
        match inspect_particle(learned, trajectory, particle).await {
            Ok(inspection) => post(&Event::Inspection {
                view: ConfigView::of_particles(&last_configuration(trajectory)),
                inspection,
            }),
            Err(err) => post_error(format!("The particle could not be looked into: {err}.")),
        }
    }

    async fn save_model(&self) {
        let Some(learned) = &self.learned else {
            post_error("There is no learned model to save yet: train first.");
            return;
        };
        match learned.to_bytes().await {
            Ok(bytes) => post(&Event::ModelFile {
                file_name: model_file_name(learned),
                bytes,
            }),
            Err(err) => post_error(format!("The model could not be saved: {err}.")),
        }
    }

    async fn load_model(
        &mut self,
        current: Current<'_>,
        name: String,
        bytes: &[u8],
        restored: bool,
    ) {
        let Some(device) = &self.device else {
            post_error(NO_BACKEND);
            return;
        };
        let learned = match LearnedDynamics::from_bytes(bytes, device) {
            Ok(learned) => learned,
            Err(err) => {
                post_error(format!(
                    "The model file {name:?} was not loaded: {err}. The current model is kept."
                ));
                return;
            }
        };
        let u_per_t = match current {
            Some((trajectory, _)) => match train::evaluate(&learned, trajectory, device).await {
                Ok(u) => Some(u),
                Err(err) => {
                    post_error(format!(
                        "The model {name:?} does not fit the current trajectory: {err}."
                    ));
                    None
                }
            },
            None => None,
        };
        post(&Event::ModelLoaded {
            name: name.clone(),
            u_per_t,
            config: learned.config().clone(),
            restored,
        });
        post(&Event::Backup(Backup::Model {
            name,
            bytes: bytes.to_vec(),
        }));
        self.learned = Some(learned);
    }
}

/// A file name that says what the model is, e.g. "jumpformer-model-mode2-nw4-d64-l2.jfmodel".
pub(crate) fn model_file_name(learned: &LearnedDynamics) -> String {
    let config = learned.config();
    let mode = match config.mode.classes() {
        0 => "mode1".to_string(),
        n => format!("mode2-nw{n}"),
    };
    format!(
        "jumpformer-model-{mode}-d{}-l{}.jfmodel",
        config.d_model, config.layers
    )
}

async fn smoke(device: &Device, steps: usize) {
    let start = js_sys::Date::now();
    let result = smoke_train(device, steps, |step, loss| {
        post(&Event::SmokeStep { step, loss })
    })
    .await;
    match result {
        Ok(losses) => post(&Event::SmokeDone {
            losses,
            seconds: (js_sys::Date::now() - start) / 1000.0,
        }),
        Err(err) => post_error(format!("smoke training failed: {err}")),
    }
}
