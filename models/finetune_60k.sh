#!/usr/bin/env bash
# Fine-tunes the committed digit models on the standard 60,000 (first 55,000 fit, last 5,000 choose the
# checkpoint) from their current weights, on a 2-core CPU: two queues of one-thread runs side by side.
#   bash models/finetune_60k.sh ckpt
set -euo pipefail
cd "$(dirname "$0")"
out=${1:-ckpt}; py=${PYTHON:-../.venv/bin/python}
mkdir -p "$out"
run() { # name seconds arch config init extra...
  local name=$1 seconds=$2 arch=$3 config=$4 init=$5; shift 5
  $py -m pixelwise_models.train --arch "$arch" --config "$config" --init-from "$init" --lr 1e-3 \
      --seconds "$seconds" --validate-every 27500 --seed 0 --threads 1 --out "$out/$name.pt" "$@" \
      > "$out/$name.log" 2>&1
}
(
  run gated-60k 2100 gated_pixelcnn '{"hidden":16,"layers":20,"classes":10}' gated-mnist-bin.onnx
  run rowlstm-60k 1500 row_lstm '{"hidden":32,"layers":3}' rowlstm-mnist-bin.onnx
  run rowlstm-bern-60k 1800 row_lstm '{"hidden":32,"layers":3}' rowlstm-mnist-bin.onnx --binarisation bernoulli
) &
(
  run pixelcnn-256-60k 2400 pixelcnn '{"hidden":48,"blocks":10,"out_hidden":128}' pixelcnn-mnist-256.onnx --dataset mnist-256
  run diagbilstm-60k 1500 diagonal_bilstm '{"hidden":32,"layers":2}' diagbilstm-mnist-bin.onnx
  run diagbilstm-bern-60k 1800 diagonal_bilstm '{"hidden":32,"layers":2}' diagbilstm-mnist-bin.onnx --binarisation bernoulli
) &
wait
tail -n 3 "$out"/*-60k.log
