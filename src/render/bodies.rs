//! Markdown bodies at render time. The compute stage only outlines each body
//! (table of contents, word count, dead links); the HTML, with its syntax
//! highlighting, is rendered here just before the page that shows it, and
//! dropped once that page is written. Bodies with their highlighted code are
//! the bulk of a site, so a build never holds them all at once. A body shown
//! on several pages (a section's introduction, the newest modules in the
//! feed) is rendered once and kept for the build. The live preview keeps
//! every body it rendered, with the Markdown it was rendered from
//! ([`Bodies::keeping`], [`Bodies::into_rendered`]), so
//! that a template edit renders pages again without rendering Markdown again.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use tera::{Context, Value};

use crate::base::memo::Memo;
use crate::input::content::ContentStore;
use crate::render::markdown::{self, LinkTargets};

/// Where a job's context receives rendered Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// `<variable>.content` is the body of this content source.
    Own {
        /// Top-level context variable holding a map (`page`, `section`).
        variable: &'static str,
        /// Content source key of the body.
        source: String,
    },
    /// `<variable>.entries[i].content` is the body of the i-th source.
    Entries {
        /// Top-level context variable holding a map with an `entries` list.
        variable: &'static str,
        /// Content source keys, one per entry.
        sources: Vec<String>,
    },
}

impl Body {
    /// The content sources whose Markdown this body shows.
    pub fn sources(&self) -> &[String] {
        match self {
            Body::Own { source, .. } => std::slice::from_ref(source),
            Body::Entries { sources, .. } => sources,
        }
    }
}

/// Renders bodies for one build's jobs.
pub struct Bodies<'a> {
    store: &'a ContentStore,
    targets: &'a LinkTargets,
    /// Bodies more than one job shows (every body, when keeping), each
    /// rendered on first use.
    shared: HashMap<&'a str, OnceLock<Arc<str>>>,
    /// Bodies rendered by an earlier render, used as they are.
    earlier: Option<&'a RenderedBodies>,
}

/// Rendered bodies by content source, each kept with the Markdown text it
/// was rendered from: a body is taken from an earlier render only while its
/// text is the same.
pub type RenderedBodies = HashMap<String, Memo<Arc<str>, Arc<str>>>;

impl<'a> Bodies<'a> {
    /// A renderer for `bodies`, which tells which sources are shown more than once.
    pub fn new<'b>(
        store: &'a ContentStore,
        targets: &'a LinkTargets,
        bodies: impl Iterator<Item = &'b Body>,
    ) -> Bodies<'a> {
        Bodies::with_uses(store, targets, bodies, 2)
    }

    /// Like [`Bodies::new`], keeping every body rendered, for
    /// [`Bodies::into_rendered`]; bodies in `earlier` are taken from there
    /// when their Markdown is the same (with the same link targets).
    pub fn keeping<'b>(
        store: &'a ContentStore,
        targets: &'a LinkTargets,
        bodies: impl Iterator<Item = &'b Body>,
        earlier: Option<&'a RenderedBodies>,
    ) -> Bodies<'a> {
        let mut kept = Bodies::with_uses(store, targets, bodies, 1);
        kept.earlier = earlier;
        kept
    }

    /// Bodies shown at least `kept_from` times are kept once rendered.
    fn with_uses<'b>(
        store: &'a ContentStore,
        targets: &'a LinkTargets,
        bodies: impl Iterator<Item = &'b Body>,
        kept_from: usize,
    ) -> Bodies<'a> {
        let mut uses: HashMap<&str, usize> = HashMap::new();
        for body in bodies {
            for source in body.sources() {
                *uses.entry(source.as_str()).or_default() += 1;
            }
        }
        let shared = uses
            .into_iter()
            .filter(|(_, count)| *count >= kept_from)
            .filter_map(|(source, _)| store.pages.get_key_value(source))
            .map(|(key, _)| (key.as_str(), OnceLock::new()))
            .collect();
        Bodies {
            store,
            targets,
            shared,
            earlier: None,
        }
    }

    /// The bodies rendered or taken from the earlier render so far.
    pub fn into_rendered(self) -> RenderedBodies {
        let store = self.store;
        self.shared
            .into_iter()
            .filter_map(|(source, cell)| {
                let text = store.pages.get(source)?.text.clone();
                Some((source.to_string(), Memo::new(text, cell.into_inner()?)))
            })
            .collect()
    }

    /// The HTML of a source's body; empty for a source that is not a page.
    fn html(&self, source: &str) -> Arc<str> {
        let render = || {
            let Some(page) = self.store.pages.get(source) else {
                return Arc::from("");
            };
            let earlier = self.earlier.and_then(|earlier| earlier.get(source));
            match earlier.and_then(|kept| kept.get(&page.text)) {
                Some(html) => html.clone(),
                None => Arc::from(markdown::render(page, self.targets).html),
            }
        };
        match self.shared.get(source) {
            Some(cell) => cell.get_or_init(render).clone(),
            None => render(),
        }
    }

    /// `context` with the rendered Markdown of `body` filled in.
    pub fn fill(&self, context: &Context, body: &Body) -> Context {
        let mut context = context.clone();
        match body {
            Body::Own { variable, source } => {
                let html = self.html(source);
                update_map(&mut context, variable, |map| {
                    map.insert("content".into(), Value::from(&*html));
                });
            }
            Body::Entries { variable, sources } => {
                update_map(&mut context, variable, |map| {
                    let entries = map
                        .iter_mut()
                        .find(|(key, _)| key.as_str() == Some("entries"))
                        .map(|(_, entries)| entries);
                    let Some(entries) = entries else { return };
                    let filled: Vec<Value> = entries
                        .as_array()
                        .unwrap_or_default()
                        .iter()
                        .zip(sources)
                        .map(|(entry, source)| {
                            let mut entry = entry.clone().into_map().unwrap_or_default();
                            entry.insert("content".into(), Value::from(&*self.html(source)));
                            Value::from(entry)
                        })
                        .collect();
                    *entries = Value::from(filled);
                });
            }
        }
        context
    }
}

