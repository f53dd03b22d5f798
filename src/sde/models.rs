//! Built-in models with their closed forms.
//!
//! | model | SDE | closed forms |
//! |---|---|---|
//! | [`BrownianDrift`] | `dX = mu dt + sigma dL` | exact: `X_t = x0 + mu t + sigma L_t` (first passage: [`crate::passage`]) |
//! | [`Ou`] | `dX = theta (mu - X) dt + sigma dW` | mean, variance at `t`; exact law of the Euler chain |
//! | [`Gbm`] | `dX = mu X dt + sigma X dL` | moments, exact solution (Itô for `W`, pathwise for `B^H`), Euler moments |
//! | [`FractionalOu`] | `dX = theta (mu - X) dt + sigma dB^H` | stationary variance; exact variance of the Euler chain |
//! | [`LevyOu`] | `dX = -theta X dt + sigma dL`, `L_1 ~ S1(alpha, beta, 1, 0)` | stationary law; exact law of the Euler chain (both with the `alpha = 1` log term) |
//! | [`DoubleWell`] | `dX = (b X - a X^3) dt + sigma dW` | stationary density `~ exp(-2 U / sigma^2)` |
//! | [`PowerLaw`] | `dX = -h X dt + sqrt(2 eta (sigma_g + sigma_h X^2)) dW` | stationary law: scaled Student t (Itô) |

use super::model::{LinearAdditive, ScalarModel};
use crate::error::{check_finite, check_positive, Error, Result};
use crate::noise::{fgn_autocovariance, Parametrization, Stable};

/// Brownian motion with drift (or a drifted Lévy / fractional motion), `dX = mu dt + sigma dL`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BrownianDrift {
    /// Drift `mu`.
    pub mu: f64,
    /// Noise amplitude `sigma > 0`.
    pub sigma: f64,
}

impl BrownianDrift {
    /// Validated constructor.
    pub fn new(mu: f64, sigma: f64) -> Result<Self> {
        check_finite("mu", mu)?;
        check_positive("sigma", sigma)?;
        Ok(BrownianDrift { mu, sigma })
    }
}

impl ScalarModel for BrownianDrift {
    #[inline]
    fn drift(&self, _t: f64, _x: f64) -> f64 {
        self.mu
    }
    #[inline]
    fn diffusion(&self, _t: f64, _x: f64) -> f64 {
        self.sigma
    }
    fn diffusion_dx(&self, _t: f64, _x: f64) -> Option<f64> {
        Some(0.0)
    }
    fn linear_additive(&self) -> Option<LinearAdditive> {
        Some(LinearAdditive { k: 0.0, m: self.mu, s: self.sigma })
    }
}

/// Ornstein–Uhlenbeck, `dX = theta (mu - X) dt + sigma dW` (Uhlenbeck & Ornstein 1930).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ou {
    /// Mean-reversion rate `theta > 0`.
    pub theta: f64,
    /// Long-run mean `mu`.
    pub mu: f64,
    /// Noise amplitude `sigma > 0`.
    pub sigma: f64,
}

impl Ou {
    /// Validated constructor.
    pub fn new(theta: f64, mu: f64, sigma: f64) -> Result<Self> {
        check_positive("theta", theta)?;
        check_finite("mu", mu)?;
        check_positive("sigma", sigma)?;
        Ok(Ou { theta, mu, sigma })
    }

    /// `E X_t = mu + (x0 - mu) e^(-theta t)`.
    pub fn mean(&self, t: f64, x0: f64) -> f64 {
        self.mu + (x0 - self.mu) * (-self.theta * t).exp()
    }

    /// `Var X_t = sigma^2 (1 - e^(-2 theta t)) / (2 theta)` (Gardiner 2009, eq. 4.4.49).
    pub fn variance(&self, t: f64) -> f64 {
        self.sigma * self.sigma * -(-2.0 * self.theta * t).exp_m1() / (2.0 * self.theta)
    }

