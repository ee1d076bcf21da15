//! The compute stage: from validated content and configuration to the list of
//! pages to render. It outlines every Markdown body (in parallel: contents,
//! reading time, dead links), orders each learning track by its
//! prerequisites, groups pages into sections and taxonomies, and produces one
//! [`RenderJob`] per output file: the template, its context (the bulky parts
//! deferred to render time) and where its rendered Markdown goes.
//!
//! This file holds the entry ([`compute`]), the computed [`Site`] and what
//! every page family shares (the model, a job with its per-page globals).
//! Each page family has its own file, which builds its jobs and declares the
//! structs its templates receive, so the struct documents the template's
//! context: `modules.rs` (modules and plain pages), `sections.rs` (sections
//! and the home page, with `filters.rs` for a list's module filters),
//! `tracks.rs`, `taxonomies.rs`, `partners.rs` (partner
//! lists, scorecards, the executive summary), `feeds.rs` (sitemap, feed,
//! robots, 404), `navigation.rs` and `globals.rs` (what every template sees)
//! and `views.rs` (the shapes they share: links, term references, page
//! summaries). A new page type gets a file of its own here and one call in
//! [`compute`].

mod feeds;
mod filters;
mod globals;
mod modules;
mod navigation;
mod partners;
mod sections;
mod taxonomies;
mod tracks;
mod views;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;
use tera::{Context, Value};

use crate::base::audience::Audience;
use crate::base::build_cache::BuildCache;
use crate::base::diagnostics::{Diagnostic, Error, Result};
use crate::base::memo::Memo;
use crate::input::config::Config;
use crate::input::content::{ContentStore, Page};
use crate::markup::highlight::{Blocks, CodeStyle};
use crate::partners::metrics::PartnerFile;
use crate::partners::scorecards::{self, Ecosystem, exports};
use crate::render::bodies::Body;
use crate::render::markdown::{self, LinkTargets, Outline};

pub use modules::PageParts;
pub use partners::PartnerUpdate;

use modules::reading_minutes;
use navigation::NavItem;
use partners::partner_rows;
use views::PageSummary;

/// One file to produce with a template.
#[derive(Debug, Clone)]
pub struct RenderJob {
    /// Output path relative to the output folder (`modules/qbr/index.html`).
    pub output: String,
    /// Template name (`module.html`).
    pub template: &'static str,
    /// Everything the template receives besides the site-wide globals and
    /// the rendered Markdown.
    pub context: Context,
    /// The part of the context made only when the job is rendered.
    pub deferred: Option<Deferred>,
    /// Where the rendered Markdown goes in the context, if the page shows any.
    pub body: Option<Body>,
}

/// Context values made by [`Site::context`] just before the page is
/// rendered. The two kinds of page a large site has thousands of are
/// deferred because, held for every page at once, their values would be most
/// of a build's memory; the figures that add up all partners are deferred so
/// that they are read from the site's one copy of the partner figures, which
/// a partner edit in the live preview updates in place.
#[derive(Debug, Clone)]
pub enum Deferred {
    /// `page`: a module's or plain page's view.
    Page(Box<PageParts>),
    /// `partner`: the scorecard of the ecosystem's partner at this index.
    Partner(usize),
    /// `partners` and `ecosystem`: the partner list in the ordering with this id.
    PartnerList(&'static str),
    /// `report`: the executive summary.
    Executive,
    /// `partners_summary`: the home page's partner figures.
    HomeSummary,
    /// `term`, with the adoption of the workflow with this id.
    Adoption(String),
}

/// The computed site: what to render and the values shared by every template.
pub struct Site {
    /// Pages and feeds to render.
    pub jobs: Vec<RenderJob>,
    /// Every page's summary, for deferred contexts, kept with the page's
    /// front matter and title it was computed from (see [`Site::computed_from`]).
    summaries: BTreeMap<String, Memo<Front, PageSummary>>,
    /// The partner figures, for deferred contexts.
    ecosystem: Option<Ecosystem>,
    /// Each ecosystem partner's summary as a template value, made once: the
    /// partner lists and the executive summary share them.
    partner_rows: Vec<Value>,
    /// Values every template sees (`site`, `catalog`, `generator`).
    pub globals: Context,
    /// Link resolution for templates' `url()` function.
    pub targets: Arc<LinkTargets>,
    /// Generated files that need no template (data exports), by output path.
    pub files: Vec<(String, Arc<Vec<u8>>)>,
    /// The partner data and its kept computations, with [`PartnerData::Keep`].
    ledger: Option<scorecards::Ledger>,
}

/// A page's front matter text and title: what the site model makes of a
/// page, besides where it lies and the outline of its body, is made from these.
type Front = (String, String);

/// The [`Front`] of `page`.
fn front(page: &Page) -> Front {
    (page.front_text().to_string(), page.title.clone())
}

/// Whether the computed site keeps the partner data, so that
/// [`Site::update_partner`] can redo one partner; a build does not need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerData {
    /// Dropped once the figures are computed.
    Drop,
    /// Kept with the site.
    Keep,
}

