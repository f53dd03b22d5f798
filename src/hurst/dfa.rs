//! Detrended fluctuation analysis (DFA) of order `q = 1..=3` in `O(n)` per small scale and
//! `O(n/s)` per larger one.
//!
//! # Definition (Peng et al. 1994; Kantelhardt et al. 2001, Physica A 295, 441, eqs. 1-4)
//!
//! Profile of the centred noise: `Y_i = sum_{j <= i} (x_j - xbar)`, `i = 0..n-1`. For a scale `s`
//! the profile is cut into `N_s = floor(n / s)` non-overlapping segments from the start and
//! `N_s` from the end (`2 N_s` in all, so no data are discarded when `s` does not divide `n`). In
//! segment `nu` a polynomial of degree `q` is fitted by least squares and
//! `F^2(nu, s) = (1/s) sum_{i in nu} (Y_i - p_nu(i))^2`. The fluctuation function is
//! `F(s) = sqrt((1 / 2N_s) sum_nu F^2(nu, s))`; for fGn `F(s) ~ s^H` (asymptotically: the exact
//! `E F^2(s) = (1/s) tr(P_q Gamma_s)`, `Gamma_s` the fBM covariance on `1..s` and `P_q` the
//! residual projector, `validation/README.md` §6, approaches `s^{2H}` only for large `s`). `H` is the
//! slope of `ln F(s)` against `ln s` over log-spaced scales.
//!
//! # Algorithm: `O(1)` per segment
//!
//! In segment-centred time `t = i - (a + (s-1)/2)` the residual sum of squares of the degree-`q`
//! fit is, with the discrete orthogonal (Gram) polynomials `phi_0 = 1`, `phi_1 = t`,
//! `phi_2 = t^2 - (s^2-1)/12`, `phi_3 = t^3 - t (3s^2-7)/20` and their squared norms
//! `s`, `s(s^2-1)/12`, `s(s^2-1)(s^2-4)/180`, `s(s^2-1)(s^2-4)(s^2-9)/2800`:
//!
//! `RSS = sum y^2 - sum_{k<=q} <phi_k, y>^2 / |phi_k|^2`,
//!
//! which needs only the moments `M_k = sum t^k y` (`k <= q`) and `sum y^2`.
//!
//! **Small scales** (`s <= 48`): the moments of each segment are summed directly from the data
//! (partial sums of `x - mean` from the segment's start, so the profile is never formed
//! globally), four segments interleaved; `2n` element updates per scale, cheaper there than the
//! prefix formula below and exact to rounding in segment coordinates.
//!
//! **Larger scales: flat per-level prefix arrays.** Global prefix sums of `i^k Y_i` would lose all
//! digits (their size grows like `n^(k+3/2)` while a segment's is `s^(k+3/2)`), so the prefix sums
//! are kept **locally centred**: level `l` is one flat array with an entry per block of
//! `8 * 8^l` elements, holding the moments from the start of its level-`l` frame (`8^(l+2)`
//! elements) up to and including the block, in the frame's own coordinates (time from the
//! frame's centre, profile minus its value before the frame). A scale `s` uses the lowest level
//! whose frames are at least `s` long (at most 8 times longer), so a segment has at most one frame
//! edge inside: its moments are the difference of the prefixes at its two ends (or the rest of
//! the first frame plus the start of the next), moved into segment coordinates by the binomial
//! theorem (`t = t' + d`, `y = y' + e`). The prefix at an edge `p` is the level-0 entry plus the
//! partial base block read from the data (fewer than 8 points), lifted level by level to the
//! scale's frame (one entry and one shift per level); consecutive segments share their edge, so
//! each edge is computed once. No tree walk and no allocation per segment; a scale costs
//! `O(n/s)` and the build one pass over the data (over fixed chunks of `2^15` points in
//! parallel, each with its own profile origin joined by a compensated sum, so the bits do not
//! depend on the thread count) plus `O(n/64)`. Every difference is taken within a frame at most
//! 8 times the segment, so the relative rounding error stays below about `8^(q+3/2) eps` of the
//! profile's spread within a segment; checked against a plain least-squares DFA to 1e-9 in
//! the tests, including a mean of 1e6, values of 1e6 and H = 0.95 (a strong linear trend gives
//! up to 3e-8 for DFA-2/3 at large scales, 3e-11 for DFA-1: `tests/hurst_dfa.rs`).
//!
//! When `s` divides `n` the `N_s` segments from the end are the segments from the start (in
//! reverse order), so each is computed once and counted twice.
//!
//! The input's finiteness is checked by the mean pass itself (a finite sum means finite
//! elements; only otherwise is the series searched for the first bad value), so a finite series
//! is read twice in all: the mean, then the profile and level 0.
//!
//! Limitation of any sum-of-squares formula: `F` is resolved only to about `sqrt(eps)` times the
//! spread of the profile within a segment, so a series whose profile is an exact polynomial of
//! degree `<= q` gives a tiny positive `F` (~1e-8 relative) instead of 0. For noise (the use
//! case) the residual is of the order of the spread and the relative accuracy is ~1e-12.

