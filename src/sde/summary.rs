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
//!
//! **Heavy tails.** With an alpha-stable driver, `alpha < 2`, the state at any time after the
//! first step has infinite variance (it contains the last increment `sigma(X) dL`, independent of
//! `X`, whose law has tails `~ |x|^-alpha`), and for `alpha <= 1` no mean. The summary records
//! this as [`Summary::tail_index`]; [`Summary::decoded`] (and the JSON, beside the sums) then gives
//! no variance and no standard error, and the quantile observer ([`LogHistogram`]) gives medians
//! and interquartile ranges with order-statistic intervals instead.
//!
//! **Reading files.** [`Summary::from_json`] refuses files that are not internally consistent
//! ([`Summary::check`]): every count against the path ranges, every sum against the count, the
//! extremes and the other sums, histogram and quantile counts against the paths, and the decoded
//! fields against the sums.

use super::exact_sum::ExactSum;
use crate::error::{Error, Result};
use crate::stats::{normal_quantile, Estimate, Interval};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

    /// Why these sums cannot come from `n` observations (`None` when they can); the message names
    /// the field as `name.count`, `name.sums[k]`, `name.min`.
    ///
    /// Checks, with `d_i = fl(x_i - c)`: the count is `n`; the extremes exist exactly when `n > 0`
    /// and `min <= max`; a poisoned (`nan`) sum has only poisoned higher powers (`d^4` overflows
    /// first); and, with `m_p = S_p / n` and `B = max |fl(extreme - c)|`,
    /// `fl(min - c) <= m_1 <= fl(max - c)`, `0 <= m_2 <= B^2`, `|m_3| <= B^3`, `0 <= m_4 <= B^4`
    /// (each term is a rounded power of `|d_i| <= B`, and rounding is monotone), and the
    /// Cauchy–Schwarz inequalities `m_1^2 <= m_2`, `m_2^2 <= m_4`, `m_3^2 <= m_2 m_4`.
    ///
    /// Slack (derived): the sums are exact sums of the rounded terms `fl(d^2)`, `fl(fl(d^2) d)`,
    /// `fl(fl(d^2)^2)`, so the bounds hold exactly for `S_p`; `m_p` is `fl(value(S_p) / n)`, within
    /// about `2 eps` relative of `S_p / n` ([`ExactSum::value`] is within about one ulp), and the
    /// rounded powers move the Cauchy–Schwarz bounds by at most `2 eps` relative. Hence a relative
    /// slack of `8 eps` (`1.8e-15`), plus `2^-1070` absolute for underflow (each subnormal rounding
    /// loses at most `2^-1075`). A file that fails by more than that was not written by an ensemble.
    fn inconsistency(&self, n: u64, name: &str) -> Option<String> {
        const REL: f64 = 8.0 * f64::EPSILON;
        let abs = f64::from_bits(16); // 2^-1070
        if self.count != n {
            return Some(format!("{name}.count = {} but the path ranges hold {n} paths", self.count));
        }
        if !self.shift.is_finite() {
            return Some(format!("{name}.shift = {} is not finite", self.shift));
        }
        for k in 0..3 {
            if !self.sums[k].is_finite() && self.sums[k + 1].is_finite() {
                return Some(format!(
                    "{name}.sums[{k}] is `nan` (overflowed) but sums[{}] is not: higher powers overflow first",
                    k + 1
                ));
            }
        }
        if n == 0 {
            if self.min.is_some() || self.max.is_some() || self.sums.iter().any(|s| s.value() != 0.0) {
                return Some(format!("{name}: no observations, but extremes or non-zero sums"));
            }
            return None;
        }
        let (Some(min), Some(max)) = (self.min, self.max) else {
            return Some(format!("{name}.min / {name}.max: missing for {n} observations"));
        };
        if !(min.is_finite() && max.is_finite() && min <= max) {
            return Some(format!("{name}.min = {min} and {name}.max = {max}: must be finite with min <= max"));
        }
        let nf = n as f64;
        let m: Vec<Option<f64>> = self.sums.iter().map(|s| s.is_finite().then(|| s.value() / nf)).collect();
        let (lo, hi) = (min - self.shift, max - self.shift);
        let b = lo.abs().max(hi.abs());
        let b2 = b * b;
        let bound = [b, b2, b2 * b, b2 * b2];
        let up = |x: f64| x * (1.0 + REL) + abs;
        if let Some(m1) = m[0] {
            if !(m1 >= lo - REL * lo.abs() - abs && m1 <= hi + REL * hi.abs() + abs) {
                return Some(format!(
                    "{name}.sums[0]: the mean {} lies outside [min, max] = [{min}, {max}]",
                    self.shift + m1
                ));
            }
        }
        for k in 1..4 {
            if let Some(mk) = m[k] {
                if k % 2 == 1 && mk < 0.0 {
                    return Some(format!("{name}.sums[{k}] (a sum of even powers) is negative"));
                }
                if mk.abs() > up(bound[k]) {
                    return Some(format!(
                        "{name}.sums[{k}]: the mean of (x - shift)^{} is {mk}, beyond max |x - shift|^{} = {} \
                         (from min and max)",
                        k + 1,
                        k + 1,
                        bound[k]
                    ));
                }
            }
        }
        let sq = |x: f64| ((x + abs) * (1.0 + REL)).sqrt();
        if let (Some(m1), Some(m2)) = (m[0], m[1]) {
            if m1.abs() > sq(m2) {
                return Some(format!(
                    "{name}.sums[1]: the sum of squares is below sums[0]^2 / count (Cauchy–Schwarz): \
                     mean square {m2} < squared mean offset {}",
                    m1 * m1
                ));
            }
        }
        if let (Some(m2), Some(m4)) = (m[1], m[3]) {
            if m2 > sq(m4) {
                return Some(format!(
                    "{name}.sums[3]: the sum of fourth powers is below sums[1]^2 / count (Cauchy–Schwarz)"
                ));
            }
        }
        if let (Some(m2), Some(m3), Some(m4)) = (m[1], m[2], m[3]) {
            if m3.abs() > sq(m2) * sq(m4) + abs {
                return Some(format!("{name}.sums[2]: sums[2]^2 exceeds sums[1] sums[3] (Cauchy–Schwarz)"));
            }
        }
        None
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

/// Sub-bins per octave of a [`LogHistogram`], as a power of two (`2^6 = 64`).
const LOG_SUB_BITS: u32 = 6;
/// Mantissa bits dropped by the bin key.
const LOG_DROP: u32 = 52 - LOG_SUB_BITS;
/// Largest bin key (the bin of `f64::MAX`).
const LOG_MAX_KEY: i32 = 1 + (0x7fef_ffff_ffff_ffffu64 >> LOG_DROP) as i32;

/// The bin key of `d`: `0` for zero, `+-(1 + (bits(|d|) >> 46))` by the sign of `d`; increasing in
/// `d`.
fn log_key(d: f64) -> i32 {
    if d == 0.0 {
        return 0;
    }
    let k = 1 + (d.abs().to_bits() >> LOG_DROP) as i32;
    if d < 0.0 {
        -k
    } else {
        k
    }
}

/// The values of `d` in bin `key`, as `(lo, hi)` (`(0, 0)` for key 0).
fn log_edges(key: i32) -> (f64, f64) {
    if key == 0 {
        return (0.0, 0.0);
    }
    let b = u64::from(key.unsigned_abs() - 1);
    let lo = f64::from_bits(b << LOG_DROP);
    let hi = f64::from_bits((b + 1) << LOG_DROP).min(f64::MAX);
    if key > 0 {
        (lo, hi)
    } else {
        (-hi, -lo)
    }
}

/// Exact, mergeable counts of one quantity in fine logarithmic bins, for quantiles of any scale
/// (medians and interquartile ranges where the variance is infinite: [`Observe::quantiles`]).
///
/// The bins are of `d = x - shift`: zero, and for each sign the intervals between consecutive
/// doubles whose 6 leading mantissa bits agree (64 bins per octave: the bin of `d` is `d`'s bit
/// pattern with the last 46 mantissa bits dropped). A bin's width is at most
/// [`LogHistogram::RESOLUTION`] `= 2^-6` of `|d|` (absolute resolution `|q - shift| / 64` for a
/// quantile `q`), over the whole range of `f64`, with no range to choose in advance. Only non-empty
/// bins are stored; counts merge by integer addition, so shards merge exactly.
///
/// [`Observe::quantiles`]: super::Observe::quantiles
#[derive(Debug, Clone, PartialEq)]
pub struct LogHistogram {
    shift: f64,
    count: u64,
    bins: BTreeMap<i32, u64>,
}

/// Serialised form: `bins` is `"key:count key:count ..."` with increasing keys (see [`log_key`]).
#[derive(Serialize, Deserialize)]
struct LogHistogramJson {
    shift: f64,
    count: u64,
    bins: String,
}

impl Serialize for LogHistogram {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let bins: Vec<String> = self.bins.iter().map(|(k, c)| format!("{k}:{c}")).collect();
        LogHistogramJson { shift: self.shift, count: self.count, bins: bins.join(" ") }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for LogHistogram {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let j = LogHistogramJson::deserialize(d)?;
        let mut bins = BTreeMap::new();
        let mut prev: Option<i32> = None;
        for item in j.bins.split_whitespace() {
            let bad = || D::Error::custom(format!("bins: `{item}` is not key:count with a key in +-{LOG_MAX_KEY}"));
            let (k, c) = item.split_once(':').ok_or_else(bad)?;
            let k: i32 = k.parse().map_err(|_| bad())?;
            let c: u64 = c.parse().map_err(|_| bad())?;
            if k.unsigned_abs() > LOG_MAX_KEY as u32 || c == 0 {
                return Err(bad());
            }
            if prev.is_some_and(|p| k <= p) {
                return Err(D::Error::custom(format!("bins: keys not increasing at `{item}`")));
            }
            prev = Some(k);
            bins.insert(k, c);
        }
        Ok(LogHistogram { shift: j.shift, count: j.count, bins })
    }
}

impl LogHistogram {
    /// Relative bin width: a bin holding `d = x - shift` is at most `RESOLUTION |d|` wide.
    pub const RESOLUTION: f64 = 1.0 / (1u64 << LOG_SUB_BITS) as f64;

    /// Empty, with shift `c` (bins are of `x - c`).
    pub fn new(shift: f64) -> Self {
        LogHistogram { shift, count: 0, bins: BTreeMap::new() }
    }

    /// The shift `c`.
    pub fn shift(&self) -> f64 {
        self.shift
    }

    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Adds one observation.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.count += 1;
        *self.bins.entry(log_key(x - self.shift)).or_insert(0) += 1;
    }

    /// Adds another histogram (exactly). Shifts must be equal.
    pub fn merge(&mut self, o: &LogHistogram) -> Result<()> {
        if self.shift.to_bits() != o.shift.to_bits() {
            return Err(Error::InvalidInput(format!(
                "cannot merge histograms with shifts {} and {}",
                self.shift, o.shift
            )));
        }
        self.count += o.count;
        for (k, c) in &o.bins {
            *self.bins.entry(*k).or_insert(0) += c;
        }
        Ok(())
    }

    /// The non-empty bins in increasing order, as `(lo, hi, count)` in units of `x` (a bin holds
    /// values between `lo` and `hi`; `lo = hi = shift` for the bin of `x = shift`).
    pub fn bins(&self) -> impl Iterator<Item = (f64, f64, u64)> + '_ {
        self.bins.iter().map(|(&k, &c)| {
            let (lo, hi) = log_edges(k);
            (self.shift + lo, self.shift + hi, c)
        })
    }

    /// The bin (key, count before it, its count) holding the observation of 1-based rank `r`.
    /// (The last bin when the counts hold fewer than `r`; `None` when there is no bin.)
    fn bin_of_rank(&self, r: u64) -> Option<(i32, u64, u64)> {
        let mut before = 0u64;
        for (&k, &c) in &self.bins {
            if before + c >= r {
                return Some((k, before, c));
            }
            before += c;
        }
        self.bins.iter().next_back().map(|(&k, &c)| (k, before - c, c))
    }

    /// The `p`-quantile with an order-statistic confidence interval at `level`.
    ///
    /// Value: the grouped-data quantile (linear interpolation within the bin holding rank `p n`,
    /// observations spread evenly in their bin). Interval: the distribution-free interval
    /// `[x_(r), x_(s)]` with `r`, `s` the ranks `n p -+ z sqrt(n p (1-p))` rounded up, clipped to
    /// `1..=n`, `z = Phi^-1((1 + level)/2)` (Conover, *Practical Nonparametric Statistics*, 3rd
    /// ed. 1999, §3.2, large-sample approximation), widened to the edges of the bins holding those
    /// order statistics, so that it covers the binning error as well. `se`: the half-width over `z`,
    /// the normal-equivalent standard error; asymptotically `sqrt(p (1-p) / n) / f(q)` plus the bin
    /// width (Serfling 1980, *Approximation Theorems of Mathematical Statistics*, §2.3.3), with no
    /// density estimate needed.
    ///
    /// Errors: `p` or `level` outside `(0, 1)`, no observations.
    pub fn quantile(&self, p: f64, level: f64) -> Result<Estimate> {
        crate::error::check_open("p", p, 0.0, 1.0, "in (0, 1)")?;
        crate::error::check_open("level", level, 0.0, 1.0, "in (0, 1)")?;
        let none = || Error::InvalidInput("no observations: no quantile".into());
        if self.count == 0 {
            return Err(none());
        }
        let n = self.count as f64;
        // The continuous rank u in [0, n): bin with before <= u < before + count.
        let u = p * n;
        let r = (u.floor() as u64 + 1).min(self.count);
        let (k, before, c) = self.bin_of_rank(r).ok_or_else(none)?;
        let (a, b) = log_edges(k);
        let value = a + (b - a) * ((u - before as f64) / c as f64).clamp(0.0, 1.0);
        let z = normal_quantile(0.5 + 0.5 * level);
        let h = z * (n * p * (1.0 - p)).sqrt();
        let rank = |x: f64| (x.ceil().clamp(1.0, n)) as u64;
        let lo = log_edges(self.bin_of_rank(rank(u - h)).ok_or_else(none)?.0).0;
        let hi = log_edges(self.bin_of_rank(rank(u + h)).ok_or_else(none)?.0).1;
        Ok(Estimate {
            value: self.shift + value,
            se: (hi - lo) / (2.0 * z),
            ci: Interval { lo: self.shift + lo, hi: self.shift + hi, level },
        })
    }

    /// The interquartile range `q_0.75 - q_0.25` ([`LogHistogram::quantile`]) with its standard
    /// error and the normal interval at `level`.
    ///
    /// `se^2 = se_1^2 + se_3^2 - 2 se_1 se_3 / 3` (derived): sample quantiles are jointly
    /// asymptotically normal with `Cov(q_p1, q_p2) = p1 (1 - p2) / (n f(q_p1) f(q_p2))` for
    /// `p1 <= p2` (Serfling 1980, §2.3.3), and `se_i = sqrt(p_i (1 - p_i) / n) / f(q_i)`, so the
    /// covariance is `p1 (1-p2) / sqrt(p1 (1-p1) p2 (1-p2)) se_1 se_3 = se_1 se_3 / 3` for the
    /// quartiles.
    pub fn iqr(&self, level: f64) -> Result<Estimate> {
        let q1 = self.quantile(0.25, level)?;
        let q3 = self.quantile(0.75, level)?;
        let se = (q1.se * q1.se + q3.se * q3.se - 2.0 * q1.se * q3.se / 3.0).max(0.0).sqrt();
        Ok(Estimate::normal(q3.value - q1.value, se, level))
    }

    /// Why these bins cannot be the quantile observer of the observations summarised by `p`.
    fn inconsistency(&self, p: &PowerSums, name: &str) -> Option<String> {
        if self.shift.to_bits() != p.shift.to_bits() {
            return Some(format!("{name}.shift = {} but the power sums have shift {}", self.shift, p.shift));
        }
        if self.count != p.count {
            return Some(format!("{name}.count = {} but the path ranges hold {} paths", self.count, p.count));
        }
        let total = self.bins.values().try_fold(0u64, |a, &c| a.checked_add(c));
        if total != Some(self.count) {
            return Some(format!("{name}.bins: the bin counts do not add up to count = {}", self.count));
        }
        if let (Some(min), Some(max)) = (p.min, p.max) {
            let first = self.bins.keys().next().copied();
            let last = self.bins.keys().next_back().copied();
            if first != Some(log_key(min - self.shift)) || last != Some(log_key(max - self.shift)) {
                return Some(format!("{name}.bins: the first and last bins do not hold min = {min} and max = {max}"));
            }
        }
        None
    }
}

