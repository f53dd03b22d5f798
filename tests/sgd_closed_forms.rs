//! Heavy-ball closed forms (src/sgd/momentum.rs) against brute-force sums `eta^2 sum_k c(k) R(k)`
//! with `R` from the impulse response, the SEEDS.md §3 table, the flat limit and the crossover.

use fracnoise::sgd::{Batching, HeavyBall, Sampling};

/// `Var theta`, `Var v` by brute force for a noise autocovariance `c(|k|)` (`c` of length `L`).
fn brute(hb: &HeavyBall, lambda: f64, c: &[f64]) -> (f64, f64) {
    let (eta, beta) = (hb.eta(), hb.beta());
    let a1 = 1.0 + beta - eta * lambda;
    // Impulse response of theta (g) and of v = theta_t - theta_(t-1) (h).
    let mut g = vec![1.0, a1];
    while g.len() < 400_000 {
        let n = g.len();
        let next = a1 * g[n - 1] - beta * g[n - 2];
        g.push(next);
        if n > 50 && g[n].abs() < 1e-30 && g[n - 1].abs() < 1e-30 {
            break;
        }
    }
    let h: Vec<f64> = (0..g.len()).map(|j| g[j] - if j > 0 { g[j - 1] } else { 0.0 }).collect();
    let r = |x: &[f64], k: usize| -> f64 { x.iter().zip(&x[k.min(x.len())..]).map(|(a, b)| a * b).sum() };
    let (mut vt, mut vv) = (0.0, 0.0);
    for (k, &ck) in c.iter().enumerate() {
        let w = if k == 0 { 1.0 } else { 2.0 };
        vt += w * ck * r(&g, k);
        vv += w * ck * r(&h, k);
    }
    (eta * eta * vt, eta * eta * vv)
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-300)
}

#[test]
fn white_epoch_persistent_match_brute_force() {
    for &(eta, beta) in &[(0.05, 0.9), (0.3, 0.0), (0.1, 0.5), (0.02, 0.97)] {
        let hb = HeavyBall::new(eta, beta).unwrap();
        for &lambda in &[0.01, 0.3, 3.0, 1.9 * (1.0 + beta) / eta] {
            let k0 = 0.37;
            // White.
            let w = hb.variance_white(lambda, k0).unwrap();
            let (bt, bv) = brute(&hb, lambda, &[k0]);
            assert!(
                close(w.theta, bt, 1e-9) && close(w.v, bv, 1e-9),
                "white {eta} {beta} {lambda}: {w:?} vs {bt} {bv}"
            );
            // Epoch, M = 7 and 50.
            for m in [2usize, 7, 50] {
                let mut c = vec![k0];
                for k in 1..m {
                    c.push(-k0 * (m - k) as f64 / (m as f64 * (m as f64 - 1.0)));
                }
                let e = hb.variance_epoch(lambda, k0, m).unwrap();
                let (bt, bv) = brute(&hb, lambda, &c);
                assert!(
                    close(e.theta, bt, 1e-7) && close(e.v, bv, 1e-7),
                    "epoch M={m} {eta} {beta} {lambda}: {e:?} vs {bt} {bv}"
                );
            }
            // Persistent, q = 1 - p.
            for p in [1.0, 0.5, 0.05] {
                let q: f64 = 1.0 - p;
                let len = if q == 0.0 { 1 } else { ((1e-18f64).ln() / q.ln()).ceil() as usize + 1 };
                let c: Vec<f64> = (0..len).map(|k| k0 * q.powi(k as i32)).collect();
                let s = hb.variance_persistent(lambda, k0, p).unwrap();
                let (bt, bv) = brute(&hb, lambda, &c);
                assert!(
                    close(s.theta, bt, 1e-7) && close(s.v, bv, 1e-7),
                    "persistent p={p} {eta} {beta} {lambda}: {s:?} vs {bt} {bv}"
                );
            }
        }
    }
}

/// SEEDS.md §3: N = 1000, B = 20, beta = 0.9, eta = 0.05; the ratios epoch/uncorrelated do not
/// depend on K_0 (the table's scale), and the uncorrelated column fixes K_0.
#[test]
fn seeds_table() {
    let hb = HeavyBall::new(0.05, 0.9).unwrap();
    let lambdas = [20.0, 2.0, 0.2, 0.02, 0.002];
    let epoch = [8.07e-4, 5.85e-3, 0.0358, 0.0570, 0.0600];
    let unc = [7.94e-4, 6.01e-3, 0.0587, 0.585, 5.85];
    let k0 = 5.85 / hb.variance_white(0.002, 1.0).unwrap().theta;
    for i in 0..5 {
        let w = hb.variance_white(lambdas[i], k0).unwrap().theta;
        let e = hb.variance_epoch(lambdas[i], k0, 50).unwrap().theta;
        assert!(close(w, unc[i], 0.006), "unc {}: {w} vs {}", lambdas[i], unc[i]);
        assert!(close(e, epoch[i], 0.006), "epoch {}: {e} vs {}", lambdas[i], epoch[i]);
    }
    // Crossover 1/(eta F_0) = 0.194 here: M (1 - beta) = 5 is not large, so it sits above the
    // large-M form 3 (1 - beta)/(eta M) = 0.12; there the epoch variance is about half the white one.
    let lc = hb.crossover(50).unwrap();
    let ratio = hb.variance_epoch(lc, 1.0, 50).unwrap().theta / hb.variance_white(lc, 1.0).unwrap().theta;
    assert!(lc > 0.15 && lc < 0.25 && ratio > 0.4 && ratio < 0.8, "{lc} {ratio}");
    // For M (1 - beta) >> 1 it approaches 3 (1 - beta)/(eta M) (SEEDS.md §3).
    let lc = hb.crossover(5000).unwrap();
    assert!(close(lc, 3.0 * 0.1 / (0.05 * 5000.0), 0.03), "{lc}");
}

