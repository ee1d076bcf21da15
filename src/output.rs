//! Writing the output: the one place that touches the output folder. A build
//! is written into a fresh temporary folder beside the output and swapped in
//! only once every file is written, so a failed or killed build leaves the
//! previous site untouched. An existing output folder is replaced only if
//! proficio wrote it (it carries a marker file), so pointing `--output` at a
//! folder of someone's own files is refused instead of wiping it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::{Error, Result};

/// The marker file proficio leaves in every output folder it writes.
pub const MARKER: &str = ".proficio-output";

/// Where a file's bytes come from.
#[derive(Debug, Clone)]
pub enum Contents {
    /// Bytes produced by the build.
    Bytes(Arc<[u8]>),
    /// A file to copy as it is.
    Copy(PathBuf),
}

/// One file of the output.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// Path relative to the output folder, `/`-separated.
    pub path: String,
    /// Its contents.
    pub contents: Contents,
}

/// Refuses output folders that would destroy input or foreign files.
pub fn check_target(root: &Path, output: &Path) -> Result<()> {
    let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
    let resolved = resolve_lexically(output);
    if root.starts_with(&resolved) {
        return Err(Error::Refused(format!(
            "refusing to write the site into {}: it contains the site's own sources",
            output.display()
        )));
    }
    for input in ["content", "templates", "static", "themes"] {
        if resolved.starts_with(root.join(input)) {
            return Err(Error::Refused(format!(
                "refusing to write the site into {}: it is inside the site's {input}/ folder",
                output.display()
            )));
        }
    }
    if output.exists() {
        if !output.is_dir() {
            return Err(Error::Refused(format!(
                "{} exists and is not a folder",
                output.display()
            )));
        }
        let mut entries = std::fs::read_dir(output).map_err(|e| Error::io(output, e))?;
        let is_empty = entries.next().is_none();
        if !is_empty && !output.join(MARKER).exists() {
            return Err(Error::Refused(format!(
                "{} holds files proficio did not write; move them away or choose another --output",
                output.display()
            )));
        }
    }
    Ok(())
}

/// An absolute form of `path` with symlinks of its existing part resolved.
fn resolve_lexically(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut existing = absolute.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    for part in rest.into_iter().rev() {
        resolved.push(part);
    }
    resolved
}

/// Writes `files` as the new content of `output`, atomically from a reader's
/// point of view: all or nothing.
pub fn write(output: &Path, files: &[OutputFile]) -> Result<()> {
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    let staging = tempfile::Builder::new()
        .prefix(".proficio-build-")
        .tempdir_in(&parent)
        .map_err(|e| Error::io(&parent, e))?;
    let mut folders: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| Path::new(&f.path).parent().map(|p| staging.path().join(p)))
        .collect();
    folders.sort();
    folders.dedup();
    for folder in &folders {
        std::fs::create_dir_all(folder).map_err(|e| Error::io(folder, e))?;
    }
    files.par_iter().try_for_each(|file| {
        let target = staging.path().join(&file.path);
        match &file.contents {
            Contents::Bytes(bytes) => {
                std::fs::write(&target, bytes).map_err(|e| Error::io(&target, e))
            }
            Contents::Copy(source) => std::fs::copy(source, &target)
                .map(|_| ())
                .map_err(|e| Error::io(source, e)),
        }
    })?;
    let marker = staging.path().join(MARKER);
    std::fs::write(
        &marker,
        "This folder is written by proficio and replaced whole on every build.\n",
    )
    .map_err(|e| Error::io(&marker, e))?;
    swap_in(staging, output, &parent)
}

fn swap_in(staging: tempfile::TempDir, output: &Path, parent: &Path) -> Result<()> {
    if !output.exists() {
        let staged = staging.keep();
        return std::fs::rename(&staged, output).map_err(|e| {
            let _ = std::fs::remove_dir_all(&staged);
            Error::io(output, e)
        });
    }
    let retired = tempfile::Builder::new()
        .prefix(".proficio-old-")
        .tempdir_in(parent)
        .map_err(|e| Error::io(parent, e))?;
    let retired_path = retired.path().join("site");
    std::fs::rename(output, &retired_path).map_err(|e| Error::io(output, e))?;
    let staged = staging.keep();
    if let Err(e) = std::fs::rename(&staged, output) {
        // Put the previous site back before reporting.
        let _ = std::fs::rename(&retired_path, output);
        let _ = std::fs::remove_dir_all(&staged);
        return Err(Error::io(output, e));
    }
    drop(retired);
    Ok(())
}
