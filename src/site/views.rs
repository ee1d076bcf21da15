//! The shapes every page family's templates share: the [`PageSummary`]
//! every listing shows, and how the model makes it and the links
//! ([`Ref`], [`TermRef`], from [`crate::render::links`]) to pages, catalogue
//! entries and tags. `docs/templates.md` ("Shared shapes") documents them
//! for theme authors; a shape used by more than one page family goes here.

use serde::Serialize;

use crate::base::text::slugify;
use crate::input::config::CatalogEntry;
use crate::input::content::{Page, PageKind};
use crate::render::links::{Ref, TermRef};

use super::Model;
use super::taxonomies::Taxonomy;

/// The short form of a page used in every listing.
#[derive(Debug, Clone, Serialize)]
pub(super) struct PageSummary {
    pub(super) title: String,
    summary: Option<String>,
    pub(super) url: String,
    date: Option<String>,
    is_module: bool,
    level: Option<TermRef>,
    skills: Vec<TermRef>,
    workflows: Vec<TermRef>,
    tags: Vec<TermRef>,
    track: Option<TermRef>,
    duration_minutes: Option<u32>,
}

/// The URL root of the track pages, which are catalogue entries but no
/// taxonomy.
pub(super) const TRACKS: &str = "tracks";

impl<'a> Model<'a> {
    /// The reference to entry `id` of `catalog`, whose pages are under
    /// `/<root>/`; an id the catalogue lacks is its own title.
    pub(super) fn catalog_ref(&self, root: &str, catalog: &[CatalogEntry], id: &str) -> TermRef {
        let title = catalog
            .iter()
            .find(|e| e.id == id)
            .map_or(id, |e| e.title.as_str());
        TermRef {
            id: id.to_string(),
            link: Ref {
                title: title.to_string(),
                url: self.url(&format!("/{root}/{id}/")),
            },
        }
    }

    fn tag_ref(&self, tag: &str) -> TermRef {
        let id = slugify(tag);
        TermRef {
            link: Ref {
                title: tag.to_string(),
                url: self.url(&format!("/{}/{id}/", Taxonomy::Tags.slug())),
            },
            id,
        }
    }

    pub(super) fn summary(&self, page: &Page) -> PageSummary {
        let front = &page.front;
        let config = self.config;
        let term = |taxonomy: Taxonomy, id: &str| {
            self.catalog_ref(taxonomy.slug(), taxonomy.catalog(config).unwrap_or(&[]), id)
        };
        PageSummary {
            title: page.title.clone(),
            summary: front.summary.clone(),
            url: self.url(&page.path),
            date: front.date.clone(),
            is_module: page.kind == PageKind::Module,
            level: front.level.as_ref().map(|l| term(Taxonomy::Levels, l)),
            skills: front
                .skills
                .iter()
                .map(|s| term(Taxonomy::Skills, s))
                .collect(),
            workflows: front
                .workflows
                .iter()
                .map(|w| term(Taxonomy::Workflows, w))
                .collect(),
            tags: front.tags.iter().map(|t| self.tag_ref(t)).collect(),
            track: front
                .track
                .as_ref()
                .map(|t| self.catalog_ref(TRACKS, &config.tracks, t)),
            duration_minutes: front.duration_minutes,
        }
    }

    /// A link to the page `source`.
    pub(super) fn link(&self, source: &str) -> Ref {
        let summary = &self.summaries[source];
        Ref {
            title: summary.title.clone(),
            url: summary.url.clone(),
        }
    }
}
