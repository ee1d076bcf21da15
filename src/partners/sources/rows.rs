//! One row of an export as proficio's fields: each mapped cell read as the
//! text, date, number, yes/no or quarter it must be, with a located problem
//! naming the row, the column's header and what was expected when it is
//! not. The source's date pattern and decimal mark apply.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::base::codes::Code;
use crate::base::diagnostics::Diagnostic;
use crate::base::quarter::Quarter;
use crate::input::sources::Source;
use crate::partners::metrics::{self, MAX_FIGURE};

use super::table::{Row, Table};

/// An export file being read: where it is, its text and the columns the
/// source maps, found in its header.
pub struct Sheet<'a> {
    pub source: &'a Source,
    pub file: &'a Path,
    pub text: Arc<str>,
    /// proficio field (or `score:<skill>`) → (column index, header).
    pub columns: Vec<(String, usize, String)>,
}

impl Sheet<'_> {
    /// A problem at `range` of this file.
    pub fn at(&self, range: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(
            Code::DataSource,
            self.file,
            self.text.clone(),
            range,
            message,
        )
    }

    /// The columns of `table` the source maps, or a problem for each header
    /// the file lacks.
    pub fn map_columns(&mut self, table: &Table, problems: &mut Vec<Diagnostic>) {
        let mut wanted: Vec<(String, &str)> = self
            .source
            .columns
            .iter()
            .map(|(field, header)| (field.clone(), header.get_ref().as_str()))
            .collect();
        wanted.extend(
            self.source
                .scores
                .iter()
                .map(|(skill, header)| (format!("score:{skill}"), header.get_ref().as_str())),
        );
        let headers: Vec<&str> = table.headers.iter().map(String::as_str).collect();
        for (field, header) in wanted {
            match table.column(header) {
                Some(index) => self.columns.push((field, index, header.to_string())),
                None => problems.push(
                    self.at(table.header_range.clone(), format!("no column `{header}`"))
                        .expected(crate::base::text::expected_one_of(
                            header,
                            &headers,
                            "a header of this file's first line",
                        )),
                ),
            }
        }
    }

    /// The cells of `row` as this sheet's fields.
    pub fn cells<'r>(&'r self, row: &'r Row, line: usize) -> Cells<'r> {
        Cells {
            sheet: self,
            row,
            line,
        }
    }
}

/// One row's cells, read field by field.
pub struct Cells<'a> {
    sheet: &'a Sheet<'a>,
    row: &'a Row,
    /// The row's number in the file, counting the header as row 1.
    line: usize,
}

/// A cell's text and place.
pub struct Cell<'a> {
    pub text: &'a str,
    pub range: Range<usize>,
    header: &'a str,
}

impl<'a> Cells<'a> {
    /// Where the whole row is.
    pub fn range(&self) -> Range<usize> {
        self.row.range.clone()
    }

    /// A problem at `cell`, naming its row and column.
    pub fn problem(&self, cell: &Cell, message: String, expected: impl Into<String>) -> Diagnostic {
        self.sheet
            .at(
                cell.range.clone(),
                format!("row {}, column `{}`: {message}", self.line, cell.header),
            )
            .expected(expected)
    }

