//! DFA: the O(n) algorithm equals a plain least-squares DFA (property test), and DFA-1/2 on fGn
//! matches the exact `E F^2(s)` per scale (`validation/README.md` §6), with the mean slope on its Jensen-corrected target.

use fracnoise::hurst::{
    dfa, dfa_expected_fluctuation, dfa_fluctuations, dfa_fluctuations_naive, DfaOptions, InputKind,
};
use fracnoise::noise::FgnGenerator;
use fracnoise::stats::{linear_fit, Moments};
use fracnoise::Seed;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    /// Random series (offset, scale, a random-walk component), random orders and scales: fast
    /// F(s) == naive F(s) to 1e-9 relative.
    #[test]
    fn fast_dfa_equals_naive(
        raw in prop::collection::vec(-1.0f64..1.0, 40..3000),
        offset in -1e3f64..1e3,
        scale in 1e-3f64..1e3,
        walk in 0.0f64..1.0,
        order in 1usize..=3,
        picks in prop::collection::vec(0.0f64..1.0, 1..8),
    ) {
        let mut acc = 0.0;
        let x: Vec<f64> = raw.iter().map(|&r| { acc += walk * r; offset + scale * (r + acc) }).collect();
        let n = x.len();
        let lo = order + 2;
        let scales: Vec<usize> = picks.iter().map(|p| lo + ((n - lo) as f64 * p * p) as usize).collect();
        let a = dfa_fluctuations(&x, order, &scales).unwrap();
        let b = dfa_fluctuations_naive(&x, order, &scales).unwrap();
        for ((fa, fb), &s) in a.iter().zip(&b).zip(&scales) {
            // Rounding bound of the moment formula (src/hurst/dfa.rs): F^2 to about
            // 16^(q+3/2) eps times the profile's mean square deviation within a segment, which
            // exceeds F^2 when a random walk makes the profile smooth at this scale.
            let spread2 = profile_spread2(&x, s);
            let tol = 1e-9 * fb.abs() + 16f64.powf(order as f64 + 1.5) * f64::EPSILON * spread2 / fb.abs().max(1e-300);
            prop_assert!((fa - fb).abs() <= tol, "n {} q {} s {}: {} vs {} (tol {})", n, order, s, fa, fb, tol);
        }
    }
}

/// Largest mean square deviation of the profile (cumulative sum of `x - mean`) about its mean in
/// a segment of `s` points (segments from both ends).
fn profile_spread2(x: &[f64], s: usize) -> f64 {
    let m = x.iter().sum::<f64>() / x.len() as f64;
    let mut acc = 0.0;
    let y: Vec<f64> = x
        .iter()
        .map(|v| {
            acc += v - m;
            acc
        })
        .collect();
    let n = y.len();
    let starts = (0..n / s).map(|k| k * s).chain((0..n / s).map(|k| n - (k + 1) * s));
    starts
        .map(|a| {
            let seg = &y[a..a + s];
            let mu = seg.iter().sum::<f64>() / s as f64;
            seg.iter().map(|v| (v - mu) * (v - mu)).sum::<f64>() / s as f64
        })
        .fold(0.0, f64::max)
}

/// Longer series (all levels of the hierarchy in use) at every order.
#[test]
fn fast_dfa_equals_naive_long() {
    let g = FgnGenerator::new(300_000, 0.8, 2.0).unwrap();
    let x = g.sample_paths(1, Seed::new(5)).unwrap().row(0).to_vec();
    let scales = [5, 16, 33, 250, 4096, 4097, 65_537, 100_000, 150_000];
    for q in 1..=3 {
        let a = dfa_fluctuations(&x, q, &scales).unwrap();
        let b = dfa_fluctuations_naive(&x, q, &scales).unwrap();
        for ((fa, fb), s) in a.iter().zip(&b).zip(&scales) {
            assert!((fa - fb).abs() <= 1e-9 * fb, "q {q} s {s}: {fa} vs {fb}");
        }
    }
}

/// Root seed of the Monte Carlo tests below (they must pass for every seed).
const SEED: u64 = 100;

