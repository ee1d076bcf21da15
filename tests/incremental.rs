//! Rendering again after edits, as the live preview does: through the page
//! cache (`build::render` reusing unchanged pages) and through
//! `incremental::render_changes` (an edit that only rewrites a page's prose
//! renders only the pages that show it, an edit to one partner file only
//! that partner's scorecard and the pages adding up all partners, anything
//! else runs the whole pipeline). Whichever way it goes, the files equal a
//! fresh full render byte for byte.

mod common;

use common::rendered::{files_of, page};
use common::{Site, module};
use proficio::BuildOptions;
use proficio::base::audience::Audience;
use proficio::build::incremental::render_changes;
use proficio::build::output::Contents;
use proficio::build::{PageCache, RenderedSite, render};

fn fixture() -> Site {
    Site::with_config(&[
        (
            "content/modules/_index.md",
            "---\ntitle: Modules\n---\nThe introduction to every module.\n",
        ),
        (
            "content/modules/first.md",
            &module_text("The original first text."),
        ),
        (
            "content/modules/second.md",
            &module(
                "title: Second module\nlevel: practitioner\ntrack: basics\nprerequisites: [first]\ndate: 2026-02-05",
                "## Next\n\nSecond body.\n",
            ),
        ),
        ("content/about.md", "# About\n\nWho we are.\n"),
    ])
}

/// What the first render of `site` keeps for the next one.
fn first_render(site: &Site) -> PageCache {
    let first = render(&site.options(), &PageCache::default()).expect("first render");
    assert_pages_are_kept_without_spare_room(&first);
    first.cache
}

/// The preview holds every page it serves: a page buffer with room to grow
/// would make it hold up to twice the site.
fn assert_pages_are_kept_without_spare_room(site: &RenderedSite) {
    let pages: std::collections::HashSet<&str> =
        site.pages.iter().map(|page| page.output.as_str()).collect();
    for file in site
        .files
        .iter()
        .filter(|file| pages.contains(file.path.as_str()))
    {
        if let Contents::Bytes(bytes) = &file.contents {
            assert_eq!(
                bytes.capacity(),
                bytes.len(),
                "{} has spare room",
                file.path
            );
        }
    }
}

/// Renders after `changed` and checks the result against a fresh render.
fn render_after(site: &Site, cache: &mut PageCache, changed: &[&str]) -> RenderedSite {
    render_after_with(&site.options(), cache, changed)
}

/// [`render_after`] with `options`: the files and the list of pages with
/// their templates equal a fresh render's.
fn render_after_with(
    options: &BuildOptions,
    cache: &mut PageCache,
    changed: &[&str],
) -> RenderedSite {
    let again = render_changes(options, cache, changed).expect("renders after the edit");
    let full = render(options, &PageCache::default()).expect("full render");
    assert_eq!(
        files_of(&again),
        files_of(&full),
        "differs from a full render"
    );
    assert_eq!(again.pages, full.pages, "the list of pages differs");
    assert_eq!(again.notes, full.notes, "the notes differ");
    assert_pages_are_kept_without_spare_room(&again);
    again
}

#[test]
fn a_prose_edit_renders_only_the_page_and_the_feed() {
    let site = fixture();
    let mut cache = first_render(&site);
    site.write(
        "content/modules/second.md",
        &module(
            "title: Second module\nlevel: practitioner\ntrack: basics\nprerequisites: [first]\ndate: 2026-02-05",
            "## Next\n\nSecond body, now longer.\n\n## A new part\n\nWith its own words.\n",
        ),
    );
    let again = render_after(&site, &mut cache, &["content/modules/second.md"]);
    assert_eq!(again.pages_rendered, 2, "the module page and the feed");
    let files = files_of(&again);
    let html = page(&files, "modules/second/index.html");
    assert!(html.contains("With its own words."));
    assert!(
        html.contains("href=\"#a-new-part\""),
        "the new heading is in the contents"
    );
    assert!(page(&files, "atom.xml").contains("With its own words."));
    // The next edit builds on this one's kept inputs.
    let mut cache = again.cache;
    site.write(
        "content/modules/first.md",
        &module_text("The first text, edited."),
    );
    let again = render_after(&site, &mut cache, &["content/modules/first.md"]);
    assert_eq!(again.pages_rendered, 2);
}

#[test]
fn a_section_introduction_edit_renders_its_section_page() {
    let site = fixture();
    let mut cache = first_render(&site);
    site.write(
        "content/modules/_index.md",
        "---\ntitle: Modules\n---\nA rewritten introduction.\n",
    );
    let again = render_after(&site, &mut cache, &["content/modules/_index.md"]);
    assert_eq!(again.pages_rendered, 1);
    assert!(page(&files_of(&again), "modules/index.html").contains("A rewritten introduction."));
}

