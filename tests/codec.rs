//! The codec: every architecture's images round-trip exactly, whatever the batch or thread count;
//! damaged files are errors, never wrong images; the payload is close to the model's NLL; the
//! committed files (examples/codec_fixtures.rs; the in-browser test decodes the same ones) decode
//! and re-encode to the same bytes; and, after the end-to-end test, the files the browser made.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use pixelwise::codec::{self, format::HEADER_LEN, Decoder, Image};
use pixelwise::engine::native::NativeEngine;
use pixelwise::{Engine, ModelFile};

const MODELS: [&str; 9] = [
    "pixelcnn-mnist-bin.onnx",
    "pixelcnn-mnistbern-bin.onnx",
    "pixelcnn-mnist-256.onnx",
    "gated-mnist-bin.onnx",
    "rowlstm-mnist-bin.onnx",
    "diagbilstm-mnist-bin.onnx",
    "gated-emoji-rgb.onnx",
    "pixelcnn-mnist-256-mix.onnx",
    "gated-emoji-rgb-mix.onnx",
];

fn load(name: &str) -> (ModelFile, NativeEngine) {
    let file = ModelFile::from_path(common::model_path(name)).expect("model file loads");
    let engine = NativeEngine::new(&file).expect("native engine");
    (file, engine)
}

/// Levels `[C, H, W]` of a random image (the worst case for a model) and its class.
fn random_levels(engine: &dyn Engine, seed: u64) -> Vec<u8> {
    let top = (engine.meta().levels - 1) as f32;
    common::random_image(engine, seed)
        .iter()
        .map(|&v| (v * top).round() as u8)
        .collect()
}

/// Held-out images where the data set is at hand, and two random ones.
fn images(engine: &dyn Engine) -> Vec<(Vec<u8>, Option<usize>)> {
    let classes = engine.meta().classes;
    let mut out: Vec<(Vec<u8>, Option<usize>)> = pixelwise::heldout::load(engine.meta())
        .map(|all| {
            all.into_iter()
                .step_by(97)
                .take(3)
                .map(|h| (h.levels, (classes > 0).then_some(h.label)))
                .collect()
        })
        .unwrap_or_default();
    out.push((random_levels(engine, 3), None));
    out.push((random_levels(engine, 4), (classes > 0).then_some(classes - 1)));
    out
}

fn batch<'a>(images: &'a [(Vec<u8>, Option<usize>)]) -> Vec<Image<'a>> {
    images.iter().map(|(levels, class)| Image { levels, class: *class }).collect()
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool")
}

#[test]
fn every_architecture_round_trips_with_the_same_bits_at_any_batch_and_thread_count() {
    for name in MODELS {
        let (file, engine) = load(name);
        let images = images(&engine);
        let together = codec::encode_batch(&engine, file.digest, &batch(&images)).unwrap();
        let two_threads = pool(2).install(|| codec::encode_batch(&engine, file.digest, &batch(&images)).unwrap());
        for (k, (levels, class)) in images.iter().enumerate() {
            let alone = pool(1).install(|| codec::encode(&engine, file.digest, levels, *class).unwrap());
            assert_eq!(alone, together[k].bytes, "{name}: image {k} alone and in a batch");
            assert_eq!(alone, two_threads[k].bytes, "{name}: image {k} on one thread and two");
            let (header, back) = codec::decode(&engine, file.digest, &alone).unwrap();
            assert_eq!(&back, levels, "{name}: image {k} decodes to itself");
            assert_eq!(header.class, *class);
            let (_, back) = pool(2).install(|| codec::decode(&engine, file.digest, &alone).unwrap());
            assert_eq!(&back, levels, "{name}: image {k} decodes to itself on two threads");
        }
    }
}

