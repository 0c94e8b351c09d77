"""Stores a float16 model file's large weights as int8 with one float32 scale per output channel
(the tensor's first axis): about half the bytes again of the float16 file, for the page's first
download.

python -m pixelwise_models.int8 pixelcnn-mnist-bin.onnx [--limit 0.05] [--min-size 256]

Runs after `half.py`. Each quantised initializer keeps its PyTorch name (now INT8, symmetric, no zero
point) beside `<name>.qscale` (float32, shape [out, 1, ...], so it broadcasts over the tensor); the
Cast that fed `<name>.f32` becomes Cast to float then Mul by the scale, so tract and onnxruntime run
the file unchanged and the native engine widens it the same way. Biases, masks and tensors under
--min-size values stay float16. The test NLL is measured (onnxruntime) and held against the float32
figure (`pixelwise.test_nll_nats_float32`, recorded by half.py, or --float32-nll for files halved
before it was; failing both, the float16 file's figure, said so); the file is rewritten only if the two
are within --limit nats per image, and then records the new figure.
"""
import json
import os

import numpy as np
import onnx
import onnx.helper
import onnx.numpy_helper

from . import half, ort_eval


def quantise(w):
    """Symmetric int8 per output channel: w ≈ q * scale, |q| ≤ 127."""
    flat = w.reshape(w.shape[0], -1).astype(np.float32)
    peak = np.abs(flat).max(axis=1)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(flat / scale[:, None]), -127, 127).astype(np.int8)
    return q.reshape(w.shape), scale.reshape((w.shape[0],) + (1,) * (w.ndim - 1))


def float_initializers(proto):
    """Every initializer by name as the graph uses it: int8 tensors times their scale, scales left out."""
    raw = {t.name: onnx.numpy_helper.to_array(t) for t in proto.graph.initializer}
    return {name: (w.astype(np.float32) * raw[f"{name}.qscale"] if w.dtype == np.int8 else w)
            for name, w in raw.items() if not name.endswith(".qscale")}


def to_int8(proto, min_size):
    graph = proto.graph
    casts = {n.input[0]: n for n in graph.node if n.op_type == "Cast" and n.output[0] == f"{n.input[0]}.f32"}
    chosen = []
    for t in graph.initializer:
        if (t.data_type != onnx.TensorProto.FLOAT16 or len(t.dims) < 2 or t.name.endswith(".mask")
                or int(np.prod(t.dims)) < min_size or t.name not in casts):
            continue
        q, scale = quantise(onnx.numpy_helper.to_array(t))
        t.CopyFrom(onnx.numpy_helper.from_array(q, t.name))
        graph.initializer.append(onnx.numpy_helper.from_array(scale, f"{t.name}.qscale"))
        chosen.append(t.name)
    nodes = []
    for n in graph.node:
        name = n.input[0] if n.op_type == "Cast" else None
        if name in chosen and casts[name] is n:
            nodes.append(onnx.helper.make_node("Cast", [name], [f"{name}.i8f"], to=onnx.TensorProto.FLOAT))
            nodes.append(onnx.helper.make_node("Mul", [f"{name}.i8f", f"{name}.qscale"], [f"{name}.f32"]))
        else:
            nodes.append(n)
    half.set_nodes(graph, nodes)
    return len(chosen)


def main():
    p = half.parser()
    p.add_argument("--min-size", type=int, default=256, help="smaller tensors stay float16")
    p.add_argument("--float32-nll", type=float, help="the float32 file's test NLL, if the file does not record it")
    args = p.parse_args()
    proto = onnx.load(args.model)
    if any(t.data_type == onnx.TensorProto.INT8 for t in proto.graph.initializer):
        raise SystemExit(f"{args.model} already holds int8 weights")
    if not any(t.data_type == onnx.TensorProto.FLOAT16 for t in proto.graph.initializer):
        raise SystemExit(f"{args.model} holds no float16 weights: run pixelwise_models.half first")
    meta, dataset, before = ort_eval.measure(args.model)
    recorded = {e.key: e.value for e in proto.metadata_props}.get("pixelwise.test_nll_nats_float32")
    reference = float(recorded) if recorded else args.float32_nll
    against = "float32" if reference is not None else "float16 (no float32 figure known)"
    if reference is None:
        reference = before["nll_nats"]
    count = to_int8(proto, args.min_size)
    props = {e.key: e for e in proto.metadata_props}
    entry = props.get("pixelwise.weights") or proto.metadata_props.add()
    entry.key = "pixelwise.weights"
    entry.value = (f"int8 with a float32 scale per output channel for tensors of {args.min_size} values or "
                   "more, float16 otherwise (pixelwise_models.half, then pixelwise_models.int8; widened in the graph)")
    onnx.checker.check_model(proto)
    out = args.model + ".int8"
    onnx.save(proto, out)
    _, _, after = ort_eval.measure(out)
    change = after["nll_nats"] - reference
    line = {"model": args.model, "initializers": count, "nll_nats_float16": before["nll_nats"],
            "nll_nats_int8": after["nll_nats"], "reference": against, "reference_nll_nats": reference,
            "change": round(change, 4),
            "bytes": [os.path.getsize(args.model), os.path.getsize(out)]}
    print(json.dumps(line), flush=True)
    if abs(change) > args.limit:
        os.remove(out)
        raise SystemExit(f"int8 weights move the test NLL by {change:.4f} nats from {against} (limit {args.limit}); "
                         "file unchanged")
    ort_eval.record(out, {"pixelwise.test_nll_nats": f"{after['nll_nats']:.4f}",
                          "pixelwise.test_nll_nats_float32": f"{reference:.4f}"} if against == "float32" else
                    {"pixelwise.test_nll_nats": f"{after['nll_nats']:.4f}"})
    os.replace(out, args.model)


if __name__ == "__main__":
    main()