#[test]
fn a_front_matter_edit_runs_the_whole_pipeline() {
    let site = fixture();
    let mut cache = first_render(&site);
    site.write(
        "content/modules/second.md",
        &module(
            "title: Second module, renamed\nlevel: practitioner\ntrack: basics\nprerequisites: [first]\ndate: 2026-02-05",
            "## Next\n\nSecond body.\n",
        ),
    );
    let again = render_after(&site, &mut cache, &["content/modules/second.md"]);
    // The title shows in the first module's track navigation, the section,
    // the track, the taxonomies and the feed.
    assert!(again.pages_rendered > 2, "{}", again.pages_rendered);
    assert!(page(&files_of(&again), "modules/first/index.html").contains("Second module, renamed"));
}

#[test]
fn a_prose_edit_that_breaks_a_link_is_reported_and_its_fix_recovers() {
    let site = fixture();
    let mut cache = first_render(&site);
    let front = "title: Second module\nlevel: practitioner\ntrack: basics\nprerequisites: [first]\ndate: 2026-02-05";
    site.write(
        "content/modules/second.md",
        &module(front, "## Next\n\nSee [gone](@/modules/gone.md).\n"),
    );
    let error = render_changes(&site.options(), &mut cache, &["content/modules/second.md"])
        .err()
        .expect("a dead link fails the render");
    let problem = &error.diagnostics()[0];
    assert!(problem.file.ends_with("content/modules/second.md"));
    assert!(
        problem.message.contains("modules/gone.md"),
        "{}",
        problem.message
    );
    site.write(
        "content/modules/second.md",
        &module(front, "## Next\n\nSee [first](@/modules/first.md).\n"),
    );
    let again = render_after(&site, &mut cache, &["content/modules/second.md"]);
    assert!(page(&files_of(&again), "modules/second/index.html").contains("/modules/first/"));
}

#[test]
fn a_prose_edit_past_the_size_limit_is_refused_like_in_a_build_and_its_fix_recovers() {
    let site = fixture();
    site.write(
        "site.toml",
        &format!(
            "{}\n[limits]\nmax_markdown_bytes = 2000\n",
            common::SITE_TOML
        ),
    );
    let mut cache = first_render(&site);
    let front = "title: Second module\nlevel: practitioner\ntrack: basics\nprerequisites: [first]\ndate: 2026-02-05";
    let long = "Words. ".repeat(400);
    site.write("content/modules/second.md", &module(front, &long));
    let error = render_changes(&site.options(), &mut cache, &["content/modules/second.md"])
        .err()
        .expect("a file past its limit fails the render");
    let problem = &error.diagnostics()[0];
    assert!(
        problem.file.ends_with("content/modules/second.md"),
        "{problem}"
    );
    assert!(problem.message.contains("2000"), "{}", problem.message);
    site.write(
        "content/modules/second.md",
        &module(front, "## Next\n\nShort again.\n"),
    );
    let again = render_after(&site, &mut cache, &["content/modules/second.md"]);
    assert!(page(&files_of(&again), "modules/second/index.html").contains("Short again."));
}

#[test]
fn a_changed_file_that_is_not_a_page_runs_the_whole_pipeline() {
    let site = fixture();
    let mut cache = first_render(&site);
    site.write(
        "site.toml",
        &common::SITE_TOML.replace("Test Portal", "Renamed Portal"),
    );
    let again = render_after(&site, &mut cache, &["site.toml"]);
    assert!(page(&files_of(&again), "index.html").contains("Renamed Portal"));
}

/// The default theme's footer, with `extra` before its end.
fn footer_with(extra: &str) -> String {
    let footer = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("themes/default/templates/partials/footer.html"),
    )
    .expect("the default footer");
    footer.replace("</footer>", &format!("{extra}</footer>"))
}

#[test]
fn a_template_edit_with_a_static_file_changed_unannounced_runs_the_whole_pipeline() {
    let site = fixture();
    site.write("templates/partials/footer.html", &footer_with(""));
    site.write("static/extra.css", "p { color: black; }\n");
    let mut cache = first_render(&site);
    let footer = "templates/partials/footer.html";
    site.write(footer, &footer_with("<p>Edited footer</p>"));
    site.write("static/extra.css", "p { color: navy; }\n");
    let again = render_after(&site, &mut cache, &[footer]);
    let files = files_of(&again);
    assert!(page(&files, "extra.css").contains("navy"));
    assert!(page(&files, "modules/first/index.html").contains("Edited footer"));
}

