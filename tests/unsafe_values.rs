//! Values that are harmless on a page but dangerous elsewhere: partner file
//! names become ids (and so URLs, sitemap entries and export cells) and must
//! follow the id grammar, with the refusal printing the name escaped; the
//! sitemap's and feed's URLs are percent-encoded whatever a content file is
//! called; and no CSV text cell can start a spreadsheet formula.

mod common;

use common::command::{proficio, root_arg, stderr};
use common::{Site, describe, module};

/// A valid partner file named `name`, in `region`.
fn partner(name: &str, region: &str) -> String {
    format!(
        "name: {name}\ntier: gold\nregion: {region}\ntype: reseller\nowner: Sam Okafor\n\
         people:\n  - id: p1\n    role: partner manager\n    assessments:\n      \
         - date: 2025-06-01\n        scores: {{prompting: 2}}\n\
         workflows:\n  - id: qbr\n    embedded: true\n    since: 2025-Q3\n    \
         minutes_before: 120\n    minutes_after: 60\n    runs_per_quarter: 4\n\
         kpis:\n  \
         - {{quarter: 2025-Q2, partner_sourced_revenue: 100000, sales_cycle_days: 60, cost_to_serve: 10000, enablement_throughput: 2, margin_contribution: -12.5}}\n  \
         - {{quarter: 2025-Q3, partner_sourced_revenue: 110000, sales_cycle_days: 55, cost_to_serve: 9000, enablement_throughput: 3, margin_contribution: 20000}}\n"
    )
}

/// A site with one module and the partner files `partners` (file name, text).
fn site_with_partners(partners: &[(&str, String)]) -> Site {
    let site = Site::with_config(&[(
        "content/modules/first-steps.md",
        &module("title: First steps\ntrack: basics", "Start here.\n"),
    )]);
    for (file_name, text) in partners {
        site.write(&format!("content/partners/{file_name}"), text);
    }
    site
}

// ---------------------------------------------------------- partner file names

/// Partner file names that are not ids, and how the refusal must show them.
#[cfg(unix)]
const BAD_NAMES: [(&str, &str); 9] = [
    ("acme systems.yaml", "acme systems.yaml"),
    ("acme\"s.yaml", "acme\"s.yaml"),
    ("acme<b>.yaml", "acme<b>.yaml"),
    ("acme\nsystems.yaml", "acme\\nsystems.yaml"),
    ("acme\\systems.yaml", "acme\\\\systems.yaml"),
    ("acme\u{202e}lmth.yaml", "acme\\u{202e}lmth.yaml"),
    ("ac\u{200b}me.yaml", "ac\\u{200b}me.yaml"),
    ("Acme.yaml", "Acme.yaml"),
    ("acme_systems.yml", "acme_systems.yml"),
];

