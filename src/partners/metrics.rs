//! Partner metrics: loads one YAML file per partner from `content/partners/`
//! into typed records (unknown keys are errors) and checks what types alone
//! cannot: quarters well formed and unique, ids known to the catalogues and
//! the content, scores on the 0–4 scale, minutes, runs and KPIs finite and
//! from 0 to [`MAX_FIGURE`] (a margin from its negative),
//! person ids unique, at least one person, each workflow once in a person's
//! AI use. Every problem is a located diagnostic. The numbers are
//! interpreted in [`crate::partners::analytics`].

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::base::codes::Code;
use crate::base::diagnostics::{Diagnostic, Error, Result};
use crate::base::paths::{Capped, SiteRoot};
use crate::base::quarter::Quarter;
use crate::base::text::expected_one_of;
use crate::input::config::{CatalogEntry, Config};
use crate::input::content::{
    CONTENT_DIR, ContentStore, PARTNERS_DIR, from_yaml, not_utf8, too_large,
};
use crate::input::limits::{Limits, name_too_long};

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
    /// `YYYY-MM-DD` the person joined the program; none when they were
    /// there from the start.
    pub joined: Option<String>,
    /// `YYYY-MM-DD` the person left; none while they are still there. A
    /// person belongs to a quarter when joined on or before its last day and
    /// not left by then (`analytics::is_member`).
    pub left: Option<String>,
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
        Diagnostic::new(
            Code::PartnerData,
            &self.file,
            self.text.clone(),
            range,
            message,
        )
    }
}

/// Reads every `content/partners/*.yaml`, sorted by id. Files that do not
/// parse are reported and left out.
pub fn load(root: &Path, limits: &Limits) -> Result<(Vec<PartnerFile>, Vec<Diagnostic>)> {
    let dir = root.join(CONTENT_DIR).join(PARTNERS_DIR);
    let mut partners: Vec<PartnerFile> = Vec::new();
    let walk = SiteRoot::new(root)?.walk(&dir, 1, Code::PartnerData)?;
    let mut problems = walk.problems;
    // Files are read and parsed independently, so in parallel; the results
    // keep the sorted order, which decides which of two files keeps an id.
    let parsed: Vec<Result<std::result::Result<PartnerFile, Diagnostic>>> = walk
        .files
        .par_iter()
        .filter(|found| is_partner_file(&found.path))
        .map(|found| {
            let limit = limits.max_partner_file_bytes;
            let read = found
                .read_at_most(limit)
                .map_err(|e| Error::io(&found.path, e))?;
            let name = file_name(&found.path);
            let bytes = match read {
                Capped::Read(bytes) => bytes,
                Capped::TooLarge(size) => {
                    let file = Path::new(CONTENT_DIR).join(PARTNERS_DIR).join(&name);
                    let key = "max_partner_file_bytes";
                    return Ok(Err(too_large(Code::PartnerData, &file, size, limit, key)));
                }
            };
            Ok(match String::from_utf8(bytes) {
                Ok(text) => parse(&name, Arc::from(text), limits),
                Err(e) => Err(not_utf8(
                    Code::PartnerData,
                    &format!("{PARTNERS_DIR}/{name}"),
                    &e,
                    "YAML",
                )),
            })
        })
        .collect();
    let mut first: HashMap<String, usize> = HashMap::new();
    for result in parsed {
        match result? {
            Ok(partner) => match first.get(&partner.id) {
                Some(&index) => problems.push(
                    partner
                        .at(
                            0..0,
                            format!(
                                "partner id `{}` is also used by {}",
                                partner.id,
                                partners[index].file.display()
                            ),
                        )
                        .expected(
                            "one file per partner (the id is the file name without its extension)",
                        ),
                ),
                None => {
                    first.insert(partner.id.clone(), partners.len());
                    partners.push(partner);
                }
            },
            Err(problem) => problems.push(problem),
        }
    }
    Ok((partners, problems))
}

