//! Sample autocovariances.

/// Autocovariance with known mean zero: `c(k) = (n - k)^-1 sum_{i < n-k} x_i x_{i+k}` for
/// `k = 0..=max_lag` (lags `>= n` are omitted).
///
/// For a zero-mean stationary series this estimator is unbiased, `E c(k) = gamma(k)`; its
/// variance for a Gaussian series follows from Isserlis' theorem (see the validation catalogue,
/// section 1 T3). Use it, not the mean-corrected version, to test generators exactly.
pub fn autocovariance_known_mean(x: &[f64], max_lag: usize) -> Vec<f64> {
    let n = x.len();
    (0..=max_lag.min(n.saturating_sub(1)))
        .map(|k| {
            let s: f64 = x[..n - k].iter().zip(&x[k..]).map(|(a, b)| a * b).sum();
            s / (n - k) as f64
        })
        .collect()
}

/// Mean-corrected, biased autocovariance `c(k) = n^-1 sum_{i < n-k} (x_i - xbar)(x_{i+k} - xbar)`,
/// the standard estimator (non-negative definite; Brockwell & Davis 1991, eq. 7.2.1).
pub fn autocovariance(x: &[f64], max_lag: usize) -> Vec<f64> {
    let n = x.len();
    if n == 0 {
        return Vec::new();
    }
    let m = x.iter().sum::<f64>() / n as f64;
    let d: Vec<f64> = x.iter().map(|v| v - m).collect();
    (0..=max_lag.min(n - 1))
        .map(|k| d[..n - k].iter().zip(&d[k..]).map(|(a, b)| a * b).sum::<f64>() / n as f64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_example() {
        let x = [1.0, -1.0, 1.0, -1.0];
        let c = autocovariance_known_mean(&x, 5);
        assert_eq!(c, vec![1.0, -1.0, 1.0, -1.0]);
        let c = autocovariance(&x, 1);
        assert_eq!(c, vec![1.0, -0.75]);
    }
}
