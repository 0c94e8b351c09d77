//! Gated PixelCNN: vertical and horizontal stacks (no blind spot), gates, class biases.

mod net;

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use super::field::{dilate, raster_taps, union, vertical_taps};
use super::Architecture;
use crate::engine::native::Net;
use crate::error::{Error, Result};
use crate::lessons::diagram::{block, Block};
use crate::mask_view::{raster_grid, vertical_grid};
use crate::masks::MaskType::{A, B};
use crate::metadata::ModelMeta;
use crate::model_file::ModelFile;

#[derive(Deserialize, Clone, Copy, Debug)]
pub struct Config {
    pub hidden: usize,
    pub layers: usize,
    pub kernel_in: usize,
    pub kernel: usize,
    pub out_hidden: usize,
}

/// The config, with at least one layer (the head reads the last horizontal stack).
pub fn config(meta: &ModelMeta) -> Result<Config> {
    let c: Config = super::config(meta)?;
    if c.layers == 0 {
        return Err(Error::Metadata("pixelwise.config layers must be at least 1".into()));
    }
    Ok(c)
}

pub struct GatedPixelCnn;

impl Architecture for GatedPixelCnn {
    fn name(&self) -> &'static str {
        "gated_pixelcnn"
    }
    fn title(&self) -> &'static str {
        "Gated PixelCNN"
    }
    fn field_caption(&self) -> &'static str {
        "Gated PixelCNN: a full block of rows above (vertical stack) and the pixels to the left (horizontal stack) — no blind spot; the block grows with depth."
    }

    fn native(&self, file: &ModelFile, meta: &ModelMeta) -> Result<Arc<dyn Net>> {
        Ok(Arc::new(net::Gated::load(file, meta, &config(meta)?)?))
    }

    /// Walks the layers backwards with the positions needed of each stack's output.
    fn field(&self, meta: &ModelMeta, out: Vec<bool>) -> Result<Vec<bool>> {
        let c = config(meta)?;
        let (h, w) = (meta.height, meta.width);
        let (mut hor, mut ver) = (out, vec![false; h * w]);
        for l in (0..c.layers).rev() {
            let (t, kk) = if l == 0 { (A, c.kernel_in) } else { (B, c.kernel) };
            // The vertical pre-activation feeds both the gated vertical output and the link.
            let mut pre = ver.clone();
            union(&mut pre, &hor);
            let mut next_hor = dilate(&hor, h, w, &raster_taps(meta, (1, kk), t));
            if l > 0 {
                union(&mut next_hor, &hor);
            }
            ver = dilate(&pre, h, w, &vertical_taps(kk, t));
            hor = next_hor;
        }
        union(&mut hor, &ver);
        Ok(hor)
    }

    fn kernels(&self, meta: &ModelMeta) -> Result<Vec<Value>> {
        let Config { kernel_in: ki, kernel: k, .. } = config(meta)?;
        Ok(vec![
            vertical_grid(&format!("vertical stack, first layer {ki}x{ki}"), ki, A),
            raster_grid(meta, &format!("horizontal stack, first layer 1x{ki}, mask A"), 1, ki, A),
            vertical_grid(&format!("vertical stack, later layers {k}x{k}"), k, B),
            raster_grid(meta, &format!("horizontal stack, later layers 1x{k}, mask B"), 1, k, B),
        ])
    }

    fn blocks(&self, meta: &ModelMeta) -> Result<(Vec<Block>, usize)> {
        let Config { hidden: hid, layers, kernel_in, kernel: k, .. } = config(meta)?;
        let cond = if meta.classes > 0 { format!(", plus a learned bias per class ({})", meta.classes) } else { String::new() };
        let mut out = Vec::new();
        for n in 0..layers {
            let (kk, t, ks) = if n == 0 { (kernel_in, "A", vec![0, 1]) } else { (k, "B", vec![2, 3]) };
            let detail = format!("vertical stack {kk}×{kk} (rows above only); horizontal stack 1×{kk} mask {t}; 1×1 link vertical → horizontal; gates tanh(f) × sigmoid(g){cond}; 1×1 mask B out");
            out.push(block(format!("layers.{n}"), "gated", detail, (if n == 0 { meta.channels } else { hid }, hid), n > 0, ks));
        }
        Ok((out, hid))
    }
}
