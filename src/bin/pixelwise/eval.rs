use std::path::PathBuf;

use pixelwise::eval::held_out_nll;
use pixelwise::nll::bits_per_dim;
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
