//! SDE ensembles: `simulate`, `SimulationResult`, `merge`, `load` (model classes in
//! [`crate::models`], drivers in [`crate::drivers`]).
//!
//! A run of a scalar built-in model is the CLI's `fracnoise simulate` (same models, drivers,
//! defaults and configuration), so the same seed gives the same bits, and shard summaries written
//! by either merge with the other's. Vector models (`LinearSDE`, `SDE(..., dim=d)`) run the
//! library's `VectorIntegrator` (Euler–Maruyama) with the same ensemble, seeds and summaries
//! (statistics per component). Built-in models run in the library's tight loops on every core
//! (GIL released); `SDE(drift, diffusion)` calls Python functions at every step and runs on one
//! thread (slow: for exploration and small runs). Paths run in blocks with a check for Ctrl-C
//! between blocks ([`crate::interrupt`]); block summaries merge exactly, so the bits are those
//! of one run.

use crate::arrays::empty_f64;
pub(crate) use crate::drivers::DriverSpec;
use crate::errors::{invalid, IntoPy};
use crate::estimate::PyEstimate;
use crate::interrupt::merged_in_blocks;
pub(crate) use crate::models::{with_model, ModelSpec, ModelUser};
use crate::seed::seed_value;
use fracnoise::sde::{
    Ensemble, Grid, HistogramSpec, Observe, PathIntegrator, ScalarIntegrator, ScalarModel, Scheme, Summary,
    VectorIntegrator, VectorModel,
};
use fracnoise::stats::Estimate;
use fracnoise::Seed;
use numpy::{IntoPyArray, PyArray1, PyArrayDyn, PyArrayMethods};
use pyo3::prelude::*;
use serde_json::json;

// ---------------------------------------------------------------------------------------------
// Shared run settings

pub(crate) fn scheme(s: &str) -> PyResult<Scheme> {
    match s.to_ascii_lowercase().as_str() {
        "em" | "euler" | "euler-maruyama" => Ok(Scheme::EulerMaruyama),
        "milstein" => Ok(Scheme::Milstein),
        _ => Err(invalid(format!("invalid parameter `scheme` = {s:?}: must be \"em\" or \"milstein\""))),
    }
}

pub(crate) fn scheme_name(s: Scheme) -> &'static str {
    match s {
        Scheme::EulerMaruyama => "em",
        Scheme::Milstein => "milstein",
    }
}

/// The path range of a run: all `paths`, or shard `k` of `n_shards` (`[k M / N, (k+1) M / N)`,
/// as `fracnoise simulate --shard k/N`).
pub(crate) fn path_range(paths: u64, shard: Option<(u64, u64)>) -> PyResult<std::ops::Range<u64>> {
    if paths == 0 {
        return Err(invalid("invalid size `paths` = 0: must be >= 1"));
    }
    Ok(match shard {
        None => 0..paths,
        Some((k, n)) => {
            if n == 0 || k >= n {
                return Err(invalid(format!("invalid `shard` = ({k}, {n}): must be (k, N) with 0 <= k < N")));
            }
            let at = |i: u64| (u128::from(i) * u128::from(paths) / u128::from(n)) as u64;
            let r = at(k)..at(k + 1);
            if r.is_empty() {
                return Err(invalid(format!(
                    "`shard` = ({k}, {n}) of {paths} paths has no paths: use at most {paths} shards"
                )));
            }
            r
        }
    })
}

/// Runs closures with the GIL released: on the global pool for built-in models, on one thread
/// (one pool kept for the whole call) for Python callbacks (they would only contend for the GIL).
pub(crate) struct Runner {
    single: Option<rayon::ThreadPool>,
}

impl Runner {
    pub(crate) fn new(single: bool) -> PyResult<Self> {
        let single = match single {
            true => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .build()
                    .map_err(|e| invalid(format!("cannot start a worker thread: {e}")))?,
            ),
            false => None,
        };
        Ok(Runner { single })
    }

    pub(crate) fn run<T: Send>(&self, py: Python<'_>, f: impl FnOnce() -> fracnoise::Result<T> + Send) -> PyResult<T> {
        match &self.single {
            Some(pool) => py.allow_threads(|| pool.install(f)).py(),
            None => py.allow_threads(f).py(),
        }
    }
}

