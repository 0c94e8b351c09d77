//! The native engine: the layers every architecture's network (`arch::<name>::net`) is built from,
//! and the full forward, cache and head those networks share.

pub mod activation;
pub mod conv;
pub mod gemm;
pub mod lstm;
pub mod scratch;

use std::ops::Range;
use std::sync::Arc;

use super::{check_batch, check_labels, check_position, Engine, EngineKind, Labels, Session};
use crate::error::{Error, Result};
use crate::metadata::ModelMeta;
use crate::model_file::ModelFile;

/// What each architecture supplies: its activation maps for a batch, a per-batch context (the
/// class biases, if any), every layer over the whole image, and every layer at one position. The
/// full forward, the cache and the head's pass are shared (`Net`, `Cache`).
pub trait Layered: Send + Sync + Sized + 'static {
    type Maps: Activations;
    type Context: Send;
    fn maps(&self, n: usize) -> Self::Maps;
    fn context(&self, labels: &Labels) -> Self::Context;
    /// Layer by layer over the whole image, its pixels already loaded.
    fn all_layers(&self, ctx: &Self::Context, m: &mut Self::Maps);
    /// Every layer at position `p`: earlier positions are computed with their final pixels and
    /// pixel `p` is loaded. `groups`: the colour groups (R, G, B channel groups of the masked
    /// layers) wanted; groups before `groups.start` are already computed at `p` from the pixel's
    /// earlier channels, which they alone read, so work that never reads the current row, and those
    /// groups, may be kept. An architecture may compute more groups than asked; never fewer.
    fn layers_at(&self, ctx: &Self::Context, m: &mut Self::Maps, p: usize, groups: Range<usize>);
    fn head(&self) -> &crate::head::Head;
    /// The first image's LSTM gate activations at `p` (computed), one per LSTM; none for
    /// convolutional models.
    fn gates(&self, _ctx: &Self::Context, _m: &Self::Maps, _p: usize) -> Vec<lstm::LstmGates> {
        Vec::new()
    }
}

/// A batch's activations: the input images and the map the head reads.
pub trait Activations: Send {
    fn image(&mut self) -> &mut conv::Map;
    /// The input images, read by heads that couple a pixel's channels.
    fn pixels(&self) -> &conv::Map;
    fn last(&self) -> &conv::Map;
    /// One image's activations for `n` images, each a copy at positions `..upto`
    /// (`conv::Map::widened`, every map).
    fn widened(&self, n: usize, upto: usize) -> Self
    where
        Self: Sized;
}

/// One architecture's network (object-safe face of `Layered`).
pub trait Net: Send + Sync {
    /// Layer by layer over the whole images `[n][C][H][W]`: logits in the head's order,
    /// `[H*W][n][C*L]`.
    fn forward(&self, pixels: &[f32], labels: &Labels) -> Vec<f32>;
    /// `forward` with the head at position `p` only (every layer below it still everywhere):
    /// `[n][C*L]`.
    fn forward_at(&self, pixels: &[f32], labels: &Labels, p: usize) -> Vec<f32>;
    /// Each sub-pixel's log-probability of its own level, in the head's order `[H*W][n][C]`.
    fn targets(&self, pixels: &[f32], labels: &Labels, levels: usize) -> Vec<f64>;
    fn cache(self: Arc<Self>, labels: &Labels) -> Box<dyn NetCache>;
}

impl<N: Layered> Net for N {
    fn forward(&self, pixels: &[f32], labels: &Labels) -> Vec<f32> {
        let m = trunk(self, pixels, labels);
        self.head().at(&m.last().data, &m.pixels().data)
    }

    fn forward_at(&self, pixels: &[f32], labels: &Labels, p: usize) -> Vec<f32> {
        let m = trunk(self, pixels, labels);
        self.head().at(m.last().at(p), m.pixels().at(p))
    }

