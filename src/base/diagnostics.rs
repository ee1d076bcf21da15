//! Diagnostics: every problem proficio finds, in a site's input or in the
//! site it renders, located by file, line and column, with the offending
//! source line and what was expected. A [`Diagnostic`] is the one problem
//! type: what `build` stops on, what `serve` shows and what `check` reports
//! and writes as JSON, each with its [`Code`] from [`codes`](super::codes)
//! and one renderer ([`Diagnostic::render`]). Loaders and validators collect
//! diagnostics instead of stopping at the first one, so a single run reports
//! every mistake; [`Error`] is what the library returns to the command line,
//! which turns it into an exit code.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity as Level};
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term;

use super::codes::{Code, Severity};

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning; at first the code's own severity.
    pub severity: Severity,
    /// The kind of problem, stated where it is found.
    pub code: Code,
    /// The file, relative to the site root where possible.
    pub file: PathBuf,
    /// What is wrong.
    pub message: String,
    /// What the tool expected instead, when that can be said. (This and the
    /// hint are boxed to keep a diagnostic small: it is returned by value as
    /// an error.)
    pub expected: Option<Box<str>>,
    /// How to fix it, or where the problem comes from.
    pub hint: Option<Box<str>>,
    place: Place,
}

/// Where in its file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    /// Byte range `span` of `source`, the file's full text.
    Text {
        source: Arc<str>,
        span: Range<usize>,
    },
    /// The file as a whole, such as an asset nothing uses.
    WholeFile,
}

impl Diagnostic {
    /// A problem of kind `code` at byte range `span` of `source`, the full
    /// text of `file`.
    pub fn new(
        code: Code,
        file: impl Into<PathBuf>,
        source: Arc<str>,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        let end = span.end.min(source.len());
        let start = span.start.min(end);
        Diagnostic::with_place(
            code,
            file.into(),
            Place::Text {
                source,
                span: start..end,
            },
            message.into(),
        )
    }

    /// A problem of kind `code` at a 1-based `line` and `column` of `source`.
    pub fn at_line_column(
        code: Code,
        file: impl Into<PathBuf>,
        source: Arc<str>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        let offset = offset_of(&source, line, column);
        let end = next_char_boundary(&source, offset);
        Diagnostic::new(code, file, source, offset..end, message)
    }

    /// A problem of kind `code` with `file` as a whole: line and column 0.
    pub fn whole_file(code: Code, file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic::with_place(code, file.into(), Place::WholeFile, message.into())
    }

    fn with_place(code: Code, file: PathBuf, place: Place, message: String) -> Self {
        Diagnostic {
            severity: code.severity(),
            code,
            file,
            message,
            expected: None,
            hint: None,
            place,
        }
    }

    /// Adds what was expected at this place.
    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into().into_boxed_str());
        self
    }

    /// Adds how to fix the problem or where it comes from.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into().into_boxed_str());
        self
    }

    /// Gives the problem another severity than its code's.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// The 1-based line the problem starts on; 0 for a whole file.
    pub fn line(&self) -> usize {
        match &self.place {
            Place::Text { source, span } => source[..span.start].matches('\n').count() + 1,
            Place::WholeFile => 0,
        }
    }

    /// The 1-based column (in characters) the problem starts at; 0 for a
    /// whole file.
    pub fn column(&self) -> usize {
        match &self.place {
            Place::Text { source, span } => {
                let line_start = source[..span.start].rfind('\n').map_or(0, |i| i + 1);
                source[line_start..span.start].chars().count() + 1
            }
            Place::WholeFile => 0,
        }
    }

    /// What a report says below the problem: what was expected, then the
    /// hint.
    pub fn notes(&self) -> Vec<String> {
        let expected = self.expected.iter().map(|e| format!("expected {e}"));
        expected
            .chain(self.hint.iter().map(ToString::to_string))
            .collect()
    }

    /// Renders the problem as a terminal report headed `error: message`,
    /// as the build prints it: with the source snippet, the one line the
    /// problem starts on, cut to [`EXCERPT_WIDTH`] characters around it, so
    /// a report never shows more of a file.
    pub fn render(&self, colour: bool) -> String {
        self.report(colour, false)
    }

    /// The same report headed `error[code]: message` (or `warning[code]:`),
    /// as `proficio check` prints its findings.
    pub fn render_with_code(&self, colour: bool) -> String {
        self.report(colour, true)
    }

    fn report(&self, colour: bool, with_code: bool) -> String {
        let Place::Text { source, span } = &self.place else {
            return self.whole_file_report(with_code);
        };
        let excerpt = Excerpt::new(&self.file, source, span.clone());
        let level = match self.severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
        };
        let mut report = Report::new(level)
            .with_message(tidy(&self.message))
            .with_labels(vec![Label::primary((), excerpt.span())])
            .with_notes(self.notes());
        if with_code {
            report = report.with_code(self.code.as_str());
        }
        let config = term::Config::default();
        if colour {
            let mut buffer = term::termcolor::Buffer::ansi();
            if term::emit_to_write_style(&mut buffer, &config, &excerpt, &report).is_ok() {
                return String::from_utf8_lossy(buffer.as_slice()).into_owned();
            }
        }
        term::emit_into_string(&config, &excerpt, &report).unwrap_or_else(|_| format!("{self}\n"))
    }

    /// A whole file has no line to show: the header, the file and the notes.
    fn whole_file_report(&self, with_code: bool) -> String {
        let code = if with_code {
            format!("[{}]", self.code)
        } else {
            String::new()
        };
        let mut text = format!(
            "{}{code}: {}\n  --> {}\n",
            self.severity.as_str(),
            tidy(&self.message),
            printable_path(&self.file)
        );
        for note in self.notes() {
            text.push_str(&format!("  = {note}\n"));
        }
        text.push('\n');
        text
    }

    /// The byte offset the problem starts at, for sorting; 0 for a whole file.
    fn start(&self) -> usize {
        match &self.place {
            Place::Text { span, .. } => span.start,
            Place::WholeFile => 0,
        }
    }
}

