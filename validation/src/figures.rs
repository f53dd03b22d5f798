//! Figures of the report: a small plot description ([`Figure`]: series of points, lines and error
//! bars on linear or log axes) and the figure producers, each drawing one component against its
//! closed forms from its own (small) simulation. Producers run only for `validate --report`
//! ([`crate::Report::attach_figures`]); the checks never depend on them.
//!
//! A producer is registered for the case it illustrates; when that case is not in the run (e.g. a
//! full-only case in a `--quick` report) its figures go to the first case of the same component.

use crate::{Context, Table};
use fracnoise::hurst::{
    aggregated_variance, aggvar_expected, anis_lloyd, dfa, dfa_expected_fluctuation, rescaled_range, AggVarOptions,
    DfaOptions, HurstEstimate, RsOptions,
};
use fracnoise::noise::diagnostics::ensemble_autocovariance;
use fracnoise::noise::{fgn_autocovariance, FgnGenerator, Parametrization, Stable};
use fracnoise::passage::closed_form::{BmInterval, DriftedBmLevel};
use fracnoise::passage::{Boundary, Correction, KaplanMeier, PassageEnsemble};
use fracnoise::sde::models::{BrownianDrift, Gbm, Ou};
use fracnoise::sde::{measure_order, Driver, Ensemble, ErrorKind, Grid, Observe, ScalarIntegrator, Scheme};
use fracnoise::stats::Moments;
use fracnoise::Seed;
use rayon::prelude::*;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesKind {
    /// A polyline (closed forms, fits).
    Line,
    /// A step function, constant from each `x_i` to `x_{i+1}` (Kaplan–Meier curves).
    Step,
    /// Markers.
    Points,
    /// Markers with vertical bars `y +- err` (estimates with their uncertainty).
    ErrorBars,
}

/// One data series of a figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// How it is drawn.
    pub kind: SeriesKind,
    /// Abscissae.
    pub x: Vec<f64>,
    /// Ordinates.
    pub y: Vec<f64>,
    /// Half-widths of the error bars ([`SeriesKind::ErrorBars`]; empty otherwise).
    pub err: Vec<f64>,
}

/// A plot: title, axes (linear or log) and series. Points that cannot be drawn (non-finite, or
/// not positive on a log axis) are skipped by the renderer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Figure {
    /// Title.
    pub title: String,
    /// One sentence below the plot: what is compared with which closed form.
    pub caption: String,
    /// x axis label.
    pub x_label: String,
    /// y axis label.
    pub y_label: String,
    /// Logarithmic x axis.
    pub log_x: bool,
    /// Logarithmic y axis.
    pub log_y: bool,
    /// The series, drawn in order.
    pub series: Vec<Series>,
}

impl Figure {
    /// An empty figure with linear axes.
    pub fn new(title: impl Into<String>, x_label: impl Into<String>, y_label: impl Into<String>) -> Self {
        Figure { title: title.into(), x_label: x_label.into(), y_label: y_label.into(), ..Default::default() }
    }

    /// Sets the caption.
    pub fn caption(mut self, c: impl Into<String>) -> Self {
        self.caption = c.into();
        self
    }

    /// Log axes.
    pub fn log(mut self, x: bool, y: bool) -> Self {
        self.log_x = x;
        self.log_y = y;
        self
    }

    fn push(mut self, name: impl Into<String>, kind: SeriesKind, x: Vec<f64>, y: Vec<f64>, err: Vec<f64>) -> Self {
        assert_eq!(x.len(), y.len(), "series lengths");
        self.series.push(Series { name: name.into(), kind, x, y, err });
        self
    }

    /// Adds a line (e.g. the closed form).
    pub fn line(self, name: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        self.push(name, SeriesKind::Line, x, y, Vec::new())
    }

    /// Adds a step function.
    pub fn step(self, name: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        self.push(name, SeriesKind::Step, x, y, Vec::new())
    }

    /// Adds markers.
    pub fn points(self, name: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        self.push(name, SeriesKind::Points, x, y, Vec::new())
    }