/// Partner files are the YAML files of the partner folder.
fn is_partner_file(path: &Path) -> bool {
    let lower = file_name(path).to_ascii_lowercase();
    lower.ends_with(".yaml") || lower.ends_with(".yml")
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Parses one partner file named `file_name` (in `content/partners/`). The
/// name without its extension is the partner's id, so it must be an id like
/// every other: it ends up in URLs, file names and exports. The file must
/// stay within `limits`.
pub fn parse(
    file_name: &str,
    text: Arc<str>,
    limits: &Limits,
) -> std::result::Result<PartnerFile, Diagnostic> {
    let id = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem)
        .to_string();
    if !crate::input::config::is_kebab_id(&id) {
        // The name is shown escaped: a line break, control, bidi override or
        // zero-width character in it must not reach the terminal as such.
        let shown = printable(file_name);
        return Err(Diagnostic::new(
            Code::PartnerData,
            Path::new(CONTENT_DIR).join(PARTNERS_DIR).join(&shown),
            text,
            0..0,
            format!("partner file name `{shown}` is not a valid partner id"),
        )
        .expected(
            "a file name of lower-case letters, digits and single dashes, \
             then .yaml or .yml, such as \"acme-systems.yaml\"",
        ));
    }
    let file = Path::new(CONTENT_DIR).join(PARTNERS_DIR).join(file_name);
    if let Some((message, expected)) = name_too_long("partner id", &id, id.len()) {
        return Err(
            Diagnostic::new(Code::PartnerData, file, text, 0..0, message).expected(expected),
        );
    }
    let (size, limit) = (text.len() as u64, limits.max_partner_file_bytes);
    if size > limit {
        let key = "max_partner_file_bytes";
        return Err(too_large(Code::PartnerData, &file, size, limit, key));
    }
    let record = from_yaml(Code::PartnerData, &file, &text, &(0..text.len()), limits)?;
    Ok(PartnerFile {
        source: format!("{PARTNERS_DIR}/{file_name}"),
        id,
        file,
        text,
        record,
    })
}

/// `name` with every character that is not plainly printable (line breaks,
/// controls, bidi overrides, zero-width characters) and the backslash written
/// as a Rust escape such as `\n` or `\u{202e}`; quotes are left as they are.
fn printable(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '\'' | '"' => c.to_string(),
            _ => c.escape_debug().to_string(),
        })
        .collect()
}

/// A character that can be part of a key.
fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

/// Every colon of a file with the run of key characters just before it, found
/// in one pass so that locating each key does not search the whole text again.
fn colons(text: &str) -> Vec<(&str, usize)> {
    let bytes = text.as_bytes();
    let is_key_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    text.match_indices(':')
        .map(|(colon, _)| {
            let mut start = colon;
            while start > 0 && is_key_byte(bytes[start - 1]) {
                start -= 1;
            }
            if start > 0 && !bytes[start - 1].is_ascii() {
                // A non-ASCII character may be alphanumeric too: let chars decide.
                start = text[..colon]
                    .char_indices()
                    .rev()
                    .take_while(|(_, c)| is_key_char(*c))
                    .last()
                    .map_or(colon, |(i, _)| i);
            }
            (&text[start..colon], colon)
        })
        .collect()
}

/// Every place in a file where one key is followed by a value, in block or
/// flow style, and how many of them have been placed.
struct Occurrences<'a> {
    text: &'a str,
    /// The byte range of each value as written, in file order.
    ranges: Vec<Range<usize>>,
    /// Value as written → indices into `ranges`, and how often that value
    /// has been placed: a value is found without scanning every occurrence.
    by_value: HashMap<&'a str, (Vec<usize>, usize)>,
    /// How often each number has been placed (numbers match by value).
    numbers: HashMap<String, usize>,
}

