//! The worked example in docs/metrics.md, recomputed by the library (and,
//! for what only a built site shows, by a build of the example): the
//! documentation and the code must agree on every figure.

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use common::{
    Site, main_of, metrics_doc, row_with, section, visible_text, worked_example,
    worked_example_block,
};
use proficio::base::quarter::Quarter;
use proficio::input::config::Config;
use proficio::partners::analytics::{self, person_state};
use proficio::partners::metrics;
use proficio::partners::roi::{self, BreakEven, Comparison, PaybackStatus};

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

fn comparison_partner() -> metrics::PartnerFile {
    metrics::parse("other.yaml", Arc::from(worked_example_block("yaml", 1)))
        .expect("the comparison partner parses")
}

fn quarter(text: &str) -> Quarter {
    Quarter::parse(text).expect("quarter")
}

#[test]
fn the_documented_roi_is_what_the_library_computes() {
    let (config, partner) = example();
    let other = comparison_partner();
    let baseline = quarter("2025-Q2");
    let period = [quarter("2025-Q3"), quarter("2025-Q4")];
    let both = [partner.clone(), other.clone()];
    let comparison = Comparison::of(&both, baseline, &period);
    assert_eq!(comparison.partners, 1);
    let group = comparison.by_quarter[&period[1]];
    assert!(close(
        group.cost_to_serve_reduction.expect("reported"),
        0.05
    ));
    assert!(close(group.margin_uplift.expect("reported"), 0.02));
    // Each partner bears half of the $3,000 a quarter.
    let roi = roi::roi(
        &partner,
        &config.program,
        baseline,
        &period,
        &comparison,
        1_500.0,
    );
    assert_eq!(roi.attributed_from.as_deref(), Some("2025-Q4"));
    let q3 = &roi.flows[0];
    assert_eq!(
        (q3.hours_saved, q3.cost_to_serve, q3.margin),
        (0.0, 0.0, 0.0),
        "no KPI benefit before the first embedded workflow"
    );
    assert!(close(q3.revenue_change, 20_000.0), "{q3:?}");
    let q4 = &roi.flows[1];
    assert!(close(q4.cost_to_serve_net, 1_000.0), "{q4:?}");
    assert!(close(q4.margin_net, 8_400.0), "{q4:?}");
    assert!(close(q4.cost_to_serve, 250.0), "{q4:?}");
    assert!(close(q4.margin, 2_100.0), "{q4:?}");
    assert!(close(q4.cumulative_net, 775.0), "{q4:?}");
    assert!(close(roi.hours_saved, 30.0), "{roi:?}");
    assert!(close(roi.time_value_gross, 2_850.0), "{roi:?}");
    assert!(close(roi.time_value, 1_425.0), "{roi:?}");
    assert!(close(roi.revenue_change, 80_000.0), "{roi:?}");
    assert!(
        close(roi.benefits, 3_775.0),
        "revenue is never added: {roi:?}"
    );
    assert!(close(roi.investment, 3_000.0), "{roi:?}");
    assert!(close(roi.roi.expect("an ROI"), 0.258333), "{roi:?}");
    assert_eq!(roi.payback, PaybackStatus::PaidBack);
    assert!(
        close(roi.payback_months.expect("a payback"), 5.38),
        "{roi:?}"
    );
    assert!(close(roi.low.benefits, 2_575.0), "{roi:?}");
    assert!(close(roi.low.roi.expect("an ROI"), -0.141667), "{roi:?}");
    assert_eq!(roi.low.payback, PaybackStatus::NotYet);
    assert!(close(roi.high.benefits, 4_975.0), "{roi:?}");
    assert!(close(roi.high.roi.expect("an ROI"), 0.658333), "{roi:?}");
    assert!(
        close(roi.high.payback_months.expect("a payback"), 4.81),
        "{roi:?}"
    );
    let BreakEven::Above(share) = roi.break_even else {
        panic!("a break-even share: {roi:?}");
    };
    assert!((share - 0.1676).abs() < 1e-4, "{share}");
    assert!(close(roi.npv.expect("an NPV"), 661.08), "{roi:?}");
    assert!(close(roi.low.npv.expect("an NPV"), -493.62), "{roi:?}");
    assert!(close(roi.high.npv.expect("an NPV"), 1_815.78), "{roi:?}");

    // Other Partner: no embedded workflow, so no KPI benefits.
    let control = roi::roi(
        &other,
        &config.program,
        baseline,
        &period,
        &comparison,
        1_500.0,
    );
    assert_eq!(control.benefits, 0.0, "{control:?}");
    let mut ecosystem = roi::Roi::default();
    ecosystem.add(&roi);
    ecosystem.add(&control);
    let ecosystem = ecosystem.finish(&config.program);
    assert!(
        close(ecosystem.roi.expect("an ROI"), -0.370833),
        "{ecosystem:?}"
    );
    assert_eq!(ecosystem.payback, PaybackStatus::NotYet);
    assert!(
        close(ecosystem.flows[1].cumulative_net, -2_225.0),
        "{ecosystem:?}"
    );
}

#[test]
fn the_documented_figures_are_the_ones_checked_here() {
    let doc = metrics_doc();
    for figure in [
        "**$3,775**",
        "**$3,000**",
        "**25.83%**",
        "**5.38 months**",
        "**−14.17%**",
        "**not yet**",
        "**65.83%**",
        "**4.81 months**",
        "**16.8%**",
        "**$661.08**",
        "**−37.08%**",
        "22.71",
        "56.67",
        "**On track: 1 embedded workflow, 2 of 4\npeople using AI, no warning sign**",
        "| Quarterly business reviews | 1 | 1 | 30 h | $1,425 |",
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
