//! Binarisation shared with the PyTorch side (models/pixelwise_models/data.py). The split itself is
//! the standard one (src/data.rs): test = the 10,000 t10k digits.

/// Threshold-binarised models: ink where the 8-bit grey level is at least 128.
pub fn binarise(grey: u8) -> u8 {
    u8::from(grey >= 128)
}

/// The seed of the Bernoulli-binarised test set's one fixed draw (data.py's `TEST_DRAW_SEED`).
pub const TEST_DRAW_SEED: u64 = 1;

/// splitmix64: the counter-based generator of the fixed Bernoulli draws, the same in numpy.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One fixed seeded Bernoulli draw of image number `image` (its place in the set) with p = grey/255:
/// pixel p is ink when u * 255 < grey * 2^24, u the top 24 bits of
/// splitmix64((seed << 32) + image * pixels + p), in exact integers (as data.py's `bernoulli_draw`).
pub fn bernoulli(grey: &[u8], image: usize, seed: u64) -> Vec<u8> {
    let base = (seed << 32).wrapping_add((image * grey.len()) as u64);
    grey.iter()
        .enumerate()
        .map(|(p, &g)| {
            let u = splitmix64(base.wrapping_add(p as u64)) >> 40;
            u8::from(u * 255 < u64::from(g) << 24)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_is_128() {
        assert_eq!(binarise(127), 0);
        assert_eq!(binarise(128), 1);
    }

    /// The reference splitmix64 values; white never inks, black always does.
    #[test]
    fn splitmix64_and_certain_pixels() {
        assert_eq!(splitmix64(0), 0xe220a8397b1dcdaf);
        assert_eq!(splitmix64(1), 0x910a2dec89025cc1);
        assert_eq!(splitmix64((1 << 32) + 5), 0x51307108ad417eea);
        // Never ink on white, always on full black.
        assert!(bernoulli(&[0; 784], 3, 1).iter().all(|&b| b == 0));
        assert!(bernoulli(&[255; 784], 3, 1).iter().all(|&b| b == 1));
    }

    /// numpy's draws (data.py) for the first two test digits.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn first_test_digits_draw_as_in_numpy() {
        let digits = crate::data::load(true).expect("the standard MNIST (./build.sh setup)");
        let first = bernoulli(&digits[0].grey, 0, TEST_DRAW_SEED);
        let row: String = first[200..260].iter().map(|b| char::from(b'0' + b)).collect();
        assert_eq!(row, "000010000000000000000000000000111111111011110000000000000011");
        assert_eq!(first.iter().map(|&b| usize::from(b)).sum::<usize>(), 73);
        assert_eq!(bernoulli(&digits[1].grey, 1, TEST_DRAW_SEED).iter().map(|&b| usize::from(b)).sum::<usize>(), 118);
    }
}
