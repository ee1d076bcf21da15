//! Partner data from the systems that hold it: the exports `[[sources]]`
//! names (CSV with a header line, xAPI statements) read into the partner
//! files' records, beside what the YAML files say. Runs after the partner
//! files are loaded and before they are checked, so every figure is
//! computed as if the rows had been written in YAML.
//!
//! People come first: a people source gives each person's key (an email,
//! an LMS user id), partner and role. Other rows find their person by that
//! key, or by a person id of the partner's YAML file. A key joins rows and
//! is dropped once the import is done: an imported person is known to the
//! portal as `person-001`, `person-002`, … within the partner, in the order
//! the people rows come, and no key or name reaches any page or export.
//!
//! Every cell is checked as the YAML checks would (dates, 0–4 scores, ids
//! known to the catalogues and the content, figures in range), and a row
//! that says something other than a row or YAML entry before it (one
//! person's assessment on one date with other scores, a KPI quarter with
//! other figures) is a problem naming both places. Rows equal to one before
//! them are read once. In a partner's audience only rows that are that
//! partner's are read.

mod rows;
mod table;
mod xapi;

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::base::codes::Code;
use crate::base::diagnostics::{Diagnostic, Error, Result};
use crate::base::paths::{Capped, SiteRoot, is_ignored};
use crate::base::text::expected_one_of;
use crate::input::config::Config;
use crate::input::content::{ContentStore, too_large};
use crate::input::sources::{Format, Kind, Source};
use crate::partners::metrics::{
    AiUse, Assessment, Completion, KpiRecord, PartnerFile, Person, WorkflowRecord,
};

use rows::{Cells, Sheet};

/// What the import found wrong. The records it read are in the partner
/// files.
#[derive(Debug, Default)]
pub struct Imported {
    /// Every problem, in source and row order.
    pub problems: Vec<Diagnostic>,
}

/// Reads every source of `config` under `root` into `partners` (the loaded
/// partner files; in a partner's audience, only that partner's). Rows of
/// other partners are left out when `own` names the audience's partner.
pub fn import(
    root: &Path,
    config: &Config,
    partners: &mut [PartnerFile],
    store: &ContentStore,
    own: Option<&str>,
) -> Result<Imported> {
    let mut import = Import::new(config, partners, store, own);
    // People first, whatever order the sources are in: every other kind
    // finds its person through them.
    let mut ordered: Vec<&Source> = config.sources.iter().collect();
    ordered.sort_by_key(|s| *s.kind.get_ref() != Kind::People);
    for source in ordered {
        for (file, bytes) in read_files(root, source, config, &mut import.problems)? {
            import.file(source, &file, &bytes);
        }
    }
    let problems = std::mem::take(&mut import.problems);
    import.merge(partners);
    Ok(Imported { problems })
}

