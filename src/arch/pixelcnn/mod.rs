//! PixelCNN: a kxk mask-A convolution, residual blocks (1x1, kxk mask B, 1x1), the output head.

mod net;

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use super::field::{dilate, raster_taps, union};
use super::Architecture;
use crate::engine::native::Net;
use crate::error::Result;
use crate::lessons::diagram::{block, conv_in, Block};
use crate::mask_view::raster_grid;
use crate::masks::MaskType::{A, B};
use crate::metadata::ModelMeta;
use crate::model_file::ModelFile;

#[derive(Deserialize, Clone, Copy, Debug)]
pub struct Config {
    pub hidden: usize,
    pub blocks: usize,
    pub kernel_in: usize,
    pub kernel: usize,
    pub out_hidden: usize,
}

pub struct PixelCnn;

impl Architecture for PixelCnn {
    fn name(&self) -> &'static str {
        "pixelcnn"
    }
    fn title(&self) -> &'static str {
        "PixelCNN"
    }
    fn field_caption(&self) -> &'static str {
        "PixelCNN: a wedge of pixels up and to the right is never seen — the blind spot of stacked masked convolutions."
    }

    fn native(&self, file: &ModelFile, meta: &ModelMeta) -> Result<Arc<dyn Net>> {
        Ok(Arc::new(net::PixelCnn::load(file, meta, &super::config(meta)?)?))
    }

    /// Each residual block: identity plus a kxk mask-B convolution between 1x1s.
    fn field(&self, meta: &ModelMeta, mut out: Vec<bool>) -> Result<Vec<bool>> {
        let c: Config = super::config(meta)?;
        let (h, w) = (meta.height, meta.width);
        let taps = raster_taps(meta, (c.kernel, c.kernel), B);
        for _ in 0..c.blocks {
            let through = dilate(&out, h, w, &taps);
            union(&mut out, &through);
        }
        Ok(dilate(&out, h, w, &raster_taps(meta, (c.kernel_in, c.kernel_in), A)))
    }

    fn kernels(&self, meta: &ModelMeta) -> Result<Vec<Value>> {
        let Config { kernel_in: ki, kernel: k, .. } = super::config(meta)?;
        Ok(vec![
            raster_grid(meta, &format!("first layer {ki}x{ki}, mask A"), ki, ki, A),
            raster_grid(meta, &format!("later layers {k}x{k}, mask B"), k, k, B),
        ])
    }

    fn blocks(&self, meta: &ModelMeta) -> Result<(Vec<Block>, usize)> {
        let Config { hidden: hid, blocks, kernel_in, kernel: k, .. } = super::config(meta)?;
        let mut out = vec![conv_in(meta, kernel_in, 2 * hid)];
        for b in 0..blocks {
            let detail = format!("ReLU, 1×1 mask B ({} → {hid}), ReLU, {k}×{k} mask B, ReLU, 1×1 mask B ({hid} → {})", 2 * hid, 2 * hid);
            out.push(block(format!("blocks.{b}"), "residual", detail, (2 * hid, 2 * hid), true, vec![1]));
        }
        Ok((out, 2 * hid))
    }
}
