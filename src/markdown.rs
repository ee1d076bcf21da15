//! Markdown to HTML with pulldown-cmark: GFM tables, task lists,
//! strikethrough, footnotes and alerts (`> [!TIP]`, rendered as callouts),
//! unique heading ids with anchor links and a table of contents, fenced code
//! highlighted through [`crate::highlight`], and links to other content by
//! source path (`@/modules/x.md#part`, or a relative `x.md`) rewritten to
//! final URLs. A link to content that does not exist is a located error.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html,
};
use serde::Serialize;

use crate::content::{Absence, Page, PageKind};
use crate::diagnostics::Diagnostic;
use crate::highlight;

/// One heading in a page's table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    /// Heading level, 2 to 6.
    pub level: u8,
    /// The heading's id (its anchor).
    pub id: String,
    /// The heading's text.
    pub title: String,
    /// Headings nested under this one.
    pub children: Vec<TocEntry>,
}

/// A rendered Markdown body.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The HTML.
    pub html: String,
    /// Headings from level 2 down, nested.
    pub toc: Vec<TocEntry>,
    /// Words of prose, for reading time.
    pub word_count: usize,
    /// Dead internal links and other problems, located in the page's file.
    pub problems: Vec<Diagnostic>,
}

/// Where internal links can point: content source keys to their URL paths.
#[derive(Debug, Clone, Default)]
pub struct LinkTargets {
    /// Prefix of every URL (`/` or `/portal/`).
    pub base_path: String,
    /// `modules/qbr.md` → `/modules/qbr/`.
    pub paths: BTreeMap<String, String>,
    /// Sources that exist but are not published.
    pub left_out: BTreeMap<String, Absence>,
}

impl LinkTargets {
    /// The public URL of a content path, with the base path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_path, path.trim_start_matches('/'))
    }
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

/// What the compute stage needs of a body without its HTML: the table of
/// contents, the word count and the dead links, at a small fraction of the
/// cost of [`render`] (no highlighting, no HTML written).
#[derive(Debug, Clone, Default)]
pub struct Outline {
    /// Headings from level 2 down, nested.
    pub toc: Vec<TocEntry>,
    /// Words of prose, for reading time.
    pub word_count: usize,
    /// Dead internal links and other problems, located in the page's file.
    pub problems: Vec<Diagnostic>,
}

/// Renders the body of `page`.
pub fn render(page: &Page, targets: &LinkTargets) -> Rendered {
    let (events, state) = transform(page, targets, true);
    let mut out = String::with_capacity(page.body().len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    Rendered {
        html: out,
        toc: nest(state.headings),
        word_count: state.word_count,
        problems: state.problems,
    }
}

/// Reads the body of `page` for its outline; [`render`] gives the same
/// outline with the HTML.
pub fn outline(page: &Page, targets: &LinkTargets) -> Outline {
    let (_, state) = transform(page, targets, false);
    Outline {
        toc: nest(state.headings),
        word_count: state.word_count,
        problems: state.problems,
    }
}

fn transform<'a>(
    page: &'a Page,
    targets: &'a LinkTargets,
    highlight: bool,
) -> (Vec<Event<'a>>, State<'a>) {
    let skip = page
        .title_heading
        .clone()
        .map(|r| r.start - page.body_start..r.end - page.body_start);
    let mut state = State {
        page,
        targets,
        highlight,
        problems: Vec::new(),
        ids: HashSet::new(),
        headings: Vec::new(),
        word_count: 0,
    };
    let parser = Parser::new_ext(page.body(), options()).into_offset_iter();
    let events = state.transform(parser, skip);
    (events, state)
}

struct State<'a> {
    page: &'a Page,
    targets: &'a LinkTargets,
    /// Whether code blocks are highlighted (and written at all).
    highlight: bool,
    problems: Vec<Diagnostic>,
    ids: HashSet<String>,
    headings: Vec<TocEntry>,
    word_count: usize,
}

/// A heading being collected until its end tag.
struct OpenHeading<'e> {
    level: HeadingLevel,
    id: Option<String>,
    classes: Vec<CowStr<'e>>,
    events: Vec<Event<'e>>,
    text: String,
}

