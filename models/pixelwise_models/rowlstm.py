"""Row LSTM (van den Oord et al. 2016a, section 3.1): a whole row per step; input-to-state is a
masked 1xk convolution along the row, state-to-state a 1xk convolution over the row above."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import heads
from .layers import lstm_cell, raster_conv


class RowLSTMLayer(nn.Module):
    def __init__(self, h, kernel, colours):
        super().__init__()
        self.h = h
        self.is_conv = raster_conv(h, 4 * h, (1, kernel), "B", colours)
        self.ss_conv = nn.Conv2d(h, 4 * h, (1, kernel), padding=(0, kernel // 2), bias=False)
        self.out = raster_conv(h, h, 1, "B", colours)

    def forward(self, x):
        n, _, height, width = x.shape
        # split, not a slice per row: each slice's backward writes a whole-size zero gradient.
        pre = self.is_conv(x).split(1, dim=2)
        state = x.new_zeros(n, self.h, 1, width)
        cell = x.new_zeros(n, self.h, 1, width)
        rows = []
        for i in range(height):
            state, cell = lstm_cell(pre[i] + self.ss_conv(state), cell)
            rows.append(state)
        return x + self.out(torch.cat(rows, dim=2))


class RowLSTM(nn.Module):
    arch = "row_lstm"

    def __init__(self, colours=1, levels=2, hidden=32, layers=3, kernel_in=7, kernel=3, out_hidden=64, classes=0, head=None):
        super().__init__()
        assert classes == 0
        self.classes = 0
        self.config = dict(hidden=hidden, layers=layers, kernel_in=kernel_in, kernel=kernel, out_hidden=out_hidden)
        # The first layer is the 7x7 mask-A convolution, so every LSTM input-to-state is mask B.
        self.conv_in = raster_conv(colours, hidden, kernel_in, "A", colours)
        self.layers = nn.ModuleList([RowLSTMLayer(hidden, kernel, colours) for _ in range(layers)])
        self.head = heads.make(head, hidden, out_hidden, levels, colours)

    def forward(self, pixels, label=None):
        x = self.conv_in(pixels)
        for layer in self.layers:
            x = layer(x)
        return self.head(x, pixels)
