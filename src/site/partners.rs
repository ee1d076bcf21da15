//! Partner pages: one scorecard per partner shown (`partner.html`) and, for
//! internal builds, the partner list in each ordering (`partners.html`) and
//! the executive summary (`executive.html`), with links to the data exports.
//! Their figures add up every partner, so they are put in the context at
//! render time from the site's one copy of the partner data, which
//! [`Site::update_partner`] updates in place for the live preview. A new
//! partner page goes here.

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use crate::base::audience::Audience;
use crate::input::config::Config;
use crate::input::content::ContentStore;
use crate::partners::metrics::PartnerFile;
use crate::partners::scorecards::ledger::reordered;
use crate::partners::scorecards::{self, Ecosystem, Recomputed};
use crate::render::links::Ref;

use super::taxonomies::TermWithAdoption;
use super::views::PageSummary;
use super::{Deferred, Model, RenderJob, Site, output_for};

/// The data exports the partner list and the executive summary link to.
const EXPORTS: [(&str, &str); 4] = [
    ("All metrics (JSON)", "/data/metrics.json"),
    ("Partners (CSV)", "/data/partners.csv"),
    ("KPIs by quarter (CSV)", "/data/kpis.csv"),
    ("Workflows (CSV)", "/data/workflows.csv"),
];

/// What [`Site::update_partner`] changed.
pub struct PartnerUpdate {
    /// The jobs to render again, as indices into [`Site::jobs`].
    pub jobs: Vec<usize>,
    /// True when the scorecards' jobs changed order (a partner's new name).
    pub reordered: bool,
}

/// A recommended module as a page summary with its reasons.
#[derive(Serialize)]
struct RecommendationView<'a> {
    #[serde(flatten)]
    summary: &'a PageSummary,
    reasons: &'a [String],
}

/// `partner` in `partner.html`: the partner view with its recommendations
/// resolved.
#[derive(Serialize)]
struct PartnerPage<'a> {
    #[serde(flatten)]
    view: &'a scorecards::PartnerView,
    recommendations: Vec<RecommendationView<'a>>,
}

/// An ordering in `orderings` of `partners.html`, for a "Sort by" menu.
#[derive(Serialize)]
struct OrderingLink<'a> {
    active: bool,
    id: &'a str,
    title: &'a str,
    url: String,
}

/// `ordering` in `partners.html`: the ordering shown.
#[derive(Serialize)]
struct OrderingView<'a> {
    id: &'a str,
    title: &'a str,
}

/// Each ecosystem partner's summary as a template value.
pub(super) fn partner_rows(ecosystem: Option<&Ecosystem>) -> Vec<Value> {
    ecosystem.map_or_else(Vec::new, |e| {
        e.partners
            .par_iter()
            .map(|view| Value::from_serializable(&view.summary))
            .collect()
    })
}

impl<'a> Model<'a> {
    /// One scorecard per partner shown; for internal builds also the partner
    /// list in each ordering and the executive summary.
    pub(super) fn partner_jobs(&self, jobs: &mut Vec<RenderJob>) {
        let Some(ecosystem) = self.ecosystem else {
            return;
        };
        self.scorecard_jobs(ecosystem, jobs);
        if ecosystem.report.is_none() {
            return;
        }
        let exports: Vec<Ref> = EXPORTS
            .iter()
            .map(|(title, path)| Ref {
                title: title.to_string(),
                url: self.url(path),
            })
            .collect();
        self.partner_list_jobs(ecosystem, &exports, jobs);
        let path = "/reports/executive/";
        let mut job = self.job(path, output_for(path), "executive.html", "executive");
        job.deferred = Some(Deferred::Executive);
        job.context.insert("exports", &exports);
        jobs.push(job);
    }

    fn partner_list_jobs(&self, ecosystem: &Ecosystem, exports: &[Ref], jobs: &mut Vec<RenderJob>) {
        let orderings = scorecards::orderings(ecosystem);
        for ordering in &orderings {
            let menu: Vec<OrderingLink> = orderings
                .iter()
                .map(|o| OrderingLink {
                    active: o.id == ordering.id,
                    id: o.id,
                    title: o.title,
                    url: self.url(o.path),
                })
                .collect();
            let mut job = self.job(
                ordering.path,
                output_for(ordering.path),
                "partners.html",
                "partners",
            );
            job.deferred = Some(Deferred::PartnerList(ordering.id));
            let current = OrderingView {
                id: ordering.id,
                title: ordering.title,
            };
            job.context.insert("ordering", &current);
            job.context.insert("orderings", &menu);
            job.context.insert("exports", exports);
            jobs.push(job);
        }
    }

    fn scorecard_jobs(&self, ecosystem: &Ecosystem, jobs: &mut Vec<RenderJob>) {
        for (index, partner) in ecosystem.partners.iter().enumerate() {
            let path = format!("/partners/{}/", partner.summary.id);
            let mut job = self.job(&path, output_for(&path), "partner.html", "partner");
            job.deferred = Some(Deferred::Partner(index));
            jobs.push(job);
        }
    }
}

