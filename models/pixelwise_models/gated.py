"""Gated PixelCNN (van den Oord et al. 2016b): vertical and horizontal stacks, gated units,
vertical->horizontal link, residual horizontal stack, a learned per-class bias in every gate."""
import torch
import torch.nn as nn

from . import heads
from .layers import gated_raster_conv, raster_conv, vertical_conv


def gate(pre):
    f, g = torch.chunk(pre, 2, dim=1)
    return torch.tanh(f) * torch.sigmoid(g)


class GatedLayer(nn.Module):
    def __init__(self, in_ch, p, kernel, mask_type, colours, classes, residual):
        super().__init__()
        self.residual = residual
        # Vertical: kxk seeing rows above only. Horizontal: 1xk seeing pixels to the left.
        self.v_conv = vertical_conv(in_ch, 2 * p, kernel, mask_type)
        self.h_conv = gated_raster_conv(in_ch, 2 * p, (1, kernel), mask_type, colours)
        self.link = nn.Conv2d(2 * p, 2 * p, 1)
        self.h_out = raster_conv(p, p, 1, "B", colours)
        self.classes = classes
        if classes:
            self.v_cond = nn.Linear(classes, 2 * p, bias=False)
            self.h_cond = nn.Linear(classes, 2 * p, bias=False)

    def forward(self, v, h, label):
        v_pre = self.v_conv(v)
        h_pre = self.h_conv(h) + self.link(v_pre)
        if self.classes:
            v_pre = v_pre + self.v_cond(label)[:, :, None, None]
            h_pre = h_pre + self.h_cond(label)[:, :, None, None]
        h_new = self.h_out(gate(h_pre))
        if self.residual:
            h_new = h + h_new
        return gate(v_pre), h_new


class GatedPixelCNN(nn.Module):
    arch = "gated_pixelcnn"

    def __init__(self, colours=1, levels=2, hidden=32, layers=8, kernel_in=7, kernel=3, out_hidden=64, classes=10, head=None):
        super().__init__()
        self.classes = classes
        self.config = dict(hidden=hidden, layers=layers, kernel_in=kernel_in, kernel=kernel, out_hidden=out_hidden)
        mods = [GatedLayer(colours, hidden, kernel_in, "A", colours, classes, residual=False)]
        mods += [GatedLayer(hidden, hidden, kernel, "B", colours, classes, residual=True) for _ in range(layers - 1)]
        self.layers = nn.ModuleList(mods)
        self.head = heads.make(head, hidden, out_hidden, levels, colours)

    def forward(self, pixels, label=None):
        v = h = pixels
        for layer in self.layers:
            v, h = layer(v, h, label)
        return self.head(h, pixels)
