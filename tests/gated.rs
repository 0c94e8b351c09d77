//! Gated PixelCNN on both engines, against the committed models/gated-mnist-bin.onnx (10 classes).
#![cfg(not(target_arch = "wasm32"))]
mod common;

const MODEL: &str = "gated-mnist-bin.onnx";

#[test]
fn causal_on_both_engines() {
    let (native, tract) = common::engines(MODEL);
    common::causality(&native);
    common::causality(&tract);
}

#[test]
fn cached_sampler_equals_full_forward() {
    common::cached_equals_full(&common::engines(MODEL).0);
}

#[test]
fn native_equals_tract() {
    let (native, tract) = common::engines(MODEL);
    common::native_equals_tract(&native, &tract);
}

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

#[test]
fn nll_matches_pytorch() {
    common::nll_matches_recorded(&common::engines(MODEL).0);
}

#[test]
fn same_seed_same_image() {
    let (native, tract) = common::engines(MODEL);
    common::deterministic(&native, 784);
    common::deterministic(&tract, 56);
}

#[test]
fn completion_keeps_drawn_pixels() {
    common::completion_keeps_pixels(&common::engines(MODEL).0);
}
