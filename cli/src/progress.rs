//! A progress bar on standard error, shown only when it is a terminal and the job is long.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// A progress bar that is a no-op unless stderr is a terminal and `long` is true.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    pub fn new(long: bool, total: u64, unit: &str) -> Self {
        if !long || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let pb = ProgressBar::new(total);
        let template = format!("{{elapsed_precise}} [{{bar:40}}] {{pos}}/{{len}} {unit} (eta {{eta}})");
        pb.set_style(ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()));
        Progress(Some(pb))
    }

    pub fn set(&self, pos: u64) {
        if let Some(pb) = &self.0 {
            pb.set_position(pos);
        }
    }

    /// Advances the bar by `delta` (callable from many threads at once).
    pub fn inc(&self, delta: u64) {
        if let Some(pb) = &self.0 {
            pb.inc(delta);
        }
    }

    pub fn finish(&self) {
        if let Some(pb) = &self.0 {
            pb.finish_and_clear();
        }
    }
}
