//! The build cache: `.proficio-cache/` beside `site.toml` (or `--cache-dir`)
//! keeps highlighted code between builds. A build gives the same bytes
//! without it, with an empty one and with a full one; a damaged entry is
//! ignored and rewritten; entries are written whole; the folder stays under
//! its cap and only proficio's own files in it are ever removed; a folder of
//! other files is refused; `--no-cache` and `check` create nothing.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::command::{path, proficio, stderr};
use common::{Site, assert_same_tree, module, snapshot};
use proficio::BuildOptions;
use proficio::base::audience::Audience;
use proficio::base::build_cache::{DEFAULT_DIR, MARKER};
use proficio::build::CacheChoice;

/// A site with code in several languages, one block shown on two modules,
/// plain and unknown fences, and a partner (for an audience build).
fn code_site() -> Site {
    let python =
        "```python\ndef total(xs):\n    return sum(x for x in xs if x > 0)  # positive\n```\n";
    let yaml = "```yaml\nname: demo\nlimits: {cpu: \"250m\"}\n```\n";
    Site::with_config(&[
        (
            "content/modules/a.md",
            &module(
                "title: Start here\nlevel: experimenter\ntrack: basics",
                &format!(
                    "## Code\n\n{python}\n{yaml}\n```text\nplain\n```\n\n```cshrap\nunknown\n```\n"
                ),
            ),
        ),
        (
            "content/modules/b.md",
            &module(
                "title: Next\nlevel: practitioner\ntrack: basics",
                &format!("Again:\n\n{python}\n```ts\nconst x: number = 1;\n```\n"),
            ),
        ),
        (
            "content/about.md",
            "# About\n\n```rust\nfn main() {}\n```\n",
        ),
    ])
}

/// Builds with the cache beside `site.toml`, as the command line does.
fn build_cached(site: &Site) -> proficio::BuildReport {
    site.build_with(&BuildOptions {
        cache: CacheChoice::Beside,
        ..site.options()
    })
}

fn cache_dir(site: &Site) -> PathBuf {
    site.path(DEFAULT_DIR)
}

/// The cache's entry files with their bytes.
fn entries(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    snapshot(dir)
        .into_iter()
        .filter(|(name, _)| name.ends_with(".entry"))
        .collect()
}

fn options_with(site: &Site, cache: CacheChoice, output: &Path) -> BuildOptions {
    BuildOptions {
        output: Some(output.to_path_buf()),
        cache,
        ..site.options()
    }
}

#[test]
fn output_is_the_same_without_the_cache_and_with_it_cold_and_warm() {
    let site = code_site();
    let outputs = tempfile::tempdir().expect("temp dir");
    let out = |name: &str| outputs.path().join(name);

    let none = site.build_with(&options_with(&site, CacheChoice::Off, &out("none")));
    assert!(none.cache.is_none());
    assert!(!cache_dir(&site).exists(), "--no-cache makes no folder");

    let cold = site.build_with(&options_with(&site, CacheChoice::Beside, &out("cold")));
    let cold_stats = cold.cache.expect("a cache");
    // One entry for each body with highlighted code: two modules and a page.
    assert_eq!((cold_stats.hits, cold_stats.misses), (0, 3));
    let written = entries(&cache_dir(&site));
    assert_eq!(written.len(), 3);

    let warm = site.build_with(&options_with(&site, CacheChoice::Beside, &out("warm")));
    let warm_stats = warm.cache.expect("a cache");
    assert_eq!(
        (warm_stats.hits, warm_stats.misses, warm_stats.written),
        (3, 0, 0)
    );
    assert_eq!(
        entries(&cache_dir(&site)),
        written,
        "a warm build writes nothing"
    );

    let expected = snapshot(&out("none"));
    assert!(
        expected
            .values()
            .any(|page| common::contains(page, "<span class=\"t"))
    );
    assert_same_tree(&expected, &snapshot(&out("cold")));
    assert_same_tree(&expected, &snapshot(&out("warm")));
}

#[test]
fn a_partner_audience_build_uses_the_cache_for_code_and_gives_the_same_bytes() {
    let site = Site::demo();
    let outputs = tempfile::tempdir().expect("temp dir");
    let build = |audience: &str, cache: CacheChoice, name: &str| {
        let options = BuildOptions {
            audience: Audience::parse(audience).expect("an audience"),
            ..options_with(&site, cache, &outputs.path().join(name))
        };
        site.build_with(&options)
    };
    let partner = "partner:kestrel-advisory";
    assert!(build(partner, CacheChoice::Off, "none").cache.is_none());
    // The internal portal fills the cache; the partner's portal, with the
    // same modules, finds every block there.
    build("internal", CacheChoice::Beside, "internal");
    let warm = build(partner, CacheChoice::Beside, "warm");
    let stats = warm.cache.expect("a cache");
    assert!(stats.hits > 0 && stats.misses == 0, "{stats:?}");
    let expected = snapshot(&outputs.path().join("none"));
    assert_same_tree(&expected, &snapshot(&outputs.path().join("warm")));
}

