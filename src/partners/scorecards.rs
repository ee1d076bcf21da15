//! Partner scorecards and the executive summary: joins the partner metrics to
//! the program assumptions and the content, through [`crate::partners::analytics`], into
//! the views the partner list, each scorecard, the executive report and the
//! workflow pages show, plus the machine-readable exports (`/data/*.json`,
//! `/data/*.csv`). People appear only in aggregate unless `show_people` is on.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use rayon::prelude::*;

use crate::base::format::{format_currency, format_number};
use crate::base::quarter::Quarter;
use crate::input::config::{CatalogEntry, Config};
use crate::input::content::{ContentStore, Page};
use crate::partners::analytics::{
    self, Delta, KPIS, Kpi, PersonState, PersonTimeline, Roi, Standing, Unit,
};
use crate::partners::metrics::{Assessment, KpiRecord, PartnerFile};

pub mod exports;

use exports::PartnerExport;

/// A mean skill score (0–4) at or above which a skill is not called weak.
const STRONG_SKILL: f64 = 3.5;

/// Version of the `/data/metrics.json` layout; bumped on any breaking change.
pub const SCHEMA_VERSION: u32 = 1;

/// A reference to a catalogue entry.
#[derive(Debug, Clone, Serialize)]
pub struct Ref {
    /// Id.
    pub id: String,
    /// Display name.
    pub title: String,
    /// URL with the base path.
    pub url: String,
}

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

/// A KPI series with its movements.
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
    /// Value per quarter.
    pub points: Vec<Point>,
    /// Value in the baseline quarter.
    pub baseline: Option<f64>,
    /// Value in the latest quarter.
    pub latest: Option<f64>,
    /// Value in the quarter before the latest.
    pub previous: Option<f64>,
    /// Latest against baseline.
    pub vs_baseline: Option<Delta>,
    /// Latest against previous.
    pub vs_previous: Option<Delta>,
}

/// One benefit (or the revenue change) of the ROI, with its formula.
#[derive(Debug, Clone, Serialize)]
pub struct Component {
    /// Stable id.
    pub id: &'static str,
    /// Display name.
    pub title: &'static str,
    /// Amount over the period.
    pub value: f64,
    /// How it was computed, with the numbers written in.
    pub formula: String,
    /// False for the revenue change, which is shown but never added.
    pub added: bool,
}

/// ROI with its components spelled out.
#[derive(Debug, Clone, Serialize)]
pub struct RoiView {
    #[serde(flatten)]
    roi: Roi,
    components: Vec<Component>,
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
    /// People in the program.
    pub headcount: usize,
    /// Level mix in the latest quarter.
    pub levels: Vec<LevelCount>,
    /// Level mix in the baseline quarter.
    pub levels_baseline: Vec<LevelCount>,
    /// Mean proficiency score (0–100), latest.
    pub score: f64,
    /// Mean proficiency score at the baseline.
    pub score_baseline: Option<f64>,
    /// `score - score_baseline`.
    pub score_change: Option<f64>,
    /// ROI ratio.
    pub roi: Option<f64>,
    /// Months to pay back.
    pub payback_months: Option<f64>,
    /// Hours saved in the latest quarter.
    pub hours_saved_latest: f64,
    /// Workflows that count as AI-embedded now.
    pub embedded_count: usize,
    /// Failure patterns found.
    pub flags: Vec<analytics::Flag>,
}

