//! Gated PixelCNN on both engines, against the committed models/gated-mnist-bin.onnx (10 classes).
#![cfg(not(target_arch = "wasm32"))]
#[macro_use]
mod common;

const MODEL: &str = "gated-mnist-bin.onnx";

model_checks!(MODEL);

/// Unlabelled images feed a zero label; both engines must agree there too.
#[test]
fn native_equals_tract_without_label() {
    use pixelwise::Engine;
    let (native, tract) = common::engines(MODEL);
    let pixels = common::random_image(&native, 9);
    let a = native.forward(&pixels, 1, &[None]).unwrap();
    let b = tract.forward(&pixels, 1, &[None]).unwrap();
    let d = common::max_diff(&a, &b);
    assert!(d < 1e-4, "native and tract differ by {d} without a label");
}

/// The surprise map of a held-out digit sums to its NLL, and the right label makes it smaller.
#[test]
fn surprise_map_sums_to_the_nll_and_knows_the_label() {
    use pixelwise::lessons::surprise::surprise_bits;
    use pixelwise::nll::image_nll;
    use pixelwise::Engine;
    let native = common::engines(MODEL).0;
    let meta = native.meta().clone();
    let digit = &common::held_out(&native, 1)[0];
    let pixels = digit.pixels(meta.levels);
    let right = surprise_bits(&native, &pixels, Some(digit.label)).unwrap();
    let wrong = surprise_bits(&native, &pixels, Some((digit.label + 1) % 10)).unwrap();
    let logits = native.forward(&pixels, 1, &[Some(digit.label)]).unwrap();
    let nats: f64 = right.iter().map(|&b| f64::from(b) * std::f64::consts::LN_2).sum();
    assert!((nats - image_nll(&meta, &logits, &pixels)).abs() < 1e-3);
    let total = |v: &[f32]| v.iter().sum::<f32>();
    assert!(total(&right) < total(&wrong), "right {} bits, wrong {} bits", total(&right), total(&wrong));
}
