//! Effective temperature by the fluctuation–dissipation relation, measured on the same noise.
//!
//! **Definitions** (Cugliandolo & Kurchan 1993, Phys. Rev. Lett. 71, 173; Cugliandolo, Kurchan &
//! Peliti 1997, Phys. Rev. E 55, 3898; used for SGD by Mignacco & Urbani, arXiv 2112.10852;
//! `/work/shared/SEEDS.md` §4, `validation/README.md` §9). For a state `x in R^N`:
//!
//! ```text
//! C(t, t')   = (1/N) sum_i Cov(x_i(t), x_i(t'))                  (connected correlation)
//! chi(t, t') = (1/N) sum_i d E x_i(t) / d h_i,   h_i switched on at t' and kept on (integrated response)
//! FDT:         chi(t, t') = (C(t, t) - C(t, t')) / T_eff
//! ```
//!
//! so that `chi` plotted against `C(t, t')` (at fixed `t'`, `t` increasing) is a line of slope
//! `-1/T_eff` ending at `C(t, t)` where `chi = 0`. In equilibrium `T_eff` is the temperature of the
//! bath; out of equilibrium (SGD) it defines an effective one. The field enters as a force: an SDE
//! `dx = (b(x) + h) dt + ...`, SGD `x <- x - eta (grad L(x) - h)` (a time step is `dt = eta`).
//!
//! **Measurement** (the "random field" method of SEEDS.md §4). Each path `p` draws signs
//! `eps_i = +-1`; the dynamics is run three times **on the same noise** (the same increments, or
//! the same minibatches): unperturbed, with the field `h eps` and with `2 h eps`, all switched on at
//! step `t' = burn_in`. Then `chi_p(t, t') = (1/(N h)) sum_i eps_i (x_i^h(t) - x_i(t))`, whose mean
//! over paths estimates `chi` (the cross terms `eps_i eps_j`, `i != j`, average to zero). Because
//! the perturbed and unperturbed runs share their noise the difference carries no Monte Carlo noise
//! of its own: for dynamics linear in `x` with additive noise it is deterministic.
//!
//! **Estimator.** With `Delta_j = C(t'+k_j, t'+k_j) - C(t'+k_j, t')` at the lags `k_j` and `chi_j`
//! the mean response, the FDT line through the origin `Delta = T_eff chi` is fitted by least
//! squares, `T_eff = sum_j chi_j Delta_j / sum_j chi_j^2` (the error sits in `Delta`; for
//! deterministic `chi` this is linear in unbiased covariance estimates, hence unbiased). Per lag,
//! `T_eff(k) = Delta(k)/chi(k)` shows any departure from a single temperature. Covariances use the
//! per-component sample means (divisor `P - 1`). **Standard errors** by the delete-one-group
//! jackknife (Efron & Tibshirani 1993, *An Introduction to the Bootstrap*, ch. 11) over `G` groups
//! of independent paths: `SE^2 = ((G - 1)/G) sum_g (theta_(-g) - mean)^2`, with `G - 1` degrees of
//! freedom; intervals are normal (Wald).
//!
//! **Linear response check.** The response at `2 h` against the one at `h`:
//! `nonlinearity = sum_j chi_j(h) (chi_j(2h) - chi_j(h)) / sum_j chi_j(h)^2` is 0 when the response is
//! linear (to rounding for dynamics linear in `x`) and is reported with its jackknife SE; a field
//! is small enough when it is small (say below 0.05) whatever its z.
//!
//! **Closed forms** (derived here; checked by the validation cases `sgd/fdt-*`, catalogue
//! `validation/README.md` §9). Euler chain of a quadratic `L = lambda x^2/2` with step `dt` and noise
//! variance `s^2` per step, `x_(k+1) = x_k - lambda x_k dt + noise = a x_k + noise`, `a = 1 - lambda dt`:
//! stationary `Var = s^2/(1 - a^2)`, `C(k) = Var a^k`, and a field on from step `t'` adds
//! `h dt sum_(m<k) a^m`, so `chi(k) = (1 - a^k)/lambda` and `Delta(k) = Var (1 - a^k)`: the ratio is
//! `T_eff = lambda Var` **at every lag**, the temperature of equipartition `Var = T/lambda`.
//! * Langevin `dx = -lambda x dt + sqrt(2T) dW` under Euler–Maruyama (`s^2 = 2 T dt`):
//!   `T_eff = 2T/(2 - lambda dt)`, which tends to `T` as `dt -> 0` (the continuous-time FDT).
//! * SGD with i.i.d. gradient noise of variance `sigma^2` (`dt = eta`, `s^2 = eta^2 sigma^2`):
//!   `T_eff = eta sigma^2 / (2 - eta lambda)` ([`QuadraticSgd::temperature`]).