impl<'a> Occurrences<'a> {
    /// The occurrences of `key` in `text`, whose [`colons`] are `colons`.
    fn find(text: &'a str, colons: &[(&str, usize)], key: &str) -> Occurrences<'a> {
        let after_key: Vec<usize> = if key.chars().all(is_key_char) {
            // Such a key, not preceded by a key character, is the whole run
            // before its colon. (Comparing first bytes first spares a call to
            // memcmp for most of the thousands of colons.)
            colons
                .iter()
                .filter(|(before, _)| {
                    before.as_bytes().first() == key.as_bytes().first() && *before == key
                })
                .map(|(_, colon)| *colon)
                .collect()
        } else {
            text.match_indices(key)
                .filter(|(at, _)| !text[..*at].chars().next_back().is_some_and(is_key_char))
                .map(|(at, _)| at + key.len())
                .filter(|end| text[*end..].starts_with(':'))
                .collect()
        };
        let mut ranges = Vec::with_capacity(after_key.len());
        let mut by_value: HashMap<&str, (Vec<usize>, usize)> = HashMap::new();
        for colon in after_key {
            let trimmed = text[colon + 1..].trim_start_matches([' ', '"', '\'']);
            let value_at = text.len() - trimmed.len();
            let token_len = trimmed
                .find([',', '}', ']', '\n', '\r', ' ', '#', '"', '\''])
                .unwrap_or(trimmed.len());
            by_value
                .entry(&trimmed[..token_len])
                .or_default()
                .0
                .push(ranges.len());
            ranges.push(value_at..value_at + token_len);
        }
        Occurrences {
            text,
            ranges,
            by_value,
            numbers: HashMap::new(),
        }
    }

    /// The next occurrence whose value is `value` (as written, or the same
    /// number: `5.0` matches 5); the start of the file when there is none.
    fn next(&mut self, value: &str) -> Range<usize> {
        let found = match value.parse::<f64>() {
            Ok(number) => {
                let count = self.numbers.entry(value.to_string()).or_insert(0);
                *count += 1;
                let text = self.text;
                self.ranges
                    .iter()
                    .filter(|range| {
                        let token = &text[(*range).clone()];
                        token == value || yaml_number(token).is_some_and(|n| same(n, number))
                    })
                    .nth(*count - 1)
            }
            // A value never written has no place, however often it is met.
            Err(_) => self.by_value.get_mut(value).and_then(|(indices, count)| {
                *count += 1;
                indices.get(*count - 1).map(|&index| &self.ranges[index])
            }),
        };
        found.map_or(0..0, Range::clone)
    }
}

/// A number as YAML writes it: Rust's forms, and `.nan`, `.inf`, `-.inf`
/// in their three spellings each.
fn yaml_number(token: &str) -> Option<f64> {
    let (sign, rest) = match token.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, token.strip_prefix('+').unwrap_or(token)),
    };
    match rest {
        ".nan" | ".NaN" | ".NAN" if sign > 0.0 && rest.len() == token.len() => Some(f64::NAN),
        ".inf" | ".Inf" | ".INF" => Some(sign * f64::INFINITY),
        _ => token.parse().ok(),
    }
}

/// Equal numbers, where one NaN equals another (a NaN is located like any value).
fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

#[cfg(test)]
fn locate(text: &str, key: &str, value: &str, nth: usize) -> Range<usize> {
    let colons = colons(text);
    let mut occurrences = Occurrences::find(text, &colons, key);
    for _ in 0..nth {
        occurrences.next(value);
    }
    occurrences.next(value)
}

/// The range of `key` in `text` when its value is at `value`: the key just
/// before the colon that precedes the value; `value` itself when the key is
/// not there (written in quotes, or not found at all).
fn key_before(text: &str, key: &str, value: Range<usize>) -> Range<usize> {
    text[..value.start]
        .rfind(':')
        .and_then(|colon| colon.checked_sub(key.len()).map(|start| start..colon))
        .filter(|range| text.get(range.clone()) == Some(key))
        .unwrap_or(value)
}

/// The range of a top-level `key` (at the start of a line); the start of the
/// file when it is not written.
fn top_level_key(text: &str, key: &str) -> Range<usize> {
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        if line
            .strip_prefix(key)
            .is_some_and(|rest| rest.starts_with(':'))
        {
            return start..start + key.len();
        }
        start += line.len();
    }
    0..0
}

