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
    let partner = metrics::parse(
        "example.yaml",
        Arc::from(worked_example("yaml")),
        &Default::default(),
    )
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
    metrics::parse(
        "other.yaml",
        Arc::from(worked_example_block("yaml", 1)),
        &Default::default(),
    )
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
        |_| 1_500.0,
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
        |_| 1_500.0,
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

/// The second partner of the example: a joiner, a leaver, no KPIs for the
/// latest quarter.
fn second() -> metrics::PartnerFile {
    metrics::parse(
        "second.yaml",
        Arc::from(worked_example_block("yaml", 2)),
        &Default::default(),
    )
    .expect("the second partner file parses")
}

#[test]
fn the_documented_people_over_time_are_what_the_library_computes() {
    let (config, _) = example();
    let partner = second();
    let skills = analytics::skill_ids(&config);
    let rules = &config.level_rules();
    let quarter = |q: &str| Quarter::parse(q).expect("quarter");
    let headcounts: Vec<usize> = ["2025-Q2", "2025-Q3", "2025-Q4"]
        .iter()
        .map(|q| analytics::headcount_at(&partner, quarter(q)))
        .collect();
    assert_eq!(headcounts, [2, 3, 2]);
    // Each member's (id, level, score) at a quarter.
    let at = |q: &str| -> Vec<(String, usize, f64)> {
        let q = quarter(q);
        partner
            .record
            .people
            .iter()
            .filter(|p| analytics::is_member(p, q))
            .map(|p| {
                let state = person_state(p, &partner.record.workflows, q, &skills, rules);
                (p.id.clone(), state.level, state.score)
            })
            .collect()
    };
    let (baseline, latest) = (at("2025-Q2"), at("2025-Q4"));
    let ids = |of: &[(String, usize, f64)]| of.iter().map(|m| m.0.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&baseline), ["f1", "f3"]);
    assert_eq!(ids(&latest), ["f1", "f2"]);
    let levels = |of: &[(String, usize, f64)]| of.iter().map(|m| m.1).collect::<Vec<_>>();
    assert_eq!(
        levels(&baseline),
        [0, 0],
        "both nay-sayers, the joiner not among them"
    );
    assert_eq!(levels(&latest), [0, 1]);
    for (member, expected) in baseline.iter().chain(&latest).zip([30.0, 0.0, 45.0, 66.67]) {
        assert!(close(member.2, expected), "{member:?}");
    }
}

#[test]
fn the_documented_movements_reach_the_built_site() {
    let site = Site::with_config_and(
        &format!("\n{}", worked_example("toml")),
        &[
            ("content/partners/example.yaml", &worked_example("yaml")),
            (
                "content/partners/second.yaml",
                &worked_example_block("yaml", 2),
            ),
        ],
    );
    site.build();
    let json = site.read_json("data/metrics.json");
    let second = &json["partners"][1];
    assert_eq!(second["name"], "Second Partner");
    assert_eq!(
        (
            second["headcount_baseline"].as_u64(),
            second["headcount"].as_u64()
        ),
        (Some(2), Some(2))
    );
    let number = |value: &serde_json::Value| value.as_f64().expect("a number");
    assert!(close(number(&second["score_baseline"]), 15.0), "{second}");
    assert!(close(number(&second["score"]), 55.83), "{second}");
    assert!(close(number(&second["score_change"]), 15.0), "{second}");
    assert_eq!(second["score_movement"]["people"], 1);
    let counts = |levels: &serde_json::Value| -> Vec<u64> {
        levels
            .as_array()
            .expect("levels")
            .iter()
            .filter_map(|l| l["count"].as_u64())
            .collect()
    };
    assert_eq!(counts(&second["levels_baseline"]), [2, 0, 0]);
    assert_eq!(counts(&second["levels"]), [1, 1, 0]);
    let ecosystem = &json["ecosystem"];
    let kpi = |id: &str| {
        ecosystem["kpis"]
            .as_array()
            .expect("kpis")
            .iter()
            .find(|k| k["id"] == id)
            .expect(id)
            .clone()
    };
    let revenue = kpi("partner_sourced_revenue");
    assert!(close(number(&revenue["baseline"]), 800_000.0), "{revenue}");
    assert!(close(number(&revenue["latest"]), 560_000.0), "{revenue}");
    assert!(
        close(number(&revenue["vs_baseline"]["change"]), 60_000.0),
        "{revenue}"
    );
    assert!(
        close(number(&revenue["vs_baseline"]["relative"]), 0.12),
        "{revenue}"
    );
    assert_eq!(revenue["partners"]["vs_baseline"], 1);
    assert_eq!(revenue["partners"]["of"], 2);
    let cycle = kpi("sales_cycle_days");
    assert!(
        close(number(&cycle["vs_baseline"]["change"]), -6.0),
        "{cycle}"
    );
    assert_eq!(ecosystem["missing_latest"][0]["name"], "Second Partner");
    assert_eq!(
        (
            ecosystem["headcount_baseline"].as_u64(),
            ecosystem["headcount"].as_u64()
        ),
        (Some(6), Some(6))
    );
    assert!(
        close(number(&ecosystem["score_change"]), 6.33),
        "{ecosystem}"
    );
    assert_eq!(ecosystem["score_movement"]["people"], 5);
    let page = site.read("partners/second/index.html");
    for phrase in [
        "No data for 2025-Q4",
        "movement over the 1 person present in both quarters (from 30.0 to 45.0)",
    ] {
        assert!(page.contains(phrase), "the scorecard should say {phrase}");
    }
    let report = site.read("reports/executive/index.html");
    assert!(report.contains("1 of 2 partners reported both"));
    assert!(report.contains("No KPIs for 2025-Q4 from 1 of 2 partners:"));
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
        "**2 / 3 / 2**",
        "**+15.0 points**",
        "**+$60,000**",
        "**−6.0 days**",
        "**+6.33 points**",
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
    let verdict = visible_text(section(main, "verdict-title"));
    let status = bold_after("**Health at 2025-Q4.**");
    let reason = status
        .strip_prefix("On track: ")
        .unwrap_or_else(|| panic!("{status}"));
    assert!(
        verdict.contains(&format!("On track {reason}")),
        "{status} not in {verdict}"
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
