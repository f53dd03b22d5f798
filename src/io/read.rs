//! Reading one 1-D series from `.npy` (f64 / f32, either byte order, C or Fortran order, 1-D or
//! 2-D), CSV or whitespace-separated text, from a file or standard input (`-`).
//!
//! A 2-D input (rows x columns) holds several series: [`Select`] picks a row or a column. Without
//! a choice, a 2-D input with one row or one column is read as that series, and anything else is
//! an error that says how to choose (no guessing: `fracnoise generate` writes paths as rows, a
//! spreadsheet usually has series as columns).
//!
//! Nothing is dropped or shifted silently: every problem is an [`Error::Format`] naming the file
//! and, for text, the 1-based line and column; what is only suspicious comes back as a
//! [`ReadWarning`] in [`Series::warnings`] (the library prints nothing).
//!
//! # Text
//!
//! | what | rule |
//! | --- | --- |
//! | encoding | UTF-8; a leading byte-order mark is skipped; UTF-16 is an error that says so |
//! | line ends | `\n`, `\r\n` or a lone `\r` (old Mac) |
//! | skipped lines | blank lines (reported by a [`ReadWarning::BlankLines`] when they lie between data rows: they are not read as missing values) and lines starting with `#` |
//! | separator | one per file, from the first data line: `;` if it has one (so a decimal comma is an error, not two numbers), else `,`, else a tab (unless spaces also separate numbers: then whitespace-aligned text), else runs of whitespace |
//! | cells | trimmed of spaces; `"1.5"` quoted cells are unquoted; with `,` `;` or tab an empty cell (`1,,3`, a trailing `1,2,`, a leading tab) is a missing value: an error naming its line and column unless [`ReadOptions::empty_as_nan`] |
//! | numbers | Rust's `f64` syntax (`1`, `-2.5e-3`, `.5`); `nan`, `inf`, `-inf`, `infinity` are non-finite values, an error unless [`ReadOptions::allow_non_finite`]; anything else is an error naming line and column |
//! | rows | all data rows must have the same number of cells (a ragged row is an error naming the line) |
//! | header | the first non-blank, non-comment line, by [`Header`]: [`Header::Auto`] takes it as a header when a cell is not a number and says so in a [`ReadWarning::HeaderGuessed`] (a typo in the first data line would otherwise vanish) |
//!
//! Missing and non-finite values are checked in the selected series only (an empty cell in a
//! column that is not read is fine); a cell that is not a number at all is an error wherever it is.
//!
//! # `.npy`
//!
//! numpy's format (NEP 1), versions 1 to 3, `descr` `<f8`, `>f8`, `<f4` or `>f4`, 1-D or 2-D,
//! either order (`fortran_order: True` is read column-major). The declared shape must match the
//! data exactly (checked arithmetic: a crafted shape cannot wrap, and extra bytes after the data
//! are an error, not ignored).

use crate::error::{Error, Result};
use std::fmt;
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
    /// Every value, in row-major order (what [`read_matrix`] reads).
    All,
}

/// How the first non-blank, non-comment line of a text input is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Header {
    /// A header when one of its cells is not a number, with a [`ReadWarning::HeaderGuessed`];
    /// data otherwise.
    #[default]
    Auto,
    /// Always a header: skipped, whatever it holds.
    Present,
    /// Never a header: a cell that is not a number is an error naming its line and column.
    Absent,
}

/// Options of [`read_series`] and the parsers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadOptions {
    /// Which series of a 2-D input to read.
    pub select: Select,
    /// Text: how the first line is read.
    pub header: Header,
    /// Text: read an empty cell of the selected series as NaN instead of failing.
    pub empty_as_nan: bool,
    /// Keep NaN and infinite values of the selected series (text tokens `nan`, `inf`, or `.npy`
    /// values) instead of failing at the first one.
    pub allow_non_finite: bool,
}

impl From<Select> for ReadOptions {
    fn from(select: Select) -> Self {
        ReadOptions { select, ..ReadOptions::default() }
    }
}

/// Something suspicious but not wrong in an input; [`fmt::Display`] gives a sentence naming the
/// file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadWarning {
    /// [`Header::Auto`] took the first line as a header because a cell is not a number.
    HeaderGuessed {
        /// The input's name.
        path: String,
        /// 1-based line number.
        line: usize,
        /// The line (shortened when long).
        text: String,
        /// The first cell that is not a number.
        cell: String,
        /// Its 1-based column.
        column: usize,
        /// How many of the line's cells are numbers (many: a typo in data rather than a header).
        numeric_cells: usize,
        /// How many cells the line has.
        cells: usize,
    },
    /// A header's cell count differs from the data rows' (`,` `;` or tab separated input).
    HeaderWidth {
        /// The input's name.
        path: String,
        /// 1-based line of the header.
        line: usize,
        /// Cells in the header.
        header_cells: usize,
        /// Cells in each data row.
        data_cells: usize,
    },
    /// Blank lines between data rows were skipped (not read as missing values).
    BlankLines {
        /// The input's name.
        path: String,
        /// 1-based line of the first one.
        first_line: usize,
        /// How many.
        count: usize,
    },
}

impl fmt::Display for ReadWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadWarning::HeaderGuessed { path, line, text, cell, column, numeric_cells, cells } => {
                write!(
                    f,
                    "{path}: line {line} (`{text}`) was taken as a header: column {column} (`{cell}`) is not a number"
                )?;
                if *numeric_cells > 0 {
                    write!(f, ", but {numeric_cells} of its {cells} cells are: a typo in the first data line?")?;
                }
                Ok(())
            }
            ReadWarning::HeaderWidth { path, line, header_cells, data_cells } => write!(
                f,
                "{path}: the header on line {line} has {header_cells} cells but the data rows have {data_cells}"
            ),
            ReadWarning::BlankLines { path, first_line, count } => write!(
                f,
                "{path}: {count} blank line(s) between data rows were skipped (first: line {first_line}); \
                 a blank line is not read as a missing value"
            ),
        }
    }
}

