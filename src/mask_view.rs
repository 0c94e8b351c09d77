//! The kernel masks of a model's first and later layers, as 0/1 grids for drawing.

use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::masks::{raster_mask, vertical_mask, MaskType};
use crate::metadata::{Arch, ModelMeta};

/// One kernel's spatial mask: 1 where any input channel feeds any output channel.
fn grid(name: &str, mask: &[f32], kh: usize, kw: usize) -> Value {
    let rows: Vec<Vec<u8>> = (0..kh)
        .map(|y| {
            (0..kw)
                .map(|x| u8::from(mask.chunks(kh * kw).any(|k| k[y * kw + x] != 0.0)))
                .collect()
        })
        .collect();
    json!({ "name": name, "height": kh, "width": kw, "mask": rows })
}

/// A 3 x kw grid (kw odd) open at the given (row, col) cells, centre at (1, kw/2).
fn taps(name: &str, kw: usize, open: &[(usize, usize)]) -> Value {
    let mut mask = vec![0.0; 3 * kw];
    for &(y, x) in open {
        mask[y * kw + x] = 1.0;
    }
    grid(name, &mask, 3, kw)
}

/// `{"arch": .., "kernels": [{name, height, width, mask: [[0|1]], centre_groups?}]}`; the centre is
/// (height/2, width/2); colour models add `centre_groups[out][in]` for the raster kernels.
pub fn kernel_masks(meta: &ModelMeta) -> Result<Value> {
    let c = meta.channels;
    let k_in = meta.config_usize("kernel_in")?;
    // Diagonal BiLSTM has no "kernel": its state-to-state taps are fixed (above and beside).
    let k = meta.config_usize("kernel").unwrap_or(3);
    let raster = |name: &str, kh: usize, kw: usize, t| {
        let mask = raster_mask(c, c, kh, kw, t, c);
        let mut g = grid(name, &mask, kh, kw);
        if c > 1 {
            // At the centre tap, which colour group (R, G, B) each output group reads: the seed's picture.
            let centre = |o: usize, i: usize| u8::from(mask[((o * c + i) * kh + kh / 2) * kw + kw / 2] != 0.0);
            g["centre_groups"] = json!((0..c).map(|o| (0..c).map(|i| centre(o, i)).collect::<Vec<_>>()).collect::<Vec<_>>());
        }
        g
    };
    let vertical = |name: &str, kk, t| grid(name, &vertical_mask(1, 1, kk, kk, t), kk, kk);
    let kernels = match meta.arch() {
        Some(Arch::PixelCnn) => vec![
            raster(&format!("first layer {k_in}x{k_in}, mask A"), k_in, k_in, MaskType::A),
            raster(&format!("later layers {k}x{k}, mask B"), k, k, MaskType::B),
        ],
        Some(Arch::GatedPixelCnn) => vec![
            vertical(&format!("vertical stack, first layer {k_in}x{k_in}"), k_in, MaskType::A),
            raster(&format!("horizontal stack, first layer 1x{k_in}, mask A"), 1, k_in, MaskType::A),
            vertical(&format!("vertical stack, later layers {k}x{k}"), k, MaskType::B),
            raster(&format!("horizontal stack, later layers 1x{k}, mask B"), 1, k, MaskType::B),
        ],
        // The LSTMs' state-to-state taps are unmasked; drawn as a 3-row grid around the state they feed.
        Some(Arch::RowLstm) => vec![
            raster(&format!("first layer {k_in}x{k_in}, mask A"), k_in, k_in, MaskType::A),
            raster(&format!("input to state 1x{k}, mask B"), 1, k, MaskType::B),
            taps(
                &format!("state to state: {k} states of the row above"),
                k,
                &(0..k).map(|x| (0, x)).collect::<Vec<_>>(),
            ),
        ],
        Some(Arch::DiagonalBiLstm) => vec![
            raster(&format!("first layer {k_in}x{k_in}, mask A"), k_in, k_in, MaskType::A),
            taps("left-to-right state: above and left", 3, &[(0, 1), (1, 0)]),
            taps("right-to-left state: above and right (read a row later)", 3, &[(0, 1), (1, 2)]),
        ],
        _ => return Err(Error::Input(format!("{:?} has no convolution masks to show", meta.arch_name))),
    };
    Ok(json!({ "arch": meta.arch_name, "kernels": kernels }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_kernels_show_the_groups_at_the_centre() {
        let mut props = std::collections::BTreeMap::new();
        for (k, v) in [
            ("arch", "pixelcnn"),
            ("levels", "256"),
            ("channels", "3"),
            ("height", "8"),
            ("width", "8"),
            ("classes", "0"),
            ("config", r#"{"kernel_in": 7, "kernel": 3}"#),
        ] {
            props.insert(format!("pixelwise.{k}"), v.to_string());
        }
        let v = kernel_masks(&ModelMeta::from_props(&props).unwrap()).unwrap();
        assert_eq!(v["kernels"][0]["centre_groups"], json!([[0, 0, 0], [1, 0, 0], [1, 1, 0]]));
        assert_eq!(v["kernels"][1]["centre_groups"], json!([[1, 0, 0], [1, 1, 0], [1, 1, 1]]));
    }
}