    /// Mean of the Euler chain after `n` steps of size `h`: `mu + (x0 - mu) a^n`, `a = 1 - theta h`.
    pub fn em_mean(&self, n: usize, h: f64, x0: f64) -> f64 {
        self.mu + (x0 - self.mu) * (1.0 - self.theta * h).powi(n as i32)
    }

    /// Variance of the Euler chain after `n` steps (Brownian driver):
    /// `sigma^2 h (1 - a^(2n)) / (1 - a^2)`, `a = 1 - theta h` (geometric sum of `a^(2k) sigma^2 h`).
    pub fn em_variance(&self, n: usize, h: f64) -> f64 {
        let a = 1.0 - self.theta * h;
        let a2 = a * a;
        self.sigma * self.sigma * h * (1.0 - a2.powi(n as i32)) / (1.0 - a2)
    }
}

impl ScalarModel for Ou {
    #[inline]
    fn drift(&self, _t: f64, x: f64) -> f64 {
        self.theta * (self.mu - x)
    }
    #[inline]
    fn diffusion(&self, _t: f64, _x: f64) -> f64 {
        self.sigma
    }
    fn diffusion_dx(&self, _t: f64, _x: f64) -> Option<f64> {
        Some(0.0)
    }
    fn linear_additive(&self) -> Option<LinearAdditive> {
        Some(LinearAdditive { k: self.theta, m: self.theta * self.mu, s: self.sigma })
    }
}

/// Geometric Brownian motion `dX = mu X dt + sigma X dL`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gbm {
    /// Drift rate.
    pub mu: f64,
    /// Volatility `sigma > 0`.
    pub sigma: f64,
}

impl Gbm {
    /// Validated constructor.
    pub fn new(mu: f64, sigma: f64) -> Result<Self> {
        check_finite("mu", mu)?;
        check_positive("sigma", sigma)?;
        Ok(Gbm { mu, sigma })
    }

    /// Itô solution driven by Brownian motion: `x0 exp((mu - sigma^2/2) t + sigma W_t)`
    /// (Kloeden & Platen 1992, eq. 4.4.6).
    pub fn exact_ito(&self, t: f64, x0: f64, w: f64) -> f64 {
        x0 * ((self.mu - 0.5 * self.sigma * self.sigma) * t + self.sigma * w).exp()
    }

    /// Pathwise (Young) solution driven by fBM with `H > 1/2`: `x0 exp(mu t + sigma B^H_t)` (the
    /// ordinary chain rule holds; Nualart & Rascanu 2002).
    pub fn exact_pathwise(&self, t: f64, x0: f64, b: f64) -> f64 {
        x0 * (self.mu * t + self.sigma * b).exp()
    }

    /// `E X_t = x0 e^(mu t)` (Brownian, Itô).
    pub fn mean(&self, t: f64, x0: f64) -> f64 {
        x0 * (self.mu * t).exp()
    }

    /// `Var X_t = x0^2 e^(2 mu t) (e^(sigma^2 t) - 1)` (Brownian, Itô).
    pub fn variance(&self, t: f64, x0: f64) -> f64 {
        x0 * x0 * (2.0 * self.mu * t).exp() * (self.sigma * self.sigma * t).exp_m1()
    }

    /// CDF of `X_t` (log-normal: `ln X_t ~ N(ln x0 + (mu - sigma^2/2) t, sigma^2 t)`, `x0 > 0`).
    pub fn cdf(&self, t: f64, x0: f64, x: f64) -> f64 {
        if x <= 0.0 {
            return 0.0;
        }
        let m = x0.ln() + (self.mu - 0.5 * self.sigma * self.sigma) * t;
        crate::stats::normal_cdf((x.ln() - m) / (self.sigma * t.sqrt()))
    }

    /// Euler chain, Brownian driver: `E X_n = x0 (1 + mu h)^n` (independent factors `1 + mu h + sigma dW`).
    pub fn em_mean(&self, n: usize, h: f64, x0: f64) -> f64 {
        x0 * (1.0 + self.mu * h).powi(n as i32)
    }