#[test]
fn decoding_in_steps_of_any_size_gives_the_image_and_counts_its_bits() {
    let (file, engine) = load("gated-emoji-rgb.onnx");
    let (levels, class) = images(&engine).remove(0);
    let encoded = codec::encode_batch(&engine, file.digest, &[Image { levels: &levels, class }])
        .unwrap()
        .remove(0);
    for step in [1, 7, 48, 10_000] {
        let mut d = Decoder::new(&engine, file.digest, &encoded.bytes).unwrap();
        let mut seen = 0;
        while !d.done() {
            let steps = d.step(step).unwrap();
            for s in &steps {
                let hw = engine.meta().positions();
                assert_eq!(s.levels[0], levels[s.channel * hw + s.row * engine.meta().width + s.col]);
            }
            seen += steps.len();
            assert_eq!(d.position(), seen);
        }
        assert_eq!(d.levels(), &levels[..]);
        // The information decoded is the quantised model's cost of the image: within a bit of the NLL.
        assert!(
            (d.bits() - encoded.nll_bits).abs() < 1.0 + 1e-3 * encoded.nll_bits,
            "{} against {}",
            d.bits(),
            encoded.nll_bits
        );
        assert_eq!(d.payload_bits(), 8 * (encoded.bytes.len() - HEADER_LEN));
    }
}

#[test]
fn the_payload_is_within_one_percent_of_the_nll_plus_a_byte_and_a_half_per_file() {
    for name in ["gated-emoji-rgb.onnx", "pixelcnn-mnist-256.onnx", "pixelcnn-mnist-bin.onnx", "pixelcnn-mnist-256-mix.onnx", "gated-emoji-rgb-mix.onnx"] {
        let (file, engine) = load(name);
        let held = pixelwise::heldout::load(engine.meta()).unwrap();
        let classes = engine.meta().classes;
        let images: Vec<(Vec<u8>, Option<usize>)> = held
            .into_iter()
            .take(24)
            .map(|h| (h.levels, (classes > 0).then_some(h.label)))
            .collect();
        let encoded = codec::encode_batch(&engine, file.digest, &batch(&images)).unwrap();
        let payload: f64 = encoded.iter().map(|e| 8.0 * (e.bytes.len() - HEADER_LEN) as f64).sum();
        let nll: f64 = encoded.iter().map(|e| e.nll_bits).sum();
        // Whole bytes, and the point that ends the stream: a few bits a file.
        let seal = 12.0 * images.len() as f64;
        eprintln!("{name}: payload {payload} bits, NLL {nll:.1} bits, allowance {seal}");
        assert!(
            payload <= 1.01 * nll + seal,
            "{name}: payload {payload} bits against an NLL of {nll:.1}"
        );
    }
}

#[test]
fn damaged_files_are_errors_never_wrong_images() {
    let (file, engine) = load("pixelcnn-mnist-bin.onnx");
    let (levels, _) = images(&engine).remove(0);
    let bytes = codec::encode(&engine, file.digest, &levels, None).unwrap();
    let decode = |b: &[u8]| codec::decode(&engine, file.digest, b).map(|(_, l)| l);
    // Every truncation.
    for len in 0..bytes.len() {
        assert!(decode(&bytes[..len]).is_err(), "truncated to {len} bytes");
    }
    // Every byte changed, three ways: an error, or (a change the coder ignores) the very image.
    for at in 0..bytes.len() {
        for x in [0x01u8, 0x80, 0xff] {
            let mut b = bytes.clone();
            b[at] ^= x;
            if let Ok(l) = decode(&b) {
                assert_eq!(l, levels, "byte {at} ^ {x:#x} decoded to another image");
            }
        }
    }
    // Data after the image.
    let mut longer = bytes.clone();
    longer.extend_from_slice(&[0x5a; 8]);
    assert!(decode(&longer).is_err());
    let msg = |b: &[u8]| decode(b).unwrap_err().to_string();
    assert!(msg(b"GIF89a....").contains("does not start with"), "{}", msg(b"GIF89a...."));
    let mut version = bytes.clone();
    version[3] = 9;
    assert!(msg(&version).contains("format version 9"), "{}", msg(&version));
    let mut truncated = bytes.clone();
    truncated.pop();
    assert!(msg(&truncated).contains("truncated"), "{}", msg(&truncated));
    // Another model: refused by its digest before any decoding.
    let (other_file, other) = load("rowlstm-mnist-bin.onnx");
    let err = codec::decode(&other, other_file.digest, &bytes).unwrap_err().to_string();
    assert!(err.contains("another model"), "{err}");
    // Input that is not an image of the model.
    assert!(codec::encode(&engine, file.digest, &levels[1..], None).is_err());
    let mut bad = levels.clone();
    bad[5] = 2;
    assert!(codec::encode(&engine, file.digest, &bad, None)
        .unwrap_err()
        .to_string()
        .contains("level 2"));
    assert!(
        codec::encode(&engine, file.digest, &levels, Some(3)).is_err(),
        "a class for an unconditional model"
    );
}

