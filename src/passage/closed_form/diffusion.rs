//! Mean first-passage time of any 1-D diffusion by the exact scale/speed double integral.

use super::special::gl16_rule;
use crate::error::{check_finite, Allowed, Error, Result, Short};
use std::sync::OnceLock;

/// Relative change between two successive panel doublings at which [`mfpt_1d`] stops.
pub const MFPT_REL_TOL: f64 = 1e-10;
/// A natural lower end is truncated where the speed density has fallen below this fraction of
/// its largest value between there and the start.
pub const NATURAL_CUTOFF: f64 = 1e-17;
/// Panels (of 16 nodes) tried at first, and the most tried before giving up.
const START_PANELS: usize = 16;
const MAX_PANELS: usize = 1 << 16;
/// Nodes per panel.
const P: usize = 16;

/// The lower end of the domain of [`mfpt_1d`] (the upper end is always an absorbing level).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LowerEnd {
    /// Absorbing at `a < x`: the passage time is the exit time from `(a, b)`.
    Absorbing(f64),
    /// Reflecting at `a <= x`.
    Reflecting(f64),
    /// Natural boundary at `-inf` (the process lives on the whole line below the level, e.g.
    /// Ornstein–Uhlenbeck or a double well). Requires the speed density to be integrable at
    /// `-inf`; the integral is truncated where it has fallen below [`NATURAL_CUTOFF`].
    Natural,
}

/// Result of [`mfpt_1d`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mfpt {
    /// `E_x T`.
    pub mean: f64,
    /// `P(exit at the upper level)`: 1 unless the lower end is absorbing, then
    /// `(S(x) - S(a)) / (S(b) - S(a))`.
    pub upper_exit_probability: f64,
    /// Where the integration started: `a`, or the truncation point of a natural lower end.
    pub lower_limit: f64,
    /// Panels of 16 Gauss–Legendre nodes in the final estimate.
    pub panels: usize,
    /// Relative change of the mean from the previous (half as many panels) estimate.
    pub relative_change: f64,
}

