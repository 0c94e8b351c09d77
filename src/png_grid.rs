//! Sample grids as PNG files (native CLI).

use std::path::Path;

use crate::error::{Error, Result};

/// Writes `n` single-channel images of `levels` levels, `cols` per row, each pixel `scale`x`scale`.
pub fn write_grid(path: &Path, images: &[u8], n: usize, h: usize, w: usize, levels: usize, cols: usize, scale: usize) -> Result<()> {
    let rows = n.div_ceil(cols);
    let gap = 1;
    let (gw, gh) = (cols * (w * scale + gap) + gap, rows * (h * scale + gap) + gap);
    let mut buf = vec![96u8; gw * gh];
    for b in 0..n {
        let (oy, ox) = ((b / cols) * (h * scale + gap) + gap, (b % cols) * (w * scale + gap) + gap);
        for y in 0..h * scale {
            for x in 0..w * scale {
                let k = images[b * h * w + (y / scale) * w + x / scale] as usize;
                buf[(oy + y) * gw + ox + x] = (k * 255 / (levels - 1)) as u8;
            }
        }
    }
    let file = std::fs::File::create(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), gw as u32, gh as u32);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().map_err(|e| Error::Io(e.to_string()))?;
    writer.write_image_data(&buf).map_err(|e| Error::Io(e.to_string()))?;
    Ok(())
}