use super::common::{
    loglog_fit, par_sum, prepare, scales_for, sum_compensated, HurstEstimate, InputKind, Method, ScalingData, SeKind,
    PASS_CHUNK,
};
use crate::error::{Error, Result};

/// `log2` of the fan-out of the prefix-sum levels (every size is a power of two, so that
/// positions map to blocks and frames by shifts, not divisions).
const LOG_FAN: u32 = 3;
/// Fan-out of the prefix-sum levels.
const FAN: usize = 1 << LOG_FAN;
/// `log2` of the elements per base block.
const LOG_BASE: u32 = 3;
/// Elements per base block: a boundary inside a base block is completed from the data.
const BASE: usize = 1 << LOG_BASE;
/// `log2` of the elements per level-0 frame.
const LOG_P0: u32 = LOG_BASE + LOG_FAN;
/// Elements per level-0 frame.
const P0: usize = 1 << LOG_P0;
/// Elements per build chunk (a level-2 frame): the chunks build in parallel, each with its own
/// profile origin, so the table's bits do not depend on the thread count.
const CHUNK: usize = PASS_CHUNK;
/// Base blocks per chunk.
const CB: usize = CHUNK / BASE;
/// Largest scale whose segments are summed directly from the data (`2n` element updates per
/// scale, against about 200 instructions per segment for the prefix formula).
const DIRECT_MAX: usize = 48;

/// Options of [`dfa`].
#[derive(Debug, Clone, PartialEq)]
pub struct DfaOptions {
    /// Detrending order `q` in `1..=3`. Default 1.
    pub order: usize,
    /// Smallest scale (segment length); at least `q + 2`. Default 16.
    pub min_scale: usize,
    /// Largest scale; default `n / 4`; at most `n / 2`.
    pub max_scale: Option<usize>,
    /// Number of log-spaced scales (duplicates after rounding are dropped). Default 20.
    pub scales: usize,
    /// Whether the input is a noise or a path. Default noise.
    pub kind: InputKind,
}

impl Default for DfaOptions {
    fn default() -> Self {
        DfaOptions { order: 1, min_scale: 16, max_scale: None, scales: 20, kind: InputKind::Noise }
    }
}

/// Flat per-level prefix arrays of a profile for DFA of order `W - 2` (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct DfaTable<'a, const W: usize> {
    x: &'a [f64],
    mean: f64,
    /// `levels[l][u]`: moments `[sum t'^0 y', .., sum t'^q y', sum y'^2]` of units
    /// `frame_start..=u` (units: blocks of `BASE * FAN^l` elements) in the coordinates of their
    /// level-`l` frame (`BASE * FAN^(l+1)` elements): `t'` from the frame's centre, `y'` the
    /// profile minus its value just before the frame.
    levels: Vec<Vec<[f64; W]>>,
    /// Profile just before each base block, minus `cbase` of its chunk.
    ylocal: Vec<f64>,
    /// Profile just before each chunk (Neumaier sum of the chunks' centred sums).
    cbase: Vec<f64>,
}

/// Neumaier addition of `v` to the compensated pair `(s, c)`.
#[inline(always)]
fn neumaier(s: &mut f64, c: &mut f64, v: f64) {
    let t = *s + v;
    if s.abs() >= v.abs() {
        *c += (*s - t) + v;
    } else {
        *c += (v - t) + *s;
    }
    *s = t;
}

/// `sum_{j < n} (v0 + j)^m` for `m = 0..=3` (Faulhaber).
#[inline(always)]
fn power_sums(v0: f64, n: f64, upto: usize) -> [f64; 4] {
    let g1 = n * (n - 1.0) * 0.5;
    let mut s = [n, n * v0 + g1, 0.0, 0.0];
    if upto >= 2 {
        let g2 = (n - 1.0) * n * (2.0 * n - 1.0) / 6.0;
        s[2] = n * v0 * v0 + 2.0 * v0 * g1 + g2;
        if upto >= 3 {
            s[3] = n * v0 * v0 * v0 + 3.0 * v0 * v0 * g1 + 3.0 * v0 * g2 + g1 * g1;
        }
    }
    s
}