/// A series read from an input, with the reader's warnings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    /// The values, in order.
    pub values: Vec<f64>,
    /// What was suspicious (empty when nothing was); for the caller to show.
    pub warnings: Vec<ReadWarning>,
}

fn fmt_err(path: &str, message: impl Into<String>) -> Error {
    Error::Format { path: path.to_string(), message: message.into() }
}

/// A token for a message: control characters escaped, at most 40 characters.
fn show(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().take(40) {
        if c.is_control() || c == '\u{feff}' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if s.chars().nth(40).is_some() {
        out.push_str("...");
    }
    out
}

/// Element order of a 2-D matrix.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    RowMajor,
    ColumnMajor,
}

/// Index of element `(i, j)` of a `rows x cols` matrix stored in `layout`.
fn at(layout: Layout, rows: usize, cols: usize, i: usize, j: usize) -> usize {
    match layout {
        Layout::RowMajor => i * cols + j,
        Layout::ColumnMajor => j * rows + i,
    }
}

/// Which elements of a `rows x cols` matrix (`cols = 0`: a 1-D input of `rows` values) the
/// selection reads, as a list of `(i, j)` ranges: `Ok((row range, column range))`.
fn selected(
    rows: usize,
    cols: usize,
    sel: Select,
    path: &str,
) -> Result<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    if cols == 0 {
        return match sel {
            Select::Only | Select::All | Select::Row(0) | Select::Column(0) => Ok((0..rows, 0..1)),
            _ => Err(fmt_err(path, "1-D input has no other row or column than 0")),
        };
    }
    match sel {
        Select::Only if rows == 1 || cols == 1 => Ok((0..rows, 0..cols)),
        Select::All => Ok((0..rows, 0..cols)),
        Select::Only => Err(fmt_err(
            path,
            format!("input is a {rows} x {cols} matrix: choose a series with --row I or --column J (0-based)"),
        )),
        Select::Row(i) if i < rows => Ok((i..i + 1, 0..cols)),
        Select::Column(j) if j < cols => Ok((0..rows, j..j + 1)),
        Select::Row(i) => Err(fmt_err(path, format!("row {i} (0-based) out of range: the input has {rows} rows"))),
        Select::Column(j) => {
            Err(fmt_err(path, format!("column {j} (0-based) out of range: the input has {cols} columns")))
        }
    }
}

/// The selected series of a matrix stored in `layout` (`cols = 0` for 1-D).
fn select(data: &[f64], rows: usize, cols: usize, layout: Layout, sel: Select, path: &str) -> Result<Vec<f64>> {
    let (ri, ci) = selected(rows, cols, sel, path)?;
    if cols == 0 {
        return Ok(data.to_vec());
    }
    let mut out = Vec::with_capacity(ri.len() * ci.len());
    for i in ri {
        for j in ci.clone() {
            out.push(data[at(layout, rows, cols, i, j)]);
        }
    }
    Ok(out)
}

/// Parses a `.npy` file's bytes (module docs). `path` names the input in error messages; only
/// [`ReadOptions::select`] and [`ReadOptions::allow_non_finite`] apply.
pub fn parse_npy(bytes: &[u8], opts: &ReadOptions, path: &str) -> Result<Series> {
    npy_parts(bytes, opts, path).map(|(s, _, _)| s)
}

/// [`parse_npy`], with the input's shape: `(rows, cols)`, `cols = 0` for a 1-D input.
fn npy_parts(bytes: &[u8], opts: &ReadOptions, path: &str) -> Result<(Series, usize, usize)> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(fmt_err(path, "not a .npy file (bad magic)"));
    }
    let (hlen, start): (usize, usize) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize, 12),
        2 | 3 => return Err(fmt_err(path, "truncated .npy header")),
        v => return Err(fmt_err(path, format!("unsupported .npy version {v}"))),
    };
    let end = start.checked_add(hlen).ok_or_else(|| fmt_err(path, "truncated .npy header"))?;
    let header = bytes
        .get(start..end)
        .and_then(|h| std::str::from_utf8(h).ok())
        .filter(|h| h.is_ascii())
        .ok_or_else(|| fmt_err(path, "truncated or non-ASCII .npy header"))?;
    let field = |key: &str| -> Result<&str> {
        let k = header.find(key).ok_or_else(|| fmt_err(path, format!("no {key} in .npy header")))?;
        Ok(header[k + key.len()..].trim_start_matches([' ', ':']))
    };
    let descr = field("'descr'")?;
    let (width, big) =
        [("'<f8'", 8, false), ("'|f8'", 8, false), ("'>f8'", 8, true), ("'<f4'", 4, false), ("'>f4'", 4, true)]
            .into_iter()
            .find(|(d, _, _)| descr.starts_with(d))
            .map(|(_, w, b)| (w, b))
            .ok_or_else(|| {
                let shown = &descr[..descr.find([',', '}']).unwrap_or(descr.len())];
                fmt_err(
                    path,
                    format!("unsupported dtype {}: need float64 or float32 (`<f8`, `>f8`, `<f4`, `>f4`)", show(shown)),
                )
            })?;
    let fortran = field("'fortran_order'")?;
    let layout = if fortran.starts_with("True") {
        Layout::ColumnMajor
    } else if fortran.starts_with("False") {
        Layout::RowMajor
    } else {
        return Err(fmt_err(path, "bad fortran_order in .npy header: need True or False"));
    };
    let shape_txt = field("'shape'")?;
    let inner = shape_txt
        .strip_prefix('(')
        .and_then(|s| s.find(')').map(|c| &s[..c]))
        .ok_or_else(|| fmt_err(path, "bad shape in .npy header: need a tuple such as (100,) or (3, 100)"))?;
    let dims: Vec<usize> = inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            // Python 2 numpy wrote longs as `3L`.
            s.strip_suffix('L')
                .unwrap_or(s)
                .parse::<usize>()
                .map_err(|_| fmt_err(path, format!("bad shape entry `{}` in .npy header", show(s))))
        })
        .collect::<Result<_>>()?;
    let (rows, cols) = match dims[..] {
        [n] => (n, 0),
        [r, c] => (r, c),
        _ => return Err(fmt_err(path, format!("shape {dims:?}: only 1-D and 2-D arrays are supported"))),
    };
    // Checked: a crafted shape such as (2^32, 2^32) or (2^61,) must not wrap to a small size.
    let body = &bytes[end..];
    let needed =
        if cols == 0 { Some(rows) } else { rows.checked_mul(cols) }.and_then(|c| c.checked_mul(width).map(|b| (c, b)));
    let count = match needed {
        Some((count, len)) if len == body.len() => count,
        Some((count, len)) if len < body.len() => {
            return Err(fmt_err(
                path,
                format!(
                    "{} bytes after the data: shape {dims:?} needs {len} bytes ({count} values), the file has {} \
                     (a wrong shape in the header?)",
                    body.len() - len,
                    body.len()
                ),
            ))
        }
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
    let data: Vec<f64> = match (width, big) {
        (8, false) => body.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))).collect(),
        (8, true) => body.chunks_exact(8).map(|c| f64::from_be_bytes(c.try_into().expect("8 bytes"))).collect(),
        (_, false) => {
            body.chunks_exact(4).map(|c| f64::from(f32::from_le_bytes(c.try_into().expect("4 bytes")))).collect()
        }
        (_, true) => {
            body.chunks_exact(4).map(|c| f64::from(f32::from_be_bytes(c.try_into().expect("4 bytes")))).collect()
        }
    };
    debug_assert_eq!(data.len(), count);
    let values = select(&data, rows, cols, layout, opts.select, path)?;
    if !opts.allow_non_finite {
        if let Some(k) = values.iter().position(|v| !v.is_finite()) {
            let (ri, ci) = selected(rows, cols, opts.select, path)?;
            let (i, j) = (ri.start + k / ci.len(), ci.start + k % ci.len());
            let place = if cols == 0 { format!("element {k}") } else { format!("element [{i}, {j}]") };
            return Err(fmt_err(path, format!("{place} (series index {k}) is a non-finite value {}", values[k])));
        }
    }
    Ok((Series { values, warnings: Vec::new() }, rows, cols))
}

