//! Hurst estimators: one function per estimator, each on a 1-D series or on every row of a 2-D
//! array (rows in parallel, GIL released), returning `HurstResult` / `HurstBatch`
//! (`MfdfaResult` / a list of them for MF-DFA).

use crate::arrays::{as_f64, shape_1d_2d};
use crate::errors::{err, invalid, IntoPy};
use crate::interrupt::in_blocks;
use crate::seed::seed_value;
use fracnoise::hurst::{
    mfdfa as lib_mfdfa, AggVarOptions, DfaOptions, Estimator, GphOptions, HurstEstimate, InputKind,
    LocalWhittleOptions, MfdfaOptions, MfdfaResult, RsOptions, SeKind,
};
use fracnoise::Seed;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods};
use pyo3::create_exception;
use pyo3::exceptions::{PyIndexError, PyUserWarning};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rayon::prelude::*;
use std::ffi::CString;

create_exception!(
    fracnoise,
    FracnoiseWarning,
    PyUserWarning,
    "A warning from fracnoise (e.g. a Hurst input that looks like the other kind)."
);

fn kind(k: &str) -> PyResult<InputKind> {
    match k.to_ascii_lowercase().as_str() {
        "noise" => Ok(InputKind::Noise),
        "path" => Ok(InputKind::Path),
        _ => Err(invalid(format!("invalid parameter `kind` = {k:?}: must be \"noise\" or \"path\""))),
    }
}

/// Emits `msg` as a `FracnoiseWarning` (stack level 1: the line that called the estimator).
fn warn(py: Python<'_>, msg: &str) -> PyResult<()> {
    let c = CString::new(msg.replace('\0', " ")).unwrap_or_default();
    PyErr::warn(py, &py.get_type::<FracnoiseWarning>(), &c, 1)
}

/// Runs `f` on the 1-D series or on each row (in parallel); errors name the row.
fn per_row<'py, T: Send>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    f: impl Fn(usize, &[f64]) -> fracnoise::Result<T> + Sync,
) -> PyResult<(Vec<T>, bool)> {
    let a = as_f64(x, "x")?;
    let (r, c, one) = shape_1d_2d(&a, "x")?;
    if r == 0 {
        return Err(invalid("`x` has no rows"));
    }
    let ro = a.readonly();
    let data = ro.as_slice().map_err(|e| invalid(format!("`x`: {e}")))?;
    if one {
        let v = py.allow_threads(|| f(0, data)).py()?;
        return Ok((vec![v], true));
    }
    // Rows in blocks, with a check for Ctrl-C between blocks (each row is independent).
    let mut res: Vec<fracnoise::Result<T>> = Vec::with_capacity(r);
    in_blocks(py, r as u64, 1, |py, rows| {
        let (lo, hi) = (rows.start as usize, rows.end as usize);
        let part: Vec<_> =
            py.allow_threads(|| (lo..hi).into_par_iter().map(|i| f(i, &data[i * c..(i + 1) * c])).collect());
        res.extend(part);
        Ok(())
    })?;
    let mut out = Vec::with_capacity(r);
    for (i, v) in res.into_iter().enumerate() {
        match v {
            Ok(v) => out.push(v),
            Err(e) => {
                let e = err(e);
                return Err(match e.is_instance_of::<pyo3::exceptions::PyValueError>(py) {
                    true => invalid(format!("row {i}: {}", e.value(py))),
                    false => e,
                });
            }
        }
    }
    Ok((out, false))
}

/// Estimates with `est` on each row; `bootstrap > 0` replaces the SE by the parametric-bootstrap
/// SE from that many fGn replicates (seeded as the CLI for a 1-D input: `seed.child_named(method)`;
/// row `i` of a 2-D input uses `seed.child_named(method).child(i)`).
fn run(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    est: Estimator,
    bootstrap: usize,
    seed: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyObject> {
    if bootstrap == 1 {
        return Err(invalid(
            "invalid size `bootstrap` = 1: must be 0 (the estimator's own SE) or at least 2 replicates",
        ));
    }
    let seed = Seed::new(if bootstrap > 0 { seed_value(seed)? } else { 0 });
    let a = as_f64(x, "x")?;
    let one_d = shape_1d_2d(&a, "x")?.2;
    let (res, _) = per_row(py, &a, |i, row| {
        let e = est.estimate(row)?;
        if bootstrap == 0 {
            return Ok(e);
        }
        let s = seed.child_named(&e.method.name());
        est.bootstrap(e, bootstrap, if one_d { s } else { s.child(i as u64) })
    })?;
    if one_d {
        let e = res.into_iter().next().ok_or_else(|| invalid("no result"))?;
        for w in &e.warnings {
            warn(py, w)?;
        }
        return Ok(Py::new(py, PyHurstResult { e })?.into_any());
    }
    let flagged = res.iter().filter(|e| !e.warnings.is_empty()).count();
    if flagged > 0 {
        let first = res.iter().position(|e| !e.warnings.is_empty()).unwrap_or(0);
        warn(
            py,
            &format!(
                "{flagged} of {} rows have warnings (see result[i].warnings); row {first}: {}",
                res.len(),
                res[first].warnings.join("; ")
            ),
        )?;
    }
    Ok(Py::new(py, PyHurstBatch { rows: res })?.into_any())
}

fn se_kind_name(k: SeKind) -> &'static str {
    k.name()
}

