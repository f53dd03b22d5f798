//! `fracnoise.sgd`: the SGD-noise lab (`fracnoise::sgd`) from Python, mirroring the CLI's
//! `fracnoise sgd noise|momentum|escape|fdt|replicas`.
//!
//! | Python | library |
//! |---|---|
//! | `Design.synthetic`, `Design.from_data` | [`fracnoise::sgd::Design`] |
//! | `Batching` | [`fracnoise::sgd::Batching`] / [`fracnoise::sgd::Sampling`] |
//! | `minibatch_noise`, `noise_autocovariance`, `lagged_products` | [`fracnoise::sgd::MinibatchNoise`], [`fracnoise::sgd::lagged_products`] |
//! | `HeavyBall`, `StationaryVariance`, `real_independent_batches`, `real_epoch_estimate` | [`fracnoise::sgd::momentum`] |
//! | `momentum` -> `MomentumResult` | [`fracnoise::sgd::MomentumExperiment`] |
//! | `escape` -> `EscapeResult` | [`fracnoise::sgd::escape::sweep`] |
//! | `QuadraticSgd`, `MinibatchSgd`, `OUDynamics`, `TeacherRegression`, `SphericalPerceptron` | the [`fracnoise::sgd::FieldDynamics`] implementations |
//! | `effective_temperature` -> `FdtResult`, `replica_distance` -> `ReplicaResult` | [`fracnoise::sgd::effective_temperature`], [`fracnoise::sgd::replica_distance`] |
//!
//! Seeds: an int `seed` is the CLI's `--seed` and derives the same child seeds as the CLI
//! (noise: `child(1)`; momentum: `child(1)` with replacement, `child(2)` epochs, `child(3)`
//! persistent, which the CLI does not run), so the same seed gives the same bits. Long runs
//! release the GIL.

use crate::arrays::{as_f64, empty_f64};
use crate::errors::{invalid, IntoPy};
use crate::estimate::PyEstimate;
use crate::passage::PyPassageResult;
use crate::seed::seed_value;
use fracnoise::passage::Correction;
use fracnoise::passage::PassageSummary;
use fracnoise::sde::models::Ou;
use fracnoise::sde::{DiffusionShape, Driver, Grid, VectorSde};
use fracnoise::sgd::escape::sweep::{
    hurst_sweep, sharpness_sweep, Direction, Dynamic, EscapeTable, NoiseParams, NoiseScaling, SaddleCurvature, SweepSim,
};
use fracnoise::sgd::escape::{EscapeLoss, FbmExit, FgnDescent, Langevin, PowerLawDynamic, SimSpec, StableEscape};
use fracnoise::sgd::{
    effective_temperature as lib_fdt, lagged_products as lib_lagged, ou_distance_euler,
    real_epoch_estimate as lib_real_epoch, real_independent_batches as lib_real_indep,
    replica_distance as lib_replicas, Batching, Design, FdtOptions, FdtResult, FieldDynamics, HeavyBall,
    MinibatchNoise, MinibatchSgd, MomentumExperiment, MomentumReport, QuadraticSgd, ReplicaOptions, ReplicaResult,
    Sampling, SdeDynamics, SphericalPerceptron, StationaryVariance, SyntheticDesign, TeacherRegression, Way,
};
use fracnoise::stats::Estimate;
use fracnoise::Seed;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArray3, PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rayon::prelude::*;

fn est(e: Estimate) -> PyEstimate {
    e.into()
}

fn f64_list<'py>(py: Python<'py>, v: &[f64]) -> Bound<'py, PyArray1<f64>> {
    PyArray1::from_slice(py, v)
}

fn matrix<'py>(py: Python<'py>, a: ndarray::Array2<f64>) -> Bound<'py, PyArray2<f64>> {
    a.into_pyarray(py)
}

fn positive(name: &str, v: f64) -> PyResult<f64> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(invalid(format!("invalid parameter `{name}` = {v}: must be finite and > 0")))
    }
}

fn level_ok(level: f64) -> PyResult<f64> {
    if level.is_finite() && level > 0.0 && level < 1.0 {
        Ok(level)
    } else {
        Err(invalid(format!("invalid parameter `level` = {level}: must be in (0, 1)")))
    }
}

// ---------------------------------------------------------------------------------------------
// Design

/// A linear-regression design in its Hessian eigenbasis: the loss
/// ``L(w) = (1/2N) sum_i (x_i . w - y_i)^2``, Hessian ``H = X'X/N = U diag(lambda) U'``, the
/// per-sample gradient deviations at the minimiser and their covariance ``C`` (the library's
/// ``fracnoise::sgd::Design``). Build with ``Design.synthetic`` or ``Design.from_data``.
///
/// Attributes: ``n_samples``, ``dim``, ``eigenvalues`` (the curvatures, in direction order),
/// ``basis`` (eigenvectors as columns, original coordinates), ``hessian`` (``U diag(lambda) U'``,
/// original coordinates), ``minimiser``, ``noise_covariance`` (``C``, eigenbasis),
/// ``gradient_variances`` (``C_jj``), ``deviations`` (``N x d``, eigenbasis), ``rows``
/// (``N x d``, eigenbasis), ``residuals``, ``fingerprint``.
#[pyclass(name = "Design", module = "fracnoise.sgd", frozen)]
pub struct PyDesign {
    design: Design,
    kind: &'static str,
}

#[pymethods]
impl PyDesign {
    /// A synthetic design with Hessian exactly ``diag(eigenvalues)`` and minimiser ``w* = 0``
    /// (``X = sqrt(N) Q diag(sqrt(lambda))``, ``Q`` orthonormal from Gaussian draws; labels are
    /// noise of SD ``noise_sd`` projected off the columns, so ``C_jj`` is about
    /// ``noise_sd**2 lambda_j``).
    ///
    /// Parameters
    /// ----------
    /// eigenvalues : sequence of float
    ///     Curvatures ``lambda_j > 0``, one per direction, in the order wanted.
    /// n_samples : int
    ///     Number of samples ``N`` (more than the dimension).
    /// noise_sd : float
    ///     Standard deviation ``> 0`` of the label noise.
    /// seed : int, SeedSequence, Generator or None
    ///     The design's seed: an int is the CLI's ``--design-seed`` (same data).
    #[staticmethod]
    #[pyo3(signature = (eigenvalues, n_samples, noise_sd = 1.0, *, seed = None))]
    fn synthetic(
        py: Python<'_>,
        eigenvalues: Vec<f64>,
        n_samples: usize,
        noise_sd: f64,
        seed: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let s = Seed::new(seed_value(seed)?);
        let spec = SyntheticDesign { n_samples, eigenvalues, noise_sd };
        let design = py.allow_threads(|| Design::synthetic(&spec, s)).py()?;
        Ok(PyDesign { design, kind: "synthetic" })
    }

    /// A design from data: ``X`` (``N x d``, one sample per row; a 1-D array is one column) and
    /// labels ``y`` (length ``N``). The Hessian ``X'X/N`` is diagonalised (Jacobi); errors when
    /// ``N <= d``, lengths differ, a value is not finite, or the design is rank deficient.
    #[staticmethod]
    #[pyo3(signature = (x, y))]
    fn from_data(py: Python<'_>, x: &Bound<'_, PyAny>, y: &Bound<'_, PyAny>) -> PyResult<Self> {
        let xa = as_f64(x, "x")?;
        let ya = as_f64(y, "y")?;
        let (rows, cols) = match xa.shape() {
            [n] => (*n, 1),
            [n, d] => (*n, *d),
            s => return Err(invalid(format!("`x` must be a 1-D or 2-D array (one sample per row); got shape {s:?}"))),
        };
        if ya.ndim() != 1 {
            return Err(invalid(format!("`y` must be a 1-D array of labels; got shape {:?}", ya.shape())));
        }
        let xr = xa.readonly();
        let yr = ya.readonly();
        let xs = xr.as_slice().map_err(|e| invalid(format!("`x`: {e}")))?;
        let ys = yr.as_slice().map_err(|e| invalid(format!("`y`: {e}")))?;
        let view = ndarray::ArrayView2::from_shape((rows, cols), xs).map_err(|e| invalid(format!("`x`: {e}")))?;
        let design = py.allow_threads(|| Design::from_arrays(view, ys)).py()?;
        Ok(PyDesign { design, kind: "data" })
    }

