//! Feature maps for a batch of images (position-major) and masked convolutions evaluated over a
//! span of positions as one matrix product: the same primitive serves the full forward (all
//! positions at once) and the cached sampler (one position, every image of the batch).

use std::ops::Range;

use rayon::prelude::*;

use super::gemm::{gemm, gemm_cols, gemm_strided};
use super::scratch::Scratch;
use crate::error::Result;
use crate::masks::{context_mask, gate_pair_mask, raster_mask, vertical_mask, MaskType};
use crate::model_file::ModelFile;

/// An H x W map of `c` channels for `n` images, stored `[position][image][channel]`, so one
/// position of the whole batch is one contiguous `n x c` matrix.
#[derive(Clone)]
pub struct Map {
    pub h: usize,
    pub w: usize,
    pub n: usize,
    pub c: usize,
    pub data: Vec<f32>,
}

impl Map {
    pub fn new(h: usize, w: usize, n: usize, c: usize) -> Self {
        Self {
            h,
            w,
            n,
            c,
            data: vec![0.0; h * w * n * c],
        }
    }

    /// This one-image map for `n` images, each a copy of it at positions `..upto` and zero from
    /// there, as a new map is (a batch whose images were identical so far, forking: the positions
    /// from `upto` on are not computed yet).
    pub fn widened(&self, n: usize, upto: usize) -> Map {
        assert_eq!(self.n, 1, "only a one-image map is widened");
        // Zeros first, as `new` allocates them (natively pages that are zero until written).
        let mut data = vec![0.0; self.data.len() * n];
        for (v, images) in self.data[..upto * self.c].chunks_exact(self.c).zip(data.chunks_exact_mut(n * self.c)) {
            for one in images.chunks_exact_mut(self.c) {
                one.copy_from_slice(v);
            }
        }
        Map { data, n, ..*self }
    }

    /// The position `dy` rows and `dx` columns from `p`, if it is inside the map (else padding).
    pub fn offset(&self, p: usize, (dy, dx): (isize, isize)) -> Option<usize> {
        let (y, x) = ((p / self.w) as isize + dy, (p % self.w) as isize + dx);
        ((0..self.h as isize).contains(&y) && (0..self.w as isize).contains(&x)).then(|| y as usize * self.w + x as usize)
    }

    /// Every image's channels at position `p`: `n x c`.
    pub fn at(&self, p: usize) -> &[f32] {
        self.span(p, p + 1)
    }

    pub fn at_mut(&mut self, p: usize) -> &mut [f32] {
        self.span_mut(p, p + 1)
    }

    /// Positions `p0..p1`, every image: `(p1 - p0) * n x c`.
    pub fn span(&self, p0: usize, p1: usize) -> &[f32] {
        let s = self.n * self.c;
        &self.data[p0 * s..p1 * s]
    }