#[derive(Debug, Clone, Serialize)]
struct SkillView {
    id: String,
    title: String,
    url: String,
    latest: f64,
    baseline: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
struct WorkflowView {
    id: String,
    title: String,
    url: String,
    embedded: bool,
    claimed_embedded: bool,
    since: Option<String>,
    documented: bool,
    quality_standard: bool,
    minutes_before: Option<f64>,
    minutes_after: Option<f64>,
    runs_per_quarter: f64,
    hours_saved_latest: f64,
    users: usize,
}

#[derive(Debug, Clone, Serialize)]
struct PersonView {
    id: String,
    role: String,
    level: Ref,
    score: f64,
    mean_score: f64,
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
    level_rows: Vec<Row>,
    skills: Vec<SkillView>,
    skill_bars: Vec<Point>,
    weakest_skills: Vec<Ref>,
    workflows: Vec<WorkflowView>,
    hours_bars: Vec<Point>,
    hours_by_quarter: Vec<Point>,
    kpis: Vec<KpiView>,
    /// Modules to take next, resolved to page summaries when rendering.
    #[serde(skip)]
    pub recommendations: Vec<Recommendation>,
    /// The ROI with its components; the summary's `roi` is the ratio alone.
    roi_breakdown: RoiView,
    people: Vec<PersonView>,
    /// The metrics file this view is built from (`partners/x.yaml`).
    #[serde(skip)]
    pub source: String,
}

/// A flag and the partners showing it.
#[derive(Debug, Clone, Serialize)]
struct FlagCount {
    id: &'static str,
    title: &'static str,
    count: usize,
    partners: Vec<NameLink>,
}

#[derive(Debug, Clone, Serialize)]
struct NameLink {
    name: String,
    url: String,
}

/// The executive summary. Its lists of partners are kept as places among
/// the ecosystem's partners: templates and the exports take each partner's
/// summary from values prepared once per partner.
#[derive(Debug, Clone)]
pub struct ExecutiveView {
    figures: ExecutiveFigures,
    /// Every partner by `score_change`, largest first.
    ranked: Vec<usize>,
    /// How many partners each end of `ranked` shows as movers.
    movers: usize,
    flag_counts: Vec<FlagCount>,
    narrative: Vec<String>,
}

/// The executive summary's own figures, before its lists of partners.
#[derive(Debug, Clone, Serialize)]
struct ExecutiveFigures {
    baseline_quarter: String,
    latest_quarter: String,
    partners: usize,
    headcount: usize,
    level_rows: Vec<Row>,
    levels: Vec<LevelCount>,
    levels_baseline: Vec<LevelCount>,
    practitioner_share: f64,
    practitioner_share_baseline: f64,
    score: f64,
    score_change: Option<f64>,
    hours_by_quarter: Vec<Point>,
    kpis: Vec<KpiView>,
    roi: RoiView,
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
}

impl ExecutiveView {
    /// The page values, from `rows`: one value per ecosystem partner, in
    /// order, each standing for its summary.
    pub fn page<'a, R: Serialize>(&'a self, rows: &'a [R]) -> ExecutivePage<'a, R> {
        let ranked: Vec<&R> = self.ranked.iter().filter_map(|at| rows.get(*at)).collect();
        ExecutivePage {
            figures: &self.figures,
            movers_top: ranked.iter().take(self.movers).copied().collect(),
            movers_bottom: ranked.iter().rev().take(self.movers).copied().collect(),
            ranked,
            flag_counts: &self.flag_counts,
            narrative: &self.narrative,
        }
    }
}

/// Adoption of one workflow across partners, for its workflow page.
#[derive(Debug, Clone, Serialize)]
pub struct Adoption {
    embedded_partners: usize,
    partners: usize,
    users: usize,
    rows: Vec<AdoptionRow>,
}

#[derive(Debug, Clone, Serialize)]
struct AdoptionRow {
    name: String,
    url: String,
    embedded: bool,
    since: Option<String>,
    users: usize,
    hours_saved_latest: f64,
}

/// Who a build is for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Audience {
    /// Everything: every scorecard, the partner list, the executive summary.
    #[default]
    Internal,
    /// What one partner may receive: all modules and its own scorecard, and
    /// no trace of any other partner: every figure is worked out from its
    /// own file alone.
    Partner(String),
}

impl Audience {
    /// Parses `internal` or `partner:<id>`.
    pub fn parse(text: &str) -> Option<Audience> {
        match text.split_once(':') {
            None if text == "internal" => Some(Audience::Internal),
            Some(("partner", id)) if !id.is_empty() => Some(Audience::Partner(id.to_string())),
            _ => None,
        }
    }
}

/// Everything computed from the partner data that the audience may see.
#[derive(Debug, Clone)]
pub struct Ecosystem {
    /// One view per partner shown, sorted by name.
    pub partners: Vec<PartnerView>,
    /// The executive summary; internal builds only, since every figure in it
    /// aggregates all partners.
    pub report: Option<ExecutiveView>,
    /// Workflow id → adoption across the partners shown.
    pub adoption: BTreeMap<String, Adoption>,
    /// Baseline quarter.
    pub baseline_quarter: String,
    /// Latest quarter.
    pub latest_quarter: String,
    /// Who the figures are for.
    pub audience: Audience,
}

/// One ordering of the partner list, published as its own page.
pub struct Ordering {
    /// Stable id.
    pub id: &'static str,
    /// What it is ordered by.
    pub title: &'static str,
    /// URL path of the page.
    pub path: &'static str,
    /// The partners in this order, as places among the ecosystem's partners.
    pub partners: Vec<usize>,
}

/// The partner list by name, by score, by movement since baseline and by ROI
/// (partners without a figure last, then by name).
pub fn orderings(ecosystem: &Ecosystem) -> Vec<Ordering> {
    let summary = |at: usize| &ecosystem.partners[at].summary;
    let by_name: Vec<usize> = (0..ecosystem.partners.len()).collect();
    let sorted = |key: fn(&PartnerSummary) -> Option<f64>| {
        let mut list = by_name.clone();
        list.sort_by(|a, b| {
            let (a, b) = (summary(*a), summary(*b));
            let (ka, kb) = (
                key(a).unwrap_or(f64::NEG_INFINITY),
                key(b).unwrap_or(f64::NEG_INFINITY),
            );
            kb.total_cmp(&ka).then(a.name.cmp(&b.name))
        });
        list
    };
    vec![
        Ordering {
            id: "name",
            title: "Name",
            path: "/partners/",
            partners: by_name.clone(),
        },
        Ordering {
            id: "score",
            title: "Proficiency score",
            path: "/partners/by-score/",
            partners: sorted(|p| Some(p.score)),
        },
        Ordering {
            id: "movement",
            title: "Movement since baseline",
            path: "/partners/by-movement/",
            partners: sorted(|p| p.score_change),
        },
        Ordering {
            id: "roi",
            title: "ROI",
            path: "/partners/by-roi/",
            partners: sorted(|p| p.roi),
        },
    ]
}

/// Headline figures for the partner list.
#[derive(Debug, Clone, Serialize)]
pub struct ListSummary {
    partners: usize,
    headcount: usize,
    score: f64,
    score_change: Option<f64>,
    roi: Option<f64>,
}

/// Headline figures for the home page.
#[derive(Debug, Clone, Serialize)]
pub struct HomeSummary {
    partners: usize,
    headcount: usize,
    practitioner_share: f64,
    roi: Option<f64>,
}