    /// Adds markers with error bars `y +- err`.
    pub fn error_bars(self, name: impl Into<String>, x: Vec<f64>, y: Vec<f64>, err: Vec<f64>) -> Self {
        assert_eq!(x.len(), err.len(), "series lengths");
        self.push(name, SeriesKind::ErrorBars, x, y, err)
    }
}

/// What a producer adds to its case.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// Figures.
    pub figures: Vec<Figure>,
    /// Tables.
    pub tables: Vec<Table>,
}

impl From<Vec<Figure>> for Extras {
    fn from(figures: Vec<Figure>) -> Self {
        Extras { figures, tables: Vec::new() }
    }
}

/// A registered figure producer.
#[derive(Clone)]
pub struct Producer {
    /// The case it illustrates.
    pub case: &'static str,
    /// Short title (progress display).
    pub title: &'static str,
    /// Draws it.
    pub make: fn(&Context) -> Extras,
}

/// Every figure producer, in report order.
pub fn registry() -> Vec<Producer> {
    vec![
        Producer { case: "fgn/acov", title: "fGn sample paths", make: fgn_paths },
        Producer { case: "fgn/acov", title: "fGn autocovariance", make: fgn_acov },
        Producer { case: "stable/ks-closed-forms", title: "stable densities (closed forms)", make: stable_closed },
        Producer { case: "stable/ecf", title: "stable densities (CF inversion)", make: stable_inversion },
        Producer { case: "sde/ou-moments", title: "OU moments over time", make: ou_moments },
        Producer { case: "sde/orders-brownian", title: "convergence orders", make: orders },
        Producer { case: "hurst/dfa-exact-target", title: "DFA scaling", make: dfa_scaling },
        Producer { case: "hurst/rs-anis-lloyd", title: "R/S scaling", make: rs_scaling },
        Producer { case: "hurst/bias-rmse-table", title: "aggvar scaling", make: aggvar_scaling },
        Producer { case: "hurst/bias-rmse-table", title: "estimator bias/RMSE/coverage", make: estimator_table },
        Producer { case: "passage/bm-drift-level", title: "survival vs inverse Gaussian", make: survival_ig },
        Producer { case: "passage/bm-interval", title: "survival in an interval", make: survival_interval },
    ]
}

fn seed(ctx: &Context, title: &str) -> Seed {
    ctx.seed_for(&format!("figures/{title}"))
}

fn grid(a: f64, b: f64, n: usize) -> Vec<f64> {
    (0..n).map(|i| a + (b - a) * i as f64 / (n - 1) as f64).collect()
}

fn fgn_paths(ctx: &Context) -> Extras {
    let s = seed(ctx, "fgn-paths");
    let n = 400;
    let mut f = Figure::new("fGn sample paths (Davies-Harte), n = 400, unit variance", "index i", "x_i + offset")
        .caption(
        "One path per H, offset by 6 per panel row: anti-persistent (H < 1/2), white (H = 1/2), persistent (H > 1/2).",
    );
    for (i, &h) in [0.2, 0.5, 0.8].iter().enumerate() {
        let g = FgnGenerator::new(n, h, 1.0).expect("valid");
        let p = g.sample_paths(1, s.child(i as u64)).expect("sizes");
        let off = 6.0 * (1.0 - i as f64);
        let x: Vec<f64> = (0..n).map(|k| k as f64).collect();
        let y: Vec<f64> = p.row(0).iter().map(|v| v + off).collect();
        f = f.line(format!("H = {h} (offset {off:+})"), x, y);
    }
    vec![f].into()
}

fn fgn_acov(ctx: &Context) -> Extras {
    let s = seed(ctx, "fgn-acov");
    let (n, lags, paths) = (1024, 10, ctx.reps(2048, 512));
    let mut f = Figure::new(
        format!("fGn autocovariance, n = {n}, {paths} paths: estimate +- 2 SE vs closed form"),
        "lag k",
        "gamma(k)",
    )
    .caption("gamma(k) = (|k+1|^2H - 2|k|^2H + |k-1|^2H)/2 (Mandelbrot & Van Ness 1968); markers: mean of per-path known-mean estimates.");
    for (i, &h) in [0.25, 0.5, 0.75, 0.95].iter().enumerate() {
        let g = FgnGenerator::new(n, h, 1.0).expect("valid");
        let sd = s.child(i as u64);
        let m = ensemble_autocovariance(paths, n, lags, |first, out| g.fill_paths(sd, first, out)).expect("sizes");
        let k: Vec<f64> = (0..=lags).map(|k| k as f64).collect();
        let exact: Vec<f64> = (0..=lags).map(|k| fgn_autocovariance(h, k)).collect();
        f = f.line(format!("H = {h}: closed form"), k.clone(), exact).error_bars(
            format!("H = {h}: estimate +- 2 SE"),
            k,
            m.iter().map(Moments::mean).collect(),
            m.iter().map(|v| 2.0 * v.mean_se()).collect(),
        );
    }
    vec![f].into()
}

