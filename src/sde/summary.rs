//! Mergeable ensemble summaries: exact power sums, histograms, extremes.
//!
//! A [`Summary`] holds, for each observation time and state component, the count and the **exact**
//! sums `S_p = sum (x - c)^p`, `p = 1..4` (shift `c` = the initial state, common to all shards;
//! [`ExactSum`]), the minimum and maximum; optional integer histogram counts; and optional power
//! sums of each path's running minimum and maximum. Every part is combined by exact operations
//! (integer addition, exact sums, min/max), so [`Summary::merge`] is associative and commutative
//! **bitwise**: shards merged in any order equal one run over all paths (docs/shards.md).
//!
//! Derived statistics, with `n` the count, `mu_p` the `p`-th central sample moment:
//! mean `c + S_1/n`, unbiased variance `(S_2 - S_1^2/n)/(n-1)`, standard error of the mean
//! `sqrt(var/n)`, and standard error of the variance `sqrt((mu_4 - var^2 (n-3)/(n-1))/n)`
//! (Cramér 1946, eq. 27.7.2 to leading order). The conversion from exact sums to moments loses
//! about `eps (1 + (mean - c)^2 / var)` relative accuracy.

use super::exact_sum::ExactSum;
use crate::error::{Error, Result};
use crate::stats::Estimate;
use serde::{Deserialize, Serialize};

/// Count, exact power sums, min and max of one quantity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PowerSums {
    /// Number of observations.
    pub count: u64,
    /// Shift `c` subtracted before summing powers.
    pub shift: f64,
    /// `sum (x - c)`, `sum (x - c)^2`, `sum (x - c)^3`, `sum (x - c)^4`.
    pub sums: [ExactSum; 4],
    /// Smallest observation (`None` when empty).
    pub min: Option<f64>,
    /// Largest observation (`None` when empty).
    pub max: Option<f64>,
}

impl PowerSums {
    /// Empty, with shift `c`.
    pub fn new(shift: f64) -> Self {
        PowerSums { count: 0, shift, sums: Default::default(), min: None, max: None }
    }

    /// Adds one observation.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.count += 1;
        let d = x - self.shift;
        let d2 = d * d;
        self.sums[0].add(d);
        self.sums[1].add(d2);
        self.sums[2].add(d2 * d);
        self.sums[3].add(d2 * d2);
        self.min = Some(self.min.map_or(x, |m| m.min(x)));
        self.max = Some(self.max.map_or(x, |m| m.max(x)));
    }

    /// Adds another accumulator (exactly). Shifts must be equal.
    pub fn merge(&mut self, o: &PowerSums) -> Result<()> {
        if self.shift.to_bits() != o.shift.to_bits() {
            return Err(Error::InvalidInput(format!(
                "cannot merge sums with shifts {} and {}",
                crate::error::Short(self.shift),
                crate::error::Short(o.shift)
            )));
        }
        self.count += o.count;
        for (a, b) in self.sums.iter_mut().zip(&o.sums) {
            a.merge(b);
        }
        self.min = match (self.min, o.min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.max = match (self.max, o.max) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        Ok(())
    }

    fn central(&self) -> (f64, f64, f64) {
        let n = self.count as f64;
        let m1 = self.sums[0].value() / n;
        let r2 = self.sums[1].value() / n;
        let r3 = self.sums[2].value() / n;
        let r4 = self.sums[3].value() / n;
        let mu2 = (r2 - m1 * m1).max(0.0);
        let mu4 = r4 - 4.0 * m1 * r3 + 6.0 * m1 * m1 * r2 - 3.0 * m1.powi(4);
        (m1, mu2, mu4.max(0.0))
    }

    /// Sample mean (NaN when empty).
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            return f64::NAN;
        }
        self.shift + self.sums[0].value() / self.count as f64
    }

    /// Unbiased sample variance (NaN for fewer than two observations).
    pub fn variance(&self) -> f64 {
        if self.count < 2 {
            return f64::NAN;
        }
        let n = self.count as f64;
        self.central().1 * n / (n - 1.0)
    }

    /// Standard error of the mean, `sqrt(var / n)`.
    pub fn mean_se(&self) -> f64 {
        (self.variance() / self.count as f64).sqrt()
    }

    /// Standard error of the sample variance, `sqrt((mu_4 - s^4 (n-3)/(n-1)) / n)`.
    pub fn variance_se(&self) -> f64 {
        if self.count < 4 {
            return f64::NAN;
        }
        let n = self.count as f64;
        let (_, _, mu4) = self.central();
        let v = self.variance();
        ((mu4 - v * v * (n - 3.0) / (n - 1.0)).max(0.0) / n).sqrt()
    }
}

