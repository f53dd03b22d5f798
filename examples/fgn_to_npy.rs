//! Fractional Gaussian noise to a `.npy` file that numpy loads with `np.load`.
//!
//! ```sh
//! cargo run --release --example fgn_to_npy                  # writes target/examples/fgn.npy
//! cargo run --release --example fgn_to_npy -- out.npy 0.3   # another file, another H
//! python3 examples/read_npy.py target/examples/fgn.npy 0.7  # read it back (needs numpy)
//! ```
//!
//! Shape `(paths, n)`, `float64`, unit time step and unit variance. Row `i` is path `i` of the
//! ensemble named by the seed, whatever the machine or the thread count.

use fracnoise::io::{write_npy, NpyDtype};
use fracnoise::noise::{fgn_autocovariance, FgnGenerator};
use fracnoise::Seed;
use ndarray::Array2;

fn main() -> fracnoise::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "target/examples/fgn.npy".into());
    let hurst: f64 = args.next().map_or(0.7, |h| h.parse().expect("H is a number in (0, 1)"));
    let (paths, n) = (64, 4096);

    // Exact fGn by circulant embedding (Davies–Harte); sigma = 1 is the standard deviation.
    let gen = FgnGenerator::new(n, hurst, 1.0)?;
    let mut x = Array2::zeros((paths, n));
    gen.fill_paths(Seed::new(1), 0, x.view_mut())?;

    if let Some(dir) = std::path::Path::new(&path).parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| fracnoise::Error::Io { path: dir.display().to_string(), source: e })?;
    }
    // Written atomically: a reader never sees half a file.
    write_npy(&path, x.view(), NpyDtype::F64)?;
    println!("wrote {path}: {paths} paths x {n} samples of fGn, H = {hurst}");

    // A quick look at what numpy will see: the variance and the lag-1 correlation over all
    // paths, beside the closed form rho(1) = 2^(2H-1) - 1.
    let all = x.as_slice().expect("standard layout");
    let var = all.iter().map(|v| v * v).sum::<f64>() / all.len() as f64;
    let lag1 = x.rows().into_iter().map(|r| r.windows(2).into_iter().map(|w| w[0] * w[1]).sum::<f64>()).sum::<f64>()
        / (paths * (n - 1)) as f64;
    println!("variance {var:.4} (exact 1), lag-1 covariance {lag1:.4} (exact {:.4})", fgn_autocovariance(hurst, 1));
    Ok(())
}