/// Moments `[sum p_j, sum j p_j, .., sum j^q p_j, sum p_j^2]` (local time `j = 0, 1, ..`) of the
/// partial sums `p_j = sum_{i <= j} (x_i - mean)` of `x`, and the last partial sum.
#[inline(always)]
fn local_moments<const W: usize>(x: &[f64], mean: f64) -> ([f64; W], f64) {
    let q = W - 2;
    let mut m = [0.0; W];
    let mut p = 0.0;
    let mut j = 0.0;
    for &v in x {
        p += v - mean;
        m[0] += p;
        if q >= 1 {
            let jp = j * p;
            m[1] += jp;
            if q >= 2 {
                m[2] += j * jp;
                if q >= 3 {
                    m[3] += j * j * jp;
                }
            }
        }
        m[W - 1] += p * p;
        j += 1.0;
    }
    (m, p)
}

/// [`local_moments`] of the four segments `x[a_l..a_l + s]`, interleaved so that the four
/// running sums proceed in parallel (the same operations in the same order per segment, so the
/// same bits as four calls).
#[inline(always)]
#[allow(clippy::needless_range_loop)]
fn moments4<const W: usize>(x: &[f64], a: [usize; 4], s: usize, mean: f64) -> [[f64; W]; 4] {
    let q = W - 2;
    let xs = a.map(|a| &x[a..a + s]);
    let mut m = [[0.0; W]; 4];
    let mut p = [0.0f64; 4];
    let mut j = 0.0;
    for i in 0..s {
        for l in 0..4 {
            p[l] += xs[l][i] - mean;
            let pl = p[l];
            m[l][0] += pl;
            if q >= 1 {
                let jp = j * pl;
                m[l][1] += jp;
                if q >= 2 {
                    m[l][2] += j * jp;
                    if q >= 3 {
                        m[l][3] += j * j * jp;
                    }
                }
            }
            m[l][W - 1] += pl * pl;
        }
        j += 1.0;
    }
    m
}

/// Moments `m` of a piece of `count` points with time power sums `ps` (old coordinates), moved to
/// coordinates `t = t' + d`, `y = y' + e`, added into `acc`:
/// `sum t^k y = sum_{j<=k} C(k,j) d^(k-j) (P_j + e T_j)`, `sum y^2 = Q + 2 e P_0 + e^2 count`.
#[inline(always)]
fn shift_add<const W: usize>(acc: &mut [f64; W], m: &[f64; W], count: f64, ps: &[f64; 4], d: f64, e: f64) {
    let q = W - 2;
    let b0 = m[0] + e * ps[0];
    acc[0] += b0;
    acc[W - 1] += m[W - 1] + e * (2.0 * m[0] + e * count);
    if q >= 1 {
        let b1 = m[1] + e * ps[1];
        acc[1] += b1 + d * b0;
        if q >= 2 {
            let b2 = m[2] + e * ps[2];
            acc[2] += b2 + d * (2.0 * b1 + d * b0);
            if q >= 3 {
                let b3 = m[3] + e * ps[3];
                acc[3] += b3 + d * (3.0 * b2 + d * (3.0 * b1 + d * b0));
            }
        }
    }
}

/// Per-scale constants of the Gram-polynomial projection: reciprocal squared norms of
/// `phi_0..phi_3` and the centring coefficients of `phi_2`, `phi_3` (module docs).
#[derive(Debug, Clone, Copy)]
struct Gram {
    inv: [f64; 4],
    a2: f64,
    a3: f64,
}

impl Gram {
    fn new(s: usize) -> Self {
        let s = s as f64;
        let s2 = s * s;
        let n1 = s * (s2 - 1.0) / 12.0;
        let n2 = n1 * (s2 - 4.0) / 15.0;
        let n3 = n2 * (s2 - 9.0) * (180.0 / 2800.0);
        Gram { inv: [1.0 / s, 1.0 / n1, 1.0 / n2, 1.0 / n3], a2: (s2 - 1.0) / 12.0, a3: (3.0 * s2 - 7.0) / 20.0 }
    }

    /// Residual sum of squares of the degree-`W-2` least-squares fit from the segment-centred
    /// moments: `sum y^2 - sum_k <phi_k, y>^2 / |phi_k|^2`, clamped at 0.
    #[inline(always)]
    fn rss<const W: usize>(&self, m: &[f64; W]) -> f64 {
        let q = W - 2;
        let mut fitted = m[0] * m[0] * self.inv[0];
        if q >= 1 {
            fitted += m[1] * m[1] * self.inv[1];
            if q >= 2 {
                let p2 = m[2] - self.a2 * m[0];
                fitted += p2 * p2 * self.inv[2];
                if q >= 3 {
                    let p3 = m[3] - self.a3 * m[1];
                    fitted += p3 * p3 * self.inv[3];
                }
            }
        }
        (m[W - 1] - fitted).max(0.0)
    }
}

