//! The one mask builder every architecture uses. Layout is PyTorch's: [out][in][kh][kw].

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaskType {
    /// The centre position does not see its own colour group (first layer).
    A,
    /// The centre position sees its own group (later layers).
    B,
}

impl MaskType {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "A" => Some(Self::A),
            "B" => Some(Self::B),
            _ => None,
        }
    }
}

/// Channels split into `colours` contiguous groups (R, G, B): R sees context only, G sees R, B sees R and G.
pub fn group_of(channel: usize, channels: usize, colours: usize) -> usize {
    channel * colours / channels
}

/// The channels of colour group `g` (as `group_of` assigns them): contiguous.
pub fn group_range(g: usize, channels: usize, colours: usize) -> std::ops::Range<usize> {
    (g * channels).div_ceil(colours)..((g + 1) * channels).div_ceil(colours)
}

/// Raster-order causal mask: every row above, pixels to the left on the centre row, and at the
/// centre itself input group g' feeds output group g when g' < g (A) or g' <= g (B).
pub fn raster_mask(out_ch: usize, in_ch: usize, kh: usize, kw: usize, t: MaskType, colours: usize) -> Vec<f32> {
    let (ch, cw) = (kh / 2, kw / 2);
    let mut m = vec![0.0; out_ch * in_ch * kh * kw];
    for o in 0..out_ch {
        let go = group_of(o, out_ch, colours);
        for i in 0..in_ch {
            let gi = group_of(i, in_ch, colours);
            for y in 0..kh {
                for x in 0..kw {
                    let seen = y < ch || (y == ch && x < cw) || (y == ch && x == cw && (gi < go || (t == MaskType::B && gi == go)));
                    if seen {
                        m[((o * in_ch + i) * kh + y) * kw + x] = 1.0;
                    }
                }
            }
        }
    }
    m
}

/// A 1x1 mask reading only input group 0 (R, or the whole map for grey): an output head whose every
/// parameter comes from the context, so one pass gives a whole pixel.
pub fn context_mask(out_ch: usize, in_ch: usize, colours: usize) -> Vec<f32> {
    let row: Vec<f32> = (0..in_ch).map(|i| if group_of(i, in_ch, colours) == 0 { 1.0 } else { 0.0 }).collect();
    (0..out_ch).flat_map(|_| row.iter().copied()).collect()
}

/// A raster mask for a convolution whose output halves (f, g) meet in a gate f[j] * g[j]: each half
/// carries the colour groups of the `out_ch / 2` gated channels, so f[j] and g[j] share channel j's group.
pub fn gate_pair_mask(out_ch: usize, in_ch: usize, kh: usize, kw: usize, t: MaskType, colours: usize) -> Vec<f32> {
    let half = raster_mask(out_ch / 2, in_ch, kh, kw, t, colours);
    [half.clone(), half].concat()
}

