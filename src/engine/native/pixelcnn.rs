//! PixelCNN: kxk mask-A convolution, residual blocks (1x1, kxk mask B, 1x1), two 1x1 outputs.

use std::sync::Arc;

use super::conv::{add, relu, Conv, Map, Mask};
use super::head::Head;
use super::{load_pixel, Net, NetCache};
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
        let (k_in, k, out_hidden) = (meta.config_usize("kernel_in")?, meta.config_usize("kernel")?, meta.config_usize("out_hidden")?);
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

    fn maps(&self) -> Maps {
        let (h, w, hid) = (self.h, self.w, self.hidden);
        Maps {
            image: Map::new(h, w, self.colours),
            stream: (0..=self.blocks.len()).map(|_| Map::new(h, w, 2 * hid)).collect(),
            inner: (0..self.blocks.len()).map(|_| Map::new(h, w, hid)).collect(),
        }
    }

    /// Block `b`'s first 1x1 at position p: relu(conv1(relu(x))).
    fn inner_at(&self, b: usize, x: &[f32], out: &mut [f32]) {
        let mut v = x.to_vec();
        relu(&mut v);
        self.blocks[b][0].pointwise(&v, out);
        relu(out);
    }

    /// Block `b`'s kxk and last 1x1 at position p, added to the stream.
    fn outer_at(&self, b: usize, inner: &Map, x: &[f32], p: usize, out: &mut [f32]) {
        let mut mid = vec![0.0; self.hidden];
        self.blocks[b][1].at(inner, p, &mut mid);
        relu(&mut mid);
        self.blocks[b][2].pointwise(&mid, out);
        add(out, x);
    }

}

struct Maps {
    image: Map,
    /// The residual stream before block 0, after block 0, ...
    stream: Vec<Map>,
    /// Each block's relu(conv1(relu(x))), read by its kxk convolution.
    inner: Vec<Map>,
}

impl Net for PixelCnn {
    fn forward(&self, pixels: &[f32], _label: Option<usize>) -> Vec<f32> {
        let mut m = self.maps();
        let hw = self.h * self.w;
        for p in 0..hw {
            load_pixel(pixels, &mut m.image, p);
        }
        for p in 0..hw {
            self.conv_in.at(&m.image, p, m.stream[0].at_mut(p));
        }
        for b in 0..self.blocks.len() {
            for p in 0..hw {
                let x = m.stream[b].at(p).to_vec();
                self.inner_at(b, &x, m.inner[b].at_mut(p));
            }
            for p in 0..hw {
                let x = m.stream[b].at(p).to_vec();
                let mut out = vec![0.0; 2 * self.hidden];
                self.outer_at(b, &m.inner[b], &x, p, &mut out);
                m.stream[b + 1].at_mut(p).copy_from_slice(&out);
            }
        }
        let last = &m.stream[self.blocks.len()];
        (0..hw).flat_map(|p| self.head.at(last.at(p))).collect()
    }

    fn cache(self: Arc<Self>, _label: Option<usize>) -> Box<dyn NetCache> {
        let maps = self.maps();
        Box::new(PixelCnnCache { net: self, maps })
    }
}

struct PixelCnnCache {
    net: Arc<PixelCnn>,
    maps: Maps,
}

impl NetCache for PixelCnnCache {
    /// Every layer at p only: conv_in, then each block's three convolutions, then the head.
    fn image_mut(&mut self) -> &mut Map {
        &mut self.maps.image
    }

    fn position(&mut self, pixels: &[f32], p: usize) -> Vec<f32> {
        let (net, m) = (&*self.net, &mut self.maps);
        load_pixel(pixels, &mut m.image, p);
        net.conv_in.at(&m.image, p, m.stream[0].at_mut(p));
        let mut out = vec![0.0; 2 * net.hidden];
        for b in 0..net.blocks.len() {
            let x = m.stream[b].at(p).to_vec();
            net.inner_at(b, &x, m.inner[b].at_mut(p));
            net.outer_at(b, &m.inner[b], &x, p, &mut out);
            m.stream[b + 1].at_mut(p).copy_from_slice(&out);
        }
        net.head.at(m.stream[net.blocks.len()].at(p))
    }
}