/// True when the model or the driver calls Python (runs then use one thread).
pub(crate) fn calls_python(spec: &ModelSpec, driver: &DriverSpec) -> bool {
    spec.is_callback() || driver.is_callback()
}

/// Hands the model to `u` ([`with_model`]); an exception kept by a Python model or driver (the
/// first one raised) replaces the run's result.
pub(crate) fn run_model<T, U: ModelUser<Out = PyResult<T>>>(
    spec: &ModelSpec,
    driver: &DriverSpec,
    u: U,
) -> PyResult<T> {
    let r = with_model(spec, u);
    match spec.take_error().or_else(|| driver.take_error()) {
        Some(e) => Err(e),
        None => r,
    }
}

// ---------------------------------------------------------------------------------------------
// simulate

/// What to observe: a count of evenly spaced steps, or explicit times.
enum ObserveArg {
    Count(usize),
    Times(Vec<f64>),
}

/// The `x0=` argument: one float (every component), or one value per component.
enum X0Arg {
    Default,
    Scalar(f64),
    Vector(Vec<f64>),
}

impl X0Arg {
    fn from_py(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let Some(o) = obj.filter(|o| !o.is_none()) else { return Ok(X0Arg::Default) };
        if let Ok(x) = o.extract::<f64>() {
            return Ok(X0Arg::Scalar(x));
        }
        o.extract::<Vec<f64>>().map(X0Arg::Vector).map_err(|_| {
            invalid("`x0` must be a float or (for a vector model) a sequence of floats, one per component")
        })
    }
}

struct Sim<'py> {
    py: Python<'py>,
    driver: DriverSpec,
    paths: u64,
    steps: usize,
    dt: f64,
    x0: X0Arg,
    default_x0: f64,
    seed: u64,
    observe: ObserveArg,
    hist: Option<(f64, f64, usize)>,
    extremes: bool,
    store_every: Option<usize>,
    scheme: Scheme,
    range: std::ops::Range<u64>,
    single: bool,
}

impl ModelUser for Sim<'_> {
    type Out = PyResult<PySimulationResult>;
    fn with<M: ScalarModel>(self, model: &M, model_json: serde_json::Value) -> Self::Out {
        let grid = Grid::new(self.steps, self.dt).py()?;
        let integ = ScalarIntegrator::new(model, grid, self.scheme).py()?;
        let x0 = match self.x0 {
            X0Arg::Default => self.default_x0,
            X0Arg::Scalar(x) => x,
            X0Arg::Vector(_) => return Err(invalid("`x0` must be a float for a scalar model")),
        };
        self.run(&integ, model_json, vec![x0], false)
    }

    fn with_vector<M: VectorModel>(self, model: &M, model_json: serde_json::Value) -> Self::Out {
        if self.scheme != Scheme::EulerMaruyama {
            return Err(invalid("Milstein is for scalar models; vector models use scheme=\"em\" (Euler–Maruyama)"));
        }
        let grid = Grid::new(self.steps, self.dt).py()?;
        let integ = VectorIntegrator::new(model, grid).py()?;
        let x0 = match &self.x0 {
            X0Arg::Default => vec![0.0; model.dim()],
            X0Arg::Scalar(x) => vec![*x; model.dim()],
            X0Arg::Vector(v) => v.clone(),
        };
        self.run(&integ, model_json, x0, true)
    }
}

