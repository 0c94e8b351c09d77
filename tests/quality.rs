//! `pixelwise eval --quality`: samples and completions read by the digit classifier.
#![cfg(not(target_arch = "wasm32"))]
mod common;

use pixelwise::classifier::Classifier;
use pixelwise::quality::{completions, samples};
use pixelwise::ModelFile;

fn classifier() -> Classifier {
    Classifier::new(&ModelFile::from_path(common::model_path("classifier-mnist.onnx")).unwrap()).unwrap()
}

/// The kept top half reaches the sampler: completions become their digit far above the one in ten
/// of digits drawn from nothing (0.64 over 1,000 when measured), and never more often than the same
/// digits whole are read right.
#[test]
fn completions_become_their_digit_above_chance() {
    let (native, _) = common::engines("pixelcnn-mnist-bin.onnx");
    let q = completions(&native, &classifier(), 40, 0, false, 1.0).unwrap();
    assert_eq!((q.images, q.kept_rows), (40, 14));
    assert!(
        q.whole_digits_read_right >= 0.95,
        "whole digits read right: {}",
        q.whole_digits_read_right
    );
    assert!(
        q.read_as_their_digit >= 0.35 && q.read_as_their_digit <= q.whole_digits_read_right,
        "completions read as their digit: {} (per class {:?})",
        q.read_as_their_digit,
        q.per_class
    );
    let again = completions(&native, &classifier(), 40, 0, false, 1.0).unwrap();
    assert_eq!(
        (again.read_as_their_digit, again.per_class),
        (q.read_as_their_digit, q.per_class),
        "seeded"
    );
}

/// Every sample lands in the histogram; a conditional model's guided samples are their class.
#[test]
fn samples_are_counted_and_guided_ones_are_their_class() {
    let (native, _) = common::engines("pixelcnn-mnist-bin.onnx");
    let q = samples(&native, &classifier(), 30, 0, 1.0).unwrap();
    assert_eq!(q.class_histogram.iter().sum::<usize>(), 30);
    assert!(q.as_their_class.is_none() && (0.0..=1.0).contains(&q.read_clearly));
    let (gated, _) = common::engines("gated-mnist-bin.onnx");
    let guided = samples(&gated, &classifier(), 30, 0, 3.0).unwrap();
    let share = guided.as_their_class.expect("a conditional model reports its class share");
    assert!(
        share >= 0.8,
        "guided samples read as their class: {share} ({:?})",
        guided.class_histogram
    );
}

/// Not a digit model: refused with the reason, before any work.
#[test]
fn quality_refuses_a_colour_model() {
    let (emoji, _) = common::engines("gated-emoji-rgb.onnx");
    let err = samples(&emoji, &classifier(), 4, 0, 1.0).err().expect("refused").to_string();
    assert!(err.contains("not a single-channel 28x28 MNIST model"), "{err}");
}