impl<'a> State<'a> {
    fn transform<'e>(
        &mut self,
        events: impl Iterator<Item = (Event<'e>, Range<usize>)>,
        skip: Option<Range<usize>>,
    ) -> Vec<Event<'e>> {
        let mut out = Vec::new();
        let mut heading: Option<OpenHeading<'e>> = None;
        let mut code: Option<(String, String)> = None;
        for (event, range) in events {
            if skip
                .as_ref()
                .is_some_and(|s| s.start <= range.start && range.end <= s.end)
            {
                continue;
            }
            if let Some((language, text)) = code.as_mut() {
                match event {
                    Event::Text(t) if self.highlight => text.push_str(&t),
                    Event::End(TagEnd::CodeBlock) => {
                        if self.highlight {
                            out.push(Event::Html(code_block(language, text).into()));
                        }
                        code = None;
                    }
                    _ => {}
                }
                continue;
            }
            let event = match event {
                Event::Start(Tag::CodeBlock(kind)) => {
                    let language = match kind {
                        CodeBlockKind::Fenced(info) => {
                            info.split([' ', ',', '{']).next().unwrap_or("").to_string()
                        }
                        CodeBlockKind::Indented => String::new(),
                    };
                    code = Some((language, String::new()));
                    continue;
                }
                Event::Start(Tag::Heading {
                    level, id, classes, ..
                }) => {
                    heading = Some(OpenHeading {
                        level,
                        id: id.map(|i| i.to_string()),
                        classes,
                        events: Vec::new(),
                        text: String::new(),
                    });
                    continue;
                }
                Event::End(TagEnd::Heading(_)) => {
                    if let Some(open) = heading.take() {
                        out.extend(self.finish_heading(open));
                    }
                    continue;
                }
                Event::Start(Tag::BlockQuote(Some(kind))) => Event::Html(callout_open(kind).into()),
                Event::End(TagEnd::BlockQuote(Some(_))) => Event::Html("</div>\n".into()),
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let dest_url = self
                        .resolve(&dest_url, &range)
                        .or_else(|| self.relocate_asset(&dest_url))
                        .map_or(dest_url, CowStr::from);
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })
                }
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let dest_url = self
                        .relocate_asset(&dest_url)
                        .map_or(dest_url, CowStr::from);
                    Event::Start(Tag::Image {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })
                }
                Event::Text(text) => {
                    self.word_count += text.split_whitespace().count();
                    Event::Text(text)
                }
                other => other,
            };
            match heading.as_mut() {
                Some(open) => {
                    if let Event::Text(t) | Event::Code(t) = &event {
                        open.text.push_str(t);
                    }
                    open.events.push(event);
                }
                None => out.push(event),
            }
        }
        out
    }

    fn finish_heading<'e>(&mut self, open: OpenHeading<'e>) -> Vec<Event<'e>> {
        let title = open.text.trim().to_string();
        let wanted = open.id.unwrap_or_else(|| slugify(&title));
        let id = unique_id(
            &mut self.ids,
            if wanted.is_empty() {
                "section"
            } else {
                &wanted
            },
        );
        let level = open.level as u8;
        if level >= 2 {
            self.headings.push(TocEntry {
                level,
                id: id.clone(),
                title,
                children: Vec::new(),
            });
        }
        let class = if open.classes.is_empty() {
            String::new()
        } else {
            format!(" class=\"{}\"", escape(&open.classes.join(" ")))
        };
        let mut events = vec![Event::Html(
            format!("<h{level} id=\"{}\"{class}>", escape(&id)).into(),
        )];
        events.extend(open.events);
        events.push(Event::Html(
            format!(" <a class=\"anchor\" href=\"#{0}\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h{level}>\n", escape(&id)).into(),
        ));
        events
    }

    /// Rewrites links to content by source path; `None` leaves the link as written.
    fn resolve(&mut self, destination: &str, range: &Range<usize>) -> Option<String> {
        let (path, fragment) = match destination.split_once('#') {
            Some((path, fragment)) => (path, Some(fragment)),
            None => (destination, None),
        };
        let key = if let Some(absolute) = path.strip_prefix("@/") {
            absolute.to_string()
        } else if path.ends_with(".md") && !is_external(path) && !path.starts_with('/') {
            join_relative(&self.page.folder, path)?
        } else {
            return None;
        };
        let key = key.trim_start_matches('/').to_string();
        match self.targets.paths.get(&key) {
            Some(target) => {
                let mut url = self.targets.url(target);
                if let Some(fragment) = fragment {
                    url.push('#');
                    url.push_str(fragment);
                }
                Some(url)
            }
            None => {
                let (message, expected) = match self.targets.left_out.get(&key) {
                    // The target's own parse error is already reported.
                    Some(Absence::Broken) => return None,
                    Some(Absence::Draft) => (
                        format!("link to `{path}`, which is a draft"),
                        "a link to a published page, or a build with --drafts",
                    ),
                    None => (
                        format!("link to `{path}`, which is not a content file"),
                        "the path of a Markdown file under content/, such as @/modules/qbr-narrative.md",
                    ),
                };
                let start = self.page.body_start + range.start;
                let link_text = &self.page.text[start..self.page.body_start + range.end];
                let offset = link_text.find(path).map_or(start, |i| start + i);
                self.problems.push(
                    self.page
                        .diagnostic(offset..offset + path.len(), message)
                        .expected(expected),
                );
                None
            }
        }
    }

    /// A page `a/b.md` is published at `/a/b/`, one folder deeper than its
    /// source, so its relative asset links gain a `../`.
    fn relocate_asset(&self, destination: &str) -> Option<String> {
        let is_relative = !destination.is_empty()
            && !is_external(destination)
            && !destination.starts_with(['/', '#', '@', '?']);
        let needs_step_up = self.page.kind != PageKind::Section && !self.page.is_bundle;
        (is_relative && needs_step_up).then(|| format!("../{destination}"))
    }
}

