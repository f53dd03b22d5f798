//! `StableLaw`: the alpha-stable density, CDF, survival function and quantiles of
//! `fracnoise::noise::Stable` (Nolan's integral representation, `src/noise/stable_law.rs`), over
//! numpy arrays of any shape, evaluated in parallel with the GIL released.

use crate::arrays::{as_f64, empty_f64};
use crate::errors::{invalid, IntoPy};
use crate::noise::parametrization;
use fracnoise::noise::{Parametrization, Stable};
use numpy::{PyArrayMethods, PyUntypedArrayMethods};
use pyo3::prelude::*;
use rayon::prelude::*;

/// An alpha-stable law in Nolan's S0 or S1 parametrisation, with numerical density, CDF,
/// survival function and quantiles (absolute accuracy about 1e-14 against Nolan's STABLE
/// program; see ``validation/README.md`` §4 of the repository).
///
/// Parameters
/// ----------
/// alpha : float
///     Stability index in (0, 2].
/// beta : float
///     Skewness in [-1, 1].
/// scale : float
///     Scale gamma (> 0). **At alpha = 2 the law is N(loc, 2 scale**2)**.
/// loc : float
///     Location delta, in the parametrisation ``param``.
/// param : {"S1", "S0"}
///     S1 (Samorodnitsky–Taqqu, scipy's ``levy_stable`` default) or S0 (continuous in alpha).
///
/// The methods ``pdf``, ``logpdf``, ``cdf``, ``sf`` take a float or an array of any shape and
/// return the same shape (a float for a float); ``ppf`` takes probabilities in [0, 1]. The names
/// are scipy.stats'. Each point costs tens of microseconds (an adaptive quadrature); arrays are
/// evaluated on every core.
#[pyclass(name = "StableLaw", module = "fracnoise", frozen)]
pub struct PyStableLaw {
    law: Stable,
}

#[derive(Clone, Copy)]
enum Fun {
    Pdf,
    LogPdf,
    Cdf,
    Sf,
    Ppf,
}

impl PyStableLaw {
    /// Applies `f` elementwise to `x` (a float or an array), in parallel without the GIL.
    fn apply<'py>(&self, x: &Bound<'py, PyAny>, f: Fun) -> PyResult<Bound<'py, PyAny>> {
        let py = x.py();
        let name = if matches!(f, Fun::Ppf) { "q" } else { "x" };
        let a = as_f64(x, name)?;
        let ro = a.readonly();
        let data = ro.as_slice().map_err(|e| invalid(format!("`{name}`: {e}")))?;
        if matches!(f, Fun::Ppf) {
            if let Some(q) = data.iter().find(|q| !(0.0..=1.0).contains(*q)) {
                return Err(invalid(format!("invalid probability `q` = {q}: must be in [0, 1]")));
            }
        }
        let law = &self.law;
        let eval = |v: f64| -> fracnoise::Result<f64> {
            Ok(match f {
                Fun::Pdf => law.pdf(v),
                Fun::LogPdf => law.log_pdf(v),
                Fun::Cdf => law.cdf(v),
                Fun::Sf => law.sf(v),
                Fun::Ppf => law.quantile(v)?,
            })
        };
        let out = empty_f64(py, a.shape())?;
        {
            let mut rw = out.readwrite();
            let dst = rw.as_slice_mut().map_err(|e| invalid(format!("output: {e}")))?;
            py.allow_threads(|| {
                dst.par_iter_mut().zip(data.par_iter()).try_for_each(|(o, &v)| {
                    *o = eval(v)?;
                    Ok::<_, fracnoise::Error>(())
                })
            })
            .py()?;
        }
        if a.ndim() == 0 || x.is_instance_of::<pyo3::types::PyFloat>() || x.is_instance_of::<pyo3::types::PyInt>() {
            let ro = out.readonly();
            let v = ro.as_slice().map_err(|e| invalid(format!("output: {e}")))?[0];
            return Ok(v.into_pyobject(py)?.into_any());
        }
        Ok(out.into_any())
    }
}

#[pymethods]
impl PyStableLaw {
    #[new]
    #[pyo3(signature = (alpha, beta = 0.0, scale = 1.0, loc = 0.0, *, param = "S1"))]
    fn new(alpha: f64, beta: f64, scale: f64, loc: f64, param: &str) -> PyResult<Self> {
        let law = Stable::new(alpha, beta, scale, loc, parametrization(param)?).py()?;
        Ok(PyStableLaw { law })
    }

    /// Stability index alpha.
    #[getter]
    fn alpha(&self) -> f64 {
        self.law.alpha()
    }

    /// Skewness beta.
    #[getter]
    fn beta(&self) -> f64 {
        self.law.beta()
    }

    /// Scale gamma.
    #[getter]
    fn scale(&self) -> f64 {
        self.law.scale()
    }

    /// Location delta in the law's parametrisation.
    #[getter]
    fn loc(&self) -> f64 {
        self.law.location()
    }

    /// "S0" or "S1".
    #[getter]
    fn param(&self) -> &'static str {
        match self.law.parametrization() {
            Parametrization::S0 => "S0",
            Parametrization::S1 => "S1",
        }
    }

    /// Density at ``x`` (float or array).
    fn pdf<'py>(&self, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.apply(x, Fun::Pdf)
    }

    /// Log density at ``x`` (-inf where the density underflows or is zero).
    fn logpdf<'py>(&self, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.apply(x, Fun::LogPdf)
    }

    /// ``P(X <= x)``.
    fn cdf<'py>(&self, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.apply(x, Fun::Cdf)
    }

    /// ``P(X > x)``, computed directly (accurate in the upper tail, no ``1 - cdf`` cancellation).
    fn sf<'py>(&self, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.apply(x, Fun::Sf)
    }

    /// Quantile: the ``x`` with ``P(X <= x) = q``, ``q`` in [0, 1] (0 and 1 give the ends of the
    /// support, possibly infinite).
    fn ppf<'py>(&self, q: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.apply(q, Fun::Ppf)
    }

    fn __repr__(&self) -> String {
        format!(
            "StableLaw(alpha={}, beta={}, scale={}, loc={}, param={:?})",
            self.alpha(),
            self.beta(),
            self.scale(),
            self.loc(),
            self.param()
        )
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyStableLaw>()?;
    Ok(())
}
