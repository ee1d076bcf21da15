//! Watching the site's inputs (`content/`, `templates/`, `themes/`,
//! `static/`, `site.toml`) with notify, debounced by notify-debouncer-full,
//! and turning raw events into batches of [`Changes`] worth a rebuild. The
//! output folder is never watched: only the root itself (not recursively, to
//! see `site.toml` and input folders come and go) and the input folders are.
//! Editors save in many ways, so the rules are about outcomes, not events:
//! editor droppings are ignored by name; a file that appeared and vanished
//! within one debounce window was never there (vim's `4913` probe); and a
//! metadata-only event counts only if the file's bytes changed, which both
//! ignores `touch` and catches writes seen by the polling watcher, which
//! reports every write as a new modification time.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::event::ModifyKind;
use notify::{EventKind, PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, DebouncedEvent, RecommendedCache};
use walkdir::WalkDir;

use crate::base::diagnostics::{Error, Result};
use crate::base::paths::{SiteRoot, is_ignored};

use super::state::Shared;

/// The inputs a rebuild depends on, as shown to the writer.
pub(crate) const INPUTS: [&str; 6] = [
    "content/",
    "templates/",
    "themes/",
    "static/",
    "data/",
    "site.toml",
];

/// Input folders, watched recursively.
const FOLDERS: [&str; 5] = ["content", "templates", "themes", "static", "data"];

/// The configuration file, watched through the root folder so a save that
/// replaces it (write a temporary file, rename it over) is still seen.
const CONFIG: &str = "site.toml";

/// How long the debouncer waits for a burst of events to settle: long
/// enough to pair an editor's write-temporary-then-rename, short enough to
/// stay well under what a writer notices.
const DEBOUNCE: Duration = Duration::from_millis(20);

/// How often the polling watcher looks at every input file.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// How often the watcher thread checks whether the server is stopping.
const STOP_CHECK: Duration = Duration::from_millis(100);

/// What happened to one input path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Added,
    Changed,
    Removed,
    Renamed(String),
}

/// One batch of input changes, each path relative to the site root.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    items: Vec<(Kind, String)>,
    first_seen: Option<Instant>,
}

impl Changes {
    /// Adds the changes of a later batch.
    pub fn extend(&mut self, other: Changes) {
        for (kind, path) in other.items {
            if !self.items.iter().any(|(_, known)| *known == path) {
                self.items.push((kind, path));
            }
        }
        self.first_seen = match (self.first_seen, other.first_seen) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    /// When the first event of the batch happened.
    pub fn first_seen(&self) -> Option<Instant> {
        self.first_seen
    }

    /// The changed paths, when every change of the batch modified an
    /// existing file in place (nothing added, removed or renamed).
    pub fn modified_paths(&self) -> Option<Vec<&str>> {
        self.items
            .iter()
            .map(|(kind, path)| (*kind == Kind::Changed).then_some(path.as_str()))
            .collect()
    }

    fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Records a change; a path already in the batch keeps its first kind.
    fn push(&mut self, kind: Kind, path: String, at: Instant) {
        if !self.items.iter().any(|(_, known)| *known == path) {
            self.items.push((kind, path));
        }
        self.first_seen = Some(self.first_seen.map_or(at, |t| t.min(at)));
    }

    /// A short account: `content/modules/qbr.md changed`, `content/a.md
    /// renamed to content/b.md`, `content/a.md added and 3 more changes`.
    pub fn describe(&self) -> String {
        self.describe_hiding(|_| false)
    }

    /// [`Changes::describe`], naming a path for which `hidden` holds only
    /// as "another partner's file" (in a partner's preview).
    pub fn describe_hiding(&self, hidden: impl Fn(&str) -> bool) -> String {
        let Some((kind, path)) = self.items.first() else {
            return "inputs changed".to_string();
        };
        let shown = |path: &str| {
            if hidden(path) {
                "another partner's file".to_string()
            } else {
                path.to_string()
            }
        };
        let path = shown(path);
        let first = match kind {
            Kind::Added => format!("{path} added"),
            Kind::Changed => format!("{path} changed"),
            Kind::Removed => format!("{path} removed"),
            Kind::Renamed(to) => format!("{path} renamed to {}", shown(to)),
        };
        match self.items.len() {
            1 => first,
            2 => format!("{first} and 1 more change"),
            n => format!("{first} and {} more changes", n - 1),
        }
    }
}

/// The debouncer over either watcher; both kinds have the same API but
/// different types.
enum Debouncer {
    Native(notify_debouncer_full::Debouncer<RecommendedWatcher, RecommendedCache>),
    Polling(notify_debouncer_full::Debouncer<PollWatcher, RecommendedCache>),
}

impl Debouncer {
    fn new(poll: bool, events: Sender<DebounceEventResult>) -> notify::Result<Debouncer> {
        if poll {
            // The polling watcher keeps modification times in whole
            // seconds, so a second save within the same second would go
            // unseen; comparing contents catches it, at the cost of reading
            // every input file on each poll.
            let config = notify::Config::default()
                .with_poll_interval(POLL_INTERVAL)
                .with_compare_contents(true);
            notify_debouncer_full::new_debouncer_opt(
                DEBOUNCE,
                None,
                events,
                RecommendedCache::new(),
                config,
            )
            .map(Debouncer::Polling)
        } else {
            notify_debouncer_full::new_debouncer(DEBOUNCE, None, events).map(Debouncer::Native)
        }
    }

    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Debouncer::Native(d) => d.watch(path, mode),
            Debouncer::Polling(d) => d.watch(path, mode),
        }
    }

    fn unwatch(&mut self, path: &Path) -> notify::Result<()> {
        match self {
            Debouncer::Native(d) => d.unwatch(path),
            Debouncer::Polling(d) => d.unwatch(path),
        }
    }
}

