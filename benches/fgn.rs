//! fGn generation speed against its floor, measured in the same run.
//!
//! Run: `cargo bench --bench fgn -- --warm-up-time 1 --measurement-time 3`.
//!
//! * `fgn_pair/generator/n`: [`FgnGenerator::fill_pair`] (stream version 3), one complex FFT of
//!   size `2n` giving two independent paths of length `n` (per path: half of it).
//! * `fgn_pair/floor/n`: the irreducible work of the same pair, with the same FFT plan
//!   (`rustfft::FftPlanner`, in-place with scratch) and the same sampler (`rand_distr`
//!   `StandardNormal` ziggurat on a `Xoshiro256PlusPlus` stream): `2n` complex normals (`4n`
//!   real draws, what two exact paths need) written into the buffer, then the FFT.
//! * `fgn_pair/floor_2n_draws/n`: the floor, one FFT of size `2n` plus only
//!   `2n` real normal draws (a lower bound the two-path method cannot reach: it needs `4n`).
//! * `fgn_batch/{generator,floor}/{1,2}T`: 1000 paths of 4096 ([`FgnGenerator::fill_paths`] into
//!   a preallocated array, stream version 3) in rayon pools of 1 and 2 threads; the floor is 500
//!   version-3 floor pairs (normals from `LaneNormals`, then the FFT) split over the same pool.
//!   `generator_v2` / `floor_v2`: the same in version 2 (`rand_distr`'s normals).
//!
//! * `fgn_long_path/{v1,v2,v3}`: one path of `n = 2^20` ([`FgnGenerator::fill_path`], called
//!   from outside the thread pool, as for one path from the CLI or Python) in stream versions 1, 2
//!   and 3 (`floor_v3`: `floor_v2` with version 3's normals).
//!   `fgn_long_path/floor_v1`: the v1 pair floor above (`4n` normals, one FFT of `2n`, one
//!   thread); `floor_v2`: two halves, each `2n` normals and one FFT of `n`, on two threads
//!   (`rayon::join`), without the last twiddle step: what version 2's one pair cannot beat on
//!   two cores.
//!
//! Ratio to floor = generator time / floor time (see the report; the machine is shared, so only
//! ratios from the same run mean anything).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use fracnoise::noise::lane_normals::LaneNormals;
use fracnoise::noise::FgnGenerator;
use fracnoise::{Seed, StreamVersion};
use ndarray::Array2;
use num_complex::Complex64;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use rustfft::{Fft, FftPlanner};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

/// The floor of one pair: `draws` real normals into the buffer, then one complex FFT.
struct Floor {
    fft: Arc<dyn Fft<f64>>,
}

impl Floor {
    fn new(m: usize) -> Self {
        Floor { fft: FftPlanner::<f64>::new().plan_fft_forward(m) }
    }

    fn scratch(&self) -> (Vec<Complex64>, Vec<Complex64>) {
        let m = self.fft.len();
        (vec![Complex64::default(); m], vec![Complex64::default(); self.fft.get_inplace_scratch_len()])
    }

    /// `full`: two normals per complex entry (4n draws); else one (2n draws).
    fn run<R: rand::Rng>(&self, rng: &mut R, buf: &mut [Complex64], scratch: &mut [Complex64], full: bool) {
        if full {
            for w in buf.iter_mut() {
                let re: f64 = StandardNormal.sample(rng);
                let im: f64 = StandardNormal.sample(rng);
                *w = Complex64::new(re, im);
            }
        } else {
            for w in buf.iter_mut() {
                let re: f64 = StandardNormal.sample(rng);
                *w = Complex64::new(re, 0.0);
            }
        }
        self.fft.process_with_scratch(buf, scratch);
    }

    /// Version 3's floor: `4n` normals from a `LaneNormals` seeded from `rng` (written in
    /// pieces through a small buffer, as the generator does), then the FFT.
    fn run_v3<R: rand::Rng>(&self, rng: &mut R, buf: &mut [Complex64], scratch: &mut [Complex64]) {
        let mut z = LaneNormals::from_rng(rng);
        let mut tmp = [0.0f64; 512];
        for piece in buf.chunks_mut(256) {
            let vals = &mut tmp[..2 * piece.len()];
            z.fill(vals);
            for (w, p) in piece.iter_mut().zip(vals.chunks_exact(2)) {
                *w = Complex64::new(p[0], p[1]);
            }
        }
        self.fft.process_with_scratch(buf, scratch);
    }
}

fn pair(c: &mut Criterion) {
    let mut group = c.benchmark_group("fgn_pair");
    for p in (10..=22).step_by(2) {
        let n = 1usize << p;
        group.sample_size(if p >= 20 {
            10
        } else if p >= 16 {
            20
        } else {
            50
        });
        group.throughput(Throughput::Elements(2 * n as u64));
        let g = FgnGenerator::new(n, 0.7, 1.0).unwrap();
        let mut s = g.scratch();
        let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
        let mut rng = Seed::new(1).stream(0);
        group.bench_with_input(BenchmarkId::new("generator", n), &n, |bch, _| {
            bch.iter(|| {
                g.fill_pair(&mut rng, &mut s, &mut a, &mut b).unwrap();
                black_box((&a, &b));
            })
        });
        drop(s);
        let floor = Floor::new(2 * n);
        let (mut buf, mut scr) = floor.scratch();
        for (name, full) in [("floor", true), ("floor_2n_draws", false)] {
            group.bench_with_input(BenchmarkId::new(name, n), &n, |bch, _| {
                bch.iter(|| {
                    floor.run(&mut rng, &mut buf, &mut scr, full);
                    black_box(&buf);
                })
            });
        }
    }
    group.finish();
}

