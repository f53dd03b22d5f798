//! First passage: `passage(model, upper=..., lower=...)` runs each path until it leaves the
//! domain (censored at the horizon otherwise) and returns a `PassageResult`: every path's exit
//! time and side, and the library's estimators (Kaplan–Meier survival, mean or restricted mean
//! with a confidence interval, median, exit sides, escape rate, power-law tail).
//!
//! A run is the CLI's `fracnoise passage` (same configuration), so the same seed gives the same
//! exit records, and saved summaries merge with the CLI's.

use crate::errors::{invalid, IntoPy};
use crate::estimate::PyEstimate;
use crate::interrupt::merged_in_blocks;
use crate::sde::{
    calls_python, path_range, run_model, scheme as parse_scheme, scheme_name, DriverSpec, ModelSpec, ModelUser, Runner,
};
use crate::seed::seed_value;
use fracnoise::passage::{
    escape_rate, power_law_tail, summarize, BootstrapOptions, Boundary, Correction, Exit, KaplanMeier, PassageEnsemble,
    PassageRecords, PassageStats, PassageSummary, PowerLawOptions, Side,
};
use fracnoise::sde::{Grid, ScalarIntegrator, ScalarModel, Scheme};
use fracnoise::Seed;
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::json;

struct Pass<'py> {
    py: Python<'py>,
    driver: DriverSpec,
    paths: u64,
    steps: usize,
    dt: f64,
    x0: f64,
    seed: u64,
    upper: Option<f64>,
    lower: Option<f64>,
    correction: Correction,
    scheme: Scheme,
    range: std::ops::Range<u64>,
    single: bool,
    level: f64,
}

impl ModelUser for Pass<'_> {
    type Out = PyResult<PyPassageResult>;
    fn with<M: ScalarModel>(self, model: &M, model_json: serde_json::Value) -> Self::Out {
        let grid = Grid::new(self.steps, self.dt).py()?;
        let (driver, driver_json) = self.driver.build(grid, 1, self.paths)?;
        let integ = ScalarIntegrator::new(model, grid, self.scheme).py()?;
        let boundary = match (self.lower, self.upper) {
            (Some(l), Some(u)) => Boundary::interval(l, u),
            (None, Some(u)) => Boundary::upper(u),
            (Some(l), None) => Boundary::lower(l),
            (None, None) => return Err(invalid("give `upper`, `lower` or both")),
        }
        .py()?;
        let config = json!({
            "model": model_json,
            "x0": self.x0,
            "driver": driver_json,
            "scheme": scheme_name(self.scheme),
            "steps": grid.n_steps(),
            "dt": self.dt,
            "seed": self.seed,
            "paths": self.paths,
            "upper": self.upper,
            "lower": self.lower,
            "correction": format!("{:?}", self.correction).to_lowercase(),
        });
        let ens = PassageEnsemble::new(&integ, &driver, vec![self.x0], Seed::new(self.seed), boundary, self.correction)
            .py()?;
        let range = self.range.clone();
        // In blocks of paths, with a signal check between blocks (Ctrl-C); the records of
        // consecutive blocks merge into those of one run (ranges coalesce, records in path order),
        // and the first failing block holds the lowest failing path, as one run would report.
        let runner = Runner::new(self.single)?;
        let total = range.end - range.start;
        let records = merged_in_blocks(
            self.py,
            total,
            |py, rows| runner.run(py, || ens.run(range.start + rows.start..range.start + rows.end)),
            PassageRecords::merge,
        )?;
        let records = records.ok_or_else(|| invalid("internal: no paths were run"))?;
        PyPassageResult::new(PassageSummary { config, horizon: grid.t_end(), records }, self.level)
    }

    fn with_vector<M: fracnoise::sde::VectorModel>(self, _: &M, _: serde_json::Value) -> Self::Out {
        Err(invalid("`passage` takes scalar models (OU, BM, GBM, DoubleWell, PowerLaw, SDE without dim)"))
    }
}

fn correction(c: &str, driver: &DriverSpec) -> PyResult<Correction> {
    match c.to_ascii_lowercase().as_str() {
        "auto" => Ok(if driver.is_brownian() { Correction::Bridge } else { Correction::None }),
        "none" => Ok(Correction::None),
        "bridge" => Ok(Correction::Bridge),
        "bgk" => Ok(Correction::Bgk),
        _ => Err(invalid(format!(
            "invalid parameter `correction` = {c:?}: must be \"auto\", \"none\", \"bridge\" or \"bgk\""
        ))),
    }
}

