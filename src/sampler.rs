//! Raster-order sampling over any engine: temperature, a seeded generator, stepping, and kept
//! positions that are never resampled.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

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

pub struct Sampler {
    session: Box<dyn Session>,
    /// Classifier-free guidance: an unconditional session and the scale s; the logits used are
    /// u + s * (c - u). Trained with some labels dropped, the model has both modes.
    guidance: Option<(Box<dyn Session>, f32)>,
    meta: ModelMeta,
    n: usize,
    /// `[n, C, H, W]` as k/(L-1), what the engines read.
    pixels: Vec<f32>,
    /// `[n, C, H, W]` level indices.
    levels: Vec<u8>,
    kept: Vec<Option<u8>>,
    /// Next position in sampling order, `pixel * C + channel`.
    next: usize,
    rng: ChaCha8Rng,
    temperature: f32,
    probabilities: Vec<f32>,
    last_sampled: Option<(usize, usize)>,
}

impl Sampler {
    /// `kept`: empty, or one entry per `[C, H, W]` position, `Some(level)` to keep it in every image.
    pub fn new(
        engine: &dyn Engine,
        n: usize,
        seed: u64,
        temperature: f32,
        labels: Vec<Option<usize>>,
        kept: Vec<Option<u8>>,
    ) -> Result<Self> {
        if n == 0 || n > 1024 {
            return Err(Error::Input(format!("{n} images: choose 1 to 1024")));
        }
        let session = engine.session(n, &labels)?;
        Self::with_session(engine.meta().clone(), session, n, seed, temperature, kept)
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
        if n == 0 || n > 1024 {
            return Err(Error::Input(format!("{n} images: choose 1 to 1024")));
        }
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
        Ok(Self {
            session,
            guidance: None,
            meta,
            n,
            pixels,
            levels,
            kept,
            next: 0,
            rng: ChaCha8Rng::seed_from_u64(seed),
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
            self.guidance = Some((engine.session(self.n, &vec![None; self.n])?, scale));
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

    pub fn n(&self) -> usize {
        self.n
    }

    /// LSTM gate activations of the first image at the last sampled position (PixelRNN models on
    /// the native engine; empty otherwise).
    pub fn gates(&self) -> Vec<crate::engine::native::lstm::LstmGates> {
        match self.last_sampled {
            Some((row, col)) => self.session.gates(row, col),
            None => Vec::new(),
        }
    }

    /// Softmax `[n, L]` (after temperature) at the last sampled position.
    pub fn probabilities(&self) -> &[f32] {
        &self.probabilities
    }

    /// Advances up to `count` positions; kept positions are passed over without a forward.
    pub fn step(&mut self, count: usize) -> Result<Vec<Step>> {
        if rayon::current_num_threads() > 1 {
            // The whole slice runs on the thread pool, so the engine's per-position splits are
            // joins between pool threads (cheap) rather than waking the pool from outside for
            // every sub-pixel.
            rayon::scope(|_| self.step_here(count))
        } else {
            self.step_here(count)
        }
    }

    fn step_here(&mut self, count: usize) -> Result<Vec<Step>> {
        let m = &self.meta;
        let (c_count, hw, len) = (m.channels, m.height * m.width, m.image_len());
        let mut steps = Vec::new();
        while steps.len() < count && !self.done() {
            let (p, c) = (self.next / c_count, self.next % c_count);
            let (row, col) = (p / m.width, p % m.width);
            let idx = c * hw + p;
            let step = if let Some(k) = self.kept[idx] {
                Step {
                    row,
                    col,
                    channel: c,
                    levels: vec![k; self.n],
                    kept: true,
                }
            } else {
                let mut logits = self.session.logits(&self.pixels, row, col, c)?;
                if let Some((unconditional, scale)) = &mut self.guidance {
                    let u = unconditional.logits(&self.pixels, row, col, c)?;
                    for (l, u) in logits.iter_mut().zip(u) {
                        *l = u + *scale * (*l - u);
                    }
                }
                self.last_sampled = Some((row, col));
                let mut values = Vec::with_capacity(self.n);
                self.probabilities.clear();
                for b in 0..self.n {
                    let probs = softmax(&logits[b * m.levels..(b + 1) * m.levels], self.temperature);
                    let k = draw(&probs, self.rng.random::<f32>());
                    self.probabilities.extend_from_slice(&probs);
                    self.levels[b * len + idx] = k as u8;
                    self.pixels[b * len + idx] = k as f32 / (m.levels - 1) as f32;
                    values.push(k as u8);
                }
                Step {
                    row,
                    col,
                    channel: c,
                    levels: values,
                    kept: false,
                }
            };
            steps.push(step);
            self.next += 1;
        }
        Ok(steps)
    }

    pub fn run_to_end(&mut self) -> Result<()> {
        while !self.done() {
            self.step(self.meta.width * self.meta.channels)?;
        }
        Ok(())
    }
}

/// Softmax of logits / temperature; temperature 0 puts all mass on the largest logit.
pub fn softmax(logits: &[f32], temperature: f32) -> Vec<f32> {
    if temperature <= 1e-6 {
        let best = logits.iter().enumerate().fold(0, |b, (i, &v)| if v > logits[b] { i } else { b });
        return (0..logits.len()).map(|i| f32::from(i == best)).collect();
    }
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f32> = logits.iter().map(|&v| ((v - max) / temperature).exp()).collect();
    let sum: f32 = e.iter().sum();
    e.iter().map(|v| v / sum).collect()
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
