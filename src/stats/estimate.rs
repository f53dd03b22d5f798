//! A point estimate with its standard error and confidence interval: the one result type that
//! estimators return (first-passage means, rates and quantiles; see also
//! [`crate::hurst::HurstEstimate`]).

use serde::{Deserialize, Serialize};

/// A confidence interval `[lo, hi]` at coverage `level` (e.g. 0.95).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower end (may be `-inf`).
    pub lo: f64,
    /// Upper end (may be `+inf`, e.g. a quantile whose upper confidence limit is not reached).
    pub hi: f64,
    /// Nominal coverage.
    pub level: f64,
}

impl Interval {
    /// Whether `x` lies in `[lo, hi]`.
    pub fn contains(&self, x: f64) -> bool {
        self.lo <= x && x <= self.hi
    }
}

/// A point estimate, its standard error (NaN where none is defined, e.g. a quantile) and a
/// confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The estimate.
    pub value: f64,
    /// Standard error (NaN when the interval is not built from one).
    pub se: f64,
    /// Confidence interval.
    pub ci: Interval,
}

impl Estimate {
    /// The normal (Wald) interval `value -+ z se` with `z = Phi^-1((1 + level) / 2)`.
    pub fn normal(value: f64, se: f64, level: f64) -> Self {
        let z = normal_quantile(0.5 + 0.5 * level);
        Estimate { value, se, ci: Interval { lo: value - z * se, hi: value + z * se, level } }
    }

    /// `(estimate - target) / se`.
    pub fn z(&self, target: f64) -> f64 {
        (self.value - target) / self.se
    }
}

/// Standard normal quantile `Phi^-1(p)` for `p` in (0, 1) (statrs' inverse CDF; NaN outside).
pub fn normal_quantile(p: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    if !(p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    Normal::new(0.0, 1.0).map(|n| n.inverse_cdf(p)).unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_interval() {
        let e = Estimate::normal(1.0, 0.1, 0.95);
        assert!((e.ci.hi - 1.0 - 0.1 * 1.959_963_984_540_054).abs() < 1e-9);
        assert!(e.ci.contains(1.1) && !e.ci.contains(1.2));
        assert!((e.z(0.8) - 2.0).abs() < 1e-12);
        assert!(normal_quantile(1.0).is_nan());
    }
}
