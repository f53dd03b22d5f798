//! Fuzzing of the input parsers: the series readers (`.npy`, CSV / text: `io::read`) and the
//! summary JSON of `simulate` and `passage` (`Summary::from_json`, `PassageSummary::from_json`,
//! what `fracnoise merge` reads).
//!
//! Each target
//! 1. replays every file of its committed corpus `fuzz/corpus/<target>/` (valid files, hostile
//!    seeds such as a BOM, huge `.npy` shapes, truncated headers, bad dtypes, Fortran order,
//!    big-endian data, a wrong magic, JSON with huge counts, negative sums or bad hex, and every
//!    input that once failed), then
//! 2. runs a seeded random loop of structure-aware generation (tables with random separators,
//!    line ends, headers and tokens; `.npy` headers with random versions, dtypes, orders and
//!    shapes; valid summaries built by the library) and byte- and JSON-level mutation of corpus
//!    entries.
//!
//! Every input must give `Ok` or an error, never a panic; errors must name the input; `Ok`
//! results must be self-consistent (the `check_*` oracles: selections agree with each other,
//! header modes and options agree as documented, summaries round-trip through their JSON).
//! Proptest properties at the end check that well-formed tables and `.npy` files read back
//! exactly.
//!
//! Budget: `FRACNOISE_FUZZ_SECS=S` runs the random loop for `S` seconds per target (`.ci/run`
//! uses 20); without it, a fixed 5000 cases per target keep `cargo test` fast and deterministic.
//! The loop is seeded by `FRACNOISE_FUZZ_SEED` (a fixed default; the seed is printed), so a
//! failure replays with the same seed. A failing input is written to
//! `target/fuzz-failures/<target>/<hash>`: add it to the corpus with the fix and a regression
//! test. An input that aborts the process instead of panicking (say, an allocation failure) is
//! caught with `FRACNOISE_FUZZ_TRACE=1`, which writes each input to
//! `target/fuzz-failures/<target>/last` before running it.
//!
//! The seed files (`seed-*`) are written by
//! `cargo test --release --test fuzz_readers -- --ignored write_seed_corpus`; other corpus files
//! (`crash-*`: inputs that once failed) are kept as they are.

use fracnoise::io::read::{parse_series, Header, ReadOptions, ReadWarning, Select, Series};
use fracnoise::io::{npy_header, NpyDtype};
use fracnoise::passage::{Exit, PassageRecords, PassageSummary, Side};
use fracnoise::sde::summary::SUMMARY_FORMAT;
use fracnoise::sde::{Histogram, PowerSums, Summary};
use fracnoise::Error;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus as Rng64;
use serde_json::{json, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// A corpus: (file name, bytes), sorted by name.
type Corpus = [(String, Vec<u8>)];

/// Largest input the mutators make.
const MAX_LEN: usize = 1 << 16;

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(ROOT).join("fuzz/corpus").join(target)
}

/// The corpus of a target, sorted by name.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = corpus_dir(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "empty corpus {}", dir.display());
    files
}

/// FNV-1a, to name failing inputs.
fn fnv(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &x| (h ^ u64::from(x)).wrapping_mul(0x100_0000_01b3))
}

fn failures_dir(target: &str) -> PathBuf {
    Path::new(ROOT).join("target/fuzz-failures").join(target)
}

/// Runs the oracle on one input; a panic or a broken property is a failure message.
/// `Ok(parsed)`: whether the input was accepted.
fn run_case(check: fn(&[u8]) -> Result<bool, String>, input: &[u8]) -> Result<bool, String> {
    match catch_unwind(AssertUnwindSafe(|| check(input))) {
        Ok(r) => r,
        Err(p) => Err(format!(
            "panic: {}",
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        )),
    }
}

