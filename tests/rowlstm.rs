//! Row LSTM on both engines, against the committed models/rowlstm-mnist-bin.onnx.
#![cfg(not(target_arch = "wasm32"))]
#[macro_use]
mod common;
use pixelwise::receptive::receptive_field;
use pixelwise::Engine;

const MODEL: &str = "rowlstm-mnist-bin.onnx";

model_checks!(MODEL);

/// The Row LSTM sees a triangle above each pixel: the 7x7 mask-A input reaches 3 columns left
/// (and 3 right from the row above), each of the 3 layers' 1x3 mask-B input one more column left,
/// and each row of the 1x3 state recurrence one more column either way. At (14, 14) that leaves
/// out 83 pixels of the rows above, all but one of which the Diagonal BiLSTM sees.
#[test]
fn sees_a_triangle_where_the_diagonal_bilstm_sees_all() {
    let row = common::engines(MODEL).0;
    let diag = common::engines("diagbilstm-mnist-bin.onnx").0;
    let (w, (ti, tj)) = (row.meta().width, (14usize, 14usize));
    let target = ti * w + tj;
    let row_field = receptive_field(&row, ti, tj).unwrap();
    for p in 0..target {
        let (m, c) = ((ti - p / w) as isize, (p % w) as isize);
        let inside = c >= tj as isize - m - 6 && (m == 0 || c <= tj as isize + m + 2);
        assert_eq!(
            row_field[p],
            inside,
            "pixel ({}, {c}) {} the logits at ({ti}, {tj})",
            p / w,
            if row_field[p] { "reaches" } else { "misses" }
        );
    }
    // Every pixel of the rows above that the Row LSTM misses reaches the Diagonal BiLSTM, except
    // the end of the row just above (see its test).
    let diag_field = receptive_field(&diag, ti, tj).unwrap();
    let missed: Vec<usize> = (0..ti * w).filter(|&p| !row_field[p]).collect();
    let diag_misses: Vec<usize> = missed.iter().copied().filter(|&p| !diag_field[p]).collect();
    assert!(
        missed.len() > 50,
        "the Row LSTM misses only {} pixels of the rows above",
        missed.len()
    );
    assert_eq!(diag_misses, vec![ti * w - 1]);
}

/// The sampler shows the LSTM gates it used at the last sampled pixel: activations in range, one
/// set per layer, and the same as a fresh session computes there from the finished pixels.
#[test]
fn gates_at_the_sampled_pixel() {
    use pixelwise::{Engine, Sampler};
    let native = common::engines(MODEL).0;
    let meta = native.meta().clone();
    let p = 20 * meta.width + 14; // below the top rows, where a digit has begun
    let mut s = Sampler::new(&native, 1, 3, 1.0, vec![None], Vec::new()).unwrap();
    s.step(p + 1).unwrap();
    let gates = s.gates();
    let config: pixelwise::arch::row_lstm::Config = pixelwise::arch::config(&meta).unwrap();
    assert_eq!(gates.len(), config.layers);
    let hid = config.hidden;
    for g in &gates {
        assert!([&g.i, &g.f, &g.o].iter().all(|v| v.len() == hid && v.iter().all(|x| (0.0..=1.0).contains(x))));
        assert!(g.g.len() == hid && g.g.iter().all(|x| (-1.0..=1.0).contains(x)));
    }
    let pixels: Vec<f32> = s.levels().iter().map(|&k| k as f32).collect();
    let mut fresh = native.session(1, &[None]).unwrap();
    for q in 0..=p {
        fresh.logits(&pixels, q / meta.width, q % meta.width, 0).unwrap();
    }
    assert!(fresh.gates(p / meta.width, p % meta.width) == gates, "a fresh session computes other gates");
    let mut next = Sampler::new(&native, 1, 3, 1.0, vec![None], Vec::new()).unwrap();
    next.step(p + 2).unwrap();
    assert!(next.gates() != gates, "the gates move from pixel to pixel");
}