/// True when `text` holds a character a terminal would act on rather than
/// show: a line break or other control, a bidi control or a zero-width one.
fn has_unsafe_character(text: &str) -> bool {
    text.chars().any(|c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

#[cfg(unix)]
#[test]
fn partner_file_names_that_are_not_ids_are_refused_and_shown_escaped() {
    for (name, shown) in BAD_NAMES {
        let site = site_with_partners(&[(name, partner("Acme", "EMEA"))]);
        let diagnostics = site.build_rejected();
        assert_eq!(diagnostics.len(), 1, "{name:?}: {}", describe(&diagnostics));
        let problem = &diagnostics[0];
        assert_eq!(
            problem.file.to_str(),
            Some(format!("content/partners/{shown}").as_str()),
            "{name:?}"
        );
        assert_eq!((problem.line(), problem.column()), (1, 1), "{name:?}");
        assert_eq!(
            problem.message,
            format!("partner file name `{shown}` is not a valid partner id"),
            "{name:?}"
        );
        let expected = problem.expected.as_deref().unwrap_or_default();
        assert!(
            expected.contains("lower-case letters, digits and single dashes"),
            "{name:?}: {expected}"
        );
        // Neither the one-line form nor the terminal report carries the raw
        // character: the report's only line breaks are its own.
        let line = problem.to_string();
        assert!(
            !line.contains('\n') && !has_unsafe_character(&line),
            "{line:?}"
        );
        let report = problem.render(false);
        assert!(!has_unsafe_character(&report), "{report:?}");
        assert!(
            report.contains(&format!("content/partners/{shown}:1:1")),
            "{report}"
        );
        assert!(!site.output().exists(), "{name:?}: nothing is published");
    }
}

#[cfg(unix)]
#[test]
fn the_command_line_prints_a_bad_partner_file_name_escaped() {
    let site = site_with_partners(&[
        ("acme\nsystems\u{202e}.yaml", partner("Acme", "EMEA")),
        ("good-partner.yaml", partner("Good", "EMEA")),
    ]);
    let output = proficio(&["build", "--root", &root_arg(&site)]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr(&output);
    assert!(
        stderr
            .contains("partner file name `acme\\nsystems\\u{202e}.yaml` is not a valid partner id"),
        "{stderr}"
    );
    assert!(
        stderr.contains("content/partners/acme\\nsystems\\u{202e}.yaml:1:1"),
        "{stderr}"
    );
    assert!(!has_unsafe_character(&stderr), "{stderr:?}");
    assert!(
        !stderr.lines().any(|l| l.starts_with("systems")),
        "{stderr}"
    );
}

#[test]
fn partner_file_names_that_are_ids_are_accepted() {
    let site = site_with_partners(&[
        ("acme-systems.yaml", partner("Acme", "EMEA")),
        ("north2.yml", partner("North", "EMEA")),
    ]);
    site.build();
    assert!(site.built("partners/acme-systems/index.html"));
    assert!(site.built("partners/north2/index.html"));
}

// ------------------------------------------------------ sitemap and feed URLs

/// The text between every `open` and the next `close` of `text`.
fn between<'a>(text: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    text.split(open)
        .skip(1)
        .map(|rest| &rest[..rest.find(close).expect("closed")])
        .collect()
}

/// True for a URL made only of what RFC 3986 lets a URL hold as written
/// (the characters used here: unreserved, `:`, `/` and percent escapes).
fn is_encoded_url(url: &str) -> bool {
    url.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._~:/%".contains(c))
}

#[test]
fn sitemap_and_feed_urls_are_percent_encoded() {
    let site = Site::with_config(&[
        (
            "content/modules/café & <more> \"x\" 100%.md",
            &module("title: Café\ndate: 2026-01-02", "Hello.\n"),
        ),
        (
            "content/modules/slugged.md",
            &module("title: Slugged\nslug: \"a<b>&c'd\"", "Hello.\n"),
        ),
    ]);
    site.build();
    let cafe = "https://example.com/modules/caf%C3%A9%20%26%20%3Cmore%3E%20%22x%22%20100%25/";
    let slugged = "https://example.com/modules/a%3Cb%3E%26c%27d/";

    let sitemap = site.read("sitemap.xml");
    let locs = between(&sitemap, "<loc>", "</loc>");
    assert!(locs.contains(&cafe), "{sitemap}");
    assert!(locs.contains(&slugged), "{sitemap}");
    assert!(locs.iter().all(|url| is_encoded_url(url)), "{sitemap}");

    let feed = site.read("atom.xml");
    let ids = between(&feed, "<id>", "</id>");
    let links = between(&feed, "href=\"", "\"");
    for url in [cafe, slugged] {
        assert!(ids.contains(&url), "{feed}");
        assert!(links.contains(&url), "{feed}");
    }
    assert!(
        ids.iter().chain(&links).all(|url| is_encoded_url(url)),
        "{feed}"
    );

    // The page is still written where a server finds it once it decodes the URL.
    assert!(site.built("modules/café & <more> \"x\" 100%/index.html"));
    let page = site.read("modules/café & <more> \"x\" 100%/index.html");
    assert!(page.contains(&format!("<link rel=\"canonical\" href=\"{cafe}\">")));
}

// ------------------------------------------------------------- CSV injection

/// A partner `name` or `region` a spreadsheet would run as a formula.
const FORMULAS: [(&str, &str); 6] = [
    (
        "\"=HYPERLINK(\\\"http://x\\\",\\\"y\\\")\"",
        "=HYPERLINK(\"http://x\",\"y\")",
    ),
    ("\"+cmd|' /C calc'!A0\"", "+cmd|' /C calc'!A0"),
    ("\"-2+3+cmd|' /C calc'!A0\"", "-2+3+cmd|' /C calc'!A0"),
    (
        "\"@SUM(1+1)*cmd|' /C calc'!A0\"",
        "@SUM(1+1)*cmd|' /C calc'!A0",
    ),
    ("\"\\t=1+1\"", "\t=1+1"),
    ("\"\\r=1+1\"", "\r=1+1"),
];

/// The records of a built CSV file, header first.
fn records(site: &Site, file: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(site.read(file).as_bytes())
        .records()
        .map(|r| r.expect("a CSV record").iter().map(String::from).collect())
        .collect()
}

/// The cells of column `name` of a CSV file's records.
fn column(records: &[Vec<String>], name: &str) -> Vec<String> {
    let at = records[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    records[1..].iter().map(|r| r[at].clone()).collect()
}

fn starts_a_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[test]
fn csv_text_cells_that_start_a_formula_are_neutralised() {
    let partners: Vec<(String, String)> = FORMULAS
        .iter()
        .enumerate()
        .map(|(i, (yaml, _))| (format!("p{i}.yaml"), partner(yaml, yaml)))
        .chain([(
            "plain.yaml".to_string(),
            partner("A=B Partners", "EMEA - North"),
        )])
        .collect();
    let files: Vec<(&str, String)> = partners
        .iter()
        .map(|(name, text)| (name.as_str(), text.clone()))
        .collect();
    let site = site_with_partners(&files);
    site.build();

    let rows = records(&site, "data/partners.csv");
    let names = column(&rows, "name");
    let regions = column(&rows, "region");
    for (i, (_, value)) in FORMULAS.iter().enumerate() {
        let at = column(&rows, "id")
            .iter()
            .position(|id| *id == format!("p{i}"))
            .expect("a row per partner");
        let neutral = format!("'{value}");
        assert_eq!(names[at], neutral, "name of p{i}");
        assert_eq!(regions[at], neutral, "region of p{i}");
    }
    // A value with such a character later on is left as it is.
    let plain = column(&rows, "id")
        .iter()
        .position(|id| id == "plain")
        .expect("the plain partner's row");
    assert_eq!(names[plain], "A=B Partners");
    assert_eq!(regions[plain], "EMEA - North");

    // No text cell of any export starts a formula; numbers are not text.
    let numeric = [
        "headcount",
        "score",
        "score_change",
        "hours_saved",
        "benefits",
        "investment",
        "roi",
        "payback_months",
        "value",
        "minutes_before",
        "minutes_after",
        "runs_per_quarter",
        "hours_saved_latest",
        "people_using_ai",
    ];
    for file in ["data/partners.csv", "data/kpis.csv", "data/workflows.csv"] {
        let rows = records(&site, file);
        for header in &rows[0] {
            if numeric.contains(&header.as_str()) || header.starts_with("people_") {
                continue;
            }
            for cell in column(&rows, header) {
                assert!(!starts_a_formula(&cell), "{file} {header}: {cell:?}");
            }
        }
    }
}

#[test]
fn negative_numbers_in_csv_exports_stay_numbers() {
    let site = site_with_partners(&[("acme.yaml", partner("Acme", "EMEA"))]);
    site.build();
    let kpis = site.read("data/kpis.csv");
    assert!(
        kpis.contains("acme,2025-Q2,margin_contribution,-12.5\n"),
        "{kpis}"
    );
    assert!(!kpis.contains("'-"), "{kpis}");
}
