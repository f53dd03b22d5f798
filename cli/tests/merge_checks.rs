//! `fracnoise merge` refuses inconsistent summaries (hand-edited counts, path ranges, sums,
//! histograms, decoded fields; ranges beyond the run's total; different configurations named by
//! field), for `simulate` and `passage` summaries alike; `simulate --json` decodes the exact sums
//! into plain numbers, and gives quantiles instead of an infinite variance for stable drivers.

mod common;
use common::{bin, run_ok, tmpdir};

use serde_json::{json, Value};
use std::path::Path;

fn run_err(args: &[&str]) -> String {
    let out = bin().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}: should fail with status 2");
    assert!(out.stdout.is_empty(), "{args:?}: printed output despite the error");
    String::from_utf8(out.stderr).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn read(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn write(p: &Path, v: &Value) {
    std::fs::write(p, serde_json::to_string_pretty(v).unwrap()).unwrap();
}

/// Writes `v` edited by `edit` to `dir/name` and merges it with `other`: the merge must fail with
/// status 2, name the file and every string of `expect`, and write nothing to `-o`.
fn refused(dir: &Path, name: &str, v: &Value, other: &Path, edit: impl Fn(&mut Value), expect: &[&str]) -> String {
    let f = dir.join(name);
    let mut v = v.clone();
    edit(&mut v);
    write(&f, &v);
    let out = dir.join(format!("{name}.merged.json"));
    let e = run_err(&["merge", s(&f), s(other), "-o", s(&out)]);
    assert!(e.contains(name), "{name}: the message names the file: {e}");
    for x in expect {
        assert!(e.contains(x), "{name}: expected `{x}` in: {e}");
    }
    assert!(!out.exists(), "{name}: wrote the output despite the error");
    e
}

const SIM: [&str; 14] = [
    "simulate",
    "ou",
    "--paths",
    "40",
    "--steps",
    "20",
    "--dt",
    "0.05",
    "--observe",
    "2",
    "--hist=-3:3:6",
    "--extremes",
    "--x0",
    "0.5",
];

#[test]
fn tampered_simulate_summaries_are_refused() {
    let d = tmpdir("sim");
    let (f0, f1) = (d.join("s0.json"), d.join("s1.json"));
    for (k, f) in [("0/2", &f0), ("1/2", &f1)] {
        let mut a = SIM.to_vec();
        a.extend(["--shard", k, "--summary-out", s(f)]);
        run_ok(&a);
    }
    // The untouched shards merge.
    let table = run_ok(&["merge", s(&f0), s(&f1)]);
    assert!(table.contains("paths 40 of 40"), "{table}");
    let v = read(&f0);
    // A changed count (the mean would change while the header still counts the ranges).
    refused(&d, "count.json", &v, &f1, |v| v["moments"][0][0]["count"] = json!(19), &["moments[0][0].count", "20"]);
    refused(&d, "rmin-count.json", &v, &f1, |v| v["running_min"][0]["count"] = json!(21), &["running_min[0].count"]);
    // Reversed and empty path ranges cover no paths.
    refused(&d, "reversed.json", &v, &f1, |v| v["paths"] = json!([[20, 0]]), &["paths[0]", "[20, 0)"]);
    refused(&d, "empty.json", &v, &f1, |v| v["paths"] = json!([[0, 0], [0, 20]]), &["paths[0]", "empty"]);
    // A negative sum of squares (the variance would be clamped to 0).
    refused(
        &d,
        "negsq.json",
        &v,
        &f1,
        |v| v["moments"][1][0]["sums"][1] = json!("-0x4p-2"),
        &["moments[1][0].sums[1]"],
    );
    // A sum of squares too small for the sum (Cauchy–Schwarz), and a sum beyond min and max.
    refused(&d, "cs.json", &v, &f1, |v| v["moments"][1][0]["sums"][1] = json!("0x1p-42"), &["moments[1][0].sums[1]"]);
    refused(&d, "sum.json", &v, &f1, |v| v["moments"][0][0]["sums"][0] = json!("0x1p22"), &["moments[0][0].sums[0]"]);
    refused(
        &d,
        "minmax.json",
        &v,
        &f1,
        |v| {
            let (lo, hi) = (v["moments"][0][0]["min"].clone(), v["moments"][0][0]["max"].clone());
            v["moments"][0][0]["min"] = hi;
            v["moments"][0][0]["max"] = lo;
        },
        &["moments[0][0].min"],
    );
    // Histogram counts that do not add up to the paths.
    refused(&d, "hist.json", &v, &f1, |v| v["histogram"]["below"] = json!(7), &["histogram", "20"]);
    // Times out of order.
    refused(&d, "times.json", &v, &f1, |v| v["times"] = json!([1.0, 0.5]), &["times"]);
    // A decoded field that the sums do not give.
    refused(&d, "decoded.json", &v, &f1, |v| v["moments"][0][0]["mean"] = json!(3.25), &["moments[0][0].mean"]);
    // A range beyond the run's total is not an overlap.
    let e = refused(&d, "beyond.json", &v, &f1, |v| v["paths"] = json!([[30, 50]]), &["beyond", "40", "config.paths"]);
    assert!(!e.contains("overlap"), "{e}");
    // Different configurations: the message names the field.
    let f2 = d.join("sigma.json");
    let mut a = SIM.to_vec();
    a.extend(["--shard", "1/2", "--sigma", "0.7", "--summary-out", s(&f2)]);
    run_ok(&a);
    let e = run_err(&["merge", s(&f0), s(&f2)]);
    assert!(e.contains("config.model.sigma") && e.contains("1.0 vs 0.7"), "{e}");
    std::fs::remove_dir_all(&d).ok();
}

const PASSAGE: [&str; 13] =
    ["passage", "ou", "--upper", "0.6", "--sigma", "0.9", "--paths", "30", "--dt", "0.01", "--horizon", "1", "--json"];

#[test]
fn tampered_passage_summaries_are_refused() {
    let d = tmpdir("pass");
    let (f0, f1) = (d.join("p0.json"), d.join("p1.json"));
    for (k, f) in [("0/2", &f0), ("1/2", &f1)] {
        let mut a = PASSAGE.to_vec();
        a.extend(["--shard", k, "--summary-out", s(f)]);
        run_ok(&a);
    }
    let out = run_ok(&["merge", "--json", s(&f0), s(&f1)]);
    let m: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(m["n"], 30);
    let v = read(&f0);
    assert!(v["records"]["sides"].as_str().unwrap().contains('c'), "the test needs a censored path");
    // A range beyond the total is not an overlap.
    let e = refused(&d, "beyond.json", &v, &f1, |v| v["records"]["paths"] = json!([[25, 40]]), &["beyond", "30"]);
    assert!(!e.contains("overlap"), "{e}");
    // A censored path must be censored at the horizon.
    refused(
        &d,
        "censor.json",
        &v,
        &f1,
        |v| {
            let i = v["records"]["sides"].as_str().unwrap().find('c').unwrap();
            v["records"]["times"][i] = json!(0.5);
        },
        &["censored", "horizon"],
    );
    // The horizon is the grid's end (censored paths moved along with it).
    refused(
        &d,
        "horizon.json",
        &v,
        &f1,
        |v| {
            v["horizon"] = json!(2.0);
            let sides: Vec<char> = v["records"]["sides"].as_str().unwrap().chars().collect();
            for (i, c) in sides.into_iter().enumerate() {
                if c == 'c' {
                    v["records"]["times"][i] = json!(2.0);
                }
            }
        },
        &["horizon", "config.steps"],
    );
    // Different configurations: the message names the field.
    let f2 = d.join("theta.json");
    let mut a = PASSAGE.to_vec();
    a.extend(["--shard", "1/2", "--theta", "2", "--summary-out", s(&f2)]);
    run_ok(&a);
    let e = run_err(&["merge", s(&f0), s(&f2)]);
    assert!(e.contains("config.model.theta") && e.contains("1.0 vs 2.0"), "{e}");
    std::fs::remove_dir_all(&d).ok();
}

/// Decoded moments are plain numbers, consistent with each other and with the Euler–Maruyama
/// closed form of OU: mean `mu + (x0 - mu) r^k`, variance `sigma^2 dt (1 - r^2k) / (1 - r^2)`,
/// `r = 1 - theta dt` (the recursion `X_{k+1} = r X_k + theta mu dt + sigma dW`).
#[test]
fn simulate_json_decodes_moments() {
    let (theta, mu, sigma, x0, dt) = (1.5, 0.4, 0.8, 1.0, 0.02);
    let out = run_ok(&[
        "simulate",
        "ou",
        "--theta",
        "1.5",
        "--mu",
        "0.4",
        "--sigma",
        "0.8",
        "--x0",
        "1",
        "--dt",
        "0.02",
        "--steps",
        "50",
        "--paths",
        "4000",
        "--observe",
        "2",
        "--seed",
        "11",
        "--json",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let r: f64 = 1.0 - theta * dt;
    for (i, k) in [25, 50].into_iter().enumerate() {
        let m = &v["moments"][i][0];
        let n = m["count"].as_f64().unwrap();
        let (mean, se) = (m["mean"].as_f64().unwrap(), m["se"].as_f64().unwrap());
        let (var, var_se) = (m["variance"].as_f64().unwrap(), m["variance_se"].as_f64().unwrap());
        assert!((se - (var / n).sqrt()).abs() <= 1e-12 * se, "se is sqrt(variance / n)");
        let em_mean = mu + (x0 - mu) * r.powi(k);
        let em_var = sigma * sigma * dt * (1.0 - r.powi(2 * k)) / (1.0 - r * r);
        assert!(((mean - em_mean) / se).abs() < 5.0, "t index {i}: mean {mean} vs {em_mean} (se {se})");
        assert!(((var - em_var) / var_se).abs() < 5.0, "t index {i}: variance {var} vs {em_var} (se {var_se})");
        assert!(m["note"].is_null(), "{m}");
    }
    assert!(v["quantiles"].is_null(), "Gaussian runs need no quantile observer");
}

#[test]
fn stable_drivers_give_quantiles_instead_of_variance() {
    let args = |alpha: &'static str| {
        vec![
            "simulate",
            "bm",
            "--driver",
            "stable",
            "--alpha",
            alpha,
            "--sigma",
            "0.5",
            "--paths",
            "400",
            "--steps",
            "20",
            "--dt",
            "0.05",
            "--observe",
            "2",
        ]
    };
    let mut a = args("1.5");
    a.push("--json");
    let v: Value = serde_json::from_str(&run_ok(&a)).unwrap();
    for i in 0..2 {
        let m = &v["moments"][i][0];
        assert!(m["mean"].is_f64(), "alpha 1.5: the mean exists: {m}");
        for k in ["se", "variance", "variance_se"] {
            assert!(m[k].is_null(), "alpha 1.5: `{k}` must be null: {m}");
        }
        assert!(m["note"].as_str().unwrap().contains("infinite"), "{m}");
        let q = &v["quantiles"][i][0];
        let (q25, med, q75) = (
            q["q25"]["value"].as_f64().unwrap(),
            q["median"]["value"].as_f64().unwrap(),
            q["q75"]["value"].as_f64().unwrap(),
        );
        assert!(q25 < med && med < q75, "{q}");
        assert!((q["iqr"]["value"].as_f64().unwrap() - (q75 - q25)).abs() < 1e-12);
        assert!(q["median"]["se"].as_f64().unwrap() > 0.0 && q["iqr"]["se"].as_f64().unwrap() > 0.0, "{q}");
    }
    let table = run_ok(&args("1.5"));
    assert!(table.contains("median") && table.contains("IQR") && !table.contains("se(var)"), "{table}");
    let mut a = args("1");
    a.push("--json");
    let v: Value = serde_json::from_str(&run_ok(&a)).unwrap();
    assert!(v["moments"][1][0]["mean"].is_null(), "alpha 1: no mean: {}", v["moments"][1][0]);
}