/// One Hurst estimate: ``hurst``, its standard error ``se`` with ``se_kind`` ("regression":
/// the OLS slope SE, which understates the spread of DFA, R/S and aggregated variance 3-4x;
/// "asymptotic"; "bootstrap"), the 95% interval ``ci``, the log-log ``fit`` (regression
/// estimators), the ``scaling`` data behind it, ``n`` (noise samples used) and ``warnings``.
#[pyclass(name = "HurstResult", module = "fracnoise", frozen)]
pub struct PyHurstResult {
    e: HurstEstimate,
}

#[pymethods]
impl PyHurstResult {
    /// Estimator name: ``dfa1``..``dfa3``, ``rs``, ``aggvar``, ``gph``, ``lw``, ``whittle``.
    #[getter]
    fn method(&self) -> String {
        self.e.method.name()
    }
    /// The Hurst exponent of the noise (of the path's increments for ``kind="path"``).
    #[getter]
    fn hurst(&self) -> f64 {
        self.e.hurst
    }
    /// Standard error of ``hurst``.
    #[getter]
    fn se(&self) -> f64 {
        self.e.se
    }
    /// Where ``se`` comes from: ``regression``, ``asymptotic`` or ``bootstrap``.
    #[getter]
    fn se_kind(&self) -> &'static str {
        se_kind_name(self.e.se_kind)
    }
    /// Bootstrap replicates behind ``se`` (None unless ``se_kind == "bootstrap"``).
    #[getter]
    fn replicates(&self) -> Option<usize> {
        match self.e.se_kind {
            SeKind::ParametricBootstrap { replicates } => Some(replicates),
            _ => None,
        }
    }
    /// 95% interval ``hurst -+ 1.96 se``.
    #[getter]
    fn ci(&self) -> (f64, f64) {
        self.e.ci95
    }
    /// Noise samples used (after differencing a path).
    #[getter]
    fn n(&self) -> usize {
        self.e.n
    }
    /// Warnings (also emitted with ``warnings.warn`` for a 1-D input).
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.e.warnings.clone()
    }
    /// The log-log least-squares line ``ln y = intercept + slope ln x`` as a dict (``slope``,
    /// ``intercept``, ``slope_se``, ``intercept_se``, ``r_squared``, ``n``), or None.
    #[getter]
    fn fit<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(f) = &self.e.fit else { return Ok(None) };
        let d = PyDict::new(py);
        d.set_item("slope", f.slope)?;
        d.set_item("intercept", f.intercept)?;
        d.set_item("slope_se", f.slope_se)?;
        d.set_item("intercept_se", f.intercept_se)?;
        d.set_item("r_squared", f.r_squared)?;
        d.set_item("n", f.n)?;
        Ok(Some(d))
    }
    /// The scaling data: a dict with ``x``, ``y`` and ``fit_y`` (numpy arrays; plot ``y`` and
    /// ``fit_y`` against ``x`` on log-log axes) and their names ``x_name``, ``y_name``.
    #[getter]
    fn scaling<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = &self.e.scaling;
        let d = PyDict::new(py);
        d.set_item("x_name", s.x_name)?;
        d.set_item("y_name", s.y_name)?;
        d.set_item("x", s.x.clone().into_pyarray(py))?;
        d.set_item("y", s.y.clone().into_pyarray(py))?;
        d.set_item("fit_y", s.fit_y.clone().into_pyarray(py))?;
        Ok(d)
    }
    fn __float__(&self) -> f64 {
        self.e.hurst
    }
    fn __repr__(&self) -> String {
        format!(
            "HurstResult(method={:?}, hurst={:.6}, se={:.3e} ({}), ci=({:.6}, {:.6}), n={}{})",
            self.e.method.name(),
            self.e.hurst,
            self.e.se,
            self.e.se_kind.name(),
            self.e.ci95.0,
            self.e.ci95.1,
            self.e.n,
            if self.e.warnings.is_empty() { String::new() } else { format!(", warnings={}", self.e.warnings.len()) }
        )
    }
}

