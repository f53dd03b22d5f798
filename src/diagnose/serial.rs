//! Serial dependence: sample autocorrelations with Bartlett bands, the Ljung–Box test, Hurst
//! estimates (Whittle MLE with its Fisher SE, DFA-1 with a parametric-bootstrap SE) and the
//! whitening of a series by a fitted fGn (to check that fGn explains the dependence).

use super::gof::TestResult;
use crate::error::{check_all_finite, check_size, Error, Result};
use crate::hurst::{dfa, whittle, DfaOptions, Estimator, HurstEstimate, InputKind};
use crate::noise::fgn_autocovariance;
use crate::stats::autocovariance;
use crate::Seed;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// One lag of the sample autocorrelation function.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AcfLag {
    /// The lag `k >= 1`.
    pub lag: usize,
    /// `r_k = c_k / c_0` (mean removed, divisor `n`).
    pub r: f64,
    /// SE of `r_k` under i.i.d. noise, `1 / sqrt(n)`.
    pub se_white: f64,
    /// Bartlett's SE under an MA(k-1) null, `sqrt((1 + 2 sum_{j<k} r_j^2) / n)` (Bartlett 1946;
    /// Box & Jenkins 1976, eq. (6.2.2)): the usual growing band of ACF plots.
    pub se_bartlett: f64,
}

/// Sample autocorrelations at lags `1..=max_lag` with their SEs. Errors: bad input, `n < 4`,
/// `max_lag` not in `1..n`, a constant series.
pub fn acf(x: &[f64], max_lag: usize) -> Result<Vec<AcfLag>> {
    check_all_finite("series", x)?;
    check_size("series length", x.len(), 4, "at least 4")?;
    if max_lag == 0 || max_lag >= x.len() {
        return Err(Error::InvalidSize { name: "max_lag", value: max_lag, allowed: crate::error::Allowed("in 1..n") });
    }
    let c = autocovariance(x, max_lag);
    if c[0].is_nan() || c[0] <= 0.0 {
        return Err(Error::InvalidInput("the series is constant: no autocorrelation".into()));
    }
    let n = x.len() as f64;
    let mut sum_r2 = 0.0;
    let mut out = Vec::with_capacity(max_lag);
    for k in 1..=max_lag {
        let r = c[k] / c[0];
        out.push(AcfLag { lag: k, r, se_white: 1.0 / n.sqrt(), se_bartlett: ((1.0 + 2.0 * sum_r2) / n).sqrt() });
        sum_r2 += r * r;
    }
    Ok(out)
}

/// Ljung–Box portmanteau test (Ljung & Box 1978, Biometrika 65:297):
/// `Q = n (n + 2) sum_{k=1}^{h} r_k^2 / (n - k)`, p-value from `chi^2` with `h - fitted` degrees
/// of freedom (`fitted` = parameters estimated before, 0 for raw data). Errors: as [`acf`],
/// `fitted >= lags`.
pub fn ljung_box(x: &[f64], lags: usize, fitted: usize) -> Result<TestResult> {
    if fitted >= lags {
        return Err(Error::InvalidSize {
            name: "lags",
            value: lags,
            allowed: crate::error::Allowed("> fitted parameters"),
        });
    }
    let r = acf(x, lags)?;
    let n = x.len() as f64;
    let q = n * (n + 2.0) * r.iter().map(|a| a.r * a.r / (n - a.lag as f64)).sum::<f64>();
    let chi = ChiSquared::new((lags - fitted) as f64).map_err(|e| Error::InvalidInput(e.to_string()))?;
    Ok(TestResult { statistic: q, p_value: chi.sf(q) })
}

/// Innovations of `x` (mean removed) under fGn(`hurst`): the one-step prediction errors of the
/// Durbin–Levinson recursion (Brockwell & Davis 1991, *Time Series: Theory and Methods*, §5.2),
/// with the predictor truncated at order `max_order` (an AR(`max_order`) approximation of fGn
/// beyond it), each divided by its prediction SD, so that they are i.i.d. `N(0, sigma^2)` when `x`
/// is fGn. Cost `O(n max_order)`. Errors: `hurst` outside (0, 1), bad input.
pub fn fgn_innovations(x: &[f64], hurst: f64, max_order: usize) -> Result<Vec<f64>> {
    check_all_finite("series", x)?;
    crate::error::check_open("hurst", hurst, 0.0, 1.0, "in (0, 1)")?;
    let n = x.len();
    let p = max_order.min(n.saturating_sub(1));
    let mean = x.iter().sum::<f64>() / n as f64;
    let gamma: Vec<f64> = (0..=p).map(|k| fgn_autocovariance(hurst, k)).collect();
    // phi[j] for the current order; v = prediction variance.
    let mut phi: Vec<f64> = Vec::with_capacity(p);
    let mut v = gamma[0];
    let mut out = Vec::with_capacity(n);
    for t in 0..n {
        let order = phi.len();
        let pred: f64 = (0..order).map(|j| phi[j] * (x[t - 1 - j] - mean)).sum();
        out.push((x[t] - mean - pred) / v.sqrt());
        if order < p && t + 1 < n {
            // Extend the recursion to order + 1.
            let m = order + 1;
            let num = gamma[m] - (0..order).map(|j| phi[j] * gamma[m - 1 - j]).sum::<f64>();
            let a = num / v;
            let old = phi.clone();
            for j in 0..order {
                phi[j] = old[j] - a * old[order - 1 - j];
            }
            phi.push(a);
            v *= 1.0 - a * a;
        }
    }
    Ok(out)
}

