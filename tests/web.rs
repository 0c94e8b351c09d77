//! In Chromium (wasm-pack test --headless --chrome): the wasm loads the committed model from
//! bytes, both engines sample deterministically, and tract's logits equal native's.
#![cfg(target_arch = "wasm32")]

use pixelwise::web::Model;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const MODEL: &[u8] = include_bytes!("../models/pixelcnn-mnist-bin.onnx");

fn model() -> Model {
    Model::from_bytes(MODEL).unwrap_or_else(|_| panic!("the committed model loads"))
}

fn sample(model: &mut Model, engine: &str, seed: f64, positions: usize) -> Vec<u8> {
    let mut s = model
        .sampler(engine, 2, seed, 1.0, &[], &[])
        .unwrap_or_else(|_| panic!("{engine} sampler"));
    let mut done = 0;
    while done < positions {
        let records = s.step(28).unwrap_or_else(|_| panic!("{engine} step"));
        assert_eq!(records.len(), 28 * (3 + 2), "one record per position");
        done += 28;
    }
    s.levels()
}

#[wasm_bindgen_test]
fn native_samples_whole_images_deterministically() {
    let mut m = model();
    let a = sample(&mut m, "native", 3.0, 784);
    assert_eq!(a, sample(&mut m, "native", 3.0, 784));
    assert_ne!(a, sample(&mut m, "native", 4.0, 784));
    assert!(a.iter().any(|&v| v == 1), "some ink");
}

#[wasm_bindgen_test]
fn tract_samples_deterministically() {
    let mut m = model();
    let a = sample(&mut m, "tract", 3.0, 56);
    assert_eq!(a, sample(&mut m, "tract", 3.0, 56));
}

#[wasm_bindgen_test]
fn tract_logits_equal_native() {
    let mut m = model();
    let pixels: Vec<f32> = (0..784).map(|i| f32::from((i * 7 + i / 28) % 5 == 0)).collect();
    let a = m.forward("native", &pixels, -1).unwrap_or_else(|_| panic!("native forward"));
    let b = m.forward("tract", &pixels, -1).unwrap_or_else(|_| panic!("tract forward"));
    assert_eq!(a.len(), 2 * 784);
    let worst = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max);
    assert!(worst < 1e-4, "native and tract differ by {worst} in the browser");
}

#[wasm_bindgen_test]
fn bad_input_throws() {
    assert!(Model::from_bytes(&[]).is_err());
    assert!(Model::from_bytes(&MODEL[..1000]).is_err());
    let mut m = model();
    assert!(m.sampler("native", 1, -1.0, 1.0, &[], &[]).is_err(), "negative seed");
    assert!(m.sampler("gpu", 1, 0.0, 1.0, &[], &[]).is_err(), "unknown engine");
    assert!(
        m.guided_sampler("native", 1, 0.0, 1.0, &[], &[], 2.0).is_err(),
        "guidance on an unconditional model"
    );
    assert!(
        m.guided_sampler("native", 1, 0.0, 1.0, &[], &[], 1.0).is_ok(),
        "scale 1 is plain sampling"
    );
}
