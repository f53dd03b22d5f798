//! `.npy` output read back by an independent implementation (the ndarray-npy crate).

use fracnoise::io::{write_npy, AtomicFile, Format, MatrixWriter, NpyDtype};
use ndarray::Array2;

#[test]
fn npy_files_load_with_ndarray_npy() {
    let dir = std::env::temp_dir().join(format!("fracnoise-npy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let a = Array2::from_shape_fn((7, 13), |(i, j)| (i as f64 + 1.0) * 0.5 - j as f64 * 1e-3);
    let p = dir.join("a.npy");
    write_npy(&p, a.view(), NpyDtype::F64).unwrap();
    let b: Array2<f64> = ndarray_npy::read_npy(&p).unwrap();
    assert_eq!(a, b);
    let p32 = dir.join("b.npy");
    write_npy(&p32, a.view(), NpyDtype::F32).unwrap();
    let c: Array2<f32> = ndarray_npy::read_npy(&p32).unwrap();
    assert!(a.iter().zip(c.iter()).all(|(x, y)| (*x as f32) == *y));
    // Streaming writer through an atomic file.
    let p3 = dir.join("c.npy");
    let f = AtomicFile::create(&p3).unwrap();
    let mut w = MatrixWriter::new(f, Format::Npy, 2, 3).unwrap();
    w.write_row(&[1.0, 2.0, 3.0]).unwrap();
    w.write_row(&[4.0, 5.0, 6.0]).unwrap();
    w.finish().unwrap().commit().unwrap();
    let d: Array2<f64> = ndarray_npy::read_npy(&p3).unwrap();
    assert_eq!(d, ndarray::arr2(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
    std::fs::remove_dir_all(&dir).unwrap();
}
