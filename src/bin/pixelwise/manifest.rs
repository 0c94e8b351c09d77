//! `pixelwise manifest`: the list of models the page offers, read from the files' own metadata.

use std::path::PathBuf;

use pixelwise::{Error, ModelFile, Result};

#[derive(clap::Args)]
pub struct Args {
    /// Folder of .onnx files.
    #[arg(long)]
    models: PathBuf,
    /// Where the JSON list is written.
    #[arg(long)]
    out: PathBuf,
}

/// The registry's name for people; a file of an architecture it does not know shows its own name.
fn display_name(m: &pixelwise::metadata::ModelMeta) -> String {
    pixelwise::arch::of(m).map_or_else(|_| m.arch_name.clone(), |a| a.title().to_owned())
}

/// The output head's title (softmax, logistic mixture), so two files with the same blocks differ in the picker.
fn head_title(m: &pixelwise::metadata::ModelMeta) -> &'static str {
    pixelwise::head::of(m).map_or("unknown head", |h| h.title())
}

/// What the model draws, for the model picker.
fn data_label(dataset: &str) -> &'static str {
    match dataset {
        "mnist-256" => "grey digits, 256 levels",
        "emoji-rgb" => "colour emoji, RGB × 256 levels",
        _ => "binary digits",
    }
}

/// The page opens on the first entry: the plain PixelCNN, then the others by name.
fn order_key(file: &str) -> (bool, String) {
    (file != "pixelcnn-mnist-bin.onnx", file.to_owned())
}

pub fn run(a: Args) -> Result<()> {
    let dir = std::fs::read_dir(&a.models).map_err(|e| Error::Io(format!("{}: {e}", a.models.display())))?;
    let mut files: Vec<PathBuf> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "onnx"))
        .collect();
    files.sort_by_key(|p| order_key(&p.file_name().unwrap_or_default().to_string_lossy()));
    let mut entries = Vec::new();
    for path in files {
        let file_name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        // Files without generative metadata (the classifier) are skipped, with a note why.
        let meta = match ModelFile::from_path(&path).and_then(|f| f.meta().map(|m| (m, f.parameter_count(), f.digest))) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("manifest: skipping {file_name}: {e}");
                continue;
            }
        };
        let (m, parameters, digest) = meta;
        entries.push(serde_json::json!({
            "file": file_name, "name": display_name(&m), "data": data_label(&m.dataset_name()), "arch": m.arch_name, "levels": m.levels,
            "channels": m.channels, "height": m.height, "width": m.width, "classes": m.classes,
            "test_nll_nats": m.test_nll_nats, "parameters": parameters, "config": m.config,
            "head": { "kind": m.head_kind(), "title": head_title(&m) },
            // Names the file in a compressed image's header (a share link finds its model by it).
            "digest": pixelwise::codec::format::hex(&digest),
        }));
    }
    if entries.is_empty() {
        return Err(Error::Io(format!("{}: no model files with pixelwise metadata", a.models.display())));
    }
    let text = serde_json::to_string_pretty(&entries).expect("JSON of plain values");
    std::fs::write(&a.out, text + "\n").map_err(|e| Error::Io(format!("{}: {e}", a.out.display())))?;
    crate::emit(serde_json::json!({ "out": a.out, "models": entries.len() }));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::order_key;

    #[test]
    fn pixelcnn_comes_first() {
        let mut v = vec![
            "gated-mnist-bin.onnx",
            "diagbilstm-mnist-bin.onnx",
            "pixelcnn-mnist-bin.onnx",
            "rowlstm-mnist-bin.onnx",
        ];
        v.sort_by_key(|f| order_key(f));
        assert_eq!(v[0], "pixelcnn-mnist-bin.onnx");
        assert_eq!(v[1], "diagbilstm-mnist-bin.onnx");
    }
}
