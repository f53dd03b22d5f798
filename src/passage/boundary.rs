//! Boundaries that stop paths, and the discrete-monitoring corrections.
//!
//! A [`Boundary`] watches one state component `X_c`. It has an upper level `u(t)`, a lower level
//! `l(t)`, or both (an interval); each is a constant or a function of time. A path **exits** at
//! the first time `X_c >= u(t)` (side [`Side::Upper`](super::Side::Upper)) or `X_c <= l(t)`
//! ([`Side::Lower`](super::Side::Lower)); the start must lie strictly inside, `l(0) < x0 < u(0)`.
//!
//! # Discrete monitoring ([`Correction`])
//! A scheme that checks the boundary only at grid points misses excursions between them and
//! overestimates exit times by `O(sqrt(dt))` for Brownian noise (Asmussen, Glynn & Pitman 1995,
//! Ann. Appl. Probab. 5).
//! - [`Correction::None`]: exit at the first grid time `t_{k+1}` with `X_{k+1}` outside.
//! - [`Correction::Bridge`] (Brownian drivers only): between grid values `x = X_k` and
//!   `y = X_{k+1}`, both inside, the path is taken as a Brownian bridge with the local diffusion
//!   `s = s(t_k, X_k)` frozen over the step; it crosses a level `b` with probability
//!   `p = exp(-2 (b - x)(b - y) / (s^2 dt))` (Glasserman 2004, *Monte Carlo Methods in Financial
//!   Engineering*, eq. 6.50; exact for a level that is linear in time over the step, with
//!   `b - x` and `b - y` read at `t_k` and `t_{k+1}`). The crossing is decided with a uniform from
//!   a stream reserved for it (`seed.child_named("passage-bridge").stream(path)`), so turning
//!   the correction on never changes the path itself. The exit time is **drawn from the bridge's
//!   conditional law** (see [`bridge_crossing_time`](super::bridge_crossing_time)), not set to a grid time.
//! - [`Correction::Bgk`] (Brownian drivers, constant one-sided levels): the
//!   Broadie–Glasserman–Kou shift (Broadie, Glasserman & Kou 1997, Math. Finance 7, Thm 2.1):
//!   monitor the level moved towards the start by `BGK_BETA s sqrt(dt)`, where
//!   `BGK_BETA = -zeta(1/2)/sqrt(2 pi) = 0.5826`; exit times are grid times. Error `o(sqrt dt)`.
//!
//! For alpha-stable and fractional drivers no bridge formula exists (jumps, memory): only
//! [`Correction::None`] is accepted, and [`super::refine()`] measures and extrapolates away the
//! discretisation bias by refining `dt` on the same noise.

use crate::error::{check_finite, Allowed, Error, Result};
use std::sync::Arc;

/// `-zeta(1/2) / sqrt(2 pi)`, the Broadie–Glasserman–Kou constant (BGK 1997, Thm 2.1).
pub const BGK_BETA: f64 = 0.582_597_157_939_010_7;

/// A level as a function of time.
pub type LevelFn = dyn Fn(f64) -> f64 + Send + Sync;

/// One level: a constant or a function of time.
#[derive(Clone)]
pub enum Level {
    /// A constant level.
    Fixed(f64),
    /// A time-dependent level `b(t)`.
    Moving(Arc<LevelFn>),
}

impl Level {
    /// The level at time `t`.
    #[inline]
    pub fn at(&self, t: f64) -> f64 {
        match self {
            Level::Fixed(b) => *b,
            Level::Moving(f) => f(t),
        }
    }

    /// `Some(b)` for a constant level.
    pub fn fixed(&self) -> Option<f64> {
        match self {
            Level::Fixed(b) => Some(*b),
            Level::Moving(_) => None,
        }
    }
}

impl std::fmt::Debug for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Level::Fixed(b) => write!(f, "Fixed({b})"),
            Level::Moving(_) => f.write_str("Moving(<fn>)"),
        }
    }
}

/// How exits between grid points are accounted for (see the [module documentation](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Correction {
    /// Grid points only.
    #[default]
    None,
    /// Brownian-bridge crossing probability with the local diffusion; exit time drawn from the
    /// bridge's conditional law.
    Bridge,
    /// Broadie–Glasserman–Kou level shift (constant one-sided levels).
    Bgk,
}

impl std::str::FromStr for Correction {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "none" => Ok(Correction::None),
            "bridge" => Ok(Correction::Bridge),
            "bgk" => Ok(Correction::Bgk),
            _ => Err(Error::InvalidInput(format!("unknown correction `{s}`: must be none, bridge or bgk"))),
        }
    }
}

/// A boundary on one state component (see the [module documentation](self)).
#[derive(Debug, Clone)]
pub struct Boundary {
    component: usize,
    upper: Option<Level>,
    lower: Option<Level>,
}

fn level_ok(name: &'static str, b: f64) -> Result<f64> {
    check_finite(name, b)
}