impl Sim<'_> {
    /// Runs the ensemble of `integ` in blocks of paths (Ctrl-C between blocks; the summaries
    /// merge exactly, so the bits are those of one run), stored paths straight into numpy.
    fn run<I: PathIntegrator>(
        self,
        integ: &I,
        model_json: serde_json::Value,
        x0: Vec<f64>,
        vector: bool,
    ) -> PyResult<PySimulationResult> {
        let (driver, driver_json) = self.driver.build(integ.grid(), integ.noise_dim(), self.paths)?;
        let (mut observe, observe_json) = match &self.observe {
            ObserveArg::Count(c) => {
                if *c == 0 {
                    return Err(invalid("invalid size `observe` = 0: must be >= 1 (or a list of times)"));
                }
                (Observe::evenly(self.steps, *c), json!(c))
            }
            ObserveArg::Times(ts) => {
                let steps = times_to_steps(ts, self.dt, self.steps)?;
                (Observe { steps: steps.clone(), ..Default::default() }, json!(steps))
            }
        };
        observe.histogram =
            self.hist.map(|(lo, hi, bins)| HistogramSpec { step: self.steps, component: 0, lo, hi, bins });
        observe.extremes = self.extremes;
        observe.store_every = self.store_every;
        // As the CLI: quantiles (median, IQR) for stable drivers, whose variance is infinite.
        observe.quantiles = self.driver.infinite_variance();
        // The CLI's configuration (shards of either merge with the other's).
        let config = json!({
            "model": model_json,
            "x0": if vector { json!(x0) } else { json!(x0[0]) },
            "driver": driver_json,
            "scheme": scheme_name(self.scheme),
            "steps": self.steps,
            "dt": self.dt,
            "seed": self.seed,
            "paths": self.paths,
            "observe": observe_json,
            "hist": self.hist.map(|(lo, hi, bins)| format!("{lo}:{hi}:{bins}")),
            "extremes": self.extremes,
        });
        let dim = x0.len();
        let ens = Ensemble::new(integ, &driver, x0, Seed::new(self.seed), observe, config).py()?;
        let range = self.range.clone();
        let n_paths = usize::try_from(range.end - range.start).map_err(|_| invalid("too many paths"))?;
        let cols = ens.stored_columns();
        let n_stored = ens.stored_steps().len();
        // Stored paths go straight into a numpy array (numpy's allocator, huge pages): no copy.
        let shape = if vector { vec![n_paths, n_stored, dim] } else { vec![n_paths, n_stored] };
        let stored = if cols > 0 { Some(empty_f64(self.py, &shape)?) } else { None };
        let mut rw = stored.as_ref().map(|a| a.readwrite());
        let buf: &mut [f64] = match &mut rw {
            Some(rw) => rw.as_slice_mut().map_err(|e| invalid(format!("internal: stored paths: {e}")))?,
            None => &mut [],
        };
        let runner = Runner::new(self.single)?;
        let summary = merged_in_blocks(
            self.py,
            range.end - range.start,
            |py, rows| {
                let (a, b) = (rows.start as usize, rows.end as usize);
                let part = if cols > 0 { &mut buf[a * cols..b * cols] } else { &mut [][..] };
                let paths = range.start + rows.start..range.start + rows.end;
                runner.run(py, || ens.run_into(paths, part, &|_| {}))
            },
            Summary::merge,
        )?;
        drop(rw);
        let summary = summary.ok_or_else(|| invalid("internal: no paths were run"))?;
        let paths = stored.map(|a| a.unbind());
        Ok(PySimulationResult { summary, paths, stored_steps: ens.stored_steps().to_vec(), dt: self.dt, vector })
    }
}

/// Observation times to step indices (each within 1e-9 relative of a grid point `k dt`).
fn times_to_steps(ts: &[f64], dt: f64, n: usize) -> PyResult<Vec<usize>> {
    if ts.is_empty() {
        return Err(invalid("`observe` is an empty list of times"));
    }
    let mut v = Vec::with_capacity(ts.len());
    for &t in ts {
        let k = (t / dt).round();
        if !(t.is_finite() && k >= 0.0 && k <= n as f64 && (k * dt - t).abs() <= 1e-9 * t.abs().max(dt)) {
            return Err(invalid(format!(
                "invalid observation time {t}: must be a grid time k * dt (dt = {dt}) in [0, {}]",
                n as f64 * dt
            )));
        }
        v.push(k as usize);
    }
    v.sort_unstable();
    v.dedup();
    Ok(v)
}

