//! End-to-end tests of issue 9 (hardening): short floats in messages, output formats from the
//! file name, `generate --json`, the global `--threads`, and tiny-alpha stable saturation.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_fracnoise"))
}

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("fracnoise-cli-h9-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs the CLI; returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (Option<i32>, Vec<u8>, String) {
    let out = bin().args(args).output().unwrap();
    (out.status.code(), out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn run_ok(args: &[&str]) -> Vec<u8> {
    let (code, out, err) = run(args);
    assert_eq!(code, Some(0), "{args:?} failed: {err}");
    out
}

/// Expects exit status 2 and a message containing every one of `needles`; returns the message.
fn run_err(args: &[&str], needles: &[&str]) -> String {
    let (code, _, err) = run(args);
    assert_eq!(code, Some(2), "{args:?} should fail with status 2: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: message lacks `{n}`: {err}");
    }
    err
}

/// Issue 9.16: floats in messages were printed with all their digits (`dt = 1000...000`).
#[test]
fn floats_in_error_messages_are_short() {
    let sim = ["simulate", "ou", "--paths", "2", "--steps", "10"];
    for (flag, value) in [("--dt", "1e308"), ("--sigma", "-1e300")] {
        let mut a = sim.to_vec();
        a.extend([flag, value]);
        let e = run_err(&a, &[&format!("= {value}:")]);
        assert!(e.len() < 120, "long message: {e}");
    }
    let e = run_err(&["generate", "bm", "--n", "10", "--sigma", "-1e200", "-o", "-"], &["sigma", "-1e200"]);
    assert!(e.len() < 120, "{e}");
    let e = run_err(
        &["passage", "bm", "--upper", "1", "--horizon", "1e300", "--dt", "1e-300"],
        &["--horizon 1e300", "--dt 1e-300"],
    );
    assert!(e.len() < 120, "{e}");
    let e = run_err(&["generate", "fgn", "--n", "10", "--hurst", "1e300", "-o", "-"], &["hurst", "1e300"]);
    assert!(e.len() < 120, "{e}");
    // The same class in a table: a horizon of 5e21 was printed with 22 digits and 6 decimals.
    let out = run_ok(&["passage", "bm", "--upper", "1e30", "--dt", "1e20", "--steps", "50", "--paths", "20"]);
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("(horizon 5e21)") && !text.contains("5000000000"), "{text}");
}

