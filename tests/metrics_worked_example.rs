//! The worked example in docs/metrics.md, recomputed by the library (and,
//! for what only a built site shows, by a build of the example): the
//! documentation and the code must agree on every figure.

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use common::{Site, main_of, metrics_doc, row_with, section, visible_text, worked_example};
use proficio::base::quarter::Quarter;
use proficio::input::config::Config;
use proficio::partners::analytics::{self, person_state};
use proficio::partners::metrics;

fn example() -> (Config, metrics::PartnerFile) {
    let config = Config::parse(
        PathBuf::from("site.toml"),
        Arc::from(worked_example("toml")),
    )
    .expect("the example site.toml parses")
    .config;
    let partner = metrics::parse("example.yaml", Arc::from(worked_example("yaml")))
        .expect("the example partner file parses");
    (config, partner)
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() < 0.005
}

#[test]
fn the_documented_levels_and_scores_are_what_the_library_computes() {
    let (config, partner) = example();
    let skills = analytics::skill_ids(&config);
    let rules = &config.level_rules();
    let at = |quarter: &str| -> Vec<analytics::PersonState> {
        let quarter = Quarter::parse(quarter).expect("quarter");
        partner
            .record
            .people
            .iter()
            .map(|p| person_state(p, &partner.record.workflows, quarter, &skills, rules))
            .collect()
    };
    let latest = at("2025-Q4");
    let levels: Vec<usize> = latest.iter().map(|s| s.level).collect();
    assert_eq!(
        levels,
        vec![2, 1, 0, 0],
        "e1 practitioner, e2 experimenter, e3/e4 nay-sayers"
    );
    let baseline: Vec<usize> = at("2025-Q2").iter().map(|s| s.level).collect();
    assert_eq!(baseline, vec![0, 1, 0, 0]);
    let scores: Vec<f64> = latest.iter().map(|s| s.score).collect();
    for (score, expected) in scores.iter().zip([56.67, 26.67, 7.5, 0.0]) {
        assert!(close(*score, expected), "{scores:?}");
    }
    let partner_score = scores.iter().sum::<f64>() / 4.0;
    assert!(close(partner_score, 22.71), "{partner_score}");
}

#[test]
fn the_documented_roi_is_what_the_library_computes() {
    let (config, partner) = example();
    let baseline = Quarter::parse("2025-Q2").expect("quarter");
    let period = ["2025-Q3", "2025-Q4"].map(|q| Quarter::parse(q).expect("quarter"));
    let roi = analytics::roi(&partner, &config.program, baseline, &period, 1.0);
    assert!(close(roi.hours_saved, 60.0), "{roi:?}");
    assert!(close(roi.time_value, 5_700.0), "{roi:?}");
    assert!(close(roi.cost_to_serve_reduction, 3_000.0), "{roi:?}");
    assert!(close(roi.margin_uplift, 14_000.0), "{roi:?}");
    assert!(close(roi.attributed_margin, 3_500.0), "{roi:?}");
    assert!(close(roi.revenue_change, 80_000.0), "{roi:?}");
    assert!(
        close(roi.benefits, 12_200.0),
        "revenue is never added: {roi:?}"
    );
    assert!(close(roi.investment, 16_000.0), "{roi:?}");
    assert!(close(roi.roi.expect("an ROI"), -0.2375), "{roi:?}");
    assert!(close(roi.latest_quarter_benefits, 7_350.0), "{roi:?}");
    assert!(
        close(roi.payback_months.expect("a payback"), 6.53),
        "{roi:?}"
    );
}

#[test]
fn the_documented_figures_are_the_ones_checked_here() {
    let doc = metrics_doc();
    for figure in [
        "**$12,200**",
        "**$16,000**",
        "**−23.75%**",
        "**6.53 months**",
        "22.71",
        "56.67",
        "**On track: 1 embedded workflow, 2 of 4\npeople using AI, no warning sign**",
        "| Quarterly business reviews | 1 | 1 | 60 h | $5,700 |",
    ] {
        assert!(
            doc.contains(figure),
            "docs/metrics.md should state {figure}"
        );
    }
}

/// The worked example as a site: its `[program]`, its partner and its
/// modules (each file of the `markdown` block after its `<!-- path -->`).
fn example_site() -> Site {
    let site = Site::with_config_and(&format!("\n{}", worked_example("toml")), &[]);
    site.write("content/partners/example.yaml", &worked_example("yaml"));
    let modules = worked_example("markdown");
    for file in modules.split("<!-- ").skip(1) {
        let (path, front) = file.split_once(" -->\n").expect("a path, then the file");
        site.write(path, &format!("{front}\nBody.\n"));
    }
    site.build();
    site
}

/// The doc's sentence between `**` after `lead`.
fn bold_after(lead: &str) -> String {
    let doc = metrics_doc();
    let example = doc.split("## Worked example").nth(1).expect("the example");
    let after = &example[example.find(lead).expect("the paragraph") + lead.len()..];
    let start = after.find("**").expect("a bold figure") + 2;
    let end = start + after[start..].find("**").expect("closed bold");
    after[start..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_documented_health_recommendations_and_workflow_table_are_what_a_build_shows() {
    let site = example_site();
    let scorecard = site.read("partners/example/index.html");
    let main = main_of(&scorecard);
    let header = visible_text(&main[..main.find("</header>").expect("a header")]);
    let status = bold_after("**Health at 2025-Q4.**");
    assert!(status.starts_with("On track: "), "{status}");
    assert!(
        header.contains(&format!("{status}.")),
        "{status} not in {header}"
    );

    let next = section(main, "next-title");
    let titles: Vec<String> = next
        .split("<h3")
        .skip(1)
        .map(|card| visible_text(&format!("<h3{}", card.split("</h3>").next().unwrap_or(""))))
        .collect();
    let documented = bold_after("scorecard\nrecommends, in this order:");
    assert_eq!(titles.join(", "), documented);

    let report = site.read("reports/executive/index.html");
    let table = section(main_of(&report), "workflows-pay-title");
    let doc = metrics_doc();
    let rows: Vec<&str> = doc
        .split("**Which workflows pay**")
        .nth(1)
        .expect("the workflow table")
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| workflow"))
        .collect();
    assert_eq!(rows.len(), 6, "one row per catalogue workflow");
    let mut at = 0;
    for row in rows {
        let cells: Vec<&str> = row
            .split('|')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        let shown = row_with(table, &format!(">{}<", cells[0]));
        assert_eq!(shown, cells.join(" "));
        let place = table.find(&format!(">{}<", cells[0])).expect("the row");
        assert!(place > at, "{} out of order", cells[0]);
        at = place;
    }
}
