//! The build pipeline, in its fixed order: load (configuration, content,
//! theme) → validate → compute → render (in parallel) → write. Each stage
//! collects every problem it finds; the build stops after the first stage
//! that has any, and the output folder is only replaced when all succeeded.
//! Render and write overlap: each page goes to the staging folder as soon as
//! it is rendered, so a build holds only the pages being rendered. [`render`]
//! runs the same pipeline into memory, for the live preview and `check`; it
//! can reuse pages of an earlier render through a [`PageCache`], which also
//! keeps what [`crate::build::incremental`] needs to redo only a prose edit.

mod cache;
pub mod incremental;
pub mod output;
mod page_cache;
pub mod search;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use tera::Context;

use crate::base::audience::Audience;
use crate::base::build_cache::{Access, BuildCache, Stats};
use crate::base::codes::Code;
use crate::base::diagnostics::{self, Diagnostic, Error, Result};
use crate::base::memo::Memo;
use crate::base::remarks::Remarks;
pub use crate::build::cache::CacheChoice;
pub use crate::build::page_cache::PageCache;
use crate::build::page_cache::{RenderKey, Reuse};
use crate::input::config::{CONFIG_FILE, Config, LoadedConfig};
use crate::input::content;
use crate::input::theme;
use crate::input::validate;
use crate::partners::{metrics, sources};
use crate::render::bodies::{Bodies, Body, RenderedBodies};
use crate::render::templates::{Budget, Interrupt, Overrun, RenderError, Templates};
use crate::site;
use output::{Contents, OutputFile};
use search::SearchIndex;

/// What to build and how.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BuildOptions {
    /// The site's root folder (holding `site.toml`).
    pub root: PathBuf,
    /// Output folder; defaults to `output_dir` from `site.toml`, under the root.
    pub output: Option<PathBuf>,
    /// Replaces `base_url` from `site.toml`.
    pub base_url: Option<String>,
    /// Includes pages marked `draft: true`.
    pub drafts: bool,
    /// Who the build is for: everything, or what one partner may receive.
    pub audience: Audience,
    /// Stops the render early when its result is no longer wanted.
    pub interrupt: Interrupt,
    /// Where passing remarks go (waiting for another build's lock, a build
    /// cache that cannot be used).
    pub remarks: Remarks,
    /// Where highlighted code is kept between runs.
    pub cache: CacheChoice,
}

/// One written page and the template it was rendered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRecord {
    /// Output path relative to the output folder.
    pub output: String,
    /// Template used.
    pub template: String,
}

/// What a successful build produced.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// The folder written.
    pub output_dir: PathBuf,
    /// Every rendered page with its template, in output order.
    pub pages: Vec<PageRecord>,
    /// How many static and content files were copied.
    pub files_copied: usize,
    /// What the user should know that did not stop the build (each one line,
    /// such as [`OTHER_PARTNER_PROBLEM`]).
    pub notes: Vec<String>,
    /// With a build cache: how many Markdown bodies' highlighted code it
    /// held (hits) and did not (misses), and the bytes written to it.
    pub cache: Option<Stats>,
}

/// What a partner audience's build or preview says, and all it says, when
/// another partner's file has a problem: the file does not go into that
/// partner's portal, so it does not stop it, and naming it or quoting it
/// would show one partner another's data.
pub const OTHER_PARTNER_PROBLEM: &str = "another partner's file has a problem";

/// Everything read from disk, before any checking.
pub(crate) struct Inputs {
    pub(crate) loaded: LoadedConfig,
    pub(crate) output_dir: PathBuf,
    pub(crate) store: content::ContentStore,
    partners: Vec<metrics::PartnerFile>,
    pub(crate) audience: Audience,
    pub(crate) theme: theme::Theme,
    /// For a partner audience, what is known of the other partners' files.
    pub(crate) others: OtherPartners,
    /// Problems found while reading.
    problems: Vec<Diagnostic>,
    /// See [`BuildReport::notes`].
    pub(crate) notes: Vec<String>,
    /// The build cache the run reads and writes, if any.
    pub(crate) cache: Option<Arc<BuildCache>>,
    /// The exports `[[sources]]` read, kept by the live preview so that a
    /// save reads again only the files that changed.
    pub(crate) exports: sources::ReadExports,
}

