//! The fracnoise validation suite: every component against closed-form results.
//!
//! A [`Case`] is one named experiment with a reference (paper, equation). Running it yields
//! [`Check`]s, each a comparison of a Monte Carlo estimate with a closed form: a z-score against
//! the estimate's standard error, a Kolmogorov–Smirnov p-value, or a deterministic tolerance.
//! Protocol (see `validation/README.md`): fixed seeds, independent replicates, fail at
//! `|z| > 5` (two-sided false-alarm rate 5.7e-7 per check) or KS `p < 1e-6`.
//!
//! Each component registers its cases in its own file; [`registry`] lists them all.

use fracnoise::Seed;
use std::cell::RefCell;
use std::fmt::Write as _;
use std::time::Instant;

pub mod calibrate;
mod diagnose;
mod escape;
mod fdt;
pub mod figures;
mod framework_cases;
mod hurst;
mod noise;
mod passage;
mod sde;
mod sgd;

/// Default |z| bound of a z-score check.
pub const Z_BOUND: f64 = 5.0;
/// Default KS p-value below which a distribution check fails.
pub const KS_P_MIN: f64 = 1e-6;
/// A check fails when its [`Check::margin`] exceeds this (the common scale of every criterion).
pub const MARGIN_FAIL: f64 = 5.0;

pub use figures::{Figure, Series, SeriesKind};

/// The |z| with the same two-sided tail probability as `p`: `P(|Z| > z) = p` (`p` clamped to
/// `[1e-300, 1]`, so at most ~37).
pub fn z_equivalent(p: f64) -> f64 {
    let p = if p.is_nan() { 1e-300 } else { p.clamp(1e-300, 1.0) };
    statrs::function::erf::erfc_inv(p) * std::f64::consts::SQRT_2
}

/// Two-sided normal tail `P(|Z| > z) = erfc(z / sqrt 2)`.
pub fn two_sided_tail(z: f64) -> f64 {
    statrs::function::erf::erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// Settings handed to every case.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// Root seed; each case derives its own with [`Context::seed_for`].
    pub seed: Seed,
    /// Quick mode: smaller samples, for the quick subset and for tests.
    pub quick: bool,
}

impl Context {
    /// The seed of the case named `name` (independent of every other case's).
    pub fn seed_for(&self, name: &str) -> Seed {
        self.seed.child_named(name)
    }

    /// `full` replicates normally, `quick` in quick mode.
    pub fn reps(&self, full: usize, quick: usize) -> usize {
        if self.quick {
            quick
        } else {
            full
        }
    }
}

/// How a check decides pass or fail.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Criterion {
    /// Pass iff `|estimate - target| / se <= bound`.
    ZScore {
        /// Standard error of the estimate.
        se: f64,
        /// The |z| bound.
        bound: f64,
    },
    /// Pass iff the KS p-value is at least `p_min` (estimate holds the KS statistic D).
    Ks {
        /// The KS p-value.
        p_value: f64,
        /// Sample size.
        n: usize,
        /// Rejection threshold.
        p_min: f64,
    },
    /// Pass iff `|estimate - target| <= tol` (deterministic checks, or known-bias bounds).
    Tolerance {
        /// Absolute tolerance.
        tol: f64,
    },
}

/// One comparison of an estimate with a closed form.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What was compared, e.g. `acov lag 3`.
    pub what: String,
    /// Closed-form value (for KS checks: 0).
    pub target: f64,
    /// Estimate (for KS checks: the statistic D).
    pub estimate: f64,
    /// Decision rule.
    pub criterion: Criterion,
}

impl Check {
    /// A z-score check with the default bound [`Z_BOUND`].
    pub fn z(what: impl Into<String>, target: f64, estimate: f64, se: f64) -> Self {
        Check { what: what.into(), target, estimate, criterion: Criterion::ZScore { se, bound: Z_BOUND } }
    }

    /// A z-score check with a custom bound.
    pub fn z_bound(what: impl Into<String>, target: f64, estimate: f64, se: f64, bound: f64) -> Self {
        Check { what: what.into(), target, estimate, criterion: Criterion::ZScore { se, bound } }
    }

    /// A KS check from a [`fracnoise::stats::KsResult`], failing at `p <` [`KS_P_MIN`].
    pub fn ks(what: impl Into<String>, r: &fracnoise::stats::KsResult) -> Self {
        Check {
            what: what.into(),
            target: 0.0,
            estimate: r.statistic,
            criterion: Criterion::Ks { p_value: r.p_value, n: r.n, p_min: KS_P_MIN },
        }
    }

