//! The build pipeline, in its fixed order: load (configuration, content,
//! theme) → validate → compute → render (in parallel) → write. Each stage
//! collects every problem it finds; the build stops after the first stage
//! that has any, and the output folder is only replaced when all succeeded.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::content;
use crate::diagnostics::{self, Diagnostic, Error, Result};
use crate::highlight;
use crate::metrics;
use crate::output::{self, Contents, OutputFile};
use crate::site;
use crate::templates::Templates;
use crate::theme;
use crate::validate;

/// What to build and how.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site's root folder (holding `site.toml`).
    pub root: PathBuf,
    /// Output folder; defaults to `output_dir` from `site.toml`, under the root.
    pub output: Option<PathBuf>,
    /// Replaces `base_url` from `site.toml`.
    pub base_url: Option<String>,
    /// Includes pages marked `draft: true`.
    pub drafts: bool,
}

/// One written page and the content sources it was built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRecord {
    /// Output path relative to the output folder.
    pub output: String,
    /// Template used.
    pub template: String,
    /// Content sources (keys under `content/`) the page depends on.
    pub sources: BTreeSet<String>,
}

/// What a successful build produced.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// The folder written.
    pub output_dir: PathBuf,
    /// Every rendered page with its sources, in output order.
    pub pages: Vec<PageRecord>,
    /// How many static and content files were copied.
    pub files_copied: usize,
}

/// Everything read from disk, before any checking.
struct Inputs {
    loaded: crate::config::LoadedConfig,
    output_dir: PathBuf,
    store: content::ContentStore,
    partners: Vec<metrics::PartnerFile>,
    theme: theme::Theme,
    /// Problems found while reading.
    problems: Vec<Diagnostic>,
}

/// Builds the site described by `options`.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    let mut inputs = load(options)?;
    let config = &inputs.loaded.config;
    let mut problems = std::mem::take(&mut inputs.problems);
    problems.extend(validate::validate(&inputs.store, config));
    problems.extend(metrics::validate(&inputs.partners, config, &inputs.store));
    // Compute even after problems so dead links join the same report.
    let site = match site::compute(config, &inputs.store, &inputs.partners) {
        Ok(site) => site,
        Err(Error::Input(link_problems)) => {
            problems.extend(link_problems);
            return Err(input_error(problems));
        }
        Err(other) => return Err(other),
    };
    fail_on(problems)?;
    let levels = config.levels.iter().map(|l| l.title.clone()).collect();
    let mut templates =
        Templates::new(&inputs.theme, site.targets.clone(), levels).map_err(Error::Input)?;
    templates.set_globals(site.globals.clone());
    let rendered = render_all(&templates, &site.jobs)?;

    let (files, files_copied) = output_files(&inputs, &site, rendered);
    output::write(&inputs.output_dir, &files)?;
    let pages = site
        .jobs
        .iter()
        .map(|job| PageRecord {
            output: job.output.clone(),
            template: job.template.to_string(),
            sources: job.sources.clone(),
        })
        .collect();
    Ok(BuildReport {
        output_dir: inputs.output_dir,
        pages,
        files_copied,
    })
}

/// Reads configuration, content, partner data and theme.
fn load(options: &BuildOptions) -> Result<Inputs> {
    let root = &options.root;
    let mut loaded = Config::load(root)?;
    if let Some(base_url) = &options.base_url {
        loaded.config.set_base_url(base_url)?;
    }
    let output_dir = match &options.output {
        Some(output) => output.clone(),
        None => root.join(&loaded.config.output_dir),
    };
    output::check_target(root, &output_dir)?;
    let (store, mut problems) = content::load(root, options.drafts)?;
    let (partners, partner_problems) = metrics::load(root)?;
    problems.extend(partner_problems);
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
        theme,
        problems,
    })
}

/// Every output file: generated stylesheet, theme statics, content assets,
/// data exports and rendered pages (later entries win on the same path).
/// Also returns how many were copied rather than rendered.
fn output_files(
    inputs: &Inputs,
    site: &site::Site,
    rendered: Vec<String>,
) -> (Vec<OutputFile>, usize) {
    let config = &inputs.loaded.config;
    let bytes = |data: Vec<u8>| Contents::Bytes(Arc::from(data));
    let mut files: BTreeMap<String, Contents> = BTreeMap::new();
    let stylesheet = highlight::stylesheet(&config.highlight_theme, &config.highlight_theme_dark);
    files.insert("highlight.css".to_string(), bytes(stylesheet.into_bytes()));
    for (name, data) in &inputs.theme.statics {
        files.insert(name.clone(), Contents::Bytes(data.clone()));
    }
    for asset in &inputs.store.assets {
        files.insert(asset.output.clone(), Contents::Copy(asset.source.clone()));
    }
    let files_copied = files.len();
    for (path, data) in &site.files {
        files.insert(path.clone(), bytes(data.clone()));
    }
    for (job, html) in site.jobs.iter().zip(rendered) {
        files.insert(job.output.clone(), bytes(html.into_bytes()));
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

/// Renders every job in parallel; a template mistake usually repeats on many
/// pages, so identical reports are shown once.
fn render_all(templates: &Templates, jobs: &[site::RenderJob]) -> Result<Vec<String>> {
    let results: Vec<std::result::Result<String, Diagnostic>> = jobs
        .par_iter()
        .map(|job| templates.render(job.template, &job.context))
        .collect();
    let mut pages = Vec::with_capacity(results.len());
    // One mistake in a shared template fails many pages, with messages that
    // differ only in the variables each page has: report each place once.
    let mut problems: BTreeMap<(PathBuf, usize, usize), Diagnostic> = BTreeMap::new();
    for result in results {
        match result {
            Ok(page) => pages.push(page),
            Err(problem) => {
                let place = (problem.file.clone(), problem.line(), problem.column());
                problems.entry(place).or_insert(problem);
            }
        }
    }
    fail_on(problems.into_values().collect())?;
    Ok(pages)
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