    /// Euler chain, Brownian driver: `E X_n^2 = x0^2 ((1 + mu h)^2 + sigma^2 h)^n`.
    pub fn em_second_moment(&self, n: usize, h: f64, x0: f64) -> f64 {
        x0 * x0 * ((1.0 + self.mu * h).powi(2) + self.sigma * self.sigma * h).powi(n as i32)
    }
}

impl ScalarModel for Gbm {
    #[inline]
    fn drift(&self, _t: f64, x: f64) -> f64 {
        self.mu * x
    }
    #[inline]
    fn diffusion(&self, _t: f64, x: f64) -> f64 {
        self.sigma * x
    }
    #[inline]
    fn diffusion_dx(&self, _t: f64, _x: f64) -> Option<f64> {
        Some(self.sigma)
    }
}

/// Fractional OU, `dX = theta (mu - X) dt + sigma dB^H` (Cheridito, Kawaguchi & Maejima 2003):
/// the [`Ou`] drift and diffusion, driven by fBM of the model's `H`: build the driver with
/// [`FractionalOu::driver`] (ensembles reject a driver of another `H`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FractionalOu {
    /// The drift and diffusion (OU).
    pub ou: Ou,
    /// Hurst index `H` in (0, 1).
    pub hurst: f64,
}

impl FractionalOu {
    /// Validated constructor.
    pub fn new(theta: f64, mu: f64, sigma: f64, hurst: f64) -> Result<Self> {
        crate::error::check_open("hurst", hurst, 0.0, 1.0, "in (0, 1)")?;
        Ok(FractionalOu { ou: Ou::new(theta, mu, sigma)?, hurst })
    }

    /// The matching driver: one-component fBM of this model's `H` on `grid`
    /// ([`Driver::fractional`](super::Driver::fractional)`(grid, 1, self.hurst)`).
    pub fn driver(&self, grid: super::Grid) -> Result<super::Driver> {
        super::Driver::fractional(grid, 1, self.hurst)
    }

    /// Stationary variance `sigma^2 Gamma(2H + 1) / (2 theta^(2H))` (= `sigma^2 H Gamma(2H)
    /// theta^(-2H)`; Cheridito, Kawaguchi & Maejima 2003, Electron. J. Probab. 8, Thm 2.3 /
    /// Remark 2.4; `sigma^2 / (2 theta)` at `H = 1/2`). Verified numerically against the `h -> 0`
    /// limit of [`FractionalOu::em_variance`] in the unit tests.
    pub fn stationary_variance(&self) -> f64 {
        let h = self.hurst;
        self.ou.sigma * self.ou.sigma * statrs::function::gamma::gamma(2.0 * h + 1.0)
            / (2.0 * self.ou.theta.powf(2.0 * h))
    }

    /// Exact variance of the Euler chain `X_{k+1} = a X_k + sigma h^H xi_k` (`a = 1 - theta h`,
    /// `xi` unit fGn with autocorrelation `rho`) after `n` steps from a fixed start:
    /// `sigma^2 h^(2H) [ (1 - a^(2n)) + 2 sum_{k=1}^{n-1} rho(k) a^k (1 - a^(2(n-k))) ] / (1 - a^2)`
    /// (expand `X_n - E X_n = sigma h^H sum_j a^(n-1-j) xi_j` and group by lag `k`).
    pub fn em_variance(&self, n: usize, h: f64) -> f64 {
        let a = 1.0 - self.ou.theta * h;
        let a2 = a * a;
        let mut s = 1.0 - a2.powi(n as i32);
        let mut ak = 1.0;
        for k in 1..n {
            ak *= a;
            if ak.abs() < 1e-300 {
                break;
            }
            s += 2.0 * fgn_autocovariance(self.hurst, k) * ak * (1.0 - a2.powi((n - k) as i32));
        }
        self.ou.sigma * self.ou.sigma * h.powf(2.0 * self.hurst) * s / (1.0 - a2)
    }
}