impl Ecosystem {
    /// Figures for the top of the partner list (internal builds).
    pub fn list_summary(&self) -> Option<ListSummary> {
        let report = self.report.as_ref()?;
        let figures = &report.figures;
        Some(ListSummary {
            partners: figures.partners,
            headcount: figures.headcount,
            score: figures.score,
            score_change: figures.score_change,
            roi: figures.roi.roi.roi,
        })
    }

    /// Figures for the home page (internal builds).
    pub fn home_summary(&self) -> Option<HomeSummary> {
        let report = self.report.as_ref()?;
        let figures = &report.figures;
        Some(HomeSummary {
            partners: figures.partners,
            headcount: figures.headcount,
            practitioner_share: figures.practitioner_share,
            roi: figures.roi.roi.roi,
        })
    }
}

/// The quarters the partner data covers, from the baseline to the latest.
fn quarter_range(config: &Config, partners: &[PartnerFile]) -> Option<(Quarter, Vec<Quarter>)> {
    let all: BTreeSet<Quarter> = partners
        .iter()
        .flat_map(|p| &p.record.kpis)
        .filter_map(|k| Quarter::parse(&k.quarter))
        .collect();
    let first = *all.first()?;
    let latest = *all.last()?;
    let baseline = config
        .program
        .baseline_quarter
        .as_deref()
        .and_then(Quarter::parse)
        .unwrap_or(first);
    let mut quarters = Vec::new();
    let mut quarter = baseline.min(latest);
    while quarter <= latest {
        quarters.push(quarter);
        quarter = quarter.next();
    }
    Some((baseline, quarters))
}

/// Shared inputs of the view builders.
struct Context<'a> {
    config: &'a Config,
    base_path: &'a str,
    baseline: Quarter,
    quarters: Vec<Quarter>,
    latest: Quarter,
    /// The catalogue's skill ids, in order.
    skills: Vec<String>,
    /// The modules prepared for recommendations.
    modules: analytics::ModuleCatalogue<'a>,
    cost: Cost,
}

/// How a partner's cost (the investment its ROI is measured against) is
/// worked out; see docs/metrics.md.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cost {
    /// Internal builds: the partner's headcount share of the program cost.
    HeadcountShare {
        /// Every partner's people.
        total_headcount: usize,
    },
    /// A partner's own portal: `per_person_per_quarter` from `site.toml`
    /// times the partner's own headcount, which needs nothing of any other
    /// partner; no cost at all without that rate.
    PerPerson(Option<f64>),
}

impl Context<'_> {
    /// The quarters after the baseline, up to the latest.
    fn period(&self) -> Vec<Quarter> {
        self.quarters
            .iter()
            .copied()
            .filter(|q| *q > self.baseline)
            .collect()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_path, path.trim_start_matches('/'))
    }

    fn catalog_ref(&self, kind: &str, entry: &CatalogEntry) -> Ref {
        Ref {
            id: entry.id.clone(),
            title: entry.title.clone(),
            url: self.url(&format!("/{kind}/{}/", entry.id)),
        }
    }

    fn levels(&self, standings: &[Standing]) -> Vec<LevelCount> {
        let headcount = standings.len().max(1) as f64;
        self.config
            .levels
            .iter()
            .enumerate()
            .map(|(i, level)| {
                let count = standings.iter().filter(|s| s.level == i).count();
                LevelCount {
                    id: level.id.clone(),
                    title: level.title.clone(),
                    url: self.url(&format!("/levels/{}/", level.id)),
                    count,
                    share: count as f64 / headcount,
                }
            })
            .collect()
    }

    /// A quarter's row of people per level.
    fn level_row(&self, quarter: Quarter, standings: &[Standing]) -> Row {
        let values = self
            .config
            .levels
            .iter()
            .enumerate()
            .map(|(i, _)| standings.iter().filter(|s| s.level == i).count() as f64);
        Row {
            label: quarter.to_string(),
            values: values.collect(),
        }
    }
}

/// One partner's people at every quarter, worked out once for its scorecard
/// and the executive summary.
struct Standings {
    /// Per quarter of [`Context::quarters`], each person in file order.
    by_quarter: Vec<Vec<Standing>>,
    /// Each person at the baseline.
    baseline: Vec<Standing>,
}

impl Standings {
    fn latest(&self) -> &[Standing] {
        self.by_quarter.last().map_or(&[], Vec::as_slice)
    }
}

/// Computes the partner views and the executive summary the audience may
/// see; `None` without partner data. A partner audience's figures come from
/// its own file alone: the others are left out before anything is computed,
/// so no figure (quarters covered, cost, adoption) can depend on them.
pub fn compute(
    config: &Config,
    store: &ContentStore,
    partners: &[PartnerFile],
    audience: &Audience,
) -> Option<Ecosystem> {
    let own: Vec<PartnerFile>;
    let partners = match audience {
        Audience::Internal => partners,
        Audience::Partner(id) => {
            own = partners.iter().filter(|p| &p.id == id).cloned().collect();
            &own
        }
    };
    computed(config, store, partners, audience).map(|(ecosystem, _, _)| ecosystem)
}

/// The ecosystem, each partner's standings (in file order) and the shared
/// inputs every view was computed from.
fn computed(
    config: &Config,
    store: &ContentStore,
    partners: &[PartnerFile],
    audience: &Audience,
) -> Option<(Ecosystem, Vec<Standings>, Shared)> {
    let shared = Shared::of(config, partners)?;
    let (ecosystem, standings) = computed_with(&shared, config, store, partners, audience);
    Some((ecosystem, standings, shared))
}