/// The corpus replay and the random loop of one target (module docs).
fn fuzz(target: &str, check: fn(&[u8]) -> Result<bool, String>, generate: fn(&mut Rng64, &Corpus) -> Vec<u8>) {
    let corpus = corpus(target);
    let mut failures: Vec<(String, String)> = Vec::new();
    let fail = |failures: &mut Vec<(String, String)>, what: String, input: &[u8], msg: String| {
        let dir = failures_dir(target);
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(format!("{:016x}", fnv(input)));
        std::fs::write(&p, input).unwrap();
        let shown: String = String::from_utf8_lossy(&input[..input.len().min(300)]).escape_debug().collect();
        eprintln!("FAIL {target} {what}: {msg}\n  saved to {}\n  input: {shown}", p.display());
        failures.push((what, msg));
    };
    for (name, bytes) in &corpus {
        if let Err(m) = run_case(check, bytes) {
            fail(&mut failures, format!("corpus file {name}"), bytes, m);
        }
    }
    let seed: u64 = std::env::var("FRACNOISE_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20_240_909);
    let secs: Option<f64> = std::env::var("FRACNOISE_FUZZ_SECS").ok().and_then(|s| s.parse().ok());
    let trace = std::env::var_os("FRACNOISE_FUZZ_TRACE").is_some();
    let deadline = secs.map(|s| Instant::now() + Duration::from_secs_f64(s.max(0.0)));
    let mut rng = Rng64::seed_from_u64(seed ^ fnv(target.as_bytes()));
    let start = Instant::now();
    let (mut cases, mut parsed) = (0u64, 0u64);
    loop {
        match deadline {
            Some(d) if Instant::now() >= d => break,
            None if cases >= 5000 => break,
            _ => {}
        }
        let input = generate(&mut rng, &corpus);
        if trace {
            let dir = failures_dir(target);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("last"), &input).unwrap();
        }
        match run_case(check, &input) {
            Ok(p) => parsed += u64::from(p),
            Err(m) => {
                fail(&mut failures, format!("case {cases} (seed {seed})"), &input, m);
                if failures.len() >= 10 {
                    break;
                }
            }
        }
        cases += 1;
    }
    eprintln!(
        "fuzz {target}: {} corpus files and {cases} random cases ({:.0}% accepted) in {:.1} s (seed {seed}), {} failures",
        corpus.len(),
        100.0 * parsed as f64 / cases.max(1) as f64,
        start.elapsed().as_secs_f64(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{target}: {} failing inputs (saved under target/fuzz-failures): {failures:?}",
        failures.len()
    );
}

// ---------------------------------------------------------------------------------------------
// Oracles

const NAME: &str = "fuzz.in";

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Every option combination of the reader on one input (module docs, `check_reader`).
fn check_reader(bytes: &[u8]) -> Result<bool, String> {
    let sels = [Select::Only, Select::Row(0), Select::Row(1), Select::Column(0), Select::Column(1)];
    let headers = [Header::Auto, Header::Present, Header::Absent];
    let is_npy = bytes.starts_with(b"\x93NUMPY");
    // r[relaxed][header][sel]
    let mut r: Vec<Vec<Vec<Option<Series>>>> = Vec::new();
    for relaxed in [false, true] {
        let mut by_h = Vec::new();
        for header in headers {
            let mut by_s = Vec::new();
            for select in sels {
                let o = ReadOptions { select, header, empty_as_nan: relaxed, allow_non_finite: relaxed };
                let res = parse_series(bytes, &o, NAME);
                let ctx = || format!("{o:?}");
                match &res {
                    Err(Error::Format { path, message }) => {
                        if path != NAME || message.is_empty() {
                            return Err(format!("{}: error does not name the input: {path}: {message}", ctx()));
                        }
                    }
                    Err(e) => return Err(format!("{}: not a format error: {e}", ctx())),
                    Ok(s) => {
                        if !relaxed && s.values.iter().any(|v| !v.is_finite()) {
                            return Err(format!("{}: a non-finite value without allow_non_finite", ctx()));
                        }
                        if let Some(w) = s.warnings.iter().find(|w| !w.to_string().contains(NAME)) {
                            return Err(format!("{}: warning does not name the input: {w}", ctx()));
                        }
                        if is_npy && !s.warnings.is_empty() {
                            return Err(format!("{}: .npy with warnings {:?}", ctx(), s.warnings));
                        }
                    }
                }
                by_s.push(res.ok());
            }
            by_h.push(by_s);
        }
        r.push(by_h);
    }
    let same = |a: &Series, b: &Series| bits(&a.values) == bits(&b.values);
    for (ri, by_h) in r.iter().enumerate() {
        for (hi, by_s) in by_h.iter().enumerate() {
            let ctx = format!("relaxed {} header {:?}", ri == 1, headers[hi]);
            // The only series is row 0 or column 0.
            if let Some(only) = &by_s[0] {
                let row0 = by_s[1].as_ref().is_some_and(|s| same(s, only));
                let col0 = by_s[3].as_ref().is_some_and(|s| same(s, only));
                if !(row0 || col0) {
                    return Err(format!("{ctx}: Only is neither row 0 nor column 0"));
                }
            }
            // Rows and columns cross at the same element.
            for (i, si) in [(0usize, 1usize), (1, 2)] {
                for (j, sj) in [(0usize, 3usize), (1, 4)] {
                    if let (Some(row), Some(col)) = (&by_s[si], &by_s[sj]) {
                        if j < row.values.len()
                            && i < col.values.len()
                            && row.values[j].to_bits() != col.values[i].to_bits()
                        {
                            return Err(format!("{ctx}: row {i}[{j}] != column {j}[{i}]"));
                        }
                    }
                }
            }
            // Relaxing the options keeps what was read.
            if ri == 0 {
                for (k, s) in by_s.iter().enumerate() {
                    if let Some(s) = s {
                        match &r[1][hi][k] {
                            Some(t) if same(s, t) && s.warnings == t.warnings => {}
                            _ => return Err(format!("{ctx} {:?}: relaxed options changed the result", sels[k])),
                        }
                    }
                }
            }
        }
        for k in 0..sels.len() {
            let ctx = format!("relaxed {} {:?}", ri == 1, sels[k]);
            let (auto, present, absent) = (&by_h[0][k], &by_h[1][k], &by_h[2][k]);
            if is_npy {
                // The header options do not apply.
                let all = [auto, present, absent];
                if all.iter().any(|s| s.is_some() != auto.is_some())
                    || all.iter().flat_map(|s| s.iter()).any(|s| !same(s, auto.as_ref().unwrap()))
                {
                    return Err(format!("{ctx}: .npy result depends on the header option"));
                }
                continue;
            }
            if let Some(a) = auto {
                let guessed = a.warnings.iter().any(|w| matches!(w, ReadWarning::HeaderGuessed { .. }));
                if guessed {
                    if !present.as_ref().is_some_and(|p| same(p, a)) {
                        return Err(format!("{ctx}: a guessed header read differently with Header::Present"));
                    }
                    if absent.is_some() {
                        return Err(format!("{ctx}: a guessed header is data with Header::Absent"));
                    }
                } else if !absent.as_ref().is_some_and(|b| same(a, b) && a.warnings == b.warnings) {
                    return Err(format!("{ctx}: no header guessed, but Header::Absent reads differently"));
                }
            }
            if absent.is_some() && !auto.as_ref().is_some_and(|a| same(a, absent.as_ref().unwrap())) {
                return Err(format!("{ctx}: Header::Absent reads, Header::Auto differently"));
            }
        }
    }
    // What was read, written one value per line, reads back bit for bit.
    let parsed = r.iter().flatten().flatten().any(Option::is_some);
    if let Some(s) = &r[0][0][0] {
        let text: String = s.values.iter().map(|v| format!("{v:?}\n")).collect();
        let o = ReadOptions { header: Header::Absent, ..ReadOptions::default() };
        match parse_series(text.as_bytes(), &o, NAME) {
            Ok(t) if same(s, &t) => {}
            Ok(_) if s.values.is_empty() => {}
            Err(_) if s.values.is_empty() => {}
            other => return Err(format!("values do not read back: {other:?}")),
        }
    }
    Ok(parsed)
}

fn check_summary(bytes: &[u8]) -> Result<bool, String> {
    let Ok(text) = std::str::from_utf8(bytes) else { return Ok(false) };
    match Summary::from_json(text, "fuzz.json") {
        Err(e) => {
            if !e.to_string().contains("fuzz.json") {
                return Err(format!("error does not name the file: {e}"));
            }
        }
        Ok(s) => {
            let back = Summary::from_json(&s.to_json(), "again").map_err(|e| format!("round trip fails: {e}"))?;
            if back != s {
                return Err("round trip changes the summary".into());
            }
            return Ok(true);
        }
    }
    Ok(false)
}

fn check_passage(bytes: &[u8]) -> Result<bool, String> {
    let Ok(text) = std::str::from_utf8(bytes) else { return Ok(false) };
    match PassageSummary::from_json(text, "fuzz.json") {
        Err(e) => {
            if !e.to_string().contains("fuzz.json") {
                return Err(format!("error does not name the file: {e}"));
            }
        }
        Ok(s) => {
            let covered: u64 = s.records.ranges().iter().map(|r| r[1] - r[0]).sum();
            if covered != s.path_count() || s.records.exits().iter().any(|e| !(e.time >= 0.0 && e.time <= s.horizon)) {
                return Err("records inconsistent with their ranges or the horizon".into());
            }
            let back =
                PassageSummary::from_json(&s.to_json(), "again").map_err(|e| format!("round trip fails: {e}"))?;
            if back != s {
                return Err("round trip changes the summary".into());
            }
            return Ok(true);
        }
    }
    Ok(false)
}

// ---------------------------------------------------------------------------------------------
// Generators and mutators

/// Number-like tokens that break parsers.
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "2",
    "3",
    "7",
    "255",
    "256",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "4294967295",
    "4294967296",
    "9007199254740993",
    "2305843009213693952",
    "4611686018427387904",
    "9223372036854775806",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "1e308",
    "1.7976931348623157e308",
    "1e309",
    "-1e309",
    "5e-324",
    "1e-400",
    "2.2250738585072014e-308",
    "nan",
    "NaN",
    "-nan",
    "inf",
    "-inf",
    "Infinity",
    "1.5",
    ".5",
    "5.",
    "+3",
    "1e",
    "e5",
    "0x10",
    "1_0",
    "",
    "-",
    "\u{663}",
    "1,5",
    "\"2\"",
    "3L",
];

