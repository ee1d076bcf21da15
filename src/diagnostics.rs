//! Diagnostics: every problem proficio finds in a site's input, located by file,
//! line and column, with the offending source line and what was expected.
//! Loaders and validators collect [`Diagnostic`]s instead of stopping at the
//! first one, so a single run reports every mistake; [`Error`] is what the
//! library returns to the command line, which turns it into an exit code.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term;

/// One problem in one input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, relative to the site root where possible.
    pub file: PathBuf,
    /// What is wrong.
    pub message: String,
    /// What the tool expected instead, when that can be said.
    pub expected: Option<String>,
    /// The `proficio check` code of this kind of problem, when it has its own.
    pub code: Option<&'static str>,
    source: Arc<str>,
    span: Range<usize>,
}

impl Diagnostic {
    /// A problem at byte range `span` of `source`, the full text of `file`.
    pub fn new(
        file: impl Into<PathBuf>,
        source: Arc<str>,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        let end = span.end.min(source.len());
        let start = span.start.min(end);
        Diagnostic {
            file: file.into(),
            message: message.into(),
            expected: None,
            code: None,
            source,
            span: start..end,
        }
    }

    /// A problem at a 1-based `line` and `column` of `source`.
    pub fn at_line_column(
        file: impl Into<PathBuf>,
        source: Arc<str>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        let offset = offset_of(&source, line, column);
        let end = next_char_boundary(&source, offset);
        Diagnostic::new(file, source, offset..end, message)
    }

    /// Adds what was expected at this place.
    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// Gives the problem its own `proficio check` code.
    pub fn code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    /// The 1-based line the problem starts on.
    pub fn line(&self) -> usize {
        self.source[..self.span.start].matches('\n').count() + 1
    }

    /// The 1-based column (in characters) the problem starts at.
    pub fn column(&self) -> usize {
        let line_start = self.source[..self.span.start]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        self.source[line_start..self.span.start].chars().count() + 1
    }

    /// Renders the problem as a terminal report with the source snippet.
    pub fn render(&self, colour: bool) -> String {
        let name = self.file.display().to_string();
        let file = SimpleFile::new(name, self.source.as_ref());
        let mut report = Report::error()
            .with_message(&self.message)
            .with_labels(vec![Label::primary((), self.span.clone())]);
        if let Some(expected) = &self.expected {
            report = report.with_notes(vec![format!("expected {expected}")]);
        }
        let config = term::Config::default();
        if colour {
            let mut buffer = term::termcolor::Buffer::ansi();
            if term::emit_to_write_style(&mut buffer, &config, &file, &report).is_ok() {
                return String::from_utf8_lossy(buffer.as_slice()).into_owned();
            }
        }
        term::emit_into_string(&config, &file, &report).unwrap_or_else(|_| self.to_string())
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line(),
            self.column(),
            self.message
        )?;
        if let Some(expected) = &self.expected {
            write!(f, " (expected {expected})")?;
        }
        Ok(())
    }
}

/// Byte offset of a 1-based line and column; clamps to the text's end.
fn offset_of(source: &str, line: usize, column: usize) -> usize {
    let mut line_start = 0;
    for _ in 1..line.max(1) {
        match source[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return source.len(),
        }
    }
    let line_end = source[line_start..]
        .find('\n')
        .map_or(source.len(), |i| line_start + i);
    source[line_start..line_end]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_end, |(i, _)| line_start + i)
}

fn next_char_boundary(source: &str, offset: usize) -> usize {
    source[offset..]
        .chars()
        .next()
        .map_or(offset, |c| offset + c.len_utf8())
}

/// Everything that can stop a run.
#[derive(Debug)]
pub enum Error {
    /// The site's input has problems; all of them are listed.
    Input(Vec<Diagnostic>),
    /// A file could not be read or written.
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The request cannot be carried out as asked (for example an output
    /// folder that holds files proficio did not write).
    Refused(String),
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The diagnostics of an input error; empty for other errors.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Input(diagnostics) => diagnostics,
            _ => &[],
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(diagnostics) => {
                for diagnostic in diagnostics {
                    writeln!(f, "{diagnostic}")?;
                }
                let count = diagnostics.len();
                write!(f, "{count} error{}", if count == 1 { "" } else { "s" })
            }
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Refused(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for Error {}

/// Shorthand for results whose error is [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Sorts diagnostics by file and position so reports are stable between runs.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.file, a.span.start, &a.message).cmp(&(&b.file, b.span.start, &b.message))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let source: Arc<str> = Arc::from("first\nsé cond line\n");
        let d = Diagnostic::new("a.md", source.clone(), 10..14, "bad");
        assert_eq!((d.line(), d.column()), (2, 4));
        let d = Diagnostic::at_line_column("a.md", source, 2, 4, "bad");
        assert_eq!((d.line(), d.column()), (2, 4));
        assert_eq!(d.to_string(), "a.md:2:4: bad");
    }

    #[test]
    fn render_shows_location_snippet_and_expectation() {
        let source: Arc<str> = Arc::from("title: x\nlevel: guru\n");
        let d = Diagnostic::new("m.md", source, 16..20, "unknown level `guru`")
            .expected("one of nay-sayer, experimenter, practitioner");
        let text = d.render(false);
        assert!(text.contains("m.md:2:8"), "{text}");
        assert!(text.contains("level: guru"), "{text}");
        assert!(text.contains("expected one of nay-sayer"), "{text}");
    }
}
