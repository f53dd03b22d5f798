//! A one-dimensional loss with one minimum and one barrier whose sharpness, saddle curvature and
//! height are set independently.

use crate::error::{check_positive, Result};

/// The escape loss `L(u)` with its minimum at `u = 0` (`L(0) = 0`, `L''(0) = h_a`) and a saddle
/// (barrier top) at `u_b > 0` (`L(u_b) = dL`, `L''(u_b) = -h_b`), all three set independently:
/// the "sharp versus flat minimum at a fixed barrier" family.
///
/// # Definition (this project's choice; every formula below is elementary and derived here)
/// - `u <= 0`: `L(u) = h_a u^2 / 2` (a confining quadratic wall, so that the well holds at
///   `-inf` for every `h_b`);
/// - `u >= 0`: `L'(u) = h_a u (1 - u/u_b)(1 + g u)` with `g = (h_b/h_a - 1)/u_b`, i.e.
///   `L(u) = h_a [u^2/2 + (g - 1/u_b) u^3/3 - (g/u_b) u^4/4]`, a quartic (a cubic when
///   `h_b = h_a`).
///
/// Then `L''(u_b) = -h_a (1 + g u_b) = -h_b` and `dL = L(u_b) = h_a u_b^2 (2 + g u_b)/12 =
/// u_b^2 (h_a + h_b)/12`, so the saddle sits at `u_b = sqrt(12 dL / (h_a + h_b))`: at a fixed
/// barrier a sharper minimum is also a narrower well. On `[0, u_b]` the factor `1 + g u` lies
/// between 1 and `h_b/h_a > 0`, so `L' > 0` there: `0` is the only minimum and `u_b` the only
/// maximum on `(-inf, u_b]`. `L` is `C^2` (`L''` is continuous at 0, `L'''` jumps there); the
/// exact mean passage time integrates from the start `u = 0`, so the kink lies on a panel edge
/// of the quadrature ([`crate::passage::closed_form::mfpt_1d`] cuts its domain at the start).
/// Beyond `u_b` the loss keeps falling (to a second minimum at `-1/g` when `h_b < h_a`); escape
/// is measured to the saddle, so nothing beyond it matters.
///
/// `L'''(u_b) = -(2/u_b)(2 h_b - h_a)` and `L''''(u) = -6 h_a g / u_b` (right branch) enter the
/// corrections of Kramers' formula ([`super::Langevin`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EscapeLoss {
    h_a: f64,
    h_b: f64,
    delta_l: f64,
    u_b: f64,
    g: f64,
}

impl EscapeLoss {
    /// The loss with curvature `h_a > 0` at the minimum, curvature `-h_b` (`h_b > 0`) at the
    /// saddle and barrier `delta_l > 0`. Errors: a parameter not finite and `> 0`.
    pub fn new(h_a: f64, h_b: f64, delta_l: f64) -> Result<Self> {
        check_positive("h_a", h_a)?;
        check_positive("h_b", h_b)?;
        check_positive("delta_l", delta_l)?;
        let u_b = (12.0 * delta_l / (h_a + h_b)).sqrt();
        let g = (h_b / h_a - 1.0) / u_b;
        check_positive("saddle u_b = sqrt(12 delta_l / (h_a + h_b))", u_b)?;
        Ok(EscapeLoss { h_a, h_b, delta_l, u_b, g })
    }

    /// Curvature at the minimum, `h_a = L''(0)` (the sharpness).
    pub fn h_a(&self) -> f64 {
        self.h_a
    }

    /// Curvature magnitude at the saddle, `h_b = -L''(u_b)`.
    pub fn h_b(&self) -> f64 {
        self.h_b
    }

    /// Barrier height `dL = L(u_b) - L(0)`.
    pub fn barrier(&self) -> f64 {
        self.delta_l
    }

    /// Position of the saddle, `u_b = sqrt(12 dL / (h_a + h_b))` (the distance from the minimum
    /// to the barrier top).
    pub fn saddle(&self) -> f64 {
        self.u_b
    }

    /// `L(u)`.
    pub fn value(&self, u: f64) -> f64 {
        if u <= 0.0 {
            0.5 * self.h_a * u * u
        } else {
            let (g, ub) = (self.g, self.u_b);
            self.h_a * u * u * (0.5 + u * ((g - 1.0 / ub) / 3.0 - u * g / (4.0 * ub)))
        }
    }

    /// `L'(u)`.
    #[inline]
    pub fn gradient(&self, u: f64) -> f64 {
        if u <= 0.0 {
            self.h_a * u
        } else {
            self.h_a * u * (1.0 - u / self.u_b) * (1.0 + self.g * u)
        }
    }

    /// `L''(u)`.
    pub fn curvature(&self, u: f64) -> f64 {
        if u <= 0.0 {
            self.h_a
        } else {
            let (g, ub) = (self.g, self.u_b);
            self.h_a * (1.0 + 2.0 * (g - 1.0 / ub) * u - 3.0 * g / ub * u * u)
        }
    }

    /// `L'''(u_b) = -(2/u_b)(2 h_b - h_a)`.
    pub fn third_derivative_at_saddle(&self) -> f64 {
        -(2.0 / self.u_b) * (2.0 * self.h_b - self.h_a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stated properties hold, and `L'`, `L''` are the derivatives of `L` (central
    /// differences).
    #[test]
    fn the_family_has_the_stated_shape() {
        for &(ha, hb, dl) in &[(1.0, 1.0, 0.5), (3.0, 0.7, 1.2), (0.4, 2.5, 0.8)] {
            let l = EscapeLoss::new(ha, hb, dl).unwrap();
            let ub = l.saddle();
            assert!((l.value(ub) - dl).abs() < 1e-12 * dl, "barrier");
            assert!(l.gradient(ub).abs() < 1e-12 && l.gradient(0.0) == 0.0);
            assert!((l.curvature(0.0) - ha).abs() < 1e-12 && (l.curvature(1e-9) - ha).abs() < 1e-6);
            assert!((l.curvature(ub) + hb).abs() < 1e-12 * hb.max(1.0), "saddle curvature {}", l.curvature(ub));
            for i in 1..200 {
                let u = -1.5 * ub + 2.6 * ub * i as f64 / 200.0;
                if u.abs() < 1e-3 {
                    continue;
                }
                let h = 1e-5;
                let dv = (l.value(u + h) - l.value(u - h)) / (2.0 * h);
                let dg = (l.gradient(u + h) - l.gradient(u - h)) / (2.0 * h);
                assert!((dv - l.gradient(u)).abs() < 1e-7 * (1.0 + dv.abs()), "L' at {u}");
                assert!((dg - l.curvature(u)).abs() < 1e-6 * (1.0 + dg.abs()), "L'' at {u}");
                if u > 0.0 && u < ub {
                    assert!(l.gradient(u) > 0.0 && l.value(u) < dl, "monotone well at {u}");
                }
            }
            let h = 1e-4;
            let d3 = (l.curvature(ub + h) - l.curvature(ub - h)) / (2.0 * h);
            assert!((d3 - l.third_derivative_at_saddle()).abs() < 1e-6 * (1.0 + d3.abs()), "L''' {d3}");
        }
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(EscapeLoss::new(0.0, 1.0, 1.0).is_err());
        assert!(EscapeLoss::new(1.0, -1.0, 1.0).is_err());
        assert!(EscapeLoss::new(1.0, 1.0, f64::NAN).unwrap_err().to_string().contains("delta_l"));
        assert!(EscapeLoss::new(f64::INFINITY, 1.0, 1.0).is_err());
    }
}
