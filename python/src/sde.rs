//! SDE ensembles: model and driver classes, `simulate`, `SimulationResult`, `merge`, `load`.
//!
//! A run is the CLI's `fracnoise simulate` (same models, drivers, defaults and configuration),
//! so the same seed gives the same bits, and shard summaries written by either merge with the
//! other's. Built-in models run in the library's tight loops on every core (GIL released);
//! `SDE(drift, diffusion)` calls Python functions at every step and runs on one thread (slow:
//! for exploration and small runs).

use crate::arrays::empty_f64;
use crate::errors::{invalid, IntoPy};
use crate::estimate::PyEstimate;
use crate::seed::seed_value;
use fracnoise::noise::Stable;
use fracnoise::sde::models::{BrownianDrift, DoubleWell, Gbm, Ou, PowerLaw};
use fracnoise::sde::{Driver, Ensemble, Grid, HistogramSpec, Observe, ScalarIntegrator, ScalarModel, Scheme, Summary};
use fracnoise::stats::Estimate;
use fracnoise::Seed;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayDyn, PyArrayMethods};
use pyo3::prelude::*;
use serde_json::json;
use std::sync::{Arc, Mutex};

// ---------------------------------------------------------------------------------------------
// Models

/// Brownian motion with drift, ``dX = mu dt + sigma dL`` (any driver).
#[pyclass(name = "BM", module = "fracnoise", frozen)]
pub struct PyBm {
    m: BrownianDrift,
}

#[pymethods]
impl PyBm {
    #[new]
    #[pyo3(signature = (mu = 0.0, sigma = 1.0))]
    fn new(mu: f64, sigma: f64) -> PyResult<Self> {
        Ok(PyBm { m: BrownianDrift::new(mu, sigma).py()? })
    }
    /// Drift.
    #[getter]
    fn mu(&self) -> f64 {
        self.m.mu
    }
    /// Noise amplitude.
    #[getter]
    fn sigma(&self) -> f64 {
        self.m.sigma
    }
    fn __repr__(&self) -> String {
        format!("BM(mu={}, sigma={})", self.m.mu, self.m.sigma)
    }
}

/// Ornstein–Uhlenbeck, ``dX = theta (mu - X) dt + sigma dL`` (fractional OU with an
/// ``FbmDriver``, Lévy OU with a ``StableDriver``).
#[pyclass(name = "OU", module = "fracnoise", frozen)]
pub struct PyOu {
    m: Ou,
}

#[pymethods]
impl PyOu {
    #[new]
    #[pyo3(signature = (theta = 1.0, mu = 0.0, sigma = 1.0))]
    fn new(theta: f64, mu: f64, sigma: f64) -> PyResult<Self> {
        Ok(PyOu { m: Ou::new(theta, mu, sigma).py()? })
    }
    /// Mean-reversion rate.
    #[getter]
    fn theta(&self) -> f64 {
        self.m.theta
    }
    /// Long-run mean.
    #[getter]
    fn mu(&self) -> f64 {
        self.m.mu
    }
    /// Noise amplitude.
    #[getter]
    fn sigma(&self) -> f64 {
        self.m.sigma
    }
    /// ``E X_t`` from ``x0`` (Brownian driver): ``mu + (x0 - mu) exp(-theta t)``.
    fn mean(&self, t: f64, x0: f64) -> f64 {
        self.m.mean(t, x0)
    }
    /// ``Var X_t`` (Brownian driver): ``sigma^2 (1 - exp(-2 theta t)) / (2 theta)``.
    fn variance(&self, t: f64) -> f64 {
        self.m.variance(t)
    }
    fn __repr__(&self) -> String {
        format!("OU(theta={}, mu={}, sigma={})", self.m.theta, self.m.mu, self.m.sigma)
    }
}

/// Geometric Brownian motion, ``dX = mu X dt + sigma X dL`` (Itô; default ``x0 = 1``).
#[pyclass(name = "GBM", module = "fracnoise", frozen)]
pub struct PyGbm {
    m: Gbm,
}

#[pymethods]
impl PyGbm {
    #[new]
    #[pyo3(signature = (mu = 0.0, sigma = 1.0))]
    fn new(mu: f64, sigma: f64) -> PyResult<Self> {
        Ok(PyGbm { m: Gbm::new(mu, sigma).py()? })
    }
    /// Drift rate.
    #[getter]
    fn mu(&self) -> f64 {
        self.m.mu
    }
    /// Volatility.
    #[getter]
    fn sigma(&self) -> f64 {
        self.m.sigma
    }
    fn __repr__(&self) -> String {
        format!("GBM(mu={}, sigma={})", self.m.mu, self.m.sigma)
    }
}

