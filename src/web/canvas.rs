//! The sample grid, drawn where the sampler runs: the page hands its canvas to the worker as an
//! OffscreenCanvas, and each step's new levels are painted into it here, one canvas pixel per image
//! pixel (CSS scales it up), the newest position marked. Colours: palette.rs.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ImageData, OffscreenCanvas, OffscreenCanvasRenderingContext2d};

use super::boundary::to_js;
use crate::palette;

/// The grid asked for: `n` images of the model's shape, `cols` a row (absent: as square as fits).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridShape {
    pub n: usize,
    #[serde(default)]
    pub cols: Option<usize>,
    pub height: usize,
    pub width: usize,
    pub channels: usize,
    pub levels: usize,
}

/// Where each image lies on the canvas (the page's overlay and receptive view map clicks with it).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GridLayout {
    pub n: usize,
    pub cols: usize,
    pub rows: usize,
    /// Canvas pixels between neighbouring images.
    pub gap: usize,
    pub height: usize,
    pub width: usize,
    pub channels: usize,
    pub levels: usize,
    pub canvas_width: usize,
    pub canvas_height: usize,
}

const GAP: usize = 2;

impl GridLayout {
    pub fn of(s: &GridShape) -> Result<Self, String> {
        if s.n == 0 || s.height == 0 || s.width == 0 || s.channels == 0 || s.levels < 2 {
            return Err(format!(
                "a grid of {} images of {}x{}x{} with {} levels cannot be drawn",
                s.n, s.channels, s.height, s.width, s.levels
            ));
        }
        let cols = s.cols.unwrap_or_else(|| (s.n as f64).sqrt().ceil() as usize).clamp(1, s.n);
        let rows = s.n.div_ceil(cols);
        Ok(GridLayout {
            n: s.n,
            cols,
            rows,
            gap: GAP,
            height: s.height,
            width: s.width,
            channels: s.channels,
            levels: s.levels,
            canvas_width: cols * s.width + (cols - 1) * GAP,
            canvas_height: rows * s.height + (rows - 1) * GAP,
        })
    }

    /// Top-left canvas pixel of image `k`.
    fn origin(&self, k: usize) -> (usize, usize) {
        (
            (k % self.cols) * (self.width + self.gap),
            (k / self.cols) * (self.height + self.gap),
        )
    }

    /// Byte offset in the RGBA image of pixel `p` of image `k`.
    fn offset(&self, k: usize, p: usize) -> usize {
        let (x0, y0) = self.origin(k);
        ((y0 + p / self.width) * self.canvas_width + x0 + p % self.width) * 4
    }
}

#[wasm_bindgen]
pub struct GridPainter {
    canvas: OffscreenCanvas,
    ctx: OffscreenCanvasRenderingContext2d,
    layout: GridLayout,
    /// Level per image, channel and pixel `[n, C, H, W]`; None until set.
    values: Vec<Option<u8>>,
    /// The canvas's pixels without the marker.
    rgba: Vec<u8>,
    /// The newest position (pixel, channel), marked in every image until `finish`.
    newest: Option<(usize, usize)>,
}

fn js(e: JsValue) -> JsError {
    JsError::new(&format!(
        "the grid canvas: {}",
        e.as_string()
            .or_else(|| js_sys::JSON::stringify(&e).ok().map(String::from))
            .unwrap_or_default()
    ))
}

#[wasm_bindgen]
impl GridPainter {
    /// Sizes `canvas` for the grid and shows every position as not yet set.
    #[wasm_bindgen(constructor)]
    pub fn new(
        canvas: OffscreenCanvas,
        #[wasm_bindgen(unchecked_param_type = "GridShape")] shape: JsValue,
    ) -> Result<GridPainter, JsError> {
        let shape: GridShape = serde_wasm_bindgen::from_value(shape).map_err(|e| JsError::new(&format!("grid shape: {e}")))?;
        Self::with_shape(canvas, &shape)
    }

    /// The grid's geometry, for the page.
    #[wasm_bindgen(unchecked_return_type = "GridLayout")]
    pub fn layout(&self) -> Result<JsValue, JsError> {
        to_js(&self.layout)
    }

    /// Takes the marker off (the grid is finished or stopped).
    pub fn finish(&mut self) -> Result<(), JsError> {
        self.newest = None;
        self.show()
    }

