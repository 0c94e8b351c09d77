//! Sets of positions and how kernels and recurrences move them backwards: the pieces every
//! architecture's structural receptive field is composed of.

use crate::masks::{raster_mask, vertical_mask, MaskType};
use crate::metadata::ModelMeta;

/// The offsets (dy, dx) a masked kernel reads, relative to its output position.
fn footprint(mask: &[f32], kh: usize, kw: usize) -> Vec<(isize, isize)> {
    let taps = kh * kw;
    let mut out = Vec::new();
    for y in 0..kh {
        for x in 0..kw {
            if mask.chunks(taps).any(|k| k[y * kw + x] != 0.0) {
                out.push((y as isize - (kh / 2) as isize, x as isize - (kw / 2) as isize));
            }
        }
    }
    out
}

pub fn raster_taps(meta: &ModelMeta, k: (usize, usize), t: MaskType) -> Vec<(isize, isize)> {
    let c = meta.channels;
    footprint(&raster_mask(c, c, k.0, k.1, t, c), k.0, k.1)
}

pub fn vertical_taps(k: usize, t: MaskType) -> Vec<(isize, isize)> {
    footprint(&vertical_mask(1, 1, k, k, t), k, k)
}

/// The position at offset (dy, dx) from p, if inside the h x w image.
fn offset(p: usize, h: usize, w: usize, (dy, dx): (isize, isize)) -> Option<usize> {
    let (y, x) = ((p / w) as isize + dy, (p % w) as isize + dx);
    (y >= 0 && x >= 0 && (y as usize) < h && (x as usize) < w).then(|| y as usize * w + x as usize)
}

/// Positions of the input map an output set reads through `taps` (zero padding outside).
pub fn dilate(set: &[bool], h: usize, w: usize, taps: &[(isize, isize)]) -> Vec<bool> {
    let mut out = vec![false; h * w];
    for p in (0..h * w).filter(|&p| set[p]) {
        for q in taps.iter().filter_map(|&t| offset(p, h, w, t)) {
            out[q] = true;
        }
    }
    out
}

pub fn union(a: &mut [bool], b: &[bool]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x |= *y;
    }
}

/// Every position a set of states reads, transitively, when the state at (i, j) reads the states
/// at (i + dy, j + dx) for each step (zero outside the image, so those read nothing).
pub fn closure(set: &[bool], h: usize, w: usize, steps: &[(isize, isize)]) -> Vec<bool> {
    let mut out = set.to_vec();
    let mut todo: Vec<usize> = (0..h * w).filter(|&p| set[p]).collect();
    while let Some(p) = todo.pop() {
        for q in steps.iter().filter_map(|&t| offset(p, h, w, t)) {
            if !out[q] {
                out[q] = true;
                todo.push(q);
            }
        }
    }
    out
}
