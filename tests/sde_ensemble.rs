//! Ensembles: bit-identical results whatever the thread count or sharding; errors name the path and
//! step; memory-free observers agree with stored paths; d-dimensional models.

use fracnoise::sde::models::{LevyOu, Ou};
use fracnoise::sde::{
    DiffusionShape, Driver, Ensemble, Grid, HistogramSpec, Observe, PathIntegrator, ScalarIntegrator, ScalarSde,
    Scheme, Summary, VectorIntegrator, VectorSde,
};
use fracnoise::{Error, Seed};

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap()
}

fn observe(n: usize) -> Observe {
    Observe {
        steps: vec![n / 4, n / 2, n],
        histogram: Some(HistogramSpec { step: n, component: 0, lo: -2.0, hi: 2.0, bins: 16 }),
        extremes: true,
        quantiles: true,
        store_every: Some(10),
    }
}

fn run_range<I: PathIntegrator>(integ: &I, d: &Driver, r: std::ops::Range<u64>) -> (Summary, ndarray::Array2<f64>) {
    let n = d.grid().n_steps();
    let cfg = serde_json::json!({"model": "test"});
    let e = Ensemble::new(integ, d, vec![0.3; integ.state_dim()], Seed::new(99), observe(n), cfg).unwrap();
    let o = e.run(r).unwrap();
    (o.summary, o.paths.unwrap())
}

#[test]
fn identical_bits_for_any_thread_count_and_shards() {
    let grid = Grid::new(200, 0.01).unwrap();
    let ou = Ou::new(1.0, 0.0, 0.8).unwrap();
    let lou = LevyOu::new(1.0, 0.3, 1.5, 0.0).unwrap();
    let integ = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
    let linteg = ScalarIntegrator::new(&lou, grid, Scheme::EulerMaruyama).unwrap();
    let drivers = [
        Driver::brownian(grid, 1).unwrap(),
        Driver::fractional(grid, 1, 0.7).unwrap(),
        Driver::stable(grid, 1, lou.noise_law()).unwrap(),
    ];
    for (i, d) in drivers.iter().enumerate() {
        let integ: &(dyn Fn(std::ops::Range<u64>) -> (Summary, ndarray::Array2<f64>) + Sync) =
            if i == 2 { &|r| run_range(&linteg, d, r) } else { &|r| run_range(&integ, d, r) };
        let (a, pa) = pool(1).install(|| integ(0..203));
        let (b, pb) = pool(2).install(|| integ(0..203));
        assert_eq!(a.to_json(), b.to_json(), "driver {i}: 1 vs 2 threads");
        assert_eq!(pa, pb);
        // Shards k/N: paths [k M / N, (k+1) M / N), merged in scrambled order.
        let m = 203u64;
        let shards: Vec<Summary> = (0..3u64).map(|k| pool(2).install(|| integ(k * m / 3..(k + 1) * m / 3)).0).collect();
        let mut merged = shards[2].clone();
        merged.merge(&shards[0]).unwrap();
        merged.merge(&shards[1]).unwrap();
        assert_eq!(merged.to_json(), a.to_json(), "driver {i}: merged shards differ from one run");
        assert_eq!(merged, a);
        // Round trip through the file format.
        assert_eq!(Summary::from_json(&merged.to_json(), "x").unwrap(), a);
        // Merging a shard twice is refused.
        assert!(merged.merge(&shards[0]).is_err());
        // Stored paths agree with the streamed statistics.
        let last = pa.column(pa.ncols() - 1);
        let mean = last.iter().sum::<f64>() / last.len() as f64;
        assert!((mean - a.moments[2][0].mean()).abs() < 1e-12);
        assert_eq!(a.moments[2][0].max.unwrap(), last.iter().cloned().fold(f64::MIN, f64::max));
    }
}