/// The largest figure (minutes, runs, KPIs) a partner file may hold, and
/// the lowest margin: sums and products over every partner, person and
/// quarter stay finite, and whole amounts stay exact (an `f64` holds every
/// integer up to 9·10¹⁵).
pub const MAX_FIGURE: f64 = 1e12;

/// Shows a number as YAML would have it written (`5`, `4.5`, `1.7e308`).
fn number(value: f64) -> String {
    if value.abs() >= 1e15 {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}

/// Shows a number as YAML writes it, `.nan` and `.inf` included.
fn shown(value: f64) -> String {
    match value {
        v if v.is_nan() => ".nan".to_string(),
        f64::INFINITY => ".inf".to_string(),
        f64::NEG_INFINITY => "-.inf".to_string(),
        v => number(v),
    }
}

/// Checks every partner against the catalogues and the content.
pub fn validate(
    partners: &[PartnerFile],
    config: &Config,
    store: &ContentStore,
) -> Vec<Diagnostic> {
    let modules = known_modules(partners, store);
    // Files are checked independently, so in parallel; problems keep the file order.
    partners
        .par_iter()
        .flat_map_iter(|partner| {
            let mut problems = Vec::new();
            Checker {
                partner,
                config,
                modules: &modules,
                store,
                problems: &mut problems,
                met: Vec::new(),
                colons: None,
                keys: Vec::new(),
            }
            .run();
            problems
        })
        .collect()
}

/// The module ids that completions name and the content knows, as modules or
/// as modules left out of the build: each id looked up once, not once per
/// completion.
fn known_modules<'a>(partners: &'a [PartnerFile], store: &ContentStore) -> HashSet<&'a str> {
    let named: HashSet<&str> = partners
        .iter()
        .flat_map(|p| &p.record.people)
        .flat_map(|person| &person.completions)
        .map(|c| c.module.as_str())
        .collect();
    named
        .into_iter()
        .filter(|id| store.module(id).is_some() || store.absent_module(id).is_some())
        .collect()
}