    fn targets(&self, pixels: &[f32], labels: &Labels, levels: usize) -> Vec<f64> {
        let m = trunk(self, pixels, labels);
        self.head().targets(&m.last().data, &m.pixels().data, levels)
    }

    fn cache(self: Arc<Self>, labels: &Labels) -> Box<dyn NetCache> {
        Box::new(Cache {
            ctx: self.context(labels),
            maps: self.maps(labels.len()),
            net: self,
        })
    }
}

/// Every layer at every position of whole images `[n][C][H][W]`.
fn trunk<N: Layered>(net: &N, pixels: &[f32], labels: &Labels) -> N::Maps {
    let (ctx, mut m) = (net.context(labels), net.maps(labels.len()));
    let image = m.image();
    for p in 0..image.h * image.w {
        load_pixel(pixels, image, p);
    }
    net.all_layers(&ctx, &mut m);
    m
}

/// Activations of a batch of images, filled in raster order.
pub trait NetCache: Send {
    /// Computes every layer at position `p` (all earlier positions already computed with their
    /// final pixels); `groups` as in `Layered::layers_at`.
    fn position(&mut self, pixels: &[f32], p: usize, groups: Range<usize>);

    /// Colour channel `channel`'s logits at computed position `p` for every image, `[n][L]`.
    fn logits(&self, p: usize, channel: usize) -> Vec<f32>;

    /// The cached input images, read by later positions' first-layer convolutions.
    fn image_mut(&mut self) -> &mut conv::Map;

    /// The first image's LSTM gate activations at computed position `p`.
    fn gates(&self, p: usize) -> Vec<lstm::LstmGates>;

    /// The head's parts of the first image's distribution at computed position `p`, `channel`.
    fn head_parts(&self, p: usize, channel: usize) -> Option<crate::head::Parts>;

    /// Whether the head reads only the features of colour group 0 (`HeadNet::reads_context_only`).
    fn head_reads_context_only(&self) -> bool;

    /// This one-image cache for `labels.len()` images, each a copy of its activations at
    /// positions `..upto`. Computing a position writes activations in its own row and earlier ones
    /// only (a row's vertical stack or right-to-left states at most run ahead of its pixels), so
    /// after position p the end of p's row bounds what was computed.
    fn widened(&self, labels: &Labels, upto: usize) -> Box<dyn NetCache>;
}

struct Cache<N: Layered> {
    net: Arc<N>,
    maps: N::Maps,
    ctx: N::Context,
}

impl<N: Layered> NetCache for Cache<N> {
    fn position(&mut self, pixels: &[f32], p: usize, groups: Range<usize>) {
        load_pixel(pixels, self.maps.image(), p);
        self.net.layers_at(&self.ctx, &mut self.maps, p, groups);
    }

    fn logits(&self, p: usize, channel: usize) -> Vec<f32> {
        self.net.head().channel(self.maps.last().at(p), self.maps.pixels().at(p), channel)
    }

    fn image_mut(&mut self) -> &mut conv::Map {
        self.maps.image()
    }

    fn gates(&self, p: usize) -> Vec<lstm::LstmGates> {
        self.net.gates(&self.ctx, &self.maps, p)
    }

    fn head_reads_context_only(&self) -> bool {
        self.net.head().reads_context_only()
    }

    fn head_parts(&self, p: usize, channel: usize) -> Option<crate::head::Parts> {
        self.net.head().parts(self.maps.last().at(p), self.maps.pixels().at(p), channel)
    }

    fn widened(&self, labels: &Labels, upto: usize) -> Box<dyn NetCache> {
        Box::new(Cache {
            net: self.net.clone(),
            maps: self.maps.widened(labels.len(), upto),
            ctx: self.net.context(labels),
        })
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
        let net = crate::arch::of(&meta)
            .map_err(|e| Error::Metadata(format!("{e}; only tract can run it")))?
            .native(file, &meta)?;
        Ok(Self { meta, net })
    }

