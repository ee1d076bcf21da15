//! Reusing rendered pages between renders, for the live preview's rebuilds.
//! A page is reused only when its template, its template context and every
//! site-wide input of rendering (templates, globals, link targets, level
//! names) are equal to those it was rendered from, so a render with a cache
//! is byte-identical to one without. Comparing the inputs themselves is what
//! makes that hold where a list of dependencies could miss an edge (a
//! section title shown in every page's navigation, a module appearing in a
//! partner's recommendations). Contexts compare as Tera values do; the
//! contexts proficio builds come from typed structs and sorted maps, so a
//! field never changes between an integer and a float, nor a map its key
//! order, which that comparison would not notice.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use tera::Context;

use crate::content::Absence;
use crate::site::{RenderJob, Site};
use crate::theme::Theme;

/// Pages of an earlier render and what they were rendered from.
#[derive(Default)]
pub struct PageCache {
    key: Option<RenderKey>,
    pages: HashMap<String, CachedPage>,
}

/// What every page's rendering depends on besides its own context.
#[derive(PartialEq)]
pub(crate) struct RenderKey {
    templates: Vec<(String, PathBuf, Arc<str>)>,
    globals: Context,
    base_path: String,
    paths: BTreeMap<String, String>,
    left_out: BTreeMap<String, Absence>,
    levels: Vec<String>,
}

impl RenderKey {
    /// The shared inputs of rendering `site` with `theme`.
    pub(crate) fn new(theme: &Theme, site: &Site, levels: Vec<String>) -> RenderKey {
        RenderKey {
            templates: theme
                .templates
                .iter()
                .map(|(name, source)| (name.clone(), source.file.clone(), source.text.clone()))
                .collect(),
            globals: site.globals.clone(),
            base_path: site.targets.base_path.clone(),
            paths: site.targets.paths.clone(),
            left_out: site.targets.left_out.clone(),
            levels,
        }
    }
}

struct CachedPage {
    template: &'static str,
    context: Context,
    bytes: Arc<[u8]>,
}

/// The pages a render may take from a cache: none when a shared input changed.
pub(crate) struct Reuse<'a> {
    pages: Option<&'a HashMap<String, CachedPage>>,
}

impl Reuse<'_> {
    /// The bytes of `job` from the cache, if it is rendered from the same inputs.
    pub(crate) fn get(&self, job: &RenderJob) -> Option<Arc<[u8]>> {
        let page = self.pages?.get(&job.output)?;
        let same = page.template == job.template && page.context == job.context;
        same.then(|| page.bytes.clone())
    }
}

impl PageCache {
    /// What a render with `key` may reuse.
    pub(crate) fn reusable(&self, key: &RenderKey) -> Reuse<'_> {
        Reuse {
            pages: (self.key.as_ref() == Some(key)).then_some(&self.pages),
        }
    }

    /// A cache of `jobs`, rendered from `key` into `rendered` (same order).
    pub(crate) fn keep(
        key: RenderKey,
        jobs: Vec<RenderJob>,
        rendered: impl IntoIterator<Item = Arc<[u8]>>,
    ) -> PageCache {
        let pages = jobs
            .into_iter()
            .zip(rendered)
            .map(|(job, bytes)| {
                let page = CachedPage {
                    template: job.template,
                    context: job.context,
                    bytes,
                };
                (job.output, page)
            })
            .collect();
        PageCache {
            key: Some(key),
            pages,
        }
    }

    /// How many pages the cache holds.
    pub fn len(&self) -> usize {
        self.pages.len()
    }

    /// True when the cache holds no page.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }
}