/// Tokens for the text target.
const TEXT_DICT: &[&str] = &[
    ",",
    ";",
    "\t",
    " ",
    "\n",
    "\r\n",
    "\r",
    "\u{feff}",
    "\"",
    "#",
    ",,",
    "\t\t",
    "nan",
    "inf",
    "x",
    "time,value",
    "\u{0}",
    "\u{a0}",
    "\u{2028}",
    "\u{ff}",
    "1e999",
    "-0.0",
];

/// Tokens for the `.npy` target.
const NPY_DICT: &[&str] = &[
    "'descr'",
    "'<f8'",
    "'>f8'",
    "'<f4'",
    "'>f4'",
    "'|f8'",
    "'<i8'",
    "'<f2'",
    "'fortran_order'",
    "True",
    "False",
    "'shape'",
    "(",
    ")",
    ",",
    "(0,)",
    "()",
    "(1, 2, 3)",
    ": ",
    "{",
    "}",
    "\n",
    "\u{93}NUMPY",
    "L",
];

/// Tokens for the JSON targets.
const JSON_DICT: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "null",
    "true",
    "-",
    "0x",
    "p-1074",
    "p9223372036854775806",
    "\"nan\"",
    "\"0x1p9223372036854775806\"",
    "\"-0x0p0\"",
    "\"format\"",
    "\"paths\"",
    "\"counts\"",
    "\"sums\"",
    "\"times\"",
    "\"sides\"",
    "\"uuu\"",
    "\"horizon\"",
    "1e999",
    "\\u0000",
    "\\ud800",
];

fn pick<'a, T>(rng: &mut Rng64, xs: &'a [T]) -> &'a T {
    &xs[rng.random_range(0..xs.len())]
}

/// A random finite or extreme double.
fn value(rng: &mut Rng64) -> f64 {
    match rng.random_range(0..10) {
        0 => *pick(rng, &[0.0, -0.0, 1.0, -1.0, f64::MAX, f64::MIN, f64::MIN_POSITIVE, 5e-324, 1e300, -1e-300]),
        1 => f64::from_bits(rng.random()),
        2 => rng.random_range(-1000i32..1000) as f64,
        _ => (rng.random::<f64>() - 0.5) * 2f64.powi(rng.random_range(-40..40)),
    }
}

/// Byte-level mutations (bit flips, interesting bytes, dictionary tokens, deletions,
/// duplications, truncation, splicing with another corpus entry, number swaps).
fn mutate(rng: &mut Rng64, data: &mut Vec<u8>, dict: &[&str], others: &Corpus) {
    for _ in 0..rng.random_range(1..=6) {
        let n = data.len();
        let at = |rng: &mut Rng64| if n == 0 { 0 } else { rng.random_range(0..=n) };
        match rng.random_range(0..10) {
            0 if n > 0 => {
                let i = rng.random_range(0..n);
                data[i] ^= 1 << rng.random_range(0..8);
            }
            1 if n > 0 => {
                let i = rng.random_range(0..n);
                data[i] = *pick(rng, b"\x00\xff\x7f\x80\n\r,;\t \"#0123456789-.eE");
            }
            2 | 3 => {
                let i = at(rng);
                let tok = pick(rng, dict).as_bytes().to_vec();
                data.splice(i..i, tok);
            }
            4 if n > 0 => {
                let i = rng.random_range(0..n);
                let len = rng.random_range(1..=16.min(n - i));
                data.drain(i..i + len);
            }
            5 if n > 0 => {
                let i = rng.random_range(0..n);
                let len = rng.random_range(1..=64.min(n - i));
                let chunk = data[i..i + len].to_vec();
                let j = at(rng);
                data.splice(j..j, chunk);
            }
            6 if n > 0 => data.truncate(rng.random_range(0..n)),
            7 => {
                let other = &pick(rng, others).1;
                let (i, j) = (at(rng), if other.is_empty() { 0 } else { rng.random_range(0..other.len()) });
                data.truncate(i);
                data.extend_from_slice(&other[j..]);
            }
            _ => {
                // Replace a run of digits by an interesting number.
                if let Some(start) = (0..n).map(|k| (k + at(rng)) % n.max(1)).find(|&k| data[k].is_ascii_digit()) {
                    let end = (start..n).find(|&k| !data[k].is_ascii_digit()).unwrap_or(n);
                    data.splice(start..end, pick(rng, NUMBERS).as_bytes().iter().copied());
                }
            }
        }
    }
    data.truncate(MAX_LEN);
}