#[test]
fn non_finite_state_names_path_and_step() {
    let grid = Grid::new(100, 0.01).unwrap();
    let model = ScalarSde::new(|_t, x| x, |_t, _x| 10.0);
    let integ = ScalarIntegrator::new(&model, grid, Scheme::EulerMaruyama).unwrap();
    // Paths 70 and 150 get a huge increment at step 13 (-> inf at step 14 for path 70, 40 for 150).
    let d = Driver::from_fn(grid, 1, |p, out| {
        out.iter_mut().for_each(|v| *v = 0.0);
        if p == 70 {
            out[12] = 1e307;
            out[13] = 1e307;
        }
        if p == 150 {
            out[39] = f64::MAX;
            out[38] = f64::MAX;
        }
        Ok(())
    })
    .unwrap();
    for threads in [1, 2] {
        let e = Ensemble::new(&integ, &d, vec![0.0], Seed::new(1), Observe::evenly(100, 4), serde_json::Value::Null)
            .unwrap();
        let err = pool(threads).install(|| e.run(0..400)).unwrap_err();
        match err {
            Error::NonFiniteState { path, step, value, .. } => {
                assert_eq!((path, step), (70, 14), "threads {threads}");
                assert!(!value.is_finite());
            }
            e => panic!("unexpected {e}"),
        }
        assert!(err_text(&d, &integ).contains("path 70 at step 14"));
    }
    // NaN from the model itself (sqrt of a negative number).
    let bad = ScalarSde::new(|_t, x: f64| -(x - 5.0).sqrt(), |_t, _x| 0.0);
    let integ = ScalarIntegrator::new(&bad, grid, Scheme::EulerMaruyama).unwrap();
    let d = Driver::brownian(grid, 1).unwrap();
    let e =
        Ensemble::new(&integ, &d, vec![1.0], Seed::new(1), Observe::evenly(100, 4), serde_json::Value::Null).unwrap();
    assert!(matches!(e.run(0..3), Err(Error::NonFiniteState { path: 0, step: 1, .. })));
}

fn err_text<I: PathIntegrator>(d: &Driver, integ: &I) -> String {
    let e = Ensemble::new(integ, d, vec![0.0], Seed::new(1), Observe::evenly(100, 4), serde_json::Value::Null).unwrap();
    e.run(0..400).unwrap_err().to_string()
}

#[test]
fn bad_input_is_rejected() {
    assert!(Grid::new(0, 0.1).is_err());
    assert!(Grid::new(10, 0.0).is_err());
    assert!(Grid::new(10, f64::NAN).is_err());
    assert!(Grid::new(10, f64::MAX).is_err());
    let grid = Grid::new(10, 0.1).unwrap();
    let ou = Ou::new(1.0, 0.0, 1.0).unwrap();
    let integ = ScalarIntegrator::new(&ou, grid, Scheme::Milstein).unwrap();
    let stable = Driver::stable(grid, 1, LevyOu::new(1.0, 1.0, 1.5, 0.0).unwrap().noise_law()).unwrap();
    // Milstein with a non-Brownian driver.
    assert!(
        Ensemble::new(&integ, &stable, vec![0.0], Seed::new(1), Observe::default(), serde_json::Value::Null).is_err()
    );
    let integ = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
    let bm = Driver::brownian(grid, 1).unwrap();
    let mk = |obs: Observe, x0: Vec<f64>| {
        Ensemble::new(&integ, &bm, x0, Seed::new(1), obs, serde_json::Value::Null).map(|_| ())
    };
    assert!(mk(Observe { steps: vec![11], ..Default::default() }, vec![0.0]).is_err());
    assert!(mk(Observe::default(), vec![f64::NAN]).is_err());
    assert!(mk(Observe::default(), vec![0.0, 1.0]).is_err());
    assert!(mk(Observe { store_every: Some(0), ..Default::default() }, vec![0.0]).is_err());
    let h = HistogramSpec { step: 5, component: 0, lo: 1.0, hi: 1.0, bins: 3 };
    assert!(mk(Observe { histogram: Some(h), ..Default::default() }, vec![0.0]).is_err());
    // Grid mismatch between driver and integrator.
    let other = Driver::brownian(Grid::new(20, 0.1).unwrap(), 1).unwrap();
    assert!(
        Ensemble::new(&integ, &other, vec![0.0], Seed::new(1), Observe::default(), serde_json::Value::Null).is_err()
    );
    assert!(Summary::from_json("{}", "f").is_err());
}