#[test]
fn only_the_native_engine_codes() {
    let file = ModelFile::from_path(common::model_path("pixelcnn-mnist-bin.onnx")).unwrap();
    let tract = pixelwise::load_engine(&file, pixelwise::EngineKind::Tract).unwrap();
    let levels = vec![0u8; tract.meta().image_len()];
    assert!(codec::encode(tract.as_ref(), file.digest, &levels, None)
        .unwrap_err()
        .to_string()
        .contains("native engine"));
}

/// One committed file: the model, the class, the image's levels, and its compressed bytes.
#[derive(serde::Deserialize)]
struct Fixture {
    model: String,
    label: Option<usize>,
    levels: Vec<u8>,
}

/// Each `<name>.json` in `dir` with its `<name>.pxw`: decodes to its levels, and encodes to its bytes.
fn check_files(dir: &std::path::Path) -> usize {
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let fx: Fixture = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let bytes = std::fs::read(path.with_extension("pxw")).unwrap();
        let (file, engine) = load(&fx.model);
        let (header, levels) = codec::decode(&engine, file.digest, &bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(levels, fx.levels, "{}", path.display());
        assert_eq!(header.class, fx.label);
        assert_eq!(
            codec::encode(&engine, file.digest, &fx.levels, fx.label).unwrap(),
            bytes,
            "{}",
            path.display()
        );
        checked += 1;
    }
    checked
}

#[test]
fn committed_files_decode_and_re_encode_to_the_same_bytes() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/codec");
    assert_eq!(check_files(&dir), MODELS.len(), "one committed file per model in {}", dir.display());
}

/// The files the end-to-end test had the browser compress (wasm, both modules), decoded natively.
/// Run by build.sh after that test, with PIXELWISE_BROWSER_CODEC naming their folder.
#[test]
#[ignore = "needs the files the end-to-end test writes"]
fn files_made_in_the_browser_decode_natively() {
    let dir = std::env::var_os("PIXELWISE_BROWSER_CODEC").expect("PIXELWISE_BROWSER_CODEC names the browser's files");
    let n = check_files(std::path::Path::new(&dir));
    assert!(n >= 2, "only {n} files from the browser");
}

/// Files the codec's fuzzer (./build.sh fuzz 600 codec) keeps in tests/fixtures/codec/fuzz/, with
/// the damaged files it started from: each decodes, with the model it names (or, naming none, the
/// binary PixelCNN), to an error that says what is wrong, or to an image that is its own file's.
#[test]
fn fuzz_finds_stay_errors_or_their_own_images() {
    let models: Vec<(ModelFile, NativeEngine)> = MODELS.iter().map(|n| load(n)).collect();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/codec/fuzz");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let (file, engine) = models.iter().find(|(f, _)| bytes.get(4..12) == Some(&f.digest[..])).unwrap_or(&models[0]);
        match codec::decode(engine, file.digest, &bytes) {
            Err(e) => assert!(e.to_string().len() > 20, "{}: {e}", path.display()),
            Ok((header, levels)) => {
                let again = codec::encode(engine, file.digest, &levels, header.class).unwrap();
                assert_eq!(codec::decode(engine, file.digest, &again).unwrap().1, levels, "{}", path.display());
            }
        }
        seen += 1;
    }
    assert!(seen >= 1, "no files in {}", dir.display());
}