/// Simulates an ensemble of paths of an SDE (the library's ``Ensemble``; for scalar built-in
/// models the CLI's ``fracnoise simulate``), streaming statistics without storing paths unless
/// asked.
///
/// Parameters
/// ----------
/// model : OU, BM, GBM, DoubleWell, PowerLaw, LinearSDE or SDE
///     The SDE ``dX = b(t, X) dt + s(t, X) dL`` (Itô for Brownian and stable drivers;
///     pathwise for fBM). Vector models (``LinearSDE``, ``SDE(..., dim=d)``) give statistics per
///     component: arrays of shape ``(n_times, d)``.
/// driver : BrownianDriver, StableDriver, FbmDriver, ArrayDriver, CallableDriver or None
///     The noise ``L`` (None: Brownian), with the model's number of noise components.
/// paths : int
///     Number of paths of the whole run (all shards together).
/// steps : int
///     Number of time steps; ``dt`` : step size.
/// x0 : float, sequence of float or None
///     Start (default 1 for GBM, 0 otherwise); for a vector model one float (every component)
///     or one per component.
/// seed : int, SeedSequence, Generator or None
///     An int gives the bits of ``fracnoise simulate --seed SEED``; path ``i`` always draws from
///     its own stream, so results do not depend on the thread count or the shard split.
/// observe : int or sequence of float
///     Number of evenly spaced observation times ending at the last step (default 10), or the
///     times themselves (grid times ``k dt``).
/// hist : (lo, hi, bins) or None
///     Histogram of the final state on ``bins`` equal bins of ``[lo, hi)``.
/// extremes : bool
///     Also summarise each path's running minimum and maximum.
/// store_every : int or None
///     Keep the paths at every k-th step (and the last): ``result.paths``, shape
///     ``(paths of this run, stored steps)``, or ``(paths, stored steps, d)`` for a vector
///     model. Memory ``paths x steps / k`` values (times ``d``).
/// scheme : {"em", "milstein"}
///     Euler–Maruyama, or Milstein (Brownian driver; needs ``diffusion_dx`` for an ``SDE``).
/// shard : (k, N) or None
///     Run only shard k of N (paths ``[k M / N, (k+1) M / N)``); ``merge`` the shards' results
///     (or their saved summaries, also with the CLI's) into exactly the whole run.
///
/// Returns
/// -------
/// SimulationResult
///
/// Ctrl-C stops the run (``KeyboardInterrupt``) within about 0.1-0.4 s: paths run in blocks,
/// with a check for signals between blocks (the bits do not depend on the blocks).
#[pyfunction]
#[pyo3(signature = (model, driver = None, *, paths = 1000, steps = 1000, dt = 0.001, x0 = None, seed = None, observe = None, hist = None, extremes = false, store_every = None, scheme = "em", shard = None))]
#[allow(clippy::too_many_arguments)]
fn simulate(
    py: Python<'_>,
    model: &Bound<'_, PyAny>,
    driver: Option<&Bound<'_, PyAny>>,
    paths: u64,
    steps: usize,
    dt: f64,
    x0: Option<&Bound<'_, PyAny>>,
    seed: Option<&Bound<'_, PyAny>>,
    observe: Option<&Bound<'_, PyAny>>,
    hist: Option<(f64, f64, usize)>,
    extremes: bool,
    store_every: Option<usize>,
    scheme: &str,
    shard: Option<(u64, u64)>,
) -> PyResult<PySimulationResult> {
    let spec = ModelSpec::from_py(model)?;
    let driver = DriverSpec::from_py(driver)?;
    let observe = match observe.filter(|o| !o.is_none()) {
        None => ObserveArg::Count(10),
        Some(o) => match o.extract::<usize>() {
            Ok(c) => ObserveArg::Count(c),
            Err(_) => ObserveArg::Times(o.extract::<Vec<f64>>().map_err(|_| {
                invalid("`observe` must be a positive int (a count of evenly spaced times) or a sequence of times")
            })?),
        },
    };
    if store_every == Some(0) {
        return Err(invalid("invalid size `store_every` = 0: must be >= 1 (or None)"));
    }
    if let Some(k) = store_every {
        let stored = (steps / k) as u128 + 2;
        let total = u128::from(paths) * stored * 8 * spec.vector_dim().unwrap_or(1) as u128;
        if total > isize::MAX as u128 {
            return Err(invalid(format!("store_every = {k}: {paths} paths x {stored} stored steps is too large")));
        }
    }
    let sim = Sim {
        py,
        paths,
        steps,
        dt,
        x0: X0Arg::from_py(x0)?,
        default_x0: spec.default_x0(),
        seed: seed_value(seed)?,
        observe,
        hist,
        extremes,
        store_every,
        scheme: self::scheme(scheme)?,
        range: path_range(paths, shard)?,
        single: calls_python(&spec, &driver),
        driver: driver.clone(),
    };
    run_model(&spec, &driver, sim)
}

