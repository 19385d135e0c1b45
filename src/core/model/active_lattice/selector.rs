//! O(1) rejection-free selection for the active-lattice model by move class.
//!
//! Every rate is one of D (rotations), v_plus (a free step along the orientation), v_zero (any
//! other free step) or 0 (a blocked step). So the next move is chosen in two stages: a class
//! with probability (class size x class rate) / R, then a uniformly random member of it. The
//! rotations are all 2N moves, indexed directly; the free steps of each class live in a
//! swap-remove list with a position index, so membership changes cost O(1).
//!
//! A jump changes the class of few moves: a rotation swaps the mover's old and new forward
//! steps between the two step classes; a step re-classes the mover's four steps, unblocks the
//! neighbours of the vacated site that point into it and blocks the neighbours of the entered
//! site that point into it. R is recomputed from the class sizes (count x rate) after every
//! jump, never accumulated, so it carries no rounding drift.

use super::{ActiveLattice, ActiveLatticeRates, EMPTY};
use crate::core::ctmc::Selector;

/// Class of a step: blocked (rate 0).
const BLOCKED: u8 = 0;
/// Class of a step: free and along the orientation (rate v_plus).
const FORWARD: u8 = 1;
/// Class of a step: free and not along the orientation (rate v_zero).
const SIDE: u8 = 2;

/// The active-lattice model with its steps sorted into move classes.
///
/// Step moves are identified by `4 * particle + direction` (move index `2 + direction`).
/// Each class, blocked steps included, is a list in `members`; keeping the blocked list too
/// makes a change of class branch-free.
#[derive(Debug, Clone)]
pub struct ActiveLatticeSelector {
    model: ActiveLattice,
    /// Class of every step (`BLOCKED`, `FORWARD` or `SIDE`).
    class: Vec<u8>,
    /// Position of every step in its class's list.
    slot: Vec<u32>,
    /// Three lists of `4 N` slots each: class `c` holds `members[c * 4N..c * 4N + len[c]]`,
    /// in no particular (but deterministic) order.
    members: Vec<u32>,
    /// Sizes of the three classes.
    len: [usize; 3],
    /// 2 N D: the total rate of the rotations.
    rotation_total: f64,
    /// R = 2 N D + |forward| v_plus + |side| v_zero.
    total: f64,
}

impl ActiveLatticeSelector {
    /// Number of free steps along the orientation.
    pub fn forward_steps(&self) -> usize {
        self.len[FORWARD as usize]
    }

    /// Number of free steps not along the orientation.
    pub fn side_steps(&self) -> usize {
        self.len[SIDE as usize]
    }

    /// The members of class `c`.
    #[inline]
    fn list(&self, c: u8) -> &[u32] {
        let cap = self.class.len();
        let start = c as usize * cap;
        &self.members[start..start + self.len[c as usize]]
    }

    #[inline]
    fn rates(&self) -> ActiveLatticeRates {
        self.model.rates
    }

    #[inline]
    fn refresh_total(&mut self) {
        let r = self.rates();
        self.total = self.rotation_total
            + (self.len[FORWARD as usize] as f64 * r.v_plus
                + self.len[SIDE as usize] as f64 * r.v_zero);
    }

    /// The class a free step of particle `i` in direction `dir` belongs to.
    #[inline]
    fn free_class(&self, i: usize, dir: usize) -> u8 {
        FORWARD + (self.model.particles.o[i] as usize != dir) as u8
    }

    /// Moves step `id` into class `to` (no-op if it is there already): swap-remove from the old
    /// list, push onto the new one, with no branch on which classes they are.
    #[inline(always)]
    fn set_class(&mut self, id: usize, to: u8) {
        let cap = self.class.len();
        let from = self.class[id] as usize;
        let to = to as usize;
        if from == to {
            return;
        }
        self.class[id] = to as u8;
        let k = self.slot[id] as usize;
        self.len[from] -= 1;
        let last = self.members[from * cap + self.len[from]];
        self.members[from * cap + k] = last;
        self.slot[last as usize] = k as u32;
        let end = self.len[to];
        self.members[to * cap + end] = id as u32;
        self.slot[id] = end as u32;
        self.len[to] = end + 1;
    }

    /// Recomputes the classes of all four steps of particle `i` at site (x, y).
    #[inline]
    fn reclassify_particle(&mut self, i: usize, x: usize, y: usize) {
        let l = self.model.l;
        let sites = neighbour_sites(l, x, y);
        for (dir, &site) in sites.iter().enumerate() {
            let free = (self.model.grid[site] == EMPTY) as u8;
            let to = free * self.free_class(i, dir);
            self.set_class(4 * i + dir, to);
        }
    }
}

