//! The full-text search index, made from the rendered pages so it holds
//! exactly what readers see. Which pages are indexed is decided here, by
//! template: modules, plain pages and guides, tracks, catalogue and tag
//! pages, and partner scorecards (a partner's build renders only that
//! partner's, so its index holds nothing of the others). Of each page only
//! `<main>` is read, without scripts, styles, charts and anything marked
//! `data-search-ignore`; its `<h1>` is the title, its headings weigh more
//! than its text, and elements marked `data-search-filter="level"` (and
//! so on) give the filters. Pages are read in parallel as they are
//! rendered; [`SearchIndex::files`] then writes the index as static files
//! that `search.js` fetches piece by piece (see `docs/search.md`): one file
//! of words per three-letter prefix, one small file per page for its
//! result, and the filters.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use crate::base::text;
use html5gum::{DefaultEmitter, Token, Tokenizer};
use serde::Serialize;

/// The folder of the output the index is written to.
pub const FOLDER: &str = "search";

/// The templates whose pages are indexed.
const INDEXED: [&str; 5] = [
    "module.html",
    "page.html",
    "track.html",
    "term.html",
    "partner.html",
];

/// Words longer than this are not words a reader types (hashes, URLs).
const LONGEST_WORD: usize = 40;
/// How much of a page's text its result file keeps for excerpts.
const EXCERPT_SOURCE_CHARS: usize = 20_000;
/// How many times a word in a heading counts.
const HEADING_WEIGHT: u32 = 3;
/// A word's weight on a page is BM25's share of it: it grows with how
/// often the page uses the word, less and less (`SATURATION`), and is
/// smaller on long pages (`LENGTH_EFFECT`), so a long scorecard that names
/// a skill in every table does not outrank the module about it. A word of
/// the title adds `TITLE_BONUS`. Stored times 100, as whole numbers.
const SATURATION: f64 = 1.2;
const LENGTH_EFFECT: f64 = 0.75;
const TITLE_BONUS: f64 = 2.0;

/// Whether pages rendered with `template` are indexed.
pub fn indexes(template: &str) -> bool {
    INDEXED.contains(&template)
}

/// The stored weight of a word the page uses `count` times, on a page of
/// `length` words where pages have `mean_length` on average.
fn weight(count: u32, in_title: bool, length: u32, mean_length: f64) -> u32 {
    let count = f64::from(count);
    let relative_length = f64::from(length) / mean_length.max(1.0);
    let damping = SATURATION * (1.0 - LENGTH_EFFECT + LENGTH_EFFECT * relative_length);
    let share = count * (SATURATION + 1.0) / (count + damping);
    let bonus = if in_title { TITLE_BONUS } else { 0.0 };
    // At most a few hundred: the cast cannot overflow.
    ((share + bonus) * 100.0).round().max(1.0) as u32
}

/// Whether `path` is one of the files [`SearchIndex::files`] writes (the
/// search page itself and the pages' result files are not).
pub fn is_index_file(path: &str) -> bool {
    path.strip_prefix(FOLDER)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|rest| rest.ends_with(".json") && !rest.starts_with("r/"))
}

/// Whether `path` is a page's result file, which [`SearchIndex::add`] makes.
pub fn is_result_file(path: &str) -> bool {
    path.strip_prefix(FOLDER)
        .and_then(|rest| rest.strip_prefix("/r/"))
        .is_some_and(|rest| rest.ends_with(".json"))
}

/// What one page contributes to the index.
struct Entry {
    url: String,
    title: String,
    filters: BTreeMap<String, BTreeSet<String>>,
    /// Ids of the page's words, how often it uses each (headings counting
    /// more), and whether the word is in its title.
    words: Vec<(u32, u32, bool)>,
    /// How many words the page has, headings counting more.
    length: u32,
}

/// The page's result: what a search shows for it.
#[derive(Serialize)]
struct ResultFile<'a> {
    /// URL.
    u: &'a str,
    /// Title.
    t: &'a str,
    /// Section.
    s: &'a str,
    /// Text, for the excerpt.
    x: &'a str,
}

