"""Train one architecture on its data set's fit split; keeps the checkpoint with the best validation NLL.

python -m pixelwise_models.train --arch pixelcnn --seconds 300 --out ckpt/pixelcnn.pt

Bernoulli-binarised MNIST draws the fit digits afresh each epoch (p = grey/255), as the papers do;
validation and test are fixed draws (data.py). `--init-from FILE.onnx` starts from a committed model's
weights (its initializers, read by their PyTorch names) to fine-tune it.

Runs unchanged under torchrun (PyTorch DDP: gloo on CPU, nccl on GPU): every process walks the same
shuffled order, takes its share of each batch (so the batch and learning rate mean the same at any
process count), and process 0 alone keeps time, validates and writes.
    torchrun --nproc_per_node 2 -m pixelwise_models.train --arch pixelcnn --seconds 300 --out ckpt/p.pt
"""
import argparse
import json
import math
import os
import shlex
import sys
import time

import numpy as np
import onnx
import torch
import torch.distributed as dist
import torch.nn.functional as F

from . import data, datasets, int8
from .nll import mean_nll, nll_per_image, one_hot
from .zoo import build


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", required=True)
    p.add_argument("--config", default="{}", help="JSON constructor arguments (hidden, layers, ...)")
    p.add_argument("--seconds", type=float, default=300, help="training time budget; LR follows a cosine over it")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dataset", default="mnist-bin", choices=["mnist-bin", "mnist-256", "emoji-rgb"])
    p.add_argument("--binarisation", default="threshold", choices=["threshold", "bernoulli"], help="mnist-bin only")
    p.add_argument("--label-dropout", type=float, default=0.1, help="share of labels zeroed (unconditional use)")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--init-from", help="a model file (.onnx) whose initializers, by PyTorch name, start the weights")
    p.add_argument("--validate-every", type=int, default=0,
                   help="validate (and maybe keep a checkpoint) every this many fit images; 0: once per epoch")
    p.add_argument("--steps", type=int, default=0,
                   help="stop after this many optimizer steps (the cosine follows steps instead of seconds); 0: no limit")
    p.add_argument("--shift", type=int, default=0,
                   help="classifier only: each training digit moved by up to this many pixels, drawn afresh each batch")
    p.add_argument("--out", required=True)
    return p.parse_args()


class Processes:
    """This process's place among torchrun's (one process and no group when started plainly)."""

    def __init__(self, device):
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.device = device
        if self.world > 1:
            cuda = device.startswith("cuda")
            if cuda:
                self.device = f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}"
                torch.cuda.set_device(self.device)
            dist.init_process_group("nccl" if cuda else "gloo")

    @property
    def lead(self):
        return self.rank == 0

    def wrap(self, model):
        if self.world == 1:
            return model
        ids = [torch.device(self.device).index] if self.device.startswith("cuda") else None
        return torch.nn.parallel.DistributedDataParallel(model, device_ids=ids)

    def share(self, value):
        """Process 0's float, everywhere: one clock decides for all when to stop, or they would deadlock."""
        if self.world == 1:
            return value
        t = torch.tensor([value], dtype=torch.float64, device=self.device)
        dist.broadcast(t, 0)
        return t.item()

    def wait(self):
        if self.world > 1:
            dist.barrier()

    def close(self):
        if self.world > 1:
            dist.destroy_process_group()


def init_from_onnx(model, path):
    """Copies every parameter of `model` from the initializer of the same name in `path` (the masks are
    buffers the model builds from its config, as the native engine does)."""
    proto = onnx.load(path)
    inits = int8.float_initializers(proto)
    params = {k for k, _ in model.named_parameters()}
    state = {k: v for k, v in model.state_dict().items() if k in params}
    file_head = json.loads({p.key: p.value for p in proto.metadata_props}.get("pixelwise.head", '{"kind": "softmax"}'))
    if file_head != model.head.spec:  # another head on the same blocks: its last layer starts fresh
        print(f"{path}: head {file_head} -> {model.head.spec}; head.out2 starts fresh", flush=True)
        state = {k: v for k, v in state.items() if not k.startswith("head.out2.")}
    missing = [k for k in state if k not in inits]
    # The exporter drops weights no output depends on (the last Gated layer's vertical stack): those
    # keep their fresh values. Anything more missing means the config differs from the file's.
    if len(missing) > len(state) // 10:
        raise SystemExit(f"{path}: no initializer for {missing} (config differs from the file's?)")
    if missing:
        print(f"{path}: no initializer for {missing}; kept as initialised (unused by the exported graph)", flush=True)
    for k, v in state.items():
        if k in missing:
            continue
        w = torch.from_numpy(np.array(inits[k])).to(v.dtype)
        if tuple(w.shape) != tuple(v.shape):
            raise SystemExit(f"{path}: {k} has shape {tuple(w.shape)}, the model wants {tuple(v.shape)}")
        state[k] = w
    model.load_state_dict(state, strict=False)


