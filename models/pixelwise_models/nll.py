"""Negative log-likelihood in nats per image, the number every engine must reproduce."""
import torch
import torch.nn.functional as F


def nll_per_image(logits, pixels, levels):
    """logits [N, L, C, H, W], pixels [N, C, H, W] in k/(L-1) -> nats per image [N]."""
    target = torch.round(pixels * (levels - 1)).long()
    return F.cross_entropy(logits, target, reduction="none").flatten(1).sum(1)


@torch.no_grad()
def mean_nll(model, images, labels, levels, classes, batch=50):  # small batches run faster on CPU
    model.eval()
    total = 0.0
    for s in range(0, len(images), batch):
        x = images[s : s + batch]
        y = one_hot(labels[s : s + batch], classes) if classes else None
        total += nll_per_image(model(x, y), x, levels).sum().item()
    return total / len(images)


def one_hot(labels, classes):
    return F.one_hot(labels, classes).float()
