//! Numerical density, CDF and survival function of the standard S0 stable law
//! `S0(alpha, beta, 1, 0)` for every `alpha` in (0, 2] and `beta` in [-1, 1]
//! (used by [`Stable::pdf`](super::Stable::pdf), [`Stable::cdf`](super::Stable::cdf),
//! [`Stable::sf`](super::Stable::sf)).
//!
//! # Integral representation (Nolan 1997, "Numerical calculation of stable densities and
//! distribution functions", Commun. Statist.–Stochastic Models 13(4):759–774, Theorem 1; after
//! Zolotarev 1986, *One-dimensional stable distributions*, Thm 2.2.3)
//! In S0 with `gamma = 1, delta = 0`, write `tau = beta tan(pi alpha/2)`, `zeta = -tau`,
//! `xi = arctan(tau)`, `theta0 = xi / alpha`, and for `alpha != 1`
//!
//! `V(theta) = cos(alpha theta0)^(1/(alpha-1)) (cos theta / sin(alpha(theta0 + theta)))^(alpha/(alpha-1))
//!             cos(alpha theta0 + (alpha-1) theta) / cos theta`,  `theta` in `(-theta0, pi/2)`.
//!
//! For `x > zeta`, with `g(theta) = ln V(theta) + (alpha/(alpha-1)) ln(x - zeta)`:
//! - `f(x) = alpha / (pi |alpha - 1| (x - zeta)) int exp(g - e^g) dtheta`,
//! - `alpha < 1`: `F(x) = D/pi + (1/pi) int exp(-e^g)`, `1 - F(x) = (1/pi) int -expm1(-e^g)`,
//! - `alpha > 1`: `F(x) = D/pi + (1/pi) int -expm1(-e^g)`, `1 - F(x) = (1/pi) int exp(-e^g)`,
//!
//! with `D = pi/2 - theta0` (so `F(zeta) = D/pi`). Nolan's Theorem 1 states `F = c1 + sgn(1-alpha)/pi int exp(-e^g)`
//! with `c1 = D/pi` (`alpha < 1`) or 1 (`alpha > 1`); the `alpha > 1` form above is the same
//! identity rewritten with `int (1 - e^{-e^g}) = pi - D - int e^{-e^g}` (the range has length
//! `pi/2 + theta0 = pi - D`), so that both `F` and `1 - F` are integrals of positive functions
//! (full relative accuracy in both tails, no `1 - F` cancellation).
//! At `x = zeta`: `f(zeta) = Gamma(1 + 1/alpha) cos(theta0) / (pi (1 + zeta^2)^(1/(2 alpha)))`,
//! `F(zeta) = D / pi`. For `x < zeta`: `f(x; alpha, beta) = f(-x; alpha, -beta)`,
//! `F(x; alpha, beta) = 1 - F(-x; alpha, -beta)` (reflection).
//!
//! `alpha = 1` (`beta > 0`; `beta < 0` by reflection, `beta = 0` is Cauchy): with
//! `V(theta) = (2/pi) ((pi/2 + beta theta)/cos theta) exp((pi/2 + beta theta) tan(theta) / beta)` on
//! `(-pi/2, pi/2)` and `g = ln V - pi x / (2 beta)`:
//! `f(x) = (1/(2 beta)) int exp(g - e^g)`, `F(x) = (1/pi) int exp(-e^g)`,
//! `1 - F(x) = (1/pi) int -expm1(-e^g)`.
//!
//! # How the integrals are evaluated
//! `g` is monotone in `theta` (increasing for `alpha <= 1`, decreasing for `alpha > 1`; Nolan
//! 1997, Lemma 2), so the density integrand `exp(g - e^g)` has one peak, at `g = 0`, and the CDF
//! integrands switch from ~1 to ~0 there. The peak is located by a bracketed Illinois
//! (regula falsi) iteration on `g = 0`. To keep peaks that sit
//! extremely close to an end of the range resolvable (far tails, `x` near `zeta`), every
//! trigonometric factor is written in terms of the distance `u` to the nearer end (`u = theta +
//! theta0` on the left half, `u = pi/2 - theta` on the right), e.g. `cos theta = sin(u)` on the
//! right and `sin(alpha (theta0 + theta)) = sin(alpha u)` on the left, with the constants
//! `D = pi/2 - theta0`, `A = pi alpha / 2 + xi` and `pi - A` (exact at `beta = +-1`), and the
//! integral is taken in `v = ln u` (`int f du = int f(e^v) e^v dv`), cut `45` below the peak or
//! the middle of the range (relative contribution below `e^-45`). Each piece is integrated by an
//! adaptive Gauss–Kronrod (10, 21) rule with relative tolerance `1e-13` ([`integrate`]).
//!
//! # Tails: series (switch)
//! With `c = (1 + tau^2)^(1/(2 alpha))` and `y = (x - zeta)/c > 0`, `Y = (X - zeta)/c` has the
//! characteristic function `exp(-|u|^alpha e^{-i xi sgn u})`, and expanding it under the Fourier
//! inversion integral gives (Zolotarev 1986, §2.4, Bergström 1952; the coefficients re-derived
//! here in this parametrisation and confirmed against the integral by the unit tests):
//! - `f_Y(y) = (1/pi) sum_{k>=1} (-1)^(k+1) Gamma(k alpha + 1)/k! sin(k A) y^(-k alpha - 1)`,
//! - `P(Y > y) = (1/pi) sum_{k>=1} (-1)^(k+1) Gamma(k alpha)/k! sin(k A) y^(-k alpha)`,
//!
//! convergent for `alpha < 1`, asymptotic for `alpha > 1` (first term: `P(X > x) ~ C_alpha (1 + beta) x^-alpha`).
//! The series is used when `y^alpha > 3` and it has converged to a relative `1e-13`
//! (smallest term plus `1e-16` times the largest term below that bound, so no cancellation);
//! otherwise the integral. The series is what keeps small `alpha` (where `x^-alpha` decays
//! very slowly) and the far tails fast and accurate.
//!
//! # Near `alpha = 1` (S0): interpolation in `alpha` (switch)
//! In S0 the law is continuous in `alpha`, but the integral above is not usable as
//! `alpha -> 1`: `zeta ~ 2 beta / (pi (alpha - 1))` and the exponents `1/(alpha-1)` blow up,
//! so `g` is a difference of terms of size `1/|alpha - 1|` (absolute error `~1e-16/|alpha-1|`)
//! and the peak narrows to a width `~|alpha - 1|`. For `0 < |alpha - 1| < 1e-4` (and
//! `beta != 0`) the value is the quadratic interpolation in `alpha` through the exact values at
//! `1 - 1e-4`, `1` and `1 + 1e-4` (all in S0 at the same standardised `x`): interpolation error
//! `<= |e^3| max |d^3 f / d alpha^3| / (9 sqrt 3)`, with `e = 1e-4`, about `1e-13` for the orders of
//! magnitude of the derivatives here; the unit tests compare it with characteristic-function
//! inversion across the switch.
//!
//! # Accuracy
//! Measured against closed forms, characteristic-function inversion and Nolan's STABLE
//! reference values (`validation/data/levy_stable`, case `stable-law/reference` of the
//! validation suite): see the validation catalogue `validation/README.md` §3.

