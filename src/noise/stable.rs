//! Alpha-stable distributions: exact sampling (Chambers–Mallows–Stuck), the characteristic
//! function in Nolan's S0 and S1 parametrisations, and the closed-form CDF/PDF of the three
//! special cases that have one (Gaussian, Cauchy, Lévy).
//!
//! # Parametrisations (Nolan 2020, *Univariate Stable Distributions*, Springer, §1.3 and Table 3.1)
//! A stable law has index `alpha` in (0, 2], skewness `beta` in [-1, 1], scale `gamma > 0` and a
//! location `delta` whose meaning depends on the parametrisation. With `sgn` the sign function and
//! `tan(pi alpha / 2)` written `t_a`:
//!
//! **S1** (Samorodnitsky & Taqqu's `S_alpha(sigma, beta, mu)`; scipy's default `S1`):
//! - `alpha != 1`: `log E e^{iuX} = i delta1 u - |gamma u|^alpha (1 - i beta sgn(u) t_a)`
//! - `alpha == 1`: `log E e^{iuX} = i delta1 u - gamma |u| (1 + i beta (2/pi) sgn(u) ln|u|)`
//!
//! **S0** (Zolotarev's (M) form with a plain scale and shift):
//! - `alpha != 1`: `log E e^{iuX} = i delta0 u - |gamma u|^alpha (1 + i beta sgn(u) t_a (|gamma u|^(1-alpha) - 1))`
//! - `alpha == 1`: `log E e^{iuX} = i delta0 u - gamma |u| (1 + i beta (2/pi) sgn(u) ln(gamma |u|))`
//!
//! The same law in both (same `alpha`, `beta`, `gamma`) has locations related by
//! - `delta0 = delta1 + beta gamma tan(pi alpha / 2)` for `alpha != 1`,
//! - `delta0 = delta1 + beta (2/pi) gamma ln(gamma)` for `alpha == 1`.
//!
//! (Verified: the relation follows by equating the two characteristic functions above, which are
//! the ones documented for scipy's `levy_stable`; Rmetrics `stabledist` (Nolan's algorithms)
//! converts `pm = 1` to `pm = 0` with exactly these two shifts.)
//!
//! S0 is jointly continuous in all four parameters, so it is the one to use for numerical work
//! and for `alpha` near 1; S1 has the simpler characteristic function but its location jumps by
//! `beta gamma tan(pi alpha / 2) -> +-inf` as `alpha -> 1`. In S1, `delta1` is the mean when
//! `alpha > 1`; for `alpha < 1, beta = 1` the support is `[delta1, inf)` (mirrored for `beta = -1`).
//!
//! # Special cases (read this: the scale at `alpha = 2` surprises people)
//! - **`alpha = 2` is Gaussian with variance `2 gamma^2`, not `gamma^2`:**
//!   `S(2, beta, gamma, delta) = N(delta, 2 gamma^2)` for every `beta` (beta has no effect; both
//!   parametrisations coincide since `tan(pi) = 0`). For a `N(mu, sigma^2)` law use
//!   `gamma = sigma / sqrt(2)`.
//! - `alpha = 1, beta = 0`: Cauchy with location `delta` and scale `gamma`.
//! - `alpha = 1/2, beta = 1` in S1: Lévy, `F(x) = erfc(sqrt(gamma / (2 (x - delta1))))` for
//!   `x > delta1`; `beta = -1` is its mirror image.
//!
//! # Sampler
//! Chambers, Mallows & Stuck (1976, JASA 71:340–344) in the form of Weron (1996, Statist. Probab.
//! Lett. 28:165–171, eqs. (3)–(4), with Weron's correction of the `alpha = 1` case).
//! With `V ~ U(-pi/2, pi/2)` and `W ~ Exp(1)` independent, `xi = arctan(beta tan(pi alpha/2))`,
//! `B = xi / alpha`, `S = (1 + beta^2 tan^2(pi alpha/2))^(1/(2 alpha)) = cos(xi)^(-1/alpha)`:
//! - `alpha != 1`: `Z = S sin(alpha (V + B)) / cos(V)^(1/alpha) * [cos(V - alpha (V + B)) / W]^((1-alpha)/alpha)`,
//! - `alpha == 1`: `Z = (2/pi) [(pi/2 + beta V) tan V - beta ln((pi/2) W cos V / (pi/2 + beta V))]`,
//!
//! and `Z ~ S1(alpha, beta, 1, 0)`. Then `X = gamma Z + delta1` (`alpha != 1`) or
//! `X = gamma Z + delta1 + beta (2/pi) gamma ln gamma` (`alpha == 1`), converting `delta0` to
//! `delta1` first for S0.
//!
//! Implementation notes:
//! - The two powers are evaluated as one exponential,
//!   `Z = sin(alpha V + xi) exp([(1-alpha) ln(cos(V - alpha V - xi)/W) - ln cos V - ln cos xi] / alpha)`.
//! - The angle is `V = (pi/2) s` with `s = (2k + 1 - 2^52) / 2^52`, `k` the top 52 bits of one
//!   `u64`: `s` is never 0 or +-1, so `V != +-pi/2` and `cos V > 0`; `cos V` is computed as
//!   `sin((pi/2)(1 - |s|))` and `pi/2 + beta V` as `(pi/2)(1 + beta s)`, both exact-argument forms
//!   that stay accurate at the ends of the interval (no cancellation of `pi/2 - V`).
//! - `W` is drawn with `rand_distr::Exp1` (ziggurat) and clamped to `[f64::MIN_POSITIVE, f64::MAX]`
//!   (the ziggurat never returns 0; the clamp only guards `ln`). The cosine under the power is
//!   clamped below by `f64::MIN_POSITIVE` (it is >= 0 exactly, but may round to a tiny negative).
//! - **S0 near `alpha = 1`**: `Z - beta tan(pi alpha / 2)` (the S0 variate) cancels two terms of
//!   size `1/|1 - alpha|`. For S0 with `beta != 0` and `|1 - alpha| < 0.1` the sampler uses the
//!   rearrangement (derived here from the formula above; `tau = beta tan(pi alpha/2)`,
//!   `e = 1 - alpha`):
//!   `Z - tau = (sin(alpha V)/cos V) E + tau [((cos(eV) - 1) + tan V sin(eV)) E + (E - 1)]`,
//!   `E = T^(e/alpha)`, `T = (cos(eV) + tau sin(eV)) / (W cos V)`, with `E - 1 = expm1(...)` and
//!   `cos(eV) - 1` formed without cancellation: every term is O(1), so S0 samples are continuous
//!   in `alpha` through 1 (and tend to the `alpha = 1` formula as `e -> 0`). The evaluation
//!   (one `sin_cos` for `V`, `sin(alpha V)/cos V = tan V cos(eV) - sin(eV)`, `E` and `E - 1`
//!   from one reduction) is documented at `Stable::near_one_finish`.
//! - Fast paths: `alpha = 2` uses `sqrt(2) gamma N(0,1) + delta` with `rand_distr::StandardNormal`
//!   (ziggurat with exact tail); `alpha = 1, beta = 0` uses `gamma tan V + delta` (one `u64`);
//!   `alpha = 1/2, beta = +-1` (Lévy) uses `beta gamma / N^2 + delta1` (one normal), since
//!   `P(1/N^2 <= x) = erfc(1/sqrt(2x))`.
//! - Speed: the general, `alpha = 1`, Cauchy and S0 near-one formulas use the inlined
//!   `exp`/`expm1`/`ln`/`sin`/`cos` kernels of `noise::fastmath` (fdlibm's polynomials, a few
//!   ulp), and [`Stable::fill`] works in blocks of 64 (random numbers first, in `sample` order,
//!   then the arithmetic in branch-free loops, one loop per stage of the general and near-one
//!   formulas, which vectorise; an AVX2 instance is chosen at run time). No FMA is used and
//!   nothing is reassociated, so `fill` gives the same bits as repeated `sample` calls and the
//!   same bits on every x86-64 CPU and with `-C target-cpu=native` (unit tests
//!   `avx2_instance_gives_baseline_bits`, `fill_digest`). Unit tests check the variates against
//!   the same formulas with the C library: `fill_matches_libm_reference_on_a_grid` (the blocked
//!   path, alpha from 0.3 to 1.99 with 1 -+ 1e-9, 1.0001, beta = +-1, S0 and S1) and
//!   `fast_kernels_match_libm_formulas` / `near_one_kernels_match_libm_formula` (the ends of the
//!   angle interval, `W` from 1e-300 to 40), all to `1e-12` relative (the near-one formula
//!   relative to the sum of its terms' magnitudes; measured worst 4e-15 and 7e-15).
//!   The S0 near-one formula used the C library (`expm1`, `sin_cos`) until 2026-12-04: its
//!   variates changed in the last bits then; the other formulas' bits did not change.
//!
//! # Overflow (tiny `alpha`): saturation
//! No valid parameter set produces NaN or an infinity. A variate whose exact value `X` has
//! `|X| > f64::MAX` (more precisely: rounds above it) is returned as `+-f64::MAX` with the sign of
//! `X` (saturated); every other variate is the correctly computed finite value, never a capped
//! one. In the general formula the product `gamma sin(alpha V + xi) exp(t)` is formed without
//! intermediate overflow (the scale and the power of two of `exp(t)` are applied last, as finite
//! powers of two: `noise::fastmath::mul_exp_scaled`), so the decision is exact for every `alpha`
//! and `gamma`, e.g. `gamma < 1` does not saturate a `Z` just above `f64::MAX` and a huge `t` does
//! not lose the small factor `sin(alpha V + xi) ~ alpha V`. A saturated value is finite: sums of
//! many of them can still overflow downstream (`2 f64::MAX = inf`), as with any data this large.
//!
//! Saturation only happens for very small `alpha` (or an enormous `gamma`). Its probability
//! follows from the representation above (derived here; for `alpha < 1`, `Z` is decreasing in
//! `W`): `|Z| > x` iff `W < (A(V) / x)^(alpha/(1-alpha))` with
//! `A(V) = |sin(alpha V + xi)| cos(xi)^(-1/alpha) cos(V)^(-1/alpha) cos((1-alpha)V - xi)^((1-alpha)/alpha)`,
//! so, with `x = (f64::MAX - delta1) / gamma` (`delta1` negligible),
//! `P(X = +f64::MAX) = (1/pi) int_{sin(alpha V + xi) > 0} [1 - exp(-(A(V)/x)^(alpha/(1-alpha)))] dV`
//! over `V` in `(-pi/2, pi/2)` (and `sin < 0` for `-f64::MAX`). For `beta = 0, gamma = 1`:
//! `P(|X| = f64::MAX) = 0.38827` at `alpha = 0.001` (mpmath quadrature; a Monte Carlo of the
//! formula in log space agrees), `8.2e-4` at `alpha = 0.01`, `1.1e-31` at `alpha = 0.1`.
//! (The tail asymptote `C_alpha x^(-alpha)`, `C_alpha = (1-alpha)/(Gamma(2-alpha) cos(pi alpha/2))`,
//! says 0.49 at `alpha = 0.001`: it is not accurate when `x^(-alpha)` is not small.) The test
//! `small_alpha_saturates_with_the_exact_probability` in `tests/noise_stable.rs` counts saturated
//! values against this integral.
//!
//! # Random-number consumption
//! General case: one `u64` (the angle), then one `Exp1` draw. `alpha = 2` and Lévy: one
//! `StandardNormal` draw. Cauchy: one `u64`. [`Stable::fill`] draws exactly as repeated [`Stable::sample`] calls.

