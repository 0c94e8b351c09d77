//! Diagonal BiLSTM on both engines, against the committed models/diagbilstm-mnist-bin.onnx.
#![cfg(not(target_arch = "wasm32"))]
#[macro_use]
mod common;
use pixelwise::receptive::receptive_field;
use pixelwise::Engine;

const MODEL: &str = "diagbilstm-mnist-bin.onnx";

model_checks!(MODEL);

/// (row, col) of the positions before `(row, col)` whose pixel does not reach the logits there.
fn unseen_before(engine: &dyn Engine, row: usize, col: usize) -> Vec<(usize, usize)> {
    let w = engine.meta().width;
    let field = receptive_field(engine, row, col).unwrap();
    (0..row * w + col).filter(|&p| !field[p]).map(|p| (p / w, p % w)).collect()
}

/// Every earlier pixel reaches the logits at (14, 14) but one: (13, 27), the last pixel of the
/// row above. Its only way in is the 7x7 mask-A input at row 14, columns 24..27: to the right of
/// the target in its own row, where the left-to-right direction does not look and the
/// right-to-left one, shifted down a row, shows it only from row 15. At (5, 26) that input window
/// covers (4, 27) directly, so nothing is missed.
#[test]
fn sees_every_earlier_pixel_but_the_end_of_the_row_above() {
    let native = common::engines(MODEL).0;
    let w = native.meta().width;
    assert_eq!(unseen_before(&native, 14, 14), vec![(13, w - 1)]);
    assert_eq!(unseen_before(&native, 5, 26), vec![]);
}

/// The left-to-right LSTM's gates at the last sampled pixel, one set per layer, in range.
#[test]
fn gates_at_the_sampled_pixel() {
    use pixelwise::{Engine, Sampler};
    let native = common::engines(MODEL).0;
    let mut s = Sampler::new(&native, 1, 3, 1.0, vec![None], Vec::new()).unwrap();
    s.step(200).unwrap();
    let gates = s.gates();
    let config: pixelwise::arch::diagonal_bilstm::Config = pixelwise::arch::config(native.meta()).unwrap();
    assert_eq!(gates.len(), config.layers);
    assert!(gates.iter().all(|g| g.direction == "left-to-right" && g.f.iter().all(|x| (0.0..=1.0).contains(x))));
}
