//! Taxonomy pages: for each [`Taxonomy`] (skills, workflows, levels, tags)
//! the list of its terms (`taxonomy.html`) and one page per term with the
//! pages filed under it (`term.html`), workflow terms with their adoption
//! across partners. A new way of filing pages is a new [`Taxonomy`] variant.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use tera::Value;

use crate::base::text::slugify;
use crate::input::config::{CatalogEntry, Config};
use crate::input::content::{Page, PageKind};
use crate::partners::scorecards;

use super::{Deferred, Model, RenderJob, output_for};

/// A way pages are filed: a catalogue from `site.toml`, or free tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Taxonomy {
    Skills,
    Workflows,
    Levels,
    Tags,
}

impl Taxonomy {
    /// Every taxonomy, in the order of the navigation and the build.
    pub(super) const ALL: [Taxonomy; 4] = [
        Taxonomy::Skills,
        Taxonomy::Workflows,
        Taxonomy::Levels,
        Taxonomy::Tags,
    ];

    /// The URL root of its pages and its `kind` in templates: `skills`.
    pub(super) const fn slug(self) -> &'static str {
        match self {
            Taxonomy::Skills => "skills",
            Taxonomy::Workflows => "workflows",
            Taxonomy::Levels => "levels",
            Taxonomy::Tags => "tags",
        }
    }

    /// Its display name: `Skills`.
    pub(super) fn title(self) -> &'static str {
        match self {
            Taxonomy::Skills => "Skills",
            Taxonomy::Workflows => "Workflows",
            Taxonomy::Levels => "Levels",
            Taxonomy::Tags => "Tags",
        }
    }

    /// Its catalogue in `site.toml`; tags have none.
    pub(super) fn catalog(self, config: &Config) -> Option<&[CatalogEntry]> {
        match self {
            Taxonomy::Skills => Some(&config.skills),
            Taxonomy::Workflows => Some(&config.workflows),
            Taxonomy::Levels => Some(&config.levels),
            Taxonomy::Tags => None,
        }
    }

    /// True when `page` is filed under the catalogue entry `id`.
    fn files(self, page: &Page, id: &str) -> bool {
        match self {
            Taxonomy::Skills => page.front.skills.iter().any(|s| s == id),
            Taxonomy::Workflows => page.front.workflows.iter().any(|w| w == id),
            Taxonomy::Levels => page.front.level.as_deref() == Some(id),
            // Tags have no catalogue: `terms` files pages by their tags.
            Taxonomy::Tags => false,
        }
    }
}

/// One term of a taxonomy with the pages filed under it.
struct Term<'a> {
    id: String,
    title: String,
    description: Option<String>,
    pages: Vec<&'a Page>,
}

/// `taxonomy` in both taxonomy templates.
#[derive(Serialize)]
struct TaxonomyView {
    kind: &'static str,
    title: &'static str,
    url: String,
}

/// A term in `terms` of `taxonomy.html`, and, with its pages, `term` of
/// `term.html` (which [`TermWithAdoption`] completes).
#[derive(Serialize)]
struct TermView<'t> {
    count: usize,
    description: &'t Option<String>,
    id: &'t str,
    /// The term's pages' summaries: only on the term's own page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pages: Option<Vec<Value>>,
    title: &'t str,
    url: String,
}

/// `term` of a workflow's `term.html` with its adoption across partners
/// (`adoption` first, as the other keys are in alphabetical order); none on
/// other terms and without partner data.
#[derive(Serialize)]
pub(super) struct TermWithAdoption<'a, T> {
    pub(super) adoption: Option<&'a scorecards::Adoption>,
    #[serde(flatten)]
    pub(super) term: T,
}

impl<'a> Model<'a> {
    /// Terms of one taxonomy with the pages carrying each, in catalogue order
    /// (tags: alphabetical by slug).
    fn terms(&self, taxonomy: Taxonomy) -> Vec<Term<'a>> {
        let mut pages: Vec<&Page> = self
            .store
            .pages
            .values()
            .filter(|p| p.kind != PageKind::Section)
            .collect();
        pages.sort_by(|a, b| {
            (a.front.weight, &a.title, &a.source).cmp(&(b.front.weight, &b.title, &b.source))
        });
        match taxonomy.catalog(self.config) {
            Some(catalog) => catalog
                .iter()
                .map(|entry| Term {
                    id: entry.id.clone(),
                    title: entry.title.clone(),
                    description: entry.description.clone(),
                    pages: pages
                        .iter()
                        .copied()
                        .filter(|p| taxonomy.files(p, &entry.id))
                        .collect(),
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
                    .map(|(id, (title, pages))| Term {
                        id,
                        title,
                        description: None,
                        pages,
                    })
                    .collect()
            }
        }
    }

    pub(super) fn taxonomy_jobs(&self, jobs: &mut Vec<RenderJob>) {
        for taxonomy in Taxonomy::ALL {
            let terms = self.terms(taxonomy);
            if taxonomy == Taxonomy::Tags && terms.is_empty() {
                continue;
            }
            let list_path = format!("/{}/", taxonomy.slug());
            let view = Value::from_serializable(&TaxonomyView {
                kind: taxonomy.slug(),
                title: taxonomy.title(),
                url: self.url(&list_path),
            });
            let mut listed = Vec::new();
            for term in &terms {
                jobs.push(self.term_job(taxonomy, &view, term, &mut listed));
            }
            let mut job = self.job(
                &list_path,
                output_for(&list_path),
                "taxonomy.html",
                "taxonomy",
            );
            job.context.insert_value("taxonomy", view);
            job.context.insert_value("terms", Value::from(listed));
            jobs.push(job);
        }
    }

    /// The page of `term` (`view` being its taxonomy's); its entry in the
    /// taxonomy's list goes to `listed`.
    fn term_job(
        &self,
        taxonomy: Taxonomy,
        view: &Value,
        term: &Term,
        listed: &mut Vec<Value>,
    ) -> RenderJob {
        let path = format!("/{}/{}/", taxonomy.slug(), term.id);
        let mut term_view = TermView {
            count: term.pages.len(),
            description: &term.description,
            id: &term.id,
            pages: None,
            title: &term.title,
            url: self.url(&path),
        };
        listed.push(Value::from_serializable(&term_view));
        term_view.pages = Some(self.summary_values(&term.pages));
        let adopted = self
            .ecosystem
            .filter(|_| taxonomy == Taxonomy::Workflows)
            .is_some_and(|e| e.adoption.contains_key(term.id.as_str()));
        let mut job = self.job(&path, output_for(&path), "term.html", "term");
        job.context.insert_value("taxonomy", view.clone());
        if adopted {
            // The adoption adds up every partner: made at render time.
            job.context.insert("term", &term_view);
            job.deferred = Some(Deferred::Adoption(term.id.clone()));
        } else {
            let term = TermWithAdoption {
                adoption: None,
                term: &term_view,
            };
            job.context.insert("term", &term);
        }
        job
    }
}