/// Plain-number statistics of one entry of power sums: what [`Summary::to_json`] writes beside
/// the exact sums, and what a pipeline reads. `None` where the statistic does not exist, with the
/// reason in `note`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decoded {
    /// Sample mean (`None` with no paths, or for an alpha-stable driver with `alpha <= 1`).
    pub mean: Option<f64>,
    /// Standard error of the mean, `sqrt(variance / n)` (`None` with fewer than 2 paths, or for an
    /// alpha-stable driver with `alpha < 2`).
    pub se: Option<f64>,
    /// Unbiased sample variance (`None` with fewer than 2 paths, or with infinite variance).
    pub variance: Option<f64>,
    /// Standard error of the variance (`None` with fewer than 4 paths, or with infinite variance).
    pub variance_se: Option<f64>,
    /// Why a statistic is missing (`None` when none is).
    pub note: Option<String>,
}

impl Decoded {
    /// The statistics of `p`, a state after the first step when `after_start` (the state at step 0
    /// is the initial value, with zero variance whatever the driver), for a driver of tail index
    /// `tail` ([`Summary::tail_index`]).
    fn of(p: &PowerSums, tail: Option<f64>, after_start: bool) -> Decoded {
        let fin = |x: f64| x.is_finite().then_some(x);
        match tail.filter(|_| after_start && p.count > 0) {
            Some(alpha) => Decoded {
                mean: if alpha > 1.0 { fin(p.mean()) } else { None },
                se: None,
                variance: None,
                variance_se: None,
                note: Some(if alpha > 1.0 {
                    format!(
                        "alpha-stable driver with alpha = {alpha} < 2: the variance is infinite, so there is no \
                         variance and no standard error of the mean; see the quantiles (median, IQR)"
                    )
                } else {
                    format!(
                        "alpha-stable driver with alpha = {alpha} <= 1: the mean and the variance are infinite \
                         or undefined; see the quantiles (median, IQR)"
                    )
                }),
            },
            None => {
                let d = Decoded {
                    mean: fin(p.mean()),
                    se: fin(p.mean_se()),
                    variance: fin(p.variance()),
                    variance_se: fin(p.variance_se()),
                    note: None,
                };
                let note = match p.count {
                    0 => Some("no paths"),
                    1 => Some("one path: no variance"),
                    2 | 3 => Some("fewer than 4 paths: no standard error of the variance"),
                    _ if d.mean.is_none() || d.variance.is_none() => Some("the sums overflowed"),
                    _ => None,
                };
                Decoded { note: note.map(String::from), ..d }
            }
        }
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
    /// The stability index `alpha` of an alpha-stable driver with `alpha < 2` (`None` otherwise):
    /// the observed states then have infinite variance (and no mean for `alpha <= 1`; module
    /// docs), and [`Summary::decoded`] gives neither.
    #[serde(default)]
    pub tail_index: Option<f64>,
    /// Power sums, indexed `[time index][component]`.
    pub moments: Vec<Vec<PowerSums>>,
    /// Quantile observer ([`LogHistogram`]), indexed `[time index][component]`, if requested.
    #[serde(default)]
    pub quantiles: Option<Vec<Vec<LogHistogram>>>,
    /// Optional histogram.
    pub histogram: Option<Histogram>,
    /// Power sums of each path's running minimum, per component (if requested).
    pub running_min: Option<Vec<PowerSums>>,
    /// Power sums of each path's running maximum, per component (if requested).
    pub running_max: Option<Vec<PowerSums>>,
}

/// Format tag written in every summary.
pub const SUMMARY_FORMAT: &str = "fracnoise-sde-summary-v1";

/// Confidence level of the quantile intervals in the JSON form.
const JSON_LEVEL: f64 = 0.95;

/// An estimate as the JSON form writes it.
#[derive(Serialize)]
struct EstimateJson {
    value: f64,
    se: f64,
    ci: [f64; 2],
}

impl From<Estimate> for EstimateJson {
    fn from(e: Estimate) -> Self {
        EstimateJson { value: e.value, se: e.se, ci: [e.ci.lo, e.ci.hi] }
    }
}

/// Power sums with their decoded statistics beside them.
#[derive(Serialize)]
struct PowerSumsJson<'a> {
    #[serde(flatten)]
    sums: &'a PowerSums,
    #[serde(flatten)]
    decoded: Decoded,
}

