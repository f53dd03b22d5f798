//! Cases of the noise generators: fGn autocovariance, Davies–Harte against the exact
//! Cholesky / Hosking samplers, fBM variance, Brownian increments, alpha-stable laws against closed
//! forms and the exact characteristic function, and bit-for-bit reproducibility.
//!
//! The computations are shared with `tests/` through `fracnoise::noise::diagnostics`; the tests
//! there also show each check's power (they break the law on purpose and see the check fail).

use crate::{Case, Check, Context, Outcome};
use fracnoise::noise::diagnostics::{
    ensemble_autocovariance, linear_functional_variance, reproducibility_mismatches, stable_ecf_grid,
    whitened_sum_squares,
};
use fracnoise::noise::{
    fgn_autocovariance, BrownianGenerator, CholeskyGenerator, FbmGenerator, FgnGenerator, HoskingGenerator,
    Parametrization, Stable,
};
use fracnoise::stats::{ks_test, normal_cdf, Moments};
use fracnoise::Seed;
use statrs::distribution::{ChiSquared, ContinuousCDF};

use Parametrization::{S0, S1};

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "fgn/acov",
            reference: "fGn acov lags 0..10 = (|k+1|^2H - 2|k|^2H + |k-1|^2H)/2 (Mandelbrot-Van Ness 1968), \
                        H in {.05,.25,.5,.75,.95}, n in {1024, 1000}; H in {.25,.75}, n in {65536, 65537} \
                        (one real transform per path, stream versions 5 and 6)",
            quick: true,
            run: fgn_acov,
        },
        Case {
            name: "fgn/dh-vs-cholesky",
            reference: "Davies-Harte, Cholesky, Hosking: L^-1 x ~ chi^2_n (exact whitening); Var(w.x) = w'Gw; \
                        DH - Cholesky second moments agree",
            quick: true,
            run: dh_vs_cholesky,
        },
        Case {
            name: "fbm/variance",
            reference: "Var B_H(T) = T^2H, Cov(B(s), B(T)) = (s^2H + T^2H - |T-s|^2H)/2, T = 3.7",
            quick: true,
            run: fbm_variance,
        },
        Case {
            name: "bm/increments",
            reference: "Brownian increments i.i.d. N(0, dt): Var = dt, lag-1 cov 0, Var W(T) = T, KS vs Phi",
            quick: true,
            run: bm_increments,
        },
        Case {
            name: "stable-law/numerics",
            reference:
                "numerical pdf/cdf (Nolan 1997 integral, src/noise/stable_law.rs) vs Nolan's STABLE values \
                        (SciPy test data, S1 and loc/scale S0/S1; tol 1e-9), and KS of CMS samples vs the numerical CDF",
            quick: true,
            run: stable_law_numerics,
        },
        Case {
            name: "stable/ks-closed-forms",
            reference: "CMS samples vs closed-form CDFs: alpha=2 N(d, 2g^2), Cauchy, Levy erfc(sqrt(g/2(x-d))) \
                        (Nolan 2020 S0/S1)",
            quick: true,
            run: stable_ks,
        },
        Case {
            name: "stable/ecf",
            reference: "ECF at u = {0.1,0.5,1,2}/g vs exact phi (Nolan S0/S1), Var cos(uX) = (1+Re phi(2u))/2 - \
                        (Re phi)^2",
            quick: false,
            run: stable_ecf,
        },
        Case {
            name: "fgn/reproducibility",
            reference: "same seed, same bits: 1 vs 2 threads, uneven shards, one path per call (fgn, fbm, bm, \
                        stable)",
            quick: true,
            run: reproducibility,
        },
    ]
}

const LAGS: usize = 10;

