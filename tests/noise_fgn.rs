//! Statistical and contract tests of the fGn / fBM / circulant / Cholesky / Hosking generators.
//!
//! Every statistical check compares a Monte Carlo mean over independent replicates (independent
//! paths, or the two independent halves of one FFT) with a closed form and fails at |z| > 5 or
//! KS p < 1e-6 (`validation/README.md` §0).

use fracnoise::noise::circulant::SPLIT_MIN_N;
use fracnoise::noise::diagnostics::{ensemble_autocovariance, whitened_sum_squares};
use fracnoise::noise::{
    fgn_autocovariance, toeplitz_cholesky_whiten, CholeskyGenerator, CirculantEmbedding, EmbeddingMode, FbmGenerator,
    FgnGenerator, HoskingGenerator,
};
use fracnoise::stats::{ks_test, Moments};
use fracnoise::{Error, Seed, StreamVersion};
use ndarray::{s, Array2, ShapeBuilder};
use statrs::distribution::{ChiSquared, ContinuousCDF};

const Z_MAX: f64 = 5.0;
const LAGS: usize = 10;

/// Known-mean autocovariance at lags 0..=LAGS, one estimate per path, for `paths` paths.
fn acov_moments(g: &FgnGenerator, paths: usize, seed: Seed) -> Vec<Moments> {
    ensemble_autocovariance(paths, g.len(), LAGS, |first, out| g.fill_paths(seed, first, out)).unwrap()
}

/// fGn autocovariance at lags 0..10 against the closed form, for H in {0.05, 0.25, 0.5, 0.75,
/// 0.95} and n in {1024, 1000} (a power of two and not), sigma = 1.
///
/// The known-mean estimator `(n-k)^-1 sum x_i x_{i+k}` is unbiased per path (`validation/README.md` §1, T3);
/// R = 8192 independent paths (both halves of 4096 FFTs) give the standard error from the
/// across-path spread. Power: the test asserts itself that replacing H by H +/- 0.02 would shift
/// the worst lag by at least 8 standard errors (so such a bug fails with near certainty); the
/// smallest such shift, at H = 0.95, lag 10, is about 10 SE (the per-path SD of c_k is about 0.95
/// there because of long memory), and about 80 SE at H = 0.5, lag 1. A missing scale factor
/// (e.g. 2 or sqrt(2n)) shifts lag 0 by hundreds of SE.
#[test]
fn fgn_autocovariance_matches_closed_form() {
    let paths = 8192;
    for &n in &[1024usize, 1000] {
        for (hi, &h) in [0.05, 0.25, 0.5, 0.75, 0.95].iter().enumerate() {
            let g = FgnGenerator::new(n, h, 1.0).unwrap();
            let m = acov_moments(&g, paths, Seed::new(1000 + hi as u64 + n as u64));
            let mut power_plus: f64 = 0.0;
            let mut power_minus: f64 = 0.0;
            for (k, mk) in m.iter().enumerate() {
                let target = fgn_autocovariance(h, k);
                let z = mk.z(target);
                assert!(z.abs() <= Z_MAX, "n {n} H {h} lag {k}: est {} target {target} z {z}", mk.mean());
                let se = mk.mean_se();
                power_plus = power_plus.max((fgn_autocovariance(h + 0.02, k) - target).abs() / se);
                power_minus = power_minus.max((fgn_autocovariance(h - 0.02, k) - target).abs() / se);
            }
            assert!(power_plus > 8.0 && power_minus > 8.0, "H {h}: power {power_plus} {power_minus}");
        }
    }
}

/// Scaled fGn: Var = sigma^2 (lag 0) and lag-1 covariance sigma^2 gamma(1), sigma = 2.5.
#[test]
fn fgn_sigma_scales_covariance() {
    let (h, sigma) = (0.7, 2.5);
    let g = FgnGenerator::new(100, h, sigma).unwrap();
    let m = acov_moments(&g, 4000, Seed::new(77));
    for (k, mk) in m.iter().enumerate() {
        let z = mk.z(sigma * sigma * fgn_autocovariance(h, k));
        assert!(z.abs() <= Z_MAX, "lag {k}: z {z}");
    }
}

/// The two halves of one FFT are independent: cross-covariances E[a_i b_i], E[a_i b_{i+1}],
/// E[a_{i+1} b_i] are 0 (averaged along the path, then across 4000 independent pairs).
#[test]
fn fgn_halves_are_independent() {
    let g = FgnGenerator::new(512, 0.8, 1.0).unwrap();
    let seed = Seed::new(3);
    let mut s = g.scratch();
    let (mut a, mut b) = (vec![0.0; 512], vec![0.0; 512]);
    let mut m = [Moments::new(), Moments::new(), Moments::new()];
    for j in 0..4000 {
        g.fill_pair(&mut seed.stream(j), &mut s, &mut a, &mut b).unwrap();
        let n = a.len();
        m[0].push(a.iter().zip(&b).map(|(x, y)| x * y).sum::<f64>() / n as f64);
        m[1].push(a[..n - 1].iter().zip(&b[1..]).map(|(x, y)| x * y).sum::<f64>() / (n - 1) as f64);
        m[2].push(a[1..].iter().zip(&b[..n - 1]).map(|(x, y)| x * y).sum::<f64>() / (n - 1) as f64);
    }
    for (i, mi) in m.iter().enumerate() {
        assert!(mi.z(0.0).abs() <= Z_MAX, "cross-cov {i}: z {}", mi.z(0.0));
    }
}

