//! Two engines behind one trait: tract (runs any conforming file, full forward per sampled
//! position) and native (knows the architectures, caches activations, one position per layer).

pub mod native;
pub mod recompute;
#[cfg(feature = "tract")]
pub mod tract;

use crate::error::{Error, Result};
use crate::metadata::ModelMeta;
use crate::model_file::ModelFile;

/// Per-image class for conditional models; `None` feeds an all-zero label (unconditional).
pub type Labels = [Option<usize>];

pub trait Engine {
    fn meta(&self) -> &ModelMeta;
    fn kind(&self) -> EngineKind;
    /// Full forward: pixels `[n, C, H, W]` holding k/(L-1); returns logits `[n, L, C, H, W]`.
    fn forward(&self, pixels: &[f32], n: usize, labels: &Labels) -> Result<Vec<f32>>;
    /// The logits at position `p` only, `[n][L][C]`: what `forward` gives there.
    fn logits_at(&self, pixels: &[f32], n: usize, labels: &Labels, p: usize) -> Result<Vec<f32>> {
        check_position(self.meta(), p)?;
        let out = self.forward(pixels, n, labels)?;
        let (hw, lc) = (self.meta().positions(), self.meta().levels * self.meta().channels);
        Ok((0..n * lc).map(|i| out[i * hw + p]).collect())
    }
    /// Nats of each image given the model: what `forward`'s logits say of its own pixels. An
    /// engine may compute it without the full logits (a mixture head scores the pixels alone).
    fn image_nats(&self, pixels: &[f32], n: usize, labels: &Labels) -> Result<Vec<f64>> {
        let logits = self.forward(pixels, n, labels)?;
        let (per, len) = (self.meta().levels * self.meta().image_len(), self.meta().image_len());
        Ok((0..n).map(|b| crate::nll::image_nll(self.meta(), &logits[b * per..(b + 1) * per], &pixels[b * len..(b + 1) * len])).collect())
    }
    /// A sampling session for `n` images.
    fn session(&self, n: usize, labels: &Labels) -> Result<Box<dyn Session>>;

    /// Whether its one-image sessions can be widened (`Session::widened`).
    fn widens_sessions(&self) -> bool {
        false
    }
}

pub trait Session: Send {
    /// Logits `[n, L]` for `channel` at (`row`, `col`). Every earlier position (raster order, then
    /// channel) of `pixels` is final; calls come in raster order.
    fn logits(&mut self, pixels: &[f32], row: usize, col: usize, channel: usize) -> Result<Vec<f32>>;

    /// The first image's LSTM gate activations at (`row`, `col`), last computed for its logits;
    /// empty where the engine cannot say (convolutional models, tract).
    fn gates(&self, _row: usize, _col: usize) -> Vec<native::lstm::LstmGates> {
        Vec::new()
    }

    /// The head's parts of the first image's distribution at computed (`row`, `col`), `channel`
    /// (a mixture's components); none where the head or engine cannot say.
    fn head_parts(&self, _row: usize, _col: usize, _channel: usize) -> Option<crate::head::Parts> {
        None
    }

    /// This one-image session for `labels.len()` images, each at its state (the same positions
    /// computed, the same activations): how a batch whose images were identical so far forks.
    /// None where the engine cannot copy its state.
    fn widened(&self, _labels: &Labels) -> Option<Box<dyn Session>> {
        None
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineKind {
    Native,
    Tract,
}

impl EngineKind {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "native" => Ok(Self::Native),
            "tract" => Ok(Self::Tract),
            other => Err(Error::Input(format!("unknown engine {other:?} (native or tract)"))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Native => "native",
            Self::Tract => "tract",
        }
    }
}

pub fn load_engine(file: &ModelFile, kind: EngineKind) -> Result<Box<dyn Engine>> {
    Ok(match kind {
        EngineKind::Native => Box::new(native::NativeEngine::new(file)?),
        #[cfg(feature = "tract")]
        EngineKind::Tract => Box::new(tract::TractEngine::new(file)?),
        #[cfg(not(feature = "tract"))]
        EngineKind::Tract => return Err(Error::Input("this build has no tract engine".into())),
    })
}

/// Checks the arguments every engine receives.
pub(crate) fn check_batch(meta: &ModelMeta, pixels: &[f32], n: usize, labels: &Labels) -> Result<()> {
    if n == 0 || pixels.len() != n * meta.image_len() {
        return Err(Error::Input(format!(
            "{} pixel values for {n} images of {}",
            pixels.len(),
            meta.image_len()
        )));
    }
    check_labels(meta, n, labels)
}

pub(crate) fn check_position(meta: &ModelMeta, p: usize) -> Result<()> {
    if p >= meta.positions() {
        return Err(Error::Input(format!("position {p} is outside the {}x{} image", meta.height, meta.width)));
    }
    Ok(())
}

pub(crate) fn check_labels(meta: &ModelMeta, n: usize, labels: &Labels) -> Result<()> {
    if labels.len() != n {
        return Err(Error::Input(format!("{} labels for {n} images", labels.len())));
    }
    for l in labels.iter().flatten() {
        if *l >= meta.classes {
            return Err(Error::Input(format!("class {l} but the model has {} classes", meta.classes)));
        }
    }
    Ok(())
}
