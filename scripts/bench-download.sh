#!/usr/bin/env bash
# Benchmark, not a test: what a browser downloads (issue 11, target 5). Builds the page with
# Trunk (release) and prints each file of dist/ raw and gzipped (gzip -9, as a static host would
# serve it), the wasm files' largest sections, the total, what opening the page downloads
# (everything but the learner workers, which load on first use), and that plus each learner
# worker: jumpformer-worker* (with the GPU backend, loaded where the browser has a WebGPU adapter)
# or jumpformer-cpu-worker* (loaded elsewhere).
#
#   scripts/bench-download.sh            (installs what the build needs, as scripts/serve.sh does)
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ensure_web_tools
trunk build --release --offline >/dev/null 2>&1
python3 - dist <<'PY'
import gzip, os, sys

def leb128(b, i):
    value = shift = 0
    while True:
        byte = b[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i

def sections(data):
    """(name, size) of each section of a wasm module; custom sections by their own name."""
    names = {1: "type", 2: "import", 3: "function", 5: "memory", 7: "export", 9: "element",
             10: "code", 11: "data"}
    i, out = 8, []
    while i < len(data):
        sid = data[i]
        size, j = leb128(data, i + 1)
        name = names.get(sid, f"section {sid}")
        if sid == 0:
            length, k = leb128(data, j)
            name = "custom: " + data[k:k + length].decode(errors="replace")
        out.append((name, size))
        i = j + size
    return out

dist = sys.argv[1]
LEARNERS = {"jumpformer-worker": "with WebGPU", "jumpformer-cpu-worker": "without WebGPU"}
total_raw = total_gz = start_raw = start_gz = 0
learner_raw = dict.fromkeys(LEARNERS, 0)
learner_gz = dict.fromkeys(LEARNERS, 0)
print(f"{'file':40} {'raw':>12} {'gzip -9':>12}")
for name in sorted(os.listdir(dist)):
    path = os.path.join(dist, name)
    if not os.path.isfile(path):
        continue
    data = open(path, "rb").read()
    gz = len(gzip.compress(data, 9))
    total_raw += len(data)
    total_gz += gz
    learner = next((l for l in LEARNERS if name.startswith(l + "_") or name.startswith(l + ".")), None)
    if learner:
        learner_raw[learner] += len(data)
        learner_gz[learner] += gz
    else:
        start_raw += len(data)
        start_gz += gz
    print(f"{name:40} {len(data):12,} {gz:12,}")
    if name.endswith(".wasm"):
        for section, size in sorted(sections(data), key=lambda s: -s[1])[:4]:
            print(f"    {section:36} {size:12,}")
print(f"{'total':40} {total_raw:12,} {total_gz:12,}")
print(f"{'to open the page (no learner worker)':40} {start_raw:12,} {start_gz:12,}")
for learner, where in LEARNERS.items():
    print(f"{'... and learn, ' + where:40} {start_raw + learner_raw[learner]:12,} {start_gz + learner_gz[learner]:12,}")
PY