impl<'a, const W: usize> DfaTable<'a, W> {
    /// Builds the levels from a noise: one pass for the mean, one for the profile and level 0
    /// (both over fixed chunks in parallel), then `O(n / P0)` for the levels above.
    ///
    /// Errors: a non-finite element ([`Error::NonFiniteInput`], found when the mean pass's sum is
    /// not finite, so finite input costs no separate check).
    pub(crate) fn new(x: &'a [f64]) -> Result<Self> {
        use rayon::prelude::*;
        let n = x.len();
        let q = W - 2;
        // Any centring constant gives the same F for q >= 1 (it adds a linear trend to the
        // profile, which the fit removes); the mean keeps the profile small. Eight-lane sums over
        // fixed chunks, added in order: the same bits whatever the thread count.
        let total = par_sum(x);
        if !total.is_finite() {
            crate::error::check_all_finite("series", x)?;
        }
        let mean = total / n as f64;
        let nb = n.div_ceil(BASE);
        let mut lv0 = vec![[0.0; W]; nb];
        let mut ylocal = vec![0.0; nb];
        let ps_base = power_sums(0.0, BASE as f64, q);
        // Per chunk: level 0 and the profile relative to the chunk's start; returns the chunk's
        // centred sum as a compensated pair.
        let ends: Vec<(f64, f64)> = x
            .par_chunks(CHUNK)
            .zip(lv0.par_chunks_mut(CB).zip(ylocal.par_chunks_mut(CB)))
            .map(|(xc, (lc, yc))| {
                let (mut ys, mut yc_) = (0.0f64, 0.0f64);
                for (xp, (outp, ybp)) in xc.chunks(P0).zip(lc.chunks_mut(FAN).zip(yc.chunks_mut(FAN))) {
                    // Level-0 frame: time from its centre, profile minus its value before it.
                    let mut y = 0.0;
                    let mut acc = [0.0; W];
                    let mut t = -((P0 - 1) as f64) * 0.5;
                    for (xb, (o, yb)) in xp.chunks(BASE).zip(outp.iter_mut().zip(ybp.iter_mut())) {
                        *yb = (ys + yc_) + y;
                        let (m, last) = local_moments::<W>(xb, mean);
                        if xb.len() == BASE {
                            shift_add(&mut acc, &m, BASE as f64, &ps_base, t, y);
                        } else {
                            let ps = power_sums(0.0, xb.len() as f64, q);
                            shift_add(&mut acc, &m, xb.len() as f64, &ps, t, y);
                        }
                        y += last;
                        t += BASE as f64;
                        *o = acc;
                    }
                    neumaier(&mut ys, &mut yc_, y);
                }
                (ys, yc_)
            })
            .collect();
        let mut cbase = Vec::with_capacity(ends.len());
        let (mut s, mut c) = (0.0f64, 0.0f64);
        for &(a, b) in &ends {
            cbase.push(s + c);
            neumaier(&mut s, &mut c, a);
            neumaier(&mut s, &mut c, b);
        }
        let mut t = DfaTable { x, mean, levels: vec![lv0], ylocal, cbase };
        let mut unit = BASE; // elements per unit of the last built level
        while t.levels.last().map_or(0, Vec::len) > FAN {
            let prev = t.levels.last().unwrap();
            let child = unit * FAN; // elements per child block (units of the new level)
            let parent = child * FAN;
            let nchild = prev.len().div_ceil(FAN);
            let mut next = vec![[0.0; W]; nchild];
            let mut acc = [0.0; W];
            for u in 0..nchild {
                if u % FAN == 0 {
                    acc = [0.0; W];
                }
                let total = prev[((u + 1) * FAN).min(prev.len()) - 1];
                let e_lo = u * child;
                let cnt = (child.min(n - e_lo)) as f64;
                let c_child = e_lo as f64 + (child - 1) as f64 * 0.5;
                let p = u / FAN;
                let c_par = (p * parent) as f64 + (parent - 1) as f64 * 0.5;
                let ps = power_sums(-((child - 1) as f64) * 0.5, cnt, q);
                let e = t.ydiff(e_lo / BASE, p * parent / BASE);
                shift_add(&mut acc, &total, cnt, &ps, c_child - c_par, e);
                next[u] = acc;
            }
            t.levels.push(next);
            unit = child;
        }
        Ok(t)
    }

    /// Profile before base block `b1` minus profile before base block `b2`.
    #[inline(always)]
    fn ydiff(&self, b1: usize, b2: usize) -> f64 {
        (self.cbase[b1 / CB] - self.cbase[b2 / CB]) + (self.ylocal[b1] - self.ylocal[b2])
    }

