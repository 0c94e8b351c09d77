//! What crosses the JS boundary, typed: the engine name, the sampler's options (one object, checked
//! by serde: no positional arguments, no sentinel values) and the values the page reads (metadata,
//! model card, kernel masks, diagram) as plain JS objects. The TypeScript below is emitted into the
//! generated .d.ts, and `tsc --noEmit` checks the page's JS against it; keep the two in step.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::EngineKind;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Options of `Model.sampler`. Absent fields take their defaults. */
export interface SamplerOptions {
  engine: EngineName;
  /** Images sampled side by side. */
  n: number;
  /** A whole number from 0 to 2^53 - 1; same seed, same images. */
  seed: number;
  /** Softmax temperature; default 1. */
  temperature?: number;
  /** One class per image (null: none), or absent for an unconditional batch. */
  labels?: (number | null)[];
  /** One level per [C, H, W] position to keep (null: sample it), or absent for none. */
  kept?: (number | null)[];
  /** Classifier-free guidance scale for a conditional model with a class; default 1 (none). */
  guidance?: number;
  /** A conditional model with no labels given: read p(class | the kept sub-pixels that come first)
   *  and complete each image under a class drawn from it (seeded); default false. */
  readClass?: boolean;
}

/** `WasmSampler.classReading()`: p(class | kept) and the class each image completes under. */
export interface ClassReading { posterior: number[]; labels: number[] }

export interface Metadata {
  arch: string; levels: number; channels: number; height: number; width: number; classes: number;
  class_names: string[]; guidance: { scale: number; measured: string } | null;
  config: Record<string, unknown>; test_nll_nats: number | null; props: Record<string, string>;
}

/** What `new GridPainter(canvas, shape)` draws: `n` images of the model's shape, `cols` a row
 *  (absent: as square as fits). */
export interface GridShape { n: number; cols?: number; height: number; width: number; channels: number; levels: number }

/** Where each image lies on the grid's canvas: image k's top-left pixel is
 *  ((k % cols) * (width + gap), floor(k / cols) * (height + gap)). */
export interface GridLayout {
  n: number; cols: number; rows: number; gap: number; height: number; width: number; channels: number; levels: number;
  canvasWidth: number; canvasHeight: number;
}

/** What one `step` or `stepInto` call did. */
export interface Stepped {
  /** Positions set, sampled or kept. */
  positions: number;
  /** Of those, the positions the sampler drew. */
  sampled: number;
  /** The last position drawn in the call (pixel = row * width + col) with the first image's level;
   *  null when the call only passed kept positions. */
  last: { pixel: number; row: number; col: number; channel: number; level: number } | null;
}

/** A compressed image's header (`readCompressedHeader`); `model` is the digest in models.json. */
export interface CompressedHeader { model: string; channels: number; height: number; width: number; class: number | null; bytes: number }

/** What one decoder `step` or `stepInto` call did: the bits of the payload used so far. */
export interface DecodeStepped {
  positions: number;
  last: { pixel: number; row: number; col: number; channel: number; level: number } | null;
  bits: number; payload_bits: number; done: boolean;
}

export interface Card { parameters: number; ops: Record<string, number>; io: string; architecture: ArchitectureFacts | null; head: HeadFacts | null }
/** The file's output head, from the crate's head registry (null: one it does not know). */
export interface HeadFacts { kind: string; title: string }
/** A mixture head's components at one sub-pixel: weight given the pixel's earlier channels, mean
 *  and scale in levels (`Sampler.headParts`). */
export interface HeadParts { components: { weight: number; mean: number; scale: number }[] }
/** What the crate's registry says of the file's architecture (null: one it does not know, tract only). */
export interface ArchitectureFacts { title: string; field_caption: string }

export interface KernelMask { name: string; height: number; width: number; mask: number[][]; centre_groups?: number[][] }
export interface KernelMasks { arch: string; kernels: KernelMask[] }

export interface Block {
  name: string; kind: 'input' | 'conv' | 'residual' | 'gated' | 'lstm' | 'head' | 'softmax' | 'mixture'; detail: string;
  in_ch: number; out_ch: number; residual: boolean; params: number; kernels: number[];
}
"#;

/// The two engines, as the strings the page uses.
#[wasm_bindgen]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineName {
    Native = "native",
    Tract = "tract",
}

impl From<EngineName> for EngineKind {
    fn from(e: EngineName) -> Self {
        match e {
            EngineName::Native => EngineKind::Native,
            EngineName::Tract => EngineKind::Tract,
            EngineName::__Invalid => unreachable!("wasm-bindgen refuses other strings before this"),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct SamplerOptions {
    pub engine: EngineName,
    pub n: usize,
    pub seed: f64,
    #[serde(default = "one")]
    pub temperature: f32,
    #[serde(default)]
    pub labels: Option<Vec<Option<usize>>>,
    #[serde(default)]
    pub kept: Option<Vec<Option<u8>>>,
    #[serde(default = "one")]
    pub guidance: f32,
    #[serde(default, rename = "readClass")]
    pub read_class: bool,
}

fn one() -> f32 {
    1.0
}

impl SamplerOptions {
    const FIELDS: [&'static str; 8] = ["engine", "n", "seed", "temperature", "labels", "kept", "guidance", "readClass"];

    /// Reads the options object. serde-wasm-bindgen reads only the fields it knows, so a misspelt
    /// one (which would silently take its default) is looked for here and refused.
    pub fn from_js(value: JsValue) -> Result<Self, JsError> {
        if let Some(object) = value.dyn_ref::<js_sys::Object>() {
            for key in js_sys::Object::keys(object).iter().filter_map(|k| k.as_string()) {
                if !Self::FIELDS.contains(&key.as_str()) {
                    return Err(JsError::new(&format!("sampler options: unknown field {key:?}, expected {:?}", Self::FIELDS)));
                }
            }
        }
        serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("sampler options: {e}")))
    }
}

/// A Rust value as a plain JS value: objects for maps (not `Map`), as JSON would give.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("could not hand a value to JS: {e}")))
}