impl<'a> PowerSumsJson<'a> {
    fn new(sums: &'a PowerSums, tail: Option<f64>, after_start: bool) -> Self {
        PowerSumsJson { sums, decoded: Decoded::of(sums, tail, after_start) }
    }
}

/// Quantile bins with the quartiles beside them.
#[derive(Serialize)]
struct QuantilesJson<'a> {
    #[serde(flatten)]
    bins: &'a LogHistogram,
    q25: Option<EstimateJson>,
    median: Option<EstimateJson>,
    q75: Option<EstimateJson>,
    iqr: Option<EstimateJson>,
    level: f64,
    resolution: f64,
}

impl<'a> QuantilesJson<'a> {
    fn new(bins: &'a LogHistogram) -> Self {
        let e = |p: f64| bins.quantile(p, JSON_LEVEL).ok().map(EstimateJson::from);
        QuantilesJson {
            bins,
            q25: e(0.25),
            median: e(0.5),
            q75: e(0.75),
            iqr: bins.iqr(JSON_LEVEL).ok().map(EstimateJson::from),
            level: JSON_LEVEL,
            resolution: LogHistogram::RESOLUTION,
        }
    }
}

/// The JSON form of a [`Summary`].
#[derive(Serialize)]
struct SummaryJson<'a> {
    format: &'a str,
    config: &'a serde_json::Value,
    paths: &'a [[u64; 2]],
    dim: usize,
    steps: &'a [usize],
    times: &'a [f64],
    tail_index: Option<f64>,
    moments: Vec<Vec<PowerSumsJson<'a>>>,
    quantiles: Option<Vec<Vec<QuantilesJson<'a>>>>,
    histogram: &'a Option<Histogram>,
    running_min: Option<Vec<PowerSumsJson<'a>>>,
    running_max: Option<Vec<PowerSumsJson<'a>>>,
}