/// Double well, ``dX = (b X - a X^3) dt + sigma dL`` (potential ``a x^4/4 - b x^2/2``).
#[pyclass(name = "DoubleWell", module = "fracnoise", frozen)]
pub struct PyDoubleWell {
    m: DoubleWell,
}

#[pymethods]
impl PyDoubleWell {
    #[new]
    #[pyo3(signature = (a = 1.0, b = 1.0, sigma = 1.0))]
    fn new(a: f64, b: f64, sigma: f64) -> PyResult<Self> {
        Ok(PyDoubleWell { m: DoubleWell::new(a, b, sigma).py()? })
    }
    /// Quartic coefficient.
    #[getter]
    fn a(&self) -> f64 {
        self.m.a
    }
    /// Quadratic coefficient.
    #[getter]
    fn b(&self) -> f64 {
        self.m.b
    }
    /// Noise amplitude.
    #[getter]
    fn sigma(&self) -> f64 {
        self.m.sigma
    }
    fn __repr__(&self) -> String {
        format!("DoubleWell(a={}, b={}, sigma={})", self.m.a, self.m.b, self.m.sigma)
    }
}

/// Power-law dynamic of SGD, ``dX = -h X dt + sqrt(2 eta (sigma_g + sigma_h X^2)) dW`` (Itô;
/// stationary law a scaled Student t).
#[pyclass(name = "PowerLaw", module = "fracnoise", frozen)]
pub struct PyPowerLaw {
    m: PowerLaw,
    p: [f64; 4],
}

#[pymethods]
impl PyPowerLaw {
    #[new]
    #[pyo3(signature = (h = 1.0, eta = 0.1, sigma_g = 1.0, sigma_h = 1.0))]
    fn new(h: f64, eta: f64, sigma_g: f64, sigma_h: f64) -> PyResult<Self> {
        Ok(PyPowerLaw { m: PowerLaw::new(h, eta, sigma_g, sigma_h).py()?, p: [h, eta, sigma_g, sigma_h] })
    }
    /// Curvature.
    #[getter]
    fn h(&self) -> f64 {
        self.p[0]
    }
    /// Learning rate.
    #[getter]
    fn eta(&self) -> f64 {
        self.p[1]
    }
    /// Constant noise variance.
    #[getter]
    fn sigma_g(&self) -> f64 {
        self.p[2]
    }
    /// Quadratic noise variance.
    #[getter]
    fn sigma_h(&self) -> f64 {
        self.p[3]
    }
    /// Stationary variance (Itô), infinite when the tail is too heavy.
    fn stationary_variance(&self) -> f64 {
        self.m.stationary_variance()
    }
    fn __repr__(&self) -> String {
        format!("PowerLaw(h={}, eta={}, sigma_g={}, sigma_h={})", self.p[0], self.p[1], self.p[2], self.p[3])
    }
}

/// A scalar SDE ``dX = drift(t, X) dt + diffusion(t, X) dL`` from Python functions of
/// ``(t, x)`` returning floats; ``diffusion_dx`` (``d diffusion / dx``) enables Milstein.
///
/// **Slow**: every step of every path calls Python (about a microsecond each, one thread); use it
/// for small runs and to prototype, and the built-in models for big ensembles. An exception in a
/// function stops the run and is re-raised.
#[pyclass(name = "SDE", module = "fracnoise", frozen)]
pub struct PySde {
    drift: Py<PyAny>,
    diffusion: Py<PyAny>,
    diffusion_dx: Option<Py<PyAny>>,
}