/// fGn autocovariance at lags 0..10, per-path known-mean estimator averaged over independent
/// paths (both halves of each FFT). z from the across-path standard error.
fn fgn_acov(ctx: &Context) -> Outcome {
    let seed = ctx.seed_for("fgn/acov");
    let paths = ctx.reps(8192, 2048);
    let mut checks = Vec::new();
    for (ni, &n) in [1024usize, 1000].iter().enumerate() {
        for (hi, &h) in [0.05, 0.25, 0.5, 0.75, 0.95].iter().enumerate() {
            let g = FgnGenerator::new(n, h, 1.0).expect("valid parameters");
            let s = seed.child((10 * ni + hi) as u64);
            let m = ensemble_autocovariance(paths, n, LAGS, |first, out| g.fill_paths(s, first, out))
                .expect("buffer sizes match");
            for (k, mk) in m.iter().enumerate() {
                checks.push(Check::z(
                    format!("n {n} H {h} lag {k}"),
                    fgn_autocovariance(h, k),
                    mk.mean(),
                    mk.mean_se(),
                ));
            }
        }
    }
    // Stream versions 5 and 6 make each path by its own real transform from SPLIT_MIN_N = 65536
    // points on (`src/noise/circulant.rs`): an even n (packed coefficients from two streams, two
    // FFTs of n/2) and an odd n (one FFT of n). Fewer paths: each path's estimate averages
    // 65536 products, and 256 paths keep the across-path SE's t-tail near the normal one.
    let long_paths = ctx.reps(512, 256);
    for (ni, &n) in [65536usize, 65537].iter().enumerate() {
        for (hi, &h) in [0.25, 0.75].iter().enumerate() {
            let g = FgnGenerator::new(n, h, 1.0).expect("valid parameters");
            let s = seed.child((100 + 10 * ni + hi) as u64);
            let m = ensemble_autocovariance(long_paths, n, LAGS, |first, out| g.fill_paths(s, first, out))
                .expect("buffer sizes match");
            for (k, mk) in m.iter().enumerate() {
                checks.push(Check::z(
                    format!("n {n} H {h} lag {k}"),
                    fgn_autocovariance(h, k),
                    mk.mean(),
                    mk.mean_se(),
                ));
            }
        }
    }
    checks.into()
}

/// Davies–Harte against the exact O(n^2) samplers at n = 64: each output whitened by the exact
/// Cholesky factor gives `sum z^2 ~ chi^2_64` (KS), the linear functional `L = sum w_i x_i` with
/// `w_i = cos(0.3 i) + 0.5` has `E L^2 = w' Gamma w` (z per method), and the DH and Cholesky
/// estimates of `E L^2` and of `E (sum z^2)` agree (two-sample z, independent samples).
fn dh_vs_cholesky(ctx: &Context) -> Outcome {
    let seed = ctx.seed_for("fgn/dh-vs-cholesky");
    let n = 64;
    let reps = ctx.reps(10_000, 2_000);
    let w: Vec<f64> = (0..n).map(|i| (0.3 * i as f64).cos() + 0.5).collect();
    let chi = ChiSquared::new(n as f64).expect("n > 0");
    let mut checks = Vec::new();
    for (hi, &h) in [0.3, 0.8].iter().enumerate() {
        let acov: Vec<f64> = (0..n).map(|k| fgn_autocovariance(h, k)).collect();
        let var_l = linear_functional_variance(&acov, &w).expect("lengths match");
        let chol = CholeskyGenerator::new(&acov).expect("fGn covariance is positive definite");
        let hosk = HoskingGenerator::new(&acov).expect("fGn covariance is positive definite");
        let s = seed.child(hi as u64);
        let dh_paths = FgnGenerator::new(n, h, 1.0).expect("valid").sample_paths(reps, s.child(0)).expect("sizes");
        let mut x = vec![0.0; n];
        let mut z = vec![0.0; n];
        let mut per_method: Vec<(&str, Vec<f64>, Moments)> = Vec::new();
        for method in ["Davies-Harte", "Cholesky", "Hosking"] {
            let mut sums = Vec::with_capacity(reps);
            let mut l2 = Moments::new();
            for i in 0..reps {
                match method {
                    "Davies-Harte" => x.iter_mut().zip(dh_paths.row(i)).for_each(|(a, b)| *a = *b),
                    "Cholesky" => chol.fill(&mut s.child(1).stream(i as u64), &mut x).expect("sizes"),
                    _ => hosk.fill(&mut s.child(2).stream(i as u64), &mut x).expect("sizes"),
                }
                sums.push(whitened_sum_squares(&chol, &x, &mut z).expect("sizes"));
                let l: f64 = w.iter().zip(&x).map(|(a, b)| a * b).sum();
                l2.push(l * l);
            }
            let ks = ks_test(&sums, |v| chi.cdf(v)).expect("finite");
            checks.push(Check::ks(format!("H {h} {method}: sum z^2 ~ chi^2_{n}"), &ks));
            checks.push(Check::z(format!("H {h} {method}: E L^2 = w'Gw"), var_l, l2.mean(), l2.mean_se()));
            per_method.push((method, sums, l2));
        }
        let (dh, ch) = (&per_method[0], &per_method[1]);
        let se = (dh.2.mean_se().powi(2) + ch.2.mean_se().powi(2)).sqrt();
        checks.push(Check::z(format!("H {h} E L^2: DH - Cholesky"), 0.0, dh.2.mean() - ch.2.mean(), se));
        let (a, b) = (Moments::from_slice(&dh.1), Moments::from_slice(&ch.1));
        let se = (a.mean_se().powi(2) + b.mean_se().powi(2)).sqrt();
        checks.push(Check::z(format!("H {h} E sum z^2: DH - Cholesky"), 0.0, a.mean() - b.mean(), se));
    }
    checks.into()
}

