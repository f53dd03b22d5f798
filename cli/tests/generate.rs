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
            vec!["generate", "fgn", "--n", "10", "--stream-version", "7"],
            "invalid parameter `stream_version` = 7: must be 1 to 6",
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

/// FNV-1a, 64 bits: a fingerprint of an output, for the checked-in hashes below.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Streaming `generate` writes the bytes of the in-memory version (fracnoise 0.1 before the
/// streaming writer, commit 0b2cec4: these hashes were taken from its output; fGn and fBM in
/// stream version 2, which equals that output below 65 536 points), for every kind and format, on
/// 1 to 4 threads, with path counts that are not multiples of a block and odd
/// first paths (blocks of 64 rows at n = 1000, 16 at n = 4096, 196 at n = 333: see `block_rows`
/// in `cli/src/generate.rs`).
#[test]
fn streamed_bytes_equal_the_in_memory_output_for_any_thread_count() {
    let cases: [(&str, &str, u64); 25] = [
        ("fgn --n 1000 --hurst 0.7 --paths 150 --first-path 3 --seed 5 --format npy --stream-version 2", "fgn npy", 0x6b9d05eb87b3f394),
        ("fgn --n 1000 --hurst 0.7 --paths 150 --first-path 3 --seed 5 --format npy32 --stream-version 2", "fgn npy32", 0x5df99642f653cea2),
        ("fgn --n 100 --hurst 0.3 --sigma 2 --paths 77 --seed 6 --format csv --stream-version 2", "fgn csv", 0x23d00b36e8ce9036),
        ("fgn --n 4096 --hurst 0.7 --paths 41 --seed 7 --format f64le --stream-version 2", "fgn f64le", 0x1378beee9b238506),
        ("fgn --n 333 --hurst 0.6 --paths 301 --first-path 8 --seed 8 --format f32le --stream-version 2", "fgn f32le", 0x51f501d123de9ab2),
        (
            "fbm --n 300 --hurst 0.35 --paths 11 --first-path 1 --sigma 1.5 --t-end 2 --seed 9 --format npy --stream-version 2",
            "fbm npy",
            0x8e852373dde44497,
        ),
        // Versions 1-3 give one set of Brownian numbers (recorded before version 4); version 4
        // (the default) its own, recorded when it was introduced.
        ("bm --n 257 --paths 90 --sigma 0.7 --t-end 3 --seed 10 --format f64le --stream-version 3", "bm f64le", 0xb931148173e163f7),
        ("bm --n 257 --paths 90 --sigma 0.7 --t-end 3 --seed 10 --format f64le --stream-version 1", "bm f64le v1", 0xb931148173e163f7),
        ("bm --n 257 --paths 90 --sigma 0.7 --t-end 3 --seed 10 --format f64le", "bm f64le v4", 0x28d73bd63b26339d),
        (
            "stable --n 100 --paths 130 --alpha 1.3 --beta 0.4 --scale 2 --location 1 --param s0 --seed 11 --format csv",
            "stable csv",
            0xac07e8899bd8650a,
        ),
        (
            "stable --n 1000 --paths 70 --alpha 0.8 --beta -0.4 --first-path 5 --seed 12 --format npy",
            "stable npy",
            0xd54c108675183b9f,
        ),
        // Version 3, recorded when it was introduced (the default then; version 4 has the same
        // fGn and fBM).
        ("fgn --n 4096 --hurst 0.7 --paths 41 --seed 7 --format f64le --stream-version 3", "fgn f64le v3", 0xa457dcbcc0655979),
        (
            "fbm --n 300 --hurst 0.35 --paths 11 --first-path 1 --sigma 1.5 --t-end 2 --seed 9 --format npy --stream-version 4",
            "fbm npy v3",
            0x7d324964761486d1,
        ),
        // Split transforms (n >= 65536), whose pairs run their halves in parallel with one worker
        // per two threads; recorded before that change (commit 068e3df), odd first path and n.
        (
            "fgn --n 65536 --hurst 0.3 --paths 5 --first-path 3 --seed 13 --format f64le --stream-version 4",
            "fgn split",
            0xdf55f36f769604e4,
        ),
        ("fbm --n 65537 --hurst 0.8 --paths 6 --t-end 2 --seed 14 --format npy --stream-version 4", "fbm split", 0x06f51c84e6a1627b),
        // Version 5: below 65536 points version 4's numbers (recorded above); from there on one
        // real transform per path, recorded when it was introduced (the default then), split
        // (even n, its two parts on two threads for a lone path) and not (odd n).
        ("fgn --n 65536 --hurst 0.3 --paths 5 --first-path 3 --seed 13 --format f64le --stream-version 5", "fgn split v5", 0xc38abab085914a8b),
        ("fgn --n 65536 --hurst 0.3 --paths 1 --first-path 4 --seed 13 --format f64le --stream-version 5", "fgn split lone v5", 0x419de1070c1ce8e5),
        ("fbm --n 65537 --hurst 0.8 --paths 6 --t-end 2 --seed 14 --format npy --stream-version 5", "fbm odd v5", 0xf4fc599bdd472070),
        // Written straight from the work buffers since (`Plan::direct`); recorded with the block
        // route before it (commit 8e006d1): fBM's sums and sigma, an odd first path.
        (
            "fbm --n 65536 --hurst 0.6 --paths 3 --first-path 1 --sigma 1.7 --t-end 3 --seed 15 --format npy --stream-version 5",
            "fbm direct v5",
            0xa2b75f27a4e5bb42,
        ),
        // Version 6 (the default): version 4 below 65536 points and version 5 at odd n (the same
        // fingerprints); at even n from 65536 on, eigenvalues from FFTs of size n/2 (recorded
        // when it was introduced).
        ("fgn --n 4096 --hurst 0.7 --paths 41 --seed 7 --format f64le", "fgn f64le v6", 0xa457dcbcc0655979),
        ("fbm --n 300 --hurst 0.35 --paths 11 --first-path 1 --sigma 1.5 --t-end 2 --seed 9 --format npy", "fbm npy v6", 0x7d324964761486d1),
        ("fbm --n 65537 --hurst 0.8 --paths 6 --t-end 2 --seed 14 --format npy", "fbm odd v6", 0xf4fc599bdd472070),
        ("fgn --n 65536 --hurst 0.3 --paths 5 --first-path 3 --seed 13 --format f64le", "fgn split v6", 0x633e9c57b406107d),
        ("fgn --n 65536 --hurst 0.3 --paths 1 --first-path 4 --seed 13 --format f64le", "fgn split lone v6", 0x3a98d793b63d5158),
        (
            "fbm --n 65536 --hurst 0.6 --paths 3 --first-path 1 --sigma 1.7 --t-end 3 --seed 15 --format npy",
            "fbm direct v6",
            0x7aa85759f2908c48,
        ),
    ];
    for threads in ["1", "2", "3", "4"] {
        for (args, name, want) in cases {
            let mut v = vec!["--threads", threads, "generate"];
            v.extend(args.split(' '));
            v.extend(["-o", "-"]);
            let got = fnv1a(&run_ok(&v));
            assert_eq!(got, want, "{name} on {threads} threads: {got:016x}, want {want:016x}");
        }
    }
}

