//! Held-out NLL over the model's test split (native only: reads the images from disk).

use crate::engine::Engine;
use crate::error::Result;

/// Mean nats per image over the held-out images (or `limit` of them, spread over the split);
/// conditional models get each image's label.
pub fn held_out_nll(engine: &dyn Engine, limit: Option<usize>) -> Result<(f64, usize)> {
    let meta = engine.meta();
    let mut images = crate::heldout::load(meta)?;
    if let Some(l) = limit {
        let step = (images.len() / l.max(1)).max(1);
        images = images.into_iter().step_by(step).take(l).collect();
    }
    let mut total = 0.0;
    for chunk in images.chunks(50) {
        let pixels: Vec<f32> = chunk.iter().flat_map(|d| d.pixels(meta.levels)).collect();
        let labels: Vec<Option<usize>> = chunk.iter().map(|d| (meta.classes > 0).then_some(d.label)).collect();
        total += engine.image_nats(&pixels, chunk.len(), &labels)?.iter().sum::<f64>();
    }
    Ok((total / images.len() as f64, images.len()))
}