#[test]
fn a_template_edit_renders_every_page_again_from_the_kept_content() {
    let site = fixture();
    site.write("templates/partials/footer.html", &footer_with(""));
    let mut cache = first_render(&site);
    let total = render(&site.options(), &PageCache::default())
        .expect("renders")
        .pages
        .len();
    let footer = "templates/partials/footer.html";
    site.write(footer, &footer_with("<p>Edited footer</p>"));
    let again = render_after(&site, &mut cache, &[footer]);
    assert_eq!(again.pages_rendered, total, "every page uses the footer");
    let files = files_of(&again);
    let module = page(&files, "modules/first/index.html");
    assert!(module.contains("Edited footer"));
    assert!(
        module.contains("The original first text."),
        "the body is kept"
    );
    // Prose and template edits keep building on each other.
    let mut cache = again.cache;
    site.write(
        "content/modules/first.md",
        &module_text("The first text, edited after the footer."),
    );
    let again = render_after(&site, &mut cache, &["content/modules/first.md"]);
    assert_eq!(again.pages_rendered, 2);
    let mut cache = again.cache;
    site.write(footer, &footer_with("<p>Footer, second edit</p>"));
    let again = render_after(&site, &mut cache, &[footer]);
    let module = page(&files_of(&again), "modules/first/index.html");
    assert!(module.contains("Footer, second edit"));
    assert!(module.contains("The first text, edited after the footer."));
    // Saved again without a change, the templates are those every page was
    // rendered with: nothing is rendered.
    let mut cache = again.cache;
    let again = render_after(&site, &mut cache, &[footer]);
    assert_eq!(again.pages_rendered, 0);
}

#[test]
fn a_template_edit_with_a_mistake_is_reported_and_its_fix_recovers() {
    let site = fixture();
    site.write("templates/partials/footer.html", &footer_with(""));
    let mut cache = first_render(&site);
    let footer = "templates/partials/footer.html";
    site.write(footer, &footer_with("<p>{{ site.title </p>\n"));
    let error = render_changes(&site.options(), &mut cache, &[footer])
        .err()
        .expect("a template that does not parse fails the render");
    let problem = &error.diagnostics()[0];
    assert!(problem.file.ends_with(footer), "{:?}", problem.file);
    assert!(
        problem.line() > 1,
        "the line of the mistake: {}",
        problem.line()
    );
    site.write(footer, &footer_with("<p>Fixed footer</p>"));
    let again = render_after(&site, &mut cache, &[footer]);
    assert!(page(&files_of(&again), "about/index.html").contains("Fixed footer"));
}

/// The first module with `text` as its body.
fn module_text(text: &str) -> String {
    module(
        "title: First module\nlevel: experimenter\ntrack: basics\nskills: [prompting]\ndate: 2026-01-05",
        &format!("## Start\n\n{text}\n"),
    )
}

#[test]
fn a_render_through_the_page_cache_equals_a_full_render_and_reuses_pages() {
    let site = fixture();
    let options = site.options();
    let first = render(&options, &PageCache::default()).expect("first render");
    site.write(
        "content/modules/second.md",
        &module(
            "title: Second module\nlevel: practitioner\ntrack: basics\nprerequisites: [first]",
            "## Next\n\nSecond body, edited.\n",
        ),
    );
    let incremental = render(&options, &first.cache).expect("incremental render");
    let full = render(&options, &PageCache::default()).expect("full render");
    assert_eq!(full.pages_rendered, full.pages.len());
    assert!(
        incremental.pages_rendered < incremental.pages.len(),
        "{} of {} pages rendered again",
        incremental.pages_rendered,
        incremental.pages.len()
    );
    assert!(incremental.pages_rendered > 0);
    assert_eq!(files_of(&incremental), files_of(&full));
    // A template change re-renders every page that uses it, and still matches.
    site.write("templates/robots.txt", "User-agent: *\n");
    let after_template = render(&options, &incremental.cache).expect("render");
    let full = render(&options, &PageCache::default()).expect("full render");
    assert_eq!(files_of(&after_template), files_of(&full));
}

#[test]
fn the_page_cache_renders_a_page_again_when_only_its_body_changed() {
    let site = fixture();
    let options = site.options();
    let first = render(&options, &PageCache::default()).expect("first render");
    // Same words, same headings: nothing but the body's HTML changes.
    site.write(
        "content/modules/second.md",
        &module(
            "title: Second module\nlevel: practitioner\ntrack: basics\nprerequisites: [first]\ndate: 2026-02-05",
            "## Next\n\nAltered body.\n",
        ),
    );
    let incremental = render(&options, &first.cache).expect("incremental render");
    let full = render(&options, &PageCache::default()).expect("full render");
    let files = files_of(&incremental);
    assert_eq!(files, files_of(&full));
    assert!(page(&files, "modules/second/index.html").contains("Altered body."));
    // The module page and the feed, which carries the newest bodies.
    assert_eq!(incremental.pages_rendered, 2);
}

const CORDILLERA: &str = "content/partners/cordillera-networks.yaml";

/// The demo portal's Cordillera Networks file with `from` replaced by `to`.
fn edit_cordillera(site: &Site, from: &str, to: &str) {
    let text = std::fs::read_to_string(site.path(CORDILLERA)).expect("the demo partner");
    assert!(text.contains(from), "the demo file has {from:?}");
    site.write(CORDILLERA, &text.replacen(from, to, 1));
}

