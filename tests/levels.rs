//! Proficiency levels as a site defines them: any number of levels in
//! `[[levels]]`, each with its rule; people land at the highest level whose
//! rule they meet and the pages and `metrics.json` count them there; rules
//! that cannot work are located in `site.toml` with what was expected.

mod common;

use common::problems::{assert_at_expecting, only};
use common::{Site, describe, module, scores};
use serde_json::Value;

/// Four levels: the default three and an expert above them.
const FOUR_LEVELS: &str = r#"
[[levels]]
id = "nay-sayer"
title = "Nay-sayer"

[[levels]]
id = "experimenter"
title = "Experimenter"
min_ai_workflows = 1

[[levels]]
id = "practitioner"
title = "Practitioner"
min_ai_workflows = 1
min_embedded_workflows = 1
min_mean_score = 2.5

[[levels]]
id = "expert"
title = "Expert"
min_embedded_workflows = 2
min_mean_score = 3.2
"#;

/// A person with every skill at `score` using AI in `workflows` since
/// 2025-05-01.
fn person(id: &str, score: u8, workflows: &[&str]) -> String {
    let mut yaml = format!(
        "  - id: {id}\n    role: partner manager\n    assessments:\n      - date: 2025-06-01\n        scores: {}\n",
        scores(score, &[])
    );
    if !workflows.is_empty() {
        yaml.push_str("    ai_use:\n");
        for workflow in workflows {
            yaml.push_str(&format!(
                "      - workflow: {workflow}\n        since: 2025-05-01\n"
            ));
        }
    }
    yaml
}

/// A partner whose five people land at each of the four levels at 2025-Q3:
/// `qbr` and `onboarding` are embedded from 2025-Q3, `co-selling` never.
fn partner() -> String {
    let people = [
        person("p1", 1, &[]),
        person("p2", 1, &["co-selling"]),
        person("p3", 3, &["qbr"]),
        person("p4", 3, &["qbr", "onboarding"]),
        person("p5", 4, &["qbr", "onboarding"]),
    ]
    .concat();
    let workflow = |id: &str| {
        format!(
            "  - id: {id}\n    embedded: true\n    since: 2025-Q3\n    documented: true\n    quality_standard: true\n    minutes_before: 120\n    minutes_after: 60\n    runs_per_quarter: 4\n"
        )
    };
    let kpi = |quarter: &str| {
        format!(
            "  - {{quarter: {quarter}, partner_sourced_revenue: 100000, sales_cycle_days: 90, cost_to_serve: 1000, enablement_throughput: 2, margin_contribution: 5000}}\n"
        )
    };
    format!(
        "name: Four Levels Partner\ntier: silver\nregion: EMEA\ntype: reseller\nowner: Sam Okafor\npeople:\n{people}workflows:\n{}{}kpis:\n{}{}",
        workflow("qbr"),
        workflow("onboarding"),
        kpi("2025-Q2"),
        kpi("2025-Q3"),
    )
}

fn site_with(levels: &str) -> Site {
    Site::with_config_and(
        levels,
        &[
            (
                "content/modules/first-steps.md",
                &module("title: First steps\nlevel: experimenter", "Start here.\n"),
            ),
            ("content/partners/four.yaml", &partner()),
        ],
    )
}

/// (id, count) of each level of a `levels` array in `metrics.json`.
fn counts(levels: &Value) -> Vec<(String, u64)> {
    levels
        .as_array()
        .expect("levels")
        .iter()
        .map(|l| {
            (
                l["id"].as_str().expect("id").to_string(),
                l["count"].as_u64().expect("count"),
            )
        })
        .collect()
}

#[test]
fn the_four_levels_are_the_example_of_docs_metrics_md() {
    assert!(
        common::metrics_doc().contains(&format!("```toml{FOUR_LEVELS}```")),
        "docs/metrics.md shows these four levels"
    );
}

#[test]
fn four_levels_each_get_their_people_in_metrics_json_and_the_scorecard() {
    let site = site_with(FOUR_LEVELS);
    site.build();
    let json = site.read_json("data/metrics.json");
    let partner = &json["partners"][0];
    let latest = counts(&partner["levels"]);
    assert_eq!(
        latest,
        [
            ("nay-sayer".to_string(), 1),
            ("experimenter".to_string(), 1),
            ("practitioner".to_string(), 2),
            ("expert".to_string(), 1),
        ],
        "p1 no AI, p2 none embedded, p3 one embedded, p4 two embedded at 3.0 < 3.2, p5 two at 4.0"
    );
    assert_eq!(
        latest.iter().map(|(_, n)| n).sum::<u64>(),
        5,
        "the headcount"
    );
    // Before `qbr` and `onboarding` were embedded everyone with AI experimented.
    let baseline: Vec<u64> = counts(&partner["levels_baseline"])
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    assert_eq!(baseline, [1, 4, 0, 0]);
    let ecosystem: Vec<u64> = counts(&json["ecosystem"]["levels"])
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    assert_eq!(ecosystem, [1, 1, 2, 1]);

    let html = site.read("partners/four/index.html");
    assert!(
        html.contains("<desc>2025-Q2: 1 Nay-sayer, 4 Experimenter, 0 Practitioner, 0 Expert; 2025-Q3: 1 Nay-sayer, 1 Experimenter, 2 Practitioner, 1 Expert"),
        "{html}"
    );
}

