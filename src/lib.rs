//! pixelwise: autoregressive image models (PixelCNN, Gated PixelCNN, PixelRNN) sampled pixel by
//! pixel, by tract-onnx or by a cached native engine, from one self-describing .onnx file.

pub mod arch;
#[cfg(feature = "tract")]
pub mod classifier;
pub mod class_posterior;
pub mod codec;
#[cfg(feature = "tract")]
pub mod conditional;
pub mod engine;
pub mod error;
pub mod head;
pub mod lessons;
pub mod mask_view;
pub mod masks;
pub mod metadata;
pub mod model_file;
pub mod nll;
pub mod onnx_proto;
pub mod palette;
pub mod receptive;
pub mod sampler;
pub mod split;
pub mod threads;

#[cfg(not(target_arch = "wasm32"))]
pub mod data;
#[cfg(not(target_arch = "wasm32"))]
pub mod eval;
#[cfg(not(target_arch = "wasm32"))]
pub mod heldout;
#[cfg(not(target_arch = "wasm32"))]
pub mod image_io;
#[cfg(not(target_arch = "wasm32"))]
pub mod png_grid;
#[cfg(all(feature = "tract", not(target_arch = "wasm32")))]
pub mod quality;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use engine::{load_engine, Engine, EngineKind, Session};
pub use error::{Error, Result};
pub use model_file::ModelFile;
pub use sampler::Sampler;

/// Starts the threaded module's pool of Web Workers (`initThreadPool(n)`, then `threadPoolReady()`
/// once it resolves: see `threads`).
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
pub use wasm_bindgen_rayon::init_thread_pool;
