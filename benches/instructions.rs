//! Instruction-count kernels for `benches/instructions.sh` (callgrind): each hot kernel and its
//! floor as one `#[inline(never)]` function named `ir_*`, run once after its set-up. Counting
//! only inside those functions (`--toggle-collect`) gives figures that do not depend on the load
//! of the machine, unlike the criterion benches beside it.
//!
//! Not a criterion bench and not run by `cargo test` or CI. Usage (see `benches/README.md`):
//!
//! ```sh
//! benches/instructions.sh            # every kernel, a table of Ir counts
//! benches/instructions.sh dfa1       # one kernel (names: `instructions --list`)
//! ```
//!
//! The binary itself runs a kernel natively when called by hand (`instructions dfa1`).

use fracnoise::hurst::{self, log_scales};
use fracnoise::noise::{FgnGenerator, Parametrization, Stable};
use fracnoise::sde::models::Ou;
use fracnoise::sde::{Driver, Ensemble, Grid, Observe, ScalarIntegrator, Scheme};
use fracnoise::Seed;
use num_complex::Complex64;
use rand::RngCore;
use rand_distr::{Distribution, Exp1, StandardNormal};
use rustfft::FftPlanner;
use std::f64::consts::FRAC_PI_2;
use std::hint::black_box;

/// fGn pair size (two paths of 4096).
const FGN_N: usize = 4096;
/// OU ensemble: paths x steps, one thread.
const OU_PATHS: u64 = 100;
const OU_STEPS: usize = 1000;
/// Stable variates per call.
const STABLE_N: usize = 4096;
/// DFA series length (20 scales from 16 to n/4).
const DFA_N: usize = 100_000;

#[inline(never)]
fn ir_fgn_pair(g: &FgnGenerator, seed: Seed, s: &mut fracnoise::noise::FgnScratch, a: &mut [f64], b: &mut [f64]) {
    g.fill_pair(&mut seed.stream(0), s, a, b).unwrap();
}

/// Floor of one pair: `4n` normal draws and one complex FFT of `2n` (the same plan type).
#[inline(never)]
fn ir_fgn_floor(fft: &dyn rustfft::Fft<f64>, seed: Seed, buf: &mut [Complex64], scratch: &mut [Complex64]) {
    let mut rng = seed.stream(0);
    for w in buf.iter_mut() {
        let re: f64 = StandardNormal.sample(&mut rng);
        let im: f64 = StandardNormal.sample(&mut rng);
        *w = Complex64::new(re, im);
    }
    fft.process_with_scratch(buf, scratch);
}

#[inline(never)]
fn ir_ou_em<I: fracnoise::sde::PathIntegrator>(e: &Ensemble<I>) -> u64 {
    e.run(0..OU_PATHS).unwrap().summary.moments[0][0].count
}

/// Floor of the OU step loop: one normal draw and one multiply-add per path-step.
#[inline(never)]
fn ir_ou_floor(seed: Seed) -> f64 {
    let a = 1.0 - 1e-3;
    (0..OU_PATHS)
        .map(|p| {
            let mut rng = seed.stream(p);
            let mut acc = 0.0f64;
            for _ in 0..OU_STEPS {
                let z: f64 = StandardNormal.sample(&mut rng);
                acc = acc * a + z;
            }
            acc
        })
        .sum()
}

#[inline(never)]
fn ir_stable(d: &Stable, seed: Seed, out: &mut [f64]) {
    d.fill(&mut seed.stream(0), out);
}

/// Floor of a Chambers–Mallows–Stuck variate: one angle, one `Exp1`, `sin_cos` and `powf` (libm).
#[inline(never)]
fn ir_stable_floor(seed: Seed, out: &mut [f64]) {
    let mut rng = seed.stream(0);
    for x in out.iter_mut() {
        let k = rng.next_u64() >> 11;
        let v = FRAC_PI_2 * ((k as f64) * (2.0 / (1u64 << 53) as f64) - 1.0);
        let w: f64 = Exp1.sample(&mut rng);
        let (s, c) = v.sin_cos();
        *x = s * (c / w).powf(0.7);
    }
}

#[inline(never)]
fn ir_dfa1(x: &[f64], scales: &[usize]) -> f64 {
    hurst::dfa_fluctuations(x, 1, scales).unwrap()[0]
}

/// DFA-1 at the one scale `n / 4`: the cost of building the prefix hierarchy (plus 8 segments).
#[inline(never)]
fn ir_dfa1_build(x: &[f64]) -> f64 {
    hurst::dfa_fluctuations(x, 1, &[x.len() / 4]).unwrap()[0]
}

