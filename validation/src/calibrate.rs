//! `validate --calibrate K`: the suite over seeds 1..K, counting per case the failing checks
//! against the number its thresholds imply, so that a case failing by chance (a threshold too
//! tight for its check count, an SE that understates) shows up before it fails in CI.

use crate::{run, CaseResult, Context, Selection, MARGIN_FAIL};
use fracnoise::Seed;
use std::fmt::Write as _;

/// One case over all seeds.
#[derive(Debug, Clone, Default)]
pub struct CalibrationRow {
    /// Case name.
    pub name: &'static str,
    /// Closed form and reference.
    pub reference: &'static str,
    /// Checks per run (the largest seen).
    pub checks: usize,
    /// Runs (seeds).
    pub runs: usize,
    /// Runs in which some check failed.
    pub failed_runs: usize,
    /// Failing checks, summed over runs.
    pub failed_checks: usize,
    /// Expected failing checks over all runs when the code is right: `sum_runs sum_checks p_i`.
    pub expected_failed_checks: f64,
    /// Family-wise false-failure rate of one run, `1 - prod (1 - p_i)` (mean over runs).
    pub family_wise_rate: f64,
    /// The largest margin seen ([`crate::Check::margin`]; fails above 5), the closest to failing.
    pub max_margin: f64,
    /// Seed and check of the largest margin.
    pub max_margin_at: (u64, String),
    /// Seconds, summed over runs.
    pub seconds: f64,
}

/// A failing check seen during calibration.
#[derive(Debug, Clone)]
pub struct CalibrationFailure {
    /// Root seed.
    pub seed: u64,
    /// Case.
    pub case: &'static str,
    /// Check.
    pub what: String,
    /// Its margin.
    pub margin: f64,
}

/// Result of a calibration.
#[derive(Debug, Clone, Default)]
pub struct Calibration {
    /// Root seeds run.
    pub seeds: Vec<u64>,
    /// Quick mode.
    pub quick: bool,
    /// One row per case, in registry order.
    pub rows: Vec<CalibrationRow>,
    /// Every failing check.
    pub failures: Vec<CalibrationFailure>,
    /// Wall seconds per seed.
    pub seconds_per_seed: Vec<f64>,
}

impl Calibration {
    /// Adds one run of the suite at root seed `seed`.
    pub fn add(&mut self, seed: u64, cases: &[CaseResult], seconds: f64) {
        self.seeds.push(seed);
        self.seconds_per_seed.push(seconds);
        for c in cases {
            let i = match self.rows.iter().position(|r| r.name == c.name) {
                Some(i) => i,
                None => {
                    self.rows.push(CalibrationRow {
                        name: c.name,
                        reference: c.reference,
                        max_margin: f64::NEG_INFINITY,
                        ..Default::default()
                    });
                    self.rows.len() - 1
                }
            };
            let r = &mut self.rows[i];
            r.runs += 1;
            r.checks = r.checks.max(c.outcome.checks.len());
            r.seconds += c.seconds;
            let fails: Vec<_> = c.outcome.checks.iter().filter(|k| !k.passed()).collect();
            r.failed_runs += usize::from(!c.passed());
            r.failed_checks += fails.len();
            r.expected_failed_checks += c.outcome.checks.iter().map(|k| k.false_fail_probability()).sum::<f64>();
            r.family_wise_rate += (c.family_wise_rate() - r.family_wise_rate) / r.runs as f64;
            for k in &c.outcome.checks {
                let m = k.margin();
                if m > r.max_margin {
                    r.max_margin = m;
                    r.max_margin_at = (seed, k.what.clone());
                }
            }
            for k in fails {
                self.failures.push(CalibrationFailure { seed, case: c.name, what: k.what.clone(), margin: k.margin() });
            }
        }
    }

    /// Total failing checks.
    pub fn failed_checks(&self) -> usize {
        self.rows.iter().map(|r| r.failed_checks).sum()
    }

