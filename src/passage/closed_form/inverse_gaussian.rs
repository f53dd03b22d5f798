//! Brownian motion with drift hitting a level: the inverse Gaussian law and its defective form.

use super::{check_time, special::exp_neg_sq, special::half_erfc_diff};
use crate::error::{check_finite, check_positive, Result};
use std::f64::consts::PI;

/// First passage of `X_t = x0 + mu t + sigma W_t` to the level `x0 + d`, `d > 0`:
/// `T = inf{t : X_t >= x0 + d}`. Any real drift `mu` (toward the level when `mu > 0`).
///
/// With `s = sigma sqrt(t)`, `K = 2 mu d / sigma^2` (Karatzas & Shreve 1991, *Brownian Motion and
/// Stochastic Calculus*, §3.5.C, eq. 5.12; Borodin & Salminen 2002, *Handbook of Brownian
/// Motion*, Part II, 2.0.2; Folks & Chhikara 1978, JRSS B 40, eq. 2.1):
/// - density `f(t) = d / (sigma sqrt(2 pi t^3)) exp(-(d - mu t)^2 / (2 sigma^2 t))`,
/// - CDF `F(t) = Phi((mu t - d)/s) + e^K Phi(-(mu t + d)/s)`,
/// - `P(T < inf) = 1` for `mu >= 0`, `e^K = e^(-2 |mu| d / sigma^2)` for `mu < 0`.
///
/// For `mu > 0`, `T` is inverse Gaussian `IG(d/mu, d^2/sigma^2)`: mean `d/mu`, variance
/// `d sigma^2 / mu^3`. For `mu <= 0` the mean is infinite (`mu = 0`: `T` is Lévy distributed,
/// `F(t) = erfc(d / (sigma sqrt(2t)))`).
///
/// # Numerics
/// `e^K` is never formed when it could overflow: with `p = (d - mu t)/(sigma sqrt(2t))` and
/// `q = (d + mu t)/(sigma sqrt(2t))` one has `q^2 - p^2 = K`, so for `q >= 0`
/// `e^K Phi(-(mu t + d)/s) = erfcx(q) exp(-p^2) / 2`. The survival function is written
/// (derived from the CDF with the same identity) as
/// `P(T > t) = [1 - P(T < inf)] + P(T < inf) exp(-a^2) (erfcx(a) - erfcx(b)) / 2`,
/// `a = (|mu| t - d)/(sigma sqrt(2t))`, `b = (|mu| t + d)/(sigma sqrt(2t))`, and the difference
/// of `erfcx` is evaluated without cancellation (as `int_a^b -erfcx'` where the two are close).
/// So `cdf` is accurate where it is small (`t -> 0`) and `sf` where it is small (`t -> inf`,
/// `mu > 0`); both are at full relative precision (tests: 1e-13 against mpmath far into both
/// tails).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DriftedBmLevel {
    distance: f64,
    mu: f64,
    sigma: f64,
}

impl DriftedBmLevel {
    /// Level at `distance > 0` above the start, drift `mu` (any finite value), `sigma > 0`.
    pub fn new(distance: f64, mu: f64, sigma: f64) -> Result<Self> {
        check_positive("distance", distance)?;
        check_finite("mu", mu)?;
        check_positive("sigma", sigma)?;
        Ok(DriftedBmLevel { distance, mu, sigma })
    }

    /// `2 mu d / sigma^2`.
    fn k(&self) -> f64 {
        2.0 * self.mu * self.distance / (self.sigma * self.sigma)
    }

    /// Density `f(t) = d / (sigma sqrt(2 pi t^3)) exp(-(d - mu t)^2 / (2 sigma^2 t))` of the
    /// passage time (defective when `mu < 0`: it integrates to `P(T < inf)`); 0 at `t = 0` and
    /// `t = inf`. `t` must be `>= 0` (not NaN).
    pub fn pdf(&self, t: f64) -> Result<f64> {
        check_time(t)?;
        if t == 0.0 || t.is_infinite() {
            return Ok(0.0);
        }
        let (d, s) = (self.distance, self.sigma);
        let p = (d - self.mu * t) / (s * (2.0 * t).sqrt());
        let e = exp_neg_sq(p);
        if e == 0.0 {
            return Ok(0.0);
        }
        Ok(d / (s * (2.0 * PI * t).sqrt() * t) * e)
    }

    /// `P(T <= t) = Phi((mu t - d)/s) + e^K Phi(-(mu t + d)/s)`, a sum of two positive terms
    /// (accurate when small), with `e^K` folded into the tail (see the type's docs).
    pub fn cdf(&self, t: f64) -> Result<f64> {
        check_time(t)?;
        if t == 0.0 {
            return Ok(0.0);
        }
        if t.is_infinite() {
            return self.hit_probability();
        }
        let (d, s, mu) = (self.distance, self.sigma, self.mu);
        let r = s * (2.0 * t).sqrt();
        let p = (d - mu * t) / r;
        let q = (d + mu * t) / r;
        let first = 0.5 * libm::erfc(p);
        let second = if q >= 0.0 {
            0.5 * super::erfcx(q) * exp_neg_sq(p)
        } else {
            // mu < 0 here, so e^K < 1.
            0.5 * self.k().exp() * libm::erfc(q)
        };
        Ok(first + second)
    }

