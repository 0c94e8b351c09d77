//! Any bytes through the codec's decoder, with every committed model: the file's model digest picks
//! the model (the seed corpus holds a valid file for each), so mutations reach the header checks,
//! the range decoder and the final image check. Errors are fine; panics, hangs and wrong images are
//! not (a decode that succeeds must re-encode to the very same bytes).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pixelwise::codec;
use pixelwise::engine::native::NativeEngine;
use pixelwise::{Engine, ModelFile};

fn models() -> &'static [(ModelFile, NativeEngine)] {
    static MODELS: OnceLock<Vec<(ModelFile, NativeEngine)>> = OnceLock::new();
    MODELS.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../models");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .expect("the models folder")
            .map(|e| e.expect("a folder entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "onnx"))
            .collect();
        paths.sort();
        paths
            .into_iter()
            .filter_map(|p| {
                let file = ModelFile::from_path(&p).ok()?;
                let engine = NativeEngine::new(&file).ok()?;
                Some((file, engine))
            })
            .collect()
    })
}

fuzz_target!(|bytes: &[u8]| {
    let models = models();
    // The model the file names, or the first one (then the file is refused for naming another).
    let named = bytes.get(4..12);
    let (file, engine) = models.iter().find(|(f, _)| Some(&f.digest[..]) == named).unwrap_or(&models[0]);
    if let Ok((header, levels)) = codec::decode(engine, file.digest, bytes) {
        let again = codec::encode(engine, file.digest, &levels, header.class).expect("a decoded image encodes");
        let (_, back) = codec::decode(engine, file.digest, &again).expect("a re-encoded image decodes");
        assert_eq!(back, levels, "a decoded image's own file decodes to it");
    }
});