/// Mean first-passage time of the Itô diffusion `dX = mu(X) dt + s(X) dW` from `x` to the level
/// `upper > x`, for any drift and diffusion coefficient (continuous, `s > 0`), with the lower
/// end absorbing, reflecting or natural ([`LowerEnd`]).
///
/// # Formulas
/// With the potential `phi(y) = int_c^y 2 mu / s^2`, the scale density `S'(y) = exp(-phi(y))`
/// and the speed density `m(z) = 2 / (s(z)^2 S'(z))` (Karlin & Taylor 1981, *A Second Course in
/// Stochastic Processes*, §15.3; Gardiner 2009, *Stochastic Methods*, §5.2.7), `T(x) = E_x T`
/// solves `(s^2/2) T'' + mu T' = -1`, i.e. `(T'/S')' = -m`, with `T(b) = 0` and
/// - reflecting at `a` (`T'(a) = 0`) or natural at `-inf` (`a = -inf`):
///   `E_x T = int_x^b S'(y) int_a^y m(z) dz dy`;
/// - absorbing at `a` (`T(a) = 0`): with `u(x) = (S(x) - S(a)) / (S(b) - S(a))`, the exit
///   probability at `b` (Karlin & Taylor 1981, eq. 15.3.10), the Green's function form
///   (Karlin & Taylor 1981, eq. 15.3.11)
///   `E_x T = u(x) int_x^b (S(b) - S(z)) m(z) dz + (1 - u(x)) int_a^x (S(z) - S(a)) m(z) dz`.
///   Derived check: it satisfies `(T'/S')' = -m` (differentiate twice) and both boundary
///   conditions; for Brownian motion (`S = z`, `m = 2/sigma^2`) it gives `(x - a)(b - x)/sigma^2`
///   (test: against [`super::BmInterval`] with and without drift to 1e-12).
///
/// # Numerics
/// Every product `S'(y) m(z)` is evaluated as `2 exp(phi(z) - phi(y)) / s(z)^2` with the
/// exponents combined before exponentiating, and cumulative integrals are carried in that
/// scaled form (`int_a^y m(z) dz / S'...` etc.), so nothing overflows for steep potentials.
/// The domain is cut at `x` into two blocks of equal-width panels with 16 Gauss–Legendre nodes
/// each; `phi` and the inner integrals at the nodes come from the spectral integration matrix
/// of the panel (the integral of the degree-15 interpolant from the panel's left end to each
/// node), the outer integrals from the Gauss–Legendre weights. The panel count is doubled from
/// 16 until the mean (and the exit probability) change by less than [`MFPT_REL_TOL`] = 1e-10
/// relative; for smooth coefficients the error is then far below that (the convergence is
/// spectral; the tests find 1e-13 against closed forms). Up to 65536 panels are tried, then an
/// error is returned.
///
/// A natural lower end is truncated at `z_lo`, found by marching left from `x` with doubling
/// steps (the potential integrated by Gauss–Legendre on each step) until `ln m(z)` is
/// `ln(1/NATURAL_CUTOFF) = 39.1` below its largest value seen on `[z, x]`, then bisecting. The
/// neglected part `int_-inf^z_lo m` is then ~1e-17 relative when `m` decays at least
/// exponentially (OU: Gaussian tails), i.e. the integrand is below 1e-17 of its peak.
///
/// # Errors
/// [`Error::InvalidParameter`] for a non-finite `x`, `upper` or `a`, `upper <= x`, `a >= x`
/// (absorbing) or `a > x` (reflecting); [`Error::InvalidInput`] when `mu` is not finite or `s`
/// is not finite and positive at some point of the domain (the message names the point), when
/// the speed density does not decay toward `-inf` for a natural end (the mean is then infinite,
/// e.g. driftless Brownian motion), or when the quadrature does not converge.
///
/// # Example
/// ```
/// use fracnoise::passage::closed_form::{mfpt_1d, LowerEnd};
/// // Brownian motion with drift 0.5 to a level 2 above the start: E T = d / mu = 4.
/// let r = mfpt_1d(|_x| 0.5, |_x| 1.0, 0.0, 2.0, LowerEnd::Natural).unwrap();
/// assert!((r.mean - 4.0).abs() < 1e-8);
/// ```
pub fn mfpt_1d<M, S>(drift: M, diffusion: S, x: f64, upper: f64, lower: LowerEnd) -> Result<Mfpt>
where
    M: Fn(f64) -> f64,
    S: Fn(f64) -> f64,
{
    check_finite("x", x)?;
    check_finite("upper", upper)?;
    if upper <= x {
        return Err(Error::InvalidParameter {
            name: "upper",
            value: upper,
            allowed: Allowed("> x (the level must lie above the start)"),
        });
    }
    let coef = Coefficients { drift, diffusion };
    let (lo, absorbing) = match lower {
        LowerEnd::Absorbing(a) => {
            check_finite("lower", a)?;
            if a >= x {
                return Err(Error::InvalidParameter { name: "lower", value: a, allowed: Allowed("< x (absorbing)") });
            }
            (a, true)
        }
        LowerEnd::Reflecting(a) => {
            check_finite("lower", a)?;
            if a > x {
                return Err(Error::InvalidParameter { name: "lower", value: a, allowed: Allowed("<= x (reflecting)") });
            }
            (a, false)
        }
        LowerEnd::Natural => (natural_lower_limit(&coef, x, upper)?, false),
    };
    let mut prev: Option<(f64, f64)> = None;
    let mut panels = START_PANELS;
    let mut last_change = f64::INFINITY;
    while panels <= MAX_PANELS {
        let est = estimate(&coef, lo, x, upper, panels, absorbing)?;
        if let (Some((m0, p0)), Some((m1, p1))) = (prev, est) {
            let dm = ((m1 - m0) / m1).abs();
            // The exit probability: relative change of the smaller of p and 1 - p.
            let dp = if p1 <= 0.5 { ((p1 - p0) / p1).abs() } else { ((p1 - p0) / (1.0 - p1)).abs() };
            last_change = dm;
            if dm <= MFPT_REL_TOL && (dp <= MFPT_REL_TOL || p1 == 1.0) {
                return Ok(Mfpt { mean: m1, upper_exit_probability: p1, lower_limit: lo, panels, relative_change: dm });
            }
        }
        prev = est;
        panels *= 2;
    }
    Err(Error::InvalidInput(format!(
        "mfpt_1d: the quadrature did not converge to {MFPT_REL_TOL:e} relative with {MAX_PANELS} panels \
         (last relative change {last_change:e}); are the coefficients smooth and the potential moderate?"
    )))
}

/// The user's coefficients, checked at every point they are evaluated.
struct Coefficients<M, S> {
    drift: M,
    diffusion: S,
}