#[pymethods]
impl PySde {
    #[new]
    #[pyo3(signature = (drift, diffusion, diffusion_dx = None))]
    fn new(
        drift: Bound<'_, PyAny>,
        diffusion: Bound<'_, PyAny>,
        diffusion_dx: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        for (name, f) in
            [("drift", Some(&drift)), ("diffusion", Some(&diffusion)), ("diffusion_dx", diffusion_dx.as_ref())]
        {
            if let Some(f) = f {
                if !f.is_callable() {
                    return Err(invalid(format!("`{name}` must be a callable f(t, x) -> float")));
                }
            }
        }
        Ok(PySde {
            drift: drift.unbind(),
            diffusion: diffusion.unbind(),
            diffusion_dx: diffusion_dx.map(|f| f.unbind()),
        })
    }
    /// The drift function.
    #[getter]
    fn drift(&self, py: Python<'_>) -> Py<PyAny> {
        self.drift.clone_ref(py)
    }
    /// The diffusion function.
    #[getter]
    fn diffusion(&self, py: Python<'_>) -> Py<PyAny> {
        self.diffusion.clone_ref(py)
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let name = |f: &Py<PyAny>| {
            f.bind(py)
                .getattr("__qualname__")
                .and_then(|n| n.extract::<String>())
                .unwrap_or_else(|_| "<callable>".into())
        };
        format!("SDE(drift={}, diffusion={})", name(&self.drift), name(&self.diffusion))
    }
}

/// A model calling Python: the first exception is kept (and NaN returned, which stops the path
/// with a non-finite state); the caller re-raises the kept exception.
pub(crate) struct CallbackModel {
    drift: Py<PyAny>,
    diffusion: Py<PyAny>,
    diffusion_dx: Option<Py<PyAny>>,
    pub(crate) error: Arc<Mutex<Option<PyErr>>>,
}

impl CallbackModel {
    fn call(&self, f: &Py<PyAny>, t: f64, x: f64) -> f64 {
        let mut slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_some() {
            return f64::NAN;
        }
        let r = Python::with_gil(|py| f.call1(py, (t, x)).and_then(|v| v.extract::<f64>(py)));
        match r {
            Ok(v) => v,
            Err(e) => {
                *slot = Some(e);
                f64::NAN
            }
        }
    }
}

impl ScalarModel for CallbackModel {
    fn drift(&self, t: f64, x: f64) -> f64 {
        self.call(&self.drift, t, x)
    }
    fn diffusion(&self, t: f64, x: f64) -> f64 {
        self.call(&self.diffusion, t, x)
    }
    fn diffusion_dx(&self, t: f64, x: f64) -> Option<f64> {
        self.diffusion_dx.as_ref().map(|f| self.call(f, t, x))
    }
}

/// A model named by a Python object.
pub(crate) enum ModelSpec {
    Bm(BrownianDrift),
    Ou(Ou),
    Gbm(Gbm),
    DoubleWell(DoubleWell),
    PowerLaw(PowerLaw, [f64; 4]),
    Callback(CallbackModel, String),
}

impl ModelSpec {
    pub(crate) fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        let py = obj.py();
        if let Ok(m) = obj.downcast::<PyOu>() {
            return Ok(ModelSpec::Ou(m.get().m));
        }
        if let Ok(m) = obj.downcast::<PyBm>() {
            return Ok(ModelSpec::Bm(m.get().m));
        }
        if let Ok(m) = obj.downcast::<PyGbm>() {
            return Ok(ModelSpec::Gbm(m.get().m));
        }
        if let Ok(m) = obj.downcast::<PyDoubleWell>() {
            return Ok(ModelSpec::DoubleWell(m.get().m));
        }
        if let Ok(m) = obj.downcast::<PyPowerLaw>() {
            let g = m.get();
            return Ok(ModelSpec::PowerLaw(g.m, g.p));
        }
        if let Ok(m) = obj.downcast::<PySde>() {
            let g = m.get();
            let repr = g.__repr__(py);
            return Ok(ModelSpec::Callback(
                CallbackModel {
                    drift: g.drift.clone_ref(py),
                    diffusion: g.diffusion.clone_ref(py),
                    diffusion_dx: g.diffusion_dx.as_ref().map(|f| f.clone_ref(py)),
                    error: Arc::new(Mutex::new(None)),
                },
                repr,
            ));
        }
        Err(invalid(format!(
            "`model` must be one of fracnoise.OU, BM, GBM, DoubleWell, PowerLaw or SDE, not {}",
            obj.get_type().name()?
        )))
    }

    /// The default start: 1 for GBM, 0 otherwise (as the CLI).
    pub(crate) fn default_x0(&self) -> f64 {
        if matches!(self, ModelSpec::Gbm(_)) {
            1.0
        } else {
            0.0
        }
    }

    /// The kept Python exception of a callback model, if any.
    pub(crate) fn take_error(&self) -> Option<PyErr> {
        match self {
            ModelSpec::Callback(m, _) => m.error.lock().unwrap_or_else(|p| p.into_inner()).take(),
            _ => None,
        }
    }

    pub(crate) fn is_callback(&self) -> bool {
        matches!(self, ModelSpec::Callback(..))
    }
}

