"""Discretized logistic mixture (Salimans et al. 2017, PixelCNN++), with its linear colour coupling.

Every parameter comes from the context (out2 reads out1's first colour group, which sees no channel
of the current pixel), so one pass gives a whole pixel. Per component k and channel c: a mean, a log
scale, and for G and B coefficients moving the mean with the pixel's earlier channels:
    mean_G = mu_G + a_k * R,   mean_B = mu_B + b_k * R + c_k * G      (values scaled to [-1, 1]).
The mixture is over whole pixels, p(pixel) = sum_k pi_k p_k(R) p_k(G|R) p_k(B|R,G); channel c's
distribution given the channels before it is the same mixture with weights pi_k times the
components' likelihoods of those channels, so the sub-pixels keep the order R -> G -> B and their
log-probabilities sum to the joint's.

Output channels of out2, in this order (K components, C colours, C(C-1)/2 coefficients):
    [K weight logits][C x K means][C x K log scales][C(C-1)/2 x K coefficients (tanh)]
the coefficients ordered (G<-R), (B<-R), (B<-G). src/head/logistic_mixture.rs reads the same layout.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..layers import MaskedConv2d, raster_conv
from ..masks import context_mask

MIN_LOG_SCALE = -7.0  # as PixelCNN++: a scale under e^-7 puts all mass on one level anyway
SERIES_BELOW = 0.1  # log(1 - e^-d) by its series under this d, where 1 - exp(-d) would lose digits


def log1mexp(d):
    """log(1 - e^-d) for d > 0, accurate in f32 for tiny d (the difference of two close sigmoids)."""
    small = torch.clamp(d, max=SERIES_BELOW)
    series = torch.log(small) - small / 2 + small * small / 24 - small ** 4 / 2880
    large = torch.clamp(d, min=SERIES_BELOW)
    return torch.where(d < SERIES_BELOW, series, torch.log(1 - torch.exp(-large)))


def level_log_prob(value, mean, log_scale, half_bin, first, last):
    """log P(level) of a discretized logistic at `value` (a level's centre, in [-1, 1]):
    log(sigmoid(a) - sigmoid(b)) = -softplus(-a) - softplus(b) + log(1 - e^-(a-b)), exact and stable;
    the first level takes all mass below (log sigmoid(a)), the last all above (log(1 - sigmoid(b)))."""
    inv = torch.exp(-log_scale)
    a = (value - mean + half_bin) * inv
    b = (value - mean - half_bin) * inv
    upper = -F.softplus(-a)
    lower = -F.softplus(b)
    inner = upper + lower + log1mexp(2 * half_bin * inv)
    return torch.where(first, upper, torch.where(last, lower, inner))


class LogisticMixtureHead(nn.Module):
    kind = "logistic_mixture"
    scores_targets = True  # in training mode it returns the targets' log-probabilities [N, C, H, W]

    def __init__(self, in_ch, hidden, levels, colours, components=10):
        super().__init__()
        self.levels, self.colours, self.components = levels, colours, components
        self.spec = {"kind": self.kind, "components": components}
        self.coefficients = colours * (colours - 1) // 2
        self.params = components * (1 + 2 * colours + self.coefficients)
        self.out1 = raster_conv(in_ch, hidden, 1, "B", colours)
        self.out2 = MaskedConv2d(hidden, self.params, (1, 1), context_mask(self.params, hidden, colours))

    def parameters_of(self, x):
        """weight logits [N,K,H,W], means and log scales [N,C,K,H,W] (means not yet coupled), coefficients [N,P,K,H,W]."""
        y = self.out2(F.relu(self.out1(F.relu(x))))
        n, _, h, w = y.shape
        k, c = self.components, self.colours
        logits, means, log_scales, coeffs = torch.split(y, [k, c * k, c * k, self.coefficients * k], dim=1)
        return (logits, means.reshape(n, c, k, h, w), torch.clamp(log_scales.reshape(n, c, k, h, w), min=MIN_LOG_SCALE),
                torch.tanh(coeffs.reshape(n, self.coefficients, k, h, w)))

    def forward(self, x, pixels):
        logits, means, log_scales, coeffs = self.parameters_of(x)
        top = self.levels - 1
        value = pixels * 2 - 1  # [N, C, H, W]
        means = self.coupled(means, coeffs, value)
        half_bin = 1.0 / top
        level = torch.round(pixels * top)
        # Each channel's weights: pi_k times component k's likelihood of the pixel's earlier channels.
        at_value = level_log_prob(value[:, :, None], means, log_scales, half_bin,
                                  (level == 0)[:, :, None], (level == top)[:, :, None])  # [N, C, K, H, W]
        # Exclusive sum over earlier channels (not cumsum minus self, which would let a channel's own value in by rounding).
        before = torch.cat([torch.zeros_like(at_value[:, :1]), torch.cumsum(at_value[:, :-1], dim=1)], dim=1)
        log_weights = torch.log_softmax(logits[:, None] + before, dim=2)  # [N, C, K, H, W]
        if self.training:  # the targets alone: the full [N, 256, C, H, W] would cost 256 times more
            return torch.logsumexp(log_weights + at_value, dim=2)  # [N, C, H, W]
        grid = torch.arange(self.levels, dtype=x.dtype, device=x.device)
        centres = (grid * (2.0 / top) - 1).reshape(1, self.levels, 1, 1, 1, 1)
        per_level = level_log_prob(centres, means[:, None], log_scales[:, None], half_bin,
                                   (grid == 0).reshape(1, -1, 1, 1, 1, 1), (grid == top).reshape(1, -1, 1, 1, 1, 1))
        return torch.logsumexp(log_weights[:, None] + per_level, dim=3)  # [N, L, C, H, W]

    def coupled(self, means, coeffs, value):
        """mean_c += sum over earlier channels j of coefficient(c, j) * value_j."""
        if self.colours == 1:
            return means
        out, pair = [means[:, 0]], 0
        for c in range(1, self.colours):
            m = means[:, c]
            for j in range(c):
                m = m + coeffs[:, pair] * value[:, j : j + 1]
                pair += 1
            out.append(m)
        return torch.stack(out, dim=1)


