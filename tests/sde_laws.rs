//! Ensemble statistics against closed forms. Protocol: fixed seeds, independent paths,
//! |z| <= 4.5 against the exact law of the Euler chain (separates coding errors from
//! discretisation bias); the continuous-time closed form is checked with a stated bias bound.

use fracnoise::sde::models::{DoubleWell, FractionalOu, Gbm, LevyOu, Ou, PowerLaw};
use fracnoise::sde::{Driver, Ensemble, Grid, HistogramSpec, Observe, ScalarIntegrator, ScalarModel, Scheme, Summary};
use fracnoise::stats::{ks_test, z_score};
use fracnoise::Seed;

const Z: f64 = 4.5;

fn run<M: ScalarModel>(model: &M, driver: &Driver, x0: f64, paths: u64, steps: Vec<usize>, seed: u64) -> Summary {
    let integ = ScalarIntegrator::new(model, driver.grid(), Scheme::EulerMaruyama).unwrap();
    let obs = Observe { steps, ..Default::default() };
    Ensemble::new(&integ, driver, vec![x0], Seed::new(seed), obs, serde_json::Value::Null)
        .unwrap()
        .run(0..paths)
        .unwrap()
        .summary
}

/// Final values of each path (stored paths, last column).
fn finals<M: ScalarModel>(model: &M, driver: &Driver, x0: f64, paths: u64, seed: u64) -> Vec<f64> {
    let integ = ScalarIntegrator::new(model, driver.grid(), Scheme::EulerMaruyama).unwrap();
    let n = driver.grid().n_steps();
    let obs = Observe { steps: vec![n], store_every: Some(n), ..Default::default() };
    let out = Ensemble::new(&integ, driver, vec![x0], Seed::new(seed), obs, serde_json::Value::Null)
        .unwrap()
        .run(0..paths)
        .unwrap();
    out.paths.unwrap().column(1).to_vec()
}

#[test]
fn ou_mean_and_variance_at_several_times() {
    let ou = Ou::new(2.0, 0.5, 0.7).unwrap();
    let grid = Grid::new(500, 0.004).unwrap();
    let steps = vec![25, 100, 250, 500];
    let s = run(&ou, &Driver::brownian(grid, 1).unwrap(), 2.0, 40_000, steps.clone(), 1);
    for (i, &k) in steps.iter().enumerate() {
        let m = &s.moments[i][0];
        let h = grid.dt();
        let zm = z_score(m.mean(), ou.em_mean(k, h, 2.0), m.mean_se());
        let zv = z_score(m.variance(), ou.em_variance(k, h), m.variance_se());
        eprintln!("OU t={}: z(mean) {zm:.2}, z(var) {zv:.2}", grid.time(k));
        assert!(zm.abs() < Z && zv.abs() < Z);
        // Continuous closed form: Euler bias is O(theta h) relative (0.8% here).
        assert!((ou.em_variance(k, h) / ou.variance(grid.time(k)) - 1.0).abs() < 0.03);
        assert!((m.mean() - ou.mean(grid.time(k), 2.0)).abs() < 0.01 + Z * m.mean_se());
    }
}

#[test]
fn gbm_mean_and_variance() {
    let gbm = Gbm::new(0.5, 0.3).unwrap();
    let grid = Grid::new(200, 0.005).unwrap();
    let s = run(&gbm, &Driver::brownian(grid, 1).unwrap(), 1.0, 40_000, vec![100, 200], 2);
    for (i, &k) in [100usize, 200].iter().enumerate() {
        let m = &s.moments[i][0];
        let h = grid.dt();
        let mean = gbm.em_mean(k, h, 1.0);
        let var = gbm.em_second_moment(k, h, 1.0) - mean * mean;
        let zm = z_score(m.mean(), mean, m.mean_se());
        let zv = z_score(m.variance(), var, m.variance_se());
        eprintln!("GBM t={}: z(mean) {zm:.2}, z(var) {zv:.2}", grid.time(k));
        assert!(zm.abs() < Z && zv.abs() < Z);
        let t = grid.time(k);
        assert!((var / gbm.variance(t, 1.0) - 1.0).abs() < 0.05);
    }
}

#[test]
fn fractional_ou_variance() {
    for &hurst in &[0.3, 0.7] {
        let f = FractionalOu::new(1.0, 0.0, 1.0, hurst).unwrap();
        let grid = Grid::new(1000, 0.01).unwrap();
        let s = run(&f, &Driver::fractional(grid, 1, hurst).unwrap(), 0.0, 8000, vec![1000], 3);
        let m = &s.moments[0][0];
        let exact_em = f.em_variance(1000, 0.01);
        let z = z_score(m.variance(), exact_em, m.variance_se());
        let closed = f.stationary_variance();
        eprintln!(
            "fOU H={hurst}: var {:.4} Euler-exact {exact_em:.4} (z {z:.2}), stationary closed form {closed:.4}",
            m.variance()
        );
        assert!(z.abs() < Z, "z = {z}");
        assert!((exact_em / closed - 1.0).abs() < 0.02, "Euler vs continuous {exact_em} {closed}");
        assert!(z_score(m.mean(), 0.0, m.mean_se()).abs() < Z);
    }
}

