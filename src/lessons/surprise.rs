//! Training is parallel: one forward pass gives the probability of every sub-pixel given the ones
//! before it. The surprise map is -log2 of that probability, per sub-pixel.

use crate::engine::{Engine, Labels};
use crate::error::Result;
use crate::nll::position_nats;

/// Bits per sub-pixel `[C, H, W]` of one image `[C, H, W]` (k/(L-1)) under `label`.
pub fn surprise_bits(engine: &dyn Engine, pixels: &[f32], label: Option<usize>) -> Result<Vec<f32>> {
    let labels: &Labels = &[label];
    let logits = engine.forward(pixels, 1, labels)?;
    Ok(position_nats(engine.meta(), &logits, pixels)
        .into_iter()
        .map(|n| (n / std::f64::consts::LN_2) as f32)
        .collect())
}
