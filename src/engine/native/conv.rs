//! Feature maps (channels last) and masked convolutions evaluated one output position at a time:
//! the same primitive serves the layer-by-layer full forward and the cached sampler.

use crate::error::Result;
use crate::masks::{gate_pair_mask, raster_mask, vertical_mask, MaskType};
use crate::model_file::ModelFile;

/// An H x W map of `c` channels, stored position-major so one position's channels are contiguous.
#[derive(Clone)]
pub struct Map {
    pub h: usize,
    pub w: usize,
    pub c: usize,
    pub data: Vec<f32>,
}

impl Map {
    pub fn new(h: usize, w: usize, c: usize) -> Self {
        Self {
            h,
            w,
            c,
            data: vec![0.0; h * w * c],
        }
    }

    pub fn at(&self, p: usize) -> &[f32] {
        &self.data[p * self.c..(p + 1) * self.c]
    }

    pub fn at_mut(&mut self, p: usize) -> &mut [f32] {
        &mut self.data[p * self.c..(p + 1) * self.c]
    }
}

/// Which mask a convolution's weights get before use (never trusting the file to be pre-masked).
#[derive(Clone, Copy)]
pub enum Mask {
    None,
    Raster(MaskType, usize),
    /// Raster, for a convolution whose output halves meet in a gate (`masks::gate_pair_mask`).
    GatePair(MaskType, usize),
    Vertical(MaskType),
}

/// A convolution with its mask applied and fully masked taps dropped; weights laid out
/// [tap][in][out] so the inner loop runs over contiguous output channels.
pub struct Conv {
    pub in_ch: usize,
    pub out_ch: usize,
    /// (dy, dx) offsets from the output position, one per kept tap.
    pub taps: Vec<(isize, isize)>,
    weights: Vec<f32>,
    bias: Vec<f32>,
}

impl Conv {
    /// Reads `{prefix}.weight` [out, in, kh, kw] and, if `bias`, `{prefix}.bias`.
    pub fn load(file: &ModelFile, prefix: &str, in_ch: usize, out_ch: usize, kh: usize, kw: usize, mask: Mask, bias: bool) -> Result<Self> {
        let raw = file.weight(&format!("{prefix}.weight"), &[out_ch, in_ch, kh, kw])?;
        let bias = if bias {
            file.weight(&format!("{prefix}.bias"), &[out_ch])?
        } else {
            vec![0.0; out_ch]
        };
        Ok(Self::from_raw(&raw, bias, in_ch, out_ch, kh, kw, mask))
    }

    pub fn from_raw(raw: &[f32], bias: Vec<f32>, in_ch: usize, out_ch: usize, kh: usize, kw: usize, mask: Mask) -> Self {
        let m = match mask {
            Mask::None => vec![1.0; raw.len()],
            Mask::Raster(t, colours) => raster_mask(out_ch, in_ch, kh, kw, t, colours),
            Mask::GatePair(t, colours) => gate_pair_mask(out_ch, in_ch, kh, kw, t, colours),
            Mask::Vertical(t) => vertical_mask(out_ch, in_ch, kh, kw, t),
        };
        let (mut taps, mut weights) = (Vec::new(), Vec::new());
        for y in 0..kh {
            for x in 0..kw {
                let idx = |o: usize, i: usize| ((o * in_ch + i) * kh + y) * kw + x;
                if (0..out_ch).all(|o| (0..in_ch).all(|i| m[idx(o, i)] == 0.0)) {
                    continue;
                }
                taps.push((y as isize - (kh / 2) as isize, x as isize - (kw / 2) as isize));
                for i in 0..in_ch {
                    for o in 0..out_ch {
                        weights.push(raw[idx(o, i)] * m[idx(o, i)]);
                    }
                }
            }
        }
        Self {
            in_ch,
            out_ch,
            taps,
            weights,
            bias,
        }
    }

    /// out = bias + sum over taps inside the map (zero padding outside).
    pub fn at(&self, input: &Map, p: usize, out: &mut [f32]) {
        debug_assert_eq!(input.c, self.in_ch);
        out.copy_from_slice(&self.bias);
        let (i, j) = ((p / input.w) as isize, (p % input.w) as isize);
        let block = self.in_ch * self.out_ch;
        for (t, &(dy, dx)) in self.taps.iter().enumerate() {
            let (y, x) = (i + dy, j + dx);
            if y < 0 || x < 0 || y >= input.h as isize || x >= input.w as isize {
                continue;
            }
            let v = input.at(y as usize * input.w + x as usize);
            self.accumulate(v, &self.weights[t * block..(t + 1) * block], out);
        }
    }

    /// A 1x1 convolution on one position's vector.
    pub fn pointwise(&self, v: &[f32], out: &mut [f32]) {
        debug_assert_eq!(self.taps.len(), 1);
        out.copy_from_slice(&self.bias);
        self.accumulate(v, &self.weights, out);
    }

    fn accumulate(&self, v: &[f32], w: &[f32], out: &mut [f32]) {
        for (ci, &x) in v.iter().enumerate() {
            if x == 0.0 {
                continue; // post-ReLU maps are mostly zeros
            }
            let row = &w[ci * self.out_ch..(ci + 1) * self.out_ch];
            for (o, &wv) in out.iter_mut().zip(row) {
                *o += x * wv;
            }
        }
    }
}

pub fn relu(v: &mut [f32]) {
    for x in v {
        *x = x.max(0.0);
    }
}

pub fn add(acc: &mut [f32], v: &[f32]) {
    for (a, b) in acc.iter_mut().zip(v) {
        *a += b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_taps_are_dropped_and_padding_is_zero() {
        // 3x3 mask A keeps the 4 taps above and to the left.
        let c = Conv::from_raw(&[1.0; 9], vec![0.5], 1, 1, 3, 3, Mask::Raster(MaskType::A, 1));
        assert_eq!(c.taps, vec![(-1, -1), (-1, 0), (-1, 1), (0, -1)]);
        let mut m = Map::new(3, 3, 1);
        m.data = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
        let mut out = [0.0];
        c.at(&m, 4, &mut out); // centre: 1+2+3+4
        assert_eq!(out[0], 10.5);
        c.at(&m, 0, &mut out); // corner: nothing above or left
        assert_eq!(out[0], 0.5);
    }
}
