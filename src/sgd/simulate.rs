//! Heavy-ball SGD ensembles on a [`Design`], two ways, through [`crate::sde::Ensemble`].
//!
//! * [`Way::NoiseModel`]: the quadratic plus generated noise. A [`PathIntegrator`] runs
//!   `v <- beta v - eta (lambda_j theta_j + xi_j)`, `theta <- theta + v` per eigendirection; the
//!   noise `xi` comes from a [`Driver`], the [`MinibatchNoise`] of the design
//!   ([`MinibatchNoise::driver`]): the gradient is the drift, the gradient noise the driver. The
//!   driver fills a whole path's noise before integrating it, so memory is
//!   `(burn_in + steps) d` doubles per thread.
//! * [`Way::Real`]: the real minibatch algorithm on the data, `v <- beta v - eta (1/B) sum_(i in S_t)
//!   x_i (x_i . theta - r_i)` (the batch gradient of `(1/2N) sum (x_i . w - y_i)^2` at
//!   `w = w* + theta`, in the eigenbasis; [`super::data`]). Its randomness is the batch sequence,
//!   which for persistent SGD has no fixed number of values per step, so the integrator draws the
//!   batches itself, path `i` from `seed.stream(i)` exactly as the noise generator does: **under
//!   one seed both ways see the same batches** (a paired comparison). The ensemble's driver is then
//!   a one-component placeholder of zeros. Memory `O(N d)` shared, `O(d)` per thread.
//!
//! **Observables.** The integrator's state has `5d` components: `theta` (`0..d`), `v` (`d..2d`),
//! and three running time averages over the steps after the burn-in, `burn_in + 1 ..= t`:
//! of `theta` (`2d..3d`), `theta^2` (`3d..4d`) and `v^2` (`4d..5d`) (zero before the burn-in ends).
//! The ensemble observes the final step only. Over `P` paths the [`Summary`] then holds the exact,
//! mergeable power sums of each path's time averages: the stationary variance is their mean, and
//! its standard error is the standard deviation of the per-path averages over `sqrt(P)`, honest
//! whatever the autocorrelation in time because paths are independent (the mean of `theta` is
//! known to be 0, so `mean theta^2` is the variance). Shards merge exactly, bit-identical for any
//! thread count or split (`docs/shards.md`).
//!
//! **Bias.** The paths start at `theta = v = 0`; after a burn-in of `n` relaxation times
//! ([`HeavyBall::relaxation_steps`] of the flattest direction) the relative bias is below `e^-2n`.
//! For epoch sampling the averaging window must be whole epochs (every phase equally), which
//! [`MomentumExperiment::new`] enforces; then the noise model's time average targets the
//! phase-averaged closed form exactly.

use super::data::Design;
use super::minibatch::{Batching, MinibatchNoise, Sampling};
use super::momentum::{real_epoch_estimate, real_independent_batches, HeavyBall, StationaryVariance};
use crate::error::{Error, Result};
use crate::rng::Seed;
use crate::sde::{Driver, Ensemble, Grid, Observe, PathIntegrator, Scheme, Summary};
use crate::stats::Estimate;

/// Which dynamics to run (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// The real minibatch algorithm on the data.
    Real,
    /// The quadratic with generated minibatch noise (noise independent of the weights).
    NoiseModel,
}

impl Way {
    /// `real` or `noise-model`.
    pub fn name(&self) -> &'static str {
        match self {
            Way::Real => "real",
            Way::NoiseModel => "noise-model",
        }
    }
}

/// Closed-form predictions along one eigendirection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Predictions {
    /// Curvature `lambda_j`.
    pub curvature: f64,
    /// Per-sample gradient variance `C_jj`.
    pub gradient_variance: f64,
    /// One step's noise variance `K_0 = C_jj x` [`Batching::noise_variance`] of the run's scheme.
    pub noise_variance: f64,
    /// White noise of variance `K_0` ([`HeavyBall::variance_white`]).
    pub uncorrelated: StationaryVariance,
    /// Epoch sampling with the same `N`, `B` ([`HeavyBall::variance_epoch`]; `None` when `B` does
    /// not divide `N`; zero when `B = N`).
    pub epoch: Option<StationaryVariance>,
    /// The noise model of the run's scheme ([`HeavyBall::variance_for`]).
    pub noise_model: StationaryVariance,
    /// The real algorithm, exact for independent batches
    /// ([`super::momentum::real_independent_batches`]); `None` for the other schemes.
    pub real_exact: Option<StationaryVariance>,
    /// The real algorithm with epoch sampling, **approximately**
    /// ([`super::momentum::real_epoch_estimate`]); `None` for the other schemes.
    pub real_epoch_estimate: Option<StationaryVariance>,
    /// Relaxation time in steps ([`HeavyBall::relaxation_steps`]).
    pub relaxation_steps: f64,
}

