//! Receptive fields: which input pixels the logits at one position depend on, measured by
//! perturbation on any engine, and derived structurally (kernel masks and recurrences) for every
//! architecture.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::masks::{raster_mask, vertical_mask, MaskType};
use crate::metadata::{Arch, ModelMeta};

/// Images per forward call while perturbing.
const BATCH: usize = 64;

/// The images each pixel is perturbed from. A perturbation can miss a real dependence when a ReLU
/// is dead at the base image, so several unlike bases are used and their fields united.
pub fn base_images(meta: &ModelMeta) -> Vec<Vec<f32>> {
    let top = (meta.levels - 1) as f32;
    let noise = |seed: u64, density: f32| -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..meta.image_len())
            .map(|_| {
                if rng.random::<f32>() < density {
                    rng.random_range(1..meta.levels) as f32 / top
                } else {
                    0.0
                }
            })
            .collect()
    };
    vec![vec![0.0; meta.image_len()], noise(1, 0.15), noise(2, 0.5)]
}

/// Consecutive unseen positions perturbed together after the first base image.
const GROUP: usize = 16;

/// True at every pixel whose change alters some logit at (`row`, `col`), for some base image.
/// Outputs are compared bit for bit: a pixel outside the field leaves every operation on the way
/// to (`row`, `col`) identical. On the first base every pixel of the image is perturbed alone (all
/// its channels at once), later positions included, so a dependence on them would show. On later
/// bases only the pixels not yet seen are tested, in groups of consecutive pixels split in halves
/// when the group changes the logits; this assumes two perturbations never cancel exactly.
pub fn receptive_field(engine: &dyn Engine, row: usize, col: usize) -> Result<Vec<bool>> {
    let m = engine.meta().clone();
    let (hw, len) = (m.positions(), m.image_len());
    if row >= m.height || col >= m.width {
        return Err(Error::Input(format!(
            "position ({row}, {col}) is outside the {}x{} image",
            m.height, m.width
        )));
    }
    let target = row * m.width + col;
    let per_image = m.levels * len;
    // The logits at the target, all levels and channels, of image b of a forward's output.
    let at = |out: &[f32], b: usize| -> Vec<f32> { (0..m.levels * m.channels).map(|lc| out[b * per_image + lc * hw + target]).collect() };
    let mut seen = vec![false; hw];
    for (i, base) in base_images(&m).iter().enumerate() {
        let label = (m.classes > 0).then(|| i % m.classes);
        let unseen: Vec<usize> = (0..hw).filter(|&q| !seen[q]).collect();
        let mut groups: Vec<Vec<usize>> = unseen.chunks(if i == 0 { 1 } else { GROUP }).map(<[usize]>::to_vec).collect();
        while !groups.is_empty() {
            let batch: Vec<Vec<usize>> = groups.drain(..groups.len().min(BATCH - 1)).collect();
            // Image 0 of every batch is the base itself, so each comparison is within one call.
            let mut pixels = base.clone();
            for group in &batch {
                let mut image = base.clone();
                for &q in group {
                    for c in 0..m.channels {
                        let v = &mut image[c * hw + q];
                        *v = if *v < 0.5 { 1.0 } else { 0.0 };
                    }
                }
                pixels.extend(image);
            }
            let n = batch.len() + 1;
            let out = engine.forward(&pixels, n, &vec![label; n])?;
            let reference = at(&out, 0);
            for (k, group) in batch.into_iter().enumerate() {
                if at(&out, k + 1) == reference {
                    continue;
                }
                if let [q] = group[..] {
                    seen[q] = true;
                } else {
                    let (a, b) = group.split_at(group.len() / 2);
                    groups.extend([a.to_vec(), b.to_vec()]);
                }
            }
        }
    }
    Ok(seen)
}

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

fn raster_taps(meta: &ModelMeta, k: (usize, usize), t: MaskType) -> Vec<(isize, isize)> {
    let c = meta.channels;
    footprint(&raster_mask(c, c, k.0, k.1, t, c), k.0, k.1)
}

fn vertical_taps(k: usize, t: MaskType) -> Vec<(isize, isize)> {
    footprint(&vertical_mask(1, 1, k, k, t), k, k)
}

/// The position at offset (dy, dx) from p, if inside the h x w image.
fn offset(p: usize, h: usize, w: usize, (dy, dx): (isize, isize)) -> Option<usize> {
    let (y, x) = ((p / w) as isize + dy, (p % w) as isize + dx);
    (y >= 0 && x >= 0 && (y as usize) < h && (x as usize) < w).then(|| y as usize * w + x as usize)
}

/// Positions of the input map an output set reads through `taps` (zero padding outside).
fn dilate(set: &[bool], h: usize, w: usize, taps: &[(isize, isize)]) -> Vec<bool> {
    let mut out = vec![false; h * w];
    for p in (0..h * w).filter(|&p| set[p]) {
        for q in taps.iter().filter_map(|&t| offset(p, h, w, t)) {
            out[q] = true;
        }
    }
    out
}