/// Floor of DFA over `k` scales: one pass over the data per scale, one multiply-add per point,
/// `k x n` multiply-adds.
#[inline(never)]
fn ir_dfa_floor(x: &[f64], k: usize) -> f64 {
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

/// Normals per stream for the sampler kernels (four streams).
const NORMAL_N: usize = 4096;

/// `4 x NORMAL_N` standard normals, one stream after another, by the scalar ziggurat.
#[inline(never)]
fn ir_normal_scalar(rngs: &mut [fracnoise::PathRng; 4], rows: &mut [Vec<f64>]) {
    for (r, row) in rngs.iter_mut().zip(rows.iter_mut()) {
        fracnoise::noise::ziggurat_lanes::scalar_fill(r, row);
    }
}

/// The same `4 x NORMAL_N` normals (same bits) from the AVX2 lanes.
#[inline(never)]
fn ir_normal_lanes(rngs: &mut [fracnoise::PathRng; 4], rows: &mut [Vec<f64>]) {
    let [a, b, c, d] = rows else { unreachable!() };
    fracnoise::noise::ziggurat_lanes::fill_standard_normals_x4(rngs, [a, b, c, d]);
}

const KERNELS: [&str; 10] = [
    "fgn_pair",
    "fgn_floor",
    "ou_em",
    "ou_floor",
    "stable",
    "stable_floor",
    "dfa1",
    "dfa_floor",
    "normal_scalar",
    "normal_lanes",
];

fn main() {
    let arg = std::env::args().nth(1).unwrap_or_default();
    if arg == "--list" || arg.is_empty() {
        println!("{}", KERNELS.join(" "));
        return;
    }
    // One worker thread, and every kernel called inside the pool: rayon work then runs on the
    // thread (and in the frame) that callgrind counts, and the counts do not depend on scheduling.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let seed = Seed::new(1);
    match arg.as_str() {
        "fgn_pair" => {
            let g = FgnGenerator::new(FGN_N, 0.7, 1.0).unwrap();
            let (mut a, mut b) = (vec![0.0; FGN_N], vec![0.0; FGN_N]);
            let mut s = g.scratch();
            ir_fgn_pair(&g, seed, &mut s, &mut a, &mut b);
            black_box((&a, &b));
        }
        "fgn_floor" => {
            let fft = FftPlanner::<f64>::new().plan_fft_forward(2 * FGN_N);
            let mut buf = vec![Complex64::default(); 2 * FGN_N];
            let mut scratch = vec![Complex64::default(); fft.get_inplace_scratch_len()];
            ir_fgn_floor(fft.as_ref(), seed, &mut buf, &mut scratch);
            black_box(&buf);
        }
        "ou_em" => {
            let grid = Grid::new(OU_STEPS, 1e-3).unwrap();
            let ou = Ou::new(1.0, 0.0, 1.0).unwrap();
            let integ = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
            let d = Driver::brownian(grid, 1).unwrap();
            let obs = Observe { steps: vec![OU_STEPS], ..Default::default() };
            let e = Ensemble::new(&integ, &d, vec![0.0], seed, obs, serde_json::Value::Null).unwrap();
            black_box(pool.install(|| ir_ou_em(&e)));
        }
        "ou_floor" => {
            black_box(pool.install(|| ir_ou_floor(seed)));
        }
        "stable" => {
            let d = Stable::new(1.5, 0.5, 1.0, 0.0, Parametrization::S1).unwrap();
            let mut out = vec![0.0; STABLE_N];
            ir_stable(&d, seed, &mut out);
            black_box(&out);
        }
        "stable_floor" => {
            let mut out = vec![0.0; STABLE_N];
            ir_stable_floor(seed, &mut out);
            black_box(&out);
        }
        "dfa1" | "dfa1_build" | "dfa_floor" => {
            let x = FgnGenerator::new(DFA_N, 0.7, 1.0).unwrap().sample_paths(1, seed).unwrap().row(0).to_vec();
            let scales = log_scales(16, DFA_N / 4, 20).unwrap();
            if arg == "dfa1" {
                black_box(pool.install(|| ir_dfa1(&x, &scales)));
            } else if arg == "dfa1_build" {
                black_box(pool.install(|| ir_dfa1_build(&x)));
            } else {
                black_box(pool.install(|| ir_dfa_floor(&x, scales.len())));
            }
        }
        "normal_scalar" | "normal_lanes" => {
            let mut rngs: [fracnoise::PathRng; 4] = std::array::from_fn(|j| seed.stream(j as u64));
            let mut rows = vec![vec![0.0; NORMAL_N]; 4];
            if arg == "normal_scalar" {
                ir_normal_scalar(&mut rngs, &mut rows);
            } else {
                ir_normal_lanes(&mut rngs, &mut rows);
            }
            black_box(&rows);
        }
        other => {
            eprintln!("unknown kernel `{other}`; one of: {}", KERNELS.join(" "));
            std::process::exit(2);
        }
    }
}
