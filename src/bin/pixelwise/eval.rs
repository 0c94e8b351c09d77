use std::path::PathBuf;

use pixelwise::classifier::Classifier;
use pixelwise::conditional::conditional_accuracy;
use pixelwise::eval::held_out_nll;
use pixelwise::nll::bits_per_dim;
use pixelwise::{ModelFile, Result};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    m: crate::ModelArgs,
    /// Evaluate only the first N held-out digits.
    #[arg(long)]
    limit: Option<usize>,
    /// Instead of the NLL: sample N images per class and report the share the digit classifier
    /// reads as the class asked for.
    #[arg(long, value_name = "N")]
    conditional: Option<usize>,
    /// Instead of the NLL: sample N digits and complete the top half of N standard test digits with
    /// the native cached sampler, and report what the classifier reads (docs: models/README.md).
    #[arg(long, value_name = "N")]
    quality: Option<usize>,
    /// With --quality on a class-conditional model: complete each digit under a class drawn from the
    /// model's own p(class | kept half), not with no label.
    #[arg(long)]
    read_class: bool,
    /// The classifier used by --conditional and --quality.
    #[arg(long, default_value = "models/classifier-mnist.onnx")]
    classifier: PathBuf,
    /// Instead of the NLL: code every held-out image with the model (native engine) and report the
    /// bytes against the NLL, PNG and lossless WebP, each image decoded and compared.
    #[arg(long)]
    codec: bool,
    /// Seed of the --conditional and --quality samples.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Sampling temperature of the --conditional samples.
    #[arg(long, default_value_t = 1.0)]
    temperature: f32,
    /// Classifier-free guidance scale of the --conditional and --quality samples (1 = plain sampling).
    #[arg(long, default_value_t = 1.0)]
    guidance: f32,
}

pub fn run(a: Args) -> Result<()> {
    if a.codec {
        return crate::codec::eval(&a.m.model, a.limit);
    }
    let engine = a.m.load()?;
    if let Some(per_class) = a.conditional {
        return conditional(&a, engine.as_ref(), per_class);
    }
    if let Some(n) = a.quality {
        return quality(&a, engine.as_ref(), n);
    }
    let (nll, count) = held_out_nll(engine.as_ref(), a.limit)?;
    let meta = engine.meta();
    crate::emit(serde_json::json!({
        "model": a.m.model, "engine": a.m.engine, "images": count,
        "nll_nats": (nll * 1e4).round() / 1e4, "bits_per_dim": (bits_per_dim(meta, nll) * 1e5).round() / 1e5,
        "recorded_nll_nats": meta.test_nll_nats,
    }));
    Ok(())
}

fn conditional(a: &Args, engine: &dyn pixelwise::Engine, per_class: usize) -> Result<()> {
    let classifier = Classifier::new(&ModelFile::from_path(&a.classifier)?)?;
    let start = std::time::Instant::now();
    let acc = conditional_accuracy(engine, &classifier, per_class, a.seed, a.temperature, a.guidance)?;
    let round = |x: f64| (x * 1e4).round() / 1e4;
    crate::emit(serde_json::json!({
        "model": a.m.model, "engine": a.m.engine, "classifier": a.classifier, "seed": a.seed, "temperature": round(f64::from(a.temperature)), "guidance": round(f64::from(a.guidance)),
        "per_class_images": per_class, "images": acc.images,
        "accuracy_per_class": acc.per_class.iter().map(|&x| round(x)).collect::<Vec<_>>(),
        "accuracy": round(acc.overall), "seconds": round(start.elapsed().as_secs_f64()),
    }));
    Ok(())
}

fn quality(a: &Args, engine: &dyn pixelwise::Engine, n: usize) -> Result<()> {
    if a.temperature != 1.0 {
        return Err(pixelwise::Error::Input("--quality samples at temperature 1".into()));
    }
    let classifier = Classifier::new(&ModelFile::from_path(&a.classifier)?)?;
    let start = std::time::Instant::now();
    let samples = pixelwise::quality::samples(engine, &classifier, n, a.seed, a.guidance)?;
    let completions = pixelwise::quality::completions(engine, &classifier, n, a.seed, a.read_class, a.guidance)?;
    crate::emit(serde_json::json!({
        "model": a.m.model, "engine": a.m.engine, "classifier": a.classifier, "seed": a.seed,
        "guidance": a.guidance, "read_class": a.read_class, "read_clearly_at": pixelwise::quality::CLEAR,
        "samples": samples, "completions": completions,
        "seconds": (start.elapsed().as_secs_f64() * 10.0).round() / 10.0,
    }));
    Ok(())
}
