//! Writing the output: the one place that touches the output folder.
//!
//! [`check_target`] alone decides which folder a build may write. It
//! resolves the output path completely first (step by step, so a `..` after
//! a symbolic link goes to the link target's real parent, and a `..` after a
//! missing folder cancels it), then refuses an output that is, contains or
//! lies inside the site's sources, and an existing folder that holds files
//! proficio did not write (it carries no [`MARKER`] file). A relative path is
//! taken from the working folder, and `~` is an ordinary folder name: the
//! shell expands it on the command line, nothing expands it in `site.toml`.
//!
//! A build is written into a staging folder (`.proficio-build-<name>-*`,
//! marked from the start) beside the output and swapped in only once every
//! file is written, so a failed or killed build leaves the previous site
//! untouched. Before the swap the decision is taken again, so a folder put in
//! place of the output, or a folder on its path replaced by a link, during
//! the build is refused rather than moved aside. The swap itself:
//!
//! - no output yet: one rename;
//! - on Linux and macOS: one `renameat2(RENAME_EXCHANGE)` / `renamex_np(RENAME_SWAP)`
//!   exchanges the staged and the live folder, so a reader always finds a
//!   whole site; the previous one is then removed;
//! - elsewhere, or when the file system refuses an exchange: the live folder
//!   is renamed away (into `.proficio-old-<name>-*`) and the staged one put in
//!   its place, so for a moment the output is missing.
//!
//! A build holds an exclusive lock on `.<name>.proficio-lock` beside the
//! output from the moment it starts writing until the swap, so two builds of
//! one output run one after the other (the second says it is waiting). While
//! holding it, a build removes the staging folders of killed builds of the
//! same output; only folders that carry the marker are ever removed.

use std::ffi::OsStr;
use std::fs::File;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::base::diagnostics::{Error, Result};
use crate::base::remarks::Remarks;
use crate::input::sources::DATA_DIR;

/// The marker file proficio leaves in every output folder it writes.
pub const MARKER: &str = ".proficio-output";

const MARKER_TEXT: &str = "This folder is written by proficio and replaced whole on every build.\n";

/// Name prefix of the folder a build is written into.
const BUILD_PREFIX: &str = ".proficio-build-";
/// Name prefix of the folder the previous site is moved into when the
/// platform cannot exchange two folders in one step.
const OLD_PREFIX: &str = ".proficio-old-";
/// Random characters after the prefix and output name of those folders.
const RANDOM_LEN: usize = 6;

/// The site's sources, relative to its root: never written, never inside
/// the output (the exports of `data/` among them).
pub(crate) const SOURCES: [&str; 6] = [
    "content",
    "templates",
    "static",
    "themes",
    DATA_DIR,
    "site.toml",
];

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

/// An output folder a build may write, as [`check_target`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The folder: absolute, `.` and `..` collapsed, every link followed.
    pub path: PathBuf,
    /// What is there now.
    pub state: Existing,
}

/// What a [`Target`] holds before the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Nothing: the build creates the folder (and any missing parents).
    Missing,
    /// An empty folder.
    Empty,
    /// A folder proficio wrote (it carries the [`MARKER`]).
    Marked,
}

impl Target {
    fn parent(&self) -> &Path {
        // `check_target` refuses a file-system root (it contains the site).
        self.path.parent().unwrap_or(&self.path)
    }

    fn name(&self) -> &OsStr {
        self.path.file_name().unwrap_or_default()
    }
}

/// Decides whether a build of the site at `root` may write `output`, and
/// where that really is. Refused: an output that is, contains or lies inside
/// the site's sources (the root, `content/`, `templates/`, `static/`,
/// `themes/`, `site.toml`), that is not a folder, or that is a folder holding
/// files without proficio's [`MARKER`]. Anything else is allowed, inside the
/// site or outside it.
pub fn check_target(root: &Path, output: &Path) -> Result<Target> {
    let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
    let path = resolve(output)?;
    // Name the real folder too when resolving changed the path.
    let shown = if lexical(output).as_deref() == Some(path.as_path()) {
        output.display().to_string()
    } else {
        format!("{} (that is {})", output.display(), path.display())
    };
    let refuse = |why: String| {
        Err(Error::Refused(format!(
            "refusing to write the site into {shown}: {why}"
        )))
    };
    // Each source as it really is: one may be a link to a folder elsewhere.
    let sources: Vec<(&str, PathBuf)> = SOURCES
        .iter()
        .map(|source| {
            let lexical = root.join(source);
            (*source, lexical.canonicalize().unwrap_or(lexical))
        })
        .collect();
    for (source, real) in &sources {
        if path.starts_with(real) {
            return refuse(if *source == "site.toml" {
                "it is the site's site.toml".into()
            } else {
                format!("it is inside the site's {source}/ folder")
            });
        }
    }
    if root.starts_with(&path) || sources.iter().any(|(_, real)| real.starts_with(&path)) {
        return refuse("it contains the site's own sources".into());
    }
    let state = match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Existing::Missing,
        Err(e) => return Err(Error::io(&path, e)),
        Ok(meta) if !meta.is_dir() => {
            return Err(Error::Refused(format!(
                "{shown} exists and is not a folder"
            )));
        }
        Ok(_) if has_marker(&path) => Existing::Marked,
        Ok(_) => {
            let mut entries = std::fs::read_dir(&path).map_err(|e| Error::io(&path, e))?;
            if entries.next().is_some() {
                return Err(Error::Refused(format!(
                    "{shown} holds files proficio did not write; move them away or choose another --output"
                )));
            }
            Existing::Empty
        }
    };
    Ok(Target { path, state })
}

