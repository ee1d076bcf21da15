//! `proficio check`: every validation a build runs, plus checks on the
//! rendered site, without writing anything. The site is rendered in memory
//! ([`build::render`]); its HTML pages are read with a WHATWG tokenizer to
//! find internal links and `#anchors` that lead nowhere (including links the
//! templates produce) and images without alt text. Content files that no page
//! references, modules that belong to no learning track and whatever
//! sanitizing removed from a body's raw HTML are warnings.
//! Each [`Finding`] is located in the Markdown source when it comes from
//! there, and otherwise in the rendered page, with a hint naming the template.
//! A [`Report`] prints as a human report or as a stable JSON document.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use codespan_reporting::diagnostic::{Diagnostic as CodespanReport, Label, Severity as Level};
use codespan_reporting::term;
use html5gum::{DefaultEmitter, StartTag, Token, Tokenizer};
use serde::Serialize;

use crate::base::diagnostics::{Diagnostic, Error, Excerpt, Result, printable_path, tidy};
use crate::build::output::Contents;
use crate::build::{self, BuildOptions, RenderedSite};
use crate::input::config::{Config, RawHtml};
use crate::input::content::{self, ContentStore, Page};
use crate::render::markdown;

/// The version of the JSON report's schema.
pub const JSON_VERSION: u64 = 1;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Fails the check.
    Error,
    /// Reported; fails the check only with `--strict`.
    Warning,
}

impl Severity {
    /// `error` or `warning`, as the JSON report spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// What a finding shows in the human report besides its message.
#[derive(Debug, Clone)]
enum Snippet {
    /// A diagnostic from the build's own validation.
    Input(Diagnostic),
    /// A place in a text: the content source or the rendered page.
    Text {
        source: Arc<str>,
        span: Range<usize>,
    },
    /// No position (a whole file).
    None,
}

/// One problem the check found.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// Stable identifier of the kind of problem, such as `broken-link`.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// The file, relative to the site root.
    pub file: PathBuf,
    /// 1-based line; 0 when the finding concerns the whole file.
    pub line: usize,
    /// 1-based column (in characters); 0 when the finding concerns the whole file.
    pub column: usize,
    /// How to fix it, or where the problem comes from.
    pub hint: Option<String>,
    snippet: Snippet,
}

impl Finding {
    /// A finding at byte range `span` of `source`, the text of `file`.
    fn at(
        severity: Severity,
        code: &'static str,
        file: PathBuf,
        source: Arc<str>,
        span: Range<usize>,
        message: String,
    ) -> Finding {
        let located = Diagnostic::new(&file, source.clone(), span.clone(), "");
        Finding {
            severity,
            code,
            message,
            line: located.line(),
            column: located.column(),
            file,
            hint: None,
            snippet: Snippet::Text { source, span },
        }
    }

    /// A finding about a whole file.
    fn whole_file(severity: Severity, code: &'static str, file: PathBuf, message: String) -> Self {
        Finding {
            severity,
            code,
            message,
            file,
            line: 0,
            column: 0,
            hint: None,
            snippet: Snippet::None,
        }
    }

