//! The output folder: proficio replaces only folders it wrote itself, never
//! writes into the site's sources, and a rebuild leaves exactly the new site.

mod common;

use common::{Site, small_site};
use proficio::Error;

fn assert_refused(result: Result<proficio::BuildReport, Error>, reason: &str) {
    match result {
        Err(Error::Refused(message)) => {
            assert!(message.contains(reason), "{message}")
        }
        other => panic!("expected the build to be refused, got {other:?}"),
    }
}

#[test]
fn an_output_folder_holding_files_proficio_did_not_write_is_refused_and_kept() {
    let site = small_site();
    site.write("public/notes.txt", "my own notes\n");
    site.write("public/drafts/plan.md", "a plan\n");
    assert_refused(site.try_build(), "proficio did not write");
    assert_eq!(
        std::fs::read_to_string(site.path("public/notes.txt")).unwrap(),
        "my own notes\n"
    );
    assert_eq!(
        std::fs::read_to_string(site.path("public/drafts/plan.md")).unwrap(),
        "a plan\n"
    );
    assert!(!site.built("index.html"));
}

#[test]
fn an_output_option_pointing_at_a_folder_of_other_files_is_refused() {
    let site = small_site();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("photo.jpg"), b"\xff\xd8 not really").unwrap();
    let mut options = site.options();
    options.output = Some(elsewhere.path().to_path_buf());
    assert_refused(site.try_build_with(&options), "proficio did not write");
    let left: Vec<_> = std::fs::read_dir(elsewhere.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec!["photo.jpg"]);
}

#[test]
fn the_site_root_itself_is_refused_as_output() {
    let site = small_site();
    let mut options = site.options();
    options.output = Some(site.root().to_path_buf());
    assert_refused(site.try_build_with(&options), "sources");
    assert!(site.path("site.toml").is_file());
    assert!(site.path("content/modules/a.md").is_file());
    assert!(!site.path("index.html").exists());
}

#[test]
fn a_folder_that_contains_the_site_is_refused_as_output() {
    let site = small_site();
    let mut options = site.options();
    options.output = Some(site.root().parent().unwrap().to_path_buf());
    assert_refused(site.try_build_with(&options), "sources");
    assert!(site.path("content/about.md").is_file());
}

#[test]
fn a_folder_inside_content_is_refused_as_output() {
    let site = small_site();
    let mut options = site.options();
    options.output = Some(site.path("content/public"));
    assert_refused(site.try_build_with(&options), "content/");
    assert!(!site.path("content/public").exists());

    site.write(
        "site.toml",
        &format!("output_dir = \"content\"\n{}", common::SITE_TOML),
    );
    assert_refused(site.try_build(), "content/");
    assert!(site.path("content/modules/a.md").is_file());
}

#[test]
fn an_empty_existing_folder_and_a_folder_outside_the_site_are_fine_as_output() {
    let site = small_site();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("site");
    std::fs::create_dir(&target).unwrap();
    let mut options = site.options();
    options.output = Some(target.clone());
    let report = site.build_with(&options);
    assert_eq!(report.output_dir, target);
    let home = std::fs::read_to_string(target.join("index.html")).unwrap();
    assert!(home.contains("<title>Test Portal</title>"), "{home}");
    assert!(
        target.join(proficio::build::output::MARKER).is_file(),
        "the folder is marked as written by proficio"
    );
    assert!(!site.output().exists(), "the default folder is not written");
}

#[test]
fn a_rebuild_replaces_the_whole_output_and_leaves_no_temporary_folders() {
    let site = small_site();
    site.build();
    assert!(site.built("about/index.html"));
    assert!(site.read("sitemap.xml").contains("/about/"));

    site.remove("content/about.md");
    site.write("content/contact.md", "# Contact\n\nWrite to us.\n");
    site.build();
    assert!(
        !site.output().join("about").exists(),
        "the page of a deleted source disappears"
    );
    assert!(!site.read("sitemap.xml").contains("/about/"));
    assert!(site.read("contact/index.html").contains("<h1>Contact</h1>"));

    let leftovers: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".proficio"))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}

#[test]
fn a_failed_rebuild_leaves_no_temporary_folders() {
    let site = small_site();
    site.build();
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block main %}{{ nothing_here }}{% endblock main %}",
    );
    assert!(matches!(site.try_build(), Err(Error::Input(_))));
    assert!(site.built("about/index.html"));
    let leftovers: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".proficio"))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}