fn chi2_ks(name: &str, n: usize, sums: &[f64]) {
    let chi = ChiSquared::new(n as f64).unwrap();
    let r = ks_test(sums, |x| chi.cdf(x)).unwrap();
    assert!(r.p_value >= 1e-6, "{name}: KS D {} p {}", r.statistic, r.p_value);
}

/// Exact whitening (`validation/README.md` §1, T2): n = 64, z = L^-1 x with L the Cholesky factor of
/// Toeplitz(gamma); sum z^2 ~ chi^2_64, KS over 10^4 replicates, for Davies–Harte (both FFT
/// halves), Hosking and Cholesky outputs, H in {0.3, 0.8}. Passing for all three is the check
/// that the FFT and the exact methods agree in distribution. Power: a 3% error in the scale of
/// the covariance shifts sum z^2 by 6% (0.34 SD) and gives KS D about 0.13 >> 0.027 (p = 1e-6).
#[test]
fn whitening_chi_square_dh_hosking_cholesky() {
    let n = 64;
    let reps = 10_000;
    for &h in &[0.3, 0.8] {
        let acov: Vec<f64> = (0..n).map(|k| fgn_autocovariance(h, k)).collect();
        let chol = CholeskyGenerator::new(&acov).unwrap();
        let hosk = HoskingGenerator::new(&acov).unwrap();
        let seed = Seed::new(42).child((h * 100.0) as u64);
        let mut z = vec![0.0; n];
        let sumsq = |x: &[f64], z: &mut [f64]| whitened_sum_squares(&chol, x, z).unwrap();
        // Davies–Harte.
        let g = FgnGenerator::new(n, h, 1.0).unwrap();
        let paths = g.sample_paths(reps, seed.child(0)).unwrap();
        let dh: Vec<f64> = paths.rows().into_iter().map(|r| sumsq(r.as_slice().unwrap(), &mut z)).collect();
        chi2_ks(&format!("Davies-Harte H {h}"), n, &dh);
        // Hosking and Cholesky.
        let mut x = vec![0.0; n];
        let hs: Vec<f64> = (0..reps as u64)
            .map(|i| {
                hosk.fill(&mut seed.child(1).stream(i), &mut x).unwrap();
                sumsq(&x, &mut z)
            })
            .collect();
        chi2_ks(&format!("Hosking H {h}"), n, &hs);
        let cs: Vec<f64> = (0..reps as u64)
            .map(|i| {
                chol.fill(&mut seed.child(2).stream(i), &mut x).unwrap();
                sumsq(&x, &mut z)
            })
            .collect();
        chi2_ks(&format!("Cholesky H {h}"), n, &cs);
    }
}

/// The general circulant sampler on a non-fGn covariance, AR(1): gamma(k) = r^k / (1 - r^2)
/// (valid embedding for r > 0), whitened by `toeplitz_cholesky_whiten`: chi^2_n by KS.
#[test]
fn circulant_general_covariance_ar1() {
    let (n, r) = (48usize, 0.7f64);
    let acov: Vec<f64> = (0..=n).map(|k| r.powi(k as i32) / (1.0 - r * r)).collect();
    let e = CirculantEmbedding::new(&acov, EmbeddingMode::Exact).unwrap();
    assert_eq!(e.dropped_mass(), 0.0);
    let mut s = e.scratch();
    let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
    let seed = Seed::new(11);
    let mut sums = Vec::new();
    for j in 0..3000 {
        e.fill_pair(&mut seed.stream(j), &mut s, &mut a, &mut b).unwrap();
        for x in [&a, &b] {
            let z = toeplitz_cholesky_whiten(&acov[..n], x).unwrap();
            sums.push(z.iter().map(|v| v * v).sum::<f64>());
        }
    }
    chi2_ks("circulant AR(1)", n, &sums);
}

