//! The sampler as the page drives it: step (painting into a grid), read the levels, the softmax and
//! the LSTM gates.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::boundary::to_js;
use super::canvas::GridPainter;
use crate::sampler::{Sampler, Step};
use crate::class_posterior::ClassReading;

fn js(e: crate::Error) -> JsError {
    JsError::new(&e.to_string())
}

/// What one step call did (TypeScript: `Stepped` in boundary.rs).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stepped {
    /// Positions set, sampled or kept.
    pub positions: usize,
    /// Of those, the positions the sampler drew (kept ones are given, not drawn).
    pub sampled: usize,
    /// The last position drawn in this call, with the first image's level; None when the call only
    /// passed kept positions.
    pub last: Option<Drawn>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Drawn {
    /// row * width + col.
    pub pixel: usize,
    pub row: usize,
    pub col: usize,
    pub channel: usize,
    pub level: u8,
}

impl Drawn {
    /// The step's position and its (first image's) level, in an image `width` pixels wide.
    pub(crate) fn of(s: &crate::sampler::Step, width: usize) -> Self {
        Self { pixel: s.row * width + s.col, row: s.row, col: s.col, channel: s.channel, level: s.levels[0] }
    }
}

#[wasm_bindgen]
pub struct WasmSampler {
    inner: Sampler,
    reading: Option<ClassReading>,
}

impl WasmSampler {
    pub(crate) fn new(inner: Sampler, reading: Option<ClassReading>) -> Self {
        Self { inner, reading }
    }

    /// `classReading` for Rust callers (the in-browser tests).
    pub fn reading(&self) -> Option<&ClassReading> {
        self.reading.as_ref()
    }

    fn summary(&self, steps: &[Step]) -> Stepped {
        let w = self.inner.meta().width;
        let last = steps.iter().rev().find(|s| !s.kept).map(|s| Drawn::of(s, w));
        Stepped { positions: steps.len(), sampled: steps.iter().filter(|s| !s.kept).count(), last }
    }

    /// The painter must be a grid of this sampler's images.
    fn check(&self, painter: &GridPainter) -> Result<(), JsError> {
        let (g, m) = (painter.grid(), self.inner.meta());
        if (g.n, g.channels, g.height, g.width) != (self.inner.n(), m.channels, m.height, m.width) {
            return Err(JsError::new(&format!(
                "the grid is {} images of {}x{}x{} but the sampler draws {} of {}x{}x{}",
                g.n, g.channels, g.height, g.width, self.inner.n(), m.channels, m.height, m.width
            )));
        }
        Ok(())
    }

    /// `step` for Rust callers (the in-browser tests).
    pub fn advance(&mut self, count: usize) -> Result<Stepped, JsError> {
        let steps = self.inner.step(count).map_err(js)?;
        Ok(self.summary(&steps))
    }

    /// `stepInto` for Rust callers.
    pub fn advance_into(&mut self, count: usize, painter: &mut GridPainter) -> Result<Stepped, JsError> {
        self.check(painter)?;
        let steps = self.inner.step(count).map_err(js)?;
        let w = self.inner.meta().width;
        for s in &steps {
            for (k, &level) in s.levels.iter().enumerate() {
                painter.set(k, s.row * w + s.col, s.channel, level);
            }
        }
        if let Some(s) = steps.last() {
            painter.mark(s.row * w + s.col, s.channel);
        }
        painter.show()?;
        Ok(self.summary(&steps))
    }
}

#[wasm_bindgen]
impl WasmSampler {
    /// Advances up to `count` positions.
    #[wasm_bindgen(unchecked_return_type = "Stepped")]
    pub fn step(&mut self, count: usize) -> Result<JsValue, JsError> {
        to_js(&self.advance(count)?)
    }

    /// Advances up to `count` positions and paints what they set into `painter`'s grid, the
    /// newest position marked.
    #[wasm_bindgen(js_name = stepInto, unchecked_return_type = "Stepped")]
    pub fn step_into(&mut self, count: usize, painter: &mut GridPainter) -> Result<JsValue, JsError> {
        to_js(&self.advance_into(count, painter)?)
    }

    /// Paints the kept levels (a completion's given pixels) into `painter` before sampling starts.
    #[wasm_bindgen(js_name = paintKept)]
    pub fn paint_kept(&self, painter: &mut GridPainter) -> Result<(), JsError> {
        self.check(painter)?;
        let m = self.inner.meta();
        let hw = m.height * m.width;
        for (i, kept) in self.inner.kept().iter().enumerate() {
            if let Some(level) = *kept {
                for k in 0..self.inner.n() {
                    painter.set(k, i % hw, i / hw, level);
                }
            }
        }
        painter.show()
    }

    /// Image `k` as the grid shows it, RGB `[H * W * 3]` (palette.rs): sub-pixels not yet set (those
    /// at or after `position()` in raster order, R, G, B within a pixel) shown as unknown.
    #[wasm_bindgen(js_name = imageColours)]
    pub fn image_colours(&self, k: usize) -> Result<Vec<u8>, JsError> {
        let (m, n) = (self.inner.meta(), self.inner.n());
        if k >= n {
            return Err(JsError::new(&format!("image {k} of a sampler of {n}")));
        }
        let (c, hw) = (m.channels, m.height * m.width);
        let image = &self.inner.levels()[k * c * hw..(k + 1) * c * hw];
        let set = self.inner.position();
        let values = |p: usize| (0..c).map(|ch| (p * c + ch < set).then_some(image[ch * hw + p])).collect::<Vec<_>>();
        Ok((0..hw).flat_map(|p| crate::palette::colour(&values(p), m.levels)).collect())
    }

    pub fn done(&self) -> bool {
        self.inner.done()
    }

    /// Positions set so far, out of `total()`.
    pub fn position(&self) -> usize {
        self.inner.position()
    }

    pub fn total(&self) -> usize {
        self.inner.total()
    }

    /// Level indices `[n, C, H, W]`.
    pub fn levels(&self) -> Vec<u8> {
        self.inner.levels().to_vec()
    }

    /// LSTM gate activations of the first image at the last sampled position, `[layers][4][hidden]`
    /// in the order i, f, o, g (PixelRNN models on the native engine; empty otherwise).
    pub fn gates(&self) -> Vec<f32> {
        self.inner.gates().iter().flat_map(|g| [&g.i, &g.f, &g.o, &g.g].into_iter().flatten().copied()).collect()
    }

    /// Sub-pixels computed once for all the images, which were identical up to there (a
    /// completion's rows above the cut, unconditional samples' blank top rows); 0 at batch 1.
    #[wasm_bindgen(js_name = sharedPositions)]
    pub fn shared_positions(&self) -> usize {
        self.inner.shared_positions()
    }

    /// Softmax `[n, L]` at the last sampled position.
    pub fn probabilities(&self) -> Vec<f32> {
        self.inner.probabilities().to_vec()
    }

    /// The head's parts of the first image's distribution at the last sampled sub-pixel: a
    /// mixture's components (weight, mean and scale in levels); null for a softmax or on tract.
    #[wasm_bindgen(js_name = headParts, unchecked_return_type = "HeadParts | null")]
    pub fn head_parts(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.head_parts())
    }

    /// With `readClass`: p(class | kept) and the class each image completes under; else null.
    #[wasm_bindgen(js_name = classReading, unchecked_return_type = "ClassReading | null")]
    pub fn class_reading(&self) -> Result<JsValue, JsError> {
        to_js(&self.reading)
    }
}
