//! Bad model files give errors that name the problem, never panics.
#![cfg(not(target_arch = "wasm32"))]
mod common;

use pixelwise::engine::native::NativeEngine;
use pixelwise::engine::tract::TractEngine;
use pixelwise::{Engine, ModelFile};

fn fixture(name: &str) -> ModelFile {
    ModelFile::from_path(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).expect("fixture parses")
}

fn message<T>(r: pixelwise::Result<T>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn empty_file() {
    assert!(message(ModelFile::from_bytes(&[])).contains("empty"));
}

#[test]
fn truncated_file() {
    let bytes = std::fs::read(common::model_path("pixelcnn-mnist-bin.onnx")).unwrap();
    for cut in [10, bytes.len() / 2, bytes.len() - 3] {
        let m = message(ModelFile::from_bytes(&bytes[..cut]));
        assert!(m.contains("not a readable ONNX model"), "cut at {cut}: {m}");
    }
}

#[test]
fn random_bytes() {
    use rand::{RngCore, SeedableRng};
    for seed in 0..20 {
        let mut bytes = vec![0u8; 4096];
        rand_chacha::ChaCha8Rng::seed_from_u64(seed).fill_bytes(&mut bytes);
        // Whatever the bytes decode to, no engine may be built from them and nothing panics.
        if let Ok(file) = ModelFile::from_bytes(&bytes) {
            assert!(NativeEngine::new(&file).is_err() && TractEngine::new(&file).is_err(), "seed {seed}");
        }
    }
}

#[test]
fn wrong_output_shape() {
    let m = message(TractEngine::new(&fixture("wrong-output-shape.onnx")));
    assert!(m.contains("output logits has shape") && m.contains("3"), "{m}");
}

#[test]
fn missing_metadata() {
    let file = fixture("no-metadata.onnx");
    let m = message(NativeEngine::new(&file));
    assert!(m.contains("missing pixelwise.levels"), "{m}");
    // tract still runs it, with the shapes read from the graph.
    let tract = TractEngine::new(&file).expect("tract runs a file without metadata");
    assert_eq!((tract.meta().levels, tract.meta().height), (2, 28));
    assert_eq!(tract.forward(&vec![0.0; 784], 1, &[None]).unwrap().len(), 2 * 784);
}

#[test]
fn weights_missing_for_the_config() {
    let m = message(NativeEngine::new(&fixture("missing-weights.onnx")));
    assert!(m.contains("missing initializer") && m.contains(".weight"), "{m}");
}

#[test]
fn bad_arguments_are_errors() {
    let (native, _) = common::engines("pixelcnn-mnist-bin.onnx");
    assert!(native.forward(&[0.0; 10], 1, &[None]).is_err());
    assert!(
        native.forward(&[0.0; 784], 1, &[Some(3)]).is_err(),
        "class on an unconditional model"
    );
    assert!(pixelwise::Sampler::new(&native, 1, 0, -1.0, vec![None], vec![]).is_err());
    assert!(pixelwise::Sampler::new(&native, 1, 0, 1.0, vec![None], vec![Some(5); 784]).is_err());
    let plain = || pixelwise::Sampler::new(&native, 1, 0, 1.0, vec![None], vec![]).unwrap();
    assert!(plain().with_guidance(&native, 2.0).is_err(), "guidance on an unconditional model");
    assert!(plain().with_guidance(&native, f32::NAN).is_err());
}

/// Inputs the fuzzer (./build.sh fuzz) found crashing, kept so they stay fixed: each is loaded and
/// given to both engines, and must come back as an error or a working engine, never a panic.
#[test]
fn fuzz_regressions() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        seen += 1;
        let Ok(file) = ModelFile::from_bytes(&std::fs::read(&path).unwrap()) else { continue };
        let _ = NativeEngine::new(&file);
        match TractEngine::new(&file) {
            Err(e) => assert!(e.to_string().len() > 10, "{}: {e}", path.display()),
            // An engine that builds must also survive a forward pass.
            Ok(tract) => {
                let m = tract.meta();
                let _ = tract.forward(&vec![0.0; m.channels * m.height * m.width], 1, &[None]);
            }
        }
    }
    assert!(seen >= 1, "the fuzz regressions are missing");
}

/// The first fuzz find: a mutated PixelCNN whose graph makes tract's Unsqueeze shape inference
/// panic. tract's analysis is guarded, so it is an error naming the problem.
#[test]
fn tract_panic_on_a_malformed_graph_is_an_error() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz/tract-unsqueeze-panic.onnx");
    let file = ModelFile::from_bytes(&std::fs::read(path).unwrap()).unwrap();
    let m = message(TractEngine::new(&file));
    assert!(m.contains("tract failed while analysing the graph") && m.contains("malformed"), "{m}");
}

/// A mutated Diagonal BiLSTM whose Gather index is far outside its axis: tract would index out of
/// bounds at run time (an abort, not a catchable panic), so the constant indices are checked first.
#[test]
fn gather_index_out_of_range_is_an_error() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz/tract-gather-abort.onnx");
    let file = ModelFile::from_bytes(&std::fs::read(path).unwrap()).unwrap();
    let m = message(TractEngine::new(&file));
    assert!(m.contains("Gather") && m.contains("outside an axis of length 28"), "{m}");
}
