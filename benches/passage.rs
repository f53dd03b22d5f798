//! First passage: the cost of running paths until they exit ([`PassageEnsemble`]) against plain
//! simulation ([`Ensemble`]) of the same model and noise, measured in the same run.
//!
//! Run: `cargo bench --bench passage -- --warm-up-time 1 --measurement-time 3`.
//!
//! * `passage/ou-far`: OU `theta = 1, mu = 0, sigma = 1`, Brownian, Euler–Maruyama, `dt = 1e-3`,
//!   10^3 steps, 10^4 paths, upper level 50 (no path exits, so every path runs the whole grid),
//!   rayon pools of 1 and 2 threads. `simulate` = [`Ensemble`] observing only the last step (as
//!   in `benches/sde.rs`); `passage-none` / `passage-bridge` = [`PassageEnsemble`] with
//!   [`Correction::None`] / [`Correction::Bridge`]; `floor` = one normal draw plus one
//!   multiply-add per path-step (as in `benches/sde.rs`). Report `simulate time / passage time`
//!   (the passage rate as a fraction of simulate's; goal >= 0.8).
//! * `passage/ou-early`: the same OU (1 thread) with upper levels chosen by bisection at setup
//!   (bridge correction, 2000 paths) so that the mean fraction of the grid run,
//!   `E[min(T, horizon)] / horizon`, is about 1, 0.5, 0.25 and 0.1 (`f100`, `f50`, `f25`, `f10`:
//!   bridge correction; `*-none`: the same level without it); the level and the fraction
//!   measured on the benchmarked 10^4 paths are printed to stderr (`PASSAGE-FRACTION ...`).
//!   Report `passage time / simulate time` against that fraction.
//! * Before each group, `PASSAGE-RATIO` lines on stderr give the same comparisons measured
//!   interleaved (rounds that run every job once in turn; median over rounds of each job's time
//!   over the reference's time in the same round), which a load that changes during the run
//!   distorts much less than criterion's benchmarks taken one after the other.
//! * `passage/fbm-4096`: OU driven by fBM (`H = 0.7`, exact fGn), `n = 4096` steps of `1/4096`,
//!   1000 paths, level far (50) and near (0.1, hit early; fraction printed), 1 and 2 threads.
//!   Floor: the fGn alone, [`FgnGenerator::fill_pair`] once per two paths (what the driver
//!   computes) in the same pool; `simulate` = [`Ensemble`] on the same driver.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use fracnoise::noise::FgnGenerator;
use fracnoise::passage::{Boundary, Correction, PassageEnsemble, PassageRecords};
use fracnoise::sde::models::Ou;
use fracnoise::sde::{Driver, Ensemble, Grid, Observe, ScalarIntegrator, Scheme};
use fracnoise::Seed;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

const PATHS: u64 = 10_000;
const STEPS: usize = 1000;
const FBM_PATHS: u64 = 1000;
const FBM_STEPS: usize = 4096;

/// One normal draw plus one multiply-add per path-step (the floor of `benches/sde.rs`).
fn floor(paths: u64, steps: usize, seed: Seed) -> f64 {
    let a = 1.0 - 1e-3;
    (0..paths)
        .into_par_iter()
        .map(|p| {
            let mut rng = seed.stream(p);
            let mut acc = 0.0f64;
            for _ in 0..steps {
                let z: f64 = StandardNormal.sample(&mut rng);
                acc = acc * a + z;
            }
            acc
        })
        .sum()
}