/// Starts watching the site at `root`; batches of changes go to `changes`
/// (as whatever that channel carries) until the server stops.
pub(crate) fn start<E: From<Changes> + Send + 'static>(
    root: &Path,
    poll: bool,
    changes: Sender<E>,
    shared: Arc<Shared>,
) -> Result<JoinHandle<()>> {
    let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
    let (events_tx, events_rx) = mpsc::channel();
    let watch_error = |e: notify::Error| Error::Refused(format!("cannot watch the site: {e}"));
    let mut debouncer = Debouncer::new(poll, events_tx).map_err(watch_error)?;
    debouncer
        .watch(&root, RecursiveMode::NonRecursive)
        .map_err(watch_error)?;
    for folder in FOLDERS {
        let path = root.join(folder);
        if path.is_dir() {
            debouncer
                .watch(&path, RecursiveMode::Recursive)
                .map_err(watch_error)?;
        }
    }
    let watcher = Watcher {
        fingerprints: Fingerprints::scan(&root),
        root,
        debouncer,
        changes,
        shared,
    };
    super::spawn("proficio-watch", move || watcher.run(events_rx))
}

/// The watcher thread's state.
struct Watcher<E> {
    root: PathBuf,
    debouncer: Debouncer,
    fingerprints: Fingerprints,
    changes: Sender<E>,
    shared: Arc<Shared>,
}

impl<E: From<Changes>> Watcher<E> {
    fn run(mut self, events: Receiver<DebounceEventResult>) {
        while !self.shared.stopping() {
            let batch = match events.recv_timeout(STOP_CHECK) {
                Ok(Ok(events)) => self.changes_of(&events),
                // The watcher lost track (an overflowing event queue, say):
                // anything may have changed, so rebuild.
                Ok(Err(_)) => self.everything(),
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => break,
            };
            if batch.is_empty() {
                continue;
            }
            // Counted first, so a render running now stops for it.
            self.shared.note_batch();
            if self.changes.send(batch.into()).is_err() {
                break;
            }
        }
    }

    fn everything(&mut self) -> Changes {
        self.fingerprints = Fingerprints::scan(&self.root);
        let mut changes = Changes::default();
        changes.push(
            Kind::Changed,
            "the site's inputs".to_string(),
            Instant::now(),
        );
        changes
    }

