//! What the checks read from a rendered HTML page: its links and resources,
//! the ids its elements carry and its images without alt text. Pages are
//! read with html5gum, a WHATWG tokenizer, so markup is understood as a
//! browser would (the text of `<script>` and `<style>` is not taken for
//! tags) and every attribute keeps its byte range for locating a finding.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

use html5gum::{DefaultEmitter, StartTag, Token, Tokenizer};

use crate::markup::raw_html::srcset_urls;

/// A link or resource URL in a rendered page.
pub(super) struct Reference {
    pub(super) url: String,
    /// Byte range of the attribute in the page.
    pub(super) span: Range<usize>,
}

/// An `<img>` without an `alt` attribute.
pub(super) struct Image {
    pub(super) src: String,
    /// Byte range of the tag's name (`<img`) in the page.
    pub(super) span: Range<usize>,
}

/// What the checks need from one rendered HTML page.
pub(super) struct ParsedPage {
    pub(super) html: Arc<str>,
    pub(super) references: Vec<Reference>,
    pub(super) ids: HashSet<String>,
    pub(super) images_without_alt: Vec<Image>,
}

impl ParsedPage {
    /// Reads the page `bytes` (lossily, as a browser would show them).
    pub(super) fn parse(bytes: &[u8]) -> ParsedPage {
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
        if matches!(name, b"img" | b"source")
            && let Some((srcset, span)) = attribute("srcset")
        {
            let written = self.html.get(span.clone()).unwrap_or_default();
            let value_start = span.start
                + written
                    .find(['"', '\''])
                    .map_or(written.find('=').map_or(0, |eq| eq + 1), |quote| quote + 1);
            for (offset, url) in srcset_urls(&srcset) {
                // Where the value was written with entities, its offsets in the
                // page differ; the whole attribute then locates every candidate.
                let start = value_start + offset;
                let exact = self.html.get(start..start + url.len()) == Some(url);
                let span = if exact {
                    start..start + url.len()
                } else {
                    span.clone()
                };
                self.references.push(Reference {
                    url: url.to_string(),
                    span,
                });
            }
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn every_srcset_candidate_is_a_reference() {
        let page = ParsedPage::parse(
            br#"<picture><source srcset="wide.png 1200w,narrow.png 600w"><img src="a.png" srcset="a.png 1x, a@2x.png 2x" alt="A"></picture>"#,
        );
        let urls: Vec<&str> = page.references.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(
            urls,
            ["wide.png", "narrow.png", "a.png", "a.png", "a@2x.png"]
        );
        let at = |url: &str| {
            let r = page.references.iter().rfind(|r| r.url == url).expect(url);
            &page.html[r.span.clone()]
        };
        assert_eq!(at("a@2x.png"), "a@2x.png");
        assert_eq!(at("narrow.png"), "narrow.png");
    }
}
