//! Proficiency analytics: pure functions from validated partner
//! records and the program assumptions in `site.toml` to the numbers the
//! scorecards and the executive summary show. Nothing here reads files or
//! formats text for pages; every formula is documented in `docs/metrics.md`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use crate::base::quarter::Quarter;
use crate::input::config::{Config, LevelRule};
use crate::input::content::{ContentStore, Page};
use crate::partners::metrics::{Assessment, KpiRecord, PartnerFile, Person, WorkflowRecord, date};

/// The five business KPIs, with the direction that counts as better.
pub const KPIS: [Kpi; 5] = [
    Kpi {
        id: "partner_sourced_revenue",
        title: "Partner-sourced revenue",
        higher_is_better: true,
        unit: Unit::Money,
    },
    Kpi {
        id: "sales_cycle_days",
        title: "Sales cycle",
        higher_is_better: false,
        unit: Unit::Days,
    },
    Kpi {
        id: "cost_to_serve",
        title: "Cost to serve",
        higher_is_better: false,
        unit: Unit::Money,
    },
    Kpi {
        id: "enablement_throughput",
        title: "Enablement throughput",
        higher_is_better: true,
        unit: Unit::Count,
    },
    Kpi {
        id: "margin_contribution",
        title: "Margin contribution",
        higher_is_better: true,
        unit: Unit::Money,
    },
];

/// How a KPI is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// In the program currency.
    Money,
    /// Days.
    Days,
    /// A count of people.
    Count,
}

/// A business KPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Kpi {
    /// Key in the metrics files.
    pub id: &'static str,
    /// Display name.
    pub title: &'static str,
    /// False where less is better (cycle days, cost to serve).
    pub higher_is_better: bool,
    /// Unit of the figures.
    pub unit: Unit,
}

impl Kpi {
    /// This KPI's value in a quarter's record.
    pub fn value(&self, record: &KpiRecord) -> f64 {
        match self.id {
            "partner_sourced_revenue" => record.partner_sourced_revenue,
            "sales_cycle_days" => record.sales_cycle_days,
            "cost_to_serve" => record.cost_to_serve,
            "enablement_throughput" => record.enablement_throughput,
            _ => record.margin_contribution,
        }
    }
}

/// A movement between two values, judged by the KPI's direction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Delta {
    /// `to - from`.
    pub change: f64,
    /// `change / from`, when `from` is not zero.
    pub relative: Option<f64>,
    /// True when the change goes the good way, false when the bad way,
    /// none when there is no change.
    pub improved: Option<bool>,
}

/// The movement from `from` to `to` for a KPI where `higher_is_better` says
/// which way is good.
pub fn delta(from: f64, to: f64, higher_is_better: bool) -> Delta {
    let change = to - from;
    let relative = (from != 0.0).then(|| change / from.abs());
    let improved = if change == 0.0 {
        None
    } else {
        Some((change > 0.0) == higher_is_better)
    };
    Delta {
        change,
        relative,
        improved,
    }
}

/// A partner's KPI records by quarter (well-formed quarters only).
pub fn kpi_records(partner: &PartnerFile) -> BTreeMap<Quarter, &KpiRecord> {
    partner
        .record
        .kpis
        .iter()
        .filter_map(|k| Quarter::parse(&k.quarter).map(|q| (q, k)))
        .collect()
}

/// A KPI over several partners in one quarter: the sum, or the mean for a
/// KPI in days (a sales cycle does not add up).
pub fn combine(kpi: &Kpi, values: &[f64]) -> f64 {
    let sum: f64 = values.iter().sum();
    if kpi.unit == Unit::Days {
        sum / values.len() as f64
    } else {
        sum
    }
}

/// The values of `kpi` in each of `quarters` (one list per quarter, in
/// partner order) of the partners, given by their [`kpi_records`], that
/// reported every one of those quarters.
pub fn reported_in(
    kpi: &Kpi,
    partners: &[BTreeMap<Quarter, &KpiRecord>],
    quarters: &[Quarter],
) -> Vec<Vec<f64>> {
    let mut columns = vec![Vec::new(); quarters.len()];
    for records in partners {
        let row: Option<Vec<f64>> = quarters
            .iter()
            .map(|q| records.get(q).map(|k| kpi.value(k)))
            .collect();
        for (column, value) in columns.iter_mut().zip(row.into_iter().flatten()) {
            column.push(value);
        }
    }
    columns
}

