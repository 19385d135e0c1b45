//! The simulation job: runs the exact CTMC in slices sized to about one animation frame of wall
//! time, posting a frame after each, until T, a pause, or a newer request.

use super::control::{Control, now_ms, yield_now};
use super::post;
use crate::core::simulation::{SimulationRun, bytes_per_jump, final_view};
use crate::core::trajectory::AnyTrajectory;
use crate::protocol::link::SimulationSettings;
use crate::protocol::messages::{Event, SimulationFrame, TrajectorySummary};

/// Wall time the engine runs between two frames.
const FRAME_BUDGET_MS: f64 = 25.0;

/// Runs a simulation to its end; `None` if it was stopped or could not start.
pub async fn simulate(
    settings: &SimulationSettings,
    control: &Control,
) -> Option<(AnyTrajectory, TrajectorySummary)> {
    let mut run =
        match SimulationRun::new(&settings.model, settings.t, settings.burn_in, settings.seed) {
            Ok(run) => run,
            Err(err) => {
                post(&Event::Error {
                    message: format!("The simulation could not start: {err}."),
                });
                return None;
            }
        };
    control.set_paused(false);
    let started = now_ms();
    let mut paused_ms = 0.0;
    // Simulated time per engine call, adapted so each call takes a few milliseconds.
    let mut slice = (settings.t * 1e-4).max(1e-6);
    let mut running_ms;
    loop {
        paused_ms += control.checkpoint(|| post(&frame(&run, 0.0, true))).await?;
        let wall0 = now_ms();
        while now_ms() - wall0 < FRAME_BUDGET_MS && !run.finished() {
            let t0 = now_ms();
            run.advance(run.time() + slice);
            let took = now_ms() - t0;
            if took < 2.0 {
                slice *= 2.0;
            } else if took > 8.0 {
                slice *= 0.5;
            }
        }
        // One definition of the rate, here and in the trajectory's summary: events per second
        // of wall-clock time since the start, pauses left out.
        running_ms = (now_ms() - started - paused_ms).max(1.0);
        post(&frame(&run, run.events() as f64 / running_ms * 1e3, false));
        if run.finished() {
            break;
        }
        yield_now().await;
    }
    let seconds = running_ms / 1e3;
    let observables = run.observable_summary();
    let trajectory = run.into_trajectory()?;
    let summary = TrajectorySummary {
        source: "simulation".into(),
        kind: trajectory.kind().into(),
        jumps: trajectory.num_jumps(),
        total_time: trajectory.total_time(),
        u_per_t: trajectory.log_likelihood().ok().map(|l| l.u_per_t),
        bytes_per_jump: bytes_per_jump(&trajectory),
        observables,
        last_view: final_view(&trajectory),
        seconds: Some(seconds),
        file_name: file_name(settings),
    };
    Some((trajectory, summary))
}

fn frame(run: &SimulationRun, events_per_s: f64, paused: bool) -> Event {
    Event::SimulationFrame(SimulationFrame {
        time: run.time(),
        total_time: run.total_time(),
        events: run.events(),
        events_per_s,
        view: run.view(),
        observables: run.latest_observables(),
        paused,
    })
}

/// A file name that says what the trajectory is, e.g. "active-lattice-L30-phi0.1244-T500-seed1.json".
fn file_name(settings: &SimulationSettings) -> String {
    format!(
        "{}-T{}-seed{}.json",
        settings.model.file_stem(),
        settings.t,
        settings.seed
    )
}