/// Lines split at `\n`, `\r\n` or a lone `\r`, numbered from 1.
struct Lines<'a> {
    rest: &'a str,
    number: usize,
}

impl<'a> Iterator for Lines<'a> {
    type Item = (usize, &'a str);
    fn next(&mut self) -> Option<(usize, &'a str)> {
        if self.rest.is_empty() {
            return None;
        }
        self.number += 1;
        let (line, rest) = match self.rest.find(['\n', '\r']) {
            Some(i) => {
                let skip = if self.rest[i..].starts_with("\r\n") { 2 } else { 1 };
                (&self.rest[..i], &self.rest[i + skip..])
            }
            None => (self.rest, ""),
        };
        self.rest = rest;
        Some((self.number, line))
    }
}

/// The cell separator of a text input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    /// Runs of whitespace (no empty cells).
    Space,
    /// One character; two in a row delimit an empty cell.
    Char(char),
}

impl Sep {
    fn detect(line: &str) -> Sep {
        if line.contains(';') {
            Sep::Char(';')
        } else if line.contains(',') {
            Sep::Char(',')
        } else if line.contains('\t') && line.split('\t').all(|c| !c.trim().contains(char::is_whitespace)) {
            // Tab-separated; spaces inside a tab-delimited cell mean whitespace-aligned text.
            Sep::Char('\t')
        } else {
            Sep::Space
        }
    }

    /// Splits a line (already trimmed of whitespace other than the separator) into cells,
    /// trimmed and unquoted; a separator inside double quotes does not split.
    fn split<'a>(self, line: &'a str, out: &mut Vec<&'a str>) {
        out.clear();
        match self {
            Sep::Space => out.extend(line.split_whitespace()),
            Sep::Char(sep) => {
                let (mut start, mut quoted) = (0, false);
                for (i, c) in line.char_indices() {
                    if c == '"' {
                        quoted = !quoted;
                    } else if c == sep && !quoted {
                        out.push(&line[start..i]);
                        start = i + c.len_utf8();
                    }
                }
                out.push(&line[start..]);
            }
        }
        for cell in out.iter_mut() {
            let t = cell.trim();
            *cell = match t.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                Some(inner) => inner.trim(),
                None => t,
            };
        }
    }
}

/// One parsed cell.
enum Cell {
    Number(f64),
    Empty,
    NotANumber,
}

fn cell(s: &str) -> Cell {
    if s.is_empty() {
        return Cell::Empty;
    }
    match s.parse::<f64>() {
        Ok(v) => Cell::Number(v),
        Err(_) => Cell::NotANumber,
    }
}

/// A cell of the matrix that the selected series may not hold.
struct Flagged {
    row: usize,
    col: usize,
    line: usize,
    column: usize,
    last: bool,
    token: Option<String>,
}

/// Parses CSV or whitespace-separated text (module docs). `path` names the input in messages.
pub fn parse_text(text: &str, opts: &ReadOptions, path: &str) -> Result<Series> {
    text_parts(text, opts, path).map(|(s, _, _)| s)
}

