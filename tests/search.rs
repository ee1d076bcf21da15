//! Full-text search as a reader meets it: the box in every page's header,
//! the search page, and the index the build writes under `/search/`, queried
//! with the search script the default theme ships (run in Node, reading the
//! index files a browser would fetch). Also: filters by level, track, skill
//! and workflow, excerpts that mark the words and never carry markup, what
//! is left out (data exports, other partners), and turning search off.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{SITE_TOML, Site, module};
use proficio::BuildOptions;
use proficio::base::audience::Audience;
use serde_json::Value;

/// A portal of three modules at different levels, tracks, skills and
/// workflows, a guide, and one partner.
fn portal() -> Site {
    let config = format!(
        "{SITE_TOML}\n[[tracks]]\nid = \"advanced\"\ntitle = \"Advanced track\"\ndescription = \"Later steps.\"\n"
    );
    let site = Site::new(&[("site.toml", &config)]);
    site.write(
        "content/modules/onboarding.md",
        &module(
            "title: Onboarding a new reseller\nlevel: experimenter\ntrack: basics\n\
             skills: [prompting]\nworkflows: [onboarding]\ntags: [getting-started]",
            "## Kick-off checklist\n\nA reseller needs a welcome pack and a named contact.\n\n\
             Reviewing the contract terms comes first.\n",
        ),
    );
    site.write(
        "content/modules/forecast.md",
        &module(
            "title: Forecasting pipeline with AI\nlevel: practitioner\ntrack: advanced\n\
             skills: [data-interpretation]\nworkflows: [qbr]",
            "## Quarterly forecast\n\nThe forecast compares the pipeline with last quarter.\n\n\
             Use `<script>` tags carefully & never paste secrets.\n",
        ),
    );
    site.write(
        "content/modules/review.md",
        &module(
            "title: Review AI drafts\nlevel: practitioner\ntrack: basics\nskills: [output-validation]",
            "## Checks\n\nA reviewer validates every figure before it is sent.\n",
        ),
    );
    site.write(
        "content/guides/style.md",
        "---\ntitle: House style\n---\nWrite for a reseller who reads on a phone.\n",
    );
    site
}

/// What the shipped search finds for `query` with the `filters` chosen
/// (`{"level": ["builder"]}`), and the index files it read.
fn search(site: &Site, query: &str, filters: &str) -> (Vec<Value>, Vec<Value>) {
    search_in(&site.output().join("search"), query, filters)
}

fn search_in(index: &Path, query: &str, filters: &str) -> (Vec<Value>, Vec<Value>) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/search/query.js");
    let output = Command::new("node")
        .arg(&script)
        .arg(index)
        .arg(query)
        .arg(filters)
        .output()
        .expect("Node.js runs the shipped search script (install Node.js to run these tests)");
    assert!(
        output.status.success(),
        "the search script failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answer: Value = serde_json::from_slice(&output.stdout).expect("the script prints JSON");
    let list = |key: &str| answer[key].as_array().cloned().unwrap_or_default();
    (list("results"), list("read"))
}

/// The URLs of `results`, best first.
fn urls(results: &[Value]) -> Vec<&str> {
    results.iter().filter_map(|r| r["url"].as_str()).collect()
}

#[test]
fn a_word_finds_the_pages_that_hold_it_best_match_first() {
    let site = portal();
    site.build();
    let (results, _) = search(&site, "forecast", "{}");
    assert_eq!(urls(&results)[0], "/modules/forecast/", "{results:?}");
    assert_eq!(results[0]["title"], "Forecasting pipeline with AI");
    assert_eq!(results[0]["section"], "Modules");
    // Every word must match: "reseller" alone finds the module and the
    // guide, with "welcome" only the module.
    let (results, _) = search(&site, "reseller", "{}");
    assert!(urls(&results).contains(&"/modules/onboarding/"));
    assert!(urls(&results).contains(&"/guides/style/"));
    let (results, _) = search(&site, "reseller welcome", "{}");
    assert_eq!(urls(&results), ["/modules/onboarding/"]);
    let (results, _) = search(&site, "zeppelin", "{}");
    assert!(results.is_empty(), "{results:?}");
}

