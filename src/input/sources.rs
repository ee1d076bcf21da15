//! The `[[sources]]` of `site.toml`: partner data kept in the systems that
//! hold it (an LMS's completions, a survey tool's assessments, a CRM's KPI
//! report), exported as CSV or as xAPI statements into the site's `data/`
//! folder. This module owns what a source entry may say and checks it on
//! its own: the file's place (under `data/`, never where the site publishes
//! files), the columns its kind reads, the formats of its dates, numbers,
//! delimiter and encoding. Reading the exports and joining their rows to the
//! partner files is the work of the partners stage (its `sources` module).

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use crate::base::codes::Code;
use crate::base::diagnostics::Diagnostic;
use crate::base::text::expected_one_of;

/// The folder under the site root that holds the exports sources read.
/// It is watched by the preview and never published.
pub const DATA_DIR: &str = "data";

/// What the rows of a source are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Who is in the program: a person's key, partner and role.
    People,
    /// Dated skill scores, one column per skill.
    Assessments,
    /// Modules completed, with the date.
    Completions,
    /// Workflows where a person uses AI, and since when.
    AiUse,
    /// A partner's business KPIs for a quarter.
    Kpis,
    /// The workflow register: how AI sits in each workflow of a partner.
    Workflows,
}

impl Kind {
    /// The kind as `site.toml` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::People => "people",
            Kind::Assessments => "assessments",
            Kind::Completions => "completions",
            Kind::AiUse => "ai_use",
            Kind::Kpis => "kpis",
            Kind::Workflows => "workflows",
        }
    }

    /// The fields a row of this kind has, each required or not. `partner`
    /// is optional where the person's key finds the partner through a
    /// people source.
    pub fn fields(self) -> &'static [(&'static str, bool)] {
        match self {
            Kind::People => &[
                ("person", true),
                ("partner", true),
                ("role", true),
                ("joined", false),
                ("left", false),
            ],
            Kind::Assessments => &[("person", true), ("partner", false), ("date", true)],
            Kind::Completions => &[
                ("person", true),
                ("partner", false),
                ("module", true),
                ("date", true),
            ],
            Kind::AiUse => &[
                ("person", true),
                ("partner", false),
                ("workflow", true),
                ("since", true),
            ],
            Kind::Kpis => &[
                ("partner", true),
                ("quarter", true),
                ("partner_sourced_revenue", true),
                ("sales_cycle_days", true),
                ("cost_to_serve", true),
                ("enablement_throughput", true),
                ("margin_contribution", true),
            ],
            Kind::Workflows => &[
                ("partner", true),
                ("workflow", true),
                ("embedded", false),
                ("since", false),
                ("documented", false),
                ("quality_standard", false),
                ("minutes_before", false),
                ("minutes_after", false),
                ("runs_per_quarter", false),
            ],
        }
    }
}

/// How a source's file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma- (or otherwise) separated values with a header line.
    Csv,
    /// xAPI statements: a JSON array, or one statement per line (NDJSON).
    Xapi,
}

/// One `[[sources]]` entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// A file, or a folder whose files are all read, under `data/`.
    pub file: Spanned<String>,
    /// What its rows are.
    pub kind: Spanned<Kind>,
    /// `csv` or `xapi`; by default from the file's extension (`.json`,
    /// `.ndjson` and `.jsonl` are xAPI, anything else CSV).
    pub format: Option<Format>,
    /// The CSV delimiter, one character; by default the one of `,` `;` tab
    /// `|` found most often in the header line.
    pub delimiter: Option<Spanned<String>>,
    /// `utf-8` (the default; a byte-order mark is skipped), `utf-16` (with
    /// its byte-order mark) or `windows-1252`.
    pub encoding: Option<Spanned<String>>,
    /// How dates are written, as chrono's `strftime` pattern such as
    /// `%m/%d/%Y`; by default `YYYY-MM-DD`, or a timestamp that starts so.
    pub date_format: Option<Spanned<String>>,
    /// `.` (the default) or `,`: the decimal mark of numbers. Grouping
    /// marks (the other of the two, spaces) and currency signs are skipped.
    pub decimal: Option<Spanned<String>>,
    /// proficio field → the column header that holds it.
    #[serde(default)]
    pub columns: BTreeMap<String, Spanned<String>>,
    /// Assessments: skill id → the column header of its score.
    #[serde(default)]
    pub scores: BTreeMap<String, Spanned<String>>,
    /// Value in the partner column → partner id, for exports that name
    /// partners their own way. Ids and partner names match without it.
    #[serde(default)]
    pub partners: BTreeMap<String, String>,
    /// Value in the module column (or an xAPI activity id) → module id.
    /// Module ids, and URLs ending in `/modules/<id>/`, match without it.
    #[serde(default)]
    pub modules: BTreeMap<String, String>,
}

impl Source {
    /// The format the file is read as.
    pub fn format(&self) -> Format {
        self.format.unwrap_or_else(|| {
            let lower = self.file.get_ref().to_ascii_lowercase();
            if [".json", ".ndjson", ".jsonl"]
                .iter()
                .any(|ext| lower.ends_with(ext))
            {
                Format::Xapi
            } else {
                Format::Csv
            }
        })
    }

    /// The column header of `field`, if the source maps it.
    pub fn column(&self, field: &str) -> Option<&str> {
        self.columns.get(field).map(|c| c.get_ref().as_str())
    }

    /// The decimal mark.
    pub fn decimal_mark(&self) -> char {
        match self.decimal.as_ref().map(|d| d.get_ref().as_str()) {
            Some(",") => ',',
            _ => '.',
        }
    }

