//! Content loading: walks `content/`, splits each Markdown file into YAML front
//! matter and body, and keeps every page in one flat store keyed by its path
//! relative to `content/` (`modules/qbr.md`). It also decides what each file
//! is: a section (`_index.md`), a page bundle (`index.md` or `README.md` with
//! files beside it), a module (any page under `modules/`) or an asset to copy, and the URL
//! path each page gets. Nothing here renders; errors are collected, not thrown.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use rayon::prelude::*;
use serde::Deserialize;

use crate::base::codes::Code;
use crate::base::diagnostics::{Diagnostic, Error, Result};
use crate::base::paths::{Capped, SiteRoot};
use crate::base::yaml::check_aliases;
use crate::input::limits::Limits;

/// The folder under the site root that holds the Markdown sources.
pub const CONTENT_DIR: &str = "content";

/// The folder under `content/` that holds the partner files.
pub const PARTNERS_DIR: &str = "partners";
/// Pages under this folder of `content/` are enablement modules.
pub const MODULES_DIR: &str = "modules";

/// The YAML block at the top of a Markdown file. Every key is optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// Page title; defaults to the first `#` heading, then the file name.
    pub title: Option<String>,
    /// One or two sentences for lists, feeds and meta descriptions.
    pub summary: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Ordering hint: lower comes first.
    #[serde(default)]
    pub weight: i64,
    /// Drafts are built only with `--drafts`.
    #[serde(default)]
    pub draft: bool,
    /// The proficiency level a module moves a learner to.
    pub level: Option<String>,
    /// Skills the module teaches (catalogue ids).
    #[serde(default)]
    pub skills: Vec<String>,
    /// Workflows the module improves (catalogue ids).
    #[serde(default)]
    pub workflows: Vec<String>,
    /// The learning track the module belongs to.
    pub track: Option<String>,
    /// Ids of modules to take first.
    #[serde(default)]
    pub prerequisites: Vec<String>,
    /// Expected time to complete, in minutes.
    pub duration_minutes: Option<u32>,
    /// Free-form tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Replaces the last part of the page's URL.
    pub slug: Option<String>,
    /// Where a top-level section is linked from: `main` (the default: the
    /// main menu) or `footer` (only the footer, for pages written for the
    /// portal's writers rather than its readers).
    pub menu: Option<String>,
}

/// The values `menu` takes.
pub const MENUS: [&str; 2] = ["main", "footer"];

/// What a Markdown file is, by its name and place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// `_index.md`: the page of its folder.
    Section,
    /// An enablement module (a page under `modules/`).
    Module,
    /// Any other page.
    Page,
}

/// One Markdown source, parsed but not rendered.
#[derive(Debug, Clone)]
pub struct Page {
    /// Key in the store: path relative to `content/`, `/`-separated.
    pub source: String,
    /// Path relative to the site root, for diagnostics.
    pub file: PathBuf,
    /// The whole file.
    pub text: Arc<str>,
    /// Byte range of the YAML between the `---` lines (empty without front matter).
    pub front_range: Range<usize>,
    /// Byte offset where the Markdown body starts.
    pub body_start: usize,
    /// Parsed front matter.
    pub front: FrontMatter,
    /// What the file is.
    pub kind: PageKind,
    /// Module id (file stem, or the folder name of a bundle); empty for other pages.
    pub id: String,
    /// Resolved title.
    pub title: String,
    /// Byte range (in `text`) of the `#` heading the title was taken from, which
    /// the page then does not repeat in its body.
    pub title_heading: Option<Range<usize>>,
    /// URL path without the base path: `/`, `/modules/`, `/modules/qbr/`.
    pub path: String,
    /// Folder (relative to `content/`) the file sits in; for a bundle, the bundle folder.
    pub folder: String,
    /// True for page bundles (`index.md`, or a `README.md`).
    pub is_bundle: bool,
}

