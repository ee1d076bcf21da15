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

use crate::base::diagnostics::Result;
use crate::base::text;
use ahash::AHashMap;
use page::read_page;
use rayon::prelude::*;
use serde::Serialize;

mod page;

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
    /// Ids of the page's words, each with how often the page uses it
    /// (headings counting more) and whether it is in the title.
    words: PackedWords,
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
    ids: AHashMap<Box<str>, u32>,
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
        // Rendered pages are UTF-8; the check is the fast one.
        let page = match std::str::from_utf8(html) {
            Ok(html) => read_page(html),
            Err(_) => read_page(&String::from_utf8_lossy(html)),
        };
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
            x: &page.text,
        };
        let bytes = json(&result);
        let words = {
            let mut ids = self.words.lock().unwrap_or_else(|e| e.into_inner());
            page.weights
                .iter()
                .map(|(word, count)| {
                    let in_title = u32::from(page.title_words.contains(word.as_ref()));
                    (ids.id(word), count.saturating_mul(2) | in_title)
                })
                .collect::<Vec<_>>()
        };
        let words = PackedWords::new(words);
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
        let files = Mutex::new(Vec::new());
        let kept = self.write_files(&|path: &str, bytes: &[u8]| {
            let mut files = files.lock().unwrap_or_else(|e| e.into_inner());
            files.push((path.to_string(), bytes.to_vec()));
            Ok(())
        });
        let mut files = match kept {
            Ok(()) => files.into_inner().unwrap_or_else(|e| e.into_inner()),
            Err(_) => Vec::new(),
        };
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
    }

    /// Hands each of the index's files (every file but the pages' result
    /// files) to `write` as it is made, from many threads: a build writes
    /// them out rather than holding tens of megabytes of word files at once.
    pub fn write_files(&self, write: &(dyn Fn(&str, &[u8]) -> Result<()> + Sync)) -> Result<()> {
        let words = self.words.lock().unwrap_or_else(|e| e.into_inner());
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let postings = Postings::new(&entries, words.names.len());
        let mut filters: BTreeMap<&str, BTreeMap<&str, Vec<u32>>> = BTreeMap::new();
        let mut titles = Vec::with_capacity(entries.len());
        for (number, entry) in (0u32..).zip(entries.iter()) {
            let Some(entry) = entry else {
                titles.push(("", ""));
                continue;
            };
            titles.push((entry.url.as_str(), entry.title.as_str()));
            for (name, values) in &entry.filters {
                for value in values {
                    let pages = filters.entry(name).or_default().entry(value).or_default();
                    pages.push(number);
                }
            }
        }
        let shards = shards(&words.names, &postings);
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
        write(&format!("{FOLDER}/meta.json"), &json(&meta))?;
        write(&format!("{FOLDER}/filters.json"), &json(&filters))?;
        write(&format!("{FOLDER}/pages.json"), &json(&titles))?;
        shards.into_par_iter().try_for_each(|(key, ids)| {
            let shard: BTreeMap<&str, &[u32]> = ids
                .into_iter()
                .map(|id| (&*words.names[id], postings.of(id)))
                .collect();
            write(&format!("{FOLDER}/w/{key}.json"), &json(&shard))
        })
    }
}

/// A page's words as `(id, count << 1 | in_title)` pairs, held in a few
/// bytes each: sorted by id, each id as its distance from the one before
/// and both numbers in LEB128 (seven bits a byte). Every indexed page's
/// words are held until the index is written; most distances and counts
/// fit in one byte, so a pair takes about two or three bytes, not eight.
struct PackedWords(Vec<u8>);

impl PackedWords {
    fn new(mut words: Vec<(u32, u32)>) -> PackedWords {
        words.sort_unstable();
        let mut bytes = Vec::with_capacity(words.len() * 3);
        let mut previous = 0;
        for (id, packed) in words {
            leb128(&mut bytes, id - previous);
            leb128(&mut bytes, packed);
            previous = id;
        }
        bytes.shrink_to_fit();
        PackedWords(bytes)
    }

    fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        let mut bytes = self.0.iter();
        let mut id = 0;
        std::iter::from_fn(move || {
            let distance = read_leb128(&mut bytes)?;
            let packed = read_leb128(&mut bytes)?;
            id += distance;
            Some((id, packed))
        })
    }
}

fn leb128(bytes: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        bytes.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    bytes.push(value as u8);
}

fn read_leb128(bytes: &mut std::slice::Iter<u8>) -> Option<u32> {
    let mut value = 0u32;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.next()?;
        value |= u32::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// Each word's pages and weights (`[page, weight, page, weight, …]`, by
/// page), by word id, in one flat list: word `w`'s are
/// `pairs[starts[w]..starts[w + 1]]`. Counted first and then filled, so it
/// is allocated once at its exact size.
struct Postings {
    starts: Vec<usize>,
    pairs: Vec<u32>,
}

impl Postings {
    fn new(entries: &[Option<Entry>], word_count: usize) -> Postings {
        let present = entries.iter().flatten();
        let mean_length = present.clone().map(|e| f64::from(e.length)).sum::<f64>()
            / present.clone().count().max(1) as f64;
        let mut starts = vec![0; word_count + 1];
        for (word, _) in present.clone().flat_map(|e| e.words.iter()) {
            if let Some(start) = starts.get_mut(word as usize + 1) {
                *start += 2;
            }
        }
        for word in 0..word_count {
            starts[word + 1] += starts[word];
        }
        let mut next = starts.clone();
        let mut pairs = vec![0; starts[word_count]];
        for (number, entry) in (0u32..).zip(entries.iter()) {
            let Some(entry) = entry else { continue };
            for (word, packed) in entry.words.iter() {
                let Some(at) = next.get_mut(word as usize) else {
                    continue;
                };
                let weight = weight(packed >> 1, packed & 1 == 1, entry.length, mean_length);
                pairs[*at] = number;
                pairs[*at + 1] = weight;
                *at += 2;
            }
        }
        Postings { starts, pairs }
    }

    fn of(&self, word: usize) -> &[u32] {
        match (self.starts.get(word), self.starts.get(word + 1)) {
            (Some(start), Some(end)) => &self.pairs[*start..*end],
            _ => &[],
        }
    }
}

/// The ids of the words of each word file, by its key ([`shard_of`]), in
/// key order. A word no page has any more (after the preview's edits) is
/// left out.
fn shards(names: &[Box<str>], postings: &Postings) -> BTreeMap<String, Vec<usize>> {
    let mut shards: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (id, name) in names.iter().enumerate() {
        if !postings.of(id).is_empty() {
            shards.entry(shard_of(name)).or_default().push(id);
        }
    }
    shards
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_words_file_is_named_by_its_first_three_letters() {
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

    #[test]
    fn packed_words_give_back_every_pair_in_id_order() {
        let pairs = vec![
            (70_000, 5),
            (3, 1),
            (u32::MAX, u32::MAX),
            (0, 0),
            (128, 300),
        ];
        let packed = PackedWords::new(pairs.clone());
        let mut sorted = pairs;
        sorted.sort_unstable();
        assert_eq!(packed.iter().collect::<Vec<_>>(), sorted);
        assert!(packed.0.len() < 8 * 5, "{} bytes", packed.0.len());
    }
}
