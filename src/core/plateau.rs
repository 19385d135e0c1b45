//! Where a Mode 2 scan's curve of U/T against N_W flattens (SPEC 4): the number of distinct
//! processes the dynamics has, judged so that noise in U/T does not decide it.
//!
//! Every N_W is scored on the same trajectory (the held-out one when there is one), split into
//! the same consecutive stretches. The difference between two networks' U/T is then a sum of
//! per-stretch differences, and its standard error follows from their spread (batch means:
//! stretches much longer than the dynamics' memory are close to independent). The plateau is the
//! smallest N_W whose U/T is not clearly below the best: within two standard errors of it, or
//! within 1% of the curve's rise, a difference too small to matter or to see on the chart.

use serde::{Deserialize, Serialize};

/// Standard errors a gap may span and still count as noise (one-sided, about 2.3% of pure noise
/// is rejected).
pub const NOISE_STANDARD_ERRORS: f64 = 2.0;
/// A gap smaller than this share of the curve's rise (best minus worst U/T) counts as none.
pub const NEGLIGIBLE_SHARE_OF_RISE: f64 = 0.01;
/// With fewer stretches than this the spread says too little: the plateau falls back to the
/// share-of-rise rule alone, with [`FALLBACK_SHARE_OF_RISE`].
pub const MIN_BLOCKS: usize = 5;
/// The share of the rise within which a point is on the plateau when there are no stretches.
pub const FALLBACK_SHARE_OF_RISE: f64 = 0.02;

/// One N_W of a scan: its U/T and the same split over the trajectory's stretches (empty if
/// unknown).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScanScore<'a> {
    pub classes: usize,
    pub u_per_t: f64,
    pub blocks: &'a [f64],
}

impl<'a> ScanScore<'a> {
    /// The score of one N_W as a scan judges it: on the held-out trajectory when there is one
    /// (its U/T and stretches), else on the training trajectory.
    pub fn judged(
        classes: usize,
        training: (f64, &'a [f64]),
        held_out: Option<(f64, &'a [f64])>,
    ) -> Self {
        let (u_per_t, blocks) = held_out.unwrap_or(training);
        Self {
            classes,
            u_per_t,
            blocks,
        }
    }
}

/// How far one N_W's U/T lies below the best, and the standard error of that gap.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    pub classes: usize,
    pub gap: f64,
    /// `None` when the stretches could not be compared.
    pub standard_error: Option<f64>,
}

impl Gap {
    /// The gap is within noise: at most [`NOISE_STANDARD_ERRORS`] standard errors.
    pub fn within_noise(&self) -> bool {
        self.standard_error
            .is_some_and(|se| self.gap <= NOISE_STANDARD_ERRORS * se)
    }
}

/// Where the curve flattens, and the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plateau {
    /// The smallest N_W not clearly below the best: the number of processes found.
    pub classes: usize,
    /// The N_W with the best U/T.
    pub best_classes: usize,
    /// The tolerance that counted as negligible (a share of the rise).
    pub negligible: f64,
    /// Every finite N_W's gap to the best, in N_W order.
    pub gaps: Vec<Gap>,
    /// The number of stretches the gaps' standard errors come from; 0 when the rule fell back to
    /// the share of the rise alone.
    pub blocks: usize,
}

impl Plateau {
    /// The gap of the largest N_W below the plateau: the evidence that the plateau is not lower.
    /// `None` when the plateau is the smallest N_W scanned.
    pub fn below(&self) -> Option<Gap> {
        self.gaps
            .iter()
            .rev()
            .find(|g| g.classes < self.classes)
            .copied()
    }

    /// The gap of `classes`, if it was scanned.
    pub fn gap(&self, classes: usize) -> Option<Gap> {
        self.gaps.iter().find(|g| g.classes == classes).copied()
    }
}

/// The standard error of the sum of `d`, from the spread of its terms (batch means).
fn standard_error_of_sum(d: &[f64]) -> f64 {
    let b = d.len() as f64;
    let mean = d.iter().sum::<f64>() / b;
    let variance = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (b - 1.0);
    (b * variance).sqrt()
}

