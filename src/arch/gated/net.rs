//! Gated PixelCNN: a vertical stack (kxk, rows above only) and a horizontal stack (1xk, pixels to
//! the left), joined by a 1x1 link from the vertical pre-activation; tanh x sigmoid gates with a
//! per-class bias; residual horizontal stack after the first layer; the PixelCNN output head.

use std::ops::Range;

use crate::engine::native::conv::{add, widened, Conv, Map, Mask};
use crate::engine::native::activation::{sigmoid, tanh};
use crate::head::Head;
use crate::engine::native::scratch::Scratch;
use crate::engine::native::{Activations, Layered};
use crate::engine::Labels;
use super::Config;
use crate::error::Result;
use crate::masks::group_range;
use crate::masks::MaskType::{A, B};
use crate::metadata::ModelMeta;
use crate::model_file::ModelFile;

struct Layer {
    v_conv: Conv,
    /// `h_conv` and `link` write the horizontal pre-activation with its outputs grouped by colour
    /// (`by_group`), so one colour group's gate inputs are one contiguous run of columns.
    h_conv: Conv,
    link: Conv,
    h_out: Conv,
    /// `[2p][classes]`: column k is class k's bias, added after the link.
    v_cond: Vec<f32>,
    h_cond: Vec<f32>,
}

pub struct Gated {
    h: usize,
    w: usize,
    colours: usize,
    hidden: usize,
    classes: usize,
    layers: Vec<Layer>,
    head: Head,
}

impl Gated {
    pub fn load(file: &ModelFile, meta: &ModelMeta, config: &Config) -> Result<Self> {
        let Config { hidden: p, kernel_in: k_in, kernel: k, out_hidden, layers: n } = *config;
        let (c, classes) = (meta.channels, meta.classes);
        let order = by_group(p, c);
        let mut layers = Vec::new();
        for l in 0..n {
            let (pre, t, kk, in_ch) = (
                format!("layers.{l}"),
                if l == 0 { A } else { B },
                if l == 0 { k_in } else { k },
                if l == 0 { c } else { p },
            );
            let cond = |name: &str| {
                if classes > 0 {
                    file.weight(&format!("{pre}.{name}.weight"), &[2 * p, classes])
                } else {
                    Ok(Vec::new())
                }
            };
            layers.push(Layer {
                v_conv: Conv::load(file, &format!("{pre}.v_conv"), in_ch, 2 * p, kk, kk, Mask::Vertical(t), true)?,
                h_conv: Conv::load(file, &format!("{pre}.h_conv"), in_ch, 2 * p, 1, kk, Mask::GatePair(t, c), true)?
                    .outputs_in(&order),
                link: Conv::load(file, &format!("{pre}.link"), 2 * p, 2 * p, 1, 1, Mask::None, true)?.outputs_in(&order),
                h_out: Conv::load(file, &format!("{pre}.h_out"), p, p, 1, 1, Mask::Raster(B, c), true)?,
                // The last layer's gated vertical output is never read, so the file has no v_cond there.
                v_cond: if l + 1 < n { cond("v_cond")? } else { Vec::new() },
                h_cond: permute_rows(&cond("h_cond")?, classes, &order),
            });
        }
        Ok(Self {
            h: meta.height,
            w: meta.width,
            colours: c,
            hidden: p,
            classes,
            layers,
            head: crate::head::load(file, meta, p, out_hidden)?,
        })
    }

