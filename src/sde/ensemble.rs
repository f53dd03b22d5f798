//! Parallel ensembles with streaming observers.
//!
//! An [`Ensemble`] runs paths `i` in a range, each on its own noise ([`Driver::fill`] with the
//! ensemble seed: Brownian and stable path `i` draw from `seed.stream(i)`), in parallel with rayon.
//! Observers stream statistics without storing paths ([`Observe`]): power sums at chosen steps
//! (mean and variance with standard errors), a histogram, each path's running minimum and maximum.
//! Memory is `O(threads x n_steps)` for the increments plus the summary; full paths (or every
//! `k`-th step) are kept only when [`Observe::store_every`] asks for them.
//!
//! Build one with [`Ensemble::builder`] (typed settings; the configuration that guards shard
//! merging is derived from the parts) or [`Ensemble::new`] (an explicit JSON configuration):
//!
//! ```
//! use fracnoise::sde::{models::Ou, Ensemble, Grid, ScalarIntegrator, Scheme};
//! use fracnoise::Seed;
//! let ou = Ou::new(1.0, 0.0, 0.5).unwrap();
//! let grid = Grid::new(100, 0.01).unwrap();
//! let integ = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
//! let driver = fracnoise::sde::Driver::brownian(grid, 1).unwrap();
//! let ens = Ensemble::builder(&integ, &driver).x0(vec![1.0]).seed(Seed::new(7)).observe_evenly(4).build().unwrap();
//! let out = ens.run(0..1000).unwrap();
//! let last = out.summary.times().len() - 1;
//! let m = out.summary.mean(last, 0).unwrap(); // value and standard error at t = 1
//! assert!((m.value - ou.mean(1.0, 1.0)).abs() < 5.0 * m.se);
//! ```
//!
//! **Reproducibility.** Every statistic is accumulated exactly ([`super::Summary`]), so the result
//! is bit-identical whatever the number of threads, the chunking, or the split into shards. When
//! several paths fail, the error of the lowest path index is reported, whatever the thread count.
//!
//! **Speed.** Brownian paths of a model with a linear fast path (OU, Brownian motion with drift:
//! [`super::ScalarModel::linear_additive`]) run four at a time
//! ([`PathIntegrator::integrate_brownian_x4`]): one path's Euler step waits on the previous one
//! (a multiply and an add, 8 cycles), so four independent paths side by side keep the processor
//! busy, and their normals come from the AVX2 lanes of [`crate::noise::ziggurat_lanes`]. Each path
//! keeps its own stream and its bits (tested against the one-path route); a chunk's last paths
//! that do not fill a group of four, and every other model, run one path at a time.

use super::driver::{Driver, NoiseKind};
use super::integrator::{PathIntegrator, Scheme};
use super::summary::{Histogram, LogHistogram, PowerSums, Summary, SUMMARY_FORMAT};
use crate::error::{Error, Result};
use crate::rng::Seed;
use crate::stats::Estimate;
use ndarray::Array2;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Paths per parallel task.
const CHUNK: usize = 32;

/// A rayon worker's state in [`Ensemble::run_into`]: its buffers, the summary of the tasks it ran,
/// and its first failure (task index and error).
struct Worker {
    scratch: super::driver::DriverScratch,
    dl: Vec<f64>,
    out: Vec<f64>,
    ext: Vec<f64>,
    quad: (Vec<f64>, Vec<f64>),
    summary: Summary,
    failed: Option<(usize, Error)>,
}

/// The first `L` consecutive pieces of `n` values of `v` (`v` holds at least `L n`).
fn split_n<const L: usize>(mut v: &mut [f64], n: usize) -> [&mut [f64]; L] {
    std::array::from_fn(|_| {
        let (a, b) = std::mem::take(&mut v).split_at_mut(n);
        v = b;
        a
    })
}

/// A histogram request: `bins` bins on `[lo, hi)` for `component` at step `step`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistogramSpec {
    /// Step index.
    pub step: usize,
    /// State component.
    pub component: usize,
    /// Lower edge.
    pub lo: f64,
    /// Upper edge.
    pub hi: f64,
    /// Number of bins.
    pub bins: usize,
}

