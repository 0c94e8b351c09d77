//! How a level looks: the page's grid and the CLI's PNG grids share these colours, so a download
//! and a CLI sample of the same seed look alike. One channel runs from paper (level 0) to ink (the
//! top level); three are R, G, B.

/// A position not yet set.
pub const UNKNOWN: [u8; 3] = [223, 228, 236];
pub const PAPER: [u8; 3] = [250, 248, 243];
pub const INK: [u8; 3] = [20, 22, 26];
/// Between images in a grid.
pub const GAP: [u8; 3] = [255, 255, 255];
/// The newest position of a one-channel model.
pub const HIGHLIGHT: [u8; 3] = [224, 36, 94];
/// The newest position of a colour model, in the colour of the sub-pixel being drawn (R, G, B).
pub const SUBPIXEL: [[u8; 3]; 3] = [[255, 23, 68], [0, 230, 118], [41, 121, 255]];

/// The colour of one pixel from its channels' levels (`None`: not set yet) out of `levels`.
pub fn colour(values: &[Option<u8>], levels: usize) -> [u8; 3] {
    // f64, as JS computed these colours before: the same rounding, so the same pixels.
    let top = levels.saturating_sub(1).max(1) as f64;
    if let [v] = values {
        let Some(v) = v else { return UNKNOWN };
        let t = f64::from(*v) / top;
        return std::array::from_fn(|i| (f64::from(PAPER[i]) + (f64::from(INK[i]) - f64::from(PAPER[i])) * t).round() as u8);
    }
    if values.iter().all(Option::is_none) {
        return UNKNOWN;
    }
    // Channels past the third are not shown; an unset one reads 0 until it is drawn.
    std::array::from_fn(|c| {
        values
            .get(c)
            .copied()
            .flatten()
            .map_or(0, |v| (255.0 * f64::from(v) / top).round() as u8)
    })
}

/// The marker of the newest position: its sub-pixel's colour for a colour model.
pub fn highlight(channels: usize, channel: usize) -> [u8; 3] {
    if channels > 1 {
        SUBPIXEL[channel.min(2)]
    } else {
        HIGHLIGHT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grey_runs_from_paper_to_ink() {
        assert_eq!(colour(&[Some(0)], 2), PAPER);
        assert_eq!(colour(&[Some(1)], 2), INK);
        assert_eq!(colour(&[None], 2), UNKNOWN);
        let mid = colour(&[Some(128)], 256);
        assert!((0..3).all(|i| mid[i] < PAPER[i] && mid[i] > INK[i]), "{mid:?}");
    }

    #[test]
    fn colour_channels_fill_in_as_they_are_drawn() {
        assert_eq!(colour(&[None, None, None], 256), UNKNOWN);
        assert_eq!(colour(&[Some(255), None, None], 256), [255, 0, 0]);
        assert_eq!(colour(&[Some(255), Some(51), Some(0)], 256), [255, 51, 0]);
        assert_eq!(highlight(3, 1), SUBPIXEL[1]);
        assert_eq!(highlight(1, 0), HIGHLIGHT);
    }
}
