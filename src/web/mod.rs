//! wasm-bindgen exports: load a model from bytes, make a sampler, step it. Every Rust error
//! reaches JS as an exception carrying its message; values cross typed (boundary.rs).

pub mod boundary;
pub mod canvas;
pub mod codec;
pub mod sampler;

use wasm_bindgen::prelude::*;

pub use boundary::{EngineName, SamplerOptions};
use boundary::to_js;
pub use canvas::{GridLayout, GridPainter, GridShape};
pub use codec::{DecodeStepped, WasmDecoder};
pub use sampler::{Drawn, Stepped, WasmSampler};

use crate::engine::native::NativeEngine;
#[cfg(feature = "tract")]
use crate::engine::tract::TractEngine;
use crate::engine::{Engine, EngineKind};
use crate::model_file::ModelFile;
use crate::sampler::Sampler;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

fn js(e: crate::Error) -> JsError {
    JsError::new(&e.to_string())
}

/// What a file must be, said with every refusal of one.
const CONTRACT: &str = "a pixelwise model has input `pixels` [N, C, H, W] (and `label` [N, classes] when \
conditional), output `logits` [N, L, C, H, W], and the pixelwise.* metadata keys (arch, levels, channels, \
height, width, classes, config); a file with no pixelwise.* keys at all runs on tract when its input and \
output match";

/// True in the module built with tract; the native-only module says false, and the page fetches the
/// tract module when a file or a choice needs it.
#[wasm_bindgen(js_name = hasTract)]
pub fn has_tract() -> bool {
    cfg!(feature = "tract")
}

/// A model file, parsed once; each engine is built the first time it is asked for. A file with no
/// pixelwise metadata is accepted when tract can run it; its shape then comes from the graph (the
/// native-only module accepts it unread and says it needs tract: `engines()` is empty).
#[wasm_bindgen]
pub struct Model {
    file: ModelFile,
    native: Option<NativeEngine>,
    #[cfg(feature = "tract")]
    tract: Option<TractEngine>,
    /// Metadata read off the graph by tract, for a file without pixelwise.* keys.
    derived: Option<crate::metadata::ModelMeta>,
}

#[wasm_bindgen]
impl Model {
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, JsError> {
        let file = ModelFile::from_bytes(bytes).map_err(|e| JsError::new(&format!("{e}. Expected an ONNX model: {CONTRACT}.")))?;
        let refuse = |e: crate::Error, file: &ModelFile| JsError::new(&format!("{e}. The file has {}; {CONTRACT}.", file.io_summary()));
        match file.meta() {
            Ok(_) => Ok(Model::of(file, None)),
            Err(e) if file.has_pixelwise_metadata() => Err(refuse(e, &file)),
            #[cfg(feature = "tract")]
            Err(_) => {
                let tract = TractEngine::new(&file).map_err(|e| refuse(e, &file))?;
                let mut model = Model::of(file, Some(tract.meta().clone()));
                model.tract = Some(tract);
                Ok(model)
            }
            #[cfg(not(feature = "tract"))]
            Err(_) => Ok(Model::of(file, None)),
        }
    }

    fn of(file: ModelFile, derived: Option<crate::metadata::ModelMeta>) -> Model {
        Model {
            file,
            native: None,
            #[cfg(feature = "tract")]
            tract: None,
            derived,
        }
    }

    /// The engines this module can run the file on: native for a known architecture, tract in the
    /// module that has it. Empty means the file needs the tract module to be read at all.
    #[wasm_bindgen(unchecked_return_type = "EngineName[]")]
    pub fn engines(&self) -> Result<JsValue, JsError> {
        let native = self.derived.is_none() && self.file.meta().ok().is_some_and(|m| crate::arch::of(&m).is_ok());
        let mut out = Vec::new();
        if native {
            out.push(EngineName::Native);
        }
        if cfg!(feature = "tract") {
            out.push(EngineName::Tract);
        }
        to_js(&out)
    }

    /// Arch, levels, channels, height, width, classes, class names, guidance, config, test NLL, props.
    #[wasm_bindgen(unchecked_return_type = "Metadata")]
    pub fn metadata(&self) -> Result<JsValue, JsError> {
        to_js(&self.meta()?.to_json())
    }

