//! What a visitor finds in a built portal: the pages proficio generates, their
//! links, feeds and static files, and how base URLs, drafts, bundles and theme
//! overrides change them.

mod common;

use std::sync::OnceLock;

use common::{Site, assert_same_tree, default_config, main_of, module, snapshot};
use proficio::BuildReport;

/// A small portal: a home page, a modules section with three modules forming
/// one track, a page bundle and a plain page without front matter.
///
/// The track's learning order (by prerequisites) is intro → middle → zeta,
/// the reverse of both the weight order and the alphabetical order of titles,
/// so a listing in the right order can only come from the prerequisites.
fn learning_files() -> Vec<(&'static str, String)> {
    vec![
        ("site.toml", common::SITE_TOML.to_string()),
        (
            "content/_index.md",
            "---\ntitle: Welcome to the portal\nsummary: Learn to use AI in partner work.\n---\n\nStart with a track below.\n".to_string(),
        ),
        (
            "content/modules/_index.md",
            "---\ntitle: All modules\nsummary: Every module we publish.\n---\n".to_string(),
        ),
        (
            "content/modules/intro.md",
            module(
                "title: Start here\nsummary: The first module.\ndate: 2026-01-05\nweight: 30\nlevel: experimenter\nskills: [prompting]\nworkflows: [qbr]\ntrack: basics\nduration_minutes: 20\ntags: [Quick Wins]",
                "Opening words.\n\n## Plan the work\n\n### Small steps\n\nDo one thing.\n\n## Plan the work\n\nAgain.\n",
            ),
        ),
        (
            "content/modules/middle.md",
            module(
                "title: Build the habit\nsummary: The second module.\ndate: 2026-01-20\nweight: 20\nlevel: practitioner\nskills: [workflow-design]\nworkflows: [onboarding]\ntrack: basics\nprerequisites: [intro]",
                "## Practice\n\nEvery week.\n",
            ),
        ),
        (
            "content/modules/zeta.md",
            module(
                "title: Advanced practice\nsummary: The last module.\ndate: 2026-02-01\nweight: 10\nlevel: practitioner\nskills: [light-automation]\ntrack: basics\nprerequisites: [middle]\ntags: [automation]",
                "## Automate\n\nConnect the tools.\n",
            ),
        ),
        (
            "content/modules/diagrams/index.md",
            module(
                "title: Read the diagram\nsummary: A bundle with a picture.\ndate: 2025-12-01\nlevel: nay-sayer",
                "![The flow](flow.svg)\n",
            ),
        ),
        (
            "content/modules/diagrams/flow.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><title>flow</title></svg>\n".to_string(),
        ),
        (
            "content/about.md",
            "# About this portal\n\nWe help partner managers.\n".to_string(),
        ),
    ]
}

fn learning_site() -> Site {
    let files = learning_files();
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    Site::new(&files)
}

/// The learning site built once, in a folder shared by the tests that only
/// read it, with the report of that build.
fn built_learning_site() -> &'static (Site, BuildReport) {
    static BUILT: OnceLock<(Site, BuildReport)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let files = learning_files();
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let site = Site::shared("learning-site", &files);
        let report = site.build();
        (site, report)
    })
}

fn position(haystack: &str, needle: &str) -> usize {
    haystack
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not found in:\n{haystack}"))
}

fn assert_in_order(haystack: &str, needles: &[&str]) {
    let positions: Vec<usize> = needles.iter().map(|n| position(haystack, n)).collect();
    let mut sorted = positions.clone();
    sorted.sort();
    assert_eq!(
        positions, sorted,
        "expected {needles:?} in this order in:\n{haystack}"
    );
}

// ---------------------------------------------------------------- pages

#[test]
fn home_page_shows_its_title_intro_tracks_and_recent_modules() {
    let (site, _) = built_learning_site();
    let home = site.read("index.html");
    let main = main_of(&home);
    assert!(main.contains("<h1>Welcome to the portal</h1>"), "{main}");
    assert!(
        main.contains("<p class=\"lede\">Learn to use AI in partner work.</p>"),
        "{main}"
    );
    assert!(main.contains("<p>Start with a track below.</p>"), "{main}");
    assert!(
        main.contains("<a href=\"/tracks/basics/\">Basics track</a>"),
        "{main}"
    );
    // Recently updated modules, newest first.
    let recent = &main[position(main, "Recently updated modules")..];
    assert_in_order(
        recent,
        &[
            ">Advanced practice</a>",
            ">Build the habit</a>",
            ">Start here</a>",
            ">Read the diagram</a>",
        ],
    );
}