impl Page {
    /// The Markdown body.
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }

    /// The front matter text.
    pub fn front_text(&self) -> &str {
        &self.text[self.front_range.clone()]
    }

    /// A diagnostic of kind `code` at `range` of this file.
    pub fn diagnostic(
        &self,
        code: Code,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(code, &self.file, self.text.clone(), range, message)
    }

    /// Byte range of `value` as written under front-matter `key`, or of the
    /// key's line when the value cannot be found there.
    pub fn locate(&self, key: &str, value: &str) -> Range<usize> {
        let front = self.front_text();
        let key_range = crate::input::config::locate_key(front, key);
        let base = self.front_range.start;
        let after_key = &front[key_range.start..];
        let next_key = after_key
            .match_indices('\n')
            .map(|(i, _)| i + 1)
            .find(|&i| {
                after_key[i..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
            })
            .unwrap_or(after_key.len());
        match find_word(&after_key[..next_key], value) {
            Some(i) => base + key_range.start + i..base + key_range.start + i + value.len(),
            None if key_range.is_empty() && key_range.start == 0 => {
                self.front_range.start..self.front_range.start
            }
            None => base + key_range.start..base + key_range.end,
        }
    }
}

/// Finds `word` not glued to other id characters.
fn find_word(haystack: &str, word: &str) -> Option<usize> {
    if word.is_empty() {
        return None;
    }
    let is_id = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    haystack.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + word.len()..].chars().next();
        !before.is_some_and(is_id) && !after.is_some_and(is_id)
    })
}

/// A non-Markdown file under `content/`, copied to the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// Absolute source path.
    pub source: PathBuf,
    /// Output path relative to the output folder, `/`-separated.
    pub output: String,
}

/// Every page and asset of a site.
#[derive(Debug, Clone, Default)]
pub struct ContentStore {
    /// Pages by source key, sorted for deterministic iteration.
    pub pages: BTreeMap<String, Page>,
    /// Files to copy.
    pub assets: Vec<Asset>,
    /// Markdown sources that exist but are not published, by source key.
    pub left_out: BTreeMap<String, Absence>,
    /// Module id → source key of the first module with that id.
    module_index: BTreeMap<String, String>,
}

/// Why an existing Markdown file is not part of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absence {
    /// Marked `draft: true` and built without `--drafts`.
    Draft,
    /// Could not be parsed; its own diagnostic says why.
    Broken,
}

impl ContentStore {
    /// The modules, in source order.
    pub fn modules(&self) -> impl Iterator<Item = &Page> {
        self.pages.values().filter(|p| p.kind == PageKind::Module)
    }

    /// A module by id.
    pub fn module(&self, id: &str) -> Option<&Page> {
        self.module_index
            .get(id)
            .and_then(|source| self.pages.get(source))
    }

    /// The id of every module, sorted.
    pub fn module_ids(&self) -> Vec<&str> {
        self.module_index.keys().map(String::as_str).collect()
    }

    /// Rebuilds the id → module index; call it after adding pages by hand.
    pub fn index_modules(&mut self) {
        self.module_index.clear();
        for page in self.pages.values().filter(|p| p.kind == PageKind::Module) {
            self.module_index
                .entry(page.id.clone())
                .or_insert_with(|| page.source.clone());
        }
    }

    /// Why the module `id` exists as a file but is not published, if so.
    pub fn absent_module(&self, id: &str) -> Option<Absence> {
        self.left_out
            .iter()
            .find(|(source, _)| module_id(source).as_deref() == Some(id))
            .map(|(_, absence)| *absence)
    }
}

