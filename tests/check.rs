//! `proficio check`: broken links and anchors (from Markdown and from
//! templates), images without alt text, unused assets, modules outside every
//! track, the JSON report and the exit codes, that each kind of problem
//! comes out under its documented code, and that nothing is written.

mod common;

use std::path::Path;

use common::command::{proficio, root_arg};
use common::{SITE_TOML, Site, module};
use proficio::Diagnostic;
use proficio::check::{self, Code, Report, Severity};

/// A module in the `basics` track.
fn tracked(title: &str, body: &str) -> String {
    module(&format!("title: {title}\ntrack: basics"), body)
}

/// A small site with no problems: two tracked modules linking to each other.
fn clean_site() -> Site {
    Site::with_config(&[
        (
            "content/modules/first.md",
            &tracked(
                "First",
                "## Getting started\n\nThen read [the second](@/modules/second.md#details).\n",
            ),
        ),
        (
            "content/modules/second.md",
            &tracked(
                "Second",
                "## Details\n\nBack to [the start](first.md#getting-started) or [top](#top).\n",
            ),
        ),
    ])
}

fn check_site(site: &Site) -> Report {
    check::check(&site.options()).unwrap_or_else(|e| panic!("check failed to run: {e}"))
}

fn with_code(report: &Report, code: Code) -> Vec<&Diagnostic> {
    report.findings.iter().filter(|f| f.code == code).collect()
}

fn describe(report: &Report) -> String {
    report.render(false)
}

#[test]
fn a_clean_site_passes_and_writes_nothing() {
    let site = clean_site();
    let report = check_site(&site);
    assert!(report.findings.is_empty(), "{}", describe(&report));
    let output = proficio(&["check", "--strict", "--root", &root_arg(&site)]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("no problems found"), "{text}");
    assert!(
        !site.output().exists(),
        "check must not create the output folder"
    );
}

#[test]
fn a_broken_anchor_in_markdown_is_located_in_its_source() {
    let site = clean_site();
    site.write(
        "content/modules/first.md",
        &tracked(
            "First",
            "## Getting started\n\nRead [it](@/modules/second.md#nowhere).\n",
        ),
    );
    let report = check_site(&site);
    let anchors = with_code(&report, Code::BrokenAnchor);
    assert_eq!(anchors.len(), 1, "{}", describe(&report));
    let finding = anchors[0];
    assert_eq!(finding.severity, Severity::Error);
    assert_eq!(finding.file, Path::new("content/modules/first.md"));
    // Line 7 of the file; the column of `#nowhere` after `@/modules/second.md`.
    assert_eq!(
        (finding.line(), finding.column()),
        (7, 30),
        "{}",
        describe(&report)
    );
    assert!(finding.message.contains("nowhere"), "{}", finding.message);
    let human = describe(&report);
    assert!(
        human.contains("Read [it](@/modules/second.md#nowhere)"),
        "{human}"
    );
    assert!(human.contains('^'), "{human}");
}

#[test]
fn anchors_written_for_github_and_the_classic_ids_both_resolve() {
    let site = clean_site();
    site.write(
        "content/modules/second.md",
        &tracked("Second", "## What's new?\n\n## Details\n\n## Next steps\n"),
    );
    site.write(
        "content/modules/first.md",
        &tracked(
            "First",
            "[GitHub's](@/modules/second.md#whats-new) [classic](second.md#what-s-new)\n\n\
             [typo](@/modules/second.md#whats-neww)\n",
        ),
    );
    let report = check_site(&site);
    let anchors = with_code(&report, Code::BrokenAnchor);
    assert_eq!(anchors.len(), 1, "{}", describe(&report));
    assert!(
        anchors[0].message.contains("`whats-neww`"),
        "{}",
        anchors[0].message
    );
    assert_eq!(
        anchors[0].hint.as_deref(),
        Some(
            "did you mean `whats-new`, `what-s-new`? Other ids on that page: \
             `details`, `main`, `menu-toggle`, `next-steps`, `site-search-q`"
        ),
        "{}",
        describe(&report)
    );
}