#[test]
fn section_page_lists_every_module_of_the_section() {
    let (site, _) = built_learning_site();
    let html = site.read("modules/index.html");
    let main = main_of(&html);
    assert!(main.contains("<h1>All modules</h1>"), "{main}");
    assert!(main.contains("4 modules"), "{main}");
    for (url, title) in [
        ("/modules/intro/", "Start here"),
        ("/modules/middle/", "Build the habit"),
        ("/modules/zeta/", "Advanced practice"),
        ("/modules/diagrams/", "Read the diagram"),
    ] {
        assert!(
            main.contains(&format!("<a href=\"{url}\">{title}</a>")),
            "missing {title}:\n{main}"
        );
    }
    assert!(
        !main.contains("About this portal"),
        "pages of other sections are not listed:\n{main}"
    );
}

#[test]
fn module_page_shows_title_facts_and_links_to_its_level_skills_and_workflows() {
    let (site, _) = built_learning_site();
    let html = site.read("modules/intro/index.html");
    assert!(
        html.contains("<title>Start here · Test Portal</title>"),
        "{html}"
    );
    let main = main_of(&html);
    assert!(main.contains("<h1>Start here</h1>"), "{main}");
    assert!(
        main.contains("<p class=\"lede\">The first module.</p>"),
        "{main}"
    );
    assert!(
        main.contains("href=\"/levels/experimenter/\">Experimenter</a>"),
        "{main}"
    );
    assert!(
        main.contains("href=\"/skills/prompting/\">Prompting</a>"),
        "{main}"
    );
    assert!(
        main.contains("href=\"/workflows/qbr/\">Quarterly business reviews</a>"),
        "{main}"
    );
    assert!(
        main.contains("href=\"/tags/quick-wins/\">Quick Wins</a>"),
        "{main}"
    );
    assert!(main.contains("20&nbsp;min"), "duration shown:\n{main}");
    assert!(
        main.contains("<time datetime=\"2026-01-05\">5 January 2026</time>"),
        "{main}"
    );
    assert!(
        main.contains("<a href=\"/modules/\">All modules</a>"),
        "section link:\n{main}"
    );
}

#[test]
fn module_page_has_a_table_of_contents_and_unique_heading_anchors() {
    let (site, _) = built_learning_site();
    let main_html = site.read("modules/intro/index.html");
    let main = main_of(&main_html);
    let toc_start = position(main, "<nav class=\"toc\"");
    let toc = &main[toc_start..toc_start + position(&main[toc_start..], "</nav>")];
    assert_in_order(
        toc,
        &[
            "<a href=\"#plan-the-work\">Plan the work</a>",
            "<a href=\"#small-steps\">Small steps</a>",
            "<a href=\"#plan-the-work-1\">Plan the work</a>",
        ],
    );
    assert!(
        main.contains(
            "<h2 id=\"plan-the-work\">Plan the work <a class=\"anchor\" href=\"#plan-the-work\""
        ),
        "{main}"
    );
    assert!(
        main.contains(
            "<h3 id=\"small-steps\">Small steps <a class=\"anchor\" href=\"#small-steps\""
        ),
        "{main}"
    );
    assert!(
        main.contains("<h2 id=\"plan-the-work-1\">Plan the work <a class=\"anchor\""),
        "a repeated heading gets its own id:\n{main}"
    );
}

#[test]
fn plain_page_without_front_matter_takes_its_title_from_its_heading_once() {
    let (site, _) = built_learning_site();
    let html = site.read("about/index.html");
    assert!(
        html.contains("<title>About this portal · Test Portal</title>"),
        "{html}"
    );
    let main = main_of(&html);
    assert_eq!(
        main.matches("About this portal").count(),
        1,
        "the heading becomes the title and is not repeated in the body:\n{main}"
    );
    assert!(main.contains("<h1>About this portal</h1>"), "{main}");
    assert!(main.contains("<p>We help partner managers.</p>"), "{main}");
}

#[test]
fn track_page_lists_its_modules_in_prerequisite_order() {
    let (site, _) = built_learning_site();
    let html = site.read("tracks/basics/index.html");
    let main = main_of(&html);
    assert!(main.contains("<h1>Basics track</h1>"), "{main}");
    assert!(main.contains("The first steps."), "{main}");
    assert_in_order(
        main,
        &[
            "<a href=\"/modules/intro/\">Start here</a>",
            "<a href=\"/modules/middle/\">Build the habit</a>",
            "<a href=\"/modules/zeta/\">Advanced practice</a>",
        ],
    );
    assert!(
        !main.contains("Read the diagram"),
        "a module outside the track is not listed:\n{main}"
    );
    let tracks = site.read("tracks/index.html");
    assert!(
        main_of(&tracks).contains("<a href=\"/tracks/basics/\">Basics track</a>"),
        "{tracks}"
    );
}

