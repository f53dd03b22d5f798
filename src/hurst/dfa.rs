//! Detrended fluctuation analysis (DFA) of order `q = 1..=3` in `O(n)` for all scales.
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
//! which needs only the moments `M_k = sum t^k y` (`k <= q`) and `sum y^2`. Moments over any range
//! come from prefix sums. Global prefix sums of `i^k Y_i` would lose all digits (their size grows
//! like `n^(k+3/2)` while a segment's is `s^(k+3/2)`), so the prefix sums are kept **locally
//! centred** in a 16-ary hierarchy: level `l` stores, for each level-`(l-1)` block (elements at
//! level 0), the moments of the blocks from the start of its parent (a block of `16^(l+1)`
//! elements) up to and including it, in the parent's own coordinates (time from the parent's
//! centre, profile minus its value before the parent starts). A segment is cut into at most two
//! pieces per level, each a difference of two entries of one parent, shifted into segment
//! coordinates by the binomial theorem (`t = t' + d`, `y = y' + e`). A piece at level `l` is
//! only used when the segment contains a whole level-`(l-1)` block, so every difference is
//! taken at most 16 times above the segment's own size: the relative rounding error stays
//! below about `16^(q+3/2) eps` (checked against a plain least-squares DFA to 1e-9 in the tests).
//! Building costs one pass over the data plus `O(n/16)`; a scale costs `O(n/s log_16 s)`.
//!
//! Limitation of any sum-of-squares formula: `F` is resolved only to about `sqrt(eps)` times the
//! spread of the profile within a segment, so a series whose profile is an exact polynomial of
//! degree `<= q` gives a tiny positive `F` (~1e-8 relative) instead of 0. For noise (the use
//! case) the residual is of the order of the spread and the relative accuracy is ~1e-12.

use super::common::{
    loglog_fit, prepare, scales_for, sum_compensated, HurstEstimate, InputKind, Method, ScalingData, SeKind,
};
use crate::error::{Error, Result};

/// Fan-out of the prefix-sum hierarchy.
const FAN: usize = 16;
/// Elements per base block: partial base blocks are summed directly from the data.
const BASE: usize = 4;

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

/// Prefix-sum hierarchy of a profile for DFA of order `W - 2` (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct DfaTable<'a, const W: usize> {
    x: &'a [f64],
    mean: f64,
    /// `levels[l][u]`: moments `[sum t'^0 y', .., sum t'^q y', sum y'^2]` of units
    /// `parent_start..=u` (units: blocks of `BASE * FAN^l` elements) in the coordinates of the
    /// parent block (`BASE * FAN^(l+1)` elements).
    levels: Vec<Vec<[f64; W]>>,
    /// Profile value just before each base block (`Y_{BASE b - 1}`, `0` for `b = 0`).
    ybase: Vec<f64>,
}

