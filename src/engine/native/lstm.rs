//! The LSTM cell both PixelRNN architectures share, with the gate order of the training code.

use super::activation::{sigmoid, tanh};

/// For rows of `hidden` states: `gates` holds each row's [o, f, i, g] (4 x hidden); `c_prev` is
/// None where the previous state is zero. c = sig(f) * c_prev + sig(i) * tanh(g), h = sig(o) * tanh(c).
pub fn cell(hidden: usize, gates: &[f32], c_prev: Option<&[f32]>, h: &mut [f32], c: &mut [f32]) {
    debug_assert_eq!(gates.len(), 4 * h.len());
    for (r, pre) in gates.chunks_exact(4 * hidden).enumerate() {
        let span = r * hidden..(r + 1) * hidden;
        let (h, c) = (&mut h[span.clone()], &mut c[span.clone()]);
        match c_prev {
            Some(cp) => cell_row(hidden, pre, cp[span].iter().copied(), h, c),
            None => cell_row(hidden, pre, std::iter::repeat(0.0), h, c),
        }
    }
}

/// One row of `cell`, on zipped slices rather than indices, so the loop vectorises (the
/// activations dominate).
#[inline(always)]
fn cell_row(hidden: usize, pre: &[f32], c_prev: impl Iterator<Item = f32>, h: &mut [f32], c: &mut [f32]) {
    let (o, rest) = pre.split_at(hidden);
    let (f, rest) = rest.split_at(hidden);
    let (i, g) = rest.split_at(hidden);
    let lanes = c.iter_mut().zip(h.iter_mut()).zip(c_prev).zip(o).zip(f).zip(i).zip(g);
    for ((((((c, h), prev), &o), &f), &i), &g) in lanes {
        *c = sigmoid(f) * prev + sigmoid(i) * tanh(g);
        *h = sigmoid(o) * tanh(*c);
    }
}

/// One LSTM's gate activations at one position: i, f, o = sigmoid, g = tanh of the pre-activations.
#[derive(Clone, Debug, PartialEq)]
pub struct LstmGates {
    pub layer: usize,
    /// "rows" (Row LSTM) or "left-to-right" (the Diagonal BiLSTM direction computed at the position).
    pub direction: &'static str,
    pub i: Vec<f32>,
    pub f: Vec<f32>,
    pub o: Vec<f32>,
    pub g: Vec<f32>,
}

impl LstmGates {
    /// From pre-activations [o, f, i, g] (4 x hidden).
    pub fn from_pre(layer: usize, direction: &'static str, pre: &[f32]) -> Self {
        let n = pre.len() / 4;
        let sig = |v: &[f32]| v.iter().map(|&x| sigmoid(x)).collect();
        Self {
            layer,
            direction,
            o: sig(&pre[..n]),
            f: sig(&pre[n..2 * n]),
            i: sig(&pre[2 * n..3 * n]),
            g: pre[3 * n..].iter().map(|&x| tanh(x)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_order_is_o_f_i_g() {
        // Only g large and i open: c = tanh(g) * sig(i); o closed makes h about zero.
        let gates = [-30.0, 0.0, 30.0, 30.0];
        let (mut h, mut c) = ([0.0], [0.0]);
        cell(1, &gates, Some(&[2.0]), &mut h, &mut c);
        assert!((c[0] - (0.5 * 2.0 + 1.0)).abs() < 1e-5, "c = {}", c[0]);
        assert!(h[0].abs() < 1e-6);
        cell(1, &gates, None, &mut h, &mut c);
        assert!((c[0] - 1.0).abs() < 1e-5);
    }
}