/// The movement of `kpi` from quarter `from` to `to`, like for like: over
/// the partners that reported both, with how many they are; no movement
/// when none did.
pub fn like_for_like(
    kpi: &Kpi,
    partners: &[BTreeMap<Quarter, &KpiRecord>],
    from: Quarter,
    to: Quarter,
) -> (Option<Delta>, usize) {
    let columns = reported_in(kpi, partners, &[from, to]);
    let (before, after) = (&columns[0], &columns[1]);
    let movement = (!before.is_empty()).then(|| {
        delta(
            combine(kpi, before),
            combine(kpi, after),
            kpi.higher_is_better,
        )
    });
    (movement, before.len())
}

/// A workflow counts as AI-embedded when AI is a permanent, documented step
/// with a quality standard and a measured time saving, from its `since`
/// quarter on.
pub fn is_embedded(workflow: &WorkflowRecord, quarter: Quarter) -> bool {
    embedded_since(workflow).is_some_and(|since| since <= quarter)
}

/// The quarter from which a workflow counts as AI-embedded, if ever.
fn embedded_since(workflow: &WorkflowRecord) -> Option<Quarter> {
    let measured = matches!((workflow.minutes_before, workflow.minutes_after), (Some(before), Some(after)) if after < before);
    if workflow.embedded && workflow.documented && workflow.quality_standard && measured {
        workflow.since.as_deref().and_then(Quarter::parse)
    } else {
        None
    }
}

/// Hours a workflow saves in a quarter: runs × (minutes before − after) / 60,
/// when it is embedded that quarter.
pub fn hours_saved(workflow: &WorkflowRecord, quarter: Quarter) -> f64 {
    if !is_embedded(workflow, quarter) {
        return 0.0;
    }
    let before = workflow.minutes_before.unwrap_or(0.0);
    let after = workflow.minutes_after.unwrap_or(before);
    workflow.runs_per_quarter * (before - after) / 60.0
}

/// Where a person stands at the end of a quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonState {
    /// Index into the level catalogue: 0 lowest.
    pub level: usize,
    /// Mean of the latest assessment's scores (0–4), every catalogue skill counted.
    pub mean_score: f64,
    /// Workflows where the person uses AI.
    pub ai_workflows: BTreeSet<String>,
    /// Of those, the ones the partner has embedded.
    pub embedded_use: usize,
    /// 0–100 proficiency score.
    pub score: f64,
}

/// Applies the level rules (each level's, lowest first, as
/// [`Config::level_rules`] gives them) at the end of `quarter`: a person is at
/// the highest level whose every condition they meet, the lowest when none.
pub fn person_state(
    person: &Person,
    workflows: &[WorkflowRecord],
    quarter: Quarter,
    skills: &[String],
    rules: &[LevelRule],
) -> PersonState {
    PersonTimeline::new(person, skills).state(&embedded_workflows(workflows), quarter, rules)
}

/// The workflows that ever count as AI-embedded, with the quarter from which
/// they do: what [`PersonTimeline`] needs to count embedded use.
pub fn embedded_workflows(workflows: &[WorkflowRecord]) -> Vec<(&str, Quarter)> {
    workflows
        .iter()
        .filter_map(|w| embedded_since(w).map(|since| (w.id.as_str(), since)))
        .collect()
}

/// Whether someone who `joined` and `left` on those dates (none: from the
/// start, still there) belongs to a partner in `quarter`: they joined on or
/// before its last day and had not left by then. Figures "at a quarter" are
/// taken at its last day, so someone leaving during a quarter is not counted
/// in it, and someone joining during it is.
pub fn member_at(joined: Option<NaiveDate>, left: Option<NaiveDate>, quarter: Quarter) -> bool {
    let end = quarter.last_day();
    joined.is_none_or(|joined| joined <= end) && left.is_none_or(|left| left > end)
}

/// Whether `person` belongs to their partner in `quarter` ([`member_at`]).
pub fn is_member(person: &Person, quarter: Quarter) -> bool {
    let day = |text: &Option<String>| text.as_deref().and_then(date);
    member_at(day(&person.joined), day(&person.left), quarter)
}

/// The partner's headcount in `quarter`: its people who belong then.
pub fn headcount_at(partner: &PartnerFile, quarter: Quarter) -> usize {
    partner
        .record
        .people
        .iter()
        .filter(|p| is_member(p, quarter))
        .count()
}

/// A person's dated records with the dates parsed and each assessment's mean
/// score taken once, so states at many quarters cost no re-parsing.
#[derive(Debug, Clone)]
pub struct PersonTimeline<'a> {
    /// AI use as (workflow, since), sorted; entries without a date left out.
    ai_use: Vec<(&'a str, NaiveDate)>,
    /// Dated assessments in file order, each with its mean over the skills.
    assessments: Vec<(NaiveDate, f64, &'a Assessment)>,
    /// When the person joined and left, if written.
    joined: Option<NaiveDate>,
    left: Option<NaiveDate>,
}

/// A person's level and proficiency score at the end of a quarter: the part
/// of [`PersonState`] that aggregates need.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standing {
    /// Index into the level catalogue: 0 lowest.
    pub level: usize,
    /// 0–100 proficiency score.
    pub score: f64,
}

