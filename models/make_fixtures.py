"""Small, deliberately wrong model files for the loader's error tests (tests/fixtures/).

python models/make_fixtures.py
"""
import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures"


def tiny(levels_out: int, meta: dict) -> onnx.ModelProto:
    """pixels [N,1,28,28] -> 1x1 Conv to `levels_out` channels -> logits [N,levels_out,1,28,28]."""
    w = numpy_helper.from_array(np.ones((levels_out, 1, 1, 1), np.float32), "conv.weight")
    shape = numpy_helper.from_array(np.array([-1, levels_out, 1, 28, 28], np.int64), "shape")
    nodes = [helper.make_node("Conv", ["pixels", "conv.weight"], ["y"]), helper.make_node("Reshape", ["y", "shape"], ["logits"])]
    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, ["N", 1, 28, 28])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", levels_out, 1, 28, 28])],
        [w, shape],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    for k, v in meta.items():
        e = model.metadata_props.add()
        e.key, e.value = k, str(v)
    onnx.checker.check_model(model)
    return model


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    meta = {"pixelwise.arch": "pixelcnn", "pixelwise.levels": 2, "pixelwise.channels": 1, "pixelwise.height": 28,
            "pixelwise.width": 28, "pixelwise.classes": 0,
            "pixelwise.config": json.dumps({"hidden": 32, "blocks": 7, "kernel_in": 7, "kernel": 3, "out_hidden": 64})}
    # Metadata says 2 levels, the graph outputs 3.
    onnx.save(tiny(3, meta), OUT / "wrong-output-shape.onnx")
    # A runnable graph with no pixelwise metadata at all.
    onnx.save(tiny(2, {}), OUT / "no-metadata.onnx")
    # Right shapes, but none of the weights a PixelCNN of that config needs.
    onnx.save(tiny(2, meta), OUT / "missing-weights.onnx")


if __name__ == "__main__":
    main()
