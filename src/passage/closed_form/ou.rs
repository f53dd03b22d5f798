//! Ornstein–Uhlenbeck mean first-passage time (Siegert 1951).

use super::erfcx;
use super::special::gl16;
use crate::error::{check_finite, check_positive, Allowed, Error, Result};
use std::f64::consts::PI;

/// Mean first-passage time of the Ornstein–Uhlenbeck process
/// `dX = theta (m - X) dt + sigma dW` (same parameters as [`crate::sde::models::Ou`] with `mu = m`) from
/// `x` up to a level `b > x`, the lower end natural.
///
/// Siegert 1951 (Phys. Rev. 81, 617, eq. 28; in this form Ricciardi & Sato 1988, J. Appl.
/// Probab. 25, 43, eq. 3.9): with `u = sqrt(theta) (x - m) / sigma`,
/// `E_x T = (sqrt(pi) / theta) int_(u_0)^(u_b) erfcx(-u) du`, `erfcx(-u) = e^(u^2) (1 + erf u)`.
///
/// Check (derived): in [`super::mfpt_1d`]'s double integral `S'(y) = exp(theta (y - m)^2 /
/// sigma^2)`, `m(z) = (2/sigma^2) exp(-theta (z - m)^2 / sigma^2)`; the inner integral is
/// `(sqrt(pi) / (sigma sqrt(theta))) (1 + erf(u_y))` and `dy = sigma du / sqrt(theta)`, which gives
/// the formula. The tests compare it with `mfpt_1d` on the OU coefficients (1e-8 required; about
/// 1e-13 found) and with mpmath.
///
/// # Numerics
/// The integral is split at `u = 0`. Below 0 the integrand `erfcx(|u|) ~ 1/(|u| sqrt(pi))` is
/// integrated on geometrically growing panels (width `max(1/2, |u|/4)`); above 0 the integrand
/// `e^(u^2)(1 + erf u)` is scaled by `e^(-u_b^2)` (exponents combined) on panels over which
/// `e^(u^2)` changes by at most `e` (width `min(1/2, 1/(2u))`), starting at `u_b - 50/u_b` when
/// `u_b > 10` (the rest is below `e^(-100)` relative). 16-point Gauss–Legendre on each panel
/// gives machine precision. The result overflows to `+inf` only when the true mean exceeds
/// `f64::MAX` (`u_b >~ 26.5`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OuPassage {
    theta: f64,
    m: f64,
    sigma: f64,
}

impl OuPassage {
    /// Mean-reversion rate `theta > 0`, long-run mean `m`, noise `sigma > 0`.
    pub fn new(theta: f64, m: f64, sigma: f64) -> Result<Self> {
        check_positive("theta", theta)?;
        check_finite("m", m)?;
        check_positive("sigma", sigma)?;
        Ok(OuPassage { theta, m, sigma })
    }