    /// `log2` of the elements per frame of level `l`.
    #[inline(always)]
    fn log_frame(l: usize) -> u32 {
        LOG_P0 + LOG_FAN * l as u32
    }

    /// Lowest level whose frames hold a segment of `s` points with at most one frame edge inside.
    fn level_for(&self, s: usize) -> usize {
        (0..self.levels.len()).find(|&l| 1usize << Self::log_frame(l) >= s).unwrap_or(self.levels.len() - 1)
    }

    /// Moments of `[frame start, p)` in the coordinates of the level-`top` frame holding `p`
    /// (the frame starting at `p` when `p` is on an edge, so then all zero). `p <= n`.
    #[inline(always)]
    fn prefix(&self, p: usize, top: usize) -> [f64; W] {
        let q = W - 2;
        let b = p >> LOG_BASE;
        let mut acc = if !b.is_multiple_of(FAN) { self.levels[0][b - 1] } else { [0.0; W] };
        let e0 = b << LOG_BASE;
        if e0 < p {
            // The partial base block, from the data.
            let fs = p >> LOG_P0 << LOG_P0;
            let (m, _) = local_moments::<W>(&self.x[e0..p], self.mean);
            let cnt = (p - e0) as f64;
            let d = e0 as f64 - (fs as f64 + (P0 - 1) as f64 * 0.5);
            shift_add(&mut acc, &m, cnt, &power_sums(0.0, cnt, q), d, self.ydiff(b, fs >> LOG_BASE));
        }
        for l in 1..=top {
            let (lu, lp) = (Self::log_frame(l - 1), Self::log_frame(l));
            let (unit, parent) = (1usize << lu, 1usize << lp);
            let u = p >> lu;
            let mut next = if !u.is_multiple_of(FAN) { self.levels[l][u - 1] } else { [0.0; W] };
            let fs_prev = u << lu;
            if fs_prev < p {
                let fs = p >> lp << lp;
                let cnt = (p - fs_prev) as f64;
                let d = (fs_prev as f64 + (unit - 1) as f64 * 0.5) - (fs as f64 + (parent - 1) as f64 * 0.5);
                let ps = power_sums(-((unit - 1) as f64) * 0.5, cnt, q);
                shift_add(&mut next, &acc, cnt, &ps, d, self.ydiff(fs_prev >> LOG_BASE, fs >> LOG_BASE));
            }
            acc = next;
        }
        acc
    }

    /// Segment-centred moments of `[a, b)` from the level-`l` prefixes `pa`, `pb` of its ends
    /// (`b - a <= frame(l)`, so at most one frame edge lies inside).
    #[inline(always)]
    fn combine(&self, a: usize, b: usize, pa: &[f64; W], pb: &[f64; W], l: usize) -> [f64; W] {
        let q = W - 2;
        let lf = Self::log_frame(l);
        let fr = 1usize << lf;
        let half = (fr - 1) as f64 * 0.5;
        let c_seg = a as f64 + (b - a - 1) as f64 * 0.5;
        let fa = a >> lf << lf;
        let c_a = fa as f64 + half;
        let mut acc = [0.0; W];
        if b <= fa + fr {
            // One frame: the difference of the two prefixes, in that frame's coordinates; the
            // profile stays relative to the frame's origin (any constant is fitted away).
            let mut m = *pb;
            if b == fa + fr {
                let lv = &self.levels[l];
                m = lv[(((a >> lf) + 1) * FAN).min(lv.len()) - 1];
            }
            for k in 0..W {
                m[k] -= pa[k];
            }
            let cnt = (b - a) as f64;
            shift_add(&mut acc, &m, cnt, &power_sums(a as f64 - c_a, cnt, q), c_a - c_seg, 0.0);
        } else {
            // Two frames: the rest of `a`'s frame (its total minus `pa`), then the start of the
            // next one up to `b`, moved to the first frame's profile origin.
            let lv = &self.levels[l];
            let mut m = lv[(((a >> lf) + 1) * FAN).min(lv.len()) - 1];
            for k in 0..W {
                m[k] -= pa[k];
            }
            let fb = fa + fr;
            let cnt = (fb - a) as f64;
            shift_add(&mut acc, &m, cnt, &power_sums(a as f64 - c_a, cnt, q), c_a - c_seg, 0.0);
            let cnt2 = (b - fb) as f64;
            let e = self.ydiff(fb >> LOG_BASE, fa >> LOG_BASE);
            shift_add(&mut acc, pb, cnt2, &power_sums(-half, cnt2, q), c_a + fr as f64 - c_seg, e);
        }
        acc
    }

