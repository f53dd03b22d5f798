//! Brownian motion with drift leaving an interval: survival by images or eigenfunctions, exit
//! sides, mean exit time.

use super::{check_time, erfcx};
use crate::error::{check_finite, check_positive, Allowed, Error, Result};
use crate::stats::{normal_cdf, normal_sf};
use std::f64::consts::{PI, SQRT_2};

/// Image pairs `k = -IMAGES..=IMAGES` (converged for `tau = sigma^2 t / L^2 <= 2.8`).
const IMAGES: i32 = 8;
/// Eigenfunctions `n = 1..=MODES` (converged for `tau >= 0.05`).
const MODES: u32 = 16;
/// Images only below this `tau`, eigenfunctions only above [`TAU_EIGEN`]; in between both are
/// summed and the better conditioned one is returned.
const TAU_IMAGES: f64 = 0.1;
/// See [`TAU_IMAGES`].
const TAU_EIGEN: f64 = 1.0;

/// Exit of `X_t = x + mu t + sigma W_t` from the interval `(lower, upper)`, started inside;
/// `T = inf{t : X_t not in (lower, upper)}`. Drift `mu` of any sign or zero.
///
/// Notation: `y = x - lower`, `L = upper - lower`, `c = mu / sigma^2`, `k = 2c`,
/// `tau = sigma^2 t / L^2`.
///
/// **Survival** `P(T > t)`: the killed transition density on `(0, L)` is the driftless one times
/// `exp(c (z - y) - mu^2 t / (2 sigma^2))` (Girsanov; Borodin & Salminen 2002, *Handbook of
/// Brownian Motion*, Part II, 1.15.4 and 2.1.15.4; Cox & Miller 1965, *The Theory of Stochastic
/// Processes*, §5.7). Integrated over `z`:
/// - method of images (`k = -8..8`, used for small `tau`): with `s = sigma sqrt t`,
///   `P(T > t) = sum_k e^(-2ckL) [Phi((2kL + L - y - mu t)/s) - Phi((2kL - y - mu t)/s)] -
///   e^(-2c(y + kL)) [Phi((2kL + L + y - mu t)/s) - Phi((2kL + y - mu t)/s)]`
///   (derived: completing the square in each image term of the driftless density, checked
///   against the eigenfunction series);
/// - eigenfunctions (`n = 1..16`, used for large `tau`): with `w_n = n pi / L`,
///   `lambda_n = mu^2/(2 sigma^2) + sigma^2 w_n^2 / 2`,
///   `P(T > t) = (2/L) sum_n sin(w_n y) w_n (e^(-cy) - (-1)^n e^(c(L - y))) / (c^2 + w_n^2)
///   e^(-lambda_n t)` (the integral `int_0^L e^(cz) sin(w_n z) dz` done in closed form).
///
/// Choice: images for `tau <= 0.1`, eigenfunctions for `tau >= 1`; in between the modes unless
/// they cancel (`sum |terms| > 10 |sum|`, which happens with a strong drift
/// `|mu| L / sigma^2 >> 1` at small `tau`), then the images. With a strong drift the images
/// cancel where the survival is tiny (their terms are `O(1)`, and each carries an exponent
/// `~ mu^2 t / sigma^2` rounded to `eps` relative), while the modes, all of the survival's own
/// size, do not: the tests check this choice against mpmath. Each series' first omitted term is
/// below `e^(-40)` of the leading one wherever it is used (images: `exp(-(2*9 - 1)^2/(2 tau))`
/// at `tau <= 2.8`; modes: `exp(-(17^2 - 1) pi^2 tau/2)` at `tau >= 0.05`), and the two agree
/// to 1e-14 where both are well conditioned (tests). For `mu < 0` the interval is mirrored so that
/// `c >= 0`; every exponential is combined with the Gaussian tail it multiplies (or with its
/// decay `e^(-lambda_n t)`) before it is taken, so nothing overflows for any drift.
///
/// **Exit side** (Karlin & Taylor 1975, *A First Course in Stochastic Processes*, §7.5; the
/// scale function `e^(-kx)`): `P(exit at upper) = (1 - e^(-ky)) / (1 - e^(-kL))`, `y/L` for
/// `mu = 0`, written with `expm1` for every `k`.
///
/// **Mean exit time**: `E T = (L P_upper - y) / mu`, `y (L - y) / sigma^2` for `mu = 0`; for
/// `|k L| <= 1` by a cancellation-free series (see [`Self::mean_exit_time`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BmInterval {
    lower: f64,
    upper: f64,
    x: f64,
    mu: f64,
    sigma: f64,
}

