//! Shared fixtures: small sites written into temporary folders, built through
//! the library, and read back the way a visitor would see them.

#![allow(dead_code)]

pub mod command;
pub mod problems;
pub mod rendered;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proficio::input::config::Config;
use proficio::{BuildOptions, BuildReport, Diagnostic, Error};
use tempfile::TempDir;

/// A `site.toml` with one learning track and an absolute base URL.
pub const SITE_TOML: &str = r#"title = "Test Portal"
description = "A portal used by the tests."
base_url = "https://example.com/"

[[tracks]]
id = "basics"
title = "Basics track"
description = "The first steps."
"#;

/// Where a fixture site lives.
enum Folder {
    /// A temporary folder, removed when the site is dropped.
    Temporary(TempDir),
    /// A fixed folder under the build's scratch space, emptied when the
    /// fixture is made; for one site shared by the tests of one test binary.
    Shared(PathBuf),
}

/// A fixture site on disk.
pub struct Site {
    folder: Folder,
}

impl Site {
    /// A site made of `files`, each a path relative to the site root and its text.
    pub fn new(files: &[(&str, &str)]) -> Site {
        let dir = tempfile::Builder::new()
            .prefix("proficio-test-")
            .tempdir()
            .expect("temporary folder");
        Site::fill(Folder::Temporary(dir), files)
    }

    /// A site made of `files` in a folder called `name` that stays after the
    /// tests (so a `static` fixture leaks nothing into the system's temporary
    /// folder); whatever the folder held before is removed first.
    pub fn shared(name: &str, files: &[(&str, &str)]) -> Site {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).expect("empty the shared fixture folder");
        }
        std::fs::create_dir_all(&dir).expect("shared fixture folder");
        Site::fill(Folder::Shared(dir), files)
    }

    fn fill(folder: Folder, files: &[(&str, &str)]) -> Site {
        let site = Site { folder };
        for (path, text) in files {
            site.write(path, text);
        }
        site
    }

    /// A copy of the demo portal (its `site.toml` and `content/`, partner
    /// files included).
    pub fn demo() -> Site {
        let site = Site::new(&[]);
        let demo = Path::new(env!("CARGO_MANIFEST_DIR"));
        copy_tree(&demo.join("content"), &site.path("content"));
        std::fs::copy(demo.join("site.toml"), site.path("site.toml")).expect("copy site.toml");
        site
    }

    /// A copy of the folder `dir` of this repository (such as
    /// `examples/lms-export`).
    pub fn copy_of(dir: &str) -> Site {
        let site = Site::new(&[]);
        copy_tree(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join(dir),
            site.root(),
        );
        site
    }

    /// A site with [`SITE_TOML`] and `files`.
    pub fn with_config(files: &[(&str, &str)]) -> Site {
        let site = Site::new(&[("site.toml", SITE_TOML)]);
        for (path, text) in files {
            site.write(path, text);
        }
        site
    }

    /// The site root.
    pub fn root(&self) -> &Path {
        match &self.folder {
            Folder::Temporary(dir) => dir.path(),
            Folder::Shared(dir) => dir,
        }
    }

    /// A path under the site root.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.root().join(relative)
    }

    /// Writes (or replaces) a file, creating its folders.
    pub fn write(&self, relative: &str, text: &str) {
        self.write_bytes(relative, text.as_bytes());
    }

    /// Writes (or replaces) a binary file, creating its folders.
    pub fn write_bytes(&self, relative: &str, bytes: &[u8]) {
        let path = self.path(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create folder");
        }
        std::fs::write(&path, bytes).expect("write fixture file");
    }

    /// Deletes a file of the site.
    pub fn remove(&self, relative: &str) {
        std::fs::remove_file(self.path(relative)).expect("remove fixture file");
    }

    /// Default build options: the site's own `output_dir`, no drafts.
    pub fn options(&self) -> BuildOptions {
        BuildOptions {
            root: self.root().to_path_buf(),
            ..BuildOptions::default()
        }
    }

    /// Builds with `options`.
    pub fn try_build_with(&self, options: &BuildOptions) -> Result<BuildReport, Error> {
        proficio::build(options)
    }

    /// Builds with the default options.
    pub fn try_build(&self) -> Result<BuildReport, Error> {
        self.try_build_with(&self.options())
    }

    /// Builds with the default options; panics with the diagnostics on failure.
    pub fn build(&self) -> BuildReport {
        self.build_with(&self.options())
    }

    /// Builds with `options`; panics with the diagnostics on failure.
    pub fn build_with(&self, options: &BuildOptions) -> BuildReport {
        match self.try_build_with(options) {
            Ok(report) => report,
            Err(error) => panic!("the build failed:\n{error}"),
        }
    }

    /// Builds and expects the input to be rejected; returns the diagnostics.
    pub fn build_rejected(&self) -> Vec<Diagnostic> {
        match self.try_build() {
            Ok(_) => panic!("the build succeeded but was expected to report problems"),
            Err(Error::Input(diagnostics)) => {
                assert!(
                    !diagnostics.is_empty(),
                    "an input error must carry diagnostics"
                );
                diagnostics
            }
            Err(other) => panic!("expected Error::Input, got: {other:?}"),
        }
    }

    /// The default output folder (`public/`).
    pub fn output(&self) -> PathBuf {
        self.path("public")
    }

    /// Reads a built file from the default output folder.
    pub fn read(&self, relative: &str) -> String {
        let path = self.output().join(relative);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read built file {relative}: {e}"))
    }

    /// True when the default output folder holds this file.
    pub fn built(&self, relative: &str) -> bool {
        self.output().join(relative).is_file()
    }

    /// Every file of the default output folder with its bytes.
    pub fn snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        snapshot(&self.output())
    }
}