/// Something to do with a model of any type (each built-in model is its own type).
pub(crate) trait ModelUser {
    type Out;
    fn with<M: ScalarModel>(self, model: &M, model_json: serde_json::Value) -> Self::Out;
}

/// Hands the model of `spec` and its JSON description (the CLI's) to `u`.
pub(crate) fn with_model<U: ModelUser>(spec: &ModelSpec, u: U) -> U::Out {
    match spec {
        ModelSpec::Bm(b) => u.with(b, json!({"name": "bm", "mu": b.mu, "sigma": b.sigma})),
        ModelSpec::Ou(o) => u.with(o, json!({"name": "ou", "theta": o.theta, "mu": o.mu, "sigma": o.sigma})),
        ModelSpec::Gbm(g) => u.with(g, json!({"name": "gbm", "mu": g.mu, "sigma": g.sigma})),
        ModelSpec::DoubleWell(d) => u.with(d, json!({"name": "double-well", "a": d.a, "b": d.b, "sigma": d.sigma})),
        ModelSpec::PowerLaw(p, q) => {
            u.with(p, json!({"name": "power-law", "h": q[0], "eta": q[1], "sigma_g": q[2], "sigma_h": q[3]}))
        }
        ModelSpec::Callback(c, repr) => u.with(c, json!({"name": "python", "repr": repr})),
    }
}

// ---------------------------------------------------------------------------------------------
// Drivers

/// Brownian driver (Itô): increments ``sqrt(dt) Z``, path ``i`` from the seed's stream ``i``.
#[pyclass(name = "BrownianDriver", module = "fracnoise", frozen)]
pub struct PyBrownianDriver;

#[pymethods]
impl PyBrownianDriver {
    #[new]
    fn new() -> Self {
        PyBrownianDriver
    }
    fn __repr__(&self) -> &'static str {
        "BrownianDriver()"
    }
}

/// alpha-stable Lévy driver (Itô) with ``L_1 ~ S1(alpha, beta, 1, 0)``; increments over a step
/// ``h`` have the law ``S1(alpha, beta, h^(1/alpha), 0)`` (with the ``alpha = 1`` log term).
#[pyclass(name = "StableDriver", module = "fracnoise", frozen)]
pub struct PyStableDriver {
    alpha: f64,
    beta: f64,
}

#[pymethods]
impl PyStableDriver {
    #[new]
    #[pyo3(signature = (alpha = 1.5, beta = 0.0))]
    fn new(alpha: f64, beta: f64) -> PyResult<Self> {
        Stable::standard(alpha, beta).py()?;
        Ok(PyStableDriver { alpha, beta })
    }
    /// Stability index.
    #[getter]
    fn alpha(&self) -> f64 {
        self.alpha
    }
    /// Skewness.
    #[getter]
    fn beta(&self) -> f64 {
        self.beta
    }
    fn __repr__(&self) -> String {
        format!("StableDriver(alpha={}, beta={})", self.alpha, self.beta)
    }
}

/// Fractional Brownian motion driver with Hurst index ``hurst`` (exact fGn increments of
/// variance ``dt^(2H)``; pathwise integrals, which for multiplicative noise need ``H > 1/2``).
#[pyclass(name = "FbmDriver", module = "fracnoise", frozen)]
pub struct PyFbmDriver {
    hurst: f64,
}

#[pymethods]
impl PyFbmDriver {
    #[new]
    #[pyo3(signature = (hurst = 0.7))]
    fn new(hurst: f64) -> PyResult<Self> {
        if !(hurst > 0.0 && hurst < 1.0) {
            return Err(invalid(format!("invalid parameter `hurst` = {hurst}: must be in (0, 1)")));
        }
        Ok(PyFbmDriver { hurst })
    }
    /// Hurst index.
    #[getter]
    fn hurst(&self) -> f64 {
        self.hurst
    }
    fn __repr__(&self) -> String {
        format!("FbmDriver(hurst={})", self.hurst)
    }
}

/// A driver named by a Python object (None: Brownian).
#[derive(Clone, Copy)]
pub(crate) enum DriverSpec {
    Bm,
    Stable { alpha: f64, beta: f64 },
    Fbm { hurst: f64 },
}

