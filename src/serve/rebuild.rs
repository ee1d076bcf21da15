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
//! dropped and the next rebuild starts at once from the newest files.
//!
//! Each rebuild runs on a worker thread of its own, so the loop can walk
//! away from one: a render that writes nothing cannot be interrupted, and
//! when it has not ended [`GRACE`] after a newer change asked it to, the loop
//! abandons it (it burns its thread until its page ends, publishing nothing)
//! and starts a full rebuild from the newest files, without the abandoned
//! worker's kept state. At most [`MAX_ABANDONED`] abandoned workers run at
//! once; past that the loop waits for one to end. The first build is such
//! a rebuild too. A rebuilder renders on a thread pool of its own, so pool
//! threads stuck in abandoned renders never starve a newer one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

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

/// How long a rebuild asked to stop for a newer change may take to end
/// before the loop walks away from it: a render that writes stops within
/// milliseconds, so one still running is stuck in a silent loop.
const GRACE: Duration = Duration::from_secs(1);

/// How many abandoned rebuilds may still be running (each burning a thread)
/// before the loop waits for one to end rather than abandon another.
const MAX_ABANDONED: usize = 2;

/// How often the loop checks whether the server is stopping and whether a
/// running rebuild is past its grace.
const TICK: Duration = Duration::from_millis(100);

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
    /// Set when the loop walked away from the worker running this rebuilder:
    /// from then on it publishes nothing.
    abandoned: Arc<AtomicBool>,
    /// The threads its renders run on, made at its first rebuild.
    pool: Option<rayon::ThreadPool>,
}

/// What the rebuild loop hears about: a batch of changes from the watcher,
/// or the end of a worker's rebuild.
pub(crate) enum Event {
    Changes(Changes),
    Done(Box<Done>),
}

impl From<Changes> for Event {
    fn from(changes: Changes) -> Event {
        Event::Changes(changes)
    }
}