/// Reads every file under `root/content`. Drafts are dropped unless
/// `include_drafts`. Files that do not parse are left out of the store and
/// reported in the returned list; only I/O failures are errors.
pub fn load(
    root: &Path,
    include_drafts: bool,
    limits: &Limits,
) -> Result<(ContentStore, Vec<Diagnostic>)> {
    let content_dir = root.join(CONTENT_DIR);
    let mut store = ContentStore::default();
    let mut problems = Vec::new();
    let mut other_files = Vec::new();
    let mut markdown_files = Vec::new();
    let walk = SiteRoot::new(root)?.walk(&content_dir, usize::MAX, Code::Input)?;
    // The partner folder and its files are the partners' loader's to report,
    // as partner data; said here too, each would be said twice.
    let partners = Path::new(CONTENT_DIR).join(PARTNERS_DIR);
    problems.extend(
        walk.problems
            .into_iter()
            .filter(|p| p.file != partners && p.file.parent() != Some(partners.as_path())),
    );
    for found in walk.files {
        let relative = relative_key(&content_dir, &found.path);
        if relative.ends_with(".md") {
            markdown_files.push((relative, found));
        } else if !is_data_file(&relative) {
            other_files.push((relative, found.real));
        }
    }
    // Reading and parsing are per file; the results (and the first file
    // that cannot be read) are taken in walk order.
    let parsed: Vec<Result<(String, std::result::Result<Page, Diagnostic>)>> = markdown_files
        .into_par_iter()
        .map(|(relative, found)| {
            let limit = limits.max_markdown_bytes;
            let read = found
                .read_at_most(limit)
                .map_err(|e| Error::io(&found.real, e))?;
            let parsed = match read {
                Capped::TooLarge(size) => Err(too_large(
                    Code::Input,
                    &Path::new(CONTENT_DIR).join(&relative),
                    size,
                    limit,
                    "max_markdown_bytes",
                )),
                Capped::Read(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => parse_page(&relative, Arc::from(text), limits),
                    Err(e) => Err(not_utf8(Code::Input, &relative, &e, "Markdown")),
                },
            };
            Ok((relative, parsed))
        })
        .collect();
    // A draft bundle's files are as unpublished as its page.
    let mut skipped_bundles: Vec<String> = Vec::new();
    for read in parsed {
        let (relative, parsed) = read?;
        match parsed {
            Ok(page) if page.front.draft && !include_drafts => {
                if page.is_bundle {
                    skipped_bundles.push(format!("{}/", page.folder));
                }
                store.left_out.insert(page.source.clone(), Absence::Draft);
            }
            Ok(page) => {
                store.pages.insert(page.source.clone(), page);
            }
            Err(diagnostic) => {
                store.left_out.insert(relative, Absence::Broken);
                problems.push(diagnostic);
            }
        }
    }
    other_files.retain(|(relative, _)| !skipped_bundles.iter().any(|b| relative.starts_with(b)));
    store.assets = place_assets(&store, other_files);
    store.index_modules();
    Ok((store, problems))
}

/// Points at the first byte of `source` (a key under `content/`) that is not
/// UTF-8, showing the text before it; `kind` names what the file should be,
/// `code` the kind of problem.
pub(crate) fn not_utf8(
    code: Code,
    source: &str,
    error: &std::string::FromUtf8Error,
    kind: &str,
) -> Diagnostic {
    let valid = error.utf8_error().valid_up_to();
    let text = String::from_utf8_lossy(error.as_bytes());
    let offset = text
        .char_indices()
        .map(|(i, _)| i)
        .nth(
            String::from_utf8_lossy(&error.as_bytes()[..valid])
                .chars()
                .count(),
        )
        .unwrap_or(text.len());
    Diagnostic::new(
        code,
        Path::new(CONTENT_DIR).join(source),
        Arc::from(text.as_ref()),
        offset..offset,
        "the file is not UTF-8 text",
    )
    .expected(format!("{kind} saved as UTF-8"))
}

/// The problem of `file`, of `size` bytes, over the `limit` that the
/// `[limits]` key `key` sets; of kind `code`.
pub(crate) fn too_large(code: Code, file: &Path, size: u64, limit: u64, key: &str) -> Diagnostic {
    Diagnostic::whole_file(
        code,
        file,
        format!("this file is {size} bytes, more than the limit of {limit} bytes"),
    )
    .expected(format!(
        "a file of at most {limit} bytes (split it), or a higher `{key}` under `[limits]` in site.toml"
    ))
}