impl ScalarModel for FractionalOu {
    #[inline]
    fn drift(&self, t: f64, x: f64) -> f64 {
        self.ou.drift(t, x)
    }
    #[inline]
    fn diffusion(&self, _t: f64, _x: f64) -> f64 {
        self.ou.sigma
    }
    fn diffusion_dx(&self, _t: f64, _x: f64) -> Option<f64> {
        Some(0.0)
    }
    fn linear_additive(&self) -> Option<LinearAdditive> {
        self.ou.linear_additive()
    }
    fn hurst(&self) -> Option<f64> {
        Some(self.hurst)
    }
}

/// Lévy-driven OU, `dX = -theta X dt + sigma dL` with `L_1 ~ S1(alpha, beta, 1, 0)`, to be driven
/// by [`super::Driver::stable`] with [`LevyOu::noise_law`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LevyOu {
    /// Mean-reversion rate.
    pub theta: f64,
    /// Noise amplitude.
    pub sigma: f64,
    /// Stability index of the driver.
    pub alpha: f64,
    /// Skewness of the driver.
    pub beta: f64,
}

impl LevyOu {
    /// Validated constructor.
    pub fn new(theta: f64, sigma: f64, alpha: f64, beta: f64) -> Result<Self> {
        check_positive("theta", theta)?;
        check_positive("sigma", sigma)?;
        Stable::standard(alpha, beta)?;
        Ok(LevyOu { theta, sigma, alpha, beta })
    }

    /// The law of `L_1`, `S1(alpha, beta, 1, 0)`.
    pub fn noise_law(&self) -> Stable {
        Stable::standard(self.alpha, self.beta).expect("validated in new")
    }

    /// Stationary law `S1(alpha, beta, sigma / (alpha theta)^(1/alpha), 0)` for `alpha != 1`:
    /// `X_inf = sigma int_0^inf e^(-theta s) dL_s` has log-characteristic function
    /// `int_0^inf psi(sigma e^(-theta s) u) ds` and `int_0^inf (sigma e^(-theta s))^alpha ds =
    /// sigma^alpha / (alpha theta)` (Samorodnitsky & Taqqu 1994, Prop. 3.4.1; Sato 1999, Thm 17.5).
    ///
    /// At `alpha = 1` the S1 exponent `psi(v) = -|v| (1 + i beta (2/pi) sgn(v) ln|v|)` adds a
    /// location (derived here from the same integral, with `ln|v| = ln sigma - theta s + ln|u|`
    /// and `int_0^inf s e^(-theta s) ds = 1/theta^2`):
    /// `S1(1, beta, sigma/theta, -(2/pi) beta sigma (ln sigma - 1)/theta)`. Confirmed as the
    /// `h -> 0` limit of [`LevyOu::em_law`] (unit test `levy_ou_alpha_one_skewed_laws`).
    pub fn stationary_law(&self) -> Result<Stable> {
        let scale = self.sigma / (self.alpha * self.theta).powf(1.0 / self.alpha);
        let loc = if self.has_log_term() {
            -std::f64::consts::FRAC_2_PI * self.beta * self.sigma * (self.sigma.ln() - 1.0) / self.theta
        } else {
            0.0
        };
        Stable::new(self.alpha, self.beta, scale, loc, Parametrization::S1)
    }