use super::data::Design;
use super::minibatch::Batching;
use crate::error::{check_len, check_size, Allowed, Error, Result};
use crate::rng::Seed;
use crate::sde::{Driver, VectorIntegrator, VectorModel};
use crate::stats::Estimate;
use rand::RngCore;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

/// A constant force `force` (one value per component) added to the dynamics from step
/// `from_step` on (module docs).
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    /// The first step whose update feels the force (the field is switched on at `t' = from_step dt`).
    pub from_step: usize,
    /// The force per component (length [`FieldDynamics::dim`]).
    pub force: &'a [f64],
}

/// A dynamics that can be rerun on the same noise with and without a field: what
/// [`effective_temperature`] and [`super::replicas::replica_distance`] drive.
///
/// Contract: [`FieldDynamics::run`] with the same `seed` and `path` sees the same noise whatever
/// the field (that is what makes the response exact), and different paths see independent noise.
pub trait FieldDynamics: Sync {
    /// State dimension `N`.
    fn dim(&self) -> usize;
    /// Time per step (`dt` of an SDE, `eta` for SGD).
    fn dt(&self) -> f64;
    /// The initial state of experiment `experiment` into `out` (length `N`; may be random, drawn
    /// from `seed.stream(experiment)`).
    fn initial(&self, seed: Seed, experiment: u64, out: &mut [f64]) -> Result<()>;
    /// Runs path `path` (its noise drawn from `seed`) from `x0` up to the last of `stops`
    /// (increasing step indices, 0 allowed) and writes the states at `stops` into `out`
    /// (`stops.len() * N`, stop-major). A non-finite state is [`Error::NonFiniteState`].
    fn run(
        &self,
        seed: Seed,
        path: u64,
        x0: &[f64],
        field: Option<Field<'_>>,
        stops: &[usize],
        out: &mut [f64],
    ) -> Result<()>;
    /// The training loss at `x`, where the dynamics has one (SGD); `None` otherwise.
    fn loss(&self, _x: &[f64]) -> Option<f64> {
        None
    }
}

/// Checks `stops` (increasing) and the output length; returns the last stop.
pub(crate) fn check_stops(stops: &[usize], dim: usize, out_len: usize) -> Result<usize> {
    if stops.is_empty() {
        return Err(Error::InvalidInput("stops: give at least one step".into()));
    }
    if stops.windows(2).any(|w| w[1] <= w[0]) {
        return Err(Error::InvalidInput("stops must be strictly increasing".into()));
    }
    let len = stops.len().checked_mul(dim).ok_or(Error::InvalidSize {
        name: "stops",
        value: stops.len(),
        allowed: Allowed("few enough that stops.len() * dim fits in usize"),
    })?;
    check_len("out", out_len, len)?;
    Ok(*stops.last().expect("non-empty"))
}

/// The shared step loop: `step(k, x)` advances from step `k` to `k + 1`; the field is added
/// after it (`x_i += f_i dt` from `field.from_step` on).
pub(crate) fn drive(
    path: u64,
    dt: f64,
    x0: &[f64],
    field: Option<Field<'_>>,
    stops: &[usize],
    out: &mut [f64],
    mut step: impl FnMut(usize, &mut [f64]),
) -> Result<()> {
    let d = x0.len();
    let last = check_stops(stops, d, out.len())?;
    if let Some(f) = &field {
        check_len("field.force", f.force.len(), d)?;
        crate::error::check_all_finite("field.force", f.force)?;
    }
    if let Some(i) = x0.iter().position(|v| !v.is_finite()) {
        return Err(Error::NonFiniteState { path, step: 0, time: 0.0, value: x0[i] });
    }
    let mut x = x0.to_vec();
    let mut next = 0usize;
    for k in 0..=last {
        if stops[next] == k {
            out[next * d..(next + 1) * d].copy_from_slice(&x);
            next += 1;
        }
        if k == last {
            break;
        }
        step(k, &mut x);
        if let Some(f) = &field {
            if k >= f.from_step {
                x.iter_mut().zip(f.force).for_each(|(xi, fi)| *xi += fi * dt);
            }
        }
        if let Some(i) = x.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFiniteState { path, step: k + 1, time: (k + 1) as f64 * dt, value: x[i] });
        }
    }
    Ok(())
}

