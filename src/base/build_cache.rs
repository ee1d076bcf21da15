//! The persistent build cache on disk: a folder of content-addressed
//! entries that outlives a run, so a build after a small edit takes what
//! an earlier build computed (highlighted code) instead of computing it
//! again. This module owns the folder's format and every file operation on
//! it: which folder may be used (it carries proficio's [`MARKER`], or is
//! empty or new), the [`Key`] of an entry (a BLAKE3 hash of everything that
//! changes its bytes, with proficio's version and [`FORMAT`]), reading an
//! entry (its length and checksum are checked, so a truncated or corrupt
//! file is a miss), writing one (a temporary file renamed into place, so a
//! killed or concurrent build never leaves half an entry), and keeping the
//! folder under a size cap by removing the entries used longest ago. Only
//! files named like its entries, in a folder holding its marker, are ever
//! removed. Nothing here decides where the folder is: the build does.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use crate::base::diagnostics::{Error, Result};
use crate::base::remarks::Remarks;

/// The cache folder beside `site.toml` unless the command line names another.
pub const DEFAULT_DIR: &str = ".proficio-cache";

/// The marker file of a cache folder proficio made. Its text is the
/// standard cache-directory tag, so backup tools skip the folder too.
pub const MARKER: &str = "CACHEDIR.TAG";

const MARKER_TEXT: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by proficio (its build cache).\n\
# For information about cache directory tags see https://bford.info/cachedir/\n";

/// Written beside the marker so that git leaves the folder out without
/// anyone adding it to `.gitignore`.
const GITIGNORE: &str = ".gitignore";
const GITIGNORE_TEXT: &str = "# proficio's build cache: not a source file, never committed.\n*\n";

/// Changes whenever the bytes stored for a key would differ (a change to
/// highlighting's output, or to this file's layout): entries of another
/// format are simply never asked for again.
pub const FORMAT: u32 = 1;

/// An entry's file name: [`Key`]'s 64 hex digits, then this.
const ENTRY_SUFFIX: &str = ".entry";
/// A temporary file being written: this, random letters, [`TEMP_SUFFIX`].
const TEMP_PREFIX: &str = ".tmp-";
const TEMP_SUFFIX: &str = ".part";
const TEMP_RANDOM: usize = 10;
/// A temporary file older than this belongs to no running build.
const TEMP_MAX_AGE: Duration = Duration::from_secs(3600);

/// What begins every entry, before its length and checksum.
const MAGIC: &[u8; 8] = b"prfcache";
/// Magic, payload length (8 bytes), checksum (32 bytes).
const HEADER: usize = 8 + 8 + 32;
/// Entries are the highlighted code of one page: a file larger than this
/// is not one of ours, and is not read into memory.
const MAX_ENTRY: u64 = 256 << 20;

/// An entry read within this long of its last use keeps its time: marking
/// every use would touch every file of a large cache on every build, and
/// eviction only needs to tell recent entries from old ones.
const USE_RESOLUTION: Duration = Duration::from_secs(24 * 3600);

/// The cap on the cache folder unless `site.toml` sets another.
pub const DEFAULT_MAX_MEGABYTES: u64 = 256;

/// The address of one entry: a BLAKE3 hash of its kind, proficio's version,
/// [`FORMAT`] and every input that changes its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key([u8; 32]);

impl Key {
    /// The key of an entry of `kind` computed from `parts`, each taken
    /// whole (with its length, so `("ab", "c")` and `("a", "bc")` differ).
    pub fn new(kind: &str, parts: &[&[u8]]) -> Key {
        let mut hasher = blake3::Hasher::new_derive_key("proficio build cache entry key");
        for part in [
            env!("CARGO_PKG_VERSION").as_bytes(),
            &FORMAT.to_le_bytes(),
            kind.as_bytes(),
        ]
        .iter()
        .chain(parts)
        {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        Key(*hasher.finalize().as_bytes())
    }

    /// The hash itself.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn file_name(&self) -> String {
        let mut name = String::with_capacity(64 + ENTRY_SUFFIX.len());
        for byte in self.0 {
            name.push_str(&format!("{byte:02x}"));
        }
        name.push_str(ENTRY_SUFFIX);
        name
    }

