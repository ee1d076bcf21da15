//! Raw HTML in Markdown bodies under `[markdown] html = "sanitize"`: the
//! allow-list, the sanitizer (ammonia) that applies it to a rendered body,
//! and the report of what it removes, for `proficio check`.
//!
//! The allow-list keeps everything the Markdown renderer itself writes
//! (headings with ids and anchors, tables with alignment, highlighted code,
//! task-list checkboxes, footnotes, callouts) and the HTML enablement content
//! uses on purpose: images, `<details>`, `<kbd>`, `<figure>`, `<sup>`/`<sub>`
//! and `<iframe>` players from [`VIDEO_HOSTS`]. Scripts and style sheets go
//! with their content; other elements go and keep their content; event
//! handlers and every other attribute not listed go; URLs go unless they are
//! relative or use a scheme that cannot run code (not `javascript:`, not
//! `data:`). The report reads the same tables, so what `check` names is what
//! the sanitizer removes.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::LazyLock;

use ammonia::{Builder, Url, url};
use html5gum::{DefaultEmitter, Token, Tokenizer};

/// Hosts whose `https:` players an `<iframe>` may show.
pub const VIDEO_HOSTS: &[&str] = &[
    "www.youtube.com",
    "youtube.com",
    "www.youtube-nocookie.com",
    "player.vimeo.com",
];

/// Elements kept.
const TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "iframe",
    "img",
    "input",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
];

/// Elements removed together with their content (the rest keep theirs).
const CLEAN_CONTENT_TAGS: &[&str] = &["script", "style"];

/// Attributes kept on every kept element.
const GENERIC_ATTRIBUTES: &[&str] = &["class", "id", "title", "lang", "dir"];

/// Attributes kept on one element.
const TAG_ATTRIBUTES: &[(&str, &[&str])] = &[
    // `aria-hidden` and `tabindex` are on the heading anchors.
    ("a", &["href", "aria-hidden", "tabindex", "rel", "target"]),
    (
        "img",
        &["src", "srcset", "alt", "width", "height", "loading"],
    ),
    (
        "iframe",
        &[
            "src",
            "width",
            "height",
            "allow",
            "allowfullscreen",
            "loading",
            "referrerpolicy",
            "frameborder",
        ],
    ),
    ("input", &["type", "checked", "disabled"]),
    // Code blocks are focusable so keyboard readers can scroll them.
    ("pre", &["tabindex"]),
    ("ol", &["start", "reversed"]),
    ("th", &["style", "align", "colspan", "rowspan", "scope"]),
    ("td", &["style", "align", "colspan", "rowspan"]),
    ("col", &["span"]),
    ("colgroup", &["span"]),
    ("details", &["open"]),
    ("time", &["datetime"]),
];

/// The configured sanitizer and the URL schemes it keeps.
struct Policy {
    builder: Builder<'static>,
    schemes: HashSet<&'static str>,
}

static POLICY: LazyLock<Policy> = LazyLock::new(|| {
    // Starts from the defaults to keep ammonia's list of URL schemes that
    // cannot run code; everything else is set here.
    let mut builder = Builder::default();
    builder
        .tags(TAGS.iter().copied().collect())
        .clean_content_tags(CLEAN_CONTENT_TAGS.iter().copied().collect())
        .generic_attributes(GENERIC_ATTRIBUTES.iter().copied().collect())
        .tag_attributes(
            TAG_ATTRIBUTES
                .iter()
                .map(|(tag, attributes)| (*tag, attributes.iter().copied().collect()))
                .collect::<HashMap<_, HashSet<_>>>(),
        )
        // The default adds `rel="noopener noreferrer"` to every link.
        .link_rel(None)
        .attribute_filter(|element, attribute, value| {
            value_removal(element, attribute, value)
                .is_none()
                .then_some(Cow::Borrowed(value))
        });
    let schemes = builder.clone_url_schemes();
    Policy { builder, schemes }
});

/// The body's HTML with everything outside the allow-list removed.
pub fn sanitize(html: &str) -> String {
    POLICY.builder.clean(html).to_string()
}

