//! Convergence orders measured, not assumed: slope of log error on log dt on the same noise path
//! refined, with a jackknife standard error over 20 independent batches of paths.
//!
//! Criterion: `|slope - order| <= 4 se + 0.05` (0.05: stated bound on the pre-asymptotic bias over
//! the levels used). Each test also runs the same measurement with increments of the wrong scale
//! and checks that it is rejected.

use fracnoise::sde::models::Gbm;
use fracnoise::sde::{measure_order, Driver, ErrorKind, Grid, OrderEstimate, Scheme};
use fracnoise::Seed;
use rand_distr::{Distribution, StandardNormal};

const BIAS: f64 = 0.05;
const FACTORS: [usize; 6] = [1, 2, 4, 8, 16, 32];

fn accepted(e: &OrderEstimate, order: f64) -> bool {
    (e.slope - order).abs() <= 4.0 * e.slope_se + BIAS
}

fn report(name: &str, e: &OrderEstimate, order: f64) {
    let (lo, hi) = e.ci95();
    eprintln!(
        "{name}: slope {:.4} +- {:.4} (95% CI [{lo:.3}, {hi:.3}], target {order}, z {:.2}), errors {:?}",
        e.slope,
        e.slope_se,
        e.z(order),
        e.errors
    );
}

/// Brownian increments of scale dt^p (p = 1/2 is correct).
fn scaled_brownian(grid: Grid, p: f64, seed: Seed) -> Driver {
    let s = grid.dt().powf(p);
    Driver::from_fn(grid, 1, move |path, out| {
        let mut rng = seed.stream(path);
        for v in out.iter_mut() {
            let z: f64 = StandardNormal.sample(&mut rng);
            *v = s * z;
        }
        Ok(())
    })
    .unwrap()
}

fn gbm_order(scheme: Scheme, kind: ErrorKind, gbm: Gbm, driver: &Driver, paths: usize) -> OrderEstimate {
    let t = driver.grid().t_end();
    measure_order(&gbm, scheme, driver, 1.0, Seed::new(11), paths, &FACTORS, kind, 20, |dl| {
        gbm.exact_ito(t, 1.0, dl.iter().sum())
    })
    .unwrap()
}

#[test]
fn euler_maruyama_strong_order_half() {
    let gbm = Gbm::new(0.5, 0.8).unwrap();
    let grid = Grid::with_end(1024, 1.0).unwrap();
    let good = gbm_order(Scheme::EulerMaruyama, ErrorKind::Strong, gbm, &Driver::brownian(grid, 1).unwrap(), 4000);
    report("EM strong", &good, 0.5);
    assert!(accepted(&good, 0.5));
    for p in [0.4, 0.6] {
        let bad =
            gbm_order(Scheme::EulerMaruyama, ErrorKind::Strong, gbm, &scaled_brownian(grid, p, Seed::new(11)), 4000);
        report(&format!("EM strong, increments dt^{p}"), &bad, 0.5);
        assert!(!accepted(&bad, 0.5), "wrong increment scale dt^{p} must be rejected");
    }
}

#[test]
fn milstein_strong_order_one() {
    let gbm = Gbm::new(0.5, 0.8).unwrap();
    let grid = Grid::with_end(1024, 1.0).unwrap();
    let good = gbm_order(Scheme::Milstein, ErrorKind::Strong, gbm, &Driver::brownian(grid, 1).unwrap(), 4000);
    report("Milstein strong", &good, 1.0);
    assert!(accepted(&good, 1.0));
    // Milstein is exact to second order along any continuous path (for GBM its step is the
    // expansion of x exp(sigma dW + (mu - sigma^2/2) h)), so a rescaled path still converges to
    // the Itô formula evaluated on that path: what breaks it is a wrong scheme. Feed it a model whose
    // s' is wrong (2 sigma instead of sigma): the correction no longer cancels the order-1/2 term.
    let wrong = fracnoise::sde::ScalarSde::new(|_t, x| 0.5 * x, |_t, x| 0.8 * x).with_derivative(|_t, _x| 1.6);
    let t = grid.t_end();
    let bad = measure_order(
        &wrong,
        Scheme::Milstein,
        &Driver::brownian(grid, 1).unwrap(),
        1.0,
        Seed::new(11),
        4000,
        &FACTORS,
        ErrorKind::Strong,
        20,
        |dl| gbm.exact_ito(t, 1.0, dl.iter().sum()),
    )
    .unwrap();
    report("Milstein strong, wrong s'", &bad, 1.0);
    assert!(!accepted(&bad, 1.0));
}

#[test]
fn euler_maruyama_weak_order_one() {
    let gbm = Gbm::new(1.5, 0.2).unwrap();
    let grid = Grid::with_end(1024, 1.0).unwrap();
    let good = gbm_order(Scheme::EulerMaruyama, ErrorKind::Weak, gbm, &Driver::brownian(grid, 1).unwrap(), 4000);
    report("EM weak", &good, 1.0);
    assert!(accepted(&good, 1.0));
    // The measured errors agree with the exact Euler law E X_N = (1 + mu h)^N within their noise.
    let h = good.dts[0];
    let expect = gbm.em_mean((1.0 / h).round() as usize, h, 1.0) - gbm.mean(1.0, 1.0);
    assert!((good.errors[0] - expect.abs()).abs() < 0.2 * expect.abs(), "{} vs {expect}", good.errors[0]);
    let bad = gbm_order(Scheme::EulerMaruyama, ErrorKind::Weak, gbm, &scaled_brownian(grid, 0.4, Seed::new(11)), 4000);
    report("EM weak, increments dt^0.4", &bad, 1.0);
    assert!(!accepted(&bad, 1.0));
}

/// Geometric fBM dX = sigma X dB^H, H = 0.75: EM converges pathwise to x0 exp(sigma B^H_T) at rate
/// dt^(2H - 1) (Mishura 2008; Neuenkirch & Nourdin 2007).
#[test]
fn euler_maruyama_fbm_multiplicative_rate() {
    let hurst = 0.75;
    let gbm = Gbm::new(0.0, 0.5).unwrap();
    let grid = Grid::with_end(1024, 1.0).unwrap();
    let t = grid.t_end();
    let run = |driver: &Driver| {
        measure_order(
            &gbm,
            Scheme::EulerMaruyama,
            driver,
            1.0,
            Seed::new(11),
            2000,
            &FACTORS,
            ErrorKind::Strong,
            20,
            |dl| gbm.exact_pathwise(t, 1.0, dl.iter().sum()),
        )
        .unwrap()
    };
    let est = run(&Driver::fractional(grid, 1, hurst).unwrap());
    report("EM fBM H=0.75 pathwise", &est, 2.0 * hurst - 1.0);
    assert!(accepted(&est, 2.0 * hurst - 1.0));
    // Increments of the wrong scale dt^0.6 (fGn of H = 0.6) and dt^(1/2) (Brownian): the rate
    // follows the increments (2 * 0.6 - 1 = 0.2, and no convergence), so both are rejected.
    for wrong in [Driver::fractional(grid, 1, 0.6).unwrap(), Driver::brownian(grid, 1).unwrap()] {
        let bad = run(&wrong);
        report(&format!("EM fBM target, driver {:?}", wrong.kind()), &bad, 2.0 * hurst - 1.0);
        assert!(!accepted(&bad, 2.0 * hurst - 1.0));
    }
}
