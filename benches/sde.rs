//! Path-steps per second of OU ensembles with each driver (bm, stable, fbm), 1 and 2 threads,
//! and the floor of the Brownian case: one normal draw plus one multiply-add per step
//! (`acc = acc * a + z`, the same per-path streams), one path at a time (`floor-normal+fma`, the
//! floor of the one-path loop) and four paths side by side (`floor-x4-normal+fma`, the floor of
//! the four-path loop the ensemble runs for linear models, with scalar normals and with the AVX2
//! lanes of `noise::ziggurat_lanes`), measured in the same run. `bm` is the Brownian driver of
//! the current stream version (4: `noise::lane_normals`), `bm-v3` that of versions 1 to 3 (the
//! scalar ziggurat's numbers, from its AVX2 lanes).
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

/// The floor of four paths side by side (what the ensemble runs for linear models since the
/// four-path loop): per group of four streams, per step, four normal draws and four independent
/// multiply-adds.
fn floor_x4(paths: u64, steps: usize, seed: Seed) -> f64 {
    let a = 1.0 - 1e-3;
    (0..paths / 4)
        .into_par_iter()
        .map(|g| {
            let [mut r0, mut r1, mut r2, mut r3] = [0, 1, 2, 3].map(|j| seed.stream(4 * g + j));
            let mut acc = [0.0f64; 4];
            for _ in 0..steps {
                let z: [f64; 4] = [
                    StandardNormal.sample(&mut r0),
                    StandardNormal.sample(&mut r1),
                    StandardNormal.sample(&mut r2),
                    StandardNormal.sample(&mut r3),
                ];
                for j in 0..4 {
                    acc[j] = acc[j] * a + z[j];
                }
            }
            acc.iter().sum::<f64>()
        })
        .sum()
}

/// The floor of the four-path loop with its normals from the AVX2 lanes (as the ensemble draws
/// them where AVX2 is available): four rows of normals filled side by side, then four independent
/// multiply-adds per step. (The ensemble keeps the normals in registers; this floor stores and
/// reloads them, an L1 round trip.)
fn floor_x4_lanes(paths: u64, steps: usize, seed: Seed) -> f64 {
    use fracnoise::noise::ziggurat_lanes::fill_standard_normals_x4;
    let a = 1.0 - 1e-3;
    (0..paths / 4)
        .into_par_iter()
        .map_init(
            || vec![0.0f64; 4 * steps],
            |buf, g| {
                let mut r: [_; 4] = std::array::from_fn(|j| seed.stream(4 * g + j as u64));
                let (b0, rest) = buf.split_at_mut(steps);
                let (b1, rest) = rest.split_at_mut(steps);
                let (b2, b3) = rest.split_at_mut(steps);
                fill_standard_normals_x4(&mut r, [&mut *b0, &mut *b1, &mut *b2, &mut *b3]);
                let mut acc = [0.0f64; 4];
                for k in 0..steps {
                    let z = [b0[k], b1[k], b2[k], b3[k]];
                    for j in 0..4 {
                        acc[j] = acc[j] * a + z[j];
                    }
                }
                acc.iter().sum::<f64>()
            },
        )
        .sum()
}

fn bench(c: &mut Criterion) {
    let grid = Grid::new(STEPS, 1e-3).unwrap();
    let ou = Ou::new(1.0, 0.0, 1.0).unwrap();
    let integ = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
    let seed = Seed::new(1);
    let drivers = [
        ("bm", Driver::brownian(grid, 1).unwrap()),
        ("bm-v3", Driver::brownian_with_version(grid, 1, fracnoise::StreamVersion::V3).unwrap()),
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
        g.bench_with_input(BenchmarkId::new("floor-x4-normal+fma", threads), &threads, |b, _| {
            b.iter(|| pool.install(|| black_box(floor_x4(PATHS, STEPS, seed))))
        });
        if fracnoise::noise::ziggurat_lanes::lanes_available() {
            g.bench_with_input(BenchmarkId::new("floor-x4-lanes+fma", threads), &threads, |b, _| {
                b.iter(|| pool.install(|| black_box(floor_x4_lanes(PATHS, STEPS, seed))))
            });
        }
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