/// A site rendered in memory: every file a build would write, not written.
pub struct RenderedSite {
    /// The folder a build would write.
    pub output_dir: PathBuf,
    /// Every output file, in path order.
    pub files: Vec<OutputFile>,
    /// Every rendered page with its template, in output order.
    pub pages: Arc<[PageRecord]>,
    /// How many static and content files are copied rather than rendered.
    pub files_copied: usize,
    /// How many pages this run rendered; the others came from the cache.
    pub pages_rendered: usize,
    /// See [`BuildReport::notes`].
    pub notes: Vec<String>,
    /// This run's pages, for the next run to reuse.
    pub cache: PageCache,
}

/// What a render keeps for the next one, besides its pages: what it was
/// rendered from and what it produced.
pub(crate) struct Retained {
    pub(crate) options: BuildOptions,
    pub(crate) inputs: Inputs,
    pub(crate) site: site::Site,
    pub(crate) templates: Templates,
    /// Every page body rendered, so a template edit need not render them again.
    pub(crate) bodies: RenderedBodies,
    /// Every output file, in path order, kept with the theme's static files
    /// copied among them (what else they hold follows the edits put in place).
    pub(crate) files: Memo<Statics, Vec<OutputFile>>,
    /// The data exports among them, kept with the revision of the partner
    /// figures they were made from.
    pub(crate) exports: Memo<Option<u64>, GeneratedFiles>,
    pub(crate) pages: Arc<[PageRecord]>,
    pub(crate) files_copied: usize,
    /// The search index of the pages, which an edit updates page by page.
    pub(crate) search: Option<SearchIndex>,
}

/// A theme's static files by output path, as [`theme::Theme::statics`] holds them.
pub(crate) type Statics = BTreeMap<String, Arc<Vec<u8>>>;

/// Generated files by output path, as [`site::Site::files`] holds them.
pub(crate) type GeneratedFiles = Vec<(String, Arc<Vec<u8>>)>;

/// A page's bytes, and whether this run rendered them (rather than reusing
/// them from the cache).
type PageBytes = (Arc<Vec<u8>>, bool);

/// Builds the site described by `options`. Pages are written as they are
/// rendered, so the rendered site is never held in memory.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    let (loaded, output_dir) = configure(options)?;
    output::check_target(&options.root, &output_dir)?;
    let mut inputs = load(options, (loaded, output_dir), Access::ReadWrite, false)?;
    let mut site = check_and_compute(&mut inputs, site::PartnerData::Drop)?;
    let templates = templates_for(&inputs, &site)?;
    let (files, files_copied) = other_files(&inputs, &mut site);
    let staging = output::Staging::new(&options.root, &inputs.output_dir, &options.remarks)?;
    staging.write_all(&files)?;
    drop(files);
    let bodies = bodies_of(&inputs, &site);
    let index = search_index(&inputs, &site);
    render_all(
        (&templates, &budget_of(options, &inputs)),
        &bodies,
        &site,
        &Reuse::nothing(&inputs.store),
        |job, _, (page, _)| {
            staging.write(&job.output, &page)?;
            match index
                .as_ref()
                .and_then(|index| index.add(&job.output, &page))
            {
                Some((path, result)) => staging.write(&path, &result),
                None => Ok(()),
            }
        },
    )?;
    let pages = page_records(&site.jobs);
    // The rendered site's model and bodies are not needed any more: freed
    // before the index's word lists are inverted, so the two never add up.
    drop(bodies);
    drop(templates);
    drop(site);
    // Nor are the pages' sources, the largest thing left.
    drop(std::mem::take(&mut inputs.store));
    if let Some(index) = &index {
        index.write_files(&|path: &str, bytes: &[u8]| staging.write(path, bytes))?;
    }
    staging.finish()?;
    evict(&inputs);
    Ok(BuildReport {
        output_dir: inputs.output_dir,
        pages,
        files_copied,
        notes: inputs.notes,
        cache: inputs.cache.as_deref().map(BuildCache::stats),
    })
}

