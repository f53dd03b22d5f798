//! Shared statistics: moments with standard errors, z-scores, regression, the Kolmogorov–Smirnov
//! test and autocovariances. Every Monte Carlo check in the crate and in the validation suite
//! goes through these.

mod acov;
mod estimate;
mod ks;
mod moments;
mod regression;

pub use acov::{autocovariance, autocovariance_known_mean};
pub use estimate::{normal_quantile, Estimate, Interval};
pub use ks::{kolmogorov_sf, ks_test, KsResult};
pub use moments::{z_score, Moments};
pub use regression::{linear_fit, LinearFit};

/// Standard normal CDF, `Phi(x) = erfc(-x / sqrt 2) / 2`, with `libm::erfc` (full relative
/// precision in both tails, down to `Phi(-37) ~ 6e-300`; statrs 0.18's erfc has about 1e-10
/// relative error).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Standard normal survival function `1 - Phi(x)`, accurate for large `x`.
pub fn normal_sf(x: f64) -> f64 {
    normal_cdf(-x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tail values (mpmath, 22 digits): full relative precision far out in both tails.
    #[test]
    #[allow(clippy::excessive_precision)] // reference digits kept verbatim
    fn normal_tails_are_relatively_accurate() {
        let refs = [
            (0.0, 0.5),
            (-1.0, 0.158_655_253_931_457_051_414_8),
            (-5.0, 2.866_515_718_791_939_116_738e-7),
            (-10.0, 7.619_853_024_160_526_065_973e-24),
            (-20.0, 2.753_624_118_606_233_695_076e-89),
            (-37.0, 5.725_571_222_524_576_822_683e-300),
        ];
        for (x, p) in refs {
            assert!((normal_cdf(x) / p - 1.0).abs() < 1e-13, "Phi({x}) = {:e} vs {p:e}", normal_cdf(x));
            assert!((normal_sf(-x) / p - 1.0).abs() < 1e-13, "sf({}) = {:e}", -x, normal_sf(-x));
        }
        assert!((normal_cdf(1.0) - 0.841_344_746_068_542_948_585_2).abs() < 1e-16);
    }
}
