use std::path::PathBuf;

use pixelwise::{ModelFile, Result};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    model: PathBuf,
}

pub fn run(a: Args) -> Result<()> {
    let file = ModelFile::from_path(&a.model)?;
    let meta = file
        .meta()
        .map(|m| m.to_json())
        .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }));
    crate::emit(
        serde_json::to_string_pretty(&serde_json::json!({
            "model": a.model, "metadata": meta, "parameters": file.parameter_count(),
            "inputs": file.input_names(), "ops": file.op_counts(),
        }))
        .expect("JSON of plain values"),
    );
    Ok(())
}