/// The pages a partner edit may change when every other partner's figures
/// stay: the scorecard, the four partner lists, the executive summary, the
/// home page and the six workflow pages (their adoption tables). Of those,
/// only the ones whose inputs changed are rendered again.
const PARTNER_EDIT_PAGES: usize = 1 + 4 + 1 + 1 + 6;

/// How many pages of `after` differ from `before`, or are new: a render
/// that takes every other page from the previous one renders these alone.
fn pages_changed(before: &[(String, Vec<u8>)], after: &RenderedSite) -> usize {
    let pages: std::collections::HashSet<&str> = after
        .pages
        .iter()
        .map(|page| page.output.as_str())
        .collect();
    files_of(after)
        .iter()
        .filter(|(path, bytes)| {
            pages.contains(path.as_str())
                && before.iter().find(|(old, _)| old == path).map(|(_, b)| b) != Some(bytes)
        })
        .count()
}

#[test]
fn a_partner_kpi_edit_renders_its_scorecard_and_the_pages_adding_up_partners() {
    let site = Site::demo();
    let mut cache = first_render(&site);
    let before = files_of(&render(&site.options(), &PageCache::default()).expect("renders"));
    edit_cordillera(
        &site,
        "    partner_sourced_revenue: 426000\n",
        "    partner_sourced_revenue: 1426000\n",
    );
    let again = render_after(&site, &mut cache, &[CORDILLERA]);
    // The scorecard and the executive summary change: no list shows the
    // revenue. The lists are rendered again too, since their rows carry the
    // partner's warning signs, whose evidence counts the KPIs worse than at
    // the baseline, and a page is rendered again when what it is rendered
    // from changed.
    assert_eq!(pages_changed(&before, &again), 2);
    assert_eq!(again.pages_rendered, 2 + 4);
    let files = files_of(&again);
    let changed = |path: &str| page(&files, path) != page(&before, path);
    assert!(changed("partners/cordillera-networks/index.html"));
    assert!(changed("reports/executive/index.html"));
    assert!(changed("data/metrics.json"));
    assert!(changed("data/kpis.csv"));
    assert!(!changed("partners/kestrel-advisory/index.html"));
    assert!(
        page(&files, "data/kpis.csv")
            .contains("cordillera-networks,2026-Q3,partner_sourced_revenue,1426000")
    );
    // The next edit builds on the figures this one kept.
    let mut cache = again.cache;
    edit_cordillera(&site, "owner: Tomás Ibarra", "owner: Ana Ruiz");
    let again = render_after(&site, &mut cache, &[CORDILLERA]);
    // The scorecard, and the lists and the summary, whose rows carry the
    // owner though none shows it: a page is rendered again when what it is
    // rendered from changed.
    assert_eq!(pages_changed(&files, &again), 1);
    assert_eq!(again.pages_rendered, 1 + 4 + 1);
    assert!(
        page(&files_of(&again), "partners/cordillera-networks/index.html").contains("Ana Ruiz")
    );
}

/// The ids of the modules Cordillera's scorecard recommends, in order.
fn recommended_modules(site: &RenderedSite) -> Vec<String> {
    let html = page(&files_of(site), "partners/cordillera-networks/index.html");
    let start = html.find("id=\"next-title\"").expect("the recommendations");
    let end = html.find("id=\"roi-title\"").expect("the ROI section");
    html[start..end]
        .split("class=\"card-title\"><a href=\"")
        .skip(1)
        .filter_map(|link| {
            let url = link.split('"').next()?;
            let id = url.trim_end_matches('/').rsplit('/').next()?;
            Some(id.to_string())
        })
        .collect()
}

#[test]
fn a_partner_edit_that_changes_its_recommendations_renders_the_new_ones() {
    let site = Site::demo();
    let first = render(&site.options(), &PageCache::default()).expect("renders");
    let before = files_of(&first);
    let recommended = recommended_modules(&first)
        .into_iter()
        .next()
        .expect("a recommended module");
    let mut cache = first.cache;
    // Everyone completes it, so it counts as done.
    let text = std::fs::read_to_string(site.path(CORDILLERA)).expect("the demo partner");
    let mut partner: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    let people = partner["people"].as_sequence_mut().expect("people");
    for person in people {
        let done: serde_yaml::Value =
            serde_yaml::from_str(&format!("{{module: {recommended}, date: 2026-02-03}}"))
                .expect("YAML");
        let person = person.as_mapping_mut().expect("a person");
        let completions = person
            .entry("completions".into())
            .or_insert_with(|| serde_yaml::Value::Sequence(Vec::new()));
        completions
            .as_sequence_mut()
            .expect("completions")
            .push(done);
    }
    site.write(CORDILLERA, &serde_yaml::to_string(&partner).expect("YAML"));
    let again = render_after(&site, &mut cache, &[CORDILLERA]);
    assert_eq!(again.pages_rendered, pages_changed(&before, &again));
    assert!(again.pages_rendered <= PARTNER_EDIT_PAGES);
    let now = recommended_modules(&again);
    assert!(
        !now.contains(&recommended),
        "a completed module is no longer recommended: {now:?}"
    );
}

