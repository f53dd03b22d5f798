//! End-to-end tests of `fracnoise hurst`: inputs (.npy rows, CSV columns, stdin), kinds, table,
//! JSON, SVG plot (atomic), and error messages.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_fracnoise"))
}

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("fracnoise-hurst-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = bin().args(args).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

/// H of one estimate from the table output.
fn table_h(out: &str, method: &str) -> f64 {
    let line = out.lines().find(|l| l.starts_with(method)).unwrap_or_else(|| panic!("no {method} in {out}"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn table_json_and_plot() {
    let d = tmpdir("table");
    let f = d.join("fgn.npy");
    let fs = f.to_str().unwrap();
    assert!(run(&["generate", "fgn", "-n", "16384", "--paths", "2", "--hurst", "0.8", "--seed", "4", "-o", fs]).0);
    let (ok, out, err) = run(&["hurst", fs, "--row", "1", "-m", "all"]);
    assert!(ok, "{err}");
    for m in ["dfa1", "rs", "aggvar", "gph", "lw", "whittle"] {
        let h = table_h(&out, m);
        assert!((h - 0.8).abs() < 0.15, "{m}: {h}");
    }
    // Whittle's 95% CI is about +-0.01 here.
    assert!((table_h(&out, "whittle") - 0.8).abs() < 0.03);
    let (ok, json, _) = run(&["hurst", fs, "--row", "0", "-m", "dfa,whittle,mfdfa", "--json", "--q=-2,0,2"]);
    assert!(ok);
    assert!(json.starts_with("{\"input\"") && json.contains("\"method\":\"whittle\"") && json.contains("\"h\":["));
    let svg = d.join("plot.svg");
    let (ok, _, err) = run(&["hurst", fs, "--row", "0", "-m", "dfa,gph", "--plot", svg.to_str().unwrap()]);
    assert!(ok, "{err}");
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.contains("dfa1"));
    // No temporary files left behind.
    assert_eq!(std::fs::read_dir(&d).unwrap().count(), 2);
}

#[test]
fn csv_stdin_and_path_kind() {
    let d = tmpdir("csv");
    let f = d.join("fbm.csv");
    let fs = f.to_str().unwrap();
    assert!(run(&["generate", "fbm", "-n", "8192", "--hurst", "0.3", "--seed", "1", "-o", fs]).0);
    // fBM written as one CSV row: as a path it gives H ~ 0.3; as a noise it warns.
    let (ok, out, _) = run(&["hurst", fs, "-m", "dfa,whittle", "--kind", "path"]);
    assert!(ok);
    assert!((table_h(&out, "whittle") - 0.3).abs() < 0.05, "{out}");
    let (ok, out, err) = run(&["hurst", fs, "-m", "dfa"]);
    assert!(ok);
    assert!(table_h(&out, "dfa1") > 1.0 && err.contains("looks like a path"), "{err}");
    // stdin, whitespace text, one value per line.
    let text = std::fs::read_to_string(&f).unwrap().replace(',', "\n");
    let mut child = bin()
        .args(["hurst", "-", "-m", "dfa", "--kind", "path"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!((table_h(&String::from_utf8_lossy(&out.stdout), "dfa1") - 0.3).abs() < 0.1);
}

#[test]
fn errors_are_clear() {
    let d = tmpdir("err");
    let two = d.join("two.npy");
    assert!(run(&["generate", "fgn", "-n", "1000", "--paths", "2", "-o", two.to_str().unwrap()]).0);
    let (ok, _, err) = run(&["hurst", two.to_str().unwrap()]);
    assert!(!ok && err.contains("--row"), "{err}");
    let nan = d.join("nan.txt");
    std::fs::write(&nan, "1\n2\nnan\n3\n").unwrap();
    let (ok, _, err) = run(&["hurst", nan.to_str().unwrap()]);
    assert!(!ok && err.contains("non-finite"), "{err}");
    let flat = d.join("flat.txt");
    std::fs::write(&flat, "5\n".repeat(2000)).unwrap();
    let (ok, _, err) = run(&["hurst", flat.to_str().unwrap(), "-m", "dfa"]);
    assert!(!ok && err.contains("constant"), "{err}");
    let short = d.join("short.txt");
    std::fs::write(&short, "1\n2\n3\n1\n").unwrap();
    let (ok, _, err) = run(&["hurst", short.to_str().unwrap(), "-m", "dfa"]);
    assert!(!ok && err.contains("too short"), "{err}");
    let (ok, _, err) = run(&["hurst", d.join("missing.npy").to_str().unwrap()]);
    assert!(!ok && err.contains("missing.npy"), "{err}");
    // Two scales give a slope without an SE: refused, naming the flags to widen; a huge q
    // overflows F_q: named, not reported as an internal buffer name.
    let one = d.join("one.npy");
    assert!(run(&["generate", "fgn", "-n", "4096", "-o", one.to_str().unwrap()]).0);
    let (ok, _, err) = run(&["hurst", one.to_str().unwrap(), "-m", "dfa", "--max-scale", "17", "--bootstrap", "0"]);
    assert!(!ok && err.contains("at least 3") && err.contains("--max-scale"), "{err}");
    let (ok, _, err) = run(&["hurst", one.to_str().unwrap(), "-m", "mfdfa", "--q", "1000"]);
    assert!(!ok && err.contains("q = 1000") && !err.contains("`y`"), "{err}");
}

/// SE column of one estimate from the table output.
fn table_se(out: &str, method: &str) -> (f64, String) {
    let line = out.lines().find(|l| l.starts_with(method)).unwrap_or_else(|| panic!("no {method} in {out}"));
    let w: Vec<&str> = line.split_whitespace().collect();
    let kind = w.iter().position(|t| t.ends_with(']')).map(|i| w[i + 1]).unwrap();
    (w[2].parse().unwrap(), kind.to_string())
}

/// DFA, R/S and aggregated variance get a parametric-bootstrap SE by default (reproducible,
/// several times the OLS SE); `--bootstrap 0` keeps the OLS SE, labelled as understating.
#[test]
fn bootstrap_se_default_and_opt_out() {
    let d = tmpdir("boot");
    let f = d.join("fgn.npy");
    let fs = f.to_str().unwrap();
    assert!(run(&["generate", "fgn", "-n", "4096", "--hurst", "0.6", "--seed", "2", "-o", fs]).0);
    let (ok, boot, err) = run(&["hurst", fs, "-m", "dfa,rs,aggvar,whittle", "--bootstrap", "60"]);
    assert!(ok, "{err}");
    assert!(!err.contains("OLS(under)"), "{err}");
    let (ok, again, _) = run(&["hurst", fs, "-m", "dfa,rs,aggvar,whittle", "--bootstrap", "60"]);
    assert!(ok && again == boot, "not reproducible");
    let (ok, ols, err) = run(&["hurst", fs, "-m", "dfa,rs,aggvar,whittle", "--bootstrap", "0"]);
    assert!(ok && err.contains("understate"), "{err}");
    for m in ["dfa1", "rs", "aggvar"] {
        let (sb, kb) = table_se(&boot, m);
        let (so, ko) = table_se(&ols, m);
        assert_eq!(kb, "boot(60)");
        assert_eq!(ko, "OLS(under)");
        assert_eq!(table_h(&boot, m), table_h(&ols, m));
        assert!(sb > 1.5 * so, "{m}: bootstrap {sb} OLS {so}");
    }
    assert_eq!(table_se(&boot, "whittle"), table_se(&ols, "whittle"));
    let (ok, json, _) = run(&["hurst", fs, "-m", "dfa", "--json", "--bootstrap", "10", "--seed", "5"]);
    assert!(ok && json.contains("\"se_kind\":\"bootstrap\",\"replicates\":10"), "{json}");
    let (ok, _, err) = run(&["hurst", fs, "-m", "dfa", "--bootstrap", "1"]);
    assert!(!ok && err.contains("at least 2"), "{err}");
}

/// Exit status, stdout and stderr.
fn run_code(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).output().unwrap();
    let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), s(&out.stdout), s(&out.stderr))
}

/// Issue 9 items 8-10 end to end: a byte-order mark keeps the first value; a non-numeric first
/// line is a header only with a warning naming file and line (or silently with --header, an error
/// naming line and column with --no-header); an empty cell is an error naming line and column;
/// errors exit with status 2.
#[test]
fn text_input_header_bom_and_empty_cells() {
    let d = tmpdir("input");
    let f = d.join("fgn.csv");
    assert!(run(&["generate", "fgn", "-n", "1024", "--hurst", "0.7", "--seed", "3", "-o", f.to_str().unwrap()]).0);
    let vals: Vec<String> = std::fs::read_to_string(&f).unwrap().trim().split(',').map(String::from).collect();
    let write = |name: &str, text: String| {
        let p = d.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let n_of = |json: &str| -> usize {
        let i = json.find("\"n\":").unwrap() + 4;
        json[i..].split(',').next().unwrap().parse().unwrap()
    };
    let plain = write("plain.txt", vals.join("\n"));
    let bom = write("bom.txt", format!("\u{feff}{}\r\n", vals.join("\r\n")));
    let (c, out, err) = run_code(&["hurst", &bom, "-m", "whittle", "--json"]);
    assert_eq!(c, 0, "{err}");
    assert_eq!(n_of(&out), 1024, "the first value is kept");
    assert!(err.is_empty(), "{err}");
    let (_, out_plain, _) = run_code(&["hurst", &plain, "-m", "whittle", "--json"]);
    assert_eq!(out.replace("bom.txt", "plain.txt"), out_plain);
    // A typo in the first line: a header, with a warning that names file, line and the flags.
    let typo = write("typo.txt", format!("{}x\n{}\n", vals[0], vals[1..].join("\n")));
    let (c, out, err) = run_code(&["hurst", &typo, "-m", "whittle", "--json"]);
    assert_eq!(c, 0, "{err}");
    assert_eq!(n_of(&out), 1023);
    assert!(err.contains("typo.txt: line 1") && err.contains("--header") && err.contains("--no-header"), "{err}");
    assert!(out.contains("typo.txt: line 1"), "the warning is in the JSON: {out}");
    let (c, _, err) = run_code(&["hurst", &typo, "-m", "whittle", "--no-header"]);
    assert_eq!(c, 2);
    assert!(err.contains("typo.txt") && err.contains("line 1, column 1"), "{err}");
    let (c, out, err) = run_code(&["hurst", &typo, "-m", "whittle", "--json", "--header"]);
    assert_eq!((c, n_of(&out)), (0, 1023), "{err}");
    assert!(err.is_empty(), "--header is silent: {err}");
    let (c, _, err) = run_code(&["hurst", &typo, "--header", "--no-header"]);
    assert_eq!(c, 2, "{err}");
    // An empty cell in the column read: named; in another column: fine.
    let rows: Vec<String> =
        vals.iter().enumerate().map(|(i, v)| if i == 6 { format!("{v},") } else { format!("{v},{i}") }).collect();
    let gap = write("gap.csv", format!("x,i\n{}\n", rows.join("\n")));
    let (c, _, err) = run_code(&["hurst", &gap, "--column", "1", "-m", "whittle", "--header"]);
    assert_eq!(c, 2);
    assert!(err.contains("gap.csv") && err.contains("line 8, column 2") && err.contains("empty cell"), "{err}");
    let (c, _, err) = run_code(&["hurst", &gap, "--column", "0", "-m", "whittle", "--header"]);
    assert_eq!(c, 0, "{err}");
}
