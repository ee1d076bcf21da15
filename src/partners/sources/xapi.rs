//! xAPI statements from a Learning Record Store's export: a JSON array of
//! statements, or one statement a line (NDJSON). A statement whose verb is
//! `completed` or `passed` is a completion: its actor (the `mbox` email, or
//! the `account` name) is the person's key, its object's id the activity
//! (matched to a module by the source), its timestamp's date the date.
//! Other verbs (attempted, experienced, …) are read past.

use std::ops::Range;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::base::diagnostics::offset_of;

/// A completion found in a statement.
pub struct Statement {
    /// The actor's key: the email of `mbox` without `mailto:`, or the
    /// account's name.
    pub person: String,
    /// The object's id.
    pub activity: String,
    /// The timestamp as written.
    pub timestamp: String,
    /// Where the statement is, and its actor, activity and timestamp
    /// within it (the statement's start when one is not found as written).
    pub range: Range<usize>,
    pub person_range: Range<usize>,
    pub activity_range: Range<usize>,
    pub timestamp_range: Range<usize>,
}

#[derive(Deserialize)]
struct Written {
    actor: Actor,
    verb: Verb,
    object: Object,
    timestamp: Option<String>,
}

#[derive(Deserialize)]
struct Actor {
    mbox: Option<String>,
    account: Option<Account>,
}

#[derive(Deserialize)]
struct Account {
    name: String,
}

#[derive(Deserialize)]
struct Verb {
    id: String,
}

#[derive(Deserialize)]
struct Object {
    id: String,
}

/// The verbs that mean a module was completed.
const COMPLETING: [&str; 2] = ["completed", "passed"];

/// The completions of a file, and each problem as a message with the range
/// it is at.
pub type Statements = (Vec<Statement>, Vec<(String, Range<usize>)>);

/// The completions of `text`, and each problem as a message with the range
/// it is at.
pub fn read(text: &str) -> Statements {
    let mut statements = Vec::new();
    let mut problems = Vec::new();
    for range in statement_ranges(text, &mut problems) {
        let raw = &text[range.clone()];
        let written: Written = match serde_json::from_str(raw) {
            Ok(written) => written,
            Err(e) => {
                problems.push((
                    format!("this is not an xAPI statement: {e}"),
                    range.start..range.start,
                ));
                continue;
            }
        };
        let verb = written.verb.id.rsplit('/').next().unwrap_or_default();
        if !COMPLETING.contains(&verb) {
            continue;
        }
        let person = match (&written.actor.mbox, &written.actor.account) {
            (Some(mbox), _) => mbox.strip_prefix("mailto:").unwrap_or(mbox).to_string(),
            (None, Some(account)) => account.name.clone(),
            (None, None) => {
                problems.push((
                    "this statement's actor has neither an `mbox` nor an `account`".to_string(),
                    within(text, &range, "\"actor\""),
                ));
                continue;
            }
        };
        let Some(timestamp) = written.timestamp else {
            problems.push((
                "this completion has no `timestamp`".to_string(),
                range.start..range.start,
            ));
            continue;
        };
        statements.push(Statement {
            person_range: within(text, &range, &person),
            activity_range: within(text, &range, &written.object.id),
            timestamp_range: within(text, &range, &timestamp),
            person,
            activity: written.object.id,
            timestamp,
            range,
        });
    }
    (statements, problems)
}

/// Where each statement is: the elements of a JSON array, or the lines
/// of NDJSON.
fn statement_ranges(text: &str, problems: &mut Vec<(String, Range<usize>)>) -> Vec<Range<usize>> {
    if text.trim_start().starts_with('[') {
        return match serde_json::from_str::<Vec<&RawValue>>(text) {
            Ok(values) => values
                .iter()
                .map(|value| {
                    // The raw value borrows from `text`: its place is where
                    // its slice starts.
                    let start = value.get().as_ptr() as usize - text.as_ptr() as usize;
                    start..start + value.get().len()
                })
                .collect(),
            Err(e) => {
                let at = offset_of(text, e.line(), e.column());
                problems.push((
                    format!("this is not a JSON array of statements: {e}"),
                    at..at,
                ));
                Vec::new()
            }
        };
    }
    let mut ranges = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            let start = at + (line.len() - line.trim_start().len());
            ranges.push(start..start + trimmed.len());
        }
        at += line.len();
    }
    ranges
}

/// Where `value` is written as a JSON string inside the statement at
/// `range` (its first occurrence), or the statement's start.
fn within(text: &str, range: &Range<usize>, value: &str) -> Range<usize> {
    let raw = &text[range.clone()];
    let quoted = if value.starts_with('"') {
        value.to_string()
    } else {
        format!("\"{value}")
    };
    match raw.find(&quoted) {
        Some(at) if value.starts_with('"') => range.start + at..range.start + at + value.len(),
        Some(at) => range.start + at + 1..range.start + at + 1 + value.len(),
        None => range.start..range.start,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completed_and_passed_statements_are_completions_and_others_are_read_past() {
        let text = concat!(
            r#"{"actor":{"mbox":"mailto:ana@example.com"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"https://lms.example.com/courses/qbr"},"timestamp":"2026-02-10T09:00:00Z"}"#,
            "\n",
            r#"{"actor":{"account":{"homePage":"https://lms","name":"u-17"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/attempted"},"object":{"id":"x"},"timestamp":"2026-02-11T09:00:00Z"}"#,
            "\n",
        );
        let (statements, problems) = read(text);
        assert!(problems.is_empty());
        assert_eq!(statements.len(), 1);
        assert_eq!(statements[0].person, "ana@example.com");
        assert_eq!(
            &text[statements[0].activity_range.clone()],
            "https://lms.example.com/courses/qbr"
        );
        assert_eq!(
            &text[statements[0].timestamp_range.clone()],
            "2026-02-10T09:00:00Z"
        );
    }

    #[test]
    fn a_json_array_is_read_element_by_element() {
        let text = r#"[
  {"actor": {"account": {"name": "u-17"}}, "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"},
   "object": {"id": "qbr"}, "timestamp": "2026-03-01T10:00:00+01:00"},
  {"actor": {}, "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"}, "object": {"id": "qbr"}}
]"#;
        let (statements, problems) = read(text);
        assert_eq!(statements.len(), 1);
        assert_eq!(statements[0].person, "u-17");
        assert_eq!(
            problems.len(),
            1,
            "{:?}",
            problems.iter().map(|p| &p.0).collect::<Vec<_>>()
        );
        assert!(problems[0].0.contains("neither an `mbox`"));
    }

    #[test]
    fn a_broken_array_is_one_problem_where_it_breaks() {
        let text = "[\n  {\"actor\": {}},\n  oops\n]";
        let (statements, problems) = read(text);
        assert!(statements.is_empty());
        assert_eq!(problems.len(), 1);
        assert_eq!(&text[problems[0].1.start..problems[0].1.start + 4], "oops");
    }
}
