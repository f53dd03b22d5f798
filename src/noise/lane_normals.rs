//! Standard normals in eight lanes (stream version 3): a 1024-layer ziggurat whose first try
//! runs in SIMD lanes and whose rare continuations are finished afterwards from a second stream.
//!
//! The circulant samplers of [`crate::rng::StreamVersion::V3`] draw their coefficients here, and
//! from [`crate::rng::StreamVersion::V4`] on the Brownian paths their normals ([`LaneReader`]). The
//! scalar ziggurat (`rand_distr::StandardNormal`) costs about 2.3 ns a value on this project's
//! machine, half of the time of a batch of short fGn paths; the lanes of
//! [`super::ziggurat_lanes`] keep its bits and so must rewind a lane whenever its first try
//! fails, which held them to 1.18x. Here the law is kept, not the bits: nothing is rewound.
//!
//! # Method
//! The ziggurat of Marsaglia & Tsang ("The Ziggurat Method for Generating Random Variables",
//! J. Stat. Softw. 5(8), 2000) for `f(x) = exp(-x^2/2)`, symmetric form (Doornik, "An Improved
//! Ziggurat Method to Generate Normal Random Samples", 2005), with 1024 layers instead of their
//! 256 (a quarter of the failed first tries): layers of equal area `V = R f(R) + int_R^inf f`,
//! `R = 4.0388498461095045` (the constant `R` says how it was found), with edges `X_1 = R`, `X_0 = V / f(R)` (the base
//! strip's rectangle plus tail), `X_{i+1} = sqrt(-2 ln(V / X_i + f(X_i)))` for `i = 1..1022`,
//! `X_1024 = 0`, and `F_i = f(X_i)` (`F_1024 = 1`). One try takes a 64-bit word `b`: layer
//! `i = b & 1023`, `u = 2 (1 + (b >> 12) 2^-52) - 3` in `[-1, 1)` (bits disjoint from the
//! layer's), `x = u X_i`; it returns `x` if `|x| < X_{i+1}` (the rectangle test, passed by
//! about 99.57 % of tries, measured);
//! otherwise it continues:
//! - `i = 0`: a tail value `sign(u) (R + t)` by Marsaglia's method ("Generating a variable from
//!   the tail of the normal distribution", Technometrics 6, 1964): `t = -ln(U1) / R`,
//!   `s = -ln(U2)`, repeated until `2 s >= t^2`;
//! - `i >= 1`: the wedge test, `x` if `F_{i+1} + (F_i - F_{i+1}) U < f(x)`;
//! - else a fresh try (rectangle test, then the same continuation).
//!
//! # Streams and lanes
//! [`LaneNormals::from_rng`] takes 36 words of the caller's stream, each through the SplitMix64
//! finaliser ([`crate::rng`]): the states of eight xoshiro256++ *lane* streams (4 words each, lane
//! 0 first) and of one *continuation* stream. Value `8t + l` of a fill is the first try of the
//! `t`-th word of lane `l`; every try that fails the rectangle test is continued, in increasing
//! order of position, with words of the continuation stream only.
//!
//! Law: each value is a complete run of the ziggurat above, so it is exactly standard normal (up
//! to the rounding of the table: each layer's area is `V` to `1e-11` relative, the bound of the
//! test `table_is_a_ziggurat`). The values are
//! independent: the first words are distinct outputs of independent streams, and the
//! continuations consume disjoint runs of the continuation stream in a fixed order (each run's
//! length is a stopping time of the words it reads), so the joint law is that of independent
//! runs. The tests check KS on `2^20` values, the counts beyond 3, 4, 4.5 and 5 sigma on `2^24`,
//! the lag-1 (across lanes) and lag-8 (within a lane) correlations, and (ignored, about a minute)
//! 5 and 6 sigma on `2^34`.
//!
//! The numbers depend only on the words, never on the instruction set: the lanes run in AVX2
//! (two groups of 4, with AVX-512VL's rotations where the CPU has them) or in plain code, each
//! with the same integer operations, one IEEE multiplication and one comparison per try (no
//! FMA); the continuations are plain code with this crate's own `ln`/`exp` kernels
//! (`fastmath`), not the C library's, so they too are the same on every platform. `lanes_agree`
//! checks the three paths against each other.

