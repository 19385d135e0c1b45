# Sourced by serve.sh and test.sh: installs, idempotently, every tool the project needs.
# Each step checks first and does nothing when the right version is already there.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Builds are cached outside the clone, so a fresh clone on a used machine builds warm.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/jumpformer/target}"
export PATH="$HOME/.cargo/bin:$PATH"

TRUNK_VERSION=0.21.14 # the newest Trunk that builds with rustc 1.95
LEPTOSFMT_VERSION=0.1.33 # formats the markup inside view! macros, which rustfmt leaves alone

step() { printf '\n==> %s\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@"
}

ensure_wasm_target() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown ||
    { step "adding the wasm32 target"; rustup target add wasm32-unknown-unknown; }
}

ensure_trunk() {
  [ "$(trunk --version 2>/dev/null)" = "trunk $TRUNK_VERSION" ] ||
    { step "installing trunk $TRUNK_VERSION (about 20 minutes on 2 cores, once)"; cargo install trunk --version "$TRUNK_VERSION" --locked; }
}

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly; Trunk would otherwise
# try to download one, which this network does not allow.
ensure_wasm_bindgen() {
  local version
  version="$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')"
  [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $version" ] ||
    { step "installing wasm-bindgen-cli $version"; cargo install wasm-bindgen-cli --version "$version" --force; }
}

ensure_leptosfmt() {
  [ "$(leptosfmt --version 2>/dev/null)" = "leptosfmt $LEPTOSFMT_VERSION" ] ||
    { step "installing leptosfmt $LEPTOSFMT_VERSION (about 3 minutes on 2 cores, once)"; cargo install leptosfmt --version "$LEPTOSFMT_VERSION" --locked; }
}

# wasm-opt shrinks the wasm files Trunk builds (Trunk.toml pins its version). Debian's binaryen
# is too old for what rustc emits; the npm package binaryen is a current one (binaryen compiled
# to wasm, run by node), installed into the build cache, outside the clone.
BINARYEN_VERSION=132
binaryen_dir="$HOME/.cache/jumpformer/tools/binaryen-$BINARYEN_VERSION"
export PATH="$binaryen_dir/node_modules/.bin:$PATH"
ensure_wasm_opt() {
  [ "$(wasm-opt --version 2>/dev/null)" = "wasm-opt version $BINARYEN_VERSION (version_$BINARYEN_VERSION)" ] || {
    step "installing wasm-opt (the npm package binaryen $BINARYEN_VERSION)"
    ensure_npm
    mkdir -p "$binaryen_dir"
    npm install --prefix "$binaryen_dir" --no-audit --no-fund --no-save "binaryen@$BINARYEN_VERSION.0.0"
  }
}

ensure_web_tools() {
  ensure_wasm_target
  ensure_trunk
  ensure_wasm_bindgen
  ensure_wasm_opt
  ensure_wasm_crates
}

# Trunk builds offline (Trunk.toml), so the crates only the wasm builds use (leptos, the WebGPU
# kernels) must already be in cargo's cache; a native build does not fetch them.
ensure_wasm_crates() {
  cargo fetch --locked --target wasm32-unknown-unknown --quiet
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] || { step "installing chromium"; apt_install chromium; }
}

# The page is also tested in Firefox (Debian's ESR), on its CPU path.
ensure_firefox() {
  [ -x /usr/bin/firefox-esr ] || { step "installing firefox-esr"; apt_install firefox-esr; }
}

ensure_npm() {
  command -v npm >/dev/null || { step "installing node and npm"; apt_install nodejs npm; }
}

ensure_node() {
  ensure_npm
  [ -f tests/browser/node_modules/playwright-core/package.json ] && [ -f tests/browser/node_modules/axe-core/package.json ] &&
    [ -f tests/browser/node_modules/puppeteer-core/package.json ] ||
    { step "installing the browser-test packages"; (cd tests/browser && npm ci --no-audit --no-fund); }
}