#[test]
fn a_damaged_entry_is_ignored_and_rewritten() {
    let site = code_site();
    build_cached(&site);
    let expected = site.snapshot();
    let whole = entries(&cache_dir(&site));
    for (i, (name, bytes)) in whole.iter().enumerate() {
        let damaged = match i % 3 {
            0 => bytes[..bytes.len() / 2].to_vec(),
            1 => Vec::new(),
            _ => {
                let mut flipped = bytes.clone();
                let last = flipped.len() - 1;
                flipped[last] ^= 0x20;
                flipped
            }
        };
        std::fs::write(cache_dir(&site).join(name), damaged).expect("damage");
    }
    let report = build_cached(&site);
    let stats = report.cache.expect("a cache");
    assert_eq!(stats.misses, whole.len(), "every damaged entry is a miss");
    assert_same_tree(&expected, &site.snapshot());
    assert_eq!(
        entries(&cache_dir(&site)),
        whole,
        "and is written whole again"
    );
}

#[test]
fn a_build_leaves_only_entries_and_the_markers_in_the_folder() {
    let site = code_site();
    build_cached(&site);
    let mut names: Vec<String> = snapshot(&cache_dir(&site))
        .into_keys()
        .filter(|name| !name.ends_with(".entry"))
        .collect();
    names.sort();
    assert_eq!(names, [".gitignore", MARKER], "no temporary file is left");
    let tag = std::fs::read_to_string(cache_dir(&site).join(MARKER)).expect("tag");
    assert!(
        tag.starts_with("Signature: 8a477f597d28d172789f06886806bc55\n"),
        "{tag}"
    );
    let ignore = std::fs::read_to_string(cache_dir(&site).join(".gitignore")).expect("ignore");
    assert!(ignore.lines().any(|line| line == "*"), "{ignore}");
}

#[test]
fn eviction_keeps_the_folder_under_its_cap_and_removes_only_proficios_entries() {
    let site = code_site();
    site.write(
        "site.toml",
        &format!("{}\n[cache]\nmax_megabytes = 1\n", common::SITE_TOML),
    );
    build_cached(&site);
    let dir = cache_dir(&site);
    // Two megabytes of old entries, named as proficio names them, and files
    // of someone else's beside them.
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(30 * 24 * 3600);
    for i in 0..32 {
        let name = format!("{i:064x}.entry");
        std::fs::write(dir.join(&name), vec![b'x'; 64 * 1024]).expect("old entry");
        std::fs::File::options()
            .write(true)
            .open(dir.join(&name))
            .and_then(|file| file.set_modified(old))
            .expect("age it");
    }
    std::fs::write(dir.join("notes.txt"), vec![b'n'; 512 * 1024]).expect("foreign file");
    std::fs::create_dir(dir.join("sub")).expect("foreign folder");
    // An edit makes the next build write an entry, which checks the size.
    site.write(
        "content/modules/b.md",
        &module(
            "title: Next\nlevel: practitioner\ntrack: basics",
            "```python\nprint('edited')\n```\n",
        ),
    );
    build_cached(&site);
    let left = entries(&dir);
    let total: usize = left.values().map(Vec::len).sum();
    assert!(total <= 1 << 20, "{total} bytes of entries left");
    assert!(left.len() > 4, "the newest entries stay: {left:?}");
    assert!(
        left.keys().any(|name| !name.starts_with("0000")),
        "this build's entries are kept"
    );
    assert!(dir.join("notes.txt").exists());
    assert!(dir.join("sub").is_dir());
}