/// The sites one step from (x, y) in directions +x, +y, -x, -y (periodic), as grid indices.
#[inline(always)]
fn neighbour_sites(l: usize, x: usize, y: usize) -> [usize; 4] {
    let row = y * l;
    let xp = if x + 1 == l { 0 } else { x + 1 };
    let xm = if x == 0 { l - 1 } else { x - 1 };
    let yp = if y + 1 == l { 0 } else { y + 1 };
    let ym = if y == 0 { l - 1 } else { y - 1 };
    [row + xp, yp * l + x, row + xm, ym * l + x]
}

impl Selector for ActiveLatticeSelector {
    type Model = ActiveLattice;

    fn new(model: ActiveLattice) -> Self {
        let n = model.num_particles();
        // Start with every step blocked, listed in order.
        let mut members = vec![0; 3 * 4 * n];
        for (k, m) in members[..4 * n].iter_mut().enumerate() {
            *m = k as u32;
        }
        let mut selector = Self {
            class: vec![BLOCKED; 4 * n],
            slot: (0..4 * n as u32).collect(),
            members,
            len: [4 * n, 0, 0],
            rotation_total: (2 * n) as f64 * model.rates.d,
            total: 0.0,
            model,
        };
        for i in 0..n {
            let (x, y, _) = selector.model.particle(i);
            selector.reclassify_particle(i, x, y);
        }
        selector.refresh_total();
        selector
    }

    #[inline]
    fn model(&self) -> &ActiveLattice {
        &self.model
    }

    #[inline]
    fn total_rate(&self) -> f64 {
        self.total
    }

    #[inline]
    fn rate(&self, token: usize, mv: usize) -> f64 {
        let r = self.rates();
        match mv {
            0 | 1 => r.d,
            2..=5 => match self.class[4 * token + mv - 2] {
                FORWARD => r.v_plus,
                SIDE => r.v_zero,
                _ => 0.0,
            },
            _ => 0.0,
        }
    }

    /// Rotations first (move index 2N D / D = 2 i + m), then forward steps, then the others;
    /// the member index within a class is the position of `u R` in the class's interval divided
    /// by the class rate. Rounding can only push past the end of a class, which is clamped to its
    /// last member (or the last non-empty class).
    #[inline]
    fn select(&self, u: f64) -> Option<(usize, usize)> {
        if self.total <= 0.0 {
            return None;
        }
        let r = self.rates();
        let mut x = u * self.total;
        if x < self.rotation_total {
            let k = ((x / r.d) as usize).min(2 * self.model.num_particles() - 1);
            return Some((k >> 1, k & 1));
        }
        x -= self.rotation_total;
        let forward_total = self.len[FORWARD as usize] as f64 * r.v_plus;
        let pick = |list: &[u32], x: f64, rate: f64| {
            let k = ((x / rate) as usize).min(list.len() - 1);
            let id = list[k] as usize;
            Some((id >> 2, 2 + (id & 3)))
        };
        if x < forward_total {
            return pick(self.list(FORWARD), x, r.v_plus);
        }
        x -= forward_total;
        if self.len[SIDE as usize] > 0 && r.v_zero > 0.0 {
            pick(self.list(SIDE), x, r.v_zero)
        } else if forward_total > 0.0 {
            // Only reached by rounding past the end of the forward steps.
            pick(self.list(FORWARD), x + forward_total, r.v_plus)
        } else {
            let k = 2 * self.model.num_particles() - 1;
            Some((k >> 1, k & 1))
        }
    }

