//! Checks every architecture must pass, on both engines, against a committed model file.
#![allow(dead_code)]

use pixelwise::engine::native::NativeEngine;
use pixelwise::engine::tract::TractEngine;
use pixelwise::{Engine, ModelFile, Sampler};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub fn model_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models").join(name)
}

pub fn engines(name: &str) -> (NativeEngine, TractEngine) {
    let file = ModelFile::from_path(model_path(name)).expect("model file loads");
    (
        NativeEngine::new(&file).expect("native engine"),
        TractEngine::new(&file).expect("tract engine"),
    )
}

/// Labels for `n` images: a class each for conditional models, none otherwise.
pub fn labels(engine: &dyn Engine, n: usize) -> Vec<Option<usize>> {
    let classes = engine.meta().classes;
    (0..n).map(|i| (classes > 0).then(|| i % classes)).collect()
}

pub fn random_image(engine: &dyn Engine, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..engine.meta().image_len())
        .map(|_| f32::from(rng.random::<f32>() < 0.3))
        .collect()
}

pub fn held_out_digits(n: usize) -> Vec<pixelwise::data::Digit> {
    pixelwise::data::load(true)
        .expect("digits present (./build.sh fetches them)")
        .into_iter()
        .step_by(97)
        .take(n)
        .collect()
}

pub fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

/// Changing pixel j changes no logit at any position <= j (single-channel models).
pub fn causality(engine: &dyn Engine) {
    let m = engine.meta().clone();
    let (hw, levels) = (m.height * m.width, m.levels);
    let lab = labels(engine, 1);
    let base = random_image(engine, 7);
    let before = engine.forward(&base, 1, &lab).unwrap();
    for j in [0, 1, m.width - 1, m.width, hw / 2 + 3, hw - m.width, hw - 1] {
        let mut changed = base.clone();
        changed[j] = 1.0 - changed[j];
        let after = engine.forward(&changed, 1, &lab).unwrap();
        for i in 0..=j {
            for l in 0..levels {
                let (a, b) = (before[l * hw + i], after[l * hw + i]);
                assert!(
                    (a - b).abs() < 1e-5,
                    "{:?}: pixel {j} changed the logits at {i} ({a} vs {b})",
                    engine.kind()
                );
            }
        }
        // And the change is seen somewhere later (the test could not pass by ignoring input).
        if j + 1 < hw {
            let later = (j + 1..hw).any(|i| (0..levels).any(|l| (before[l * hw + i] - after[l * hw + i]).abs() > 1e-6));
            assert!(later, "{:?}: pixel {j} influences nothing after it", engine.kind());
        }
    }
}

/// The cached session's logits at every position equal a full forward on the finished image.
pub fn cached_equals_full(native: &NativeEngine) {
    let m = native.meta().clone();
    let lab = labels(native, 2);
    let mut sampler = Sampler::new(native, 2, 11, 1.0, lab.clone(), Vec::new()).unwrap();
    sampler.run_to_end().unwrap();
    let pixels: Vec<f32> = sampler.levels().iter().map(|&k| k as f32 / (m.levels - 1) as f32).collect();
    let full = native.forward(&pixels, 2, &lab).unwrap();
    let mut session = native.session(2, &lab).unwrap();
    let hw = m.height * m.width;
    let mut worst = 0.0f32;
    // As in sampling, each pixel becomes final only after its position's logits were asked for:
    // until then it holds the opposite level, so a stale cached pixel changes later logits.
    let mut shown: Vec<f32> = pixels.iter().map(|v| 1.0 - v).collect();
    for p in 0..hw {
        let got = session.logits(&shown, p / m.width, p % m.width, 0).unwrap();
        for b in 0..2 {
            shown[b * hw + p] = pixels[b * hw + p];
        }
        for b in 0..2 {
            for l in 0..m.levels {
                worst = worst.max((got[b * m.levels + l] - full[(b * m.levels + l) * hw + p]).abs());
            }
        }
    }
    assert!(worst < 1e-4, "cached and full forward differ by {worst}");
}