    /// Exact law of the Euler chain `X_{k+1} = a X_k + sigma L_h`, `a = 1 - theta h` in (0, 1),
    /// after `n` steps from `x0`: `S1(alpha, beta, sigma h^(1/alpha) ((1 - a^(alpha n)) /
    /// (1 - a^alpha))^(1/alpha), x0 a^n)` (sum of independent S1 variables with common alpha, beta
    /// and location 0; Samorodnitsky & Taqqu Property 1.2.1), for `alpha != 1` or `beta = 0`.
    ///
    /// `alpha = 1, beta != 0`: `c L_h` (`c > 0`, `L_h ~ S1(1, beta, h, 0)`) is
    /// `S1(1, beta, c h, -(2/pi) beta c h ln c)` (Property 1.2.3), so with `c_j = sigma a^j`,
    /// `X_n ~ S1(1, beta, sigma h A0, x0 a^n - (2/pi) beta sigma h (A0 ln sigma + A1 ln a))`,
    /// `A0 = sum_{j<n} a^j`, `A1 = sum_{j<n} j a^j` (derived; confirmed by the validation case
    /// `sde/levy-ou-alpha1-skewed`, whose ECF z-scores fail when the driver drops its `h ln h`
    /// location term).
    pub fn em_law(&self, n: usize, h: f64, x0: f64) -> Result<Stable> {
        let a = 1.0 - self.theta * h;
        if !(a > 0.0 && a < 1.0) {
            return Err(Error::InvalidParameter {
                name: "h",
                value: h,
                allowed: crate::error::Allowed("in (0, 1/theta) so that 0 < 1 - theta h < 1"),
            });
        }
        let aa = a.powf(self.alpha);
        let scale =
            self.sigma * h.powf(1.0 / self.alpha) * ((1.0 - aa.powi(n as i32)) / (1.0 - aa)).powf(1.0 / self.alpha);
        let mut loc = x0 * a.powi(n as i32);
        if self.has_log_term() {
            let (mut a0, mut a1, mut aj) = (0.0, 0.0, 1.0);
            for j in 0..n {
                a0 += aj;
                a1 += j as f64 * aj;
                aj *= a;
                if aj < 1e-300 {
                    break;
                }
            }
            loc -= std::f64::consts::FRAC_2_PI * self.beta * self.sigma * h * (a0 * self.sigma.ln() + a1 * a.ln());
        }
        Stable::new(self.alpha, self.beta, scale, loc, Parametrization::S1)
    }

    fn has_log_term(&self) -> bool {
        self.alpha == 1.0 && self.beta != 0.0
    }
}

impl ScalarModel for LevyOu {
    #[inline]
    fn drift(&self, _t: f64, x: f64) -> f64 {
        -self.theta * x
    }
    #[inline]
    fn diffusion(&self, _t: f64, _x: f64) -> f64 {
        self.sigma
    }
    fn linear_additive(&self) -> Option<LinearAdditive> {
        Some(LinearAdditive { k: self.theta, m: 0.0, s: self.sigma })
    }
}

/// Composite Simpson rule of `f` on `[lo, hi]` with `n` (even) intervals.
fn simpson<F: Fn(f64) -> f64>(f: F, lo: f64, hi: f64, n: usize) -> f64 {
    let h = (hi - lo) / n as f64;
    let mut s = f(lo) + f(hi);
    for i in 1..n {
        s += f(lo + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    s * h / 3.0
}

/// Double well, `dX = -U'(X) dt + sigma dW` with `U(x) = a x^4/4 - b x^2/2` (minima at
/// `+-sqrt(b/a)`, barrier `b^2/(4a)`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DoubleWell {
    /// Quartic coefficient `a > 0`.
    pub a: f64,
    /// Quadratic coefficient `b > 0`.
    pub b: f64,
    /// Noise amplitude.
    pub sigma: f64,
}

impl DoubleWell {
    /// Validated constructor.
    pub fn new(a: f64, b: f64, sigma: f64) -> Result<Self> {
        check_positive("a", a)?;
        check_positive("b", b)?;
        check_positive("sigma", sigma)?;
        Ok(DoubleWell { a, b, sigma })
    }

    /// The potential `U(x)`.
    pub fn potential(&self, x: f64) -> f64 {
        let x2 = x * x;
        self.a * x2 * x2 / 4.0 - self.b * x2 / 2.0
    }

    fn support(&self) -> f64 {
        // exp(-2 U / sigma^2) < e^-60 beyond this.
        let s2 = self.sigma * self.sigma;
        (2.0 * (self.b / self.a).sqrt())
            .max((4.0 * (30.0 * s2 / 2.0 + self.b * self.b / self.a) / self.a).sqrt().sqrt() * 1.5)
    }

    /// Stationary density `exp(-2 U(x) / sigma^2) / Z` (Gardiner 2009, eq. 5.3.13), `Z` by
    /// Simpson's rule on 20000 intervals.
    pub fn stationary_pdf(&self, x: f64) -> f64 {
        let s2 = self.sigma * self.sigma;
        let r = self.support();
        let z = simpson(|y| (-2.0 * self.potential(y) / s2).exp(), -r, r, 20_000);
        (-2.0 * self.potential(x) / s2).exp() / z
    }

    /// Stationary `E X^2` (quadrature).
    pub fn stationary_second_moment(&self) -> f64 {
        let s2 = self.sigma * self.sigma;
        let r = self.support();
        let w = |y: f64| (-2.0 * self.potential(y) / s2).exp();
        simpson(|y| y * y * w(y), -r, r, 20_000) / simpson(w, -r, r, 20_000)
    }
}

impl ScalarModel for DoubleWell {
    #[inline]
    fn drift(&self, _t: f64, x: f64) -> f64 {
        x * (self.b - self.a * x * x)
    }
    #[inline]
    fn diffusion(&self, _t: f64, _x: f64) -> f64 {
        self.sigma
    }
    fn diffusion_dx(&self, _t: f64, _x: f64) -> Option<f64> {
        Some(0.0)
    }
}

/// Power-law dynamic near a minimum (state-dependent SGD noise):
/// `dX = -h X dt + sqrt(2 eta (sigma_g + sigma_h X^2)) dW` (Itô).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PowerLaw {
    /// Curvature `h > 0`.
    pub h: f64,
    /// Learning rate `eta > 0`.
    pub eta: f64,
    /// Constant part of the gradient-noise variance, `sigma_g > 0`.
    pub sigma_g: f64,
    /// Quadratic part, `sigma_h > 0`.
    pub sigma_h: f64,
}

