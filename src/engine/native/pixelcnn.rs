//! PixelCNN: kxk mask-A convolution, residual blocks (1x1, kxk mask B, 1x1), two 1x1 outputs.

use super::conv::{add, relu, Conv, Map, Mask};
use super::head::Head;
use super::{Activations, Layered};
use crate::error::Result;
use crate::masks::MaskType::{A, B};
use crate::metadata::ModelMeta;
use crate::model_file::ModelFile;

pub struct PixelCnn {
    h: usize,
    w: usize,
    colours: usize,
    hidden: usize,
    conv_in: Conv,
    blocks: Vec<[Conv; 3]>,
    head: Head,
}

impl PixelCnn {
    pub fn load(file: &ModelFile, meta: &ModelMeta) -> Result<Self> {
        let (hid, c) = (meta.config_usize("hidden")?, meta.channels);
        let (k_in, k, out_hidden) = (
            meta.config_usize("kernel_in")?,
            meta.config_usize("kernel")?,
            meta.config_usize("out_hidden")?,
        );
        let rb = |t| Mask::Raster(t, c);
        let mut blocks = Vec::new();
        for b in 0..meta.config_usize("blocks")? {
            let p = format!("blocks.{b}");
            blocks.push([
                Conv::load(file, &format!("{p}.conv1"), 2 * hid, hid, 1, 1, rb(B), true)?,
                Conv::load(file, &format!("{p}.conv2"), hid, hid, k, k, rb(B), true)?,
                Conv::load(file, &format!("{p}.conv3"), hid, 2 * hid, 1, 1, rb(B), true)?,
            ]);
        }
        Ok(Self {
            h: meta.height,
            w: meta.width,
            colours: c,
            hidden: hid,
            conv_in: Conv::load(file, "conv_in", c, 2 * hid, k_in, k_in, rb(A), true)?,
            blocks,
            head: Head::load(file, 2 * hid, out_hidden, meta.levels, c)?,
        })
    }

    /// Block `b`'s first 1x1 at position p: relu(conv1(relu(x))).
    fn inner_at(&self, b: usize, x: &[f32], out: &mut [f32]) {
        let mut v = x.to_vec();
        relu(&mut v);
        self.blocks[b][0].pointwise(&v, out);
        relu(out);
    }

    /// Block `b`'s kxk and last 1x1 at position p, added to the stream into the next stream map.
    fn block_out_at(&self, b: usize, m: &mut Maps, p: usize) {
        let mut mid = vec![0.0; self.hidden];
        self.blocks[b][1].at(&m.inner[b], p, &mut mid);
        relu(&mut mid);
        let (before, after) = m.stream.split_at_mut(b + 1);
        let out = after[0].at_mut(p);
        self.blocks[b][2].pointwise(&mid, out);
        add(out, before[b].at(p));
    }
}

pub struct Maps {
    image: Map,
    /// The residual stream before block 0, after block 0, ...
    stream: Vec<Map>,
    /// Each block's relu(conv1(relu(x))), read by its kxk convolution.
    inner: Vec<Map>,
}

impl Activations for Maps {
    fn image(&mut self) -> &mut Map {
        &mut self.image
    }

    fn last(&self) -> &Map {
        self.stream.last().expect("the stream has one map more than there are blocks")
    }
}

impl Layered for PixelCnn {
    type Maps = Maps;
    type Context = ();

    fn maps(&self) -> Maps {
        let (h, w, hid) = (self.h, self.w, self.hidden);
        Maps {
            image: Map::new(h, w, self.colours),
            stream: (0..=self.blocks.len()).map(|_| Map::new(h, w, 2 * hid)).collect(),
            inner: (0..self.blocks.len()).map(|_| Map::new(h, w, hid)).collect(),
        }
    }

    fn context(&self, _label: Option<usize>) {}

    fn all_layers(&self, _: &(), m: &mut Maps) {
        let hw = self.h * self.w;
        for p in 0..hw {
            self.conv_in.at(&m.image, p, m.stream[0].at_mut(p));
        }
        for b in 0..self.blocks.len() {
            for p in 0..hw {
                let x = m.stream[b].at(p).to_vec();
                self.inner_at(b, &x, m.inner[b].at_mut(p));
            }
            for p in 0..hw {
                self.block_out_at(b, m, p);
            }
        }
    }

    /// conv_in, then each block's three convolutions, at p only.
    fn layers_at(&self, _: &(), m: &mut Maps, p: usize) {
        self.conv_in.at(&m.image, p, m.stream[0].at_mut(p));
        for b in 0..self.blocks.len() {
            let x = m.stream[b].at(p).to_vec();
            self.inner_at(b, &x, m.inner[b].at_mut(p));
            self.block_out_at(b, m, p);
        }
    }

    fn head(&self) -> &Head {
        &self.head
    }
}
