//! Noise generators: fractional Gaussian noise and fBM, Brownian increments, alpha-stable variates.
//!
//! | item | what |
//! |---|---|
//! | [`FgnGenerator`] | exact fGn by circulant embedding (Davies–Harte), two paths per FFT |
//! | [`FbmGenerator`] | fBM on `[0, T]` from fGn increments |
//! | [`CirculantEmbedding`] | exact stationary Gaussian sampler from any autocovariance |
//! | [`CholeskyGenerator`], [`HoskingGenerator`] | exact `O(n^2)`-per-path references |
//! | [`gaussian`] | Brownian increments and paths |
//! | [`ziggurat_lanes`] | standard normals of four streams at once (AVX2 lanes, the scalar bits) |
//! | [`lane_normals`] | exact standard normals in eight SIMD lanes (stream version 3's circulant draws) |
//! | [`Stable`] | alpha-stable variates (Chambers–Mallows–Stuck), Nolan's S0 / S1 |
//! | [`diagnostics`] | checking code shared by the tests and the validation suite |

pub mod cholesky;
pub mod circulant;
pub mod diagnostics;
mod fastmath;
pub mod fbm;
pub mod fgn;
pub mod gaussian;
pub mod hosking;
pub mod lane_normals;
mod memory;
pub mod stable;
mod stable_law;
pub mod ziggurat_lanes;

pub use cholesky::{toeplitz_cholesky_whiten, CholeskyGenerator};
pub use circulant::{CirculantEmbedding, CirculantScratch, EmbeddingMode, EIGENVALUE_TOLERANCE};
pub use fbm::FbmGenerator;
pub use fgn::{fgn_autocovariance, FgnGenerator, FgnScratch, STREAM_BYTES};
pub use gaussian::{brownian_increments, BrownianGenerator};
pub use hosking::HoskingGenerator;
pub use stable::{EcfComparison, Parametrization, Stable};