impl<'a> PersonTimeline<'a> {
    /// The timeline of `person`, with mean scores over `skills`.
    pub fn new(person: &'a Person, skills: &[String]) -> PersonTimeline<'a> {
        let mut ai_use: Vec<(&str, NaiveDate)> = person
            .ai_use
            .iter()
            .filter_map(|u| date(&u.since).map(|d| (u.workflow.as_str(), d)))
            .collect();
        ai_use.sort_unstable();
        let assessments = person
            .assessments
            .iter()
            .filter_map(|a| {
                let scores = skills
                    .iter()
                    .map(|s| a.scores.get(s).copied().unwrap_or(0.0));
                date(&a.date).map(|d| (d, mean(scores), a))
            })
            .collect();
        PersonTimeline {
            ai_use,
            assessments,
            joined: person.joined.as_deref().and_then(date),
            left: person.left.as_deref().and_then(date),
        }
    }

    /// Whether the person belongs to the partner in `quarter` ([`member_at`]).
    pub fn member_at(&self, quarter: Quarter) -> bool {
        member_at(self.joined, self.left, quarter)
    }

    /// The latest assessment on or before `end` (the last listed of a day).
    pub fn assessment_at(&self, end: NaiveDate) -> Option<&'a Assessment> {
        self.latest_assessment(end).map(|(_, _, a)| *a)
    }

    fn latest_assessment(&self, end: NaiveDate) -> Option<&(NaiveDate, f64, &'a Assessment)> {
        self.assessments
            .iter()
            .filter(|(d, _, _)| *d <= end)
            .max_by_key(|(d, _, _)| *d)
    }

    /// Each workflow with AI use started by `end`, once, in id order.
    fn ai_workflows(&self, end: NaiveDate) -> impl Iterator<Item = &'a str> + '_ {
        let mut last = None;
        self.ai_use
            .iter()
            .filter(move |(_, since)| *since <= end)
            .map(|&(workflow, _)| workflow)
            .filter(move |workflow| last.replace(*workflow) != Some(*workflow))
    }

    /// The whole state at the end of `quarter`; see [`person_state`].
    pub fn state(
        &self,
        embedded: &[(&str, Quarter)],
        quarter: Quarter,
        rules: &[LevelRule],
    ) -> PersonState {
        let (standing, mean_score, embedded_use) = self.assess(embedded, quarter, rules);
        PersonState {
            level: standing.level,
            mean_score,
            ai_workflows: self
                .ai_workflows(quarter.last_day())
                .map(str::to_string)
                .collect(),
            embedded_use,
            score: standing.score,
        }
    }

    /// Level and score at the end of `quarter`, as [`Self::state`] has them.
    pub fn standing(
        &self,
        embedded: &[(&str, Quarter)],
        quarter: Quarter,
        rules: &[LevelRule],
    ) -> Standing {
        self.assess(embedded, quarter, rules).0
    }

    /// The standing, mean skill score and embedded use at the end of `quarter`.
    fn assess(
        &self,
        embedded: &[(&str, Quarter)],
        quarter: Quarter,
        rules: &[LevelRule],
    ) -> (Standing, f64, usize) {
        let end = quarter.last_day();
        let (mut ai_workflows, mut embedded_use) = (0, 0);
        for workflow in self.ai_workflows(end) {
            ai_workflows += 1;
            if embedded
                .iter()
                .any(|(id, since)| *id == workflow && *since <= quarter)
            {
                embedded_use += 1;
            }
        }
        let mean_score = self.latest_assessment(end).map_or(0.0, |(_, m, _)| *m);
        let level = rules
            .iter()
            .rposition(|rule| rule.holds(ai_workflows, embedded_use, mean_score))
            .unwrap_or(0);
        let score = proficiency_score(mean_score, ai_workflows, embedded_use);
        (Standing { level, score }, mean_score, embedded_use)
    }
}

/// 0–100: 60 points for skill (mean score / 4), 20 for breadth of AI use
/// (workflows with AI, up to 3) and 20 for embedded use (up to 2 embedded
/// workflows).
pub fn proficiency_score(mean_score: f64, ai_workflows: usize, embedded_use: usize) -> f64 {
    60.0 * (mean_score / 4.0).clamp(0.0, 1.0)
        + 20.0 * (ai_workflows.min(3) as f64 / 3.0)
        + 20.0 * (embedded_use.min(2) as f64 / 2.0)
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, count) = values.fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    if count == 0 { 0.0 } else { sum / count as f64 }
}

