//! Minibatch sampling and gradient noise (src/sgd/minibatch.rs): sampler invariants, the exact noise
//! autocovariances of the three schemes against simulation (z per lag, independent paths), the
//! derived persistent-SGD form, zero epoch sums, reproducibility and errors.

use fracnoise::sde::Grid;
use fracnoise::sgd::{lagged_products, Batching, Design, MinibatchNoise, Sampling, SyntheticDesign};
use fracnoise::stats::Moments;
use fracnoise::{Error, Seed};

fn design(n: usize) -> Design {
    Design::synthetic(&SyntheticDesign { n_samples: n, eigenvalues: vec![1.7, 0.2], noise_sd: 0.8 }, Seed::new(4))
        .unwrap()
}

/// z of each lag's mean (over paths) of the per-path lagged products against `K(k) = factor(k) C_jj`.
fn acov_z(noise: &MinibatchNoise, j: usize, paths: u64, steps: usize, max_lag: usize) -> Vec<(usize, f64, f64, f64)> {
    let b = noise.batching();
    let c = {
        let d = design(b.n_samples());
        d.gradient_variance(j)
    };
    let mut m: Vec<Moments> = vec![Moments::new(); max_lag + 1];
    for p in 0..paths {
        let s = noise.series(p, steps + max_lag).unwrap();
        let x: Vec<f64> = s.column(j).to_vec();
        for (k, v) in lagged_products(&x, max_lag).unwrap().into_iter().enumerate() {
            m[k].push(v);
        }
    }
    (0..=max_lag)
        .map(|k| {
            let target = b.autocovariance(k as u64) * c;
            (k, m[k].mean(), target, (m[k].mean() - target) / m[k].mean_se())
        })
        .collect()
}

#[test]
fn epoch_noise_autocovariance_per_lag() {
    let d = design(100);
    let b = Batching::new(100, 10, Sampling::Epoch).unwrap();
    assert_eq!(b.batches_per_epoch(), 10);
    let noise = MinibatchNoise::new(&d, b, Seed::new(21)).unwrap();
    let zs = acov_z(&noise, 0, 1500, 400, 20);
    for (k, est, target, z) in &zs {
        assert!(z.abs() < 5.0, "lag {k}: {est} vs {target}, z = {z}");
    }
    // The closed form: K_0 = (N-B)/(B(N-1)) C, K(k) = -(1-k/M) C/(N-1), zero from M on, zero sum.
    let k0 = 90.0 / (10.0 * 99.0);
    assert!((b.autocovariance(0) - k0).abs() < 1e-15);
    assert!((b.autocovariance(3) + 0.7 / 99.0).abs() < 1e-15);
    assert_eq!(b.autocovariance(10), 0.0);
    let sum: f64 = b.autocovariance(0) + 2.0 * (1..10).map(|k| b.autocovariance(k)).sum::<f64>();
    let k3 = noise.autocovariance(3);
    assert!((k3[[1, 1]] - b.autocovariance(3) * d.gradient_variance(1)).abs() < 1e-16);
    assert_eq!(k3.dim(), (2, 2));
    assert!(sum.abs() < 1e-15, "{sum}");
    // The lag-1 value must be clearly negative in the data too (a with-replacement bug gives 0).
    assert!(zs[1].1 < 0.0 && (zs[1].1 / zs[1].2 - 1.0).abs() < 0.5);
}