fn is_external(path: &str) -> bool {
    path.contains("://") || path.starts_with("mailto:") || path.starts_with("tel:")
}

/// Resolves `path` against `folder`, both relative to `content/`.
fn join_relative(folder: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

fn code_block(language: &str, code: &str) -> String {
    let lang_attr = if language.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", escape(language))
    };
    let highlighted = if language.is_empty() {
        None
    } else {
        highlight::highlight(code, language)
    };
    let body = highlighted.unwrap_or_else(|| escape(code));
    format!("<pre class=\"code\"><code{lang_attr}>{body}</code></pre>\n")
}

fn callout_open(kind: BlockQuoteKind) -> String {
    let (class, title) = match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    };
    format!("<div class=\"callout callout-{class}\">\n<p class=\"callout-title\">{title}</p>\n")
}

/// Lower-case words joined by dashes: `Measure the time saved` →
/// `measure-the-time-saved`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

fn unique_id(taken: &mut HashSet<String>, wanted: &str) -> String {
    let mut id = wanted.to_string();
    let mut n = 1;
    while !taken.insert(id.clone()) {
        id = format!("{wanted}-{n}");
        n += 1;
    }
    id
}

/// Builds the nested table of contents from headings in document order.
fn nest(flat: Vec<TocEntry>) -> Vec<TocEntry> {
    let mut roots: Vec<TocEntry> = Vec::new();
    for entry in flat {
        insert_nested(&mut roots, entry);
    }
    roots
}

