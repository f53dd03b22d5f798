//! End-to-end tests of `fracnoise stable-law pdf|cdf|quantile`: arguments, stdin, --input file,
//! --json, errors (exit 2 naming the flag or value), closed stdout.

mod common;
use common::bin;

use std::io::Write;
use std::process::Stdio;

fn run(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut c = bin().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    {
        let mut i = c.stdin.take().unwrap();
        if let Some(s) = stdin {
            i.write_all(s.as_bytes()).unwrap();
        }
    }
    let out = c.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn nums(s: &str) -> Vec<f64> {
    s.lines().map(|l| l.trim().parse().unwrap()).collect()
}

#[test]
fn values_stdin_file_and_json_agree() {
    let args =
        ["stable-law", "cdf", "--alpha", "1.3", "--beta", "-0.4", "--scale", "2", "--loc", "0.5", "--param", "S1"];
    let mut a = args.to_vec();
    a.extend(["--", "-3", "0", "4.5"]);
    let (code, out, err) = run(&a, None);
    assert_eq!(code, 0, "{err}");
    let v = nums(&out);
    assert_eq!(v.len(), 3);
    assert!(v[0] < v[1] && v[1] < v[2] && v[2] < 1.0 && v[0] > 0.0);
    let (code, out2, _) = run(&args, Some("-3\n0\n4.5\n"));
    assert_eq!(code, 0);
    assert_eq!(nums(&out2), v);
    let f = std::env::temp_dir().join(format!("fracnoise-stable-law-{}.txt", std::process::id()));
    std::fs::write(&f, "-3\n0\n4.5\n").unwrap();
    let mut a = args.to_vec();
    a.extend(["--input", f.to_str().unwrap()]);
    let (code, out3, _) = run(&a, None);
    std::fs::remove_file(&f).ok();
    assert_eq!(code, 0);
    assert_eq!(nums(&out3), v);
    // Quantile inverts the CDF; JSON carries the same numbers.
    let q: Vec<String> = v.iter().map(|p| format!("{p}")).collect();
    let mut a = args.to_vec();
    a[1] = "quantile";
    a.push("--json");
    a.extend(q.iter().map(|s| s.as_str()));
    let (code, out4, err) = run(&a, None);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out4).unwrap();
    let xs: Vec<f64> = j["values"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    for (x, want) in xs.iter().zip([-3.0, 0.0, 4.5]) {
        assert!((x - want).abs() < 1e-9, "{x} vs {want}");
    }
    assert_eq!(j["param"], "S1");
}

#[test]
fn bad_input_exits_2_naming_it() {
    for (args, needle) in [
        (vec!["stable-law", "pdf", "--alpha", "2.5", "1"], "--alpha"),
        (vec!["stable-law", "pdf", "--alpha", "1.5", "--beta", "1.5", "1"], "--beta"),
        (vec!["stable-law", "pdf", "--alpha", "1.5", "--scale", "0", "1"], "--scale"),
        (vec!["stable-law", "pdf", "--alpha", "1.5", "nan"], "NaN"),
        (vec!["stable-law", "pdf", "--alpha", "1.5", "abc"], "not a number"),
        (vec!["stable-law", "quantile", "--alpha", "1.5", "1.2"], "outside [0, 1]"),
        (vec!["stable-law", "cdf", "--alpha", "1.5", "--input", "/nonexistent/x.txt"], "--input"),
    ] {
        let (code, _, err) = run(&args, None);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn closed_stdout_is_a_normal_end() {
    let mut c = bin()
        .args(["stable-law", "pdf", "--alpha", "1.7", "--input", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(c.stdout.take());
    let data: String = (0..20000).map(|i| format!("{}\n", i as f64 * 0.001)).collect();
    let _ = c.stdin.take().unwrap().write_all(data.as_bytes());
    let out = c.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}
