//! Raw HTML in Markdown modules, as `[markdown] html` in `site.toml` says:
//! sanitized by default (scripts, event handlers, `javascript:` URLs and
//! frames from other hosts go; `<details>` and video players stay) in the
//! module page, the feed and the live preview alike; kept as written with
//! `"allow"`; a located error with `"deny"`. `check` names every removal
//! where it is written, and a value outside the three is a located config
//! error.

mod common;

use common::{SITE_TOML, Site, describe, main_of, module, rendered};
use proficio::build::incremental::render_changes;
use proficio::build::{PageCache, render};
use proficio::check::{self, Code, Severity};

/// The module's body: each line of raw HTML on a line of its own, so the
/// expected locations are easy to read (the front matter takes lines 1–6).
const BODY: &str = "## Try it\n\
\n\
<script>alert(1)</script>\n\
\n\
<img src=x onerror=alert(1)>\n\
\n\
Read <a href=\"javascript:alert(1)\">x</a> first.\n\
\n\
<details><summary>Why this works</summary>Because it is tested.</details>\n\
\n\
<iframe src=\"https://www.youtube.com/embed/abc123\" allowfullscreen></iframe>\n\
\n\
<iframe src=\"https://evil.example/frame\"></iframe>\n\
\n\
And a [Markdown link](javascript:alert(2)).\n";

const MODULE: &str = "content/modules/raw.md";

fn module_text() -> String {
    module(
        "title: Raw HTML\ntrack: basics\ndate: 2026-03-01\nsummary: A module with raw HTML.",
        BODY,
    )
}

/// A site with the module; `setting` is appended to `site.toml`.
fn site(setting: &str) -> Site {
    let site = Site::new(&[("site.toml", &format!("{SITE_TOML}{setting}"))]);
    site.write(MODULE, &module_text());
    site
}

fn page(site: &Site) -> String {
    main_of(&site.read("modules/raw/index.html")).to_string()
}

/// The part of the feed inside the module's entry.
fn feed_entry(site: &Site) -> String {
    let feed = site.read("atom.xml");
    let start = feed.find("<entry>").expect("the feed has an entry");
    feed[start..].to_string()
}

/// What must be gone after sanitizing, as it appears in a page and
/// (escaped) in the feed.
const REMOVED: &[&str] = &[
    "script",
    "alert(1)",
    "alert(2)",
    "onerror",
    "javascript:",
    "evil.example",
];

#[test]
fn sanitizing_is_the_default_in_the_page_and_the_feed() {
    let site = site("");
    site.build();
    let html = page(&site);
    for gone in REMOVED {
        assert!(
            !html.contains(gone),
            "`{gone}` is still in the page:\n{html}"
        );
    }
    for kept in [
        // A relative `src` moves with the page, as a Markdown image does.
        "<img src=\"../x\">",
        "Read <a>x</a> first.",
        "<details><summary>Why this works</summary>Because it is tested.</details>",
        "<iframe src=\"https://www.youtube.com/embed/abc123\" allowfullscreen=\"\"></iframe>",
        "<iframe></iframe>",
        "And a <a>Markdown link</a>.",
        // The Markdown around the HTML is rendered as ever.
        "<h2 id=\"try-it\">Try it <a class=\"anchor\" href=\"#try-it\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h2>",
    ] {
        assert!(
            html.contains(kept),
            "`{kept}` is missing from the page:\n{html}"
        );
    }

    let entry = feed_entry(&site);
    for gone in REMOVED {
        assert!(
            !entry.contains(gone),
            "`{gone}` is still in the feed:\n{entry}"
        );
    }
    assert!(
        entry.contains("&lt;details&gt;&lt;summary&gt;Why this works"),
        "{entry}"
    );
    assert!(
        entry.contains("https://www.youtube.com/embed/abc123"),
        "{entry}"
    );
}

#[test]
fn allow_keeps_the_html_as_written() {
    let site = site("\n[markdown]\nhtml = \"allow\"\n");
    site.build();
    let html = page(&site);
    for kept in [
        "<script>alert(1)</script>",
        "<img src=\"../x\" onerror=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<details><summary>Why this works</summary>Because it is tested.</details>",
        "<iframe src=\"https://evil.example/frame\"></iframe>",
        // As before the setting: the link is taken for a file next to the page.
        "javascript:alert(2)\">Markdown link</a>",
    ] {
        assert!(
            html.contains(kept),
            "`{kept}` is missing from the page:\n{html}"
        );
    }
    assert!(feed_entry(&site).contains("&lt;script&gt;alert(1)"));
}

