"""PixelCNN: 7x7 mask-A convolution, residual blocks of 1x1 / kxk mask-B / 1x1, output head."""
import torch.nn as nn
import torch.nn.functional as F

from . import heads
from .layers import raster_conv


class ResidualBlock(nn.Module):
    def __init__(self, h, kernel, colours):
        super().__init__()
        self.conv1 = raster_conv(2 * h, h, 1, "B", colours)
        self.conv2 = raster_conv(h, h, kernel, "B", colours)
        self.conv3 = raster_conv(h, 2 * h, 1, "B", colours)

    def forward(self, x):
        y = self.conv1(F.relu(x))
        y = self.conv2(F.relu(y))
        y = self.conv3(F.relu(y))
        return x + y


class PixelCNN(nn.Module):
    arch = "pixelcnn"

    def __init__(self, colours=1, levels=2, hidden=32, blocks=7, kernel_in=7, kernel=3, out_hidden=64, classes=0, head=None):
        super().__init__()
        assert classes == 0, "PixelCNN here is unconditional"
        self.classes = 0
        self.config = dict(hidden=hidden, blocks=blocks, kernel_in=kernel_in, kernel=kernel, out_hidden=out_hidden)
        self.conv_in = raster_conv(colours, 2 * hidden, kernel_in, "A", colours)
        self.blocks = nn.ModuleList([ResidualBlock(hidden, kernel, colours) for _ in range(blocks)])
        self.head = heads.make(head, 2 * hidden, out_hidden, levels, colours)

    def forward(self, pixels, label=None):
        x = self.conv_in(pixels)
        for block in self.blocks:
            x = block(x)
        return self.head(x, pixels)
