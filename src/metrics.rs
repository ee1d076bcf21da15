//! Partner metrics: loads one YAML file per partner from `content/partners/`
//! into typed records (unknown keys are errors) and checks what types alone
//! cannot: quarters well formed and unique, ids known to the catalogues and
//! the content, scores on the 0–4 scale, minutes and runs not negative,
//! person ids unique. Every problem is a located diagnostic. The numbers are
//! interpreted in [`crate::analytics`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::content::{CONTENT_DIR, ContentStore, is_ignored};
use crate::diagnostics::{Diagnostic, Error, Result};

/// The folder under `content/` that holds the partner files.
pub const PARTNERS_DIR: &str = "partners";

/// A calendar quarter such as 2026-Q1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Quarter {
    /// Calendar year.
    pub year: i32,
    /// 1 to 4.
    pub number: u8,
}

impl Quarter {
    /// Parses `YYYY-Qn`.
    pub fn parse(text: &str) -> Option<Quarter> {
        let (year, number) = text.split_once("-Q")?;
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(number, 1) {
            return None;
        }
        let year: i32 = year.parse().ok().filter(|y| (1900..=2999).contains(y))?;
        let number: u8 = number.parse().ok().filter(|n| (1..=4).contains(n))?;
        Some(Quarter { year, number })
    }

    /// The quarter a date falls in.
    pub fn of(date: NaiveDate) -> Quarter {
        Quarter {
            year: date.year(),
            number: (date.month0() / 3 + 1) as u8,
        }
    }

    /// The quarter after this one.
    pub fn next(self) -> Quarter {
        if self.number == 4 {
            Quarter {
                year: self.year + 1,
                number: 1,
            }
        } else {
            Quarter {
                year: self.year,
                number: self.number + 1,
            }
        }
    }

    /// The last day of the quarter.
    pub fn last_day(self) -> NaiveDate {
        let next = self.next();
        NaiveDate::from_ymd_opt(next.year, u32::from(next.number - 1) * 3 + 1, 1)
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.number)
    }
}

/// Partner tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    #[allow(missing_docs)]
    Platinum,
    #[allow(missing_docs)]
    Gold,
    #[allow(missing_docs)]
    Silver,
    #[allow(missing_docs)]
    Registered,
}

/// Kind of partner business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartnerType {
    #[allow(missing_docs)]
    Reseller,
    #[allow(missing_docs)]
    SystemsIntegrator,
    #[allow(missing_docs)]
    Msp,
    #[allow(missing_docs)]
    Isv,
    #[allow(missing_docs)]
    Referral,
}

/// One partner's metrics file as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerRecord {
    /// Company name.
    pub name: String,
    /// Program tier.
    pub tier: Tier,
    /// Sales region.
    pub region: String,
    /// Kind of partner.
    #[serde(rename = "type")]
    pub partner_type: PartnerType,
    /// The partner manager responsible.
    pub owner: String,
    /// People in the program.
    #[serde(default)]
    pub people: Vec<Person>,
    /// The partner's workflows and how AI sits in them.
    #[serde(default)]
    pub workflows: Vec<WorkflowRecord>,
    /// Business KPIs per quarter.
    #[serde(default)]
    pub kpis: Vec<KpiRecord>,
}

/// A person in the program, known by an id only.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Unique within the partner.
    pub id: String,
    /// Job role.
    pub role: String,
    /// Dated skill assessments.
    #[serde(default)]
    pub assessments: Vec<Assessment>,
    /// Workflows where the person uses AI, and since when.
    #[serde(default)]
    pub ai_use: Vec<AiUse>,
    /// Modules completed.
    #[serde(default)]
    pub completions: Vec<Completion>,
}

/// Skill scores (0–4) on a date.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Skill id → score.
    pub scores: BTreeMap<String, f64>,
}

/// AI use in one workflow.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AiUse {
    /// Workflow id.
    pub workflow: String,
    /// `YYYY-MM-DD` the use started.
    pub since: String,
}

/// A completed module.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Completion {
    /// Module id.
    pub module: String,
    /// `YYYY-MM-DD`.
    pub date: String,
}

/// One workflow at the partner.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowRecord {
    /// Workflow id.
    pub id: String,
    /// AI is a permanent step of the workflow.
    #[serde(default)]
    pub embedded: bool,
    /// The quarter it became embedded, `YYYY-Qn`.
    pub since: Option<String>,
    /// The AI step is written down.
    #[serde(default)]
    pub documented: bool,
    /// A written quality standard exists for the AI output.
    #[serde(default)]
    pub quality_standard: bool,
    /// Minutes per run before AI.
    pub minutes_before: Option<f64>,
    /// Minutes per run with AI.
    pub minutes_after: Option<f64>,
    /// How often the workflow runs in a quarter.
    #[serde(default)]
    pub runs_per_quarter: f64,
}

