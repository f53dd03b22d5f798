//! Shared statistics: moments with standard errors, z-scores, regression, the Kolmogorov–Smirnov
//! test and autocovariances. Every Monte Carlo check in the crate and in the validation suite
//! goes through these.

mod acov;
mod ks;
mod moments;
mod regression;

pub use acov::{autocovariance, autocovariance_known_mean};
pub use ks::{kolmogorov_sf, ks_test, KsResult};
pub use moments::{z_score, Moments};
pub use regression::{linear_fit, LinearFit};

/// Standard normal CDF, `Phi(x) = erfc(-x / sqrt 2) / 2` (accurate in both tails).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-x / std::f64::consts::SQRT_2)
}

/// Standard normal survival function `1 - Phi(x)`, accurate for large `x`.
pub fn normal_sf(x: f64) -> f64 {
    normal_cdf(-x)
}
