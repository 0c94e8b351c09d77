//! Raster-order sampling over any engine: temperature, a seeded generator, stepping, and kept
//! positions that are never resampled.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::engine::native::activation::exp;
use crate::engine::{Engine, Session};
use crate::error::{Error, Result};
use crate::metadata::ModelMeta;

/// One position (pixel and colour channel) that `step` set, with its level in every image.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub row: usize,
    pub col: usize,
    pub channel: usize,
    pub levels: Vec<u8>,
    /// True when the position was given (completion), not sampled.
    pub kept: bool,
}

/// A slice of the batch with its own sessions and generators. Slices never wait on each other, so
/// with threads each runs whole slices of positions in parallel: one join per `step` call, not one
/// per sub-pixel (a join that wakes a sleeping thread costs about a millisecond in a browser).
struct Part {
    images: std::ops::Range<usize>,
    session: Box<dyn Session>,
    /// Classifier-free guidance's unconditional session; the logits used are u + s * (c - u).
    unconditional: Option<Box<dyn Session>>,
    /// One generator per image (the seed's stream `b` for image `b`), so an image is the same
    /// whichever slice draws it.
    rngs: Vec<ChaCha8Rng>,
    /// Softmax `[images, L]` at the last sampled position.
    probabilities: Vec<f32>,
    /// While the slice's images are identical (one label, the same levels so far: unconditional
    /// samples share their blank top rows, completions everything above the cut), its sessions
    /// hold one image, computed once for all; at the first sub-pixel where they differ the
    /// sessions are widened to the slice with that image's activations. Some(the slice's labels)
    /// until then.
    shared: Option<Vec<Option<usize>>>,
    /// Sub-pixels passed while the images were shared.
    shared_positions: usize,
}

pub struct Sampler {
    parts: Vec<Part>,
    /// Guidance scale s (1: plain sampling). Trained with some labels dropped, the model has both
    /// modes.
    scale: f32,
    meta: ModelMeta,
    n: usize,
    /// `[n, C, H, W]` as k/(L-1), what the engines read.
    pixels: Vec<f32>,
    /// `[n, C, H, W]` level indices.
    levels: Vec<u8>,
    kept: Vec<Option<u8>>,
    /// Next position in sampling order, `pixel * C + channel`.
    next: usize,
    temperature: f32,
    probabilities: Vec<f32>,
    last_sampled: Option<(usize, usize, usize)>,
}

pub(crate) fn check_n(n: usize) -> Result<()> {
    if n == 0 || n > 1024 {
        return Err(Error::Input(format!("{n} images: choose 1 to 1024")));
    }
    Ok(())
}

/// Image `b`'s generator for `seed`.
fn generator(seed: u64, b: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(b as u64);
    rng
}

/// Images in the smallest slice of the batch given a thread. One: with the layers' temporaries
/// reused (no allocation per position), 2 images on 2 threads run 1.6-1.8x faster than on one in
/// Chromium; before, every thread queued on the allocator's lock and small slices were slower.
const MIN_SLICE: usize = 1;

impl Sampler {
    /// `kept`: empty, or one entry per `[C, H, W]` position, `Some(level)` to keep it in every image.
    /// With threads, the batch is split into one slice per thread (of at least `MIN_SLICE` images).
    pub fn new(
        engine: &dyn Engine,
        n: usize,
        seed: u64,
        temperature: f32,
        labels: Vec<Option<usize>>,
        kept: Vec<Option<u8>>,
    ) -> Result<Self> {
        check_n(n)?;
        crate::engine::check_labels(engine.meta(), n, &labels)?;
        let slices = crate::threads::available().min(n / MIN_SLICE).max(1);
        let size = n.div_ceil(slices);
        let mut sessions = Vec::new();
        for (k, l) in labels.chunks(size).enumerate() {
            let shared = engine.widens_sessions() && l.len() > 1 && l.iter().all(|x| *x == l[0]);
            let session = engine.session(if shared { 1 } else { l.len() }, if shared { &l[..1] } else { l })?;
            sessions.push((k * size..k * size + l.len(), session, shared.then(|| l.to_vec())));
        }
        Self::build(engine.meta().clone(), sessions, n, seed, temperature, kept)
    }