    /// Calls `f(F^2(nu, s))` for the `2 floor(n/s)` segments of scale `s` (from the start, then
    /// from the end). `q + 2 <= s <= n`. Each segment edge's prefix is computed once.
    /// Scales up to [`DIRECT_MAX`] are summed directly from the data instead (cheaper there than
    /// the `O(1)` formula's bookkeeping, and exact to rounding in segment coordinates).
    ///
    /// When `s` divides `n`, the segments from the end are those from the start (segment `k` from
    /// the end starts at `(N_s - 1 - k) s`): each is computed once and `f` called twice with it.
    #[inline]
    pub(crate) fn for_each_segment(&self, s: usize, mut f: impl FnMut(f64)) {
        if self.x.len().is_multiple_of(s) {
            self.segments(s, false, |v| {
                f(v);
                f(v)
            })
        } else {
            self.segments(s, true, f)
        }
    }

    /// [`Self::for_each_segment`]: the segments from the start, then (if `backward`) from the end.
    #[inline(always)]
    fn segments(&self, s: usize, backward: bool, mut f: impl FnMut(f64)) {
        let n = self.x.len();
        let ns = n / s;
        let g = Gram::new(s);
        if s <= DIRECT_MAX {
            let q = W - 2;
            let ps = power_sums(0.0, s as f64, q);
            let d = -((s - 1) as f64) * 0.5;
            let mut emit = |m: &[f64; W]| {
                let mut acc = [0.0; W];
                shift_add(&mut acc, m, s as f64, &ps, d, 0.0);
                f(g.rss(&acc) * g.inv[0]);
            };
            // Four segments at a time (independent dependency chains), forward then backward.
            let fwd = |k: usize| k * s;
            let bwd = |k: usize| n - (k + 1) * s;
            for start in [&fwd as &dyn Fn(usize) -> usize, &bwd].into_iter().take(1 + backward as usize) {
                let mut k = 0;
                while k + 4 <= ns {
                    let ms = moments4::<W>(self.x, [start(k), start(k + 1), start(k + 2), start(k + 3)], s, self.mean);
                    ms.iter().for_each(&mut emit);
                    k += 4;
                }
                while k < ns {
                    let a = start(k);
                    emit(&local_moments::<W>(&self.x[a..a + s], self.mean).0);
                    k += 1;
                }
            }
            return;
        }
        let l = self.level_for(s);
        let mut pa = [0.0; W];
        for k in 0..ns {
            let (a, b) = (k * s, (k + 1) * s);
            let pb = self.prefix(b, l);
            f(g.rss(&self.combine(a, b, &pa, &pb, l)) * g.inv[0]);
            pa = pb;
        }
        if !backward {
            return;
        }
        let mut pb = self.prefix(n, l);
        for k in 0..ns {
            let (a, b) = (n - (k + 1) * s, n - k * s);
            let pa = self.prefix(a, l);
            f(g.rss(&self.combine(a, b, &pa, &pb, l)) * g.inv[0]);
            pb = pa;
        }
    }

    /// `F(s)` for each scale, the scales in parallel (rayon). Each scale's sum runs over its
    /// segments in order on one thread, so the result has the same bits whatever the thread count.
    pub(crate) fn fluctuations(&self, scales: &[usize]) -> Vec<f64> {
        use rayon::prelude::*;
        scales
            .par_iter()
            .with_max_len(1)
            .map(|&s| {
                let mut sum = 0.0;
                self.for_each_segment(s, |v| sum += v);
                (sum / (2 * (self.x.len() / s)) as f64).sqrt()
            })
            .collect()
    }
}

/// Checks order and scales against a noise of length `n`.
pub(crate) fn check_order_scales(n: usize, order: usize, scales: &[usize]) -> Result<()> {
    if !(1..=3).contains(&order) {
        return Err(Error::InvalidSize { name: "order", value: order, allowed: crate::error::Allowed("in 1..=3") });
    }
    if scales.is_empty() {
        return Err(Error::InvalidInput("no scales given".into()));
    }
    for &s in scales {
        if s < order + 2 || s > n {
            return Err(Error::InvalidInput(format!(
                "DFA-{order}: scale {s} is outside [{}, n = {n}] (a degree-{order} fit needs at least {} points, and \
                 a segment must fit in the series)",
                order + 2,
                order + 2
            )));
        }
    }
    Ok(())
}