#[test]
fn every_srcset_candidate_is_checked_and_a_missing_one_located_in_its_source() {
    let site = clean_site();
    site.write(
        "content/modules/tour/index.md",
        &tracked(
            "Tour",
            "The dashboard:\n\n<img src=\"shot.png\" alt=\"Dashboard\" srcset=\"shot.png 1x, shot@2x.png 2x\">\n",
        ),
    );
    site.write_bytes("content/modules/tour/shot.png", b"\x89PNG");
    let report = check_site(&site);
    let broken = with_code(&report, Code::BrokenLink);
    assert_eq!(broken.len(), 1, "{}", describe(&report));
    let finding = broken[0];
    assert!(
        finding.message.contains("shot@2x.png"),
        "{}",
        finding.message
    );
    assert_eq!(finding.file, Path::new("content/modules/tour/index.md"));
    // Line 7 of the file, at the missing candidate.
    assert_eq!(
        (finding.line(), finding.column()),
        (7, 58),
        "{}",
        describe(&report)
    );
}

#[test]
fn a_broken_link_produced_by_a_template_names_the_page_and_template() {
    let site = clean_site();
    site.write("content/about.md", "---\ntitle: About\n---\nAbout us.\n");
    site.write(
        "templates/page.html",
        "<!doctype html>\n<html lang=\"en\"><title>{{ page.title }}</title>\n<body>\n<a href=\"/no-such-page/\">Gone</a>\n</body></html>\n",
    );
    let report = check_site(&site);
    let links = with_code(&report, Code::BrokenLink);
    assert_eq!(links.len(), 1, "{}", describe(&report));
    let finding = links[0];
    assert_eq!(finding.file, Path::new("public/about/index.html"));
    assert_eq!((finding.line(), finding.column()), (4, 4));
    let hint = finding.hint.as_deref().unwrap_or_default();
    assert!(hint.contains("templates/page.html"), "{hint}");
    assert!(hint.contains("content/about.md"), "{hint}");
}

#[test]
fn an_image_without_alt_text_is_an_error_in_the_markdown() {
    let site = clean_site();
    site.write_bytes("content/modules/shot/diagram.svg", b"<svg/>");
    site.write(
        "content/modules/shot/index.md",
        &tracked(
            "Shot",
            "Intro.\n\n<img src=\"diagram.svg\">\n\n![Decorative](diagram.svg)\n\n<img src=\"diagram.svg\" alt=\"\">\n",
        ),
    );
    let report = check_site(&site);
    let images = with_code(&report, Code::ImageMissingAlt);
    assert_eq!(images.len(), 1, "{}", describe(&report));
    assert_eq!(images[0].file, Path::new("content/modules/shot/index.md"));
    assert_eq!((images[0].line(), images[0].column()), (7, 11));
    assert_eq!(report.errors(), 1, "{}", describe(&report));
}

#[test]
fn an_unused_asset_is_a_warning_that_strict_makes_fatal() {
    let site = clean_site();
    site.write_bytes("content/files/old-deck.pdf", b"%PDF-1.4");
    let report = check_site(&site);
    let unused = with_code(&report, Code::UnusedAsset);
    assert_eq!(unused.len(), 1, "{}", describe(&report));
    assert_eq!(unused[0].severity, Severity::Warning);
    assert_eq!(unused[0].file, Path::new("content/files/old-deck.pdf"));
    assert_eq!(report.errors(), 0);

    let root = root_arg(&site);
    let relaxed = proficio(&["check", "--root", &root]);
    assert_eq!(relaxed.status.code(), Some(0), "{relaxed:?}");
    let strict = proficio(&["check", "--strict", "--root", &root]);
    assert_eq!(strict.status.code(), Some(1), "{strict:?}");
    assert!(String::from_utf8_lossy(&strict.stdout).contains("old-deck.pdf"));
}

#[test]
fn an_asset_a_page_links_to_is_used() {
    let site = clean_site();
    site.write_bytes("content/files/deck.pdf", b"%PDF-1.4");
    site.write(
        "content/_index.md",
        "---\ntitle: Home\n---\nGet [the deck](/files/deck.pdf).\n",
    );
    let report = check_site(&site);
    assert!(report.findings.is_empty(), "{}", describe(&report));
}

#[test]
fn a_module_without_a_track_is_a_warning_at_its_front_matter() {
    let site = clean_site();
    site.write(
        "content/modules/stray.md",
        &module("title: Stray", "Nobody finds me.\n"),
    );
    let report = check_site(&site);
    let stray = with_code(&report, Code::ModuleWithoutTrack);
    assert_eq!(stray.len(), 1, "{}", describe(&report));
    assert_eq!(stray[0].severity, Severity::Warning);
    assert_eq!(stray[0].file, Path::new("content/modules/stray.md"));
    assert_eq!((stray[0].line(), stray[0].column()), (2, 1));
    assert!(
        stray[0]
            .hint
            .as_deref()
            .unwrap_or_default()
            .contains("basics")
    );
}

