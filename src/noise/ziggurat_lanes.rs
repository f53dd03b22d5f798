//! Standard normals for four streams at once: the ziggurat of `rand_distr`, stepped in AVX2 lanes.
//!
//! [`fill_standard_normals_x4`] fills `out[j]` with exactly the values that repeated
//! `StandardNormal.sample(&mut rngs[j])` calls give, and leaves every generator where those calls
//! leave it; the SDE ensemble draws the normals of four Brownian paths side by side the same way
//! (`ScalarIntegrator`'s four-path loop). The law is therefore that of `rand_distr`'s
//! `StandardNormal`: the 256-layer ziggurat (Marsaglia & Tsang, "The Ziggurat Method for Generating
//! Random Variables", J. Stat. Softw. 5(8), 2000, in Doornik's form, "An Improved Ziggurat Method
//! to Generate Normal Random Samples", 2005) with the exact tail beyond `R = 3.6541528853610088`
//! (Marsaglia, "Generating a variable from the tail of the normal distribution", Technometrics 6,
//! 1964). Nothing changes in the numbers a seed gives ([`crate::rng::STREAM_VERSION`] is
//! unchanged); only the speed does.
//!
//! # Method
//! One draw of the ziggurat takes a 64-bit word `b`, the layer `i = b & 255` and
//! `u = 2 (1 + (b >> 12) 2^-52) - 3` in `[-1, 1)`, and returns `x = u X_i` when `|x| < X_{i+1}`
//! (the rectangle test; it passes for about 99 % of draws); otherwise it goes on to the wedge
//! test, or for `i = 0` to the tail, with further words. Here the four streams' xoshiro256++
//! states sit in the four 64-bit lanes of AVX2 registers (each lane the scalar recurrence of
//! [`crate::rng::Xoshiro256PlusPlus`]), and the rectangle test runs on the four words at once: the
//! pairs `(X_i, X_{i+1})` are loaded with four 128-bit loads (the gather instruction is microcoded
//! on recent Intel cores, and measured slower), then one multiply and one compare. A lane that
//! fails the test is rewound to its state before the word and the whole draw is redone by the
//! scalar `StandardNormal`, which reads the same word, fails the same test and goes on to its wedge
//! or tail. The vector path returns only values the scalar rectangle test accepts, computed with
//! the same IEEE operations (exact bit operations, one subtraction, one multiplication; no FMA),
//! so the output is the scalar output bit for bit; the test `lanes_equal_scalar` checks it over
//! millions of draws, every layer and the tail included. Without AVX2 (or off x86-64) the scalar
//! sampler runs: the same numbers, slower.
//!
//! The table `X_i` is read off `rand_distr` itself on first use (a probe generator feeds
//! `StandardNormal` the word with layer `i` and `u = 2^-20`, which the rectangle test accepts, and
//! `X_i` is the returned `2^-20 X_i` times `2^20`, exactly), so the two cannot disagree. Should the
//! probe ever fail (a changed `rand_distr`), every draw is made by the scalar sampler.

use crate::rng::PathRng;
use rand::RngCore;
use rand_distr::{Distribution, StandardNormal};
use std::sync::OnceLock;

/// The rectangle-test table: `pair[i] = (X_i, X_{i+1})` for `i < 254`; the two top layers get
/// threshold 0 (`X_255` cannot be probed: its layer never passes the rectangle test), so their
/// draws (2 in 256) always go to the scalar sampler.
#[derive(Debug)]
pub(crate) struct Tables {
    pair: [[f64; 2]; 256],
}

/// A generator that returns `first`, then words that end any draw at once (layer 1, `u = 0`), and
/// counts the words it gave.
struct Probe {
    first: u64,
    calls: u32,
}

impl RngCore for Probe {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.calls += 1;
        if self.calls == 1 {
            self.first
        } else {
            ((1u64 << 51) << 12) | 1
        }
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand::rand_core::impls::fill_bytes_via_next(self, dest);
    }
}

