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
    Bytes(Arc<Vec<u8>>),
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
    let staging = Staging::new(output)?;
    staging.write_all(files)?;
    staging.finish()
}

/// A build's new output, written file by file into a hidden folder beside
/// the output folder and swapped in whole by [`Staging::finish`]. Dropped
/// unfinished (a failed build), it is removed and the output is untouched.
pub struct Staging {
    folder: tempfile::TempDir,
    output: PathBuf,
    parent: PathBuf,
}

impl Staging {
    /// Starts the new output of `output`.
    pub fn new(output: &Path) -> Result<Staging> {
        let parent = match output.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let folder = tempfile::Builder::new()
            .prefix(".proficio-build-")
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?;
        Ok(Staging {
            folder,
            output: output.to_path_buf(),
            parent,
        })
    }

    /// Writes `files`, in parallel.
    pub fn write_all(&self, files: &[OutputFile]) -> Result<()> {
        files.par_iter().try_for_each(|file| match &file.contents {
            Contents::Bytes(bytes) => self.write(&file.path, bytes),
            Contents::Copy(source) => {
                let target = self.prepare(&file.path)?;
                std::fs::copy(source, &target)
                    .map(|_| ())
                    .map_err(|e| Error::io(source, e))
            }
        })
    }

    /// Writes one file at `path` (relative, `/`-separated); safe to call
    /// from many threads at once.
    pub fn write(&self, path: &str, bytes: &[u8]) -> Result<()> {
        let target = self.prepare(path)?;
        std::fs::write(&target, bytes).map_err(|e| Error::io(&target, e))
    }

    /// The staged location of `path`, with its folder created.
    fn prepare(&self, path: &str) -> Result<PathBuf> {
        let target = self.folder.path().join(path);
        if let Some(folder) = target.parent() {
            std::fs::create_dir_all(folder).map_err(|e| Error::io(folder, e))?;
        }
        Ok(target)
    }

    /// Marks the staged folder as proficio's and puts it in place of the output.
    pub fn finish(self) -> Result<()> {
        let marker = self.folder.path().join(MARKER);
        std::fs::write(
            &marker,
            "This folder is written by proficio and replaced whole on every build.\n",
        )
        .map_err(|e| Error::io(&marker, e))?;
        swap_in(self.folder, &self.output, &self.parent)
    }
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
