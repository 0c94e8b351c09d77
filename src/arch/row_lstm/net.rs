//! Row LSTM: kxk mask-A convolution, then layers whose state at (i, j) comes from the layer input
//! at (i, j-1..j) (1xk mask-B convolution) and the row above's states at (i-1, j-1..j+1) (1xk
//! convolution), then the head. A pixel's state needs only finished rows and its own left part,
//! so the cached sampler computes each layer at one position per pixel.

use std::ops::Range;

use crate::engine::native::conv::{add, widened, Conv, Map, Mask};
use crate::head::Head;
use crate::engine::native::scratch::Scratch;
use crate::engine::native::lstm::{cell, LstmGates};
use crate::engine::native::{Activations, Layered};
use crate::engine::Labels;
use super::Config;
use crate::error::Result;
use crate::masks::MaskType::{A, B};
use crate::metadata::ModelMeta;
use crate::model_file::ModelFile;

struct Layer {
    /// Input to state: 1xk, mask B, with bias.
    is_conv: Conv,
    /// State to state over the row above: 1xk, unmasked, no bias.
    ss_conv: Conv,
    /// 1x1 mask B back to the residual stream.
    out: Conv,
}

pub struct RowLstm {
    h: usize,
    w: usize,
    colours: usize,
    hidden: usize,
    conv_in: Conv,
    layers: Vec<Layer>,
    head: Head,
}

impl RowLstm {
    pub fn load(file: &ModelFile, meta: &ModelMeta, config: &Config) -> Result<Self> {
        let Config { hidden: hid, kernel_in: k_in, kernel: k, .. } = *config;
        let c = meta.channels;
        let mut layers = Vec::new();
        for l in 0..config.layers {
            let p = format!("layers.{l}");
            layers.push(Layer {
                is_conv: Conv::load(file, &format!("{p}.is_conv"), hid, 4 * hid, 1, k, Mask::Raster(B, c), true)?,
                ss_conv: Conv::load(file, &format!("{p}.ss_conv"), hid, 4 * hid, 1, k, Mask::None, false)?,
                out: Conv::load(file, &format!("{p}.out"), hid, hid, 1, 1, Mask::Raster(B, c), true)?,
            });
        }
        Ok(Self {
            h: meta.height,
            w: meta.width,
            colours: c,
            hidden: hid,
            conv_in: Conv::load(file, "conv_in", c, hid, k_in, k_in, Mask::Raster(A, c), true)?,
            layers,
            head: crate::head::load(file, meta, hid, config.out_hidden)?,
        })
    }

    /// Layer `l`'s gate pre-activations over `p0..p1` (within one row): input-to-state there plus
    /// state-to-state over the row above.
    fn pre_gates(&self, l: usize, m: &Maps, p0: usize, p1: usize) -> Scratch {
        let layer = &self.layers[l];
        let mut gates = Scratch::zeroed((p1 - p0) * m.image.n * 4 * self.hidden);
        layer.is_conv.span(&m.stream[l], p0, p1, &mut gates);
        if p0 >= self.w {
            let mut ss = Scratch::zeroed(gates.len());
            layer.ss_conv.span(&m.state[l], p0 - self.w, p1 - self.w, &mut ss);
            add(&mut gates, &ss);
        }
        gates
    }

    /// Layer `l` over positions `p0..p1` of one row: states and cells there, and the stream after it.
    fn layer_span(&self, l: usize, m: &mut Maps, p0: usize, p1: usize) {
        let (layer, w) = (&self.layers[l], self.w);
        let gates = self.pre_gates(l, m, p0, p1);
        let stride = m.image.n * self.hidden;
        let (above, here) = m.cell[l].data.split_at_mut(p0 * stride);
        let c_prev = (p0 >= w).then(|| &above[(p0 - w) * stride..(p1 - w) * stride]);
        cell(self.hidden, &gates, c_prev, m.state[l].span_mut(p0, p1), &mut here[..(p1 - p0) * stride]);
        let (before, after) = m.stream.split_at_mut(l + 1);
        let out = after[0].span_mut(p0, p1);
        layer.out.pointwise(m.state[l].span(p0, p1), out);
        add(out, before[l].span(p0, p1));
    }
}

pub struct Maps {
    image: Map,
    /// The residual stream before layer 0, after layer 0, ...
    stream: Vec<Map>,
    /// Each layer's LSTM hidden state and cell.
    state: Vec<Map>,
    cell: Vec<Map>,
}

impl Activations for Maps {
    fn image(&mut self) -> &mut Map {
        &mut self.image
    }

    fn pixels(&self) -> &Map {
        &self.image
    }

    fn last(&self) -> &Map {
        self.stream.last().expect("the stream has one map more than there are layers")
    }

    fn widened(&self, n: usize, upto: usize) -> Self {
        Maps {
            image: self.image.widened(n, upto),
            stream: widened(&self.stream, n, upto),
            state: widened(&self.state, n, upto),
            cell: widened(&self.cell, n, upto),
        }
    }
}

impl Layered for RowLstm {
    type Maps = Maps;
    type Context = ();

    fn maps(&self, n: usize) -> Maps {
        let (h, w, hid, layers) = (self.h, self.w, self.hidden, self.layers.len());
        Maps {
            image: Map::new(h, w, n, self.colours),
            stream: (0..=layers).map(|_| Map::new(h, w, n, hid)).collect(),
            state: (0..layers).map(|_| Map::new(h, w, n, hid)).collect(),
            cell: (0..layers).map(|_| Map::new(h, w, n, hid)).collect(),
        }
    }

    fn context(&self, _labels: &Labels) {}

    /// conv_in over the whole image, then each layer a row at a time (a row reads the row above).
    fn all_layers(&self, _: &(), m: &mut Maps) {
        let hw = self.h * self.w;
        self.conv_in.span(&m.image, 0, hw, m.stream[0].span_mut(0, hw));
        for l in 0..self.layers.len() {
            for i in 0..self.h {
                self.layer_span(l, m, i * self.w, (i + 1) * self.w);
            }
        }
    }

    fn layers_at(&self, _: &(), m: &mut Maps, p: usize, _groups: Range<usize>) {
        self.conv_in.at(&m.image, p, m.stream[0].at_mut(p));
        for l in 0..self.layers.len() {
            self.layer_span(l, m, p, p + 1);
        }
    }

    fn head(&self) -> &Head {
        &self.head
    }

    fn gates(&self, _: &(), m: &Maps, p: usize) -> Vec<LstmGates> {
        let first = 4 * self.hidden; // the first image's row
        (0..self.layers.len())
            .map(|l| LstmGates::from_pre(l, "rows", &self.pre_gates(l, m, p, p + 1)[..first]))
            .collect()
    }
}
