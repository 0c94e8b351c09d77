use std::path::PathBuf;
use std::time::Instant;

use pixelwise::engine::native::NativeEngine;
use pixelwise::engine::tract::TractEngine;
use pixelwise::codec::{self, Image};
use pixelwise::{Engine, ModelFile, Result, Sampler};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    model: PathBuf,
    /// Whole images sampled by the cached engine (median reported).
    #[arg(long, default_value_t = 5)]
    images: usize,
    /// Positions timed for the full-recompute samplers, extrapolated to a whole image.
    #[arg(long, default_value_t = 56)]
    positions: usize,
    /// Images sampled together for the batched figures (compared per image with batch 1).
    #[arg(long, default_value_t = 16)]
    batch: usize,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).expect("finite timings"));
    v[v.len() / 2]
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// Milliseconds per position of a sampler over its first `positions` positions.
fn per_position(mut sampler: Sampler, positions: usize) -> Result<f64> {
    let start = Instant::now();
    let steps = sampler.step(positions)?;
    Ok(ms(start) / steps.len() as f64)
}

/// Median milliseconds per image of the cached sampler over `runs` runs of `n` images.
fn cached_per_image(native: &NativeEngine, n: usize, runs: usize) -> Result<f64> {
    let mut t = Vec::new();
    for seed in 0..runs as u64 {
        let mut s = Sampler::new(native, n, seed, 1.0, vec![None; n], Vec::new())?;
        let start = Instant::now();
        s.run_to_end()?;
        t.push(ms(start) / n as f64);
    }
    Ok(median(t))
}

/// Median milliseconds per image of a full forward of `n` images, after one warm-up run.
fn forward_per_image(e: &dyn Engine, n: usize, reps: usize) -> Result<f64> {
    let images = vec![0.0; n * e.meta().image_len()];
    let labels = vec![None; n];
    e.forward(&images, n, &labels)?;
    let mut t = Vec::new();
    for _ in 0..reps {
        let start = Instant::now();
        e.forward(&images, n, &labels)?;
        t.push(ms(start) / n as f64);
    }
    Ok(median(t))
}

/// The codec on images the model drew itself (typical for it): median milliseconds per image to
/// encode one (one full forward), `batch` together, and to decode one (one cached sampling pass).
fn codec_per_image(file: &ModelFile, native: &NativeEngine, batch: usize, runs: usize) -> Result<(f64, f64, f64)> {
    let labels: Vec<Option<usize>> = (0..batch).map(|k| (native.meta().classes > 0).then(|| k % native.meta().classes)).collect();
    let mut s = Sampler::new(native, batch, 7, 1.0, labels.clone(), Vec::new())?;
    s.run_to_end()?;
    let len = native.meta().image_len();
    let levels = s.levels();
    let images: Vec<Image> = (0..batch).map(|k| Image { levels: &levels[k * len..(k + 1) * len], class: labels[k] }).collect();
    let (mut one, mut many, mut dec) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let start = Instant::now();
        let bytes = codec::encode(native, file.digest, images[0].levels, images[0].class)?;
        one.push(ms(start));
        let start = Instant::now();
        codec::encode_batch(native, file.digest, &images)?;
        many.push(ms(start) / batch as f64);
        let start = Instant::now();
        codec::decode(native, file.digest, &bytes)?;
        dec.push(ms(start));
    }
    Ok((median(one), median(many), median(dec)))
}

pub fn run(a: Args) -> Result<()> {
    if a.batch == 0 || a.images == 0 || a.positions == 0 {
        return Err(pixelwise::Error::Input(
            "--batch, --images and --positions must be at least 1".into(),
        ));
    }
    let file = ModelFile::from_path(&a.model)?;
    let native = NativeEngine::new(&file)?;
    let tract = TractEngine::new(&file)?;
    let meta = native.meta().clone();
    let total = meta.image_len();
    let none = vec![None];
    let cached = cached_per_image(&native, 1, a.images)?;
    // Fewer runs of a batch: each already holds `batch` images.
    let cached_batch = cached_per_image(&native, a.batch, a.images.div_ceil(2).max(1))?;
    let full_native = per_position(
        Sampler::with_session(meta.clone(), native.recompute_session(1, &none)?, 1, 0, 1.0, Vec::new())?,
        a.positions,
    )? * total as f64;
    let full_tract = per_position(Sampler::new(&tract, 1, 0, 1.0, none.clone(), Vec::new())?, a.positions)? * total as f64;
    let (fwd_native, fwd_tract) = (forward_per_image(&native, 1, 7)?, forward_per_image(&tract, 1, 7)?);
    let fwd_native_batch = forward_per_image(&native, a.batch, 5)?;
    let (encode, encode_batch, decode) = codec_per_image(&file, &native, a.batch, a.images)?;
    let r = |x: f64| (x * 100.0).round() / 100.0;
    let b = a.batch;
    let mut line = serde_json::json!({
        "model": a.model,
        "batch": b,
        // The native engine's pool (RAYON_NUM_THREADS=1 for one thread).
        "threads": rayon::current_num_threads(),
        "ms_per_image": {"native_cached": r(cached), "native_full_recompute": r(full_native), "tract_full_recompute": r(full_tract)},
        "ms_full_forward": {"native": r(fwd_native), "tract": r(fwd_tract)},
        "ratios": {
            "native_full_over_cached": r(full_native / cached),
            "tract_full_over_native_cached": r(full_tract / cached),
            "native_cached_over_one_native_forward": r(cached / fwd_native),
            "native_forward_over_tract_forward": r(fwd_native / fwd_tract),
        },
        "codec_ms_per_image": {"encode": r(encode), "decode": r(decode)},
        "codec_ratios": {"encode_over_one_native_forward": r(encode / fwd_native), "decode_over_native_cached": r(decode / cached)},
        "method": format!(
            "cached: median of {} whole images (batch {b}: of {} batches, per image); forwards: median of 7 (batch {b}: 5, per image) after one warm-up; full recompute: first {} positions, times {}; codec: median of {} runs on images the model drew",
            a.images, a.images.div_ceil(2).max(1), a.positions, total, a.images
        ),
    });
    // The batched figures, named by their batch as on the bench page (e.g. native_cached_batch16).
    line["ms_per_image"][format!("native_cached_batch{b}")] = r(cached_batch).into();
    line["ms_full_forward"][format!("native_per_image_batch{b}")] = r(fwd_native_batch).into();
    line["ratios"][format!("native_cached_batch{b}_over_batch1")] = r(cached_batch / cached).into();
    line["ratios"][format!("native_cached_over_native_forward_batch{b}")] = r(cached_batch / fwd_native_batch).into();
    line["codec_ms_per_image"][format!("encode_batch{b}")] = r(encode_batch).into();
    crate::emit(line);
    Ok(())
}