#[test]
fn deny_is_a_located_error_and_leaves_the_output_alone() {
    let site = site("");
    site.build();
    let before = site.snapshot();
    site.write(
        "site.toml",
        &format!("{SITE_TOML}\n[markdown]\nhtml = \"deny\"\n"),
    );
    let problems = site.build_rejected();
    let found: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let expected = [
        "content/modules/raw.md:9:1: raw HTML `<script>alert(1)</script>` in Markdown",
        "content/modules/raw.md:11:1: raw HTML `<img src=x onerror=alert(1)>` in Markdown",
        "content/modules/raw.md:13:6: raw HTML `<a href=\"javascript:alert(1)\">` in Markdown",
        "content/modules/raw.md:13:37: raw HTML `</a>` in Markdown",
        "content/modules/raw.md:15:1: raw HTML `<details><summary>Why this works</summar…` in Markdown",
        "content/modules/raw.md:17:1: raw HTML `<iframe src=\"https://www.youtube.com/emb…` in Markdown",
        "content/modules/raw.md:19:1: raw HTML `<iframe src=\"https://evil.example/frame\"…` in Markdown",
        "content/modules/raw.md:21:23: link with a URL scheme `javascript:`, which could run code",
    ];
    assert_eq!(found.len(), expected.len(), "{}", describe(&problems));
    for (found, expected) in found.iter().zip(expected) {
        assert!(
            found.starts_with(expected),
            "{found}\nexpected it to start with\n{expected}"
        );
    }
    assert!(
        found[0].ends_with(
            "(expected Markdown instead of HTML, as `html = \"deny\"` under `[markdown]` in site.toml asks)"
        ),
        "{found:?}"
    );
    common::assert_same_tree(&before, &site.snapshot());

    // `check` reports them under their own code.
    let report = check::check(&site.options()).expect("check runs");
    let denied: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.code == Code::RawHtml)
        .map(|f| (f.line(), f.column(), f.severity))
        .collect();
    assert_eq!(denied.len(), expected.len(), "{}", report.render(false));
    assert_eq!(denied[0], (9, 1, Severity::Error));
}

#[test]
fn check_names_each_removal_where_it_is_written() {
    let site = site("");
    let report = check::check(&site.options()).expect("check runs");
    let removed: Vec<(usize, usize, &str)> = report
        .findings
        .iter()
        .filter(|f| f.code == Code::RawHtmlRemoved)
        .inspect(|f| assert_eq!(f.severity, Severity::Warning))
        .map(|f| (f.line(), f.column(), f.message.as_str()))
        .collect();
    assert_eq!(
        removed,
        [
            (
                9,
                1,
                "sanitizing removed element `script` and its content from this page"
            ),
            (
                11,
                12,
                "sanitizing removed attribute `onerror` from this page"
            ),
            (
                13,
                9,
                "sanitizing removed URL scheme `javascript:` from this page"
            ),
            (
                19,
                9,
                "sanitizing removed `<iframe src>` from `evil.example`, which is not a video host on the allow-list from this page"
            ),
            (
                21,
                23,
                "sanitizing removed URL scheme `javascript:` from this page"
            ),
        ],
        "{}",
        report.render(false)
    );
    let json = report.to_json();
    assert!(json.contains("\"code\": \"raw-html-removed\""), "{json}");
    let human = report.render(false);
    assert!(human.contains("warning[raw-html-removed]"), "{human}");
    assert!(human.contains("<img src=x onerror=alert(1)>"), "{human}");

    // Nothing is removed, so nothing is reported, when the site allows HTML.
    let allowed = self::site("\n[markdown]\nhtml = \"allow\"\n");
    let report = check::check(&allowed.options()).expect("check runs");
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.code != Code::RawHtmlRemoved),
        "{}",
        report.render(false)
    );
}

#[test]
fn an_unknown_setting_is_a_located_config_error() {
    let site = site("\n[markdown]\nhtml = \"yes\"\n");
    let problems = site.build_rejected();
    let text = describe(&problems);
    assert_eq!(problems.len(), 1, "{text}");
    let line = SITE_TOML.lines().count() + 3;
    assert!(
        text.starts_with(&format!(
            "site.toml:{line}:8: unknown variant `yes`, expected one of `sanitize`, `allow`, `deny`"
        )),
        "{text}"
    );

    let site = self::site("\n[markdown]\nhtm = \"allow\"\n");
    let text = describe(&site.build_rejected());
    assert!(
        text.starts_with(&format!(
            "site.toml:{line}:1: unknown field `htm`, expected `html`"
        )),
        "{text}"
    );
}

#[test]
fn the_live_preview_shows_the_sanitized_body() {
    let site = site("");
    site.write(
        MODULE,
        &module("title: Raw HTML\ntrack: basics", "Plain.\n"),
    );
    let first = render(&site.options(), &PageCache::default()).expect("first render");
    let mut cache = first.cache;
    let text_of = |rendered: &proficio::build::RenderedSite, path: &str| {
        rendered::page(&rendered::files_of(rendered), path)
    };

    site.write(MODULE, &module_text());
    let again = render_changes(&site.options(), &mut cache, &[MODULE]).expect("preview");
    let html = text_of(&again, "modules/raw/index.html");
    assert!(!html.contains("alert(1)"), "{html}");
    assert!(html.contains("<details><summary>Why this works"), "{html}");

    let mut cache = again.cache;
    site.write(
        "site.toml",
        &format!("{SITE_TOML}\n[markdown]\nhtml = \"allow\"\n"),
    );
    let again = render_changes(&site.options(), &mut cache, &["site.toml"]).expect("preview");
    assert!(text_of(&again, "modules/raw/index.html").contains("<script>alert(1)</script>"));
}

#[test]
fn the_demo_renders_the_same_sanitized_or_not() {
    let sanitized = Site::demo();
    sanitized.build();
    let allowed = Site::demo();
    let config = std::fs::read_to_string(allowed.path("site.toml")).expect("site.toml");
    allowed.write(
        "site.toml",
        &format!("{config}\n[markdown]\nhtml = \"allow\"\n"),
    );
    allowed.build();
    common::assert_same_tree(&allowed.snapshot(), &sanitized.snapshot());
}