/// Histogram density on `[lo, hi]` (`bins` bins, normalised by the whole sample) with binomial
/// standard errors: (centres, density, 2 SE).
fn histogram(x: &[f64], lo: f64, hi: f64, bins: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let w = (hi - lo) / bins as f64;
    let mut c = vec![0usize; bins];
    for &v in x {
        if v >= lo && v < hi {
            c[((v - lo) / w) as usize % bins] += 1;
        }
    }
    let n = x.len() as f64;
    let centres = (0..bins).map(|i| lo + (i as f64 + 0.5) * w).collect();
    let dens = c.iter().map(|&k| k as f64 / (n * w)).collect();
    let err = c
        .iter()
        .map(|&k| {
            let p = k as f64 / n;
            2.0 * (p * (1.0 - p) / n).sqrt() / w
        })
        .collect();
    (centres, dens, err)
}

fn stable_figure(d: &Stable, name: &str, lo: f64, hi: f64, s: Seed, n: usize, exact: &dyn Fn(f64) -> f64) -> Figure {
    let mut x = vec![0.0; n];
    d.fill(&mut s.stream(0), &mut x);
    let (c, dens, err) = histogram(&x, lo, hi, 60);
    let xs = grid(lo, hi, 400);
    let ys = xs.iter().map(|&v| exact(v)).collect();
    Figure::new(
        format!(
            "{name}: alpha {}, beta {}, scale {}, loc {} ({:?}), {n} CMS draws",
            d.alpha(),
            d.beta(),
            d.scale(),
            d.location(),
            d.parametrization()
        ),
        "x",
        "density",
    )
    .line("exact density", xs, ys)
    .error_bars("histogram +- 2 SE", c, dens, err)
}

fn stable_closed(ctx: &Context) -> Extras {
    let s = seed(ctx, "stable-closed");
    let n = ctx.reps(200_000, 50_000);
    let laws = [
        (2.0, 0.0, 1.0, 0.0, Parametrization::S1, "Gaussian N(d, 2g^2)", -5.0, 5.0),
        (1.0, 0.0, 1.0, 0.0, Parametrization::S1, "Cauchy", -8.0, 8.0),
        (0.5, 1.0, 1.0, 0.0, Parametrization::S1, "Levy", 0.0, 8.0),
    ];
    laws.iter()
        .enumerate()
        .map(|(i, &(a, b, g, l, p, name, lo, hi))| {
            let d = Stable::new(a, b, g, l, p).expect("valid");
            stable_figure(&d, name, lo, hi, s.child(i as u64), n, &|v| d.pdf(v))
                .caption(format!("{name}: closed-form density (Nolan 2020, ch. 1) against the sampler's histogram."))
        })
        .collect::<Vec<_>>()
        .into()
}

/// Density by inversion of the characteristic function, `f(x) = (1/pi) int_0^inf Re[phi(u) e^(-iux)] du`,
/// truncated where `|phi| < 1e-13` and integrated by Simpson's rule on `m` intervals.
pub fn stable_pdf_inversion(d: &Stable, x: f64) -> f64 {
    let u_max = (30.0f64).powf(1.0 / d.alpha()) / d.scale();
    let m = 20_000;
    let h = u_max / m as f64;
    let f = |u: f64| {
        if u == 0.0 {
            return 1.0;
        }
        let c = d.char_fn(u) * num_complex::Complex64::from_polar(1.0, -u * x);
        c.re
    };
    let mut s = f(0.0) + f(u_max);
    for i in 1..m {
        s += if i % 2 == 1 { 4.0 } else { 2.0 } * f(i as f64 * h);
    }
    (s * h / 3.0 / std::f64::consts::PI).max(0.0)
}

