//! The native engine: architectures it knows, rebuilt from the file's metadata and raw weights.

pub mod conv;
pub mod diagbilstm;
pub mod gated;
pub mod head;
pub mod lstm;
pub mod pixelcnn;
pub mod rowlstm;

use std::sync::Arc;

use super::{check_batch, check_labels, Engine, EngineKind, Labels, Session};
use crate::error::{Error, Result};
use crate::metadata::{Arch, ModelMeta};
use crate::model_file::ModelFile;

/// What each architecture supplies: its activation maps, a per-image context (the class bias,
/// if any), every layer over the whole image, and every layer at one position. The full forward,
/// the cache and the head's pass are shared (`Net`, `Cache`).
pub trait Layered: Send + Sync + Sized + 'static {
    type Maps: Activations;
    type Context: Send;
    fn maps(&self) -> Self::Maps;
    fn context(&self, label: Option<usize>) -> Self::Context;
    /// Layer by layer over the whole image, its pixels already loaded.
    fn all_layers(&self, ctx: &Self::Context, m: &mut Self::Maps);
    /// Every layer at position `p`: earlier positions are computed with their final pixels and
    /// pixel `p` is loaded.
    fn layers_at(&self, ctx: &Self::Context, m: &mut Self::Maps, p: usize);
    fn head(&self) -> &head::Head;
    /// LSTM gate activations at `p` (computed), one per LSTM; none for convolutional models.
    fn gates(&self, _ctx: &Self::Context, _m: &Self::Maps, _p: usize) -> Vec<lstm::LstmGates> {
        Vec::new()
    }
}

/// One image's activations: the input image and the map the head reads.
pub trait Activations: Send {
    fn image(&mut self) -> &mut conv::Map;
    fn last(&self) -> &conv::Map;
}

/// One architecture's network for a single image (object-safe face of `Layered`).
pub trait Net: Send + Sync {
    /// Layer by layer over the whole image: logits in the head's order, `[H*W][C*L]`.
    fn forward(&self, pixels: &[f32], label: Option<usize>) -> Vec<f32>;
    fn cache(self: Arc<Self>, label: Option<usize>) -> Box<dyn NetCache>;
}

impl<N: Layered> Net for N {
    fn forward(&self, pixels: &[f32], label: Option<usize>) -> Vec<f32> {
        let (ctx, mut m) = (self.context(label), self.maps());
        let image = m.image();
        let hw = image.h * image.w;
        for p in 0..hw {
            load_pixel(pixels, image, p);
        }
        self.all_layers(&ctx, &mut m);
        let last = m.last();
        (0..hw).flat_map(|p| self.head().at(last.at(p))).collect()
    }

    fn cache(self: Arc<Self>, label: Option<usize>) -> Box<dyn NetCache> {
        Box::new(Cache {
            ctx: self.context(label),
            maps: self.maps(),
            net: self,
        })
    }
}

/// Activations of one image, filled in raster order.
pub trait NetCache: Send {
    /// Computes every layer at position `p` (all earlier positions already computed with their
    /// final pixels) and returns the head's output there, `[C*L]`, channel-major.
    fn position(&mut self, pixels: &[f32], p: usize) -> Vec<f32>;

    /// The cached input image, read by later positions' first-layer convolutions.
    fn image_mut(&mut self) -> &mut conv::Map;

    /// LSTM gate activations at computed position `p`.
    fn gates(&self, p: usize) -> Vec<lstm::LstmGates>;
}

struct Cache<N: Layered> {
    net: Arc<N>,
    maps: N::Maps,
    ctx: N::Context,
}

impl<N: Layered> NetCache for Cache<N> {
    fn position(&mut self, pixels: &[f32], p: usize) -> Vec<f32> {
        load_pixel(pixels, self.maps.image(), p);
        self.net.layers_at(&self.ctx, &mut self.maps, p);
        self.net.head().at(self.maps.last().at(p))
    }

    fn image_mut(&mut self) -> &mut conv::Map {
        self.maps.image()
    }

    fn gates(&self, p: usize) -> Vec<lstm::LstmGates> {
        self.net.gates(&self.ctx, &self.maps, p)
    }
}

#[derive(Clone)]
pub struct NativeEngine {
    meta: ModelMeta,
    net: Arc<dyn Net>,
}