use super::fastmath as fm;
use super::stable_law::{std_eval, What};
use crate::error::{check_closed, check_finite, check_positive, Allowed, Error, Result};
use crate::rng::Seed;
use ndarray::{ArrayViewMut1, ArrayViewMut2, Axis};
use num_complex::Complex64;
use rand::Rng;
use rand_distr::{Distribution, Exp1, StandardNormal};
use rayon::prelude::*;
use std::f64::consts::{FRAC_2_PI, FRAC_PI_2, PI, SQRT_2};

/// Nolan's parametrisations of a stable law (see the [module documentation](self) for the
/// characteristic functions and the location shift between them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Parametrization {
    /// Nolan's S0: continuous in all parameters; `delta0 = delta1 + beta gamma tan(pi alpha/2)`
    /// (`alpha != 1`), `delta0 = delta1 + beta (2/pi) gamma ln gamma` (`alpha = 1`).
    S0,
    /// Nolan's S1 (Samorodnitsky–Taqqu): the simpler characteristic function; discontinuous at
    /// `alpha = 1` when `beta != 0`.
    S1,
}

/// Which sampling formula a distribution uses (chosen once in [`Stable::new`]).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// `alpha = 2`: `sqrt(2) gamma N + delta`.
    Gaussian,
    /// `alpha = 1, beta = 0`: `gamma tan V + delta`.
    Cauchy,
    /// `alpha = 1/2, beta = +-1`: Lévy, `beta gamma / N^2 + delta1`, `N ~ N(0, 1)`.
    Levy,
    /// `alpha = 1, beta != 0`: Weron's `alpha = 1` formula.
    AlphaOne,
    /// Weron's `alpha != 1` formula (S1 standard variate, then scale and shift).
    General,
    /// S0, `beta != 0`, `|1 - alpha| < 0.1`: cancellation-free S0 rearrangement.
    NearOneS0,
}

/// Below this `|1 - alpha|` (S0, `beta != 0`) the cancellation-free S0 formula is used.
const NEAR_ONE: f64 = 0.1;

/// An alpha-stable distribution `S(alpha, beta, gamma, delta; k)` in Nolan's parametrisation
/// `k` in {0, 1} (see the [module documentation](self): formulas, special cases, the
/// `alpha = 2` variance `2 gamma^2`, and overflow behaviour).
///
/// Per-distribution constants of the Chambers–Mallows–Stuck sampler are computed once in
/// [`Stable::new`]; [`Stable::fill`] writes many variates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stable {
    alpha: f64,
    beta: f64,
    scale: f64,
    location: f64,
    param: Parametrization,
    kind: Kind,
    /// `1 / alpha` (saturated at `f64::MAX`).
    inv_alpha: f64,
    /// `1 - alpha`.
    eps: f64,
    /// `xi = arctan(beta tan(pi alpha/2)) = alpha B`.
    xi: f64,
    /// `tau = beta tan(pi alpha/2)` (0 at `alpha = 1`).
    tau: f64,
    /// `-ln cos xi = ln(1 + tau^2) / 2` (so that `S = exp(k / alpha)`).
    neg_ln_cos_xi: f64,
    /// Output is `out_scale * Z + out_shift`.
    out_scale: f64,
    /// `out_scale = scale_mant 2^scale_exp2`, `scale_mant` in `[1, 2)` (general formula: the scale
    /// joins the exponential, [`fm::mul_exp_scaled`]).
    scale_mant: f64,
    /// See `scale_mant` (an integer-valued float).
    scale_exp2: f64,
    /// Output shift (see [`Stable::new`]).
    out_shift: f64,
}

/// `tan(pi alpha / 2)`, evaluated from an exactly computed small argument so that it is exact
/// (0) at `alpha = 2` and accurate near `alpha = 1` (where it is `cot(pi (1 - alpha) / 2)`).
/// Infinite at `alpha = 1` (never used there).
pub(crate) fn tan_half_pi(alpha: f64) -> f64 {
    if alpha == 1.0 {
        f64::INFINITY
    } else if alpha < 0.5 {
        (FRAC_PI_2 * alpha).tan()
    } else if alpha <= 1.5 {
        // 1 - alpha is exact here (Sterbenz).
        1.0 / (FRAC_PI_2 * (1.0 - alpha)).tan()
    } else {
        // tan(pi alpha/2) = -tan(pi (2 - alpha)/2); 2 - alpha exact.
        -(FRAC_PI_2 * (2.0 - alpha)).tan()
    }
}

impl Stable {
    /// The stable law `S(alpha, beta, scale, location; param)`.
    ///
    /// Requires `alpha` in (0, 2], `beta` in [-1, 1], `scale` finite and > 0, `location` finite
    /// (otherwise [`Error::InvalidParameter`]). Also rejects the (absurd) case where the S0/S1
    /// location shift `beta scale tan(pi alpha/2)` or `beta (2/pi) scale ln(scale)` overflows, and
    /// at `alpha = 2` a scale above `f64::MAX / sqrt(2)` (the standard deviation `sqrt(2) scale`
    /// would be infinite).
    ///
    /// Remember: `alpha = 2` is `N(location, 2 scale^2)` whatever `beta`.
    pub fn new(alpha: f64, beta: f64, scale: f64, location: f64, param: Parametrization) -> Result<Self> {
        if !(alpha > 0.0 && alpha <= 2.0) {
            return Err(Error::InvalidParameter { name: "alpha", value: alpha, allowed: Allowed("in (0, 2]") });
        }
        check_closed("beta", beta, -1.0, 1.0, "in [-1, 1]")?;
        check_positive("scale", scale)?;
        check_finite("location", location)?;

        let eps = 1.0 - alpha;
        let inv_alpha = (1.0 / alpha).min(f64::MAX);
        let (tau, xi, neg_ln_cos_xi) = if alpha == 1.0 || alpha == 2.0 {
            (0.0, 0.0, 0.0)
        } else {
            let tau = beta * tan_half_pi(alpha);
            (tau, tau.atan(), 0.5 * (tau * tau).ln_1p())
        };
        let kind = if alpha == 2.0 {
            Kind::Gaussian
        } else if alpha == 1.0 {
            if beta == 0.0 {
                Kind::Cauchy
            } else {
                Kind::AlphaOne
            }
        } else if alpha == 0.5 && beta.abs() == 1.0 {
            Kind::Levy
        } else if param == Parametrization::S0 && beta != 0.0 && eps.abs() < NEAR_ONE {
            Kind::NearOneS0
        } else {
            Kind::General
        };
        // The standard variate Z is S1(alpha, beta, 1, 0) except in NearOneS0 (S0(alpha, beta, 1, 0)).
        let (out_scale, out_shift) = match kind {
            Kind::Gaussian => (SQRT_2 * scale, location),
            Kind::Cauchy => (scale, location),
            Kind::AlphaOne => match param {
                Parametrization::S1 => (scale, location + beta * FRAC_2_PI * scale * scale.ln()),
                Parametrization::S0 => (scale, location),
            },
            Kind::General => match param {
                Parametrization::S1 => (scale, location),
                Parametrization::S0 => (scale, location - scale * tau),
            },
            Kind::Levy => match param {
                Parametrization::S1 => (beta * scale, location),
                Parametrization::S0 => (beta * scale, location - scale * tau),
            },
            Kind::NearOneS0 => (scale, location),
        };
        if !out_scale.is_finite() {
            // alpha = 2: sqrt(2) scale overflows.
            return Err(Error::InvalidParameter {
                name: "scale",
                value: scale,
                allowed: Allowed("finite and > 0, with sqrt(2) scale finite at alpha = 2"),
            });
        }
        if !out_shift.is_finite() {
            return Err(Error::InvalidParameter {
                name: "scale",
                value: scale,
                allowed: Allowed("small enough that the S0/S1 location shift is finite"),
            });
        }
        let (scale_mant, scale_exp2) = fm::split_pow2(out_scale.abs());
        Ok(Stable {
            alpha,
            beta,
            scale,
            location,
            param,
            kind,
            inv_alpha,
            eps,
            xi,
            tau,
            neg_ln_cos_xi,
            out_scale,
            out_shift,
            scale_mant,
            scale_exp2,
        })
    }

    /// The standard law `S1(alpha, beta, 1, 0)` (the output of the CMS formula).
    pub fn standard(alpha: f64, beta: f64) -> Result<Self> {
        Self::new(alpha, beta, 1.0, 0.0, Parametrization::S1)
    }

    /// Index of stability `alpha` in (0, 2].
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Skewness `beta` in [-1, 1].
    pub fn beta(&self) -> f64 {
        self.beta
    }

    /// Scale `gamma > 0`.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// Location `delta` in this distribution's parametrisation.
    pub fn location(&self) -> f64 {
        self.location
    }

    /// The parametrisation the location refers to.
    pub fn parametrization(&self) -> Parametrization {
        self.param
    }

