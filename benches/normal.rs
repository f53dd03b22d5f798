//! Standard normal draws: the scalar ziggurat (`rand_distr::StandardNormal` on one
//! xoshiro256++ stream) against the same ziggurat in four AVX2 lanes
//! ([`fracnoise::noise::ziggurat_lanes`], same bits), with the floor of each: the bare generator
//! words (scalar: `next_u64` per value; lanes: the four streams stepped side by side, by the
//! same code with every rectangle test passing, i.e. the words converted to `u X_i` only).
//!
//! `lane-normals-v3`: the sampler of stream version 3 ([`fracnoise::noise::lane_normals`], a
//! 1024-layer ziggurat in eight lanes with deferred continuations: the same law, other numbers),
//! filling the same 16 384 values from one sampler.
//!
//! Run: `cargo bench --bench normal -- --warm-up-time 1 --measurement-time 3`.
//! Each iteration fills 4 x 4096 values (one row per stream), one thread.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use fracnoise::noise::lane_normals::LaneNormals;
use fracnoise::noise::ziggurat_lanes::{fill_standard_normals_x4, lanes_available, scalar_fill};
use fracnoise::{PathRng, Seed};
use rand::RngCore;

const N: usize = 4096;

fn bench(c: &mut Criterion) {
    let seed = Seed::new(3);
    let mut g = c.benchmark_group("normal/4x4096");
    g.throughput(Throughput::Elements(4 * N as u64));
    let mut rows = vec![vec![0.0f64; N]; 4];
    let mut rngs: [PathRng; 4] = std::array::from_fn(|j| seed.stream(j as u64));
    g.bench_function("floor-scalar-u64", |b| {
        b.iter(|| {
            for (r, row) in rngs.iter_mut().zip(rows.iter_mut()) {
                for v in row.iter_mut() {
                    *v = f64::from_bits(r.next_u64() >> 12 | 0x4000_0000_0000_0000);
                }
            }
            black_box(rows[0][N - 1])
        })
    });
    g.bench_function("scalar-ziggurat", |b| {
        b.iter(|| {
            for (r, row) in rngs.iter_mut().zip(rows.iter_mut()) {
                scalar_fill(r, row);
            }
            black_box(rows[0][N - 1])
        })
    });
    if lanes_available() {
        g.bench_function("lanes-ziggurat", |b| {
            b.iter(|| {
                let [a, bb, cc, d] = &mut rows[..] else { unreachable!() };
                fill_standard_normals_x4(&mut rngs, [a, bb, cc, d]);
                black_box(rows[0][N - 1])
            })
        });
    } else {
        eprintln!("no AVX2: lanes-ziggurat not measured (it would run the scalar sampler)");
    }
    let mut z = LaneNormals::from_rng(&mut seed.stream(9));
    g.bench_function("lane-normals-v3", |b| {
        b.iter(|| {
            for row in rows.iter_mut() {
                z.fill(row);
            }
            black_box(rows[0][N - 1])
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
