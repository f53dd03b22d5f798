//! Noise driver classes: Brownian, alpha-stable and fractional drivers (the CLI's), user
//! increments replayed from an array (`ArrayDriver`), a Python function of the path index
//! (`CallableDriver`), `increments` (what a built-in driver feeds each path, for replay), and
//! `DriverSpec`, the driver named by a Python object.

use crate::arrays::{as_f64, empty_f64};
use crate::errors::{invalid, IntoPy};
use crate::models::{call_kept, callable_name, copy_values, ErrorSlot};
use crate::seed::seed_value;
use fracnoise::noise::Stable;
use fracnoise::sde::{Driver, Grid};
use fracnoise::Seed;
use ndarray::Array2;
use numpy::{PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::prelude::*;
use serde_json::{json, Value};
use std::sync::Arc;

/// Brownian driver (Itô): increments ``sqrt(dt) Z``, path ``i`` from the seed's stream ``i``.
///
/// ``stream_version`` selects which normals a seed gives: 6 (current, ``fracnoise.STREAM_VERSION``),
/// 5 and 4 draw them in blocks (the same numbers; the CLI's ``--stream-version 6``); 1 to 3 give
/// the numbers of earlier releases (all three the same for this driver). The law is the same in every version.
#[pyclass(name = "BrownianDriver", module = "fracnoise", frozen)]
pub struct PyBrownianDriver {
    pub(crate) version: fracnoise::StreamVersion,
}

#[pymethods]
impl PyBrownianDriver {
    #[new]
    #[pyo3(signature = (*, stream_version = fracnoise::rng::STREAM_VERSION as i64))]
    fn new(stream_version: i64) -> PyResult<Self> {
        Ok(PyBrownianDriver { version: fracnoise::StreamVersion::from_number(stream_version).py()? })
    }
    /// The stream version (1 to 5).
    #[getter]
    fn stream_version(&self) -> u32 {
        self.version.number()
    }
    fn __repr__(&self) -> String {
        format!("BrownianDriver(stream_version={})", self.version.number())
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
    version: fracnoise::StreamVersion,
}

#[pymethods]
impl PyFbmDriver {
    #[new]
    #[pyo3(signature = (hurst = 0.7, *, stream_version = fracnoise::rng::STREAM_VERSION as i64))]
    fn new(hurst: f64, stream_version: i64) -> PyResult<Self> {
        if !(hurst > 0.0 && hurst < 1.0) {
            return Err(invalid(format!("invalid parameter `hurst` = {hurst}: must be in (0, 1)")));
        }
        let version = fracnoise::StreamVersion::from_number(stream_version).py()?;
        Ok(PyFbmDriver { hurst, version })
    }
    /// Hurst index.
    #[getter]
    fn hurst(&self) -> f64 {
        self.hurst
    }
    /// Which fGn numbers the driver uses (3, current; 2 and 1 reproduce runs made before
    /// versions 3 and 2).
    #[getter]
    fn stream_version(&self) -> u32 {
        self.version.number()
    }
    fn __repr__(&self) -> String {
        format!("FbmDriver(hurst={}, stream_version={})", self.hurst, self.version.number())
    }
}

/// User increments: row ``i`` drives path ``i``.
pub(crate) struct UserIncrements {
    data: Array2<f64>,
    steps: usize,
    noise_dim: usize,
    /// FNV-1a of the bits: names the data in the run's configuration (shards of one run merge,
    /// runs on other data do not).
    checksum: u64,
}

/// Replays user increments ``dL``: an array of shape ``(paths, steps)`` (one noise component) or
/// ``(paths, steps, noise_dim)``; path ``i`` of a run uses row ``i`` (the whole run's index, also
/// in a shard), so ``paths`` must equal the run's ``paths``. The values are copied once.
///
/// The law of user increments is unknown to fracnoise: Euler–Maruyama only (no Milstein, no
/// bridge correction in ``passage``). ``increments(driver, ...)`` gives the increments a built-in
/// driver would use, bit for bit, so a replay of them reproduces that run exactly.
#[pyclass(name = "ArrayDriver", module = "fracnoise", frozen)]
pub struct PyArrayDriver {
    inc: Arc<UserIncrements>,
}

#[pymethods]
impl PyArrayDriver {
    #[new]
    fn new(py: Python<'_>, increments: &Bound<'_, PyAny>) -> PyResult<Self> {
        let a = as_f64(increments, "increments")?;
        let (rows, steps, noise_dim) = match a.shape() {
            [r, s] => (*r, *s, 1),
            [r, s, m] => (*r, *s, *m),
            s => {
                return Err(invalid(format!(
                    "`increments` must have shape (paths, steps) or (paths, steps, noise_dim); got {s:?}"
                )))
            }
        };
        if rows == 0 || steps == 0 || noise_dim == 0 {
            return Err(invalid(format!("`increments` is empty (shape {:?})", a.shape())));
        }
        let ro = a.readonly();
        let v = ro.as_slice().map_err(|e| invalid(format!("`increments`: {e}")))?;
        let inc = py.allow_threads(|| -> PyResult<UserIncrements> {
            if let Some(i) = v.iter().position(|x| !x.is_finite()) {
                return Err(invalid(format!(
                    "`increments` has a non-finite value {} at flat index {i}: every increment must be finite",
                    v[i]
                )));
            }
            let checksum =
                v.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, x| (h ^ x.to_bits()).wrapping_mul(0x0000_0100_0000_01b3));
            let data = Array2::from_shape_vec((rows, steps * noise_dim), v.to_vec())
                .map_err(|e| invalid(format!("internal: increments shape: {e}")))?;
            Ok(UserIncrements { data, steps, noise_dim, checksum })
        })?;
        Ok(PyArrayDriver { inc: Arc::new(inc) })
    }
    /// Number of paths (rows).
    #[getter]
    fn paths(&self) -> usize {
        self.inc.data.nrows()
    }
    /// Steps per path.
    #[getter]
    fn steps(&self) -> usize {
        self.inc.steps
    }
    /// Noise components.
    #[getter]
    fn noise_dim(&self) -> usize {
        self.inc.noise_dim
    }
    fn __repr__(&self) -> String {
        format!(
            "ArrayDriver(paths={}, steps={}, noise_dim={})",
            self.inc.data.nrows(),
            self.inc.steps,
            self.inc.noise_dim
        )
    }
}

/// A Python function ``f(path) -> increments`` (``path`` the path index; the result an array of
/// ``steps`` values, or ``(steps, noise_dim)``). The function must be deterministic in
/// ``path`` for the run to be reproducible and its shards to merge.
///
/// **Slow**: one Python call per path, on one thread (for small runs and experiments). An
/// exception in ``f`` stops the run and is re-raised.
#[pyclass(name = "CallableDriver", module = "fracnoise", frozen)]
pub struct PyCallableDriver {
    f: Py<PyAny>,
    noise_dim: usize,
}

#[pymethods]
impl PyCallableDriver {
    #[new]
    #[pyo3(signature = (f, noise_dim = 1))]
    fn new(f: Bound<'_, PyAny>, noise_dim: usize) -> PyResult<Self> {
        if !f.is_callable() {
            return Err(invalid("`f` must be a callable f(path) -> increments"));
        }
        if noise_dim == 0 {
            return Err(invalid("invalid size `noise_dim` = 0: must be >= 1"));
        }
        Ok(PyCallableDriver { f: f.unbind(), noise_dim })
    }
    /// The function.
    #[getter]
    fn f(&self, py: Python<'_>) -> Py<PyAny> {
        self.f.clone_ref(py)
    }
    /// Noise components.
    #[getter]
    fn noise_dim(&self) -> usize {
        self.noise_dim
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!("CallableDriver(f={}, noise_dim={})", callable_name(py, &self.f), self.noise_dim)
    }
}

/// A driver named by a Python object (None: Brownian).
#[derive(Clone)]
pub(crate) enum DriverSpec {
    Bm { version: fracnoise::StreamVersion },
    Stable { alpha: f64, beta: f64 },
    Fbm { hurst: f64, version: fracnoise::StreamVersion },
    Array(Arc<UserIncrements>),
    Callback { f: Arc<Py<PyAny>>, noise_dim: usize, name: String, error: ErrorSlot },
}

impl DriverSpec {
    pub(crate) fn from_py(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let Some(obj) = obj.filter(|o| !o.is_none()) else {
            return Ok(DriverSpec::Bm { version: fracnoise::StreamVersion::CURRENT });
        };
        if let Ok(d) = obj.downcast::<PyBrownianDriver>() {
            return Ok(DriverSpec::Bm { version: d.get().version });
        }
        if let Ok(d) = obj.downcast::<PyStableDriver>() {
            let d = d.get();
            return Ok(DriverSpec::Stable { alpha: d.alpha, beta: d.beta });
        }
        if let Ok(d) = obj.downcast::<PyFbmDriver>() {
            return Ok(DriverSpec::Fbm { hurst: d.get().hurst, version: d.get().version });
        }
        if let Ok(d) = obj.downcast::<PyArrayDriver>() {
            return Ok(DriverSpec::Array(d.get().inc.clone()));
        }
        if let Ok(d) = obj.downcast::<PyCallableDriver>() {
            let d = d.get();
            let py = obj.py();
            return Ok(DriverSpec::Callback {
                f: Arc::new(d.f.clone_ref(py)),
                noise_dim: d.noise_dim,
                name: callable_name(py, &d.f),
                error: ErrorSlot::default(),
            });
        }
        Err(invalid(format!(
            "`driver` must be None or one of fracnoise.BrownianDriver, StableDriver, FbmDriver, ArrayDriver, \
             CallableDriver, not {}",
            obj.get_type().name()?
        )))
    }

    /// The driver with `noise_dim` components on `grid` for a run of `paths` paths, and its JSON
    /// description (the CLI's for the built-in drivers).
    pub(crate) fn build(&self, grid: Grid, noise_dim: usize, paths: u64) -> PyResult<(Driver, Value)> {
        let n = grid.n_steps();
        Ok(match self {
            DriverSpec::Bm { version } => {
                // The CLI's description (`bm_json` in cli/src/simulate.rs): versions 1 to 3 give the
                // same numbers and keep the old `{"kind": "bm"}`, so their shards merge with old ones.
                // Versions 4 and 5 give the same numbers and both say 4 (`brownian_numbers`).
                let j = if version.lane_brownian() {
                    json!({"kind": "bm", "stream_version": version.brownian_numbers().number()})
                } else {
                    json!({"kind": "bm"})
                };
                (Driver::brownian_with_version(grid, noise_dim, *version).py()?, j)
            }
            DriverSpec::Fbm { hurst, version } => {
                let j = json!({"kind": "fbm", "hurst": hurst, "stream_version": version.number()});
                (Driver::fractional_with_version(grid, noise_dim, *hurst, *version).py()?, j)
            }
            DriverSpec::Stable { alpha, beta } => {
                let law = Stable::standard(*alpha, *beta).py()?;
                let j = json!({"kind": "stable", "alpha": alpha, "beta": beta, "param": "S1"});
                (Driver::stable(grid, noise_dim, law).py()?, j)
            }
            DriverSpec::Array(inc) => {
                let rows = inc.data.nrows() as u64;
                if inc.steps != n || inc.noise_dim != noise_dim || rows != paths {
                    return Err(invalid(format!(
                        "ArrayDriver holds {rows} paths x {} steps x {} noise components, but the run has paths = \
                         {paths}, steps = {n} and the model {noise_dim} noise components",
                        inc.steps, inc.noise_dim
                    )));
                }
                let j = json!({"kind": "array", "paths": rows, "checksum": format!("{:016x}", inc.checksum)});
                (Driver::from_increments(grid, noise_dim, inc.data.clone()).py()?, j)
            }
            DriverSpec::Callback { f, noise_dim: m, name, error } => {
                if *m != noise_dim {
                    return Err(invalid(format!(
                        "CallableDriver has noise_dim = {m} but the model has {noise_dim} noise components"
                    )));
                }
                let (f, error) = (f.clone(), error.clone());
                let steps = grid.n_steps();
                let d = Driver::from_fn(grid, noise_dim, move |path, out| {
                    let (one, full) = ([steps], [steps, noise_dim]);
                    let shapes: &[&[usize]] = if noise_dim == 1 { &[&one, &full] } else { &[&full] };
                    let ok = call_kept(&error, |py| {
                        copy_values(f.call1(py, (path,))?.bind(py), "driver f(path)", shapes, out)
                    });
                    if ok {
                        Ok(())
                    } else {
                        Err(fracnoise::Error::InvalidInput("the Python driver function raised".into()))
                    }
                })
                .py()?;
                (d, json!({"kind": "python", "name": name, "noise_dim": noise_dim}))
            }
        })
    }

    /// True for a Brownian driver (bridge corrections apply).
    pub(crate) fn is_brownian(&self) -> bool {
        matches!(self, DriverSpec::Bm { .. })
    }

    /// True when the driver calls Python (runs then use one thread).
    pub(crate) fn is_callback(&self) -> bool {
        matches!(self, DriverSpec::Callback { .. })
    }

    /// True for an alpha-stable driver of infinite variance.
    pub(crate) fn infinite_variance(&self) -> bool {
        matches!(self, DriverSpec::Stable { alpha, .. } if *alpha < 2.0)
    }

    /// The kept Python exception of a callable driver, if any.
    pub(crate) fn take_error(&self) -> Option<PyErr> {
        match self {
            DriverSpec::Callback { error, .. } => error.lock().unwrap_or_else(|p| p.into_inner()).take(),
            _ => None,
        }
    }
}

/// The increments ``dL`` a driver feeds paths ``first_path .. first_path + paths`` of the run
/// named by ``seed`` (the library's ``Driver::record``): shape ``(paths, steps)``, or
/// ``(paths, steps, noise_dim)`` when ``noise_dim > 1``. Replayed through ``ArrayDriver``
/// (with ``first_path = 0``) they reproduce the driver's run bit for bit.
///
/// Parameters
/// ----------
/// driver : BrownianDriver, StableDriver, FbmDriver or None (Brownian)
/// paths, steps, dt :
///     As for ``simulate``.
/// seed :
///     As for ``simulate`` (an int: the bits of ``fracnoise simulate --seed``).
/// noise_dim : int
///     Noise components (the model's ``noise_dim``; 1 for scalar models).
#[pyfunction]
#[pyo3(signature = (driver = None, *, paths, steps, dt, seed = None, noise_dim = 1, first_path = 0))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn increments<'py>(
    py: Python<'py>,
    driver: Option<&Bound<'py, PyAny>>,
    paths: u64,
    steps: usize,
    dt: f64,
    seed: Option<&Bound<'py, PyAny>>,
    noise_dim: usize,
    first_path: u64,
) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
    let spec = DriverSpec::from_py(driver)?;
    if matches!(spec, DriverSpec::Array(_) | DriverSpec::Callback { .. }) {
        return Err(invalid("`increments` records a built-in driver (BrownianDriver, StableDriver, FbmDriver)"));
    }
    if paths == 0 || noise_dim == 0 {
        return Err(invalid("invalid size: `paths` and `noise_dim` must be >= 1"));
    }
    let end = first_path
        .checked_add(paths)
        .ok_or_else(|| invalid(format!("first_path {first_path} + paths {paths} runs past the last path index")))?;
    let grid = Grid::new(steps, dt).py()?;
    let (d, _) = spec.build(grid, noise_dim, paths)?;
    let total = u128::from(paths) * steps as u128 * noise_dim as u128;
    if total > (isize::MAX as u128) / 8 {
        return Err(invalid(format!("paths = {paths} x {steps} steps x {noise_dim} components is too large")));
    }
    let mut shape = vec![paths as usize, steps];
    if noise_dim > 1 {
        shape.push(noise_dim);
    }
    let out = empty_f64(py, &shape)?;
    {
        let mut rw = out.readwrite();
        let buf = rw.as_slice_mut().map_err(|e| invalid(format!("internal: increments: {e}")))?;
        let seed = Seed::new(seed_value(seed)?);
        let rec = py.allow_threads(|| d.record(seed, first_path..end)).py()?;
        let src = rec.as_slice().ok_or_else(|| invalid("internal: recorded increments are not contiguous"))?;
        buf.copy_from_slice(src);
    }
    Ok(out)
}

/// Adds the driver classes and `increments` to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBrownianDriver>()?;
    m.add_class::<PyStableDriver>()?;
    m.add_class::<PyFbmDriver>()?;
    m.add_class::<PyArrayDriver>()?;
    m.add_class::<PyCallableDriver>()?;
    m.add_function(wrap_pyfunction!(increments, m)?)?;
    Ok(())
}