/// [`computed`] from the shared inputs of `partners`.
fn computed_with(
    shared: &Shared,
    config: &Config,
    store: &ContentStore,
    partners: &[PartnerFile],
    audience: &Audience,
) -> (Ecosystem, Vec<Standings>) {
    let learning_order = crate::input::content::learning_order(store.modules());
    let context = shared.context(config, store, &learning_order, audience);
    // Each partner's view depends only on its own file and the shared context.
    let (mut views, standings): (Vec<PartnerView>, Vec<Standings>) = partners
        .par_iter()
        .map(|p| partner_view(&context, p))
        .unzip();
    views.sort_by(|a, b| (&a.summary.name, &a.summary.id).cmp(&(&b.summary.name, &b.summary.id)));
    let mut ecosystem = Ecosystem {
        adoption: BTreeMap::new(),
        partners: views,
        report: None,
        baseline_quarter: context.baseline.to_string(),
        latest_quarter: context.latest.to_string(),
        audience: audience.clone(),
    };
    add_up(&context, partners, &standings, audience, &mut ecosystem);
    (ecosystem, standings)
}

/// Works out the figures that add up the partners shown: the executive
/// summary (internal builds only) and each workflow's adoption.
fn add_up(
    context: &Context,
    partners: &[PartnerFile],
    standings: &[Standings],
    audience: &Audience,
    ecosystem: &mut Ecosystem,
) {
    ecosystem.report = match audience {
        Audience::Internal => Some(executive(context, partners, standings, &ecosystem.partners)),
        Audience::Partner(_) => None,
    };
    ecosystem.adoption = adoption(context, &ecosystem.partners);
}

/// What every partner's view depends on besides its own file: the quarters
/// the data covers and the total headcount (which sets each partner's share
/// of the program cost).
#[derive(Debug, Clone, PartialEq)]
struct Shared {
    baseline: Quarter,
    quarters: Vec<Quarter>,
    total_headcount: usize,
}

impl Shared {
    /// `None` without partner data.
    fn of(config: &Config, partners: &[PartnerFile]) -> Option<Shared> {
        let (baseline, quarters) = quarter_range(config, partners)?;
        Some(Shared {
            baseline,
            quarters,
            total_headcount: partners.iter().map(|p| p.record.people.len()).sum(),
        })
    }

    fn context<'a>(
        &self,
        config: &'a Config,
        store: &'a ContentStore,
        learning_order: &[&str],
        audience: &Audience,
    ) -> Context<'a> {
        Context {
            config,
            base_path: config.base_path(),
            baseline: self.baseline,
            latest: self.quarters.last().copied().unwrap_or(self.baseline),
            quarters: self.quarters.clone(),
            skills: analytics::skill_ids(config),
            modules: analytics::ModuleCatalogue::new(config, store, learning_order),
            cost: match audience {
                Audience::Internal => Cost::HeadcountShare {
                    total_headcount: self.total_headcount,
                },
                Audience::Partner(_) => {
                    Cost::PerPerson(config.program.investment.per_person_per_quarter)
                }
            },
        }
    }
}

/// What the live preview keeps of the partner data between renders, so that
/// an edit to one partner file recomputes that partner's figures alone and
/// then adds up the others' kept ones: the parsed files, each partner's
/// people at every quarter, and each shown partner's export rows.
pub struct Ledger {
    files: Vec<PartnerFile>,
    /// In file order.
    standings: Vec<Standings>,
    /// In the order of the ecosystem's partners.
    exports: Vec<PartnerExport>,
    shared: Shared,
}

/// Which partner views [`Ledger::update`] recomputed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recomputed {
    /// The edited partner's: its place among the ecosystem's partners, if shown.
    One(Option<usize>),
    /// Every partner's, since the quarters covered or the total headcount
    /// changed.
    Every,
}

/// Like [`compute`], also keeping a [`Ledger`] of `partners` (for a partner
/// audience, of its own file only).
pub fn compute_kept(
    config: &Config,
    store: &ContentStore,
    mut partners: Vec<PartnerFile>,
    audience: &Audience,
) -> Option<(Ecosystem, Ledger)> {
    if let Audience::Partner(id) = audience {
        partners.retain(|p| &p.id == id);
    }
    let (ecosystem, standings, shared) = computed(config, store, &partners, audience)?;
    let ledger = Ledger {
        exports: exports::partner_exports(&ecosystem),
        files: partners,
        standings,
        shared,
    };
    Some((ecosystem, ledger))
}

