//! What a digit model draws, read by the digit classifier: samples (how many read clearly, as which
//! digit, as the class asked for) and completions (the top half of standard test digits kept, the
//! rest sampled: how many become the digit they began as). The native cached sampler draws them, so
//! hundreds of images take seconds rather than the hours of a full forward per position.

use serde::Serialize;

use crate::class_posterior::read_classes;
use crate::classifier::{most_likely, Classifier};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::metadata::ModelMeta;
use crate::sampler::Sampler;

/// Images sampled together: bounds the cached activations held at once.
const CHUNK: usize = 50;
/// A sample "reads clearly" when the classifier gives its digit at least this probability.
pub const CLEAR: f64 = 0.9;

#[derive(Serialize)]
pub struct SampleQuality {
    pub images: usize,
    /// Share the classifier reads with p >= CLEAR.
    pub read_clearly: f64,
    /// How many samples were read as each digit.
    pub class_histogram: Vec<usize>,
    /// Conditional models: image i asks for class i % classes; the share read as that class.
    pub as_their_class: Option<f64>,
}

#[derive(Serialize)]
pub struct CompletionQuality {
    pub images: usize,
    pub kept_rows: usize,
    /// Share of completed digits read as the digit they began as.
    pub read_as_their_digit: f64,
    /// The same digits whole, read by the same classifier: the ceiling of the figure above.
    pub whole_digits_read_right: f64,
    /// Per digit 0-9, the share of its completions read as it (None: no such digit drawn).
    pub per_class: Vec<Option<f64>>,
    /// Conditional models completing with a class read from the kept half (`read_class`): the share
    /// whose most probable class is the digit's own.
    pub class_read_right: Option<f64>,
}

fn check(meta: &ModelMeta) -> Result<()> {
    if meta.channels != 1 || meta.height != 28 || meta.width != 28 || !meta.dataset_name().starts_with("mnist") {
        return Err(Error::Input(format!(
            "quality reads digits: {} is not a single-channel 28x28 MNIST model",
            meta.dataset_name()
        )));
    }
    Ok(())
}

/// Levels as the classifier reads them: ink (1) where a binary level is 1 or a grey level >= 128.
fn ink(levels: &[u8], model_levels: usize) -> Vec<f32> {
    let cut = if model_levels == 2 { 1 } else { 128 };
    levels.iter().map(|&k| f32::from(u8::from(usize::from(k) >= cut))).collect()
}

/// `n` samples (seeded, temperature 1; conditional models at guidance `guidance`), read.
pub fn samples(engine: &dyn Engine, classifier: &Classifier, n: usize, seed: u64, guidance: f32) -> Result<SampleQuality> {
    let meta = engine.meta().clone();
    check(&meta)?;
    let wanted: Vec<Option<usize>> = (0..n).map(|i| (meta.classes > 0).then(|| i % meta.classes)).collect();
    let (mut clear, mut hits, mut histogram) = (0, 0, vec![0usize; 10]);
    for (i, chunk) in wanted.chunks(CHUNK).enumerate() {
        let mut sampler = Sampler::new(engine, chunk.len(), seed.wrapping_add(i as u64), 1.0, chunk.to_vec(), Vec::new())?;
        if meta.classes > 0 {
            sampler = sampler.with_guidance(engine, guidance)?;
        }
        sampler.run_to_end()?;
        let probs = classifier.probabilities(&ink(sampler.levels(), meta.levels), chunk.len())?;
        for (want, p) in chunk.iter().zip(&probs) {
            let got = most_likely(p);
            histogram[got] += 1;
            clear += usize::from(f64::from(p[got]) >= CLEAR);
            hits += usize::from(*want == Some(got));
        }
    }
    let share = |k: usize| round(k as f64 / n.max(1) as f64);
    Ok(SampleQuality {
        images: n,
        read_clearly: share(clear),
        class_histogram: histogram,
        as_their_class: (meta.classes > 0).then(|| share(hits)),
    })
}

/// `n` standard test digits spread evenly over the 10,000 (as the model's data set binarises them),
/// their top half kept and the rest sampled (seeded, temperature 1), read. A conditional model
/// completes with no label, or with `read_class` under a class drawn from p(class | kept half), at
/// guidance `guidance`.
pub fn completions(
    engine: &dyn Engine,
    classifier: &Classifier,
    n: usize,
    seed: u64,
    read_class: bool,
    guidance: f32,
) -> Result<CompletionQuality> {
    let meta = engine.meta().clone();
    check(&meta)?;
    if read_class && meta.classes == 0 {
        return Err(Error::Input("reading the class of the kept half needs a class-conditional model".into()));
    }
    let mut classes_right = 0;
    let test = crate::heldout::load(&meta)?;
    let step = (test.len() / n.max(1)).max(1);
    let digits: Vec<_> = test.into_iter().step_by(step).take(n).collect();
    let kept_rows = meta.height / 2;
    let (mut hits, mut whole, mut per_class) = (0, 0, vec![(0usize, 0usize); 10]);
    for (i, digit) in digits.iter().enumerate() {
        let kept: Vec<Option<u8>> = digit
            .levels
            .iter()
            .enumerate()
            .map(|(p, &k)| (p < kept_rows * meta.width).then_some(k))
            .collect();
        let label = if read_class {
            let reading = read_classes(engine, &kept, 1, seed.wrapping_add(i as u64))?;
            classes_right += usize::from(most_likely(&reading.posterior) == digit.label);
            Some(reading.labels[0])
        } else {
            None
        };
        let mut sampler = Sampler::new(engine, 1, seed.wrapping_add(i as u64), 1.0, vec![label], kept)?;
        if label.is_some() {
            sampler = sampler.with_guidance(engine, guidance)?;
        }
        sampler.run_to_end()?;
        let both = [ink(sampler.levels(), meta.levels), ink(&digit.levels, meta.levels)].concat();
        let read: Vec<usize> = classifier.probabilities(&both, 2)?.iter().map(|p| most_likely(p)).collect();
        hits += usize::from(read[0] == digit.label);
        whole += usize::from(read[1] == digit.label);
        per_class[digit.label].0 += usize::from(read[0] == digit.label);
        per_class[digit.label].1 += 1;
    }
    let count = digits.len().max(1) as f64;
    let round_share = |k: usize, of: f64| round(k as f64 / of);
    Ok(CompletionQuality {
        images: digits.len(),
        kept_rows,
        read_as_their_digit: round_share(hits, count),
        whole_digits_read_right: round_share(whole, count),
        per_class: per_class.iter().map(|&(h, t)| (t > 0).then(|| round_share(h, t as f64))).collect(),
        class_read_right: read_class.then(|| round_share(classes_right, count)),
    })
}

/// Shares to four places: the JSON line is read by people.
fn round(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}
