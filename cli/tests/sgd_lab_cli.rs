//! End-to-end tests of `fracnoise sgd noise` and `fracnoise sgd momentum`: JSON fields, the noise
//! series file and the plot, reproducibility, shards merged exactly, bad input (exit status 2 with
//! the flag named), outputs written atomically (all or none, no temporary file left), and two
//! statistical checks (|z| < 5.5 per lag / per direction, the SE from independent replicates).

mod common;
use common::{run_err, run_ok, tmpdir};

use std::path::{Path, PathBuf};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn temp_files(d: &Path) -> Vec<String> {
    std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("valid JSON")
}

/// Epoch noise N = 200, B = 10 (M = 20), lags 0..40, 500 replicates x 400 steps (about 0.1 s).
const NOISE: [&str; 7] = ["sgd", "noise", "--eigenvalues", "1.5,0.1", "--noise-sd", "0.8", "--json"];

#[test]
fn noise_json_series_plot_and_closed_form() {
    let d = tmpdir("noise");
    let (npy, svg) = (d.join("xi.npy"), d.join("acov.svg"));
    let out = run_ok(&[&NOISE[..], &["-o", s(&npy), "--plot", s(&svg), "--seed", "11"]].concat());
    let v = json(&out);
    assert_eq!(v["sampling"], "epoch");
    assert_eq!(
        (v["n_samples"].as_u64(), v["batch"].as_u64(), v["batches_per_epoch"].as_u64()),
        (Some(200), Some(10), Some(20))
    );
    assert_eq!(v["max_lag"], 40);
    let lags = v["lags"].as_array().unwrap();
    assert_eq!(lags.len(), 41);
    let c = v["gradient_variance"].as_f64().unwrap();
    for l in lags {
        for f in ["lag", "estimate", "se", "closed_form", "factor", "z"] {
            assert!(l[f].is_number(), "lag entry lacks {f}: {l}");
        }
        let k = l["lag"].as_f64().unwrap();
        // The closed form, recomputed: K_0 = (N-B)/(B(N-1)) C, -(1-k/M) C/(N-1), 0 beyond M.
        let f = if k == 0.0 {
            190.0 / (10.0 * 199.0)
        } else if k < 20.0 {
            -(1.0 - k / 20.0) / 199.0
        } else {
            0.0
        };
        assert!((l["closed_form"].as_f64().unwrap() - f * c).abs() <= 1e-14 * c, "{l}");
        // Statistical check: SE from 500 independent replicates, any seed.
        assert!(l["z"].as_f64().unwrap().abs() < 5.5, "{l}");
        assert!(l["se"].as_f64().unwrap() > 0.0);
    }
    let es = &v["epoch_sum"];
    assert!(es["max_abs"].as_f64().unwrap() <= es["rounding_bound"].as_f64().unwrap(), "{es}");
    assert!(es["closed_form_sum"].as_f64().unwrap().abs() < 1e-15);
    // The series: rows = steps (20 epochs), columns = directions; every epoch sums to zero.
    let a: ndarray::Array2<f64> = ndarray_npy::read_npy(&npy).unwrap();
    assert_eq!(a.dim(), (400, 2));
    assert_eq!(v["output_shape"], serde_json::json!([400, 2]));
    for e in 0..20 {
        let sum: f64 = a.slice(ndarray::s![e * 20..(e + 1) * 20, 0]).sum();
        assert!(sum.abs() < 1e-12, "epoch {e}: {sum}");
    }
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.contains("closed form") && text.contains("simulated"));
    // Same seed, same bits, whatever the thread count; CSV output by extension.
    let csv = d.join("xi.csv");
    let again = run_ok(&[&["--threads", "1"], &NOISE[..], &["-o", s(&csv), "--seed", "11"]].concat());
    let (a2, b2) = (json(&again), v.clone());
    assert_eq!(a2["lags"], b2["lags"]);
    let rows = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(rows.lines().filter(|l| !l.starts_with('#')).count(), 400);
    assert!(temp_files(&d).is_empty());
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn noise_schemes_and_user_data() {
    // Persistent SGD (redraw eta/tau = 0.2) and sampling with replacement.
    let v = json(&run_ok(&[
        "sgd",
        "noise",
        "--sampling",
        "persistent",
        "--eta",
        "0.1",
        "--tau",
        "0.5",
        "--batch",
        "20",
        "--paths",
        "300",
        "--max-lag",
        "10",
        "--json",
    ]));
    assert_eq!(v["sampling"], "persistent");
    assert!((v["redraw"].as_f64().unwrap() - 0.2).abs() < 1e-15);
    assert!(v["epoch_sum"].is_null());
    let l = v["lags"].as_array().unwrap();
    let k0 = l[0]["closed_form"].as_f64().unwrap();
    assert!((l[3]["closed_form"].as_f64().unwrap() - k0 * 0.8f64.powi(3)).abs() < 1e-15 * k0);
    let v = json(&run_ok(&["sgd", "noise", "--sampling", "with-replacement", "--paths", "50", "--json"]));
    assert!(v["lags"][1]["closed_form"].as_f64().unwrap() == 0.0);
    // A design from the user's files (CSV matrix, one label per line).
    let d = tmpdir("data");
    let (x, y) = (d.join("x.csv"), d.join("y.csv"));
    let mut xs = String::new();
    let mut ys = String::new();
    for i in 0..60 {
        let (a, b) = ((i as f64 * 0.37).sin(), (i as f64 * 0.91).cos() + 0.1 * i as f64 / 60.0);
        xs.push_str(&format!("{a},{b}\n"));
        ys.push_str(&format!("{}\n", 0.5 * a - b + 0.3 * (i as f64 * 2.3).sin()));
    }
    std::fs::write(&x, xs).unwrap();
    std::fs::write(&y, ys).unwrap();
    let v = json(&run_ok(&[
        "sgd",
        "noise",
        "--data",
        s(&x),
        "--labels",
        s(&y),
        "--batch",
        "6",
        "--paths",
        "100",
        "--json",
    ]));
    assert_eq!(v["design"]["kind"], "data");
    assert_eq!((v["n_samples"].as_u64(), v["dim"].as_u64()), (Some(60), Some(2)));
    std::fs::write(&y, "1\n2\n").unwrap();
    let err = run_err(&["sgd", "noise", "--data", s(&x), "--labels", s(&y)]);
    assert!(err.contains("--labels") && err.contains("y.csv"), "{err}");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn noise_bad_input_names_the_flag_and_writes_nothing() {
    let d = tmpdir("noisebad");
    let out = d.join("xi.npy");
    let base = ["sgd", "noise", "--paths", "20", "-o", s(&out)];
    let err = |extra: &[&str]| run_err(&[&base[..], extra].concat());
    assert!(err(&["--batch", "7"]).contains("--batch"));
    assert!(err(&["--batch", "0"]).contains("--batch"));
    assert!(err(&["--sampling", "persistent"]).contains("--tau"));
    assert!(err(&["--sampling", "persistent", "--tau", "0.01"]).contains("--tau"));
    assert!(err(&["--paths", "1"]).contains("--paths"));
    assert!(err(&["--direction", "2"]).contains("--direction"));
    assert!(err(&["--steps", "30"]).contains("--steps"));
    assert!(err(&["--eigenvalues", "1,-2"]).contains("--eigenvalues"));
    assert!(err(&["--noise-sd", "0"]).contains("--noise-sd"));
    assert!(err(&["--n-samples", "2"]).contains("--n-samples"));
    assert!(err(&["--plot", "x.png"]).contains("--plot"));
    assert!(run_err(&["sgd", "noise", "-o", s(&d.join("xi.dat"))]).contains("--output"));
    assert!(run_err(&["sgd", "noise", "-o", s(&d.join("nodir/xi.npy"))]).contains("nodir"));
    assert!(!out.exists(), "a failed run leaves no output");
    // An existing output is replaced only by a complete one.
    std::fs::write(&out, b"old").unwrap();
    err(&["--batch", "7"]);
    assert_eq!(std::fs::read(&out).unwrap(), b"old");
    run_ok(&base);
    assert!(std::fs::read(&out).unwrap().starts_with(b"\x93NUMPY"));
    assert!(temp_files(&d).is_empty());
    std::fs::remove_dir_all(&d).unwrap();
}

/// Noise model, N = 200, B = 10 (M = 20), eta 0.1, beta 0.5: relaxation times below 30 steps,
/// 48 paths x 4000 steps (well under a second).
const MOM: [&str; 17] = [
    "sgd",
    "momentum",
    "--eigenvalues",
    "3,0.3,0.03",
    "--n-samples",
    "200",
    "--batch",
    "10",
    "--eta",
    "0.1",
    "--beta",
    "0.5",
    "--paths",
    "48",
    "--steps",
    "4000",
    "--json",
];

#[test]
fn momentum_json_plot_and_closed_forms() {
    let d = tmpdir("mom");
    let svg = d.join("var.svg");
    let v = json(&run_ok(&[&MOM[..], &["--plot", s(&svg), "--seed", "5"]].concat()));
    for f in ["eta", "beta", "batch", "n_samples", "paths", "steps", "burn_in", "seed", "crossover"] {
        assert!(v[f].is_number(), "lacks {f}");
    }
    // lambda_c = 1/(eta F_0); at beta = 0 it would be 3/(eta (M + 1)); here a positive number.
    let lc = v["crossover"].as_f64().unwrap();
    assert!(lc > 0.0 && lc < 3.0, "{lc}");
    let res = v["results"].as_array().unwrap();
    assert_eq!(res.len(), 2, "iid and epoch, noise model only by default");
    for r in res {
        assert_eq!(r["way"], "model");
        assert_eq!(r["paths"], 48);
        let dirs = r["directions"].as_array().unwrap();
        assert_eq!(dirs.len(), 3);
        for dj in dirs {
            for f in ["curvature", "gradient_variance", "noise_variance"] {
                assert!(dj[f].is_number(), "lacks {f}");
            }
            assert!(dj["var_theta"]["value"].is_number() && dj["var_theta"]["se"].is_number());
            assert!(dj["predicted"]["uncorrelated"]["theta"].is_number());
            assert!(dj["predicted"]["epoch"]["theta"].is_number());
            // Statistical check: the noise model against its own closed form (SE over 48 paths).
            for z in ["noise_model", "noise_model_v", "mean_theta"] {
                assert!(dj["z"][z].as_f64().unwrap().abs() < 5.5, "{} {z}: {dj}", r["noise"]);
            }
        }
        if r["noise"] == "epoch" {
            // Below the crossover the uncorrelated formula is rejected for epoch noise.
            let flat = &dirs[2];
            assert!(flat["curvature"].as_f64().unwrap() < lc);
            assert!(flat["z"]["uncorrelated"].as_f64().unwrap() < -10.0, "{flat}");
        }
    }
    let text = std::fs::read_to_string(&svg).unwrap();
    for w in ["iid noise: closed form", "epoch noise: closed form", "crossover", "simulated"] {
        assert!(text.contains(w), "plot lacks {w}");
    }
    // The table names the crossover; --algorithm both adds the real algorithm with its own form.
    let table =
        run_ok(&[&MOM[..12], &["--steps", "4000", "--algorithm", "both", "--noise", "iid", "--paths", "8"]].concat());
    assert!(table.contains("crossover curvature") && table.contains("real minibatch algorithm"), "{table}");
    assert!(table.contains("exact Lyapunov"), "{table}");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn momentum_shards_merge_exactly() {
    let d = tmpdir("momshard");
    let base: Vec<&str> = [&MOM[..12], &["--paths", "6", "--steps", "400", "--algorithm", "both", "--json"]].concat();
    let full = run_ok(&base);
    let files: Vec<PathBuf> = (0..3).map(|k| d.join(format!("s{k}.json"))).collect();
    for (k, f) in files.iter().enumerate() {
        let shard = format!("{k}/3");
        run_ok(&[&base[..], &["--shard", &shard, "--summary-out", s(f)]].concat());
    }
    let merged = run_ok(&[&base[..], &["--merge", s(&files[2]), s(&files[0]), s(&files[1])]].concat());
    assert_eq!(full, merged, "shards merged in any order == one run, bit for bit");
    // Other flags than the shards': refused, naming --merge.
    let mut other = base.clone();
    other[9] = "0.09"; // --eta
    let err = run_err(&[&other[..], &["--merge", s(&files[0])]].concat());
    assert!(err.contains("--merge"), "{err}");
    assert!(temp_files(&d).is_empty());
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn momentum_bad_input_names_the_flag() {
    let base = ["sgd", "momentum", "--paths", "4", "--steps", "100"];
    let err = |extra: &[&str]| run_err(&[&base[..], extra].concat());
    assert!(err(&["--eta", "0"]).contains("--eta"));
    assert!(err(&["--beta", "1"]).contains("--beta"));
    assert!(err(&["--batch", "7"]).contains("--batch"));
    assert!(err(&["--steps", "30"]).contains("--steps"));
    assert!(err(&["--paths", "1"]).contains("--paths"));
    assert!(err(&["--eta", "0.5"]).contains("--eta"), "eta lambda_max = 10 > 2 (1 + beta): unstable");
    assert!(err(&["--plot", "v.png"]).contains("--plot"));
    assert!(err(&["--summary-out", "s.txt"]).contains("--summary-out"));
    assert!(err(&["--shard", "3/3", "--summary-out", "s.json"]).contains("--shard"));
    assert!(err(&["--merge", "/nonexistent/s.json"]).contains("--merge"));
}