/// An SDE `dX = b(t, X) dt + s(t, X) dL` ([`VectorModel`]) under Euler–Maruyama on the grid of a
/// [`Driver`], started at a fixed `x0`. The noise of path `p` is the driver's path `p` under the
/// given seed, filled once per run: recorded and replayed, so it is the same with and without the
/// field, exactly as [`Driver::record`] / [`Driver::replay`] would give it. The field is added to
/// the drift: `X_(k+1) = X_k + (b + f) dt + s dL_k` (added after the Euler step, equal up to
/// rounding).
pub struct SdeDynamics<'a, M> {
    integ: VectorIntegrator<'a, M>,
    model: &'a M,
    driver: Driver,
    x0: Vec<f64>,
}

impl<'a, M: VectorModel> SdeDynamics<'a, M> {
    /// Validates: the driver's noise dimension is the model's, `x0` has the model's dimension and
    /// is finite.
    pub fn new(model: &'a M, driver: Driver, x0: Vec<f64>) -> Result<Self> {
        check_len("driver.noise_dim()", driver.noise_dim(), model.noise_dim())?;
        check_len("x0", x0.len(), model.dim())?;
        crate::error::check_all_finite("x0", &x0)?;
        let integ = VectorIntegrator::new(model, driver.grid())?;
        Ok(SdeDynamics { integ, model, driver, x0 })
    }
}

impl<M: VectorModel> FieldDynamics for SdeDynamics<'_, M> {
    fn dim(&self) -> usize {
        self.model.dim()
    }
    fn dt(&self) -> f64 {
        self.driver.grid().dt()
    }
    fn initial(&self, _seed: Seed, _experiment: u64, out: &mut [f64]) -> Result<()> {
        check_len("out", out.len(), self.x0.len())?;
        out.copy_from_slice(&self.x0);
        Ok(())
    }
    fn run(
        &self,
        seed: Seed,
        path: u64,
        x0: &[f64],
        field: Option<Field<'_>>,
        stops: &[usize],
        out: &mut [f64],
    ) -> Result<()> {
        check_len("x0", x0.len(), self.model.dim())?;
        let last = check_stops(stops, self.model.dim(), out.len())?;
        let n = self.driver.grid().n_steps();
        if last > n {
            return Err(Error::InvalidSize {
                name: "stops",
                value: last,
                allowed: Allowed("at most the driver grid's n_steps"),
            });
        }
        let m = self.driver.noise_dim();
        let mut noise = vec![0.0; self.driver.len()];
        self.driver.fill(seed, path, &mut self.driver.scratch(), &mut noise)?;
        let mut work = vec![0.0; self.integ.work_len()];
        drive(path, self.dt(), x0, field, stops, out, |k, x| {
            self.integ.advance(k, x, &noise[k * m..(k + 1) * m], &mut work)
        })
    }
}

/// SGD on a quadratic `L = sum_i lambda_i x_i^2 / 2` with i.i.d. Gaussian gradient noise:
/// `x_i <- x_i - eta (lambda_i x_i + sigma z_i - h_i)`, `z_i ~ N(0, 1)` drawn from
/// `seed.stream(path)` in step-major order. Starts at a fixed `x0`.
#[derive(Debug, Clone, PartialEq)]
pub struct QuadraticSgd {
    curvatures: Vec<f64>,
    eta: f64,
    sigma: f64,
    x0: Vec<f64>,
}

impl QuadraticSgd {
    /// Validates: at least one curvature, each with `0 < eta lambda < 2` (stability), `sigma > 0`,
    /// `x0` of the same length, finite.
    pub fn new(curvatures: Vec<f64>, eta: f64, sigma: f64, x0: Vec<f64>) -> Result<Self> {
        check_size("curvatures.len()", curvatures.len(), 1, ">= 1")?;
        crate::error::check_positive("eta", eta)?;
        crate::error::check_positive("sigma", sigma)?;
        for &l in &curvatures {
            crate::error::check_open("curvature", l, 0.0, 2.0 / eta, "in (0, 2/eta) (stable SGD)")?;
        }
        check_len("x0", x0.len(), curvatures.len())?;
        crate::error::check_all_finite("x0", &x0)?;
        Ok(QuadraticSgd { curvatures, eta, sigma, x0 })
    }

    /// The curvatures.
    pub fn curvatures(&self) -> &[f64] {
        &self.curvatures
    }

    /// Learning rate.
    pub fn eta(&self) -> f64 {
        self.eta
    }

