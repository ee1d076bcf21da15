//! The compute stage: from validated content and configuration to the list of
//! pages to render. It outlines every Markdown body (in parallel: contents,
//! reading time, dead links), orders each learning track by its
//! prerequisites, groups pages into sections and taxonomies, and produces one
//! [`RenderJob`] per output file: the template, its context (the bulky parts
//! deferred to render time), where its rendered Markdown goes, and the
//! content sources the page was built from.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use crate::base::audience::Audience;
use crate::base::diagnostics::{Diagnostic, Error, Result};
use crate::base::text::slugify;
use crate::input::config::{CatalogEntry, Config};
use crate::input::content::{ContentStore, Page, PageKind, learning_order};
use crate::partners::metrics::PartnerFile;
use crate::partners::scorecards::{self, Ecosystem, ProgramView, Recomputed, exports};
use crate::render::bodies::Body;
use crate::render::markdown::{self, LinkTargets, Outline, TocEntry};

/// A source entry standing for every module of a track (`@track/<id>`):
/// pages that show a track's order depend on all of its modules.
pub const TRACK_SOURCE_PREFIX: &str = "@track/";

/// What an absolute URL's path keeps as written: RFC 3986's unreserved
/// characters and the `/` between segments. Everything else is percent-encoded
/// (as UTF-8 bytes), `%` included, since a path here is a file name, never an
/// already-encoded URL.
const PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

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
    /// Content sources (keys under `content/`) whose change affects this file;
    /// an entry `@track/<id>` stands for every module of that track, and
    /// [`PARTNERS_SOURCE`] for every partner file.
    pub sources: BTreeSet<String>,
}

/// A source entry standing for every partner file: each aggregate figure
/// (and each partner's share of the program cost) depends on all of them.
pub const PARTNERS_SOURCE: &str = "@partners";

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

impl Deferred {
    /// True for values that add up every partner shown.
    pub fn adds_up_partners(&self) -> bool {
        matches!(
            self,
            Deferred::PartnerList(_)
                | Deferred::Executive
                | Deferred::HomeSummary
                | Deferred::Adoption(_)
        )
    }
}

/// What a page's view holds besides its summary and its body.
#[derive(Debug, Clone)]
pub struct PageParts {
    source: String,
    toc: Vec<TocEntry>,
    prerequisites: Vec<LinkRef>,
    track_nav: Option<TrackNav>,
    reading_minutes: usize,
    section: Option<LinkRef>,
}

/// The computed site: what to render and the values shared by every template.
pub struct Site {
    /// Pages and feeds to render.
    pub jobs: Vec<RenderJob>,
    /// Every page's summary, for deferred contexts.
    summaries: BTreeMap<String, PageSummary>,
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

/// Whether the computed site keeps the partner data, so that
/// [`Site::update_partner`] can redo one partner; a build does not need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerData {
    /// Dropped once the figures are computed.
    Drop,
    /// Kept with the site.
    Keep,
}

/// What [`Site::update_partner`] changed.
pub struct PartnerUpdate {
    /// The jobs to render again, as indices into [`Site::jobs`].
    pub jobs: Vec<usize>,
    /// True when a job's sources changed (a scorecard's recommendations).
    pub sources_changed: bool,
}

/// A reference to a catalogue entry or tag as templates see it.
#[derive(Debug, Clone, Serialize)]
struct TermRef {
    id: String,
    title: String,
    url: String,
}

#[derive(Debug, Clone, Serialize)]
struct LinkRef {
    title: String,
    url: String,
}

/// The short form of a page used in every listing.
#[derive(Debug, Clone, Serialize)]
struct PageSummary {
    title: String,
    summary: Option<String>,
    url: String,
    date: Option<String>,
    is_module: bool,
    level: Option<TermRef>,
    skills: Vec<TermRef>,
    workflows: Vec<TermRef>,
    tags: Vec<TermRef>,
    track: Option<TermRef>,
    duration_minutes: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
struct TrackNav {
    previous: Option<LinkRef>,
    next: Option<LinkRef>,
    position: usize,
    total: usize,
    track: TermRef,
}

#[derive(Serialize)]
struct PageView<'a> {
    #[serde(flatten)]
    summary: &'a PageSummary,
    /// Filled in with the rendered body, see [`Body`].
    content: &'a str,
    toc: &'a [TocEntry],
    prerequisites: &'a [LinkRef],
    track_nav: &'a Option<TrackNav>,
    reading_minutes: usize,
    section: &'a Option<LinkRef>,
    source_path: &'a str,
}

impl<'a> PageView<'a> {
    fn new(summary: &'a PageSummary, parts: &'a PageParts) -> PageView<'a> {
        PageView {
            summary,
            content: "",
            toc: &parts.toc,
            prerequisites: &parts.prerequisites,
            track_nav: &parts.track_nav,
            reading_minutes: parts.reading_minutes,
            section: &parts.section,
            source_path: &parts.source,
        }
    }
}

/// A recommended module as a page summary with its reasons.
#[derive(Serialize)]
struct RecommendationView<'a> {
    #[serde(flatten)]
    summary: &'a PageSummary,
    reasons: &'a [String],
}

