//! First-passage cases: exit times of simulated ensembles against closed forms, with and
//! without the discrete-monitoring corrections, censoring, refinement in `dt`, shard merging.
//! Each case states its parameters; none runs at unit parameters that hide a factor.

use crate::{Case, Check, Context, Outcome, Table};
use fracnoise::passage::closed_form::{BmInterval, DriftedBmLevel};
use fracnoise::passage::{
    power_law_tail, summarize, Boundary, Correction, KaplanMeier, PassageEnsemble, PassageRecords, PowerLawOptions,
    Side,
};
use fracnoise::sde::models::BrownianDrift;
use fracnoise::sde::{Driver, Grid, ScalarIntegrator, ScalarModel, Scheme};
use fracnoise::stats::{ks_test, Moments};
use fracnoise::Seed;

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "passage/bm-drift-level",
            reference: "BM with drift to a level: inverse Gaussian IG(d/mu, d^2/sigma^2) (Karatzas & Shreve 1991, 3.5C); bridge vs grid vs BGK at dt = 0.05 E T",
            quick: true,
            run: bm_drift_level,
        },
        Case {
            name: "passage/bm-interval",
            reference: "BM with drift leaving (a, b): survival series, P(exit at b) = (1-e^(-ky))/(1-e^(-kL)), mean (L P_b - y)/mu (Borodin & Salminen 2002)",
            quick: true,
            run: bm_interval,
        },
        Case {
            name: "passage/censoring",
            reference: "half the paths censored at the IG median: restricted mean int_0^tau S(t) dt (Klein & Moeschberger 2003, 4.5) vs the naive mean of exits",
            quick: true,
            run: censoring,
        },
        Case {
            name: "passage/fbm-persistence",
            reference: "fBM persistence: P(max_[0,t] B^H < a) = t^-(1-H+o(1)) (Molchan 1999, CMP 205); censored Pareto MLE of the exponent, tolerance 0.05",
            quick: true,
            run: fbm_persistence,
        },
        Case {
            name: "passage/shard-merge",
            reference: "exit records of shards merged in any order == one run, bit for bit, for 1 and 2 threads (bm with bridge, stable, fbm)",
            quick: true,
            run: shard_merge,
        },
    ]
}

/// Runs `paths` paths of `model` with `driver` from `x0` until they leave `boundary`.
pub(crate) fn exits<M: ScalarModel>(
    model: &M,
    driver: &Driver,
    x0: f64,
    boundary: Boundary,
    correction: Correction,
    paths: usize,
    seed: Seed,
) -> PassageRecords {
    let integ = ScalarIntegrator::new(model, driver.grid(), Scheme::EulerMaruyama).expect("valid model");
    PassageEnsemble::new(&integ, driver, vec![x0], seed, boundary, correction)
        .expect("valid passage ensemble")
        .run(0..paths as u64)
        .expect("finite paths")
}

fn times(r: &PassageRecords) -> Vec<f64> {
    r.exits().iter().map(|e| e.time).collect()
}

fn f(x: f64) -> String {
    format!("{x:.5}")
}