#[test]
fn flat_limit_and_crossover() {
    for &(eta, beta, m) in &[(0.05, 0.9, 50usize), (0.1, 0.0, 20), (0.01, 0.99, 1000)] {
        let hb = HeavyBall::new(eta, beta).unwrap();
        let k0 = 1.3;
        let flat = hb.epoch_flat_limit(k0, m).unwrap();
        let tiny = hb.variance_epoch(1e-12, k0, m).unwrap();
        assert!(close(tiny.theta, flat.theta, 1e-9) && close(tiny.v, flat.v, 1e-9));
        // The asymptotes meet at lambda_c: eta K0 / (2 lambda_c (1 - beta)) = flat.
        let lc = hb.crossover(m).unwrap();
        assert!(close(eta * k0 / (2.0 * lc * (1.0 - beta)), flat.theta, 1e-12));
        if beta == 0.0 {
            // u(k) = k: lambda_c = 3/(eta (M + 1)), flat = eta^2 K0 (M + 1)/6.
            assert!(close(lc, 3.0 / (eta * (m as f64 + 1.0)), 1e-12));
            assert!(close(flat.theta, eta * eta * k0 * (m as f64 + 1.0) / 6.0, 1e-12));
        }
        // Far above the crossover the epoch and white forms agree within ~lambda_c/lambda.
        let l = 50.0 * lc;
        if eta * l < 2.0 * (1.0 + beta) {
            let e = hb.variance_epoch(l, k0, m).unwrap().theta;
            let w = hb.variance_white(l, k0).unwrap().theta;
            assert!(close(e, w, 0.1), "{e} {w}");
        }
    }
}

#[test]
fn scheme_dispatch_and_errors() {
    let hb = HeavyBall::new(0.05, 0.9).unwrap();
    let c = 2.0;
    let ep = Batching::new(1000, 20, Sampling::Epoch).unwrap();
    let k0 = c * 980.0 / (20.0 * 999.0);
    assert!(close(ep.noise_variance() * c, k0, 1e-15));
    assert_eq!(hb.variance_for(0.3, c, &ep).unwrap(), hb.variance_epoch(0.3, k0, 50).unwrap());
    let wr = Batching::new(1000, 20, Sampling::WithReplacement).unwrap();
    assert_eq!(hb.variance_for(0.3, c, &wr).unwrap(), hb.variance_white(0.3, c / 20.0).unwrap());
    let ps = Batching::new(1000, 20, Sampling::Persistent { redraw: 1.0 }).unwrap();
    // p = 1: fresh Bernoulli batches, white with K0 = C (1 - b)/B.
    let p1 = hb.variance_for(0.3, c, &ps).unwrap();
    let w = hb.variance_white(0.3, c * 0.98 / 20.0).unwrap();
    assert!(close(p1.theta, w.theta, 1e-12) && close(p1.v, w.v, 1e-12));
    // Full batch: no noise.
    let full = Batching::new(100, 100, Sampling::Epoch).unwrap();
    assert_eq!(hb.variance_for(0.3, c, &full).unwrap().theta, 0.0);
    // Errors name the parameter.
    for (r, name) in [
        (hb.variance_white(0.0, 1.0), "lambda"),
        (hb.variance_white(80.0, 1.0), "lambda"),
        (hb.variance_white(f64::NAN, 1.0), "lambda"),
        (hb.variance_white(1.0, -1.0), "s2"),
        (hb.variance_epoch(1.0, 1.0, 1), "m"),
        (hb.variance_persistent(1.0, 1.0, 0.0), "redraw"),
        (hb.variance_persistent(1.0, 1.0, 1.5), "redraw"),
    ] {
        let msg = r.unwrap_err().to_string();
        assert!(msg.contains(name), "{msg}");
    }
    assert!(HeavyBall::new(0.0, 0.5).is_err());
    assert!(HeavyBall::new(0.1, 1.0).is_err());
    assert!(HeavyBall::new(0.1, -0.1).is_err());
    assert!(hb.crossover(1).is_err());
    // Relaxation: beta = 0 gives -1/ln(1 - eta lambda).
    let hb0 = HeavyBall::new(0.1, 0.0).unwrap();
    assert!(close(hb0.relaxation_steps(0.5).unwrap(), -1.0 / (0.95f64).ln(), 1e-12));
}
