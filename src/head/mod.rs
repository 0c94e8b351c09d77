//! Output heads, a registry apart from the architectures: any architecture ends in any head. The
//! file names its head in `pixelwise.head` (`{"kind": "softmax"}`, `{"kind": "logistic_mixture",
//! "components": 10}`; absent: softmax). Every head gives log-probabilities (or logits) per level,
//! so the sampler, NLL, codec and page read it the same way. Adding a head is one file here and
//! one line in `REGISTRY`.

pub mod logistic_mixture;
pub mod softmax;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::lessons::diagram::Block;
use crate::metadata::ModelMeta;
use crate::model_file::ModelFile;

/// The native engine's head: the last feature map's vectors to each level's score.
pub trait HeadNet: Send + Sync {
    /// Scores for rows of feature vectors (`rows x in_ch`): `rows x [C*L]`, channel-major.
    /// `pixels`: each row's pixel (`rows x C`), which a head may read for channels after the one
    /// scored (the mixture's colour coupling); the architectures keep the current pixel's later
    /// channels out of the features, a head keeps them out of its own terms.
    fn at(&self, x: &[f32], pixels: &[f32]) -> Vec<f32>;
    /// Colour channel `c`'s scores only: `rows x L`, reading only channels before `c` of `pixels`.
    fn channel(&self, x: &[f32], pixels: &[f32], c: usize) -> Vec<f32>;
    /// Each row's log-probability of its own pixel's levels, `rows x C` (an NLL's terms), as `at`
    /// gives them; a head may compute these alone, far cheaper than every level.
    fn targets(&self, x: &[f32], pixels: &[f32], levels: usize) -> Vec<f64> {
        let all = self.at(x, pixels);
        all.chunks_exact(levels)
            .zip(pixels.iter())
            .map(|(logits, &v)| {
                let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
                let lse = max + logits.iter().map(|&l| (l as f64 - max).exp()).sum::<f64>().ln();
                logits[crate::nll::level_of(v, levels)] as f64 - lse
            })
            .collect()
    }
    /// Whether every channel's scores read only colour group 0 of the features (the context):
    /// then a pixel's later channels need no more layers, only the head.
    fn reads_context_only(&self) -> bool {
        false
    }
    /// Channel `c`'s distribution as the head builds it, for the page (one row); none for a softmax.
    fn parts(&self, _x: &[f32], _pixels: &[f32], _c: usize) -> Option<Parts> {
        None
    }
}

/// A mixture's components at one sub-pixel: what the page draws under the level bars.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Parts {
    /// One per component: weight (given the pixel's earlier channels), mean and scale in levels.
    pub components: Vec<Component>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Component {
    pub weight: f32,
    pub mean: f32,
    pub scale: f32,
}

pub type Head = Box<dyn HeadNet>;

/// The shapes a head is built for: the features it reads and the pixels it scores.
#[derive(Clone, Copy, Debug)]
pub struct Dims {
    pub in_ch: usize,
    pub hidden: usize,
    pub levels: usize,
    pub colours: usize,
}

pub trait HeadKind: Sync {
    /// Its `kind` in `pixelwise.head`.
    fn name(&self) -> &'static str;
    /// Its name for people (step mode, the diagram's head block).
    fn title(&self) -> &'static str;
    /// The native head, from the file's `head.*` weights.
    fn native(&self, file: &ModelFile, meta: &ModelMeta, dims: Dims) -> Result<Head>;
    /// Its diagram blocks: the `head` convolutions (weights under `head.`), then the distribution.
    fn blocks(&self, meta: &ModelMeta, last_ch: usize, out_hidden: usize) -> Result<Vec<Block>>;
}

pub const REGISTRY: &[&dyn HeadKind] = &[&softmax::Softmax, &logistic_mixture::LogisticMixture];

/// The head a file's metadata names.
pub fn of(meta: &ModelMeta) -> Result<&'static dyn HeadKind> {
    let kind = meta.head_kind();
    REGISTRY.iter().copied().find(|h| h.name() == kind).ok_or_else(|| {
        let known: Vec<&str> = REGISTRY.iter().map(|h| h.name()).collect();
        Error::Metadata(format!("unknown head kind {kind:?} in pixelwise.head (known: {})", known.join(", ")))
    })
}

/// The head's native network for an architecture whose last map has `in_ch` channels.
pub fn load(file: &ModelFile, meta: &ModelMeta, in_ch: usize, hidden: usize) -> Result<Head> {
    of(meta)?.native(file, meta, Dims { in_ch, hidden, levels: meta.levels, colours: meta.channels })
}

/// `pixelwise.head` read as the head's typed config (the `kind` key left out); a bad key is named.
pub fn config<T: DeserializeOwned>(meta: &ModelMeta) -> Result<T> {
    let mut spec = meta.head.clone();
    if let Some(map) = spec.as_object_mut() {
        map.remove("kind");
    }
    serde_json::from_value(spec).map_err(|e| Error::Metadata(format!("pixelwise.head for {}: {e}", meta.head_kind())))
}
