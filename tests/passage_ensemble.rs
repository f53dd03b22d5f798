//! First passage through the ensemble: exits against closed forms with and without the
//! discrete-monitoring corrections, reproducibility across threads and shards, bad input.

use fracnoise::passage::closed_form::DriftedBmLevel;
use fracnoise::passage::{Boundary, Correction, PassageEnsemble, PassageRecords};
use fracnoise::sde::{Driver, Grid, LinearAdditive, ScalarIntegrator, ScalarModel, Scheme};
use fracnoise::stats::{ks_test, Moments};
use fracnoise::Seed;

/// Brownian motion with drift, `dX = mu dt + sigma dW` (linear additive with `k = 0`).
struct DriftBm {
    mu: f64,
    sigma: f64,
}

impl ScalarModel for DriftBm {
    fn drift(&self, _t: f64, _x: f64) -> f64 {
        self.mu
    }
    fn diffusion(&self, _t: f64, _x: f64) -> f64 {
        self.sigma
    }
    fn linear_additive(&self) -> Option<LinearAdditive> {
        Some(LinearAdditive { k: 0.0, m: self.mu, s: self.sigma })
    }
}

fn bm_drift_exits(correction: Correction, seed: u64, paths: u64) -> PassageRecords {
    let (mu, sigma, d) = (0.8, 1.3, 1.0);
    // dt = 0.05 of the mean passage time d / mu = 1.25.
    let grid = Grid::new(1600, 0.0625).unwrap();
    let m = DriftBm { mu, sigma };
    let integ = ScalarIntegrator::new(&m, grid, Scheme::EulerMaruyama).unwrap();
    let driver = Driver::brownian(grid, 1).unwrap();
    let b = Boundary::upper(d).unwrap();
    PassageEnsemble::new(&integ, &driver, vec![0.0], Seed::new(seed), b, correction).unwrap().run(0..paths).unwrap()
}

#[test]
fn bridge_gives_the_inverse_gaussian_law_at_coarse_dt() {
    let (mu, sigma, d) = (0.8, 1.3, 1.0);
    for (corr, should_pass) in [(Correction::Bridge, true), (Correction::None, false)] {
        let r = bm_drift_exits(corr, 11, 20_000);
        assert_eq!(r.censored(), 0);
        let t: Vec<f64> = r.exits().iter().map(|e| e.time).collect();
        let ig = DriftedBmLevel::new(d, mu, sigma).unwrap();
        let ks = ks_test(&t, |x| ig.cdf(x).unwrap()).unwrap();
        let m = Moments::from_slice(&t);
        let z = m.z(d / mu);
        eprintln!("{corr:?}: KS p = {:.3e}, mean {} z = {z:.2}", ks.p_value, m.mean());
        if should_pass {
            assert!(ks.p_value > 1e-6 && z.abs() < 5.0);
        } else {
            assert!(ks.p_value < 1e-6 && z > 5.0);
        }
    }
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(f)
}

/// Same bits with 1 and 2 threads and with shards merged in any order, for every driver, with and
/// without the bridge; the records of each path equal a run of that path alone.
#[test]
fn same_bits_for_any_thread_count_and_shard_split() {
    use fracnoise::noise::Stable;
    use fracnoise::sde::models::Ou;
    let grid = Grid::new(400, 0.01).unwrap();
    let ou = Ou::new(1.5, 0.2, 0.9).unwrap();
    let integ = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
    let drivers = [
        (Driver::brownian(grid, 1).unwrap(), Correction::Bridge),
        (Driver::brownian(grid, 1).unwrap(), Correction::None),
        (Driver::stable(grid, 1, Stable::standard(1.5, 0.3).unwrap()).unwrap(), Correction::None),
        (Driver::fractional(grid, 1, 0.7).unwrap(), Correction::None),
    ];
    for (d, corr) in &drivers {
        let b = Boundary::interval(-0.6, 0.8).unwrap();
        let e = PassageEnsemble::new(&integ, d, vec![0.1], Seed::new(9), b, *corr).unwrap();
        let one = in_pool(1, || e.run(0..203).unwrap());
        let two = in_pool(2, || e.run(0..203).unwrap());
        assert_eq!(one, two, "{:?}", d.kind());
        let mut merged = e.run(150..203).unwrap();
        merged.merge(&e.run(0..37).unwrap()).unwrap();
        merged.merge(&e.run(37..150).unwrap()).unwrap();
        assert_eq!(merged, one);
        for p in [0u64, 36, 37, 202] {
            assert_eq!(e.run_path(p).unwrap(), one.exits()[p as usize]);
        }
        // Some paths exit, so the comparisons above cover exit records, not only censoring.
        assert!(one.exits().iter().any(|x| !x.is_censored()), "{:?}: no exit", d.kind());
        assert!(one.exits().iter().all(|x| x.time <= grid.t_end()));
    }
}

