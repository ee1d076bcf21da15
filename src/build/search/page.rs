//! Reading one rendered page for the index: its title, section, filters,
//! text and how often it uses each word. Only `<main>` is read. The pages
//! are proficio's own output (templates and sanitized Markdown), so a
//! small scanner suffices: it walks the tags with a stack of open elements,
//! decodes the character references that occur in text, and never builds
//! a tree; a malformed page is read as well as it can be, never refused.

use std::collections::{BTreeMap, BTreeSet};

use ahash::AHashMap;

/// Words longer than this are not words a reader types (hashes, URLs).
pub(super) const LONGEST_WORD: usize = 40;
/// How many times a word in a heading counts.
const HEADING_WEIGHT: u32 = 3;
/// How much of a page's text its result file keeps for excerpts: about its
/// first 450 words. A word found further down shows the page's opening
/// instead; more would make the result files most of the index's size.
const EXCERPT_SOURCE_CHARS: usize = 3_000;

/// Elements whose content is not text a reader searches for.
const SKIPPED: [&str; 7] = [
    "script", "style", "svg", "nav", "template", "noscript", "button",
];

/// What is read of one page.
#[derive(Default)]
pub(super) struct ReadPage {
    pub(super) title: String,
    pub(super) section: Option<String>,
    /// The text for excerpts: everything but the title, section and facts,
    /// its white space collapsed, up to [`EXCERPT_SOURCE_CHARS`].
    pub(super) text: String,
    /// How many characters `text` has.
    text_chars: usize,
    /// Whether white space came after the last character kept in `text`.
    text_spaced: bool,
    /// How often the page uses each word, headings counting more.
    pub(super) weights: AHashMap<Box<str>, u32>,
    /// Room for lower-casing a word before it is looked up.
    lowered: String,
    pub(super) title_words: BTreeSet<String>,
    pub(super) filters: BTreeMap<String, BTreeSet<String>>,
}

/// An element whose text is being collected for a purpose.
enum Capture {
    Title,
    Heading,
    Section,
    Filter(String),
    /// Facts about the page (`data-search-meta`): searched, and shown
    /// beside the result rather than in its excerpt.
    Meta,
}

/// Reads `html`'s `<main>` (nothing when it has none).
pub(super) fn read_page(html: &str) -> ReadPage {
    let Some(start) = html.find("<main") else {
        return ReadPage::default();
    };
    let mut reader = Reader::default();
    // A module page has several hundred distinct words: room for them at
    // once rather than by doubling.
    reader.page.weights.reserve(html.len() / 32);
    scan(&html[start..], &mut reader);
    reader.page
}

/// Walks `html`, handing text, start and end tags to `reader`, until the
/// element it starts with ends.
fn scan<'a>(html: &'a str, reader: &mut Reader<'a>) {
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        if at > 0 {
            reader.text(&decode(&rest[..at]));
        }
        rest = &rest[at..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
        } else if let Some(closing) = rest.strip_prefix("</") {
            let end = closing.find('>').unwrap_or(closing.len());
            reader.end(closing[..end].trim());
            if reader.open.is_empty() {
                // The element the walk began with (`<main>`) has ended.
                return;
            }
            rest = closing.get(end + 1..).unwrap_or("");
        } else {
            let (tag, after) = Tag::parse(&rest[1..]);
            match tag {
                Some(tag) if tag.name == "script" || tag.name == "style" => {
                    // Their text is not HTML: jump to where they end.
                    let close = format!("</{}", tag.name);
                    reader.start(&tag);
                    let end = after.find(&close).unwrap_or(after.len());
                    rest = &after[end..];
                }
                Some(tag) => {
                    reader.start(&tag);
                    rest = after;
                }
                None => {
                    reader.text("<");
                    rest = after;
                }
            }
        }
    }
    if !rest.is_empty() {
        reader.text(&decode(rest));
    }
}

/// A start tag: its name (lower case in proficio's output), its attributes
/// as written, and whether it closes itself.
struct Tag<'a> {
    name: &'a str,
    attributes: &'a str,
    self_closing: bool,
}