/// A table of tokens with random separators, line ends, header, comments and blank lines.
fn gen_table(rng: &mut Rng64) -> Vec<u8> {
    let sep = *pick(rng, &[",", ";", "\t", " ", "  ", ", ", " \t"]);
    let eol = *pick(rng, &["\n", "\r\n", "\r"]);
    let (rows, cols) = (rng.random_range(0..8), rng.random_range(1..5));
    let mut t = String::new();
    if rng.random_bool(0.2) {
        t.push('\u{feff}');
    }
    if rng.random_bool(0.2) {
        t.push_str("# comment");
        t.push_str(eol);
    }
    if rng.random_bool(0.4) {
        let h: Vec<String> =
            (0..cols).map(|j| if rng.random_bool(0.8) { format!("c{j}") } else { "1".into() }).collect();
        t.push_str(&h.join(sep));
        t.push_str(eol);
    }
    for _ in 0..rows {
        let w = if rng.random_bool(0.05) { rng.random_range(1..6) } else { cols };
        let cells: Vec<String> = (0..w)
            .map(|_| match rng.random_range(0..12) {
                0 => pick(rng, NUMBERS).to_string(),
                1 if rng.random_bool(0.3) => String::new(),
                2 => format!("\"{}\"", value(rng)),
                3 => format!("{:e}", value(rng)),
                _ => format!("{:?}", value(rng)),
            })
            .collect();
        t.push_str(&cells.join(sep));
        if rng.random_bool(0.05) {
            t.push_str(sep);
        }
        t.push_str(eol);
        if rng.random_bool(0.05) {
            t.push_str(eol);
        }
    }
    if rng.random_bool(0.3) {
        t.push_str(eol);
    }
    t.into_bytes()
}

fn gen_text(rng: &mut Rng64, corpus: &Corpus) -> Vec<u8> {
    let mut b = if rng.random_bool(0.5) { gen_table(rng) } else { pick(rng, corpus).1.clone() };
    if rng.random_bool(0.7) {
        mutate(rng, &mut b, TEXT_DICT, corpus);
    }
    b
}

/// An `.npy` file with a random version, dtype, order, shape, header length and body length.
fn gen_npy_file(rng: &mut Rng64) -> Vec<u8> {
    let descr = *pick(rng, &["<f8", "<f8", "<f8", "<f4", ">f8", ">f4", "|f8", "<i8", "<f2", "O", "f8"]);
    let fortran = *pick(rng, &["False", "False", "False", "True", "True", "1"]);
    let dim_pool: &[&str] = &[
        "0",
        "1",
        "2",
        "3",
        "5",
        "17",
        "2147483648",
        "4294967296",
        "4294967297",
        "2305843009213693952",
        "4611686018427387904",
        "9223372036854775808",
        "18446744073709551615",
        "3L",
        "-1",
        "x",
        " ",
    ];
    let ndim = *pick(rng, &[0, 1, 1, 1, 2, 2, 2, 3]);
    let dims: Vec<String> =
        (0..ndim)
            .map(|_| {
                if rng.random_bool(0.85) {
                    rng.random_range(0..6).to_string()
                } else {
                    pick(rng, dim_pool).to_string()
                }
            })
            .collect();
    let shape = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let mut entries =
        vec![format!("'descr': '{descr}'"), format!("'fortran_order': {fortran}"), format!("'shape': {shape}")];
    if rng.random_bool(0.05) {
        let i = rng.random_range(0..3);
        entries.remove(i);
    }
    if rng.random_bool(0.3) {
        let (i, j) = (rng.random_range(0..entries.len()), rng.random_range(0..entries.len()));
        entries.swap(i, j);
    }
    let mut dict = format!("{{{}, }}", entries.join(", "));
    let version = *pick(rng, &[1u8, 1, 1, 1, 1, 2, 3, 0, 4]);
    let pre = if version == 1 { 10 } else { 12 };
    while (pre + dict.len() + 1) % 64 != 0 {
        dict.push(' ');
    }
    dict.push('\n');
    let mut hlen = dict.len() as u64;
    if rng.random_bool(0.05) {
        hlen = hlen.wrapping_add(rng.random_range(0..8)).wrapping_sub(4);
    }
    let mut b = b"\x93NUMPY".to_vec();
    b.extend_from_slice(&[version, 0]);
    if version == 1 {
        b.extend_from_slice(&(hlen as u16).to_le_bytes());
    } else {
        b.extend_from_slice(&(hlen as u32).to_le_bytes());
    }
    b.extend_from_slice(dict.as_bytes());
    let width = if descr.contains('4') { 4 } else { 8 };
    let count = dims.iter().map(|d| d.trim().parse::<usize>().unwrap_or(1)).try_fold(1usize, |a, d| a.checked_mul(d));
    let mut nbytes = match count.and_then(|c| c.checked_mul(width)) {
        Some(n) if n <= 4096 => n,
        _ => rng.random_range(0..64),
    };
    if rng.random_bool(0.1) {
        nbytes = (nbytes + rng.random_range(0..9)).saturating_sub(4);
    }
    for _ in 0..nbytes.div_ceil(8) {
        let v = value(rng);
        b.extend_from_slice(&if rng.random_bool(0.5) { v.to_le_bytes() } else { v.to_be_bytes() });
    }
    b.truncate(b.len() - (nbytes.div_ceil(8) * 8 - nbytes));
    b
}

