//! Partner scorecards and the executive summary: joins the partner metrics to
//! the program assumptions and the content, through [`crate::partners::analytics`], into
//! the views the partner list, each scorecard, the executive report and the
//! workflow pages show, plus the machine-readable exports (`/data/*.json`,
//! `/data/*.csv`). People appear only in aggregate unless `show_people` is on.
//!
//! This module computes: [`compute`] turns the partner files into an
//! [`Ecosystem`], from the inputs every view shares (`ViewInputs`). The view
//! types live in [`views`], one partner's scorecard in `partner`, the
//! executive summary in [`executive`], the facts of its sentences in
//! [`narrative`], what the preview keeps between renders in [`ledger`] and
//! the data files in [`exports`].

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::base::audience::Audience;
use crate::base::quarter::Quarter;
use crate::input::config::{CatalogEntry, Config, LevelRule};
use crate::input::content::ContentStore;
use crate::partners::analytics::{self, Standing};
use crate::partners::metrics::PartnerFile;
use crate::partners::roi::Comparison;
use crate::render::links::{self, Ref, TermRef};

pub mod executive;
pub mod exports;
pub mod ledger;
pub mod narrative;
mod partner;
pub mod views;

pub use ledger::{Ledger, Recomputed, compute_kept};
pub use views::{Adoption, PartnerView, ProgramView};

use executive::{ExecutiveView, executive};
use partner::partner_view;
use views::{AdoptionRow, HomeSummary, LevelCount, ListSummary, PartnerSummary, Row};

/// Version of the `/data/metrics.json` layout; bumped on any breaking change.
pub const SCHEMA_VERSION: u32 = 1;

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

/// What every view is computed from: the configuration, the quarters
/// covered, the catalogue, the modules that may be recommended and how a
/// partner's cost is worked out for this audience.
struct ViewInputs<'a> {
    config: &'a Config,
    base_path: &'a str,
    baseline: Quarter,
    quarters: Vec<Quarter>,
    latest: Quarter,
    /// The catalogue's skill ids, in order.
    skills: Vec<String>,
    /// Each level's rule, lowest first.
    level_rules: Vec<LevelRule>,
    /// The modules prepared for recommendations.
    modules: analytics::ModuleCatalogue<'a>,
    cost: Cost,
    /// The partners without an embedded workflow, whose KPI change the
    /// embedders' is netted against.
    comparison: Comparison,
}

/// How a partner's cost (the investment its ROI is measured against) is
/// worked out; see docs/metrics.md.
#[derive(Debug, Clone, PartialEq)]
enum Cost {
    /// Internal builds: the partner's headcount share of the program cost,
    /// quarter by quarter.
    HeadcountShare {
        /// Every partner's members in each quarter of the period.
        total_headcount: BTreeMap<Quarter, usize>,
    },
    /// A partner's own portal: `per_person_per_quarter` from `site.toml`
    /// times the partner's own headcount, which needs nothing of any other
    /// partner; no cost at all without that rate. Both count the people who
    /// belong in each quarter (`joined`, `left`).
    PerPerson(Option<f64>),
}

