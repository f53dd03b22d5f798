//! `fracnoise::sgd::escape`: simulated escapes against the exact integrals, the fGn descent as
//! the recursion written in the issue, the exact self-similarity of the free fBM exit, and the
//! sweep tables. Each test takes well under a second in release.

use fracnoise::passage::{Correction, PassageRecords};
use fracnoise::sde::{Driver, Grid};
use fracnoise::sgd::escape::sweep::{
    hurst_sweep, sharpness_sweep, Direction, Dynamic, NoiseParams, NoiseScaling, SaddleCurvature, SweepSim,
};
use fracnoise::sgd::escape::{EscapeLoss, FbmExit, FgnDescent, Langevin, PowerLawDynamic, SimSpec};
use fracnoise::stats::Moments;
use fracnoise::Seed;

fn mean(r: &PassageRecords) -> Moments {
    assert_eq!(r.censored(), 0, "no path may be censored");
    Moments::from_slice(&r.exits().iter().map(|e| e.time).collect::<Vec<_>>())
}

/// Richardson `2 m(dt) - m(2 dt)` of independent runs, against the exact integral (z < 5).
fn check_against_exact(sim: impl Fn(&SimSpec) -> fracnoise::Result<PassageRecords>, exact: f64, dt: f64, seed: u64) {
    let run = |h: f64, k: u64| {
        mean(&sim(&SimSpec { paths: 6000, dt: h, horizon: 30.0 * exact, seed: Seed::new(seed).child(k) }).unwrap())
    };
    let (a, b) = (run(dt, 0), run(2.0 * dt, 1));
    let v = 2.0 * a.mean() - b.mean();
    let se = (4.0 * a.mean_se().powi(2) + b.mean_se().powi(2)).sqrt();
    let z = (v - exact) / se;
    eprintln!("exact {exact:.5}: MC {:.5} / {:.5}, Richardson {v:.5} (se {se:.2e}), z = {z:.2}", a.mean(), b.mean());
    assert!(z.abs() < 5.0, "z = {z}");
}

#[test]
fn langevin_and_power_law_match_their_exact_integrals() {
    // Loss with every factor distinct; T about 2 to 4.
    let loss = EscapeLoss::new(2.2, 1.3, 0.35).unwrap();
    let lg = Langevin::new(loss, 0.2, 2.5).unwrap();
    check_against_exact(|s| lg.simulate(s), lg.exact_mfpt().unwrap(), 0.004, 11);
    let pl = PowerLawDynamic::new(loss, 0.2, 2.5, 3.0).unwrap();
    check_against_exact(|s| pl.simulate(s), pl.exact_mfpt().unwrap(), 0.004, 12);
}

/// The simulated fGn descent is the recursion `w_(k+1) = w_k - eta L'(w_k) + sigma eta^H G_k`:
/// replaying the fractional driver's increments (variance `eta^(2H)`) through the recursion by
/// hand gives the same exit step for every path, bit for bit.
#[test]
fn fgn_descent_is_the_written_recursion() {
    let loss = EscapeLoss::new(1.0, 1.4, 0.2).unwrap();
    let (eta, sigma, h, steps, paths) = (0.05, 0.9, 0.35, 1024, 64);
    let seed = Seed::new(5);
    let recs = FgnDescent::new(loss, eta, sigma, h).unwrap().simulate(steps, paths, seed).unwrap();
    let incs = Driver::fractional(Grid::new(steps, eta).unwrap(), 1, h).unwrap().record(seed, 0..paths as u64).unwrap();
    let mut var = Moments::new();
    for (i, e) in recs.exits().iter().enumerate() {
        let row = incs.row(i);
        let mut w = 0.0f64;
        let mut exit = None;
        for (k, &g) in row.iter().enumerate() {
            var.push(g * g);
            w = w + (-loss.gradient(w)) * eta + sigma * g;
            if w >= loss.saddle() {
                exit = Some(k + 1);
                break;
            }
        }
        match exit {
            Some(k) => assert_eq!(e.time, Grid::new(steps, eta).unwrap().time(k), "path {i}"),
            None => assert!(e.is_censored()),
        }
    }
    // The increments are eta^H G with unit G.
    let z = var.z(eta.powf(2.0 * h));
    assert!(z.abs() < 5.0, "increment variance {} vs eta^2H {}: z {z}", var.mean(), eta.powf(2.0 * h));
}

