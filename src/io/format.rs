//! Streaming matrix writers for the supported output formats.

use super::npy::{npy_header, NpyDtype};
use crate::error::{Error, Result};
use std::io::Write;
use std::str::FromStr;

/// Output format of a matrix (rows = paths, columns = time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.npy` with `float64` elements (shape `(rows, cols)`, C order).
    Npy,
    /// `.npy` with `float32` elements.
    Npy32,
    /// Comma-separated text, one row per line, shortest round-trip decimal representation.
    Csv,
    /// Raw little-endian `f64`, row-major, no header.
    F64Le,
    /// Raw little-endian `f32`, row-major, no header.
    F32Le,
}

impl FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "npy" => Ok(Format::Npy),
            "npy32" => Ok(Format::Npy32),
            "csv" => Ok(Format::Csv),
            "f64le" => Ok(Format::F64Le),
            "f32le" => Ok(Format::F32Le),
            _ => {
                Err(Error::InvalidInput(format!("unknown format `{s}`: must be one of npy, npy32, csv, f64le, f32le")))
            }
        }
    }
}

impl Format {
    /// The format implied by a file extension, if any (case-insensitive): `.npy` (float64; a
    /// `.npy` may also hold [`Format::Npy32`]), `.csv`, `.f64` ([`Format::F64Le`]), `.f32`
    /// ([`Format::F32Le`]).
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "npy" => Some(Format::Npy),
            "csv" => Some(Format::Csv),
            "f64" => Some(Format::F64Le),
            "f32" => Some(Format::F32Le),
            _ => None,
        }
    }

    /// The name of the format, as [`Format::from_str`] reads it (`npy`, `npy32`, `csv`, `f64le`,
    /// `f32le`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Npy => "npy",
            Format::Npy32 => "npy32",
            Format::Csv => "csv",
            Format::F64Le => "f64le",
            Format::F32Le => "f32le",
        }
    }
}

/// Writes a `rows x cols` matrix row by row in a [`Format`]; the header (for `.npy`) goes out
/// first, so the matrix never has to be in memory whole.
#[derive(Debug)]
pub struct MatrixWriter<W: Write> {
    out: W,
    format: Format,
    rows: usize,
    cols: usize,
    written: usize,
    buf: Vec<u8>,
}

impl<W: Write> MatrixWriter<W> {
    /// Starts a matrix of the given shape (writes the `.npy` header now).
    pub fn new(mut out: W, format: Format, rows: usize, cols: usize) -> std::io::Result<Self> {
        match format {
            Format::Npy => out.write_all(&npy_header(NpyDtype::F64, &[rows, cols]))?,
            Format::Npy32 => out.write_all(&npy_header(NpyDtype::F32, &[rows, cols]))?,
            _ => {}
        }
        Ok(MatrixWriter { out, format, rows, cols, written: 0, buf: Vec::new() })
    }

    /// Writes the next row; errors if its length is not `cols` or all rows are written.
    pub fn write_row(&mut self, row: &[f64]) -> std::io::Result<()> {
        use std::io::{Error as IoError, ErrorKind};
        if row.len() != self.cols {
            return Err(IoError::new(
                ErrorKind::InvalidInput,
                format!("row has {} values, expected {}", row.len(), self.cols),
            ));
        }
        if self.written == self.rows {
            return Err(IoError::new(ErrorKind::InvalidInput, format!("all {} rows already written", self.rows)));
        }
        self.buf.clear();
        encode_row(self.format, row, &mut self.buf);
        self.written += 1;
        self.out.write_all(&self.buf)
    }

