//! Hurst estimators: DFA-1 (20 scales 16..n/4) on n = 1e5, 1e6, 1e7, MF-DFA, Whittle.
//!
//! Floor: one pass over the data computing a running (prefix) sum, `floor/prefix_pass`, measured
//! in the same run; report DFA as a ratio to it. Run:
//! `cargo bench --bench hurst -- --warm-up-time 1 --measurement-time 3`.
//!
//! Measured 2026-11-23 on the shared 2-core AMD EPYC VM (load 2-4, so noisy; compare ratios):
//! n = 1e5: floor 0.096 ms, DFA-1 1.39 ms (14x), build only 0.36 ms; DFA-2 1.51 ms, DFA-3 2.15 ms.
//! n = 1e6: floor 0.96 ms, DFA-1 15.4 ms (16x), build only 4.3 ms; DFA-2 16.8 ms, DFA-3 23.9 ms.
//! n = 1e7: floor 10.4 ms, DFA-1 228 ms (22x), build only 92 ms.
//! MF-DFA (q = -5..5, 20 scales): 12.5 ms at 1e5, 108 ms at 1e6. Whittle MLE: 49 ms at 1e4,
//! 489 ms at 1e5. Local Whittle 43 ms and GPH 54 ms at 1e6 (one complex FFT dominates).

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use fracnoise::hurst::{self, log_scales};
use fracnoise::noise::FgnGenerator;
use fracnoise::Seed;

fn series(n: usize) -> Vec<f64> {
    let g = FgnGenerator::new(n, 0.7, 1.0).unwrap();
    g.sample_paths(1, Seed::new(1)).unwrap().row(0).to_vec()
}

/// One pass: running sum written out (what a profile costs).
fn prefix_pass(x: &[f64], out: &mut [f64]) {
    let mut s = 0.0;
    for (o, v) in out.iter_mut().zip(x) {
        s += v;
        *o = s;
    }
}

/// `k` passes over the data, one multiply-add per point (the issue-13 floor of DFA: one pass per
/// scale, `k x n` multiply-adds).
fn pass_per_scale(x: &[f64], k: usize) -> f64 {
    let mut total = 0.0;
    for j in 0..k {
        // Four independent multiply-add chains (vectorisable; not latency-bound).
        let c = 1.0 + j as f64 * 1e-3;
        let mut acc = [0.0f64; 4];
        for v in x.chunks_exact(4) {
            for l in 0..4 {
                acc[l] = acc[l] * c + v[l];
            }
        }
        total += acc.iter().sum::<f64>();
    }
    total
}

fn bench_dfa(c: &mut Criterion) {
    for &n in &[100_000usize, 1_000_000, 10_000_000] {
        let x = series(n);
        let scales = log_scales(16, n / 4, 20).unwrap();
        let mut g = c.benchmark_group(format!("dfa_n{n}"));
        if n >= 10_000_000 {
            g.sample_size(10);
        }
        let mut out = vec![0.0; n];
        g.bench_function(BenchmarkId::new("floor", "prefix_pass"), |b| {
            b.iter(|| {
                prefix_pass(black_box(&x), &mut out);
                black_box(out[n - 1])
            })
        });
        // The floor of the issue-13 goal: one pass over the data per scale (one multiply-add per
        // point), 20 x n multiply-adds in all.
        g.bench_function(BenchmarkId::new("floor", "pass_per_scale"), |b| {
            b.iter(|| black_box(pass_per_scale(black_box(&x), scales.len())))
        });
        g.bench_function(BenchmarkId::new("dfa1", "20_scales"), |b| {
            b.iter(|| hurst::dfa_fluctuations(black_box(&x), 1, &scales).unwrap())
        });
        // The scales run in parallel (rayon): pools of 1 and 2 threads.
        for threads in [1usize, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            g.bench_function(BenchmarkId::new("dfa1_20_scales", format!("{threads}T")), |b| {
                b.iter(|| pool.install(|| hurst::dfa_fluctuations(black_box(&x), 1, &scales).unwrap()))
            });
        }
        // The whole estimator as a user (or the Python package) calls it: input checks, the
        // path/noise heuristic, default scales (16..n/4, 20), the fluctuations and the fit.
        g.bench_function(BenchmarkId::new("dfa1", "estimate"), |b| {
            b.iter(|| hurst::dfa(black_box(&x), &hurst::DfaOptions::default()).unwrap().hurst)
        });
        // One large scale: the cost of building the prefix hierarchy (plus 8 segments).
        g.bench_function(BenchmarkId::new("dfa1", "build_only"), |b| {
            b.iter(|| hurst::dfa_fluctuations(black_box(&x), 1, &[n / 4]).unwrap())
        });
        if n <= 1_000_000 {
            g.bench_function(BenchmarkId::new("dfa2", "20_scales"), |b| {
                b.iter(|| hurst::dfa_fluctuations(black_box(&x), 2, &scales).unwrap())
            });
            g.bench_function(BenchmarkId::new("dfa3", "20_scales"), |b| {
                b.iter(|| hurst::dfa_fluctuations(black_box(&x), 3, &scales).unwrap())
            });
        }
        g.finish();
    }
}

/// MF-DFA-1, q = -5..5 (11 values), 20 scales 16..n/4.
fn bench_mfdfa(c: &mut Criterion) {
    let mut g = c.benchmark_group("mfdfa");
    g.sample_size(10);
    for &n in &[100_000usize, 1_000_000] {
        let x = series(n);
        let opts = hurst::MfdfaOptions::default();
        g.bench_function(BenchmarkId::new("q11_20_scales", n), |b| {
            b.iter(|| hurst::mfdfa(black_box(&x), &opts).unwrap())
        });
    }
    g.finish();
}

/// Whittle MLE (exact fGn spectrum, all frequencies), local Whittle and GPH.
fn bench_spectral(c: &mut Criterion) {
    let mut g = c.benchmark_group("spectral");
    g.sample_size(10);
    for &n in &[10_000usize, 100_000] {
        let x = series(n);
        g.bench_function(BenchmarkId::new("whittle_mle", n), |b| {
            b.iter(|| hurst::whittle(black_box(&x), hurst::InputKind::Noise).unwrap())
        });
    }
    let x = series(1_000_000);
    g.bench_function(BenchmarkId::new("local_whittle", 1_000_000), |b| {
        b.iter(|| hurst::local_whittle(black_box(&x), &hurst::LocalWhittleOptions::default()).unwrap())
    });
    g.bench_function(BenchmarkId::new("gph", 1_000_000), |b| {
        b.iter(|| hurst::gph(black_box(&x), &hurst::GphOptions::default()).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench_dfa, bench_mfdfa, bench_spectral);
criterion_main!(benches);