    /// The checksum stored with `payload` under this key: a file moved to
    /// another key's name does not match either.
    fn checksum(&self, payload: &[u8]) -> [u8; 32] {
        let mut hasher = blake3::Hasher::new();
        hasher.update(&self.0);
        hasher.update(payload);
        *hasher.finalize().as_bytes()
    }
}

/// Whether a run may change the cache folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reads entries and writes new ones; creates the folder if needed.
    ReadWrite,
    /// Reads entries only; a missing folder is no cache, and nothing is
    /// created, written or touched (`proficio check`).
    ReadOnly,
}

/// How often a run found what it asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Entries read from the folder.
    pub hits: usize,
    /// Entries asked for and not there (or not whole).
    pub misses: usize,
    /// Bytes of entries this run wrote.
    pub written: u64,
}

/// An open cache folder. Shared by the threads of a run; every failure to
/// read is a miss and every failure to write is said once and stops the
/// run's writing, so a bad cache never fails a build.
#[derive(Debug)]
pub struct BuildCache {
    dir: PathBuf,
    writes: AtomicBool,
    /// Entries last used before this are marked used again when read.
    stale_before: SystemTime,
    hits: AtomicUsize,
    misses: AtomicUsize,
    written: AtomicU64,
    /// Bytes written since the last [`BuildCache::evict`].
    unchecked: AtomicU64,
    remarks: Remarks,
    /// Whether the write failure was said already.
    said: Mutex<bool>,
}

