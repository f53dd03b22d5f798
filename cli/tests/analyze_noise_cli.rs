//! End-to-end tests of `fracnoise analyze-noise`: the verdict on generated series, 2-D inputs
//! (each column, the projection, --row), JSON, plots (atomic, in a directory) and errors.

use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_fracnoise"))
}

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("fracnoise-analyze-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// fGn with H = 0.8 (n = 4096) is classified fractional Gaussian: Whittle's SE is ~0.01, so
/// |H - 0.8| < 0.06 holds for every seed; white noise (H = 0.5) in the same file is Gaussian white
/// unless one of four level-0.0125 tests rejects (5% of seeds: the test uses a fixed seed and the
/// JSON, and checks the rest of the output whatever the verdict).
#[test]
fn verdicts_json_and_plots() {
    let d = tmpdir("fgn");
    let f = d.join("fgn.npy");
    let fs = f.to_str().unwrap();
    assert_eq!(run(&["generate", "fgn", "-n", "4096", "--paths", "1", "--hurst", "0.8", "--seed", "4", "-o", fs]).0, 0);
    let (code, out, err) = run(&["analyze-noise", fs, "--json", "--bootstrap", "5", "--gof-bootstrap", "9"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let s = &v["series"][0];
    assert_eq!(s["verdict"]["kind"], "fractional-gaussian", "{s}");
    let h = s["verdict"]["hurst"]["value"].as_f64().unwrap();
    assert!((h - 0.8).abs() < 0.06, "{h}");
    assert!(s["tests"]["ljung_box"]["p_value"].as_f64().unwrap() < 1e-6);
    assert_eq!(v["summary"]["fractional-gaussian"], 1);

    let plots = d.join("plots");
    let (code, out, err) =
        run(&["analyze-noise", fs, "--bootstrap", "0", "--gof-bootstrap", "0", "--plot", plots.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("verdict: fractional Gaussian noise"), "{out}");
    let mut names: Vec<String> =
        std::fs::read_dir(&plots).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["acf.svg", "dfa.svg", "hist.svg", "qq_normal.svg", "qq_stable.svg"]);
    for n in &names {
        assert!(std::fs::read_to_string(plots.join(n)).unwrap().starts_with("<svg"));
    }
    std::fs::remove_dir_all(&d).unwrap();
}

/// A 2-D file (steps x parameters) is analysed per column, summarised; --project gives one series;
/// --column picks one.
#[test]
fn two_d_inputs() {
    let d = tmpdir("2d");
    let f = d.join("x.csv");
    // 3 columns of 600 steps: sin-free deterministic but irregular values.
    let mut text = String::new();
    let mut s: u64 = 12345;
    for _ in 0..600 {
        let mut row = Vec::new();
        for _ in 0..3 {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            row.push(format!("{}", (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5));
        }
        text.push_str(&row.join(","));
        text.push('\n');
    }
    std::fs::write(&f, text).unwrap();
    let fs = f.to_str().unwrap();
    let base = ["--bootstrap", "0", "--gof-bootstrap", "0"];
    let (code, out, err) = run(&[&["analyze-noise", fs][..], &base].concat());
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.matches("== column").count(), 3, "{out}");
    assert!(out.contains("summary over 3 series"), "{out}");
    let (code, out, _) = run(&[&["analyze-noise", fs, "--project"][..], &base].concat());
    assert_eq!(code, 0);
    assert!(out.contains("== projection of 3 columns: 600 samples"), "{out}");
    let (code, out, _) = run(&[&["analyze-noise", fs, "--column", "2", "--json"][..], &base].concat());
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["series"][0]["series"], "column 2");
    assert_eq!(v["series"][0]["n"], 600);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn errors_exit_2_with_a_message() {
    let d = tmpdir("err");
    let short = d.join("short.txt");
    std::fs::write(&short, "1\n2\n3\n").unwrap();
    let (code, _, err) = run(&["analyze-noise", short.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("at least 128"), "{err}");
    let (code, _, err) = run(&["analyze-noise", "/nonexistent/x.npy"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/x.npy"), "{err}");
    let (code, _, err) = run(&["analyze-noise", short.to_str().unwrap(), "--level", "2"]);
    assert_eq!(code, 2);
    assert!(err.contains("--level"), "{err}");
    let (code, _, err) = run(&["analyze-noise", short.to_str().unwrap(), "--plot", short.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("--plot"), "{err}");
    std::fs::remove_dir_all(&d).unwrap();
}