/// [`parse_text`], with the input's shape: `(rows, cols)`.
fn text_parts(text: &str, opts: &ReadOptions, path: &str) -> Result<(Series, usize, usize)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut warnings = Vec::new();
    let mut header: Option<(usize, &str)> = None;
    let mut first_content = true;
    let mut sep: Option<Sep> = None;
    let mut cols: Option<(usize, usize)> = None; // (cells per row, line of the first row)
    let mut data = Vec::new();
    let mut rows = 0usize;
    let mut flagged: Vec<Flagged> = Vec::new();
    let (mut blank_run, mut blank_first, mut blank_count) = (None::<(usize, usize)>, 0usize, 0usize);
    let mut cells = Vec::new();
    let not_a_number = |ln: usize, j: usize, tok: &str, s: Sep, why: &str| {
        let mut m = format!("line {ln}, column {}: `{}` is not a number{why}", j + 1, show(tok));
        if s == Sep::Char(';') && tok.contains(',') && tok.replace(',', ".").parse::<f64>().is_ok() {
            m.push_str(" (a decimal comma? write a decimal point)");
        }
        fmt_err(path, m)
    };
    for (ln, raw) in (Lines { rest: text, number: 0 }) {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            if rows > 0 {
                let (first, n) = blank_run.unwrap_or((ln, 0));
                blank_run = Some((first, n + 1));
            }
            continue;
        }
        if trimmed.starts_with('#') {
            continue;
        }
        // Keep tabs: a leading or trailing tab delimits an empty cell in tab-separated input.
        let line = raw.trim_matches(|c: char| c.is_whitespace() && c != '\t');
        if std::mem::take(&mut first_content) {
            let is_header = match opts.header {
                Header::Present => true,
                Header::Absent => false,
                Header::Auto => {
                    Sep::detect(line).split(line, &mut cells);
                    match cells.iter().position(|c| matches!(cell(c), Cell::NotANumber)) {
                        Some(j) => {
                            let numeric = cells.iter().filter(|c| matches!(cell(c), Cell::Number(_))).count();
                            warnings.push(ReadWarning::HeaderGuessed {
                                path: path.to_string(),
                                line: ln,
                                text: show(trimmed),
                                cell: show(cells[j]),
                                column: j + 1,
                                numeric_cells: numeric,
                                cells: cells.len(),
                            });
                            true
                        }
                        None => false,
                    }
                }
            };
            if is_header {
                header = Some((ln, line));
                continue;
            }
        }
        let s = *sep.get_or_insert_with(|| Sep::detect(line));
        if let Some((first, n)) = blank_run.take() {
            if blank_count == 0 {
                blank_first = first;
            }
            blank_count += n;
        }
        s.split(line, &mut cells);
        match cols {
            None => cols = Some((cells.len(), ln)),
            Some((c, l)) if c != cells.len() => {
                return Err(fmt_err(
                    path,
                    format!(
                        "line {ln}: {} cells, but line {l} has {c} (a ragged row or a stray separator)",
                        cells.len()
                    ),
                ))
            }
            _ => {}
        }
        let last = cells.len() - 1;
        for (j, tok) in cells.iter().enumerate() {
            let v = match cell(tok) {
                Cell::Number(v) => {
                    if !v.is_finite() {
                        let token = Some(tok.to_string());
                        flagged.push(Flagged { row: rows, col: j, line: ln, column: j + 1, last: j == last, token });
                    }
                    v
                }
                Cell::Empty => {
                    flagged.push(Flagged { row: rows, col: j, line: ln, column: j + 1, last: j == last, token: None });
                    f64::NAN
                }
                Cell::NotANumber => {
                    let why = if opts.header == Header::Absent && rows == 0 { " (no header expected)" } else { "" };
                    return Err(not_a_number(ln, j, tok, s, why));
                }
            };
            data.push(v);
        }
        rows += 1;
    }
    let Some((ncols, _)) = cols else {
        return Err(match header {
            Some((l, _)) => fmt_err(path, format!("no data rows after the header on line {l}")),
            None => fmt_err(path, "no data: the input is empty (or only blank and comment lines)"),
        });
    };
    if let (Some((l, h)), Some(Sep::Char(c))) = (header, sep) {
        let s = Sep::Char(c);
        s.split(h, &mut cells);
        if cells.len() != ncols {
            warnings.push(ReadWarning::HeaderWidth {
                path: path.to_string(),
                line: l,
                header_cells: cells.len(),
                data_cells: ncols,
            });
        }
    }
    if blank_count > 0 {
        warnings.push(ReadWarning::BlankLines { path: path.to_string(), first_line: blank_first, count: blank_count });
    }
    let (ri, ci) = selected(rows, ncols, opts.select, path)?;
    let used = flagged.iter().find(|f| {
        ri.contains(&f.row)
            && ci.contains(&f.col)
            && if f.token.is_some() { !opts.allow_non_finite } else { !opts.empty_as_nan }
    });
    if let Some(f) = used {
        let what = match &f.token {
            Some(t) => format!("a non-finite value `{}`", show(t)),
            None if f.last && ncols > 1 => "an empty cell (a missing value, or a trailing separator?)".to_string(),
            None => "an empty cell (a missing value)".to_string(),
        };
        return Err(fmt_err(path, format!("line {}, column {}: {what}", f.line, f.column)));
    }
    let values = select(&data, rows, ncols, Layout::RowMajor, opts.select, path)?;
    Ok((Series { values, warnings }, rows, ncols))
}

/// Parses an input's bytes: `.npy` when they start with its magic, UTF-8 text otherwise (a
/// leading byte-order mark is skipped; UTF-16 and invalid UTF-8 are errors naming the line).
pub fn parse_series(bytes: &[u8], opts: &ReadOptions, path: &str) -> Result<Series> {
    parts(bytes, opts, path).map(|(s, _, _)| s)
}

/// [`parse_series`], with the input's shape: `(rows, cols)`, `cols = 0` for a 1-D `.npy`.
fn parts(bytes: &[u8], opts: &ReadOptions, path: &str) -> Result<(Series, usize, usize)> {
    if bytes.starts_with(b"\x93NUMPY") {
        return npy_parts(bytes, opts, path);
    }
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(fmt_err(path, "UTF-16 text (it starts with a UTF-16 byte-order mark): save it as UTF-8"));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        fmt_err(path, format!("neither .npy nor UTF-8 text: invalid UTF-8 on line {line} (byte {at})"))
    })?;
    text_parts(text, opts, path)
}