#[test]
fn other_forms_of_a_word_and_a_word_being_typed_match_too() {
    let site = portal();
    site.build();
    // "validates" is in the text; its stem and other forms find it.
    for typed in ["validate", "validating", "validated"] {
        let (results, _) = search(&site, typed, "{}");
        assert!(
            urls(&results).contains(&"/modules/review/"),
            "{typed}: {results:?}"
        );
    }
    // A word being typed matches the words it begins.
    let (results, _) = search(&site, "forec", "{}");
    assert_eq!(urls(&results)[0], "/modules/forecast/", "{results:?}");
}

#[test]
fn filters_narrow_the_results_to_a_level_track_skill_or_workflow() {
    let site = portal();
    site.build();
    let (results, _) = search(&site, "", r#"{"level": ["Experimenter"]}"#);
    assert_eq!(urls(&results), ["/modules/onboarding/"]);
    let (results, _) = search(&site, "reseller", r#"{"track": ["Basics track"]}"#);
    assert_eq!(urls(&results), ["/modules/onboarding/"]);
    let (results, _) = search(&site, "", r#"{"skill": ["Output validation"]}"#);
    assert_eq!(urls(&results), ["/modules/review/"]);
    let (results, _) = search(&site, "", r#"{"workflow": ["Quarterly business reviews"]}"#);
    assert_eq!(urls(&results), ["/modules/forecast/"]);
    // Two values of one filter: either; two filters: both.
    let (results, _) = search(&site, "", r#"{"level": ["Experimenter", "Practitioner"]}"#);
    assert_eq!(
        urls(&results),
        [
            "/modules/forecast/",
            "/modules/onboarding/",
            "/modules/review/"
        ]
    );
    let (results, _) = search(
        &site,
        "",
        r#"{"level": ["Practitioner"], "track": ["Basics track"]}"#,
    );
    assert_eq!(urls(&results), ["/modules/review/"]);
    // The search page shows each value with how many pages it has.
    let meta = site.read_json("search/meta.json");
    assert_eq!(meta["filters"]["level"]["Practitioner"], 2);
    assert_eq!(meta["filters"]["track"]["Basics track"], 2);
}

#[test]
fn excerpts_mark_the_words_found_and_carry_no_markup() {
    let site = portal();
    site.build();
    let (results, _) = search(&site, "script", "{}");
    let excerpt = results[0]["excerpt"].as_str().expect("an excerpt");
    assert!(
        excerpt.contains("Use &lt;<mark>script</mark>&gt; tags carefully &amp; never"),
        "{excerpt}"
    );
    // The title is shown beside the result: the excerpt is from the text.
    let (results, _) = search(&site, "checks", "{}");
    let excerpt = results[0]["excerpt"].as_str().expect("an excerpt");
    assert!(
        excerpt.starts_with("<mark>Checks</mark> A reviewer validates"),
        "{excerpt}"
    );
    // Index files are inert even when read as HTML.
    for (path, bytes) in site.snapshot() {
        if path.starts_with("search/") && path.ends_with(".json") {
            assert!(!common::contains(&bytes, "<script>"), "{path}");
        }
    }
}

#[test]
fn a_query_downloads_only_the_files_it_needs() {
    let site = portal();
    site.build();
    let (results, read) = search(&site, "forecast pipeline", "{}");
    assert_eq!(urls(&results)[0], "/modules/forecast/");
    let files: Vec<&str> = read.iter().filter_map(|r| r["file"].as_str()).collect();
    assert_eq!(
        files[..3],
        ["meta.json", "w/for.json", "w/pip.json"],
        "the summary and one file per word: {files:?}"
    );
    assert!(files[3..].iter().all(|f| f.starts_with("r/")), "{files:?}");
    assert!(!files.contains(&"filters.json"), "no filter chosen");
}

#[test]
fn every_page_has_a_search_box_and_the_search_page_says_it_needs_javascript() {
    let site = portal();
    site.build();
    for page in [
        "index.html",
        "modules/forecast/index.html",
        "guides/style/index.html",
    ] {
        let html = site.read(page);
        assert!(
            html.contains(r#"<form class="site-search" role="search" action="/search/">"#),
            "{page}"
        );
        assert!(html.contains(r#"aria-keyshortcuts="/""#), "{page}");
    }
    let page = site.read("search/index.html");
    assert!(page.contains("<h1>Search</h1>"), "{page}");
    assert!(page.contains("<noscript>"), "{page}");
    assert!(page.contains("needs JavaScript"), "{page}");
    assert!(page.contains(r#"<script src="/search.js" defer></script>"#));
    assert!(site.built("search.js"));
}

#[test]
fn data_exports_and_listing_pages_without_text_of_their_own_are_not_indexed() {
    let site = portal();
    site.build();
    let pages = site.read("search/pages.json");
    for page in ["/modules/forecast/", "/guides/style/", "/tracks/basics/"] {
        assert!(pages.contains(&format!("\"{page}\"")), "{page}: {pages}");
    }
    for page in ["/data/", "/search/", "\"/\""] {
        assert!(!pages.contains(page), "{page}: {pages}");
    }
}

#[test]
fn search_can_be_turned_off() {
    let site = portal();
    site.write(
        "site.toml",
        &format!("{SITE_TOML}\n[search]\nenabled = false\n"),
    );
    site.remove("content/modules/forecast.md");
    site.build();
    assert!(!site.output().join("search").exists());
    assert!(!site.read("index.html").contains("site-search"));
    assert!(
        !site
            .read("modules/onboarding/index.html")
            .contains("role=\"search\"")
    );
}

#[test]
fn a_partner_portal_indexes_only_that_partners_own_page() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let output = tempfile::tempdir().expect("output folder");
    let internal = output.path().join("internal");
    let partner = output.path().join("partner");
    let build = |audience: Audience, target: &Path| {
        proficio::build(&BuildOptions {
            root: root.clone(),
            output: Some(target.to_path_buf()),
            audience,
            ..BuildOptions::default()
        })
        .expect("the demo builds")
    };
    build(Audience::Internal, &internal);
    build(Audience::Partner("kestrel-advisory".to_string()), &partner);
    let (results, _) = search_in(&internal.join("search"), "partner", "{}");
    let partners_found = urls(&results)
        .iter()
        .filter(|u| u.starts_with("/partners/"))
        .count();
    assert!(
        partners_found > 1,
        "the internal portal finds every scorecard"
    );
    let (results, _) = search_in(&partner.join("search"), "kestrel", "{}");
    assert!(urls(&results).contains(&"/partners/kestrel-advisory/"));
    let (results, _) = search_in(&partner.join("search"), "partner", "{}");
    let found = urls(&results);
    assert!(
        found
            .iter()
            .filter(|u| u.starts_with("/partners/"))
            .all(|u| *u == "/partners/kestrel-advisory/"),
        "{found:?}"
    );
}

#[test]
fn content_at_the_search_page_url_is_an_error() {
    let site = portal();
    site.write("content/search.md", "# My own search\n");
    let problems = site.build_rejected();
    assert!(
        problems.iter().any(|p| p
            .message
            .contains("the URL /search/ belongs to pages proficio generates")
            && p.file.ends_with("content/search.md")),
        "{}",
        common::describe(&problems)
    );
}

#[test]
fn the_modules_page_offers_filters_with_counts_that_work_without_javascript() {
    let site = portal();
    site.build();
    let page = site.read("modules/index.html");
    let filters = &page[page.find("<nav class=\"module-filters\"").expect("filters")..];
    let filters = &filters[..filters.find("</nav>").expect("end of the filters")];
    // Each value links to its own page (which lists its modules) and says
    // how many modules it has, in the catalogue's order.
    assert!(
        filters.contains(
            r#"<a href="/levels/experimenter/" data-filter="level" data-value="experimenter">Experimenter <span class="filter-count">1</span></a>"#
        ),
        "{filters}"
    );
    assert!(
        filters.contains(
            r#"data-value="practitioner">Practitioner <span class="filter-count">2</span>"#
        )
    );
    assert!(filters.contains(r#"<a href="/tracks/basics/" data-filter="track" data-value="basics">Basics track <span class="filter-count">2</span></a>"#));
    assert!(
        filters.contains(r#"data-value="prompting">Prompting <span class="filter-count">1</span>"#)
    );
    assert!(
        filters.contains(r#"<a href="/workflows/qbr/" data-filter="workflow" data-value="qbr">"#)
    );
    // Values no listed module has are left out.
    assert!(!filters.contains("data-value=\"nay-sayer\""), "{filters}");
    // The cards carry what the reader script filters them by.
    assert!(page.contains(
        r#"<li class="card card-module" data-level="practitioner" data-track="advanced" data-skill="data-interpretation" data-workflow="qbr">"#
    ));
    // The levels' own pages are what the links lead to.
    assert!(
        site.read("levels/practitioner/index.html")
            .contains("Review AI drafts")
    );
}