    /// Number of samples ``N``.
    #[getter]
    fn n_samples(&self) -> usize {
        self.design.n_samples()
    }
    /// Dimension ``d``.
    #[getter]
    fn dim(&self) -> usize {
        self.design.dim()
    }
    /// Hessian eigenvalues ``lambda_j`` (curvature of direction ``j``), shape ``(d,)``.
    #[getter]
    fn eigenvalues<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        f64_list(py, self.design.eigenvalues())
    }
    /// Eigenvectors as columns (``d x d``, original coordinates; the identity for a synthetic design).
    #[getter]
    fn basis<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
        matrix(py, self.design.basis())
    }
    /// The Hessian ``X'X/N = U diag(lambda) U'`` in the original coordinates, ``d x d``.
    #[getter]
    fn hessian<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
        let u = self.design.basis();
        let lam = ndarray::Array1::from(self.design.eigenvalues().to_vec());
        let ul = &u * &lam;
        matrix(py, ul.dot(&u.t()))
    }
    /// The minimiser ``w*`` in the original coordinates.
    #[getter]
    fn minimiser<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        f64_list(py, self.design.minimiser())
    }
    /// The per-sample gradient covariance ``C`` (``d x d``, eigenbasis).
    #[getter]
    fn noise_covariance<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
        matrix(py, self.design.noise_covariance())
    }
    /// ``C_jj``, the per-sample gradient variance along each direction, shape ``(d,)``.
    #[getter]
    fn gradient_variances<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        (0..self.design.dim()).map(|j| self.design.gradient_variance(j)).collect::<Vec<_>>().into_pyarray(py)
    }
    /// Per-sample gradient deviations at the minimum, eigenbasis, ``N x d``.
    #[getter]
    fn deviations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        PyArray1::from_slice(py, self.design.deviations()).reshape([self.design.n_samples(), self.design.dim()])
    }
    /// The rows in the eigenbasis ``x~_i = U' x_i``, ``N x d``.
    #[getter]
    fn rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        PyArray1::from_slice(py, self.design.rows()).reshape([self.design.n_samples(), self.design.dim()])
    }
    /// Residuals ``r_i = y_i - x_i . w*``.
    #[getter]
    fn residuals<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        f64_list(py, self.design.residuals())
    }
    /// A 64-bit hash of the data (rows, residuals, eigenvalues).
    #[getter]
    fn fingerprint(&self) -> u64 {
        self.design.fingerprint()
    }
    /// The loss excess ``(1/2) sum_j lambda_j phi_j^2`` at eigenbasis weights ``phi`` (length ``d``).
    fn excess_loss(&self, phi: Vec<f64>) -> PyResult<f64> {
        self.design.excess_loss(&phi).py()
    }
    fn __repr__(&self) -> String {
        format!(
            "Design({}, n_samples={}, dim={}, eigenvalues={:?})",
            self.kind,
            self.design.n_samples(),
            self.design.dim(),
            self.design.eigenvalues()
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Batching

/// How minibatches are drawn: ``N`` samples, batch size ``B`` and a scheme (the library's
/// ``fracnoise::sgd::Batching``).
///
/// Parameters
/// ----------
/// n_samples : int
///     ``N >= 2`` (the design's sample count).
/// batch_size : int
///     ``B`` in ``1..=N`` (a divisor of ``N`` for epochs; the expected size for persistent SGD).
/// sampling : {"replacement", "epoch", "persistent"}
///     ``"replacement"``: ``B`` indices i.i.d. uniform, noise uncorrelated in time;
///     ``"epoch"``: a fresh shuffle per epoch of ``M = N/B`` batches (anticorrelated within an
///     epoch, sums to zero over it); ``"persistent"``: each sample's selection flag redrawn
///     with probability ``redraw = eta/tau`` per step (exponentially correlated).
/// eta, tau : float
///     Persistent SGD: learning rate and persistence time ``tau >= eta`` (``redraw = eta/tau``).
/// redraw : float
///     Persistent SGD: the redraw probability in ``(0, 1]`` directly (instead of eta, tau).
///
/// Exact noise autocovariances in units of ``C`` (Kühn & Rosenow, arXiv 2306.05300; Mignacco &
/// Urbani, arXiv 2112.10852): ``autocovariance(lag)`` (phase-averaged for epochs),
/// ``covariance(s, t)`` (two-time, cyclostationary for epochs).
#[pyclass(name = "Batching", module = "fracnoise.sgd", frozen)]
#[derive(Clone, Copy)]
pub struct PyBatching {
    b: Batching,
}

fn parse_sampling(s: &str, eta: Option<f64>, tau: Option<f64>, redraw: Option<f64>) -> PyResult<Sampling> {
    match s.to_ascii_lowercase().replace('_', "-").as_str() {
        "replacement" | "with-replacement" | "iid" => Ok(Sampling::WithReplacement),
        "epoch" | "epochs" => Ok(Sampling::Epoch),
        "persistent" => match (redraw, eta, tau) {
            (Some(p), None, None) => Ok(Sampling::Persistent { redraw: p }),
            (None, Some(e), Some(t)) => Sampling::persistent(e, t).py(),
            _ => Err(invalid("sampling=\"persistent\" needs `eta` and `tau` (redraw = eta/tau), or `redraw`")),
        },
        _ => Err(invalid(format!(
            "invalid parameter `sampling` = {s:?}: must be \"replacement\", \"epoch\" or \"persistent\""
        ))),
    }
}

/// Lags as a Python int (-> float result) or a sequence (-> array).
fn lags_arg(lag: &Bound<'_, PyAny>) -> PyResult<(Vec<u64>, bool)> {
    if let Ok(k) = lag.extract::<i64>() {
        let k = u64::try_from(k).map_err(|_| invalid(format!("invalid parameter `lag` = {k}: must be >= 0")))?;
        return Ok((vec![k], true));
    }
    let v: Vec<i64> = match lag.extract::<Vec<i64>>() {
        Ok(v) => v,
        // Whole-number floats (e.g. a numpy float array from `np.arange(10.0)` or `np.linspace`).
        Err(_) => {
            let f: Vec<f64> = lag.extract().map_err(|_| invalid("`lag` must be an int or a sequence of ints >= 0"))?;
            f.into_iter()
                .map(|x| {
                    if x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15 {
                        Ok(x as i64)
                    } else {
                        Err(invalid(format!("invalid parameter `lag` = {x}: must be a whole number >= 0")))
                    }
                })
                .collect::<PyResult<Vec<_>>>()?
        }
    };
    let out = v
        .into_iter()
        .map(|k| u64::try_from(k).map_err(|_| invalid(format!("invalid parameter `lag` = {k}: must be >= 0"))))
        .collect::<PyResult<Vec<_>>>()?;
    Ok((out, false))
}

#[pymethods]
impl PyBatching {
    #[new]
    #[pyo3(signature = (n_samples, batch_size, sampling = "replacement", *, eta = None, tau = None, redraw = None))]
    fn new(
        n_samples: usize,
        batch_size: usize,
        sampling: &str,
        eta: Option<f64>,
        tau: Option<f64>,
        redraw: Option<f64>,
    ) -> PyResult<Self> {
        let s = parse_sampling(sampling, eta, tau, redraw)?;
        if !matches!(s, Sampling::Persistent { .. }) && (eta.is_some() || tau.is_some() || redraw.is_some()) {
            return Err(invalid(format!(
                "`eta`, `tau` and `redraw` are for sampling=\"persistent\" only (sampling = {sampling:?})"
            )));
        }
        Ok(PyBatching { b: Batching::new(n_samples, batch_size, s).py()? })
    }
    /// Number of samples ``N``.
    #[getter]
    fn n_samples(&self) -> usize {
        self.b.n_samples()
    }
    /// Batch size ``B`` (the expected size for persistent SGD).
    #[getter]
    fn batch_size(&self) -> usize {
        self.b.batch()
    }
    /// The scheme: ``"with-replacement"``, ``"epoch"`` or ``"persistent"``.
    #[getter]
    fn sampling(&self) -> &'static str {
        self.b.sampling().name()
    }
    /// Persistent SGD: the redraw probability ``eta/tau``; None otherwise.
    #[getter]
    fn redraw(&self) -> Option<f64> {
        match self.b.sampling() {
            Sampling::Persistent { redraw } => Some(redraw),
            _ => None,
        }
    }
    /// Batches per epoch ``M = N // B``.
    #[getter]
    fn batches_per_epoch(&self) -> usize {
        self.b.batches_per_epoch()
    }
    /// ``K_0 / C``: one step's noise variance in units of ``C`` (``1/B``; epochs
    /// ``(N-B)/(B(N-1))``; persistent ``(N-B)/(NB)``).
    #[getter]
    fn noise_variance(&self) -> f64 {
        self.b.noise_variance()
    }
    /// The exact noise autocovariance ``K(lag)/C`` (phase-averaged for epochs:
    /// ``-(1 - k/M)/(N-1)`` for ``1 <= k < M``, 0 beyond; persistent ``K_0 (1-p)^k``; with
    /// replacement 0). ``lag``: an int (returns a float) or a sequence or array of whole numbers,
    /// ints or floats (returns an array).
    fn autocovariance<'py>(&self, py: Python<'py>, lag: &Bound<'py, PyAny>) -> PyResult<PyObject> {
        let (lags, scalar) = lags_arg(lag)?;
        let v: Vec<f64> = lags.iter().map(|&k| self.b.autocovariance(k)).collect();
        Ok(if scalar { v[0].into_pyobject(py)?.into_any().unbind() } else { v.into_pyarray(py).into_any().unbind() })
    }
    /// The exact two-time covariance ``Cov(xi_s, xi_t)/C`` (steps from 0; epochs start at
    /// multiples of ``M``).
    fn covariance(&self, s: u64, t: u64) -> f64 {
        self.b.covariance(s, t)
    }
    fn __repr__(&self) -> String {
        match self.b.sampling() {
            Sampling::Persistent { redraw } => format!(
                "Batching(n_samples={}, batch_size={}, sampling='persistent', redraw={redraw})",
                self.b.n_samples(),
                self.b.batch()
            ),
            s => format!(
                "Batching(n_samples={}, batch_size={}, sampling='{}')",
                self.b.n_samples(),
                self.b.batch(),
                s.name()
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Minibatch noise

/// The minibatch gradient noise ``xi_t = (1/B) sum_(i in S_t) delta_i`` of a design at its
/// minimum, in the Hessian eigenbasis (the library's ``MinibatchNoise``; ``fracnoise sgd noise``).
///
/// Parameters
/// ----------
/// design : Design
/// batching : Batching
///     Its ``n_samples`` must be the design's.
/// steps : int
///     Steps per path (>= 1).
/// paths : int
///     Number of paths (>= 1); path ``first_path + p`` of the seed is row ``p``.
/// seed : int, SeedSequence, Generator or None
///     An int is the CLI's ``--seed``: the noise is drawn from ``Seed(seed).child(1)``, path ``p``
///     from its stream ``p``, so ``minibatch_noise(..., steps, seed=s)[0]`` equals the series that
///     ``fracnoise sgd noise --seed s --steps steps -o FILE`` writes.
/// first_path : int
///     Index of the first path (for shards).
///
/// Returns
/// -------
/// numpy.ndarray of float64, shape ``(paths, steps, d)``: ``out[p, t, j]`` is direction ``j`` at
/// step ``t`` of path ``p``. Paths are filled in parallel with the GIL released.
#[pyfunction]
#[pyo3(signature = (design, batching, steps, *, paths = 1, seed = None, first_path = 0))]
fn minibatch_noise<'py>(
    py: Python<'py>,
    design: &PyDesign,
    batching: &PyBatching,
    steps: usize,
    paths: usize,
    seed: Option<&Bound<'py, PyAny>>,
    first_path: u64,
) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
    if steps == 0 {
        return Err(invalid("invalid size `steps` = 0: must be >= 1"));
    }
    if paths == 0 {
        return Err(invalid("invalid size `paths` = 0: must be >= 1"));
    }
    let seed = Seed::new(seed_value(seed)?);
    let noise = MinibatchNoise::new(&design.design, batching.b, seed.child(1)).py()?;
    let d = noise.dim();
    let per = steps
        .checked_mul(d)
        .filter(|v| v.checked_mul(paths).is_some_and(|t| t <= isize::MAX as usize / 8))
        .ok_or_else(|| invalid(format!("paths = {paths} x steps = {steps} x d = {d} is too large to allocate")))?;
    if first_path.checked_add(paths as u64).is_none() {
        return Err(invalid(format!("invalid parameter `first_path` = {first_path}: first_path + paths overflows")));
    }
    let arr = empty_f64(py, &[paths, steps, d])?;
    {
        let mut rw = arr.readwrite();
        let data = rw.as_slice_mut().map_err(|e| invalid(format!("internal: output array: {e}")))?;
        py.allow_threads(|| {
            data.par_chunks_mut(per).enumerate().try_for_each(|(p, chunk)| noise.fill(first_path + p as u64, chunk))
        })
        .py()?;
    }
    Ok(arr)
}

/// The exact (phase-averaged) noise autocovariance matrix ``K(lag) = factor(lag) C``
/// (``Batching.autocovariance`` times the design's ``C``), eigenbasis.
///
/// ``lag``: an int (returns ``d x d``) or a sequence of ints (returns ``(len, d, d)``).
#[pyfunction]
#[pyo3(signature = (design, batching, lag))]
fn noise_autocovariance<'py>(
    py: Python<'py>,
    design: &PyDesign,
    batching: &PyBatching,
    lag: &Bound<'py, PyAny>,
) -> PyResult<PyObject> {
    let noise = MinibatchNoise::new(&design.design, batching.b, Seed::new(0)).py()?;
    let (lags, scalar) = lags_arg(lag)?;
    if scalar {
        return Ok(noise.autocovariance(lags[0]).into_pyarray(py).into_any().unbind());
    }
    let d = noise.dim();
    let mut out = ndarray::Array3::<f64>::zeros((lags.len(), d, d));
    for (i, &k) in lags.iter().enumerate() {
        out.index_axis_mut(ndarray::Axis(0), i).assign(&noise.autocovariance(k));
    }
    let a: Bound<'py, PyArray3<f64>> = out.into_pyarray(py);
    Ok(a.into_any().unbind())
}

/// The lagged products ``(1/T) sum_(t < T) x_t x_(t+k)``, ``k = 0..=max_lag``, with
/// ``T = len(x) - max_lag`` (mean known to be zero; the estimator of ``fracnoise sgd noise``).
/// ``x``: 1-D (returns ``(max_lag + 1,)``) or 2-D, one series per row (returns
/// ``(rows, max_lag + 1)``, rows in parallel).
#[pyfunction]
#[pyo3(signature = (x, max_lag))]
fn lagged_products<'py>(py: Python<'py>, x: &Bound<'py, PyAny>, max_lag: usize) -> PyResult<PyObject> {
    let a = as_f64(x, "x")?;
    let (rows, cols, one) = crate::arrays::shape_1d_2d(&a, "x")?;
    let r = a.readonly();
    let data = r.as_slice().map_err(|e| invalid(format!("`x`: {e}")))?;
    let out: Vec<Vec<f64>> = if cols == 0 {
        return Err(invalid("`x` is empty"));
    } else {
        py.allow_threads(|| data.par_chunks(cols).map(|row| lib_lagged(row, max_lag)).collect::<Result<Vec<_>, _>>())
            .py()?
    };
    if one {
        return Ok(out.into_iter().next().unwrap_or_default().into_pyarray(py).into_any().unbind());
    }
    let flat: Vec<f64> = out.into_iter().flatten().collect();
    Ok(PyArray1::from_vec(py, flat).reshape([rows, max_lag + 1])?.into_any().unbind())
}

// ---------------------------------------------------------------------------------------------
// Heavy ball

/// Stationary variances along one direction: ``theta`` (``Var theta``, the weight deviation) and
/// ``v`` (``Var v``, the velocity). ``tuple(sv)`` is ``(theta, v)``.
#[pyclass(name = "StationaryVariance", module = "fracnoise.sgd", frozen)]
#[derive(Clone, Copy)]
pub struct PySv {
    /// ``Var theta``.
    #[pyo3(get)]
    theta: f64,
    /// ``Var v``.
    #[pyo3(get)]
    v: f64,
}

impl From<StationaryVariance> for PySv {
    fn from(s: StationaryVariance) -> Self {
        PySv { theta: s.theta, v: s.v }
    }
}

#[pymethods]
impl PySv {
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyList::new(py, [self.theta, self.v])?.try_iter()?.into_any())
    }
    fn __repr__(&self) -> String {
        format!("StationaryVariance(theta={}, v={})", self.theta, self.v)
    }
}

/// Heavy-ball SGD, PyTorch convention ``v <- beta v - eta g``, ``theta <- theta + v``, with its
/// closed forms on a quadratic (the library's ``fracnoise::sgd::HeavyBall``; Kühn & Rosenow,
/// arXiv 2306.05300, and ``/work/shared/SEEDS.md`` §3).
///
/// Parameters
/// ----------
/// eta : float
///     Learning rate ``> 0``.
/// beta : float
///     Momentum in ``[0, 1)``.
///
/// Methods (``curvature`` = ``lambda``, stable when ``eta lambda < 2 (1 + beta)``):
/// ``variance_white(curvature, noise_variance)``, ``variance_epoch(curvature, k0, m)``,
/// ``epoch_flat_limit(k0, m)``, ``variance_persistent(curvature, k0, redraw)``,
/// ``variance_for(curvature, gradient_variance, batching)`` (each a ``StationaryVariance``),
/// ``crossover(m)``, ``relaxation_steps(curvature)``, ``autocorrelation(curvature, max_lag)``,
/// ``check_curvature(curvature)``.
#[pyclass(name = "HeavyBall", module = "fracnoise.sgd", frozen)]
#[derive(Clone, Copy)]
pub struct PyHeavyBall {
    hb: HeavyBall,
}