/// Measured stationary statistics along one eigendirection, with their predictions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DirectionResult {
    /// Direction index `j`.
    pub index: usize,
    /// Closed forms.
    pub predicted: Predictions,
    /// `Var theta_j`: mean over paths of the per-path time average of `theta_j^2`, with its SE.
    /// This is the second moment about `w*`, the variance when `E theta = 0`, which holds exactly
    /// for the noise model and for the real algorithm with independent batches; the real algorithm
    /// with epochs has a small measured offset `E theta != 0` (see `mean_theta`; validation
    /// `sgd/real-vs-noise-model`).
    pub var_theta: Estimate,
    /// `Var v_j`, likewise.
    pub var_v: Estimate,
    /// Mean of `theta_j` (0 in theory), likewise.
    pub mean_theta: Estimate,
}

/// The result of [`MomentumExperiment::report`].
#[derive(Debug, Clone, PartialEq)]
pub struct MomentumReport {
    /// Which dynamics.
    pub way: Way,
    /// Paths summarised.
    pub paths: u64,
    /// The epoch crossover curvature [`HeavyBall::crossover`] (`None` unless `B` divides `N` with
    /// at least two batches per epoch).
    pub crossover: Option<f64>,
    /// One entry per eigendirection.
    pub directions: Vec<DirectionResult>,
}

/// A heavy-ball SGD experiment on a design (module docs): `burn_in` steps discarded, then time
/// averages over `steps` steps, paths drawn from `seed`.
#[derive(Debug, Clone)]
pub struct MomentumExperiment {
    design: Design,
    batching: Batching,
    sgd: HeavyBall,
    burn_in: usize,
    steps: usize,
    seed: Seed,
    grid: Grid,
}

impl MomentumExperiment {
    /// Validates: `batching` is for the design's `N`; every curvature in the stability range of
    /// `sgd` ([`HeavyBall::check_curvature`]); `steps >= 1`; `burn_in + steps` representable; for
    /// epoch sampling `steps` a multiple of `M = N/B`.
    pub fn new(
        design: &Design,
        batching: Batching,
        sgd: HeavyBall,
        burn_in: usize,
        steps: usize,
        seed: Seed,
    ) -> Result<MomentumExperiment> {
        crate::error::check_len("batching.n_samples()", batching.n_samples(), design.n_samples())?;
        for &l in design.eigenvalues() {
            sgd.check_curvature(l)?;
        }
        crate::error::check_size("steps", steps, 1, ">= 1")?;
        if batching.sampling() == Sampling::Epoch && !steps.is_multiple_of(batching.batches_per_epoch()) {
            return Err(Error::InvalidSize {
                name: "steps",
                value: steps,
                allowed: crate::error::Allowed(
                    "a multiple of the epoch length N/B for epoch sampling (averages over whole epochs)",
                ),
            });
        }
        let total = burn_in.checked_add(steps).ok_or(Error::InvalidSize {
            name: "burn_in",
            value: burn_in,
            allowed: crate::error::Allowed("small enough that burn_in + steps fits in usize"),
        })?;
        let grid = Grid::new(total, sgd.eta())?;
        Ok(MomentumExperiment { design: design.clone(), batching, sgd, burn_in, steps, seed, grid })
    }

    /// The grid: `burn_in + steps` steps of `dt = eta` (SEEDS.md convention).
    pub fn grid(&self) -> Grid {
        self.grid
    }

    /// The design.
    pub fn design(&self) -> &Design {
        &self.design
    }

    /// The batching.
    pub fn batching(&self) -> Batching {
        self.batching
    }

    /// The SGD parameters.
    pub fn sgd(&self) -> HeavyBall {
        self.sgd
    }

    /// State dimension of the integrators (`5 d`, module docs).
    pub fn state_dim(&self) -> usize {
        5 * self.design.dim()
    }

