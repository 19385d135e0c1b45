//! The page: the leptos UI, built to wasm by Trunk.

#[cfg(target_arch = "wasm32")]
fn main() {
    jumpformer::ui::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("jumpformer-app runs in the browser only; serve it with scripts/serve.sh.");
}