    /// The cell of `field`, if the source maps it and it is not empty.
    pub fn get(&self, field: &str) -> Option<Cell<'a>> {
        let (_, index, header) = self.sheet.columns.iter().find(|(f, _, _)| f == field)?;
        let text = self.row.cells.get(*index)?.as_str();
        if text.is_empty() {
            return None;
        }
        Some(Cell {
            text,
            range: self.row.ranges.get(*index).cloned().unwrap_or(self.range()),
            header,
        })
    }

    /// The filled score cells the source maps (`[sources.scores]`), each
    /// with its skill's id.
    pub fn score_cells(&self) -> impl Iterator<Item = (&'a str, Cell<'a>)> + '_ {
        self.sheet
            .columns
            .iter()
            .filter_map(|(field, index, header)| {
                let skill = field.strip_prefix("score:")?;
                let text = self.row.cells.get(*index)?.as_str();
                let range = self.row.ranges.get(*index).cloned().unwrap_or(self.range());
                (!text.is_empty()).then_some((
                    skill,
                    Cell {
                        text,
                        range,
                        header,
                    },
                ))
            })
    }

    /// `cell` as a score from 0 to 4, by the source's decimal mark.
    pub fn score(&self, cell: &Cell, problems: &mut Vec<Diagnostic>) -> Option<f64> {
        let expected = "a score from 0 (none) to 4 (expert)";
        match number(cell.text, self.sheet.source.decimal_mark()) {
            Some(score) if (0.0..=4.0).contains(&score) => Some(score),
            Some(_) => {
                problems.push(self.problem(
                    cell,
                    format!("score {} is outside 0–4", cell.text),
                    expected,
                ));
                None
            }
            None => {
                problems.push(self.problem(
                    cell,
                    format!("`{}` is not a score", cell.text),
                    expected,
                ));
                None
            }
        }
    }

    /// The cell of a field every row must fill, or a problem.
    pub fn required(&self, field: &str, problems: &mut Vec<Diagnostic>) -> Option<Cell<'a>> {
        let cell = self.get(field);
        if cell.is_none() {
            let header = self
                .sheet
                .columns
                .iter()
                .find(|(f, _, _)| f == field)
                .map_or(field, |(_, _, header)| header.as_str());
            problems.push(
                self.sheet
                    .at(
                        self.range(),
                        format!("row {}: `{header}` is empty", self.line),
                    )
                    .expected(format!("the row's {}", field.replace('_', " "))),
            );
        }
        cell
    }

    /// `cell` as a date, by the source's `date_format` (by default
    /// `YYYY-MM-DD`, or a timestamp starting so).
    pub fn date(&self, cell: &Cell, problems: &mut Vec<Diagnostic>) -> Option<NaiveDate> {
        let parsed = match &self.sheet.source.date_format {
            Some(pattern) => NaiveDate::parse_from_str(cell.text, pattern.get_ref()).ok(),
            None => cell.text.get(..10).and_then(metrics::date),
        };
        if parsed.is_none() {
            let pattern = self
                .sheet
                .source
                .date_format
                .as_ref()
                .map_or("%Y-%m-%d", |p| p.get_ref().as_str());
            problems.push(self.problem(
                cell,
                format!("`{}` is not a date", cell.text),
                format!("a date written as `{pattern}` (the source's `date_format`)"),
            ));
        }
        parsed
    }

    /// `cell` as a number from `min` to [`MAX_FIGURE`].
    pub fn number(&self, cell: &Cell, min: f64, problems: &mut Vec<Diagnostic>) -> Option<f64> {
        let parsed = number(cell.text, self.sheet.source.decimal_mark());
        match parsed {
            Some(value) if (min..=MAX_FIGURE).contains(&value) => Some(value),
            Some(_) => {
                problems.push(self.problem(
                    cell,
                    format!("{} is out of range", cell.text),
                    format!("a figure from {min} to {MAX_FIGURE}"),
                ));
                None
            }
            None => {
                let mark = self.sheet.source.decimal_mark();
                problems.push(self.problem(
                    cell,
                    format!("`{}` is not a number", cell.text),
                    format!("a number with `{mark}` as its decimal mark (the source's `decimal`)"),
                ));
                None
            }
        }
    }

    /// `cell` as yes or no.
    pub fn yes_no(&self, cell: &Cell, problems: &mut Vec<Diagnostic>) -> Option<bool> {
        match cell.text.to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "1" | "x" => Some(true),
            "no" | "n" | "false" | "0" => Some(false),
            _ => {
                problems.push(self.problem(
                    cell,
                    format!("`{}` is not yes or no", cell.text),
                    "yes, no, true, false, 1 or 0",
                ));
                None
            }
        }
    }

    /// `cell` as a quarter, `YYYY-Qn` (also read: `Qn YYYY`, `YYYYQn`).
    pub fn quarter(&self, cell: &Cell, problems: &mut Vec<Diagnostic>) -> Option<String> {
        match quarter(cell.text) {
            Some(quarter) => Some(quarter.to_string()),
            None => {
                problems.push(self.problem(
                    cell,
                    format!("`{}` is not a quarter", cell.text),
                    "a quarter such as 2026-Q1 (or Q1 2026)",
                ));
                None
            }
        }
    }
}

/// A quarter as exports write it.
fn quarter(text: &str) -> Option<Quarter> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let upper = compact.to_ascii_uppercase();
    if let Some(quarter) = Quarter::parse(&upper) {
        return Some(quarter);
    }
    if let Some((q, year)) = upper
        .strip_prefix('Q')
        .and_then(|rest| rest.split_at_checked(1))
    {
        return Quarter::parse(&format!("{year}-Q{q}"));
    }
    let (year, q) = upper.split_once('Q')?;
    Quarter::parse(&format!("{year}-Q{q}"))
}

/// A number as exports write it: currency signs, spaces and the grouping
/// mark (the other of `.` and `,`) skipped; a leading `-` or parentheses
/// make it negative.
pub fn number(text: &str, decimal: char) -> Option<f64> {
    let grouping = if decimal == ',' { '.' } else { ',' };
    let negative = text.starts_with('-') || (text.starts_with('(') && text.ends_with(')'));
    let digits: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == decimal)
        .map(|c| if c == decimal { '.' } else { c })
        .collect();
    let kept = |c: char| {
        c.is_ascii_digit()
            || c == decimal
            || c == grouping
            || c.is_whitespace()
            || "-()$€£¥%+".contains(c)
    };
    if digits.is_empty() || !text.chars().all(kept) {
        return None;
    }
    let value: f64 = digits.parse().ok()?;
    value
        .is_finite()
        .then_some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_exports_write_them() {
        assert_eq!(number("$1,234,000", '.'), Some(1_234_000.0));
        assert_eq!(number("1.234,5", ','), Some(1234.5));
        assert_eq!(number("(2,500)", '.'), Some(-2500.0));
        assert_eq!(number("-7.5", '.'), Some(-7.5));
        assert_eq!(number("12 days", '.'), None);
        assert_eq!(number("", '.'), None);
    }

    #[test]
    fn quarters_are_read_in_the_usual_spellings() {
        for text in ["2026-Q1", "Q1 2026", "2026Q1", "q1 2026"] {
            assert_eq!(
                quarter(text).map(|q| q.to_string()).as_deref(),
                Some("2026-Q1"),
                "{text}"
            );
        }
        assert!(quarter("2026-05").is_none());
    }
}