fn gen_npy(rng: &mut Rng64, corpus: &Corpus) -> Vec<u8> {
    let mut b = if rng.random_bool(0.6) { gen_npy_file(rng) } else { pick(rng, corpus).1.clone() };
    if rng.random_bool(0.3) {
        // Mostly in the header, where the parser is.
        let split = b.len().min(128);
        let mut head = b[..split].to_vec();
        mutate(rng, &mut head, NPY_DICT, corpus);
        head.extend_from_slice(&b[split..]);
        b = head;
    } else if rng.random_bool(0.2) {
        mutate(rng, &mut b, NPY_DICT, corpus);
    }
    b
}

/// A valid summary built by the library.
fn gen_summary_value(rng: &mut Rng64) -> Summary {
    let dim = rng.random_range(1..=3);
    let steps: Vec<usize> = (0..rng.random_range(0..4)).map(|i| i * 10).collect();
    let shift = if rng.random_bool(0.5) { 0.0 } else { value(rng) };
    let sums = |rng: &mut Rng64| {
        let mut p = PowerSums::new(shift);
        for _ in 0..rng.random_range(0..6) {
            p.push(if rng.random_bool(0.02) { f64::NAN } else { value(rng) });
        }
        p
    };
    let moments = steps.iter().map(|_| (0..dim).map(|_| sums(rng)).collect()).collect();
    let histogram = if rng.random_bool(0.5) {
        let mut h = Histogram::new(0, 0, -1.0, 2.0, rng.random_range(1..6)).unwrap();
        for _ in 0..rng.random_range(0..20) {
            h.push(value(rng));
        }
        Some(h)
    } else {
        None
    };
    let extremes = rng.random_bool(0.3);
    let first: u64 = if rng.random_bool(0.8) { rng.random_range(0..100) } else { u64::MAX - 10 };
    Summary {
        format: SUMMARY_FORMAT.to_string(),
        config: json!({"model": "ou", "seed": rng.random::<u64>(), "paths": 100}),
        paths: vec![[first, first + rng.random_range(1..10)]],
        dim,
        steps: steps.clone(),
        times: steps.iter().map(|&s| s as f64 * 0.01).collect(),
        moments,
        histogram,
        running_min: extremes.then(|| (0..dim).map(|_| sums(rng)).collect()),
        running_max: extremes.then(|| (0..dim).map(|_| sums(rng)).collect()),
        tail_index: None,
        quantiles: None,
    }
}

fn gen_passage_value(rng: &mut Rng64) -> PassageSummary {
    let horizon = *pick(rng, &[1.0, 10.0, 1e-300, 1e300, 2.5]);
    let exit = |rng: &mut Rng64| match rng.random_range(0..3) {
        0 => Exit::exited(rng.random::<f64>() * horizon, Side::Upper),
        1 => Exit::exited(rng.random::<f64>() * horizon, Side::Lower),
        _ => Exit::censored(horizon),
    };
    let first: u64 = if rng.random_bool(0.8) { rng.random_range(0..100) } else { u64::MAX - 20 };
    let n = rng.random_range(0..8);
    let mut records = PassageRecords::new(first, (0..n).map(|_| exit(rng)).collect()).unwrap();
    if rng.random_bool(0.3) && first < 1000 {
        let more = PassageRecords::new(first + n + 5, (0..3).map(|_| exit(rng)).collect()).unwrap();
        records.merge(&more).unwrap();
    }
    PassageSummary { config: json!({"model": "bm", "seed": rng.random::<u32>()}), horizon, records }
}

/// JSON pointers of every node of `v`.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| pointers(x, format!("{at}/{i}"), out)),
        Value::Object(o) => {
            o.iter().for_each(|(k, x)| pointers(x, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out))
        }
        _ => {}
    }
    out.push(at);
}

/// Structure-aware mutations of a JSON document: replace, delete or duplicate nodes, edit numbers
/// and exact-sum hex strings.
fn mutate_json(rng: &mut Rng64, v: &mut Value) {
    for _ in 0..rng.random_range(1..=3) {
        let mut ps = Vec::new();
        pointers(v, String::new(), &mut ps);
        let p = pick(rng, &ps).clone();
        let Some(node) = v.pointer_mut(&p) else { continue };
        match node {
            Value::Array(a) if !a.is_empty() && rng.random_bool(0.5) => {
                let i = rng.random_range(0..a.len());
                match rng.random_range(0..3) {
                    0 => {
                        a.remove(i);
                    }
                    1 => {
                        let x = a[i].clone();
                        a.insert(i, x);
                    }
                    _ => a.truncate(i),
                }
            }
            Value::Object(o) if !o.is_empty() && rng.random_bool(0.5) => {
                let k = o.keys().nth(rng.random_range(0..o.len())).unwrap().clone();
                if rng.random_bool(0.7) {
                    o.remove(&k);
                } else {
                    let x = o[&k].clone();
                    o.insert(format!("{k}x"), x);
                }
            }
            Value::String(s) if rng.random_bool(0.6) => {
                *s = match rng.random_range(0..6) {
                    0 => format!("-{s}"),
                    1 => format!("{s}0"),
                    2 => s.replacen('p', &format!("p{}", pick(rng, NUMBERS)), 1),
                    3 => format!("0x{}p-1074", "f".repeat(rng.random_range(540..560))),
                    4 => s.chars().rev().collect(),
                    _ => pick(
                        rng,
                        &["nan", "0x", "0xp1", "0x1p", "-", "", "0x1p-1073", "0x0p99999999999999999999", "ulc?"],
                    )
                    .to_string(),
                };
            }
            Value::Number(_) if rng.random_bool(0.6) => {
                let t = pick(rng, NUMBERS);
                *node = serde_json::from_str(t).unwrap_or_else(|_| json!(-1));
            }
            _ => {
                *node = match rng.random_range(0..7) {
                    0 => Value::Null,
                    1 => json!(true),
                    2 => json!([]),
                    3 => json!({}),
                    4 => json!(u64::MAX),
                    5 => json!(-1),
                    _ => json!("0x1p9223372036854775806"),
                };
            }
        }
    }
}