/// `path` made absolute and resolved one component at a time: an existing
/// link is replaced by its real target before the next component is looked
/// at, so `..` always means the real parent; after a missing folder, `..`
/// just cancels it. Finally the longest existing part is canonicalised, so
/// the result compares with other canonical paths on every platform.
fn resolve(path: &Path) -> Result<PathBuf> {
    let absolute = absolute(path)?;
    let mut resolved = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => resolved.push(component),
            Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop();
            }
            Component::Normal(name) => {
                let next = resolved.join(name);
                let is_link = std::fs::symlink_metadata(&next)
                    .map(|meta| meta.file_type().is_symlink())
                    .unwrap_or(false);
                resolved = if is_link {
                    next.canonicalize().map_err(|e| {
                        Error::Refused(format!(
                            "refusing to write the site into {}: {} is a link that cannot be followed ({e})",
                            path.display(),
                            next.display()
                        ))
                    })?
                } else {
                    next
                };
            }
        }
    }
    let mut existing = resolved.as_path();
    let mut missing = Vec::new();
    while std::fs::symlink_metadata(existing).is_err() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name);
                existing = parent;
            }
            _ => break,
        }
    }
    let mut canonical = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    canonical.extend(missing.into_iter().rev());
    Ok(canonical)
}

fn absolute(path: &Path) -> Result<PathBuf> {
    if path.is_absolute() {
        Ok(path.to_path_buf())
    } else {
        let here = std::env::current_dir().map_err(|e| Error::io(Path::new("."), e))?;
        Ok(here.join(path))
    }
}

/// `path` made absolute with `.` dropped, for telling whether resolving
/// changed it (a `..` or a link) and the message should say where it leads.
fn lexical(path: &Path) -> Option<PathBuf> {
    let absolute = absolute(path).ok()?;
    if absolute.components().any(|c| c == Component::ParentDir) {
        return None;
    }
    Some(absolute.components().collect())
}

/// True when `folder` carries proficio's marker file (a real file, not a link).
fn has_marker(folder: &Path) -> bool {
    std::fs::symlink_metadata(folder.join(MARKER)).is_ok_and(|meta| meta.is_file())
}

/// A build's new output, written file by file into a hidden folder beside
/// the output folder and swapped in whole by [`Staging::finish`]. Dropped
/// unfinished (a failed build), it is removed and the output is untouched.
/// It holds the output's lock for as long as it lives.
pub struct Staging {
    folder: tempfile::TempDir,
    root: PathBuf,
    output: PathBuf,
    target: Target,
    _lock: File,
}

