//! The LSTM cell both PixelRNN architectures share, with the gate order of the training code.

use super::activation::{sigmoid, tanh};

/// For rows of `hidden` states: `gates` holds each row's [o, f, i, g] (4 x hidden); `c_prev` is
/// None where the previous state is zero. c = sig(f) * c_prev + sig(i) * tanh(g), h = sig(o) * tanh(c).
pub fn cell(hidden: usize, gates: &[f32], c_prev: Option<&[f32]>, h: &mut [f32], c: &mut [f32]) {
    debug_assert_eq!(gates.len(), 4 * h.len());
    for (r, pre) in gates.chunks_exact(4 * hidden).enumerate() {
        let (o, rest) = pre.split_at(hidden);
        let (f, rest) = rest.split_at(hidden);
        let (i, g) = rest.split_at(hidden);
        for k in 0..hidden {
            let at = r * hidden + k;
            let prev = c_prev.map_or(0.0, |cp| cp[at]);
            c[at] = sigmoid(f[k]) * prev + sigmoid(i[k]) * tanh(g[k]);
            h[at] = sigmoid(o[k]) * tanh(c[at]);
        }
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
