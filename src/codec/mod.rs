//! The model as a lossless codec. Each sub-pixel, in sampling order (raster, then R, G, B), is coded
//! by a range coder with the model's probability of it; decoding is sampling with the coder in place
//! of the random generator, so a decoded image appears position by position like a generation.
//!
//! A range coder (constriction's queue coder) rather than ANS: it is first in, first out, so the
//! encoder and the decoder both walk the image in the sampler's order, and the decoder can stop and
//! show what it has at any position. Its cost over the information content is a few bits per file:
//! the payload ends with the fewest bytes that name a point in the coder's final interval
//! (`shortest`), where the coder's own seal spends one or two 32-bit words.
//!
//! Only the native engine codes: its logits are the same bits on every platform, thread count and
//! batch size (products summed in one order, its own `exp`), which the tests hold; tract's are not.

pub mod format;
pub mod quantise;

use constriction::stream::queue::{DefaultRangeDecoder, DefaultRangeEncoder};
use constriction::stream::{Decode, Encode};

pub use format::{model_digest, Header, ModelDigest};

use crate::engine::{Engine, EngineKind, Session};
use crate::error::{Error, Result};
use crate::metadata::ModelMeta;
use crate::sampler::Step;

fn check_engine(engine: &dyn Engine) -> Result<()> {
    if engine.kind() != EngineKind::Native {
        return Err(Error::Input(
            "the codec runs on the native engine (its probabilities are the same bits everywhere)".into(),
        ));
    }
    Ok(())
}

fn check_image(meta: &ModelMeta, levels: &[u8], class: Option<usize>) -> Result<()> {
    if levels.len() != meta.image_len() {
        return Err(Error::Input(format!(
            "{} levels for an image of {} sub-pixels",
            levels.len(),
            meta.image_len()
        )));
    }
    if let Some(bad) = levels.iter().find(|&&k| k as usize >= meta.levels) {
        return Err(Error::Input(format!("level {bad} but the model has {} levels", meta.levels)));
    }
    crate::engine::check_labels(meta, 1, &[class])
}

/// One image: `levels` `[C, H, W]`, with its class for a conditional model (or None).
pub struct Image<'a> {
    pub levels: &'a [u8],
    pub class: Option<usize>,
}

/// One compressed file, and the model's information content of its image (its NLL in bits, from the
/// unquantised softmax): what the file's payload is measured against.
pub struct Encoded {
    pub bytes: Vec<u8>,
    pub nll_bits: f64,
}

/// -log2 of the softmax of `logits` at `k`, in f64.
fn information(logits: &[f32], k: usize) -> f64 {
    let max = logits.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(f64::from(v)));
    let sum: f64 = logits.iter().map(|&v| (f64::from(v) - max).exp()).sum();
    (max + sum.ln() - f64::from(logits[k])) / std::f64::consts::LN_2
}

/// Compressed files for `images`, from one full forward of them all (every position is known).
pub fn encode_batch(engine: &dyn Engine, model: ModelDigest, images: &[Image]) -> Result<Vec<Encoded>> {
    check_engine(engine)?;
    let m = engine.meta();
    if images.is_empty() {
        return Ok(Vec::new());
    }
    for im in images {
        check_image(m, im.levels, im.class)?;
    }
    let scale = (m.levels - 1) as f32;
    let pixels: Vec<f32> = images.iter().flat_map(|im| im.levels.iter().map(|&k| k as f32 / scale)).collect();
    let labels: Vec<Option<usize>> = images.iter().map(|im| im.class).collect();
    let logits = engine.forward(&pixels, images.len(), &labels)?;
    let (len, hw, cs, ls) = (m.image_len(), m.positions(), m.channels, m.levels);
    let mut at = vec![0f32; ls];
    images
        .iter()
        .enumerate()
        .map(|(b, im)| {
            let out = &logits[b * len * ls..(b + 1) * len * ls];
            let mut coder = DefaultRangeEncoder::new();
            let mut nll_bits = 0.0;
            // Each position's frequencies and level, in coding order, for `shortest`.
            let mut coded = Vec::with_capacity(len);
            for i in 0..len {
                let (p, c) = (i / cs, i % cs);
                for (l, v) in at.iter_mut().enumerate() {
                    *v = out[(l * cs + c) * hw + p];
                }
                let mut freqs = Vec::with_capacity(ls);
                quantise::frequencies(&at, &mut freqs);
                let k = im.levels[c * hw + p] as usize;
                nll_bits += information(&at, k);
                coder
                    .encode_symbol(k, quantise::model(&freqs))
                    .map_err(|e| Error::Input(format!("range coder: {e:?}")))?;
                coded.push((freqs, k));
            }
            let words = coder.into_compressed().map_err(|e| Error::Input(format!("range coder: {e:?}")))?;
            let payload = shortest(format::payload_bytes(&words), &coded);
            Ok(Encoded {
                bytes: Header::new(m, model, im.class, im.levels, payload.len())?.write(&payload),
                nll_bits,
            })
        })
        .collect()
}