use std::f64::consts::{FRAC_2_PI, FRAC_PI_2, PI};

use super::stable::tan_half_pi;

/// Half-width of the `alpha` window around 1 where S0 values are interpolated in `alpha`.
pub(crate) const NEAR_ONE_EPS: f64 = 1e-4;

/// Relative tolerance of each quadrature piece.
const REL_TOL: f64 = 1e-13;

/// What to evaluate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum What {
    /// Density.
    Pdf,
    /// `P(X <= x)`.
    Cdf,
    /// `P(X > x)`.
    Sf,
}

impl What {
    /// The quantity at `-x` for the reflected law (`beta -> -beta`).
    fn reflected(self) -> What {
        match self {
            What::Pdf => What::Pdf,
            What::Cdf => What::Sf,
            What::Sf => What::Cdf,
        }
    }
}

/// The standard S0 law `S0(alpha, beta, 1, 0)` at `x` (`x` not NaN).
pub(crate) fn std_eval(alpha: f64, beta: f64, x: f64, what: What) -> f64 {
    if x.is_infinite() {
        return match (what, x > 0.0) {
            (What::Pdf, _) => 0.0,
            (What::Cdf, true) | (What::Sf, false) => 1.0,
            _ => 0.0,
        };
    }
    if alpha == 2.0 {
        // N(0, 2) whatever beta.
        return match what {
            What::Pdf => (-0.25 * x * x).exp() / (2.0 * PI.sqrt()),
            What::Cdf => 0.5 * libm::erfc(-x / 2.0),
            What::Sf => 0.5 * libm::erfc(x / 2.0),
        };
    }
    if beta == 0.0 && alpha == 1.0 {
        return match what {
            What::Pdf => 1.0 / (PI * (1.0 + x * x)),
            What::Cdf => cauchy_cdf(x),
            What::Sf => cauchy_cdf(-x),
        };
    }
    if alpha == 1.0 {
        return alpha_one(beta, x, what);
    }
    let e = alpha - 1.0;
    if beta != 0.0 && e.abs() < NEAR_ONE_EPS {
        // Quadratic (Lagrange) interpolation through alpha = 1 - h, 1, 1 + h.
        let h = NEAR_ONE_EPS;
        let fm = general(1.0 - h, beta, x, what);
        let f0 = alpha_one(beta, x, what);
        let fp = general(1.0 + h, beta, x, what);
        let t = e / h;
        let v = f0 + 0.5 * t * (fp - fm) + 0.5 * t * t * (fp - 2.0 * f0 + fm);
        return v.max(0.0);
    }
    general(alpha, beta, x, what)
}