impl DriverSpec {
    pub(crate) fn from_py(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(DriverSpec::Bm) };
        if obj.downcast::<PyBrownianDriver>().is_ok() {
            return Ok(DriverSpec::Bm);
        }
        if let Ok(d) = obj.downcast::<PyStableDriver>() {
            let d = d.get();
            return Ok(DriverSpec::Stable { alpha: d.alpha, beta: d.beta });
        }
        if let Ok(d) = obj.downcast::<PyFbmDriver>() {
            return Ok(DriverSpec::Fbm { hurst: d.get().hurst });
        }
        Err(invalid(format!(
            "`driver` must be None or one of fracnoise.BrownianDriver, StableDriver, FbmDriver, not {}",
            obj.get_type().name()?
        )))
    }

    /// The driver on `grid` and its JSON description (the CLI's).
    pub(crate) fn build(self, grid: Grid) -> fracnoise::Result<(Driver, serde_json::Value)> {
        Ok(match self {
            DriverSpec::Bm => (Driver::brownian(grid, 1)?, json!({"kind": "bm"})),
            DriverSpec::Fbm { hurst } => (Driver::fractional(grid, 1, hurst)?, json!({"kind": "fbm", "hurst": hurst})),
            DriverSpec::Stable { alpha, beta } => {
                let law = Stable::standard(alpha, beta)?;
                (Driver::stable(grid, 1, law)?, json!({"kind": "stable", "alpha": alpha, "beta": beta, "param": "S1"}))
            }
        })
    }
}

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

/// Runs `f` with the GIL released: on the global pool for built-in models, on one thread for
/// Python callbacks (they would only contend for the GIL).
pub(crate) fn run_released<T: Send>(
    py: Python<'_>,
    single: bool,
    f: impl FnOnce() -> fracnoise::Result<T> + Send,
) -> PyResult<T> {
    if single {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .map_err(|e| invalid(format!("cannot start a worker thread: {e}")))?;
        py.allow_threads(|| pool.install(f)).py()
    } else {
        py.allow_threads(f).py()
    }
}

// ---------------------------------------------------------------------------------------------
// simulate

/// What to observe: a count of evenly spaced steps, or explicit times.
enum ObserveArg {
    Count(usize),
    Times(Vec<f64>),
}