// ---------------------------------------------------------------------------------------------
// Results

/// A histogram of the final state: ``counts`` (bins), ``edges`` (bins + 1), and the counts
/// ``below`` ``lo`` and ``above`` (at or above) ``hi``.
#[pyclass(name = "Histogram", module = "fracnoise", frozen)]
pub struct PyHistogram {
    h: fracnoise::sde::Histogram,
}

#[pymethods]
impl PyHistogram {
    /// Bin counts.
    #[getter]
    fn counts<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        self.h.counts.clone().into_pyarray(py)
    }
    /// Bin edges.
    #[getter]
    fn edges<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.h.edges().into_pyarray(py)
    }
    /// Observations below ``lo``.
    #[getter]
    fn below(&self) -> u64 {
        self.h.below
    }
    /// Observations at or above ``hi``.
    #[getter]
    fn above(&self) -> u64 {
        self.h.above
    }
    /// Step index observed.
    #[getter]
    fn step(&self) -> usize {
        self.h.step
    }
    fn __repr__(&self) -> String {
        format!(
            "Histogram(bins={}, lo={}, hi={}, below={}, above={})",
            self.h.counts.len(),
            self.h.lo,
            self.h.hi,
            self.h.below,
            self.h.above
        )
    }
}

/// The result of ``simulate`` (or of ``merge`` / ``load``): statistics over the observed times
/// as arrays, with standard errors from the exact, mergeable power sums.
///
/// Arrays over the observation times (shape ``(n_times,)``, or ``(n_times, d)`` for a vector
/// model): ``mean``, ``mean_se``, ``variance`` (unbiased), ``variance_se``, ``min``, ``max``;
/// ``times`` and ``steps`` (``(n_times,)``). Also ``histogram`` (of component 0),
/// ``running_min`` / ``running_max`` (with ``extremes=True``; component 0), ``paths`` (with
/// ``store_every``), ``seed``, ``path_count``, ``path_ranges``, ``config``; ``to_json()``,
/// ``save(path)``; ``mean_at(i, component=0)`` / ``variance_at(i, component=0)`` as
/// ``Estimate``\ s.
#[pyclass(name = "SimulationResult", module = "fracnoise", frozen)]
pub struct PySimulationResult {
    summary: Summary,
    paths: Option<Py<PyArrayDyn<f64>>>,
    stored_steps: Vec<usize>,
    dt: f64,
    /// A vector model's result: arrays keep the component axis even for `d = 1`.
    vector: bool,
}

impl PySimulationResult {
    fn from_summary(summary: Summary) -> Self {
        let dt = summary.config.get("dt").and_then(|v| v.as_f64()).unwrap_or(f64::NAN);
        let vector = summary.config.get("model").and_then(|m| m.get("dim")).is_some();
        PySimulationResult { summary, paths: None, stored_steps: Vec::new(), dt, vector }
    }

