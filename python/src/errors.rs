//! Python exceptions: `FracnoiseError` is the base of everything fracnoise raises;
//! `InvalidInputError` (also a `ValueError`) for bad parameters and data, `NonFiniteStateError`
//! (also a `RuntimeError`) for a simulation that blew up, with `path`, `step`, `time` and `value`
//! attributes, and `FracnoiseIOError` (also an `OSError`) for files.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyDict, PyTuple, PyType};

create_exception!(fracnoise, FracnoiseError, PyException, "Base class of every error raised by fracnoise.");

static INPUT: GILOnceCell<Py<PyType>> = GILOnceCell::new();
static NON_FINITE: GILOnceCell<Py<PyType>> = GILOnceCell::new();
static IO: GILOnceCell<Py<PyType>> = GILOnceCell::new();

/// `class name(FracnoiseError, other): __doc__ = doc`, in module `fracnoise`.
fn subclass(py: Python<'_>, name: &str, other: Bound<'_, PyType>, doc: &str) -> PyResult<Py<PyType>> {
    let dict = PyDict::new(py);
    dict.set_item("__module__", "fracnoise")?;
    dict.set_item("__doc__", doc)?;
    let bases = PyTuple::new(py, [py.get_type::<FracnoiseError>(), other])?;
    let t = py.import("builtins")?.getattr("type")?.call1((name, bases, dict))?;
    Ok(t.downcast_into::<PyType>()?.unbind())
}

fn input_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    INPUT
        .get_or_try_init(py, || {
            subclass(
                py,
                "InvalidInputError",
                py.get_type::<PyValueError>(),
                "A parameter or an input array is invalid; the message names it, its value and what is allowed.",
            )
        })
        .map(|t| t.bind(py))
}

fn non_finite_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    NON_FINITE
        .get_or_try_init(py, || {
            subclass(
                py,
                "NonFiniteStateError",
                py.get_type::<PyRuntimeError>(),
                "A simulated path became NaN or infinite. Attributes: path, step, time, value.",
            )
        })
        .map(|t| t.bind(py))
}

fn io_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    IO.get_or_try_init(py, || {
        subclass(py, "FracnoiseIOError", py.get_type::<PyOSError>(), "Reading or writing a file failed.")
    })
    .map(|t| t.bind(py))
}

/// Adds the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("FracnoiseError", py.get_type::<FracnoiseError>())?;
    m.add("InvalidInputError", input_type(py)?)?;
    m.add("NonFiniteStateError", non_finite_type(py)?)?;
    m.add("FracnoiseIOError", io_type(py)?)?;
    Ok(())
}

/// An error of type `ty` with message `msg` (a `FracnoiseError` if `ty` cannot be built).
fn raise(ty: PyResult<&Bound<'_, PyType>>, msg: String) -> PyErr {
    match ty {
        Ok(t) => PyErr::from_type(t.clone(), msg),
        Err(e) => e,
    }
}

/// An `InvalidInputError` (a `ValueError`) with this message.
pub fn invalid(msg: impl Into<String>) -> PyErr {
    Python::with_gil(|py| raise(input_type(py), msg.into()))
}

/// The library's error as a Python exception (the library's message unchanged).
pub fn err(e: fracnoise::Error) -> PyErr {
    Python::with_gil(|py| {
        let msg = e.to_string();
        match e {
            fracnoise::Error::NonFiniteState { path, step, time, value } => {
                let build = || -> PyResult<PyErr> {
                    let exc = non_finite_type(py)?.call1((msg.clone(),))?;
                    exc.setattr("path", path)?;
                    exc.setattr("step", step)?;
                    exc.setattr("time", time)?;
                    exc.setattr("value", value)?;
                    Ok(PyErr::from_value(exc))
                };
                build().unwrap_or_else(|e| e)
            }
            fracnoise::Error::Io { .. } => raise(io_type(py), msg),
            _ => raise(input_type(py), msg),
        }
    })
}

/// `Result<T, fracnoise::Error>` to `PyResult<T>`.
pub trait IntoPy<T> {
    /// Maps the error with [`err`].
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for fracnoise::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(err)
    }
}
