//! The softmax head: ReLU, 1x1 (mask B), ReLU, 1x1 (mask B) to one logit per level and channel.

use super::{Dims, Head, HeadKind, HeadNet};
use crate::engine::native::conv::{relu, Conv, Mask};
use crate::engine::native::scratch::Scratch;
use crate::error::Result;
use crate::lessons::diagram::{block, Block};
use crate::masks::group_range;
use crate::masks::MaskType::B;
use crate::metadata::ModelMeta;
use crate::model_file::ModelFile;

pub struct Softmax;

impl HeadKind for Softmax {
    fn name(&self) -> &'static str {
        "softmax"
    }

    fn title(&self) -> &'static str {
        "softmax over the levels"
    }

    fn blocks(&self, meta: &ModelMeta, last_ch: usize, out_hidden: usize) -> Result<Vec<Block>> {
        let (c, l) = (meta.channels, meta.levels);
        Ok(vec![
            block("head".into(), "head", format!("ReLU, 1×1 mask B ({last_ch} → {out_hidden}), ReLU, 1×1 mask B ({out_hidden} → {l}×{c})"), (last_ch, l * c), false, vec![]),
            block("softmax".into(), "softmax", format!("softmax over {l} levels for each of the {c} sub-pixel{} of every pixel", if c > 1 { "s" } else { "" }), (l * c, l * c), false, vec![]),
        ])
    }

    fn native(&self, file: &ModelFile, _meta: &ModelMeta, d: Dims) -> Result<Head> {
        let out2 = Conv::load(file, "head.out2", d.hidden, d.levels * d.colours, 1, 1, Mask::Raster(B, d.colours), true)?;
        Ok(Box::new(SoftmaxNet {
            out1: Conv::load(file, "head.out1", d.in_ch, d.hidden, 1, 1, Mask::Raster(B, d.colours), true)?,
            out2_by_channel: (0..d.colours).map(|c| out2.outputs(c * d.levels, (c + 1) * d.levels)).collect(),
            out2,
        }))
    }
}

struct SoftmaxNet {
    out1: Conv,
    out2: Conv,
    /// `out2` cut by colour channel: the sampler asks for one channel's logits at a time, and the
    /// same sums in the same order give the same bits as the whole product.
    out2_by_channel: Vec<Conv>,
}

impl HeadNet for SoftmaxNet {
    fn at(&self, x: &[f32], _pixels: &[f32]) -> Vec<f32> {
        last(&self.out2, &hidden(&self.out1, x, self.out1.out_ch))
    }

    /// Channel c's logits read out1's colour groups up to c only (mask B), so the later groups are
    /// not computed (left zero).
    fn channel(&self, x: &[f32], _pixels: &[f32], c: usize) -> Vec<f32> {
        let upto = group_range(c, self.out1.out_ch, self.out2_by_channel.len()).end;
        last(&self.out2_by_channel[c], &hidden(&self.out1, x, upto))
    }
}

/// relu(out1(relu(x))), in out1's channels `0..upto` (the rest left zero).
pub(super) fn hidden(out1: &Conv, x: &[f32], upto: usize) -> Scratch {
    let mut v = Scratch::copy(x);
    relu(&mut v);
    let mut mid = Scratch::zeroed(x.len() / out1.in_ch * out1.out_ch);
    out1.pointwise_cols(&v, &mut mid, &[0..upto]);
    relu(&mut mid);
    mid
}

pub(super) fn last(out2: &Conv, mid: &[f32]) -> Vec<f32> {
    let mut out = vec![0.0; mid.len() / out2.in_ch * out2.out_ch];
    out2.pointwise(mid, &mut out);
    out
}
