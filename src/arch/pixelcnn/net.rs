//! PixelCNN: kxk mask-A convolution, residual blocks (1x1, kxk mask B, 1x1), two 1x1 outputs.

use std::ops::Range;

use crate::engine::native::conv::{add, relu, widened, Conv, Map, Mask};
use crate::head::Head;
use crate::engine::native::scratch::Scratch;
use crate::engine::native::{Activations, Layered};
use crate::engine::Labels;
use super::Config;
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
    pub fn load(file: &ModelFile, meta: &ModelMeta, config: &Config) -> Result<Self> {
        let Config { hidden: hid, kernel_in: k_in, kernel: k, out_hidden, .. } = *config;
        let c = meta.channels;
        let rb = |t| Mask::Raster(t, c);
        let mut blocks = Vec::new();
        for b in 0..config.blocks {
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
            head: crate::head::load(file, meta, 2 * hid, out_hidden)?,
        })
    }

    /// conv_in, then each block's three convolutions, over positions `p0..p1` of every image,
    /// layer by layer (each layer reads only earlier layers at those and earlier positions).
    fn layers_span(&self, m: &mut Maps, p0: usize, p1: usize) {
        let n = m.image.n;
        self.conv_in.span(&m.image, p0, p1, m.stream[0].span_mut(p0, p1));
        for b in 0..self.blocks.len() {
            let mut x = Scratch::copy(m.stream[b].span(p0, p1));
            relu(&mut x);
            let inner = m.inner[b].span_mut(p0, p1);
            self.blocks[b][0].pointwise(&x, inner);
            relu(inner);
            let mut mid = Scratch::zeroed((p1 - p0) * n * self.hidden);
            self.blocks[b][1].span(&m.inner[b], p0, p1, &mut mid);
            relu(&mut mid);
            let (before, after) = m.stream.split_at_mut(b + 1);
            let out = after[0].span_mut(p0, p1);
            self.blocks[b][2].pointwise(&mid, out);
            add(out, before[b].span(p0, p1));
        }
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

    fn pixels(&self) -> &Map {
        &self.image
    }

    fn last(&self) -> &Map {
        self.stream.last().expect("the stream has one map more than there are blocks")
    }

    fn widened(&self, n: usize, upto: usize) -> Self {
        Maps { image: self.image.widened(n, upto), stream: widened(&self.stream, n, upto), inner: widened(&self.inner, n, upto) }
    }
}

impl Layered for PixelCnn {
    type Maps = Maps;
    type Context = ();

    fn maps(&self, n: usize) -> Maps {
        let (h, w, hid) = (self.h, self.w, self.hidden);
        Maps {
            image: Map::new(h, w, n, self.colours),
            stream: (0..=self.blocks.len()).map(|_| Map::new(h, w, n, 2 * hid)).collect(),
            inner: (0..self.blocks.len()).map(|_| Map::new(h, w, n, hid)).collect(),
        }
    }

    fn context(&self, _labels: &Labels) {}

    fn all_layers(&self, _: &(), m: &mut Maps) {
        self.layers_span(m, 0, self.h * self.w);
    }

    fn layers_at(&self, _: &(), m: &mut Maps, p: usize, _groups: Range<usize>) {
        self.layers_span(m, p, p + 1);
    }

    fn head(&self) -> &Head {
        &self.head
    }
}