/// What to record during a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observe {
    /// Steps (indices into `0..=n_steps`) at which to accumulate mean / variance.
    pub steps: Vec<usize>,
    /// Optional histogram.
    pub histogram: Option<HistogramSpec>,
    /// Accumulate each path's running minimum and maximum.
    pub extremes: bool,
    /// Record every observed component in fine logarithmic bins ([`LogHistogram`]), for medians
    /// and interquartile ranges with confidence intervals ([`Summary::quantile`],
    /// [`Summary::iqr`]) at any scale. Ask for it with an alpha-stable driver, `alpha < 2`: the
    /// variance is then infinite ([`Summary::tail_index`]). Cost: one ordered-map update per path
    /// and observation.
    pub quantiles: bool,
    /// Store paths at every `k`-th step (`Some(1)`: full paths). Memory `paths x steps / k`.
    pub store_every: Option<usize>,
}

impl Observe {
    /// Observe at `count` equally spaced steps ending at `n_steps` (`count` clipped to `n_steps`).
    pub fn evenly(n_steps: usize, count: usize) -> Self {
        let c = count.clamp(1, n_steps.max(1));
        let mut steps: Vec<usize> = (1..=c).map(|i| (i * n_steps).div_ceil(c)).collect();
        steps.dedup();
        Observe { steps, ..Default::default() }
    }
}

/// Result of [`Ensemble::run`].
#[derive(Debug, Clone)]
pub struct EnsembleOutput {
    /// The mergeable summary.
    pub summary: Summary,
    /// Stored paths (rows = paths of the range, columns = stored steps x dim, step-major), if asked.
    pub paths: Option<Array2<f64>>,
    /// The stored step indices.
    pub stored_steps: Vec<usize>,
}

impl EnsembleOutput {
    /// Observation times (see [`Summary::times`]).
    pub fn times(&self) -> &[f64] {
        self.summary.times()
    }

    /// Mean of `component` at observation `time_index`, with its standard error
    /// ([`Summary::mean`]).
    pub fn mean(&self, time_index: usize, component: usize) -> Result<Estimate> {
        self.summary.mean(time_index, component)
    }

    /// Variance of `component` at observation `time_index`, with its standard error
    /// ([`Summary::variance`]).
    pub fn variance(&self, time_index: usize, component: usize) -> Result<Estimate> {
        self.summary.variance(time_index, component)
    }
}

/// Typed settings of an [`Ensemble`] (from [`Ensemble::builder`]); nothing is checked until
/// [`EnsembleBuilder::build`].
///
/// Defaults: `x0` zero, seed `Seed::new(0)`, observation at the final step only, and a
/// configuration derived from the parts (state dimension, `x0`, scheme, driver kind and its
/// `alpha` / `H`, noise dimension, grid, seed, observation settings, and the model description
/// given to [`EnsembleBuilder::describe`]). Summaries of shards merge only when their
/// configurations are equal, so describe the model when shards of different models could meet.
pub struct EnsembleBuilder<'a, I: PathIntegrator> {
    integrator: &'a I,
    driver: &'a Driver,
    x0: Option<Vec<f64>>,
    seed: Seed,
    observe: Option<Observe>,
    evenly: Option<usize>,
    model: Option<(String, Vec<(String, f64)>)>,
    config: Option<serde_json::Value>,
}

impl<'a, I: PathIntegrator> EnsembleBuilder<'a, I> {
    /// The initial state (length = state dimension).
    pub fn x0(mut self, x0: impl Into<Vec<f64>>) -> Self {
        self.x0 = Some(x0.into());
        self
    }

    /// The ensemble seed: path `i` uses `seed.stream(i)` (or fGn path `i`).
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// What to record (replaces any earlier observation setting).
    pub fn observe(mut self, observe: Observe) -> Self {
        self.observe = Some(observe);
        self.evenly = None;
        self
    }

    /// Observe at `count` equally spaced steps ending at the final step ([`Observe::evenly`]).
    pub fn observe_evenly(mut self, count: usize) -> Self {
        self.evenly = Some(count);
        self.observe = None;
        self
    }

    /// Names the model and its parameters for the derived configuration, e.g.
    /// `.describe("ou", &[("theta", 1.0), ("sigma", 0.5)])`.
    pub fn describe(mut self, model: &str, params: &[(&str, f64)]) -> Self {
        self.model = Some((model.to_string(), params.iter().map(|(k, v)| (k.to_string(), *v)).collect()));
        self
    }

    /// An explicit configuration instead of the derived one (as in [`Ensemble::new`]).
    pub fn config_json(mut self, config: serde_json::Value) -> Self {
        self.config = Some(config);
        self
    }

