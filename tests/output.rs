//! The output folder: proficio replaces only folders it wrote itself, never
//! writes into the site's sources, and a rebuild leaves exactly the new site.

mod common;

use common::{Site, module};
use proficio::Error;

fn small_site() -> Site {
    Site::with_config(&[
        (
            "content/modules/a.md",
            &module("title: Start here\ntrack: basics", "Intro.\n"),
        ),
        ("content/about.md", "# About\n\nWho we are.\n"),
    ])
}

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
        target.join(proficio::output::MARKER).is_file(),
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