    /// The location of this same law in parametrisation `param`:
    /// `delta0 = delta1 + beta gamma tan(pi alpha/2)` (`alpha != 1`),
    /// `delta0 = delta1 + beta (2/pi) gamma ln gamma` (`alpha = 1`); Nolan (2020), Table 3.1.
    pub fn location_in(&self, param: Parametrization) -> f64 {
        if param == self.param {
            return self.location;
        }
        let shift = if self.alpha == 1.0 {
            self.beta * FRAC_2_PI * self.scale * self.scale.ln()
        } else if self.alpha == 2.0 {
            0.0
        } else {
            self.scale * self.tau
        };
        match param {
            Parametrization::S0 => self.location + shift,
            Parametrization::S1 => self.location - shift,
        }
    }

    /// The same law expressed in parametrisation `param` (location converted by
    /// [`Stable::location_in`]).
    pub fn to_parametrization(&self, param: Parametrization) -> Result<Self> {
        Self::new(self.alpha, self.beta, self.scale, self.location_in(param), param)
    }

    /// The law of `L_h` (`h > 0`) for the Lévy process whose value at time 1 has this law:
    /// `log E e^{iuL_h} = h log E e^{iuL_1}` (Sato 1999, *Lévy Processes and Infinitely Divisible
    /// Distributions*, Thm 7.10).
    ///
    /// - **S1** (Samorodnitsky & Taqqu 1994, Property 1.2.3 with Def. 1.1.6; the S1 exponent scales
    ///   as a whole, including its `alpha = 1` log term):
    ///   `S1(alpha, beta, gamma h^(1/alpha), h delta1)` for every `alpha`.
    /// - **S0** (derived here from the S0 exponent in the [module documentation](self): with
    ///   `gamma_h = gamma h^(1/alpha)`, `|gamma_h u|^alpha = h |gamma u|^alpha` and
    ///   `|gamma u|^alpha |gamma u|^(1-alpha) = |gamma u|`, matching the imaginary parts gives):
    ///   `S0(alpha, beta, gamma h^(1/alpha), delta_h)` with
    ///   `delta_h = h delta0 + beta gamma tan(pi alpha/2) (h^(1/alpha) - h)
    ///            = h delta0 + beta gamma tan(pi alpha/2) h expm1(((1 - alpha)/alpha) ln h)` (`alpha != 1`),
    ///   `delta_h = h delta0 + beta (2/pi) gamma h ln h` (`alpha = 1`, the limit of the former since
    ///   `tan(pi alpha/2) expm1(((1-alpha)/alpha) ln h) -> (2/pi) ln h`). Confirmed by the unit test
    ///   `step_law_char_fn_is_phi_to_the_h` (exact characteristic function of the result equals
    ///   `exp(h log phi_1(u))` to rounding for alpha in {0.5, 0.9, 1 -+ 1e-6, 1 -+ 1e-12, 1, 1.3, 1.9}).
    ///
    /// Which route is used: an S0 law with `beta != 0` and `0 < |1 - alpha| < 0.1` (the laws the
    /// S0 near-one sampler handles) gets the S0 formula and stays in S0. Every other law is scaled
    /// through S1 and returned in S1 (`S1(alpha, beta, gamma h^(1/alpha), h delta1)`, the same
    /// numbers as before this method existed, exact there). Through S1 near `alpha = 1` the
    /// location `delta1 = delta0 - beta gamma tan(pi alpha/2)` is huge and the sampled S1 variate
    /// cancels against it (an error of `2.5e-3 h` per step at `|1 - alpha| = 1e-12`, `~1e2 h` at
    /// `1e-14`); the S0 formula has no such cancellation and is continuous through `alpha = 1`.
    pub fn step_law(&self, h: f64) -> Result<Self> {
        check_positive("h", h)?;
        let a = self.alpha;
        let scale = self.scale * h.powf(1.0 / a);
        if self.kind == Kind::NearOneS0 {
            Self::new(a, self.beta, scale, self.s0_step_location(h), Parametrization::S0)
        } else {
            let loc = self.location_in(Parametrization::S1) * h;
            Self::new(a, self.beta, scale, loc, Parametrization::S1)
        }
    }

    /// `delta_h` of the S0 step law (see [`Stable::step_law`]), for any `alpha`.
    pub(crate) fn s0_step_location(&self, h: f64) -> f64 {
        let d0 = self.location_in(Parametrization::S0);
        let (a, b, g) = (self.alpha, self.beta, self.scale);
        if b == 0.0 || a == 2.0 {
            h * d0
        } else if a == 1.0 {
            h * d0 + b * FRAC_2_PI * g * h * h.ln()
        } else {
            h * d0 + b * g * tan_half_pi(a) * h * ((self.eps / a) * h.ln()).exp_m1()
        }
    }

    /// The characteristic function `E exp(i u X)` (formulas in the
    /// [module documentation](self), per parametrisation). In S0 with `alpha != 1` the factor
    /// `|gamma u|^(1-alpha) - 1` is evaluated as `expm1((1-alpha) ln|gamma u|)`, so the result is
    /// accurate (and continuous) as `alpha -> 1`.
    pub fn char_fn(&self, u: f64) -> Complex64 {
        let l = self.log_char_fn(u);
        Complex64::from_polar(l.re.exp(), l.im)
    }

    /// The log-characteristic function `log E exp(i u X)` (the exponent of [`Stable::char_fn`],
    /// unwrapped: the imaginary part is not reduced mod `2 pi`), so that the law of `L_h` of a
    /// Lévy process can be compared with `h log E exp(i u L_1)`.
    pub fn log_char_fn(&self, u: f64) -> Complex64 {
        if u == 0.0 {
            return Complex64::new(0.0, 0.0);
        }
        let (a, b, g, d) = (self.alpha, self.beta, self.scale, self.location);
        let au = u.abs();
        let sg = u.signum();
        let gu = g * au;
        let (re, im) = if a == 1.0 {
            let log_term = match self.param {
                Parametrization::S1 => au.ln(),
                Parametrization::S0 => gu.ln(),
            };
            (-gu, d * u - gu * b * FRAC_2_PI * sg * log_term)
        } else if a == 2.0 {
            (-gu * gu, d * u)
        } else {
            let p = gu.powf(a);
            let t = tan_half_pi(a);
            match self.param {
                Parametrization::S1 => (-p, d * u + p * b * sg * t),
                Parametrization::S0 => (-p, d * u - p * b * sg * t * ((1.0 - a) * gu.ln()).exp_m1()),
            }
        };
        Complex64::new(re, im)
    }

    /// The CDF `P(X <= x)`, for every parameter set (total: `NaN` only for a `NaN` `x`;
    /// `0`/`1` at `-inf`/`+inf`).
    ///
    /// Closed forms where they exist (exact to rounding):
    /// - `alpha = 2`: `Phi((x - delta) / (sqrt(2) gamma)) = erfc(-(x - delta)/(2 gamma))/2` (accurate in
    ///   both tails; `libm::erfc`, full double precision);
    /// - `alpha = 1, beta = 0`: `1/2 + arctan((x - delta)/gamma)/pi` (left tail as
    ///   `arctan(gamma/|x - delta|)/pi`, no cancellation);
    /// - `alpha = 1/2, beta = 1`: `erfc(sqrt(gamma / (2 (x - delta1))))` for `x > delta1`, else 0
    ///   (erfc, so the CDF near `delta1` is accurate to full relative precision);
    ///   `beta = -1`: `erf(sqrt(gamma / (2 (delta1 - x))))` for `x < delta1`, else 1.
    ///
    /// `delta1` is the S1 location ([`Stable::location_in`]). Every other law: Nolan's (1997)
    /// integral representation of the standard S0 law at `(x - delta0) / gamma`, with a tail
    /// series and an interpolation in `alpha` near 1 (formulas, switches and measured accuracy
    /// in `noise::stable_law`'s documentation, `src/noise/stable_law.rs`). Both tails are computed
    /// without `1 - F` cancellation (full relative accuracy in the left tail; [`Stable::sf`] for the right).
    pub fn cdf(&self, x: f64) -> f64 {
        use libm::{erf, erfc};
        if x.is_nan() {
            return f64::NAN;
        }
        let g = self.scale;
        if self.alpha == 2.0 {
            // Phi(z) = erfc(-z / sqrt 2) / 2 with z = (x - delta) / (sqrt(2) gamma).
            0.5 * erfc(-(x - self.location) / (2.0 * g))
        } else if self.alpha == 1.0 && self.beta == 0.0 {
            let z = (x - self.location) / g;
            if z < 0.0 {
                (-1.0 / z).atan() / PI
            } else {
                0.5 + z.atan() / PI
            }
        } else if self.alpha == 0.5 && self.beta.abs() == 1.0 {
            let d1 = self.location_in(Parametrization::S1);
            if self.beta == 1.0 {
                if x > d1 {
                    erfc((g / (2.0 * (x - d1))).sqrt())
                } else {
                    0.0
                }
            } else if x < d1 {
                erf((g / (2.0 * (d1 - x))).sqrt())
            } else {
                1.0
            }
        } else {
            std_eval(self.alpha, self.beta, self.standardize(x), What::Cdf)
        }
    }

    /// The survival function `P(X > x)`, for every parameter set, evaluated without `1 - F`
    /// cancellation in the upper tail (closed forms by reflection as in [`Stable::cdf`],
    /// otherwise the numerical evaluation of `noise::stable_law`).
    pub fn sf(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        if self.alpha == 2.0 || (self.alpha == 1.0 && self.beta == 0.0) || (self.alpha == 0.5 && self.beta.abs() == 1.0)
        {
            // Reflection: P(X > x) = P(-X < -x), and -X is the same family with beta -> -beta
            // and location -> -location (S1 for alpha != 1; beta = 0 at alpha = 1).
            let d1 = self.location_in(Parametrization::S1);
            match Stable::new(self.alpha, -self.beta, self.scale, -d1, Parametrization::S1) {
                Ok(mirrored) => mirrored.cdf(-x),
                Err(_) => 1.0 - self.cdf(x),
            }
        } else {
            std_eval(self.alpha, self.beta, self.standardize(x), What::Sf)
        }
    }