    #[inline]
    fn apply(&mut self, i: usize, mv: usize) {
        let (x, y, o) = self.model.particle(i);
        match mv {
            0 | 1 => {
                let turned = if mv == 0 { (o + 1) & 3 } else { (o + 3) & 3 };
                self.model.particles.o[i] = turned;
                // The old forward step, if free, becomes a side step (FORWARD -> SIDE, BLOCKED
                // stays), and the new forward step, if free, a forward one (SIDE -> FORWARD).
                let old = 4 * i + o as usize;
                self.set_class(old, 2 * self.class[old]);
                let new = 4 * i + turned as usize;
                self.set_class(new, self.class[new] / 2);
                self.refresh_total();
                return;
            }
            2..=5 => {}
            _ => {
                debug_assert!(false, "move index {mv} out of range");
                return;
            }
        }
        let dir = mv - 2;
        let l = self.model.l;
        let from_sites = neighbour_sites(l, x, y);
        let from = y * l + x;
        let to = from_sites[dir];
        debug_assert_eq!(self.model.grid[to], EMPTY, "move into an occupied site");
        let (tx, ty) = self
            .model
            .neighbour(x, y, super::Direction::from_index(dir as u8));
        self.model.grid[from] = EMPTY;
        self.model.grid[to] = i as u32;
        self.model.particles.x[i] = tx as u16;
        self.model.particles.y[i] = ty as u16;

        self.reclassify_particle(i, tx, ty);
        // Neighbours of the vacated site pointing into it are now free (the mover is excluded:
        // it sits on `to`).
        for (d, &site) in from_sites.iter().enumerate() {
            let j = self.model.grid[site];
            if j != EMPTY && site != to {
                let j = j as usize;
                let back = (d + 2) & 3;
                let class = self.free_class(j, back);
                self.set_class(4 * j + back, class);
            }
        }
        // Neighbours of the entered site pointing into it are now blocked (the vacated site is
        // empty, so the mover is not among them).
        let to_sites = neighbour_sites(l, tx, ty);
        for (d, &site) in to_sites.iter().enumerate() {
            let j = self.model.grid[site];
            if j != EMPTY {
                self.set_class(4 * j as usize + ((d + 2) & 3), BLOCKED);
            }
        }
        self.refresh_total();
    }

    fn into_model(self) -> ActiveLattice {
        self.model
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ctmc::RatedModel;
    use crate::core::model::{ActiveLatticeSpec, Dynamics};
    use crate::core::rng::Rng;

    /// After many random jumps the classes, lists and R equal those computed from scratch, and
    /// every move's rate equals the model's.
    #[test]
    fn ctmc_alm_classes_stay_consistent_with_the_model() {
        for (phi, seed) in [(0.1244, 1u64), (0.5, 2), (0.9, 3)] {
            let mut rng = Rng::new(seed);
            let spec = ActiveLatticeSpec {
                l: 7,
                ..ActiveLatticeSpec::paper(phi)
            };
            let model = spec.build(&mut rng).unwrap();
            let mut fast = ActiveLatticeSelector::new(model.clone());
            let mut tree = RatedModel::new(model);
            for step in 0..20_000 {
                let (token, mv) = fast.select(rng.uniform()).unwrap();
                assert!(fast.rate(token, mv) > 0.0);
                fast.apply(token, mv);
                tree.apply(token, mv);
                if step % 97 != 0 {
                    continue;
                }
                let fresh = ActiveLatticeSelector::new(fast.model().clone());
                assert_eq!(fast.model().config(), tree.model().config());
                let n = fast.model().num_particles();
                for i in 0..n {
                    for m in 0..6 {
                        assert_eq!(fast.rate(i, m), tree.model().rate(i, m), "({i}, {m})");
                    }
                }
                assert_eq!(fast.class, fresh.class);
                assert_eq!(fast.len, fresh.len);
                assert_eq!(fast.total.to_bits(), fresh.total.to_bits());
                for class in [BLOCKED, FORWARD, SIDE] {
                    for (k, &id) in fast.list(class).iter().enumerate() {
                        assert_eq!(fast.class[id as usize], class);
                        assert_eq!(fast.slot[id as usize] as usize, k);
                    }
                }
                let tree_total = tree.total_rate();
                assert!((fast.total_rate() - tree_total).abs() <= 1e-12 * tree_total);
            }
        }
    }

    #[test]
    fn ctmc_alm_selection_covers_classes_in_order_and_clamps() {
        let model = ActiveLattice::new(
            5,
            ActiveLatticeRates {
                d: 0.5,
                v_plus: 3.0,
                v_zero: 1.0,
            },
            crate::core::model::ParticleConfig {
                x: vec![0, 1],
                y: vec![0, 0],
                o: vec![0, 1],
            },
        )
        .unwrap();
        let s = ActiveLatticeSelector::new(model);
        // Rotations 4 * 0.5 = 2; particle 0's forward step is blocked, particle 1's is free:
        // forward 3; side steps: 3 of particle 0, 2 of particle 1 (its -x step is blocked): 5.
        assert_eq!((s.forward_steps(), s.side_steps()), (1, 5));
        assert_eq!(s.total_rate(), 10.0);
        assert_eq!(s.select(0.0), Some((0, 0)));
        assert_eq!(s.select(0.15), Some((1, 1)));
        assert_eq!(s.select(0.2), Some((1, 2 + 1)));
        let (token, mv) = s.select(1.0 - f64::EPSILON / 2.0).unwrap();
        assert!(mv >= 2 && s.rate(token, mv) == 1.0);
        // Rounding past the end never selects a blocked step.
        let (token, mv) = s.select(1.0).unwrap();
        assert_eq!(s.rate(token, mv), 1.0);
    }
}