    /// Per-time, per-component values of `f` as `(n_times,)` (scalar model) or `(n_times, dim)`.
    fn table<'py>(
        &self,
        py: Python<'py>,
        f: impl Fn(&fracnoise::sde::PowerSums) -> f64,
    ) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
        let s = &self.summary;
        let v: Vec<f64> = s.moments.iter().flat_map(|row| row.iter().map(&f)).collect();
        let shape: Vec<usize> = if s.dim == 1 && !self.vector { vec![v.len()] } else { vec![s.moments.len(), s.dim] };
        v.into_pyarray(py).reshape(shape)
    }
}

fn extreme(p: &Option<Vec<fracnoise::sde::PowerSums>>) -> Option<PyEstimate> {
    p.as_ref().and_then(|v| v.first()).map(|s| Estimate::normal(s.mean(), s.mean_se(), 0.95).into())
}

#[pymethods]
impl PySimulationResult {
    /// Observation times.
    #[getter]
    fn times<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.summary.times.clone().into_pyarray(py)
    }
    /// Observation step indices.
    #[getter]
    fn steps<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<usize>> {
        self.summary.steps.clone().into_pyarray(py)
    }
    /// Sample mean at each observation time.
    #[getter]
    fn mean<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
        self.table(py, |p| p.mean())
    }
    /// Standard error of the mean, ``sqrt(var / n)``.
    #[getter]
    fn mean_se<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
        self.table(py, |p| p.mean_se())
    }
    /// Unbiased sample variance.
    #[getter]
    fn variance<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
        self.table(py, |p| p.variance())
    }
    /// Standard error of the variance, ``sqrt((mu_4 - s^4 (n-3)/(n-1)) / n)``.
    #[getter]
    fn variance_se<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
        self.table(py, |p| p.variance_se())
    }
    /// Smallest value over the paths at each time.
    #[getter]
    fn min<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
        self.table(py, |p| p.min.unwrap_or(f64::NAN))
    }
    /// Largest value over the paths at each time.
    #[getter]
    fn max<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
        self.table(py, |p| p.max.unwrap_or(f64::NAN))
    }
    /// The mean of ``component`` at observation ``i`` as an ``Estimate`` (95% normal interval).
    #[pyo3(signature = (i, component = 0))]
    fn mean_at(&self, i: usize, component: usize) -> PyResult<PyEstimate> {
        Ok(self.summary.mean(i, component).py()?.into())
    }
    /// The variance of ``component`` at observation ``i`` as an ``Estimate`` (95% normal interval).
    #[pyo3(signature = (i, component = 0))]
    fn variance_at(&self, i: usize, component: usize) -> PyResult<PyEstimate> {
        Ok(self.summary.variance(i, component).py()?.into())
    }
    /// The histogram of the final state (``hist=``), or None.
    #[getter]
    fn histogram(&self) -> Option<PyHistogram> {
        self.summary.histogram.clone().map(|h| PyHistogram { h })
    }
    /// Mean over paths of each path's running minimum (``extremes=True``), or None.
    #[getter]
    fn running_min(&self) -> Option<PyEstimate> {
        extreme(&self.summary.running_min)
    }
    /// Mean over paths of each path's running maximum (``extremes=True``), or None.
    #[getter]
    fn running_max(&self) -> Option<PyEstimate> {
        extreme(&self.summary.running_max)
    }
    /// The stored paths (``store_every=k``): shape ``(paths of this run, stored steps)``
    /// (``(paths, stored steps, d)`` for a vector model), or None.
    #[getter]
    fn paths(&self, py: Python<'_>) -> Option<Py<PyArrayDyn<f64>>> {
        self.paths.as_ref().map(|p| p.clone_ref(py))
    }
    /// Times of the stored path columns.
    #[getter]
    fn stored_times<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.stored_steps.iter().map(|&s| s as f64 * self.dt).collect::<Vec<_>>().into_pyarray(py)
    }
    /// The seed of the run (the one drawn when ``seed=None``).
    #[getter]
    fn seed(&self) -> Option<u64> {
        self.summary.config.get("seed").and_then(|v| v.as_u64())
    }
    /// Number of paths summarised.
    #[getter]
    fn path_count(&self) -> u64 {
        self.summary.path_count()
    }
    /// Path ranges ``[start, end)`` covered.
    #[getter]
    fn path_ranges(&self) -> Vec<(u64, u64)> {
        self.summary.paths.iter().map(|r| (r[0], r[1])).collect()
    }
    /// The run's configuration (model, driver, grid, seed, ...) as a dict.
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("json")?.call_method1("loads", (self.summary.config.to_string(),))
    }
    /// The mergeable summary as JSON (the CLI's ``--summary-out`` format).
    fn to_json(&self) -> String {
        self.summary.to_json()
    }
    /// Writes the summary to ``path`` (atomically); ``fracnoise merge`` and ``fracnoise.load``
    /// read it.
    fn save(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        let s = &self.summary;
        py.allow_threads(|| s.write(&path)).py()
    }
    /// A result from the JSON of ``to_json`` (or of ``fracnoise simulate --summary-out``).
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(Self::from_summary(Summary::from_json(text, "<string>").py()?))
    }
    fn __repr__(&self) -> String {
        let c = &self.summary.config;
        format!(
            "SimulationResult(model={}, driver={}, paths={} of {}, times={}{})",
            c["model"],
            c["driver"],
            self.summary.path_count(),
            c["paths"],
            self.summary.times.len(),
            if self.paths.is_some() { ", paths stored" } else { "" }
        )
    }
}