/// Cauchy CDF without cancellation in the left tail.
fn cauchy_cdf(z: f64) -> f64 {
    if z < 0.0 {
        (-1.0 / z).atan() / PI
    } else {
        0.5 + z.atan() / PI
    }
}

/// Constants of the integral representation for `alpha != 1` (names of the module docs).
#[derive(Debug, Clone, Copy)]
struct Consts {
    alpha: f64,
    /// `zeta = -beta tan(pi alpha/2)`.
    zeta: f64,
    /// `theta0`.
    theta0: f64,
    /// `D = pi/2 - theta0`.
    d: f64,
    /// `A = pi alpha/2 + xi`.
    a: f64,
    /// `pi - A`.
    a_pc: f64,
    /// `ln cos xi = -ln(1 + tau^2)/2`.
    ln_cos_xi: f64,
}

impl Consts {
    fn new(alpha: f64, beta: f64) -> Consts {
        let tau = beta * tan_half_pi(alpha);
        let ln_cos_xi = -0.5 * (tau * tau).ln_1p();
        // Exact values at beta = +-1 (the support edges and the vanishing factors hinge on them).
        let (xi, theta0, d, a, a_pc) = if beta == 1.0 && alpha < 1.0 {
            let xi = FRAC_PI_2 * alpha;
            (xi, FRAC_PI_2, 0.0, PI * alpha, PI - PI * alpha)
        } else if beta == -1.0 && alpha < 1.0 {
            (-FRAC_PI_2 * alpha, -FRAC_PI_2, PI, 0.0, PI)
        } else if beta == 1.0 && alpha > 1.0 {
            let xi = FRAC_PI_2 * alpha - PI;
            (xi, FRAC_PI_2 - PI / alpha, PI / alpha, PI * (alpha - 1.0), PI * (2.0 - alpha))
        } else if beta == -1.0 && alpha > 1.0 {
            let xi = PI - FRAC_PI_2 * alpha;
            (xi, PI / alpha - FRAC_PI_2, PI - PI / alpha, PI, 0.0)
        } else {
            let xi = tau.atan();
            let theta0 = xi / alpha;
            let a = FRAC_PI_2 * alpha + xi;
            (xi, theta0, FRAC_PI_2 - theta0, a, PI - a)
        };
        let _ = xi;
        Consts { alpha, zeta: -tau, theta0, d, a, a_pc, ln_cos_xi }
    }

    /// Length of the `theta` range, `pi/2 + theta0 = pi - D`.
    fn len(&self) -> f64 {
        FRAC_PI_2 + self.theta0
    }

    /// `sin(A - y)` for `0 <= y < A`, accurate when `A` is near `pi`.
    fn sin_a_minus(&self, y: f64) -> f64 {
        if self.a > FRAC_PI_2 {
            (self.a_pc + y).sin()
        } else {
            (self.a - y).sin()
        }
    }
}

#[cfg(test)]
thread_local! {
    /// Tests: evaluate by the integral even where the series applies.
    static NO_SERIES: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Which half of the `theta` range a distance `u` is measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// `u = theta - theta_min`.
    Left,
    /// `u = theta_max - theta`.
    Right,
}