    /// The density, for every parameter set (total: `NaN` only for a `NaN` `x`; 0 outside the
    /// support, which is a half-line `[delta1, inf)` / `(-inf, delta1]` for `alpha < 1`,
    /// `beta = +-1`). Closed forms (same cases as [`Stable::cdf`]):
    /// `exp(-(x-delta)^2/(4 gamma^2)) / (2 gamma sqrt(pi))`; `1/(pi gamma (1 + z^2))`;
    /// `sqrt(gamma/(2 pi)) exp(-gamma/(2 y)) / y^(3/2)` with `y = x - delta1` (`beta = 1`) or
    /// `delta1 - x` (`beta = -1`), 0 outside the support; otherwise the numerical evaluation
    /// of `noise::stable_law` (Nolan 1997), `f(x) = f0((x - delta0)/gamma) / gamma`.
    pub fn pdf(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        let g = self.scale;
        if self.alpha == 2.0 {
            let z = (x - self.location) / g;
            (-0.25 * z * z).exp() / (2.0 * g * PI.sqrt())
        } else if self.alpha == 1.0 && self.beta == 0.0 {
            let z = (x - self.location) / g;
            1.0 / (PI * g * (1.0 + z * z))
        } else if self.alpha == 0.5 && self.beta.abs() == 1.0 {
            let d1 = self.location_in(Parametrization::S1);
            let y = if self.beta == 1.0 { x - d1 } else { d1 - x };
            if y > 0.0 {
                (g / (2.0 * PI)).sqrt() * (-g / (2.0 * y)).exp() / (y * y.sqrt())
            } else {
                0.0
            }
        } else {
            std_eval(self.alpha, self.beta, self.standardize(x), What::Pdf) / g
        }
    }

    /// `ln f(x)` ([`Stable::pdf`]; `-inf` outside the support or where the density underflows).
    /// The Gaussian case is evaluated in closed form in log space (no underflow).
    pub fn log_pdf(&self, x: f64) -> f64 {
        if self.alpha == 2.0 && !x.is_nan() {
            let z = (x - self.location) / self.scale;
            return -0.25 * z * z - (2.0 * self.scale * PI.sqrt()).ln();
        }
        self.pdf(x).ln()
    }

    /// The `p`-quantile, `inf {x : F(x) >= p}`, by safeguarded inversion: a bracket found by
    /// geometric expansion from the location, then Newton steps with the density, falling back
    /// to bisection whenever a step leaves the bracket (the bracket shrinks every iteration).
    /// For `p > 1/2` it solves `P(X > x) = 1 - p` ([`Stable::sf`]), so upper-tail quantiles keep
    /// their relative accuracy. Stops at a relative bracket width `1e-14` (or absolute
    /// `1e-300`). `p = 0` and `p = 1` give the ends of the support (`+-inf`, or the finite edge
    /// `delta1` for `alpha < 1`, `beta = +-1`).
    ///
    /// Errors: `p` not in `[0, 1]` (or NaN): [`Error::InvalidParameter`] naming `p`.
    pub fn quantile(&self, p: f64) -> Result<f64> {
        check_closed("p", p, 0.0, 1.0, "in [0, 1]")?;
        let edge =
            if self.alpha < 1.0 && self.beta.abs() == 1.0 { Some(self.location_in(Parametrization::S1)) } else { None };
        if p == 0.0 {
            return Ok(match edge {
                Some(e) if self.beta == 1.0 => e,
                _ => f64::NEG_INFINITY,
            });
        }
        if p == 1.0 {
            return Ok(match edge {
                Some(e) if self.beta == -1.0 => e,
                _ => f64::INFINITY,
            });
        }
        let upper = p > 0.5;
        // h(x) = F(x) - p (lower) or (1 - p) - S(x) (upper): increasing in x.
        let q = 1.0 - p;
        let h = |x: f64| if upper { q - self.sf(x) } else { self.cdf(x) - p };
        let x0 = self.location_in(Parametrization::S0);
        let g = self.scale;
        // Bracket [a, b] with h(a) < 0 <= h(b).
        let (mut a, mut b);
        let h0 = h(x0);
        if h0 < 0.0 {
            a = x0;
            let mut step = g;
            loop {
                b = a + step;
                if !b.is_finite() {
                    b = f64::MAX;
                    break;
                }
                if h(b) >= 0.0 {
                    break;
                }
                a = b;
                step *= 4.0;
            }
        } else {
            b = x0;
            let mut step = g;
            loop {
                a = b - step;
                if !a.is_finite() {
                    a = -f64::MAX;
                    break;
                }
                if h(a) < 0.0 {
                    break;
                }
                b = a;
                step *= 4.0;
            }
        }
        let mut x = 0.5 * (a + b);
        for _ in 0..300 {
            if b - a <= 1e-14 * a.abs().max(b.abs()) || b - a <= 1e-300 {
                break;
            }
            let hx = h(x);
            if hx < 0.0 {
                a = x;
            } else {
                b = x;
            }
            let f = self.pdf(x);
            let newton = if f > 0.0 { x - hx / f } else { f64::NAN };
            x = if newton > a && newton < b { newton } else { 0.5 * (a + b) };
            // Newton converged: take the bracket end it approaches.
            if (x - a).abs() <= 1e-15 * x.abs() || (b - x).abs() <= 1e-15 * x.abs() {
                break;
            }
        }
        Ok(x)
    }

    /// `(x - delta0) / gamma`: the argument of the standard S0 law.
    fn standardize(&self, x: f64) -> f64 {
        (x - self.location_in(Parametrization::S0)) / self.scale
    }

    /// Writes `out.len()` independent variates; identical to `out.len()` calls of
    /// [`Distribution::sample`] on the same generator.
    pub fn fill<R: Rng + ?Sized>(&self, rng: &mut R, out: &mut [f64]) {
        match self.kind {
            Kind::Gaussian => {
                for x in out.iter_mut() {
                    *x = self.sample_gaussian(rng);
                }
            }
            Kind::Cauchy => self.fill_blocked(rng, out, CauchyKernel),
            Kind::Levy => {
                for x in out.iter_mut() {
                    *x = self.sample_levy(rng);
                }
            }
            Kind::AlphaOne => self.fill_blocked(rng, out, AlphaOneKernel),
            Kind::General => self.fill_blocked(rng, out, GeneralKernel),
            Kind::NearOneS0 => self.fill_blocked(rng, out, NearOneKernel),
        }
    }

    /// Paths `first..first + out.nrows()` of an ensemble of i.i.d. variates (rows = paths, any
    /// number of columns), in parallel over rows (rayon): row `r` is [`Stable::fill`] with
    /// `seed.stream(first + r)`, so the rows are bit-identical whatever the thread count or the
    /// split into shards.
    pub fn fill_paths(&self, seed: Seed, first: u64, mut out: ArrayViewMut2<f64>) {
        let rows: Vec<(u64, ArrayViewMut1<f64>)> =
            out.axis_iter_mut(Axis(0)).enumerate().map(|(r, row)| (first + r as u64, row)).collect();
        rows.into_par_iter().for_each_init(Vec::new, |buf, (i, mut row)| {
            let mut rng = seed.stream(i);
            match row.as_slice_mut() {
                Some(x) => self.fill(&mut rng, x),
                None => {
                    buf.resize(row.len(), 0.0);
                    self.fill(&mut rng, buf);
                    row.iter_mut().zip(buf.iter()).for_each(|(o, v)| *o = *v);
                }
            }
        });
    }

    /// Empirical characteristic function of `sample` at `u`, compared with [`Stable::char_fn`].
    /// The standard errors use the exact variances (`phi` the characteristic function):
    /// `Var cos(uX) = (1 + Re phi(2u))/2 - (Re phi(u))^2`,
    /// `Var sin(uX) = (1 - Re phi(2u))/2 - (Im phi(u))^2` (from `cos^2 = (1 + cos 2.)/2`,
    /// `sin^2 = (1 - cos 2.)/2`). A bounded statistic: valid for every `alpha`.
    pub fn ecf_compare(&self, sample: &[f64], u: f64) -> EcfComparison {
        let (mut c, mut s) = (0.0, 0.0);
        for &x in sample {
            let (sn, cs) = (u * x).sin_cos();
            c += cs;
            s += sn;
        }
        let n = sample.len() as f64;
        let phi = self.char_fn(u);
        let phi2 = self.char_fn(2.0 * u);
        let var_re = ((1.0 + phi2.re) / 2.0 - phi.re * phi.re).max(0.0);
        let var_im = ((1.0 - phi2.re) / 2.0 - phi.im * phi.im).max(0.0);
        EcfComparison {
            u,
            estimate: Complex64::new(c / n, s / n),
            exact: phi,
            se_re: (var_re / n).sqrt(),
            se_im: (var_im / n).sqrt(),
        }
    }