fn gen_json(rng: &mut Rng64, corpus: &Corpus, fresh: impl Fn(&mut Rng64) -> String) -> Vec<u8> {
    let text =
        if rng.random_bool(0.5) { fresh(rng) } else { String::from_utf8_lossy(&pick(rng, corpus).1).into_owned() };
    let mut b = match serde_json::from_str::<Value>(&text) {
        Ok(mut v) if rng.random_bool(0.8) => {
            mutate_json(rng, &mut v);
            serde_json::to_vec(&v).unwrap()
        }
        _ => text.into_bytes(),
    };
    if rng.random_bool(0.3) {
        mutate(rng, &mut b, JSON_DICT, corpus);
    }
    b
}

fn gen_summary(rng: &mut Rng64, corpus: &Corpus) -> Vec<u8> {
    gen_json(rng, corpus, |r| gen_summary_value(r).to_json())
}

fn gen_passage(rng: &mut Rng64, corpus: &Corpus) -> Vec<u8> {
    gen_json(rng, corpus, |r| gen_passage_value(r).to_json())
}

// ---------------------------------------------------------------------------------------------
// Targets

#[test]
fn fuzz_npy() {
    fuzz("npy", check_reader, gen_npy);
}

#[test]
fn fuzz_text() {
    fuzz("text", check_reader, gen_text);
}

#[test]
fn fuzz_summary_json() {
    fuzz("summary", check_summary, gen_summary);
}

#[test]
fn fuzz_passage_json() {
    fuzz("passage", check_passage, gen_passage);
}

// ---------------------------------------------------------------------------------------------
// The seed corpus

/// `.npy` bytes: `descr` and order edited into a valid header, then `data` as given.
fn npy_with(descr: &str, fortran: bool, shape: &[usize], data: &[u8]) -> Vec<u8> {
    let mut b = npy_header(NpyDtype::F64, shape);
    let h = String::from_utf8(b[10..].to_vec()).unwrap().replace("'<f8'", &format!("'{descr}'"));
    let h = if fortran { h.replace("False", "True ") } else { h };
    b.truncate(10);
    b.extend_from_slice(h.as_bytes());
    b.extend_from_slice(data);
    b
}