#[test]
fn module_pages_link_to_the_previous_and_next_module_of_their_track() {
    let (site, _) = built_learning_site();

    let first = site.read("modules/intro/index.html");
    let first_nav = &first[position(&first, "<nav class=\"track-nav\"")..];
    assert!(first_nav.contains("Module 1 of 3"), "{first_nav}");
    assert!(!first_nav.contains("rel=\"prev\""), "{first_nav}");
    assert!(
        first_nav.contains("<a href=\"/modules/middle/\" rel=\"next\">"),
        "{first_nav}"
    );

    let middle = site.read("modules/middle/index.html");
    let nav = &middle[position(&middle, "<nav class=\"track-nav\"")..];
    assert!(nav.contains("Module 2 of 3"), "{nav}");
    assert!(
        nav.contains(
            "<a href=\"/modules/intro/\" rel=\"prev\"><span class=\"pager-dir\">Previous</span> <span class=\"pager-title\">Start here</span></a>"
        ),
        "{nav}"
    );
    assert!(
        nav.contains(
            "<a href=\"/modules/zeta/\" rel=\"next\"><span class=\"pager-dir\">Next</span> <span class=\"pager-title\">Advanced practice</span></a>"
        ),
        "{nav}"
    );

    let last = site.read("modules/zeta/index.html");
    let last_nav = &last[position(&last, "<nav class=\"track-nav\"")..];
    assert!(last_nav.contains("Module 3 of 3"), "{last_nav}");
    assert!(!last_nav.contains("rel=\"next\""), "{last_nav}");
    assert!(last_nav.contains("End of track"), "{last_nav}");

    // The prerequisite is listed before the module body.
    assert!(
        main_of(&middle).contains("<li><a href=\"/modules/intro/\">Start here</a></li>"),
        "{middle}"
    );
}

#[test]
fn taxonomy_term_pages_list_the_pages_filed_under_each_term() {
    let (site, _) = built_learning_site();
    let cases = [
        ("skills/prompting/index.html", "Prompting", "Start here"),
        (
            "workflows/onboarding/index.html",
            "Partner onboarding and enablement",
            "Build the habit",
        ),
        (
            "levels/practitioner/index.html",
            "Practitioner",
            "Advanced practice",
        ),
        ("tags/quick-wins/index.html", "Quick Wins", "Start here"),
        (
            "tags/automation/index.html",
            "automation",
            "Advanced practice",
        ),
    ];
    for (file, term, listed) in cases {
        let html = site.read(file);
        let main = main_of(&html);
        assert!(
            main.contains(&format!("<h1>{term}</h1>")),
            "{file}:\n{main}"
        );
        assert!(
            main.contains(&format!(">{listed}</a>")),
            "{file} lists {listed}:\n{main}"
        );
    }
    let practitioner = site.read("levels/practitioner/index.html");
    let main = main_of(&practitioner);
    assert!(main.contains("2 modules"), "{main}");
    assert!(main.contains(">Build the habit</a>"), "{main}");
    assert!(
        !main.contains("Start here"),
        "a module of another level is not listed:\n{main}"
    );
}

#[test]
fn taxonomy_list_pages_link_every_term() {
    let (site, _) = built_learning_site();
    // Every term of the default catalogue, whether a module uses it or not.
    let catalogue = default_config();
    for (list, terms) in [
        ("skills", catalogue.skills),
        ("workflows", catalogue.workflows),
    ] {
        let page = site.read(&format!("{list}/index.html"));
        for term in terms {
            let (id, title) = (term.id, term.title);
            assert!(
                main_of(&page).contains(&format!("<a href=\"/{list}/{id}/\">{title}</a>")),
                "{page}"
            );
        }
    }
    let levels = site.read("levels/index.html");
    assert_in_order(
        main_of(&levels),
        &[
            "<a href=\"/levels/nay-sayer/\">Nay-sayer</a>",
            "<a href=\"/levels/experimenter/\">Experimenter</a>",
            "<a href=\"/levels/practitioner/\">Practitioner</a>",
        ],
    );
    let tags = site.read("tags/index.html");
    assert!(
        main_of(&tags).contains("<a class=\"chip chip-tag\" href=\"/tags/quick-wins/\">Quick Wins"),
        "{tags}"
    );
    // Every page's navigation reaches the lists.
    let home = site.read("index.html");
    for list in ["/skills/", "/workflows/", "/levels/", "/tags/", "/tracks/"] {
        assert!(home.contains(&format!("<a href=\"{list}\"")), "{list}");
    }
}

#[test]
fn not_found_page_is_written_and_kept_out_of_search_engines() {
    let (site, _) = built_learning_site();
    let html = site.read("404.html");
    assert!(html.contains("<h1>Page not found</h1>"), "{html}");
    assert!(
        html.contains("<meta name=\"robots\" content=\"noindex\">"),
        "{html}"
    );
    assert!(html.contains("<a href=\"/modules/\">"), "{html}");
}