/// BM with drift mu = 0.8, sigma = 1.3 to the level d = 1 (mean 1.25) at dt = 0.0625, 5% of the
/// mean. The bridge makes the law exact at any dt (bridges of a drifted BM are driftless), so KS
/// and the mean pass; grid monitoring is biased by O(sqrt dt) and its KS rejects; BGK is reported.
fn bm_drift_level(ctx: &Context) -> Outcome {
    let (mu, sigma, d) = (0.8, 1.3, 1.0);
    let ig = DriftedBmLevel::new(d, mu, sigma).expect("valid");
    let grid = Grid::new(1600, 0.0625).expect("valid");
    let model = BrownianDrift::new(mu, sigma).expect("valid");
    let driver = Driver::brownian(grid, 1).expect("valid");
    let n = ctx.reps(40_000, 10_000);
    let seed = ctx.seed_for("passage/bm-drift-level");
    let mut checks = Vec::new();
    let mut table = Table {
        title: format!("BM drift {mu}, sigma {sigma}, level {d}, dt {} ({n} paths)", grid.dt()),
        header: vec!["correction".into(), "KS p".into(), "mean".into(), "z vs d/mu".into()],
        rows: Vec::new(),
    };
    for corr in [Correction::Bridge, Correction::None, Correction::Bgk] {
        let r = exits(&model, &driver, 0.0, Boundary::upper(d).expect("valid"), corr, n, seed);
        let t = times(&r);
        let ks = ks_test(&t, |x| ig.cdf(x).unwrap_or(f64::NAN)).expect("finite");
        let m = Moments::from_slice(&t);
        table.rows.push(vec![
            format!("{corr:?}"),
            format!("{:.2e}", ks.p_value),
            f(m.mean()),
            format!("{:.2}", m.z(ig.mean())),
        ]);
        match corr {
            Correction::Bridge => {
                checks.push(Check::ks("bridge: exit times ~ inverse Gaussian", &ks));
                checks.push(Check::z("bridge: mean exit time = d/mu", ig.mean(), m.mean(), m.mean_se()));
                checks.push(Check::tol("bridge: no path censored", 0.0, r.censored() as f64, 0.0));
            }
            Correction::None => {
                // Exit times on the grid: the KS distance is at least the IG mass between grid
                // points, p ~ 0 (must reject: -log10 p >= 6).
                checks.push(Check::tol(
                    "grid only: KS rejects (score = -log10 p / 6 >= 1)",
                    1.0,
                    (-ks.p_value.max(1e-300).log10() / 6.0).min(1.0),
                    0.0,
                ));
            }
            _ => {}
        }
    }
    Outcome { checks, tables: vec![table] }
}

/// BM with drift 0.3, sigma 0.9 in (-1, 1.5) from 0 at dt = 0.09 (5% of the mean exit time).
fn bm_interval(ctx: &Context) -> Outcome {
    let (a, b, mu, sigma) = (-1.0, 1.5, 0.3, 0.9);
    let cf = BmInterval::new(a, b, 0.0, mu, sigma).expect("valid");
    let grid = Grid::new(450, 0.09).expect("valid");
    let model = BrownianDrift::new(mu, sigma).expect("valid");
    let driver = Driver::brownian(grid, 1).expect("valid");
    let n = ctx.reps(40_000, 10_000);
    let seed = ctx.seed_for("passage/bm-interval");
    let mut checks = Vec::new();
    let mut table = Table {
        title: format!("BM drift {mu}, sigma {sigma} in ({a}, {b}) from 0, dt {} ({n} paths)", grid.dt()),
        header: vec![
            "correction".into(),
            "KS p".into(),
            "mean".into(),
            "z mean".into(),
            "P(upper)".into(),
            "z P(upper)".into(),
        ],
        rows: Vec::new(),
    };
    for corr in [Correction::Bridge, Correction::None] {
        let r = exits(&model, &driver, 0.0, Boundary::interval(a, b).expect("valid"), corr, n, seed);
        let t = times(&r);
        let ks = ks_test(&t, |x| cf.cdf(x).unwrap_or(f64::NAN)).expect("finite");
        let m = Moments::from_slice(&t);
        let up: Vec<f64> = r.exits().iter().map(|e| f64::from(u8::from(e.side == Some(Side::Upper)))).collect();
        let pu = Moments::from_slice(&up);
        let p_exact = cf.upper_exit_probability();
        table.rows.push(vec![
            format!("{corr:?}"),
            format!("{:.2e}", ks.p_value),
            f(m.mean()),
            format!("{:.2}", m.z(cf.mean_exit_time())),
            f(pu.mean()),
            format!("{:.2}", pu.z(p_exact)),
        ]);
        if corr == Correction::Bridge {
            checks.push(Check::ks("bridge: exit times ~ interval survival series", &ks));
            checks.push(Check::z("bridge: mean exit time", cf.mean_exit_time(), m.mean(), m.mean_se()));
            checks.push(Check::z("bridge: P(exit at upper)", p_exact, pu.mean(), pu.mean_se()));
        } else {
            checks.push(Check::tol(
                "grid only: KS rejects (score = -log10 p / 6 >= 1)",
                1.0,
                (-ks.p_value.max(1e-300).log10() / 6.0).min(1.0),
                0.0,
            ));
        }
    }
    Outcome { checks, tables: vec![table] }
}

