//! The typed ensemble construction: the builder runs the same paths as `Ensemble::new`, derives a
//! configuration that keeps different runs from merging, reads results by accessor, and a model
//! written for one Hurst index refuses a driver of another.

use fracnoise::passage::{Boundary, Correction, PassageEnsemble};
use fracnoise::sde::models::{FractionalOu, Ou};
use fracnoise::sde::{Driver, Ensemble, Grid, Observe, ScalarIntegrator, Scheme};
use fracnoise::Seed;

#[test]
fn builder_matches_new_and_accessors_read_the_moments() {
    let grid = Grid::new(100, 0.01).unwrap();
    let ou = Ou::new(1.0, 0.2, 0.8).unwrap();
    let integ = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
    let driver = Driver::brownian(grid, 1).unwrap();
    let seed = Seed::new(11);
    let a = Ensemble::builder(&integ, &driver).x0(vec![1.0]).seed(seed).observe_evenly(4).build().unwrap();
    let a = a.run(0..300).unwrap();
    let b = Ensemble::new(&integ, &driver, vec![1.0], seed, Observe::evenly(100, 4), serde_json::Value::Null)
        .unwrap()
        .run(0..300)
        .unwrap();
    assert_eq!(a.summary.moments, b.summary.moments);
    assert_eq!(a.times(), &[0.25, 0.5, 0.75, 1.0]);
    let m = a.mean(3, 0).unwrap();
    assert_eq!(m.value, a.summary.moments[3][0].mean());
    assert_eq!(m.se, a.summary.moments[3][0].mean_se());
    assert_eq!(a.variance(3, 0).unwrap().value, a.summary.moments[3][0].variance());
    assert!(m.ci.lo < m.value && m.value < m.ci.hi);

    // Defaults: x0 = 0, the final step only. Different seeds or models give different configs.
    let c = Ensemble::builder(&integ, &driver).describe("ou", &[("theta", 1.0)]).build().unwrap().run(0..10).unwrap();
    assert_eq!(c.times(), &[1.0]);
    let mut d =
        Ensemble::builder(&integ, &driver).describe("ou", &[("theta", 1.0)]).build().unwrap().run(10..20).unwrap();
    d.summary.merge(&c.summary).unwrap();
    let e = Ensemble::builder(&integ, &driver).seed(Seed::new(1)).build().unwrap().run(20..30).unwrap();
    assert!(d.summary.merge(&e.summary).is_err());
}

#[test]
fn accessor_out_of_range_is_an_error() {
    let grid = Grid::new(10, 0.1).unwrap();
    let ou = Ou::new(1.0, 0.0, 1.0).unwrap();
    let integ = ScalarIntegrator::new(&ou, grid, Scheme::EulerMaruyama).unwrap();
    let driver = Driver::brownian(grid, 1).unwrap();
    let out = Ensemble::builder(&integ, &driver).build().unwrap().run(0..4).unwrap();
    let e = out.mean(1, 0).unwrap_err().to_string();
    assert!(e.contains("time_index") && e.contains("1"), "{e}");
    assert!(out.variance(0, 1).unwrap_err().to_string().contains("component"));
}

#[test]
fn fractional_ou_refuses_a_driver_of_another_hurst() {
    let grid = Grid::new(64, 0.01).unwrap();
    let f = FractionalOu::new(1.0, 0.0, 1.0, 0.7).unwrap();
    let integ = ScalarIntegrator::new(&f, grid, Scheme::EulerMaruyama).unwrap();
    let good = f.driver(grid).unwrap();
    assert!(Ensemble::builder(&integ, &good).build().is_ok());
    let bad = Driver::fractional(grid, 1, 0.3).unwrap();
    let err = Ensemble::builder(&integ, &bad).build().err().unwrap().to_string();
    assert!(err.contains("H = 0.7"), "{err}");
    assert!(Ensemble::builder(&integ, &Driver::brownian(grid, 1).unwrap()).build().is_err());
    let b = Boundary::upper(1.0).unwrap();
    assert!(PassageEnsemble::new(&integ, &bad, vec![0.0], Seed::new(1), b.clone(), Correction::None).is_err());
    assert!(PassageEnsemble::new(&integ, &good, vec![0.0], Seed::new(1), b, Correction::None).is_ok());
    // At H = 1/2 a Brownian driver fits.
    let half = FractionalOu::new(1.0, 0.0, 1.0, 0.5).unwrap();
    let hi = ScalarIntegrator::new(&half, grid, Scheme::EulerMaruyama).unwrap();
    assert!(Ensemble::builder(&hi, &Driver::brownian(grid, 1).unwrap()).build().is_ok());
}