impl Site {
    /// Puts an edited partner file in place of the kept one and recomputes
    /// what depends on it (see [`scorecards::Ledger::update`]); returns the
    /// jobs showing those figures. `None`, with nothing changed, when the
    /// site was computed with [`PartnerData::Drop`](super::PartnerData::Drop)
    /// or the edit needs the whole site computed again.
    pub fn update_partner(
        &mut self,
        config: &Config,
        store: &ContentStore,
        audience: &Audience,
        file: PartnerFile,
    ) -> Option<PartnerUpdate> {
        let ledger = self.ledger.as_mut()?;
        let ecosystem = self.ecosystem.as_mut()?;
        let recomputed = ledger.update(config, store, audience, ecosystem, file)?;
        let changed = match &recomputed {
            Recomputed::One(shown) => *shown,
            Recomputed::Moved { at, order } => {
                let rows = std::mem::take(&mut self.partner_rows);
                self.partner_rows = reordered(rows, order);
                reorder_scorecards(&mut self.jobs, order);
                Some(*at)
            }
            Recomputed::Every => {
                self.partner_rows = partner_rows(Some(ecosystem));
                None
            }
        };
        if let Some(at) = changed {
            self.partner_rows[at] = Value::from_serializable(&ecosystem.partners[at].summary);
        }
        let every = recomputed == Recomputed::Every;
        let changed = |index: usize| every || changed == Some(index);
        let jobs = self
            .jobs
            .iter()
            .enumerate()
            // Every job whose context is read from the partner figures when
            // it is rendered; of those, the kept pages tell which changed. A
            // page's own view never shows them, and a context made when the
            // site was computed cannot have changed.
            .filter_map(|(i, job)| match job.deferred.as_ref()? {
                Deferred::Page(_) => None,
                Deferred::Partner(index) => changed(*index).then_some(i),
                _ => Some(i),
            })
            .collect();
        Some(PartnerUpdate {
            jobs,
            reordered: matches!(recomputed, Recomputed::Moved { .. }),
        })
    }

    /// The data exports made from the kept partner data; none when the site
    /// was computed with [`PartnerData::Drop`](super::PartnerData::Drop) or has no partner figures.
    pub fn partner_exports(&self, config: &Config) -> Vec<(String, Vec<u8>)> {
        match (&self.ledger, &self.ecosystem) {
            (Some(ledger), Some(ecosystem)) => ledger.exports(ecosystem, config),
            _ => Vec::new(),
        }
    }

    /// The revision of the kept partner figures (see
    /// [`scorecards::Ledger::revision`]); none when the site was computed
    /// with [`PartnerData::Drop`](super::PartnerData::Drop) or has no partner figures.
    pub fn partner_revision(&self) -> Option<u64> {
        self.ledger.as_ref().map(scorecards::Ledger::revision)
    }

    /// Puts the scorecard of the ecosystem's partner at `index` into `context`.
    pub(super) fn insert_scorecard(&self, context: &mut Context, index: usize) {
        if let Some(view) = self.ecosystem.as_ref().and_then(|e| e.partners.get(index)) {
            context.insert("partner", &self.partner_page(view));
        }
    }

    /// Puts the figures that add up every partner into `context`.
    pub(super) fn insert_partner_figures(&self, context: &mut Context, deferred: &Deferred) {
        let Some(ecosystem) = &self.ecosystem else {
            return;
        };
        match deferred {
            Deferred::PartnerList(id) => {
                let orderings = scorecards::orderings(ecosystem);
                if let Some(ordering) = orderings.iter().find(|o| o.id == *id) {
                    let rows: Vec<&Value> = ordering
                        .partners
                        .iter()
                        .filter_map(|at| self.partner_rows.get(*at))
                        .collect();
                    context.insert("partners", &rows);
                }
                context.insert("ecosystem", &ecosystem.list_summary());
            }
            Deferred::Executive => {
                if let Some(report) = &ecosystem.report {
                    context.insert("report", &report.page(&self.partner_rows));
                }
            }
            Deferred::HomeSummary => context.insert("partners_summary", &ecosystem.home_summary()),
            Deferred::Adoption(workflow) => {
                if let Some(term) = context.get("term").cloned() {
                    let adoption = ecosystem.adoption.get(workflow);
                    context.insert("term", &TermWithAdoption { adoption, term });
                }
            }
            Deferred::Page(_) | Deferred::Partner(_) => {}
        }
    }

    /// A scorecard with its recommended modules' summaries.
    fn partner_page<'s>(&'s self, view: &'s scorecards::PartnerView) -> PartnerPage<'s> {
        let recommendations = view
            .recommendations
            .iter()
            .filter_map(|r| {
                self.summary(&r.source).map(|summary| RecommendationView {
                    summary,
                    reasons: &r.reasons,
                })
            })
            .collect();
        PartnerPage {
            view,
            recommendations,
        }
    }
}

/// Puts the scorecards' jobs in the partners' new order (`order[new] ==
/// old`), in the places the scorecards held, as [`compute`](super::compute)
/// would list them.
fn reorder_scorecards(jobs: &mut [RenderJob], order: &[usize]) {
    let places: Vec<usize> = jobs
        .iter()
        .enumerate()
        .filter(|(_, job)| matches!(job.deferred, Some(Deferred::Partner(_))))
        .map(|(place, _)| place)
        .collect();
    let mut scorecards: Vec<Option<RenderJob>> = places
        .iter()
        .map(|place| Some(jobs[*place].clone()))
        .collect();
    for ((place, old), new) in places.iter().zip(order).zip(0..) {
        if let Some(mut job) = scorecards[*old].take() {
            job.deferred = Some(Deferred::Partner(new));
            jobs[*place] = job;
        }
    }
}
