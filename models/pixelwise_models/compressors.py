"""What lossless PNG (maximum compression) and lossless WebP (method 6) take for exactly the held-out
images a model is scored on, one file per image, in bits per sub-pixel:

python -m pixelwise_models.compressors --dataset mnist-256
python -m pixelwise_models.compressors --dataset emoji-rgb
"""
import argparse
import io
import json

import numpy as np
from PIL import Image

from . import datasets


def file_bits(array, fmt):
    buf = io.BytesIO()
    img = Image.fromarray(array)
    if fmt == "PNG":
        img.save(buf, "PNG", optimize=True, compress_level=9)
    else:
        img.save(buf, "WEBP", lossless=True, method=6, quality=100)
    return 8 * len(buf.getvalue())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dataset", required=True, choices=["mnist-256", "emoji-rgb"])
    args = p.parse_args()
    d = datasets.get(args.dataset)
    levels, _ = d.load_levels("test")
    subpixels = levels.shape[0] * d.colours * d.height * d.width
    out = {"dataset": d.name, "images": int(levels.shape[0])}
    for fmt in ["PNG", "WEBP"]:
        total = 0
        for k in levels:
            arr = k[0] if d.colours == 1 else k.transpose(1, 2, 0)
            total += file_bits(np.ascontiguousarray(arr), fmt)
        out[fmt.lower() + "_bits_per_subpixel"] = round(total / subpixels, 3)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