/// fBM on [0, 3.7] with 64 steps: `E B(T)^2 = T^2H` and `E B(T/4) B(T)` against the fBM
/// covariance, over independent paths.
fn fbm_variance(ctx: &Context) -> Outcome {
    let seed = ctx.seed_for("fbm/variance");
    let (t_end, n) = (3.7, 64usize);
    let paths = ctx.reps(40_000, 10_000);
    let mut checks = Vec::new();
    for (hi, &h) in [0.1, 0.3, 0.5, 0.7, 0.9].iter().enumerate() {
        let g = FbmGenerator::new(n, h, t_end).expect("valid");
        let p = g.sample_paths(paths, seed.child(hi as u64)).expect("sizes");
        let s = g.times()[n / 4];
        let (mut var_t, mut cov) = (Moments::new(), Moments::new());
        for r in p.rows() {
            var_t.push(r[n] * r[n]);
            cov.push(r[n / 4] * r[n]);
        }
        let a = 2.0 * h;
        checks.push(Check::z(format!("H {h}: Var B(T) = T^2H"), t_end.powf(a), var_t.mean(), var_t.mean_se()));
        let target = 0.5 * (s.powf(a) + t_end.powf(a) - (t_end - s).powf(a));
        checks.push(Check::z(format!("H {h}: Cov(B(T/4), B(T))"), target, cov.mean(), cov.mean_se()));
    }
    checks.into()
}

/// Brownian motion on [0, 2.5] with 50 steps: increments have variance dt and zero lag-1
/// covariance, `Var W(T) = T`, and the standardised increments pass KS against Phi.
fn bm_increments(ctx: &Context) -> Outcome {
    let seed = ctx.seed_for("bm/increments");
    let (t_end, n) = (2.5, 50usize);
    let paths = ctx.reps(40_000, 10_000);
    let g = BrownianGenerator::new(n, t_end).expect("valid");
    let dt = g.dt();
    let p = g.sample_paths(paths, seed).expect("sizes");
    let (mut inc2, mut lag1, mut wt2) = (Moments::new(), Moments::new(), Moments::new());
    let mut ks_sample = Vec::with_capacity(paths);
    for r in p.rows() {
        let d: Vec<f64> = (0..n).map(|i| r[i + 1] - r[i]).collect();
        // Per-path averages are independent across paths.
        inc2.push(d.iter().map(|v| v * v).sum::<f64>() / n as f64);
        lag1.push(d.windows(2).map(|w| w[0] * w[1]).sum::<f64>() / (n - 1) as f64);
        wt2.push(r[n] * r[n]);
        ks_sample.push(d[n / 2] / dt.sqrt());
    }
    vec![
        Check::z("E dW^2 = dt", dt, inc2.mean(), inc2.mean_se()),
        Check::z("E dW_i dW_{i+1} = 0", 0.0, lag1.mean(), lag1.mean_se()),
        Check::z("Var W(T) = T", t_end, wt2.mean(), wt2.mean_se()),
        Check::ks("dW / sqrt(dt) ~ N(0,1)", &ks_test(&ks_sample, normal_cdf).expect("finite")),
    ]
    .into()
}