/// The general case `alpha != 1` (standard S0).
fn general(alpha: f64, beta: f64, x: f64, what: What) -> f64 {
    let c = Consts::new(alpha, beta);
    if x < c.zeta {
        return general(alpha, -beta, -x, what.reflected());
    }
    if c.len() <= 0.0 {
        // alpha < 1, beta = -1: the support is (-inf, zeta].
        return match what {
            What::Pdf | What::Sf => 0.0,
            What::Cdf => 1.0,
        };
    }
    let xz = x - c.zeta;
    if xz <= 1e-15 * c.zeta.abs().max(1.0) {
        // x at the mode-like point zeta (Nolan 1997, Theorem 1).
        let f_zeta = || (libm::lgamma(1.0 + 1.0 / alpha) + c.ln_cos_xi / alpha).exp() * c.theta0.cos() / PI;
        return match what {
            What::Pdf => f_zeta(),
            What::Cdf => c.d / PI,
            What::Sf => c.len() / PI,
        };
    }
    #[cfg(test)]
    let use_series = !NO_SERIES.with(|f| f.get());
    #[cfg(not(test))]
    let use_series = true;
    if use_series {
        if let Some(v) = tail_series(&c, xz, what) {
            return v;
        }
    }
    let am1 = alpha - 1.0;
    let p = alpha / am1;
    let ln_xz = xz.ln();
    let g = |side: Side, u: f64| -> f64 {
        let (ln_cos_t, ln_sin_at, ln_third) = match side {
            Side::Left => {
                let cos_t = (c.d + u).sin();
                (cos_t.ln(), (alpha * u).sin().ln(), (c.d - am1 * u).sin().ln())
            }
            Side::Right => (u.sin().ln(), c.sin_a_minus(alpha * u).ln(), c.sin_a_minus(am1 * u).ln()),
        };
        c.ln_cos_xi / am1 + p * (ln_xz + ln_cos_t - ln_sin_at) + ln_third - ln_cos_t
    };
    let increasing = alpha < 1.0;
    let kind = match (what, alpha < 1.0) {
        (What::Pdf, _) => Integrand::Density,
        (What::Cdf, true) | (What::Sf, false) => Integrand::Lower,
        (What::Cdf, false) | (What::Sf, true) => Integrand::Upper,
    };
    let integral = peak_integral(&g, c.len(), increasing, kind);
    match what {
        What::Pdf => alpha / (PI * am1.abs() * xz) * integral,
        What::Cdf => (c.d / PI + integral / PI).min(1.0),
        What::Sf => (integral / PI).min(1.0),
    }
}

/// The convergent (`alpha < 1`) or asymptotic (`alpha > 1`) tail series of the module docs at
/// `x - zeta = xz > 0`, or `None` where it is not accurate to a relative `1e-13`.
fn tail_series(c: &Consts, xz: f64, what: What) -> Option<f64> {
    let alpha = c.alpha;
    // c = (1 + tau^2)^(1/(2 alpha)) = exp(-ln cos xi / alpha).
    let ln_scale = -c.ln_cos_xi / alpha;
    let ln_y = xz.ln() - ln_scale;
    if alpha * ln_y < 3f64.ln() {
        return None;
    }
    let density = what == What::Pdf;
    let mut sum = 0.0;
    let mut max_term: f64 = 0.0;
    let mut prev = f64::INFINITY;
    let mut converged = false;
    for k in 1..200 {
        let kf = k as f64;
        let ka = kf * alpha;
        let ln_mag = if density {
            libm::lgamma(ka + 1.0) - libm::lgamma(kf + 1.0) - (ka + 1.0) * ln_y
        } else {
            libm::lgamma(ka) - libm::lgamma(kf + 1.0) - ka * ln_y
        };
        let mag = ln_mag.exp();
        // sin(kA) = (-1)^(k+1) sin(k (pi - A)).
        let s = if c.a > FRAC_PI_2 {
            let v = (kf * c.a_pc).sin();
            if k % 2 == 0 {
                -v
            } else {
                v
            }
        } else {
            (kf * c.a).sin()
        };
        let sign = if k % 2 == 1 { 1.0 } else { -1.0 };
        if mag > prev && alpha > 1.0 {
            // Asymptotic series: diverging from here on; the previous term bounds the error.
            break;
        }
        let term = sign * mag * s;
        sum += term;
        max_term = max_term.max(mag);
        prev = mag;
        if mag <= 1e-17 * sum.abs() {
            converged = true;
            break;
        }
    }
    let bound = if converged { 0.0 } else { prev } + 1e-16 * max_term * 4.0;
    if sum > 0.0 && bound <= 1e-13 * sum {
        let v = sum / PI;
        Some(match what {
            What::Pdf => v / ln_scale.exp(),
            What::Sf => v.min(1.0),
            What::Cdf => 1.0 - v.min(1.0),
        })
    } else {
        None
    }
}

/// `alpha = 1`, `beta != 0` (S0 = S1 at unit scale).
fn alpha_one(beta: f64, x: f64, what: What) -> f64 {
    if beta == 0.0 {
        return std_eval(1.0, 0.0, x, what);
    }
    if beta < 0.0 {
        return alpha_one(-beta, -x, what.reflected());
    }
    let b = beta;
    let shift = -FRAC_PI_2 * x / b + FRAC_2_PI.ln();
    let g = |side: Side, u: f64| -> f64 {
        let (sn, cs) = u.sin_cos();
        // p = pi/2 + beta theta; tan theta = -cos u / sin u (left) or cos u / sin u (right).
        let (p, tan_t) = match side {
            Side::Left => (FRAC_PI_2 * (1.0 - b) + b * u, -cs / sn),
            Side::Right => (FRAC_PI_2 * (1.0 + b) - b * u, cs / sn),
        };
        shift + p.ln() - sn.ln() + p * tan_t / b
    };
    let kind = match what {
        What::Pdf => Integrand::Density,
        What::Cdf => Integrand::Lower,
        What::Sf => Integrand::Upper,
    };
    let integral = peak_integral(&g, PI, true, kind);
    match what {
        What::Pdf => integral / (2.0 * b),
        What::Cdf | What::Sf => (integral / PI).min(1.0),
    }
}

