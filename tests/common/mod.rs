//! Checks every architecture must pass, on both engines, against a committed model file.
#![allow(dead_code)]

use pixelwise::engine::native::NativeEngine;
use pixelwise::engine::tract::TractEngine;
use pixelwise::{Engine, ModelFile, Sampler};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A committed model (`models/<name>`), or a path from the crate root (`tests/fixtures/...`).
pub fn model_path(name: &str) -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    if name.contains('/') {
        root.join(name)
    } else {
        root.join("models").join(name)
    }
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

/// Random pixels: 30% ink for binary models, uniform levels otherwise.
pub fn random_image(engine: &dyn Engine, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let levels = engine.meta().levels;
    (0..engine.meta().image_len())
        .map(|_| {
            if levels == 2 {
                f32::from(rng.random::<f32>() < 0.3)
            } else {
                rng.random_range(0..levels) as f32 / (levels - 1) as f32
            }
        })
        .collect()
}

/// `n` held-out images of the model's own data set, spread over the split.
pub fn held_out(engine: &dyn Engine, n: usize) -> Vec<pixelwise::heldout::HeldOut> {
    let all = pixelwise::heldout::load(engine.meta()).expect("held-out images present (./build.sh fetches the digits)");
    let step = (all.len() / n).max(1);
    all.into_iter().step_by(step).take(n).collect()
}

pub fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

/// Another level for a pixel value: the opposite end of the scale.
fn flipped(v: f32) -> f32 {
    1.0 - v
}

/// Changing sub-pixel (pixel j, channel cj) changes no logit earlier in sampling order (every
/// channel of pixels before j; channels 0..=cj of pixel j: R never sees G or B, G never sees B).
pub fn causality(engine: &dyn Engine) {
    let m = engine.meta().clone();
    let (hw, levels, cs) = (m.height * m.width, m.levels, m.channels);
    let lab = labels(engine, 1);
    let base = random_image(engine, 7);
    let before = engine.forward(&base, 1, &lab).unwrap();
    let at = |logits: &[f32], l: usize, c: usize, i: usize| logits[(l * cs + c) * hw + i];
    for j in [0, 1, m.width - 1, m.width, hw / 2 + 3, hw - m.width, hw - 1] {
        for cj in 0..cs {
            let mut changed = base.clone();
            changed[cj * hw + j] = flipped(changed[cj * hw + j]);
            let after = engine.forward(&changed, 1, &lab).unwrap();
            for i in 0..=j {
                let last = if i == j { cj } else { cs - 1 };
                for c in 0..=last {
                    for l in 0..levels {
                        let (a, b) = (at(&before, l, c, i), at(&after, l, c, i));
                        assert!(
                            (a - b).abs() < 1e-5,
                            "{:?}: pixel {j} channel {cj} changed the logits of channel {c} at {i} ({a} vs {b})",
                            engine.kind()
                        );
                    }
                }
            }
            // And the change is seen somewhere later (the test could not pass by ignoring input).
            let later = (j * cs + cj + 1..hw * cs)
                .any(|q| (0..levels).any(|l| (at(&before, l, q % cs, q / cs) - at(&after, l, q % cs, q / cs)).abs() > 1e-6));
            if j + 1 < hw {
                assert!(later, "{:?}: pixel {j} channel {cj} influences nothing after it", engine.kind());
            }
        }
    }
}

