//! A class-conditional model read as a classifier of a digit's beginning: by Bayes with a uniform
//! prior, p(class | kept) is proportional to p(kept | class), the model's own likelihood of the kept
//! sub-pixels under each label. Completing with a class drawn from it samples p(rest | kept) from
//! the labelled model itself, rather than from its unlabelled mode (trained on the few digits whose
//! label was dropped).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::nll::position_nats;
use crate::sampler::draw;

/// The classes read from a completion's kept sub-pixels, and one drawn from them per image.
#[derive(Clone, Debug, Serialize)]
pub struct ClassReading {
    /// p(class | kept), one per class.
    pub posterior: Vec<f32>,
    /// The class each image completes under.
    pub labels: Vec<usize>,
}

/// Reads p(class | kept) and draws each of `n` images' class from it, seeded (a stream of its own,
/// apart from the images' sampling streams).
pub fn read_classes(engine: &dyn Engine, kept: &[Option<u8>], n: usize, seed: u64) -> Result<ClassReading> {
    crate::sampler::check_n(n)?;
    let posterior: Vec<f32> = class_posterior(engine, kept)?.iter().map(|&p| p as f32).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(u64::MAX);
    let labels = (0..n).map(|_| draw(&posterior, rng.random::<f32>())).collect();
    Ok(ClassReading { posterior, labels })
}

/// p(class | kept) for every class. `kept` holds one entry per `[C, H, W]` position (empty: none
/// kept, the uniform prior). Only the unbroken run of kept positions at the start of the sampling
/// order is read (the rows above a completion's cut): each of those predictions sees kept values
/// only, so its likelihood is exact; a kept pixel after a free one would be read against guesses.
pub fn class_posterior(engine: &dyn Engine, kept: &[Option<u8>]) -> Result<Vec<f64>> {
    let meta = engine.meta();
    let (classes, len) = (meta.classes, meta.image_len());
    if classes == 0 {
        return Err(Error::Input("a class posterior needs a class-conditional model".into()));
    }
    if kept.is_empty() {
        return Ok(vec![1.0 / classes as f64; classes]);
    }
    if kept.len() != len {
        return Err(Error::Input(format!("{} kept entries for an image of {len} positions", kept.len())));
    }
    if let Some(bad) = kept.iter().flatten().find(|&&k| usize::from(k) >= meta.levels) {
        return Err(Error::Input(format!("kept level {bad} but the model has {} levels", meta.levels)));
    }
    // Sampling order is pixel by pixel, the channels of each in turn; `kept` is [C, H, W].
    let (channels, hw) = (meta.channels, meta.height * meta.width);
    let in_order = |s: usize| (s % channels) * hw + s / channels;
    let run: Vec<usize> = (0..len).map(in_order).take_while(|&i| kept[i].is_some()).collect();
    let scale = (meta.levels - 1) as f32;
    let image: Vec<f32> = kept.iter().map(|k| f32::from(k.unwrap_or(0)) / scale).collect();
    let pixels = image.repeat(classes);
    let labels: Vec<Option<usize>> = (0..classes).map(Some).collect();
    let logits = engine.forward(&pixels, classes, &labels)?;
    let per_image = logits.len() / classes;
    let log_likelihood: Vec<f64> = (0..classes)
        .map(|c| {
            let nats = position_nats(meta, &logits[c * per_image..(c + 1) * per_image], &image);
            -run.iter().map(|&i| nats[i]).sum::<f64>()
        })
        .collect();
    let max = log_likelihood.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = log_likelihood.iter().map(|l| (l - max).exp()).collect();
    let total: f64 = weights.iter().sum();
    Ok(weights.iter().map(|w| w / total).collect())
}
