"""Export a trained checkpoint to ONNX with the metadata both Rust engines read.

python -m pixelwise_models.export --ckpt ckpt/pixelcnn.pt --out pixelcnn-mnist-bin.onnx

The held-out NLL is measured here, on CPU, from the very weights written to the file.
"""
import argparse
import json

import numpy as np
import onnx
import onnxruntime
import torch

from . import datasets, diagbilstm_onnx, rowlstm_onnx
from .nll import mean_nll, one_hot
from .zoo import build


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--ckpt", required=True)
    p.add_argument("--out", required=True)
    return p.parse_args()


def main():
    args = parse()
    torch.set_num_threads(1)
    ckpt = torch.load(args.ckpt, map_location="cpu", weights_only=False)
    model = build(ckpt["arch"], ckpt["kwargs"])
    model.load_state_dict(ckpt["state_dict"])
    model.eval()
    dataset = datasets.get(ckpt.get("dataset", "mnist-bin"), ckpt["binarisation"])
    x, labels = dataset.load("test")
    test_x, test_y = torch.from_numpy(x), torch.from_numpy(labels)
    if ckpt["arch"] == "classifier":
        export_classifier(model, ckpt, test_x, test_y, args.out)
    else:
        export_generator(model, ckpt, dataset, test_x, test_y, args.out)


def export_generator(model, ckpt, dataset, test_x, test_y, out):
    classes, levels, colours = model.classes, dataset.levels, dataset.colours
    HEIGHT, WIDTH = dataset.height, dataset.width
    nll = mean_nll(model, test_x, test_y, levels, classes)
    example = (test_x[:2], one_hot(test_y[:2], classes)) if classes else (test_x[:2],)
    inputs = ["pixels", "label"] if classes else ["pixels"]
    axes = {name: {0: "N"} for name in inputs + ["logits"]}
    if model.arch == "diagonal_bilstm":
        # Traced, its column loop unrolls into a graph tract optimises slowly: one Scan per direction instead.
        diagbilstm_onnx.export(model, out, HEIGHT, WIDTH)
    elif model.arch == "row_lstm":
        rowlstm_onnx.export(model, out, HEIGHT, WIDTH)  # likewise, one Scan over rows per layer
    else:
        # No constant folding: the raw weights stay under their PyTorch names, the masks beside them.
        torch.onnx.export(model, example, out, input_names=inputs, output_names=["logits"], dynamic_axes=axes,
                          opset_version=17, do_constant_folding=False, dynamo=False)
    meta = {
        "pixelwise.arch": model.arch,
        "pixelwise.levels": levels,
        "pixelwise.channels": colours,
        "pixelwise.height": HEIGHT,
        "pixelwise.width": WIDTH,
        "pixelwise.classes": classes,
        "pixelwise.config": json.dumps(model.config),
        "pixelwise.head": json.dumps(model.head.spec),
        "pixelwise.dataset": json.dumps({"name": dataset.name, **dataset.description}),
        "pixelwise.test_nll_nats": f"{nll:.4f}",
        **({"pixelwise.class_names": json.dumps(dataset.class_names)} if classes else {}),
        "pixelwise.train_command": ckpt["train_command"],
        "pixelwise.training": json.dumps({
            "device": ckpt["device"], "epochs_kept": ckpt["epochs"], "seconds_kept": round(ckpt["seconds"], 1),
            "total_epochs": ckpt.get("total_epochs"), "total_seconds": round(ckpt.get("total_seconds", 0), 1),
            **({"threads": ckpt["threads"]} if "threads" in ckpt else {}),
            **({"images_kept": ckpt["images"]} if "images" in ckpt else {}),
            **({"init_from": ckpt["init_from"]} if ckpt.get("init_from") else {}),
        }),
    }
    finish(out, meta, model, example)
    print(json.dumps({"file": out, "test_nll_nats": round(nll, 4), "bits_per_dim": round(nll / (HEIGHT * WIDTH * colours * np.log(2)), 4),
                      "parameters": sum(p.numel() for p in model.parameters())}))


def export_classifier(model, ckpt, test_x, test_y, out):
    with torch.no_grad():
        accuracy = (model(test_x).argmax(1) == test_y).float().mean().item()
    example = (test_x[:2],)
    torch.onnx.export(model, example, out, input_names=["pixels"], output_names=["class_logits"],
                      dynamic_axes={"pixels": {0: "N"}, "class_logits": {0: "N"}},
                      opset_version=17, dynamo=False)
    meta = {"pixelwise.arch": "classifier", "pixelwise.classes": 10, "pixelwise.height": 28,
            "pixelwise.width": 28, "pixelwise.test_accuracy": f"{accuracy:.4f}",
            "pixelwise.train_command": ckpt["train_command"]}
    finish(out, meta, model, example)
    print(json.dumps({"file": out, "test_accuracy": round(accuracy, 4)}))


def finish(out, meta, model, example):
    proto = onnx.load(out)
    for key, value in meta.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, str(value)
    onnx.checker.check_model(proto)
    onnx.save(proto, out)
    # The file must compute what PyTorch computes.
    session = onnxruntime.InferenceSession(out, providers=["CPUExecutionProvider"])
    feeds = {i.name: t.numpy() for i, t in zip(session.get_inputs(), example)}
    with torch.no_grad():
        expected = model(*example).numpy()
    got = session.run(None, feeds)[0]
    diff = float(np.abs(got - expected).max())
    # Relative to the logits' scale: 256-way heads reach magnitudes of tens, where f32 sums of
    # another order differ by a few 1e-4.
    scale = max(1.0, float(np.abs(expected).max()))
    assert diff < 1e-4 * scale, f"onnxruntime differs from PyTorch by {diff} (logits up to {scale})"


if __name__ == "__main__":
    main()
