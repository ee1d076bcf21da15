//! The executive summary: the figures that add up every partner (levels,
//! hours saved, KPIs, the ROI with its concentration and the comparison
//! group, which workflows pay), the partners ranked by their movement, the
//! failure patterns found and the facts its sentences are written from.
//! Internal builds only, since every figure aggregates all partners.

use std::collections::BTreeMap;

use serde::Serialize;

use super::narrative::NarrativeFacts;
use super::views::{
    FlagCount, KpiView, LevelCount, NameLink, PartnerView, Point, RoiView, Row, ScoreMovement,
    WorkflowPayoffRow, ecosystem_kpi_views, roi_view,
};
use super::{Standings, ViewInputs, mean_score, score_movement};
use crate::partners::analytics::Standing;
use crate::partners::health::Status;
use crate::partners::metrics::PartnerFile;
use crate::partners::roi::{self, GroupChange, Roi};
use crate::partners::workflows::{self, PartnerUse};

/// The executive summary. Its lists of partners are kept as places among
/// the ecosystem's partners: templates and the exports take each partner's
/// summary from values prepared once per partner.
#[derive(Debug, Clone)]
pub struct ExecutiveView {
    pub(super) figures: ExecutiveFigures,
    /// Every partner by `score_change`, largest first.
    ranked: Vec<usize>,
    /// How many partners each end of `ranked` shows as movers.
    movers: usize,
    flag_counts: Vec<FlagCount>,
    /// What the summary's sentences say, for templates to word.
    narrative: NarrativeFacts,
    /// Those sentences in the default wording, as `metrics.json` holds them.
    sentences: Vec<String>,
}

/// The executive summary's own figures, before its lists of partners.
#[derive(Debug, Clone, Serialize)]
pub(super) struct ExecutiveFigures {
    pub(super) baseline_quarter: String,
    pub(super) latest_quarter: String,
    pub(super) partners: usize,
    pub(super) headcount: usize,
    /// People in the program at the baseline.
    pub(super) headcount_baseline: usize,
    pub(super) level_rows: Vec<Row>,
    pub(super) levels: Vec<LevelCount>,
    pub(super) levels_baseline: Vec<LevelCount>,
    /// Share of people at the highest level, whatever it is called (the
    /// name is kept from the default three levels).
    pub(super) practitioner_share: f64,
    pub(super) practitioner_share_baseline: f64,
    pub(super) score: f64,
    /// The score movement over the people present at the baseline and now.
    pub(super) score_movement: Option<ScoreMovement>,
    pub(super) score_change: Option<f64>,
    pub(super) hours_by_quarter: Vec<Point>,
    pub(super) kpis: Vec<KpiView>,
    /// Partners without KPIs for the latest quarter, by name: no KPI figure
    /// of that quarter includes them.
    pub(super) missing_latest: Vec<NameLink>,
    pub(super) roi: RoiView,
    /// Each catalogue workflow across partners, most hours saved first.
    pub(super) workflows: Vec<WorkflowPayoffRow>,
    pub(super) concentration: Concentration,
    /// Embedders against the comparison group, at the latest quarter; none
    /// when every partner has an embedded workflow.
    pub(super) groups: Option<Groups>,
    /// How many partners have each health status, best first.
    pub(super) health: Vec<HealthCount>,
    /// Partners with at least one warning sign.
    pub(super) partners_warned: usize,
    /// Every partner's benefits less its cost, largest first: the
    /// distribution behind the ecosystem's ROI.
    pub(super) net_benefits: Vec<Point>,
}

/// Partners with one health status.
#[derive(Debug, Clone, Serialize)]
pub(super) struct HealthCount {
    pub(super) status: Status,
    pub(super) title: &'static str,
    pub(super) count: usize,
}

/// How much of the result rests on one partner.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Concentration {
    /// The partner with the largest benefits.
    pub(super) top: Option<NameLink>,
    /// Its share of the ecosystem's benefits; none unless those are positive.
    pub(super) top_share: Option<f64>,
    /// The ecosystem's ROI without it; none without the others' cost.
    pub(super) roi_without_top: Option<f64>,
    /// Partners whose benefits are below their cost.
    pub(super) below_zero: usize,
    pub(super) partners: usize,
}

/// Both groups' mean relative KPI change at the latest quarter, like for like.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Groups {
    pub(super) quarter: String,
    /// Partners with an embedded workflow by then.
    pub(super) embedders: GroupChange,
    pub(super) embedder_partners: usize,
    /// Partners with no embedded workflow at all.
    pub(super) comparison: GroupChange,
    pub(super) comparison_partners: usize,
}