    /// Noise standard deviation.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// **Derived** (module docs): the effective temperature of direction `i`,
    /// `T_eff = eta sigma^2 / (2 - eta lambda_i)`, at every lag; it is the temperature of
    /// equipartition, `Var x_i = T_eff / lambda_i` (stationary AR(1) variance
    /// `eta^2 sigma^2 / (1 - (1 - eta lambda)^2)`).
    pub fn temperature(&self, i: usize) -> f64 {
        self.eta * self.sigma * self.sigma / (2.0 - self.eta * self.curvatures[i])
    }

    /// Stationary variance of direction `i`, `eta sigma^2 / (lambda_i (2 - eta lambda_i))`.
    pub fn stationary_variance(&self, i: usize) -> f64 {
        self.temperature(i) / self.curvatures[i]
    }

    /// **Derived**: `E D(k)` of two replicas after `k` steps from one start,
    /// `(1/N) sum_i 2 Var_i (1 - a_i^(2k))`, `a_i = 1 - eta lambda_i` (the start cancels in the
    /// difference; `validation/README.md` §9).
    pub fn replica_distance(&self, k: usize) -> f64 {
        let n = self.curvatures.len() as f64;
        (0..self.curvatures.len())
            .map(|i| {
                let a = 1.0 - self.eta * self.curvatures[i];
                2.0 * self.stationary_variance(i) * (1.0 - (a * a).powf(k as f64))
            })
            .sum::<f64>()
            / n
    }
}

impl FieldDynamics for QuadraticSgd {
    fn dim(&self) -> usize {
        self.curvatures.len()
    }
    fn dt(&self) -> f64 {
        self.eta
    }
    fn initial(&self, _seed: Seed, _experiment: u64, out: &mut [f64]) -> Result<()> {
        check_len("out", out.len(), self.x0.len())?;
        out.copy_from_slice(&self.x0);
        Ok(())
    }
    fn run(
        &self,
        seed: Seed,
        path: u64,
        x0: &[f64],
        field: Option<Field<'_>>,
        stops: &[usize],
        out: &mut [f64],
    ) -> Result<()> {
        check_len("x0", x0.len(), self.dim())?;
        let mut rng = seed.stream(path);
        let (eta, s) = (self.eta, self.sigma);
        drive(path, eta, x0, field, stops, out, |_k, x| {
            for (xi, l) in x.iter_mut().zip(&self.curvatures) {
                let z: f64 = StandardNormal.sample(&mut rng);
                *xi -= eta * (l * *xi + s * z);
            }
        })
    }

    fn loss(&self, x: &[f64]) -> Option<f64> {
        Some(0.5 * x.iter().zip(&self.curvatures).map(|(xi, l)| l * xi * xi).sum::<f64>())
    }
}

/// The real minibatch SGD algorithm on a linear-regression [`Design`] (in its eigenbasis, weights
/// as deviations `phi = U'(w - w*)` from the minimiser; [`super::data`]):
/// `phi <- phi - eta ((1/B) sum_(i in S_t) x_i (x_i . phi - r_i) - h)`. The batches of path `p` come
/// from `seed.stream(p)` through [`Batching::sampler`] (the same batches as
/// [`super::MomentumExperiment`]'s real algorithm), identical with and without the field. With
/// more samples than parameters the training loss stays positive and the weights reach a
/// stationary state (the under-parametrised regime of Mignacco & Urbani, where FDT applies).
#[derive(Debug, Clone)]
pub struct MinibatchSgd {
    design: Design,
    batching: Batching,
    eta: f64,
    x0: Vec<f64>,
}

impl MinibatchSgd {
    /// Validates: `batching` is for the design's `N`; `eta > 0` with `eta lambda < 2` for every
    /// curvature (full-batch stability); `x0` of the design's dimension, finite.
    pub fn new(design: &Design, batching: Batching, eta: f64, x0: Vec<f64>) -> Result<Self> {
        check_len("batching.n_samples()", batching.n_samples(), design.n_samples())?;
        crate::error::check_positive("eta", eta)?;
        for &l in design.eigenvalues() {
            crate::error::check_open("eta", eta, 0.0, 2.0 / l, "in (0, 2/lambda_max) (stable SGD)")?;
        }
        check_len("x0", x0.len(), design.dim())?;
        crate::error::check_all_finite("x0", &x0)?;
        Ok(MinibatchSgd { design: design.clone(), batching, eta, x0 })
    }
}

