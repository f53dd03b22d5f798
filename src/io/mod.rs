//! Output writers: `.npy` (numpy), CSV, and raw little-endian `f64` / `f32`.
//!
//! * [`MatrixWriter`] streams a `rows x cols` matrix row by row into any [`std::io::Write`] (a file,
//!   or standard output for piping into other tools) without holding it in memory; the `.npy` header
//!   is written first, from the declared shape.
//! * [`AtomicFile`] writes to a temporary file beside the target and renames it into place on
//!   [`AtomicFile::commit`]; a run that fails or is interrupted leaves no half-written output (the
//!   temporary file is removed on drop, or by [`remove_temp_files`] on a signal). Links are
//!   followed, FIFOs and devices written directly, an existing file keeps its mode;
//!   [`check_output`] refuses an unwritable destination before the work.
//! * [`write_matrix`] and [`write_npy`] combine the two for whole arrays.
//! * [`read::read_series`] reads one series from `.npy`, CSV or text, from a file or stdin;
//!   [`read::read_all`] reads all of them at once, keeping the shape.

mod atomic;
mod format;
mod npy;
pub mod read;

pub use atomic::{check_output, remove_temp_files, write_atomic, AtomicFile};
pub use format::{encode_row, write_matrix, Format, MatrixWriter};
pub use npy::{npy_header, write_npy, NpyDtype};
