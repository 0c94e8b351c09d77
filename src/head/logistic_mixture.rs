//! Discretized logistic mixture (PixelCNN++), with its linear colour coupling; the same model as
//! `models/pixelwise_models/heads/logistic_mixture.py`, computed for one sub-pixel at a time.
//!
//! Every parameter comes from the context (out2 reads out1's first colour group), so one pass of
//! the network gives a whole pixel. out2's channels: `[K weight logits][C x K means][C x K log
//! scales][C(C-1)/2 x K coefficients]`, the coefficients (G<-R), (B<-R), (B<-G) through tanh. The
//! mixture is over whole pixels: channel c's weights are pi_k times component k's likelihood of the
//! pixel's channels before c, and its mean moves with their values, so only channels before c are read.

use serde::Deserialize;

use super::softmax::{hidden, last};
use super::{Component, Dims, Head, HeadKind, HeadNet, Parts};
use crate::engine::native::conv::{Conv, Mask};
use crate::error::{Error, Result};
use crate::lessons::diagram::{block, Block};
use crate::masks::group_range;
use crate::masks::MaskType::B;
use crate::metadata::ModelMeta;
use crate::model_file::ModelFile;

/// As PixelCNN++: a smaller scale puts all the mass on one level anyway.
const MIN_LOG_SCALE: f32 = -7.0;

/// e^-17.5 < 2^-25: a term this far below 1 does not change an f32 sum of at least 1.
const NEGLIGIBLE: f32 = 17.5;

/// 2^-24.
const TINY: f32 = 5.9604645e-8;

pub struct LogisticMixture;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    components: usize,
}

impl HeadKind for LogisticMixture {
    fn name(&self) -> &'static str {
        "logistic_mixture"
    }

    fn title(&self) -> &'static str {
        "discretized logistic mixture"
    }

    fn blocks(&self, meta: &ModelMeta, last_ch: usize, out_hidden: usize) -> Result<Vec<Block>> {
        let Config { components: k } = super::config(meta)?;
        let (c, l) = (meta.channels, meta.levels);
        let params = k * (1 + 2 * c + c * (c - 1) / 2);
        let coupling = if c > 1 { "; G's mean moves with R, B's with R and G" } else { "" };
        Ok(vec![
            block("head".into(), "head", format!("ReLU, 1×1 mask B ({last_ch} → {out_hidden}), ReLU, 1×1 from the context group only ({out_hidden} → {params} mixture parameters)"), (last_ch, params), false, vec![]),
            block("mixture".into(), "mixture", format!("discretized logistic mixture of {k}: each level's probability is Σₖ πₖ·[σ((x+½−μₖ)/sₖ) − σ((x−½−μₖ)/sₖ)] over {l} levels{coupling}; one pass gives the whole pixel"), (params, l * c), false, vec![]),
        ])
    }

    fn native(&self, file: &ModelFile, meta: &ModelMeta, d: Dims) -> Result<Head> {
        let Config { components: k } = super::config(meta)?;
        if !(1..=64).contains(&k) || d.levels < 3 {
            return Err(Error::Metadata(format!(
                "a logistic mixture of {k} components over {} levels (1 to 64 components, 3 levels or more)",
                d.levels
            )));
        }
        let c = d.colours;
        let pairs = c * (c - 1) / 2;
        let params = k * (1 + 2 * c + pairs);
        Ok(Box::new(MixtureNet {
            out1: Conv::load(file, "head.out1", d.in_ch, d.hidden, 1, 1, Mask::Raster(B, c), true)?,
            out2: Conv::load(file, "head.out2", d.hidden, params, 1, 1, Mask::Context(c), true)?,
            k,
            colours: c,
            levels: d.levels,
            context: group_range(0, d.hidden, c).end,
        }))
    }
}

struct MixtureNet {
    out1: Conv,
    out2: Conv,
    k: usize,
    colours: usize,
    levels: usize,
    /// out1's first colour group ends here: all out2 reads.
    context: usize,
}

/// One row's mixture for one channel: log weights (given the earlier channels), means, log scales.
struct Mixture {
    log_weights: Vec<f32>,
    means: Vec<f32>,
    log_scales: Vec<f32>,
}