    /// The calibration table as text.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let k = self.seeds.len();
        let (lo, hi) = (self.seeds.first().copied().unwrap_or(0), self.seeds.last().copied().unwrap_or(0));
        let _ = writeln!(
            s,
            "fracnoise validation calibration: {k} seeds ({lo}..{hi}){}; margin fails above {MARGIN_FAIL}",
            if self.quick { ", quick" } else { "" }
        );
        let _ = writeln!(
            s,
            "{:<34} {:>6} {:>9} {:>9} {:>10} {:>9} {:>8} {:>8}  closest check (seed)",
            "case", "checks", "fail runs", "fail chk", "expected", "FW rate", "max marg", "sec/run"
        );
        let _ = writeln!(s, "{}", "-".repeat(120));
        for r in &self.rows {
            let _ = writeln!(
                s,
                "{:<34} {:>6} {:>4}/{:<4} {:>9} {:>10.2e} {:>9.2e} {:>8.3} {:>8.2}  {} ({})",
                r.name,
                r.checks,
                r.failed_runs,
                r.runs,
                r.failed_checks,
                r.expected_failed_checks,
                r.family_wise_rate,
                r.max_margin,
                r.seconds / r.runs.max(1) as f64,
                r.max_margin_at.1,
                r.max_margin_at.0
            );
        }
        let expected: f64 = self.rows.iter().map(|r| r.expected_failed_checks).sum();
        let fw = 1.0 - self.rows.iter().map(|r| 1.0 - r.family_wise_rate).product::<f64>();
        let _ = writeln!(
            s,
            "\n{} failing checks over {k} runs (expected {expected:.2e} by chance; suite family-wise rate {fw:.2e} per run); \
             {:.1} s per run",
            self.failed_checks(),
            self.seconds_per_seed.iter().sum::<f64>() / k.max(1) as f64
        );
        for f in &self.failures {
            let _ = writeln!(s, "  FAIL seed {:>4}  {:<34} {}  (margin {:.3})", f.seed, f.case, f.what, f.margin);
        }
        s
    }

    /// The calibration as JSON.
    pub fn to_json(&self) -> String {
        let esc = crate::json_escape;
        let num = crate::json_num;
        let mut s = format!(
            "{{\"quick\":{},\"seeds\":[{}],\"margin_fails_above\":{},\"cases\":[",
            self.quick,
            self.seeds.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(","),
            num(MARGIN_FAIL)
        );
        for (i, r) in self.rows.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            let _ = write!(
                s,
                "{{\"name\":\"{}\",\"reference\":\"{}\",\"checks\":{},\"runs\":{},\"failed_runs\":{},\
                 \"failed_checks\":{},\"expected_failed_checks\":{},\"family_wise_rate\":{},\"max_margin\":{},\
                 \"max_margin_seed\":{},\"max_margin_check\":\"{}\",\"seconds\":{}}}",
                esc(r.name),
                esc(r.reference),
                r.checks,
                r.runs,
                r.failed_runs,
                r.failed_checks,
                num(r.expected_failed_checks),
                num(r.family_wise_rate),
                num(r.max_margin),
                r.max_margin_at.0,
                esc(&r.max_margin_at.1),
                num(r.seconds)
            );
        }
        s.push_str("],\"failures\":[");
        for (i, f) in self.failures.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            let _ = write!(
                s,
                "{{\"seed\":{},\"case\":\"{}\",\"what\":\"{}\",\"margin\":{}}}",
                f.seed,
                esc(f.case),
                esc(&f.what),
                num(f.margin)
            );
        }
        let _ = write!(s, "],\"failed_checks\":{}}}", self.failed_checks());
        s
    }
}

/// Runs the selected cases for each root seed in `seeds` (sequentially: the cases parallelise
/// internally, and each seed's results do not depend on the others). `progress` gets
/// (seed index, seeds, case index, cases, case name).
pub fn calibrate(
    quick: bool,
    seeds: &[u64],
    sel: &Selection,
    mut progress: impl FnMut(usize, usize, usize, usize, &str),
) -> Calibration {
    let mut cal = Calibration { quick, ..Default::default() };
    for (i, &seed) in seeds.iter().enumerate() {
        let ctx = Context { seed: Seed::new(seed), quick };
        let t = std::time::Instant::now();
        let rep = run(&ctx, sel, |j, n, name| progress(i, seeds.len(), j, n, name));
        cal.add(seed, &rep.cases, t.elapsed().as_secs_f64());
    }
    cal
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Check, Outcome};

    fn result(name: &'static str, checks: Vec<Check>) -> CaseResult {
        CaseResult { name, reference: "r", outcome: Outcome::from(checks), seconds: 1.0, figures: Vec::new() }
    }

    #[test]
    fn counts_failures_and_expectation() {
        let mut c = Calibration::default();
        c.add(1, &[result("a/x", vec![Check::z("z", 0.0, 1.0, 1.0), Check::tol("t", 0.0, 0.0, 0.0)])], 1.0);
        c.add(2, &[result("a/x", vec![Check::z("z", 0.0, 6.0, 1.0), Check::tol("t", 0.0, 0.0, 0.0)])], 1.0);
        let r = &c.rows[0];
        assert_eq!((r.runs, r.failed_runs, r.failed_checks, r.checks), (2, 1, 1, 2));
        assert!((r.expected_failed_checks - 2.0 * 5.733e-7).abs() < 1e-9);
        assert!((r.max_margin - 6.0).abs() < 1e-12);
        assert_eq!(r.max_margin_at, (2, "z".to_string()));
        assert_eq!(c.failures.len(), 1);
        assert!(c.to_text().contains("FAIL seed    2"));
        assert!(c.to_json().contains("\"failed_checks\":1}"));
    }
}