/// Partner metrics and other data files are inputs, never published as-is;
/// nothing in the partner folder is, whatever its name.
fn is_data_file(relative: &str) -> bool {
    let lower = relative.to_ascii_lowercase();
    lower.ends_with(".yaml")
        || lower.ends_with(".yml")
        || lower.starts_with(&format!("{}/", PARTNERS_DIR))
}

fn relative_key(base: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(base).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Bundle assets go beside their page (which may have a slug); others keep
/// their place.
fn place_assets(store: &ContentStore, files: Vec<(String, PathBuf)>) -> Vec<Asset> {
    files
        .into_iter()
        .map(|(relative, source)| {
            let bundle = store
                .pages
                .values()
                .filter(|p| p.is_bundle)
                .find(|p| relative.starts_with(&format!("{}/", p.folder)));
            let output = match bundle {
                Some(page) => format!(
                    "{}{}",
                    page.path.trim_start_matches('/'),
                    &relative[page.folder.len() + 1..]
                ),
                None => relative,
            };
            Asset { source, output }
        })
        .collect()
}

/// Parses one Markdown file whose key (path under `content/`) is `source`,
/// within `limits`.
pub fn parse_page(
    source: &str,
    text: Arc<str>,
    limits: &Limits,
) -> std::result::Result<Page, Diagnostic> {
    let file = Path::new(CONTENT_DIR).join(source);
    let size = text.len() as u64;
    if size > limits.max_markdown_bytes {
        let limit = limits.max_markdown_bytes;
        return Err(too_large(
            Code::Input,
            &file,
            size,
            limit,
            "max_markdown_bytes",
        ));
    }
    let (front_range, body_start) = split_front_matter(&text).map_err(|offset| {
        Diagnostic::new(
            Code::Input,
            &file,
            text.clone(),
            offset..offset + 3,
            "front matter is not closed",
        )
        .expected("a line `---` after the front matter")
    })?;
    let front = parse_front_matter(&file, &text, &front_range, limits)?;
    let file_name = source.rsplit('/').next().unwrap_or(source);
    let folder = source
        .rsplit_once('/')
        .map_or("", |(dir, _)| dir)
        .to_string();
    let is_section = file_name == "_index.md";
    let is_bundle = is_bundle_page(file_name);
    let stem = if is_bundle {
        folder.rsplit('/').next().unwrap_or(&folder).to_string()
    } else {
        file_name.trim_end_matches(".md").to_string()
    };
    let module_id = module_id(source);
    let kind = match (is_section, &module_id) {
        (true, _) => PageKind::Section,
        (false, Some(_)) => PageKind::Module,
        (false, None) => PageKind::Page,
    };
    let path = url_path(source, front.slug.as_deref());
    let (title, title_heading) = match &front.title {
        Some(title) => (title.clone(), None),
        None => match first_h1(&text[body_start..]) {
            Some((title, range)) => (
                title,
                Some(body_start + range.start..body_start + range.end),
            ),
            None if is_section && folder.is_empty() => ("Home".to_string(), None),
            None => (
                humanise(if is_section {
                    folder.rsplit('/').next().unwrap_or("")
                } else {
                    &stem
                }),
                None,
            ),
        },
    };
    Ok(Page {
        source: source.to_string(),
        file,
        text: text.clone(),
        front_range,
        body_start,
        front,
        kind,
        id: module_id.unwrap_or_default(),
        title,
        title_heading,
        path,
        folder,
        is_bundle,
    })
}

/// The module id of a source key: its file stem, or its bundle folder's
/// name; `None` for anything outside `modules/` and for section pages.
pub fn module_id(source: &str) -> Option<String> {
    let inside = source.strip_prefix(MODULES_DIR)?.strip_prefix('/')?;
    let (folder, file_name) = inside.rsplit_once('/').unwrap_or(("", inside));
    match file_name {
        "_index.md" => None,
        name if is_bundle_page(name) => folder.rsplit('/').next().map(str::to_string),
        _ => Some(file_name.trim_end_matches(".md").to_string()),
    }
}

/// True for the file that is its folder's page bundle: `index.md`, or
/// `README.md` in any case, the page GitHub shows for a folder. A folder
/// with both has two pages at one URL, which is reported as such.
pub fn is_bundle_page(file_name: &str) -> bool {
    file_name == "index.md" || file_name.eq_ignore_ascii_case("readme.md")
}

/// Returns the YAML byte range and the body start. `Err(offset)` when the
/// opening `---` has no closing line.
fn split_front_matter(text: &str) -> std::result::Result<(Range<usize>, usize), usize> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &text[start..];
    let Some(after_open) = rest
        .strip_prefix("---\n")
        .or_else(|| rest.strip_prefix("---\r\n"))
    else {
        return Ok((start..start, start));
    };
    let yaml_start = text.len() - after_open.len();
    let mut offset = yaml_start;
    for line in after_open.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Ok((yaml_start..offset, offset + line.len()));
        }
        offset += line.len();
    }
    Err(start)
}

