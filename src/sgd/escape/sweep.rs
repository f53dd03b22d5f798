//! Tables of the mean escape time against the sharpness of the minimum (every dynamic) or
//! against the Hurst index (fGn-driven gradient descent), with the closed forms beside the
//! censoring-aware Monte Carlo estimates.
//!
//! # Sharpness at a fixed barrier: exponential versus polynomial
//! [`sharpness_sweep`] varies the curvature `h_a` of the minimum at a fixed barrier `dL`. By
//! default the saddle curvature follows, `h_b = h_a` ([`SaddleCurvature::Proportional`]): the well
//! keeps its shape and only its scale changes, `u_b = sqrt(6 dL / h_a)`, so a flat minimum is a
//! wide well. How the noise follows the sharpness is a modelling choice, [`NoiseScaling`]:
//! - [`NoiseScaling::Curvature`] (the default): the gradient-noise covariance is proportional to
//!   the curvature at the minimum, as for SGD near a minimum where the noise covariance tracks
//!   the Hessian (`/work/shared/SEEDS.md` §2: `C(u) = (sigma_g + sigma_H u^2)/b` with
//!   `sigma_g`, `sigma_H` per-sample variances): `sigma_g = s_g h_a`, `sigma_H = s_H h_a`, and
//!   the fGn and stable amplitudes scale as `sqrt(h_a)`. Then (derived; with `v = u sqrt(h_a)`
//!   and `t' = h_a t` the power-law dynamic becomes
//!   `dv = -dL F'(v) dt' + sqrt(eta (h_a s_g + s_H v^2)) dB'` in a fixed-shape potential `F`):
//!   - Langevin: `T = (pi/h_a) exp(2 dL / (eta s_g h_a)) (1 + O(sqrt(h_a)))`: `ln T - ln(1/h_a)`
//!     is linear in the flatness `1/h_a` with slope `2 dL / (eta s_g)`: **exponential**;
//!   - power law: `T ~ h_a^-(3/2 + 1/(eta s_H))` as `h_a -> 0` (the Laplace form's exponent
//!     `kappa - 1/2 = 1/2 + 1/(eta s_H)`, the prefactors `1/h_a` and `sqrt(C(u_b)/sigma_g)`):
//!     **polynomial**;
//!   - stable: `T ~ alpha u_b^alpha / (c_alpha eps^alpha) ~ h_a^-alpha` (`u_b ~ h_a^(-1/2)`,
//!     `eps ~ sqrt(h_a)`): polynomial, set by the width of the well.
//!
//!   The validation case `escape/sharpness` checks both slopes on the exact integrals.
//! - [`NoiseScaling::Fixed`]: the amplitudes stay as given; Langevin then depends on `h_a` only
//!   through Kramers' prefactor and the well width.
//!
//! # Hurst index
//! [`hurst_sweep`] runs fGn-driven gradient descent at one amplitude for several `H` with a common
//! horizon, so the restricted means `E min(T, horizon)` are comparable across `H` even when
//! some paths are censored, and reports the [`Trend`] between the first and last `H`. No closed
//! form is known; the direction depends on the regime (the validation suite's table shows both
//! signs), which is why it is measured, never assumed.

use super::dynamics::{FgnDescent, Langevin, PowerLawDynamic, SimSpec, StableEscape, MAX_FGN_STEPS, MAX_STEPS};
use super::loss::EscapeLoss;
use crate::error::{check_open, check_positive, Allowed, Error, Result};
use crate::passage::{summarize, PassageStats};
use crate::stats::Estimate;
use crate::Seed;

/// One of the four escape dynamics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dynamic {
    /// [`Langevin`]: constant diffusion.
    Langevin,
    /// [`PowerLawDynamic`]: state-dependent diffusion `sqrt(eta (sigma_g + sigma_H u^2))`.
    PowerLaw,
    /// [`FgnDescent`]: gradient descent driven by fGn.
    Fgn,
    /// [`StableEscape`]: symmetric alpha-stable noise.
    Stable,
}

impl Dynamic {
    /// All four, in table order.
    pub const ALL: [Dynamic; 4] = [Dynamic::Langevin, Dynamic::PowerLaw, Dynamic::Fgn, Dynamic::Stable];