impl<'a> Tag<'a> {
    /// The tag at the start of `text` (just after its `<`) and the text
    /// after it; no tag when `<` starts no tag name.
    fn parse(text: &'a str) -> (Option<Tag<'a>>, &'a str) {
        let name_end = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(text.len());
        if !text.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return (None, text);
        }
        let mut quote = None;
        let mut end = text.len();
        for (i, c) in text[name_end..].char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '>') => {
                    end = name_end + i;
                    break;
                }
                _ => {}
            }
        }
        let attributes = text[name_end..end].trim();
        let tag = Tag {
            name: &text[..name_end],
            self_closing: attributes.ends_with('/'),
            attributes: attributes.trim_end_matches('/'),
        };
        (Some(tag), text.get(end + 1..).unwrap_or(""))
    }

    /// The value of attribute `key` (empty for a bare attribute), decoded.
    fn attribute(&self, key: &str) -> Option<String> {
        let mut rest = self.attributes;
        while !rest.is_empty() {
            let name_end = rest
                .find(|c: char| c == '=' || c.is_whitespace())
                .unwrap_or(rest.len());
            let name = &rest[..name_end];
            rest = rest[name_end..].trim_start();
            let value = match rest.strip_prefix('=') {
                Some(after) => {
                    let after = after.trim_start();
                    let (value, next) = match after.chars().next() {
                        Some(q @ ('"' | '\'')) => {
                            let body = &after[1..];
                            let end = body.find(q).unwrap_or(body.len());
                            (&body[..end], body.get(end + 1..).unwrap_or(""))
                        }
                        _ => {
                            let end = after.find(char::is_whitespace).unwrap_or(after.len());
                            (&after[..end], &after[end..])
                        }
                    };
                    rest = next.trim_start();
                    value
                }
                None => "",
            };
            if name.eq_ignore_ascii_case(key) {
                return Some(decode(value).into_owned());
            }
        }
        None
    }
}

/// `text` with its character references decoded: the named ones proficio
/// and Markdown write, and every numeric one. An unknown one stays as
/// written.
fn decode(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('&') {
        return text.into();
    }
    let mut decoded = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        decoded.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|end| *end <= 10);
        let character = end.and_then(|end| reference(&rest[1..end]));
        match (end, character) {
            (Some(end), Some(c)) => {
                decoded.push(c);
                rest = &rest[end + 1..];
            }
            _ => {
                decoded.push('&');
                rest = &rest[1..];
            }
        }
    }
    decoded.push_str(rest);
    decoded.into()
}

/// The character a reference (`amp`, `#39`, `#x27`) stands for.
fn reference(name: &str) -> Option<char> {
    let number = |digits: &str, radix| u32::from_str_radix(digits, radix).ok();
    let code = match name {
        "amp" => Some(u32::from('&')),
        "lt" => Some(u32::from('<')),
        "gt" => Some(u32::from('>')),
        "quot" => Some(u32::from('"')),
        "apos" => Some(u32::from('\'')),
        "nbsp" => Some(0xa0),
        "ndash" => Some(0x2013),
        "mdash" => Some(0x2014),
        "hellip" => Some(0x2026),
        _ => match name.strip_prefix('#') {
            Some(hex) if hex.starts_with(['x', 'X']) => number(&hex[1..], 16),
            Some(decimal) => number(decimal, 10),
            None => None,
        },
    };
    code.and_then(char::from_u32)
}

/// Reads a page's tags and text in order into a [`ReadPage`].
#[derive(Default)]
struct Reader<'a> {
    page: ReadPage,
    /// The names of the open elements.
    open: Vec<&'a str>,
    /// How many elements were open when a skipped element began.
    skipping: Option<usize>,
    /// Open captures with how many elements were open when each began.
    captures: Vec<(usize, Capture, String)>,
}

impl<'a> Reader<'a> {
    fn start(&mut self, tag: &Tag<'a>) {
        if tag.self_closing || is_void(tag.name) {
            // `<br>` and its like part words as a space would.
            self.page.add_excerpt(" ");
            return;
        }
        let depth = self.open.len();
        self.open.push(tag.name);
        if self.skipping.is_some() {
            return;
        }
        let marked = tag.attributes.contains("data-search") || tag.attributes.contains("aria-");
        let attribute = |key: &str| if marked { tag.attribute(key) } else { None };
        let hidden = attribute("aria-hidden").is_some_and(|v| v == "true");
        if SKIPPED.contains(&tag.name) || hidden || attribute("data-search-ignore").is_some() {
            self.skipping = Some(depth);
            return;
        }
        let capture = if let Some(filter) = attribute("data-search-filter") {
            Some(Capture::Filter(filter))
        } else if attribute("data-search-section").is_some() {
            Some(Capture::Section)
        } else if attribute("data-search-meta").is_some() {
            Some(Capture::Meta)
        } else if tag.name == "h1" && self.page.title.is_empty() {
            Some(Capture::Title)
        } else if matches!(tag.name, "h2" | "h3" | "h4") {
            Some(Capture::Heading)
        } else {
            None
        };
        if let Some(capture) = capture {
            self.captures.push((depth, capture, String::new()));
        }
    }

