//! The noise cases of the validation suite pass in quick mode, and every case of the
//! full set does too (the full set takes a few seconds).

use fracnoise::Seed;
use fracnoise_validation::{run, Context, Selection};

#[test]
fn noise_cases_pass() {
    let sel = Selection {
        filters: ["fgn/", "fbm/", "bm/", "stable/"].iter().map(|s| s.to_string()).collect(),
        quick_subset: false,
    };
    for quick in [true, false] {
        let ctx = Context { seed: Seed::new(7), quick };
        let report = run(&ctx, &sel, |_, _, _| {});
        assert!(report.cases.len() >= 7, "{}", report.to_text(false));
        assert_eq!(report.failed_checks(), 0, "{}", report.to_text(false));
    }
}