/// The demo portal's partner files.
const DEMO_PARTNERS: usize = 12;

#[test]
fn a_partner_edit_that_changes_the_headcount_renders_every_scorecard() {
    let site = Site::demo();
    let mut cache = first_render(&site);
    let before = files_of(&render(&site.options(), &PageCache::default()).expect("renders"));
    // A new person changes the total headcount, and so every partner's share
    // of the program cost: every partner's figures are worked out again from
    // the kept files.
    edit_cordillera(
        &site,
        "people:\n",
        "people:\n  - id: cn-new\n    role: analyst\n",
    );
    let again = render_after(&site, &mut cache, &[CORDILLERA]);
    assert_eq!(again.pages_rendered, pages_changed(&before, &again));
    assert!(again.pages_rendered >= DEMO_PARTNERS, "every scorecard");
    let files = files_of(&again);
    let kestrel = "partners/kestrel-advisory/index.html";
    assert_ne!(
        page(&files, kestrel),
        page(&before, kestrel),
        "another partner's share of the cost changed"
    );
    // The next edit builds on the figures worked out again.
    let mut cache = again.cache;
    edit_cordillera(&site, "owner: Tomás Ibarra", "owner: Ana Ruiz");
    let again = render_after(&site, &mut cache, &[CORDILLERA]);
    // The scorecard, and the lists and the summary, whose rows carry the
    // owner though none shows it: a page is rendered again when what it is
    // rendered from changed.
    assert_eq!(pages_changed(&files, &again), 1);
    assert_eq!(again.pages_rendered, 1 + 4 + 1);
}

#[test]
fn a_comparison_partners_margin_edit_renders_every_embedders_scorecard() {
    let site = Site::demo();
    let mut cache = first_render(&site);
    let before = files_of(&render(&site.options(), &PageCache::default()).expect("renders"));
    // Cordillera has no embedded workflow: its margin is part of the
    // comparison group's change, which every embedder's margin is netted against.
    edit_cordillera(
        &site,
        "    cost_to_serve: 21900\n    enablement_throughput: 0\n    margin_contribution: 64000\n",
        "    cost_to_serve: 21900\n    enablement_throughput: 0\n    margin_contribution: 94000\n",
    );
    let again = render_after(&site, &mut cache, &[CORDILLERA]);
    assert!(again.pages_rendered >= DEMO_PARTNERS, "every scorecard");
    let files = files_of(&again);
    let halvorsen = "partners/halvorsen-digital/index.html";
    assert_ne!(
        page(&files, halvorsen),
        page(&before, halvorsen),
        "an embedder's netted margin changed"
    );
    let full = files_of(&render(&site.options(), &PageCache::default()).expect("renders"));
    assert_eq!(page(&files, halvorsen), page(&full, halvorsen));
}

/// Cordillera Networks' figures for a quarter no partner has data for yet.
const NEW_QUARTER: &str = "  - quarter: 2026-Q4
    partner_sourced_revenue: 502000
    sales_cycle_days: 96
    cost_to_serve: 20100
    enablement_throughput: 2
    margin_contribution: 71000
";

#[test]
fn a_partner_edit_that_adds_a_quarter_renders_every_scorecard() {
    let site = Site::demo();
    let mut cache = first_render(&site);
    let text = std::fs::read_to_string(site.path(CORDILLERA)).expect("the demo partner");
    // The first figures for 2026-Q4 make it every partner's latest quarter.
    let before = files_of(&render(&site.options(), &PageCache::default()).expect("renders"));
    site.write(CORDILLERA, &format!("{text}{NEW_QUARTER}"));
    let again = render_after(&site, &mut cache, &[CORDILLERA]);
    assert_eq!(again.pages_rendered, pages_changed(&before, &again));
    assert!(again.pages_rendered >= DEMO_PARTNERS, "every scorecard");
    let files = files_of(&again);
    assert!(page(&files, "partners/kestrel-advisory/index.html").contains("2026-Q4"));
    assert!(page(&files, "data/kpis.csv").contains("cordillera-networks,2026-Q4,"));
    // Taking them out again goes back to the earlier quarters.
    let mut cache = again.cache;
    site.write(CORDILLERA, &text);
    let again = render_after(&site, &mut cache, &[CORDILLERA]);
    assert!(!page(&files_of(&again), "partners/kestrel-advisory/index.html").contains("2026-Q4"));
}

/// [`render_after`] an edit to the partner file `changed`, which must read
/// no other file: while it renders, another partner's file does not parse.
fn render_reading_only(site: &Site, cache: &mut PageCache, changed: &str) -> RenderedSite {
    let other = "content/partners/kestrel-advisory.yaml";
    let text = std::fs::read_to_string(site.path(other)).expect("the demo partner");
    site.write(other, "name: [unclosed");
    let again = render_changes(&site.options(), cache, &[changed]);
    site.write(other, &text);
    let again = again.expect("renders from the kept partner files");
    let full = render(&site.options(), &PageCache::default()).expect("full render");
    assert_eq!(
        files_of(&again),
        files_of(&full),
        "differs from a full render"
    );
    assert_eq!(again.pages, full.pages, "the list of pages differs");
    assert_pages_are_kept_without_spare_room(&again);
    again
}