/// The three integrands, functions of `g`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Integrand {
    /// `exp(g - e^g)`.
    Density,
    /// `exp(-e^g)`.
    Lower,
    /// `1 - exp(-e^g)`.
    Upper,
}

impl Integrand {
    #[inline]
    fn of(self, g: f64) -> f64 {
        match self {
            Integrand::Density => {
                if g > 7.0e2 || g.is_nan() {
                    0.0
                } else {
                    (g - g.exp()).exp()
                }
            }
            Integrand::Lower => (-g.exp()).exp(),
            Integrand::Upper => -(-g.exp()).exp_m1(),
        }
    }
}

/// `int integrand(g(theta)) dtheta` over a range of length `len`, `g` given as a function of
/// the side and the distance `u` to that side's end, monotone in `theta` (increasing when
/// `increasing`). Locates the peak (`g = 0`) and integrates in `v = ln u` on each side of it.
fn peak_integral(g: &dyn Fn(Side, f64) -> f64, len: f64, increasing: bool, kind: Integrand) -> f64 {
    let half = 0.5 * len;
    let v_half = half.ln();
    let g_mid = g(Side::Left, half);
    // The side whose half holds the root: moving from the middle towards that side's end, g
    // changes sign.
    let root_side = if (g_mid > 0.0) == increasing { Side::Left } else { Side::Right };
    let other = if root_side == Side::Left { Side::Right } else { Side::Left };
    let h = |side: Side, v: f64| -> f64 {
        let u = v.exp();
        kind.of(g(side, u)) * u
    };
    // Bracket the root in v = ln u on root_side: g(v_half) has the sign of g_mid.
    const V_MIN: f64 = -690.0;
    let s_mid = g_mid > 0.0;
    let (mut lo, mut hi) = (v_half, v_half);
    let (mut g_lo, mut g_hi) = (g_mid, g_mid);
    let mut step = 2.0;
    let mut found = g_mid == 0.0;
    while !found {
        let v = (hi - step).max(V_MIN);
        let gv = g(root_side, v.exp());
        lo = v;
        g_lo = gv;
        if gv.is_nan() || (gv > 0.0) != s_mid || gv == 0.0 {
            found = !gv.is_nan();
            break;
        }
        hi = v;
        g_hi = gv;
        if v <= V_MIN {
            break;
        }
        step *= 2.0;
    }
    let v_star = if found && g_mid != 0.0 {
        // Illinois on [lo, hi] (g_lo, g_hi of opposite signs).
        let (mut a, mut b, mut ga, mut gb) = (lo, hi, g_lo, g_hi);
        let mut side = 0i32;
        let mut c = 0.5 * (a + b);
        for _ in 0..60 {
            c = if ga.is_finite() && gb.is_finite() && ga != gb {
                (a * gb - b * ga) / (gb - ga)
            } else {
                0.5 * (a + b)
            };
            if !(c > a.min(b) && c < a.max(b)) {
                c = 0.5 * (a + b);
            }
            let gc = g(root_side, c.exp());
            if gc.abs() < 1e-3 || (b - a).abs() < 1e-12 {
                break;
            }
            if (gc > 0.0) == (gb > 0.0) {
                b = c;
                gb = gc;
                if side == 1 {
                    ga *= 0.5;
                }
                side = 1;
            } else {
                a = c;
                ga = gc;
                if side == -1 {
                    gb *= 0.5;
                }
                side = -1;
            }
        }
        c
    } else if g_mid == 0.0 {
        v_half
    } else {
        // No sign change down to u = e^-690: all the mass is beyond the representable range on
        // this side (or the integrand is flat); integrate as if the peak were at the cut.
        V_MIN + 45.0
    };
    let cut = 45.0;
    // Width of the peak in v: 1 / |dg/dv| at the peak (graded breakpoints start there).
    let slope = |side: Side, v: f64| {
        let dv = 1e-5;
        ((g(side, (v + dv).exp()) - g(side, (v - dv).exp())) / (2.0 * dv)).abs()
    };
    let w_peak = width_from_slope(slope(root_side, v_star));
    let f_root = |v: f64| h(root_side, v);
    let f_other = |v: f64| h(other, v);
    let p1 = integrate_graded(&f_root, v_star, v_star - cut, w_peak);
    let p2 = if v_star < v_half { integrate_graded(&f_root, v_star, v_half, w_peak) } else { 0.0 };
    let w_mid = width_from_slope(slope(other, v_half));
    let p3 = integrate_graded(&f_other, v_half, v_half - cut, w_mid);
    p1 + p2 + p3
}