#[test]
fn epoch_noise_two_time_covariance_and_zero_sums() {
    let d = design(60);
    let b = Batching::new(60, 12, Sampling::Epoch).unwrap(); // M = 5
    let noise = MinibatchNoise::new(&d, b, Seed::new(22)).unwrap();
    let c = d.gradient_variance(1);
    // Cov(xi_s, xi_t) at fixed phases: same epoch (0, 4), (1, 2); across epochs (4, 5); itself.
    let pairs = [(0usize, 4usize), (1, 2), (4, 5), (3, 3), (7, 9)];
    let mut m: Vec<Moments> = vec![Moments::new(); pairs.len()];
    let mut worst_sum = 0.0f64;
    let scale: f64 = (0..60).map(|i| d.deviation(i)[1].abs()).sum::<f64>() / 12.0;
    for p in 0..20_000u64 {
        let s = noise.series(p, 10).unwrap();
        for (q, &(u, v)) in pairs.iter().enumerate() {
            m[q].push(s[[u, 1]] * s[[v, 1]]);
        }
        for e in 0..2 {
            let total: f64 = (0..5).map(|t| s[[5 * e + t, 1]]).sum();
            worst_sum = worst_sum.max(total.abs());
        }
    }
    for (q, &(u, v)) in pairs.iter().enumerate() {
        let target = b.covariance(u as u64, v as u64) * c;
        let z = (m[q].mean() - target) / m[q].mean_se();
        assert!(z.abs() < 5.0, "Cov(xi_{u}, xi_{v}) = {} vs {target}: z = {z}", m[q].mean());
    }
    assert_eq!(b.covariance(0, 4), -1.0 / 59.0);
    assert_eq!(b.covariance(4, 5), 0.0);
    // Each epoch's noise sums to zero up to rounding (every sample once): far below the noise scale.
    assert!(worst_sum <= 1e-13 * scale, "epoch sum {worst_sum:e} (scale {scale:e})");
}

#[test]
fn with_replacement_noise_is_white() {
    let d = design(80);
    let b = Batching::new(80, 8, Sampling::WithReplacement).unwrap();
    let noise = MinibatchNoise::new(&d, b, Seed::new(23)).unwrap();
    for (k, est, target, z) in acov_z(&noise, 1, 1500, 300, 6) {
        assert!(z.abs() < 5.0, "lag {k}: {est} vs {target}, z = {z}");
    }
    assert_eq!(b.noise_variance(), 1.0 / 8.0);
}

/// The derived persistent-SGD autocovariance `((1 - b)/B)(1 - p)^k C` against simulation.
#[test]
fn persistent_noise_autocovariance_is_geometric() {
    let d = design(100);
    for redraw in [0.25, 1.0] {
        let b = Batching::new(100, 20, Sampling::Persistent { redraw }).unwrap();
        let noise = MinibatchNoise::new(&d, b, Seed::new(24)).unwrap();
        for (k, est, target, z) in acov_z(&noise, 0, 1500, 300, 12) {
            assert!(z.abs() < 5.0, "p = {redraw}, lag {k}: {est} vs {target}, z = {z}");
        }
        assert!((b.noise_variance() - 0.8 / 20.0).abs() < 1e-15);
        assert!((b.autocovariance(2) - 0.04 * (1.0 - redraw) * (1.0 - redraw)).abs() < 1e-15);
    }
    assert_eq!(Sampling::persistent(0.1, 0.4).unwrap(), Sampling::Persistent { redraw: 0.25 });
    assert!(Sampling::persistent(0.1, 0.05).unwrap_err().to_string().contains("tau"));
}

/// Persistent flags: stationary fraction b = B/N (batch size mean B) and flag autocorrelation
/// (1 - p)^k (VALIDATION.md §9 invariants).
#[test]
fn persistent_flags_are_stationary_markov_chains() {
    let (n, bsz, p) = (50usize, 10usize, 0.2);
    let b = Batching::new(n, bsz, Sampling::Persistent { redraw: p }).unwrap();
    let seed = Seed::new(25);
    let (mut size, mut lag0, mut lag3) = (Moments::new(), Moments::new(), Moments::new());
    for path in 0..3000u64 {
        let mut rng = seed.stream(path);
        let mut s = b.sampler();
        let mut hist: Vec<Vec<bool>> = Vec::new();
        for _ in 0..8 {
            let sel = s.next_batch(&mut rng);
            let mut f = vec![false; n];
            sel.iter().for_each(|&i| f[i] = true);
            hist.push(f);
        }
        size.push(hist[7].iter().filter(|&&x| x).count() as f64);
        // Flag covariance of sample 0 between steps 4 and 4 + k.
        let x = |t: usize| if hist[t][0] { 1.0 - 0.2 } else { -0.2 };
        lag0.push(x(4) * x(4));
        lag3.push(x(4) * x(7));
    }
    let bb = 0.2f64;
    assert!(size.z(bsz as f64).abs() < 5.0, "mean batch size {}", size.mean());
    assert!(lag0.z(bb * (1.0 - bb)).abs() < 5.0);
    let t3 = bb * (1.0 - bb) * (1.0 - p).powi(3);
    assert!(lag3.z(t3).abs() < 5.0, "{} vs {t3}", lag3.mean());
}