/// Everything computed about the content, shared by the job builders of
/// every page family.
struct Model<'a> {
    config: &'a Config,
    store: &'a ContentStore,
    targets: Arc<LinkTargets>,
    outlines: BTreeMap<&'a str, Outline>,
    summaries: BTreeMap<&'a str, PageSummary>,
    /// The summaries as template values, made once: every listing clones
    /// them, which only counts a reference.
    summary_values: BTreeMap<&'a str, Value>,
    /// The navigation as a template value, one per item that can be marked
    /// current (index `nav.len()` marks none).
    nav_values: Vec<Value>,
    /// Track id → module sources in learning order.
    tracks: BTreeMap<String, Vec<&'a str>>,
    /// Module source → its place in its track's order.
    track_positions: BTreeMap<&'a str, usize>,
    nav: Vec<NavItem>,
    /// The sections linked from the footer only.
    footer_nav: Vec<NavItem>,
    /// What the partner data says; none without partner files.
    ecosystem: Option<&'a Ecosystem>,
    /// Who the build is for.
    audience: &'a Audience,
}

/// Computes every page of the site. Code is highlighted through
/// `code_cache` when there is one.
pub fn compute(
    config: &Config,
    store: &ContentStore,
    partners: Vec<PartnerFile>,
    audience: &Audience,
    keep: PartnerData,
    code_cache: Option<Arc<BuildCache>>,
) -> Result<Site> {
    let targets = Arc::new(LinkTargets {
        base_path: config.base_path().to_string(),
        base_url: config.base_url.clone(),
        paths: store
            .pages
            .values()
            .map(|p| (p.source.clone(), p.path.clone()))
            .collect(),
        left_out: store.left_out.clone(),
        raw_html: config.markdown.html,
        heading_ids: config.markdown.heading_ids,
        code: Arc::new(Blocks::with_cache(
            CodeStyle::new(&config.highlight_theme, &config.highlight_theme_dark),
            code_cache,
        )),
    });
    let outlines: BTreeMap<&str, Outline> = store
        .pages
        .par_iter()
        .map(|(key, page)| (key.as_str(), markdown::outline(page, &targets)))
        .collect();
    let mut problems: Vec<Diagnostic> =
        outlines.values().flat_map(|r| r.problems.clone()).collect();
    if !problems.is_empty() {
        crate::base::diagnostics::sort(&mut problems);
        return Err(Error::Input(problems));
    }
    // The exports are made before the pages' contexts, while less is held:
    // they are big.
    let (ecosystem, ledger, files) = match keep {
        PartnerData::Keep => match scorecards::compute_kept(config, store, partners, audience) {
            Some((ecosystem, ledger)) => {
                let files = ledger.exports(&ecosystem, config);
                (Some(ecosystem), Some(ledger), files)
            }
            None => (None, None, Vec::new()),
        },
        PartnerData::Drop => {
            let ecosystem = scorecards::compute(config, store, &partners, audience);
            // The parsed files are large and everything later reads the views.
            drop(partners);
            let files = ecosystem.as_ref().map_or_else(Vec::new, |e| {
                exports::assemble(e, config, &exports::partner_exports(e))
            });
            (ecosystem, None, files)
        }
    };
    let files = files
        .into_iter()
        .map(|(path, bytes)| (path, Arc::from(bytes)))
        .collect();
    let mut model = Model {
        config,
        store,
        targets: targets.clone(),
        outlines,
        summaries: BTreeMap::new(),
        summary_values: BTreeMap::new(),
        nav_values: Vec::new(),
        tracks: BTreeMap::new(),
        track_positions: BTreeMap::new(),
        nav: Vec::new(),
        footer_nav: Vec::new(),
        ecosystem: ecosystem.as_ref(),
        audience,
    };
    model.summaries = store
        .pages
        .par_iter()
        .map(|(_, page)| (page.source.as_str(), model.summary(page)))
        .collect();
    model.summary_values = model
        .summaries
        .par_iter()
        .map(|(source, summary)| (*source, Value::from_serializable(summary)))
        .collect();
    model.tracks = config
        .tracks
        .iter()
        .map(|track| (track.id.clone(), tracks::order_track(store, &track.id)))
        .collect();
    model.track_positions = model
        .tracks
        .values()
        .flat_map(|order| order.iter().enumerate().map(|(i, source)| (*source, i)))
        .collect();
    let sections = sections::collect_sections(store);
    (model.nav, model.footer_nav) = model.navigation(&sections);
    model.nav_values = (0..=model.nav.len())
        .map(|current| model.nav_value(current))
        .collect();
    let mut jobs = Vec::new();
    model.page_jobs(&mut jobs);
    model.section_jobs(&sections, &mut jobs);
    model.track_jobs(&mut jobs);
    model.taxonomy_jobs(&mut jobs);
    model.partner_jobs(&mut jobs);
    model.feed_jobs(&mut jobs);
    let globals = model.globals();
    let summaries = std::mem::take(&mut model.summaries)
        .into_iter()
        .map(|(source, summary)| {
            let front = store.pages.get(source).map(front).unwrap_or_default();
            (source.to_string(), Memo::new(front, summary))
        })
        .collect();
    Ok(Site {
        jobs,
        summaries,
        partner_rows: partner_rows(ecosystem.as_ref()),
        ecosystem,
        globals,
        targets,
        files,
        ledger,
    })
}