/// The cached session's logits at every sub-pixel equal a full forward on the finished image, also
/// when some sub-pixels are given, as in a completion (final from the start, never asked for): the
/// session then passes over whole pixels and over single channels of a colour pixel.
pub fn cached_equals_full(native: &NativeEngine) {
    let m = native.meta().clone();
    let lab = labels(native, 2);
    let mut sampler = Sampler::new(native, 2, 11, 1.0, lab.clone(), Vec::new()).unwrap();
    sampler.run_to_end().unwrap();
    let pixels: Vec<f32> = sampler.levels().iter().map(|&k| k as f32 / (m.levels - 1) as f32).collect();
    let full = native.forward(&pixels, 2, &lab).unwrap();
    let (hw, cs, len) = (m.height * m.width, m.channels, m.image_len());
    let none = |_: usize, _: usize| false;
    let some = |p: usize, c: usize| (p * 7 + c * 3) % 5 == 0;
    for (given, what) in [(&none as &dyn Fn(usize, usize) -> bool, "every sub-pixel asked"), (&some, "some given")] {
        let mut session = native.session(2, &lab).unwrap();
        // As in sampling, each asked sub-pixel becomes final only after its logits were asked for:
        // until then it holds another level, so a stale cached value changes later logits.
        let mut shown = pixels.clone();
        for b in 0..2 {
            for c in 0..cs {
                for p in (0..hw).filter(|&p| !given(p, c)) {
                    shown[b * len + c * hw + p] = flipped(pixels[b * len + c * hw + p]);
                }
            }
        }
        let mut worst = 0.0f32;
        for p in 0..hw {
            for c in (0..cs).filter(|&c| !given(p, c)) {
                let got = session.logits(&shown, p / m.width, p % m.width, c).unwrap();
                for b in 0..2 {
                    shown[b * len + c * hw + p] = pixels[b * len + c * hw + p];
                    for l in 0..m.levels {
                        let want = full[b * m.levels * len + (l * cs + c) * hw + p];
                        worst = worst.max((got[b * m.levels + l] - want).abs());
                    }
                }
            }
        }
        assert!(worst < 1e-4, "{what}: cached and full forward differ by {worst}");
    }
}

/// Native and tract logits agree on held-out images and on noise.
pub fn native_equals_tract(native: &NativeEngine, tract: &TractEngine) {
    let images = held_out(native, 4);
    let levels = native.meta().levels;
    let mut pixels: Vec<f32> = images.iter().flat_map(|d| d.pixels(levels)).collect();
    pixels.extend(random_image(native, 3));
    let n = images.len() + 1;
    let lab = labels(native, n);
    let a = native.forward(&pixels, n, &lab).unwrap();
    let b = tract.forward(&pixels, n, &lab).unwrap();
    let d = max_diff(&a, &b);
    // 1e-4 of the logits' scale: 256-way heads reach tens, where two f32 summation orders differ
    // by a few 1e-4 (binary heads stay under 1, so for them this is 1e-4 absolute).
    let scale = a.iter().fold(1.0f32, |m, v| m.max(v.abs()));
    assert!(d < 1e-4 * scale, "native and tract differ by {d} (logits up to {scale})");
}

