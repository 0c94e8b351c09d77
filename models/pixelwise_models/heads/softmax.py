"""The 256-way (or 2-way) softmax: one logit per level and colour channel."""
import torch.nn as nn
import torch.nn.functional as F

from ..layers import raster_conv


class SoftmaxHead(nn.Module):
    """ReLU, 1x1 (mask B), ReLU, 1x1 (mask B) to levels x colours logits, shaped [N, L, C, H, W]."""

    kind = "softmax"

    def __init__(self, in_ch, hidden, levels, colours):
        super().__init__()
        self.levels, self.colours = levels, colours
        self.spec = {"kind": self.kind}
        self.out1 = raster_conv(in_ch, hidden, 1, "B", colours)
        self.out2 = raster_conv(hidden, levels * colours, 1, "B", colours)

    def forward(self, x, pixels=None):
        y = self.out2(F.relu(self.out1(F.relu(x))))
        n, _, h, w = y.shape
        # Channel index = colour * L + level (contiguous colour groups), so reshape then swap.
        return y.reshape(n, self.colours, self.levels, h, w).transpose(1, 2)