impl FieldDynamics for MinibatchSgd {
    fn dim(&self) -> usize {
        self.design.dim()
    }
    fn dt(&self) -> f64 {
        self.eta
    }
    fn initial(&self, _seed: Seed, _experiment: u64, out: &mut [f64]) -> Result<()> {
        check_len("out", out.len(), self.x0.len())?;
        out.copy_from_slice(&self.x0);
        Ok(())
    }
    fn run(
        &self,
        seed: Seed,
        path: u64,
        x0: &[f64],
        field: Option<Field<'_>>,
        stops: &[usize],
        out: &mut [f64],
    ) -> Result<()> {
        let d = self.design.dim();
        check_len("x0", x0.len(), d)?;
        let rows = self.design.rows();
        let res = self.design.residuals();
        let scale = self.eta / self.batching.batch() as f64;
        let mut rng = seed.stream(path);
        let mut sampler = self.batching.sampler();
        let mut g = vec![0.0; d];
        drive(path, self.eta, x0, field, stops, out, |_k, x| {
            g.fill(0.0);
            for &i in sampler.next_batch(&mut rng) {
                let xi = &rows[i * d..(i + 1) * d];
                let e = xi.iter().zip(x.iter()).map(|(a, b)| a * b).sum::<f64>() - res[i];
                g.iter_mut().zip(xi).for_each(|(gj, xj)| *gj += xj * e);
            }
            x.iter_mut().zip(&g).for_each(|(xj, gj)| *xj -= scale * gj);
        })
    }

    fn loss(&self, x: &[f64]) -> Option<f64> {
        self.design.excess_loss(x).ok()
    }
}

/// Settings of [`effective_temperature`].
#[derive(Debug, Clone, PartialEq)]
pub struct FdtOptions {
    /// Steps before the field is switched on (`t' = burn_in dt`): long enough to reach the
    /// stationary state.
    pub burn_in: usize,
    /// Lags `k >= 1` (steps after `t'`), strictly increasing.
    pub lags: Vec<usize>,
    /// Field strength `h > 0` (the linearity check also runs `2 h`).
    pub field: f64,
    /// Independent paths `P >= 4`.
    pub paths: u64,
    /// Jackknife groups `G`, `2 <= G <= P` (paths split into `G` contiguous blocks).
    pub groups: usize,
    /// Confidence level of the intervals.
    pub level: f64,
}

impl FdtOptions {
    /// Options with `groups = min(P, 100)` and `level = 0.95`.
    pub fn new(burn_in: usize, lags: Vec<usize>, field: f64, paths: u64) -> Self {
        let groups = paths.min(100) as usize;
        FdtOptions { burn_in, lags, field, paths, groups, level: 0.95 }
    }

    fn validate(&self) -> Result<()> {
        if self.lags.is_empty() || self.lags[0] == 0 || self.lags.windows(2).any(|w| w[1] <= w[0]) {
            return Err(Error::InvalidInput(format!(
                "lags {:?}: give at least one lag, each >= 1, strictly increasing",
                self.lags
            )));
        }
        let last = *self.lags.last().expect("non-empty");
        self.burn_in.checked_add(last).ok_or(Error::InvalidSize {
            name: "burn_in",
            value: self.burn_in,
            allowed: Allowed("small enough that burn_in + the largest lag fits in usize"),
        })?;
        crate::error::check_positive("field", self.field)?;
        if self.paths < 4 {
            return Err(Error::InvalidSize {
                name: "paths",
                value: self.paths as usize,
                allowed: Allowed(">= 4 (covariances and jackknife standard errors)"),
            });
        }
        if self.groups < 2 || self.groups as u64 > self.paths {
            return Err(Error::InvalidSize {
                name: "groups",
                value: self.groups,
                allowed: Allowed("in 2..=paths (jackknife groups)"),
            });
        }
        crate::error::check_open("level", self.level, 0.0, 1.0, "in (0, 1)")?;
        Ok(())
    }
}

/// One lag of an FDT measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FdtPoint {
    /// Lag `k` in steps.
    pub lag: usize,
    /// Lag in time, `k dt`.
    pub tau: f64,
    /// `C(t, t)` at `t = t' + k dt`.
    pub c_equal: Estimate,
    /// `C(t, t')`.
    pub c: Estimate,
    /// `chi(t, t')` at the field `h`.
    pub chi: Estimate,
    /// `chi(t, t')` at the field `2 h`.
    pub chi_double: Estimate,
    /// `(C(t, t) - C(t, t')) / chi(t, t')`: the effective temperature at this lag (infinite, with a
    /// NaN SE, where the mean response is exactly zero, e.g. a field switched on too late to act;
    /// the fit over lags [`FdtResult::t_eff`] is unaffected).
    pub t_eff: Estimate,
}