/// The files of `source`: the file it names, or every file of the folder
/// it names, sorted by path; each read whole within the site.
fn read_files(
    root: &Path,
    source: &Source,
    config: &Config,
    problems: &mut Vec<Diagnostic>,
) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let relative = PathBuf::from(source.file.get_ref());
    let path = root.join(&relative);
    let site = SiteRoot::new(root)?;
    let limit = config.limits.max_source_file_bytes;
    let found = if path.is_dir() {
        let walk = site.walk(&path, usize::MAX, Code::DataSource)?;
        problems.extend(walk.problems);
        walk.files
            .into_iter()
            .filter(|f| {
                f.path
                    .file_name()
                    .is_some_and(|n| !is_ignored(&n.to_string_lossy()))
            })
            .map(|f| f.path)
            .collect()
    } else if path.exists() {
        vec![path]
    } else {
        problems.push(
            Diagnostic::whole_file(
                Code::DataSource,
                &relative,
                "this source file does not exist",
            )
            .expected("the export at the path `file` gives in site.toml's [[sources]]"),
        );
        Vec::new()
    };
    let mut files = Vec::new();
    for path in found {
        let shown = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        match site.read_at_most(&path, limit) {
            Ok(Capped::Read(bytes)) => files.push((shown, bytes)),
            Ok(Capped::TooLarge(size)) => problems.push(too_large(
                Code::DataSource,
                &shown,
                size,
                limit,
                "max_source_file_bytes",
            )),
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
    Ok(files)
}

/// Where a record came from, to name it when a later one disagrees.
#[derive(Debug, Clone)]
enum Origin {
    /// A partner's YAML file.
    Yaml(PathBuf),
    /// A row (or statement) of an export, by its line.
    Row(PathBuf, usize),
}

impl Origin {
    fn describe(&self) -> String {
        match self {
            Origin::Yaml(file) => format!("in {}", file.display()),
            Origin::Row(file, line) => format!("at {}:{line}", file.display()),
        }
    }
}

/// One assessment's scores by skill, each with where it was given.
type Scores = BTreeMap<String, (f64, Origin)>;

/// Whom a row is about, once its partner and person are known.
#[derive(Debug, Clone, PartialEq)]
enum Whose {
    /// A person of the partner at this index, by the id the portal knows.
    Person(usize, String),
    /// Another partner's person, in a partner's audience: read past.
    Other,
}

/// The records being gathered, with where each came from.
struct Import<'a> {
    config: &'a Config,
    store: &'a ContentStore,
    own: Option<&'a str>,
    /// Partner ids and names, for finding a row's partner.
    partner_ids: Vec<String>,
    partner_names: Vec<String>,
    /// YAML person ids of each partner.
    yaml_people: Vec<Vec<String>>,
    /// A person's key (lower case) → whose it is, from the people sources.
    keys: HashMap<String, (Whose, Origin, Person)>,
    /// The next number of an imported person, per partner.
    numbers: Vec<usize>,
    people: Vec<Vec<Person>>,
    /// By (partner, person, date): each skill's score and where it was given.
    assessments: BTreeMap<(usize, String, String), Scores>,
    completions: BTreeMap<(usize, String, String, String), Origin>,
    ai_use: BTreeMap<(usize, String, String), (String, Origin)>,
    kpis: BTreeMap<(usize, String), (KpiRecord, Origin)>,
    workflows: BTreeMap<(usize, String), (WorkflowRecord, Origin)>,
    /// A people export could not be read: a person it would have given is
    /// not reported unknown, that problem being the cause.
    people_unread: bool,
    problems: Vec<Diagnostic>,
}

