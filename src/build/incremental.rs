//! Rendering again after an edit, for the live preview. Each changed file is
//! classified on its own by where it lies; four kinds of edit are redone from
//! what the previous render kept, every other file being the previous one,
//! and one change may hold several kinds (an editor's "save all"), all put in
//! place before one render. Each puts the changed inputs in place and names
//! the pages that may show them; of those, a page is rendered again only when its
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
//! - exports (`data/`), and partner files in a site with `[[sources]]`
//!   (whose exports join them): the partner files and exports are read and
//!   joined again, and only the partners whose records changed are
//!   recomputed, as for a partner file's edit.
//! - another partner's data, in a partner audience: only whether the file
//!   has a problem can show, in a note ([`crate::build::OTHER_PARTNER_PROBLEM`]);
//!   the file is checked again on its own and no page is rendered.
//! - templates: a template file changes. The theme is loaded and its
//!   templates compiled again, and every page is rendered again (unless the
//!   templates are those the pages were rendered with) from the kept
//!   content, computed site and rendered Markdown bodies: nothing is read,
//!   checked or computed again, and no Markdown is rendered again.
//!
//! A change with any other file (a new, removed or renamed file, front
//! matter, a theme's static files, configuration), or an edit that brings a
//! problem, runs the whole pipeline with the page cache, which then
//! reports the problems.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::base::audience::Audience;
use crate::base::diagnostics::{Diagnostic, Error, Result};
use crate::base::memo::Memo;
use crate::base::paths::{Capped, SiteRoot};
use crate::build::output::{Contents, OutputFile};
use crate::build::page_cache::CachedPages;
use crate::build::search;
use crate::build::{self, BuildOptions, PageCache, RenderedSite, Retained};
use crate::input::content::PARTNERS_DIR;
use crate::input::content::{self, CONTENT_DIR, Page};
use crate::input::theme;
use crate::partners::metrics::{self, PartnerFile};
use crate::partners::sources;
use crate::render::bodies::Bodies;
use crate::render::markdown::{self, Outline};
use crate::site::Deferred;

/// One page whose body alone changed.
struct BodyEdit {
    page: Page,
    outline: Outline,
}