    /// The closed forms per direction (including the real-algorithm forms, exact for independent
    /// batches and approximate for epochs, whose computation fails when the real algorithm is not
    /// mean-square stable: see [`real_independent_batches`]).
    pub fn predictions(&self) -> Result<Vec<Predictions>> {
        let real = match self.batching.sampling() {
            Sampling::WithReplacement => Some(real_independent_batches(&self.design, &self.batching, &self.sgd)?),
            Sampling::Persistent { redraw: 1.0 } => {
                Some(real_independent_batches(&self.design, &self.batching, &self.sgd)?)
            }
            _ => None,
        };
        let epoch_real = match self.batching.sampling() {
            Sampling::Epoch if self.batching.batches_per_epoch() >= 2 => {
                Some(real_epoch_estimate(&self.design, &self.batching, &self.sgd)?)
            }
            _ => None,
        };
        let (n, b) = (self.batching.n_samples(), self.batching.batch());
        let epoch_batching = Batching::new(n, b, Sampling::Epoch).ok();
        (0..self.design.dim())
            .map(|j| {
                let l = self.design.eigenvalues()[j];
                let c = self.design.gradient_variance(j);
                let k0 = c * self.batching.noise_variance();
                Ok(Predictions {
                    curvature: l,
                    gradient_variance: c,
                    noise_variance: k0,
                    uncorrelated: self.sgd.variance_white(l, k0)?,
                    epoch: match &epoch_batching {
                        Some(eb) => Some(self.sgd.variance_for(l, c, eb)?),
                        None => None,
                    },
                    noise_model: self.sgd.variance_for(l, c, &self.batching)?,
                    real_exact: real.as_ref().map(|r| r[j]),
                    real_epoch_estimate: epoch_real.as_ref().map(|r| r[j]),
                    relaxation_steps: self.sgd.relaxation_steps(l)?,
                })
            })
            .collect()
    }

    /// The epoch crossover curvature for this `N`, `B` (see [`MomentumReport::crossover`]).
    pub fn crossover(&self) -> Option<f64> {
        let (n, b) = (self.batching.n_samples(), self.batching.batch());
        if n % b != 0 || n / b < 2 {
            return None;
        }
        self.sgd.crossover(n / b).ok()
    }

    fn describe(&self, way: Way) -> Vec<(&'static str, f64)> {
        let fp = self.design.fingerprint();
        let (kind, redraw) = match self.batching.sampling() {
            Sampling::WithReplacement => (0.0, 0.0),
            Sampling::Epoch => (1.0, 0.0),
            Sampling::Persistent { redraw } => (2.0, redraw),
        };
        vec![
            ("way", if way == Way::Real { 1.0 } else { 0.0 }),
            ("eta", self.sgd.eta()),
            ("beta", self.sgd.beta()),
            ("burn_in", self.burn_in as f64),
            ("steps", self.steps as f64),
            ("n_samples", self.batching.n_samples() as f64),
            ("batch", self.batching.batch() as f64),
            ("sampling", kind),
            ("redraw", redraw),
            ("dim", self.design.dim() as f64),
            ("design_hash_hi", (fp >> 32) as f64),
            ("design_hash_lo", (fp & 0xffff_ffff) as f64),
        ]
    }

    /// Runs paths `paths` (a whole run `0..P` or a shard) and returns the mergeable summary
    /// (module docs; configurations of the two ways differ, so they never merge).
    pub fn summary(&self, way: Way, paths: std::ops::Range<u64>) -> Result<Summary> {
        let d = self.design.dim();
        let x0 = vec![0.0; 5 * d];
        let observe = Observe { steps: vec![self.grid.n_steps()], ..Default::default() };
        let params = self.describe(way);
        match way {
            Way::NoiseModel => {
                let noise = MinibatchNoise::new(&self.design, self.batching, self.seed)?;
                let driver = noise.driver(self.grid)?;
                let integ = NoiseModelIntegrator {
                    lambda: self.design.eigenvalues().to_vec(),
                    sgd: self.sgd,
                    grid: self.grid,
                    burn_in: self.burn_in,
                };
                let ens = Ensemble::builder(&integ, &driver)
                    .x0(x0)
                    .seed(self.seed)
                    .observe(observe)
                    .describe("sgd-heavy-ball", &params)
                    .build()?;
                Ok(ens.run(paths)?.summary)
            }
            Way::Real => {
                let driver = Driver::from_fn(self.grid, 1, |_, out| {
                    out.fill(0.0);
                    Ok(())
                })?;
                let integ = RealIntegrator {
                    design: self.design.clone(),
                    batching: self.batching,
                    seed: self.seed,
                    sgd: self.sgd,
                    grid: self.grid,
                    burn_in: self.burn_in,
                };
                let ens = Ensemble::builder(&integ, &driver)
                    .x0(x0)
                    .seed(self.seed)
                    .observe(observe)
                    .describe("sgd-heavy-ball", &params)
                    .build()?;
                Ok(ens.run(paths)?.summary)
            }
        }
    }

