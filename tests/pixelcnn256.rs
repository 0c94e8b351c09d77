//! PixelCNN with a 256-way softmax on grey MNIST, on both engines, against models/pixelcnn-mnist-256.onnx.
#![cfg(not(target_arch = "wasm32"))]
#[macro_use]
mod common;

const MODEL: &str = "pixelcnn-mnist-256.onnx";

model_checks!(MODEL);