/// The result of [`effective_temperature`].
#[derive(Debug, Clone, PartialEq)]
pub struct FdtResult {
    /// `T_eff` from the fit of `Delta = T_eff chi` over all lags (module docs).
    pub t_eff: Estimate,
    /// The same fit with the response at `2 h` (equal to `t_eff` under linear response).
    pub t_eff_double: Estimate,
    /// Relative departure of the response at `2 h` from twice that at `h` (0 under linear response).
    pub nonlinearity: Estimate,
    /// `C(t', t')` (the equal-time correlation when the field is switched on).
    pub c_start: Estimate,
    /// One entry per lag.
    pub points: Vec<FdtPoint>,
    /// Field strength `h`.
    pub field: f64,
    /// Time step of the dynamics.
    pub dt: f64,
    /// Paths.
    pub paths: u64,
    /// Jackknife groups (the SEs have `groups - 1` degrees of freedom).
    pub groups: usize,
    /// State dimension `N`.
    pub dim: usize,
}

/// Layout of a group's sums (module docs): `[n, chi1 (L), chi2 (L), sx0 (N), sx0x0 (N), then per
/// lag: sx (N), sxx (N), sxx0 (N)]`.
struct Layout {
    l: usize,
    n: usize,
}

impl Layout {
    fn len(&self) -> usize {
        1 + 2 * self.l + 2 * self.n + 3 * self.l * self.n
    }
    fn chi1(&self, j: usize) -> usize {
        1 + j
    }
    fn chi2(&self, j: usize) -> usize {
        1 + self.l + j
    }
    fn sx0(&self) -> usize {
        1 + 2 * self.l
    }
    fn sx0x0(&self) -> usize {
        1 + 2 * self.l + self.n
    }
    fn lag(&self, j: usize) -> usize {
        1 + 2 * self.l + 2 * self.n + 3 * j * self.n
    }
}

/// The statistics of a set of sums: `[T_eff, T_eff(2h), nonlinearity, C(t',t'), then per lag
/// C(t,t), C(t,t'), chi(h), chi(2h), T_eff(k)]`.
fn statistics(lay: &Layout, s: &[f64]) -> Vec<f64> {
    let (l, n) = (lay.l, lay.n);
    let p = s[0];
    let cov = |sxy: f64, sx: f64, sy: f64| (sxy - sx * sy / p) / (p - 1.0);
    let (sx0, sx0x0) = (&s[lay.sx0()..lay.sx0() + n], &s[lay.sx0x0()..lay.sx0x0() + n]);
    let c0 = (0..n).map(|i| cov(sx0x0[i], sx0[i], sx0[i])).sum::<f64>() / n as f64;
    let mut per = Vec::with_capacity(5 * l);
    let (mut num1, mut den1, mut num2, mut den2, mut nl) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for j in 0..l {
        let b = lay.lag(j);
        let (sx, sxx, sxx0) = (&s[b..b + n], &s[b + n..b + 2 * n], &s[b + 2 * n..b + 3 * n]);
        let ceq = (0..n).map(|i| cov(sxx[i], sx[i], sx[i])).sum::<f64>() / n as f64;
        let c = (0..n).map(|i| cov(sxx0[i], sx[i], sx0[i])).sum::<f64>() / n as f64;
        let (chi1, chi2) = (s[lay.chi1(j)] / p, s[lay.chi2(j)] / p);
        let delta = ceq - c;
        num1 += chi1 * delta;
        den1 += chi1 * chi1;
        num2 += chi2 * delta;
        den2 += chi2 * chi2;
        nl += chi1 * (chi2 - chi1);
        per.extend_from_slice(&[ceq, c, chi1, chi2, delta / chi1]);
    }
    let mut out = vec![num1 / den1, num2 / den2, nl / den1, c0];
    out.extend(per);
    out
}