impl MixtureNet {
    fn params(&self, x: &[f32]) -> Vec<f32> {
        last(&self.out2, &hidden(&self.out1, x, self.context))
    }

    /// Channel c's mixture at one row: `p` its parameters, `px` its pixel in [0, 1].
    fn mixture(&self, p: &[f32], px: &[f32], c: usize) -> Mixture {
        let (k, colours, top) = (self.k, self.colours, (self.levels - 1) as f32);
        let mean = |ch: usize, comp: usize| {
            let mut m = p[k + ch * k + comp];
            for j in 0..ch {
                let pair = ch * (ch - 1) / 2 + j;
                m += libm::tanhf(p[k + 2 * colours * k + pair * k + comp]) * (px[j] * 2.0 - 1.0);
            }
            m
        };
        let log_scale = |ch: usize, comp: usize| p[k + colours * k + ch * k + comp].max(MIN_LOG_SCALE);
        let mut log_weights: Vec<f32> = (0..k)
            .map(|comp| {
                let earlier: f32 = (0..c)
                    .map(|j| level_log_prob((px[j] * top).round() as usize, self.levels, mean(j, comp), log_scale(j, comp)))
                    .sum();
                p[comp] + earlier
            })
            .collect();
        let norm = log_sum_exp(&log_weights);
        log_weights.iter_mut().for_each(|w| *w -= norm);
        Mixture {
            log_weights,
            means: (0..k).map(|comp| mean(c, comp)).collect(),
            log_scales: (0..k).map(|comp| log_scale(c, comp)).collect(),
        }
    }

    /// Every level's log-probability under the mixture into `out` (`levels` long).
    fn levels_into(&self, mix: &Mixture, out: &mut [f32]) {
        let (levels, top) = (self.levels, (self.levels - 1) as f32);
        let mut per = vec![0.0f32; self.k * levels];
        for (comp, lp) in per.chunks_exact_mut(levels).enumerate() {
            component_levels(mix.means[comp], mix.log_scales[comp], top, lp);
            lp.iter_mut().for_each(|v| *v += mix.log_weights[comp]);
        }
        // Per level, log-sum-exp over the components, component by component so each pass runs
        // along one contiguous row of levels.
        let mut best = vec![f32::NEG_INFINITY; levels];
        for lp in per.chunks_exact(levels) {
            best.iter_mut().zip(lp).for_each(|(m, &v)| *m = m.max(v));
        }
        let mut sum = vec![0.0f32; levels];
        for lp in per.chunks_exact(levels) {
            for ((s, &v), &m) in sum.iter_mut().zip(lp).zip(&best) {
                // A component below the best by more than NEGLIGIBLE adds less than half an ulp
                // of the sum, so its exp is not worth taking (most levels have one that counts).
                let d = v - m;
                if d == 0.0 {
                    *s += 1.0;
                } else if d > -NEGLIGIBLE {
                    *s += libm::expf(d);
                }
            }
        }
        for ((o, &m), &s) in out.iter_mut().zip(&best).zip(&sum) {
            *o = if m == f32::NEG_INFINITY || s == 1.0 { m } else { m + libm::logf(s) };
        }
    }
}

impl HeadNet for MixtureNet {
    fn at(&self, x: &[f32], pixels: &[f32]) -> Vec<f32> {
        let (c, l) = (self.colours, self.levels);
        let params = self.params(x);
        let mut out = vec![0.0; pixels.len() / c * c * l];
        for ((p, px), row) in params.chunks_exact(self.out2.out_ch).zip(pixels.chunks_exact(c)).zip(out.chunks_exact_mut(c * l)) {
            for (ch, o) in row.chunks_exact_mut(l).enumerate() {
                self.levels_into(&self.mixture(p, px, ch), o);
            }
        }
        out
    }

    fn channel(&self, x: &[f32], pixels: &[f32], ch: usize) -> Vec<f32> {
        let (c, l) = (self.colours, self.levels);
        let params = self.params(x);
        let mut out = vec![0.0; pixels.len() / c * l];
        for ((p, px), o) in params.chunks_exact(self.out2.out_ch).zip(pixels.chunks_exact(c)).zip(out.chunks_exact_mut(l)) {
            self.levels_into(&self.mixture(p, px, ch), o);
        }
        out
    }

    fn reads_context_only(&self) -> bool {
        true
    }

