//! Fractional Brownian motion persistence (Molchan 1999) and the exact `H = 1/2` survival.

use super::check_time;
use crate::error::{check_open, check_positive, Result};

/// Molchan's persistence exponent `theta = 1 - H` of fractional Brownian motion:
/// `P(sup_[0,t] sigma B^H < a) = t^(-(1 - H) + o(1))` as `t -> inf`, for every `a > 0`,
/// `sigma > 0` (Molchan 1999, Comm. Math. Phys. 205, 97, Thm 1).
///
/// Only the exponent is exact: the `o(1)` hides slowly varying factors (Molchan bounds them by
/// `exp(+-c sqrt(ln t))`) and no prefactor is known except at `H = 1/2`
/// ([`bm_max_survival`]); a fitted log-log slope converges slowly. The mean hitting time is
/// infinite for every `H` (the survival decays slower than `1/t`).
pub fn persistence_exponent(hurst: f64) -> Result<f64> {
    check_open("hurst", hurst, 0.0, 1.0, "in (0, 1)")?;
    Ok(1.0 - hurst)
}

/// `P(sup_[0,t] sigma W < level) = erf(level / (sigma sqrt(2t)))` for Brownian motion (`H = 1/2`)
/// by the reflection principle (Karatzas & Shreve 1991, eq. 2.6.2), `level > 0`; accurate for
/// large `t` (where it is small, `~ level sqrt(2/(pi t))/sigma`, exponent `1/2` as in
/// [`persistence_exponent`]). 1 at `t = 0`, 0 at `t = inf`.
pub fn bm_max_survival(level: f64, sigma: f64, t: f64) -> Result<f64> {
    check_positive("level", level)?;
    check_positive("sigma", sigma)?;
    check_time(t)?;
    if t == 0.0 {
        return Ok(1.0);
    }
    Ok(libm::erf(level / (sigma * (2.0 * t).sqrt())))
}

/// `P(sup_[0,t] sigma W >= level) = erfc(level / (sigma sqrt(2t)))`, the complement of
/// [`bm_max_survival`], accurate for small `t` (where it is small).
pub fn bm_max_cdf(level: f64, sigma: f64, t: f64) -> Result<f64> {
    check_positive("level", level)?;
    check_positive("sigma", sigma)?;
    check_time(t)?;
    if t == 0.0 {
        return Ok(0.0);
    }
    Ok(libm::erfc(level / (sigma * (2.0 * t).sqrt())))
}

#[cfg(test)]
mod tests {
    use super::super::DriftedBmLevel;
    use super::*;

    /// The `H = 1/2` survival equals the driftless inverse Gaussian survival, and its log-log
    /// slope tends to `-persistence_exponent(1/2) = -1/2`.
    #[test]
    fn brownian_survival_and_its_exponent() {
        let ig = DriftedBmLevel::new(1.3, 0.0, 0.7).unwrap();
        for t in [0.01, 0.1, 1.0, 1e3, 1e9] {
            let (s, c) = (bm_max_survival(1.3, 0.7, t).unwrap(), bm_max_cdf(1.3, 0.7, t).unwrap());
            assert!((s / ig.sf(t).unwrap() - 1.0).abs() < 1e-14, "t {t}");
            assert!((c / ig.cdf(t).unwrap() - 1.0).abs() < 1e-14, "t {t}");
        }
        let slope =
            (bm_max_survival(1.0, 1.0, 1e12).unwrap() / bm_max_survival(1.0, 1.0, 1e10).unwrap()).ln() / 100f64.ln();
        assert!((slope + persistence_exponent(0.5).unwrap()).abs() < 1e-9, "slope {slope}");
        assert_eq!(bm_max_survival(1.0, 1.0, 0.0).unwrap(), 1.0);
        assert_eq!(bm_max_survival(1.0, 1.0, f64::INFINITY).unwrap(), 0.0);
        assert!(bm_max_cdf(1.0, 1.0, 2e-3).unwrap() > 0.0);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(persistence_exponent(0.0).is_err());
        assert!(persistence_exponent(1.0).is_err());
        assert!(persistence_exponent(f64::NAN).is_err());
        assert_eq!(persistence_exponent(0.7).unwrap(), 1.0 - 0.7);
        assert!(bm_max_survival(0.0, 1.0, 1.0).is_err());
        assert!(bm_max_survival(1.0, -1.0, 1.0).is_err());
        assert!(bm_max_survival(1.0, 1.0, -1.0).is_err());
        assert!(bm_max_cdf(1.0, 1.0, f64::NAN).is_err());
    }
}