/// A worker's rebuild ended: its rebuilder (with the state kept for the
/// next rebuild) and how it went.
pub(crate) struct Done {
    worker: u64,
    rebuilder: Rebuilder,
    outcome: Outcome,
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
            abandoned: Arc::default(),
            pool: None,
        }
    }

    /// A rebuilder for the same site that keeps nothing from earlier
    /// rebuilds, so its first rebuild renders everything.
    fn fresh(&self) -> Rebuilder {
        let mut fresh = Rebuilder::new(self.options.clone(), self.shared.clone(), self.log.clone());
        fresh.colour = self.colour;
        fresh
    }

    /// Builds the site, then rebuilds after each batch of changes, each on
    /// a worker thread, until the server stops; `events` brings the
    /// watcher's batches and, through `done`, the workers' results. `ready`
    /// hears once the first build is served or was walked away from.
    /// Batches that queued up during a rebuild are handled by one rebuild.
    pub fn run(self, events: Receiver<Event>, done: Sender<Event>, ready: Sender<()>) {
        let shared = self.shared.clone();
        let mut workers = Workers {
            blueprint: self.fresh(),
            idle: Some(self),
            running: None,
            pending: None,
            abandoned: Vec::new(),
            next_id: 0,
            done,
            ready: Some(ready),
        };
        workers.start(None);
        while !shared.stopping() {
            match events.recv_timeout(TICK) {
                Ok(Event::Changes(batch)) => workers.changed(batch),
                Ok(Event::Done(done)) => workers.finished(*done),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            workers.step();
        }
    }

    /// Renders and publishes after `changes` (everything, without) on the
    /// rebuilder's own thread pool; never panics on bad input.
    fn rebuild(&mut self, changes: Option<&Changes>) -> Outcome {
        // Not the global pool: a page stuck in an abandoned render holds
        // its pool thread for good, and a few of those would leave no thread
        // to render the fix. Without a pool of its own (no threads to be
        // had) it renders on the global one.
        if self.pool.is_none() {
            self.pool = rayon::ThreadPoolBuilder::new()
                .thread_name(|i| format!("proficio-render-{i}"))
                .build()
                .ok();
        }
        match self.pool.take() {
            Some(pool) => {
                let outcome = pool.install(|| self.rebuild_here(changes));
                self.pool = Some(pool);
                outcome
            }
            None => self.rebuild_here(changes),
        }
    }

    fn rebuild_here(&mut self, changes: Option<&Changes>) -> Outcome {
        let seen = self.shared.batches();
        let shared = self.shared.clone();
        let abandoned = self.abandoned.clone();
        // Stopping the server or walking away stops a render too, so no
        // worker outlives either for long unless its template writes nothing.
        self.options.interrupt = Interrupt::when(move || {
            shared.batches() != seen || shared.stopping() || abandoned.load(Ordering::SeqCst)
        });
        match self.render(changes) {
            Ok((files, site)) => {
                let notice =
                    (!site.notes.is_empty()).then(|| Arc::from(inject::notice(&site.notes)));
                let Some((refresh, retired)) = self.publish_files(files, notice) else {
                    // Walked away from: a newer rebuild serves the newer files.
                    return Outcome::Superseded {
                        ready: Instant::now(),
                    };
                };
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
    /// freed once nobody waits. Nothing, when this rebuild was abandoned.
    fn publish_files(
        &self,
        files: Files,
        notice: Option<Arc<str>>,
    ) -> Option<(Option<Refresh>, Arc<Snapshot>)> {
        let current = self.shared.current();
        let refresh = if current.overlay.is_some() || !current.built || current.notice != notice {
            Some(Refresh::Reload)
        } else {
            refresh_for(&current.files, &files)
        };
        let files = Arc::new(files);
        let published = self.shared.publish(&self.abandoned, |s| {
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
        published.then_some((refresh, current))
    }

    /// Keeps the last good files and shows `error` on every page.
    fn publish_error(&self, error: &Error) {
        let overlay: Arc<str> = Arc::from(inject::overlay(error));
        self.shared.publish(&self.abandoned, |s| Snapshot {
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

/// The rebuild loop's state: at most one rebuild that counts, on a worker
/// thread, and the batches waiting for the next one.
struct Workers {
    /// Makes the rebuilder that replaces one lost with an abandoned worker.
    blueprint: Rebuilder,
    /// The rebuilder, while no worker has it.
    idle: Option<Rebuilder>,
    running: Option<Running>,
    /// Changes that arrived since the running rebuild started.
    pending: Option<Changes>,
    /// Abandoned workers, until seen finished.
    abandoned: Vec<JoinHandle<()>>,
    next_id: u64,
    /// Where workers send their [`Done`].
    done: Sender<Event>,
    /// Told once the first build is served or was walked away from.
    ready: Option<Sender<()>>,
}

/// The rebuild that counts, running on a worker thread.
struct Running {
    id: u64,
    /// The first build, which has a terminal line of its own.
    first: bool,
    /// What changed, for its terminal line.
    what: String,
    started: Instant,
    /// When a newer change asked it to stop.
    asked: Option<Instant>,
    /// Whether the terminal was told it waits for an abandoned worker.
    said_waiting: bool,
    abandoned: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Workers {
    fn changed(&mut self, batch: Changes) {
        match &mut self.pending {
            Some(pending) => pending.extend(batch),
            None => self.pending = Some(batch),
        }
        if let Some(running) = &mut self.running {
            // Its interrupt fires on the batch, counted before it was sent;
            // the grace runs from now.
            running.asked.get_or_insert_with(Instant::now);
        }
    }

    fn finished(&mut self, done: Done) {
        match &self.running {
            Some(running) if running.id == done.worker => {
                let line = if running.first {
                    first_line(&done.outcome, running.started)
                } else {
                    rebuild_line(&running.what, &done.outcome, running.started)
                };
                self.log(&line);
                self.running = None;
                self.idle = Some(done.rebuilder);
                self.tell_ready();
            }
            // An abandoned worker (counted off once its thread is seen
            // finished): its rebuilder is stale, and dropped.
            _ => {
                self.log(&format!(
                    "{} a render left running in the background has ended",
                    clock()
                ));
            }
        }
    }

    /// Walks away from a rebuild past its grace, and starts the next one
    /// when none is running.
    fn step(&mut self) {
        // Counted by their threads, so one that panicked is not counted
        // forever.
        self.abandoned.retain(|thread| !thread.is_finished());
        if let Some(running) = &mut self.running {
            match verdict(running.asked, Instant::now(), self.abandoned.len()) {
                Verdict::Wait => {}
                Verdict::Abandon => self.abandon(),
                Verdict::WaitForAbandoned if running.said_waiting => {}
                Verdict::WaitForAbandoned => {
                    running.said_waiting = true;
                    let line = format!(
                        "{} {}: the render does not stop for a newer change, and {} others are \
still running in the background; waiting for one to end (restarting the preview ends them)",
                        clock(),
                        running.what,
                        self.abandoned.len()
                    );
                    self.log(&line);
                }
            }
        }
        if self.running.is_none()
            && let Some(batch) = self.pending.take()
        {
            self.start(Some(batch));
        }
    }

    fn abandon(&mut self) {
        let Some(running) = self.running.take() else {
            return;
        };
        running.abandoned.store(true, Ordering::SeqCst);
        self.abandoned.push(running.thread);
        self.idle = Some(self.blueprint.fresh());
        self.log(&format!(
            "{} {}: the render did not stop for a newer change (a template loop that writes \
nothing?); it is still running in the background and the preview goes on without it",
            clock(),
            running.what
        ));
        self.tell_ready();
    }

    /// Lets the server start answering, once.
    fn tell_ready(&mut self) {
        if let Some(ready) = self.ready.take() {
            // The server gave up waiting only if it is gone.
            let _ = ready.send(());
        }
    }

    /// Starts rebuilding after `batch`, or the first build without one.
    fn start(&mut self, batch: Option<Changes>) {
        let Some(mut rebuilder) = self.idle.take() else {
            self.pending = batch;
            return;
        };
        let id = self.next_id;
        self.next_id += 1;
        let what = match (&batch, &rebuilder.options.audience) {
            (None, _) => "the first build".to_string(),
            (Some(batch), Audience::Internal) => batch.describe(),
            (Some(batch), Audience::Partner(partner)) => {
                batch.describe_hiding(|path| other_partners_file(path, partner))
            }
        };
        let abandoned = rebuilder.abandoned.clone();
        let done = self.done.clone();
        let first = batch.is_none();
        let started = batch
            .as_ref()
            .and_then(Changes::first_seen)
            .unwrap_or_else(Instant::now);
        let work = move || {
            let outcome = rebuilder.rebuild(batch.as_ref());
            // The loop is gone when the server stopped: nobody to tell.
            let _ = done.send(Event::Done(Box::new(Done {
                worker: id,
                rebuilder,
                outcome,
            })));
        };
        match super::spawn("proficio-render", work) {
            // Never joined: the loop walks away from it when it does not stop.
            Ok(thread) => {
                self.running = Some(Running {
                    id,
                    first,
                    what,
                    started,
                    asked: None,
                    said_waiting: false,
                    abandoned,
                    thread,
                });
            }
            Err(error) => {
                // The batch went with the thread that never started; the
                // next change rebuilds everything.
                self.idle = Some(self.blueprint.fresh());
                self.log(&format!("{} {what}: not rebuilt: {error}", clock()));
                self.tell_ready();
            }
        }
    }

    fn log(&self, line: &str) {
        (self.blueprint.log)(line);
    }
}

/// What the loop does about the running rebuild.
#[derive(Debug, PartialEq)]
enum Verdict {
    /// Let it run: nothing newer asked it to stop, or it is within its grace.
    Wait,
    /// Walk away from it and start the next rebuild.
    Abandon,
    /// It is past its grace, but too many abandoned rebuilds still run.
    WaitForAbandoned,
}

/// The verdict on a rebuild asked to stop at `asked` (if at all), at `now`,
/// with `abandoned` abandoned rebuilds still running.
fn verdict(asked: Option<Instant>, now: Instant, abandoned: usize) -> Verdict {
    match asked {
        Some(asked) if now.saturating_duration_since(asked) >= GRACE => {
            if abandoned < MAX_ABANDONED {
                Verdict::Abandon
            } else {
                Verdict::WaitForAbandoned
            }
        }
        _ => Verdict::Wait,
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

/// The terminal line of the first build, started at `started`.
fn first_line(outcome: &Outcome, started: Instant) -> String {
    match outcome {
        Outcome::Built { pages, .. } => format!(
            "Built {pages} pages in memory in {} ms",
            started.elapsed().as_millis()
        ),
        Outcome::Superseded { .. } => "Stopped the first build for a newer change".to_string(),
        Outcome::Failed { problems, .. } => format!(
            "The site does not build yet ({problems} problem{}); every page shows them until they are fixed",
            plural(*problems)
        ),
    }
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
    let clock = clock();
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

/// The time of day that starts each rebuild's terminal line.
fn clock() -> impl std::fmt::Display {
    chrono::Local::now().format("%H:%M:%S")
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

    #[test]
    fn a_rebuild_is_abandoned_past_its_grace_while_few_others_run() {
        let asked = Instant::now();
        let soon = asked + GRACE / 2;
        let late = asked + GRACE + Duration::from_millis(1);
        assert_eq!(verdict(None, late, 0), Verdict::Wait);
        assert_eq!(verdict(Some(asked), soon, 0), Verdict::Wait);
        assert_eq!(verdict(Some(asked), late, 0), Verdict::Abandon);
        assert_eq!(
            verdict(Some(asked), late, MAX_ABANDONED - 1),
            Verdict::Abandon
        );
        assert_eq!(
            verdict(Some(asked), late, MAX_ABANDONED),
            Verdict::WaitForAbandoned
        );
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
