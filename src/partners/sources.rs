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
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use crate::base::codes::Code;
use crate::base::diagnostics::{Diagnostic, Error, Result};
use crate::base::memo::Memo;
use crate::base::paths::{Capped, SiteRoot, is_ignored};
use crate::base::text::expected_one_of;
use crate::input::config::{CatalogEntry, Config};
use crate::input::content::{ContentStore, too_large};
use crate::input::sources::{Format, Kind, Source};
use crate::partners::metrics::{
    self, AiUse, Assessment, Completion, KpiRecord, MAX_FIGURE, PartnerFile, Person, WorkflowRecord,
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
/// An export `kept` holds unchanged since it was read is not read again.
pub fn import(
    root: &Path,
    config: &Config,
    partners: &mut [PartnerFile],
    store: &ContentStore,
    own: Option<&str>,
    kept: &ReadExports,
) -> Result<Imported> {
    let mut import = Import::new(config, partners, store, own);
    let site = SiteRoot::new(root)?;
    // People first, whatever order the sources are in: every other kind
    // finds its person through them.
    let mut ordered: Vec<&Source> = config.sources.iter().collect();
    ordered.sort_by_key(|s| *s.kind.get_ref() != Kind::People);
    for source in ordered {
        for path in listed_files(root, &site, source, &mut import.problems)? {
            let shown = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            let export = kept.read(&path, || {
                read_export(
                    &site,
                    &path,
                    &shown,
                    source,
                    config.limits.max_source_file_bytes,
                )
            })?;
            import.file(source, &shown, &export);
        }
    }
    let problems = std::mem::take(&mut import.problems);
    import.merge(partners);
    Ok(Imported { problems })
}

/// The exports a run has read, each with its file's size and modification
/// time, when the run keeps them (the live preview's): a later import reads
/// again only the files that changed since. A build keeps none, so they do
/// not add to its memory.
#[derive(Default)]
pub struct ReadExports {
    keep: bool,
    files: Mutex<HashMap<PathBuf, Memo<Stamp, Arc<Export>>>>,
}

/// A file's size and modification time.
type Stamp = (u64, Option<std::time::SystemTime>);

impl ReadExports {
    /// Exports kept between imports.
    pub fn keeping() -> ReadExports {
        ReadExports {
            keep: true,
            files: Mutex::default(),
        }
    }

    /// The export at `path`: the kept one if its file has not changed,
    /// otherwise `read`'s.
    fn read(&self, path: &Path, read: impl FnOnce() -> Result<Export>) -> Result<Arc<Export>> {
        if !self.keep {
            return read().map(Arc::new);
        }
        let stamp: Option<Stamp> = std::fs::metadata(path)
            .ok()
            .map(|m| (m.len(), m.modified().ok()));
        // A poisoned lock only means another import panicked: the map is whole.
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        let kept = files
            .get(path)
            .zip(stamp)
            .and_then(|(memo, stamp)| memo.get(&stamp));
        if let Some(export) = kept {
            return Ok(export.clone());
        }
        let export = Arc::new(read()?);
        if let Some(stamp) = stamp {
            files.insert(path.to_path_buf(), Memo::new(stamp, export.clone()));
        }
        Ok(export)
    }
}

/// An export as read: its decoded text with its table or its statements, or
/// the problems that kept it from being read.
enum Export {
    /// A CSV export.
    Table(Arc<str>, table::Table),
    /// xAPI statements.
    Statements(Arc<str>, xapi::Statements),
    /// Not read: too large, not text, or not CSV.
    Unread(Vec<Diagnostic>),
}

/// The files of `source`: the file it names, or every file of the folder
/// it names, sorted by path; a link leading outside the site is a problem.
fn listed_files(
    root: &Path,
    site: &SiteRoot,
    source: &Source,
    problems: &mut Vec<Diagnostic>,
) -> Result<Vec<PathBuf>> {
    let relative = PathBuf::from(source.file.get_ref());
    let path = root.join(&relative);
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
        match site.confine(&path) {
            Ok(_) => files.push(path),
            Err(refusal) => problems.push(site.refused(&path, &refusal, Code::DataSource)),
        }
    }
    Ok(files)
}