impl<M: Fn(f64) -> f64, S: Fn(f64) -> f64> Coefficients<M, S> {
    /// `(2 mu / s^2, 2 / s^2)` at `z`.
    fn at(&self, z: f64) -> Result<(f64, f64)> {
        let m = (self.drift)(z);
        if !m.is_finite() {
            return Err(Error::InvalidInput(format!(
                "drift mu({}) = {}: must be finite on the domain",
                Short(z),
                Short(m)
            )));
        }
        let s = (self.diffusion)(z);
        if !(s.is_finite() && s > 0.0) {
            return Err(Error::InvalidInput(format!(
                "diffusion s({}) = {}: must be finite and > 0 on the domain",
                Short(z),
                Short(s)
            )));
        }
        let g = 2.0 / (s * s);
        if !g.is_finite() || !(m * g).is_finite() {
            return Err(Error::InvalidInput(format!(
                "2 mu/s^2 at {} overflows (mu = {}, s = {})",
                Short(z),
                Short(m),
                Short(s)
            )));
        }
        Ok((m * g, g))
    }

    /// `int_lo^(lo + width) 2 mu / s^2` by 16-point Gauss–Legendre.
    fn potential_step(&self, lo: f64, width: f64) -> Result<f64> {
        let rule = rule();
        let mut sum = 0.0;
        for k in 0..P {
            sum += rule.w[k] * self.at(lo + 0.5 * width * (1.0 + rule.x[k]))?.0;
        }
        Ok(0.5 * width * sum)
    }
}

/// Gauss–Legendre nodes and weights on `[-1, 1]` and the spectral integration matrix
/// `cum[j][k] = int_-1^x_j l_k(t) dt` (`l_k` the Lagrange basis on the nodes), so that
/// `int_-1^x_j f ~ sum_k cum[j][k] f(x_k)`.
struct Rule {
    x: [f64; P],
    w: [f64; P],
    cum: [[f64; P]; P],
}

fn rule() -> &'static Rule {
    static RULE: OnceLock<Rule> = OnceLock::new();
    RULE.get_or_init(|| {
        let (x, w) = gl16_rule();
        let lagrange =
            |k: usize, t: f64| (0..P).filter(|&m| m != k).fold(1.0, |acc, m| acc * (t - x[m]) / (x[k] - x[m]));
        let mut cum = [[0.0; P]; P];
        for (j, row) in cum.iter_mut().enumerate() {
            // l_k has degree 15: the 16-point rule on [-1, x_j] integrates it exactly.
            let half = 0.5 * (x[j] + 1.0);
            for (k, c) in row.iter_mut().enumerate() {
                *c = half * (0..P).map(|q| w[q] * lagrange(k, -1.0 + half * (x[q] + 1.0))).sum::<f64>();
            }
        }
        Rule { x, w, cum }
    })
}