/// A named warning sign on a scorecard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    /// Stable id: `no-ai-use`, `activity-without-instrumentation`,
    /// `event-based-enablement` or `literacy-without-capability`.
    pub id: &'static str,
    /// Display name.
    pub title: &'static str,
    /// The numbers that raised it, in a sentence.
    pub evidence: String,
}

/// The failure patterns of the product brief, each from the numbers:
/// - no AI use: nobody uses AI in any workflow (the other patterns need some
///   use or some completions, so without it a partner doing nothing at all
///   would show no warning sign);
/// - activity without instrumentation: at least half of the people use AI,
///   yet not one workflow they use it in is embedded (documented, with a
///   quality standard and a measured time saving);
/// - event-based enablement: at least 5 completions, 70% or more of them in
///   one quarter;
/// - literacy without capability: at least 2 completions per person but no
///   embedded workflow.
///
/// Each counts the people who belong at `quarter` (`states` are theirs), and
/// their completions: a leaver's courses say nothing of the team that stays.
pub fn flags(partner: &PartnerFile, states: &[PersonState], quarter: Quarter) -> Vec<Flag> {
    let record = &partner.record;
    let members: Vec<&Person> = record
        .people
        .iter()
        .filter(|p| is_member(p, quarter))
        .collect();
    let headcount = members.len();
    let mut flags = Vec::new();
    if headcount == 0 {
        return flags;
    }
    let users = states.iter().filter(|s| !s.ai_workflows.is_empty()).count();
    if users == 0 {
        flags.push(Flag {
            id: "no-ai-use",
            title: "No AI use",
            evidence: format!(
                "None of the {headcount} {} uses AI in any workflow.",
                if headcount == 1 { "person" } else { "people" }
            ),
        });
    }
    let used: BTreeSet<&String> = states.iter().flat_map(|s| &s.ai_workflows).collect();
    let instrumented = used
        .iter()
        .filter(|id| {
            record
                .workflows
                .iter()
                .any(|w| &&w.id == *id && is_embedded(w, quarter))
        })
        .count();
    if users * 2 >= headcount && instrumented == 0 {
        flags.push(Flag {
            id: "activity-without-instrumentation",
            title: "Activity without instrumentation",
            evidence: format!(
                "{users} of {headcount} people use AI in {} workflow{}, but none of them is embedded with a quality standard and a measured time saving.",
                used.len(),
                if used.len() == 1 { "" } else { "s" }
            ),
        });
    }
    let mut by_quarter: BTreeMap<Quarter, usize> = BTreeMap::new();
    for completion in members.iter().flat_map(|p| &p.completions) {
        if let Some(d) = date(&completion.date) {
            *by_quarter.entry(Quarter::of(d)).or_default() += 1;
        }
    }
    let completions: usize = by_quarter.values().sum();
    if let Some((peak, count)) = by_quarter
        .iter()
        .max_by_key(|(q, c)| (**c, std::cmp::Reverse(**q)))
        && completions >= 5
        && *count as f64 / completions as f64 >= 0.7
    {
        flags.push(Flag {
            id: "event-based-enablement",
            title: "Event-based enablement",
            evidence: format!(
                "{count} of {completions} module completions ({:.0}%) happened in {peak}, with little reinforcement before or after.",
                100.0 * *count as f64 / completions as f64
            ),
        });
    }
    let embedded = record
        .workflows
        .iter()
        .filter(|w| is_embedded(w, quarter))
        .count();
    if completions as f64 / headcount as f64 >= 2.0 && embedded == 0 {
        flags.push(Flag {
            id: "literacy-without-capability",
            title: "Literacy without capability",
            evidence: format!(
                "{completions} module completions ({:.1} per person), yet no workflow has AI embedded.",
                completions as f64 / headcount as f64
            ),
        });
    }
    flags
}

/// Most modules recommended to one partner.
const RECOMMENDED: usize = 5;

/// The modules as recommendations see them, prepared once for every partner:
/// in learning order, with the catalogue skills and workflows each teaches
/// and its level.
#[derive(Debug, Clone)]
pub struct ModuleCatalogue<'a> {
    topics: Topics<'a>,
    /// Sorted by learning position; modules outside the order last, in store order.
    modules: Vec<&'a Page>,
    /// Each module's place in the learning order; `usize::MAX` outside it.
    positions: Vec<usize>,
    /// Each module's topics as a bit set, for topics below 64 listed once:
    /// a partner's relevance for every module is then a few instructions.
    masks: Vec<u64>,
    /// Listings the masks cannot hold, as (module, topic) in module order:
    /// topics listed again (each listing counts towards relevance) or from
    /// the 64th on.
    overflow: Vec<(usize, usize)>,
    /// Module id → indices into `modules`.
    by_id: HashMap<&'a str, Vec<usize>>,
    /// Each module's `level` as an index into the level catalogue.
    levels: Vec<Option<usize>>,
}