/// 2-d OU with a full diffusion matrix: Cov of the Euler chain X_{k+1} = a X_k + S dW_k is
/// S S^T h (1 - a^(2k)) / (1 - a^2) (a = 1 - theta h, isotropic drift).
#[test]
fn vector_ou_full_diffusion_covariance() {
    let (theta, h, n) = (1.0, 0.01, 300usize);
    let model = VectorSde::new(
        2,
        DiffusionShape::Full { noise_dim: 2 },
        move |_t, x: &[f64], b: &mut [f64]| {
            b[0] = -theta * x[0];
            b[1] = -theta * x[1];
        },
        |_t, _x: &[f64], s: &mut [f64]| s.copy_from_slice(&[1.0, 0.0, 0.6, 0.8]),
    )
    .unwrap();
    let grid = Grid::new(n, h).unwrap();
    let integ = VectorIntegrator::new(&model, grid).unwrap();
    let d = Driver::brownian(grid, 2).unwrap();
    let obs = Observe { steps: vec![n], ..Default::default() };
    let s = Ensemble::new(&integ, &d, vec![0.0, 0.0], Seed::new(5), obs, serde_json::Value::Null)
        .unwrap()
        .run(0..20_000)
        .unwrap()
        .summary;
    let a: f64 = 1.0 - theta * h;
    let g = h * (1.0 - a.powi(2 * n as i32)) / (1.0 - a * a);
    // S S^T = [[1, 0.6], [0.6, 1]]: both variances g.
    for j in 0..2 {
        let m = &s.moments[0][j];
        let z = (m.variance() - g) / m.variance_se();
        assert!(z.abs() < 4.5, "component {j}: z {z}");
    }
    // Diagonal shape.
    let diag = VectorSde::new(
        2,
        DiffusionShape::Diagonal,
        |_t, x: &[f64], b: &mut [f64]| {
            b[0] = -x[0];
            b[1] = -x[1];
        },
        |_t, _x: &[f64], s: &mut [f64]| s.copy_from_slice(&[1.0, 2.0]),
    )
    .unwrap();
    let integ = VectorIntegrator::new(&diag, grid).unwrap();
    let obs = Observe { steps: vec![n], ..Default::default() };
    let s = Ensemble::new(&integ, &d, vec![0.0, 0.0], Seed::new(5), obs, serde_json::Value::Null)
        .unwrap()
        .run(0..20_000)
        .unwrap()
        .summary;
    let z = (s.moments[0][1].variance() - 4.0 * g) / s.moments[0][1].variance_se();
    assert!(z.abs() < 4.5, "diagonal: z {z}");
}

/// The fused Brownian loop (draws inside the integrator) gives the same bits as drawing the
/// increments first and replaying them, with and without extremes.
#[test]
fn fused_brownian_equals_two_pass_replay() {
    let grid = Grid::new(300, 0.01).unwrap();
    let ou = Ou::new(1.0, 0.2, 0.8).unwrap();
    let gbm = fracnoise::sde::models::Gbm::new(0.1, 0.4).unwrap();
    let bm = Driver::brownian(grid, 1).unwrap();
    let rec = bm.record(Seed::new(99), 0..70).unwrap();
    let replay = bm.replay(rec).unwrap();
    let i1 = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
    let i2 = ScalarIntegrator::new(&gbm, grid, Scheme::Milstein).unwrap();
    for (a, b) in [
        (run_range(&i1, &bm, 0..70), run_range(&i1, &replay, 0..70)),
        (run_range(&i2, &bm, 0..70), run_range(&i2, &replay, 0..70)),
    ] {
        assert_eq!(a.0, b.0);
        assert_eq!(a.1, b.1);
    }
}

/// `run_into` (stored paths in caller-owned memory, as the Python bindings use) gives the bits of
/// `run`, and refuses a buffer of the wrong length.
#[test]
fn run_into_equals_run() {
    let grid = Grid::new(120, 0.01).unwrap();
    let ou = Ou::new(1.3, 0.2, 0.7).unwrap();
    let integ = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
    let d = Driver::brownian(grid, 1).unwrap();
    let cfg = serde_json::json!({"model": "test"});
    let e = Ensemble::new(&integ, &d, vec![0.3], Seed::new(5), observe(120), cfg).unwrap();
    let o = e.run(3..80).unwrap();
    let cols = e.stored_columns();
    assert_eq!(cols, e.stored_steps().len());
    assert_eq!(o.stored_steps, e.stored_steps());
    let mut buf = vec![f64::NAN; 77 * cols];
    let s = e.run_into(3..80, &mut buf, &|_| {}).unwrap();
    assert_eq!(s, o.summary);
    assert_eq!(buf, o.paths.unwrap().into_raw_vec_and_offset().0);
    let err = e.run_into(3..80, &mut buf[1..], &|_| {}).unwrap_err();
    assert!(matches!(err, Error::LengthMismatch { name: "stored", .. }), "{err}");
}

