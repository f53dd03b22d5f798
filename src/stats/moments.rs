//! Running mean and variance (Welford), mergeable across threads (Chan, Golub & LeVeque 1979).

/// Running count, mean and sum of squared deviations of a sample.
///
/// `mean` and `variance` follow Welford (1962); [`Moments::merge`] combines two samples by the
/// pairwise formula of Chan, Golub & LeVeque (1979): with `d = mean_b - mean_a`,
/// `M2 = M2_a + M2_b + d^2 n_a n_b / n`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Moments {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moments of a slice.
    pub fn from_slice(x: &[f64]) -> Self {
        let mut m = Self::new();
        x.iter().for_each(|&v| m.push(v));
        m
    }

    /// Adds one observation.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// Combines with another accumulator.
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let n = self.n + other.n;
        let d = other.mean - self.mean;
        let (na, nb) = (self.n as f64, other.n as f64);
        self.mean += d * nb / n as f64;
        self.m2 += other.m2 + d * d * na * nb / n as f64;
        self.n = n;
    }

    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Sample mean (NaN when empty).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.mean
        }
    }

    /// Unbiased sample variance `M2 / (n - 1)` (NaN for fewer than two observations).
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            f64::NAN
        } else {
            self.m2 / (self.n - 1) as f64
        }
    }

    /// Sample standard deviation.
    pub fn std_dev(&self) -> f64 {
        self.variance().sqrt()
    }

    /// Standard error of the mean, `s / sqrt(n)`, valid for independent observations.
    pub fn mean_se(&self) -> f64 {
        (self.variance() / self.n as f64).sqrt()
    }

    /// z-score of the mean against a target: `(mean - target) / se`.
    pub fn z(&self, target: f64) -> f64 {
        z_score(self.mean(), target, self.mean_se())
    }
}

/// `(estimate - target) / se`; infinite when `se == 0` and the estimate differs from the target,
/// zero when both agree exactly.
pub fn z_score(estimate: f64, target: f64, se: f64) -> f64 {
    let d = estimate - target;
    if d == 0.0 {
        0.0
    } else {
        d / se
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welford_matches_two_pass_and_merges() {
        let x: Vec<f64> = (0..1000).map(|i| ((i * 37 % 101) as f64).sin() * 1e3 + 1e6).collect();
        let m = Moments::from_slice(&x);
        let mean = x.iter().sum::<f64>() / x.len() as f64;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (x.len() - 1) as f64;
        assert!((m.mean() - mean).abs() / mean < 1e-14);
        assert!((m.variance() - var).abs() / var < 1e-10);
        let mut a = Moments::from_slice(&x[..300]);
        a.merge(&Moments::from_slice(&x[300..]));
        assert!((a.variance() - var).abs() / var < 1e-10);
        assert_eq!(a.count(), 1000);
        assert!(Moments::new().mean().is_nan());
        assert_eq!(z_score(1.0, 1.0, 0.0), 0.0);
    }
}
