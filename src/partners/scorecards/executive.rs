//! The executive summary: the figures that add up every partner (levels,
//! hours saved, KPIs, the ROI), the partners ranked by their movement, the
//! failure patterns found and the facts its sentences are written from.
//! Internal builds only, since every figure aggregates all partners.

use std::collections::BTreeMap;

use serde::Serialize;

use super::narrative::NarrativeFacts;
use super::views::{
    FlagCount, KpiView, LevelCount, NameLink, PartnerView, Point, RoiView, Row, ScoreMovement,
    ecosystem_kpi_views, roi_view,
};
use super::{Standings, ViewInputs, mean_score, score_movement};
use crate::partners::analytics::{Roi, Standing};
use crate::partners::metrics::PartnerFile;

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
    let roi = roi.finish();
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
