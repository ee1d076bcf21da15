//! The worked example in docs/metrics.md, recomputed by the library: the
//! documentation and the code must agree on every figure.

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use common::{metrics_doc, worked_example};
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
    ] {
        assert!(
            doc.contains(figure),
            "docs/metrics.md should state {figure}"
        );
    }
}
