//! Section pages and the home page: every content folder is a section
//! (explicit with an `_index.md`, or implied by its pages) listing its pages
//! and subsections (`section.html`); the root section is the home page
//! (`index.html`) with the tracks, the newest modules and the partner
//! figures. A new listing of folders goes here.

use std::collections::BTreeMap;

use serde::Serialize;
use tera::Value;

use crate::input::content::{ContentStore, Page, PageKind, humanise};
use crate::render::bodies::Body;
use crate::render::links::Ref;

use super::filters::FilterGroup;
use super::{Deferred, Model, RenderJob, output_for};

/// A folder's section page, explicit (`_index.md`) or implied by its pages;
/// its pages and subsections in the order they are listed.
#[derive(Debug, Clone)]
pub(super) struct SectionInfo<'a> {
    pub(super) folder: String,
    pub(super) index: Option<&'a Page>,
    pages: Vec<&'a Page>,
    subsections: Vec<String>,
}

/// `section` in `section.html` and `index.html`.
#[derive(Serialize)]
struct SectionView {
    /// Filled in with the rendered `_index.md`, see [`Body`].
    content: &'static str,
    /// The filters of the listed modules, see [`Model::module_filters`].
    filters: Vec<FilterGroup>,
    pages: Vec<Value>,
    subsections: Vec<SubsectionView>,
    summary: Option<String>,
    title: String,
    url: String,
}

/// A subsection in a section's `subsections`: `{summary, title, url}`.
#[derive(Serialize)]
struct SubsectionView {
    summary: Option<String>,
    #[serde(flatten)]
    link: Ref,
}

/// The folder a page is listed in.
pub(super) fn parent_folder(page: &Page) -> &str {
    match page.kind {
        PageKind::Section => parent_of(&page.folder),
        _ if page.is_bundle => parent_of(&page.folder),
        _ => &page.folder,
    }
}

fn parent_of(folder: &str) -> &str {
    folder.rsplit_once('/').map_or("", |(parent, _)| parent)
}

/// The content key of the `_index.md` of `folder`.
pub(super) fn index_key(folder: &str) -> String {
    if folder.is_empty() {
        "_index.md".to_string()
    } else {
        format!("{folder}/_index.md")
    }
}

pub(super) fn collect_sections(store: &ContentStore) -> BTreeMap<String, SectionInfo<'_>> {
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
    let mut folders: Vec<(i64, String, String)> = sections
        .values()
        .filter(|s| !s.folder.is_empty())
        .map(section_order)
        .collect();
    folders.sort();
    for (_, _, folder) in folders {
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

/// Where a section stands among its siblings: by the `weight` of its
/// `_index.md` (0 without one), then title, then folder.
pub(super) fn section_order(section: &SectionInfo) -> (i64, String, String) {
    (
        section.index.map_or(0, |p| p.front.weight),
        section_title(section),
        section.folder.clone(),
    )
}

/// The title of an `_index.md`, or the folder's name made readable (none
/// for the home page).
pub(super) fn section_title(section: &SectionInfo) -> String {
    match section.index {
        Some(page) => page.title.clone(),
        // A home page without `_index.md` has no title of its own: templates
        // show the site's.
        None if section.folder.is_empty() => String::new(),
        None => humanise(section.folder.rsplit('/').next().unwrap_or("")),
    }
}

pub(super) fn section_path(folder: &str) -> String {
    if folder.is_empty() {
        "/".to_string()
    } else {
        format!("/{folder}/")
    }
}

impl<'a> Model<'a> {
    pub(super) fn section_jobs(
        &self,
        sections: &BTreeMap<String, SectionInfo>,
        jobs: &mut Vec<RenderJob>,
    ) {
        for section in sections.values() {
            let path = section_path(&section.folder);
            let subsections: Vec<SubsectionView> = section
                .subsections
                .iter()
                .filter_map(|folder| sections.get(folder))
                .map(|sub| SubsectionView {
                    summary: sub.index.and_then(|p| p.front.summary.clone()),
                    link: Ref {
                        title: section_title(sub),
                        url: self.url(&section_path(&sub.folder)),
                    },
                })
                .collect();
            let view = SectionView {
                content: "",
                filters: self.module_filters(&section.pages),
                pages: self.summary_values(&section.pages),
                subsections,
                summary: section.index.and_then(|p| p.front.summary.clone()),
                title: section_title(section),
                url: self.url(&path),
            };
            let mut job = if section.folder.is_empty() {
                self.home_job()
            } else {
                self.job(&path, output_for(&path), "section.html", "section")
            };
            job.context.insert("section", &view);
            job.body = section.index.map(|index| Body::Own {
                variable: "section",
                source: index.source.clone(),
            });
            jobs.push(job);
        }
    }

    fn home_job(&self) -> RenderJob {
        let mut modules: Vec<&Page> = self.store.modules().collect();
        modules.sort_by(|a, b| (&b.front.date, &a.title).cmp(&(&a.front.date, &b.title)));
        modules.truncate(5);
        let tracks: Vec<Value> = self
            .config
            .tracks
            .iter()
            .map(|t| self.track_value(t))
            .collect();
        let mut job = self.job("/", "index.html".to_string(), "index.html", "home");
        match self.ecosystem {
            Some(ecosystem) if ecosystem.report.is_some() => {
                job.deferred = Some(Deferred::HomeSummary);
            }
            // Only internal builds show figures adding up all partners.
            _ => job.context.insert("partners_summary", &None::<()>),
        }
        job.context.insert_value("tracks", Value::from(tracks));
        job.context
            .insert_value("recent_modules", Value::from(self.summary_values(&modules)));
        job
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::content::parse_page;
    use std::sync::Arc;

    #[test]
    fn a_folder_has_one_title_with_or_without_an_untitled_index() {
        let index = parse_page(
            "how-to_guides/_index.md",
            Arc::from("Intro.\n"),
            &crate::input::limits::Limits::default(),
        )
        .expect("page");
        let implied = SectionInfo {
            folder: "how-to_guides".to_string(),
            index: None,
            pages: Vec::new(),
            subsections: Vec::new(),
        };
        let explicit = SectionInfo {
            index: Some(&index),
            ..implied.clone()
        };
        assert_eq!(section_title(&implied), "How to guides");
        assert_eq!(section_title(&explicit), "How to guides");
        let home = SectionInfo {
            folder: String::new(),
            ..implied
        };
        assert_eq!(section_title(&home), "", "the site's title stands in");
    }
}
