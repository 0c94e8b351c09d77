//! In Chromium (wasm-pack test --headless --chrome): the wasm loads the committed model from
//! bytes, both engines sample deterministically, and tract's logits equal native's.
#![cfg(target_arch = "wasm32")]

use pixelwise::web::{EngineName, Model, SamplerOptions};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const MODEL: &[u8] = include_bytes!("../models/pixelcnn-mnist-bin.onnx");

fn model() -> Model {
    Model::from_bytes(MODEL).unwrap_or_else(|_| panic!("the committed model loads"))
}

fn options(engine: EngineName, n: usize, seed: f64) -> SamplerOptions {
    SamplerOptions { engine, n, seed, temperature: 1.0, labels: None, kept: None, guidance: 1.0 }
}

fn sample(model: &mut Model, engine: EngineName, seed: f64, positions: usize) -> Vec<u8> {
    let mut s = model
        .sampler_with(&options(engine, 2, seed))
        .unwrap_or_else(|_| panic!("{engine:?} sampler"));
    let mut done = 0;
    while done < positions {
        let records = s.step(28).unwrap_or_else(|_| panic!("{engine:?} step"));
        assert_eq!(records.len(), 28 * (3 + 2), "one record per position");
        done += 28;
    }
    s.levels()
}

#[wasm_bindgen_test]
fn native_samples_whole_images_deterministically() {
    let mut m = model();
    let a = sample(&mut m, EngineName::Native, 3.0, 784);
    assert_eq!(a, sample(&mut m, EngineName::Native, 3.0, 784));
    assert_ne!(a, sample(&mut m, EngineName::Native, 4.0, 784));
    assert!(a.iter().any(|&v| v == 1), "some ink");
}

#[wasm_bindgen_test]
fn tract_samples_deterministically() {
    let mut m = model();
    let a = sample(&mut m, EngineName::Tract, 3.0, 56);
    assert_eq!(a, sample(&mut m, EngineName::Tract, 3.0, 56));
}

#[wasm_bindgen_test]
fn tract_logits_equal_native() {
    let mut m = model();
    let pixels: Vec<f32> = (0..784).map(|i| f32::from((i * 7 + i / 28) % 5 == 0)).collect();
    let a = m.forward(EngineName::Native, &pixels, None).unwrap_or_else(|_| panic!("native forward"));
    let b = m.forward(EngineName::Tract, &pixels, None).unwrap_or_else(|_| panic!("tract forward"));
    assert_eq!(a.len(), 2 * 784);
    let worst = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max);
    assert!(worst < 1e-4, "native and tract differ by {worst} in the browser");
}

#[wasm_bindgen_test]
fn bad_input_throws() {
    assert!(Model::from_bytes(&[]).is_err());
    assert!(Model::from_bytes(&MODEL[..1000]).is_err());
    let mut m = model();
    assert!(m.sampler_with(&options(EngineName::Native, 1, -1.0)).is_err(), "negative seed");
    let guided = |scale| SamplerOptions { guidance: scale, ..options(EngineName::Native, 1, 0.0) };
    assert!(m.sampler_with(&guided(2.0)).is_err(), "guidance on an unconditional model");
    assert!(m.sampler_with(&guided(1.0)).is_ok(), "scale 1 is plain sampling");
    // Through the JS object: unknown engines and unknown fields are refused by serde.
    let js = |text: &str| js_sys::JSON::parse(text).unwrap();
    assert!(m.sampler(js(r#"{"engine": "gpu", "n": 1, "seed": 0}"#)).is_err(), "unknown engine");
    assert!(m.sampler(js(r#"{"engine": "native", "n": 1, "seed": 0, "temprature": 2}"#)).is_err(), "misspelt field");
    assert!(m.sampler(js(r#"{"engine": "native", "n": 1, "seed": 0, "kept": [300]}"#)).is_err(), "kept level over 255");
    assert!(m.sampler(js(r#"{"engine": "native", "n": 1, "seed": 0, "temperature": 0.5}"#)).is_ok());

}