/// `1 / slope`, clamped to `[1e-13, 1]` (NaN slopes give 1).
fn width_from_slope(s: f64) -> f64 {
    if s.is_finite() && s > 1.0 {
        (1.0 / s).max(1e-13)
    } else {
        1.0
    }
}

/// `int f` between `v0` and `v1` (either order; the result is the integral over the interval,
/// positive for positive `f`) for an integrand concentrated near `v0` with width about `w`:
/// the adaptive rule starts from the breakpoints `v0 +- w 4^k`, so that a narrow peak at `v0`
/// cannot fall between the nodes of the first panel.
fn integrate_graded(f: &dyn Fn(f64) -> f64, v0: f64, v1: f64, w: f64) -> f64 {
    let len = (v1 - v0).abs();
    if len.is_nan() || len <= 0.0 {
        return 0.0;
    }
    let dir = if v1 > v0 { 1.0 } else { -1.0 };
    let mut pts = vec![v0];
    let mut d = w;
    while d < len {
        pts.push(v0 + dir * d);
        d *= 4.0;
    }
    pts.push(v1);
    if dir < 0.0 {
        pts.reverse();
    }
    integrate_breaks(f, &pts, REL_TOL)
}

// Gauss–Kronrod (10, 21) nodes and weights (QUADPACK qk21, Piessens et al. 1983; digits verbatim).
#[allow(clippy::excessive_precision)]
const XGK: [f64; 11] = [
    0.995_657_163_025_808_080_735_527_280_689_003,
    0.973_906_528_517_171_720_077_964_012_084_452,
    0.930_157_491_355_708_226_001_207_180_059_508,
    0.865_063_366_688_984_510_732_096_688_423_493,
    0.780_817_726_586_416_897_063_717_578_345_042,
    0.679_409_568_299_024_406_234_327_365_114_874,
    0.562_757_134_668_604_683_339_000_099_272_694,
    0.433_395_394_129_247_190_799_265_943_165_784,
    0.294_392_862_701_460_198_131_126_603_103_866,
    0.148_874_338_981_631_210_884_826_001_129_720,
    0.0,
];
#[allow(clippy::excessive_precision)]
const WGK: [f64; 11] = [
    0.011_694_638_867_371_874_278_064_396_062_192,
    0.032_558_162_307_964_727_478_818_972_459_390,
    0.054_755_896_574_351_996_031_381_300_244_580,
    0.075_039_674_810_919_952_767_043_140_916_190,
    0.093_125_454_583_697_605_535_065_465_083_366,
    0.109_387_158_802_297_641_899_210_590_325_805,
    0.123_491_976_262_065_851_077_958_109_831_074,
    0.134_709_217_311_473_325_928_054_001_771_707,
    0.142_775_938_577_060_080_797_094_273_138_717,
    0.147_739_104_901_338_491_374_841_515_972_068,
    0.149_445_554_002_916_905_664_936_468_389_821,
];
#[allow(clippy::excessive_precision)]
const WG: [f64; 5] = [
    0.066_671_344_308_688_137_593_568_809_893_332,
    0.149_451_349_150_580_593_145_776_339_657_697,
    0.219_086_362_515_982_043_995_534_934_228_163,
    0.269_266_719_309_996_355_091_226_921_569_469,
    0.295_524_224_714_752_870_173_892_994_651_338,
];

/// One Gauss–Kronrod (10, 21) panel on `[a, b]`: (Kronrod estimate, error estimate).
/// The error estimate is QUADPACK's: `resasc min(1, (200 |K - G| / resasc)^1.5)`.
fn gk21(f: &dyn Fn(f64) -> f64, a: f64, b: f64) -> (f64, f64) {
    let c = 0.5 * (a + b);
    let h = 0.5 * (b - a);
    let fc = f(c);
    let mut resk = fc * WGK[10];
    let mut resg = 0.0;
    let mut fv = [0.0; 21];
    fv[10] = fc;
    for j in 0..10 {
        let dx = h * XGK[j];
        let (f1, f2) = (f(c - dx), f(c + dx));
        fv[j] = f1;
        fv[20 - j] = f2;
        resk += WGK[j] * (f1 + f2);
        if j % 2 == 1 {
            resg += WG[j / 2] * (f1 + f2);
        }
    }
    let mean = 0.5 * resk;
    let mut resasc = WGK[10] * (fc - mean).abs();
    for j in 0..10 {
        resasc += WGK[j] * ((fv[j] - mean).abs() + (fv[20 - j] - mean).abs());
    }
    let (resk, resg, resasc) = (resk * h, resg * h, resasc * h.abs());
    let mut err = (resk - resg).abs();
    if resasc != 0.0 && err != 0.0 {
        err = resasc * (200.0 * err / resasc).powf(1.5).min(1.0);
    }
    (resk, err)
}

