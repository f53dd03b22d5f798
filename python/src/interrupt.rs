//! Ctrl-C during long calls: work is done in blocks of rows (paths, series) with the GIL released,
//! and between blocks the calling thread takes the GIL back and runs `Python::check_signals`, so
//! a `KeyboardInterrupt` (or any signal handler's exception) ends the call within about one block.
//!
//! Blocks are sized by time (about 0.1 s each: doubled while shorter, halved while longer than
//! 0.4 s), never by the data, and every caller's work is indexed by the global row (path `i`
//! draws from `seed.stream(i)`, fGn pairs stay whole, summaries merge exactly), so the bits do not
//! depend on the block sizes.

use pyo3::prelude::*;
use std::time::{Duration, Instant};

/// A block shorter than this is doubled next time.
const SHORT: Duration = Duration::from_millis(100);
/// A block longer than this is halved next time.
const LONG: Duration = Duration::from_millis(400);

/// Calls `work(py, rows)` on consecutive blocks of `0..total` (each block a multiple of `align`
/// rows except possibly the last) and checks for signals after each block; returns the first
/// error, or the signal handler's exception (e.g. `KeyboardInterrupt`).
///
/// `work` itself releases the GIL around the heavy part (`py.allow_threads`).
pub fn in_blocks(
    py: Python<'_>,
    total: u64,
    align: u64,
    mut work: impl FnMut(Python<'_>, std::ops::Range<u64>) -> PyResult<()>,
) -> PyResult<()> {
    let align = align.max(1);
    let mut block = align;
    let mut start = 0u64;
    while start < total {
        let end = start.saturating_add(block).min(total);
        let t0 = Instant::now();
        work(py, start..end)?;
        py.check_signals()?;
        let took = t0.elapsed();
        if took < SHORT {
            block = block.saturating_mul(2);
        } else if took > LONG && block >= 2 * align {
            block /= 2;
        }
        start = end;
    }
    Ok(())
}
