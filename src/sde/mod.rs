//! Stochastic differential equations: models, noise drivers, integrators and ensembles.
//!
//! | item | what |
//! |---|---|
//! | [`model`] | [`ScalarModel`] / [`VectorModel`] traits, closure models [`ScalarSde`] / [`VectorSde`], the [`Grid`]; conventions (Itô; pathwise for fBM) |
//! | [`driver`] | [`Driver`]: Brownian, alpha-stable, fractional, user increments; record and replay |
//! | [`integrator`] | Euler–Maruyama and Milstein ([`ScalarIntegrator`], [`VectorIntegrator`]) |
//! | [`ensemble`] | parallel [`Ensemble`]s with streaming observers ([`Observe`]) |
//! | [`summary`] | mergeable, exact [`Summary`] (shards, see `docs/shards.md`) |
//! | [`models`] | OU, GBM, fractional OU, Lévy OU, double well, power-law dynamic, with closed forms |
//! | [`linear`] | linear systems `dX = (b - A X) dt + B dW` ([`LinearSde`]) with exact Gaussian moments, continuous and of the Euler chain |
//! | [`convergence`] | measured strong / weak orders on refined noise paths |
//! | [`exact_sum`] | order-independent exact summation |

pub mod convergence;
pub mod driver;
pub mod exact_sum;
pub mod integrator;
pub mod model;

pub use convergence::{measure_order, ErrorKind, OrderEstimate};
pub use driver::{Driver, DriverScratch, NoiseKind};
pub use exact_sum::ExactSum;
pub use integrator::{integrate_scalar_path, PathIntegrator, ScalarIntegrator, Scheme, VectorIntegrator};
pub use model::{DiffusionShape, Grid, LinearAdditive, ScalarModel, ScalarSde, VectorModel, VectorSde};
pub mod ensemble;
pub mod linear;
pub mod models;
pub mod summary;

pub use ensemble::{Ensemble, EnsembleBuilder, EnsembleOutput, HistogramSpec, Observe};
pub use linear::{GaussianMoments, LinearSde};
pub use summary::{Decoded, Histogram, LogHistogram, PowerSums, Summary};