/// Where `text` first appears in `html`.
fn place(html: &str, text: &str) -> usize {
    html.find(text)
        .unwrap_or_else(|| panic!("{text} not on the page"))
}

#[test]
fn a_partner_rename_moves_it_in_the_lists_without_the_whole_pipeline() {
    let site = Site::demo();
    let mut cache = first_render(&site);
    let first = render(&site.options(), &PageCache::default()).expect("renders");
    let total = first.pages.len();
    // A new name moves the partner from the middle of every list to the top
    // of the list by name.
    edit_cordillera(&site, "name: Cordillera Networks", "name: Andes Networks");
    let again = render_reading_only(&site, &mut cache, CORDILLERA);
    // Exactly the pages that show the name: the scorecard, the four lists
    // and the executive summary (the partner is on no workflow's adoption
    // table).
    assert_eq!(again.pages_rendered, 1 + 4 + 1);
    assert_eq!(
        again.pages_rendered,
        pages_changed(&files_of(&first), &again)
    );
    assert!(
        again.pages_rendered <= PARTNER_EDIT_PAGES,
        "no more than a partner edit"
    );
    assert!(again.pages_rendered < total);
    let files = files_of(&again);
    let list = page(&files, "partners/index.html");
    assert!(place(&list, "Andes Networks") < place(&list, "Aurora Channel Partners"));
    assert!(page(&files, "partners/cordillera-networks/index.html").contains("Andes Networks"));
    assert!(page(&files, "data/partners.csv").contains("Andes Networks"));
    // The next edit builds on the reordered views, and a name that sorts
    // after every other moves it to the end.
    let mut cache = again.cache;
    edit_cordillera(&site, "name: Andes Networks", "name: Zephyr Networks");
    let again = render_reading_only(&site, &mut cache, CORDILLERA);
    assert!(again.pages_rendered <= PARTNER_EDIT_PAGES);
    let list = page(&files_of(&again), "partners/index.html");
    assert!(place(&list, "Zephyr Networks") > place(&list, "Vantage Point Integration"));
    let mut cache = again.cache;
    edit_cordillera(&site, "name: Zephyr Networks", "name: Cordillera Networks");
    let again = render_reading_only(&site, &mut cache, CORDILLERA);
    assert!(again.pages_rendered <= PARTNER_EDIT_PAGES);
    // Two partners trading places in one change.
    let mut cache = again.cache;
    let aurora = "content/partners/aurora-channel-partners.yaml";
    let text = std::fs::read_to_string(site.path(aurora)).expect("the demo partner");
    site.write(
        aurora,
        &text.replacen("name: Aurora", "name: Zenith Aurora", 1),
    );
    edit_cordillera(&site, "name: Cordillera Networks", "name: Abra Networks");
    let again = render_after(&site, &mut cache, &[aurora, CORDILLERA]);
    assert!(again.pages_rendered < total);
}

#[test]
fn a_partner_edit_with_a_problem_is_reported_and_its_fix_recovers() {
    let site = Site::demo();
    let mut cache = first_render(&site);
    edit_cordillera(&site, "  - id: qbr\n", "  - id: quarterly-review\n");
    let error = render_changes(&site.options(), &mut cache, &[CORDILLERA])
        .err()
        .expect("an unknown workflow fails the render");
    let problem = &error.diagnostics()[0];
    assert!(problem.file.ends_with(CORDILLERA), "{:?}", problem.file);
    assert!(
        problem.message.contains("quarterly-review"),
        "{}",
        problem.message
    );
    assert_eq!(problem.line(), 57);
    edit_cordillera(&site, "  - id: quarterly-review\n", "  - id: qbr\n");
    render_after(&site, &mut cache, &[CORDILLERA]);
    edit_cordillera(&site, "tier: silver", "tier: [silver");
    let error = render_changes(&site.options(), &mut cache, &[CORDILLERA])
        .err()
        .expect("YAML that does not parse fails the render");
    assert!(error.diagnostics()[0].file.ends_with(CORDILLERA));
    edit_cordillera(&site, "tier: [silver", "tier: silver");
    render_after(&site, &mut cache, &[CORDILLERA]);
}

/// Cordillera's own preview of `site`, rendered once: its options, its
/// files and the cache the next render starts from.
fn cordillera_preview(site: &Site) -> (BuildOptions, Vec<(String, Vec<u8>)>, PageCache) {
    let options = BuildOptions {
        audience: Audience::Partner("cordillera-networks".to_string()),
        ..site.options()
    };
    let first = render(&options, &PageCache::default()).expect("renders");
    let files = files_of(&first);
    (options, files, first.cache)
}

