//! PixelCNN on both engines, against the committed models/pixelcnn-mnist-bin.onnx.
#![cfg(not(target_arch = "wasm32"))]
#[macro_use]
mod common;

const MODEL: &str = "pixelcnn-mnist-bin.onnx";

model_checks!(MODEL);