#[pymethods]
impl PyHeavyBall {
    #[new]
    #[pyo3(signature = (eta, beta = 0.0))]
    fn new(eta: f64, beta: f64) -> PyResult<Self> {
        Ok(PyHeavyBall { hb: HeavyBall::new(eta, beta).py()? })
    }
    /// Learning rate.
    #[getter]
    fn eta(&self) -> f64 {
        self.hb.eta()
    }
    /// Momentum.
    #[getter]
    fn beta(&self) -> f64 {
        self.hb.beta()
    }
    /// Returns ``curvature`` when finite, ``> 0`` and stable (``eta lambda < 2 (1 + beta)``), else raises.
    fn check_curvature(&self, curvature: f64) -> PyResult<f64> {
        self.hb.check_curvature(curvature).py()
    }
    /// The autocorrelation ``rho(0..=max_lag)`` of ``theta`` under white noise.
    fn autocorrelation<'py>(
        &self,
        py: Python<'py>,
        curvature: f64,
        max_lag: usize,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        Ok(self.hb.autocorrelation(curvature, max_lag).py()?.into_pyarray(py))
    }
    /// The e-folding time in steps of the impulse response at ``curvature``.
    fn relaxation_steps(&self, curvature: f64) -> PyResult<f64> {
        self.hb.relaxation_steps(curvature).py()
    }
    /// Stationary variances under white noise of variance ``noise_variance`` (``K_0``).
    fn variance_white(&self, curvature: f64, noise_variance: f64) -> PyResult<PySv> {
        Ok(self.hb.variance_white(curvature, noise_variance).py()?.into())
    }
    /// Stationary (phase-averaged) variances under epoch noise of lag-0 variance ``k0`` with
    /// ``m >= 2`` batches per epoch.
    fn variance_epoch(&self, curvature: f64, k0: f64, m: usize) -> PyResult<PySv> {
        Ok(self.hb.variance_epoch(curvature, k0, m).py()?.into())
    }
    /// The ``lambda -> 0`` limit of ``variance_epoch`` (finite: epoch noise sums to zero).
    fn epoch_flat_limit(&self, k0: f64, m: usize) -> PyResult<PySv> {
        Ok(self.hb.epoch_flat_limit(k0, m).py()?.into())
    }
    /// The crossover curvature ``lambda_c = 1/(eta F_0(M, beta))`` of epoch noise, ``m >= 2``.
    fn crossover(&self, m: usize) -> PyResult<f64> {
        self.hb.crossover(m).py()
    }
    /// Stationary variances under persistent noise ``c(k) = k0 (1 - redraw)^|k|``.
    fn variance_persistent(&self, curvature: f64, k0: f64, redraw: f64) -> PyResult<PySv> {
        Ok(self.hb.variance_persistent(curvature, k0, redraw).py()?.into())
    }
    /// The noise-model prediction for a direction of curvature ``curvature`` and per-sample
    /// gradient variance ``gradient_variance`` (``C_jj``) under ``batching``.
    fn variance_for(&self, curvature: f64, gradient_variance: f64, batching: &PyBatching) -> PyResult<PySv> {
        Ok(self.hb.variance_for(curvature, gradient_variance, &batching.b).py()?.into())
    }
    fn __repr__(&self) -> String {
        format!("HeavyBall(eta={}, beta={})", self.hb.eta(), self.hb.beta())
    }
}

/// The exact stationary variances per eigendirection of the **real** minibatch algorithm with
/// batches independent of the past (with replacement, or persistent with ``redraw = 1``): a list
/// of ``StationaryVariance``.
#[pyfunction]
fn real_independent_batches(
    py: Python<'_>,
    design: &PyDesign,
    batching: &PyBatching,
    heavy_ball: &PyHeavyBall,
) -> PyResult<Vec<PySv>> {
    let (d, b, hb) = (&design.design, batching.b, heavy_ball.hb);
    let v = py.allow_threads(|| lib_real_indep(d, &b, &hb)).py()?;
    Ok(v.into_iter().map(Into::into).collect())
}

/// The **approximate** stationary variances per eigendirection of the real algorithm with epoch
/// sampling (the epoch noise-model value plus ``(N-B)/(N-1)`` times the real-minus-white excess of
/// sampling with replacement): a list of ``StationaryVariance``.
#[pyfunction]
fn real_epoch_estimate(
    py: Python<'_>,
    design: &PyDesign,
    batching: &PyBatching,
    heavy_ball: &PyHeavyBall,
) -> PyResult<Vec<PySv>> {
    let (d, b, hb) = (&design.design, batching.b, heavy_ball.hb);
    let v = py.allow_threads(|| lib_real_epoch(d, &b, &hb)).py()?;
    Ok(v.into_iter().map(Into::into).collect())
}

// ---------------------------------------------------------------------------------------------
// Momentum

fn sampling_tag(s: Sampling) -> u64 {
    match s {
        Sampling::WithReplacement => 1,
        Sampling::Epoch => 2,
        Sampling::Persistent { .. } => 3,
    }
}

/// Heavy-ball SGD on a design: the stationary weight variance per Hessian eigendirection,
/// simulated with standard errors, against the closed forms (the CLI's ``fracnoise sgd
/// momentum``, one noise scheme and one way per call).
///
/// Parameters
/// ----------
/// design : Design
/// batching : Batching
///     Its ``n_samples`` must be the design's; for epochs ``steps`` must be a multiple of ``M``.
/// eta, beta : float
///     Learning rate and momentum (every curvature must satisfy ``eta lambda < 2 (1 + beta)``).
/// steps : int
///     Steps averaged per path after the burn-in.
/// burn_in : int or None
///     Steps discarded first; None: 10 relaxation times of the flattest direction (the CLI's
///     default).
/// paths : int
///     Independent paths (>= 2): the SEs are the spread of the per-path time averages.
/// way : {"model", "real"}
///     ``"model"``: the quadratic plus generated minibatch noise; ``"real"``: the real minibatch
///     algorithm on the data. Under one seed both see the same batches.
/// seed : int, SeedSequence, Generator or None
///     An int is the CLI's ``--seed``: the experiment draws from ``Seed(seed).child(tag)``,
///     ``tag`` 1 with replacement (``--noise iid``), 2 epochs (``--noise epoch``), 3 persistent.
/// shard : (k, N) or None
///     Run only paths ``[k P / N, (k+1) P / N)`` of the ``P = paths`` (each shard needs >= 2);
///     ``fracnoise.merge([...])`` of the ``N`` shard results (any order, any machine, same
///     arguments otherwise) gives the bits of the whole run.
///
/// Returns
/// -------
/// MomentumResult
#[pyfunction]
#[pyo3(signature = (design, batching, eta, beta, *, steps = 10000, burn_in = None, paths = 64, way = "model", seed = None, shard = None))]
#[allow(clippy::too_many_arguments)]
fn momentum(
    py: Python<'_>,
    design: &PyDesign,
    batching: &PyBatching,
    eta: f64,
    beta: f64,
    steps: usize,
    burn_in: Option<usize>,
    paths: u64,
    way: &str,
    seed: Option<&Bound<'_, PyAny>>,
    shard: Option<(u64, u64)>,
) -> PyResult<PyMomentumResult> {
    let way = match way.to_ascii_lowercase().as_str() {
        "model" | "noise-model" | "noise_model" => Way::NoiseModel,
        "real" => Way::Real,
        _ => return Err(invalid(format!("invalid parameter `way` = {way:?}: must be \"model\" or \"real\""))),
    };
    if paths < 2 {
        return Err(invalid(format!(
            "invalid size `paths` = {paths}: must be >= 2 (standard errors come from the spread over paths)"
        )));
    }
    let hb = HeavyBall::new(eta, beta).py()?;
    let seed_u = seed_value(seed)?;
    let d = &design.design;
    let burn_in = match burn_in {
        Some(b) => b,
        None => {
            let lmin = d.eigenvalues().iter().copied().fold(f64::INFINITY, f64::min);
            let b = (10.0 * hb.relaxation_steps(lmin).py()?).ceil();
            if b.is_nan() || b >= 1e12 {
                return Err(invalid(format!(
                    "the flattest curvature {lmin} relaxes too slowly for a default burn-in: give `burn_in`"
                )));
            }
            b as usize
        }
    };
    let range = crate::sde::path_range(paths, shard)?;
    if range.end - range.start < 2 {
        return Err(invalid(format!(
            "`shard` = {shard:?} of {paths} paths holds {} path: each shard needs >= 2 (standard errors come from \
             the spread over paths)",
            range.end - range.start
        )));
    }
    let b = batching.b;
    let exp =
        MomentumExperiment::new(d, b, hb, burn_in, steps, Seed::new(seed_u).child(sampling_tag(b.sampling()))).py()?;
    let summary = py.allow_threads(|| exp.summary(way, range)).py()?;
    let report = exp.report(way, &summary).py()?;
    Ok(PyMomentumResult {
        report,
        summary,
        exp,
        sampling: b.sampling().name(),
        eta,
        beta,
        steps,
        burn_in,
        seed: seed_u,
    })
}

/// ``merge`` for momentum results: the summaries of shards of one experiment (same design,
/// batching, SGD parameters, way and seed) merged exactly, then reported as one run.
pub(crate) fn merge_momentum(py: Python<'_>, items: &[Bound<'_, PyAny>]) -> PyResult<PyObject> {
    let first = items[0].downcast::<PyMomentumResult>().map_err(|_| invalid("results[0] is not a MomentumResult"))?;
    let f = first.get();
    let mut s = f.summary.clone();
    for (i, it) in items.iter().enumerate().skip(1) {
        let o =
            it.downcast::<PyMomentumResult>().map_err(|_| invalid(format!("results[{i}] is not a MomentumResult")))?;
        s.merge(&o.get().summary).map_err(|e| invalid(format!("results[{i}]: {e}")))?;
    }
    let report = f.exp.report(f.report.way, &s).py()?;
    let r = PyMomentumResult {
        report,
        summary: s,
        exp: f.exp.clone(),
        sampling: f.sampling,
        eta: f.eta,
        beta: f.beta,
        steps: f.steps,
        burn_in: f.burn_in,
        seed: f.seed,
    };
    Ok(Py::new(py, r)?.into_any())
}

/// The result of ``momentum``: per-direction arrays (shape ``(d,)``, direction order of the
/// design).
///
/// Measured: ``var_theta`` / ``var_theta_se`` (mean over paths of the per-path time average of
/// ``theta_j^2`` and its SE), ``var_v`` / ``var_v_se``, ``mean_theta`` / ``mean_theta_se``.
/// Closed forms: ``curvature``, ``gradient_variance`` (``C_jj``), ``noise_variance`` (``K_0``),
/// ``relaxation_steps``; ``predicted_theta`` and ``predicted_v``: dicts ``name -> array`` (or
/// None where the form does not apply) for ``"uncorrelated"`` (white noise of variance ``K_0``),
/// ``"epoch"``, ``"noise_model"`` (the run's scheme), ``"real_exact"`` (the real algorithm,
/// independent batches), ``"real_epoch_estimate"`` (approximate). ``z``: the CLI's z scores,
/// ``"noise_model"``, ``"uncorrelated"``, ``"epoch"``, ``"real"``, ``"noise_model_v"``,
/// ``"mean_theta"``. ``direction(j)`` gives one direction's ``Estimate`` objects.
#[pyclass(name = "MomentumResult", module = "fracnoise.sgd", frozen)]
pub struct PyMomentumResult {
    report: MomentumReport,
    /// The mergeable summary the report was made from (one run, a shard, or merged shards).
    summary: fracnoise::sde::Summary,
    exp: MomentumExperiment,
    sampling: &'static str,
    eta: f64,
    beta: f64,
    steps: usize,
    burn_in: usize,
    seed: u64,
}

impl PyMomentumResult {
    fn col<'py>(
        &self,
        py: Python<'py>,
        f: impl Fn(&fracnoise::sgd::DirectionResult) -> f64,
    ) -> Bound<'py, PyArray1<f64>> {
        self.report.directions.iter().map(f).collect::<Vec<_>>().into_pyarray(py)
    }
    fn opt_col<'py>(
        &self,
        py: Python<'py>,
        f: impl Fn(&fracnoise::sgd::DirectionResult) -> Option<f64>,
    ) -> Option<Bound<'py, PyArray1<f64>>> {
        let v: Option<Vec<f64>> = self.report.directions.iter().map(f).collect();
        v.map(|v| v.into_pyarray(py))
    }
    fn predicted<'py>(&self, py: Python<'py>, pick: fn(&StationaryVariance) -> f64) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        out.set_item("uncorrelated", self.col(py, |d| pick(&d.predicted.uncorrelated)))?;
        out.set_item("epoch", self.opt_col(py, |d| d.predicted.epoch.as_ref().map(pick)))?;
        out.set_item("noise_model", self.col(py, |d| pick(&d.predicted.noise_model)))?;
        out.set_item("real_exact", self.opt_col(py, |d| d.predicted.real_exact.as_ref().map(pick)))?;
        out.set_item("real_epoch_estimate", self.opt_col(py, |d| d.predicted.real_epoch_estimate.as_ref().map(pick)))?;
        Ok(out)
    }
}