/// A Brownian replay of recorded increments gives the same exits as the fresh driver, with the
/// bridge too (the bridge stream is separate from the noise).
#[test]
fn replayed_noise_gives_the_same_exits() {
    let grid = Grid::new(300, 0.02).unwrap();
    let m = DriftBm { mu: -0.3, sigma: 0.7 };
    let integ = ScalarIntegrator::new(&m, grid, Scheme::EulerMaruyama).unwrap();
    let d = Driver::brownian(grid, 1).unwrap();
    let rec = d.record(Seed::new(4), 0..50).unwrap();
    let r = d.replay(rec).unwrap();
    for corr in [Correction::None, Correction::Bridge] {
        let b = Boundary::lower(-1.0).unwrap();
        let a = PassageEnsemble::new(&integ, &d, vec![0.0], Seed::new(4), b.clone(), corr).unwrap().run(0..50).unwrap();
        let c = PassageEnsemble::new(&integ, &r, vec![0.0], Seed::new(4), b, corr).unwrap().run(0..50).unwrap();
        assert_eq!(a, c);
    }
}

/// Typed errors naming the problem: start outside, NaN level, non-Brownian correction, moving
/// level that crosses, a state that blows up.
#[test]
fn bad_input_is_a_clear_error() {
    use std::sync::Arc;
    let grid = Grid::new(100, 0.01).unwrap();
    let m = DriftBm { mu: 0.0, sigma: 1.0 };
    let integ = ScalarIntegrator::new(&m, grid, Scheme::EulerMaruyama).unwrap();
    let d = Driver::brownian(grid, 1).unwrap();
    let mk = |b: Boundary, x0: f64, c: Correction| PassageEnsemble::new(&integ, &d, vec![x0], Seed::new(1), b, c);
    let e = mk(Boundary::upper(0.5).unwrap(), 0.5, Correction::None).unwrap_err().to_string();
    assert!(e.contains("`upper` = 0.5") && e.contains("above the start"), "{e}");
    let e = mk(Boundary::lower(0.5).unwrap(), 0.0, Correction::None).unwrap_err().to_string();
    assert!(e.contains("`lower`"), "{e}");
    assert!(Boundary::upper(f64::NAN).unwrap_err().to_string().contains("`upper` = NaN"));
    assert!(Boundary::interval(1.0, -1.0).is_err());
    let stable = Driver::stable(grid, 1, fracnoise::noise::Stable::standard(1.2, 0.0).unwrap()).unwrap();
    let e = PassageEnsemble::new(
        &integ,
        &stable,
        vec![0.0],
        Seed::new(1),
        Boundary::upper(1.0).unwrap(),
        Correction::Bridge,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("Brownian"), "{e}");
    // A moving upper level that falls below the lower one at t = 0.5.
    let b = Boundary::moving(Some(Arc::new(|t: f64| 1.0 - 4.0 * t)), Some(Arc::new(|_t: f64| -1.0))).unwrap();
    let r = mk(b, 0.0, Correction::None).unwrap().run(0..20);
    assert!(r.is_ok(), "paths exit before the levels cross");
    let b = Boundary::moving(Some(Arc::new(|t: f64| if t > 0.3 { f64::NAN } else { 10.0 })), None).unwrap();
    let e = mk(b, 0.0, Correction::None).unwrap().run(0..4).unwrap_err().to_string();
    assert!(e.contains("upper NaN"), "{e}");
    // A state that overflows is reported with its path and step.
    let blow = fracnoise::sde::ScalarSde::new(|_t, x: f64| x * x * x * 1e6, |_t, _x| 1.0);
    let bi = ScalarIntegrator::new(&blow, grid, Scheme::EulerMaruyama).unwrap();
    let e =
        PassageEnsemble::new(&bi, &d, vec![0.5], Seed::new(1), Boundary::upper(f64::MAX).unwrap(), Correction::None)
            .unwrap()
            .run(0..3)
            .unwrap_err();
    assert!(matches!(e, fracnoise::Error::NonFiniteState { path: 0, .. }), "{e}");
}

