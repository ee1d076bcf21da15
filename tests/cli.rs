//! The `proficio` command: exit codes, what it prints, and `init` followed by
//! `build` giving a working site.

mod common;

use common::command::{path, proficio, stderr, stdout};
use common::{Site, module, small_site, snapshot};

#[test]
fn version_prints_the_package_version() {
    let output = proficio(&["--version"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output).trim(),
        format!("proficio {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn build_writes_the_site_and_says_what_it_wrote() {
    let site = small_site();
    let output = proficio(&["build", "--root", path(site.root())]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let said = stderr(&output);
    assert!(said.contains("Built "), "{said}");
    assert!(said.contains("into public"), "{said}");
    assert!(
        site.read("modules/a/index.html")
            .contains("<h1>Start here</h1>")
    );
}

#[test]
fn build_options_on_the_command_line_are_applied() {
    let site = small_site();
    site.write(
        "content/modules/wip.md",
        &module("title: Work in progress\ndraft: true", "Soon.\n"),
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("www");
    let output = proficio(&[
        "build",
        "--root",
        path(site.root()),
        "--output",
        path(&out),
        "--base-url",
        "https://cdn.example.net/learn/",
        "--drafts",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        home.contains("<link rel=\"stylesheet\" href=\"/learn/style.css\">"),
        "{home}"
    );
    assert!(out.join("modules/wip/index.html").is_file());
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://cdn.example.net/learn/modules/wip/</loc>"),
        "{sitemap}"
    );
    assert!(!site.output().exists());
}

#[test]
fn a_site_with_mistakes_exits_1_showing_where_and_the_offending_line() {
    let site = small_site();
    site.build();
    let before = site.snapshot();
    site.write(
        "content/modules/a.md",
        &module("title: Start here\nlevel: guru\ntrack: basics", "Text.\n"),
    );
    let output = proficio(&["build", "--root", path(site.root())]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let said = stderr(&output);
    assert!(said.contains("content/modules/a.md:3:8"), "{said}");
    assert!(said.contains("unknown level `guru`"), "{said}");
    assert!(
        said.contains("3 │ level: guru"),
        "the source line is shown:\n{said}"
    );
    assert!(
        said.contains("expected one of nay-sayer, experimenter, practitioner"),
        "{said}"
    );
    assert!(said.contains("previous output is untouched"), "{said}");
    assert!(!said.contains("\u{1b}["), "no colour when NO_COLOR is set");
    common::assert_same_tree(&before, &site.snapshot());
}

#[test]
fn a_refused_build_exits_1_with_the_reason() {
    let site = small_site();
    site.write("public/keep-me.txt", "mine\n");
    let output = proficio(&["build", "--root", path(site.root())]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("proficio did not write"),
        "{}",
        stderr(&output)
    );
    assert!(site.path("public/keep-me.txt").is_file());
}

#[test]
fn an_unknown_flag_exits_2() {
    let output = proficio(&["build", "--colour-scheme", "pink"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--colour-scheme"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_audience_that_is_neither_internal_nor_a_partner_exits_2() {
    let site = small_site();
    let output = proficio(&[
        "build",
        "--root",
        path(site.root()),
        "--audience",
        "everyone",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`everyone` is not an audience"),
        "{}",
        stderr(&output)
    );
    assert!(!site.path("public").exists());
}

#[test]
fn init_creates_a_site_that_builds_with_its_sample_modules_in_track_order() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("portal");
    let output = proficio(&["init", path(&dir)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(dir.join("site.toml").is_file());

    let output = proficio(&["build", "--root", path(&dir)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let public = dir.join("public");
    let read = |p: &str| std::fs::read_to_string(public.join(p)).unwrap();
    let modules = read("modules/index.html");
    for title in [
        "Your first useful prompt",
        "Check the output before you send it",
        "Measure the time a workflow saves",
    ] {
        assert!(modules.contains(title), "{title}:\n{modules}");
    }
    let track = read("tracks/getting-started/index.html");
    let first = track.find("Your first useful prompt").expect("first");
    let second = track
        .find("Check the output before you send it")
        .expect("second");
    let third = track
        .find("Measure the time a workflow saves")
        .expect("third");
    assert!(first < second && second < third, "{track}");
    assert!(read("modules/first-prompt/index.html").contains("<h1>Your first useful prompt</h1>"));
}

#[test]
fn init_says_on_stdout_which_files_to_replace_first_and_how_to_build() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("portal");
    let output = proficio(&["init", path(&dir)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "", "nothing on stderr");
    let printed = stdout(&output).replace(path(&dir), "my-portal");
    insta::assert_snapshot!(printed, @r"
    Created a new site in my-portal.

    Replace these first:
      my-portal/site.toml
          the title, description and base_url (the address the site is published at)
      my-portal/content/modules/*.md
          the three sample modules, with your own (their track is in site.toml)
      my-portal/content/partners/*.yaml
          the two sample partners: they name the sample modules and work only with
          the default skills, workflows and levels; replace them with your
          partners' files, or delete them, before you change those catalogues

    Build it with:   proficio build --root my-portal
    Preview it with: proficio serve --root my-portal
    ");
    for file in [
        "site.toml",
        "content/modules/first-prompt.md",
        "content/partners/harbor-systems.yaml",
    ] {
        assert!(dir.join(file).is_file(), "{file} is written");
    }
}

#[test]
fn init_into_a_folder_with_files_exits_1_and_changes_nothing() {
    let site = Site::new(&[("notes.md", "my notes\n"), ("sub/more.txt", "more\n")]);
    let before = snapshot(site.root());
    let output = proficio(&["init", path(site.root())]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("not empty"), "{}", stderr(&output));
    common::assert_same_tree(&before, &snapshot(site.root()));
}
