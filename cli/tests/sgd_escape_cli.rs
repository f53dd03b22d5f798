//! End-to-end tests of `fracnoise sgd escape`: JSON and table, the plot, reproducibility, the
//! Hurst sweep, bad input (exit status 2 with the flag named).

mod common;
use common::{run_err, run_ok};

const SMALL: [&str; 11] =
    ["sgd", "escape", "--h-a", "1,2,4", "--paths", "60", "--max-steps", "3000", "--dt", "0.02", "--json"];

#[test]
fn sharpness_sweep_json_table_and_plot() {
    let out = run_ok(&SMALL);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 12, "3 values of h_a x 4 dynamics");
    for r in rows {
        let d = r["dynamic"].as_str().unwrap();
        assert_eq!(r["exact"].is_number(), d == "langevin" || d == "power-law", "{d}");
        assert_eq!(r["approx"].is_object(), d != "fgn", "{d}");
        let sim = &r["sim"];
        assert_eq!(sim["paths"], 60);
        let e = sim["estimate"]["value"].as_f64().unwrap();
        assert!(e > 0.0 && sim["estimate"]["ci"][0].as_f64().unwrap() <= e);
        // h_b follows h_a by default; the saddle is sqrt(12 dL / (2 h_a)).
        let ha = r["h_a"].as_f64().unwrap();
        assert_eq!(r["h_b"].as_f64().unwrap(), ha);
        assert!((r["saddle"].as_f64().unwrap() - (6.0 * 0.5 / ha).sqrt()).abs() < 1e-12);
    }
    // Langevin: the exact mean falls with the sharpness (noise covariance ~ curvature).
    let lg: Vec<f64> =
        rows.iter().filter(|r| r["dynamic"] == "langevin").map(|r| r["exact"].as_f64().unwrap()).collect();
    assert!(lg[0] > lg[1] && lg[1] > lg[2], "{lg:?}");
    // Same seed, same bits.
    assert_eq!(out, run_ok(&SMALL));

    let d = std::env::temp_dir().join(format!("fracnoise-sgd-escape-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let plot = d.join("escape.svg");
    let table = run_ok(&[&SMALL[..10], &["--plot", plot.to_str().unwrap()]].concat());
    for w in ["langevin:", "power-law:", "fgn:", "stable:", "Kramers", "Laplace", "Imkeller-Pavlyukevich", "trend"] {
        assert!(table.contains(w), "table lacks {w}:\n{table}");
    }
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("langevin: exact") && svg.contains("stable: simulated"));
    std::fs::remove_dir_all(&d).unwrap();

    // Closed forms only.
    let v: serde_json::Value =
        serde_json::from_str(&run_ok(&["sgd", "escape", "--paths", "0", "--dynamic", "power-law", "--json"])).unwrap();
    assert!(v["rows"].as_array().unwrap().iter().all(|r| r["sim"].is_null() && r["exact"].is_number()));
}

#[test]
fn hurst_sweep_reports_a_trend() {
    let out = run_ok(&[
        "sgd",
        "escape",
        "--vs",
        "hurst",
        "--h-a",
        "1",
        "--barrier",
        "0.25",
        "--eta",
        "0.05",
        "--sigma",
        "0.8",
        "--hurst",
        "0.3,0.7",
        "--paths",
        "300",
        "--max-steps",
        "2048",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r["dynamic"] == "fgn" && r["sim"]["horizon"].as_f64().unwrap() == 2048.0 * 0.05));
    let t = &v["trends"][0];
    assert_eq!(t["dynamic"], "fgn");
    assert!(["increasing", "decreasing", "undetermined"].contains(&t["direction"].as_str().unwrap()));
}

#[test]
fn bad_input_names_the_flag() {
    let base = ["sgd", "escape", "--paths", "0"];
    let err = |extra: &[&str]| run_err(&[&base[..], extra].concat());
    assert!(err(&["--h-a", "1,-2"]).contains("--h-a"));
    assert!(err(&["--barrier", "0"]).contains("--barrier"));
    assert!(err(&["--alpha", "2"]).contains("--alpha"));
    assert!(err(&["--hurst", "1.2"]).contains("--hurst"));
    assert!(err(&["--level", "1"]).contains("--level"));
    assert!(err(&["--plot", "x.png"]).contains("--plot"));
    assert!(err(&["--vs", "hurst", "--dynamic", "langevin"]).contains("--vs hurst"));
    assert!(err(&["--vs", "hurst", "--h-a", "1,2"]).contains("--h-a"));
    assert!(err(&["--h-b", "1", "--h-b-ratio", "2"]).contains("--h-b"));
    assert!(run_err(&["sgd", "escape", "--paths", "1"]).contains("--paths"));
}
