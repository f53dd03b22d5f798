//! Rescaled range (R/S) with the Anis–Lloyd expected-value correction.
//!
//! For a window of `w` samples with mean `m`, `Z_t = sum_{i<=t} (x_i - m)` (`t = 1..w`),
//! `R = max Z - min Z` (`Z_w = 0`, so the range includes 0) and `S = sqrt((1/w) sum (x_i - m)^2)`
//! (divisor `w`). `(R/S)_w` is the average over the `floor(n/w)` non-overlapping windows.
//!
//! For i.i.d. Gaussian data Anis & Lloyd (1976, Biometrika 63, 111) give
//! `E[R/S]_w = Gamma((w-1)/2) / (sqrt(pi) Gamma(w/2)) sum_{i=1}^{w-1} sqrt((w-i)/i)`,
//! with the Gamma ratio evaluated exactly as `exp(ln_gamma((w-1)/2) - ln_gamma(w/2))` for every `w`
//! (Anis & Lloyd's own `w > 340` switch to the limit `1/sqrt(w pi/2)` is not used: that limit is
//! low by the factor `1 + 3/(4w) + O(w^-2)`, a 0.22% jump at `w = 341`). With the divisor-`w`
//! `S` above this is exact (checked by simulation in `tests/hurst_estimators.rs`); Peters' (1994)
//! extra factor `(w - 1/2)/w` does not match it, so it is not applied. The corrected estimator
//! (Weron 2002, Physica A 312, 285) is `H = 1/2 + slope of ln(R/S)_w - ln E[R/S]_w on ln w`:
//! white noise is unbiased at every `w`.

use super::common::{prepare, scales_for, HurstEstimate, InputKind, Method, ScalingData, SeKind};
use crate::error::Result;
use crate::stats::linear_fit;
use statrs::function::gamma::ln_gamma;

/// Options of [`rescaled_range`].
#[derive(Debug, Clone, PartialEq)]
pub struct RsOptions {
    /// Smallest window. Default 16.
    pub min_window: usize,
    /// Largest window, default `n / 4`.
    pub max_window: Option<usize>,
    /// Number of log-spaced windows. Default 20.
    pub windows: usize,
    /// Input kind. Default noise.
    pub kind: InputKind,
}

impl Default for RsOptions {
    fn default() -> Self {
        RsOptions { min_window: 16, max_window: None, windows: 20, kind: InputKind::Noise }
    }
}

/// Anis–Lloyd `E[R/S]_w` for i.i.d. Gaussian data (module docs); `w >= 2`. The Gamma ratio
/// `Gamma((w-1)/2) / Gamma(w/2)` is exact (via `ln_gamma`, relative error ~1e-14) at every `w`.
pub fn anis_lloyd(w: usize) -> f64 {
    let wf = w as f64;
    let ratio = (ln_gamma((wf - 1.0) / 2.0) - ln_gamma(wf / 2.0)).exp() / std::f64::consts::PI.sqrt();
    ratio * (1..w).map(|i| ((wf - i as f64) / i as f64).sqrt()).sum::<f64>()
}

/// Average `R/S` over the non-overlapping windows of length `w` (module docs). Windows with
/// `S = 0` are skipped; `None` if all are.
pub fn rs_statistic(x: &[f64], w: usize) -> Option<f64> {
    let (mut sum, mut cnt) = (0.0, 0usize);
    for win in x.chunks_exact(w) {
        let m = win.iter().sum::<f64>() / w as f64;
        let (mut z, mut lo, mut hi, mut ss) = (0.0f64, 0.0f64, 0.0f64, 0.0);
        for &v in win {
            let d = v - m;
            z += d;
            lo = lo.min(z);
            hi = hi.max(z);
            ss += d * d;
        }
        let s = (ss / w as f64).sqrt();
        if s > 0.0 {
            sum += (hi - lo) / s;
            cnt += 1;
        }
    }
    (cnt > 0).then(|| sum / cnt as f64)
}

/// Anis–Lloyd corrected R/S Hurst estimate (module docs). `se` is the OLS slope SE (it
/// understates the spread; see [`HurstEstimate::bootstrapped`]). Scaling
/// data: windows `w` and `(R/S)_w`; `fit` is the line `ln((R/S)_w / E[R/S]_w) = c + (H - 1/2) ln w`,
/// and `fit_y = E[R/S]_w exp(c) w^(H - 1/2)`.
///
/// Errors: non-finite, constant or too short input (default windows 16..n/4), a window where
/// every `S = 0`.
pub fn rescaled_range(x: &[f64], opts: &RsOptions) -> Result<HurstEstimate> {
    let (noise, warnings) = prepare(x, opts.kind, 4 * (opts.min_window + 1))?;
    let n = noise.len();
    let ws = scales_for(n, opts.min_window.max(4), opts.max_window, opts.windows, "R/S")?;
    let mut rs = Vec::with_capacity(ws.len());
    for &w in &ws {
        rs.push(
            rs_statistic(&noise, w)
                .ok_or_else(|| crate::Error::InvalidInput(format!("R/S: every window of length {w} is constant")))?,
        );
    }
    let lx: Vec<f64> = ws.iter().map(|&w| (w as f64).ln()).collect();
    let ly: Vec<f64> = ws.iter().zip(&rs).map(|(&w, r)| r.ln() - anis_lloyd(w).ln()).collect();
    let fit = linear_fit(&lx, &ly)?;
    let fit_y = ws.iter().zip(&lx).map(|(&w, l)| anis_lloyd(w) * (fit.intercept + fit.slope * l).exp()).collect();
    Ok(HurstEstimate::new(
        Method::RescaledRange,
        0.5 + fit.slope,
        fit.slope_se,
        SeKind::Regression,
        Some(fit),
        ScalingData { x_name: "window w", y_name: "R/S", x: ws.iter().map(|&w| w as f64).collect(), y: rs, fit_y },
        n,
        warnings,
    ))
}