/// Reads, decodes and parses the export at `path` (`shown` relative to the
/// site) as `source` says, within `limit` bytes.
fn read_export(
    site: &SiteRoot,
    path: &Path,
    shown: &Path,
    source: &Source,
    limit: u64,
) -> Result<Export> {
    let bytes = match site.read_at_most(path, limit) {
        Ok(Capped::Read(bytes)) => bytes,
        Ok(Capped::TooLarge(size)) => {
            let key = "max_source_file_bytes";
            return Ok(Export::Unread(vec![too_large(
                Code::DataSource,
                shown,
                size,
                limit,
                key,
            )]));
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    let encoding = source.encoding.as_ref().map(|e| e.get_ref().as_str());
    let text: Arc<str> = match table::decode(&bytes, encoding) {
        Ok(text) => Arc::from(text),
        Err((message, at)) => {
            let lossy: Arc<str> = Arc::from(String::from_utf8_lossy(&bytes).into_owned());
            return Ok(Export::Unread(vec![
                Diagnostic::new(Code::DataSource, shown, lossy, at..at, message).expected(
                    "a UTF-8 file, or `encoding = \"utf-16\"` or \"windows-1252\" in its [[sources]] entry",
                ),
            ]));
        }
    };
    if source.format() == Format::Xapi {
        let statements = xapi::read(&text);
        return Ok(Export::Statements(text, statements));
    }
    let delimiter = match &source.delimiter {
        Some(d) => d.get_ref().as_bytes().first().copied().unwrap_or(b','),
        None => table::detect_delimiter(text.lines().next().unwrap_or_default()),
    };
    Ok(match table::parse(text.clone(), delimiter) {
        Ok(table) => Export::Table(text, table),
        Err((message, at)) => Export::Unread(vec![
            Diagnostic::new(Code::DataSource, shown, text, at..at, message).expected(
                "comma-separated values with a header line (quote a cell that holds the delimiter)",
            ),
        ]),
    })
}

/// Where a record came from, to name it when a later one disagrees: a few
/// bytes, as exports may hold millions of rows.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Origin {
    /// The YAML file of the partner at this index.
    Yaml(u32),
    /// A row (or statement) of an export: the file's index among those
    /// read, and the line.
    Row(u32, u32),
}

/// A person: their partner's index and their place among its people (the
/// YAML file's first, then the imported ones, in the order merged).
type PersonRef = (u32, u32);

/// One assessment's scores: the skill's index in the catalogue, the score
/// and where it was given.
type Scores = Vec<(u8, f64, Origin)>;

/// Whom a row is about, once its partner and person are known.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Whose {
    /// A person of a partner.
    Person(PersonRef),
    /// Another partner's person, in a partner's audience: read past.
    Other,
}