/// The most characters of a source line a report shows.
pub const EXCERPT_WIDTH: usize = 120;

/// How many characters before the problem an excerpt of a long line keeps.
const EXCERPT_LEAD: usize = 40;

/// The part of a diagnostic's source a report may show: the problem's line,
/// cut to [`EXCERPT_WIDTH`], with characters that could disturb a terminal
/// (controls, bidirectional overrides, zero-width characters) replaced.
/// It reports the real line and column of the full file.
pub struct Excerpt {
    name: String,
    text: String,
    span: Range<usize>,
    line: usize,
    /// Characters of the real line left out before the excerpt's text.
    skipped: usize,
    /// Whether the text starts with an ellipsis standing for `skipped`.
    marked: bool,
}

impl Excerpt {
    /// The excerpt of `source`, the text of `file`, for a problem at `span`.
    pub fn new(file: &Path, source: &str, span: Range<usize>) -> Excerpt {
        let end = span.end.min(source.len());
        let start = span.start.min(end);
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let line = &source[line_start..line_end];
        let column = source[line_start..start].chars().count();
        let length = line.chars().count();
        let skipped = if length > EXCERPT_WIDTH {
            column
                .saturating_sub(EXCERPT_LEAD)
                .min(length - EXCERPT_WIDTH)
        } else {
            0
        };
        let marked = skipped > 0;
        let mut text = String::from(if marked { "…" } else { "" });
        let (mut span_start, mut span_end) = (None, None);
        let end = end.min(line_end);
        for (offset, c) in line.char_indices().skip(skipped).take(EXCERPT_WIDTH) {
            let at = line_start + offset;
            if at == start {
                span_start = Some(text.len());
            }
            if at == end {
                span_end = Some(text.len());
            }
            text.push(if is_disturbing(c) { '\u{FFFD}' } else { c });
        }
        let cut_end = skipped + EXCERPT_WIDTH < length;
        let span_start = span_start.unwrap_or(text.len());
        let span_end = span_end.unwrap_or(text.len()).max(span_start);
        if cut_end {
            text.push('…');
        }
        Excerpt {
            name: printable_path(file),
            text,
            span: span_start..span_end,
            line: source[..line_start].matches('\n').count() + 1,
            skipped,
            marked,
        }
    }

    /// Where the problem is in the excerpt's text, for a report's label.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }
}

/// The most characters of a message a report shows: messages quote values
/// from the file, and a value may be a whole line.
const MESSAGE_WIDTH: usize = 200;

/// `message` with disturbing characters replaced, cut in the middle when
/// longer than 200 characters, so its start and end both stay readable.
pub fn tidy(message: &str) -> String {
    let clean = message
        .chars()
        .map(|c| if is_disturbing(c) { '\u{FFFD}' } else { c });
    let length = message.chars().count();
    if length <= MESSAGE_WIDTH {
        return clean.collect();
    }
    let keep = MESSAGE_WIDTH / 2;
    let mut text: String = clean.clone().take(keep).collect();
    text.push('…');
    text.extend(clean.skip(length - keep));
    text
}

