//! Heavy-ball SGD ensembles (src/sgd/simulate.rs): the noise model against its closed forms for the
//! three schemes, the real algorithm with independent batches against its exact (derived)
//! variance, bit-identical shards and thread counts, and errors.

use fracnoise::sgd::{Batching, Design, HeavyBall, MomentumExperiment, MomentumReport, Sampling, SyntheticDesign, Way};
use fracnoise::{Error, Seed};

fn design() -> Design {
    Design::synthetic(
        &SyntheticDesign { n_samples: 200, eigenvalues: vec![3.0, 0.4, 0.04], noise_sd: 0.6 },
        Seed::new(31),
    )
    .unwrap()
}

fn check(rep: &MomentumReport, target: impl Fn(usize) -> (f64, f64), what: &str) {
    for r in &rep.directions {
        let (t, v) = target(r.index);
        let (zt, zv, zm) = (r.var_theta.z(t), r.var_v.z(v), r.mean_theta.z(0.0));
        assert!(
            zt.abs() < 5.0 && zv.abs() < 5.0 && zm.abs() < 5.0,
            "{what}, lambda {}: Var theta {:?} vs {t} (z {zt}), Var v z {zv}, mean z {zm}",
            r.predicted.curvature,
            r.var_theta
        );
    }
}

/// eta = 0.1, beta = 0.7 (no factor is 1); relaxation of the flattest direction
/// (1 - beta)/(eta lambda) = 75 steps, burn-in 1500 = 20 of them.
#[test]
fn noise_model_matches_closed_forms() {
    let d = design();
    let sgd = HeavyBall::new(0.1, 0.7).unwrap();
    for sampling in [Sampling::Epoch, Sampling::WithReplacement, Sampling::Persistent { redraw: 0.1 }] {
        let b = Batching::new(200, 10, sampling).unwrap();
        let e = MomentumExperiment::new(&d, b, sgd, 1500, 4000, Seed::new(32)).unwrap();
        let rep = e.run(Way::NoiseModel, 96).unwrap();
        assert_eq!(rep.paths, 96);
        check(
            &rep,
            |j| (rep.directions[j].predicted.noise_model.theta, rep.directions[j].predicted.noise_model.v),
            sampling.name(),
        );
        if sampling == Sampling::Epoch {
            // The white-noise form is rejected in the flat direction (below the crossover).
            let flat = &rep.directions[2];
            assert!(flat.predicted.curvature < rep.crossover.unwrap());
            assert!(flat.var_theta.z(flat.predicted.uncorrelated.theta) < -10.0);
        }
    }
}

/// The real algorithm with replacement against the exact Lyapunov solution (derived), and the
/// noise model's white form rejected (the weight-dependent part of the noise is missing there).
#[test]
fn real_algorithm_with_independent_batches_is_exact() {
    let d = Design::synthetic(
        &SyntheticDesign { n_samples: 300, eigenvalues: vec![4.0, 1.0, 0.1], noise_sd: 0.5 },
        Seed::new(33),
    )
    .unwrap();
    let sgd = HeavyBall::new(0.08, 0.6).unwrap();
    for sampling in [Sampling::WithReplacement, Sampling::Persistent { redraw: 1.0 }] {
        let b = Batching::new(300, 5, sampling).unwrap();
        let e = MomentumExperiment::new(&d, b, sgd, 1500, 6000, Seed::new(34)).unwrap();
        let rep = e.run(Way::Real, 96).unwrap();
        check(
            &rep,
            |j| {
                let r = rep.directions[j].predicted.real_exact.unwrap();
                (r.theta, r.v)
            },
            sampling.name(),
        );
        let stiff = &rep.directions[0];
        let excess = stiff.predicted.real_exact.unwrap().theta / stiff.predicted.noise_model.theta - 1.0;
        assert!(excess > 0.1, "excess {excess}");
        assert!(stiff.var_theta.z(stiff.predicted.noise_model.theta) > 8.0);
    }
    // Other schemes have no exact form.
    let e = MomentumExperiment::new(&d, Batching::new(300, 5, Sampling::Epoch).unwrap(), sgd, 10, 60, Seed::new(0))
        .unwrap();
    assert!(e.predictions().unwrap().iter().all(|p| p.real_exact.is_none()));
}

