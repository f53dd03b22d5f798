//! Hosking's exact method (Hosking 1984, "Modeling persistence in hydrological time series using
//! fractional differencing", Water Resour. Res. 20(12)): sequential sampling from the conditional
//! laws `X_t | X_0..X_{t-1}`, with the Durbin–Levinson recursion (Brockwell & Davis 1991, Prop.
//! 5.2.1):
//!
//! ```text
//! v_0 = gamma(0)
//! phi_tt = (gamma(t) - sum_{j=1}^{t-1} phi_{t-1,j} gamma(t-j)) / v_{t-1}
//! phi_tj = phi_{t-1,j} - phi_tt phi_{t-1,t-j}      (j = 1..t-1)
//! v_t = v_{t-1} (1 - phi_tt^2)
//! X_t = sum_{j=1}^t phi_tj X_{t-j} + sqrt(v_t) Z_t
//! ```
//!
//! `O(n^2)` per path, `O(n)` memory (the partial autocorrelations `phi_tt` and innovation
//! variances `v_t` are stored; the `phi_t.` row is rebuilt per path).

use crate::error::{check_all_finite, check_len, check_size, Error, Result};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// Exact Gaussian sampler from any positive-definite autocovariance (Hosking / Durbin–Levinson).
#[derive(Debug, Clone)]
pub struct HoskingGenerator {
    /// Partial autocorrelations `phi_tt`, `t = 1..n-1` (index t; entry 0 unused).
    pacf: Vec<f64>,
    /// `sqrt(v_t)`, `t = 0..n-1`.
    sd: Vec<f64>,
}

impl HoskingGenerator {
    /// From `acov = [gamma(0), ..., gamma(n-1)]` (length `n >= 1`).
    ///
    /// Errors: empty or non-finite input; [`Error::NotPositiveDefinite`] when an innovation
    /// variance `v_t` is not strictly positive.
    pub fn new(acov: &[f64]) -> Result<Self> {
        check_size("acov.len()", acov.len(), 1, ">= 1")?;
        check_all_finite("acov", acov)?;
        let n = acov.len();
        let mut pacf = vec![0.0; n];
        let mut sd = vec![0.0; n];
        let mut v = acov[0];
        let fail = |t: usize, v: f64| {
            Err(Error::NotPositiveDefinite(format!(
                "Durbin-Levinson innovation variance v_{t} = {v:e} of a Toeplitz covariance of size {n} (must be > 0)"
            )))
        };
        if v.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return fail(0, v);
        }
        sd[0] = v.sqrt();
        let mut phi = vec![0.0; n];
        let mut prev = vec![0.0; n];
        for t in 1..n {
            let s: f64 = (1..t).map(|j| phi[j] * acov[t - j]).sum();
            let k = (acov[t] - s) / v;
            prev[1..t].copy_from_slice(&phi[1..t]);
            for j in 1..t {
                phi[j] = prev[j] - k * prev[t - j];
            }
            phi[t] = k;
            v *= 1.0 - k * k;
            if v.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || !v.is_finite() {
                return fail(t, v);
            }
            pacf[t] = k;
            sd[t] = v.sqrt();
        }
        Ok(HoskingGenerator { pacf, sd })
    }

    /// Path length `n`.
    pub fn len(&self) -> usize {
        self.sd.len()
    }

    /// Always false (`n >= 1`).
    pub fn is_empty(&self) -> bool {
        self.sd.is_empty()
    }

    /// One path, drawing `Z_0, ..., Z_{n-1}` from `rng` in order. `out.len() == n`.
    pub fn fill<R: Rng + ?Sized>(&self, rng: &mut R, out: &mut [f64]) -> Result<()> {
        let n = self.len();
        check_len("out", out.len(), n)?;
        let mut phi = vec![0.0; n];
        let mut prev = vec![0.0; n];
        let z: f64 = StandardNormal.sample(rng);
        out[0] = self.sd[0] * z;
        for t in 1..n {
            let k = self.pacf[t];
            prev[1..t].copy_from_slice(&phi[1..t]);
            for j in 1..t {
                phi[j] = prev[j] - k * prev[t - j];
            }
            phi[t] = k;
            let mean: f64 = (1..=t).map(|j| phi[j] * out[t - j]).sum();
            let z: f64 = StandardNormal.sample(rng);
            out[t] = mean + self.sd[t] * z;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AR(1) with coefficient r: gamma(k) = r^k / (1 - r^2); PACF r then 0, v_t = 1 for t >= 1.
    #[test]
    fn ar1_recursion() {
        let r: f64 = 0.6;
        let acov: Vec<f64> = (0..6).map(|k| r.powi(k) / (1.0 - r * r)).collect();
        let h = HoskingGenerator::new(&acov).unwrap();
        assert!((h.pacf[1] - r).abs() < 1e-12);
        for t in 2..6 {
            assert!(h.pacf[t].abs() < 1e-12);
        }
        for t in 1..6 {
            assert!((h.sd[t] - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn not_positive_definite() {
        assert!(matches!(HoskingGenerator::new(&[1.0, 0.9, -0.9]), Err(Error::NotPositiveDefinite(_))));
        assert!(matches!(HoskingGenerator::new(&[0.0]), Err(Error::NotPositiveDefinite(_))));
        assert!(HoskingGenerator::new(&[]).is_err());
    }
}