#[test]
fn the_share_at_the_highest_level_is_named_after_it() {
    let site = site_with(FOUR_LEVELS);
    site.build();
    let executive = site.read("reports/executive/index.html");
    assert!(
        executive.contains("<dt>Experts</dt>\n      <dd class=\"headline-value\">20%</dd>"),
        "{executive}"
    );
    assert!(
        executive.contains("the share of experts moved from 0% in 2025-Q2 to 20% in 2025-Q3."),
        "{executive}"
    );
    let home = site.read("index.html");
    assert!(
        home.contains(
            "<span class=\"stat-value\">20%</span> <span class=\"stat-label\">experts</span>"
        ),
        "{home}"
    );
}

// ---------------------------------------------------------------- mistakes

/// The problems of a site whose `site.toml` ends with `levels`, and where
/// (line, column) `needle` is in that file.
fn rejected(levels: &str, needle: &str) -> (Vec<proficio::Diagnostic>, (usize, usize)) {
    let text = format!("{}{levels}", common::SITE_TOML);
    let offset = text.find(needle).expect("the needle is in site.toml");
    let line = text[..offset].matches('\n').count() + 1;
    let column = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1) + 1;
    (site_with(levels).build_rejected(), (line, column))
}

#[test]
fn a_rule_on_the_lowest_level_is_located_at_its_key() {
    let levels = FOUR_LEVELS.replacen(
        "title = \"Nay-sayer\"\n",
        "title = \"Nay-sayer\"\nmin_ai_workflows = 1\n",
        1,
    );
    let (problems, (line, column)) = rejected(&levels, "min_ai_workflows = 1\n\n");
    assert_at_expecting(
        only(&problems),
        ("site.toml", line, column),
        "the lowest level `nay-sayer` has a rule",
        "no min_ai_workflows, min_embedded_workflows or min_mean_score on the first [[levels]] entry",
    );
}

#[test]
fn a_level_whose_rule_a_higher_level_never_exceeds_is_named_with_it() {
    // The expert asks no more than the practitioner (one embedded workflow
    // is one with AI): no one is ever a practitioner.
    let levels = FOUR_LEVELS.replace(
        "min_embedded_workflows = 2\nmin_mean_score = 3.2",
        "min_embedded_workflows = 1\nmin_mean_score = 2.5",
    );
    let (problems, (line, column)) = rejected(&levels, "practitioner\"\ntitle");
    assert_at_expecting(
        only(&problems),
        ("site.toml", line, column),
        "level `practitioner` is never assigned: anyone meeting its rule meets the rule of the higher level `expert`",
        "a rule on `expert` asking more than `practitioner`'s",
    );
}

#[test]
fn embedded_workflows_count_as_ai_workflows_when_levels_are_compared() {
    // Two embedded workflows are two workflows with AI: the experimenter
    // asks more than the practitioner above it.
    let levels = FOUR_LEVELS
        .replace("min_ai_workflows = 1\n\n", "min_embedded_workflows = 2\n\n")
        .replace(
            "min_ai_workflows = 1\nmin_embedded_workflows = 1\nmin_mean_score = 2.5",
            "min_ai_workflows = 2",
        );
    let (problems, (line, column)) = rejected(&levels, "experimenter\"\ntitle");
    assert!(
        problems.iter().any(|p| p.line() == line
            && p.column() == column
            && p.message.contains("level `experimenter` is never assigned")
            && p.message.contains("`practitioner`")),
        "{}",
        describe(&problems)
    );
}

#[test]
fn a_higher_level_without_a_rule_is_named_once() {
    let levels = FOUR_LEVELS.replace("min_embedded_workflows = 2\nmin_mean_score = 3.2\n", "");
    let (problems, (line, column)) = rejected(&levels, "nay-sayer\"");
    assert_at_expecting(
        only(&problems),
        ("site.toml", line, column),
        "level `nay-sayer` is never assigned: anyone meeting its rule meets the rule of the higher level `expert`",
        "a rule on `expert`",
    );
}

