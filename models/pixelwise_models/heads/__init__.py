"""Output heads, apart from the blocks: any architecture ends in any head. A head maps the last
feature map (and the pixels, for the colour coupling) to log-probabilities per level, shaped
[N, L, C, H, W] like a softmax's logits, so every engine and tool reads its output unchanged.

Adding a head: one module here and one line in HEADS.
"""
from .logistic_mixture import LogisticMixtureHead
from .softmax import SoftmaxHead

HEADS = {
    SoftmaxHead.kind: SoftmaxHead,
    LogisticMixtureHead.kind: LogisticMixtureHead,
}


def make(spec, in_ch, hidden, levels, colours):
    """spec: the file's `pixelwise.head`, e.g. {"kind": "logistic_mixture", "components": 10}; None: softmax."""
    spec = dict(spec or {"kind": "softmax"})
    kind = spec.pop("kind")
    if kind not in HEADS:
        raise SystemExit(f"unknown head {kind!r}; known: {sorted(HEADS)}")
    return HEADS[kind](in_ch, hidden, levels, colours, **spec)
