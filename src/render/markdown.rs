//! Markdown to HTML with pulldown-cmark: GFM tables, task lists,
//! strikethrough, footnotes and alerts (`> [!TIP]`, rendered as callouts),
//! unique heading ids with anchor links and a table of contents, fenced code
//! highlighted through [`crate::markup::highlight`], and links to other content by
//! source path (`@/modules/x.md#part`, or a relative `x.md`) rewritten to
//! final URLs. A link to content that does not exist is a located error.
//! The `href`, `src` and `srcset` values of raw HTML go through the same
//! resolver, rewritten in place with every other byte kept.
//! Raw HTML in a body, and links whose URL could run code, are treated as
//! `[markdown] html` in `site.toml` says ([`RawHtml`]): under the default the
//! rendered body is sanitized ([`crate::markup::raw_html`]), only when it holds such
//! markup, so every other body is written exactly as pulldown-cmark writes it.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, Parser, Tag, TagEnd, html,
};
use serde::Serialize;

use crate::base::codes::Code;
use crate::base::diagnostics::Diagnostic;
use crate::base::text::{github_slug, slugify};
use crate::input::config::{HeadingIds, RawHtml};
use crate::input::content::{Absence, Page, PageKind, options};
use crate::markup::highlight;
use crate::markup::raw_html;
use crate::render::links;

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

/// What rendering a body needs to know of the site: where internal links
/// can point (content source keys to their URL paths) and what happens to
/// raw HTML. The site's pages and feeds, link rewriting in bodies and
/// templates' `url()` all form URLs through it (and so through
/// [`links`]).
#[derive(Debug, Clone, Default)]
pub struct LinkTargets {
    /// Prefix of every URL (`/` or `/portal/`).
    pub base_path: String,
    /// The site's absolute URL with a trailing slash
    /// (`https://x.example/portal/`), for absolute URLs.
    pub base_url: String,
    /// `modules/qbr.md` → `/modules/qbr/`.
    pub paths: BTreeMap<String, String>,
    /// Sources that exist but are not published.
    pub left_out: BTreeMap<String, Absence>,
    /// What happens to raw HTML and unsafe link URLs in bodies.
    pub raw_html: RawHtml,
    /// How headings get their ids.
    pub heading_ids: HeadingIds,
    /// The code colours and the blocks highlighted so far.
    pub code: Arc<highlight::Blocks>,
}

impl LinkTargets {
    /// The public URL of a content path, with the base path: root-relative,
    /// as written (`/portal/modules/qbr/`).
    pub fn url(&self, path: &str) -> String {
        links::url(&self.base_path, path)
    }

    /// The absolute, percent-encoded URL of the page at `path`.
    pub fn absolute(&self, path: &str) -> String {
        links::absolute(&self.base_url, path)
    }

