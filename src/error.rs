//! The library's one error type.
//!
//! Every public constructor validates its parameters and returns [`Result`]. Each variant says
//! what was wrong and what is allowed, so that the message alone lets a user fix the call.
//! Floats in messages are written with [`Short`] (`1e308`, not 309 digits).

use std::fmt;

/// Result alias used throughout fracnoise.
pub type Result<T> = std::result::Result<T, Error>;

/// A float as messages print it: the shortest decimal that reads back to the same `f64` (Rust's
/// `Display`), in plain notation when `1e-4 <= |x| < 1e16` (and for 0), in scientific notation
/// otherwise: `0.25`, `1e308`, `-2.5e-7`, `NaN`, `inf`. Rust's `Display` alone writes `1e308`
/// as 309 digits and `1e-300` as 302; this is the one helper every error message uses for floats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Short(pub f64);

impl fmt::Display for Short {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        if x == 0.0 || !x.is_finite() || (1e-4..1e16).contains(&x.abs()) {
            write!(f, "{x}")
        } else {
            write!(f, "{x:e}")
        }
    }
}

/// What a rejected value was allowed to be.
#[derive(Debug, Clone, PartialEq)]
pub struct Allowed(pub &'static str);

impl fmt::Display for Allowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Errors returned by fracnoise.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scalar parameter is outside its allowed range (or not finite).
    #[error("invalid parameter `{name}` = {}: must be {allowed}", Short(*.value))]
    InvalidParameter {
        /// Parameter name as it appears in the API (e.g. `hurst`).
        name: &'static str,
        /// The rejected value.
        value: f64,
        /// The allowed range, in words (e.g. `in (0, 1)`).
        allowed: Allowed,
    },
    /// A size or count is outside its allowed range.
    #[error("invalid size `{name}` = {value}: must be {allowed}")]
    InvalidSize {
        /// Parameter name.
        name: &'static str,
        /// The rejected value.
        value: usize,
        /// The allowed range, in words.
        allowed: Allowed,
    },
    /// Input data contain a NaN or an infinity.
    #[error("non-finite value {value} in `{name}` at index {index}")]
    NonFiniteInput {
        /// Name of the input.
        name: &'static str,
        /// Index of the first offending element.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A buffer handed to a generator has the wrong length.
    #[error("buffer `{name}` has length {got}, expected {expected}")]
    LengthMismatch {
        /// Buffer name.
        name: &'static str,
        /// Expected length.
        expected: usize,
        /// Actual length.
        got: usize,
    },
    /// The circulant embedding of a covariance has negative eigenvalues.
    #[error(
        "circulant embedding of size {size} is not non-negative definite: most negative eigenvalue \
         {min_eigenvalue:.3e} (largest {max_eigenvalue:.3e}) at index {index}; the covariance cannot be \
         sampled exactly by this embedding (use a longer embedding, Cholesky/Hosking, or request the \
         approximate mode explicitly)"
    )]
    NegativeEigenvalue {
        /// Embedding size (2n).
        size: usize,
        /// Index of the most negative eigenvalue.
        index: usize,
        /// The most negative eigenvalue.
        min_eigenvalue: f64,
        /// The largest eigenvalue, for scale.
        max_eigenvalue: f64,
    },
    /// A covariance matrix is not positive definite (Cholesky / Levinson failed).
    #[error("covariance is not positive definite: {0}")]
    NotPositiveDefinite(String),
    /// Input data are unusable for the requested analysis (too short, constant, ...).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A simulation produced a non-finite value.
    #[error("non-finite state {value} in path {path} at step {step} (t = {})", Short(*.time))]
    NonFiniteState {
        /// Path index within the ensemble.
        path: u64,
        /// Step index.
        step: usize,
        /// Time of the offending step.
        time: f64,
        /// The offending value.
        value: f64,
    },
    /// Reading or writing a file failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file involved (`-` for standard streams).
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file has an unexpected format.
    #[error("format error in {path}: {message}")]
    Format {
        /// The file involved.
        path: String,
        /// What was wrong.
        message: String,
    },
}