impl NativeEngine {
    pub fn new(file: &ModelFile) -> Result<Self> {
        let meta = file.meta()?;
        let net: Arc<dyn Net> = match meta.arch() {
            Some(Arch::PixelCnn) => Arc::new(pixelcnn::PixelCnn::load(file, &meta)?),
            Some(Arch::RowLstm) => Arc::new(rowlstm::RowLstm::load(file, &meta)?),
            Some(Arch::DiagonalBiLstm) => Arc::new(diagbilstm::DiagBiLstm::load(file, &meta)?),
            Some(Arch::GatedPixelCnn) => Arc::new(gated::Gated::load(file, &meta)?),
            None => {
                return Err(Error::Metadata(format!(
                    "unknown pixelwise.arch {:?}; only tract can run it",
                    meta.arch_name
                )))
            }
        };
        Ok(Self { meta, net })
    }

    /// Full forward per position, for comparison with the cached session.
    pub fn recompute_session(&self, n: usize, labels: &Labels) -> Result<Box<dyn Session>> {
        check_labels(&self.meta, n, labels)?;
        Ok(Box::new(super::recompute::RecomputeSession::new(self.clone(), n, labels)))
    }

    /// Head order [H*W][C][L] to the file's [L][C][H][W].
    fn to_logits(&self, head: &[f32], out: &mut Vec<f32>) {
        let m = &self.meta;
        let hw = m.height * m.width;
        for l in 0..m.levels {
            for c in 0..m.channels {
                for p in 0..hw {
                    out.push(head[p * m.channels * m.levels + c * m.levels + l]);
                }
            }
        }
    }
}

impl Engine for NativeEngine {
    fn meta(&self) -> &ModelMeta {
        &self.meta
    }

    fn kind(&self) -> EngineKind {
        EngineKind::Native
    }

    fn forward(&self, pixels: &[f32], n: usize, labels: &Labels) -> Result<Vec<f32>> {
        check_batch(&self.meta, pixels, n, labels)?;
        let len = self.meta.image_len();
        let mut out = Vec::with_capacity(n * len * self.meta.levels);
        for b in 0..n {
            let head = self.net.forward(&pixels[b * len..(b + 1) * len], labels[b]);
            self.to_logits(&head, &mut out);
        }
        Ok(out)
    }

    fn session(&self, n: usize, labels: &Labels) -> Result<Box<dyn Session>> {
        check_labels(&self.meta, n, labels)?;
        let caches = labels.iter().map(|&l| self.net.clone().cache(l)).collect();
        Ok(Box::new(NativeSession {
            meta: self.meta.clone(),
            caches,
            done: 0,
            tentative: None,
        }))
    }
}

/// The cached sampler: each position of each layer is computed once, when its inputs are final.
struct NativeSession {
    meta: ModelMeta,
    caches: Vec<Box<dyn NetCache>>,
    /// Positions before this one are computed with their final pixels.
    done: usize,
    /// The position last computed before its own pixel was sampled. In a single-channel model no
    /// activation at p reads pixel p (mask A), so once sampled it only needs copying into the image.
    tentative: Option<usize>,
}

impl Session for NativeSession {
    fn logits(&mut self, pixels: &[f32], row: usize, col: usize, channel: usize) -> Result<Vec<f32>> {
        let m = &self.meta;
        let p = row * m.width + col;
        if p < self.done || p >= m.positions() || channel >= m.channels {
            return Err(Error::Input(format!(
                "position ({row}, {col}) channel {channel} is out of raster order"
            )));
        }
        let len = m.image_len();
        let mut out = Vec::with_capacity(self.caches.len() * m.levels);
        for (b, cache) in self.caches.iter_mut().enumerate() {
            let image = &pixels[b * len..(b + 1) * len];
            for q in self.done..p {
                if self.tentative == Some(q) && m.channels == 1 {
                    load_pixel(image, cache.image_mut(), q);
                } else {
                    cache.position(image, q);
                }
            }
            let head = cache.position(image, p);
            out.extend_from_slice(&head[channel * m.levels..(channel + 1) * m.levels]);
        }
        self.done = p;
        self.tentative = Some(p);
        Ok(out)
    }

    fn gates(&self, row: usize, col: usize) -> Vec<lstm::LstmGates> {
        let p = row * self.meta.width + col;
        match self.caches.first() {
            Some(cache) if p <= self.done => cache.gates(p),
            _ => Vec::new(),
        }
    }
}

/// Copies pixel `p` (all colour channels) from `[C][H][W]` into a position-major map.
pub(crate) fn load_pixel(pixels: &[f32], map: &mut conv::Map, p: usize) {
    let hw = map.h * map.w;
    for c in 0..map.c {
        map.data[p * map.c + c] = pixels[c * hw + p];
    }
}
