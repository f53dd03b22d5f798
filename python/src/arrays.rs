//! numpy arrays: outputs allocated by numpy (so that `MemoryError` is raised normally, never a
//! panic) and filled in place, and float64 C-contiguous views of inputs (no copy when the input
//! already is one).

use crate::errors::invalid;
use numpy::{PyArrayDyn, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;

static EMPTY: GILOnceCell<Py<PyAny>> = GILOnceCell::new();
static ASCONTIGUOUS: GILOnceCell<Py<PyAny>> = GILOnceCell::new();

fn numpy_fn<'py>(py: Python<'py>, cell: &'static GILOnceCell<Py<PyAny>>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    Ok(cell.get_or_try_init(py, || Ok::<_, PyErr>(py.import("numpy")?.getattr(name)?.unbind()))?.bind(py).clone())
}

/// `numpy.empty(shape, dtype=float64)`.
pub fn empty_f64<'py>(py: Python<'py>, shape: &[usize]) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
    let a = numpy_fn(py, &EMPTY, "empty")?.call1((shape.to_vec(), "float64"))?;
    Ok(a.downcast_into::<PyArrayDyn<f64>>()?)
}

/// `numpy.ascontiguousarray(x, dtype=float64)`: a view when `x` already is one, else a copy.
pub fn as_f64<'py>(x: &Bound<'py, PyAny>, name: &str) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
    let py = x.py();
    let a = numpy_fn(py, &ASCONTIGUOUS, "ascontiguousarray")?
        .call1((x, "float64"))
        .map_err(|e| invalid(format!("`{name}` must be convertible to a float64 array: {e}")))?;
    Ok(a.downcast_into::<PyArrayDyn<f64>>()?)
}

/// The float64 data of a 1-D or 2-D input as `(rows, cols, one_d)`; errors name `name`.
pub fn shape_1d_2d(a: &Bound<'_, PyArrayDyn<f64>>, name: &str) -> PyResult<(usize, usize, bool)> {
    match a.shape() {
        [n] => Ok((1, *n, true)),
        [r, c] => Ok((*r, *c, false)),
        s => Err(invalid(format!(
            "`{name}` must be a 1-D series or a 2-D array of series (one per row); got shape {s:?}"
        ))),
    }
}