/// Estimates of every row of a 2-D input: arrays ``hurst``, ``se``, ``ci`` (rows x 2), and
/// ``result[i]`` (a ``HurstResult``) for row ``i``'s fit, scaling data and warnings.
#[pyclass(name = "HurstBatch", module = "fracnoise", frozen, sequence)]
pub struct PyHurstBatch {
    rows: Vec<HurstEstimate>,
}

#[pymethods]
impl PyHurstBatch {
    /// Estimator name.
    #[getter]
    fn method(&self) -> String {
        self.rows.first().map(|e| e.method.name()).unwrap_or_default()
    }
    /// Estimates, one per row.
    #[getter]
    fn hurst<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.rows.iter().map(|e| e.hurst).collect::<Vec<_>>().into_pyarray(py)
    }
    /// Standard errors, one per row.
    #[getter]
    fn se<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.rows.iter().map(|e| e.se).collect::<Vec<_>>().into_pyarray(py)
    }
    /// Where the SEs come from (the same for every row).
    #[getter]
    fn se_kind(&self) -> &'static str {
        self.rows.first().map(|e| e.se_kind.name()).unwrap_or("regression")
    }
    /// 95% intervals, shape ``(rows, 2)``.
    #[getter]
    fn ci<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let v: Vec<f64> = self.rows.iter().flat_map(|e| [e.ci95.0, e.ci95.1]).collect();
        v.into_pyarray(py).reshape([self.rows.len(), 2])
    }
    /// ``(row, message)`` for every warning.
    #[getter]
    fn warnings(&self) -> Vec<(usize, String)> {
        self.rows.iter().enumerate().flat_map(|(i, e)| e.warnings.iter().map(move |w| (i, w.clone()))).collect()
    }
    fn __len__(&self) -> usize {
        self.rows.len()
    }
    fn __getitem__(&self, i: isize) -> PyResult<PyHurstResult> {
        let n = self.rows.len() as isize;
        let j = if i < 0 { i + n } else { i };
        if j < 0 || j >= n {
            return Err(PyIndexError::new_err(format!("row {i} out of range for {n} rows")));
        }
        Ok(PyHurstResult { e: self.rows[j as usize].clone() })
    }
    fn __repr__(&self) -> String {
        let n = self.rows.len() as f64;
        let m = self.rows.iter().map(|e| e.hurst).sum::<f64>() / n;
        format!("HurstBatch(method={:?}, rows={}, mean hurst={:.6})", self.method(), self.rows.len(), m)
    }
}