/// The edits of one change, by kind; a change may hold several kinds (an
/// editor's "save all"), each put in place before the one render.
#[derive(Default)]
struct Edits {
    /// Published pages whose body alone changed.
    bodies: Vec<BodyEdit>,
    /// Kept partner files (the audience's own, in a partner audience).
    partners: Vec<PartnerFile>,
    /// Other partners' files in a partner audience, by name, each with
    /// whether it has a problem now.
    other_partners: Vec<(String, bool)>,
    /// Whether a template file changed.
    templates: bool,
    /// Whether an export under `data/` or, in a site with `[[sources]]`,
    /// a partner file changed.
    sources: bool,
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
    let templates_edited = edits.templates;
    let Some(jobs) = apply(options, retained, edits) else {
        // Partly applied: the kept inputs no longer match the kept pages.
        cache.forget_inputs();
        return build::render(options, cache);
    };
    // A page is reused when it is rendered from the same inputs; the
    // site-wide ones (the templates) are the same unless a template changed.
    if templates_edited {
        cache.follow_templates();
    }
    let Some((pages, retained)) = cache.parts_mut() else {
        return build::render(options, cache);
    };
    match render_jobs(options, pages, retained, &jobs) {
        Ok(pages_rendered) => {
            let site = RenderedSite {
                output_dir: retained.inputs.output_dir.clone(),
                files: retained.files.value().clone(),
                pages: retained.pages.clone(),
                files_copied: retained.files_copied,
                pages_rendered,
                notes: retained.inputs.notes.clone(),
                cache: PageCache::default(),
            };
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

/// Puts every edit in place, templates first (they may fail without
/// changing anything); returns the jobs that may show them, in order.
/// `None` when an edit needs the whole pipeline, possibly after others were
/// put in place.
fn apply(options: &BuildOptions, retained: &mut Retained, edits: Edits) -> Option<Vec<usize>> {
    let mut jobs = BTreeSet::new();
    if edits.templates {
        jobs.extend(apply_templates(options, retained)?);
    }
    if !edits.other_partners.is_empty() {
        apply_other_partners(retained, edits.other_partners)?;
    }
    if !edits.partners.is_empty() {
        jobs.extend(apply_partners(retained, edits.partners)?);
    }
    if !edits.bodies.is_empty() {
        // After the partners': a new name moves scorecard jobs, never these.
        jobs.extend(apply_bodies(retained, edits.bodies));
    }
    Some(jobs.into_iter().collect())
}

/// The edits, if every changed file is one of the kinds an edit can be
/// redone from (see [`Edits`]) and the new texts have no problem.
fn edits(options: &BuildOptions, cache: &PageCache, changed: &[&str]) -> Option<Edits> {
    let retained = cache.retained()?;
    if retained.options != *options || changed.is_empty() {
        return None;
    }
    let mut edits = Edits::default();
    for path in changed {
        classify(options, retained, path, &mut edits)?;
    }
    if edits.sources {
        edits.partners.extend(imported_changes(options, retained)?);
    }
    Some(edits)
}

/// Adds the change to the file at `path` to `edits` as the kind of edit
/// it is, by where it lies; `None` for a file no kind covers, or whose new
/// text has a problem.
fn classify(
    options: &BuildOptions,
    retained: &Retained,
    path: &str,
    edits: &mut Edits,
) -> Option<()> {
    let theme = &retained.inputs.loaded.config.theme;
    let theme_templates = format!("themes/{theme}/templates/");
    if path.starts_with("templates/") || path.starts_with(theme_templates.as_str()) {
        edits.templates = true;
        return Some(());
    }
    let sources = !retained.inputs.loaded.config.sources.is_empty();
    if sources && (path.starts_with("data/") || path.starts_with("content/partners/")) {
        edits.sources = true;
        return Some(());
    }
    let source = path.strip_prefix(CONTENT_DIR)?.strip_prefix('/')?;
    let Some(name) = source
        .strip_prefix(PARTNERS_DIR)
        .and_then(|n| n.strip_prefix('/'))
    else {
        edits
            .bodies
            .push(body_edit(options, retained, path, source)?);
        return Some(());
    };
    let limit = retained.inputs.loaded.config.limits.max_partner_file_bytes;
    let text = read(options, path, limit)?;
    match &options.audience {
        Audience::Partner(id) if name.rsplit_once('.').map_or(name, |(stem, _)| stem) != id => {
            let problem = other_partner_problem(retained, name, text);
            edits.other_partners.push((name.to_string(), problem));
        }
        _ => edits.partners.push(partner_edit(retained, name, text)?),
    }
    Some(())
}

/// The edited page at `path` (`source` under the content folder), if the
/// kept site was computed from its front matter and title
/// ([`crate::site::Site::computed_from`]) and its new text has no problem.
fn body_edit(
    options: &BuildOptions,
    retained: &Retained,
    path: &str,
    source: &str,
) -> Option<BodyEdit> {
    let limits = &retained.inputs.loaded.config.limits;
    let text = read(options, path, limits.max_markdown_bytes)?;
    let page = content::parse_page(source, text, limits).ok()?;
    if !retained.site.computed_from(&page) {
        return None;
    }
    let outline = markdown::outline(&page, &retained.site.targets);
    outline
        .problems
        .is_empty()
        .then_some(BodyEdit { page, outline })
}

/// The partner file `name` with the text `text`, parsed, if it passes its checks.
fn partner_edit(retained: &Retained, name: &str, text: Arc<str>) -> Option<PartnerFile> {
    let config = &retained.inputs.loaded.config;
    let file = metrics::parse(name, text, &config.limits).ok()?;
    // Each file is checked on its own; the one check across files (two
    // files for one id) cannot change while the path is kept.
    metrics::validate(std::slice::from_ref(&file), config, &retained.inputs.store)
        .is_empty()
        .then_some(file)
}

/// The partner files whose records changed, in a site with `[[sources]]`
/// after an export or a partner file changed: the partner files read again,
/// the exports that changed read again (the others kept as read), all
/// joined again, and each partner compared with the kept one. `None` (the
/// whole pipeline, which reports why) when something has a problem, a
/// partner file came or went, or the build is a partner audience's.
fn imported_changes(options: &BuildOptions, retained: &Retained) -> Option<Vec<PartnerFile>> {
    if options.audience != Audience::Internal {
        return None;
    }
    let config = &retained.inputs.loaded.config;
    let store = &retained.inputs.store;
    let (mut partners, problems) = metrics::load(&options.root, &config.limits).ok()?;
    let exports = &retained.inputs.exports;
    let imported =
        sources::import(&options.root, config, &mut partners, store, None, exports).ok()?;
    let clean = problems.is_empty()
        && imported.problems.is_empty()
        && metrics::validate(&partners, config, store).is_empty();
    let kept = retained.site.kept_partner_files()?;
    let same_files =
        kept.len() == partners.len() && kept.iter().zip(&partners).all(|(k, p)| k.file == p.file);
    if !clean || !same_files {
        return None;
    }
    let changed = partners
        .into_iter()
        .zip(kept)
        .filter(|(fresh, kept)| fresh.record != kept.record)
        .map(|(fresh, _)| fresh)
        .collect();
    Some(changed)
}

/// Whether another partner's file `name`, in a partner audience, has a
/// problem with the text `text` (its problems do not stop this partner's
/// render, so they are not reported either).
fn other_partner_problem(retained: &Retained, name: &str, text: Arc<str>) -> bool {
    let config = &retained.inputs.loaded.config;
    match metrics::parse(name, text, &config.limits) {
        Ok(file) => {
            let file = std::slice::from_ref(&file);
            !metrics::validate(file, config, &retained.inputs.store).is_empty()
        }
        Err(_) => true,
    }
}

/// The text of the file at `path` under the root, if it lies inside the
/// root and reads as UTF-8.
/// The text of the edited file at `path`, when it holds at most `limit`
/// bytes; `None` (a full rebuild, which reports the problem) otherwise, so a
/// file past its limit is never read whole here either.
fn read(options: &BuildOptions, path: &str, limit: u64) -> Option<Arc<str>> {
    let site = SiteRoot::new(&options.root).ok()?;
    match site.read_at_most(&options.root.join(Path::new(path)), limit) {
        Ok(Capped::Read(bytes)) => String::from_utf8(bytes).ok().map(Arc::from),
        Ok(Capped::TooLarge(_)) | Err(_) => None,
    }
}

/// Puts the edited pages in place; returns the jobs showing them.
fn apply_bodies(retained: &mut Retained, edits: Vec<BodyEdit>) -> Vec<usize> {
    let Retained { inputs, site, .. } = retained;
    let mut edited = Vec::with_capacity(edits.len());
    for edit in edits {
        let source = edit.page.source.clone();
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
fn apply_other_partners(retained: &mut Retained, files: Vec<(String, bool)>) -> Option<()> {
    let inputs = &mut retained.inputs;
    for (name, problem) in files {
        inputs.others.set(&name, problem)?;
    }
    inputs.notes = inputs.others.notes();
    Some(())
}

/// Compiles the edited templates with the rest of the theme; returns every
/// job, since any page may use any template. `None`, with nothing changed,
/// when the theme or a template does not load (the whole pipeline then
/// reports why) or the kept output files were made from other static files
/// of the theme (one changed too).
fn apply_templates(options: &BuildOptions, retained: &mut Retained) -> Option<Vec<usize>> {
    let theme = theme::load(&options.root, &retained.inputs.loaded).ok()?;
    retained.files.get(&theme.statics)?;
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

/// Renders the jobs at `indices` again, each unless it is rendered from the
/// same inputs as its kept page, and the data exports
/// unless they were made from the same partner figures (alongside: they are
/// large), into the kept files and pages; returns how many pages were
/// rendered.
fn render_jobs(
    options: &BuildOptions,
    pages: &mut CachedPages,
    retained: &mut Retained,
    indices: &[usize],
) -> Result<usize> {
    let Retained {
        inputs,
        site,
        templates,
        files,
        bodies: kept,
        exports: kept_exports,
        search,
        ..
    } = retained;
    let affected: Vec<_> = indices.iter().filter_map(|i| site.jobs.get(*i)).collect();
    let shown = affected.iter().filter_map(|job| job.body.as_ref());
    let bodies = Bodies::keeping(&inputs.store, &site.targets, shown, Some(kept));
    let kept_pages = &*pages;
    let budget = build::budget_of(options, inputs);
    let render = || {
        affected
            .par_iter()
            .filter_map(|job| {
                let context = site.context(job);
                if kept_pages.get(job, &inputs.store, &context).is_some() {
                    return None;
                }
                let html = match build::render_one((templates, &budget), &bodies, job, &context) {
                    Ok(html) => html,
                    Err(problem) => return Some(Err(problem)),
                };
                let page = build::kept_page(&html);
                Some(Ok((*job, context.into_owned(), page)))
            })
            .collect::<std::result::Result<Vec<_>, Diagnostic>>()
    };
    let revision = site.partner_revision();
    let remake = || {
        (kept_exports.get(&revision).is_none()).then(|| site.partner_exports(&inputs.loaded.config))
    };
    let (rendered, exports) = rayon::join(render, remake);
    let rendered = rendered.map_err(|problem| Error::Input(vec![problem]))?;
    let pages_rendered = rendered.len();
    let rendered_bodies = bodies.into_rendered();
    kept.extend(rendered_bodies);
    let mut put = |path: &str, bytes: Arc<Vec<u8>>| {
        let files = files.value_mut();
        if let Ok(position) = files.binary_search_by(|file| file.path.as_str().cmp(path)) {
            files[position].contents = Contents::Bytes(bytes);
        }
    };
    if let Some(exports) = exports {
        let exports: build::GeneratedFiles = exports
            .into_iter()
            .map(|(path, bytes)| (path, Arc::new(bytes)))
            .collect();
        for (path, bytes) in &exports {
            put(path, bytes.clone());
        }
        *kept_exports = Memo::new(revision, exports);
    }
    let outputs = site
        .jobs
        .iter()
        .map(|job| (job.output.as_str(), job.template));
    let renumbered = search.as_mut().is_some_and(|index| index.renumber(outputs));
    for (job, context, bytes) in rendered {
        let result = search.as_ref().filter(|_| !renumbered);
        if let Some((path, result)) = result.and_then(|s| s.add(&job.output, &bytes)) {
            put(&path, Arc::new(result));
        }
        put(&job.output, bytes.clone());
        pages.update(job, &inputs.store, context, bytes);
    }
    if let Some(index) = search {
        let files = files.value_mut();
        if renumbered {
            let results = index_kept_pages(index, files);
            files.retain(|file| !search::is_result_file(&file.path));
            files.extend(results);
        }
        if renumbered || pages_rendered > 0 {
            replace_search_files(files, index.files());
        }
    }
    Ok(pages_rendered)
}

/// Adds every indexed page among the kept `files` to `index`; returns the
/// pages' result files.
fn index_kept_pages(index: &search::SearchIndex, files: &[OutputFile]) -> Vec<OutputFile> {
    files
        .par_iter()
        .filter(|file| index.holds(&file.path))
        .filter_map(|file| match &file.contents {
            Contents::Bytes(html) => index.add(&file.path, html),
            _ => None,
        })
        .map(|(path, bytes)| OutputFile {
            path,
            contents: Contents::Bytes(Arc::new(bytes)),
        })
        .collect()
}

/// Puts the index files `fresh` in place of the kept ones (a word new to
/// the site may add a file, a word gone may remove one); the pages' result
/// files are kept, as [`search::SearchIndex::add`] made them.
fn replace_search_files(files: &mut Vec<OutputFile>, fresh: Vec<(String, Vec<u8>)>) {
    files.retain(|file| !search::is_index_file(&file.path));
    files.extend(fresh.into_iter().map(|(path, bytes)| OutputFile {
        path,
        contents: Contents::Bytes(Arc::new(bytes)),
    }));
    files.sort_by(|a, b| a.path.cmp(&b.path));
}