impl<'a> Import<'a> {
    fn new(
        config: &'a Config,
        partners: &[PartnerFile],
        store: &'a ContentStore,
        own: Option<&'a str>,
    ) -> Import<'a> {
        let mut import = Import {
            config,
            store,
            own,
            partner_ids: partners.iter().map(|p| p.id.clone()).collect(),
            partner_names: partners.iter().map(|p| p.record.name.clone()).collect(),
            yaml_people: partners
                .iter()
                .map(|p| {
                    p.record
                        .people
                        .iter()
                        .map(|person| person.id.clone())
                        .collect()
                })
                .collect(),
            keys: HashMap::new(),
            numbers: vec![1; partners.len()],
            people: vec![Vec::new(); partners.len()],
            assessments: BTreeMap::new(),
            completions: BTreeMap::new(),
            ai_use: BTreeMap::new(),
            kpis: BTreeMap::new(),
            workflows: BTreeMap::new(),
            people_unread: false,
            problems: Vec::new(),
        };
        import.remember_yaml(partners);
        import
    }

    /// What the YAML files say, so a row that disagrees names them.
    fn remember_yaml(&mut self, partners: &[PartnerFile]) {
        for (index, partner) in partners.iter().enumerate() {
            let origin = Origin::Yaml(partner.file.clone());
            for person in &partner.record.people {
                for assessment in &person.assessments {
                    let scores = assessment
                        .scores
                        .iter()
                        .map(|(skill, score)| (skill.clone(), (*score, origin.clone())))
                        .collect();
                    let key = (index, person.id.clone(), assessment.date.clone());
                    self.assessments.insert(key, scores);
                }
                for use_ in &person.ai_use {
                    let key = (index, person.id.clone(), use_.workflow.clone());
                    self.ai_use
                        .insert(key, (use_.since.clone(), origin.clone()));
                }
                for completion in &person.completions {
                    let key = (
                        index,
                        person.id.clone(),
                        completion.module.clone(),
                        completion.date.clone(),
                    );
                    self.completions.insert(key, origin.clone());
                }
            }
            for kpi in &partner.record.kpis {
                let key = (index, kpi.quarter.clone());
                self.kpis.insert(key, (kpi.clone(), origin.clone()));
            }
            for workflow in &partner.record.workflows {
                let key = (index, workflow.id.clone());
                self.workflows
                    .insert(key, (workflow.clone(), origin.clone()));
            }
        }
    }

    /// Reads one file of `source`.
    fn file(&mut self, source: &Source, file: &Path, bytes: &[u8]) {
        let before = self.problems.len();
        self.read_file(source, file, bytes);
        if *source.kind.get_ref() == Kind::People && self.problems.len() > before {
            self.people_unread = true;
        }
    }

    fn read_file(&mut self, source: &Source, file: &Path, bytes: &[u8]) {
        let encoding = source.encoding.as_ref().map(|e| e.get_ref().as_str());
        let text: Arc<str> = match table::decode(bytes, encoding) {
            Ok(text) => Arc::from(text),
            Err((message, at)) => {
                let shown: Arc<str> = Arc::from(String::from_utf8_lossy(bytes).into_owned());
                self.problems.push(
                    Diagnostic::new(Code::DataSource, file, shown, at..at, message).expected(
                        "a UTF-8 file, or `encoding = \"utf-16\"` or \"windows-1252\" in its [[sources]] entry",
                    ),
                );
                return;
            }
        };
        let mut sheet = Sheet {
            source,
            file,
            text: text.clone(),
            columns: Vec::new(),
        };
        match source.format() {
            Format::Csv => self.csv(&mut sheet),
            Format::Xapi => self.xapi(&sheet),
        }
    }

    fn csv(&mut self, sheet: &mut Sheet) {
        let text = sheet.text.clone();
        let delimiter = match &sheet.source.delimiter {
            Some(d) => d.get_ref().as_bytes().first().copied().unwrap_or(b','),
            None => table::detect_delimiter(text.lines().next().unwrap_or_default()),
        };
        let table = match table::parse(text, delimiter) {
            Ok(table) => table,
            Err((message, at)) => {
                self.problems.push(sheet.at(at..at, message).expected(
                    "comma-separated values with a header line (quote a cell that holds the delimiter)",
                ));
                return;
            }
        };
        let before = self.problems.len();
        sheet.map_columns(&table, &mut self.problems);
        if self.problems.len() > before {
            return;
        }
        for row in &table.rows {
            let line = line_of(&sheet.text, row.range.start);
            let cells = sheet.cells(row, line);
            let origin = Origin::Row(sheet.file.to_path_buf(), line);
            self.row(sheet, &cells, origin);
        }
    }

    fn xapi(&mut self, sheet: &Sheet) {
        let (statements, problems) = xapi::read(&sheet.text);
        for (message, range) in problems {
            self.problems.push(
                sheet
                    .at(range, message)
                    .expected("xAPI statements: a JSON array of them, or one statement per line"),
            );
        }
        for statement in statements {
            let line = line_of(&sheet.text, statement.range.start);
            let origin = Origin::Row(sheet.file.to_path_buf(), line);
            let at = At::Range(statement.person_range.clone());
            let Some(whose) = self.person(sheet, None, &statement.person, at) else {
                continue;
            };
            let Whose::Person(partner, id) = whose else {
                continue;
            };
            let at = At::Range(statement.activity_range.clone());
            let Some(module) = self.module(sheet, &statement.activity, at) else {
                continue;
            };
            let date = statement
                .timestamp
                .get(..10)
                .filter(|day| chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok());
            let Some(date) = date else {
                self.problems.push(
                    sheet
                        .at(
                            statement.timestamp_range.clone(),
                            format!("`{}` is not a timestamp", statement.timestamp),
                        )
                        .expected("an ISO 8601 timestamp such as 2026-02-10T09:30:00Z"),
                );
                continue;
            };
            self.completions
                .entry((partner, id, module, date.to_string()))
                .or_insert(origin);
        }
    }

    /// One CSV row of the source's kind.
    fn row(&mut self, sheet: &Sheet, cells: &Cells, origin: Origin) {
        let kind = *sheet.source.kind.get_ref();
        if kind == Kind::People {
            self.person_row(sheet, cells, origin);
            return;
        }
        if matches!(kind, Kind::Kpis | Kind::Workflows) {
            let Some(cell) = cells.required("partner", &mut self.problems) else {
                return;
            };
            let Some(partner) = self.partner(sheet, cells, &cell) else {
                return;
            };
            match kind {
                Kind::Kpis => self.kpi_row(cells, partner, origin),
                _ => self.workflow_row(cells, partner, origin),
            }
            return;
        }
        let partner = match cells.get("partner") {
            Some(cell) => match self.partner(sheet, cells, &cell) {
                Some(partner) => Some(partner),
                None => return,
            },
            None => None,
        };
        let Some(person) = cells.required("person", &mut self.problems) else {
            return;
        };
        let Some(whose) = self.person(sheet, partner, person.text, At::Cell(cells, &person)) else {
            return;
        };
        let Whose::Person(partner, id) = whose else {
            return;
        };
        match kind {
            Kind::Assessments => self.assessment_row(cells, (partner, id), origin),
            Kind::Completions => self.completion_row(sheet, cells, (partner, id), origin),
            _ => self.ai_use_row(cells, (partner, id), origin),
        }
    }

    /// The partner `cell` names: `Some(None)` for another partner's, in a
    /// partner's audience.
    fn partner(
        &mut self,
        sheet: &Sheet,
        cells: &Cells,
        cell: &rows::Cell,
    ) -> Option<Option<usize>> {
        let mapped = sheet.source.partners.get(cell.text).map(String::as_str);
        let wanted = mapped.unwrap_or(cell.text);
        let found = self
            .partner_ids
            .iter()
            .position(|id| id == wanted)
            .or_else(|| {
                self.partner_names
                    .iter()
                    .position(|name| name.eq_ignore_ascii_case(wanted))
            });
        match (found, self.own) {
            (Some(index), _) => Some(Some(index)),
            // Not this audience's partner: nothing of it is read or said.
            (None, Some(_)) => Some(None),
            (None, None) => {
                let ids: Vec<&str> = self.partner_ids.iter().map(String::as_str).collect();
                self.problems.push(cells.problem(
                    cell,
                    format!("unknown partner `{}`", cell.text),
                    expected_one_of(
                        wanted,
                        &ids,
                        "a partner id (a file name in content/partners/), a partner's name, or a value mapped under [sources.partners]",
                    ),
                ));
                None
            }
        }
    }

    /// Whose a row is: by the person's key among the people sources, or by
    /// a person id of the partner's YAML file.
    fn person(
        &mut self,
        sheet: &Sheet,
        partner: Option<Option<usize>>,
        text: &str,
        at: At,
    ) -> Option<Whose> {
        if partner == Some(None) {
            return Some(Whose::Other);
        }
        let key = text.trim().to_lowercase();
        if let Some((whose, _, _)) = self.keys.get(&key) {
            return match (whose, partner) {
                (Whose::Person(index, _), Some(Some(named))) if *index != named => {
                    let message = format!(
                        "`{text}` is a person of partner `{}`, not of `{}`",
                        self.partner_ids[*index], self.partner_ids[named]
                    );
                    let expected =
                        "the partner the people source gives this person, or no partner column";
                    self.problems.push(located(sheet, at, message, expected));
                    None
                }
                _ => Some(whose.clone()),
            };
        }
        if let Some(Some(index)) = partner
            && self.yaml_people[index].iter().any(|id| *id == text)
        {
            return Some(Whose::Person(index, text.to_string()));
        }
        if self.own.is_some() {
            // Perhaps another partner's person: this audience cannot tell.
            return Some(Whose::Other);
        }
        if self.people_unread {
            return None;
        }
        let message = format!("unknown person `{text}`");
        let expected = "a person's key in a people source, or a person id of the partner's YAML file (with a partner column)";
        self.problems.push(located(sheet, at, message, expected));
        None
    }

    fn person_row(&mut self, sheet: &Sheet, cells: &Cells, origin: Origin) {
        let problems = &mut self.problems;
        let (Some(key), Some(partner_cell), Some(role)) = (
            cells.required("person", problems),
            cells.required("partner", problems),
            cells.required("role", problems),
        ) else {
            return;
        };
        let joined = cells
            .get("joined")
            .and_then(|c| cells.date(&c, &mut self.problems));
        let left = cells
            .get("left")
            .and_then(|c| cells.date(&c, &mut self.problems));
        let Some(partner) = self.partner(sheet, cells, &partner_cell) else {
            return;
        };
        if let (Some(joined), Some(left_cell), Some(left)) = (&joined, cells.get("left"), &left)
            && left <= joined
        {
            self.problems.push(cells.problem(
                &left_cell,
                format!("left on {left}, not after joining on {joined}"),
                "a `left` date after the `joined` date",
            ));
            return;
        }
        let person = Person {
            id: String::new(),
            role: role.text.to_string(),
            joined,
            left,
            assessments: Vec::new(),
            ai_use: Vec::new(),
            completions: Vec::new(),
        };
        let lower = key.text.to_lowercase();
        if let Some((whose, before, known)) = self.keys.get(&lower) {
            let same_partner = match (whose, partner) {
                (Whose::Person(index, _), Some(named)) => *index == named,
                (Whose::Other, None) => true,
                _ => false,
            };
            let same = same_partner
                && known.role == person.role
                && known.joined == person.joined
                && known.left == person.left;
            if !same {
                self.problems.push(cells.problem(
                    &key,
                    format!(
                        "this person is also given, otherwise, {}",
                        before.describe()
                    ),
                    "each person once, or their rows alike",
                ));
            }
            return;
        }
        let Some(index) = partner else {
            self.keys.insert(lower, (Whose::Other, origin, person));
            return;
        };
        let id = self.next_id(index);
        let whose = Whose::Person(index, id.clone());
        self.people[index].push(Person {
            id,
            ..person.clone()
        });
        self.keys.insert(lower, (whose, origin, person));
    }

    /// The id of the next imported person of partner `index`.
    fn next_id(&mut self, index: usize) -> String {
        loop {
            let id = format!("person-{:03}", self.numbers[index]);
            self.numbers[index] += 1;
            if !self.yaml_people[index].contains(&id) {
                return id;
            }
        }
    }

    fn assessment_row(
        &mut self,
        cells: &Cells,
        (partner, person): (usize, String),
        origin: Origin,
    ) {
        let Some(date_cell) = cells.required("date", &mut self.problems) else {
            return;
        };
        let Some(date) = cells.date(&date_cell, &mut self.problems) else {
            return;
        };
        let mut scores = BTreeMap::new();
        for skill in self.config.skills.iter().map(|s| s.id.clone()) {
            let Some(cell) = cells.get(&format!("score:{skill}")) else {
                continue;
            };
            let Some(score) = rows::number(cell.text, '.').or_else(|| rows::number(cell.text, ','))
            else {
                self.problems.push(cells.problem(
                    &cell,
                    format!("`{}` is not a score", cell.text),
                    "a score from 0 (none) to 4 (expert)",
                ));
                continue;
            };
            if !(0.0..=4.0).contains(&score) {
                self.problems.push(cells.problem(
                    &cell,
                    format!("score {} is outside 0–4", cell.text),
                    "a score from 0 (none) to 4 (expert)",
                ));
                continue;
            }
            scores.insert(skill, (score, cell));
        }
        let key = (partner, person, date);
        let entry = self.assessments.entry(key).or_default();
        for (skill, (score, cell)) in scores {
            match entry.get(&skill) {
                Some((before, place)) if *before != score => self.problems.push(cells.problem(
                    &cell,
                    format!(
                        "{skill} is scored {} on this date {}",
                        crate::base::format::format_number(*before, 1),
                        place.describe()
                    ),
                    "one score per skill, person and date",
                )),
                Some(_) => {}
                None => {
                    entry.insert(skill, (score, origin.clone()));
                }
            }
        }
    }

    fn completion_row(
        &mut self,
        sheet: &Sheet,
        cells: &Cells,
        (partner, person): (usize, String),
        origin: Origin,
    ) {
        let (Some(module_cell), Some(date_cell)) = (
            cells.required("module", &mut self.problems),
            cells.required("date", &mut self.problems),
        ) else {
            return;
        };
        let module = self.module(sheet, module_cell.text, At::Cell(cells, &module_cell));
        let date = cells.date(&date_cell, &mut self.problems);
        if let (Some(module), Some(date)) = (module, date) {
            self.completions
                .entry((partner, person, module, date))
                .or_insert(origin);
        }
    }

    /// The module an export's value names: mapped under `[sources.modules]`,
    /// a module id, or a URL ending in `/modules/<id>/`.
    fn module(&mut self, sheet: &Sheet, text: &str, at: At) -> Option<String> {
        let mapped = sheet.source.modules.get(text).cloned();
        let from_url = text
            .trim_end_matches('/')
            .rsplit_once("/modules/")
            .map(|(_, id)| id.to_string());
        let candidate = mapped.or(from_url).unwrap_or_else(|| text.to_string());
        let known =
            |id: &str| self.store.module(id).is_some() || self.store.absent_module(id).is_some();
        if known(&candidate) {
            return Some(candidate);
        }
        let ids = self.store.module_ids();
        let expected = expected_one_of(
            &candidate,
            &ids,
            "a module id, a URL ending in /modules/<id>/, or a value mapped under [sources.modules]",
        );
        self.problems.push(located(
            sheet,
            at,
            format!("unknown module `{text}`"),
            &expected,
        ));
        None
    }

    fn ai_use_row(&mut self, cells: &Cells, (partner, person): (usize, String), origin: Origin) {
        let (Some(workflow), Some(since_cell)) = (
            cells.required("workflow", &mut self.problems),
            cells.required("since", &mut self.problems),
        ) else {
            return;
        };
        let known = self.known_workflow(cells, &workflow);
        let since = cells.date(&since_cell, &mut self.problems);
        let (true, Some(since)) = (known, since) else {
            return;
        };
        let key = (partner, person, workflow.text.to_string());
        match self.ai_use.get(&key) {
            Some((before, place)) if *before != since => self.problems.push(cells.problem(
                &since_cell,
                format!(
                    "AI use in `{}` is given as starting on {before} {}",
                    workflow.text,
                    place.describe()
                ),
                "one start date per person and workflow",
            )),
            Some(_) => {}
            None => {
                self.ai_use.insert(key, (since, origin));
            }
        }
    }

    fn known_workflow(&mut self, cells: &Cells, cell: &rows::Cell) -> bool {
        let ids: Vec<&str> = self
            .config
            .workflows
            .iter()
            .map(|w| w.id.as_str())
            .collect();
        if ids.contains(&cell.text) {
            return true;
        }
        self.problems.push(cells.problem(
            cell,
            format!("unknown workflow `{}`", cell.text),
            expected_one_of(cell.text, &ids, "a workflow defined in site.toml"),
        ));
        false
    }

    fn kpi_row(&mut self, cells: &Cells, partner: Option<usize>, origin: Origin) {
        let Some(partner) = partner else { return };
        let Some(quarter_cell) = cells.required("quarter", &mut self.problems) else {
            return;
        };
        let quarter = cells.quarter(&quarter_cell, &mut self.problems);
        let mut figure = |field: &str, min: f64| {
            let cell = cells.required(field, &mut self.problems)?;
            cells.number(&cell, min, &mut self.problems)
        };
        let figures = (
            figure("partner_sourced_revenue", 0.0),
            figure("sales_cycle_days", 0.0),
            figure("cost_to_serve", 0.0),
            figure("enablement_throughput", 0.0),
            figure("margin_contribution", -crate::partners::metrics::MAX_FIGURE),
        );
        let (
            Some(quarter),
            (Some(revenue), Some(cycle), Some(cost), Some(throughput), Some(margin)),
        ) = (quarter, figures)
        else {
            return;
        };
        let record = KpiRecord {
            quarter: quarter.clone(),
            partner_sourced_revenue: revenue,
            sales_cycle_days: cycle,
            cost_to_serve: cost,
            enablement_throughput: throughput,
            margin_contribution: margin,
        };
        match self.kpis.get(&(partner, quarter.clone())) {
            Some((before, place)) if *before != record => self.problems.push(cells.problem(
                &quarter_cell,
                format!(
                    "the KPIs of {quarter} are also given, otherwise, {}",
                    place.describe()
                ),
                "one row of KPIs per partner and quarter",
            )),
            Some(_) => {}
            None => {
                self.kpis.insert((partner, quarter), (record, origin));
            }
        }
    }

    fn workflow_row(&mut self, cells: &Cells, partner: Option<usize>, origin: Origin) {
        let Some(partner) = partner else { return };
        let Some(workflow) = cells.required("workflow", &mut self.problems) else {
            return;
        };
        if !self.known_workflow(cells, &workflow) {
            return;
        }
        let mut flag = |field: &str| {
            cells
                .get(field)
                .and_then(|c| cells.yes_no(&c, &mut self.problems))
                .unwrap_or(false)
        };
        let (embedded, documented, quality_standard) = (
            flag("embedded"),
            flag("documented"),
            flag("quality_standard"),
        );
        let mut figure = |field: &str| {
            cells
                .get(field)
                .and_then(|c| cells.number(&c, 0.0, &mut self.problems))
        };
        let (minutes_before, minutes_after, runs) = (
            figure("minutes_before"),
            figure("minutes_after"),
            figure("runs_per_quarter"),
        );
        let since = cells
            .get("since")
            .and_then(|c| cells.quarter(&c, &mut self.problems));
        if embedded && since.is_none() {
            self.problems.push(cells.problem(
                &workflow,
                format!(
                    "workflow `{}` is embedded but has no quarter it became so",
                    workflow.text
                ),
                "the `since` column: the quarter AI became a permanent step, such as 2026-Q1",
            ));
            return;
        }
        let record = WorkflowRecord {
            id: workflow.text.to_string(),
            embedded,
            since,
            documented,
            quality_standard,
            minutes_before,
            minutes_after,
            runs_per_quarter: runs.unwrap_or(0.0),
        };
        let key = (partner, record.id.clone());
        match self.workflows.get(&key) {
            Some((before, place)) if *before != record => self.problems.push(cells.problem(
                &workflow,
                format!(
                    "workflow `{}` is also described, otherwise, {}",
                    record.id,
                    place.describe()
                ),
                "one row per partner and workflow",
            )),
            Some(_) => {}
            None => {
                self.workflows.insert(key, (record, origin));
            }
        }
    }

    /// Puts every imported record into its partner's file, after what the
    /// YAML says.
    fn merge(self, partners: &mut [PartnerFile]) {
        for (index, people) in self.people.into_iter().enumerate() {
            partners[index].record.people.extend(people);
        }
        let imported = |origin: &Origin| matches!(origin, Origin::Row(..));
        let person_of = |partners: &[PartnerFile], index: usize, id: &str| {
            partners[index]
                .record
                .people
                .iter()
                .position(|p| p.id == id)
        };
        let mut touched = vec![false; partners.len()];
        for ((index, id, date), scores) in &self.assessments {
            let fresh: BTreeMap<String, f64> = scores
                .iter()
                .filter(|(_, (_, from))| imported(from))
                .map(|(skill, (score, _))| (skill.clone(), *score))
                .collect();
            if fresh.is_empty() {
                continue;
            }
            let Some(at) = person_of(partners, *index, id) else {
                continue;
            };
            touched[*index] = true;
            let person = &mut partners[*index].record.people[at];
            match person.assessments.iter_mut().find(|a| a.date == *date) {
                // The YAML's assessment of that date gains the skills the
                // export adds.
                Some(assessment) => assessment.scores.extend(fresh),
                None => person.assessments.push(Assessment {
                    date: date.clone(),
                    scores: fresh,
                }),
            }
        }
        for ((index, id, module, date), origin) in &self.completions {
            if !imported(origin) {
                continue;
            }
            let Some(at) = person_of(partners, *index, id) else {
                continue;
            };
            touched[*index] = true;
            partners[*index].record.people[at]
                .completions
                .push(Completion {
                    module: module.clone(),
                    date: date.clone(),
                });
        }
        for ((index, id, workflow), (since, origin)) in &self.ai_use {
            if !imported(origin) {
                continue;
            }
            let Some(at) = person_of(partners, *index, id) else {
                continue;
            };
            touched[*index] = true;
            partners[*index].record.people[at].ai_use.push(AiUse {
                workflow: workflow.clone(),
                since: since.clone(),
            });
        }
        for ((index, _), (record, origin)) in self.kpis {
            if imported(&origin) {
                touched[index] = true;
                partners[index].record.kpis.push(record);
            }
        }
        for ((index, _), (record, origin)) in self.workflows {
            if imported(&origin) {
                touched[index] = true;
                partners[index].record.workflows.push(record);
            }
        }
        // A partner's records in date order once rows joined them; a
        // partner written in YAML alone keeps its file's order.
        for (partner, _) in partners.iter_mut().zip(touched).filter(|(_, t)| *t) {
            for person in &mut partner.record.people {
                person.assessments.sort_by(|a, b| a.date.cmp(&b.date));
                person
                    .completions
                    .sort_by(|a, b| (&a.date, &a.module).cmp(&(&b.date, &b.module)));
            }
            partner
                .record
                .kpis
                .sort_by(|a, b| a.quarter.cmp(&b.quarter));
        }
    }
}

/// Where a problem of a row is: a CSV cell (named by its row and header),
/// or a place in an xAPI statement.
enum At<'c> {
    Cell(&'c Cells<'c>, &'c rows::Cell<'c>),
    Range(Range<usize>),
}

fn located(sheet: &Sheet, at: At, message: String, expected: &str) -> Diagnostic {
    match at {
        At::Cell(cells, cell) => cells.problem(cell, message, expected),
        At::Range(range) => sheet.at(range, message).expected(expected),
    }
}

/// The 1-based line of byte `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}