/// Runs the whole pipeline without writing anything, reusing the pages of
/// `cache` whose inputs did not change. The output folder is not checked,
/// since nothing is written to it. The result's cache keeps what the next
/// render and [`crate::build::incremental`] need: every page's context, the
/// rendered Markdown bodies and the partner data.
pub fn render(options: &BuildOptions, cache: &PageCache) -> Result<RenderedSite> {
    render_with(options, Some(cache))
}

/// [`render`] for a single use (`check`): nothing is kept for a later
/// render, so contexts, bodies and partner data go as soon as they are used.
pub fn render_once(options: &BuildOptions) -> Result<RenderedSite> {
    render_with(options, None)
}

fn render_with(options: &BuildOptions, cache: Option<&PageCache>) -> Result<RenderedSite> {
    let keep = cache.is_some();
    let partner_data = if keep {
        site::PartnerData::Keep
    } else {
        site::PartnerData::Drop
    };
    // A single render is `check`'s, which writes no file of its own accord.
    let access = if keep {
        Access::ReadWrite
    } else {
        Access::ReadOnly
    };
    let mut inputs = load(options, configure(options)?, access, keep)?;
    let mut site = check_and_compute(&mut inputs, partner_data)?;
    let templates = templates_for(&inputs, &site)?;
    let key = RenderKey::new(&inputs.theme, &site, level_names(&inputs));
    let shown = site.jobs.iter().filter_map(|job| job.body.as_ref());
    let bodies = if keep {
        Bodies::keeping(&inputs.store, &site.targets, shown, None)
    } else {
        Bodies::new(&inputs.store, &site.targets, shown)
    };
    let reuse = match cache {
        Some(cache) => cache.reusable(&key, &inputs.store),
        None => Reuse::nothing(&inputs.store),
    };
    let budget = budget_of(options, &inputs);
    let index = search_index(&inputs, &site);
    let rendered = render_all(
        (&templates, &budget),
        &bodies,
        &site,
        &reuse,
        |job, context, page| {
            let page = match page {
                (bytes, true) if keep => (kept_page(&bytes), true),
                page => page,
            };
            let result = index
                .as_ref()
                .and_then(|index| index.add(&job.output, &page.0));
            Ok((keep.then(|| context.into_owned()), page, result))
        },
    )?;
    let (rendered, results): (Vec<_>, Vec<_>) = rendered
        .into_iter()
        .map(|(context, page, result)| ((context, page), result))
        .unzip();
    let mut bodies = bodies.into_rendered();
    if let Some(earlier) = cache.and_then(PageCache::retained) {
        let fresh = rendered.iter().map(|(_, (_, fresh))| *fresh);
        carry_over_bodies(&site.jobs, fresh, &earlier.bodies, &mut bodies);
    }
    let pages_rendered = rendered.iter().filter(|(_, (_, fresh))| *fresh).count();
    evict(&inputs);
    // Shared with the files: a copy of the references only.
    let exports = Memo::new(site.partner_revision(), site.files.clone());
    let (mut files, files_copied) = other_files(&inputs, &mut site);
    for (job, (_, (page, _))) in site.jobs.iter().zip(&rendered) {
        files.push(OutputFile {
            path: job.output.clone(),
            contents: Contents::Bytes(page.clone()),
        });
    }
    let search_files = results
        .into_iter()
        .flatten()
        .chain(index.iter().flat_map(SearchIndex::files));
    files.extend(search_files.map(|(path, bytes)| OutputFile {
        path,
        contents: Contents::Bytes(Arc::new(bytes)),
    }));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let pages: Arc<[PageRecord]> = page_records(&site.jobs).into();
    let output_dir = inputs.output_dir.clone();
    let notes = inputs.notes.clone();
    let cache = if keep {
        let pages_kept = rendered
            .into_iter()
            .map(|(context, (bytes, _))| (context.unwrap_or_default(), bytes));
        let files_kept = Memo::new(inputs.theme.statics.clone(), files.clone());
        let retained = Retained {
            options: options.clone(),
            inputs,
            site,
            templates,
            bodies,
            files: files_kept,
            exports,
            pages: pages.clone(),
            files_copied,
            search: index,
        };
        PageCache::keep(key, retained, pages_kept)
    } else {
        PageCache::default()
    };
    Ok(RenderedSite {
        cache,
        output_dir,
        files,
        pages,
        files_copied,
        pages_rendered,
        notes,
    })
}