    #[inline(always)]
    fn sample_gaussian<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let z: f64 = StandardNormal.sample(rng);
        saturate(self.out_scale * z + self.out_shift)
    }

    /// Cauchy from the angle: `gamma tan V + delta`, `tan V = sgn(s) cos(a) / sin(a)` with
    /// `a = (pi/2)(1 - |s|)` (accurate near `V = +-pi/2`).
    #[inline(always)]
    fn cauchy_from(&self, s: f64) -> f64 {
        let (sn, cs) = fm::sin_cos(FRAC_PI_2 * (1.0 - s.abs()));
        saturate(self.out_scale * (cs / sn).copysign(s) + self.out_shift)
    }

    /// Lévy: if `N ~ N(0, 1)` then `P(1/N^2 <= x) = P(|N| >= x^-1/2) = erfc(1/sqrt(2x))`, the CDF
    /// of `S1(1/2, 1, 1, 0)` (Nolan 2020, §1.1; Feller 1971, II.4). `N = 0` saturates.
    #[inline(always)]
    fn sample_levy<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let n: f64 = StandardNormal.sample(rng);
        saturate(self.out_scale / (n * n) + self.out_shift)
    }

    #[inline(always)]
    fn sample_cauchy<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.cauchy_from(uniform_s(rng))
    }

    /// Weron's `alpha = 1` formula from the angle `s` and `W`.
    #[inline(always)]
    fn alpha_one_from(&self, s: f64, w: f64) -> f64 {
        let v = FRAC_PI_2 * s;
        let cos_v = fm::sin_cos(FRAC_PI_2 * (1.0 - s.abs())).0;
        // (2/pi)(pi/2 + beta V) = 1 + beta s, exact for beta = +-1 and never 0.
        let p = 1.0 + self.beta * s;
        let tan_v = fm::sin_cos(v).0 / cos_v;
        let z = p * tan_v - FRAC_2_PI * self.beta * fm::ln((w * cos_v / p).clamp(f64::MIN_POSITIVE, f64::MAX));
        saturate(self.out_scale * z + self.out_shift)
    }

    #[inline(always)]
    fn sample_alpha_one<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let s = uniform_s(rng);
        let w = exp1(rng);
        self.alpha_one_from(s, w)
    }

    /// The CMS formula for `alpha != 1` from the angle `s` and `W`, as one exponential:
    /// `Z = sin(alpha V + xi) exp([(1-alpha) ln(cos(V - alpha V - xi) / W) - ln cos V - ln cos xi] / alpha)`,
    /// and `gamma Z` as `sin(..) exp(..) gamma` without intermediate overflow
    /// ([`fm::mul_exp_scaled`]), so that it saturates exactly when `|gamma Z|` exceeds `f64::MAX`.
    /// Composed of the stages `general_*` that [`GeneralKernel`] runs as separate loops over a
    /// block (the same operations per variate, so the same bits).
    #[inline(always)]
    fn general_from(&self, s: f64, w: f64) -> f64 {
        let t = self.general_exponent(fm::ln(self.general_cos_v(s)), self.general_cos_c(s), w);
        self.general_finish(self.general_sin_t(s), t)
    }

    /// `cos V = sin((pi/2)(1 - |s|))` (exact argument, accurate at the ends).
    #[inline(always)]
    fn general_cos_v(&self, s: f64) -> f64 {
        fm::sin_cos(FRAC_PI_2 * (1.0 - s.abs())).0
    }

    /// `sin(alpha V + xi)`.
    #[inline(always)]
    fn general_sin_t(&self, s: f64) -> f64 {
        fm::sin_cos(self.alpha * (FRAC_PI_2 * s) + self.xi).0
    }

    /// `cos((1 - alpha) V - xi)`, clamped below by `f64::MIN_POSITIVE`.
    #[inline(always)]
    fn general_cos_c(&self, s: f64) -> f64 {
        fm::sin_cos(self.eps * (FRAC_PI_2 * s) - self.xi).1.max(f64::MIN_POSITIVE)
    }

    /// The exponent `t = [(1-alpha) ln(c / W) - ln cos V - ln cos xi] / alpha`, given `ln cos V`.
    #[inline(always)]
    fn general_exponent(&self, ln_cos_v: f64, c: f64, w: f64) -> f64 {
        (self.eps * fm::ln((c / w).max(f64::MIN_POSITIVE)) - ln_cos_v + self.neg_ln_cos_xi) * self.inv_alpha
    }

    /// `gamma sin_t e^t + shift`, saturated.
    #[inline(always)]
    fn general_finish(&self, sin_t: f64, t: f64) -> f64 {
        saturate(fm::mul_exp_scaled(sin_t, t, self.scale_mant, self.scale_exp2) + self.out_shift)
    }

    #[inline(always)]
    fn sample_general<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let s = uniform_s(rng);
        let w = exp1(rng);
        self.general_from(s, w)
    }

    /// Fills `out` in blocks: first the random numbers of a block (angle then `W` for each
    /// variate, the order of [`Distribution::sample`]), then the arithmetic, a loop without
    /// calls that the compiler can vectorise. Same bits as repeated `sample` calls.
    #[inline(always)]
    fn fill_blocked<R: Rng + ?Sized, K: Kernel>(&self, rng: &mut R, out: &mut [f64], k: K) {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            unsafe { fill_blocked_avx2(self, rng, out, k) };
            return;
        }
        fill_blocked_generic(self, rng, out, k);
    }

    #[inline(always)]
    fn sample_near_one_s0<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let s = uniform_s(rng);
        let w = exp1(rng);
        self.near_one_from(s, w)
    }

    /// The S0 near-one formula (module documentation) from the angle `s` and `W`, with the fast
    /// kernels: composed of the stages `near_one_*` that [`NearOneKernel`] runs as separate
    /// loops over a block (same operations per variate, so `fill` and `sample` agree bitwise).
    #[inline(always)]
    fn near_one_from(&self, s: f64, w: f64) -> f64 {
        let (cos_v, tan_v) = self.near_one_angle(s);
        let (sin_ev, cos_ev_m1) = self.near_one_small(s);
        self.near_one_finish(cos_v, tan_v, sin_ev, cos_ev_m1, w)
    }

    /// `(cos V, tan V)`. `cos V` and `sin V` come from one [`fm::sin_cos`] of an argument in
    /// `[0, pi/4]`, chosen so that both keep their relative accuracy: `|V|` itself for
    /// `|s| <= 1/2`, else `(pi/2)(1 - |s|)` (`1 - |s|` exact; its sine is `cos V` and its cosine
    /// `|sin V|`), so `cos V` stays accurate at the ends of the interval and `sin V` near 0.
    #[inline(always)]
    fn near_one_angle(&self, s: f64) -> (f64, f64) {
        let small = s.abs() <= 0.5;
        let x = if small { FRAC_PI_2 * s.abs() } else { FRAC_PI_2 * (1.0 - s.abs()) };
        let (sx, cx) = fm::sin_cos(x);
        let (cos_v, sin_abs_v) = if small { (cx, sx) } else { (sx, cx) };
        (cos_v, sin_abs_v.copysign(s) / cos_v)
    }

    /// `(sin(eV), cos(eV) - 1)`, `e = 1 - alpha`, `|eV| < 0.1 pi/2 < pi/4` (no reduction;
    /// `cos - 1` without cancellation, [`fm::sin_cosm1_small`]).
    #[inline(always)]
    fn near_one_small(&self, s: f64) -> (f64, f64) {
        fm::sin_cosm1_small(self.eps * (FRAC_PI_2 * s))
    }

    /// `Z - tau = (sin(alpha V)/cos V) E + tau [((cos(eV) - 1) + tan V sin(eV)) E + (E - 1)]`
    /// with `E = T^(e/alpha)`, `T = (cos(eV) + tau sin(eV)) / (W cos V)`, then scaled, shifted
    /// and saturated. Evaluated as (derived here):
    /// - `sin(alpha V) / cos V = tan V (1 + (cos(eV) - 1)) - sin(eV)`, from
    ///   `sin(alpha V) = sin(V - eV) = sin V cos(eV) - cos V sin(eV)`; no cancellation, since
    ///   `|sin(eV)| <= |e| |V| <= 0.1 |tan V|`;
    /// - `ln T = ln((cos(eV) + tau sin(eV)) / cos V) - ln W`: the quotient lies in
    ///   `[f64::MIN_POSITIVE, 1e16]` (numerator clamped below by `f64::MIN_POSITIVE`, `cos V` in
    ///   `(1e-16, 1]`), so both logarithms get normal arguments;
    /// - `E` and `E - 1` from one reduction, [`fm::exp_expm1`] of `b = (e/alpha) ln T`:
    ///   `|b| <= (0.1/0.9) (709 + 37 + 709) < 162`, so the clamp to `[-700, 700]` never acts.
    #[inline(always)]
    fn near_one_finish(&self, cos_v: f64, tan_v: f64, sin_ev: f64, cos_ev_m1: f64, w: f64) -> f64 {
        let tau = self.tau;
        let cos_ev = 1.0 + cos_ev_m1;
        let num = (cos_ev + tau * sin_ev).max(f64::MIN_POSITIVE);
        let ln_t = fm::ln(num / cos_v) - fm::ln(w);
        let b = (self.eps * self.inv_alpha * ln_t).clamp(-700.0, 700.0);
        let (e, em1) = fm::exp_expm1(b);
        let r = tan_v * cos_ev - sin_ev;
        let z0 = r * e + tau * ((cos_ev_m1 + tan_v * sin_ev) * e + em1);
        saturate(self.out_scale * z0 + self.out_shift)
    }
}

/// Variates per block of [`fill_blocked_generic`] (random numbers first, then the arithmetic).
const BLOCK: usize = 64;

/// One sampling formula as a function of the angle `s` and `W` (a trait rather than a closure so
/// that it is inlined into the AVX2 instance of [`fill_blocked_generic`]).
trait Kernel: Copy {
    /// Whether the formula uses `W` (drawn after the angle).
    const WITH_W: bool;
    /// The variate.
    fn apply(self, d: &Stable, s: f64, w: f64) -> f64;
    /// A whole block, `out[i] = apply(s[i], w[i])` bit for bit. The default is one loop; the long
    /// formulas override it with one loop per stage, so that each loop body is short (fewer live
    /// vector registers, and consecutive iterations overlap in the out-of-order core instead of
    /// one long dependency chain per variate).
    #[inline(always)]
    fn apply_block(self, d: &Stable, s: &[f64; BLOCK], w: &[f64; BLOCK], out: &mut [f64; BLOCK]) {
        for ((o, &si), &wi) in out.iter_mut().zip(s).zip(w) {
            *o = self.apply(d, si, wi);
        }
    }
}

#[derive(Clone, Copy)]
struct CauchyKernel;
#[derive(Clone, Copy)]
struct AlphaOneKernel;
#[derive(Clone, Copy)]
struct GeneralKernel;
#[derive(Clone, Copy)]
struct NearOneKernel;

impl Kernel for CauchyKernel {
    const WITH_W: bool = false;
    #[inline(always)]
    fn apply(self, d: &Stable, s: f64, _w: f64) -> f64 {
        d.cauchy_from(s)
    }
}

impl Kernel for AlphaOneKernel {
    const WITH_W: bool = true;
    #[inline(always)]
    fn apply(self, d: &Stable, s: f64, w: f64) -> f64 {
        d.alpha_one_from(s, w)
    }
}