/// Many blocks on more threads than cores: blocks finish out of order and wait as spares for
/// their turn (`stream`'s reordering), yet the bytes are those of one thread, in every format;
/// also with long rows, whose blocks have no spares (a worker waits for a free buffer).
#[test]
fn many_blocks_out_of_order_are_written_in_order() {
    for args in [
        "generate fgn --n 1000 --hurst 0.3 --paths 1500 --first-path 5 --seed 4 -o - --format",
        "generate stable --alpha 1.3 --beta 0.4 --n 50 --paths 4000 --seed 8 -o - --format",
        "generate bm --n 300 --paths 900 --seed 6 -o - --format",
        "generate bm --n 300000 --paths 9 --first-path 1 --seed 2 -o - --format",
    ] {
        for format in ["f64le", "f32le", "csv"] {
            let run = |threads: &str| {
                let mut v = vec!["--threads", threads];
                v.extend(args.split(' '));
                v.push(format);
                run_ok(&v)
            };
            let one = run("1");
            for threads in ["3", "8"] {
                assert!(run(threads) == one, "{args} {format}: {threads} threads differ from one");
            }
        }
    }
}

/// The same against the library's in-memory path (`fill_paths` of the whole matrix, then
/// `write_matrix`), to a file, on 2 threads: several blocks, a last one cut short.
#[test]
fn streamed_file_equals_fill_paths_and_write_matrix() {
    use fracnoise::io::{write_matrix, Format};
    let d = tmpdir("blocks");
    let g = fracnoise::noise::FgnGenerator::new(1000, 0.8, 1.3).unwrap();
    let mut a = Array2::<f64>::zeros((203, 1000));
    g.fill_paths(fracnoise::Seed::new(21), 7, a.view_mut()).unwrap();
    for (fmt, ext) in [(Format::Npy, "npy"), (Format::Csv, "csv"), (Format::F32Le, "f32")] {
        let f = d.join(format!("x.{ext}"));
        let args = "--threads 2 generate fgn --n 1000 --hurst 0.8 --sigma 1.3 --paths 203 --first-path 7 --seed 21 -o";
        let mut v: Vec<&str> = args.split(' ').collect();
        v.push(f.to_str().unwrap());
        run_ok(&v);
        let mut want = Vec::new();
        write_matrix(&mut want, fmt, a.view()).unwrap();
        assert!(std::fs::read(&f).unwrap() == want, "{ext}: streamed file differs from the in-memory output");
    }
    std::fs::remove_dir_all(&d).unwrap();
}