/// Globally adaptive Gauss–Kronrod (10, 21) quadrature of `f` over `[a, b]` (see
/// [`integrate_breaks`]).
#[cfg(test)]
pub(crate) fn integrate(f: &dyn Fn(f64) -> f64, a: f64, b: f64, rel: f64) -> f64 {
    integrate_breaks(f, &[a, b], rel)
}

/// Globally adaptive Gauss–Kronrod (10, 21) quadrature of `f` over `[pts[0], pts[last]]`
/// starting from the panels between consecutive breakpoints `pts` (increasing): the panel with
/// the largest error estimate is bisected until the summed error is below `rel |I|` (or below
/// `1e-300`), at most 300 panels. Returns the Kronrod sum.
pub(crate) fn integrate_breaks(f: &dyn Fn(f64) -> f64, pts: &[f64], rel: f64) -> f64 {
    let mut panels: Vec<(f64, f64, f64, f64)> = Vec::with_capacity(64);
    let (mut total, mut err) = (0.0, 0.0);
    for w in pts.windows(2) {
        if w[1] > w[0] {
            let (i0, e0) = gk21(f, w[0], w[1]);
            total += i0;
            err += e0;
            panels.push((w[0], w[1], i0, e0));
        }
    }
    while err > rel * total.abs() && err > 1e-300 && panels.len() < 300 {
        // Bisect the panel with the largest error.
        let (k, _) =
            panels.iter().enumerate().fold((0, -1.0), |best, (k, p)| if p.3 > best.1 { (k, p.3) } else { best });
        let (pa, pb, pi, pe) = panels.swap_remove(k);
        let m = 0.5 * (pa + pb);
        if !(m > pa && m < pb) {
            panels.push((pa, pb, pi, 0.0));
            err -= pe;
            continue;
        }
        let (i1, e1) = gk21(f, pa, m);
        let (i2, e2) = gk21(f, m, pb);
        total += i1 + i2 - pi;
        err += e1 + e2 - pe;
        panels.push((pa, m, i1, e1));
        panels.push((m, pb, i2, e2));
    }
    // Re-sum (the running sums accumulate rounding).
    panels.iter().map(|p| p.2).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quadrature_is_accurate() {
        let v = integrate(&|x: f64| x.exp(), 0.0, 1.0, 1e-14);
        assert!((v - (1f64.exp() - 1.0)).abs() < 1e-15);
        let v = integrate(&|x: f64| x.sqrt(), 0.0, 1.0, 1e-13);
        assert!((v - 2.0 / 3.0).abs() < 1e-13, "{v}");
    }

    /// The integral representation itself (not the closed-form fast paths) against the
    /// Gaussian (`alpha = 2`, any beta: N(0, 2)) and the Lévy law (`alpha = 1/2, beta = 1`: in
    /// S0, `delta1 = delta0 - tan(pi/4) = -1`, so `F(x) = erfc(sqrt(1 / (2 (x + 1))))`), to 1e-10.
    #[test]
    fn integral_matches_closed_forms() {
        let mut worst: f64 = 0.0;
        for &x in &[-30.0f64, -6.0, -2.0, -0.3, 0.0, 0.7, 1.5, 4.0, 9.0, 40.0] {
            for &b in &[-1.0, 0.0, 0.6] {
                let pdf = (-0.25 * x * x).exp() / (2.0 * PI.sqrt());
                let cdf = 0.5 * libm::erfc(-x / 2.0);
                worst = worst.max((general(2.0, b, x, What::Pdf) - pdf).abs());
                worst = worst.max((general(2.0, b, x, What::Cdf) - cdf).abs());
                worst = worst.max((general(2.0, b, x, What::Sf) - (1.0 - cdf)).abs());
            }
            let y = x + 1.0;
            let (pdf, cdf) = if y > 0.0 {
                ((1.0 / (2.0 * PI)).sqrt() * (-1.0 / (2.0 * y)).exp() / (y * y.sqrt()), libm::erfc((0.5 / y).sqrt()))
            } else {
                (0.0, 0.0)
            };
            let got =
                (general(0.5, 1.0, x, What::Pdf), general(0.5, 1.0, x, What::Cdf), general(0.5, 1.0, x, What::Sf));
            assert!(
                (got.0 - pdf).abs() < 1e-10 && (got.1 - cdf).abs() < 1e-10 && (got.2 - (1.0 - cdf)).abs() < 1e-10,
                "x {x}: {got:?} vs {pdf} {cdf}"
            );
            // Mirror image, beta = -1.
            let m = (general(0.5, -1.0, -x, What::Pdf), general(0.5, -1.0, -x, What::Sf));
            assert!((m.0 - pdf).abs() < 1e-10 && (m.1 - cdf).abs() < 1e-10, "mirror x {x}: {m:?}");
        }
        assert!(worst < 1e-10, "Gaussian by the integral: worst {worst:e}");
    }

    /// `F' = f` (central differences), `F + (1 - F) = 1` from the two separate integrals, and the
    /// density integrates to the CDF increments, across alpha (including the `alpha = 1` and
    /// near-one branches and small alpha) and beta.
    #[test]
    fn cdf_derivative_is_the_density() {
        for &a in &[0.3, 0.7, 0.99995, 1.0, 1.00003, 1.3, 1.8] {
            for &b in &[-1.0, -0.4, 0.0, 0.8, 1.0] {
                for &x in &[-3.0, -0.8, 0.2, 1.1, 4.0] {
                    let zeta = if a == 1.0 { 0.0 } else { -b * tan_half_pi(a) };
                    if (x - zeta).abs() < 0.1 {
                        continue; // sharp peak of small-alpha densities: differences inaccurate
                    }
                    let h = 1e-4;
                    let d = (std_eval(a, b, x + h, What::Cdf) - std_eval(a, b, x - h, What::Cdf)) / (2.0 * h);
                    let f = std_eval(a, b, x, What::Pdf);
                    assert!((d - f).abs() < 2e-7 * (1.0 + f), "a {a} b {b} x {x}: F' {d} f {f}");
                    let one = std_eval(a, b, x, What::Cdf) + std_eval(a, b, x, What::Sf);
                    assert!((one - 1.0).abs() < 1e-12, "a {a} b {b} x {x}: F + S = {one}");
                }
            }
        }
    }

    /// The tail series and the integral agree where both apply.
    #[test]
    fn series_agrees_with_integral() {
        for &a in &[0.2, 0.6, 1.4, 1.9] {
            for &b in &[-0.5, 0.0, 1.0] {
                let c = Consts::new(a, b);
                for &xz in &[20.0, 60.0, 300.0] {
                    for what in [What::Pdf, What::Sf] {
                        let Some(ser) = tail_series(&c, xz, what) else { continue };
                        // Force the integral: evaluate just above the switch by calling with a
                        // perturbed copy that skips the series (x = zeta + xz).
                        let int = integral_only(a, b, c.zeta + xz, what);
                        assert!((ser - int).abs() <= 1e-11 * int, "a {a} b {b} xz {xz} {what:?}: {ser:e} vs {int:e}");
                    }
                }
            }
        }
    }

    /// [`general`] without the series (test helper).
    fn integral_only(alpha: f64, beta: f64, x: f64, what: What) -> f64 {
        NO_SERIES.with(|f| f.set(true));
        let v = general(alpha, beta, x, what);
        NO_SERIES.with(|f| f.set(false));
        v
    }
}

