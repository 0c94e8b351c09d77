//! PixelCNN on both engines, against the committed models/pixelcnn-mnist-bin.onnx.
#![cfg(not(target_arch = "wasm32"))]
mod common;

const MODEL: &str = "pixelcnn-mnist-bin.onnx";

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
