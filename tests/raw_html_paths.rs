//! Paths in raw HTML: relative `href`, `src` and `srcset` values in a
//! Markdown body's HTML resolve exactly as Markdown links and images do, the
//! rest of the HTML stays as written, and `check` sees the resolved links.

mod common;

use std::path::Path;

use common::problems::{assert_at_expecting, only};
use common::{SITE_TOML, Site, main_of, module};
use proficio::check::{self, Code};

/// A site with two modules, `target` having a heading `## Details`.
fn site(files: &[(&str, &str)]) -> Site {
    let site = Site::with_config(&[(
        "content/modules/target.md",
        &module("title: Target\ntrack: basics", "## Details\n\nText.\n"),
    )]);
    for (path, text) in files {
        site.write(path, text);
    }
    site
}

/// The same as [`site`] with `html = "allow"`, so the page holds the HTML as
/// written.
fn allowing_site(files: &[(&str, &str)]) -> Site {
    let site = site(files);
    site.write(
        "site.toml",
        &format!("{SITE_TOML}\n[markdown]\nhtml = \"allow\"\n"),
    );
    site
}

#[test]
fn a_raw_img_src_moves_with_its_page_like_a_markdown_image() {
    let site = site(&[
        (
            "content/lessons/london.md",
            "---\ntitle: London\n---\n<img src=\"assets/london.png\" alt=\"London\">\n\n![Map](assets/map.png)\n",
        ),
        ("content/lessons/assets/london.png", "png"),
        ("content/lessons/assets/map.png", "png"),
    ]);
    site.build();
    let page = site.read("lessons/london/index.html");
    let main = main_of(&page);
    assert!(
        main.contains("<img src=\"../assets/london.png\" alt=\"London\">"),
        "{main}"
    );
    assert!(main.contains("src=\"../assets/map.png\""), "{main}");

    let report = check::check(&site.options()).expect("check runs");
    assert!(report.findings.is_empty(), "{}", report.render(false));
}

#[test]
fn a_srcset_has_each_candidate_moved_and_its_descriptors_kept() {
    let site = allowing_site(&[(
        "content/lessons/london.md",
        "---\ntitle: London\n---\n<img alt=\"\" srcset=\"small.png 1x,  large.png 2x\" src=small.png>\n",
    )]);
    site.build();
    let page = site.read("lessons/london/index.html");
    assert!(
        main_of(&page).contains(
            "<img alt=\"\" srcset=\"../small.png 1x,  ../large.png 2x\" src=\"../small.png\">"
        ),
        "{page}"
    );
}

#[test]
fn raw_links_to_content_become_page_urls_like_markdown_links() {
    let site = site(&[(
        "content/modules/first.md",
        &module(
            "title: First\ntrack: basics",
            "<p><a href=\"target.md\">next</a> and\n<a href=\"@/modules/target.md#details\">its details</a></p>\n\nInline <a href='target.md'>too</a>.\n",
        ),
    )]);
    site.build();
    let page = site.read("modules/first/index.html");
    let main = main_of(&page);
    assert!(
        main.contains("<a href=\"/modules/target/\">next</a>"),
        "{main}"
    );
    assert!(
        main.contains("<a href=\"/modules/target/#details\">its details</a>"),
        "{main}"
    );
    assert!(
        main.contains("<a href=\"/modules/target/\">too</a>"),
        "{main}"
    );

    let report = check::check(&site.options()).expect("check runs");
    assert!(report.findings.is_empty(), "{}", report.render(false));
}

#[test]
fn absolute_urls_and_every_other_byte_stay_as_written() {
    let html = "<div class=x   data-src=\"a.png\"><a\n  title='a.md'\n  href=\"https://example.org/a.md\" >out</a> <img src=\"/files/x.png\" alt=\"\"/> <a href=\"#top\">top</a> <a href=\"mailto:a@example.org\">mail</a></div>";
    let site = allowing_site(&[(
        "content/lessons/links.md",
        &format!("---\ntitle: Links\n---\n{html}\n"),
    )]);
    site.build();
    let page = site.read("lessons/links/index.html");
    assert!(main_of(&page).contains(html), "{page}");
}

#[test]
fn only_the_value_changes_in_a_tag_written_over_several_lines() {
    let site = allowing_site(&[(
        "content/lessons/london.md",
        "---\ntitle: London\n---\n<img\n  alt=\"London\"\n  SRC = 'assets/london.png'\n  width=200>\n",
    )]);
    site.build();
    let page = site.read("lessons/london/index.html");
    assert!(
        main_of(&page)
            .contains("<img\n  alt=\"London\"\n  SRC = '../assets/london.png'\n  width=200>"),
        "{page}"
    );
}

#[test]
fn a_dead_content_link_in_raw_html_is_located_like_one_in_markdown() {
    let site = site(&[(
        "content/modules/first.md",
        &module(
            "title: First\ntrack: basics",
            "Intro.\n\n<p>See <a href=\"@/modules/gone.md#part\">the gone page</a>.</p>\n",
        ),
    )]);
    let problems = site.build_rejected();
    assert_at_expecting(
        only(&problems),
        ("content/modules/first.md", 7, 17),
        "link to `@/modules/gone.md`, which is not a content file",
        "the path of a Markdown file under content/",
    );

    site.write(
        "content/modules/first.md",
        &module(
            "title: First\ntrack: basics",
            "Intro.\n\nSee [the gone page](@/modules/gone.md#part).\n",
        ),
    );
    let markdown = site.build_rejected();
    assert_eq!(only(&markdown).message, only(&problems).message);
    assert_eq!(only(&markdown).code, Code::BrokenLink);

    let report = check::check(&site.options()).expect("check runs");
    let found = report
        .findings
        .iter()
        .find(|f| f.code == Code::BrokenLink)
        .unwrap_or_else(|| panic!("{}", report.render(false)));
    assert_eq!(found.file, Path::new("content/modules/first.md"));
}

#[test]
fn an_unused_asset_beside_a_plain_page_suggests_a_page_bundle() {
    let site = site(&[
        (
            "content/lessons/london.md",
            "---\ntitle: London\n---\n<div style=\"background: url(assets/london.png)\"></div>\n",
        ),
        ("content/lessons/assets/london.png", "png"),
    ]);
    let report = check::check(&site.options()).expect("check runs");
    let unused: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.code == Code::UnusedAsset)
        .collect();
    assert_eq!(unused.len(), 1, "{}", report.render(false));
    let hint = unused[0].hint.as_deref().unwrap_or("");
    assert!(
        hint.contains("if `content/lessons/london.md` means to show it, the page is published at `/lessons/london/`")
            && hint.contains("page bundle: `content/lessons/london/index.md` with its files beside it"),
        "{hint}"
    );
}

#[test]
fn a_srcset_is_kept_by_the_sanitizer_unless_a_candidate_could_run_code() {
    let site = site(&[(
        "content/lessons/london.md",
        "---\ntitle: London\n---\n<img alt=\"\" srcset=\"small.png 1x, https://cdn.example/large.png 2x\">\n\n<img alt=\"\" srcset=\"javascript:alert(1) 1x\">\n",
    )]);
    site.build();
    let page = site.read("lessons/london/index.html");
    let main = main_of(&page);
    assert!(
        main.contains("srcset=\"../small.png 1x, https://cdn.example/large.png 2x\""),
        "{main}"
    );
    assert!(!main.contains("javascript:"), "{main}");
}