    /// `P(T > t) = [1 - P(T < inf)] + P(T < inf) exp(-a^2) (erfcx(a) - erfcx(b)) / 2` [derived above from
    /// the CDF; checked against `1 - cdf` and against mpmath], accurate when small.
    ///
    /// For `mu < 0` the second term is `e^K` times the survival function for drift `|mu|`: the
    /// defective density is `f_mu = e^K f_{|mu|}` (see [`Self::conditional_mean`]).
    pub fn sf(&self, t: f64) -> Result<f64> {
        check_time(t)?;
        if t == 0.0 {
            return Ok(1.0);
        }
        let (never, hit) = if self.mu < 0.0 { (-self.k().exp_m1(), self.k().exp()) } else { (0.0, 1.0) };
        if t.is_infinite() {
            return Ok(never);
        }
        let (d, s, m) = (self.distance, self.sigma, self.mu.abs());
        let r = s * (2.0 * t).sqrt();
        Ok(never + hit * half_erfc_diff((m * t - d) / r, 2.0 * d / r))
    }

    /// `E T = d / mu` for `mu > 0`; `+inf` for `mu <= 0`.
    pub fn mean(&self) -> f64 {
        if self.mu > 0.0 {
            self.distance / self.mu
        } else {
            f64::INFINITY
        }
    }

    /// `Var T = d sigma^2 / mu^3` for `mu > 0`; `+inf` for `mu <= 0`.
    pub fn variance(&self) -> f64 {
        if self.mu > 0.0 {
            self.distance * self.sigma * self.sigma / self.mu.powi(3)
        } else {
            f64::INFINITY
        }
    }

    /// `P(T < inf)`: 1 for `mu >= 0`, `exp(2 mu d / sigma^2)` for `mu < 0` (Karatzas & Shreve
    /// 1991, eq. 3.5.13). Returns `Result` for symmetry with the other methods; never fails.
    pub fn hit_probability(&self) -> Result<f64> {
        Ok(if self.mu < 0.0 { self.k().exp() } else { 1.0 })
    }