impl Kernel for GeneralKernel {
    const WITH_W: bool = true;
    #[inline(always)]
    fn apply(self, d: &Stable, s: f64, w: f64) -> f64 {
        d.general_from(s, w)
    }
    /// The stages of [`Stable::general_from`], one loop each.
    #[inline(always)]
    fn apply_block(self, d: &Stable, s: &[f64; BLOCK], w: &[f64; BLOCK], out: &mut [f64; BLOCK]) {
        let mut t = [0.0; BLOCK];
        for (ti, &si) in t.iter_mut().zip(s) {
            *ti = d.general_cos_v(si);
        }
        for ti in t.iter_mut() {
            *ti = fm::ln(*ti);
        }
        let mut c = [0.0; BLOCK];
        for (ci, &si) in c.iter_mut().zip(s) {
            *ci = d.general_cos_c(si);
        }
        for ((ti, &ci), &wi) in t.iter_mut().zip(&c).zip(w) {
            *ti = d.general_exponent(*ti, ci, wi);
        }
        for (ci, &si) in c.iter_mut().zip(s) {
            *ci = d.general_sin_t(si);
        }
        for ((o, &ci), &ti) in out.iter_mut().zip(&c).zip(&t) {
            *o = d.general_finish(ci, ti);
        }
    }
}

impl Kernel for NearOneKernel {
    const WITH_W: bool = true;
    #[inline(always)]
    fn apply(self, d: &Stable, s: f64, w: f64) -> f64 {
        d.near_one_from(s, w)
    }
    /// The stages of [`Stable::near_one_from`], one loop each.
    #[inline(always)]
    fn apply_block(self, d: &Stable, s: &[f64; BLOCK], w: &[f64; BLOCK], out: &mut [f64; BLOCK]) {
        let (mut cos_v, mut tan_v) = ([0.0; BLOCK], [0.0; BLOCK]);
        for ((cv, tv), &si) in cos_v.iter_mut().zip(tan_v.iter_mut()).zip(s) {
            (*cv, *tv) = d.near_one_angle(si);
        }
        let (mut sin_ev, mut cos_ev_m1) = ([0.0; BLOCK], [0.0; BLOCK]);
        for ((se, cm), &si) in sin_ev.iter_mut().zip(cos_ev_m1.iter_mut()).zip(s) {
            (*se, *cm) = d.near_one_small(si);
        }
        for (i, o) in out.iter_mut().enumerate() {
            *o = d.near_one_finish(cos_v[i], tan_v[i], sin_ev[i], cos_ev_m1[i], w[i]);
        }
    }
}

/// [`Stable::fill`] in blocks: first the random numbers of a block (angle then, if the kernel
/// uses it, `W` for each variate: the order of [`Distribution::sample`]), then the arithmetic,
/// loops without calls that the compiler vectorises ([`Kernel::apply_block`]). Same bits as
/// repeated `sample` calls: only IEEE add, mul, div, min, max and bit operations, never
/// contracted into FMAs, so the vector width does not change the result. A last partial block
/// is computed whole (the unused lanes hold earlier or zero inputs, every one valid) and only
/// its first values are copied out.
#[inline(always)]
fn fill_blocked_generic<R: Rng + ?Sized, K: Kernel>(d: &Stable, rng: &mut R, out: &mut [f64], k: K) {
    // Valid inputs for lanes never written by a partial first block.
    let mut s = [0.5; BLOCK];
    let mut w = [1.0; BLOCK];
    let mut tmp = [0.0; BLOCK];
    for chunk in out.chunks_mut(BLOCK) {
        let n = chunk.len();
        for (si, wi) in s[..n].iter_mut().zip(w[..n].iter_mut()) {
            *si = uniform_s(rng);
            if K::WITH_W {
                *wi = exp1(rng);
            }
        }
        match <&mut [f64; BLOCK]>::try_from(&mut *chunk) {
            Ok(full) => k.apply_block(d, &s, &w, full),
            Err(_) => {
                k.apply_block(d, &s, &w, &mut tmp);
                chunk.copy_from_slice(&tmp[..n]);
            }
        }
    }
}

/// [`fill_blocked_generic`] compiled for AVX2 (4 doubles per vector; AVX2 only, no FMA, so the
/// bits are those of the baseline build).
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn fill_blocked_avx2<R: Rng + ?Sized, K: Kernel>(d: &Stable, rng: &mut R, out: &mut [f64], k: K) {
    fill_blocked_generic(d, rng, out, k)
}

/// One draw of the empirical characteristic function against the exact one
/// ([`Stable::ecf_compare`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EcfComparison {
    /// The argument `u`.
    pub u: f64,
    /// `(mean cos(uX), mean sin(uX))`.
    pub estimate: Complex64,
    /// The exact `phi(u)`.
    pub exact: Complex64,
    /// Standard error of the real part (exact variance / n).
    pub se_re: f64,
    /// Standard error of the imaginary part.
    pub se_im: f64,
}

impl EcfComparison {
    /// z-score of the real part.
    pub fn z_re(&self) -> f64 {
        crate::stats::z_score(self.estimate.re, self.exact.re, self.se_re)
    }

    /// z-score of the imaginary part.
    pub fn z_im(&self) -> f64 {
        crate::stats::z_score(self.estimate.im, self.exact.im, self.se_im)
    }
}

/// `s = (2k + 1 - 2^52) / 2^52` from the top 52 bits `k` of one `u64`: uniform on the odd
/// multiples of `2^-52` in (-1, 1), never 0 or +-1, computed exactly.
#[inline(always)]
fn uniform_s<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    const TWO52: f64 = (1u64 << 52) as f64;
    let k = rng.next_u64() >> 12;
    (((2 * k + 1) as f64) - TWO52) * (1.0 / TWO52)
}

/// `W ~ Exp(1)` (ziggurat), clamped to `[f64::MIN_POSITIVE, f64::MAX]`.
#[inline(always)]
fn exp1<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let w: f64 = Exp1.sample(rng);
    w.clamp(f64::MIN_POSITIVE, f64::MAX)
}

/// Saturates `+-inf` to `+-f64::MAX` (documented overflow behaviour).
#[inline(always)]
fn saturate(x: f64) -> f64 {
    x.clamp(-f64::MAX, f64::MAX)
}