#[cfg(test)]
mod quantile_tests {
    use crate::noise::{Parametrization, Stable};

    /// `F(quantile(p)) = p` (relative in the tail used), across the branches; bad `p` rejected.
    #[test]
    fn cdf_of_quantile_is_p() {
        for &(a, b) in
            &[(0.4, 0.7), (0.5, 1.0), (0.9, -1.0), (1.0, 0.5), (1.00002, -0.3), (1.5, 0.0), (1.9, 0.9), (2.0, 0.0)]
        {
            for param in [Parametrization::S0, Parametrization::S1] {
                let d = Stable::new(a, b, 1.7, -0.4, param).unwrap();
                for &p in &[1e-6, 0.01, 0.3, 0.5, 0.77, 0.99, 1.0 - 1e-6] {
                    let x = d.quantile(p).unwrap();
                    let (got, want) = if p > 0.5 { (d.sf(x), 1.0 - p) } else { (d.cdf(x), p) };
                    assert!((got - want).abs() <= 1e-9 * want, "a {a} b {b} {param:?} p {p}: x {x} F {got}");
                }
            }
        }
        let d = Stable::standard(1.2, 0.1).unwrap();
        assert!(d.quantile(-0.1).is_err() && d.quantile(1.5).is_err() && d.quantile(f64::NAN).is_err());
        assert_eq!(d.quantile(0.0).unwrap(), f64::NEG_INFINITY);
        let levy = Stable::standard(0.7, 1.0).unwrap();
        assert_eq!(levy.quantile(0.0).unwrap(), 0.0);
    }
}