    /// A sampler over a session made elsewhere (e.g. the native full-recompute baseline).
    pub fn with_session(
        meta: ModelMeta,
        session: Box<dyn Session>,
        n: usize,
        seed: u64,
        temperature: f32,
        kept: Vec<Option<u8>>,
    ) -> Result<Self> {
        check_n(n)?;
        Self::build(meta, vec![(0..n, session, None)], n, seed, temperature, kept)
    }

    fn build(
        meta: ModelMeta,
        sessions: Vec<(std::ops::Range<usize>, Box<dyn Session>, Option<Vec<Option<usize>>>)>,
        n: usize,
        seed: u64,
        temperature: f32,
        kept: Vec<Option<u8>>,
    ) -> Result<Self> {
        if !(temperature.is_finite() && temperature >= 0.0) {
            return Err(Error::Input(format!("temperature {temperature} must be a number >= 0")));
        }
        let len = meta.image_len();
        let kept = if kept.is_empty() { vec![None; len] } else { kept };
        if kept.len() != len {
            return Err(Error::Input(format!("{} kept entries for an image of {len} positions", kept.len())));
        }
        if let Some(bad) = kept.iter().flatten().find(|&&k| k as usize >= meta.levels) {
            return Err(Error::Input(format!("kept level {bad} but the model has {} levels", meta.levels)));
        }
        let mut levels = vec![0u8; n * len];
        for b in 0..n {
            for (i, k) in kept.iter().enumerate() {
                levels[b * len + i] = k.unwrap_or(0);
            }
        }
        let scale = (meta.levels - 1) as f32;
        let pixels = levels.iter().map(|&k| k as f32 / scale).collect();
        let parts = sessions
            .into_iter()
            .map(|(images, session, shared)| Part {
                rngs: images.clone().map(|b| generator(seed, b)).collect(),
                images,
                session,
                unconditional: None,
                probabilities: Vec::new(),
                shared,
                shared_positions: 0,
            })
            .collect();
        Ok(Self {
            parts,
            scale: 1.0,
            meta,
            n,
            pixels,
            levels,
            kept,
            next: 0,
            temperature,
            probabilities: Vec::new(),
            last_sampled: None,
        })
    }

    /// Strengthens (scale > 1) or weakens the class conditioning of a conditional model; scale 1
    /// is plain sampling. Each sampled position then costs two predictions.
    pub fn with_guidance(mut self, engine: &dyn Engine, scale: f32) -> Result<Self> {
        if !scale.is_finite() || scale < 0.0 {
            return Err(Error::Input(format!("guidance scale {scale} must be a number >= 0")));
        }
        if scale != 1.0 {
            if self.meta.classes == 0 {
                return Err(Error::Input("guidance needs a class-conditional model".into()));
            }
            for part in &mut self.parts {
                let k = if part.shared.is_some() { 1 } else { part.images.len() };
                part.unconditional = Some(engine.session(k, &vec![None; k])?);
            }
            self.scale = scale;
        }
        Ok(self)
    }

    pub fn meta(&self) -> &ModelMeta {
        &self.meta
    }

    pub fn total(&self) -> usize {
        self.meta.image_len()
    }

    /// Positions set so far (sampled or kept).
    pub fn position(&self) -> usize {
        self.next
    }

    pub fn done(&self) -> bool {
        self.next >= self.total()
    }

    /// Level indices `[n, C, H, W]`.
    pub fn levels(&self) -> &[u8] {
        &self.levels
    }

    /// Levels kept in every image, `[C, H, W]` (None where the sampler draws).
    pub fn kept(&self) -> &[Option<u8>] {
        &self.kept
    }

    pub fn n(&self) -> usize {
        self.n
    }

    /// LSTM gate activations of the first image at the last sampled position (PixelRNN models on
    /// the native engine; empty otherwise).
    pub fn gates(&self) -> Vec<crate::engine::native::lstm::LstmGates> {
        match (self.last_sampled, self.parts.first()) {
            (Some((row, col, _)), Some(part)) => part.session.gates(row, col),
            _ => Vec::new(),
        }
    }