/// A histogram of one component at one step: `bins` equal bins on `[lo, hi)`, plus counts below
/// and at-or-above the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Step index observed.
    pub step: usize,
    /// State component.
    pub component: usize,
    /// Lower edge.
    pub lo: f64,
    /// Upper edge.
    pub hi: f64,
    /// Bin counts.
    pub counts: Vec<u64>,
    /// Observations `< lo`.
    pub below: u64,
    /// Observations `>= hi`.
    pub above: u64,
}

impl Histogram {
    /// Empty histogram.
    pub fn new(step: usize, component: usize, lo: f64, hi: f64, bins: usize) -> Result<Self> {
        crate::error::check_finite("lo", lo)?;
        crate::error::check_finite("hi", hi)?;
        if hi <= lo || !(hi - lo).is_finite() {
            return Err(Error::InvalidParameter {
                name: "hi",
                value: hi,
                allowed: crate::error::Allowed("finite and > lo"),
            });
        }
        crate::error::check_size("bins", bins, 1, ">= 1")?;
        Ok(Histogram { step, component, lo, hi, counts: vec![0; bins], below: 0, above: 0 })
    }

    /// Adds one observation.
    #[inline]
    pub fn push(&mut self, x: f64) {
        if x < self.lo {
            self.below += 1;
        } else if x >= self.hi {
            self.above += 1;
        } else {
            let b = ((x - self.lo) / (self.hi - self.lo) * self.counts.len() as f64) as usize;
            let last = self.counts.len() - 1;
            self.counts[b.min(last)] += 1;
        }
    }

    fn same_spec(&self, o: &Histogram) -> bool {
        self.step == o.step
            && self.component == o.component
            && self.lo.to_bits() == o.lo.to_bits()
            && self.hi.to_bits() == o.hi.to_bits()
            && self.counts.len() == o.counts.len()
    }

    /// Bin edges (`bins + 1` values).
    pub fn edges(&self) -> Vec<f64> {
        let b = self.counts.len();
        (0..=b).map(|i| self.lo + (self.hi - self.lo) * i as f64 / b as f64).collect()
    }
}

/// The mergeable summary of an ensemble run (or of a shard of one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// File-format tag.
    pub format: String,
    /// Caller's description of the run (model, parameters, driver, grid, seed, total paths...).
    /// Summaries merge only when these are equal.
    pub config: serde_json::Value,
    /// Path ranges covered, `[start, end)`, sorted and coalesced.
    pub paths: Vec<[u64; 2]>,
    /// State dimension.
    pub dim: usize,
    /// Observation step indices.
    pub steps: Vec<usize>,
    /// Observation times.
    pub times: Vec<f64>,
    /// Power sums, indexed `[time index][component]`.
    pub moments: Vec<Vec<PowerSums>>,
    /// Optional histogram.
    pub histogram: Option<Histogram>,
    /// Power sums of each path's running minimum, per component (if requested).
    pub running_min: Option<Vec<PowerSums>>,
    /// Power sums of each path's running maximum, per component (if requested).
    pub running_max: Option<Vec<PowerSums>>,
}

/// Format tag written in every summary.
pub const SUMMARY_FORMAT: &str = "fracnoise-sde-summary-v1";

impl Summary {
    /// Observation times (`times()[i]` is the time of observation index `i`).
    pub fn times(&self) -> &[f64] {
        &self.times
    }

    /// The power sums of `component` at observation `time_index`; an [`Error::InvalidSize`] when
    /// `time_index >= times().len()` or `component >= dim`.
    pub fn power_sums(&self, time_index: usize, component: usize) -> Result<&PowerSums> {
        let row = self.moments.get(time_index).ok_or(Error::InvalidSize {
            name: "time_index",
            value: time_index,
            allowed: crate::error::Allowed("< the number of observation times"),
        })?;
        row.get(component).ok_or(Error::InvalidSize {
            name: "component",
            value: component,
            allowed: crate::error::Allowed("< the state dimension"),
        })
    }

    /// Sample mean of `component` at observation `time_index` with its standard error
    /// `sqrt(var / n)` and the normal 95% interval (errors as [`Summary::power_sums`]).
    pub fn mean(&self, time_index: usize, component: usize) -> Result<Estimate> {
        let p = self.power_sums(time_index, component)?;
        Ok(Estimate::normal(p.mean(), p.mean_se(), 0.95))
    }