impl Ledger {
    /// Puts `file` in place of the kept file at the same path, recomputes
    /// its partner's view, export rows and the figures adding up all
    /// partners, and updates `ecosystem`. When the edit changes what every
    /// view depends on (the quarters covered, the total headcount, which
    /// sets each partner's share of the program cost), every partner's view
    /// is recomputed from the kept files. `None`, with nothing changed, when
    /// no kept file has that path, no quarter has data any more, or the edit
    /// changes the partner's place in the list (its name): that takes
    /// [`compute`].
    pub fn update(
        &mut self,
        config: &Config,
        store: &ContentStore,
        audience: &Audience,
        ecosystem: &mut Ecosystem,
        file: PartnerFile,
    ) -> Option<Recomputed> {
        let index = self.files.iter().position(|kept| kept.file == file.file)?;
        let shown = ecosystem
            .partners
            .iter()
            .position(|view| view.summary.id == file.id);
        let same_place =
            shown.is_none_or(|at| ecosystem.partners[at].summary.name == file.record.name);
        let old = std::mem::replace(&mut self.files[index], file);
        let Some(shared) = Shared::of(config, &self.files).filter(|_| same_place) else {
            self.files[index] = old;
            return None;
        };
        if shared != self.shared {
            let (every, standings) = computed_with(&shared, config, store, &self.files, audience);
            *ecosystem = every;
            self.standings = standings;
            self.shared = shared;
            self.exports = exports::partner_exports(ecosystem);
            return Some(Recomputed::Every);
        }
        let learning_order = crate::input::content::learning_order(store.modules());
        let context = self
            .shared
            .context(config, store, &learning_order, audience);
        let (view, standings) = partner_view(&context, &self.files[index]);
        self.standings[index] = standings;
        if let Some(at) = shown {
            self.exports[at] = PartnerExport::new(&view);
            ecosystem.partners[at] = view;
        }
        add_up(&context, &self.files, &self.standings, audience, ecosystem);
        Some(Recomputed::One(shown))
    }

    /// The export files of `ecosystem`, from the kept rows.
    pub fn exports(&self, ecosystem: &Ecosystem, config: &Config) -> Vec<(String, Vec<u8>)> {
        exports::assemble(ecosystem, config, &self.exports)
    }
}

fn mean_score(standings: &[Standing]) -> f64 {
    if standings.is_empty() {
        0.0
    } else {
        standings.iter().map(|s| s.score).sum::<f64>() / standings.len() as f64
    }
}

/// Every person's full state at the latest quarter, and their standings at
/// every quarter and the baseline.
fn people_over_time<'p>(
    context: &Context,
    partner: &'p PartnerFile,
) -> (Vec<PersonTimeline<'p>>, Vec<PersonState>, Standings) {
    let record = &partner.record;
    let timelines: Vec<PersonTimeline> = record
        .people
        .iter()
        .map(|person| PersonTimeline::new(person, &context.skills))
        .collect();
    let embedded = analytics::embedded_workflows(&record.workflows);
    let rules = &context.config.program.level_rules;
    let level_count = context.config.levels.len();
    let at = |quarter: Quarter| -> Vec<Standing> {
        timelines
            .iter()
            .map(|t| t.standing(&embedded, quarter, rules, level_count))
            .collect()
    };
    let latest = timelines
        .iter()
        .map(|t| t.state(&embedded, context.latest, rules, level_count))
        .collect();
    let standings = Standings {
        by_quarter: context.quarters.iter().map(|q| at(*q)).collect(),
        baseline: at(context.baseline),
    };
    (timelines, latest, standings)
}

fn partner_view(context: &Context, partner: &PartnerFile) -> (PartnerView, Standings) {
    let config = context.config;
    let record = &partner.record;
    let (timelines, latest_states, standings) = people_over_time(context, partner);
    let score = mean_score(standings.latest());
    let score_baseline = (!record.people.is_empty()).then(|| mean_score(&standings.baseline));
    let level_rows = context
        .quarters
        .iter()
        .zip(&standings.by_quarter)
        .map(|(q, at)| context.level_row(*q, at))
        .collect();
    let skills = skill_profile(context, &timelines);
    // A skill near the top of the scale is no weakness, however it ranks.
    let mut ranked_skills: Vec<&SkillView> =
        skills.iter().filter(|s| s.latest < STRONG_SKILL).collect();
    ranked_skills.sort_by(|a, b| a.latest.total_cmp(&b.latest));
    let weakest: Vec<&SkillView> = ranked_skills.into_iter().take(2).collect();
    let workflows = workflow_views(context, partner, &latest_states);
    let listed = |id: &str| record.workflows.iter().any(|w| w.id == id);
    let open_workflows: Vec<String> = workflows
        .iter()
        .filter(|w| !w.embedded && listed(&w.id))
        .map(|w| w.id.clone())
        .collect();
    let weakest_ids: Vec<String> = weakest.iter().map(|s| s.id.clone()).collect();
    let recommendations =
        analytics::recommendations(partner, &weakest_ids, &open_workflows, &context.modules)
            .into_iter()
            .map(|module| recommendation(config, module, &weakest_ids, &open_workflows))
            .collect();
    let hours_by_quarter: Vec<Point> = context
        .quarters
        .iter()
        .map(|q| Point {
            label: q.to_string(),
            value: record
                .workflows
                .iter()
                .map(|w| analytics::hours_saved(w, *q))
                .sum(),
            compare: None,
        })
        .collect();
    let roi = partner_roi(context, partner);
    let summary = PartnerSummary {
        id: partner.id.clone(),
        name: record.name.clone(),
        url: context.url(&format!("/partners/{}/", partner.id)),
        tier: record.tier,
        region: record.region.clone(),
        partner_type: record.partner_type,
        owner: record.owner.clone(),
        headcount: record.people.len(),
        levels: context.levels(standings.latest()),
        levels_baseline: context.levels(&standings.baseline),
        score,
        score_baseline,
        score_change: score_baseline.map(|b| score - b),
        roi: roi.roi,
        payback_months: roi.payback_months,
        hours_saved_latest: hours_by_quarter.last().map_or(0.0, |p| p.value),
        embedded_count: workflows.iter().filter(|w| w.embedded).count(),
        flags: analytics::flags(partner, &latest_states, context.latest),
    };
    let people = if config.program.show_people {
        record
            .people
            .iter()
            .zip(&latest_states)
            .map(|(person, state)| PersonView {
                id: person.id.clone(),
                role: person.role.clone(),
                level: config.levels.get(state.level).map_or_else(
                    || Ref {
                        id: String::new(),
                        title: String::new(),
                        url: String::new(),
                    },
                    |l| context.catalog_ref("levels", l),
                ),
                score: state.score,
                mean_score: state.mean_score,
            })
            .collect()
    } else {
        Vec::new()
    };
    let view = PartnerView {
        baseline_quarter: context.baseline.to_string(),
        latest_quarter: context.latest.to_string(),
        level_rows,
        skill_bars: skills
            .iter()
            .map(|s| Point {
                label: s.title.clone(),
                value: s.latest,
                compare: s.baseline,
            })
            .collect(),
        weakest_skills: weakest
            .iter()
            .filter_map(|s| config.skills.iter().find(|e| e.id == s.id))
            .map(|e| context.catalog_ref("skills", e))
            .collect(),
        hours_bars: workflows
            .iter()
            .filter(|w| w.embedded)
            .map(|w| Point {
                label: w.title.clone(),
                value: w.hours_saved_latest,
                compare: None,
            })
            .collect(),
        skills,
        workflows,
        hours_by_quarter,
        kpis: kpi_views(context, &[partner]),
        recommendations,
        roi_breakdown: roi_view(config, roi),
        people,
        source: partner.source.clone(),
        summary,
    };
    (view, standings)
}

