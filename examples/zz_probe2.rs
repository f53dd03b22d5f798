use fracnoise::noise::FgnGenerator;
use fracnoise::{Seed, StreamVersion};
use ndarray::Array2;
fn main() {
    for n in [65536usize, 65537, 65536 * 2] {
        for v in [StreamVersion::V4, StreamVersion::V5, StreamVersion::V6] {
            let g = FgnGenerator::with_version(n, 0.7, 1.0, v).unwrap();
            let paths = (1 << 24) / n;
            let mut out = Array2::<f64>::zeros((paths, n));
            g.fill_paths(Seed::new(1), 0, out.view_mut()).unwrap();
            let mut best = f64::MAX;
            for r in 0..7 {
                let t0 = std::time::Instant::now();
                g.fill_paths(Seed::new(r), 0, out.view_mut()).unwrap();
                best = best.min(t0.elapsed().as_secs_f64());
            }
            println!("n {n} {v:?} threads {} {:.1} us/path", rayon::current_num_threads(), best * 1e6 / paths as f64);
        }
    }
}
