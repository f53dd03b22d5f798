//! Per-path exit records: what every first-passage estimator takes, and what shards merge.
//!
//! A path either exits at a time `T` through a side ([`Side`]) or is still inside the domain at
//! the horizon and is **censored** there: its exit time is only known to exceed the horizon.
//! Censored paths are never dropped and never counted as exits (dropping them biases every
//! mean and quantile downwards; counting them as exits at the horizon biases survival).
//!
//! [`PassageRecords`] holds one [`Exit`] per path of a set of path ranges, in path order: memory
//! `O(paths)`, nothing per step. Records of disjoint shards merge by interleaving ranges, so the
//! merged records, and every estimate computed from them, are bit-identical to one run over all
//! paths (`tests/passage_ensemble.rs`).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The side through which a path left its domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Side {
    /// Through the upper boundary (`X >= upper`).
    Upper,
    /// Through the lower boundary (`X <= lower`).
    Lower,
}

/// What happened to one path: exited at `time` through `side`, or censored at `time` (the
/// horizon) when `side` is `None`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exit {
    /// Exit time, or the censoring time (the horizon) for a censored path.
    pub time: f64,
    /// Exit side; `None` for a censored path.
    pub side: Option<Side>,
}

impl Exit {
    /// A path that left through `side` at `time`.
    pub fn exited(time: f64, side: Side) -> Self {
        Exit { time, side: Some(side) }
    }

    /// A path still inside at the horizon `time`.
    pub fn censored(time: f64) -> Self {
        Exit { time, side: None }
    }

    /// True when the path did not exit before the horizon.
    pub fn is_censored(&self) -> bool {
        self.side.is_none()
    }

    fn code(&self) -> char {
        match self.side {
            Some(Side::Upper) => 'u',
            Some(Side::Lower) => 'l',
            None => 'c',
        }
    }
}

/// Exit records of the paths in `ranges` (sorted, disjoint, coalesced `[start, end)`), in path
/// order: `exits[j]` belongs to the `j`-th path counted across the ranges.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PassageRecords {
    ranges: Vec<[u64; 2]>,
    exits: Vec<Exit>,
}

/// Serialised form: times as JSON numbers (exact round trip), sides as one character per path
/// (`u` upper, `l` lower, `c` censored).
#[derive(Serialize, Deserialize)]
struct RecordsJson {
    paths: Vec<[u64; 2]>,
    times: Vec<f64>,
    sides: String,
}

impl PassageRecords {
    /// Records of paths `first..first + exits.len()`.
    pub fn new(first: u64, exits: Vec<Exit>) -> Result<Self> {
        let n = u64::try_from(exits.len()).map_err(|_| Error::InvalidInput("too many records".into()))?;
        let end = first
            .checked_add(n)
            .ok_or_else(|| Error::InvalidInput(format!("path range {first} + {n} overflows u64")))?;
        let ranges = if n > 0 { vec![[first, end]] } else { Vec::new() };
        Ok(PassageRecords { ranges, exits })
    }

    /// Path ranges covered, `[start, end)`.
    pub fn ranges(&self) -> &[[u64; 2]] {
        &self.ranges
    }

    /// The records, in path order.
    pub fn exits(&self) -> &[Exit] {
        &self.exits
    }

    /// Number of paths.
    pub fn len(&self) -> usize {
        self.exits.len()
    }

    /// True when no path is recorded.
    pub fn is_empty(&self) -> bool {
        self.exits.is_empty()
    }

    /// Number of censored paths.
    pub fn censored(&self) -> usize {
        self.exits.iter().filter(|e| e.is_censored()).count()
    }

    /// Adds the records of `other`, whose path ranges must not overlap these. The result is the
    /// same whatever the order of merging (records are kept in path order).
    pub fn merge(&mut self, other: &PassageRecords) -> Result<()> {
        // Segments (range, slice of exits), from both sides, sorted by range start.
        let mut segs: Vec<([u64; 2], &[Exit])> = Vec::with_capacity(self.ranges.len() + other.ranges.len());
        for recs in [&*self, other] {
            let mut at = 0usize;
            for r in &recs.ranges {
                let len = (r[1] - r[0]) as usize;
                segs.push((*r, &recs.exits[at..at + len]));
                at += len;
            }
        }
        segs.sort_unstable_by_key(|(r, _)| r[0]);
        for w in segs.windows(2) {
            if w[1].0[0] < w[0].0[1] {
                return Err(Error::InvalidInput(format!(
                    "cannot merge passage records: path ranges [{}, {}) and [{}, {}) overlap (the same shard twice?)",
                    w[0].0[0], w[0].0[1], w[1].0[0], w[1].0[1]
                )));
            }
        }
        let mut ranges: Vec<[u64; 2]> = Vec::new();
        let mut exits = Vec::with_capacity(self.exits.len() + other.exits.len());
        for (r, e) in segs {
            match ranges.last_mut() {
                Some(last) if last[1] == r[0] => last[1] = r[1],
                _ => ranges.push(r),
            }
            exits.extend_from_slice(e);
        }
        *self = PassageRecords { ranges, exits };
        Ok(())
    }

