#!/usr/bin/env bash
# Sets up what the app needs and serves it on 127.0.0.1 (PORT, default 8080).
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ensure_web_tools
port="${PORT:-8080}"
step "building and serving the app: open http://127.0.0.1:$port/ once the build finishes"
exec trunk serve --release --offline --address 127.0.0.1 --port "$port"