    /// An error the build's validation reported.
    fn from_input(diagnostic: Diagnostic) -> Finding {
        Finding {
            severity: Severity::Error,
            code: input_code(&diagnostic),
            message: diagnostic.message.clone(),
            file: diagnostic.file.clone(),
            line: diagnostic.line(),
            column: diagnostic.column(),
            hint: diagnostic
                .expected
                .as_ref()
                .map(|e| format!("expected {e}")),
            snippet: Snippet::Input(diagnostic),
        }
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The finding as a terminal report with the source line and a caret.
    pub fn render(&self, colour: bool) -> String {
        match &self.snippet {
            Snippet::Input(diagnostic) => diagnostic.render(colour),
            Snippet::Text { source, span } => self.render_snippet(source, span.clone(), colour),
            Snippet::None => {
                let mut text = format!(
                    "{}[{}]: {}\n  --> {}\n",
                    self.severity.as_str(),
                    self.code,
                    tidy(&self.message),
                    name_of(&self.file)
                );
                if let Some(hint) = &self.hint {
                    text.push_str(&format!("  = {hint}\n"));
                }
                text.push('\n');
                text
            }
        }
    }

    fn render_snippet(&self, source: &str, span: Range<usize>, colour: bool) -> String {
        let file = Excerpt::new(&self.file, source, span);
        let level = match self.severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
        };
        let report = CodespanReport::new(level)
            .with_code(self.code)
            .with_message(tidy(&self.message))
            .with_labels(vec![Label::primary((), file.span())])
            .with_notes(self.hint.iter().cloned().collect());
        let config = term::Config::default();
        if colour {
            let mut buffer = term::termcolor::Buffer::ansi();
            if term::emit_to_write_style(&mut buffer, &config, &file, &report).is_ok() {
                return String::from_utf8_lossy(buffer.as_slice()).into_owned();
            }
        }
        term::emit_into_string(&config, &file, &report).unwrap_or_else(|_| {
            format!(
                "{}:{}:{}: {}\n",
                name_of(&self.file),
                self.line,
                self.column,
                self.message
            )
        })
    }

    fn sort_key(&self) -> (&Path, usize, usize, &'static str, &str) {
        (&self.file, self.line, self.column, self.code, &self.message)
    }
}

fn name_of(path: &Path) -> String {
    printable_path(path)
}

/// A more specific code for a build diagnostic: its own, or one told from
/// its file and message.
fn input_code(diagnostic: &Diagnostic) -> &'static str {
    let file = diagnostic.file.to_string_lossy().replace('\\', "/");
    if let Some(code) = diagnostic.code {
        code
    } else if diagnostic.message.starts_with("link to") {
        "broken-link"
    } else if file.starts_with("content/partners/") {
        "partner-data"
    } else if file == crate::input::config::CONFIG_FILE {
        "config"
    } else if file.starts_with("templates/") || file.starts_with("themes/") {
        "template"
    } else {
        "input"
    }
}

/// Everything a check found, in a stable order.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The findings, sorted by file, line, column and code.
    pub findings: Vec<Finding>,
}

impl Report {
    fn new(mut findings: Vec<Finding>) -> Report {
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        findings.dedup_by(|a, b| a.sort_key() == b.sort_key());
        Report { findings }
    }

    /// Turns every warning into an error, as `--strict` does.
    pub fn make_strict(&mut self) {
        for finding in &mut self.findings {
            finding.severity = Severity::Error;
        }
    }

    /// How many findings are errors.
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    /// How many findings are warnings.
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// The report as the documented JSON document (see `docs/ci.md`), with
    /// keys in the documented order.
    pub fn to_json(&self) -> String {
        let findings = self
            .findings
            .iter()
            .map(|f| JsonFinding {
                severity: f.severity.as_str(),
                code: f.code,
                message: &f.message,
                file: f.file.to_string_lossy().replace('\\', "/"),
                line: f.line,
                column: f.column,
                hint: f.hint.as_deref(),
            })
            .collect();
        let document = JsonReport {
            version: JSON_VERSION,
            findings,
            errors: self.errors(),
            warnings: self.warnings(),
        };
        serde_json::to_string_pretty(&document).unwrap_or_default()
    }

    /// The human report: every finding, then a summary line.
    pub fn render(&self, colour: bool) -> String {
        let mut text: String = self.findings.iter().map(|f| f.render(colour)).collect();
        text.push_str(&self.summary());
        text.push('\n');
        text
    }

    /// One line: how many errors and warnings.
    pub fn summary(&self) -> String {
        let (errors, warnings) = (self.errors(), self.warnings());
        if errors + warnings == 0 {
            return "check: no problems found".to_string();
        }
        format!(
            "check: {errors} error{}, {warnings} warning{}",
            plural(errors),
            plural(warnings)
        )
    }
}

/// The JSON report, in the order docs/ci.md shows.
#[derive(Serialize)]
struct JsonReport<'a> {
    version: u64,
    findings: Vec<JsonFinding<'a>>,
    errors: usize,
    warnings: usize,
}