    /// JSON value of the records (see the serialised form in the source).
    pub fn to_json_value(&self) -> serde_json::Value {
        let j = RecordsJson {
            paths: self.ranges.clone(),
            times: self.exits.iter().map(|e| e.time).collect(),
            sides: self.exits.iter().map(Exit::code).collect(),
        };
        serde_json::to_value(j).expect("records serialise")
    }

    /// Parses [`PassageRecords::to_json_value`] output, checking that ranges are sorted, disjoint
    /// and non-empty, that their total matches the number of records, and that every time is
    /// finite and non-negative.
    pub fn from_json_value(v: &serde_json::Value, origin: &str) -> Result<Self> {
        let fmt = |message: String| Error::Format { path: origin.to_string(), message };
        let j: RecordsJson = serde_json::from_value(v.clone()).map_err(|e| fmt(e.to_string()))?;
        let mut total: u64 = 0;
        let mut prev_end: Option<u64> = None;
        for r in &j.paths {
            if r[1] <= r[0] {
                return Err(fmt(format!("empty or reversed path range [{}, {})", r[0], r[1])));
            }
            if prev_end.is_some_and(|e| r[0] < e) {
                return Err(fmt("path ranges are not sorted and disjoint".into()));
            }
            prev_end = Some(r[1]);
            total = total.checked_add(r[1] - r[0]).ok_or_else(|| fmt("path count overflows".into()))?;
        }
        let sides: Vec<char> = j.sides.chars().collect();
        if total != j.times.len() as u64 || sides.len() != j.times.len() {
            return Err(fmt(format!(
                "{} paths in the ranges but {} times and {} sides",
                total,
                j.times.len(),
                sides.len()
            )));
        }
        let mut exits = Vec::with_capacity(j.times.len());
        for (i, (&t, &c)) in j.times.iter().zip(&sides).enumerate() {
            if !(t.is_finite() && t >= 0.0) {
                return Err(fmt(format!("record {i}: time {} is not finite and >= 0", crate::error::Short(t))));
            }
            let side = match c {
                'u' => Some(Side::Upper),
                'l' => Some(Side::Lower),
                'c' => None,
                _ => return Err(fmt(format!("record {i}: side `{c}` is not u, l or c"))),
            };
            exits.push(Exit { time: t, side });
        }
        Ok(PassageRecords { ranges: j.paths, exits })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recs(first: u64, n: usize) -> PassageRecords {
        let e = (0..n)
            .map(|i| {
                let p = first + i as u64;
                match p % 3 {
                    0 => Exit::exited(p as f64 * 0.5, Side::Upper),
                    1 => Exit::exited(p as f64 * 0.25, Side::Lower),
                    _ => Exit::censored(10.0),
                }
            })
            .collect();
        PassageRecords::new(first, e).unwrap()
    }

    #[test]
    fn merge_is_order_free_and_rejects_overlap() {
        let whole = recs(0, 10);
        let (a, b, c) = (recs(0, 3), recs(3, 4), recs(7, 3));
        let mut m1 = c.clone();
        m1.merge(&a).unwrap();
        m1.merge(&b).unwrap();
        assert_eq!(m1, whole);
        let mut m2 = a.clone();
        assert!(m2.merge(&recs(2, 3)).is_err());
        assert_eq!(whole.censored(), 3);
        let v = whole.to_json_value();
        assert_eq!(PassageRecords::from_json_value(&v, "x").unwrap(), whole);
        let mut bad = v.clone();
        bad["paths"] = serde_json::json!([[0, 9]]);
        assert!(PassageRecords::from_json_value(&bad, "x").is_err());
        let mut bad = v;
        bad["paths"] = serde_json::json!([[5, 0]]);
        assert!(PassageRecords::from_json_value(&bad, "x").is_err());
    }
}
