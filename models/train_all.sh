#!/usr/bin/env bash
# Trains every committed model side by side (one process each) and writes checkpoints to $1.
# Used once on a single GPU; each process is time-budgeted, so the script ends in about SECONDS + 1 min.
#   bash models/train_all.sh ckpt 330
set -euo pipefail
cd "$(dirname "$0")"
out=${1:-ckpt}; seconds=${2:-330}; py=${PYTHON:-python3}
mkdir -p "$out"
run() { # name arch config extra...
  local name=$1 arch=$2 config=$3; shift 3
  $py -m pixelwise_models.train --arch "$arch" --config "$config" --seconds "$seconds" --seed 0 \
      --out "$out/$name.pt" "$@" > "$out/$name.log" 2>&1 &
}
run pixelcnn pixelcnn '{"hidden":32,"blocks":7}'
run pixelcnn-bernoulli pixelcnn '{"hidden":32,"blocks":7}' --binarisation bernoulli
# The committed Gated PixelCNN was retrained alone, on 2 CPU cores (one thread) for 4200 s, deeper
# and narrower so its vertical stack reaches 22 rows up: the command is in its file's metadata.
run gated gated_pixelcnn '{"hidden":16,"layers":20,"classes":10}'
run rowlstm row_lstm '{"hidden":32,"layers":3}'
run diagbilstm diagonal_bilstm '{"hidden":32,"layers":2}'
run classifier classifier '{}' --seconds 60
wait
tail -n 2 "$out"/*.log
