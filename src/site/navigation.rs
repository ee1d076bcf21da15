//! The navigation every template receives. `nav`, the readers' main menu:
//! Home, the top-level sections, Tracks, the partner pages and the
//! taxonomies, with the item the current page is at or under marked active.
//! `footer_nav`: the top-level sections whose `_index.md` says `menu:
//! footer` (guides for the portal's writers), linked from the footer only,
//! so the readers' menu stays short. A new page type that belongs in a menu
//! adds its item here.

use std::collections::BTreeMap;

use serde::Serialize;
use tera::Value;

use crate::render::links::Ref;

use super::Model;
use super::sections::{SectionInfo, section_order, section_path, section_title};
use super::taxonomies::Taxonomy;

/// One item of the navigation.
pub(super) struct NavItem {
    link: Ref,
    /// The path the item's pages are at or under, without the base path.
    path: String,
}

/// A navigation item as templates see it: `{active, title, url}`.
#[derive(Serialize)]
struct NavView<'a> {
    active: bool,
    #[serde(flatten)]
    link: &'a Ref,
}

impl<'a> Model<'a> {
    fn nav_item(&self, title: &str, path: String) -> NavItem {
        NavItem {
            link: Ref {
                title: title.to_string(),
                url: self.url(&path),
            },
            path,
        }
    }

    /// The main menu and the footer's own items.
    pub(super) fn navigation(
        &self,
        sections: &BTreeMap<String, SectionInfo>,
    ) -> (Vec<NavItem>, Vec<NavItem>) {
        let mut items = vec![self.nav_item("Home", "/".to_string())];
        let mut footer = Vec::new();
        let mut top: Vec<&SectionInfo> = sections
            .values()
            .filter(|s| !s.folder.is_empty() && !s.folder.contains('/'))
            .collect();
        top.sort_by_key(|s| section_order(s));
        for section in top {
            let item = self.nav_item(&section_title(section), section_path(&section.folder));
            let menu = section.index.and_then(|page| page.front.menu.as_deref());
            if menu == Some("footer") {
                footer.push(item);
            } else {
                items.push(item);
            }
        }
        if !self.config.tracks.is_empty() {
            items.push(self.nav_item("Tracks", "/tracks/".to_string()));
        }
        match self.ecosystem {
            Some(ecosystem) if ecosystem.report.is_some() => {
                for (title, path) in [
                    ("Partners", "/partners/"),
                    ("Executive summary", "/reports/executive/"),
                ] {
                    items.push(self.nav_item(title, path.to_string()));
                }
            }
            Some(ecosystem) => {
                for partner in &ecosystem.partners {
                    let path = format!("/partners/{}/", partner.summary.id);
                    items.push(self.nav_item("Your scorecard", path));
                }
            }
            None => {}
        }
        let has_tags = self.store.pages.values().any(|p| !p.front.tags.is_empty());
        for taxonomy in Taxonomy::ALL {
            if taxonomy != Taxonomy::Tags || has_tags {
                items.push(self.nav_item(taxonomy.title(), format!("/{}/", taxonomy.slug())));
            }
        }
        (items, footer)
    }

    /// The footer's own items as a template value: `[{title, url}]`.
    pub(super) fn footer_nav_value(&self) -> Value {
        let links: Vec<&Ref> = self.footer_nav.iter().map(|item| &item.link).collect();
        Value::from_serializable(&links)
    }

    /// The index of the navigation item current at `path`, `nav.len()` for
    /// none. The home item is current only on the home page, every other
    /// item on all pages under its path. Those paths are distinct top-level
    /// folders, so at most one item matches and one prepared variant of the
    /// navigation per item serves every page.
    pub(super) fn current_nav(&self, path: &str) -> usize {
        self.nav
            .iter()
            .rposition(|item| {
                if item.path == "/" {
                    path == "/"
                } else {
                    path.starts_with(&item.path)
                }
            })
            .unwrap_or(self.nav.len())
    }

    /// The navigation with item `current` marked active.
    pub(super) fn nav_value(&self, current: usize) -> Value {
        let items: Vec<NavView> = self
            .nav
            .iter()
            .enumerate()
            .map(|(i, item)| NavView {
                active: i == current,
                link: &item.link,
            })
            .collect();
        Value::from_serializable(&items)
    }
}
