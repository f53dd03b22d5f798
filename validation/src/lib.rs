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
use std::fmt::Write as _;
use std::time::Instant;

mod framework_cases;
mod hurst;
mod noise;
mod passage;
mod sde;

/// Default |z| bound of a z-score check.
pub const Z_BOUND: f64 = 5.0;
/// Default KS p-value below which a distribution check fails.
pub const KS_P_MIN: f64 = 1e-6;

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

/// What a case returns.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The checks.
    pub checks: Vec<Check>,
    /// Tables to print in the report.
    pub tables: Vec<Table>,
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
}

impl CaseResult {
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
        let outcome = (c.run)(ctx);
        report.cases.push(CaseResult {
            name: c.name,
            reference: c.reference,
            outcome,
            seconds: t.elapsed().as_secs_f64(),
        });
    }
    report
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

    /// The report as a plain-text table. `verbose` lists every check; otherwise passing cases are
    /// summarised in one line (worst score) and failing checks are listed.
    pub fn to_text(&self, verbose: bool) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{:<44} {:>6} {:>10} {:>8}  result", "case", "checks", "worst", "seconds");
        let _ = writeln!(s, "{}", "-".repeat(84));
        for c in &self.cases {
            let worst = c.outcome.checks.iter().map(|k| k.score().abs()).fold(0.0, f64::max);
            let status = if c.passed() { "pass" } else { "FAIL" };
            let _ = writeln!(
                s,
                "{:<44} {:>6} {:>10.3} {:>8.2}  {}",
                c.name,
                c.outcome.checks.len(),
                worst,
                c.seconds,
                status
            );
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
                        "    {} {:<40} target {:>12} est {:>12} {kind} {:>8.3}  {extra}",
                        if k.passed() { " " } else { "!" },
                        k.what,
                        fmt_num(k.target),
                        fmt_num(k.estimate),
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
        fn esc(s: &str) -> String {
            s.replace('\\', "\\\\").replace('"', "\\\"")
        }
        fn num(x: f64) -> String {
            if x.is_finite() {
                format!("{x:e}")
            } else {
                "null".into()
            }
        }
        let mut s = String::from("{\"cases\":[");
        for (i, c) in self.cases.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            let _ = write!(
                s,
                "{{\"name\":\"{}\",\"reference\":\"{}\",\"passed\":{},\"seconds\":{},\"checks\":[",
                esc(c.name),
                esc(c.reference),
                c.passed(),
                num(c.seconds)
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
                    "{{\"what\":\"{}\",\"target\":{},\"estimate\":{},\"score\":{},\"passed\":{},{crit}}}",
                    esc(&k.what),
                    num(k.target),
                    num(k.estimate),
                    num(k.score()),
                    k.passed()
                );
            }
            s.push_str("]}");
        }
        let _ = write!(s, "],\"checks\":{},\"failed\":{}}}", self.total_checks(), self.failed_checks());
        s
    }
}
