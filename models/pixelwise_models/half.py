"""Stores a model file's float weights as float16, half the bytes the page downloads:

python -m pixelwise_models.half pixelcnn-mnist-bin.onnx [--limit 0.05]

Each float32 initializer keeps its name (the native engine reads it by its PyTorch name and widens it
exactly) and a Cast node at the graph's start hands `<name>.f32` to every node that used it, inside
Scan bodies too, so tract and onnxruntime run the file unchanged. The test NLL is measured (onnxruntime)
before and after; the file is rewritten only if the two are within --limit nats per image, and then
records both (`pixelwise.test_nll_nats`, `pixelwise.test_nll_nats_float32`: int8.py's reference).
"""
import argparse
import json
import os

import numpy as np
import onnx
import onnx.helper
import onnx.numpy_helper

from . import ort_eval


def rename_uses(graph, renames):
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name in renames:
                node.input[i] = renames[name]
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                rename_uses(attr.g, renames)
            for g in attr.graphs:
                rename_uses(g, renames)


def set_nodes(graph, nodes):
    del graph.node[:]
    graph.node.extend(nodes)


def parser():
    """The arguments every weight-format step takes: the file, and how far its test NLL may move."""
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("--limit", type=float, default=0.05, help="largest NLL change allowed, nats per image")
    return p


def halve(proto):
    graph = proto.graph
    renames, casts = {}, []
    for t in graph.initializer:
        if t.data_type != onnx.TensorProto.FLOAT:
            continue
        w = onnx.numpy_helper.to_array(t)
        if np.abs(w).max(initial=0) > 65504:
            raise SystemExit(f"{t.name}: values beyond float16's range")
        t.CopyFrom(onnx.numpy_helper.from_array(w.astype(np.float16), t.name))
        renames[t.name] = f"{t.name}.f32"
        casts.append(onnx.helper.make_node("Cast", [t.name], [renames[t.name]], to=onnx.TensorProto.FLOAT))
    rename_uses(graph, renames)
    kept = [i for i in graph.input if i.name not in renames]  # initializers listed as inputs (old exports)
    del graph.input[:]
    graph.input.extend(kept)
    set_nodes(graph, casts + list(graph.node))
    return len(casts)


def main():
    args = parser().parse_args()
    meta, dataset, before = ort_eval.measure(args.model)
    proto = onnx.load(args.model)
    if any(t.data_type == onnx.TensorProto.FLOAT16 for t in proto.graph.initializer):
        raise SystemExit(f"{args.model} already holds float16 weights")
    count = halve(proto)
    entry = proto.metadata_props.add()
    entry.key, entry.value = "pixelwise.weights", "float16 (from float32 by pixelwise_models.half; cast to float32 in the graph)"
    onnx.checker.check_model(proto)
    out = args.model + ".half"
    onnx.save(proto, out)
    _, _, after = ort_eval.measure(out)
    change = after["nll_nats"] - before["nll_nats"]
    line = {"model": args.model, "initializers": count, "nll_nats_float32": before["nll_nats"],
            "nll_nats_float16": after["nll_nats"], "change": round(change, 4)}
    print(json.dumps(line), flush=True)
    if abs(change) > args.limit:
        raise SystemExit(f"float16 weights move the test NLL by {change:.4f} nats (limit {args.limit}); file unchanged")
    ort_eval.record(out, {"pixelwise.test_nll_nats": f"{after['nll_nats']:.4f}",
                          "pixelwise.test_nll_nats_float32": f"{before['nll_nats']:.4f}"})
    os.replace(out, args.model)


if __name__ == "__main__":
    main()
