//! Hostile and unusual input: every case gives a located error or correct
//! output, never a panic, and never a half-written site.

mod common;

use std::sync::Arc;

use common::problems::only;
use common::{Site, module};
use proficio::input::content::parse_page;
use proficio::partners::metrics;
use proficio::render::markdown::{LinkTargets, render};
use proptest::prelude::*;

/// The one problem a build of `site` reports.
fn only_problem(site: &Site) -> proficio::Diagnostic {
    only(&site.build_rejected()).clone()
}

#[test]
fn a_tab_indenting_front_matter_is_located() {
    let site = Site::with_config(&[(
        "content/modules/a.md",
        "---\ntitle: A\nskills:\n\t- prompting\n---\nText.\n",
    )]);
    let problem = only_problem(&site);
    assert_eq!(problem.file, std::path::Path::new("content/modules/a.md"));
    assert_eq!((problem.line(), problem.column()), (4, 1), "{problem}");
    assert_eq!(problem.message, "a tab indents this line");
    assert!(problem.to_string().contains("spaces"), "{problem}");
}

#[test]
fn bad_indentation_and_unclosed_quotes_are_located() {
    let site = Site::with_config(&[
        ("content/modules/a.md", "---\ntitle: A\n  summary: x\n---\n"),
        ("content/modules/b.md", "---\ntitle: \"B\nsummary: y\n---\n"),
    ]);
    let problems = site.build_rejected();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(
        problems[0].file,
        std::path::Path::new("content/modules/a.md")
    );
    assert_eq!(problems[0].line(), 3, "{}", problems[0]);
    assert_eq!(
        problems[1].file,
        std::path::Path::new("content/modules/b.md")
    );
    assert!(problems[1].line() >= 2, "{}", problems[1]);
}

#[test]
fn empty_files_are_pages_titled_by_their_name() {
    let site = Site::with_config(&[
        ("content/guides/empty-page.md", ""),
        ("content/partners/.keep", ""),
    ]);
    site.build();
    assert!(
        site.read("guides/empty-page/index.html")
            .contains("Empty page")
    );
}

#[test]
fn an_empty_partner_file_is_an_error_not_a_crash() {
    let site = Site::with_config(&[("content/partners/acme.yaml", "")]);
    let problem = only_problem(&site);
    assert_eq!(
        problem.file,
        std::path::Path::new("content/partners/acme.yaml")
    );
}

#[test]
fn a_byte_order_mark_and_crlf_line_endings_are_read_as_plain_text() {
    let site = Site::with_config(&[(
        "content/modules/a.md",
        "\u{feff}---\r\ntitle: Windows module\r\ntrack: basics\r\n---\r\n## Step one\r\n\r\nText.\r\n",
    )]);
    site.build();
    let html = site.read("modules/a/index.html");
    assert!(html.contains("Windows module"), "{html}");
    assert!(html.contains("id=\"step-one\""), "{html}");
}

#[test]
fn a_large_file_builds_without_trouble_under_a_raised_limit() {
    // About 50 MB of Markdown in one page, past the default limit of 4 MiB.
    let paragraph = "Partner managers record what each workflow saves. ".repeat(20) + "\n\n";
    let body = paragraph.repeat(50 * 1024 * 1024 / paragraph.len());
    // Past the default budgets of 4 MiB of Markdown and 16 MiB a page, so
    // both are raised.
    let site = Site::with_config_and(
        "\n[limits]\nmax_markdown_bytes = 67108864\nmax_page_bytes = 100000000\n",
        &[("content/guides/huge.md", &format!("# Huge\n\n{body}"))],
    );
    site.build();
    assert!(site.read("guides/huge/index.html").len() > 50_000_000);
}

#[test]
fn slugs_cannot_leave_the_output_folder() {
    for slug in ["../../escape", "..", "a/b", ".hidden"] {
        let site = Site::with_config(&[(
            "content/guides/a.md",
            &module(&format!("title: A\nslug: \"{slug}\""), "Text.\n"),
        )]);
        let problem = only_problem(&site);
        assert!(
            problem.message.contains("cannot be part of a URL"),
            "{slug}: {problem}"
        );
        assert!(!site.root().join("escape").exists());
    }
}

const HOSTILE: &str = "<script>alert(1)</script>";