/// A partner's ROI, measured against its cost as [`Context::cost`] says.
fn partner_roi(context: &Context, partner: &PartnerFile) -> Roi {
    let headcount = partner.record.people.len();
    let roi = |share: f64| {
        analytics::roi(
            partner,
            &context.config.program,
            context.baseline,
            &context.period(),
            share,
        )
    };
    match context.cost {
        Cost::HeadcountShare { total_headcount } => roi(if total_headcount == 0 {
            0.0
        } else {
            headcount as f64 / total_headcount as f64
        }),
        Cost::PerPerson(rate) => {
            // The benefits as always, with no share of the program cost…
            let benefits = roi(0.0);
            // …then the partner's own cost, from its headcount and the rate.
            let investment = rate.unwrap_or(0.0) * headcount as f64 * benefits.quarters as f64;
            Roi {
                investment,
                ..benefits
            }
            .finish()
        }
    }
}

fn recommendation(
    config: &Config,
    module: &Page,
    weakest: &[String],
    open: &[String],
) -> Recommendation {
    let title = |catalog: &[CatalogEntry], id: &str| {
        catalog
            .iter()
            .find(|e| e.id == id)
            .map_or(id.to_string(), |e| e.title.clone())
    };
    let mut reasons: Vec<String> = module
        .front
        .skills
        .iter()
        .filter(|s| weakest.contains(s))
        .map(|s| {
            format!(
                "teaches {}, one of the weakest skills",
                title(&config.skills, s)
            )
        })
        .collect();
    reasons.extend(
        module
            .front
            .workflows
            .iter()
            .filter(|w| open.contains(w))
            .map(|w| {
                format!(
                    "improves {}, not yet AI-embedded",
                    title(&config.workflows, w)
                )
            }),
    );
    Recommendation {
        source: module.source.clone(),
        reasons,
    }
}

fn skill_profile(context: &Context, timelines: &[PersonTimeline]) -> Vec<SkillView> {
    // Each person's latest assessment by the end of a quarter, found once for every skill.
    let assessed = |quarter: Quarter| -> Vec<&Assessment> {
        let end = quarter.last_day();
        timelines
            .iter()
            .filter_map(|t| t.assessment_at(end))
            .collect()
    };
    let (latest, baseline) = (assessed(context.latest), assessed(context.baseline));
    let mean = |assessments: &[&Assessment], skill: &str| -> Option<f64> {
        let scores: Vec<f64> = assessments
            .iter()
            .map(|a| a.scores.get(skill).copied().unwrap_or(0.0))
            .collect();
        (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64)
    };
    context
        .config
        .skills
        .iter()
        .map(|skill| {
            let reference = context.catalog_ref("skills", skill);
            SkillView {
                id: reference.id,
                title: reference.title,
                url: reference.url,
                latest: mean(&latest, &skill.id).unwrap_or(0.0),
                baseline: mean(&baseline, &skill.id),
            }
        })
        .collect()
}

fn workflow_views(
    context: &Context,
    partner: &PartnerFile,
    states: &[PersonState],
) -> Vec<WorkflowView> {
    context
        .config
        .workflows
        .iter()
        .map(|entry| {
            let record = partner.record.workflows.iter().find(|w| w.id == entry.id);
            let reference = context.catalog_ref("workflows", entry);
            WorkflowView {
                id: reference.id,
                title: reference.title,
                url: reference.url,
                embedded: record.is_some_and(|w| analytics::is_embedded(w, context.latest)),
                claimed_embedded: record.is_some_and(|w| w.embedded),
                since: record.and_then(|w| w.since.clone()),
                documented: record.is_some_and(|w| w.documented),
                quality_standard: record.is_some_and(|w| w.quality_standard),
                minutes_before: record.and_then(|w| w.minutes_before),
                minutes_after: record.and_then(|w| w.minutes_after),
                runs_per_quarter: record.map_or(0.0, |w| w.runs_per_quarter),
                hours_saved_latest: record
                    .map_or(0.0, |w| analytics::hours_saved(w, context.latest)),
                users: states
                    .iter()
                    .filter(|s| s.ai_workflows.contains(&entry.id))
                    .count(),
            }
        })
        .collect()
}

