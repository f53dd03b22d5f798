//! Multifractal DFA (Kantelhardt et al. 2002, Physica A 316, 87, eqs. 4-5, 12-16).
//!
//! With the segment variances `F^2(nu, s)` of DFA-`q` ([`super::dfa`]):
//! `F_q(s) = { (1 / 2N_s) sum_nu [F^2(nu, s)]^(q/2) }^(1/q)` for `q != 0` and
//! `F_0(s) = exp{ (1 / 4N_s) sum_nu ln F^2(nu, s) }` (the `q -> 0` limit, a log-average).
//! `F_q(s) ~ s^h(q)`; `h(2)` is the DFA exponent. Mass exponent `tau(q) = q h(q) - 1`,
//! singularity strength `alpha = tau'(q)` and spectrum `f(alpha) = q alpha - tau(q)` (Legendre
//! transform); `tau'` by finite differences on the `q` grid (central inside, one-sided at the
//! ends). For a monofractal (fGn) `h(q) = H` for all `q`, `alpha = H`, `f = 1`.
//!
//! Segments with `F^2(nu, s) <= 1e-10 mean_nu F^2(nu, s)` (flat stretches, which make negative
//! moments blow up) are left out at that scale, and a warning counts them.

use super::common::{prepare, scales_for, InputKind};
use super::dfa::{check_order_scales, with_table, DfaTable};
use crate::error::{Error, Result};
use crate::stats::linear_fit;

/// Options of [`mfdfa`].
#[derive(Debug, Clone, PartialEq)]
pub struct MfdfaOptions {
    /// Detrending order in `1..=3`. Default 1.
    pub order: usize,
    /// Smallest scale. Default 16.
    pub min_scale: usize,
    /// Largest scale, default `n / 4`.
    pub max_scale: Option<usize>,
    /// Number of log-spaced scales. Default 20.
    pub scales: usize,
    /// Moment orders, strictly increasing, finite (0 allowed). Default `-5, -4, .., 5`.
    pub q: Vec<f64>,
    /// Input kind. Default noise.
    pub kind: InputKind,
}

impl Default for MfdfaOptions {
    fn default() -> Self {
        MfdfaOptions {
            order: 1,
            min_scale: 16,
            max_scale: None,
            scales: 20,
            q: (-5..=5).map(f64::from).collect(),
            kind: InputKind::Noise,
        }
    }
}

/// MF-DFA result.
#[derive(Debug, Clone, PartialEq)]
pub struct MfdfaResult {
    /// Detrending order.
    pub order: usize,
    /// Scales.
    pub scales: Vec<usize>,
    /// Moment orders.
    pub q: Vec<f64>,
    /// `fq[i][j] = F_{q_i}(s_j)`.
    pub fq: Vec<Vec<f64>>,
    /// Generalised Hurst exponents `h(q_i)` (log-log slopes).
    pub h: Vec<f64>,
    /// OLS standard errors of `h(q_i)`: they treat the correlated log-log points as independent
    /// and understate the spread (3-4x for `h(2)`, as for DFA; no bootstrap here yet).
    pub h_se: Vec<f64>,
    /// `tau(q_i) = q_i h(q_i) - 1`.
    pub tau: Vec<f64>,
    /// Singularity strengths `alpha_i = tau'(q_i)`.
    pub alpha: Vec<f64>,
    /// Singularity spectrum `f(alpha_i) = q_i alpha_i - tau(q_i)`.
    pub f_alpha: Vec<f64>,
    /// Segments left out as flat (all scales together).
    pub excluded_segments: usize,
    /// Warnings.
    pub warnings: Vec<String>,
}

/// MF-DFA of a series (module docs). Errors: bad input as for [`super::dfa()`], an empty or
/// non-increasing or non-finite `q` list, or a scale where every segment is flat.
pub fn mfdfa(x: &[f64], opts: &MfdfaOptions) -> Result<MfdfaResult> {
    let (noise, mut warnings) = prepare(x, opts.kind, 4 * (opts.min_scale + 1))?;
    let n = noise.len();
    let q = opts.q.clone();
    if q.is_empty() || q.iter().any(|v| !v.is_finite()) || q.windows(2).any(|w| w[1] <= w[0]) {
        return Err(Error::InvalidInput(format!("q must be a non-empty, finite, strictly increasing list; got {q:?}")));
    }
    let scales = scales_for(n, opts.min_scale, opts.max_scale, opts.scales, "MF-DFA")?;
    check_order_scales(n, opts.order, &scales)?;
    let mut fq = vec![vec![0.0; scales.len()]; q.len()];
    let mut excluded = 0usize;
    let mut f2 = Vec::new();
    let res: Result<()> = with_table!(opts.order, &noise, |t| {
        for (j, &s) in scales.iter().enumerate() {
            f2.clear();
            t.for_each_segment(s, |v| f2.push(v));
            let mean = f2.iter().sum::<f64>() / f2.len() as f64;
            let before = f2.len();
            f2.retain(|&v| v > 1e-10 * mean);
            excluded += before - f2.len();
            if f2.is_empty() {
                return Err(Error::InvalidInput(format!("MF-DFA: every segment at scale {s} is flat")));
            }
            let m = f2.len() as f64;
            for (i, &qi) in q.iter().enumerate() {
                fq[i][j] = if qi == 0.0 {
                    (0.5 * f2.iter().map(|v| v.ln()).sum::<f64>() / m).exp()
                } else {
                    (f2.iter().map(|v| v.powf(0.5 * qi)).sum::<f64>() / m).powf(1.0 / qi)
                };
            }
        }
        Ok(())
    });
    res?;
    if excluded > 0 {
        warnings.push(format!("MF-DFA: {excluded} flat segments (F^2 <= 1e-10 of the scale's mean) left out"));
    }
    let lx: Vec<f64> = scales.iter().map(|&s| (s as f64).ln()).collect();
    let mut h = Vec::with_capacity(q.len());
    let mut h_se = Vec::with_capacity(q.len());
    for (row, qi) in fq.iter().zip(&q) {
        let ly: Vec<f64> = row.iter().map(|v| v.ln()).collect();
        if let Some(j) = ly.iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidInput(format!(
                "MF-DFA: F_q(s) at q = {}, scale {} is {} (the q-th power over- or underflows): use a smaller |q|",
                crate::error::Short(*qi),
                scales[j],
                crate::error::Short(row[j])
            )));
        }
        let fit = linear_fit(&lx, &ly)?;
        h.push(fit.slope);
        h_se.push(fit.slope_se);
    }
    let tau: Vec<f64> = q.iter().zip(&h).map(|(qi, hi)| qi * hi - 1.0).collect();
    let k = q.len();
    let alpha: Vec<f64> = (0..k)
        .map(|i| {
            if k == 1 {
                h[0]
            } else {
                let (a, b) = (i.saturating_sub(1), (i + 1).min(k - 1));
                (tau[b] - tau[a]) / (q[b] - q[a])
            }
        })
        .collect();
    let f_alpha = (0..k).map(|i| q[i] * alpha[i] - tau[i]).collect();
    Ok(MfdfaResult {
        order: opts.order,
        scales,
        q,
        fq,
        h,
        h_se,
        tau,
        alpha,
        f_alpha,
        excluded_segments: excluded,
        warnings,
    })
}