/// First-passage (exit) times of a scalar SDE through ``upper`` and/or ``lower`` (the CLI's
/// ``fracnoise passage``).
///
/// A path exits at the first time ``X >= upper`` or ``X <= lower``; paths still inside at the
/// horizon ``steps * dt`` are **censored** there (kept, never dropped).
///
/// Parameters
/// ----------
/// model, driver, paths, steps, dt, x0, seed, scheme, shard :
///     As for ``simulate``. The start must lie strictly inside the domain.
/// upper, lower : float or None
///     The levels (at least one).
/// horizon : float or None
///     Sets ``steps = ceil(horizon / dt)``.
/// correction : {"auto", "bridge", "bgk", "none"}
///     Exits between grid points: "bridge" (Brownian-bridge crossing probability, exit time
///     drawn from the bridge; Brownian driver), "bgk" (Broadie–Glasserman–Kou level shift; one
///     constant level), "none" (grid points only). "auto": bridge for a Brownian driver, none
///     otherwise (stable and fBM drivers have no bridge formula).
/// level : float
///     Coverage of the confidence intervals of the result's estimates (default 0.95).
///
/// Returns
/// -------
/// PassageResult
#[pyfunction]
#[pyo3(signature = (model, driver = None, *, upper = None, lower = None, paths = 1000, steps = 1000, dt = 0.001, horizon = None, x0 = None, seed = None, correction = "auto", scheme = "em", shard = None, level = 0.95))]
#[allow(clippy::too_many_arguments)]
fn passage(
    py: Python<'_>,
    model: &Bound<'_, PyAny>,
    driver: Option<&Bound<'_, PyAny>>,
    upper: Option<f64>,
    lower: Option<f64>,
    paths: u64,
    steps: usize,
    dt: f64,
    horizon: Option<f64>,
    x0: Option<f64>,
    seed: Option<&Bound<'_, PyAny>>,
    correction: &str,
    scheme: &str,
    shard: Option<(u64, u64)>,
    level: f64,
) -> PyResult<PyPassageResult> {
    let spec = ModelSpec::from_py(model)?;
    let driver = DriverSpec::from_py(driver)?;
    if upper.is_none() && lower.is_none() {
        return Err(invalid("give `upper`, `lower` or both"));
    }
    if !(level > 0.0 && level < 1.0) {
        return Err(invalid(format!("invalid parameter `level` = {level}: must be in (0, 1)")));
    }
    let mut n_steps = steps;
    if let Some(h) = horizon {
        if !(h.is_finite() && h > 0.0) {
            return Err(invalid(format!("invalid parameter `horizon` = {h}: must be finite and > 0")));
        }
        if !(dt.is_finite() && dt > 0.0) {
            return Err(invalid(format!("invalid parameter `dt` = {dt}: must be finite and > 0")));
        }
        let s = (h / dt * (1.0 - 1e-12)).ceil();
        if !(1.0..1e12).contains(&s) {
            return Err(invalid(format!("horizon {h} / dt {dt} gives {s} steps (must be 1 ..= 1e12)")));
        }
        n_steps = s as usize;
    }
    let pass = Pass {
        py,
        driver: driver.clone(),
        paths,
        steps: n_steps,
        dt,
        x0: x0.unwrap_or_else(|| spec.default_x0()),
        seed: seed_value(seed)?,
        upper,
        lower,
        correction: self::correction(correction, &driver)?,
        scheme: parse_scheme(scheme)?,
        range: path_range(paths, shard)?,
        single: calls_python(&spec, &driver),
        level,
    };
    run_model(&spec, &driver, pass)
}

/// The result of ``passage`` (or of ``merge`` / ``load``).
///
/// Per path (arrays, in path order): ``times`` (exit time, or the horizon for a censored path),
/// ``censored`` (bool), ``side`` (+1 upper, -1 lower, 0 censored). Estimates (``Estimate``\ s,
/// at coverage ``level``): ``mean`` (None when any path is censored: the mean is then not
/// identified), ``restricted_mean`` (``E min(T, horizon)``, Kaplan–Meier), ``median``,
/// ``p_upper``, ``p_lower``, ``p_censored``; ``warnings``. Methods: ``survival()``,
/// ``escape_rate(t0)``, ``power_law_tail(t_min)``, ``to_json()``, ``save(path)``.
#[pyclass(name = "PassageResult", module = "fracnoise", frozen)]
pub struct PyPassageResult {
    summary: PassageSummary,
    stats: PassageStats,
    level: f64,
}

impl PyPassageResult {
    pub(crate) fn new(summary: PassageSummary, level: f64) -> PyResult<Self> {
        let stats = summarize(summary.records.exits(), level).py()?;
        Ok(PyPassageResult { summary, stats, level })
    }

    fn exits(&self) -> &[Exit] {
        self.summary.records.exits()
    }
}

