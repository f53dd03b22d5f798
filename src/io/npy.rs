//! The `.npy` format, version 1.0 (numpy's NEP 1, "A simple file format for NumPy arrays").
//!
//! Layout: magic `\x93NUMPY`, version bytes `1 0`, a little-endian `u16` header length, then an
//! ASCII Python dict literal `{'descr': '<f8', 'fortran_order': False, 'shape': (R, C), }` padded
//! with spaces and ending in `\n` so that the data start at a multiple of 64 bytes, then the data
//! in C (row-major) order. The header is written by hand (a dozen lines) because the writers here
//! stream rows of a matrix whose shape is known up front but which is never held in memory whole.

use crate::error::Result;
use std::path::Path;

/// Element type of a `.npy` file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NpyDtype {
    /// Little-endian IEEE double (`<f8`, numpy `float64`).
    F64,
    /// Little-endian IEEE single (`<f4`, numpy `float32`).
    F32,
}

impl NpyDtype {
    fn descr(self) -> &'static str {
        match self {
            NpyDtype::F64 => "<f8",
            NpyDtype::F32 => "<f4",
        }
    }
}

/// The complete `.npy` v1.0 header (magic to final newline) for a C-order array of `shape`.
pub fn npy_header(dtype: NpyDtype, shape: &[usize]) -> Vec<u8> {
    let shape_txt = match shape {
        [n] => format!("({n},)"),
        _ => format!("({})", shape.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")),
    };
    let mut dict = format!("{{'descr': '{}', 'fortran_order': False, 'shape': {shape_txt}, }}", dtype.descr());
    // 10 bytes of preamble (magic 6 + version 2 + length 2), then dict, padding and '\n'.
    let total = (10 + dict.len() + 1).div_ceil(64) * 64;
    while 10 + dict.len() + 1 < total {
        dict.push(' ');
    }
    dict.push('\n');
    let mut h = Vec::with_capacity(total);
    h.extend_from_slice(b"\x93NUMPY\x01\x00");
    h.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    h.extend_from_slice(dict.as_bytes());
    h
}

/// Writes a 2-D array to `path` as `.npy` (atomically).
pub fn write_npy(path: impl AsRef<Path>, a: ndarray::ArrayView2<f64>, dtype: NpyDtype) -> Result<()> {
    let format = match dtype {
        NpyDtype::F64 => super::Format::Npy,
        NpyDtype::F32 => super::Format::Npy32,
    };
    let mut f = super::AtomicFile::create(path.as_ref())?;
    super::write_matrix(&mut f, format, a).map_err(|e| f.error(e))?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_aligned_and_well_formed() {
        for shape in [vec![3usize], vec![1000, 4096], vec![0, 5]] {
            let h = npy_header(NpyDtype::F64, &shape);
            assert_eq!(h.len() % 64, 0);
            assert_eq!(&h[..8], b"\x93NUMPY\x01\x00");
            let hl = u16::from_le_bytes([h[8], h[9]]) as usize;
            assert_eq!(hl + 10, h.len());
            assert_eq!(*h.last().unwrap(), b'\n');
            let text = std::str::from_utf8(&h[10..]).unwrap();
            assert!(text.contains("'descr': '<f8'"));
        }
        let h = npy_header(NpyDtype::F32, &[7]);
        assert!(std::str::from_utf8(&h[10..]).unwrap().contains("'shape': (7,)"));
    }
}
