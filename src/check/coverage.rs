//! Content that does not reach readers as written: files copied to the site
//! that no page uses, modules no learning track leads to, and what
//! sanitizing removed from a body's raw HTML. All are warnings.

use std::collections::HashSet;
use std::path::Path;

use crate::base::codes::Code;
use crate::base::diagnostics::Diagnostic;
use crate::input::config::{CatalogEntry, Config};
use crate::input::content::{ContentStore, Page, PageKind};
use crate::render::markdown;

/// Content files copied to the site that no page references (`referenced`
/// holds the output paths the pages reach); `root` is the site root.
pub(super) fn unused_assets(
    root: &Path,
    store: &ContentStore,
    referenced: &HashSet<String>,
) -> Vec<Diagnostic> {
    store
        .assets
        .iter()
        .filter(|asset| !referenced.contains(&asset.output))
        .map(|asset| {
            let file = asset
                .source
                .strip_prefix(root)
                .unwrap_or(&asset.source)
                .to_path_buf();
            let mut hint = "link to it or embed it from a page, or delete it".to_string();
            if let Some(page) = plain_page_above(store, &asset.output)
                && let Some(advice) = bundle_advice(page)
            {
                hint.push_str(&format!(
                    "; if `{}` means to show it, {advice}",
                    page.file.display()
                ));
            }
            Diagnostic::whole_file(
                Code::UnusedAsset,
                file,
                format!(
                    "`{}` is copied to the site, but no page links to it or shows it",
                    asset.output
                ),
            )
            .hint(hint)
        })
        .collect()
}

/// The plain page (not a section, not a bundle) nearest above the asset
/// at `output` in the content folders, the first by path among equals.
fn plain_page_above<'a>(store: &'a ContentStore, output: &str) -> Option<&'a Page> {
    store
        .pages
        .values()
        .filter(|page| page.kind != PageKind::Section && !page.is_bundle)
        .filter(|page| page.folder.is_empty() || output.starts_with(&format!("{}/", page.folder)))
        .max_by(|a, b| {
            a.folder
                .len()
                .cmp(&b.folder.len())
                .then_with(|| b.source.cmp(&a.source))
        })
}

/// How to keep a plain page's files beside its Markdown source: it is
/// published a folder deeper than the source, so relative paths must say
/// so, or the page becomes a bundle (`name/index.md` with its files). `None`
/// for a page that is already a bundle or a section.
fn bundle_advice(page: &Page) -> Option<String> {
    if page.kind == PageKind::Section || page.is_bundle {
        return None;
    }
    let bundle = page.file.with_extension("").join("index.md");
    Some(format!(
        "the page is published at `{}`, a folder deeper than its source, so write the path \
         relative to the Markdown file (proficio moves it with the page) or make the page a \
         page bundle: `{}` with its files beside it (docs/content.md, \"page bundle\")",
        page.path,
        bundle.display()
    ))
}

/// Modules that no learning track reaches.
pub(super) fn modules_without_track(store: &ContentStore, config: &Config) -> Vec<Diagnostic> {
    let tracks: Vec<&str> = CatalogEntry::ids(&config.tracks);
    store
        .modules()
        .filter(|module| module.front.track.is_none())
        .map(|module| {
            let start = module.front_range.start;
            let end = module.text[start..]
                .find('\n')
                .map_or(module.text.len(), |i| start + i);
            Diagnostic::new(
                Code::ModuleWithoutTrack,
                module.file.clone(),
                module.text.clone(),
                start..end,
                format!(
                    "module `{}` belongs to no learning track, so no track page leads to it",
                    module.id
                ),
            )
            .hint(format!(
                "add `track: <id>` to its front matter (tracks: {})",
                if tracks.is_empty() {
                    "none in site.toml".to_string()
                } else {
                    tracks.join(", ")
                }
            ))
        })
        .collect()
}

/// What sanitizing removed from each body, one warning per removal.
pub(super) fn sanitized(store: &ContentStore) -> Vec<Diagnostic> {
    store
        .pages
        .values()
        .flat_map(|page| {
            markdown::removals(page).into_iter().map(|removal| {
                Diagnostic::new(
                    Code::RawHtmlRemoved,
                    page.file.clone(),
                    page.text.clone(),
                    removal.span,
                    format!("sanitizing removed {} from this page", removal.what),
                )
                .hint(
                    "write it in Markdown or as HTML the allow-list keeps (docs/content.md, \"Raw HTML\"); \
                     a site whose writers are all trusted can set `html = \"allow\"` under `[markdown]`",
                )
            })
        })
        .collect()
}