/// Why a kept attribute of a kept element loses its value, if it does: the
/// checks that go beyond the element and attribute names.
fn value_removal(element: &str, attribute: &str, value: &str) -> Option<String> {
    match (element, attribute) {
        ("iframe", "src") => {
            let host = Url::parse(value.trim())
                .ok()
                .filter(|url| url.scheme() == "https" && url.port().is_none())
                .and_then(|url| url.host_str().map(str::to_string));
            match host {
                Some(host) if VIDEO_HOSTS.contains(&host.as_str()) => None,
                Some(host) => Some(format!(
                    "`<iframe src>` from `{host}`, which is not a video host on the allow-list"
                )),
                None => Some("`<iframe src>` that is not an https URL".to_string()),
            }
        }
        // Markdown tables align their cells this way; other styles could
        // restyle or cover the page.
        ("th" | "td", "style") => {
            let alignment = value.trim().trim_end_matches(';').trim();
            let aligned = ["left", "center", "right"]
                .iter()
                .any(|side| alignment == format!("text-align: {side}"));
            (!aligned).then(|| format!("attribute `style` of `<{element}>` other than text-align"))
        }
        // Image candidates: each URL is relative or http(s), like a `src`.
        ("img", "srcset") => srcset_urls(value)
            .into_iter()
            .any(|(_, url)| !is_plain_image_url(url))
            .then(|| {
                "attribute `srcset` with a URL that is neither relative nor http(s)".to_string()
            }),
        // Task lists; other inputs could imitate a form.
        ("input", "type") => (!value.eq_ignore_ascii_case("checkbox"))
            .then(|| format!("`<input type=\"{value}\">`: only checkboxes are kept")),
        _ => None,
    }
}

/// The URL of each image candidate in a `srcset` value, with its byte
/// offset: as the HTML standard reads it, a URL runs to the next white space
/// (commas at its end separate it from the next candidate) and is followed
/// by descriptors (`2x`, `640w`) up to a comma.
pub fn srcset_urls(srcset: &str) -> Vec<(usize, &str)> {
    let mut urls = Vec::new();
    let mut at = 0;
    while at < srcset.len() {
        let rest = &srcset[at..];
        let skipped = rest.len()
            - rest
                .trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',')
                .len();
        at += skipped;
        let rest = &srcset[at..];
        let end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let url = rest[..end].trim_end_matches(',');
        if !url.is_empty() {
            urls.push((at, url));
        }
        // Descriptors run to the next comma; a URL that ended in commas has none.
        at += if url.len() < end {
            end
        } else {
            rest[end..]
                .find(',')
                .map_or(rest.len(), |comma| end + comma + 1)
        };
    }
    urls
}

/// True for a relative URL or an http(s) one: what an image may load.
fn is_plain_image_url(url: &str) -> bool {
    match url.split_once(':') {
        Some((scheme, _)) if !scheme.contains('/') => {
            scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
        }
        _ => true,
    }
}

/// Why a URL is removed, if it is: a scheme that could run code or that
/// ammonia does not know, or text that is not a URL at all.
pub fn url_removal(value: &str) -> Option<String> {
    match Url::parse(value) {
        Ok(url) if POLICY.schemes.contains(url.scheme()) => None,
        Ok(url) => Some(format!("URL scheme `{}:`", url.scheme())),
        Err(url::ParseError::RelativeUrlWithoutBase) => None,
        Err(_) => Some(format!("URL `{value}`, which cannot be read")),
    }
}

/// True when a Markdown link or image destination would be removed: only
/// destinations that name a scheme can be, so the rest skip the URL parser.
pub fn is_unsafe_destination(destination: &str) -> bool {
    let safe_prefix = ["https://", "http://", "mailto:", "/", "#", "@/"]
        .iter()
        .any(|prefix| destination.starts_with(prefix));
    !safe_prefix && destination.contains(':') && url_removal(destination).is_some()
}

/// One thing the sanitizer removes from a piece of raw HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// Byte range in the piece: the element's `<name` or the attribute.
    pub span: Range<usize>,
    /// What is removed, such as element `script` or attribute `onerror`.
    pub what: String,
}

/// What sanitizing removes from `fragment`, raw HTML as written in a
/// Markdown body, in the order it is written. Comments, which are removed
/// too but never show, are not listed.
pub fn removals(fragment: &str) -> Vec<Removal> {
    let mut found = Vec::new();
    let mut emitter = DefaultEmitter::<usize>::new_with_span();
    // The text of <script> and <style> is not read as tags.
    emitter.naively_switch_states(true);
    for token in Tokenizer::new_with_emitter(fragment, emitter).flatten() {
        let Token::StartTag(tag) = token else {
            continue;
        };
        let name = String::from_utf8_lossy(&tag.name).into_owned();
        let start = tag.span.start;
        if !TAGS.contains(&name.as_str()) {
            let what = if CLEAN_CONTENT_TAGS.contains(&name.as_str()) {
                format!("element `{name}` and its content")
            } else {
                format!("element `{name}` (its content is kept)")
            };
            found.push(Removal {
                span: start..(start + 1 + name.len()).min(tag.span.end),
                what,
            });
            continue;
        }
        let mut attributes: Vec<_> = tag.attributes.iter().collect();
        attributes.sort_by_key(|(_, value)| value.span.start);
        for (attribute, value) in attributes {
            let attribute = String::from_utf8_lossy(attribute);
            let text = String::from_utf8_lossy(&value.value);
            let what = if !is_listed(&name, &attribute) {
                Some(format!("attribute `{attribute}`"))
            } else if matches!(&*attribute, "href" | "src") {
                url_removal(&text).or_else(|| value_removal(&name, &attribute, &text))
            } else {
                value_removal(&name, &attribute, &text)
            };
            if let Some(what) = what {
                let mut end = value.span.end.max(value.span.start + attribute.len());
                end = end.min(fragment.len());
                // The span of an unquoted value runs into the tag's `>`.
                if fragment[..end].ends_with('>') {
                    end -= 1;
                }
                found.push(Removal {
                    span: value.span.start..end,
                    what,
                });
            }
        }
    }
    found
}

