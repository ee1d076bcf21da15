//! The source tree's folders are the pipeline's stages, and imports point
//! only down: a module may use the folders listed before its own in
//! `LAYERS`, never one after it. This test reads `src/` and names every
//! import that points up, so a cycle between folders cannot come back.

use std::path::{Path, PathBuf};

/// The folders (and top-level modules) of `src/`, lowest first.
const LAYERS: [&str; 10] = [
    "base", "markup", "input", "render", "partners", "site", "build", "serve", "check", "init",
];

/// The layer a source file belongs to: its top folder, or its file stem.
fn layer_of(file: &Path, src: &Path) -> Option<usize> {
    let relative = file.strip_prefix(src).ok()?;
    let top = relative.components().next()?.as_os_str().to_str()?;
    let top = top.strip_suffix(".rs").unwrap_or(top);
    LAYERS.iter().position(|layer| *layer == top)
}

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// Every `crate::<name>` a file's non-test code names.
fn crate_paths(text: &str) -> Vec<&str> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    code.match_indices("crate::")
        .map(|(at, _)| {
            let rest = &code[at + "crate::".len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

#[test]
fn imports_point_only_down_the_stages() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut upward = Vec::new();
    for file in &files {
        let Some(own) = layer_of(file, &src) else {
            continue;
        };
        let text = std::fs::read_to_string(file).expect("source file");
        for name in crate_paths(&text) {
            if let Some(other) = LAYERS.iter().position(|layer| *layer == name)
                && other > own
            {
                upward.push(format!(
                    "{} uses crate::{name}",
                    file.strip_prefix(&src).unwrap_or(file).display()
                ));
            }
        }
    }
    upward.sort();
    upward.dedup();
    assert!(
        upward.is_empty(),
        "imports pointing up:\n{}",
        upward.join("\n")
    );
}

#[test]
fn every_folder_of_src_is_a_known_stage() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut unknown = Vec::new();
    for entry in std::fs::read_dir(&src).expect("source folder") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let stem = name.strip_suffix(".rs").unwrap_or(name);
        let known = LAYERS.contains(&stem) || ["lib", "main", "scaffold"].contains(&stem);
        if !known {
            unknown.push(name.to_string());
        }
    }
    assert!(
        unknown.is_empty(),
        "place these in a stage (and in LAYERS and docs/architecture.md): {unknown:?}"
    );
}
