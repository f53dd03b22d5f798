//! The mergeable file form of a first-passage run (`fracnoise passage --summary-out`,
//! `fracnoise merge`): the run's configuration, the horizon and every path's [`Exit`](super::Exit) record.
//!
//! Shards of one run (disjoint path ranges, equal configurations) merge into exactly the records,
//! and therefore exactly the estimates, of one run over all paths.

use super::record::PassageRecords;
use crate::error::{Error, Result, Short};

/// Format tag written in every passage summary.
pub const PASSAGE_FORMAT: &str = "fracnoise-passage-summary-v1";

/// Configuration, horizon and exit records of a first-passage run (or of a shard of one).
#[derive(Debug, Clone, PartialEq)]
pub struct PassageSummary {
    /// Caller's description of the run (model, driver, grid, boundary, correction, seed, total
    /// paths); summaries merge only when these are equal.
    pub config: serde_json::Value,
    /// The horizon: censoring time of paths still inside.
    pub horizon: f64,
    /// Exit records, in path order.
    pub records: PassageRecords,
}

impl PassageSummary {
    /// Number of paths covered.
    pub fn path_count(&self) -> u64 {
        self.records.len() as u64
    }

    /// Adds the records of `other` (a disjoint shard of the same run). Errors when the
    /// configurations differ (the message names the first differing field, e.g.
    /// `config.model.theta: 1.0 vs 2.0`), the horizons differ, or the path ranges overlap.
    pub fn merge(&mut self, other: &PassageSummary) -> Result<()> {
        if let Some(d) = crate::sde::summary::json_difference(&self.config, &other.config, "config") {
            return Err(Error::InvalidInput(format!("cannot merge passage summaries: different configurations: {d}")));
        }
        if self.horizon.to_bits() != other.horizon.to_bits() {
            return Err(Error::InvalidInput(format!(
                "cannot merge passage summaries: horizons {} and {} differ",
                Short(self.horizon),
                Short(other.horizon)
            )));
        }
        self.records.merge(&other.records)
    }

    /// JSON text (ends with a newline); numbers round-trip exactly.
    pub fn to_json(&self) -> String {
        let v = serde_json::json!({
            "format": PASSAGE_FORMAT,
            "config": self.config,
            "horizon": self.horizon,
            "records": self.records.to_json_value(),
        });
        let mut s = serde_json::to_string(&v).expect("passage summaries serialise");
        s.push('\n');
        s
    }

    /// Parses [`PassageSummary::to_json`] output, checking the format tag, the horizon and the
    /// records' consistency (see [`PassageRecords::from_json_value`]); no record may lie beyond
    /// the horizon, and a censored path is censored at the horizon (where the ensemble censors
    /// it: the survival estimators treat its time as the last time it was seen inside).
    pub fn from_json(text: &str, origin: &str) -> Result<Self> {
        let fmt = |message: String| Error::Format { path: origin.to_string(), message };
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| fmt(e.to_string()))?;
        let tag = v.get("format").and_then(|f| f.as_str()).unwrap_or("");
        if tag != PASSAGE_FORMAT {
            return Err(fmt(format!("format tag `{tag}`, expected `{PASSAGE_FORMAT}`")));
        }
        let horizon = v.get("horizon").and_then(|h| h.as_f64()).ok_or_else(|| fmt("missing `horizon`".into()))?;
        if !(horizon.is_finite() && horizon > 0.0) {
            return Err(fmt(format!("horizon {} is not finite and > 0", Short(horizon))));
        }
        let records = PassageRecords::from_json_value(v.get("records").unwrap_or(&serde_json::Value::Null), origin)?;
        if let Some(e) = records.exits().iter().find(|e| e.time > horizon) {
            return Err(fmt(format!("a record at t = {} lies beyond the horizon {}", Short(e.time), Short(horizon))));
        }
        if let Some((i, e)) =
            records.exits().iter().enumerate().find(|(_, e)| e.is_censored() && e.time.to_bits() != horizon.to_bits())
        {
            return Err(fmt(format!(
                "records.times[{i}]: a path censored at t = {}, not at the horizon {horizon}",
                e.time
            )));
        }
        Ok(PassageSummary { config: v.get("config").cloned().unwrap_or(serde_json::Value::Null), horizon, records })
    }

    /// Writes the JSON atomically.
    pub fn write(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        crate::io::write_atomic(path, self.to_json().as_bytes())
    }

    /// Reads a passage summary file.
    pub fn read(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let p = path.as_ref();
        let text = std::fs::read_to_string(p).map_err(|e| Error::Io { path: p.display().to_string(), source: e })?;
        Self::from_json(&text, &p.display().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passage::{Exit, Side};

    #[test]
    fn round_trip_and_merge_checks() {
        let a = PassageRecords::new(0, vec![Exit::exited(0.1 + 0.2, Side::Upper), Exit::censored(5.0)]).unwrap();
        let b = PassageRecords::new(2, vec![Exit::exited(1.0 / 3.0, Side::Lower)]).unwrap();
        let cfg = serde_json::json!({"x": 1});
        let mut s = PassageSummary { config: cfg.clone(), horizon: 5.0, records: a };
        let t = PassageSummary::from_json(&s.to_json(), "t").unwrap();
        assert_eq!(t, s);
        s.merge(&PassageSummary { config: cfg.clone(), horizon: 5.0, records: b.clone() }).unwrap();
        assert_eq!(s.path_count(), 3);
        assert!(s
            .clone()
            .merge(&PassageSummary { config: serde_json::json!({"x": 2}), horizon: 5.0, records: b.clone() })
            .is_err());
        assert!(s.clone().merge(&PassageSummary { config: cfg, horizon: 4.0, records: b }).is_err());
        let bad = s.to_json().replace("\"horizon\":5.0", "\"horizon\":4.0");
        assert!(PassageSummary::from_json(&bad, "t").is_err());
    }
}
