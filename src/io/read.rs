//! Reading one 1-D series from `.npy` (f64 / f32, little-endian, C order, 1-D or 2-D), CSV or
//! whitespace-separated text, from a file or standard input (`-`).
//!
//! A 2-D input (rows x columns) holds several series: [`Select`] picks a row or a column. Without
//! a choice, a 2-D input with one row or one column is read as that series, and anything else is
//! an error that says how to choose (no guessing: `fracnoise generate` writes paths as rows, a
//! spreadsheet usually has series as columns).
//!
//! Text: fields separated by commas, semicolons, tabs or spaces; blank lines and lines starting
//! with `#` are skipped; a first line that does not parse as numbers is taken as a header.

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// Which series of a 2-D input to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Select {
    /// The only series: a 1-D input, or a 2-D input with one row or one column.
    #[default]
    Only,
    /// Row `i` (0-based).
    Row(usize),
    /// Column `j` (0-based).
    Column(usize),
}

fn fmt_err(path: &str, message: impl Into<String>) -> Error {
    Error::Format { path: path.to_string(), message: message.into() }
}

/// Picks the series out of a row-major `rows x cols` matrix (`cols = 0` for a 1-D input).
fn select(data: Vec<f64>, rows: usize, cols: usize, sel: Select, path: &str) -> Result<Vec<f64>> {
    if cols == 0 {
        return match sel {
            Select::Only | Select::Row(0) | Select::Column(0) => Ok(data),
            _ => Err(fmt_err(path, "1-D input has no other row or column than 0")),
        };
    }
    match sel {
        Select::Only if rows == 1 || cols == 1 => Ok(data),
        Select::Only => Err(fmt_err(
            path,
            format!("input is a {rows} x {cols} matrix: choose a series with --row I or --column J (0-based)"),
        )),
        Select::Row(i) if i < rows => Ok(data[i * cols..(i + 1) * cols].to_vec()),
        Select::Column(j) if j < cols => Ok((0..rows).map(|i| data[i * cols + j]).collect()),
        Select::Row(i) => Err(fmt_err(path, format!("row {i} out of range: {rows} rows"))),
        Select::Column(j) => Err(fmt_err(path, format!("column {j} out of range: {cols} columns"))),
    }
}

/// Parses a `.npy` file's bytes (module docs). `path` names the input in error messages.
pub fn parse_npy(bytes: &[u8], sel: Select, path: &str) -> Result<Vec<f64>> {
    let (data, rows, cols) = parse_npy_raw(bytes, path)?;
    select(data, rows, cols, sel, path)
}

/// The values of a `.npy` file in C order with its shape `(rows, cols)`, `cols = 0` for 1-D.
fn parse_npy_raw(bytes: &[u8], path: &str) -> Result<(Vec<f64>, usize, usize)> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(fmt_err(path, "not a .npy file (bad magic)"));
    }
    let (hlen, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize, 12),
        v => return Err(fmt_err(path, format!("unsupported .npy version {v}"))),
    };
    let header = bytes
        .get(start..start + hlen)
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or_else(|| fmt_err(path, "truncated or non-ASCII .npy header"))?;
    let field = |key: &str| -> Result<&str> {
        let k = header.find(key).ok_or_else(|| fmt_err(path, format!("no {key} in .npy header")))?;
        Ok(header[k + key.len()..].trim_start_matches([' ', ':']))
    };
    let descr = field("'descr'")?;
    let width = if descr.starts_with("'<f8'") || descr.starts_with("'|f8'") {
        8
    } else if descr.starts_with("'<f4'") {
        4
    } else {
        return Err(fmt_err(
            path,
            format!(
                "unsupported dtype {}: need little-endian float64 or float32",
                &descr[..descr.find(',').unwrap_or(descr.len())]
            ),
        ));
    };
    if field("'fortran_order'")?.starts_with("True") {
        return Err(fmt_err(path, "Fortran-order .npy is not supported: save it in C order (np.ascontiguousarray)"));
    }
    let shape_txt = field("'shape'")?;
    let close = shape_txt.find(')').ok_or_else(|| fmt_err(path, "bad shape in .npy header"))?;
    let dims: Vec<usize> = shape_txt[1..close]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<usize>().map_err(|_| fmt_err(path, format!("bad shape entry {s}"))))
        .collect::<Result<_>>()?;
    let (rows, cols) = match dims[..] {
        [n] => (n, 0),
        [r, c] => (r, c),
        _ => return Err(fmt_err(path, format!("shape {dims:?}: only 1-D and 2-D arrays are supported"))),
    };
    // Checked: a crafted shape such as (2^32, 2^32) or (2^61,) must not wrap to a small size.
    let body = &bytes[start + hlen..];
    let needed =
        if cols == 0 { Some(rows) } else { rows.checked_mul(cols) }.and_then(|c| c.checked_mul(width).map(|b| (c, b)));
    let count = match needed {
        Some((count, len)) if len <= body.len() => count,
        Some((count, len)) => {
            return Err(fmt_err(
                path,
                format!(
                    "truncated data: shape {dims:?} needs {len} bytes ({count} values), the file has {}",
                    body.len()
                ),
            ))
        }
        None => {
            return Err(fmt_err(
                path,
                format!("shape {dims:?} in the .npy header is too large for the file ({} data bytes)", body.len()),
            ))
        }
    };
    let data: Vec<f64> = if width == 8 {
        body.chunks_exact(8).take(count).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect()
    } else {
        body.chunks_exact(4).take(count).map(|c| f64::from(f32::from_le_bytes(c.try_into().unwrap()))).collect()
    };
    Ok((data, rows, cols))
}