/// Keeps the build cache within the size `site.toml` allows.
fn evict(inputs: &Inputs) {
    if let Some(cache) = &inputs.cache {
        cache.evict(inputs.loaded.config.cache.max_bytes());
    }
}

/// The search index the render fills, when the site has search.
fn search_index(inputs: &Inputs, site: &site::Site) -> Option<SearchIndex> {
    let config = &inputs.loaded.config;
    config.search.enabled.then(|| {
        let outputs = site.jobs.iter().map(|j| (j.output.as_str(), j.template));
        SearchIndex::new(config.base_path(), outputs)
    })
}

/// A rendered page as a render that keeps its pages holds it. Tera renders
/// into a buffer that doubles as it grows, which can leave nearly as much
/// unused room as page; the preview holds every page, so it keeps a copy of
/// the exact length.
pub(crate) fn kept_page(page: &[u8]) -> Arc<Vec<u8>> {
    Arc::new(page.to_vec())
}

/// Adds to `bodies` the earlier render's bodies of the pages reused from it
/// (`fresh` false): a reused page's bodies have the same Markdown and link
/// targets as when they were kept.
fn carry_over_bodies(
    jobs: &[site::RenderJob],
    fresh: impl Iterator<Item = bool>,
    earlier: &RenderedBodies,
    bodies: &mut RenderedBodies,
) {
    let reused = jobs.iter().zip(fresh).filter(|(_, fresh)| !fresh);
    for source in reused
        .filter_map(|(job, _)| job.body.as_ref())
        .flat_map(Body::sources)
    {
        if let Some(html) = earlier.get(source) {
            bodies.entry(source.clone()).or_insert_with(|| html.clone());
        }
    }
}

pub(crate) fn level_names(inputs: &Inputs) -> Vec<String> {
    let levels = &inputs.loaded.config.levels;
    levels.iter().map(|l| l.title.clone()).collect()
}

/// What this run's renders may produce and take.
pub(crate) fn budget_of(options: &BuildOptions, inputs: &Inputs) -> Budget {
    Budget::new(&inputs.loaded.config.limits, options.interrupt.clone())
}

/// The templates with the site's globals and link targets.
pub(crate) fn templates_for(inputs: &Inputs, site: &site::Site) -> Result<Templates> {
    let mut templates = Templates::new(&inputs.theme, site.targets.clone(), level_names(inputs))
        .map_err(Error::Input)?;
    templates.set_globals(site.globals.clone());
    Ok(templates)
}

fn bodies_of<'a>(inputs: &'a Inputs, site: &'a site::Site) -> Bodies<'a> {
    let shown = site.jobs.iter().filter_map(|job| job.body.as_ref());
    Bodies::new(&inputs.store, &site.targets, shown)
}

pub(crate) fn page_records(jobs: &[site::RenderJob]) -> Vec<PageRecord> {
    jobs.iter()
        .map(|job| PageRecord {
            output: job.output.clone(),
            template: job.template.to_string(),
        })
        .collect()
}

/// Validates the inputs and computes the pages, reporting every problem of
/// both stages together.
fn check_and_compute(inputs: &mut Inputs, keep: site::PartnerData) -> Result<site::Site> {
    let config = &inputs.loaded.config;
    let mut problems = std::mem::take(&mut inputs.problems);
    problems.extend(validate::validate(&inputs.store, config));
    problems.extend(metrics::validate(&inputs.partners, config, &inputs.store));
    // Compute even after problems so dead links join the same report.
    let mut partners = std::mem::take(&mut inputs.partners);
    if keep == site::PartnerData::Drop && problems.is_empty() {
        // Checked: no problem is left to point into the files' text, which
        // a large program holds tens of megabytes of while its figures are
        // computed.
        for partner in &mut partners {
            partner.text = Arc::from("");
        }
    }
    let cache = inputs.cache.clone();
    let site = match site::compute(
        config,
        &inputs.store,
        partners,
        &inputs.audience,
        keep,
        cache,
    ) {
        Ok(site) => site,
        Err(Error::Input(link_problems)) => {
            problems.extend(link_problems);
            return Err(input_error(problems));
        }
        Err(other) => return Err(other),
    };
    fail_on(problems)?;
    Ok(site)
}