    /// Unbiased sample variance of `component` at observation `time_index` with its standard
    /// error (module docs) and the normal 95% interval (errors as [`Summary::power_sums`]).
    pub fn variance(&self, time_index: usize, component: usize) -> Result<Estimate> {
        let p = self.power_sums(time_index, component)?;
        Ok(Estimate::normal(p.variance(), p.variance_se(), 0.95))
    }

    /// Number of paths covered.
    pub fn path_count(&self) -> u64 {
        self.paths.iter().map(|r| r[1] - r[0]).sum()
    }

    /// Adds the paths of `other` (exactly). Errors when the configurations, observation steps,
    /// shifts or histogram specs differ, or when the path ranges overlap.
    pub fn merge(&mut self, other: &Summary) -> Result<()> {
        let incompatible = |what: &str| Error::InvalidInput(format!("cannot merge summaries: different {what}"));
        if self.format != other.format {
            return Err(incompatible("format"));
        }
        if self.config != other.config {
            return Err(incompatible("configurations (model, parameters, driver, grid, seed or paths)"));
        }
        if self.dim != other.dim || self.steps != other.steps {
            return Err(incompatible("observation steps or dimension"));
        }
        match (&self.histogram, &other.histogram) {
            (Some(a), Some(b)) if a.same_spec(b) => {}
            (None, None) => {}
            _ => return Err(incompatible("histogram specifications")),
        }
        if self.running_min.is_some() != other.running_min.is_some() {
            return Err(incompatible("extreme-value observers"));
        }
        let mut ranges: Vec<[u64; 2]> =
            self.paths.iter().chain(&other.paths).copied().filter(|r| r[1] > r[0]).collect();
        ranges.sort_unstable();
        for w in ranges.windows(2) {
            if w[1][0] < w[0][1] {
                return Err(Error::InvalidInput(format!(
                    "cannot merge summaries: path ranges [{}, {}) and [{}, {}) overlap (the same shard twice?)",
                    w[0][0], w[0][1], w[1][0], w[1][1]
                )));
            }
        }
        let mut merged: Vec<[u64; 2]> = Vec::new();
        for r in ranges {
            match merged.last_mut() {
                Some(last) if last[1] == r[0] => last[1] = r[1],
                _ => merged.push(r),
            }
        }
        for (a, b) in self.moments.iter_mut().zip(&other.moments) {
            for (x, y) in a.iter_mut().zip(b) {
                x.merge(y)?;
            }
        }
        if let (Some(a), Some(b)) = (&mut self.histogram, &other.histogram) {
            a.counts.iter_mut().zip(&b.counts).for_each(|(x, y)| *x += y);
            a.below += b.below;
            a.above += b.above;
        }
        for (mine, theirs) in [(&mut self.running_min, &other.running_min), (&mut self.running_max, &other.running_max)]
        {
            if let (Some(a), Some(b)) = (mine, theirs) {
                for (x, y) in a.iter_mut().zip(b) {
                    x.merge(y)?;
                }
            }
        }
        self.paths = merged;
        Ok(())
    }

    /// JSON text (pretty-printed, ends with a newline). Numbers round-trip exactly.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("summaries serialise");
        s.push('\n');
        s
    }

    /// Parses [`Summary::to_json`] output.
    pub fn from_json(text: &str, origin: &str) -> Result<Summary> {
        let s: Summary = serde_json::from_str(text)
            .map_err(|e| Error::Format { path: origin.to_string(), message: e.to_string() })?;
        if s.format != SUMMARY_FORMAT {
            return Err(Error::Format {
                path: origin.to_string(),
                message: format!("format tag `{}`, expected `{SUMMARY_FORMAT}`", s.format),
            });
        }
        if s.moments.len() != s.steps.len() || s.moments.iter().any(|m| m.len() != s.dim) {
            return Err(Error::Format { path: origin.to_string(), message: "moments do not match steps x dim".into() });
        }
        Ok(s)
    }

    /// Writes the JSON atomically.
    pub fn write(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        crate::io::write_atomic(path, self.to_json().as_bytes())
    }

    /// Reads a summary file.
    pub fn read(path: impl AsRef<std::path::Path>) -> Result<Summary> {
        let p = path.as_ref();
        let text = std::fs::read_to_string(p).map_err(|e| Error::Io { path: p.display().to_string(), source: e })?;
        Summary::from_json(&text, &p.display().to_string())
    }
}
