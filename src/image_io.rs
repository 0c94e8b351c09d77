//! One image as a file (native): the codec's PNG in and out, and the PNG and lossless WebP bytes
//! it is measured against. Levels are grey values for one channel (the top level is 255, as
//! MNIST's ink) and R, G, B for three.

use std::path::Path;

use crate::error::{Error, Result};
use crate::metadata::ModelMeta;

/// The 8-bit value of level `k` of `levels`.
fn value(k: u8, levels: usize) -> u8 {
    (f64::from(k) * 255.0 / (levels - 1) as f64).round() as u8
}

/// Interleaved 8-bit samples (grey, or RGB) of `[C, H, W]` levels.
fn samples(meta: &ModelMeta, levels: &[u8]) -> Vec<u8> {
    let hw = meta.positions();
    (0..hw)
        .flat_map(|p| (0..meta.channels).map(move |c| value(levels[c * hw + p], meta.levels)))
        .collect()
}

fn check_channels(meta: &ModelMeta) -> Result<()> {
    if meta.channels != 1 && meta.channels != 3 {
        return Err(Error::Input(format!(
            "images of {} channels have no PNG form here (1 or 3)",
            meta.channels
        )));
    }
    Ok(())
}

/// The image as the smallest plain PNG this encoder makes: 1-bit grey for two levels, 8-bit grey or
/// RGB otherwise, best compression, adaptive filters.
pub fn png_bytes(meta: &ModelMeta, levels: &[u8]) -> Result<Vec<u8>> {
    check_channels(meta)?;
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, meta.width as u32, meta.height as u32);
    enc.set_compression(png::Compression::Best);
    enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
    let data = if meta.channels == 1 && meta.levels == 2 {
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::One);
        let hw = meta.width;
        (0..meta.height)
            .flat_map(|y| {
                levels[y * hw..(y + 1) * hw]
                    .chunks(8)
                    .map(|c| c.iter().enumerate().fold(0u8, |b, (i, &k)| b | (k << (7 - i))))
            })
            .collect()
    } else {
        enc.set_color(if meta.channels == 1 {
            png::ColorType::Grayscale
        } else {
            png::ColorType::Rgb
        });
        enc.set_depth(png::BitDepth::Eight);
        samples(meta, levels)
    };
    let io = |e: png::EncodingError| Error::Io(format!("PNG: {e}"));
    let mut writer = enc.write_header().map_err(io)?;
    writer.write_image_data(&data).map_err(io)?;
    writer.finish().map_err(io)?;
    Ok(out)
}

/// The image as lossless WebP (the pure-Rust `image-webp` encoder).
pub fn webp_bytes(meta: &ModelMeta, levels: &[u8]) -> Result<Vec<u8>> {
    check_channels(meta)?;
    let mut out = Vec::new();
    let colour = if meta.channels == 1 {
        image_webp::ColorType::L8
    } else {
        image_webp::ColorType::Rgb8
    };
    image_webp::WebPEncoder::new(&mut out)
        .encode(&samples(meta, levels), meta.width as u32, meta.height as u32, colour)
        .map_err(|e| Error::Io(format!("WebP: {e}")))?;
    Ok(out)
}

pub fn write_png(path: &Path, meta: &ModelMeta, levels: &[u8]) -> Result<()> {
    std::fs::write(path, png_bytes(meta, levels)?).map_err(|e| Error::Io(format!("{}: {e}", path.display())))
}

/// A PNG of the model's size as levels `[C, H, W]`, and how many sub-pixels had to be rounded to
/// the nearest level. Transparency is composited onto white; a colour image for a one-channel model
/// must be grey.
pub fn read_png(path: &Path, meta: &ModelMeta) -> Result<(Vec<u8>, usize)> {
    check_channels(meta)?;
    let io = |e: &dyn std::fmt::Display| Error::Io(format!("{}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(|e| io(&e))?;
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| io(&e))?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf).map_err(|e| io(&e))?;
    if (frame.width as usize, frame.height as usize) != (meta.width, meta.height) {
        return Err(io(&format!(
            "the image is {}x{} but the model's are {}x{}",
            frame.width, frame.height, meta.width, meta.height
        )));
    }
    let over_white = |v: u8, a: u8| ((u32::from(v) * u32::from(a) + 255 * (255 - u32::from(a)) + 127) / 255) as u8;
    let rgb: Vec<[u8; 3]> = match frame.color_type {
        png::ColorType::Grayscale => buf[..frame.buffer_size()].iter().map(|&g| [g; 3]).collect(),
        png::ColorType::GrayscaleAlpha => buf[..frame.buffer_size()].chunks(2).map(|p| [over_white(p[0], p[1]); 3]).collect(),
        png::ColorType::Rgb => buf[..frame.buffer_size()].chunks(3).map(|p| [p[0], p[1], p[2]]).collect(),
        png::ColorType::Rgba => buf[..frame.buffer_size()]
            .chunks(4)
            .map(|p| std::array::from_fn(|c| over_white(p[c], p[3])))
            .collect(),
        other => return Err(io(&format!("unsupported PNG colour type {other:?}"))),
    };
    if meta.channels == 1 && rgb.iter().any(|p| p[0] != p[1] || p[1] != p[2]) {
        return Err(io(&"a colour image, but the model's images are grey"));
    }
    let hw = meta.positions();
    let (mut levels, mut rounded) = (vec![0u8; meta.image_len()], 0);
    for (p, px) in rgb.iter().enumerate() {
        for c in 0..meta.channels {
            let k = (f64::from(px[c]) * (meta.levels - 1) as f64 / 255.0).round() as u8;
            rounded += usize::from(value(k, meta.levels) != px[c]);
            levels[c * hw + p] = k;
        }
    }
    Ok((levels, rounded))
}