/// Var B_H(T) = T^2H and Cov(B(T/4), B(T)) = (t^2H + s^2H - |t-s|^2H)/2 at T = 3.7 (not 1),
/// and the increment-variance identity E[(n-m)^-1 sum (B_{i+m} - B_i)^2] = (m dt)^2H
/// (`validation/README.md` §1, T4; exact, since the increments are stationary), over 20000 independent paths.
#[test]
fn fbm_variance_and_increment_scaling() {
    let (t_end, n) = (3.7, 64usize);
    for &h in &[0.1, 0.3, 0.5, 0.7, 0.9] {
        let g = FbmGenerator::new(n, h, t_end).unwrap();
        let times = g.times();
        assert_eq!(times.len(), n + 1);
        assert_eq!(times[n], t_end);
        let paths = g.sample_paths(20_000, Seed::new(5).child((h * 10.0) as u64)).unwrap();
        assert!(paths.column(0).iter().all(|&v| v == 0.0));
        let mut var_t = Moments::new();
        let mut cov = Moments::new();
        let ms = [1usize, 4, 16];
        let mut inc: Vec<Moments> = vec![Moments::new(); ms.len()];
        for r in paths.rows() {
            var_t.push(r[n] * r[n]);
            cov.push(r[n / 4] * r[n]);
            for (mi, &m) in inc.iter_mut().zip(&ms) {
                let s: f64 = (0..=n - m).map(|i| (r[i + m] - r[i]).powi(2)).sum();
                mi.push(s / (n + 1 - m) as f64);
            }
        }
        let a = 2.0 * h;
        let z = var_t.z(t_end.powf(a));
        assert!(z.abs() <= Z_MAX, "H {h}: Var B(T) = {} vs {} z {z}", var_t.mean(), t_end.powf(a));
        let s = times[n / 4];
        let target = 0.5 * (s.powf(a) + t_end.powf(a) - (t_end - s).powf(a));
        assert!(cov.z(target).abs() <= Z_MAX, "H {h}: Cov z {}", cov.z(target));
        for (mi, &m) in inc.iter().zip(&ms) {
            let target = (m as f64 * t_end / n as f64).powf(a);
            assert!(mi.z(target).abs() <= Z_MAX, "H {h} m {m}: z {}", mi.z(target));
        }
    }
}

/// T1: minimum eigenvalue of the fGn embedding >= -1e-10 * max for H = 0.01..0.99 (step 0.01),
/// n = 2^4..2^16 plus 1000 and 1025 (and n = 1, 2, 3). The full sweep to 2^20 is
/// `cargo test --release --test noise_fgn -- --ignored min_eigenvalue_sweep_to_2_20`.
#[test]
fn min_eigenvalue_nonnegative() {
    let mut ns: Vec<usize> = (4..=16).map(|p| 1usize << p).collect();
    ns.extend([1, 2, 3, 1000, 1025]);
    min_eigenvalue_check(&ns, 1);
}

#[test]
#[ignore = "long sweep (about a minute); run with --ignored"]
fn min_eigenvalue_sweep_to_2_20() {
    let ns: Vec<usize> = (17..=20).map(|p| 1usize << p).collect();
    min_eigenvalue_check(&ns, 1);
}

fn min_eigenvalue_check(ns: &[usize], step: usize) {
    for &n in ns {
        for hp in (1..=99).step_by(step) {
            let h = hp as f64 / 100.0;
            let g = FgnGenerator::new(n, h, 1.0).unwrap_or_else(|e| panic!("n {n} H {h}: {e}"));
            let e = g.embedding();
            assert!(e.min_eigenvalue() >= -1e-10 * e.max_eigenvalue(), "n {n} H {h}: {e:?}");
            assert!(e.dropped_mass() <= 1e-10, "n {n} H {h}: {e:?}");
        }
    }
}

/// Same seed, same bits: single calls, rayon pools of 1 and 2 threads, and shards
/// [0, 3) [3, 7) [7, 10) (odd starts) give identical rows; another seed differs.
#[test]
fn reproducible_across_threads_and_shards() {
    let g = FgnGenerator::new(333, 0.35, 1.3).unwrap();
    let seed = Seed::new(2024);
    let pool = |k: usize| rayon::ThreadPoolBuilder::new().num_threads(k).build().unwrap();
    let one = pool(1).install(|| g.sample_paths(10, seed)).unwrap();
    let two = pool(2).install(|| g.sample_paths(10, seed)).unwrap();
    assert_eq!(one, two);
    let mut sharded = Array2::zeros((10, 333));
    for (a, b) in [(0usize, 3usize), (3, 7), (7, 10)] {
        pool(2).install(|| g.fill_paths(seed, a as u64, sharded.slice_mut(s![a..b, ..]))).unwrap();
    }
    assert_eq!(one, sharded);
    let mut scratch = g.scratch();
    let mut p = vec![0.0; 333];
    for i in 0..10 {
        g.fill_path(seed, i as u64, &mut scratch, &mut p).unwrap();
        assert_eq!(one.row(i).to_vec(), p, "row {i}");
    }
    // A column-major (non-contiguous rows) output view gets the same numbers.
    let mut fortran = Array2::zeros((10, 333).f());
    g.fill_paths(seed, 0, fortran.view_mut()).unwrap();
    assert_eq!(one, fortran);
    assert_ne!(one, g.sample_paths(10, Seed::new(2025)).unwrap());
    // fBM: shards and thread counts too.
    let f = FbmGenerator::new(100, 0.7, 2.0).unwrap();
    let all = pool(1).install(|| f.sample_paths(7, seed)).unwrap();
    let mut parts = Array2::zeros((7, 101));
    for (a, b) in [(0usize, 1usize), (1, 4), (4, 7)] {
        pool(2).install(|| f.fill_paths(seed, a as u64, parts.slice_mut(s![a..b, ..]))).unwrap();
    }
    assert_eq!(all, parts);
    let mut q = vec![0.0; 101];
    f.fill_path(seed, 5, &mut f.scratch(), &mut q).unwrap();
    assert_eq!(all.row(5).to_vec(), q);
}

