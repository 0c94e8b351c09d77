"""A model file's NLL (or the classifier's accuracy) on its data set's test split, by onnxruntime on one
thread, as the file stands:

python -m pixelwise_models.ort_eval pixelcnn-mnist-bin.onnx [--record]

One JSON line. `--record` rewrites the file's `pixelwise.test_nll_nats` (`pixelwise.test_accuracy`) and
its `pixelwise.dataset` description with what was measured, leaving graph and weights untouched (for a
file kept while its test set changes).
"""
import argparse
import json

import numpy as np
import onnx
import onnxruntime

from . import datasets


def session(path):
    opts = onnxruntime.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


def metadata(path):
    return {p.key: p.value for p in onnx.load(path, load_external_data=False).metadata_props}


def dataset_of(meta):
    if meta.get("pixelwise.arch") == "classifier":
        return datasets.get("mnist-bin", "threshold")
    desc = json.loads(meta["pixelwise.dataset"])
    binarisation = "bernoulli" if str(desc.get("binarisation", "")).startswith("bernoulli") else "threshold"
    return datasets.get(desc.get("name", "mnist-bin"), binarisation)  # the first files name none: mnist-bin


def log_softmax(z, axis):
    z = z - z.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def measure(path, batch=100):
    meta = metadata(path)
    dataset = dataset_of(meta)
    x, y = dataset.load("test")
    sess = session(path)
    names = [i.name for i in sess.get_inputs()]
    if meta.get("pixelwise.arch") == "classifier":
        right = 0
        for s in range(0, len(x), batch):
            right += int((sess.run(None, {"pixels": x[s : s + batch]})[0].argmax(1) == y[s : s + batch]).sum())
        return meta, dataset, {"images": len(x), "test_accuracy": right / len(x)}
    levels = int(meta["pixelwise.levels"])
    classes = int(meta.get("pixelwise.classes", 0))
    total = 0.0
    for s in range(0, len(x), batch):
        xb = x[s : s + batch]
        feeds = {"pixels": xb}
        if "label" in names:
            feeds["label"] = np.eye(classes, dtype=np.float32)[y[s : s + batch]]
        logp = log_softmax(sess.run(None, feeds)[0].astype(np.float64), 1)  # [N, L, C, H, W]
        k = np.rint(xb * (levels - 1)).astype(np.int64)[:, None]
        total -= np.take_along_axis(logp, k, 1).sum()
    nll = total / len(x)
    dims = int(meta["pixelwise.channels"]) * int(meta["pixelwise.height"]) * int(meta["pixelwise.width"])
    return meta, dataset, {"images": len(x), "nll_nats": round(nll, 4), "bits_per_dim": round(nll / (dims * np.log(2)), 5)}


def record(path, values):
    proto = onnx.load(path)
    keys = set(values)
    kept = [p for p in proto.metadata_props if p.key not in keys]
    del proto.metadata_props[:]
    proto.metadata_props.extend(kept)
    for key, value in values.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(proto)
    onnx.save(proto, path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("--record", action="store_true", help="write the measured figure and data set into the file")
    args = p.parse_args()
    meta, dataset, got = measure(args.model)
    if "nll_nats" in got:
        got["recorded_nll_nats"] = float(meta.get("pixelwise.test_nll_nats", "nan"))
    else:
        got["recorded_accuracy"] = float(meta.get("pixelwise.test_accuracy", "nan"))
    if args.record:
        if "nll_nats" in got:
            record(args.model, {"pixelwise.test_nll_nats": f"{got['nll_nats']:.4f}",
                                "pixelwise.dataset": json.dumps({"name": dataset.name, **dataset.description})})
        else:
            record(args.model, {"pixelwise.test_accuracy": f"{got['test_accuracy']:.4f}"})
        got["recorded"] = True
    print(json.dumps({"model": args.model, **got}))


if __name__ == "__main__":
    main()