impl BmInterval {
    /// The interval `(lower, upper)`, start `x` strictly inside, drift `mu`, `sigma > 0`.
    pub fn new(lower: f64, upper: f64, x: f64, mu: f64, sigma: f64) -> Result<Self> {
        check_finite("lower", lower)?;
        check_finite("upper", upper)?;
        if upper <= lower {
            return Err(Error::InvalidParameter { name: "upper", value: upper, allowed: Allowed("> lower") });
        }
        check_finite("x", x)?;
        if x <= lower || x >= upper {
            return Err(Error::InvalidParameter {
                name: "x",
                value: x,
                allowed: Allowed("strictly inside (lower, upper)"),
            });
        }
        check_finite("mu", mu)?;
        check_positive("sigma", sigma)?;
        Ok(BmInterval { lower, upper, x, mu, sigma })
    }

    fn len(&self) -> f64 {
        self.upper - self.lower
    }

    /// `(y, m)`: distance from the lower end and drift after mirroring so that `m >= 0`.
    fn mirrored(&self) -> (f64, f64) {
        if self.mu < 0.0 {
            (self.upper - self.x, -self.mu)
        } else {
            (self.x - self.lower, self.mu)
        }
    }

    /// `(P(T > t), P(T <= t))`, each accurate where it is small.
    fn survival_pair(&self, t: f64) -> (f64, f64) {
        if t == 0.0 {
            return (1.0, 0.0);
        }
        if t.is_infinite() {
            return (0.0, 1.0);
        }
        let l = self.len();
        let tau = self.sigma * self.sigma * t / (l * l);
        if tau <= TAU_IMAGES {
            return self.images(t);
        }
        let (q, scale) = self.eigen(t);
        if tau >= TAU_EIGEN || scale <= 10.0 * q {
            (q, 1.0 - q)
        } else {
            self.images(t)
        }
    }

    /// Method of images (see the type's docs): `(survival, cdf)`.
    fn images(&self, t: f64) -> (f64, f64) {
        let (y, m) = self.mirrored();
        let l = self.len();
        let c = m / (self.sigma * self.sigma);
        let s = self.sigma * t.sqrt();
        let mt = m * t;
        // k = 0 direct term: free survival in (0, L) and its complement.
        let (x1, x2) = ((-y - mt) / s, (l - y - mt) / s);
        let direct = exp_times_phi_diff(0.0, x1, x2);
        let direct_c = normal_cdf(x1) + normal_sf(x2);
        let mut rest = 0.0;
        for k in -IMAGES..=IMAGES {
            let kl2 = 2.0 * k as f64 * l;
            if k != 0 {
                rest += exp_times_phi_diff(-c * kl2, (kl2 - y - mt) / s, (kl2 + l - y - mt) / s);
            }
            rest -= exp_times_phi_diff(-2.0 * c * y - c * kl2, (kl2 + y - mt) / s, (kl2 + l + y - mt) / s);
        }
        ((direct + rest).max(0.0), (direct_c - rest).max(0.0))
    }