/// The configuration of `options` and the output folder it names.
fn configure(options: &BuildOptions) -> Result<(LoadedConfig, PathBuf)> {
    let root = &options.root;
    let mut loaded = Config::load(root)?;
    if let Some(base_url) = &options.base_url {
        loaded.config.set_base_url(base_url)?;
    }
    let output_dir = match &options.output {
        Some(output) => output.clone(),
        None => root.join(&loaded.config.output_dir),
    };
    Ok((loaded, output_dir))
}

/// Reads content, partner data and theme, after the configuration
/// ([`configure`]), and opens the build cache with `access`; the exports
/// read are kept when `keep_exports` (for the live preview).
fn load(
    options: &BuildOptions,
    (loaded, output_dir): (LoadedConfig, PathBuf),
    access: Access,
    keep_exports: bool,
) -> Result<Inputs> {
    let root = &options.root;
    let cache = cache::open(options, &output_dir, access)?;
    let limits = &loaded.config.limits;
    let (store, mut problems) = content::load(root, options.drafts, limits)?;
    let (partners, others) = match &options.audience {
        Audience::Internal => {
            let (partners, partner_problems) = metrics::load(root, limits)?;
            problems.extend(partner_problems);
            (partners, OtherPartners::default())
        }
        Audience::Partner(id) => {
            let own = own_partner_data(root, id, &loaded.config, &store)?;
            problems.extend(own.problems);
            (own.partners, own.others)
        }
    };
    let mut partners = partners;
    let exports = if keep_exports {
        sources::ReadExports::keeping()
    } else {
        sources::ReadExports::default()
    };
    if !loaded.config.sources.is_empty() {
        let own = match &options.audience {
            Audience::Internal => None,
            Audience::Partner(id) => Some(id.as_str()),
        };
        let config = &loaded.config;
        let imported = sources::import(root, config, &mut partners, &store, own, &exports)?;
        problems.extend(imported.problems);
    }
    let notes = others.notes();
    let theme = match theme::load(root, &loaded) {
        Ok(theme) => theme,
        Err(Error::Input(theme_problems)) => {
            problems.extend(theme_problems);
            theme::Theme::default()
        }
        Err(other) => return Err(other),
    };
    Ok(Inputs {
        loaded,
        output_dir,
        store,
        partners,
        audience: options.audience.clone(),
        theme,
        others,
        problems,
        notes,
        cache,
        exports,
    })
}

/// The partner data one partner's audience is built from.
struct OwnPartnerData {
    /// The partner's own file, if it parsed.
    partners: Vec<metrics::PartnerFile>,
    /// The problems of its own file (or of a second file claiming its id),
    /// in full.
    problems: Vec<Diagnostic>,
    /// Whether each other partner's file has a problem: all that is said of it.
    others: OtherPartners,
}

/// What a partner audience knows of the other partners' files: whether each
/// has a problem, by file name, which is all its build and preview say of
/// them ([`OTHER_PARTNER_PROBLEM`]). A file's entry is a function of its own
/// text, so the preview can check an edited file again on its own.
#[derive(Debug, Clone, Default)]
pub(crate) struct OtherPartners {
    /// Each other partner file's name in the partner folder, and whether
    /// it has a problem (a problem with no file name is kept under `""`).
    files: BTreeMap<String, bool>,
}

impl OtherPartners {
    /// The notes a partner audience's build gives about these files.
    pub(crate) fn notes(&self) -> Vec<String> {
        if self.files.values().any(|problem| *problem) {
            vec![OTHER_PARTNER_PROBLEM.to_string()]
        } else {
            Vec::new()
        }
    }

