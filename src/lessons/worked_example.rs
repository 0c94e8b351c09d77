//! The seed's worked example: a 3x3 image through a 1x1 convolution, a mask that zeroes the third
//! row, two more 1x1 convolutions and the skip connection. With the seed's numbers (image
//! 2 3 4 / 1 5 2 / 6 7 8, weights -2, -1, +1) the result is 6 9 12 / 3 15 6 / 6 7 8.

use crate::engine::native::conv::{add, Conv, Map, Mask};

pub const SIDE: usize = 3;
pub const STAGES: [&str; 6] = ["input", "conv 1x1 (w1)", "mask: third row out", "conv 1x1 (w2)", "conv 1x1 (w3)", "+ skip (input)"];
pub const SEED_IMAGE: [f32; 9] = [2.0, 3.0, 4.0, 1.0, 5.0, 2.0, 6.0, 7.0, 8.0];
pub const SEED_WEIGHTS: [f32; 3] = [-2.0, -1.0, 1.0];

/// Every stage's 3x3 grid, in `STAGES` order, computed with the native engine's convolution.
pub fn stages(image: &[f32; 9], weights: &[f32; 3]) -> [[f32; 9]; 6] {
    let conv = |w: f32| Conv::from_raw(&[w], vec![0.0], 1, 1, 1, 1, Mask::None);
    let mut x = Map::new(SIDE, SIDE, 1, 1);
    x.data.copy_from_slice(image);
    let mut out = [[0.0; 9]; 6];
    out[0] = *image;
    for p in 0..9 {
        let mut a = [0.0];
        conv(weights[0]).at(&x, p, &mut a);
        out[1][p] = a[0];
        let masked = if p / SIDE == 2 { 0.0 } else { a[0] };
        out[2][p] = masked;
        let mut b = [0.0];
        conv(weights[1]).pointwise(&[masked], &mut b);
        out[3][p] = b[0];
        let mut c = [0.0];
        conv(weights[2]).pointwise(&b, &mut c);
        out[4][p] = c[0];
        add(&mut c, x.at(p));
        out[5][p] = c[0];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_numbers() {
        let s = stages(&SEED_IMAGE, &SEED_WEIGHTS);
        assert_eq!(s[1], [-4.0, -6.0, -8.0, -2.0, -10.0, -4.0, -12.0, -14.0, -16.0]);
        assert_eq!(s[2][6..], [0.0, 0.0, 0.0]);
        assert_eq!(s[5], [6.0, 9.0, 12.0, 3.0, 15.0, 6.0, 6.0, 7.0, 8.0]);
    }

    #[test]
    fn edits_change_the_result() {
        let mut image = SEED_IMAGE;
        image[4] = 1.0;
        assert_eq!(stages(&image, &SEED_WEIGHTS)[5][4], 3.0); // 1 + (-1)(-2)(1)(1) * 1
        assert_eq!(stages(&SEED_IMAGE, &[1.0, 1.0, 1.0])[5][0], 4.0);
    }
}