/// Stream version 2's split transform (`n >= SPLIT_MIN_N`: two streams, two FFTs of size `n`,
/// the radix-2 twiddle pass; `noise::circulant`), checked against closed forms at n = 70 000
/// (not a power of two), sigma = 1.3, H in {0.25, 0.5, 0.8}, over R = 512 independent paths:
/// - the known-mean autocovariance at lags 0..10 and 100, 1000, 20 000 (unbiased per path,
///   `validation/README.md` §1, T3) against `sigma^2 gamma_H(k)`;
/// - block sums `S` of L = n, 1000 (at the start, the middle, the end) and 3 points: `E S^2 =
///   sigma^2 L^2H` (the fBM variance), the mean of `S^2` with its across-path SE (the target is
///   `E S^2` itself, not a log);
/// - the cross-covariances of the two halves of each pair at lags -1, 0, 1: 0.
///
/// Every z must be within 5 (SE from R = 512 paths). Broken on purpose once each: with the
/// twiddle `t^j` conjugated, lag 1 at H = 0.25 is off by 744 SE; with one second stream shared by
/// every pair (all paths then share their odd-indexed coefficients), lag 4 at H = 0.25 is off by
/// 6.4 SE (the spread across paths, from which the SE comes, shrinks).
///
/// The same checks for the real transforms of versions 5 and 6 (one per path): at n = 70 000 (even: packed
/// coefficients in two parts from two streams, two FFTs of size n/2) and n = 70 001 (odd: one FFT
/// of size n). Broken on purpose: with the complex coefficients `h_k` scaled by
/// `sqrt(lambda_k / m)` instead of `sqrt(lambda_k / 2m)`, lag 0 at H = 0.25 is off by 1828 SE;
/// with the packing's `t^k` conjugated, lag 1 at H = 0.25 by 783 SE.
#[test]
fn split_transform_law() {
    let (sigma, paths) = (1.3, 512usize);
    for (version, n) in [
        (StreamVersion::V4, 70_000usize),
        (StreamVersion::V5, 70_000),
        (StreamVersion::V5, 70_001),
        (StreamVersion::V6, 70_000),
    ] {
        split_law(version, n, sigma, paths);
    }
}

fn split_law(version: StreamVersion, n: usize, sigma: f64, paths: usize) {
    let lags: Vec<usize> = (0..=10).chain([100, 1000, 20_000]).collect();
    for (hi, &h) in [0.25, 0.5, 0.8].iter().enumerate() {
        let g = FgnGenerator::with_version(n, h, sigma, version).unwrap();
        assert!(n >= SPLIT_MIN_N && (g.embedding().is_split() || g.embedding().is_real()));
        let seed = Seed::new(7000 + hi as u64);
        let blocks: [(usize, usize); 5] =
            [(0, n), (0, 1000), (n / 2 - 500, n / 2 + 500), (n - 1000, n), (12_345, 12_348)];
        let mut ac = vec![Moments::new(); lags.len()];
        let mut sq = vec![Moments::new(); blocks.len()];
        let mut cross = [Moments::new(), Moments::new(), Moments::new()];
        let mut buf = Array2::zeros((64, n));
        for first in (0..paths).step_by(64) {
            g.fill_paths(seed, first as u64, buf.view_mut()).unwrap();
            for (r, x) in buf.rows().into_iter().enumerate() {
                let x = x.as_slice().unwrap();
                for (m, &k) in ac.iter_mut().zip(&lags) {
                    // The known-mean estimator at lag k alone (`stats::autocovariance_known_mean`
                    // computes every lag up to its maximum).
                    m.push(x[..n - k].iter().zip(&x[k..]).map(|(a, b)| a * b).sum::<f64>() / (n - k) as f64);
                }
                for (m, &(a, b)) in sq.iter_mut().zip(&blocks) {
                    let s: f64 = x[a..b].iter().sum();
                    m.push(s * s);
                }
                if r % 2 == 0 {
                    let y = buf.row(r + 1);
                    let y = y.as_slice().unwrap();
                    cross[0].push(x.iter().zip(y).map(|(a, b)| a * b).sum::<f64>() / n as f64);
                    cross[1].push(x[1..].iter().zip(y).map(|(a, b)| a * b).sum::<f64>() / (n - 1) as f64);
                    cross[2].push(x.iter().zip(&y[1..]).map(|(a, b)| a * b).sum::<f64>() / (n - 1) as f64);
                }
            }
        }
        let s2 = sigma * sigma;
        for (m, &k) in ac.iter().zip(&lags) {
            let z = m.z(s2 * fgn_autocovariance(h, k));
            assert!(
                z.abs() <= Z_MAX,
                "{version:?} n {n} H {h} lag {k}: mean {} target {} z {z}",
                m.mean(),
                s2 * fgn_autocovariance(h, k)
            );
        }
        for (m, &(a, b)) in sq.iter().zip(&blocks) {
            let target = s2 * ((b - a) as f64).powf(2.0 * h);
            let z = m.z(target);
            assert!(
                z.abs() <= Z_MAX,
                "{version:?} n {n} H {h} block {a}..{b}: mean S^2 {} target {target} z {z}",
                m.mean()
            );
        }
        for (i, m) in cross.iter().enumerate() {
            assert!(m.z(0.0).abs() <= Z_MAX, "{version:?} n {n} H {h} cross {i}: z {}", m.z(0.0));
        }
    }
}