    /// Short name: `langevin`, `power-law`, `fgn`, `stable`.
    pub fn name(&self) -> &'static str {
        match self {
            Dynamic::Langevin => "langevin",
            Dynamic::PowerLaw => "power-law",
            Dynamic::Fgn => "fgn",
            Dynamic::Stable => "stable",
        }
    }
}

impl std::str::FromStr for Dynamic {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "langevin" => Ok(Dynamic::Langevin),
            "power-law" | "powerlaw" => Ok(Dynamic::PowerLaw),
            "fgn" => Ok(Dynamic::Fgn),
            "stable" => Ok(Dynamic::Stable),
            _ => Err(Error::InvalidInput(format!("unknown dynamic `{s}`: must be langevin, power-law, fgn or stable"))),
        }
    }
}

/// The saddle curvature along a [`sharpness_sweep`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SaddleCurvature {
    /// `h_b = c h_a`: the well keeps its shape and only its scale changes (`u_b = sqrt(12 dL /
    /// ((1 + c) h_a))`, the width of a quadratic well of curvature `h_a` and depth `dL` up to a
    /// constant). The default, `c = 1`.
    Proportional(f64),
    /// `h_b` fixed: for `h_a << h_b` the width `u_b` then stops growing as the minimum flattens.
    Fixed(f64),
}

impl Default for SaddleCurvature {
    fn default() -> Self {
        SaddleCurvature::Proportional(1.0)
    }
}

impl SaddleCurvature {
    /// `h_b` at sharpness `h_a`.
    pub fn at(&self, h_a: f64) -> f64 {
        match *self {
            SaddleCurvature::Proportional(c) => c * h_a,
            SaddleCurvature::Fixed(h_b) => h_b,
        }
    }
}

/// How the noise amplitudes follow the sharpness `h_a` along a [`sharpness_sweep`] (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NoiseScaling {
    /// `sigma_g = s_g h_a`, `sigma_H = s_H h_a`, fGn and stable amplitudes times `sqrt(h_a)`:
    /// the parameters of [`NoiseParams`] are those at unit curvature.
    #[default]
    Curvature,
    /// The parameters of [`NoiseParams`] as given, at every `h_a`.
    Fixed,
}

/// The noise parameters of the four dynamics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoiseParams {
    /// Learning rate `eta > 0`: the factor of the Gaussian variances, and the time step of the
    /// fGn-driven descent.
    pub eta: f64,
    /// Gradient-noise variance at the minimum, `sigma_g > 0` (Langevin, power law).
    pub sigma_g: f64,
    /// Its quadratic growth, `sigma_H > 0` (power law).
    pub sigma_h: f64,
    /// Amplitude `sigma > 0` of the fGn-driven descent.
    pub fgn_sigma: f64,
    /// Hurst index of the fGn, in (0, 1).
    pub hurst: f64,
    /// Index of the stable noise, in (0, 2).
    pub alpha: f64,
    /// Scale `eps > 0` of the stable noise.
    pub eps: f64,
}

impl Default for NoiseParams {
    /// `eta = 0.1`, `sigma_g = 4`, `sigma_H = 4`, fGn `sigma = 0.8`, `H = 0.7`, stable
    /// `alpha = 1.5`, `eps = 0.15`.
    fn default() -> Self {
        NoiseParams { eta: 0.1, sigma_g: 4.0, sigma_h: 4.0, fgn_sigma: 0.8, hurst: 0.7, alpha: 1.5, eps: 0.15 }
    }
}

impl NoiseParams {
    /// The parameters at sharpness `h_a` under `scaling`.
    pub fn at(&self, h_a: f64, scaling: NoiseScaling) -> NoiseParams {
        match scaling {
            NoiseScaling::Fixed => *self,
            NoiseScaling::Curvature => {
                let r = h_a.sqrt();
                NoiseParams {
                    sigma_g: self.sigma_g * h_a,
                    sigma_h: self.sigma_h * h_a,
                    fgn_sigma: self.fgn_sigma * r,
                    eps: self.eps * r,
                    ..*self
                }
            }
        }
    }
}