/// The executive summary as templates and the exports see it: its figures
/// and lists, with each partner summary given as `R`, a value prepared once
/// per partner.
#[derive(Serialize)]
pub struct ExecutivePage<'a, R: Serialize> {
    #[serde(flatten)]
    figures: &'a ExecutiveFigures,
    movers_top: Vec<&'a R>,
    movers_bottom: Vec<&'a R>,
    ranked: Vec<&'a R>,
    flag_counts: &'a [FlagCount],
    narrative: &'a [String],
    /// The facts the sentences are written from; templates only, since
    /// `metrics.json` keeps its layout.
    #[serde(skip_serializing_if = "Option::is_none")]
    narrative_facts: Option<&'a NarrativeFacts>,
}

impl ExecutiveView {
    /// The page values, from `rows`: one value per ecosystem partner, in
    /// order, each standing for its summary.
    pub fn page<'a, R: Serialize>(&'a self, rows: &'a [R]) -> ExecutivePage<'a, R> {
        ExecutivePage {
            narrative_facts: Some(&self.narrative),
            ..self.data(rows)
        }
    }

    /// The values `metrics.json` holds: the page's, without the facts of
    /// its sentences.
    pub(super) fn data<'a, R: Serialize>(&'a self, rows: &'a [R]) -> ExecutivePage<'a, R> {
        let ranked: Vec<&R> = self.ranked.iter().filter_map(|at| rows.get(*at)).collect();
        ExecutivePage {
            figures: &self.figures,
            movers_top: ranked.iter().take(self.movers).copied().collect(),
            movers_bottom: ranked.iter().rev().take(self.movers).copied().collect(),
            ranked,
            flag_counts: &self.flag_counts,
            narrative: &self.sentences,
            narrative_facts: None,
        }
    }
}

/// The executive summary of the partners shown, each with its `standings`
/// (in file order) and its view.
pub(super) fn executive(
    inputs: &ViewInputs,
    partners: &[PartnerFile],
    standings: &[Standings],
    views: &[PartnerView],
) -> ExecutiveView {
    // Everyone present, in partner order, as the figures have always been summed.
    let everyone = |of: &dyn Fn(&Standings) -> &[Option<Standing>]| -> Vec<Standing> {
        standings.iter().flat_map(of).flatten().copied().collect()
    };
    let latest = everyone(&|s| s.latest());
    let at_baseline = everyone(&|s| &s.baseline);
    let stayers: Vec<(Standing, Standing)> =
        standings.iter().flat_map(Standings::stayers).collect();
    let score_movement = score_movement(&stayers);
    let levels = inputs.levels(&latest);
    let levels_baseline = inputs.levels(&at_baseline);
    let top_share = |levels: &[LevelCount]| levels.last().map_or(0.0, |l| l.share);
    let level_rows = inputs
        .quarters
        .iter()
        .enumerate()
        .map(|(i, q)| inputs.level_row(*q, &everyone(&|s| &s.by_quarter[i])))
        .collect();
    let every_workflow: Vec<_> = partners.iter().flat_map(|p| &p.record.workflows).collect();
    let hours_by_quarter = super::views::hours_by_quarter(&inputs.quarters, &every_workflow);
    let mut roi = Roi::default();
    for view in views {
        roi.add(&view.roi_breakdown.roi);
    }
    let roi = roi.finish(&inputs.config.program);
    let concentration = concentration(views, &roi);
    let groups = groups(inputs, partners);
    let mut ranked: Vec<usize> = (0..views.len()).collect();
    ranked.sort_by(|a, b| {
        let (a, b) = (&views[*a].summary, &views[*b].summary);
        b.score_change
            .unwrap_or(f64::MIN)
            .total_cmp(&a.score_change.unwrap_or(f64::MIN))
            .then(a.name.cmp(&b.name))
    });
    let movers = 3.min(ranked.len() / 2);
    let flag_counts = flag_counts(views);
    let score = mean_score(&latest);
    let figures = ExecutiveFigures {
        baseline_quarter: inputs.baseline.to_string(),
        latest_quarter: inputs.latest.to_string(),
        partners: partners.len(),
        headcount: latest.len(),
        headcount_baseline: at_baseline.len(),
        level_rows,
        practitioner_share: top_share(&levels),
        practitioner_share_baseline: top_share(&levels_baseline),
        levels,
        levels_baseline,
        score,
        score_movement,
        score_change: score_movement.map(|m| m.to - m.from),
        hours_by_quarter,
        kpis: ecosystem_kpi_views(inputs, partners),
        missing_latest: missing_latest(views),
        roi: roi_view(inputs.config, roi, None),
        workflows: workflow_payoff(inputs, partners, views),
        concentration,
        groups,
        health: Status::ALL
            .iter()
            .map(|status| HealthCount {
                status: *status,
                title: status.title(),
                count: views
                    .iter()
                    .filter(|v| v.summary.health.status == *status)
                    .count(),
            })
            .collect(),
        partners_warned: views.iter().filter(|v| v.summary.warning_count > 0).count(),
        net_benefits: net_benefits(views),
    };
    let narrative = NarrativeFacts::new(inputs.config, &figures, &ranked, &flag_counts, views);
    ExecutiveView {
        sentences: narrative.sentences(),
        narrative,
        figures,
        ranked,
        movers,
        flag_counts,
    }
}

