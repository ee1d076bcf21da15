//! Validation of loaded content against the configuration: every id a page
//! names (level, skills, workflows, track, prerequisites) must exist, dates
//! must be real dates, module ids and URLs must be unique, each part of a URL
//! short enough to be a file name, a `menu` only on a top-level section, and prerequisites
//! must not form a cycle. Every problem becomes a located [`Diagnostic`];
//! nothing is rendered until this pass is clean.

use std::collections::{BTreeMap, BTreeSet};

use crate::base::codes::Code;
use crate::base::diagnostics::Diagnostic;
use crate::base::text::expected_one_of;
use crate::input::config::{CatalogEntry, Config};
use crate::input::content::{Absence, ContentStore, MENUS, Page, PageKind};
use crate::input::limits::name_too_long;

/// Checks the store; returns every problem found.
pub fn validate(store: &ContentStore, config: &Config) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for page in store.pages.values() {
        check_page(page, store, config, &mut problems);
    }
    check_unique_module_ids(store, &mut problems);
    check_unique_paths(store, &mut problems);
    check_cycles(store, &mut problems);
    problems
}

fn check_page(page: &Page, store: &ContentStore, config: &Config, problems: &mut Vec<Diagnostic>) {
    let front = &page.front;
    let mut unknown = |key: &str, value: &str, what: &str, catalog: &[CatalogEntry]| {
        if !catalog.iter().any(|entry| entry.id == value) {
            let ids: Vec<&str> = CatalogEntry::ids(catalog);
            let expected = expected_one_of(value, &ids, &format!("a {what} defined in site.toml"));
            problems.push(
                page.diagnostic(
                    Code::Input,
                    page.locate(key, value),
                    format!("unknown {what} `{value}`"),
                )
                .expected(expected),
            );
        }
    };
    if let Some(level) = &front.level {
        unknown("level", level, "level", &config.levels);
    }
    for skill in &front.skills {
        unknown("skills", skill, "skill", &config.skills);
    }
    for workflow in &front.workflows {
        unknown("workflows", workflow, "workflow", &config.workflows);
    }
    if let Some(track) = &front.track {
        unknown("track", track, "track", &config.tracks);
    }
    for prerequisite in &front.prerequisites {
        let range = page.locate("prerequisites", prerequisite);
        if prerequisite == &page.id {
            problems.push(page.diagnostic(
                Code::Input,
                range,
                format!("module `{prerequisite}` lists itself as a prerequisite"),
            ));
        } else if store.module(prerequisite).is_none() {
            match store.absent_module(prerequisite) {
                // Its own parse error is already reported.
                Some(Absence::Broken) => {}
                Some(Absence::Draft) => problems.push(
                    page.diagnostic(
                        Code::Input,
                        range,
                        format!("prerequisite `{prerequisite}` is a draft"),
                    )
                    .expected("a published module, or a build with --drafts"),
                ),
                None => problems.push(
                    page.diagnostic(
                        Code::Input,
                        range,
                        format!("unknown prerequisite `{prerequisite}`"),
                    )
                    .expected(expected_one_of(
                        prerequisite,
                        &store
                            .module_ids()
                            .into_iter()
                            .filter(|id| *id != page.id)
                            .collect::<Vec<_>>(),
                        "the id of a module, its file name without .md or its bundle folder",
                    )),
                ),
            }
        }
    }
    if let Some(date) = &front.date
        && chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err()
    {
        problems.push(
            page.diagnostic(
                Code::Input,
                page.locate("date", date),
                format!("`{date}` is not a date"),
            )
            .expected("a date written YYYY-MM-DD, such as 2026-03-02"),
        );
    }
    if let Some(slug) = &front.slug
        && (slug.is_empty() || slug.contains(['/', '\\', ' ', '?', '#']) || slug.starts_with('.'))
    {
        problems.push(
            page.diagnostic(
                Code::Input,
                page.locate("slug", slug),
                format!("`{slug}` cannot be part of a URL"),
            )
            .expected("a single URL segment such as \"qbr-narrative\""),
        );
    }
    if let Some(menu) = &front.menu {
        check_menu(page, menu, problems);
    }
    check_name_lengths(page, problems);
    for tag in &front.tags {
        if crate::base::text::slugify(tag).is_empty() {
            problems.push(
                page.diagnostic(
                    Code::Input,
                    page.locate("tags", tag),
                    format!("tag `{tag}` has no letters or digits"),
                )
                .expected("a word or phrase"),
            );
        }
    }
}

/// `menu` names a known menu, and sits where it is read: on the
/// `_index.md` of a top-level section, the pages the main menu links.
fn check_menu(page: &Page, menu: &str, problems: &mut Vec<Diagnostic>) {
    let range = page.locate("menu", menu);
    if !MENUS.contains(&menu) {
        problems.push(
            page.diagnostic(Code::Input, range, format!("unknown menu `{menu}`"))
                .expected(expected_one_of(menu, &MENUS, "`main` or `footer`")),
        );
    } else if page.kind != PageKind::Section || page.folder.is_empty() || page.folder.contains('/')
    {
        problems.push(
            page.diagnostic(
                Code::Input,
                range,
                "`menu` is read only on a top-level section's _index.md".to_string(),
            )
            .expected("this key in content/<section>/_index.md, or no `menu` here"),
        );
    }
}