fn insert_nested(siblings: &mut Vec<TocEntry>, entry: TocEntry) {
    match siblings.last_mut() {
        Some(last) if last.level < entry.level => insert_nested(&mut last.children, entry),
        _ => siblings.push(entry),
    }
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::parse_page;
    use std::sync::Arc;

    fn targets() -> LinkTargets {
        let mut paths = BTreeMap::new();
        paths.insert("modules/qbr.md".to_string(), "/modules/qbr/".to_string());
        paths.insert(
            "modules/prep/index.md".to_string(),
            "/modules/prep/".to_string(),
        );
        LinkTargets {
            base_path: "/portal/".to_string(),
            paths,
            left_out: BTreeMap::new(),
        }
    }

    fn render_text(source: &str, text: &str) -> Rendered {
        let page = parse_page(source, Arc::from(text)).expect("page");
        render(&page, &targets())
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Measure the time saved"), "measure-the-time-saved");
        assert_eq!(slugify("  QBR: prep & follow-up!  "), "qbr-prep-follow-up");
        assert_eq!(slugify("***"), "");
    }

    #[test]
    fn headings_get_unique_ids_anchors_and_a_nested_toc() {
        let out = render_text("m.md", "## Plan\n### Steps\n## Plan\n");
        assert!(
            out.html
                .contains("<h2 id=\"plan\">Plan <a class=\"anchor\" href=\"#plan\""),
            "{}",
            out.html
        );
        assert!(out.html.contains("<h2 id=\"plan-1\">"), "{}", out.html);
        assert_eq!(out.toc.len(), 2);
        assert_eq!(out.toc[0].children[0].id, "steps");
    }

    #[test]
    fn links_by_source_path_become_urls() {
        let out = render_text(
            "modules/a.md",
            "[x](@/modules/qbr.md#measure) [y](qbr.md) [z](prep/index.md) [w](https://e.example/a.md)",
        );
        assert!(
            out.html.contains("href=\"/portal/modules/qbr/#measure\""),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("href=\"/portal/modules/qbr/\""),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("href=\"/portal/modules/prep/\""),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("href=\"https://e.example/a.md\""),
            "{}",
            out.html
        );
        assert!(out.problems.is_empty());
    }

    #[test]
    fn dead_links_are_located() {
        let out = render_text(
            "modules/a.md",
            "---\ntitle: A\n---\nIntro\n\nSee [x](@/modules/gone.md).\n",
        );
        let problem = &out.problems[0];
        assert_eq!((problem.line(), problem.column()), (6, 9));
        assert!(
            problem.message.contains("@/modules/gone.md")
                || problem.message.contains("modules/gone.md")
        );
    }

    #[test]
    fn the_outline_is_what_the_render_finds_without_the_html() {
        let text = "---\ntitle: A\n---\n# A\n\n## Plan\n\nThree words here.\n\n\
                    ```python\nprint('code is not prose')\n```\n\n### Steps\n\n\
                    See [x](@/modules/gone.md) and [y](@/modules/qbr.md).\n";
        let page = parse_page("modules/a.md", Arc::from(text)).expect("page");
        let rendered = render(&page, &targets());
        let outline = outline(&page, &targets());
        assert_eq!(outline.toc, rendered.toc);
        assert_eq!(outline.toc[0].children[0].id, "steps");
        assert_eq!(outline.word_count, rendered.word_count);
        assert_eq!(outline.word_count, 11);
        assert_eq!(outline.problems, rendered.problems);
        assert_eq!(outline.problems.len(), 1);
    }

    #[test]
    fn alerts_become_callouts() {
        let out = render_text("m.md", "> [!TIP]\n> Keep prompts short.\n");
        assert!(
            out.html.contains("<div class=\"callout callout-tip\">"),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("<p class=\"callout-title\">Tip</p>"),
            "{}",
            out.html
        );
        assert!(out.html.contains("Keep prompts short."), "{}", out.html);
    }

    #[test]
    fn code_is_highlighted_and_unknown_languages_are_escaped() {
        let out = render_text("m.md", "```python\nx = 1\n```\n\n```nonsense\n<b>\n```\n");
        assert!(
            out.html
                .contains("<code class=\"language-python\"><span class=\"hl-"),
            "{}",
            out.html
        );
        assert!(
            out.html
                .contains("<code class=\"language-nonsense\">&lt;b&gt;"),
            "{}",
            out.html
        );
    }

    #[test]
    fn gfm_extensions_render() {
        let out = render_text(
            "m.md",
            "| a |\n|---|\n| 1 |\n\n- [x] done\n\n~~old~~ note[^1]\n\n[^1]: why\n",
        );
        assert!(out.html.contains("<table>"));
        assert!(out.html.contains("type=\"checkbox\""));
        assert!(out.html.contains("<del>old</del>"));
        assert!(out.html.contains("footnote-definition"));
    }

    #[test]
    fn relative_assets_of_plain_pages_step_out_of_the_page_folder() {
        let out = render_text("guides/a.md", "![chart](chart.svg)");
        assert!(out.html.contains("src=\"../chart.svg\""), "{}", out.html);
        let out = render_text("modules/prep/index.md", "![chart](chart.svg)");
        assert!(out.html.contains("src=\"chart.svg\""), "{}", out.html);
    }
}
