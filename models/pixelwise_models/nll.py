"""Negative log-likelihood in nats per image, the number every engine must reproduce."""
import torch
import torch.nn.functional as F


def nll_per_image(logits, pixels, levels):
    """logits [N, L, C, H, W], pixels [N, C, H, W] in k/(L-1) -> nats per image [N]. A head that scores
    the targets alone while training (the logistic mixture) gives their log-probabilities [N, C, H, W]."""
    if logits.dim() == pixels.dim():
        return -logits.flatten(1).sum(1)
    target = torch.round(pixels * (levels - 1)).long()
    return F.cross_entropy(logits, target, reduction="none").flatten(1).sum(1)


@torch.no_grad()
def mean_nll(model, images, labels, levels, classes, batch=50):  # small batches run faster on CPU
    model.eval()
    # A head that can score the targets alone (the mixture, in training mode) gives the same NLL
    # without the full [N, 256, C, H, W].
    model.head.train(getattr(model.head, "scores_targets", False))
    total = 0.0
    try:
        for s in range(0, len(images), batch):
            x = images[s : s + batch]
            y = one_hot(labels[s : s + batch], classes) if classes else None
            total += nll_per_image(model(x, y), x, levels).sum().item()
    finally:
        model.head.eval()  # whole distributions again, as exported and sampled
    return total / len(images)


def one_hot(labels, classes):
    return F.one_hot(labels, classes).float()