    fn end(&mut self, name: &str) {
        // Closes the nearest open element of that name, and any left open
        // inside it; an end tag nothing opened is ignored.
        let Some(at) = self.open.iter().rposition(|open| *open == name) else {
            return;
        };
        self.open.truncate(at);
        if self.skipping.is_some_and(|depth| depth >= at) {
            self.skipping = None;
            return;
        }
        if self.skipping.is_some() {
            return;
        }
        while let Some((depth, ..)) = self.captures.last()
            && *depth >= at
        {
            if let Some((_, capture, text)) = self.captures.pop() {
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                self.page.finish(capture, text);
            }
        }
        if is_block(name) {
            self.page.add_excerpt(" ");
        }
    }

    fn text(&mut self, text: &str) {
        if self.skipping.is_some() {
            return;
        }
        for (_, _, captured) in &mut self.captures {
            captured.push_str(text);
        }
        // The title and the section are shown beside every result already:
        // the excerpt is taken from the rest.
        let shown = !self.captures.iter().any(|(_, capture, _)| {
            matches!(capture, Capture::Title | Capture::Section | Capture::Meta)
        });
        self.page.add_text(text, shown);
    }
}

impl ReadPage {
    fn add_text(&mut self, text: &str, shown: bool) {
        if shown {
            self.add_excerpt(text);
        }
        self.count(text, 1);
    }

    /// Adds `text` to the excerpt's, each run of white space as one space
    /// (none at the start), until it is long enough.
    fn add_excerpt(&mut self, text: &str) {
        for c in text.chars() {
            if self.text_chars == EXCERPT_SOURCE_CHARS {
                return;
            }
            if c.is_whitespace() {
                self.text_spaced = !self.text.is_empty();
                continue;
            }
            if self.text_spaced {
                self.text.push(' ');
                self.text_spaced = false;
                self.text_chars += 1;
                if self.text_chars == EXCERPT_SOURCE_CHARS {
                    return;
                }
            }
            self.text.push(c);
            self.text_chars += 1;
        }
    }

    /// Counts each word of `text` `times` more.
    fn count(&mut self, text: &str, times: u32) {
        let weights = &mut self.weights;
        each_word(text, &mut self.lowered, |word| {
            match weights.get_mut(word) {
                Some(count) => *count += times,
                None => {
                    weights.insert(word.into(), times);
                }
            }
        });
    }

    /// Counts a captured element's text (already counted once as text).
    fn finish(&mut self, capture: Capture, text: String) {
        match capture {
            Capture::Title => {
                let title_words = &mut self.title_words;
                each_word(&text, &mut self.lowered, |word| {
                    title_words.insert(word.to_string());
                });
                self.title = text;
            }
            Capture::Heading => self.count(&text, HEADING_WEIGHT - 1),
            Capture::Section => self.section = Some(text),
            Capture::Filter(name) if !text.is_empty() => {
                self.filters.entry(name).or_default().insert(text);
            }
            Capture::Filter(_) | Capture::Meta => {}
        }
    }
}