    fn targets(&self, x: &[f32], pixels: &[f32], _levels: usize) -> Vec<f64> {
        let (c, top) = (self.colours, (self.levels - 1) as f32);
        let params = self.params(x);
        let mut out = Vec::with_capacity(pixels.len());
        for (p, px) in params.chunks_exact(self.out2.out_ch).zip(pixels.chunks_exact(c)) {
            for ch in 0..c {
                let mix = self.mixture(p, px, ch);
                let level = (px[ch] * top).round() as usize;
                let terms: Vec<f32> = (0..self.k)
                    .map(|comp| mix.log_weights[comp] + level_log_prob(level, self.levels, mix.means[comp], mix.log_scales[comp]))
                    .collect();
                out.push(log_sum_exp(&terms) as f64);
            }
        }
        out
    }

    fn parts(&self, x: &[f32], pixels: &[f32], ch: usize) -> Option<Parts> {
        let top = (self.levels - 1) as f32;
        let params = self.params(&x[..self.out1.in_ch]);
        let mix = self.mixture(&params, &pixels[..self.colours], ch);
        Some(Parts {
            components: (0..self.k)
                .map(|comp| Component {
                    weight: libm::expf(mix.log_weights[comp]),
                    mean: (mix.means[comp] + 1.0) / 2.0 * top,
                    scale: libm::expf(mix.log_scales[comp]) / 2.0 * top,
                })
                .collect(),
        })
    }
}

/// softplus(t) = log(1 + e^t), without overflow.
fn softplus(t: f32) -> f32 {
    softplus_given(t, libm::expf(-t.abs()))
}

/// softplus(t) from u = e^-|t| already at hand; log1p(u) rounds to u below 2^-24.
fn softplus_given(t: f32, u: f32) -> f32 {
    t.max(0.0) + if u < TINY { u } else { libm::log1pf(u) }
}

fn log_sum_exp(v: &[f32]) -> f32 {
    let m = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if m == f32::NEG_INFINITY {
        return m;
    }
    m + libm::logf(v.iter().map(|&x| libm::expf(x - m)).sum::<f32>())
}

/// log P(level) of one discretized logistic (mean and log scale on [-1, 1]): with a and b the
/// bin's upper and lower edges scaled, log(sigmoid(a) - sigmoid(b)) = -softplus(-a) - softplus(b)
/// + log(1 - e^-(a-b)), exact and stable; the first level takes all mass below, the last all above.
fn level_log_prob(level: usize, levels: usize, mean: f32, log_scale: f32) -> f32 {
    let top = (levels - 1) as f32;
    let (inv, half) = (libm::expf(-log_scale), 1.0 / top);
    let centre = level as f32 * 2.0 / top - 1.0;
    let (a, b) = ((centre - mean + half) * inv, (centre - mean - half) * inv);
    if level == 0 {
        -softplus(-a)
    } else if level + 1 == levels {
        -softplus(b)
    } else {
        -softplus(-a) - softplus(b) + log1mexp(2.0 * half * inv)
    }
}

/// Every level of one component at once: the edge between levels l-1 and l is shared, so each
/// edge's softplus is computed once (`levels - 1` of them, not twice that). The edges are evenly
/// spaced, so e^-|t| runs as a product from edge to edge, taken afresh every REFRESH edges and where
/// t changes sign (which bounds its rounding to a few ulps); far edges need no exp or log at all.
fn component_levels(mean: f32, log_scale: f32, top: f32, out: &mut [f32]) {
    const REFRESH: usize = 8;
    let levels = out.len();
    let (inv, half) = (libm::expf(-log_scale), 1.0 / top);
    let inner = log1mexp(2.0 * half * inv);
    let (grow, shrink) = (libm::expf(2.0 * half * inv), libm::expf(-2.0 * half * inv));
    // Edge i (1..levels) lies above level i-1: t_i = (edge_i - mean) / scale.
    let t = |i: usize| ((i as f32 - 1.0) * 2.0 / top - 1.0 + half - mean) * inv;
    let mut below_pos = 0.0; // softplus(t) of the edge below the current level
    let mut run: Option<(f32, bool)> = None; // e^-|t| of the last edge and the sign of its t
    for (l, o) in out.iter_mut().enumerate() {
        let above = if l + 1 < levels {
            let a = t(l + 1);
            let u = if a.abs() > EXP_UNDERFLOW {
                run = None;
                0.0
            } else {
                let u = match run {
                    Some((u, neg)) if neg == (a < 0.0) && l % REFRESH != 0 => u * if neg { grow } else { shrink },
                    _ => libm::expf(-a.abs()),
                };
                run = Some((u, a < 0.0));
                u
            };
            let sp = softplus_given(a, u);
            Some((sp - a, sp)) // (softplus(-a), softplus(a))
        } else {
            None
        };
        *o = match (l, above) {
            (0, Some((neg, _))) => -neg,
            (_, None) => -below_pos,
            (_, Some((neg, _))) => -neg - below_pos + inner,
        };
        if let Some((_, pos)) = above {
            below_pos = pos;
        }
    }
}