    /// Layer `l`'s vertical stack over positions `p0..p1`: the link's output (with the horizontal
    /// stack's class bias), which the horizontal stack adds at each position, and the gated output.
    /// The link reads only the vertical pre-activation, final for a whole row before any of its
    /// pixels, so it runs here as one product per row rather than once per pixel.
    fn vertical_span(&self, l: usize, bias: &(Vec<f32>, Vec<f32>), m: &mut Maps, p0: usize, p1: usize) {
        let (layer, (v_bias, h_bias)) = (&self.layers[l], bias);
        let (before, rest) = m.v.split_at_mut(l);
        let input = if l == 0 { &m.image } else { &before[l - 1] };
        let mut pre = Scratch::zeroed((p1 - p0) * input.n * 2 * self.hidden);
        layer.v_conv.span(input, p0, p1, &mut pre);
        let link = m.link[l].span_mut(p0, p1);
        layer.link.pointwise(&pre, link);
        add_per_position(link, h_bias);
        if l + 1 == self.layers.len() {
            return; // only the link reads the last layer's vertical stack
        }
        add_per_position(&mut pre, v_bias);
        let p = self.hidden;
        for (row, out) in pre.chunks_exact(2 * p).zip(rest[0].span_mut(p0, p1).chunks_exact_mut(p)) {
            gate(&row[..p], &row[p..], out);
        }
    }

    /// Layer `l`'s horizontal stack over positions `p0..p1` (its link output already there, and
    /// the previous layer's horizontal stack at and before them), in colour groups `groups` (their
    /// gated channels, and the matching pre-activations); the other channels are left as they are.
    fn horizontal_span(&self, l: usize, m: &mut Maps, p0: usize, p1: usize, groups: Range<usize>) {
        let (layer, rows, p, c) = (&self.layers[l], (p1 - p0) * m.image.n, self.hidden, self.colours);
        let (first, last) = (group_range(groups.start, p, c), group_range(groups.end - 1, p, c));
        let (cols, pre_cols) = (first.start..last.end, 2 * first.start..2 * last.end);
        let (before, rest) = m.h.split_at_mut(l);
        let input = if l == 0 { &m.image } else { &before[l - 1] };
        let mut pre = Scratch::zeroed(rows * 2 * p);
        layer.h_conv.span_cols(input, p0, p1, &mut pre, std::slice::from_ref(&pre_cols));
        for (row, link) in pre.chunks_exact_mut(2 * p).zip(m.link[l].span(p0, p1).chunks_exact(2 * p)) {
            add(&mut row[pre_cols.clone()], &link[pre_cols.clone()]);
        }
        let gated = m.g[l].span_mut(p0, p1);
        for (row, out) in pre.chunks_exact(2 * p).zip(gated.chunks_exact_mut(p)) {
            for g in groups.clone() {
                let r = group_range(g, p, c);
                let (f, rest) = row[2 * r.start..].split_at(r.len());
                gate(f, &rest[..r.len()], &mut out[r]);
            }
        }
        let out = rest[0].span_mut(p0, p1);
        layer.h_out.pointwise_cols(gated, out, std::slice::from_ref(&cols));
        if l > 0 {
            for (o, x) in out.chunks_exact_mut(p).zip(input.span(p0, p1).chunks_exact(p)) {
                add(&mut o[cols.clone()], &x[cols.clone()]);
            }
        }
    }
}

/// The order of the horizontal pre-activation's `2 * half` channels: each colour group's f
/// channels, then its g channels, group after group (with one colour, the file's own order).
fn by_group(half: usize, colours: usize) -> Vec<usize> {
    (0..colours)
        .flat_map(|g| {
            let r = group_range(g, half, colours);
            r.clone().chain(r.start + half..r.end + half)
        })
        .collect()
}

/// A `[channels][classes]` matrix with its rows in `order`.
fn permute_rows(m: &[f32], classes: usize, order: &[usize]) -> Vec<f32> {
    if m.is_empty() {
        return Vec::new();
    }
    order.iter().flat_map(|&o| m[o * classes..(o + 1) * classes].iter().copied()).collect()
}

/// Adds one position's per-image bias (`n x c`) at every position of a span.
fn add_per_position(span: &mut [f32], bias: &[f32]) {
    for at in span.chunks_exact_mut(bias.len()) {
        add(at, bias);
    }
}

/// tanh(f) * sigmoid(g), channel by channel.
fn gate(f: &[f32], g: &[f32], out: &mut [f32]) {
    for (o, (f, g)) in out.iter_mut().zip(f.iter().zip(g)) {
        *o = tanh(*f) * sigmoid(*g);
    }
}

