//! Reusing rendered pages between renders, for the live preview's rebuilds.
//! Each page is a [`Memo`]: its bytes kept with what they were rendered
//! from (its template, its template context and the Markdown texts of its
//! body), all under the site-wide inputs of rendering ([`RenderKey`]:
//! templates, globals, link targets and the raw HTML setting, level names).
//! A page is reused only when all of them are equal to those it was
//! rendered from, so a render with a cache is byte-identical to one
//! without; this holds for the whole pipeline and for the pages an edit may
//! have changed ([`crate::build::incremental`]) alike. Comparing the inputs
//! themselves is what makes that hold where a list of dependencies could
//! miss an edge (a section title shown in every page's navigation, a module
//! appearing in a partner's recommendations). Contexts compare as Tera values do; the
//! contexts proficio builds come from typed structs and sorted maps, so a
//! field never changes between an integer and a float, nor a map its key
//! order, which that comparison would not notice.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use tera::Context;

use crate::base::memo::Memo;
use crate::build::Retained;
use crate::input::config::{HeadingIds, RawHtml};
use crate::input::content::{Absence, ContentStore};
use crate::input::theme::Theme;
use crate::site::{RenderJob, Site};

/// Pages of an earlier render and what they were rendered from.
#[derive(Default)]
pub struct PageCache {
    /// The pages, kept with the site-wide inputs they were rendered from.
    pages: Option<Memo<RenderKey, CachedPages>>,
    /// The earlier render's inputs and computed site, for an edit that only
    /// rewrites Markdown bodies (see [`crate::build::incremental`]).
    retained: Option<Box<Retained>>,
}

/// Rendered pages by output path, each with what it was rendered from.
#[derive(Default)]
pub(crate) struct CachedPages(HashMap<String, Memo<PageInputs<'static>, Arc<Vec<u8>>>>);

impl CachedPages {
    /// Records `job` as rendered now from `context` and `store` into `bytes`.
    pub(crate) fn update(
        &mut self,
        job: &RenderJob,
        store: &ContentStore,
        context: Context,
        bytes: Arc<Vec<u8>>,
    ) {
        let inputs = PageInputs {
            template: job.template,
            context: Cow::Owned(context),
            body_texts: body_texts(job, store),
        };
        self.0.insert(job.output.clone(), Memo::new(inputs, bytes));
    }

    /// The bytes of `job` if it was rendered from `context` (its whole
    /// context but its Markdown) and the Markdown of `store`.
    pub(crate) fn get(
        &self,
        job: &RenderJob,
        store: &ContentStore,
        context: &Context,
    ) -> Option<&Arc<Vec<u8>>> {
        let inputs = PageInputs {
            template: job.template,
            context: Cow::Borrowed(context),
            body_texts: body_texts(job, store),
        };
        self.0.get(&job.output)?.get(&inputs)
    }
}

/// What every page's rendering depends on besides its own context.
#[derive(PartialEq)]
pub(crate) struct RenderKey {
    templates: Vec<(String, PathBuf, Arc<str>)>,
    globals: Context,
    base_path: String,
    paths: BTreeMap<String, String>,
    left_out: BTreeMap<String, Absence>,
    raw_html: RawHtml,
    heading_ids: HeadingIds,
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
            raw_html: site.targets.raw_html,
            heading_ids: site.targets.heading_ids,
            levels,
        }
    }
}

/// What one page is rendered from, besides the [`RenderKey`].
pub(crate) struct PageInputs<'a> {
    template: &'static str,
    context: Cow<'a, Context>,
    /// The Markdown sources of the page's body, whose HTML is not in the context.
    body_texts: Vec<Arc<str>>,
}

impl<'b> PartialEq<PageInputs<'b>> for PageInputs<'_> {
    fn eq(&self, other: &PageInputs<'b>) -> bool {
        self.template == other.template
            && self.body_texts == other.body_texts
            && *self.context == *other.context
    }
}

/// The pages a render may take from a cache: none when a shared input changed.
pub(crate) struct Reuse<'a> {
    pages: Option<&'a CachedPages>,
    store: &'a ContentStore,
}

impl Reuse<'_> {
    /// A reuse that never finds a page, for a build with no earlier render.
    pub(crate) fn nothing(store: &ContentStore) -> Reuse<'_> {
        Reuse { pages: None, store }
    }

    /// The bytes of `job` from the cache, if it is rendered from the same
    /// inputs; `context` is the job's whole context but its Markdown.
    pub(crate) fn get(&self, job: &RenderJob, context: &Context) -> Option<Arc<Vec<u8>>> {
        self.pages?.get(job, self.store, context).cloned()
    }
}

/// The Markdown texts a job's body is rendered from (equal texts share
/// their allocation between renders only by chance, so they compare by value).
fn body_texts(job: &RenderJob, store: &ContentStore) -> Vec<Arc<str>> {
    job.body.as_ref().map_or_else(Vec::new, |body| {
        body.sources()
            .iter()
            .filter_map(|source| store.pages.get(source))
            .map(|page| page.text.clone())
            .collect()
    })
}

impl PageCache {
    /// What a render with `key` from `store` may reuse.
    pub(crate) fn reusable<'a>(&'a self, key: &RenderKey, store: &'a ContentStore) -> Reuse<'a> {
        Reuse {
            pages: self.pages.as_ref().and_then(|pages| pages.get(key)),
            store,
        }
    }

    /// A cache of the jobs of `retained`, rendered from `key` with their
    /// whole contexts into `rendered` (same order).
    pub(crate) fn keep(
        key: RenderKey,
        retained: Retained,
        rendered: impl IntoIterator<Item = (Context, Arc<Vec<u8>>)>,
    ) -> PageCache {
        let mut pages = CachedPages::default();
        for (job, (context, bytes)) in retained.site.jobs.iter().zip(rendered) {
            pages.update(job, &retained.inputs.store, context, bytes);
        }
        PageCache {
            pages: Some(Memo::new(key, pages)),
            retained: Some(Box::new(retained)),
        }
    }

    /// The kept inputs, if any.
    pub(crate) fn retained(&self) -> Option<&Retained> {
        self.retained.as_deref()
    }

    /// The pages and the kept inputs, to update both; the pages are those
    /// rendered with the kept inputs' site-wide inputs (see
    /// [`PageCache::follow_templates`]).
    pub(crate) fn parts_mut(&mut self) -> Option<(&mut CachedPages, &mut Retained)> {
        let retained = self.retained.as_deref_mut()?;
        let pages = self.pages.as_mut()?.value_mut();
        Some((pages, retained))
    }

    /// After a template edit put a new theme in the kept inputs: keeps the
    /// pages if they were rendered with the same site-wide inputs, else
    /// starts an empty table for them.
    pub(crate) fn follow_templates(&mut self) {
        let Some(retained) = self.retained.as_ref() else {
            return;
        };
        let levels = crate::build::level_names(&retained.inputs);
        let key = RenderKey::new(&retained.inputs.theme, &retained.site, levels);
        if self
            .pages
            .as_ref()
            .is_none_or(|pages| pages.get(&key).is_none())
        {
            self.pages = Some(Memo::new(key, CachedPages::default()));
        }
    }

    /// Drops the kept inputs, keeping the pages for comparison.
    pub(crate) fn forget_inputs(&mut self) {
        self.retained = None;
    }

    /// How many pages the cache holds.
    pub fn len(&self) -> usize {
        self.pages.as_ref().map_or(0, |pages| pages.value().0.len())
    }

    /// True when the cache holds no page.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
