//! The layer rule of ARCHITECTURE.md, checked for every layer:
//!
//!     core  <-  protocol  <-  worker  <-  UI
//!     core  <-  CLI
//!
//! A layer names only the layers to its left; only the worker and the UI name browser crates.

use std::fs;
use std::path::{Path, PathBuf};

const BROWSER: &[&str] = &["web_sys", "js_sys", "leptos", "wasm_bindgen"];

/// Each layer's folder and what it must not name.
const RULES: &[(&str, &[&str])] = &[
    (
        "src/core",
        &[
            "crate::ui",
            "crate::worker",
            "crate::cli",
            "crate::protocol",
        ],
    ),
    (
        "src/protocol",
        &["crate::ui", "crate::worker", "crate::cli"],
    ),
    ("src/worker", &["crate::ui", "crate::cli"]),
    ("src/ui", &["crate::worker", "crate::cli"]),
    (
        "src/cli",
        &["crate::ui", "crate::worker", "crate::protocol"],
    ),
];

/// Layers that must not name browser crates either (the protocol's one decoder of a
/// `JsValue`, behind `cfg(target_arch = "wasm32")`, is the exception it allows itself).
const NO_BROWSER: &[&str] = &["src/core", "src/cli"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `file:line: names X` for each forbidden name in the code (not comments) of `folder`.
fn violations(folder: &str, forbidden: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(folder),
        &mut files,
    );
    assert!(!files.is_empty(), "{folder} has no Rust files");
    let mut found = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).expect("readable source file");
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for name in forbidden.iter().filter(|name| code.contains(**name)) {
                found.push(format!("{}:{}: names {name}", file.display(), number + 1));
            }
        }
    }
    found
}

#[test]
fn every_layer_names_only_the_layers_below_it() {
    let mut found = Vec::new();
    for (folder, forbidden) in RULES {
        found.extend(violations(folder, forbidden));
    }
    for folder in NO_BROWSER {
        found.extend(violations(folder, BROWSER));
    }
    assert!(found.is_empty(), "layer rule broken:\n{}", found.join("\n"));
}
