//! Section pages: the order of their sub-sections and the titles folders and
//! files get from their names.

mod common;

use common::{Site, main_of};

/// Where each needle first appears; panics with the page when one is missing
/// or they are out of order.
fn assert_in_order(haystack: &str, needles: &[&str]) {
    let positions: Vec<usize> = needles
        .iter()
        .map(|n| {
            haystack
                .find(n)
                .unwrap_or_else(|| panic!("{n} missing:\n{haystack}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "expected {needles:?} in this order:\n{haystack}"
    );
}

fn index(title: &str, weight: i64) -> String {
    format!("---\ntitle: {title}\nweight: {weight}\n---\nAbout {title}.\n")
}

#[test]
fn sub_sections_are_listed_by_weight_then_title() {
    let site = Site::with_config(&[
        ("content/guides/_index.md", &index("Guides", 0)),
        // Weights reverse the folder names' order.
        ("content/guides/alpha/_index.md", &index("Alpha", 3)),
        ("content/guides/beta/_index.md", &index("Beta", 2)),
        ("content/guides/gamma/_index.md", &index("Gamma", 1)),
        // Equal weights: by title, whatever the folder names.
        ("content/guides/a-folder/_index.md", &index("Zebra", 5)),
        ("content/guides/z-folder/_index.md", &index("Aardvark", 5)),
        // No `_index.md` counts as weight 0.
        ("content/guides/loose/page.md", "# A page\n\nText.\n"),
    ]);
    site.build();
    let main = site.read("guides/index.html");
    assert_in_order(
        main_of(&main),
        &[
            ">Loose</a>",
            ">Gamma</a>",
            ">Beta</a>",
            ">Alpha</a>",
            ">Aardvark</a>",
            ">Zebra</a>",
        ],
    );
}

#[test]
fn top_level_sections_in_the_navigation_follow_the_same_order() {
    let site = Site::with_config(&[
        ("content/alpha/_index.md", &index("Alpha", 2)),
        ("content/beta/_index.md", &index("Beta", 1)),
        ("content/gamma/_index.md", &index("Gamma", 1)),
    ]);
    site.build();
    let home = site.read("index.html");
    assert_in_order(
        &home,
        &[
            "<a href=\"/beta/\">Beta</a>",
            "<a href=\"/gamma/\">Gamma</a>",
            "<a href=\"/alpha/\">Alpha</a>",
        ],
    );
}

#[test]
fn files_and_folders_take_their_titles_from_their_names_by_one_rule() {
    let site = Site::with_config(&[
        ("content/élan-notes/élan-guide.md", "Text.\n"),
        ("content/élan-notes/élan_bundle/index.md", "Text.\n"),
        ("content/docs/_index.md", "Docs without a title.\n"),
        ("content/docs/dotnet-responsible-ai/intro.md", "Text.\n"),
    ]);
    site.build();
    let notes = site.read("élan-notes/index.html");
    let main = main_of(&notes);
    assert!(main.contains("<h1>Élan notes</h1>"), "a folder:\n{main}");
    assert!(
        main.contains("<a href=\"/élan-notes/élan-guide/\">Élan guide</a>"),
        "a file:\n{main}"
    );
    assert!(
        main.contains("<a href=\"/élan-notes/élan_bundle/\">Élan bundle</a>"),
        "a page bundle's folder:\n{main}"
    );
    assert!(
        site.read("index.html")
            .contains("<a href=\"/élan-notes/\">Élan notes</a>"),
        "the navigation"
    );

    let docs = site.read("docs/index.html");
    let main = main_of(&docs);
    assert!(
        main.contains("<h1>Docs</h1>"),
        "an `_index.md` without a title:\n{main}"
    );
    assert!(
        main.contains(">Dotnet responsible ai</a>"),
        "a folder without `_index.md`:\n{main}"
    );
    let page = site.read("élan-notes/élan-guide/index.html");
    assert!(
        main_of(&page).contains("<h1>Élan guide</h1>"),
        "{}",
        main_of(&page)
    );
}

#[test]
fn a_section_for_writers_is_linked_from_the_footer_and_not_the_main_menu() {
    let site = Site::with_config(&[
        ("content/library/_index.md", &index("Library", 1)),
        (
            "content/writing/_index.md",
            "---\ntitle: Writing guides\nmenu: footer\n---\nFor the writers.\n",
        ),
        ("content/writing/style.md", "# Style guide\n\nVoice.\n"),
    ]);
    site.build();
    for page in [
        "index.html",
        "library/index.html",
        "writing/style/index.html",
    ] {
        let html = site.read(page);
        let menu = &html[html.find("<nav class=\"main-nav\"").expect("a main menu")..];
        let menu = &menu[..menu.find("</nav>").expect("the menu's end")];
        assert!(menu.contains("<a href=\"/library/\""), "{menu}");
        assert!(!menu.contains("/writing/"), "{page}: {menu}");
        let writers = &html[html
            .find("aria-label=\"For writers\"")
            .expect("a writers' list")..];
        assert!(
            writers.contains("<a href=\"/writing/\">Writing guides</a>"),
            "{page}: {writers}"
        );
    }
    // The section itself is built and lists its pages as any other.
    assert!(main_of(&site.read("writing/index.html")).contains(">Style guide</a>"));
}

#[test]
fn without_a_section_for_writers_the_footer_has_no_writers_list() {
    let site = Site::with_config(&[("content/library/_index.md", &index("Library", 1))]);
    site.build();
    assert!(!site.read("index.html").contains("For writers"));
}