/// Interleaved timing, robust to a load that changes during the run: `reps` rounds, each running
/// every job once in turn; returns, per job, the median over rounds of its time divided by the
/// time of job 0 in the same round. Printed as `PASSAGE-RATIO` lines next to criterion's times.
fn interleaved(label: &str, jobs: &[(&str, &dyn Fn())], reps: usize) {
    let mut ratios = vec![Vec::with_capacity(reps); jobs.len()];
    for _ in 0..reps {
        let times: Vec<f64> = jobs
            .iter()
            .map(|(_, f)| {
                let t = std::time::Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .collect();
        for (r, t) in ratios.iter_mut().zip(&times) {
            r.push(t / times[0]);
        }
    }
    for ((name, _), r) in jobs.iter().zip(&mut ratios) {
        r.sort_by(f64::total_cmp);
        eprintln!("PASSAGE-RATIO {label}: {name} / {} = {:.3} (median of {reps})", jobs[0].0, r[reps / 2]);
    }
}

/// Mean fraction of the grid run, `E[min(T, horizon)] / horizon` (censored paths count 1).
fn fraction(r: &PassageRecords, horizon: f64) -> f64 {
    r.exits().iter().map(|e| e.time.min(horizon)).sum::<f64>() / (r.len() as f64 * horizon)
}

fn ou_far(c: &mut Criterion) {
    let grid = Grid::new(STEPS, 1e-3).unwrap();
    let ou = Ou::new(1.0, 0.0, 1.0).unwrap();
    let integ = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
    let driver = Driver::brownian(grid, 1).unwrap();
    let seed = Seed::new(1);
    let obs = Observe { steps: vec![STEPS], ..Default::default() };
    let sim = Ensemble::new(&integ, &driver, vec![0.0], seed, obs, serde_json::Value::Null).unwrap();
    let far = Boundary::upper(50.0).unwrap();
    let none = PassageEnsemble::new(&integ, &driver, vec![0.0], seed, far.clone(), Correction::None).unwrap();
    let bridge = PassageEnsemble::new(&integ, &driver, vec![0.0], seed, far, Correction::Bridge).unwrap();
    let mut g = c.benchmark_group("passage/ou-far");
    g.sample_size(10);
    g.throughput(Throughput::Elements(PATHS * STEPS as u64));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let run_sim = || pool.install(|| black_box(sim.run(0..PATHS).unwrap().summary.moments[0][0].count));
        let run_none = || pool.install(|| black_box(none.run(0..PATHS).unwrap().censored()));
        let run_bridge = || pool.install(|| black_box(bridge.run(0..PATHS).unwrap().censored()));
        let run_floor = || pool.install(|| black_box(floor(PATHS, STEPS, seed)));
        let jobs: [(&str, &dyn Fn()); 4] = [
            ("simulate", &|| {
                run_sim();
            }),
            ("passage-none", &|| {
                run_none();
            }),
            ("passage-bridge", &|| {
                run_bridge();
            }),
            ("floor", &|| {
                run_floor();
            }),
        ];
        interleaved(&format!("ou-far/{threads}T"), &jobs, 15);
        g.bench_with_input(BenchmarkId::new("floor-normal+fma", threads), &threads, |b, _| {
            b.iter(|| pool.install(|| black_box(floor(PATHS, STEPS, seed))))
        });
        g.bench_with_input(BenchmarkId::new("simulate", threads), &threads, |b, _| {
            b.iter(|| pool.install(|| black_box(sim.run(0..PATHS).unwrap().summary.moments[0][0].count)))
        });
        g.bench_with_input(BenchmarkId::new("passage-none", threads), &threads, |b, _| {
            b.iter(|| pool.install(|| black_box(none.run(0..PATHS).unwrap().censored())))
        });
        g.bench_with_input(BenchmarkId::new("passage-bridge", threads), &threads, |b, _| {
            b.iter(|| pool.install(|| black_box(bridge.run(0..PATHS).unwrap().censored())))
        });
    }
    g.finish();
}

fn ou_early(c: &mut Criterion) {
    let grid = Grid::new(STEPS, 1e-3).unwrap();
    let ou = Ou::new(1.0, 0.0, 1.0).unwrap();
    let integ = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
    let driver = Driver::brownian(grid, 1).unwrap();
    let seed = Seed::new(1);
    let horizon = grid.t_end();
    let ens_with = |level: f64, corr: Correction| {
        PassageEnsemble::new(&integ, &driver, vec![0.0], seed, Boundary::upper(level).unwrap(), corr).unwrap()
    };
    let ens = |level: f64| ens_with(level, Correction::Bridge);
    // The level whose mean fraction of the grid run is `target`, by bisection on 2000 paths (the
    // fraction increases with the level).
    let level_for = |target: f64| {
        let (mut lo, mut hi) = (1e-3, 5.0);
        for _ in 0..25 {
            let mid = 0.5 * (lo + hi);
            if fraction(&ens(mid).run(0..2000).unwrap(), horizon) < target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    };
    let obs = Observe { steps: vec![STEPS], ..Default::default() };
    let sim = Ensemble::new(&integ, &driver, vec![0.0], seed, obs, serde_json::Value::Null).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let levels: Vec<(&str, f64)> = [("f100", None), ("f50", Some(0.5)), ("f25", Some(0.25)), ("f10", Some(0.1))]
        .into_iter()
        .map(|(name, target)| (name, target.map_or(50.0, level_for)))
        .collect();
    let bridged: Vec<_> = levels.iter().map(|&(_, l)| ens(l)).collect();
    let plain: Vec<_> = levels.iter().map(|&(_, l)| ens_with(l, Correction::None)).collect();
    let run_sim = || {
        pool.install(|| black_box(sim.run(0..PATHS).unwrap().summary.moments[0][0].count));
    };
    let mut jobs: Vec<(String, Box<dyn Fn() + '_>)> = vec![("simulate".into(), Box::new(run_sim))];
    for (i, (name, _)) in levels.iter().enumerate() {
        let (b, p, pool) = (&bridged[i], &plain[i], &pool);
        jobs.push(((*name).into(), Box::new(move || drop(pool.install(|| black_box(b.run(0..PATHS).unwrap()))))));
        jobs.push((
            format!("{name}-none"),
            Box::new(move || drop(pool.install(|| black_box(p.run(0..PATHS).unwrap())))),
        ));
    }
    let job_refs: Vec<(&str, &dyn Fn())> = jobs.iter().map(|(n, f)| (n.as_str(), f.as_ref())).collect();
    interleaved("ou-early/1T", &job_refs, 11);
    let mut g = c.benchmark_group("passage/ou-early");
    g.sample_size(10);
    g.bench_function("simulate", |b| {
        b.iter(|| pool.install(|| black_box(sim.run(0..PATHS).unwrap().summary.moments[0][0].count)))
    });
    for &(name, level) in &levels {
        let e = ens(level);
        let f = fraction(&e.run(0..PATHS).unwrap(), horizon);
        eprintln!("PASSAGE-FRACTION ou-early/{name}: level {level:.4}, mean fraction of steps run {f:.4}");
        g.bench_function(name, |b| b.iter(|| pool.install(|| black_box(e.run(0..PATHS).unwrap().censored()))));
        // The same level without the correction (exits slightly later: fraction printed).
        let e = ens_with(level, Correction::None);
        let f = fraction(&e.run(0..PATHS).unwrap(), horizon);
        eprintln!("PASSAGE-FRACTION ou-early/{name}-none: level {level:.4}, mean fraction of steps run {f:.4}");
        g.bench_function(format!("{name}-none"), |b| {
            b.iter(|| pool.install(|| black_box(e.run(0..PATHS).unwrap().censored())))
        });
    }
    g.finish();
}

fn fbm(c: &mut Criterion) {
    let dt = 1.0 / FBM_STEPS as f64;
    let grid = Grid::new(FBM_STEPS, dt).unwrap();
    let ou = Ou::new(1.0, 0.0, 1.0).unwrap();
    let integ = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
    let driver = Driver::fractional(grid, 1, 0.7).unwrap();
    let gen = FgnGenerator::new(FBM_STEPS, 0.7, dt.powf(0.7)).unwrap();
    let seed = Seed::new(1);
    let obs = Observe { steps: vec![FBM_STEPS], ..Default::default() };
    let sim = Ensemble::new(&integ, &driver, vec![0.0], seed, obs, serde_json::Value::Null).unwrap();
    let ens = |level: f64| {
        PassageEnsemble::new(&integ, &driver, vec![0.0], seed, Boundary::upper(level).unwrap(), Correction::None)
            .unwrap()
    };
    let (far, near) = (ens(50.0), ens(0.1));
    let f = fraction(&near.run(0..FBM_PATHS).unwrap(), grid.t_end());
    eprintln!("PASSAGE-FRACTION fbm-4096/near: level 0.1, mean fraction of steps run {f:.4}");
    // The fGn of the same paths: one `fill_pair` (one FFT of size 2n) per two paths.
    let fgn_floor = || {
        (0..FBM_PATHS / 2)
            .into_par_iter()
            .map_init(
                || (gen.scratch(), vec![0.0; FBM_STEPS], vec![0.0; FBM_STEPS]),
                |(s, a, b), j| {
                    gen.fill_pair(&mut seed.stream(j), s, a, b).unwrap();
                    a[FBM_STEPS - 1] + b[FBM_STEPS - 1]
                },
            )
            .sum::<f64>()
    };
    let mut g = c.benchmark_group("passage/fbm-4096");
    g.sample_size(10);
    g.throughput(Throughput::Elements(FBM_PATHS));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let jobs: [(&str, &dyn Fn()); 4] = [
            ("floor-fgn-pairs", &|| {
                pool.install(|| black_box(fgn_floor()));
            }),
            ("simulate", &|| drop(pool.install(|| black_box(sim.run(0..FBM_PATHS).unwrap())))),
            ("passage-far", &|| drop(pool.install(|| black_box(far.run(0..FBM_PATHS).unwrap())))),
            ("passage-near", &|| drop(pool.install(|| black_box(near.run(0..FBM_PATHS).unwrap())))),
        ];
        interleaved(&format!("fbm-4096/{threads}T"), &jobs, 15);
        g.bench_with_input(BenchmarkId::new("floor-fgn-pairs", threads), &threads, |b, _| {
            b.iter(|| pool.install(|| black_box(fgn_floor())))
        });
        g.bench_with_input(BenchmarkId::new("simulate", threads), &threads, |b, _| {
            b.iter(|| pool.install(|| black_box(sim.run(0..FBM_PATHS).unwrap().summary.moments[0][0].count)))
        });
        g.bench_with_input(BenchmarkId::new("passage-far", threads), &threads, |b, _| {
            b.iter(|| pool.install(|| black_box(far.run(0..FBM_PATHS).unwrap().censored())))
        });
        g.bench_with_input(BenchmarkId::new("passage-near", threads), &threads, |b, _| {
            b.iter(|| pool.install(|| black_box(near.run(0..FBM_PATHS).unwrap().censored())))
        });
    }
    g.finish();
}

criterion_group!(benches, ou_far, ou_early, fbm);
criterion_main!(benches);
