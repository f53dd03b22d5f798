//! Is this noise Gaussian, alpha-stable or fractional? Three synthetic series through
//! `fracnoise::diagnose::analyze`: fGn (H = 0.7), symmetric alpha-stable (alpha = 1.5) and
//! Gaussian white noise, each with its verdict, fitted parameters and SEs.
//!
//! ```sh
//! cargo run --release --example analyze_noise
//! ```
//!
//! The same analysis on a file: `fracnoise analyze-noise FILE [--json] [--plot DIR]`.

use fracnoise::diagnose::{analyze, AnalyzeOptions};
use fracnoise::noise::{FgnGenerator, Parametrization, Stable};
use fracnoise::Seed;

fn main() -> fracnoise::Result<()> {
    let n = 8192;
    let mut fgn = vec![0.0; n];
    let g = FgnGenerator::new(n, 0.7, 1.0)?;
    g.fill_path(Seed::new(1), 0, &mut g.scratch(), &mut fgn)?;
    let mut stable = vec![0.0; n];
    Stable::new(1.5, 0.0, 1.0, 0.0, Parametrization::S0)?.fill(&mut Seed::new(2).stream(0), &mut stable);
    let mut white = vec![0.0; n];
    let w = FgnGenerator::new(n, 0.5, 1.0)?;
    w.fill_path(Seed::new(3), 0, &mut w.scratch(), &mut white)?;

    let opts = AnalyzeOptions { stable_replicates: 20, gof_replicates: 39, hurst_replicates: 20, ..Default::default() };
    for (name, x) in [("fGn H = 0.7", &fgn), ("stable alpha = 1.5", &stable), ("white noise", &white)] {
        let a = analyze(x, &opts)?;
        let e = &a.evidence;
        println!("{name}: {}", a.verdict.describe());
        println!(
            "    stable fit alpha {:.3} ± {:.3}; Whittle H {:.3} ± {:.3}; Jarque-Bera p {:.2e}; Ljung-Box p {:.2e}",
            e.stable.alpha.value,
            e.stable.alpha.se,
            e.hurst.whittle.hurst,
            e.hurst.whittle.se,
            e.jarque_bera.p_value,
            e.ljung_box.p_value
        );
    }
    Ok(())
}
