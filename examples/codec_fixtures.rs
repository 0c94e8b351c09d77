//! Writes the committed codec files (tests/fixtures/codec/<model>.{pxw,json}): one image per model
//! file, compressed natively; the in-browser test decodes them and must re-encode the same bytes.
//! Also damaged copies of the binary PixelCNN's file in tests/fixtures/codec/fuzz/ (beside what the
//! fuzzer finds there), which tests/codec.rs checks are refused and the fuzzer starts from.
//! Run again whenever a model file changes: `cargo run --release --example codec_fixtures`.
use pixelwise::engine::native::NativeEngine;
use pixelwise::{codec, Engine, ModelFile};

const MODELS: [&str; 9] = [
    "pixelcnn-mnist-bin",
    "pixelcnn-mnistbern-bin",
    "pixelcnn-mnist-256",
    "gated-mnist-bin",
    "rowlstm-mnist-bin",
    "diagbilstm-mnist-bin",
    "gated-emoji-rgb",
    "pixelcnn-mnist-256-mix",
    "gated-emoji-rgb-mix",
];

fn main() -> pixelwise::Result<()> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = root.join("tests/fixtures/codec");
    std::fs::create_dir_all(&out)?;
    let emoji = pixelwise::heldout::read_emoji(&pixelwise::heldout::emoji_test_path())?.0;
    for name in MODELS {
        let file = ModelFile::from_path(root.join("models").join(format!("{name}.onnx")))?;
        let engine = NativeEngine::new(&file)?;
        let m = engine.meta();
        // Images that need no data set at hand: a held-out emoji, or a digit-like stroke pattern
        // (a ring, in the model's levels) so the file is small and typical.
        let (levels, label): (Vec<u8>, Option<usize>) = if m.channels == 3 {
            let e = &emoji[7];
            (e.levels.clone(), (m.classes > 0).then_some(e.label))
        } else {
            let top = (m.levels - 1) as f64;
            let levels = (0..m.positions())
                .map(|p| {
                    let (y, x) = ((p / m.width) as f64 - 13.5, (p % m.width) as f64 - 13.5);
                    let ink = (1.0 - ((y * y / 1.6 + x * x).sqrt() - 8.0).abs() / 2.5).clamp(0.0, 1.0);
                    (ink * top).round() as u8
                })
                .collect();
            (levels, (m.classes > 0).then_some(0))
        };
        let bytes = codec::encode(&engine, file.digest, &levels, label)?;
        std::fs::write(out.join(format!("{name}.pxw")), &bytes)?;
        let json = serde_json::json!({ "model": format!("{name}.onnx"), "label": label, "levels": levels });
        std::fs::write(out.join(format!("{name}.json")), json.to_string() + "\n")?;
        println!("{name}: {} bytes", bytes.len());
        if name == "pixelcnn-mnist-bin" {
            damaged(&out.join("fuzz"), &bytes)?;
        }
    }
    Ok(())
}

/// One damaged copy of `bytes` for each part of the format.
fn damaged(dir: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let changed = |at: usize, x: u8| {
        let mut b = bytes.to_vec();
        b[at] ^= x;
        b
    };
    let n = bytes.len();
    for (name, b) in [
        ("seed-truncated-header", bytes[..10].to_vec()),
        ("seed-truncated-payload", bytes[..n - 1].to_vec()),
        ("seed-version", changed(3, 0x02)),
        ("seed-model", changed(6, 0x10)),
        ("seed-height", changed(13, 0x01)),
        ("seed-class", changed(17, 0x03)),
        ("seed-length", changed(18, 0x01)),
        ("seed-check", changed(21, 0x40)),
        ("seed-payload", changed(codec::format::HEADER_LEN, 0x20)),
        ("seed-trailing", [bytes, &[0u8; 3]].concat()),
    ] {
        std::fs::write(dir.join(format!("{name}.pxw")), b)?;
    }
    Ok(())
}