/// Exact in law: with `dt = tau_s / 64`, the exit times of two `(r, sigma)` pairs scale by the
/// ratio of `tau_s = (r/sigma)^(1/H)`; compared on the means of `min(T, 16 tau_s)`.
#[test]
fn free_fbm_exit_is_self_similar() {
    let h = 0.4;
    let m = |r: f64, s: f64, k: u64| {
        let e = FbmExit::new(r, s, h).unwrap();
        let tau = e.time_scale();
        let rec = e.simulate(tau / 64.0, 1024, 4000, Correction::None, Seed::new(21).child(k)).unwrap();
        Moments::from_slice(&rec.exits().iter().map(|x| x.time).collect::<Vec<_>>())
    };
    let (a, b) = (m(2.0, 0.7, 0), m(0.5, 1.1, 1));
    let ratio = a.mean() / b.mean();
    let se = ratio * ((a.mean_se() / a.mean()).powi(2) + (b.mean_se() / b.mean()).powi(2)).sqrt();
    let target = ((2.0f64 / 0.7) / (0.5 / 1.1)).powf(1.0 / h);
    assert!(((ratio - target) / se).abs() < 5.0, "{ratio} vs {target} (se {se})");
}

#[test]
fn sweeps_tabulate_every_dynamic() {
    let p = NoiseParams::default();
    let sim = SweepSim { paths: 80, dt: 0.02, max_steps: 4000, seed: Seed::new(3), ..SweepSim::default() };
    let t = sharpness_sweep(
        &[1.0, 3.0],
        SaddleCurvature::default(),
        0.4,
        &p,
        NoiseScaling::Curvature,
        &Dynamic::ALL,
        Some(&sim),
    )
    .unwrap();
    assert_eq!(t.rows.len(), 8);
    for r in &t.rows {
        assert_eq!(r.exact.is_some(), matches!(r.dynamic, Dynamic::Langevin | Dynamic::PowerLaw));
        let s = r.sim.as_ref().unwrap();
        assert_eq!(s.stats.n, 80);
        assert!(s.estimate().value > 0.0);
    }
    // Curvature scaling: the noise parameters at h_a = 3 are 3x (variances) and sqrt(3)x (amplitudes).
    let r3 = t.rows_of(Dynamic::Stable).nth(1).unwrap();
    assert!((r3.noise.eps - p.eps * 3f64.sqrt()).abs() < 1e-15 && r3.loss.h_b() == 3.0);
    let r3 = t.rows_of(Dynamic::PowerLaw).nth(1).unwrap();
    assert!((r3.noise.sigma_g - 3.0 * p.sigma_g).abs() < 1e-12);
    // Reproducible (compared through Debug: a median's se is NaN).
    let again = sharpness_sweep(
        &[1.0, 3.0],
        SaddleCurvature::default(),
        0.4,
        &p,
        NoiseScaling::Curvature,
        &Dynamic::ALL,
        Some(&sim),
    )
    .unwrap();
    assert_eq!(format!("{t:?}"), format!("{again:?}"));
    // Fixed scaling and a fixed saddle keep the parameters.
    let f = sharpness_sweep(
        &[0.5, 2.0],
        SaddleCurvature::Fixed(1.0),
        0.4,
        &p,
        NoiseScaling::Fixed,
        &[Dynamic::Langevin],
        None,
    )
    .unwrap();
    assert!(f.rows.iter().all(|r| r.noise == p && r.loss.h_b() == 1.0 && r.sim.is_none()));
    // The Hurst sweep: one horizon, a trend.
    let loss = EscapeLoss::new(1.0, 1.0, 0.25).unwrap();
    let hp = NoiseParams { eta: 0.05, fgn_sigma: 0.8, ..p };
    let hs = hurst_sweep(loss, &[0.3, 0.7], &hp, &SweepSim { paths: 600, max_steps: 2048, ..sim }).unwrap();
    let tr = hs.trends();
    assert_eq!(tr.len(), 1);
    // Measured z about 10 at this size (validation escape/fgn-descent-hurst: about 20 at 2000 paths).
    assert_eq!(tr[0].direction, Direction::Increasing, "{tr:?}");
    // Bad input.
    assert!(
        sharpness_sweep(&[], SaddleCurvature::default(), 0.4, &p, NoiseScaling::Fixed, &Dynamic::ALL, None).is_err()
    );
    assert!(sharpness_sweep(&[1.0], SaddleCurvature::default(), 0.4, &p, NoiseScaling::Fixed, &[], None).is_err());
    assert!(sharpness_sweep(&[-1.0], SaddleCurvature::default(), 0.4, &p, NoiseScaling::Fixed, &Dynamic::ALL, None)
        .unwrap_err()
        .to_string()
        .contains("h_a"));
    assert!(hurst_sweep(loss, &[0.5], &hp, &SweepSim { paths: 1, ..sim }).is_err());
    assert!(hurst_sweep(loss, &[1.5], &hp, &sim).is_err());
    assert!("cauchy".parse::<Dynamic>().is_err() && "power-law".parse::<Dynamic>().unwrap() == Dynamic::PowerLaw);
}
