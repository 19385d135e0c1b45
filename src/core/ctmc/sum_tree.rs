//! Rate bookkeeping for rejection-free selection: a sum tree over tokens and a per-move rate table.
//!
//! Independent of any model: the true-rate models fill it through [`super::RatedModel`], and a
//! learned network can fill it directly with [`RateTable::set_all`] or [`RateTable::set_token`].

/// A complete binary tree of sums over `n` non-negative leaves: O(log n) update and selection.
///
/// Every internal node is recomputed from its two children on update (never incremented), so
/// the total carries no accumulated rounding drift however long the run.
#[derive(Debug, Clone)]
pub struct SumTree {
    /// Number of leaf slots, a power of two >= the number of leaves.
    width: usize,
    len: usize,
    /// Heap layout: `nodes[1]` is the root, children of `i` are `2i` and `2i + 1`,
    /// leaf `j` is `nodes[width + j]`. Unused leaf slots hold 0.
    nodes: Vec<f64>,
}

impl SumTree {
    /// A tree of `len` zero leaves.
    pub fn new(len: usize) -> Self {
        let width = len.next_power_of_two().max(1);
        Self {
            width,
            len,
            nodes: vec![0.0; 2 * width],
        }
    }

    /// Number of leaves.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if the tree has no leaves.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The sum of all leaves.
    #[inline]
    pub fn total(&self) -> f64 {
        self.nodes[1]
    }

    /// Leaf `i`.
    #[inline]
    pub fn get(&self, i: usize) -> f64 {
        self.nodes[self.width + i]
    }

    /// Sets leaf `i` to `value` and recomputes its ancestors.
    #[inline]
    pub fn set(&mut self, i: usize, value: f64) {
        debug_assert!(i < self.len);
        debug_assert!(value >= 0.0, "negative rate {value}");
        let mut node = self.width + i;
        let mut sum = value;
        self.nodes[node] = sum;
        while node > 1 {
            // Floating-point addition is commutative, so this equals left + right exactly.
            sum += self.nodes[node ^ 1];
            node >>= 1;
            self.nodes[node] = sum;
        }
    }

    /// Sets all leaves at once and rebuilds the tree in O(n).
    ///
    /// # Panics
    /// If `values.len()` differs from [`Self::len`].
    pub fn set_all(&mut self, values: &[f64]) {
        assert_eq!(values.len(), self.len, "SumTree::set_all: wrong length");
        self.nodes[self.width..self.width + self.len].copy_from_slice(values);
        for node in (1..self.width).rev() {
            self.nodes[node] = self.nodes[2 * node] + self.nodes[2 * node + 1];
        }
    }

    /// The leaf `j` whose cumulative interval contains `target` (0 <= target < total), and the
    /// remainder of `target` within that leaf. Never returns a zero leaf when the total is
    /// positive, whatever the rounding.
    #[inline]
    pub fn find(&self, mut target: f64) -> (usize, f64) {
        let mut node = 1;
        while node < self.width {
            let left = self.nodes[2 * node];
            let right = self.nodes[2 * node + 1];
            let go_right = target >= left && right > 0.0;
            target -= if go_right { left } else { 0.0 };
            node = 2 * node + go_right as usize;
        }
        (node - self.width, target)
    }
}

/// Rates of every candidate move of every token, with a [`SumTree`] over tokens' total rates.
#[derive(Debug, Clone)]
pub struct RateTable {
    moves: usize,
    rates: Vec<f64>,
    tree: SumTree,
}

impl RateTable {
    /// A table of `tokens` tokens with `moves` candidate moves each, all rates 0.
    pub fn new(tokens: usize, moves: usize) -> Self {
        assert!(moves > 0, "a token needs at least one candidate move");
        Self {
            moves,
            rates: vec![0.0; tokens * moves],
            tree: SumTree::new(tokens),
        }
    }

    /// Number of tokens.
    pub fn num_tokens(&self) -> usize {
        self.tree.len()
    }

    /// Number of candidate moves per token.
    pub fn moves_per_token(&self) -> usize {
        self.moves
    }

    /// R: the sum of all rates.
    #[inline]
    pub fn total(&self) -> f64 {
        self.tree.total()
    }

    /// The rate of move `mv` of `token`.
    #[inline]
    pub fn rate(&self, token: usize, mv: usize) -> f64 {
        self.rates[token * self.moves + mv]
    }

