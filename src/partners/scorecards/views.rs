//! The views templates and exports see: each type here is serialised into a
//! page's inputs and, for most, into `/data/metrics.json`, so a field's
//! name is part of the theme and export contract (docs/templates.md,
//! docs/metrics.md). Also the builders of the views that a partner's
//! scorecard and the executive summary share (KPI series, the ROI with its
//! formulas).

use std::collections::BTreeMap;

use serde::Serialize;

use super::ViewInputs;
use crate::base::audience::Audience;
use crate::base::format::{format_currency, format_number};
use crate::base::quarter::Quarter;
use crate::input::config::Config;
use crate::partners::analytics::{self, Delta, KPIS, Kpi, Unit};
use crate::partners::health::{Health, Warning};
use crate::partners::metrics::{KpiRecord, PartnerFile, WorkflowRecord};
use crate::partners::roi::{PaybackStatus, Roi};
use crate::render::links::TermRef;

/// Count of people at one level.
#[derive(Debug, Clone, Serialize)]
pub struct LevelCount {
    /// Level id.
    pub id: String,
    /// Level name.
    pub title: String,
    /// Level page URL.
    pub url: String,
    /// People at this level.
    pub count: usize,
    /// Share of the headcount (0–1).
    pub share: f64,
}

/// The movement of the mean proficiency score between the baseline and the
/// latest quarter, over the people present in both: joiners and leavers
/// move no one's score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScoreMovement {
    /// People present in both quarters.
    pub people: usize,
    /// Their mean score at the baseline.
    pub from: f64,
    /// Their mean score at the latest quarter.
    pub to: f64,
}

/// A labelled row of counts, for stacked charts.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Quarter or partner.
    pub label: String,
    /// One value per series.
    pub values: Vec<f64>,
}

/// A labelled value, for bar and trend charts.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    /// Label.
    pub label: String,
    /// Value.
    pub value: f64,
    /// Comparison value (baseline), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<f64>,
}

/// A KPI series with its movements. Movements are only ever between
/// quarters with data: a quarter nobody reported is never stood in for by
/// another (docs/metrics.md, "Missing data").
#[derive(Debug, Clone, Serialize)]
pub struct KpiView {
    /// KPI key.
    pub id: &'static str,
    /// Display name.
    pub title: &'static str,
    /// Unit of the values.
    pub unit: Unit,
    /// Which way is better.
    pub higher_is_better: bool,
    /// Value per quarter with data, labelled with that quarter.
    pub points: Vec<Point>,
    /// Value in the baseline quarter; none without data for it.
    pub baseline: Option<f64>,
    /// Value in the latest quarter of the data; none without data for it.
    pub latest: Option<f64>,
    /// The quarter the movements are measured at: the latest with data.
    pub reported_quarter: Option<String>,
    /// Value in `reported_quarter`.
    pub reported: Option<f64>,
    /// The quarter `vs_previous` compares with: the one with data before
    /// `reported_quarter`.
    pub previous_quarter: Option<String>,
    /// Value in `previous_quarter`.
    pub previous: Option<f64>,
    /// `reported` against `baseline`.
    pub vs_baseline: Option<Delta>,
    /// `reported` against `previous`.
    pub vs_previous: Option<Delta>,
    /// Ecosystem KPIs only: how many partners each figure covers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partners: Option<KpiCoverage>,
}

/// How many partners an ecosystem KPI's figures cover: each movement is
/// over the partners that reported both of its quarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KpiCoverage {
    /// Partners shown.
    pub of: usize,
    /// Partners with the latest quarter (`latest`).
    pub latest: usize,
    /// Partners with the baseline quarter (`baseline`).
    pub baseline: usize,
    /// Partners with both the baseline and the latest quarter (`vs_baseline`).
    pub vs_baseline: usize,
    /// Partners with both the previous and the latest quarter (`vs_previous`).
    pub vs_previous: usize,
}

