//! Themes: the default theme is compiled into the binary so a site without a
//! `themes/` folder builds; a site may select another theme in `themes/<name>/`
//! and override single files in its own `templates/` and `static/`. This
//! module layers those sources, file by file, into one [`Theme`]: built-in
//! default, then the chosen theme on disk, then the site's own files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use include_dir::{Dir, include_dir};

use crate::base::codes::Code;
use crate::base::diagnostics::{Diagnostic, Error, Result};
use crate::base::paths::SiteRoot;
use crate::base::text::expected_one_of;
use crate::input::config::LoadedConfig;

static BUILT_IN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// The name of the theme compiled into the binary.
pub const DEFAULT_THEME: &str = "default";

/// A template's text and where it came from.
#[derive(Debug, Clone)]
pub struct TemplateSource {
    /// Path shown in diagnostics, relative to the site root.
    pub file: PathBuf,
    /// The template text.
    pub text: Arc<str>,
}

/// The effective theme of a site after layering.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// Templates by name (`module.html`, `partials/nav.html`).
    pub templates: BTreeMap<String, TemplateSource>,
    /// Static files by output path (`style.css`), with their bytes.
    pub statics: BTreeMap<String, Arc<Vec<u8>>>,
}

/// Builds the theme for a site at `root`.
pub fn load(root: &Path, loaded: &LoadedConfig) -> Result<Theme> {
    let mut theme = Theme::default();
    let site_root = SiteRoot::new(root)?;
    let mut problems = Vec::new();
    add_built_in(&mut theme);
    let name = loaded.config.theme.as_str();
    let theme_dir = root.join("themes").join(name);
    if theme_dir.is_dir() {
        let label = Path::new("themes").join(name);
        // A bad link anywhere in the theme is a problem of the theme.
        for (folder, layer) in [("templates", Layer::Templates), ("static", Layer::Static)] {
            add_dir(
                &mut theme,
                &site_root,
                &theme_dir.join(folder),
                &label.join(folder),
                (layer, Code::Template),
                &mut problems,
            )?;
        }
    } else if name != DEFAULT_THEME {
        let range = crate::input::config::locate_key(&loaded.source, "theme");
        let themes = theme_names(root);
        let themes: Vec<&str> = themes.iter().map(String::as_str).collect();
        return Err(Error::Input(vec![
            Diagnostic::new(
                Code::Config,
                &loaded.file,
                loaded.source.clone(),
                range,
                format!("theme `{name}` not found in themes/"),
            )
            .expected(expected_one_of(
                name,
                &themes,
                "a theme: `default` or a folder under themes/",
            ))
            .hint(format!(
                "a theme of your own is a folder themes/{name}/ with templates/ and static/"
            )),
        ]));
    }
    for (folder, layer, code) in [
        ("templates", Layer::Templates, Code::Template),
        ("static", Layer::Static, Code::Input),
    ] {
        add_dir(
            &mut theme,
            &site_root,
            &root.join(folder),
            Path::new(folder),
            (layer, code),
            &mut problems,
        )?;
    }
    if problems.is_empty() {
        Ok(theme)
    } else {
        Err(Error::Input(problems))
    }
}

/// `default` and the folders under the site's `themes/`, sorted.
fn theme_names(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("themes"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|entry| entry.file_name().into_string().ok())
        .chain(std::iter::once(DEFAULT_THEME.to_string()))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

fn add_built_in(theme: &mut Theme) {
    let mut stack = vec![&BUILT_IN];
    while let Some(dir) = stack.pop() {
        stack.extend(dir.dirs());
        for file in dir.files() {
            let path = file.path().to_string_lossy().replace('\\', "/");
            if let Some(name) = path.strip_prefix("templates/") {
                let text = String::from_utf8_lossy(file.contents());
                theme.templates.insert(
                    name.to_string(),
                    TemplateSource {
                        file: Path::new("themes/default").join(&path),
                        text: Arc::from(text.as_ref()),
                    },
                );
            } else if let Some(name) = path.strip_prefix("static/") {
                theme
                    .statics
                    .insert(name.to_string(), Arc::new(file.contents().to_vec()));
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Layer {
    Templates,
    Static,
}

/// Adds the files under `dir` (named `label` in reports) to `theme`'s
/// `layer`; links leading outside the site become problems of kind `code`.
fn add_dir(
    theme: &mut Theme,
    root: &SiteRoot,
    dir: &Path,
    label: &Path,
    (layer, code): (Layer, Code),
    problems: &mut Vec<Diagnostic>,
) -> Result<()> {
    let walk = root.walk(dir, usize::MAX, code)?;
    problems.extend(walk.problems);
    for found in walk.files {
        let relative = found.path.strip_prefix(dir).unwrap_or(&found.path);
        let name = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let bytes = std::fs::read(&found.real).map_err(|e| Error::io(&found.path, e))?;
        match layer {
            Layer::Templates => {
                let text = String::from_utf8(bytes).map_err(|_| {
                    Error::Refused(format!(
                        "{} is not UTF-8 text",
                        label.join(relative).display()
                    ))
                })?;
                theme.templates.insert(
                    name,
                    TemplateSource {
                        file: label.join(relative),
                        text: Arc::from(text),
                    },
                );
            }
            Layer::Static => {
                theme.statics.insert(name, Arc::from(bytes));
            }
        }
    }
    Ok(())
}