/// Issue 9.17: `-o out.dat` was silently written as `.npy`. The format follows the extension, an
/// unknown extension needs `--format`, and a `--format` that contradicts the extension is refused.
#[test]
fn output_format_follows_the_file_name_or_is_refused() {
    let d = tmpdir("ext");
    fn gen<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        [&["generate", "fgn", "--n", "8", "--paths", "2", "--seed", "5"][..], extra].concat()
    }
    // Unknown extension, no extension: refused before anything is written, naming the file.
    for name in ["out.dat", "out.bin", "noext"] {
        let f = d.join(name);
        let e = run_err(&gen(&["-o", s(&f)]), &[name, "--output", ".npy, .csv, .f64 or .f32", "--format"]);
        assert!(!f.exists(), "{e}");
    }
    // ... accepted with an explicit --format.
    let f = d.join("out.dat");
    run_ok(&gen(&["-o", s(&f), "--format", "f32le"]));
    assert_eq!(std::fs::read(&f).unwrap().len(), 2 * 8 * 4);
    // Known extensions (any case) give their format.
    let npy = run_ok(&gen(&["-o", "-"]));
    let raw64: Vec<u8> = npy[npy.len() - 2 * 8 * 8..].to_vec();
    for (name, check) in [("a.f64", 0), ("A.F64", 0), ("b.f32", 1), ("c.csv", 2), ("d.NPY", 3)] {
        let f = d.join(name);
        run_ok(&gen(&["-o", s(&f)]));
        let bytes = std::fs::read(&f).unwrap();
        match check {
            0 => assert_eq!(bytes, raw64, "{name}"),
            1 => assert_eq!(bytes.len(), 2 * 8 * 4, "{name}"),
            2 => {
                let text = String::from_utf8(bytes).unwrap();
                let vals: Vec<f64> =
                    text.lines().flat_map(|l| l.split(',').map(|v| v.parse::<f64>().unwrap())).collect();
                let want: Vec<f64> = raw64.chunks(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect();
                assert_eq!(vals, want, "{name}");
            }
            _ => assert_eq!(bytes, npy, "{name}"),
        }
    }
    // A contradiction is refused; npy32 is a .npy.
    let f = d.join("e.npy");
    run_err(&gen(&["-o", s(&f), "--format", "csv"]), &["e.npy", ".npy", "--format csv"]);
    assert!(!f.exists());
    run_ok(&gen(&["-o", s(&f), "--format", "npy32"]));
    run_err(&gen(&["-o", s(&d.join("e.csv")), "--format", "f64le"]), &["e.csv", "--format f64le"]);
    // simulate --paths-out: the same rule (no --format there); .csv is written as CSV.
    let sim = ["simulate", "ou", "--paths", "3", "--steps", "20", "--observe", "2"];
    let p = d.join("paths.dat");
    run_err(&[&sim[..], &["--paths-out", s(&p)]].concat(), &["--paths-out", "paths.dat", ".npy, .csv"]);
    assert!(!p.exists());
    let p = d.join("paths.csv");
    run_ok(&[&sim[..], &["--paths-out", s(&p)]].concat());
    let text = std::fs::read_to_string(&p).unwrap();
    assert_eq!(text.lines().count(), 3);
    assert!(text.lines().all(|l| l.split(',').count() == 21 && l.split(',').all(|v| v.parse::<f64>().is_ok())));
    // JSON and SVG outputs must carry their extension.
    let sj = d.join("s.npy");
    run_err(&[&sim[..], &["--summary-out", s(&sj)]].concat(), &["--summary-out", "s.npy", ".json"]);
    assert!(!sj.exists());
    let pass = ["passage", "bm", "--paths", "20", "--steps", "50", "--upper", "0.5"];
    run_err(&[&pass[..], &["--plot", s(&d.join("p.png"))]].concat(), &["--plot", "p.png", ".svg"]);
    run_err(&[&pass[..], &["--summary-out", s(&d.join("p.txt"))]].concat(), &["--summary-out", "p.txt", ".json"]);
    let shard = d.join("shard.json");
    run_ok(&[&sim[..], &["--summary-out", s(&shard)]].concat());
    run_err(&["merge", s(&shard), "-o", s(&d.join("m.dat"))], &["--output", "m.dat", ".json"]);
    let series = d.join("x.npy");
    run_ok(&["generate", "fgn", "--n", "512", "-o", s(&series)]);
    run_err(&["hurst", s(&series), "--plot", s(&d.join("h.pdf"))], &["--plot", "h.pdf", ".svg"]);
    std::fs::remove_dir_all(&d).unwrap();
}

