//! Rebuilding the preview: renders the site in memory (reusing unchanged
//! pages through the build's page cache), turns the result into the file map
//! the server serves, decides what open pages must do (nothing, swap
//! stylesheets, or reload) by comparing it with the previous map, and prints
//! one line per rebuild. A failed rebuild prints its diagnostics and
//! publishes an overlay while the last good files stay in place; a rebuild
//! with notes (another partner's file has a problem, in a partner's
//! preview) prints each as a warning and shows it in a notice on every page.
//! A partner's preview names no other partner's file. A render is
//! interrupted when a newer batch of changes arrives (through the render
//! budget's [`Interrupt`], checked as the templates write): its result is
//! dropped and the next rebuild starts at once from the newest files. A
//! render that writes nothing cannot be interrupted; it ends at the latest
//! when its page ends (see the render budgets in `docs/templates.md`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::{Instant, SystemTime};

use crate::base::audience::Audience;
use crate::base::diagnostics::{Error, Result};
use crate::base::memo::Memo;
use crate::build::incremental;
use crate::build::output::Contents;
use crate::build::{self, BuildOptions, PageCache, RenderedSite};
use crate::input::content::CONTENT_DIR;
use crate::input::content::PARTNERS_DIR;
use crate::render::templates::Interrupt;

use super::Log;
use super::inject;
use super::state::{Files, Refresh, Shared, Snapshot};
use super::watch::Changes;

/// What a copied file's bytes were read with: its size and modification time.
type Stamp = (u64, SystemTime);

/// Renders the site on demand and publishes the results.
pub(crate) struct Rebuilder {
    options: BuildOptions,
    cache: PageCache,
    /// Files copied from the inputs (content assets), re-read only when
    /// their size or modification time changes.
    copied: HashMap<PathBuf, Memo<Stamp, Arc<Vec<u8>>>>,
    shared: Arc<Shared>,
    log: Log,
    /// Colours diagnostics for a terminal.
    pub colour: bool,
}

/// How a rebuild went, for its terminal line.
pub(crate) enum Outcome {
    /// Built and served from `ready` on; `refresh` says what open pages
    /// were told.
    Built {
        pages: usize,
        rendered: usize,
        refresh: Option<Refresh>,
        ready: Instant,
    },
    /// Did not build; the last good site stays served, with the overlay
    /// from `ready` on.
    Failed { problems: usize, ready: Instant },
    /// Stopped for a newer change, which the next rebuild renders; nothing
    /// was published.
    Superseded { ready: Instant },
}

impl Rebuilder {
    /// A rebuilder for the site described by `options`.
    pub fn new(options: BuildOptions, shared: Arc<Shared>, log: Log) -> Rebuilder {
        Rebuilder {
            options,
            cache: PageCache::default(),
            copied: HashMap::new(),
            shared,
            log,
            colour: false,
        }
    }

    /// The first build, with its own terminal line.
    pub fn first_build(&mut self) {
        let started = Instant::now();
        let line = match self.rebuild(None) {
            Outcome::Built { pages, .. } => format!(
                "Built {pages} pages in memory in {} ms",
                started.elapsed().as_millis()
            ),
            Outcome::Superseded { .. } => "Stopped the first build for a newer change".to_string(),
            Outcome::Failed { problems, .. } => format!(
                "The site does not build yet ({problems} problem{}); every page shows them until they are fixed",
                plural(problems)
            ),
        };
        (self.log)(&line);
    }

    /// Rebuilds after each batch of changes until the watcher goes away.
    /// Batches that queued up during a rebuild are handled by one rebuild.
    pub fn run(mut self, changes: Receiver<Changes>) {
        while let Ok(mut batch) = changes.recv() {
            while let Ok(more) = changes.try_recv() {
                batch.extend(more);
            }
            if self.shared.stopping() {
                break;
            }
            let started = batch.first_seen().unwrap_or_else(Instant::now);
            let outcome = self.rebuild(Some(&batch));
            let what = match &self.options.audience {
                Audience::Internal => batch.describe(),
                Audience::Partner(id) => {
                    batch.describe_hiding(|path| other_partners_file(path, id))
                }
            };
            (self.log)(&rebuild_line(&what, &outcome, started));
        }
    }