fn long_path(c: &mut Criterion) {
    let n = 1usize << 20;
    let mut group = c.benchmark_group("fgn_long_path");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n as u64));
    let seed = Seed::new(3);
    let mut out = vec![0.0; n];
    let versions =
        [("v1", StreamVersion::V1), ("v2", StreamVersion::V2), ("v3", StreamVersion::V3), ("v5", StreamVersion::V5)];
    for (name, v) in versions {
        let g = FgnGenerator::with_version(n, 0.7, 1.0, v).unwrap();
        let mut s = g.scratch();
        group.bench_function(name, |bch| {
            bch.iter(|| {
                g.fill_path(seed, 0, &mut s, &mut out).unwrap();
                black_box(&out);
            })
        });
    }
    let floor = Floor::new(2 * n);
    let (mut buf, mut scr) = floor.scratch();
    let mut rng = seed.stream(0);
    group.bench_function("floor_v1", |bch| bch.iter(|| floor.run(&mut rng, &mut buf, &mut scr, true)));
    drop((buf, scr));
    let half = Floor::new(n);
    let ((mut b1, mut s1), (mut b2, mut s2)) = (half.scratch(), half.scratch());
    let mut rng2 = seed.stream(1);
    group.bench_function("floor_v2", |bch| {
        bch.iter(|| {
            rayon::join(|| half.run(&mut rng, &mut b1, &mut s1, true), || half.run(&mut rng2, &mut b2, &mut s2, true));
            black_box((&b1, &b2));
        })
    });
    group.bench_function("floor_v3", |bch| {
        bch.iter(|| {
            rayon::join(|| half.run_v3(&mut rng, &mut b1, &mut s1), || half.run_v3(&mut rng2, &mut b2, &mut s2));
            black_box((&b1, &b2));
        })
    });
    drop((b1, s1, b2, s2));
    // Version 5's lone path: about 2n normals (n complex) in two parts and two FFTs of n/2, on
    // two threads.
    let quarter = Floor::new(n / 2);
    let ((mut b1, mut s1), (mut b2, mut s2)) = (quarter.scratch(), quarter.scratch());
    group.bench_function("floor_v5", |bch| {
        bch.iter(|| {
            rayon::join(|| quarter.run_v3(&mut rng, &mut b1, &mut s1), || quarter.run_v3(&mut rng2, &mut b2, &mut s2));
            black_box((&b1, &b2));
        })
    });
    group.finish();
}

/// The set-up of one generator of `2^20` points (autocovariances, FFT plans, eigenvalues):
/// version 5 plans and runs FFTs of size `n` for the eigenvalues, version 6 only of `n/2`.
fn setup(c: &mut Criterion) {
    let n = 1usize << 20;
    let mut group = c.benchmark_group("fgn_setup");
    group.sample_size(10);
    for (name, v) in [("v5", StreamVersion::V5), ("v6", StreamVersion::V6)] {
        group.bench_function(name, |bch| bch.iter(|| black_box(FgnGenerator::with_version(n, 0.7, 1.0, v).unwrap())));
    }
    group.finish();
}

fn batch(c: &mut Criterion) {
    let (paths, n) = (1000usize, 4096usize);
    let g = FgnGenerator::new(n, 0.7, 1.0).unwrap();
    let g2 = FgnGenerator::with_version(n, 0.7, 1.0, StreamVersion::V2).unwrap();
    let floor = Floor::new(2 * n);
    let mut out = Array2::zeros((paths, n));
    let seed = Seed::new(2);
    let mut group = c.benchmark_group("fgn_batch");
    group.sample_size(20);
    group.throughput(Throughput::Elements((paths * n) as u64));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        group.bench_function(BenchmarkId::new("generator", format!("{threads}T")), |bch| {
            bch.iter(|| pool.install(|| g.fill_paths(seed, 0, out.view_mut()).unwrap()))
        });
        group.bench_function(BenchmarkId::new("generator_v2", format!("{threads}T")), |bch| {
            bch.iter(|| pool.install(|| g2.fill_paths(seed, 0, out.view_mut()).unwrap()))
        });
        for (name, v3) in [("floor_v2", false), ("floor", true)] {
            group.bench_function(BenchmarkId::new(name, format!("{threads}T")), |bch| {
                bch.iter(|| {
                    pool.install(|| {
                        (0..paths as u64 / 2).into_par_iter().for_each_init(
                            || floor.scratch(),
                            |(buf, scr), j| {
                                if v3 {
                                    floor.run_v3(&mut seed.stream(j), buf, scr);
                                } else {
                                    floor.run(&mut seed.stream(j), buf, scr, true);
                                }
                                black_box(&buf);
                            },
                        )
                    })
                })
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = pair, long_path, setup, batch
}
criterion_main!(benches);
