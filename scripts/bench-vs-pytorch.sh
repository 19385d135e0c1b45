#!/usr/bin/env bash
# Benchmark, not a test: training speed of jumpformer against PyTorch on this machine, in one run.
#
# The FA tutorial setting (L = 10, c = 0.3, T = 10^4, seed 1: about 26,000 configurations of
# 10 tokens) and the same network on both sides: d_model 64, 4 heads, 2 layers, feed-forward
# 256, ReLU, steps of 1000 consecutive configurations, Adam at a constant 1e-3. PyTorch runs
# the authors' tutorial learner re-implemented (scripts/bench/fa_torch.py) on 2 threads;
# jumpformer runs its CLI (release build, CPU backend, all cores). Rounds alternate between the
# two so that both see the same machine; the medians and their ratio are printed, with
# jumpformer's evaluation pass and its default steps of 128 configurations for comparison.
#
#   scripts/bench-vs-pytorch.sh [ROUNDS]     (default 3; each round trains 2 epochs per side)
#
# PyTorch is installed for this benchmark only, into its own virtual environment
# ($JUMPFORMER_TORCH_VENV, default ~/.cache/jumpformer/torch-venv); the tests never need it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rounds="${1:-3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/jumpformer/target}"
venv="${JUMPFORMER_TORCH_VENV:-$HOME/.cache/jumpformer/torch-venv}"
if ! "$venv/bin/python" -c 'import torch, numpy' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet torch numpy
fi
cargo build --release --bin jumpformer
bin="$CARGO_TARGET_DIR/release/jumpformer"
out="$root/target/bench-vs-pytorch"
mkdir -p "$out"
rm -f "$out"/*.jsonl
"$bin" simulate --model fa --seed 1 --out "$out/fa.json" --json >/dev/null
same_network=(--segment 1000 --activation relu --d-model 64 --heads 4 --layers 2 --ff 256 --lr 1e-3 --lr-schedule constant --cpu)
for round in $(seq "$rounds"); do
  echo "round $round of $rounds" >&2
  "$bin" train "$out/fa.json" --epochs 2 --json "${same_network[@]}" >>"$out/jumpformer.jsonl"
  "$venv/bin/python" scripts/bench/fa_torch.py "$out/fa.json" 2 0 >>"$out/pytorch.jsonl"
  "$bin" train "$out/fa.json" --epochs 2 --json --activation relu --cpu >>"$out/jumpformer-128.jsonl"
done
python3 - "$out" <<'PY'
import json, statistics, sys, os
out = sys.argv[1]
def rows(name):
    return [json.loads(l) for l in open(os.path.join(out, name)) if '"epoch"' in l]
jf, pt, small = rows("jumpformer.jsonl"), rows("pytorch.jsonl"), rows("jumpformer-128.jsonl")
med = statistics.median
jf_train = med(r["train_seconds"] for r in jf)
jf_eval = med(r["eval_seconds"] for r in jf)
pt_train = med(r["seconds"] for r in pt)
small_train = med(r["train_seconds"] for r in small)
print(f"FA tutorial setting, {len(jf)} epochs per side, medians (seconds per epoch):")
print(f"  PyTorch {pt_train:.2f} s training (2 threads, steps of 1000)")
print(f"  jumpformer {jf_train:.2f} s training (steps of 1000) + {jf_eval:.2f} s evaluation "
      f"({100 * jf_eval / jf_train:.0f}% of training)")
print(f"  jumpformer {small_train:.2f} s training with steps of 128 "
      f"(per configuration: {small_train / jf_train:.2f}x the steps of 1000)")
print(f"  ratio jumpformer / PyTorch, training: {jf_train / pt_train:.2f}")
json.dump({"pytorch_train_s": pt_train, "jumpformer_train_s": jf_train, "jumpformer_eval_s": jf_eval,
           "jumpformer_train_s_steps_128": small_train, "ratio": jf_train / pt_train},
          open(os.path.join(out, "summary.json"), "w"))
PY