use super::fastmath;
use crate::rng::{mix, PathRng};
use rand::{Rng, RngCore};
use std::sync::OnceLock;

/// Lanes of the sampler (the numbers are defined for eight, whatever the vector width).
pub const LANES: usize = 8;
/// Layers of the ziggurat (a power of two: the layer is the low bits of a word).
const LAYERS: usize = 1024;
/// Values per internal block: the first tries of a block are made, then its continuations.
const BLOCK: usize = 256;

/// The ziggurat's base `R = X_1` for 1024 layers: the root of the closure condition
/// `V(R) / X_1023(R) + f(X_1023(R)) = 1` (the top layer ends at `x = 0`), found by bisection at 40
/// digits with mpmath (4.0388498461095045227; the same search gives Marsaglia & Tsang's
/// 3.6541528853610088 for 256 layers).
const R: f64 = 4.038_849_846_109_505;
/// The common area of the layers, `V = R f(R) + sqrt(pi/2) erfc(R / sqrt 2)` for
/// `f(x) = exp(-x^2/2)`, at 40 digits (mpmath: 0.001226324646353088072885), rounded; the test
/// `table_is_a_ziggurat` checks it against statrs' `erfc`, the equal areas and the closure.
const V: f64 = 1.226_324_646_353_088e-3;

/// Layer edges `x[i] = X_i` and densities `f[i] = f(X_i)`, `i = 0..=LAYERS` (see the module
/// docs).
pub(crate) struct Table {
    x: [f64; LAYERS + 1],
    f: [f64; LAYERS + 1],
}

/// `f(x) = exp(-x^2 / 2)` by the crate's own kernel (the same bits everywhere).
#[inline]
fn density(x: f64) -> f64 {
    fastmath::exp_expm1(-0.5 * (x * x)).0
}

fn build_table() -> Table {
    let mut x = [0.0f64; LAYERS + 1];
    let mut f = [0.0f64; LAYERS + 1];
    x[1] = R;
    f[1] = density(R);
    x[0] = V / f[1];
    f[0] = density(x[0]);
    for i in 1..LAYERS - 1 {
        x[i + 1] = (-2.0 * fastmath::ln(V / x[i] + f[i])).sqrt();
        f[i + 1] = density(x[i + 1]);
    }
    x[LAYERS] = 0.0;
    f[LAYERS] = 1.0;
    Table { x, f }
}

/// The table, built once (plain arithmetic and the crate's kernels: the same bits everywhere).
pub(crate) fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(build_table)
}

/// `u` of a try: `2 (1 + (b >> 12) 2^-52) - 3`, in `[-1, 1)`.
#[inline(always)]
fn try_u(b: u64) -> f64 {
    f64::from_bits((b >> 12) | 0x4000_0000_0000_0000) - 3.0
}

