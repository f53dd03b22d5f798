//! `fracnoise._native`: the Python extension module of fracnoise (PyO3 + numpy).
//!
//! | module | what it binds |
//! |---|---|
//! | [`noise`] | `fgn`, `fbm`, `bm`, `stable` and the reusable `FgnGenerator` (arrays filled in place) |
//! | [`sde`] | `simulate` (ensembles, shards; scalar and vector models), `merge`, `SimulationResult` |
//! | [`models`] | model classes: OU, BM, GBM, DoubleWell, PowerLaw, `LinearSDE`, `SDE` (Python callables) |
//! | [`drivers`] | driver classes: Brownian, stable, fBM, `ArrayDriver` (replay), `CallableDriver`; `increments` |
//! | [`passage`] | `passage` (first-passage / exit times with censoring) and `PassageResult` |
//! | [`hurst`] | `dfa`, `mfdfa`, `rs`, `aggvar`, `gph`, `local_whittle`, `whittle`, row-parallel on 2-D input |
//! | [`stable_law`] | `StableLaw`: numerical density, CDF, survival function and quantiles (any alpha, beta; S0 / S1) |
//! | [`sgd`] | the SGD lab (`fracnoise.sgd`): `Design`, `Batching`, `minibatch_noise`, `HeavyBall`, `momentum`, `escape`, `effective_temperature`, `replica_distance` |
//! | [`errors`] | `FracnoiseError` and its subclasses; the library error mapped to them |
//! | [`seed`] | the `seed=` argument: an int is the CLI's `--seed` (same bits) |
//! | [`arrays`] | numpy-owned output arrays and float64 views of inputs |
//! | [`interrupt`] | Ctrl-C in long calls: work in blocks, `check_signals` between them |
//!
//! Rules every binding follows: inputs are validated (by the library, whose constructors return
//! `Result`, or here) so that no panic reaches Python; long computations run with the GIL released
//! (`Python::allow_threads`); outputs are numpy arrays allocated once and filled in place, or Rust
//! vectors handed to numpy without a copy (`IntoPyArray`).

use pyo3::prelude::*;

mod arrays;
mod drivers;
mod errors;
mod estimate;
mod hurst;
mod interrupt;
mod models;
mod noise;
mod passage;
mod sde;
mod seed;
mod sgd;
mod stable_law;

/// The extension module (re-exported by the `fracnoise` package).
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    estimate::register(m)?;
    noise::register(m)?;
    sde::register(m)?;
    passage::register(m)?;
    hurst::register(m)?;
    stable_law::register(m)?;
    sgd::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("STREAM_VERSION", fracnoise::rng::STREAM_VERSION)?;
    Ok(())
}