#[pymethods]
impl PyMomentumResult {
    /// ``"model"`` or ``"real"``.
    #[getter]
    fn way(&self) -> &'static str {
        match self.report.way {
            Way::Real => "real",
            Way::NoiseModel => "model",
        }
    }
    /// The sampling scheme.
    #[getter]
    fn sampling(&self) -> &'static str {
        self.sampling
    }
    /// Paths summarised.
    #[getter]
    fn paths(&self) -> u64 {
        self.report.paths
    }
    /// The path ranges ``[(start, end), ...]`` summarised (one run, a shard, or merged shards).
    #[getter]
    fn path_ranges(&self) -> Vec<(u64, u64)> {
        self.summary.paths.iter().map(|r| (r[0], r[1])).collect()
    }
    /// Steps averaged per path.
    #[getter]
    fn steps(&self) -> usize {
        self.steps
    }
    /// Steps discarded first.
    #[getter]
    fn burn_in(&self) -> usize {
        self.burn_in
    }
    /// The run's seed (the CLI's ``--seed``).
    #[getter]
    fn seed(&self) -> u64 {
        self.seed
    }
    /// Learning rate.
    #[getter]
    fn eta(&self) -> f64 {
        self.eta
    }
    /// Momentum.
    #[getter]
    fn beta(&self) -> f64 {
        self.beta
    }
    /// The epoch crossover curvature (None unless ``B`` divides ``N`` with ``M >= 2``).
    #[getter]
    fn crossover(&self) -> Option<f64> {
        self.report.crossover
    }
    /// Number of directions.
    #[getter]
    fn dim(&self) -> usize {
        self.report.directions.len()
    }
    /// Curvature ``lambda_j``.
    #[getter]
    fn curvature<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |d| d.predicted.curvature)
    }
    /// Per-sample gradient variance ``C_jj``.
    #[getter]
    fn gradient_variance<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |d| d.predicted.gradient_variance)
    }
    /// One step's noise variance ``K_0`` of the run's scheme.
    #[getter]
    fn noise_variance<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |d| d.predicted.noise_variance)
    }
    /// Relaxation time in steps.
    #[getter]
    fn relaxation_steps<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |d| d.predicted.relaxation_steps)
    }
    /// Measured ``Var theta_j``.
    #[getter]
    fn var_theta<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |d| d.var_theta.value)
    }
    /// Its standard error.
    #[getter]
    fn var_theta_se<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |d| d.var_theta.se)
    }
    /// Measured ``Var v_j``.
    #[getter]
    fn var_v<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |d| d.var_v.value)
    }
    /// Its standard error.
    #[getter]
    fn var_v_se<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |d| d.var_v.se)
    }
    /// Measured mean of ``theta_j`` (0 in theory).
    #[getter]
    fn mean_theta<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |d| d.mean_theta.value)
    }
    /// Its standard error.
    #[getter]
    fn mean_theta_se<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |d| d.mean_theta.se)
    }
    /// Closed-form ``Var theta`` per direction, by name (see the class docs).
    #[getter]
    fn predicted_theta<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.predicted(py, |s| s.theta)
    }
    /// Closed-form ``Var v`` per direction, by name.
    #[getter]
    fn predicted_v<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.predicted(py, |s| s.v)
    }
    /// z scores per direction (as the CLI's ``--json``): ``(measured - form) / se``.
    #[getter]
    fn z<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        out.set_item("noise_model", self.col(py, |d| d.var_theta.z(d.predicted.noise_model.theta)))?;
        out.set_item("uncorrelated", self.col(py, |d| d.var_theta.z(d.predicted.uncorrelated.theta)))?;
        out.set_item("epoch", self.opt_col(py, |d| d.predicted.epoch.map(|x| d.var_theta.z(x.theta))))?;
        out.set_item(
            "real",
            self.opt_col(py, |d| {
                d.predicted.real_exact.or(d.predicted.real_epoch_estimate).map(|x| d.var_theta.z(x.theta))
            }),
        )?;
        out.set_item("noise_model_v", self.col(py, |d| d.var_v.z(d.predicted.noise_model.v)))?;
        out.set_item("mean_theta", self.col(py, |d| d.mean_theta.z(0.0)))?;
        Ok(out)
    }
    /// Direction ``j`` as a dict: ``index``, ``curvature``, ``var_theta``, ``var_v``,
    /// ``mean_theta`` (``Estimate``\ s), ``predicted`` (name -> ``StationaryVariance`` or None).
    fn direction<'py>(&self, py: Python<'py>, j: usize) -> PyResult<Bound<'py, PyDict>> {
        let d = self.report.directions.get(j).ok_or_else(|| {
            invalid(format!(
                "invalid parameter `j` = {j}: must be below the dimension {}",
                self.report.directions.len()
            ))
        })?;
        let out = PyDict::new(py);
        out.set_item("index", d.index)?;
        out.set_item("curvature", d.predicted.curvature)?;
        out.set_item("var_theta", est(d.var_theta))?;
        out.set_item("var_v", est(d.var_v))?;
        out.set_item("mean_theta", est(d.mean_theta))?;
        let p = PyDict::new(py);
        p.set_item("uncorrelated", PySv::from(d.predicted.uncorrelated))?;
        p.set_item("epoch", d.predicted.epoch.map(PySv::from))?;
        p.set_item("noise_model", PySv::from(d.predicted.noise_model))?;
        p.set_item("real_exact", d.predicted.real_exact.map(PySv::from))?;
        p.set_item("real_epoch_estimate", d.predicted.real_epoch_estimate.map(PySv::from))?;
        out.set_item("predicted", p)?;
        Ok(out)
    }
    fn __repr__(&self) -> String {
        let worst = self
            .report
            .directions
            .iter()
            .map(|d| d.var_theta.z(d.predicted.noise_model.theta).abs())
            .fold(0.0f64, f64::max);
        format!(
            "MomentumResult(way='{}', sampling='{}', eta={}, beta={}, dim={}, paths={}, steps={}, burn_in={}, max |z noise_model|={:.2})",
            self.way(),
            self.sampling,
            self.eta,
            self.beta,
            self.report.directions.len(),
            self.report.paths,
            self.steps,
            self.burn_in,
            worst
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Escape

fn dynamics_arg(dynamic: &Bound<'_, PyAny>, hurst_sweep: bool) -> PyResult<Vec<Dynamic>> {
    let names: Vec<String> = if let Ok(s) = dynamic.extract::<String>() {
        vec![s]
    } else {
        dynamic.extract().map_err(|_| invalid("`dynamic` must be a name or a sequence of names"))?
    };
    let mut out = Vec::new();
    for n in names {
        if n.eq_ignore_ascii_case("all") {
            if hurst_sweep {
                out.push(Dynamic::Fgn);
            } else {
                out.extend(Dynamic::ALL);
            }
        } else {
            out.push(n.replace('_', "-").parse::<Dynamic>().py()?);
        }
    }
    Ok(out)
}

/// Mean escape time from a minimum over a barrier against the sharpness ``h_a`` of the minimum
/// (Langevin, power-law, fGn-driven and stable dynamics), or against the Hurst index (fGn-driven
/// gradient descent): closed forms beside censoring-aware Monte Carlo estimates (the CLI's
/// ``fracnoise sgd escape``; same defaults, same seed, same numbers).
///
/// Parameters
/// ----------
/// vs : {"sharpness", "hurst"}
/// dynamic : str or sequence of str
///     ``"langevin"``, ``"power-law"``, ``"fgn"``, ``"stable"`` or ``"all"``.
/// h_a : sequence of float
///     Curvatures of the minimum (swept; one value for ``vs="hurst"``).
/// h_b, h_b_ratio : float or None
///     Saddle curvature fixed, or ``h_b = h_b_ratio h_a`` (default ratio 1).
/// barrier : float
///     Barrier height ``dL``.
/// scaling : {"curvature", "fixed"}
///     How the noise follows the sharpness (``vs="sharpness"``).
/// eta, sigma_g, sigma_h, sigma, hurst, alpha, eps : float
///     Noise parameters (``hurst``: one value, or the swept values for ``vs="hurst"``, default
///     ``[0.3, 0.4, 0.5, 0.6, 0.7]``).
/// paths : int
///     Paths per point (0: closed forms only).
/// dt, max_steps, horizon_factor : float, int, float
///     Time step, most steps per path, horizon in predicted mean escape times.
/// seed : int, SeedSequence, Generator or None
///     An int is the CLI's ``--seed``.
/// level : float
///     Coverage of every interval.
///
/// Returns
/// -------
/// EscapeResult
#[pyfunction]
#[pyo3(signature = (vs = "sharpness", *, dynamic = None, h_a = None, h_b = None, h_b_ratio = None, barrier = 0.5, scaling = "curvature", eta = 0.1, sigma_g = 4.0, sigma_h = 4.0, sigma = 0.8, hurst = None, alpha = 1.5, eps = 0.15, paths = 1000, dt = 0.01, max_steps = 100000, horizon_factor = 20.0, seed = None, level = 0.95))]
#[allow(clippy::too_many_arguments)]
fn escape(
    py: Python<'_>,
    vs: &str,
    dynamic: Option<&Bound<'_, PyAny>>,
    h_a: Option<Vec<f64>>,
    h_b: Option<f64>,
    h_b_ratio: Option<f64>,
    barrier: f64,
    scaling: &str,
    eta: f64,
    sigma_g: f64,
    sigma_h: f64,
    sigma: f64,
    hurst: Option<&Bound<'_, PyAny>>,
    alpha: f64,
    eps: f64,
    paths: usize,
    dt: f64,
    max_steps: usize,
    horizon_factor: f64,
    seed: Option<&Bound<'_, PyAny>>,
    level: f64,
) -> PyResult<PyEscapeResult> {
    let by_hurst = match vs.to_ascii_lowercase().as_str() {
        "sharpness" => false,
        "hurst" => true,
        _ => return Err(invalid(format!("invalid parameter `vs` = {vs:?}: must be \"sharpness\" or \"hurst\""))),
    };
    let dyns = match dynamic {
        Some(d) => dynamics_arg(d, by_hurst)?,
        None => {
            if by_hurst {
                vec![Dynamic::Fgn]
            } else {
                Dynamic::ALL.to_vec()
            }
        }
    };
    if by_hurst && dyns.iter().any(|d| *d != Dynamic::Fgn) {
        return Err(invalid("vs=\"hurst\" sweeps the fGn-driven descent: `dynamic` must be \"fgn\" or \"all\""));
    }
    let h_a = h_a.unwrap_or_else(|| vec![0.25, 0.5, 1.0, 2.0, 4.0]);
    let hursts: Vec<f64> = match hurst {
        None => {
            if by_hurst {
                vec![0.3, 0.4, 0.5, 0.6, 0.7]
            } else {
                vec![0.7]
            }
        }
        Some(h) => match h.extract::<f64>() {
            Ok(v) => vec![v],
            Err(_) => h.extract().map_err(|_| invalid("`hurst` must be a float or a sequence of floats"))?,
        },
    };
    if hursts.is_empty() {
        return Err(invalid("`hurst` needs at least one value"));
    }
    if !by_hurst && hursts.len() != 1 {
        return Err(invalid("vs=\"sharpness\": give one `hurst` value"));
    }
    if h_b.is_some() && h_b_ratio.is_some() {
        return Err(invalid("give `h_b` or `h_b_ratio`, not both"));
    }
    if paths == 1 {
        return Err(invalid(
            "invalid size `paths` = 1: give 0 (closed forms only) or at least 2 (for a standard error)",
        ));
    }
    level_ok(level)?;
    let scaling = match scaling.to_ascii_lowercase().as_str() {
        "curvature" => NoiseScaling::Curvature,
        "fixed" => NoiseScaling::Fixed,
        _ => {
            return Err(invalid(format!(
                "invalid parameter `scaling` = {scaling:?}: must be \"curvature\" or \"fixed\""
            )))
        }
    };
    let noise = NoiseParams { eta, sigma_g, sigma_h, fgn_sigma: sigma, hurst: hursts[0], alpha, eps };
    let saddle = match (h_b, h_b_ratio) {
        (Some(h), _) => SaddleCurvature::Fixed(h),
        (None, r) => SaddleCurvature::Proportional(r.unwrap_or(1.0)),
    };
    let seed_u = seed_value(seed)?;
    let sim = SweepSim { paths, dt, max_steps, horizon_factor, seed: Seed::new(seed_u), level };
    let table = if by_hurst {
        if h_a.len() != 1 {
            return Err(invalid("vs=\"hurst\": give one `h_a` value (the loss is fixed along the sweep)"));
        }
        if paths == 0 {
            return Err(invalid("vs=\"hurst\" simulates (no closed form is known): `paths` must be >= 2"));
        }
        let loss = EscapeLoss::new(h_a[0], saddle.at(h_a[0]), barrier).py()?;
        py.allow_threads(|| hurst_sweep(loss, &hursts, &noise, &sim)).py()?
    } else {
        let s = (paths > 0).then_some(&sim);
        py.allow_threads(|| sharpness_sweep(&h_a, saddle, barrier, &noise, scaling, &dyns, s)).py()?
    };
    Ok(PyEscapeResult { table, seed: seed_u, level })
}

/// The result of ``escape``: one row per dynamic and swept value (by dynamic, then by ``x``).
///
/// Arrays (one entry per row): ``dynamic`` (list of names), ``x`` (the swept value), ``h_a``,
/// ``h_b``, ``saddle``, ``exact`` (exact mean escape time; NaN where none), ``approx`` (Kramers,
/// Laplace or Imkeller–Pavlyukevich; NaN where none), ``estimate`` / ``estimate_se`` (the mean, or
/// the restricted mean ``E min(T, horizon)`` when some path is censored; NaN without
/// simulation), ``censored_fraction``, ``horizon``. ``rows``: a list of dicts with every field
/// (``Estimate``\ s for ``mean``, ``restricted_mean``, ``median``); ``trends``: the change between
/// the first and last point of each simulated dynamic.
#[pyclass(name = "EscapeResult", module = "fracnoise.sgd", frozen)]
pub struct PyEscapeResult {
    table: EscapeTable,
    seed: u64,
    level: f64,
}

impl PyEscapeResult {
    fn col<'py>(
        &self,
        py: Python<'py>,
        f: impl Fn(&fracnoise::sgd::escape::sweep::EscapeRow) -> f64,
    ) -> Bound<'py, PyArray1<f64>> {
        self.table.rows.iter().map(f).collect::<Vec<_>>().into_pyarray(py)
    }
}

