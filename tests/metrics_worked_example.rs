//! The worked example in docs/metrics.md, recomputed by the library: the
//! documentation and the code must agree on every figure.

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use common::{Site, metrics_doc, worked_example, worked_example_block};
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

/// The second partner of the example: a joiner, a leaver, no KPIs for the
/// latest quarter.
fn second() -> metrics::PartnerFile {
    metrics::parse("second.yaml", Arc::from(worked_example_block("yaml", 1)))
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
                &worked_example_block("yaml", 1),
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
        "**$12,200**",
        "**$16,000**",
        "**−23.75%**",
        "**6.53 months**",
        "22.71",
        "56.67",
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
