//! A model file read once: the protobuf (for tract), the metadata and the raw weights (for the
//! native engine), looked up by their PyTorch names.

use std::collections::{BTreeMap, HashMap};

use tract_onnx::pb::{tensor_shape_proto::dimension, type_proto, ModelProto, TensorProto, ValueInfoProto};
use tract_onnx::prelude::Framework;

use crate::error::{Error, Result};
use crate::metadata::ModelMeta;

pub struct ModelFile {
    pub proto: ModelProto,
    pub props: BTreeMap<String, String>,
    weights: HashMap<String, TensorProto>,
}

const FLOAT: i32 = 1;
const INT64: i32 = 7;
/// The largest initializer accepted, in elements (1 GiB of float32): more than any model here by far,
/// and a bound on what a damaged or hostile file can make either engine allocate.
pub const MAX_ELEMENTS: u64 = 1 << 28;

/// An initializer's shape is sane (non-negative, at most `MAX_ELEMENTS`) and, for float32 and int64,
/// its stored data holds exactly that many values.
fn check_initializer(t: &TensorProto) -> Result<()> {
    let mut count: u64 = 1;
    for &d in &t.dims {
        if d < 0 {
            return Err(Error::Weights(format!("initializer {:?} has a negative dimension {d}", t.name)));
        }
        count = count
            .checked_mul(d as u64)
            .filter(|&c| c <= MAX_ELEMENTS)
            .ok_or_else(|| Error::Weights(format!("initializer {:?} has shape {:?}: over {MAX_ELEMENTS} values", t.name, t.dims)))?;
    }
    let (held, size) = match t.data_type {
        FLOAT => (if t.raw_data.is_empty() { t.float_data.len() } else { t.raw_data.len() / 4 }, 4),
        INT64 => (if t.raw_data.is_empty() { t.int64_data.len() } else { t.raw_data.len() / 8 }, 8),
        _ => return Ok(()),
    };
    if held as u64 != count || (!t.raw_data.is_empty() && t.raw_data.len() % size != 0) {
        return Err(Error::Weights(format!(
            "initializer {:?} has shape {:?} ({count} values) but holds {held}",
            t.name, t.dims
        )));
    }
    Ok(())
}

impl ModelFile {
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.is_empty() {
            return Err(Error::Format("the file is empty".into()));
        }
        let proto = tract_onnx::onnx()
            .proto_model_for_read(&mut &bytes[..])
            .map_err(|e| Error::Format(format!("{e}")))?;
        let graph = proto.graph.as_ref().ok_or_else(|| Error::Format("no graph in the file".into()))?;
        if graph.node.is_empty() || graph.output.is_empty() {
            return Err(Error::Format("the graph has no nodes or no outputs".into()));
        }
        for t in &graph.initializer {
            check_initializer(t)?;
        }
        let weights = graph.initializer.iter().map(|t| (t.name.clone(), t.clone())).collect();
        let props = proto.metadata_props.iter().map(|e| (e.key.clone(), e.value.clone())).collect();
        Ok(Self { proto, props, weights })
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
        Self::from_bytes(&bytes)
    }

    pub fn meta(&self) -> Result<ModelMeta> {
        ModelMeta::from_props(&self.props)
    }

    pub fn input_names(&self) -> Vec<String> {
        self.proto
            .graph
            .as_ref()
            .map(|g| g.input.iter().map(|i| i.name.clone()).collect())
            .unwrap_or_default()
    }

    /// True when any `pixelwise.*` key is present (a file with none is left to tract).
    pub fn has_pixelwise_metadata(&self) -> bool {
        self.props.keys().any(|k| k.starts_with("pixelwise."))
    }

    /// The graph's inputs (initializers aside) and outputs with their shapes, e.g.
    /// `inputs pixels [N, 1, 28, 28]; output class_logits [N, 10]`, for messages about the contract.
    pub fn io_summary(&self) -> String {
        let shape = |v: &ValueInfoProto| -> String {
            let dims = v.r#type.as_ref().and_then(|t| match &t.value {
                Some(type_proto::Value::TensorType(tt)) => tt.shape.as_ref().map(|s| {
                    s.dim
                        .iter()
                        .map(|d| match &d.value {
                            Some(dimension::Value::DimValue(n)) => n.to_string(),
                            Some(dimension::Value::DimParam(p)) => p.clone(),
                            None => "?".into(),
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                }),
                None => None,
            });
            format!("{} [{}]", v.name, dims.unwrap_or_else(|| "?".into()))
        };
        let Some(g) = self.proto.graph.as_ref() else { return "no graph".into() };
        let inputs: Vec<String> = g.input.iter().filter(|i| !self.weights.contains_key(&i.name)).map(shape).collect();
        let outputs: Vec<String> = g.output.iter().map(shape).collect();
        format!("input{} {}; output{} {}", if inputs.len() == 1 { "" } else { "s" }, inputs.join(", "), if outputs.len() == 1 { "" } else { "s" }, outputs.join(", "))
    }

    pub fn initializer_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.weights.keys().cloned().collect();
        v.sort();
        v
    }

    pub fn op_counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        if let Some(g) = &self.proto.graph {
            for n in &g.node {
                *counts.entry(n.op_type.clone()).or_insert(0) += 1;
            }
        }
        counts
    }

    /// The float initializer `name`, checked against the expected dimensions.
    pub fn weight(&self, name: &str, dims: &[usize]) -> Result<Vec<f32>> {
        let t = self
            .weights
            .get(name)
            .ok_or_else(|| Error::Weights(format!("missing initializer {name:?}")))?;
        let got: Vec<usize> = t.dims.iter().map(|&d| d as usize).collect();
        if got != dims {
            return Err(Error::Weights(format!("{name:?} has shape {got:?}, the config implies {dims:?}")));
        }
        if t.data_type != FLOAT {
            return Err(Error::Weights(format!("{name:?} is not float32 (ONNX type {})", t.data_type)));
        }
        let count: usize = dims.iter().product();
        let data: Vec<f32> = if !t.raw_data.is_empty() {
            t.raw_data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect()
        } else {
            t.float_data.clone()
        };
        if data.len() != count {
            return Err(Error::Weights(format!(
                "{name:?} holds {} values, its shape needs {count}",
                data.len()
            )));
        }
        Ok(data)
    }

    pub fn parameter_count(&self) -> usize {
        self.parameters_under("")
    }

    /// Parameters of the initializers whose names start with `prefix` (masks are not parameters).
    pub fn parameters_under(&self, prefix: &str) -> usize {
        self.weights
            .iter()
            .filter(|(name, _)| name.starts_with(prefix) && !name.ends_with(".mask"))
            .map(|(_, t)| t.dims.iter().product::<i64>().max(0) as usize)
            .sum()
    }
}