#[pymethods]
impl PyEscapeResult {
    /// ``"h_a"`` or ``"hurst"``.
    #[getter]
    fn axis(&self) -> &'static str {
        self.table.axis
    }
    /// The run's seed.
    #[getter]
    fn seed(&self) -> u64 {
        self.seed
    }
    /// Coverage of the intervals.
    #[getter]
    fn level(&self) -> f64 {
        self.level
    }
    /// Dynamic of each row.
    #[getter]
    fn dynamic(&self) -> Vec<&'static str> {
        self.table.rows.iter().map(|r| r.dynamic.name()).collect()
    }
    /// Swept value of each row.
    #[getter]
    fn x<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |r| r.x)
    }
    /// Curvature of the minimum.
    #[getter]
    fn h_a<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |r| r.loss.h_a())
    }
    /// Curvature of the saddle.
    #[getter]
    fn h_b<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |r| r.loss.h_b())
    }
    /// Position of the saddle ``u_b``.
    #[getter]
    fn saddle<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |r| r.loss.saddle())
    }
    /// Exact mean escape time (Langevin, power law); NaN where none.
    #[getter]
    fn exact<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |r| r.exact.unwrap_or(f64::NAN))
    }
    /// The approximation (Kramers, Laplace, Imkeller–Pavlyukevich); NaN where none.
    #[getter]
    fn approx<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |r| r.approx.map_or(f64::NAN, |a| a.1))
    }
    /// Simulated estimate (mean, or restricted mean when censored); NaN without simulation.
    #[getter]
    fn estimate<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |r| r.sim.as_ref().map_or(f64::NAN, |s| s.estimate().value))
    }
    /// Its standard error.
    #[getter]
    fn estimate_se<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |r| r.sim.as_ref().map_or(f64::NAN, |s| s.estimate().se))
    }
    /// Fraction of censored paths; NaN without simulation.
    #[getter]
    fn censored_fraction<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |r| r.sim.as_ref().map_or(f64::NAN, |s| s.stats.censored_fraction))
    }
    /// Horizon of the simulation; NaN without simulation.
    #[getter]
    fn horizon<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |r| r.sim.as_ref().map_or(f64::NAN, |s| s.horizon))
    }
    /// Every row as a dict (the CLI's ``--json`` rows, with ``Estimate`` objects).
    #[getter]
    fn rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for r in &self.table.rows {
            let d = PyDict::new(py);
            d.set_item("dynamic", r.dynamic.name())?;
            d.set_item("x", r.x)?;
            d.set_item("h_a", r.loss.h_a())?;
            d.set_item("h_b", r.loss.h_b())?;
            d.set_item("barrier", r.loss.barrier())?;
            d.set_item("saddle", r.loss.saddle())?;
            let n = PyDict::new(py);
            let p = &r.noise;
            match r.dynamic {
                Dynamic::Langevin => {
                    n.set_item("eta", p.eta)?;
                    n.set_item("sigma_g", p.sigma_g)?;
                }
                Dynamic::PowerLaw => {
                    n.set_item("eta", p.eta)?;
                    n.set_item("sigma_g", p.sigma_g)?;
                    n.set_item("sigma_h", p.sigma_h)?;
                }
                Dynamic::Fgn => {
                    n.set_item("eta", p.eta)?;
                    n.set_item("sigma", p.fgn_sigma)?;
                    n.set_item("hurst", p.hurst)?;
                }
                Dynamic::Stable => {
                    n.set_item("alpha", p.alpha)?;
                    n.set_item("eps", p.eps)?;
                }
            }
            d.set_item("noise", n)?;
            d.set_item("exact", r.exact)?;
            d.set_item("approx_name", r.approx.map(|a| a.0))?;
            d.set_item("approx", r.approx.map(|a| a.1))?;
            match &r.sim {
                Some(s) => {
                    d.set_item("estimate", est(s.estimate()))?;
                    d.set_item("estimate_kind", if s.censored() { "restricted_mean" } else { "mean" })?;
                    d.set_item("mean", s.stats.mean.map(est))?;
                    d.set_item("restricted_mean", est(s.stats.restricted_mean))?;
                    d.set_item("median", est(s.stats.median))?;
                    d.set_item("paths", s.stats.n)?;
                    d.set_item("censored", s.stats.censored)?;
                    d.set_item("censored_fraction", s.stats.censored_fraction)?;
                    d.set_item("dt", s.dt)?;
                    d.set_item("horizon", s.horizon)?;
                    d.set_item("warnings", s.stats.warnings.clone())?;
                }
                None => d.set_item("estimate", py.None())?,
            }
            out.append(d)?;
        }
        Ok(out)
    }
    /// The change of the simulated escape time between the first and last point of each
    /// dynamic: dicts with ``dynamic``, ``from``, ``to``, ``difference`` (an ``Estimate``),
    /// ``direction`` (``"increasing"``, ``"decreasing"``, ``"undetermined"``), ``restricted``.
    #[getter]
    fn trends<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for t in self.table.trends() {
            let d = PyDict::new(py);
            d.set_item("dynamic", t.dynamic.name())?;
            d.set_item("from", t.from)?;
            d.set_item("to", t.to)?;
            d.set_item("difference", est(t.difference))?;
            d.set_item(
                "direction",
                match t.direction {
                    Direction::Increasing => "increasing",
                    Direction::Decreasing => "decreasing",
                    Direction::Undetermined => "undetermined",
                },
            )?;
            d.set_item("restricted", t.restricted)?;
            out.append(d)?;
        }
        Ok(out)
    }
    fn __repr__(&self) -> String {
        let mut names: Vec<&str> = self.table.rows.iter().map(|r| r.dynamic.name()).collect();
        names.dedup();
        format!(
            "EscapeResult(axis='{}', dynamics={:?}, rows={}, simulated={}, seed={})",
            self.table.axis,
            names,
            self.table.rows.len(),
            self.table.rows.iter().any(|r| r.sim.is_some()),
            self.seed
        )
    }
}

/// The escape loss (the library's ``EscapeLoss``): a minimum at ``u = 0`` with curvature ``h_a``
/// (the sharpness), a saddle at ``u_b = sqrt(12 dL / (h_a + h_b))`` with curvature ``-h_b``, and
/// barrier ``dL = L(u_b) - L(0)``, each set independently (a cubic on each side of the minimum).
/// Methods ``value(u)``, ``gradient(u)``, ``curvature(u)``.
#[pyclass(name = "EscapeLoss", module = "fracnoise.sgd", frozen)]
#[derive(Clone, Copy)]
pub struct PyEscapeLoss {
    loss: EscapeLoss,
}

#[pymethods]
impl PyEscapeLoss {
    #[new]
    #[pyo3(signature = (h_a, h_b, barrier))]
    fn new(h_a: f64, h_b: f64, barrier: f64) -> PyResult<Self> {
        Ok(PyEscapeLoss { loss: EscapeLoss::new(h_a, h_b, barrier).py()? })
    }
    /// Curvature at the minimum.
    #[getter]
    fn h_a(&self) -> f64 {
        self.loss.h_a()
    }
    /// Curvature magnitude at the saddle.
    #[getter]
    fn h_b(&self) -> f64 {
        self.loss.h_b()
    }
    /// Barrier height.
    #[getter]
    fn barrier(&self) -> f64 {
        self.loss.barrier()
    }
    /// Position of the saddle ``u_b``.
    #[getter]
    fn saddle(&self) -> f64 {
        self.loss.saddle()
    }
    /// ``L(u)``.
    fn value(&self, u: f64) -> f64 {
        self.loss.value(u)
    }
    /// ``L'(u)``.
    fn gradient(&self, u: f64) -> f64 {
        self.loss.gradient(u)
    }
    /// ``L''(u)``.
    fn curvature(&self, u: f64) -> f64 {
        self.loss.curvature(u)
    }
    fn __repr__(&self) -> String {
        format!("EscapeLoss(h_a={}, h_b={}, barrier={})", self.loss.h_a(), self.loss.h_b(), self.loss.barrier())
    }
}

/// Runs `sim` (paths from `seed`, grid `dt`, censored at `horizon`) and wraps the records as a
/// `PassageResult` whose configuration names `model`.
#[allow(clippy::too_many_arguments)]
fn escape_passage(
    py: Python<'_>,
    model: serde_json::Value,
    paths: usize,
    dt: f64,
    horizon: f64,
    seed: Option<&Bound<'_, PyAny>>,
    level: f64,
    sim: impl FnOnce(&SimSpec) -> fracnoise::Result<fracnoise::passage::PassageRecords> + Send,
) -> PyResult<PyPassageResult> {
    level_ok(level)?;
    let s = seed_value(seed)?;
    let spec = SimSpec { paths, dt, horizon, seed: Seed::new(s) };
    let records = py.allow_threads(|| sim(&spec)).py()?;
    let config = serde_json::json!({
        "model": model, "driver": "escape", "dt": dt, "horizon": horizon, "seed": s, "paths": paths,
        "upper": "saddle",
    });
    PyPassageResult::new(PassageSummary { config, horizon, records }, level)
}

/// Langevin escape ``du = -L'(u) dt + sqrt(eta sigma_g) dB`` (Itô; noise intensity
/// ``D = eta sigma_g / 2``) from the minimum to the saddle of ``loss``: the exact mean escape time
/// (scale/speed integral), Kramers' time ``(pi / sqrt(h_a h_b)) exp(dL / D)`` (Kramers 1940;
/// Hänggi, Talkner & Borkovec 1990, eq. 4.7b) and its derived ``sqrt(D)`` correction, and
/// ``simulate(paths, dt, horizon, seed=)`` (Euler–Maruyama with Brownian-bridge crossings) as a
/// ``PassageResult``.
#[pyclass(name = "Langevin", module = "fracnoise.sgd", frozen)]
pub struct PyLangevin {
    m: Langevin,
}

#[pymethods]
impl PyLangevin {
    #[new]
    #[pyo3(signature = (loss, eta, sigma_g))]
    fn new(loss: &PyEscapeLoss, eta: f64, sigma_g: f64) -> PyResult<Self> {
        Ok(PyLangevin { m: Langevin::new(loss.loss, eta, sigma_g).py()? })
    }
    /// Noise intensity ``D = eta sigma_g / 2``.
    #[getter]
    fn noise_intensity(&self) -> f64 {
        self.m.noise_intensity()
    }
    /// Exact mean escape time to the saddle.
    fn exact_mfpt(&self, py: Python<'_>) -> PyResult<f64> {
        py.allow_threads(|| self.m.exact_mfpt()).py()
    }
    /// Kramers' time to the saddle.
    fn kramers_mfpt(&self) -> f64 {
        self.m.kramers_mfpt()
    }
    /// Kramers' time with the first (derived) correction ``T_K (1 + c sqrt(D))``.
    fn kramers_mfpt_corrected(&self) -> f64 {
        self.m.kramers_mfpt_corrected()
    }
    /// ``paths`` simulated escapes on a grid of step ``dt``, censored at ``horizon``: a
    /// ``PassageResult`` (path ``i`` from ``Seed(seed).stream(i)``).
    #[pyo3(signature = (paths, dt, horizon, *, seed = None, level = 0.95))]
    fn simulate(
        &self,
        py: Python<'_>,
        paths: usize,
        dt: f64,
        horizon: f64,
        seed: Option<&Bound<'_, PyAny>>,
        level: f64,
    ) -> PyResult<PyPassageResult> {
        let l = self.m.loss();
        let model = serde_json::json!({"kind": "escape-langevin", "h_a": l.h_a(), "h_b": l.h_b(),
            "barrier": l.barrier(), "noise_intensity": self.m.noise_intensity()});
        let m = &self.m;
        escape_passage(py, model, paths, dt, horizon, seed, level, |s| m.simulate(s))
    }
    fn __repr__(&self) -> String {
        let l = self.m.loss();
        format!(
            "Langevin(h_a={}, h_b={}, barrier={}, noise_intensity={})",
            l.h_a(),
            l.h_b(),
            l.barrier(),
            self.m.noise_intensity()
        )
    }
}