/// Integral of `g` over `[0, tau]` by composite Simpson with `m` (even) panels.
fn simpson(g: impl Fn(f64) -> f64, tau: f64, m: usize) -> f64 {
    let h = tau / m as f64;
    let mut s = g(0.0) + g(tau);
    for i in 1..m {
        s += g(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    s * h / 3.0
}

/// The censoring case: the IG passage of `bm-drift-level` observed up to its median, so half the
/// paths are censored. The naive mean of the observed exits is biased by far more than 10 SE;
/// the Kaplan–Meier restricted mean matches `int_0^tau S(t) dt` of the inverse Gaussian.
fn censoring(ctx: &Context) -> Outcome {
    let (mu, sigma, d) = (0.8, 1.3, 1.0);
    let ig = DriftedBmLevel::new(d, mu, sigma).expect("valid");
    // Horizon near the median (0.61): 200 steps of 0.003.
    let grid = Grid::new(200, 0.003).expect("valid");
    let tau = grid.t_end();
    let model = BrownianDrift::new(mu, sigma).expect("valid");
    let driver = Driver::brownian(grid, 1).expect("valid");
    let n = ctx.reps(40_000, 10_000);
    let r = exits(
        &model,
        &driver,
        0.0,
        Boundary::upper(d).expect("valid"),
        Correction::Bridge,
        n,
        ctx.seed_for("passage/censoring"),
    );
    let st = summarize(r.exits(), 0.95).expect("records");
    let km = KaplanMeier::new(r.exits()).expect("records");
    let rmean_exact = simpson(|t| ig.sf(t).unwrap_or(f64::NAN), tau, 20_000);
    let observed: Vec<f64> = r.exits().iter().filter(|e| !e.is_censored()).map(|e| e.time).collect();
    let naive = Moments::from_slice(&observed);
    let frac_exact = ig.sf(tau).expect("t >= 0");
    let mut checks = vec![
        Check::z(
            "censored fraction = S(tau)",
            frac_exact,
            st.censored_fraction,
            (frac_exact * (1.0 - frac_exact) / n as f64).sqrt(),
        ),
        Check::z(
            "KM restricted mean to tau = int_0^tau S",
            rmean_exact,
            st.restricted_mean.value,
            st.restricted_mean.se,
        ),
        Check::z(
            "KM S(tau/2)",
            ig.sf(tau / 2.0).expect("t >= 0"),
            km.survival(tau / 2.0).expect("in range"),
            km.std_err(tau / 2.0).expect("in range"),
        ),
    ];
    let naive_z = naive.z(ig.mean());
    checks.push(Check::tol(
        "naive mean of exits is biased by > 10 z (score = 10 / |z|)",
        0.0,
        (10.0 / naive_z.abs()).min(2.0),
        1.0,
    ));
    let table = Table {
        title: format!("censoring at tau = {tau} ({n} paths, {:.1}% censored)", 100.0 * st.censored_fraction),
        header: vec!["estimator".into(), "estimate".into(), "target".into(), "z".into()],
        rows: vec![
            vec!["naive mean of exits".into(), f(naive.mean()), f(ig.mean()), format!("{naive_z:.1}")],
            vec![
                "KM restricted mean".into(),
                f(st.restricted_mean.value),
                f(rmean_exact),
                format!("{:.2}", st.restricted_mean.z(rmean_exact)),
            ],
        ],
    };
    Outcome { checks, tables: vec![table] }
}

/// Stated allowance for the `o(1)` of Molchan's exponent over the fit range used (VALIDATION
/// protocol: the slope only, tolerance about 0.05).
const PERSISTENCE_ALLOWANCE: f64 = 0.05;

/// fBM walks (unit steps, 4096 of them) from 0 against the level 0.01 (a hundredth of one step's
/// SD, so the walk is in its scaling regime from the first steps): the survival tail exponent by
/// the censored Pareto MLE over `t` in `[64, 4096]`, against `1 - H`.
fn fbm_persistence(ctx: &Context) -> Outcome {
    let grid = Grid::new(4096, 1.0).expect("valid");
    let model = BrownianDrift::new(0.0, 1.0).expect("valid");
    let n = ctx.reps(100_000, 20_000);
    let mut checks = Vec::new();
    let mut table = Table {
        title: format!("fBM persistence, level 0.01, {n} walks of 4096 unit steps, fit range [64, 4096]"),
        header: vec!["H".into(), "theta".into(), "se".into(), "1 - H".into(), "exits in range".into()],
        rows: Vec::new(),
    };
    for h in [0.3, 0.5, 0.7] {
        let driver = Driver::fractional(grid, 1, h).expect("valid");
        let seed = ctx.seed_for(&format!("passage/fbm-persistence/{h}"));
        let r = exits(&model, &driver, 0.0, Boundary::upper(0.01).expect("valid"), Correction::None, n, seed);
        let mut o = PowerLawOptions::new(64.0);
        o.level = 0.95;
        let t = power_law_tail(r.exits(), &o).expect("exits in the fit range");
        let target = 1.0 - h;
        table.rows.push(vec![
            format!("{h}"),
            f(t.theta.value),
            format!("{:.4}", t.theta.se),
            f(target),
            t.events.to_string(),
        ]);
        checks.push(Check::tol(
            format!("H = {h}: |theta - (1 - H)| <= 0.05 + 5 se"),
            target,
            t.theta.value,
            PERSISTENCE_ALLOWANCE + 5.0 * t.theta.se,
        ));
    }
    Outcome { checks, tables: vec![table] }
}

fn shard_merge(ctx: &Context) -> Outcome {
    let seed = ctx.seed_for("passage/shard-merge");
    let grid = Grid::new(200, 0.01).expect("valid");
    let model = fracnoise::sde::models::Ou::new(1.3, 0.1, 0.9).expect("valid");
    let integ = ScalarIntegrator::new(&model, grid, Scheme::EulerMaruyama).expect("valid");
    let mut checks = Vec::new();
    for (name, driver, corr) in [
        ("bm+bridge", Driver::brownian(grid, 1).expect("valid"), Correction::Bridge),
        (
            "stable",
            Driver::stable(grid, 1, fracnoise::noise::Stable::standard(1.3, 0.4).expect("valid")).expect("valid"),
            Correction::None,
        ),
        ("fbm", Driver::fractional(grid, 1, 0.35).expect("valid"), Correction::None),
    ] {
        let e =
            PassageEnsemble::new(&integ, &driver, vec![0.0], seed, Boundary::interval(-0.5, 0.6).expect("valid"), corr)
                .expect("valid");
        let m = 1001u64;
        let pool = |k: usize| rayon::ThreadPoolBuilder::new().num_threads(k).build().expect("pool");
        let one = pool(1).install(|| e.run(0..m)).expect("finite");
        let two = pool(2).install(|| e.run(0..m)).expect("finite");
        let mut merged = e.run(2 * m / 3..m).expect("finite");
        merged.merge(&e.run(0..m / 3).expect("finite")).expect("disjoint");
        merged.merge(&e.run(m / 3..2 * m / 3).expect("finite")).expect("disjoint");
        let same = merged == one && one == two;
        checks.push(Check::tol(
            format!("{name}: shards merged == 1 thread == 2 threads (1 = identical)"),
            1.0,
            f64::from(u8::from(same)),
            0.0,
        ));
    }
    checks.into()
}
