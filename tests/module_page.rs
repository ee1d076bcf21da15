//! What a reader sees on a module page: code blocks with their language
//! label and sideways scrolling, the time figures, and the reader script
//! that adds copy buttons, marks the current section and remembers ticked
//! checklists.

mod common;

use common::{Site, main_of, module, visible_text};

fn site_with(front: &str, body: &str) -> Site {
    Site::with_config(&[("content/modules/demo.md", &module(front, body))])
}

#[test]
fn a_code_block_is_labelled_with_its_language_and_scrolls_sideways() {
    let site = site_with(
        "title: Demo",
        "```cs\nvar x = 1;\n```\n\n```py\nx = 1\n```\n\n```text\nA prompt.\n```\n\n\
         ```console\n$ ls\n```\n\n```partnerscript\nx\n```\n\n```\nno name\n```\n",
    );
    site.build();
    let html = site.read("modules/demo/index.html");
    let labels: Vec<String> = html
        .match_indices("<span class=\"code-label\">")
        .map(|(at, tag)| {
            let rest = &html[at + tag.len()..];
            rest[..rest.find('<').unwrap_or(0)].to_string()
        })
        .collect();
    assert_eq!(
        labels,
        ["C#", "Python", "Text", "Terminal", "partnerscript"],
        "{html}"
    );
    assert!(
        html.contains(
            "<div class=\"code-block\">\n<div class=\"code-head\"><span class=\"code-label\">C#</span></div>\n\
             <pre class=\"code\" tabindex=\"0\"><code class=\"language-cs\">"
        ),
        "{html}"
    );
    // A fence with no name has no label, and still scrolls.
    assert!(
        html.contains(
            "<div class=\"code-block\">\n<pre class=\"code\" tabindex=\"0\"><code>no name\n</code></pre>\n</div>"
        ),
        "{html}"
    );
    assert_eq!(html.matches("<div class=\"code-block\">").count(), 6);
    assert_eq!(
        html.matches("<pre class=\"code\" tabindex=\"0\">").count(),
        6
    );
}

#[test]
fn the_stylesheet_scrolls_focusable_code_blocks_instead_of_wrapping_them() {
    let site = site_with("title: Demo", "Body.\n");
    site.build();
    let css = site.read("style.css");
    let rule = &css[css
        .find("pre[tabindex] {")
        .expect("a rule for focusable blocks")..];
    let rule = &rule[..rule.find('}').unwrap_or(rule.len())];
    assert!(rule.contains("white-space: pre;"), "{rule}");
    assert!(
        css.contains("pre[tabindex]:focus-visible"),
        "a visible focus"
    );
}

#[test]
fn time_to_complete_and_reading_time_are_two_labelled_figures() {
    let site = site_with("title: Demo\nduration_minutes: 60", "Body.\n");
    site.build();
    let text = visible_text(main_of(&site.read("modules/demo/index.html")));
    assert!(text.contains("Time to complete 1 h"), "{text}");
    assert!(text.contains("Reading 1 min"), "{text}");
    assert!(!text.contains("min read"), "{text}");

    site.write("content/modules/demo.md", &module("title: Demo", "Body.\n"));
    site.build();
    let text = visible_text(main_of(&site.read("modules/demo/index.html")));
    assert!(!text.contains("Time to complete"), "{text}");
    assert!(text.contains("Reading 1 min"), "{text}");
}

#[test]
fn every_page_loads_the_reader_script_which_the_theme_ships() {
    let site = site_with("title: Demo", "- [ ] Draft\n- [x] Review\n");
    site.build();
    let html = site.read("modules/demo/index.html");
    assert!(
        html.contains("<script src=\"/reader.js\" defer></script>\n</body>"),
        "{html}"
    );
    assert!(
        site.read("index.html")
            .contains("<script src=\"/reader.js\" defer>")
    );
    let script = site.read("reader.js");
    for hook in [
        ".code-block",
        ".toc",
        "aria-current",
        "localStorage",
        "navigator.clipboard",
    ] {
        assert!(script.contains(hook), "reader.js handles {hook}");
    }
    // Without the script, the checklist stays as Markdown renders it.
    assert!(
        html.contains("<li><input disabled=\"\" type=\"checkbox\"/>\nDraft</li>"),
        "{html}"
    );
}

#[test]
fn a_theme_opts_out_of_the_reader_script_by_emptying_its_block() {
    let site = site_with("title: Demo", "Body.\n");
    site.write(
        "templates/module.html",
        "{% extends \"base.html\" %}{% block main %}Hi{% endblock main %}{% block scripts %}{% endblock scripts %}",
    );
    site.build();
    let html = site.read("modules/demo/index.html");
    assert!(!html.contains("reader.js"), "{html}");
}