/// The bytes of `path` (`-`: standard input).
fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    let name = path.display().to_string();
    let io = |source| Error::Io { path: name.clone(), source };
    if name == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(io)?;
        Ok(bytes)
    } else {
        std::fs::read(path).map_err(io)
    }
}

/// Reads a series from `path` (`-`: standard input) with [`parse_series`].
///
/// Errors: [`Error::Io`] when the file cannot be read, [`Error::Format`] when it cannot be parsed
/// or the selection does not exist (module docs). The estimators check finiteness again.
pub fn read_series(path: &Path, opts: &ReadOptions) -> Result<Series> {
    parse_series(&read_bytes(path)?, opts, &path.display().to_string())
}

/// Every series of an input at once: a row-major `rows x cols` matrix, or a 1-D series (which
/// is both row 0 and column 0, as for [`Select`]), with the reader's warnings. Read with
/// [`read_all`] to analyse many rows or columns from one parse of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesMatrix {
    data: Vec<f64>,
    rows: usize,
    /// 0 for a 1-D input.
    cols: usize,
    /// What was suspicious in the input (as [`Series::warnings`]).
    pub warnings: Vec<ReadWarning>,
}

impl SeriesMatrix {
    /// Whether the input was 1-D (a `.npy` of one dimension).
    pub fn is_1d(&self) -> bool {
        self.cols == 0
    }

    /// Number of rows (1 for a 1-D input).
    pub fn rows(&self) -> usize {
        if self.cols == 0 {
            1
        } else {
            self.rows
        }
    }

    /// Number of columns (1 for a 1-D input: its series is column 0 too).
    pub fn columns(&self) -> usize {
        if self.cols == 0 {
            1
        } else {
            self.cols
        }
    }

    /// Row `i` (a 1-D input: the series for `i == 0`); `None` out of range.
    pub fn row(&self, i: usize) -> Option<&[f64]> {
        match self.cols {
            0 if i == 0 => Some(&self.data),
            0 => None,
            c if i < self.rows => Some(&self.data[i * c..(i + 1) * c]),
            _ => None,
        }
    }

    /// Column `j`, copied (a 1-D input: the series for `j == 0`); `None` out of range.
    pub fn column(&self, j: usize) -> Option<Vec<f64>> {
        match self.cols {
            0 if j == 0 => Some(self.data.clone()),
            0 => None,
            c if j < c => Some((0..self.rows).map(|i| self.data[i * c + j]).collect()),
            _ => None,
        }
    }

    /// The values as a `rows x columns` array (a 1-D input: one column).
    pub fn into_array(self) -> ndarray::Array2<f64> {
        let shape = if self.cols == 0 { (self.data.len(), 1) } else { (self.rows, self.cols) };
        ndarray::Array2::from_shape_vec(shape, self.data).expect("the parsers check rows x cols values")
    }
}

/// Parses every series of an input's bytes at once (as [`parse_series`] with [`Select::All`],
/// keeping the shape); `opts.select` is ignored, the other options apply to every value.
pub fn parse_all(bytes: &[u8], opts: &ReadOptions, path: &str) -> Result<SeriesMatrix> {
    let opts = ReadOptions { select: Select::All, ..*opts };
    let (s, rows, cols) = parts(bytes, &opts, path)?;
    Ok(SeriesMatrix { data: s.values, rows, cols, warnings: s.warnings })
}

/// Reads every series of `path` (`-`: standard input) with [`parse_all`].
///
/// Memory: the file's bytes plus the values as `f64` while parsing, then the values alone.
/// Errors: as [`read_series`].
pub fn read_all(path: &Path, opts: &ReadOptions) -> Result<SeriesMatrix> {
    parse_all(&read_bytes(path)?, opts, &path.display().to_string())
}

