//! Linear-regression designs (src/sgd/data.rs): the eigenbasis, the minimiser, the deviations and
//! `C`, synthetic spectra, reading from files, and errors.

use fracnoise::sgd::{Design, SyntheticDesign};
use fracnoise::{Error, Seed};
use ndarray::Array2;
use rand::RngCore;

fn gaussian_like(rng: &mut impl RngCore) -> f64 {
    // Sum of 4 uniforms, centred: light tails, enough for a test design.
    (0..4).map(|_| (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64).sum::<f64>() - 2.0
}

/// A correlated 3-d design: H is not diagonal, the eigenbasis must diagonalise it.
fn correlated(n: usize) -> (Array2<f64>, Vec<f64>) {
    let mut rng = Seed::new(3).stream(0);
    let mut x = Array2::zeros((n, 3));
    let mut y = vec![0.0; n];
    for i in 0..n {
        let (a, b, c) = (gaussian_like(&mut rng), gaussian_like(&mut rng), gaussian_like(&mut rng));
        x[[i, 0]] = 2.0 * a + 0.5;
        x[[i, 1]] = a + 0.3 * b;
        x[[i, 2]] = -0.2 * a + b + 0.1 * c;
        y[i] = 1.5 * x[[i, 0]] - 0.7 * x[[i, 1]] + 0.2 + 0.4 * gaussian_like(&mut rng);
    }
    (x, y)
}

#[test]
fn user_design_is_diagonalised() {
    let n = 400;
    let (x, y) = correlated(n);
    let d = Design::from_arrays(x.view(), &y).unwrap();
    assert_eq!((d.n_samples(), d.dim()), (n, 3));
    let l = d.eigenvalues();
    assert!(l[0] >= l[1] && l[1] >= l[2] && l[2] > 0.0);
    // Rotated rows: X~'X~/N = diag(lambda).
    for a in 0..3 {
        for b in 0..3 {
            let h: f64 = (0..n).map(|i| d.row(i)[a] * d.row(i)[b]).sum::<f64>() / n as f64;
            let want = if a == b { l[a] } else { 0.0 };
            assert!((h - want).abs() < 1e-12 * l[0], "H~[{a}{b}] = {h} vs {want}");
        }
    }
    // Basis orthonormal, rows = U' x.
    let u = d.basis();
    let utu = u.t().dot(&u);
    for a in 0..3 {
        for b in 0..3 {
            assert!((utu[[a, b]] - if a == b { 1.0 } else { 0.0 }).abs() < 1e-13);
        }
    }
    for i in [0, 17, n - 1] {
        for j in 0..3 {
            let r: f64 = (0..3).map(|a| u[[a, j]] * x[[i, a]]).sum();
            assert!((r - d.row(i)[j]).abs() < 1e-12);
        }
    }
    // The minimiser solves the normal equations X'(y - X w*) = 0 in the original coordinates.
    let w = d.minimiser();
    for a in 0..3 {
        let g: f64 = (0..n).map(|i| x[[i, a]] * (y[i] - (0..3).map(|b| x[[i, b]] * w[b]).sum::<f64>())).sum();
        assert!(g.abs() < 1e-10 * n as f64, "normal equation {a}: {g}");
    }
    // Residuals and deviations: delta_i = -x~_i r_i (the mean is zero to rounding), C their
    // second moment.
    for i in [0, 5, 99] {
        let r = y[i] - (0..3).map(|b| x[[i, b]] * w[b]).sum::<f64>();
        assert!((r - d.residual(i)).abs() < 1e-12);
        for j in 0..3 {
            assert!((d.deviation(i)[j] + d.row(i)[j] * r).abs() < 1e-12);
        }
    }
    let c = d.noise_covariance();
    for a in 0..3 {
        let s: f64 = (0..n).map(|i| d.deviation(i)[a]).sum();
        assert!(s.abs() < 1e-12 * n as f64);
        for b in 0..3 {
            let m: f64 = (0..n).map(|i| d.deviation(i)[a] * d.deviation(i)[b]).sum::<f64>() / n as f64;
            assert!((m - c[[a, b]]).abs() < 1e-14 * c[[a, a]].max(c[[b, b]]));
        }
        assert_eq!(d.gradient_variance(a), c[[a, a]]);
    }
    // Excess loss is the quadratic form.
    assert!((d.excess_loss(&[1.0, 0.0, 2.0]).unwrap() - 0.5 * (l[0] + 4.0 * l[2])).abs() < 1e-14);
    assert!(d.excess_loss(&[1.0]).is_err());
}

#[test]
fn synthetic_design_has_its_spectrum() {
    let spec = SyntheticDesign { n_samples: 300, eigenvalues: vec![5.0, 0.3, 0.002], noise_sd: 0.7 };
    let d = Design::synthetic(&spec, Seed::new(9)).unwrap();
    assert_eq!(d.eigenvalues(), &[5.0, 0.3, 0.002]);
    for a in 0..3 {
        for b in 0..3 {
            let h: f64 = (0..300).map(|i| d.row(i)[a] * d.row(i)[b]).sum::<f64>() / 300.0;
            let want = if a == b { spec.eigenvalues[a] } else { 0.0 };
            assert!((h - want).abs() < 1e-12 * 5.0, "{a}{b}: {h}");
        }
        // w* = 0: X'y = 0.
        let g: f64 = (0..300).map(|i| d.row(i)[a] * d.residual(i)).sum();
        assert!(g.abs() < 1e-11, "{g}");
        // C_jj is about sigma^2 lambda_j (N - d)/N: within 30% at N = 300.
        let ratio = d.gradient_variance(a) / (0.49 * spec.eigenvalues[a]);
        assert!(ratio > 0.7 && ratio < 1.3, "{ratio}");
    }
    assert_eq!(d.minimiser(), &[0.0, 0.0, 0.0]);
    assert_eq!(d.basis(), Array2::<f64>::eye(3));
    // Reproducible, and the fingerprint tells seeds apart.
    let again = Design::synthetic(&spec, Seed::new(9)).unwrap();
    assert_eq!(again.fingerprint(), d.fingerprint());
    assert_eq!(again.deviations(), d.deviations());
    assert_ne!(Design::synthetic(&spec, Seed::new(10)).unwrap().fingerprint(), d.fingerprint());
}

#[test]
fn designs_read_from_files() {
    let dir = std::env::temp_dir().join(format!("fracnoise-sgd-design-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (x, y) = correlated(60);
    let xp = dir.join("x.npy");
    let yp = dir.join("y.csv");
    fracnoise::io::write_npy(&xp, x.view(), fracnoise::io::NpyDtype::F64).unwrap();
    std::fs::write(&yp, y.iter().map(|v| format!("{v:e}\n")).collect::<String>()).unwrap();
    let a = Design::read(&xp, &yp).unwrap();
    let b = Design::from_arrays(x.view(), &y).unwrap();
    assert_eq!(a.fingerprint(), b.fingerprint());
    // Mismatched lengths name the file.
    std::fs::write(&yp, "1\n2\n").unwrap();
    let e = Design::read(&xp, &yp).unwrap_err().to_string();
    assert!(e.contains("y.csv") && e.contains("2 labels"), "{e}");
    assert!(matches!(Design::read(&dir.join("missing.npy"), &yp), Err(Error::Io { .. })));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_designs_are_refused() {
    let (x, y) = correlated(50);
    // Collinear columns: rank deficient.
    let mut xc = x.clone();
    for i in 0..50 {
        xc[[i, 2]] = 2.0 * xc[[i, 0]] - xc[[i, 1]];
    }
    let e = Design::from_arrays(xc.view(), &y).unwrap_err().to_string();
    assert!(e.contains("rank deficient"), "{e}");
    let mut xn = x.clone();
    xn[[3, 1]] = f64::NAN;
    assert!(matches!(Design::from_arrays(xn.view(), &y), Err(Error::NonFiniteInput { name: "x", .. })));
    assert!(matches!(Design::from_arrays(x.view(), &y[..10]), Err(Error::LengthMismatch { .. })));
    let few = Array2::<f64>::zeros((3, 3));
    assert!(matches!(Design::from_arrays(few.view(), &[0.0; 3]), Err(Error::InvalidSize { name: "x.nrows()", .. })));
    let none = Array2::<f64>::zeros((5, 0));
    assert!(Design::from_arrays(none.view(), &[0.0; 5]).is_err());
    let bad = |n: usize, ev: Vec<f64>, sd: f64| {
        Design::synthetic(&SyntheticDesign { n_samples: n, eigenvalues: ev, noise_sd: sd }, Seed::new(0))
    };
    assert!(bad(3, vec![1.0, 1.0, 1.0], 1.0).is_err());
    assert!(bad(30, vec![], 1.0).is_err());
    assert!(bad(30, vec![1.0, 0.0], 1.0).unwrap_err().to_string().contains("eigenvalues"));
    assert!(bad(30, vec![1.0, f64::INFINITY], 1.0).is_err());
    assert!(bad(30, vec![1.0], 0.0).unwrap_err().to_string().contains("noise_sd"));
}