    /// Writes bytes already encoded by [`encode_row`] in this writer's format, which complete
    /// `rows` rows of `cols` values (concatenated rows; for the binary formats, which have no row
    /// ends, any run of values, `rows` then counting the rows finished so far, 0 included). Lets
    /// producers encode blocks of rows in parallel and write them in order. Errors if `rows`
    /// would exceed the declared row count; the byte content is the caller's responsibility.
    pub fn write_encoded(&mut self, bytes: &[u8], rows: usize) -> std::io::Result<()> {
        if rows > self.rows - self.written {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{rows} more rows would exceed the {} declared", self.rows),
            ));
        }
        self.written += rows;
        self.out.write_all(bytes)
    }

    /// The format rows are written in.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Checks that every declared row was written, flushes, and returns the inner writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        if self.written != self.rows {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("only {} of {} rows written", self.written, self.rows),
            ));
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Appends the bytes of one row in `format` to `buf`, exactly as [`MatrixWriter::write_row`]
/// writes them: little-endian `f64` or `f32` (rounded to nearest by `as f32`), or for CSV the
/// shortest round-trip decimals (`{:?}`) separated by commas and ending in `\n`.
pub fn encode_row(format: Format, row: &[f64], buf: &mut Vec<u8>) {
    match format {
        // Grown once, then filled in place (a loop the compiler turns into plain copies on a
        // little-endian machine; pushing value by value re-checked the capacity every time).
        Format::Npy | Format::F64Le => {
            let start = buf.len();
            buf.resize(start + 8 * row.len(), 0);
            buf[start..].chunks_exact_mut(8).zip(row).for_each(|(c, v)| c.copy_from_slice(&v.to_le_bytes()));
        }
        Format::Npy32 | Format::F32Le => {
            let start = buf.len();
            buf.resize(start + 4 * row.len(), 0);
            buf[start..].chunks_exact_mut(4).zip(row).for_each(|(c, &v)| c.copy_from_slice(&(v as f32).to_le_bytes()));
        }
        Format::Csv => {
            use std::io::Write as _;
            for (i, v) in row.iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                // Writing to a Vec cannot fail.
                let _ = write!(buf, "{v:?}");
            }
            buf.push(b'\n');
        }
    }
}

/// Writes a whole matrix to `out` in `format`.
pub fn write_matrix<W: Write>(out: W, format: Format, a: ndarray::ArrayView2<f64>) -> std::io::Result<()> {
    let mut w = MatrixWriter::new(out, format, a.nrows(), a.ncols())?;
    let mut row = vec![0.0; a.ncols()];
    for r in a.rows() {
        row.iter_mut().zip(r.iter()).for_each(|(d, s)| *d = *s);
        w.write_row(&row)?;
    }
    w.finish().map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_round_trip() {
        let a = ndarray::arr2(&[[1.0, -2.5, 0.1], [3.0, 1e-300, f64::MAX]]);
        let mut v = Vec::new();
        write_matrix(&mut v, Format::F64Le, a.view()).unwrap();
        let back: Vec<f64> = v.chunks(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect();
        assert_eq!(back, a.iter().copied().collect::<Vec<_>>());
        let mut v = Vec::new();
        write_matrix(&mut v, Format::Csv, a.view()).unwrap();
        let text = String::from_utf8(v).unwrap();
        let parsed: Vec<f64> = text.lines().flat_map(|l| l.split(',').map(|x| x.parse::<f64>().unwrap())).collect();
        assert_eq!(parsed, a.iter().copied().collect::<Vec<_>>());
        let mut v = Vec::new();
        write_matrix(&mut v, Format::F32Le, a.view()).unwrap();
        assert_eq!(v.len(), 6 * 4);
        assert!("nope".parse::<Format>().is_err());
        assert_eq!("NPY".parse::<Format>().unwrap(), Format::Npy);
    }

    #[test]
    fn shape_is_enforced() {
        let mut w = MatrixWriter::new(Vec::new(), Format::Npy, 2, 3).unwrap();
        assert!(w.write_row(&[1.0, 2.0]).is_err());
        w.write_row(&[1.0, 2.0, 3.0]).unwrap();
        let w2 = MatrixWriter::new(Vec::new(), Format::Npy, 1, 1).unwrap();
        assert!(w2.finish().is_err());
        assert!(w.finish().is_err());
    }
}
