//! The fixed MNIST split shared with the PyTorch side (models/pixelwise_models/data.py).

/// Image `i` of each class file is held out for test when `i % 10 == 9`.
pub fn is_test(index_in_class: usize) -> bool {
    index_in_class % 10 == 9
}

/// Binarised models: ink where the 8-bit grey level is at least 128.
pub fn binarise(grey: u8) -> u8 {
    u8::from(grey >= 128)
}

/// The package stores k/255 rounded to 3 decimals; rounding back gives the grey level k.
pub fn grey_level(stored: f64) -> u8 {
    (stored * 255.0).round().clamp(0.0, 255.0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tenth_image_is_held_out() {
        let held: Vec<usize> = (0..30).filter(|&i| is_test(i)).collect();
        assert_eq!(held, vec![9, 19, 29]);
    }

    #[test]
    fn threshold_is_128() {
        assert_eq!(binarise(127), 0);
        assert_eq!(binarise(128), 1);
        assert_eq!(grey_level(0.502), 128);
        assert_eq!(grey_level(0.498), 127);
        assert_eq!(grey_level(1.0), 255);
    }
}