/// A uniform in `[0, 1)` from the top 53 bits.
#[inline]
fn unit(b: u64) -> f64 {
    (b >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform in `(0, 1]` (for logarithms).
#[inline]
fn unit_open0(b: u64) -> f64 {
    ((b >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Finishes a try whose rectangle test failed (layer `i`, `u`) with words of `g` (see the
/// module docs): exactly standard normal given the failure.
#[cold]
fn continue_try(t: &Table, mut i: usize, mut u: f64, g: &mut PathRng) -> f64 {
    loop {
        let x = u * t.x[i];
        if i == 0 {
            // Marsaglia's tail beyond R.
            loop {
                let a = -fastmath::ln(unit_open0(g.next_u64())) / R;
                let s = -fastmath::ln(unit_open0(g.next_u64()));
                if 2.0 * s >= a * a {
                    return if u < 0.0 { -(R + a) } else { R + a };
                }
            }
        }
        if t.f[i + 1] + (t.f[i] - t.f[i + 1]) * unit(g.next_u64()) < density(x) {
            return x;
        }
        let b = g.next_u64();
        i = (b as usize) & (LAYERS - 1);
        u = try_u(b);
        let x = u * t.x[i];
        if x.abs() < t.x[i + 1] {
            return x;
        }
    }
}

/// Exact standard normals, eight lane streams and a continuation stream (see the [module
/// docs](self)): the sampler of stream version 3's circulant coefficients. About 0.9 ns a value
/// with AVX-512VL (2026-12-07; the same machine's scalar ziggurat, `rand_distr::StandardNormal`,
/// 2.6 ns; `benches/normal.rs`); the same numbers on every machine.
#[derive(Clone)]
pub struct LaneNormals {
    /// State word `w` of lane `l` at `s[w][l]`.
    s: [[u64; LANES]; 4],
    cont: PathRng,
}

/// The failed first tries of a block: bit `p % 64` of word `p / 64` for position `p` (the
/// position then holds the try's word, as `f64::from_bits`, until it is continued). A mask, not a
/// list, so that a sampler is small to make and to move (a list of a block's `(position, word)`
/// pairs, 4 KiB in each sampler, cost a fifth of stream version 4's Brownian paths).
type Rejects = [u64; BLOCK / 64];

impl LaneNormals {
    /// The sampler seeded from 36 words of `rng` (lanes 0..7, then the continuation stream):
    /// `rng` advances by 36 words.
    pub fn from_rng<R2: Rng + ?Sized>(rng: &mut R2) -> Self {
        let lanes: [[u64; 4]; LANES] =
            std::array::from_fn(|_| PathRng::from_state(std::array::from_fn(|_| mix(rng.next_u64()))).state());
        let s = std::array::from_fn(|w| std::array::from_fn(|l| lanes[l][w]));
        let cont = PathRng::from_state(std::array::from_fn(|_| mix(rng.next_u64())));
        LaneNormals { s, cont }
    }

    /// Fills `out` with independent standard normals. Consecutive calls continue one sequence
    /// when every call but the last has a length that is a multiple of [`LANES`] (a partial
    /// last step steps all eight lanes and keeps the first values).
    pub fn fill(&mut self, out: &mut [f64]) {
        self.fill_with::<false>(out, &[]);
    }

    /// [`fill`](Self::fill) with the values scaled in pairs: `out[j] = scale[j / 2] Z_j` for
    /// the values `Z_0, Z_1, ...` that `fill` would write (the same sequence, and each product
    /// the same IEEE multiplication as `scale[j / 2] * Z_j` after `fill`), so that complex
    /// coefficients `s_k (Z_2k + i Z_2k+1)` land in their buffer in one pass. Crate-internal:
    /// the callers (`circulant::draw`) pass `out.len() == 2 scale.len()`, which is asserted (a
    /// bug otherwise, not bad input).
    pub(crate) fn fill_scaled_pairs(&mut self, out: &mut [f64], scale: &[f64]) {
        assert_eq!(out.len(), 2 * scale.len(), "fill_scaled_pairs: two values per scale");
        self.fill_with::<true>(out, scale);
    }

    /// [`fill`](Self::fill), or (`SCALED`) [`fill_scaled_pairs`](Self::fill_scaled_pairs).
    fn fill_with<const SCALED: bool>(&mut self, out: &mut [f64], scale: &[f64]) {
        let t = table();
        let LaneNormals { s, cont } = self;
        for (k, block) in out.chunks_mut(BLOCK).enumerate() {
            // Scaled: blocks have an even length (BLOCK and out.len() are even).
            let sc = if SCALED { &scale[k * BLOCK / 2..][..block.len() / 2] } else { &[][..] };
            let whole = block.len() / LANES * LANES;
            let mut rejects: Rejects = [0; BLOCK / 64];
            let sc_whole = if SCALED { &sc[..whole / 2] } else { sc };
            first_tries::<SCALED>(s, t, &mut block[..whole], sc_whole, &mut rejects);
            if whole < block.len() {
                let mut last = [0.0; LANES];
                let mut r: Rejects = [0; BLOCK / 64];
                let rest = block.len() - whole;
                let mut last_sc = [1.0; LANES / 2];
                if SCALED {
                    last_sc[..rest / 2].copy_from_slice(&sc[whole / 2..]);
                }
                first_tries_plain::<SCALED>(s, t, &mut last, &last_sc, &mut r);
                block[whole..].copy_from_slice(&last[..rest]);
                // `whole` is a multiple of 8, so the last step's bits stay in one word.
                rejects[whole / 64] |= (r[0] & ((1u64 << rest) - 1)) << (whole % 64);
            }
            for (w, &word) in rejects.iter().enumerate() {
                let mut m = word;
                while m != 0 {
                    let p = 64 * w + m.trailing_zeros() as usize;
                    let b = block[p].to_bits();
                    let z = continue_try(t, (b as usize) & (LAYERS - 1), try_u(b), cont);
                    block[p] = if SCALED { sc[p / 2] * z } else { z };
                    m &= m - 1;
                }
            }
        }
    }
}

/// A [`LaneNormals`] read one value at a time: the values of its sequence, in order (it fills a
/// buffer of at most 256 values, a multiple of [`LANES`], so the values are those of one
/// [`LaneNormals::fill`] whatever the reads). Stream version 4's Brownian paths draw their
/// normals through it, one reader per path.
#[derive(Clone)]
pub struct LaneReader {
    g: LaneNormals,
    buf: [f64; BLOCK],
    pos: usize,
    len: usize,
    /// Values still expected: a refill draws no more than these (rounded up to [`LANES`]).
    left: usize,
}

impl LaneReader {
    /// Reads `g`'s sequence, `expected` values in all (more may be read, at the cost of up to
    /// seven values drawn and not read per refill beyond `expected`).
    pub fn new(g: LaneNormals, expected: usize) -> Self {
        LaneReader { g, buf: [0.0; BLOCK], pos: 0, len: 0, left: expected }
    }

    /// The reader of the sampler seeded from `rng` ([`LaneNormals::from_rng`]).
    pub fn from_rng<R2: Rng + ?Sized>(rng: &mut R2, expected: usize) -> Self {
        Self::new(LaneNormals::from_rng(rng), expected)
    }

    /// The next value of the sequence.
    #[inline(always)]
    pub fn next_normal(&mut self) -> f64 {
        if self.pos == self.len {
            self.refill();
        }
        let v = self.buf[self.pos];
        self.pos += 1;
        v
    }

    #[inline(never)]
    fn refill(&mut self) {
        let len = self.left.clamp(1, BLOCK).next_multiple_of(LANES);
        self.g.fill(&mut self.buf[..len]);
        self.left = self.left.saturating_sub(len);
        self.pos = 0;
        self.len = len;
    }
}

/// The first tries for `out` (a multiple of [`LANES`] long, at most [`BLOCK`]): writes every
/// candidate that passed (`SCALED`: times `scale[j / 2]` for position `j`; `scale` then has
/// `out.len() / 2` values), and for each failure its word (`f64::from_bits`) and its bit in
/// `rejects` (which starts at zero). Dispatches to the widest lanes the CPU has (the same
/// numbers).
fn first_tries<const SCALED: bool>(
    s: &mut [[u64; LANES]; 4],
    t: &Table,
    out: &mut [f64],
    scale: &[f64],
    rejects: &mut Rejects,
) {
    debug_assert!(!SCALED || scale.len() * 2 == out.len());
    #[cfg(target_arch = "x86_64")]
    {
        if vl_lanes() {
            // SAFETY: AVX2, AVX-512F and AVX-512VL were detected at run time.
            return unsafe { x86::first_tries_avx512vl::<SCALED>(s, t, out, scale, rejects) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: AVX2 was detected at run time.
            return unsafe { x86::first_tries_avx2::<SCALED>(s, t, out, scale, rejects) };
        }
    }
    first_tries_plain::<SCALED>(s, t, out, scale, rejects)
}

/// Whether the CPU runs [`x86::first_tries_avx512vl`].
#[cfg(target_arch = "x86_64")]
fn vl_lanes() -> bool {
    use std::arch::is_x86_feature_detected as has;
    has!("avx2") && has!("avx512f") && has!("avx512vl")
}

/// The plain-code lanes: the reference for the vector ones (the same words, positions and
/// values).
fn first_tries_plain<const SCALED: bool>(
    s: &mut [[u64; LANES]; 4],
    t: &Table,
    out: &mut [f64],
    scale: &[f64],
    rejects: &mut Rejects,
) {
    for (step, o) in out.chunks_exact_mut(LANES).enumerate() {
        for (l, v) in o.iter_mut().enumerate() {
            let b = s[0][l].wrapping_add(s[3][l]).rotate_left(23).wrapping_add(s[0][l]);
            let sh = s[1][l] << 17;
            s[2][l] ^= s[0][l];
            s[3][l] ^= s[1][l];
            s[1][l] ^= s[2][l];
            s[0][l] ^= s[3][l];
            s[2][l] ^= sh;
            s[3][l] = s[3][l].rotate_left(45);
            let i = (b as usize) & (LAYERS - 1);
            let x = try_u(b) * t.x[i];
            if x.abs() < t.x[i + 1] {
                *v = if SCALED { scale[(step * LANES + l) / 2] * x } else { x };
            } else {
                *v = f64::from_bits(b);
                let p = step * LANES + l;
                rejects[p / 64] |= 1 << (p % 64);
            }
        }
    }
}

/// The lanes in x86-64 vector registers: two groups of four lanes (lanes 0..3, then 4..7 of each
/// step) in 256-bit registers, with AVX2, or with AVX-512VL's rotations where the CPU has them.
///
/// The table pair `(X_i, X_{i+1})` of each lane is read by one 16-byte load, not by two gathers:
/// on this project's machine (AMD EPYC, Zen 4) the gathers were the bottleneck, and eight lanes in
/// one 512-bit register with two gathers took 1.10-1.36 ns a value, four lanes with two 256-bit
/// gathers 1.02-1.08, four lanes with the loads 0.69-0.77 (0.83 without AVX-512VL's rotations;
/// first tries alone, scratch program; `benches/README.md`, "Normal variates").
#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{Rejects, Table, LANES, LAYERS};
    use std::arch::x86_64::*;

    /// `v` rotated left by `l` bits (`r = 64 - l`): two shifts and an or.
    macro_rules! rol_shifts {
        ($v:ident, $l:literal, $r:literal) => {
            _mm256_or_si256(_mm256_slli_epi64::<$l>($v), _mm256_srli_epi64::<$r>($v))
        };
    }

    /// `v` rotated left by `l` bits: one AVX-512VL rotation.
    macro_rules! rol_vl {
        ($v:ident, $l:literal, $r:literal) => {
            _mm256_rol_epi64::<$l>($v)
        };
    }

    /// The four-lane first tries, with the rotation `$rol` and the target features `$features`.
    macro_rules! first_tries_x4 {
        ($(#[$doc:meta])* $name:ident, $features:literal, $rol:ident) => {
            $(#[$doc])*
            /// # Safety
            /// The CPU must support the target features; `out.len()` is a multiple of 8, at
            /// most `BLOCK`.
            #[target_feature(enable = $features)]
            pub(super) unsafe fn $name<const SCALED: bool>(
                st: &mut [[u64; LANES]; 4],
                t: &Table,
                out: &mut [f64],
                scale: &[f64],
                rejects: &mut Rejects,
            ) {
                let ld = |w: usize, h: usize| _mm256_loadu_si256(st[w][4 * h..].as_ptr().cast());
                let mut s = [[ld(0, 0), ld(1, 0), ld(2, 0), ld(3, 0)], [ld(0, 1), ld(1, 1), ld(2, 1), ld(3, 1)]];
                let expo = _mm256_set1_epi64x(0x4000_0000_0000_0000);
                let three = _mm256_set1_pd(3.0);
                let low = _mm256_set1_epi64x(LAYERS as i64 - 1);
                let absmask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fff_ffff_ffff_ffff));
                let x = t.x.as_ptr();
                // Eight steps (64 values) make one word of `rejects`, kept in a register.
                for (w, word) in out.chunks_mut(64).enumerate() {
                    let mut failed = 0u64;
                    for (step, o) in word.chunks_exact_mut(LANES).enumerate() {
                        for (h, [s0, s1, s2, s3]) in s.iter_mut().enumerate() {
                            let sum = _mm256_add_epi64(*s0, *s3);
                            let b = _mm256_add_epi64($rol!(sum, 23, 41), *s0);
                            let sh = _mm256_slli_epi64::<17>(*s1);
                            *s2 = _mm256_xor_si256(*s2, *s0);
                            *s3 = _mm256_xor_si256(*s3, *s1);
                            *s1 = _mm256_xor_si256(*s1, *s2);
                            *s0 = _mm256_xor_si256(*s0, *s3);
                            *s2 = _mm256_xor_si256(*s2, sh);
                            let s3v = *s3;
                            *s3 = $rol!(s3v, 45, 19);
                            let mut i = [0u64; 4];
                            _mm256_storeu_si256(i.as_mut_ptr().cast(), _mm256_and_si256(b, low));
                            // SAFETY: each index is `< LAYERS`, so `x[i]` and `x[i + 1]` lie
                            // inside the `LAYERS + 1` edges.
                            let pair = |k: usize| _mm_loadu_pd(x.add(i[k] as usize));
                            // (X_i, X_i+1) of lanes 0 and 2, and of lanes 1 and 3.
                            let even = _mm256_insertf128_pd::<1>(_mm256_castpd128_pd256(pair(0)), pair(2));
                            let odd = _mm256_insertf128_pd::<1>(_mm256_castpd128_pd256(pair(1)), pair(3));
                            let xi = _mm256_unpacklo_pd(even, odd);
                            let xn = _mm256_unpackhi_pd(even, odd);
                            let u = _mm256_sub_pd(
                                _mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64::<12>(b), expo)),
                                three,
                            );
                            let xu = _mm256_mul_pd(u, xi);
                            let pass = _mm256_cmp_pd::<_CMP_LT_OQ>(_mm256_and_pd(xu, absmask), xn);
                            let ok = _mm256_movemask_pd(pass) as u64;
                            let xs = if SCALED {
                                // (s_k, s_k, s_k+1, s_k+1) for the lanes' positions 2k..2k+3.
                                let k = (64 * w + step * LANES + 4 * h) / 2;
                                let sc = &scale[k..k + 2];
                                let lo = _mm_set1_pd(sc[0]);
                                let hi = _mm_set1_pd(sc[1]);
                                _mm256_mul_pd(_mm256_insertf128_pd::<1>(_mm256_castpd128_pd256(lo), hi), xu)
                            } else {
                                xu
                            };
                            // A failed lane keeps its word for the continuation.
                            let v = _mm256_blendv_pd(_mm256_castsi256_pd(b), xs, pass);
                            // SAFETY: `o` has 8 elements; `4 h + 4 <= 8`.
                            _mm256_storeu_pd(o.as_mut_ptr().add(4 * h), v);
                            failed |= (!ok & 0xf) << (step * LANES + 4 * h);
                        }
                    }
                    rejects[w] |= failed;
                }
                for (h, group) in s.iter().enumerate() {
                    for (w, v) in group.iter().enumerate() {
                        _mm256_storeu_si256(st[w][4 * h..].as_mut_ptr().cast(), *v);
                    }
                }
            }
        };
    }

    first_tries_x4!(
        /// AVX2 lanes (rotations by shifts).
        first_tries_avx2,
        "avx2",
        rol_shifts
    );

    first_tries_x4!(
        /// AVX2 lanes with AVX-512VL's 256-bit rotations.
        first_tries_avx512vl,
        "avx2,avx512f,avx512vl",
        rol_vl
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Seed;

    fn sampler(seed: u64) -> LaneNormals {
        LaneNormals::from_rng(&mut Seed::new(seed).stream(0))
    }

    /// Equal layer areas, the base strip, the closure at the top and `V` against statrs.
    #[test]
    fn table_is_a_ziggurat() {
        let t = table();
        assert_eq!(t.x[1], R);
        assert!(t.x.windows(2).all(|w| w[1] < w[0]), "edges decrease");
        let v = R * (-0.5 * R * R).exp()
            + (std::f64::consts::PI / 2.0).sqrt() * statrs::function::erf::erfc(R / 2f64.sqrt());
        // statrs' erfc is good to about 1e-10 relative at R / sqrt 2 (the tail term is 5 % of V);
        // the constant itself is mpmath's at 40 digits.
        assert!((v / V - 1.0).abs() < 1e-11, "V = {V}, from R: {v}");
        assert!((t.x[0] * t.f[1] / V - 1.0).abs() < 1e-15);
        assert!((t.x[0] - 4.27).abs() < 0.01, "the base strip's edge, quoted in the law test");
        for i in 1..LAYERS {
            let area = t.x[i] * (t.f[i + 1] - t.f[i]);
            assert!((area / V - 1.0).abs() < 1e-11, "layer {i}: area {area}");
            assert!((t.f[i] / (-0.5 * t.x[i] * t.x[i]).exp() - 1.0).abs() < 1e-15, "f at layer {i}");
        }
        // The top layer closes: V / X_1023 + f(X_1023) = 1.
        assert!((V / t.x[LAYERS - 1] + t.f[LAYERS - 1] - 1.0).abs() < 1e-13);
    }

    /// The plain lanes are the crate's xoshiro256++, lane by lane; the AVX-512VL, AVX2 and plain
    /// lanes give the same values, failures and states.
    #[test]
    fn lanes_agree() {
        type Lanes = fn(&mut [[u64; LANES]; 4], &Table, &mut [f64], &[f64], &mut Rejects);
        // Unscaled, then scaled (`first_tries::<true>`).
        let plain: [Lanes; 2] = [
            |s, t, o, c, r| first_tries_plain::<false>(s, t, o, c, r),
            |s, t, o, c, r| first_tries_plain::<true>(s, t, o, c, r),
        ];
        let mut kinds: Vec<(&str, [Lanes; 2])> = Vec::new();
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: AVX2 detected.
                kinds.push((
                    "avx2",
                    [
                        |s, t, o, c, r| unsafe { x86::first_tries_avx2::<false>(s, t, o, c, r) },
                        |s, t, o, c, r| unsafe { x86::first_tries_avx2::<true>(s, t, o, c, r) },
                    ],
                ));
            }
            if vl_lanes() {
                // SAFETY: AVX2, AVX-512F and AVX-512VL detected.
                kinds.push((
                    "avx512vl",
                    [
                        |s, t, o, c, r| unsafe { x86::first_tries_avx512vl::<false>(s, t, o, c, r) },
                        |s, t, o, c, r| unsafe { x86::first_tries_avx512vl::<true>(s, t, o, c, r) },
                    ],
                ));
            }
        }
        if kinds.len() < 2 {
            eprintln!("note: only {} vector lanes here; the others are not compared", kinds.len());
        }
        let t = table();
        // The plain lanes step each lane exactly as the crate's generator steps its state.
        let start = sampler(3).s;
        let mut plain_s = start;
        let mut o = [0.0; BLOCK];
        for _ in 0..10 {
            plain[0](&mut plain_s, t, &mut o, &[], &mut [0; BLOCK / 64]);
        }
        for l in 0..LANES {
            let mut g = PathRng::from_state(std::array::from_fn(|w| start[w][l]));
            for _ in 0..10 * BLOCK / LANES {
                g.next_u64();
            }
            assert_eq!(g.state(), std::array::from_fn(|w| plain_s[w][l]), "lane {l}");
        }
        // Distinct scales, none a power of two (a product then rounds).
        let scale: Vec<f64> = (0..BLOCK / 2).map(|k| 0.3 + 1.7 * ((k * 37 % 101) as f64 / 101.0)).collect();
        for (name, lanes) in kinds {
            for (v, sc) in [&[][..], &scale[..]].into_iter().enumerate() {
                let mut a = sampler(3).s;
                let mut b = a;
                for _ in 0..500 {
                    let (mut oa, mut ob) = ([0.0; BLOCK], [0.0; BLOCK]);
                    let (mut ra, mut rb) = ([0; BLOCK / 64], [0; BLOCK / 64]);
                    plain[v](&mut a, t, &mut oa, sc, &mut ra);
                    lanes[v](&mut b, t, &mut ob, sc, &mut rb);
                    assert_eq!(ra, rb, "{name}, scaled: {v}");
                    assert!(oa.iter().zip(&ob).all(|(x, y)| x.to_bits() == y.to_bits()), "{name}, scaled: {v}");
                    assert_eq!(a, b, "{name}, scaled: {v}");
                }
            }
        }
    }

    /// `fill_scaled_pairs` writes `fill`'s values times their pair's scale, bit for bit, for
    /// lengths with partial last steps and several blocks (failed first tries included: 1030
    /// values have about 4 of them).
    #[test]
    fn scaled_pairs_are_the_scaled_values() {
        for len in [2usize, 6, 8, 10, 250, 256, 258, 520, 1030, 20_000] {
            let scale: Vec<f64> = (0..len / 2).map(|k| 0.25 + ((k * 7919) % 1000) as f64 / 400.0).collect();
            let mut z = vec![0.0; len];
            sampler(11).fill(&mut z);
            let mut got = vec![0.0; len];
            sampler(11).fill_scaled_pairs(&mut got, &scale);
            for (j, (g, v)) in got.iter().zip(&z).enumerate() {
                assert_eq!(g.to_bits(), (scale[j / 2] * v).to_bits(), "len {len}, value {j}");
            }
        }
    }

    /// Pieces of any multiple of eight continue one sequence; a partial last step keeps the
    /// first values of a whole step.
    #[test]
    fn pieces_continue_one_sequence() {
        let mut whole = vec![0.0; 5000];
        sampler(9).fill(&mut whole);
        let mut z = sampler(9);
        let mut got = Vec::new();
        for len in [8usize, 256, 40, 1000, 2048, 1648] {
            let mut v = vec![0.0; len];
            z.fill(&mut v);
            got.extend(v);
        }
        assert_eq!(got, whole);
        let mut short = vec![0.0; 4997];
        sampler(9).fill(&mut short);
        assert_eq!(short[..], whole[..4997]);
    }

    fn draws(seed: u64, n: usize) -> Vec<f64> {
        let mut v = vec![0.0; n];
        sampler(seed).fill(&mut v);
        v
    }

    fn poisson_ok(count: u64, mean: f64) -> bool {
        use statrs::distribution::{DiscreteCDF, Poisson};
        let p = Poisson::new(mean).expect("positive mean");
        let lo = if count == 0 { 1.0 } else { p.sf(count - 1) };
        lo > 0.5e-7 && p.cdf(count) > 0.5e-7
    }

    /// The law: KS against Phi on 2^20 values (p > 1e-6), the counts beyond 3, 4, 4.5 and 5
    /// sigma on 2^24 (Poisson central interval of probability 1 - 1e-7; expected 45 300, 1 060,
    /// 114, 9.6: a sampler without its tail stops at the base strip's `X_0 = 4.27` and gives none
    /// beyond 4.5), and zero correlation between neighbours (across lanes) and at lag 8 (within a
    /// lane), |z| < 5.3 with SE `1/sqrt(N)`.
    #[test]
    fn law_ks_tails_and_independence() {
        let phi = |x: f64| 0.5 * statrs::function::erf::erfc(-x / 2f64.sqrt());
        let v = draws(2024, 1 << 20);
        let ks = crate::stats::ks_test(&v, phi).unwrap();
        assert!(ks.p_value > 1e-6, "KS p = {}", ks.p_value);
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| x * x).sum::<f64>() / n;
        assert!(mean.abs() * n.sqrt() < 5.3, "mean {mean}");
        // Var(Z^2) = 2.
        assert!((var - 1.0).abs() * (n / 2.0).sqrt() < 5.3, "variance {var}");
        for lag in [1usize, 8] {
            let c: f64 = v.windows(lag + 1).map(|w| w[0] * w[lag]).sum::<f64>() / (n - lag as f64);
            assert!(c.abs() * n.sqrt() < 5.3, "lag {lag}: correlation {c}");
        }
        let levels = [3.0, 4.0, 4.5, 5.0];
        let mut counts = [0u64; 4];
        let mut z = sampler(77);
        let mut block = vec![0.0; 1 << 16];
        for _ in 0..256 {
            z.fill(&mut block);
            for x in &block {
                for (k, &c) in levels.iter().enumerate() {
                    counts[k] += u64::from(x.abs() > c);
                }
            }
        }
        for (&c, &k) in levels.iter().zip(&counts) {
            let mean = (1u64 << 24) as f64 * statrs::function::erf::erfc(c / 2f64.sqrt());
            assert!(poisson_ok(k, mean), "{c} sigma: {k} beyond, expected {mean:.1}");
        }
    }

    /// The 6-sigma tail (P = 1.97e-9): 2^34 values, expected 33.9 beyond. About a minute:
    /// `cargo test --release --lib lane_normals -- --ignored`.
    #[test]
    #[ignore]
    fn law_six_sigma() {
        let mut z = sampler(6);
        let mut block = vec![0.0; 1 << 20];
        let (mut k5, mut k6) = (0u64, 0u64);
        for _ in 0..(1 << 14) {
            z.fill(&mut block);
            for x in &block {
                k5 += u64::from(x.abs() > 5.0);
                k6 += u64::from(x.abs() > 6.0);
            }
        }
        for (c, k) in [(5.0, k5), (6.0, k6)] {
            let mean = (1u64 << 34) as f64 * statrs::function::erf::erfc(c / 2f64.sqrt());
            eprintln!("{c} sigma: {k} beyond, expected {mean:.1}");
            assert!(poisson_ok(k, mean), "{c} sigma: {k} beyond, expected {mean:.1}");
        }
    }
}
