//! The architectures pixelwise knows, one folder each and one line in `REGISTRY`: `mod.rs` holds
//! the typed config, its structural receptive field, the kernel masks the page draws and its
//! diagram blocks; `net.rs` the native engine's network, built from the shared layers in
//! `engine::native`. Adding an architecture is a folder here and a registry line.

pub mod diagonal_bilstm;
pub mod field;
pub mod gated;
pub mod pixelcnn;
pub mod row_lstm;

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::engine::native::Net;
use crate::error::{Error, Result};
use crate::lessons::diagram::Block;
use crate::metadata::ModelMeta;
use crate::model_file::ModelFile;

pub trait Architecture: Sync {
    /// Its `pixelwise.arch` value.
    fn name(&self) -> &'static str;
    /// Its name for people (the page's model picker).
    fn title(&self) -> &'static str;
    /// What one pixel's receptive field looks like, for the page's caption over it.
    fn field_caption(&self) -> &'static str;
    /// The native engine's network, from the file's weights.
    fn native(&self, file: &ModelFile, meta: &ModelMeta) -> Result<Arc<dyn Net>>;
    /// The input positions an output set can read, composing every layer's footprint backwards.
    fn field(&self, meta: &ModelMeta, out: Vec<bool>) -> Result<Vec<bool>>;
    /// The kernel masks the page draws, in the order diagram blocks index them.
    fn kernels(&self, meta: &ModelMeta) -> Result<Vec<Value>>;
    /// The blocks between the input and the head, and the channels the head reads.
    fn blocks(&self, meta: &ModelMeta) -> Result<(Vec<Block>, usize)>;
}

pub const REGISTRY: &[&dyn Architecture] = &[
    &pixelcnn::PixelCnn,
    &gated::GatedPixelCnn,
    &row_lstm::RowLstm,
    &diagonal_bilstm::DiagonalBiLstm,
];

/// The architecture a file's metadata names.
pub fn of(meta: &ModelMeta) -> Result<&'static dyn Architecture> {
    REGISTRY.iter().copied().find(|a| a.name() == meta.arch_name).ok_or_else(|| {
        let known: Vec<&str> = REGISTRY.iter().map(|a| a.name()).collect();
        Error::Metadata(format!("unknown pixelwise.arch {:?} (known: {})", meta.arch_name, known.join(", ")))
    })
}

/// No width, depth or kernel of a model a page can run comes near this.
const MAX_CONFIG_VALUE: f64 = 65536.0;

/// `pixelwise.config` read as the architecture's typed config; a missing or mistyped key is named.
pub fn config<T: DeserializeOwned>(meta: &ModelMeta) -> Result<T> {
    // Sizes are allocated before any weight is read against them: refuse the absurd ones first.
    if let Some(map) = meta.config.as_object() {
        if let Some((key, v)) = map.iter().find(|(_, v)| v.as_f64().is_some_and(|n| n > MAX_CONFIG_VALUE)) {
            return Err(Error::Metadata(format!("pixelwise.config {key} = {v} is implausibly large (at most {MAX_CONFIG_VALUE})")));
        }
    }
    serde_json::from_value(meta.config.clone())
        .map_err(|e| Error::Metadata(format!("pixelwise.config for {}: {e}", meta.arch_name)))
}
