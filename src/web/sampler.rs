//! The sampler as the page drives it: step, read the levels, the softmax and the LSTM gates.

use wasm_bindgen::prelude::*;

use crate::sampler::Sampler;

fn js(e: crate::Error) -> JsError {
    JsError::new(&e.to_string())
}

#[wasm_bindgen]
pub struct WasmSampler {
    inner: Sampler,
}

impl WasmSampler {
    pub(crate) fn new(inner: Sampler) -> Self {
        Self { inner }
    }
}

#[wasm_bindgen]
impl WasmSampler {
    /// Advances up to `count` positions. Returns, per position set, `[pixel, channel, kept, v_0 .. v_{n-1}]`
    /// where pixel = row * width + col.
    pub fn step(&mut self, count: usize) -> Result<Vec<i32>, JsError> {
        let w = self.inner.meta().width;
        let steps = self.inner.step(count).map_err(js)?;
        let mut out = Vec::with_capacity(steps.len() * (3 + self.inner.n()));
        for s in steps {
            out.extend([(s.row * w + s.col) as i32, s.channel as i32, i32::from(s.kept)]);
            out.extend(s.levels.iter().map(|&v| v as i32));
        }
        Ok(out)
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

    /// Softmax `[n, L]` at the last sampled position.
    pub fn probabilities(&self) -> Vec<f32> {
        self.inner.probabilities().to_vec()
    }
}