#[test]
fn a_mean_score_outside_the_scale_is_located() {
    for value in ["4.5", "-1.0", "nan", "inf"] {
        let levels =
            FOUR_LEVELS.replace("min_mean_score = 3.2", &format!("min_mean_score = {value}"));
        let (problems, (line, column)) = rejected(&levels, &format!("min_mean_score = {value}"));
        assert_at_expecting(
            only(&problems),
            ("site.toml", line, column),
            &format!(
                "min_mean_score {} on `expert` is outside the 0–4 scale",
                value.parse::<f64>().expect("a number")
            ),
            "a mean skill score between 0 and 4",
        );
    }
}

#[test]
fn a_count_the_catalogue_cannot_reach_is_located() {
    let levels = FOUR_LEVELS.replace("min_embedded_workflows = 2", "min_embedded_workflows = 7");
    let (problems, (line, column)) = rejected(&levels, "min_embedded_workflows = 7");
    assert_at_expecting(
        only(&problems),
        ("site.toml", line, column),
        "min_embedded_workflows = 7 on `expert` asks for more workflows than the 6 of the catalogue",
        "a count of workflows from 0 to 6",
    );
}

#[test]
fn a_negative_count_is_refused_by_its_type_and_located() {
    let levels = FOUR_LEVELS.replace("min_embedded_workflows = 2", "min_embedded_workflows = -2");
    let (problems, (line, column)) = rejected(&levels, "-2");
    let problem = only(&problems);
    assert_eq!(
        (problem.line(), problem.column()),
        (line, column),
        "{problem}"
    );
    assert!(problem.message.contains("-2"), "{problem}");
    assert!(
        problem.message.contains("usize")
            || problem.message.contains("non-negative")
            || problem.message.contains("invalid value"),
        "{problem}"
    );
}

#[test]
fn an_unknown_key_in_a_level_is_located_with_the_keys_a_level_takes() {
    let levels = FOUR_LEVELS.replace("min_mean_score = 3.2", "min_score = 3.2");
    let (problems, (line, column)) = rejected(&levels, "min_score");
    assert_at_expecting(
        only(&problems),
        ("site.toml", line, column),
        "unknown field `min_score`",
        "min_mean_score",
    );
}

#[test]
fn level_rules_in_both_places_are_an_error_at_the_program_table() {
    let levels =
        format!("{FOUR_LEVELS}\n[program.level_rules]\npractitioner_min_mean_score = 3.0\n");
    let (problems, (line, column)) = rejected(&levels, "[program.level_rules]");
    let (rule_line, _) = rejected(&levels, "min_ai_workflows = 1").1;
    assert_at_expecting(
        only(&problems),
        ("site.toml", line, column),
        &format!(
            "[program.level_rules] and the rules in [[levels]] (line {rule_line}) both decide levels"
        ),
        "the rules in [[levels]] alone, without [program.level_rules]",
    );
}

#[test]
fn other_than_three_levels_without_rules_is_an_error() {
    let levels = FOUR_LEVELS
        .replace("min_ai_workflows = 1\n", "")
        .replace("min_embedded_workflows = 1\n", "")
        .replace("min_mean_score = 2.5\n", "")
        .replace("min_embedded_workflows = 2\nmin_mean_score = 3.2\n", "");
    let (problems, (line, column)) = rejected(&levels, "experimenter\"");
    assert_at_expecting(
        only(&problems),
        ("site.toml", line, column),
        "4 levels and no level rules: [program.level_rules] is written for three",
        "a rule on each level above the lowest",
    );
}

// ---------------------------------------------------------------- compatibility

/// The default three levels with the rules `[program.level_rules]` gives
/// them by default, written on the levels: [`FOUR_LEVELS`] without the expert.
fn three_levels_written() -> &'static str {
    let (three, _) = FOUR_LEVELS
        .split_once("\n[[levels]]\nid = \"expert\"")
        .expect("FOUR_LEVELS ends with the expert");
    three
}

#[test]
fn rules_written_on_the_levels_give_the_figures_of_program_level_rules() {
    let example = |levels: &str| {
        let site = Site::with_config_and(
            &format!("{levels}\n{}", common::worked_example("toml")),
            &[(
                "content/partners/example.yaml",
                &common::worked_example("yaml"),
            )],
        );
        site.build();
        site.read("data/metrics.json")
    };
    let from_program = example("");
    assert!(
        from_program.contains("\"practitioner_share\": 0.25"),
        "{from_program}"
    );
    assert_eq!(example(three_levels_written()), from_program);
}