#[test]
fn sitemap_lists_every_page_by_absolute_url() {
    let (site, _) = built_learning_site();
    let xml = site.read("sitemap.xml");
    assert!(
        xml.contains("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"),
        "{xml}"
    );
    for path in [
        "",
        "about/",
        "modules/",
        "modules/intro/",
        "modules/diagrams/",
        "tracks/basics/",
        "skills/prompting/",
        "tags/quick-wins/",
    ] {
        assert!(
            xml.contains(&format!("<loc>https://example.com/{path}</loc>")),
            "{path}:\n{xml}"
        );
    }
    assert!(
        xml.contains(
            "<loc>https://example.com/modules/intro/</loc>\n    <lastmod>2026-01-05</lastmod>"
        ),
        "{xml}"
    );
    assert!(
        !xml.contains("404"),
        "the not-found page is not listed:\n{xml}"
    );
    assert!(
        !xml.contains("<loc>/"),
        "no relative URL in the sitemap:\n{xml}"
    );
}

#[test]
fn atom_feed_has_one_entry_per_module_newest_first_with_absolute_urls() {
    let (site, _) = built_learning_site();
    let xml = site.read("atom.xml");
    assert!(
        xml.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""),
        "{xml}"
    );
    assert!(xml.contains("<title>Test Portal</title>"), "{xml}");
    assert!(
        xml.contains("<link rel=\"self\" type=\"application/atom+xml\" href=\"https://example.com/atom.xml\"/>"),
        "{xml}"
    );
    assert!(
        xml.contains("<updated>2026-02-01T00:00:00Z</updated>\n  <author>"),
        "the feed is as new as its newest entry:\n{xml}"
    );
    assert_eq!(xml.matches("<entry>").count(), 4, "{xml}");
    assert_in_order(
        &xml,
        &[
            "<id>https://example.com/modules/zeta/</id>",
            "<id>https://example.com/modules/middle/</id>",
            "<id>https://example.com/modules/intro/</id>",
            "<id>https://example.com/modules/diagrams/</id>",
        ],
    );
    assert!(
        xml.contains("<link rel=\"alternate\" type=\"text/html\" href=\"https://example.com/modules/zeta/\"/>"),
        "{xml}"
    );
    assert!(xml.contains("<summary>The last module.</summary>"), "{xml}");
    assert!(
        xml.contains("&lt;p&gt;Connect the tools.&lt;/p&gt;"),
        "entry content is escaped HTML:\n{xml}"
    );
    assert!(
        !xml.contains("About this portal"),
        "plain pages are not in the feed"
    );
}

#[test]
fn robots_txt_points_at_the_sitemap() {
    let (site, _) = built_learning_site();
    let robots = site.read("robots.txt");
    assert!(robots.contains("User-agent: *"), "{robots}");
    assert!(
        robots.contains("Sitemap: https://example.com/sitemap.xml"),
        "{robots}"
    );
}

#[test]
fn theme_static_files_and_the_code_stylesheet_are_written() {
    let (site, _) = built_learning_site();
    assert!(!site.read("style.css").trim().is_empty());
    assert!(site.read("favicon.svg").contains("<svg"));
    let css = site.read("highlight.css");
    assert!(css.contains("code .t1 { color: #"), "{css}");
    assert!(
        css.contains("@media screen and (prefers-color-scheme: dark)"),
        "{css}"
    );
    assert!(
        css.contains("@media not (prefers-color-scheme: dark), print"),
        "{css}"
    );
    let home = site.read("index.html");
    assert!(home.contains("<link rel=\"stylesheet\" href=\"/style.css\">"));
    assert!(home.contains("<link rel=\"stylesheet\" href=\"/highlight.css\">"));
    assert!(home.contains("<link rel=\"icon\" href=\"/favicon.svg\""));
}

// ---------------------------------------------------------------- bundles