/// Parses CSV or whitespace-separated text (module docs).
pub fn parse_text(text: &str, sel: Select, path: &str) -> Result<Vec<f64>> {
    let (data, rows, cols) = parse_text_raw(text, path)?;
    select(data, rows, cols, sel, path)
}

/// The numbers of a text table, row-major, with its shape.
fn parse_text_raw(text: &str, path: &str) -> Result<(Vec<f64>, usize, usize)> {
    let mut data = Vec::new();
    let (mut rows, mut cols) = (0usize, None::<usize>);
    let mut first = true;
    for (ln, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> =
            line.split(|c: char| c == ',' || c == ';' || c.is_whitespace()).filter(|f| !f.is_empty()).collect();
        let parsed: std::result::Result<Vec<f64>, _> = fields.iter().map(|f| f.parse::<f64>()).collect();
        let vals = match parsed {
            Ok(v) => v,
            Err(_) if first => {
                first = false;
                continue; // header
            }
            Err(_) => {
                let bad = fields.iter().find(|f| f.parse::<f64>().is_err()).unwrap();
                return Err(fmt_err(path, format!("line {}: `{bad}` is not a number", ln + 1)));
            }
        };
        first = false;
        match cols {
            None => cols = Some(vals.len()),
            Some(c) if c != vals.len() => {
                return Err(fmt_err(path, format!("line {}: {} fields, expected {c}", ln + 1, vals.len())))
            }
            _ => {}
        }
        data.extend(vals);
        rows += 1;
    }
    let cols = cols.ok_or_else(|| fmt_err(path, "no numbers found"))?;
    Ok((data, rows, cols))
}

/// Reads a series from `path` (`-`: standard input). `.npy` is recognised by its magic bytes,
/// anything else is parsed as text.
///
/// Errors: [`Error::Io`] when the file cannot be read, [`Error::Format`] when it cannot be parsed
/// or the selection does not exist. Values are not checked for finiteness here (the estimators
/// do that, naming the index).
pub fn read_series(path: &Path, sel: Select) -> Result<Vec<f64>> {
    let name = path.display().to_string();
    let (data, rows, cols) = read_raw(path)?;
    select(data, rows, cols, sel, &name)
}

/// Reads a whole matrix (rows x columns) from `.npy` or text, from a file or standard input
/// (`-`); a 1-D input is read as one column. Errors as [`read_series`]; values are not checked
/// for finiteness here.
pub fn read_matrix(path: &Path) -> Result<ndarray::Array2<f64>> {
    let (data, rows, cols) = read_raw(path)?;
    let shape = if cols == 0 { (rows, 1) } else { (rows, cols) };
    ndarray::Array2::from_shape_vec(shape, data)
        .map_err(|e| fmt_err(&path.display().to_string(), format!("bad matrix shape: {e}")))
}

