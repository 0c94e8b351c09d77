use std::path::PathBuf;

use pixelwise::nll::{bits_per_dim, image_nll};
use pixelwise::{load_engine, EngineKind, ModelFile, Result};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    model: PathBuf,
    #[arg(long, default_value = "native")]
    engine: String,
    /// Evaluate only the first N held-out digits.
    #[arg(long)]
    limit: Option<usize>,
}

/// Mean held-out NLL (nats per image) over the fixed test split, labels given to conditional models.
pub fn held_out_nll(engine: &dyn pixelwise::Engine, limit: Option<usize>) -> Result<(f64, usize)> {
    let meta = engine.meta();
    let mut digits = pixelwise::data::load(true)?;
    if let Some(l) = limit {
        // Spread a partial evaluation over every class.
        let step = (digits.len() / l.max(1)).max(1);
        digits = digits.into_iter().step_by(step).take(l).collect();
    }
    let mut total = 0.0;
    for chunk in digits.chunks(50) {
        let pixels: Vec<f32> = chunk.iter().flat_map(|d| d.binary()).collect();
        let labels: Vec<Option<usize>> = chunk.iter().map(|d| (meta.classes > 0).then_some(d.label)).collect();
        let logits = engine.forward(&pixels, chunk.len(), &labels)?;
        let per = meta.levels * meta.image_len();
        for (b, _) in chunk.iter().enumerate() {
            total += image_nll(meta, &logits[b * per..(b + 1) * per], &pixels[b * meta.image_len()..(b + 1) * meta.image_len()]);
        }
    }
    Ok((total / digits.len() as f64, digits.len()))
}

pub fn run(a: Args) -> Result<()> {
    let file = ModelFile::from_path(&a.model)?;
    let engine = load_engine(&file, EngineKind::parse(&a.engine)?)?;
    let (nll, count) = held_out_nll(engine.as_ref(), a.limit)?;
    let meta = engine.meta();
    println!(
        "{}",
        serde_json::json!({
            "model": a.model, "engine": a.engine, "images": count,
            "nll_nats": (nll * 1e4).round() / 1e4, "bits_per_dim": (bits_per_dim(meta, nll) * 1e5).round() / 1e5,
            "recorded_nll_nats": meta.test_nll_nats,
        })
    );
    Ok(())
}
