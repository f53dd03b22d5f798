//! Minibatch heavy-ball SGD steps per second, `N = 10^4` samples, `d = 100`, `B = 32`: the real
//! minibatch algorithm and the noise model ([`MomentumExperiment`], one path through
//! [`fracnoise::sde::Ensemble`]) against the floor of one step, measured in the same run, and a
//! plain numpy implementation of the same loops (`benches/sgd_numpy.py`) timed at the start of
//! the run.
//!
//! Run: `cargo bench --bench sgd -- --warm-up-time 1 --measurement-time 3` (the numpy timing
//! needs `python3` with numpy, or `FRACNOISE_PYTHON=/path/to/python`; without it a note is
//! printed and the Rust benches run alone).
//!
//! * `sgd/real`: [`Way::Real`], sampling with replacement, `eta = 0.01`, `beta = 0.9`, one path of
//!   [`STEPS`] steps (no burn-in). Per step: `B` row indices, then for each row `x_i . theta - r_i`
//!   and `g += x_i e_i` (`2 B d` multiply-adds), then the heavy-ball update and the running time
//!   averages (`O(d)`).
//! * `sgd/noise-model`: [`Way::NoiseModel`], the same design and batches: the driver sums the `B`
//!   gradient deviations `delta_i` of the batch (`B d` adds) for the whole path, then the
//!   integrator runs the diagonal heavy ball (`O(d)` per step).
//! * `sgd/floor-real`, `sgd/floor-model`: the floors, the least work one step needs, written as
//!   plain loops with the same batch sampler ([`fracnoise::sgd::BatchSampler`]): the `B x d`
//!   gather with its dot products and axpys (real), or its sums (model), and the update. In numbers:
//!   the real step reads `B d 8 = 25.6 kB` of rows scattered in an `8 MB` matrix and does
//!   `4 B d = 12800` flops; the model step reads the same amount and does `B d = 3200` adds.
//!
//! Steps per second = [`STEPS`] / time. Report each as a ratio to its floor (and numpy's
//! steps per second against the Rust ones), all from the same run.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use fracnoise::sgd::{Batching, Design, HeavyBall, MomentumExperiment, Sampling, SyntheticDesign, Way};
use fracnoise::Seed;

const N: usize = 10_000;
const D: usize = 100;
const B: usize = 32;
const STEPS: usize = 5000;
const ETA: f64 = 0.01;
const BETA: f64 = 0.9;

fn design() -> Design {
    // Curvatures log-spaced from 1 down to 0.01.
    let eigenvalues: Vec<f64> = (0..D).map(|j| 10f64.powf(-2.0 * j as f64 / (D - 1) as f64)).collect();
    Design::synthetic(&SyntheticDesign { n_samples: N, eigenvalues, noise_sd: 1.0 }, Seed::new(1)).expect("valid")
}

/// The real algorithm's floor: sampler, gather with dot and axpy, update.
fn floor_real(design: &Design, batching: &Batching, seed: Seed) -> f64 {
    let (rows, res) = (design.rows(), design.residuals());
    let mut rng = seed.stream(0);
    let mut sampler = batching.sampler();
    let (mut theta, mut v, mut g) = (vec![0.0; D], vec![0.0; D], vec![0.0; D]);
    let scale = 1.0 / B as f64;
    for _ in 0..STEPS {
        g.fill(0.0);
        for &i in sampler.next_batch(&mut rng) {
            let x = &rows[i * D..(i + 1) * D];
            let e = x.iter().zip(&theta).map(|(a, b)| a * b).sum::<f64>() - res[i];
            g.iter_mut().zip(x).for_each(|(gj, xj)| *gj += xj * e);
        }
        for j in 0..D {
            v[j] = BETA * v[j] - ETA * scale * g[j];
            theta[j] += v[j];
        }
    }
    theta.iter().sum()
}

/// The noise model's floor: sampler, sum of the batch's deviations, diagonal update.
fn floor_model(design: &Design, batching: &Batching, seed: Seed) -> f64 {
    let (dev, lam) = (design.deviations(), design.eigenvalues());
    let mut rng = seed.stream(0);
    let mut sampler = batching.sampler();
    let (mut theta, mut v, mut xi) = (vec![0.0; D], vec![0.0; D], vec![0.0; D]);
    let scale = 1.0 / B as f64;
    for _ in 0..STEPS {
        xi.fill(0.0);
        for &i in sampler.next_batch(&mut rng) {
            xi.iter_mut().zip(&dev[i * D..(i + 1) * D]).for_each(|(a, b)| *a += b);
        }
        for j in 0..D {
            v[j] = BETA * v[j] - ETA * (lam[j] * theta[j] + scale * xi[j]);
            theta[j] += v[j];
        }
    }
    theta.iter().sum()
}

/// Runs `benches/sgd_numpy.py` once (same N, d, B, steps) and prints its steps per second.
fn numpy_timing() {
    let python = std::env::var("FRACNOISE_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/sgd_numpy.py");
    match std::process::Command::new(&python).arg(script).output() {
        Ok(o) if o.status.success() => eprint!("{}", String::from_utf8_lossy(&o.stdout)),
        Ok(o) => eprintln!(
            "SGD-NUMPY note: `{python} {script}` failed (numpy missing?): {}",
            String::from_utf8_lossy(&o.stderr).lines().last().unwrap_or("")
        ),
        Err(e) => eprintln!("SGD-NUMPY note: cannot run `{python}`: {e}"),
    }
}

fn bench(c: &mut Criterion) {
    numpy_timing();
    let design = design();
    let batching = Batching::new(N, B, Sampling::WithReplacement).expect("valid");
    let hb = HeavyBall::new(ETA, BETA).expect("valid");
    let exp = MomentumExperiment::new(&design, batching, hb, 0, STEPS, Seed::new(2)).expect("valid");
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let mut g = c.benchmark_group("sgd");
    g.throughput(Throughput::Elements(STEPS as u64));
    g.sample_size(20);
    g.bench_function("real", |b| b.iter(|| pool.install(|| black_box(exp.summary(Way::Real, 0..1).expect("runs")))));
    g.bench_function("noise-model", |b| {
        b.iter(|| pool.install(|| black_box(exp.summary(Way::NoiseModel, 0..1).expect("runs"))))
    });
    g.bench_function("floor-real", |b| b.iter(|| black_box(floor_real(&design, &batching, Seed::new(2)))));
    g.bench_function("floor-model", |b| b.iter(|| black_box(floor_model(&design, &batching, Seed::new(2)))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