/// How to simulate each point of a sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SweepSim {
    /// Paths per point, `>= 2`.
    pub paths: usize,
    /// Time step of the Brownian and stable dynamics (the fGn descent steps by `eta`).
    pub dt: f64,
    /// Most steps per path (the horizon is at most `max_steps` steps).
    pub max_steps: usize,
    /// The horizon is `horizon_factor` times the predicted mean (exact, or the asymptotic law
    /// for stable noise), capped by `max_steps`; fGn paths run `max_steps` steps.
    pub horizon_factor: f64,
    /// Root seed: point `i` of dynamic `d` uses `seed.child(i).child_named(d.name())`.
    pub seed: Seed,
    /// Coverage of the intervals.
    pub level: f64,
}

impl Default for SweepSim {
    /// 1000 paths, `dt = 0.01`, at most `10^6` steps, horizon 20 predicted means, seed 1,
    /// 95% intervals.
    fn default() -> Self {
        SweepSim { paths: 1000, dt: 0.01, max_steps: 1_000_000, horizon_factor: 20.0, seed: Seed::new(1), level: 0.95 }
    }
}

impl SweepSim {
    fn check(&self) -> Result<()> {
        if self.paths < 2 {
            return Err(Error::InvalidSize { name: "paths", value: self.paths, allowed: Allowed(">= 2") });
        }
        check_positive("dt", self.dt)?;
        if self.max_steps == 0 {
            return Err(Error::InvalidSize { name: "max_steps", value: 0, allowed: Allowed(">= 1") });
        }
        check_positive("horizon_factor", self.horizon_factor)?;
        check_open("level", self.level, 0.0, 1.0, "in (0, 1)")?;
        Ok(())
    }

    fn spec(&self, predicted: f64, seed: Seed) -> SimSpec {
        let cap = self.max_steps.min(MAX_STEPS) as f64 * self.dt;
        let want = self.horizon_factor * predicted;
        let horizon = if want.is_finite() && want > 0.0 { want.min(cap) } else { cap };
        SimSpec { paths: self.paths, dt: self.dt, horizon, seed }
    }
}

/// A simulated point: the censoring-aware summary ([`summarize`]) and the grid used.
#[derive(Debug, Clone, PartialEq)]
pub struct SimResult {
    /// Mean (when nothing is censored), restricted mean, median, censored fraction, warnings.
    pub stats: PassageStats,
    /// Time step.
    pub dt: f64,
    /// Horizon (paths still in the well are censored there).
    pub horizon: f64,
}

impl SimResult {
    /// The estimate to tabulate: the mean when nothing is censored, else the restricted mean
    /// `E min(T, horizon)` (a lower bound of the mean; see [`SimResult::censored`]).
    pub fn estimate(&self) -> Estimate {
        self.stats.mean.unwrap_or(self.stats.restricted_mean)
    }

    /// Whether some path was censored (then [`SimResult::estimate`] is the restricted mean).
    pub fn censored(&self) -> bool {
        self.stats.censored > 0
    }
}

/// One row of an escape table: one dynamic at one point of the sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct EscapeRow {
    /// The dynamic.
    pub dynamic: Dynamic,
    /// The swept value: `h_a` ([`sharpness_sweep`]) or `H` ([`hurst_sweep`]).
    pub x: f64,
    /// The loss at this point.
    pub loss: EscapeLoss,
    /// The noise parameters used at this point (after [`NoiseScaling`]).
    pub noise: NoiseParams,
    /// The exact mean escape time (scale/speed integral; Langevin and power law only).
    pub exact: Option<f64>,
    /// An approximation and its name: Kramers (Langevin), the Laplace form (power law), the
    /// Imkeller–Pavlyukevich law (stable).
    pub approx: Option<(&'static str, f64)>,
    /// The simulated escapes, when asked for.
    pub sim: Option<SimResult>,
}

/// Direction of the dependence on the swept value ([`Trend`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The escape time grows with the swept value.
    Increasing,
    /// The escape time falls with the swept value.
    Decreasing,
    /// The difference is within its confidence interval.
    Undetermined,
}

/// The change of the simulated escape time between the first and last point of a sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trend {
    /// The dynamic.
    pub dynamic: Dynamic,
    /// First swept value.
    pub from: f64,
    /// Last swept value.
    pub to: f64,
    /// `T(to) - T(from)` of the tabulated estimates ([`SimResult::estimate`]; independent
    /// samples, so `se = sqrt(se_1^2 + se_2^2)`), with the normal interval.
    pub difference: Estimate,
    /// Increasing or decreasing when the interval excludes 0.
    pub direction: Direction,
    /// Whether the two estimates are restricted means to one common horizon (censoring, but
    /// comparable) rather than plain means.
    pub restricted: bool,
}