#[test]
fn shards_and_threads_give_identical_bits() {
    let d = design();
    let sgd = HeavyBall::new(0.1, 0.7).unwrap();
    let pool = |t: usize| rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
    for (sampling, way) in [
        (Sampling::Epoch, Way::Real),
        (Sampling::Persistent { redraw: 0.3 }, Way::Real),
        (Sampling::WithReplacement, Way::NoiseModel),
    ] {
        let e = MomentumExperiment::new(&d, Batching::new(200, 10, sampling).unwrap(), sgd, 50, 200, Seed::new(35))
            .unwrap();
        let one = pool(1).install(|| e.summary(way, 0..70)).unwrap();
        let two = pool(2).install(|| e.summary(way, 0..70)).unwrap();
        assert_eq!(one.to_json(), two.to_json());
        let mut merged = e.summary(way, 45..70).unwrap();
        merged.merge(&e.summary(way, 0..20).unwrap()).unwrap();
        merged.merge(&e.summary(way, 20..45).unwrap()).unwrap();
        assert_eq!(merged.to_json(), one.to_json());
        assert_eq!(e.report(way, &merged).unwrap(), e.report(way, &one).unwrap());
        // The two ways never merge, and a report refuses a foreign summary.
        let other = if way == Way::Real { Way::NoiseModel } else { Way::Real };
        assert!(merged.clone().merge(&e.summary(other, 70..80).unwrap()).is_err());
        assert!(e.report(other, &one).is_err());
    }
}

/// Paired: under one seed the real algorithm and the noise model see the same batches, so on data
/// where the batch Hessian is exact (d = 1, |x_i| constant) the two coincide to rounding.
#[test]
fn ways_share_batches() {
    let n = 40;
    let x = ndarray::Array2::from_shape_fn((n, 1), |(i, _)| if i % 3 == 0 { -0.7 } else { 0.7 });
    let y: Vec<f64> = (0..n).map(|i| ((i * 37 % 11) as f64 - 5.0) * 0.3).collect();
    let d = Design::from_arrays(x.view(), &y).unwrap();
    let sgd = HeavyBall::new(0.2, 0.5).unwrap();
    for sampling in [Sampling::Epoch, Sampling::Persistent { redraw: 0.4 }] {
        let e =
            MomentumExperiment::new(&d, Batching::new(n, 8, sampling).unwrap(), sgd, 20, 400, Seed::new(36)).unwrap();
        let real = e.run(Way::Real, 8).unwrap();
        let model = e.run(Way::NoiseModel, 8).unwrap();
        let (a, b) = (real.directions[0].var_theta.value, model.directions[0].var_theta.value);
        // Persistent batches have random size, so H_S != H there: only epoch batches coincide.
        if sampling == Sampling::Epoch {
            assert!((a / b - 1.0).abs() < 1e-9, "{a} vs {b}");
        } else {
            assert!((a / b - 1.0).abs() > 1e-6, "{a} vs {b}");
        }
    }
}

#[test]
fn experiments_validate_their_parameters() {
    let d = design();
    let sgd = HeavyBall::new(0.1, 0.7).unwrap();
    let ep = Batching::new(200, 10, Sampling::Epoch).unwrap();
    let e = MomentumExperiment::new(&d, ep, sgd, 10, 25, Seed::new(0)).unwrap_err().to_string();
    assert!(e.contains("steps") && e.contains("multiple"), "{e}");
    assert!(MomentumExperiment::new(&d, ep, sgd, 10, 0, Seed::new(0)).is_err());
    assert!(MomentumExperiment::new(&d, ep, sgd, usize::MAX, 20, Seed::new(0)).is_err());
    let wrong_n = Batching::new(100, 10, Sampling::Epoch).unwrap();
    assert!(matches!(
        MomentumExperiment::new(&d, wrong_n, sgd, 10, 20, Seed::new(0)),
        Err(Error::LengthMismatch { .. })
    ));
    // eta lambda_max = 0.8 * 3 = 2.4 >= 2 (1 + 0.05): unstable.
    let fast = HeavyBall::new(0.8, 0.05).unwrap();
    let e = MomentumExperiment::new(&d, ep, fast, 10, 20, Seed::new(0)).unwrap_err().to_string();
    assert!(e.contains("lambda"), "{e}");
    // A report needs two paths.
    let ok = MomentumExperiment::new(&d, ep, sgd, 10, 20, Seed::new(0)).unwrap();
    let one = ok.summary(Way::Real, 0..1).unwrap();
    assert!(matches!(ok.report(Way::Real, &one), Err(Error::InvalidSize { name: "paths", .. })));
    // Mean-square unstable real algorithm: the exact form says so instead of returning garbage.
    let big = Design::synthetic(
        &SyntheticDesign { n_samples: 100, eigenvalues: vec![10.0, 9.0, 8.0, 7.0], noise_sd: 1.0 },
        Seed::new(1),
    )
    .unwrap();
    let wild = HeavyBall::new(0.18, 0.0).unwrap();
    let wr = Batching::new(100, 1, Sampling::WithReplacement).unwrap();
    let e = MomentumExperiment::new(&big, wr, wild, 10, 20, Seed::new(0)).unwrap();
    let msg = e.predictions().unwrap_err().to_string();
    assert!(msg.contains("mean-square"), "{msg}");
}
