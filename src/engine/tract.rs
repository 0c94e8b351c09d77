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
        let meta = file.meta()?;
        let model = tract_onnx::onnx().model_for_proto_model(&file.proto).map_err(tract_err)?;
        let inputs = file.input_names();
        let want_inputs: Vec<&str> = if meta.classes > 0 { vec!["pixels", "label"] } else { vec!["pixels"] };
        if inputs != want_inputs {
            return Err(Error::Format(format!("graph inputs are {inputs:?}, expected {want_inputs:?}")));
        }
        let typed = model.into_optimized().map_err(tract_err)?;
        let out = typed.output_fact(0).map_err(tract_err)?;
        let dims: Vec<String> = out.shape.iter().map(|d| d.to_string()).collect();
        let want = [meta.levels, meta.channels, meta.height, meta.width];
        let ok = dims.len() == 5 && dims[1..].iter().zip(want).all(|(d, w)| d == &w.to_string());
        if !ok {
            return Err(Error::Format(format!(
                "output logits has shape [{}], expected [N, {}, {}, {}, {}]",
                dims.join(", "),
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