/// One finding of the JSON report.
#[derive(Serialize)]
struct JsonFinding<'a> {
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    file: String,
    line: usize,
    column: usize,
    hint: Option<&'a str>,
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// Checks the site described by `options` without writing anything. Input
/// problems become findings; only errors that stop reading the site at all
/// (an unreadable folder, a refused option) are returned as errors.
pub fn check(options: &BuildOptions) -> Result<Report> {
    let findings = match build::render_once(options) {
        Ok(site) => inspect(options, &site)?,
        Err(Error::Input(problems)) => problems.into_iter().map(Finding::from_input).collect(),
        Err(other) => return Err(other),
    };
    Ok(Report::new(findings))
}

/// The checks on a rendered site.
fn inspect(options: &BuildOptions, site: &RenderedSite) -> Result<Vec<Finding>> {
    let mut config = Config::load(&options.root)?.config;
    if let Some(base_url) = &options.base_url {
        config.set_base_url(base_url)?;
    }
    let (store, _) = content::load(&options.root, options.drafts)?;
    let portal = Portal::new(options, &config, &store, site);
    let mut links = portal.check_pages();
    links
        .findings
        .extend(portal.unused_assets(&links.referenced));
    links
        .findings
        .extend(modules_without_track(&store, &config));
    if config.markdown.html == RawHtml::Sanitize {
        links.findings.extend(sanitized(&store));
    }
    // A partner audience's notes name no file: the partners' folder stands
    // for the file that may not be named.
    let partners = Path::new(content::CONTENT_DIR).join(content::PARTNERS_DIR);
    links.findings.extend(site.notes.iter().map(|note| {
        Finding::whole_file(
            Severity::Warning,
            "partner-data",
            partners.clone(),
            note.clone(),
        )
        .hint("check without --audience to see the problem")
    }));
    Ok(links.findings)
}

/// The rendered site as the checks see it.
struct Portal<'a> {
    root: &'a Path,
    base_url: String,
    base_path: String,
    /// The output folder, relative to the root where possible, for locations.
    output_dir: PathBuf,
    /// Every output path.
    files: BTreeSet<&'a str>,
    /// Every HTML page, parsed.
    pages: BTreeMap<&'a str, ParsedPage>,
    /// Output path of a page → the content source it renders.
    sources: BTreeMap<String, &'a Page>,
    /// Output path of a page → its template.
    templates: BTreeMap<&'a str, &'a str>,
    store: &'a ContentStore,
}

/// What the links of every page found, and which files they reach.
struct LinkResults {
    findings: Vec<Finding>,
    referenced: HashSet<String>,
}