fn le(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Writes the `seed-*` files of the corpus (module docs).
#[test]
#[ignore = "rewrites fuzz/corpus/*/seed-*"]
fn write_seed_corpus() {
    let write = |target: &str, name: &str, bytes: &[u8]| {
        let d = corpus_dir(target);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(format!("seed-{name}")), bytes).unwrap();
    };
    // .npy
    let m23 = le(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.5]);
    write("npy", "f8-2x3", &npy_with("<f8", false, &[2, 3], &m23));
    write("npy", "f8-1d", &npy_with("<f8", false, &[4], &le(&[0.5, -1.0, 2.0, 1e-300])));
    write("npy", "f8-empty", &npy_with("<f8", false, &[0], &[]));
    write("npy", "f8-0x5", &npy_with("<f8", false, &[0, 5], &[]));
    write("npy", "f4-3x1", &npy_with("<f4", false, &[3, 1], &[1.5f32, 2.0, -3.0].map(f32::to_le_bytes).concat()));
    write("npy", "fortran-2x3", &npy_with("<f8", true, &[2, 3], &le(&[1.0, 4.0, 2.0, 5.0, 3.0, 6.0])));
    write("npy", "big-endian-f8", &npy_with(">f8", false, &[2], &[1.0f64, 2.0].map(f64::to_be_bytes).concat()));
    write("npy", "big-endian-f4", &npy_with(">f4", false, &[2], &[1.0f32, 2.0].map(f32::to_be_bytes).concat()));
    write("npy", "bad-dtype-i8", &npy_with("<i8", false, &[2], &[1i64, 2].map(i64::to_le_bytes).concat()));
    write("npy", "bad-dtype-object", &npy_with("O", false, &[2], &[0; 16]));
    write("npy", "nan-inf", &npy_with("<f8", false, &[3], &le(&[f64::NAN, f64::INFINITY, 1.0])));
    write("npy", "huge-shape-2d", &npy_with("<f8", false, &[1 << 32, 1 << 32], &le(&[1.0])));
    write("npy", "huge-shape-1d", &npy_with("<f8", false, &[1 << 61], &le(&[1.0])));
    write("npy", "huge-shape-max", &npy_with("<f8", false, &[usize::MAX, 2], &le(&[1.0])));
    write("npy", "truncated-data", &npy_with("<f8", false, &[3], &le(&[1.0, 2.0])[..13]));
    write("npy", "extra-data", &npy_with("<f8", false, &[1], &le(&[1.0, 2.0])));
    write("npy", "3d", &npy_with("<f8", false, &[1, 1, 1], &le(&[1.0])));
    write("npy", "0d", &npy_with("<f8", false, &[], &le(&[1.0])));
    let good = npy_with("<f8", false, &[2], &le(&[1.0, 2.0]));
    write("npy", "truncated-header", &good[..40]);
    write("npy", "magic-only", b"\x93NUMPY");
    write("npy", "wrong-magic", &[b"\x93NUMPX", &good[6..]].concat());
    let mut v2 = b"\x93NUMPY\x02\x00".to_vec();
    v2.extend_from_slice(&((good.len() - 10) as u32).to_le_bytes());
    v2.extend_from_slice(&good[10..]);
    write("npy", "version-2", &v2);
    write("npy", "version-2-short", b"\x93NUMPY\x02\x00\x10\x00");
    write("npy", "version-9", &[b"\x93NUMPY\x09", &good[7..]].concat());
    let mut huge_len = good.clone();
    huge_len[8..10].copy_from_slice(&u16::MAX.to_le_bytes());
    write("npy", "header-length-past-end", &huge_len);
    let edit = |from: &str, to: &str| {
        let h = String::from_utf8_lossy(&good[10..]).replacen(from, to, 1);
        let mut b = good[..10].to_vec();
        b[8..10].copy_from_slice(&(h.len() as u16).to_le_bytes());
        b.extend_from_slice(h.as_bytes());
        b.extend_from_slice(&le(&[1.0, 2.0]));
        b
    };
    write("npy", "shape-close-paren", &edit("(2,)", ")"));
    write("npy", "shape-no-tuple", &edit("(2,)", "2"));
    write("npy", "shape-negative", &edit("(2,)", "(-2,)"));
    write("npy", "shape-python2-long", &edit("(2,)", "(2L,)"));
    write("npy", "shape-unicode", &edit("(2,)", "(\u{e9},)"));
    write("npy", "fortran-garbage", &edit("False", "Maybe"));
    write("npy", "no-descr", &edit("'descr'", "'dtype'"));
    write("npy", "no-shape", &edit("'shape'", "'shap'"));
    // text
    let text_seeds: &[(&str, &str)] = &[
        ("column", "1\n2\n3.5\n-4e-3\n"),
        ("csv-header", "time,x\n0,1.5\n1,2.5\n2,-0.5\n"),
        ("tsv", "1\t2\n3\t4\n"),
        ("whitespace-aligned", "  1   2\n 10  20\n"),
        ("semicolon", "a;b\n1;2\n3;4\n"),
        ("decimal-comma", "1,5;2,5\n3,5;4,5\n"),
        ("bom", "\u{feff}1\n2\n3\n"),
        ("bom-header", "\u{feff}x,y\n1,2\n"),
        ("crlf", "x\r\n1\r\n2\r\n"),
        ("cr-only", "1\r2\r3\r"),
        ("empty-cell", "1,2,3\n4,,6\n7,8,9\n"),
        ("trailing-separator", "1,2,\n3,4,\n"),
        ("leading-tab", "\t1\n2\t3\n"),
        ("ragged", "1,2\n3\n"),
        ("typo-first-line", "1.2x\n1\n2\n"),
        ("typo-in-row", "1,2x,3\n4,5,6\n"),
        ("nan-inf", "1\nnan\ninf\n-inf\n"),
        ("quoted", "\"a\",\"b\"\n\"1.5\",\"2\"\n"),
        ("quoted-separator", "\"a,b\",c\n1,2\n"),
        ("comments-blanks", "# c\n\n1\n\n# d\n2\n\n"),
        ("blank-last-line", "1\n2\n\n"),
        ("header-only", "a,b\n"),
        ("empty", ""),
        ("only-comments", "# nothing\n"),
        ("utf16", "\u{fffe}"),
        ("not-utf8", "1\n\u{0}\n"),
        ("spaces-and-tabs", "1  2\t3\n4  5\t6\n"),
        ("huge-numbers", "1e308\n1e309\n-1e400\n5e-324\n"),
    ];
    for (name, t) in text_seeds {
        write("text", name, t.as_bytes());
    }
    write("text", "utf16-le", &[0xff, 0xfe, b'1', 0, b'\n', 0]);
    write("text", "invalid-utf8", b"1\n2\n\xc3\x28\n");
    // summaries
    let mut rng = Rng64::seed_from_u64(7);
    for i in 0..4 {
        write("summary", &format!("valid-{i}"), gen_summary_value(&mut rng).to_json().as_bytes());
    }
    let base = (0..).map(|s| gen_summary_value(&mut Rng64::seed_from_u64(s))).find(|s| !s.moments.is_empty()).unwrap();
    let base: Value = serde_json::from_str(&base.to_json()).unwrap();
    let edited = |f: &dyn Fn(&mut Value)| {
        let mut v = base.clone();
        f(&mut v);
        serde_json::to_vec_pretty(&v).unwrap()
    };
    write("summary", "huge-count", &edited(&|v| v["moments"][0][0]["count"] = json!(u64::MAX)));
    write("summary", "negative-sum", &edited(&|v| v["moments"][0][0]["sums"][1] = json!("-0x10p-2")));
    write(
        "summary",
        "hex-huge-exponent",
        &edited(&|v| v["moments"][0][0]["sums"][0] = json!("0x1p9223372036854775806")),
    );
    write("summary", "hex-wrong", &edited(&|v| v["moments"][0][0]["sums"][0] = json!("0xg1p0")));
    write(
        "summary",
        "hex-too-long",
        &edited(&|v| v["moments"][0][0]["sums"][0] = json!(format!("0x{}p0", "f".repeat(600)))),
    );
    write("summary", "reversed-range", &edited(&|v| v["paths"] = json!([[10, 2]])));
    write("summary", "dim-mismatch", &edited(&|v| v["dim"] = json!(7)));
    write("summary", "wrong-format", &edited(&|v| v["format"] = json!("fracnoise-sde-summary-v0")));
    write(
        "summary",
        "histogram-empty-bins",
        &edited(&|v| {
            v["histogram"] =
                json!({"step": 0, "component": 0, "lo": 1.0, "hi": 0.0, "counts": [], "below": 0, "above": u64::MAX})
        }),
    );
    write("summary", "not-json", b"{\"format\": ");
    write("summary", "deep", &[b"[".repeat(200), b"]".repeat(200)].concat());
    // passage summaries
    for i in 0..4 {
        write("passage", &format!("valid-{i}"), gen_passage_value(&mut rng).to_json().as_bytes());
    }
    let base = (0..).map(|s| gen_passage_value(&mut Rng64::seed_from_u64(s))).find(|p| p.path_count() > 0).unwrap();
    let base: Value = serde_json::from_str(&base.to_json()).unwrap();
    let edited = |f: &dyn Fn(&mut Value)| {
        let mut v = base.clone();
        f(&mut v);
        serde_json::to_vec(&v).unwrap()
    };
    write("passage", "huge-range", &edited(&|v| v["records"]["paths"] = json!([[0, u64::MAX]])));
    write("passage", "overlapping-ranges", &edited(&|v| v["records"]["paths"] = json!([[0, 5], [3, 9]])));
    write(
        "passage",
        "range-sum-overflow",
        &edited(&|v| v["records"]["paths"] = json!([[0, u64::MAX - 1], [u64::MAX - 1, u64::MAX]])),
    );
    write("passage", "negative-time", &edited(&|v| v["records"]["times"][0] = json!(-1.0)));
    write("passage", "bad-side", &edited(&|v| v["records"]["sides"] = json!("x")));
    write("passage", "negative-horizon", &edited(&|v| v["horizon"] = json!(-1.0)));
    write("passage", "missing-records", &edited(&|v| v["records"] = Value::Null));
}