/// Reads `X_0 .. X_255` off `StandardNormal` (see the module docs); `None` if any probe does not
/// behave as the ziggurat described there.
fn probe_tables() -> Option<Tables> {
    let scale = (1u64 << 20) as f64;
    let mut x = [0.0f64; 256];
    for (i, xi) in x.iter_mut().enumerate().take(255) {
        // Mantissa 2^51 + 2^31: 2 (1 + 2^-1 + 2^-21) - 3 = 2^-20.
        let word = (((1u64 << 51) + (1u64 << 31)) << 12) | i as u64;
        let mut p = Probe { first: word, calls: 0 };
        let v: f64 = StandardNormal.sample(&mut p);
        let xv = v * scale;
        if p.calls != 1 || !(xv.is_finite() && xv > 0.0) || xv / scale != v {
            return None;
        }
        *xi = xv;
    }
    if x[..255].windows(2).any(|w| w[1] >= w[0]) {
        return None;
    }
    let mut pair = [[0.0f64; 2]; 256];
    for i in 0..256 {
        pair[i] = [x[i], if i < 254 { x[i + 1] } else { 0.0 }];
    }
    Some(Tables { pair })
}

/// The probed table, or `None` (then every draw is scalar).
fn probed() -> Option<&'static Tables> {
    static TABLES: OnceLock<Option<Tables>> = OnceLock::new();
    TABLES.get_or_init(probe_tables).as_ref()
}

/// The table, where the AVX2 lanes can run (x86-64 with AVX2, and a successful probe).
pub(crate) fn avx2_tables() -> Option<&'static Tables> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            return probed();
        }
    }
    None
}

/// Whether the four-lane sampler runs in AVX2 lanes on this machine (otherwise the same numbers
/// come from the scalar sampler).
pub fn lanes_available() -> bool {
    avx2_tables().is_some()
}

/// Fills `out[j]` with the standard normals `StandardNormal.sample(&mut rngs[j])` would give, in
/// order, for `j = 0..4`, and advances each generator as those calls would: the same bits as the
/// scalar loop ([`scalar_fill`]), faster where AVX2 is available (see the module docs). Rows of
/// different lengths are allowed (the common length runs in lanes, the rest scalar).
pub fn fill_standard_normals_x4(rngs: &mut [PathRng; 4], out: [&mut [f64]; 4]) {
    let n = out.iter().map(|o| o.len()).min().unwrap_or(0);
    let [a, b, c, d] = out;
    let (a, ra) = a.split_at_mut(n);
    let (b, rb) = b.split_at_mut(n);
    let (c, rc) = c.split_at_mut(n);
    let (d, rd) = d.split_at_mut(n);
    #[cfg(target_arch = "x86_64")]
    if let Some(t) = avx2_tables() {
        // SAFETY: `avx2_tables` returns the table only where AVX2 was detected at run time.
        unsafe { x86::fill(rngs, [a, b, c, d], t) };
        for (r, o) in rngs.iter_mut().zip([ra, rb, rc, rd]) {
            scalar_fill(r, o);
        }
        return;
    }
    for (r, o) in rngs.iter_mut().zip([a, b, c, d]) {
        scalar_fill(r, o);
    }
    for (r, o) in rngs.iter_mut().zip([ra, rb, rc, rd]) {
        scalar_fill(r, o);
    }
}

/// The scalar reference: `StandardNormal.sample(rng)` for each element, in order.
#[inline]
pub fn scalar_fill(rng: &mut PathRng, out: &mut [f64]) {
    for v in out.iter_mut() {
        *v = StandardNormal.sample(rng);
    }
}

/// The AVX2 lanes.
#[cfg(target_arch = "x86_64")]
pub(crate) mod x86 {
    use super::{PathRng, Tables};
    use rand_distr::{Distribution, StandardNormal};
    use std::arch::x86_64::*;

    /// Four xoshiro256++ streams in the lanes of four registers (`s[w]` holds state word `w` of
    /// the four streams) and the ziggurat table. Its methods may be called only from functions
    /// compiled with AVX2 enabled (they are `#[inline(always)]` into them).
    pub(crate) struct Normal4 {
        s: [__m256i; 4],
        t: &'static Tables,
    }

    #[inline(always)]
    fn to_lanes(v: __m256i) -> [u64; 4] {
        // SAFETY: `__m256i` and `[u64; 4]` have the same size; every bit pattern is valid.
        unsafe { std::mem::transmute::<__m256i, [u64; 4]>(v) }
    }

    #[inline(always)]
    fn from_lanes(v: [u64; 4]) -> __m256i {
        // SAFETY: as in `to_lanes`.
        unsafe { std::mem::transmute::<[u64; 4], __m256i>(v) }
    }