impl Site {
    /// The partner files the kept partner figures were computed from (with
    /// the rows exports added to them), when the figures are kept.
    pub fn kept_partner_files(&self) -> Option<&[crate::partners::metrics::PartnerFile]> {
        self.ledger.as_ref().map(|ledger| ledger.files())
    }

    /// Whether the site was computed from the front matter and title of
    /// `page` for the page at its source: then an edit to its text changes
    /// nothing the site model made of it but the outline of its body
    /// ([`Site::set_outline`]).
    pub fn computed_from(&self, page: &Page) -> bool {
        let summary = self.summaries.get(&page.source);
        summary.is_some_and(|summary| summary.get(&front(page)).is_some())
    }

    /// The summary of the page `source`.
    fn summary(&self, source: &str) -> Option<&PageSummary> {
        self.summaries.get(source).map(Memo::value)
    }

    /// Records a new outline of the body of `source`, for a body-only edit.
    pub fn set_outline(&mut self, source: &str, outline: Outline) {
        for job in &mut self.jobs {
            if let Some(Deferred::Page(parts)) = &mut job.deferred
                && parts.source == source
            {
                parts.toc = outline.toc.clone();
                parts.reading_minutes = reading_minutes(outline.word_count);
            }
        }
    }

    /// The whole context of `job` but its rendered Markdown.
    pub fn context<'s>(&'s self, job: &'s RenderJob) -> Cow<'s, Context> {
        let Some(deferred) = &job.deferred else {
            return Cow::Borrowed(&job.context);
        };
        let mut context = job.context.clone();
        match deferred {
            Deferred::Page(parts) => self.insert_page(&mut context, parts),
            Deferred::Partner(index) => self.insert_scorecard(&mut context, *index),
            other => self.insert_partner_figures(&mut context, other),
        }
        Cow::Owned(context)
    }
}

/// `/modules/qbr/` → `modules/qbr/index.html`.
fn output_for(path: &str) -> String {
    format!("{}index.html", path.trim_start_matches('/'))
}

impl<'a> Model<'a> {
    /// The root-relative URL of `path`, with the base path.
    fn url(&self, path: &str) -> String {
        self.targets.url(path)
    }

    /// The absolute, percent-encoded URL of `path`.
    fn absolute(&self, path: &str) -> String {
        self.targets.absolute(path)
    }

    /// A job with the per-page globals (`nav`, `current_path`, …) filled in.
    fn job(&self, path: &str, output: String, template: &'static str, kind: &str) -> RenderJob {
        let mut context = Context::new();
        context.insert_value("nav", self.nav_values[self.current_nav(path)].clone());
        context.insert("current_path", path);
        context.insert("current_url", &self.absolute(path));
        context.insert("page_kind", kind);
        RenderJob {
            output,
            template,
            context,
            deferred: None,
            body: None,
        }
    }

    /// The summary of the page `source` as a template value.
    fn summary_value(&self, source: &str) -> Value {
        self.summary_values[source].clone()
    }

    /// The summaries of `pages` as template values, in order.
    fn summary_values(&self, pages: &[&Page]) -> Vec<Value> {
        pages
            .iter()
            .map(|p| self.summary_value(&p.source))
            .collect()
    }
}
