//! `pixelwise digits`: a few standard MNIST test digits for the page's "start from a real one",
//! binarised and as 256 grey levels.

use std::path::PathBuf;

use pixelwise::data::{load, SIDE};
use pixelwise::{Error, Result};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    out: PathBuf,
    /// How many digits, spread evenly over the held-out split (every class appears).
    #[arg(long, default_value_t = 50)]
    count: usize,
}

pub fn run(a: Args) -> Result<()> {
    let held_out = load(true)?;
    let count = a.count.clamp(1, held_out.len());
    // Each digit as a 784-character string of '0'/'1' in raster order: small and easy to read in JS.
    let digits: Vec<serde_json::Value> = (0..count)
        .map(|i| {
            let d = &held_out[i * held_out.len() / count];
            let bits: String = d.binary().iter().map(|&v| if v > 0.5 { '1' } else { '0' }).collect();
            serde_json::json!({ "label": d.label, "bits": bits, "grey": d.grey })
        })
        .collect();
    let doc = serde_json::json!({ "height": SIDE, "width": SIDE, "split": "the standard MNIST test digits (t10k); bits: grey >= 128", "digits": digits });
    std::fs::write(&a.out, doc.to_string()).map_err(|e| Error::Io(format!("{}: {e}", a.out.display())))?;
    crate::emit(serde_json::json!({ "out": a.out, "digits": count }));
    Ok(())
}