    fn changes_of(&mut self, events: &[DebouncedEvent]) -> Changes {
        let mut changes = Changes::default();
        for event in events {
            if event.need_rescan() {
                changes.extend(self.everything());
                continue;
            }
            // Reads (this server's own, for one) change nothing, and
            // watching a folder again opens it: following them would loop.
            if matches!(event.kind, EventKind::Access(_)) {
                continue;
            }
            self.follow_folders(event);
            if let Some((kind, path)) = self.classify(event) {
                changes.push(kind, path, event.time);
            }
        }
        changes
    }

    /// Starts watching an input folder that appeared, stops for one that went.
    fn follow_folders(&mut self, event: &DebouncedEvent) {
        for path in &event.paths {
            let is_input_folder = path.parent() == Some(self.root.as_path())
                && path
                    .file_name()
                    .is_some_and(|name| FOLDERS.iter().any(|f| name == *f));
            if !is_input_folder {
                continue;
            }
            // A failure only means the folder is already gone (or not yet
            // watched); the next event for it will try again.
            if path.is_dir() {
                let _ = self.debouncer.watch(path, RecursiveMode::Recursive);
            } else {
                let _ = self.debouncer.unwatch(path);
            }
        }
    }

    /// What one event means for the site, if anything. The kind comes from
    /// what was there before and is there now, not from the event's name:
    /// a save through a temporary file is a change of the file it replaces.
    fn classify(&mut self, event: &DebouncedEvent) -> Option<(Kind, String)> {
        let inputs: Vec<&PathBuf> = event
            .paths
            .iter()
            .filter(|p| input_key(&self.root, p).is_some())
            .collect();
        match inputs[..] {
            [] => None,
            [path] if matches!(event.kind, EventKind::Modify(ModifyKind::Metadata(_))) => {
                // A folder's times change with its entries, which have
                // events of their own; a file counts if its bytes changed.
                let changed = path.is_file() && self.fingerprints.refresh(path);
                changed.then(|| (Kind::Changed, self.key(path)))
            }
            [from, to, ..] => self.renamed(from, to),
            [path] => self.touched(path),
        }
    }

    /// One path created, written or removed.
    fn touched(&mut self, path: &Path) -> Option<(Kind, String)> {
        let known = self.fingerprints.knows(path);
        let changed = self.fingerprints.refresh(path);
        let kind = match (known, path.exists()) {
            // Appeared and vanished between two looks: nothing to rebuild.
            (false, false) => return None,
            (false, true) => Kind::Added,
            (true, false) => Kind::Removed,
            (true, true) if changed => Kind::Changed,
            (true, true) => return None,
        };
        Some((kind, self.key(path)))
    }

    /// A rename; from a file nobody knew (an editor's temporary file) it is
    /// a save of the file it lands on.
    fn renamed(&mut self, from: &Path, to: &Path) -> Option<(Kind, String)> {
        if !self.fingerprints.knows(from) {
            return self.touched(to);
        }
        self.fingerprints.refresh(from);
        self.fingerprints.refresh(to);
        Some((Kind::Renamed(self.key(to)), self.key(from)))
    }

    fn key(&self, path: &Path) -> String {
        input_key(&self.root, path).unwrap_or_default()
    }
}

/// The key (`content/modules/qbr.md`) of a path that is a site input, or
/// `None` for anything else: the output folder, files beside the inputs, and
/// editor droppings anywhere.
fn input_key(root: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?;
    let parts: Vec<&str> = relative
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect::<Option<_>>()?;
    let first = *parts.first()?;
    let is_input = FOLDERS.contains(&first) || (first == CONFIG && parts.len() == 1);
    let dropping = parts
        .iter()
        .any(|part| is_ignored(part) || is_jetbrains_temp(part));
    (is_input && !dropping).then(|| parts.join("/"))
}

/// JetBrains editors save through `name___jb_tmp___` and `name___jb_old___`.
fn is_jetbrains_temp(name: &str) -> bool {
    name.ends_with("___jb_tmp___") || name.ends_with("___jb_old___")
}

