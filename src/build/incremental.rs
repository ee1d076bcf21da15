//! Rendering again after an edit, for the live preview. Three kinds of edit
//! are redone from what the previous render kept, every other file being the
//! previous one. Each puts the changed inputs in place and names the pages
//! that may show them; of those, a page is rendered again only when its
//! inputs differ from those its kept bytes were rendered from (the page
//! cache's rule, see [`crate::base::memo`]):
//!
//! - prose: a page's text changes but not its front matter, and so not its
//!   title, date, track, skills or anything other pages show of it. The
//!   pages showing the body (the page itself, a section showing its
//!   introduction, the feed) are looked at again.
//! - partner data: an existing partner file changes. Only that file is
//!   read again and only that partner's figures are recomputed (every
//!   partner's, from the kept files, when the quarters covered or the total
//!   headcount changed); a new name moves the partner to its place by name
//!   among the kept views. The figures adding up all partners are added up
//!   again, and the pages showing either are looked at again: the changed
//!   scorecards, the partner lists, the executive summary, the home page and
//!   the workflow pages.
//! - another partner's data, in a partner audience: only whether the file
//!   has a problem can show, in a note ([`crate::build::OTHER_PARTNER_PROBLEM`]);
//!   the file is checked again on its own and no page is rendered.
//! - templates: only template files change. The theme is loaded and its
//!   templates compiled again, and every page is rendered again (unless the
//!   templates are those the pages were rendered with) from the kept
//!   content, computed site and rendered Markdown bodies: nothing is read,
//!   checked or computed again, and no Markdown is rendered again.
//!
//! Any other change (a new, removed or renamed file, front matter, a theme's
//! static files, configuration), or an edit that
//! brings a problem, runs the whole pipeline with the page cache, which then
//! reports the problems.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::base::audience::Audience;
use crate::base::diagnostics::{Diagnostic, Error, Result};
use crate::base::paths::SiteRoot;
use crate::build::output::Contents;
use crate::build::page_cache::CachedPages;
use crate::build::{self, BuildOptions, PageCache, RenderedSite, Retained};
use crate::input::content::PARTNERS_DIR;
use crate::input::content::{self, CONTENT_DIR, Page};
use crate::input::theme;
use crate::partners::metrics::{self, PartnerFile};
use crate::render::bodies::Bodies;
use crate::render::markdown::{self, Outline};
use crate::site::Deferred;

/// One page whose body alone changed.
struct BodyEdit {
    page: Page,
    outline: Outline,
}

/// Edits that can be redone from the previous render.
enum Edits {
    Bodies(Vec<BodyEdit>),
    Partners(Vec<PartnerFile>),
    /// Other partners' files in a partner audience, by name, each with
    /// whether it has a problem now.
    OtherPartners(Vec<(String, bool)>),
    Templates,
}