struct Sim<'py> {
    py: Python<'py>,
    driver: DriverSpec,
    paths: u64,
    steps: usize,
    dt: f64,
    x0: f64,
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
        let (driver, driver_json) = self.driver.build(grid).py()?;
        let integ = ScalarIntegrator::new(model, grid, self.scheme).py()?;
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
        observe.quantiles = matches!(self.driver, DriverSpec::Stable { alpha, .. } if alpha < 2.0);
        // The CLI's configuration (shards of either merge with the other's).
        let config = json!({
            "model": model_json,
            "x0": self.x0,
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
        let ens = Ensemble::new(&integ, &driver, vec![self.x0], Seed::new(self.seed), observe, config).py()?;
        let range = self.range.clone();
        let n_paths = usize::try_from(range.end - range.start).map_err(|_| invalid("too many paths"))?;
        let cols = ens.stored_columns();
        // Stored paths go straight into a numpy array (numpy's allocator, huge pages): no copy.
        let stored = if cols > 0 { Some(empty_f64(self.py, &[n_paths, cols])?) } else { None };
        let summary = match &stored {
            Some(a) => {
                let mut rw = a.readwrite();
                let buf = rw.as_slice_mut().map_err(|e| invalid(format!("internal: stored paths: {e}")))?;
                run_released(self.py, self.single, || ens.run_into(range, buf, &|_| {}))?
            }
            None => run_released(self.py, self.single, || ens.run_into(range, &mut [], &|_| {}))?,
        };
        let paths = match stored {
            Some(a) => Some(a.into_any().downcast_into::<PyArray2<f64>>()?.unbind()),
            None => None,
        };
        Ok(PySimulationResult { summary, paths, stored_steps: ens.stored_steps().to_vec(), dt: self.dt })
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

/// Simulates an ensemble of paths of a scalar SDE (the library's ``Ensemble``; the CLI's
/// ``fracnoise simulate``), streaming statistics without storing paths unless asked.
///
/// Parameters
/// ----------
/// model : OU, BM, GBM, DoubleWell, PowerLaw or SDE
///     The SDE ``dX = b(t, X) dt + s(t, X) dL`` (Itô for Brownian and stable drivers;
///     pathwise for fBM).
/// driver : BrownianDriver, StableDriver, FbmDriver or None
///     The noise ``L`` (None: Brownian).
/// paths : int
///     Number of paths of the whole run (all shards together).
/// steps : int
///     Number of time steps; ``dt`` : step size.
/// x0 : float or None
///     Start (default 1 for GBM, 0 otherwise).
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
///     ``(paths of this run, stored steps)``. Memory ``paths x steps / k`` values.
/// scheme : {"em", "milstein"}
///     Euler–Maruyama, or Milstein (Brownian driver; needs ``diffusion_dx`` for an ``SDE``).
/// shard : (k, N) or None
///     Run only shard k of N (paths ``[k M / N, (k+1) M / N)``); ``merge`` the shards' results
///     (or their saved summaries, also with the CLI's) into exactly the whole run.
///
/// Returns
/// -------
/// SimulationResult
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
    x0: Option<f64>,
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
        let total = u128::from(paths) * stored * 8;
        if total > isize::MAX as u128 {
            return Err(invalid(format!("store_every = {k}: {paths} paths x {stored} stored steps is too large")));
        }
    }
    let sim = Sim {
        py,
        driver,
        paths,
        steps,
        dt,
        x0: x0.unwrap_or_else(|| spec.default_x0()),
        seed: seed_value(seed)?,
        observe,
        hist,
        extremes,
        store_every,
        scheme: self::scheme(scheme)?,
        range: path_range(paths, shard)?,
        single: spec.is_callback(),
    };
    let r = with_model(&spec, sim);
    match spec.take_error() {
        Some(e) => Err(e),
        None => r,
    }
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
/// Arrays over the observation times (shape ``(n_times,)``): ``times``, ``steps``, ``mean``,
/// ``mean_se``, ``variance`` (unbiased), ``variance_se``, ``min``, ``max``. Also ``histogram``,
/// ``running_min`` / ``running_max`` (with ``extremes=True``), ``paths`` (with
/// ``store_every``), ``seed``, ``path_count``, ``path_ranges``, ``config``; ``to_json()``,
/// ``save(path)``; ``mean_at(i)`` / ``variance_at(i)`` as ``Estimate``\ s.
#[pyclass(name = "SimulationResult", module = "fracnoise", frozen)]
pub struct PySimulationResult {
    summary: Summary,
    paths: Option<Py<PyArray2<f64>>>,
    stored_steps: Vec<usize>,
    dt: f64,
}

impl PySimulationResult {
    fn from_summary(summary: Summary) -> Self {
        let dt = summary.config.get("dt").and_then(|v| v.as_f64()).unwrap_or(f64::NAN);
        PySimulationResult { summary, paths: None, stored_steps: Vec::new(), dt }
    }

    /// Per-time, per-component values of `f` as `(n_times,)` (dim 1) or `(n_times, dim)`.
    fn table<'py>(
        &self,
        py: Python<'py>,
        f: impl Fn(&fracnoise::sde::PowerSums) -> f64,
    ) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
        let s = &self.summary;
        let v: Vec<f64> = s.moments.iter().flat_map(|row| row.iter().map(&f)).collect();
        let shape: Vec<usize> = if s.dim == 1 { vec![v.len()] } else { vec![s.moments.len(), s.dim] };
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
    /// The mean at observation ``i`` as an ``Estimate`` (95% normal interval).
    fn mean_at(&self, i: usize) -> PyResult<PyEstimate> {
        Ok(self.summary.mean(i, 0).py()?.into())
    }
    /// The variance at observation ``i`` as an ``Estimate`` (95% normal interval).
    fn variance_at(&self, i: usize) -> PyResult<PyEstimate> {
        Ok(self.summary.variance(i, 0).py()?.into())
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
    /// The stored paths (``store_every=k``): shape ``(paths of this run, stored steps)``, or None.
    #[getter]
    fn paths(&self, py: Python<'_>) -> Option<Py<PyArray2<f64>>> {
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

/// Merges shard results (``SimulationResult``\ s, or ``PassageResult``\ s) of one run into
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
    m.add_class::<PyBm>()?;
    m.add_class::<PyOu>()?;
    m.add_class::<PyGbm>()?;
    m.add_class::<PyDoubleWell>()?;
    m.add_class::<PyPowerLaw>()?;
    m.add_class::<PySde>()?;
    m.add_class::<PyBrownianDriver>()?;
    m.add_class::<PyStableDriver>()?;
    m.add_class::<PyFbmDriver>()?;
    m.add_class::<PyHistogram>()?;
    m.add_class::<PySimulationResult>()?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    Ok(())
}