    /// A deterministic check `|estimate - target| <= tol`.
    pub fn tol(what: impl Into<String>, target: f64, estimate: f64, tol: f64) -> Self {
        Check { what: what.into(), target, estimate, criterion: Criterion::Tolerance { tol } }
    }

    /// The z-score (z checks), `-log10 p` (KS checks) or `|error| / tol` (tolerance checks).
    pub fn score(&self) -> f64 {
        match self.criterion {
            Criterion::ZScore { se, .. } => fracnoise::stats::z_score(self.estimate, self.target, se),
            Criterion::Ks { p_value, .. } => -p_value.max(1e-300).log10(),
            Criterion::Tolerance { tol } => (self.estimate - self.target).abs() / tol,
        }
    }

    /// How close the check came to failing, on one scale for every criterion, failing above
    /// [`MARGIN_FAIL`] = 5: z checks `5 |z| / bound` (= |z| at the default bound); KS checks
    /// `5 z_eq(p) / z_eq(p_min)` with `z_eq` the two-sided equivalent |z| ([`z_equivalent`]);
    /// tolerance checks `5 |error| / tol`. A check that fails on NaN has margin infinity.
    pub fn margin(&self) -> f64 {
        let m = match self.criterion {
            Criterion::ZScore { se, bound } => {
                MARGIN_FAIL * fracnoise::stats::z_score(self.estimate, self.target, se).abs() / bound
            }
            Criterion::Ks { p_value, p_min, .. } => MARGIN_FAIL * z_equivalent(p_value) / z_equivalent(p_min),
            Criterion::Tolerance { tol } => {
                let e = (self.estimate - self.target).abs();
                if e == 0.0 {
                    0.0
                } else {
                    MARGIN_FAIL * e / tol
                }
            }
        };
        // Keep the scale consistent with `passed` at the edges (NaN, zero SE or tolerance).
        match (self.passed(), m.is_nan()) {
            (true, true) => 0.0,
            (true, false) => m.min(MARGIN_FAIL),
            (false, _) if m.is_nan() || m <= MARGIN_FAIL => f64::INFINITY,
            (false, _) => m,
        }
    }

    /// Probability that the check fails by chance when the code is right (its nominal false-alarm
    /// rate): z checks `P(|Z| > bound)`, KS checks `p_min`, tolerance checks 0 (deterministic, or
    /// a bias bound wide enough to be treated as such).
    pub fn false_fail_probability(&self) -> f64 {
        match self.criterion {
            Criterion::ZScore { bound, .. } => two_sided_tail(bound),
            Criterion::Ks { p_min, .. } => p_min,
            Criterion::Tolerance { .. } => 0.0,
        }
    }

    /// Whether the check passes (NaN anywhere fails).
    pub fn passed(&self) -> bool {
        match self.criterion {
            Criterion::ZScore { se, bound } => {
                let z = fracnoise::stats::z_score(self.estimate, self.target, se);
                z.abs() <= bound && se.is_finite()
            }
            Criterion::Ks { p_value, p_min, .. } => p_value >= p_min,
            Criterion::Tolerance { tol } => (self.estimate - self.target).abs() <= tol,
        }
    }
}

/// A table a case publishes in the report (e.g. a bias / RMSE table).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Title line.
    pub title: String,
    /// Column names.
    pub header: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

/// What a case returns. (Figures are not a field, so that every `Outcome { checks, tables }`
/// literal keeps compiling: a case attaches one with [`emit_figure`], or `figures.rs` registers a
/// figure producer for it.)
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The checks.
    pub checks: Vec<Check>,
    /// Tables to print in the report.
    pub tables: Vec<Table>,
}

thread_local! {
    static EMITTED: RefCell<Vec<Figure>> = const { RefCell::new(Vec::new()) };
}

/// Attaches a figure to the case being run (call it from the case's own thread, not inside a
/// rayon closure); [`run`] collects it into [`CaseResult::figures`].
pub fn emit_figure(f: Figure) {
    EMITTED.with(|e| e.borrow_mut().push(f));
}

fn take_emitted() -> Vec<Figure> {
    EMITTED.with(|e| std::mem::take(&mut *e.borrow_mut()))
}

impl From<Vec<Check>> for Outcome {
    fn from(checks: Vec<Check>) -> Self {
        Outcome { checks, tables: Vec::new() }
    }
}

/// One registered validation case.
#[derive(Clone)]
pub struct Case {
    /// Unique name, `group/what`.
    pub name: &'static str,
    /// The closed form and its reference, one line.
    pub reference: &'static str,
    /// Included in `--quick` runs.
    pub quick: bool,
    /// Runs the case.
    pub run: fn(&Context) -> Outcome,
}

