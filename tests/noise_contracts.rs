//! Contracts of every noise generator: bit-for-bit reproducibility with 1 and 2 rayon threads and
//! across shards (`fill_paths` with `first` offsets), and a typed error (never a panic or a NaN)
//! for each invalid parameter of each public constructor and each wrongly sized buffer.

use fracnoise::noise::diagnostics::{linear_functional_variance, reproducibility_mismatches};
use fracnoise::noise::{
    toeplitz_cholesky_whiten, BrownianGenerator, CholeskyGenerator, CirculantEmbedding, EmbeddingMode, FbmGenerator,
    FgnGenerator, HoskingGenerator, Parametrization, Stable,
};
use fracnoise::{Error, Seed};
use ndarray::Array2;
use proptest::prelude::*;

/// Same bits with 1 and 2 threads, uneven shards [0,1) [1,4) [4,k) [k,n) and one path per call,
/// for fGn, fBM, Brownian motion and stable variates; a different seed gives different paths.
#[test]
fn reproducible_with_threads_and_shards() {
    let seed = Seed::new(2024);
    let fgn = FgnGenerator::new(301, 0.35, 1.3).unwrap();
    let fbm = FbmGenerator::new(128, 0.8, 2.0).unwrap();
    let bm = BrownianGenerator::new(99, 1.5).unwrap();
    for paths in [1usize, 2, 9, 12] {
        assert_eq!(reproducibility_mismatches(paths, 301, |f, o| fgn.fill_paths(seed, f, o)).unwrap(), 0);
        assert_eq!(reproducibility_mismatches(paths, 129, |f, o| fbm.fill_paths(seed, f, o)).unwrap(), 0);
        assert_eq!(reproducibility_mismatches(paths, 100, |f, o| bm.fill_paths(seed, f, o)).unwrap(), 0);
    }
    for (a, b, p) in [
        (2.0, 0.0, Parametrization::S1),
        (1.0, 0.0, Parametrization::S1),
        (1.0, 1.0, Parametrization::S1),
        (1.5, -1.0, Parametrization::S0),
        (0.97, 0.5, Parametrization::S0),
        (0.5, 1.0, Parametrization::S1),
    ] {
        let d = Stable::new(a, b, 2.0, 0.5, p).unwrap();
        let m = reproducibility_mismatches(9, 64, |f, o| {
            d.fill_paths(seed, f, o);
            Ok(())
        })
        .unwrap();
        assert_eq!(m, 0, "alpha {a} beta {b} {p:?}");
        // Row i of fill_paths is Stable::fill on seed.stream(i).
        let mut all = Array2::zeros((3, 64));
        d.fill_paths(seed, 5, all.view_mut());
        let mut row = vec![0.0; 64];
        d.fill(&mut seed.stream(6), &mut row);
        assert_eq!(all.row(1).to_vec(), row);
        let mut other = Array2::zeros((3, 64));
        d.fill_paths(Seed::new(2025), 5, other.view_mut());
        assert_ne!(all, other);
    }
    // Brownian single-path calls agree with the ensemble and other seeds differ.
    let all = bm.sample_paths(5, seed).unwrap();
    let mut p = vec![0.0; 100];
    bm.fill_path(seed, 3, &mut p).unwrap();
    assert_eq!(all.row(3).to_vec(), p);
    let mut inc = vec![0.0; 99];
    bm.fill_increments(seed, 3, &mut inc).unwrap();
    let rebuilt: Vec<f64> = std::iter::once(0.0)
        .chain(inc.iter().scan(0.0, |acc, v| {
            *acc += v;
            Some(*acc)
        }))
        .collect();
    assert_eq!(rebuilt, p);
    assert_ne!(all, bm.sample_paths(5, Seed::new(2025)).unwrap());
}

fn param_name<T: std::fmt::Debug>(r: Result<T, Error>) -> &'static str {
    match r {
        Err(Error::InvalidParameter { name, value: _, .. }) => name,
        other => panic!("expected InvalidParameter, got {other:?}"),
    }
}

const NON_FINITE: [f64; 3] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY];

