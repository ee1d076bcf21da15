//! The check's report: its findings in a stable order, counted, and
//! written for people (each finding with its source line and a caret, then
//! a summary line) or as the versioned JSON document `docs/ci.md`
//! describes. Findings are [`Diagnostic`]s, shown by their own renderer:
//! headed `error[code]:` ([`Diagnostic::render_with_code`]), or, when the
//! build stopped on its input, exactly as the build prints them.

use std::path::Path;

use serde::Serialize;

use crate::base::codes::Severity;
use crate::base::diagnostics::Diagnostic;

/// The version of the JSON report's schema.
pub const JSON_VERSION: u64 = 1;

/// Everything a check found, in a stable order.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The findings, sorted by file, line, column and code.
    pub findings: Vec<Diagnostic>,
    /// Whether the build stopped on its input, so that the findings are the
    /// build's own problems: they are then shown as the build prints them.
    build_stopped: bool,
}

impl Report {
    /// The report of a site that rendered: the checks' findings.
    pub(super) fn of_site(findings: Vec<Diagnostic>) -> Report {
        Report::new(findings, false)
    }

    /// The report of a build that stopped on problems in its input.
    pub(super) fn of_stopped_build(problems: Vec<Diagnostic>) -> Report {
        Report::new(problems, true)
    }

    fn new(mut findings: Vec<Diagnostic>, build_stopped: bool) -> Report {
        // Lines and columns are counted in the file's text: once per finding.
        findings.sort_by_cached_key(|f| {
            let (file, line, column, code, message) = sort_key(f);
            (file.to_path_buf(), line, column, code, message.to_string())
        });
        findings.dedup_by(|a, b| sort_key(a) == sort_key(b));
        Report {
            findings,
            build_stopped,
        }
    }

    /// Turns every warning into an error, as `--strict` does.
    pub fn make_strict(&mut self) {
        for finding in &mut self.findings {
            finding.severity = Severity::Error;
        }
    }

    /// How many findings are errors.
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    /// How many findings are warnings.
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// The report as the documented JSON document (see `docs/ci.md`), with
    /// keys in the documented order.
    pub fn to_json(&self) -> String {
        let findings = self
            .findings
            .iter()
            .map(|f| JsonFinding {
                severity: f.severity.as_str(),
                code: f.code.as_str(),
                message: &f.message,
                file: f.file.to_string_lossy().replace('\\', "/"),
                line: f.line(),
                column: f.column(),
                hint: Some(f.notes().join("; ")).filter(|notes| !notes.is_empty()),
            })
            .collect();
        let document = JsonReport {
            version: JSON_VERSION,
            findings,
            errors: self.errors(),
            warnings: self.warnings(),
        };
        serde_json::to_string_pretty(&document).unwrap_or_default()
    }

    /// The human report: every finding, then a summary line.
    pub fn render(&self, colour: bool) -> String {
        let mut text: String = self
            .findings
            .iter()
            .map(|f| {
                if self.build_stopped {
                    f.render(colour)
                } else {
                    f.render_with_code(colour)
                }
            })
            .collect();
        text.push_str(&self.summary());
        text.push('\n');
        text
    }

    /// One line: how many errors and warnings.
    pub fn summary(&self) -> String {
        let (errors, warnings) = (self.errors(), self.warnings());
        if errors + warnings == 0 {
            return "check: no problems found".to_string();
        }
        format!(
            "check: {errors} error{}, {warnings} warning{}",
            plural(errors),
            plural(warnings)
        )
    }
}

/// The JSON report, in the order docs/ci.md shows.
#[derive(Serialize)]
struct JsonReport<'a> {
    version: u64,
    findings: Vec<JsonFinding<'a>>,
    errors: usize,
    warnings: usize,
}

/// One finding of the JSON report.
#[derive(Serialize)]
struct JsonFinding<'a> {
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    file: String,
    line: usize,
    column: usize,
    hint: Option<String>,
}

/// The order of the report: file, line, column, code, message.
fn sort_key(finding: &Diagnostic) -> (&Path, usize, usize, &'static str, &str) {
    (
        &finding.file,
        finding.line(),
        finding.column(),
        finding.code.as_str(),
        &finding.message,
    )
}

/// `s` for any count but one.
pub(super) fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}