#[test]
fn page_bundle_files_are_copied_beside_their_page() {
    let (site, _) = built_learning_site();
    assert_eq!(
        site.read("modules/diagrams/flow.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><title>flow</title></svg>\n"
    );
    let html = site.read("modules/diagrams/index.html");
    assert!(
        html.contains("<img src=\"flow.svg\" alt=\"The flow\""),
        "{html}"
    );
}

#[test]
fn slug_renames_the_url_and_the_bundle_files_follow_the_page() {
    let site = learning_site();
    site.write(
        "content/modules/diagrams/index.md",
        &module(
            "title: Read the diagram\nslug: reading-diagrams",
            "![The flow](flow.svg)\n",
        ),
    );
    site.write(
        "content/about.md",
        "# About this portal\n\nSee [the diagram](@/modules/diagrams/index.md).\n",
    );
    site.build();
    let html = site.read("modules/reading-diagrams/index.html");
    assert!(html.contains("<h1>Read the diagram</h1>"), "{html}");
    assert!(html.contains("<img src=\"flow.svg\""), "{html}");
    assert!(site.built("modules/reading-diagrams/flow.svg"));
    assert!(
        !site.output().join("modules/diagrams").exists(),
        "nothing is left at the old URL"
    );
    assert!(
        site.read("about/index.html")
            .contains("<a href=\"/modules/reading-diagrams/\">the diagram</a>"),
        "links follow the slug"
    );
    assert!(
        site.read("sitemap.xml")
            .contains("<loc>https://example.com/modules/reading-diagrams/</loc>")
    );
}

// A draft bundle's files are as unpublished as its page.
#[test]
fn files_of_a_draft_bundle_are_not_published() {
    let site = learning_site();
    site.write(
        "content/modules/diagrams/index.md",
        &module(
            "title: Read the diagram\ndraft: true",
            "![The flow](flow.svg)\n",
        ),
    );
    site.build();
    assert!(!site.built("modules/diagrams/index.html"));
    assert!(
        !site.built("modules/diagrams/flow.svg"),
        "a draft bundle's files must not be published without its page"
    );
}

// ---------------------------------------------------------------- base URL

#[test]
fn a_base_url_with_a_sub_path_prefixes_every_link() {
    let site = learning_site();
    site.write(
        "site.toml",
        &common::SITE_TOML.replace("https://example.com/", "https://example.com/portal/"),
    );
    site.write(
        "content/about.md",
        "# About this portal\n\nStart with [the intro](@/modules/intro.md#plan-the-work).\n",
    );
    site.build();
    let home = site.read("index.html");
    for fragment in [
        "<link rel=\"stylesheet\" href=\"/portal/style.css\">",
        "<link rel=\"stylesheet\" href=\"/portal/highlight.css\">",
        "<link rel=\"icon\" href=\"/portal/favicon.svg\"",
        "<a href=\"/portal/modules/\">All modules</a>",
        "<a href=\"/portal/\" aria-current=\"page\">Home</a>",
        "<a href=\"/portal/tracks/basics/\">Basics track</a>",
        "<link rel=\"canonical\" href=\"https://example.com/portal/\">",
    ] {
        assert!(home.contains(fragment), "{fragment}:\n{home}");
    }
    let about = site.read("about/index.html");
    assert!(
        about.contains("<a href=\"/portal/modules/intro/#plan-the-work\">the intro</a>"),
        "{about}"
    );
    let module_page = site.read("modules/middle/index.html");
    assert!(
        module_page.contains("href=\"/portal/skills/workflow-design/\""),
        "{module_page}"
    );
    assert!(
        module_page.contains("<a href=\"/portal/modules/intro/\" rel=\"prev\">"),
        "{module_page}"
    );
    for file in [
        "index.html",
        "about/index.html",
        "modules/middle/index.html",
    ] {
        let html = site.read(file);
        assert!(
            !html.contains("href=\"/modules/") && !html.contains("href=\"/style.css"),
            "{file} has a link outside /portal/:\n{html}"
        );
    }
    let sitemap = site.read("sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://example.com/portal/modules/intro/</loc>"),
        "{sitemap}"
    );
    assert!(
        !sitemap.contains("<loc>https://example.com/modules/"),
        "{sitemap}"
    );
    assert!(
        site.read("robots.txt")
            .contains("Sitemap: https://example.com/portal/sitemap.xml")
    );
    assert!(
        site.read("atom.xml")
            .contains("<id>https://example.com/portal/modules/intro/</id>")
    );
}

#[test]
fn the_base_url_option_replaces_the_one_in_site_toml() {
    let site = learning_site();
    let mut options = site.options();
    options.base_url = Some("https://learn.example.org/partners".to_string());
    site.build_with(&options);
    let home = site.read("index.html");
    assert!(
        home.contains("<link rel=\"stylesheet\" href=\"/partners/style.css\">"),
        "{home}"
    );
    assert!(
        home.contains("<a href=\"/partners/modules/\">All modules</a>"),
        "{home}"
    );
    let sitemap = site.read("sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://learn.example.org/partners/modules/intro/</loc>"),
        "{sitemap}"
    );
    assert!(!sitemap.contains("https://example.com/"), "{sitemap}");
}

