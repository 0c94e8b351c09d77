//! Row LSTM: a kxk mask-A convolution, LSTM layers over rows (input-to-state 1xk mask B,
//! state-to-state 1xk over the row above), the output head.

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

pub struct RowLstm;

impl Architecture for RowLstm {
    fn name(&self) -> &'static str {
        "row_lstm"
    }
    fn title(&self) -> &'static str {
        "Row LSTM"
    }
    fn field_caption(&self) -> &'static str {
        "Row LSTM: a triangle above the pixel, one pixel wider on each side per row up (each state reads three states of the row above) — pixels far to the side of the rows just above are never seen."
    }

    fn native(&self, file: &ModelFile, meta: &ModelMeta) -> Result<Arc<dyn Net>> {
        Ok(Arc::new(net::RowLstm::load(file, meta, &super::config(meta)?)?))
    }

    /// Per layer, backwards: the residual (same position), and each state's 1xk mask-B
    /// input-to-state taps over the states it needs. A state at (i, j) reads the row above's states
    /// at j-k/2..=j+k/2 and its cell at j, which needs the same inputs as the state.
    fn field(&self, meta: &ModelMeta, mut out: Vec<bool>) -> Result<Vec<bool>> {
        let c: Config = super::config(meta)?;
        let (h, w) = (meta.height, meta.width);
        let r = (c.kernel / 2) as isize;
        let above: Vec<(isize, isize)> = (-r..=r).map(|dx| (-1, dx)).collect();
        for _ in 0..c.layers {
            let states = closure(&out, h, w, &above);
            let mut input = dilate(&states, h, w, &raster_taps(meta, (1, c.kernel), B));
            union(&mut input, &out);
            out = input;
        }
        Ok(dilate(&out, h, w, &raster_taps(meta, (c.kernel_in, c.kernel_in), A)))
    }

    /// The state-to-state taps are unmasked; drawn as a 3-row grid around the state they feed.
    fn kernels(&self, meta: &ModelMeta) -> Result<Vec<Value>> {
        let Config { kernel_in: ki, kernel: k, .. } = super::config(meta)?;
        Ok(vec![
            raster_grid(meta, &format!("first layer {ki}x{ki}, mask A"), ki, ki, A),
            raster_grid(meta, &format!("input to state 1x{k}, mask B"), 1, k, B),
            taps(&format!("state to state: {k} states of the row above"), k, &(0..k).map(|x| (0, x)).collect::<Vec<_>>()),
        ])
    }

    fn blocks(&self, meta: &ModelMeta) -> Result<(Vec<Block>, usize)> {
        let Config { hidden: hid, layers, kernel_in, kernel: k, .. } = super::config(meta)?;
        let mut out = vec![conv_in(meta, kernel_in, hid)];
        for n in 0..layers {
            let detail = format!("LSTM over rows: input-to-state 1×{k} mask B, state-to-state 1×{k} over the row above; gates i, f, o, g; 1×1 mask B out");
            out.push(block(format!("layers.{n}"), "lstm", detail, (hid, hid), true, vec![1, 2]));
        }
        Ok((out, hid))
    }
}
