"""Checks that train.py under torchrun (two CPU processes, gloo) takes the same steps as one process.

python -m pixelwise_models.check_ddp

Both runs start from the same seed and walk the same shuffled order; the two processes each take half
of every batch and DDP averages their gradients, so after a few Adam steps their weights must equal the
single process's (to float rounding). Exits non-zero, naming the worst parameter, when they do not.
"""
import os
import subprocess
import sys
import tempfile

import torch

ARGS = ["--arch", "pixelcnn", "--config", '{"hidden":8,"blocks":1,"out_hidden":16}', "--steps", "3",
        "--batch", "32", "--seed", "0", "--threads", "1", "--device", "cpu"]
TOLERANCE = 1e-5


def run(prefix, out):
    cmd = prefix + ["-m", "pixelwise_models.train", *ARGS, "--out", out]
    print(" ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return torch.load(out, weights_only=False)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        one = run([sys.executable], os.path.join(tmp, "one.pt"))
        torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
        two = run(torchrun, os.path.join(tmp, "two.pt"))
    if (two.get("processes"), two.get("batch_per_process")) != (2, 16):
        sys.exit(f"the torchrun run says {two.get('processes')} processes of {two.get('batch_per_process')} images, not 2 of 16")
    worst = max((float((one["state_dict"][k].float() - v.float()).abs().max()), k) for k, v in two["state_dict"].items())
    moved = max(float((one["state_dict"][k].float()).abs().max()) for k in one["state_dict"])
    print(f"largest difference after 3 steps: {worst[0]:.3g} ({worst[1]}); validation {one['log'][-1]['validation']:.4f} "
          f"vs {two['log'][-1]['validation']:.4f} nats", flush=True)
    if worst[0] > TOLERANCE or moved == 0:
        sys.exit(f"two processes differ from one by {worst[0]:.3g} at {worst[1]} (tolerance {TOLERANCE})")
    print("ok: two processes under torchrun train as one does")


if __name__ == "__main__":
    main()
