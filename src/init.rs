//! `proficio init`: writes a small, working site (configuration with program
//! assumptions, a home page, three sample modules forming one learning track
//! and two sample partner files) into an empty folder. The files are compiled
//! into the binary, so it works offline.

use std::path::Path;

use include_dir::{Dir, include_dir};

use crate::base::diagnostics::{Error, Result};

static SCAFFOLD: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/src/scaffold");

/// Creates a new site in `dir`; refuses a folder that already has files.
pub fn init(dir: &Path) -> Result<()> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        if entries.next().is_some() {
            return Err(Error::Refused(format!(
                "{} is not empty; `proficio init` only writes into an empty or new folder",
                dir.display()
            )));
        }
    }
    let mut stack = vec![&SCAFFOLD];
    while let Some(folder) = stack.pop() {
        stack.extend(folder.dirs());
        for file in folder.files() {
            let target = dir.join(file.path());
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            std::fs::write(&target, file.contents()).map_err(|e| Error::io(&target, e))?;
        }
    }
    Ok(())
}