    /// The problems of this entry on its own, located in `site.toml`
    /// (`file`, `source`), given the skill ids of the catalogue.
    pub fn check(&self, file: &Path, source: &Arc<str>, skills: &[&str]) -> Vec<Diagnostic> {
        let at = |span: Range<usize>, message: String| {
            Diagnostic::new(Code::Config, file, source.clone(), span, message)
        };
        let mut problems = Vec::new();
        self.check_place(&at, &mut problems);
        self.check_fields(&at, skills, &mut problems);
        self.check_formats(&at, &mut problems);
        problems
    }

    /// The file is under `data/`, which is never published.
    fn check_place(&self, at: &At, problems: &mut Vec<Diagnostic>) {
        let path = self.file.get_ref();
        let inside_data = path
            .strip_prefix(DATA_DIR)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        let climbs = path.split(['/', '\\']).any(|part| part == "..");
        if !inside_data || climbs || path.contains('\\') {
            problems.push(
                at(
                    self.file.span(),
                    format!("source file `{path}` is not under {DATA_DIR}/"),
                )
                .expected(
                    "a path under the site's data/ folder, such as \"data/lms-completions.csv\": \
                         data/ is read and watched but never published, unlike content/ or static/",
                ),
            );
        }
    }

    /// The kind's fields are mapped, and only those; the skills are known.
    fn check_fields(&self, at: &At, skills: &[&str], problems: &mut Vec<Diagnostic>) {
        let kind = *self.kind.get_ref();
        let known: Vec<&str> = kind.fields().iter().map(|(field, _)| *field).collect();
        for (field, header) in &self.columns {
            if !known.contains(&field.as_str()) {
                problems.push(
                    at(
                        header.span(),
                        format!(
                            "a source of kind `{}` has no field `{field}`",
                            kind.as_str()
                        ),
                    )
                    .expected(expected_one_of(
                        field,
                        &known,
                        "a field of this kind",
                    )),
                );
            }
        }
        if self.format() == Format::Xapi {
            if kind != Kind::Completions {
                problems.push(
                    at(self.kind.span(), format!("xAPI statements cannot be a source of kind `{}`", kind.as_str()))
                        .expected("kind = \"completions\": proficio reads `completed` and `passed` statements"),
                );
            }
        } else {
            for (field, required) in kind.fields() {
                if *required && !self.columns.contains_key(*field) {
                    problems.push(
                        at(
                            self.kind.span(),
                            format!("a source of kind `{}` needs the column of `{field}`", kind.as_str()),
                        )
                        .expected(format!(
                            "`{field} = \"<header>\"` under [sources.columns], naming the export's column"
                        )),
                    );
                }
            }
        }
        if kind == Kind::Assessments && self.scores.is_empty() {
            problems.push(
                at(self.kind.span(), "an assessments source needs its score columns".to_string())
                    .expected("[sources.scores] mapping skill ids to the export's columns, such as prompting = \"Q1 Prompting\""),
            );
        }
        for (skill, header) in &self.scores {
            if !skills.contains(&skill.as_str()) {
                problems.push(
                    at(header.span(), format!("unknown skill `{skill}`")).expected(
                        expected_one_of(skill, skills, "a skill defined in site.toml"),
                    ),
                );
            }
        }
    }

    /// The delimiter, encoding, decimal mark and date pattern can be used.
    fn check_formats(&self, at: &At, problems: &mut Vec<Diagnostic>) {
        if let Some(delimiter) = &self.delimiter {
            let text = delimiter.get_ref();
            if text.len() != 1 || !text.is_ascii() || text == "\"" || text == "\n" {
                problems.push(
                    at(delimiter.span(), format!("`{text}` cannot be a delimiter"))
                        .expected("one ASCII character such as \",\", \";\", \"|\" or \"\\t\""),
                );
            }
        }
        if let Some(encoding) = &self.encoding {
            let name = encoding.get_ref();
            if !ENCODINGS.contains(&name.as_str()) {
                problems.push(
                    at(encoding.span(), format!("unknown encoding `{name}`"))
                        .expected(expected_one_of(name, &ENCODINGS, "an encoding")),
                );
            }
        }
        if let Some(decimal) = &self.decimal {
            let mark = decimal.get_ref();
            if mark != "." && mark != "," {
                problems.push(
                    at(decimal.span(), format!("`{mark}` cannot be a decimal mark"))
                        .expected("\".\" or \",\""),
                );
            }
        }
        if let Some(pattern) = &self.date_format
            && !is_date_pattern(pattern.get_ref())
        {
            problems.push(
                at(
                    pattern.span(),
                    format!("`{}` is not a date pattern", pattern.get_ref()),
                )
                .expected(
                    "a strftime pattern with a year, month and day, such as \"%m/%d/%Y\" or \"%d.%m.%Y\"",
                ),
            );
        }
    }
}

/// How a problem of an entry is made: at a place in `site.toml`.
type At<'a> = dyn Fn(Range<usize>, String) -> Diagnostic + 'a;

/// The encodings a CSV source may be in.
pub const ENCODINGS: [&str; 3] = ["utf-8", "utf-16", "windows-1252"];

/// Whether `pattern` writes a whole date that reads back as itself.
fn is_date_pattern(pattern: &str) -> bool {
    use std::fmt::Write;
    let Some(date) = chrono::NaiveDate::from_ymd_opt(2026, 11, 23) else {
        return false;
    };
    let mut written = String::new();
    // A pattern chrono cannot format is an error here, not a panic.
    if write!(written, "{}", date.format(pattern)).is_err() {
        return false;
    }
    chrono::NaiveDate::parse_from_str(&written, pattern).ok() == Some(date)
}
