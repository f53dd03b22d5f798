//! Path-steps per second of OU ensembles with each driver (bm, stable, fbm), 1 and 2 threads,
//! and the floor of the Brownian case: one normal draw plus one fused multiply-add per step
//! (`acc = acc * a + z`, the same per-path streams), measured in the same run.
//!
//! Run: `cargo bench --bench sde -- --warm-up-time 1 --measurement-time 3`.
//! Report `floor time / bm time` per thread count; timings on a shared 2-core machine are noisy.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use fracnoise::noise::Stable;
use fracnoise::sde::models::Ou;
use fracnoise::sde::{Driver, Ensemble, Grid, Observe, ScalarIntegrator, Scheme};
use fracnoise::Seed;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

const PATHS: u64 = 10_000;
const STEPS: usize = 1000;

fn floor(paths: u64, steps: usize, seed: Seed) -> f64 {
    let a = 1.0 - 1e-3;
    (0..paths)
        .into_par_iter()
        .map(|p| {
            let mut rng = seed.stream(p);
            let mut acc = 0.0f64;
            for _ in 0..steps {
                let z: f64 = StandardNormal.sample(&mut rng);
                // Multiply-add as the compiler emits it for the default x86-64 target (no FMA
                // instruction without target-cpu; `mul_add` would be a function call).
                acc = acc * a + z;
            }
            acc
        })
        .sum()
}

fn bench(c: &mut Criterion) {
    let grid = Grid::new(STEPS, 1e-3).unwrap();
    let ou = Ou::new(1.0, 0.0, 1.0).unwrap();
    let integ = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
    let seed = Seed::new(1);
    let drivers = [
        ("bm", Driver::brownian(grid, 1).unwrap()),
        ("stable", Driver::stable(grid, 1, Stable::standard(1.5, 0.0).unwrap()).unwrap()),
        ("fbm", Driver::fractional(grid, 1, 0.7).unwrap()),
    ];
    let mut g = c.benchmark_group("sde/ou-10k-paths-x-1k-steps");
    g.sample_size(10);
    g.throughput(Throughput::Elements(PATHS * STEPS as u64));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        g.bench_with_input(BenchmarkId::new("floor-normal+fma", threads), &threads, |b, _| {
            b.iter(|| pool.install(|| black_box(floor(PATHS, STEPS, seed))))
        });
        for (name, d) in &drivers {
            let obs = Observe { steps: vec![STEPS], ..Default::default() };
            let e = Ensemble::new(&integ, d, vec![0.0], seed, obs, serde_json::Value::Null).unwrap();
            g.bench_with_input(BenchmarkId::new(*name, threads), &threads, |b, _| {
                b.iter(|| pool.install(|| black_box(e.run(0..PATHS).unwrap().summary.moments[0][0].count)))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