#[test]
fn samplers_cover_epochs_and_reproduce() {
    let b = Batching::new(30, 6, Sampling::Epoch).unwrap();
    let mut s = b.sampler();
    let mut rng = Seed::new(26).stream(3);
    let mut firsts = Vec::new();
    for _epoch in 0..4 {
        let mut seen = [0u8; 30];
        for t in 0..5 {
            let batch = s.next_batch(&mut rng);
            assert_eq!(batch.len(), 6);
            if t == 0 {
                firsts.push(batch.to_vec());
            }
            batch.iter().for_each(|&i| seen[i] += 1);
        }
        assert!(seen.iter().all(|&c| c == 1), "{seen:?}");
    }
    assert!(firsts.windows(2).any(|w| w[0] != w[1]), "a fresh shuffle each epoch");
    // Same stream, same batches; the noise of path i equals what the driver gives.
    let d = design(30);
    let noise = MinibatchNoise::new(&d, b, Seed::new(27)).unwrap();
    let a = noise.series(5, 40).unwrap();
    assert_eq!(a, noise.series(5, 40).unwrap());
    assert_ne!(a, noise.series(6, 40).unwrap());
    let grid = Grid::new(40, 0.1).unwrap();
    let driver = noise.driver(grid).unwrap();
    assert_eq!(driver.noise_dim(), 2);
    let mut out = vec![0.0; 80];
    driver.fill(Seed::new(999), 5, &mut driver.scratch(), &mut out).unwrap();
    assert_eq!(out.as_slice(), a.as_slice().unwrap());
    // With replacement: indices in range.
    let w = Batching::new(30, 30, Sampling::WithReplacement).unwrap();
    let mut s = w.sampler();
    assert!(s.next_batch(&mut rng).iter().all(|&i| i < 30));
}

#[test]
fn errors_name_the_problem() {
    assert!(matches!(Batching::new(1, 1, Sampling::Epoch), Err(Error::InvalidSize { name: "n_samples", .. })));
    assert!(matches!(Batching::new(10, 0, Sampling::Epoch), Err(Error::InvalidSize { name: "batch", .. })));
    assert!(matches!(Batching::new(10, 11, Sampling::WithReplacement), Err(Error::InvalidSize { name: "batch", .. })));
    let e = Batching::new(10, 3, Sampling::Epoch).unwrap_err().to_string();
    assert!(e.contains("divisor"), "{e}");
    assert!(Batching::new(10, 3, Sampling::WithReplacement).is_ok());
    for r in [0.0, -0.1, 1.5, f64::NAN] {
        assert!(matches!(
            Batching::new(10, 2, Sampling::Persistent { redraw: r }),
            Err(Error::InvalidParameter { name: "redraw", .. })
        ));
    }
    let d = design(40);
    let b = Batching::new(20, 5, Sampling::Epoch).unwrap();
    assert!(matches!(MinibatchNoise::new(&d, b, Seed::new(0)), Err(Error::LengthMismatch { .. })));
    let noise = MinibatchNoise::new(&d, Batching::new(40, 5, Sampling::Epoch).unwrap(), Seed::new(0)).unwrap();
    assert!(noise.fill(0, &mut [0.0; 3]).is_err());
    assert!(noise.series(0, 0).is_err());
    assert!(lagged_products(&[1.0, 2.0], 2).is_err());
    assert!(lagged_products(&[1.0, f64::NAN, 2.0], 1).is_err());
    assert_eq!(lagged_products(&[1.0, 2.0, 3.0], 1).unwrap(), vec![2.5, 4.0]);
}
