//! The held-out images a model is scored on, chosen by the file's `pixelwise.dataset` name: the
//! standard 10,000 MNIST test digits (threshold- or Bernoulli-binarised, or 256 levels), or the
//! committed emoji test file
//! (`models/emoji-test.png`, written by `models/pixelwise_models/heldout.py`).

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::metadata::ModelMeta;

/// One held-out image: its class and level indices `[C, H, W]`.
pub struct HeldOut {
    pub label: usize,
    pub levels: Vec<u8>,
}

impl HeldOut {
    /// Pixel values k/(L-1), as the engines read them.
    pub fn pixels(&self, levels: usize) -> Vec<f32> {
        self.levels.iter().map(|&k| k as f32 / (levels - 1) as f32).collect()
    }
}

pub fn emoji_test_path() -> PathBuf {
    std::env::var_os("PIXELWISE_EMOJI_TEST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/emoji-test.png"))
}

/// The held-out split of the model's data set, checked against the model's shape.
pub fn load(meta: &ModelMeta) -> Result<Vec<HeldOut>> {
    let dataset = meta.dataset_name();
    let (images, shape) = match dataset.as_str() {
        "mnist-bin" | "mnist-256" => {
            let binary = dataset == "mnist-bin";
            // The Bernoulli test set is one fixed seeded draw, made here as data.py makes it.
            let bernoulli = binary && binarisation(meta).starts_with("bernoulli");
            let digits = crate::data::load(true)?;
            let images = digits
                .into_iter()
                .enumerate()
                .map(|(n, d)| HeldOut {
                    label: d.label,
                    levels: if bernoulli {
                        crate::split::bernoulli(&d.grey, n, crate::split::TEST_DRAW_SEED)
                    } else if binary {
                        d.grey.iter().map(|&g| crate::split::binarise(g)).collect()
                    } else {
                        d.grey
                    },
                })
                .collect();
            (images, (1, crate::data::SIDE, crate::data::SIDE, if binary { 2 } else { 256 }))
        }
        "emoji-rgb" => {
            let (images, side) = read_emoji(&emoji_test_path())?;
            (images, (3, side, side, 256))
        }
        other => return Err(Error::Input(format!("no held-out images for data set {other:?}"))),
    };
    let want = (meta.channels, meta.height, meta.width, meta.levels);
    if shape != want {
        return Err(Error::Input(format!(
            "data set {dataset:?} has (channels, height, width, levels) = {shape:?}; the model wants {want:?}"
        )));
    }
    Ok(images)
}

/// The `binarisation` of the file's `pixelwise.dataset` ("threshold (grey >= 128)", "bernoulli (...)"),
/// empty when absent.
fn binarisation(meta: &ModelMeta) -> String {
    meta.props
        .get("pixelwise.dataset")
        .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
        .and_then(|v| v["binarisation"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The emoji test file: 16x16 RGB images stacked top to bottom; the `pixelwise` text chunk gives
/// each image's class.
pub fn read_emoji(path: &std::path::Path) -> Result<(Vec<HeldOut>, usize)> {
    let io = |e: &dyn std::fmt::Display| Error::Io(format!("{}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(|e| io(&e))?;
    let mut reader = png::Decoder::new(std::io::BufReader::new(file)).read_info().map_err(|e| io(&e))?;
    let text = reader
        .info()
        .uncompressed_latin1_text
        .iter()
        .find(|t| t.keyword == "pixelwise")
        .map(|t| t.text.clone())
        .ok_or_else(|| io(&"no `pixelwise` text chunk"))?;
    #[derive(serde::Deserialize)]
    struct Info {
        size: usize,
        labels: Vec<usize>,
    }
    let info: Info = serde_json::from_str(&text).map_err(|e| io(&e))?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf).map_err(|e| io(&e))?;
    let s = info.size;
    if frame.color_type != png::ColorType::Rgb
        || frame.bit_depth != png::BitDepth::Eight
        || frame.width as usize != s
        || frame.height as usize != s * info.labels.len()
    {
        return Err(io(&format!("expected an 8-bit RGB strip of {} images of {s}x{s}", info.labels.len())));
    }
    let images = info
        .labels
        .iter()
        .enumerate()
        .map(|(n, &label)| {
            let rgb = &buf[n * s * s * 3..(n + 1) * s * s * 3];
            // Interleaved RGB rows to planar [C, H, W].
            let levels = (0..3).flat_map(|c| (0..s * s).map(move |p| rgb[p * 3 + c])).collect();
            HeldOut { label, levels }
        })
        .collect();
    Ok((images, s))
}