/// Finds where to cut a natural lower end (see [`mfpt_1d`]).
fn natural_lower_limit<M: Fn(f64) -> f64, S: Fn(f64) -> f64>(coef: &Coefficients<M, S>, x: f64, b: f64) -> Result<f64> {
    let cut = -NATURAL_CUTOFF.ln();
    // ln m(z) = phi(z) + ln(2/s^2), phi relative to phi(x) = 0.
    let ln_m = |phi: f64, z: f64| -> Result<f64> { Ok(phi + coef.at(z)?.1.ln()) };
    let (mut z, mut phi) = (x, 0.0);
    let mut max = ln_m(0.0, x)?;
    let mut h = b - x;
    for _ in 0..200 {
        let zn = z - h;
        if !zn.is_finite() {
            break;
        }
        let phin = phi - coef.potential_step(zn, h)?;
        if ln_m(phin, zn)? < max - cut {
            // Bisect on [zn, z]: below the cut at `lo`, not below at `hi`.
            let (mut lo, mut hi) = (zn, z);
            while hi - lo > 1e-6 * h {
                let mid = 0.5 * (lo + hi);
                let phim = phi - coef.potential_step(mid, z - mid)?;
                if ln_m(phim, mid)? < max - cut {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            return Ok(lo);
        }
        max = max.max(ln_m(phin, zn)?);
        z = zn;
        phi = phin;
        h *= 2.0;
    }
    Err(Error::InvalidInput(format!(
        "mfpt_1d: the speed density 2 exp(phi)/s^2 does not decay toward -inf (checked down to {z:e}): \
         with a natural lower end the mean passage time is infinite (or the end is not natural); \
         use LowerEnd::Reflecting or LowerEnd::Absorbing"
    )))
}

/// One estimate with `n` panels: `Some((mean, P(exit at upper)))`, or `None` when an
/// intermediate overflowed (the panels are too coarse for the potential).
fn estimate<M: Fn(f64) -> f64, S: Fn(f64) -> f64>(
    coef: &Coefficients<M, S>,
    lo: f64,
    x: f64,
    b: f64,
    n: usize,
    absorbing: bool,
) -> Result<Option<(f64, f64)>> {
    let rule = rule();
    // Panels: n1 on [lo, x], n2 on [x, b].
    let n1 = if x > lo { ((n as f64 * (x - lo) / (b - lo)).round() as usize).clamp(1, n - 1) } else { 0 };
    let n2 = n - n1;
    let edge = |i: usize| {
        if i <= n1 {
            lo + (x - lo) * i as f64 / n1.max(1) as f64
        } else {
            x + (b - x) * (i - n1) as f64 / n2 as f64
        }
    };
    // Potential at edges and nodes, 2/s^2 at nodes.
    let mut phi_e = vec![0.0; n + 1];
    let mut phi = vec![[0.0; P]; n];
    let mut g = vec![[0.0; P]; n];
    let mut width = vec![0.0; n];
    for i in 0..n {
        let (e0, e1) = (edge(i), edge(i + 1));
        let hh = 0.5 * (e1 - e0);
        width[i] = e1 - e0;
        let mut f = [0.0; P];
        for k in 0..P {
            let (fk, gk) = coef.at(e0 + hh * (1.0 + rule.x[k]))?;
            f[k] = fk;
            g[i][k] = gk;
        }
        for (p, c) in phi[i].iter_mut().zip(&rule.cum) {
            *p = phi_e[i] + hh * dot(c, &f);
        }
        phi_e[i + 1] = phi_e[i] + hh * dot(&rule.w, &f);
    }
    let out = if absorbing {
        absorbing_mean(rule, n1, &phi_e, &phi, &g, &width)
    } else {
        (reflecting_mean(rule, n1, &phi_e, &phi, &g, &width), 1.0)
    };
    Ok(if out.0.is_finite() && out.1.is_finite() { Some(out) } else { None })
}

fn dot(a: &[f64; P], b: &[f64; P]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `int_x^b I(y) dy`, `I(y) = int_lo^y 2 exp(phi(z) - phi(y)) / s(z)^2 dz`, carried forward.
#[allow(clippy::needless_range_loop)] // several arrays indexed by the same node
fn reflecting_mean(rule: &Rule, n1: usize, phi_e: &[f64], phi: &[[f64; P]], g: &[[f64; P]], width: &[f64]) -> f64 {
    let (mut inner, mut mean) = (0.0, 0.0);
    for i in 0..phi.len() {
        let hh = 0.5 * width[i];
        let mut a = [0.0; P];
        for k in 0..P {
            a[k] = g[i][k] * (phi[i][k] - phi_e[i]).exp();
        }
        if i >= n1 {
            let mut outer = 0.0;
            for j in 0..P {
                outer += rule.w[j] * (phi_e[i] - phi[i][j]).exp() * (inner + hh * dot(&rule.cum[j], &a));
            }
            mean += hh * outer;
        }
        inner = (phi_e[i] - phi_e[i + 1]).exp() * (inner + hh * dot(&rule.w, &a));
    }
    mean
}

/// Two absorbing ends: `(mean, u(x))` by the Green's function form (see [`mfpt_1d`]).
#[allow(clippy::needless_range_loop)] // several arrays indexed by the same node
fn absorbing_mean(
    rule: &Rule,
    n1: usize,
    phi_e: &[f64],
    phi: &[[f64; P]],
    g: &[[f64; P]],
    width: &[f64],
) -> (f64, f64) {
    let n = phi.len();
    // Lower block: K(z) = int_a^z exp(phi(z) - phi(w)) dw forward; int_a^x g K.
    let (mut k_e, mut lower) = (0.0, 0.0);
    // ln int exp(-phi) over each block, for u(x).
    let (mut ln_a, mut ln_b) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for i in 0..n1 {
        let hh = 0.5 * width[i];
        let mut c = [0.0; P];
        for k in 0..P {
            c[k] = (phi_e[i] - phi[i][k]).exp();
        }
        let mut acc = 0.0;
        for j in 0..P {
            acc += rule.w[j] * g[i][j] * (phi[i][j] - phi_e[i]).exp() * (k_e + hh * dot(&rule.cum[j], &c));
        }
        lower += hh * acc;
        let whole = hh * dot(&rule.w, &c);
        k_e = (phi_e[i + 1] - phi_e[i]).exp() * (k_e + whole);
        ln_a = ln_add(ln_a, whole.ln() - phi_e[i]);
    }
    // Upper block: G(z) = int_z^b exp(phi(z) - phi(w)) dw backward; int_x^b g G.
    let (mut g_e, mut upper) = (0.0, 0.0);
    for i in (n1..n).rev() {
        let hh = 0.5 * width[i];
        let mut c = [0.0; P];
        for k in 0..P {
            c[k] = (phi_e[i + 1] - phi[i][k]).exp();
        }
        let mut acc = 0.0;
        for j in 0..P {
            let mut tail = 0.0;
            for k in 0..P {
                tail += (rule.w[k] - rule.cum[j][k]) * c[k];
            }
            acc += rule.w[j] * g[i][j] * (phi[i][j] - phi_e[i + 1]).exp() * (g_e + hh * tail);
        }
        upper += hh * acc;
        let whole = hh * dot(&rule.w, &c);
        g_e = (phi_e[i] - phi_e[i + 1]).exp() * (g_e + whole);
        ln_b = ln_add(ln_b, whole.ln() - phi_e[i + 1]);
    }
    let u = 1.0 / (1.0 + (ln_b - ln_a).exp());
    let one_minus_u = 1.0 / (1.0 + (ln_a - ln_b).exp());
    (u * upper + one_minus_u * lower, u)
}

/// `ln(e^a + e^b)`.
fn ln_add(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    if lo == f64::NEG_INFINITY {
        hi
    } else {
        hi + (lo - hi).exp().ln_1p()
    }
}

#[cfg(test)]
mod tests {
    use super::super::BmInterval;
    use super::*;

    /// The spectral integration matrix integrates polynomials of degree 15 exactly.
    #[test]
    fn integration_matrix_is_exact_for_polynomials() {
        let r = rule();
        for deg in [0, 1, 5, 15] {
            let f: Vec<f64> = r.x.iter().map(|t| t.powi(deg)).collect();
            for j in 0..P {
                let got: f64 = (0..P).map(|k| r.cum[j][k] * f[k]).sum();
                let want = (r.x[j].powi(deg + 1) - (-1.0f64).powi(deg + 1)) / (deg + 1) as f64;
                assert!((got - want).abs() < 1e-14, "deg {deg} node {j}: {got} vs {want}");
            }
        }
    }

    /// Two absorbing ends: Brownian motion with and without drift against [`BmInterval`].
    #[test]
    fn two_absorbing_ends_match_the_brownian_interval() {
        let mut worst: f64 = 0.0;
        for &(a, b, x, mu, sigma) in
            &[(-0.5, 1.5, 0.1, 0.8, 1.1), (0.0, 1.0, 0.5, 0.0, 1.0), (-1.0, 2.0, 1.7, -2.5, 0.6)]
        {
            let r = mfpt_1d(|_| mu, |_| sigma, x, b, LowerEnd::Absorbing(a)).unwrap();
            let iv = BmInterval::new(a, b, x, mu, sigma).unwrap();
            let (em, ep) = (
                (r.mean / iv.mean_exit_time() - 1.0).abs(),
                (r.upper_exit_probability / iv.upper_exit_probability() - 1.0).abs(),
            );
            worst = worst.max(em).max(ep);
            assert!(
                em < 1e-11 && ep < 1e-11,
                "{a} {b} {x} {mu}: {r:?} vs {} {}",
                iv.mean_exit_time(),
                iv.upper_exit_probability()
            );
        }
        eprintln!("mfpt_1d two absorbing vs BmInterval: worst relative error {worst:e}");
    }

    /// State-dependent diffusion: geometric Brownian motion `dX = m X dt + v X dW` between two
    /// absorbing levels is `ln X`, a Brownian motion with drift `m - v^2/2`, in `(ln a, ln b)`.
    #[test]
    fn geometric_brownian_motion_between_two_levels() {
        let (m, v, a, b, x) = (0.3, 0.45, 0.5, 3.0, 1.2);
        let r = mfpt_1d(|z| m * z, |z| v * z, x, b, LowerEnd::Absorbing(a)).unwrap();
        let iv = BmInterval::new(a.ln(), b.ln(), x.ln(), m - 0.5 * v * v, v).unwrap();
        let em = (r.mean / iv.mean_exit_time() - 1.0).abs();
        let ep = (r.upper_exit_probability / iv.upper_exit_probability() - 1.0).abs();
        eprintln!("mfpt_1d GBM: relative errors mean {em:e}, exit side {ep:e}, {} panels", r.panels);
        assert!(em < 1e-10 && ep < 1e-10, "{r:?} vs {} {}", iv.mean_exit_time(), iv.upper_exit_probability());
    }

    /// Reflecting lower end, drift away from the level. Closed form (derived from the double
    /// integral with `phi = k z`, `k = 2 mu / sigma^2`):
    /// `E_x T = [(b - x) - (e^(-k(x - a)) - e^(-k(b - a))) / k] / mu`, `-> ((b-a)^2 - (x-a)^2)/sigma^2`
    /// as `mu -> 0`.
    #[test]
    fn reflecting_end_matches_the_closed_form() {
        let (a, b, sigma): (f64, f64, f64) = (-1.0, 1.0, 0.9);
        let mut worst: f64 = 0.0;
        for &(x, mu) in &[(0.2f64, -0.7f64), (-1.0, 1.3), (0.5, 0.0)] {
            let want = if mu == 0.0 {
                ((b - a) * (b - a) - (x - a) * (x - a)) / (sigma * sigma)
            } else {
                let k = 2.0 * mu / (sigma * sigma);
                ((b - x) - ((-k * (x - a)).exp() - (-k * (b - a)).exp()) / k) / mu
            };
            let r = mfpt_1d(|_| mu, |_| sigma, x, b, LowerEnd::Reflecting(a)).unwrap();
            let e = (r.mean / want - 1.0).abs();
            worst = worst.max(e);
            assert!(e < 1e-11, "x {x} mu {mu}: {} vs {want}", r.mean);
            assert_eq!(r.upper_exit_probability, 1.0);
        }
        eprintln!("mfpt_1d reflecting vs closed form: worst relative error {worst:e}");
    }

    /// Natural lower end: Brownian motion with drift toward the level, `E T = d / mu`.
    #[test]
    fn natural_end_gives_the_inverse_gaussian_mean() {
        for &(mu, sigma, x, b) in &[(0.5, 1.0, 0.0, 2.0), (2.0, 0.3, -1.0, -0.7)] {
            let r = mfpt_1d(|_| mu, |_| sigma, x, b, LowerEnd::Natural).unwrap();
            let want = (b - x) / mu;
            assert!((r.mean / want - 1.0).abs() < 1e-10, "{r:?} vs {want}");
            assert!(r.lower_limit < x);
        }
    }

    #[test]
    fn bad_input_is_an_error() {
        let one = |_: f64| 1.0;
        let zero = |_: f64| 0.0;
        assert!(mfpt_1d(zero, one, 1.0, 1.0, LowerEnd::Natural).is_err());
        assert!(mfpt_1d(zero, one, 1.0, 0.5, LowerEnd::Natural).is_err());
        assert!(mfpt_1d(zero, one, f64::NAN, 1.0, LowerEnd::Natural).is_err());
        assert!(mfpt_1d(zero, one, 0.0, f64::INFINITY, LowerEnd::Natural).is_err());
        assert!(mfpt_1d(zero, one, 0.0, 1.0, LowerEnd::Absorbing(0.0)).is_err());
        assert!(mfpt_1d(zero, one, 0.0, 1.0, LowerEnd::Reflecting(0.1)).is_err());
        assert!(mfpt_1d(zero, one, 0.0, 1.0, LowerEnd::Absorbing(f64::NAN)).is_err());
        // s <= 0 or NaN somewhere in the domain.
        assert!(mfpt_1d(zero, |z: f64| z, 0.5, 1.0, LowerEnd::Absorbing(-1.0)).is_err());
        assert!(
            mfpt_1d(|z: f64| if z < 0.0 { f64::NAN } else { 0.0 }, one, 0.5, 1.0, LowerEnd::Absorbing(-1.0)).is_err()
        );
        // Driftless Brownian motion with a natural end: infinite mean, reported as an error.
        let e = mfpt_1d(zero, one, 0.0, 1.0, LowerEnd::Natural).unwrap_err();
        assert!(e.to_string().contains("does not decay"), "{e}");
    }
}
