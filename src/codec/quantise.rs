//! Logits to integer frequencies, the same bits on every platform: the encoder and the decoder must
//! build the very same table from the very same logits, or the decoded image goes wrong.

use constriction::stream::model::ContiguousCategoricalEntropyModel;

use crate::engine::native::activation::exp;

/// Bits of the fixed-point probabilities: the range coder's 32-bit words allow up to 24 bits, and
/// the finest step (2^-24) keeps a confident model's near-certain pixels nearly free.
pub const PRECISION: usize = 24;

/// The entropy model of one sub-pixel over the levels.
pub type LevelModel = ContiguousCategoricalEntropyModel<u32, Vec<u32>, PRECISION>;

/// Frequencies summing to 2^PRECISION, every level at least 1 (so any image can be coded), from
/// logits by a softmax. Only IEEE-exact steps in one fixed order: the engine's polynomial `exp`
/// (no libm), a sequential sum, f64 products floored; what rounding leaves goes to the first
/// largest level.
pub fn frequencies(logits: &[f32], out: &mut Vec<u32>) {
    out.clear();
    let levels = logits.len();
    let total: u32 = 1 << PRECISION;
    debug_assert!(levels >= 2 && levels < total as usize / 2);
    let (mut best, mut max) = (0, f32::NEG_INFINITY);
    for (k, &l) in logits.iter().enumerate() {
        if l > max {
            (best, max) = (k, l);
        }
    }
    if !max.is_finite() {
        // No usable logits (NaN or infinite): uniform, which still codes every image.
        out.extend(std::iter::repeat_n(total / levels as u32, levels));
        out[0] += total - (total / levels as u32) * levels as u32;
        return;
    }
    let e: Vec<f32> = logits.iter().map(|&l| if l.is_nan() { 0.0 } else { exp(l - max) }).collect();
    let sum: f32 = e.iter().sum();
    let spare = f64::from(total - levels as u32);
    let mut used = 0u64;
    for &v in &e {
        let f = 1 + (f64::from(v) / f64::from(sum) * spare).floor() as u32;
        used += u64::from(f);
        out.push(f);
    }
    // The largest level holds at least spare / levels, far more than rounding can take from it.
    out[best] = (i64::from(out[best]) + i64::from(total) - used as i64) as u32;
}

/// The entropy model for `frequencies`.
pub fn model(frequencies: &[u32]) -> LevelModel {
    LevelModel::from_nonzero_fixed_point_probabilities(frequencies, false).expect("frequencies are nonzero and sum to 2^PRECISION")
}

/// Bits the coder spends on `level` under `frequencies` (its information content).
pub fn bits(frequencies: &[u32], level: usize) -> f64 {
    PRECISION as f64 - f64::from(frequencies[level]).log2()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_to_the_total_and_keeps_every_level() {
        let mut f = Vec::new();
        for logits in [
            vec![0.0, 0.0],
            vec![30.0, -30.0],
            vec![-1e30, 1e30],
            (0..256).map(|k| (k as f32 * 0.37).sin() * 20.0).collect::<Vec<_>>(),
        ] {
            frequencies(&logits, &mut f);
            assert_eq!(f.iter().map(|&v| u64::from(v)).sum::<u64>(), 1 << PRECISION);
            assert!(f.iter().all(|&v| v >= 1), "{f:?}");
            model(&f);
        }
        frequencies(&[f32::NAN, f32::NAN, f32::NAN], &mut f);
        assert_eq!(f.iter().map(|&v| u64::from(v)).sum::<u64>(), 1 << PRECISION);
    }

    #[test]
    fn follows_the_softmax() {
        let mut f = Vec::new();
        frequencies(&[0.0, (3.0f32).ln()], &mut f);
        let p = f64::from(f[1]) / f64::from(1u32 << PRECISION);
        assert!((p - 0.75).abs() < 1e-6, "{p}");
        assert!((bits(&f, 0) - 2.0).abs() < 1e-5);
    }
}