#[test]
fn a_base_url_option_that_is_not_an_absolute_url_is_refused() {
    let site = learning_site();
    let mut options = site.options();
    options.base_url = Some("portal/".to_string());
    match site.try_build_with(&options) {
        Err(proficio::Error::Refused(reason)) => {
            assert!(reason.contains("--base-url"), "{reason}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(!site.output().exists());
}

// ---------------------------------------------------------------- drafts

fn site_with_draft() -> Site {
    let site = learning_site();
    site.write(
        "content/modules/unfinished.md",
        &module(
            "title: Work in progress\ndraft: true\ndate: 2026-03-01\nskills: [prompting]\ntags: [secret-plans]",
            "Not ready.\n",
        ),
    );
    site
}

#[test]
fn drafts_are_left_out_by_default() {
    let site = site_with_draft();
    site.build();
    assert!(!site.built("modules/unfinished/index.html"));
    assert!(!site.built("tags/secret-plans/index.html"));
    for file in [
        "modules/index.html",
        "index.html",
        "skills/prompting/index.html",
        "sitemap.xml",
        "atom.xml",
    ] {
        let text = site.read(file);
        assert!(
            !text.contains("Work in progress") && !text.contains("unfinished"),
            "{file} mentions the draft:\n{text}"
        );
    }
}

#[test]
fn drafts_are_built_when_asked_for() {
    let site = site_with_draft();
    let mut options = site.options();
    options.drafts = true;
    site.build_with(&options);
    let html = site.read("modules/unfinished/index.html");
    assert!(html.contains("<h1>Work in progress</h1>"), "{html}");
    assert!(
        site.read("modules/index.html")
            .contains("<a href=\"/modules/unfinished/\">Work in progress</a>")
    );
    assert!(site.built("tags/secret-plans/index.html"));
    assert!(
        site.read("atom.xml")
            .contains("<id>https://example.com/modules/unfinished/</id>")
    );
}

// ---------------------------------------------------------------- determinism

#[test]
fn building_the_same_site_twice_gives_byte_identical_output() {
    let site = learning_site();
    site.write(
        "content/modules/intro.md",
        &module(
            "title: Start here\ntrack: basics\nskills: [prompting, output-validation]\ntags: [b, a, c]",
            "## One\n\n```rust\nfn main() {}\n```\n\n## Two\n\n[next](middle.md)\n",
        ),
    );
    site.build();
    let first = site.snapshot();
    site.build();
    let second = site.snapshot();
    assert!(first.len() > 20, "the site has many files: {}", first.len());
    assert_same_tree(&first, &second);

    // An identical copy of the site in another folder builds to the same bytes.
    let copy = common::Site::new(&[]);
    for (name, bytes) in snapshot_of_inputs(&site) {
        copy.write_bytes(&name, &bytes);
    }
    copy.build();
    assert_same_tree(&first, &copy.snapshot());
}

fn snapshot_of_inputs(site: &Site) -> Vec<(String, Vec<u8>)> {
    let mut inputs: Vec<(String, Vec<u8>)> = snapshot(&site.path("content"))
        .into_iter()
        .map(|(name, bytes)| (format!("content/{name}"), bytes))
        .collect();
    inputs.push((
        "site.toml".to_string(),
        std::fs::read(site.path("site.toml")).expect("site.toml"),
    ));
    inputs
}

// ---------------------------------------------------------------- themes

#[test]
fn a_site_template_replaces_only_the_built_in_template_of_that_name() {
    let site = learning_site();
    site.write(
        "templates/module.html",
        "{% extends \"base.html\" %}\n{% block main %}<section class=\"custom-module\"><h1>Module: {{ page.title }}</h1>{{ page.content | safe }}</section>{% endblock main %}\n",
    );
    site.build();
    let module_page = site.read("modules/middle/index.html");
    assert!(
        module_page.contains("<section class=\"custom-module\"><h1>Module: Build the habit</h1>"),
        "{module_page}"
    );
    assert!(
        !module_page.contains("<article class=\"doc module\">"),
        "{module_page}"
    );
    assert!(
        module_page.contains("<header class=\"site-header\">"),
        "the built-in base template still wraps the page"
    );
    let plain = site.read("about/index.html");
    assert!(
        plain.contains("<article class=\"doc page\">"),
        "other templates stay built in:\n{plain}"
    );
}

#[test]
fn a_selected_theme_overrides_single_files_of_the_default_theme() {
    let site = learning_site();
    site.write(
        "site.toml",
        &common::SITE_TOML.replace(
            "base_url = \"https://example.com/\"",
            "base_url = \"https://example.com/\"\ntheme = \"custom\"",
        ),
    );
    site.write(
        "themes/custom/templates/page.html",
        "{% extends \"base.html\" %}\n{% block main %}<div class=\"custom-page\">{{ page.title }}</div>{% endblock main %}\n",
    );
    site.write(
        "themes/custom/static/brand.css",
        ".brand { color: teal; }\n",
    );
    site.build();
    let plain = site.read("about/index.html");
    assert!(
        plain.contains("<div class=\"custom-page\">About this portal</div>"),
        "{plain}"
    );
    let module_page = site.read("modules/intro/index.html");
    assert!(
        module_page.contains("<article class=\"doc module\">"),
        "templates the theme does not have come from the default theme"
    );
    assert_eq!(site.read("brand.css"), ".brand { color: teal; }\n");
    assert!(
        site.built("style.css"),
        "default static files are still there"
    );
}

// ---------------------------------------------------------------- markdown

fn markdown_site(body: &str) -> Site {
    Site::with_config(&[
        ("content/modules/demo.md", &module("title: Demo", body)),
        (
            "content/modules/target.md",
            &module("title: Target module", "## Measure it\n\nText.\n"),
        ),
        ("content/guides/setup.md", "# Setup guide\n\nSteps.\n"),
    ])
}

fn demo_body(site: &Site) -> String {
    site.build();
    let html = site.read("modules/demo/index.html");
    let start = position(&html, "<div class=\"doc-body prose\">");
    let end = start + position(&html[start..], "</article>");
    html[start..end].to_string()
}

#[test]
fn fenced_code_in_a_known_language_is_highlighted() {
    let site = markdown_site("```python\ndef greet(name):\n    return name\n```\n");
    let body = demo_body(&site);
    assert!(
        body.contains(
            "<pre class=\"code\" tabindex=\"0\"><code class=\"language-python\"><span class=\"t"
        ),
        "{body}"
    );
    assert!(body.contains(">def</span>"), "{body}");
    assert!(body.contains(">return</span>"), "{body}");
}

#[test]
fn code_in_an_unknown_language_is_shown_escaped_and_plain() {
    let site = markdown_site("```partnerscript\n<b>if</b> x && y\n```\n");
    let body = demo_body(&site);
    assert!(
        body.contains(
            "<code class=\"language-partnerscript\">&lt;b&gt;if&lt;/b&gt; x &amp;&amp; y\n</code>"
        ),
        "{body}"
    );
    assert!(!body.contains("<span class=\"t"), "{body}");
}

#[test]
fn alerts_become_callouts() {
    let site = markdown_site(
        "> [!TIP]\n> Keep prompts short.\n\n> [!WARNING]\n> Never paste customer data.\n",
    );
    let body = demo_body(&site);
    assert!(
        body.contains("<div class=\"callout callout-tip\">\n<p class=\"callout-title\">Tip</p>\n<p>Keep prompts short.</p>\n</div>"),
        "{body}"
    );
    assert!(
        body.contains("<div class=\"callout callout-warning\">"),
        "{body}"
    );
    assert!(!body.contains("[!TIP]"), "{body}");
}

#[test]
fn tables_task_lists_footnotes_and_strikethrough_render() {
    let site = markdown_site(
        "| Step | Owner |\n|---|---|\n| Draft | Ana |\n\n- [x] Notes taken\n- [ ] Follow-up sent\n\n~~Old advice~~ replaced.[^why]\n\n[^why]: It was wrong.\n",
    );
    let body = demo_body(&site);
    assert!(
        body.contains("<table><thead><tr><th>Step</th><th>Owner</th></tr></thead>"),
        "{body}"
    );
    assert!(body.contains("<td>Draft</td><td>Ana</td>"), "{body}");
    assert!(
        body.contains("<input disabled=\"\" type=\"checkbox\" checked=\"\"/>\nNotes taken"),
        "{body}"
    );
    assert!(
        body.contains("<input disabled=\"\" type=\"checkbox\"/>\nFollow-up sent"),
        "{body}"
    );
    assert!(body.contains("<del>Old advice</del>"), "{body}");
    assert!(body.contains("class=\"footnote-reference\""), "{body}");
    assert!(body.contains("class=\"footnote-definition\""), "{body}");
    assert!(body.contains("It was wrong."), "{body}");
}

#[test]
fn links_to_content_by_source_path_become_final_urls() {
    let site = markdown_site(
        "See [the target](@/modules/target.md#measure-it), [its neighbour](target.md), [the guide](../guides/setup.md) and [the web](https://example.org/page.md).\n",
    );
    let body = demo_body(&site);
    assert!(
        body.contains("<a href=\"/modules/target/#measure-it\">the target</a>"),
        "{body}"
    );
    assert!(
        body.contains("<a href=\"/modules/target/\">its neighbour</a>"),
        "{body}"
    );
    assert!(
        body.contains("<a href=\"/guides/setup/\">the guide</a>"),
        "{body}"
    );
    assert!(
        body.contains("<a href=\"https://example.org/page.md\">the web</a>"),
        "{body}"
    );
}

// `{#id}` sets the heading's id; it is not part of the title.
#[test]
fn a_title_taken_from_a_heading_leaves_out_its_id_attribute() {
    let site = Site::with_config(&[("content/about.md", "# About us {#about}\n\nWho we are.\n")]);
    site.build();
    let html = site.read("about/index.html");
    assert!(
        html.contains("<title>About us · Test Portal</title>"),
        "{html}"
    );
    assert!(main_of(&html).contains("<h1>About us</h1>"), "{html}");
}

// A plain page `modules/demo.md` is published at `/modules/demo/`, one folder
// deeper than its source, while files beside it keep their place
// (`/modules/worksheet.pdf`): both images and links must step out.
#[test]
fn a_link_to_a_file_beside_a_plain_page_reaches_the_copied_file() {
    let site = markdown_site("![Chart](chart.svg) and [the worksheet](worksheet.pdf).\n");
    site.write("content/modules/chart.svg", "<svg/>\n");
    site.write("content/modules/worksheet.pdf", "%PDF-1.4\n");
    let body = demo_body(&site);
    assert!(site.built("modules/chart.svg"));
    assert!(site.built("modules/worksheet.pdf"));
    assert!(body.contains("<img src=\"../chart.svg\""), "{body}");
    assert!(
        body.contains("<a href=\"../worksheet.pdf\">the worksheet</a>"),
        "the link must lead where the file is published:\n{body}"
    );
}

#[test]
fn built_files_never_mention_the_folder_the_site_was_built_in() {
    let (site, _) = built_learning_site();
    let root = site.root().to_string_lossy().into_owned();
    for (name, bytes) in snapshot(&site.output()) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&root), "{name} mentions the site's folder");
    }
}

