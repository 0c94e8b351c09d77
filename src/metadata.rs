//! The `pixelwise.*` metadata that makes a model file self-describing.

use std::collections::BTreeMap;

use crate::error::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    PixelCnn,
    GatedPixelCnn,
    RowLstm,
    DiagonalBiLstm,
}

impl Arch {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pixelcnn" => Some(Self::PixelCnn),
            "gated_pixelcnn" => Some(Self::GatedPixelCnn),
            "row_lstm" => Some(Self::RowLstm),
            "diagonal_bilstm" => Some(Self::DiagonalBiLstm),
            _ => None,
        }
    }
}

/// Shape and identity of a generative model: enough to drive a sampler.
#[derive(Clone, Debug)]
pub struct ModelMeta {
    pub arch_name: String,
    pub levels: usize,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub classes: usize,
    pub config: serde_json::Value,
    pub test_nll_nats: Option<f64>,
    pub props: BTreeMap<String, String>,
}

impl ModelMeta {
    pub fn arch(&self) -> Option<Arch> {
        Arch::parse(&self.arch_name)
    }

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
        let test_nll_nats = match props.get("pixelwise.test_nll_nats") {
            Some(v) => Some(
                v.trim()
                    .parse()
                    .map_err(|_| Error::Metadata(format!("pixelwise.test_nll_nats = {v:?} is not a number")))?,
            ),
            None => None,
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
            config,
            test_nll_nats,
            props: props.clone(),
        })
    }

    /// A whole-number hyper-parameter from `pixelwise.config`.
    pub fn config_usize(&self, key: &str) -> Result<usize> {
        self.config
            .get(key)
            .and_then(|v| v.as_u64())
            .map(|v| v as usize)
            .ok_or_else(|| Error::Metadata(format!("pixelwise.config has no whole-number {key:?}")))
    }

    /// Metadata as JSON for the page and `inspect`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "arch": self.arch_name, "levels": self.levels, "channels": self.channels,
            "height": self.height, "width": self.width, "classes": self.classes,
            "config": self.config, "test_nll_nats": self.test_nll_nats, "props": self.props,
        })
    }
}
