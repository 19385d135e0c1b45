//! The one seeded random generator behind every draw of a run.
//!
//! xoshiro256** (Blackman & Vigna) seeded through splitmix64 from a `u64` seed. Everything that
//! feeds a trajectory uses integer arithmetic or `libm`, so the same seed gives a bit-identical
//! trajectory natively and in the browser (std's `f64::ln` follows the platform's libm, which
//! may differ in the last bit between glibc and wasm).

/// A xoshiro256** generator; the same seed always gives the same stream on every platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rng {
    s: [u64; 4],
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Right edge R of the exponential ziggurat's base layer, and the common area V of its layers.
const ZIGGURAT_R: f64 = 7.697_117_470_131_05;
const ZIGGURAT_V: f64 = 0.003_949_659_822_581_557;

/// Layer edges of the exponential ziggurat: `x[0] = V / f(R)`, `x[1] = R`, decreasing to
/// `x[256] = 0`, with `f[i] = exp(-x[i])`. Computed once with `libm` only, so they are
/// bit-identical on every platform.
struct Ziggurat {
    x: [f64; 257],
    f: [f64; 257],
}

static ZIGGURAT: std::sync::LazyLock<Ziggurat> = std::sync::LazyLock::new(|| {
    let mut x = [0.0; 257];
    let mut f = [0.0; 257];
    x[0] = ZIGGURAT_V / libm::exp(-ZIGGURAT_R);
    x[1] = ZIGGURAT_R;
    for i in 1..255 {
        x[i + 1] = -libm::log(ZIGGURAT_V / x[i] + libm::exp(-x[i]));
    }
    x[256] = 0.0;
    for i in 0..257 {
        f[i] = libm::exp(-x[i]);
    }
    Ziggurat { x, f }
});

impl Rng {
    /// A generator whose 256-bit state is expanded from `seed` by splitmix64.
    pub fn new(seed: u64) -> Self {
        let mut sm = seed;
        let s = [
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
        ];
        Self { s }
    }

    /// The next 64 uniformly random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A uniform number in [0, 1) with 53 random bits (every value is a multiple of 2^-53).
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform integer in `0..n`, without modulo bias (Lemire's multiply-and-reject).
    ///
    /// # Panics
    /// If `n == 0`.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "Rng::below(0)");
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = (self.next_u64() as u128) * (n as u128);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// An exponential waiting time with the given rate (mean `1 / rate`); infinite if `rate` is 0.
    #[inline]
    pub fn exponential(&mut self, rate: f64) -> f64 {
        self.standard_exponential() / rate
    }

    /// An Exp(1) variate by the ziggurat method (Marsaglia & Tsang 2000, 256 layers): exact, and
    /// in about 99% of draws a single 64-bit draw, one multiplication and one comparison, with no
    /// logarithm. The low 8 bits pick the layer, the high 53 the position in it.
    #[inline]
    pub fn standard_exponential(&mut self) -> f64 {
        let z = &*ZIGGURAT;
        loop {
            let bits = self.next_u64();
            let i = (bits & 0xff) as usize;
            let x = (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64) * z.x[i];
            if x < z.x[i + 1] {
                return x;
            }
            if i == 0 {
                // The tail beyond R: by memorylessness, R + Exp(1) (1 - u lies in (0, 1]).
                return ZIGGURAT_R - libm::log(1.0 - self.uniform());
            }
            // The wedge between the rectangle and the density.
            if z.f[i + 1] + (z.f[i] - z.f[i + 1]) * self.uniform() < libm::exp(-x) {
                return x;
            }
        }
    }

    /// True with probability `p`.
    #[inline]
    pub fn bernoulli(&mut self, p: f64) -> bool {
        self.uniform() < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_reference_xoshiro256starstar() {
        // First output of splitmix64 from state 0, and xoshiro256** from state [1, 2, 3, 4]
        // (the reference implementation's test vector, as in the rand_xoshiro crate).
        let mut sm = 0u64;
        assert_eq!(splitmix64(&mut sm), 0xE220_A839_7B1D_CDAF);
        let mut rng = Rng { s: [1, 2, 3, 4] };
        let expected: [u64; 6] = [
            11520,
            0,
            1509978240,
            1215971899390074240,
            1216172134540287360,
            607988272756665600,
        ];
        for e in expected {
            assert_eq!(rng.next_u64(), e);
        }
        assert_eq!(Rng::new(7), Rng::new(7));
        assert_ne!(Rng::new(8).next_u64(), Rng::new(7).next_u64());
    }

    #[test]
    fn below_stays_in_range_and_is_roughly_uniform() {
        let mut rng = Rng::new(1);
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            counts[rng.below(6) as usize] += 1;
        }
        // Each count is Binomial(60000, 1/6): mean 10000, sd 91; 5 sd = 456.
        for c in counts {
            assert!((c as i64 - 10_000).abs() < 456, "{counts:?}");
        }
    }

    #[test]
    fn ziggurat_layers_close_and_exponential_has_the_right_law() {
        let z = &*ZIGGURAT;
        // Consistent R and V: the recursion from R ends with a top layer of area V too.
        let top = z.x[255] * (1.0 - z.f[255]);
        assert!((top - ZIGGURAT_V).abs() < 1e-9 * ZIGGURAT_V, "{top}");
        assert!(z.x.windows(2).all(|w| w[0] > w[1]));

        // P(X > t) = exp(-t): counts are binomial, tolerance 5 standard errors; t = 8 and 10
        // exercise the tail beyond R, t between layers the wedges. Mean and second moment too.
        let n = 4_000_000;
        let thresholds = [0.05, 0.5, 1.0, 2.0, 4.0, 7.0, 8.0, 10.0];
        let mut above = [0u64; 8];
        let (mut sum, mut sum2) = (0.0, 0.0);
        let mut rng = Rng::new(12);
        for _ in 0..n {
            let x = rng.standard_exponential();
            assert!(x >= 0.0 && x.is_finite());
            sum += x;
            sum2 += x * x;
            for (a, t) in above.iter_mut().zip(thresholds) {
                *a += (x > t) as u64;
            }
        }
        let n = n as f64;
        for (a, t) in above.iter().zip(thresholds) {
            let p = (-t).exp();
            let se = (p * (1.0 - p) / n).sqrt();
            assert!(
                (*a as f64 / n - p).abs() < 5.0 * se,
                "P(X > {t}) = {}",
                *a as f64 / n
            );
        }
        // Var(X) = 1, Var(X^2) = 20.
        assert!((sum / n - 1.0).abs() < 5.0 / n.sqrt(), "{}", sum / n);
        assert!(
            (sum2 / n - 2.0).abs() < 5.0 * 20f64.sqrt() / n.sqrt(),
            "{}",
            sum2 / n
        );
    }

    #[test]
    fn uniform_in_unit_interval() {
        let mut rng = Rng::new(3);
        for _ in 0..10_000 {
            let u = rng.uniform();
            assert!((0.0..1.0).contains(&u));
        }
    }
}