/// Which workflows pay: each catalogue workflow across `partners`, with the
/// people using AI in it as each partner's scorecard counts them.
fn workflow_payoff(
    inputs: &ViewInputs,
    partners: &[PartnerFile],
    views: &[PartnerView],
) -> Vec<WorkflowPayoffRow> {
    let period = inputs.period();
    let view_of: BTreeMap<&str, &PartnerView> =
        views.iter().map(|v| (v.summary.id.as_str(), v)).collect();
    let rows = inputs
        .config
        .workflows
        .iter()
        .map(|entry| {
            let uses = partners.iter().map(|partner| PartnerUse {
                record: partner.record.workflows.iter().find(|w| w.id == entry.id),
                users: view_of
                    .get(partner.id.as_str())
                    .and_then(|v| v.workflows.iter().find(|w| w.id == entry.id))
                    .map_or(0, |w| w.users),
            });
            workflows::payoff(
                &entry.id,
                uses,
                &period,
                inputs.latest,
                inputs.config.program.hourly_cost * inputs.config.program.time_realisation,
            )
        })
        .collect();
    workflows::by_hours_saved(rows)
        .into_iter()
        .filter_map(|row| {
            let entry = inputs.config.workflows.iter().find(|e| e.id == row.id)?;
            let reference = inputs.catalog_ref("workflows", entry);
            Some(WorkflowPayoffRow {
                id: row.id,
                title: reference.link.title,
                url: reference.link.url,
                partners_embedded: row.partners_embedded,
                people_using_ai: row.people_using_ai,
                hours_saved: row.hours_saved,
                value: row.value,
            })
        })
        .collect()
}

/// The partners (views, by name) without KPIs for the latest quarter.
fn missing_latest(views: &[PartnerView]) -> Vec<NameLink> {
    views
        .iter()
        .filter(|view| view.kpis.iter().all(|k| k.latest.is_none()))
        .map(|view| NameLink {
            name: view.summary.name.clone(),
            url: view.summary.url.clone(),
        })
        .collect()
}

/// Each failure pattern shown, with the partners showing it.
fn flag_counts(views: &[PartnerView]) -> Vec<FlagCount> {
    let mut counts: BTreeMap<&'static str, FlagCount> = BTreeMap::new();
    for view in views {
        for flag in &view.summary.flags {
            let entry = counts.entry(flag.id).or_insert_with(|| FlagCount {
                id: flag.id,
                title: flag.title,
                count: 0,
                partners: Vec::new(),
            });
            entry.count += 1;
            entry.partners.push(NameLink {
                name: view.summary.name.clone(),
                url: view.summary.url.clone(),
            });
        }
    }
    counts.into_values().collect()
}

/// Each partner's benefits less its cost, largest first (then by name).
fn net_benefits(views: &[PartnerView]) -> Vec<Point> {
    let mut bars: Vec<Point> = views
        .iter()
        .map(|v| Point {
            label: v.summary.name.clone(),
            value: of(v).benefits - of(v).investment,
            compare: None,
        })
        .collect();
    bars.sort_by(|a, b| b.value.total_cmp(&a.value).then(a.label.cmp(&b.label)));
    bars
}

fn of(view: &PartnerView) -> &Roi {
    &view.roi_breakdown.roi
}

/// The top partner's share of the benefits, the ROI without it and how many
/// partners are below zero.
fn concentration(views: &[PartnerView], total: &Roi) -> Concentration {
    let top = views
        .iter()
        .max_by(|a, b| of(a).benefits.total_cmp(&of(b).benefits));
    let rest_cost = top.map_or(0.0, |t| total.investment - of(t).investment);
    Concentration {
        top_share: top
            .filter(|_| total.benefits > 0.0)
            .map(|t| of(t).benefits / total.benefits),
        roi_without_top: top
            .filter(|_| rest_cost > 0.0)
            .map(|t| (total.benefits - of(t).benefits - rest_cost) / rest_cost),
        top: top.map(|t| NameLink {
            name: t.summary.name.clone(),
            url: t.summary.url.clone(),
        }),
        below_zero: views
            .iter()
            .filter(|v| of(v).benefits < of(v).investment)
            .count(),
        partners: views.len(),
    }
}

/// The embedders' and the comparison group's KPI change at the latest quarter.
fn groups(inputs: &ViewInputs, partners: &[PartnerFile]) -> Option<Groups> {
    let comparison = inputs.comparison.by_quarter.get(&inputs.latest)?;
    let embedders: Vec<&PartnerFile> = partners
        .iter()
        .filter(|p| roi::first_embedded(p).is_some_and(|q| q <= inputs.latest))
        .collect();
    Some(Groups {
        quarter: inputs.latest.to_string(),
        embedders: roi::group_change(embedders.iter().copied(), inputs.baseline, inputs.latest),
        embedder_partners: embedders.len(),
        comparison: *comparison,
        comparison_partners: inputs.comparison.partners,
    })
}
