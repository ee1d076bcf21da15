//! Which files a run may read: everything under the site root, and nothing
//! else. A symbolic link under the root is followed only when its target
//! lies inside the root too; a link that leads outside, nowhere, or round in
//! a loop is reported as a problem of the link itself, and its target is
//! never opened. Every loader walks its folder through [`SiteRoot::walk`]
//! and reads the files it returns, up to a size limit ([`Found::read_at_most`]), and the live preview reads
//! edited files through [`SiteRoot::read`], so the rule is decided here once.

use std::cell::RefCell;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use walkdir::WalkDir;

use crate::base::codes::Code;
use crate::base::diagnostics::{Diagnostic, Error, Result};

/// Editor droppings and hidden files never count as input.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || [".swp", ".swx", ".swo", ".tmp", ".bak", ".bck", ".orig"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
}

/// The site root a run reads from, as given and as its real location.
#[derive(Debug, Clone)]
pub struct SiteRoot {
    given: PathBuf,
    real: PathBuf,
}

/// Why a path may not be read.
#[derive(Debug)]
pub enum Refusal {
    /// Its real location is outside the site root.
    Outside,
    /// It is a symbolic link whose target does not exist.
    Dangling,
    /// It could not be resolved for another reason.
    Io(io::Error),
}

/// A file found by [`SiteRoot::walk`].
#[derive(Debug, Clone)]
pub struct Found {
    /// The path as seen under the walked folder (through any link).
    pub path: PathBuf,
    /// Where its bytes really are: the path to read.
    pub real: PathBuf,
}

/// A file read up to a size limit.
#[derive(Debug)]
pub enum Capped {
    /// Its bytes, no more than the limit.
    Read(Vec<u8>),
    /// Its size, over the limit: nothing was read.
    TooLarge(u64),
}

impl Found {
    /// The bytes of this file when it holds at most `limit`. The size is
    /// asked before anything is read, and reading stops past the limit in
    /// case the file grows meanwhile.
    pub fn read_at_most(&self, limit: u64) -> io::Result<Capped> {
        read_capped(&self.real, limit)
    }
}

