//! The logistic mixture head on every architecture, against small trained files made by
//! `pixelwise_models` (tests/fixtures/heads/, 3 optimizer steps each: a real head's shapes and
//! parameters, cheap to check): the shared checks on both engines, and that its scores are
//! log-probabilities. The colour one checks the R -> G -> B coupling through `causality`. The same
//! checks then run on the two trained mixtures in models/.
#![cfg(not(target_arch = "wasm32"))]
#[macro_use]
mod common;

macro_rules! head_checks {
    ($name:ident, $file:expr) => {
        mod $name {
            use super::common;

            model_checks!($file);

            #[test]
            fn scores_are_log_probabilities() {
                let (native, tract) = common::engines($file);
                common::log_probabilities_sum_to_one(&native);
                common::log_probabilities_sum_to_one(&tract);
            }

            #[test]
            fn the_file_names_its_head() {
                use pixelwise::Engine;
                let (native, _) = common::engines($file);
                assert_eq!(native.meta().head_kind(), "logistic_mixture");
            }
        }
    };
}

head_checks!(pixelcnn, "tests/fixtures/heads/pixelcnn-mix.onnx");
head_checks!(row_lstm, "tests/fixtures/heads/rowlstm-mix.onnx");
head_checks!(diagonal_bilstm, "tests/fixtures/heads/diagbilstm-mix.onnx");
head_checks!(gated_colour, "tests/fixtures/heads/gated-emoji-mix.onnx");
// The committed, trained mixtures the page serves (models/, beside their softmax versions).
head_checks!(pixelcnn_grey_committed, "pixelcnn-mnist-256-mix.onnx");
head_checks!(gated_emoji_committed, "gated-emoji-rgb-mix.onnx");

/// The colour coupling is live: a pixel's R moves its own G and B distributions (their means and
/// the components' weights), while R's own distribution stays (causality checks that part).
#[test]
fn a_pixels_red_moves_its_green_and_blue() {
    use pixelwise::Engine;
    let (native, tract) = common::engines("tests/fixtures/heads/gated-emoji-mix.onnx");
    for engine in [&native as &dyn Engine, &tract] {
        let m = engine.meta().clone();
        let p = m.width * 5 + 7;
        let lab = common::labels(engine, 1);
        let base = common::random_image(engine, 2);
        let mut changed = base.clone();
        changed[p] = 1.0 - changed[p]; // channel 0 (R) of pixel p
        let (a, b) = (engine.logits_at(&base, 1, &lab, p).unwrap(), engine.logits_at(&changed, 1, &lab, p).unwrap());
        let moved = |c: usize| (0..m.levels).map(|l| (a[l * m.channels + c] - b[l * m.channels + c]).abs()).fold(0.0, f32::max);
        assert!(moved(0) < 1e-6, "{:?}: R at {p} moved by its own value ({})", engine.kind(), moved(0));
        assert!(moved(1) > 1e-3 && moved(2) > 1e-3, "{:?}: G moved {}, B moved {}", engine.kind(), moved(1), moved(2));
    }
}

/// The components the page draws are the distribution the sampler drew from: at the last sampled
/// sub-pixel, the sum over components of weight x logistic mass in each level gives its probabilities.
#[test]
fn the_parts_add_up_to_the_probabilities() {
    use pixelwise::{Engine, Sampler};
    for file in ["tests/fixtures/heads/pixelcnn-mix.onnx", "tests/fixtures/heads/gated-emoji-mix.onnx"] {
        let (native, tract) = common::engines(file);
        let m = native.meta().clone();
        let mut sampler = Sampler::new(&native, 1, 3, 1.0, common::labels(&native, 1), Vec::new()).unwrap();
        let sigmoid = |t: f64| 1.0 / (1.0 + (-t).exp());
        for _ in 0..5 {
            sampler.step(m.width * m.channels + 2).unwrap();
            let parts = sampler.head_parts().expect("a mixture has parts");
            let probs = sampler.probabilities();
            let top = m.levels - 1;
            let mut worst = 0.0f64;
            for (l, &p) in probs.iter().enumerate() {
                let l = l as f64;
                let sum: f64 = parts
                    .components
                    .iter()
                    .map(|c| {
                        let (mean, scale) = (c.mean as f64, c.scale as f64);
                        let upper = if l as usize == top { 1.0 } else { sigmoid((l + 0.5 - mean) / scale) };
                        let lower = if l == 0.0 { 0.0 } else { sigmoid((l - 0.5 - mean) / scale) };
                        c.weight as f64 * (upper - lower)
                    })
                    .sum();
                worst = worst.max((sum - p as f64).abs());
            }
            assert!(worst < 1e-4, "{file}: components and probabilities differ by {worst}");
        }
        // tract computes the distribution without its parts.
        let mut on_tract = Sampler::new(&tract, 1, 3, 1.0, common::labels(&tract, 1), Vec::new()).unwrap();
        on_tract.step(1).unwrap();
        assert!(on_tract.head_parts().is_none());
    }
}

/// A softmax has no parts to show.
#[test]
fn a_softmax_has_no_parts() {
    use pixelwise::Sampler;
    let (native, _) = common::engines("pixelcnn-mnist-256.onnx");
    let mut sampler = Sampler::new(&native, 1, 3, 1.0, vec![None], Vec::new()).unwrap();
    sampler.step(3).unwrap();
    assert!(sampler.head_parts().is_none());
}

/// The diagram shows the head as its own blocks: its convolutions (with their weights) and the
/// mixture that turns their outputs into each level's probability.
#[test]
fn the_diagram_names_the_head() {
    use pixelwise::ModelFile;
    let file = ModelFile::from_path(common::model_path("tests/fixtures/heads/gated-emoji-mix.onnx")).unwrap();
    let meta = file.meta().unwrap();
    let blocks = pixelwise::lessons::diagram::diagram(&file, &meta).unwrap();
    let kinds: Vec<&str> = blocks.iter().map(|b| b.kind).collect();
    assert_eq!(kinds[kinds.len() - 2..], ["head", "mixture"]);
    let head = &blocks[blocks.len() - 2];
    // 3 components, 3 colours: 3 x (1 + 6 + 3) = 30 parameters per position.
    assert_eq!(head.out_ch, 30);
    assert_eq!(head.params, file.parameters_under("head."));
    assert!(head.params > 0 && blocks.last().unwrap().params == 0);
}