#[test]
fn fgn_and_fbm_bad_input() {
    assert!(matches!(FgnGenerator::new(0, 0.5, 1.0), Err(Error::InvalidSize { name: "n", .. })));
    for h in [0.0, 1.0, -0.1, 1.5].into_iter().chain(NON_FINITE) {
        assert_eq!(param_name(FgnGenerator::new(8, h, 1.0)), "hurst");
        assert_eq!(param_name(FbmGenerator::new(8, h, 1.0)), "hurst");
    }
    for s in [0.0, -1.0].into_iter().chain(NON_FINITE) {
        assert_eq!(param_name(FgnGenerator::new(8, 0.5, s)), "sigma");
        assert_eq!(param_name(FbmGenerator::new(8, 0.5, s)), "t_end");
    }
    // Underflow of derived quantities is an error, not a zero-variance generator.
    assert_eq!(param_name(FgnGenerator::new(8, 0.5, 1e-200)), "sigma^2");
    // Overflow too: sigma^2 is finite but the eigenvalues (sums of covariances) are not.
    assert_eq!(param_name(FgnGenerator::new(1, 5e-163, 1.1e154)), "acov[0] (variance)");
    assert_eq!(param_name(FbmGenerator::new(2, 0.9, 5e-324)), "(t_end / n_steps)^hurst");
    assert!(matches!(FbmGenerator::new(0, 0.5, 1.0), Err(Error::InvalidSize { name: "n_steps", .. })));
}

#[test]
fn brownian_bad_input() {
    assert!(matches!(BrownianGenerator::new(0, 1.0), Err(Error::InvalidSize { name: "n_steps", .. })));
    for t in [0.0, -2.0].into_iter().chain(NON_FINITE) {
        assert_eq!(param_name(BrownianGenerator::new(4, t)), "t_end");
    }
    assert_eq!(param_name(BrownianGenerator::new(2, 5e-324)), "t_end / n_steps");
    let g = BrownianGenerator::new(4, 1.0).unwrap();
    let seed = Seed::new(1);
    assert!(matches!(g.fill_increments(seed, 0, &mut [0.0; 5]), Err(Error::LengthMismatch { .. })));
    assert!(matches!(g.fill_path(seed, 0, &mut [0.0; 4]), Err(Error::LengthMismatch { .. })));
    assert!(matches!(g.fill_paths(seed, 0, Array2::zeros((2, 4)).view_mut()), Err(Error::LengthMismatch { .. })));
}

#[test]
fn stable_bad_input() {
    use Parametrization::{S0, S1};
    for a in [0.0, -1.0, 2.000_001].into_iter().chain(NON_FINITE) {
        assert_eq!(param_name(Stable::new(a, 0.0, 1.0, 0.0, S1)), "alpha");
    }
    for b in [1.000_001, -1.5].into_iter().chain(NON_FINITE) {
        assert_eq!(param_name(Stable::new(1.5, b, 1.0, 0.0, S0)), "beta");
    }
    for s in [0.0, -1.0].into_iter().chain(NON_FINITE) {
        assert_eq!(param_name(Stable::new(1.5, 0.0, s, 0.0, S1)), "scale");
    }
    for l in NON_FINITE {
        assert_eq!(param_name(Stable::new(1.5, 0.0, 1.0, l, S1)), "location");
    }
    // The S0 <-> S1 location shift overflows.
    assert_eq!(param_name(Stable::new(0.85, 1.0, 1e308, 0.0, S0)), "scale");
    assert_eq!(param_name(Stable::standard(2.5, 0.0)), "alpha");
}

