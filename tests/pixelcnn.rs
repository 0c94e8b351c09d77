//! PixelCNN on both engines, against the committed models/pixelcnn-mnist-bin.onnx.
#![cfg(not(target_arch = "wasm32"))]
#[macro_use]
mod common;

const MODEL: &str = "pixelcnn-mnist-bin.onnx";

model_checks!(MODEL);

/// The page's surprise map of held-out digit 0 sums to the NLL `pixelwise eval --limit 1` counts
/// for the same digit (the end-to-end test compares the page with that command).
#[test]
fn surprise_map_of_digit_zero_equals_its_eval_nll() {
    let native = common::engines(MODEL).0;
    let digit = &common::held_out(&native, 1)[0];
    let bits = pixelwise::lessons::surprise::surprise_bits(&native, &digit.pixels(2), None).unwrap();
    let nats: f64 = bits.iter().map(|&b| f64::from(b) * std::f64::consts::LN_2).sum();
    let (eval, count) = pixelwise::eval::held_out_nll(&native, Some(1)).unwrap();
    assert_eq!(count, 1);
    assert!((nats - eval).abs() < 0.01, "surprise {nats} nats, eval {eval}");
}