struct Checker<'a> {
    partner: &'a PartnerFile,
    config: &'a Config,
    /// See [`known_modules`].
    modules: &'a HashSet<&'a str>,
    store: &'a ContentStore,
    problems: &'a mut Vec<Diagnostic>,
    /// `key: value` pairs met without a problem and not yet located: only a
    /// problem needs a place, so files without problems are never searched.
    met: Vec<(&'a str, &'a str)>,
    /// The file's [`colons`], found when a first place is needed.
    colons: Option<Vec<(&'a str, usize)>>,
    /// Each key located so far and its occurrences, found once per file
    /// rather than once per value.
    keys: Vec<(String, Occurrences<'a>)>,
}

impl<'a> Checker<'a> {
    /// Notes that `key: value` was met without a problem: the pairs met
    /// before a problem decide which occurrence the problem is at.
    fn meet(&mut self, key: &'a str, value: &'a str) {
        self.met.push((key, value));
    }

    /// Range of the next occurrence of `key: value`.
    fn place(&mut self, key: &str, value: &str) -> Range<usize> {
        for (key, value) in std::mem::take(&mut self.met) {
            self.locate(key, value);
        }
        self.locate(key, value)
    }

    fn locate(&mut self, key: &str, value: &str) -> Range<usize> {
        let index = match self.keys.iter().position(|(k, _)| k == key) {
            Some(index) => index,
            None => {
                let text = &self.partner.text;
                let colons = self.colons.get_or_insert_with(|| colons(text));
                let found = Occurrences::find(text, colons, key);
                self.keys.push((key.to_string(), found));
                self.keys.len() - 1
            }
        };
        self.keys[index].1.next(value)
    }

    fn report(&mut self, key: &str, value: &str, message: String, expected: &str) {
        let range = self.place(key, value);
        self.problems
            .push(self.partner.at(range, message).expected(expected));
    }

    fn run(mut self) {
        let record = &self.partner.record;
        if record.people.is_empty() {
            // Without people there is nobody to enable and no share of the cost.
            let range = top_level_key(&self.partner.text, "people");
            self.problems.push(
                self.partner
                    .at(
                        range,
                        format!("partner `{}` has no people", self.partner.id),
                    )
                    .expected("`people:` listing at least one person, each with an id and a role"),
            );
        }
        let mut people = BTreeSet::new();
        for person in &record.people {
            if people.insert(person.id.as_str()) {
                self.meet("id", &person.id);
            } else {
                let range = self.place("id", &person.id);
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
                Some(_) => self.meet("quarter", &kpi.quarter),
            }
            for (key, value) in [
                ("partner_sourced_revenue", kpi.partner_sourced_revenue),
                ("sales_cycle_days", kpi.sales_cycle_days),
                ("cost_to_serve", kpi.cost_to_serve),
                ("enablement_throughput", kpi.enablement_throughput),
            ] {
                self.figure(key, value, 0.0, "a figure");
            }
            // A margin may be a loss.
            let margin = kpi.margin_contribution;
            self.figure("margin_contribution", margin, -MAX_FIGURE, "a figure");
        }
    }

    fn person(&mut self, person: &'a Person) {
        self.membership(person);
        let skills = &self.config.skills;
        for assessment in &person.assessments {
            self.date("date", &assessment.date);
            for (skill, score) in &assessment.scores {
                if !skills.iter().any(|s| &s.id == skill) {
                    let ids: Vec<&str> = CatalogEntry::ids(skills);
                    // The name is the mistake: point at the key, not the score.
                    let range = self.place(skill, &number(*score));
                    let range = key_before(&self.partner.text, skill, range);
                    self.problems.push(
                        self.partner
                            .at(range, format!("unknown skill `{skill}`"))
                            .expected(expected_one_of(skill, &ids, "a skill defined in site.toml")),
                    );
                } else if !(0.0..=4.0).contains(score) {
                    let why = if score.is_finite() {
                        "is outside 0–4"
                    } else {
                        "is not a finite number"
                    };
                    self.report(
                        skill,
                        &number(*score),
                        format!("score {} for {skill} {why}", shown(*score)),
                        "a score from 0 (none) to 4 (expert)",
                    );
                }
            }
        }
        let mut used = BTreeSet::new();
        for usage in &person.ai_use {
            if used.insert(usage.workflow.as_str()) {
                self.known_workflow(&usage.workflow);
            } else {
                // Two starts for one workflow would leave its use undated.
                self.report(
                    "workflow",
                    &usage.workflow,
                    format!(
                        "workflow `{}` appears twice in the `ai_use` of person `{}`",
                        usage.workflow, person.id
                    ),
                    "each workflow once per person, with the date their AI use in it started",
                );
            }
            self.date("since", &usage.since);
        }
        for completion in &person.completions {
            if self.modules.contains(completion.module.as_str()) {
                self.meet("module", &completion.module);
            } else {
                let expected = expected_one_of(
                    &completion.module,
                    &self.store.module_ids(),
                    "the id of a module in content/modules/",
                );
                self.report(
                    "module",
                    &completion.module,
                    format!("unknown module `{}`", completion.module),
                    &expected,
                );
            }
            self.date("date", &completion.date);
        }
    }

    /// `joined` and `left` real dates, `left` after `joined`.
    fn membership(&mut self, person: &'a Person) {
        if let Some(joined) = &person.joined {
            self.date("joined", joined);
        }
        let Some(left) = &person.left else {
            return;
        };
        let joined = person.joined.as_deref().and_then(date);
        match (joined, date(left)) {
            (Some(joined), Some(on)) if on <= joined => self.report(
                "left",
                left,
                format!(
                    "person `{}` left on {left}, not after joining on {joined}",
                    person.id
                ),
                "a `left` date after the `joined` date",
            ),
            _ => self.date("left", left),
        }
    }

    fn workflow(&mut self, workflow: &'a WorkflowRecord, seen: &mut BTreeSet<String>) {
        let known = self.config.workflows.iter().any(|w| w.id == workflow.id);
        let repeated = known && !seen.insert(workflow.id.clone());
        let undated = workflow.embedded && workflow.since.is_none();
        let range = if known && !repeated && !undated {
            // No problem below needs the place.
            self.meet("id", &workflow.id);
            0..0
        } else {
            self.place("id", &workflow.id)
        };
        if !known {
            let ids: Vec<&str> = CatalogEntry::ids(&self.config.workflows);
            self.problems.push(
                self.partner
                    .at(range.clone(), format!("unknown workflow `{}`", workflow.id))
                    .expected(expected_one_of(
                        &workflow.id,
                        &ids,
                        "a workflow defined in site.toml",
                    )),
            );
        } else if repeated {
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
            Some(since) => self.meet("since", since),
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
            if let Some(value) = value {
                self.figure(key, value, 0.0, "a number of minutes or runs");
            }
        }
    }

    fn known_workflow(&mut self, id: &'a str) {
        if self.config.workflows.iter().any(|w| w.id == id) {
            self.meet("workflow", id);
        } else {
            let ids: Vec<&str> = CatalogEntry::ids(&self.config.workflows);
            self.report(
                "workflow",
                id,
                format!("unknown workflow `{id}`"),
                &expected_one_of(id, &ids, "a workflow defined in site.toml"),
            );
        }
    }

    /// A problem at `value`, under `key`, unless it is a finite number from
    /// `min` to [`MAX_FIGURE`]; `what` says what it should be.
    fn figure(&mut self, key: &str, value: f64, min: f64, what: &str) {
        let message = if !value.is_finite() {
            format!("{key} is {}, not a finite number", shown(value))
        } else if value < min && min == 0.0 {
            format!("{key} cannot be negative")
        } else if value < min || value > MAX_FIGURE {
            format!(
                "{key} {} is outside {} to {}",
                number(value),
                number(min),
                number(MAX_FIGURE)
            )
        } else {
            return;
        };
        let expected = format!("{what} from {} to {}", number(min), number(MAX_FIGURE));
        self.report(key, &number(value), message, &expected);
    }

    fn date(&mut self, key: &'a str, date: &'a str) {
        if self::date(date).is_some() {
            self.meet(key, date);
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

/// Parses a `YYYY-MM-DD` date (as [`validate`] requires).
pub fn date(text: &str) -> Option<NaiveDate> {
    // The usual ten-character form is read directly: chrono's format-string
    // parser dominates the cost of checking and scoring thousands of dates.
    if let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = text.as_bytes() {
        let digits = [y0, y1, y2, y3, m0, m1, d0, d1];
        if digits.iter().all(u8::is_ascii_digit) {
            let n = |ds: &[u8]| ds.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'));
            let year = n(&digits[..4]) as i32;
            if let Some(day) = NaiveDate::from_ymd_opt(year, n(&digits[4..6]), n(&digits[6..])) {
                return Some(day);
            }
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_finds_the_nth_key_value_pair() {
        let text = "people:\n  - id: a1\n  - id: a1\nscores: {prompting: 5, x: 2}\n";
        assert_eq!(&text[locate(text, "id", "a1", 1)], "a1");
        assert!(locate(text, "id", "a1", 1).start > locate(text, "id", "a1", 0).start);
        assert_eq!(&text[locate(text, "prompting", "5", 0)], "5");
        let score = locate(text, "x", "2", 0);
        assert_eq!(&text[key_before(text, "x", score)], "x");
        assert_eq!(key_before(text, "y", 0..0), 0..0);
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_located() {
        let error = parse(
            "p.yaml",
            Arc::from("name: P\ntier: golden\n"),
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!(error.line(), 2);
        assert!(
            error.message.contains("unknown variant `golden`"),
            "{}",
            error.message
        );
    }
}