/// A hash of each input file's bytes, to tell a content change from a
/// metadata-only one.
struct Fingerprints {
    root: PathBuf,
    /// Files are read only inside the site; `None` if the root is gone.
    site: Option<SiteRoot>,
    hashes: HashMap<PathBuf, u64>,
}

impl Fingerprints {
    /// Hashes every input file under `root`.
    fn scan(root: &Path) -> Fingerprints {
        let mut fingerprints = Fingerprints {
            root: root.to_path_buf(),
            site: SiteRoot::new(root).ok(),
            hashes: HashMap::new(),
        };
        fingerprints.add_tree(&root.join(CONFIG));
        for folder in FOLDERS {
            fingerprints.add_tree(&root.join(folder));
        }
        fingerprints
    }

    /// Hashes the input files at or under `top`; returns how many there were.
    fn add_tree(&mut self, top: &Path) -> usize {
        let walker = WalkDir::new(top)
            .into_iter()
            .filter_entry(|e| input_key(&self.root, e.path()).is_some());
        let files: Vec<PathBuf> = walker
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file())
            .map(|e| e.into_path())
            .collect();
        for path in &files {
            if let Some(hash) = self.hash_file(path) {
                self.hashes.insert(path.clone(), hash);
            }
        }
        files.len()
    }

    /// True if the path, or a file under it, was an input file.
    fn knows(&self, path: &Path) -> bool {
        self.hashes.keys().any(|known| known.starts_with(path))
    }

    /// Records what is now at `path` (a file, a folder or nothing) and says
    /// whether any input file's bytes there differ from what was recorded.
    fn refresh(&mut self, path: &Path) -> bool {
        if path.is_file() {
            let Some(hash) = self.hash_file(path) else {
                // Unreadable, or a link leading outside: the rebuild reports it.
                self.hashes.remove(path);
                return true;
            };
            return self.hashes.insert(path.to_path_buf(), hash) != Some(hash);
        }
        let before = self.hashes.len();
        self.hashes.retain(|known, _| !known.starts_with(path));
        let removed = self.hashes.len() != before;
        let added = path.is_dir() && self.add_tree(path) > 0;
        removed || added
    }

    fn hash_file(&self, path: &Path) -> Option<u64> {
        let bytes = self.site.as_ref()?.read(path).ok()?;
        let mut hasher = DefaultHasher::new();
        hasher.write(&bytes);
        Some(hasher.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inputs_outside_editor_droppings_count() {
        let root = Path::new("/site");
        let key = |p: &str| input_key(root, &root.join(p));
        assert_eq!(
            key("content/modules/a.md").as_deref(),
            Some("content/modules/a.md")
        );
        assert_eq!(key("site.toml").as_deref(), Some("site.toml"));
        assert!(key("themes/x/templates/base.html").is_some());
        for ignored in [
            "public/index.html",
            "README.md",
            "content/modules/.a.md.swp",
            "content/modules/a.md~",
            "content/#a.md#",
            "content/a.md.bck",
            "content/a.md___jb_tmp___",
            "templates/.git/HEAD",
            // The build cache, which every build and the preview write.
            ".proficio-cache/CACHEDIR.TAG",
            ".proficio-cache/.tmp-abcdefghij.part",
            ".proficio-cache",
        ] {
            assert_eq!(key(ignored), None, "{ignored}");
        }
        assert_eq!(input_key(root, Path::new("/elsewhere/content/a.md")), None);
    }

    #[test]
    fn a_batch_names_its_first_change_and_counts_the_rest() {
        let now = Instant::now();
        let mut changes = Changes::default();
        changes.push(Kind::Changed, "content/a.md".to_string(), now);
        assert_eq!(changes.describe(), "content/a.md changed");
        let mut more = Changes::default();
        more.push(
            Kind::Renamed("content/c.md".to_string()),
            "content/b.md".to_string(),
            now,
        );
        more.push(Kind::Changed, "content/a.md".to_string(), now);
        changes.extend(more);
        assert_eq!(changes.describe(), "content/a.md changed and 1 more change");
        assert_eq!(changes.first_seen(), Some(now));
    }
}
