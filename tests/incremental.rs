//! Rendering again after edits, as the live preview does: through the page
//! cache (`build::render` reusing unchanged pages) and through
//! `incremental::render_changes` (an edit that only rewrites a page's prose
//! renders only the pages that show it, anything else runs the whole
//! pipeline). Whichever way it goes, the files equal a fresh full render
//! byte for byte.

mod common;

use common::{Site, module};
use proficio::build::{PageCache, RenderedSite, render};
use proficio::incremental::render_changes;
use proficio::output::Contents;

fn fixture() -> Site {
    Site::with_config(&[
        (
            "content/modules/_index.md",
            "---\ntitle: Modules\n---\nThe introduction to every module.\n",
        ),
        (
            "content/modules/first.md",
            &module(
                "title: First module\nlevel: experimenter\ntrack: basics\nskills: [prompting]\ndate: 2026-01-05",
                "## Start\n\nThe original first text.\n",
            ),
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

fn files_of(site: &RenderedSite) -> Vec<(String, Vec<u8>)> {
    site.files
        .iter()
        .map(|file| {
            let bytes = match &file.contents {
                Contents::Bytes(bytes) => bytes.to_vec(),
                Contents::Copy(path) => std::fs::read(path).expect("copied file"),
            };
            (file.path.clone(), bytes)
        })
        .collect()
}

fn page(files: &[(String, Vec<u8>)], path: &str) -> String {
    let (_, bytes) = files
        .iter()
        .find(|(p, _)| p == path)
        .unwrap_or_else(|| panic!("{path} rendered"));
    String::from_utf8_lossy(bytes).into_owned()
}

/// What the first render of `site` keeps for the next one.
fn first_render(site: &Site) -> PageCache {
    render(&site.options(), &PageCache::default())
        .expect("first render")
        .cache
}

/// Renders after `changed` and checks the result against a fresh render.
fn render_after(site: &Site, cache: &mut PageCache, changed: &[&str]) -> RenderedSite {
    let options = site.options();
    let again = render_changes(&options, cache, changed).expect("renders after the edit");
    let full = render(&options, &PageCache::default()).expect("full render");
    assert_eq!(
        files_of(&again),
        files_of(&full),
        "differs from a full render"
    );
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
        &module(
            "title: First module\nlevel: experimenter\ntrack: basics\nskills: [prompting]\ndate: 2026-01-05",
            "## Start\n\nThe first text, edited.\n",
        ),
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
fn a_changed_file_that_is_not_a_page_runs_the_whole_pipeline() {
    let site = fixture();
    let mut cache = first_render(&site);
    site.write(
        "templates/robots.txt",
        "User-agent: *\nDisallow: /drafts/\n",
    );
    let again = render_after(&site, &mut cache, &["templates/robots.txt"]);
    assert!(page(&files_of(&again), "robots.txt").contains("Disallow: /drafts/"));
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