/// Checks that `value` is finite and lies in the open interval `(lo, hi)`.
pub(crate) fn check_open(name: &'static str, value: f64, lo: f64, hi: f64, allowed: &'static str) -> Result<f64> {
    if value.is_finite() && value > lo && value < hi {
        Ok(value)
    } else {
        Err(Error::InvalidParameter { name, value, allowed: Allowed(allowed) })
    }
}

/// Checks that `value` is finite and lies in `[lo, hi]`.
pub(crate) fn check_closed(name: &'static str, value: f64, lo: f64, hi: f64, allowed: &'static str) -> Result<f64> {
    if value.is_finite() && value >= lo && value <= hi {
        Ok(value)
    } else {
        Err(Error::InvalidParameter { name, value, allowed: Allowed(allowed) })
    }
}

/// Checks that `value` is finite and strictly positive.
pub(crate) fn check_positive(name: &'static str, value: f64) -> Result<f64> {
    check_open(name, value, 0.0, f64::INFINITY, "finite and > 0")
}

/// Checks that `value` is finite.
pub(crate) fn check_finite(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Error::InvalidParameter { name, value, allowed: Allowed("finite") })
    }
}

/// Checks that a size is at least `min`.
pub(crate) fn check_size(name: &'static str, value: usize, min: usize, allowed: &'static str) -> Result<usize> {
    if value >= min {
        Ok(value)
    } else {
        Err(Error::InvalidSize { name, value, allowed: Allowed(allowed) })
    }
}

/// Checks that every element of `data` is finite.
pub(crate) fn check_all_finite(name: &'static str, data: &[f64]) -> Result<()> {
    match data.iter().position(|x| !x.is_finite()) {
        None => Ok(()),
        Some(index) => Err(Error::NonFiniteInput { name, index, value: data[index] }),
    }
}

/// Checks that a buffer has the expected length.
pub(crate) fn check_len(name: &'static str, got: usize, expected: usize) -> Result<()> {
    if got == expected {
        Ok(())
    } else {
        Err(Error::LengthMismatch { name, expected, got })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_is_allowed() {
        let e = check_open("hurst", 1.2, 0.0, 1.0, "in (0, 1)").unwrap_err();
        assert_eq!(e.to_string(), "invalid parameter `hurst` = 1.2: must be in (0, 1)");
        assert!(check_open("hurst", f64::NAN, 0.0, 1.0, "in (0, 1)").is_err());
        assert!(check_positive("dt", 0.0).is_err());
        assert!(check_positive("dt", f64::INFINITY).is_err());
        assert!(check_closed("beta", -1.0, -1.0, 1.0, "in [-1, 1]").is_ok());
        let e = check_all_finite("x", &[1.0, f64::NAN]).unwrap_err();
        assert!(e.to_string().contains("index 1"));
    }

    /// Issue 9.16: `dt = 1e308` was printed with 309 digits.
    #[test]
    fn floats_in_messages_are_short() {
        let e = check_positive("dt", -1e308).unwrap_err();
        assert_eq!(e.to_string(), "invalid parameter `dt` = -1e308: must be finite and > 0");
        let e = check_open("hurst", 1e-300, 0.1, 1.0, "in (0.1, 1)").unwrap_err();
        assert_eq!(e.to_string(), "invalid parameter `hurst` = 1e-300: must be in (0.1, 1)");
        let e = Error::NonFiniteState { path: 3, step: 7, time: 1.5e300, value: f64::INFINITY };
        assert_eq!(e.to_string(), "non-finite state inf in path 3 at step 7 (t = 1.5e300)");
        let cases = [
            (0.0, "0"),
            (-0.0, "-0"),
            (0.25, "0.25"),
            (1.0, "1"),
            (1e-4, "0.0001"),
            (9.5e-5, "9.5e-5"),
            (123456.789, "123456.789"),
            (9999999999999998.0, "9999999999999998"),
            (1e16, "1e16"),
            (f64::MAX, "1.7976931348623157e308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "5e-324"),
            (0.1 + 0.2, "0.30000000000000004"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (x, want) in cases {
            let s = Short(x).to_string();
            assert_eq!(s, want);
            assert!(s.len() <= 24, "{s}");
            if x.is_finite() {
                assert_eq!(s.parse::<f64>().unwrap().to_bits(), x.to_bits(), "{s} must read back");
            }
        }
    }
}
