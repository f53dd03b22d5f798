//! Hurst-exponent and long-memory estimators, each with a standard error and its scaling data.
//!
//! | estimator | function | what is regressed / maximised | uncertainty |
//! |---|---|---|---|
//! | DFA, order 1..3 | [`dfa`] | `ln F(s)` on `ln s` (Kantelhardt et al. 2001), `O(n)` for all scales | OLS slope SE |
//! | MF-DFA | [`mfdfa()`] | `ln F_q(s)` on `ln s` for each `q`; `tau(q)`, `f(alpha)` | OLS slope SE per `q` |
//! | R/S | [`rescaled_range`] | `ln (R/S)_w - ln E[R/S]_w` (Anis–Lloyd) on `ln w` | OLS slope SE |
//! | aggregated variance | [`aggregated_variance`] | `ln Var(block mean)` on `ln m` | OLS slope SE |
//! | GPH | [`gph`] | `ln I(lambda_j)` on `-2 ln(2 sin(lambda_j/2))`, `j <= m` | regression `pi / (2 sqrt(6 Sxx))` (-> `pi / sqrt(24 m)`) |
//! | local Whittle | [`local_whittle`] | Robinson's `R(H)` over `j <= m` | `1 / (2 sqrt(sum (ln lambda_j - mean)^2))` (-> `1 / (2 sqrt m)`) |
//! | Whittle MLE (fGn) | [`whittle()`] | exact fGn spectrum, all frequencies | Fisher information |
//!
//! The OLS slope SEs of the regression estimators (DFA, R/S, aggregated variance, MF-DFA)
//! understate the sampling spread 3-4x because the points at different scales are correlated;
//! [`HurstEstimate::bootstrapped`] / [`bootstrap_se`] replace them by a parametric-bootstrap SE
//! under the fitted fGn model (Efron & Tibshirani 1993), which `fracnoise hurst` uses by default.
//!
//! [`across_series`] summarises one estimator over many series (the rows of a file, `fracnoise
//! hurst --rows`): the mean `H` with its SE, and the SD across series against the mean per-series
//! SE, whose ratio is about 1 when the per-series SEs are honest.
//!
//! Every estimator takes the series and an [`InputKind`] (noise, the default, or path: then the
//! path is differenced first). Bad input (NaN/inf, constant, too short for the scales) is a
//! [`crate::Error`]; suspicious input (looks like the other kind, `H` outside `(0, 1)`) gives
//! warnings in [`HurstEstimate::warnings`].

mod across;
mod aggvar;
mod bootstrap;
mod common;
mod dfa;
mod estimator;
mod mfdfa;
mod periodogram;
mod rs;
mod whittle;

pub use across::{across_series, AcrossSeries};
pub use aggvar::{aggregated_variance, aggvar_expected, aggvar_statistic, AggVarOptions};
pub use bootstrap::{bootstrap_se, BootstrapSe};
pub use mfdfa::{mfdfa, MfdfaOptions, MfdfaResult};
pub use periodogram::{gph, periodogram, GphOptions};
pub use rs::{anis_lloyd, rescaled_range, rs_statistic, RsOptions};
pub use whittle::{fgn_spectral_density, local_whittle, whittle, LocalWhittleOptions};

pub use common::{log_scales, prepare, HurstEstimate, InputKind, Method, ScalingData, SeKind};
pub use dfa::{dfa, dfa_expected_fluctuation, dfa_fluctuations, dfa_fluctuations_naive, DfaOptions};
pub use estimator::Estimator;