/// `path` for a terminal: characters it would act on or draw misleadingly
/// are written as escapes (`\n`, `\u{202e}`), so a file's name cannot
/// rewrite the report it appears in.
pub fn printable_path(path: &Path) -> String {
    path.display()
        .to_string()
        .chars()
        .map(|c| {
            if is_disturbing(c) {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Characters a terminal would act on or draw misleadingly.
fn is_disturbing(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

impl<'a> Files<'a> for Excerpt {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> std::result::Result<&'a str, FilesError> {
        Ok(&self.name)
    }

    fn source(&'a self, (): ()) -> std::result::Result<&'a str, FilesError> {
        Ok(&self.text)
    }

    fn line_index(&'a self, (): (), _: usize) -> std::result::Result<usize, FilesError> {
        Ok(0)
    }

    fn line_number(&'a self, (): (), _: usize) -> std::result::Result<usize, FilesError> {
        Ok(self.line)
    }

    fn column_number(
        &'a self,
        (): (),
        _: usize,
        byte_index: usize,
    ) -> std::result::Result<usize, FilesError> {
        let shown = self.text[..byte_index.min(self.text.len())].chars().count();
        Ok(shown - usize::from(self.marked) + self.skipped + 1)
    }

    fn line_range(&'a self, (): (), _: usize) -> std::result::Result<Range<usize>, FilesError> {
        Ok(0..self.text.len())
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            printable_path(&self.file),
            self.line(),
            self.column(),
            tidy(&self.message)
        )?;
        for note in self.notes() {
            write!(f, " ({note})")?;
        }
        Ok(())
    }
}

/// Byte offset of a 1-based line and column; clamps to the text's end.
pub fn offset_of(source: &str, line: usize, column: usize) -> usize {
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
            Error::Io { path, source } => write!(f, "{}: {source}", printable_path(path)),
            Error::Refused(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for Error {}

/// Shorthand for results whose error is [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Sorts diagnostics by file and position so reports are stable between runs.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics
        .sort_by(|a, b| (&a.file, a.start(), &a.message).cmp(&(&b.file, b.start(), &b.message)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let source: Arc<str> = Arc::from("first\nsé cond line\n");
        let d = Diagnostic::new(Code::Input, "a.md", source.clone(), 10..14, "bad");
        assert_eq!((d.line(), d.column()), (2, 4));
        let d = Diagnostic::at_line_column(Code::Input, "a.md", source, 2, 4, "bad");
        assert_eq!((d.line(), d.column()), (2, 4));
        assert_eq!(d.to_string(), "a.md:2:4: bad");
    }

    #[test]
    fn a_report_with_its_code_names_the_code_and_severity() {
        let source: Arc<str> = Arc::from("x [a](/b/) y\n");
        let d = Diagnostic::new(Code::BrokenLink, "a.md", source, 6..9, "link to `/b/`")
            .hint("nothing is built at `/b`");
        let text = d.render_with_code(false);
        assert!(
            text.starts_with("error[broken-link]: link to `/b/`\n"),
            "{text}"
        );
        assert!(text.contains("= nothing is built at `/b`"), "{text}");
        assert!(d.render(false).starts_with("error: link to `/b/`\n"));
    }

    #[test]
    fn a_whole_file_has_line_and_column_0_and_no_snippet() {
        let d =
            Diagnostic::whole_file(Code::UnusedAsset, "content/a.pdf", "unused").hint("delete it");
        assert_eq!((d.line(), d.column()), (0, 0));
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(
            d.render_with_code(true),
            "warning[unused-asset]: unused\n  --> content/a.pdf\n  = delete it\n\n"
        );
    }

    #[test]
    fn render_shows_location_snippet_and_expectation() {
        let source: Arc<str> = Arc::from("title: x\nlevel: guru\n");
        let d = Diagnostic::new(Code::Input, "m.md", source, 16..20, "unknown level `guru`")
            .expected("one of nay-sayer, experimenter, practitioner");
        let text = d.render(false);
        assert!(text.contains("m.md:2:8"), "{text}");
        assert!(text.contains("level: guru"), "{text}");
        assert!(text.contains("expected one of nay-sayer"), "{text}");
    }

    #[test]
    fn a_report_shows_one_line_cut_around_the_problem_with_its_real_column() {
        let line = format!("{}HERE{}", "a".repeat(400), "b".repeat(600));
        let source: Arc<str> = Arc::from(format!("first\n{line}\nthird\n").as_str());
        let start = "first\n".len() + 400;
        let d = Diagnostic::new(Code::Input, "big.yaml", source, start..start + 700, "bad");
        let text = d.render(false);
        assert!(text.contains("big.yaml:2:401"), "{text}");
        assert!(
            text.contains("2 │ …aaaa") && text.contains("aaaaHEREbbbb"),
            "{text}"
        );
        assert!(!text.contains("first") && !text.contains("third"), "{text}");
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(widest < EXCERPT_WIDTH + 20, "{text}");
    }

    #[test]
    fn a_file_name_is_shown_with_disturbing_characters_escaped() {
        let d = Diagnostic::new(
            Code::Input,
            "content/a\nb\u{202e}.md",
            Arc::from("x\n"),
            0..1,
            "bad",
        );
        assert_eq!(d.to_string(), "content/a\\nb\\u{202e}.md:1:1: bad");
        assert!(d.render(false).contains("content/a\\nb\\u{202e}.md:1:1"));
    }

    #[test]
    fn a_report_replaces_characters_that_would_disturb_a_terminal() {
        let source: Arc<str> = Arc::from("name: a\u{1b}[2Jb\u{202e}c\u{200b}d\n");
        let d = Diagnostic::new(Code::Input, "p.yaml", source, 6..7, "bad");
        let text = d.render(false);
        assert!(
            text.contains("name: a\u{fffd}[2Jb\u{fffd}c\u{fffd}d"),
            "{text}"
        );
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202e}'),
            "{text}"
        );
    }
}