impl<'a> ModuleCatalogue<'a> {
    /// The modules of `store`, placed by `learning_order` (module sources).
    pub fn new(config: &'a Config, store: &'a ContentStore, learning_order: &[&str]) -> Self {
        let mut topics = Topics::default();
        for entry in &config.skills {
            topics.skill(&entry.id);
        }
        for entry in &config.workflows {
            topics.workflow(&entry.id);
        }
        let positions: HashMap<&str, usize> = learning_order
            .iter()
            .enumerate()
            .map(|(i, source)| (*source, i))
            .collect();
        let mut modules: Vec<(usize, &Page)> = store
            .modules()
            .map(|page| {
                let position = positions.get(page.source.as_str()).copied();
                (position.unwrap_or(usize::MAX), page)
            })
            .collect();
        // Stable, so modules outside the order keep the store order.
        modules.sort_by_key(|(position, _)| *position);
        let mut masks = Vec::with_capacity(modules.len());
        let mut overflow = Vec::new();
        let mut by_id: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, (_, page)) in modules.iter().enumerate() {
            let mut mask = 0u64;
            let mut add =
                |topic: usize| match 1u64.checked_shl(topic as u32).filter(|bit| mask & bit == 0) {
                    Some(bit) => mask |= bit,
                    None => overflow.push((i, topic)),
                };
            for id in &page.front.skills {
                add(topics.skill(id));
            }
            for id in &page.front.workflows {
                add(topics.workflow(id));
            }
            masks.push(mask);
            by_id.entry(page.id.as_str()).or_default().push(i);
        }
        let levels = modules
            .iter()
            .map(|(_, page)| {
                let level = page.front.level.as_deref()?;
                config.levels.iter().position(|l| l.id == level)
            })
            .collect();
        ModuleCatalogue {
            levels,
            topics,
            positions: modules.iter().map(|(position, _)| *position).collect(),
            modules: modules.into_iter().map(|(_, page)| page).collect(),
            masks,
            overflow,
            by_id,
        }
    }

    /// Whether each module was completed by half or more of the partner's people.
    fn completed_by_half(&self, partner: &PartnerFile) -> Vec<bool> {
        let people = partner.record.people.len().max(1);
        // People who completed each module, counted once per person.
        let mut completions: HashMap<&str, usize> = HashMap::new();
        for person in &partner.record.people {
            let modules: BTreeSet<&str> = person
                .completions
                .iter()
                .map(|c| c.module.as_str())
                .collect();
            for module in modules {
                *completions.entry(module).or_default() += 1;
            }
        }
        let mut done = vec![false; self.modules.len()];
        for (module, _) in completions.iter().filter(|(_, n)| **n * 2 >= people) {
            for i in self.by_id.get(module).into_iter().flatten() {
                done[*i] = true;
            }
        }
        done
    }

    /// Whether each topic is one of the skills or workflows named.
    fn wanted(&self, skills: &[String], workflows: &[String]) -> Vec<bool> {
        let topics = &self.topics;
        let mut wanted = vec![false; topics.count];
        for (index, ids) in [(&topics.skills, skills), (&topics.workflows, workflows)] {
            for topic in ids.iter().filter_map(|id| index.get(id.as_str())) {
                wanted[*topic] = true;
            }
        }
        wanted
    }
}

/// Skill and workflow ids numbered as topics: the catalogues' first, so that
/// they get the numbers the bit sets hold, then any other id a module lists.
#[derive(Debug, Clone, Default)]
struct Topics<'a> {
    skills: HashMap<&'a str, usize>,
    workflows: HashMap<&'a str, usize>,
    count: usize,
}

impl<'a> Topics<'a> {
    fn skill(&mut self, id: &'a str) -> usize {
        Self::number(&mut self.skills, &mut self.count, id)
    }

    fn workflow(&mut self, id: &'a str) -> usize {
        Self::number(&mut self.workflows, &mut self.count, id)
    }

    fn number(index: &mut HashMap<&'a str, usize>, count: &mut usize, id: &'a str) -> usize {
        *index.entry(id).or_insert_with(|| {
            *count += 1;
            *count - 1
        })
    }
}

