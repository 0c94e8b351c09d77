//! The LSTM cell both PixelRNN architectures share, with the gate order of the training code.

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// `gates` holds [o, f, i, g] (4 x hidden); `c_prev` is None where the previous state is zero.
/// c = sig(f) * c_prev + sig(i) * tanh(g), h = sig(o) * tanh(c).
pub fn cell(gates: &[f32], c_prev: Option<&[f32]>, h: &mut [f32], c: &mut [f32]) {
    let n = h.len();
    debug_assert_eq!(gates.len(), 4 * n);
    let (o, rest) = gates.split_at(n);
    let (f, rest) = rest.split_at(n);
    let (i, g) = rest.split_at(n);
    for k in 0..n {
        let prev = c_prev.map_or(0.0, |cp| cp[k]);
        c[k] = sigmoid(f[k]) * prev + sigmoid(i[k]) * g[k].tanh();
        h[k] = sigmoid(o[k]) * c[k].tanh();
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
        cell(&gates, Some(&[2.0]), &mut h, &mut c);
        assert!((c[0] - (0.5 * 2.0 + 1.0)).abs() < 1e-5, "c = {}", c[0]);
        assert!(h[0].abs() < 1e-6);
        cell(&gates, None, &mut h, &mut c);
        assert!((c[0] - 1.0).abs() < 1e-5);
    }
}