fn is_listed(element: &str, attribute: &str) -> bool {
    GENERIC_ATTRIBUTES.contains(&attribute)
        || TAG_ATTRIBUTES
            .iter()
            .any(|(tag, attributes)| *tag == element && attributes.contains(&attribute))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn what(fragment: &str) -> Vec<String> {
        removals(fragment).into_iter().map(|r| r.what).collect()
    }

    #[test]
    fn scripts_handlers_and_script_urls_go() {
        let html = sanitize(
            "<p>a<script>alert(1)</script><img src=\"x.png\" alt=\"x\" onerror=\"alert(1)\">\
             <a href=\"javascript:alert(1)\">x</a></p>",
        );
        assert_eq!(html, "<p>a<img src=\"x.png\" alt=\"x\"><a>x</a></p>");
    }

    #[test]
    fn video_players_stay_and_other_frames_lose_their_source() {
        let html = sanitize(
            "<iframe src=\"https://www.youtube-nocookie.com/embed/abc\" allowfullscreen></iframe>\
             <iframe src=\"https://evil.example/\"></iframe>\
             <iframe src=\"http://player.vimeo.com/video/1\"></iframe>",
        );
        assert_eq!(
            html,
            "<iframe src=\"https://www.youtube-nocookie.com/embed/abc\" allowfullscreen=\"\"></iframe>\
             <iframe></iframe><iframe></iframe>"
        );
    }

    #[test]
    fn links_keep_their_attributes_and_get_no_rel() {
        let html =
            sanitize("<a href=\"/x/\" title=\"t\">x</a> <a href=\"mailto:a@b.example\">m</a>");
        assert_eq!(
            html,
            "<a href=\"/x/\" title=\"t\">x</a> <a href=\"mailto:a@b.example\">m</a>"
        );
    }

    #[test]
    fn removals_name_each_thing_where_it_is_written() {
        let fragment = "<img src=x onerror=alert(1)>";
        let found = removals(fragment);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].what, "attribute `onerror`");
        assert_eq!(&fragment[found[0].span.clone()], "onerror=alert(1)");
        let found = removals("x <script>alert('<b onclick=1>')</script>");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].span, 2..9);
        assert_eq!(found[0].what, "element `script` and its content");
        assert_eq!(
            what("<a href=\" JavaScript:alert(1)\">"),
            ["URL scheme `javascript:`"]
        );
        assert_eq!(
            what("<img src=\"data:image/png;base64,AA\">"),
            ["URL scheme `data:`"]
        );
        assert_eq!(
            what("<iframe src=\"https://evil.example/x\">"),
            ["`<iframe src>` from `evil.example`, which is not a video host on the allow-list"]
        );
        assert!(what("<details open><summary>s</summary><kbd>K</kbd></details>").is_empty());
        assert!(what("<!-- <script> -->").is_empty());
    }

    #[test]
    fn unsafe_destinations_are_told_without_parsing_plain_ones() {
        assert!(is_unsafe_destination("javascript:alert(1)"));
        assert!(is_unsafe_destination("data:text/html,x"));
        assert!(!is_unsafe_destination("https://example.com/a:b"));
        assert!(!is_unsafe_destination("../chart.svg"));
        assert!(!is_unsafe_destination("tel:+15550100"));
    }

    #[test]
    fn srcset_candidates_are_read_as_the_standard_says() {
        assert_eq!(srcset_urls("a.png"), [(0, "a.png")]);
        assert_eq!(srcset_urls("a.png, b.png 2x"), [(0, "a.png"), (7, "b.png")]);
        assert_eq!(
            srcset_urls("a.png,b.png 2x,c.png"),
            [(0, "a.png,b.png"), (15, "c.png")]
        );
        assert_eq!(
            srcset_urls(" a.png 1x , b.png"),
            [(1, "a.png"), (12, "b.png")]
        );
        assert_eq!(srcset_urls("data:x,y 1x"), [(0, "data:x,y")]);
        assert!(srcset_urls(" , ").is_empty());
    }
}