    /// Eigenfunction series (see the type's docs): `(survival, sum of |terms|)`.
    fn eigen(&self, t: f64) -> (f64, f64) {
        let (y, m) = self.mirrored();
        let l = self.len();
        let s2 = self.sigma * self.sigma;
        let c = m / s2;
        let lambda0 = 0.5 * m * m / s2;
        let em1 = (-c * l).exp_m1();
        let (mut sum, mut scale) = (0.0, 0.0);
        for n in 1..=MODES {
            let w = n as f64 * PI / l;
            let lt = (lambda0 + 0.5 * s2 * w * w) * t;
            let b = if n % 2 == 1 {
                (-c * y - lt).exp() + (c * (l - y) - lt).exp()
            } else {
                (c * (l - y) - lt).exp() * em1
            };
            let term = (w * y).sin() * w / (c * c + w * w) * b;
            sum += term;
            scale += term.abs();
        }
        ((2.0 / l * sum).clamp(0.0, 1.0), 2.0 / l * scale)
    }

    /// `P(T > t)`, by images at small and eigenfunctions at large `sigma^2 t / L^2` (see the
    /// type's docs): about 1e-14 relative, also where the survival is tiny. 1 at `t = 0`, 0 at
    /// `t = inf`.
    pub fn survival(&self, t: f64) -> Result<f64> {
        check_time(t)?;
        Ok(self.survival_pair(t).0)
    }

    /// `P(T <= t) = 1 - P(T > t)`, computed directly (not by subtraction) for small `t`, where it
    /// is tiny.
    pub fn cdf(&self, t: f64) -> Result<f64> {
        check_time(t)?;
        Ok(self.survival_pair(t).1)
    }

    /// `P(exit at upper) = (1 - e^(-ky)) / (1 - e^(-kL))`, `k = 2 mu / sigma^2` (`y / L` for
    /// `mu = 0`).
    pub fn upper_exit_probability(&self) -> f64 {
        upper_prob(self.x - self.lower, self.len(), 2.0 * self.mu / (self.sigma * self.sigma))
    }

    /// `P(exit at lower) = 1 - P(exit at upper)`, computed as the mirror image (`y -> L - y`,
    /// `k -> -k`), so it is accurate when small.
    pub fn lower_exit_probability(&self) -> f64 {
        upper_prob(self.upper - self.x, self.len(), -2.0 * self.mu / (self.sigma * self.sigma))
    }

    /// `E T = (L P_upper - y) / mu`; `y (L - y) / sigma^2` for `mu = 0` (Karlin & Taylor 1975,
    /// §7.5; Cox & Miller 1965, §5.7).
    ///
    /// For `|k L| <= 1` the difference `L P_upper - y` cancels; there (derived)
    /// `E T = (2 y (L - y) / sigma^2) S (-kL / expm1(-kL))`, `S = sum_(m >= 0) h_m(u, v) / (m + 2)!`,
    /// `u = -k y`, `v = -k L`, `h_m(u, v) = sum_(i=0)^m u^i v^(m-i)`; it follows from
    /// `v expm1(u) - u expm1(v) = u v (u - v) S` (expand both `expm1` and factor
    /// `u^(n-1) - v^(n-1)`), and the tests check it against the direct form at `|kL| = 1` and
    /// against the integral of the survival function.
    pub fn mean_exit_time(&self) -> f64 {
        let (y, l, s2) = (self.x - self.lower, self.len(), self.sigma * self.sigma);
        let k = 2.0 * self.mu / s2;
        let v = -k * l;
        if v.abs() <= 1.0 {
            let u = -k * y;
            let (mut h, mut um) = (1.0, 1.0);
            let mut fact = 2.0;
            let mut sum = 0.5;
            for m in 1..=24 {
                um *= u;
                h = v * h + um;
                fact *= (m + 2) as f64;
                sum += h / fact;
            }
            let ratio = if v == 0.0 { 1.0 } else { v / v.exp_m1() };
            2.0 * y * (l - y) / s2 * sum * ratio
        } else {
            (l * self.upper_exit_probability() - y) / self.mu
        }
    }
}

