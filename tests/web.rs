//! In Chromium (wasm-pack test --headless --chrome): the wasm loads the committed model from
//! bytes, both engines sample deterministically, tract's logits equal native's, and the grid painter
//! puts each step's levels on an OffscreenCanvas in the page's colours.
#![cfg(target_arch = "wasm32")]

use pixelwise::palette;
use pixelwise::web::{EngineName, GridPainter, GridShape, Model, SamplerOptions};
use wasm_bindgen::JsCast;
use web_sys::{OffscreenCanvas, OffscreenCanvasRenderingContext2d};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const MODEL: &[u8] = include_bytes!("../models/pixelcnn-mnist-bin.onnx");

fn model() -> Model {
    Model::from_bytes(MODEL).unwrap_or_else(|_| panic!("the committed model loads"))
}

fn options(engine: EngineName, n: usize, seed: f64) -> SamplerOptions {
    SamplerOptions { engine, n, seed, temperature: 1.0, labels: None, kept: None, guidance: 1.0, read_class: false }
}

fn sample(model: &mut Model, engine: EngineName, seed: f64, positions: usize) -> Vec<u8> {
    let mut s = model
        .sampler_with(&options(engine, 2, seed))
        .unwrap_or_else(|_| panic!("{engine:?} sampler"));
    let mut done = 0;
    while done < positions {
        let stepped = s.advance(28).unwrap_or_else(|_| panic!("{engine:?} step"));
        assert_eq!((stepped.positions, stepped.sampled), (28, 28), "28 positions drawn");
        let last = stepped.last.expect("a drawn position");
        assert_eq!((last.row, last.col, last.pixel), (done / 28, 27, done + 27), "the last position of the call");
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

/// The canvas's pixels as RGB, `[height][width]`.
fn read_back(canvas: &OffscreenCanvas) -> Vec<Vec<[u8; 3]>> {
    let ctx: OffscreenCanvasRenderingContext2d = canvas.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    let (w, h) = (canvas.width() as usize, canvas.height() as usize);
    let data = ctx.get_image_data(0.0, 0.0, w as f64, h as f64).unwrap().data().0;
    (0..h).map(|y| (0..w).map(|x| std::array::from_fn(|i| data[(y * w + x) * 4 + i])).collect()).collect()
}

#[wasm_bindgen_test]
fn painter_puts_each_step_on_the_canvas() {
    let mut m = model();
    let mut s = m.sampler_with(&options(EngineName::Native, 2, 3.0)).unwrap_or_else(|_| panic!("sampler"));
    let canvas = OffscreenCanvas::new(1, 1).unwrap();
    let shape = GridShape { n: 2, cols: None, height: 28, width: 28, channels: 1, levels: 2 };
    let mut painter = GridPainter::with_shape(canvas.clone(), &shape).unwrap_or_else(|_| panic!("painter"));
    // Two images side by side, 2 pixels apart.
    assert_eq!((canvas.width(), canvas.height()), (58, 28));
    assert!(read_back(&canvas).iter().all(|row| row.iter().enumerate().all(|(x, &c)| c == if (28..30).contains(&x) { palette::GAP } else { palette::UNKNOWN })));

    s.advance_into(30, &mut painter).unwrap_or_else(|_| panic!("step into the painter"));
    let levels = s.levels();
    let shown = read_back(&canvas);
    for k in 0..2 {
        for p in 0..56 {
            let (x, y) = (k * 30 + p % 28, p / 28);
            let want = match p {
                29 => palette::HIGHLIGHT, // the newest position, marked in every image
                0..29 => palette::colour(&[Some(levels[k * 784 + p])], 2),
                _ => palette::UNKNOWN,
            };
            assert_eq!(shown[y][x], want, "image {k}, pixel {p}");
        }
    }
    // Step mode's picture: the same colours, positions not yet set as unknown.
    let colours = s.image_colours(1).unwrap_or_else(|_| panic!("colours"));
    for p in 0..56 {
        let want = palette::colour(&[(p < 30).then(|| levels[784 + p])], 2);
        assert_eq!(colours[3 * p..3 * p + 3], want, "image 1, pixel {p}");
    }
    painter.finish().unwrap_or_else(|_| panic!("finish"));
    assert_eq!(read_back(&canvas)[1][30 + 1], palette::colour(&[Some(levels[784 + 29])], 2), "the marker is gone once finished");

    // A painter of another grid is refused.
    let mut other = GridPainter::with_shape(OffscreenCanvas::new(1, 1).unwrap(), &GridShape { n: 3, ..shape }).unwrap_or_else(|_| panic!("painter"));
    assert!(s.advance_into(1, &mut other).is_err(), "a 3-image grid for a 2-image sampler");
}

/// The committed codec files (examples/codec_fixtures.rs, encoded natively): each decodes in the
/// browser to its image and re-encodes to the same bytes.
#[wasm_bindgen_test]
fn natively_compressed_files_decode_and_re_encode_to_the_same_bytes() {
    macro_rules! fixture {
        ($name:literal) => {
            (
                include_bytes!(concat!("../models/", $name, ".onnx")).as_slice(),
                include_bytes!(concat!("fixtures/codec/", $name, ".pxw")).as_slice(),
                include_str!(concat!("fixtures/codec/", $name, ".json")),
            )
        };
    }
    let fixtures = [
        fixture!("pixelcnn-mnist-bin"),
        fixture!("pixelcnn-mnistbern-bin"),
        fixture!("pixelcnn-mnist-256"),
        fixture!("gated-mnist-bin"),
        fixture!("rowlstm-mnist-bin"),
        fixture!("diagbilstm-mnist-bin"),
        fixture!("gated-emoji-rgb"),
        fixture!("pixelcnn-mnist-256-mix"),
        fixture!("gated-emoji-rgb-mix"),
    ];
    for (model, pxw, json) in fixtures {
        let fx: serde_json::Value = serde_json::from_str(json).expect("fixture JSON");
        let levels: Vec<u8> = serde_json::from_value(fx["levels"].clone()).expect("levels");
        let label: Option<u32> = serde_json::from_value(fx["label"].clone()).expect("label");
        let mut m = Model::from_bytes(model).unwrap_or_else(|_| panic!("{} loads", fx["model"]));
        let mut d = m.decoder(pxw).unwrap_or_else(|_| panic!("{}: a decoder", fx["model"]));
        let mut last = None;
        while !d.done() {
            last = Some(d.advance(100, None).unwrap_or_else(|_| panic!("{}: decoding", fx["model"])));
        }
        assert_eq!(d.levels(), levels, "{}: decoded in the browser", fx["model"]);
        let last = last.expect("steps");
        assert!(last.done && last.bits > 0.0 && last.payload_bits < 8 * pxw.len(), "{}: the bits used are counted", fx["model"]);
        let again = m.compress(&levels, label).unwrap_or_else(|_| panic!("{}: compress", fx["model"]));
        assert_eq!(again, pxw, "{}: encoded in the browser", fx["model"]);
    }
}

/// `readClass`: the Gated PixelCNN reads a stroke down the middle of the top half as a one, every
/// image completes under a class drawn from that reading with the kept rows unchanged, and the
/// option is refused beside labels or on a model without classes.
#[wasm_bindgen_test]
fn a_completion_reads_its_class() {
    let mut gated = Model::from_bytes(include_bytes!("../models/gated-mnist-bin.onnx")).unwrap_or_else(|_| panic!("gated loads"));
    let kept: Vec<Option<u8>> = (0..28 * 28).map(|i| (i < 14 * 28).then(|| u8::from(i % 28 == 14 && i / 28 >= 4))).collect();
    let opts = SamplerOptions {
        kept: Some(kept.clone()),
        guidance: 3.0,
        read_class: true,
        ..options(EngineName::Native, 4, 3.0)
    };
    let mut s = gated.sampler_with(&opts).unwrap_or_else(|_| panic!("a reading sampler"));
    let reading = s.reading().expect("a reading").clone();
    let best = (0..10).fold(0, |b, k| if reading.posterior[k] > reading.posterior[b] { k } else { b });
    assert_eq!(best, 1, "{:?}", reading.posterior);
    assert!((reading.posterior.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    assert!(reading.labels.len() == 4 && reading.labels.iter().all(|&c| reading.posterior[c] > 0.0), "{:?}", reading.labels);
    while !s.done() {
        s.advance(100).unwrap_or_else(|_| panic!("step"));
    }
    for image in s.levels().chunks(28 * 28) {
        assert!(kept.iter().zip(image).all(|(k, v)| k.is_none_or(|k| k == *v)), "a kept pixel changed");
    }
    let labelled = SamplerOptions { labels: Some(vec![Some(1); 4]), ..opts.clone() };
    assert!(gated.sampler_with(&labelled).is_err(), "readClass beside labels is refused");
    let plain = SamplerOptions { read_class: true, ..options(EngineName::Native, 1, 0.0) };
    assert!(model().sampler_with(&plain).is_err(), "readClass on a model without classes is refused");
}
