//! The page's lessons computed from committed models: the diagram accounts for every parameter.
#![cfg(not(target_arch = "wasm32"))]
mod common;

use pixelwise::lessons::diagram::diagram;
use pixelwise::ModelFile;

#[test]
fn every_parameter_belongs_to_one_block() {
    for name in ["pixelcnn-mnist-bin.onnx", "gated-mnist-bin.onnx", "rowlstm-mnist-bin.onnx", "diagbilstm-mnist-bin.onnx", "pixelcnn-mnist-256.onnx", "gated-emoji-rgb.onnx", "pixelcnn-mnist-256-mix.onnx", "gated-emoji-rgb-mix.onnx"] {
        let file = ModelFile::from_path(common::model_path(name)).unwrap();
        let meta = file.meta().unwrap();
        let blocks = diagram(&file, &meta).unwrap();
        let counted: usize = blocks.iter().map(|b| b.params).sum();
        assert_eq!(counted, file.parameter_count(), "{name}: the blocks hold {counted} parameters");
        assert_eq!(blocks.first().unwrap().kind, "input");
        // The last block is the head's distribution, which holds no weights of its own.
        assert!(["softmax", "mixture"].contains(&blocks.last().unwrap().kind), "{name}: ends in {}", blocks.last().unwrap().kind);
        let config = &meta.config;
        let repeated = config.get("blocks").or_else(|| config.get("layers")).and_then(|v| v.as_u64()).unwrap() as usize;
        let middle = blocks.iter().filter(|b| ["residual", "gated", "lstm"].contains(&b.kind)).count();
        assert_eq!(middle, repeated, "{name}: one block per configured layer");
        assert!(blocks.iter().filter(|b| !["input", "softmax", "mixture"].contains(&b.kind)).all(|b| b.params > 0), "{name}: a block without parameters");
    }
}
