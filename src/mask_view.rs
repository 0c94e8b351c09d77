//! The kernel masks of a model's first and later layers, as 0/1 grids for drawing.

use serde_json::{json, Value};

use crate::error::Result;
use crate::masks::{raster_mask, vertical_mask, MaskType};
use crate::metadata::ModelMeta;

/// One kernel's spatial mask: 1 where any input channel feeds any output channel.
pub(crate) fn grid(name: &str, mask: &[f32], kh: usize, kw: usize) -> Value {
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
pub(crate) fn taps(name: &str, kw: usize, open: &[(usize, usize)]) -> Value {
    let mut mask = vec![0.0; 3 * kw];
    for &(y, x) in open {
        mask[y * kw + x] = 1.0;
    }
    grid(name, &mask, 3, kw)
}

/// A raster kernel's grid; colour models add `centre_groups[out][in]`: at the centre tap, which
/// colour group (R, G, B) each output group reads, the seed's picture.
pub(crate) fn raster_grid(meta: &ModelMeta, name: &str, kh: usize, kw: usize, t: MaskType) -> Value {
    let c = meta.channels;
    let mask = raster_mask(c, c, kh, kw, t, c);
    let mut g = grid(name, &mask, kh, kw);
    if c > 1 {
        let centre = |o: usize, i: usize| u8::from(mask[((o * c + i) * kh + kh / 2) * kw + kw / 2] != 0.0);
        g["centre_groups"] = json!((0..c).map(|o| (0..c).map(|i| centre(o, i)).collect::<Vec<_>>()).collect::<Vec<_>>());
    }
    g
}

/// A vertical-stack kernel's grid (rows above, and for mask B the centre row's left part).
pub(crate) fn vertical_grid(name: &str, k: usize, t: MaskType) -> Value {
    grid(name, &vertical_mask(1, 1, k, k, t), k, k)
}

/// `{"arch": .., "kernels": [{name, height, width, mask: [[0|1]], centre_groups?}]}`; the centre is
/// (height/2, width/2).
pub fn kernel_masks(meta: &ModelMeta) -> Result<Value> {
    let kernels = crate::arch::of(meta)?.kernels(meta)?;
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
            ("config", r#"{"kernel_in": 7, "kernel": 3, "hidden": 8, "blocks": 1, "out_hidden": 8}"#),
        ] {
            props.insert(format!("pixelwise.{k}"), v.to_string());
        }
        let v = kernel_masks(&ModelMeta::from_props(&props).unwrap()).unwrap();
        assert_eq!(v["kernels"][0]["centre_groups"], json!([[0, 0, 0], [1, 0, 0], [1, 1, 0]]));
        assert_eq!(v["kernels"][1]["centre_groups"], json!([[1, 0, 0], [1, 1, 0], [1, 1, 1]]));
    }
}