/// Issue 9.19: `generate --json` says what was written.
#[test]
fn generate_json_describes_the_output() {
    let d = tmpdir("json");
    let f = d.join("st.npy");
    let args = [
        "generate",
        "stable",
        "--n",
        "50",
        "--paths",
        "3",
        "--alpha",
        "1.3",
        "--beta",
        "-0.4",
        "--scale",
        "2.5",
        "--location",
        "0.75",
        "--param",
        "s0",
        "--seed",
        "77",
        "--first-path",
        "4",
    ];
    let out = run_ok(&[&args[..], &["-o", s(&f), "--json"]].concat());
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let a: ndarray::Array2<f64> = ndarray_npy::read_npy(&f).unwrap();
    assert_eq!(v["shape"], serde_json::json!([a.nrows(), a.ncols()]));
    assert_eq!(v["shape"], serde_json::json!([3, 50]));
    assert_eq!(v["kind"], "stable");
    assert_eq!(v["format"], "npy");
    assert_eq!(v["dtype"], "float64");
    assert_eq!(v["seed"], 77);
    assert_eq!(v["first_path"], 4);
    assert_eq!(v["output"], s(&f));
    assert_eq!(v["fracnoise_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["stream_version"], fracnoise::rng::STREAM_VERSION);
    assert_eq!(
        v["parameters"],
        serde_json::json!({"alpha": 1.3, "beta": -0.4, "scale": 2.5, "location": 0.75, "param": "S0"})
    );
    // Data on stdout: the JSON goes to stderr, stdout stays a clean .npy; --json-out writes the
    // same object beside the data.
    let meta = d.join("meta.json");
    let (code, npy, err) =
        run(&[&args[..], &["-o", "-", "--format", "npy32", "--json", "--json-out", s(&meta)]].concat());
    assert_eq!(code, Some(0), "{err}");
    assert!(npy.starts_with(b"\x93NUMPY"));
    let v2: serde_json::Value = serde_json::from_str(&err).unwrap();
    assert_eq!(v2["output"], "-");
    assert_eq!(v2["dtype"], "float32");
    assert_eq!(v2, serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&meta).unwrap()).unwrap());
    // fbm: the shape has the first column, the parameters its horizon.
    let out = run_ok(&[
        "generate",
        "fbm",
        "--n",
        "16",
        "--hurst",
        "0.3",
        "--t-end",
        "2",
        "-o",
        s(&d.join("b.csv")),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["shape"], serde_json::json!([1, 17]));
    assert_eq!(v["format"], "csv");
    assert_eq!(v["parameters"], serde_json::json!({"hurst": 0.3, "sigma": 1.0, "t_end": 2.0}));
    // A failed run writes neither file; a bad --json-out name is refused first.
    let g = d.join("g.npy");
    let m = d.join("g.json");
    run_err(&["generate", "fgn", "--n", "16", "--hurst", "1.5", "-o", s(&g), "--json-out", s(&m)], &["hurst"]);
    assert!(!g.exists() && !m.exists());
    run_err(
        &["generate", "fgn", "--n", "16", "-o", s(&g), "--json-out", s(&d.join("g.txt"))],
        &["--json-out", ".json"],
    );
    run_err(&["generate", "fgn", "--n", "16", "-o", s(&g), "--json-out", s(&g)], &["same file"]);
    std::fs::remove_dir_all(&d).unwrap();
}

/// Issue 9.21: a global `--threads N`; results bit-identical across thread counts.
#[test]
fn threads_flag_is_global_checked_and_changes_no_bit() {
    for bad in ["0", "1025", "-1", "many"] {
        run_err(&["generate", "fgn", "--n", "8", "-o", "-", "--threads", bad], &["--threads"]);
    }
    for kind in
        [&["fgn", "--hurst", "0.7"][..], &["stable", "--alpha", "0.7", "--beta", "0.3"], &["fbm", "--hurst", "0.3"]]
    {
        let args = [&["generate"][..], kind, &["--n", "300", "--paths", "37", "--seed", "9", "-o", "-"]].concat();
        let one = run_ok(&[&["--threads", "1"][..], &args].concat());
        let two = run_ok(&[&args[..], &["--threads", "3"]].concat());
        assert_eq!(one, two, "{kind:?}");
    }
    let d = tmpdir("threads");
    let mut outs = Vec::new();
    for t in ["1", "2"] {
        let p = d.join(format!("p{t}.npy"));
        let args = [
            "simulate",
            "ou",
            "--driver",
            "fbm",
            "--hurst",
            "0.7",
            "--paths",
            "40",
            "--steps",
            "64",
            "--observe",
            "4",
            "--extremes",
            "--json",
            "--paths-out",
            s(&p),
            "--threads",
            t,
        ];
        let json = run_ok(&args);
        let pass = run_ok(&[
            "passage",
            "ou",
            "--upper",
            "0.5",
            "--paths",
            "60",
            "--steps",
            "200",
            "--json",
            "--bootstrap",
            "5",
            "--threads",
            t,
        ]);
        outs.push((json, std::fs::read(&p).unwrap(), pass));
    }
    assert!(outs[0] == outs[1], "simulate / passage outputs differ between --threads 1 and 2");
    std::fs::remove_dir_all(&d).unwrap();
}

/// Issue 9.12, as reported: `generate stable --n 100000 --alpha 0.001` had max |x| = 2.8e305 and
/// no saturated value. The exact P(|X| = f64::MAX) at alpha = 0.001, beta = 0, gamma = 1 is
/// 0.388272 (see `noise::stable`, "Overflow"); binomial z with |z| < 5.
#[test]
fn tiny_alpha_stable_saturates_at_f64_max() {
    let n = 100_000;
    let raw = run_ok(&["generate", "stable", "--n", "100000", "--alpha", "0.001", "-o", "-", "--format", "f64le"]);
    let x: Vec<f64> = raw.chunks(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect();
    assert_eq!(x.len(), n);
    assert!(x.iter().all(|v| v.is_finite()));
    let saturated = x.iter().filter(|v| v.abs() == f64::MAX).count();
    let p = 0.388_271_899_5;
    let z = (saturated as f64 / n as f64 - p) / (p * (1.0 - p) / n as f64).sqrt();
    assert!(z.abs() < 5.0, "{saturated} of {n} saturated, expected P = {p}: z = {z:.2}");
}