fn stable_inversion(ctx: &Context) -> Extras {
    let s = seed(ctx, "stable-inversion");
    let n = ctx.reps(200_000, 50_000);
    let laws =
        [(1.5, 0.5, 1.0, 0.0, Parametrization::S0, -6.0, 6.0), (0.8, -0.5, 1.0, 0.0, Parametrization::S1, -8.0, 8.0)];
    laws.iter()
        .enumerate()
        .map(|(i, &(a, b, g, l, p, lo, hi))| {
            let d = Stable::new(a, b, g, l, p).expect("valid");
            stable_figure(&d, "alpha-stable", lo, hi, s.child(i as u64), n, &|v| stable_pdf_inversion(&d, v)).caption(
                "No closed form: the exact density by numerical inversion of the characteristic function \
                 (Nolan 2020, eq. 3.2; Simpson's rule) against the sampler's histogram.",
            )
        })
        .collect::<Vec<_>>()
        .into()
}

fn ou_moments(ctx: &Context) -> Extras {
    let ou = Ou::new(2.0, 0.5, 0.7).expect("valid");
    let (steps, dt, x0) = (500, 0.004, 2.0);
    let grid_ = Grid::new(steps, dt).expect("valid");
    let driver = Driver::brownian(grid_, 1).expect("valid");
    let integ = ScalarIntegrator::new(&ou, grid_, Scheme::EulerMaruyama).expect("valid");
    let paths = ctx.reps(20_000, 4000);
    let obs = Observe::evenly(steps, 25);
    let sum = Ensemble::new(&integ, &driver, vec![x0], seed(ctx, "ou"), obs, serde_json::Value::Null)
        .expect("valid")
        .run(0..paths as u64)
        .expect("finite")
        .summary;
    let t: Vec<f64> = sum.times.clone();
    let ts = grid(0.0, steps as f64 * dt, 200);
    let m = |f: &dyn Fn(&fracnoise::sde::PowerSums) -> f64| sum.moments.iter().map(|v| f(&v[0])).collect::<Vec<_>>();
    let mean = Figure::new(
        format!("OU theta 2, mu 0.5, sigma 0.7 from x0 = 2: mean, Euler dt = {dt}, {paths} paths"),
        "t",
        "E X_t",
    )
    .caption("Closed forms: mu + (x0 - mu) e^(-theta t) (continuous) and mu + (x0 - mu)(1 - theta h)^n (Euler chain).")
    .line("continuous closed form", ts.clone(), ts.iter().map(|&s| ou.mean(s, x0)).collect())
    .line("Euler-chain closed form", t.clone(), sum.steps.iter().map(|&k| ou.em_mean(k, dt, x0)).collect())
    .error_bars("ensemble mean +- 2 SE", t.clone(), m(&|p| p.mean()), m(&|p| 2.0 * p.mean_se()));
    let var = Figure::new(format!("OU: variance, Euler dt = {dt}, {paths} paths"), "t", "Var X_t")
        .caption("Closed forms: sigma^2 (1 - e^(-2 theta t)) / (2 theta) and sigma^2 h (1 - a^2n)/(1 - a^2), a = 1 - theta h.")
        .line("continuous closed form", ts.clone(), ts.iter().map(|&s| ou.variance(s)).collect())
        .line("Euler-chain closed form", t.clone(), sum.steps.iter().map(|&k| ou.em_variance(k, dt)).collect())
        .error_bars("ensemble variance +- 2 SE", t, m(&|p| p.variance()), m(&|p| 2.0 * p.variance_se()));
    vec![mean, var].into()
}