#[pymethods]
impl PyPassageResult {
    /// Exit times (the horizon for censored paths).
    #[getter]
    fn times<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.exits().iter().map(|e| e.time).collect::<Vec<_>>().into_pyarray(py)
    }
    /// True for paths still inside at the horizon.
    #[getter]
    fn censored<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<bool>> {
        self.exits().iter().map(|e| e.is_censored()).collect::<Vec<_>>().into_pyarray(py)
    }
    /// Exit side: +1 upper, -1 lower, 0 censored.
    #[getter]
    fn side<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<i8>> {
        self.exits()
            .iter()
            .map(|e| match e.side {
                Some(Side::Upper) => 1i8,
                Some(Side::Lower) => -1,
                None => 0,
            })
            .collect::<Vec<_>>()
            .into_pyarray(py)
    }
    /// The horizon (censoring time).
    #[getter]
    fn horizon(&self) -> f64 {
        self.summary.horizon
    }
    /// Coverage of the intervals.
    #[getter]
    fn level(&self) -> f64 {
        self.level
    }
    /// Number of paths.
    #[getter]
    fn path_count(&self) -> u64 {
        self.summary.path_count()
    }
    /// Path ranges ``[start, end)`` covered.
    #[getter]
    fn path_ranges(&self) -> Vec<(u64, u64)> {
        self.summary.records.ranges().iter().map(|r| (r[0], r[1])).collect()
    }
    /// Paths that exited.
    #[getter]
    fn exit_count(&self) -> usize {
        self.stats.exits
    }
    /// Censored paths.
    #[getter]
    fn censored_count(&self) -> usize {
        self.stats.censored
    }
    /// Plain mean exit time (Student-t interval); None when any path is censored.
    #[getter]
    fn mean(&self) -> Option<PyEstimate> {
        self.stats.mean.map(Into::into)
    }
    /// Restricted mean ``E min(T, horizon)`` (Kaplan–Meier area; the mean when nothing is censored).
    #[getter]
    fn restricted_mean(&self) -> PyEstimate {
        self.stats.restricted_mean.into()
    }
    /// Kaplan–Meier median with the Brookmeyer–Crowley interval (inf when not reached).
    #[getter]
    fn median(&self) -> PyEstimate {
        self.stats.median.into()
    }
    /// Fraction leaving through the upper level (Wilson interval).
    #[getter]
    fn p_upper(&self) -> PyEstimate {
        self.stats.p_upper.into()
    }
    /// Fraction leaving through the lower level (Wilson interval).
    #[getter]
    fn p_lower(&self) -> PyEstimate {
        self.stats.p_lower.into()
    }
    /// Fraction censored (Wilson interval).
    #[getter]
    fn p_censored(&self) -> PyEstimate {
        self.stats.p_censored.into()
    }
    /// What the numbers do not say (censoring, median not reached, ...).
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.stats.warnings.clone()
    }
    /// The seed of the run.
    #[getter]
    fn seed(&self) -> Option<u64> {
        self.summary.config.get("seed").and_then(|v| v.as_u64())
    }
    /// The run's configuration as a dict.
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("json")?.call_method1("loads", (self.summary.config.to_string(),))
    }
    /// The Kaplan–Meier survival curve with a pointwise log(-log) band at ``level`` (default:
    /// the result's): a dict of arrays ``time``, ``survival``, ``se`` (Greenwood), ``lo``, ``hi``,
    /// ``at_risk``, ``events``, and ``end`` (the curve is defined up to there).
    #[pyo3(signature = (level = None))]
    fn survival<'py>(&self, py: Python<'py>, level: Option<f64>) -> PyResult<Bound<'py, PyDict>> {
        let km = KaplanMeier::new(self.exits()).py()?;
        let c = km.curve(level.unwrap_or(self.level)).py()?;
        let d = PyDict::new(py);
        d.set_item("time", c.time.into_pyarray(py))?;
        d.set_item("survival", c.survival.into_pyarray(py))?;
        d.set_item("se", c.se.into_pyarray(py))?;
        d.set_item("lo", c.lo.into_pyarray(py))?;
        d.set_item("hi", c.hi.into_pyarray(py))?;
        d.set_item("at_risk", c.at_risk.into_pyarray(py))?;
        d.set_item("events", c.events.into_pyarray(py))?;
        d.set_item("end", c.end)?;
        d.set_item("level", c.level)?;
        Ok(d)
    }
    /// Escape rate of an exponential tail beyond ``t0`` (censored exponential MLE): a dict with
    /// ``rate`` (an ``Estimate``), ``t0``, ``t_end``, ``at_risk``, ``events``, ``censored``,
    /// ``exposure``.
    #[pyo3(signature = (t0, level = None))]
    fn escape_rate<'py>(&self, py: Python<'py>, t0: f64, level: Option<f64>) -> PyResult<Bound<'py, PyDict>> {
        let r = escape_rate(self.exits(), t0, level.unwrap_or(self.level)).py()?;
        let d = PyDict::new(py);
        d.set_item("rate", PyEstimate::from(r.rate))?;
        d.set_item("t0", r.t0)?;
        d.set_item("t_end", r.t_end)?;
        d.set_item("at_risk", r.at_risk)?;
        d.set_item("events", r.events)?;
        d.set_item("censored", r.censored)?;
        d.set_item("exposure", r.exposure)?;
        Ok(d)
    }
    /// Power-law tail exponent ``theta`` of ``P(T > t) ~ t^-theta`` on ``[t_min, t_max]``
    /// (censored Pareto MLE); ``bootstrap`` >= 2 adds a nonparametric bootstrap SE (seeded by
    /// ``seed``). A dict with ``theta`` (an ``Estimate``), ``bootstrap_se``, ``t_min``,
    /// ``t_max``, ``at_risk``, ``events``, ``censored``.
    #[pyo3(signature = (t_min, t_max = None, *, bootstrap = 0, seed = None, level = None))]
    fn power_law_tail<'py>(
        &self,
        py: Python<'py>,
        t_min: f64,
        t_max: Option<f64>,
        bootstrap: usize,
        seed: Option<&Bound<'py, PyAny>>,
        level: Option<f64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut o = PowerLawOptions::new(t_min);
        o.t_max = t_max;
        o.level = level.unwrap_or(self.level);
        if bootstrap > 0 {
            o.bootstrap = Some(BootstrapOptions { replicates: bootstrap, seed: Seed::new(seed_value(seed)?) });
        }
        let exits = self.exits();
        let r = py.allow_threads(|| power_law_tail(exits, &o)).py()?;
        let d = PyDict::new(py);
        d.set_item("theta", PyEstimate::from(r.theta))?;
        d.set_item("bootstrap_se", r.bootstrap_se)?;
        d.set_item("t_min", r.t_min)?;
        d.set_item("t_max", r.t_max)?;
        d.set_item("at_risk", r.at_risk)?;
        d.set_item("events", r.events)?;
        d.set_item("censored", r.censored)?;
        Ok(d)
    }
    /// The mergeable summary as JSON (the CLI's ``passage --summary-out`` format).
    fn to_json(&self) -> String {
        self.summary.to_json()
    }
    /// Writes the summary to ``path`` (atomically).
    fn save(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        let s = &self.summary;
        py.allow_threads(|| s.write(&path)).py()
    }
    /// A result from the JSON of ``to_json`` (or of ``fracnoise passage --summary-out``).
    #[staticmethod]
    #[pyo3(signature = (text, level = 0.95))]
    fn from_json(text: &str, level: f64) -> PyResult<Self> {
        Self::new(PassageSummary::from_json(text, "<string>").py()?, level)
    }
    fn __repr__(&self) -> String {
        let c = &self.summary.config;
        format!(
            "PassageResult(model={}, driver={}, paths={}, exits={}, censored={}, restricted_mean={:.6} (se {:.2e}))",
            c["model"],
            c["driver"],
            self.summary.path_count(),
            self.stats.exits,
            self.stats.censored,
            self.stats.restricted_mean.value,
            self.stats.restricted_mean.se
        )
    }
}

/// `merge` for passage results.
pub(crate) fn merge_passage(py: Python<'_>, items: &[Bound<'_, PyAny>]) -> PyResult<PyObject> {
    let first = items[0]
        .downcast::<PyPassageResult>()
        .map_err(|_| invalid("`results` must hold SimulationResult or PassageResult objects"))?
        .get();
    let mut s = first.summary.clone();
    for (i, it) in items.iter().enumerate().skip(1) {
        let o =
            it.downcast::<PyPassageResult>().map_err(|_| invalid(format!("results[{i}] is not a PassageResult")))?;
        s.merge(&o.get().summary).map_err(|e| invalid(format!("results[{i}]: {e}")))?;
    }
    Ok(Py::new(py, PyPassageResult::new(s, first.level)?)?.into_any())
}

/// `load` for passage summaries.
pub(crate) fn load_passage(py: Python<'_>, text: &str, origin: &str) -> PyResult<PyObject> {
    let s = PassageSummary::from_json(text, origin).py()?;
    Ok(Py::new(py, PyPassageResult::new(s, 0.95)?)?.into_any())
}

/// Adds the first-passage function and class to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(passage, m)?)?;
    m.add_class::<PyPassageResult>()?;
    Ok(())
}