    /// `E[T | T < inf] = d / |mu|` for `mu != 0` (`+inf` for `mu = 0`).
    ///
    /// Derived: conditioning on `T < inf` is Doob's h-transform with `h(x) = exp(-2|mu|(x0 + d -
    /// x)/sigma^2)`, which turns drift `mu < 0` into `|mu|`; equivalently
    /// `f(t) e^(-K) = f_{|mu|}(t)` because `(d - mu t)^2 - (d + mu t)^2 = -4 mu d t`. Checked in
    /// the tests by integrating `t f(t)`.
    pub fn conditional_mean(&self) -> f64 {
        if self.mu != 0.0 {
            self.distance / self.mu.abs()
        } else {
            f64::INFINITY
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `int_lo^hi f` by 16-point Gauss–Legendre on `n` geometric panels (for heavy tails).
    fn integrate_geometric<F: Fn(f64) -> f64>(lo: f64, hi: f64, n: usize, f: F) -> f64 {
        let r = (hi / lo).powf(1.0 / n as f64);
        (0..n)
            .map(|i| {
                let (x0, x1) = (lo * r.powi(i as i32), lo * r.powi(i as i32 + 1));
                super::super::special::gl16(x0, x1 - x0, &f)
            })
            .sum()
    }

    /// The CDF against the numerically integrated density (several drifts, both signs), and
    /// `sf + cdf = 1`.
    #[test]
    fn cdf_is_the_integral_of_the_pdf() {
        let mut worst: f64 = 0.0;
        for &(d, mu, sigma) in &[(1.0, 0.7, 0.9), (0.3, -1.2, 0.5), (2.0, 0.0, 1.3), (1.5, 3.0, 0.4)] {
            let ig = DriftedBmLevel::new(d, mu, sigma).unwrap();
            for &t in &[0.05, 0.3, 1.0, 2.7, 10.0] {
                let num = integrate_geometric(1e-6 * t, t, 200, |s| ig.pdf(s).unwrap());
                let c = ig.cdf(t).unwrap();
                worst = worst.max(((num - c) / c).abs());
                assert!(((num - c) / c).abs() < 1e-11, "d {d} mu {mu} t {t}: {num} vs {c}");
                assert!((c + ig.sf(t).unwrap() - 1.0).abs() < 4e-16, "sf + cdf at {t}");
            }
            let total = integrate_geometric(1e-8, 1e5, 400, |s| ig.pdf(s).unwrap());
            let hit = ig.hit_probability().unwrap();
            let expected = if mu == 0.0 { ig.cdf(1e5).unwrap() } else { hit };
            assert!((total - expected).abs() < 1e-9, "mass {total} vs {expected}");
            assert_eq!(ig.cdf(f64::INFINITY).unwrap(), hit);
        }
        eprintln!("IG cdf vs integrated pdf: worst relative error {worst:e}");
    }

    /// Moments and `E[T | T < inf]` from the density by quadrature.
    #[test]
    fn moments_from_the_density() {
        let ig = DriftedBmLevel::new(1.3, 0.8, 0.6).unwrap();
        let m1 = integrate_geometric(1e-6, 400.0, 400, |t| t * ig.pdf(t).unwrap());
        let m2 = integrate_geometric(1e-6, 400.0, 400, |t| t * t * ig.pdf(t).unwrap());
        assert!((m1 / ig.mean() - 1.0).abs() < 1e-10, "{m1} vs {}", ig.mean());
        let var = m2 - m1 * m1;
        assert!((var / ig.variance() - 1.0).abs() < 1e-9, "{var} vs {}", ig.variance());
        let down = DriftedBmLevel::new(1.3, -0.8, 0.6).unwrap();
        let p = down.hit_probability().unwrap();
        let c1 = integrate_geometric(1e-6, 400.0, 400, |t| t * down.pdf(t).unwrap()) / p;
        assert!((c1 / down.conditional_mean() - 1.0).abs() < 1e-10, "{c1}");
        assert_eq!(down.mean(), f64::INFINITY);
        assert_eq!(DriftedBmLevel::new(1.0, 0.0, 1.0).unwrap().variance(), f64::INFINITY);
    }

    /// Far tails against mpmath (50 digits, the closed forms with `exp(K)` in full):
    /// `sf` at large `t` (where `1 - cdf` is 0 or noise) and `cdf` at small `t`, including
    /// `K = 2 mu d / sigma^2 = 20000`, where `exp(K)` overflows a double.
    #[test]
    #[allow(clippy::excessive_precision)]
    fn tails_match_mpmath() {
        // (d, mu, sigma, t, cdf or sf, is_sf)
        let refs = [
            (1.0, 1.0, 1.0, 60.0, 4.131_366_282_830_359_925_061e-16, true),
            (1.0, 1.0, 1.0, 500.0, 5.142_078_684_416_958_299_2e-113, true),
            (1.0, 1.0, 0.1, 1.3, 0.003_635_414_698_862_578_940_423, true),
            (1.0, 1.0, 0.1, 0.5, 1.029_334_430_612_901_919_084e-12, false),
            (10.0, 10.0, 0.1, 0.9, 2.945_802_289_492_449_424_419e-26, false),
            (10.0, 10.0, 0.1, 1.1, 7.159_339_655_361_328_341_507e-22, true),
            (1.0, -0.5, 1.0, 50.0, 0.632_129_186_674_061_285_652_7, true),
            (1.0, -0.5, 1.0, 0.02, 9.302_730_101_061_967_117_556e-13, false),
            (1.0, 0.0, 1.0, 1e8, 7.978_845_594_730_577_565_365e-5, true),
            (1.0, 0.0, 1.0, 1e-3, 1.795_832_784_800_744_904_883e-219, false),
            (1.0, 1.0, 1.0, 0.01, 4.122_313_403_318_782_397_987e-23, false),
            (2.0, 1e-3, 1.0, 1e7, 2.698_813_010_872_496_279_866e-7, true),
        ];
        let mut worst: f64 = 0.0;
        for (d, mu, sigma, t, r, is_sf) in refs {
            let ig = DriftedBmLevel::new(d, mu, sigma).unwrap();
            let v = if is_sf { ig.sf(t).unwrap() } else { ig.cdf(t).unwrap() };
            let e = (v / r - 1.0).abs();
            worst = worst.max(e);
            assert!(e < 1e-13, "d {d} mu {mu} sigma {sigma} t {t}: {v:e} vs {r:e} (rel {e:e})");
        }
        eprintln!("IG tails vs mpmath: worst relative error {worst:e}");
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(DriftedBmLevel::new(0.0, 1.0, 1.0).is_err());
        assert!(DriftedBmLevel::new(-1.0, 1.0, 1.0).is_err());
        assert!(DriftedBmLevel::new(1.0, f64::NAN, 1.0).is_err());
        assert!(DriftedBmLevel::new(1.0, 1.0, 0.0).is_err());
        assert!(DriftedBmLevel::new(1.0, 1.0, f64::INFINITY).is_err());
        let ig = DriftedBmLevel::new(1.0, 1.0, 1.0).unwrap();
        assert!(ig.cdf(f64::NAN).is_err());
        assert!(ig.sf(-1.0).is_err());
        assert!(ig.pdf(-0.5).is_err());
        assert_eq!(ig.sf(0.0).unwrap(), 1.0);
        assert_eq!(ig.pdf(0.0).unwrap(), 0.0);
        assert_eq!(ig.pdf(1e-300).unwrap(), 0.0);
    }
}