def shifted(x, most, gen):
    """Each image of [N, C, H, W] moved by its own (dy, dx) in [-most, most], blank where it left."""
    n, _, h, w = x.shape
    padded = F.pad(x, (most, most, most, most))
    d = torch.randint(0, 2 * most + 1, (n, 2), generator=gen).tolist()
    return torch.stack([padded[i, :, dy : dy + h, dx : dx + w] for i, (dy, dx) in enumerate(d)])


def tensors(dataset, split, device):
    x, labels = dataset.load(split)
    return torch.from_numpy(x).to(device), torch.from_numpy(labels).to(device)


def main():
    args = parse()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    procs = Processes(args.device)
    if args.batch % procs.world:
        raise SystemExit(f"--batch {args.batch} does not split among {procs.world} processes")
    command = "python -m pixelwise_models.train " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    kwargs = json.loads(args.config)
    dataset = datasets.get(args.dataset, args.binarisation)
    if args.arch != "classifier":
        kwargs = {"colours": dataset.colours, "levels": dataset.levels, **kwargs}
    levels = dataset.levels
    model = build(args.arch, kwargs).to(procs.device)
    args.device = procs.device
    classifier = args.arch == "classifier"
    classes = 10 if classifier else model.classes
    if args.init_from:
        init_from_onnx(model, args.init_from)
    fresh = args.dataset == "mnist-bin" and args.binarisation == "bernoulli" and not classifier
    if fresh:  # the grey levels as probabilities; each epoch draws its own binary digits from them
        grey, labels = data.load_grey("fit")
        fit_p = torch.from_numpy(grey[:, None].astype(np.float32) / 255.0).to(args.device)
        fit_y = torch.from_numpy(labels).to(args.device)
        fit_x = fit_p
    else:
        fit_x, fit_y = tensors(dataset, "fit", args.device)
    val_x, val_y = tensors(dataset, "validation", args.device)
    net = procs.wrap(model)  # trains through DDP's gradient averaging; `model` validates and is saved
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    gen = torch.Generator(device="cpu").manual_seed(args.seed)
    start, epoch, best, log, seen, steps, share = time.time(), 0, math.inf, [], 0, 0, 0

    def progress():
        if args.steps:
            return steps / args.steps
        return procs.share((time.time() - start) / args.seconds)

    def checkpoint(score):
        nonlocal best
        if not procs.lead:
            return
        log.append({"epoch": epoch, "images": seen, "seconds": round(time.time() - start, 1), "validation": score})
        print(json.dumps(log[-1]), flush=True)
        if score < best:
            best = score
            torch.save({
                "arch": args.arch, "kwargs": kwargs, "state_dict": model.state_dict(),
                "train_command": command, "binarisation": args.binarisation, "dataset": args.dataset, "log": log,
                "epochs": epoch, "images": seen, "seconds": time.time() - start, "init_from": args.init_from,
                "device": torch.cuda.get_device_name() if args.device == "cuda" else "cpu",
                "threads": args.threads,
            }, args.out)

    def validate():
        if procs.lead:
            checkpoint(_validate(model, val_x, val_y, classifier, classes, levels))
        procs.wait()

    if args.init_from:  # the starting weights compete too: fine-tuning never keeps worse ones
        validate()
    while progress() < 1.0:
        net.train()
        order = torch.randperm(len(fit_x), generator=gen).to(args.device)
        epoch_x = torch.bernoulli(fit_p, generator=gen) if fresh else fit_x
        for s in range(0, len(order) - args.batch + 1, args.batch):
            frac = progress()
            if frac >= 1.0:
                break
            for group in opt.param_groups:
                group["lr"] = args.lr * 0.5 * (1 + math.cos(math.pi * frac))
            idx = order[s : s + args.batch][procs.rank :: procs.world]  # this process's share
            share = len(idx)
            x, y = epoch_x[idx], fit_y[idx]
            if classifier:
                loss = F.cross_entropy(net(shifted(x, args.shift, gen) if args.shift else x), y)
            else:
                label = None
                if classes:
                    label = one_hot(y, classes)
                    drop = (torch.rand(len(y), device=args.device) < args.label_dropout).float()[:, None]
                    label = label * (1 - drop)
                loss = nll_per_image(net(x, label), x, levels).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            steps += 1
            seen += args.batch
            if args.validate_every and seen % args.validate_every < args.batch:
                validate()
                net.train()
        epoch += 1
        validate()
    if procs.lead:  # the full curve goes in the kept checkpoint too
        ckpt = torch.load(args.out, weights_only=False)
        ckpt["log"], ckpt["total_epochs"], ckpt["total_seconds"] = log, epoch, time.time() - start
        ckpt["processes"], ckpt["batch_per_process"] = procs.world, share  # as taken, not as asked
        torch.save(ckpt, args.out)
    procs.close()


def _validate(model, x, y, classifier, classes, levels):
    if classifier:
        model.eval()
        with torch.no_grad():
            return 1.0 - (model(x).argmax(1) == y).float().mean().item()  # error rate
    return mean_nll(model, x, y, levels, classes)


if __name__ == "__main__":
    main()