    /// Records whether the file `name`, edited in place, has a problem now.
    /// `None`, with nothing changed, for a file not known, or one whose id
    /// another file shares: which of two files keeps an id, and so which
    /// one has the problem, depends on both.
    pub(crate) fn set(&mut self, name: &str, problem: bool) -> Option<()> {
        let stem = |name: &str| {
            name.rsplit_once('.')
                .map_or(name, |(stem, _)| stem)
                .to_string()
        };
        let id = stem(name);
        let sharing = self.files.keys().filter(|known| stem(known) == id).count();
        if sharing != 1 {
            return None;
        }
        *self.files.get_mut(name)? = problem;
        Some(())
    }
}

/// Loads the partner data for partner `id`'s audience: its own file with its
/// problems, and nothing of the others but whether one has a problem. Other
/// partners' files never reach the figures, so their problems do not stop
/// this partner's build. Refuses an `id` without a file of its own.
fn own_partner_data(
    root: &Path,
    id: &str,
    config: &Config,
    store: &content::ContentStore,
) -> Result<OwnPartnerData> {
    let folder = Path::new(content::CONTENT_DIR).join(content::PARTNERS_DIR);
    let is_own = |file: &Path| {
        file.parent() == Some(folder.as_path()) && file.file_stem().is_some_and(|stem| stem == id)
    };
    let (partners, problems) = metrics::load(root, &config.limits)?;
    let (partners, others): (Vec<_>, Vec<_>) = partners.into_iter().partition(|p| p.id == id);
    let (problems, other_problems): (Vec<_>, Vec<_>) =
        problems.into_iter().partition(|p| is_own(&p.file));
    let name = |file: &Path| {
        file.file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let mut files: BTreeMap<String, bool> = others
        .iter()
        .map(|other| (name(&other.file), false))
        .collect();
    let validated = metrics::validate(&others, config, store);
    for problem in other_problems.iter().chain(&validated) {
        files.insert(name(&problem.file), true);
    }
    let own = OwnPartnerData {
        partners,
        problems,
        others: OtherPartners { files },
    };
    if own.partners.is_empty() && own.problems.is_empty() {
        // Other partners' ids are not listed: the message may show in a
        // partner's preview.
        return Err(Error::Refused(format!(
            "--audience partner:{id}: no partner file content/partners/{id}.yaml \
             (a partner's id is its file name in content/partners/ without `.yaml`)"
        )));
    }
    Ok(own)
}

/// Every output file besides the rendered pages: generated stylesheet, theme
/// statics, content assets and data exports, in path order (later kinds win
/// on the same path, and a page wins over all of them). Also returns how many
/// were copied rather than generated.
fn other_files(inputs: &Inputs, site: &mut site::Site) -> (Vec<OutputFile>, usize) {
    let bytes = |data: Vec<u8>| Contents::Bytes(Arc::from(data));
    let mut files: BTreeMap<String, Contents> = BTreeMap::new();
    let stylesheet = site.targets.code.style().stylesheet();
    files.insert("highlight.css".to_string(), bytes(stylesheet.into_bytes()));
    for (name, data) in &inputs.theme.statics {
        files.insert(name.clone(), Contents::Bytes(data.clone()));
    }
    for asset in &inputs.store.assets {
        files.insert(asset.output.clone(), Contents::Copy(asset.source.clone()));
    }
    let files_copied = files.len();
    // Taken, not shared: the exports are large and written once.
    for (path, data) in std::mem::take(&mut site.files) {
        files.insert(path, Contents::Bytes(data));
    }
    for job in &site.jobs {
        files.remove(&job.output);
    }
    let files = files
        .into_iter()
        .map(|(path, contents)| OutputFile { path, contents })
        .collect();
    (files, files_copied)
}

fn fail_on(problems: Vec<Diagnostic>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(input_error(problems))
    }
}

/// Problems in report order, each shown once.
fn input_error(mut problems: Vec<Diagnostic>) -> Error {
    diagnostics::sort(&mut problems);
    problems.dedup();
    Error::Input(problems)
}