/// KPI series summed over `partners` per quarter (the sales cycle is their mean).
fn kpi_views(context: &Context, partners: &[&PartnerFile]) -> Vec<KpiView> {
    // Each quarter's records in partner order, their quarters parsed once for all KPIs.
    let mut by_quarter: BTreeMap<Quarter, Vec<&KpiRecord>> = BTreeMap::new();
    for record in partners.iter().flat_map(|p| &p.record.kpis) {
        if let Some(quarter) = Quarter::parse(&record.quarter) {
            by_quarter.entry(quarter).or_default().push(record);
        }
    }
    KPIS.iter()
        .map(|kpi| {
            let points: Vec<Point> = context
                .quarters
                .iter()
                .filter_map(|quarter| {
                    let values: Vec<f64> = by_quarter
                        .get(quarter)?
                        .iter()
                        .map(|k| kpi.value(k))
                        .collect();
                    Some(Point {
                        label: quarter.to_string(),
                        value: combine(kpi, &values),
                        compare: None,
                    })
                })
                .collect();
            kpi_view(kpi, points, context.baseline)
        })
        .collect()
}

fn combine(kpi: &Kpi, values: &[f64]) -> f64 {
    let sum: f64 = values.iter().sum();
    if kpi.unit == Unit::Days {
        sum / values.len() as f64
    } else {
        sum
    }
}

fn kpi_view(kpi: &Kpi, points: Vec<Point>, baseline: Quarter) -> KpiView {
    let label = baseline.to_string();
    let base = points.iter().find(|p| p.label == label).map(|p| p.value);
    let latest = points.last().map(|p| p.value);
    let previous = points
        .len()
        .checked_sub(2)
        .and_then(|i| points.get(i))
        .map(|p| p.value);
    let compare = |from: Option<f64>| {
        from.zip(latest)
            .map(|(f, t)| analytics::delta(f, t, kpi.higher_is_better))
    };
    KpiView {
        id: kpi.id,
        title: kpi.title,
        unit: kpi.unit,
        higher_is_better: kpi.higher_is_better,
        vs_baseline: compare(base),
        vs_previous: compare(previous),
        baseline: base,
        latest,
        previous,
        points,
    }
}

fn roi_view(config: &Config, roi: Roi) -> RoiView {
    let program = &config.program;
    let money = |v: f64| format_currency(v, &program.currency, 0);
    let quarters = format!(
        "{} quarter{}",
        roi.quarters,
        if roi.quarters == 1 { "" } else { "s" }
    );
    let components = vec![
        Component {
            id: "time_value",
            title: "Value of hours saved",
            value: roi.time_value,
            formula: format!(
                "{} h saved × {}/h loaded cost",
                format_number(roi.hours_saved, 0),
                money(program.hourly_cost)
            ),
            added: true,
        },
        Component {
            id: "cost_to_serve_reduction",
            title: "Cost-to-serve reduction",
            value: roi.cost_to_serve_reduction,
            formula: format!(
                "Σ (baseline cost to serve − quarter's cost to serve) over {quarters}"
            ),
            added: true,
        },
        Component {
            id: "attributed_margin",
            title: "Attributed margin uplift",
            value: roi.attributed_margin,
            formula: format!(
                "{} margin uplift × {}% attribution",
                money(roi.margin_uplift),
                format_number(program.margin_attribution * 100.0, 0)
            ),
            added: true,
        },
        Component {
            id: "revenue_change",
            title: "Partner-sourced revenue change",
            value: roi.revenue_change,
            formula: format!(
                "Σ (quarter's revenue − baseline revenue) over {quarters}; not added, margin already carries it"
            ),
            added: false,
        },
    ];
    RoiView { roi, components }
}

fn adoption(context: &Context, views: &[PartnerView]) -> BTreeMap<String, Adoption> {
    context
        .config
        .workflows
        .iter()
        .map(|entry| {
            let rows: Vec<AdoptionRow> = views
                .iter()
                .filter_map(|view| {
                    let workflow = view.workflows.iter().find(|w| w.id == entry.id)?;
                    let involved = workflow.users > 0 || workflow.claimed_embedded;
                    involved.then(|| AdoptionRow {
                        name: view.summary.name.clone(),
                        url: view.summary.url.clone(),
                        embedded: workflow.embedded,
                        since: workflow.since.clone(),
                        users: workflow.users,
                        hours_saved_latest: workflow.hours_saved_latest,
                    })
                })
                .collect();
            let adoption = Adoption {
                embedded_partners: rows.iter().filter(|r| r.embedded).count(),
                partners: views.len(),
                users: rows.iter().map(|r| r.users).sum(),
                rows,
            };
            (entry.id.clone(), adoption)
        })
        .collect()
}

