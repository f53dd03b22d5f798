//! First-passage and escape times: boundaries that stop paths, exit records with censoring,
//! estimators with confidence intervals, and closed forms to check them against.
//!
//! | item | what |
//! |---|---|
//! | [`boundary`] | [`Boundary`] (upper, lower, interval, time-dependent levels on any component) and the discrete-monitoring [`Correction`] (none, Brownian bridge, BGK shift) |
//! | [`ensemble`] | [`PassageEnsemble`]: runs each path until it exits (every driver and scheme; bridge crossing times) |
//! | [`record`] | [`Exit`] / [`Side`]: one path's exit time and side, or censoring at the horizon; [`PassageRecords`], mergeable across shards |
//! | [`closed_form`] | exact first-passage laws and mean times: drifted Brownian motion to a level (inverse Gaussian) and in an interval, any 1-D diffusion by the scale/speed integral, Ornstein–Uhlenbeck (Siegert), Kramers' double well, alpha-stable exit (Getoor), fBM persistence (Molchan) |
//! | [`mod@refine`] | [`refine()`]: the same noise at `dt, 2dt, 4dt, ...`; drift of an estimate with `dt` and its Richardson extrapolation |
//! | [`summary`] | [`PassageSummary`]: configuration, horizon and records as mergeable JSON (shards) |
//! | [`survival`] | [`KaplanMeier`] (survival with Greenwood SE, log(-log) or plain bands, quantiles with Brookmeyer–Crowley intervals, restricted mean); [`summarize`] → [`PassageStats`]; [`exit_sides`] and [`wilson`] (exit-side probabilities) |
//! | [`tail`] | [`escape_rate`] (censored exponential MLE beyond `t0`) and [`power_law_tail`] (censored Pareto MLE of `theta` in `P(T > t) ~ t^-theta`, optional bootstrap SE) |
//!
//! Data flow: an SDE ensemble ([`crate::sde`]) runs each path until it exits, producing
//! [`PassageRecords`]; the estimators turn records into [`crate::stats::Estimate`]s; the closed
//! forms give the targets the validation suite compares them with.

pub mod boundary;
pub mod closed_form;
pub mod ensemble;
pub mod record;
pub mod refine;
pub mod summary;
pub mod survival;
pub mod tail;

pub use boundary::{Boundary, Correction, Level, LevelFn, BGK_BETA};
pub use ensemble::{bridge_crossing_time, PassageEnsemble, PassageIntegrator, BRIDGE_CUTOFF};
pub use record::{Exit, PassageRecords, Side};
pub use refine::{refine, RefineLevel, Refinement};
pub use summary::{PassageSummary, PASSAGE_FORMAT};
pub use survival::{exit_sides, summarize, wilson, ExitSides, KaplanMeier, PassageStats, SurvivalCi, SurvivalCurve};
pub use tail::{escape_rate, power_law_tail, BootstrapOptions, EscapeRate, PowerLawOptions, PowerLawTail};
