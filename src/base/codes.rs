//! The kinds of problem proficio reports, declared here and nowhere else.
//! Every [`Diagnostic`](super::diagnostics::Diagnostic) is created with one
//! [`Code`]; its spelling ([`Code::as_str`]) is public and stable, as the
//! table in `docs/ci.md` documents, because CI scripts match on it. A code is
//! always stated where the problem is found, never told from a message's
//! wording or a file's path. A new kind of problem gets a new variant here,
//! a row in that table, and its code at the place that finds it.

use std::fmt;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Stops a build; fails a check.
    Error,
    /// Reported by a check; fails it only with `--strict`.
    Warning,
}

impl Severity {
    /// `error` or `warning`, as reports spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// The kind of a problem: its stable identifier in `proficio check` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// A link or resource that leads to no page or file of the site.
    BrokenLink,
    /// A link to an `#id` that the target page does not have.
    BrokenAnchor,
    /// An `<img>` without an `alt` attribute.
    ImageMissingAlt,
    /// A content file copied to the site that no page uses.
    UnusedAsset,
    /// A module that no learning track leads to.
    ModuleWithoutTrack,
    /// Raw HTML (or an unsafe link URL) that sanitizing removes.
    RawHtmlRemoved,
    /// A fenced code block whose language is neither highlighted nor plain text.
    UnknownLanguage,
    /// Raw HTML (or an unsafe link URL) in a site that denies it.
    RawHtml,
    /// A problem in a partner file.
    PartnerData,
    /// A problem in an export a `[[sources]]` entry reads.
    DataSource,
    /// A problem in `site.toml`.
    Config,
    /// A template that fails to compile or render, or a theme's file.
    Template,
    /// Any other problem in the input: front matter, Markdown, content.
    Input,
}

impl Code {
    /// Every code, in the order `docs/ci.md` lists them.
    pub const ALL: [Code; 13] = [
        Code::BrokenLink,
        Code::BrokenAnchor,
        Code::ImageMissingAlt,
        Code::UnusedAsset,
        Code::ModuleWithoutTrack,
        Code::RawHtmlRemoved,
        Code::UnknownLanguage,
        Code::RawHtml,
        Code::PartnerData,
        Code::DataSource,
        Code::Config,
        Code::Template,
        Code::Input,
    ];

    /// The code as reports spell it, such as `broken-link`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::BrokenLink => "broken-link",
            Code::BrokenAnchor => "broken-anchor",
            Code::ImageMissingAlt => "image-missing-alt",
            Code::UnusedAsset => "unused-asset",
            Code::ModuleWithoutTrack => "module-without-track",
            Code::RawHtmlRemoved => "raw-html-removed",
            Code::UnknownLanguage => "unknown-language",
            Code::RawHtml => "raw-html",
            Code::PartnerData => "partner-data",
            Code::DataSource => "data-source",
            Code::Config => "config",
            Code::Template => "template",
            Code::Input => "input",
        }
    }

    /// How serious a problem of this kind is unless its finder says
    /// otherwise: what makes the build stop is an error; what only a check
    /// notices and the build can live with is a warning.
    pub fn severity(self) -> Severity {
        match self {
            Code::UnusedAsset
            | Code::ModuleWithoutTrack
            | Code::RawHtmlRemoved
            | Code::UnknownLanguage => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `| code | severity | what |` table of docs/ci.md, as (code, severity) pairs.
    fn documented() -> Vec<(String, String)> {
        let ci = include_str!("../../docs/ci.md");
        crate::base::text::doc_table(ci, "| code | severity | what |")
            .into_iter()
            .map(|cells| (cells[1].trim_matches('`').to_string(), cells[2].clone()))
            .collect()
    }

    #[test]
    fn the_codes_are_exactly_the_documented_ones_with_their_severity() {
        let declared: Vec<(String, String)> = Code::ALL
            .iter()
            .map(|c| (c.as_str().to_string(), c.severity().as_str().to_string()))
            .collect();
        assert_eq!(declared, documented());
    }
}