/// A recorded fGn path: `(n, path, [x_0, x_1, x_{n/2}, x_{n-1}], sum of the path)`, as bits, for
/// seed 42, H = 0.7, sigma = 1.3.
type Recorded = (usize, usize, [u64; 4], u64);

/// The recorded path computed in `version` (checked against the record) and in `other`.
fn check_recorded(
    version: StreamVersion,
    other: StreamVersion,
    &(n, path, xs, sum): &Recorded,
) -> (Vec<f64>, Vec<f64>) {
    let [a, b] = [version, other].map(|v| {
        let g = FgnGenerator::with_version(n, 0.7, 1.3, v).unwrap();
        assert_eq!(g.version(), v);
        let mut x = vec![0.0; n];
        g.fill_path(Seed::new(42), path as u64, &mut g.scratch(), &mut x).unwrap();
        x
    });
    let got: Vec<u64> = [0, 1, n / 2, n - 1].iter().map(|&i| a[i].to_bits()).collect();
    assert_eq!(got, xs, "{version:?} n {n} path {path}");
    // (The recorded sums are ndarray's `sum` of the row.)
    assert_eq!(ndarray::aview1(&a).sum().to_bits(), sum, "{version:?} n {n} path {path}");
    (a, b)
}

/// Version 1 stays selectable and gives, bit for bit, what the library gave before version 2
/// (values recorded from commit 8c076b0: n = 70 000 and 65 536, which version 2 splits, and
/// n = 1000, which it does not); version 2 differs at the split sizes only.
#[test]
fn stream_version_one_reproduces_old_numbers() {
    let old: [Recorded; 6] = [
        (
            70000,
            0,
            [0xbfb18160cfa4e54e, 0x3fecaacd372432e5, 0x3ff0110a99af5ef3, 0xbfd1f5a04a8b78f3],
            0xc0aea79521aff270,
        ),
        (
            70000,
            1,
            [0xbfe2b540591839a6, 0xc001e75f4e8cb90c, 0xbff4e0f129b643ca, 0x3fedf61557c6c51e],
            0xc0a51316f8cc1ef8,
        ),
        (
            70000,
            2,
            [0xbff1599577b1fa6b, 0xbff3d032c41747ee, 0xbfe6702e5535f022, 0x3fb4edb13ba72694],
            0xc09d676917de5d4c,
        ),
        (
            65536,
            0,
            [0x3fd6402063003f7c, 0x3fedfc616b45a4ff, 0x3fcab751a202e6f8, 0xbfda53ef1f7bce90],
            0xc0aef910e98139d4,
        ),
        (
            65536,
            1,
            [0xbfe4adeb1076f153, 0xc0041e06adb39466, 0xbff7cece02ee5e6c, 0x3fc6a28d815a55d8],
            0xc0a5ee5f70fa9d2a,
        ),
        (1000, 2, [0xbfe01ba36cb6aed0, 0xbfd1ca8190df2348, 0x3f9070705a2098d0, 0x3fc1eeb5d5958684], 0x404735d85e3466eb),
    ];
    for rec in &old {
        let n = rec.0;
        let (a, b) = check_recorded(StreamVersion::V1, StreamVersion::V2, rec);
        assert_eq!(a == b, n < SPLIT_MIN_N, "n {n}: version 2 equals version 1 below the split size only");
        // fBM follows its fGn.
        let f1 = FbmGenerator::with_version(n, 0.7, 1.0, StreamVersion::V1).unwrap();
        assert_eq!(f1.version(), StreamVersion::V1);
    }
    assert_eq!(StreamVersion::default(), StreamVersion::CURRENT);
    assert_eq!(StreamVersion::CURRENT.number(), fracnoise::rng::STREAM_VERSION);
    assert_eq!(StreamVersion::from_number(1).unwrap(), StreamVersion::V1);
    assert_eq!(StreamVersion::from_number(2).unwrap(), StreamVersion::V2);
    assert_eq!(StreamVersion::from_number(3).unwrap(), StreamVersion::V3);
    assert_eq!(StreamVersion::from_number(4).unwrap(), StreamVersion::V4);
    assert_eq!(StreamVersion::from_number(5).unwrap(), StreamVersion::V5);
    assert_eq!(StreamVersion::from_number(6).unwrap(), StreamVersion::V6);
    for bad in [0, 7, u32::MAX] {
        assert!(matches!(StreamVersion::from_number(bad), Err(Error::InvalidParameter { name: "stream_version", .. })));
    }
}

