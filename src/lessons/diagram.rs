//! The loaded model as a diagram: its layers in order, read from the file's metadata config, with
//! kernel size and mask type, channel counts, residual connections and parameters per block (counted
//! from the file's initializers). `kernel` indexes the list `mask_view::kernel_masks` draws.

use serde::Serialize;

use crate::error::Result;
use crate::metadata::ModelMeta;
use crate::model_file::ModelFile;

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Block {
    pub name: String,
    /// input | conv | residual | gated | lstm | head | softmax | mixture
    pub kind: &'static str,
    pub detail: String,
    pub in_ch: usize,
    pub out_ch: usize,
    /// A skip connection adds the block's input to its output.
    pub residual: bool,
    pub params: usize,
    /// Indices into the model's kernel masks (mask_view), for the block's masked kernels.
    pub kernels: Vec<usize>,
}

pub(crate) fn block(name: String, kind: &'static str, detail: String, io: (usize, usize), residual: bool, kernels: Vec<usize>) -> Block {
    Block { name, kind, detail, in_ch: io.0, out_ch: io.1, residual, params: 0, kernels }
}

/// The first layer's kxk mask-A convolution (kernel mask 0).
pub(crate) fn conv_in(meta: &ModelMeta, k_in: usize, out: usize) -> Block {
    let colour = if meta.channels > 1 { "; at the centre, G reads R and B reads R, G" } else { "" };
    block("conv_in".into(), "conv", format!("{k_in}×{k_in} mask A: sees rows above and pixels to the left{colour}"), (meta.channels, out), false, vec![0])
}

#[derive(serde::Deserialize)]
struct Head {
    out_hidden: usize,
}

/// The blocks of a model of known architecture, input to the head's distribution.
pub fn diagram(file: &ModelFile, meta: &ModelMeta) -> Result<Vec<Block>> {
    let (c, l) = (meta.channels, meta.levels);
    let input = block("input".into(), "input", format!("{c} channel{}, {}×{}, {l} levels", if c > 1 { "s (R, G, B)" } else { "" }, meta.height, meta.width), (c, c), false, vec![]);
    let (middle, last_ch) = crate::arch::of(meta)?.blocks(meta)?;
    let mut blocks = vec![input];
    blocks.extend(middle);
    let out_hidden = crate::arch::config::<Head>(meta)?.out_hidden;
    blocks.extend(crate::head::of(meta)?.blocks(meta, last_ch, out_hidden)?);
    for b in &mut blocks {
        // The head's last block computes the distribution from the head's outputs: no weights.
        b.params = match b.kind {
            "input" | "softmax" | "mixture" => 0,
            _ => file.parameters_under(&format!("{}.", b.name)),
        };
    }
    Ok(blocks)
}
