//! Every Hurst estimator on one series, with standard errors you can trust.
//!
//! ```sh
//! cargo run --release --example compare_hurst
//! ```
//!
//! The series is fBM with `H = 0.7` (a path, so it is passed as `InputKind::Path` and each
//! estimator differences it first). The regression estimators (DFA, R/S, aggregated variance)
//! get a parametric-bootstrap SE: their OLS slope SE understates the spread several-fold.

use fracnoise::hurst::{Estimator, InputKind, SeKind};
use fracnoise::noise::FgnGenerator;
use fracnoise::Seed;

fn main() -> fracnoise::Result<()> {
    let (n, hurst) = (4096, 0.7);
    let gen = FgnGenerator::new(n, hurst, 1.0)?;
    let mut noise = vec![0.0; n];
    gen.fill_path(Seed::new(3), 0, &mut gen.scratch(), &mut noise)?;
    // The path B_0 = 0, B_k = sum of the first k noise values.
    let path: Vec<f64> = std::iter::once(0.0)
        .chain(noise.iter().scan(0.0, |s, v| {
            *s += v;
            Some(*s)
        }))
        .collect();

    println!("fBM path of {} points, true H = {hurst}", path.len());
    println!("{:>8} {:>7} {:>7} {:>11}  95% interval", "method", "H", "SE", "SE from");
    for est in Estimator::all(InputKind::Path) {
        let e = est.estimate(&path)?;
        // One description of the estimator serves the estimate and its bootstrap.
        let e = if e.se_kind == SeKind::Regression { est.bootstrap(e, 100, Seed::new(4))? } else { e };
        println!(
            "{:>8} {:>7.3} {:>7.3} {:>11}  [{:.3}, {:.3}]{}",
            e.method.name(),
            e.hurst,
            e.se,
            e.se_kind.name(),
            e.ci95.0,
            e.ci95.1,
            if e.warnings.is_empty() { String::new() } else { format!("  ({})", e.warnings.join("; ")) }
        );
    }
    Ok(())
}
