//! A class-conditional model reading the class of a digit's top half: p(class | kept rows).
#![cfg(not(target_arch = "wasm32"))]
mod common;

use pixelwise::class_posterior::{class_posterior, read_classes};
use pixelwise::Engine;

/// The top 14 rows of standard test digits, as the Gated PixelCNN's data set binarises them.
fn top_halves(engine: &dyn Engine, count: usize) -> Vec<(usize, Vec<Option<u8>>)> {
    let test = pixelwise::heldout::load(engine.meta()).unwrap();
    let step = test.len() / count;
    test.iter()
        .step_by(step)
        .take(count)
        .map(|d| (d.label, d.levels.iter().enumerate().map(|(i, &k)| (i < 14 * 28).then_some(k)).collect()))
        .collect()
}

/// The model read as a classifier of half digits: a distribution, whose likeliest class is the
/// digit's own far above chance (0.915 over 200 digits when measured).
#[test]
fn the_top_half_is_read_as_its_digit() {
    let (native, _) = common::engines("gated-mnist-bin.onnx");
    let halves = top_halves(&native, 40);
    let mut right = 0;
    for (label, kept) in &halves {
        let p = class_posterior(&native, kept).unwrap();
        assert_eq!(p.len(), 10);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9 && p.iter().all(|&x| x >= 0.0), "{p:?}");
        let best = (0..10).fold(0, |b, k| if p[k] > p[b] { k } else { b });
        right += usize::from(best == *label);
    }
    assert!(right >= 30, "{right} of 40 top halves read as their digit");
}

/// Only the kept run at the start of the sampling order is read: a kept pixel after the first free
/// one (a stroke below the cut) changes nothing, nor does any later pixel; a pixel of the run does.
#[test]
fn only_the_leading_kept_run_is_read() {
    let (native, tract) = common::engines("gated-mnist-bin.onnx");
    let (_, kept) = top_halves(&native, 10).swap_remove(3);
    let base = class_posterior(&native, &kept).unwrap();
    let mut below = kept.clone();
    for i in 20 * 28..20 * 28 + 10 {
        below[i] = Some(1);
    }
    assert_eq!(class_posterior(&native, &below).unwrap(), base, "a stroke below the cut moved the reading");
    let mut inside = kept.clone();
    inside[13 * 28 + 14] = Some(1 - kept[13 * 28 + 14].unwrap());
    assert_ne!(class_posterior(&native, &inside).unwrap(), base, "a kept pixel of the run left the reading as it was");
    // tract reads the same file the same way.
    let other = class_posterior(&tract, &kept).unwrap();
    assert!(base.iter().zip(&other).all(|(a, b)| (a - b).abs() < 1e-3), "native {base:?} vs tract {other:?}");
}

/// Seeded draws from the reading, refused where they mean nothing.
#[test]
fn classes_are_drawn_from_the_reading() {
    let (native, _) = common::engines("gated-mnist-bin.onnx");
    let (_, kept) = top_halves(&native, 10).swap_remove(0);
    let a = read_classes(&native, &kept, 64, 5).unwrap();
    assert_eq!(a.labels, read_classes(&native, &kept, 64, 5).unwrap().labels, "same seed, same classes");
    // Every drawn class has probability; the likeliest is drawn most.
    assert!(a.labels.iter().all(|&c| a.posterior[c] > 0.0));
    let best = (0..10).fold(0, |b, k| if a.posterior[k] > a.posterior[b] { k } else { b });
    let most = (0..10).max_by_key(|&k| a.labels.iter().filter(|&&c| c == k).count()).unwrap();
    assert_eq!(most, best, "posterior {:?}, drawn {:?}", a.posterior, a.labels);
    let uniform = class_posterior(&native, &[]).unwrap();
    assert!(uniform.iter().all(|&p| (p - 0.1).abs() < 1e-12), "nothing kept: the uniform prior");
    let (plain, _) = common::engines("pixelcnn-mnist-bin.onnx");
    let err = class_posterior(&plain, &kept).unwrap_err().to_string();
    assert!(err.contains("class-conditional"), "{err}");
    assert!(read_classes(&native, &kept, 0, 0).is_err() && read_classes(&native, &kept[1..], 1, 0).is_err());
}

/// A stroke down the middle of the top half, nothing else: read as a one.
#[test]
fn a_vertical_stroke_reads_as_a_one() {
    let (native, _) = common::engines("gated-mnist-bin.onnx");
    let p = class_posterior(&native, &stroke_of_a_one()).unwrap();
    let best = (0..10).fold(0, |b, k| if p[k] > p[b] { k } else { b });
    assert_eq!(best, 1, "{p:?}");
}

/// The top 14 rows kept: ink in column 14 from row 4 down, paper elsewhere.
fn stroke_of_a_one() -> Vec<Option<u8>> {
    (0..28 * 28).map(|i| (i < 14 * 28).then(|| u8::from(i % 28 == 14 && i / 28 >= 4))).collect()
}
