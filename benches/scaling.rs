//! Scaling: measured time of the two workloads that size a run (an OU ensemble with a Brownian
//! driver, and exact fGn paths) over a grid of sizes on 1 and 2 threads, a cost model fitted to
//! them by least squares, and a plot (`target/scaling.svg`) of measured points against the model.
//!
//! Run: `cargo bench --bench scaling` (about a minute; not criterion: each point is the minimum
//! of a few wall-clock runs in a rayon pool of the given size, which is what the model needs).
//! `benches/README.md` ("Scaling") has the figures, the model and how to size a larger run.
//!
//! Model (per workload, `T` threads, `c`, `s` and `e` fitted):
//! - OU ensemble, `P` paths x `N` steps: `t = s + c P N / (T e_T)`; `c` is the cost of one
//!   path-step on one thread, `s` a fixed cost (pool dispatch, summary merge), `e_T` the parallel
//!   efficiency of `T` threads (1 for `T = 1`).
//! - fGn, `P` paths of `n` points: `ceil(P / 2)` Davies–Harte pairs, each one complex FFT of `2n`
//!   and `4n` normals: `t = ceil(P / 2) 2n k(n) / (T e_T(n))`, with `k(n)` the measured cost per
//!   embedding point of one pair on one thread. `k` grows with `log2 n` (the FFT) and jumps when the
//!   pair's `2n` complex values (`32 n` bytes) leave the caches, so it is tabulated, not fitted;
//!   `e_2(n)` is measured per `n` (it falls where the FFT is bound by memory bandwidth).

use fracnoise::noise::FgnGenerator;
use fracnoise::sde::models::Ou;
use fracnoise::sde::{Driver, Ensemble, Grid, Observe, ScalarIntegrator, Scheme};
use fracnoise::Seed;
use ndarray::Array2;
use plotters::prelude::*;
use std::hint::black_box;
use std::time::Instant;