impl Boundary {
    /// Exit when `X >= upper`.
    pub fn upper(upper: f64) -> Result<Self> {
        Ok(Boundary { component: 0, upper: Some(Level::Fixed(level_ok("upper", upper)?)), lower: None })
    }

    /// Exit when `X <= lower`.
    pub fn lower(lower: f64) -> Result<Self> {
        Ok(Boundary { component: 0, upper: None, lower: Some(Level::Fixed(level_ok("lower", lower)?)) })
    }

    /// Exit from the interval `(lower, upper)`.
    pub fn interval(lower: f64, upper: f64) -> Result<Self> {
        level_ok("lower", lower)?;
        level_ok("upper", upper)?;
        if upper <= lower {
            return Err(Error::InvalidParameter { name: "upper", value: upper, allowed: Allowed("> lower") });
        }
        Ok(Boundary { component: 0, upper: Some(Level::Fixed(upper)), lower: Some(Level::Fixed(lower)) })
    }

    /// Time-dependent levels: `upper(t)` and/or `lower(t)` (at least one). A level that returns
    /// NaN, or an upper level at or below the lower one, is reported as an error when met.
    pub fn moving(upper: Option<Arc<LevelFn>>, lower: Option<Arc<LevelFn>>) -> Result<Self> {
        if upper.is_none() && lower.is_none() {
            return Err(Error::InvalidInput("a boundary needs an upper or a lower level".into()));
        }
        Ok(Boundary { component: 0, upper: upper.map(Level::Moving), lower: lower.map(Level::Moving) })
    }

    /// The same boundary on state component `component` (default 0).
    pub fn on_component(mut self, component: usize) -> Self {
        self.component = component;
        self
    }

    /// The watched component.
    pub fn component(&self) -> usize {
        self.component
    }

    /// The upper level, if any.
    pub fn upper_level(&self) -> Option<&Level> {
        self.upper.as_ref()
    }

    /// The lower level, if any.
    pub fn lower_level(&self) -> Option<&Level> {
        self.lower.as_ref()
    }

    /// Upper level at `t` (`+inf` when there is none).
    #[inline]
    pub fn upper_at(&self, t: f64) -> f64 {
        self.upper.as_ref().map_or(f64::INFINITY, |l| l.at(t))
    }

    /// Lower level at `t` (`-inf` when there is none).
    #[inline]
    pub fn lower_at(&self, t: f64) -> f64 {
        self.lower.as_ref().map_or(f64::NEG_INFINITY, |l| l.at(t))
    }

    /// Checks that `x0` lies strictly inside at time 0 and that the levels there are numbers.
    pub fn check_start(&self, x0: f64) -> Result<()> {
        let (u, l) = (self.upper_at(0.0), self.lower_at(0.0));
        if u.is_nan() {
            return Err(Error::InvalidParameter { name: "upper", value: u, allowed: Allowed("a number at t = 0") });
        }
        if l.is_nan() {
            return Err(Error::InvalidParameter { name: "lower", value: l, allowed: Allowed("a number at t = 0") });
        }
        if u <= x0 {
            return Err(Error::InvalidParameter {
                name: "upper",
                value: u,
                allowed: Allowed("above the start x0 (the path must start strictly inside)"),
            });
        }
        if l >= x0 {
            return Err(Error::InvalidParameter {
                name: "lower",
                value: l,
                allowed: Allowed("below the start x0 (the path must start strictly inside)"),
            });
        }
        Ok(())
    }

    /// A short description for summaries and tables, e.g. `upper 1.5` or `interval (-1, 2)`.
    pub fn describe(&self) -> String {
        let lv = |l: &Level| match l {
            Level::Fixed(b) => crate::error::Short(*b).to_string(),
            Level::Moving(_) => "b(t)".to_string(),
        };
        let s = match (&self.lower, &self.upper) {
            (Some(l), Some(u)) => format!("interval ({}, {})", lv(l), lv(u)),
            (None, Some(u)) => format!("upper {}", lv(u)),
            (Some(l), None) => format!("lower {}", lv(l)),
            (None, None) => "none".into(),
        };
        if self.component == 0 {
            s
        } else {
            format!("{s} on component {}", self.component)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_must_be_inside() {
        let b = Boundary::upper(1.0).unwrap();
        assert!(b.check_start(0.0).is_ok());
        let e = b.check_start(1.0).unwrap_err().to_string();
        assert!(e.contains("upper") && e.contains("above the start"), "{e}");
        assert!(Boundary::lower(0.5).unwrap().check_start(0.0).is_err());
        assert!(Boundary::interval(1.0, 1.0).is_err());
        assert!(Boundary::upper(f64::NAN).unwrap_err().to_string().contains("upper"));
        let m = Boundary::moving(Some(Arc::new(|_t| f64::NAN)), None).unwrap();
        assert!(m.check_start(0.0).is_err());
        assert_eq!(Boundary::interval(-1.0, 2.0).unwrap().describe(), "interval (-1, 2)");
        assert!((BGK_BETA - 1.460_354_508_809_586_8 / (2.0 * std::f64::consts::PI).sqrt()).abs() < 1e-15);
    }
}
