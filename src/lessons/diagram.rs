//! The loaded model as a diagram: its layers in order, read from the file's metadata config, with
//! kernel size and mask type, channel counts, residual connections and parameters per block (counted
//! from the file's initializers). `kernel` indexes the list `mask_view::kernel_masks` draws.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::metadata::{Arch, ModelMeta};
use crate::model_file::ModelFile;

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Block {
    pub name: String,
    /// input | conv | residual | gated | lstm | head | softmax
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

fn block(name: String, kind: &'static str, detail: String, io: (usize, usize), residual: bool, kernels: Vec<usize>) -> Block {
    Block { name, kind, detail, in_ch: io.0, out_ch: io.1, residual, params: 0, kernels }
}

/// The blocks of a model of known architecture, input to softmax.
pub fn diagram(file: &ModelFile, meta: &ModelMeta) -> Result<Vec<Block>> {
    let (c, l) = (meta.channels, meta.levels);
    let k_in = meta.config_usize("kernel_in")?;
    let k = meta.config_usize("kernel").unwrap_or(3);
    let hid = meta.config_usize("hidden")?;
    let input = block("input".into(), "input", format!("{c} channel{}, {}×{}, {l} levels", if c > 1 { "s (R, G, B)" } else { "" }, meta.height, meta.width), (c, c), false, vec![]);
    let conv_in = |out: usize| block("conv_in".into(), "conv", format!("{k_in}×{k_in} mask A: sees rows above and pixels to the left{}", if c > 1 { "; at the centre, G reads R and B reads R, G" } else { "" }), (c, out), false, vec![0]);
    let mut blocks = vec![input];
    let last_ch = match meta.arch() {
        Some(Arch::PixelCnn) => {
            blocks.push(conv_in(2 * hid));
            for b in 0..meta.config_usize("blocks")? {
                blocks.push(block(format!("blocks.{b}"), "residual", format!("ReLU, 1×1 mask B ({} → {hid}), ReLU, {k}×{k} mask B, ReLU, 1×1 mask B ({hid} → {})", 2 * hid, 2 * hid), (2 * hid, 2 * hid), true, vec![1]));
            }
            2 * hid
        }
        Some(Arch::GatedPixelCnn) => {
            let cond = if meta.classes > 0 { format!(", plus a learned bias per class ({})", meta.classes) } else { String::new() };
            for n in 0..meta.config_usize("layers")? {
                let (kk, t, ks) = if n == 0 { (k_in, "A", vec![0, 1]) } else { (k, "B", vec![2, 3]) };
                let detail = format!("vertical stack {kk}×{kk} (rows above only); horizontal stack 1×{kk} mask {t}; 1×1 link vertical → horizontal; gates tanh(f) × sigmoid(g){cond}; 1×1 mask B out");
                blocks.push(block(format!("layers.{n}"), "gated", detail, (if n == 0 { c } else { hid }, hid), n > 0, ks));
            }
            hid
        }
        Some(Arch::RowLstm) => {
            blocks.push(conv_in(hid));
            for n in 0..meta.config_usize("layers")? {
                let detail = format!("LSTM over rows: input-to-state 1×{k} mask B, state-to-state 1×{k} over the row above; gates i, f, o, g; 1×1 mask B out");
                blocks.push(block(format!("layers.{n}"), "lstm", detail, (hid, hid), true, vec![1, 2]));
            }
            hid
        }
        Some(Arch::DiagonalBiLstm) => {
            blocks.push(conv_in(hid));
            for n in 0..meta.config_usize("layers")? {
                let detail = "two LSTMs along diagonals: input-to-state 1×1 mask B, state-to-state 2×1 on the skewed map; the right-to-left one shifted down a row; gates i, f, o, g; 1×1 mask B out".to_string();
                blocks.push(block(format!("layers.{n}"), "lstm", detail, (hid, hid), true, vec![1, 2]));
            }
            hid
        }
        None => return Err(Error::Input(format!("no diagram for architecture {:?}", meta.arch_name))),
    };
    let out_hidden = meta.config_usize("out_hidden")?;
    blocks.push(block("head".into(), "head", format!("ReLU, 1×1 mask B ({last_ch} → {out_hidden}), ReLU, 1×1 mask B ({out_hidden} → {l}×{c})"), (last_ch, l * c), false, vec![]));
    blocks.push(block("softmax".into(), "softmax", format!("softmax over {l} levels for each of the {c} sub-pixel{} of every pixel", if c > 1 { "s" } else { "" }), (l * c, l * c), false, vec![]));
    for b in &mut blocks {
        b.params = match b.name.as_str() {
            "input" | "softmax" => 0,
            name => file.parameters_under(&format!("{name}.")),
        };
    }
    Ok(blocks)
}
