//! The output head every architecture ends with: ReLU, 1x1 (mask B), ReLU, 1x1 (mask B) to logits.

use super::conv::{relu, Conv, Mask};
use super::scratch::Scratch;
use crate::error::Result;
use crate::masks::group_range;
use crate::masks::MaskType::B;
use crate::model_file::ModelFile;

pub struct Head {
    out1: Conv,
    out2: Conv,
    /// `out2` cut by colour channel: the sampler asks for one channel's logits at a time, and the
    /// same sums in the same order give the same bits as the whole product.
    out2_by_channel: Vec<Conv>,
}

impl Head {
    /// Reads `head.out1` and `head.out2`.
    pub fn load(file: &ModelFile, in_ch: usize, hidden: usize, levels: usize, colours: usize) -> Result<Self> {
        let out2 = Conv::load(file, "head.out2", hidden, levels * colours, 1, 1, Mask::Raster(B, colours), true)?;
        Ok(Self {
            out1: Conv::load(file, "head.out1", in_ch, hidden, 1, 1, Mask::Raster(B, colours), true)?,
            out2_by_channel: (0..colours).map(|c| out2.outputs(c * levels, (c + 1) * levels)).collect(),
            out2,
        })
    }

    /// Logits for rows of input vectors (`rows x in_ch`): `rows x [C*L]`, channel-major.
    pub fn at(&self, x: &[f32]) -> Vec<f32> {
        Self::last(&self.out2, &self.hidden(x, self.out1.out_ch))
    }

    /// Colour channel `c`'s logits only: `rows x L`. They read out1's colour groups up to c only
    /// (mask B), so the later groups are not computed (left zero).
    pub fn channel(&self, x: &[f32], c: usize) -> Vec<f32> {
        let upto = group_range(c, self.out1.out_ch, self.out2_by_channel.len()).end;
        Self::last(&self.out2_by_channel[c], &self.hidden(x, upto))
    }

    /// relu(out1(relu(x))), in out1's channels `0..upto`.
    fn hidden(&self, x: &[f32], upto: usize) -> Scratch {
        let mut v = Scratch::copy(x);
        relu(&mut v);
        let mut mid = Scratch::zeroed(x.len() / self.out1.in_ch * self.out1.out_ch);
        self.out1.pointwise_cols(&v, &mut mid, &[0..upto]);
        relu(&mut mid);
        mid
    }

    fn last(out2: &Conv, mid: &[f32]) -> Vec<f32> {
        let mut out = vec![0.0; mid.len() / out2.in_ch * out2.out_ch];
        out2.pointwise(mid, &mut out);
        out
    }
}
