"""Writes the emoji held-out split as one committed file, read by the Rust evaluator, the tests and the
page, so that neither CI nor a visitor needs the 62 MB package:

python -m pixelwise_models.heldout --out emoji-test.png

The PNG stacks the 16x16 test images top to bottom (lossless); its tEXt chunk `pixelwise` holds JSON
with each image's class index and the class names.
"""
import argparse
import json

import numpy as np
from PIL import Image, PngImagePlugin

from . import emoji


def read(path):
    """The committed split back: (uint8 levels [N, 3, 16, 16], labels [N]), no package needed."""
    image = Image.open(path)
    meta = json.loads(image.text["pixelwise"])
    size = meta["size"]
    strip = np.asarray(image.convert("RGB"), dtype=np.uint8)  # [N*16, 16, 3]
    levels = strip.reshape(-1, size, size, 3).transpose(0, 3, 1, 2)
    return np.ascontiguousarray(levels), np.array(meta["labels"], dtype=np.int64)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    args = p.parse_args()
    images, labels = emoji.load("test")
    strip = images.transpose(0, 2, 3, 1).reshape(-1, emoji.SIZE, 3)  # [N*16, 16, 3]
    info = PngImagePlugin.PngInfo()
    info.add_text("pixelwise", json.dumps({
        "source": "npm emoji-datasource-twitter@16.0.0 (Twemoji images CC-BY 4.0)",
        "split": "test: base emoji at position % 10 == 9 in sort_order (Component dropped)",
        "size": emoji.SIZE, "labels": labels.tolist(), "class_names": emoji.CLASS_NAMES,
    }))
    Image.fromarray(np.ascontiguousarray(strip)).save(args.out, pnginfo=info, optimize=True)
    print(json.dumps({"file": args.out, "images": len(labels)}))


if __name__ == "__main__":
    main()
