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
