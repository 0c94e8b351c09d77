//! Diagonal BiLSTM in image coordinates. The training code skews the map so diagonals become
//! columns; un-skewed, the left-to-right state at (i, j) comes from the states at (i-1, j) and
//! (i, j-1) (its cell from (i, j-1)), zero outside the image, which is what zeroing the skewed
//! padding does. The right-to-left direction mirrors it with (i-1, j) and (i, j+1) and is read
//! one row down, so row i sees only finished rows of it. The cached sampler computes the
//! left-to-right direction per pixel and the right-to-left row i-1 of every layer when row i starts.

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

/// One direction of one layer.
struct Direction {
    hidden: usize,
    /// Input to state: 1x1, mask B, with bias.
    is_conv: Conv,
    /// State to state: the 2x1 kernel as one 1x1 over [state above | state beside] (beside = left
    /// for left-to-right, right for right-to-left).
    ss: Conv,
}

impl Direction {
    fn load(file: &ModelFile, prefix: &str, hid: usize, colours: usize) -> Result<Self> {
        let raw = file.weight(&format!("{prefix}.ss_conv.weight"), &[4 * hid, hid, 2, 1])?;
        // [out][in][ky][1] -> [out][ky * hid + in][1][1].
        let mut stacked = vec![0.0; raw.len()];
        for o in 0..4 * hid {
            for i in 0..hid {
                for y in 0..2 {
                    stacked[o * 2 * hid + y * hid + i] = raw[(o * hid + i) * 2 + y];
                }
            }
        }
        Ok(Self {
            hidden: hid,
            is_conv: Conv::load(
                file,
                &format!("{prefix}.is_conv"),
                hid,
                4 * hid,
                1,
                1,
                Mask::Raster(B, colours),
                true,
            )?,
            ss: Conv::from_raw(&stacked, vec![0.0; 4 * hid], 2 * hid, 4 * hid, 1, 1, Mask::None),
        })
    }

    /// States and cells for rows of inputs from their neighbours' states (None = outside).
    fn step(&self, x: &[f32], up: Option<&[f32]>, side: Option<(&[f32], &[f32])>) -> (Vec<f32>, Vec<f32>) {
        let gates = self.pre_gates(x, up, side.map(|(h, _)| h));
        let (mut h, mut c) = (vec![0.0; x.len()], vec![0.0; x.len()]);
        cell(self.hidden, &gates, side.map(|(_, c)| c), &mut h, &mut c);
        (h, c)
    }

    /// Gate pre-activations [o, f, i, g] per row from the inputs and the neighbours' states.
    fn pre_gates(&self, x: &[f32], up: Option<&[f32]>, side: Option<&[f32]>) -> Vec<f32> {
        let mut gates = vec![0.0; 4 * x.len()];
        self.is_conv.pointwise(x, &mut gates);
        let mut ss = vec![0.0; gates.len()];
        self.ss.pointwise(&self.beside(x.len() / self.hidden, up, side), &mut ss);
        add(&mut gates, &ss);
        gates
    }

    /// Rows of [state above | state beside], zero outside the image.
    fn beside(&self, rows: usize, up: Option<&[f32]>, side: Option<&[f32]>) -> Vec<f32> {
        let hid = self.hidden;
        let mut cat = vec![0.0; rows * 2 * hid];
        for (r, row) in cat.chunks_exact_mut(2 * hid).enumerate() {
            if let Some(u) = up {
                row[..hid].copy_from_slice(&u[r * hid..(r + 1) * hid]);
            }
            if let Some(s) = side {
                row[hid..].copy_from_slice(&s[r * hid..(r + 1) * hid]);
            }
        }
        cat
    }

