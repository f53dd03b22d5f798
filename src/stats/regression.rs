//! Ordinary least squares for a straight line, with standard errors.

use crate::error::{Error, Result};

/// Result of fitting `y = intercept + slope x` by ordinary least squares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearFit {
    /// Fitted slope.
    pub slope: f64,
    /// Fitted intercept.
    pub intercept: f64,
    /// Standard error of the slope, `sqrt(s^2 / Sxx)` with `s^2 = RSS / (n - 2)`
    /// (NaN for `n = 2`).
    pub slope_se: f64,
    /// Standard error of the intercept, `sqrt(s^2 (1/n + xbar^2 / Sxx))`.
    pub intercept_se: f64,
    /// Coefficient of determination.
    pub r_squared: f64,
    /// Number of points.
    pub n: usize,
}

/// Least-squares line through `(x_i, y_i)` (centred formulas, so large offsets are harmless).
///
/// Errors when the lengths differ, fewer than two points are given, an input is not finite, or all
/// `x` are equal.
pub fn linear_fit(x: &[f64], y: &[f64]) -> Result<LinearFit> {
    if x.len() != y.len() {
        return Err(Error::LengthMismatch { name: "y", expected: x.len(), got: y.len() });
    }
    let n = x.len();
    if n < 2 {
        return Err(Error::InvalidInput(format!("a line fit needs at least 2 points, got {n}")));
    }
    crate::error::check_all_finite("x", x)?;
    crate::error::check_all_finite("y", y)?;
    let nf = n as f64;
    let xm = x.iter().sum::<f64>() / nf;
    let ym = y.iter().sum::<f64>() / nf;
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for (&a, &b) in x.iter().zip(y) {
        let (dx, dy) = (a - xm, b - ym);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if sxx == 0.0 {
        return Err(Error::InvalidInput("a line fit needs at least two distinct x values".into()));
    }
    let slope = sxy / sxx;
    let intercept = ym - slope * xm;
    let rss = (syy - slope * sxy).max(0.0);
    let s2 = if n > 2 { rss / (nf - 2.0) } else { f64::NAN };
    Ok(LinearFit {
        slope,
        intercept,
        slope_se: (s2 / sxx).sqrt(),
        intercept_se: (s2 * (1.0 / nf + xm * xm / sxx)).sqrt(),
        r_squared: if syy > 0.0 { 1.0 - rss / syy } else { 1.0 },
        n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_line_and_errors() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [3.0, 5.0, 7.0, 9.0];
        let f = linear_fit(&x, &y).unwrap();
        assert!((f.slope - 2.0).abs() < 1e-12 && (f.intercept - 1.0).abs() < 1e-12);
        assert!(f.slope_se.abs() < 1e-7);
        assert!(linear_fit(&[1.0], &[1.0]).is_err());
        assert!(linear_fit(&[1.0, 1.0], &[1.0, 2.0]).is_err());
        assert!(linear_fit(&[1.0, f64::NAN], &[1.0, 2.0]).is_err());
    }

    /// Slope SE against the textbook value for y = x + e, e in {+1, -1} alternating.
    #[test]
    fn slope_standard_error() {
        let x: Vec<f64> = (0..10).map(f64::from).collect();
        let y: Vec<f64> = x.iter().enumerate().map(|(i, v)| v + if i % 2 == 0 { 1.0 } else { -1.0 }).collect();
        let f = linear_fit(&x, &y).unwrap();
        let sxx: f64 = x.iter().map(|v| (v - 4.5).powi(2)).sum();
        let resid: Vec<f64> = x.iter().zip(&y).map(|(a, b)| b - f.intercept - f.slope * a).collect();
        let s2 = resid.iter().map(|r| r * r).sum::<f64>() / 8.0;
        assert!((f.slope_se - (s2 / sxx).sqrt()).abs() < 1e-12);
    }
}
