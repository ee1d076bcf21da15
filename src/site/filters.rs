//! The filters of a list of modules (`section.filters`): for each of level,
//! track, skill and workflow, the catalogue entries the listed modules use,
//! in the catalogue's order, with how many modules each has. A filter value
//! is a link to the entry's own page, so filtering works without
//! JavaScript; the theme's reader script turns the links into toggles that
//! filter the cards in place. A new filter goes in [`FILTERS`].

use serde::Serialize;

use crate::input::config::{CatalogEntry, Config};
use crate::input::content::{Page, PageKind};
use crate::render::links::TermRef;

use super::Model;
use super::taxonomies::Taxonomy;
use super::views::TRACKS;

/// One filter: its name (as in the cards' `data-<name>` attributes), its
/// label, and its values.
#[derive(Serialize)]
pub(super) struct FilterGroup {
    name: &'static str,
    label: &'static str,
    values: Vec<FilterValue>,
}

/// A catalogue entry (`{id, title, url}`) and how many listed modules it has.
#[derive(Serialize)]
struct FilterValue {
    #[serde(flatten)]
    term: TermRef,
    count: usize,
}

/// A filter: name, label, where its entries' pages are, its catalogue, and
/// the entries a module is filed under.
type Filter = (
    &'static str,
    &'static str,
    &'static str,
    fn(&Config) -> &[CatalogEntry],
    fn(&Page) -> Vec<&str>,
);

const FILTERS: [Filter; 4] = [
    (
        "level",
        "Level",
        Taxonomy::Levels.slug(),
        |c| &c.levels,
        |p| p.front.level.as_deref().into_iter().collect(),
    ),
    (
        "track",
        "Track",
        TRACKS,
        |c| &c.tracks,
        |p| p.front.track.as_deref().into_iter().collect(),
    ),
    (
        "skill",
        "Skill",
        Taxonomy::Skills.slug(),
        |c| &c.skills,
        |p| p.front.skills.iter().map(String::as_str).collect(),
    ),
    (
        "workflow",
        "Workflow",
        Taxonomy::Workflows.slug(),
        |c| &c.workflows,
        |p| p.front.workflows.iter().map(String::as_str).collect(),
    ),
];

impl Model<'_> {
    /// The filters of `pages`, or none when they hold fewer than two
    /// modules (there is nothing to narrow).
    pub(super) fn module_filters(&self, pages: &[&Page]) -> Vec<FilterGroup> {
        let modules: Vec<&Page> = pages
            .iter()
            .copied()
            .filter(|page| page.kind == PageKind::Module)
            .collect();
        if modules.len() < 2 {
            return Vec::new();
        }
        FILTERS
            .iter()
            .map(|(name, label, root, catalog, filed_under)| {
                let catalog = catalog(self.config);
                let values = catalog
                    .iter()
                    .map(|entry| {
                        let count = modules
                            .iter()
                            .filter(|page| filed_under(page).contains(&entry.id.as_str()))
                            .count();
                        (entry, count)
                    })
                    .filter(|(_, count)| *count > 0)
                    .map(|(entry, count)| FilterValue {
                        term: self.catalog_ref(root, catalog, &entry.id),
                        count,
                    })
                    .collect();
                FilterGroup {
                    name,
                    label,
                    values,
                }
            })
            .filter(|group| !group.values.is_empty())
            .collect()
    }
}