/// Every part of the page's URL, and the URL of each of its tags, short
/// enough to be a folder name ([`MAX_NAME_BYTES`](crate::input::limits::MAX_NAME_BYTES)).
/// A part from the slug is located at the slug; one from a file or folder
/// name, at the file.
fn check_name_lengths(page: &Page, problems: &mut Vec<Diagnostic>) {
    for segment in page.path.split('/') {
        let slug = page.front.slug.as_deref().filter(|slug| *slug == segment);
        let what = if slug.is_some() {
            "slug"
        } else {
            "file or folder name"
        };
        if let Some((message, expected)) = name_too_long(what, segment, segment.len()) {
            let at = slug.map_or(0..0, |slug| page.locate("slug", slug));
            problems.push(page.diagnostic(Code::Input, at, message).expected(expected));
        }
    }
    for tag in &page.front.tags {
        let bytes = crate::base::text::slugify(tag).len();
        if let Some((message, expected)) = name_too_long("tag", tag, bytes) {
            let at = page.locate("tags", tag);
            problems.push(page.diagnostic(Code::Input, at, message).expected(expected));
        }
    }
}

fn check_unique_module_ids(store: &ContentStore, problems: &mut Vec<Diagnostic>) {
    let mut first: BTreeMap<&str, &Page> = BTreeMap::new();
    for module in store.modules() {
        if let Some(earlier) = first.insert(&module.id, module) {
            problems.push(
                module
                    .diagnostic(
                        Code::Input,
                        0..0,
                        format!(
                            "module id `{}` is also used by {}",
                            module.id,
                            earlier.file.display()
                        ),
                    )
                    .expected("module file names (or bundle folders) unique across modules/"),
            );
        }
    }
}

/// Paths proficio generates itself; content must not take them.
pub const GENERATED_ROOTS: [&str; 9] = [
    "search",
    "tracks",
    "skills",
    "workflows",
    "levels",
    "tags",
    "partners",
    "reports",
    "data",
];

fn check_unique_paths(store: &ContentStore, problems: &mut Vec<Diagnostic>) {
    let mut owners: BTreeMap<&str, &Page> = BTreeMap::new();
    for page in store.pages.values() {
        if let Some(earlier) = owners.insert(&page.path, page) {
            // Point at the slug that caused the clash, when there is one.
            let (at, other) = if earlier.front.slug.is_some() && page.front.slug.is_none() {
                (earlier, page)
            } else {
                (page, earlier)
            };
            let range = at
                .front
                .slug
                .as_deref()
                .map_or(0..0, |slug| at.locate("slug", slug));
            problems.push(
                at.diagnostic(
                    Code::Input,
                    range,
                    format!(
                        "this page and {} both want the URL {}",
                        other.file.display(),
                        at.path
                    ),
                )
                .expected("each page at its own URL (rename a file or set a different slug)"),
            );
        }
        let root = page.path.trim_matches('/').split('/').next().unwrap_or("");
        if GENERATED_ROOTS.contains(&root) {
            problems.push(
                page.diagnostic(
                    Code::Input,
                    0..0,
                    format!("the URL {} belongs to pages proficio generates", page.path),
                )
                .expected(format!(
                    "content outside the folders {}",
                    GENERATED_ROOTS.join(", ")
                )),
            );
        }
    }
}

/// Reports each prerequisite cycle once, at the module whose id sorts first.
fn check_cycles(store: &ContentStore, problems: &mut Vec<Diagnostic>) {
    let graph: BTreeMap<&str, Vec<&str>> = store
        .modules()
        .map(|m| {
            let known = m.front.prerequisites.iter().map(String::as_str);
            (
                m.id.as_str(),
                known
                    .filter(|p| store.module(p).is_some() && *p != m.id)
                    .collect(),
            )
        })
        .collect();
    let mut reported: BTreeSet<Vec<&str>> = BTreeSet::new();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    for &start in graph.keys() {
        let mut stack = Vec::new();
        find_cycles(start, &graph, &mut stack, &mut done, &mut reported);
    }
    for cycle in reported {
        if let Some(module) = store.module(cycle[0]) {
            let mut names = cycle.clone();
            names.push(cycle[0]);
            let range = module.locate("prerequisites", cycle[1 % cycle.len()]);
            problems.push(
                module
                    .diagnostic(
                        Code::Input,
                        range,
                        format!("prerequisites form a cycle: {}", names.join(" → ")),
                    )
                    .expected("prerequisites that lead back to a first module"),
            );
        }
    }
}

fn find_cycles<'a>(
    node: &'a str,
    graph: &BTreeMap<&'a str, Vec<&'a str>>,
    stack: &mut Vec<&'a str>,
    done: &mut BTreeSet<&'a str>,
    reported: &mut BTreeSet<Vec<&'a str>>,
) {
    if let Some(position) = stack.iter().position(|&n| n == node) {
        let mut cycle = stack[position..].to_vec();
        let smallest = (0..cycle.len()).min_by_key(|&i| cycle[i]).unwrap_or(0);
        cycle.rotate_left(smallest);
        reported.insert(cycle);
        return;
    }
    if done.contains(node) {
        return;
    }
    stack.push(node);
    for &next in graph.get(node).into_iter().flatten() {
        find_cycles(next, graph, stack, done, reported);
    }
    stack.pop();
    done.insert(node);
}
