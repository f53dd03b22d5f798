//! Ctrl-C during long calls: work is done in blocks of rows (paths, series) with the GIL released,
//! and between blocks the calling thread takes the GIL back and runs `Python::check_signals`, so
//! a `KeyboardInterrupt` (or any signal handler's exception) ends the call within about one block.
//!
//! Blocks are sized by time (about 0.1 s each: doubled while shorter, halved while longer than
//! 0.4 s), never by the data, and every caller's work is indexed by the global row (path `i`
//! draws from `seed.stream(i)`, fGn pairs stay whole, summaries merge exactly), so the bits do not
//! depend on the block sizes.

use crate::errors::IntoPy;
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
    work: impl FnMut(Python<'_>, std::ops::Range<u64>) -> PyResult<()>,
) -> PyResult<()> {
    in_blocks_from(py, total, align, align, u64::MAX, work)
}

/// [`in_blocks`] whose first block has `first` rows (rounded up to a multiple of `align`), for
/// callers that know a row is cheap: fewer, larger blocks keep every thread busy from the start
/// (each block is one parallel call) at no cost to Ctrl-C (a block still takes milliseconds).
///
/// No block grows past `max` rows (rounded up to a multiple of `align`). Callers that write a
/// fresh output set `max` from the bytes a block touches: the first touch of fresh memory costs
/// what the system makes it cost (in a virtual machine whose host backs guest pages lazily, the
/// same 64 MiB numpy array was filled in 0.05 s in one run and 1.06 s in the next), so the time
/// of the previous block is no bound on the next one's, and a doubled block could hold Ctrl-C
/// off for a second.
pub fn in_blocks_from(
    py: Python<'_>,
    total: u64,
    align: u64,
    first: u64,
    max: u64,
    mut work: impl FnMut(Python<'_>, std::ops::Range<u64>) -> PyResult<()>,
) -> PyResult<()> {
    let align = align.max(1);
    let max = max.max(1).div_ceil(align).saturating_mul(align);
    let mut block = first.max(1).div_ceil(align).saturating_mul(align).min(max);
    let mut start = 0u64;
    while start < total {
        let end = start.saturating_add(block).min(total);
        let t0 = Instant::now();
        work(py, start..end)?;
        py.check_signals()?;
        let took = t0.elapsed();
        if took < SHORT {
            block = block.saturating_mul(2).min(max);
        } else if took > LONG && block >= 2 * align {
            block /= 2;
        }
        start = end;
    }
    Ok(())
}

/// [`in_blocks`] for results that merge: `run(py, rows)` makes one block's part (releasing the
/// GIL itself), and the parts are merged in block order with `merge(acc, part)` (exact merges,
/// such as summaries and passage records, give the result of one run). `None` when `total == 0`.
pub fn merged_in_blocks<T>(
    py: Python<'_>,
    total: u64,
    mut run: impl FnMut(Python<'_>, std::ops::Range<u64>) -> PyResult<T>,
    merge: impl Fn(&mut T, &T) -> fracnoise::Result<()>,
) -> PyResult<Option<T>> {
    let mut acc: Option<T> = None;
    in_blocks(py, total, 1, |py, rows| {
        let part = run(py, rows)?;
        match &mut acc {
            Some(a) => merge(a, &part).py(),
            None => {
                acc = Some(part);
                Ok(())
            }
        }
    })?;
    Ok(acc)
}
