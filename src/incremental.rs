//! Rendering again after an edit, for the live preview. The most frequent
//! edit rewrites the prose of a page and nothing else: the front matter, and
//! so the title, date, track, skills and everything other pages show of it,
//! stays the same. Such an edit changes only the pages that show the body
//! (the page itself, a section showing its introduction, the feed), so those
//! are rendered again from the inputs and the computed site the previous
//! render kept, and every other file is the previous one. Any other change
//! (a new, removed or renamed file, front matter, partner data, templates,
//! configuration), or an edit that brings a problem, runs the whole pipeline
//! with the page cache, which then reports the problems.

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::bodies::Bodies;
use crate::build::{self, BuildOptions, PageCache, RenderedSite, Retained};
use crate::content::{self, CONTENT_DIR, Page};
use crate::diagnostics::{Diagnostic, Error, Result};
use crate::markdown::{self, Outline};
use crate::output::Contents;
use crate::page_cache::CachedPages;
use crate::site::{Deferred, RenderJob};

/// One page whose body alone changed.
struct BodyEdit {
    page: Page,
    outline: Outline,
}

/// Renders the site of `options` after the files `changed` (paths relative
/// to the root, `/`-separated) were modified in place, reusing what `cache`
/// kept of the previous render; the result is the same as a full render's.
pub fn render_changes(
    options: &BuildOptions,
    cache: &mut PageCache,
    changed: &[&str],
) -> Result<RenderedSite> {
    let Some(edits) = body_edits(options, cache, changed) else {
        return build::render(options, cache);
    };
    let Some((pages, retained)) = cache.parts_mut() else {
        return build::render(options, cache);
    };
    match apply(pages, retained, edits) {
        Ok(pages_rendered) => {
            let output_dir = retained.inputs.output_dir.clone();
            let files = retained.files.clone();
            let records = retained.pages.clone();
            let files_copied = retained.files_copied;
            Ok(RenderedSite {
                output_dir,
                files,
                pages: records,
                files_copied,
                pages_rendered,
                cache: std::mem::take(cache),
            })
        }
        Err(error) => {
            // The kept inputs now run ahead of the kept pages; the next
            // render compares every page again instead.
            cache.forget_inputs();
            Err(error)
        }
    }
}

/// The edits, if every changed file is a published page whose body alone
/// changed, and changed without a problem.
fn body_edits(
    options: &BuildOptions,
    cache: &PageCache,
    changed: &[&str],
) -> Option<Vec<BodyEdit>> {
    let retained = cache.retained()?;
    if retained.options != *options || changed.is_empty() {
        return None;
    }
    let prefix = format!("{CONTENT_DIR}/");
    changed
        .iter()
        .map(|path| {
            let source = path.strip_prefix(&prefix)?;
            let old = retained.inputs.store.pages.get(source)?;
            let bytes = std::fs::read(options.root.join(Path::new(path))).ok()?;
            let text = String::from_utf8(bytes).ok()?;
            let page = content::parse_page(source, Arc::from(text)).ok()?;
            let same_front = page.front_text() == old.front_text() && page.title == old.title;
            if !same_front {
                return None;
            }
            let outline = markdown::outline(&page, &retained.site.targets);
            outline
                .problems
                .is_empty()
                .then_some(BodyEdit { page, outline })
        })
        .collect()
}

/// Puts the edited pages in place and renders the pages showing them again;
/// returns how many.
fn apply(pages: &mut CachedPages, retained: &mut Retained, edits: Vec<BodyEdit>) -> Result<usize> {
    let Retained {
        inputs,
        site,
        templates,
        files,
        ..
    } = retained;
    let mut edited = Vec::with_capacity(edits.len());
    for edit in edits {
        let source = edit.page.source.clone();
        site.set_outline(&source, edit.outline);
        inputs.store.pages.insert(source.clone(), edit.page);
        edited.push(source);
    }
    let shows = |source: &String| edited.contains(source);
    let affected: Vec<&RenderJob> = site
        .jobs
        .iter()
        .filter(|job| {
            let own_page =
                matches!(&job.deferred, Some(Deferred::Page(parts)) if shows(parts.source()));
            own_page
                || job
                    .body
                    .as_ref()
                    .is_some_and(|b| b.sources().iter().any(shows))
        })
        .collect();
    let shown = affected.iter().filter_map(|job| job.body.as_ref());
    let bodies = Bodies::new(&inputs.store, &site.targets, shown);
    let rendered = affected
        .par_iter()
        .map(|job| {
            let context = site.context(job);
            let html = build::render_one(templates, &bodies, job, &context)?;
            Ok((
                *job,
                context.into_owned(),
                Arc::<[u8]>::from(html.into_bytes()),
            ))
        })
        .collect::<std::result::Result<Vec<_>, Diagnostic>>()
        .map_err(|problem| Error::Input(vec![problem]))?;
    for (job, context, bytes) in rendered {
        if let Ok(position) = files.binary_search_by(|file| file.path.as_str().cmp(&job.output)) {
            files[position].contents = Contents::Bytes(bytes.clone());
        }
        pages.update(job, &inputs.store, context, bytes);
    }
    Ok(affected.len())
}