/// `(1 - e^(-k y)) / (1 - e^(-k L))` without overflow or cancellation.
fn upper_prob(y: f64, l: f64, k: f64) -> f64 {
    if k >= 0.0 {
        let den = (-k * l).exp_m1();
        if den == 0.0 {
            y / l
        } else {
            (-k * y).exp_m1() / den
        }
    } else {
        let den = (k * l).exp_m1();
        if den == 0.0 {
            y / l
        } else {
            (k * (l - y)).exp() * (k * y).exp_m1() / den
        }
    }
}

/// `exp(lc) (Phi(x2) - Phi(x1))` for `x1 <= x2`, with the exponential folded into the Gaussian
/// tail (`Phi(x) = erfcx(-x/sqrt 2) exp(-x^2/2) / 2` for `x <= 0`), so that a huge `exp(lc)`
/// times a tiny tail neither overflows nor underflows. Each image term has this form and is
/// bounded although `exp(lc)` alone may overflow; where `x1 < 0 < x2`, `lc <= 0`.
fn exp_times_phi_diff(lc: f64, x1: f64, x2: f64) -> f64 {
    if x1 >= x2 {
        return 0.0;
    }
    // exp(lc) * Phi(-|x|)
    let tail = |x: f64| 0.5 * erfcx(x.abs() / SQRT_2) * (lc - 0.5 * x * x).exp();
    if x2 <= 0.0 {
        tail(x2) - tail(x1)
    } else if x1 >= 0.0 {
        tail(x1) - tail(x2)
    } else {
        lc.exp() * (1.0 - normal_cdf(x1) - normal_sf(x2))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{special::gl16, DriftedBmLevel};
    use super::*;

    pub(super) const CASES: [(f64, f64, f64, f64, f64); 6] = [
        // (lower, upper, x, mu, sigma)
        (0.0, 1.0, 0.5, 0.0, 1.0),
        (-1.0, 2.0, 0.3, 0.0, 0.7),
        (-0.5, 1.5, 0.1, 0.8, 1.1),
        (-0.5, 1.5, 1.2, -1.3, 0.6),
        (0.0, 1.0, 0.2, 6.0, 0.5),
        (2.0, 3.0, 2.9, -15.0, 1.0),
    ];

    /// Images and eigenfunctions agree where both converge (`0.1 <= tau <= 1`) for moderate
    /// drifts (`|mu| L / sigma^2 <= 5`); for strong drifts, where the images lose digits to the
    /// rounding of their large exponents at small survival, `survival` is checked against mpmath
    /// (80 digits, 200 modes) on both sides of the switch.
    #[test]
    fn images_and_eigenfunctions_agree() {
        let mut worst: f64 = 0.0;
        for (a, b, x, mu, sigma) in CASES {
            let iv = BmInterval::new(a, b, x, mu, sigma).unwrap();
            let t0 = (b - a) * (b - a) / (sigma * sigma);
            for tau in [0.1, 0.15, 0.25, 0.4, 0.5, 0.7, 1.0] {
                if (mu * (b - a) / (sigma * sigma)).abs() > 5.0 {
                    continue;
                }
                let (qi, _) = iv.images(tau * t0);
                let (qe, _) = iv.eigen(tau * t0);
                let rel = ((qi - qe) / qe).abs();
                worst = worst.max(rel);
                assert!(rel < 1e-13, "{a} {b} {x} {mu} {sigma} tau {tau}: {qi:e} vs {qe:e}");
            }
        }
        eprintln!("interval: images vs eigenfunctions, worst relative difference {worst:e}");
        #[allow(clippy::excessive_precision)]
        let refs = [
            ((0.0, 1.0, 0.2, 6.0, 0.5), 4.0, 8.281_003_888_324_952_480_8e-122),
            ((0.0, 1.0, 0.2, 6.0, 0.5), 2.0, 3.367_060_098_669_325_543_2e-58),
            ((0.0, 1.0, 0.2, 6.0, 0.5), 0.6, 7.685_935_560_647_026_263_3e-14),
            ((0.0, 1.0, 0.2, 6.0, 0.5), 0.4, 9.896_571_846_058_497_660_6e-8),
            ((0.0, 1.0, 0.2, 6.0, 0.5), 0.2, 0.027_891_142_690_184_498_514),
            ((0.0, 1.0, 0.2, 6.0, 0.5), 0.1, 0.876_984_835_930_966_723_32),
            ((2.0, 3.0, 2.9, -15.0, 1.0), 0.05, 0.660_266_787_136_040_492_16),
            ((2.0, 3.0, 2.9, -15.0, 1.0), 0.1, 0.016_288_856_132_729_487_693),
            ((2.0, 3.0, 2.9, -15.0, 1.0), 1.0, 6.012_068_633_492_310_057e-48),
            ((-0.5, 1.5, 1.2, -1.3, 0.6), 0.7 * 4.0 / 0.36, 7.947_461_139_959_004_333_3e-9),
        ];
        let mut worst_ref: f64 = 0.0;
        for ((a, b, x, mu, sigma), t, r) in refs {
            let q = BmInterval::new(a, b, x, mu, sigma).unwrap().survival(t).unwrap();
            worst_ref = worst_ref.max((q / r - 1.0).abs());
            assert!((q / r - 1.0).abs() < 1e-13, "{a} {b} {x} {mu} {sigma} t {t}: {q:e} vs {r:e}");
        }
        eprintln!("interval: strong-drift survival vs mpmath, worst relative error {worst_ref:e}");
    }

    /// Survival is 1 at `t = 0`, decreasing, 0 at `inf`; at small `t` the CDF is the sum of the
    /// two one-sided inverse Gaussian CDFs (hitting both sides by then is negligible).
    #[test]
    fn small_time_cdf_is_the_one_sided_sum() {
        let mut worst: f64 = 0.0;
        for (a, b, x, mu, sigma) in CASES {
            let iv = BmInterval::new(a, b, x, mu, sigma).unwrap();
            assert_eq!(iv.survival(0.0).unwrap(), 1.0);
            assert_eq!(iv.survival(f64::INFINITY).unwrap(), 0.0);
            let t0 = (b - a) * (b - a) / (sigma * sigma);
            let up = DriftedBmLevel::new(b - x, mu, sigma).unwrap();
            let down = DriftedBmLevel::new(x - a, -mu, sigma).unwrap();
            for tau in [1e-3, 3e-3, 1e-2] {
                let t = tau * t0;
                let want = up.cdf(t).unwrap() + down.cdf(t).unwrap();
                let got = iv.cdf(t).unwrap();
                let rel = ((got - want) / want).abs();
                worst = worst.max(rel);
                assert!(rel < 1e-12, "{a} {b} {x} {mu} tau {tau}: {got:e} vs {want:e}");
                assert!((iv.survival(t).unwrap() + got - 1.0).abs() < 1e-15);
            }
            let mut prev = 1.0;
            for i in 1..200 {
                let q = iv.survival(i as f64 * 0.02 * t0).unwrap();
                assert!(q <= prev + 1e-15, "survival increases at step {i}");
                prev = q;
            }
        }
        eprintln!("interval: small-t cdf vs one-sided sum, worst relative difference {worst:e}");
    }

    /// `E T = int_0^inf P(T > t) dt` by quadrature of the series, for every case.
    #[test]
    fn mean_is_the_integral_of_the_survival() {
        let mut worst: f64 = 0.0;
        for (a, b, x, mu, sigma) in CASES {
            let iv = BmInterval::new(a, b, x, mu, sigma).unwrap();
            let t0 = (b - a) * (b - a) / (sigma * sigma);
            let h = 0.02 * t0;
            let q = |t: f64| iv.survival(t).unwrap();
            // [0, h] on geometric panels (the survival is 1 - O(exp(-c/t)) near 0, smooth but
            // not analytic there), then uniform panels to 40 t0 (survival < 1e-80 there).
            let eps = h * 0.5f64.powi(40);
            let head: f64 = eps + (0..40).map(|j| gl16(h * 0.5f64.powi(j + 1), h * 0.5f64.powi(j + 1), q)).sum::<f64>();
            let num: f64 = head + (1..2000).map(|i| gl16(i as f64 * h, h, q)).sum::<f64>();
            let m = iv.mean_exit_time();
            let rel = ((num - m) / m).abs();
            worst = worst.max(rel);
            assert!(rel < 1e-12, "{a} {b} {x} {mu} {sigma}: {num} vs {m}");
        }
        eprintln!("interval: mean vs integrated survival, worst relative error {worst:e}");
    }

    /// Exit sides sum to 1, match `y/L` as `mu -> 0`, and the mean's small-drift series meets
    /// the direct form at `|kL| = 1` and the driftless limit.
    #[test]
    fn exit_sides_and_small_drift_limits() {
        for (a, b, x, mu, sigma) in CASES {
            let iv = BmInterval::new(a, b, x, mu, sigma).unwrap();
            let (pu, pl) = (iv.upper_exit_probability(), iv.lower_exit_probability());
            assert!((pu + pl - 1.0).abs() < 3e-16, "{pu} + {pl}");
        }
        let (a, b, x, sigma) = (-1.0, 2.0, 0.3, 0.7);
        let (y, l) = (x - a, b - a);
        for mu in [1e-300, 1e-12, -1e-9] {
            let iv = BmInterval::new(a, b, x, mu, sigma).unwrap();
            assert!((iv.upper_exit_probability() / (y / l) - 1.0).abs() < 1e-8);
            let m0 = y * (l - y) / (sigma * sigma);
            assert!((iv.mean_exit_time() / m0 - 1.0).abs() < 1e-8, "{} vs {m0}", iv.mean_exit_time());
        }
        // At |kL| = 1 the series and the direct form agree.
        for sign in [1.0, -1.0] {
            let mu = sign * sigma * sigma / (2.0 * l);
            let iv = BmInterval::new(a, b, x, mu, sigma).unwrap();
            let direct = (l * iv.upper_exit_probability() - y) / mu;
            assert!((iv.mean_exit_time() / direct - 1.0).abs() < 1e-14, "{} vs {direct}", iv.mean_exit_time());
        }
        // Huge drifts: no overflow, the obvious limits.
        let up = BmInterval::new(0.0, 1.0, 0.25, 1e4, 1.0).unwrap();
        assert_eq!(up.upper_exit_probability(), 1.0);
        assert!((up.mean_exit_time() / 0.75e-4 - 1.0).abs() < 1e-12);
        let down = BmInterval::new(0.0, 1.0, 0.25, -1e4, 1.0).unwrap();
        assert!(down.upper_exit_probability() < 1e-300);
        assert!((down.mean_exit_time() / 0.25e-4 - 1.0).abs() < 1e-12);
        assert!(down.survival(1e-5).unwrap().is_finite());
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(BmInterval::new(1.0, 1.0, 1.0, 0.0, 1.0).is_err());
        assert!(BmInterval::new(2.0, 1.0, 1.5, 0.0, 1.0).is_err());
        assert!(BmInterval::new(0.0, 1.0, 1.0, 0.0, 1.0).is_err());
        assert!(BmInterval::new(0.0, 1.0, -0.1, 0.0, 1.0).is_err());
        assert!(BmInterval::new(0.0, 1.0, 0.5, f64::NAN, 1.0).is_err());
        assert!(BmInterval::new(0.0, 1.0, 0.5, 0.0, -1.0).is_err());
        assert!(BmInterval::new(f64::NEG_INFINITY, 1.0, 0.5, 0.0, 1.0).is_err());
        let iv = BmInterval::new(0.0, 1.0, 0.5, 0.0, 1.0).unwrap();
        assert!(iv.survival(f64::NAN).is_err());
        assert!(iv.cdf(-1.0).is_err());
    }
}