/// Every file under `dir` (paths relative to it, `/`-separated) with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    collect(dir, dir, &mut files);
    files
}

fn collect(base: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {dir:?}: {e}"));
    for entry in entries {
        let path = entry.expect("folder entry").path();
        if path.is_dir() {
            collect(base, &path, files);
        } else {
            let relative = path
                .strip_prefix(base)
                .expect("under base")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            files.insert(relative, std::fs::read(&path).expect("read output file"));
        }
    }
}

pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// Asserts two output trees are identical, naming the first difference.
pub fn assert_same_tree(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) {
    let names_before: Vec<&String> = before.keys().collect();
    let names_after: Vec<&String> = after.keys().collect();
    assert_eq!(names_before, names_after, "the set of files differs");
    for (name, bytes) in before {
        assert!(
            after[name] == *bytes,
            "{name} differs between the two trees"
        );
    }
}

/// The part of a page between `<main` and `</main>`: what the page itself
/// says, without the header and footer every page shares.
pub fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("page has a <main>");
    let end = html.rfind("</main>").expect("page has a </main>");
    &html[start..end]
}

/// Texts of the diagnostics, for assertion messages.
pub fn describe(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A small site that builds: one module in the `basics` track and a plain
/// page.
pub fn small_site() -> Site {
    Site::with_config(&[
        (
            "content/modules/a.md",
            &module(
                "title: Start here\nlevel: experimenter\ntrack: basics",
                "## First step\n\nText.\n",
            ),
        ),
        ("content/about.md", "# About\n\nWho we are.\n"),
    ])
}

/// A module file with the given front matter lines and body.
pub fn module(front: &str, body: &str) -> String {
    format!("---\n{front}\n---\n{body}")
}

// ---------------------------------------------------------------- partner data

impl Site {
    /// A site whose `site.toml` is [`SITE_TOML`] followed by `extra` (such as
    /// a `[program]` table), with `files`.
    pub fn with_config_and(extra: &str, files: &[(&str, &str)]) -> Site {
        let site = Site::new(&[("site.toml", &format!("{SITE_TOML}{extra}"))]);
        for (path, text) in files {
            site.write(path, text);
        }
        site
    }

    /// Parses a built JSON file.
    pub fn read_json(&self, relative: &str) -> serde_json::Value {
        serde_json::from_str(&self.read(relative))
            .unwrap_or_else(|e| panic!("built file {relative} is not JSON: {e}"))
    }

    /// Paths of the output files whose bytes contain `needle`.
    pub fn files_containing(&self, needle: &str) -> Vec<String> {
        self.snapshot()
            .into_iter()
            .filter(|(_, bytes)| contains(bytes, needle))
            .map(|(path, _)| path)
            .collect()
    }
}

// ---------------------------------------------------------------- reading pages

/// What a reader sees of some HTML: the text without its tags, with the
/// few entities the theme uses decoded and runs of white space as one space.
pub fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&nbsp;", " ")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `<section>` of a page whose heading has the id `heading`.
pub fn section<'a>(html: &'a str, heading: &str) -> &'a str {
    let start = html
        .find(&format!("aria-labelledby=\"{heading}\""))
        .unwrap_or_else(|| panic!("no section labelled by {heading}"));
    let end = start + html[start..].find("</section>").expect("a closed section");
    &html[start..end]
}