    /// The URL of the content file `source` (a key under `content/`), with
    /// `#fragment` when given; `None` when no page is made from it.
    pub fn content_url(&self, source: &str, fragment: Option<&str>) -> Option<String> {
        let mut url = self.url(self.paths.get(source)?);
        if let Some(fragment) = fragment {
            url.push('#');
            url.push_str(fragment);
        }
        Some(url)
    }
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
    let (events, mut state) = transform(page, targets, true);
    if let Some(code) = state.code.take() {
        code.finish();
    }
    let mut out = String::with_capacity(page.body().len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    if targets.raw_html == RawHtml::Sanitize && state.has_unsafe_markup() {
        out = raw_html::sanitize(&out);
    }
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

/// Something the sanitizer removes from a body, for `proficio check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// Byte range in the page's text (front matter included).
    pub span: Range<usize>,
    /// What is removed, such as element `script` or attribute `onerror`.
    pub what: String,
}

/// What sanitizing removes from the body of `page`, in the order it is
/// written; empty for a body without raw HTML or unsafe link URLs.
pub fn removals(page: &Page) -> Vec<Removal> {
    let targets = LinkTargets::default();
    let (_, state) = transform(page, &targets, false);
    let body = page.body();
    let at = |range: &Range<usize>| page.body_start + range.start..page.body_start + range.end;
    let mut found = Vec::new();
    for piece in &state.raw {
        // The HTML as written is found at its place unless the Markdown
        // around it (a quote's `>`, a list's indent) is cut out of it.
        let in_place = body.get(piece.range.clone()) == Some(piece.text.as_str());
        for removal in raw_html::removals(&piece.text) {
            let span = if in_place {
                piece.range.start + removal.span.start..piece.range.start + removal.span.end
            } else {
                piece.range.start..piece.range.start + 1
            };
            found.push(Removal {
                span: at(&span),
                what: removal.what,
            });
        }
    }
    for link in &state.unsafe_urls {
        found.push(Removal {
            span: at(&link.range),
            what: raw_html::url_removal(&link.url).unwrap_or_default(),
        });
    }
    found.sort_by_key(|removal| removal.span.start);
    found
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
        code: highlight.then(|| targets.code.for_body(page.body())),
        problems: Vec::new(),
        ids: HashSet::new(),
        classic_ids: HashSet::new(),
        aliases: Vec::new(),
        headings: Vec::new(),
        word_count: 0,
        raw: Vec::new(),
        unsafe_urls: Vec::new(),
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
    /// The body's highlighted blocks, when they are.
    code: Option<highlight::BodyBlocks<'a>>,
    problems: Vec<Diagnostic>,
    ids: HashSet<String>,
    /// The ids the classic rule would have given, for the aliases.
    classic_ids: HashSet<String>,
    /// Earlier ids of GitHub-style headings, each with the index of its
    /// heading's opening event: placed once every id of the page is known.
    aliases: Vec<(usize, String)>,
    headings: Vec<TocEntry>,
    word_count: usize,
    /// Raw HTML as written, consecutive pieces joined.
    raw: Vec<RawPiece>,
    /// Link and image destinations whose URL sanitizing removes.
    unsafe_urls: Vec<UnsafeUrl>,
}

/// Raw HTML in a body.
struct RawPiece {
    /// Byte range in the body.
    range: Range<usize>,
    text: String,
}

/// A link or image destination that could run code.
struct UnsafeUrl {
    /// Byte range of the URL in the body (of the whole link when the URL
    /// cannot be found in it).
    range: Range<usize>,
    url: String,
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
    fn has_unsafe_markup(&self) -> bool {
        !self.raw.is_empty() || !self.unsafe_urls.is_empty()
    }

    /// Notes raw HTML; under `deny` it is an error.
    fn raw_html(&mut self, range: &Range<usize>, text: &str) {
        match self.raw.last_mut() {
            // Block HTML comes a line at a time; a tag can span lines.
            Some(last) if last.range.end == range.start => {
                last.range.end = range.end;
                last.text.push_str(text);
            }
            _ => {
                if self.targets.raw_html == RawHtml::Deny {
                    let line = text.lines().next().unwrap_or("").trim_end();
                    let mut shown: String = line.chars().take(40).collect();
                    if shown.len() < line.len() {
                        shown.push('…');
                    }
                    let start = self.page.body_start + range.start;
                    let end = start + text.trim_end().len().clamp(1, range.len().max(1));
                    self.problems.push(
                        self.page
                            .diagnostic(
                                Code::RawHtml,
                                start..end,
                                format!("raw HTML `{shown}` in Markdown"),
                            )
                            .expected(DENIED),
                    );
                }
                self.raw.push(RawPiece {
                    range: range.clone(),
                    text: text.to_string(),
                });
            }
        }
    }