/// A moving level `u(t) = 1 - 0.6 t` for driftless BM is the level 1 for BM with drift 0.6:
/// inverse Gaussian. The bridge is exact for levels linear over a step, so KS passes at a coarse
/// dt; grid monitoring fails.
#[test]
fn linear_moving_level_gives_the_inverse_gaussian() {
    use std::sync::Arc;
    let (c, sigma) = (0.6, 0.9);
    let ig = DriftedBmLevel::new(1.0, c, sigma).unwrap();
    let grid = Grid::new(2000, 0.08).unwrap();
    let m = DriftBm { mu: 0.0, sigma };
    let integ = ScalarIntegrator::new(&m, grid, Scheme::EulerMaruyama).unwrap();
    let d = Driver::brownian(grid, 1).unwrap();
    for (corr, pass) in [(Correction::Bridge, true), (Correction::None, false)] {
        let b = Boundary::moving(Some(Arc::new(move |t: f64| 1.0 - c * t)), None).unwrap();
        let r = PassageEnsemble::new(&integ, &d, vec![0.0], Seed::new(21), b, corr).unwrap().run(0..20_000).unwrap();
        let t: Vec<f64> = r.exits().iter().map(|e| e.time).collect();
        let ks = ks_test(&t, |x| ig.cdf(x).unwrap()).unwrap();
        assert_eq!(pass, ks.p_value > 1e-6, "{corr:?}: KS p = {}", ks.p_value);
    }
}

/// A boundary on component 1 of a 2-d system (correlated noise): component 1 is BM with drift
/// 0.5 and scale sqrt(0.3^2 + 0.8^2); its passage to 1.2 is inverse Gaussian, with the bridge
/// using the component's local scale.
#[test]
fn boundary_on_a_component_of_a_vector_model() {
    use fracnoise::sde::{DiffusionShape, VectorIntegrator, VectorSde};
    let grid = Grid::new(3000, 0.05).unwrap();
    let m = VectorSde::new(
        2,
        DiffusionShape::Full { noise_dim: 2 },
        |_t, x: &[f64], b: &mut [f64]| {
            b[0] = -x[0];
            b[1] = 0.5;
        },
        |_t, _x: &[f64], s: &mut [f64]| s.copy_from_slice(&[1.0, 0.0, 0.3, 0.8]),
    )
    .unwrap();
    let integ = VectorIntegrator::new(&m, grid).unwrap();
    let d = Driver::brownian(grid, 2).unwrap();
    let b = Boundary::upper(1.2).unwrap().on_component(1);
    let r = PassageEnsemble::new(&integ, &d, vec![0.3, 0.0], Seed::new(8), b, Correction::Bridge)
        .unwrap()
        .run(0..20_000)
        .unwrap();
    let ig = DriftedBmLevel::new(1.2, 0.5, (0.3f64 * 0.3 + 0.8 * 0.8).sqrt()).unwrap();
    let t: Vec<f64> = r.exits().iter().map(|e| e.time).collect();
    let ks = ks_test(&t, |x| ig.cdf(x).unwrap()).unwrap();
    assert!(ks.p_value > 1e-6, "KS p = {}", ks.p_value);
    assert!(PassageEnsemble::new(
        &integ,
        &d,
        vec![0.3, 0.0],
        Seed::new(8),
        Boundary::upper(1.0).unwrap().on_component(2),
        Correction::None
    )
    .is_err());
}