/// An escape table ([`sharpness_sweep`], [`hurst_sweep`]).
#[derive(Debug, Clone, PartialEq)]
pub struct EscapeTable {
    /// What `x` is: `"h_a"` or `"hurst"`.
    pub axis: &'static str,
    /// Rows, by dynamic then by `x`.
    pub rows: Vec<EscapeRow>,
}

impl EscapeTable {
    /// The rows of one dynamic, in sweep order.
    pub fn rows_of(&self, d: Dynamic) -> impl Iterator<Item = &EscapeRow> {
        self.rows.iter().filter(move |r| r.dynamic == d)
    }

    /// The [`Trend`] of each simulated dynamic between its first and last point (none when
    /// fewer than two points were simulated). A censored point's estimate is a restricted mean,
    /// a lower bound of its mean: a rise (fall) is only concluded when the earlier (later) point
    /// is uncensored, or when both are restricted to one common horizon; otherwise the direction
    /// is [`Direction::Undetermined`].
    pub fn trends(&self) -> Vec<Trend> {
        let mut out = Vec::new();
        for d in Dynamic::ALL {
            let sims: Vec<(&EscapeRow, &SimResult)> =
                self.rows_of(d).filter_map(|r| r.sim.as_ref().map(|s| (r, s))).collect();
            let (Some(first), Some(last)) = (sims.first(), sims.last()) else { continue };
            if sims.len() < 2 {
                continue;
            }
            let (a, b) = (first.1.estimate(), last.1.estimate());
            let level = first.1.stats.level;
            let diff = Estimate::normal(b.value - a.value, (a.se * a.se + b.se * b.se).sqrt(), level);
            let restricted = first.1.censored() || last.1.censored();
            // A restricted mean is a lower bound of the mean: a fall is established when the
            // later estimate is a plain mean, a rise when the earlier one is; two restricted
            // means compare as `E min(T, horizon)` only at one common horizon.
            let common = first.1.censored() && last.1.censored() && first.1.horizon == last.1.horizon;
            let (can_rise, can_fall) = (!first.1.censored() || common, !last.1.censored() || common);
            let direction = if diff.ci.contains(0.0) || !diff.se.is_finite() {
                Direction::Undetermined
            } else if diff.value > 0.0 && can_rise {
                Direction::Increasing
            } else if diff.value < 0.0 && can_fall {
                Direction::Decreasing
            } else {
                Direction::Undetermined
            };
            out.push(Trend { dynamic: d, from: first.0.x, to: last.0.x, difference: diff, direction, restricted });
        }
        out
    }
}

fn sim_result(records: &crate::passage::PassageRecords, spec: &SimSpec, level: f64) -> Result<SimResult> {
    Ok(SimResult { stats: summarize(records.exits(), level)?, dt: spec.dt, horizon: spec.horizon })
}

/// One dynamic at one point: closed forms, and the simulation when `sim` is given.
fn point(
    d: Dynamic,
    x: f64,
    loss: EscapeLoss,
    p: NoiseParams,
    sim: Option<&SweepSim>,
    seed: Seed,
) -> Result<EscapeRow> {
    let mut row = EscapeRow { dynamic: d, x, loss, noise: p, exact: None, approx: None, sim: None };
    match d {
        Dynamic::Langevin => {
            let m = Langevin::new(loss, p.eta, p.sigma_g)?;
            let exact = m.exact_mfpt()?;
            row.exact = Some(exact);
            row.approx = Some(("Kramers", m.kramers_mfpt()));
            if let Some(s) = sim {
                let spec = s.spec(exact, seed);
                row.sim = Some(sim_result(&m.simulate(&spec)?, &spec, s.level)?);
            }
        }
        Dynamic::PowerLaw => {
            let m = PowerLawDynamic::new(loss, p.eta, p.sigma_g, p.sigma_h)?;
            let exact = m.exact_mfpt()?;
            row.exact = Some(exact);
            row.approx = Some(("Laplace", m.laplace_mfpt()));
            if let Some(s) = sim {
                let spec = s.spec(exact, seed);
                row.sim = Some(sim_result(&m.simulate(&spec)?, &spec, s.level)?);
            }
        }
        Dynamic::Fgn => {
            let m = FgnDescent::new(loss, p.eta, p.fgn_sigma, p.hurst)?;
            if let Some(s) = sim {
                let steps = s.max_steps.min(MAX_FGN_STEPS);
                let recs = m.simulate(steps, s.paths, seed)?;
                let spec = SimSpec { paths: s.paths, dt: p.eta, horizon: steps as f64 * p.eta, seed };
                row.sim = Some(sim_result(&recs, &spec, s.level)?);
            }
        }
        Dynamic::Stable => {
            let m = StableEscape::new(loss, p.alpha, p.eps)?;
            let pred = m.asymptotic_mfpt();
            row.approx = Some(("Imkeller-Pavlyukevich", pred));
            if let Some(s) = sim {
                let spec = s.spec(pred, seed);
                row.sim = Some(sim_result(&m.simulate(&spec)?, &spec, s.level)?);
            }
        }
    }
    Ok(row)
}