/// Version 2 stays selectable and gives, bit for bit, what the library gave before version 3
/// (values recorded from commit 4dedd48, as above; n = 1000 equals version 1's value there);
/// version 3, the default, differs at every size, fBM following its fGn.
#[test]
fn stream_version_two_reproduces_old_numbers() {
    let old: [Recorded; 7] = [
        (
            70000,
            0,
            [0x3ff9fe5669e08022, 0x3fe5d8d2d4a63e26, 0x3ff2d57723f19f88, 0xc0007f4d25ae13a4],
            0xc0a519724d6334c8,
        ),
        (
            70000,
            1,
            [0xbfe76530a526c0df, 0xc0036c47482c67d8, 0x3fe50b751610d1f3, 0xbfef078d601909a8],
            0xc09eba94cfd3723b,
        ),
        (
            70000,
            2,
            [0x3fe74d619860af5c, 0x3ffb2ddeeebe42f4, 0xbff325ae6a4f6ae4, 0xbfe55d7f13515634],
            0x409657834f909207,
        ),
        (
            65536,
            0,
            [0x3ff3057513341ab9, 0x3fb77506c2874230, 0x3feee014fe1245de, 0xbff5773543e54cd1],
            0xc09b13880af80ff6,
        ),
        (
            65536,
            1,
            [0xbfe693c11ec3d766, 0xc004a526bfd7f34a, 0x3fd5e5e2c643d1a6, 0xbff2f94975d4a9e4],
            0xc0b10a9c3f480401,
        ),
        (1000, 2, [0xbfe01ba36cb6aed0, 0xbfd1ca8190df2348, 0x3f9070705a2098d0, 0x3fc1eeb5d5958684], 0x404735d85e3466eb),
        (4096, 5, [0x40101a172cf22686, 0x400181555e938508, 0x3ff063140f4efdf5, 0xbfef8de186cddecc], 0x4080edb310e6b551),
    ];
    for rec in &old {
        let (a, b) = check_recorded(StreamVersion::V2, StreamVersion::V3, rec);
        assert!(a.iter().zip(&b).all(|(x, y)| x != y), "n {}: version 3 draws other numbers", rec.0);
    }
    assert_eq!(FgnGenerator::new(8, 0.7, 1.3).unwrap().version(), StreamVersion::V6);
    // Version 4 changed the Brownian paths only: its fGn is version 3's, split and not; version
    // 5 changed fGn from SPLIT_MIN_N on (odd and even n) and equals version 4 below; version 6
    // equals version 5 except at even n from SPLIT_MIN_N on, where it differs by the rounding
    // of the eigenvalues only.
    for n in [4096usize, 4097, 70000, 70001] {
        let g3 = FgnGenerator::with_version(n, 0.3, 1.3, StreamVersion::V3).unwrap();
        let g4 = FgnGenerator::with_version(n, 0.3, 1.3, StreamVersion::V4).unwrap();
        let g5 = FgnGenerator::with_version(n, 0.3, 1.3, StreamVersion::V5).unwrap();
        let g6 = FgnGenerator::new(n, 0.3, 1.3).unwrap();
        let (mut a, mut b, mut c, mut d) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        g3.fill_path(Seed::new(7), 5, &mut g3.scratch(), &mut a).unwrap();
        g4.fill_path(Seed::new(7), 5, &mut g4.scratch(), &mut b).unwrap();
        g5.fill_path(Seed::new(7), 5, &mut g5.scratch(), &mut c).unwrap();
        g6.fill_path(Seed::new(7), 5, &mut g6.scratch(), &mut d).unwrap();
        assert_eq!(a, b, "n {n}");
        if n < SPLIT_MIN_N {
            assert_eq!(b, c, "n {n}: version 5 is version 4 below SPLIT_MIN_N");
        } else {
            assert!(b.iter().zip(&c).all(|(x, y)| x != y), "n {n}: version 5 gives other numbers");
        }
        if n < SPLIT_MIN_N || n % 2 == 1 {
            assert_eq!(c, d, "n {n}: version 6 is version 5");
        } else {
            assert!(c != d && c.iter().zip(&d).all(|(x, y)| (x - y).abs() <= 1e-12), "n {n}: version 6 rounds apart");
        }
    }
    let seed = Seed::new(42);
    let f2 = FbmGenerator::with_version(70000, 0.3, 2.0, StreamVersion::V2).unwrap();
    let mut b = vec![0.0; f2.path_len()];
    f2.fill_path(seed, 3, &mut f2.scratch(), &mut b).unwrap();
    assert_eq!((b[1].to_bits(), b[70000].to_bits()), (0x3f6ec124fa016358, 0xbfe9a966b2a7e88b));
    assert_eq!(StreamVersion::CURRENT, StreamVersion::V6);
}

