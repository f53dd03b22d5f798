//! Closed forms for first-passage times: the targets the Monte Carlo estimators and the
//! validation suite are compared with.
//!
//! | item | process | what |
//! |---|---|---|
//! | [`DriftedBmLevel`] | `x0 + mu t + sigma W` to a level | inverse Gaussian density, CDF, survival (tail-accurate), moments, hitting probability |
//! | [`BmInterval`] | `x + mu t + sigma W` in `(a, b)` | survival by images (small `t`) or eigenfunctions (large `t`), exit-side probabilities, mean exit time |
//! | [`mfpt_1d`] | any 1-D Itô diffusion `dX = mu(X) dt + s(X) dW` | mean first-passage time to an upper level by the scale/speed double integral (lower end absorbing, reflecting or natural), adaptive to 1e-10 |
//! | [`OuPassage`] | Ornstein–Uhlenbeck | Siegert's (1951) mean passage time with [`erfcx`] |
//! | [`DoubleWellEscape`] | `dX = (b X - a X^3) dt + sigma dW` | Kramers' rate and time, with its first correction, beside the exact mean passage time |
//! | [`stable_mean_exit_time`] | `x + sigma L`, symmetric alpha-stable `L` | Getoor's (1961) mean exit time from an interval |
//! | [`persistence_exponent`], [`bm_max_survival`] | fractional / standard Brownian motion | Molchan's (1999) persistence exponent; the exact `H = 1/2` survival |
//! | [`erfcx`] | | scaled complementary error function, all real arguments |
//!
//! Every constructor and function validates its arguments and returns [`crate::Result`]: a
//! rejected value is an [`crate::Error::InvalidParameter`] naming it; nothing panics and no
//! NaN comes back for bad input. Times `t` must be `>= 0` (`+inf` is allowed where the limit
//! exists). Formulas marked *derived* are not quoted from a reference; each says how it was
//! obtained and which test confirms it numerically.

mod diffusion;
mod fbm;
mod interval;
mod inverse_gaussian;
mod kramers;
mod ou;
mod special;
mod stable;

pub use diffusion::{mfpt_1d, LowerEnd, Mfpt, MFPT_REL_TOL, NATURAL_CUTOFF};
pub use fbm::{bm_max_cdf, bm_max_survival, persistence_exponent};
pub use interval::BmInterval;
pub use inverse_gaussian::DriftedBmLevel;
pub use kramers::{DoubleWellEscape, WellTarget};
pub use ou::OuPassage;
pub use special::erfcx;
pub use stable::stable_mean_exit_time;

use crate::error::{Allowed, Error, Result};

/// Checks a time argument: `t >= 0`, `+inf` allowed, NaN rejected.
fn check_time(t: f64) -> Result<f64> {
    if t >= 0.0 {
        Ok(t)
    } else {
        Err(Error::InvalidParameter { name: "t", value: t, allowed: Allowed(">= 0 (+inf allowed)") })
    }
}