/// The level most of `levels` (indices into the level catalogue) are at,
/// the lower one on a tie; 0 for nobody. Recommendations match modules to it.
pub fn typical_level(levels: impl Iterator<Item = usize>) -> usize {
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    for level in levels {
        *counts.entry(level).or_default() += 1;
    }
    // `max_by_key` keeps the last of equal counts: iterate from the top so
    // that is the lowest level.
    counts
        .iter()
        .rev()
        .max_by_key(|(_, count)| **count)
        .map_or(0, |(level, _)| *level)
}

/// A module recommended to a partner.
#[derive(Debug, Clone)]
pub struct Recommended<'a> {
    /// The module.
    pub module: &'a Page,
    /// The recommended modules it is a missing prerequisite of (empty for a
    /// module recommended for what it teaches).
    pub needed_by: Vec<&'a Page>,
}

/// Modules to take next. Candidates teach one of the partner's two weakest
/// skills or one of its not-yet-embedded workflows and were not completed by
/// half or more of its people. Up to five are chosen: modules whose `level`
/// fits the partner's `typical_level` (that level or the next one up, or no
/// level) before the others, then the most relevant (most matches), then
/// learning order, then id. The list starts with the chosen modules' missing
/// prerequisites (not completed by half the people, taken through every
/// step), then the other chosen modules, each group in learning order.
pub fn recommendations<'a>(
    partner: &PartnerFile,
    weakest_skills: &[String],
    open_workflows: &[String],
    typical_level: usize,
    catalogue: &ModuleCatalogue<'a>,
) -> Vec<Recommended<'a>> {
    let done = catalogue.completed_by_half(partner);
    let chosen = catalogue.chosen(&done, weakest_skills, open_workflows, typical_level);
    let missing = catalogue.missing_prerequisites(&chosen, &done);
    let in_order = |mut list: Vec<usize>| {
        list.sort_by_key(|i| catalogue.order_key(*i));
        list
    };
    let first: Vec<usize> = in_order(missing.keys().copied().collect());
    let then = in_order(
        chosen
            .into_iter()
            .filter(|i| !missing.contains_key(i))
            .collect(),
    );
    first
        .into_iter()
        .chain(then)
        .map(|i| Recommended {
            module: catalogue.modules[i],
            needed_by: missing
                .get(&i)
                .map(|by| by.iter().map(|j| catalogue.modules[*j]).collect())
                .unwrap_or_default(),
        })
        .collect()
}

impl<'a> ModuleCatalogue<'a> {
    /// A module's place in learning order, then its id and source: the
    /// order recommendations are shown in and their last tie-break.
    fn order_key(&self, i: usize) -> (usize, &'a str, &'a str) {
        let page = self.modules[i];
        (self.positions[i], page.id.as_str(), page.source.as_str())
    }

    /// Whether module `i` fits people at `typical`: no level, that level or
    /// the next one up.
    fn fits(&self, i: usize, typical: usize) -> bool {
        self.levels[i].is_none_or(|level| level == typical || level == typical + 1)
    }