#[test]
fn a_partner_preview_renders_again_only_what_its_partner_may_see() {
    let site = Site::demo();
    let (options, before, mut cache) = cordillera_preview(&site);
    edit_cordillera(&site, "owner: Tomás Ibarra", "owner: Ana Ruiz");
    let again = render_after_with(&options, &mut cache, &[CORDILLERA]);
    // Its scorecard alone: the owner is not on the workflow pages, and
    // there are no lists, no summary and no partner figures on the home page.
    assert_eq!(again.pages_rendered, 1);
    assert_eq!(again.pages_rendered, pages_changed(&before, &again));
    assert!(
        page(&files_of(&again), "partners/cordillera-networks/index.html").contains("Ana Ruiz")
    );
    let mut cache = again.cache;
    let other = "content/partners/kestrel-advisory.yaml";
    let text = std::fs::read_to_string(site.path(other)).expect("the demo partner");
    site.write(
        other,
        &text.replacen("owner: ", "owner: Someone Else, ex ", 1),
    );
    let again = render_after_with(&options, &mut cache, &[other]);
    assert!(
        !files_of(&again)
            .iter()
            .any(|(_, bytes)| { String::from_utf8_lossy(bytes).contains("Someone Else") })
    );
    // Another partner's new person changes nothing this partner sees: its
    // cost is its own, so no page is rendered again and no file changes.
    let before = files_of(&again);
    let mut cache = again.cache;
    let text = std::fs::read_to_string(site.path(other)).expect("the demo partner");
    site.write(
        other,
        &text.replacen(
            "people:\n",
            "people:\n  - id: ka-new\n    role: analyst\n",
            1,
        ),
    );
    let again = render_after_with(&options, &mut cache, &[other]);
    assert_eq!(again.pages_rendered, 0);
    assert!(files_of(&again) == before);
}

#[test]
fn another_partners_edit_renders_nothing_in_a_partner_preview_but_its_notice() {
    let site = Site::demo();
    let (options, before, mut cache) = cordillera_preview(&site);
    let other = "content/partners/kestrel-advisory.yaml";
    let text = std::fs::read_to_string(site.path(other)).expect("the demo partner");
    // Read while rendering, the partner's own file would fail the render:
    // the edit reads the edited file alone.
    let own = std::fs::read_to_string(site.path(CORDILLERA)).expect("the demo partner");
    let render_reading_only_other = |cache: &mut PageCache| {
        site.write(CORDILLERA, "name: [unclosed");
        let again = render_changes(&options, cache, &[other]);
        site.write(CORDILLERA, &own);
        let again = again.expect("renders from the kept inputs");
        let full = render(&options, &PageCache::default()).expect("full render");
        assert_eq!(
            files_of(&again),
            files_of(&full),
            "differs from a full render"
        );
        assert_eq!(again.pages, full.pages);
        assert_eq!(again.notes, full.notes);
        again
    };
    site.write(
        other,
        &text.replacen("owner: ", "owner: Someone Else, ex ", 1),
    );
    let again = render_reading_only_other(&mut cache);
    assert_eq!(
        again.pages_rendered, 0,
        "no page shows another partner's file"
    );
    assert!(files_of(&again) == before);
    assert!(again.notes.is_empty());
    // Broken, it brings the notice and nothing else.
    let mut cache = again.cache;
    site.write(other, &text.replacen("tier: ", "tier: [", 1));
    let again = render_reading_only_other(&mut cache);
    assert_eq!(again.pages_rendered, 0);
    assert_eq!(again.notes, [proficio::build::OTHER_PARTNER_PROBLEM]);
    assert!(files_of(&again) == before);
    // Fixed, the notice goes.
    let mut cache = again.cache;
    site.write(other, &text);
    let again = render_reading_only_other(&mut cache);
    assert_eq!(again.pages_rendered, 0);
    assert!(again.notes.is_empty());
    // Its own file's edit still renders its scorecard.
    let mut cache = again.cache;
    edit_cordillera(&site, "owner: Tomás Ibarra", "owner: Ana Ruiz");
    let again = render_after_with(&options, &mut cache, &[CORDILLERA]);
    assert_eq!(again.pages_rendered, 1);
}