/// Sum with eight independent accumulators (vectorisable; accurate enough for centring).
fn lane_sum(x: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let chunks = x.chunks_exact(8);
    let rest: f64 = chunks.remainder().iter().sum();
    for c in chunks {
        for k in 0..8 {
            acc[k] += c[k];
        }
    }
    acc.iter().sum::<f64>() + rest
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

/// Adds one profile point `y` at segment time `t` to the moment sums `[sum y, sum t y, sum t^2 y,
/// sum t^3 y (as far as the order needs), sum y^2]`.
#[inline(always)]
fn add_point<const W: usize>(acc: &mut [f64; W], t: f64, y: f64) {
    let q = W - 2;
    acc[0] += y;
    if q >= 1 {
        let ty = t * y;
        acc[1] += ty;
        if q >= 2 {
            acc[2] += t * ty;
            if q >= 3 {
                acc[3] += t * t * ty;
            }
        }
    }
    acc[W - 1] += y * y;
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
    /// Builds the hierarchy from a noise (one pass for the mean, one for the profile).
    pub(crate) fn new(x: &'a [f64]) -> Self {
        let n = x.len();
        let q = W - 2;
        // Any centring constant gives the same F for q >= 1 (it adds a linear trend to the
        // profile, which the fit removes); the mean keeps the profile small. Eight-lane sum.
        let mean = lane_sum(x) / n as f64;
        const P0: usize = BASE * FAN;
        let nb = n.div_ceil(BASE);
        let mut lv0 = vec![[0.0; W]; nb];
        let mut ybase = vec![0.0; nb];
        let (mut ys, mut yc) = (0.0f64, 0.0f64);
        for (xp, (outp, ybp)) in x.chunks(P0).zip(lv0.chunks_mut(FAN).zip(ybase.chunks_mut(FAN))) {
            // Level-0 parent: P0 elements, time from its centre, profile minus its base.
            let mut y = 0.0;
            let mut acc = [0.0; W];
            let mut t = -((P0 - 1) as f64) * 0.5;
            for (xb, (o, yb)) in xp.chunks(BASE).zip(outp.iter_mut().zip(ybp.iter_mut())) {
                *yb = (ys + yc) + y;
                if let [x0, x1, x2, x3] = *xb {
                    // Whole base block: partial sums p_i within the block, so that the
                    // loop-carried dependency is one add per block instead of per element.
                    let p0 = x0 - mean;
                    let p1 = p0 + (x1 - mean);
                    let p2 = p1 + (x2 - mean);
                    let p3 = p2 + (x3 - mean);
                    let sp = (p0 + p1) + (p2 + p3);
                    acc[0] += 4.0 * y + sp;
                    if q >= 1 {
                        let (t1, t2, t3) = (t + 1.0, t + 2.0, t + 3.0);
                        let st1 = 4.0 * t + 6.0;
                        acc[1] += y * st1 + ((t * p0 + t1 * p1) + (t2 * p2 + t3 * p3));
                        if q >= 2 {
                            let (u0, u1, u2, u3) = (t * t, t1 * t1, t2 * t2, t3 * t3);
                            acc[2] += y * ((u0 + u1) + (u2 + u3)) + ((u0 * p0 + u1 * p1) + (u2 * p2 + u3 * p3));
                            if q >= 3 {
                                let (v0, v1, v2, v3) = (u0 * t, u1 * t1, u2 * t2, u3 * t3);
                                acc[3] += y * ((v0 + v1) + (v2 + v3)) + ((v0 * p0 + v1 * p1) + (v2 * p2 + v3 * p3));
                            }
                        }
                    }
                    acc[W - 1] += y * (4.0 * y + 2.0 * sp) + ((p0 * p0 + p1 * p1) + (p2 * p2 + p3 * p3));
                    y += p3;
                    t += 4.0;
                    *o = acc;
                    continue;
                }
                for &xv in xb {
                    y += xv - mean;
                    add_point(&mut acc, t, y);
                    t += 1.0;
                }
                *o = acc;
            }
            // Neumaier update of the running profile base.
            let tsum = ys + y;
            if ys.abs() >= y.abs() {
                yc += (ys - tsum) + y;
            } else {
                yc += (y - tsum) + ys;
            }
            ys = tsum;
        }
        let mut levels = vec![lv0];
        let mut unit = BASE; // elements per unit of the last built level
        while levels.last().map_or(0, Vec::len) > FAN {
            let prev = levels.last().unwrap();
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
                let e = ybase[e_lo / BASE] - ybase[p * parent / BASE];
                shift_add(&mut acc, &total, cnt, &ps, c_child - c_par, e);
                next[u] = acc;
            }
            levels.push(next);
            unit = child;
        }
        DfaTable { x, mean, levels, ybase }
    }

    /// Adds elements `[i1, i2)` (inside one base block) directly from the data, in segment
    /// coordinates.
    #[inline(always)]
    fn add_direct(&self, acc: &mut [f64; W], i1: usize, i2: usize, c_seg: f64, yref: f64) {
        let b0 = i1 / BASE * BASE;
        let mut y = self.ybase[b0 / BASE] - yref;
        for &xv in &self.x[b0..i1] {
            y += xv - self.mean;
        }
        let mut t = i1 as f64 - c_seg;
        for &xv in &self.x[i1..i2] {
            y += xv - self.mean;
            add_point(acc, t, y);
            t += 1.0;
        }
    }

    /// Adds the moments of units `[u1, u2)` of level `l` (one parent), in segment coordinates.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn add_piece(&self, acc: &mut [f64; W], l: usize, unit: usize, u1: usize, u2: usize, c_seg: f64, yref: f64) {
        let lv = &self.levels[l];
        let mut m = lv[u2 - 1];
        if u1 % FAN != 0 {
            let lo = &lv[u1 - 1];
            for k in 0..W {
                m[k] -= lo[k];
            }
        }
        let parent = unit * FAN;
        let p = u1 / FAN;
        let e_lo = u1 * unit;
        let e_hi = (u2 * unit).min(self.x.len());
        let c_par = (p * parent) as f64 + (parent - 1) as f64 * 0.5;
        let cnt = (e_hi - e_lo) as f64;
        let ps = power_sums(e_lo as f64 - c_par, cnt, W - 2);
        let e = self.ybase[p * parent / BASE] - yref;
        shift_add(acc, &m, cnt, &ps, c_par - c_seg, e);
    }

    /// Segment-centred moments of `[a, a + s)`.
    #[inline]
    fn segment_moments(&self, a: usize, s: usize) -> [f64; W] {
        let c_seg = a as f64 + (s - 1) as f64 * 0.5;
        let yref = self.ybase[a / BASE];
        let mut acc = [0.0; W];
        let b = a + s;
        // Whole base blocks [lo, hi) (in base-block units); the rest directly from the data.
        let (mut lo, mut hi) = (a.div_ceil(BASE), b / BASE);
        if lo >= hi {
            let mid = (lo * BASE).min(b);
            self.add_direct(&mut acc, a, mid, c_seg, yref);
            if mid < b {
                self.add_direct(&mut acc, mid, b, c_seg, yref);
            }
            return acc;
        }
        if a < lo * BASE {
            self.add_direct(&mut acc, a, lo * BASE, c_seg, yref);
        }
        if hi * BASE < b {
            self.add_direct(&mut acc, hi * BASE, b, c_seg, yref);
        }
        let mut unit = BASE;
        for l in 0..self.levels.len() {
            let (p_lo, p_hi) = (lo / FAN, (hi - 1) / FAN);
            if p_lo == p_hi {
                self.add_piece(&mut acc, l, unit, lo, hi, c_seg, yref);
                break;
            }
            if lo % FAN != 0 {
                self.add_piece(&mut acc, l, unit, lo, (p_lo + 1) * FAN, c_seg, yref);
                lo = p_lo + 1;
            } else {
                lo = p_lo;
            }
            if hi % FAN != 0 {
                self.add_piece(&mut acc, l, unit, p_hi * FAN, hi, c_seg, yref);
                hi = p_hi;
            } else {
                hi = p_hi + 1;
            }
            if lo >= hi {
                break;
            }
            unit *= FAN;
        }
        acc
    }

    /// Calls `f(F^2(nu, s))` for the `2 floor(n/s)` segments of scale `s` (from the start, then
    /// from the end). `q + 2 <= s <= n`.
    #[inline]
    pub(crate) fn for_each_segment(&self, s: usize, mut f: impl FnMut(f64)) {
        let n = self.x.len();
        let ns = n / s;
        let g = Gram::new(s);
        for k in 0..ns {
            f(g.rss(&self.segment_moments(k * s, s)) * g.inv[0]);
        }
        for k in 0..ns {
            f(g.rss(&self.segment_moments(n - (k + 1) * s, s)) * g.inv[0]);
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
                let $t = DfaTable::<3>::new($x);
                $body
            }
            2 => {
                let $t = DfaTable::<4>::new($x);
                $body
            }
            _ => {
                let $t = DfaTable::<5>::new($x);
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
    crate::error::check_all_finite("series", x)?;
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