#[test]
fn exact_samplers_bad_input() {
    for r in [CholeskyGenerator::new(&[]).map(|_| ()), HoskingGenerator::new(&[]).map(|_| ())] {
        assert!(matches!(r, Err(Error::InvalidSize { .. })), "{r:?}");
    }
    for r in
        [CholeskyGenerator::new(&[1.0, f64::NAN]).map(|_| ()), HoskingGenerator::new(&[1.0, f64::INFINITY]).map(|_| ())]
    {
        assert!(matches!(r, Err(Error::NonFiniteInput { index: 1, .. })), "{r:?}");
    }
    for acov in [&[0.0][..], &[-1.0], &[1.0, 1.0], &[1.0, 0.9, -0.9]] {
        assert!(matches!(CholeskyGenerator::new(acov), Err(Error::NotPositiveDefinite(_))), "{acov:?}");
        assert!(matches!(HoskingGenerator::new(acov), Err(Error::NotPositiveDefinite(_))), "{acov:?}");
    }
    let acov = [1.0, 0.3, 0.1];
    let (c, h) = (CholeskyGenerator::new(&acov).unwrap(), HoskingGenerator::new(&acov).unwrap());
    let mut rng = Seed::new(1).stream(0);
    assert!(matches!(c.fill(&mut rng, &mut [0.0; 2]), Err(Error::LengthMismatch { .. })));
    assert!(matches!(h.fill(&mut rng, &mut [0.0; 4]), Err(Error::LengthMismatch { .. })));
    assert!(matches!(c.whiten(&[0.0; 3], &mut [0.0; 2]), Err(Error::LengthMismatch { .. })));
    assert!(matches!(c.whiten(&[0.0; 2], &mut [0.0; 3]), Err(Error::LengthMismatch { .. })));
    assert!(matches!(toeplitz_cholesky_whiten(&acov, &[0.0; 2]), Err(Error::LengthMismatch { .. })));
    assert!(matches!(linear_functional_variance(&acov, &[1.0; 4]), Err(Error::LengthMismatch { .. })));
    // Circulant embedding: too short, non-finite, zero variance, negative eigenvalues.
    assert!(matches!(CirculantEmbedding::new(&[1.0], EmbeddingMode::Exact), Err(Error::InvalidSize { .. })));
    assert!(matches!(
        CirculantEmbedding::new(&[1.0, f64::NAN], EmbeddingMode::Exact),
        Err(Error::NonFiniteInput { .. })
    ));
    assert!(matches!(
        CirculantEmbedding::new(&[-1.0, 0.0], EmbeddingMode::Approximate),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        CirculantEmbedding::new(&[1.0, 0.9, -0.9, 0.2, 0.0], EmbeddingMode::Exact),
        Err(Error::NegativeEigenvalue { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any parameters: a generator or a typed error, never a panic; a valid generator yields
    /// finite samples.
    #[test]
    fn constructors_never_panic(
        n in 0usize..40,
        h in prop_oneof![-0.5f64..1.5, prop::num::f64::ANY],
        s in prop_oneof![1e-3f64..10.0, prop::num::f64::ANY],
        a in prop_oneof![-0.5f64..2.5, Just(1.0), Just(2.0), prop::num::f64::ANY],
        b in prop_oneof![-1.5f64..1.5, Just(1.0), Just(-1.0), prop::num::f64::ANY],
        l in prop_oneof![-10.0f64..10.0, prop::num::f64::ANY],
    ) {
        let seed = Seed::new(3);
        if let Ok(g) = FgnGenerator::new(n, h, s) {
            let mut out = vec![0.0; n];
            g.fill_path(seed, 1, &mut g.scratch(), &mut out).unwrap();
            prop_assert!(out.iter().all(|v| v.is_finite()));
        }
        if let Ok(g) = FbmGenerator::new(n, h, s) {
            let p = g.sample_paths(2, seed).unwrap();
            prop_assert!(p.iter().all(|v| v.is_finite()));
        }
        if let Ok(g) = BrownianGenerator::new(n, s) {
            prop_assert!(g.sample_paths(2, seed).unwrap().iter().all(|v| v.is_finite()));
        }
        for p in [Parametrization::S0, Parametrization::S1] {
            if let Ok(d) = Stable::new(a, b, s, l, p) {
                let mut x = vec![0.0; 16];
                d.fill(&mut seed.stream(0), &mut x);
                prop_assert!(x.iter().all(|v| v.is_finite()), "{:?}: {:?}", d, x);
            }
        }
    }
}