impl PowerLaw {
    /// Validated constructor.
    pub fn new(h: f64, eta: f64, sigma_g: f64, sigma_h: f64) -> Result<Self> {
        check_positive("h", h)?;
        check_positive("eta", eta)?;
        check_positive("sigma_g", sigma_g)?;
        check_positive("sigma_h", sigma_h)?;
        Ok(PowerLaw { h, eta, sigma_g, sigma_h })
    }

    /// Tail exponent `kappa = 1 + h / (2 eta sigma_h)` of the stationary density
    /// `p(x) ~ (sigma_g + sigma_h x^2)^(-kappa)` (Itô). From the stationary Fokker–Planck equation
    /// `b p = (1/2) (g^2 p)'` with `b = -h x`, `g^2 = 2 eta C(x)`: `(g^2 p)'/(g^2 p) =
    /// -h x / (eta C)`, so `g^2 p ~ C^(-h/(2 eta sigma_h))` (Gardiner 2009, eq. 5.3.13).
    pub fn kappa(&self) -> f64 {
        1.0 + self.h / (2.0 * self.eta * self.sigma_h)
    }

    /// Degrees of freedom `nu = 2 kappa - 1 = 1 + h / (eta sigma_h)` of the stationary law:
    /// `X sqrt(sigma_h nu / sigma_g) ~ t_nu` (Student).
    pub fn nu(&self) -> f64 {
        2.0 * self.kappa() - 1.0
    }

    /// Stationary CDF: `F(x) = T_nu(x sqrt(sigma_h nu / sigma_g))`.
    pub fn stationary_cdf(&self, x: f64) -> f64 {
        use statrs::distribution::{ContinuousCDF, StudentsT};
        let nu = self.nu();
        let t = StudentsT::new(0.0, 1.0, nu).expect("nu > 1");
        t.cdf(x * (self.sigma_h * nu / self.sigma_g).sqrt())
    }

    /// Stationary variance `sigma_g / (sigma_h (nu - 2))` for `nu > 2` (`= eta sigma_g / (h - eta
    /// sigma_h)`), infinite otherwise.
    pub fn stationary_variance(&self) -> f64 {
        let nu = self.nu();
        if nu > 2.0 {
            self.sigma_g / (self.sigma_h * (nu - 2.0))
        } else {
            f64::INFINITY
        }
    }
}