/// Words by id, so each page keeps numbers rather than strings.
#[derive(Default)]
struct Words {
    ids: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Words {
    fn id(&mut self, word: &str) -> u32 {
        if let Some(id) = self.ids.get(word) {
            return *id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(word.into());
        self.ids.insert(word.into(), id);
        id
    }
}

/// The index being made: one entry per indexed page, by the page's number
/// (its place among the indexed pages, so the same site numbers them alike
/// however the render's threads finish).
pub struct SearchIndex {
    /// The URL path the site is published under (`/` or `/portal/`).
    base_path: String,
    numbers: HashMap<String, u32>,
    words: Mutex<Words>,
    entries: Mutex<Vec<Option<Entry>>>,
}

impl SearchIndex {
    /// An empty index for the pages among `outputs` (output paths with
    /// their templates, in the site's order) that are indexed, for a site
    /// published under `base_path`.
    pub fn new<'a>(
        base_path: &str,
        outputs: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> SearchIndex {
        let numbers: HashMap<String, u32> = outputs
            .filter(|(_, template)| indexes(template))
            .zip(0..)
            .map(|((output, _), number)| (output.to_string(), number))
            .collect();
        let entries = (0..numbers.len()).map(|_| None).collect();
        SearchIndex {
            base_path: base_path.to_string(),
            numbers,
            words: Mutex::new(Words::default()),
            entries: Mutex::new(entries),
        }
    }

    /// Starts the index again, empty, when the indexed pages among `outputs`
    /// are not the ones it numbers, or not in the same order (a page was
    /// added, removed or moved in the site's order); returns whether it did.
    pub fn renumber<'a>(&mut self, outputs: impl Iterator<Item = (&'a str, &'a str)>) -> bool {
        let outputs: Vec<_> = outputs.collect();
        let indexed = outputs.iter().filter(|(_, template)| indexes(template));
        let same = indexed.clone().count() == self.numbers.len()
            && indexed
                .zip(0..)
                .all(|((output, _), number)| self.numbers.get(*output) == Some(&number));
        if !same {
            *self = SearchIndex::new(&self.base_path, outputs.into_iter());
        }
        !same
    }

    /// Whether the page at `output` is indexed.
    pub fn holds(&self, output: &str) -> bool {
        self.numbers.contains_key(output)
    }

    /// Reads the page at `output` (if it is indexed) and returns its result
    /// file; safe to call from many threads at once.
    pub fn add(&self, output: &str, html: &[u8]) -> Option<(String, Vec<u8>)> {
        let number = *self.numbers.get(output)?;
        let page = read_page(&String::from_utf8_lossy(html));
        let section = page.section.unwrap_or_else(|| section_of(output));
        let url = format!(
            "{}{}",
            self.base_path,
            output.strip_suffix("index.html").unwrap_or(output)
        );
        let result = ResultFile {
            u: &url,
            t: &page.title,
            s: &section,
            x: excerpt_source(&page.text),
        };
        let bytes = json(&result);
        let words = {
            let mut ids = self.words.lock().unwrap_or_else(|e| e.into_inner());
            page.weights
                .iter()
                .map(|(word, count)| (ids.id(word), *count, page.title_words.contains(word)))
                .collect()
        };
        let length = page.weights.values().sum();
        let entry = Entry {
            url,
            title: page.title,
            filters: page.filters,
            words,
            length,
        };
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = entries.get_mut(number as usize) {
            *slot = Some(entry);
        }
        Some((format!("{FOLDER}/r/{number}.json"), bytes))
    }

    /// The index's files (every file but the pages' result files), by
    /// output path, in path order.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let words = self.words.lock().unwrap_or_else(|e| e.into_inner());
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let present = entries.iter().flatten();
        let mean_length = present.clone().map(|e| f64::from(e.length)).sum::<f64>()
            / present.count().max(1) as f64;
        let mut postings: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        let mut filters: BTreeMap<&str, BTreeMap<&str, Vec<u32>>> = BTreeMap::new();
        let mut titles = Vec::with_capacity(entries.len());
        for (number, entry) in (0u32..).zip(entries.iter()) {
            let Some(entry) = entry else {
                titles.push(("", ""));
                continue;
            };
            titles.push((entry.url.as_str(), entry.title.as_str()));
            for (word, count, in_title) in &entry.words {
                let list = postings.entry(&words.names[*word as usize]).or_default();
                list.extend([number, weight(*count, *in_title, entry.length, mean_length)]);
            }
            for (name, values) in &entry.filters {
                for value in values {
                    let pages = filters.entry(name).or_default().entry(value).or_default();
                    pages.push(number);
                }
            }
        }
        let mut shards: BTreeMap<String, BTreeMap<&str, &[u32]>> = BTreeMap::new();
        for (word, list) in &postings {
            shards
                .entry(shard_of(word))
                .or_default()
                .insert(word, list.as_slice());
        }
        let counts: BTreeMap<&str, BTreeMap<&str, usize>> = filters
            .iter()
            .map(|(name, values)| {
                let counts = values.iter().map(|(v, pages)| (*v, pages.len())).collect();
                (*name, counts)
            })
            .collect();
        let meta = serde_json::json!({
            "version": 1,
            "pages": entries.len(),
            "shards": shards.keys().collect::<Vec<_>>(),
            "filters": counts,
        });
        let mut files = vec![
            (format!("{FOLDER}/meta.json"), json(&meta)),
            (format!("{FOLDER}/filters.json"), json(&filters)),
            (format!("{FOLDER}/pages.json"), json(&titles)),
        ];
        for (key, shard) in &shards {
            files.push((format!("{FOLDER}/w/{key}.json"), json(shard)));
        }
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
    }
}

