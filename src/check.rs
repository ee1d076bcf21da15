//! `proficio check`: every validation a build runs, plus checks on the
//! rendered site, without writing anything. The site is rendered in memory
//! ([`build::render`]); its HTML pages are read with a WHATWG tokenizer to
//! find internal links and `#anchors` that lead nowhere (including links the
//! templates produce) and images without alt text. Content files that no page
//! references, modules that belong to no learning track, fenced code in a
//! language that is neither highlighted nor plain text, and whatever
//! sanitizing removed from a body's raw HTML are warnings.
//! Each finding is a [`Diagnostic`] with its [`Code`], located in the
//! Markdown source when it comes from there, and otherwise in the rendered
//! page, with a hint naming the template. A [`Report`] prints as a human
//! report or as a stable JSON document.
//!
//! This file runs the checks in order; `html` reads a rendered page,
//! `urls` does the URL arithmetic, `links` walks the links and anchors,
//! `coverage` finds unused assets, modules without a track and what
//! sanitizing removed, `fences` code in unknown languages, and `report` sorts, counts and writes the findings.

mod coverage;
mod fences;
mod html;
mod links;
mod report;
mod urls;

use std::path::Path;

pub use crate::base::codes::{Code, Severity};
use crate::base::diagnostics::{Diagnostic, Error, Result};
use crate::build::{self, BuildOptions, RenderedSite};
use crate::input::config::{Config, RawHtml};
use crate::input::content;
use links::Portal;
pub use report::{JSON_VERSION, Report};

/// Checks the site described by `options` without writing anything. Input
/// problems become findings; only errors that stop reading the site at all
/// (an unreadable folder, a refused option) are returned as errors.
pub fn check(options: &BuildOptions) -> Result<Report> {
    match build::render_once(options) {
        Ok(site) => Ok(Report::of_site(inspect(options, &site)?)),
        Err(Error::Input(problems)) => Ok(Report::of_stopped_build(problems)),
        Err(other) => Err(other),
    }
}

/// The checks on a rendered site.
fn inspect(options: &BuildOptions, site: &RenderedSite) -> Result<Vec<Diagnostic>> {
    let mut config = Config::load(&options.root)?.config;
    if let Some(base_url) = &options.base_url {
        config.set_base_url(base_url)?;
    }
    let (store, _) = content::load(&options.root, options.drafts, &config.limits)?;
    let portal = Portal::new(options, &config, &store, site);
    let links = portal.check_pages();
    let mut findings = links.findings;
    findings.extend(coverage::unused_assets(
        &options.root,
        &store,
        &links.referenced,
    ));
    findings.extend(coverage::modules_without_track(&store, &config));
    findings.extend(fences::unknown_languages(&store));
    if config.markdown.html == RawHtml::Sanitize {
        findings.extend(coverage::sanitized(&store));
    }
    // A partner audience's notes name no file: the partners' folder stands
    // for the file that may not be named.
    let partners = Path::new(content::CONTENT_DIR).join(content::PARTNERS_DIR);
    findings.extend(site.notes.iter().map(|note| {
        Diagnostic::whole_file(Code::PartnerData, partners.clone(), note.clone())
            .with_severity(Severity::Warning)
            .hint("check without --audience to see the problem")
    }));
    Ok(findings)
}