/// Measures the effective temperature of `dynamics` by the fluctuation–dissipation relation
/// (module docs): paths `0..P` from `seed` (noise of path `p` from `seed.child_named("noise")`,
/// signs from `seed.child_named("signs")`, initial state from `seed.child_named("init")`),
/// bit-identical for any thread count.
///
/// Errors: invalid options; a non-finite state; no measurable response (the dynamics ignores the
/// field: `sum chi^2 = 0`).
pub fn effective_temperature<D: FieldDynamics + ?Sized>(
    dynamics: &D,
    seed: Seed,
    opts: &FdtOptions,
) -> Result<FdtResult> {
    opts.validate()?;
    let n = dynamics.dim();
    check_size("dim", n, 1, ">= 1")?;
    let l = opts.lags.len();
    let lay = Layout { l, n };
    let stride = lay.len();
    let (seed_noise, seed_signs, seed_init) =
        (seed.child_named("noise"), seed.child_named("signs"), seed.child_named("init"));
    let mut stops = vec![opts.burn_in];
    stops.extend(opts.lags.iter().map(|k| opts.burn_in + k));
    let g = opts.groups as u64;
    let p_total = opts.paths;
    let groups: Vec<Vec<f64>> = (0..g)
        .into_par_iter()
        .map(|gi| {
            let (lo, hi) = (p_total * gi / g, p_total * (gi + 1) / g);
            let mut acc = vec![0.0; stride];
            let mut x0 = vec![0.0; n];
            let (mut eps, mut f1, mut f2) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
            let mut out0 = vec![0.0; stops.len() * n];
            let (mut out1, mut out2) = (out0.clone(), out0.clone());
            for p in lo..hi {
                dynamics.initial(seed_init, p, &mut x0)?;
                let mut rng = seed_signs.stream(p);
                for ((e, a), b) in eps.iter_mut().zip(f1.iter_mut()).zip(f2.iter_mut()) {
                    *e = if rng.next_u64() >> 63 == 0 { 1.0 } else { -1.0 };
                    *a = opts.field * *e;
                    *b = 2.0 * opts.field * *e;
                }
                dynamics.run(seed_noise, p, &x0, None, &stops, &mut out0)?;
                let f = |force| Some(Field { from_step: opts.burn_in, force });
                dynamics.run(seed_noise, p, &x0, f(&f1), &stops, &mut out1)?;
                dynamics.run(seed_noise, p, &x0, f(&f2), &stops, &mut out2)?;
                acc[0] += 1.0;
                let xs = &out0[..n];
                for i in 0..n {
                    acc[lay.sx0() + i] += xs[i];
                    acc[lay.sx0x0() + i] += xs[i] * xs[i];
                }
                for j in 0..l {
                    let r = (j + 1) * n..(j + 2) * n;
                    let (x, x1, x2) = (&out0[r.clone()], &out1[r.clone()], &out2[r]);
                    let mut c1 = 0.0;
                    let mut c2 = 0.0;
                    for i in 0..n {
                        c1 += eps[i] * (x1[i] - x[i]);
                        c2 += eps[i] * (x2[i] - x[i]);
                    }
                    acc[lay.chi1(j)] += c1 / (n as f64 * opts.field);
                    acc[lay.chi2(j)] += c2 / (2.0 * n as f64 * opts.field);
                    let b = lay.lag(j);
                    for i in 0..n {
                        acc[b + i] += x[i];
                        acc[b + n + i] += x[i] * x[i];
                        acc[b + 2 * n + i] += x[i] * xs[i];
                    }
                }
            }
            Ok(acc)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut total = vec![0.0; stride];
    for a in &groups {
        total.iter_mut().zip(a).for_each(|(t, v)| *t += v);
    }
    let full = statistics(&lay, &total);
    if !full[0].is_finite() || (0..l).all(|j| full[4 + 5 * j + 2] == 0.0) {
        return Err(Error::InvalidInput(
            "no measurable response: the mean response chi is zero at every lag (does the dynamics feel the field?)"
                .into(),
        ));
    }
    // Delete-one-group jackknife.
    let leave: Vec<Vec<f64>> = groups
        .iter()
        .map(|a| {
            let s: Vec<f64> = total.iter().zip(a).map(|(t, v)| t - v).collect();
            statistics(&lay, &s)
        })
        .collect();
    let gf = opts.groups as f64;
    let est = |k: usize| {
        let mean = leave.iter().map(|s| s[k]).sum::<f64>() / gf;
        let var = leave.iter().map(|s| (s[k] - mean).powi(2)).sum::<f64>() * (gf - 1.0) / gf;
        Estimate::normal(full[k], var.sqrt(), opts.level)
    };
    let dt = dynamics.dt();
    let points = (0..l)
        .map(|j| {
            let b = 4 + 5 * j;
            FdtPoint {
                lag: opts.lags[j],
                tau: opts.lags[j] as f64 * dt,
                c_equal: est(b),
                c: est(b + 1),
                chi: est(b + 2),
                chi_double: est(b + 3),
                t_eff: est(b + 4),
            }
        })
        .collect();
    Ok(FdtResult {
        t_eff: est(0),
        t_eff_double: est(1),
        nonlinearity: est(2),
        c_start: est(3),
        points,
        field: opts.field,
        dt,
        paths: opts.paths,
        groups: opts.groups,
        dim: n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sde::{DiffusionShape, Grid, VectorSde};

    /// Euler OU: the response is deterministic, `chi(k) = (1 - a^k)/theta` exactly.
    #[test]
    fn ou_response_is_exact_and_bits_do_not_depend_on_groups_threads() {
        let (theta, temp, dt): (f64, f64, f64) = (1.7, 0.6, 0.02);
        let s = (2.0 * temp).sqrt();
        let model = VectorSde::new(
            3,
            DiffusionShape::Diagonal,
            move |_t, x: &[f64], b: &mut [f64]| b.iter_mut().zip(x).for_each(|(b, x)| *b = theta * (0.3 - x)),
            move |_t, _x: &[f64], o: &mut [f64]| o.fill(s),
        )
        .unwrap();
        let driver = Driver::brownian(Grid::new(300, dt).unwrap(), 3).unwrap();
        let dynm = SdeDynamics::new(&model, driver, vec![0.3; 3]).unwrap();
        let opts = FdtOptions::new(200, vec![5, 20, 60], 0.1, 64);
        let r = effective_temperature(&dynm, Seed::new(4), &opts).unwrap();
        let a = 1.0 - theta * dt;
        for p in &r.points {
            let want = (1.0 - a.powi(p.lag as i32)) / theta;
            assert!((p.chi.value - want).abs() < 1e-9 * want, "{} vs {want}", p.chi.value);
            assert!(p.chi.se < 1e-9 * want);
        }
        assert!(r.nonlinearity.value.abs() < 1e-8);
        // Another grouping sums in another order: equal up to rounding.
        let r2 = effective_temperature(&dynm, Seed::new(4), &FdtOptions { groups: 7, ..opts.clone() }).unwrap();
        assert!((r.t_eff.value - r2.t_eff.value).abs() < 1e-12 * r.t_eff.value);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let r3 = pool.install(|| effective_temperature(&dynm, Seed::new(4), &opts)).unwrap();
        assert_eq!(r, r3);
        // Bad options are errors.
        for bad in [
            FdtOptions { lags: vec![], ..opts.clone() },
            FdtOptions { lags: vec![3, 3], ..opts.clone() },
            FdtOptions { lags: vec![0, 3], ..opts.clone() },
            FdtOptions { field: 0.0, ..opts.clone() },
            FdtOptions { paths: 3, ..opts.clone() },
            FdtOptions { groups: 65, ..opts.clone() },
            FdtOptions { level: 1.0, ..opts.clone() },
            FdtOptions { lags: vec![200], ..opts.clone() },
        ] {
            assert!(effective_temperature(&dynm, Seed::new(4), &bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn quadratic_sgd_validates_and_diverging_runs_are_errors() {
        assert!(QuadraticSgd::new(vec![1.0], 0.5, 1.0, vec![0.0]).is_ok());
        assert!(QuadraticSgd::new(vec![4.0], 0.5, 1.0, vec![0.0]).is_err());
        assert!(QuadraticSgd::new(vec![1.0], 0.5, 0.0, vec![0.0]).is_err());
        assert!(QuadraticSgd::new(vec![1.0], 0.5, 1.0, vec![0.0, 1.0]).is_err());
        assert!(QuadraticSgd::new(vec![], 0.5, 1.0, vec![]).is_err());
        let q = QuadraticSgd::new(vec![1.0], 0.5, 1.0, vec![0.0]).unwrap();
        assert!((q.temperature(0) - 1.0 / 3.0).abs() < 1e-15);
        let q = QuadraticSgd::new(vec![0.01], 0.5, 1.0, vec![0.0]).unwrap();
        let mut out = vec![0.0; 2];
        let huge = [1e308];
        let f = Some(Field { from_step: 0, force: &huge });
        let e = q.run(Seed::new(1), 0, &[0.0], f, &[0, 10], &mut out).unwrap_err();
        assert!(matches!(e, Error::NonFiniteState { .. }), "{e}");
        assert!(q.run(Seed::new(1), 0, &[0.0], None, &[3, 2], &mut out).is_err());
    }
}