/// One benefit (or the revenue change) of the ROI, with its formula.
#[derive(Debug, Clone, Serialize)]
pub struct Component {
    /// Stable id.
    pub id: &'static str,
    /// Display name.
    pub title: &'static str,
    /// Amount over the period; none for a benefit from the KPIs when the
    /// partner has no KPIs for the baseline quarter to measure it from.
    pub value: Option<f64>,
    /// How it was computed, with the numbers written in.
    pub formula: String,
    /// False for the revenue change, which is shown but never added.
    pub added: bool,
}

/// ROI with its components spelled out.
#[derive(Debug, Clone, Serialize)]
pub struct RoiView {
    #[serde(flatten)]
    pub(super) roi: Roi,
    pub(super) components: Vec<Component>,
}

/// A partner's row in every listing.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerSummary {
    /// File name without `.yaml`.
    pub id: String,
    /// Company name.
    pub name: String,
    /// Scorecard URL.
    pub url: String,
    /// Tier.
    pub tier: crate::partners::metrics::Tier,
    /// Region.
    pub region: String,
    /// Kind of partner.
    #[serde(rename = "type")]
    pub partner_type: crate::partners::metrics::PartnerType,
    /// Responsible partner manager.
    pub owner: String,
    /// People in the program in the latest quarter.
    pub headcount: usize,
    /// People in the program in the baseline quarter.
    pub headcount_baseline: usize,
    /// Level mix in the latest quarter.
    pub levels: Vec<LevelCount>,
    /// Level mix in the baseline quarter.
    pub levels_baseline: Vec<LevelCount>,
    /// Mean proficiency score (0–100), latest.
    pub score: f64,
    /// Mean proficiency score of the people there at the baseline.
    pub score_baseline: Option<f64>,
    /// The score movement over the people present in both quarters.
    pub score_movement: Option<ScoreMovement>,
    /// `score_movement`'s `to − from`.
    pub score_change: Option<f64>,
    /// ROI ratio; none without investment or where the partner's cost is
    /// too small a share of the program cost for a ratio to mean something.
    pub roi: Option<f64>,
    /// Benefits over the period (base case).
    pub benefits: f64,
    /// The partner's cost over the period.
    pub investment: f64,
    /// Months until cumulative benefits repay cumulative cost.
    pub payback_months: Option<f64>,
    /// Whether it has paid back, not yet, or has no cost or data.
    pub payback: PaybackStatus,
    /// Hours saved in the latest quarter.
    pub hours_saved_latest: f64,
    /// Workflows that count as AI-embedded now.
    pub embedded_count: usize,
    /// Failure patterns found.
    pub flags: Vec<analytics::Flag>,
    /// The other warning signs: the rules besides the failure patterns that
    /// keep the partner off track (no embedded workflow, score down, KPIs
    /// worse or missing).
    pub warnings: Vec<Warning>,
    /// `flags` and `warnings` together: every warning sign the scorecard lists.
    pub warning_count: usize,
    /// Status at the latest quarter, with its reason.
    pub health: Health,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct SkillView {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) url: String,
    pub(super) latest: f64,
    pub(super) baseline: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct WorkflowView {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) url: String,
    pub(super) embedded: bool,
    pub(super) claimed_embedded: bool,
    pub(super) since: Option<String>,
    pub(super) documented: bool,
    pub(super) quality_standard: bool,
    pub(super) minutes_before: Option<f64>,
    pub(super) minutes_after: Option<f64>,
    pub(super) runs_per_quarter: f64,
    pub(super) hours_saved_latest: f64,
    pub(super) users: usize,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct PersonView {
    pub(super) id: String,
    pub(super) role: String,
    pub(super) level: TermRef,
    pub(super) score: f64,
    pub(super) mean_score: f64,
}

/// A recommended module and why.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    /// Module source key (`modules/x.md`).
    pub source: String,
    /// Why it is recommended.
    pub reasons: Vec<String>,
}

