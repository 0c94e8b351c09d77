use std::path::PathBuf;
use std::time::Instant;

use pixelwise::engine::native::NativeEngine;
use pixelwise::engine::tract::TractEngine;
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

pub fn run(a: Args) -> Result<()> {
    let file = ModelFile::from_path(&a.model)?;
    let native = NativeEngine::new(&file)?;
    let tract = TractEngine::new(&file)?;
    let meta = native.meta().clone();
    let total = meta.image_len();
    let none = vec![None];
    let mut cached = Vec::new();
    for seed in 0..a.images as u64 {
        let mut s = Sampler::new(&native, 1, seed, 1.0, none.clone(), Vec::new())?;
        let start = Instant::now();
        s.run_to_end()?;
        cached.push(ms(start));
    }
    let full_native = per_position(
        Sampler::with_session(meta.clone(), native.recompute_session(1, &none)?, 1, 0, 1.0, Vec::new())?,
        a.positions,
    )? * total as f64;
    let full_tract = per_position(Sampler::new(&tract, 1, 0, 1.0, none.clone(), Vec::new())?, a.positions)? * total as f64;
    let image = vec![0.0; total];
    let forward = |e: &dyn Engine| -> Result<f64> {
        let mut t = Vec::new();
        for _ in 0..7 {
            let start = Instant::now();
            e.forward(&image, 1, &none)?;
            t.push(ms(start));
        }
        Ok(median(t))
    };
    let (fwd_native, fwd_tract) = (forward(&native)?, forward(&tract)?);
    let cached = median(cached);
    let r = |x: f64| (x * 100.0).round() / 100.0;
    crate::emit(serde_json::json!({
        "model": a.model,
        "ms_per_image": {"native_cached": r(cached), "native_full_recompute": r(full_native), "tract_full_recompute": r(full_tract)},
        "ms_full_forward": {"native": r(fwd_native), "tract": r(fwd_tract)},
        "ratios": {
            "native_full_over_cached": r(full_native / cached),
            "tract_full_over_native_cached": r(full_tract / cached),
            "native_cached_over_one_native_forward": r(cached / fwd_native),
        },
        "method": format!("cached: median of {} whole images; full recompute: first {} positions, times {}", a.images, a.positions, total),
    }));
    Ok(())
}
