//! The `seed=` argument.
//!
//! - an `int` in `[0, 2^64)` (or a numpy integer): exactly the CLI's `--seed` and the library's
//!   `Seed::new(seed)`, so the same seed gives the same bits everywhere;
//! - a `numpy.random.SeedSequence`: its first 64-bit word (`generate_state(1, "uint64")[0]`);
//! - a `numpy.random.Generator`: one 64-bit draw from it (a fresh, reproducible seed per call);
//! - `None`: 64 bits of fresh OS entropy (results that keep a seed report the one used).

use crate::errors::invalid;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict};

/// The 64-bit seed named by `obj` (see the module docs).
pub fn seed_value(obj: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(rand::random::<u64>());
    };
    if obj.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(
            "seed must be None, an int in [0, 2^64), a SeedSequence or a Generator, not a bool",
        ));
    }
    if obj.hasattr("__index__")? {
        return obj.extract::<u64>().map_err(|_| {
            let shown = obj.repr().map(|r| r.to_string()).unwrap_or_else(|_| "?".into());
            invalid(format!("invalid parameter `seed` = {shown}: must be an integer in [0, 2^64)"))
        });
    }
    if obj.hasattr("generate_state")? {
        let words = obj.call_method1("generate_state", (1, "uint64"))?;
        return words.get_item(0)?.extract::<u64>();
    }
    if obj.hasattr("integers")? {
        let kw = PyDict::new(obj.py());
        kw.set_item("dtype", "uint64")?;
        kw.set_item("endpoint", true)?;
        return obj.call_method("integers", (0u64, u64::MAX), Some(&kw))?.extract::<u64>();
    }
    Err(PyTypeError::new_err(format!(
        "seed must be None, an int in [0, 2^64), a numpy SeedSequence or a numpy Generator, not {}",
        obj.get_type().name()?
    )))
}