/// The bytes of the file at `real` when it holds at most `limit`; see
/// [`Found::read_at_most`].
fn read_capped(real: &Path, limit: u64) -> io::Result<Capped> {
    let file = std::fs::File::open(real)?;
    let size = file.metadata()?.len();
    if size > limit {
        return Ok(Capped::TooLarge(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    match u64::try_from(bytes.len()) {
        Ok(read) if read <= limit => Ok(Capped::Read(bytes)),
        _ => Ok(Capped::TooLarge(size.max(limit.saturating_add(1)))),
    }
}

/// Everything a walk found: the files that may be read, and a problem for
/// each link that may not be followed.
#[derive(Debug, Default)]
pub struct Walk {
    /// Readable files, sorted by path.
    pub files: Vec<Found>,
    /// One problem per refused link.
    pub problems: Vec<Diagnostic>,
}

impl SiteRoot {
    /// The site root at `root`, which must exist.
    pub fn new(root: &Path) -> Result<SiteRoot> {
        let real = root.canonicalize().map_err(|e| Error::io(root, e))?;
        Ok(SiteRoot {
            given: root.to_path_buf(),
            real,
        })
    }

    /// The real location of `path`, when it lies inside the root.
    pub fn confine(&self, path: &Path) -> std::result::Result<PathBuf, Refusal> {
        match path.canonicalize() {
            Ok(real) if real.starts_with(&self.real) => Ok(real),
            Ok(_) => Err(Refusal::Outside),
            Err(e) if e.kind() == io::ErrorKind::NotFound && is_symlink(path) => {
                Err(Refusal::Dangling)
            }
            Err(e) => Err(Refusal::Io(e)),
        }
    }

    /// The bytes of `path`, if it lies inside the root; a path leading
    /// outside reads as a permission error, without touching its target.
    pub fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(self.readable(path)?)
    }

    /// [`SiteRoot::read`] of a file that holds at most `limit` bytes; a
    /// larger one is not read at all.
    pub fn read_at_most(&self, path: &Path, limit: u64) -> io::Result<Capped> {
        read_capped(&self.readable(path)?, limit)
    }

    /// The real location of `path` for reading, or why it may not be read.
    fn readable(&self, path: &Path) -> io::Result<PathBuf> {
        match self.confine(path) {
            Ok(real) => Ok(real),
            Err(Refusal::Io(e)) => Err(e),
            Err(Refusal::Dangling) => Err(io::Error::from(io::ErrorKind::NotFound)),
            Err(Refusal::Outside) => Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "the path leads outside the site folder",
            )),
        }
    }

    /// `path` relative to the root, for reports.
    pub fn label(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.given).unwrap_or(path).to_path_buf()
    }

    /// The problem of a link (or folder) at `path` that may not be read,
    /// of kind `code`: the kind of input the link stands in for.
    pub fn refused(&self, path: &Path, refusal: &Refusal, code: Code) -> Diagnostic {
        let label = self.label(path);
        let (message, expected) = match refusal {
            Refusal::Outside => (
                "this symbolic link leads outside the site folder, so it is not read",
                "a file or folder inside the site folder (copy it in instead of linking to it)",
            ),
            Refusal::Dangling => (
                "this symbolic link leads to nothing",
                "a link to an existing file or folder inside the site folder",
            ),
            Refusal::Io(_) => (
                "this symbolic link cannot be resolved",
                "a link to an existing file or folder inside the site folder",
            ),
        };
        Diagnostic::new(code, label, Arc::from(""), 0..0, message).expected(expected)
    }

    /// Every file under `dir` (at most `max_depth` levels down) whose name
    /// and folders are not ignored, following links that stay inside the
    /// root. A missing `dir` holds nothing; an unreadable one is an error.
    /// A link that may not be followed is a problem of kind `code`, the
    /// kind of input the folder holds.
    pub fn walk(&self, dir: &Path, max_depth: usize, code: Code) -> Result<Walk> {
        let mut walk = Walk::default();
        if std::fs::symlink_metadata(dir).is_err() {
            return Ok(walk);
        }
        if let Err(refusal) = self.confine(dir) {
            walk.problems.push(self.refused(dir, &refusal, code));
            return Ok(walk);
        }
        if !dir.is_dir() {
            return Ok(walk);
        }
        let refused = RefCell::new(Vec::new());
        let walker = WalkDir::new(dir)
            .follow_links(true)
            .max_depth(max_depth)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| {
                if entry.depth() > 0 && is_ignored(&entry.file_name().to_string_lossy()) {
                    return false;
                }
                // Decided before the walk descends into a linked folder.
                if entry.path_is_symlink()
                    && let Err(refusal) = self.confine(entry.path())
                {
                    refused
                        .borrow_mut()
                        .push((entry.path().to_path_buf(), refusal));
                    return false;
                }
                true
            });
        for entry in walker {
            match entry {
                Ok(entry) if entry.file_type().is_file() => {
                    let real = match self.confine(entry.path()) {
                        Ok(real) => real,
                        Err(refusal) => {
                            walk.problems
                                .push(self.refused(entry.path(), &refusal, code));
                            continue;
                        }
                    };
                    walk.files.push(Found {
                        path: entry.into_path(),
                        real,
                    });
                }
                Ok(_) => {}
                Err(error) => self.walk_error(dir, error, code, &mut walk)?,
            }
        }
        for (path, refusal) in refused.into_inner() {
            walk.problems.push(self.refused(&path, &refusal, code));
        }
        Ok(walk)
    }

    /// A link loop or a link to nothing is the link's problem; anything else
    /// (an unreadable folder) stops the run.
    fn walk_error(
        &self,
        dir: &Path,
        error: walkdir::Error,
        code: Code,
        walk: &mut Walk,
    ) -> Result<()> {
        let path = error.path().unwrap_or(dir).to_path_buf();
        if error.loop_ancestor().is_some() {
            let label = self.label(&path);
            walk.problems.push(
                Diagnostic::new(
                    code,
                    label,
                    Arc::from(""),
                    0..0,
                    "this symbolic link leads back into a folder that contains it",
                )
                .expected("a link to a file or folder that does not contain the link"),
            );
            return Ok(());
        }
        if is_symlink(&path) {
            walk.problems
                .push(self.refused(&path, &Refusal::Dangling, code));
            return Ok(());
        }
        Err(Error::io(&path, error.into()))
    }
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_droppings_and_hidden_files_are_ignored() {
        for name in [".git", "a.md~", "#a.md#", "a.swp", "a.md.orig", "a.bak"] {
            assert!(is_ignored(name), "{name}");
        }
        for name in ["a.md", "partners", "qbr.yaml"] {
            assert!(!is_ignored(name), "{name}");
        }
    }
}