fn parse_front_matter(
    file: &Path,
    text: &Arc<str>,
    range: &Range<usize>,
    limits: &Limits,
) -> std::result::Result<FrontMatter, Diagnostic> {
    if text[range.clone()].trim().is_empty() {
        return Ok(FrontMatter::default());
    }
    from_yaml(Code::Input, file, text, range, limits)
}

/// The value of the YAML in the byte range `yaml` of `text`, when its
/// aliases stay within `limits` (checked before any value is built); a
/// problem of kind `code` in `file` otherwise.
pub fn from_yaml<T: serde::de::DeserializeOwned>(
    code: Code,
    file: &Path,
    text: &Arc<str>,
    yaml: &Range<usize>,
    limits: &Limits,
) -> std::result::Result<T, Diagnostic> {
    let source = &text[yaml.clone()];
    if let Some(excess) = check_aliases(source, limits.aliases()) {
        let at = yaml.start + excess.at.start..yaml.start + excess.at.end;
        return Err(
            Diagnostic::new(code, file, text.clone(), at, excess.message).expected(excess.expected),
        );
    }
    serde_yaml::from_str(source).map_err(|e| yaml_diagnostic(code, file, text, yaml, &e))
}

/// A YAML error as a diagnostic at its place in `text`, where the YAML is
/// the byte range `yaml` of the file, of kind `code`.
pub fn yaml_diagnostic(
    code: Code,
    file: &Path,
    text: &Arc<str>,
    yaml: &Range<usize>,
    error: &serde_yaml::Error,
) -> Diagnostic {
    let Some(at) = error.location() else {
        return Diagnostic::new(
            code,
            file,
            text.clone(),
            yaml.start..yaml.start,
            yaml_message(error),
        );
    };
    let offset = (yaml.start + at.index()).min(yaml.end);
    let end = text[offset..]
        .find(['\n', ':', ','])
        .map_or(text.len(), |i| offset + i.max(1));
    // libyaml's word for a tab is "character that cannot start any token".
    if text[offset..].starts_with('\t') {
        return Diagnostic::new(
            code,
            file,
            text.clone(),
            offset..offset + 1,
            "a tab indents this line",
        )
        .expected("spaces: YAML does not allow tabs for indentation");
    }
    let full = error.to_string();
    if let Some(quote) = full
        .split_once(", while scanning a quoted scalar at ")
        .and_then(|(_, at)| line_column_offset(&text[yaml.clone()], at))
        .map(|at| yaml.start + at)
    {
        let mark = text[quote..].chars().next().unwrap_or('"');
        return Diagnostic::new(
            code,
            file,
            text.clone(),
            quote..quote + mark.len_utf8(),
            "this quote is never closed",
        )
        .expected(format!("a closing {mark} at the end of the value"));
    }
    let message = yaml_message(error);
    if let Some(second) = message
        .split_once("duplicate field `")
        .and_then(|(_, rest)| rest.strip_suffix('`'))
        .and_then(|key| second_key(text, offset, yaml.end, key))
    {
        return Diagnostic::new(code, file, text.clone(), second, message)
            .expected("each key once in a mapping");
    }
    let diagnostic = Diagnostic::new(code, file, text.clone(), offset..end, message);
    if full.starts_with("mapping values are not allowed in this context") {
        return diagnostic.expected(colon_hint(text, offset));
    }
    diagnostic
}

