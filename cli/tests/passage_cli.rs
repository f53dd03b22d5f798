//! End-to-end tests of `fracnoise passage`: shards merge into exactly one run, JSON and table,
//! the survival plot, bad input.

mod common;
use common::{run_err, run_ok, tmpdir};

const BASE: [&str; 15] = [
    "passage",
    "ou",
    "--theta",
    "1.5",
    "--sigma",
    "0.8",
    "--upper",
    "0.7",
    "--paths",
    "301",
    "--dt",
    "0.01",
    "--horizon",
    "3",
    "--json",
];

#[test]
fn shards_merge_into_the_unsharded_result() {
    for driver in ["bm", "stable", "fbm"] {
        let d = tmpdir(driver);
        let mut args: Vec<&str> = BASE.to_vec();
        args.extend(["--driver", driver, "--tail-from", "0.5", "--escape-from", "0.5", "--bootstrap", "20"]);
        let whole = run_ok(&args);
        let mut files = Vec::new();
        for k in 0..3 {
            let f = d.join(format!("s{k}.json"));
            let shard = format!("{k}/3");
            let mut a = args.clone();
            a.extend(["--shard", &shard, "--summary-out", f.to_str().unwrap()]);
            run_ok(&a);
            files.push(f);
        }
        let mut m: Vec<&str> =
            vec!["merge", "--json", "--tail-from", "0.5", "--escape-from", "0.5", "--bootstrap", "20"];
        // Scrambled order.
        for i in [2usize, 0, 1] {
            m.push(files[i].to_str().unwrap());
        }
        let merged = run_ok(&m);
        assert_eq!(whole, merged, "{driver}: merged shards differ from one run");
        let v: serde_json::Value = serde_json::from_str(&whole).unwrap();
        assert_eq!(v["n"], 301);
        // The same shard twice is refused.
        let e = run_err(&["merge", files[0].to_str().unwrap(), files[0].to_str().unwrap()]);
        assert!(e.contains("overlap"), "{e}");
        std::fs::remove_dir_all(&d).ok();
    }
}

#[test]
fn table_and_plot() {
    let d = tmpdir("plot");
    let svg = d.join("survival.svg");
    let out = run_ok(&[
        "passage",
        "bm",
        "--mu",
        "0.5",
        "--sigma",
        "1.2",
        "--lower",
        "-1",
        "--upper",
        "1",
        "--paths",
        "2000",
        "--dt",
        "0.01",
        "--horizon",
        "10",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert!(out.contains("mean exit time") && out.contains("P(exit upper)"), "{out}");
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.contains("Kaplan"), "not an SVG plot");
    std::fs::remove_dir_all(&d).ok();
}

/// `--refine`: the restricted mean at dt, 2dt, 4dt of the same noise, extrapolated; for a stable
/// driver the grid-only estimate drifts upward with dt.
#[test]
fn refine_reports_levels_and_extrapolation() {
    let out = run_ok(&[
        "passage", "bm", "--mu", "0", "--sigma", "0.7", "--driver", "stable", "--alpha", "1.5", "--x0", "0.2",
        "--lower", "-1", "--upper", "1", "--steps", "1024", "--dt", "0.04", "--paths", "500", "--refine", "3",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let lv = v["refine"]["levels"].as_array().unwrap();
    assert_eq!(lv.len(), 3);
    assert!(lv[2]["mean"].as_f64().unwrap() > lv[0]["mean"].as_f64().unwrap());
    assert!(v["refine"]["extrapolated"]["se"].as_f64().unwrap() > 0.0);
    let e = run_err(&["passage", "ou", "--upper", "1", "--steps", "1000", "--refine", "5"]);
    assert!(e.contains("levels"), "{e}");
}

#[test]
fn bad_input_is_an_error_with_status_2() {
    let e = run_err(&["passage", "ou", "--upper", "-0.5", "--x0", "0"]);
    assert!(e.contains("upper") && e.contains("above the start"), "{e}");
    let e = run_err(&["passage", "ou"]);
    assert!(e.contains("--upper"), "{e}");
    let e = run_err(&["passage", "ou", "--upper", "1", "--horizon", "0"]);
    assert!(e.contains("--horizon"), "{e}");
    let e = run_err(&["passage", "ou", "--upper", "NaN"]);
    assert!(e.contains("upper"), "{e}");
    let e = run_err(&["passage", "ou", "--upper", "1", "--driver", "stable", "--correction", "bridge"]);
    assert!(e.contains("Brownian"), "{e}");
    let e = run_err(&["passage", "ou", "--upper", "1", "--lower", "-1", "--correction", "bgk"]);
    assert!(e.contains("one-sided"), "{e}");
    let e = run_err(&["passage", "ou", "--upper", "1", "--summary-out", "/nonexistent-dir/x.json"]);
    assert!(e.contains("does not exist"), "{e}");
    let e = run_err(&["passage", "ou", "--upper", "1", "--level", "1.5"]);
    assert!(e.contains("--level"), "{e}");
}

/// A level far beyond reach (every path censored): the closed form's restricted mean is finite
/// (it was NaN: `exp(x^2)` for a huge `x` came out `-inf`) and no z is computed from a zero SE.
#[test]
fn far_level_has_no_nan() {
    let out = run_ok(&["passage", "bm", "--upper", "1e30", "--dt", "1e20", "--paths", "50", "--steps", "100"]);
    assert!(!out.contains("NaN"), "{out}");
    assert!(out.contains("restricted mean to t = 1e22 1e22 (estimate 1e22") && out.contains("not compared"), "{out}");
    let json =
        run_ok(&["passage", "bm", "--upper", "1e30", "--dt", "1e20", "--paths", "50", "--steps", "100", "--json"]);
    assert!(!json.contains("NaN") && !json.contains("nan"), "{json}");
}