/// Reads a whole 1-D or 2-D input (`.npy` or text, as [`read_series`]) as a matrix; a 1-D input
/// is one column. Header handling as [`Header::Auto`]; non-finite values are errors.
pub fn read_matrix(path: &Path) -> Result<ndarray::Array2<f64>> {
    read_all(path, &ReadOptions::default()).map(SeriesMatrix::into_array)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::{npy_header, NpyDtype};

    fn text(t: &str, sel: Select) -> Result<Vec<f64>> {
        parse_text(t, &sel.into(), "t").map(|s| s.values)
    }

    fn npy(b: &[u8], sel: Select) -> Result<Vec<f64>> {
        parse_npy(b, &sel.into(), "x").map(|s| s.values)
    }

    #[test]
    fn text_formats() {
        assert_eq!(text("1\n2\n3\n", Select::Only).unwrap(), vec![1.0, 2.0, 3.0]);
        assert_eq!(text("# c\nx\n1.5\n-2e3\n", Select::Only).unwrap(), vec![1.5, -2000.0]);
        assert_eq!(text("1 2 3\n", Select::Only).unwrap(), vec![1.0, 2.0, 3.0]);
        let csv = "a,b\n1,2\n3,4\n5,6\n";
        assert!(text(csv, Select::Only).unwrap_err().to_string().contains("--column"));
        assert_eq!(text(csv, Select::Column(1)).unwrap(), vec![2.0, 4.0, 6.0]);
        assert_eq!(text(csv, Select::Row(2)).unwrap(), vec![5.0, 6.0]);
        assert!(text("1,2\n3\n", Select::Only).is_err());
        assert!(text("1\nfoo\n", Select::Only).is_err());
        assert!(text(csv, Select::Column(2)).is_err());
    }

    /// The matrix view agrees with [`Select`] for every row and column, a 1-D input included.
    #[test]
    fn matrix_rows_and_columns_match_select() {
        let csv = "a,b,c\n1,2,3\n4,5,6\n";
        let m = parse_all(csv.as_bytes(), &ReadOptions::default(), "t").unwrap();
        assert_eq!((m.rows(), m.columns(), m.is_1d()), (2, 3, false));
        assert_eq!(m.warnings.len(), 1, "the guessed header is reported");
        for i in 0..2 {
            assert_eq!(m.row(i).unwrap(), &text(csv, Select::Row(i)).unwrap()[..]);
        }
        for j in 0..3 {
            assert_eq!(m.column(j).unwrap(), text(csv, Select::Column(j)).unwrap());
        }
        assert!(m.row(2).is_none() && m.column(3).is_none());
        assert_eq!(m.into_array(), ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
        let single = parse_all(b"1\n2\n", &ReadOptions::default(), "t").unwrap();
        assert_eq!((single.rows(), single.columns(), single.is_1d()), (2, 1, false));
        assert_eq!(single.column(0).unwrap(), vec![1.0, 2.0]);
        let mut b = npy_header(NpyDtype::F64, &[3]);
        for v in [1.0f64, 2.0, 3.0] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        let m = parse_all(&b, &ReadOptions::default(), "x").unwrap();
        assert_eq!((m.rows(), m.columns(), m.is_1d()), (1, 1, true));
        assert_eq!(m.row(0).unwrap(), &[1.0, 2.0, 3.0]);
        assert_eq!(m.column(0).unwrap(), vec![1.0, 2.0, 3.0]);
        assert!(m.row(1).is_none() && m.column(1).is_none());
        assert_eq!(m.into_array(), ndarray::array![[1.0], [2.0], [3.0]]);
        // A Fortran-order .npy is read into row-major order.
        let mut f = npy_header(NpyDtype::F64, &[2, 2]);
        let at = f.windows(5).position(|w| w == b"False").unwrap();
        f[at..at + 5].copy_from_slice(b"True ");
        for v in [1.0f64, 3.0, 2.0, 4.0] {
            f.extend_from_slice(&v.to_le_bytes());
        }
        let m = parse_all(&f, &ReadOptions::default(), "f").unwrap();
        assert_eq!(m.row(0).unwrap(), &[1.0, 2.0]);
        assert_eq!(m.column(1).unwrap(), vec![2.0, 4.0]);
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
            assert_eq!(npy(&b, Select::Row(1)).unwrap(), vec![4.0, 5.0, 6.5]);
            assert_eq!(npy(&b, Select::Column(0)).unwrap(), vec![1.0, 4.0]);
            assert!(npy(&b, Select::Only).is_err());
            assert!(npy(&b[..b.len() - 1], Select::Row(0)).is_err());
        }
        let mut b = npy_header(NpyDtype::F64, &[2]);
        b.extend_from_slice(&1.0f64.to_le_bytes());
        b.extend_from_slice(&2.0f64.to_le_bytes());
        assert_eq!(npy(&b, Select::Only).unwrap(), vec![1.0, 2.0]);
        assert!(npy(b"garbage...", Select::Only).is_err());
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
            let e = parse_npy(&b, &sel.into(), "crafted.npy").expect_err("a huge shape must be rejected");
            let msg = e.to_string();
            assert!(msg.contains("crafted.npy"), "{msg}");
            assert!(msg.contains("shape") || msg.contains("truncated"), "{msg}");
        }
    }

    fn opts(select: Select, header: Header) -> ReadOptions {
        ReadOptions { select, header, ..ReadOptions::default() }
    }

    fn err(t: &str, o: &ReadOptions) -> String {
        parse_series(t.as_bytes(), o, "in.csv").expect_err("must be an error").to_string()
    }

    /// Issue 9 item 8: a UTF-8 byte-order mark made the first value a "header" and dropped it.
    #[test]
    fn byte_order_mark_is_skipped() {
        let s = parse_series("\u{feff}1\n2\n3\n".as_bytes(), &ReadOptions::default(), "t").unwrap();
        assert_eq!(s.values, vec![1.0, 2.0, 3.0]);
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        let s = parse_series("\u{feff}a,b\r\n1,2\r\n".as_bytes(), &Select::Column(1).into(), "t").unwrap();
        assert_eq!(s.values, vec![2.0]);
        let e = parse_series(&[0xff, 0xfe, b'1', 0], &ReadOptions::default(), "u16.txt").unwrap_err().to_string();
        assert!(e.contains("u16.txt") && e.contains("UTF-16"), "{e}");
        let e = parse_series(b"1\n2\n\xff\n", &ReadOptions::default(), "bad.txt").unwrap_err().to_string();
        assert!(e.contains("bad.txt") && e.contains("line 3"), "{e}");
    }

    /// Issue 9 item 9: `1,,3` collapsed to two cells and shifted the columns.
    #[test]
    fn empty_cells_are_errors_naming_line_and_column() {
        let csv = "1,2,3\n4,,6\n7,8,9\n";
        let e = err(csv, &Select::Column(1).into());
        assert!(e.contains("in.csv") && e.contains("line 2, column 2") && e.contains("empty cell"), "{e}");
        // A column that is not read may have gaps.
        assert_eq!(text(csv, Select::Column(0)).unwrap(), vec![1.0, 4.0, 7.0]);
        assert_eq!(text(csv, Select::Column(2)).unwrap(), vec![3.0, 6.0, 9.0]);
        let o = ReadOptions { select: Select::Column(1), empty_as_nan: true, ..ReadOptions::default() };
        let v = parse_text(csv, &o, "t").unwrap().values;
        assert_eq!((v[0], v[2]), (2.0, 8.0));
        assert!(v[1].is_nan());
        // A single row: every cell is read.
        assert!(err("1,,3\n", &ReadOptions::default()).contains("line 1, column 2"));
        // Trailing separators make a last, empty column.
        let e = err("1,2,\n3,4,\n", &Select::Column(2).into());
        assert!(e.contains("line 1, column 3") && e.contains("trailing separator"), "{e}");
        assert_eq!(text("1,2,\n3,4,\n", Select::Column(1)).unwrap(), vec![2.0, 4.0]);
        // Tab-separated: a leading tab is an empty first cell, not indentation.
        let e = err("\t1\n2\t3\n", &Select::Column(0).into());
        assert!(e.contains("line 1, column 1"), "{e}");
        assert_eq!(text("\t1\n2\t3\n", Select::Column(1)).unwrap(), vec![1.0, 3.0]);
        // Semicolons, quotes.
        assert!(err("1;;3\n", &ReadOptions::default()).contains("line 1, column 2"));
        assert!(err("1,\"\",3\n", &ReadOptions::default()).contains("line 1, column 2"));
    }

    /// Issue 9 item 10: a non-numeric first line is a header only with a warning (or by flag).
    #[test]
    fn header_modes() {
        let t = "1.2x\n1\n2\n";
        let s = parse_text(t, &ReadOptions::default(), "f.txt").unwrap();
        assert_eq!(s.values, vec![1.0, 2.0]);
        assert_eq!(s.warnings.len(), 1);
        let w = s.warnings[0].to_string();
        assert!(w.contains("f.txt") && w.contains("line 1") && w.contains("1.2x"), "{w}");
        assert!(matches!(s.warnings[0], ReadWarning::HeaderGuessed { line: 1, column: 1, numeric_cells: 0, .. }));
        // A typo among numbers says so.
        let s = parse_text("# note\n1,2x,3\n4,5,6\n", &ReadOptions::default(), "f.csv").unwrap();
        let w = s.warnings[0].to_string();
        assert!(w.contains("line 2") && w.contains("column 2") && w.contains("typo"), "{w}");
        // --no-header: an error naming line and column.
        let e = err("# note\n1,2x,3\n4,5,6\n", &opts(Select::Row(0), Header::Absent));
        assert!(e.contains("line 2, column 2") && e.contains("2x") && e.contains("no header"), "{e}");
        assert_eq!(parse_text("1\n2\n", &opts(Select::Only, Header::Absent), "t").unwrap().values, vec![1.0, 2.0]);
        // --header: the first line is skipped silently, numeric or not.
        let s = parse_text("1\n2\n3\n", &opts(Select::Only, Header::Present), "t").unwrap();
        assert_eq!((s.values, s.warnings), (vec![2.0, 3.0], vec![]));
        let s = parse_text("time,x\n1,2\n", &opts(Select::Column(1), Header::Present), "t").unwrap();
        assert_eq!((s.values, s.warnings), (vec![2.0], vec![]));
        // A numeric first line is data, silently.
        let s = parse_text("1,2\n3,4\n", &Select::Column(0).into(), "t").unwrap();
        assert_eq!((s.values, s.warnings), (vec![1.0, 3.0], vec![]));
        // Header cell count against the data.
        let s = parse_text("a,b,c\n1,2\n", &opts(Select::Only, Header::Present), "h.csv").unwrap();
        assert!(matches!(s.warnings[..], [ReadWarning::HeaderWidth { header_cells: 3, data_cells: 2, .. }]));
        // A header with spaces over whitespace-separated data.
        assert_eq!(text("Series A\n1\n2\n", Select::Only).unwrap(), vec![1.0, 2.0]);
    }

    /// The same class of defect elsewhere: line ends, separators, tokens, edge files.
    #[test]
    fn line_ends_separators_and_edge_files() {
        // CRLF and old-Mac CR line ends; line numbers count them once.
        assert_eq!(text("a,b\r\n1,2\r\n3,4\r\n", Select::Column(1)).unwrap(), vec![2.0, 4.0]);
        assert_eq!(text("1\r2\r3\r", Select::Column(0)).unwrap(), vec![1.0, 2.0, 3.0]);
        assert!(err("1\r\n2\r\nfoo\r\n", &ReadOptions::default()).contains("line 3, column 1"));
        assert!(err("1\r2\rfoo\r", &ReadOptions::default()).contains("line 3, column 1"));
        // Separators: spaces, tabs, commas with spaces, semicolons.
        assert_eq!(text("1  2\t3\n", Select::Only).unwrap(), vec![1.0, 2.0, 3.0]);
        assert_eq!(text("1\t2\n3\t4\n", Select::Column(1)).unwrap(), vec![2.0, 4.0]);
        assert_eq!(text("1, 2 ,3\n", Select::Only).unwrap(), vec![1.0, 2.0, 3.0]);
        assert_eq!(text("1;2\n3;4\n", Select::Row(1)).unwrap(), vec![3.0, 4.0]);
        // A decimal comma is not two numbers.
        let e = err("1,5;2,5\n", &opts(Select::Only, Header::Absent));
        assert!(e.contains("line 1, column 1") && e.contains("decimal comma"), "{e}");
        // Mixed separators are an error, not a reshaped row.
        assert!(err("1,2\n3 4\n", &Select::Column(0).into()).contains("line 2"));
        // Ragged rows name both lines.
        let e = err("1,2\n3\n", &Select::Column(0).into());
        assert!(e.contains("line 2: 1 cells, but line 1 has 2"), "{e}");
        // Quoted cells.
        assert_eq!(text("\"a\",\"b\"\n\"1.5\",\"2\"\n", Select::Column(0)).unwrap(), vec![1.5]);
        // nan / inf tokens: named by line and column unless allowed.
        for tok in ["nan", "NaN", "inf", "-inf", "infinity"] {
            let e = err(&format!("1\n{tok}\n3\n"), &ReadOptions::default());
            assert!(e.contains("line 2, column 1") && e.contains("non-finite"), "{e}");
        }
        let o = ReadOptions { allow_non_finite: true, ..ReadOptions::default() };
        let v = parse_text("1\nnan\n-inf\n", &o, "t").unwrap().values;
        assert!(v[1].is_nan() && v[2] == f64::NEG_INFINITY);
        assert_eq!(text("1,2\n3,nan\n", Select::Column(0)).unwrap(), vec![1.0, 3.0]);
        // Blank lines: a blank last line is nothing; blank lines between rows are reported.
        let s = parse_text("1\n2\n\n\n", &ReadOptions::default(), "t").unwrap();
        assert_eq!((s.values, s.warnings), (vec![1.0, 2.0], vec![]));
        let s = parse_text("x\n\n1\n\n \n2\n\n", &opts(Select::Only, Header::Present), "b.txt").unwrap();
        assert_eq!(s.values, vec![1.0, 2.0]);
        assert_eq!(s.warnings, vec![ReadWarning::BlankLines { path: "b.txt".into(), first_line: 4, count: 2 }]);
        // Header-only and empty files.
        assert!(err("a,b\n", &ReadOptions::default()).contains("no data rows after the header on line 1"));
        for t in ["", "\n\n", "# only\n", "\u{feff}"] {
            let e = err(t, &ReadOptions::default());
            assert!(e.contains("in.csv") && e.contains("no data"), "{e}");
        }
        assert!(err("1\n", &Select::Row(3).into()).contains("in.csv"));
    }

    fn npy_bytes(descr: &str, fortran: bool, shape: &[usize], values: &[f64]) -> Vec<u8> {
        let mut b = npy_header(NpyDtype::F64, shape);
        let h = std::str::from_utf8(&b[10..]).unwrap().to_string();
        let h = h.replace("'<f8'", &format!("'{descr}'"));
        let h = if fortran { h.replace("False", "True ") } else { h };
        b.truncate(10);
        b.extend_from_slice(h.as_bytes());
        for &v in values {
            match descr {
                "<f8" => b.extend_from_slice(&v.to_le_bytes()),
                ">f8" => b.extend_from_slice(&v.to_be_bytes()),
                "<f4" => b.extend_from_slice(&(v as f32).to_le_bytes()),
                ">f4" => b.extend_from_slice(&(v as f32).to_be_bytes()),
                _ => b.extend_from_slice(&v.to_le_bytes()),
            }
        }
        b
    }

    #[test]
    fn npy_orders_and_byte_orders() {
        // [[1, 2, 3], [4, 5, 6]] stored column-major.
        let f = npy_bytes("<f8", true, &[2, 3], &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
        assert_eq!(npy(&f, Select::Row(1)).unwrap(), vec![4.0, 5.0, 6.0]);
        assert_eq!(npy(&f, Select::Column(2)).unwrap(), vec![3.0, 6.0]);
        for d in [">f8", ">f4", "<f4"] {
            let b = npy_bytes(d, false, &[3], &[1.5, -2.0, 3.25]);
            assert_eq!(npy(&b, Select::Only).unwrap(), vec![1.5, -2.0, 3.25], "{d}");
        }
        let e = npy(&npy_bytes("<i8", false, &[1], &[1.0]), Select::Only).unwrap_err().to_string();
        assert!(e.contains("unsupported dtype '<i8'"), "{e}");
    }

    #[test]
    fn npy_shape_must_match_the_data_exactly() {
        let mut b = npy_bytes("<f8", false, &[2], &[1.0, 2.0]);
        b.extend_from_slice(&3.0f64.to_le_bytes());
        let e = npy(&b, Select::Only).unwrap_err().to_string();
        assert!(e.contains("8 bytes after the data"), "{e}");
        // Malformed headers are errors, not panics (`'shape': )` used to slice [1..0]).
        let good = npy_bytes("<f8", false, &[2], &[1.0, 2.0]);
        let h = std::str::from_utf8(&good[10..26 + 40]).unwrap().to_string();
        for (from, to) in [("(2,)", ")   "), ("(2,)", "(x,)"), ("(2,)", "2,  "), ("False", "Maybe"), ("(2,)", "()  ")] {
            let mut b = good.clone();
            let nh = h.replacen(from, to, 1);
            b[10..10 + nh.len()].copy_from_slice(nh.as_bytes());
            assert!(npy(&b, Select::Only).is_err(), "{nh}");
        }
        let mut v2 = good.clone();
        v2.truncate(11);
        v2[6] = 2;
        assert!(npy(&v2, Select::Only).unwrap_err().to_string().contains("truncated"));
    }

    #[test]
    fn npy_non_finite_values_are_named() {
        let b = npy_bytes("<f8", false, &[2, 2], &[1.0, 2.0, 3.0, f64::NAN]);
        assert_eq!(npy(&b, Select::Row(0)).unwrap(), vec![1.0, 2.0]);
        let e = npy(&b, Select::Column(1)).unwrap_err().to_string();
        assert!(e.contains("element [1, 1] (series index 1)") && e.contains("non-finite"), "{e}");
        let o = ReadOptions { select: Select::Row(1), allow_non_finite: true, ..ReadOptions::default() };
        assert!(parse_npy(&b, &o, "x").unwrap().values[1].is_nan());
        // The location is row-major for every selection, Select::All and Fortran order included.
        let e = npy(&b, Select::All).unwrap_err().to_string();
        assert!(e.contains("element [1, 1] (series index 3)"), "{e}");
        // Column-major storage of [[1, 2], [NaN, 4]]: the NaN is element [1, 0], row-major index 2.
        let f = npy_bytes("<f8", true, &[2, 2], &[1.0, f64::NAN, 2.0, 4.0]);
        let e = npy(&f, Select::All).unwrap_err().to_string();
        assert!(e.contains("element [1, 0] (series index 2)"), "{e}");
        let e = npy(&f, Select::Column(0)).unwrap_err().to_string();
        assert!(e.contains("element [1, 0] (series index 1)"), "{e}");
        let e = parse_all(&f, &ReadOptions::default(), "f").unwrap_err().to_string();
        assert!(e.contains("element [1, 0]"), "{e}");
    }
}