/// Gated PixelCNN's vertical stack: rows strictly above the centre (A) or up to and including it
/// (B), every column. The vertical stack never holds the current row's pixels, so B is safe.
pub fn vertical_mask(out_ch: usize, in_ch: usize, kh: usize, kw: usize, t: MaskType) -> Vec<f32> {
    let rows = kh / 2 + usize::from(t == MaskType::B);
    let mut m = vec![0.0; out_ch * in_ch * kh * kw];
    for oi in 0..out_ch * in_ch {
        for y in 0..rows {
            for x in 0..kw {
                m[(oi * kh + y) * kw + x] = 1.0;
            }
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spatial(m: &[f32], kh: usize, kw: usize) -> Vec<Vec<u8>> {
        (0..kh).map(|y| (0..kw).map(|x| m[y * kw + x] as u8).collect()).collect()
    }

    #[test]
    fn group_ranges_hold_the_channels_of_their_group() {
        for (channels, colours) in [(60, 3), (4, 3), (120, 3), (7, 1), (5, 5)] {
            let ranges: Vec<_> = (0..colours).map(|g| group_range(g, channels, colours)).collect();
            for ch in 0..channels {
                let g = group_of(ch, channels, colours);
                assert!(ranges[g].contains(&ch), "{ch} of {channels} in group {g}: {ranges:?}");
            }
            assert_eq!(ranges.iter().map(|r| r.len()).sum::<usize>(), channels);
        }
    }

    #[test]
    fn five_by_five_mask_a_and_b() {
        let a = raster_mask(1, 1, 5, 5, MaskType::A, 1);
        assert_eq!(
            spatial(&a, 5, 5),
            vec![
                vec![1, 1, 1, 1, 1],
                vec![1, 1, 1, 1, 1],
                vec![1, 1, 0, 0, 0],
                vec![0, 0, 0, 0, 0],
                vec![0, 0, 0, 0, 0],
            ]
        );
        let b = raster_mask(1, 1, 5, 5, MaskType::B, 1);
        assert_eq!(spatial(&b, 5, 5)[2], vec![1, 1, 1, 0, 0]);
        assert_eq!(spatial(&b, 5, 5)[3], vec![0, 0, 0, 0, 0]);
    }

    #[test]
    fn rgb_groups_at_the_centre() {
        // One channel per colour: centre entry [o][i] is 1 when colour i may feed colour o.
        let centre = |t| {
            let m = raster_mask(3, 3, 3, 3, t, 3);
            (0..3)
                .map(|o| (0..3).map(|i| m[((o * 3 + i) * 3 + 1) * 3 + 1] as u8).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        };
        assert_eq!(centre(MaskType::A), vec![vec![0, 0, 0], vec![1, 0, 0], vec![1, 1, 0]]);
        assert_eq!(centre(MaskType::B), vec![vec![1, 0, 0], vec![1, 1, 0], vec![1, 1, 1]]);
        // Context positions are open to every group, later positions to none.
        let m = raster_mask(3, 3, 3, 3, MaskType::A, 3);
        for oi in 0..9 {
            assert_eq!(spatial(&m[oi * 9..oi * 9 + 9], 3, 3)[0], vec![1, 1, 1]);
            assert_eq!(spatial(&m[oi * 9..oi * 9 + 9], 3, 3)[2], vec![0, 0, 0]);
        }
        // With 6 feature channels, channels 0-1 are R, 2-3 G, 4-5 B.
        assert_eq!((0..6).map(|c| group_of(c, 6, 3)).collect::<Vec<_>>(), vec![0, 0, 1, 1, 2, 2]);
    }

    #[test]
    fn gate_halves_share_the_groups_of_the_gated_channel() {
        // 6 gated channels (R R G G B B) from 3 inputs: rows 0..6 are f, 6..12 are g.
        let m = gate_pair_mask(12, 3, 1, 3, MaskType::A, 3);
        let centre = |o: usize, i: usize| m[(o * 3 + i) * 3 + 1] as u8;
        for j in 0..6 {
            for i in 0..3 {
                assert_eq!(centre(j, i), centre(j + 6, i), "f[{j}] and g[{j}] see input {i} alike");
                assert_eq!(centre(j, i), u8::from(i < group_of(j, 6, 3)));
            }
        }
        // With one colour it is the plain raster mask.
        assert_eq!(gate_pair_mask(4, 2, 3, 3, MaskType::B, 1), raster_mask(4, 2, 3, 3, MaskType::B, 1));
    }

    #[test]
    fn vertical_stack_sees_rows_above_only() {
        let a = vertical_mask(1, 1, 3, 3, MaskType::A);
        assert_eq!(spatial(&a, 3, 3), vec![vec![1, 1, 1], vec![0, 0, 0], vec![0, 0, 0]]);
        let b = vertical_mask(1, 1, 3, 3, MaskType::B);
        assert_eq!(spatial(&b, 3, 3), vec![vec![1, 1, 1], vec![1, 1, 1], vec![0, 0, 0]]);
    }
}