/// Rust's held-out NLL equals the one PyTorch recorded in the file.
pub fn nll_matches_recorded(engine: &dyn Engine) {
    let (nll, count) = pixelwise::eval::held_out_nll(engine, None).unwrap();
    let recorded = engine.meta().test_nll_nats.expect("pixelwise.test_nll_nats");
    let expected = pixelwise::heldout::load(engine.meta()).unwrap().len();
    assert!(count == expected && count >= 100, "{count} held-out images of {expected}");
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

/// A held-out image's top half (every channel of its first `height / 2` rows) kept, the rest free;
/// and the number of pixels in that half.
fn top_half_kept(engine: &dyn Engine) -> (Vec<Option<u8>>, usize) {
    let m = engine.meta();
    let image = &held_out(engine, 1)[0];
    let (hw, cut) = (m.height * m.width, m.height / 2 * m.width);
    let mut kept: Vec<Option<u8>> = vec![None; m.image_len()];
    for c in 0..m.channels {
        for p in 0..cut {
            kept[c * hw + p] = Some(image.levels[c * hw + p]);
        }
    }
    (kept, cut)
}

/// Kept sub-pixels survive sampling, everything else is filled.
pub fn completion_keeps_pixels(engine: &dyn Engine) {
    let m = engine.meta().clone();
    let hw = m.height * m.width;
    let (mut kept, cut) = top_half_kept(engine);
    kept[cut + hw / 4] = Some((m.levels - 1) as u8); // a drawn sub-pixel below the cut
    let mut s = Sampler::new(engine, 3, 1, 1.0, labels(engine, 3), kept.clone()).unwrap();
    s.run_to_end().unwrap();
    for b in 0..3 {
        for (p, k) in kept.iter().enumerate() {
            if let Some(k) = k {
                assert_eq!(s.levels()[b * m.image_len() + p], *k, "kept sub-pixel {p} changed in image {b}");
            }
        }
    }
    assert!(s.done());
}

/// A batch computed as one image while its images are identical (unconditional samples, and a
/// completion's rows above the cut) draws exactly the images and softmax of a batch computed image
/// by image from the start: the widened session carries every activation over. A completion of
/// the top half shares at least that half.
pub fn shared_prefix_equals_separate(native: &NativeEngine) {
    let m = native.meta().clone();
    let (n, lab) = (4, vec![if m.classes > 0 { Some(1) } else { None }; 4]);
    let (top, cut) = top_half_kept(native);
    // Conditional models also with guidance, whose unconditional sessions are shared and widened too.
    let guidance = if m.classes > 0 { 3.0 } else { 1.0 };
    for (kept, scale, what) in [(Vec::new(), 1.0, "unconditional"), (top.clone(), 1.0, "top half kept"), (top, guidance, "top half kept, guided")] {
        let mut shared = Sampler::new(native, n, 9, 1.0, lab.clone(), kept.clone()).unwrap().with_guidance(native, scale).unwrap();
        let session = native.session(n, &lab).unwrap();
        let mut separate = Sampler::with_session(m.clone(), session, n, 9, 1.0, kept.clone()).unwrap().with_guidance(native, scale).unwrap();
        while !shared.done() {
            let (a, b) = (shared.step(97).unwrap(), separate.step(97).unwrap());
            assert_eq!(a, b, "{what}: the steps differ");
            assert_eq!(shared.probabilities(), separate.probabilities(), "{what}: the softmax differs");
        }
        assert_eq!(shared.levels(), separate.levels(), "{what}: the images differ");
        if !kept.is_empty() {
            assert!(shared.shared_positions() >= cut * m.channels, "{what}: {} sub-pixels shared", shared.shared_positions());
        }
        assert!(separate.shared_positions() == 0 && shared.shared_positions() < m.image_len(), "{what}: the images never differed");
    }
}

/// Every sub-pixel's scores are log-probabilities: exp sums to 1 over the levels (a head that
/// computes its own, like the mixture, must normalise exactly; a softmax's logits need not).
pub fn log_probabilities_sum_to_one(engine: &dyn Engine) {
    let m = engine.meta().clone();
    let lab = labels(engine, 2);
    let mut pixels = random_image(engine, 5);
    pixels.extend(held_out(engine, 1)[0].pixels(m.levels));
    let logits = engine.forward(&pixels, 2, &lab).unwrap();
    let per = m.image_len();
    let mut worst = 0.0f64;
    for b in 0..2 {
        for i in 0..per {
            let total: f64 = (0..m.levels).map(|l| (logits[b * m.levels * per + l * per + i] as f64).exp()).sum();
            worst = worst.max((total - 1.0).abs());
        }
    }
    assert!(worst < 1e-5, "{:?}: probabilities sum to 1 within {worst}", engine.kind());
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
            use pixelwise::Engine;
            let per_row = native.meta().width * native.meta().channels;
            common::deterministic(&native, native.meta().image_len());
            common::deterministic(&tract, 2 * per_row);
        }

        #[test]
        fn shared_prefix_equals_separate_images() {
            common::shared_prefix_equals_separate(&common::engines($model).0);
        }

        #[test]
        fn completion_keeps_drawn_pixels() {
            common::completion_keeps_pixels(&common::engines($model).0);
        }
    };
}
