//! A model file read once: the metadata and the raw weights (for the native engine), looked up by
//! their PyTorch names, and the file's bytes for tract, which reads the graph with its own types.

use std::collections::{BTreeMap, HashMap};

use prost::Message;

use crate::error::{Error, Result};
use crate::metadata::ModelMeta;
use crate::onnx_proto::{ModelProto, TensorProto, ValueInfoProto};

pub struct ModelFile {
    pub proto: ModelProto,
    pub props: BTreeMap<String, String>,
    /// Initializer name -> its index in the graph's initializers.
    weights: HashMap<String, usize>,
    /// The first bytes of SHA-256 of the file: the codec names its model by it.
    pub digest: crate::codec::ModelDigest,
    /// The file as read: tract parses the full graph (attributes and all) from it.
    #[cfg(feature = "tract")]
    pub bytes: Vec<u8>,
}

const FLOAT: i32 = 1;
const INT64: i32 = 7;
/// Half-precision weights (raw little-endian bytes), widened to f32 on reading: files half the size
/// for the page's first download. The graph casts them to float32 for tract the same way.
const FLOAT16: i32 = 10;
/// Int8 weights (raw bytes), symmetric, one float32 scale per output channel in `<name>.qscale`
/// (shape `[out, 1, ...]`): half the bytes again of float16 for the page's first model. The graph
/// widens them with Cast and Mul, so both engines read the same values.
const INT8: i32 = 3;
const QSCALE_SUFFIX: &str = ".qscale";
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
        FLOAT16 if count > 0 && t.raw_data.is_empty() => {
            return Err(Error::Weights(format!("initializer {:?} is float16 but not stored as raw bytes", t.name)))
        }
        FLOAT16 => (t.raw_data.len() / 2, 2),
        INT8 if count > 0 && t.raw_data.is_empty() => {
            return Err(Error::Weights(format!("initializer {:?} is int8 but not stored as raw bytes", t.name)))
        }
        INT8 => (t.raw_data.len(), 1),
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
        let proto = ModelProto::decode(bytes).map_err(|e| Error::Format(format!("{e}")))?;
        let graph = proto.graph.as_ref().ok_or_else(|| Error::Format("no graph in the file".into()))?;
        if graph.node.is_empty() || graph.output.is_empty() {
            return Err(Error::Format("the graph has no nodes or no outputs".into()));
        }
        for t in &graph.initializer {
            check_initializer(t)?;
        }
        let weights = graph.initializer.iter().enumerate().map(|(i, t)| (t.name.clone(), i)).collect();
        let props = proto.metadata_props.iter().map(|e| (e.key.clone(), e.value.clone())).collect();
        Ok(Self {
            proto,
            props,
            weights,
            digest: crate::codec::model_digest(bytes),
            #[cfg(feature = "tract")]
            bytes: bytes.to_vec(),
        })
    }

    fn initializer(&self, index: usize) -> &TensorProto {
        &self.proto.graph.as_ref().expect("checked when read").initializer[index]
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
            let dims = v.r#type.as_ref().and_then(|t| t.tensor_type.as_ref()).and_then(|tt| {
                tt.shape.as_ref().map(|s| {
                    s.dim
                        .iter()
                        .map(|d| match (&d.dim_value, &d.dim_param) {
                            (Some(n), _) => n.to_string(),
                            (None, Some(p)) => p.clone(),
                            (None, None) => "?".into(),
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                })
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
            .map(|&i| self.initializer(i))
            .ok_or_else(|| Error::Weights(format!("missing initializer {name:?}")))?;
        let got: Vec<usize> = t.dims.iter().map(|&d| d as usize).collect();
        if got != dims {
            return Err(Error::Weights(format!("{name:?} has shape {got:?}, the config implies {dims:?}")));
        }
        let count: usize = dims.iter().product();
        let data: Vec<f32> = match t.data_type {
            FLOAT if !t.raw_data.is_empty() => {
                t.raw_data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
            }
            FLOAT => t.float_data.clone(),
            FLOAT16 => t.raw_data.chunks_exact(2).map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32()).collect(),
            INT8 => self.widen_int8(name, t, dims)?,
            other => return Err(Error::Weights(format!("{name:?} is not float32, float16 or int8 (ONNX type {other})"))),
        };
        if data.len() != count {
            return Err(Error::Weights(format!(
                "{name:?} holds {} values, its shape needs {count}",
                data.len()
            )));
        }
        Ok(data)
    }

    /// `q * scale[channel]`, the channel being the first axis, exactly as the graph's Cast and Mul.
    fn widen_int8(&self, name: &str, t: &TensorProto, dims: &[usize]) -> Result<Vec<f32>> {
        let channels = dims.first().copied().unwrap_or(1);
        let mut scale_dims = vec![1; dims.len().max(1)];
        scale_dims[0] = channels;
        let scale = self.weight(&format!("{name}{QSCALE_SUFFIX}"), &scale_dims)?;
        let per_channel = t.raw_data.len() / channels.max(1);
        Ok(t.raw_data.iter().enumerate().map(|(i, &b)| (b as i8) as f32 * scale[i / per_channel.max(1)]).collect())
    }

    pub fn parameter_count(&self) -> usize {
        self.parameters_under("")
    }

    /// Parameters of the initializers whose names start with `prefix` (masks and int8 scales are not
    /// parameters).
    pub fn parameters_under(&self, prefix: &str) -> usize {
        self.weights
            .iter()
            .filter(|(name, _)| name.starts_with(prefix) && !name.ends_with(".mask") && !name.ends_with(QSCALE_SUFFIX))
            .map(|(_, &i)| self.initializer(i).dims.iter().product::<i64>().max(0) as usize)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tensor(data_type: i32, dims: Vec<i64>, raw_data: Vec<u8>) -> TensorProto {
        TensorProto { dims, data_type, name: "w".into(), raw_data, ..Default::default() }
    }

    fn file_with(t: TensorProto) -> ModelFile {
        files_with(vec![t])
    }

    fn files_with(tensors: Vec<TensorProto>) -> ModelFile {
        let mut proto = ModelProto::default();
        let weights = tensors.iter().enumerate().map(|(i, t)| (t.name.clone(), i)).collect();
        proto.graph = Some(crate::onnx_proto::GraphProto { initializer: tensors, ..Default::default() });
        ModelFile {
            weights,
            props: BTreeMap::new(),
            proto,
            digest: crate::codec::model_digest(b""),
            #[cfg(feature = "tract")]
            bytes: vec![],
        }
    }

    #[test]
    fn float16_weights_widen_exactly() {
        let values = [0.0f32, -1.5, 0.333_251_95, 65504.0, -6.1035156e-5];
        let raw: Vec<u8> = values.iter().flat_map(|&v| half::f16::from_f32(v).to_le_bytes()).collect();
        let t = tensor(FLOAT16, vec![5], raw);
        check_initializer(&t).unwrap();
        assert_eq!(file_with(t).weight("w", &[5]).unwrap(), values);
    }

    #[test]
    fn float16_weights_must_be_raw_and_whole() {
        let short = tensor(FLOAT16, vec![3], vec![0; 4]);
        assert!(check_initializer(&short).unwrap_err().to_string().contains("holds 2"));
        let not_raw = tensor(FLOAT16, vec![2], vec![]);
        assert!(check_initializer(&not_raw).unwrap_err().to_string().contains("not stored as raw bytes"));
        let int16 = tensor(5, vec![2], vec![1, 0, 2, 0]);
        assert!(file_with(int16).weight("w", &[2]).unwrap_err().to_string().contains("not float32, float16 or int8"));
    }

    #[test]
    fn int8_weights_widen_by_their_channel_scale() {
        let q: Vec<u8> = [1i8, -127, 0, 5, 127, -3].iter().map(|&v| v as u8).collect();
        let w = tensor(INT8, vec![2, 3], q);
        check_initializer(&w).unwrap();
        let scale_raw: Vec<u8> = [0.5f32, 0.25].iter().flat_map(|v| v.to_le_bytes()).collect();
        let scale = TensorProto { name: "w.qscale".into(), ..tensor(FLOAT, vec![2, 1], scale_raw) };
        let file = files_with(vec![w.clone(), scale]);
        assert_eq!(file.weight("w", &[2, 3]).unwrap(), [0.5, -63.5, 0.0, 1.25, 31.75, -0.75]);
        assert_eq!(file.parameter_count(), 6, "the scales are not parameters");
        let unscaled = file_with(w);
        assert!(unscaled.weight("w", &[2, 3]).unwrap_err().to_string().contains("missing initializer \"w.qscale\""));
        let short = tensor(INT8, vec![2, 3], vec![0; 5]);
        assert!(check_initializer(&short).unwrap_err().to_string().contains("holds 5"));
    }
}
