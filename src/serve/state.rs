//! What the server threads share: the snapshot being served (the last good
//! site, its generation, any current build problems and any note on the
//! site) and the stop flag.
//! A rebuild publishes a whole new snapshot at once, so a request never sees
//! half of one build and half of another; event streams subscribe to the
//! generation (a `tokio` watch channel, which the rebuild thread sends on
//! without a runtime) instead of polling.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::watch;

/// Output files by path relative to the site (`modules/qbr/index.html`).
pub(crate) type Files = HashMap<String, Arc<Vec<u8>>>;

/// What open pages must do to show the current generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refresh {
    /// Reload the page.
    Reload,
    /// Only stylesheets changed: fetch them again.
    Styles,
}

/// One published state of the preview.
#[derive(Clone)]
pub(crate) struct Snapshot {
    /// The last site that built; empty before the first good build.
    pub files: Arc<Files>,
    /// True once a build has succeeded.
    pub built: bool,
    /// Increases with every published change.
    pub generation: u64,
    /// The newest generation that needs a full reload (not only styles).
    pub reload_generation: u64,
    /// The overlay describing the current build problems, if any.
    pub overlay: Option<Arc<str>>,
    /// A note on the served site that did not stop it building (another
    /// partner's file has a problem), if any.
    pub notice: Option<Arc<str>>,
    /// The URL path the site is served under (`/` or `/portal/`).
    pub base_path: String,
}

impl Snapshot {
    /// What every served page shows above its content: the overlay of the
    /// current problems, else the notice.
    pub fn banner(&self) -> Option<&str> {
        self.overlay.as_deref().or(self.notice.as_deref())
    }

    /// What a page showing `generation` must do to show this snapshot.
    pub fn refresh_since(&self, generation: u64) -> Option<Refresh> {
        if generation >= self.generation {
            None
        } else if generation < self.reload_generation {
            Some(Refresh::Reload)
        } else {
            Some(Refresh::Styles)
        }
    }
}

/// State shared by the HTTP, watcher and rebuild threads.
pub(crate) struct Shared {
    snapshot: Mutex<Arc<Snapshot>>,
    /// The generation of the published snapshot, for event streams.
    generation: watch::Sender<u64>,
    stopping: AtomicBool,
    /// How many batches of changes the watcher has sent: a render started
    /// before the latest one is stale.
    batches: AtomicU64,
}

impl Shared {
    /// Nothing built yet. Generations start at the clock's milliseconds so a
    /// page left open across a server restart sees a newer generation and
    /// reloads.
    pub fn new(base_path: String) -> Shared {
        let start = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| u64::try_from(d.as_millis()).unwrap_or(1));
        let snapshot = Snapshot {
            files: Arc::new(Files::new()),
            built: false,
            generation: start,
            reload_generation: start,
            overlay: None,
            notice: None,
            base_path,
        };
        Shared {
            snapshot: Mutex::new(Arc::new(snapshot)),
            generation: watch::Sender::new(start),
            stopping: AtomicBool::new(false),
            batches: AtomicU64::new(0),
        }
    }

    /// Counts a batch of changes, just before it is sent.
    pub fn note_batch(&self) {
        self.batches.fetch_add(1, Ordering::SeqCst);
    }

    /// How many batches of changes have been sent so far.
    pub fn batches(&self) -> u64 {
        self.batches.load(Ordering::SeqCst)
    }

    fn lock(&self) -> MutexGuard<'_, Arc<Snapshot>> {
        // A panicking holder cannot leave a half-written snapshot behind
        // (it is replaced whole), so a poisoned lock is still usable.
        self.snapshot.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The snapshot being served.
    pub fn current(&self) -> Arc<Snapshot> {
        self.lock().clone()
    }

    /// Publishes the next snapshot, made from the current one by `change`,
    /// and wakes every event stream; does nothing once `abandoned` is set
    /// (a rebuild the preview walked away from), and says whether it
    /// published. The flag is read under the lock, so an abandoned rebuild
    /// cannot publish after a newer one.
    pub fn publish(
        &self,
        abandoned: &AtomicBool,
        change: impl FnOnce(&Snapshot) -> Snapshot,
    ) -> bool {
        let mut current = self.lock();
        if abandoned.load(Ordering::SeqCst) {
            return false;
        }
        let next = Arc::new(change(&current));
        let generation = next.generation;
        let previous = std::mem::replace(&mut *current, next);
        drop(current);
        self.generation.send_replace(generation);
        // Free the previous files outside the lock, which requests wait on.
        drop(previous);
        true
    }

    /// A receiver that is told each time a snapshot is published.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.generation.subscribe()
    }

    /// Asks every thread to finish.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    /// True once [`Shared::stop`] was called.
    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_style_change_after_a_reload_only_swaps_styles() {
        let shared = Shared::new("/".to_string());
        let start = shared.current().generation;
        let wanted = AtomicBool::new(false);
        shared.publish(&wanted, |s| Snapshot {
            generation: s.generation + 1,
            reload_generation: s.generation + 1,
            ..s.clone()
        });
        shared.publish(&wanted, |s| Snapshot {
            generation: s.generation + 1,
            ..s.clone()
        });
        let now = shared.current();
        assert_eq!(now.refresh_since(start), Some(Refresh::Reload));
        assert_eq!(now.refresh_since(start + 1), Some(Refresh::Styles));
        assert_eq!(now.refresh_since(start + 2), None);
    }

    #[test]
    fn subscribers_hear_of_every_publication() {
        let shared = Shared::new("/".to_string());
        let mut generations = shared.subscribe();
        assert!(!generations.has_changed().unwrap_or(true));
        let keep = AtomicBool::new(false);
        shared.publish(&keep, |s| Snapshot {
            generation: s.generation + 1,
            ..s.clone()
        });
        assert!(generations.has_changed().unwrap_or(false));
        assert_eq!(
            *generations.borrow_and_update(),
            shared.current().generation
        );
    }

    #[test]
    fn an_abandoned_rebuild_publishes_nothing() {
        let shared = Shared::new("/".to_string());
        let generation = shared.current().generation;
        let abandoned = AtomicBool::new(true);
        let published = shared.publish(&abandoned, |s| Snapshot {
            generation: s.generation + 1,
            ..s.clone()
        });
        assert!(!published);
        assert_eq!(shared.current().generation, generation);
    }
}