fn draw(d: &Stable, n: usize, seed: Seed) -> Vec<f64> {
    let mut x = vec![0.0; n];
    d.fill(&mut seed.stream(0), &mut x);
    x
}

/// KS of CMS samples against the closed-form CDFs (Gaussian, Cauchy, Lévy and its mirror), in
/// S0 and S1, with scale != 1 and location != 0.
fn stable_ks(ctx: &Context) -> Outcome {
    let seed = ctx.seed_for("stable/ks-closed-forms");
    let n = ctx.reps(200_000, 50_000);
    let laws = [
        (2.0, 0.0, 1.7, -0.3, S1, "Gaussian"),
        (2.0, 1.0, 0.6, 2.0, S0, "Gaussian"),
        (1.0, 0.0, 2.5, 1.0, S1, "Cauchy"),
        (1.0, 0.0, 0.3, -4.0, S0, "Cauchy"),
        (0.5, 1.0, 2.0, 1.0, S1, "Levy"),
        (0.5, -1.0, 0.7, -3.0, S1, "Levy mirror"),
        (0.5, 1.0, 1.5, 0.5, S0, "Levy"),
        (0.5, -1.0, 4.0, 2.0, S0, "Levy mirror"),
    ];
    let mut checks = Vec::new();
    for (i, &(a, b, g, l, p, what)) in laws.iter().enumerate() {
        let d = Stable::new(a, b, g, l, p).expect("valid");
        let x = draw(&d, n, seed.child(i as u64));
        let r = ks_test(&x, |v| d.cdf(v)).expect("finite");
        checks.push(Check::ks(format!("{what} {p:?} alpha {a} beta {b} scale {g} loc {l}"), &r));
    }
    checks.into()
}

/// Empirical characteristic function against the exact one, both parametrisations, alpha near
/// 0.5, 1 (both sides, and exactly 1) and 2, several beta including +-1.
fn stable_ecf(ctx: &Context) -> Outcome {
    let seed = ctx.seed_for("stable/ecf");
    let n = ctx.reps(100_000, 20_000);
    let mut checks = Vec::new();
    let mut cell = 0u64;
    for &a in &[0.5, 0.55, 0.95, 0.999, 1.0, 1.001, 1.5, 1.99, 2.0] {
        for &b in &[-1.0, 0.0, 0.7, 1.0] {
            for p in [S0, S1] {
                cell += 1;
                let (scale, loc) = if cell.is_multiple_of(2) { (3.0, -1.5) } else { (0.4, 2.0) };
                let d = Stable::new(a, b, scale, loc, p).expect("valid");
                let x = draw(&d, n, seed.child(cell));
                for c in stable_ecf_grid(&d, &x) {
                    let what = format!("{p:?} a {a} b {b} u*g {:.1}", c.u * scale);
                    checks.push(Check::z(format!("{what} re"), c.exact.re, c.estimate.re, c.se_re));
                    checks.push(Check::z(format!("{what} im"), c.exact.im, c.estimate.im, c.se_im));
                }
            }
        }
    }
    checks.into()
}

/// Same bits with 1 and 2 threads, in uneven shards and one path per call, for each ensemble
/// generator (odd path counts, so a Davies–Harte pair is split at a shard boundary).
fn reproducibility(ctx: &Context) -> Outcome {
    let seed = ctx.seed_for("fgn/reproducibility");
    let paths = 11;
    let fgn = FgnGenerator::new(333, 0.35, 1.3).expect("valid");
    let fbm = FbmGenerator::new(200, 0.8, 2.0).expect("valid");
    let bm = BrownianGenerator::new(257, 1.5).expect("valid");
    let st = Stable::new(1.3, -0.4, 2.0, 0.5, S0).expect("valid");
    let count = |r: fracnoise::Result<usize>| r.map(|m| m as f64).unwrap_or(f64::NAN);
    vec![
        Check::tol(
            "fgn: differing entries",
            0.0,
            count(reproducibility_mismatches(paths, 333, |f, o| fgn.fill_paths(seed, f, o))),
            0.0,
        ),
        Check::tol(
            "fbm: differing entries",
            0.0,
            count(reproducibility_mismatches(paths, 201, |f, o| fbm.fill_paths(seed, f, o))),
            0.0,
        ),
        Check::tol(
            "bm: differing entries",
            0.0,
            count(reproducibility_mismatches(paths, 258, |f, o| bm.fill_paths(seed, f, o))),
            0.0,
        ),
        Check::tol(
            "stable: differing entries",
            0.0,
            count(reproducibility_mismatches(paths, 100, |f, o| {
                st.fill_paths(seed, f, o);
                Ok(())
            })),
            0.0,
        ),
    ]
    .into()
}

