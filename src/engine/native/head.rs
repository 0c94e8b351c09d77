//! The output head every architecture ends with: ReLU, 1x1 (mask B), ReLU, 1x1 (mask B) to logits.

use super::conv::{relu, Conv, Mask};
use crate::error::Result;
use crate::masks::MaskType::B;
use crate::model_file::ModelFile;

pub struct Head {
    out1: Conv,
    out2: Conv,
}

impl Head {
    /// Reads `head.out1` and `head.out2`.
    pub fn load(file: &ModelFile, in_ch: usize, hidden: usize, levels: usize, colours: usize) -> Result<Self> {
        Ok(Self {
            out1: Conv::load(file, "head.out1", in_ch, hidden, 1, 1, Mask::Raster(B, colours), true)?,
            out2: Conv::load(file, "head.out2", hidden, levels * colours, 1, 1, Mask::Raster(B, colours), true)?,
        })
    }

    /// Logits for rows of input vectors (`rows x in_ch`): `rows x [C*L]`, channel-major.
    pub fn at(&self, x: &[f32]) -> Vec<f32> {
        let rows = x.len() / self.out1.in_ch;
        let mut v = x.to_vec();
        relu(&mut v);
        let mut mid = vec![0.0; rows * self.out1.out_ch];
        self.out1.pointwise(&v, &mut mid);
        relu(&mut mid);
        let mut out = vec![0.0; rows * self.out2.out_ch];
        self.out2.pointwise(&mid, &mut out);
        out
    }
}