/// A workflow's term with its adoption across partners (`adoption` first, as
/// the term's keys are in alphabetical order).
#[derive(Serialize)]
struct TermWithAdoption<'a> {
    adoption: Option<&'a scorecards::Adoption>,
    #[serde(flatten)]
    term: Value,
}

/// A scorecard: the partner view with its recommendations resolved.
#[derive(Serialize)]
struct PartnerPage<'a> {
    #[serde(flatten)]
    view: &'a scorecards::PartnerView,
    recommendations: Vec<RecommendationView<'a>>,
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    base_url: &'a str,
    base_path: &'a str,
}

#[derive(Serialize)]
struct NavItem {
    title: String,
    url: String,
    path: String,
}

/// Kinds of taxonomy and their URL roots.
const TAXONOMIES: [(&str, &str); 4] = [
    ("skills", "Skills"),
    ("workflows", "Workflows"),
    ("levels", "Levels"),
    ("tags", "Tags"),
];

/// Everything computed about the content, shared by the job builders.
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
    /// What the partner data says; none without partner files.
    ecosystem: Option<&'a Ecosystem>,
    /// The marker for every partner file (none without partner data): every
    /// aggregate page depends on all of them.
    partner_sources: BTreeSet<String>,
    /// Who the build is for.
    audience: &'a Audience,
}

/// Computes every page of the site.
pub fn compute(
    config: &Config,
    store: &ContentStore,
    partners: Vec<PartnerFile>,
    audience: &Audience,
    keep: PartnerData,
) -> Result<Site> {
    let targets = Arc::new(LinkTargets {
        base_path: config.base_path().to_string(),
        paths: store
            .pages
            .values()
            .map(|p| (p.source.clone(), p.path.clone()))
            .collect(),
        left_out: store.left_out.clone(),
        raw_html: config.markdown.html,
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
    let has_partners = !partners.is_empty();
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
        ecosystem: ecosystem.as_ref(),
        partner_sources: if has_partners {
            BTreeSet::from([PARTNERS_SOURCE.to_string()])
        } else {
            BTreeSet::new()
        },
        audience,
    };
    model.summaries = store
        .pages
        .values()
        .map(|page| (page.source.as_str(), model.summary(page)))
        .collect();
    model.summary_values = model
        .summaries
        .iter()
        .map(|(source, summary)| (*source, Value::from_serializable(summary)))
        .collect();
    model.tracks = config
        .tracks
        .iter()
        .map(|track| (track.id.clone(), order_track(store, &track.id)))
        .collect();
    model.track_positions = model
        .tracks
        .values()
        .flat_map(|order| order.iter().enumerate().map(|(i, source)| (*source, i)))
        .collect();
    let sections = collect_sections(store);
    model.nav = model.navigation(&sections);
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
        .map(|(source, summary)| (source.to_string(), summary))
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

fn partner_rows(ecosystem: Option<&Ecosystem>) -> Vec<Value> {
    ecosystem.map_or_else(Vec::new, |e| {
        e.partners
            .par_iter()
            .map(|view| Value::from_serializable(&view.summary))
            .collect()
    })
}

impl PageParts {
    /// The content source of the page.
    pub fn source(&self) -> &String {
        &self.source
    }
}

impl Site {
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

    /// Puts an edited partner file in place of the kept one and recomputes
    /// what depends on it (see [`scorecards::Ledger::update`]); returns the
    /// jobs showing those figures. `None`, with nothing changed, when the
    /// site was computed with [`PartnerData::Drop`] or the edit needs the
    /// whole site computed again.
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
        match recomputed {
            Recomputed::One(Some(at)) => {
                self.partner_rows[at] = Value::from_serializable(&ecosystem.partners[at].summary);
            }
            Recomputed::One(None) => {}
            Recomputed::Every => self.partner_rows = partner_rows(Some(ecosystem)),
        }
        let changed = |index: usize| match recomputed {
            Recomputed::One(shown) => shown == Some(index),
            Recomputed::Every => true,
        };
        let mut sources_changed = false;
        let jobs = self
            .jobs
            .iter_mut()
            .enumerate()
            .filter_map(|(i, job)| match &job.deferred {
                Some(Deferred::Partner(index)) if changed(*index) => {
                    let sources = scorecard_sources(&ecosystem.partners[*index]);
                    sources_changed |= sources != job.sources;
                    job.sources = sources;
                    Some(i)
                }
                Some(deferred) if deferred.adds_up_partners() => Some(i),
                _ => None,
            })
            .collect();
        Some(PartnerUpdate {
            jobs,
            sources_changed,
        })
    }

    /// The data exports made from the kept partner data; none when the site
    /// was computed with [`PartnerData::Drop`] or has no partner figures.
    pub fn partner_exports(&self, config: &Config) -> Vec<(String, Vec<u8>)> {
        match (&self.ledger, &self.ecosystem) {
            (Some(ledger), Some(ecosystem)) => ledger.exports(ecosystem, config),
            _ => Vec::new(),
        }
    }

    /// The whole context of `job` but its rendered Markdown.
    pub fn context<'s>(&'s self, job: &'s RenderJob) -> Cow<'s, Context> {
        let Some(deferred) = &job.deferred else {
            return Cow::Borrowed(&job.context);
        };
        let mut context = job.context.clone();
        match deferred {
            Deferred::Page(parts) => {
                if let Some(summary) = self.summaries.get(&parts.source) {
                    context.insert("page", &PageView::new(summary, parts));
                }
            }
            Deferred::Partner(index) => {
                if let Some(view) = self.ecosystem.as_ref().and_then(|e| e.partners.get(*index)) {
                    context.insert("partner", &self.partner_page(view));
                }
            }
            other => self.insert_partner_figures(&mut context, other),
        }
        Cow::Owned(context)
    }

    /// Puts the figures that add up every partner into `context`.
    fn insert_partner_figures(&self, context: &mut Context, deferred: &Deferred) {
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
                self.summaries
                    .get(r.source.as_str())
                    .map(|summary| RecommendationView {
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

/// Modules of a track in learning order.
fn order_track<'a>(store: &'a ContentStore, track: &str) -> Vec<&'a str> {
    learning_order(
        store
            .modules()
            .filter(|m| m.front.track.as_deref() == Some(track)),
    )
}

/// A folder's section page, explicit (`_index.md`) or implied by its pages.
#[derive(Debug, Clone)]
struct SectionInfo<'a> {
    folder: String,
    index: Option<&'a Page>,
    pages: Vec<&'a Page>,
    subsections: Vec<String>,
}

/// The folder a page is listed in.
fn parent_folder(page: &Page) -> &str {
    match page.kind {
        PageKind::Section => parent_of(&page.folder),
        _ if page.is_bundle => parent_of(&page.folder),
        _ => &page.folder,
    }
}

fn parent_of(folder: &str) -> &str {
    folder.rsplit_once('/').map_or("", |(parent, _)| parent)
}

fn collect_sections(store: &ContentStore) -> BTreeMap<String, SectionInfo<'_>> {
    let mut sections: BTreeMap<String, SectionInfo> = BTreeMap::new();
    let ensure = |folder: &str, sections: &mut BTreeMap<String, SectionInfo<'_>>| {
        let mut current = folder.to_string();
        loop {
            sections
                .entry(current.clone())
                .or_insert_with(|| SectionInfo {
                    folder: current.clone(),
                    index: None,
                    pages: Vec::new(),
                    subsections: Vec::new(),
                });
            if current.is_empty() {
                break;
            }
            current = parent_of(&current).to_string();
        }
    };
    ensure("", &mut sections);
    for page in store.pages.values() {
        match page.kind {
            PageKind::Section => {
                ensure(&page.folder, &mut sections);
                if let Some(section) = sections.get_mut(&page.folder) {
                    section.index = Some(page);
                }
            }
            _ => {
                let folder = parent_folder(page);
                ensure(folder, &mut sections);
                if let Some(section) = sections.get_mut(folder) {
                    section.pages.push(page);
                }
            }
        }
    }
    let folders: Vec<String> = sections.keys().filter(|f| !f.is_empty()).cloned().collect();
    for folder in folders {
        if let Some(parent) = sections.get_mut(parent_of(&folder)) {
            parent.subsections.push(folder);
        }
    }
    for section in sections.values_mut() {
        section.pages.sort_by(|a, b| {
            (a.front.weight, &a.title, &a.source).cmp(&(b.front.weight, &b.title, &b.source))
        });
    }
    sections
}

