#!/usr/bin/env bash
# Sets up what the tests need and runs every test: native (cargo) and in headless Chromium.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ensure_web_tools
ensure_chromium
ensure_firefox
ensure_node
ensure_leptosfmt

step "formatting (rustfmt, and leptosfmt for the markup in view! macros)"
cargo fmt --check
leptosfmt --check --quiet src/

step "native tests (core, CLI, protocol)"
cargo test --locked

step "building the page with trunk"
trunk build --release --offline

step "browser tests in headless Chromium (WebGPU on SwiftShader, and the CPU fallback) and Firefox"
# The link test compares the browser's trajectory with the native CLI's, byte for byte.
export JUMPFORMER_BIN="$CARGO_TARGET_DIR/debug/jumpformer"
cd tests/browser
npm test
