//! Held-out NLL over the fixed test split (native only: reads the digits from disk).

use crate::engine::Engine;
use crate::error::Result;
use crate::nll::image_nll;

/// Mean nats per image over the held-out digits (or `limit` of them, spread over the classes);
/// conditional models get each digit's label.
pub fn held_out_nll(engine: &dyn Engine, limit: Option<usize>) -> Result<(f64, usize)> {
    let meta = engine.meta();
    if meta.props.get("pixelwise.dataset").is_some_and(|d| d.contains("bernoulli")) {
        // The seeded Bernoulli draw is numpy's; this evaluator binarises by threshold only.
        return Err(crate::Error::Input(
            "this model was evaluated on a Bernoulli-binarised test set; Rust evaluates threshold-binarised digits only".into(),
        ));
    }
    let mut digits = crate::data::load(true)?;
    if let Some(l) = limit {
        let step = (digits.len() / l.max(1)).max(1);
        digits = digits.into_iter().step_by(step).take(l).collect();
    }
    let mut total = 0.0;
    for chunk in digits.chunks(50) {
        let pixels: Vec<f32> = chunk.iter().flat_map(|d| d.binary()).collect();
        let labels: Vec<Option<usize>> = chunk.iter().map(|d| (meta.classes > 0).then_some(d.label)).collect();
        let logits = engine.forward(&pixels, chunk.len(), &labels)?;
        let (per, len) = (meta.levels * meta.image_len(), meta.image_len());
        for b in 0..chunk.len() {
            total += image_nll(meta, &logits[b * per..(b + 1) * per], &pixels[b * len..(b + 1) * len]);
        }
    }
    Ok((total / digits.len() as f64, digits.len()))
}