impl Distribution<f64> for Stable {
    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self.kind {
            Kind::Gaussian => self.sample_gaussian(rng),
            Kind::Cauchy => self.sample_cauchy(rng),
            Kind::Levy => self.sample_levy(rng),
            Kind::AlphaOne => self.sample_alpha_one(rng),
            Kind::General => self.sample_general(rng),
            Kind::NearOneS0 => self.sample_near_one_s0(rng),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Seed;

    /// The general formula with the C library (`std`): the reference of the fast kernels.
    fn general_ref(d: &Stable, s: f64, w: f64) -> f64 {
        let v = FRAC_PI_2 * s;
        let cos_v = (FRAC_PI_2 * (1.0 - s.abs())).sin();
        let sin_t = (d.alpha * v + d.xi).sin();
        let c = (d.eps * v - d.xi).cos().max(f64::MIN_POSITIVE);
        let t = (d.eps * (c / w).max(f64::MIN_POSITIVE).ln() - cos_v.ln() + d.neg_ln_cos_xi) * d.inv_alpha;
        // gamma sin_t e^t, in log space where it would overflow: saturated exactly when its
        // magnitude exceeds f64::MAX.
        let l = t + sin_t.abs().ln() + d.out_scale.ln();
        let z = if l > f64::MAX.ln() {
            f64::INFINITY.copysign(sin_t)
        } else if t < 700.0 {
            d.out_scale * sin_t * t.exp()
        } else {
            l.exp().copysign(sin_t)
        };
        saturate(z + d.out_shift)
    }

    fn alpha_one_ref(d: &Stable, s: f64, w: f64) -> f64 {
        let v = FRAC_PI_2 * s;
        let cos_v = (FRAC_PI_2 * (1.0 - s.abs())).sin();
        let p = 1.0 + d.beta * s;
        let z = p * v.sin() / cos_v - FRAC_2_PI * d.beta * (w * cos_v / p).max(f64::MIN_POSITIVE).ln();
        saturate(d.out_scale * z + d.out_shift)
    }

    fn cauchy_ref(d: &Stable, s: f64) -> f64 {
        let t = 1.0 / (FRAC_PI_2 * (1.0 - s.abs())).tan();
        saturate(d.out_scale * t.copysign(s) + d.out_shift)
    }

    /// The S0 near-one formula with the C library, exactly as the sampler computed it before the
    /// fast kernels (sin, sin_cos, three ln, exp, expm1).
    fn near_one_ref(d: &Stable, s: f64, w: f64) -> f64 {
        let v = FRAC_PI_2 * s;
        let cos_v = (FRAC_PI_2 * (1.0 - s.abs())).sin();
        let tan_v = v.sin() / cos_v;
        let sin_av = (d.alpha * v).sin();
        let ev = d.eps * v;
        let (sin_ev, cos_ev) = ev.sin_cos();
        let h = (0.5 * ev).sin();
        let cos_ev_m1 = -2.0 * h * h;
        let tau = d.tau;
        let num = (cos_ev + tau * sin_ev).max(f64::MIN_POSITIVE);
        let ln_t = num.ln() - w.ln() - cos_v.ln();
        let b = d.eps * d.inv_alpha * ln_t;
        let e = b.exp().min(f64::MAX);
        let em1 = b.exp_m1().min(f64::MAX);
        let z0 = (sin_av / cos_v) * e + tau * ((cos_ev_m1 + tan_v * sin_ev) * e + em1);
        saturate(d.out_scale * z0 + d.out_shift)
    }

    /// The sum of the magnitudes of the terms of the S0 near-one formula (1 for the other
    /// kinds): the condition number of that sum, which cancels near the ends of the angle
    /// interval (`|tan V|` up to `4e15`, against an O(1) result).
    fn near_one_terms(d: &Stable, s: f64, w: f64) -> f64 {
        if d.kind != Kind::NearOneS0 {
            return 1.0;
        }
        let v = FRAC_PI_2 * s;
        let cos_v = (FRAC_PI_2 * (1.0 - s.abs())).sin();
        let tan_v = v.sin() / cos_v;
        let ev = d.eps * v;
        let num = (ev.cos() + d.tau * ev.sin()).max(f64::MIN_POSITIVE);
        let e = (d.eps * d.inv_alpha * (num.ln() - w.ln() - cos_v.ln())).exp();
        1.0 + (((d.alpha * v).sin() / cos_v).abs() + d.tau.abs() * (tan_v * ev.sin()).abs()) * e
            + (d.tau * (e - 1.0)).abs()
    }

    /// The reference value of `d`'s sampler for the angle `s` and `W` (None for the kinds
    /// without fast kernels: Gaussian, Lévy).
    fn reference(d: &Stable, s: f64, w: f64) -> Option<f64> {
        match d.kind {
            Kind::General => Some(general_ref(d, s, w)),
            Kind::AlphaOne => Some(alpha_one_ref(d, s, w)),
            Kind::Cauchy => Some(cauchy_ref(d, s)),
            Kind::NearOneS0 => Some(near_one_ref(d, s, w)),
            Kind::Gaussian | Kind::Levy => None,
        }
    }

    /// The fast kernels (crate::noise::fastmath) against the same formulas evaluated with the C
    /// library (`std`), on a grid of angles including both ends and of `W` over 1e-300..40:
    /// relative difference below 1e-12 (absolute 1e-14 near the zeros of the variate).
    #[test]
    fn fast_kernels_match_libm_formulas() {
        let eps = 2f64.powi(-52);
        let mut ss: Vec<f64> = (0..2001).map(|i| -1.0 + eps + (2.0 - 2.0 * eps) * i as f64 / 2000.0).collect();
        ss.extend([-1.0 + eps, 1.0 - eps, -1.0 + 1e-9, 1.0 - 1e-9, 1e-12, -1e-12]);
        let ws = [1e-300, 1e-12, 1e-3, 0.1, 0.7, 1.0, 3.0, 40.0];
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs() + 1e-14;
        for (&a, &(g, loc)) in [0.3, 0.5, 0.8, 1.0, 1.2, 1.5, 1.9, 1.99]
            .iter()
            .flat_map(|a| [(1.0, 0.0), (2.5e-3, 0.7), (3e5, -1.0)].iter().map(move |gl| (a, gl)))
        {
            for &b in &[-1.0, -0.3, 0.0, 0.6, 1.0] {
                let d = Stable::new(a, b, g, loc, Parametrization::S1).unwrap();
                for &s in &ss {
                    for &w in &ws {
                        let (got, want) = match d.kind {
                            Kind::General => (d.general_from(s, w), general_ref(&d, s, w)),
                            Kind::AlphaOne => (d.alpha_one_from(s, w), alpha_one_ref(&d, s, w)),
                            Kind::Cauchy => (d.cauchy_from(s), cauchy_ref(&d, s)),
                            _ => continue,
                        };
                        assert!(close(got, want), "a {a} b {b} g {g} s {s:e} w {w:e}: {got:e} vs {want:e}");
                    }
                }
            }
        }
    }

    /// The `(alpha, beta)` grid of the batch tests: small alpha, both sides of and very near 1
    /// (the S0 near-one formula for `|1 - alpha| < 0.1`), near 2, `beta = +-1`; S0 and S1.
    fn batch_grid() -> Vec<Stable> {
        let alphas = [0.3, 0.5, 0.8, 0.9, 0.95, 0.999, 1.0 - 1e-9, 1.0, 1.0001, 1.001, 1.05, 1.2, 1.5, 1.9, 1.99];
        let mut v = Vec::new();
        for &a in &alphas {
            for &b in &[-1.0, -0.3, 0.0, 0.5, 1.0] {
                for p in [Parametrization::S0, Parametrization::S1] {
                    v.push(Stable::new(a, b, 0.7, 0.4, p).unwrap());
                }
            }
        }
        v
    }

    /// [`Stable::fill`] (the blocked, vectorised path) against the scalar formulas with the C
    /// library, variate by variate from the same angle and `W` (drawn here from a copy of the
    /// stream in `sample` order), over [`batch_grid`] and 4096 + 37 variates each (a partial
    /// last block). Bound: `|got - want| <= 1e-12 (|want| + |shift| + gamma M)` where `shift` is
    /// the output shift (the S0 general formula subtracts `gamma tau`, which can cancel against
    /// `gamma Z`) and `M` the condition number of the near-one sum ([`near_one_terms`], 1 for the
    /// other formulas). Measured worst (printed with `--nocapture`): 3.9e-15 (general, alpha
    /// `1 - 1e-9`, `beta = -1`, S1), 3.2e-16 (S0 near one).
    #[test]
    fn fill_matches_libm_reference_on_a_grid() {
        const N: usize = 4096 + 37;
        let mut worst = [(0.0f64, String::new()), (0.0, String::new())];
        for d in batch_grid() {
            let mut got = vec![0.0; N];
            d.fill(&mut Seed::new(11).stream(3), &mut got);
            let mut rng = Seed::new(11).stream(3);
            for (i, &g) in got.iter().enumerate() {
                let s = uniform_s(&mut rng);
                let w = if d.kind == Kind::Cauchy { 1.0 } else { exp1(&mut rng) };
                let Some(want) = reference(&d, s, w) else { break };
                let scale =
                    (want.abs() + d.out_shift.abs() + d.scale * near_one_terms(&d, s, w)).max(f64::MIN_POSITIVE);
                let err = (g - want).abs() / scale;
                let slot = usize::from(d.kind == Kind::NearOneS0);
                if err > worst[slot].0 {
                    worst[slot] = (err, format!("{d:?} i {i} s {s:e} w {w:e}: {g:e} vs {want:e}"));
                }
                assert!(err <= 1e-12, "{d:?} i {i} s {s:e} w {w:e}: {g:e} vs {want:e} (err {err:e})");
            }
        }
        eprintln!("worst general/alpha-one/Cauchy: {:e} ({})", worst[0].0, worst[0].1);
        eprintln!("worst S0 near one: {:e} ({})", worst[1].0, worst[1].1);
    }

    /// The S0 near-one formula with the fast kernels against the C-library version on a grid
    /// of angles including both ends and `W` over 1e-300..40, for `|1 - alpha|` from 1e-12 to
    /// 0.099: `|got - want| <= 1e-12 (|want| + gamma M)`, `M` from [`near_one_terms`] (measured
    /// worst 7.4e-15).
    #[test]
    fn near_one_kernels_match_libm_formula() {
        let eps = 2f64.powi(-52);
        let mut ss: Vec<f64> = (0..2001).map(|i| -1.0 + eps + (2.0 - 2.0 * eps) * i as f64 / 2000.0).collect();
        ss.extend([-1.0 + eps, 1.0 - eps, -1.0 + 1e-9, 1.0 - 1e-9, 1e-12, -1e-12, eps, -eps, 0.5, -0.5]);
        let ws = [1e-300, 1e-12, 1e-3, 0.1, 0.7, 1.0, 3.0, 40.0];
        let mut worst: f64 = 0.0;
        for &a in &[0.901, 0.95, 0.99, 1.0 - 1e-6, 1.0 - 1e-12, 1.0 + 1e-12, 1.0 + 1e-6, 1.01, 1.099] {
            for &b in &[-1.0, -0.3, 0.6, 1.0] {
                let d = Stable::new(a, b, 2.5, -0.3, Parametrization::S0).unwrap();
                assert_eq!(d.kind, Kind::NearOneS0);
                for &s in &ss {
                    for &w in &ws {
                        let (got, want) = (d.near_one_from(s, w), near_one_ref(&d, s, w));
                        let err = (got - want).abs() / (want.abs() + d.scale * near_one_terms(&d, s, w));
                        worst = worst.max(err);
                        assert!(err <= 1e-12, "a {a} b {b} s {s:e} w {w:e}: {got:e} vs {want:e}");
                    }
                }
            }
        }
        eprintln!("near-one worst {worst:e}");
    }

    /// The AVX2 instance of the block loop gives the bits of the baseline (SSE2) instance, for
    /// every kernel over [`batch_grid`] (no FMA contraction, no reassociation). Skipped on CPUs
    /// without AVX2. The cross-build check (`-C target-cpu=native` against the default target)
    /// is [`fill_digest`].
    #[test]
    fn avx2_instance_gives_baseline_bits() {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            let mut checked = 0;
            for d in batch_grid() {
                let (mut a, mut b) = (vec![0.0; 1000], vec![0.0; 1000]);
                let run = |out: &mut [f64], avx2: bool| {
                    let mut rng = Seed::new(5).stream(1);
                    match (d.kind, avx2) {
                        (Kind::General, false) => fill_blocked_generic(&d, &mut rng, out, GeneralKernel),
                        // SAFETY: AVX2 detected above.
                        (Kind::General, true) => unsafe { fill_blocked_avx2(&d, &mut rng, out, GeneralKernel) },
                        (Kind::NearOneS0, false) => fill_blocked_generic(&d, &mut rng, out, NearOneKernel),
                        (Kind::NearOneS0, true) => unsafe { fill_blocked_avx2(&d, &mut rng, out, NearOneKernel) },
                        (Kind::AlphaOne, false) => fill_blocked_generic(&d, &mut rng, out, AlphaOneKernel),
                        (Kind::AlphaOne, true) => unsafe { fill_blocked_avx2(&d, &mut rng, out, AlphaOneKernel) },
                        (Kind::Cauchy, false) => fill_blocked_generic(&d, &mut rng, out, CauchyKernel),
                        (Kind::Cauchy, true) => unsafe { fill_blocked_avx2(&d, &mut rng, out, CauchyKernel) },
                        _ => {}
                    }
                };
                run(&mut a, false);
                run(&mut b, true);
                let (ba, bb): (Vec<u64>, Vec<u64>) =
                    (a.iter().map(|x| x.to_bits()).collect(), b.iter().map(|x| x.to_bits()).collect());
                assert_eq!(ba, bb, "{d:?}");
                checked += 1;
            }
            assert!(checked > 100);
        }
    }

    /// A digest of [`Stable::fill`] over [`batch_grid`] (1000 variates each, seed 5). Run it in
    /// two builds and compare the printed digests:
    /// `cargo test --release --lib noise::stable::tests::fill_digest -- --ignored --nocapture`
    /// and the same with `RUSTFLAGS="-C target-cpu=native"` (in another `CARGO_TARGET_DIR`).
    #[test]
    #[ignore]
    fn fill_digest() {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for d in batch_grid() {
            let mut x = vec![0.0; 1000];
            d.fill(&mut Seed::new(5).stream(1), &mut x);
            for v in x {
                h = (h ^ v.to_bits()).wrapping_mul(0x100_0000_01b3);
            }
        }
        println!("fill digest {h:016x}");
    }