/// The second `key` of the block mapping whose first key is at `start` of
/// `text` (serde_yaml places a duplicate key at its mapping), looking no
/// further than `end`: the keys of the mapping start in its first key's
/// column, and a line indented less ends it.
fn second_key(text: &str, start: usize, end: usize, key: &str) -> Option<Range<usize>> {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let column = start - line_start;
    let mut seen = 0;
    let mut at = line_start;
    for line in text.get(line_start..end)?.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = line.trim_start_matches(' ').trim_end();
        let first = at == line_start;
        if !first && !rest.is_empty() && !rest.starts_with('#') && indent < column {
            break;
        }
        if (first || indent == column)
            && line
                .get(column..)
                .and_then(|key_on| key_on.strip_prefix(key))
                .is_some_and(|after| after.trim_start_matches(' ').starts_with(':'))
        {
            seen += 1;
            if seen == 2 {
                return Some(at + column..at + column + key.len());
            }
        }
        at += line.len();
    }
    None
}

/// What to write instead of a line whose second `: ` (at `offset`) YAML
/// cannot read: the line's value in quotes, as written; or, when the colon at
/// `offset` is the line's first, keys aligned with those above.
fn colon_hint(text: &str, offset: usize) -> String {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = text[line_start..line_end].trim_end_matches('\r');
    match line.split_once(": ") {
        Some((key, value)) if line_start + key.len() < offset => format!(
            "a value with \": \" in it quoted: {key}: \"{}\"",
            value.trim().replace('\\', "\\\\").replace('"', "\\\"")
        ),
        _ => "each key of a mapping indented like the keys beside it".to_string(),
    }
}

/// The byte offset in `yaml` of libyaml's `line L column C` at the start of
/// `at` (both counted from 1, the column in characters).
fn line_column_offset(yaml: &str, at: &str) -> Option<usize> {
    let rest = at.strip_prefix("line ")?;
    let (line, rest) = rest.split_once(" column ")?;
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (line, column): (usize, usize) = (line.parse().ok()?, rest[..digits].parse().ok()?);
    let start = yaml
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum::<usize>();
    let within = yaml[start..]
        .char_indices()
        .nth(column.checked_sub(1)?)
        .map(|(i, _)| i)?;
    Some(start + within)
}

/// serde_yaml appends "at line X column Y" to messages; the diagnostic shows
/// that itself.
fn yaml_message(error: &serde_yaml::Error) -> String {
    let message = error.to_string();
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    }
}

fn url_path(source: &str, slug: Option<&str>) -> String {
    let file_name = source.rsplit('/').next().unwrap_or(source);
    let without_ext = source.trim_end_matches(".md");
    let mut parts: Vec<&str> = without_ext.split('/').collect();
    if file_name == "_index.md" || is_bundle_page(file_name) {
        let is_section = file_name == "_index.md";
        parts.pop();
        if is_section {
            return join_path(&parts);
        }
    }
    if let (Some(slug), Some(last)) = (slug, parts.last_mut()) {
        *last = slug;
    }
    join_path(&parts)
}

fn join_path(parts: &[&str]) -> String {
    if parts.is_empty() {
        "/".to_string()
    } else {
        format!("/{}/", parts.join("/"))
    }
}