/// Renders every job in parallel and hands each page to `deliver` as soon as
/// it is rendered, taking a job's bytes from `reuse` when its inputs are
/// unchanged; each page says whether it was rendered now. Returns what
/// `deliver` returned, in job order. A template mistake usually repeats on
/// many pages, so identical reports are shown once.
fn render_all<T: Send>(
    (templates, budget): (&Templates, &Budget),
    bodies: &Bodies,
    site: &site::Site,
    reuse: &Reuse,
    deliver: impl Fn(&site::RenderJob, Cow<Context>, PageBytes) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    let results: Vec<std::result::Result<T, Diagnostic>> = site
        .jobs
        .par_iter()
        .map(|job| {
            let context = site.context(job);
            let page = match reuse.get(job, &context) {
                Some(bytes) => match budget.count(bytes.len() as u64) {
                    Ok(()) => (bytes, false),
                    Err(overrun) => return Ok(Err(overrun_problem(templates, job, overrun))),
                },
                None => match render_one((templates, budget), bodies, job, &context) {
                    Ok(html) => (Arc::from(html), true),
                    Err(problem) => return Ok(Err(problem)),
                },
            };
            deliver(job, context, page).map(Ok)
        })
        .collect::<Result<_>>()?;
    let mut delivered = Vec::with_capacity(results.len());
    // One mistake in a shared template fails many pages, with messages that
    // differ only in the variables each page has: report each place once.
    let mut problems: BTreeMap<(PathBuf, usize, usize), Diagnostic> = BTreeMap::new();
    for result in results {
        match result {
            Ok(value) => delivered.push(value),
            Err(problem) => {
                let place = (problem.file.clone(), problem.line(), problem.column());
                problems.entry(place).or_insert(problem);
            }
        }
    }
    fail_on(problems.into_values().collect())?;
    Ok(delivered)
}

/// Renders one job from its whole context but its Markdown, within `budget`.
pub(crate) fn render_one(
    (templates, budget): (&Templates, &Budget),
    bodies: &Bodies,
    job: &site::RenderJob,
    context: &Context,
) -> std::result::Result<Vec<u8>, Diagnostic> {
    let rendered = match &job.body {
        Some(body) => templates.render_within(job.template, &bodies.fill(context, body), budget),
        None => templates.render_within(job.template, context, budget),
    };
    rendered.map_err(|error| match error {
        RenderError::Template(problem) => problem,
        RenderError::Overrun(overrun) => overrun_problem(templates, job, overrun),
    })
}

/// A page past its budget, reported at its content source (or, for a page
/// made from no single file, its template) with the template it was
/// rendered with. Past the total, every later page fails alike: one report
/// at `site.toml` stands for them all.
fn overrun_problem(templates: &Templates, job: &site::RenderJob, overrun: Overrun) -> Diagnostic {
    let template = templates
        .file_of(job.template)
        .map_or_else(|| job.template.to_string(), diagnostics::printable_path);
    if let Overrun::OutputBytes(_) = overrun {
        return Diagnostic::whole_file(Code::Template, CONFIG_FILE, overrun.to_string())
            .hint("raise max_output_bytes in [limits] if the site is meant to be this large");
    }
    let source = match &job.body {
        Some(Body::Own { source, .. }) => Some(Path::new(content::CONTENT_DIR).join(source)),
        _ => None,
    };
    let message = format!("rendering `{}` with {template}: {overrun}", job.output);
    let problem = match source {
        Some(source) => Diagnostic::whole_file(Code::Template, source, message),
        None => Diagnostic::whole_file(Code::Template, &template, message),
    };
    problem.hint(match overrun {
        Overrun::Interrupted => "a newer change is being rendered",
        _ => "look for a loop or a recursive include in the template that does not end",
    })
}

/// The output folder a build with these options writes to, for messages.
pub fn describe_output(options: &BuildOptions, report: &BuildReport) -> String {
    let shown = report
        .output_dir
        .strip_prefix(&options.root)
        .unwrap_or(&report.output_dir);
    if shown.as_os_str().is_empty() {
        Path::new(".").display().to_string()
    } else {
        shown.display().to_string()
    }
}