/// The visible text of the first table row of `html` that contains `needle`.
pub fn row_with(html: &str, needle: &str) -> String {
    html.split("<tr")
        .skip(1)
        .map(|row| row.split("</tr>").next().unwrap_or(""))
        .find(|row| row.contains(needle))
        .map(|row| visible_text(&format!("<tr{row}")))
        .unwrap_or_else(|| panic!("no row with {needle}"))
}

/// The text of `docs/metrics.md`.
pub fn metrics_doc() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/metrics.md"))
        .expect("docs/metrics.md is readable")
}

/// The first fenced block of `language` after the "## Worked example"
/// heading of `docs/metrics.md`.
pub fn worked_example(language: &str) -> String {
    worked_example_block(language, 0)
}

/// The `nth` (0 first) fenced block of `language` after the "## Worked
/// example" heading of `docs/metrics.md`.
pub fn worked_example_block(language: &str, nth: usize) -> String {
    let doc = metrics_doc();
    let example = doc
        .split("## Worked example")
        .nth(1)
        .expect("a worked example section");
    let fence = format!("```{language}\n");
    let start = example
        .match_indices(&fence)
        .nth(nth)
        .expect("a block in that language")
        .0
        + fence.len();
    let end = start + example[start..].find("```").expect("a closed block");
    example[start..end].to_string()
}

/// The configuration of a site whose `site.toml` defines no catalogue.
pub fn default_config() -> Config {
    Config::default()
}

/// The skill ids of the default catalogue, in its order.
pub fn default_skills() -> Vec<String> {
    default_config().skills.into_iter().map(|s| s.id).collect()
}

/// The workflow ids of the default catalogue, in its order.
pub fn default_workflows() -> Vec<String> {
    default_config()
        .workflows
        .into_iter()
        .map(|w| w.id)
        .collect()
}

/// How a problem lists the ids it expected: `one of a, b, c`.
pub fn one_of(ids: &[String]) -> String {
    format!("one of {}", ids.join(", "))
}

/// A flow-style skill assessment with every skill of the default catalogue
/// at `score`, except those in `except`.
pub fn scores(score: u8, except: &[(&str, u8)]) -> String {
    let pairs: Vec<String> = default_skills()
        .iter()
        .map(|skill| {
            let value = except
                .iter()
                .find(|(s, _)| s == skill)
                .map_or(score, |(_, v)| *v);
            format!("{skill}: {value}")
        })
        .collect();
    format!("{{{}}}", pairs.join(", "))
}

/// True when `haystack` holds the bytes of `needle`.
pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// The value of the line `key=value` in a page, for templates that print
/// one figure a line.
pub fn line_value<'a>(text: &'a str, key: &str) -> &'a str {
    let prefix = format!("{key}=");
    text.lines()
        .find_map(|line| line.trim_start().strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no line `{key}=` in:\n{text}"))
        .trim_end()
}