#[test]
fn the_build_report_lists_every_page_with_its_template() {
    let (site, report) = built_learning_site();
    let find = |output: &str| {
        report
            .pages
            .iter()
            .find(|p| p.output == output)
            .unwrap_or_else(|| panic!("{output} not in the report"))
    };
    assert_eq!(find("modules/intro/index.html").template, "module.html");
    assert_eq!(find("about/index.html").template, "page.html");
    assert_eq!(find("tracks/basics/index.html").template, "track.html");
    assert!(
        site.read("modules/middle/index.html")
            .contains("modules/intro/"),
        "a module page links to its prerequisite"
    );
    assert_eq!(report.output_dir, site.output());
    assert!(report.pages.iter().all(|p| site.built(&p.output)));
}

#[test]
fn module_in_a_track_with_modules_from_elsewhere_lists_them_before_the_path() {
    let site = learning_site();
    site.write(
        "content/modules/middle.md",
        &module(
            "title: Build the habit\ntrack: basics\nprerequisites: [intro, diagrams]",
            "Body.\n",
        ),
    );
    site.build();
    let track = site.read("tracks/basics/index.html");
    let main = main_of(&track);
    assert!(main.contains("Before you start"), "{main}");
    assert_in_order(
        main,
        &[
            "<li><a href=\"/modules/diagrams/\">Read the diagram</a></li>",
            "Learning path",
        ],
    );
}