/// Split sizes (versions 2-4: `n >= SPLIT_MIN_N`; version 5: even `n >= SPLIT_MIN_N`, and an
/// odd `n` that version 5 does not split): the same bits from rayon pools of 1 and 2 threads,
/// `fill_path`, `fill_paths_serial`, shards with odd starts, and `fill_pair` on the pair's stream.
#[test]
fn split_transform_reproducible_across_threads_and_shards() {
    // Odd n: the chunked twiddle pass has a short last chunk.
    for (version, n) in [
        (StreamVersion::V4, SPLIT_MIN_N + 3),
        (StreamVersion::V5, SPLIT_MIN_N + 4),
        (StreamVersion::V5, SPLIT_MIN_N + 3),
        (StreamVersion::V6, SPLIT_MIN_N + 4),
    ] {
        split_reproducible(version, n);
    }
}

fn split_reproducible(version: StreamVersion, n: usize) {
    let g = FgnGenerator::with_version(n, 0.35, 0.7, version).unwrap();
    assert!(g.embedding().is_split() || g.embedding().is_real());
    let seed = Seed::new(99);
    let pool = |k: usize| rayon::ThreadPoolBuilder::new().num_threads(k).build().unwrap();
    let one = pool(1).install(|| g.sample_paths(5, seed)).unwrap();
    let two = pool(2).install(|| g.sample_paths(5, seed)).unwrap();
    assert_eq!(one, two);
    let mut sharded = Array2::zeros((5, n));
    for (a, b) in [(0usize, 1usize), (1, 4), (4, 5)] {
        pool(2).install(|| g.fill_paths(seed, a as u64, sharded.slice_mut(s![a..b, ..]))).unwrap();
    }
    assert_eq!(one, sharded);
    let mut scratch = g.scratch();
    let mut serial = Array2::zeros((4, n));
    g.fill_paths_serial(seed, 1, &mut scratch, serial.view_mut()).unwrap();
    assert_eq!(one.slice(s![1..5, ..]), serial);
    let mut p = vec![0.0; n];
    for i in 0..5 {
        pool(1).install(|| g.fill_path(seed, i as u64, &mut scratch, &mut p)).unwrap();
        assert_eq!(one.row(i).to_vec(), p, "row {i}");
    }
    let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
    g.fill_pair(&mut seed.stream(1), &mut scratch, &mut a, &mut b).unwrap();
    assert_eq!((one.row(2).to_vec(), one.row(3).to_vec()), (a.clone(), b.clone()));
    g.fill_pair_streamed(&mut seed.stream(1), &mut scratch, &mut a, &mut b).unwrap();
    assert_eq!((one.row(2).to_vec(), one.row(3).to_vec()), (a, b));
    // Strided rows (a column-major view) take the in-place last step instead of the fused one:
    // the same values, from the calling thread and from a pool, whole pairs and an odd start.
    let mut fortran = Array2::zeros((5, n).f());
    g.fill_paths(seed, 0, fortran.view_mut()).unwrap();
    assert_eq!(one, fortran);
    let mut fortran = Array2::zeros((3, n).f());
    pool(2).install(|| g.fill_paths(seed, 1, fortran.view_mut())).unwrap();
    assert_eq!(one.slice(s![1..4, ..]), fortran);
    // fBM at a split size: shards and thread counts.
    let f = FbmGenerator::with_version(n, 0.7, 2.0, version).unwrap();
    let all = pool(1).install(|| f.sample_paths(3, seed)).unwrap();
    let mut parts = Array2::zeros((3, n + 1));
    for (a, b) in [(0usize, 1usize), (1, 3)] {
        pool(2).install(|| f.fill_paths(seed, a as u64, parts.slice_mut(s![a..b, ..]))).unwrap();
    }
    assert_eq!(all, parts);
}