fn section_title(section: &SectionInfo) -> String {
    match section.index {
        Some(page) => page.title.clone(),
        None => {
            let name = section.folder.rsplit('/').next().unwrap_or("");
            let mut chars = name.replace(['-', '_'], " ").chars().collect::<Vec<_>>();
            if let Some(first) = chars.first_mut() {
                *first = first.to_ascii_uppercase();
            }
            chars.into_iter().collect()
        }
    }
}

fn section_path(folder: &str) -> String {
    if folder.is_empty() {
        "/".to_string()
    } else {
        format!("/{folder}/")
    }
}

/// `/modules/qbr/` → `modules/qbr/index.html`.
fn output_for(path: &str) -> String {
    format!("{}index.html", path.trim_start_matches('/'))
}

fn reading_minutes(words: usize) -> usize {
    words.div_ceil(220).max(1)
}

impl<'a> Model<'a> {
    fn url(&self, path: &str) -> String {
        self.targets.url(path)
    }

    /// The absolute URL of the page at `path`, percent-encoded: sitemaps,
    /// feeds and canonical links need a valid URL, and a content file name
    /// may hold spaces, quotes or any other character.
    fn absolute(&self, path: &str) -> String {
        let path = percent_encoding::utf8_percent_encode(path.trim_start_matches('/'), PATH);
        format!("{}{path}", self.config.base_url)
    }

    fn catalog_ref(&self, kind: &str, catalog: &[CatalogEntry], id: &str) -> TermRef {
        let title = catalog
            .iter()
            .find(|e| e.id == id)
            .map_or(id, |e| e.title.as_str());
        TermRef {
            id: id.to_string(),
            title: title.to_string(),
            url: self.url(&format!("/{kind}/{id}/")),
        }
    }

