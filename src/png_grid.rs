//! Sample grids as PNG files (native CLI), in the page's colours (palette.rs): paper to ink for one
//! channel, RGB for three.

use std::path::Path;

use crate::error::{Error, Result};

/// Images laid out `[n, C, H, W]` as level indices.
pub struct Images<'a> {
    pub levels: &'a [u8],
    pub n: usize,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub level_count: usize,
}

/// Writes the images `cols` per row, each pixel `scale`x`scale`, on a grey background.
pub fn write_grid(path: &Path, im: &Images, cols: usize, scale: usize) -> Result<()> {
    let (c, h, w) = (im.channels, im.height, im.width);
    if c != 1 && c != 3 {
        return Err(Error::Input(format!("a PNG grid needs 1 or 3 channels, not {c}")));
    }
    let rows = im.n.div_ceil(cols);
    let gap = 1;
    let (gw, gh) = (cols * (w * scale + gap) + gap, rows * (h * scale + gap) + gap);
    let mut buf = [96u8; 3].repeat(gw * gh);
    for b in 0..im.n {
        let (oy, ox) = ((b / cols) * (h * scale + gap) + gap, (b % cols) * (w * scale + gap) + gap);
        for y in 0..h * scale {
            for x in 0..w * scale {
                let p = (y / scale) * w + x / scale;
                let values: Vec<Option<u8>> = (0..c).map(|ch| Some(im.levels[(b * c + ch) * h * w + p])).collect();
                let at = ((oy + y) * gw + ox + x) * 3;
                buf[at..at + 3].copy_from_slice(&crate::palette::colour(&values, im.level_count));
            }
        }
    }
    let file = std::fs::File::create(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), gw as u32, gh as u32);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().map_err(|e| Error::Io(e.to_string()))?;
    writer.write_image_data(&buf).map_err(|e| Error::Io(e.to_string()))?;
    Ok(())
}