impl<'a> Portal<'a> {
    fn new(
        options: &'a BuildOptions,
        config: &Config,
        store: &'a ContentStore,
        site: &'a RenderedSite,
    ) -> Portal<'a> {
        let pages = site
            .files
            .iter()
            .filter(|f| f.path.ends_with(".html"))
            .filter_map(|f| match &f.contents {
                Contents::Bytes(bytes) => Some((f.path.as_str(), ParsedPage::parse(bytes))),
                Contents::Copy(_) => None,
            })
            .collect();
        let sources = store
            .pages
            .values()
            .map(|page| (output_of(&page.path), page))
            .collect();
        Portal {
            root: &options.root,
            base_url: config.base_url.trim_end_matches('/').to_string(),
            base_path: config.base_path().to_string(),
            output_dir: site
                .output_dir
                .strip_prefix(&options.root)
                .unwrap_or(&site.output_dir)
                .to_path_buf(),
            files: site.files.iter().map(|f| f.path.as_str()).collect(),
            pages,
            sources,
            templates: site
                .pages
                .iter()
                .map(|p| (p.output.as_str(), p.template.as_str()))
                .collect(),
            store,
        }
    }

    /// Links, anchors and alt text of every page. A template mistake repeats
    /// on many pages: it is reported once, on the first page, with a count.
    fn check_pages(&self) -> LinkResults {
        let mut results = LinkResults {
            findings: Vec::new(),
            referenced: HashSet::new(),
        };
        let mut from_templates: BTreeMap<(&'static str, String), (Finding, usize)> =
            BTreeMap::new();
        for (output, page) in &self.pages {
            for (finding, in_markdown) in self.check_page(output, page, &mut results.referenced) {
                if in_markdown {
                    results.findings.push(finding);
                } else {
                    let key = (finding.code, finding.message.clone());
                    from_templates.entry(key).or_insert((finding, 0)).1 += 1;
                }
            }
        }
        for (_, (mut finding, count)) in from_templates {
            if count > 1 {
                finding.message.push_str(&format!(
                    " (and on {} other page{})",
                    count - 1,
                    plural(count - 1)
                ));
            }
            results.findings.push(finding);
        }
        results
    }

    /// The findings of one page, each with whether it is located in Markdown.
    fn check_page(
        &self,
        output: &str,
        page: &ParsedPage,
        referenced: &mut HashSet<String>,
    ) -> Vec<(Finding, bool)> {
        let mut findings = Vec::new();
        for reference in &page.references {
            if let Some(problem) = self.check_reference(output, reference, referenced) {
                findings.push(self.locate(output, page, reference.span.clone(), problem));
            }
        }
        for image in &page.images_without_alt {
            let problem = Problem {
                code: "image-missing-alt",
                message: format!("image `{}` has no alt text", image.src),
                hint: "add alt=\"…\" describing the image, or alt=\"\" if it is only decoration"
                    .to_string(),
                needles: vec![
                    Needle::attribute(&image.src),
                    Needle::segment(last_segment(&image.src)),
                ],
            };
            findings.push(self.locate(output, page, image.span.clone(), problem));
        }
        findings
    }

    /// Checks one link, recording the file it reaches.
    fn check_reference(
        &self,
        output: &str,
        reference: &Reference,
        referenced: &mut HashSet<String>,
    ) -> Option<Problem> {
        let url = reference.url.trim();
        match self.resolve(output, url) {
            Resolved::External => None,
            Resolved::Missing(why) => Some(Problem::broken_link(url, why)),
            Resolved::Found { file, fragment } => {
                referenced.insert(file.clone());
                self.check_fragment(url, &file, fragment.as_deref())
            }
        }
    }

    /// A `#fragment` must name an element of the target page.
    fn check_fragment(&self, url: &str, file: &str, fragment: Option<&str>) -> Option<Problem> {
        let fragment = fragment.filter(|f| !f.is_empty() && *f != "top")?;
        let target = self.pages.get(file)?;
        if target.ids.contains(fragment) {
            return None;
        }
        Some(Problem::broken_anchor(url, file, fragment, &target.ids))
    }

    /// Resolves a URL found on page `from` to an output file.
    fn resolve(&self, from: &str, url: &str) -> Resolved {
        let own_site = self.base_url.clone() + "/";
        let url = match url.strip_prefix(&own_site) {
            Some(rest) => format!("{}{rest}", self.base_path),
            None if url == self.base_url => self.base_path.clone(),
            None => url.to_string(),
        };
        if url.is_empty() || has_scheme(&url) || url.starts_with("//") {
            return Resolved::External;
        }
        let (before, fragment) = match url.split_once('#') {
            Some((before, fragment)) => (before, Some(percent_decode(fragment))),
            None => (url.as_str(), None),
        };
        let path = before.split_once('?').map_or(before, |(path, _)| path);
        let Some(joined) = self.join(from, path) else {
            return Resolved::Missing(format!(
                "`{path}` is outside the site's base path `{}`",
                self.base_path
            ));
        };
        let candidates = if joined.is_empty() || path.ends_with('/') || path.is_empty() {
            vec![with_index(&joined, path.is_empty(), from)]
        } else {
            vec![joined.clone(), format!("{joined}/index.html")]
        };
        match candidates
            .into_iter()
            .find(|c| self.files.contains(c.as_str()))
        {
            Some(file) => Resolved::Found { file, fragment },
            None => Resolved::Missing(format!("nothing is built at `/{joined}`")),
        }
    }

    /// The output path (without `index.html`) a URL path leads to from page
    /// `from`; `None` for a root-relative path outside the base path.
    fn join(&self, from: &str, path: &str) -> Option<String> {
        if path.is_empty() {
            return Some(from.to_string());
        }
        let relative = if path.starts_with('/') {
            let with_slash = format!("{path}/");
            match path.strip_prefix(&self.base_path) {
                Some(rest) => rest.to_string(),
                None if with_slash == self.base_path => String::new(),
                None => return None,
            }
        } else {
            let folder = from.rfind('/').map_or("", |i| &from[..=i]);
            format!("{folder}{path}")
        };
        Some(normalise(&relative))
    }

    /// Places a problem: in the page's Markdown source when the link can be
    /// found there, otherwise in the rendered page with a hint naming the
    /// template. The flag says whether it was found in Markdown.
    fn locate(
        &self,
        output: &str,
        page: &ParsedPage,
        span: Range<usize>,
        problem: Problem,
    ) -> (Finding, bool) {
        if let Some(source) = self.sources.get(output)
            && let Some(range) = problem.find_in(source)
        {
            let finding = Finding::at(
                Severity::Error,
                problem.code,
                source.file.clone(),
                source.text.clone(),
                range,
                problem.message,
            );
            return (finding.hint(problem.hint), true);
        }
        let finding = Finding::at(
            Severity::Error,
            problem.code,
            self.output_dir.join(output),
            page.html.clone(),
            span,
            problem.message,
        );
        let origin = self.origin(output);
        (finding.hint(format!("{}; {origin}", problem.hint)), false)
    }

    /// Where a rendered page's markup comes from, for hints.
    fn origin(&self, output: &str) -> String {
        let Some(template) = self.templates.get(output) else {
            return "the page is a static file of the site or its theme".to_string();
        };
        let place = if self.root.join("templates").join(template).is_file() {
            format!("the site's templates/{template}")
        } else {
            format!("the theme's template {template}")
        };
        match self.sources.get(output) {
            Some(source) => format!(
                "it comes from {place} (or a template it extends or includes), rendering {}",
                source.file.display()
            ),
            None => format!("it comes from {place} (or a template it extends or includes)"),
        }
    }

    /// Content files copied to the site that no page references.
    fn unused_assets(&self, referenced: &HashSet<String>) -> Vec<Finding> {
        self.store
            .assets
            .iter()
            .filter(|asset| !referenced.contains(&asset.output))
            .map(|asset| {
                let file = asset
                    .source
                    .strip_prefix(self.root)
                    .unwrap_or(&asset.source)
                    .to_path_buf();
                Finding::whole_file(
                    Severity::Warning,
                    "unused-asset",
                    file,
                    format!(
                        "`{}` is copied to the site, but no page links to it or shows it",
                        asset.output
                    ),
                )
                .hint("link to it or embed it from a page, or delete it")
            })
            .collect()
    }
}

