//! tract-onnx engine: the graph as exported, symbolic batch, one full forward per call.

use std::sync::Arc;

use tract_onnx::prelude::*;

use super::recompute::RecomputeSession;
use super::{check_batch, check_labels, Engine, EngineKind, Labels, Session};
use crate::error::{tract_err, Error, Result};
use crate::metadata::ModelMeta;
use crate::model_file::ModelFile;

#[derive(Clone)]
pub struct TractEngine {
    meta: ModelMeta,
    plan: Arc<TypedRunnableModel>,
}

impl TractEngine {
    pub fn new(file: &ModelFile) -> Result<Self> {
        // Without any pixelwise metadata the graph's own shapes describe the model; partial or
        // wrong metadata is an error.
        let described = file.props.keys().any(|k| k.starts_with("pixelwise."));
        let meta = if described { Some(file.meta()?) } else { None };
        let model = guarded("reading the graph", || read_graph(file))?;
        let inputs = file.input_names();
        let conditional = meta.as_ref().map_or(inputs.len() == 2, |m| m.classes > 0);
        let want_inputs: Vec<&str> = if conditional { vec!["pixels", "label"] } else { vec!["pixels"] };
        if inputs != want_inputs {
            return Err(Error::Format(format!("graph inputs are {inputs:?}, expected {want_inputs:?}")));
        }
        let typed = guarded("analysing the graph", || model.into_optimized())?;
        check_gathers(&typed)?;
        let out = typed.output_fact(0).map_err(tract_err)?;
        let dims: Vec<Option<usize>> = out.shape.iter().map(|d| d.as_i64().map(|v| v as usize)).collect();
        let shown: Vec<String> = out.shape.iter().map(|d| d.to_string()).collect();
        let meta = match meta {
            Some(m) => m,
            None => infer_meta(&dims, &shown, &typed, conditional)?,
        };
        let want = [meta.levels, meta.channels, meta.height, meta.width];
        if dims.len() != 5 || dims[1..].iter().zip(want).any(|(d, w)| *d != Some(w)) {
            return Err(Error::Format(format!(
                "output logits has shape [{}], the metadata implies [N, {}, {}, {}, {}]",
                shown.join(", "),
                want[0],
                want[1],
                want[2],
                want[3]
            )));
        }
        let plan = typed.into_runnable().map_err(tract_err)?;
        Ok(Self { meta, plan })
    }

    fn run(&self, pixels: &[f32], n: usize, labels: &Labels) -> Result<Vec<f32>> {
        let m = &self.meta;
        let x = Tensor::from_shape(&[n, m.channels, m.height, m.width], pixels).map_err(tract_err)?;
        let mut inputs: TVec<TValue> = tvec![x.into_tvalue()];
        if m.classes > 0 {
            let hot = crate::nll::one_hot(labels, m.classes);
            inputs.push(Tensor::from_shape(&[n, m.classes], &hot).map_err(tract_err)?.into_tvalue());
        }
        let out = self.plan.run(inputs).map_err(tract_err)?;
        let view = out[0].to_plain_array_view::<f32>().map_err(tract_err)?;
        Ok(view.iter().copied().collect())
    }
}

impl Engine for TractEngine {
    fn meta(&self) -> &ModelMeta {
        &self.meta
    }

    fn kind(&self) -> EngineKind {
        EngineKind::Tract
    }

    fn forward(&self, pixels: &[f32], n: usize, labels: &Labels) -> Result<Vec<f32>> {
        check_batch(&self.meta, pixels, n, labels)?;
        self.run(pixels, n, labels)
    }

    fn session(&self, n: usize, labels: &Labels) -> Result<Box<dyn Session>> {
        check_labels(&self.meta, n, labels)?;
        Ok(Box::new(RecomputeSession::new(self.clone(), n, labels)))
    }
}

/// The graph with tract's own protobuf types (every node attribute), from the file's bytes.
pub(crate) fn read_graph(file: &ModelFile) -> TractResult<InferenceModel> {
    let onnx = tract_onnx::onnx();
    let proto = onnx.proto_model_for_read(&mut &file.bytes[..])?;
    onnx.model_for_proto_model(&proto)
}

/// tract's Gather indexes without a bounds check, and in a plan that panic cannot be caught (it
/// aborts the process), so constant indices are checked against the gathered axis before any run.
fn check_gathers(typed: &TypedModel) -> Result<()> {
    use tract_onnx::tract_core::ops::array::Gather;
    for node in typed.nodes() {
        let Some(gather) = node.op_as::<Gather>() else { continue };
        let facts = typed.node_input_facts(node.id).map_err(tract_err)?;
        let bad = |why: String| Err(Error::Format(format!("Gather node {:?}: {why}", node.name)));
        let (Some(data), Some(indices)) = (facts.first(), facts.get(1)) else {
            return bad("it needs data and indices".into());
        };
        let Some(len) = data.shape.iter().nth(gather.axis).and_then(|d| d.as_i64()) else {
            return bad(format!("axis {} of its data has no fixed length", gather.axis));
        };
        let Some(konst) = &indices.konst else {
            return bad("its indices are not constant".into());
        };
        let konst = konst.cast_to::<i64>().map_err(tract_err)?;
        let view = konst.to_plain_array_view::<i64>().map_err(tract_err)?;
        if let Some(i) = view.iter().find(|&&i| i < -len || i >= len) {
            return bad(format!("index {i} is outside an axis of length {len}"));
        }
    }
    Ok(())
}

/// Shapes from the graph when the file carries no metadata: logits [N, L, C, H, W].
fn infer_meta(dims: &[Option<usize>], shown: &[String], typed: &TypedModel, conditional: bool) -> Result<ModelMeta> {
    let fixed: Option<Vec<usize>> = dims.get(1..).map(|d| d.iter().copied().collect::<Option<Vec<usize>>>()).flatten();
    let Some([levels, channels, height, width]) = fixed.as_deref().map(|d| <[usize; 4]>::try_from(d).ok()).flatten() else {
        return Err(Error::Format(format!(
            "no pixelwise metadata, and the output shape [{}] is not [N, L, C, H, W]",
            shown.join(", ")
        )));
    };
    let classes = if conditional {
        let f = typed.input_fact(1).map_err(tract_err)?;
        f.shape.iter().nth(1).and_then(|d| d.as_i64().map(|v| v as usize)).unwrap_or(0)
    } else {
        0
    };
    Ok(ModelMeta {
        arch_name: "unknown".into(),
        levels,
        channels,
        height,
        width,
        classes,
        class_names: Vec::new(),
        config: serde_json::json!({}),
        head: serde_json::json!({"kind": "softmax"}),
        test_nll_nats: None,
        props: Default::default(),
    })
}

/// tract's graph analysis can panic on a malformed graph (fuzzing found one in Unsqueeze's shape
/// inference); natively the panic becomes an error naming it. In wasm a panic aborts the module and
/// the page replaces its worker.
fn guarded<T>(what: &str, f: impl FnOnce() -> tract_onnx::prelude::TractResult<T>) -> Result<T> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
            Ok(r) => r.map_err(tract_err),
            Err(panic) => {
                let said = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "no message".into());
                Err(Error::Format(format!("tract failed while {what} (it panicked: {said}); the graph is malformed")))
            }
        }
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = what;
        f().map_err(tract_err)
    }
}
