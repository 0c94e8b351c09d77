//! Receptive fields by perturbation against those the masks allow: PixelCNN's blind spot, the
//! Gated PixelCNN's complete field, and no dependence on a position at or after itself.
#![cfg(not(target_arch = "wasm32"))]
mod common;

use pixelwise::receptive::{receptive_field, structural_field};
use pixelwise::Engine;

const PIXELCNN: &str = "pixelcnn-mnist-bin.onnx";
const GATED: &str = "gated-mnist-bin.onnx";

fn positions(field: &[bool], w: usize, value: bool) -> Vec<(usize, usize)> {
    field
        .iter()
        .enumerate()
        .filter(|(_, &s)| s == value)
        .map(|(p, _)| (p / w, p % w))
        .collect()
}

/// The measured field equals the masks' field, and holds nothing at or after (row, col).
fn check(engine: &dyn Engine, row: usize, col: usize) -> Vec<bool> {
    let w = engine.meta().width;
    let measured = receptive_field(engine, row, col).unwrap();
    let allowed = structural_field(engine.meta(), row, col).unwrap();
    let later: Vec<_> = positions(&measured, w, true)
        .into_iter()
        .filter(|&(r, c)| r * w + c >= row * w + col)
        .collect();
    assert!(
        later.is_empty(),
        "{:?}: logits at ({row}, {col}) depend on {later:?}",
        engine.kind()
    );
    let extra: Vec<_> = (0..measured.len())
        .filter(|&p| measured[p] && !allowed[p])
        .map(|p| (p / w, p % w))
        .collect();
    let missing: Vec<_> = (0..measured.len())
        .filter(|&p| !measured[p] && allowed[p])
        .map(|p| (p / w, p % w))
        .collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "{:?} at ({row}, {col}): seen but masked {extra:?}; allowed but unseen {missing:?}",
        engine.kind()
    );
    measured
}

#[test]
fn pixelcnn_field_matches_its_masks() {
    let (native, tract) = common::engines(PIXELCNN);
    // (14, 10) is checked with the blind spot below.
    check(&native, 3, 25);
    check(&tract, 20, 5);
}

/// 7x7 mask A, then 3x3 mask-B blocks: a tap reaches one column further right only by also going
/// one row up, so the cone above-right of the pixel is never seen.
#[test]
fn pixelcnn_has_a_blind_spot_above_right() {
    let (native, _) = common::engines(PIXELCNN);
    let meta = native.meta();
    assert_eq!(
        (meta.config_usize("kernel_in").unwrap(), meta.config_usize("kernel").unwrap()),
        (7, 3)
    );
    let field = check(&native, 14, 10);
    let at = |r: usize, c: usize| field[r * 28 + c];
    for (r, c) in [(13, 10), (13, 13), (12, 14), (11, 15), (14, 9), (14, 7)] {
        assert!(at(r, c), "({r}, {c}) should be seen from (14, 10)");
    }
    for (r, c) in [(13, 14), (13, 20), (12, 15), (11, 16), (13, 27)] {
        assert!(!at(r, c), "({r}, {c}) should be in the blind spot of (14, 10)");
    }
}

/// Every position within the stacks' reach is seen: the rows above across the vertical stack's
/// width, and the pixels to the left on the same row.
#[test]
fn gated_has_no_blind_spot() {
    let (_, tract) = common::engines(GATED);
    let meta = tract.meta().clone();
    let (k_in, k, layers) = (
        meta.config_usize("kernel_in").unwrap(),
        meta.config_usize("kernel").unwrap(),
        meta.config_usize("layers").unwrap(),
    );
    let reach = k_in / 2 + (layers - 1) * (k / 2);
    let (row, col) = (14, 14);
    let field = check(&tract, row, col);
    let mut unseen = Vec::new();
    for r in row.saturating_sub(reach)..row {
        for c in col.saturating_sub(reach)..=(col + reach).min(meta.width - 1) {
            if !field[r * meta.width + c] {
                unseen.push((r, c));
            }
        }
    }
    for c in col.saturating_sub(reach)..col {
        if !field[row * meta.width + c] {
            unseen.push((row, c));
        }
    }
    assert!(unseen.is_empty(), "within reach {reach} of ({row}, {col}) but unseen: {unseen:?}");
}

/// The first pixel sees nothing; the last sees only earlier pixels (checked inside `check`).
#[test]
fn no_dependence_on_itself_or_later() {
    let (pixelcnn, _) = common::engines(PIXELCNN);
    let (_, gated) = common::engines(GATED);
    for engine in [&pixelcnn as &dyn Engine, &gated] {
        assert!(
            check(engine, 0, 0).iter().all(|&s| !s),
            "{:?}: the first pixel depends on something",
            engine.kind()
        );
        assert!(check(engine, 27, 27).iter().any(|&s| s));
    }
}

/// The masks the page draws: PixelCNN's first 7x7 is mask A (centre row open left of centre
/// only); Gated's vertical stack sees whole rows above, its horizontal stack the left.
#[test]
fn kernel_masks_for_drawing() {
    use pixelwise::mask_view::kernel_masks;
    let meta = |name| pixelwise::ModelFile::from_path(common::model_path(name)).unwrap().meta().unwrap();
    let p = kernel_masks(&meta(PIXELCNN)).unwrap();
    assert_eq!(p["kernels"].as_array().unwrap().len(), 2);
    assert_eq!(p["kernels"][0]["mask"][3], serde_json::json!([1, 1, 1, 0, 0, 0, 0]));
    assert_eq!(p["kernels"][0]["mask"][4], serde_json::json!([0, 0, 0, 0, 0, 0, 0]));
    assert_eq!(p["kernels"][1]["mask"][1], serde_json::json!([1, 1, 0]));
    let g = kernel_masks(&meta(GATED)).unwrap();
    assert_eq!(g["kernels"].as_array().unwrap().len(), 4);
    assert_eq!(g["kernels"][0]["mask"][2], serde_json::json!([1, 1, 1, 1, 1, 1, 1]));
    assert_eq!(g["kernels"][0]["mask"][3], serde_json::json!([0, 0, 0, 0, 0, 0, 0]));
    assert_eq!(g["kernels"][1]["mask"][0], serde_json::json!([1, 1, 1, 0, 0, 0, 0]));
    assert_eq!(g["kernels"][2]["mask"][1], serde_json::json!([1, 1, 1]));
    assert_eq!(g["kernels"][3]["mask"][0], serde_json::json!([1, 1, 0]));
}