/// Renders the site of `options` after the files `changed` (paths relative
/// to the root, `/`-separated) were modified in place, reusing what `cache`
/// kept of the previous render; the result is the same as a full render's.
pub fn render_changes(
    options: &BuildOptions,
    cache: &mut PageCache,
    changed: &[&str],
) -> Result<RenderedSite> {
    let Some(edits) = edits(options, cache, changed) else {
        return build::render(options, cache);
    };
    let Some((_, retained)) = cache.parts_mut() else {
        return build::render(options, cache);
    };
    let templates_edited = matches!(edits, Edits::Templates);
    let (jobs, exports) = match edits {
        Edits::Bodies(edits) => (Some(apply_bodies(retained, edits)), Exports::Kept),
        Edits::Partners(files) => (apply_partners(retained, files), Exports::Remade),
        Edits::OtherPartners(files) => (apply_other_partners(retained, files), Exports::Kept),
        Edits::Templates => (apply_templates(options, retained), Exports::Kept),
    };
    let Some(jobs) = jobs else {
        // Partly applied: the kept inputs no longer match the kept pages.
        cache.forget_inputs();
        return build::render(options, cache);
    };
    // A page is reused when it is rendered from the same inputs; the
    // site-wide ones (the templates) are the same unless a template changed.
    let new_key = templates_edited.then(|| cache.kept_key()).flatten();
    let reuse = new_key.as_ref().is_none_or(|(_, same)| *same);
    let Some((pages, retained)) = cache.parts_mut() else {
        return build::render(options, cache);
    };
    match render_jobs(pages, retained, &jobs, exports, reuse) {
        Ok(pages_rendered) => {
            let site = RenderedSite {
                output_dir: retained.inputs.output_dir.clone(),
                files: retained.files.clone(),
                pages: retained.pages.clone(),
                files_copied: retained.files_copied,
                pages_rendered,
                notes: retained.inputs.notes.clone(),
                cache: PageCache::default(),
            };
            if let Some((key, _)) = new_key {
                cache.set_key(key);
            }
            Ok(RenderedSite {
                cache: std::mem::take(cache),
                ..site
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
/// changed, or every changed file is a kept partner file, and the new texts
/// have no problem.
fn edits(options: &BuildOptions, cache: &PageCache, changed: &[&str]) -> Option<Edits> {
    let retained = cache.retained()?;
    if retained.options != *options || changed.is_empty() {
        return None;
    }
    let partners = format!("{CONTENT_DIR}/{PARTNERS_DIR}/");
    let theme = &retained.inputs.loaded.config.theme;
    let theme_templates = format!("themes/{theme}/templates/");
    let is_template =
        |path: &&str| path.starts_with("templates/") || path.starts_with(theme_templates.as_str());
    let other_partners = |path: &&str| {
        let Audience::Partner(id) = &options.audience else {
            return false;
        };
        path.strip_prefix(partners.as_str())
            .is_some_and(|name| name.rsplit_once('.').map_or(name, |(stem, _)| stem) != id)
    };
    if changed.iter().all(other_partners) {
        other_partner_edits(options, retained, changed).map(Edits::OtherPartners)
    } else if changed.iter().all(|path| path.starts_with(&partners)) {
        partner_edits(options, retained, changed).map(Edits::Partners)
    } else if changed.iter().all(is_template) {
        Some(Edits::Templates)
    } else {
        body_edits(options, retained, changed).map(Edits::Bodies)
    }
}

fn body_edits(
    options: &BuildOptions,
    retained: &Retained,
    changed: &[&str],
) -> Option<Vec<BodyEdit>> {
    let prefix = format!("{CONTENT_DIR}/");
    changed
        .iter()
        .map(|path| {
            let source = path.strip_prefix(&prefix)?;
            let old = retained.inputs.store.pages.get(source)?;
            let page = content::parse_page(source, read(options, path)?).ok()?;
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

/// The changed partner files, parsed, if each one passes its checks.
fn partner_edits(
    options: &BuildOptions,
    retained: &Retained,
    changed: &[&str],
) -> Option<Vec<PartnerFile>> {
    let config = &retained.inputs.loaded.config;
    changed
        .iter()
        .map(|path| {
            let name = Path::new(path).file_name()?.to_str()?;
            let file = metrics::parse(name, read(options, path)?).ok()?;
            // Each file is checked on its own; the one check across files
            // (two files for one id) cannot change while the path is kept.
            metrics::validate(std::slice::from_ref(&file), config, &retained.inputs.store)
                .is_empty()
                .then_some(file)
        })
        .collect()
}

/// The changed files of other partners, in a partner audience, by name,
/// each with whether it has a problem now (their problems do not stop this
/// partner's render, so they are not reported either).
fn other_partner_edits(
    options: &BuildOptions,
    retained: &Retained,
    changed: &[&str],
) -> Option<Vec<(String, bool)>> {
    let config = &retained.inputs.loaded.config;
    changed
        .iter()
        .map(|path| {
            let name = Path::new(path).file_name()?.to_str()?;
            let problem = match metrics::parse(name, read(options, path)?) {
                Ok(file) => {
                    let file = std::slice::from_ref(&file);
                    !metrics::validate(file, config, &retained.inputs.store).is_empty()
                }
                Err(_) => true,
            };
            Some((name.to_string(), problem))
        })
        .collect()
}

/// The text of the file at `path` under the root, if it lies inside the
/// root and reads as UTF-8.
fn read(options: &BuildOptions, path: &str) -> Option<Arc<str>> {
    let site = SiteRoot::new(&options.root).ok()?;
    let bytes = site.read(&options.root.join(Path::new(path))).ok()?;
    String::from_utf8(bytes).ok().map(Arc::from)
}

/// Puts the edited pages in place; returns the jobs showing them.
fn apply_bodies(retained: &mut Retained, edits: Vec<BodyEdit>) -> Vec<usize> {
    let Retained {
        inputs,
        site,
        bodies,
        ..
    } = retained;
    let mut edited = Vec::with_capacity(edits.len());
    for edit in edits {
        let source = edit.page.source.clone();
        bodies.remove(&source);
        site.set_outline(&source, edit.outline);
        inputs.store.pages.insert(source.clone(), edit.page);
        edited.push(source);
    }
    let shows = |source: &String| edited.contains(source);
    site.jobs
        .iter()
        .enumerate()
        .filter(|(_, job)| {
            let own_page =
                matches!(&job.deferred, Some(Deferred::Page(parts)) if shows(parts.source()));
            own_page
                || job
                    .body
                    .as_ref()
                    .is_some_and(|b| b.sources().iter().any(shows))
        })
        .map(|(index, _)| index)
        .collect()
}

/// Puts the edited partner files in place and recomputes what depends on
/// them; returns the jobs showing the changed figures. `None` when an edit
/// needs the whole site computed again, possibly after earlier files were
/// put in place.
fn apply_partners(retained: &mut Retained, files: Vec<PartnerFile>) -> Option<Vec<usize>> {
    let Retained {
        inputs,
        site,
        pages,
        ..
    } = retained;
    // By output path: a later file's new name may move the jobs of earlier ones.
    let mut outputs = BTreeSet::new();
    let mut reordered = false;
    for file in files {
        let config = &inputs.loaded.config;
        let update = site.update_partner(config, &inputs.store, &inputs.audience, file)?;
        outputs.extend(update.jobs.iter().map(|i| site.jobs[*i].output.clone()));
        reordered |= update.reordered;
    }
    if reordered {
        *pages = build::page_records(&site.jobs).into();
    }
    let jobs = site.jobs.iter().enumerate();
    Some(
        jobs.filter(|(_, job)| outputs.contains(&job.output))
            .map(|(index, _)| index)
            .collect(),
    )
}

/// Records whether each edited file of another partner has a problem, which
/// only a note says; no page shows those files. `None` when a file is not
/// one the render knew or shares its id with another file.
fn apply_other_partners(retained: &mut Retained, files: Vec<(String, bool)>) -> Option<Vec<usize>> {
    let inputs = &mut retained.inputs;
    for (name, problem) in files {
        inputs.others.set(&name, problem)?;
    }
    inputs.notes = inputs.others.notes();
    Some(Vec::new())
}

/// Compiles the edited templates with the rest of the theme; returns every
/// job, since any page may use any template. `None`, with nothing changed,
/// when the theme or a template does not load (the whole pipeline then
/// reports why) or a static file of the theme changed too.
fn apply_templates(options: &BuildOptions, retained: &mut Retained) -> Option<Vec<usize>> {
    let theme = theme::load(&options.root, &retained.inputs.loaded).ok()?;
    if theme.statics != retained.inputs.theme.statics {
        return None;
    }
    let previous = std::mem::replace(&mut retained.inputs.theme, theme);
    match build::templates_for(&retained.inputs, &retained.site) {
        Ok(templates) => retained.templates = templates,
        Err(_) => {
            retained.inputs.theme = previous;
            return None;
        }
    }
    Some((0..retained.site.jobs.len()).collect())
}

/// Whether an edit changed the data exports.
#[derive(Clone, Copy, PartialEq)]
enum Exports {
    Kept,
    Remade,
}

/// Renders the jobs at `indices` again, each unless `reuse` and it is
/// rendered from the same inputs as its kept page, and the exports if they
/// changed (alongside: they are large), into the kept files and pages;
/// returns how many pages were rendered.
fn render_jobs(
    pages: &mut CachedPages,
    retained: &mut Retained,
    indices: &[usize],
    exports: Exports,
    reuse: bool,
) -> Result<usize> {
    let Retained {
        inputs,
        site,
        templates,
        files,
        bodies: kept,
        ..
    } = retained;
    let affected: Vec<_> = indices.iter().filter_map(|i| site.jobs.get(*i)).collect();
    let shown = affected.iter().filter_map(|job| job.body.as_ref());
    let bodies = Bodies::keeping(&inputs.store, &site.targets, shown, Some(kept));
    let kept_pages = &*pages;
    let render = || {
        affected
            .par_iter()
            .filter_map(|job| {
                let context = site.context(job);
                if reuse && kept_pages.get(job, &inputs.store, &context).is_some() {
                    return None;
                }
                let html = match build::render_one(templates, &bodies, job, &context) {
                    Ok(html) => html,
                    Err(problem) => return Some(Err(problem)),
                };
                let page = build::kept_page(html.as_bytes());
                Some(Ok((*job, context.into_owned(), page)))
            })
            .collect::<std::result::Result<Vec<_>, Diagnostic>>()
    };
    let remake = || match exports {
        Exports::Remade => site.partner_exports(&inputs.loaded.config),
        Exports::Kept => Vec::new(),
    };
    let (rendered, exports) = rayon::join(render, remake);
    let rendered = rendered.map_err(|problem| Error::Input(vec![problem]))?;
    let pages_rendered = rendered.len();
    let rendered_bodies = bodies.into_rendered();
    kept.extend(rendered_bodies);
    let mut put = |path: &str, bytes: Arc<Vec<u8>>| {
        if let Ok(position) = files.binary_search_by(|file| file.path.as_str().cmp(path)) {
            files[position].contents = Contents::Bytes(bytes);
        }
    };
    for (path, bytes) in exports {
        put(&path, Arc::from(bytes));
    }
    for (job, context, bytes) in rendered {
        put(&job.output, bytes.clone());
        pages.update(job, &inputs.store, context, bytes);
    }
    Ok(pages_rendered)
}
