//! Log-likelihood from logits: the number PyTorch recorded at export must come out again.

use crate::engine::Labels;
use crate::metadata::ModelMeta;

pub fn one_hot(labels: &Labels, classes: usize) -> Vec<f32> {
    let mut v = vec![0.0; labels.len() * classes];
    for (b, l) in labels.iter().enumerate() {
        if let Some(k) = l {
            v[b * classes + k] = 1.0;
        }
    }
    v
}

/// Level index of a pixel value k/(L-1).
pub fn level_of(value: f32, levels: usize) -> usize {
    (value * (levels - 1) as f32).round().clamp(0.0, (levels - 1) as f32) as usize
}

/// Nats of each sub-pixel `[C, H, W]` given the ones before it: logits `[L, C, H, W]`, pixels `[C, H, W]`.
pub fn position_nats(meta: &ModelMeta, logits: &[f32], pixels: &[f32]) -> Vec<f64> {
    let n = meta.image_len();
    (0..n)
        .map(|i| {
            let target = level_of(pixels[i], meta.levels);
            let at = |l: usize| logits[l * n + i] as f64;
            let max = (0..meta.levels).map(at).fold(f64::NEG_INFINITY, f64::max);
            let lse = max + (0..meta.levels).map(|l| (at(l) - max).exp()).sum::<f64>().ln();
            lse - at(target)
        })
        .collect()
}

/// Nats for one image: logits `[L, C, H, W]`, pixels `[C, H, W]`.
pub fn image_nll(meta: &ModelMeta, logits: &[f32], pixels: &[f32]) -> f64 {
    position_nats(meta, logits, pixels).iter().sum()
}

pub fn bits_per_dim(meta: &ModelMeta, nats: f64) -> f64 {
    nats / (meta.image_len() as f64 * std::f64::consts::LN_2)
}