    pub fn span_mut(&mut self, p0: usize, p1: usize) -> &mut [f32] {
        let s = self.n * self.c;
        &mut self.data[p0 * s..p1 * s]
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
    /// 1x1, reading only the first of `colours` groups: the features that see no channel of the
    /// current pixel (`masks::context_mask`).
    Context(usize),
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
            Mask::Context(colours) => context_mask(out_ch, in_ch, colours),
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

    /// Every image at position `p`: out (`n x out_ch`) = bias + the taps inside the map (zero
    /// padding outside).
    pub fn at(&self, input: &Map, p: usize, out: &mut [f32]) {
        self.span(input, p, p + 1, out);
    }

    /// Positions `p0..p1` of every image: one im2col matrix times the weights (or the map read in
    /// place, for one image along one row), split across threads by positions when there is
    /// enough work.
    pub fn span(&self, input: &Map, p0: usize, p1: usize, out: &mut [f32]) {
        self.span_cols(input, p0, p1, out, &[0..self.out_ch]);
    }

    /// `span` for output channels `cols` only; the other channels of `out` are left as they are.
    pub fn span_cols(&self, input: &Map, p0: usize, p1: usize, out: &mut [f32], cols: &[Range<usize>]) {
        debug_assert_eq!(input.c, self.in_ch);
        debug_assert_eq!(out.len(), (p1 - p0) * input.n * self.out_ch);
        let per_position = input.n * self.taps.len() * self.in_ch * self.out_ch;
        let positions = p1 - p0;
        // Blocks of about ROWS_PER_BLOCK rows bound the im2col buffer and keep it in cache.
        let block = (ROWS_PER_BLOCK / input.n).clamp(1, positions.max(1));
        let block_out = block * input.n * self.out_ch;
        let work = |(i, o): (usize, &mut [f32])| {
            let a = p0 + i * block;
            self.span_serial(input, a, (a + block).min(p1), o, cols);
        };
        if crate::threads::available() > 1 && positions > block && positions * per_position >= PARALLEL_FROM {
            out.par_chunks_mut(block_out).enumerate().for_each(work);
        } else {
            out.chunks_mut(block_out).enumerate().for_each(work);
        }
    }

    fn span_serial(&self, input: &Map, p0: usize, p1: usize, out: &mut [f32], cols: &[Range<usize>]) {
        let rows = (p1 - p0) * input.n;
        self.bias_into(out, cols);
        if self.taps == [(0, 0)] {
            for c in cols {
                gemm_cols(rows, self.in_ch, self.out_ch, c.clone(), input.span(p0, p1), &self.weights, out);
            }
            return;
        }
        if input.n == 1 && p0 / input.w == (p1 - 1) / input.w {
            return self.row_in_place(input, p0, p1, out, cols);
        }
        if p1 == p0 + 1 && self.in_ch >= IN_PLACE_FROM {
            return self.taps_in_place(input, p0, out, cols);
        }
        let k = self.taps.len() * self.in_ch;
        let mut im2col = Scratch::zeroed(rows * k);
        for p in p0..p1 {
            for (t, &tap) in self.taps.iter().enumerate() {
                let Some(q) = input.offset(p, tap) else { continue };
                let src = input.at(q);
                for b in 0..input.n {
                    let row = (p - p0) * input.n + b;
                    im2col[row * k + t * self.in_ch..row * k + (t + 1) * self.in_ch]
                        .copy_from_slice(&src[b * self.in_ch..(b + 1) * self.in_ch]);
                }
            }
        }
        for c in cols {
            gemm_cols(rows, k, self.out_ch, c.clone(), &im2col, &self.weights, out);
        }
    }

    /// One image at positions `p0..p1` along one row of the map (one sampled pixel at batch 1, or
    /// the row of a Gated vertical stack), with no im2col matrix: for a run of taps side by side,
    /// the positions' inputs are rows of one matrix `in_ch` apart, overlapping, so each run is one
    /// product on the map row itself (on a copy of the few values it needs with the zero padding
    /// when it reaches past the map's sides). Runs on rows outside the map are all padding, and are
    /// skipped; the kernels skip zero inputs too, so the bits are those of the im2col product.
    fn row_in_place(&self, input: &Map, p0: usize, p1: usize, out: &mut [f32], cols: &[Range<usize>]) {
        let (w, c, oc) = (input.w as isize, self.in_ch, self.out_ch);
        let (i, j0, m) = ((p0 / input.w) as isize, (p0 % input.w) as isize, p1 - p0);
        let mut t = 0;
        while t < self.taps.len() {
            let (dy, dx) = self.taps[t];
            let mut u = t + 1;
            while u < self.taps.len() && self.taps[u] == (dy, dx + (u - t) as isize) {
                u += 1;
            }
            let (y, x0, x1) = (i + dy, j0 + dx, j0 + dx + (m + u - t - 1) as isize);
            if (0..input.h as isize).contains(&y) {
                // Columns x0..x1 of map row y, the values before column 0 and from column w zero.
                let row = |x: isize| (y * w + x) as usize * c;
                let padded;
                let a = if x0 >= 0 && x1 <= w {
                    &input.data[row(x0)..row(x1)]
                } else {
                    let (inside0, inside1) = (x0.max(0), x1.min(w));
                    let mut v = Scratch::zeroed((x1 - x0) as usize * c);
                    if inside0 < inside1 {
                        v[(inside0 - x0) as usize * c..(inside1 - x0) as usize * c].copy_from_slice(&input.data[row(inside0)..row(inside1)]);
                    }
                    padded = v;
                    &padded[..]
                };
                let weights = &self.weights[t * c * oc..u * c * oc];
                for col in cols {
                    gemm_strided(m, (u - t) * c, c, oc, col.clone(), a, weights, out);
                }
            }
            t = u;
        }
    }

    /// Every image at one position, with no im2col matrix: each tap inside the map is one product
    /// on the map's `n x in_ch` block there, in tap order (the im2col product's order of inputs);
    /// taps outside are padding, skipped as the kernels skip zeros.
    fn taps_in_place(&self, input: &Map, p: usize, out: &mut [f32], cols: &[Range<usize>]) {
        let (c, oc) = (self.in_ch, self.out_ch);
        for (t, &tap) in self.taps.iter().enumerate() {
            let Some(q) = input.offset(p, tap) else { continue };
            let a = input.at(q);
            for col in cols {
                gemm_strided(input.n, c, c, oc, col.clone(), a, &self.weights[t * c * oc..(t + 1) * c * oc], out);
            }
        }
    }

    /// Each row of `out` starts from the bias, in columns `cols`.
    fn bias_into(&self, out: &mut [f32], cols: &[Range<usize>]) {
        for row in out.chunks_exact_mut(self.out_ch) {
            for c in cols {
                row[c.clone()].copy_from_slice(&self.bias[c.clone()]);
            }
        }
    }

    /// The same convolution with its outputs reordered: output `j` is the old output `order[j]`.
    pub fn outputs_in(mut self, order: &[usize]) -> Conv {
        debug_assert_eq!(order.len(), self.out_ch);
        let old = std::mem::take(&mut self.weights);
        self.weights = old.chunks_exact(self.out_ch).flat_map(|row| order.iter().map(|&o| row[o])).collect();
        self.bias = order.iter().map(|&o| self.bias[o]).collect();
        self
    }

    /// The 1x1 convolution of outputs `o0..o1` only, with their weights and biases as they are.
    pub fn outputs(&self, o0: usize, o1: usize) -> Conv {
        debug_assert_eq!(self.taps.len(), 1);
        Conv {
            in_ch: self.in_ch,
            out_ch: o1 - o0,
            taps: self.taps.clone(),
            weights: self.weights.chunks_exact(self.out_ch).flat_map(|row| row[o0..o1].iter().copied()).collect(),
            bias: self.bias[o0..o1].to_vec(),
        }
    }

    /// A 1x1 convolution on rows of vectors: `v` is `rows x in_ch`, `out` is `rows x out_ch`.
    pub fn pointwise(&self, v: &[f32], out: &mut [f32]) {
        debug_assert_eq!(self.taps.len(), 1);
        for row in out.chunks_exact_mut(self.out_ch) {
            row.copy_from_slice(&self.bias);
        }
        gemm(v.len() / self.in_ch, self.in_ch, self.out_ch, v, &self.weights, out);
    }

    /// `pointwise` for output channels `cols` only; the others are left as they are.
    pub fn pointwise_cols(&self, v: &[f32], out: &mut [f32], cols: &[Range<usize>]) {
        debug_assert_eq!(self.taps.len(), 1);
        self.bias_into(out, cols);
        for c in cols {
            gemm_cols(v.len() / self.in_ch, self.in_ch, self.out_ch, c.clone(), v, &self.weights, out);
        }
    }
}

/// Input channels from which a batch at one position multiplies tap by tap on the map rather than
/// through an im2col copy (a tap of a few channels is too short a product).
const IN_PLACE_FROM: usize = 16;

/// Rows (positions x images) per matrix product in a long span.
const ROWS_PER_BLOCK: usize = 256;

/// Multiply-adds in one call from which the positions are split across threads: below it the
/// join costs more than it saves.
const PARALLEL_FROM: usize = 1 << 20;

/// Each one-image map widened to `n` images (`Map::widened`).
pub fn widened(maps: &[Map], n: usize, upto: usize) -> Vec<Map> {
    maps.iter().map(|m| m.widened(n, upto)).collect()
}

pub fn relu(v: &mut [f32]) {
    // A comparison, not `f32::max`: in wasm that is a libm call (its NaN rule differs from f32.max).
    for x in v {
        *x = if *x > 0.0 { *x } else { 0.0 };
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
        let mut m = Map::new(3, 3, 1, 1);
        m.data = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
        let mut out = [0.0];
        c.at(&m, 4, &mut out); // centre: 1+2+3+4
        assert_eq!(out[0], 10.5);
        c.at(&m, 0, &mut out); // corner: nothing above or left
        assert_eq!(out[0], 0.5);
    }
}