fn read_raw(path: &Path) -> Result<(Vec<f64>, usize, usize)> {
    let name = path.display().to_string();
    let mut bytes = Vec::new();
    let io = |source| Error::Io { path: name.clone(), source };
    if name == "-" {
        std::io::stdin().read_to_end(&mut bytes).map_err(io)?;
    } else {
        bytes = std::fs::read(path).map_err(io)?;
    }
    if bytes.starts_with(b"\x93NUMPY") {
        parse_npy_raw(&bytes, &name)
    } else {
        let text = std::str::from_utf8(&bytes).map_err(|_| fmt_err(&name, "neither .npy nor UTF-8 text"))?;
        parse_text_raw(text, &name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::{npy_header, NpyDtype};

    #[test]
    fn text_formats() {
        assert_eq!(parse_text("1\n2\n3\n", Select::Only, "t").unwrap(), vec![1.0, 2.0, 3.0]);
        assert_eq!(parse_text("# c\nx\n1.5\n-2e3\n", Select::Only, "t").unwrap(), vec![1.5, -2000.0]);
        assert_eq!(parse_text("1 2 3\n", Select::Only, "t").unwrap(), vec![1.0, 2.0, 3.0]);
        let csv = "a,b\n1,2\n3,4\n5,6\n";
        assert!(parse_text(csv, Select::Only, "t").unwrap_err().to_string().contains("--column"));
        assert_eq!(parse_text(csv, Select::Column(1), "t").unwrap(), vec![2.0, 4.0, 6.0]);
        assert_eq!(parse_text(csv, Select::Row(2), "t").unwrap(), vec![5.0, 6.0]);
        assert!(parse_text("1,2\n3\n", Select::Only, "t").is_err());
        assert!(parse_text("1\nfoo\n", Select::Only, "t").is_err());
        assert!(parse_text(csv, Select::Column(2), "t").is_err());
    }

    #[test]
    fn npy_round_trip() {
        for (dt, w) in [(NpyDtype::F64, 8), (NpyDtype::F32, 4)] {
            let mut b = npy_header(dt, &[2, 3]);
            for v in [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.5] {
                if w == 8 {
                    b.extend_from_slice(&v.to_le_bytes());
                } else {
                    b.extend_from_slice(&(v as f32).to_le_bytes());
                }
            }
            assert_eq!(parse_npy(&b, Select::Row(1), "x").unwrap(), vec![4.0, 5.0, 6.5]);
            assert_eq!(parse_npy(&b, Select::Column(0), "x").unwrap(), vec![1.0, 4.0]);
            assert!(parse_npy(&b, Select::Only, "x").is_err());
            assert!(parse_npy(&b[..b.len() - 1], Select::Row(0), "x").is_err());
        }
        let mut b = npy_header(NpyDtype::F64, &[2]);
        b.extend_from_slice(&1.0f64.to_le_bytes());
        b.extend_from_slice(&2.0f64.to_le_bytes());
        assert_eq!(parse_npy(&b, Select::Only, "x").unwrap(), vec![1.0, 2.0]);
        assert!(parse_npy(b"garbage...", Select::Only, "x").is_err());
    }

    /// A header whose shape claims more data than the file holds is an error, not a panic or an
    /// overflow that wraps to an empty array.
    #[test]
    fn npy_header_size_is_checked_against_the_file() {
        for (shape, sel) in [
            (vec![1usize << 32, 1 << 32], Select::Row(0)),
            (vec![1 << 32, 1 << 32], Select::Column(0)),
            (vec![1 << 61], Select::Only),
            (vec![1 << 62], Select::Only),
            (vec![usize::MAX, 2], Select::Row(0)),
            (vec![3, 1 << 62], Select::Row(1)),
        ] {
            let mut b = npy_header(NpyDtype::F64, &shape);
            b.extend_from_slice(&1.0f64.to_le_bytes());
            let e = parse_npy(&b, sel, "crafted.npy").expect_err("a huge shape must be rejected");
            let msg = e.to_string();
            assert!(msg.contains("crafted.npy"), "{msg}");
            assert!(msg.contains("shape") || msg.contains("truncated"), "{msg}");
        }
    }
}