    /// Parameters (initializers other than masks), ONNX operator counts and the registry's facts
    /// about the architecture, for the model card and the receptive-field caption.
    #[wasm_bindgen(unchecked_return_type = "Card")]
    pub fn card(&self) -> Result<JsValue, JsError> {
        let architecture = self.meta().ok().and_then(|m| crate::arch::of(&m).ok());
        let architecture = architecture.map(|a| serde_json::json!({ "title": a.title(), "field_caption": a.field_caption() }));
        let head = self.meta().ok().and_then(|m| crate::head::of(&m).ok());
        let head = head.map(|h| serde_json::json!({ "kind": h.name(), "title": h.title() }));
        to_js(&serde_json::json!({ "parameters": self.file.parameter_count(), "ops": self.file.op_counts(), "io": self.file.io_summary(), "architecture": architecture, "head": head }))
    }

    fn meta(&self) -> Result<crate::metadata::ModelMeta, JsError> {
        match &self.derived {
            Some(m) => Ok(m.clone()),
            None => self.file.meta().map_err(js),
        }
    }

    /// Builds the engine now (tract optimises the graph here), so its cost can be shown apart.
    pub fn prepare(&mut self, engine: EngineName) -> Result<(), JsError> {
        self.engine(engine).map(|_| ())
    }

    /// Full forward of one image `[C*H*W]` (k/(L-1)), with its class if any. Returns `[L*C*H*W]`.
    pub fn forward(&mut self, engine: EngineName, pixels: &[f32], label: Option<u32>) -> Result<Vec<f32>, JsError> {
        let labels = [label.map(|l| l as usize)];
        self.engine(engine)?.forward(pixels, 1, &labels).map_err(js)
    }

    /// The first bytes of SHA-256 of the file, hex: what a compressed image names its model by.
    pub fn digest(&self) -> String {
        crate::codec::format::hex(&self.file.digest)
    }

    /// One image `[C*H*W]` of levels, losslessly compressed with the native engine (with its class
    /// for a conditional model, or none).
    pub fn compress(&mut self, levels: &[u8], label: Option<u32>) -> Result<Vec<u8>, JsError> {
        let digest = self.file.digest;
        crate::codec::encode(self.engine(EngineName::Native)?, digest, levels, label.map(|l| l as usize)).map_err(js)
    }

    /// A decoder of a compressed image made with this model (native engine), position by position.
    pub fn decoder(&mut self, bytes: &[u8]) -> Result<WasmDecoder, JsError> {
        let digest = self.file.digest;
        let engine = self.engine(EngineName::Native)?;
        Ok(WasmDecoder::new(crate::codec::Decoder::new(engine, digest, bytes).map_err(js)?))
    }

    /// A sampler for `opts.n` images (see `SamplerOptions`).
    pub fn sampler(&mut self, #[wasm_bindgen(unchecked_param_type = "SamplerOptions")] opts: JsValue) -> Result<WasmSampler, JsError> {
        self.sampler_with(&SamplerOptions::from_js(opts)?)
    }

    /// `[H*W]`, 1 where the logits at (`row`, `col`) change when that pixel is perturbed
    /// (measured with `engine`; several base images, see receptive.rs).
    #[wasm_bindgen(js_name = receptiveField)]
    pub fn receptive_field(&mut self, engine: EngineName, row: usize, col: usize) -> Result<Vec<u8>, JsError> {
        let seen = crate::receptive::receptive_field(self.engine(engine)?, row, col).map_err(js)?;
        Ok(seen.into_iter().map(u8::from).collect())
    }

    /// `[H*W]`, 1 where the kernel masks and recurrences allow a dependence (every model; instant).
    #[wasm_bindgen(js_name = structuralField)]
    pub fn structural_field(&self, row: usize, col: usize) -> Result<Vec<u8>, JsError> {
        let meta = self.file.meta().map_err(js)?;
        let allowed = crate::receptive::structural_field(&meta, row, col).map_err(js)?;
        Ok(allowed.into_iter().map(u8::from).collect())
    }

    /// First and later layers' kernel masks (both stacks for Gated PixelCNN); an error for an
    /// architecture with none to show.
    #[wasm_bindgen(unchecked_return_type = "KernelMasks")]
    pub fn masks(&self) -> Result<JsValue, JsError> {
        let meta = self.file.meta().map_err(js)?;
        to_js(&crate::mask_view::kernel_masks(&meta).map_err(js)?)
    }