/// Modules that no learning track reaches.
fn modules_without_track(store: &ContentStore, config: &Config) -> Vec<Finding> {
    let tracks: Vec<&str> = config.tracks.iter().map(|t| t.id.as_str()).collect();
    store
        .modules()
        .filter(|module| module.front.track.is_none())
        .map(|module| {
            let start = module.front_range.start;
            let end = module.text[start..]
                .find('\n')
                .map_or(module.text.len(), |i| start + i);
            Finding::at(
                Severity::Warning,
                "module-without-track",
                module.file.clone(),
                module.text.clone(),
                start..end,
                format!(
                    "module `{}` belongs to no learning track, so no track page leads to it",
                    module.id
                ),
            )
            .hint(format!(
                "add `track: <id>` to its front matter (tracks: {})",
                if tracks.is_empty() {
                    "none in site.toml".to_string()
                } else {
                    tracks.join(", ")
                }
            ))
        })
        .collect()
}

/// What sanitizing removed from each body, one warning per removal.
fn sanitized(store: &ContentStore) -> Vec<Finding> {
    store
        .pages
        .values()
        .flat_map(|page| {
            markdown::removals(page).into_iter().map(|removal| {
                Finding::at(
                    Severity::Warning,
                    "raw-html-removed",
                    page.file.clone(),
                    page.text.clone(),
                    removal.span,
                    format!("sanitizing removed {} from this page", removal.what),
                )
                .hint(
                    "write it in Markdown or as HTML the allow-list keeps (docs/content.md, \"Raw HTML\"); \
                     a site whose writers are all trusted can set `html = \"allow\"` under `[markdown]`",
                )
            })
        })
        .collect()
}