#[test]
fn a_data_url_in_markdown_is_never_taken_for_a_path_of_the_site() {
    let site = Site::with_config_and(
        "\n[markdown]\nhtml = \"allow\"\n",
        &[(
            "content/guides/a.md",
            "# A\n\n[d](data:text/html,hi) ![i](data:image/png;base64,AAAA)\n",
        )],
    );
    site.build();
    let html = site.read("guides/a/index.html");
    assert!(html.contains("href=\"data:text/html,hi\""), "{html}");
    assert!(
        html.contains("src=\"data:image/png;base64,AAAA\""),
        "{html}"
    );
    let report = check_site(&site);
    assert!(
        with_code(&report, Code::BrokenLink).is_empty(),
        "{}",
        describe(&report)
    );
}

#[test]
fn input_errors_become_error_findings_and_exit_1() {
    let site = clean_site();
    site.write(
        "content/modules/bad.md",
        &tracked("Bad", "See [gone](@/modules/gone.md).\n"),
    );
    let report = check_site(&site);
    assert!(report.errors() >= 1, "{}", describe(&report));
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.file == Path::new("content/modules/bad.md") && f.line() == 5),
        "{}",
        describe(&report)
    );
    let output = proficio(&["check", "--root", &root_arg(&site)]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(!site.output().exists());
}

