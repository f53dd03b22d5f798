//! Alpha-stable variates per second against a floor, measured in the same run.
//!
//! Run: `cargo bench --bench stable -- --warm-up-time 1 --measurement-time 3`.
//!
//! Each benchmark fills a buffer of 4096 variates ([`Stable::fill`], one core), so criterion's
//! throughput is variates per second and `time / 4096` is ns per variate.
//!
//! Floors (same generator, `Xoshiro256PlusPlus` from [`Seed::stream`]):
//! * `floor/cms`: what any Chambers–Mallows–Stuck sampler must do per variate: one uniform angle
//!   (one `u64`), one `Exp(1)` draw (`rand_distr::Exp1`, ziggurat), `sin` and `cos` of the angle
//!   and one `powf`, combined so that nothing is optimised away.
//! * `floor/rng`: the random numbers alone (one `u64` and one `Exp1` draw).
//! * `floor/normal`: one `StandardNormal` draw (the floor of the `alpha = 2` fast path).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use fracnoise::noise::{Parametrization, Stable};
use fracnoise::Seed;
use rand::RngCore;
use rand_distr::{Distribution, Exp1, StandardNormal};
use std::f64::consts::FRAC_PI_2;
use std::hint::black_box;
use std::time::Duration;

const N: usize = 4096;

fn stable(c: &mut Criterion) {
    use Parametrization::{S0, S1};
    let laws = [
        (2.0, 0.0, S1),
        (1.0, 0.0, S1),
        (1.0, 1.0, S1),
        (1.0, -1.0, S1),
        (0.5, 1.0, S1),
        (0.5, 0.0, S1),
        (0.8, -0.3, S1),
        (1.5, 0.0, S1),
        (1.5, 0.5, S1),
        (1.7, 1.0, S1),
        (1.9, -1.0, S0),
        (0.95, 0.5, S0),
        (1.2, -0.3, S1),
        (0.8, 1.0, S1),
        (1.0001, 0.5, S0),
    ];
    let mut group = c.benchmark_group("stable");
    group.throughput(Throughput::Elements(N as u64));
    let mut out = vec![0.0; N];
    let mut rng = Seed::new(1).stream(0);
    for (a, b, p) in laws {
        let d = Stable::new(a, b, 1.0, 0.0, p).unwrap();
        group.bench_function(BenchmarkId::new("fill", format!("a{a}_b{b}_{p:?}")), |bch| {
            bch.iter(|| {
                d.fill(&mut rng, &mut out);
                black_box(&out);
            })
        });
    }
    group.bench_function("floor/cms", |bch| {
        bch.iter(|| {
            for x in out.iter_mut() {
                let k = rng.next_u64() >> 11;
                let v = FRAC_PI_2 * ((k as f64) * (2.0 / (1u64 << 53) as f64) - 1.0);
                let w: f64 = Exp1.sample(&mut rng);
                let (s, c) = v.sin_cos();
                *x = s * (c / w).powf(0.7);
            }
            black_box(&out);
        })
    });
    group.bench_function("floor/rng", |bch| {
        bch.iter(|| {
            for x in out.iter_mut() {
                let k = rng.next_u64() >> 11;
                let w: f64 = Exp1.sample(&mut rng);
                *x = k as f64 + w;
            }
            black_box(&out);
        })
    });
    group.bench_function("floor/normal", |bch| {
        bch.iter(|| {
            for x in out.iter_mut() {
                *x = StandardNormal.sample(&mut rng);
            }
            black_box(&out);
        })
    });
    group.finish();
}

/// The numerical density and CDF (`Stable::pdf`, `Stable::cdf`; `src/noise/stable_law.rs`), one
/// point per iteration over a grid of 64 points in `[-10, 10]` (time per iteration is per point),
/// for laws without a closed form: the cost of one likelihood term in maximum-likelihood fitting.
fn stable_law(c: &mut Criterion) {
    use Parametrization::{S0, S1};
    let xs: Vec<f64> = (0..64).map(|i| -10.0 + 20.0 * (i as f64 + 0.5) / 64.0).collect();
    let mut g = c.benchmark_group("stable_law");
    for &(a, b, p) in &[(1.5, 0.5, S0), (0.8, -0.3, S1), (1.0, 0.7, S1), (1.9, 0.0, S0)] {
        let d = Stable::new(a, b, 1.0, 0.0, p).unwrap();
        for (name, f) in [("pdf", 0), ("cdf", 1)] {
            g.bench_function(BenchmarkId::new(name, format!("a{a}_b{b}_{p:?}")), |bch| {
                let mut k = 0usize;
                bch.iter(|| {
                    k = (k + 1) & 63;
                    let x = black_box(xs[k]);
                    if f == 0 {
                        d.pdf(x)
                    } else {
                        d.cdf(x)
                    }
                })
            });
        }
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = stable, stable_law
}
criterion_main!(benches);