    /// Renders and publishes after `changes` (everything, without);
    /// never panics on bad input.
    pub fn rebuild(&mut self, changes: Option<&Changes>) -> Outcome {
        let seen = self.shared.batches();
        let shared = self.shared.clone();
        self.options.interrupt = Interrupt::when(move || shared.batches() != seen);
        match self.render(changes) {
            Ok((files, site)) => {
                let notice =
                    (!site.notes.is_empty()).then(|| Arc::from(inject::notice(&site.notes)));
                let (refresh, retired) = self.publish_files(files, notice);
                for note in &site.notes {
                    (self.log)(&format!("warning: {note}"));
                }
                let ready = Instant::now();
                // Only now let the previous render's pages and files go:
                // freeing them takes a while on a large site, and no reader
                // waits for it.
                drop(retired);
                self.cache = site.cache;
                Outcome::Built {
                    pages: site.pages.len(),
                    rendered: site.pages_rendered,
                    refresh,
                    ready,
                }
            }
            Err(error) => {
                // The changes of a failed render are not in the kept inputs:
                // the next render must read everything again.
                self.cache.forget_inputs();
                if self.shared.batches() != seen {
                    // Its problems may be gone in the newer files.
                    return Outcome::Superseded {
                        ready: Instant::now(),
                    };
                }
                self.publish_error(&error);
                let ready = Instant::now();
                self.report(&error);
                Outcome::Failed {
                    problems: error.diagnostics().len().max(1),
                    ready,
                }
            }
        }
    }

    /// The site rendered, and its files as served bytes.
    fn render(&mut self, changes: Option<&Changes>) -> Result<(Files, RenderedSite)> {
        let modified = changes.and_then(Changes::modified_paths);
        let site = match modified {
            Some(paths) => incremental::render_changes(&self.options, &mut self.cache, &paths)?,
            None => build::render(&self.options, &self.cache)?,
        };
        let mut files = Files::with_capacity(site.files.len());
        for file in &site.files {
            let bytes = match &file.contents {
                Contents::Bytes(bytes) => bytes.clone(),
                Contents::Copy(source) => self.copied_bytes(source)?,
            };
            files.insert(file.path.clone(), bytes);
        }
        Ok((files, site))
    }

    /// A copied file's bytes, read again only if it changed on disk (always,
    /// where the file system gives no modification time).
    fn copied_bytes(&mut self, source: &Path) -> Result<Arc<Vec<u8>>> {
        let metadata = std::fs::metadata(source).map_err(|e| Error::io(source, e))?;
        let stamp = metadata.modified().ok().map(|time| (metadata.len(), time));
        if let Some(stamp) = &stamp
            && let Some(bytes) = self.copied.get(source).and_then(|memo| memo.get(stamp))
        {
            return Ok(bytes.clone());
        }
        let bytes: Arc<Vec<u8>> = std::fs::read(source)
            .map_err(|e| Error::io(source, e))?
            .into();
        if let Some(stamp) = stamp {
            self.copied
                .insert(source.to_path_buf(), Memo::new(stamp, bytes.clone()));
        }
        Ok(bytes)
    }

    /// Serves `files`, with `notice` on every page, from now on and tells
    /// open pages what changed; also returns the snapshot it replaced, to be
    /// freed once nobody waits.
    fn publish_files(
        &self,
        files: Files,
        notice: Option<Arc<str>>,
    ) -> (Option<Refresh>, Arc<Snapshot>) {
        let current = self.shared.current();
        let refresh = if current.overlay.is_some() || !current.built || current.notice != notice {
            Some(Refresh::Reload)
        } else {
            refresh_for(&current.files, &files)
        };
        let files = Arc::new(files);
        self.shared.publish(|s| {
            let generation = if refresh.is_some() {
                s.generation + 1
            } else {
                s.generation
            };
            Snapshot {
                files,
                built: true,
                generation,
                reload_generation: match refresh {
                    Some(Refresh::Reload) => generation,
                    _ => s.reload_generation,
                },
                overlay: None,
                notice,
                base_path: s.base_path.clone(),
            }
        });
        (refresh, current)
    }