#[test]
fn json_output_has_the_documented_keys_in_a_stable_order() {
    let site = clean_site();
    site.write_bytes("content/files/a.pdf", b"%PDF");
    site.write(
        "content/modules/stray.md",
        &module("title: Stray", "[x](#missing)\n"),
    );
    let output = proficio(&["check", "--format", "json", "--root", &root_arg(&site)]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is one JSON document");
    assert_eq!(json["version"], 1);
    assert_eq!(json["errors"], 1);
    assert_eq!(json["warnings"], 2);
    let findings = json["findings"].as_array().expect("findings array");
    let codes: Vec<&str> = findings.iter().filter_map(|f| f["code"].as_str()).collect();
    assert_eq!(
        codes,
        ["unused-asset", "module-without-track", "broken-anchor"]
    );
    for finding in findings {
        let keys: Vec<&String> = finding.as_object().expect("object").keys().collect();
        for key in [
            "severity", "code", "message", "file", "line", "column", "hint",
        ] {
            assert!(keys.iter().any(|k| *k == key), "{key} missing in {finding}");
        }
    }
    assert_eq!(findings[2]["file"], "content/modules/stray.md");
    assert_eq!(findings[2]["line"], 4);
    assert_eq!(findings[2]["column"], 5);
    assert_eq!(findings[0]["severity"], "warning");

    let strict = proficio(&[
        "check",
        "--strict",
        "--format",
        "json",
        "--root",
        &root_arg(&site),
    ]);
    let json: serde_json::Value = serde_json::from_slice(&strict.stdout).expect("JSON");
    assert_eq!(
        (json["errors"].as_u64(), json["warnings"].as_u64()),
        (Some(3), Some(0))
    );
}

#[test]
fn usage_errors_exit_2() {
    let output = proficio(&["check", "--format", "xml"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}

#[test]
fn a_site_published_under_a_sub_path_resolves_root_relative_links() {
    let config = SITE_TOML.replace("https://example.com/", "https://example.com/portal/");
    let site = Site::new(&[
        ("site.toml", &config),
        (
            "content/modules/first.md",
            &tracked("First", "## Part\n\n[Same](#part)\n"),
        ),
    ]);
    let report = check_site(&site);
    assert!(report.findings.is_empty(), "{}", describe(&report));
}

#[test]
fn the_demo_portal_is_clean_under_strict() {
    let root = env!("CARGO_MANIFEST_DIR");
    let output = proficio(&["check", "--strict", "--root", root]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn a_partner_referencing_an_unknown_module_is_an_error() {
    let site = clean_site();
    let demo_partner = include_str!("../content/partners/kestrel-advisory.yaml");
    site.write("content/partners/kestrel-advisory.yaml", demo_partner);
    let report = check_site(&site);
    let unknown: Vec<&Diagnostic> = with_code(&report, Code::PartnerData)
        .into_iter()
        .filter(|f| f.message.contains("unknown module"))
        .collect();
    assert!(!unknown.is_empty(), "{}", describe(&report));
    assert_eq!(
        unknown[0].file,
        Path::new("content/partners/kestrel-advisory.yaml")
    );
    assert!(unknown[0].line() > 0);
}

#[test]
fn a_partner_audience_check_says_only_that_another_partners_file_has_a_problem() {
    let site = Site::demo();
    site.write(
        "content/partners/zz-broken-secret.yaml",
        "name: [Secret Holdings\n",
    );
    let mut options = site.options();
    options.audience = proficio::base::audience::Audience::Partner("kestrel-advisory".to_string());
    let report = check::check(&options).expect("the check runs");
    let notes = with_code(&report, Code::PartnerData);
    assert_eq!(notes.len(), 1, "{}", describe(&report));
    assert_eq!(notes[0].message, "another partner's file has a problem");
    assert_eq!(notes[0].file, Path::new("content/partners"));
    let json = report.to_json();
    assert!(
        !json.contains("zz-broken-secret") && !json.contains("Secret Holdings"),
        "{json}"
    );
    assert_eq!(report.errors(), 0, "{}", describe(&report));
}

/// The codes of a site's findings, and the human report for a failure message.
fn codes_of(site: &Site) -> (Vec<Code>, String) {
    let report = check_site(site);
    let codes = report.findings.iter().map(|f| f.code).collect();
    (codes, describe(&report))
}

#[test]
fn each_problem_the_build_reports_comes_out_under_its_code() {
    // Each case: what to write into a clean site, and the one code expected.
    let cases: [(&str, &str, Code); 6] = [
        (
            "site.toml",
            &format!("{SITE_TOML}highlight_theme = \"no-such-theme\"\n"),
            Code::Config,
        ),
        (
            "site.toml",
            &format!("{SITE_TOML}theme = \"nowhere\"\n"),
            Code::Config,
        ),
        ("templates/page.html", "{% if %}broken\n", Code::Template),
        (
            "content/modules/first.md",
            "---\ntitle: First\ntrack: basics\nlevel: guru\n---\nText.\n",
            Code::Input,
        ),
        (
            "content/modules/first.md",
            &tracked("First", "See [gone](@/modules/gone.md).\n"),
            Code::BrokenLink,
        ),
        (
            "content/partners/acme.yaml",
            "name: [Acme\n",
            Code::PartnerData,
        ),
    ];
    for (file, text, code) in cases {
        let site = clean_site();
        site.write(file, text);
        if file.starts_with("templates/") {
            site.write("content/about.md", "---\ntitle: About\n---\nAbout us.\n");
        }
        let (codes, human) = codes_of(&site);
        assert_eq!(codes, [code], "{file}: {human}");
        // A stopped build's problems look in the report as the build prints them.
        assert!(human.starts_with("error: "), "{file}: {human}");
    }
}

#[test]
fn each_finding_of_a_rendered_site_comes_out_under_its_code() {
    let site = clean_site();
    site.write_bytes("content/files/unused.pdf", b"%PDF");
    site.write_bytes("content/modules/third/shot.svg", b"<svg/>");
    site.write(
        "content/modules/third/index.md",
        &tracked(
            "Third",
            "## Part\n\n[gone](/no-such-page/) [anchor](#nowhere)\n\n<img src=\"shot.svg\">\n\n<script>alert(1)</script>\n",
        ),
    );
    site.write(
        "content/modules/stray.md",
        &module("title: Stray", "[back](@/modules/second.md)\n"),
    );
    let (mut codes, human) = codes_of(&site);
    codes.sort();
    assert_eq!(
        codes,
        [
            Code::BrokenLink,
            Code::BrokenAnchor,
            Code::ImageMissingAlt,
            Code::UnusedAsset,
            Code::ModuleWithoutTrack,
            Code::RawHtmlRemoved,
        ],
        "{human}"
    );
    for (code, header) in [
        (Code::BrokenLink, "error[broken-link]: "),
        (Code::UnusedAsset, "warning[unused-asset]: "),
        (Code::RawHtmlRemoved, "warning[raw-html-removed]: "),
    ] {
        assert!(human.contains(header), "{code}: {human}");
    }
}

#[cfg(unix)]
#[test]
fn a_bad_link_in_the_partner_folder_is_one_partner_data_error() {
    let site = clean_site();
    std::fs::create_dir_all(site.path("content/partners")).expect("partner folder");
    std::os::unix::fs::symlink("/nonexistent", site.path("content/partners/gone.yaml"))
        .expect("symlink");
    let report = check_site(&site);
    let codes: Vec<Code> = report.findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, [Code::PartnerData], "{}", describe(&report));
    assert_eq!(
        report.findings[0].file,
        Path::new("content/partners/gone.yaml")
    );
}