/// Everything a scorecard shows.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerView {
    #[serde(flatten)]
    /// The listing row.
    pub summary: PartnerSummary,
    /// Baseline quarter.
    pub baseline_quarter: String,
    /// Latest quarter.
    pub latest_quarter: String,
    pub(super) level_rows: Vec<Row>,
    pub(super) skills: Vec<SkillView>,
    pub(super) skill_bars: Vec<Point>,
    pub(super) weakest_skills: Vec<TermRef>,
    pub(super) workflows: Vec<WorkflowView>,
    pub(super) hours_bars: Vec<Point>,
    pub(super) hours_by_quarter: Vec<Point>,
    pub(super) kpis: Vec<KpiView>,
    /// Modules to take next, resolved to page summaries when rendering.
    #[serde(skip)]
    pub recommendations: Vec<Recommendation>,
    /// The ROI with its components; the summary's `roi` is the ratio alone.
    pub(super) roi_breakdown: RoiView,
    pub(super) people: Vec<PersonView>,
    /// The metrics file this view is built from (`partners/x.yaml`).
    #[serde(skip)]
    pub source: String,
}

/// A flag and the partners showing it.
#[derive(Debug, Clone, Serialize)]
pub(super) struct FlagCount {
    pub(super) id: &'static str,
    pub(super) title: &'static str,
    pub(super) count: usize,
    pub(super) partners: Vec<NameLink>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct NameLink {
    pub(super) name: String,
    pub(super) url: String,
}

/// One row of the executive summary's "which workflows pay" table: a
/// catalogue workflow across partners.
#[derive(Debug, Clone, Serialize)]
pub struct WorkflowPayoffRow {
    /// Catalogue id.
    pub id: String,
    /// Display name.
    pub title: String,
    /// Workflow page URL.
    pub url: String,
    /// Partners where it counts as AI-embedded at the latest quarter.
    pub partners_embedded: usize,
    /// People using AI in it at the latest quarter.
    pub people_using_ai: usize,
    /// Hours saved over the period.
    pub hours_saved: f64,
    /// `hours_saved × hourly_cost`.
    pub value: f64,
}

/// Adoption of one workflow across partners, for its workflow page.
#[derive(Debug, Clone, Serialize)]
pub struct Adoption {
    pub(super) embedded_partners: usize,
    pub(super) partners: usize,
    pub(super) users: usize,
    pub(super) rows: Vec<AdoptionRow>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct AdoptionRow {
    pub(super) name: String,
    pub(super) url: String,
    pub(super) embedded: bool,
    pub(super) since: Option<String>,
    pub(super) users: usize,
    pub(super) hours_saved_latest: f64,
}

/// Headline figures for the partner list.
#[derive(Debug, Clone, Serialize)]
pub struct ListSummary {
    pub(super) partners: usize,
    pub(super) headcount: usize,
    pub(super) score: f64,
    pub(super) score_change: Option<f64>,
    pub(super) roi: Option<f64>,
}

/// Headline figures for the home page.
#[derive(Debug, Clone, Serialize)]
pub struct HomeSummary {
    pub(super) partners: usize,
    pub(super) headcount: usize,
    /// Share of people at the highest level.
    pub(super) practitioner_share: f64,
    pub(super) roi: Option<f64>,
}

/// The program assumptions as templates and exports see them. A partner's
/// portal has no program-wide cost (licences, enablement): only the
/// per-person rate its own cost is worked out from, when `site.toml` sets one.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramView<'a> {
    currency: &'a str,
    hourly_cost: f64,
    kpi_attribution: f64,
    /// The same share under its older name.
    margin_attribution: f64,
    time_realisation: f64,
    risk: crate::input::config::Risk,
    #[serde(skip_serializing_if = "Option::is_none")]
    discount_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    licences_per_quarter: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    enablement_per_quarter: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    per_person_per_quarter: Option<f64>,
    baseline_quarter: Option<&'a str>,
    show_people: bool,
}

impl<'a> ProgramView<'a> {
    /// The assumptions of `config` that `audience` may see.
    pub fn new(config: &'a Config, audience: &Audience) -> Self {
        let program = &config.program;
        let investment = &program.investment;
        let (licences, enablement, per_person) = match audience {
            Audience::Internal => (
                Some(investment.licences_per_quarter),
                Some(investment.enablement_per_quarter),
                None,
            ),
            Audience::Partner(_) => (None, None, investment.per_person_per_quarter),
        };
        ProgramView {
            currency: &program.currency,
            hourly_cost: program.hourly_cost,
            kpi_attribution: program.kpi_attribution,
            margin_attribution: program.kpi_attribution,
            time_realisation: program.time_realisation,
            risk: program.risk,
            discount_rate: program.discount_rate,
            licences_per_quarter: licences,
            enablement_per_quarter: enablement,
            per_person_per_quarter: per_person,
            baseline_quarter: program.baseline_quarter.as_deref(),
            show_people: program.show_people,
        }
    }
}

/// Hours `workflows` saved in each of `quarters`: the trend a scorecard and
/// the executive summary chart.
pub(super) fn hours_by_quarter(quarters: &[Quarter], workflows: &[&WorkflowRecord]) -> Vec<Point> {
    quarters
        .iter()
        .map(|q| Point {
            label: q.to_string(),
            value: workflows
                .iter()
                .map(|w| analytics::hours_saved(w, *q))
                .sum(),
            compare: None,
        })
        .collect()
}

/// One partner's KPI series. Its movements are measured at the latest quarter
/// it reported, against the baseline and the quarter it reported before, each
/// labelled with its own quarter; the latest quarter of the data has no value
/// when the partner did not report it.
pub(super) fn partner_kpi_views(inputs: &ViewInputs, partner: &PartnerFile) -> Vec<KpiView> {
    let records = analytics::kpi_records(partner);
    let reported: Vec<Quarter> = inputs
        .quarters
        .iter()
        .copied()
        .filter(|q| records.contains_key(q))
        .collect();
    let last = reported.last().copied();
    let before = reported.len().checked_sub(2).map(|i| reported[i]);
    KPIS.iter()
        .map(|kpi| {
            let value = |q: Option<Quarter>| q.and_then(|q| records.get(&q)).map(|r| kpi.value(r));
            let points = reported
                .iter()
                .map(|q| Point {
                    label: q.to_string(),
                    value: kpi.value(records[q]),
                    compare: None,
                })
                .collect();
            let (baseline, at) = (value(Some(inputs.baseline)), value(last));
            let previous = value(before);
            KpiView {
                id: kpi.id,
                title: kpi.title,
                unit: kpi.unit,
                higher_is_better: kpi.higher_is_better,
                points,
                baseline,
                latest: value(Some(inputs.latest)),
                reported_quarter: last.map(|q| q.to_string()),
                reported: at,
                previous_quarter: before.map(|q| q.to_string()),
                previous,
                vs_baseline: movement(kpi, baseline, at),
                vs_previous: movement(kpi, previous, at),
                partners: None,
            }
        })
        .collect()
}

fn movement(kpi: &Kpi, from: Option<f64>, to: Option<f64>) -> Option<Delta> {
    from.zip(to)
        .map(|(f, t)| analytics::delta(f, t, kpi.higher_is_better))
}

/// The ecosystem's KPI series: each quarter's figure over the partners that
/// reported it, each movement over the partners that reported both of its
/// quarters (like for like), with how many partners each covers.
pub(super) fn ecosystem_kpi_views(inputs: &ViewInputs, partners: &[PartnerFile]) -> Vec<KpiView> {
    let records: Vec<BTreeMap<Quarter, &KpiRecord>> =
        partners.iter().map(analytics::kpi_records).collect();
    let previous = inputs
        .quarters
        .len()
        .checked_sub(2)
        .map(|i| inputs.quarters[i]);
    let (baseline, latest) = (inputs.baseline, inputs.latest);
    KPIS.iter()
        .map(|kpi| {
            // A quarter's figure over the partners that reported it, and how many they are.
            let figure = |q: Quarter| {
                let values = analytics::reported_in(kpi, &records, &[q]).remove(0);
                let value = (!values.is_empty()).then(|| analytics::combine(kpi, &values));
                (value, values.len())
            };
            let points = inputs
                .quarters
                .iter()
                .filter_map(|q| {
                    figure(*q).0.map(|value| Point {
                        label: q.to_string(),
                        value,
                        compare: None,
                    })
                })
                .collect();
            let (baseline_value, baseline_count) = figure(baseline);
            let (latest_value, latest_count) = figure(latest);
            let (vs_baseline, with_baseline) =
                analytics::like_for_like(kpi, &records, baseline, latest);
            let (vs_previous, with_previous) = previous.map_or((None, 0), |previous| {
                analytics::like_for_like(kpi, &records, previous, latest)
            });
            KpiView {
                id: kpi.id,
                title: kpi.title,
                unit: kpi.unit,
                higher_is_better: kpi.higher_is_better,
                points,
                baseline: baseline_value,
                latest: latest_value,
                reported_quarter: latest_value.map(|_| latest.to_string()),
                reported: latest_value,
                previous_quarter: previous.map(|q| q.to_string()),
                previous: previous.and_then(|q| figure(q).0),
                vs_baseline,
                vs_previous,
                partners: Some(KpiCoverage {
                    of: partners.len(),
                    latest: latest_count,
                    baseline: baseline_count,
                    vs_baseline: with_baseline,
                    vs_previous: with_previous,
                }),
            }
        })
        .collect()
}

/// The ROI with its components spelled out. `baseline` is the baseline
/// quarter when no KPIs are recorded for it (a partner that started
/// reporting later): the benefits measured from the baseline KPIs are then
/// "no baseline", not 0.
pub(super) fn roi_view(config: &Config, roi: Roi, no_baseline: Option<Quarter>) -> RoiView {
    let program = &config.program;
    let money = |v: f64| format_currency(v, &program.currency, 0);
    let share = |v: f64| format!("{}%", format_number(v * 100.0, 0));
    let quarters = format!(
        "{} quarter{}",
        roi.quarters,
        if roi.quarters == 1 { "" } else { "s" }
    );
    let attribution = share(program.kpi_attribution);
    let from = roi
        .attributed_from
        .as_ref()
        .map_or_else(String::new, |q| format!(" from {q}"));
    let (netted_cts, netted_margin) = if roi.compared {
        (
            " − comparison group's reduction",
            " net of the comparison group",
        )
    } else {
        ("", "")
    };
    let from_kpis = |value: f64| no_baseline.is_none().then_some(value);
    let kpi_formula = |formula: String| match no_baseline {
        Some(quarter) => format!("no baseline: no KPIs recorded for {quarter}"),
        None => formula,
    };
    let components = vec![
        Component {
            id: "time_value",
            title: "Value of hours saved",
            value: Some(roi.time_value),
            formula: format!(
                "{} h saved × {}/h loaded cost × {} realisation",
                format_number(roi.hours_saved, 0),
                money(program.hourly_cost),
                share(program.time_realisation)
            ),
            added: true,
        },
        Component {
            id: "cost_to_serve_reduction",
            title: "Cost-to-serve reduction",
            value: from_kpis(roi.cost_to_serve_reduction),
            formula: kpi_formula(format!(
                "Σ (baseline − quarter's cost to serve{netted_cts}){from} × {attribution} attribution"
            )),
            added: true,
        },
        Component {
            id: "attributed_margin",
            title: "Attributed margin uplift",
            value: from_kpis(roi.attributed_margin),
            formula: kpi_formula(format!(
                "{} margin uplift{netted_margin}{from} × {attribution} attribution",
                money(roi.margin_uplift),
            )),
            added: true,
        },
        Component {
            id: "revenue_change",
            title: "Partner-sourced revenue change",
            value: from_kpis(roi.revenue_change),
            formula: kpi_formula(format!(
                "Σ (quarter's revenue − baseline revenue) over {quarters}; not added, margin already carries it"
            )),
            added: false,
        },
    ];
    RoiView { roi, components }
}