/// A row-wise Hurst estimator function `name(x, *, options..., kind="noise", bootstrap=0,
/// seed=None)`: `estimator` builds the library's `Estimator` from the options and `kind` (the
/// parsed `InputKind`), and [`run`] does the rest (1-D or 2-D input, bootstrap, warnings).
macro_rules! estimator_fn {
    (
        $(#[$doc:meta])*
        $name:ident($($p:ident: $t:ty = $def:tt),*) => |$kind:ident| $estimator:expr
    ) => {
        $(#[$doc])*
        #[pyfunction]
        #[pyo3(signature = (x, *, $($p = $def,)* kind = "noise", bootstrap = 0, seed = None))]
        #[allow(clippy::too_many_arguments)]
        fn $name(
            py: Python<'_>,
            x: &Bound<'_, PyAny>,
            $($p: $t,)*
            kind: &str,
            bootstrap: usize,
            seed: Option<&Bound<'_, PyAny>>,
        ) -> PyResult<PyObject> {
            let $kind = self::kind(kind)?;
            run(py, x, $estimator, bootstrap, seed)
        }
    };
}

estimator_fn! {
    /// Detrended fluctuation analysis (Kantelhardt et al. 2001), O(n) for all scales.
    ///
    /// Parameters
    /// ----------
    /// x : array_like
    ///     A series (1-D), or one series per row (2-D: every row is estimated, in parallel).
    /// order : int
    ///     Detrending order 1..3 (DFA-1 removes linear trends of the profile).
    /// min_scale, max_scale : int
    ///     Smallest (>= order + 2, default 16) and largest (default n/4, at most n/2) scale.
    /// scales : int or None
    ///     Number of log-spaced scales (default 20; duplicates after rounding are dropped).
    /// kind : {"noise", "path"}
    ///     Whether ``x`` is a noise (fGn-like increments; the default) or a path (fBM-like; it is
    ///     differenced first). The wrong kind gives H off by about 1.
    /// bootstrap : int
    ///     0 (default): the OLS slope SE (``se_kind="regression"``), which **understates** the
    ///     spread 3-4x; B >= 2: the parametric-bootstrap SE from B fGn series at the fitted H.
    /// seed :
    ///     Seed of the bootstrap (as ``fracnoise hurst --seed``; only used when ``bootstrap > 0``).
    ///
    /// Returns
    /// -------
    /// HurstResult for a 1-D ``x``; HurstBatch (arrays ``hurst``, ``se``, ``ci``; ``batch[i]``)
    /// for a 2-D ``x``. Ctrl-C stops a 2-D run between blocks of rows.
    dfa(order: usize = 1, min_scale: usize = 16, max_scale: Option<usize> = None, scales: Option<usize> = None)
        => |kind| Estimator::Dfa(DfaOptions { order, min_scale, max_scale, scales: scales.unwrap_or(20), kind })
}

estimator_fn! {
    /// Rescaled range (R/S) with the Anis–Lloyd expected-value correction.
    ///
    /// Parameters: ``x``, ``kind``, ``bootstrap``, ``seed`` as for ``dfa``; ``min_window``
    /// (default 16), ``max_window`` (default n/4), ``windows`` (number of log-spaced window sizes,
    /// default 20). The default SE is the OLS slope SE (understated; use ``bootstrap``).
    rs(min_window: usize = 16, max_window: Option<usize> = None, windows: usize = 20)
        => |kind| Estimator::RescaledRange(RsOptions { min_window, max_window, windows, kind })
}

estimator_fn! {
    /// Aggregated variance: slope of ``ln Var(block mean)`` on ``ln m`` is ``2H - 2``.
    ///
    /// Parameters: ``x``, ``kind``, ``bootstrap``, ``seed`` as for ``dfa``; ``min_block``
    /// (default 4), ``max_block`` (default n/4), ``blocks`` (number of block sizes, default 20).
    aggvar(min_block: usize = 4, max_block: Option<usize> = None, blocks: usize = 20)
        => |kind| Estimator::AggregatedVariance(AggVarOptions { min_block, max_block, blocks, kind })
}

estimator_fn! {
    /// Geweke–Porter-Hudak log-periodogram regression over the ``m = n**bandwidth`` lowest
    /// frequencies (default bandwidth 0.5); SE from the known log-periodogram variance pi^2/6
    /// (``se_kind="asymptotic"``). ``x``, ``kind``, ``bootstrap``, ``seed`` as for ``dfa``.
    gph(bandwidth: f64 = 0.5) => |kind| Estimator::Gph(GphOptions { bandwidth, kind })
}

estimator_fn! {
    /// Local Whittle (Robinson 1995) over the ``m = n**bandwidth`` lowest frequencies (default
    /// bandwidth 0.65); SE ``1 / (2 sqrt(sum (ln lambda_j - mean)^2))``. ``x``, ``kind``,
    /// ``bootstrap``, ``seed`` as for ``dfa``.
    local_whittle(bandwidth: f64 = 0.65) => |kind| Estimator::LocalWhittle(LocalWhittleOptions { bandwidth, kind })
}

estimator_fn! {
    /// Whittle maximum likelihood with the exact fGn spectrum (Beran 1994); SE from the Fisher
    /// information. ``x``, ``kind``, ``bootstrap``, ``seed`` as for ``dfa``.
    whittle() => |kind| Estimator::Whittle(kind)
}

/// Multifractal DFA result: ``q``, ``scales``, ``fq`` (``F_q(s)``, shape ``(len(q), len(scales))``),
/// generalised Hurst exponents ``h`` with OLS SEs ``h_se`` (understated, as for DFA), ``tau``,
/// the singularity spectrum ``alpha``, ``f_alpha``, ``excluded_segments`` and ``warnings``.
#[pyclass(name = "MfdfaResult", module = "fracnoise", frozen)]
pub struct PyMfdfaResult {
    r: MfdfaResult,
}

#[pymethods]
impl PyMfdfaResult {
    /// Detrending order.
    #[getter]
    fn order(&self) -> usize {
        self.r.order
    }
    /// Scales.
    #[getter]
    fn scales<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<usize>> {
        self.r.scales.clone().into_pyarray(py)
    }
    /// Moment orders.
    #[getter]
    fn q<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.r.q.clone().into_pyarray(py)
    }
    /// ``F_q(s)``, shape ``(len(q), len(scales))``.
    #[getter]
    fn fq<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let v: Vec<f64> = self.r.fq.iter().flatten().copied().collect();
        v.into_pyarray(py).reshape([self.r.q.len(), self.r.scales.len()])
    }
    /// Generalised Hurst exponents ``h(q)``.
    #[getter]
    fn h<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.r.h.clone().into_pyarray(py)
    }
    /// OLS standard errors of ``h(q)`` (understate the spread 3-4x).
    #[getter]
    fn h_se<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.r.h_se.clone().into_pyarray(py)
    }
    /// ``tau(q) = q h(q) - 1``.
    #[getter]
    fn tau<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.r.tau.clone().into_pyarray(py)
    }
    /// Singularity strengths ``alpha = tau'(q)``.
    #[getter]
    fn alpha<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.r.alpha.clone().into_pyarray(py)
    }
    /// Singularity spectrum ``f(alpha) = q alpha - tau(q)``.
    #[getter]
    fn f_alpha<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.r.f_alpha.clone().into_pyarray(py)
    }
    /// Segments left out as flat.
    #[getter]
    fn excluded_segments(&self) -> usize {
        self.r.excluded_segments
    }
    /// Warnings.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.r.warnings.clone()
    }
    fn __repr__(&self) -> String {
        format!("MfdfaResult(order={}, q={:?}, h={:?})", self.r.order, self.r.q, self.r.h)
    }
}

