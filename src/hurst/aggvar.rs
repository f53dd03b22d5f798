//! Aggregated variance (Beran 1994, Statistics for Long-Memory Processes, sec. 4.4; Taqqu,
//! Teverovsky & Willinger 1995, Fractals 3, 785).
//!
//! For block size `m` and `k = floor(n/m)` blocks, `S^2_m = (1/(k-1)) sum_j (Xbar_j - Xbar)^2` with
//! `Xbar_j` the block means and `Xbar` their mean. For fGn `E S^2_m ~ sigma^2 m^(2H-2)`, so
//! `H = 1 + beta/2` with `beta` the slope of `ln S^2_m` on `ln m`. Exactly
//! (`validation/README.md` §6): `E S^2_m = (k/(k-1)) sigma^2 (m^(2H-2) - (km)^(2H-2))`
//! ([`aggvar_expected`]); the estimated grand mean biases `H` down for large `H`.

use super::common::{loglog_fit, prepare, scales_for, HurstEstimate, InputKind, Method, ScalingData, SeKind};
use crate::error::Result;

/// Options of [`aggregated_variance`].
#[derive(Debug, Clone, PartialEq)]
pub struct AggVarOptions {
    /// Smallest block size. Default 4.
    pub min_block: usize,
    /// Largest block size, default `n / 10` (at least 10 blocks).
    pub max_block: Option<usize>,
    /// Number of log-spaced block sizes. Default 20.
    pub blocks: usize,
    /// Input kind. Default noise.
    pub kind: InputKind,
}

impl Default for AggVarOptions {
    fn default() -> Self {
        AggVarOptions { min_block: 4, max_block: None, blocks: 20, kind: InputKind::Noise }
    }
}

/// Exact `E S^2_m` for unit-variance fGn, `k` blocks of `m` (module docs).
pub fn aggvar_expected(hurst: f64, m: usize, k: usize) -> f64 {
    let a = 2.0 * hurst - 2.0;
    let (mf, kf) = (m as f64, k as f64);
    kf / (kf - 1.0) * (mf.powf(a) - (kf * mf).powf(a))
}

/// Variance of block means `S^2_m` (module docs).
pub fn aggvar_statistic(x: &[f64], m: usize) -> f64 {
    let means: Vec<f64> = x.chunks_exact(m).map(|c| c.iter().sum::<f64>() / m as f64).collect();
    let k = means.len() as f64;
    let g = means.iter().sum::<f64>() / k;
    means.iter().map(|v| (v - g) * (v - g)).sum::<f64>() / (k - 1.0)
}

/// Aggregated-variance Hurst estimate `H = 1 + beta/2` (module docs), SE = OLS slope SE / 2
/// (understates the spread; see [`HurstEstimate::bootstrapped`]).
/// Scaling data: block sizes and `S^2_m`.
///
/// Errors: non-finite, constant or too short input (default blocks 4..n/10).
pub fn aggregated_variance(x: &[f64], opts: &AggVarOptions) -> Result<HurstEstimate> {
    let (noise, warnings) = prepare(x, opts.kind, 10 * (opts.min_block + 1))?;
    let n = noise.len();
    let ms = scales_for(n, opts.min_block, Some(opts.max_block.unwrap_or(n / 10)), opts.blocks, "aggregated variance")?;
    let v: Vec<f64> = ms.iter().map(|&m| aggvar_statistic(&noise, m)).collect();
    let mx: Vec<f64> = ms.iter().map(|&m| m as f64).collect();
    let (fit, fit_y) = loglog_fit(&mx, &v)?;
    Ok(HurstEstimate::new(
        Method::AggregatedVariance,
        1.0 + fit.slope / 2.0,
        fit.slope_se / 2.0,
        SeKind::Regression,
        Some(fit),
        ScalingData { x_name: "block size m", y_name: "Var(block mean)", x: mx, y: v, fit_y },
        n,
        warnings,
    ))
}