#[test]
fn markup_in_every_string_field_is_escaped_in_pages_and_exports() {
    let partner = format!(
        "name: \"{HOSTILE}\"\ntier: gold\nregion: \"{HOSTILE}\"\ntype: msp\nowner: \"{HOSTILE}\"\n\
         people:\n  - id: p1\n    role: \"{HOSTILE}\"\n    assessments:\n      - date: 2026-01-10\n        scores: {{prompting: 2}}\n\
         workflows:\n  - id: qbr\n    runs_per_quarter: 3\n\
         kpis:\n  - {{quarter: 2026-Q1, partner_sourced_revenue: 1, sales_cycle_days: 1, cost_to_serve: 1, enablement_throughput: 1, margin_contribution: 1}}\n"
    );
    let site = Site::with_config(&[
        (
            "content/modules/a.md",
            &module(
                &format!(
                    "title: \"{HOSTILE}\"\nsummary: \"{HOSTILE}\"\ntrack: basics\ntags: [\"{HOSTILE}\"]"
                ),
                "Text.\n",
            ),
        ),
        ("content/partners/acme.yaml", &partner),
    ]);
    site.build();
    // CSV files carry the data as written: they are data for spreadsheets,
    // never rendered as HTML.
    for (path, bytes) in site
        .snapshot()
        .into_iter()
        .filter(|(p, _)| !p.ends_with(".csv"))
    {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(HOSTILE), "{path} carries raw markup");
    }
    assert!(site.read("modules/a/index.html").contains("&lt;script&gt;"));
    assert!(
        site.read("partners/acme/index.html")
            .contains("&lt;script&gt;")
    );
    let json: serde_json::Value =
        serde_json::from_str(&site.read("data/metrics.json")).expect("valid JSON");
    assert_eq!(
        json["partners"][0]["name"], HOSTILE,
        "the data itself is unchanged"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn any_markdown_file_parses_or_reports_never_panics(text in "(---\n)?[ -~\n\t]{0,400}(\n---\n)?[ -~\n]{0,200}") {
        if let Ok(page) = parse_page("modules/x.md", Arc::from(text.as_str()), &Default::default()) {
            let rendered = render(&page, &LinkTargets::default());
            prop_assert!(rendered.html.len() < 100 * (text.len() + 10));
        }
    }

    #[test]
    fn any_markdown_body_renders_never_panics(body in "[#>*`\\[\\]()!@/.a-z0-9 \n|-]{0,300}") {
        let page = parse_page("guides/x.md", Arc::from(body.as_str()), &Default::default()).expect("no front matter, always a page");
        let _ = render(&page, &LinkTargets::default());
    }

    #[test]
    fn any_partner_file_parses_or_reports_never_panics(text in "[a-z_:\\- \n\"{}\\[\\],0-9.]{0,400}") {
        let _ = metrics::parse("p.yaml", Arc::from(text.as_str()), &Default::default());
    }
}

/// A site large enough that a build takes a while: many pages with code.
fn large_site() -> Site {
    let site = Site::with_config(&[]);
    let body = "## Prompt\n\n```python\nhours = runs * (before - after) / 60\nprint(hours)\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nText for the page.\n";
    for i in 0..3000 {
        site.write(
            &format!("content/guides/page-{i}.md"),
            &format!("# Page {i}\n\n{body}"),
        );
    }
    site
}

#[cfg(unix)]
#[test]
fn a_build_killed_part_way_leaves_the_previous_output_complete() {
    let site = large_site();
    site.build();
    let before = site.snapshot();
    site.write("content/guides/page-0.md", "# Changed\n");
    let mut killed = Vec::new();
    for delay_ms in [150, 300, 600, 1200] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_proficio"))
            .args(["build", "--root"])
            .arg(site.root())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start a build");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let finished = child.try_wait().expect("build status").is_some();
        let _ = child.kill();
        let status = child.wait().expect("build ends");
        if finished || status.success() {
            break;
        }
        killed.push(site.snapshot());
    }
    assert!(!killed.is_empty(), "no build was still running when killed");
    // A build killed after it replaced the output, but before it exited,
    // leaves the new output: complete as well.
    site.build();
    let after = site.snapshot();
    for snapshot in &killed {
        if *snapshot != after {
            common::assert_same_tree(&before, snapshot);
        }
    }
}
