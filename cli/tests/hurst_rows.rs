//! End-to-end tests of `fracnoise hurst --rows` / `--columns`: every selected series in one run
//! gives the same bits as one `--row i` call per series (bootstrap SEs included: series `i`
//! bootstraps from `Seed(seed).child_named(method).child(i)`), whatever the thread count; the
//! summary across rows agrees with the per-row numbers and, on fGn with known H, with the truth; bad ranges are
//! clear errors (exit status 2).

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("fracnoise-hurst-rows-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs the binary with `RAYON_NUM_THREADS` set (None: unset); (exit code, stdout, stderr).
fn run_t(threads: Option<usize>, args: &[&str]) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fracnoise"));
    c.args(args);
    match threads {
        Some(t) => c.env("RAYON_NUM_THREADS", t.to_string()),
        None => c.env_remove("RAYON_NUM_THREADS"),
    };
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn run(args: &[&str]) -> (i32, String, String) {
    run_t(None, args)
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// `--rows A..B` gives, for each row, the same estimates (H, SE, CI, SE kind, MF-DFA h(q)) as
/// `--row i`, with bootstrap SEs; `--rows all` is byte-identical with 1 and 2 threads; `--columns`
/// on the transposed data gives the same series.
#[test]
fn rows_equal_single_rows_and_are_thread_independent() {
    let d = tmpdir("same");
    let f = d.join("fgn.npy");
    let fs = f.to_str().unwrap();
    let (c, _, e) = run(&["generate", "fgn", "-n", "1024", "--paths", "5", "--hurst", "0.7", "--seed", "8", "-o", fs]);
    assert_eq!(c, 0, "{e}");
    let opts = ["-m", "dfa,rs,whittle,mfdfa", "--bootstrap", "12", "--q=-2,2", "--seed", "31", "--json"];
    let mut args = vec!["hurst", fs, "--rows", "1..4"];
    args.extend(opts);
    let (c, out, e) = run(&args);
    assert_eq!(c, 0, "{e}");
    let many = json(&out);
    assert_eq!(many["axis"], "row");
    assert_eq!((many["first"].as_u64(), many["count"].as_u64()), (Some(1), Some(3)));
    let series = many["series"].as_array().unwrap();
    for (k, s) in series.iter().enumerate() {
        let i = k + 1;
        assert_eq!(s["index"].as_u64(), Some(i as u64));
        let row = i.to_string();
        let mut args = vec!["hurst", fs, "--row", &row];
        args.extend(opts);
        let (c, out, e) = run(&args);
        assert_eq!(c, 0, "{e}");
        let one = json(&out);
        let (a, b) = (s["estimates"].as_array().unwrap(), one["estimates"].as_array().unwrap());
        assert_eq!(a.len(), 3);
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            for key in ["method", "hurst", "se", "se_kind", "replicates", "ci95", "n"] {
                assert_eq!(x[key], y[key], "row {i} {}: {key}", x["method"]);
            }
        }
        assert_eq!(a[0]["se_kind"], "bootstrap");
        for key in ["q", "h", "h_se", "tau", "alpha", "f_alpha"] {
            assert_eq!(s["mfdfa"][key], one["mfdfa"][key], "row {i} mfdfa {key}");
        }
    }
    // Different rows bootstrap from different seeds: equal SEs would mean a shared seed.
    assert_ne!(series[0]["estimates"][0]["se"], series[1]["estimates"][0]["se"]);

    // Thread count: table and JSON byte-identical.
    for extra in [&["--json"][..], &[][..]] {
        let mut args = vec!["hurst", fs, "--rows", "all", "-m", "dfa,whittle", "--bootstrap", "12"];
        args.extend(extra);
        let (c1, o1, e1) = run_t(Some(1), &args);
        let (c2, o2, _) = run_t(Some(2), &args);
        assert_eq!((c1, c2), (0, 0), "{e1}");
        assert_eq!(o1, o2, "1 vs 2 threads");
    }

    // The same numbers as CSV columns (Rust's shortest round-trip float text): --columns.
    let data = one_row_values(&d, fs, 5);
    let csv = d.join("cols.csv");
    let lines: Vec<String> =
        (0..1024).map(|t| (0..5).map(|r| data[r][t].to_string()).collect::<Vec<_>>().join(",")).collect();
    std::fs::write(&csv, lines.join("\n")).unwrap();
    let (c, out, e) = run(&["hurst", csv.to_str().unwrap(), "--columns", "1..4", "-m", "whittle", "--json"]);
    assert_eq!(c, 0, "{e}");
    let cols = json(&out);
    assert_eq!(cols["axis"], "column");
    let (c, out, _) = run(&["hurst", fs, "--rows", "1..4", "-m", "whittle", "--json"]);
    assert_eq!(c, 0);
    assert_eq!(cols["series"], json(&out)["series"]);
    std::fs::remove_dir_all(&d).unwrap();
}

/// The rows of a `.npy` file through `generate`'s CSV output of the same seed.
fn one_row_values(d: &std::path::Path, npy: &str, rows: usize) -> Vec<Vec<f64>> {
    let csv = d.join("rows.csv");
    let (c, _, e) = run(&[
        "generate",
        "fgn",
        "-n",
        "1024",
        "--paths",
        "5",
        "--hurst",
        "0.7",
        "--seed",
        "8",
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(c, 0, "{e}");
    let text = std::fs::read_to_string(&csv).unwrap();
    let v: Vec<Vec<f64>> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split(',').map(|t| t.trim().parse::<f64>().ok()).collect::<Option<Vec<f64>>>())
        .collect();
    assert_eq!(v.len(), rows);
    // The CSV holds the same series as the .npy (else the --columns comparison is meaningless).
    let (c, out, _) = run(&["hurst", npy, "--row", "2", "-m", "whittle", "--json"]);
    assert_eq!(c, 0);
    let (c2, out2, _) = run(&["hurst", csv.to_str().unwrap(), "--row", "2", "-m", "whittle", "--json"]);
    assert_eq!(c2, 0);
    assert_eq!(json(&out)["estimates"][0]["hurst"], json(&out2)["estimates"][0]["hurst"]);
    v
}

/// R = 600 rows of fGn, n = 512, H = 0.7, Whittle MLE. The summary equals the mean / SD / mean SE
/// recomputed from the per-row numbers; the mean H is 0.7 within Whittle's bias allowance 0.0015
/// (validation `hurst/bias-rmse-table`) plus 5 SE of the mean; the SD across rows matches the
/// mean Fisher SE within 0.03 plus 5 relative SEs of an SD, 1/sqrt(2(R-1)). Measured with this
/// command over 2 x 10^4 rows (n = 512, H = 0.7): mean H 0.6994 +- 0.0002, SD / mean SE 1.007
/// and 0.998 (+- 0.007 each).
#[test]
fn summary_over_fgn_rows_matches_truth() {
    const R: usize = 600;
    let d = tmpdir("stat");
    let f = d.join("fgn.npy");
    let fs = f.to_str().unwrap();
    let r = R.to_string();
    let (c, _, e) = run(&["generate", "fgn", "-n", "512", "--paths", &r, "--hurst", "0.7", "--seed", "77", "-o", fs]);
    assert_eq!(c, 0, "{e}");
    let (c, out, e) = run(&["hurst", fs, "--rows", "all", "-m", "whittle", "--json"]);
    assert_eq!(c, 0, "{e}");
    let v = json(&out);
    let series = v["series"].as_array().unwrap();
    assert_eq!(series.len(), R);
    let h: Vec<f64> = series.iter().map(|s| num(&s["estimates"][0]["hurst"])).collect();
    let se: Vec<f64> = series.iter().map(|s| num(&s["estimates"][0]["se"])).collect();
    let s = &v["summary"][0];
    assert_eq!(s["quantity"], "whittle");
    assert_eq!(s["count"].as_u64(), Some(R as u64));
    // Recomputed from the per-row values (two-pass).
    let rf = R as f64;
    let mean = h.iter().sum::<f64>() / rf;
    let sd = (h.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (rf - 1.0)).sqrt();
    let mean_se = se.iter().sum::<f64>() / rf;
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1e-3);
    assert!(close(num(&s["mean"]), mean), "{s}");
    assert!(close(num(&s["sd"]), sd), "{s}");
    assert!(close(num(&s["se_of_mean"]), sd / rf.sqrt()), "{s}");
    assert!(close(num(&s["mean_se"]), mean_se), "{s}");
    assert!(close(num(&s["sd_over_mean_se"]), sd / mean_se), "{s}");
    assert_eq!(num(&s["min"]), h.iter().copied().fold(f64::INFINITY, f64::min));
    assert_eq!(num(&s["max"]), h.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    let rel = 1.0 / (2.0 * (rf - 1.0)).sqrt();
    assert!(close(num(&s["sd_rel_se"]), rel));
    // Against the truth.
    let z = (mean - 0.7) / (sd / rf.sqrt());
    let bias_allow = 0.0015;
    eprintln!(
        "R {R}: mean H {mean:.5} (z {z:.2}), SD {sd:.5}, mean SE {mean_se:.5}, ratio {:.4} +- {rel:.4}",
        sd / mean_se
    );
    assert!((mean - 0.7).abs() < bias_allow + 5.0 * sd / rf.sqrt(), "mean H {mean}, z {z}");
    let ratio = sd / mean_se;
    assert!((ratio - 1.0).abs() < 0.03 + 5.0 * rel, "SD across rows / mean SE = {ratio} (+- {rel})");
    // The table shows the same summary line.
    let (c, table, _) = run(&["hurst", fs, "--rows", "all", "-m", "whittle"]);
    assert_eq!(c, 0);
    let line = table.lines().rfind(|l| l.starts_with("whittle")).unwrap();
    let w: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(w[1], format!("{mean:.4}"), "{line}");
    assert_eq!(w[5], format!("{:.3}", sd / mean_se), "{line}");
    let row_lines = table.lines().filter(|l| {
        let w: Vec<&str> = l.split_whitespace().collect();
        w.len() == 3 && w[0].parse::<usize>().is_ok()
    });
    assert_eq!(row_lines.count(), R, "one line per row");
    std::fs::remove_dir_all(&d).unwrap();
}

/// Reversed, out-of-range, empty and malformed ranges: exit status 2, a message naming the flag.
#[test]
fn bad_ranges_are_clear_errors() {
    let d = tmpdir("bad");
    let f = d.join("fgn.npy");
    let fs = f.to_str().unwrap();
    let (c, _, e) = run(&["generate", "fgn", "-n", "256", "--paths", "4", "-o", fs]);
    assert_eq!(c, 0, "{e}");
    for (flag, spec, want) in [
        ("--rows", "3..1", "after the end"),
        ("--rows", "0..5", "4 rows"),
        ("--rows", "..=4", "4 rows"),
        ("--rows", "4..", "4 rows"),
        ("--rows", "2..2", "selects no rows"),
        ("--rows", "1:3", "expected all"),
        ("--rows", "x..2", "expected all"),
        ("--rows", "-1..2", "expected all"),
        ("--columns", "0..257", "256 columns"),
        ("--columns", "9..3", "after the end"),
    ] {
        let arg = format!("{flag}={spec}");
        let (c, out, e) = run(&["hurst", fs, &arg, "-m", "whittle"]);
        assert_eq!(c, 2, "{flag} {spec}: {e}");
        assert!(out.is_empty() && e.contains(flag) && e.contains(want), "{flag} {spec}: {e}");
    }
    // A row the estimator refuses is named; conflicting selections are usage errors.
    let (c, _, e) = run(&["hurst", fs, "--columns", "0..2", "-m", "whittle"]);
    assert!(c == 2 && e.contains("column 0"), "{e}");
    let (c, _, e) = run(&["hurst", fs, "--rows", "all", "--row", "1"]);
    assert!(c == 2 && e.contains("--rows"), "{e}");
    let (c, _, e) = run(&["hurst", fs, "--row", "1", "--verbose"]);
    assert!(c == 2 && e.contains("--verbose"), "{e}");
    // One row: estimates but no summary (it needs 2), said on stderr and as null in JSON.
    let (c, out, e) = run(&["hurst", fs, "--rows", "2..=2", "-m", "whittle", "--json"]);
    assert!(c == 0 && json(&out)["summary"].is_null() && e.contains("at least 2"), "{e}");
    std::fs::remove_dir_all(&d).unwrap();
}

/// `--columns` over a CSV with a header: the header is guessed with a warning that reaches the
/// JSON; `--header` settles it silently; `--no-header` makes it an error naming line and column.
#[test]
fn columns_of_a_csv_follow_the_header_flags() {
    let d = tmpdir("csv");
    let f = d.join("two.csv");
    let mut text = String::from("a,b\n");
    // Two deterministic, non-constant columns of 300 values.
    let mut s = 12345u64;
    for _ in 0..300 {
        let mut next = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let (x, y) = (next(), next());
        text.push_str(&format!("{x},{y}\n"));
    }
    std::fs::write(&f, text).unwrap();
    let fs = f.to_str().unwrap();
    let base = ["hurst", fs, "--columns", "all", "-m", "whittle", "--json"];
    let (c, out, e) = run(&base);
    assert_eq!(c, 0, "{e}");
    assert!(e.contains("line 1") && e.contains("--header"), "{e}");
    let v = json(&out);
    assert_eq!(v["count"], 2);
    assert!(v["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("--header")), "{v}");
    let (c, out2, e) = run(&[&base[..], &["--header"]].concat());
    assert_eq!(c, 0, "{e}");
    assert!(!e.contains("--header"), "{e}");
    assert_eq!(json(&out2)["series"], v["series"]);
    let (c, _, e) = run(&[&base[..], &["--no-header"]].concat());
    assert_eq!(c, 2, "{e}");
    assert!(e.contains("line 1"), "{e}");
    std::fs::remove_dir_all(&d).ok();
}