/// Hurst evidence for the verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct HurstEvidence {
    /// Whittle MLE for fGn (Fisher-information SE): the estimate the verdict uses.
    pub whittle: HurstEstimate,
    /// DFA-1 with a parametric-bootstrap SE (`replicates` fGn series at the fitted `H`), or its
    /// regression SE when `replicates = 0`.
    pub dfa: HurstEstimate,
    /// Test of `H = 1/2` from the Whittle estimate: two-sided normal p-value of
    /// `z = (H - 1/2) / se`.
    pub white: TestResult,
}

/// Hurst estimates and the test of `H = 1/2`. Errors: as [`whittle`] and [`dfa`] (e.g. fewer than
/// 64 samples).
pub fn hurst_evidence(x: &[f64], replicates: usize, seed: Seed) -> Result<HurstEvidence> {
    let w = whittle(x, InputKind::Noise)?;
    let opts = DfaOptions::default();
    let d =
        if replicates > 0 { Estimator::Dfa(opts).estimate_bootstrapped(x, replicates, seed)? } else { dfa(x, &opts)? };
    let z = (w.hurst - 0.5) / w.se;
    let p = 2.0 * crate::stats::normal_sf(z.abs());
    Ok(HurstEvidence { whittle: w, dfa: d, white: TestResult { statistic: z, p_value: p } })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::FgnGenerator;

    fn fgn(n: usize, h: f64, seed: u64) -> Vec<f64> {
        let g = FgnGenerator::new(n, h, 1.3).unwrap();
        let mut x = vec![0.0; n];
        g.fill_path(Seed::new(seed), 0, &mut g.scratch(), &mut x).unwrap();
        x
    }

    /// Ljung–Box on white noise holds its level (400 series, rate SE 0.011, 5 SEs) and rejects
    /// fGn(0.7); the fGn innovations pass it.
    #[test]
    fn ljung_box_level_and_fgn_whitening() {
        let reps = 400;
        let mut rej = 0;
        let mut rej_w = 0;
        for r in 0..reps {
            let x = fgn(512, 0.5, 500 + r);
            rej += usize::from(ljung_box(&x, 10, 0).unwrap().p_value < 0.05);
            let y = fgn(512, 0.7, 900 + r);
            let e = fgn_innovations(&y, 0.7, 100).unwrap();
            rej_w += usize::from(ljung_box(&e, 10, 0).unwrap().p_value < 0.05);
        }
        let se = (0.05f64 * 0.95 / reps as f64).sqrt();
        let (a, b) = (rej as f64 / reps as f64, rej_w as f64 / reps as f64);
        assert!((a - 0.05).abs() < 5.0 * se, "white rate {a}");
        assert!((b - 0.05).abs() < 5.0 * se, "whitened fGn rate {b}");
        let y = fgn(4096, 0.7, 1);
        assert!(ljung_box(&y, 10, 0).unwrap().p_value < 1e-6);
    }

    /// Innovations of exact fGn have unit variance (times sigma^2 = 1.69): n = 20000, SE of the
    /// sample variance ~ 1.69 sqrt(2/n).
    #[test]
    fn innovations_have_sigma_squared_variance() {
        let y = fgn(20_000, 0.3, 3);
        let e = fgn_innovations(&y, 0.3, 200).unwrap();
        let m = crate::stats::Moments::from_slice(&e[200..]);
        let se = 1.69 * (2.0 / e.len() as f64).sqrt();
        assert!(((m.variance() - 1.69) / se).abs() < 5.5, "{}", m.variance());
    }

    #[test]
    fn acf_bands() {
        let a = acf(&[1.0, 2.0, 1.0, 2.0, 1.0, 2.0], 2).unwrap();
        assert!((a[0].r + 5.0 / 6.0).abs() < 1e-12, "{}", a[0].r);
        assert!(a[1].se_bartlett > a[0].se_bartlett);
        assert!(acf(&[1.0; 10], 2).is_err());
        assert!(acf(&[1.0, 2.0, 3.0, 4.0], 4).is_err());
    }
}