fn csv_rows(text: &str) -> Vec<Vec<f64>> {
    text.lines().skip(1).map(|l| l.split(',').map(|v| v.parse().expect("number")).collect()).collect()
}

/// The numerical stable pdf/cdf against Nolan's STABLE program (`validation/data/levy_stable/`,
/// tolerance `1e-9`: relative for densities above 1, absolute otherwise; the CDF rows at
/// `alpha = 1, |beta| <= 0.3`, pct 1 %/99 %, where Nolan's values are known to be off by up to
/// 3e-4, are skipped, as are `alpha < 0.2` rows of the loc/scale set), and KS of CMS samples
/// against the numerical CDF for laws without a closed form (both parametrisations, `alpha = 1`
/// with `beta != 0`, and `alpha` within the near-one interpolation window).
fn stable_law_numerics(ctx: &Context) -> Outcome {
    let mut checks = Vec::new();
    let (mut e_pdf, mut e_cdf, mut e_ls): (f64, f64, f64) = (0.0, 0.0, 0.0);
    for r in csv_rows(include_str!("../data/levy_stable/nolan-S1-pdf.csv")) {
        let d = Stable::new(r[2], r[3], 1.0, 0.0, S1).expect("valid");
        e_pdf = e_pdf.max((d.pdf(r[0]) - r[1]).abs() / r[1].abs().max(1.0));
    }
    for r in csv_rows(include_str!("../data/levy_stable/nolan-S1-cdf.csv")) {
        if r[2] == 1.0 && r[3].abs() <= 0.3 && (r[4] == 0.01 || r[4] == 0.99) {
            continue;
        }
        let d = Stable::new(r[2], r[3], 1.0, 0.0, S1).expect("valid");
        e_cdf = e_cdf.max((d.cdf(r[0]) - r[1]).abs());
    }
    for r in csv_rows(include_str!("../data/levy_stable/nolan-loc-scale.csv")) {
        if r[2] < 0.2 {
            continue;
        }
        let p = if r[0] == 0.0 { S0 } else { S1 };
        let d = Stable::new(r[2], r[3], r[4], r[5], p).expect("valid");
        e_ls = e_ls.max((d.pdf(r[1]) - r[7]).abs()).max((d.cdf(r[1]) - r[8]).abs());
    }
    checks.push(Check::tol("Nolan S1 pdf, 1148 points, alpha 0.1..2: max error", 0.0, e_pdf, 1e-9));
    checks.push(Check::tol("Nolan S1 cdf, 1148 points: max abs error", 0.0, e_cdf, 1e-9));
    checks.push(Check::tol("Nolan loc/scale (2, 3) S0 and S1 pdf and cdf: max abs error", 0.0, e_ls, 1e-9));
    let seed = ctx.seed_for("stable-law/numerics");
    let n = ctx.reps(100_000, 20_000);
    let laws =
        [(1.5, 0.5, 1.3, 0.2, S0), (0.8, -0.5, 0.7, -1.0, S1), (1.0, 0.7, 2.0, 0.5, S1), (0.99995, 0.6, 1.0, 0.0, S0)];
    for (i, &(a, b, g, l, p)) in laws.iter().enumerate() {
        let d = Stable::new(a, b, g, l, p).expect("valid");
        let x = draw(&d, n, seed.child(i as u64));
        let r = ks_test(&x, |v| d.cdf(v)).expect("finite");
        checks.push(Check::ks(format!("CMS vs numerical CDF {p:?} alpha {a} beta {b} scale {g} loc {l}"), &r));
    }
    checks.into()
}