/// The plateau of a scan's points (any order). `None` with fewer than two finite points.
pub fn plateau(points: &[ScanScore]) -> Option<Plateau> {
    let finite: Vec<&ScanScore> = points.iter().filter(|p| p.u_per_t.is_finite()).collect();
    if finite.len() < 2 {
        return None;
    }
    let best = *finite
        .iter()
        .max_by(|a, b| a.u_per_t.total_cmp(&b.u_per_t))?;
    let worst = finite
        .iter()
        .map(|p| p.u_per_t)
        .fold(f64::INFINITY, f64::min);
    let rise = (best.u_per_t - worst).max(best.u_per_t.abs() * 0.01);
    let blocks = best.blocks.len();
    let comparable = blocks >= MIN_BLOCKS
        && finite
            .iter()
            .all(|p| p.blocks.len() == blocks && p.blocks.iter().all(|u| u.is_finite()));
    let (negligible, blocks) = if comparable {
        (NEGLIGIBLE_SHARE_OF_RISE * rise, blocks)
    } else {
        (FALLBACK_SHARE_OF_RISE * rise, 0)
    };
    let gap = |p: &ScanScore| Gap {
        classes: p.classes,
        gap: best.u_per_t - p.u_per_t,
        standard_error: comparable.then(|| {
            let d: Vec<f64> = best
                .blocks
                .iter()
                .zip(p.blocks)
                .map(|(b, u)| b - u)
                .collect();
            standard_error_of_sum(&d)
        }),
    };
    let mut by_classes = finite.clone();
    by_classes.sort_by_key(|p| p.classes);
    let gaps: Vec<Gap> = by_classes.iter().map(|p| gap(p)).collect();
    let classes = gaps
        .iter()
        .find(|g| g.gap <= negligible || g.within_noise())?
        .classes;
    Some(Plateau {
        classes,
        best_classes: best.classes,
        negligible,
        gaps,
        blocks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(classes: usize, blocks: &[f64]) -> ScanScore<'_> {
        ScanScore {
            classes,
            u_per_t: blocks.iter().sum(),
            blocks,
        }
    }

    /// The standard error of a sum from its terms' spread, against a hand computation:
    /// terms 1, 2, 3, 4, 5 have variance 2.5, so the sum's is 5 x 2.5.
    #[test]
    fn the_standard_error_of_a_sum_is_its_terms_spread() {
        let se = standard_error_of_sum(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert!((se - 12.5_f64.sqrt()).abs() < 1e-12, "{se}");
    }

    /// The Exclusion preset's held-out scan (page, ten epochs per N_W): -50.15, 17.93, 29.06,
    /// 30.53, 29.21, 29.20. N_W = 3 is within 2% of the rise of the best (the old rule named
    /// it), but 1.47 below N_W = 4 in every stretch alike: a real gap, so the plateau is 4.
    #[test]
    fn a_gap_the_same_in_every_stretch_is_real_even_when_small_against_the_rise() {
        let per = |u: f64, wobble: f64| -> Vec<f64> {
            (0..10)
                .map(|i| u / 10.0 + if i % 2 == 0 { wobble } else { -wobble })
                .collect()
        };
        let curves = [
            per(-50.15, 0.5),
            per(17.93, 0.3),
            per(29.06, 0.2),
            per(30.53, 0.2),
            per(29.21, 0.2),
            per(29.20, 0.2),
        ];
        let points: Vec<ScanScore> = curves
            .iter()
            .enumerate()
            .map(|(i, b)| score(i + 1, b))
            .collect();
        let found = plateau(&points).expect("a plateau");
        assert_eq!(found.classes, 4, "{found:?}");
        assert_eq!(found.best_classes, 4);
        assert_eq!(found.blocks, 10);
        let below = found.below().expect("N_W = 3 is below");
        assert_eq!(below.classes, 3);
        assert!((below.gap - 1.47).abs() < 1e-9, "{below:?}");
        // Every stretch differs by the same 0.147: no spread at all.
        assert!(
            below.standard_error.is_some_and(|se| se < 1e-9),
            "{below:?}"
        );
    }

    /// A smaller N_W whose gap to the best is within two standard errors is the plateau: when
    /// N_W = 5 beats N_W = 4 by less than the stretches' noise, 4 is named.
    #[test]
    fn a_gap_within_the_noise_of_the_stretches_is_no_gap() {
        let four = [3.0, 2.0, 3.0, 2.0, 3.0, 2.0];
        // 0.3 better in three stretches, 0.2 worse in three: gap -0.3 overall.
        let five = [3.3, 1.8, 3.3, 1.8, 3.3, 1.8];
        let one = [0.0; 6];
        let points = [score(1, &one), score(4, &four), score(5, &five)];
        let found = plateau(&points).expect("a plateau");
        assert_eq!(found.best_classes, 5);
        assert_eq!(found.classes, 4, "{found:?}");
        // d = 0.3, -0.2 alternating: mean 0.05, variance 6 x 0.25^2 / 5 = 0.075, so the
        // sum's standard error is sqrt(6 x 0.075) = 0.67; the gap of 0.3 is under half of it.
        let gap = found.gap(4).expect("4 was scanned");
        assert!((gap.gap - 0.3).abs() < 1e-9, "{gap:?}");
        let se = gap.standard_error.expect("comparable");
        assert!((se - 0.45_f64.sqrt()).abs() < 1e-9, "{se}");
    }

    /// Without stretches (an old scan, a model without held-out data) the rule is a share of the
    /// rise: within 2% of best minus worst.
    #[test]
    fn without_stretches_the_plateau_is_within_two_percent_of_the_rise() {
        let points = [
            ScanScore {
                classes: 1,
                u_per_t: 0.0,
                blocks: &[],
            },
            ScanScore {
                classes: 2,
                u_per_t: 90.0,
                blocks: &[],
            },
            ScanScore {
                classes: 3,
                u_per_t: 98.5,
                blocks: &[],
            },
            ScanScore {
                classes: 4,
                u_per_t: 100.0,
                blocks: &[],
            },
        ];
        let found = plateau(&points).expect("a plateau");
        assert_eq!(found.classes, 3, "{found:?}");
        assert_eq!(found.blocks, 0);
        assert_eq!(found.below().map(|g| g.classes), Some(2));
        assert!(plateau(&points[..1]).is_none());
    }

    /// Non-finite points (a diverged N_W) take no part.
    #[test]
    fn a_diverged_point_is_left_out() {
        let points = [
            ScanScore {
                classes: 1,
                u_per_t: f64::NAN,
                blocks: &[],
            },
            ScanScore {
                classes: 2,
                u_per_t: 5.0,
                blocks: &[],
            },
            ScanScore {
                classes: 3,
                u_per_t: 10.0,
                blocks: &[],
            },
        ];
        assert_eq!(plateau(&points).map(|p| p.classes), Some(3));
    }
}
