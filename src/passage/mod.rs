//! First-passage and escape times: boundaries that stop paths, exit records with censoring,
//! estimators with confidence intervals, and closed forms to check them against.
//!
//! | item | what |
//! |---|---|
//! | [`boundary`] | [`Boundary`] (upper, lower, interval, time-dependent levels on any component) and the discrete-monitoring [`Correction`] (none, Brownian bridge, BGK shift) |
//! | [`record`] | [`Exit`] / [`Side`]: one path's exit time and side, or censoring at the horizon; [`PassageRecords`], mergeable across shards |
//! | [`closed_form`] | exact first-passage laws and mean times: drifted Brownian motion to a level (inverse Gaussian) and in an interval, any 1-D diffusion by the scale/speed integral, Ornstein–Uhlenbeck (Siegert), Kramers' double well, alpha-stable exit (Getoor), fBM persistence (Molchan) |
//!
//! Data flow: an SDE ensemble ([`crate::sde`]) runs each path until it exits, producing
//! [`PassageRecords`]; the estimators turn records into [`crate::stats::Estimate`]s; the closed
//! forms give the targets the validation suite compares them with.

pub mod boundary;
pub mod closed_form;
pub mod record;

pub use boundary::{Boundary, Correction, Level, LevelFn, BGK_BETA};
pub use record::{Exit, PassageRecords, Side};