    /// The rates of all moves of `token`.
    pub fn token_rates(&self, token: usize) -> &[f64] {
        &self.rates[token * self.moves..(token + 1) * self.moves]
    }

    /// The sum of the rates of `token`'s moves.
    pub fn token_total(&self, token: usize) -> f64 {
        self.tree.get(token)
    }

    /// Replaces the rates of `token`'s moves (finite and >= 0).
    pub fn set_token(&mut self, token: usize, rates: &[f64]) {
        self.update_token(token, |row| row.copy_from_slice(rates));
    }

    /// Lets `fill` overwrite `token`'s row of rates, then refreshes the tree if its sum changed.
    #[inline]
    pub fn update_token(&mut self, token: usize, fill: impl FnOnce(&mut [f64])) {
        self.update_token_with_total(token, |row| {
            fill(row);
            row.iter().sum()
        });
    }

    /// Like [`Self::update_token`], with `fill` returning the row's sum (which may differ from
    /// the sequential sum by rounding; selection tolerates that).
    #[inline]
    pub fn update_token_with_total(&mut self, token: usize, fill: impl FnOnce(&mut [f64]) -> f64) {
        let row = &mut self.rates[token * self.moves..(token + 1) * self.moves];
        let sum = fill(row);
        if sum.to_bits() != self.tree.get(token).to_bits() {
            self.tree.set(token, sum);
        }
    }

    /// Replaces every rate at once (token-major, `tokens * moves` values) in O(n).
    ///
    /// # Panics
    /// If `rates` has the wrong length.
    pub fn set_all(&mut self, rates: &[f64]) {
        assert_eq!(
            rates.len(),
            self.rates.len(),
            "RateTable::set_all: wrong length"
        );
        self.rates.copy_from_slice(rates);
        let sums: Vec<f64> = self
            .rates
            .chunks_exact(self.moves)
            .map(|row| row.iter().sum())
            .collect();
        self.tree.set_all(&sums);
    }

    /// The move whose cumulative interval contains `u * R`, for `u` uniform in [0, 1):
    /// move (token, m) is chosen with probability rate / R. `None` if R = 0.
    #[inline]
    pub fn select(&self, u: f64) -> Option<(usize, usize)> {
        let total = self.total();
        if total <= 0.0 {
            return None;
        }
        let (token, mut target) = self.tree.find(u * total);
        let row = self.token_rates(token);
        let mut last_possible = 0;
        for (m, &r) in row.iter().enumerate() {
            if r > 0.0 {
                if target < r {
                    return Some((token, m));
                }
                target -= r;
                last_possible = m;
            }
        }
        // Only reached when rounding pushed the target past the row's sum.
        Some((token, last_possible))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_is_sum_and_find_walks_cumulative_intervals() {
        let mut tree = SumTree::new(5);
        tree.set_all(&[1.0, 0.0, 2.0, 3.0, 0.5]);
        assert_eq!(tree.total(), 6.5);
        assert_eq!(tree.find(0.5).0, 0);
        assert_eq!(tree.find(1.0).0, 2);
        assert_eq!(tree.find(2.9).0, 2);
        assert_eq!(tree.find(3.0).0, 3);
        assert_eq!(tree.find(6.4).0, 4);
        assert_eq!(
            tree.find(7.0).0,
            4,
            "overshoot never lands on an empty slot"
        );
        tree.set(4, 0.0);
        assert_eq!(tree.find(6.4).0, 3);
    }

    #[test]
    fn single_leaf_tree_works() {
        let mut tree = SumTree::new(1);
        tree.set(0, 2.0);
        assert_eq!(tree.total(), 2.0);
        assert_eq!(tree.find(1.0).0, 0);
    }

    #[test]
    fn table_selects_moves_by_rate() {
        let mut table = RateTable::new(2, 3);
        table.set_token(0, &[0.0, 1.0, 0.0]);
        table.set_token(1, &[2.0, 0.0, 1.0]);
        assert_eq!(table.total(), 4.0);
        assert_eq!(table.select(0.1), Some((0, 1)));
        assert_eq!(table.select(0.3), Some((1, 0)));
        assert_eq!(table.select(0.8), Some((1, 2)));
        assert_eq!(table.select(0.999_999_999_999), Some((1, 2)));
        table.set_all(&[0.0; 6]);
        assert_eq!(table.select(0.5), None);
    }
}
