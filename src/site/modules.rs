//! Module pages (`module.html`) and plain pages (`page.html`): one page per
//! content file that is not a section, with its summary, table of contents,
//! reading time, prerequisites, section and place in its track. The page's
//! view is made at render time (see [`Deferred::Page`]). A new kind of
//! content page goes here.

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::input::content::{Page, PageKind};
use crate::render::bodies::Body;
use crate::render::links::Ref;
use crate::render::markdown::TocEntry;

use super::sections::{index_key, parent_folder};
use super::tracks::TrackNav;
use super::views::PageSummary;
use super::{Deferred, Model, RenderJob, Site, output_for};

/// What a page's view holds besides its summary and its body.
#[derive(Debug, Clone)]
pub struct PageParts {
    pub(super) source: String,
    pub(super) toc: Vec<TocEntry>,
    prerequisites: Vec<Ref>,
    track_nav: Option<TrackNav>,
    pub(super) reading_minutes: usize,
    section: Option<Ref>,
}

impl PageParts {
    /// The content source of the page.
    pub fn source(&self) -> &String {
        &self.source
    }
}

/// `page` in `module.html` and `page.html`: the page's summary and the rest.
#[derive(Serialize)]
struct PageView<'a> {
    #[serde(flatten)]
    summary: &'a PageSummary,
    /// Filled in with the rendered body, see [`Body`].
    content: &'a str,
    toc: &'a [TocEntry],
    prerequisites: &'a [Ref],
    track_nav: &'a Option<TrackNav>,
    reading_minutes: usize,
    section: &'a Option<Ref>,
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

/// Minutes to read `words` words, at least one.
pub(super) fn reading_minutes(words: usize) -> usize {
    words.div_ceil(220).max(1)
}

impl<'a> Model<'a> {
    pub(super) fn page_jobs(&self, jobs: &mut Vec<RenderJob>) {
        let pages: Vec<_> = self
            .store
            .pages
            .values()
            .filter(|p| p.kind != PageKind::Section)
            .collect();
        // Each job depends only on its page and the model: made in
        // parallel, kept in the pages' order.
        jobs.par_extend(pages.into_par_iter().map(|page| self.page_job(page)));
    }

    fn page_job(&self, page: &Page) -> RenderJob {
        let prerequisites: Vec<Ref> = page
            .front
            .prerequisites
            .iter()
            .filter_map(|id| self.store.module(id))
            .map(|m| self.link(&m.source))
            .collect();
        let track_nav = self.track_nav(page);
        let parent = parent_folder(page);
        let section = self.store.pages.get(&index_key(parent)).map(|index| Ref {
            title: index.title.clone(),
            url: self.url(&index.path),
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
        let mut job = self.job(&page.path, output_for(&page.path), template, kind);
        job.deferred = Some(Deferred::Page(Box::new(parts)));
        job.body = Some(Body::Own {
            variable: "page",
            source: page.source.clone(),
        });
        job
    }
}

impl Site {
    /// Puts the view of the page `parts` describes into `context`.
    pub(super) fn insert_page(&self, context: &mut Context, parts: &PageParts) {
        if let Some(summary) = self.summary(&parts.source) {
            context.insert("page", &PageView::new(summary, parts));
        }
    }
}
