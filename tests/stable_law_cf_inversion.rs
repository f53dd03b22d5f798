//! The numerical stable density and CDF (`Stable::pdf`, `Stable::cdf`: Nolan's integral
//! representation, `src/noise/stable_law.rs`) against an independent evaluation: Fourier
//! inversion of the characteristic function (`Stable::char_fn`, the definition of the law),
//!
//! - `f(x) = (1/pi) int_0^inf Re[exp(-i u x) phi(u)] du`,
//! - `F(x) = 1/2 - (1/pi) int_0^inf Im[exp(-i u x) phi(u)] / u du` (Gil-Pelaez 1951),
//!
//! computed here with a quadrature of its own (Gauss–Legendre on geometrically graded panels near
//! `u = 0`, where the integrands behave like powers `u^alpha`, `u^(alpha - 1)` and `u log u`, then
//! uniform panels up to `U` with `|phi(U)| = exp(-40)`). Both parametrisations, alpha from 0.6 to
//! 2, beta from -1 to 1, |x| <= 6: agreement to 1e-10 absolute (the accuracy is 1e-9).

use fracnoise::noise::{Parametrization, Stable};

/// Gauss–Legendre nodes and weights on [-1, 1] (Newton on P_n from the Chebyshev guesses).
fn gauss_legendre(n: usize) -> Vec<(f64, f64)> {
    (0..n)
        .map(|i| {
            let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
            let mut dp = 0.0;
            for _ in 0..100 {
                let (mut p0, mut p1) = (1.0, x);
                for k in 2..=n {
                    let p2 = ((2 * k - 1) as f64 * x * p1 - (k - 1) as f64 * p0) / k as f64;
                    p0 = p1;
                    p1 = p2;
                }
                dp = n as f64 * (x * p1 - p0) / (x * x - 1.0);
                let dx = p1 / dp;
                x -= dx;
                if dx.abs() < 1e-16 {
                    break;
                }
            }
            (x, 2.0 / ((1.0 - x * x) * dp * dp))
        })
        .collect()
}

/// `int_0^upper g(u) du`: panels `[10^-k, 10^-(k-1)]` for k = 14..1, then width-`w` panels.
fn integrate(g: &dyn Fn(f64) -> f64, upper: f64, w: f64, gl: &[(f64, f64)]) -> f64 {
    let panel = |a: f64, b: f64| {
        let (m, h) = (0.5 * (a + b), 0.5 * (b - a));
        gl.iter().map(|&(x, wt)| wt * g(m + h * x)).sum::<f64>() * h
    };
    let mut s = 0.0;
    let mut a = 0.0;
    for k in (0..=14).rev() {
        let b = 10f64.powi(-k).min(upper);
        s += panel(a, b);
        a = b;
    }
    while a < upper {
        let b = (a + w).min(upper);
        s += panel(a, b);
        a = b;
    }
    s
}

#[test]
fn density_and_cdf_match_characteristic_function_inversion() {
    let gl = gauss_legendre(24);
    let mut worst = (0.0f64, String::new());
    for &param in &[Parametrization::S0, Parametrization::S1] {
        for &alpha in &[0.6, 0.9, 1.0, 1.2, 1.5, 1.8, 2.0] {
            for &beta in &[-1.0, -0.5, 0.0, 0.7, 1.0] {
                let (scale, loc) = (1.3, 0.4);
                let law = Stable::new(alpha, beta, scale, loc, param).unwrap();
                // |phi(u)| = exp(-(scale u)^alpha) = exp(-40) at the upper end.
                let upper = 40f64.powf(1.0 / alpha) / scale;
                for &x in &[-6.0, -2.5, -0.7, 0.0, 0.4, 1.1, 3.0, 6.0] {
                    let re = |u: f64| (law.char_fn(u) * num_complex::Complex64::from_polar(1.0, -u * x)).re;
                    let im = |u: f64| (law.char_fn(u) * num_complex::Complex64::from_polar(1.0, -u * x)).im / u;
                    let f = integrate(&re, upper, 0.05, &gl) / std::f64::consts::PI;
                    let cdf = 0.5 - integrate(&im, upper, 0.05, &gl) / std::f64::consts::PI;
                    for (what, lib, inv) in [("pdf", law.pdf(x), f), ("cdf", law.cdf(x), cdf)] {
                        let err = (lib - inv).abs();
                        let label = format!("{what} {param:?} alpha {alpha} beta {beta} x {x}: {lib} vs {inv}");
                        assert!(err < 1e-10, "{label}");
                        if err > worst.0 {
                            worst = (err, label);
                        }
                    }
                }
            }
        }
    }
    eprintln!("largest difference {:.2e} ({})", worst.0, worst.1);
}
