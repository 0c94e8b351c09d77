//! Receptive fields by perturbation against those the masks and recurrences allow: PixelCNN's blind
//! spot, the Gated PixelCNN's complete field, the Row LSTM's missing triangle, the Diagonal
//! BiLSTM's near-complete field, and no dependence on a position at or after itself.
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
    check_with(engine, row, col, true)
}

/// As `check`; with `exact` false the measured field need only lie inside the masks' field.
fn check_with(engine: &dyn Engine, row: usize, col: usize, exact: bool) -> Vec<bool> {
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
        extra.is_empty() && (missing.is_empty() || !exact),
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
    let config: pixelwise::arch::pixelcnn::Config = pixelwise::arch::config(meta).unwrap();
    assert_eq!((config.kernel_in, config.kernel), (7, 3));
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
    let config = pixelwise::arch::gated::config(&meta).unwrap();
    let (k_in, k, layers) = (config.kernel_in, config.kernel, config.layers);
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
/// For the 20-layer Gated PixelCNN the last pixel's field is only required to lie inside the
/// structural one: 22 rows and columns away, at the edge of its reach, a few allowed pixels change
/// no logit bit (their effect dies in saturated gates or below f32 resolution). Equality for it is
/// proved at (14, 14) in `gated_has_no_blind_spot`.
#[test]
fn no_dependence_on_itself_or_later() {
    let (pixelcnn, _) = common::engines(PIXELCNN);
    let (_, gated) = common::engines(GATED);
    for (engine, exact_at_last) in [(&pixelcnn as &dyn Engine, true), (&gated, false)] {
        assert!(
            check(engine, 0, 0).iter().all(|&s| !s),
            "{:?}: the first pixel depends on something",
            engine.kind()
        );
        assert!(check_with(engine, 27, 27, exact_at_last).iter().any(|&s| s));
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

const ROW_LSTM: &str = "rowlstm-mnist-bin.onnx";
const DIAGONAL: &str = "diagbilstm-mnist-bin.onnx";

fn meta(name: &str) -> pixelwise::metadata::ModelMeta {
    pixelwise::ModelFile::from_path(common::model_path(name)).unwrap().meta().unwrap()
}

/// Perturbation against the recurrences walked backwards, on the faster engine for each file
/// (one perturbation field at (14, 14): Row LSTM tract 10 s, native 22 s; Diagonal BiLSTM native
/// 60 s, tract 104 s).
#[test]
fn row_lstm_field_matches_its_structure() {
    let (_, tract) = common::engines(ROW_LSTM);
    check(&tract, 14, 14);
    check(&tract, 5, 26);
}

#[test]
fn diagonal_bilstm_field_matches_its_structure() {
    let (native, _) = common::engines(DIAGONAL);
    check(&native, 14, 14);
    check(&native, 5, 26);
}

/// Row LSTM: 3 layers of 1x3 state-to-state over the row above widen its cone by one column per
/// row each way; the 1x3 mask-B input-to-state adds one column left per layer and the 7x7 mask A
/// three left, or two right one row further up. Above the cone lies a triangle it never sees,
/// which the Diagonal BiLSTM (whole rows above through its two directions) does see.
#[test]
fn row_lstm_misses_a_triangle_the_diagonal_bilstm_sees() {
    let (row, col) = (14, 14);
    let rl = structural_field(&meta(ROW_LSTM), row, col).unwrap();
    let dg = structural_field(&meta(DIAGONAL), row, col).unwrap();
    for m in 1..=row {
        let seen: Vec<usize> = (0..28).filter(|&c| rl[(row - m) * 28 + c]).collect();
        let want: Vec<usize> = ((col as isize - m as isize - 6).max(0) as usize..=(col + m + 2).min(27)).collect();
        assert_eq!(seen, want, "Row LSTM at ({row}, {col}), row {}", row - m);
    }
    assert_eq!((0..row * 28).filter(|&p| !rl[p]).count(), 83);
    let only_row: Vec<_> = positions(&rl, 28, true).into_iter().filter(|&(r, c)| !dg[r * 28 + c]).collect();
    assert!(only_row.is_empty(), "seen by the Row LSTM only: {only_row:?}");
    // (13, 27) enters only through the 7x7 input at row 14, right of the target; the right-to-left
    // states that carry it left along row 14 are read one row down, from row 15 on.
    let unseen: Vec<_> = positions(&dg, 28, false)
        .into_iter()
        .filter(|&(r, c)| r * 28 + c < row * 28 + col)
        .collect();
    assert_eq!(unseen, [(13, 27)]);
}

/// Structurally, at every position: nothing at or after itself, and the first pixel sees nothing.
#[test]
fn rnn_structure_is_causal_everywhere() {
    for name in [ROW_LSTM, DIAGONAL] {
        let m = meta(name);
        for p in 0..m.positions() {
            let field = structural_field(&m, p / m.width, p % m.width).unwrap();
            let later: Vec<_> = (p..field.len()).filter(|&q| field[q]).collect();
            assert!(later.is_empty(), "{name}: position {p} depends on {later:?}");
            assert_eq!(p == 0, field.iter().all(|&s| !s), "{name}: position {p}");
        }
    }
}

/// The field is measured from the logits at the target alone (`logits_at`): on the native engine
/// they are the full forward's there, value for value, for binary, 256-level colour and
/// recurrent models, conditional or not; a position outside the image is an error.
#[test]
fn logits_at_one_position_are_the_forward_there() {
    for name in [PIXELCNN, GATED, "gated-emoji-rgb.onnx", "rowlstm-mnist-bin.onnx"] {
        let (native, _) = common::engines(name);
        let m = native.meta().clone();
        let n = 3;
        let pixels: Vec<f32> = (0..n as u64).flat_map(|s| common::random_image(&native, s)).collect();
        let labels = common::labels(&native, n);
        let full = native.forward(&pixels, n, &labels).unwrap();
        let (hw, lc) = (m.positions(), m.levels * m.channels);
        for p in [0, hw / 2 + 3, hw - 1] {
            let at = native.logits_at(&pixels, n, &labels, p).unwrap();
            let want: Vec<f32> = (0..n * lc).map(|i| full[i * hw + p]).collect();
            assert_eq!(at, want, "{name} at position {p}");
        }
        assert!(native.logits_at(&pixels, n, &labels, hw).is_err(), "{name}: position past the end");
    }
}
