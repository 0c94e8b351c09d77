//! wasm-bindgen exports: load a model from bytes, make a sampler, step it. Every Rust error
//! reaches JS as an exception carrying its message.

use wasm_bindgen::prelude::*;

use crate::engine::native::NativeEngine;
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

/// A model file, parsed once; each engine is built the first time it is asked for. A file with no
/// pixelwise metadata is accepted when tract can run it; its shape then comes from the graph.
#[wasm_bindgen]
pub struct Model {
    file: ModelFile,
    native: Option<NativeEngine>,
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
            Ok(_) => Ok(Model { file, native: None, tract: None, derived: None }),
            Err(e) if file.has_pixelwise_metadata() => Err(refuse(e, &file)),
            Err(_) => {
                let tract = TractEngine::new(&file).map_err(|e| refuse(e, &file))?;
                let derived = Some(tract.meta().clone());
                Ok(Model { file, native: None, tract: Some(tract), derived })
            }
        }
    }

    /// Metadata JSON: arch, levels, channels, height, width, classes, config, test_nll_nats, props.
    pub fn metadata(&self) -> Result<String, JsError> {
        Ok(self.meta()?.to_json().to_string())
    }

    /// Parameters (initializers other than masks) and ONNX operator counts, for the model card.
    pub fn card(&self) -> String {
        serde_json::json!({ "parameters": self.file.parameter_count(), "ops": self.file.op_counts(), "io": self.file.io_summary() }).to_string()
    }

    fn meta(&self) -> Result<crate::metadata::ModelMeta, JsError> {
        match &self.derived {
            Some(m) => Ok(m.clone()),
            None => self.file.meta().map_err(js),
        }
    }

    /// Builds the engine now (tract optimises the graph here), so its cost can be shown apart.
    pub fn prepare(&mut self, engine: &str) -> Result<(), JsError> {
        self.engine(engine).map(|_| ())
    }

    /// Full forward of one image `[C*H*W]` (k/(L-1)); `label` < 0 for none. Returns `[L*C*H*W]`.
    pub fn forward(&mut self, engine: &str, pixels: &[f32], label: i32) -> Result<Vec<f32>, JsError> {
        let labels = [(label >= 0).then_some(label as usize)];
        self.engine(engine)?.forward(pixels, 1, &labels).map_err(js)
    }

    /// A sampler for `n` images. `labels`: one per image (< 0 for none) or empty; `kept`: one
    /// level per `[C, H, W]` position (< 0 for free) or empty.
    pub fn sampler(
        &mut self,
        engine: &str,
        n: usize,
        seed: f64,
        temperature: f32,
        labels: &[i32],
        kept: &[i16],
    ) -> Result<WasmSampler, JsError> {
        self.guided_sampler(engine, n, seed, temperature, labels, kept, 1.0)
    }

    /// `sampler` with classifier-free guidance of scale `guidance` (conditional models; 1 = none).
    #[wasm_bindgen(js_name = guidedSampler)]
    #[allow(clippy::too_many_arguments)]
    pub fn guided_sampler(
        &mut self,
        engine: &str,
        n: usize,
        seed: f64,
        temperature: f32,
        labels: &[i32],
        kept: &[i16],
        guidance: f32,
    ) -> Result<WasmSampler, JsError> {
        if !(seed.is_finite() && seed >= 0.0 && seed.fract() == 0.0 && seed <= 9007199254740991.0) {
            return Err(JsError::new(&format!("seed {seed} must be a whole number from 0 to 2^53-1")));
        }
        let labels: Vec<Option<usize>> = if labels.is_empty() {
            vec![None; n]
        } else {
            labels.iter().map(|&l| (l >= 0).then_some(l as usize)).collect()
        };
        let kept = kept.iter().map(|&k| (k >= 0).then_some(k.min(255) as u8)).collect();
        let engine = self.engine(engine)?;
        let inner = Sampler::new(engine, n, seed as u64, temperature, labels, kept)
            .and_then(|s| s.with_guidance(engine, guidance))
            .map_err(js)?;
        Ok(WasmSampler { inner })
    }

    /// `[H*W]`, 1 where the logits at (`row`, `col`) change when that pixel is perturbed
    /// (measured with `engine`; several base images, see receptive.rs).
    #[wasm_bindgen(js_name = receptiveField)]
    pub fn receptive_field(&mut self, engine: &str, row: usize, col: usize) -> Result<Vec<u8>, JsError> {
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

    /// JSON `{arch, kernels: [{name, height, width, mask: [[0|1]]}]}`: first and later layers'
    /// kernel masks (both stacks for Gated PixelCNN).
    pub fn masks(&self) -> Result<String, JsError> {
        let meta = self.file.meta().map_err(js)?;
        Ok(crate::mask_view::kernel_masks(&meta).map_err(js)?.to_string())
    }

    /// Bits per sub-pixel `[C*H*W]` of one image (k/(L-1)) given the sub-pixels before each, from
    /// one forward pass; `label` < 0 for none.
    pub fn surprise(&mut self, engine: &str, pixels: &[f32], label: i32) -> Result<Vec<f32>, JsError> {
        let label = (label >= 0).then_some(label as usize);
        crate::lessons::surprise::surprise_bits(self.engine(engine)?, pixels, label).map_err(js)
    }

    /// JSON list of the model's blocks, input to softmax (`lessons::diagram::Block`).
    pub fn diagram(&self) -> Result<String, JsError> {
        let meta = self.file.meta().map_err(js)?;
        let blocks = crate::lessons::diagram::diagram(&self.file, &meta).map_err(js)?;
        Ok(serde_json::to_string(&blocks).expect("plain values"))
    }

    fn engine(&mut self, name: &str) -> Result<&dyn Engine, JsError> {
        Ok(match EngineKind::parse(name).map_err(js)? {
            EngineKind::Native => {
                if self.derived.is_some() {
                    return Err(JsError::new("this file has no pixelwise metadata, so the native engine cannot know its architecture: choose the tract engine"));
                }
                if self.native.is_none() {
                    self.native = Some(NativeEngine::new(&self.file).map_err(js)?);
                }
                self.native.as_ref().expect("just built") as &dyn Engine
            }
            EngineKind::Tract => {
                if self.tract.is_none() {
                    self.tract = Some(TractEngine::new(&self.file).map_err(js)?);
                }
                self.tract.as_ref().expect("just built") as &dyn Engine
            }
        })
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

#[wasm_bindgen]
pub struct WasmSampler {
    inner: Sampler,
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