/// Merges shard results (``SimulationResult``\ s, ``PassageResult``\ s, or
/// ``fracnoise.sgd.MomentumResult``\ s) of one run into
/// exactly the result of one run over all their paths (bit-identical, in any order). Stored
/// paths are not merged. Raises ``InvalidInputError`` for different configurations or
/// overlapping path ranges.
#[pyfunction]
fn merge(py: Python<'_>, results: &Bound<'_, PyAny>) -> PyResult<PyObject> {
    let items: Vec<Bound<'_, PyAny>> = results.try_iter()?.collect::<PyResult<_>>()?;
    let Some(first) = items.first() else {
        return Err(invalid("`results` is empty: nothing to merge"));
    };
    if first.downcast::<PySimulationResult>().is_ok() {
        let mut s = first.downcast::<PySimulationResult>()?.get().summary.clone();
        for (i, it) in items.iter().enumerate().skip(1) {
            let o = it
                .downcast::<PySimulationResult>()
                .map_err(|_| invalid(format!("results[{i}] is not a SimulationResult")))?;
            s.merge(&o.get().summary).map_err(|e| invalid(format!("results[{i}]: {e}")))?;
        }
        return Ok(Py::new(py, PySimulationResult::from_summary(s))?.into_any());
    }
    if first.downcast::<crate::sgd::PyMomentumResult>().is_ok() {
        return crate::sgd::merge_momentum(py, &items);
    }
    crate::passage::merge_passage(py, &items)
}

/// Reads a summary written by ``save`` or by the CLI (``--summary-out``, ``fracnoise merge -o``):
/// a ``SimulationResult`` or a ``PassageResult``.
#[pyfunction]
fn load(py: Python<'_>, path: std::path::PathBuf) -> PyResult<PyObject> {
    let text = std::fs::read_to_string(&path)
        .map_err(|e| fracnoise::Error::Io { path: path.display().to_string(), source: e })
        .py()?;
    let origin = path.display().to_string();
    let tag = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("format").and_then(|f| f.as_str()).map(String::from));
    if tag.as_deref() == Some(fracnoise::passage::PASSAGE_FORMAT) {
        return crate::passage::load_passage(py, &text, &origin);
    }
    let s = Summary::from_json(&text, &origin).py()?;
    Ok(Py::new(py, PySimulationResult::from_summary(s))?.into_any())
}

/// Adds the SDE classes and functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    crate::models::register(m)?;
    crate::drivers::register(m)?;
    m.add_class::<PyHistogram>()?;
    m.add_class::<PySimulationResult>()?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    Ok(())
}
