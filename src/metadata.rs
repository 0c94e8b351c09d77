//! The `pixelwise.*` metadata that makes a model file self-describing.

use std::collections::BTreeMap;

use crate::error::{Error, Result};

/// Shape and identity of a generative model: enough to drive a sampler.
#[derive(Clone, Debug)]
pub struct ModelMeta {
    pub arch_name: String,
    pub levels: usize,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub classes: usize,
    /// `pixelwise.class_names`, one per class; empty when the file names none.
    pub class_names: Vec<String>,
    /// `pixelwise.config`, read as each architecture's typed config by `arch::config`.
    pub config: serde_json::Value,
    /// `pixelwise.head` (`{"kind": ...}`, absent: softmax), read as each head's typed config by `head::config`.
    pub head: serde_json::Value,
    pub test_nll_nats: Option<f64>,
    pub props: BTreeMap<String, String>,
}

impl ModelMeta {
    pub fn positions(&self) -> usize {
        self.height * self.width
    }

    pub fn image_len(&self) -> usize {
        self.channels * self.height * self.width
    }

    /// Reads the metadata; every missing or malformed key is named in the error.
    pub fn from_props(props: &BTreeMap<String, String>) -> Result<Self> {
        let get = |key: &str| {
            props
                .get(&format!("pixelwise.{key}"))
                .ok_or_else(|| Error::Metadata(format!("missing pixelwise.{key}")))
        };
        let number = |key: &str, min: usize| -> Result<usize> {
            let v = get(key)?;
            let n: usize = v
                .trim()
                .parse()
                .map_err(|_| Error::Metadata(format!("pixelwise.{key} = {v:?} is not a whole number")))?;
            if n < min {
                return Err(Error::Metadata(format!("pixelwise.{key} = {n} is below {min}")));
            }
            Ok(n)
        };
        let levels = number("levels", 2)?;
        let channels = number("channels", 1)?;
        let height = number("height", 1)?;
        let width = number("width", 1)?;
        let classes = number("classes", 0)?;
        let config_text = get("config")?;
        let config: serde_json::Value =
            serde_json::from_str(config_text).map_err(|e| Error::Metadata(format!("pixelwise.config is not JSON: {e}")))?;
        let head: serde_json::Value = match props.get("pixelwise.head") {
            None => serde_json::json!({"kind": "softmax"}),
            Some(v) => serde_json::from_str(v).map_err(|e| Error::Metadata(format!("pixelwise.head is not JSON: {e}")))?,
        };
        if !head.get("kind").is_some_and(|k| k.is_string()) {
            return Err(Error::Metadata(format!("pixelwise.head = {head} names no kind")));
        }
        let test_nll_nats = match props.get("pixelwise.test_nll_nats") {
            Some(v) => Some(
                v.trim()
                    .parse()
                    .map_err(|_| Error::Metadata(format!("pixelwise.test_nll_nats = {v:?} is not a number")))?,
            ),
            None => None,
        };
        let class_names = match props.get("pixelwise.class_names") {
            None => Vec::new(),
            Some(v) => {
                let names: Vec<String> = serde_json::from_str(v)
                    .map_err(|e| Error::Metadata(format!("pixelwise.class_names is not a JSON list of names: {e}")))?;
                if names.len() != classes {
                    return Err(Error::Metadata(format!(
                        "pixelwise.class_names has {} names for {classes} classes",
                        names.len()
                    )));
                }
                names
            }
        };
        if levels > 256 || channels > 4 || height * width > 1 << 16 {
            return Err(Error::Metadata(format!(
                "implausible size: {levels} levels, {channels} channels, {height}x{width}"
            )));
        }
        Ok(Self {
            arch_name: get("arch")?.clone(),
            levels,
            channels,
            height,
            width,
            classes,
            class_names,
            config,
            head,
            test_nll_nats,
            props: props.clone(),
        })
    }

    /// `pixelwise.head`'s kind (`softmax` where the file names none).
    pub fn head_kind(&self) -> &str {
        self.head.get("kind").and_then(|k| k.as_str()).unwrap_or("softmax")
    }

    /// Class `k`'s name, or its number where the file names none.
    pub fn class_name(&self, k: usize) -> String {
        self.class_names.get(k).cloned().unwrap_or_else(|| k.to_string())
    }

    /// The class named `name` (or numbered, as text).
    pub fn class_index(&self, name: &str) -> Option<usize> {
        self.class_names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name))
            .or_else(|| name.trim().parse().ok().filter(|&k| k < self.classes))
    }

    /// The guidance scale measured to work best (`pixelwise.guidance`: `{"scale": s, "measured": "..."}`),
    /// for the page's slider; null where none was measured.
    pub fn guidance(&self) -> serde_json::Value {
        self.props
            .get("pixelwise.guidance")
            .and_then(|g| serde_json::from_str::<serde_json::Value>(g).ok())
            .filter(|g| g.get("scale").and_then(|s| s.as_f64()).is_some_and(|s| (1.0..=5.0).contains(&s)))
            .unwrap_or(serde_json::Value::Null)
    }

    /// `pixelwise.dataset`'s `name` (files written before the key existed are binarised MNIST).
    pub fn dataset_name(&self) -> String {
        self.props
            .get("pixelwise.dataset")
            .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
            .and_then(|d| d.get("name").and_then(|n| n.as_str()).map(str::to_string))
            .unwrap_or_else(|| "mnist-bin".into())
    }

    /// Metadata as JSON for the page and `inspect`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "arch": self.arch_name, "levels": self.levels, "channels": self.channels,
            "height": self.height, "width": self.width, "classes": self.classes,
            "class_names": self.class_names, "guidance": self.guidance(),
            "config": self.config, "head": self.head, "test_nll_nats": self.test_nll_nats, "props": self.props,
        })
    }
}