fn orders(ctx: &Context) -> Extras {
    let s = seed(ctx, "orders");
    let grid_ = Grid::with_end(1024, 1.0).expect("valid");
    let driver = Driver::brownian(grid_, 1).expect("valid");
    let paths = ctx.reps(2000, 500);
    let mut f =
        Figure::new(format!("GBM: measured errors vs dt (same Brownian paths refined), {paths} paths"), "dt", "error")
            .log(true, true)
            .caption(
                "Markers: strong error E|X_T - X^h_T| or weak error |E X_T - E X^h_T| against the exact solution; \
         lines: the theoretical order C dt^p through the finest point (Kloeden & Platen 1992).",
            );
    for (name, gbm, scheme, kind, order) in [
        ("EM strong", Gbm::new(0.5, 0.8), Scheme::EulerMaruyama, ErrorKind::Strong, 0.5),
        ("EM weak", Gbm::new(1.5, 0.2), Scheme::EulerMaruyama, ErrorKind::Weak, 1.0),
        ("Milstein strong", Gbm::new(0.5, 0.8), Scheme::Milstein, ErrorKind::Strong, 1.0),
    ] {
        let gbm = gbm.expect("valid");
        let e = measure_order(&gbm, scheme, &driver, 1.0, s, paths, &[1, 2, 4, 8, 16, 32], kind, 20, |dl| {
            gbm.exact_ito(1.0, 1.0, dl.iter().sum())
        })
        .expect("finite errors");
        let c = e.errors[0] / e.dts[0].powf(order);
        f = f
            .points(format!("{name}: slope {:.3} +- {:.3}", e.slope, e.slope_se), e.dts.clone(), e.errors.clone())
            .line(format!("{name}: order {order}"), e.dts.clone(), e.dts.iter().map(|h| c * h.powf(order)).collect());
    }
    vec![f].into()
}

fn fgn(n: usize, h: f64, s: Seed) -> Vec<f64> {
    FgnGenerator::new(n, h, 1.0).expect("valid").sample_paths(1, s).expect("sizes").row(0).to_vec()
}

fn scaling_figure(
    title: &str,
    caption: &str,
    est: impl Fn(&[f64]) -> HurstEstimate,
    expected: impl Fn(f64, f64, usize) -> Option<f64>,
    s: Seed,
) -> Figure {
    let n = 4096;
    let mut f = Figure::new(format!("{title}, one fGn path of n = {n} per H"), "", "").log(true, true).caption(caption);
    for (i, &h) in [0.3, 0.7].iter().enumerate() {
        let e = est(&fgn(n, h, s.child(i as u64)));
        let sc = &e.scaling;
        f.x_label = sc.x_name.to_string();
        f.y_label = sc.y_name.to_string();
        f = f.points(format!("H = {h}: data"), sc.x.clone(), sc.y.clone()).line(
            format!("H = {h}: fit, H^ = {:.3} +- {:.3}", e.hurst, e.se),
            sc.x.clone(),
            sc.fit_y.clone(),
        );
        let ex: Vec<(f64, f64)> = sc.x.iter().filter_map(|&x| expected(h, x, n).map(|y| (x, y))).collect();
        if !ex.is_empty() {
            f = f.line(
                format!("H = {h}: closed-form expectation"),
                ex.iter().map(|p| p.0).collect(),
                ex.iter().map(|p| p.1).collect(),
            );
        }
    }
    f
}

fn dfa_scaling(ctx: &Context) -> Extras {
    let f = scaling_figure(
        "DFA-1",
        "F(s) of one path, its least-squares fit, and the exact sqrt(E F^2(s)) = sqrt(tr(P_1 Gamma_s)/s) for fGn (validation/README.md §6).",
        |x| dfa(x, &DfaOptions::default()).expect("dfa"),
        |h, s, _| dfa_expected_fluctuation(h, 1, s as usize).ok(),
        seed(ctx, "dfa"),
    );
    vec![f].into()
}

fn rs_scaling(ctx: &Context) -> Extras {
    let f = scaling_figure(
        "R/S",
        "Mean R/S over windows of w, its fit, and (H = 1/2 reference) the Anis & Lloyd (1976) E[R/S]_w of i.i.d. Gaussian data.",
        |x| rescaled_range(x, &RsOptions::default()).expect("rs"),
        |h, w, _| (h == 0.3).then(|| anis_lloyd(w as usize)),
        seed(ctx, "rs"),
    );
    let mut f = f;
    for s in &mut f.series {
        if s.name.starts_with("H = 0.3: closed") {
            s.name = "Anis-Lloyd E[R/S]_w (H = 1/2)".into();
        }
    }
    vec![f].into()
}