fn check_values(name: &'static str, v: &[f64]) -> Result<()> {
    if v.is_empty() {
        return Err(Error::InvalidSize { name, value: 0, allowed: Allowed("at least 1 value") });
    }
    Ok(())
}

/// The mean escape time against the sharpness `h_a` (each value `> 0`) at fixed barrier
/// `delta_l`, with the saddle curvature `saddle` ([`SaddleCurvature`]), for each of `dynamics`: exact and approximate closed forms, and
/// with `sim` the simulated escapes (module docs for the noise scaling and what to expect).
///
/// Errors: an empty `h_a` or `dynamics`, a parameter out of range (named), a failed quadrature or
/// simulation.
pub fn sharpness_sweep(
    h_a: &[f64],
    saddle: SaddleCurvature,
    delta_l: f64,
    noise: &NoiseParams,
    scaling: NoiseScaling,
    dynamics: &[Dynamic],
    sim: Option<&SweepSim>,
) -> Result<EscapeTable> {
    check_values("h_a", h_a)?;
    if dynamics.is_empty() {
        return Err(Error::InvalidSize { name: "dynamics", value: 0, allowed: Allowed("at least 1") });
    }
    if let Some(s) = sim {
        s.check()?;
    }
    let mut rows = Vec::new();
    for &d in dynamics {
        for (i, &ha) in h_a.iter().enumerate() {
            let loss = EscapeLoss::new(ha, saddle.at(ha), delta_l)?;
            let seed = sim.map_or(Seed::new(0), |s| s.seed.child(i as u64).child_named(d.name()));
            rows.push(point(d, ha, loss, noise.at(ha, scaling), sim, seed)?);
        }
    }
    Ok(EscapeTable { axis: "h_a", rows })
}

/// The escape time of fGn-driven gradient descent ([`FgnDescent`], amplitude
/// `noise.fgn_sigma`, step `noise.eta`) against the Hurst index (each in (0, 1)), all with the
/// horizon `sim.max_steps` steps, so that restricted means compare across `H`. Point `i` uses
/// `sim.seed.child(i).child_named("fgn")`. [`EscapeTable::trends`] gives the direction.
///
/// Errors: empty `hursts`, a value out of range, `sim.max_steps > MAX_FGN_STEPS`.
pub fn hurst_sweep(loss: EscapeLoss, hursts: &[f64], noise: &NoiseParams, sim: &SweepSim) -> Result<EscapeTable> {
    check_values("hursts", hursts)?;
    sim.check()?;
    if sim.max_steps > MAX_FGN_STEPS {
        return Err(Error::InvalidSize {
            name: "max_steps",
            value: sim.max_steps,
            allowed: Allowed("<= 2^24 for fGn"),
        });
    }
    let mut rows = Vec::new();
    for (i, &h) in hursts.iter().enumerate() {
        let p = NoiseParams { hurst: h, ..*noise };
        let seed = sim.seed.child(i as u64).child_named(Dynamic::Fgn.name());
        rows.push(point(Dynamic::Fgn, h, loss, p, Some(sim), seed)?);
    }
    Ok(EscapeTable { axis: "hurst", rows })
}
