//! SDE model classes: the built-in scalar models (BM, OU, GBM, DoubleWell, PowerLaw; one macro
//! writes their classes), the linear system `LinearSDE`, Python callables (`SDE`, scalar or
//! vector), and `ModelSpec`, the model named by a Python object, handed to generic code.

use crate::arrays::as_f64;
use crate::errors::{invalid, IntoPy};
use fracnoise::sde::models::{BrownianDrift, DoubleWell, Gbm, Ou, PowerLaw};
use fracnoise::sde::{DiffusionShape, GaussianMoments, LinearSde, ScalarModel, VectorModel};
use numpy::{PyArray1, PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::prelude::*;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// A first Python exception kept by a callback (the caller re-raises it after the run).
pub(crate) type ErrorSlot = Arc<Mutex<Option<PyErr>>>;

/// Calls `f` unless an exception is already kept; keeps the first exception. `false` when the
/// call was skipped or failed (the caller then writes NaN, which stops the path).
pub(crate) fn call_kept(slot: &ErrorSlot, f: impl FnOnce(Python<'_>) -> PyResult<()>) -> bool {
    let mut kept = slot.lock().unwrap_or_else(|p| p.into_inner());
    if kept.is_some() {
        return false;
    }
    match Python::with_gil(f) {
        Ok(()) => true,
        Err(e) => {
            *kept = Some(e);
            false
        }
    }
}

/// The name of a Python callable (its `__qualname__`), for reprs and configurations.
pub(crate) fn callable_name(py: Python<'_>, f: &Py<PyAny>) -> String {
    f.bind(py).getattr("__qualname__").and_then(|n| n.extract::<String>()).unwrap_or_else(|_| "<callable>".into())
}

/// Copies the float64 values of `v` (any shape, C order) into `out`; errors name `what`.
pub(crate) fn copy_values(v: &Bound<'_, PyAny>, what: &str, shapes: &[&[usize]], out: &mut [f64]) -> PyResult<()> {
    let a = as_f64(v, what)?;
    if !shapes.iter().any(|&sh| sh == a.shape()) {
        // numpy's notation: (3,) and (2, 3).
        let show = |sh: &[usize]| match sh {
            [k] => format!("({k},)"),
            _ => format!("({})", sh.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(", ")),
        };
        let allowed: Vec<String> = shapes.iter().map(|sh| show(sh)).collect();
        return Err(invalid(format!(
            "`{what}` gave an array of shape {}; expected shape {}",
            show(a.shape()),
            allowed.join(" or ")
        )));
    }
    let ro = a.readonly();
    let s = ro.as_slice().map_err(|e| invalid(format!("`{what}`: {e}")))?;
    debug_assert_eq!(s.len(), out.len(), "every accepted shape holds out.len() values");
    out.copy_from_slice(s);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Built-in scalar models

/// A frozen class around a built-in model `$ty` (whose `new` takes the parameters in order and
/// whose fields are the parameters): constructor with defaults, getters, repr, and the CLI's
/// JSON description (`{"name": cli name, parameter: value, ...}`, as `fracnoise simulate`).
macro_rules! model_class {
    (
        $(#[$doc:meta])*
        $py:ident = $name:literal, cli $cli:literal, $ty:ident {
            $($p:ident = $def:literal: $pdoc:literal),+ $(,)?
        }
        $($extra:tt)*
    ) => {
        $(#[$doc])*
        #[pyclass(name = $name, module = "fracnoise", frozen)]
        pub struct $py {
            m: $ty,
        }

        impl $py {
            /// The CLI's JSON description.
            fn json(&self) -> Value {
                let mut o = serde_json::Map::new();
                o.insert("name".into(), $cli.into());
                $(o.insert(stringify!($p).into(), self.m.$p.into());)+
                Value::Object(o)
            }
        }

        #[pymethods]
        impl $py {
            #[new]
            #[pyo3(signature = ($($p = $def),+))]
            fn new($($p: f64),+) -> PyResult<Self> {
                Ok($py { m: $ty::new($($p),+).py()? })
            }
            $(
                #[doc = $pdoc]
                #[getter]
                fn $p(&self) -> f64 {
                    self.m.$p
                }
            )+
            fn __repr__(&self) -> String {
                let parts: Vec<String> = vec![$(format!("{}={}", stringify!($p), self.m.$p)),+];
                format!("{}({})", $name, parts.join(", "))
            }
            $($extra)*
        }
    };
}

model_class! {
    /// Brownian motion with drift, ``dX = mu dt + sigma dL`` (any driver).
    PyBm = "BM", cli "bm", BrownianDrift { mu = 0.0: "Drift.", sigma = 1.0: "Noise amplitude." }
}

model_class! {
    /// Ornstein–Uhlenbeck, ``dX = theta (mu - X) dt + sigma dL`` (fractional OU with an
    /// ``FbmDriver``, Lévy OU with a ``StableDriver``).
    PyOu = "OU", cli "ou", Ou {
        theta = 1.0: "Mean-reversion rate.",
        mu = 0.0: "Long-run mean.",
        sigma = 1.0: "Noise amplitude.",
    }
    /// ``E X_t`` from ``x0`` (Brownian driver): ``mu + (x0 - mu) exp(-theta t)``.
    fn mean(&self, t: f64, x0: f64) -> f64 {
        self.m.mean(t, x0)
    }
    /// ``Var X_t`` (Brownian driver): ``sigma^2 (1 - exp(-2 theta t)) / (2 theta)``.
    fn variance(&self, t: f64) -> f64 {
        self.m.variance(t)
    }
}

model_class! {
    /// Geometric Brownian motion, ``dX = mu X dt + sigma X dL`` (Itô; default ``x0 = 1``).
    PyGbm = "GBM", cli "gbm", Gbm { mu = 0.0: "Drift rate.", sigma = 1.0: "Volatility." }
}

model_class! {
    /// Double well, ``dX = (b X - a X^3) dt + sigma dL`` (potential ``a x^4/4 - b x^2/2``).
    PyDoubleWell = "DoubleWell", cli "double-well", DoubleWell {
        a = 1.0: "Quartic coefficient.",
        b = 1.0: "Quadratic coefficient.",
        sigma = 1.0: "Noise amplitude.",
    }
}

model_class! {
    /// Power-law dynamic of SGD, ``dX = -h X dt + sqrt(2 eta (sigma_g + sigma_h X^2)) dW`` (Itô;
    /// stationary law a scaled Student t).
    PyPowerLaw = "PowerLaw", cli "power-law", PowerLaw {
        h = 1.0: "Curvature.",
        eta = 0.1: "Learning rate.",
        sigma_g = 1.0: "Constant noise variance.",
        sigma_h = 1.0: "Quadratic noise variance.",
    }
    /// Stationary variance (Itô), infinite when the tail is too heavy.
    fn stationary_variance(&self) -> f64 {
        self.m.stationary_variance()
    }
}

// ---------------------------------------------------------------------------------------------
// Linear systems

/// A finite float64 matrix (2-D; a 1-D input of length `rows` is a column when `column`) as
/// `(rows, cols, row-major values)`.
fn matrix(x: &Bound<'_, PyAny>, name: &str, column: bool) -> PyResult<(usize, usize, Vec<f64>)> {
    let a = as_f64(x, name)?;
    let (r, c) = match a.shape() {
        [n] if column => (*n, 1),
        [r, c] => (*r, *c),
        s => return Err(invalid(format!("`{name}` must be a 2-D array (a matrix); got shape {s:?}"))),
    };
    let v = a.readonly().as_slice().map_err(|e| invalid(format!("`{name}`: {e}")))?.to_vec();
    if let Some(bad) = v.iter().find(|x| !x.is_finite()) {
        return Err(invalid(format!("`{name}` has a non-finite entry ({bad}): every entry must be finite")));
    }
    Ok((r, c, v))
}

/// A linear SDE system ``dX = (b - A X) dt + B dL``: ``X`` in ``R^d``, ``A`` a ``d x d`` matrix,
/// ``B`` a ``d x m`` matrix (``m`` noise components; a 1-D ``B`` is one column), ``b`` a vector
/// of length ``d`` (default 0). A multivariate OU process when the eigenvalues of ``A`` have
/// positive real parts.
///
/// With a Brownian driver the law is Gaussian with ``m'(t) = b - A m`` and
/// ``P'(t) = -A P - P A^T + B B^T`` (stationary covariance: the Lyapunov equation
/// ``A P + P A^T = B B^T``; Gardiner 2009, Sec. 4.5.6). Euler–Maruyama is the linear Gaussian
/// chain ``X_{k+1} = (I - h A) X_k + h b + B dW_k``, whose mean and covariance obey
/// ``m_{k+1} = (I - h A) m_k + h b``, ``P_{k+1} = (I - h A) P_k (I - h A)^T + h B B^T`` exactly
/// (derived: one step of a linear map of independent Gaussians).
///
/// Runs in the library's loops on every core (no Python calls).
#[pyclass(name = "LinearSDE", module = "fracnoise", frozen)]
pub struct PyLinearSde {
    model: LinearSde,
}

/// A Gaussian state's `(mean, covariance)` as numpy arrays of shapes `(d,)` and `(d, d)`.
type MeanCov<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArrayDyn<f64>>);

impl PyLinearSde {
    fn pair<'py>(&self, py: Python<'py>, g: GaussianMoments) -> PyResult<MeanCov<'py>> {
        let d = self.model.dim();
        Ok((PyArray1::from_slice(py, &g.mean), PyArray1::from_slice(py, &g.covariance).reshape(vec![d, d])?))
    }
}

#[pymethods]
impl PyLinearSde {
    #[new]
    #[pyo3(signature = (A, B, b = None))]
    #[allow(non_snake_case)]
    fn new(A: &Bound<'_, PyAny>, B: &Bound<'_, PyAny>, b: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let (d, c, a) = matrix(A, "A", false)?;
        if d != c || d == 0 {
            return Err(invalid(format!("`A` must be a square d x d matrix with d >= 1; got {d} x {c}")));
        }
        let (r, m, s) = matrix(B, "B", true)?;
        if r != d || m == 0 {
            return Err(invalid(format!("`B` must be d x m with d = {d} (the size of A) and m >= 1; got {r} x {m}")));
        }
        let b = match b.filter(|v| !v.is_none()) {
            None => vec![0.0; d],
            Some(v) => {
                let (n, one, v) = matrix(v, "b", true)?;
                if n != d || one != 1 {
                    return Err(invalid(format!("`b` must be a vector of length d = {d}; got {n} x {one}")));
                }
                v
            }
        };
        Ok(PyLinearSde { model: LinearSde::new(d, m, a, s, b).py()? })
    }
    /// The exact mean and covariance at time ``t`` from ``x0`` with a Brownian driver (default
    /// ``x0``: zeros): ``(mean, cov)``, arrays of shape ``(d,)`` and ``(d, d)``. From the matrix
    /// exponentials of Van Loan (1978): ``m(t) = e^{-At} x0 + (int_0^t e^{-Au} du) b``,
    /// ``P(t) = int_0^t e^{-Au} B B^T e^{-A^T u} du`` (the library's ``LinearSde::moments``).
    #[pyo3(signature = (t, x0 = None))]
    fn moments<'py>(&self, py: Python<'py>, t: f64, x0: Option<Vec<f64>>) -> PyResult<MeanCov<'py>> {
        let x0 = x0.unwrap_or_else(|| vec![0.0; self.model.dim()]);
        let g = self.model.moments(t, &x0).py()?;
        self.pair(py, g)
    }
    /// The exact mean and covariance of the Euler–Maruyama chain after ``steps`` steps of ``dt``
    /// from ``x0`` (default zeros): ``m_{k+1} = (I - h A) m_k + h b``,
    /// ``P_{k+1} = (I - h A) P_k (I - h A)^T + h B B^T``: what ``simulate`` estimates, with no
    /// discretisation bias.
    #[pyo3(signature = (steps, dt, x0 = None))]
    fn euler_moments<'py>(&self, py: Python<'py>, steps: i64, dt: f64, x0: Option<Vec<f64>>) -> PyResult<MeanCov<'py>> {
        let steps = usize::try_from(steps)
            .map_err(|_| invalid(format!("invalid parameter `steps` = {steps}: must be >= 0")))?;
        let x0 = x0.unwrap_or_else(|| vec![0.0; self.model.dim()]);
        let g = self.model.euler_moments(steps, dt, &x0).py()?;
        self.pair(py, g)
    }
    /// The drift matrix ``A`` (``d x d``).
    #[getter]
    #[allow(non_snake_case)]
    fn A<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
        PyArray1::from_slice(py, self.model.a()).reshape(vec![self.model.dim(); 2])
    }
    /// The diffusion matrix ``B`` (``d x m``).
    #[getter]
    #[allow(non_snake_case)]
    fn B<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
        let m = &self.model;
        PyArray1::from_slice(py, m.b_matrix()).reshape(vec![m.dim(), m.noise_dim()])
    }
    /// The constant drift ``b`` (``d``).
    #[getter]
    fn b<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, self.model.b())
    }
    /// State dimension ``d``.
    #[getter]
    fn dim(&self) -> usize {
        self.model.dim()
    }
    /// Noise dimension ``m``.
    #[getter]
    fn noise_dim(&self) -> usize {
        self.model.noise_dim()
    }
    fn __repr__(&self) -> String {
        format!("LinearSDE(dim={}, noise_dim={})", self.model.dim(), self.model.noise_dim())
    }
}