/// Stored paths of `integ` on paths 0..40, storing every `every`-th step.
fn stored<I: PathIntegrator>(integ: &I, d: &Driver, every: usize, extremes: bool) -> (Summary, ndarray::Array2<f64>) {
    let n = d.grid().n_steps();
    // Step n - 1 is not a multiple of 3: with every = 3 the copy route, with every = 1 the direct one.
    let o = Observe { steps: vec![n - 1, n], histogram: None, extremes, store_every: Some(every), quantiles: false };
    let e = Ensemble::new(integ, d, vec![0.3], Seed::new(8), o, serde_json::json!(null)).unwrap();
    let r = e.run(0..40).unwrap();
    (r.summary, r.paths.unwrap())
}

/// Stops at every step (stored full paths) run as dense blocks; the states must have the bits of
/// the sparse route (every third step stored), for the linear fast path and a closure model,
/// with and without extremes.
#[test]
fn dense_stops_equal_sparse_stops() {
    let grid = Grid::new(300, 0.01).unwrap();
    let ou = Ou::new(1.3, 0.2, 0.7).unwrap();
    let cubic = ScalarSde::new(|_t, x: f64| 0.5 * x - x * x * x, |_t, x: f64| 0.4 + 0.1 * x.sin());
    let d = Driver::brownian(grid, 1).unwrap();
    let lin = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
    let gen = ScalarIntegrator::new(&cubic, grid, Scheme::EulerMaruyama).unwrap();
    for extremes in [false, true] {
        let (s1, p1) = stored(&lin, &d, 1, extremes);
        let (s3, p3) = stored(&lin, &d, 3, extremes);
        assert_eq!(s1.moments, s3.moments);
        assert_eq!(s1.running_max, s3.running_max);
        assert_eq!(s1.running_min, s3.running_min);
        for j in 0..p3.ncols() {
            assert_eq!(p1.column(3 * j), p3.column(j), "linear, column {j}");
        }
        let (g1, q1) = stored(&gen, &d, 1, extremes);
        let (g3, q3) = stored(&gen, &d, 3, extremes);
        assert_eq!(g1.running_min, g3.running_min);
        for j in 0..q3.ncols() {
            assert_eq!(q1.column(3 * j), q3.column(j), "closure model, column {j}");
        }
    }
}

/// Brownian paths of a linear model run four at a time ([`PathIntegrator::integrate_brownian_x4`]);
/// every path must have the bits of the one-path route (a range of one path never forms a group),
/// for stored paths on the copy and the direct route, with and without extremes, and a path that
/// blows up must report the error (path, step) of the one-path route.
#[test]
fn four_paths_side_by_side_equal_one_at_a_time() {
    let grid = Grid::new(150, 0.01).unwrap();
    let ou = Ou::new(1.7, -0.4, 0.9).unwrap();
    let integ = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
    let d = Driver::brownian(grid, 1).unwrap();
    let dense = Observe { steps: vec![75, 150], store_every: Some(1), extremes: false, ..Default::default() };
    for obs in [observe(150), dense] {
        let e = Ensemble::new(&integ, &d, vec![0.3], Seed::new(12), obs, serde_json::json!(null)).unwrap();
        let all = e.run(3..40).unwrap();
        let mut merged: Option<Summary> = None;
        for p in 3..40u64 {
            let one = e.run(p..p + 1).unwrap();
            assert_eq!(
                one.paths.as_ref().unwrap().row(0),
                all.paths.as_ref().unwrap().row((p - 3) as usize),
                "path {p}"
            );
            match &mut merged {
                None => merged = Some(one.summary),
                Some(m) => m.merge(&one.summary).unwrap(),
            }
        }
        assert_eq!(merged.unwrap(), all.summary);
    }
    // 1 - theta dt = -999: every path overflows; the first path of the range is reported, at the
    // step the one-path route finds.
    let wild = Ou::new(1e5, 0.0, 1.0).unwrap();
    let integ = ScalarIntegrator::new(&wild, grid, Scheme::EulerMaruyama).unwrap();
    let e =
        Ensemble::new(&integ, &d, vec![1.0], Seed::new(3), Observe::evenly(150, 3), serde_json::json!(null)).unwrap();
    let one = e.run(5..6).unwrap_err().to_string();
    let many = e.run(5..13).unwrap_err().to_string();
    assert!(one.contains("path 5"), "{one}");
    assert_eq!(one, many);
}