impl BuildCache {
    /// Opens the cache folder `dir` (as the user would write it in
    /// messages: `shown`). A folder that does not exist is created (not
    /// for [`Access::ReadOnly`], which then has no cache); an empty one is
    /// marked; one that holds files but not proficio's [`MARKER`] is
    /// refused, since it is someone else's. A folder that cannot be created
    /// or read gives no cache and a warning to `remarks`, not an error. Two
    /// runs opening a new folder at once both use it.
    pub fn open(
        dir: &Path,
        shown: &str,
        access: Access,
        remarks: &Remarks,
    ) -> Result<Option<BuildCache>> {
        let without = |why: String| {
            remarks.say(&format!(
                "warning: cannot use the build cache {shown}: {why}; building without it"
            ));
            Ok(None)
        };
        match fs::metadata(dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if access == Access::ReadOnly {
                    return Ok(None);
                }
                if let Err(e) = fs::create_dir_all(dir).and_then(|()| mark(dir)) {
                    return without(e.to_string());
                }
            }
            Err(e) => return without(e.to_string()),
            Ok(meta) if !meta.is_dir() => {
                return Err(Error::Refused(format!(
                    "the build cache {shown} exists and is not a folder; choose another --cache-dir or use --no-cache"
                )));
            }
            Ok(_) if has_marker(dir) => {}
            Ok(_) => match being_marked(dir) {
                Err(e) => return without(e.to_string()),
                Ok(false) => {
                    return Err(Error::Refused(format!(
                        "refusing to use {shown} as the build cache: it holds files proficio did not write \
                         (it has no {MARKER} of proficio's); choose an empty or new folder with --cache-dir, or use --no-cache"
                    )));
                }
                Ok(true) if access == Access::ReadOnly => return Ok(None),
                Ok(true) => {
                    if let Err(e) = mark(dir) {
                        return without(e.to_string());
                    }
                }
            },
        }
        Ok(Some(BuildCache {
            dir: dir.to_path_buf(),
            writes: AtomicBool::new(access == Access::ReadWrite),
            stale_before: SystemTime::now()
                .checked_sub(USE_RESOLUTION)
                .unwrap_or(SystemTime::UNIX_EPOCH),
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
            written: AtomicU64::new(0),
            unchecked: AtomicU64::new(0),
            remarks: remarks.clone(),
            said: Mutex::new(false),
        }))
    }

    /// This run's hits, misses and bytes written so far.
    pub fn stats(&self) -> Stats {
        Stats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            written: self.written.load(Ordering::Relaxed),
        }
    }

    /// The entry stored under `key`, if there is a whole one.
    pub fn get(&self, key: &Key) -> Option<Vec<u8>> {
        let found = self.read(key);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    fn read(&self, key: &Key) -> Option<Vec<u8>> {
        let path = self.dir.join(key.file_name());
        // proficio writes entries as files: a link in their place (which
        // could lead outside the site) is never followed.
        if !fs::symlink_metadata(&path).ok()?.is_file() {
            return None;
        }
        let mut file = File::open(path).ok()?;
        let meta = file.metadata().ok()?;
        if !meta.is_file() || meta.len() > MAX_ENTRY {
            return None;
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.read_to_end(&mut bytes).ok()?;
        let payload = payload_of(key, bytes)?;
        if self.writes.load(Ordering::Relaxed)
            && meta.modified().is_ok_and(|time| time < self.stale_before)
        {
            // Marks the entry used, for eviction; failing to is harmless.
            let _ = file.set_modified(SystemTime::now());
        }
        Some(payload)
    }

    /// Stores `payload` under `key`: written to a temporary file in the
    /// folder, then renamed over the entry's name in one step, so a reader
    /// finds the old entry, the new one or none, never a part of one.
    pub fn put(&self, key: &Key, payload: &[u8]) {
        if !self.writes.load(Ordering::Relaxed) {
            return;
        }
        let mut entry = Vec::with_capacity(HEADER + payload.len());
        entry.extend_from_slice(MAGIC);
        entry.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        entry.extend_from_slice(&key.checksum(payload));
        entry.extend_from_slice(payload);
        let written = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(TEMP_SUFFIX)
            .rand_bytes(TEMP_RANDOM)
            .tempfile_in(&self.dir)
            .and_then(|mut temp| {
                temp.write_all(&entry)?;
                temp.persist(self.dir.join(key.file_name()))
                    .map_err(|e| e.error)
            });
        match written {
            Ok(_) => {
                self.written
                    .fetch_add(entry.len() as u64, Ordering::Relaxed);
                self.unchecked
                    .fetch_add(entry.len() as u64, Ordering::Relaxed);
            }
            Err(e) => {
                self.writes.store(false, Ordering::Relaxed);
                let mut said = self.said.lock().unwrap_or_else(|e| e.into_inner());
                if !*said {
                    *said = true;
                    self.remarks.say(&format!(
                        "warning: cannot write to the build cache {}: {e}; this run writes no more entries",
                        self.dir.display()
                    ));
                }
            }
        }
    }

    /// Keeps the folder at most `cap` bytes, once this run wrote anything:
    /// when its entries add up to more, the entries used longest ago are
    /// removed until they fill at most nine tenths of it (so the next
    /// build does not evict again at once). Temporary files older than an
    /// hour (a killed build's) are removed too. Only regular files named
    /// like an entry or a temporary file, in a folder that still holds the
    /// marker, are ever removed.
    pub fn evict(&self, cap: u64) {
        if self.unchecked.swap(0, Ordering::Relaxed) == 0 || !has_marker(&self.dir) {
            return;
        }
        let Ok(listing) = fs::read_dir(&self.dir) else {
            return;
        };
        let now = SystemTime::now();
        let mut entries: Vec<(SystemTime, PathBuf, u64)> = Vec::new();
        let mut total = 0;
        for item in listing.flatten() {
            let is_file = item.file_type().is_ok_and(|kind| kind.is_file());
            let name = item.file_name();
            let Some(name) = name.to_str().filter(|_| is_file) else {
                continue;
            };
            let Ok(meta) = item.metadata() else { continue };
            let time = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            if is_entry_name(name) {
                total += meta.len();
                entries.push((time, item.path(), meta.len()));
            } else if is_temp_name(name)
                && now.duration_since(time).is_ok_and(|age| age > TEMP_MAX_AGE)
            {
                let _ = fs::remove_file(item.path());
            }
        }
        if total <= cap {
            return;
        }
        let target = cap - cap / 10;
        entries.sort();
        for (_, path, len) in entries {
            if total <= target {
                break;
            }
            // Another build may have removed it first: either way it is gone.
            let _ = fs::remove_file(path);
            total = total.saturating_sub(len);
        }
    }
}

/// Whether `dir`, unmarked, holds nothing but what [`mark`] writes on its
/// way: empty, or another run marking it at this moment (its temporary
/// file, its `.gitignore`). Such a folder is marked, not refused.
fn being_marked(dir: &Path) -> io::Result<bool> {
    for item in fs::read_dir(dir)? {
        let item = item?;
        let name = item.file_name();
        let ours = match name.to_str() {
            Some(GITIGNORE) => {
                fs::read(item.path()).is_ok_and(|text| text == GITIGNORE_TEXT.as_bytes())
            }
            Some(name) => is_temp_name(name),
            None => false,
        };
        if !ours {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Writes the marker, then the `.gitignore`, each whole or not at all.
fn mark(dir: &Path) -> io::Result<()> {
    for (name, text) in [(MARKER, MARKER_TEXT), (GITIGNORE, GITIGNORE_TEXT)] {
        let mut temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(TEMP_SUFFIX)
            .rand_bytes(TEMP_RANDOM)
            .tempfile_in(dir)?;
        temp.write_all(text.as_bytes())?;
        temp.persist(dir.join(name)).map_err(|e| e.error)?;
    }
    Ok(())
}

/// Whether `dir` holds proficio's marker: the tag's signature and
/// proficio's name (another program's tag makes another program's folder).
fn has_marker(dir: &Path) -> bool {
    let Ok(file) = File::open(dir.join(MARKER)) else {
        return false;
    };
    let mut text = String::new();
    let read = file.take(4096).read_to_string(&mut text);
    read.is_ok()
        && text.starts_with("Signature: 8a477f597d28d172789f06886806bc55")
        && text.contains("created by proficio")
}

/// The payload of an entry file's `bytes`, if they are a whole entry for `key`.
fn payload_of(key: &Key, mut bytes: Vec<u8>) -> Option<Vec<u8>> {
    let header = bytes.get(..HEADER)?;
    let (magic, rest) = header.split_at(MAGIC.len());
    let (length, checksum) = rest.split_at(8);
    let length = u64::from_le_bytes(length.try_into().ok()?);
    if magic != MAGIC || length != (bytes.len() - HEADER) as u64 {
        return None;
    }
    if key.checksum(&bytes[HEADER..]) != checksum {
        return None;
    }
    bytes.drain(..HEADER);
    Some(bytes)
}

fn is_entry_name(name: &str) -> bool {
    name.strip_suffix(ENTRY_SUFFIX).is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

fn is_temp_name(name: &str) -> bool {
    name.strip_prefix(TEMP_PREFIX)
        .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
        .is_some_and(|random| {
            random.len() == TEMP_RANDOM && random.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(dir: &Path) -> BuildCache {
        BuildCache::open(dir, "cache", Access::ReadWrite, &Remarks::default())
            .expect("not refused")
            .expect("a cache")
    }

    fn entry_files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("listing")
            .flatten()
            .map(|item| item.file_name().to_string_lossy().into_owned())
            .filter(|name| is_entry_name(name))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn an_entry_reads_back_and_a_key_covers_every_part() {
        let temp = tempfile::tempdir().expect("temp dir");
        let cache = open(&temp.path().join("c"));
        let key = Key::new("block", &[b"python", b"x = 1\n"]);
        assert_eq!(cache.get(&key), None);
        cache.put(&key, b"<span>x</span>");
        assert_eq!(cache.get(&key).as_deref(), Some(&b"<span>x</span>"[..]));
        assert_ne!(key, Key::new("block", &[b"pytho", b"nx = 1\n"]));
        assert_ne!(key, Key::new("body", &[b"python", b"x = 1\n"]));
        assert_eq!(
            cache.stats(),
            Stats {
                hits: 1,
                misses: 1,
                written: (HEADER + "<span>x</span>".len()) as u64
            }
        );
    }

    #[test]
    fn a_corrupt_or_truncated_entry_is_a_miss_and_is_rewritten() {
        let temp = tempfile::tempdir().expect("temp dir");
        let cache = open(temp.path());
        let key = Key::new("block", &[b"yaml", b"a: 1\n"]);
        cache.put(&key, b"payload");
        let path = temp.path().join(key.file_name());
        let whole = fs::read(&path).expect("entry");
        for broken in [
            whole[..whole.len() - 1].to_vec(),
            whole[..10].to_vec(),
            Vec::new(),
            {
                let mut flipped = whole.clone();
                let last = flipped.len() - 1;
                flipped[last] ^= 1;
                flipped
            },
        ] {
            fs::write(&path, &broken).expect("break");
            assert_eq!(cache.get(&key), None);
            cache.put(&key, b"payload");
            assert_eq!(cache.get(&key).as_deref(), Some(&b"payload"[..]));
        }
        // An entry under another key's name is not taken for it.
        let other = Key::new("block", &[b"yaml", b"b: 2\n"]);
        fs::copy(&path, temp.path().join(other.file_name())).expect("copy");
        assert_eq!(cache.get(&other), None);
    }

    #[cfg(unix)]
    #[test]
    fn an_entry_that_is_a_link_is_not_followed() {
        let temp = tempfile::tempdir().expect("temp dir");
        let outside = tempfile::tempdir().expect("another folder");
        let cache = open(temp.path());
        let key = Key::new("block", &[b"yaml", b"a: 1\n"]);
        cache.put(&key, b"payload");
        // A whole, valid entry, but reached through a link.
        let path = temp.path().join(key.file_name());
        let moved = outside.path().join("entry");
        fs::rename(&path, &moved).expect("move the entry out");
        std::os::unix::fs::symlink(&moved, &path).expect("link it back");
        assert_eq!(cache.get(&key), None);
    }

    #[test]
    fn writing_leaves_no_temporary_file() {
        let temp = tempfile::tempdir().expect("temp dir");
        let cache = open(temp.path());
        for i in 0..20u8 {
            cache.put(&Key::new("block", &[&[i]]), b"x");
        }
        let names: Vec<String> = fs::read_dir(temp.path())
            .expect("listing")
            .flatten()
            .map(|item| item.file_name().to_string_lossy().into_owned())
            .filter(|name| !is_entry_name(name))
            .collect();
        let mut names = names;
        names.sort();
        assert_eq!(names, [".gitignore", "CACHEDIR.TAG"]);
    }

    #[test]
    fn eviction_removes_the_entries_used_longest_ago_and_nothing_else() {
        let temp = tempfile::tempdir().expect("temp dir");
        let cache = open(temp.path());
        let day = Duration::from_secs(24 * 3600);
        let now = SystemTime::now();
        let mut keys = Vec::new();
        for i in 0..10u8 {
            let key = Key::new("block", &[&[i]]);
            cache.put(&key, &[b'x'; 1000 - HEADER]);
            let file = File::options()
                .write(true)
                .open(temp.path().join(key.file_name()))
                .expect("entry");
            // Entry 0 was used ten days ago, entry 9 one day ago.
            file.set_modified(now - day * u32::from(10 - i))
                .expect("set time");
            keys.push(key);
        }
        let foreign = ["notes.txt", "ABCDEF.entry", ".tmp-short.part"];
        for name in foreign {
            fs::write(temp.path().join(name), "x".repeat(5000)).expect("foreign file");
        }
        let old_temp = temp.path().join(".tmp-abcdefghij.part");
        fs::write(&old_temp, "x").expect("killed build's file");
        File::options()
            .write(true)
            .open(&old_temp)
            .and_then(|file| file.set_modified(now - day))
            .expect("set time");
        cache.evict(5000);
        let kept = entry_files(temp.path());
        let expected: Vec<String> = keys[6..].iter().map(Key::file_name).collect();
        let mut expected = expected;
        expected.sort();
        assert_eq!(kept, expected, "the four used last fill 4,000 of 5,000");
        for name in foreign {
            assert!(temp.path().join(name).exists(), "{name} was not ours");
        }
        assert!(!old_temp.exists());
        assert!(cache.get(&keys[9]).is_some());
    }

    #[test]
    fn eviction_needs_the_marker() {
        let temp = tempfile::tempdir().expect("temp dir");
        let cache = open(temp.path());
        let key = Key::new("block", &[b"x"]);
        cache.put(&key, &[b'x'; 100]);
        fs::remove_file(temp.path().join(MARKER)).expect("unmark");
        cache.evict(1);
        assert_eq!(entry_files(temp.path()), [key.file_name()]);
    }

    #[test]
    fn a_folder_of_other_files_is_refused_and_an_empty_one_is_marked() {
        let temp = tempfile::tempdir().expect("temp dir");
        fs::write(temp.path().join("mine.txt"), "mine").expect("file");
        let refused = BuildCache::open(temp.path(), "x", Access::ReadWrite, &Remarks::default());
        assert!(matches!(refused, Err(Error::Refused(_))));
        let read_only = BuildCache::open(temp.path(), "x", Access::ReadOnly, &Remarks::default());
        assert!(matches!(read_only, Err(Error::Refused(_))));

        let empty = temp.path().join("empty");
        fs::create_dir(&empty).expect("folder");
        assert!(
            BuildCache::open(&empty, "x", Access::ReadOnly, &Remarks::default())
                .expect("not refused")
                .is_none()
        );
        assert!(fs::read_dir(&empty).expect("listing").next().is_none());
        open(&empty);
        assert!(has_marker(&empty));
    }

    #[test]
    fn a_folder_another_run_is_marking_is_taken_and_a_foreign_gitignore_is_not() {
        let temp = tempfile::tempdir().expect("temp dir");
        let marking = temp.path().join("marking");
        fs::create_dir(&marking).expect("folder");
        fs::write(marking.join(GITIGNORE), GITIGNORE_TEXT).expect("ours");
        fs::write(marking.join(".tmp-abcdefghij.part"), "half").expect("ours");
        open(&marking);
        assert!(has_marker(&marking));

        let theirs = temp.path().join("theirs");
        fs::create_dir(&theirs).expect("folder");
        fs::write(theirs.join(GITIGNORE), "target/\n").expect("theirs");
        let refused = BuildCache::open(&theirs, "x", Access::ReadWrite, &Remarks::default());
        assert!(matches!(refused, Err(Error::Refused(_))));
    }

    #[test]
    fn a_read_only_cache_reads_and_writes_nothing() {
        let temp = tempfile::tempdir().expect("temp dir");
        let key = Key::new("block", &[b"x"]);
        open(temp.path()).put(&key, b"kept");
        let cache = BuildCache::open(temp.path(), "x", Access::ReadOnly, &Remarks::default())
            .expect("not refused")
            .expect("a cache");
        assert_eq!(cache.get(&key).as_deref(), Some(&b"kept"[..]));
        let other = Key::new("block", &[b"y"]);
        cache.put(&other, b"new");
        assert!(!temp.path().join(other.file_name()).exists());
    }
}