// ---------------------------------------------------------------------------------------------
// Well-formed inputs read back exactly (proptest)

mod roundtrip {
    use super::*;
    use proptest::prelude::*;

    fn finite() -> impl Strategy<Value = f64> {
        prop_oneof![
            any::<f64>().prop_filter("finite", |x| x.is_finite()),
            (-1e6f64..1e6),
            Just(0.0),
            Just(-0.0),
            Just(5e-324)
        ]
    }

    fn matrix() -> impl Strategy<Value = Vec<Vec<f64>>> {
        (1usize..5, 1usize..7).prop_flat_map(|(c, r)| prop::collection::vec(prop::collection::vec(finite(), c), r))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// A table written with any separator, line end, quoting, BOM, header, comments and
        /// blank edges reads back column by column, bit for bit, and row by row.
        #[test]
        fn tables_read_back(
            m in matrix(),
            sep in prop::sample::select(vec![",", ";", "\t", " ", "   ", ", ", " ; "]),
            eol in prop::sample::select(vec!["\n", "\r\n", "\r"]),
            bom: bool, header: bool, quote: bool, comment: bool, blank_end: bool,
            header_mode in prop::sample::select(vec![Header::Auto, Header::Present]),
        ) {
            let cols = m[0].len();
            let mut t = String::new();
            if bom { t.push('\u{feff}'); }
            if comment { t.push_str("# generated"); t.push_str(eol); }
            let has_header = header || header_mode == Header::Present;
            if has_header {
                t.push_str(&(0..cols).map(|j| format!("col{j}")).collect::<Vec<_>>().join(sep));
                t.push_str(eol);
            }
            for row in &m {
                let cells: Vec<String> =
                    row.iter().map(|v| if quote && sep.trim() != "" { format!("\"{v:?}\"") } else { format!("{v:?}") }).collect();
                t.push_str(&cells.join(sep));
                t.push_str(eol);
            }
            if blank_end { t.push_str(eol); t.push_str(eol); }
            for j in 0..cols {
                let o = ReadOptions { select: Select::Column(j), header: header_mode, ..ReadOptions::default() };
                let s = parse_series(t.as_bytes(), &o, "t").map_err(|e| TestCaseError::fail(format!("{e}\n{t:?}")))?;
                let want: Vec<f64> = m.iter().map(|r| r[j]).collect();
                prop_assert_eq!(bits(&s.values), bits(&want), "{:?}", t);
                let guessed = s.warnings.iter().any(|w| matches!(w, ReadWarning::HeaderGuessed { line, .. } if *line == 1 + comment as usize));
                prop_assert_eq!(guessed, has_header && header_mode == Header::Auto, "{:?}", s.warnings);
                prop_assert_eq!(s.warnings.len(), guessed as usize);
            }
            for (i, row) in m.iter().enumerate() {
                let o = ReadOptions { select: Select::Row(i), header: header_mode, ..ReadOptions::default() };
                let s = parse_series(t.as_bytes(), &o, "t").unwrap();
                prop_assert_eq!(bits(&s.values), bits(row));
            }
        }

        /// Any 2-D `.npy` file of float64 or float32, little- or big-endian, C or Fortran
        /// order, reads back row by row and column by column.
        #[test]
        fn npy_reads_back(m in matrix(), f32_: bool, big: bool, fortran: bool) {
            let (r, c) = (m.len(), m[0].len());
            let descr = format!("{}{}", if big { ">" } else { "<" }, if f32_ { "f4" } else { "f8" });
            let order: Vec<f64> = if fortran {
                (0..c).flat_map(|j| m.iter().map(move |row| row[j])).collect()
            } else {
                m.iter().flatten().copied().collect()
            };
            let data: Vec<u8> = order
                .iter()
                .flat_map(|&v| match (f32_, big) {
                    (false, false) => v.to_le_bytes().to_vec(),
                    (false, true) => v.to_be_bytes().to_vec(),
                    (true, false) => (v as f32).to_le_bytes().to_vec(),
                    (true, true) => (v as f32).to_be_bytes().to_vec(),
                })
                .collect();
            let b = npy_with(&descr, fortran, &[r, c], &data);
            let conv = |v: f64| if f32_ { f64::from(v as f32) } else { v };
            for (i, row) in m.iter().enumerate() {
                let o = ReadOptions { select: Select::Row(i), allow_non_finite: true, ..ReadOptions::default() };
                let s = parse_series(&b, &o, "x").unwrap();
                prop_assert_eq!(bits(&s.values), bits(&row.iter().map(|&v| conv(v)).collect::<Vec<_>>()));
            }
            for j in 0..c {
                let o = ReadOptions { select: Select::Column(j), allow_non_finite: true, ..ReadOptions::default() };
                let s = parse_series(&b, &o, "x").unwrap();
                prop_assert_eq!(bits(&s.values), bits(&m.iter().map(|row| conv(row[j])).collect::<Vec<_>>()));
            }
        }
    }
}