    /// The (up to five) modules chosen for what they teach, as indices.
    fn chosen(
        &self,
        done: &[bool],
        weakest_skills: &[String],
        open_workflows: &[String],
        typical_level: usize,
    ) -> Vec<usize> {
        let wanted = self.wanted(weakest_skills, open_workflows);
        let wanted_mask = wanted
            .iter()
            .take(64)
            .enumerate()
            .fold(0u64, |mask, (topic, want)| {
                mask | (u64::from(*want) << topic)
            });
        let mut overflow = self.overflow.iter().peekable();
        // The best so far by (misfit, fewer matches, learning order, id),
        // smallest first.
        type Key<'k> = (bool, std::cmp::Reverse<usize>, (usize, &'k str, &'k str));
        let mut best: Vec<(Key<'a>, usize)> = Vec::with_capacity(RECOMMENDED + 1);
        for (i, mask) in self.masks.iter().enumerate() {
            let mut relevance = (mask & wanted_mask).count_ones() as usize;
            while let Some((_, topic)) = overflow.next_if(|(module, _)| *module == i) {
                relevance += usize::from(wanted[*topic]);
            }
            if relevance == 0 || done[i] {
                continue;
            }
            let key = (
                !self.fits(i, typical_level),
                std::cmp::Reverse(relevance),
                self.order_key(i),
            );
            if best.len() == RECOMMENDED && best[RECOMMENDED - 1].0 <= key {
                continue;
            }
            let at = best.partition_point(|(k, _)| *k <= key);
            best.insert(at, (key, i));
            best.truncate(RECOMMENDED);
        }
        best.into_iter().map(|(_, i)| i).collect()
    }

    /// The modules `chosen` need first and the partner has not completed
    /// (by half its people), through every step, each with the chosen
    /// modules that need it.
    fn missing_prerequisites(
        &self,
        chosen: &[usize],
        done: &[bool],
    ) -> BTreeMap<usize, BTreeSet<usize>> {
        let mut missing: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
        for &start in chosen {
            let mut seen = BTreeSet::from([start]);
            let mut stack = vec![start];
            while let Some(module) = stack.pop() {
                let needs = self.modules[module].front.prerequisites.iter();
                for &i in needs.filter_map(|id| self.by_id.get(id.as_str())).flatten() {
                    if !done[i] && seen.insert(i) {
                        missing.entry(i).or_default().insert(start);
                        stack.push(i);
                    }
                }
            }
        }
        missing
    }
}

/// The skill ids of the catalogue, in order.
pub fn skill_ids(config: &Config) -> Vec<String> {
    config.skills.iter().map(|s| s.id.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workflow(embedded: bool, since: &str, before: f64, after: f64, runs: f64) -> WorkflowRecord {
        WorkflowRecord {
            id: "qbr".to_string(),
            embedded,
            since: Some(since.to_string()),
            documented: true,
            quality_standard: true,
            minutes_before: Some(before),
            minutes_after: Some(after),
            runs_per_quarter: runs,
        }
    }

    fn q(text: &str) -> Quarter {
        Quarter::parse(text).expect("quarter")
    }

    #[test]
    fn deltas_know_which_way_is_better() {
        assert_eq!(delta(90.0, 80.0, false).improved, Some(true));
        assert_eq!(delta(100.0, 120.0, true).improved, Some(true));
        assert_eq!(delta(100.0, 120.0, false).improved, Some(false));
        assert_eq!(delta(5.0, 5.0, true).improved, None);
        assert_eq!(delta(0.0, 5.0, true).relative, None);
        assert_eq!(delta(200.0, 150.0, true).relative, Some(-0.25));
    }

    #[test]
    fn hours_count_only_from_the_embedding_quarter() {
        let w = workflow(true, "2026-Q1", 240.0, 90.0, 12.0);
        assert_eq!(hours_saved(&w, q("2025-Q4")), 0.0);
        assert_eq!(hours_saved(&w, q("2026-Q1")), 30.0);
        let undocumented = WorkflowRecord {
            documented: false,
            ..w
        };
        assert_eq!(hours_saved(&undocumented, q("2026-Q2")), 0.0);
    }

    /// Recommendations as docs/metrics.md words them: every module scored
    /// against the lists, the five best kept by (level misfit, most matches,
    /// learning position, id), their missing prerequisites put first.
    fn recommended_simply<'a>(
        partner: &PartnerFile,
        (weakest, open, typical): (&[String], &[String], usize),
        config: &Config,
        store: &'a ContentStore,
        order: &[&str],
    ) -> Vec<&'a str> {
        let people = partner.record.people.len().max(1);
        let done = |id: &str| {
            let did = |p: &&Person| p.completions.iter().any(|c| c.module == id);
            partner.record.people.iter().filter(did).count() * 2 >= people
        };
        let position = |m: &Page| {
            order
                .iter()
                .position(|s| *s == m.source)
                .unwrap_or(usize::MAX)
        };
        let order_key = |m: &&'a Page| (position(m), m.id.clone(), m.source.clone());
        let fits = |m: &Page| {
            let level = m
                .front
                .level
                .as_deref()
                .and_then(|l| config.levels.iter().position(|e| e.id == l));
            level.is_none_or(|l| l == typical || l == typical + 1)
        };
        let mut candidates: Vec<(bool, std::cmp::Reverse<usize>, &Page)> = store
            .modules()
            .filter_map(|m| {
                let relevance = m
                    .front
                    .skills
                    .iter()
                    .filter(|s| weakest.contains(s))
                    .count()
                    + m.front
                        .workflows
                        .iter()
                        .filter(|w| open.contains(w))
                        .count();
                (relevance > 0 && !done(&m.id)).then_some((
                    !fits(m),
                    std::cmp::Reverse(relevance),
                    m,
                ))
            })
            .collect();
        candidates.sort_by_key(|(misfit, relevance, m)| (*misfit, *relevance, order_key(m)));
        let chosen: Vec<&Page> = candidates.into_iter().take(5).map(|c| c.2).collect();
        let mut missing: Vec<&Page> = Vec::new();
        for start in &chosen {
            let mut stack = vec![*start];
            while let Some(module) = stack.pop() {
                for id in &module.front.prerequisites {
                    for needed in store.modules().filter(|m| &m.id == id) {
                        let seen = std::ptr::eq(needed, *start)
                            || missing.iter().any(|m| std::ptr::eq(*m, needed));
                        if !done(&needed.id) && !seen {
                            missing.push(needed);
                            stack.push(needed);
                        }
                    }
                }
            }
        }
        let mut then: Vec<&Page> = chosen
            .into_iter()
            .filter(|c| !missing.iter().any(|m| std::ptr::eq(*m, *c)))
            .collect();
        missing.sort_by_key(order_key);
        then.sort_by_key(order_key);
        missing
            .into_iter()
            .chain(then)
            .map(|m| m.source.as_str())
            .collect()
    }