fn executive(
    context: &Context,
    partners: &[PartnerFile],
    standings: &[Standings],
    views: &[PartnerView],
) -> ExecutiveView {
    // Everyone in partner order, as the figures have always been summed.
    let everyone = |of: &dyn Fn(&Standings) -> &[Standing]| -> Vec<Standing> {
        standings.iter().flat_map(of).copied().collect()
    };
    let latest = everyone(&|s| s.latest());
    let at_baseline = everyone(&|s| &s.baseline);
    let levels = context.levels(&latest);
    let levels_baseline = context.levels(&at_baseline);
    let top_share = |levels: &[LevelCount]| levels.last().map_or(0.0, |l| l.share);
    let level_rows = context
        .quarters
        .iter()
        .enumerate()
        .map(|(i, q)| context.level_row(*q, &everyone(&|s| &s.by_quarter[i])))
        .collect();
    let hours_by_quarter: Vec<Point> = context
        .quarters
        .iter()
        .map(|q| Point {
            label: q.to_string(),
            value: partners
                .iter()
                .flat_map(|p| &p.record.workflows)
                .map(|w| analytics::hours_saved(w, *q))
                .sum(),
            compare: None,
        })
        .collect();
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
    let score_baseline = mean_score(&at_baseline);
    let figures = ExecutiveFigures {
        baseline_quarter: context.baseline.to_string(),
        latest_quarter: context.latest.to_string(),
        partners: partners.len(),
        headcount: latest.len(),
        level_rows,
        practitioner_share: top_share(&levels),
        practitioner_share_baseline: top_share(&levels_baseline),
        levels,
        levels_baseline,
        score,
        score_change: (!at_baseline.is_empty()).then_some(score - score_baseline),
        hours_by_quarter,
        kpis: kpi_views(context, &partners.iter().collect::<Vec<_>>()),
        roi: roi_view(context.config, roi),
    };
    let mut report = ExecutiveView {
        figures,
        ranked,
        movers,
        flag_counts,
        narrative: Vec::new(),
    };
    report.narrative = narrative(context, &report, views);
    report
}

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

/// `1 partner`, `3 partners`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Sentences built only from the report's numbers.
fn narrative(context: &Context, report: &ExecutiveView, views: &[PartnerView]) -> Vec<String> {
    let program = &context.config.program;
    let money = |v: f64| format_currency(v, &program.currency, 0);
    let percent = |v: f64| format!("{}%", format_number(v * 100.0, 0));
    let roi = &report.figures.roi.roi;
    let top_level = context
        .config
        .levels
        .last()
        .map_or("practitioner".to_string(), |l| l.title.to_lowercase());
    let mut sentences = vec![format!(
        "Across {} and {}, the share of {}s moved from {} in {} to {} in {}.",
        count(report.figures.partners, "partner", "partners"),
        count(report.figures.headcount, "person", "people"),
        top_level,
        percent(report.figures.practitioner_share_baseline),
        report.figures.baseline_quarter,
        percent(report.figures.practitioner_share),
        report.figures.latest_quarter
    )];
    sentences.push(format!(
        "Embedded workflows saved {} hours over {} after the baseline, worth {} at {} an hour.",
        format_number(roi.hours_saved, 0),
        count(roi.quarters, "quarter", "quarters"),
        money(roi.time_value),
        money(program.hourly_cost)
    ));
    sentences.push(match (roi.roi, roi.payback_months) {
        (Some(ratio), Some(months)) => format!(
            "Benefits of {} against an investment of {} give an ROI of {}, paying back in {} months at the latest quarter's rate.",
            money(roi.benefits),
            money(roi.investment),
            percent(ratio),
            format_number(months, 1)
        ),
        (Some(ratio), None) => format!(
            "Benefits of {} against an investment of {} give an ROI of {}; at the latest quarter's rate the program does not yet pay back.",
            money(roi.benefits),
            money(roi.investment),
            percent(ratio)
        ),
        _ => format!("Benefits total {}; no investment is set in site.toml, so no ROI is computed.", money(roi.benefits)),
    });
    if let Some(revenue) = report
        .figures
        .kpis
        .iter()
        .find(|k| k.id == "partner_sourced_revenue")
        && let Some(relative) = revenue.vs_baseline.and_then(|d| d.relative)
    {
        sentences.push(format!(
            "Partner-sourced revenue is {} {} baseline; it is reported but not counted as a benefit, because the attributed margin already carries its effect.",
            percent(relative.abs()),
            if relative >= 0.0 { "above" } else { "below" }
        ));
    }
    let summary = |at: Option<&usize>| at.map(|at| &views[*at].summary);
    if let (Some(best), Some(worst)) = (
        summary(report.ranked.first()),
        summary(report.ranked.last()),
    ) && report.ranked.len() > 1
    {
        sentences.push(format!(
            "{} moved most (proficiency score {:+.0}); {} moved least ({:+.0}).",
            best.name,
            best.score_change.unwrap_or(0.0),
            worst.name,
            worst.score_change.unwrap_or(0.0)
        ));
    }
    if let Some(most) = report.flag_counts.iter().max_by_key(|f| f.count) {
        let flagged: BTreeSet<&str> = report
            .flag_counts
            .iter()
            .flat_map(|f| f.partners.iter().map(|p| p.name.as_str()))
            .collect();
        sentences.push(format!(
            "{} {} a failure pattern; the most common is {} ({}).",
            count(flagged.len(), "partner", "partners"),
            if flagged.len() == 1 { "shows" } else { "show" },
            most.title.to_lowercase(),
            most.count
        ));
    }
    sentences
}

/// The program assumptions as templates and exports see them. A partner's
/// portal has no program-wide cost (licences, enablement): only the
/// per-person rate its own cost is worked out from, when `site.toml` sets one.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramView<'a> {
    currency: &'a str,
    hourly_cost: f64,
    margin_attribution: f64,
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
            margin_attribution: program.margin_attribution,
            licences_per_quarter: licences,
            enablement_per_quarter: enablement,
            per_person_per_quarter: per_person,
            baseline_quarter: program.baseline_quarter.as_deref(),
            show_people: program.show_people,
        }
    }
}
