"""Sets one metadata key of a committed model file, leaving its graph and weights as they are:

python -m pixelwise_models.set_meta gated-mnist-bin.onnx pixelwise.guidance '{"scale": 3, "measured": "..."}'
"""
import sys

import onnx


def main():
    path, key, value = sys.argv[1:4]
    proto = onnx.load(path)
    kept = [p for p in proto.metadata_props if p.key != key]
    del proto.metadata_props[:]
    proto.metadata_props.extend(kept)
    entry = proto.metadata_props.add()
    entry.key, entry.value = key, value
    onnx.checker.check_model(proto)
    onnx.save(proto, path)


if __name__ == "__main__":
    main()