    fn tag_ref(&self, tag: &str) -> TermRef {
        let id = slugify(tag);
        TermRef {
            url: self.url(&format!("/tags/{id}/")),
            id,
            title: tag.to_string(),
        }
    }

    fn summary(&self, page: &Page) -> PageSummary {
        let front = &page.front;
        let config = self.config;
        PageSummary {
            title: page.title.clone(),
            summary: front.summary.clone(),
            url: self.url(&page.path),
            date: front.date.clone(),
            is_module: page.kind == PageKind::Module,
            level: front
                .level
                .as_ref()
                .map(|l| self.catalog_ref("levels", &config.levels, l)),
            skills: front
                .skills
                .iter()
                .map(|s| self.catalog_ref("skills", &config.skills, s))
                .collect(),
            workflows: front
                .workflows
                .iter()
                .map(|w| self.catalog_ref("workflows", &config.workflows, w))
                .collect(),
            tags: front.tags.iter().map(|t| self.tag_ref(t)).collect(),
            track: front
                .track
                .as_ref()
                .map(|t| self.catalog_ref("tracks", &config.tracks, t)),
            duration_minutes: front.duration_minutes,
        }
    }

    fn summary_value(&self, source: &str) -> Value {
        self.summary_values[source].clone()
    }

    fn link(&self, source: &str) -> LinkRef {
        let summary = &self.summaries[source];
        LinkRef {
            title: summary.title.clone(),
            url: summary.url.clone(),
        }
    }

    fn navigation(&self, sections: &BTreeMap<String, SectionInfo>) -> Vec<NavItem> {
        let mut items = vec![NavItem {
            title: "Home".to_string(),
            url: self.url("/"),
            path: "/".to_string(),
        }];
        let mut top: Vec<&SectionInfo> = sections
            .values()
            .filter(|s| !s.folder.is_empty() && !s.folder.contains('/'))
            .collect();
        top.sort_by_key(|s| (s.index.map_or(0, |p| p.front.weight), section_title(s)));
        for section in top {
            let path = section_path(&section.folder);
            items.push(NavItem {
                title: section_title(section),
                url: self.url(&path),
                path,
            });
        }
        if !self.config.tracks.is_empty() {
            items.push(NavItem {
                title: "Tracks".to_string(),
                url: self.url("/tracks/"),
                path: "/tracks/".to_string(),
            });
        }
        match self.ecosystem {
            Some(ecosystem) if ecosystem.report.is_some() => {
                for (title, path) in [
                    ("Partners", "/partners/"),
                    ("Executive summary", "/reports/executive/"),
                ] {
                    items.push(NavItem {
                        title: title.to_string(),
                        url: self.url(path),
                        path: path.to_string(),
                    });
                }
            }
            Some(ecosystem) => {
                for partner in &ecosystem.partners {
                    let path = format!("/partners/{}/", partner.summary.id);
                    items.push(NavItem {
                        title: "Your scorecard".to_string(),
                        url: self.url(&path),
                        path,
                    });
                }
            }
            None => {}
        }
        for (kind, title) in TAXONOMIES {
            if kind != "tags" || self.store.pages.values().any(|p| !p.front.tags.is_empty()) {
                let path = format!("/{kind}/");
                items.push(NavItem {
                    title: title.to_string(),
                    url: self.url(&path),
                    path,
                });
            }
        }
        items
    }

    /// A job with the per-page globals (`nav`, `current_path`, …) filled in.
    fn job(
        &self,
        path: &str,
        output: String,
        template: &'static str,
        kind: &str,
        sources: BTreeSet<String>,
    ) -> RenderJob {
        let mut context = Context::new();
        // The home item is current only on the home page, every other item on
        // all pages under its path. Those paths are distinct top-level
        // folders, so at most one item matches and one prepared variant of
        // the navigation per item serves every page.
        let current = self
            .nav
            .iter()
            .rposition(|item| {
                if item.path == "/" {
                    path == "/"
                } else {
                    path.starts_with(&item.path)
                }
            })
            .unwrap_or(self.nav.len());
        context.insert_value("nav", self.nav_values[current].clone());
        context.insert("current_path", path);
        context.insert("current_url", &self.absolute(path));
        context.insert("page_kind", kind);
        RenderJob {
            output,
            template,
            context,
            deferred: None,
            body: None,
            sources,
        }
    }

