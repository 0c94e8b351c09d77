"""Kernel masks; the Rust engine builds the same masks from the model's config (src/masks.rs)."""
import torch


def group_of(channel: int, channels: int, colours: int) -> int:
    """Feature channels are split into `colours` contiguous groups (R, G, B)."""
    return channel * colours // channels


def raster_mask(out_ch, in_ch, kh, kw, mask_type, colours=1):
    """Causal mask in raster order: rows above, pixels to the left, and at the centre
    group g sees groups < g (type A) or <= g (type B)."""
    m = torch.zeros(out_ch, in_ch, kh, kw)
    ch, cw = kh // 2, kw // 2
    m[:, :, :ch, :] = 1
    m[:, :, ch, :cw] = 1
    for o in range(out_ch):
        go = group_of(o, out_ch, colours)
        for i in range(in_ch):
            gi = group_of(i, in_ch, colours)
            if gi < go or (mask_type == "B" and gi == go):
                m[o, i, ch, cw] = 1
    return m


def vertical_mask(out_ch, in_ch, kh, kw, mask_type):
    """Gated PixelCNN vertical stack: rows strictly above (A) or up to the centre row (B), all columns."""
    m = torch.zeros(out_ch, in_ch, kh, kw)
    ch = kh // 2
    m[:, :, : ch + (1 if mask_type == "B" else 0), :] = 1
    return m


def gate_pair_mask(out_ch, in_ch, kh, kw, mask_type, colours=1):
    """Mask of a convolution whose output is split in halves (f, g) and gated f[j] * g[j]:
    each half carries the colour groups of the p = out_ch / 2 gated channels, so f[j] and g[j]
    belong to the same group as gated channel j."""
    half = raster_mask(out_ch // 2, in_ch, kh, kw, mask_type, colours)
    return torch.cat([half, half], dim=0)


def context_mask(out_ch, in_ch, colours=1):
    """1x1 mask reading only the first colour group: features that see no channel of the current pixel."""
    m = torch.zeros(out_ch, in_ch, 1, 1)
    for i in range(in_ch):
        if group_of(i, in_ch, colours) == 0:
            m[:, i] = 1
    return m