fn json(value: &impl Serialize) -> Vec<u8> {
    text::inert_json(&serde_json::to_vec(value).unwrap_or_default(), b"")
}

/// The file of words a word is in: its first three characters, as they are
/// when ASCII letters or digits, else as the hex of their UTF-8 bytes
/// behind `x` (file names stay plain on every file system).
pub fn shard_of(word: &str) -> String {
    let prefix: String = word.chars().take(3).collect();
    if prefix
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return prefix;
    }
    let hex: String = prefix.bytes().map(|b| format!("{b:02x}")).collect();
    format!("x{hex}")
}

/// The words of `text`: runs of letters and digits, lower-cased. Numbers
/// of more than four digits (amounts, ids) are left out: readers search
/// for years and quarters, not for figures.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| {
            let length = w.chars().count();
            let long_number = length > 4 && w.chars().all(|c| c.is_ascii_digit());
            length > 0 && length <= LONGEST_WORD && !long_number
        })
        .map(str::to_lowercase)
}

/// At most [`EXCERPT_SOURCE_CHARS`] of `text`, cut at a character boundary.
fn excerpt_source(text: &str) -> &str {
    match text.char_indices().nth(EXCERPT_SOURCE_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// The section a page without a marked one is in, from the first folder
/// of its output path: `modules/qbr/index.html` → `Modules`; a page at the
/// top (`about/index.html`) is in `Pages`.
fn section_of(output: &str) -> String {
    let segments: Vec<&str> = output.split('/').collect();
    let first = match segments.as_slice() {
        [first, _, _, ..] => first,
        _ => return "Pages".to_string(),
    };
    let mut name = first.replace('-', " ");
    if let Some(initial) = name.get(..1) {
        name.replace_range(..1, &initial.to_uppercase());
    }
    name
}

/// What is read of one page.
#[derive(Default)]
struct ReadPage {
    title: String,
    section: Option<String>,
    text: String,
    /// How often the page uses each word, headings counting more.
    weights: BTreeMap<String, u32>,
    title_words: BTreeSet<String>,
    filters: BTreeMap<String, BTreeSet<String>>,
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

/// Elements whose content is not text a reader searches for.
const SKIPPED: [&[u8]; 7] = [
    b"script",
    b"style",
    b"svg",
    b"nav",
    b"template",
    b"noscript",
    b"button",
];

fn read_page(html: &str) -> ReadPage {
    let mut emitter = DefaultEmitter::<()>::default();
    // Keeps the text of <script> and <style> from being read as tags.
    emitter.naively_switch_states(true);
    let mut reader = Reader::default();
    for token in Tokenizer::new_with_emitter(html, emitter).flatten() {
        match token {
            Token::StartTag(tag) => reader.start(&tag),
            Token::EndTag(tag) => reader.end(&tag.name),
            Token::String(text) => reader.text(&String::from_utf8_lossy(&text)),
            _ => {}
        }
    }
    let mut page = reader.page;
    page.text = page.text.split_whitespace().collect::<Vec<_>>().join(" ");
    page
}

/// Reads a page's tokens in order into a [`ReadPage`].
#[derive(Default)]
struct Reader {
    page: ReadPage,
    in_main: bool,
    /// The element being skipped and how deep in it the reader is.
    skipping: Option<(Vec<u8>, usize)>,
    /// Open captures with the element (and its depth) that ends each.
    captures: Vec<(Vec<u8>, usize, Capture, String)>,
    depth_of: HashMap<Vec<u8>, usize>,
}

impl Reader {
    fn start(&mut self, tag: &html5gum::StartTag<()>) {
        let name: Vec<u8> = tag.name.to_vec();
        if name == b"main" {
            self.in_main = true;
        }
        if !self.in_main {
            return;
        }
        if tag.self_closing || is_void(&name) {
            // `<br>` and its like part words as a space would.
            self.page.text.push(' ');
            return;
        }
        let depth = self.depth_of.entry(name.clone()).or_default();
        *depth += 1;
        let depth = *depth;
        if let Some((skipped, inner)) = &mut self.skipping {
            if *skipped == name {
                *inner += 1;
            }
            return;
        }
        let attribute = |key: &str| {
            tag.attributes
                .get(key.as_bytes())
                .map(|v| String::from_utf8_lossy(v).into_owned())
        };
        let hidden = attribute("aria-hidden").is_some_and(|v| v == "true");
        if SKIPPED.contains(&name.as_slice()) || hidden || attribute("data-search-ignore").is_some()
        {
            self.skipping = Some((name, 1));
            return;
        }
        let capture = if let Some(filter) = attribute("data-search-filter") {
            Some(Capture::Filter(filter))
        } else if attribute("data-search-section").is_some() {
            Some(Capture::Section)
        } else if attribute("data-search-meta").is_some() {
            Some(Capture::Meta)
        } else if name == b"h1" && self.page.title.is_empty() {
            Some(Capture::Title)
        } else if matches!(name.as_slice(), b"h2" | b"h3" | b"h4") {
            Some(Capture::Heading)
        } else {
            None
        };
        if let Some(capture) = capture {
            self.captures.push((name, depth, capture, String::new()));
        }
    }

    fn end(&mut self, name: &[u8]) {
        if name == b"main" {
            self.in_main = false;
        }
        let depth = self.depth_of.entry(name.to_vec()).or_default();
        let closing = *depth;
        *depth = depth.saturating_sub(1);
        if let Some((skipped, inner)) = &mut self.skipping {
            if skipped.as_slice() == name {
                *inner -= 1;
                if *inner == 0 {
                    self.skipping = None;
                }
            }
            return;
        }
        while let Some((open, at, ..)) = self.captures.last()
            && open.as_slice() == name
            && *at == closing
        {
            if let Some((_, _, capture, text)) = self.captures.pop() {
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                self.page.finish(capture, text);
            }
        }
        if self.in_main && is_block(name) {
            self.page.text.push(' ');
        }
    }

    fn text(&mut self, text: &str) {
        if !self.in_main || self.skipping.is_some() {
            return;
        }
        for (_, _, _, captured) in &mut self.captures {
            captured.push_str(text);
        }
        // The title and the section are shown beside every result already:
        // the excerpt is taken from the rest.
        let shown = !self.captures.iter().any(|(.., capture, _)| {
            matches!(capture, Capture::Title | Capture::Section | Capture::Meta)
        });
        self.page.add_text(text, shown);
    }
}

impl ReadPage {
    fn add_text(&mut self, text: &str, shown: bool) {
        if shown {
            self.text.push_str(text);
        }
        for word in words(text) {
            *self.weights.entry(word).or_default() += 1;
        }
    }

    /// Counts a captured element's text (already counted once as text).
    fn finish(&mut self, capture: Capture, text: String) {
        let extra = match &capture {
            Capture::Title => {
                self.title_words.extend(words(&text));
                0
            }
            Capture::Heading => HEADING_WEIGHT - 1,
            Capture::Section | Capture::Filter(_) | Capture::Meta => 0,
        };
        for word in words(&text) {
            *self.weights.entry(word).or_default() += extra;
        }
        match capture {
            Capture::Title => self.title = text,
            Capture::Section => self.section = Some(text),
            Capture::Filter(name) if !text.is_empty() => {
                self.filters.entry(name).or_default().insert(text);
            }
            Capture::Heading | Capture::Filter(_) | Capture::Meta => {}
        }
    }
}

fn is_void(name: &[u8]) -> bool {
    matches!(
        name,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"source"
            | b"track"
            | b"wbr"
    )
}

/// Elements after which text does not run on into the next word.
fn is_block(name: &[u8]) -> bool {
    matches!(
        name,
        b"p" | b"li"
            | b"dt"
            | b"dd"
            | b"td"
            | b"th"
            | b"tr"
            | b"div"
            | b"section"
            | b"article"
            | b"header"
            | b"footer"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"pre"
            | b"blockquote"
            | b"figcaption"
            | b"summary"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_is_read_with_its_title_headings_and_filters() {
        let html = r##"<html><head><title>Not this</title></head><body>
            <nav>Menu words</nav>
            <main><p class="eyebrow"><a data-search-section>Modules</a></p>
            <h1>Quarterly &amp; business reviews</h1>
            <a data-search-filter="level">Practitioner</a>
            <h2 id="x">Prepare the deck <a href="#x" aria-hidden="true">#</a></h2><p>Gather the figures.</p>
            <script>var hidden = "script words";</script>
            <svg><text>chart words</text></svg>
            <div data-search-ignore><p>ignored words</p></div>
            <p>Closing<br>line</p></main>
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
        for absent in ["menu", "script", "chart", "ignored", "footer", "not"] {
            assert!(!page.weights.contains_key(absent), "{absent}");
        }
        assert!(
            page.text.contains("deck Gather the figures. Closing line"),
            "{}",
            page.text
        );
    }

    #[test]
    fn words_are_lower_cased_runs_of_letters_and_digits() {
        let found: Vec<String> = words("Ask-AI: QBR 2026-Q1, Übersicht! 1234567").collect();
        assert_eq!(found, ["ask", "ai", "qbr", "2026", "q1", "übersicht"]);
        assert_eq!(shard_of("prompting"), "pro");
        assert_eq!(shard_of("ai"), "ai");
        assert_eq!(shard_of("übersicht"), "xc3bc6265");
    }

    #[test]
    fn a_page_without_a_marked_section_takes_its_urls_first_segment() {
        assert_eq!(section_of("index.html"), "Pages");
        assert_eq!(section_of("modules/qbr/index.html"), "Modules");
        assert_eq!(section_of("writer-guides/a/index.html"), "Writer guides");
        assert_eq!(section_of("about/index.html"), "Pages");
    }
}