// ---------------------------------------------------------------- content rules

#[test]
fn a_catalogue_in_site_toml_replaces_the_default_one() {
    let site = Site::new(&[
        (
            "site.toml",
            "title = \"Test Portal\"\nbase_url = \"https://example.com/\"\n\n[[skills]]\nid = \"negotiation\"\ntitle = \"Negotiation\"\ndescription = \"Agreeing terms with partners.\"\n",
        ),
        (
            "content/modules/terms.md",
            &module("title: Agree the terms\nskills: [negotiation]", "Text.\n"),
        ),
    ]);
    site.build();
    let term = site.read("skills/negotiation/index.html");
    assert!(main_of(&term).contains("<h1>Negotiation</h1>"), "{term}");
    assert!(
        main_of(&term).contains("Agreeing terms with partners."),
        "{term}"
    );
    assert!(main_of(&term).contains(">Agree the terms</a>"), "{term}");
    assert!(
        !site.output().join("skills/prompting").exists(),
        "the default skills are gone"
    );
    assert!(
        site.built("workflows/qbr/index.html"),
        "catalogues not given keep their defaults"
    );
}

#[test]
fn a_folder_without_an_index_page_still_gets_a_section_page_named_after_it() {
    let site = Site::with_config(&[
        (
            "content/partner-guides/setup.md",
            "# Setup guide\n\nSteps.\n",
        ),
        ("content/partner-guides/faq.md", "# Questions\n\nAnswers.\n"),
    ]);
    site.build();
    let html = site.read("partner-guides/index.html");
    let main = main_of(&html);
    assert!(main.contains("<h1>Partner guides</h1>"), "{main}");
    assert!(
        main.contains("<a href=\"/partner-guides/setup/\">Setup guide</a>"),
        "{main}"
    );
    assert!(
        main.contains("<a href=\"/partner-guides/faq/\">Questions</a>"),
        "{main}"
    );
    assert!(
        site.read("index.html")
            .contains("<a href=\"/partner-guides/\">Partner guides</a>"),
        "top-level sections are in the navigation"
    );
}

#[test]
fn data_files_hidden_files_and_editor_leftovers_are_not_published() {
    let site = Site::with_config(&[
        ("content/about.md", "# About\n\nText.\n"),
        ("content/data/partners.yaml", "- name: Contoso\n"),
        ("content/data/targets.yml", "q1: 10\n"),
        ("content/.notes.md", "# Secret notes\n"),
        ("content/about.md~", "# Old about\n"),
        ("content/#about.md#", "# Autosave\n"),
        ("content/.about.md.swp", "swap"),
        ("content/handout.txt", "Bring a laptop.\n"),
    ]);
    site.build();
    let files = site.snapshot();
    let names: Vec<&String> = files.keys().collect();
    for unwanted in ["yaml", "yml", "notes", "~", "#", "swp"] {
        assert!(
            names.iter().all(|n| !n.contains(unwanted)),
            "{unwanted} published: {names:?}"
        );
    }
    assert_eq!(site.read("handout.txt"), "Bring a laptop.\n");
    let sitemap = site.read("sitemap.xml");
    assert!(!sitemap.contains("notes"), "{sitemap}");
}