    /// `E_x T` to the level `level > x` (Siegert's formula, see the type's docs). For a level
    /// below the start, use the mirror image: `OuPassage::new(theta, -m, sigma)` from `-x` to
    /// `-level`.
    pub fn mfpt(&self, x: f64, level: f64) -> Result<f64> {
        check_finite("x", x)?;
        check_finite("level", level)?;
        if level <= x {
            return Err(Error::InvalidParameter {
                name: "level",
                value: level,
                allowed: Allowed("> x (the level must lie above the start)"),
            });
        }
        let scale = self.theta.sqrt() / self.sigma;
        let (u0, ub) = (scale * (x - self.m), scale * (level - self.m));
        let shift = if ub > 0.0 { ub * ub } else { 0.0 };
        // u < 0: int erfcx(v) dv over v in [max(-ub, 0), -u0].
        let mut negative = 0.0;
        if u0 < 0.0 {
            let (mut v, v_hi) = ((-ub).max(0.0), -u0);
            while v < v_hi {
                let next = (v + (0.25 * v).max(0.5)).min(v_hi);
                negative += gl16(v, next - v, erfcx);
                v = next;
            }
        }
        // u > 0: int exp(u^2 - ub^2) (1 + erf u) du.
        let mut positive = 0.0;
        if ub > 0.0 {
            let mut u = u0.max(0.0);
            if ub > 10.0 {
                u = u.max(ub - 50.0 / ub);
            }
            while u < ub {
                let next = (u + (0.5 / u.max(1.0)).min(0.5)).min(ub);
                positive += gl16(u, next - u, |w| ((w - ub) * (w + ub)).exp() * (1.0 + libm::erf(w)));
                u = next;
            }
        }
        let scaled = positive + negative * (-shift).exp();
        Ok((shift + (PI.sqrt() / self.theta * scaled).ln()).exp())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{mfpt_1d, LowerEnd};
    use super::*;

    /// Siegert against the general double integral on the OU coefficients (every parameter
    /// different from 1), starts below, at and above the mean.
    #[test]
    fn siegert_matches_the_general_integral() {
        let (theta, m, sigma) = (2.5, 0.3, 0.7);
        let ou = OuPassage::new(theta, m, sigma).unwrap();
        let mut worst: f64 = 0.0;
        for &(x, b) in &[(-0.5, 0.9), (0.3, 0.9), (0.8, 0.9), (-2.0, 1.5), (0.0, 0.31), (-0.3, 0.1)] {
            let s = ou.mfpt(x, b).unwrap();
            let g = mfpt_1d(|z| theta * (m - z), |_| sigma, x, b, LowerEnd::Natural).unwrap();
            let e = (s / g.mean - 1.0).abs();
            worst = worst.max(e);
            assert!(e < 1e-8, "x {x} b {b}: Siegert {s} vs double integral {}", g.mean);
        }
        eprintln!("OU: Siegert vs mfpt_1d, worst relative difference {worst:e}");
    }

    /// Against mpmath (`quad` at 40-50 digits of `(sqrt(pi)/theta) int e^(u^2)(1 + erf u)`),
    /// including starts far below the mean and levels far above it.
    #[test]
    #[allow(clippy::excessive_precision)]
    fn siegert_matches_mpmath() {
        // (theta, m, sigma, x, b, E T)
        let refs = [
            (1.0, 0.0, 1.0, 0.0, 1.0, 4.037_728_332_955_207_612_316),
            (2.5, 0.3, 0.7, -0.5, 0.9, 4.271_177_805_522_634_742_701),
            (1.0, 0.0, 1.0, -50.0, 0.0, 4.893_877_988_458_836_828_524),
            (1.0, 0.0, 1.0, 0.0, 5.0, 26_069_796_258.409_399_337_33),
            (0.5, 0.0, 2.0, 0.0, 40.0, 1.815_845_617_109_324_958_012e86),
            (1.0, 0.0, 1.0, 0.0, 26.0, 2.612_120_303_398_353_831_935e292),
        ];
        let mut worst: f64 = 0.0;
        for (theta, m, sigma, x, b, r) in refs {
            let t = OuPassage::new(theta, m, sigma).unwrap().mfpt(x, b).unwrap();
            let e = (t / r - 1.0).abs();
            worst = worst.max(e);
            assert!(e < 1e-13, "theta {theta} m {m} sigma {sigma} x {x} b {b}: {t:e} vs {r:e}");
        }
        eprintln!("OU: Siegert vs mpmath, worst relative error {worst:e}");
        assert_eq!(OuPassage::new(1.0, 0.0, 1.0).unwrap().mfpt(0.0, 30.0).unwrap(), f64::INFINITY);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(OuPassage::new(0.0, 0.0, 1.0).is_err());
        assert!(OuPassage::new(1.0, f64::NAN, 1.0).is_err());
        assert!(OuPassage::new(1.0, 0.0, -1.0).is_err());
        let ou = OuPassage::new(1.0, 0.0, 1.0).unwrap();
        assert!(ou.mfpt(1.0, 1.0).is_err());
        assert!(ou.mfpt(1.0, 0.5).is_err());
        assert!(ou.mfpt(f64::NAN, 0.5).is_err());
        assert!(ou.mfpt(0.0, f64::INFINITY).is_err());
    }
}