/// Applies `change` to the map held by the context variable `variable`.
fn update_map(context: &mut Context, variable: &'static str, change: impl FnOnce(&mut tera::Map)) {
    if let Some(mut map) = context.remove(variable).and_then(Value::into_map) {
        change(&mut map);
        context.insert_value(variable, Value::from(map));
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::input::content::parse_page;

    fn store_with(source: &str, text: &str) -> ContentStore {
        let page = parse_page(
            source,
            Arc::from(text),
            &crate::input::limits::Limits::default(),
        )
        .expect("a page");
        let mut store = ContentStore::default();
        store.pages.insert(source.to_string(), page);
        store
    }

    fn content_of(context: &Context) -> String {
        let page = context.get("page").and_then(Value::as_map).expect("page");
        let content = page.iter().find(|(key, _)| key.as_str() == Some("content"));
        content
            .and_then(|(_, v)| v.as_str())
            .unwrap_or_default()
            .to_string()
    }

    #[test]
    fn kept_bodies_are_used_instead_of_rendering_the_markdown_again() {
        let store = store_with("a.md", "# A\n\nThe *current* text.\n");
        let targets = LinkTargets::default();
        let body = Body::Own {
            variable: "page",
            source: "a.md".to_string(),
        };
        let mut context = Context::new();
        context.insert("page", &BTreeMap::from([("title", "A")]));

        let fresh = Bodies::keeping(&store, &targets, std::iter::once(&body), None);
        assert!(content_of(&fresh.fill(&context, &body)).contains("<em>current</em>"));
        let kept = fresh.into_rendered();
        assert!(
            kept["a.md"].value().contains("<em>current</em>"),
            "rendered bodies are kept"
        );

        let text = store.pages["a.md"].text.clone();
        let earlier = RenderedBodies::from([(
            "a.md".to_string(),
            Memo::new(text, Arc::from("<p>kept</p>")),
        )]);
        let again = Bodies::keeping(&store, &targets, std::iter::once(&body), Some(&earlier));
        assert_eq!(content_of(&again.fill(&context, &body)), "<p>kept</p>");

        // Kept from another text, the body is rendered again.
        let edited = store_with("a.md", "# A\n\nThe *edited* text.\n");
        let again = Bodies::keeping(&edited, &targets, std::iter::once(&body), Some(&earlier));
        assert!(content_of(&again.fill(&context, &body)).contains("<em>edited</em>"));
    }
}