fn aggvar_scaling(ctx: &Context) -> Extras {
    let f = scaling_figure(
        "Aggregated variance",
        "Variance of block means of m, its fit (slope 2H - 2), and the exact E S^2_m for fGn with n/m blocks.",
        |x| aggregated_variance(x, &AggVarOptions::default()).expect("aggvar"),
        |h, m, n| Some(aggvar_expected(h, m as usize, n / m as usize)),
        seed(ctx, "aggvar"),
    );
    vec![f].into()
}

fn estimator_table(ctx: &Context) -> Extras {
    let s = seed(ctx, "estimators");
    let (n, paths) = (1024, ctx.reps(100, 30));
    let hs = [0.1, 0.3, 0.5, 0.7, 0.9];
    let ests = crate::hurst::estimators();
    let mut table = Table {
        title: format!(
            "Hurst estimators on fGn, n = {n}, {paths} paths: bias, RMSE and coverage of the nominal 95% CI \
             H^ +- 1.96 SE with each estimator's own SE (OLS SEs of dfa1/rs/aggvar understate: low coverage)"
        ),
        header: ["estimator", "H", "bias", "RMSE", "sd", "mean SE", "coverage 95%"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        rows: Vec::new(),
    };
    let mut fig = Figure::new(format!("Hurst estimators: bias +- 2 SE, n = {n}, {paths} paths"), "H", "mean H^ - H")
        .caption("Bias of each estimator on exact fGn (Davies-Harte); the table lists RMSE and CI coverage.")
        .line("unbiased", vec![0.05, 0.95], vec![0.0, 0.0]);
    let data: Vec<Vec<f64>> = hs
        .iter()
        .enumerate()
        .flat_map(|(i, &h)| (0..paths).map(move |p| (i, h, p)))
        .collect::<Vec<_>>()
        .par_iter()
        .map(|&(i, h, p)| fgn(n, h, s.child(i as u64).child(p as u64)))
        .collect();
    let mut per_est: Vec<(Vec<f64>, Vec<f64>, Vec<f64>)> = vec![Default::default(); ests.len()];
    for (i, &h) in hs.iter().enumerate() {
        let xs = &data[i * paths..(i + 1) * paths];
        for (j, (name, f)) in ests.iter().enumerate() {
            let es: Vec<HurstEstimate> = xs.par_iter().map(|x| f(x)).collect();
            let hm = Moments::from_slice(&es.iter().map(|e| e.hurst).collect::<Vec<_>>());
            let rmse = (es.iter().map(|e| (e.hurst - h).powi(2)).sum::<f64>() / es.len() as f64).sqrt();
            let mse = es.iter().map(|e| e.se).sum::<f64>() / es.len() as f64;
            let cover = es.iter().filter(|e| (e.hurst - h).abs() <= 1.96 * e.se).count() as f64 / es.len() as f64;
            table.rows.push(vec![
                name.to_string(),
                format!("{h}"),
                format!("{:+.4}", hm.mean() - h),
                format!("{rmse:.4}"),
                format!("{:.4}", hm.std_dev()),
                format!("{mse:.4}"),
                format!("{cover:.2}"),
            ]);
            per_est[j].0.push(h + 0.008 * (j as f64 - 2.5));
            per_est[j].1.push(hm.mean() - h);
            per_est[j].2.push(2.0 * hm.mean_se());
        }
    }
    for ((name, _), (x, y, e)) in ests.iter().zip(per_est) {
        fig = fig.error_bars(*name, x, y, e);
    }
    Extras { figures: vec![fig], tables: vec![table] }
}

fn km_figure(kms: &[(&str, KaplanMeier)], exact: &dyn Fn(f64) -> f64, t_max: f64, title: String) -> Figure {
    let ts = grid(0.0, t_max, 300);
    let mut f =
        Figure::new(title, "t", "P(T > t)").line("closed form", ts.clone(), ts.iter().map(|&t| exact(t)).collect());
    for (name, km) in kms {
        let c = km.curve(0.95).expect("level in (0, 1)");
        let (mut x, mut y) = (vec![0.0], vec![1.0]);
        for (t, s) in c.time.iter().zip(&c.survival) {
            if *t > t_max {
                break;
            }
            x.push(*t);
            y.push(*s);
        }
        f = f.step(format!("Kaplan-Meier, {name}"), x, y);
    }
    f
}

fn passage_km<M: fracnoise::sde::ScalarModel>(
    model: &M,
    driver: &Driver,
    boundary: &Boundary,
    corr: Correction,
    paths: usize,
    s: Seed,
) -> KaplanMeier {
    let integ = ScalarIntegrator::new(model, driver.grid(), Scheme::EulerMaruyama).expect("valid model");
    let r = PassageEnsemble::new(&integ, driver, vec![0.0], s, boundary.clone(), corr)
        .expect("valid")
        .run(0..paths as u64)
        .expect("finite");
    KaplanMeier::new(r.exits()).expect("exits")
}

fn survival_ig(ctx: &Context) -> Extras {
    let (mu, sigma, d) = (0.8, 1.3, 1.0);
    let ig = DriftedBmLevel::new(d, mu, sigma).expect("valid");
    let grid_ = Grid::new(1600, 0.0625).expect("valid");
    let model = BrownianDrift::new(mu, sigma).expect("valid");
    let driver = Driver::brownian(grid_, 1).expect("valid");
    let paths = ctx.reps(10_000, 4000);
    let b = Boundary::upper(d).expect("valid");
    let s = seed(ctx, "survival-ig");
    let kms = [
        ("Brownian-bridge correction", passage_km(&model, &driver, &b, Correction::Bridge, paths, s)),
        ("grid monitoring only", passage_km(&model, &driver, &b, Correction::None, paths, s)),
    ];
    let f = km_figure(
        &kms,
        &|t| ig.sf(t).unwrap_or(f64::NAN),
        5.0,
        format!("BM drift {mu}, sigma {sigma} to level {d}, dt {}: survival, {paths} paths", grid_.dt()),
    )
    .caption("Closed form: inverse Gaussian IG(d/mu, d^2/sigma^2) survival (Karatzas & Shreve 1991, 3.5C); grid-only monitoring misses crossings between steps.");
    vec![f].into()
}

fn survival_interval(ctx: &Context) -> Extras {
    let (a, b, mu, sigma) = (-1.0, 1.5, 0.3, 0.9);
    let cf = BmInterval::new(a, b, 0.0, mu, sigma).expect("valid");
    let grid_ = Grid::new(450, 0.09).expect("valid");
    let model = BrownianDrift::new(mu, sigma).expect("valid");
    let driver = Driver::brownian(grid_, 1).expect("valid");
    let paths = ctx.reps(10_000, 4000);
    let bd = Boundary::interval(a, b).expect("valid");
    let s = seed(ctx, "survival-interval");
    let kms = [
        ("Brownian-bridge correction", passage_km(&model, &driver, &bd, Correction::Bridge, paths, s)),
        ("grid monitoring only", passage_km(&model, &driver, &bd, Correction::None, paths, s)),
    ];
    let f = km_figure(
        &kms,
        &|t| cf.survival(t).unwrap_or(f64::NAN),
        8.0,
        format!("BM drift {mu}, sigma {sigma} in ({a}, {b}) from 0, dt {}: survival, {paths} paths", grid_.dt()),
    )
    .caption("Closed form: the survival series of a drifted BM in an interval (Borodin & Salminen 2002).");
    vec![f].into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inversion_matches_closed_forms() {
        for (a, b) in [(2.0, 0.0), (1.0, 0.0), (0.5, 1.0)] {
            let d = Stable::new(a, b, 1.3, 0.2, Parametrization::S1).unwrap();
            for x in [-2.0, -0.3, 0.5, 1.7, 4.0] {
                let (e, i) = (d.pdf(x), stable_pdf_inversion(&d, x));
                assert!((e - i).abs() < 2e-4, "alpha {a} x {x}: {e} vs {i}");
            }
        }
    }

    #[test]
    fn histogram_normalised() {
        let x: Vec<f64> = (0..1000).map(|i| (i as f64 + 0.5) / 1000.0).collect();
        let (c, d, _) = histogram(&x, 0.0, 1.0, 10);
        assert_eq!(c.len(), 10);
        assert!(d.iter().all(|v| (v - 1.0).abs() < 1e-12));
    }
}