pub struct Maps {
    image: Map,
    /// Per layer: the link's output from the vertical pre-activation, plus the horizontal class bias.
    link: Vec<Map>,
    /// Per layer: gated vertical output, gated horizontal output (kept: a colour pixel's later
    /// groups read its earlier ones) and the horizontal stack's output.
    v: Vec<Map>,
    g: Vec<Map>,
    h: Vec<Map>,
}

impl Activations for Maps {
    fn image(&mut self) -> &mut Map {
        &mut self.image
    }

    fn pixels(&self) -> &Map {
        &self.image
    }

    fn last(&self) -> &Map {
        self.h.last().expect("at least one layer")
    }

    fn widened(&self, n: usize, upto: usize) -> Self {
        Maps {
            image: self.image.widened(n, upto),
            link: widened(&self.link, n, upto),
            v: widened(&self.v, n, upto),
            g: widened(&self.g, n, upto),
            h: widened(&self.h, n, upto),
        }
    }
}

impl Layered for Gated {
    type Maps = Maps;
    /// Each layer's (vertical, horizontal) class bias, `n x 2p` (one row per image).
    type Context = Vec<(Vec<f32>, Vec<f32>)>;

    fn maps(&self, n: usize) -> Maps {
        let (h, w, p, layers) = (self.h, self.w, self.hidden, self.layers.len());
        Maps {
            image: Map::new(h, w, n, self.colours),
            link: (0..layers).map(|_| Map::new(h, w, n, 2 * p)).collect(),
            v: (0..layers).map(|_| Map::new(h, w, n, p)).collect(),
            g: (0..layers).map(|_| Map::new(h, w, n, p)).collect(),
            h: (0..layers).map(|_| Map::new(h, w, n, p)).collect(),
        }
    }

    /// Zeros for images without a label.
    fn context(&self, labels: &Labels) -> Self::Context {
        let columns = |m: &[f32]| -> Vec<f32> {
            let mut out = Vec::with_capacity(labels.len() * 2 * self.hidden);
            for label in labels {
                match label {
                    Some(k) if !m.is_empty() => out.extend((0..2 * self.hidden).map(|o| m[o * self.classes + k])),
                    _ => out.extend(std::iter::repeat_n(0.0, 2 * self.hidden)),
                }
            }
            out
        };
        self.layers.iter().map(|l| (columns(&l.v_cond), columns(&l.h_cond))).collect()
    }

    fn all_layers(&self, bias: &Self::Context, m: &mut Maps) {
        let hw = self.h * self.w;
        for l in 0..self.layers.len() {
            self.vertical_span(l, &bias[l], m, 0, hw);
            self.horizontal_span(l, m, 0, hw, 0..self.colours);
        }
    }

    /// At the first position of a row (the first time only), the vertical stack for that whole row (it sees only rows
    /// above, which are final); then the horizontal stack at `p` through every layer, in the
    /// channels of the colour groups asked for: a colour pixel's R pass computes the R groups, its G
    /// pass the G groups (reading the R groups kept from before), and so on, so the three passes
    /// together cost one.
    fn layers_at(&self, bias: &Self::Context, m: &mut Maps, p: usize, groups: Range<usize>) {
        if p % self.w == 0 && groups.start == 0 {
            for l in 0..self.layers.len() {
                self.vertical_span(l, &bias[l], m, p, p + self.w);
            }
        }
        if groups.is_empty() {
            return;
        }
        for l in 0..self.layers.len() {
            self.horizontal_span(l, m, p, p + 1, groups.clone());
        }
    }

    fn head(&self) -> &Head {
        &self.head
    }
}

#[cfg(test)]
mod tests {
    use super::by_group;

    #[test]
    fn pre_activations_group_f_then_g_by_colour() {
        assert_eq!(by_group(4, 1), [0, 1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(by_group(4, 2), [0, 1, 4, 5, 2, 3, 6, 7]);
        // Uneven groups (5 channels over 3 colours: 0..2, 2..4, 4..5).
        assert_eq!(by_group(5, 3), [0, 1, 5, 6, 2, 3, 7, 8, 4, 9]);
    }
}