    /// The whole direction over the image, one anti-diagonal at a time (the positions of a
    /// diagonal depend only on the one before): one matrix product per diagonal for every
    /// position on it. `dx` is -1 for left-to-right (the side state is on the left), +1 otherwise.
    fn sweep(&self, x: &Map, states: &mut States, dx: isize) {
        let (h, w, n, hid) = (x.h, x.w, x.n, self.hidden);
        let mut pre_in = vec![0.0; x.data.len() * 4];
        self.is_conv.pointwise(&x.data, &mut pre_in);
        let stride = n * hid;
        for d in 0..h + w - 1 {
            let cells: Vec<(usize, usize)> = (d.saturating_sub(w - 1)..=d.min(h - 1))
                .map(|i| (i, if dx < 0 { d - i } else { w - 1 - (d - i) }))
                .collect();
            let rows = cells.len() * n;
            let (mut cat, mut c_prev) = (vec![0.0; rows * 2 * hid], vec![0.0; rows * hid]);
            let mut gates = Vec::with_capacity(rows * 4 * hid);
            for (k, &(i, j)) in cells.iter().enumerate() {
                let p = i * w + j;
                gates.extend_from_slice(&pre_in[p * 4 * stride..(p + 1) * 4 * stride]);
                let js = j as isize + dx;
                for b in 0..n {
                    let row = &mut cat[(k * n + b) * 2 * hid..(k * n + b + 1) * 2 * hid];
                    if i > 0 {
                        row[..hid].copy_from_slice(&states.h.at(p - w)[b * hid..(b + 1) * hid]);
                    }
                    if js >= 0 && (js as usize) < w {
                        let q = i * w + js as usize;
                        row[hid..].copy_from_slice(&states.h.at(q)[b * hid..(b + 1) * hid]);
                        c_prev[(k * n + b) * hid..(k * n + b + 1) * hid].copy_from_slice(&states.c.at(q)[b * hid..(b + 1) * hid]);
                    }
                }
            }
            let mut ss = vec![0.0; gates.len()];
            self.ss.pointwise(&cat, &mut ss);
            add(&mut gates, &ss);
            let (mut hs, mut cs) = (vec![0.0; rows * hid], vec![0.0; rows * hid]);
            cell(hid, &gates, Some(&c_prev), &mut hs, &mut cs);
            for (k, &(i, j)) in cells.iter().enumerate() {
                let p = i * w + j;
                states.h.at_mut(p).copy_from_slice(&hs[k * stride..(k + 1) * stride]);
                states.c.at_mut(p).copy_from_slice(&cs[k * stride..(k + 1) * stride]);
            }
        }
    }
}

struct Layer {
    lr: Direction,
    rl: Direction,
    /// 1x1 mask B from lr + shifted rl back to the residual stream.
    out: Conv,
}

pub struct DiagBiLstm {
    h: usize,
    w: usize,
    colours: usize,
    hidden: usize,
    conv_in: Conv,
    layers: Vec<Layer>,
    head: Head,
}

/// One direction's states and cells for one layer.
struct States {
    h: Map,
    c: Map,
}

pub struct Maps {
    image: Map,
    /// The residual stream before layer 0, after layer 0, ...
    stream: Vec<Map>,
    lr: Vec<States>,
    rl: Vec<States>,
}