/// Business KPIs for one quarter.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiRecord {
    /// `YYYY-Qn`.
    pub quarter: String,
    /// Revenue sourced by the partner.
    pub partner_sourced_revenue: f64,
    /// Median sales cycle in days.
    pub sales_cycle_days: f64,
    /// What serving the partner cost.
    pub cost_to_serve: f64,
    /// People enabled or certified.
    pub enablement_throughput: f64,
    /// Margin contributed.
    pub margin_contribution: f64,
}

/// A loaded partner file.
#[derive(Debug, Clone)]
pub struct PartnerFile {
    /// Partner id: the file name without `.yaml`.
    pub id: String,
    /// Path relative to the site root.
    pub file: PathBuf,
    /// Key under `content/` (`partners/acme.yaml`), as dependencies are recorded.
    pub source: String,
    /// The file's text.
    pub text: Arc<str>,
    /// The parsed record.
    pub record: PartnerRecord,
}

impl PartnerFile {
    fn at(&self, range: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(&self.file, self.text.clone(), range, message)
    }
}

/// Reads every `content/partners/*.yaml`, sorted by id. Files that do not
/// parse are reported and left out.
pub fn load(root: &Path) -> Result<(Vec<PartnerFile>, Vec<Diagnostic>)> {
    let dir = root.join(CONTENT_DIR).join(PARTNERS_DIR);
    let mut partners = Vec::new();
    let mut problems = Vec::new();
    if !dir.is_dir() {
        return Ok((partners, problems));
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| Error::io(&dir, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let lower = name.to_ascii_lowercase();
            !is_ignored(&name) && (lower.ends_with(".yaml") || lower.ends_with(".yml"))
        })
        .collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        match parse(&name, Arc::from(text)) {
            Ok(partner) => match partners.iter().find(|p: &&PartnerFile| p.id == partner.id) {
                Some(first) => problems.push(
                    partner
                        .at(
                            0..0,
                            format!(
                                "partner id `{}` is also used by {}",
                                partner.id,
                                first.file.display()
                            ),
                        )
                        .expected(
                            "one file per partner (the id is the file name without its extension)",
                        ),
                ),
                None => partners.push(partner),
            },
            Err(problem) => problems.push(problem),
        }
    }
    Ok((partners, problems))
}

/// Parses one partner file named `file_name` (in `content/partners/`).
pub fn parse(file_name: &str, text: Arc<str>) -> std::result::Result<PartnerFile, Diagnostic> {
    let file = Path::new(CONTENT_DIR).join(PARTNERS_DIR).join(file_name);
    let id = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem)
        .to_string();
    let record: PartnerRecord = serde_yaml::from_str(&text)
        .map_err(|e| crate::content::yaml_diagnostic(&file, &text, &(0..text.len()), &e))?;
    Ok(PartnerFile {
        source: format!("{PARTNERS_DIR}/{file_name}"),
        id,
        file,
        text,
        record,
    })
}

/// Every place where `key:` is followed by a value, in block or flow style:
/// the value as written and its byte range.
fn occurrences(text: &str, key: &str) -> Vec<(String, Range<usize>)> {
    let is_id = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let mut found = Vec::new();
    for (at, _) in text.match_indices(key) {
        let before = text[..at].chars().next_back();
        if before.is_some_and(is_id) {
            continue;
        }
        let Some(rest) = text[at + key.len()..].strip_prefix(':') else {
            continue;
        };
        let trimmed = rest.trim_start_matches([' ', '"', '\'']);
        let value_at = text.len() - trimmed.len();
        let token_len = trimmed
            .find([',', '}', ']', '\n', '\r', ' ', '#', '"', '\''])
            .unwrap_or(trimmed.len());
        found.push((
            trimmed[..token_len].to_string(),
            value_at..value_at + token_len,
        ));
    }
    found
}

/// The `nth` (0-based) occurrence whose value is `value` (as written, or the
/// same number: `5.0` matches 5); the start of the file when there is none.
fn nth_match(occurrences: &[(String, Range<usize>)], value: &str, nth: usize) -> Range<usize> {
    let number = value.parse::<f64>().ok();
    occurrences
        .iter()
        .filter(|(token, _)| {
            token == value || (number.is_some() && token.parse::<f64>().ok() == number)
        })
        .nth(nth)
        .map_or(0..0, |(_, range)| range.clone())
}