/// The text and byte range of the first level-one heading of a body.
fn first_h1(body: &str) -> Option<(String, Range<usize>)> {
    let mut title = String::new();
    let mut start = None;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) => start = Some(range.start),
            Event::End(TagEnd::Heading(HeadingLevel::H1)) => {
                return start.map(|s| (title.trim().to_string(), s..range.end));
            }
            Event::Text(text) | Event::Code(text) if start.is_some() => title.push_str(&text),
            _ => {}
        }
    }
    None
}

/// A file or folder name made a title, the one rule for files, page bundles
/// and folders alike: dashes and underscores become spaces and the first
/// letter is capitalised, whatever its script; the rest is kept as written
/// (`qbr-prep_notes` → `Qbr prep notes`, `élan-notes` → `Élan notes`).
pub fn humanise(stem: &str) -> String {
    let words = stem.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Untitled".to_string(),
    }
}

/// Source keys of `modules` ordered so each comes after those of its
/// prerequisites that are among them; ties go by weight, then title.
/// Validation has already ruled out cycles.
pub fn learning_order<'a>(modules: impl Iterator<Item = &'a Page>) -> Vec<&'a str> {
    let members: BTreeMap<&str, &Page> = modules.map(|m| (m.id.as_str(), m)).collect();
    let by_source: BTreeMap<&str, &Page> =
        members.values().map(|m| (m.source.as_str(), *m)).collect();
    let key = |m: &'a Page| (m.front.weight, m.title.as_str(), m.source.as_str());
    // Kahn's algorithm with the ready modules kept sorted by the tie-break.
    let mut waiting: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unlocks: BTreeMap<&str, Vec<&Page>> = BTreeMap::new();
    for module in members.values() {
        let needs: BTreeSet<&str> = module
            .front
            .prerequisites
            .iter()
            .map(String::as_str)
            .filter(|p| members.contains_key(p) && *p != module.id)
            .collect();
        for need in &needs {
            unlocks.entry(need).or_default().push(module);
        }
        waiting.insert(module.id.as_str(), needs.len());
    }
    let mut ready: BTreeSet<(i64, &str, &str)> = members
        .values()
        .filter(|m| waiting.get(m.id.as_str()) == Some(&0))
        .map(|m| key(m))
        .collect();
    let mut order = Vec::with_capacity(members.len());
    while let Some(next) = ready.pop_first() {
        let source = next.2;
        order.push(source);
        let Some(done) = by_source.get(source) else {
            continue;
        };
        for module in unlocks.get(done.id.as_str()).into_iter().flatten() {
            if let Some(count) = waiting.get_mut(module.id.as_str()) {
                *count -= 1;
                if *count == 0 {
                    ready.insert(key(module));
                }
            }
        }
    }
    if order.len() < members.len() {
        // Only reachable with a cycle, which validation reports; keep the rest in name order.
        let placed: BTreeSet<&str> = order.iter().copied().collect();
        order.extend(
            members
                .values()
                .map(|m| m.source.as_str())
                .filter(|s| !placed.contains(s)),
        );
    }
    order
}

