//! Hurst-exponent and long-memory estimators, each with a standard error and its scaling data.
//!
//! | estimator | function | what is regressed / maximised | uncertainty |
//! |---|---|---|---|
//! | DFA, order 1..3 | [`dfa`] | `ln F(s)` on `ln s` (Kantelhardt et al. 2001), `O(n)` for all scales | OLS slope SE |
//! | MF-DFA | [`mfdfa`] | `ln F_q(s)` on `ln s` for each `q`; `tau(q)`, `f(alpha)` | OLS slope SE per `q` |
//!
//! Every estimator takes the series and an [`InputKind`] (noise, the default, or path: then the
//! path is differenced first). Bad input (NaN/inf, constant, too short for the scales) is a
//! [`crate::Error`]; suspicious input (looks like the other kind, `H` outside `(0, 1)`) gives
//! warnings in [`HurstEstimate::warnings`].

mod common;
mod dfa;

pub use common::{log_scales, prepare, HurstEstimate, InputKind, Method, ScalingData, SeKind};
pub use dfa::{dfa, dfa_expected_fluctuation, dfa_fluctuations, dfa_fluctuations_naive, DfaOptions};