    /// Validates and builds (errors as [`Ensemble::new`]).
    pub fn build(self) -> Result<Ensemble<'a, I>> {
        let d = self.integrator.state_dim();
        let n = self.integrator.grid().n_steps();
        let x0 = self.x0.unwrap_or_else(|| vec![0.0; d]);
        let observe = match (self.observe, self.evenly) {
            (Some(o), _) => o,
            (None, Some(c)) => Observe::evenly(n, c),
            (None, None) => Observe { steps: vec![n], ..Default::default() },
        };
        let config = match self.config {
            Some(c) => c,
            None => derived_config(self.integrator, self.driver, &x0, self.seed, &observe, self.model),
        };
        Ensemble::new(self.integrator, self.driver, x0, self.seed, observe, config)
    }
}

/// The configuration [`EnsembleBuilder`] derives from the parts.
fn derived_config<I: PathIntegrator>(
    integrator: &I,
    driver: &Driver,
    x0: &[f64],
    seed: Seed,
    observe: &Observe,
    model: Option<(String, Vec<(String, f64)>)>,
) -> serde_json::Value {
    use serde_json::json;
    let grid = integrator.grid();
    let driver_json = match driver.kind() {
        NoiseKind::Brownian => json!({ "kind": "brownian" }),
        NoiseKind::Stable { alpha } => json!({ "kind": "stable", "alpha": alpha }),
        NoiseKind::Fractional { hurst } => json!({ "kind": "fractional", "hurst": hurst }),
        NoiseKind::User => json!({ "kind": "user" }),
    };
    let model_json = model.map(|(name, params)| {
        let p: serde_json::Map<String, serde_json::Value> = params.into_iter().map(|(k, v)| (k, json!(v))).collect();
        json!({ "name": name, "params": p })
    });
    json!({
        "model": model_json,
        "state_dim": integrator.state_dim(),
        "x0": x0,
        "scheme": format!("{:?}", integrator.scheme()),
        "driver": driver_json,
        "noise_dim": driver.noise_dim(),
        "grid": { "n_steps": grid.n_steps(), "dt": grid.dt() },
        "seed": format!("{seed:?}"),
        "observe": {
            "steps": observe.steps,
            "histogram": observe.histogram.map(|h| json!([h.step, h.component, h.lo, h.hi, h.bins])),
            "extremes": observe.extremes,
            "quantiles": observe.quantiles,
        },
    })
}

/// Checks that an integrator, a driver and a start fit together (what every ensemble runner needs):
/// `x0` has the state's length and is finite, the noise dimensions and grids agree, Milstein has
/// a Brownian driver, and a model written for a Hurst index gets a matching driver. Returns the
/// state dimension.
pub(crate) fn check_parts<I: PathIntegrator>(integrator: &I, driver: &Driver, x0: &[f64]) -> Result<usize> {
    let d = integrator.state_dim();
    crate::error::check_len("x0", x0.len(), d)?;
    crate::error::check_all_finite("x0", x0)?;
    crate::error::check_len("driver noise_dim", driver.noise_dim(), integrator.noise_dim())?;
    if driver.grid() != integrator.grid() {
        return Err(Error::InvalidInput(format!(
            "driver grid ({} steps of {}) differs from integrator grid ({} steps of {})",
            driver.grid().n_steps(),
            crate::error::Short(driver.grid().dt()),
            integrator.grid().n_steps(),
            crate::error::Short(integrator.grid().dt())
        )));
    }
    if integrator.scheme() == Scheme::Milstein && driver.kind() != NoiseKind::Brownian {
        return Err(Error::InvalidInput(format!(
            "Milstein is defined here for Brownian drivers only (driver is {:?})",
            driver.kind()
        )));
    }
    super::model::check_driver_hurst(integrator.model_hurst(), driver.kind())?;
    Ok(d)
}

/// An ensemble of paths of one SDE with one driver (see the [module documentation](self)).
pub struct Ensemble<'a, I: PathIntegrator> {
    integrator: &'a I,
    driver: &'a Driver,
    x0: Vec<f64>,
    seed: Seed,
    observe: Observe,
    config: serde_json::Value,
    /// Merged, sorted, unique step indices where the integrator must stop.
    stops: Vec<usize>,
    obs_idx: Vec<usize>,
    hist_idx: Option<usize>,
    store_steps: Vec<usize>,
    store_idx: Vec<usize>,
}