/// Every case, in report order.
pub fn registry() -> Vec<Case> {
    let mut v = Vec::new();
    v.extend(framework_cases::cases());
    v.extend(noise::cases());
    v.extend(sde::cases());
    v.extend(hurst::cases());
    v.extend(passage::cases());
    v.extend(escape::cases());
    v.extend(sgd::cases());
    v.extend(fdt::cases());
    v.extend(diagnose::cases());
    v
}

/// Result of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// Case name.
    pub name: &'static str,
    /// Reference line.
    pub reference: &'static str,
    /// What it returned.
    pub outcome: Outcome,
    /// Wall time in seconds.
    pub seconds: f64,
    /// Figures: emitted by the case ([`emit_figure`]) and, after [`Report::attach_figures`], drawn
    /// by the figure producers of `figures.rs`.
    pub figures: Vec<Figure>,
}

impl CaseResult {
    /// The component: the part of the name before `/`.
    pub fn component(&self) -> &'static str {
        self.name.split('/').next().unwrap_or(self.name)
    }

    /// The largest [`Check::margin`] (0 without checks).
    pub fn margin(&self) -> f64 {
        self.outcome.checks.iter().map(Check::margin).fold(0.0, f64::max)
    }

    /// Chance that some check fails when the code is right: `1 - prod (1 - p_i)`.
    pub fn family_wise_rate(&self) -> f64 {
        1.0 - self.outcome.checks.iter().map(|k| 1.0 - k.false_fail_probability()).product::<f64>()
    }

    /// Whether every check passed (a case with no checks fails: it tested nothing).
    pub fn passed(&self) -> bool {
        !self.outcome.checks.is_empty() && self.outcome.checks.iter().all(Check::passed)
    }
}

/// Results of a run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Per-case results, in registry order.
    pub cases: Vec<CaseResult>,
}

/// Which cases to run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only cases whose name contains one of these substrings (all when empty).
    pub filters: Vec<String>,
    /// Only the quick subset.
    pub quick_subset: bool,
}

impl Selection {
    fn selects(&self, c: &Case) -> bool {
        (!self.quick_subset || c.quick)
            && (self.filters.is_empty() || self.filters.iter().any(|f| c.name.contains(f.as_str())))
    }
}

/// Runs the selected cases; `progress` is called before each case with (index, total, name).
pub fn run(ctx: &Context, sel: &Selection, mut progress: impl FnMut(usize, usize, &str)) -> Report {
    let cases: Vec<Case> = registry().into_iter().filter(|c| sel.selects(c)).collect();
    let total = cases.len();
    let mut report = Report::default();
    for (i, c) in cases.into_iter().enumerate() {
        progress(i, total, c.name);
        let t = Instant::now();
        take_emitted();
        let outcome = (c.run)(ctx);
        report.cases.push(CaseResult {
            name: c.name,
            reference: c.reference,
            outcome,
            seconds: t.elapsed().as_secs_f64(),
            figures: take_emitted(),
        });
    }
    report
}

/// A JSON string body: quotes, backslashes and control characters escaped.
pub fn json_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\t' => o.push_str("\\t"),
            '\r' => o.push_str("\\r"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o
}

/// A JSON number (`null` when not finite).
pub fn json_num(x: f64) -> String {
    if x.is_finite() {
        format!("{x:e}")
    } else {
        "null".into()
    }
}

fn fmt_num(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x.is_finite() && (1e-3..1e5).contains(&x.abs()) {
        format!("{x:.6}")
    } else {
        format!("{x:.4e}")
    }
}

impl Report {
    /// Runs the figure producers of [`figures::registry`] whose case is in the report (or, when
    /// it is not, whose component is: the figure goes to that component's first case), adding
    /// their figures and tables to the case results; `progress` gets (index, total, title).
    /// Returns the seconds spent per producer.
    pub fn attach_figures(&mut self, ctx: &Context, mut progress: impl FnMut(usize, usize, &str)) -> Vec<f64> {
        let producers: Vec<(usize, figures::Producer)> = figures::registry()
            .into_iter()
            .filter_map(|p| {
                let i = self.cases.iter().position(|c| c.name == p.case).or_else(|| {
                    let comp = p.case.split('/').next().unwrap_or(p.case);
                    self.cases.iter().position(|c| c.component() == comp)
                })?;
                Some((i, p))
            })
            .collect();
        let total = producers.len();
        let mut secs = Vec::with_capacity(total);
        for (j, (i, p)) in producers.into_iter().enumerate() {
            progress(j, total, p.title);
            let t = Instant::now();
            let extras = (p.make)(ctx);
            let c = &mut self.cases[i];
            c.figures.extend(extras.figures);
            c.outcome.tables.extend(extras.tables);
            secs.push(t.elapsed().as_secs_f64());
        }
        secs
    }