#[cfg(test)]
fn locate(text: &str, key: &str, value: &str, nth: usize) -> Range<usize> {
    nth_match(&occurrences(text, key), value, nth)
}

/// Shows a number as YAML would have it written (`5`, `4.5`).
fn number(value: f64) -> String {
    format!("{value}")
}

/// Checks every partner against the catalogues and the content.
pub fn validate(
    partners: &[PartnerFile],
    config: &Config,
    store: &ContentStore,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for partner in partners {
        Checker {
            partner,
            config,
            store,
            problems: &mut problems,
            seen: BTreeMap::new(),
            keys: BTreeMap::new(),
        }
        .run();
    }
    problems
}

struct Checker<'a> {
    partner: &'a PartnerFile,
    config: &'a Config,
    store: &'a ContentStore,
    problems: &'a mut Vec<Diagnostic>,
    /// How often each `key: value` pair has been met, to locate repeats.
    seen: BTreeMap<(String, String), usize>,
    /// Key → every place it occurs in the file, found on first use.
    keys: BTreeMap<String, Vec<(String, Range<usize>)>>,
}

impl Checker<'_> {
    /// Range of the next occurrence of `key: value`.
    fn place(&mut self, key: &str, value: &str) -> Range<usize> {
        let count = self
            .seen
            .entry((key.to_string(), value.to_string()))
            .or_insert(0);
        let nth = *count;
        *count += 1;
        // Each key's occurrences are found once per file, not once per value.
        let text = &self.partner.text;
        let occurrences = self
            .keys
            .entry(key.to_string())
            .or_insert_with(|| occurrences(text, key));
        nth_match(occurrences, value, nth)
    }

    fn report(&mut self, key: &str, value: &str, message: String, expected: &str) {
        let range = self.place(key, value);
        self.problems
            .push(self.partner.at(range, message).expected(expected));
    }

    fn run(mut self) {
        let record = &self.partner.record;
        let mut people = BTreeSet::new();
        for person in &record.people {
            let range = self.place("id", &person.id);
            if !people.insert(person.id.as_str()) {
                self.problems.push(
                    self.partner
                        .at(range, format!("person id `{}` appears twice", person.id))
                        .expected("each person once, with an id unique within the partner"),
                );
            }
            self.person(person);
        }
        let mut workflows = BTreeSet::new();
        for workflow in &record.workflows {
            self.workflow(workflow, &mut workflows);
        }
        let mut quarters = BTreeSet::new();
        for kpi in &record.kpis {
            match Quarter::parse(&kpi.quarter) {
                None => self.report(
                    "quarter",
                    &kpi.quarter,
                    format!("`{}` is not a quarter", kpi.quarter),
                    "a quarter written YYYY-Qn, such as 2026-Q1",
                ),
                Some(quarter) if !quarters.insert(quarter) => self.report(
                    "quarter",
                    &kpi.quarter,
                    format!("quarter {quarter} appears twice"),
                    "one KPI entry per quarter",
                ),
                Some(_) => {
                    self.place("quarter", &kpi.quarter);
                }
            }
            for (key, value) in [
                ("partner_sourced_revenue", kpi.partner_sourced_revenue),
                ("sales_cycle_days", kpi.sales_cycle_days),
                ("cost_to_serve", kpi.cost_to_serve),
                ("enablement_throughput", kpi.enablement_throughput),
            ] {
                if value < 0.0 || !value.is_finite() {
                    self.report(
                        key,
                        &number(value),
                        format!("{key} cannot be negative"),
                        "a figure of 0 or more",
                    );
                }
            }
        }
    }

    fn person(&mut self, person: &Person) {
        let skills = &self.config.skills;
        for assessment in &person.assessments {
            self.date("date", &assessment.date);
            for (skill, score) in &assessment.scores {
                if !skills.iter().any(|s| &s.id == skill) {
                    let ids: Vec<&str> = skills.iter().map(|s| s.id.as_str()).collect();
                    self.report(
                        skill,
                        &number(*score),
                        format!("unknown skill `{skill}`"),
                        &format!("one of {}", ids.join(", ")),
                    );
                } else if !(0.0..=4.0).contains(score) {
                    self.report(
                        skill,
                        &number(*score),
                        format!("score {} for {skill} is outside 0–4", number(*score)),
                        "a score from 0 (none) to 4 (expert)",
                    );
                }
            }
        }
        for usage in &person.ai_use {
            self.known_workflow(&usage.workflow);
            self.date("since", &usage.since);
        }
        for completion in &person.completions {
            if self.store.module(&completion.module).is_some()
                || self.store.absent_module(&completion.module).is_some()
            {
                self.place("module", &completion.module);
            } else {
                self.report(
                    "module",
                    &completion.module,
                    format!("unknown module `{}`", completion.module),
                    "the id of a module in content/modules/",
                );
            }
            self.date("date", &completion.date);
        }
    }

    fn workflow(&mut self, workflow: &WorkflowRecord, seen: &mut BTreeSet<String>) {
        let range = self.place("id", &workflow.id);
        if !self.config.workflows.iter().any(|w| w.id == workflow.id) {
            let ids: Vec<&str> = self
                .config
                .workflows
                .iter()
                .map(|w| w.id.as_str())
                .collect();
            self.problems.push(
                self.partner
                    .at(range.clone(), format!("unknown workflow `{}`", workflow.id))
                    .expected(format!("one of {}", ids.join(", "))),
            );
        } else if !seen.insert(workflow.id.clone()) {
            self.problems.push(
                self.partner
                    .at(
                        range.clone(),
                        format!("workflow `{}` appears twice", workflow.id),
                    )
                    .expected("each workflow once"),
            );
        }
        match &workflow.since {
            Some(since) if Quarter::parse(since).is_none() => self.report(
                "since",
                since,
                format!("`{since}` is not a quarter"),
                "the quarter AI became embedded, written YYYY-Qn",
            ),
            Some(since) => {
                self.place("since", since);
            }
            None if workflow.embedded => {
                self.problems.push(
                    self.partner
                        .at(
                            range,
                            format!("workflow `{}` is embedded but has no `since`", workflow.id),
                        )
                        .expected("`since: YYYY-Qn`, the quarter AI became a permanent step"),
                );
            }
            None => {}
        }
        for (key, value) in [
            ("minutes_before", workflow.minutes_before),
            ("minutes_after", workflow.minutes_after),
            ("runs_per_quarter", Some(workflow.runs_per_quarter)),
        ] {
            if let Some(value) = value.filter(|v| *v < 0.0 || !v.is_finite()) {
                self.report(
                    key,
                    &number(value),
                    format!("{key} cannot be negative"),
                    "a number of minutes or runs, 0 or more",
                );
            }
        }
    }

    fn known_workflow(&mut self, id: &str) {
        if self.config.workflows.iter().any(|w| w.id == id) {
            self.place("workflow", id);
        } else {
            let ids: Vec<&str> = self
                .config
                .workflows
                .iter()
                .map(|w| w.id.as_str())
                .collect();
            self.report(
                "workflow",
                id,
                format!("unknown workflow `{id}`"),
                &format!("one of {}", ids.join(", ")),
            );
        }
    }

    fn date(&mut self, key: &str, date: &str) {
        if NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok() {
            self.place(key, date);
        } else {
            self.report(
                key,
                date,
                format!("`{date}` is not a date"),
                "a date written YYYY-MM-DD",
            );
        }
    }
}

/// Parses a date already checked by [`validate`].
pub fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_parse_order_and_step() {
        let q = Quarter::parse("2025-Q4").expect("quarter");
        assert_eq!(q.next().to_string(), "2026-Q1");
        assert_eq!(q.last_day(), NaiveDate::from_ymd_opt(2025, 12, 31).unwrap());
        assert!(Quarter::parse("2025-Q5").is_none());
        assert!(Quarter::parse("2025Q1").is_none());
        assert_eq!(
            Quarter::of(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()).to_string(),
            "2026-Q2"
        );
    }

    #[test]
    fn locate_finds_the_nth_key_value_pair() {
        let text = "people:\n  - id: a1\n  - id: a1\nscores: {prompting: 5, x: 2}\n";
        assert_eq!(&text[locate(text, "id", "a1", 1)], "a1");
        assert!(locate(text, "id", "a1", 1).start > locate(text, "id", "a1", 0).start);
        assert_eq!(&text[locate(text, "prompting", "5", 0)], "5");
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_located() {
        let error = parse("p.yaml", Arc::from("name: P\ntier: golden\n")).unwrap_err();
        assert_eq!(error.line(), 2);
        assert!(
            error.message.contains("unknown variant `golden`"),
            "{}",
            error.message
        );
    }
}