    /// The head's parts of the first image's distribution at the last sampled sub-pixel (a
    /// mixture's components; none for a softmax, or on tract).
    pub fn head_parts(&self) -> Option<crate::head::Parts> {
        match (self.last_sampled, self.parts.first()) {
            (Some((row, col, channel)), Some(part)) => part.session.head_parts(row, col, channel),
            _ => None,
        }
    }

    /// Sub-pixels computed once for all the images of a slice, because they were identical up to
    /// there (the fewest over the slices of more than one image; 0 if there are none).
    pub fn shared_positions(&self) -> usize {
        self.parts.iter().filter(|p| p.images.len() > 1).map(|p| p.shared_positions).min().unwrap_or(0)
    }

    /// Softmax `[n, L]` (after temperature) at the last sampled position.
    pub fn probabilities(&self) -> &[f32] {
        &self.probabilities
    }

    /// Advances up to `count` positions; kept positions are passed over without a forward.
    pub fn step(&mut self, count: usize) -> Result<Vec<Step>> {
        let (m, len) = (&self.meta, self.meta.image_len());
        let count = count.min(self.total() - self.next);
        let (next, kept, temperature, scale) = (self.next, &self.kept, self.temperature, self.scale);
        // Each slice with its own images' pixels and levels.
        let mut work = Vec::new();
        let (mut pixels, mut levels) = (&mut self.pixels[..], &mut self.levels[..]);
        for part in &mut self.parts {
            let (p, rest_p) = pixels.split_at_mut(part.images.len() * len);
            let (l, rest_l) = levels.split_at_mut(part.images.len() * len);
            (pixels, levels) = (rest_p, rest_l);
            work.push((part, p, l));
        }
        let run = |(part, pixels, levels): &mut (&mut Part, &mut [f32], &mut [u8])| {
            part.advance(m, kept, next, count, temperature, scale, pixels, levels)
        };
        let drawn: Vec<Result<Vec<Option<Vec<u8>>>>> = if work.len() > 1 {
            use rayon::prelude::*;
            rayon::scope(|_| work.par_iter_mut().map(run).collect())
        } else {
            work.iter_mut().map(run).collect()
        };
        let drawn = drawn.into_iter().collect::<Result<Vec<_>>>()?;
        let mut steps = Vec::with_capacity(count);
        for i in 0..count {
            let at = next + i;
            let (p, c) = (at / m.channels, at % m.channels);
            let (row, col) = (p / m.width, p % m.width);
            let step = match kept[c * m.height * m.width + p] {
                Some(k) => Step { row, col, channel: c, levels: vec![k; self.n], kept: true },
                None => {
                    self.last_sampled = Some((row, col, c));
                    let levels = drawn.iter().flat_map(|d| d[i].clone().expect("a sampled position")).collect();
                    Step { row, col, channel: c, levels, kept: false }
                }
            };
            steps.push(step);
        }
        if steps.iter().any(|s| !s.kept) {
            self.probabilities = self.parts.iter().flat_map(|p| p.probabilities.iter().copied()).collect();
        }
        self.next += count;
        Ok(steps)
    }

    pub fn run_to_end(&mut self) -> Result<()> {
        while !self.done() {
            self.step(self.meta.width * self.meta.channels)?;
        }
        Ok(())
    }
}

