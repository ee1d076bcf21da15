//! Fenced code in a language that is neither highlighted nor plain text on
//! purpose (```` ```cshrap ````): the build shows it as plain text, so
//! `check` warns, at the language name, with the nearest known names.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag};

use crate::base::codes::Code;
use crate::base::diagnostics::Diagnostic;
use crate::base::text::expected_one_of;
use crate::input::content::{ContentStore, Page, options};
use crate::markup::highlight::{self, Language};

/// One warning per fence whose language is unknown.
pub(super) fn unknown_languages(store: &ContentStore) -> Vec<Diagnostic> {
    store.pages.values().flat_map(in_page).collect()
}

fn in_page(page: &Page) -> Vec<Diagnostic> {
    let body = page.body();
    Parser::new_ext(body, options())
        .into_offset_iter()
        .filter_map(|(event, range)| {
            let Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) = event else {
                return None;
            };
            let language = highlight::fence_language(&info);
            if highlight::classify(language) != Language::Unknown {
                return None;
            }
            let span = name_span(body, range.start, language);
            Some(
                Diagnostic::new(
                    Code::UnknownLanguage,
                    page.file.clone(),
                    page.text.clone(),
                    page.body_start + span.start..page.body_start + span.end,
                    format!(
                        "no syntax highlights `{language}`, so this block is shown as plain text"
                    ),
                )
                .expected(expected_one_of(
                    language,
                    &highlight::language_names(),
                    "a language name that is highlighted (docs/languages.md lists them)",
                ))
                .hint("write `text` for a block that is plain text on purpose"),
            )
        })
        .collect()
}

/// Where `language` is written on the fence's first line, which starts at
/// `start` in `body`; the fence itself when it cannot be found there.
fn name_span(body: &str, start: usize, language: &str) -> Range<usize> {
    let line = &body[start..];
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    match line.find(language) {
        Some(at) => start + at..start + at + language.len(),
        None => start..start + line.len(),
    }
}