/// Hands each word of `text` to `found`: runs of letters and digits,
/// lower-cased (in `lowered` when they were not already). Numbers of more
/// than four digits (amounts, ids) are left out: readers search for years
/// and quarters, not for figures.
fn each_word(text: &str, lowered: &mut String, mut found: impl FnMut(&str)) {
    let mut take = |word: &str| {
        let ascii = word.is_ascii();
        let length = if ascii {
            word.len()
        } else {
            word.chars().count()
        };
        let long_number = length > 4 && word.bytes().all(|b| b.is_ascii_digit());
        if length == 0 || length > LONGEST_WORD || long_number {
            return;
        }
        if ascii && word.bytes().any(|b| b.is_ascii_uppercase()) {
            lowered.clear();
            lowered.push_str(word);
            lowered.make_ascii_lowercase();
            found(lowered);
        } else if !ascii && word.chars().any(char::is_uppercase) {
            // The whole word at once: a final sigma lower-cases differently.
            *lowered = word.to_lowercase();
            found(lowered);
        } else {
            found(word);
        }
    };
    if !text.is_ascii() {
        text.split(|c: char| !c.is_alphanumeric()).for_each(take);
        return;
    }
    // Most text is ASCII: its words are found byte by byte.
    let mut start = None;
    for (at, byte) in text.bytes().enumerate() {
        if byte.is_ascii_alphanumeric() {
            start.get_or_insert(at);
        } else if let Some(from) = start.take() {
            take(&text[from..at]);
        }
    }
    if let Some(from) = start {
        take(&text[from..]);
    }
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Elements after which text does not run on into the next word.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "li"
            | "dt"
            | "dd"
            | "td"
            | "th"
            | "tr"
            | "div"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "pre"
            | "blockquote"
            | "figure"
            | "figcaption"
            | "details"
            | "summary"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_is_read_with_its_title_headings_and_filters() {
        let html = r##"<html><head><title>Not this</title></head><body>
            <nav>Menu words</nav>
            <main><p class="eyebrow" data-search-section><a href="/m/">Modules</a></p>
            <h1>Quarterly &amp; business reviews</h1>
            <a data-search-filter="level">Practitioner</a>
            <h2 id="x">Prepare the deck <a href="#x" aria-hidden="true">#</a></h2><p>Gather the figures.</p>
            <script>var hidden = "<p>script words</p>";</script>
            <svg><text>chart words</text></svg>
            <!-- a <p>comment</p> -->
            <div data-search-ignore><p>ignored <b>words</b></p></div>
            <p>Closing<br>line &#39;quoted&#x27; 5&nbsp;min</p></main>
            <footer>Footer words</footer></body></html>"##;
        let page = read_page(html);
        assert_eq!(page.title, "Quarterly & business reviews");
        assert_eq!(page.section.as_deref(), Some("Modules"));
        assert_eq!(
            page.filters["level"].iter().collect::<Vec<_>>(),
            ["Practitioner"]
        );
        assert_eq!(page.weights["quarterly"], 1);
        assert!(page.title_words.contains("quarterly"));
        assert_eq!(page.weights["prepare"], HEADING_WEIGHT);
        assert_eq!(page.weights["figures"], 1);
        assert_eq!(page.weights["quoted"], 1);
        for absent in [
            "menu", "script", "chart", "comment", "ignored", "footer", "not",
        ] {
            assert!(!page.weights.contains_key(absent), "{absent}");
        }
        assert!(
            page.text
                .contains("deck Gather the figures. Closing line 'quoted' 5 min"),
            "{}",
            page.text
        );
    }

    #[test]
    fn words_are_lower_cased_runs_of_letters_and_digits() {
        for (text, expected) in [
            (
                "Ask-AI: QBR 2026-Q1, Übersicht! 1234567",
                &["ask", "ai", "qbr", "2026", "q1", "übersicht"][..],
            ),
            (
                "Plain ascii: 12345 1234 x",
                &["plain", "ascii", "1234", "x"],
            ),
            ("ΟΔΟΣ", &["οδος"]),
        ] {
            let mut found = Vec::new();
            each_word(text, &mut String::new(), |word| {
                found.push(word.to_string())
            });
            assert_eq!(found, expected, "{text}");
        }
    }

    #[test]
    fn attributes_are_read_quoted_unquoted_and_bare() {
        let (tag, rest) = Tag::parse(
            r#"a href='/x?a=1&amp;b=2' data-search-filter="tag > x" hidden class=big>after"#,
        );
        let tag = tag.expect("a tag");
        assert_eq!(tag.name, "a");
        assert_eq!(tag.attribute("href").as_deref(), Some("/x?a=1&b=2"));
        assert_eq!(
            tag.attribute("data-search-filter").as_deref(),
            Some("tag > x")
        );
        assert_eq!(tag.attribute("hidden").as_deref(), Some(""));
        assert_eq!(tag.attribute("class").as_deref(), Some("big"));
        assert_eq!(tag.attribute("id"), None);
        assert_eq!(rest, "after");
    }

    #[test]
    fn a_malformed_page_is_read_as_well_as_it_can_be() {
        let page = read_page("<main><h1>Title <p>unclosed <b>bold</i> text</main>");
        assert_eq!(page.weights["text"], 1);
        let page = read_page("<main><p>a < b and 3 <4 & c</p><p");
        assert_eq!(page.weights["b"], 1);
        assert!(page.text.starts_with("a < b and 3 <4 & c"), "{}", page.text);
    }
}