impl Part {
    /// Positions `next..next + count` for this slice's images (`pixels`, `levels`: theirs only):
    /// per position, the levels drawn, or None where the position is kept.
    #[allow(clippy::too_many_arguments)]
    fn advance(
        &mut self,
        m: &ModelMeta,
        kept: &[Option<u8>],
        next: usize,
        count: usize,
        temperature: f32,
        scale: f32,
        pixels: &mut [f32],
        levels: &mut [u8],
    ) -> Result<Vec<Option<Vec<u8>>>> {
        let (hw, len, n) = (m.height * m.width, m.image_len(), self.images.len());
        let mut out = Vec::with_capacity(count);
        for at in next..next + count {
            let (p, c) = (at / m.channels, at % m.channels);
            let (row, col) = (p / m.width, p % m.width);
            let idx = c * hw + p;
            if kept[idx].is_some() {
                self.shared_positions += usize::from(self.shared.is_some());
                out.push(None);
                continue;
            }
            // Shared: the sessions hold the first image, which stands for all.
            let rows = if self.shared.is_some() { 1 } else { n };
            let mut logits = self.session.logits(&pixels[..rows * len], row, col, c)?;
            if let Some(unconditional) = &mut self.unconditional {
                let u = unconditional.logits(&pixels[..rows * len], row, col, c)?;
                for (l, u) in logits.iter_mut().zip(u) {
                    *l = u + scale * (*l - u);
                }
            }
            let mut values = Vec::with_capacity(n);
            self.probabilities.clear();
            for b in 0..n {
                let start = self.probabilities.len();
                if rows == 1 && b > 0 {
                    // One image stands for all: its softmax is every image's.
                    self.probabilities.extend_from_within(..m.levels);
                } else {
                    softmax_into(&logits[b * m.levels..(b + 1) * m.levels], temperature, &mut self.probabilities);
                }
                let k = draw(&self.probabilities[start..], self.rngs[b].random::<f32>());
                levels[b * len + idx] = k as u8;
                pixels[b * len + idx] = k as f32 / (m.levels - 1) as f32;
                values.push(k as u8);
            }
            if self.shared.is_some() {
                self.shared_positions += 1;
                if values.iter().any(|&v| v != values[0]) {
                    self.widen();
                }
            }
            out.push(Some(values));
        }
        Ok(out)
    }
}

impl Part {
    /// The images have just differed: each session becomes one for the whole slice, every image at
    /// the state of the one computed so far.
    fn widen(&mut self) {
        if let Some(labels) = self.shared.take() {
            let fork = |s: &dyn Session, labels: &[Option<usize>]| s.widened(labels).expect("sessions are shared only where the engine widens them");
            self.session = fork(&*self.session, &labels);
            if let Some(u) = &self.unconditional {
                self.unconditional = Some(fork(&**u, &vec![None; labels.len()]));
            }
        }
    }
}

/// Softmax of logits / temperature; temperature 0 puts all mass on the largest logit.
pub fn softmax(logits: &[f32], temperature: f32) -> Vec<f32> {
    let mut out = Vec::with_capacity(logits.len());
    softmax_into(logits, temperature, &mut out);
    out
}

/// `softmax`, appended to `out` (the sampler's one buffer: no allocation per sub-pixel).
pub fn softmax_into(logits: &[f32], temperature: f32, out: &mut Vec<f32>) {
    let start = out.len();
    if temperature <= 1e-6 {
        let best = logits.iter().enumerate().fold(0, |b, (i, &v)| if v > logits[b] { i } else { b });
        out.extend((0..logits.len()).map(|i| f32::from(i == best)));
        return;
    }
    let max = logits.iter().fold(f32::NEG_INFINITY, |m, &v| if v > m { v } else { m });
    // The engine's polynomial exp (within 1e-6 of std's): a 256-level softmax per sub-pixel would
    // otherwise make a libm call per level, which in wasm is a software routine.
    out.extend(logits.iter().map(|&v| exp((v - max) / temperature)));
    let sum: f32 = out[start..].iter().sum();
    for v in &mut out[start..] {
        *v /= sum;
    }
}

/// Inverse CDF: the first level whose cumulative probability exceeds `u` in [0, 1).
pub fn draw(probs: &[f32], u: f32) -> usize {
    let mut acc = 0.0;
    for (k, &p) in probs.iter().enumerate() {
        acc += p;
        if u < acc {
            return k;
        }
    }
    probs.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_and_draw() {
        let p = softmax(&[0.0, (3.0f32).ln()], 1.0);
        assert!((p[0] - 0.25).abs() < 1e-6 && (p[1] - 0.75).abs() < 1e-6);
        assert_eq!(draw(&p, 0.2), 0);
        assert_eq!(draw(&p, 0.3), 1);
        assert_eq!(softmax(&[1.0, 3.0, 2.0], 0.0), vec![0.0, 1.0, 0.0]);
        // Lower temperature sharpens.
        assert!(softmax(&[0.0, 1.0], 0.5)[1] > softmax(&[0.0, 1.0], 1.0)[1]);
    }
}
