//! Mean exit time of a symmetric alpha-stable Lévy process from an interval (Getoor 1961).

use crate::error::{check_finite, check_open, check_positive, Allowed, Error, Result};

/// Mean exit time of `X_t = x + sigma L_t` from `(lower, upper)`, `L` the symmetric
/// alpha-stable Lévy process with `E e^(i u L_t) = e^(-t |u|^alpha)` (the increments of
/// [`crate::noise::Stable::standard`]`(alpha, 0)`, S1 with scale 1, over a unit time),
/// `alpha in (0, 2]`:
///
/// `E_x T = ((x - lower)(upper - x))^(alpha/2) / (Gamma(1 + alpha) sigma^alpha)`.
///
/// Getoor 1961 (Trans. Amer. Math. Soc. 101, 75, Thm 5.3): in `d` dimensions, for the ball of
/// radius `r`, `E_x T = Gamma(d/2) (r^2 - |x|^2)^(alpha/2) / (2^alpha Gamma(1 + alpha/2)
/// Gamma((d + alpha)/2))`. For `d = 1`, `Gamma(1/2) = sqrt(pi)` and Legendre's duplication
/// `Gamma(z) Gamma(z + 1/2) = 2^(1 - 2z) sqrt(pi) Gamma(2z)` at `z = (1 + alpha)/2` give
/// `Gamma((1 + alpha)/2) Gamma(1 + alpha/2) = 2^(-alpha) sqrt(pi) Gamma(1 + alpha)`, hence
/// `(r^2 - x^2)^(alpha/2) / Gamma(1 + alpha)`; with centre `c = (lower + upper)/2`,
/// `r^2 - (x - c)^2 = (x - lower)(upper - x)`, and the scale `sigma` divides time by
/// `sigma^alpha`. At `alpha = 2`, `L_t = sqrt(2) W_t` and the formula is `(x - lower)(upper -
/// x)/(2 sigma^2)`, the Brownian interval mean with variance `2 sigma^2 t` (test). A Monte
/// Carlo run (`validation/README.md` §5) gives 0.756 ± 0.005 at `alpha = 1.5`, `x = 0`, `r = 1`, `dt = 1e-4`
/// against `1/Gamma(2.5) = 0.7523`.
pub fn stable_mean_exit_time(alpha: f64, sigma: f64, lower: f64, upper: f64, x: f64) -> Result<f64> {
    if !(alpha > 0.0 && alpha <= 2.0) {
        return Err(Error::InvalidParameter { name: "alpha", value: alpha, allowed: Allowed("in (0, 2]") });
    }
    check_positive("sigma", sigma)?;
    check_finite("lower", lower)?;
    check_finite("upper", upper)?;
    if upper <= lower {
        return Err(Error::InvalidParameter { name: "upper", value: upper, allowed: Allowed("> lower") });
    }
    check_open("x", x, lower, upper, "strictly inside (lower, upper)")?;
    let q = (x - lower) * (upper - x);
    Ok(q.powf(0.5 * alpha) / (libm::tgamma(1.0 + alpha) * sigma.powf(alpha)))
}

#[cfg(test)]
mod tests {
    use super::super::BmInterval;
    use super::*;

    /// `alpha = 2` is Brownian motion with variance `2 sigma^2 t`; the d-dimensional form of
    /// Getoor's theorem at d = 1 (with statrs' Gamma) equals the reduced one.
    #[test]
    fn getoor_limits_and_reduction() {
        let (lower, upper, x, sigma) = (-0.4, 1.1, 0.2, 0.8);
        let g = stable_mean_exit_time(2.0, sigma, lower, upper, x).unwrap();
        let bm = BmInterval::new(lower, upper, x, 0.0, sigma * std::f64::consts::SQRT_2).unwrap().mean_exit_time();
        assert!((g / bm - 1.0).abs() < 1e-15, "{g} vs {bm}");
        use statrs::function::gamma::gamma;
        for alpha in [0.3, 1.0, 1.5, 1.9] {
            let (r, y) = (0.5 * (upper - lower), x - 0.5 * (lower + upper));
            let d1 = gamma(0.5) * (r * r - y * y).powf(alpha / 2.0)
                / (2f64.powf(alpha) * gamma(1.0 + alpha / 2.0) * gamma((1.0 + alpha) / 2.0))
                / sigma.powf(alpha);
            let got = stable_mean_exit_time(alpha, sigma, lower, upper, x).unwrap();
            assert!((got / d1 - 1.0).abs() < 1e-13, "alpha {alpha}: {got} vs {d1}");
        }
        // Cauchy (alpha = 1) from the centre of (-1, 1): 1/Gamma(2) = 1; alpha = 1.5: 0.7523.
        assert!((stable_mean_exit_time(1.0, 1.0, -1.0, 1.0, 0.0).unwrap() - 1.0).abs() < 1e-15);
        assert!((stable_mean_exit_time(1.5, 1.0, -1.0, 1.0, 0.0).unwrap() - 0.752_252_778_063_675).abs() < 1e-14);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(stable_mean_exit_time(0.0, 1.0, -1.0, 1.0, 0.0).is_err());
        assert!(stable_mean_exit_time(2.1, 1.0, -1.0, 1.0, 0.0).is_err());
        assert!(stable_mean_exit_time(f64::NAN, 1.0, -1.0, 1.0, 0.0).is_err());
        assert!(stable_mean_exit_time(1.5, 0.0, -1.0, 1.0, 0.0).is_err());
        assert!(stable_mean_exit_time(1.5, 1.0, 1.0, -1.0, 0.0).is_err());
        assert!(stable_mean_exit_time(1.5, 1.0, -1.0, 1.0, 1.0).is_err());
        assert!(stable_mean_exit_time(1.5, 1.0, -1.0, 1.0, f64::NAN).is_err());
    }
}
