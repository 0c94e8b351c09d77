//! exp, sigmoid and tanh without a libm call: a range reduction and a polynomial that the
//! compiler can vectorise across a gate's channels (in wasm every libm `expf` is a software call,
//! and the LSTM and gated layers spend most of their time there). Accurate to a few ulp.

/// e^x for x clamped to [-87, 88] (far beyond what any gate needs; e^-87 is about 1.6e-38).
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    // x = n ln2 + r with |r| <= ln2 / 2, ln2 split in two so r keeps its precision.
    // Rounded to nearest by adding and taking away 1.5 * 2^23 (exact for |v| < 2^22): plain
    // arithmetic that vectorises, where `round()` is a libm call in wasm and on baseline x86-64.
    const SHIFT: f32 = 12_582_912.0;
    let n = (x * std::f32::consts::LOG2_E + SHIFT) - SHIFT;
    let r = x - n * 0.693_359_4 + n * 2.121_944_4e-4;
    // e^r by its Taylor polynomial to degree 7 (|r| <= 0.35: error below 1e-8 relative).
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0)))))));
    // 2^n through the exponent bits (n is within [-126, 127] after the clamp).
    p * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

/// tanh(x) = 1 - 2 / (e^{2x} + 1); absolute error a few 1e-8, which is what sums downstream see.
#[inline(always)]
pub fn tanh(x: f32) -> f32 {
    1.0 - 2.0 / (exp(2.0 * x) + 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_to_the_standard_library() {
        let mut worst = (0.0f32, 0.0f32, 0.0f32);
        for i in -20_000..=20_000 {
            let x = i as f32 / 1000.0;
            let e = (exp(x) - x.exp()).abs() / x.exp();
            let s = (sigmoid(x) - 1.0 / (1.0 + (-x).exp())).abs();
            let t = (tanh(x) - x.tanh()).abs();
            worst = (worst.0.max(e), worst.1.max(s), worst.2.max(t));
        }
        assert!(worst.0 < 1e-6 && worst.1 < 1e-6 && worst.2 < 1e-6, "relative exp, sigmoid, tanh errors {worst:?}");
        assert!(sigmoid(-200.0) < 1e-37);
        assert_eq!(sigmoid(200.0), 1.0);
        assert_eq!(tanh(100.0), 1.0);
        assert_eq!(tanh(-100.0), -1.0);
    }
}
