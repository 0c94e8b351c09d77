//! compress, decompress, and eval --codec: the model as a lossless codec (src/codec).

use std::path::{Path, PathBuf};
use std::time::Instant;

use pixelwise::codec::{self, Image};
use pixelwise::{Engine, Error, ModelFile, Result};

#[derive(clap::Args)]
pub struct CompressArgs {
    #[arg(long)]
    model: PathBuf,
    /// Class (number or name) of a conditional model's image; omit to code it unconditionally.
    #[arg(long)]
    label: Option<String>,
    /// A PNG of the model's size: grey values for one channel (255 is the top level), RGB for three.
    input: PathBuf,
    output: PathBuf,
}

#[derive(clap::Args)]
pub struct DecompressArgs {
    #[arg(long)]
    model: PathBuf,
    input: PathBuf,
    output: PathBuf,
}

fn load(model: &Path) -> Result<(ModelFile, Box<dyn Engine>)> {
    let file = ModelFile::from_path(model)?;
    let engine = pixelwise::load_engine(&file, pixelwise::EngineKind::Native)?;
    Ok((file, engine))
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::Io(format!("{}: {e}", path.display())))
}

fn round(x: f64, places: i32) -> f64 {
    let s = 10f64.powi(places);
    (x * s).round() / s
}

pub fn compress(a: CompressArgs) -> Result<()> {
    let (file, engine) = load(&a.model)?;
    let meta = engine.meta().clone();
    let class = a
        .label
        .as_deref()
        .map(|k| {
            meta.class_index(k)
                .ok_or_else(|| Error::Input(format!("--label {k:?} is not a class of this model")))
        })
        .transpose()?;
    let (levels, rounded) = pixelwise::image_io::read_png(&a.input, &meta)?;
    if rounded > 0 {
        eprintln!(
            "note: {rounded} sub-pixels were rounded to the model's {} levels; the file holds the rounded image",
            meta.levels
        );
    }
    let start = Instant::now();
    let encoded = codec::encode_batch(engine.as_ref(), file.digest, &[Image { levels: &levels, class }])?.remove(0);
    let ms = start.elapsed().as_secs_f64() * 1e3;
    write(&a.output, &encoded.bytes)?;
    let png = std::fs::metadata(&a.input).map(|m| m.len()).unwrap_or(0);
    crate::emit(serde_json::json!({
        "in": a.input, "out": a.output, "bytes": encoded.bytes.len(), "input_png_bytes": png,
        "nll_bits": round(encoded.nll_bits, 2), "rounded_subpixels": rounded, "encode_ms": round(ms, 2),
    }));
    Ok(())
}

pub fn decompress(a: DecompressArgs) -> Result<()> {
    let (file, engine) = load(&a.model)?;
    let bytes = std::fs::read(&a.input).map_err(|e| Error::Io(format!("{}: {e}", a.input.display())))?;
    let start = Instant::now();
    let (header, levels) = codec::decode(engine.as_ref(), file.digest, &bytes)?;
    let ms = start.elapsed().as_secs_f64() * 1e3;
    pixelwise::image_io::write_png(&a.output, engine.meta(), &levels)?;
    crate::emit(
        serde_json::json!({ "in": a.input, "out": a.output, "bytes": bytes.len(), "class": header.class, "decode_ms": round(ms, 2) }),
    );
    Ok(())
}

/// The held-out set coded image by image: bytes against the NLL, PNG and lossless WebP; every
/// image decoded and compared.
pub fn eval(model: &Path, limit: Option<usize>) -> Result<()> {
    let (file, engine) = load(model)?;
    let meta = engine.meta().clone();
    let mut images = pixelwise::heldout::load(&meta)?;
    if let Some(n) = limit {
        images.truncate(n);
    }
    let class = |label: usize| (meta.classes > 0).then_some(label);
    let (mut bytes, mut nll_bits, mut png, mut webp, mut beats_webp, mut beats_png) = (0usize, 0.0, 0usize, 0usize, 0usize, 0usize);
    let (mut encode_s, mut decode_s) = (0.0, 0.0);
    // The images WebP codes in fewer bytes: (index in the held-out set, our bytes, WebP's).
    let mut over_webp = Vec::new();
    for (c, chunk) in images.chunks(64).enumerate() {
        let batch: Vec<Image> = chunk
            .iter()
            .map(|h| Image {
                levels: &h.levels,
                class: class(h.label),
            })
            .collect();
        let start = Instant::now();
        let encoded = codec::encode_batch(engine.as_ref(), file.digest, &batch)?;
        encode_s += start.elapsed().as_secs_f64();
        for (i, (h, e)) in chunk.iter().zip(&encoded).enumerate() {
            let start = Instant::now();
            let (_, back) = codec::decode(engine.as_ref(), file.digest, &e.bytes)?;
            decode_s += start.elapsed().as_secs_f64();
            if back != h.levels {
                return Err(Error::Input("an image did not decode to itself".into()));
            }
            let (p, w) = (
                pixelwise::image_io::png_bytes(&meta, &h.levels)?.len(),
                pixelwise::image_io::webp_bytes(&meta, &h.levels)?.len(),
            );
            bytes += e.bytes.len();
            nll_bits += e.nll_bits;
            png += p;
            webp += w;
            beats_webp += usize::from(e.bytes.len() < w);
            if e.bytes.len() >= w {
                over_webp.push((c * 64 + i, e.bytes.len(), w));
            }
            beats_png += usize::from(e.bytes.len() < p);
        }
    }
    let n = images.len();
    let subpixels = (n * meta.image_len()) as f64;
    let header = n * codec::format::HEADER_LEN;
    let payload_bits = 8.0 * (bytes - header) as f64;
    crate::emit(serde_json::json!({
        "model": model, "images": n, "round_trips": n,
        "bytes": bytes, "header_bytes": header, "payload_bytes": bytes - header,
        "bits_per_subpixel": round(8.0 * bytes as f64 / subpixels, 4),
        "payload_bits_per_subpixel": round(payload_bits / subpixels, 4),
        "nll_bits_per_subpixel": round(nll_bits / subpixels, 4),
        "payload_overhead_over_nll": round(payload_bits / nll_bits - 1.0, 4),
        "png_bytes": png, "webp_bytes": webp, "smaller_than_png": beats_png, "smaller_than_webp": beats_webp,
        "not_smaller_than_webp": over_webp.iter().map(|&(i, b, w)| serde_json::json!({"image": i, "bytes": b, "webp": w})).collect::<Vec<_>>(),
        "encode_ms_per_image": round(encode_s * 1e3 / n as f64, 3), "decode_ms_per_image": round(decode_s * 1e3 / n as f64, 3),
    }));
    Ok(())
}