    /// Where a link (`is_link`) or an image written as `written` points:
    /// as written when it could run code (the sanitizer removes it), else a content source's
    /// URL (links only) or an asset moved with its page.
    fn destination<'e>(
        &mut self,
        written: CowStr<'e>,
        range: &Range<usize>,
        is_link: bool,
    ) -> CowStr<'e> {
        if self.check_destination(&written, range) {
            return written;
        }
        self.resolve_destination(written, range, is_link)
    }

    /// The one resolver of Markdown links and images and of raw HTML's
    /// `href`, `src` and `srcset`: a link (`is_link`) to a content source
    /// becomes its page's URL, a relative asset is moved with its page, and
    /// anything else stays as written. A dead content link is a located
    /// error, found in the body's `range`.
    fn resolve_destination<'e>(
        &mut self,
        written: CowStr<'e>,
        range: &Range<usize>,
        is_link: bool,
    ) -> CowStr<'e> {
        let resolved = if is_link {
            self.resolve(&written, range)
        } else {
            None
        };
        resolved
            .or_else(|| self.relocate_asset(&written))
            .map_or(written, CowStr::from)
    }

    /// Notes a link or image destination that could run code, which is then
    /// left as written for the sanitizer; under `deny` it is an error. True
    /// for such a destination.
    fn check_destination(&mut self, destination: &str, range: &Range<usize>) -> bool {
        if self.targets.raw_html == RawHtml::Allow || !raw_html::is_unsafe_destination(destination)
        {
            return false;
        }
        let body = self.page.body();
        let range = body
            .get(range.clone())
            .and_then(|link| link.find(destination))
            .map_or(range.clone(), |i| {
                range.start + i..range.start + i + destination.len()
            });
        if self.targets.raw_html == RawHtml::Deny {
            let what = raw_html::url_removal(destination).unwrap_or_default();
            self.problems.push(
                self.page
                    .diagnostic(
                        Code::RawHtml,
                        self.page.body_start + range.start..self.page.body_start + range.end,
                        format!("link with a {what}, which could run code"),
                    )
                    .expected("an http(s), mailto: or relative URL"),
            );
        }
        self.unsafe_urls.push(UnsafeUrl {
            range,
            url: destination.to_string(),
        });
        true
    }

    fn transform<'e>(
        &mut self,
        events: impl Iterator<Item = (Event<'e>, Range<usize>)>,
        skip: Option<Range<usize>>,
    ) -> Vec<Event<'e>> {
        let mut out = Vec::new();
        let mut heading: Option<OpenHeading<'e>> = None;
        let mut code: Option<(String, String)> = None;
        // Block HTML read so far, with its range in the body.
        let mut block: Option<(String, Range<usize>)> = None;
        for (event, range) in events {
            if skip
                .as_ref()
                .is_some_and(|s| s.start <= range.start && range.end <= s.end)
            {
                continue;
            }
            if !matches!(event, Event::Html(_))
                && let Some((text, joined)) = block.take()
            {
                out.push(Event::Html(self.rewrite_raw_paths(text.into(), &joined)));
            }
            if let Some((language, text)) = code.as_mut() {
                match event {
                    Event::Text(t) if self.highlight => text.push_str(&t),
                    Event::End(TagEnd::CodeBlock) => {
                        if let Some(blocks) = self.code.as_mut() {
                            out.push(Event::Html(code_block(blocks, language, text).into()));
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
                        CodeBlockKind::Fenced(info) => highlight::fence_language(&info).to_string(),
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
                        self.finish_heading(open, &mut out);
                    }
                    continue;
                }
                Event::Start(Tag::BlockQuote(Some(kind))) => Event::Html(callout_open(kind).into()),
                Event::End(TagEnd::BlockQuote(Some(_))) => Event::Html("</div>\n".into()),
                Event::Start(mut tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                    let is_link = matches!(tag, Tag::Link { .. });
                    if let Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } = &mut tag {
                        let written = std::mem::replace(dest_url, CowStr::Borrowed(""));
                        *dest_url = self.destination(written, &range, is_link);
                    }
                    Event::Start(tag)
                }
                Event::Text(text) => {
                    self.word_count += text.split_whitespace().count();
                    Event::Text(text)
                }
                Event::Html(html) => {
                    self.raw_html(&range, &html);
                    // Block HTML comes a line at a time; a tag can span
                    // lines, so the lines are joined before rewriting.
                    match block.as_mut() {
                        Some((text, joined)) => {
                            text.push_str(&html);
                            joined.end = range.end;
                        }
                        None => block = Some((html.to_string(), range)),
                    }
                    continue;
                }
                Event::InlineHtml(html) => {
                    self.raw_html(&range, &html);
                    Event::InlineHtml(self.rewrite_raw_paths(html, &range))
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
        if let Some((text, joined)) = block {
            out.push(Event::Html(self.rewrite_raw_paths(text.into(), &joined)));
        }
        self.place_aliases(&mut out);
        out
    }

    /// Adds each earlier id as an empty element inside its heading, unless
    /// a heading or an earlier alias of the page already has it: GitHub's
    /// ids come first, so an alias never takes an id from a heading.
    fn place_aliases(&mut self, out: &mut [Event<'_>]) {
        for (index, alias) in std::mem::take(&mut self.aliases) {
            if self.ids.insert(alias.clone())
                && let Some(Event::Html(open)) = out.get_mut(index)
            {
                *open = format!("{open}<span id=\"{}\"></span>", escape(&alias)).into();
            }
        }
    }

    /// Raw HTML with the values of `href`, `src` and `srcset` in its start
    /// tags passed through [`Self::resolve_destination`], every other byte
    /// as written; `range` is where it stands in the body.
    fn rewrite_raw_paths<'e>(&mut self, html: CowStr<'e>, range: &Range<usize>) -> CowStr<'e> {
        let values = raw_path_values(&html);
        if values.is_empty() {
            return html;
        }
        let mut out = String::with_capacity(html.len() + 16 * values.len());
        let mut written = 0;
        for value in values {
            let rewritten = match value.attribute {
                PathAttribute::Srcset => self.rewrite_srcset(&value.decoded, range),
                PathAttribute::Href | PathAttribute::Src => {
                    let is_link = value.attribute == PathAttribute::Href;
                    let kept = value.decoded.as_str();
                    if raw_html::is_unsafe_destination(kept) {
                        None
                    } else {
                        let resolved = self.resolve_destination(kept.into(), range, is_link);
                        (*resolved != *kept).then(|| resolved.to_string())
                    }
                }
            };
            if let Some(new) = rewritten {
                out.push_str(&html[written..value.span.start]);
                if value.quoted {
                    out.push_str(&escape(&new));
                } else {
                    out.push('"');
                    out.push_str(&escape(&new));
                    out.push('"');
                }
                written = value.span.end;
            }
        }
        // Every value was found in a tag after its `<`, so a rewritten one
        // ends past 0.
        if written == 0 {
            return html;
        }
        out.push_str(&html[written..]);
        out.into()
    }

    /// A `srcset` with each candidate's URL resolved as an image, its
    /// descriptors and separators kept; `None` when nothing changes.
    fn rewrite_srcset(&mut self, srcset: &str, range: &Range<usize>) -> Option<String> {
        let mut out = String::with_capacity(srcset.len() + 8);
        let mut written = 0;
        for (at, url) in raw_html::srcset_urls(srcset) {
            if raw_html::is_unsafe_destination(url) {
                return None;
            }
            out.push_str(&srcset[written..at]);
            out.push_str(&self.resolve_destination(url.into(), range, false));
            written = at + url.len();
        }
        out.push_str(&srcset[written..]);
        (out != srcset).then_some(out)
    }

    fn finish_heading<'e>(&mut self, open: OpenHeading<'e>, out: &mut Vec<Event<'e>>) {
        let title = open.text.trim().to_string();
        let classic = open.id.clone().unwrap_or_else(|| slugify(&title));
        let wanted = match (open.id, self.targets.heading_ids) {
            (Some(id), _) => id,
            (None, HeadingIds::Classic) => classic.clone(),
            (None, HeadingIds::Github) => github_slug(&title),
        };
        let id = unique_id(&mut self.ids, or_section(&wanted));
        if self.targets.heading_ids == HeadingIds::Github {
            // The id the classic rule gives this heading, numbered as it would be.
            let earlier = unique_id(&mut self.classic_ids, or_section(&classic));
            if earlier != id {
                self.aliases.push((out.len(), earlier));
            }
        }
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
        out.push(Event::Html(
            format!("<h{level} id=\"{}\"{class}>", escape(&id)).into(),
        ));
        out.extend(open.events);
        out.push(Event::Html(
            format!(" <a class=\"anchor\" href=\"#{0}\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h{level}>\n", escape(&id)).into(),
        ));
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
        match self.targets.content_url(&key, fragment) {
            Some(url) => Some(url),
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
                        .diagnostic(Code::BrokenLink, offset..offset + path.len(), message)
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

/// An attribute of raw HTML whose value is a path to resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum PathAttribute {
    /// A link, resolved like a Markdown link.
    Href,
    /// A resource, resolved like a Markdown image.
    Src,
    /// Resources with descriptors, each resolved like a Markdown image.
    Srcset,
}

/// One value of such an attribute in a piece of raw HTML.
#[derive(Debug)]
struct PathValue {
    attribute: PathAttribute,
    /// The value as the browser reads it (character references decoded).
    decoded: String,
    /// Byte range of the value as written, without its quotes.
    span: Range<usize>,
    quoted: bool,
}

/// The `href`, `src` and `srcset` values of every start tag in `html`, in
/// order. html5gum finds the start tags as a browser would (not in comments
/// or in the text of `<script>` and `<style>`) and decodes the values; a
/// scan of each tag as written finds where the values stand.
fn raw_path_values(html: &str) -> Vec<PathValue> {
    let mut found = Vec::new();
    let names = |name: &[u8]| {
        html.as_bytes()
            .windows(name.len())
            .any(|w| w.eq_ignore_ascii_case(name))
    };
    if !names(b"href") && !names(b"src") {
        return found;
    }
    let mut emitter = html5gum::DefaultEmitter::<usize>::new_with_span();
    emitter.naively_switch_states(true);
    for token in html5gum::Tokenizer::new_with_emitter(html, emitter).flatten() {
        let html5gum::Token::StartTag(tag) = token else {
            continue;
        };
        let Some(written) = html.get(tag.span.start..tag.span.end) else {
            continue;
        };
        let mut seen = HashSet::new();
        for (name, span, quoted) in attributes_as_written(written) {
            let lower = name.to_ascii_lowercase();
            let attribute = match lower.as_str() {
                "href" => PathAttribute::Href,
                "src" => PathAttribute::Src,
                "srcset" => PathAttribute::Srcset,
                _ => continue,
            };
            // The browser reads the first of repeated attributes.
            if !seen.insert(attribute) {
                continue;
            }
            let Some(value) = tag.attributes.get(lower.as_bytes()) else {
                continue;
            };
            found.push(PathValue {
                attribute,
                decoded: String::from_utf8_lossy(&value.value).into_owned(),
                span: tag.span.start + span.start..tag.span.start + span.end,
                quoted,
            });
        }
    }
    found
}

/// The attributes of one start tag as written (`<name a="1" b=2 c>`): each
/// name with the byte range of its value (without quotes) and whether the
/// value is quoted; attributes without a value are left out.
fn attributes_as_written(tag: &str) -> Vec<(&str, Range<usize>, bool)> {
    let bytes = tag.as_bytes();
    let is_space = |b: u8| b.is_ascii_whitespace();
    let mut found = Vec::new();
    // Past `<` and the tag name.
    let mut i = 1;
    while i < bytes.len() && !is_space(bytes[i]) && !matches!(bytes[i], b'/' | b'>') {
        i += 1;
    }
    loop {
        while i < bytes.len() && (is_space(bytes[i]) || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] == b'>' {
            return found;
        }
        let name_start = i;
        // A name may start with `=`; it ends at space, `/`, `>` or `=`.
        i += 1;
        while i < bytes.len() && !is_space(bytes[i]) && !matches!(bytes[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let name = &tag[name_start..i];
        let mut j = i;
        while j < bytes.len() && is_space(bytes[j]) {
            j += 1;
        }
        if j >= bytes.len() || bytes[j] != b'=' {
            continue;
        }
        j += 1;
        while j < bytes.len() && is_space(bytes[j]) {
            j += 1;
        }
        match bytes.get(j) {
            Some(&quote @ (b'"' | b'\'')) => {
                let start = j + 1;
                let end = tag[start..]
                    .find(quote as char)
                    .map_or(tag.len(), |k| start + k);
                found.push((name, start..end, true));
                i = (end + 1).min(tag.len());
            }
            Some(_) => {
                let start = j;
                let mut end = j;
                while end < bytes.len() && !is_space(bytes[end]) && bytes[end] != b'>' {
                    end += 1;
                }
                found.push((name, start..end, false));
                i = end;
            }
            None => return found,
        }
    }
}

/// What a `deny` site expects instead of raw HTML.
const DENIED: &str =
    "Markdown instead of HTML, as `html = \"deny\"` under `[markdown]` in site.toml asks";

/// A URL with a scheme (`https://`, `mailto:`, `data:`, …): never a path of
/// the site, so never resolved or moved.
fn is_external(path: &str) -> bool {
    path.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
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

fn code_block(blocks: &mut highlight::BodyBlocks, language: &str, code: &str) -> String {
    let lang_attr = if language.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", escape(language))
    };
    let highlighted = if language.is_empty() {
        None
    } else {
        blocks.highlight(code, language)
    };
    let escaped;
    let body: &str = match &highlighted {
        Some(html) => html,
        None => {
            escaped = escape(code);
            &escaped
        }
    };
    // The label names a highlighted language by its syntax and any other
    // fence by the name written; a fence with no name has none.
    let label = highlight::label(language).map_or_else(|| escape(language), str::to_string);
    let head = if label.is_empty() {
        String::new()
    } else {
        format!("<div class=\"code-head\"><span class=\"code-label\">{label}</span></div>\n")
    };
    // Lines scroll sideways instead of wrapping, so the block is focusable
    // for keyboard readers to scroll it.
    format!(
        "<div class=\"code-block\">\n{head}<pre class=\"code\" tabindex=\"0\"><code{lang_attr}>{body}</code></pre>\n</div>\n"
    )
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

/// `wanted`, or `section` for a heading with no letter or digit.
fn or_section(wanted: &str) -> &str {
    if wanted.is_empty() { "section" } else { wanted }
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
    use crate::input::content::parse_page;
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
            base_url: "https://x.example/portal/".to_string(),
            paths,
            left_out: BTreeMap::new(),
            raw_html: RawHtml::default(),
            heading_ids: HeadingIds::default(),
            code: Arc::default(),
        }
    }

    /// Asserts the rendered HTML contains `piece`, showing the HTML if not.
    fn assert_html_has(rendered: &Rendered, piece: &str) {
        assert!(rendered.html.contains(piece), "{}", rendered.html);
    }

    fn render_text(source: &str, text: &str) -> Rendered {
        let page = parse_page(
            source,
            Arc::from(text),
            &crate::input::limits::Limits::default(),
        )
        .expect("page");
        render(&page, &targets())
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

    fn render_ids(scheme: HeadingIds, text: &str) -> String {
        let targets = LinkTargets {
            heading_ids: scheme,
            ..targets()
        };
        render_in(&targets, text).html
    }

    #[test]
    fn headings_get_githubs_ids_and_keep_the_classic_one_as_an_alias() {
        let html = render_ids(
            HeadingIds::Github,
            "## What's new?\n## Plan\n## C# & .NET {#dotnet}\n",
        );
        assert!(
            html.contains("<h2 id=\"whats-new\"><span id=\"what-s-new\"></span>What's new?"),
            "{html}"
        );
        assert!(html.contains("<h2 id=\"plan\">Plan"), "{html}");
        assert!(html.contains("<h2 id=\"dotnet\">C# &amp; .NET"), "{html}");
        let classic = render_ids(HeadingIds::Classic, "## What's new?\n");
        assert!(
            classic.contains("<h2 id=\"what-s-new\">What's new?"),
            "{classic}"
        );
    }

    #[test]
    fn an_alias_never_takes_an_id_from_a_heading() {
        // GitHub: `whats`, `what-s`; the classic rule: `what-s`, `what-s-1`.
        let html = render_ids(HeadingIds::Github, "## What's\n## What s\n");
        assert!(html.contains("<h2 id=\"whats\">What's"), "{html}");
        assert!(
            html.contains("<h2 id=\"what-s\"><span id=\"what-s-1\"></span>What s"),
            "{html}"
        );
        assert_eq!(html.matches("id=\"what-s\"").count(), 1, "{html}");
    }

    #[test]
    fn links_by_source_path_become_urls() {
        let out = render_text(
            "modules/a.md",
            "[x](@/modules/qbr.md#measure) [y](qbr.md) [z](prep/index.md) [w](https://e.example/a.md)",
        );
        assert_html_has(&out, "href=\"/portal/modules/qbr/#measure\"");
        assert_html_has(&out, "href=\"/portal/modules/qbr/\"");
        assert_html_has(&out, "href=\"/portal/modules/prep/\"");
        assert_html_has(&out, "href=\"https://e.example/a.md\"");
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
        let page = parse_page(
            "modules/a.md",
            Arc::from(text),
            &crate::input::limits::Limits::default(),
        )
        .expect("page");
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
        assert_html_has(&out, "<div class=\"callout callout-tip\">");
        assert_html_has(&out, "<p class=\"callout-title\">Tip</p>");
        assert!(out.html.contains("Keep prompts short."), "{}", out.html);
    }

    #[test]
    fn code_is_highlighted_and_unknown_languages_are_escaped() {
        let out = render_text(
            "m.md",
            "```python\nimport os\n```\n\n```nonsense\n<b>\n```\n",
        );
        assert!(
            out.html
                .contains("<code class=\"language-python\"><span class=\"t"),
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

    fn render_with(policy: RawHtml, text: &str) -> Rendered {
        let targets = LinkTargets {
            raw_html: policy,
            ..targets()
        };
        render_in(&targets, text)
    }

    /// `text` as the body of `modules/m.md`, rendered with `targets`.
    fn render_in(targets: &LinkTargets, text: &str) -> Rendered {
        let limits = crate::input::limits::Limits::default();
        let page = parse_page("modules/m.md", Arc::from(text), &limits).expect("page");
        render(&page, targets)
    }

    /// Every start tag with its attributes, in order.
    fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut tags = Vec::new();
        for token in html5gum::Tokenizer::new(html).flatten() {
            if let html5gum::Token::StartTag(tag) = token {
                let mut attributes: Vec<(String, String)> = tag
                    .attributes
                    .iter()
                    .map(|(k, v)| {
                        let k = String::from_utf8_lossy(k).into_owned();
                        (k, String::from_utf8_lossy(v).into_owned())
                    })
                    .collect();
                attributes.sort();
                tags.push((String::from_utf8_lossy(&tag.name).into_owned(), attributes));
            }
        }
        tags
    }

    #[test]
    fn sanitizing_keeps_every_element_and_attribute_the_renderer_writes() {
        let body = "## Plan {#plan .wide}\n\n| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n\n\
                    - [x] done\n- [ ] open\n\n3. three\n4. four\n\n~~old~~ *em* **strong** `code` note[^1]\n\n\
                    > [!WARNING]\n> Careful.\n\n> quoted\n\n```python\nx = \"a\" # c\n```\n\n    indented\n\n\
                    ![chart](chart.svg \"Chart\") [x](@/modules/qbr.md#measure \"T\") <https://e.example/>\n\n\
                    ---\n\nline  \nbreak\n\n[^1]: why\n";
        let plain = render_with(RawHtml::Allow, body).html;
        // A comment is raw HTML: the same body, sanitized.
        let sanitized = render_with(RawHtml::Sanitize, &format!("{body}\n<!-- note -->\n")).html;
        assert_ne!(
            plain, sanitized,
            "the comment makes the body go through the sanitizer"
        );
        assert!(!sanitized.contains("note -->"), "{sanitized}");
        assert_eq!(tags(&sanitized), tags(&plain), "{plain}\n---\n{sanitized}");
        for markup in [
            "<th style=\"text-align: left\">",
            "<span class=\"t",
            "checked=\"\"",
            "<ol start=\"3\">",
            "footnote-definition",
            "aria-hidden=\"true\" tabindex=\"-1\"",
            "<pre class=\"code\" tabindex=\"0\">",
            "<span class=\"code-label\">Python</span>",
        ] {
            assert!(sanitized.contains(markup), "{markup} in {sanitized}");
        }
    }

    #[test]
    fn bodies_without_raw_html_are_not_touched() {
        let body = "Some *text* with \"quotes\" & <https://e.example/>.\n";
        assert_eq!(
            render_with(RawHtml::Sanitize, body).html,
            render_with(RawHtml::Allow, body).html
        );
        assert!(render_with(RawHtml::Sanitize, body).html.contains("&amp;"));
    }

    #[test]
    fn sanitize_allow_and_deny() {
        let body = "---\ntitle: M\n---\nText <img src=x onerror=alert(1)> and\n\n<script>\nalert(2)\n</script>\n\n[go](javascript:alert(3))\n";
        let sanitized = render_with(RawHtml::Sanitize, body);
        assert!(!sanitized.html.contains("onerror"), "{}", sanitized.html);
        assert!(!sanitized.html.contains("alert"), "{}", sanitized.html);
        assert_html_has(&sanitized, "<img src=\"../x\">");
        assert!(sanitized.html.contains("<a>go</a>"), "{}", sanitized.html);
        assert!(sanitized.problems.is_empty());

        let allowed = render_with(RawHtml::Allow, body);
        assert_html_has(&allowed, "<img src=\"../x\" onerror=alert(1)>");
        assert_html_has(&allowed, "<script>\nalert(2)\n</script>");
        assert!(allowed.problems.is_empty());

        let denied = render_with(RawHtml::Deny, body);
        let found: Vec<String> = denied.problems.iter().map(ToString::to_string).collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].starts_with("content/modules/m.md:4:6: raw HTML `<img src=x onerror=alert(1)>` in Markdown (expected Markdown instead of HTML"), "{found:?}");
        assert!(
            found[1].starts_with("content/modules/m.md:6:1: raw HTML `<script>` in Markdown"),
            "{found:?}"
        );
        assert!(found[2].starts_with("content/modules/m.md:10:6: link with a URL scheme `javascript:`, which could run code"), "{found:?}");
        assert!(denied.problems.iter().all(|p| p.code == Code::RawHtml));
    }

    #[test]
    fn removals_are_located_in_the_source() {
        let text = "---\ntitle: M\n---\nA <a href=\"javascript:x()\">b</a>\n\n<img\n  src=\"p.png\"\n  onload=\"x()\">\n\n> <script>y()</script>\n";
        let page = parse_page(
            "modules/m.md",
            Arc::from(text),
            &crate::input::limits::Limits::default(),
        )
        .expect("page");
        let found: Vec<(String, String)> = removals(&page)
            .into_iter()
            .map(|r| (text[r.span].to_string(), r.what))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "href=\"javascript:x()\"".to_string(),
                    "URL scheme `javascript:`".to_string()
                ),
                (
                    "onload=\"x()\"".to_string(),
                    "attribute `onload`".to_string()
                ),
                (
                    "<script".to_string(),
                    "element `script` and its content".to_string()
                ),
            ]
        );
    }

    #[test]
    fn relative_assets_of_plain_pages_step_out_of_the_page_folder() {
        let out = render_text("guides/a.md", "![chart](chart.svg)");
        assert!(out.html.contains("src=\"../chart.svg\""), "{}", out.html);
        let out = render_text("modules/prep/index.md", "![chart](chart.svg)");
        assert!(out.html.contains("src=\"chart.svg\""), "{}", out.html);
    }
}