    /// The navigation with item `current` marked active.
    fn nav_value(&self, current: usize) -> Value {
        let items: Vec<Value> = self
            .nav
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let mut map = BTreeMap::<&str, Value>::new();
                map.insert("title", item.title.as_str().into());
                map.insert("url", item.url.as_str().into());
                map.insert("active", (i == current).into());
                Value::from_serializable(&map)
            })
            .collect();
        Value::from(items)
    }

    fn globals(&self) -> Context {
        let config = self.config;
        let mut context = Context::new();
        context.insert("program", &ProgramView::new(config, self.audience));
        let (kind, partner) = match self.audience {
            Audience::Internal => ("internal", None),
            Audience::Partner(id) => ("partner", Some(id.as_str())),
        };
        let mut audience = BTreeMap::<&str, Value>::new();
        audience.insert("kind", kind.into());
        audience.insert("partner", partner.into());
        context.insert_value("audience", Value::from_serializable(&audience));
        context.insert(
            "site",
            &SiteView {
                title: &config.title,
                description: &config.description,
                language: &config.language,
                base_url: &config.base_url,
                base_path: config.base_path(),
            },
        );
        let entries = |kind: &str, catalog: &[CatalogEntry]| -> Vec<Value> {
            catalog
                .iter()
                .map(|e| {
                    let mut map = BTreeMap::<&str, Value>::new();
                    map.insert("id", e.id.as_str().into());
                    map.insert("title", e.title.as_str().into());
                    map.insert("description", e.description.clone().into());
                    map.insert("url", self.url(&format!("/{kind}/{}/", e.id)).into());
                    Value::from_serializable(&map)
                })
                .collect()
        };
        let mut catalog = BTreeMap::<&str, Value>::new();
        catalog.insert("skills", entries("skills", &config.skills).into());
        catalog.insert("workflows", entries("workflows", &config.workflows).into());
        catalog.insert("levels", entries("levels", &config.levels).into());
        catalog.insert("tracks", entries("tracks", &config.tracks).into());
        context.insert_value("catalog", Value::from_serializable(&catalog));
        context.insert(
            "generator",
            &format!("proficio {}", env!("CARGO_PKG_VERSION")),
        );
        context
    }

    fn page_jobs(&self, jobs: &mut Vec<RenderJob>) {
        for page in self
            .store
            .pages
            .values()
            .filter(|p| p.kind != PageKind::Section)
        {
            let mut sources = BTreeSet::from([page.source.clone()]);
            let prerequisites: Vec<LinkRef> = page
                .front
                .prerequisites
                .iter()
                .filter_map(|id| self.store.module(id))
                .map(|m| {
                    sources.insert(m.source.clone());
                    self.link(&m.source)
                })
                .collect();
            let track_nav = self.track_nav(page, &mut sources);
            let parent = parent_folder(page);
            let section = self.store.pages.get(&index_key(parent)).map(|index| {
                sources.insert(index.source.clone());
                LinkRef {
                    title: index.title.clone(),
                    url: self.url(&index.path),
                }
            });
            let outline = &self.outlines[page.source.as_str()];
            let parts = PageParts {
                source: page.source.clone(),
                toc: outline.toc.clone(),
                prerequisites,
                track_nav,
                reading_minutes: reading_minutes(outline.word_count),
                section,
            };
            let (template, kind) = if page.kind == PageKind::Module {
                ("module.html", "module")
            } else {
                ("page.html", "page")
            };
            let mut job = self.job(&page.path, output_for(&page.path), template, kind, sources);
            job.deferred = Some(Deferred::Page(Box::new(parts)));
            job.body = Some(Body::Own {
                variable: "page",
                source: page.source.clone(),
            });
            jobs.push(job);
        }
    }

    fn track_nav(&self, page: &Page, sources: &mut BTreeSet<String>) -> Option<TrackNav> {
        let track = page.front.track.as_ref()?;
        let order = self.tracks.get(track)?;
        let position = *self.track_positions.get(page.source.as_str())?;
        // The order, and so the neighbours, can change with any module of the
        // track: one marker stands for all of them.
        sources.insert(format!("{TRACK_SOURCE_PREFIX}{track}"));
        Some(TrackNav {
            previous: position.checked_sub(1).map(|i| self.link(order[i])),
            next: order.get(position + 1).map(|s| self.link(s)),
            position: position + 1,
            total: order.len(),
            track: self.catalog_ref("tracks", &self.config.tracks, track),
        })
    }

    fn section_jobs(&self, sections: &BTreeMap<String, SectionInfo>, jobs: &mut Vec<RenderJob>) {
        for section in sections.values() {
            let path = section_path(&section.folder);
            let mut sources: BTreeSet<String> =
                section.pages.iter().map(|p| p.source.clone()).collect();
            let subsections: Vec<Value> = section
                .subsections
                .iter()
                .filter_map(|folder| sections.get(folder))
                .map(|sub| {
                    if let Some(index) = sub.index {
                        sources.insert(index.source.clone());
                    }
                    let mut map = BTreeMap::<&str, Value>::new();
                    map.insert("title", section_title(sub).into());
                    map.insert("url", self.url(&section_path(&sub.folder)).into());
                    map.insert(
                        "summary",
                        sub.index.and_then(|p| p.front.summary.clone()).into(),
                    );
                    Value::from_serializable(&map)
                })
                .collect();
            if let Some(index) = section.index {
                sources.insert(index.source.clone());
            }
            let mut view = BTreeMap::<&str, Value>::new();
            view.insert("title", section_title(section).into());
            view.insert(
                "summary",
                section.index.and_then(|p| p.front.summary.clone()).into(),
            );
            view.insert("content", "".into());
            view.insert("url", self.url(&path).into());
            let pages: Vec<Value> = section
                .pages
                .iter()
                .map(|p| self.summary_value(&p.source))
                .collect();
            view.insert("pages", pages.into());
            view.insert("subsections", subsections.into());
            let section_value = Value::from_serializable(&view);
            let mut job = if section.folder.is_empty() {
                self.home_job(sources)
            } else {
                self.job(&path, output_for(&path), "section.html", "section", sources)
            };
            job.context.insert_value("section", section_value);
            job.body = section.index.map(|index| Body::Own {
                variable: "section",
                source: index.source.clone(),
            });
            jobs.push(job);
        }
    }

    fn home_job(&self, mut sources: BTreeSet<String>) -> RenderJob {
        let mut modules: Vec<&Page> = self.store.modules().collect();
        modules.sort_by(|a, b| (&b.front.date, &a.title).cmp(&(&a.front.date, &b.title)));
        let recent: Vec<Value> = modules
            .iter()
            .take(5)
            .map(|m| self.summary_value(&m.source))
            .collect();
        sources.extend(modules.iter().take(5).map(|m| m.source.clone()));
        let tracks: Vec<Value> = self
            .config
            .tracks
            .iter()
            .map(|t| self.track_value(t, &mut sources))
            .collect();
        if self.ecosystem.is_some() {
            sources.extend(self.partner_sources.iter().cloned());
        }
        let mut job = self.job("/", "index.html".to_string(), "index.html", "home", sources);
        match self.ecosystem {
            Some(ecosystem) if ecosystem.report.is_some() => {
                job.deferred = Some(Deferred::HomeSummary);
            }
            // Only internal builds show figures adding up all partners.
            _ => job.context.insert("partners_summary", &None::<()>),
        }
        job.context.insert_value("tracks", Value::from(tracks));
        job.context
            .insert_value("recent_modules", Value::from(recent));
        job
    }

    fn track_value(&self, track: &CatalogEntry, sources: &mut BTreeSet<String>) -> Value {
        let order = self.tracks.get(&track.id).map_or(&[][..], Vec::as_slice);
        sources.extend(order.iter().map(|s| s.to_string()));
        let in_track: BTreeSet<&str> = order
            .iter()
            .map(|s| self.store.pages[*s].id.as_str())
            .collect();
        let mut external = BTreeSet::new();
        for source in order {
            for id in &self.store.pages[*source].front.prerequisites {
                if !in_track.contains(id.as_str())
                    && let Some(module) = self.store.module(id)
                {
                    sources.insert(module.source.clone());
                    external.insert(module.source.as_str());
                }
            }
        }
        let total_minutes: u32 = order
            .iter()
            .filter_map(|s| self.store.pages[*s].front.duration_minutes)
            .sum();
        let mut map = BTreeMap::<&str, Value>::new();
        map.insert("id", track.id.as_str().into());
        map.insert("title", track.title.as_str().into());
        map.insert("description", track.description.clone().into());
        map.insert("url", self.url(&format!("/tracks/{}/", track.id)).into());
        let modules: Vec<Value> = order.iter().map(|s| self.summary_value(s)).collect();
        map.insert("modules", modules.into());
        map.insert("total_minutes", total_minutes.into());
        let external: Vec<Value> = external
            .iter()
            .map(|s| Value::from_serializable(&self.link(s)))
            .collect();
        map.insert("external_prerequisites", external.into());
        Value::from_serializable(&map)
    }

    fn track_jobs(&self, jobs: &mut Vec<RenderJob>) {
        if self.config.tracks.is_empty() {
            return;
        }
        let mut all_sources = BTreeSet::new();
        let mut values = Vec::new();
        for track in &self.config.tracks {
            let mut sources = BTreeSet::new();
            let value = self.track_value(track, &mut sources);
            all_sources.extend(sources.iter().cloned());
            let path = format!("/tracks/{}/", track.id);
            let mut job = self.job(&path, output_for(&path), "track.html", "track", sources);
            job.context.insert_value("track", value.clone());
            jobs.push(job);
            values.push(value);
        }
        let mut job = self.job(
            "/tracks/",
            output_for("/tracks/"),
            "tracks.html",
            "tracks",
            all_sources,
        );
        job.context.insert_value("tracks", Value::from(values));
        jobs.push(job);
    }

    /// Terms of one taxonomy with the pages carrying each, in catalogue order
    /// (tags: alphabetical by slug).
    fn terms(&self, kind: &str) -> Vec<(String, String, Option<String>, Vec<&'a Page>)> {
        let catalog = match kind {
            "skills" => Some(&self.config.skills),
            "workflows" => Some(&self.config.workflows),
            "levels" => Some(&self.config.levels),
            _ => None,
        };
        let mut pages: Vec<&Page> = self
            .store
            .pages
            .values()
            .filter(|p| p.kind != PageKind::Section)
            .collect();
        pages.sort_by(|a, b| {
            (a.front.weight, &a.title, &a.source).cmp(&(b.front.weight, &b.title, &b.source))
        });
        match catalog {
            Some(catalog) => catalog
                .iter()
                .map(|entry| {
                    let carrying = pages
                        .iter()
                        .copied()
                        .filter(|p| match kind {
                            "skills" => p.front.skills.contains(&entry.id),
                            "workflows" => p.front.workflows.contains(&entry.id),
                            _ => p.front.level.as_deref() == Some(entry.id.as_str()),
                        })
                        .collect();
                    (
                        entry.id.clone(),
                        entry.title.clone(),
                        entry.description.clone(),
                        carrying,
                    )
                })
                .collect(),
            None => {
                let mut tags: BTreeMap<String, (String, Vec<&Page>)> = BTreeMap::new();
                for page in pages {
                    let mut seen = BTreeSet::new();
                    for tag in &page.front.tags {
                        let slug = slugify(tag);
                        if seen.insert(slug.clone()) {
                            tags.entry(slug)
                                .or_insert_with(|| (tag.clone(), Vec::new()))
                                .1
                                .push(page);
                        }
                    }
                }
                tags.into_iter()
                    .map(|(slug, (title, pages))| (slug, title, None, pages))
                    .collect()
            }
        }
    }

    fn taxonomy_jobs(&self, jobs: &mut Vec<RenderJob>) {
        for (kind, title) in TAXONOMIES {
            let terms = self.terms(kind);
            if kind == "tags" && terms.is_empty() {
                continue;
            }
            let list_path = format!("/{kind}/");
            let mut taxonomy = BTreeMap::<&str, Value>::new();
            taxonomy.insert("kind", kind.into());
            taxonomy.insert("title", title.into());
            taxonomy.insert("url", self.url(&list_path).into());
            let taxonomy = Value::from_serializable(&taxonomy);
            let mut all_sources = BTreeSet::new();
            let mut listed = Vec::new();
            for (id, term_title, description, pages) in &terms {
                let path = format!("/{kind}/{id}/");
                let mut sources: BTreeSet<String> =
                    pages.iter().map(|p| p.source.clone()).collect();
                all_sources.extend(sources.iter().cloned());
                let mut term = BTreeMap::<&str, Value>::new();
                term.insert("id", id.as_str().into());
                term.insert("title", term_title.as_str().into());
                term.insert("description", description.clone().into());
                term.insert("url", self.url(&path).into());
                term.insert("count", pages.len().into());
                listed.push(Value::from_serializable(&term));
                let summaries: Vec<Value> = pages
                    .iter()
                    .map(|p| self.summary_value(&p.source))
                    .collect();
                term.insert("pages", summaries.into());
                let adopted = self
                    .ecosystem
                    .filter(|_| kind == "workflows")
                    .is_some_and(|e| e.adoption.contains_key(id.as_str()));
                if adopted {
                    sources.extend(self.partner_sources.iter().cloned());
                } else {
                    term.insert("adoption", Value::none());
                }
                let mut job = self.job(&path, output_for(&path), "term.html", "term", sources);
                job.context.insert_value("taxonomy", taxonomy.clone());
                job.context
                    .insert_value("term", Value::from_serializable(&term));
                if adopted {
                    job.deferred = Some(Deferred::Adoption(id.clone()));
                }
                jobs.push(job);
            }
            let mut job = self.job(
                &list_path,
                output_for(&list_path),
                "taxonomy.html",
                "taxonomy",
                all_sources,
            );
            job.context.insert_value("taxonomy", taxonomy);
            job.context.insert_value("terms", Value::from(listed));
            jobs.push(job);
        }
    }

    /// One scorecard per partner shown; for internal builds also the partner
    /// list in each ordering and the executive summary.
    fn partner_jobs(&self, jobs: &mut Vec<RenderJob>) {
        let Some(ecosystem) = self.ecosystem else {
            return;
        };
        self.scorecard_jobs(ecosystem, jobs);
        if ecosystem.report.is_none() {
            return;
        }
        let exports: Vec<LinkRef> = [
            ("All metrics (JSON)", "/data/metrics.json"),
            ("Partners (CSV)", "/data/partners.csv"),
            ("KPIs by quarter (CSV)", "/data/kpis.csv"),
            ("Workflows (CSV)", "/data/workflows.csv"),
        ]
        .iter()
        .map(|(title, path)| LinkRef {
            title: title.to_string(),
            url: self.url(path),
        })
        .collect();
        self.partner_list_jobs(ecosystem, &exports, jobs);
        let path = "/reports/executive/";
        let mut job = self.job(
            path,
            output_for(path),
            "executive.html",
            "executive",
            self.partner_sources.clone(),
        );
        job.deferred = Some(Deferred::Executive);
        job.context.insert("exports", &exports);
        jobs.push(job);
    }

    fn partner_list_jobs(
        &self,
        ecosystem: &Ecosystem,
        exports: &[LinkRef],
        jobs: &mut Vec<RenderJob>,
    ) {
        let orderings = scorecards::orderings(ecosystem);
        for ordering in &orderings {
            let menu: Vec<Value> = orderings
                .iter()
                .map(|o| {
                    let mut map = BTreeMap::<&str, Value>::new();
                    map.insert("id", o.id.into());
                    map.insert("title", o.title.into());
                    map.insert("url", self.url(o.path).into());
                    map.insert("active", (o.id == ordering.id).into());
                    Value::from_serializable(&map)
                })
                .collect();
            let mut current = BTreeMap::<&str, Value>::new();
            current.insert("id", ordering.id.into());
            current.insert("title", ordering.title.into());
            let mut job = self.job(
                ordering.path,
                output_for(ordering.path),
                "partners.html",
                "partners",
                self.partner_sources.clone(),
            );
            job.deferred = Some(Deferred::PartnerList(ordering.id));
            job.context
                .insert_value("ordering", Value::from_serializable(&current));
            job.context.insert_value("orderings", Value::from(menu));
            job.context.insert("exports", exports);
            jobs.push(job);
        }
    }

    fn scorecard_jobs(&self, ecosystem: &Ecosystem, jobs: &mut Vec<RenderJob>) {
        for (index, partner) in ecosystem.partners.iter().enumerate() {
            let sources = scorecard_sources(partner);
            let path = format!("/partners/{}/", partner.summary.id);
            let mut job = self.job(&path, output_for(&path), "partner.html", "partner", sources);
            job.deferred = Some(Deferred::Partner(index));
            jobs.push(job);
        }
    }

    fn feed_jobs(&self, jobs: &mut Vec<RenderJob>) {
        let everything: BTreeSet<String> = self.store.pages.keys().cloned().collect();
        let dates: BTreeMap<&str, Option<String>> = self
            .store
            .pages
            .values()
            .map(|p| (p.path.as_str(), p.front.date.clone()))
            .collect();
        jobs.push(self.job(
            "/404.html",
            "404.html".to_string(),
            "404.html",
            "404",
            BTreeSet::new(),
        ));

        let mut entries: Vec<Value> = Vec::new();
        let mut paths: BTreeSet<String> = jobs
            .iter()
            .filter(|j| j.output.ends_with("index.html"))
            .map(|j| format!("/{}", j.output.trim_end_matches("index.html")))
            .collect();
        paths.insert("/".to_string());
        for path in paths {
            let lastmod = dates.get(path.as_str()).cloned().flatten();
            let mut map = BTreeMap::<&str, Value>::new();
            map.insert("url", self.absolute(&path).into());
            map.insert("lastmod", lastmod.into());
            entries.push(Value::from_serializable(&map));
        }
        let mut job = self.job(
            "/sitemap.xml",
            "sitemap.xml".to_string(),
            "sitemap.xml",
            "sitemap",
            everything.clone(),
        );
        job.context.insert_value("entries", Value::from(entries));
        jobs.push(job);

        let mut job = self.job(
            "/atom.xml",
            "atom.xml".to_string(),
            "atom.xml",
            "feed",
            everything,
        );
        let (feed, shown) = self.feed();
        job.context.insert_value("feed", feed);
        job.body = Some(Body::Entries {
            variable: "feed",
            sources: shown,
        });
        jobs.push(job);

        let mut job = self.job(
            "/robots.txt",
            "robots.txt".to_string(),
            "robots.txt",
            "robots",
            BTreeSet::new(),
        );
        job.context
            .insert("sitemap_url", &self.absolute("/sitemap.xml"));
        jobs.push(job);
    }

    /// The newest modules, newest first, and their sources; the feed's time is
    /// its newest entry's, never the clock's, so output stays byte-identical.
    fn feed(&self) -> (Value, Vec<String>) {
        let mut modules: Vec<&Page> = self.store.modules().collect();
        modules.sort_by(|a, b| {
            (&b.front.date, &a.title, &a.source).cmp(&(&a.front.date, &b.title, &b.source))
        });
        let rfc3339 = |date: &Option<String>| {
            format!("{}T00:00:00Z", date.as_deref().unwrap_or("1970-01-01"))
        };
        let updated = rfc3339(&modules.first().and_then(|m| m.front.date.clone()));
        modules.truncate(50);
        let entries: Vec<Value> = modules
            .iter()
            .map(|m| {
                let mut map = BTreeMap::<&str, Value>::new();
                map.insert("title", m.title.as_str().into());
                map.insert("url", self.absolute(&m.path).into());
                map.insert("updated", rfc3339(&m.front.date).into());
                map.insert("summary", m.front.summary.clone().into());
                map.insert("content", "".into());
                Value::from_serializable(&map)
            })
            .collect();
        let mut feed = BTreeMap::<&str, Value>::new();
        feed.insert("title", self.config.title.as_str().into());
        feed.insert("url", self.absolute("/atom.xml").into());
        feed.insert("site_url", self.config.base_url.as_str().into());
        feed.insert("updated", updated.into());
        feed.insert("entries", entries.into());
        let shown = modules.iter().map(|m| m.source.clone()).collect();
        (Value::from_serializable(&feed), shown)
    }
}

/// A scorecard depends on every partner file (through its share of the
/// program cost) and on the modules it recommends.
fn scorecard_sources(partner: &scorecards::PartnerView) -> BTreeSet<String> {
    let mut sources = BTreeSet::from([PARTNERS_SOURCE.to_string()]);
    sources.extend(partner.recommendations.iter().map(|r| r.source.clone()));
    sources
}

fn index_key(folder: &str) -> String {
    if folder.is_empty() {
        "_index.md".to_string()
    } else {
        format!("{folder}/_index.md")
    }
}
