//! Hurst estimators: DFA-1 (20 scales 16..n/4) on n = 1e5, 1e6, 1e7, MF-DFA, Whittle.
//!
//! Floor: one pass over the data computing a running (prefix) sum, `floor/prefix_pass`, measured
//! in the same run; report DFA as a ratio to it. Run:
//! `cargo bench --bench hurst -- --warm-up-time 1 --measurement-time 3`.

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
        g.bench_function(BenchmarkId::new("dfa1", "20_scales"), |b| {
            b.iter(|| hurst::dfa_fluctuations(black_box(&x), 1, &scales).unwrap())
        });
        g.finish();
    }
}

criterion_group!(benches, bench_dfa);
criterion_main!(benches);