/// The power-law escape dynamic ``du = -L'(u) dt + sqrt(eta (sigma_g + sigma_h u^2)) dB`` (Itô;
/// Meng et al. 2020, arXiv 2006.13719): the exact mean escape time, the derived Laplace form, the
/// tail exponent ``kappa = 1 + h_a / (eta sigma_h)``, and ``simulate`` as for ``Langevin``.
#[pyclass(name = "PowerLawEscape", module = "fracnoise.sgd", frozen)]
pub struct PyPowerLawEscape {
    m: PowerLawDynamic,
}

#[pymethods]
impl PyPowerLawEscape {
    #[new]
    #[pyo3(signature = (loss, eta, sigma_g, sigma_h))]
    fn new(loss: &PyEscapeLoss, eta: f64, sigma_g: f64, sigma_h: f64) -> PyResult<Self> {
        Ok(PyPowerLawEscape { m: PowerLawDynamic::new(loss.loss, eta, sigma_g, sigma_h).py()? })
    }
    /// Tail exponent ``kappa = 1 + h_a / (eta sigma_h)``.
    #[getter]
    fn kappa(&self) -> f64 {
        self.m.kappa()
    }
    /// Exact mean escape time to the saddle.
    fn exact_mfpt(&self, py: Python<'_>) -> PyResult<f64> {
        py.allow_threads(|| self.m.exact_mfpt()).py()
    }
    /// The Laplace form (derived).
    fn laplace_mfpt(&self) -> f64 {
        self.m.laplace_mfpt()
    }
    /// Simulated escapes as a ``PassageResult`` (see ``Langevin.simulate``).
    #[pyo3(signature = (paths, dt, horizon, *, seed = None, level = 0.95))]
    fn simulate(
        &self,
        py: Python<'_>,
        paths: usize,
        dt: f64,
        horizon: f64,
        seed: Option<&Bound<'_, PyAny>>,
        level: f64,
    ) -> PyResult<PyPassageResult> {
        let l = self.m.loss();
        let model = serde_json::json!({"kind": "escape-power-law", "h_a": l.h_a(), "h_b": l.h_b(),
            "barrier": l.barrier(), "kappa": self.m.kappa()});
        let m = &self.m;
        escape_passage(py, model, paths, dt, horizon, seed, level, |s| m.simulate(s))
    }
    fn __repr__(&self) -> String {
        let l = self.m.loss();
        format!("PowerLawEscape(h_a={}, h_b={}, barrier={}, kappa={})", l.h_a(), l.h_b(), l.barrier(), self.m.kappa())
    }
}

/// Escape driven by symmetric alpha-stable noise, ``du = -L'(u) dt + eps dL^alpha``: the
/// Imkeller–Pavlyukevich law ``E T ~ alpha u_b^alpha / (c_alpha eps^alpha)`` (asymptotic, small
/// ``eps``), and ``simulate`` as for ``Langevin`` (exits at grid points).
#[pyclass(name = "StableEscape", module = "fracnoise.sgd", frozen)]
pub struct PyStableEscape {
    m: StableEscape,
}

#[pymethods]
impl PyStableEscape {
    #[new]
    #[pyo3(signature = (loss, alpha, eps))]
    fn new(loss: &PyEscapeLoss, alpha: f64, eps: f64) -> PyResult<Self> {
        Ok(PyStableEscape { m: StableEscape::new(loss.loss, alpha, eps).py()? })
    }
    /// The asymptotic mean escape time.
    fn asymptotic_mfpt(&self) -> f64 {
        self.m.asymptotic_mfpt()
    }
    /// Simulated escapes as a ``PassageResult`` (see ``Langevin.simulate``).
    #[pyo3(signature = (paths, dt, horizon, *, seed = None, level = 0.95))]
    fn simulate(
        &self,
        py: Python<'_>,
        paths: usize,
        dt: f64,
        horizon: f64,
        seed: Option<&Bound<'_, PyAny>>,
        level: f64,
    ) -> PyResult<PyPassageResult> {
        let l = self.m.loss();
        let model =
            serde_json::json!({"kind": "escape-stable", "h_a": l.h_a(), "h_b": l.h_b(), "barrier": l.barrier()});
        let m = &self.m;
        escape_passage(py, model, paths, dt, horizon, seed, level, |s| m.simulate(s))
    }
    fn __repr__(&self) -> String {
        let l = self.m.loss();
        format!("StableEscape(h_a={}, h_b={}, barrier={})", l.h_a(), l.h_b(), l.barrier())
    }
}

/// Gradient descent driven by fractional Gaussian noise, ``w_(k+1) = w_k - eta L'(w_k) +
/// sigma eta^H G_k`` (``G`` unit fGn; exits seen at the grid times ``k eta``): no closed form is
/// known (the escape time against ``H`` is measured, see ``escape(vs="hurst")``). At ``H = 1/2``
/// it is the Euler chain of ``Langevin`` with ``eta sigma_g = sigma^2``.
/// ``simulate(steps, paths, seed=)`` gives a ``PassageResult`` (censored after ``steps`` steps).
#[pyclass(name = "FgnDescent", module = "fracnoise.sgd", frozen)]
pub struct PyFgnDescent {
    m: FgnDescent,
    eta: f64,
}

#[pymethods]
impl PyFgnDescent {
    #[new]
    #[pyo3(signature = (loss, eta, sigma, hurst))]
    fn new(loss: &PyEscapeLoss, eta: f64, sigma: f64, hurst: f64) -> PyResult<Self> {
        Ok(PyFgnDescent { m: FgnDescent::new(loss.loss, eta, sigma, hurst).py()?, eta })
    }
    /// The Hurst index.
    #[getter]
    fn hurst(&self) -> f64 {
        self.m.hurst()
    }
    /// ``paths`` descents of at most ``steps`` steps (``1 ..= 2^24``; path ``i`` on fGn path ``i``
    /// of the seed): a ``PassageResult``.
    #[pyo3(signature = (steps, paths, *, seed = None, level = 0.95))]
    fn simulate(
        &self,
        py: Python<'_>,
        steps: usize,
        paths: usize,
        seed: Option<&Bound<'_, PyAny>>,
        level: f64,
    ) -> PyResult<PyPassageResult> {
        let l = self.m.loss();
        let model = serde_json::json!({"kind": "escape-fgn-descent", "h_a": l.h_a(), "h_b": l.h_b(),
            "barrier": l.barrier(), "hurst": self.m.hurst()});
        let m = &self.m;
        let horizon = steps as f64 * self.eta;
        escape_passage(py, model, paths, self.eta, horizon, seed, level, |s| m.simulate(steps, s.paths, s.seed))
    }
    fn __repr__(&self) -> String {
        let l = self.m.loss();
        format!(
            "FgnDescent(h_a={}, h_b={}, barrier={}, eta={}, hurst={})",
            l.h_a(),
            l.h_b(),
            l.barrier(),
            self.eta,
            self.m.hurst()
        )
    }
}

/// Free ``sigma B^H`` leaving ``(-r, r)`` from 0: the exact self-similarity
/// ``E T = (r/sigma)^(1/H) E T_1(H)``, ``E T_1(1/2) = 1`` (``time_scale`` is ``(r/sigma)^(1/H)``).
/// ``simulate(dt, steps, paths, bridge=False, seed=)``: exits at grid times on fBM, or with
/// ``bridge=True`` (``H = 1/2`` only) Brownian-bridge crossings between them.
#[pyclass(name = "FbmExit", module = "fracnoise.sgd", frozen)]
pub struct PyFbmExit {
    m: FbmExit,
}

#[pymethods]
impl PyFbmExit {
    #[new]
    #[pyo3(signature = (r, sigma, hurst))]
    fn new(r: f64, sigma: f64, hurst: f64) -> PyResult<Self> {
        Ok(PyFbmExit { m: FbmExit::new(r, sigma, hurst).py()? })
    }
    /// ``(r / sigma)^(1/H)``.
    #[getter]
    fn time_scale(&self) -> f64 {
        self.m.time_scale()
    }
    /// ``paths`` paths on ``steps`` steps of ``dt`` until they leave ``(-r, r)``: a ``PassageResult``.
    #[pyo3(signature = (dt, steps, paths, *, bridge = false, seed = None, level = 0.95))]
    #[allow(clippy::too_many_arguments)]
    fn simulate(
        &self,
        py: Python<'_>,
        dt: f64,
        steps: usize,
        paths: usize,
        bridge: bool,
        seed: Option<&Bound<'_, PyAny>>,
        level: f64,
    ) -> PyResult<PyPassageResult> {
        let model = serde_json::json!({"kind": "fbm-exit", "time_scale": self.m.time_scale(), "bridge": bridge});
        let m = &self.m;
        let c = if bridge { Correction::Bridge } else { Correction::None };
        escape_passage(py, model, paths, dt, steps as f64 * dt, seed, level, |s| {
            m.simulate(dt, steps, s.paths, c, s.seed)
        })
    }
    fn __repr__(&self) -> String {
        format!("FbmExit(time_scale={})", self.m.time_scale())
    }
}

// ---------------------------------------------------------------------------------------------
// Field dynamics (fdt, replicas)

/// SGD on the quadratic ``sum_i lambda_i x_i^2 / 2`` with i.i.d. Gaussian gradient noise:
/// ``x <- x - eta (lambda x + sigma z)`` (the library's ``QuadraticSgd``), with the exact
/// ``temperature(i) = eta sigma^2 / (2 - eta lambda_i)``, ``stationary_variance(i)`` and
/// ``replica_distance(k)`` (``/work/shared/SEEDS.md`` §5).
///
/// Parameters
/// ----------
/// curvatures : sequence of float
///     ``lambda_i > 0`` (one per component, ``eta lambda_i < 2``).
/// eta, sigma : float
///     Learning rate and gradient-noise SD.
/// x0 : float or sequence of float
///     Start (one value for every component, or one per component; default 0).
#[pyclass(name = "QuadraticSgd", module = "fracnoise.sgd", frozen)]
pub struct PyQuadraticSgd {
    q: QuadraticSgd,
}

fn x0_arg(x0: Option<&Bound<'_, PyAny>>, d: usize) -> PyResult<Vec<f64>> {
    match x0 {
        None => Ok(vec![0.0; d]),
        Some(v) => match v.extract::<f64>() {
            Ok(x) => Ok(vec![x; d]),
            Err(_) => v.extract::<Vec<f64>>().map_err(|_| invalid("`x0` must be a float or a sequence of floats")),
        },
    }
}

#[pymethods]
impl PyQuadraticSgd {
    #[new]
    #[pyo3(signature = (curvatures, eta, sigma, *, x0 = None))]
    fn new(curvatures: Vec<f64>, eta: f64, sigma: f64, x0: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let x0 = x0_arg(x0, curvatures.len())?;
        Ok(PyQuadraticSgd { q: QuadraticSgd::new(curvatures, eta, sigma, x0).py()? })
    }
    /// Curvatures.
    #[getter]
    fn curvatures<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        f64_list(py, self.q.curvatures())
    }
    /// Learning rate.
    #[getter]
    fn eta(&self) -> f64 {
        self.q.eta()
    }
    /// Gradient-noise SD.
    #[getter]
    fn sigma(&self) -> f64 {
        self.q.sigma()
    }
    /// The exact effective temperature of component ``i``, ``eta sigma^2 / (2 - eta lambda_i)``.
    fn temperature(&self, i: usize) -> PyResult<f64> {
        self.check(i)?;
        Ok(self.q.temperature(i))
    }
    /// The exact stationary variance of component ``i``.
    fn stationary_variance(&self, i: usize) -> PyResult<f64> {
        self.check(i)?;
        Ok(self.q.stationary_variance(i))
    }
    /// The exact replica distance ``D`` after ``k`` steps (replicas started together).
    fn replica_distance(&self, k: usize) -> f64 {
        self.q.replica_distance(k)
    }
    fn __repr__(&self) -> String {
        format!("QuadraticSgd(curvatures={:?}, eta={}, sigma={})", self.q.curvatures(), self.q.eta(), self.q.sigma())
    }
}

impl PyQuadraticSgd {
    fn check(&self, i: usize) -> PyResult<()> {
        let d = self.q.curvatures().len();
        if i >= d {
            return Err(invalid(format!("invalid parameter `i` = {i}: must be below the dimension {d}")));
        }
        Ok(())
    }
}

