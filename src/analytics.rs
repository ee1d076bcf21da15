//! Proficiency and ROI analytics: pure functions from validated partner
//! records and the program assumptions in `site.toml` to the numbers the
//! scorecards and the executive summary show. Nothing here reads files or
//! formats text for pages; every formula is documented in `docs/metrics.md`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::config::{Config, LevelRules, Program};
use crate::content::{ContentStore, Page};
use crate::metrics::{KpiRecord, PartnerFile, Person, Quarter, WorkflowRecord, date};

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

/// A workflow counts as AI-embedded when AI is a permanent, documented step
/// with a quality standard and a measured time saving, from its `since`
/// quarter on.
pub fn is_embedded(workflow: &WorkflowRecord, quarter: Quarter) -> bool {
    let measured = matches!((workflow.minutes_before, workflow.minutes_after), (Some(before), Some(after)) if after < before);
    let started = workflow
        .since
        .as_deref()
        .and_then(Quarter::parse)
        .is_some_and(|since| since <= quarter);
    workflow.embedded && workflow.documented && workflow.quality_standard && measured && started
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

/// Applies the level rule at the end of `quarter`:
/// nay-sayer (lowest level) without AI use in `experimenter_min_ai_workflows`
/// workflows; practitioner (highest level) with AI in
/// `practitioner_min_embedded_workflows` embedded workflows and a mean skill
/// score of at least `practitioner_min_mean_score`; experimenter otherwise.
pub fn person_state(
    person: &Person,
    workflows: &[WorkflowRecord],
    quarter: Quarter,
    skills: &[String],
    rules: &LevelRules,
    level_count: usize,
) -> PersonState {
    let end = quarter.last_day();
    let ai_workflows: BTreeSet<String> = person
        .ai_use
        .iter()
        .filter(|u| date(&u.since).is_some_and(|d| d <= end))
        .map(|u| u.workflow.clone())
        .collect();
    let embedded_use = ai_workflows
        .iter()
        .filter(|id| {
            workflows
                .iter()
                .any(|w| &w.id == *id && is_embedded(w, quarter))
        })
        .count();
    let mean_score = person
        .assessments
        .iter()
        .filter_map(|a| date(&a.date).filter(|d| *d <= end).map(|d| (d, a)))
        .max_by_key(|(d, _)| *d)
        .map_or(0.0, |(_, a)| {
            mean(
                skills
                    .iter()
                    .map(|s| a.scores.get(s).copied().unwrap_or(0.0)),
            )
        });
    let top = level_count.saturating_sub(1);
    let level = if ai_workflows.len() < rules.experimenter_min_ai_workflows.max(1) {
        0
    } else if embedded_use >= rules.practitioner_min_embedded_workflows.max(1)
        && mean_score >= rules.practitioner_min_mean_score
    {
        top
    } else {
        1.min(top)
    };
    let score = proficiency_score(mean_score, ai_workflows.len(), embedded_use);
    PersonState {
        level,
        mean_score,
        ai_workflows,
        embedded_use,
        score,
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
    /// Stable id: `activity-without-instrumentation`, `event-based-enablement`
    /// or `literacy-without-capability`.
    pub id: &'static str,
    /// Display name.
    pub title: &'static str,
    /// The numbers that raised it, in a sentence.
    pub evidence: String,
}

/// The failure patterns of the product brief, each from the numbers:
/// - activity without instrumentation: at least half of the people use AI,
///   yet not one workflow they use it in is embedded (documented, with a
///   quality standard and a measured time saving);
/// - event-based enablement: at least 5 completions, 70% or more of them in
///   one quarter;
/// - literacy without capability: at least 2 completions per person but no
///   embedded workflow.
pub fn flags(partner: &PartnerFile, states: &[PersonState], quarter: Quarter) -> Vec<Flag> {
    let record = &partner.record;
    let headcount = record.people.len();
    let mut flags = Vec::new();
    if headcount == 0 {
        return flags;
    }
    let users = states.iter().filter(|s| !s.ai_workflows.is_empty()).count();
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
    for completion in record.people.iter().flat_map(|p| &p.completions) {
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

/// Modules to take next: those teaching one of the partner's two weakest
/// skills or one of its not-yet-embedded workflows, not already completed by
/// half or more of its people, most relevant first (up to five), then shown
/// in prerequisite order.
pub fn recommendations<'a>(
    partner: &PartnerFile,
    weakest_skills: &[String],
    open_workflows: &[String],
    store: &'a ContentStore,
    learning_position: &HashMap<&str, usize>,
) -> Vec<&'a Page> {
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
    let completed = |id: &str| completions.get(id).copied().unwrap_or(0);
    let mut candidates: Vec<(usize, usize, &Page)> = store
        .modules()
        .filter_map(|module| {
            let skills = module
                .front
                .skills
                .iter()
                .filter(|s| weakest_skills.contains(s))
                .count();
            let workflows = module
                .front
                .workflows
                .iter()
                .filter(|w| open_workflows.contains(w))
                .count();
            let relevance = skills + workflows;
            let position = learning_position
                .get(module.source.as_str())
                .copied()
                .unwrap_or(usize::MAX);
            (relevance > 0 && completed(&module.id) * 2 < people)
                .then_some((relevance, position, module))
        })
        .collect();
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    candidates.truncate(5);
    candidates.sort_by_key(|(_, position, _)| *position);
    candidates
        .into_iter()
        .map(|(_, _, module)| module)
        .collect()
}

/// The ROI of the program over the quarters after the baseline.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Roi {
    /// Hours saved by embedded workflows, summed over the period.
    pub hours_saved: f64,
    /// `hours_saved × hourly_cost`.
    pub time_value: f64,
    /// Σ (baseline cost to serve − quarter's cost to serve).
    pub cost_to_serve_reduction: f64,
    /// Σ (quarter's margin − baseline margin).
    pub margin_uplift: f64,
    /// `margin_uplift × margin_attribution`.
    pub attributed_margin: f64,
    /// Σ (quarter's revenue − baseline revenue): shown, never added to benefits.
    pub revenue_change: f64,
    /// `time_value + cost_to_serve_reduction + attributed_margin`.
    pub benefits: f64,
    /// The program's cost over the period (a partner's share by headcount).
    pub investment: f64,
    /// `(benefits − investment) / investment`; none without investment.
    pub roi: Option<f64>,
    /// Benefits in the latest quarter.
    pub latest_quarter_benefits: f64,
    /// `investment ÷ (latest quarter's benefits ÷ 3)`; none without investment
    /// or while the latest quarter's benefits are not positive.
    pub payback_months: Option<f64>,
    /// Number of quarters after the baseline.
    pub quarters: usize,
}

impl Roi {
    /// Fills in the derived figures from the summed components.
    pub fn finish(mut self) -> Roi {
        self.benefits = self.time_value + self.cost_to_serve_reduction + self.attributed_margin;
        self.roi =
            (self.investment > 0.0).then(|| (self.benefits - self.investment) / self.investment);
        self.payback_months = (self.investment > 0.0 && self.latest_quarter_benefits > 0.0)
            .then(|| self.investment / (self.latest_quarter_benefits / 3.0));
        self
    }

    /// Adds another ROI's components (for ecosystem totals).
    pub fn add(&mut self, other: &Roi) {
        self.hours_saved += other.hours_saved;
        self.time_value += other.time_value;
        self.cost_to_serve_reduction += other.cost_to_serve_reduction;
        self.margin_uplift += other.margin_uplift;
        self.attributed_margin += other.attributed_margin;
        self.revenue_change += other.revenue_change;
        self.investment += other.investment;
        self.latest_quarter_benefits += other.latest_quarter_benefits;
        self.quarters = self.quarters.max(other.quarters);
    }
}

/// A partner's ROI components over `period` (the quarters after `baseline`).
/// `investment_share` is the partner's share of the program cost, which
/// accrues every quarter of the period whether or not the partner reported
/// KPIs for it; KPI-based benefits need both the baseline and the quarter.
pub fn roi(
    partner: &PartnerFile,
    program: &Program,
    baseline: Quarter,
    period: &[Quarter],
    investment_share: f64,
) -> Roi {
    let kpis: BTreeMap<Quarter, &KpiRecord> = partner
        .record
        .kpis
        .iter()
        .filter_map(|k| Quarter::parse(&k.quarter).map(|q| (q, k)))
        .collect();
    let base = kpis.get(&baseline);
    let per_quarter =
        program.investment.licences_per_quarter + program.investment.enablement_per_quarter;
    let mut roi = Roi::default();
    let mut latest_benefits = 0.0;
    for quarter in period {
        let hours: f64 = partner
            .record
            .workflows
            .iter()
            .map(|w| hours_saved(w, *quarter))
            .sum();
        let time_value = hours * program.hourly_cost;
        let (cts, margin, revenue) = match (base, kpis.get(quarter)) {
            (Some(base), Some(record)) => (
                base.cost_to_serve - record.cost_to_serve,
                record.margin_contribution - base.margin_contribution,
                record.partner_sourced_revenue - base.partner_sourced_revenue,
            ),
            _ => (0.0, 0.0, 0.0),
        };
        roi.hours_saved += hours;
        roi.time_value += time_value;
        roi.cost_to_serve_reduction += cts;
        roi.margin_uplift += margin;
        roi.attributed_margin += margin * program.margin_attribution;
        roi.revenue_change += revenue;
        roi.investment += per_quarter * investment_share;
        roi.quarters += 1;
        latest_benefits = time_value + cts + margin * program.margin_attribution;
    }
    roi.latest_quarter_benefits = latest_benefits;
    roi.finish()
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

    #[test]
    fn proficiency_score_weights_skill_breadth_and_embedding() {
        assert_eq!(proficiency_score(0.0, 0, 0), 0.0);
        assert_eq!(proficiency_score(4.0, 3, 2), 100.0);
        assert!((proficiency_score(2.0, 1, 1) - (30.0 + 20.0 / 3.0 + 10.0)).abs() < 1e-9);
    }
}