/// Minimum wall time of `reps` calls, in seconds.
fn time_min(reps: usize, mut f: impl FnMut()) -> f64 {
    f();
    (0..reps)
        .map(|_| {
            let t0 = Instant::now();
            f();
            t0.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// Least-squares line `y = s + c x`: returns `(s, c)`.
fn fit_line(x: &[f64], y: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    let c = sxy / sxx;
    (my - c * mx, c)
}

struct Point {
    threads: usize,
    work: f64,
    secs: f64,
}

fn ou_time(threads: usize, paths: u64, steps: usize) -> f64 {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let grid = Grid::new(steps, 1e-3).unwrap();
    let ou = Ou::new(1.0, 0.0, 1.0).unwrap();
    let integ = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
    let d = Driver::brownian(grid, 1).unwrap();
    let obs = Observe { steps: vec![steps], ..Default::default() };
    let e = Ensemble::new(&integ, &d, vec![0.0], Seed::new(1), obs, serde_json::Value::Null).unwrap();
    time_min(3, || {
        black_box(pool.install(|| e.run(0..paths).unwrap().summary.moments[0][0].count));
    })
}

fn fgn_time(threads: usize, paths: usize, n: usize) -> f64 {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let g = FgnGenerator::new(n, 0.7, 1.0).unwrap();
    let mut out = Array2::<f64>::zeros((paths, n));
    time_min(3, || {
        pool.install(|| g.fill_paths(Seed::new(1), 0, out.view_mut()).unwrap());
        black_box(out[[0, 0]]);
    })
}

fn main() {
    // Criterion-style arguments (`--bench`) are ignored.
    let ou_sizes: [(u64, usize); 5] = [(1000, 1000), (4000, 1000), (10_000, 1000), (10_000, 250), (40_000, 500)];
    let fgn_sizes: [(usize, usize); 5] = [(200, 4096), (1000, 4096), (64, 65_536), (8, 1 << 18), (8, 1 << 20)];
    let mut ou = Vec::new();
    let mut fgn = Vec::new();
    for threads in [1usize, 2] {
        for &(p, s) in &ou_sizes {
            let t = ou_time(threads, p, s);
            println!("ou   T={threads} paths={p:6} steps={s:5}: {:9.3} ms", t * 1e3);
            ou.push((Point { threads, work: (p as f64) * (s as f64), secs: t }, p, s));
        }
        for &(p, n) in &fgn_sizes {
            let t = fgn_time(threads, p, n);
            println!("fgn  T={threads} paths={p:6} n={n:8}: {:9.3} ms", t * 1e3);
            let m = 2.0 * n as f64;
            fgn.push((Point { threads, work: (p as f64 / 2.0).ceil() * m, secs: t }, p, n));
        }
    }

    // OU fit on one thread: t = s + c W; two threads: the same s, c / e_2.
    let fit = |t: usize| {
        let pts: Vec<&Point> = ou.iter().map(|(p, _, _)| p).filter(|p| p.threads == t).collect();
        let (x, y): (Vec<f64>, Vec<f64>) = pts.iter().map(|p| (p.work, p.secs)).unzip();
        fit_line(&x, &y)
    };
    let (b1, b2) = (fit(1), fit(2));
    let (b1, b2) = ([b1.0, b1.1], [b2.0, b2.1]);
    let (ou_c, ou_e2) = (b1[1], b1[1] / (2.0 * b2[1]));
    println!(
        "\nOU model: t = {:.2} ms + {:.3} ns x paths x steps / (T e_T); e_2 = {:.3}",
        b1[0] * 1e3,
        ou_c * 1e9,
        ou_e2
    );

    // fGn: k(n) per embedding point on one thread, e_2(n) per n.
    let fgn_k: Vec<(usize, f64, f64)> = fgn_sizes
        .iter()
        .map(|&(p, n)| {
            let pts = (p as f64 / 2.0).ceil() * 2.0 * n as f64;
            let t1 =
                fgn.iter().find(|r| r.0.threads == 1 && r.1 == p && r.2 == n).map(|r| r.0.secs).unwrap_or(f64::NAN);
            let t2 =
                fgn.iter().find(|r| r.0.threads == 2 && r.1 == p && r.2 == n).map(|r| r.0.secs).unwrap_or(f64::NAN);
            (n, t1 / pts, t1 / (2.0 * t2))
        })
        .collect();
    println!("\nfGn model: t = ceil(paths / 2) x 2n x k(n) / (T e_T(n))");
    for &(n, k, e2) in &fgn_k {
        println!("  n = {n:8}: k = {:6.2} ns per embedding point, e_2 = {e2:.2}", k * 1e9);
    }
    println!("\nmeasured / model:");
    for (p, paths, steps) in &ou {
        let e = if p.threads == 1 { 1.0 } else { ou_e2 };
        let m = b1[0] + ou_c * p.work / (p.threads as f64 * e);
        println!(
            "ou   T={} {paths:6} x {steps:5}: {:8.3} / {:8.3} ms ({:.2})",
            p.threads,
            p.secs * 1e3,
            m * 1e3,
            p.secs / m
        );
    }
    // Plot: time against work, measured points (1 and 2 threads) and the model for 1..16 threads.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/scaling.svg");
    let root = SVGBackend::new(&path, (960, 480)).into_drawing_area();
    root.fill(&WHITE).unwrap();
    let (left, right) = root.split_horizontally(480);
    let threads_model = [1usize, 2, 4, 8, 16];
    let colors = [BLUE, RED, GREEN, MAGENTA, BLACK];
    {
        let mut ch = ChartBuilder::on(&left)
            .caption("OU ensemble (Brownian): time vs path-steps", ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(55)
            .build_cartesian_2d((1e5f64..1e10f64).log_scale(), (1e-4f64..1e2f64).log_scale())
            .unwrap();
        ch.configure_mesh().x_desc("paths x steps").y_desc("seconds").draw().unwrap();
        for (k, &t) in threads_model.iter().enumerate() {
            let e = if t == 1 { 1.0 } else { ou_e2 };
            let line: Vec<(f64, f64)> = (0..=50)
                .map(|i| 10f64.powf(5.0 + 5.0 * i as f64 / 50.0))
                .map(|w| (w, b1[0].max(0.0) + ou_c * w / (t as f64 * e)))
                .collect();
            ch.draw_series(LineSeries::new(line, colors[k]))
                .unwrap()
                .label(format!("model, {t} threads"))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], colors[k]));
        }
        for (p, _, _) in &ou {
            let c = if p.threads == 1 { colors[0] } else { colors[1] };
            ch.draw_series(std::iter::once(Circle::new((p.work, p.secs), 4, c.filled()))).unwrap();
        }
        ch.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw().unwrap();
    }
    {
        let mut ch = ChartBuilder::on(&right)
            .caption("exact fGn: ns per embedding point and thread", ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(55)
            .build_cartesian_2d((1e3f64..4e6f64).log_scale(), 0f64..40f64)
            .unwrap();
        ch.configure_mesh().x_desc("n (points per path)").y_desc("T t / (pairs 2n), ns").draw().unwrap();
        for (k, t) in [1usize, 2].into_iter().enumerate() {
            let pts: Vec<(f64, f64)> = fgn
                .iter()
                .filter(|r| r.0.threads == t)
                .map(|r| (r.2 as f64, r.0.secs * t as f64 / r.0.work * 1e9))
                .collect();
            ch.draw_series(LineSeries::new(pts.clone(), colors[k]))
                .unwrap()
                .label(format!("measured, {t} thread{}", if t == 1 { "" } else { "s" }))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], colors[k]));
            ch.draw_series(pts.into_iter().map(|p| Circle::new(p, 4, colors[k].filled()))).unwrap();
        }
        ch.configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .unwrap();
    }
    root.present().unwrap();
    println!("\nplot: {}", path.display());
}