/// Invalid parameters and buffers give the typed error, never a panic or NaN.
#[test]
fn bad_input() {
    let is_param = |r: Result<FgnGenerator, Error>, name: &str| match r {
        Err(Error::InvalidParameter { name: n, .. }) => assert_eq!(n, name),
        other => panic!("expected InvalidParameter({name}), got {other:?}"),
    };
    assert!(matches!(FgnGenerator::new(0, 0.5, 1.0), Err(Error::InvalidSize { .. })));
    for h in [0.0, 1.0, -0.1, 1.5, f64::NAN, f64::INFINITY] {
        is_param(FgnGenerator::new(8, h, 1.0), "hurst");
    }
    for s in [0.0, -1.0, f64::INFINITY, f64::NAN] {
        is_param(FgnGenerator::new(8, 0.5, s), "sigma");
    }
    assert!(matches!(FbmGenerator::new(0, 0.5, 1.0), Err(Error::InvalidSize { .. })));
    for t in [0.0, -1.0, f64::INFINITY, f64::NAN] {
        assert!(matches!(FbmGenerator::new(8, 0.5, t), Err(Error::InvalidParameter { name: "t_end", .. })));
    }
    for h in [0.0, 1.0, f64::NAN] {
        assert!(matches!(FbmGenerator::new(8, h, 1.0), Err(Error::InvalidParameter { name: "hurst", .. })));
    }
    // Buffers of the wrong length.
    let g = FgnGenerator::new(8, 0.5, 1.0).unwrap();
    let mut s = g.scratch();
    let seed = Seed::new(1);
    let (mut a, mut b) = (vec![0.0; 8], vec![0.0; 7]);
    assert!(matches!(g.fill_pair(&mut seed.stream(0), &mut s, &mut a, &mut b), Err(Error::LengthMismatch { .. })));
    assert!(matches!(g.fill_path(seed, 0, &mut s, &mut b), Err(Error::LengthMismatch { .. })));
    assert!(matches!(g.fill_paths(seed, 0, Array2::zeros((3, 9)).view_mut()), Err(Error::LengthMismatch { .. })));
    let f = FbmGenerator::new(8, 0.5, 1.0).unwrap();
    assert!(matches!(f.fill_path(seed, 0, &mut s, &mut a), Err(Error::LengthMismatch { .. })));
    assert!(matches!(f.fill_paths(seed, 0, Array2::zeros((3, 8)).view_mut()), Err(Error::LengthMismatch { .. })));
    // Zero paths is an empty array, not an error.
    assert_eq!(g.sample_paths(0, seed).unwrap().dim(), (0, 8));
    // Non-PD autocovariances: the circulant sampler refuses in exact mode, reports the dropped
    // mass in approximate mode; Cholesky and Hosking report NotPositiveDefinite.
    let bad = [1.0, 0.9, -0.9, 0.2, 0.0];
    match CirculantEmbedding::new(&bad, EmbeddingMode::Exact) {
        Err(Error::NegativeEigenvalue { min_eigenvalue, max_eigenvalue, size, .. }) => {
            assert!(min_eigenvalue < -1e-10 * max_eigenvalue);
            assert_eq!(size, 8);
        }
        other => panic!("expected NegativeEigenvalue, got {other:?}"),
    }
    let approx = CirculantEmbedding::new(&bad, EmbeddingMode::Approximate).unwrap();
    assert!(approx.dropped_mass() > 0.0);
    assert!(matches!(CholeskyGenerator::new(&bad), Err(Error::NotPositiveDefinite(_))));
    assert!(matches!(HoskingGenerator::new(&bad), Err(Error::NotPositiveDefinite(_))));
    assert!(toeplitz_cholesky_whiten(&bad, &[0.0; 4]).is_err());
    // A squared-exponential kernel with a long length scale (a classic failure of the embedding).
    let se: Vec<f64> = (0..=64).map(|k| (-(k as f64 / 20.0).powi(2)).exp()).collect();
    assert!(matches!(CirculantEmbedding::new(&se, EmbeddingMode::Exact), Err(Error::NegativeEigenvalue { .. })));
    assert!(CirculantEmbedding::new(&se, EmbeddingMode::Approximate).unwrap().dropped_mass() > 0.0);
}

/// `FbmGenerator::visit_paths` hands over each path without its first value `B(0) = 0`: the
/// rest of `fill_paths`' row, bit for bit, for the in-place route (version 6, n = 65536) and
/// the copy route (n = 1001), from an odd first path.
#[test]
fn fbm_visited_paths_equal_fill_paths() {
    for n in [SPLIT_MIN_N, 1001] {
        let g = FbmGenerator::new(n, 0.6, 3.0).unwrap();
        let seed = Seed::new(15);
        let mut want = Array2::zeros((3, n + 1));
        g.fill_paths(seed, 1, want.view_mut()).unwrap();
        let mut seen = 0;
        g.visit_paths(seed, 1, 3, &mut g.scratch(), |i, path| -> fracnoise::Result<()> {
            let row = want.row((i - 1) as usize);
            assert_eq!(row[0], 0.0);
            assert_eq!(path, row.slice(s![1..]).as_slice().unwrap(), "n {n} path {i}");
            seen += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, 3);
    }
}
