//! `proficio init`: writes a small, working site (configuration with program
//! assumptions, a home page, three sample modules forming one learning track
//! and two sample partner files) into an empty folder, and says which of its
//! files to replace first. The files are compiled into the binary, so it
//! works offline.

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

/// What `proficio init` tells the user after writing the site in `dir`: the
/// files to replace first, and how to build and preview it.
pub fn next_steps(dir: &Path) -> String {
    let file = |name: &str| dir.join(name).display().to_string();
    let (site, modules, partners) = (
        file("site.toml"),
        file("content/modules/*.md"),
        file("content/partners/*.yaml"),
    );
    let dir = dir.display();
    format!(
        "Created a new site in {dir}.

Replace these first:
  {site}
      the title, description and base_url (the address the site is published at)
  {modules}
      the three sample modules, with your own (their track is in site.toml)
  {partners}
      the two sample partners: they name the sample modules and work only with
      the default skills, workflows and levels; replace them with your
      partners' files, or delete them, before you change those catalogues

Build it with:   proficio build --root {dir}
Preview it with: proficio serve --root {dir}
"
    )
}