#[test]
fn levy_ou_stationary_law() {
    // Cauchy driver (alpha = 1, beta = 0): closed-form CDF, so KS.
    let lo = LevyOu::new(1.0, 0.5, 1.0, 0.0).unwrap();
    let grid = Grid::new(800, 0.01).unwrap();
    let d = Driver::stable(grid, 1, lo.noise_law()).unwrap();
    let x = finals(&lo, &d, 0.0, 20_000, 4);
    let law = lo.em_law(800, 0.01, 0.0).unwrap();
    let ks = ks_test(&x, |v| law.cdf(v)).unwrap();
    let st = lo.stationary_law().unwrap();
    eprintln!(
        "Lévy OU alpha=1: KS p {:.3e} (D {:.4}); scale Euler {:.5} vs stationary sigma/(alpha theta)^(1/alpha) {:.5}",
        ks.p_value,
        ks.statistic,
        law.scale(),
        st.scale()
    );
    assert!(ks.p_value > 1e-6);
    assert!((law.scale() / st.scale() - 1.0).abs() < 0.01);
    // alpha = 1.5, beta = 0.5: no closed-form CDF; empirical characteristic function with exact SEs.
    let lo = LevyOu::new(1.0, 0.5, 1.5, 0.5).unwrap();
    let d = Driver::stable(grid, 1, lo.noise_law()).unwrap();
    let x = finals(&lo, &d, 0.0, 20_000, 5);
    let law = lo.em_law(800, 0.01, 0.0).unwrap();
    for u in [0.5, 1.0, 2.0, 4.0] {
        let c = law.ecf_compare(&x, u / law.scale());
        eprintln!("Lévy OU alpha=1.5 ECF u={u}: z_re {:.2}, z_im {:.2}", c.z_re(), c.z_im());
        assert!(c.z_re().abs() < Z && c.z_im().abs() < Z);
    }
}

#[test]
fn power_law_dynamic_stationary_student_t() {
    let pl = PowerLaw::new(1.0, 0.1, 0.5, 2.0).unwrap();
    let grid = Grid::new(5000, 0.002).unwrap();
    let x = finals(&pl, &Driver::brownian(grid, 1).unwrap(), 0.0, 20_000, 6);
    let ks = ks_test(&x, |v| pl.stationary_cdf(v)).unwrap();
    eprintln!("power-law nu={}: KS p {:.3e} (D {:.4})", pl.nu(), ks.p_value, ks.statistic);
    assert!(ks.p_value > 1e-6);
    // A wrong convention (Stratonovich kappa, one less) is rejected at this sample size.
    let strat_nu = pl.nu() - 1.0; // kappa - 1/2
    let t = statrs::distribution::StudentsT::new(0.0, 1.0, strat_nu).unwrap();
    let c = (pl.sigma_h * strat_nu / pl.sigma_g).sqrt();
    let ks_wrong = ks_test(&x, |v| statrs::distribution::ContinuousCDF::cdf(&t, v * c)).unwrap();
    eprintln!("power-law, Stratonovich law: KS p {:.3e}", ks_wrong.p_value);
    assert!(ks_wrong.p_value < 1e-6);
}

#[test]
fn double_well_stationary_second_moment_and_histogram() {
    let dw = DoubleWell::new(1.0, 1.0, 1.0).unwrap();
    let grid = Grid::new(4000, 0.005).unwrap();
    let integ = ScalarIntegrator::new(&dw, grid, Scheme::EulerMaruyama).unwrap();
    let d = Driver::brownian(grid, 1).unwrap();
    let obs = Observe {
        steps: vec![4000],
        histogram: Some(HistogramSpec { step: 4000, component: 0, lo: -2.5, hi: 2.5, bins: 10 }),
        extremes: true,
        quantiles: false,
        store_every: None,
    };
    let s = Ensemble::new(&integ, &d, vec![0.0], Seed::new(7), obs, serde_json::Value::Null)
        .unwrap()
        .run(0..10_000)
        .unwrap()
        .summary;
    let m = &s.moments[0][0];
    // E X^2 = variance * (n-1)/n + mean^2.
    let n = m.count as f64;
    let ex2 = m.variance() * (n - 1.0) / n + m.mean().powi(2);
    let target = dw.stationary_second_moment();
    // SE of E X^2 from the fourth moment: sqrt(Var X^2 / n) ~ variance_se (mean ~ 0) is a fair proxy.
    let z = z_score(ex2, target, m.variance_se());
    eprintln!("double well: E X^2 {ex2:.4} vs quadrature {target:.4} (z {z:.2}, Euler bias O(h))");
    assert!((ex2 - target).abs() < Z * m.variance_se() + 0.01);
    let h = s.histogram.unwrap();
    assert_eq!(h.counts.iter().sum::<u64>() + h.below + h.above, 10_000);
    // Bimodal: the central bin holds less than the bins at the minima +-1.
    assert!(h.counts[4] + h.counts[5] < h.counts[2] + h.counts[7]);
    let rmax = &s.running_max.unwrap()[0];
    assert!(rmax.mean() > 1.0 && rmax.min.unwrap() >= 0.0);
}
