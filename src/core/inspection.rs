//! What a trained network learned about one particle: the learned rate of each of its moves
//! beside the true rate, and where its attention goes among the other particles.

#[cfg(feature = "learner")]
use crate::core::learner::LearnedDynamics;
use crate::core::learner::LearnerError;
use crate::core::model::ActiveLattice;
#[cfg(feature = "learner")]
use crate::core::model::{Dynamics, MoveKind};
use crate::core::trajectory::Trajectory;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// One candidate move of the particle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoveRate {
    /// What the move is in this configuration, e.g. "forward step (v_plus)".
    pub label: String,
    pub learned: f64,
    /// The rate of the rules that made the trajectory (0 for a blocked step); `None` when its
    /// file did not say.
    pub truth: Option<f64>,
}

/// The network's view of one particle of a configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParticleInspection {
    pub particle: usize,
    pub moves: Vec<MoveRate>,
    /// How much the particle attends to each particle (itself included) in the last layer,
    /// averaged over heads.
    pub attention: Vec<f32>,
}

/// Why a particle could not be inspected.
#[derive(Debug, Error)]
pub enum InspectionError {
    #[error("there is no particle {particle}: the configuration has {count}")]
    NoParticle { particle: usize, count: usize },
    #[error(transparent)]
    Learner(#[from] LearnerError),
}

/// The last configuration of `trajectory`, as a model with the trajectory's rates.
pub fn last_configuration(trajectory: &Trajectory<ActiveLattice>) -> ActiveLattice {
    let last = trajectory.num_configs().saturating_sub(1);
    trajectory.replay_from(last).model().clone()
}

/// What `learned` makes of `particle` in the last configuration of `trajectory`: each move's
/// learned and true rate, and the particle's attention in the last layer.
#[cfg(feature = "learner")]
pub async fn inspect_particle(
    learned: &LearnedDynamics,
    trajectory: &Trajectory<ActiveLattice>,
    particle: usize,
) -> Result<ParticleInspection, InspectionError> {
    let model = &last_configuration(trajectory);
    let rules_known = trajectory.rates().is_some();
    let count = model.num_particles();
    if particle >= count {
        return Err(InspectionError::NoParticle { particle, count });
    }
    let inspection = learned.inspect(model).await?;
    let moves = (0..inspection.moves)
        .map(|m| {
            let label = match model.move_kind(particle, m) {
                MoveKind::Rotation if m == 0 => "turn one way (D)".to_string(),
                MoveKind::Rotation => "turn the other way (D)".to_string(),
                kind => kind.label().to_string(),
            };
            MoveRate {
                label,
                learned: f64::from(inspection.rates[particle * inspection.moves + m]),
                truth: rules_known.then(|| model.rate(particle, m)),
            }
        })
        .collect();
    let n = inspection.tokens;
    let attention = inspection
        .attention
        .last()
        .map(|map| map[particle * n..(particle + 1) * n].to_vec())
        .unwrap_or_default();
    Ok(ParticleInspection {
        particle,
        moves,
        attention,
    })
}

#[cfg(all(test, feature = "learner"))]
mod tests {
    use super::*;
    use crate::core::compute::cpu_device;
    use crate::core::learner::{LearnerConfig, Trainer};
    use crate::core::model::{ActiveLatticeRates, ActiveLatticeSpec, ModelSpec};
    use crate::core::simulation::SimulationRun;
    use crate::core::trajectory::AnyTrajectory;
    use pollster::block_on;
    use std::sync::Arc;

    /// The true rates are the rules' (a blocked step 0), whatever the network says; the
    /// attention row is the particle's.
    #[test]
    fn a_particle_is_shown_with_its_true_rates_and_its_attention() {
        let spec = ModelSpec::ActiveLattice(ActiveLatticeSpec {
            l: 6,
            ..ActiveLatticeSpec::paper(0.4)
        });
        let mut run = SimulationRun::new(&spec, 2.0, 0.0, 3).unwrap();
        run.advance(2.0);
        let Some(AnyTrajectory::ActiveLattice(trajectory)) = run.into_trajectory() else {
            panic!("an active-lattice trajectory");
        };
        let config = LearnerConfig {
            d_model: 8,
            heads: 2,
            layers: 1,
            d_ff: 16,
            ..LearnerConfig::default()
        };
        let trajectory = Arc::new(trajectory);
        let trainer = Trainer::new(config, trajectory.clone(), cpu_device(), None).unwrap();
        let learned = trainer.learned();
        let model = last_configuration(&trajectory);
        let rates = ActiveLatticeRates::PAPER;
        for particle in 0..model.num_particles() {
            let seen = block_on(inspect_particle(&learned, &trajectory, particle)).unwrap();
            assert_eq!(seen.particle, particle);
            assert_eq!(seen.moves.len(), 6);
            assert_eq!(seen.attention.len(), model.num_particles());
            for (m, mv) in seen.moves.iter().enumerate() {
                let expected = match model.move_kind(particle, m) {
                    MoveKind::Rotation => rates.d,
                    MoveKind::Forward => rates.v_plus,
                    MoveKind::OtherStep => rates.v_zero,
                    MoveKind::Blocked => 0.0,
                };
                assert_eq!(mv.truth, Some(expected), "{}", mv.label);
                assert!(mv.learned > 0.0);
            }
        }
        let outside = block_on(inspect_particle(&learned, &trajectory, 99));
        assert!(matches!(
            outside,
            Err(InspectionError::NoParticle { particle: 99, .. })
        ));
    }
}