#[test]
fn a_cache_folder_of_other_files_is_refused_and_the_output_is_untouched() {
    let site = code_site();
    site.build_with(&BuildOptions {
        cache: CacheChoice::Off,
        ..site.options()
    });
    let before = site.snapshot();
    let theirs = tempfile::tempdir().expect("temp dir");
    std::fs::write(theirs.path().join("thesis.tex"), "mine").expect("their file");
    let output = proficio(&[
        "build",
        "--root",
        path(site.root()),
        "--cache-dir",
        path(theirs.path()),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let said = stderr(&output).replace(path(theirs.path()), "DIR");
    insta::assert_snapshot!(said, @"error: refusing to use DIR as the build cache: it holds files proficio did not write (it has no CACHEDIR.TAG of proficio's); choose an empty or new folder with --cache-dir, or use --no-cache");
    assert_same_tree(&before, &site.snapshot());
    let left: Vec<_> = std::fs::read_dir(theirs.path()).expect("listing").collect();
    assert_eq!(left.len(), 1, "nothing was written into their folder");
}

#[test]
fn a_cache_folder_inside_the_output_or_the_sources_is_refused() {
    let site = code_site();
    for (dir, why) in [
        (
            "public/cache",
            "it is inside the output folder, which is published",
        ),
        ("content/cache", "it is inside the site's content/ folder"),
        // A folder source would read the cache's files as exports.
        ("data/cache", "it is inside the site's data/ folder"),
        (".", "it contains the output folder"),
    ] {
        let output = proficio(&[
            "build",
            "--root",
            path(site.root()),
            "--cache-dir",
            path(&site.path(dir)),
        ]);
        assert_eq!(output.status.code(), Some(1), "{dir}");
        let said = stderr(&output);
        assert!(said.contains(why), "{dir}: {said}");
        assert!(!site.path("content/cache").exists());
        assert!(!site.path("data/cache").exists());
    }
}

#[test]
fn a_cache_folder_that_cannot_be_made_is_a_warning_and_the_build_goes_on() {
    let site = code_site();
    site.write("not-a-folder", "a file");
    let output = proficio(&[
        "build",
        "--root",
        path(site.root()),
        "--cache-dir",
        path(&site.path("not-a-folder/cache")),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let said = stderr(&output);
    assert!(
        said.contains("warning: cannot use the build cache ")
            && said.contains("; building without it"),
        "{said}"
    );
    assert!(
        site.read("modules/a/index.html")
            .contains("<span class=\"t")
    );
}

#[test]
fn no_cache_and_check_create_no_folder() {
    let site = code_site();
    let output = proficio(&["build", "--root", path(site.root()), "--no-cache"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        !stderr(&output).contains("build cache"),
        "{}",
        stderr(&output)
    );
    let output = proficio(&["check", "--root", path(site.root())]);
    assert!(output.status.code().is_some());
    assert!(!cache_dir(&site).exists(), "check creates no cache");

    // With a cache there, check reads it and changes nothing in it.
    build_cached(&site);
    let dir = cache_dir(&site);
    let before = snapshot(&dir);
    let times = |dir: &Path| -> Vec<_> {
        let mut times: Vec<_> = std::fs::read_dir(dir)
            .expect("listing")
            .flatten()
            .map(|item| {
                (
                    item.file_name(),
                    item.metadata().and_then(|m| m.modified()).ok(),
                )
            })
            .collect();
        times.sort();
        times
    };
    let times_before = times(&dir);
    site.write(
        "content/modules/b.md",
        &module(
            "title: Next\nlevel: practitioner\ntrack: basics",
            "```python\nprint('not yet built')\n```\n",
        ),
    );
    proficio(&["check", "--root", path(site.root())]);
    assert_same_tree(&before, &snapshot(&dir));
    assert_eq!(times_before, times(&dir));
}

#[test]
fn the_build_line_says_what_came_from_the_cache() {
    let site = code_site();
    let run = || stderr(&proficio(&["build", "--root", path(site.root())]));
    let cold = run();
    assert!(cold.contains(" highlighted)"), "{cold}");
    assert!(!cold.contains(" 0 highlighted)"), "{cold}");
    let warm = run();
    assert!(
        warm.contains("(build cache: code of 3 bodies found, 0 highlighted)"),
        "{warm}"
    );
}

#[test]
fn serve_starts_from_the_same_cache() {
    let site = code_site();
    build_cached(&site);
    let dir = cache_dir(&site);
    let before = entries(&dir);
    let mut options = proficio::serve::ServeOptions::new(site.root());
    options.port = 0;
    options.cache = CacheChoice::Beside;
    options.log = std::sync::Arc::new(|_: &str| {});
    let server = proficio::serve::Server::start(options).expect("serves");
    server.stop();
    assert_eq!(entries(&dir), before, "everything was found there");

    // A site the preview opens first fills the cache for the build after it.
    let fresh = code_site();
    let mut options = proficio::serve::ServeOptions::new(fresh.root());
    options.port = 0;
    options.cache = CacheChoice::Beside;
    options.log = std::sync::Arc::new(|_: &str| {});
    proficio::serve::Server::start(options)
        .expect("serves")
        .stop();
    assert_eq!(entries(&cache_dir(&fresh)).len(), 3);
    let report = build_cached(&fresh);
    assert_eq!(report.cache.expect("a cache").misses, 0);
}

#[test]
fn a_cache_path_that_is_a_file_is_refused() {
    let site = code_site();
    site.write("cache-file", "a file");
    let output = proficio(&[
        "build",
        "--root",
        path(site.root()),
        "--cache-dir",
        path(&site.path("cache-file")),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let said = stderr(&output).replace(path(&site.path("cache-file")), "FILE");
    insta::assert_snapshot!(said, @"error: the build cache FILE exists and is not a folder; choose another --cache-dir or use --no-cache");
    assert!(!site.built("index.html"));
}

#[test]
fn a_cache_that_cannot_be_written_is_one_warning_and_the_build_goes_on() {
    let site = code_site();
    let output = proficio(&["build", "--root", path(site.root())]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let expected = site.snapshot();
    // A folder where an entry goes makes writing it fail, even for root.
    for name in entries(&cache_dir(&site)).keys() {
        let entry = cache_dir(&site).join(name);
        std::fs::remove_file(&entry).expect("remove entry");
        std::fs::create_dir(&entry).expect("folder in its place");
    }
    let output = proficio(&["build", "--root", path(site.root())]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let said = stderr(&output);
    assert_eq!(
        said.matches("warning: cannot write to the build cache ")
            .count(),
        1,
        "{said}"
    );
    assert!(said.contains("; this run writes no more entries"), "{said}");
    assert_same_tree(&expected, &site.snapshot());
}

#[test]
fn a_cap_of_zero_is_located() {
    let site = code_site();
    site.write(
        "site.toml",
        &format!("{}\n[cache]\nmax_megabytes = 0\n", common::SITE_TOML),
    );
    let problems = site.build_rejected();
    insta::assert_snapshot!(common::problems::only(&problems).to_string(), @"site.toml:11:17: invalid value: integer `0`, expected a nonzero u64");
}

#[cfg(unix)]
#[test]
fn a_default_cache_folder_linked_outside_the_site_is_refused() {
    let site = code_site();
    let elsewhere = tempfile::tempdir().expect("temp dir");
    std::os::unix::fs::symlink(elsewhere.path(), cache_dir(&site)).expect("link");
    let output = proficio(&["build", "--root", path(site.root())]);
    assert_eq!(output.status.code(), Some(1));
    let said = stderr(&output).replace(path(site.root()), "SITE");
    insta::assert_snapshot!(said, @"error: refusing to use SITE/.proficio-cache as the build cache: it is a link leading outside the site folder; name the folder with --cache-dir to use it, or use --no-cache");
    assert!(
        std::fs::read_dir(elsewhere.path())
            .expect("listing")
            .next()
            .is_none()
    );
    // Named on the command line, the same folder is the user's choice.
    let output = proficio(&[
        "build",
        "--root",
        path(site.root()),
        "--cache-dir",
        path(elsewhere.path()),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(elsewhere.path().join(MARKER).exists());
}

#[test]
fn two_builds_sharing_one_cache_at_once_give_the_same_bytes_and_whole_entries() {
    let site = code_site();
    let outputs = tempfile::tempdir().expect("temp dir");
    let expected_dir = outputs.path().join("none");
    site.build_with(&options_with(&site, CacheChoice::Off, &expected_dir));
    for round in 0..6 {
        // Every other round the two also make the folder at once.
        if round % 2 == 0 && cache_dir(&site).exists() {
            std::fs::remove_dir_all(cache_dir(&site)).expect("remove the cache");
        }
        let builds: Vec<_> = ["a", "b"]
            .iter()
            .map(|name| {
                let options = options_with(&site, CacheChoice::Beside, &outputs.path().join(name));
                std::thread::spawn(move || proficio::build(&options).map(|_| ()))
            })
            .collect();
        for build in builds {
            build
                .join()
                .expect("no panic")
                .unwrap_or_else(|e| panic!("round {round}: {e}"));
        }
        let expected = snapshot(&expected_dir);
        assert_same_tree(&expected, &snapshot(&outputs.path().join("a")));
        assert_same_tree(&expected, &snapshot(&outputs.path().join("b")));
    }
    let names: Vec<String> = snapshot(&cache_dir(&site)).into_keys().collect();
    assert!(
        names.iter().all(|name| !name.contains(".tmp-")),
        "{names:?}"
    );
    let warm = build_cached(&site).cache.expect("a cache");
    assert_eq!((warm.hits, warm.misses), (3, 0), "every entry is whole");
}