// ---------------------------------------------------------------------------------------------
// Python callables

/// An SDE ``dX = drift(t, X) dt + diffusion(t, X) dL`` from Python functions.
///
/// Scalar (``dim=None``, the default): ``drift(t, x)`` and ``diffusion(t, x)`` take and return
/// floats; ``diffusion_dx`` (``d diffusion / dx``) enables Milstein.
///
/// Vector (``dim=d``): ``x`` is a float64 array of shape ``(d,)``; ``drift`` returns ``d``
/// values; ``diffusion`` returns the ``d`` diagonal entries (``noise_dim=None``: ``d``
/// independent noises, ``dX_i = b_i dt + s_i dL_i``) or a ``(d, noise_dim)`` matrix. Results are
/// per component (``mean`` of shape ``(times, d)``). Euler–Maruyama only.
///
/// **Slow**: every step of every path calls Python (about a microsecond or more each, one
/// thread); use it for small runs and to prototype, and the built-in models (``LinearSDE`` for
/// linear systems) for big ensembles. An exception in a function stops the run and is re-raised.
#[pyclass(name = "SDE", module = "fracnoise", frozen)]
pub struct PySde {
    drift: Py<PyAny>,
    diffusion: Py<PyAny>,
    diffusion_dx: Option<Py<PyAny>>,
    dim: Option<usize>,
    noise_dim: Option<usize>,
}