/// e^-t is 0 in f32 beyond this.
const EXP_UNDERFLOW: f32 = 104.0;

/// log(1 - e^-d), d > 0: exact where 1 - e^-d would round away (a scale far wider than a level).
fn log1mexp(d: f32) -> f32 {
    libm::logf(-libm::expm1f(-d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_levels_sum_to_one_and_match_one_at_a_time() {
        for &(mean, log_scale) in &[(0.0, -3.0), (0.9, -7.0), (-0.3, 1.5), (-1.2, -2.0), (0.5, 4.0)] {
            let mut out = vec![0.0; 256];
            component_levels(mean, log_scale, 255.0, &mut out);
            let total: f64 = out.iter().map(|&v| (v as f64).exp()).sum();
            assert!((total - 1.0).abs() < 1e-5, "mean {mean} log scale {log_scale}: sums to {total}");
            for l in [0, 1, 127, 254, 255] {
                let one = level_log_prob(l, 256, mean, log_scale);
                assert!((one - out[l]).abs() < 1e-4 * one.abs().max(1.0), "level {l}: {one} vs {}", out[l]);
            }
        }
    }

    #[test]
    fn component_levels_match_f64_on_every_level() {
        let exact = |l: usize, mean: f64, log_scale: f64| {
            let (inv, h, c) = ((-log_scale).exp(), 1.0 / 255.0, l as f64 * 2.0 / 255.0 - 1.0);
            // log(sigmoid(a) - sigmoid(b)) in f64, in the form that stays exact in the tails.
            let sp = |t: f64| t.max(0.0) + (-t.abs()).exp().ln_1p();
            let (a, b) = ((c + h - mean) * inv, (c - h - mean) * inv);
            match l {
                0 => -sp(-a),
                255 => -sp(b),
                _ => -sp(-a) - sp(b) + (-(-(a - b)).exp_m1()).ln(),
            }
        };
        let mut worst = 0.0f64;
        for mean in [-1.3f32, -1.0, -0.61, -0.2, 0.0, 0.37, 0.8, 1.0, 1.2] {
            for log_scale in [-7.0f32, -5.5, -4.0, -3.1, -2.0, -1.0, 0.0, 1.5, 4.0] {
                let mut out = vec![0.0; 256];
                component_levels(mean, log_scale, 255.0, &mut out);
                for (l, &v) in out.iter().enumerate() {
                    let e = exact(l, mean as f64, log_scale as f64);
                    if e > -60.0 {
                        worst = worst.max((v as f64 - e).abs() / e.abs().max(1.0));
                    }
                }
            }
        }
        // f32 itself (the edges' t) costs about 2e-5 here, with or without the running product.
        assert!(worst < 3e-5, "worst relative difference {worst}");
    }

    #[test]
    fn a_wide_component_keeps_its_digits() {
        // Scale e^6 over a bin of 2/255: 1 - e^-d would round to a few digits in f32.
        let lp = level_log_prob(128, 256, 0.0, 6.0);
        let exact = {
            let (inv, h, c) = ((-6.0f64).exp(), 1.0 / 255.0, 128.0 * 2.0 / 255.0 - 1.0);
            let s = |t: f64| 1.0 / (1.0 + (-t).exp());
            (s((c + h) * inv) - s((c - h) * inv)).ln()
        };
        assert!((lp as f64 - exact).abs() < 1e-4, "{lp} vs {exact}");
    }
}