/// The records being gathered, with where each came from.
struct Import<'a> {
    config: &'a Config,
    store: &'a ContentStore,
    own: Option<&'a str>,
    /// Partner ids, names and files: to find a row's partner, and to name
    /// its YAML file.
    partner_ids: Vec<String>,
    partner_names: Vec<String>,
    partner_files: Vec<PathBuf>,
    /// The exports read so far, by [`Origin::Row`]'s index.
    files: Vec<PathBuf>,
    /// Each partner's person ids: its YAML file's, then the imported ones.
    people_ids: Vec<Vec<String>>,
    /// A person's key (lower case) → whose it is and where it was given.
    keys: HashMap<String, (Whose, Origin)>,
    /// The next number of an imported person, per partner.
    numbers: Vec<usize>,
    /// The imported people of each partner.
    people: Vec<Vec<Person>>,
    /// Module ids met, so a completion names its module by a number.
    modules: Vec<String>,
    module_numbers: HashMap<String, u32>,
    /// By person and date.
    assessments: BTreeMap<(PersonRef, NaiveDate), Scores>,
    /// By person, module and date.
    completions: BTreeMap<(PersonRef, u32, NaiveDate), Origin>,
    /// By person and workflow (its index in the catalogue): the start.
    ai_use: BTreeMap<(PersonRef, u8), (NaiveDate, Origin)>,
    kpis: BTreeMap<(u32, String), (KpiRecord, Origin)>,
    workflows: BTreeMap<(u32, String), (WorkflowRecord, Origin)>,
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
        let people_ids = partners
            .iter()
            .map(|p| {
                p.record
                    .people
                    .iter()
                    .map(|person| person.id.clone())
                    .collect()
            })
            .collect();
        let mut import = Import {
            config,
            store,
            own,
            partner_ids: partners.iter().map(|p| p.id.clone()).collect(),
            partner_names: partners.iter().map(|p| p.record.name.clone()).collect(),
            partner_files: partners.iter().map(|p| p.file.clone()).collect(),
            files: Vec::new(),
            people_ids,
            keys: HashMap::new(),
            numbers: vec![1; partners.len()],
            people: vec![Vec::new(); partners.len()],
            modules: Vec::new(),
            module_numbers: HashMap::new(),
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

    /// Where `origin` is, for a problem's message.
    fn describe(&self, origin: Origin) -> String {
        match origin {
            Origin::Yaml(partner) => {
                format!("in {}", self.partner_files[partner as usize].display())
            }
            Origin::Row(file, line) => format!("at {}:{line}", self.files[file as usize].display()),
        }
    }

    /// Reports at `cell` a record that `before` gives otherwise: `what`
    /// says which, and the place of the other follows it.
    fn given_twice(
        &mut self,
        cells: &Cells,
        cell: &rows::Cell,
        what: String,
        before: Origin,
        expected: &str,
    ) {
        let message = format!("{what} {}", self.describe(before));
        self.problems.push(cells.problem(cell, message, expected));
    }

    fn skill_index(&self, id: &str) -> Option<u8> {
        let index = self.config.skills.iter().position(|s| s.id == id)?;
        u8::try_from(index).ok()
    }

    fn workflow_index(&self, id: &str) -> Option<u8> {
        let index = self.config.workflows.iter().position(|w| w.id == id)?;
        u8::try_from(index).ok()
    }

    /// The number of module `id`.
    fn module_number(&mut self, id: &str) -> u32 {
        if let Some(number) = self.module_numbers.get(id) {
            return *number;
        }
        let number = u32::try_from(self.modules.len()).unwrap_or(u32::MAX);
        self.modules.push(id.to_string());
        self.module_numbers.insert(id.to_string(), number);
        number
    }

    /// What the YAML files say, so a row that disagrees names them. Values
    /// the YAML checks will reject are left to those checks.
    fn remember_yaml(&mut self, partners: &[PartnerFile]) {
        for (index, partner) in (0u32..).zip(partners) {
            let origin = Origin::Yaml(index);
            for (place, person) in (0u32..).zip(&partner.record.people) {
                let who = (index, place);
                for assessment in &person.assessments {
                    let Some(date) = metrics::date(&assessment.date) else {
                        continue;
                    };
                    let scores = assessment
                        .scores
                        .iter()
                        .filter_map(|(skill, score)| {
                            Some((self.skill_index(skill)?, *score, origin))
                        })
                        .collect();
                    self.assessments.insert((who, date), scores);
                }
                for use_ in &person.ai_use {
                    if let (Some(workflow), Some(since)) = (
                        self.workflow_index(&use_.workflow),
                        metrics::date(&use_.since),
                    ) {
                        self.ai_use.insert((who, workflow), (since, origin));
                    }
                }
                for completion in &person.completions {
                    if let Some(date) = metrics::date(&completion.date) {
                        let module = self.module_number(&completion.module);
                        self.completions.insert((who, module, date), origin);
                    }
                }
            }
            for kpi in &partner.record.kpis {
                self.kpis
                    .insert((index, kpi.quarter.clone()), (kpi.clone(), origin));
            }
            for workflow in &partner.record.workflows {
                self.workflows
                    .insert((index, workflow.id.clone()), (workflow.clone(), origin));
            }
        }
    }

    /// Reads one export of `source`.
    fn file(&mut self, source: &Source, file: &Path, export: &Export) {
        let before = self.problems.len();
        self.files.push(file.to_path_buf());
        match export {
            Export::Unread(problems) => self.problems.extend(problems.iter().cloned()),
            Export::Table(text, table) => {
                let mut sheet = Sheet {
                    source,
                    file,
                    text: text.clone(),
                    columns: Vec::new(),
                };
                self.csv(&mut sheet, table);
            }
            Export::Statements(text, statements) => {
                let sheet = Sheet {
                    source,
                    file,
                    text: text.clone(),
                    columns: Vec::new(),
                };
                self.xapi(&sheet, statements);
            }
        }
        if *source.kind.get_ref() == Kind::People && self.problems.len() > before {
            self.people_unread = true;
        }
    }

    /// The index of the file being read, for [`Origin::Row`].
    fn file_number(&self) -> u32 {
        u32::try_from(self.files.len().saturating_sub(1)).unwrap_or(u32::MAX)
    }

    fn csv(&mut self, sheet: &mut Sheet, table: &table::Table) {
        let before = self.problems.len();
        sheet.map_columns(table, &mut self.problems);
        if self.problems.len() > before {
            return;
        }
        let file = self.file_number();
        let mut lines = Lines::new(&sheet.text);
        for row in &table.rows {
            let line = lines.at(row.range.start);
            let cells = sheet.cells(row, line);
            self.row(sheet, &cells, Origin::Row(file, line_number(line)));
        }
    }

    fn xapi(&mut self, sheet: &Sheet, (statements, problems): &xapi::Statements) {
        for (message, range) in problems.iter().cloned() {
            self.problems.push(
                sheet
                    .at(range, message)
                    .expected("xAPI statements: a JSON array of them, or one statement per line"),
            );
        }
        let file = self.file_number();
        let mut lines = Lines::new(&sheet.text);
        for statement in statements {
            let origin = Origin::Row(file, line_number(lines.at(statement.range.start)));
            let at = At::Range(statement.person_range.clone());
            let Some(Whose::Person(who)) = self.person(sheet, None, &statement.person, at) else {
                continue;
            };
            let at = At::Range(statement.activity_range.clone());
            let Some(module) = self.module(sheet, &statement.activity, at) else {
                continue;
            };
            let date = statement.timestamp.get(..10).and_then(metrics::date);
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
                .entry((who, module, date))
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
            // Another partner's row, in a partner's audience: read past.
            let Some(Some(partner)) = self.partner(sheet, cells, &cell) else {
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
        let at = At::Cell(cells, &person);
        let Some(Whose::Person(who)) = self.person(sheet, partner, person.text, at) else {
            return;
        };
        match kind {
            Kind::Assessments => self.assessment_row(cells, who, origin),
            Kind::Completions => self.completion_row(sheet, cells, who, origin),
            _ => self.ai_use_row(cells, who, origin),
        }
    }

    /// The partner `cell` names: `Some(None)` for another partner's, in a
    /// partner's audience.
    fn partner(&mut self, sheet: &Sheet, cells: &Cells, cell: &rows::Cell) -> Option<Option<u32>> {
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
            (Some(index), _) => Some(Some(u32::try_from(index).unwrap_or(u32::MAX))),
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
        partner: Option<Option<u32>>,
        text: &str,
        at: At,
    ) -> Option<Whose> {
        let Some(partner) = partner else {
            return self.person_by_key(sheet, None, text, at);
        };
        let Some(index) = partner else {
            return Some(Whose::Other);
        };
        self.person_by_key(sheet, Some(index), text, at)
    }

    fn person_by_key(
        &mut self,
        sheet: &Sheet,
        partner: Option<u32>,
        text: &str,
        at: At,
    ) -> Option<Whose> {
        if let Some((whose, _)) = self.keys.get(&text.trim().to_lowercase()) {
            return match (*whose, partner) {
                (Whose::Person((index, _)), Some(named)) if index != named => {
                    let message = format!(
                        "`{text}` is a person of partner `{}`, not of `{}`",
                        self.partner_ids[index as usize], self.partner_ids[named as usize]
                    );
                    let expected =
                        "the partner the people source gives this person, or no partner column";
                    self.problems.push(located(sheet, at, message, expected));
                    None
                }
                (whose, _) => Some(whose),
            };
        }
        if let Some(index) = partner
            && let Some(place) = self.people_ids[index as usize]
                .iter()
                .position(|id| id == text)
        {
            return Some(Whose::Person((
                index,
                u32::try_from(place).unwrap_or(u32::MAX),
            )));
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
        let left_cell = cells.get("left");
        let left = left_cell
            .as_ref()
            .and_then(|c| cells.date(c, &mut self.problems));
        let Some(partner) = self.partner(sheet, cells, &partner_cell) else {
            return;
        };
        if let (Some(joined), Some(left_cell), Some(left)) = (joined, &left_cell, left)
            && left <= joined
        {
            self.problems.push(cells.problem(
                left_cell,
                format!("left on {left}, not after joining on {joined}"),
                "a `left` date after the `joined` date",
            ));
            return;
        }
        let person = Person {
            id: String::new(),
            role: role.text.to_string(),
            joined: joined.map(|d| d.to_string()),
            left: left.map(|d| d.to_string()),
            assessments: Vec::new(),
            ai_use: Vec::new(),
            completions: Vec::new(),
        };
        let lower = key.text.to_lowercase();
        if let Some(&(whose, before)) = self.keys.get(&lower) {
            if !self.is_same_person(whose, partner, &person) {
                self.given_twice(
                    cells,
                    &key,
                    "this person is also given, otherwise,".to_string(),
                    before,
                    "each person once, or their rows alike",
                );
            }
            return;
        }
        let Some(index) = partner else {
            self.keys.insert(lower, (Whose::Other, origin));
            return;
        };
        let id = self.next_id(index as usize);
        let ids = &mut self.people_ids[index as usize];
        let place = u32::try_from(ids.len()).unwrap_or(u32::MAX);
        ids.push(id.clone());
        self.people[index as usize].push(Person { id, ..person });
        self.keys
            .insert(lower, (Whose::Person((index, place)), origin));
    }

    /// Whether a people row for a key already given (to `whose`) says the
    /// same of the person: their partner, role and dates.
    fn is_same_person(&self, whose: Whose, partner: Option<u32>, person: &Person) -> bool {
        match (whose, partner) {
            (Whose::Person((index, place)), Some(named)) if index == named => {
                let imported = &self.people[index as usize];
                let yaml = self.people_ids[index as usize].len() - imported.len();
                let known = &imported[place as usize - yaml];
                known.role == person.role
                    && known.joined == person.joined
                    && known.left == person.left
            }
            (Whose::Other, None) => true,
            _ => false,
        }
    }

    /// The id of the next imported person of partner `index`.
    fn next_id(&mut self, index: usize) -> String {
        loop {
            let id = format!("person-{:03}", self.numbers[index]);
            self.numbers[index] += 1;
            if !self.people_ids[index].contains(&id) {
                return id;
            }
        }
    }

    fn assessment_row(&mut self, cells: &Cells, who: PersonRef, origin: Origin) {
        let Some(date_cell) = cells.required("date", &mut self.problems) else {
            return;
        };
        let Some(date) = cells.date(&date_cell, &mut self.problems) else {
            return;
        };
        let mut scores = Vec::new();
        for (skill, cell) in cells.score_cells() {
            // The skills of [sources.scores] are checked with site.toml.
            let Some(index) = self.skill_index(skill) else {
                continue;
            };
            if let Some(score) = cells.score(&cell, &mut self.problems) {
                scores.push((index, score, cell));
            }
        }
        let known = self.assessments.get(&(who, date));
        let mut fresh = Vec::new();
        let mut conflicts = Vec::new();
        for (skill, score, cell) in scores {
            match known.and_then(|k| k.iter().find(|(s, _, _)| *s == skill)) {
                Some(&(_, before, place)) if before != score => {
                    let name = &self.config.skills[skill as usize].id;
                    let message = format!(
                        "{name} is scored {} on this date {}",
                        crate::base::format::format_number(before, 1),
                        self.describe(place)
                    );
                    let expected = "one score per skill, person and date";
                    conflicts.push(cells.problem(&cell, message, expected));
                }
                Some(_) => {}
                None => fresh.push((skill, score, origin)),
            }
        }
        self.problems.extend(conflicts);
        self.assessments
            .entry((who, date))
            .or_default()
            .extend(fresh);
    }

    fn completion_row(&mut self, sheet: &Sheet, cells: &Cells, who: PersonRef, origin: Origin) {
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
                .entry((who, module, date))
                .or_insert(origin);
        }
    }

    /// The module an export's value names: mapped under `[sources.modules]`,
    /// a module id, or a URL ending in `/modules/<id>/`.
    fn module(&mut self, sheet: &Sheet, text: &str, at: At) -> Option<u32> {
        let mapped = sheet.source.modules.get(text).map(String::as_str);
        let from_url = || {
            let url = text.trim_end_matches('/');
            url.rsplit_once("/modules/").map(|(_, id)| id)
        };
        let candidate = mapped.or_else(from_url).unwrap_or(text);
        if let Some(number) = self.module_numbers.get(candidate) {
            return Some(*number);
        }
        let store = self.store;
        if store.module(candidate).is_some() || store.absent_module(candidate).is_some() {
            return Some(self.module_number(candidate));
        }
        let ids = store.module_ids();
        let expected = expected_one_of(
            candidate,
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

    fn ai_use_row(&mut self, cells: &Cells, who: PersonRef, origin: Origin) {
        let (Some(workflow_cell), Some(since_cell)) = (
            cells.required("workflow", &mut self.problems),
            cells.required("since", &mut self.problems),
        ) else {
            return;
        };
        let workflow = self.known_workflow(cells, &workflow_cell);
        let since = cells.date(&since_cell, &mut self.problems);
        let (Some(workflow), Some(since)) = (workflow, since) else {
            return;
        };
        if let Err(before) = settle(&mut self.ai_use, (who, workflow), since, origin) {
            self.given_twice(
                cells,
                &since_cell,
                format!(
                    "AI use in `{}` is given as starting on another date",
                    workflow_cell.text
                ),
                before,
                "one start date per person and workflow",
            );
        }
    }

    /// The index of the workflow `cell` names, or a problem.
    fn known_workflow(&mut self, cells: &Cells, cell: &rows::Cell) -> Option<u8> {
        let index = self.workflow_index(cell.text);
        if index.is_none() {
            let ids: Vec<&str> = CatalogEntry::ids(&self.config.workflows);
            self.problems.push(cells.problem(
                cell,
                format!("unknown workflow `{}`", cell.text),
                expected_one_of(cell.text, &ids, "a workflow defined in site.toml"),
            ));
        }
        index
    }

    fn kpi_row(&mut self, cells: &Cells, partner: u32, origin: Origin) {
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
            figure("margin_contribution", -MAX_FIGURE),
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
        if let Err(before) = settle(&mut self.kpis, (partner, quarter.clone()), record, origin) {
            self.given_twice(
                cells,
                &quarter_cell,
                format!("the KPIs of {quarter} are also given, otherwise,"),
                before,
                "one row of KPIs per partner and quarter",
            );
        }
    }

    fn workflow_row(&mut self, cells: &Cells, partner: u32, origin: Origin) {
        let Some(workflow) = cells.required("workflow", &mut self.problems) else {
            return;
        };
        if self.known_workflow(cells, &workflow).is_none() {
            return;
        }
        let Some(record) = workflow_record(cells, &workflow, &mut self.problems) else {
            return;
        };
        let id = record.id.clone();
        if let Err(before) = settle(&mut self.workflows, (partner, id.clone()), record, origin) {
            self.given_twice(
                cells,
                &workflow,
                format!("workflow `{id}` is also described, otherwise,"),
                before,
                "one row per partner and workflow",
            );
        }
    }

    /// Puts every imported record into its partner's file, after what the
    /// YAML says.
    fn merge(mut self, partners: &mut [PartnerFile]) {
        let mut touched = vec![false; partners.len()];
        for (index, people) in std::mem::take(&mut self.people).into_iter().enumerate() {
            touched[index] |= !people.is_empty();
            partners[index].record.people.extend(people);
        }
        self.merge_people_records(partners, &mut touched);
        for ((index, _), (record, origin)) in self.kpis {
            if imported(&origin) {
                touched[index as usize] = true;
                partners[index as usize].record.kpis.push(record);
            }
        }
        for ((index, _), (record, origin)) in self.workflows {
            if imported(&origin) {
                touched[index as usize] = true;
                partners[index as usize].record.workflows.push(record);
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

    /// The imported assessments, completions and AI use, each into its
    /// person's record; marks the partners that gained any.
    fn merge_people_records(&self, partners: &mut [PartnerFile], touched: &mut [bool]) {
        for ((who, date), scores) in &self.assessments {
            let fresh: BTreeMap<String, f64> = scores
                .iter()
                .filter(|(_, _, from)| imported(from))
                .map(|(skill, score, _)| (self.config.skills[*skill as usize].id.clone(), *score))
                .collect();
            if fresh.is_empty() {
                continue;
            }
            let date = date.to_string();
            touched[who.0 as usize] = true;
            let person = person_at(partners, *who);
            match person.assessments.iter_mut().find(|a| a.date == date) {
                // The YAML's assessment of that date gains the skills the
                // export adds.
                Some(assessment) => assessment.scores.extend(fresh),
                None => person.assessments.push(Assessment {
                    date,
                    scores: fresh,
                }),
            }
        }
        for ((who, module, date), origin) in &self.completions {
            if imported(origin) {
                touched[who.0 as usize] = true;
                person_at(partners, *who).completions.push(Completion {
                    module: self.modules[*module as usize].clone(),
                    date: date.to_string(),
                });
            }
        }
        for ((who, workflow), (since, origin)) in &self.ai_use {
            if imported(origin) {
                touched[who.0 as usize] = true;
                person_at(partners, *who).ai_use.push(AiUse {
                    workflow: self.config.workflows[*workflow as usize].id.clone(),
                    since: since.to_string(),
                });
            }
        }
    }
}

/// Whether a record came from an export rather than a YAML file.
fn imported(origin: &Origin) -> bool {
    matches!(origin, Origin::Row(..))
}

/// Keeps `record` under `key` unless one is there: `Err` with where the
/// one there came from when it says otherwise (an equal one is read once).
fn settle<K: Ord, T: PartialEq>(
    kept: &mut BTreeMap<K, (T, Origin)>,
    key: K,
    record: T,
    origin: Origin,
) -> std::result::Result<(), Origin> {
    match kept.get(&key) {
        Some((before, place)) if *before != record => Err(*place),
        Some(_) => Ok(()),
        None => {
            kept.insert(key, (record, origin));
            Ok(())
        }
    }
}

/// A workflow register row's record, its workflow in `workflow`.
fn workflow_record(
    cells: &Cells,
    workflow: &rows::Cell,
    problems: &mut Vec<Diagnostic>,
) -> Option<WorkflowRecord> {
    let mut flag = |field: &str| {
        cells
            .get(field)
            .and_then(|c| cells.yes_no(&c, problems))
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
            .and_then(|c| cells.number(&c, 0.0, problems))
    };
    let (minutes_before, minutes_after, runs) = (
        figure("minutes_before"),
        figure("minutes_after"),
        figure("runs_per_quarter"),
    );
    let since = cells.get("since").and_then(|c| cells.quarter(&c, problems));
    if embedded && since.is_none() {
        problems.push(cells.problem(
            workflow,
            format!(
                "workflow `{}` is embedded but has no quarter it became so",
                workflow.text
            ),
            "the `since` column: the quarter AI became a permanent step, such as 2026-Q1",
        ));
        return None;
    }
    Some(WorkflowRecord {
        id: workflow.text.to_string(),
        embedded,
        since,
        documented,
        quality_standard,
        minutes_before,
        minutes_after,
        runs_per_quarter: runs.unwrap_or(0.0),
    })
}

fn person_at(partners: &mut [PartnerFile], (index, place): PersonRef) -> &mut Person {
    &mut partners[index as usize].record.people[place as usize]
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

/// A line number as an [`Origin`] keeps it.
fn line_number(line: usize) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX)
}

/// Line numbers of byte offsets met in increasing order, counted once over
/// the text rather than from its start for every row.
struct Lines<'t> {
    text: &'t [u8],
    at: usize,
    line: usize,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Lines<'t> {
        Lines {
            text: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The 1-based line of byte `offset`, not before the last one asked.
    fn at(&mut self, offset: usize) -> usize {
        let end = offset.min(self.text.len()).max(self.at);
        self.line += self.text[self.at..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.at = end;
        self.line
    }
}