/// The first difference between two JSON values, as `path: a vs b` (`path` extended by `.key`
/// and `[i]`; `absent` for a missing key), or `None` when they are equal.
pub(crate) fn json_difference(a: &serde_json::Value, b: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value as V;
    match (a, b) {
        (V::Object(x), V::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                let p = format!("{path}.{k}");
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => json_difference(u, v, &p),
                    (u, v) => {
                        let show = |w: Option<&V>| w.map_or("absent".to_string(), |w| w.to_string());
                        Some(format!("{p}: {} vs {}", show(u), show(v)))
                    }
                }
            })
        }
        (V::Array(x), V::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (u, v))| json_difference(u, v, &format!("{path}[{i}]")))
        }
        _ if a == b => None,
        _ => Some(format!("{path}: {a} vs {b}")),
    }
}

/// The tail index a configuration implies when it describes its driver as
/// `{"kind": "stable", "alpha": a, ...}` (as the CLI and [`super::EnsembleBuilder`] write it):
/// `Some(Some(a))` for `a < 2`, `Some(None)` for any other described driver, `None` when the
/// configuration describes none.
fn configured_tail_index(config: &serde_json::Value) -> Option<Option<f64>> {
    let kind = config.get("driver")?.get("kind")?.as_str()?;
    if kind != "stable" {
        return Some(None);
    }
    let alpha = config["driver"].get("alpha")?.as_f64()?;
    Some((alpha < 2.0).then_some(alpha))
}

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
    /// `sqrt(var / n)` and the normal 95% interval (errors as [`Summary::power_sums`]). With an
    /// alpha-stable driver ([`Summary::tail_index`]) the standard error is meaningless: use
    /// [`Summary::decoded`] or [`Summary::quantile`].
    pub fn mean(&self, time_index: usize, component: usize) -> Result<Estimate> {
        let p = self.power_sums(time_index, component)?;
        Ok(Estimate::normal(p.mean(), p.mean_se(), 0.95))
    }

    /// Unbiased sample variance of `component` at observation `time_index` with its standard
    /// error (module docs) and the normal 95% interval (errors as [`Summary::power_sums`]). With an
    /// alpha-stable driver ([`Summary::tail_index`]) the variance is infinite: use
    /// [`Summary::decoded`] or [`Summary::iqr`].
    pub fn variance(&self, time_index: usize, component: usize) -> Result<Estimate> {
        let p = self.power_sums(time_index, component)?;
        Ok(Estimate::normal(p.variance(), p.variance_se(), 0.95))
    }

    /// The statistics of `component` at observation `time_index` that exist for this run, as
    /// plain numbers (no variance with infinite variance: [`Decoded`]); errors as
    /// [`Summary::power_sums`].
    pub fn decoded(&self, time_index: usize, component: usize) -> Result<Decoded> {
        let p = self.power_sums(time_index, component)?;
        Ok(Decoded::of(p, self.tail_index, self.steps.get(time_index).is_some_and(|&s| s > 0)))
    }

    /// The quantile observer of `component` at observation `time_index`: an
    /// [`Error::InvalidInput`] when the run did not record one ([`super::Observe::quantiles`]);
    /// errors as [`Summary::power_sums`].
    pub fn quantile_bins(&self, time_index: usize, component: usize) -> Result<&LogHistogram> {
        self.power_sums(time_index, component)?;
        self.quantiles.as_ref().map(|q| &q[time_index][component]).ok_or_else(|| {
            Error::InvalidInput("no quantiles recorded: run the ensemble with Observe::quantiles".into())
        })
    }

    /// The `p`-quantile of `component` at observation `time_index` with an order-statistic
    /// interval at `level` ([`LogHistogram::quantile`]).
    pub fn quantile(&self, time_index: usize, component: usize, p: f64, level: f64) -> Result<Estimate> {
        self.quantile_bins(time_index, component)?.quantile(p, level)
    }

    /// The interquartile range of `component` at observation `time_index`
    /// ([`LogHistogram::iqr`]).
    pub fn iqr(&self, time_index: usize, component: usize, level: f64) -> Result<Estimate> {
        self.quantile_bins(time_index, component)?.iqr(level)
    }

    /// Number of paths covered.
    pub fn path_count(&self) -> u64 {
        self.paths.iter().map(|r| r[1].saturating_sub(r[0])).sum()
    }

    /// Checks that the summary is internally consistent (what [`Summary::from_json`] requires of
    /// a file): an [`Error::InvalidInput`] naming the first inconsistent field.
    ///
    /// The shape (`steps`, `times`, `moments`, `quantiles` agree with each other and with `dim`);
    /// `steps` and `times` increasing, times finite and `>= 0`; path ranges non-empty, sorted and
    /// disjoint; every count equal to the number of paths in the ranges (a failed path fails the
    /// whole run, so there is no separate failure count); every set of power sums consistent with
    /// its count, extremes and itself ([`PowerSums`]: min and max bound the sums, Cauchy–Schwarz);
    /// one shift per component; running extremes bracketing the observed extremes; histogram
    /// counts (with those below and above) adding up to the paths; quantile bins adding up to the
    /// paths, their first and last bins holding min and max; a tail index in `(0, 2)`.
    pub fn check(&self) -> Result<()> {
        match self.inconsistency() {
            None => Ok(()),
            Some(m) => Err(Error::InvalidInput(format!("inconsistent summary: {m}"))),
        }
    }

    fn inconsistency(&self) -> Option<String> {
        let t = self.steps.len();
        if self.dim == 0 {
            return Some("dim = 0".into());
        }
        if self.times.len() != t || self.moments.len() != t {
            return Some(format!(
                "{} steps, {} times and {} rows of moments: must be equal",
                t,
                self.times.len(),
                self.moments.len()
            ));
        }
        if let Some(i) = self.moments.iter().position(|m| m.len() != self.dim) {
            return Some(format!("moments[{i}] has {} entries, dim = {}", self.moments[i].len(), self.dim));
        }
        if let Some(i) = (1..t).find(|&i| self.steps[i] <= self.steps[i - 1]) {
            return Some(format!("steps[{i}] = {} does not increase", self.steps[i]));
        }
        for (i, &x) in self.times.iter().enumerate() {
            if !(x.is_finite() && x >= 0.0) || (i > 0 && x <= self.times[i - 1]) {
                return Some(format!("times[{i}] = {x} is not finite, >= 0 and increasing"));
            }
        }
        let mut n: u64 = 0;
        for (i, r) in self.paths.iter().enumerate() {
            if r[1] <= r[0] {
                return Some(format!("paths[{i}] = [{}, {}) is empty or reversed", r[0], r[1]));
            }
            if i > 0 && r[0] < self.paths[i - 1][1] {
                return Some(format!(
                    "paths[{i}] = [{}, {}) is not after paths[{}] (sorted, disjoint)",
                    r[0],
                    r[1],
                    i - 1
                ));
            }
            n = match n.checked_add(r[1] - r[0]) {
                Some(v) => v,
                None => return Some("the path count overflows".into()),
            };
        }
        for (i, row) in self.moments.iter().enumerate() {
            for (j, p) in row.iter().enumerate() {
                if let Some(m) = p.inconsistency(n, &format!("moments[{i}][{j}]")) {
                    return Some(m);
                }
                if p.shift.to_bits() != self.moments[0][j].shift.to_bits() {
                    return Some(format!("moments[{i}][{j}].shift = {} differs from moments[0][{j}]'s", p.shift));
                }
            }
        }
        match (&self.running_min, &self.running_max) {
            (None, None) => {}
            (Some(lo), Some(hi)) => {
                for (name, v) in [("running_min", lo), ("running_max", hi)] {
                    if v.len() != self.dim {
                        return Some(format!("{name} has {} entries, dim = {}", v.len(), self.dim));
                    }
                    for (j, p) in v.iter().enumerate() {
                        let f = format!("{name}[{j}]");
                        if let Some(m) = p.inconsistency(n, &f) {
                            return Some(m);
                        }
                        if t > 0 && p.shift.to_bits() != self.moments[0][j].shift.to_bits() {
                            return Some(format!("{f}.shift = {} differs from the moments' shift", p.shift));
                        }
                    }
                }
                // Each path's running extremes bracket its observed states.
                for j in 0..self.dim {
                    for (i, row) in self.moments.iter().enumerate() {
                        let p = &row[j];
                        if lo[j].min.zip(p.min).is_some_and(|(a, b)| a > b) {
                            return Some(format!("running_min[{j}].min exceeds moments[{i}][{j}].min"));
                        }
                        if hi[j].max.zip(p.max).is_some_and(|(a, b)| a < b) {
                            return Some(format!("running_max[{j}].max is below moments[{i}][{j}].max"));
                        }
                    }
                }
            }
            _ => return Some("running_min and running_max: one without the other".into()),
        }
        if let Some(h) = &self.histogram {
            if h.component >= self.dim || !(h.lo.is_finite() && h.hi.is_finite() && h.lo < h.hi) || h.counts.is_empty()
            {
                return Some("histogram: component < dim, finite lo < hi and at least one bin required".into());
            }
            let total = h.counts.iter().chain([&h.below, &h.above]).try_fold(0u64, |a, &c| a.checked_add(c));
            if total != Some(n) {
                return Some(format!(
                    "histogram: the bin counts with `below` and `above` add up to {}, but the path ranges hold {n} paths",
                    total.map_or("more than 2^64".to_string(), |v| v.to_string())
                ));
            }
        }
        if let Some(q) = &self.quantiles {
            if q.len() != t || q.iter().any(|r| r.len() != self.dim) {
                return Some("quantiles: must have one entry per time and component".into());
            }
            for (i, row) in q.iter().enumerate() {
                for (j, b) in row.iter().enumerate() {
                    if let Some(m) = b.inconsistency(&self.moments[i][j], &format!("quantiles[{i}][{j}]")) {
                        return Some(m);
                    }
                }
            }
        }
        if let Some(a) = self.tail_index {
            if !(a > 0.0 && a < 2.0) {
                return Some(format!("tail_index = {a}: must be in (0, 2)"));
            }
        }
        None
    }

    /// Adds the paths of `other` (exactly). Errors when the formats, configurations (the message
    /// names the first differing field, e.g. `config.model.theta: 0.5 vs 0.7`), observation
    /// steps, shifts, observers or tail indices differ, or when the path ranges overlap.
    pub fn merge(&mut self, other: &Summary) -> Result<()> {
        let incompatible = |what: String| Error::InvalidInput(format!("cannot merge summaries: {what}"));
        if self.format != other.format {
            return Err(incompatible(format!("formats `{}` and `{}` differ", self.format, other.format)));
        }
        if let Some(d) = json_difference(&self.config, &other.config, "config") {
            return Err(incompatible(format!("different configurations: {d}")));
        }
        if self.dim != other.dim || self.steps != other.steps {
            return Err(incompatible(format!(
                "different observation steps or dimension ({:?} in dimension {} vs {:?} in dimension {})",
                self.steps, self.dim, other.steps, other.dim
            )));
        }
        if self.tail_index.map(f64::to_bits) != other.tail_index.map(f64::to_bits) {
            return Err(incompatible(format!("tail indices {:?} and {:?} differ", self.tail_index, other.tail_index)));
        }
        match (&self.histogram, &other.histogram) {
            (Some(a), Some(b)) if a.same_spec(b) => {}
            (None, None) => {}
            _ => return Err(incompatible("different histogram specifications".into())),
        }
        if self.running_min.is_some() != other.running_min.is_some() {
            return Err(incompatible("one records running extremes, the other does not".into()));
        }
        if self.quantiles.is_some() != other.quantiles.is_some() {
            return Err(incompatible("one records quantiles, the other does not".into()));
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
        if let (Some(a), Some(b)) = (&mut self.quantiles, &other.quantiles) {
            for (x, y) in a.iter_mut().flatten().zip(b.iter().flatten()) {
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

    /// The JSON form: the exact data, with decoded statistics beside them.
    fn json_form(&self) -> SummaryJson<'_> {
        let tail = self.tail_index;
        SummaryJson {
            format: &self.format,
            config: &self.config,
            paths: &self.paths,
            dim: self.dim,
            steps: &self.steps,
            times: &self.times,
            tail_index: tail,
            moments: self
                .moments
                .iter()
                .zip(&self.steps)
                .map(|(row, &s)| row.iter().map(|p| PowerSumsJson::new(p, tail, s > 0)).collect())
                .collect(),
            quantiles: self
                .quantiles
                .as_ref()
                .map(|q| q.iter().map(|row| row.iter().map(QuantilesJson::new).collect()).collect()),
            histogram: &self.histogram,
            running_min: self
                .running_min
                .as_ref()
                .map(|v| v.iter().map(|p| PowerSumsJson::new(p, tail, true)).collect()),
            running_max: self
                .running_max
                .as_ref()
                .map(|v| v.iter().map(|p| PowerSumsJson::new(p, tail, true)).collect()),
        }
    }

    /// JSON text (pretty-printed, ends with a newline). Numbers round-trip exactly. Each entry of
    /// power sums carries its decoded statistics ([`Decoded`]: `mean`, `se`, `variance`,
    /// `variance_se`, `note`) beside the exact sums, and each quantile observer its quartiles,
    /// median and IQR (`value`, `se`, `ci` at 95%); these are derived, and a file whose derived
    /// fields disagree with its exact data is refused by [`Summary::from_json`].
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.json_form()).expect("summaries serialise");
        s.push('\n');
        s
    }

    /// Parses [`Summary::to_json`] output, and refuses a file that is not consistent
    /// ([`Summary::check`]), whose tail index disagrees with a configured stable driver
    /// (`config.driver`; a missing `tail_index` is taken from it), or whose decoded fields (where
    /// present) are not those of its exact data. Errors are [`Error::Format`] naming `origin` and
    /// the field.
    pub fn from_json(text: &str, origin: &str) -> Result<Summary> {
        let fmt = |message: String| Error::Format { path: origin.to_string(), message };
        let raw: serde_json::Value = serde_json::from_str(text).map_err(|e| fmt(e.to_string()))?;
        let tag = raw.get("format").and_then(|f| f.as_str()).unwrap_or("");
        if tag != SUMMARY_FORMAT {
            return Err(fmt(format!("format tag `{tag}`, expected `{SUMMARY_FORMAT}`")));
        }
        let mut s: Summary = serde_json::from_value(raw.clone()).map_err(|e| fmt(e.to_string()))?;
        if let Some(m) = s.inconsistency() {
            return Err(fmt(m));
        }
        if let Some(configured) = configured_tail_index(&s.config) {
            if raw.get("tail_index").is_none() {
                s.tail_index = configured;
            } else if s.tail_index.map(f64::to_bits) != configured.map(f64::to_bits) {
                return Err(fmt(format!(
                    "tail_index = {:?} but config.driver implies {:?} (alpha < 2 of a stable driver)",
                    s.tail_index, configured
                )));
            }
        }
        let expected = serde_json::to_value(s.json_form()).map_err(|e| fmt(e.to_string()))?;
        let decoded = ["mean", "se", "variance", "variance_se", "note"];
        let quartiles = ["q25", "median", "q75", "iqr", "level", "resolution"];
        let mut entries: Vec<(String, &serde_json::Value, &serde_json::Value, &[&str])> = Vec::new();
        for (i, row) in expected["moments"].as_array().into_iter().flatten().enumerate() {
            for (j, e) in row.as_array().into_iter().flatten().enumerate() {
                entries.push((format!("moments[{i}][{j}]"), &raw["moments"][i][j], e, &decoded));
            }
        }
        for name in ["running_min", "running_max"] {
            for (j, e) in expected[name].as_array().into_iter().flatten().enumerate() {
                entries.push((format!("{name}[{j}]"), &raw[name][j], e, &decoded));
            }
        }
        for (i, row) in expected["quantiles"].as_array().into_iter().flatten().enumerate() {
            for (j, e) in row.as_array().into_iter().flatten().enumerate() {
                entries.push((format!("quantiles[{i}][{j}]"), &raw["quantiles"][i][j], e, &quartiles));
            }
        }
        for (name, got, want, keys) in entries {
            for k in keys {
                if let Some(g) = got.get(*k) {
                    if g != &want[*k] {
                        return Err(fmt(format!(
                            "{name}.{k} = {g}, but the exact data give {} (derived fields are written from the \
                             sums and counts: edit those, or drop the derived field)",
                            want[*k]
                        )));
                    }
                }
            }
        }
        Ok(s)
    }

    /// Writes the JSON atomically.
    pub fn write(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        crate::io::write_atomic(path, self.to_json().as_bytes())
    }

    /// Reads a summary file (checked as in [`Summary::from_json`]).
    pub fn read(path: impl AsRef<std::path::Path>) -> Result<Summary> {
        let p = path.as_ref();
        let text = std::fs::read_to_string(p).map_err(|e| Error::Io { path: p.display().to_string(), source: e })?;
        Summary::from_json(&text, &p.display().to_string())
    }
}