/// Runs `f` with the table of the right order.
macro_rules! with_table {
    ($order:expr, $x:expr, |$t:ident| $body:expr) => {
        match $order {
            1 => {
                let $t = DfaTable::<3>::new($x)?;
                $body
            }
            2 => {
                let $t = DfaTable::<4>::new($x)?;
                $body
            }
            _ => {
                let $t = DfaTable::<5>::new($x)?;
                $body
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use with_table;

/// DFA fluctuation function `F(s)` of a noise `x` (the profile is built internally) for detrending
/// order `order` in `1..=3` at the given scales, in `O(n)` (module docs).
///
/// Errors: non-finite input, order outside `1..=3`, a scale below `order + 2` or above `n`.
pub fn dfa_fluctuations(x: &[f64], order: usize, scales: &[usize]) -> Result<Vec<f64>> {
    check_order_scales(x.len(), order, scales)?;
    Ok(with_table!(order, x, |t| t.fluctuations(scales)))
}

/// Reference DFA: the same `F(s)` by a straightforward least-squares fit in every segment
/// (modified Gram–Schmidt QR of the basis `((i - c) / s)^k`, applied twice), `O(n)` per scale.
/// For testing the fast version; use [`dfa_fluctuations`] otherwise.
pub fn dfa_fluctuations_naive(x: &[f64], order: usize, scales: &[usize]) -> Result<Vec<f64>> {
    crate::error::check_all_finite("series", x)?;
    let n = x.len();
    check_order_scales(n, order, scales)?;
    let mean = sum_compensated(x) / n as f64;
    let mut profile = Vec::with_capacity(n);
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for &v in x {
        // Kahan cumulative sum of the centred series.
        let yv = (v - mean) - c;
        let t = s + yv;
        c = (t - s) - yv;
        s = t;
        profile.push(s);
    }
    let mut out = Vec::with_capacity(scales.len());
    for &s in scales {
        let ns = n / s;
        let centre = (s - 1) as f64 * 0.5;
        // Orthonormal basis by MGS (twice).
        let mut basis: Vec<Vec<f64>> = Vec::new();
        for k in 0..=order {
            let mut v: Vec<f64> = (0..s).map(|i| ((i as f64 - centre) / s as f64).powi(k as i32)).collect();
            for _ in 0..2 {
                for b in &basis {
                    let dot: f64 = v.iter().zip(b).map(|(a, b)| a * b).sum();
                    v.iter_mut().zip(b).for_each(|(a, b)| *a -= dot * b);
                }
            }
            let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
            v.iter_mut().for_each(|a| *a /= norm);
            basis.push(v);
        }
        let mut total = 0.0;
        let starts = (0..ns).map(|k| k * s).chain((0..ns).map(|k| n - (k + 1) * s));
        for a in starts {
            let mut r: Vec<f64> = profile[a..a + s].iter().map(|&y| y - profile[a]).collect();
            for _ in 0..2 {
                for b in &basis {
                    let dot: f64 = r.iter().zip(b).map(|(a, b)| a * b).sum();
                    r.iter_mut().zip(b).for_each(|(a, b)| *a -= dot * b);
                }
            }
            total += r.iter().map(|a| a * a).sum::<f64>() / s as f64;
        }
        out.push((total / (2 * ns) as f64).sqrt());
    }
    Ok(out)
}

/// DFA Hurst estimate: slope of `ln F(s)` on `ln s` over log-spaced scales (module docs).
///
/// The standard error is the OLS slope SE ([`SeKind::Regression`]), which understates the spread
/// 3-4x; see [`HurstEstimate::bootstrapped`] for an honest one. For a path input the path is
/// differenced first (see [`InputKind`]); the result is `H` either way.
///
/// Errors: non-finite input, constant series, order outside `1..=3`, `min_scale < order + 2`,
/// series too short for the scales (default maximum `n / 4`).
pub fn dfa(x: &[f64], opts: &DfaOptions) -> Result<HurstEstimate> {
    let (noise, warnings) = prepare(x, opts.kind, 4 * (opts.min_scale + 1))?;
    let n = noise.len();
    let scales = scales_for(n, opts.min_scale, opts.max_scale, opts.scales, "DFA")?;
    let f = dfa_fluctuations(&noise, opts.order, &scales)?;
    let sx: Vec<f64> = scales.iter().map(|&s| s as f64).collect();
    let (fit, fit_y) = loglog_fit(&sx, &f)?;
    Ok(HurstEstimate::new(
        Method::Dfa(opts.order),
        fit.slope,
        fit.slope_se,
        SeKind::Regression,
        Some(fit),
        ScalingData { x_name: "scale s", y_name: "F(s)", x: sx, y: f, fit_y },
        n,
        warnings,
    ))
}

/// Exact `sqrt(E F^2(s))` of DFA-`order` on unit-variance fGn with Hurst index `hurst`:
/// `E F^2(s) = (1/s) tr(P_q Gamma_s)`, `Gamma_s(i, j) = (i^2H + j^2H - |i-j|^2H) / 2` on
/// `i, j = 1..s` (the fBM profile; the global centring adds a linear trend that any `q >= 1` fit
/// removes), `P_q` the projector on the residuals of a degree-`q` fit (`validation/README.md` §6).
/// Computed with the Gram polynomials of the module docs in `O(s^2)`. The slope of
/// `ln sqrt(E F^2(s))` on `ln s` is the finite-size target of a DFA estimate (up to the small
/// Jensen gap between `E ln F` and `ln sqrt(E F^2)`).
///
/// Errors: `hurst` not in `(0, 1)`, `order` not in `1..=3`, `s < order + 2`.
pub fn dfa_expected_fluctuation(hurst: f64, order: usize, s: usize) -> Result<f64> {
    crate::error::check_open("hurst", hurst, 0.0, 1.0, "in (0, 1)")?;
    check_order_scales(s, order, &[s])?;
    let h2 = 2.0 * hurst;
    let pw: Vec<f64> = (0..=s).map(|k| (k as f64).powf(h2)).collect();
    let c = (s - 1) as f64 * 0.5;
    let sf = s as f64;
    let phis: Vec<Vec<f64>> = (0..=order)
        .map(|k| {
            (0..s)
                .map(|i| {
                    let t = i as f64 - c;
                    match k {
                        0 => 1.0,
                        1 => t,
                        2 => t * t - (sf * sf - 1.0) / 12.0,
                        _ => t * t * t - t * (3.0 * sf * sf - 7.0) / 20.0,
                    }
                })
                .collect()
        })
        .collect();
    let mut tr = (1..=s).map(|i| pw[i]).sum::<f64>();
    for phi in &phis {
        let norm2: f64 = phi.iter().map(|v| v * v).sum();
        let mut quad = 0.0;
        for i in 0..s {
            let mut row = 0.0;
            for j in 0..s {
                row += phi[j] * 0.5 * (pw[i + 1] + pw[j + 1] - pw[i.abs_diff(j)]);
            }
            quad += phi[i] * row;
        }
        tr -= quad / norm2;
    }
    Ok((tr / sf).max(0.0).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, StandardNormal};

    fn noise(n: usize, seed: u64, offset: f64) -> Vec<f64> {
        let mut r = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                let v: f64 = StandardNormal.sample(&mut r);
                offset + v
            })
            .collect()
    }

    #[test]
    fn fast_equals_naive_all_orders() {
        for (n, seed) in [(1000usize, 1u64), (5003, 2), (70_001, 3)] {
            let x = noise(n, seed, 3.0);
            let scales = log_scales_all(n);
            for q in 1..=3 {
                let a = dfa_fluctuations(&x, q, &scales).unwrap();
                let b = dfa_fluctuations_naive(&x, q, &scales).unwrap();
                for ((fa, fb), s) in a.iter().zip(&b).zip(&scales) {
                    assert!((fa - fb).abs() <= 1e-10 * fb, "n {n} q {q} s {s}: {fa} vs {fb}");
                }
            }
        }
    }

    fn log_scales_all(n: usize) -> Vec<usize> {
        let mut v = vec![5, 7, 16, 17, 31, 100, 255, 256, 257, 1000];
        v.push(n / 3);
        v.push(n / 2);
        v.retain(|&s| s <= n);
        v
    }

    #[test]
    fn exact_polynomial_profile_has_zero_fluctuation() {
        // x linear in i => profile quadratic => DFA-2 residual 0. The moment formula resolves F
        // only to about sqrt(eps) times the profile's spread in a segment (<= 2 s here).
        let x: Vec<f64> = (0..4000).map(|i| 0.5 + 1e-3 * i as f64).collect();
        let scales = [16, 100, 1000];
        let f = dfa_fluctuations(&x, 2, &scales).unwrap();
        for (v, s) in f.iter().zip(scales) {
            assert!(*v < 1e-7 * 2.0 * s as f64, "{f:?}");
        }
    }

    #[test]
    fn bad_input() {
        let x = noise(100, 1, 0.0);
        assert!(dfa(&x[..50], &DfaOptions::default()).is_err());
        assert!(dfa_fluctuations(&x, 0, &[10]).is_err());
        assert!(dfa_fluctuations(&x, 4, &[10]).is_err());
        assert!(dfa_fluctuations(&x, 3, &[4]).is_err());
        assert!(dfa_fluctuations(&x, 1, &[101]).is_err());
        assert!(dfa(&[1.0; 1000], &DfaOptions::default()).is_err());
    }
}
