//! End-to-end tests of `fracnoise simulate` and `fracnoise merge`: shards merge into exactly one
//! run, paths to .npy, JSON output, bad input.

mod common;
use common::{run_err, run_ok, tmpdir};

use ndarray::Array2;

const BASE: [&str; 14] = [
    "--paths",
    "301",
    "--steps",
    "200",
    "--dt",
    "0.01",
    "--seed",
    "7",
    "--observe",
    "5",
    "--hist=-3:3:12",
    "--extremes",
    "--theta",
    "1.5",
];

#[test]
fn shards_merge_into_exactly_one_run() {
    let d = tmpdir("shards");
    for driver in ["bm", "fbm", "stable"] {
        let mut full_args = vec!["simulate", "ou", "--driver", driver, "--json"];
        full_args.extend(BASE);
        let full = run_ok(&full_args);
        let mut files = Vec::new();
        for k in 0..4 {
            let f = d.join(format!("{driver}-{k}.json"));
            let shard = format!("{k}/4");
            let mut args =
                vec!["simulate", "ou", "--driver", driver, "--shard", &shard, "--summary-out", f.to_str().unwrap()];
            args.extend(BASE);
            run_ok(&args);
            files.push(f.to_str().unwrap().to_string());
        }
        // Any order.
        let mut margs = vec!["merge", "--json"];
        margs.extend([&files[3], &files[1], &files[0], &files[2]].iter().map(|s| s.as_str()));
        let merged = run_ok(&margs);
        assert_eq!(merged, full, "driver {driver}: merge of 4 shards differs from one run");
        // The table form works and merging a shard twice is an error.
        let table = run_ok(&["merge", &files[0], &files[1]]);
        assert!(table.contains("paths 150 of 301"), "{table}");
        let e = run_err(&["merge", &files[0], &files[0]]);
        assert!(e.contains("overlap"), "{e}");
    }
    // Shards of a different run do not merge.
    let f = d.join("other.json");
    let mut args = vec!["simulate", "ou", "--shard", "1/4", "--summary-out", f.to_str().unwrap(), "--sigma", "2"];
    args.extend(BASE);
    run_ok(&args);
    let e = run_err(&["merge", d.join("bm-0.json").to_str().unwrap(), f.to_str().unwrap()]);
    assert!(e.contains("different configurations"), "{e}");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn paths_to_npy_and_table() {
    let d = tmpdir("npy");
    let f = d.join("p.npy");
    let out = run_ok(&[
        "simulate",
        "gbm",
        "--mu",
        "0.1",
        "--sigma",
        "0.3",
        "--paths",
        "6",
        "--steps",
        "50",
        "--dt",
        "0.02",
        "--paths-out",
        f.to_str().unwrap(),
        "--store-every",
        "10",
        "--observe",
        "1",
    ]);
    assert!(out.contains("mean"), "{out}");
    let a: Array2<f64> = ndarray_npy::read_npy(&f).unwrap();
    assert_eq!(a.dim(), (6, 6));
    assert!(a.column(0).iter().all(|&v| v == 1.0), "GBM starts at x0 = 1");
    // Milstein and power-law run.
    run_ok(&["simulate", "power-law", "--scheme", "milstein", "--paths", "10", "--steps", "20"]);
    run_ok(&["simulate", "double-well", "--paths", "10", "--steps", "20", "--sigma", "0.5"]);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn bad_input_errors() {
    assert!(run_err(&["simulate", "ou", "--dt", "0"]).contains("dt"));
    assert!(run_err(&["simulate", "ou", "--steps", "0"]).contains("n_steps"));
    assert!(run_err(&["simulate", "ou", "--paths", "0"]).contains("paths"));
    assert!(run_err(&["simulate", "ou", "--theta", "-1"]).contains("theta"));
    assert!(run_err(&["simulate", "ou", "--driver", "fbm", "--hurst", "1.5"]).contains("hurst"));
    assert!(run_err(&["simulate", "ou", "--driver", "fbm", "--stream-version", "7"]).contains("stream_version"));
    assert!(run_err(&["simulate", "ou", "--stream-version", "0"]).contains("stream_version"));
    assert!(run_err(&["simulate", "ou", "--driver", "stable", "--alpha", "2.5"]).contains("alpha"));
    assert!(run_err(&["simulate", "ou", "--shard", "4/4"]).contains("shard"));
    assert!(run_err(&["simulate", "ou", "--shard", "x"]).contains("shard"));
    assert!(run_err(&["simulate", "ou", "--hist", "1:0:3"]).contains("hi"));
    assert!(run_err(&["simulate", "ou", "--scheme", "milstein", "--driver", "stable"]).contains("Milstein"));
    // Blow-up: GBM with a huge stable kick; the error names path and step.
    let e = run_err(&[
        "simulate",
        "double-well",
        "--driver",
        "stable",
        "--alpha",
        "0.3",
        "--paths",
        "200",
        "--steps",
        "1000",
        "--dt",
        "0.1",
    ]);
    assert!(e.contains("non-finite state") && e.contains("path") && e.contains("step"), "{e}");
    let d = tmpdir("bad");
    let f = d.join("junk.json");
    std::fs::write(&f, "{not json").unwrap();
    assert!(run_err(&["merge", f.to_str().unwrap()]).contains("format error"));
    assert!(run_err(&["merge", d.join("missing.json").to_str().unwrap()]).contains("I/O error"));
    std::fs::remove_dir_all(&d).unwrap();
}

/// `--hist` takes negative bounds in the form the error message suggests; a shard with no paths
/// is an error, not a table of NaN.
#[test]
fn negative_histogram_bounds_and_empty_shards() {
    let out = run_ok(&["simulate", "ou", "--paths", "200", "--steps", "50", "--dt", "0.01", "--hist", "-3:3:12"]);
    assert!(out.contains("histogram at step 50"), "{out}");
    let e = run_err(&["simulate", "ou", "--paths", "1000", "--steps", "10", "--shard", "0/2000"]);
    assert!(e.contains("--shard 0/2000") && e.contains("no paths"), "{e}");
    let e = run_err(&["passage", "ou", "--upper", "1", "--paths", "10", "--steps", "10", "--shard", "0/20"]);
    assert!(e.contains("no paths"), "{e}");
}

/// A tiny `--dt` shows its times (it used to print every t as 0.000000); ordinary times keep
/// the fixed-point column.
#[test]
fn tiny_dt_times_are_shown() {
    let out = run_ok(&["simulate", "ou", "--dt", "1e-320", "--steps", "4", "--paths", "5", "--observe", "4"]);
    assert!(out.contains("9.99989e-321") && out.contains("3.99996e-320"), "{out}");
    assert!(!out.contains("0.000000"), "{out}");
    let out = run_ok(&["simulate", "ou", "--dt", "0.25", "--steps", "4", "--paths", "5", "--observe", "4"]);
    assert!(out.contains("    1.000000 "), "{out}");
    // Three paths: the SE of the variance is undefined and shows as `-`, never NaN.
    let out = run_ok(&["simulate", "ou", "--dt", "0.25", "--steps", "4", "--paths", "3", "--observe", "4"]);
    assert!(!out.contains("NaN") && out.contains("  -  "), "{out}");
}

/// The fbm driver's stream version is recorded in the configuration (so that shards of different
/// versions do not merge) and selects the numbers: at 65 536 steps versions 1 and 2 differ, the
/// rest of the configuration being equal; at 1000 steps they agree, and version 3 differs.
#[test]
fn fbm_driver_stream_version() {
    let run = |steps: &str, v: &str| -> serde_json::Value {
        let a = ["simulate", "ou", "--driver", "fbm", "--steps", steps, "--paths", "2", "--dt", "0.001"];
        let out = run_ok(&[&a[..], &["--json", "--stream-version", v]].concat());
        serde_json::from_str(&out).unwrap()
    };
    let (v1, v2) = (run("65536", "1"), run("65536", "2"));
    assert_eq!(v1["config"]["driver"]["stream_version"], 1);
    assert_eq!(v2["config"]["driver"]["stream_version"], 2);
    assert_ne!(v1["moments"], v2["moments"]);
    assert_eq!(run("1000", "1")["moments"], run("1000", "2")["moments"]);
    // Version 3 (the default) draws other numbers at every size.
    let v3 = run("1000", "3");
    assert_eq!(v3["config"]["driver"]["stream_version"], 3);
    assert_ne!(v3["moments"], run("1000", "2")["moments"]);
}

/// The bm driver's stream version: versions 1 to 3 give one set of numbers and record the driver
/// as before version 4 (`{"kind": "bm"}`, so their shards merge with older ones); version 4 (the
/// default) draws other numbers, records its version, and its shards refuse to merge with
/// version 3's.
#[test]
fn bm_driver_stream_version() {
    let d = tmpdir("bm-version");
    let run = |v: &str, shard: &str| -> (serde_json::Value, std::path::PathBuf) {
        let f = d.join(format!("v{v}-{}.json", shard.replace('/', "of")));
        let a = ["simulate", "ou", "--theta", "1.3", "--sigma", "0.7", "--steps", "300", "--paths", "40"];
        let out = run_ok(
            &[&a[..], &["--json", "--stream-version", v, "--shard", shard, "--summary-out"], &[f.to_str().unwrap()]]
                .concat(),
        );
        (serde_json::from_str(&out).unwrap(), f)
    };
    let (v1, _) = run("1", "0/2");
    let (v3, f3) = run("3", "0/2");
    let (v4, _) = run("4", "0/2");
    let (_, f4b) = run("4", "1/2");
    assert_eq!(v1["config"]["driver"], serde_json::json!({"kind": "bm"}));
    assert_eq!(v3["config"]["driver"], serde_json::json!({"kind": "bm"}));
    assert_eq!(v4["config"]["driver"], serde_json::json!({"kind": "bm", "stream_version": 4}));
    assert_eq!(v1["moments"], v3["moments"]);
    assert_ne!(v3["moments"], v4["moments"]);
    let e = run_err(&["merge", f3.to_str().unwrap(), f4b.to_str().unwrap()]);
    assert!(e.contains("driver") || e.contains("config"), "{e}");
}