/// Multifractal DFA (Kantelhardt et al. 2002): ``F_q(s)`` and ``h(q)`` for each moment order.
///
/// Parameters
/// ----------
/// x : array_like
///     A series, or one per row (2-D: a list of results, rows in parallel).
/// q : sequence of float or None
///     Moment orders, strictly increasing (default -5, -4, ..., 5).
/// order, min_scale, max_scale, scales, kind :
///     As for ``dfa``.
#[pyfunction]
#[pyo3(signature = (x, *, q = None, order = 1, min_scale = 16, max_scale = None, scales = None, kind = "noise"))]
#[allow(clippy::too_many_arguments)]
fn mfdfa<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    q: Option<Vec<f64>>,
    order: usize,
    min_scale: usize,
    max_scale: Option<usize>,
    scales: Option<usize>,
    kind: &str,
) -> PyResult<PyObject> {
    let mut o = MfdfaOptions { order, min_scale, max_scale, kind: self::kind(kind)?, ..Default::default() };
    if let Some(s) = scales {
        o.scales = s;
    }
    if let Some(q) = q {
        o.q = q;
    }
    let (res, one) = per_row(py, x, |_, row| lib_mfdfa(row, &o))?;
    if one {
        let r = res.into_iter().next().ok_or_else(|| invalid("no result"))?;
        for w in &r.warnings {
            warn(py, w)?;
        }
        return Ok(Py::new(py, PyMfdfaResult { r })?.into_any());
    }
    let list = PyList::empty(py);
    for r in res {
        list.append(Py::new(py, PyMfdfaResult { r })?)?;
    }
    Ok(list.into_any().unbind())
}

/// Adds the estimators and result classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("FracnoiseWarning", py.get_type::<FracnoiseWarning>())?;
    m.add_function(wrap_pyfunction!(dfa, m)?)?;
    m.add_function(wrap_pyfunction!(mfdfa, m)?)?;
    m.add_function(wrap_pyfunction!(rs, m)?)?;
    m.add_function(wrap_pyfunction!(aggvar, m)?)?;
    m.add_function(wrap_pyfunction!(gph, m)?)?;
    m.add_function(wrap_pyfunction!(local_whittle, m)?)?;
    m.add_function(wrap_pyfunction!(whittle, m)?)?;
    m.add_class::<PyHurstResult>()?;
    m.add_class::<PyHurstBatch>()?;
    m.add_class::<PyMfdfaResult>()?;
    Ok(())
}
