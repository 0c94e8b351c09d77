//! Conditional accuracy: sample images of each class and count how many a classifier reads as
//! the class that was asked for.

use crate::classifier::Classifier;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::sampler::Sampler;

/// Images sampled together: bounds the cached activations held at once.
const CHUNK: usize = 50;

pub struct ConditionalAccuracy {
    /// Per class, the share of its samples classified as that class.
    pub per_class: Vec<f64>,
    pub overall: f64,
    pub images: usize,
}

/// Samples `per_class` images of every class (seeded) and classifies them.
pub fn conditional_accuracy(
    engine: &dyn Engine,
    classifier: &Classifier,
    per_class: usize,
    seed: u64,
    temperature: f32,
    guidance: f32,
) -> Result<ConditionalAccuracy> {
    let m = engine.meta().clone();
    if m.classes == 0 || m.channels != 1 || m.levels != 2 {
        return Err(Error::Input(
            "conditional accuracy needs a binary, single-channel, class-conditional model".into(),
        ));
    }
    let wanted: Vec<usize> = (0..m.classes).flat_map(|k| std::iter::repeat_n(k, per_class)).collect();
    let mut hits = vec![0usize; m.classes];
    for (i, chunk) in wanted.chunks(CHUNK).enumerate() {
        let labels: Vec<Option<usize>> = chunk.iter().map(|&k| Some(k)).collect();
        let mut sampler = Sampler::new(engine, chunk.len(), seed.wrapping_add(i as u64), temperature, labels, Vec::new())?
            .with_guidance(engine, guidance)?;
        sampler.run_to_end()?;
        let images: Vec<f32> = sampler.levels().iter().map(|&k| f32::from(k)).collect();
        for (&want, got) in chunk.iter().zip(classifier.classify(&images, chunk.len())?) {
            hits[want] += usize::from(got == want);
        }
    }
    let per_class = hits.iter().map(|&h| h as f64 / per_class.max(1) as f64).collect();
    let overall = hits.iter().sum::<usize>() as f64 / wanted.len().max(1) as f64;
    Ok(ConditionalAccuracy {
        per_class,
        overall,
        images: wanted.len(),
    })
}
