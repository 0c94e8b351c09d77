//! The codec as the page drives it: compress an image, and decode a file position by position into
//! the grid, with the bits used so far.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::boundary::to_js;
use super::canvas::GridPainter;
use super::sampler::Drawn;
use crate::codec::{format::hex, Decoder, Header};

fn js(e: crate::Error) -> JsError {
    JsError::new(&e.to_string())
}

/// A compressed file's header, read before its model is loaded (TypeScript: `CompressedHeader`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeaderView {
    /// The model's digest, hex: the manifest's `digest` of the file it was made with.
    pub model: String,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub class: Option<usize>,
    pub bytes: usize,
}

impl HeaderView {
    fn of(h: &Header, bytes: usize) -> Self {
        Self {
            model: hex(&h.model),
            channels: h.channels,
            height: h.height,
            width: h.width,
            class: h.class,
            bytes,
        }
    }
}

/// Reads a compressed file's header (magic, version, model, shape, class), or says what is wrong.
#[wasm_bindgen(js_name = readCompressedHeader, unchecked_return_type = "CompressedHeader")]
pub fn read_compressed_header(bytes: &[u8]) -> Result<JsValue, JsError> {
    let (h, _) = Header::read(bytes).map_err(js)?;
    to_js(&HeaderView::of(&h, bytes.len()))
}

/// What one decoder step did (TypeScript: `DecodeStepped`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DecodeStepped {
    pub positions: usize,
    pub last: Option<Drawn>,
    /// Bits of the payload the decoded sub-pixels have used so far, and the payload's size.
    pub bits: f64,
    pub payload_bits: usize,
    pub done: bool,
}

#[wasm_bindgen]
pub struct WasmDecoder {
    inner: Decoder,
}

impl WasmDecoder {
    pub(crate) fn new(inner: Decoder) -> Self {
        Self { inner }
    }

    /// `stepInto` for Rust callers (the in-browser tests); without a painter when None.
    pub fn advance(&mut self, count: usize, painter: Option<&mut GridPainter>) -> Result<DecodeStepped, JsError> {
        let m = self.inner.meta();
        let w = m.width;
        if let Some(p) = &painter {
            let g = p.grid();
            if (g.n, g.channels, g.height, g.width) != (1, m.channels, m.height, w) {
                return Err(JsError::new("the decoder paints into a grid of one image of the model's shape"));
            }
        }
        let steps = self.inner.step(count).map_err(js)?;
        if let Some(painter) = painter {
            for s in &steps {
                painter.set(0, s.row * w + s.col, s.channel, s.levels[0]);
            }
            if let Some(s) = steps.last() {
                painter.mark(s.row * w + s.col, s.channel);
            }
            painter.show()?;
        }
        let last = steps.last().map(|s| Drawn::of(s, w));
        Ok(DecodeStepped {
            positions: steps.len(),
            last,
            bits: self.inner.bits(),
            payload_bits: self.inner.payload_bits(),
            done: self.inner.done(),
        })
    }
}

#[wasm_bindgen]
impl WasmDecoder {
    /// Decodes up to `count` more sub-pixels and paints them into `painter` (a grid of one image).
    /// The last one checks the image against the file: an altered file is an error, not an image.
    #[wasm_bindgen(js_name = stepInto, unchecked_return_type = "DecodeStepped")]
    pub fn step_into(&mut self, count: usize, painter: &mut GridPainter) -> Result<JsValue, JsError> {
        to_js(&self.advance(count, Some(painter))?)
    }

    /// Decodes up to `count` more sub-pixels.
    #[wasm_bindgen(unchecked_return_type = "DecodeStepped")]
    pub fn step(&mut self, count: usize) -> Result<JsValue, JsError> {
        to_js(&self.advance(count, None)?)
    }

    pub fn done(&self) -> bool {
        self.inner.done()
    }

    pub fn position(&self) -> usize {
        self.inner.position()
    }

    pub fn total(&self) -> usize {
        self.inner.total()
    }

    /// Level indices `[C, H, W]` decoded so far (0 after `position()`).
    pub fn levels(&self) -> Vec<u8> {
        self.inner.levels().to_vec()
    }

    /// The file's header.
    #[wasm_bindgen(unchecked_return_type = "CompressedHeader")]
    pub fn header(&self) -> Result<JsValue, JsError> {
        to_js(&HeaderView::of(
            self.inner.header(),
            crate::codec::format::HEADER_LEN + self.inner.payload_bits() / 8,
        ))
    }
}