impl ViewInputs<'_> {
    /// The quarters after the baseline, up to the latest.
    fn period(&self) -> Vec<Quarter> {
        self.quarters
            .iter()
            .copied()
            .filter(|q| *q > self.baseline)
            .collect()
    }

    fn url(&self, path: &str) -> String {
        links::url(self.base_path, path)
    }

    fn catalog_ref(&self, kind: &str, entry: &CatalogEntry) -> TermRef {
        TermRef {
            id: entry.id.clone(),
            link: Ref {
                title: entry.title.clone(),
                url: self.url(&format!("/{kind}/{}/", entry.id)),
            },
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
/// and the executive summary: each person in file order, none in a quarter
/// they do not belong to (joined later, or left by its end).
struct Standings {
    /// Per quarter of [`ViewInputs::quarters`].
    by_quarter: Vec<Vec<Option<Standing>>>,
    /// At the baseline.
    baseline: Vec<Option<Standing>>,
}

impl Standings {
    fn latest(&self) -> &[Option<Standing>] {
        self.by_quarter.last().map_or(&[], Vec::as_slice)
    }

    /// Each person present both at the baseline and at the latest quarter,
    /// with their standing at each.
    fn stayers(&self) -> impl Iterator<Item = (Standing, Standing)> + '_ {
        self.baseline
            .iter()
            .zip(self.latest())
            .filter_map(|(from, to)| from.zip(*to))
    }
}

/// The standings of the people present.
fn present(standings: &[Option<Standing>]) -> Vec<Standing> {
    standings.iter().flatten().copied().collect()
}

/// The score movement over the people present at both ends (`from`, `to`):
/// none when nobody was.
fn score_movement(pairs: &[(Standing, Standing)]) -> Option<views::ScoreMovement> {
    let (from, to): (Vec<Standing>, Vec<Standing>) = pairs.iter().copied().unzip();
    (!pairs.is_empty()).then(|| views::ScoreMovement {
        people: pairs.len(),
        from: mean_score(&from),
        to: mean_score(&to),
    })
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

/// The ecosystem, each partner's standings (in file order) and the coverage
/// every view was computed from.
fn computed(
    config: &Config,
    store: &ContentStore,
    partners: &[PartnerFile],
    audience: &Audience,
) -> Option<(Ecosystem, Vec<Standings>, Coverage)> {
    let coverage = Coverage::of(config, partners)?;
    let (ecosystem, standings) = computed_with(&coverage, config, store, partners, audience);
    Some((ecosystem, standings, coverage))
}

/// [`computed`] from the coverage of `partners`.
fn computed_with(
    coverage: &Coverage,
    config: &Config,
    store: &ContentStore,
    partners: &[PartnerFile],
    audience: &Audience,
) -> (Ecosystem, Vec<Standings>) {
    let learning_order = crate::input::content::learning_order(store.modules());
    let inputs = coverage.inputs(config, store, &learning_order, audience);
    // Each partner's view depends only on its own file and the inputs all share.
    let (mut views, standings): (Vec<PartnerView>, Vec<Standings>) = partners
        .par_iter()
        .map(|p| partner_view(&inputs, p))
        .unzip();
    views.sort_by(|a, b| (&a.summary.name, &a.summary.id).cmp(&(&b.summary.name, &b.summary.id)));
    let mut ecosystem = Ecosystem {
        adoption: BTreeMap::new(),
        partners: views,
        report: None,
        baseline_quarter: inputs.baseline.to_string(),
        latest_quarter: inputs.latest.to_string(),
        audience: audience.clone(),
    };
    add_up(&inputs, partners, &standings, audience, &mut ecosystem);
    (ecosystem, standings)
}

/// Works out the figures that add up the partners shown: the executive
/// summary (internal builds only) and each workflow's adoption.
fn add_up(
    inputs: &ViewInputs,
    partners: &[PartnerFile],
    standings: &[Standings],
    audience: &Audience,
    ecosystem: &mut Ecosystem,
) {
    ecosystem.report = match audience {
        Audience::Internal => Some(executive(inputs, partners, standings, &ecosystem.partners)),
        Audience::Partner(_) => None,
    };
    ecosystem.adoption = adoption(inputs, &ecosystem.partners);
}

/// What every partner's view takes from all the partners together, besides
/// its own file: the quarters the data covers, the total headcount (which
/// sets each partner's share of the program cost) and the comparison
/// group's KPI change. The preview recomputes every view when it changes.
#[derive(Debug, Clone, PartialEq)]
struct Coverage {
    baseline: Quarter,
    quarters: Vec<Quarter>,
    total_headcount: BTreeMap<Quarter, usize>,
    comparison: Comparison,
}

impl Coverage {
    /// `None` without partner data.
    fn of(config: &Config, partners: &[PartnerFile]) -> Option<Coverage> {
        let (baseline, quarters) = quarter_range(config, partners)?;
        let period: Vec<Quarter> = quarters.iter().copied().filter(|q| *q > baseline).collect();
        Some(Coverage {
            comparison: Comparison::of(partners, baseline, &period),
            total_headcount: period
                .iter()
                .map(|q| {
                    let members = partners.iter().map(|p| analytics::headcount_at(p, *q));
                    (*q, members.sum())
                })
                .collect(),
            baseline,
            quarters,
        })
    }

    /// The inputs of every view, for `audience`.
    fn inputs<'a>(
        &self,
        config: &'a Config,
        store: &'a ContentStore,
        learning_order: &[&str],
        audience: &Audience,
    ) -> ViewInputs<'a> {
        ViewInputs {
            config,
            base_path: config.base_path(),
            baseline: self.baseline,
            latest: self.quarters.last().copied().unwrap_or(self.baseline),
            quarters: self.quarters.clone(),
            skills: analytics::skill_ids(config),
            level_rules: config.level_rules(),
            modules: analytics::ModuleCatalogue::new(config, store, learning_order),
            cost: match audience {
                Audience::Internal => Cost::HeadcountShare {
                    total_headcount: self.total_headcount.clone(),
                },
                Audience::Partner(_) => {
                    Cost::PerPerson(config.program.investment.per_person_per_quarter)
                }
            },
            // A partner's own portal sees no other partner, so no group to
            // compare with (its own file alone would only compare with itself).
            comparison: match audience {
                Audience::Internal => self.comparison.clone(),
                Audience::Partner(_) => Comparison::default(),
            },
        }
    }
}

/// The mean proficiency score of `standings` (0 for nobody).
fn mean_score(standings: &[Standing]) -> f64 {
    if standings.is_empty() {
        0.0
    } else {
        standings.iter().map(|s| s.score).sum::<f64>() / standings.len() as f64
    }
}

/// Each workflow's adoption across the partners shown.
fn adoption(inputs: &ViewInputs, views: &[PartnerView]) -> BTreeMap<String, Adoption> {
    inputs
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
