//! Has the network learned that the dynamics is the same at every site? SPEC 4 leaves
//! translational invariance to the learner; this measures how far it has got.
//!
//! The *translation spread* of a network on a set of configurations C is the fraction of its
//! total rate that moves when the configurations are shifted by a lattice translation s:
//!
//! ```text
//! spread = mean over s of  sum_{C,i,m} |W_im(s C) - W_im(C)|  /  sum_{C,i,m} W_im(C)
//! ```
//!
//! Token i of s C is token i of C moved by s, so the candidate moves correspond one to one.
//! Every model here is the same at every site, so the true rates have spread 0. A network that
//! has tied rates to where particles happened to sit in its one training trajectory has a
//! spread above 0: on a short trajectory that is how it memorises (issue 10).

use super::LearnerError;
use super::batch::{Batch, SegmentSource};
use super::learned::LearnedDynamics;
use crate::core::rng::Rng;

/// Configurations, evenly spaced along a trajectory, on which the trainer measures the spread.
pub const SPREAD_CONFIGS: usize = 256;
/// Random translations the spread is averaged over.
pub const SPREAD_SHIFTS: usize = 4;

/// `configs` configurations of `source` at evenly spaced indices (all of them if it has fewer),
/// with allowed-move masks if `with_allowed`.
pub fn evenly_spaced_configurations(
    source: &dyn SegmentSource,
    configs: usize,
    with_allowed: bool,
) -> Batch {
    let total = source.num_configs();
    let configs = configs.clamp(1, total.max(1));
    let mut batch: Option<Batch> = None;
    for j in 0..configs {
        let one = source.segment(j * total / configs, 1, with_allowed);
        match &mut batch {
            Some(b) => b.extend(&one),
            None => batch = Some(one),
        }
    }
    batch.unwrap_or_else(|| source.segment(0, 0, with_allowed))
}

/// A translation of the lattice that moves something: one shift per position table, not all 0.
fn nonzero_shift(sizes: &[usize], rng: &mut Rng) -> Vec<usize> {
    if sizes.iter().all(|&size| size < 2) {
        return vec![0; sizes.len()];
    }
    loop {
        let shift: Vec<usize> = sizes
            .iter()
            .map(|&s| rng.below(s as u64) as usize)
            .collect();
        if shift.iter().any(|&s| s != 0) {
            return shift;
        }
    }
}

/// The translation spread of `learned` on `configurations`, averaged over `shifts` random
/// non-zero translations drawn from `seed`; `None` when the configurations hold no rate.
pub async fn translation_spread(
    learned: &LearnedDynamics,
    configurations: &Batch,
    shifts: usize,
    seed: u64,
) -> Result<Option<f64>, LearnerError> {
    let scheme = learned.scheme();
    let tables = scheme.position_tables();
    let sizes: Vec<usize> = tables.iter().map(|&t| scheme.tables[t]).collect();
    let original = learned.batch_rates(configurations).await?;
    let mut rng = Rng::new(seed);
    let mut translated = Vec::with_capacity(shifts.max(1));
    for _ in 0..shifts.max(1) {
        let mut shifted = configurations.clone();
        shifted.translate(tables, &scheme.tables, &nonzero_shift(&sizes, &mut rng));
        translated.push(learned.batch_rates(&shifted).await?);
    }
    Ok(spread(&original, &translated))
}

/// sum |W' - W| / sum W over the translated rate sets W', averaged; `None` if the rates sum to
/// nothing (or to something not finite).
fn spread(original: &[f32], translated: &[Vec<f32>]) -> Option<f64> {
    let total: f64 = original.iter().map(|&w| w as f64).sum();
    if !(total > 0.0 && total.is_finite()) || translated.is_empty() {
        return None;
    }
    let moved: f64 = translated
        .iter()
        .flat_map(|rates| rates.iter().zip(original))
        .map(|(&a, &b)| (a as f64 - b as f64).abs())
        .sum();
    Some(moved / (translated.len() as f64 * total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spread_is_the_share_of_the_rate_that_moves() {
        let original = [1.0, 2.0, 1.0];
        // |2-1| in the first copy, |1-2| in the second: 2 of 2 x 4.
        let translated = [vec![2.0, 2.0, 1.0], vec![1.0, 1.0, 1.0]];
        assert_eq!(spread(&original, &translated), Some(0.25));
        assert_eq!(spread(&original, &[original.to_vec()]), Some(0.0));
        assert_eq!(spread(&[0.0, 0.0], &[vec![1.0, 1.0]]), None);
        assert_eq!(spread(&original, &[]), None);
    }

    #[test]
    fn every_shift_moves_the_lattice() {
        let mut rng = Rng::new(1);
        for sizes in [vec![2], vec![10], vec![3, 4]] {
            for _ in 0..200 {
                let shift = nonzero_shift(&sizes, &mut rng);
                assert!(shift.iter().any(|&s| s != 0));
                assert!(shift.iter().zip(&sizes).all(|(&s, &l)| s < l));
            }
        }
        assert_eq!(nonzero_shift(&[1], &mut rng), vec![0]);
    }
}