    /// Full forward per position, for comparison with the cached session.
    pub fn recompute_session(&self, n: usize, labels: &Labels) -> Result<Box<dyn Session>> {
        check_labels(&self.meta, n, labels)?;
        Ok(Box::new(super::recompute::RecomputeSession::new(self.clone(), n, labels)))
    }

    /// `run` over the images in small groups, the groups in parallel; the outputs in image order.
    /// A few hundred positions already make each product large, and more images at once only grow
    /// the maps past the caches (measured: 3.2 ms per digit alone, 4.2 in 16s).
    fn in_groups<T: Send + Clone>(&self, pixels: &[f32], labels: &Labels, run: impl Fn(&[f32], &Labels) -> Vec<T> + Sync) -> Vec<T> {
        let (len, group) = (self.meta.image_len(), (FORWARD_ROWS / self.meta.positions()).max(1));
        let one = |(k, chunk): (usize, &[Option<usize>])| -> Vec<T> { run(&pixels[k * group * len..(k * group + chunk.len()) * len], chunk) };
        if crate::threads::available() == 1 {
            return labels.chunks(group).enumerate().flat_map(one).collect();
        }
        // On the pool as a whole, so that the splits inside (image groups, position blocks) are
        // joins between pool threads, not wake-ups of the pool from outside.
        use rayon::prelude::*;
        let parts: Vec<Vec<T>> = rayon::scope(|_| labels.par_chunks(group).enumerate().map(one).collect());
        parts.concat()
    }

