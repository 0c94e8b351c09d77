//! Diagonal BiLSTM: a kxk mask-A convolution, layers of two LSTMs along diagonals (the
//! right-to-left one read a row later), the output head.

mod net;

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use super::field::{closure, dilate, raster_taps, union};
use super::Architecture;
use crate::engine::native::Net;
use crate::error::Result;
use crate::lessons::diagram::{block, conv_in, Block};
use crate::mask_view::{raster_grid, taps};
use crate::masks::MaskType::A;
use crate::metadata::ModelMeta;
use crate::model_file::ModelFile;

/// No "kernel": the state-to-state taps are fixed (above and beside).
#[derive(Deserialize, Clone, Copy, Debug)]
pub struct Config {
    pub hidden: usize,
    pub layers: usize,
    pub kernel_in: usize,
    pub out_hidden: usize,
}

pub struct DiagonalBiLstm;

impl Architecture for DiagonalBiLstm {
    fn name(&self) -> &'static str {
        "diagonal_bilstm"
    }
    fn title(&self) -> &'static str {
        "Diagonal BiLSTM"
    }
    fn field_caption(&self) -> &'static str {
        "Diagonal BiLSTM: all of the context above and to the left, but for a pixel or so at the far right end of the row just above — no triangle, no blind spot."
    }

    fn native(&self, file: &ModelFile, meta: &ModelMeta) -> Result<Arc<dyn Net>> {
        Ok(Arc::new(net::DiagBiLstm::load(file, meta, &super::config(meta)?)?))
    }

    /// Per layer, backwards: the residual, and (1x1 input to state) every state it needs. Output
    /// (i, j) reads left-to-right (i, j), which reads (i-1, j) and (i, j-1), and right-to-left
    /// (i-1, j) (shifted down a row), which reads (i-1, j) and (i, j+1).
    fn field(&self, meta: &ModelMeta, mut out: Vec<bool>) -> Result<Vec<bool>> {
        let c: Config = super::config(meta)?;
        let (h, w) = (meta.height, meta.width);
        for _ in 0..c.layers {
            let mut input = closure(&out, h, w, &[(-1, 0), (0, -1)]);
            let shifted = dilate(&out, h, w, &[(-1, 0)]);
            union(&mut input, &closure(&shifted, h, w, &[(-1, 0), (0, 1)]));
            union(&mut input, &out);
            out = input;
        }
        Ok(dilate(&out, h, w, &raster_taps(meta, (c.kernel_in, c.kernel_in), A)))
    }

    fn kernels(&self, meta: &ModelMeta) -> Result<Vec<Value>> {
        let ki = super::config::<Config>(meta)?.kernel_in;
        Ok(vec![
            raster_grid(meta, &format!("first layer {ki}x{ki}, mask A"), ki, ki, A),
            taps("left-to-right state: above and left", 3, &[(0, 1), (1, 0)]),
            taps("right-to-left state: above and right (read a row later)", 3, &[(0, 1), (1, 2)]),
        ])
    }

    fn blocks(&self, meta: &ModelMeta) -> Result<(Vec<Block>, usize)> {
        let Config { hidden: hid, layers, kernel_in, .. } = super::config(meta)?;
        let mut out = vec![conv_in(meta, kernel_in, hid)];
        for n in 0..layers {
            let detail = "two LSTMs along diagonals: input-to-state 1×1 mask B, state-to-state 2×1 on the skewed map; the right-to-left one shifted down a row; gates i, f, o, g; 1×1 mask B out".to_string();
            out.push(block(format!("layers.{n}"), "lstm", detail, (hid, hid), true, vec![1, 2]));
        }
        Ok((out, hid))
    }
}