#[pymethods]
impl PySde {
    #[new]
    #[pyo3(signature = (drift, diffusion, diffusion_dx = None, *, dim = None, noise_dim = None))]
    fn new(
        drift: Bound<'_, PyAny>,
        diffusion: Bound<'_, PyAny>,
        diffusion_dx: Option<Bound<'_, PyAny>>,
        dim: Option<usize>,
        noise_dim: Option<usize>,
    ) -> PyResult<Self> {
        for (name, f) in
            [("drift", Some(&drift)), ("diffusion", Some(&diffusion)), ("diffusion_dx", diffusion_dx.as_ref())]
        {
            if let Some(f) = f {
                if !f.is_callable() {
                    return Err(invalid(format!("`{name}` must be a callable f(t, x)")));
                }
            }
        }
        match (dim, noise_dim) {
            (Some(0), _) => return Err(invalid("invalid size `dim` = 0: must be >= 1 (or None for a scalar SDE)")),
            (_, Some(0)) => return Err(invalid("invalid size `noise_dim` = 0: must be >= 1 (or None)")),
            (None, Some(_)) => return Err(invalid("`noise_dim` needs `dim` (a vector SDE)")),
            (Some(_), _) if diffusion_dx.is_some() => {
                return Err(invalid("`diffusion_dx` is for scalar SDEs (Milstein); vector SDEs use Euler–Maruyama"))
            }
            _ => {}
        }
        Ok(PySde {
            drift: drift.unbind(),
            diffusion: diffusion.unbind(),
            diffusion_dx: diffusion_dx.map(|f| f.unbind()),
            dim,
            noise_dim,
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
    /// State dimension (None: scalar).
    #[getter]
    fn dim(&self) -> Option<usize> {
        self.dim
    }
    /// Noise dimension (None: scalar, or diagonal noise).
    #[getter]
    fn noise_dim(&self) -> Option<usize> {
        self.noise_dim
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let (b, s) = (callable_name(py, &self.drift), callable_name(py, &self.diffusion));
        match self.dim {
            None => format!("SDE(drift={b}, diffusion={s})"),
            Some(d) => format!("SDE(drift={b}, diffusion={s}, dim={d}, noise_dim={:?})", self.noise_dim),
        }
    }
}

/// A scalar model calling Python: the first exception is kept (and NaN returned, which stops the
/// path with a non-finite state); the caller re-raises the kept exception.
pub(crate) struct CallbackModel {
    drift: Py<PyAny>,
    diffusion: Py<PyAny>,
    diffusion_dx: Option<Py<PyAny>>,
    error: ErrorSlot,
}

impl CallbackModel {
    fn call(&self, f: &Py<PyAny>, t: f64, x: f64) -> f64 {
        let mut v = f64::NAN;
        call_kept(&self.error, |py| {
            v = f.call1(py, (t, x))?.extract::<f64>(py)?;
            Ok(())
        });
        v
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

/// A vector model calling Python (errors kept as for [`CallbackModel`]).
pub(crate) struct VectorCallback {
    drift: Py<PyAny>,
    diffusion: Py<PyAny>,
    dim: usize,
    shape: DiffusionShape,
    error: ErrorSlot,
}

impl VectorCallback {
    fn call(&self, f: &Py<PyAny>, what: &str, shapes: &[&[usize]], t: f64, x: &[f64], out: &mut [f64]) {
        let ok = call_kept(&self.error, |py| {
            let v = f.call1(py, (t, PyArray1::from_slice(py, x)))?;
            copy_values(v.bind(py), what, shapes, out)
        });
        if !ok {
            out.fill(f64::NAN);
        }
    }
}

impl VectorModel for VectorCallback {
    fn dim(&self) -> usize {
        self.dim
    }
    fn shape(&self) -> DiffusionShape {
        self.shape
    }
    fn drift(&self, t: f64, x: &[f64], out: &mut [f64]) {
        self.call(&self.drift, "drift(t, x)", &[&[self.dim]], t, x, out)
    }
    /// Diagonal: the `(d,)` diagonal; full: the `(d, m)` matrix (also `(d,)` when `m = 1`), never
    /// a transposed or reshaped array with the right count.
    fn diffusion(&self, t: f64, x: &[f64], out: &mut [f64]) {
        let d = self.dim;
        match self.shape {
            DiffusionShape::Diagonal => self.call(&self.diffusion, "diffusion(t, x)", &[&[d]], t, x, out),
            DiffusionShape::Full { noise_dim: 1 } => {
                self.call(&self.diffusion, "diffusion(t, x)", &[&[d, 1], &[d]], t, x, out)
            }
            DiffusionShape::Full { noise_dim: m } => {
                self.call(&self.diffusion, "diffusion(t, x)", &[&[d, m]], t, x, out)
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The model named by a Python object

/// A model named by a Python object, with its JSON description (the CLI's for built-in models).
pub(crate) enum ModelSpec {
    Bm(BrownianDrift, Value),
    Ou(Ou, Value),
    Gbm(Gbm, Value),
    DoubleWell(DoubleWell, Value),
    PowerLaw(PowerLaw, Value),
    Callback(CallbackModel, Value),
    Linear(LinearSde, Value),
    VectorCallback(VectorCallback, Value),
}

impl ModelSpec {
    pub(crate) fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        let py = obj.py();
        macro_rules! builtin {
            ($($py:ident => $var:ident),+) => {
                $(if let Ok(m) = obj.downcast::<$py>() {
                    let g = m.get();
                    return Ok(ModelSpec::$var(g.m, g.json()));
                })+
            };
        }
        builtin!(PyOu => Ou, PyBm => Bm, PyGbm => Gbm, PyDoubleWell => DoubleWell, PyPowerLaw => PowerLaw);
        if let Ok(m) = obj.downcast::<PyLinearSde>() {
            let l = &m.get().model;
            let rows = |v: &[f64], c: usize| v.chunks(c).map(|r| r.to_vec()).collect::<Vec<_>>();
            let (d, m) = (l.dim(), l.noise_dim());
            let j = json!({"name": "linear", "dim": d, "noise_dim": m, "A": rows(l.a(), d),
                           "B": rows(l.b_matrix(), m), "b": l.b()});
            return Ok(ModelSpec::Linear(l.clone(), j));
        }
        if let Ok(m) = obj.downcast::<PySde>() {
            let g = m.get();
            let repr = g.__repr__(py);
            let (drift, diffusion) = (g.drift.clone_ref(py), g.diffusion.clone_ref(py));
            let error = ErrorSlot::default();
            return Ok(match g.dim {
                None => ModelSpec::Callback(
                    CallbackModel {
                        drift,
                        diffusion,
                        diffusion_dx: g.diffusion_dx.as_ref().map(|f| f.clone_ref(py)),
                        error,
                    },
                    json!({"name": "python", "repr": repr}),
                ),
                Some(dim) => {
                    let shape = match g.noise_dim {
                        None => DiffusionShape::Diagonal,
                        Some(noise_dim) => DiffusionShape::Full { noise_dim },
                    };
                    let j = json!({"name": "python", "repr": repr, "dim": dim, "noise_dim": g.noise_dim});
                    ModelSpec::VectorCallback(VectorCallback { drift, diffusion, dim, shape, error }, j)
                }
            });
        }
        Err(invalid(format!(
            "`model` must be one of fracnoise.OU, BM, GBM, DoubleWell, PowerLaw, LinearSDE or SDE, not {}",
            obj.get_type().name()?
        )))
    }

    /// The default start: 1 for GBM, 0 otherwise (as the CLI).
    pub(crate) fn default_x0(&self) -> f64 {
        if matches!(self, ModelSpec::Gbm(..)) {
            1.0
        } else {
            0.0
        }
    }

    /// The state dimension of a vector model (`None` for scalar models).
    pub(crate) fn vector_dim(&self) -> Option<usize> {
        match self {
            ModelSpec::Linear(l, _) => Some(l.dim()),
            ModelSpec::VectorCallback(v, _) => Some(v.dim),
            _ => None,
        }
    }

    /// The kept Python exception of a callback model, if any.
    pub(crate) fn take_error(&self) -> Option<PyErr> {
        let slot = match self {
            ModelSpec::Callback(m, _) => &m.error,
            ModelSpec::VectorCallback(m, _) => &m.error,
            _ => return None,
        };
        slot.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    pub(crate) fn is_callback(&self) -> bool {
        matches!(self, ModelSpec::Callback(..) | ModelSpec::VectorCallback(..))
    }
}

/// Something to do with a model of any type (each built-in model is its own type).
pub(crate) trait ModelUser {
    type Out;
    /// With a scalar model.
    fn with<M: ScalarModel>(self, model: &M, model_json: Value) -> Self::Out;
    /// With a vector model.
    fn with_vector<M: VectorModel>(self, model: &M, model_json: Value) -> Self::Out;
}

/// Hands the model of `spec` and its JSON description to `u`.
pub(crate) fn with_model<U: ModelUser>(spec: &ModelSpec, u: U) -> U::Out {
    match spec {
        ModelSpec::Bm(m, j) => u.with(m, j.clone()),
        ModelSpec::Ou(m, j) => u.with(m, j.clone()),
        ModelSpec::Gbm(m, j) => u.with(m, j.clone()),
        ModelSpec::DoubleWell(m, j) => u.with(m, j.clone()),
        ModelSpec::PowerLaw(m, j) => u.with(m, j.clone()),
        ModelSpec::Callback(m, j) => u.with(m, j.clone()),
        ModelSpec::Linear(m, j) => u.with_vector(m, j.clone()),
        ModelSpec::VectorCallback(m, j) => u.with_vector(m, j.clone()),
    }
}

/// Adds the model classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBm>()?;
    m.add_class::<PyOu>()?;
    m.add_class::<PyGbm>()?;
    m.add_class::<PyDoubleWell>()?;
    m.add_class::<PyPowerLaw>()?;
    m.add_class::<PyLinearSde>()?;
    m.add_class::<PySde>()?;
    Ok(())
}
