//! One-sample Kolmogorov–Smirnov test against a continuous CDF.

use crate::error::{check_all_finite, Error, Result};

/// Outcome of a one-sample KS test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KsResult {
    /// `D_n = sup_x |F_n(x) - F(x)|`.
    pub statistic: f64,
    /// p-value `P(D_n >= d)` under the null hypothesis.
    pub p_value: f64,
    /// Sample size.
    pub n: usize,
}

/// Kolmogorov survival function `Q(l) = 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 l^2)`
/// (Kolmogorov 1933), `Q(l) = P(K > l)` for the limit law of `sqrt(n) D_n`. For small `l` the
/// dual series `1 - sqrt(2 pi)/l sum_j exp(-(2j-1)^2 pi^2 / (8 l^2))` is used.
pub fn kolmogorov_sf(l: f64) -> f64 {
    if l <= 0.0 {
        return 1.0;
    }
    if l < 1.0 {
        let c = -std::f64::consts::PI.powi(2) / (8.0 * l * l);
        let s: f64 = (1..=6).map(|j| ((2 * j - 1) as f64).powi(2)).map(|m| (c * m).exp()).sum();
        return (1.0 - (2.0 * std::f64::consts::PI).sqrt() / l * s).clamp(0.0, 1.0);
    }
    let mut s = 0.0;
    for j in 1..=100 {
        let t = (-2.0 * (j * j) as f64 * l * l).exp();
        s += if j % 2 == 1 { t } else { -t };
        if t < 1e-300 {
            break;
        }
    }
    (2.0 * s).clamp(0.0, 1.0)
}

/// One-sample KS test of `data` against the continuous CDF `cdf`.
///
/// The p-value uses the asymptotic law with Stephens' small-sample correction,
/// `p = Q((sqrt n + 0.12 + 0.11 / sqrt n) D_n)` (Stephens 1970; Press et al., Numerical Recipes,
/// 3rd ed., eq. 14.3.18), accurate to a few percent for `n >= 5`, which is ample for a reject
/// threshold of `p < 1e-6`.
pub fn ks_test<F: Fn(f64) -> f64>(data: &[f64], cdf: F) -> Result<KsResult> {
    if data.is_empty() {
        return Err(Error::InvalidInput("KS test needs at least one observation".into()));
    }
    check_all_finite("data", data)?;
    let mut x = data.to_vec();
    x.sort_by(f64::total_cmp);
    let n = x.len() as f64;
    let mut d: f64 = 0.0;
    for (i, &v) in x.iter().enumerate() {
        let f = cdf(v);
        d = d.max(f - i as f64 / n).max((i + 1) as f64 / n - f);
    }
    let sn = n.sqrt();
    Ok(KsResult { statistic: d, p_value: kolmogorov_sf((sn + 0.12 + 0.11 / sn) * d), n: x.len() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kolmogorov_known_values() {
        // Q(1.3581) = 0.05, Q(1.6276) = 0.01 (standard table of the Kolmogorov distribution).
        assert!((kolmogorov_sf(1.3581) - 0.05).abs() < 2e-4);
        assert!((kolmogorov_sf(1.6276) - 0.01).abs() < 1e-4);
        // Both series agree at the switch point.
        assert!((kolmogorov_sf(0.999_999) - kolmogorov_sf(1.000_001)).abs() < 1e-5);
        assert!((kolmogorov_sf(0.5) - 0.963_945).abs() < 1e-5);
    }

    #[test]
    fn uniform_grid_passes_shifted_grid_fails() {
        let n = 1000;
        let u: Vec<f64> = (0..n).map(|i| (i as f64 + 0.5) / n as f64).collect();
        let r = ks_test(&u, |x| x.clamp(0.0, 1.0)).unwrap();
        assert!(r.p_value > 0.99, "{r:?}");
        let v: Vec<f64> = u.iter().map(|x| x * 0.9).collect();
        let r = ks_test(&v, |x| x.clamp(0.0, 1.0)).unwrap();
        assert!(r.p_value < 1e-6, "{r:?}");
        assert!(ks_test(&[], |x| x).is_err());
    }
}