impl DiagBiLstm {
    pub fn load(file: &ModelFile, meta: &ModelMeta, config: &Config) -> Result<Self> {
        let (hid, c) = (config.hidden, meta.channels);
        let mut layers = Vec::new();
        for l in 0..config.layers {
            let p = format!("layers.{l}");
            layers.push(Layer {
                lr: Direction::load(file, &format!("{p}.lr"), hid, c)?,
                rl: Direction::load(file, &format!("{p}.rl"), hid, c)?,
                out: Conv::load(file, &format!("{p}.out"), hid, hid, 1, 1, Mask::Raster(B, c), true)?,
            });
        }
        let k_in = config.kernel_in;
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

    /// Layer `l`'s left-to-right state at p, from (i-1, j) and (i, j-1).
    fn lr_at(&self, l: usize, m: &mut Maps, p: usize) {
        let (i, j) = (p / self.w, p % self.w);
        let s = &m.lr[l];
        let up = (i > 0).then(|| s.h.at(p - self.w));
        let side = (j > 0).then(|| (s.h.at(p - 1), s.c.at(p - 1)));
        let (h, c) = self.layers[l].lr.step(m.stream[l].at(p), up, side);
        m.lr[l].h.at_mut(p).copy_from_slice(&h);
        m.lr[l].c.at_mut(p).copy_from_slice(&c);
    }

    /// Layer `l`'s right-to-left states along row i, from (i-1, j) and (i, j+1); needs the
    /// layer's whole input row i.
    fn rl_row(&self, l: usize, m: &mut Maps, i: usize) {
        for j in (0..self.w).rev() {
            let p = i * self.w + j;
            let s = &m.rl[l];
            let up = (i > 0).then(|| s.h.at(p - self.w));
            let side = (j + 1 < self.w).then(|| (s.h.at(p + 1), s.c.at(p + 1)));
            let (h, c) = self.layers[l].rl.step(m.stream[l].at(p), up, side);
            m.rl[l].h.at_mut(p).copy_from_slice(&h);
            m.rl[l].c.at_mut(p).copy_from_slice(&c);
        }
    }

    /// Layer `l`'s output over `p0..p1`: x + out(lr(i, j) + rl(i-1, j)), rl being zero above row 0.
    fn out_span(&self, l: usize, m: &mut Maps, p0: usize, p1: usize) {
        let mut v = Scratch::copy(m.lr[l].h.span(p0, p1));
        let stride = m.image.n * self.hidden;
        let from = p0.max(self.w); // the first position with a row above
        if from < p1 {
            add(&mut v[(from - p0) * stride..], m.rl[l].h.span(from - self.w, p1 - self.w));
        }
        let (before, after) = m.stream.split_at_mut(l + 1);
        let out = after[0].span_mut(p0, p1);
        self.layers[l].out.pointwise(&v, out);
        add(out, before[l].span(p0, p1));
    }
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
        let states = |s: &[States]| s.iter().map(|s| States { h: s.h.widened(n, upto), c: s.c.widened(n, upto) }).collect();
        Maps { image: self.image.widened(n, upto), stream: widened(&self.stream, n, upto), lr: states(&self.lr), rl: states(&self.rl) }
    }
}

impl Layered for DiagBiLstm {
    type Maps = Maps;
    type Context = ();

    fn maps(&self, n: usize) -> Maps {
        let (h, w, hid, layers) = (self.h, self.w, self.hidden, self.layers.len());
        let states = || States {
            h: Map::new(h, w, n, hid),
            c: Map::new(h, w, n, hid),
        };
        Maps {
            image: Map::new(h, w, n, self.colours),
            stream: (0..=layers).map(|_| Map::new(h, w, n, hid)).collect(),
            lr: (0..layers).map(|_| states()).collect(),
            rl: (0..layers).map(|_| states()).collect(),
        }
    }

    fn context(&self, _labels: &Labels) {}

    fn all_layers(&self, _: &(), m: &mut Maps) {
        let hw = self.h * self.w;
        self.conv_in.span(&m.image, 0, hw, m.stream[0].span_mut(0, hw));
        for l in 0..self.layers.len() {
            self.layers[l].lr.sweep(&m.stream[l], &mut m.lr[l], -1);
            self.layers[l].rl.sweep(&m.stream[l], &mut m.rl[l], 1);
            self.out_span(l, m, 0, hw);
        }
    }

    /// Left-to-right states at p; when a row starts, the right-to-left states of the row above
    /// (final in every layer's input by then).
    fn layers_at(&self, _: &(), m: &mut Maps, p: usize, groups: Range<usize>) {
        let (i, j) = (p / self.w, p % self.w);
        if j == 0 && i > 0 && groups.start == 0 {
            for l in 0..self.layers.len() {
                self.rl_row(l, m, i - 1);
            }
        }
        self.conv_in.at(&m.image, p, m.stream[0].at_mut(p));
        for l in 0..self.layers.len() {
            self.lr_at(l, m, p);
            self.out_span(l, m, p, p + 1);
        }
    }

    fn head(&self) -> &Head {
        &self.head
    }

    /// The left-to-right LSTM of each layer (the right-to-left states of a row are computed a row later).
    fn gates(&self, _: &(), m: &Maps, p: usize) -> Vec<LstmGates> {
        let (i, j) = (p / self.w, p % self.w);
        (0..self.layers.len())
            .map(|l| {
                let s = &m.lr[l];
                let up = (i > 0).then(|| s.h.at(p - self.w));
                let side = (j > 0).then(|| s.h.at(p - 1));
                let pre = self.layers[l].lr.pre_gates(m.stream[l].at(p), up, side);
                LstmGates::from_pre(l, "left-to-right", &pre[..4 * self.hidden]) // the first image
            })
            .collect()
    }
}
