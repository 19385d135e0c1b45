//! The layer rule of ARCHITECTURE.md: nothing in the core names a layer above it or a browser crate.

use std::fs;
use std::path::Path;

const FORBIDDEN: &[&str] = &[
    "crate::ui",
    "crate::worker",
    "crate::cli",
    "crate::protocol",
    "web_sys",
    "js_sys",
    "leptos",
    "wasm_bindgen",
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn core_imports_nothing_above_it() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core"),
        &mut files,
    );
    assert!(!files.is_empty());
    let mut violations = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).expect("readable source file");
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for name in FORBIDDEN.iter().filter(|name| code.contains(**name)) {
                violations.push(format!("{}:{}: names {name}", file.display(), number + 1));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "layer rule broken:\n{}",
        violations.join("\n")
    );
}