/// Real minibatch SGD (no momentum) on a design, started at ``x0`` (eigenbasis deviations from
/// the minimiser; default 0): the library's ``MinibatchSgd``, for ``effective_temperature``.
#[pyclass(name = "MinibatchSgd", module = "fracnoise.sgd", frozen)]
pub struct PyMinibatchSgd {
    m: MinibatchSgd,
    repr: String,
}

#[pymethods]
impl PyMinibatchSgd {
    #[new]
    #[pyo3(signature = (design, batching, eta, *, x0 = None))]
    fn new(design: &PyDesign, batching: &PyBatching, eta: f64, x0: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let x0 = x0_arg(x0, design.design.dim())?;
        let m = MinibatchSgd::new(&design.design, batching.b, eta, x0).py()?;
        Ok(PyMinibatchSgd {
            m,
            repr: format!("MinibatchSgd({}, {}, eta={eta})", design.__repr__(), batching.__repr__()),
        })
    }
    fn __repr__(&self) -> String {
        self.repr.clone()
    }
}

/// Langevin dynamics on ``theta x^2 / 2``, ``dim`` independent OU components
/// ``dx = theta (mu - x) dt + sigma dW`` (Euler–Maruyama, step ``dt``; ``theta dt < 2``), from
/// ``x0`` (default ``mu``). ``temperature = sigma^2 / 2``. Closed forms: the Euler chain's
/// fluctuation–dissipation temperature ``2T/(2 - theta dt)`` (``fdt_temperature``) and replica
/// distance ``2 sigma^2 dt (1 - a^(2n))/(1 - a^2)``, ``a = 1 - theta dt`` (``replica_distance``,
/// derived in ``fracnoise::sgd::replicas``).
#[pyclass(name = "OUDynamics", module = "fracnoise.sgd", frozen)]
pub struct PyOuDynamics {
    dim: usize,
    theta: f64,
    mu: f64,
    sigma: f64,
    dt: f64,
    x0: Vec<f64>,
}

#[pymethods]
impl PyOuDynamics {
    #[new]
    #[pyo3(signature = (dim, theta, sigma, *, mu = 0.0, dt = 0.01, x0 = None))]
    fn new(dim: usize, theta: f64, sigma: f64, mu: f64, dt: f64, x0: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        if dim == 0 {
            return Err(invalid("invalid size `dim` = 0: must be >= 1"));
        }
        positive("theta", theta)?;
        positive("sigma", sigma)?;
        positive("dt", dt)?;
        if !mu.is_finite() {
            return Err(invalid(format!("invalid parameter `mu` = {mu}: must be finite")));
        }
        if theta * dt >= 2.0 {
            return Err(invalid(format!(
                "invalid parameter `theta` = {theta}: theta x dt ({dt}) must be < 2 (stable Euler chain)"
            )));
        }
        let x0 = match x0 {
            None => vec![mu; dim],
            some => x0_arg(some, dim)?,
        };
        if x0.len() != dim || x0.iter().any(|v| !v.is_finite()) {
            return Err(invalid(format!("`x0` must hold {dim} finite values")));
        }
        Ok(PyOuDynamics { dim, theta, mu, sigma, dt, x0 })
    }
    /// The temperature ``T = sigma^2 / 2``.
    #[getter]
    fn temperature(&self) -> f64 {
        self.sigma * self.sigma / 2.0
    }
    /// The Euler chain's effective temperature ``2T / (2 - theta dt)`` (what ``effective_temperature`` measures).
    fn fdt_temperature(&self) -> f64 {
        2.0 * self.temperature() / (2.0 - self.theta * self.dt)
    }
    /// The Euler chain's replica distance after ``n`` steps.
    fn replica_distance(&self, n: usize) -> PyResult<f64> {
        Ok(ou_distance_euler(&Ou::new(self.theta, self.mu, self.sigma).py()?, n, self.dt))
    }
    fn __repr__(&self) -> String {
        format!(
            "OUDynamics(dim={}, theta={}, sigma={}, mu={}, dt={})",
            self.dim, self.theta, self.sigma, self.mu, self.dt
        )
    }
}

impl PyOuDynamics {
    /// Runs `f` on the OU dynamics with a Brownian driver of `steps` steps.
    fn with<T>(
        &self,
        steps: usize,
        f: impl FnOnce(&dyn FieldDynamics) -> fracnoise::Result<T>,
    ) -> fracnoise::Result<T> {
        let (theta, mu, s) = (self.theta, self.mu, self.sigma);
        let model = VectorSde::new(
            self.dim,
            DiffusionShape::Diagonal,
            move |_t, x: &[f64], b: &mut [f64]| b.iter_mut().zip(x).for_each(|(b, x)| *b = theta * (mu - x)),
            move |_t, _x: &[f64], o: &mut [f64]| o.fill(s),
        )?;
        let driver = Driver::brownian(Grid::new(steps.max(1), self.dt)?, self.dim)?;
        let dynm = SdeDynamics::new(&model, driver, self.x0.clone())?;
        f(&dynm)
    }
}

/// Plain SGD on over-parametrised linear regression with teacher labels (the library's
/// ``TeacherRegression``): ``n_samples`` rows ``x_i ~ N(0, I/dim)``, labels ``x_i . w_t``,
/// batches of ``batch_size`` with replacement, initial weights ``N(0, init_sd^2 I)``. An int
/// ``seed`` draws the data as the CLI's ``sgd replicas --model regression --seed SEED``.
#[pyclass(name = "TeacherRegression", module = "fracnoise.sgd", frozen)]
pub struct PyTeacherRegression {
    m: TeacherRegression,
    repr: String,
}

#[pymethods]
impl PyTeacherRegression {
    #[new]
    #[pyo3(signature = (dim = 200, n_samples = 50, *, batch_size = 5, eta = 0.5, init_sd = 1.0, seed = None))]
    fn new(
        dim: usize,
        n_samples: usize,
        batch_size: usize,
        eta: f64,
        init_sd: f64,
        seed: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let s = seed_value(seed)?;
        let b = Batching::new(n_samples, batch_size, Sampling::WithReplacement).py()?;
        let m = TeacherRegression::synthetic(dim, b, eta, init_sd, Seed::new(s).child_named("data")).py()?;
        let repr = format!(
            "TeacherRegression(dim={dim}, n_samples={n_samples}, batch_size={batch_size}, eta={eta}, init_sd={init_sd}, seed={s})"
        );
        Ok(PyTeacherRegression { m, repr })
    }
    fn __repr__(&self) -> String {
        self.repr.clone()
    }
}

/// SGD on the spherical perceptron (the library's ``SphericalPerceptron``): ``n_samples``
/// patterns in dimension ``dim``, margin ``kappa``, batches of ``batch_size`` with replacement,
/// projected back on the sphere ``|x|^2 = dim``. An int ``seed`` draws the patterns as the
/// CLI's ``sgd replicas --model perceptron --seed SEED``.
#[pyclass(name = "SphericalPerceptron", module = "fracnoise.sgd", frozen)]
pub struct PySphericalPerceptron {
    m: SphericalPerceptron,
    repr: String,
}

#[pymethods]
impl PySphericalPerceptron {
    #[new]
    #[pyo3(signature = (dim = 200, n_samples = 100, *, kappa = 0.0, batch_size = 5, eta = 0.5, seed = None))]
    fn new(
        dim: usize,
        n_samples: usize,
        kappa: f64,
        batch_size: usize,
        eta: f64,
        seed: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let s = seed_value(seed)?;
        let b = Batching::new(n_samples, batch_size, Sampling::WithReplacement).py()?;
        let m = SphericalPerceptron::synthetic(dim, kappa, b, eta, Seed::new(s).child_named("data")).py()?;
        let repr = format!(
            "SphericalPerceptron(dim={dim}, n_samples={n_samples}, kappa={kappa}, batch_size={batch_size}, eta={eta}, seed={s})"
        );
        Ok(PySphericalPerceptron { m, repr })
    }
    /// The load ``alpha = P / N``.
    #[getter]
    fn alpha(&self) -> f64 {
        self.m.alpha()
    }
    fn __repr__(&self) -> String {
        self.repr.clone()
    }
}

