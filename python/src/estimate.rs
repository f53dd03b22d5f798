//! `Estimate`: a value with its standard error and confidence interval (the library's
//! `stats::Estimate`), used by simulation summaries and first-passage results.

use pyo3::prelude::*;

/// A point estimate with its standard error and confidence interval.
///
/// Attributes: ``value``, ``se`` (NaN where no SE is defined, e.g. a quantile), ``ci``
/// (``(lo, hi)``), ``level`` (the interval's nominal coverage). ``float(e)`` is the value.
#[pyclass(name = "Estimate", module = "fracnoise", frozen)]
#[derive(Clone, Copy)]
pub struct PyEstimate {
    /// The estimate.
    #[pyo3(get)]
    pub value: f64,
    /// Its standard error.
    #[pyo3(get)]
    pub se: f64,
    /// Lower end of the interval.
    pub lo: f64,
    /// Upper end of the interval.
    pub hi: f64,
    /// Coverage of the interval.
    #[pyo3(get)]
    pub level: f64,
}

impl From<fracnoise::stats::Estimate> for PyEstimate {
    fn from(e: fracnoise::stats::Estimate) -> Self {
        PyEstimate { value: e.value, se: e.se, lo: e.ci.lo, hi: e.ci.hi, level: e.ci.level }
    }
}

#[pymethods]
impl PyEstimate {
    /// The confidence interval ``(lo, hi)``.
    #[getter]
    fn ci(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }

    /// ``(value - target) / se``.
    fn z(&self, target: f64) -> f64 {
        (self.value - target) / self.se
    }

    fn __float__(&self) -> f64 {
        self.value
    }

    fn __repr__(&self) -> String {
        format!("Estimate(value={}, se={}, ci=({}, {}), level={})", self.value, self.se, self.lo, self.hi, self.level)
    }
}

/// Adds the class to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEstimate>()
}