/// Where a URL leads.
enum Resolved {
    /// Another site, or a scheme such as `mailto:`: not checked.
    External,
    /// An output file, with the fragment asked for.
    Found {
        file: String,
        fragment: Option<String>,
    },
    /// Nothing the build produces; why, for the hint.
    Missing(String),
}

/// A problem before it is located.
struct Problem {
    code: &'static str,
    message: String,
    hint: String,
    /// What to look for in the Markdown source, in order.
    needles: Vec<Needle>,
}

impl Problem {
    fn broken_link(url: &str, why: String) -> Problem {
        let (before, _) = url.split_once('#').unwrap_or((url, ""));
        Problem {
            code: "broken-link",
            message: format!("link to `{url}`, which is not a page or file of the site"),
            hint: why,
            needles: vec![
                Needle::attribute(url),
                Needle::segment(last_segment(before)),
            ],
        }
    }

    fn broken_anchor(url: &str, file: &str, fragment: &str, ids: &HashSet<String>) -> Problem {
        let mut known: Vec<&str> = ids.iter().map(String::as_str).collect();
        known.sort_unstable();
        let shown = known.iter().take(8).copied().collect::<Vec<_>>().join(", ");
        Problem {
            code: "broken-anchor",
            message: format!("link to `{url}`: `{file}` has no element with id `{fragment}`"),
            hint: if shown.is_empty() {
                "that page has no ids".to_string()
            } else {
                format!("ids on that page include: {shown}")
            },
            needles: vec![Needle::attribute(url), Needle::fragment(fragment)],
        }
    }

    /// Byte range of the first needle found in the page's Markdown body.
    fn find_in(&self, page: &Page) -> Option<Range<usize>> {
        let body = page.body();
        self.needles.iter().find_map(|needle| {
            needle
                .find(body)
                .map(|i| page.body_start + i..page.body_start + i + needle.text.len())
        })
    }
}

/// Text to look for in a Markdown body, with what may stand before it.
struct Needle {
    text: String,
    /// Characters allowed just before; empty for any.
    before: &'static str,
}

impl Needle {
    /// A whole URL, as written in `(…)`, `<…>` or an HTML attribute.
    fn attribute(url: &str) -> Needle {
        Needle {
            text: url.to_string(),
            before: "(<\"'= \t\n",
        }
    }

    /// `#fragment`, after a path or alone.
    fn fragment(fragment: &str) -> Needle {
        Needle {
            text: format!("#{fragment}"),
            before: "",
        }
    }

    /// A file name at the end of a path.
    fn segment(segment: &str) -> Needle {
        Needle {
            text: segment.to_string(),
            before: "/(<\"'= \t\n",
        }
    }

    fn find(&self, body: &str) -> Option<usize> {
        if self.text.is_empty() {
            return None;
        }
        body.match_indices(self.text.as_str())
            .map(|(i, _)| i)
            .find(|&i| {
                let previous = body[..i].chars().next_back();
                let next = body[i + self.text.len()..].chars().next();
                let before_ok =
                    self.before.is_empty() || previous.is_some_and(|c| self.before.contains(c));
                let after_ok = next.is_none_or(|c| c.is_whitespace() || ")\"'>".contains(c));
                before_ok && after_ok
            })
    }
}

/// A link or resource URL in a rendered page.
struct Reference {
    url: String,
    /// Byte range of the attribute in the page.
    span: Range<usize>,
}

/// An `<img>` without an `alt` attribute.
struct Image {
    src: String,
    /// Byte range of the tag's name (`<img`) in the page.
    span: Range<usize>,
}

/// What the checks need from one rendered HTML page.
struct ParsedPage {
    html: Arc<str>,
    references: Vec<Reference>,
    ids: HashSet<String>,
    images_without_alt: Vec<Image>,
}

