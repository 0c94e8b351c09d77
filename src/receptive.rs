//! Receptive fields: which input pixels the logits at one position depend on, measured by
//! perturbation on any engine, and derived structurally (kernel masks and recurrences) for every
//! architecture.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::metadata::ModelMeta;

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

/// Consecutive unseen positions perturbed together.
const GROUP: usize = 16;

/// True at every pixel whose change alters some logit at (`row`, `col`), for some base image.
/// Outputs are compared bit for bit: a pixel outside the field leaves every operation on the way
/// to (`row`, `col`) identical. Every pixel of the image (all its channels at once) is tested,
/// later positions included, so a dependence on them would show; on later bases only the pixels
/// not yet seen. Pixels go in groups of consecutive ones, and a group that changes the logits has
/// each of its pixels tested alone: most of an image (everything after the target, the blind
/// spot) then costs one forward per group. This assumes perturbations never cancel exactly.
pub fn receptive_field(engine: &dyn Engine, row: usize, col: usize) -> Result<Vec<bool>> {
    let m = engine.meta().clone();
    let hw = m.positions();
    if row >= m.height || col >= m.width {
        return Err(Error::Input(format!(
            "position ({row}, {col}) is outside the {}x{} image",
            m.height, m.width
        )));
    }
    let target = row * m.width + col;
    let mut seen = vec![false; hw];
    for (i, base) in base_images(&m).iter().enumerate() {
        let label = (m.classes > 0).then(|| i % m.classes);
        let unseen: Vec<usize> = (0..hw).filter(|&q| !seen[q]).collect();
        let mut groups: Vec<Vec<usize>> = unseen.chunks(GROUP).map(<[usize]>::to_vec).collect();
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
            // The logits at the target, all levels and channels, image by image. Every layer still
            // runs at every position (later ones included, so a dependence on them would show);
            // only the output head, a 1x1 map of each position alone, is left out elsewhere.
            let out = engine.logits_at(&pixels, n, &vec![label; n], target)?;
            let mut at_target = out.chunks_exact(m.levels * m.channels);
            let reference = at_target.next().expect("the base image's logits");
            for (group, logits) in batch.into_iter().zip(at_target) {
                if logits == reference {
                    continue;
                }
                if let [q] = group[..] {
                    seen[q] = true;
                } else {
                    groups.extend(group.into_iter().map(|q| vec![q]));
                }
            }
        }
    }
    Ok(seen)
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
    crate::arch::of(meta)?.field(meta, out)
}