impl<'a, I: PathIntegrator> Ensemble<'a, I> {
    /// Typed construction without JSON: `Ensemble::builder(&integ, &driver).x0(..).seed(..)
    /// .observe_evenly(..).build()` (see [`EnsembleBuilder`] for the defaults).
    pub fn builder(integrator: &'a I, driver: &'a Driver) -> EnsembleBuilder<'a, I> {
        EnsembleBuilder {
            integrator,
            driver,
            x0: None,
            seed: Seed::new(0),
            observe: None,
            evenly: None,
            model: None,
            config: None,
        }
    }

    /// Validates dimensions, observation requests and, for a model written for fBM of a given `H`
    /// ([`super::ScalarModel::hurst`]), the driver's `H`. `config` describes the run for shard
    /// merging (any JSON; summaries merge only when equal): include everything that defines the
    /// paths (model, parameters, driver, grid, seed, total path count). [`Ensemble::builder`]
    /// derives one from the parts instead.
    pub fn new(
        integrator: &'a I,
        driver: &'a Driver,
        x0: Vec<f64>,
        seed: Seed,
        observe: Observe,
        config: serde_json::Value,
    ) -> Result<Self> {
        let d = check_parts(integrator, driver, &x0)?;
        let n = integrator.grid().n_steps();
        let mut steps = observe.steps.clone();
        steps.sort_unstable();
        steps.dedup();
        if let Some(&s) = steps.last() {
            if s > n {
                return Err(Error::InvalidSize {
                    name: "observation step",
                    value: s,
                    allowed: crate::error::Allowed("<= n_steps"),
                });
            }
        }
        if let Some(h) = &observe.histogram {
            if h.step > n {
                return Err(Error::InvalidSize {
                    name: "histogram step",
                    value: h.step,
                    allowed: crate::error::Allowed("<= n_steps"),
                });
            }
            if h.component >= d {
                return Err(Error::InvalidSize {
                    name: "histogram component",
                    value: h.component,
                    allowed: crate::error::Allowed("< dim"),
                });
            }
            Histogram::new(h.step, h.component, h.lo, h.hi, h.bins)?;
        }
        let store_steps: Vec<usize> = match observe.store_every {
            Some(k) => {
                crate::error::check_size("store_every", k, 1, ">= 1")?;
                let mut v: Vec<usize> = (0..=n).step_by(k).collect();
                if *v.last().expect("non-empty") != n {
                    v.push(n);
                }
                v
            }
            None => Vec::new(),
        };
        let mut stops: Vec<usize> =
            steps.iter().copied().chain(observe.histogram.map(|h| h.step)).chain(store_steps.iter().copied()).collect();
        stops.sort_unstable();
        stops.dedup();
        let pos = |s: usize| stops.binary_search(&s).expect("every requested step is a stop");
        let obs_idx = steps.iter().map(|&s| pos(s)).collect();
        let hist_idx = observe.histogram.map(|h| pos(h.step));
        let store_idx = store_steps.iter().map(|&s| pos(s)).collect();
        let observe = Observe { steps, ..observe };
        Ok(Ensemble { integrator, driver, x0, seed, observe, config, stops, obs_idx, hist_idx, store_steps, store_idx })
    }

    fn empty_summary(&self) -> Summary {
        let d = self.integrator.state_dim();
        let grid = self.integrator.grid();
        let ps = |i: usize| PowerSums::new(self.x0[i]);
        Summary {
            format: SUMMARY_FORMAT.into(),
            config: self.config.clone(),
            paths: Vec::new(),
            dim: d,
            steps: self.observe.steps.clone(),
            times: self.observe.steps.iter().map(|&s| grid.time(s)).collect(),
            tail_index: match self.driver.kind() {
                NoiseKind::Stable { alpha } if alpha < 2.0 => Some(alpha),
                _ => None,
            },
            moments: self.observe.steps.iter().map(|_| (0..d).map(ps).collect()).collect(),
            quantiles: self.observe.quantiles.then(|| {
                self.observe.steps.iter().map(|_| (0..d).map(|i| LogHistogram::new(self.x0[i])).collect()).collect()
            }),
            histogram: self
                .observe
                .histogram
                .map(|h| Histogram::new(h.step, h.component, h.lo, h.hi, h.bins).expect("validated in new")),
            running_min: self.observe.extremes.then(|| (0..d).map(ps).collect()),
            running_max: self.observe.extremes.then(|| (0..d).map(ps).collect()),
        }
    }

    /// Runs paths `paths` (e.g. `0..M`, or a shard `k M / N .. (k+1) M / N`).
    pub fn run(&self, paths: std::ops::Range<u64>) -> Result<EnsembleOutput> {
        self.run_with_progress(paths, &|_| {})
    }

    /// [`Ensemble::run`], calling `progress(paths done)` after each chunk of paths.
    pub fn run_with_progress(
        &self,
        paths: std::ops::Range<u64>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<EnsembleOutput> {
        let total = paths.end.saturating_sub(paths.start);
        let total_usize = usize::try_from(total).map_err(|_| Error::InvalidInput("too many paths".into()))?;
        let cols = self.stored_columns();
        let len = total_usize
            .checked_mul(cols)
            .ok_or_else(|| Error::InvalidInput(format!("{total} paths x {cols} stored values overflow")))?;
        let mut stored = vec![0.0; len];
        let summary = self.run_inner(paths, progress, &mut stored)?;
        let paths_out = (cols > 0).then(|| Array2::from_shape_vec((total_usize, cols), stored).expect("shape matches"));
        Ok(EnsembleOutput { summary, paths: paths_out, stored_steps: self.store_steps.clone() })
    }

    /// The step indices stored per path when [`Observe::store_every`] is set (empty otherwise).
    pub fn stored_steps(&self) -> &[usize] {
        &self.store_steps
    }

    /// Values stored per path: `stored_steps().len() * dim` (0 when paths are not stored).
    pub fn stored_columns(&self) -> usize {
        self.store_steps.len() * self.integrator.state_dim()
    }

    /// [`Ensemble::run_with_progress`] with the stored paths written into caller-owned memory
    /// (e.g. an array allocated by numpy) instead of a new array: `stored` is row-major
    /// `(paths.len(), stored_columns())`, laid out as [`EnsembleOutput::paths`]. Returns the
    /// summary; the bits are those of [`Ensemble::run`].
    ///
    /// Errors: `stored.len() != paths.len() * stored_columns()` ([`Error::LengthMismatch`]), and
    /// as [`Ensemble::run`].
    pub fn run_into(
        &self,
        paths: std::ops::Range<u64>,
        stored: &mut [f64],
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Summary> {
        let total = usize::try_from(paths.end.saturating_sub(paths.start))
            .map_err(|_| Error::InvalidInput("too many paths".into()))?;
        let expected =
            total.checked_mul(self.stored_columns()).ok_or_else(|| Error::InvalidInput("too many paths".into()))?;
        crate::error::check_len("stored", stored.len(), expected)?;
        self.run_inner(paths, progress, stored)
    }

    fn run_inner(
        &self,
        paths: std::ops::Range<u64>,
        progress: &(dyn Fn(u64) + Sync),
        stored: &mut [f64],
    ) -> Result<Summary> {
        let total = paths.end.saturating_sub(paths.start);
        let total_usize = usize::try_from(total).map_err(|_| Error::InvalidInput("too many paths".into()))?;
        let d = self.integrator.state_dim();
        let cols = self.store_steps.len() * d;
        let direct = cols > 0 && self.store_steps.len() == self.stops.len();
        let n_chunks = total_usize.div_ceil(CHUNK);
        let done = AtomicU64::new(0);
        let first_failed = AtomicUsize::new(usize::MAX);
        let mut store_chunks: Vec<&mut [f64]> = if cols > 0 {
            stored.chunks_mut(CHUNK * cols).collect()
        } else {
            (0..n_chunks).map(|_| &mut [][..]).collect()
        };
        let tasks: Vec<(usize, &mut [f64])> = store_chunks.drain(..).enumerate().collect();
        let n_out = self.stops.len() * d;
        let (x4_ok, sqrt_dt) = match self.driver.brownian_scale() {
            Some(s) => (d == 1, s),
            None => (false, 0.0),
        };
        let version = self.driver.stream_version().unwrap_or_default();
        // Each rayon worker folds its tasks into one summary (exact sums: the result does not
        // depend on which worker ran which task); the workers' summaries are merged at the end.
        // One summary per task of 32 paths cost an allocation and a merge of 2.3 KB per observed
        // time (Python, 10^4 x 10^3 at 1001 times: 306 ms with them, 152 ms without).
        let folded = tasks
            .into_par_iter()
            .fold(
                || Worker {
                    scratch: self.driver.scratch(),
                    dl: vec![0.0; self.driver.len()],
                    out: vec![0.0; self.stops.len() * d],
                    ext: vec![0.0; 2 * d],
                    quad: (Vec::new(), Vec::new()),
                    summary: self.empty_summary(),
                    failed: None,
                },
                |mut w, (c, store)| {
                    if w.failed.is_some() || c > first_failed.load(Ordering::Relaxed) {
                        return w;
                    }
                    let start = paths.start + (c * CHUNK) as u64;
                    let end = (start + CHUNK as u64).min(paths.end);
                    let Worker { scratch, dl, out, ext, quad, summary: s, .. } = &mut w;
                    let (mut x4, mut x8) = (x4_ok, x4_ok && version.lane_brownian());
                    let mut p = start;
                    let r: Result<()> = (|| {
                        while p < end {
                            // Brownian paths of a linear model eight or four at a time, their
                            // recursions side by side (same bits as one at a time).
                            // (`$l` paths through the integrator's `$method`; `Ok(false)`
                            // when it declines them.)
                            macro_rules! group {
                                ($l:literal, $method:ident) => {
                                    self.brownian_group::<$l>(
                                        p,
                                        (p - start) as usize,
                                        (direct, cols, n_out),
                                        store,
                                        quad,
                                        s,
                                        |g, r, o, e| {
                                            let (x0, stops) = (&self.x0, &self.stops);
                                            self.integrator.$method(g, x0, r, version, sqrt_dt, stops, o, e)
                                        },
                                    )?
                                };
                            }
                            if x8 && end - p >= 8 {
                                if group!(8, integrate_brownian_x8) {
                                    p += 8;
                                    continue;
                                }
                                x8 = false;
                            }
                            if x4 && end - p >= 4 {
                                if group!(4, integrate_brownian_x4) {
                                    p += 4;
                                    continue;
                                }
                                x4 = false;
                            }
                            let row = (p - start) as usize;
                            // When every stop is stored (e.g. `store_every = 1`), the path's row
                            // is the integrator's output buffer: no copy.
                            if direct {
                                self.run_path(p, scratch, dl, &mut store[row * cols..(row + 1) * cols], ext, s)?;
                            } else {
                                self.run_path(p, scratch, dl, out, ext, s)?;
                                if cols > 0 {
                                    self.copy_stored(out, &mut store[row * cols..(row + 1) * cols]);
                                }
                            }
                            p += 1;
                        }
                        Ok(())
                    })();
                    match r {
                        Ok(()) => {
                            match s.paths.last_mut() {
                                Some(last) if last[1] == start => last[1] = end,
                                _ => s.paths.push([start, end]),
                            }
                            progress(done.fetch_add(end - start, Ordering::Relaxed) + (end - start));
                        }
                        Err(e) => {
                            first_failed.fetch_min(c, Ordering::Relaxed);
                            w.failed = Some((c, e));
                        }
                    }
                    w
                },
            )
            .map(|w| match w.failed {
                Some((c, e)) => (c, Err(e)),
                None => {
                    let mut s = w.summary;
                    // A worker's tasks come in increasing order; sorted and merged to be sure.
                    s.paths.sort_unstable();
                    s.paths.dedup_by(|b, a| {
                        let adjacent = a[1] == b[0];
                        if adjacent {
                            a[1] = b[1];
                        }
                        adjacent
                    });
                    (usize::MAX, Ok(s))
                }
            });
        let result = folded.reduce(
            || (usize::MAX, Ok(self.empty_summary())),
            |(ca, a), (cb, b)| match (a, b) {
                (Ok(mut a), Ok(b)) => {
                    let r = a.merge(&b);
                    (ca.min(cb), r.map(|_| a))
                }
                (Err(e), Ok(_)) => (ca, Err(e)),
                (Ok(_), Err(e)) => (cb, Err(e)),
                (Err(ea), Err(eb)) => {
                    if ca <= cb {
                        (ca, Err(ea))
                    } else {
                        (cb, Err(eb))
                    }
                }
            },
        );
        result.1
    }

    /// Runs the `L` Brownian paths `p..p + L` (rows `row0..row0 + L` of the task's `store`)
    /// through `call` (the integrator's `L`-path loop) and feeds the observers; `Ok(false)` when
    /// the integrator does not support it (nothing ran). `layout` is `(direct, cols, n_out)`.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn brownian_group<const L: usize>(
        &self,
        p: u64,
        row0: usize,
        (direct, cols, n_out): (bool, usize, usize),
        store: &mut [f64],
        quad: &mut (Vec<f64>, Vec<f64>),
        s: &mut Summary,
        call: impl FnOnce(
            [u64; L],
            &mut [crate::PathRng; L],
            [&mut [f64]; L],
            Option<[&mut [f64]; L]>,
        ) -> Option<[Result<()>; L]>,
    ) -> Result<bool> {
        let d = self.integrator.state_dim();
        let group: [u64; L] = std::array::from_fn(|j| p + j as u64);
        let mut rngs = group.map(|q| self.seed.stream(q));
        quad.0.resize(L * n_out, 0.0);
        quad.1.resize(2 * L * d, 0.0);
        let res = {
            let o: &mut [f64] = if direct { &mut store[row0 * cols..(row0 + L) * cols] } else { &mut quad.0[..] };
            let exts = self.observe.extremes.then(|| split_n::<L>(&mut quad.1[..], 2 * d));
            call(group, &mut rngs, split_n::<L>(o, n_out), exts)
        };
        let Some(res) = res else { return Ok(false) };
        for (j, r) in res.into_iter().enumerate() {
            r?;
            let row = row0 + j;
            let o = if direct { &store[row * cols..(row + 1) * cols] } else { &quad.0[j * n_out..(j + 1) * n_out] };
            self.record(o, &quad.1[j * 2 * d..(j + 1) * 2 * d], s);
            if cols > 0 && !direct {
                self.copy_stored(&quad.0[j * n_out..(j + 1) * n_out], &mut store[row * cols..(row + 1) * cols]);
            }
        }
        Ok(true)
    }

    /// Integrates path `p` and feeds the observers.
    #[inline]
    fn run_path(
        &self,
        p: u64,
        scratch: &mut super::driver::DriverScratch,
        dl: &mut [f64],
        out: &mut [f64],
        ext: &mut [f64],
        s: &mut Summary,
    ) -> Result<()> {
        let track = self.observe.extremes;
        let fused = match self.driver.brownian_scale() {
            Some(s) => {
                let e = if track { Some(&mut ext[..]) } else { None };
                let v = self.driver.stream_version().unwrap_or_default();
                self.integrator.integrate_brownian(p, &self.x0, &mut self.seed.stream(p), v, s, &self.stops, out, e)
            }
            None => None,
        };
        match fused {
            Some(r) => r?,
            None => {
                self.driver.fill(self.seed, p, scratch, dl)?;
                let e = if track { Some(&mut ext[..]) } else { None };
                self.integrator.integrate(p, &self.x0, dl, &self.stops, out, e)?;
            }
        }
        self.record(out, ext, s);
        Ok(())
    }

    /// Copies the stored steps of one path's states at the stops (`src`) into its row (`dst`).
    #[inline]
    fn copy_stored(&self, src: &[f64], dst: &mut [f64]) {
        let d = self.integrator.state_dim();
        for (j, &si) in self.store_idx.iter().enumerate() {
            dst[j * d..(j + 1) * d].copy_from_slice(&src[si * d..(si + 1) * d]);
        }
    }

    /// Feeds one path's states at the stops (`out`) and extremes (`ext`) to the observers.
    #[inline]
    fn record(&self, out: &[f64], ext: &[f64], s: &mut Summary) {
        let d = self.integrator.state_dim();
        for (ti, &si) in self.obs_idx.iter().enumerate() {
            for (j, ps) in s.moments[ti].iter_mut().enumerate() {
                ps.push(out[si * d + j]);
            }
            if let Some(q) = &mut s.quantiles {
                for (j, b) in q[ti].iter_mut().enumerate() {
                    b.push(out[si * d + j]);
                }
            }
        }
        if let (Some(h), Some(hi)) = (&mut s.histogram, self.hist_idx) {
            h.push(out[hi * d + h.component]);
        }
        if let (Some(lo), Some(hi)) = (&mut s.running_min, &mut s.running_max) {
            for j in 0..d {
                lo[j].push(ext[j]);
                hi[j].push(ext[d + j]);
            }
        }
    }
}
