//! Diagonal BiLSTM in image coordinates. The training code skews the map so diagonals become
//! columns; un-skewed, the left-to-right state at (i, j) comes from the states at (i-1, j) and
//! (i, j-1) (its cell from (i, j-1)), zero outside the image, which is what zeroing the skewed
//! padding does. The right-to-left direction mirrors it with (i-1, j) and (i, j+1) and is read
//! one row down, so row i sees only finished rows of it. The cached sampler computes the
//! left-to-right direction per pixel and the right-to-left row i-1 of every layer when row i starts.

use super::conv::{add, Conv, Map, Mask};
use super::head::Head;
use super::lstm::{cell, LstmGates};
use super::{Activations, Layered};
use crate::error::Result;
use crate::masks::MaskType::{A, B};
use crate::metadata::ModelMeta;
use crate::model_file::ModelFile;

/// One direction of one layer.
struct Direction {
    /// Input to state: 1x1, mask B, with bias.
    is_conv: Conv,
    /// State to state, split from the 2x1 kernel: row 0 reads the state above, row 1 the state
    /// beside (left for left-to-right, right for right-to-left).
    ss_up: Conv,
    ss_side: Conv,
}

impl Direction {
    fn load(file: &ModelFile, prefix: &str, hid: usize, colours: usize) -> Result<Self> {
        let raw = file.weight(&format!("{prefix}.ss_conv.weight"), &[4 * hid, hid, 2, 1])?;
        // [out][in][ky][1] -> one [out][in][1][1] kernel per ky.
        let row = |y: usize| -> Vec<f32> { raw.iter().skip(y).step_by(2).copied().collect() };
        let one = |w: Vec<f32>| Conv::from_raw(&w, vec![0.0; 4 * hid], hid, 4 * hid, 1, 1, Mask::None);
        Ok(Self {
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
            ss_up: one(row(0)),
            ss_side: one(row(1)),
        })
    }

    /// State and cell at a position from its input and its neighbours' states (None = outside).
    fn step(&self, x: &[f32], up: Option<&[f32]>, side: Option<(&[f32], &[f32])>) -> (Vec<f32>, Vec<f32>) {
        let gates = self.pre_gates(x, up, side.map(|(h, _)| h));
        let n = gates.len();
        let (mut h, mut c) = (vec![0.0; n / 4], vec![0.0; n / 4]);
        cell(&gates, side.map(|(_, c)| c), &mut h, &mut c);
        (h, c)
    }

    /// Gate pre-activations [o, f, i, g] from the input and the neighbours' states.
    fn pre_gates(&self, x: &[f32], up: Option<&[f32]>, side: Option<&[f32]>) -> Vec<f32> {
        let n = self.is_conv.out_ch;
        let mut gates = vec![0.0; n];
        self.is_conv.pointwise(x, &mut gates);
        let mut ss = vec![0.0; n];
        if let Some(u) = up {
            self.ss_up.pointwise(u, &mut ss);
            add(&mut gates, &ss);
        }
        if let Some(s) = side {
            self.ss_side.pointwise(s, &mut ss);
            add(&mut gates, &ss);
        }
        gates
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
    pub fn load(file: &ModelFile, meta: &ModelMeta) -> Result<Self> {
        let (hid, c) = (meta.config_usize("hidden")?, meta.channels);
        let mut layers = Vec::new();
        for l in 0..meta.config_usize("layers")? {
            let p = format!("layers.{l}");
            layers.push(Layer {
                lr: Direction::load(file, &format!("{p}.lr"), hid, c)?,
                rl: Direction::load(file, &format!("{p}.rl"), hid, c)?,
                out: Conv::load(file, &format!("{p}.out"), hid, hid, 1, 1, Mask::Raster(B, c), true)?,
            });
        }
        let k_in = meta.config_usize("kernel_in")?;
        Ok(Self {
            h: meta.height,
            w: meta.width,
            colours: c,
            hidden: hid,
            conv_in: Conv::load(file, "conv_in", c, hid, k_in, k_in, Mask::Raster(A, c), true)?,
            layers,
            head: Head::load(file, hid, meta.config_usize("out_hidden")?, meta.levels, c)?,
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

    /// Layer `l`'s output at p: x + out(lr(i, j) + rl(i-1, j)), rl being zero above row 0.
    fn out_at(&self, l: usize, m: &mut Maps, p: usize) {
        let mut v = m.lr[l].h.at(p).to_vec();
        if p >= self.w {
            add(&mut v, m.rl[l].h.at(p - self.w));
        }
        let (before, after) = m.stream.split_at_mut(l + 1);
        let out = after[0].at_mut(p);
        self.layers[l].out.pointwise(&v, out);
        add(out, before[l].at(p));
    }
}

impl Activations for Maps {
    fn image(&mut self) -> &mut Map {
        &mut self.image
    }

    fn last(&self) -> &Map {
        self.stream.last().expect("the stream has one map more than there are layers")
    }
}

impl Layered for DiagBiLstm {
    type Maps = Maps;
    type Context = ();

    fn maps(&self) -> Maps {
        let (h, w, hid, n) = (self.h, self.w, self.hidden, self.layers.len());
        let states = || States {
            h: Map::new(h, w, hid),
            c: Map::new(h, w, hid),
        };
        Maps {
            image: Map::new(h, w, self.colours),
            stream: (0..=n).map(|_| Map::new(h, w, hid)).collect(),
            lr: (0..n).map(|_| states()).collect(),
            rl: (0..n).map(|_| states()).collect(),
        }
    }

    fn context(&self, _label: Option<usize>) {}

    fn all_layers(&self, _: &(), m: &mut Maps) {
        let hw = self.h * self.w;
        for p in 0..hw {
            self.conv_in.at(&m.image, p, m.stream[0].at_mut(p));
        }
        for l in 0..self.layers.len() {
            for p in 0..hw {
                self.lr_at(l, m, p);
            }
            for i in 0..self.h {
                self.rl_row(l, m, i);
            }
            for p in 0..hw {
                self.out_at(l, m, p);
            }
        }
    }

    /// Left-to-right states at p; when a row starts, the right-to-left states of the row above
    /// (final in every layer's input by then).
    fn layers_at(&self, _: &(), m: &mut Maps, p: usize) {
        let (i, j) = (p / self.w, p % self.w);
        if j == 0 && i > 0 {
            for l in 0..self.layers.len() {
                self.rl_row(l, m, i - 1);
            }
        }
        self.conv_in.at(&m.image, p, m.stream[0].at_mut(p));
        for l in 0..self.layers.len() {
            self.lr_at(l, m, p);
            self.out_at(l, m, p);
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
                LstmGates::from_pre(l, "left-to-right", &self.layers[l].lr.pre_gates(m.stream[l].at(p), up, side))
            })
            .collect()
    }
}