/// `--stream-version 1` reproduces, byte for byte, what the binary made before stream version 2
/// (fingerprints recorded with the binary of commit 8c076b0, `--format f64le -o -`), at sizes that
/// version 2 computes differently (n >= 65 536); `--stream-version 2` reproduces what the binary
/// made before version 3 (fingerprints from commit 4dedd48); the default, version 3, is what the
/// library's `fill_paths` gives; `--json` names the version used.
#[test]
fn stream_version_one_reproduces_old_output() {
    let v1 = "--threads 2 generate fgn --n 70000 --paths 3 --hurst 0.7 --sigma 1.3 --seed 42 --format f64le -o - --stream-version 1";
    let old = run_ok(&v1.split(' ').collect::<Vec<_>>());
    assert_eq!((old.len(), fnv1a(&old)), (1_680_000, 0xdf57_6ade_01e8_1d80));
    let fbm = "generate fbm --n 65536 --paths 2 --hurst 0.3 --t-end 2 --seed 5 --format f64le -o - --stream-version 1";
    let out = run_ok(&fbm.split(' ').collect::<Vec<_>>());
    assert_eq!((out.len(), fnv1a(&out)), (1_048_592, 0xfd34_6de7_df78_d97f));
    let v2 = "--threads 2 generate fgn --n 70000 --paths 3 --hurst 0.7 --sigma 1.3 --seed 42 --format f64le -o - --stream-version 2";
    let two = run_ok(&v2.split(' ').collect::<Vec<_>>());
    assert_eq!((two.len(), fnv1a(&two)), (1_680_000, 0x2135_4c23_2716_3633));
    let fbm2 = "generate fbm --n 65536 --paths 2 --hurst 0.3 --t-end 2 --seed 5 --format f64le -o - --stream-version 2";
    let out = run_ok(&fbm2.split(' ').collect::<Vec<_>>());
    assert_eq!((out.len(), fnv1a(&out)), (1_048_592, 0x9f68_4a71_473f_f44e));
    let v3 = "--threads 2 generate fgn --n 70000 --paths 3 --hurst 0.7 --sigma 1.3 --seed 42 --format f64le -o -";
    let new = run_ok(&v3.split(' ').collect::<Vec<_>>());
    assert!(new != old && new != two);
    let g = fracnoise::noise::FgnGenerator::new(70000, 0.7, 1.3).unwrap();
    let want: Vec<u8> =
        g.sample_paths(3, fracnoise::Seed::new(42)).unwrap().iter().flat_map(|v| v.to_le_bytes()).collect();
    assert!(new == want, "version 3 output differs from the library's");
    let out = bin().args("generate fgn --n 8 --stream-version 1 --json -o -".split(' ')).output().unwrap();
    let meta: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(meta["stream_version"], 1);
}
