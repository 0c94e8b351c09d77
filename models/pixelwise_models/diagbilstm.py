"""Diagonal BiLSTM (van den Oord et al. 2016a, section 3.2): skew so diagonals become columns,
1x1 input-to-state, 2x1 state-to-state along the column, two directions, the right-to-left one
shifted down a row before the sum so no later pixel leaks in."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import heads
from .layers import lstm_cell, raster_conv


def skew(x):
    """[N, C, H, W] -> [N, C, H, W+H-1], row r shifted right by r (pad, flatten, re-cut)."""
    n, c, h, w = x.shape
    flat = F.pad(x, (0, h)).reshape(n, c, h * (w + h))
    return flat[:, :, : h * (w + h - 1)].reshape(n, c, h, w + h - 1)


def unskew(x, w):
    n, c, h, sw = x.shape
    flat = F.pad(x.reshape(n, c, h * sw), (0, h)).reshape(n, c, h, sw + 1)
    return flat[:, :, :, :w]


def valid_mask(h, w):
    """[H, W+H-1]: 1 where a skewed position is inside the image; outside, state is held at zero."""
    m = torch.zeros(h, w + h - 1)
    for r in range(h):
        m[r, r : r + w] = 1
    return m


class DiagonalLSTM(nn.Module):
    def __init__(self, h, colours, height, width):
        super().__init__()
        self.h = h
        self.is_conv = raster_conv(h, 4 * h, 1, "B", colours)
        # Kernel row 0 is the state above (r-1), row 1 the state to the left (r) in the previous column.
        self.ss_conv = nn.Conv2d(h, 4 * h, (2, 1), bias=False)
        self.register_buffer("valid", valid_mask(height, width), persistent=False)

    def forward(self, x):
        n, _, height, width = x.shape
        # split, not a slice per column: each slice's backward writes a whole-size zero gradient.
        pre = skew(self.is_conv(x)).split(1, dim=3)
        state = x.new_zeros(n, self.h, height, 1)
        cell = x.new_zeros(n, self.h, height, 1)
        cols = []
        for c in range(width + height - 1):
            ss = self.ss_conv(F.pad(state, (0, 0, 1, 0)))
            state, cell = lstm_cell(pre[c] + ss, cell)
            keep = self.valid[:, c : c + 1]
            state, cell = state * keep, cell * keep
            cols.append(state)
        return unskew(torch.cat(cols, dim=3), width)


class DiagonalBiLSTMLayer(nn.Module):
    def __init__(self, h, colours, height, width):
        super().__init__()
        self.lr = DiagonalLSTM(h, colours, height, width)
        self.rl = DiagonalLSTM(h, colours, height, width)
        self.out = raster_conv(h, h, 1, "B", colours)

    def forward(self, x):
        a = self.lr(x)
        b = torch.flip(self.rl(torch.flip(x, dims=[3])), dims=[3])
        b = F.pad(b, (0, 0, 1, 0))[:, :, :-1, :]  # shift down one row
        return x + self.out(a + b)


class DiagonalBiLSTM(nn.Module):
    arch = "diagonal_bilstm"

    def __init__(self, colours=1, levels=2, hidden=32, layers=2, kernel_in=7, out_hidden=64, classes=0, height=28, width=28, head=None):
        super().__init__()
        assert classes == 0
        self.classes = 0
        self.config = dict(hidden=hidden, layers=layers, kernel_in=kernel_in, out_hidden=out_hidden)
        self.conv_in = raster_conv(colours, hidden, kernel_in, "A", colours)
        self.layers = nn.ModuleList([DiagonalBiLSTMLayer(hidden, colours, height, width) for _ in range(layers)])
        self.head = heads.make(head, hidden, out_hidden, levels, colours)

    def forward(self, pixels, label=None):
        x = self.conv_in(pixels)
        for layer in self.layers:
            x = layer(x)
        return self.head(x, pixels)
