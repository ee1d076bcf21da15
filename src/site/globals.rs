//! What every template sees besides the main menu: `site`, `program`,
//! `audience`, `catalog`, `footer_nav` and `generator`. A new site-wide value goes here
//! (and in `docs/templates.md`, "Context every template receives").

use serde::Serialize;
use tera::Context;

use crate::base::audience::Audience;
use crate::input::config::CatalogEntry;
use crate::partners::scorecards::ProgramView;
use crate::render::links::TermRef;

use super::Model;
use super::taxonomies::Taxonomy;
use super::views::TRACKS;

/// `site`: the portal as `site.toml` describes it.
#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    base_url: &'a str,
    base_path: &'a str,
    /// The search page's URL, when the site has search.
    search: Option<String>,
}

/// `audience`: who the build is for.
#[derive(Serialize)]
struct AudienceView<'a> {
    /// `internal` or `partner`.
    kind: &'static str,
    /// The partner's id, for a partner build.
    partner: Option<&'a str>,
}

/// `catalog`: the catalogues of `site.toml`, each in its order.
#[derive(Serialize)]
struct CatalogView<'a> {
    levels: Vec<CatalogEntryView<'a>>,
    skills: Vec<CatalogEntryView<'a>>,
    tracks: Vec<CatalogEntryView<'a>>,
    workflows: Vec<CatalogEntryView<'a>>,
}

/// A catalogue entry: `{description, id, title, url}`.
#[derive(Serialize)]
struct CatalogEntryView<'a> {
    description: &'a Option<String>,
    #[serde(flatten)]
    term: TermRef,
}

impl<'a> Model<'a> {
    pub(super) fn globals(&self) -> Context {
        let config = self.config;
        let mut context = Context::new();
        context.insert("program", &ProgramView::new(config, self.audience));
        let audience = match self.audience {
            Audience::Internal => AudienceView {
                kind: "internal",
                partner: None,
            },
            Audience::Partner(id) => AudienceView {
                kind: "partner",
                partner: Some(id),
            },
        };
        context.insert("audience", &audience);
        context.insert(
            "site",
            &SiteView {
                title: &config.title,
                description: &config.description,
                language: &config.language,
                base_url: &config.base_url,
                base_path: config.base_path(),
                search: config.search.enabled.then(|| self.url("/search/")),
            },
        );
        let entries = |root: &str, catalog: &'a [CatalogEntry]| -> Vec<CatalogEntryView<'a>> {
            catalog
                .iter()
                .map(|e| CatalogEntryView {
                    description: &e.description,
                    term: self.catalog_ref(root, catalog, &e.id),
                })
                .collect()
        };
        let taxonomy = |t: Taxonomy| entries(t.slug(), t.catalog(config).unwrap_or(&[]));
        let catalog = CatalogView {
            levels: taxonomy(Taxonomy::Levels),
            skills: taxonomy(Taxonomy::Skills),
            tracks: entries(TRACKS, &config.tracks),
            workflows: taxonomy(Taxonomy::Workflows),
        };
        context.insert("catalog", &catalog);
        context.insert_value("footer_nav", self.footer_nav_value());
        context.insert(
            "generator",
            &format!("proficio {}", env!("CARGO_PKG_VERSION")),
        );
        context
    }
}