    /// Number of figures.
    pub fn total_figures(&self) -> usize {
        self.cases.iter().map(|c| c.figures.len()).sum()
    }

    /// Number of failed checks.
    pub fn failed_checks(&self) -> usize {
        self.cases.iter().flat_map(|c| &c.outcome.checks).filter(|k| !k.passed()).count()
    }

    /// Number of checks.
    pub fn total_checks(&self) -> usize {
        self.cases.iter().map(|c| c.outcome.checks.len()).sum()
    }

    /// Number of failed cases.
    pub fn failed_cases(&self) -> usize {
        self.cases.iter().filter(|c| !c.passed()).count()
    }

    /// The report as a plain-text table: one line per case (checks, largest margin, seconds,
    /// verdict) and the closed form with its reference below it. `verbose` lists every check;
    /// otherwise only failing checks are listed. Margins are on one scale ([`Check::margin`]):
    /// the equivalent |z|, failing above 5.
    pub fn to_text(&self, verbose: bool) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "margin: |z|-equivalent of each check against its threshold; a check fails above 5");
        let _ = writeln!(s, "{:<44} {:>6} {:>10} {:>8}  result", "case", "checks", "margin", "seconds");
        let _ = writeln!(s, "{}", "-".repeat(84));
        for c in &self.cases {
            let status = if c.passed() { "pass" } else { "FAIL" };
            let _ = writeln!(
                s,
                "{:<44} {:>6} {:>10.3} {:>8.2}  {}",
                c.name,
                c.outcome.checks.len(),
                c.margin(),
                c.seconds,
                status
            );
            let _ = writeln!(s, "    = {}", c.reference);
            for k in &c.outcome.checks {
                if verbose || !k.passed() {
                    let (kind, extra) = match k.criterion {
                        Criterion::ZScore { se, bound } => ("z", format!("se {} |z|<={bound}", fmt_num(se))),
                        Criterion::Ks { p_value, n, p_min } => {
                            ("ks", format!("p {p_value:.3e} n {n} (p>={p_min:.0e})"))
                        }
                        Criterion::Tolerance { tol } => ("tol", format!("tol {}", fmt_num(tol))),
                    };
                    let _ = writeln!(
                        s,
                        "    {} {:<40} target {:>12} est {:>12} margin {:>7.3}  {kind} {:>8.3}  {extra}",
                        if k.passed() { " " } else { "!" },
                        k.what,
                        fmt_num(k.target),
                        fmt_num(k.estimate),
                        k.margin(),
                        k.score()
                    );
                }
            }
        }
        for c in &self.cases {
            for t in &c.outcome.tables {
                let _ = writeln!(s, "\n{} ({})", t.title, c.name);
                let mut widths: Vec<usize> = t.header.iter().map(String::len).collect();
                for r in &t.rows {
                    for (i, cell) in r.iter().enumerate() {
                        if i < widths.len() {
                            widths[i] = widths[i].max(cell.len());
                        }
                    }
                }
                let line = |cells: &[String]| -> String {
                    cells.iter().zip(&widths).map(|(c, w)| format!("{c:>w$}")).collect::<Vec<_>>().join("  ")
                };
                let _ = writeln!(s, "{}", line(&t.header));
                for r in &t.rows {
                    let _ = writeln!(s, "{}", line(r));
                }
            }
        }
        let _ = writeln!(
            s,
            "\n{} cases, {} checks: {} passed, {} failed",
            self.cases.len(),
            self.total_checks(),
            self.total_checks() - self.failed_checks(),
            self.failed_checks()
        );
        s
    }

    /// The report as JSON (hand-written to keep the suite dependency-free).
    pub fn to_json(&self) -> String {
        let (esc, num) = (json_escape, json_num);
        let mut s = String::from("{\"margin_fails_above\":5,\"cases\":[");
        for (i, c) in self.cases.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            let _ = write!(
                s,
                "{{\"name\":\"{}\",\"component\":\"{}\",\"reference\":\"{}\",\"passed\":{},\"seconds\":{},\
                 \"margin\":{},\"family_wise_rate\":{},\"figures\":{},\"checks\":[",
                esc(c.name),
                esc(c.component()),
                esc(c.reference),
                c.passed(),
                num(c.seconds),
                num(c.margin()),
                num(c.family_wise_rate()),
                c.figures.len()
            );
            for (j, k) in c.outcome.checks.iter().enumerate() {
                if j > 0 {
                    s.push(',');
                }
                let crit = match k.criterion {
                    Criterion::ZScore { se, bound } => {
                        format!("\"kind\":\"z\",\"se\":{},\"bound\":{}", num(se), num(bound))
                    }
                    Criterion::Ks { p_value, n, p_min } => {
                        format!("\"kind\":\"ks\",\"p_value\":{},\"n\":{n},\"p_min\":{}", num(p_value), num(p_min))
                    }
                    Criterion::Tolerance { tol } => format!("\"kind\":\"tol\",\"tol\":{}", num(tol)),
                };
                let _ = write!(
                    s,
                    "{{\"what\":\"{}\",\"target\":{},\"estimate\":{},\"score\":{},\"margin\":{},\
                     \"false_fail_probability\":{},\"passed\":{},{crit}}}",
                    esc(&k.what),
                    num(k.target),
                    num(k.estimate),
                    num(k.score()),
                    num(k.margin()),
                    num(k.false_fail_probability()),
                    k.passed()
                );
            }
            s.push_str("]}");
        }
        let _ = write!(s, "],\"checks\":{},\"failed\":{}}}", self.total_checks(), self.failed_checks());
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ks(p: f64) -> Check {
        Check {
            what: "ks".into(),
            target: 0.0,
            estimate: 0.01,
            criterion: Criterion::Ks { p_value: p, n: 100, p_min: KS_P_MIN },
        }
    }

    #[test]
    fn margins_share_one_scale() {
        assert!((z_equivalent(two_sided_tail(5.0)) - 5.0).abs() < 1e-6);
        assert!((z_equivalent(0.05) - 1.959964).abs() < 1e-5);
        assert!((Check::z("z", 1.0, 1.3, 0.1).margin() - 3.0).abs() < 1e-12);
        assert!((Check::z_bound("z", 0.0, 3.0, 1.0, 6.0).margin() - 2.5).abs() < 1e-12);
        assert!((ks(KS_P_MIN).margin() - 5.0).abs() < 1e-9);
        assert!(ks(0.5).margin() < 1.0 && ks(1e-9).margin() > 5.0);
        assert!((Check::tol("t", 1.0, 1.01, 0.02).margin() - 2.5).abs() < 1e-9);
        assert_eq!(Check::tol("t", 0.0, 0.0, 0.0).margin(), 0.0);
        assert_eq!(Check::tol("t", 0.0, 1.0, 0.0).margin(), f64::INFINITY);
        assert_eq!(Check::z("nan", 0.0, f64::NAN, 1.0).margin(), f64::INFINITY);
        // Fails exactly when the margin exceeds 5.
        for k in [Check::z("a", 0.0, 5.0001, 1.0), Check::z("b", 0.0, 4.9999, 1.0), ks(0.9e-6), ks(1.1e-6)] {
            assert_eq!(k.passed(), k.margin() <= MARGIN_FAIL, "{k:?}");
        }
    }

    #[test]
    fn false_fail_probabilities() {
        assert!((Check::z("z", 0.0, 0.0, 1.0).false_fail_probability() - 5.733e-7).abs() < 1e-9);
        assert_eq!(ks(0.5).false_fail_probability(), KS_P_MIN);
        assert_eq!(Check::tol("t", 0.0, 0.0, 1.0).false_fail_probability(), 0.0);
    }

    #[test]
    fn json_is_valid_and_carries_margins() {
        let mut r = Report::default();
        r.cases.push(CaseResult {
            name: "x/\"quoted\"",
            reference: "line\nbreak \\ tab\t",
            outcome: vec![Check::z("a\u{1}", 0.0, 1.0, 0.5), ks(0.3)].into(),
            seconds: 0.5,
            figures: Vec::new(),
        });
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).expect("valid JSON");
        let c = &v["cases"][0];
        assert_eq!(c["reference"], "line\nbreak \\ tab\t");
        assert_eq!(c["component"], "x");
        assert!((c["margin"].as_f64().unwrap() - 2.0).abs() < 1e-12);
        assert!(c["checks"][1]["margin"].as_f64().unwrap() > 0.0);
        assert!(r.to_text(false).contains("= line"));
    }

    #[test]
    fn emitted_figures_reach_the_case() {
        take_emitted();
        emit_figure(Figure::new("f", "x", "y"));
        assert_eq!(take_emitted().len(), 1);
        assert!(take_emitted().is_empty());
    }
}