    impl Normal4 {
        /// The four generators' states, side by side.
        #[inline(always)]
        pub(crate) fn new(rngs: &[PathRng; 4], t: &'static Tables) -> Self {
            let st = rngs.each_ref().map(|r| r.state());
            Normal4 { s: std::array::from_fn(|w| from_lanes([st[0][w], st[1][w], st[2][w], st[3][w]])), t }
        }

        /// Writes the four states back into `rngs`.
        #[inline(always)]
        pub(crate) fn store(&self, rngs: &mut [PathRng; 4]) {
            let w = self.s.map(to_lanes);
            for (lane, r) in rngs.iter_mut().enumerate() {
                *r = PathRng::from_state([w[0][lane], w[1][lane], w[2][lane], w[3][lane]]);
            }
        }

        /// The next standard normal of each of the four streams.
        ///
        /// # Safety
        /// The calling function must be compiled with AVX2 enabled (the CPU supports it).
        #[inline(always)]
        pub(crate) unsafe fn next(&mut self) -> __m256d {
            // SAFETY (all intrinsics below): AVX2 is enabled in the caller; the loads read
            // `pair[i]` with `i < 256` (masked), inside the table.
            unsafe {
                let old = self.s;
                let [s0, s1, s2, s3] = &mut self.s;
                let sum = _mm256_add_epi64(*s0, *s3);
                let rot = _mm256_or_si256(_mm256_slli_epi64::<23>(sum), _mm256_srli_epi64::<41>(sum));
                let bits = _mm256_add_epi64(rot, *s0);
                let t = _mm256_slli_epi64::<17>(*s1);
                *s2 = _mm256_xor_si256(*s2, *s0);
                *s3 = _mm256_xor_si256(*s3, *s1);
                *s1 = _mm256_xor_si256(*s1, *s2);
                *s0 = _mm256_xor_si256(*s0, *s3);
                *s2 = _mm256_xor_si256(*s2, t);
                *s3 = _mm256_or_si256(_mm256_slli_epi64::<45>(*s3), _mm256_srli_epi64::<19>(*s3));
                // Layer i of each lane; (X_i, X_{i+1}) by four 128-bit loads.
                let lo = _mm256_castsi256_si128(bits);
                let hi = _mm256_extracti128_si256::<1>(bits);
                let i0 = (_mm_cvtsi128_si64(lo) as usize) & 0xff;
                let i1 = (_mm_extract_epi64::<1>(lo) as usize) & 0xff;
                let i2 = (_mm_cvtsi128_si64(hi) as usize) & 0xff;
                let i3 = (_mm_extract_epi64::<1>(hi) as usize) & 0xff;
                let p = &self.t.pair;
                let a0 = _mm_loadu_pd(p[i0].as_ptr());
                let a1 = _mm_loadu_pd(p[i1].as_ptr());
                let a2 = _mm_loadu_pd(p[i2].as_ptr());
                let a3 = _mm_loadu_pd(p[i3].as_ptr());
                let xi = _mm256_set_m128d(_mm_unpacklo_pd(a2, a3), _mm_unpacklo_pd(a0, a1));
                let ti = _mm256_set_m128d(_mm_unpackhi_pd(a2, a3), _mm_unpackhi_pd(a0, a1));
                // u = 2 (1 + (b >> 12) 2^-52) - 3, then the rectangle test |u X_i| < X_{i+1}.
                let expo = _mm256_set1_epi64x(0x4000_0000_0000_0000);
                let u = _mm256_sub_pd(
                    _mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64::<12>(bits), expo)),
                    _mm256_set1_pd(3.0),
                );
                let z = _mm256_mul_pd(u, xi);
                let absmask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fff_ffff_ffff_ffff));
                let ok = _mm256_cmp_pd::<_CMP_LT_OQ>(_mm256_and_pd(z, absmask), ti);
                let mask = _mm256_movemask_pd(ok);
                if mask == 0b1111 {
                    return z;
                }
                let (s, z) =
                    redo(old.map(to_lanes), self.s.map(to_lanes), std::mem::transmute::<__m256d, [f64; 4]>(z), mask);
                self.s = s.map(from_lanes);
                std::mem::transmute::<[f64; 4], __m256d>(z)
            }
        }
    }

    /// The lanes whose rectangle test failed (bit clear in `mask`): rewound to their state
    /// `before` the word and drawn again by the scalar sampler (see the module docs). Returns the
    /// states (`[word][lane]`) and the four values. Plain arrays in and out, so that the hot loop
    /// keeps its registers.
    #[cold]
    #[inline(never)]
    fn redo(before: [[u64; 4]; 4], mut after: [[u64; 4]; 4], mut z: [f64; 4], mask: i32) -> ([[u64; 4]; 4], [f64; 4]) {
        for lane in 0..4 {
            if mask & (1 << lane) == 0 {
                let mut r = PathRng::from_state([before[0][lane], before[1][lane], before[2][lane], before[3][lane]]);
                z[lane] = StandardNormal.sample(&mut r);
                let s = r.state();
                for w in 0..4 {
                    after[w][lane] = s[w];
                }
            }
        }
        (after, z)
    }

    /// # Safety
    /// The CPU must support AVX2; the four rows must have the same length.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn fill(rngs: &mut [PathRng; 4], out: [&mut [f64]; 4], t: &'static Tables) {
        let [o0, o1, o2, o3] = out;
        let n = o0.len();
        let (o1, o2, o3) = (&mut o1[..n], &mut o2[..n], &mut o3[..n]);
        let mut g = Normal4::new(rngs, t);
        for k in 0..n {
            // SAFETY: AVX2 is enabled here.
            let z = unsafe { g.next() };
            // SAFETY: same size, every bit pattern valid.
            let z: [f64; 4] = unsafe { std::mem::transmute::<__m256d, [f64; 4]>(z) };
            o0[k] = z[0];
            o1[k] = z[1];
            o2[k] = z[2];
            o3[k] = z[3];
        }
        g.store(rngs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Seed;

    fn scalar(seed: Seed, first: u64, n: usize) -> (Vec<Vec<f64>>, [PathRng; 4]) {
        let mut rngs: [PathRng; 4] = std::array::from_fn(|j| seed.stream(first + j as u64));
        let rows = rngs
            .iter_mut()
            .map(|r| {
                let mut v = vec![0.0; n];
                scalar_fill(r, &mut v);
                v
            })
            .collect();
        (rows, rngs)
    }

    #[test]
    fn probe_reads_the_table() {
        let t = probe_tables().expect("the probe reads rand_distr's ziggurat table");
        // X_1 is the tail's start R (Doornik 2005, table for 256 layers), X_0 = V / f(R).
        assert_eq!(t.pair[1][0], 3.654_152_885_361_009);
        assert_eq!(t.pair[0][1], t.pair[1][0]);
        assert!((t.pair[0][0] - 3.910_757_959_537_09).abs() < 1e-15);
        assert!(t.pair[253][1] > 0.0 && t.pair[254][1] == 0.0 && t.pair[255][1] == 0.0);
    }

    /// Bit for bit the scalar sampler, over enough draws that every layer, the wedges and the
    /// tail (about 1 draw in 3600 beyond R) occur thousands of times; then the generators are
    /// where the scalar calls leave them.
    #[test]
    fn lanes_equal_scalar() {
        if !lanes_available() {
            eprintln!("note: no AVX2 here; the scalar fallback is what runs (trivially equal)");
        }
        let n = 300_000;
        for (seed, first) in [(Seed::new(1), 0u64), (Seed::new(99), 1_000_003)] {
            let (want, mut want_rngs) = scalar(seed, first, n);
            let mut rngs: [PathRng; 4] = std::array::from_fn(|j| seed.stream(first + j as u64));
            let mut rows = vec![vec![0.0; n]; 4];
            {
                let [a, b, c, d] = &mut rows[..] else { unreachable!() };
                fill_standard_normals_x4(&mut rngs, [a, b, c, d]);
            }
            for j in 0..4 {
                assert!(rows[j].iter().zip(&want[j]).all(|(a, b)| a.to_bits() == b.to_bits()), "lane {j}");
                assert!(rows[j].iter().any(|v| v.abs() > 3.654_152_885_361_009), "tail reached in lane {j}");
            }
            for (r, w) in rngs.iter_mut().zip(want_rngs.iter_mut()) {
                assert_eq!(r.next_u64(), w.next_u64());
            }
        }
        // Unequal rows: the common part in lanes, the rest scalar; same numbers.
        let seed = Seed::new(7);
        let lens = [10usize, 3, 0, 17];
        let mut rngs: [PathRng; 4] = std::array::from_fn(|j| seed.stream(j as u64));
        let mut rows: Vec<Vec<f64>> = lens.iter().map(|&l| vec![0.0; l]).collect();
        {
            let [a, b, c, d] = &mut rows[..] else { unreachable!() };
            fill_standard_normals_x4(&mut rngs, [a, b, c, d]);
        }
        for (j, &l) in lens.iter().enumerate() {
            let mut r = seed.stream(j as u64);
            let mut v = vec![0.0; l];
            scalar_fill(&mut r, &mut v);
            assert_eq!(rows[j], v);
        }
    }

    /// Tail counts beyond `c` sigma among `n` lane draws against `P(|Z| > c) = erfc(c / sqrt 2)`:
    /// the count is Poisson-binomial with mean `n p`; accepted within the central interval of
    /// Poisson(`n p`) probability `1 - 1e-7` (failure below 1e-6 over all checks, any seed).
    fn tail_counts(seed: Seed, n_per_lane: usize, levels: &[f64]) -> Vec<(f64, u64, f64)> {
        let block = 1 << 16;
        let mut rngs: [PathRng; 4] = std::array::from_fn(|j| seed.stream(j as u64));
        let mut rows = vec![vec![0.0; block]; 4];
        let mut counts = vec![0u64; levels.len()];
        let mut done = 0;
        while done < n_per_lane {
            {
                let [a, b, c, d] = &mut rows[..] else { unreachable!() };
                fill_standard_normals_x4(&mut rngs, [a, b, c, d]);
            }
            for v in rows.iter().flatten() {
                for (k, &c) in levels.iter().enumerate() {
                    counts[k] += u64::from(v.abs() > c);
                }
            }
            done += block;
        }
        let total = (4 * done) as f64;
        levels.iter().zip(counts).map(|(&c, k)| (c, k, total * statrs::function::erf::erfc(c / 2f64.sqrt()))).collect()
    }

    fn poisson_ok(count: u64, mean: f64) -> bool {
        use statrs::distribution::{DiscreteCDF, Poisson};
        let p = Poisson::new(mean).expect("positive mean");
        let lo = if count == 0 { 1.0 } else { p.sf(count - 1) }; // P(N >= count)
        let hi = p.cdf(count); // P(N <= count)
        lo > 0.5e-7 && hi > 0.5e-7
    }

    /// The law of the lane sampler: KS against Phi on 2^20 draws (reject when the p-value is
    /// below 1e-6) and the tail counts at 3, 4 and 5 sigma over 2^24 draws (expected 45 300,
    /// 1 060 and 9.6). A sampler that truncates its tail at the ziggurat's base `R = 3.654`
    /// would give no count at 4 and 5 sigma; one that draws `|Z| > R` from the wrong law shifts
    /// the 4-sigma count by many SDs.
    #[test]
    fn lane_law_ks_and_tails() {
        let seed = Seed::new(2024);
        let mut rngs: [PathRng; 4] = std::array::from_fn(|j| seed.child(1).stream(j as u64));
        let mut rows = vec![vec![0.0; 1 << 18]; 4];
        {
            let [a, b, c, d] = &mut rows[..] else { unreachable!() };
            fill_standard_normals_x4(&mut rngs, [a, b, c, d]);
        }
        let all: Vec<f64> = rows.concat();
        let phi = |x: f64| 0.5 * statrs::function::erf::erfc(-x / 2f64.sqrt());
        let ks = crate::stats::ks_test(&all, phi).unwrap();
        assert!(ks.p_value > 1e-6, "KS p = {}", ks.p_value);
        for (c, k, mean) in tail_counts(seed, 1 << 22, &[3.0, 4.0, 5.0]) {
            assert!(poisson_ok(k, mean), "{c} sigma: {k} draws beyond, expected {mean:.1}");
        }
    }

    /// The 6-sigma tail (P = 1.97e-9): 2^34 draws, expected 33.9 beyond. About a minute with AVX2:
    /// `cargo test --release --lib ziggurat_lanes -- --ignored`.
    #[test]
    #[ignore]
    fn lane_law_six_sigma() {
        for (c, k, mean) in tail_counts(Seed::new(6), 1 << 32, &[5.0, 6.0]) {
            eprintln!("{c} sigma: {k} beyond, expected {mean:.1}");
            assert!(poisson_ok(k, mean), "{c} sigma: {k} draws beyond, expected {mean:.1}");
        }
    }
}