    /// Keeps the last good files and shows `error` on every page.
    fn publish_error(&self, error: &Error) {
        let overlay: Arc<str> = Arc::from(inject::overlay(error));
        self.shared.publish(|s| Snapshot {
            generation: s.generation + 1,
            reload_generation: s.generation + 1,
            overlay: Some(overlay),
            ..s.clone()
        });
    }

    fn report(&self, error: &Error) {
        match error {
            Error::Input(problems) => {
                let text: String = problems.iter().map(|p| p.render(self.colour)).collect();
                (self.log)(text.trim_end());
            }
            other => (self.log)(&format!("error: {other}")),
        }
    }
}

/// What open pages must do to go from `old` to `new`: nothing when no file
/// changed, a stylesheet swap when only stylesheets did, a reload otherwise.
fn refresh_for(old: &Files, new: &Files) -> Option<Refresh> {
    let removed = old.keys().filter(|path| !new.contains_key(*path));
    let changed = new.iter().filter_map(|(path, bytes)| match old.get(path) {
        Some(before) if Arc::ptr_eq(before, bytes) || before == bytes => None,
        _ => Some(path),
    });
    let mut any = false;
    for path in removed.chain(changed) {
        if !path.ends_with(".css") {
            return Some(Refresh::Reload);
        }
        any = true;
    }
    any.then_some(Refresh::Styles)
}

/// Whether `path` (relative to the root, `/`-separated) is a partner file
/// other than partner `id`'s: a partner's preview does not name it.
fn other_partners_file(path: &str, id: &str) -> bool {
    let folder = format!("{CONTENT_DIR}/{PARTNERS_DIR}/");
    path.strip_prefix(&folder).is_some_and(|name| {
        let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
        stem != id
    })
}

/// The terminal line of one rebuild: what changed, what came of it, how long
/// it took from the first change event to the result being served.
fn rebuild_line(what: &str, outcome: &Outcome, started: Instant) -> String {
    let ready = match outcome {
        Outcome::Built { ready, .. }
        | Outcome::Failed { ready, .. }
        | Outcome::Superseded { ready } => *ready,
    };
    let took = ready.saturating_duration_since(started).as_millis();
    let clock = chrono::Local::now().format("%H:%M:%S");
    match outcome {
        Outcome::Built {
            pages,
            rendered,
            refresh,
            ..
        } => {
            let effect = match refresh {
                Some(Refresh::Reload) => "pages reloaded",
                Some(Refresh::Styles) => "stylesheets swapped",
                None => "no output changed",
            };
            format!(
                "{clock} {what}: {pages} pages ({rendered} re-rendered), {effect}, in {took} ms"
            )
        }
        Outcome::Superseded { .. } => {
            format!("{clock} {what}: stopped for a newer change ({took} ms)")
        }
        Outcome::Failed { problems, .. } => format!(
            "{clock} {what}: {problems} problem{}, still serving the last good site ({took} ms)",
            plural(*problems)
        ),
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partner_preview_names_only_its_own_partner_file() {
        let id = "acme";
        assert!(!other_partners_file("content/partners/acme.yaml", id));
        assert!(!other_partners_file("content/partners/acme.yml", id));
        assert!(other_partners_file("content/partners/globex.yaml", id));
        assert!(other_partners_file("content/partners/acme-two.yaml", id));
        assert!(!other_partners_file("content/modules/globex.md", id));
    }

    fn files(entries: &[(&str, &str)]) -> Files {
        entries
            .iter()
            .map(|(path, text)| (path.to_string(), Arc::new(text.as_bytes().to_vec())))
            .collect()
    }

    #[test]
    fn only_stylesheets_changing_asks_for_a_style_swap() {
        let old = files(&[("index.html", "a"), ("style.css", "b")]);
        let styles = files(&[("index.html", "a"), ("style.css", "c")]);
        let page = files(&[("index.html", "x"), ("style.css", "c")]);
        let gone = files(&[("style.css", "b")]);
        assert_eq!(refresh_for(&old, &old.clone()), None);
        assert_eq!(refresh_for(&old, &styles), Some(Refresh::Styles));
        assert_eq!(refresh_for(&old, &page), Some(Refresh::Reload));
        assert_eq!(refresh_for(&old, &gone), Some(Refresh::Reload));
    }
}
