"""Twemoji at 16x16 RGB from the npm package `emoji-datasource-twitter@16.0.0`.

Each 64 px PNG is composited onto white and box-downscaled to 16x16. The split is by position in
`sort_order` among the base emoji (i % 10 == 9 test, == 8 validation). Skin-tone variants are
recolourings of their base emoji: they stay with their family, join training (fit) only, and are left
out of validation and test, so the held-out set is one image per emoji and cannot leak.
"""
import json
import os
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PACKAGE = ROOT / ".data" / "emoji" / "package"
SIZE = 16
# "Component" (5 skin-tone swatches and hair pieces) is not a picture category: dropped.
CLASS_NAMES = ["Smileys & Emotion", "People & Body", "Animals & Nature", "Food & Drink", "Travel & Places",
               "Activities", "Objects", "Symbols", "Flags"]


def package_dir() -> Path:
    return Path(os.environ.get("PIXELWISE_EMOJI", DEFAULT_PACKAGE))


def split_of(position: int) -> str:
    """Position of a base emoji in sort_order -> 'test', 'validation' or 'fit'."""
    return "test" if position % 10 == 9 else "validation" if position % 10 == 8 else "fit"


def families():
    """Base emoji in sort_order: (position, class index, base image file, [skin-tone variant files])."""
    entries = json.loads((package_dir() / "emoji.json").read_text())
    entries = [e for e in entries if e["category"] in CLASS_NAMES and e.get("has_img_twitter")]
    entries.sort(key=lambda e: e["sort_order"])
    out = []
    for position, e in enumerate(entries):
        variants = [v["image"] for v in (e.get("skin_variations") or {}).values() if v.get("has_img_twitter")]
        out.append((position, CLASS_NAMES.index(e["category"]), e["image"], variants))
    return out


def load_image(name: str) -> np.ndarray:
    """One emoji as uint8 [3, 16, 16]: alpha composited onto white, then an area (box) downscale."""
    from PIL import Image

    rgba = Image.open(package_dir() / "img" / "twitter" / "64" / name).convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    rgb = Image.alpha_composite(white, rgba).convert("RGB").resize((SIZE, SIZE), Image.BOX)
    return np.asarray(rgb, dtype=np.uint8).transpose(2, 0, 1).copy()


def load(split: str):
    """(uint8 [N, 3, 16, 16], labels [N]) for 'fit' (with variants), 'validation', 'test' or 'train'."""
    images, labels = [], []
    for position, label, base, variants in families():
        s = split_of(position)
        if s == split or (split == "train" and s != "test"):
            files = [base] + (variants if s == "fit" else [])
            for f in files:
                images.append(load_image(f))
                labels.append(label)
    return np.stack(images), np.asarray(labels, dtype=np.int64)
