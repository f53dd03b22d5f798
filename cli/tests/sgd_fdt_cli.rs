//! End-to-end tests of `fracnoise sgd fdt` and `fracnoise sgd replicas`: JSON and table, the
//! plots, reproducibility across thread counts, closed forms within their SEs, bad input (exit
//! status 2 with the flag named).

mod common;
use common::{run_err, run_ok};

#[test]
fn fdt_json_matches_closed_forms_and_is_thread_independent() {
    let args = ["sgd", "fdt", "--paths", "800", "--lags", "1,2,4,8", "--burn-in", "100", "--json"];
    let out = run_ok(&args);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let t = &v["t_eff"];
    let pred = v["predicted"][0]["value"].as_f64().unwrap();
    assert!((pred - 0.2 * 0.49 / (2.0 - 0.2 * 1.5)).abs() < 1e-12);
    let z = (t["value"].as_f64().unwrap() - pred) / t["se"].as_f64().unwrap();
    assert!(z.abs() < 5.5, "z = {z}");
    assert_eq!(v["points"].as_array().unwrap().len(), 4);
    assert!(v["nonlinearity"]["value"].as_f64().unwrap().abs() < 1e-9);
    let mut one = vec!["--threads", "1"];
    one.extend_from_slice(&args);
    assert_eq!(run_ok(&one), out, "bit-identical with one thread");
    // Langevin: both closed forms reported.
    let ou = run_ok(&["sgd", "fdt", "--model", "ou", "--paths", "200", "--lags", "5,20", "--burn-in", "400"]);
    assert!(ou.contains("Euler chain 2T/(2 - theta dt)") && ou.contains("continuous time T"), "{ou}");
    let mb = run_ok(&["sgd", "fdt", "--model", "minibatch", "--paths", "50", "--lags", "1,4", "--burn-in", "200"]);
    assert!(mb.contains("T_eff (fit over lags)"), "{mb}");
}

#[test]
fn replicas_json_table_and_plots() {
    let out = run_ok(&["sgd", "replicas", "--model", "ou", "--experiments", "300", "--steps", "0,10,100", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let pts = v["points"].as_array().unwrap();
    assert_eq!(pts[0]["distance"]["value"].as_f64(), Some(0.0));
    for p in &pts[1..] {
        let z = p["z"].as_f64().unwrap();
        assert!(z.abs() < 5.5, "{p}");
    }
    let reg =
        run_ok(&["sgd", "replicas", "--experiments", "4", "--steps", "0,10,3000", "--dim", "60", "--samples", "20"]);
    assert!(reg.contains("same interpolator"), "{reg}");
    let d = std::env::temp_dir().join(format!("fracnoise-sgd-fdt-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let (f1, f2) = (d.join("fdt.svg"), d.join("replicas.svg"));
    run_ok(&["sgd", "fdt", "--paths", "100", "--lags", "1,3", "--burn-in", "50", "--plot", f1.to_str().unwrap()]);
    run_ok(&[
        "sgd",
        "replicas",
        "--model",
        "perceptron",
        "--experiments",
        "3",
        "--dim",
        "40",
        "--samples",
        "20",
        "--steps",
        "1,100",
        "--plot",
        f2.to_str().unwrap(),
    ]);
    for f in [&f1, &f2] {
        let s = std::fs::read_to_string(f).unwrap();
        assert!(s.starts_with("<svg") || s.contains("<svg"), "{}", f.display());
    }
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn bad_input_names_the_flag() {
    for (args, flag) in [
        (vec!["sgd", "fdt", "--lags", "3,2"], "--lags"),
        (vec!["sgd", "fdt", "--paths", "3"], "--paths"),
        (vec!["sgd", "fdt", "--field", "0"], "--field"),
        (vec!["sgd", "fdt", "--groups", "1"], "--groups"),
        (vec!["sgd", "fdt", "--curvature", "1,2"], "--curvature"),
        (vec!["sgd", "fdt", "--eta", "2", "--curvature", "1.5"], "curvature"),
        (vec!["sgd", "fdt", "--model", "ou", "--theta", "300"], "--theta"),
        (vec!["sgd", "fdt", "--plot", "x.png"], "--plot"),
        (vec!["sgd", "replicas", "--replicas", "1"], "--replicas"),
        (vec!["sgd", "replicas", "--experiments", "1"], "--experiments"),
        (vec!["sgd", "replicas", "--steps", "5,1"], "--steps"),
        (vec!["sgd", "replicas", "--batch", "0"], "--batch"),
        (vec!["sgd", "replicas", "--level", "1"], "--level"),
        (vec!["sgd", "replicas", "--model", "ou", "--sigma", "nan"], "--sigma"),
    ] {
        let e = run_err(&args);
        assert!(e.contains(flag), "{args:?}: {e}");
    }
}

/// The SGD commands share one set of flag checks (`cli/src/sgd_args.rs`): a bad value is named,
/// in short form (not 300 digits).
#[test]
fn bad_values_are_named_briefly() {
    for args in [
        &["sgd", "fdt", "--temperature", "-1e300"][..],
        &["sgd", "replicas", "--sigma", "-1e300"],
        &["sgd", "escape", "--h-a", "-1e300"],
        &["sgd", "momentum", "--eta", "-1e300"],
    ] {
        let e = run_err(args);
        assert!(e.contains(args[2]) && e.contains("-1e300") && e.len() < 200, "{args:?}: {e}");
    }
}