impl ParsedPage {
    fn parse(bytes: &[u8]) -> ParsedPage {
        let html: Arc<str> = Arc::from(String::from_utf8_lossy(bytes).as_ref());
        let mut page = ParsedPage {
            html: html.clone(),
            references: Vec::new(),
            ids: HashSet::new(),
            images_without_alt: Vec::new(),
        };
        let mut emitter = DefaultEmitter::<usize>::new_with_span();
        // Keeps the text of <script> and <style> from being read as tags.
        emitter.naively_switch_states(true);
        for token in Tokenizer::new_with_emitter(html.as_ref(), emitter).flatten() {
            if let Token::StartTag(tag) = token {
                page.add(&tag);
            }
        }
        page
    }

    fn add(&mut self, tag: &StartTag<usize>) {
        let attribute = |name: &str| {
            tag.attributes.get(name.as_bytes()).map(|value| {
                (
                    String::from_utf8_lossy(&value.value).into_owned(),
                    value.span.start..value.span.end.max(value.span.start),
                )
            })
        };
        if let Some((id, _)) = attribute("id") {
            self.ids.insert(id);
        }
        let name: &[u8] = &tag.name;
        if name == b"a"
            && let Some((anchor, _)) = attribute("name")
        {
            self.ids.insert(anchor);
        }
        let link = match name {
            b"a" | b"link" => attribute("href"),
            b"img" | b"script" | b"source" => attribute("src"),
            _ => None,
        };
        if let Some((url, span)) = link {
            self.references.push(Reference { url, span });
        }
        if name == b"img" && attribute("alt").is_none() {
            let src = attribute("src").map(|(src, _)| src).unwrap_or_default();
            let start = tag.span.start;
            self.images_without_alt.push(Image {
                src,
                span: start..start + "<img".len(),
            });
        }
    }
}

/// The output file of a page published at URL path `path` (without the base path).
fn output_of(path: &str) -> String {
    format!("{}index.html", path.trim_start_matches('/'))
}

/// `folder/index.html` for a path naming a folder; the page itself for `#…` links.
fn with_index(joined: &str, same_page: bool, from: &str) -> String {
    if same_page {
        from.to_string()
    } else if joined.is_empty() {
        "index.html".to_string()
    } else {
        format!("{joined}/index.html")
    }
}

/// Resolves `.` and `..` and decodes `%XX`; the result has no leading or
/// trailing `/`.
fn normalise(path: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(percent_decode(other)),
        }
    }
    parts.join("/")
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// True for `https:`, `mailto:`, `data:` and other URL schemes.
fn has_scheme(url: &str) -> bool {
    let Some(colon) = url.find(':') else {
        return false;
    };
    let scheme = &url[..colon];
    scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

fn last_segment(path: &str) -> &str {
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_told_from_paths() {
        assert!(has_scheme("https://example.com/"));
        assert!(has_scheme("mailto:a@b.c"));
        assert!(!has_scheme("/modules/"));
        assert!(!has_scheme("a/b:c"));
        assert!(!has_scheme("#top"));
    }

    #[test]
    fn paths_are_normalised_and_decoded() {
        assert_eq!(normalise("modules/x/../y/./a%20b.svg"), "modules/y/a b.svg");
        assert_eq!(normalise("../../x"), "x");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
    }

    #[test]
    fn pages_give_links_ids_and_images_without_alt() {
        let page = ParsedPage::parse(
            br#"<h2 id="a">A</h2><script>let s = "<a href='/no/'>";</script>
<a href="/x/#a">x</a><img src="i.png"><img src="d.png" alt="">"#,
        );
        let urls: Vec<&str> = page.references.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(urls, ["/x/#a", "i.png", "d.png"]);
        assert!(page.ids.contains("a"));
        assert_eq!(page.images_without_alt.len(), 1);
        assert_eq!(page.images_without_alt[0].src, "i.png");
    }

    #[test]
    fn needles_respect_their_delimiters() {
        let needle = Needle::attribute("/x/");
        assert_eq!(needle.find("see /x/y and [x](/x/)"), Some(17));
        assert_eq!(Needle::fragment("part").find("[a](@/m.md#part)"), Some(10));
    }
}