    /// The grid as a PNG, each pixel `scale` x `scale` (nearest neighbour: no smoothing), unmarked.
    #[wasm_bindgen(unchecked_return_type = "Promise<Blob>")]
    pub fn png(&self, scale: u32) -> Result<js_sys::Promise, JsError> {
        let s = scale.clamp(1, 16) as usize;
        let (w, h) = (self.layout.canvas_width, self.layout.canvas_height);
        let mut big = vec![0u8; w * s * h * s * 4];
        for (y, row) in big.chunks_exact_mut(w * s * 4).enumerate() {
            for (x, px) in row.chunks_exact_mut(4).enumerate() {
                let at = ((y / s) * w + x / s) * 4;
                px.copy_from_slice(&self.rgba[at..at + 4]);
            }
        }
        let out = OffscreenCanvas::new((w * s) as u32, (h * s) as u32).map_err(js)?;
        put(&context(&out)?, &big, w * s, h * s)?;
        out.convert_to_blob().map_err(js)
    }
}

impl GridPainter {
    pub fn with_shape(canvas: OffscreenCanvas, shape: &GridShape) -> Result<GridPainter, JsError> {
        let layout = GridLayout::of(shape).map_err(|e| JsError::new(&e))?;
        canvas.set_width(layout.canvas_width as u32);
        canvas.set_height(layout.canvas_height as u32);
        let ctx = context(&canvas)?;
        let mut rgba = palette::GAP
            .iter()
            .copied()
            .chain([255])
            .collect::<Vec<u8>>()
            .repeat(layout.canvas_width * layout.canvas_height);
        for k in 0..layout.n {
            for p in 0..layout.height * layout.width {
                let at = layout.offset(k, p);
                rgba[at..at + 3].copy_from_slice(&palette::UNKNOWN);
            }
        }
        let values = vec![None; layout.n * layout.channels * layout.height * layout.width];
        let painter = GridPainter {
            canvas,
            ctx,
            layout,
            values,
            rgba,
            newest: None,
        };
        painter.show()?;
        Ok(painter)
    }

    pub fn grid(&self) -> &GridLayout {
        &self.layout
    }

    /// Sets image `k`'s level at (`pixel`, `channel`) and repaints that pixel (shown by `show`).
    pub fn set(&mut self, k: usize, pixel: usize, channel: usize, level: u8) {
        let l = &self.layout;
        let hw = l.height * l.width;
        self.values[(k * l.channels + channel) * hw + pixel] = Some(level);
        self.repaint(k, pixel);
    }

    /// Marks (`pixel`, `channel`) as the newest position.
    pub fn mark(&mut self, pixel: usize, channel: usize) {
        self.newest = Some((pixel, channel));
    }

    fn repaint(&mut self, k: usize, p: usize) {
        let l = &self.layout;
        let hw = l.height * l.width;
        // At most R, G and B are shown (palette::colour), so those are all it is given: no
        // allocation per painted sub-pixel.
        let shown = l.channels.min(3);
        let mut channels = [None; 3];
        for (c, v) in channels[..shown].iter_mut().enumerate() {
            *v = self.values[(k * l.channels + c) * hw + p];
        }
        let at = l.offset(k, p);
        self.rgba[at..at + 3].copy_from_slice(&palette::colour(&channels[..shown], l.levels));
    }

    /// Puts the pixels on the canvas, with the newest position marked in every image.
    pub fn show(&self) -> Result<(), JsError> {
        let l = &self.layout;
        let Some((p, c)) = self.newest else {
            return put(&self.ctx, &self.rgba, l.canvas_width, l.canvas_height);
        };
        let mut shown = self.rgba.clone();
        for k in 0..l.n {
            let at = l.offset(k, p);
            shown[at..at + 3].copy_from_slice(&palette::highlight(l.channels, c));
        }
        put(&self.ctx, &shown, l.canvas_width, l.canvas_height)
    }

    /// The canvas painted on (a test reads it back).
    pub fn canvas(&self) -> &OffscreenCanvas {
        &self.canvas
    }
}

fn context(canvas: &OffscreenCanvas) -> Result<OffscreenCanvasRenderingContext2d, JsError> {
    canvas
        .get_context("2d")
        .map_err(js)?
        .ok_or_else(|| JsError::new("the grid canvas has no 2D context (it already holds another kind)"))?
        .dyn_into::<OffscreenCanvasRenderingContext2d>()
        .map_err(|_| JsError::new("the grid canvas's 2D context is not an OffscreenCanvasRenderingContext2D"))
}

/// RGBA `w` x `h` onto the canvas at its origin. Copied into a JS array first: ImageData refuses a
/// view of the threaded module's shared memory.
fn put(ctx: &OffscreenCanvasRenderingContext2d, rgba: &[u8], w: usize, h: usize) -> Result<(), JsError> {
    let array = js_sys::Uint8ClampedArray::new_with_length(rgba.len() as u32);
    array.copy_from(rgba);
    let image = ImageData::new_with_js_u8_clamped_array_and_sh(&array, w as u32, h as u32).map_err(js)?;
    ctx.put_image_data(&image, 0.0, 0.0).map_err(js)
}
