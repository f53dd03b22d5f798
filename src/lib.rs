//! # fracnoise
//!
//! Fractional and heavy-tailed noise, SDE integrators driven by it, first-passage tools and
//! Hurst-exponent estimators, each checked against closed forms.
//!
//! | module | what lives there |
//! |---|---|
//! | [`noise`] | fractional Gaussian noise / fBM (Davies–Harte, Cholesky, Hosking), Brownian increments, alpha-stable variates |
//! | [`sde`] | SDE models, noise drivers, Euler–Maruyama / Milstein integrators, parallel ensembles |
//! | [`passage`] | first-passage and escape-time estimators and their closed forms |
//! | [`hurst`] | Hurst-exponent estimators with standard errors |
//! | [`diagnose`] | noise diagnostics: Gaussian / stable / Hill fits with SEs, normality, goodness-of-fit and serial-dependence tests, a verdict (Gaussian white, stable white, fractional Gaussian, none) |
//! | [`sgd`] | the SGD-noise lab: minibatch noise (with replacement, epochs, persistent), heavy-ball SGD (real algorithm vs noise model), escape from minima under Langevin, power-law, fGn and stable noise, with closed forms |
//! | [`stats`] | shared statistics: moments with standard errors, regression, KS, autocovariance |
//! | [`io`] | `.npy`, CSV and raw binary writers (atomic) |
//! | [`rng`] | reproducible per-path random streams |
//! | [`error`] | the library's error type |
//!
//! Data flow is one way: `noise` -> `sde` -> `passage` / `hurst` -> `sgd`; `stats`, `rng` and `error`
//! serve all.
#![warn(missing_docs)]

pub mod diagnose;
pub mod error;
pub mod hurst;
pub mod io;
pub mod noise;
pub mod passage;
pub mod rng;
pub mod sde;
pub mod sgd;
pub mod stats;

pub use error::{Error, Result};
pub use rng::{PathRng, Seed, StreamVersion};