impl Staging {
    /// Starts the new output of `output` for the site at `root`: checks it,
    /// creates its missing parents, waits for the output's lock, checks
    /// again, and removes what killed builds of it left behind.
    pub fn new(root: &Path, output: &Path, remarks: &Remarks) -> Result<Staging> {
        let first = check_target(root, output)?;
        let parent = first.parent();
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let lock = lock(parent, first.name(), output, remarks)?;
        // Creating the parents, or waiting for another build, may have
        // changed what the path leads to.
        let target = check_target(root, output)?;
        if target.path != first.path {
            return Err(changed(output));
        }
        let name = target.name().to_string_lossy().into_owned();
        remove_leftovers(target.parent(), &name);
        let folder = tempfile::Builder::new()
            .prefix(&format!("{BUILD_PREFIX}{name}-"))
            .rand_bytes(RANDOM_LEN)
            .tempdir_in(target.parent())
            .map_err(|e| Error::io(target.parent(), e))?;
        // Marked from the start, so a killed build's folder is recognisable.
        write_marker(folder.path())?;
        Ok(Staging {
            folder,
            root: root.to_path_buf(),
            output: output.to_path_buf(),
            target,
            _lock: lock,
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

    /// Puts the staged folder in place of the output, after checking once
    /// more that the output is still one proficio may replace.
    pub fn finish(self) -> Result<()> {
        let now = check_target(&self.root, &self.output)?;
        if now.path != self.target.path {
            return Err(changed(&self.output));
        }
        swap_in(self.folder, &now)
    }
}

fn changed(output: &Path) -> Error {
    Error::Refused(format!(
        "refusing to write the site into {}: a folder on its path was replaced while the build ran; nothing was written",
        output.display()
    ))
}

fn write_marker(folder: &Path) -> Result<()> {
    let marker = folder.join(MARKER);
    std::fs::write(&marker, MARKER_TEXT).map_err(|e| Error::io(&marker, e))
}

/// Takes the exclusive lock of the output called `name` in `parent`,
/// waiting (and saying so to `remarks`) while another build holds it. The lock file stays:
/// removing it would let a waiting build lock a file no one else sees.
fn lock(parent: &Path, name: &OsStr, output: &Path, remarks: &Remarks) -> Result<File> {
    let path = parent.join(format!(".{}.proficio-lock", name.to_string_lossy()));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            remarks.say(&format!(
                "waiting for another build of {} to finish",
                output.display()
            ));
            file.lock().map_err(|e| Error::io(&path, e))?;
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
    }
    Ok(file)
}

/// Removes the staging folders killed builds of the output called `name`
/// left in `parent`; the caller holds that output's lock, so none of them is
/// in use. Only marked folders go. Failures are left for the next build.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        // Never follow a link, whatever its name.
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let path = entry.path();
        let ours = [BUILD_PREFIX, OLD_PREFIX].iter().any(|prefix| {
            file_name
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_prefix(name))
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|random| {
                    random.len() == RANDOM_LEN && random.chars().all(|c| c.is_ascii_alphanumeric())
                })
        });
        if (ours && has_marker(&path)) || is_unnamed_old_site(&file_name, &path) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// A `.proficio-old-*` folder holding nothing but a marked `site/`: the
/// previous site moved aside by a build that was killed before it removed
/// it, in the layout of builds that did not name the output.
fn is_unnamed_old_site(file_name: &str, path: &Path) -> bool {
    if !file_name.starts_with(OLD_PREFIX) || !has_marker(&path.join("site")) {
        return false;
    }
    std::fs::read_dir(path).is_ok_and(|entries| {
        let names: Vec<_> = entries.flatten().map(|e| e.file_name()).collect();
        names == ["site"]
    })
}

fn swap_in(staging: tempfile::TempDir, target: &Target) -> Result<()> {
    let output = target.path.as_path();
    if target.state == Existing::Empty {
        // Only an empty folder can be removed this way; files put in it
        // since the check make this fail instead of disappearing.
        std::fs::remove_dir(output).map_err(|e| Error::io(output, e))?;
    }
    let staged = staging.keep();
    let swapped = if target.state == Existing::Marked {
        exchange_or_rename(&staged, output, target)
    } else {
        // Never replaces a folder that is not empty.
        std::fs::rename(&staged, output).map_err(|e| Error::io(output, e))
    };
    if swapped.is_err() {
        let _ = std::fs::remove_dir_all(&staged);
    }
    swapped
}

/// Replaces the marked folder `output` by `staged`: in one step where the
/// platform can exchange two folders, else by two renames.
fn exchange_or_rename(staged: &Path, output: &Path, target: &Target) -> Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        use rustix::io::Errno;
        match renameat_with(CWD, staged, CWD, output, RenameFlags::EXCHANGE) {
            Ok(()) => {
                // `staged` now holds the previous site; if removing it fails
                // it stays marked and the next build removes it.
                let _ = std::fs::remove_dir_all(staged);
                return Ok(());
            }
            // The file system cannot exchange: fall back to two renames.
            Err(Errno::INVAL | Errno::NOSYS | Errno::NOTSUP) => {}
            Err(e) => return Err(Error::io(output, e.into())),
        }
    }
    let parent = target.parent();
    let retired = tempfile::Builder::new()
        .prefix(&format!("{OLD_PREFIX}{}-", target.name().to_string_lossy()))
        .rand_bytes(RANDOM_LEN)
        .tempdir_in(parent)
        .map_err(|e| Error::io(parent, e))?;
    write_marker(retired.path())?;
    let retired_site = retired.path().join("site");
    std::fs::rename(output, &retired_site).map_err(|e| Error::io(output, e))?;
    if let Err(e) = std::fs::rename(staged, output) {
        // Put the previous site back before reporting.
        let _ = std::fs::rename(&retired_site, output);
        return Err(Error::io(output, e));
    }
    drop(retired);
    Ok(())
}
