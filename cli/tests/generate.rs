//! End-to-end tests of `fracnoise generate`: shapes, dtypes, formats, streaming, atomic writes,
//! reproducibility and error messages.

use ndarray::Array2;
use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_fracnoise"))
}

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("fracnoise-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run_ok(args: &[&str]) -> Vec<u8> {
    let out = bin().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

#[test]
fn npy_shapes_and_contents() {
    let d = tmpdir("shapes");
    let f = d.join("fgn.npy");
    run_ok(&[
        "generate",
        "fgn",
        "--n",
        "1000",
        "--hurst",
        "0.7",
        "--paths",
        "5",
        "--seed",
        "3",
        "-o",
        f.to_str().unwrap(),
    ]);
    let a: Array2<f64> = ndarray_npy::read_npy(&f).unwrap();
    assert_eq!(a.dim(), (5, 1000));
    assert!(a.iter().all(|v| v.is_finite()));
    // Rows are distinct paths.
    assert_ne!(a.row(0), a.row(1));

    let f = d.join("fbm.npy");
    run_ok(&[
        "generate",
        "fbm",
        "--n",
        "64",
        "--hurst",
        "0.3",
        "--t-end",
        "2",
        "--paths",
        "3",
        "-o",
        f.to_str().unwrap(),
    ]);
    let b: Array2<f64> = ndarray_npy::read_npy(&f).unwrap();
    assert_eq!(b.dim(), (3, 65));
    assert!(b.column(0).iter().all(|&v| v == 0.0), "fBM starts at 0");

    let f = d.join("bm.npy");
    run_ok(&["generate", "bm", "--n", "10", "--paths", "2", "-o", f.to_str().unwrap()]);
    let c: Array2<f64> = ndarray_npy::read_npy(&f).unwrap();
    assert_eq!(c.dim(), (2, 11));

    let f = d.join("st.npy");
    run_ok(&[
        "generate",
        "stable",
        "--alpha",
        "1.2",
        "--beta",
        "-0.4",
        "--n",
        "50",
        "--paths",
        "4",
        "--format",
        "npy32",
        "-o",
        f.to_str().unwrap(),
    ]);
    let s: Array2<f32> = ndarray_npy::read_npy(&f).unwrap();
    assert_eq!(s.dim(), (4, 50));
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn stdout_streaming_matches_file_and_splits_are_consistent() {
    let d = tmpdir("stream");
    let f = d.join("a.npy");
    let base = ["generate", "fgn", "--n", "300", "--hurst", "0.25", "--seed", "9"];
    run_ok(&[&base[..], &["--paths", "600", "-o", f.to_str().unwrap()]].concat());
    let a: Array2<f64> = ndarray_npy::read_npy(&f).unwrap();
    let raw = run_ok(&[&base[..], &["--paths", "600", "-o", "-", "--format", "f64le"]].concat());
    let vals: Vec<f64> = raw.chunks(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect();
    assert_eq!(vals, a.iter().copied().collect::<Vec<_>>(), "stdout stream equals the file, bit for bit");
    // Paths 101..600 generated separately (odd first path) equal rows 101.. of the full run.
    let raw = run_ok(&[&base[..], &["--paths", "499", "--first-path", "101", "-o", "-", "--format", "f64le"]].concat());
    let part: Vec<f64> = raw.chunks(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect();
    assert_eq!(part, a.slice(ndarray::s![101.., ..]).iter().copied().collect::<Vec<_>>());
    // CSV parses back to the same numbers.
    let csv =
        String::from_utf8(run_ok(&[&base[..], &["--paths", "2", "-o", "-", "--format", "csv"]].concat())).unwrap();
    let rows: Vec<Vec<f64>> = csv.lines().map(|l| l.split(',').map(|x| x.parse().unwrap()).collect()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1], a.row(1).to_vec());
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn bad_input_is_a_clear_error_and_leaves_no_file() {
    let d = tmpdir("bad");
    let f = d.join("x.npy");
    for (args, needle) in [
        (vec!["generate", "fgn", "--n", "10", "--hurst", "1.0"], "invalid parameter `hurst` = 1: must be in (0, 1)"),
        (vec!["generate", "fgn", "--n", "0"], "--n must be at least 1"),
        (vec!["generate", "fgn", "--n", "10", "--paths", "0"], "--paths must be at least 1"),
        (vec!["generate", "fgn", "--n", "10", "--sigma", "0"], "invalid parameter `sigma` = 0: must be finite and > 0"),
        (
            vec!["generate", "stable", "--n", "10", "--alpha", "2.5"],
            "invalid parameter `alpha` = 2.5: must be in (0, 2]",
        ),
        (
            vec!["generate", "stable", "--n", "10", "--beta", "-1.5"],
            "invalid parameter `beta` = -1.5: must be in [-1, 1]",
        ),
        (
            vec!["generate", "stable", "--n", "10", "--scale", "0"],
            "invalid parameter `scale` = 0: must be finite and > 0",
        ),
        (vec!["generate", "fbm", "--n", "10", "--t-end", "0"], "invalid parameter `t_end` = 0: must be finite and > 0"),
        (
            vec!["generate", "fbm", "--n", "10", "--sigma", "-1"],
            "invalid parameter `sigma` = -1: must be finite and > 0",
        ),
        (
            vec!["generate", "bm", "--n", "10", "--t-end", "nan"],
            "invalid parameter `t_end` = NaN: must be finite and > 0",
        ),
        (
            vec!["generate", "fgn", "--n", "10", "--format", "xls"],
            "unknown format `xls`: must be one of npy, npy32, csv, f64le, f32le",
        ),
    ] {
        let out = bin().args(&args).args(["-o", f.to_str().unwrap()]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?} should fail with status 2");
        assert!(err.contains(needle), "{args:?}: message should name {needle}: {err}");
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
        assert!(!f.exists(), "a failed run must leave no output");
    }
    assert_eq!(std::fs::read_dir(&d).unwrap().count(), 0, "no temporary files left behind");
    std::fs::remove_dir_all(&d).unwrap();
}
