//! Any bytes through the loader, the metadata check, both engines' construction and one forward on
//! a zero image: errors are fine, panics, hangs and unbounded allocations are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pixelwise::engine::native::NativeEngine;
use pixelwise::engine::tract::TractEngine;
use pixelwise::{Engine, ModelFile};

fn forward(engine: &dyn Engine) {
    let m = engine.meta().clone();
    let labels = [(m.classes > 0).then_some(0)];
    let _ = engine.forward(&vec![0.0; m.image_len()], 1, &labels);
}

static QUIET_CAUGHT_PANICS: std::sync::Once = std::sync::Once::new();

fuzz_target!(|bytes: &[u8]| {
    // libfuzzer-sys aborts on any panic from its hook; the project catches tract's own panics and
    // turns them into errors, so print panics without aborting: an uncaught one still ends the
    // input with a crash (libfuzzer-sys's catch_unwind aborts).
    QUIET_CAUGHT_PANICS.call_once(|| {
        // Replaces libfuzzer-sys's aborting hook with one that only prints.
        std::panic::set_hook(Box::new(|info| eprintln!("caught panic: {info}")));
    });
    let Ok(file) = ModelFile::from_bytes(bytes) else { return };
    let _ = file.meta();
    if let Ok(native) = NativeEngine::new(&file) {
        forward(&native);
    }
    if let Ok(tract) = TractEngine::new(&file) {
        forward(&tract);
    }
});