    /// Bits per sub-pixel `[C*H*W]` of one image (k/(L-1)) given the sub-pixels before each, from
    /// one forward pass, with its class if any.
    pub fn surprise(&mut self, engine: EngineName, pixels: &[f32], label: Option<u32>) -> Result<Vec<f32>, JsError> {
        crate::lessons::surprise::surprise_bits(self.engine(engine)?, pixels, label.map(|l| l as usize)).map_err(js)
    }

    /// The model's blocks, input to softmax (`lessons::diagram::Block`).
    #[wasm_bindgen(unchecked_return_type = "Block[]")]
    pub fn diagram(&self) -> Result<JsValue, JsError> {
        let meta = self.file.meta().map_err(js)?;
        to_js(&crate::lessons::diagram::diagram(&self.file, &meta).map_err(js)?)
    }

    fn engine(&mut self, name: EngineName) -> Result<&dyn Engine, JsError> {
        Ok(match EngineKind::from(name) {
            EngineKind::Native => {
                if self.derived.is_some() {
                    return Err(JsError::new("this file has no pixelwise metadata, so the native engine cannot know its architecture: choose the tract engine"));
                }
                if self.native.is_none() {
                    self.native = Some(NativeEngine::new(&self.file).map_err(js)?);
                }
                self.native.as_ref().expect("just built") as &dyn Engine
            }
            #[cfg(feature = "tract")]
            EngineKind::Tract => {
                if self.tract.is_none() {
                    self.tract = Some(TractEngine::new(&self.file).map_err(js)?);
                }
                self.tract.as_ref().expect("just built") as &dyn Engine
            }
            #[cfg(not(feature = "tract"))]
            EngineKind::Tract => return Err(JsError::new("the tract engine is in the tract module, not loaded in this worker")),
        })
    }
}

impl Model {
    /// `sampler` for Rust callers (the in-browser tests).
    pub fn sampler_with(&mut self, opts: &SamplerOptions) -> Result<WasmSampler, JsError> {
        let SamplerOptions { engine, n, seed, temperature, .. } = *opts;
        if !(seed.is_finite() && seed >= 0.0 && seed.fract() == 0.0 && seed <= 9007199254740991.0) {
            return Err(JsError::new(&format!("seed {seed} must be a whole number from 0 to 2^53-1")));
        }
        let kept = opts.kept.clone().unwrap_or_default();
        let engine = self.engine(engine)?;
        let reading = if opts.read_class {
            if opts.labels.is_some() {
                return Err(JsError::new("readClass reads the class from the kept pixels: give no labels with it"));
            }
            Some(crate::class_posterior::read_classes(engine, &kept, n, seed as u64).map_err(js)?)
        } else {
            None
        };
        let labels = match &reading {
            Some(r) => r.labels.iter().map(|&c| Some(c)).collect(),
            None => opts.labels.clone().unwrap_or_else(|| vec![None; n]),
        };
        let inner = Sampler::new(engine, n, seed as u64, temperature, labels, kept)
            .and_then(|s| s.with_guidance(engine, opts.guidance))
            .map_err(js)?;
        Ok(WasmSampler::new(inner, reading))
    }
}

/// Traps the wasm on purpose (a Rust panic), so that tests can check the page recovers from a
/// worker whose module has died.
#[wasm_bindgen(js_name = testTrap)]
pub fn test_trap() {
    panic!("a trap forced by the test-only export testTrap");
}

/// The seed's worked example on a 3x3 `image` with 1x1 weights `[w1, w2, w3]`: six 3x3 grids,
/// `[6 * 9]` in the order input, conv w1, mask, conv w2, conv w3, + skip.
#[wasm_bindgen(js_name = workedExample)]
pub fn worked_example(image: &[f32], weights: &[f32]) -> Result<Vec<f32>, JsError> {
    let image: [f32; 9] = image.try_into().map_err(|_| JsError::new("the worked example takes 9 image values"))?;
    let weights: [f32; 3] = weights.try_into().map_err(|_| JsError::new("the worked example takes 3 weights"))?;
    Ok(crate::lessons::worked_example::stages(&image, &weights).concat())
}
