//! Gated PixelCNN on 16x16 RGB emoji (R, then G, then B; 256 levels; 9 named categories), on both
//! engines, against models/gated-emoji-rgb.onnx.
#![cfg(not(target_arch = "wasm32"))]
#[macro_use]
mod common;

use pixelwise::nll::image_nll;
use pixelwise::Engine;

const MODEL: &str = "gated-emoji-rgb.onnx";

model_checks!(MODEL);

#[test]
fn categories_are_named() {
    let meta = common::engines(MODEL).0.meta().clone();
    assert_eq!(meta.classes, 9);
    assert_eq!(meta.class_name(0), "Smileys & Emotion");
    assert_eq!(meta.class_index("flags"), Some(8));
}

/// Mean NLL of the held-out emoji under their own category, none, and the next category.
#[test]
fn the_right_category_lowers_the_nll() {
    let native = common::engines(MODEL).0;
    let meta = native.meta().clone();
    let images = pixelwise::heldout::load(&meta).unwrap();
    let pixels: Vec<f32> = images.iter().flat_map(|d| d.pixels(meta.levels)).collect();
    let mean = |labels: Vec<Option<usize>>| {
        let logits = native.forward(&pixels, images.len(), &labels).unwrap();
        let (per, len) = (meta.levels * meta.image_len(), meta.image_len());
        (0..images.len())
            .map(|b| image_nll(&meta, &logits[b * per..(b + 1) * per], &pixels[b * len..(b + 1) * len]))
            .sum::<f64>()
            / images.len() as f64
    };
    let right = mean(images.iter().map(|d| Some(d.label)).collect());
    let none = mean(vec![None; images.len()]);
    let wrong = mean(images.iter().map(|d| Some((d.label + 1) % meta.classes)).collect());
    eprintln!("held-out emoji NLL: right {right:.2}, none {none:.2}, wrong {wrong:.2} nats");
    assert!(right < none && right < wrong, "right {right}, none {none}, wrong {wrong}");
}

/// The field measured by perturbation equals the one the masks allow; in a colour model it holds
/// the pixel itself (its G and B read its R) and nothing after it.
#[test]
fn receptive_field_matches_the_masks() {
    use pixelwise::receptive::{receptive_field, structural_field};
    let native = common::engines(MODEL).0;
    let (row, col) = (9, 6);
    let w = native.meta().width;
    let measured = receptive_field(&native, row, col).unwrap();
    let allowed = structural_field(native.meta(), row, col).unwrap();
    assert_eq!(measured, allowed, "measured and structural fields differ");
    assert!(measured[row * w + col], "G and B of a pixel read its R");
    assert!(measured.iter().skip(row * w + col + 1).all(|&v| !v), "nothing after the pixel");
}