/// DFA-`order` on `paths` fGn paths: the estimates and, per scale `s`, the moments of `F^2(s)`
/// over the paths, with the scales.
fn dfa_on_fgn(h: f64, order: usize, n: usize, paths: usize, seed: u64) -> (Moments, Vec<Moments>, Vec<f64>) {
    let g = FgnGenerator::new(n, h, 1.0).unwrap();
    let xs = g.sample_paths(paths, Seed::new(seed)).unwrap();
    let opts = DfaOptions { order, min_scale: 16, max_scale: Some(n / 8), scales: 10, kind: InputKind::Noise };
    let mut m = Moments::new();
    let mut f2: Vec<Moments> = Vec::new();
    let mut scales = Vec::new();
    for r in xs.rows() {
        let e = dfa(r.as_slice().unwrap(), &opts).unwrap();
        f2.resize(e.scaling.y.len(), Moments::new());
        for (k, f) in e.scaling.y.iter().enumerate() {
            f2[k].push(f * f);
        }
        scales = e.scaling.x.clone();
        m.push(e.hurst);
    }
    (m, f2, scales)
}

/// DFA-1 and DFA-2 on unit-variance fGn, H in {0.1, 0.3, 0.5, 0.7, 0.9}, n = 4096, 400 paths.
///
/// 1. What the formula predicts exactly: per scale, the mean of `F^2(s)` over the paths equals
///    `E F^2(s) = tr(P_q Gamma_s) / s` ([`dfa_expected_fluctuation`] squared): |z| <= 5.
/// 2. The mean slope against the slope of `ln sqrt(E F^2(s)) - Var F^2(s) / (4 (E F^2(s))^2)`,
///    the delta-method value of `E ln F(s)` (Jensen: `E ln F < ln sqrt(E F^2)`; the uncorrected
///    target is above the mean slope by up to 0.0064 at H = 0.9, 4000 paths), with the stated
///    allowance 0.001 for third-order terms and the Monte Carlo error of `Var F^2` (measured
///    |mean - corrected target| <= 0.0005 +- 0.0006 over 4000 paths): |mean - target| <= 0.001
///    + 5 se.
/// 3. The target itself within the known finite-size bias of H (|target - H| < 0.12; DFA-1 is
///    biased upward at small H, about +0.01 at H = 0.1 with scales 16..n/8). Deterministic.
#[test]
fn dfa_on_fgn_is_centred_on_exact_target() {
    let mut failures = Vec::new();
    for (i, &h) in [0.1, 0.3, 0.5, 0.7, 0.9].iter().enumerate() {
        for order in [1, 2] {
            let (m, f2, scales) = dfa_on_fgn(h, order, 4096, 400, SEED + i as u64);
            let (mut lx, mut ly, mut ly0) = (Vec::new(), Vec::new(), Vec::new());
            for (f, &s) in f2.iter().zip(&scales) {
                let ef2 = dfa_expected_fluctuation(h, order, s as usize).unwrap().powi(2);
                let z = f.z(ef2);
                if z.abs() > 5.0 {
                    failures.push(format!("DFA-{order} H {h} s {s}: mean F^2 {} vs E F^2 {ef2}: z {z:.2}", f.mean()));
                }
                lx.push(s.ln());
                ly.push(0.5 * ef2.ln() - f.variance() / (4.0 * ef2 * ef2));
                ly0.push(0.5 * ef2.ln());
            }
            let target = linear_fit(&lx, &ly).unwrap().slope;
            let plain = linear_fit(&lx, &ly0).unwrap().slope;
            let (mean, se) = (m.mean(), m.mean_se());
            eprintln!(
                "DFA-{order} H {h}: mean {mean:.4} se {se:.4} corrected target {target:.4} (plain {plain:.4}) \
                 z {:.2}",
                (mean - target) / se
            );
            if (mean - target).abs() > 0.001 + 5.0 * se {
                failures.push(format!("DFA-{order} H {h}: mean slope {mean} vs corrected target {target} (se {se})"));
            }
            if (plain - h).abs() >= 0.12 {
                failures.push(format!("target {plain} far from H {h}"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Hostile inputs against the plain least-squares DFA, every order, small (summed directly) and
/// large scales, several build chunks: a mean of 1e6, a strong linear trend, fGn with H = 0.95
/// (smooth profile) scaled to values of about 1e6: F(s) to 1e-9 relative (1e-7 for DFA-2/3 of
/// the trended series).
#[test]
fn fast_dfa_equals_naive_hostile() {
    let n = 200_000;
    let g = FgnGenerator::new(n, 0.5, 1.0).unwrap();
    let white = g.sample_paths(1, Seed::new(11)).unwrap().row(0).to_vec();
    let smooth = FgnGenerator::new(n, 0.95, 1.0).unwrap().sample_paths(1, Seed::new(12)).unwrap().row(0).to_vec();
    let cases: Vec<(&str, Vec<f64>)> = vec![
        ("mean 1e6", white.iter().map(|v| 1e6 + v).collect()),
        ("trend", white.iter().enumerate().map(|(i, v)| 3.0 + 2e-4 * i as f64 + v).collect()),
        ("H 0.95 x 1e6", smooth.iter().map(|v| 1e6 * v).collect()),
        ("H 0.95 + 1e6", smooth.iter().map(|v| 1e6 + v).collect()),
    ];
    let scales = [5, 16, 47, 48, 49, 100, 129, 2048, 2049, 33_000, 70_001, 100_000];
    let mut failures = Vec::new();
    for (name, x) in &cases {
        for q in 1..=3 {
            let a = dfa_fluctuations(x, q, &scales).unwrap();
            let b = dfa_fluctuations_naive(x, q, &scales).unwrap();
            let mut worst = 0.0f64;
            for ((fa, fb), s) in a.iter().zip(&b).zip(&scales) {
                let rel = (fa - fb).abs() / fb;
                worst = worst.max(rel);
                // DFA-2/3 of a strongly trended series: the moments of t^2 y, t^3 y over a frame
                // (up to 8 segments long) grow faster with the trend than the residual, so the
                // rounding bound is looser there. Measured over 12 realisations of the white
                // noise (seeds 0..12): worst 1.6e-8 to 1.6e-7, at s >= 33 000; the bound of 1e-7
                // used until 2026-12-05 passed for seed 11 of stream version 1 only by luck.
                let tol = if *name == "trend" && q >= 2 { 1e-6 } else { 1e-9 };
                if rel > tol {
                    failures.push(format!("{name} q {q} s {s}: {fa} vs {fb} (rel {rel:.2e})"));
                }
            }
            eprintln!("{name} DFA-{q}: largest relative difference {worst:.2e}");
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// A path passed as a path gives the same H as its increments passed as a noise; passed as a
/// noise, it warns.
#[test]
fn path_kind_is_converted_and_warned() {
    let g = FgnGenerator::new(20_000, 0.7, 1.0).unwrap();
    let x = g.sample_paths(1, Seed::new(9)).unwrap().row(0).to_vec();
    let mut path = vec![0.0];
    for v in &x {
        path.push(path.last().unwrap() + v);
    }
    let noise = dfa(&x, &DfaOptions::default()).unwrap();
    let as_path = dfa(&path, &DfaOptions { kind: InputKind::Path, ..DfaOptions::default() }).unwrap();
    assert!((noise.hurst - as_path.hurst).abs() < 1e-9);
    let wrong = dfa(&path, &DfaOptions::default()).unwrap();
    assert!(wrong.hurst > 1.5, "{}", wrong.hurst);
    assert!(wrong.warnings.iter().any(|w| w.contains("looks like a path")));
    assert!(wrong.warnings.iter().any(|w| w.contains("outside (0, 1)")));
}

#[test]
fn dfa_bad_input() {
    let x = vec![1.0, 2.0, f64::NAN, 4.0];
    assert!(dfa(&x, &DfaOptions::default()).unwrap_err().to_string().contains("non-finite"));
    assert!(dfa(&[3.0; 500], &DfaOptions::default()).unwrap_err().to_string().contains("constant"));
    let short: Vec<f64> = (0..40).map(|i| (i as f64).sin()).collect();
    assert!(dfa(&short, &DfaOptions::default()).unwrap_err().to_string().contains("too short"));
    let ok: Vec<f64> = (0..1000).map(|i| (i as f64 * 1.3).sin()).collect();
    assert!(dfa(&ok, &DfaOptions { order: 4, ..DfaOptions::default() }).is_err());
    assert!(dfa(&ok, &DfaOptions { min_scale: 3, order: 2, ..DfaOptions::default() }).is_err());
}

/// The scales run in parallel: the same bits on 1, 2 and 3 threads.
#[test]
fn dfa_bits_do_not_depend_on_threads() {
    // Several build chunks (32768 points each), direct and prefix-formula scales.
    let g = FgnGenerator::new(150_000, 0.3, 1.0).unwrap();
    let x = g.sample_paths(1, Seed::new(8)).unwrap().row(0).to_vec();
    let scales = fracnoise::hurst::log_scales(10, 37_500, 20).unwrap();
    let run = |t: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
        pool.install(|| {
            (1..=3)
                .map(|q| dfa_fluctuations(&x, q, &scales).unwrap())
                .map(|v| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        })
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));
}
