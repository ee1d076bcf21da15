//! Which build cache folder a run uses, and whether it may: the one place
//! that decides it. By default it is `.proficio-cache/` beside `site.toml`,
//! inside the site root (a link there leading elsewhere is refused, as
//! inputs leading outside the root are); a folder named on the command line
//! (`--cache-dir`) may be anywhere, since the user chose it. Either way the folder may not
//! be, contain or lie inside the output folder or the site's sources, so a
//! cache never ends up published and never becomes input. What the folder
//! holds and how it is written is `base::build_cache`'s.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::base::build_cache::{self, Access, BuildCache};
use crate::base::diagnostics::{Error, Result};
use crate::build::BuildOptions;
use crate::build::output::SOURCES;

/// Where a run keeps its build cache. The command line uses one beside
/// `site.toml` unless told otherwise; a library caller that says nothing
/// gets none, so it never finds a folder it did not ask for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CacheChoice {
    /// No cache (`--no-cache`): nothing is read or written.
    #[default]
    Off,
    /// `.proficio-cache/` beside `site.toml`.
    Beside,
    /// The folder given with `--cache-dir`, taken from the working folder
    /// when relative.
    At(PathBuf),
}

/// Opens the cache `options` ask for, for a run whose output folder is
/// `output_dir` (written or not). `None` without a cache, or when the folder
/// cannot be used (a warning then says why); an error for a folder that must
/// not be used at all.
pub(crate) fn open(
    options: &BuildOptions,
    output_dir: &Path,
    access: Access,
) -> Result<Option<Arc<BuildCache>>> {
    let (dir, shown) = match &options.cache {
        CacheChoice::Off => return Ok(None),
        CacheChoice::Beside => {
            let dir = options.root.join(build_cache::DEFAULT_DIR);
            let shown = dir.display().to_string();
            (dir, shown)
        }
        CacheChoice::At(dir) => (dir.clone(), dir.display().to_string()),
    };
    let refuse = |why: String| {
        Err(Error::Refused(format!(
            "refusing to use {shown} as the build cache: {why}; choose another --cache-dir or use --no-cache"
        )))
    };
    let real_dir = real(&dir);
    let root = real(&options.root);
    let output = real(output_dir);
    if real_dir.starts_with(&output) {
        return refuse("it is inside the output folder, which is published".into());
    }
    if output.starts_with(&real_dir) {
        return refuse("it contains the output folder".into());
    }
    for source in SOURCES {
        let source_dir = real(&root.join(source));
        if real_dir.starts_with(&source_dir) {
            return refuse(if source == "site.toml" {
                "it is the site's site.toml".into()
            } else {
                format!("it is inside the site's {source}/ folder")
            });
        }
    }
    if root.starts_with(&real_dir) {
        return refuse("it contains the site's own sources".into());
    }
    // A run reads nothing outside the site root it was not told to.
    if options.cache == CacheChoice::Beside && !real_dir.starts_with(&root) {
        return Err(Error::Refused(format!(
            "refusing to use {shown} as the build cache: it is a link leading outside the site folder; \
             name the folder with --cache-dir to use it, or use --no-cache"
        )));
    }
    Ok(BuildCache::open(&dir, &shown, access, &options.remarks)?.map(Arc::new))
}

/// `path` made absolute with every link on its existing part followed, so
/// two spellings of one folder compare equal.
fn real(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut missing = Vec::new();
    let mut existing = absolute.as_path();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return missing
                .iter()
                .rev()
                .fold(real, |path, part| path.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}