    /// Image `b` of the head's order [H*W][n][C][L] to the file's [L][C][H][W].
    fn to_logits(&self, head: &[f32], b: usize, n: usize, out: &mut Vec<f32>) {
        let m = &self.meta;
        let (hw, cl) = (m.height * m.width, m.channels * m.levels);
        for l in 0..m.levels {
            for c in 0..m.channels {
                for p in 0..hw {
                    out.push(head[(p * n + b) * cl + c * m.levels + l]);
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
        Ok(self.in_groups(pixels, labels, |pixels, labels| {
            let head = self.net.forward(pixels, labels);
            let mut out = Vec::with_capacity(labels.len() * self.meta.image_len() * self.meta.levels);
            for b in 0..labels.len() {
                self.to_logits(&head, b, labels.len(), &mut out);
            }
            out
        }))
    }

    fn image_nats(&self, pixels: &[f32], n: usize, labels: &Labels) -> Result<Vec<f64>> {
        check_batch(&self.meta, pixels, n, labels)?;
        let (levels, colours) = (self.meta.levels, self.meta.channels);
        let per_image = self.in_groups(pixels, labels, |pixels, labels| {
            let lp = self.net.targets(pixels, labels, levels);
            let g = labels.len();
            let mut nats = vec![0.0f64; g];
            for (r, row) in lp.chunks_exact(colours).enumerate() {
                nats[r % g] -= row.iter().sum::<f64>();
            }
            nats
        });
        Ok(per_image)
    }

    /// Only the head at `p` is left out elsewhere: every layer below still runs at every position
    /// of the image, so whatever the logits at `p` depend on is computed as in `forward`.
    fn logits_at(&self, pixels: &[f32], n: usize, labels: &Labels, p: usize) -> Result<Vec<f32>> {
        check_batch(&self.meta, pixels, n, labels)?;
        check_position(&self.meta, p)?;
        let (levels, colours) = (self.meta.levels, self.meta.channels);
        Ok(self.in_groups(pixels, labels, |pixels, labels| {
            let head = self.net.forward_at(pixels, labels, p);
            // [n][C][L] to [n][L][C]
            head.chunks_exact(levels * colours)
                .flat_map(|one| (0..levels).flat_map(move |l| (0..colours).map(move |c| one[c * levels + l])))
                .collect()
        }))
    }

    fn widens_sessions(&self) -> bool {
        true
    }

    fn session(&self, n: usize, labels: &Labels) -> Result<Box<dyn Session>> {
        check_labels(&self.meta, n, labels)?;
        // One cache for the whole batch: the sampler gives each thread its own slice of images.
        let cache = self.net.clone().cache(labels);
        Ok(Box::new(NativeSession {
            meta: self.meta.clone(),
            cache,
            done: 0,
            tentative: None,
        }))
    }
}

/// Rows (positions x images) a full forward pass aims at: one digit, or four 16x16 emoji.
const FORWARD_ROWS: usize = 1024;

/// The cached sampler: each position of each layer is computed once, when its inputs are final.
struct NativeSession {
    meta: ModelMeta,
    cache: Box<dyn NetCache>,
    /// Positions before this one are computed with their final pixels.
    done: usize,
    /// The position last computed before its own pixel was final, and the last colour group
    /// computed there (the channel asked for, or 0 where the head reads only the context). No
    /// activation at p reads p's last channel (mask A keeps it out, mask B layers only pass on
    /// what the first layer read), so once every group was computed, the activations at p are
    /// final and the pixel only needs copying into the image.
    tentative: Option<(usize, usize)>,
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
        let colours = m.channels;
        let (done, tentative, cache) = (self.done, self.tentative, &mut self.cache);
        // The groups still to compute at q, up to `upto`: those after the channel last asked there.
        let todo = |q: usize, upto: usize| match tentative {
            Some((t, c)) if t == q => c + 1..upto.max(c + 1),
            _ => 0..upto,
        };
        for q in done..p {
            match tentative {
                Some((t, c)) if t == q && c + 1 == colours => load_pixel(pixels, cache.image_mut(), q),
                _ => cache.position(pixels, q, todo(q, colours)),
            }
        }
        // A head that reads only the context (the mixture) needs group 0 at p for every channel: the
        // pixel's later channels cost no layer, only the head (one pass per pixel, not one per channel).
        let upto = if cache.head_reads_context_only() { 1 } else { channel + 1 };
        match tentative {
            Some((t, c)) if t == p && c + 1 >= upto => load_pixel(pixels, cache.image_mut(), p),
            _ => cache.position(pixels, p, todo(p, upto)),
        }
        let out = cache.logits(p, channel);
        self.done = p;
        self.tentative = Some((p, match tentative {
            Some((t, c)) if t == p => c.max(upto - 1),
            _ => upto - 1,
        }));
        Ok(out)
    }

    fn widened(&self, labels: &Labels) -> Option<Box<dyn Session>> {
        Some(Box::new(NativeSession {
            meta: self.meta.clone(),
            // Up to the end of the row of the last position computed.
            cache: self.cache.widened(labels, ((self.done / self.meta.width + 1) * self.meta.width).min(self.meta.positions())),
            done: self.done,
            tentative: self.tentative,
        }))
    }

    fn head_parts(&self, row: usize, col: usize, channel: usize) -> Option<crate::head::Parts> {
        let p = row * self.meta.width + col;
        (p <= self.done && channel < self.meta.channels).then(|| self.cache.head_parts(p, channel)).flatten()
    }

    fn gates(&self, row: usize, col: usize) -> Vec<lstm::LstmGates> {
        let p = row * self.meta.width + col;
        if p <= self.done {
            self.cache.gates(p)
        } else {
            Vec::new()
        }
    }
}

/// Copies pixel `p` (all colour channels) of every image from `[n][C][H][W]` into a map's
/// `[n][C]` at p.
pub(crate) fn load_pixel(pixels: &[f32], map: &mut conv::Map, p: usize) {
    let (hw, c) = (map.h * map.w, map.c);
    let len = hw * c;
    let slab = map.at_mut(p);
    for (b, dst) in slab.chunks_exact_mut(c).enumerate() {
        for (k, v) in dst.iter_mut().enumerate() {
            *v = pixels[b * len + k * hw + p];
        }
    }
}
