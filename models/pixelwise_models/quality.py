"""What a digit model draws, read by the classifier (models/classifier-mnist.onnx), one JSON line:

python -m pixelwise_models.quality pixelcnn-mnist-bin.onnx --n 100 --completions 100

- samples: N images sampled by onnxruntime (one full forward per position, raster order, seeded,
  temperature 1); the share the classifier reads with p >= 0.9, and the class histogram. A conditional
  model samples image i with class i % classes and also reports the share read as that class.
- completions: the top 14 rows of standard test digits (spread evenly over the 10,000, binarised as the
  model's data set, or their grey levels) kept, the rest sampled; the share the classifier reads as the
  digit they began as (conditional models complete with no label), beside its reading of the same
  digits whole.

256-level images are read at threshold 128, as the classifier was trained. CI runs none of this.
"""
import argparse
import json
import time

import numpy as np

from .ort_eval import dataset_of, log_softmax, metadata, session

ROOT_CLASSIFIER = "classifier-mnist.onnx"


class Model:
    def __init__(self, path):
        self.meta = metadata(path)
        self.sess = session(path)
        self.levels = int(self.meta["pixelwise.levels"])
        self.classes = int(self.meta.get("pixelwise.classes", 0))
        self.shape = tuple(int(self.meta[f"pixelwise.{k}"]) for k in ("channels", "height", "width"))
        self.labelled = "label" in [i.name for i in self.sess.get_inputs()]

    def sample(self, rng, n, labels=None, kept=None, from_row=0):
        """Levels [n, C, H, W]; rows before `from_row` are taken from `kept` (levels)."""
        c, h, w = self.shape
        k = np.zeros((n, c, h, w), dtype=np.int64) if kept is None else kept.copy()
        feeds = {}
        if self.labelled:
            onehot = np.zeros((n, self.classes), dtype=np.float32)
            if labels is not None:
                onehot[np.arange(n), labels] = 1
            feeds["label"] = onehot
        for y in range(from_row, h):
            for x in range(w):
                for ch in range(c):
                    feeds["pixels"] = (k / (self.levels - 1)).astype(np.float32)
                    logits = self.sess.run(None, feeds)[0][:, :, ch, y, x].astype(np.float64)  # [n, L]
                    p = np.exp(log_softmax(logits, 1))
                    u = rng.random((n, 1))
                    k[:, ch, y, x] = np.minimum((p.cumsum(1) < u).sum(1), self.levels - 1)
        return k


def read(classifier, levels_k, levels):
    """Class probabilities [n, 10] of images of levels [n, 1, H, W], binarised."""
    if levels == 2:
        x = levels_k.astype(np.float32)
    else:
        x = (levels_k >= 128).astype(np.float32)
    z = np.concatenate([classifier.run(None, {"pixels": x[s : s + 200]})[0] for s in range(0, len(x), 200)])
    return np.exp(log_softmax(z.astype(np.float64), 1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("--n", type=int, default=100, help="samples")
    p.add_argument("--completions", type=int, default=100, help="test digits completed from their top 14 rows")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--classifier", default=ROOT_CLASSIFIER)
    args = p.parse_args()
    start = time.time()
    model, classifier = Model(args.model), session(args.classifier)
    rng = np.random.default_rng(args.seed)
    out = {"model": args.model, "seed": args.seed, "temperature": 1.0}

    if args.n:
        labels = np.arange(args.n) % model.classes if model.classes else None
        k = model.sample(rng, args.n, labels)
        probs = read(classifier, k, model.levels)  # [n, 10]
        read_as = probs.argmax(1)
        out["samples"] = {
            "images": args.n,
            "read_with_p_ge_0.9": round(float((probs.max(1) >= 0.9).mean()), 4),
            "class_histogram": np.bincount(read_as, minlength=10).tolist(),
            **({"as_their_class": round(float((read_as == labels).mean()), 4)} if labels is not None else {}),
        }

    if args.completions:
        dataset = dataset_of(model.meta)
        x, y = dataset.load("test")
        step = max(1, len(x) // args.completions)
        idx = np.arange(0, len(x), step)[: args.completions]
        kept = np.rint(x[idx] * (model.levels - 1)).astype(np.int64)
        whole = read(classifier, kept, model.levels).argmax(1)
        half = model.shape[1] // 2
        done = model.sample(rng, len(idx), None, kept=kept, from_row=half)
        got = read(classifier, done, model.levels).argmax(1)
        per_class = [round(float((got[y[idx] == d] == d).mean()), 2) if (y[idx] == d).any() else None for d in range(10)]
        out["completions"] = {
            "images": len(idx), "kept_rows": half,
            "read_as_their_digit": round(float((got == y[idx]).mean()), 4),
            "whole_digits_read_right": round(float((whole == y[idx]).mean()), 4),
            "per_class": per_class,
        }
    out["seconds"] = round(time.time() - start, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