/// The shortest payload that still decodes to the same levels, the missing bytes read as zeros: the
/// coder's seal words cut short, their last kept byte as written or one more, whichever is a point
/// inside the final interval (the fewest bytes that name one; the coder's own seal words stay close
/// to the interval's lower end so that streams can be concatenated, which a file with a length in
/// its header does not need). Checked by decoding with the recorded frequencies, which are what the
/// decoder computes while its levels agree.
fn shortest(payload: Vec<u8>, coded: &[(Vec<u32>, usize)]) -> Vec<u8> {
    // Each try decodes the whole image: the tables are built once.
    let models: Vec<(quantise::LevelModel, usize)> = coded.iter().map(|(f, k)| (quantise::model(f), *k)).collect();
    let decodes = |bytes: &[u8]| -> bool {
        // Reading words from memory cannot fail (the error type is empty).
        let Ok(mut d) = DefaultRangeDecoder::from_compressed(format::words(bytes));
        models.iter().all(|(model, k)| d.decode_symbol(model).is_ok_and(|got| got == *k))
    };
    for keep in payload.len().saturating_sub(8)..payload.len() {
        let cut = &payload[..keep];
        if decodes(cut) {
            return cut.to_vec();
        }
        if let Some(up) = plus_one(cut).filter(|b| decodes(b)) {
            return up;
        }
    }
    payload
}

/// The big-endian number in `bytes` plus one, or None where it overflows (or is empty).
fn plus_one(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = bytes.to_vec();
    for b in out.iter_mut().rev() {
        let (v, carry) = b.overflowing_add(1);
        *b = v;
        if !carry {
            return Some(out);
        }
    }
    None
}

/// A compressed file for one image.
pub fn encode(engine: &dyn Engine, model: ModelDigest, levels: &[u8], class: Option<usize>) -> Result<Vec<u8>> {
    Ok(encode_batch(engine, model, &[Image { levels, class }])?.remove(0).bytes)
}

/// The image in `bytes`, with its header, decoded in one go.
pub fn decode(engine: &dyn Engine, model: ModelDigest, bytes: &[u8]) -> Result<(Header, Vec<u8>)> {
    let mut d = Decoder::new(engine, model, bytes)?;
    while !d.done() {
        d.step(engine.meta().width * engine.meta().channels)?;
    }
    Ok((d.header.clone(), d.levels))
}

/// Decodes a file position by position, as the sampler samples: one cached forward step each.
pub struct Decoder {
    header: Header,
    meta: ModelMeta,
    session: Box<dyn Session>,
    coder: DefaultRangeDecoder,
    payload_bits: usize,
    /// `[C, H, W]` levels, and the same as k/(L-1) for the engine.
    levels: Vec<u8>,
    pixels: Vec<f32>,
    next: usize,
    bits: f64,
    freqs: Vec<u32>,
}

impl Decoder {
    pub fn new(engine: &dyn Engine, model: ModelDigest, bytes: &[u8]) -> Result<Self> {
        check_engine(engine)?;
        let (header, words) = Header::read(bytes)?;
        let meta = engine.meta().clone();
        header.check_model(&meta, model)?;
        let payload_bits = 8 * header.payload;
        let coder = DefaultRangeDecoder::from_compressed(words).map_err(|e| Error::Input(format!("range coder: {e:?}")))?;
        let session = engine.session(1, &[header.class])?;
        let len = meta.image_len();
        Ok(Self {
            header,
            session,
            coder,
            payload_bits,
            levels: vec![0; len],
            pixels: vec![0.0; len],
            next: 0,
            bits: 0.0,
            freqs: Vec::new(),
            meta,
        })
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    pub fn meta(&self) -> &ModelMeta {
        &self.meta
    }

    /// Sub-pixels decoded so far, out of `total()`.
    pub fn position(&self) -> usize {
        self.next
    }

    pub fn total(&self) -> usize {
        self.meta.image_len()
    }

    pub fn done(&self) -> bool {
        self.next >= self.total()
    }

    /// The information in the sub-pixels decoded so far (-log2 of each one's coded probability):
    /// the bits of the payload they have used.
    pub fn bits(&self) -> f64 {
        self.bits
    }

    /// The payload's size in bits.
    pub fn payload_bits(&self) -> usize {
        self.payload_bits
    }

    /// Levels `[C, H, W]`: decoded up to `position()`, 0 after.
    pub fn levels(&self) -> &[u8] {
        &self.levels
    }

    /// Decodes up to `count` more sub-pixels. The last one checks the image against the header:
    /// an altered or truncated file is an error here, never a wrong image.
    pub fn step(&mut self, count: usize) -> Result<Vec<Step>> {
        let m = &self.meta;
        let (hw, cs) = (m.positions(), m.channels);
        let count = count.min(self.total() - self.next);
        let mut steps = Vec::with_capacity(count);
        for at in self.next..self.next + count {
            let (p, c) = (at / cs, at % cs);
            let (row, col) = (p / m.width, p % m.width);
            let logits = self.session.logits(&self.pixels, row, col, c)?;
            quantise::frequencies(&logits, &mut self.freqs);
            let k = self
                .coder
                .decode_symbol(quantise::model(&self.freqs))
                .map_err(|e| Error::Input(format!("the payload is damaged: {e:?}")))?;
            self.bits += quantise::bits(&self.freqs, k);
            self.levels[c * hw + p] = k as u8;
            self.pixels[c * hw + p] = k as f32 / (m.levels - 1) as f32;
            steps.push(Step {
                row,
                col,
                channel: c,
                levels: vec![k as u8],
                kept: false,
            });
        }
        self.next += count;
        // The check covers the header (the payload's length too) and the image: bytes appended to
        // the payload, or a payload that decodes to another image, fail it.
        if count > 0 && self.done() && !self.header.matches(&self.levels) {
            return Err(Error::Input(
                "the file is altered or truncated: the decoded image does not match its check".into(),
            ));
        }
        Ok(steps)
    }
}