/// The Markdown extensions proficio enables everywhere.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libyaml_places_count_lines_and_characters_from_one() {
        assert_eq!(
            line_column_offset("a: é\nb: \"x", "line 2 column 4"),
            Some(9)
        );
        assert_eq!(
            line_column_offset("t: é \"x", "line 1 column 6, more"),
            Some(6)
        );
        assert_eq!(line_column_offset("t: x", "line 3 column 1"), None);
    }

    #[test]
    fn an_unclosed_quote_after_a_wide_character_is_placed_at_the_quote() {
        let text = "---\ntitle: Élan\nsummary: 'half\n---\n";
        let problem = parse_page("modules/a.md", Arc::from(text), &Limits::default()).unwrap_err();
        assert_eq!((problem.line(), problem.column()), (3, 10), "{problem}");
        assert_eq!(problem.message, "this quote is never closed");
    }

    fn page(source: &str, text: &str) -> Page {
        parse_page(source, Arc::from(text), &Limits::default()).expect("valid page")
    }

    #[test]
    fn urls_follow_the_source_path() {
        assert_eq!(page("a/b.md", "x").path, "/a/b/");
        assert_eq!(page("a/b/index.md", "x").path, "/a/b/");
        assert_eq!(page("a/_index.md", "x").path, "/a/");
        assert_eq!(page("_index.md", "x").path, "/");
        assert_eq!(page("a/b.md", "---\nslug: c\n---\n").path, "/a/c/");
    }

    #[test]
    fn kinds_and_module_ids() {
        assert_eq!(page("modules/qbr.md", "x").kind, PageKind::Module);
        assert_eq!(page("modules/qbr.md", "x").id, "qbr");
        assert_eq!(page("modules/prep/index.md", "x").id, "prep");
        for readme in ["README.md", "readme.md", "Readme.md"] {
            let lesson = page(&format!("modules/01-intro/{readme}"), "x");
            assert_eq!(
                (lesson.id.as_str(), lesson.path.as_str()),
                ("01-intro", "/modules/01-intro/")
            );
            assert!(lesson.is_bundle);
        }
        assert_eq!(page("modules/_index.md", "x").kind, PageKind::Section);
        assert_eq!(page("about.md", "x").kind, PageKind::Page);
    }

    #[test]
    fn a_name_made_a_title_capitalises_its_first_letter_in_any_script() {
        assert_eq!(humanise("qbr-prep_notes"), "Qbr prep notes");
        assert_eq!(humanise("élan-notes"), "Élan notes");
        assert_eq!(humanise("dotnet-responsible-ai"), "Dotnet responsible ai");
        assert_eq!(humanise("-ÿ_iOS-"), "Ÿ iOS");
        assert_eq!(humanise("--"), "Untitled");
    }

    #[test]
    fn title_falls_back_to_first_heading_then_file_name() {
        let p = page("about.md", "Intro\n\n# About us\n\ntext");
        assert_eq!(p.title, "About us");
        assert_eq!(&p.text[p.title_heading.clone().unwrap()], "# About us\n");
        assert_eq!(
            page("co-selling-notes.md", "text").title,
            "Co selling notes"
        );
        assert_eq!(
            page("x.md", "---\ntitle: Given\n---\n# Other").title,
            "Given"
        );
    }

    #[test]
    fn front_matter_errors_are_located_in_the_file() {
        let error = parse_page(
            "m.md",
            Arc::from("---\ntitle: A\nduration_minutes: soon\n---\n"),
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!((error.line(), error.column()), (3, 19));
        assert!(error.message.contains("invalid type"), "{}", error.message);
        let error = parse_page(
            "m.md",
            Arc::from("---\ntitle: A\ncolour: red\n---\n"),
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!((error.line(), error.column()), (3, 1));
        assert!(
            error.message.contains("unknown field `colour`"),
            "{}",
            error.message
        );
    }

    #[test]
    fn text_that_is_not_utf8_is_located() {
        let bytes = b"---\ntitle: A\n---\nca\xffe\n".to_vec();
        let error = String::from_utf8(bytes).unwrap_err();
        let d = not_utf8(Code::Input, "m.md", &error, "Markdown");
        assert_eq!((d.line(), d.column()), (4, 3));
        assert_eq!(d.message, "the file is not UTF-8 text");
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let error =
            parse_page("m.md", Arc::from("---\ntitle: A\n"), &Limits::default()).unwrap_err();
        assert_eq!(error.line(), 1);
        assert_eq!(error.message, "front matter is not closed");
    }

    #[test]
    fn locate_points_at_the_value_under_its_key() {
        let p = page(
            "m.md",
            "---\ntitle: prompting\nskills:\n  - prompting\n  - guessing\n---\n",
        );
        let range = p.locate("skills", "guessing");
        assert_eq!(&p.text[range], "guessing");
        let range = p.locate("skills", "prompting");
        let d = p.diagnostic(Code::Input, range, "x");
        assert_eq!(d.line(), 4);
    }
}