impl ScalarModel for PowerLaw {
    #[inline]
    fn drift(&self, _t: f64, x: f64) -> f64 {
        -self.h * x
    }
    #[inline]
    fn diffusion(&self, _t: f64, x: f64) -> f64 {
        (2.0 * self.eta * (self.sigma_g + self.sigma_h * x * x)).sqrt()
    }
    #[inline]
    fn diffusion_dx(&self, t: f64, x: f64) -> Option<f64> {
        Some(2.0 * self.eta * self.sigma_h * x / self.diffusion(t, x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fOU stationary variance closed form equals the small-step limit of the exact Euler
    /// variance (which is a plain geometric/fGn sum, no closed form assumed).
    #[test]
    fn fou_closed_form_matches_euler_limit() {
        for &hurst in &[0.3, 0.5, 0.7, 0.9] {
            let m = FractionalOu::new(1.5, 0.0, 0.8, hurst).unwrap();
            let h = 1e-4;
            let em = m.em_variance(400_000, h);
            let exact = m.stationary_variance();
            let rel = (em - exact).abs() / exact;
            assert!(rel < 2e-3, "H {hurst}: Euler {em} vs closed form {exact} (rel {rel:e})");
        }
        let ou = Ou::new(1.5, 0.0, 0.8).unwrap();
        let f = FractionalOu::new(1.5, 0.0, 0.8, 0.5).unwrap();
        assert!((ou.em_variance(500, 0.01) - f.em_variance(500, 0.01)).abs() < 1e-14);
    }

    /// `alpha = 1, beta != 0`: the Euler-chain law tends to the stationary law as `h -> 0`
    /// (both derived with the log term); with `beta = 0` the log term vanishes.
    #[test]
    fn levy_ou_alpha_one_skewed_laws() {
        let lo = LevyOu::new(0.7, 0.6, 1.0, -0.8).unwrap();
        let st = lo.stationary_law().unwrap();
        assert!(st.location().abs() > 0.1);
        let em = lo.em_law(4_000_000, 1e-5, 0.3).unwrap();
        assert!((em.scale() / st.scale() - 1.0).abs() < 1e-4, "{} {}", em.scale(), st.scale());
        assert!((em.location() - st.location()).abs() < 1e-3 * st.scale(), "{} {}", em.location(), st.location());
        let sym = LevyOu::new(0.7, 0.6, 1.0, 0.0).unwrap();
        assert!((sym.em_law(100, 0.01, 0.3).unwrap().location() - 0.3 * (1.0 - 0.7 * 0.01f64).powi(100)).abs() < 1e-15);
        assert_eq!(sym.stationary_law().unwrap().location(), 0.0);
    }

    #[test]
    fn closed_forms_basic_identities() {
        let pl = PowerLaw::new(1.0, 0.1, 0.5, 2.0).unwrap();
        assert!((pl.nu() - 6.0).abs() < 1e-12);
        assert!((pl.stationary_cdf(0.0) - 0.5).abs() < 1e-12);
        // Variance from the Student law equals eta sigma_g / (h - eta sigma_h).
        assert!((pl.stationary_variance() - 0.1 * 0.5 / (1.0 - 0.2)).abs() < 1e-12);
        let dw = DoubleWell::new(1.0, 1.0, 0.7).unwrap();
        let r = 4.0;
        let total = simpson(|x| dw.stationary_pdf(x), -r, r, 4000);
        assert!((total - 1.0).abs() < 1e-9);
        let lo = LevyOu::new(2.0, 1.0, 1.5, 0.5).unwrap();
        let st = lo.stationary_law().unwrap();
        let em = lo.em_law(2_000_000, 1e-5, 0.0).unwrap();
        assert!((st.scale() - em.scale()).abs() / st.scale() < 1e-4);
        assert!(Ou::new(0.0, 0.0, 1.0).is_err());
        assert!(PowerLaw::new(1.0, 0.1, 0.5, f64::NAN).is_err());
    }
}