fn union(a: &mut [bool], b: &[bool]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x |= *y;
    }
}

/// The receptive field the masks allow, composing each layer's kernel footprint backwards from
/// (`row`, `col`): an upper bound on what any weights could make the logits depend on.
pub fn structural_field(meta: &ModelMeta, row: usize, col: usize) -> Result<Vec<bool>> {
    let (h, w) = (meta.height, meta.width);
    if row >= h || col >= w {
        return Err(Error::Input(format!("position ({row}, {col}) is outside the {h}x{w} image")));
    }
    let mut out = vec![false; h * w];
    out[row * w + col] = true;
    // Diagonal BiLSTM has no "kernel": it is read by the architectures that have one.
    let k_in = meta.config_usize("kernel_in")?;
    match meta.arch() {
        Some(Arch::PixelCnn) => {
            let k = meta.config_usize("kernel")?;
            // Each residual block: identity plus a kxk mask-B convolution between 1x1s.
            let taps = raster_taps(meta, (k, k), MaskType::B);
            for _ in 0..meta.config_usize("blocks")? {
                let through = dilate(&out, h, w, &taps);
                union(&mut out, &through);
            }
            Ok(dilate(&out, h, w, &raster_taps(meta, (k_in, k_in), MaskType::A)))
        }
        Some(Arch::GatedPixelCnn) => {
            // Walk the layers backwards with the positions needed of each stack's output.
            let (layers, k) = (meta.config_usize("layers")?, meta.config_usize("kernel")?);
            let (mut hor, mut ver) = (out, vec![false; h * w]);
            for l in (0..layers).rev() {
                let (t, kk) = if l == 0 { (MaskType::A, k_in) } else { (MaskType::B, k) };
                // The vertical pre-activation feeds both the gated vertical output and the link.
                let mut pre = ver.clone();
                union(&mut pre, &hor);
                let mut next_hor = dilate(&hor, h, w, &raster_taps(meta, (1, kk), t));
                if l > 0 {
                    union(&mut next_hor, &hor);
                }
                ver = dilate(&pre, h, w, &vertical_taps(kk, t));
                hor = next_hor;
            }
            union(&mut hor, &ver);
            Ok(hor)
        }
        Some(Arch::RowLstm) => {
            for _ in 0..meta.config_usize("layers")? {
                out = row_lstm_layer(meta, &out)?;
            }
            Ok(dilate(&out, h, w, &raster_taps(meta, (k_in, k_in), MaskType::A)))
        }
        Some(Arch::DiagonalBiLstm) => {
            for _ in 0..meta.config_usize("layers")? {
                out = diagonal_bilstm_layer(&out, h, w);
            }
            Ok(dilate(&out, h, w, &raster_taps(meta, (k_in, k_in), MaskType::A)))
        }
        None => Err(Error::Input(format!("no structural receptive field for {:?}", meta.arch_name))),
    }
}

/// Every position a set of states reads, transitively, when the state at (i, j) reads the states
/// at (i + dy, j + dx) for each step (zero outside the image, so those read nothing).
fn closure(set: &[bool], h: usize, w: usize, steps: &[(isize, isize)]) -> Vec<bool> {
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

/// The layer input a Row LSTM layer's output set reads: the residual (same position), and each
/// state's 1xk mask-B input-to-state taps, over the states it needs. A state at (i, j) reads the
/// row above's states at j-k/2..=j+k/2 and its cell at j, which needs the same inputs as the state.
fn row_lstm_layer(meta: &ModelMeta, out: &[bool]) -> Result<Vec<bool>> {
    let (h, w, k) = (meta.height, meta.width, meta.config_usize("kernel")?);
    let r = (k / 2) as isize;
    let above: Vec<(isize, isize)> = (-r..=r).map(|dx| (-1, dx)).collect();
    let states = closure(out, h, w, &above);
    let mut input = dilate(&states, h, w, &raster_taps(meta, (1, k), MaskType::B));
    union(&mut input, out);
    Ok(input)
}

/// The layer input a Diagonal BiLSTM layer's output set reads: the residual, and (1x1 input to
/// state) every state it needs. Output (i, j) reads left-to-right (i, j), which reads (i-1, j)
/// and (i, j-1), and right-to-left (i-1, j) (shifted down a row), which reads (i-1, j) and (i, j+1).
fn diagonal_bilstm_layer(out: &[bool], h: usize, w: usize) -> Vec<bool> {
    let mut input = closure(out, h, w, &[(-1, 0), (0, -1)]);
    let shifted = dilate(out, h, w, &[(-1, 0)]);
    union(&mut input, &closure(&shifted, h, w, &[(-1, 0), (0, 1)]));
    union(&mut input, out);
    input
}
