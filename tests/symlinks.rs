//! Nothing outside the site folder is ever read: a symbolic link under
//! `content/`, `templates/`, `static/`, `themes/` or `data/` that leads outside is a
//! located problem of the link, its target is never opened, and a link that
//! stays inside the site is followed like the file it points at. A report
//! never shows more of a file than the offending line.

#![cfg(unix)]

mod common;

use std::os::unix::fs::symlink;
use std::path::Path;

use common::{Site, module};
use proficio::Error;

/// Text standing for a private file outside the site: several lines, none
/// of which may reach a report or the output.
const SECRET: &str = "root:x:0:0:SECRET-ONE:/root:/bin/bash\nSECRET-TWO\nSECRET-THREE\n";

/// A folder outside the site holding `name` with `text`.
fn outside(name: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join(name), text).expect("write outside file");
    dir
}

fn link(site: &Site, relative: &str, target: &Path) {
    let path = site.path(relative);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
    symlink(target, path).expect("symlink");
}

/// The rejected build's problems and everything a terminal would show.
fn rejected(site: &Site) -> (Vec<proficio::Diagnostic>, String) {
    let problems = site.build_rejected();
    let shown: String = problems.iter().map(|p| p.render(false)).collect();
    (problems, shown)
}

fn assert_refused_link(site: &Site, link: &str) {
    let (problems, shown) = rejected(site);
    assert!(
        problems
            .iter()
            .any(|p| p.file == Path::new(link) && p.message.contains("outside the site folder")),
        "{shown}"
    );
    assert!(!shown.contains("SECRET"), "{shown}");
}

#[test]
fn a_partner_file_linked_from_outside_is_refused_without_showing_its_text() {
    let site = Site::demo();
    let secrets = outside("passwd", SECRET);
    link(
        &site,
        "content/partners/evil.yaml",
        &secrets.path().join("passwd"),
    );
    assert_refused_link(&site, "content/partners/evil.yaml");
}

#[test]
fn a_valid_partner_file_from_outside_is_not_published() {
    let site = Site::demo();
    site.build();
    let before = site.snapshot();
    let valid = std::fs::read_to_string(site.path("content/partners/halvorsen-digital.yaml"))
        .expect("demo partner")
        .replace("Halvorsen Digital", "Outsider Holdings");
    let elsewhere = outside("outsider.yaml", &valid);
    link(
        &site,
        "content/partners/outsider.yaml",
        &elsewhere.path().join("outsider.yaml"),
    );
    assert_refused_link(&site, "content/partners/outsider.yaml");
    assert_eq!(site.snapshot(), before, "the previous output is untouched");
    assert!(site.files_containing("Outsider Holdings").is_empty());
}

#[test]
fn links_leading_outside_are_refused_in_every_input_folder() {
    let secrets = outside("secret.txt", SECRET);
    let target = secrets.path().join("secret.txt");
    for place in [
        "content/modules/secret.md",
        "content/modules/notes.txt",
        "templates/page.html",
        "static/secret.txt",
        "themes/plain/templates/page.html",
        "themes/plain/static/secret.css",
    ] {
        let site = Site::with_config(&[]);
        site.write(
            "site.toml",
            &common::SITE_TOML.replacen("title =", "theme = \"plain\"\ntitle =", 1),
        );
        site.write("themes/plain/templates/.keep", "");
        link(&site, place, &target);
        assert_refused_link(&site, place);
    }
}

#[test]
fn a_linked_folder_leading_outside_is_refused_and_not_walked() {
    let secrets = outside("secret.md", &module("title: Secret", SECRET));
    let site = Site::with_config(&[]);
    link(&site, "content/modules/shared", secrets.path());
    assert_refused_link(&site, "content/modules/shared");
}

#[test]
fn a_content_folder_linked_from_outside_is_refused() {
    let secrets = outside("secret.md", &module("title: Secret", SECRET));
    let site = Site::new(&[("site.toml", common::SITE_TOML)]);
    link(&site, "content", secrets.path());
    assert_refused_link(&site, "content");
}

#[test]
fn a_site_toml_linked_from_outside_is_refused() {
    let secrets = outside("site.toml", common::SITE_TOML);
    let site = Site::new(&[]);
    link(&site, "site.toml", &secrets.path().join("site.toml"));
    assert_refused_link(&site, "site.toml");
}

#[test]
fn a_link_inside_the_site_is_followed_like_its_target() {
    let site = Site::with_config(&[(
        "library/shared-module.md",
        &module("title: Shared module", "Kept once, linked twice."),
    )]);
    link(
        &site,
        "content/modules/shared.md",
        Path::new("../../library/shared-module.md"),
    );
    link(&site, "content/more", &site.path("library"));
    site.build();
    let page = site.read("modules/shared/index.html");
    assert!(page.contains("Kept once, linked twice."), "{page}");
    assert!(
        site.read("more/shared-module/index.html")
            .contains("Shared module")
    );
}

#[test]
fn a_dangling_link_and_a_link_loop_are_located_problems() {
    let site = Site::with_config(&[]);
    link(&site, "content/modules/gone.md", Path::new("nowhere.md"));
    link(&site, "content/modules/again", &site.path("content"));
    let (problems, shown) = rejected(&site);
    let message_of = |file: &str| {
        problems
            .iter()
            .find(|p| p.file == Path::new(file))
            .map(|p| p.message.clone())
            .unwrap_or_else(|| panic!("no problem for {file}:\n{shown}"))
    };
    assert_eq!(
        message_of("content/modules/gone.md"),
        "this symbolic link leads to nothing"
    );
    assert_eq!(
        message_of("content/modules/again"),
        "this symbolic link leads back into a folder that contains it"
    );
}

#[test]
fn a_report_shows_only_the_offending_line() {
    let site = Site::demo();
    site.write(
        "content/partners/broken.yaml",
        &format!("name: [unclosed\n{SECRET}"),
    );
    let (problems, shown) = rejected(&site);
    assert!(
        problems
            .iter()
            .any(|p| p.file == Path::new("content/partners/broken.yaml")),
        "{shown}"
    );
    assert!(!shown.contains("SECRET-TWO"), "{shown}");
    assert!(!shown.contains("SECRET-THREE"), "{shown}");
}

#[test]
fn a_long_line_is_cut_around_the_problem_and_keeps_its_column() {
    let long = format!(
        "title: {}\nlevel: {}guru\n",
        "t".repeat(300),
        "x".repeat(500)
    );
    let site = Site::with_config(&[("content/modules/long.md", &format!("---\n{long}---\n"))]);
    let problems = match site.try_build() {
        Err(Error::Input(problems)) => problems,
        other => panic!("expected problems, got {other:?}"),
    };
    for problem in &problems {
        let shown = problem.render(false);
        let location = format!("long.md:{}:{}", problem.line(), problem.column());
        assert!(shown.contains(&location), "{shown}");
        for line in shown.lines() {
            assert!(line.chars().count() <= 210, "line too wide: {line}");
        }
    }
}

#[test]
fn an_export_linked_from_outside_is_refused_without_showing_its_text() {
    let site = Site::copy_of("examples/lms-export");
    let secrets = outside("users.csv", SECRET);
    std::fs::remove_file(site.path("data/lms-users.csv")).expect("remove the export");
    link(
        &site,
        "data/lms-users.csv",
        &secrets.path().join("users.csv"),
    );
    assert_refused_link(&site, "data/lms-users.csv");
    // A folder source's link is refused the same way.
    link(
        &site,
        "data/lrs/more.ndjson",
        &secrets.path().join("users.csv"),
    );
    assert_refused_link(&site, "data/lrs/more.ndjson");
}
