//! `validate --quick` passes for a sample of root seeds (the calibration sweep, `validate
//! --calibrate 50 --quick`, covers seeds 1..50; this keeps a fixed sample of it in CI).
//! Three seeds of the quick suite take ~30 s in release on 2 cores; ignored in debug builds.

use fracnoise::Seed;
use fracnoise_validation::{run, Context, Selection};

/// Three fixed seeds of the calibration sweep 1..=50 (fixed, so that CI is reproducible); set
/// `FRACNOISE_SEEDS=a,b,c` to run others.
const SAMPLE: [u64; 3] = [3, 17, 42];

fn sample() -> Vec<u64> {
    match std::env::var("FRACNOISE_SEEDS") {
        Ok(s) => s.split(',').map(|v| v.trim().parse().expect("FRACNOISE_SEEDS: comma-separated u64")).collect(),
        Err(_) => SAMPLE.to_vec(),
    }
}

#[test]
#[cfg_attr(debug_assertions, ignore = "quick suite x 3 seeds: run with --release")]
fn quick_suite_passes_for_a_sample_of_seeds() {
    let sel = Selection { filters: Vec::new(), quick_subset: true };
    let mut failed = Vec::new();
    for seed in sample() {
        let t = std::time::Instant::now();
        let report = run(&Context { seed: Seed::new(seed), quick: true }, &sel, |_, _, _| {});
        eprintln!(
            "seed {seed}: {} checks, {} failed, {:.1} s",
            report.total_checks(),
            report.failed_checks(),
            t.elapsed().as_secs_f64()
        );
        if report.failed_checks() > 0 {
            failed.push(format!("seed {seed}:\n{}", report.to_text(false)));
        }
    }
    assert!(failed.is_empty(), "validate --quick fails (rerun: FRACNOISE_SEEDS=<seed>):\n{}", failed.join("\n"));
}