    /// Per-direction results from a summary of this experiment (one run, or merged shards):
    /// errors when the summary comes from another configuration or covers fewer than 2 paths.
    pub fn report(&self, way: Way, summary: &Summary) -> Result<MomentumReport> {
        let empty = self.summary(way, 0..0)?;
        if empty.config != summary.config || empty.dim != summary.dim || empty.steps != summary.steps {
            return Err(Error::InvalidInput(format!(
                "the summary is not from this experiment ({} way, same design, batching, SGD parameters and \
                 seed)",
                way.name()
            )));
        }
        let paths = summary.path_count();
        if paths < 2 {
            return Err(Error::InvalidSize {
                name: "paths",
                value: paths as usize,
                allowed: crate::error::Allowed(">= 2 (standard errors come from the spread over paths)"),
            });
        }
        let d = self.design.dim();
        let predictions = self.predictions()?;
        let directions = predictions
            .into_iter()
            .enumerate()
            .map(|(j, predicted)| {
                Ok(DirectionResult {
                    index: j,
                    predicted,
                    var_theta: summary.mean(0, 3 * d + j)?,
                    var_v: summary.mean(0, 4 * d + j)?,
                    mean_theta: summary.mean(0, 2 * d + j)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(MomentumReport { way, paths, crossover: self.crossover(), directions })
    }

    /// [`MomentumExperiment::summary`] over paths `0..paths`, then [`MomentumExperiment::report`].
    pub fn run(&self, way: Way, paths: u64) -> Result<MomentumReport> {
        let s = self.summary(way, 0..paths)?;
        self.report(way, &s)
    }
}

/// Running time averages and output of the `5d` state (module docs).
struct Tracker {
    d: usize,
    burn_in: usize,
    sums: Vec<f64>,
    count: usize,
    lo: Vec<f64>,
    hi: Vec<f64>,
    track: bool,
}

impl Tracker {
    fn new(d: usize, burn_in: usize, track: bool) -> Self {
        Tracker {
            d,
            burn_in,
            sums: vec![0.0; 3 * d],
            count: 0,
            lo: vec![f64::INFINITY; 5 * d],
            hi: vec![f64::NEG_INFINITY; 5 * d],
            track,
        }
    }

    /// The full state into `out` (length `5d`).
    fn write(&self, theta: &[f64], v: &[f64], out: &mut [f64]) {
        let d = self.d;
        out[..d].copy_from_slice(theta);
        out[d..2 * d].copy_from_slice(v);
        let c = if self.count == 0 { 0.0 } else { 1.0 / self.count as f64 };
        for (o, s) in out[2 * d..].iter_mut().zip(&self.sums) {
            *o = if self.count == 0 { 0.0 } else { s * c };
        }
    }

    /// After the update to step `k` (the state at step `k`).
    #[inline]
    fn after(&mut self, k: usize, theta: &[f64], v: &[f64]) {
        let d = self.d;
        if k > self.burn_in {
            self.count += 1;
            let (s1, rest) = self.sums.split_at_mut(d);
            let (s2, s3) = rest.split_at_mut(d);
            for j in 0..d {
                s1[j] += theta[j];
                s2[j] += theta[j] * theta[j];
                s3[j] += v[j] * v[j];
            }
        }
        if self.track {
            self.extend(theta, v);
        }
    }

    fn extend(&mut self, theta: &[f64], v: &[f64]) {
        let mut full = vec![0.0; 5 * self.d];
        self.write(theta, v, &mut full);
        for ((l, h), x) in self.lo.iter_mut().zip(self.hi.iter_mut()).zip(&full) {
            *l = l.min(*x);
            *h = h.max(*x);
        }
    }
}

/// The shared path loop: `step(k, theta, v)` advances from step `k` to `k + 1`.
#[allow(clippy::too_many_arguments)]
fn run_path(
    d: usize,
    burn_in: usize,
    grid: Grid,
    path: u64,
    x0: &[f64],
    stops: &[usize],
    out: &mut [f64],
    extremes: Option<&mut [f64]>,
    mut step: impl FnMut(usize, &mut [f64], &mut [f64]),
) -> Result<()> {
    let n = grid.n_steps();
    crate::error::check_len("x0", x0.len(), 5 * d)?;
    crate::error::check_len("out", out.len(), stops.len() * 5 * d)?;
    let mut theta = x0[..d].to_vec();
    let mut v = x0[d..2 * d].to_vec();
    if let Some(i) = x0.iter().position(|x| !x.is_finite()) {
        return Err(Error::NonFiniteState { path, step: 0, time: 0.0, value: x0[i] });
    }
    let mut tr = Tracker::new(d, burn_in, extremes.is_some());
    if tr.track {
        tr.extend(&theta, &v);
    }
    let mut next_stop = 0usize;
    for k in 0..=n {
        while next_stop < stops.len() && stops[next_stop] == k {
            tr.write(&theta, &v, &mut out[next_stop * 5 * d..(next_stop + 1) * 5 * d]);
            next_stop += 1;
        }
        if k == n {
            break;
        }
        step(k, &mut theta, &mut v);
        if let Some(i) = theta.iter().chain(&v).position(|x| !x.is_finite()) {
            let value = if i < d { theta[i] } else { v[i - d] };
            return Err(Error::NonFiniteState { path, step: k + 1, time: grid.time(k + 1), value });
        }
        tr.after(k + 1, &theta, &v);
    }
    if next_stop != stops.len() {
        return Err(Error::InvalidInput(format!("observation step {} beyond n_steps = {n}", stops[next_stop])));
    }
    if let Some(e) = extremes {
        crate::error::check_len("extremes", e.len(), 10 * d)?;
        e[..5 * d].copy_from_slice(&tr.lo);
        e[5 * d..].copy_from_slice(&tr.hi);
    }
    Ok(())
}

/// The noise model: heavy ball on `diag(lambda)` driven by the noise increments (module docs).
struct NoiseModelIntegrator {
    lambda: Vec<f64>,
    sgd: HeavyBall,
    grid: Grid,
    burn_in: usize,
}

impl PathIntegrator for NoiseModelIntegrator {
    fn state_dim(&self) -> usize {
        5 * self.lambda.len()
    }
    fn noise_dim(&self) -> usize {
        self.lambda.len()
    }
    fn grid(&self) -> Grid {
        self.grid
    }
    /// Reported as Euler–Maruyama (the ensemble only uses it to refuse Milstein): the update is
    /// the heavy-ball recursion of the module docs.
    fn scheme(&self) -> Scheme {
        Scheme::EulerMaruyama
    }
    fn integrate(
        &self,
        path: u64,
        x0: &[f64],
        dl: &[f64],
        stops: &[usize],
        out: &mut [f64],
        extremes: Option<&mut [f64]>,
    ) -> Result<()> {
        let d = self.lambda.len();
        crate::error::check_len("increments", dl.len(), self.grid.n_steps() * d)?;
        let (eta, beta) = (self.sgd.eta(), self.sgd.beta());
        let lam = &self.lambda;
        run_path(d, self.burn_in, self.grid, path, x0, stops, out, extremes, |k, theta, v| {
            let xi = &dl[k * d..(k + 1) * d];
            for j in 0..d {
                v[j] = beta * v[j] - eta * (lam[j] * theta[j] + xi[j]);
                theta[j] += v[j];
            }
        })
    }
}

/// The real minibatch algorithm on the data (module docs).
struct RealIntegrator {
    design: Design,
    batching: Batching,
    seed: Seed,
    sgd: HeavyBall,
    grid: Grid,
    burn_in: usize,
}

impl PathIntegrator for RealIntegrator {
    fn state_dim(&self) -> usize {
        5 * self.design.dim()
    }
    fn noise_dim(&self) -> usize {
        1
    }
    fn grid(&self) -> Grid {
        self.grid
    }
    fn scheme(&self) -> Scheme {
        Scheme::EulerMaruyama
    }
    fn integrate(
        &self,
        path: u64,
        x0: &[f64],
        _dl: &[f64],
        stops: &[usize],
        out: &mut [f64],
        extremes: Option<&mut [f64]>,
    ) -> Result<()> {
        let d = self.design.dim();
        let (eta, beta) = (self.sgd.eta(), self.sgd.beta());
        let rows = self.design.rows();
        let res = self.design.residuals();
        let scale = 1.0 / self.batching.batch() as f64;
        let mut rng = self.seed.stream(path);
        let mut sampler = self.batching.sampler();
        let mut g = vec![0.0; d];
        run_path(d, self.burn_in, self.grid, path, x0, stops, out, extremes, |_k, theta, v| {
            g.fill(0.0);
            for &i in sampler.next_batch(&mut rng) {
                let x = &rows[i * d..(i + 1) * d];
                let e = x.iter().zip(theta.iter()).map(|(a, b)| a * b).sum::<f64>() - res[i];
                g.iter_mut().zip(x).for_each(|(gj, xj)| *gj += xj * e);
            }
            for j in 0..d {
                v[j] = beta * v[j] - eta * (scale * g[j]);
                theta[j] += v[j];
            }
        })
    }
}
