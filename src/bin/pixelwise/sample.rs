use std::path::PathBuf;

use pixelwise::{Result, Sampler};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    m: crate::ModelArgs,
    #[arg(long, default_value_t = 16)]
    n: usize,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[arg(long, default_value_t = 1.0)]
    temperature: f32,
    /// Class (number or name) for conditional models; omit for unconditional. `all` gives a row per class.
    #[arg(long)]
    label: Option<String>,
    /// Classifier-free guidance scale for conditional models (1 = plain sampling).
    #[arg(long, default_value_t = 1.0)]
    guidance: f32,
    /// Images per grid row.
    #[arg(long, default_value_t = 8)]
    cols: usize,
    #[arg(long)]
    out: PathBuf,
}

pub fn run(a: Args) -> Result<()> {
    let engine = a.m.load()?;
    let meta = engine.meta().clone();
    let labels: Vec<Option<usize>> = match a.label.as_deref() {
        None => vec![None; a.n],
        Some("all") => (0..a.n).map(|i| Some(i / a.cols % meta.classes.max(1))).collect(),
        Some(k) => vec![
            Some(meta.class_index(k).ok_or_else(|| {
                let names: Vec<String> = (0..meta.classes).map(|c| meta.class_name(c)).collect();
                pixelwise::Error::Input(format!("--label {k:?} is not a class of this model ({})", names.join(", ")))
            })?);
            a.n
        ],
    };
    let start = std::time::Instant::now();
    let mut sampler =
        Sampler::new(engine.as_ref(), a.n, a.seed, a.temperature, labels, Vec::new())?.with_guidance(engine.as_ref(), a.guidance)?;
    sampler.run_to_end()?;
    let seconds = start.elapsed().as_secs_f64();
    let images = pixelwise::png_grid::Images {
        levels: sampler.levels(),
        n: a.n,
        channels: meta.channels,
        height: meta.height,
        width: meta.width,
        level_count: meta.levels,
    };
    pixelwise::png_grid::write_grid(&a.out, &images, a.cols, 4)?;
    crate::emit(serde_json::json!({"out": a.out, "images": a.n, "engine": a.m.engine, "seconds": (seconds * 1000.0).round() / 1000.0}));
    Ok(())
}
