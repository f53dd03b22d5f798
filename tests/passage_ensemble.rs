//! First passage through the ensemble: exits against closed forms with and without the
//! discrete-monitoring corrections, reproducibility across threads and shards, bad input.

use fracnoise::passage::{Boundary, Correction, PassageEnsemble, PassageRecords};
use fracnoise::sde::{Driver, Grid, LinearAdditive, ScalarIntegrator, ScalarModel, Scheme};
use fracnoise::stats::{ks_test, normal_cdf, Moments};
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

/// Inverse Gaussian CDF of the passage time to distance `d` (mu > 0).
fn ig_cdf(t: f64, d: f64, mu: f64, sigma: f64) -> f64 {
    if t <= 0.0 {
        return 0.0;
    }
    let st = sigma * t.sqrt();
    normal_cdf((mu * t - d) / st) + (2.0 * mu * d / (sigma * sigma)).exp() * normal_cdf(-(mu * t + d) / st)
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
        let ks = ks_test(&t, |x| ig_cdf(x, d, mu, sigma)).unwrap();
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