#[test]
fn a_mixed_change_puts_each_kind_in_place_in_one_render() {
    let site = Site::demo();
    let mut cache = first_render(&site);
    let first = render(&site.options(), &PageCache::default()).expect("renders");
    let total = first.pages.len();
    // An editor's "save all": a module's prose and a partner's KPI together,
    // redone without reading any other file (another partner's file does
    // not parse while it renders).
    let module = "content/modules/first-safe-wins.md";
    let text = std::fs::read_to_string(site.path(module)).expect("the demo module");
    site.write(
        module,
        &format!("{text}\nA sentence saved with a partner edit.\n"),
    );
    edit_cordillera(
        &site,
        "    partner_sourced_revenue: 426000\n",
        "    partner_sourced_revenue: 1426000\n",
    );
    let other = "content/partners/kestrel-advisory.yaml";
    let kestrel = std::fs::read_to_string(site.path(other)).expect("the demo partner");
    site.write(other, "name: [unclosed");
    let again = render_changes(&site.options(), &mut cache, &[module, CORDILLERA]);
    site.write(other, &kestrel);
    let again = again.expect("renders from the kept inputs");
    let full = render(&site.options(), &PageCache::default()).expect("full render");
    assert_eq!(
        files_of(&again),
        files_of(&full),
        "differs from a full render"
    );
    assert_eq!(again.pages, full.pages);
    // The module page and what the partner edit changes, and the four
    // lists, whose rows carry the partner's warning signs (see above).
    assert_eq!(
        again.pages_rendered,
        pages_changed(&files_of(&first), &again) + 4
    );
    assert!(again.pages_rendered <= 1 + 1 + PARTNER_EDIT_PAGES);
    assert!(again.pages_rendered < total);
    let files = files_of(&again);
    assert!(
        page(&files, "modules/first-safe-wins/index.html").contains("saved with a partner edit")
    );
    assert!(page(&files, "data/kpis.csv").contains("1426000"));
    // A template with them renders every page, still from the kept inputs.
    let mut cache = again.cache;
    let footer = "templates/partials/footer.html";
    site.write(footer, &footer_with("<p>Saved together</p>"));
    site.write(module, &text);
    edit_cordillera(
        &site,
        "    partner_sourced_revenue: 1426000\n",
        "    partner_sourced_revenue: 426000\n",
    );
    let again = render_after(&site, &mut cache, &[footer, module, CORDILLERA]);
    assert_eq!(again.pages_rendered, total);
    // A file no kind covers still runs the whole pipeline.
    let mut cache = again.cache;
    site.write(module, &format!("{text}\nOnce more.\n"));
    let again = render_after(&site, &mut cache, &[module, "site.toml"]);
    assert!(page(&files_of(&again), "modules/first-safe-wins/index.html").contains("Once more."));
}

#[test]
fn an_export_edit_recomputes_only_the_partners_whose_rows_changed() {
    let site = Site::copy_of("examples/lms-export");
    let mut cache = first_render(&site);
    let before = files_of(&render(&site.options(), &PageCache::default()).expect("renders"));
    let kpis = std::fs::read_to_string(site.path("data/crm-kpis.csv")).expect("the CRM export");
    let edited = kpis.replacen("\"$878,000\"", "\"$1,878,000\"", 1);
    assert_ne!(edited, kpis, "the export has the figure");
    site.write("data/crm-kpis.csv", &edited);
    let again = render_after(&site, &mut cache, &["data/crm-kpis.csv"]);
    let files = files_of(&again);
    let changed = |path: &str| page(&files, path) != page(&before, path);
    assert!(changed("partners/brightwater-solutions/index.html"));
    assert!(!changed("partners/copperline-systems/index.html"));
    assert!(!changed("partners/northgate-consulting/index.html"));
    // Only the pages of the partner whose rows changed, and those adding up
    // every partner, are rendered again: not all of the site's.
    assert!(
        again.pages_rendered < again.pages.len() / 2,
        "{} of {} pages rendered",
        again.pages_rendered,
        again.pages.len()
    );
    // An edit that changes no partner's records renders nothing.
    let mut cache = again.cache;
    site.write("data/crm-kpis.csv", &format!("{edited}\n\n"));
    let unchanged = render_after(&site, &mut cache, &["data/crm-kpis.csv"]);
    assert_eq!(unchanged.pages_rendered, 0);
}

#[test]
fn an_export_edit_reads_again_only_the_exports_that_changed() {
    let site = Site::copy_of("examples/lms-export");
    let mut cache = first_render(&site);
    // The survey export is overwritten with bytes that are not text, its
    // size and time kept: read again, it would stop the render.
    let survey = site.path("data/skills-survey.csv");
    let before = std::fs::metadata(&survey).expect("the survey export");
    let modified = before.modified().expect("a modification time");
    site.write_bytes("data/skills-survey.csv", &vec![0xff; before.len() as usize]);
    let file = std::fs::File::options()
        .write(true)
        .open(&survey)
        .expect("open");
    file.set_modified(modified).expect("keep the time");
    drop(file);
    let kpis = std::fs::read_to_string(site.path("data/crm-kpis.csv")).expect("the CRM export");
    site.write(
        "data/crm-kpis.csv",
        &kpis.replacen("\"$878,000\"", "\"$1,878,000\"", 1),
    );
    let again = render_changes(&site.options(), &mut cache, &["data/crm-kpis.csv"])
        .expect("renders from the survey as first read");
    let scorecard = page(
        &files_of(&again),
        "partners/brightwater-solutions/index.html",
    );
    assert!(
        scorecard.contains("1,878,000"),
        "the edited export was read"
    );
    assert!(again.pages_rendered > 0);
}