/// A dynamics argument, resolved.
enum Dyn<'a> {
    Quadratic(&'a QuadraticSgd),
    Ou(&'a PyOuDynamics),
    Regression(&'a TeacherRegression),
    Perceptron(&'a SphericalPerceptron),
}

fn with_dyn<T>(
    d: &Dyn<'_>,
    steps: usize,
    f: impl FnOnce(&dyn FieldDynamics) -> fracnoise::Result<T>,
) -> fracnoise::Result<T> {
    match d {
        Dyn::Quadratic(q) => f(*q),
        Dyn::Ou(o) => o.with(steps, f),
        Dyn::Regression(m) => f(*m),
        Dyn::Perceptron(m) => f(*m),
    }
}

// ---------------------------------------------------------------------------------------------
// Effective temperature

/// The effective temperature of a stationary dynamics by the fluctuation–dissipation relation
/// ``chi(t, t') = (C(t, t) - C(t, t'))/T_eff``, the response measured on the same noise with a
/// field ``h`` switched on at step ``burn_in`` (the library's ``effective_temperature``; the
/// CLI's ``fracnoise sgd fdt``).
///
/// Parameters
/// ----------
/// dynamics : QuadraticSgd, MinibatchSgd or OUDynamics
/// burn_in : int
///     Steps before the field is switched on.
/// lags : sequence of int
///     Lags in steps after it, increasing, each >= 1.
/// field : float
///     Field strength ``h > 0`` (the linearity check also runs ``2h``).
/// paths : int
///     Independent paths (>= 4).
/// groups : int or None
///     Jackknife groups for the SEs (default ``min(paths, 100)``).
/// seed : int, SeedSequence, Generator or None
///     An int is the CLI's ``--seed`` (same numbers for ``QuadraticSgd`` and ``OUDynamics``).
/// level : float
///     Coverage of the intervals.
///
/// Returns
/// -------
/// FdtResult
#[pyfunction]
#[pyo3(signature = (dynamics, *, burn_in = 1000, lags = None, field = 0.05, paths = 2000, groups = None, seed = None, level = 0.95))]
#[allow(clippy::too_many_arguments)]
fn effective_temperature(
    py: Python<'_>,
    dynamics: &Bound<'_, PyAny>,
    burn_in: usize,
    lags: Option<Vec<usize>>,
    field: f64,
    paths: u64,
    groups: Option<usize>,
    seed: Option<&Bound<'_, PyAny>>,
    level: f64,
) -> PyResult<PyFdtResult> {
    let lags = lags.unwrap_or_else(|| vec![1, 2, 4, 8, 16, 32, 64]);
    let mut opts = FdtOptions::new(burn_in, lags.clone(), field, paths);
    if let Some(g) = groups {
        opts.groups = g;
    }
    opts.level = level;
    let seed_u = seed_value(seed)?;
    let last = burn_in
        .checked_add(lags.last().copied().unwrap_or(0))
        .ok_or_else(|| invalid("burn_in plus the largest lag overflows"))?;
    let (result, predicted) = if let Ok(q) = dynamics.downcast::<PyQuadraticSgd>() {
        let q = &q.get().q;
        let r = py.allow_threads(|| lib_fdt(q, Seed::new(seed_u), &opts)).py()?;
        let mut distinct: Vec<f64> = q.curvatures().to_vec();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        let pred = distinct
            .iter()
            .filter_map(|&l| q.curvatures().iter().position(|&c| c == l).map(|i| (l, i)))
            .map(|(l, i)| (format!("eta sigma^2/(2 - eta lambda), lambda = {l}"), q.temperature(i)))
            .collect();
        (r, pred)
    } else if let Ok(m) = dynamics.downcast::<PyMinibatchSgd>() {
        let m = &m.get().m;
        (py.allow_threads(|| lib_fdt(m, Seed::new(seed_u), &opts)).py()?, Vec::new())
    } else if let Ok(o) = dynamics.downcast::<PyOuDynamics>() {
        let o = o.get();
        let r = py.allow_threads(|| o.with(last, |d| lib_fdt(d, Seed::new(seed_u), &opts))).py()?;
        let pred = vec![
            ("Euler chain 2T/(2 - theta dt)".to_string(), o.fdt_temperature()),
            ("continuous time T".to_string(), o.temperature()),
        ];
        (r, pred)
    } else {
        return Err(invalid(format!(
            "`dynamics` must be a QuadraticSgd, MinibatchSgd or OUDynamics, not {}",
            dynamics.get_type().name()?
        )));
    };
    Ok(PyFdtResult { r: result, predicted, seed: seed_u, burn_in })
}

/// The result of ``effective_temperature``.
///
/// ``Estimate``\ s: ``t_eff`` (fit over lags), ``t_eff_double_field`` (at ``2h``),
/// ``nonlinearity`` (0 for linear response), ``c_start``. Per lag (arrays): ``lag``, ``tau``,
/// ``c_equal`` / ``c_equal_se`` (``C(t, t)``), ``c`` / ``c_se`` (``C(t, t')``), ``chi`` /
/// ``chi_se``, ``chi_double_field``, ``t_eff_lag`` / ``t_eff_lag_se``. ``predicted``: list of
/// ``(name, value)`` closed forms; ``z``: ``(t_eff - value)/se`` for each.
#[pyclass(name = "FdtResult", module = "fracnoise.sgd", frozen)]
pub struct PyFdtResult {
    r: FdtResult,
    predicted: Vec<(String, f64)>,
    seed: u64,
    burn_in: usize,
}

impl PyFdtResult {
    fn col<'py>(&self, py: Python<'py>, f: impl Fn(&fracnoise::sgd::FdtPoint) -> f64) -> Bound<'py, PyArray1<f64>> {
        self.r.points.iter().map(f).collect::<Vec<_>>().into_pyarray(py)
    }
}

#[pymethods]
impl PyFdtResult {
    /// Effective temperature fitted over the lags.
    #[getter]
    fn t_eff(&self) -> PyEstimate {
        est(self.r.t_eff)
    }
    /// The same at field ``2h``.
    #[getter]
    fn t_eff_double_field(&self) -> PyEstimate {
        est(self.r.t_eff_double)
    }
    /// Relative departure from linear response.
    #[getter]
    fn nonlinearity(&self) -> PyEstimate {
        est(self.r.nonlinearity)
    }
    /// ``C(t', t')`` at the switch-on.
    #[getter]
    fn c_start(&self) -> PyEstimate {
        est(self.r.c_start)
    }
    /// Lags in steps.
    #[getter]
    fn lag<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        self.r.points.iter().map(|p| p.lag as u64).collect::<Vec<_>>().into_pyarray(py)
    }
    /// Lags in time.
    #[getter]
    fn tau<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |p| p.tau)
    }
    /// ``C(t, t)``.
    #[getter]
    fn c_equal<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |p| p.c_equal.value)
    }
    /// Its SE.
    #[getter]
    fn c_equal_se<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |p| p.c_equal.se)
    }
    /// ``C(t, t')``.
    #[getter]
    fn c<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |p| p.c.value)
    }
    /// Its SE.
    #[getter]
    fn c_se<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |p| p.c.se)
    }
    /// The response ``chi(t, t')``.
    #[getter]
    fn chi<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |p| p.chi.value)
    }
    /// Its SE.
    #[getter]
    fn chi_se<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |p| p.chi.se)
    }
    /// The response at ``2h`` (divided by 2).
    #[getter]
    fn chi_double_field<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |p| p.chi_double.value)
    }
    /// ``T_eff`` at each lag.
    #[getter]
    fn t_eff_lag<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |p| p.t_eff.value)
    }
    /// Its SE.
    #[getter]
    fn t_eff_lag_se<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.col(py, |p| p.t_eff.se)
    }
    /// Closed forms ``(name, value)``.
    #[getter]
    fn predicted(&self) -> Vec<(String, f64)> {
        self.predicted.clone()
    }
    /// ``(t_eff - value) / se`` per closed form, by name.
    #[getter]
    fn z<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (n, v) in &self.predicted {
            d.set_item(n, self.r.t_eff.z(*v))?;
        }
        Ok(d)
    }
    /// Field, time step, paths, jackknife groups, dimension, burn-in and seed.
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("field", self.r.field)?;
        d.set_item("dt", self.r.dt)?;
        d.set_item("paths", self.r.paths)?;
        d.set_item("groups", self.r.groups)?;
        d.set_item("dim", self.r.dim)?;
        d.set_item("burn_in", self.burn_in)?;
        d.set_item("seed", self.seed)?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!(
            "FdtResult(t_eff={} (se {:.2e}), nonlinearity={:.3e}, lags={}, paths={}, seed={})",
            self.r.t_eff.value,
            self.r.t_eff.se,
            self.r.nonlinearity.value,
            self.r.points.len(),
            self.r.paths,
            self.seed
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Replica distance

/// The replica distance ``D(t) = (1/N) E|x^a(t) - x^b(t)|^2`` of copies of a dynamics started
/// together with independent noise (the library's ``replica_distance``; the CLI's ``fracnoise
/// sgd replicas``), averaged over all pairs of ``replicas`` copies and over ``experiments``
/// independent starts (SEs over experiments).
///
/// Parameters
/// ----------
/// dynamics : QuadraticSgd, OUDynamics, TeacherRegression or SphericalPerceptron
/// replicas : int
///     Replicas per experiment (>= 2).
/// experiments : int
///     Independent experiments (>= 2).
/// steps : sequence of int
///     Steps at which ``D`` is measured, increasing (0 allowed).
/// seed : int, SeedSequence, Generator or None
///     An int is the CLI's ``--seed``.
/// level : float
///     Coverage of the intervals.
///
/// Returns
/// -------
/// ReplicaResult
#[pyfunction]
#[pyo3(signature = (dynamics, *, replicas = 2, experiments = 100, steps = None, seed = None, level = 0.95))]
fn replica_distance(
    py: Python<'_>,
    dynamics: &Bound<'_, PyAny>,
    replicas: usize,
    experiments: u64,
    steps: Option<Vec<usize>>,
    seed: Option<&Bound<'_, PyAny>>,
    level: f64,
) -> PyResult<PyReplicaResult> {
    let steps = steps.unwrap_or_else(|| vec![0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]);
    if steps.is_empty() || steps.windows(2).any(|w| w[1] <= w[0]) {
        return Err(invalid("`steps`: give at least one step, in increasing order"));
    }
    let last = *steps.last().unwrap_or(&0);
    let opts = ReplicaOptions { replicas, experiments, steps, level };
    let seed_u = seed_value(seed)?;
    let (d, name) = if let Ok(x) = dynamics.downcast::<PyQuadraticSgd>() {
        (Dyn::Quadratic(&x.get().q), "quadratic")
    } else if let Ok(x) = dynamics.downcast::<PyOuDynamics>() {
        (Dyn::Ou(x.get()), "ou")
    } else if let Ok(x) = dynamics.downcast::<PyTeacherRegression>() {
        (Dyn::Regression(&x.get().m), "regression")
    } else if let Ok(x) = dynamics.downcast::<PySphericalPerceptron>() {
        (Dyn::Perceptron(&x.get().m), "perceptron")
    } else {
        return Err(invalid(format!(
            "`dynamics` must be a QuadraticSgd, OUDynamics, TeacherRegression or SphericalPerceptron, not {}",
            dynamics.get_type().name()?
        )));
    };
    let r = py.allow_threads(|| with_dyn(&d, last, |dy| lib_replicas(dy, Seed::new(seed_u), &opts))).py()?;
    let closed: Option<Vec<f64>> = match d {
        Dyn::Quadratic(q) => Some(r.points.iter().map(|p| q.replica_distance(p.step)).collect()),
        Dyn::Ou(o) => {
            let ou = Ou::new(o.theta, o.mu, o.sigma).py()?;
            Some(r.points.iter().map(|p| ou_distance_euler(&ou, p.step, o.dt)).collect())
        }
        _ => None,
    };
    Ok(PyReplicaResult { r, closed, model: name, seed: seed_u })
}

/// The result of ``replica_distance``. Arrays per measured step: ``step``, ``time``,
/// ``distance`` / ``distance_se``, ``closed_form`` (None where no closed form is known),
/// ``z`` (``(distance - closed_form)/se``, NaN at step 0; None without a closed form),
/// ``loss`` / ``loss_se`` (training loss of the SGD models; None otherwise). ``points``: a list
/// of dicts with ``Estimate``\ s.
#[pyclass(name = "ReplicaResult", module = "fracnoise.sgd", frozen)]
pub struct PyReplicaResult {
    r: ReplicaResult,
    closed: Option<Vec<f64>>,
    model: &'static str,
    seed: u64,
}

#[pymethods]
impl PyReplicaResult {
    /// Measured steps.
    #[getter]
    fn step<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        self.r.points.iter().map(|p| p.step as u64).collect::<Vec<_>>().into_pyarray(py)
    }
    /// Times ``step * dt``.
    #[getter]
    fn time<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.r.points.iter().map(|p| p.time).collect::<Vec<_>>().into_pyarray(py)
    }
    /// ``D(t)``.
    #[getter]
    fn distance<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.r.points.iter().map(|p| p.distance.value).collect::<Vec<_>>().into_pyarray(py)
    }
    /// Its SE (over experiments).
    #[getter]
    fn distance_se<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.r.points.iter().map(|p| p.distance.se).collect::<Vec<_>>().into_pyarray(py)
    }
    /// The closed form of ``D`` at each step, where known.
    #[getter]
    fn closed_form<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyArray1<f64>>> {
        self.closed.as_ref().map(|c| PyArray1::from_slice(py, c))
    }
    /// ``(distance - closed_form) / se`` (NaN at step 0, where both are 0).
    #[getter]
    fn z<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyArray1<f64>>> {
        self.closed.as_ref().map(|c| {
            self.r
                .points
                .iter()
                .zip(c)
                .map(|(p, &v)| if p.step == 0 { f64::NAN } else { p.distance.z(v) })
                .collect::<Vec<_>>()
                .into_pyarray(py)
        })
    }
    /// Training loss (SGD models); None otherwise.
    #[getter]
    fn loss<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyArray1<f64>>> {
        let v: Option<Vec<f64>> = self.r.points.iter().map(|p| p.loss.map(|l| l.value)).collect();
        v.map(|v| v.into_pyarray(py))
    }
    /// Its SE.
    #[getter]
    fn loss_se<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyArray1<f64>>> {
        let v: Option<Vec<f64>> = self.r.points.iter().map(|p| p.loss.map(|l| l.se)).collect();
        v.map(|v| v.into_pyarray(py))
    }
    /// Every point as a dict: ``step``, ``time``, ``distance`` (an ``Estimate``),
    /// ``closed_form``, ``loss`` (an ``Estimate`` or None).
    #[getter]
    fn points<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for (i, p) in self.r.points.iter().enumerate() {
            let d = PyDict::new(py);
            d.set_item("step", p.step)?;
            d.set_item("time", p.time)?;
            d.set_item("distance", est(p.distance))?;
            d.set_item("closed_form", self.closed.as_ref().map(|c| c[i]))?;
            d.set_item("loss", p.loss.map(est))?;
            out.append(d)?;
        }
        Ok(out)
    }
    /// Replicas per experiment.
    #[getter]
    fn replicas(&self) -> usize {
        self.r.replicas
    }
    /// Experiments.
    #[getter]
    fn experiments(&self) -> u64 {
        self.r.experiments
    }
    /// State dimension.
    #[getter]
    fn dim(&self) -> usize {
        self.r.dim
    }
    /// Time step.
    #[getter]
    fn dt(&self) -> f64 {
        self.r.dt
    }
    /// The seed.
    #[getter]
    fn seed(&self) -> u64 {
        self.seed
    }
    fn __repr__(&self) -> String {
        let last = self.r.points.last();
        format!(
            "ReplicaResult(model='{}', dim={}, replicas={}, experiments={}, points={}, last D={} (se {:.2e}))",
            self.model,
            self.r.dim,
            self.r.replicas,
            self.r.experiments,
            self.r.points.len(),
            last.map_or(f64::NAN, |p| p.distance.value),
            last.map_or(f64::NAN, |p| p.distance.se)
        )
    }
}

/// Adds the SGD lab's classes and functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDesign>()?;
    m.add_class::<PyBatching>()?;
    m.add_class::<PySv>()?;
    m.add_class::<PyHeavyBall>()?;
    m.add_class::<PyMomentumResult>()?;
    m.add_class::<PyEscapeResult>()?;
    m.add_class::<PyEscapeLoss>()?;
    m.add_class::<PyLangevin>()?;
    m.add_class::<PyPowerLawEscape>()?;
    m.add_class::<PyStableEscape>()?;
    m.add_class::<PyFgnDescent>()?;
    m.add_class::<PyFbmExit>()?;
    m.add_class::<PyQuadraticSgd>()?;
    m.add_class::<PyMinibatchSgd>()?;
    m.add_class::<PyOuDynamics>()?;
    m.add_class::<PyTeacherRegression>()?;
    m.add_class::<PySphericalPerceptron>()?;
    m.add_class::<PyFdtResult>()?;
    m.add_class::<PyReplicaResult>()?;
    m.add_function(wrap_pyfunction!(minibatch_noise, m)?)?;
    m.add_function(wrap_pyfunction!(noise_autocovariance, m)?)?;
    m.add_function(wrap_pyfunction!(lagged_products, m)?)?;
    m.add_function(wrap_pyfunction!(real_independent_batches, m)?)?;
    m.add_function(wrap_pyfunction!(real_epoch_estimate, m)?)?;
    m.add_function(wrap_pyfunction!(momentum, m)?)?;
    m.add_function(wrap_pyfunction!(escape, m)?)?;
    m.add_function(wrap_pyfunction!(effective_temperature, m)?)?;
    m.add_function(wrap_pyfunction!(replica_distance, m)?)?;
    Ok(())
}