/// Native and tract logits agree on real digits and on noise.
pub fn native_equals_tract(native: &NativeEngine, tract: &TractEngine) {
    let digits = held_out_digits(4);
    let mut pixels: Vec<f32> = digits.iter().flat_map(|d| d.binary()).collect();
    pixels.extend(random_image(native, 3));
    let lab = labels(native, 5);
    let a = native.forward(&pixels, 5, &lab).unwrap();
    let b = tract.forward(&pixels, 5, &lab).unwrap();
    let d = max_diff(&a, &b);
    assert!(d < 1e-4, "native and tract differ by {d}");
}

/// Rust's held-out NLL equals the one PyTorch recorded in the file.
pub fn nll_matches_recorded(engine: &dyn Engine) {
    let (nll, count) = pixelwise::eval::held_out_nll(engine, None).unwrap();
    let recorded = engine.meta().test_nll_nats.expect("pixelwise.test_nll_nats");
    assert!(count > 900, "only {count} held-out digits");
    assert!((nll - recorded).abs() < 0.05, "Rust NLL {nll} vs recorded {recorded}");
}

/// Same seed, same images; another seed, other images. `positions` limits slow engines; a
/// high temperature makes the blank top rows differ between seeds too.
pub fn deterministic(engine: &dyn Engine, positions: usize) {
    let run = |seed| {
        let mut s = Sampler::new(engine, 2, seed, 3.0, labels(engine, 2), Vec::new()).unwrap();
        s.step(positions).unwrap();
        s.levels().to_vec()
    };
    let first = run(5);
    assert!(first == run(5), "{:?}: same seed gave different images", engine.kind());
    assert!(first != run(6), "{:?}: different seeds gave the same images", engine.kind());
}

/// Kept pixels survive sampling, everything else is filled.
pub fn completion_keeps_pixels(engine: &dyn Engine) {
    let m = engine.meta().clone();
    let digit = &held_out_digits(1)[0];
    let cut = m.height / 2 * m.width;
    let mut kept: Vec<Option<u8>> = vec![None; m.image_len()];
    for p in 0..cut {
        kept[p] = Some(digit.binary()[p] as u8);
    }
    kept[cut + 200] = Some(1); // a drawn pixel below the cut
    let mut s = Sampler::new(engine, 3, 1, 1.0, labels(engine, 3), kept.clone()).unwrap();
    s.run_to_end().unwrap();
    for b in 0..3 {
        for (p, k) in kept.iter().enumerate() {
            if let Some(k) = k {
                assert_eq!(s.levels()[b * m.image_len() + p], *k, "kept pixel {p} changed in image {b}");
            }
        }
    }
    assert!(s.done());
}

/// The checks every architecture passes, as `#[test]` functions for one committed model file.
#[allow(unused_macros)]
macro_rules! model_checks {
    ($model:expr) => {
        #[test]
        fn causal_on_both_engines() {
            let (native, tract) = common::engines($model);
            common::causality(&native);
            common::causality(&tract);
        }

        #[test]
        fn cached_sampler_equals_full_forward() {
            common::cached_equals_full(&common::engines($model).0);
        }

        #[test]
        fn native_equals_tract() {
            let (native, tract) = common::engines($model);
            common::native_equals_tract(&native, &tract);
        }

        #[test]
        fn nll_matches_pytorch() {
            common::nll_matches_recorded(&common::engines($model).0);
        }

        #[test]
        fn same_seed_same_image() {
            let (native, tract) = common::engines($model);
            common::deterministic(&native, 784);
            common::deterministic(&tract, 56);
        }

        #[test]
        fn completion_keeps_drawn_pixels() {
            common::completion_keeps_pixels(&common::engines($model).0);
        }
    };
}