    #[test]
    fn tan_half_pi_is_accurate() {
        assert_eq!(tan_half_pi(2.0), 0.0);
        for &a in &[0.1, 0.3, 0.5, 0.7, 0.999, 1.001, 1.3, 1.7, 1.99] {
            let direct = (PI * a / 2.0).tan();
            assert!((tan_half_pi(a) - direct).abs() <= 1e-12 * direct.abs().max(1.0), "alpha {a}");
        }
        assert!((tan_half_pi(0.5) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn char_fn_is_the_same_law_in_both_parametrisations() {
        for &a in &[0.5, 0.9, 0.999, 1.0, 1.001, 1.5, 2.0] {
            for &b in &[-1.0, -0.3, 0.0, 0.7, 1.0] {
                let d1 = Stable::new(a, b, 3.0, 0.4, Parametrization::S1).unwrap();
                let d0 = d1.to_parametrization(Parametrization::S0).unwrap();
                assert!((d0.location_in(Parametrization::S1) - d1.location()).abs() < 1e-12);
                for &u in &[-2.0, -0.3, 0.05, 0.7, 4.0] {
                    let (p1, p0) = (d1.char_fn(u), d0.char_fn(u));
                    assert!((p1 - p0).norm() < 1e-9, "a {a} b {b} u {u}: {p1} vs {p0}");
                    // Hermitian symmetry.
                    assert!((d1.char_fn(-u) - p1.conj()).norm() < 1e-14);
                }
            }
        }
    }

    /// `log phi` of the step law equals `h log phi_1`: the S0 formula of [`Stable::step_law`] for
    /// every alpha (also where the S1 route is used), and `step_law` itself for S0 and S1 inputs.
    #[test]
    fn step_law_char_fn_is_phi_to_the_h() {
        let alphas = [0.5, 0.9, 1.0 - 1e-6, 1.0 - 1e-12, 1.0, 1.0 + 1e-12, 1.0 + 1e-6, 1.3, 1.9];
        let us = [-3.0, -0.4, 0.05, 0.7, 2.5];
        for &a in &alphas {
            for &b in &[-1.0, 0.0, 0.6] {
                let d = Stable::new(a, b, 1.7, 0.35, Parametrization::S0).unwrap();
                for &h in &[1e-4f64, 0.013, 0.5, 3.0] {
                    let formula =
                        Stable::new(a, b, 1.7 * h.powf(1.0 / a), d.s0_step_location(h), Parametrization::S0).unwrap();
                    let step = d.step_law(h).unwrap();
                    for &u in &us {
                        let want = d.log_char_fn(u) * h;
                        let tol = 1e-13 * (1.0 + want.norm());
                        for (what, got) in [("formula", formula.log_char_fn(u)), ("step_law", step.log_char_fn(u))] {
                            assert!(
                                (got - want).norm() <= tol,
                                "{what} a {a} b {b} h {h} u {u}: {got} vs {want} (diff {:e})",
                                (got - want).norm()
                            );
                        }
                    }
                }
            }
            // S1 inputs: S1(alpha, beta, gamma h^(1/alpha), h delta1), away from alpha = 1 (S1's
            // exponent itself cancels there).
            if a == 1.0 || (1.0 - a).abs() > 1e-3 {
                let d = Stable::new(a, 0.6, 0.8, -0.2, Parametrization::S1).unwrap();
                for &h in &[1e-4f64, 0.5, 3.0] {
                    let step = d.step_law(h).unwrap();
                    assert_eq!(step.parametrization(), Parametrization::S1);
                    for &u in &us {
                        let want = d.log_char_fn(u) * h;
                        let got = step.log_char_fn(u);
                        assert!((got - want).norm() <= 1e-13 * (1.0 + want.norm()), "S1 a {a} h {h} u {u}");
                    }
                }
            }
        }
        assert!(Stable::standard(1.5, 0.0).unwrap().step_law(0.0).is_err());
    }

    /// The S0 step law agrees with the old S1 route (`S1(alpha, beta, gamma h^(1/alpha),
    /// h delta1)`) where that one is accurate, `|1 - alpha| > 1e-3`.
    #[test]
    fn s0_step_law_agrees_with_s1_route_away_from_one() {
        for &a in &[0.91, 0.95, 0.99, 0.998, 1.002, 1.01, 1.05, 1.09] {
            for &b in &[-1.0, 0.4] {
                let d = Stable::new(a, b, 1.3, -0.6, Parametrization::S0).unwrap();
                for &h in &[1e-3f64, 0.02, 0.7] {
                    let new = d.step_law(h).unwrap();
                    assert_eq!(new.parametrization(), Parametrization::S0);
                    let old = Stable::new(
                        a,
                        b,
                        1.3 * h.powf(1.0 / a),
                        d.location_in(Parametrization::S1) * h,
                        Parametrization::S1,
                    )
                    .unwrap();
                    assert_eq!(new.scale(), old.scale());
                    let (l_new, l_old) = (new.location_in(Parametrization::S1), old.location());
                    // Both carry delta1 ~ gamma tan(pi alpha / 2) <= 640 gamma: rounding ~ 1e-13.
                    assert!((l_new - l_old).abs() <= 1e-12 * (1.0 + l_old.abs()), "a {a} b {b} h {h}");
                }
            }
        }
    }

    #[test]
    fn char_fn_special_cases() {
        let g = Stable::new(2.0, 0.6, 1.5, -1.0, Parametrization::S0).unwrap();
        let u = 0.8_f64;
        let want = Complex64::from_polar((-(1.5 * u).powi(2)).exp(), -u);
        assert!((g.char_fn(u) - want).norm() < 1e-15);
        let c = Stable::new(1.0, 0.0, 2.0, 1.0, Parametrization::S1).unwrap();
        let want = Complex64::from_polar((-2.0 * u).exp(), u);
        assert!((c.char_fn(u) - want).norm() < 1e-15);
        // S0 is continuous at alpha = 1.
        for &b in &[-1.0, 0.5] {
            let at = Stable::new(1.0, b, 3.0, 0.2, Parametrization::S0).unwrap().char_fn(0.7);
            let near = Stable::new(1.0 + 1e-9, b, 3.0, 0.2, Parametrization::S0).unwrap().char_fn(0.7);
            assert!((at - near).norm() < 1e-7, "{at} vs {near}");
        }
    }

    #[test]
    #[allow(clippy::excessive_precision)] // reference digits kept verbatim
    fn closed_forms_are_consistent() {
        let levy = Stable::new(0.5, 1.0, 2.0, 1.0, Parametrization::S1).unwrap();
        // F(delta + gamma) = erfc(1/sqrt 2) = 0.3173105078629141.
        let f3 = levy.cdf(3.0);
        assert!((f3 - 0.317_310_507_862_914_1).abs() < 1e-14, "{f3}");
        assert_eq!(levy.cdf(0.5), 0.0);
        // Far left tail near the support edge: full relative precision.
        let f = levy.cdf(1.0 + 2.0 / (2.0 * 5.0 * 5.0)); // erfc(5) = 1.5374597944280349e-12
        assert!((f / 1.537_459_794_428_034_9e-12 - 1.0).abs() < 1e-12, "{f}");
        let mirror = Stable::new(0.5, -1.0, 2.0, -1.0, Parametrization::S1).unwrap();
        assert!((mirror.cdf(-3.0) - (1.0 - 0.317_310_507_862_914_1)).abs() < 1e-14);
        assert!((mirror.sf(-3.0) - 0.317_310_507_862_914_1).abs() < 1e-14);
        let cauchy = Stable::new(1.0, 0.0, 2.0, 1.0, Parametrization::S0).unwrap();
        assert!((cauchy.cdf(3.0) - 0.75).abs() < 1e-15);
        assert!((cauchy.cdf(-1e10) - 2.0 / (PI * (1e10 + 1.0))).abs() < 1e-24);
        let gauss = Stable::new(2.0, -1.0, 1.0 / SQRT_2, 0.0, Parametrization::S1).unwrap();
        assert!((gauss.cdf(1.0) - 0.841_344_746_068_542_9).abs() < 1e-15);
        assert!((gauss.pdf(0.0) - 1.0 / (2.0 * PI).sqrt()).abs() < 1e-15);
        // Densities integrate to the CDF increments (midpoint rule).
        for d in [levy, mirror, cauchy, gauss] {
            let (a, b) = (-2.0, 4.0);
            let m = 200_000;
            let h = (b - a) / m as f64;
            let integral: f64 = (0..m).map(|i| d.pdf(a + (i as f64 + 0.5) * h) * h).sum();
            let diff = d.cdf(b) - d.cdf(a);
            assert!((integral - diff).abs() < 1e-6, "{d:?}: {integral} vs {diff}");
        }
    }

    #[test]
    fn uniform_angle_is_exact_and_open() {
        /// Returns `first` once, then a regular stream (so the Exp1 ziggurat terminates).
        struct Fixed(Option<u64>, crate::PathRng);
        impl rand::RngCore for Fixed {
            fn next_u32(&mut self) -> u32 {
                self.next_u64() as u32
            }
            fn next_u64(&mut self) -> u64 {
                self.0.take().unwrap_or_else(|| self.1.next_u64())
            }
            fn fill_bytes(&mut self, dst: &mut [u8]) {
                self.1.fill_bytes(dst)
            }
        }
        let fixed = |bits: u64| Fixed(Some(bits), Seed::new(9).stream(0));
        let lo = uniform_s(&mut fixed(0));
        let hi = uniform_s(&mut fixed(u64::MAX));
        assert_eq!(lo, -1.0 + 2f64.powi(-52));
        assert_eq!(hi, 1.0 - 2f64.powi(-52));
        // Extreme angles give finite variates in every branch, both skews.
        for &a in &[0.3, 0.5, 1.0, 1.0005, 1.5, 1.99] {
            for &b in &[-1.0, 1.0] {
                for p in [Parametrization::S0, Parametrization::S1] {
                    let d = Stable::new(a, b, 1.0, 0.0, p).unwrap();
                    for bits in [0u64, u64::MAX] {
                        let x = d.sample(&mut fixed(bits));
                        assert!(x.is_finite(), "a {a} b {b} {p:?} bits {bits:x}: {x}");
                    }
                }
            }
        }
        let mut rng = Seed::new(1).stream(0);
        let d = Stable::standard(0.01, 0.3).unwrap();
        assert!((0..10_000).all(|_| d.sample(&mut rng).is_finite()));
    }
}