#[test]
fn a_folder_without_site_toml_is_refused() {
    let site = Site::new(&[("content/about.md", "# About\n")]);
    assert_refused(site.try_build(), "site.toml");
    assert!(!site.output().exists());
}

#[cfg(unix)]
#[test]
fn an_output_path_that_is_a_link_into_content_is_refused() {
    let site = small_site();
    std::os::unix::fs::symlink(site.path("content"), site.path("public")).unwrap();
    assert_refused(site.try_build(), "content/");
    assert!(site.path("content/modules/a.md").is_file());
    assert!(!site.path("content/index.html").exists());
}

// ------------------------------------------------------------ path shapes

/// A fixture for the path table: a site at `base/site` beside folders of
/// other kinds, all in one temporary folder.
struct Shapes {
    _dir: tempfile::TempDir,
    base: std::path::PathBuf,
}

impl Shapes {
    fn new() -> Shapes {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        let file = |relative: &str, text: &str| {
            let path = base.join(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        file("site/site.toml", common::SITE_TOML);
        file("site/content/about.md", "# About\n");
        file("site/content/partners/acme.yaml", "name: Acme\n");
        file("site/templates/page.html", "x");
        file("site/static/logo.svg", "<svg/>");
        file("site/themes/plain/theme.toml", "");
        file("sb/precious/thesis.md", "years of work\n");
        file("elsewhere/holiday.jpg", "photo\n");
        file("ci-public/index.html", "old site\n");
        file(
            &format!("ci-public/{}", proficio::build::output::MARKER),
            "",
        );
        file("a-file.txt", "text\n");
        file("deep/a/b/keep.txt", "");
        std::fs::create_dir(base.join("empty")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink(base.join("site/content"), base.join("link-to-content")).unwrap();
            symlink(base.join("deep/a/b"), base.join("link-to-deep")).unwrap();
            symlink(base.join("nowhere"), base.join("dangling")).unwrap();
        }
        Shapes { _dir: dir, base }
    }

    fn root(&self) -> std::path::PathBuf {
        self.base.join("site")
    }
}

/// What the decision should be for one path shape.
enum Expect {
    /// Allowed: the folder it resolves to (relative to the base) and what is there.
    Allowed(&'static str, proficio::build::output::Existing),
    /// Refused, with this in the message.
    Refused(&'static str),
}

/// `path` written relative to the working folder: as many `..` as it takes
/// to reach the file-system root, then the absolute path.
fn relative_to_cwd(path: &std::path::Path) -> std::path::PathBuf {
    let cwd = std::env::current_dir().unwrap().canonicalize().unwrap();
    let mut relative = std::path::PathBuf::new();
    for _ in cwd.components().skip(1) {
        relative.push("..");
    }
    relative.join(path.strip_prefix("/").unwrap())
}

#[test]
fn every_path_shape_is_resolved_completely_before_it_is_judged() {
    use Expect::{Allowed, Refused};
    use proficio::build::output::Existing::{Empty, Marked, Missing};
    let shapes = Shapes::new();
    let base = shapes.base.to_str().unwrap();
    let mut table: Vec<(String, Expect)> = vec![
        // The three shapes that used to delete files.
        (
            format!("{base}/site/public/../content"),
            Refused("content/ folder"),
        ),
        (
            format!("{base}/sb/nope/../precious"),
            Refused("proficio did not write"),
        ),
        (
            format!("{base}/site/x/../../elsewhere"),
            Refused("proficio did not write"),
        ),
        // A missing folder then `..` elsewhere: allowed, collapsed.
        (
            format!("{base}/site/x/../../new-site"),
            Allowed("new-site", Missing),
        ),
        (
            format!("{base}/site/nope/../public"),
            Allowed("site/public", Missing),
        ),
        // Absolute, trailing slashes, `.` components.
        (format!("{base}/ci-public"), Allowed("ci-public", Marked)),
        (
            format!("{base}/site/public/"),
            Allowed("site/public", Missing),
        ),
        (
            format!("{base}/site/public//"),
            Allowed("site/public", Missing),
        ),
        (
            format!("{base}/./site/./public/."),
            Allowed("site/public", Missing),
        ),
        (format!("{base}/empty/"), Allowed("empty", Empty)),
        // `~` is a folder name like any other; nothing expands it.
        (
            format!("{base}/site/~/public"),
            Allowed("site/~/public", Missing),
        ),
        (format!("{base}/site/~"), Allowed("site/~", Missing)),
        // The sources, however spelled.
        (
            format!("{base}/site"),
            Refused("contains the site's own sources"),
        ),
        (
            format!("{base}/site/"),
            Refused("contains the site's own sources"),
        ),
        (
            format!("{base}/site/public/.."),
            Refused("contains the site's own sources"),
        ),
        (
            format!("{base}/site/."),
            Refused("contains the site's own sources"),
        ),
        (base.to_string(), Refused("contains the site's own sources")),
        ("/".to_string(), Refused("contains the site's own sources")),
        (format!("{base}/site/content"), Refused("content/ folder")),
        (format!("{base}/site/content/"), Refused("content/ folder")),
        (format!("{base}/site/data/site"), Refused("data/ folder")),
        (
            format!("{base}/site/content/public"),
            Refused("content/ folder"),
        ),
        (
            format!("{base}/site/content/partners/.."),
            Refused("content/ folder"),
        ),
        (
            format!("{base}/site/templates/out"),
            Refused("templates/ folder"),
        ),
        (format!("{base}/site/static"), Refused("static/ folder")),
        (
            format!("{base}/site/themes/plain/public"),
            Refused("themes/ folder"),
        ),
        (
            format!("{base}/site/site.toml"),
            Refused("it is the site's site.toml"),
        ),
        (
            format!("{base}/site/./site.toml"),
            Refused("it is the site's site.toml"),
        ),
        // Not folders, folders of other files.
        (
            format!("{base}/a-file.txt"),
            Refused("exists and is not a folder"),
        ),
        (
            format!("{base}/sb/precious"),
            Refused("proficio did not write"),
        ),
        (
            format!("{base}/elsewhere/"),
            Refused("proficio did not write"),
        ),
    ];
    if cfg!(unix) {
        table.extend([
            // A link is followed, and `..` after it goes to the real parent.
            (
                format!("{base}/link-to-content"),
                Refused("content/ folder"),
            ),
            (
                format!("{base}/link-to-content/public"),
                Refused("content/ folder"),
            ),
            (
                format!("{base}/link-to-content/../public"),
                Allowed("site/public", Missing),
            ),
            (
                format!("{base}/link-to-content/../content"),
                Refused("content/ folder"),
            ),
            (
                format!("{base}/link-to-deep/../out"),
                Allowed("deep/a/out", Missing),
            ),
            (
                format!("{base}/link-to-deep/nope/../../out"),
                Allowed("deep/a/out", Missing),
            ),
            (
                format!("{base}/dangling/public"),
                Refused("is a link that cannot be followed"),
            ),
        ]);
    }
    let mut wrong = Vec::new();
    for (path, expect) in &table {
        let got = proficio::build::output::check_target(&shapes.root(), std::path::Path::new(path));
        let ok = match (expect, &got) {
            (Allowed(folder, state), Ok(target)) => {
                target.path == shapes.base.join(folder) && target.state == *state
            }
            (Refused(reason), Err(Error::Refused(message))) => message.contains(reason),
            _ => false,
        };
        if !ok {
            wrong.push(format!("{path}: got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "wrong decisions:\n{}", wrong.join("\n"));
}

#[test]
fn a_relative_output_is_taken_from_the_working_folder() {
    let shapes = Shapes::new();
    let cases = [
        ("site/public", Ok("site/public")),
        ("site/public/../content", Err("content/ folder")),
        ("sb/nope/../precious", Err("proficio did not write")),
        ("site/~/public", Ok("site/~/public")),
    ];
    for (path, expect) in cases {
        let relative = relative_to_cwd(&shapes.base.join(path));
        assert!(relative.is_relative());
        let got = proficio::build::output::check_target(&shapes.root(), &relative);
        match (expect, got) {
            (Ok(folder), Ok(target)) => assert_eq!(target.path, shapes.base.join(folder)),
            (Err(reason), Err(Error::Refused(message))) => {
                assert!(message.contains(reason), "{path}: {message}")
            }
            (_, got) => panic!("{path}: got {got:?}"),
        }
    }
}

#[test]
fn a_refusal_of_a_path_with_dot_dot_says_where_it_leads() {
    let shapes = Shapes::new();
    let path = shapes.base.join("site/public/../content");
    match proficio::build::output::check_target(&shapes.root(), &path) {
        Err(Error::Refused(message)) => assert_eq!(
            message,
            format!(
                "refusing to write the site into {} (that is {}): it is inside the site's content/ folder",
                path.display(),
                shapes.base.join("site/content").display()
            )
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

// ------------------------------------------- builds that used to delete files

fn demo_files(root: &std::path::Path) -> Vec<String> {
    common::snapshot(root)
        .into_keys()
        .filter(|path| path.starts_with("content/") || path == "site.toml")
        .collect()
}

#[test]
fn an_output_dir_through_a_missing_public_into_content_is_refused_and_content_kept() {
    let site = small_site();
    site.write(
        "site.toml",
        &format!("output_dir = \"public/../content\"\n{}", common::SITE_TOML),
    );
    let before = demo_files(site.root());
    assert_refused(site.try_build(), "inside the site's content/ folder");
    assert_eq!(demo_files(site.root()), before);
    assert!(site.path("content/modules/a.md").is_file());
    assert!(!site.path("content/index.html").exists());
    assert!(!site.path("public").exists(), "nothing was created");
}

#[test]
fn an_output_through_a_missing_folder_back_to_a_folder_of_files_is_refused_and_kept() {
    let site = small_site();
    let sandbox = tempfile::tempdir().unwrap();
    let precious = sandbox.path().join("sb/precious");
    std::fs::create_dir_all(&precious).unwrap();
    std::fs::write(precious.join("thesis.md"), "years of work\n").unwrap();
    let mut options = site.options();
    options.output = Some(sandbox.path().join("sb/nope/../precious"));
    assert_refused(site.try_build_with(&options), "proficio did not write");
    assert_eq!(
        std::fs::read_to_string(precious.join("thesis.md")).unwrap(),
        "years of work\n"
    );
    assert!(!precious.join("index.html").exists());
    assert!(
        !sandbox.path().join("sb/nope").exists(),
        "nothing was created"
    );
}

#[test]
fn an_output_dir_escaping_the_site_to_a_folder_of_files_is_refused_and_kept() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("site");
    let elsewhere = outer.path().join("elsewhere");
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("holiday.jpg"), "photo\n").unwrap();
    std::fs::write(
        root.join("site.toml"),
        format!("output_dir = \"x/../../elsewhere\"\n{}", common::SITE_TOML),
    )
    .unwrap();
    std::fs::write(root.join("content/about.md"), "# About\n").unwrap();
    let options = proficio::BuildOptions {
        root: root.clone(),
        ..proficio::BuildOptions::default()
    };
    assert_refused(proficio::build(&options), "proficio did not write");
    assert_eq!(
        std::fs::read_to_string(elsewhere.join("holiday.jpg")).unwrap(),
        "photo\n"
    );
    assert!(!elsewhere.join("index.html").exists());

    // The same shape to a folder that does not exist yet is written there,
    // and the next build replaces it.
    std::fs::write(
        root.join("site.toml"),
        format!("output_dir = \"x/../../fresh\"\n{}", common::SITE_TOML),
    )
    .unwrap();
    for _ in 0..2 {
        let report = proficio::build(&options).unwrap();
        assert_eq!(report.output_dir, root.join("x/../../fresh"));
        let home = std::fs::read_to_string(outer.path().join("fresh/index.html")).unwrap();
        assert!(home.contains("<title>Test Portal</title>"), "{home}");
    }
    assert!(!root.join("x").exists(), "`x` is only a step of the path");
}

#[test]
fn a_tilde_in_output_dir_is_a_folder_of_that_name_under_the_root() {
    let site = small_site();
    site.write(
        "site.toml",
        &format!("output_dir = \"~/site\"\n{}", common::SITE_TOML),
    );
    site.build();
    assert!(site.path("~/site/index.html").is_file());
}

#[test]
fn an_existing_output_of_proficio_outside_the_site_is_replaced() {
    let site = small_site();
    let ci = tempfile::tempdir().unwrap();
    let target = ci.path().join("target/ci-public");
    let mut options = site.options();
    options.output = Some(target.clone());
    site.build_with(&options);
    std::fs::write(target.join("stale.html"), "from an older build").unwrap();
    site.build_with(&options);
    assert!(target.join("index.html").is_file());
    assert!(!target.join("stale.html").exists());
}

// ----------------------------------------------- checked again before the swap

#[test]
fn a_folder_of_files_put_in_place_of_the_output_during_a_build_is_not_moved_aside() {
    let site = small_site();
    site.build();
    let staging =
        proficio::build::output::Staging::new(site.root(), &site.output(), &Default::default())
            .unwrap();
    staging.write("index.html", b"new site").unwrap();
    // Someone replaces the output with their own folder meanwhile.
    std::fs::remove_dir_all(site.output()).unwrap();
    site.write("public/notes.txt", "mine\n");
    match staging.finish() {
        Err(Error::Refused(message)) => assert!(message.contains("proficio did not write")),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        std::fs::read_to_string(site.path("public/notes.txt")).unwrap(),
        "mine\n"
    );
    assert!(!site.built("index.html"));
    assert_eq!(leftovers(site.root()), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn a_parent_replaced_by_a_link_into_content_during_a_build_is_refused() {
    let site = small_site();
    let output = site.path("out/public");
    let staging =
        proficio::build::output::Staging::new(site.root(), &output, &Default::default()).unwrap();
    staging.write("index.html", b"new site").unwrap();
    // The parent the build created is swapped for a link into content/.
    std::fs::rename(site.path("out"), site.path("out-moved")).unwrap();
    std::os::unix::fs::symlink(site.path("content"), site.path("out")).unwrap();
    match staging.finish() {
        Err(Error::Refused(message)) => assert!(message.contains("content/ folder"), "{message}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(!site.path("content/public").exists());
    assert!(site.path("content/modules/a.md").is_file());
}

#[test]
fn an_empty_output_folder_filled_during_a_build_is_not_replaced() {
    let site = small_site();
    std::fs::create_dir(site.output()).unwrap();
    let staging =
        proficio::build::output::Staging::new(site.root(), &site.output(), &Default::default())
            .unwrap();
    site.write("public/notes.txt", "mine\n");
    assert!(staging.finish().is_err());
    assert!(site.path("public/notes.txt").is_file());
}

// ------------------------------------------------ swap, lock and leftovers

fn leftovers(folder: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".proficio-build-") || name.starts_with(".proficio-old-"))
        .collect();
    names.sort();
    names
}

#[test]
fn a_build_waiting_for_another_says_so_to_its_remarks_and_then_builds() {
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    let site = small_site();
    // Another build's staging holds the output's lock.
    let holder =
        proficio::build::output::Staging::new(site.root(), &site.output(), &Default::default())
            .unwrap();
    let heard = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut options = site.options();
    let sink = heard.clone();
    options.remarks = proficio::base::remarks::Remarks::to(Arc::new(move |line: &str| {
        sink.lock().unwrap().push(line.to_string())
    }));
    std::thread::scope(|scope| {
        let waiting = scope.spawn(|| site.try_build_with(&options));
        let deadline = Instant::now() + Duration::from_secs(20);
        while heard.lock().unwrap().is_empty() {
            assert!(Instant::now() < deadline, "the waiting build never said so");
            std::thread::sleep(Duration::from_millis(10));
        }
        drop(holder);
        waiting
            .join()
            .unwrap()
            .expect("builds once the lock is free");
    });
    let heard = heard.lock().unwrap();
    assert_eq!(
        *heard,
        [format!(
            "waiting for another build of {} to finish",
            site.output().display()
        )]
    );
    assert!(site.built("index.html"));
}

#[test]
fn concurrent_builds_of_one_output_both_succeed_and_leave_a_whole_site() {
    let site = small_site();
    let reference = tempfile::tempdir().unwrap();
    let mut options = site.options();
    options.output = Some(reference.path().join("site"));
    site.build_with(&options);
    let expected = common::snapshot(&reference.path().join("site"));

    // Rounds started together, so the builds overlap.
    let round = std::sync::Barrier::new(4);
    std::thread::scope(|scope| {
        let builds: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    // Every round is built even after a failure, so no
                    // thread is left waiting at the barrier.
                    let mut failures = Vec::new();
                    for _ in 0..10 {
                        round.wait();
                        if let Err(e) = site.try_build() {
                            failures.push(e.to_string());
                        }
                    }
                    failures
                })
            })
            .collect();
        for build in builds {
            assert_eq!(build.join().unwrap(), Vec::<String>::new());
        }
    });
    common::assert_same_tree(&expected, &site.snapshot());
    assert_eq!(leftovers(site.root()), Vec::<String>::new());
}

#[cfg(any(target_os = "linux", target_vendor = "apple"))]
#[test]
fn a_reader_never_finds_the_home_page_missing_during_rebuilds() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let site = small_site();
    site.build();
    let index = site.output().join("index.html");
    let done = AtomicBool::new(false);
    let (reads, misses) = (AtomicUsize::new(0), AtomicUsize::new(0));
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                match std::fs::read_to_string(&index) {
                    Ok(text) if text.contains("<title>Test Portal</title>") => {}
                    _ => {
                        misses.fetch_add(1, Ordering::Relaxed);
                    }
                }
                reads.fetch_add(1, Ordering::Relaxed);
            }
        });
        for _ in 0..10 {
            site.build();
        }
        done.store(true, Ordering::Relaxed);
    });
    assert!(reads.load(Ordering::Relaxed) > 0);
    assert_eq!(misses.load(Ordering::Relaxed), 0, "index.html went missing");
    assert_eq!(leftovers(site.root()), Vec::<String>::new());
}

#[test]
fn marked_leftovers_of_killed_builds_are_removed_and_nothing_else() {
    let site = small_site();
    let marker = proficio::build::output::MARKER;
    let leftover = |folder: &str, marked: bool| {
        site.write(&format!("{folder}/index.html"), "half a site");
        if marked {
            site.write(&format!("{folder}/{marker}"), "");
        }
    };
    // Killed while writing, and killed between the swap and the clean-up.
    leftover(".proficio-build-public-a1B2c3", true);
    leftover(".proficio-old-public-Zz9yX8", true);
    leftover(".proficio-old-public-Qq1Ww2/site", true);
    // The previous site, moved aside in the layout without the output's name.
    leftover(".proficio-old-k3J9aQ/site", true);
    // Not proficio's, or not this output's: kept.
    leftover(".proficio-build-public-nomark", false);
    leftover(".proficio-old-public-n0mark", false);
    leftover(".proficio-build-public-partner-a1B2c3", true);
    leftover(".proficio-build-other-a1B2c3", true);
    leftover(".proficio-old-x7Y8z9/site", false);
    site.write(".proficio-old-t4U5v6/site/index.html", "x");
    site.write(&format!(".proficio-old-t4U5v6/site/{marker}"), "");
    site.write(".proficio-old-t4U5v6/notes.txt", "not only the site");

    site.build();
    assert!(site.built("index.html"));
    assert_eq!(
        leftovers(site.root()),
        vec![
            ".proficio-build-other-a1B2c3",
            ".proficio-build-public-nomark",
            ".proficio-build-public-partner-a1B2c3",
            ".proficio-old-public-n0mark",
            ".proficio-old-t4U5v6",
            ".proficio-old-x7Y8z9",
        ]
    );
    assert_eq!(
        std::fs::read_to_string(site.path(".proficio-build-public-nomark/index.html")).unwrap(),
        "half a site"
    );
}

#[cfg(unix)]
#[test]
fn a_leftover_name_that_is_a_link_is_never_followed() {
    let site = small_site();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join(proficio::build::output::MARKER), "").unwrap();
    std::fs::write(outside.path().join("keep.txt"), "kept\n").unwrap();
    std::os::unix::fs::symlink(outside.path(), site.path(".proficio-build-public-l1nk00")).unwrap();
    site.build();
    assert!(outside.path().join("keep.txt").is_file());
    assert!(site.path(".proficio-build-public-l1nk00").exists());
}

#[test]
fn a_staging_folder_is_marked_from_the_start() {
    let site = small_site();
    let _staging =
        proficio::build::output::Staging::new(site.root(), &site.output(), &Default::default())
            .unwrap();
    let staged = leftovers(site.root());
    assert_eq!(staged.len(), 1, "{staged:?}");
    assert!(staged[0].starts_with(".proficio-build-public-"));
    assert!(
        site.path(&staged[0])
            .join(proficio::build::output::MARKER)
            .is_file()
    );
}
