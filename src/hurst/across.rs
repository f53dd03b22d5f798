//! One estimator's `H` summarised over many series (the rows of a file): the mean with its
//! standard error, and a check that the per-series standard errors are honest.
//!
//! For `R` series with estimates `H_r` and standard errors `se_r`:
//!
//! * `mean = (1/R) sum_r H_r` with `SE(mean) = s / sqrt(R)`, `s^2 = (1/(R-1)) sum_r (H_r - mean)^2`
//!   (sample variance; valid when the series are independent), and the normal 95% interval.
//! * `s` is the spread of the estimator seen across the series; `mean_se = (1/R) sum_r se_r` is
//!   the spread it claims for each one. For independent series with one true `H`, both estimate
//!   the same sampling SD, so `s / mean_se ~ 1` when the per-series SEs are honest (OLS slope SEs
//!   of DFA, R/S, aggregated variance give 3-4). A ratio above 1 beyond the noise also appears
//!   when the series have different true `H`; below 1 when they are correlated (overlapping
//!   windows of one record).
//! * Noise of the ratio: for normal `H_r`, `Var(s^2) = 2 sigma^4 / (R - 1)` (the chi-square law
//!   of `(R-1) s^2 / sigma^2`), so by the delta method `SE(s) / sigma ~ 1 / sqrt(2 (R - 1))`
//!   ([`AcrossSeries::sd_rel_se`]); `mean_se` varies much less when the SE depends only on `n`
//!   and `H^` (asymptotic and bootstrap SEs), so the ratio has about the same relative SE.

use crate::error::{check_all_finite, check_len, check_size, Allowed, Error, Result};
use crate::stats::{Estimate, Moments};

/// Summary of one estimator's `H` over `R >= 2` series (module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AcrossSeries {
    /// Number of series `R`.
    pub count: usize,
    /// Mean of `H` over the series with SE `sd / sqrt(R)` and the normal 95% interval.
    pub mean: Estimate,
    /// Sample standard deviation of `H` across the series (divisor `R - 1`).
    pub sd: f64,
    /// Mean of the per-series standard errors.
    pub mean_se: f64,
    /// `sd / mean_se`: about 1 when the per-series SEs are honest (module docs); `+inf` when
    /// every per-series SE is 0.
    pub sd_over_mean_se: f64,
    /// Smallest `H`.
    pub min: f64,
    /// Largest `H`.
    pub max: f64,
}

impl AcrossSeries {
    /// Relative standard error of [`sd`](Self::sd) (and about that of
    /// [`sd_over_mean_se`](Self::sd_over_mean_se)) for normal estimates: `1 / sqrt(2 (R - 1))`.
    pub fn sd_rel_se(&self) -> f64 {
        1.0 / (2.0 * (self.count as f64 - 1.0)).sqrt()
    }
}

/// Summarises the estimates `hurst[r]` with standard errors `se[r]` of `R` series (module docs).
///
/// Errors: fewer than 2 series ([`Error::InvalidSize`] `series`), `se` not as long as `hurst`
/// ([`Error::LengthMismatch`]), a non-finite `H` or SE ([`Error::NonFiniteInput`]), a negative SE
/// ([`Error::InvalidParameter`]).
pub fn across_series(hurst: &[f64], se: &[f64]) -> Result<AcrossSeries> {
    let r = check_size("series", hurst.len(), 2, "at least 2")?;
    check_len("se", se.len(), r)?;
    check_all_finite("hurst", hurst)?;
    check_all_finite("se", se)?;
    if let Some(&bad) = se.iter().find(|&&s| s < 0.0) {
        return Err(Error::InvalidParameter { name: "se", value: bad, allowed: Allowed(">= 0") });
    }
    let m = Moments::from_slice(hurst);
    let sd = m.std_dev();
    let mean_se = se.iter().sum::<f64>() / r as f64;
    Ok(AcrossSeries {
        count: r,
        mean: Estimate::normal(m.mean(), m.mean_se(), 0.95),
        sd,
        mean_se,
        sd_over_mean_se: if mean_se > 0.0 { sd / mean_se } else { f64::INFINITY },
        min: hurst.iter().copied().fold(f64::INFINITY, f64::min),
        max: hurst.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed() {
        // H = 0.6, 0.7, 0.8, 0.9: mean 0.75, s^2 = (0.0225 + 0.0025 + 0.0025 + 0.0225) / 3.
        let s = across_series(&[0.6, 0.7, 0.8, 0.9], &[0.1, 0.1, 0.2, 0.2]).unwrap();
        let sd = (0.05f64 / 3.0).sqrt();
        assert!((s.mean.value - 0.75).abs() < 1e-15);
        assert!((s.sd - sd).abs() < 1e-15);
        assert!((s.mean.se - sd / 2.0).abs() < 1e-15);
        assert!((s.mean_se - 0.15).abs() < 1e-15);
        assert!((s.sd_over_mean_se - sd / 0.15).abs() < 1e-14);
        assert_eq!((s.min, s.max, s.count), (0.6, 0.9, 4));
        assert!((s.sd_rel_se() - 1.0 / 6f64.sqrt()).abs() < 1e-15);
        assert!(s.mean.ci.lo < 0.75 && s.mean.ci.hi > 0.75);
    }

    #[test]
    fn bad_input() {
        assert!(across_series(&[0.5], &[0.1]).is_err());
        assert!(across_series(&[0.5, 0.6], &[0.1]).is_err());
        assert!(across_series(&[0.5, f64::NAN], &[0.1, 0.1]).is_err());
        assert!(across_series(&[0.5, 0.6], &[0.1, f64::INFINITY]).is_err());
        assert!(across_series(&[0.5, 0.6], &[0.1, -0.1]).is_err());
        assert_eq!(across_series(&[0.5, 0.6], &[0.0, 0.0]).unwrap().sd_over_mean_se, f64::INFINITY);
    }
}
