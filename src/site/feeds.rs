//! Files for machines, the 404 page and the search page: the sitemap
//! (`sitemap.xml`, every page with its date), the Atom feed of the newest
//! modules (`atom.xml`), `robots.txt`, `404.html` and `search/index.html`. Their URLs are absolute. A new generated
//! file made with a template goes here; one made without (a data export)
//! belongs to the stage that owns its data.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::input::content::Page;
use crate::render::bodies::Body;

use super::{Model, RenderJob};

/// A page in `entries` of `sitemap.xml`.
#[derive(Serialize)]
struct SitemapEntry {
    lastmod: Option<String>,
    url: String,
}

/// `feed` in `atom.xml`.
#[derive(Serialize)]
struct Feed<'a> {
    entries: Vec<FeedEntry<'a>>,
    site_url: &'a str,
    title: &'a str,
    updated: String,
    url: String,
}

/// A module in the feed's `entries`.
#[derive(Serialize)]
struct FeedEntry<'a> {
    /// Filled in with the rendered body, see [`Body::Entries`].
    content: &'static str,
    summary: &'a Option<String>,
    title: &'a str,
    updated: String,
    url: String,
}

/// A date as the feed writes it: midnight UTC; an undated module is from
/// the epoch.
fn rfc3339(date: &Option<String>) -> String {
    format!("{}T00:00:00Z", date.as_deref().unwrap_or("1970-01-01"))
}

impl<'a> Model<'a> {
    /// The 404 page, the sitemap (of every page in `jobs`), the feed and
    /// `robots.txt`.
    pub(super) fn feed_jobs(&self, jobs: &mut Vec<RenderJob>) {
        jobs.push(self.job("/404.html", "404.html".to_string(), "404.html", "404"));

        // After the sitemap's entries: the search page is no content.
        let entries = self.sitemap(jobs);
        if self.config.search.enabled {
            jobs.push(self.job(
                "/search/",
                "search/index.html".to_string(),
                "search.html",
                "search",
            ));
        }
        let mut job = self.job(
            "/sitemap.xml",
            "sitemap.xml".to_string(),
            "sitemap.xml",
            "sitemap",
        );
        job.context.insert("entries", &entries);
        jobs.push(job);

        let mut job = self.job("/atom.xml", "atom.xml".to_string(), "atom.xml", "feed");
        let (feed, shown) = self.feed();
        job.context.insert("feed", &feed);
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
        );
        job.context
            .insert("sitemap_url", &self.absolute("/sitemap.xml"));
        jobs.push(job);
    }

    /// Every page among `jobs` and the home page, by path, with its date.
    fn sitemap(&self, jobs: &[RenderJob]) -> Vec<SitemapEntry> {
        let dates: BTreeMap<&str, &Option<String>> = self
            .store
            .pages
            .values()
            .map(|p| (p.path.as_str(), &p.front.date))
            .collect();
        let mut paths: BTreeSet<String> = jobs
            .iter()
            .filter(|j| j.output.ends_with("index.html"))
            .map(|j| format!("/{}", j.output.trim_end_matches("index.html")))
            .collect();
        paths.insert("/".to_string());
        paths
            .into_iter()
            .map(|path| SitemapEntry {
                lastmod: dates.get(path.as_str()).and_then(|d| (*d).clone()),
                url: self.absolute(&path),
            })
            .collect()
    }

    /// The newest modules, newest first, and their sources; the feed's time is
    /// its newest entry's, never the clock's, so output stays byte-identical.
    fn feed(&self) -> (Feed<'_>, Vec<String>) {
        let mut modules: Vec<&Page> = self.store.modules().collect();
        modules.sort_by(|a, b| {
            (&b.front.date, &a.title, &a.source).cmp(&(&a.front.date, &b.title, &b.source))
        });
        let updated = rfc3339(&modules.first().and_then(|m| m.front.date.clone()));
        modules.truncate(50);
        let entries = modules
            .iter()
            .map(|m| FeedEntry {
                content: "",
                summary: &m.front.summary,
                title: &m.title,
                updated: rfc3339(&m.front.date),
                url: self.absolute(&m.path),
            })
            .collect();
        let feed = Feed {
            entries,
            site_url: &self.config.base_url,
            title: &self.config.title,
            updated,
            url: self.absolute("/atom.xml"),
        };
        let shown = modules.iter().map(|m| m.source.clone()).collect();
        (feed, shown)
    }
}
