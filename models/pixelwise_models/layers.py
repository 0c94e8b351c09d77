"""Building blocks shared by the architectures."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .masks import gate_pair_mask, raster_mask, vertical_mask


class MaskedConv2d(nn.Conv2d):
    """Convolution whose weight is multiplied by a fixed mask in the graph, so the exported
    file carries the raw weight under its PyTorch name and the mask beside it."""

    def __init__(self, in_ch, out_ch, kernel, mask, bias=True):
        kh, kw = kernel if isinstance(kernel, tuple) else (kernel, kernel)
        super().__init__(in_ch, out_ch, (kh, kw), padding=(kh // 2, kw // 2), bias=bias)
        self.register_buffer("mask", mask)

    def forward(self, x):
        return F.conv2d(x, self.weight * self.mask, self.bias, padding=self.padding)


def raster_conv(in_ch, out_ch, kernel, mask_type, colours, bias=True):
    kh, kw = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    return MaskedConv2d(in_ch, out_ch, (kh, kw), raster_mask(out_ch, in_ch, kh, kw, mask_type, colours), bias)


def gated_raster_conv(in_ch, out_ch, kernel, mask_type, colours):
    """A raster convolution feeding a tanh x sigmoid gate (see masks.gate_pair_mask)."""
    kh, kw = kernel
    return MaskedConv2d(in_ch, out_ch, (kh, kw), gate_pair_mask(out_ch, in_ch, kh, kw, mask_type, colours))


def vertical_conv(in_ch, out_ch, kernel, mask_type):
    return MaskedConv2d(in_ch, out_ch, (kernel, kernel), vertical_mask(out_ch, in_ch, kernel, kernel, mask_type))


def lstm_cell(gates, c_prev):
    """gates = [o, f, i, g] along dim 1; returns (h, c)."""
    o, f, i, g = torch.chunk(gates, 4, dim=1)
    c = torch.sigmoid(f) * c_prev + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c