    #[test]
    fn recommendations_match_scoring_every_module() {
        // Skills the modules list: some past the 64 topics the bit sets hold
        // (the catalogue has 70), one outside the catalogue.
        const SKILLS: [u64; 6] = [0, 1, 2, 65, 66, 99];
        let entry = |id: String| crate::input::config::CatalogEntry {
            title: id.clone(),
            id,
            description: None,
        };
        let config = Config {
            skills: (0..70).map(|i| entry(format!("s{i}"))).collect(),
            workflows: (0..3).map(|i| entry(format!("w{i}"))).collect(),
            ..Config::default()
        };
        let mut store = ContentStore::default();
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for i in 0..60 {
            // Repeats, unknown ids and a module id shared by two sections.
            let skills: Vec<String> = (0..next(4))
                .map(|_| format!("s{}", SKILLS[next(6) as usize]))
                .collect();
            let workflows: Vec<String> = (0..next(3)).map(|_| format!("w{}", next(4))).collect();
            let source = format!("modules/{}/m{}.md", i % 2, i / 2 + i % 3);
            // Some without a level; some needing modules (that may need others).
            let level = [
                "",
                "level: nay-sayer\n",
                "level: experimenter\n",
                "level: practitioner\n",
            ][next(4) as usize];
            let needs: Vec<String> = (0..next(3)).map(|_| format!("m{}", next(32))).collect();
            let text = format!(
                "---\ntitle: M{i}\n{level}skills: [{}]\nworkflows: [{}]\nprerequisites: [{}]\n---\nBody.\n",
                skills.join(", "),
                workflows.join(", "),
                needs.join(", ")
            );
            let page = crate::input::content::parse_page(&source, text.into(), &Default::default())
                .expect("module parses");
            store.pages.insert(source, page);
        }
        // About a third of the modules are outside the learning order, which
        // runs against the store order.
        let mut order: Vec<&str> = store
            .modules()
            .map(|m| m.source.as_str())
            .filter(|_| next(3) > 0)
            .collect();
        order.reverse();
        let partner = crate::partners::metrics::parse(
            "p.yaml",
            concat!(
                "name: P\ntier: gold\nregion: EU\ntype: isv\nowner: O\npeople:\n",
                "  - id: a\n    role: r\n    completions:\n",
                "      - module: m3\n        date: 2025-01-01\n",
                "      - module: m7\n        date: 2025-01-01\n",
                "  - id: b\n    role: r\n    completions:\n",
                "      - module: m3\n        date: 2025-01-01\n",
                "  - id: c\n    role: r\n",
            )
            .into(),
            &Default::default(),
        )
        .expect("partner parses");
        let catalogue = ModuleCatalogue::new(&config, &store, &order);
        let ids = |prefix: &str, of: &[u64]| -> Vec<String> {
            of.iter().map(|i| format!("{prefix}{i}")).collect()
        };
        for _ in 0..300 {
            let weakest: Vec<u64> = (0..next(3)).map(|_| SKILLS[next(6) as usize]).collect();
            let open: Vec<u64> = (0..next(3)).map(|_| next(4)).collect();
            let (weakest, open) = (ids("s", &weakest), ids("w", &open));
            let typical = next(3) as usize;
            let fast: Vec<&str> = recommendations(&partner, &weakest, &open, typical, &catalogue)
                .iter()
                .map(|r| r.module.source.as_str())
                .collect();
            assert_eq!(
                fast,
                recommended_simply(
                    &partner,
                    (&weakest, &open, typical),
                    &config,
                    &store,
                    &order
                )
            );
        }
    }

    #[test]
    fn proficiency_score_weights_skill_breadth_and_embedding() {
        assert_eq!(proficiency_score(0.0, 0, 0), 0.0);
        assert_eq!(proficiency_score(4.0, 3, 2), 100.0);
        assert!((proficiency_score(2.0, 1, 1) - (30.0 + 20.0 / 3.0 + 10.0)).abs() < 1e-9);
    }

    #[test]
    fn the_typical_level_is_the_most_common_the_lower_on_a_tie() {
        assert_eq!(typical_level([0, 2, 2, 1].into_iter()), 2);
        assert_eq!(typical_level([1, 2, 2, 1].into_iter()), 1);
        assert_eq!(typical_level(std::iter::empty()), 0);
    }
}
