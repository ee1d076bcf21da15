//! Partner metrics as the readers of a portal meet them: partner files are
//! checked like content (file, line, column, what was expected), the
//! documented formulas reach the pages and the exports, people stay anonymous
//! unless the site says otherwise, and the partner lists, scorecards, the
//! executive summary and the workflow pages show what the data says.
//!
//! Most tests replace the theme's three partner templates with stand-ins
//! that print one figure a line (`score=22.71`): they check what the
//! templates are given, whatever the theme's markup. The tests at the end
//! read the default theme's own pages.

mod common;

use std::path::Path;

use common::problems::{assert_at_expecting, break_and_build, only};
use common::{
    Site, assert_same_tree, default_skills, default_workflows, describe, line_value, main_of,
    module, one_of, row_with, scores, section, visible_text, worked_example, worked_example_block,
};
use proficio::Diagnostic;
use serde_json::Value;

// ---------------------------------------------------------------- fixtures

/// Stand-in partner templates: each prints the figures the tests read, one
/// `key=value` a line.
const PROBE_TEMPLATES: [(&str, &str); 3] = [
    (
        "templates/partners.html",
        "ordering={{ ordering.id }}\n\
         names={% for p in partners %}{{ p.name }}|{% endfor %}\n",
    ),
    (
        "templates/partner.html",
        "name={{ partner.name }}\n\
         url={{ partner.url }}\n\
         score={{ partner.score | number(decimals=2) }}\n\
         benefits={{ partner.roi_breakdown.benefits | number(decimals=2) }}\n\
         investment={{ partner.roi_breakdown.investment | number(decimals=2) }}\n\
         levels={% for l in partner.levels %}{{ l.id }}:{{ l.count }} {% endfor %}\n\
         flags={% for f in partner.flags %}{{ f.id }} {% endfor %}\n\
         people={% for p in partner.people %}{{ p.id }} {% endfor %}\n\
         weakest={% for s in partner.weakest_skills %}{{ s.id }} {% endfor %}\n\
         recommended={% for r in partner.recommendations %}{{ r.title }}|{% endfor %}\n\
         kpis={% for k in partner.kpis %}{{ k.id }}:{% if not k.vs_baseline %}none{% elif k.vs_baseline.improved is none %}unchanged{% elif k.vs_baseline.improved %}better{% else %}worse{% endif %} {% endfor %}\n",
    ),
    (
        "templates/executive.html",
        "partners={{ report.partners }}\n\
         headcount={{ report.headcount }}\n\
         benefits={{ report.roi.benefits | number(decimals=2) }}\n\
         investment={{ report.roi.investment | number(decimals=2) }}\n\
         flags={% for f in report.flag_counts %}{{ f.id }}:{{ f.count }} {% endfor %}\n\
         kpis={% for k in report.kpis %}{{ k.id }}:{% if not k.vs_baseline %}none{% elif k.vs_baseline.improved is none %}unchanged{% elif k.vs_baseline.improved %}better{% else %}worse{% endif %} {% endfor %}\n",
    ),
];

/// A stand-in for `term.html` that prints a workflow's adoption rows.
const PROBE_TERM: (&str, &str) = (
    "templates/term.html",
    "term={{ term.id }}\n\
     adoption={% if term.adoption %}{% for r in term.adoption.rows %}{{ r.name }}:{{ r.users }}:{{ \"embedded\" if r.embedded else \"not-embedded\" }}|{% endfor %}{% endif %}\n",
);

/// Modules partner files can refer to.
fn modules() -> Vec<(&'static str, String)> {
    vec![
        (
            "content/modules/first-steps.md",
            module(
                "title: First steps with AI\nlevel: experimenter\nskills: [prompting]\ntrack: basics",
                "Start here.\n",
            ),
        ),
        (
            "content/modules/check-the-output.md",
            module(
                "title: Check the output\nskills: [output-validation]",
                "Check before you send.\n",
            ),
        ),
        (
            "content/modules/automate-a-step.md",
            module(
                "title: Automate a step\nskills: [light-automation]",
                "One step at a time.\n",
            ),
        ),
    ]
}

/// A site with `program` appended to the test `site.toml`, the modules
/// above, one `content/partners/<id>.yaml` per partner and, when `probes`,
/// the stand-in partner templates.
fn partner_site(program: &str, partners: &[(&str, &str)], probes: bool) -> Site {
    let site = Site::with_config_and(program, &[]);
    for (path, text) in modules() {
        site.write(path, &text);
    }
    for (id, yaml) in partners {
        site.write(&format!("content/partners/{id}.yaml"), yaml);
    }
    if probes {
        for (path, text) in PROBE_TEMPLATES {
            site.write(path, text);
        }
    }
    site
}

/// The worked example of docs/metrics.md as a site: its `[program]` and its
/// partners as `content/partners/example.yaml` and `other.yaml`.
fn worked_example_site(probes: bool) -> Site {
    let program = format!("\n{}", worked_example("toml"));
    let partners = [
        ("example", worked_example("yaml")),
        ("other", worked_example_block("yaml", 1)),
    ];
    let partners: Vec<(&str, &str)> = partners.iter().map(|(id, y)| (*id, y.as_str())).collect();
    partner_site(&program, &partners, probes)
}

/// One KPI row in flow style.
fn kpi(quarter: &str, revenue: u32, cycle: u32, cost: u32, throughput: u32, margin: u32) -> String {
    format!(
        "  - {{quarter: {quarter}, partner_sourced_revenue: {revenue}, sales_cycle_days: {cycle}, cost_to_serve: {cost}, enablement_throughput: {throughput}, margin_contribution: {margin}}}\n"
    )
}

/// The head of a partner file.
fn head(name: &str) -> String {
    format!("name: {name}\ntier: gold\nregion: EMEA\ntype: reseller\nowner: Sam Okafor\n")
}

/// Two quarters of flat KPIs: nothing moves, so nothing but hours saved is
/// a benefit.
fn flat_kpis() -> String {
    flat_kpis_to("2025-Q3")
}

/// Flat KPIs from 2025-Q2 to `last` (2025-Q3 or 2025-Q4), so a partner
/// reported every quarter of a site that runs to `last`.
fn flat_kpis_to(last: &str) -> String {
    let mut kpis = String::from("kpis:\n");
    for quarter in ["2025-Q2", "2025-Q3", "2025-Q4"] {
        kpis.push_str(&kpi(quarter, 100000, 60, 10000, 2, 20000));
        if quarter == last {
            break;
        }
    }
    kpis
}

/// A workflow that counts as AI-embedded from 2025-Q2.
const EMBEDDED_QBR: &str = "workflows:\n  - id: qbr\n    embedded: true\n    since: 2025-Q2\n    documented: true\n    quality_standard: true\n    minutes_before: 120\n    minutes_after: 60\n    runs_per_quarter: 4\n";

// ---------------------------------------------------------------- validation

/// A valid partner file; the validation tests each change one thing in it.
/// Lines: 7 first person, 10 assessment date, 11 scores, 13 AI use, 16
/// completion, 18 second person, 21 workflow, 23 its `since`, 26
/// `minutes_before`, 28 `runs_per_quarter`, 30–31 KPIs.
const VALID: &str = "\
name: Example Partner
tier: silver
region: EMEA
type: reseller
owner: Sam Okafor
people:
  - id: p1
    role: partner manager
    assessments:
      - date: 2025-06-01
        scores: {prompting: 3, workflow-design: 2}
    ai_use:
      - workflow: qbr
        since: 2025-07-15
    completions:
      - module: first-steps
        date: 2025-09-15
  - id: p2
    role: sales engineer
workflows:
  - id: qbr
    embedded: true
    since: 2025-Q3
    documented: true
    quality_standard: true
    minutes_before: 240
    minutes_after: 90
    runs_per_quarter: 12
kpis:
  - {quarter: 2025-Q2, partner_sourced_revenue: 500000, sales_cycle_days: 90, cost_to_serve: 20000, enablement_throughput: 2, margin_contribution: 80000}
  - {quarter: 2025-Q3, partner_sourced_revenue: 520000, sales_cycle_days: 88, cost_to_serve: 19000, enablement_throughput: 3, margin_contribution: 84000}
";

const PARTNER_FILE: &str = "content/partners/x.yaml";

/// A site that builds, with [`VALID`] as its only partner file.
fn good_site() -> Site {
    partner_site("", &[("x", VALID)], true)
}

/// `text` with `from` (which must occur exactly once) replaced by `to`.
fn changed(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once");
    text.replacen(from, to, 1)
}

/// The problems of [`VALID`] with `from` replaced by `to`.
fn problems_with(from: &str, to: &str) -> Vec<Diagnostic> {
    let site = good_site();
    break_and_build(&site, &[(PARTNER_FILE, &changed(VALID, from, to))])
}

#[test]
fn the_valid_partner_file_builds() {
    let site = good_site();
    site.build();
    assert_eq!(
        line_value(&site.read("partners/x/index.html"), "name"),
        "Example Partner"
    );
}

#[test]
fn an_unknown_key_in_a_partner_file_is_located_and_the_known_keys_listed() {
    // People are ids and roles only: a name is not a key of a person.
    let problems = problems_with(
        "    role: sales engineer\n",
        "    role: sales engineer\n    name: Ana Lopez\n",
    );
    let problem = only(&problems);
    assert_at_expecting(
        problem,
        (PARTNER_FILE, 20, 5),
        "unknown field `name`",
        "`completions`",
    );
    assert!(problem.message.contains("`assessments`"), "{problem}");
}

#[test]
fn a_value_of_the_wrong_type_is_located_at_the_value() {
    let problems = problems_with("runs_per_quarter: 12", "runs_per_quarter: often");
    let problem = only(&problems);
    assert_at_expecting(problem, (PARTNER_FILE, 28, 23), "invalid type", "expected");
    assert!(problem.message.contains("\"often\""), "{problem}");
}

#[test]
fn an_unknown_tier_is_located_and_the_tiers_listed() {
    let problems = problems_with("tier: silver", "tier: golden");
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 2, 7),
        "unknown variant `golden`",
        "`platinum`, `gold`, `silver`",
    );
}

#[test]
fn an_unknown_skill_in_an_assessment_is_named_and_the_skills_listed() {
    // The caret is at the name, not at its score.
    let problems = problems_with("workflow-design: 2}", "juggling: 2}");
    let problem = only(&problems);
    assert_at_expecting(
        problem,
        (PARTNER_FILE, 11, 32),
        "unknown skill `juggling`",
        &one_of(&default_skills()),
    );
}

#[test]
fn a_score_outside_the_scale_is_located_at_the_score() {
    let problems = problems_with("prompting: 3,", "prompting: 5,");
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 11, 29),
        "score 5 for prompting is outside 0–4",
        "a score from 0 (none) to 4 (expert)",
    );
}

#[test]
fn a_score_written_with_decimals_outside_the_scale_is_located_at_the_score() {
    let problems = problems_with("prompting: 3,", "prompting: 5.0,");
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 11, 29),
        "outside 0–4",
        "a score from 0 (none) to 4 (expert)",
    );
}

#[test]
fn an_unknown_workflow_in_ai_use_is_named_and_the_workflows_listed() {
    let problems = problems_with("- workflow: qbr", "- workflow: podcasting");
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 13, 19),
        "unknown workflow `podcasting`",
        &one_of(&default_workflows()),
    );
}

#[test]
fn an_unknown_workflow_in_the_workflow_list_is_named_and_the_workflows_listed() {
    let problems = problems_with("  - id: qbr", "  - id: podcasting");
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 21, 9),
        "unknown workflow `podcasting`",
        &one_of(&default_workflows()),
    );
}

#[test]
fn an_unknown_module_in_completions_is_named_and_the_modules_listed() {
    let problems = problems_with("module: first-steps", "module: advanced-juggling");
    assert_eq!(
        only(&problems).to_string(),
        "content/partners/x.yaml:16:17: unknown module `advanced-juggling` \
         (expected one of automate-a-step, check-the-output, first-steps)"
    );
}

#[test]
fn a_misspelt_module_in_completions_is_answered_with_did_you_mean() {
    let problems = problems_with("module: first-steps", "module: first-step");
    assert_eq!(
        only(&problems).to_string(),
        "content/partners/x.yaml:16:17: unknown module `first-step` \
         (expected one of automate-a-step, check-the-output, first-steps; \
         did you mean `first-steps`?)"
    );
}

#[test]
fn a_misspelt_skill_in_flow_scores_is_located_at_its_name() {
    let problems = problems_with("workflow-design: 2}", "workflow-desing: 2}");
    assert_eq!(
        only(&problems).to_string(),
        format!(
            "content/partners/x.yaml:11:32: unknown skill `workflow-desing` \
             (expected {}; did you mean `workflow-design`?)",
            one_of(&default_skills())
        )
    );
}

#[test]
fn a_quarter_numbered_beyond_four_is_not_a_quarter() {
    let problems = problems_with("{quarter: 2025-Q3", "{quarter: 2026-Q5");
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 31, 15),
        "`2026-Q5` is not a quarter",
        "a quarter written YYYY-Qn, such as 2026-Q1",
    );
}

#[test]
fn a_quarter_without_its_dash_is_not_a_quarter() {
    let problems = problems_with("{quarter: 2025-Q3", "{quarter: 2026Q1");
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 31, 15),
        "`2026Q1` is not a quarter",
        "a quarter written YYYY-Qn",
    );
}

#[test]
fn a_repeated_quarter_is_located_at_its_second_entry() {
    let problems = problems_with("{quarter: 2025-Q3", "{quarter: 2025-Q2");
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 31, 15),
        "quarter 2025-Q2 appears twice",
        "one KPI entry per quarter",
    );
}

#[test]
fn negative_minutes_are_located_at_the_value() {
    let problems = problems_with("minutes_before: 240", "minutes_before: -30");
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 26, 21),
        "minutes_before cannot be negative",
        "a number of minutes or runs from 0 to 1000000000000",
    );
}

#[test]
fn a_key_written_twice_is_located_at_the_second() {
    let problems = problems_with(
        "    role: sales engineer\n",
        "    role: sales engineer\n    role: partner manager\n",
    );
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 20, 5),
        "duplicate field `role`",
        "each key once",
    );
}

#[test]
fn a_score_that_is_not_a_number_is_located_at_the_score() {
    let problems = problems_with("prompting: 3,", "prompting: .nan,");
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 11, 29),
        "score .nan for prompting is not a finite number",
        "a score from 0 (none) to 4 (expert)",
    );
}

#[test]
fn infinite_minutes_are_located_at_the_value() {
    let problems = problems_with("minutes_before: 240", "minutes_before: -.inf");
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 26, 21),
        "minutes_before is -.inf, not a finite number",
        "from 0 to 1000000000000",
    );
}

#[test]
fn a_figure_too_large_to_add_up_is_located_at_the_value() {
    let problems = problems_with(
        "partner_sourced_revenue: 500000",
        "partner_sourced_revenue: 1.7e308",
    );
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 30, 49),
        "partner_sourced_revenue 1.7e308 is outside 0 to 1000000000000",
        "a figure from 0 to 1000000000000",
    );
}

#[test]
fn a_margin_may_be_a_loss_but_not_an_endless_one() {
    let site = good_site();
    let loss = changed(
        VALID,
        "margin_contribution: 80000",
        "margin_contribution: -5000",
    );
    site.write(PARTNER_FILE, &loss);
    site.build();
    let problems = problems_with("margin_contribution: 84000", "margin_contribution: -.inf");
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 31, 148),
        "margin_contribution is -.inf, not a finite number",
        "a figure from -1000000000000 to 1000000000000",
    );
}

#[test]
fn a_person_id_used_twice_is_located_at_the_second_person() {
    let problems = problems_with("  - id: p2", "  - id: p1");
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 18, 9),
        "person id `p1` appears twice",
        "unique within the partner",
    );
}

#[test]
fn an_embedded_workflow_needs_the_quarter_it_was_embedded() {
    let problems = problems_with("    since: 2025-Q3\n", "");
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 21, 9),
        "workflow `qbr` is embedded but has no `since`",
        "`since: YYYY-Qn`",
    );
}

#[test]
fn a_date_that_does_not_exist_is_located() {
    let problems = problems_with("date: 2025-06-01", "date: 2025-02-30");
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 10, 15),
        "`2025-02-30` is not a date",
        "a date written YYYY-MM-DD",
    );
}

#[test]
fn a_malformed_ai_use_date_is_located() {
    let problems = problems_with("since: 2025-07-15", "since: 15/07/2025");
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 14, 16),
        "`15/07/2025` is not a date",
        "a date written YYYY-MM-DD",
    );
}

#[test]
fn a_workflow_listed_twice_is_located_at_its_second_entry() {
    let site = good_site();
    let twice = changed(
        VALID,
        "kpis:\n",
        "  - id: qbr\n    embedded: false\nkpis:\n",
    );
    let problems = break_and_build(&site, &[(PARTNER_FILE, &twice)]);
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 29, 9),
        "workflow `qbr` appears twice",
        "each workflow once",
    );
}

#[test]
fn an_embedded_workflow_without_since_listed_twice_has_both_problems_located() {
    let site = good_site();
    let twice = changed(
        &changed(VALID, "    since: 2025-Q3\n", ""),
        "kpis:\n",
        "  - id: qbr\n    embedded: false\nkpis:\n",
    );
    let problems = break_and_build(&site, &[(PARTNER_FILE, &twice)]);
    let mut places: Vec<(usize, usize, &str)> = problems
        .iter()
        .map(|p| (p.line(), p.column(), p.message.as_str()))
        .collect();
    places.sort();
    assert_eq!(
        places,
        [
            (21, 9, "workflow `qbr` is embedded but has no `since`"),
            (28, 9, "workflow `qbr` appears twice"),
        ],
        "{}",
        describe(&problems)
    );
}

#[test]
fn a_partner_with_no_people_is_located_at_its_people_key() {
    let problems = problems_with(
        "  - id: p1\n    role: partner manager\n    assessments:\n      - date: 2025-06-01\n        scores: {prompting: 3, workflow-design: 2}\n    ai_use:\n      - workflow: qbr\n        since: 2025-07-15\n    completions:\n      - module: first-steps\n        date: 2025-09-15\n  - id: p2\n    role: sales engineer\n",
        "",
    );
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 6, 1),
        "partner `x` has no people",
        "at least one person",
    );
}

#[test]
fn a_partner_file_without_a_people_key_has_no_people_either() {
    let site = good_site();
    let text =
        "name: Example Partner\ntier: silver\nregion: EMEA\ntype: reseller\nowner: Sam Okafor\n";
    let problems = break_and_build(&site, &[(PARTNER_FILE, text)]);
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 1, 1),
        "partner `x` has no people",
        "at least one person",
    );
}

#[test]
fn a_workflow_twice_in_one_persons_ai_use_is_located_at_the_second_entry() {
    let problems = problems_with(
        "        since: 2025-07-15\n",
        "        since: 2025-07-15\n      - workflow: qbr\n        since: 2025-08-01\n",
    );
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 15, 19),
        "workflow `qbr` appears twice in the `ai_use` of person `p1`",
        "each workflow once per person",
    );
}

#[test]
fn a_joined_date_that_is_not_a_date_is_located() {
    let problems = problems_with(
        "    role: sales engineer\n",
        "    role: sales engineer\n    joined: 2025-13-01\n",
    );
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 20, 13),
        "`2025-13-01` is not a date",
        "a date written YYYY-MM-DD",
    );
}

#[test]
fn a_person_who_left_before_joining_is_located_at_left() {
    let problems = problems_with(
        "    role: sales engineer\n",
        "    role: sales engineer\n    joined: 2025-07-01\n    left: 2025-07-01\n",
    );
    assert_at_expecting(
        only(&problems),
        (PARTNER_FILE, 21, 11),
        "person `p2` left on 2025-07-01, not after joining on 2025-07-01",
        "a `left` date after the `joined` date",
    );
}

/// `site.toml` with a `[program]` table starting on line 10.
fn with_program(program: &str) -> String {
    format!("{}\n[program]\n{program}", common::SITE_TOML)
}

/// Builds the good site, then replaces its `site.toml` with `program`.
fn program_problems(program: &str) -> Vec<Diagnostic> {
    let site = good_site();
    break_and_build(&site, &[("site.toml", &with_program(program))])
}

#[test]
fn a_negative_hourly_cost_is_located_in_site_toml() {
    let problems = program_problems("hourly_cost = -5\n");
    assert_at_expecting(
        only(&problems),
        ("site.toml", 11, 1),
        "hourly_cost must not be negative",
        "a cost per hour of 0 or more",
    );
}

#[test]
fn a_negative_cost_per_person_is_located_in_site_toml() {
    let problems = program_problems(
        "hourly_cost = 95\n\n[program.investment]\nper_person_per_quarter = -530\n",
    );
    assert_at_expecting(
        only(&problems),
        ("site.toml", 14, 1),
        "per_person_per_quarter must not be negative",
        "an amount of 0 or more",
    );
}

#[test]
fn a_margin_attribution_above_one_is_located_in_site_toml() {
    let problems = program_problems("hourly_cost = 95\nmargin_attribution = 1.5\n");
    assert_at_expecting(
        only(&problems),
        ("site.toml", 12, 1),
        "margin_attribution 1.5 is outside 0 to 1",
        "a share between 0 and 1",
    );
}

#[test]
fn the_roi_assumptions_outside_their_range_are_each_located_in_site_toml() {
    let problems = program_problems(
        "kpi_attribution = 1.5\ntime_realisation = -0.1\ndiscount_rate = 1.2\n\n[program.risk]\nmargin = 2\n",
    );
    let mut found: Vec<(usize, String)> = problems
        .iter()
        .map(|p| (p.line(), p.message.clone()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (11, "kpi_attribution 1.5 is outside 0 to 1".to_string()),
            (12, "time_realisation -0.1 is outside 0 to 1".to_string()),
            (13, "discount_rate 1.2 is outside 0 to 1".to_string()),
            (16, "margin 2 is outside 0 to 1".to_string()),
        ]
    );
}

#[test]
fn the_attribution_under_both_names_is_located_in_site_toml() {
    let problems = program_problems("kpi_attribution = 0.3\nmargin_attribution = 0.25\n");
    let problem = only(&problems);
    assert_eq!(problem.message, "duplicate field `kpi_attribution`");
    assert_eq!(
        problem.line(),
        10,
        "at `[program]`, where the TOML parser places it"
    );
}

#[test]
fn margin_attribution_is_still_read_as_the_kpi_attribution() {
    let site = partner_site(
        "\n[program]\nmargin_attribution = 0.5\n",
        &[("example", &worked_example("yaml"))],
        false,
    );
    site.build();
    let json = site.read_json("data/metrics.json");
    assert_eq!(json["program"]["kpi_attribution"], 0.5);
    assert_eq!(json["program"]["margin_attribution"], 0.5);
    let html = site.read("partners/example/index.html");
    let margin = row_with(&html, "Attributed margin uplift");
    assert!(margin.contains("× 50% attribution"), "{margin}");
}

#[test]
fn a_baseline_that_is_not_a_quarter_is_located_in_site_toml() {
    let problems = program_problems("baseline_quarter = \"2025-Q7\"\n");
    assert_at_expecting(
        only(&problems),
        ("site.toml", 11, 1),
        "`2025-Q7` is not a quarter",
        "a quarter written YYYY-Qn",
    );
}

#[test]
fn every_program_mistake_is_reported_in_one_run() {
    let problems = program_problems(
        "hourly_cost = -5\nbaseline_quarter = \"spring\"\nmargin_attribution = 1.5\n",
    );
    let mut places: Vec<(String, usize)> = problems
        .iter()
        .map(|p| (p.file.display().to_string(), p.line()))
        .collect();
    places.sort();
    assert_eq!(
        places,
        [
            ("site.toml".to_string(), 11),
            ("site.toml".to_string(), 12),
            ("site.toml".to_string(), 13)
        ],
        "{}",
        describe(&problems)
    );
}

#[test]
fn every_problem_of_every_partner_file_and_the_content_is_reported_in_one_run() {
    let site = good_site();
    let broken = changed(
        &changed(VALID, "prompting: 3,", "prompting: 5,"),
        "module: first-steps",
        "module: advanced-juggling",
    );
    let broken = changed(&broken, "{quarter: 2025-Q3", "{quarter: 2025-Q2");
    let problems = break_and_build(
        &site,
        &[
            (PARTNER_FILE, &broken),
            (
                "content/partners/another.yaml",
                &changed(VALID, "tier: silver", "tier: golden"),
            ),
            (
                "content/modules/first-steps.md",
                &module("title: First steps\nskills: [juggling]", "Start here.\n"),
            ),
        ],
    );
    let places: Vec<String> = problems
        .iter()
        .map(|p| format!("{}:{}", p.file.display(), p.line()))
        .collect();
    assert_eq!(
        places,
        [
            "content/modules/first-steps.md:3",
            "content/partners/another.yaml:2",
            "content/partners/x.yaml:11",
            "content/partners/x.yaml:16",
            "content/partners/x.yaml:31",
        ],
        "{}",
        describe(&problems)
    );
}

#[test]
fn two_files_for_the_same_partner_id_are_refused() {
    let site = partner_site(
        "",
        &[(
            "acme",
            &one_person("Acme One", &scores(2, &[]), None, 20000),
        )],
        true,
    );
    site.write(
        "content/partners/acme.yml",
        &one_person("Acme Two", &scores(2, &[]), None, 20000),
    );
    match site.try_build() {
        Err(proficio::Error::Input(problems)) => assert!(
            problems
                .iter()
                .any(|p| p.file.starts_with("content/partners")),
            "{}",
            describe(&problems)
        ),
        Err(other) => panic!("expected Error::Input, got: {other:?}"),
        Ok(_) => panic!(
            "the build succeeded; the list reads {} and /partners/acme/ shows only {}",
            line_value(&site.read("partners/index.html"), "names"),
            line_value(&site.read("partners/acme/index.html"), "name")
        ),
    }
}

// ---------------------------------------------------------------- the numbers

/// Whether two figures agree to the two decimals the docs show.
fn close(actual: &Value, expected: f64) -> bool {
    actual
        .as_f64()
        .is_some_and(|actual| (actual - expected).abs() < 0.005)
}

#[test]
fn the_worked_example_reaches_metrics_json_with_the_documented_figures() {
    let site = worked_example_site(true);
    site.build();
    let json = site.read_json("data/metrics.json");
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["baseline_quarter"], "2025-Q2");
    assert_eq!(json["latest_quarter"], "2025-Q4");
    let roi = &json["ecosystem"]["roi"];
    assert!(close(&roi["benefits"], 3_775.0), "{roi}");
    assert!(close(&roi["investment"], 6_000.0), "{roi}");
    assert!(close(&roi["roi"], -0.370833), "{roi}");
    assert!(roi["payback_months"].is_null(), "{roi}");
    assert_eq!(roi["payback"], "not_yet");
    assert!(close(&roi["hours_saved"], 30.0), "{roi}");
    assert!(close(&roi["revenue_change"], 90_000.0), "{roi}");
    let flows = roi["flows"].as_array().expect("quarterly flows");
    assert_eq!(flows.len(), 2, "{roi}");
    assert_eq!(flows[1]["quarter"], "2025-Q4");
    assert!(close(&flows[1]["benefits"], 3_775.0), "{roi}");
    assert!(close(&flows[1]["cost"], 3_000.0), "{roi}");
    assert!(close(&flows[1]["cumulative_net"], -2_225.0), "{roi}");
    let concentration = &json["ecosystem"]["concentration"];
    assert_eq!(concentration["top"]["name"], "Example Partner");
    assert!(close(&concentration["top_share"], 1.0), "{concentration}");
    assert!(
        close(&concentration["roi_without_top"], -1.0),
        "{concentration}"
    );
    assert_eq!(concentration["below_zero"], 1);
    let groups = &json["ecosystem"]["groups"];
    assert!(
        close(&groups["embedders"]["cost_to_serve_reduction"], 0.1),
        "{groups}"
    );
    assert!(
        close(&groups["comparison"]["margin_uplift"], 0.02),
        "{groups}"
    );
    let partner = &json["partners"][0];
    assert_eq!(partner["id"], "example");
    let own = &partner["roi_breakdown"];
    assert!(close(&own["roi"], 0.258333), "{own}");
    assert!(close(&own["payback_months"], 5.38), "{own}");
    assert_eq!(own["attributed_from"], "2025-Q4");
    assert!(close(&own["low"]["roi"], -0.141667), "{own}");
    assert_eq!(own["low"]["payback"], "not_yet");
    assert!(close(&own["high"]["payback_months"], 4.81), "{own}");
    assert_eq!(own["break_even"]["kind"], "above");
    assert!(close(&own["npv"], 661.08), "{own}");
    assert_eq!(json["program"]["kpi_attribution"], 0.25);
    assert_eq!(json["program"]["time_realisation"], 0.5);
    assert_eq!(json["program"]["risk"]["margin"], 0.4);
    assert!(close(&partner["score"], 22.71), "{partner}");
    let levels: Vec<(&str, u64)> = partner["levels"]
        .as_array()
        .expect("levels")
        .iter()
        .map(|l| (l["id"].as_str().unwrap(), l["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        levels,
        [("nay-sayer", 2), ("experimenter", 1), ("practitioner", 1)]
    );
    let baseline: Vec<u64> = partner["levels_baseline"]
        .as_array()
        .expect("baseline levels")
        .iter()
        .map(|l| l["count"].as_u64().unwrap())
        .collect();
    assert_eq!(baseline, [3, 1, 0]);
}

#[test]
fn revenue_is_shown_in_the_roi_but_never_added_to_the_benefits() {
    let site = worked_example_site(true);
    site.build();
    let json = site.read_json("data/metrics.json");
    let components = json["ecosystem"]["roi"]["components"]
        .as_array()
        .expect("ROI components");
    let added: f64 = components
        .iter()
        .filter(|c| c["added"] == true)
        .map(|c| c["value"].as_f64().unwrap())
        .sum();
    assert!((added - 3_775.0).abs() < 0.005, "{components:?}");
    let revenue = components
        .iter()
        .find(|c| c["id"] == "revenue_change")
        .expect("the revenue change is shown");
    assert_eq!(revenue["added"], false);
    assert!(close(&revenue["value"], 90_000.0), "{revenue}");
}

#[test]
fn the_worked_example_reaches_the_partner_csv_with_the_documented_figures() {
    let site = worked_example_site(true);
    site.build();
    let csv = site.read("data/partners.csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
    assert_eq!(rows.len(), 2, "{csv}");
    let at = |name: &str| -> usize {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
    };
    let field = |name: &str| -> &str { &rows[0][at(name)] };
    assert_eq!(field("id"), "example");
    assert_eq!(field("name"), "Example Partner");
    assert_eq!(field("headcount"), "4");
    assert_eq!(field("people_nay_sayer"), "2");
    assert_eq!(field("people_experimenter"), "1");
    assert_eq!(field("people_practitioner"), "1");
    assert_eq!(field("score"), "22.71");
    assert_eq!(field("benefits"), "3775.00");
    assert_eq!(field("investment"), "3000.00");
    assert!(field("roi").starts_with("0.2583"), "{csv}");
    assert!(field("payback_months").starts_with("5.38"), "{csv}");
    assert_eq!(field("payback"), "paid_back");
    assert_eq!(field("roi_low"), "-0.1417");
    assert_eq!(field("roi_high"), "0.6583");
    // The partner without an embedded workflow: no KPI benefits, no payback.
    assert_eq!(&rows[1][at("hours_saved")], "0.00", "never a negative zero");
    assert_eq!(&rows[1][at("benefits")], "0.00");
    assert_eq!(&rows[1][at("payback")], "not_yet");
    assert_eq!(field("flags"), "");
}

#[test]
fn the_scorecard_is_given_the_documented_figures() {
    let site = worked_example_site(true);
    site.build();
    let page = site.read("partners/example/index.html");
    assert_eq!(line_value(&page, "score"), "22.71");
    assert_eq!(line_value(&page, "benefits"), "3,775.00");
    assert_eq!(line_value(&page, "investment"), "3,000.00");
    assert_eq!(
        line_value(&page, "levels"),
        "nay-sayer:2 experimenter:1 practitioner:1"
    );
    let report = site.read("reports/executive/index.html");
    assert_eq!(line_value(&report, "benefits"), "3,775.00");
    assert_eq!(line_value(&report, "headcount"), "8");
}

#[test]
fn every_kpi_and_every_workflow_has_its_csv_export() {
    let site = worked_example_site(true);
    site.build();
    let kpis = site.read("data/kpis.csv");
    assert!(kpis.starts_with("partner,quarter,kpi,value\n"), "{kpis}");
    assert!(
        kpis.contains("example,2025-Q4,cost_to_serve,18000\n"),
        "{kpis}"
    );
    assert_eq!(kpis.lines().count(), 1 + 2 * 3 * 5, "{kpis}");
    let workflows = site.read("data/workflows.csv");
    assert!(
        workflows.contains("example,qbr,true,2025-Q4,"),
        "{workflows}"
    );
}

#[test]
fn each_partner_object_in_metrics_json_has_each_key_once() {
    let site = worked_example_site(true);
    site.build();
    let text = site.read("data/metrics.json");
    let json: Value = serde_json::from_str(&text).expect("JSON");
    let partner = &json["partners"][0];
    // Pretty-printed: a partner's own keys are indented by six spaces.
    let start = text.find("\"partners\": [").expect("a partner list");
    let first = &text[start..];
    let first = &first[..first.find("\n    },").expect("the first partner's end")];
    let keys: Vec<&str> = first
        .lines()
        .filter_map(|line| line.strip_prefix("      \""))
        .filter_map(|rest| rest.split_once("\":").map(|(key, _)| key))
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    let repeated: Vec<&str> = keys.iter().copied().filter(|k| !seen.insert(*k)).collect();
    assert!(
        repeated.is_empty(),
        "keys written twice in a partner object: {repeated:?}; the reader sees roi = {}",
        partner["roi"]
    );
}

#[test]
fn the_ecosystem_investment_is_the_program_cost_even_for_a_partner_without_a_baseline_row() {
    let early = format!(
        "{}people:\n  - id: a1\n    role: partner manager\nkpis:\n{}{}",
        head("Early Partner"),
        kpi("2025-Q2", 100000, 60, 10000, 2, 20000),
        kpi("2025-Q3", 100000, 60, 9000, 2, 20000)
    );
    let late = format!(
        "{}people:\n  - id: b1\n    role: partner manager\nkpis:\n{}",
        head("Late Partner"),
        kpi("2025-Q3", 50000, 60, 5000, 1, 10000)
    );
    let site = partner_site(
        "\n[program]\nbaseline_quarter = \"2025-Q2\"\n\n[program.investment]\nlicences_per_quarter = 1000\nenablement_per_quarter = 1000\n",
        &[("early", &early), ("late", &late)],
        true,
    );
    site.build();
    let json = site.read_json("data/metrics.json");
    // One quarter after the baseline at 2,000 a quarter.
    let roi = &json["ecosystem"]["roi"];
    assert!(close(&roi["investment"], 2_000.0), "{roi}");
}

#[test]
fn a_partners_cost_follows_the_people_who_belong_each_quarter() {
    let steady = format!(
        "{}people:\n  - id: s1\n    role: partner manager\nkpis:\n{}{}{}",
        head("Steady Partner"),
        kpi("2025-Q2", 100000, 60, 10000, 2, 20000),
        kpi("2025-Q3", 100000, 60, 10000, 2, 20000),
        kpi("2025-Q4", 100000, 60, 10000, 2, 20000)
    );
    // g2 joins in 2025-Q4, g3 left before the period began.
    let growing = format!(
        "{}people:\n  - id: g1\n    role: partner manager\n  - id: g2\n    role: sales engineer\n    joined: 2025-10-15\n  - id: g3\n    role: marketing manager\n    left: 2025-05-01\nkpis:\n{}{}{}",
        head("Growing Partner"),
        kpi("2025-Q2", 100000, 60, 10000, 2, 20000),
        kpi("2025-Q3", 100000, 60, 10000, 2, 20000),
        kpi("2025-Q4", 100000, 60, 10000, 2, 20000)
    );
    let site = partner_site(
        "\n[program]\nbaseline_quarter = \"2025-Q2\"\n\n[program.investment]\nlicences_per_quarter = 1000\nenablement_per_quarter = 1000\n",
        &[("steady", &steady), ("growing", &growing)],
        false,
    );
    site.build();
    let json = site.read_json("data/metrics.json");
    let investment = |id: &str| {
        json["partners"]
            .as_array()
            .and_then(|all| all.iter().find(|p| p["id"] == id))
            .map(|p| p["investment"].clone())
            .unwrap_or_else(|| panic!("no partner {id}"))
    };
    // 2025-Q3: one person each, 1,000 each; 2025-Q4: one and two, so
    // 666.67 and 1,333.33. Together the program's 4,000.
    assert!(
        close(&investment("steady"), 1_666.666_666_7),
        "{}",
        investment("steady")
    );
    assert!(
        close(&investment("growing"), 2_333.333_333_3),
        "{}",
        investment("growing")
    );
    assert!(close(&json["ecosystem"]["roi"]["investment"], 4_000.0));
}

#[test]
fn ecosystem_kpis_are_sums_except_the_sales_cycle_which_is_a_mean() {
    let first = format!(
        "{}people:\n  - id: f1\n    role: partner manager\nkpis:\n{}{}",
        head("First Partner"),
        kpi("2025-Q2", 100000, 90, 10000, 2, 20000),
        kpi("2025-Q3", 120000, 80, 9000, 3, 25000)
    );
    let second = format!(
        "{}people:\n  - id: s1\n    role: partner manager\nkpis:\n{}{}",
        head("Second Partner"),
        kpi("2025-Q2", 50000, 60, 5000, 1, 10000),
        kpi("2025-Q3", 40000, 40, 6000, 1, 10000)
    );
    let site = partner_site("", &[("first", &first), ("second", &second)], true);
    site.build();
    let json = site.read_json("data/metrics.json");
    let latest = |id: &str| -> f64 {
        json["ecosystem"]["kpis"]
            .as_array()
            .expect("kpis")
            .iter()
            .find(|k| k["id"] == id)
            .and_then(|k| k["latest"].as_f64())
            .unwrap_or_else(|| panic!("no latest {id}"))
    };
    assert_eq!(latest("partner_sourced_revenue"), 160_000.0);
    assert_eq!(latest("sales_cycle_days"), 60.0);
    assert_eq!(latest("cost_to_serve"), 15_000.0);
    assert_eq!(latest("enablement_throughput"), 4.0);
    assert_eq!(latest("margin_contribution"), 35_000.0);
}

#[test]
fn the_executive_narrative_speaks_of_one_partner_and_one_quarter_in_the_singular() {
    let activity = format!(
        "{}people:\n  - id: a1\n    role: partner manager\n    ai_use:\n      - workflow: qbr\n        since: 2025-04-01\nworkflows:\n  - id: qbr\n    embedded: false\n{}",
        head("Activity Partner"),
        flat_kpis()
    );
    let site = partner_site("", &[("activity", &activity)], true);
    site.build();
    let json = site.read_json("data/metrics.json");
    let narrative: Vec<&str> = json["ecosystem"]["narrative"]
        .as_array()
        .expect("a narrative")
        .iter()
        .map(|s| s.as_str().expect("a sentence"))
        .collect();
    let text = narrative.join("\n");
    assert!(text.starts_with("Across 1 partner and 1 person,"), "{text}");
    assert!(
        text.contains(" over 1 quarter after the baseline"),
        "{text}"
    );
    assert!(text.contains("1 partner shows a failure pattern"), "{text}");
}

// ---------------------------------------------------------------- privacy

/// A partner whose people have ids a reader must never see.
fn secret_people() -> String {
    format!(
        "{}people:\n\
         \x20 - id: secret-person-7\n    role: partner manager\n    assessments:\n      - date: 2025-05-01\n        scores: {}\n    ai_use:\n      - workflow: qbr\n        since: 2025-05-01\n    completions:\n      - module: first-steps\n        date: 2025-05-02\n\
         \x20 - id: secret-person-8\n    role: sales engineer\n{EMBEDDED_QBR}{}",
        head("Private Partner"),
        scores(3, &[]),
        flat_kpis()
    )
}

#[test]
fn person_ids_appear_in_no_output_file_by_default() {
    let site = partner_site("", &[("private", &secret_people())], true);
    site.build();
    assert!(site.built("data/metrics.json"));
    assert!(site.built("partners/private/index.html"));
    assert_eq!(site.files_containing("secret-person"), Vec::<String>::new());
}

#[test]
fn person_ids_are_shown_on_the_scorecard_when_the_site_allows_it() {
    let site = partner_site(
        "\n[program]\nshow_people = true\n",
        &[("private", &secret_people())],
        true,
    );
    site.build();
    let page = site.read("partners/private/index.html");
    assert_eq!(
        line_value(&page, "people"),
        "secret-person-7 secret-person-8"
    );
    let json = site.read_json("data/metrics.json");
    assert_eq!(json["partners"][0]["people"][0]["id"], "secret-person-7");
    assert_eq!(
        json["partners"][0]["people"][0]["level"]["id"],
        "practitioner"
    );
}

// ---------------------------------------------------------------- pages

/// One person with an assessment early in 2025-Q2 and, when `later` is
/// given, another in 2025-Q3; no AI use.
fn one_person(name: &str, early: &str, later: Option<&str>, cost_q3: u32) -> String {
    let later = later.map_or(String::new(), |scores| {
        format!("      - date: 2025-08-01\n        scores: {scores}\n")
    });
    // Embedded from the baseline with no runs: its KPI changes count, it saves no hours.
    let workflow = "workflows:\n  - {id: qbr, embedded: true, since: 2025-Q2, documented: true, quality_standard: true, minutes_before: 60, minutes_after: 30, runs_per_quarter: 0}\n";
    format!(
        "{}people:\n  - id: x1\n    role: partner manager\n    assessments:\n      - date: 2025-04-01\n        scores: {early}\n{later}{workflow}kpis:\n{}{}",
        head(name),
        kpi("2025-Q2", 100000, 60, 20000, 2, 20000),
        kpi("2025-Q3", 100000, 60, cost_q3, 2, 20000)
    )
}

/// Three partners whose file names, names, scores, movements and ROI all
/// sort differently. Each has one person, a workflow embedded from the
/// baseline (so cost-to-serve changes count, credited in full) and a third
/// of 3,000 a quarter of investment, over the one quarter after the baseline:
///
/// | file | name | score | movement | ROI |
/// |---|---|---|---|---|
/// | p3 | Alpha Corp | 30 | 0 | (1,500 − 1,000) / 1,000 = 0.5 |
/// | p1 | Bravo Ltd | 15 | +15 | (3,000 − 1,000) / 1,000 = 2.0 |
/// | p2 | Charlie Inc | 45 | +12.5 | (0 − 1,000) / 1,000 = −1.0 |
fn three_partners(probes: bool) -> Site {
    partner_site(
        "\n[program]\nbaseline_quarter = \"2025-Q2\"\nkpi_attribution = 1\n\n[program.investment]\nlicences_per_quarter = 3000\n",
        &[
            (
                "p3",
                &one_person("Alpha Corp", &scores(2, &[]), None, 18500),
            ),
            (
                "p1",
                &one_person("Bravo Ltd", &scores(0, &[]), Some(&scores(1, &[])), 17000),
            ),
            (
                "p2",
                &one_person(
                    "Charlie Inc",
                    &scores(2, &[("prompting", 3)]),
                    Some(&scores(3, &[])),
                    20000,
                ),
            ),
        ],
        probes,
    )
}

/// A partner of `people` people, with an embedded workflow from the
/// baseline and cost to serve down by 1,000 in 2025-Q3.
fn partner_of(name: &str, people: usize) -> String {
    let people: String = (0..people)
        .map(|i| format!("  - {{id: x{i}, role: partner manager}}\n"))
        .collect();
    format!(
        "{}people:\n{people}workflows:\n  - {{id: qbr, embedded: true, since: 2025-Q2, documented: true, quality_standard: true, minutes_before: 60, minutes_after: 30, runs_per_quarter: 0}}\nkpis:\n{}{}",
        head(name),
        kpi("2025-Q2", 100000, 60, 20000, 2, 20000),
        kpi("2025-Q3", 100000, 60, 19000, 2, 20000)
    )
}

#[test]
fn a_partner_under_five_percent_of_the_cost_shows_benefit_and_cost_not_a_percentage() {
    // 1 of 25 people is 4% of the 3,100 a quarter: $124 against $1,000 of
    // benefits would read +706%.
    let site = partner_site(
        "\n[program]\nbaseline_quarter = \"2025-Q2\"\nkpi_attribution = 1\n\n[program.investment]\nlicences_per_quarter = 3100\n",
        &[
            ("small", &partner_of("Small Co", 1)),
            ("large", &partner_of("Large Co", 24)),
        ],
        false,
    );
    site.build();
    let list = site.read("partners/index.html");
    let small = row_with(&list, "Small Co");
    assert!(small.contains("$1,000 benefits vs $124 cost"), "{small}");
    assert!(!small.contains('%'), "{small}");
    let large = row_with(&list, "Large Co");
    assert!(large.contains("−66%"), "(1,000 − 2,976) / 2,976: {large}");
    let scorecard = site.read("partners/small/index.html");
    let ratio = row_with(&scorecard, "Return on investment</th>");
    assert!(
        ratio.contains("no percentage: this partner’s cost is under 5% of the program cost"),
        "{ratio}"
    );
    assert!(ratio.ends_with("no ratio"), "{ratio}");
    let json = site.read_json("data/metrics.json");
    let small = json["partners"]
        .as_array()
        .and_then(|all| all.iter().find(|p| p["id"] == "small"))
        .expect("the small partner");
    assert!(small["roi"].is_null(), "{small}");
    assert_eq!(small["roi_breakdown"]["roi_meaningful"], false);
    assert!(close(&small["investment"], 124.0), "{small}");
}

#[test]
fn without_investment_payback_reads_no_cost_never_not_yet() {
    let site = partner_site(
        "\n[program]\nbaseline_quarter = \"2025-Q2\"\n",
        &[("small", &partner_of("Small Co", 1))],
        false,
    );
    site.build();
    let list = site.read("partners/index.html");
    let row = row_with(&list, "Small Co");
    assert!(row.contains("no cost"), "{row}");
    assert!(!row.contains("not yet"), "{row}");
    let report = site.read("reports/executive/index.html");
    let headlines = visible_text(section(main_of(&report), "headline-title"));
    assert!(
        headlines.contains("Payback no cost no investment recorded"),
        "{headlines}"
    );
    let payback = row_with(&report, ">Payback<");
    assert_eq!(
        payback,
        "Payback not computed: no investment recorded no cost"
    );
}

#[test]
fn the_partner_list_comes_in_four_orders() {
    let site = three_partners(true);
    site.build();
    for (page, ordering, names) in [
        (
            "partners/index.html",
            "name",
            "Alpha Corp|Bravo Ltd|Charlie Inc|",
        ),
        (
            "partners/by-score/index.html",
            "score",
            "Charlie Inc|Alpha Corp|Bravo Ltd|",
        ),
        (
            "partners/by-movement/index.html",
            "movement",
            "Bravo Ltd|Charlie Inc|Alpha Corp|",
        ),
        (
            "partners/by-roi/index.html",
            "roi",
            "Bravo Ltd|Alpha Corp|Charlie Inc|",
        ),
    ] {
        let html = site.read(page);
        assert_eq!(line_value(&html, "ordering"), ordering, "{page}");
        assert_eq!(line_value(&html, "names"), names, "{page}");
    }
}

#[test]
fn each_partner_has_a_scorecard_at_its_file_name() {
    let site = three_partners(true);
    site.build();
    for (id, name, score) in [
        ("p1", "Bravo Ltd", "15.00"),
        ("p2", "Charlie Inc", "45.00"),
        ("p3", "Alpha Corp", "30.00"),
    ] {
        let html = site.read(&format!("partners/{id}/index.html"));
        assert_eq!(line_value(&html, "name"), name);
        assert_eq!(line_value(&html, "url"), format!("/partners/{id}/"));
        assert_eq!(line_value(&html, "score"), score, "{id}");
    }
    let report = site.read("reports/executive/index.html");
    assert_eq!(line_value(&report, "partners"), "3");
    assert_eq!(line_value(&report, "headcount"), "3");
    // 1,500 + 3,000 + 0 of cost-to-serve reduction against 3,000.
    assert_eq!(line_value(&report, "benefits"), "4,500.00");
    assert_eq!(line_value(&report, "investment"), "3,000.00");
}

#[test]
fn partner_urls_carry_the_base_path() {
    let site = three_partners(true);
    site.write(
        "site.toml",
        &format!(
            "{}\n[program]\nbaseline_quarter = \"2025-Q2\"\n",
            common::SITE_TOML.replace("https://example.com/", "https://example.com/portal/")
        ),
    );
    site.build();
    let html = site.read("partners/p1/index.html");
    assert_eq!(line_value(&html, "url"), "/portal/partners/p1/");
    let home = site.read("index.html");
    assert!(home.contains("href=\"/portal/partners/\""), "{home}");
    assert!(
        home.contains("href=\"/portal/reports/executive/\""),
        "{home}"
    );
}

#[test]
fn workflow_pages_show_the_partners_that_use_the_workflow() {
    let uses = format!(
        "{}people:\n  - id: u1\n    role: partner manager\n    ai_use:\n      - workflow: qbr\n        since: 2025-04-01\n  - id: u2\n    role: sales engineer\n    ai_use:\n      - workflow: qbr\n        since: 2025-04-01\n{EMBEDDED_QBR}{}",
        head("Embedding Partner"),
        flat_kpis()
    );
    let claims = format!(
        "{}people:\n  - id: c1\n    role: partner manager\nworkflows:\n  - id: qbr\n    embedded: true\n    since: 2025-Q2\n    documented: false\n{}",
        head("Claiming Partner"),
        flat_kpis()
    );
    let elsewhere = format!(
        "{}people:\n  - id: e1\n    role: partner manager\n    ai_use:\n      - workflow: co-selling\n        since: 2025-04-01\n{}",
        head("Co-selling Partner"),
        flat_kpis()
    );
    let site = partner_site(
        "",
        &[
            ("uses", &uses),
            ("claims", &claims),
            ("elsewhere", &elsewhere),
        ],
        true,
    );
    site.write(PROBE_TERM.0, PROBE_TERM.1);
    site.build();
    let qbr = site.read("workflows/qbr/index.html");
    assert_eq!(
        line_value(&qbr, "adoption"),
        "Claiming Partner:0:not-embedded|Embedding Partner:2:embedded|"
    );
    let co_selling = site.read("workflows/co-selling/index.html");
    assert_eq!(
        line_value(&co_selling, "adoption"),
        "Co-selling Partner:1:not-embedded|"
    );
    let onboarding = site.read("workflows/onboarding/index.html");
    assert_eq!(line_value(&onboarding, "adoption"), "");
    let prompting = site.read("skills/prompting/index.html");
    assert_eq!(line_value(&prompting, "adoption"), "");
}

/// The main navigation of a page, as `title -> href` pairs.
fn nav_of(html: &str) -> Vec<String> {
    let start = html.find("aria-label=\"Main\"").expect("a main navigation");
    let end = start + html[start..].find("</nav>").expect("a closed nav");
    html[start..end]
        .split("<a href=\"")
        .skip(1)
        .map(|item| {
            let (href, rest) = item.split_once('"').expect("href");
            let title = rest
                .split_once('>')
                .and_then(|(_, t)| t.split_once('<'))
                .map_or("", |(t, _)| t);
            format!("{title} -> {href}")
        })
        .collect()
}

#[test]
fn the_navigation_links_the_partners_and_the_executive_summary_when_there_is_partner_data() {
    let site = three_partners(true);
    site.build();
    let nav = nav_of(&site.read("modules/first-steps/index.html"));
    assert!(
        nav.contains(&"Partners -> /partners/".to_string()),
        "{nav:?}"
    );
    assert!(
        nav.contains(&"Executive summary -> /reports/executive/".to_string()),
        "{nav:?}"
    );
}

#[test]
fn a_site_without_partner_files_has_no_partner_pages_exports_or_links() {
    let site = partner_site("", &[], false);
    site.build();
    let files = site.snapshot();
    let partner_outputs: Vec<&String> = files
        .keys()
        .filter(|f| {
            f.starts_with("partners/") || f.starts_with("reports/") || f.starts_with("data/")
        })
        .collect();
    assert!(partner_outputs.is_empty(), "{partner_outputs:?}");
    let nav = nav_of(&site.read("index.html"));
    assert!(
        !nav.iter()
            .any(|item| item.starts_with("Partners") || item.starts_with("Executive")),
        "{nav:?}"
    );
    assert!(!site.read("sitemap.xml").contains("/partners/"));
}

// ---------------------------------------------------------------- flags

/// Four partners: one showing each failure pattern and one showing none.
fn flagged_partners(probes: bool) -> Site {
    // Both people use AI in qbr, which is not embedded.
    let activity = format!(
        "{}people:\n  - id: a1\n    role: partner manager\n    ai_use:\n      - workflow: qbr\n        since: 2025-04-01\n  - id: a2\n    role: sales engineer\n    ai_use:\n      - workflow: qbr\n        since: 2025-04-01\nworkflows:\n  - id: qbr\n    embedded: false\n{}",
        head("Activity Partner"),
        flat_kpis()
    );
    // Six completions, five of them in 2025-Q3; qbr is embedded.
    let completion =
        |module: &str, date: &str| format!("      - module: {module}\n        date: {date}\n");
    let event = format!(
        "{}people:\n  - id: e1\n    role: partner manager\n    completions:\n{}{}  - id: e2\n    role: sales engineer\n    completions:\n{}{}  - id: e3\n    role: account manager\n    completions:\n{}{}{EMBEDDED_QBR}{}",
        head("Event Partner"),
        completion("first-steps", "2025-07-02"),
        completion("check-the-output", "2025-07-03"),
        completion("first-steps", "2025-07-02"),
        completion("check-the-output", "2025-07-03"),
        completion("first-steps", "2025-07-02"),
        completion("automate-a-step", "2025-04-10"),
        flat_kpis()
    );
    // Two completions per person, spread over two quarters; nothing embedded.
    let literacy = format!(
        "{}people:\n  - id: l1\n    role: partner manager\n    completions:\n{}{}  - id: l2\n    role: sales engineer\n    completions:\n{}{}{}",
        head("Literacy Partner"),
        completion("first-steps", "2025-04-10"),
        completion("check-the-output", "2025-07-10"),
        completion("first-steps", "2025-04-11"),
        completion("check-the-output", "2025-07-11"),
        flat_kpis()
    );
    partner_site(
        "",
        &[
            ("activity", &activity),
            ("event", &event),
            ("literacy", &literacy),
            ("example", &worked_example("yaml")),
        ],
        probes,
    )
}

#[test]
fn each_failure_pattern_is_flagged_on_the_partner_that_shows_it_and_only_there() {
    let site = flagged_partners(true);
    site.build();
    for (id, flags) in [
        ("activity", "activity-without-instrumentation"),
        // Nobody at these two uses AI either.
        ("event", "no-ai-use event-based-enablement"),
        ("literacy", "no-ai-use literacy-without-capability"),
        ("example", ""),
    ] {
        let html = site.read(&format!("partners/{id}/index.html"));
        assert_eq!(line_value(&html, "flags"), flags, "{id}");
    }
    let report = site.read("reports/executive/index.html");
    assert_eq!(
        line_value(&report, "flags"),
        "activity-without-instrumentation:1 event-based-enablement:1 literacy-without-capability:1 no-ai-use:2"
    );
}

#[test]
fn a_leavers_completions_do_not_flag_the_team_that_stays() {
    let completion =
        |module: &str, date: &str| format!("      - module: {module}\n        date: {date}\n");
    // l1 took five courses in 2025-Q3 and left; s1 stays with one.
    let partner = format!(
        "{}people:\n  - id: s1\n    role: partner manager\n    completions:\n{}  - id: l1\n    role: sales engineer\n    left: 2025-09-20\n    completions:\n{}{}{}{}{}{}",
        head("Turnover Partner"),
        completion("first-steps", "2025-04-10"),
        completion("first-steps", "2025-07-02"),
        completion("check-the-output", "2025-07-03"),
        completion("automate-a-step", "2025-07-04"),
        completion("first-steps", "2025-07-05"),
        completion("check-the-output", "2025-07-06"),
        flat_kpis()
    );
    let site = partner_site("", &[("turnover", &partner)], false);
    site.build();
    let html = site.read("partners/turnover/index.html");
    // Six completions over two people would be event-based enablement and
    // literacy without capability; the one person who belongs has one.
    let main = visible_text(main_of(&html));
    assert!(
        main.contains("None of the 1 person uses AI in any workflow."),
        "{main}"
    );
    for pattern in ["Event-based enablement", "Literacy without capability"] {
        assert!(!main.contains(pattern), "{pattern}: {main}");
    }
}

#[test]
fn the_flags_reach_the_csv_export() {
    let site = flagged_partners(true);
    site.build();
    let csv = site.read("data/partners.csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().expect("a header").clone();
    let at = header
        .iter()
        .position(|h| h == "flags")
        .expect("a flags column");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
    let flags_of = |id: &str| -> String {
        let row = rows
            .iter()
            .find(|r| &r[0] == id)
            .unwrap_or_else(|| panic!("no row for {id}:\n{csv}"));
        row[at].to_string()
    };
    assert_eq!(flags_of("activity"), "activity-without-instrumentation");
    assert_eq!(flags_of("event"), "no-ai-use event-based-enablement");
    assert_eq!(
        flags_of("literacy"),
        "no-ai-use literacy-without-capability"
    );
    assert_eq!(flags_of("example"), "");
}

// ---------------------------------------------------------------- KPI movement

/// A partner whose revenue rises, sales cycle and cost to serve fall,
/// throughput falls and margin stays.
fn moving_kpis(probes: bool) -> Site {
    let partner = format!(
        "{}people:\n  - id: m1\n    role: partner manager\nkpis:\n{}{}",
        head("Moving Partner"),
        kpi("2025-Q2", 500000, 90, 20000, 5, 80000),
        kpi("2025-Q3", 550000, 80, 18000, 3, 80000)
    );
    partner_site("", &[("moving", &partner)], probes)
}

#[test]
fn falling_sales_cycle_and_cost_to_serve_count_as_improvements() {
    let site = moving_kpis(true);
    site.build();
    let expected = "partner_sourced_revenue:better sales_cycle_days:better cost_to_serve:better enablement_throughput:worse margin_contribution:unchanged";
    let html = site.read("partners/moving/index.html");
    assert_eq!(line_value(&html, "kpis"), expected);
    let report = site.read("reports/executive/index.html");
    assert_eq!(line_value(&report, "kpis"), expected);
    let json = site.read_json("data/metrics.json");
    let cycle = json["partners"][0]["kpis"]
        .as_array()
        .expect("kpis")
        .iter()
        .find(|k| k["id"] == "sales_cycle_days")
        .expect("the sales cycle");
    assert_eq!(cycle["higher_is_better"], false);
    assert_eq!(cycle["vs_baseline"]["improved"], true);
    assert!(close(&cycle["vs_baseline"]["change"], -10.0), "{cycle}");
    assert!(
        close(&cycle["vs_baseline"]["relative"], -10.0 / 90.0),
        "{cycle}"
    );
}

// ---------------------------------------------------------------- recommendations

/// Three people strong in everything but output validation (1) and light
/// automation (0); two of them completed "Check the output", one "Validate
/// the numbers". "Validate the numbers" requires "Wire up an automation",
/// though its title sorts first.
fn weak_partner(probes: bool) -> Site {
    weak_partner_completing(
        probes,
        &[
            &["check-the-output", "validate-numbers"],
            &["check-the-output"],
            &[],
        ],
    )
}

/// [`weak_partner`] with one person per entry of `completions`, each having
/// completed the modules listed.
fn weak_partner_completing(probes: bool, completions: &[&[&str]]) -> Site {
    let weak = scores(4, &[("output-validation", 1), ("light-automation", 0)]);
    let person = |id: &str, completions: &[&str]| {
        let mut text = format!(
            "  - id: {id}\n    role: partner manager\n    assessments:\n      - date: 2025-06-01\n        scores: {weak}\n"
        );
        if !completions.is_empty() {
            text.push_str("    completions:\n");
            for module in completions {
                text.push_str(&format!(
                    "      - module: {module}\n        date: 2025-06-10\n"
                ));
            }
        }
        text
    };
    let people: String = completions
        .iter()
        .enumerate()
        .map(|(i, done)| person(&format!("w{}", i + 1), done))
        .collect();
    let partner = format!(
        "{}people:\n{people}{EMBEDDED_QBR}{}",
        head("Weak Partner"),
        flat_kpis()
    );
    let site = partner_site("", &[("weak", &partner)], probes);
    site.write(
        "content/modules/automate-a-step.md",
        &module(
            "title: Wire up an automation\nskills: [light-automation]",
            "One step at a time.\n",
        ),
    );
    site.write(
        "content/modules/validate-numbers.md",
        &module(
            "title: A check for numbers\nskills: [output-validation]\nprerequisites: [automate-a-step]",
            "Numbers lie.\n",
        ),
    );
    site
}

#[test]
fn modules_teaching_the_weakest_skills_are_recommended_in_learning_order() {
    let site = weak_partner(true);
    site.build();
    let html = site.read("partners/weak/index.html");
    assert_eq!(
        line_value(&html, "weakest"),
        "light-automation output-validation"
    );
    assert_eq!(
        line_value(&html, "recommended"),
        "Wire up an automation|A check for numbers|"
    );
}

#[test]
fn a_module_half_the_people_completed_is_not_recommended_again() {
    // "Check the output" teaches a weak skill; of four people, who completed it?
    let recommended = |completions: &[&[&str]]| {
        let site = weak_partner_completing(true, completions);
        site.build();
        line_value(&site.read("partners/weak/index.html"), "recommended").to_string()
    };
    let half = recommended(&[&["check-the-output"], &["check-the-output"], &[], &[]]);
    assert!(!half.contains("Check the output"), "half: {half}");
    let fewer = recommended(&[&["check-the-output"], &[], &[], &[]]);
    assert!(
        fewer.contains("Check the output|"),
        "fewer than half: {fewer}"
    );
}

#[test]
fn a_partner_weak_in_one_skill_is_recommended_a_module_teaching_it() {
    let person = format!(
        "{}people:\n  - id: w1\n    role: partner manager\n    assessments:\n      - date: 2025-06-01\n        scores: {}\n{EMBEDDED_QBR}{}",
        head("Automation Partner"),
        scores(3, &[("light-automation", 0)]),
        flat_kpis()
    );
    let site = partner_site("", &[("automation", &person)], true);
    site.build();
    let html = site.read("partners/automation/index.html");
    let weakest = line_value(&html, "weakest");
    assert!(weakest.starts_with("light-automation"), "{weakest}");
    let recommended = line_value(&html, "recommended");
    assert!(recommended.contains("Automate a step|"), "{recommended}");
    assert!(!recommended.contains("Check the output"), "{recommended}");
}

// ---------------------------------------------------------------- determinism

#[test]
fn two_builds_of_a_partner_site_are_byte_identical() {
    let site = flagged_partners(true);
    site.build();
    let first = site.snapshot();
    site.build();
    assert_same_tree(&first, &site.snapshot());
    let again = flagged_partners(true);
    again.build();
    assert_same_tree(&first, &again.snapshot());
}

// ---------------------------------------------------------------- what the build writes and records

#[test]
fn content_cannot_take_the_url_of_a_generated_partner_page() {
    let site = three_partners(true);
    site.write(
        "content/reports/executive.md",
        "---\ntitle: Our own executive page\n---\nHand-written.\n",
    );
    site.write(
        "content/partners/_index.md",
        "---\ntitle: Our partners\n---\nAn introduction.\n",
    );
    let problems = match site.try_build() {
        Err(proficio::Error::Input(problems)) => problems,
        Err(other) => panic!("expected Error::Input, got: {other:?}"),
        Ok(_) => panic!(
            "the build succeeded; /reports/executive/ reads: {}",
            line_value(&site.read("reports/executive/index.html"), "partners")
        ),
    };
    for file in ["content/reports/executive.md", "content/partners/_index.md"] {
        assert!(
            problems.iter().any(|p| p.file == Path::new(file)
                && p.message.contains("belongs to pages proficio generates")),
            "{file}:\n{}",
            describe(&problems)
        );
    }
}

#[test]
fn nothing_in_the_partner_folder_is_published_as_it_is() {
    let site = partner_site("", &[("private", &secret_people())], true);
    site.write("content/partners/other.YAML", &secret_people());
    let published = match site.try_build() {
        Ok(_) => site.files_containing("secret-person"),
        // Refusing the file is as good as reading it.
        Err(proficio::Error::Input(_)) => Vec::new(),
        Err(other) => panic!("unexpected failure: {other:?}"),
    };
    assert_eq!(published, Vec::<String>::new());
}

#[test]
fn a_scorecard_moves_with_every_partner_file_its_figures_depend_on() {
    let site = three_partners(true);
    site.build();
    let before = line_value(&site.read("partners/p1/index.html"), "investment").to_string();
    site.write(
        "content/partners/p2.yaml",
        &one_person(
            "Charlie Inc",
            &scores(2, &[("prompting", 3)]),
            Some(&scores(3, &[])),
            20000,
        )
        .replace(
            "workflows:\n",
            "  - id: x2\n    role: sales engineer\nworkflows:\n",
        ),
    );
    site.build();
    let after = line_value(&site.read("partners/p1/index.html"), "investment").to_string();
    assert_ne!(
        before, after,
        "the other partner's headcount moves this figure"
    );
}

// ---------------------------------------------------------------- the default theme's pages

#[test]
fn the_scorecard_shows_a_reader_the_documented_figures() {
    let site = worked_example_site(false);
    site.build();
    let html = site.read("partners/example/index.html");
    let main = main_of(&html);
    assert!(main.contains("<h1>Example Partner</h1>"), "{main}");
    let stand = visible_text(section(main, "stand-title"));
    for phrase in [
        "22.7 / 100",
        "Nay-sayer 2 (50%)",
        "Experimenter 1 (25%)",
        "Practitioner 1 (25%)",
    ] {
        assert!(stand.contains(phrase), "{phrase} not in: {stand}");
    }
    let roi = section(main, "roi-title");
    let total = row_with(roi, "Total benefits");
    assert!(total.contains("$1,425 + $250 + $2,100"), "{total}");
    assert!(total.ends_with("$3,775"), "{total}");
    assert!(row_with(roi, ">Investment<").contains("$3,000"));
    let time = row_with(roi, "Value of hours saved");
    assert!(
        time.contains("30 h saved × $95/h loaded cost × 50% realisation"),
        "{time}"
    );
    let margin = row_with(roi, "Attributed margin uplift");
    assert!(
        margin.contains(
            "$8,400 margin uplift net of the comparison group from 2025-Q4 × 25% attribution"
        ),
        "{margin}"
    );
    let ratio = row_with(roi, "Return on investment</th>");
    assert!(ratio.contains("low −14%, high 66%"), "{ratio}");
    assert!(ratio.ends_with("26%"), "{ratio}");
    let payback = row_with(roi, ">Payback<");
    assert!(
        payback.contains("low not yet, high 4.8 months"),
        "{payback}"
    );
    assert!(payback.ends_with("5.4 months"), "{payback}");
    let sensitivity = row_with(roi, ">Sensitivity<");
    assert!(
        sensitivity.contains("ROI stays positive while attribution is above 16.8% (it is 25%)"),
        "{sensitivity}"
    );
    let npv = row_with(roi, ">Net present value<");
    assert!(npv.contains("8.0% a year; low −$494, high $1,816"), "{npv}");
    assert!(npv.ends_with("$661"), "{npv}");
    let assumptions = visible_text(roi);
    for phrase in [
        "KPI benefits (cost to serve, margin) count from 2025-Q4, the quarter of the first embedded workflow",
        "Hours saved count at 50% realisation",
        "time ±20%, cost to serve ±30%, margin ±40%",
        "Discount rate 8.0% a year.",
    ] {
        assert!(
            assumptions.contains(phrase),
            "{phrase} not in: {assumptions}"
        );
    }
    let flows = row_with(roi, "<th scope=\"row\">2025-Q4</th>");
    assert_eq!(flows, "2025-Q4 30 $1,425 $250 $2,100 $3,775 $1,500 $775");
    let revenue = row_with(roi, "Partner-sourced revenue change");
    assert!(revenue.contains("$80,000"), "{revenue}");
    assert!(revenue.contains("Not added"), "{revenue}");
}

#[test]
fn a_partner_without_an_embedded_workflow_has_no_kpi_benefits_and_payback_not_yet() {
    let site = worked_example_site(false);
    site.build();
    let html = site.read("partners/other/index.html");
    let roi = section(main_of(&html), "roi-title");
    let total = row_with(roi, "Total benefits");
    assert!(total.ends_with("$0"), "{total}");
    let payback = row_with(roi, ">Payback<");
    assert!(
        payback.starts_with("Payback not yet: cumulative benefits are still below cumulative cost (−$3,000 at the end of the data)"),
        "{payback}"
    );
    assert!(visible_text(roi).contains(
        "No workflow is embedded yet, so no KPI benefits (cost to serve, margin) count;"
    ));
}

#[test]
fn the_executive_summary_shows_a_reader_the_documented_figures() {
    let site = worked_example_site(false);
    site.build();
    let html = site.read("reports/executive/index.html");
    let main = main_of(&html);
    assert!(main.contains("<h1>Executive ROI summary</h1>"), "{main}");
    let headlines = visible_text(section(main, "headline-title"));
    for phrase in [
        "Return on investment −37% low −57% · high −17%, over 2 quarters",
        "Total benefits $3,775",
        "Investment $6,000",
        "Payback not yet when cumulative benefits pass cumulative cost; low not yet · high not yet",
        "Hours saved 30 h worth $1,425: $95 an hour × 50% realisation",
    ] {
        assert!(headlines.contains(phrase), "{phrase} not in: {headlines}");
    }
    let brief = visible_text(section(main, "brief-title"));
    for phrase in [
        "give an ROI of −37% (low −57%, high −17%); cumulative benefits have not yet passed cumulative cost.",
        "Example Partner accounts for 100% of the benefits; without it the others' ROI is −100%. 1 of 2 partners have benefits below their cost.",
    ] {
        assert!(brief.contains(phrase), "{phrase} not in: {brief}");
    }
    let roi = section(main, "roi-title");
    assert!(row_with(roi, "Total benefits").ends_with("$3,775"));
    let embedders = row_with(roi, "With an embedded workflow");
    assert_eq!(embedders, "With an embedded workflow 1 of 1 10.0% 12.5%");
    let comparison = row_with(roi, "Comparison group (none embedded)");
    assert_eq!(
        comparison,
        "Comparison group (none embedded) 1 of 1 5.0% 2.0%"
    );
    let ranked = visible_text(section(main, "ranked-title"));
    assert!(ranked.contains("26%"), "the example's ROI: {ranked}");
}

#[test]
fn scorecard_charts_are_labelled_images_with_their_numbers_in_a_table() {
    let site = worked_example_site(false);
    site.build();
    let html = site.read("partners/example/index.html");
    let charts = html.matches("<svg").count();
    assert!(charts >= 3, "a level, a skill and an hours chart: {charts}");
    assert_eq!(html.matches("role=\"img\"").count(), charts);
    assert_eq!(
        html.matches("<title>").count(),
        charts + 1,
        "one per chart and the page's"
    );
    assert_eq!(html.matches("<desc>").count(), charts);
    assert_eq!(html.matches("<table class=\"chart-data\">").count(), charts);
    let levels_start = html
        .find("<title>Level mix by quarter</title>")
        .expect("a level chart");
    let levels = &html[levels_start..];
    let levels = &levels[..levels.find("</figure>").expect("a closed figure")];
    assert!(
        levels.contains("<desc>2025-Q2: 3 Nay-sayer, 1 Experimenter, 0 Practitioner;"),
        "{levels}"
    );
    let table = &levels[levels
        .find("<table class=\"chart-data\">")
        .expect("a data table")..];
    for (quarter, counts) in [
        ("2025-Q2", [3, 1, 0]),
        ("2025-Q3", [2, 2, 0]),
        ("2025-Q4", [2, 1, 1]),
    ] {
        let cells: String = counts.iter().map(|n| format!("<td>{n}</td>")).collect();
        assert!(
            table.contains(&format!("<th scope=\"row\">{quarter}</th>{cells}")),
            "{quarter}: {table}"
        );
    }
}

/// The visible text of each KPI card, by KPI title.
fn kpi_cards(html: &str) -> Vec<(String, String)> {
    html.split("<li class=\"kpi-card\">")
        .skip(1)
        .map(|card| {
            let card = &card[..card.find("</li>").expect("a closed card")];
            let title = card
                .split_once("<h3 class=\"kpi-title\">")
                .and_then(|(_, rest)| rest.split_once("</h3>"))
                .map_or("", |(title, _)| title)
                .to_string();
            (title, visible_text(card))
        })
        .collect()
}

#[test]
fn the_scorecard_calls_a_falling_sales_cycle_and_cost_to_serve_better() {
    let site = moving_kpis(false);
    site.build();
    let html = site.read("partners/moving/index.html");
    let cards = kpi_cards(main_of(&html));
    let card = |title: &str| -> &str {
        &cards
            .iter()
            .find(|(t, _)| t == title)
            .unwrap_or_else(|| panic!("no {title} card in {cards:?}"))
            .1
    };
    let cycle = card("Sales cycle");
    assert!(cycle.contains("Lower is better"), "{cycle}");
    assert!(cycle.contains("−10.0 days (−11.1%) better"), "{cycle}");
    assert!(!cycle.contains("worse"), "{cycle}");
    let cost = card("Cost to serve");
    assert!(cost.contains("−$2,000 (−10.0%) better"), "{cost}");
    assert!(!cost.contains("worse"), "{cost}");
    let revenue = card("Partner-sourced revenue");
    assert!(revenue.contains("+$50,000 (+10.0%) better"), "{revenue}");
    let throughput = card("Enablement throughput");
    assert!(throughput.contains("−2 (−40.0%) worse"), "{throughput}");
    let margin = card("Margin contribution");
    let since_baseline = margin
        .split("vs baseline")
        .nth(1)
        .expect("a baseline delta");
    assert!(since_baseline.contains("unchanged"), "{margin}");
    assert!(!since_baseline.contains("better"), "{margin}");
    assert!(!since_baseline.contains("worse"), "{margin}");
}

#[test]
fn the_executive_summary_calls_a_falling_sales_cycle_better() {
    let site = moving_kpis(false);
    site.build();
    let html = site.read("reports/executive/index.html");
    let kpis = section(main_of(&html), "kpi-title");
    let cycle = row_with(kpis, "Sales cycle");
    assert!(cycle.contains("lower is better"), "{cycle}");
    assert!(
        cycle.contains("90.0 days 1 of 1 partners reported 80.0 days"),
        "{cycle}"
    );
    assert!(cycle.contains("−10.0 days (−11.1%) better"), "{cycle}");
    assert!(!cycle.contains("worse"), "{cycle}");
    let cost = row_with(kpis, "Cost to serve");
    assert!(cost.contains("−$2,000 (−10.0%) better"), "{cost}");
    let throughput = row_with(kpis, "Enablement throughput");
    assert!(throughput.contains("−2 (−40.0%) worse"), "{throughput}");
}

/// Two partners from 2025-Q2: one reports every quarter to 2025-Q4, the
/// other stopped after 2025-Q3 (with larger figures than the first, so that
/// comparing different sets of partners would show).
fn one_stopped_reporting() -> Site {
    let steady = format!(
        "{}people:\n  - id: s1\n    role: partner manager\nkpis:\n{}{}{}",
        head("Steady Partner"),
        kpi("2025-Q2", 100000, 60, 10000, 2, 20000),
        kpi("2025-Q3", 110000, 62, 10000, 2, 21000),
        kpi("2025-Q4", 120000, 64, 10000, 2, 22000)
    );
    let stopped = format!(
        "{}people:\n  - id: t1\n    role: partner manager\nkpis:\n{}{}",
        head("Stopped Partner"),
        kpi("2025-Q2", 300000, 100, 30000, 4, 60000),
        kpi("2025-Q3", 200000, 50, 30000, 4, 50000)
    );
    partner_site("", &[("steady", &steady), ("stopped", &stopped)], false)
}

#[test]
fn a_partner_that_stopped_reporting_has_no_data_for_the_latest_quarter_and_keeps_its_own_quarters()
{
    let site = one_stopped_reporting();
    site.build();
    let html = site.read("partners/stopped/index.html");
    let cards = kpi_cards(main_of(&html));
    let revenue = &cards
        .iter()
        .find(|(t, _)| t == "Partner-sourced revenue")
        .expect("a revenue card")
        .1;
    assert!(
        revenue.starts_with(
            "Partner-sourced revenue No data for 2025-Q4 Last reported: $200,000 2025-Q3"
        ),
        "{revenue}"
    );
    assert!(
        revenue.contains("2025-Q3 vs baseline (2025-Q2) ▼ −$100,000 (−33.3%) worse"),
        "{revenue}"
    );
    assert!(
        revenue.contains("2025-Q3 vs 2025-Q2 ▼ −$100,000"),
        "{revenue}"
    );
    assert!(!revenue.contains("$200,000 2025-Q4"), "{revenue}");
    // The partner that reported the latest quarter keeps the usual wording.
    let html = site.read("partners/steady/index.html");
    let cards = kpi_cards(main_of(&html));
    let revenue = &cards[0].1;
    assert!(revenue.contains("$120,000 2025-Q4"), "{revenue}");
    assert!(revenue.contains("vs 2025-Q3 ▲ +$10,000"), "{revenue}");
    assert!(!revenue.contains("Last reported"), "{revenue}");
    let json = site.read_json("data/metrics.json");
    let stopped = json["partners"]
        .as_array()
        .expect("partners")
        .iter()
        .find(|p| p["id"] == "stopped")
        .expect("the stopped partner");
    let kpi = &stopped["kpis"][0];
    assert_eq!(kpi["latest"], Value::Null, "{kpi}");
    assert_eq!(kpi["reported_quarter"], "2025-Q3", "{kpi}");
    assert_eq!(kpi["previous_quarter"], "2025-Q2", "{kpi}");
    let labels: Vec<&str> = kpi["points"]
        .as_array()
        .expect("points")
        .iter()
        .filter_map(|p| p["label"].as_str())
        .collect();
    assert_eq!(labels, ["2025-Q2", "2025-Q3"]);
}

#[test]
fn ecosystem_kpi_movement_is_over_the_partners_that_reported_both_quarters() {
    let site = one_stopped_reporting();
    site.build();
    let html = site.read("reports/executive/index.html");
    let kpis = section(main_of(&html), "kpi-title");
    let revenue = row_with(kpis, "Partner-sourced revenue");
    // Baseline over both partners, latest over the one that reported it; the
    // movement like for like: the steady partner's 100,000 → 120,000, not
    // 400,000 → 120,000.
    assert_eq!(
        revenue,
        "Partner-sourced revenuehigher is better $400,000 2 of 2 partners reported \
         $120,000 1 of 2 partners reported \
         ▲ +$20,000 (+20.0%) better 1 of 2 partners reported both \
         ▲ +$10,000 (+9.1%) better 1 of 2 partners reported both"
    );
    let cycle = row_with(kpis, "Sales cycle");
    assert!(
        cycle.contains("▲ +4.0 days (+6.7%) worse 1 of 2 partners reported both"),
        "{cycle}"
    );
    let missing = visible_text(kpis);
    assert!(
        missing.contains("No KPIs for 2025-Q4 from 1 of 2 partners: Stopped Partner."),
        "{missing}"
    );
    let json = site.read_json("data/metrics.json");
    let revenue = &json["ecosystem"]["kpis"][0];
    assert_eq!(
        revenue["partners"],
        serde_json::json!({"of": 2, "latest": 1, "baseline": 2, "vs_baseline": 1, "vs_previous": 1})
    );
    assert!(
        close(&revenue["vs_baseline"]["change"], 20000.0),
        "{revenue}"
    );
    assert_eq!(
        json["ecosystem"]["missing_latest"][0]["name"],
        "Stopped Partner"
    );
}

#[test]
fn a_partner_without_kpis_for_the_baseline_quarter_shows_no_baseline_not_zero() {
    // Early embeds a workflow from the baseline on, so its KPI changes count.
    let early = format!(
        "{}people:\n  - id: a1\n    role: partner manager\nworkflows:\n  - {{id: qbr, embedded: true, since: 2025-Q2, documented: true, quality_standard: true, minutes_before: 60, minutes_after: 30, runs_per_quarter: 0}}\nkpis:\n{}{}",
        head("Early Partner"),
        kpi("2025-Q2", 100000, 60, 10000, 2, 20000),
        kpi("2025-Q3", 100000, 60, 9000, 2, 20000)
    );
    let late = format!(
        "{}people:\n  - id: b1\n    role: partner manager\nkpis:\n{}",
        head("Late Partner"),
        kpi("2025-Q3", 50000, 60, 5000, 1, 10000)
    );
    let site = partner_site("", &[("early", &early), ("late", &late)], false);
    site.build();
    let html = site.read("partners/late/index.html");
    let roi = section(main_of(&html), "roi-title");
    for component in [
        "Cost-to-serve reduction",
        "Attributed margin uplift",
        "Partner-sourced revenue change",
    ] {
        let row = row_with(roi, component);
        assert!(
            row.contains("no baseline: no KPIs recorded for 2025-Q2 No baseline"),
            "{row}"
        );
        assert!(!row.contains("$0"), "{row}");
    }
    let cards = kpi_cards(main_of(&html));
    assert!(
        cards[0].1.contains("vs baseline (2025-Q2) No baseline"),
        "{:?}",
        cards[0]
    );
    // The partner that has a baseline keeps its figures: $1,000 less cost
    // to serve, 25 % of it attributed.
    let html = site.read("partners/early/index.html");
    let row = row_with(
        section(main_of(&html), "roi-title"),
        "Cost-to-serve reduction",
    );
    assert!(row.contains("$250"), "{row}");
    let json = site.read_json("data/metrics.json");
    let late = json["partners"]
        .as_array()
        .expect("partners")
        .iter()
        .find(|p| p["id"] == "late")
        .expect("the late partner");
    let components = late["roi_breakdown"]["components"]
        .as_array()
        .expect("components");
    let value = |id: &str| &components.iter().find(|c| c["id"] == id).expect(id)["value"];
    assert_eq!(value("cost_to_serve_reduction"), &Value::Null);
    assert_eq!(value("attributed_margin"), &Value::Null);
    assert_eq!(value("revenue_change"), &Value::Null);
    assert!(close(value("time_value"), 0.0));
}

/// A partner from 2025-Q2 (the baseline) to 2025-Q3 whose people come and
/// go: `s1` is there throughout (score 30 → 45), `j1` joins in August
/// (score 60), `l1` leaves in September (score 0), before the quarter's end.
fn comings_and_goings() -> Site {
    let partner = format!(
        "{}people:\n\
         \x20 - id: s1\n    role: partner manager\n    assessments:\n\
         \x20     - {{date: 2025-04-01, scores: {}}}\n\
         \x20     - {{date: 2025-08-01, scores: {}}}\n\
         \x20 - id: j1\n    role: sales engineer\n    joined: 2025-08-15\n    assessments:\n\
         \x20     - {{date: 2025-08-20, scores: {}}}\n\
         \x20 - id: l1\n    role: presales\n    left: 2025-09-10\n    assessments:\n\
         \x20     - {{date: 2025-04-01, scores: {}}}\n\
         kpis:\n{}{}",
        head("Changing Partner"),
        scores(2, &[]),
        scores(3, &[]),
        scores(4, &[]),
        scores(0, &[]),
        kpi("2025-Q2", 100000, 60, 10000, 2, 20000),
        kpi("2025-Q3", 100000, 60, 10000, 2, 20000)
    );
    partner_site("", &[("changing", &partner)], false)
}

#[test]
fn people_count_only_in_the_quarters_they_belong_and_movement_is_over_those_present_in_both() {
    let site = comings_and_goings();
    site.build();
    let html = site.read("partners/changing/index.html");
    let main = main_of(&html);
    let header = visible_text(&main[..main.find("id=\"stand-title\"").expect("a first section")]);
    assert!(header.contains("People 2"), "{header}");
    let stand = visible_text(section(main, "stand-title"));
    // Now: s1 (45) and j1 (60); the movement is s1's alone, 30 → 45, not
    // the 10 → 35 of counting everyone everywhere.
    assert!(
        stand.contains(
            "52.5 / 100 ▲ +15.0 points up since 2025-Q2, movement over the 1 person present in both quarters (from 30.0 to 45.0)"
        ),
        "{stand}"
    );
    let json = site.read_json("data/metrics.json");
    let partner = &json["partners"][0];
    assert_eq!(partner["headcount"], 2);
    assert_eq!(partner["headcount_baseline"], 2);
    assert!(close(&partner["score_baseline"], 15.0), "{partner}");
    assert_eq!(partner["score_movement"]["people"], 1);
    assert!(close(&partner["score_change"], 15.0), "{partner}");
    // Two nay-sayers at the baseline (s1, l1): the joiner is not one of them.
    assert_eq!(partner["levels_baseline"][0]["count"], 2);
    let rows: Vec<f64> = partner["level_rows"]
        .as_array()
        .expect("level rows")
        .iter()
        .map(|r| {
            r["values"]
                .as_array()
                .expect("values")
                .iter()
                .filter_map(Value::as_f64)
                .sum()
        })
        .collect();
    assert_eq!(rows, [2.0, 2.0]);
    let report = site.read("reports/executive/index.html");
    let headlines = visible_text(section(main_of(&report), "headline-title"));
    assert!(
        headlines
            .contains("+15.0 points up since 2025-Q2, over the 1 person present in both quarters"),
        "{headlines}"
    );
    assert_eq!(json["ecosystem"]["headcount"], 2);
}

#[test]
fn warning_signs_are_named_with_their_evidence_on_scorecards_lists_and_the_summary() {
    let site = flagged_partners(false);
    site.build();
    for (id, title, evidence) in [
        (
            "activity",
            "Activity without instrumentation",
            "2 of 2 people use AI in 1 workflow",
        ),
        (
            "event",
            "Event-based enablement",
            "5 of 6 module completions (83%) happened in 2025-Q3",
        ),
        (
            "literacy",
            "Literacy without capability",
            "4 module completions (2.0 per person)",
        ),
    ] {
        let html = site.read(&format!("partners/{id}/index.html"));
        let flags = visible_text(section(main_of(&html), "flags-title"));
        assert!(flags.contains(title), "{id}: {flags}");
        assert!(flags.contains(evidence), "{id}: {flags}");
        assert!(!flags.contains("None found"), "{id}: {flags}");
    }
    let clean = site.read("partners/example/index.html");
    let flags = visible_text(section(main_of(&clean), "flags-title"));
    assert!(flags.contains("None found."), "{flags}");
    let list = site.read("partners/index.html");
    assert!(row_with(&list, ">Activity Partner<").contains("Activity without instrumentation"));
    assert!(row_with(&list, ">Example Partner<").contains("None"));
    let report = site.read("reports/executive/index.html");
    let patterns = section(main_of(&report), "patterns-title");
    let row = row_with(patterns, ">Event-based enablement<");
    assert!(row.contains("Event Partner"), "{row}");
    assert!(!row.contains("Literacy Partner"), "{row}");
}

#[test]
fn the_scorecard_recommends_modules_for_the_weakest_skills_in_learning_order() {
    let site = weak_partner(false);
    site.build();
    let html = site.read("partners/weak/index.html");
    let next = section(main_of(&html), "next-title");
    let automate = next
        .find("href=\"/modules/automate-a-step/\"")
        .expect("the automation module is recommended");
    let numbers = next
        .find("href=\"/modules/validate-numbers/\"")
        .expect("the numbers module is recommended");
    assert!(automate < numbers, "prerequisite first: {next}");
    assert!(!next.contains("/modules/check-the-output/"), "{next}");
    assert!(!next.contains("/modules/first-steps/"), "{next}");
    let skills = visible_text(section(main_of(&html), "skills-title"));
    assert!(
        skills.contains("Weakest skills: Light automation, Output validation."),
        "{skills}"
    );
}

#[test]
fn no_page_of_the_default_theme_shows_a_person_id_by_default() {
    let site = partner_site("", &[("private", &secret_people())], false);
    site.build();
    assert!(site.built("partners/private/index.html"));
    assert_eq!(site.files_containing("secret-person"), Vec::<String>::new());
}

#[test]
fn the_default_scorecard_lists_people_when_the_site_allows_it() {
    let site = partner_site(
        "\n[program]\nshow_people = true\n",
        &[("private", &secret_people())],
        false,
    );
    site.build();
    let html = site.read("partners/private/index.html");
    let people = section(main_of(&html), "people-title");
    let row = row_with(people, "secret-person-7");
    assert!(row.contains("partner manager"), "{row}");
    assert!(row.contains("Practitioner"), "{row}");
    assert!(people.contains("secret-person-8"), "{people}");
}

/// Partner names in the order the rows of a partner table list them.
fn names_in_rows(html: &str) -> Vec<String> {
    html.split("<th scope=\"row\"><a href=\"")
        .skip(1)
        .filter_map(|row| {
            row.split_once('>')
                .and_then(|(_, rest)| rest.split_once('<'))
        })
        .map(|(name, _)| name.to_string())
        .collect()
}

#[test]
fn the_default_partner_list_shows_each_order_and_marks_the_current_one() {
    let site = three_partners(false);
    site.build();
    for (page, active, names) in [
        (
            "partners/index.html",
            "Name",
            ["Alpha Corp", "Bravo Ltd", "Charlie Inc"],
        ),
        (
            "partners/by-score/index.html",
            "Proficiency score",
            ["Charlie Inc", "Alpha Corp", "Bravo Ltd"],
        ),
        (
            "partners/by-movement/index.html",
            "Movement since baseline",
            ["Bravo Ltd", "Charlie Inc", "Alpha Corp"],
        ),
        (
            "partners/by-roi/index.html",
            "ROI",
            ["Bravo Ltd", "Alpha Corp", "Charlie Inc"],
        ),
    ] {
        let html = site.read(page);
        let main = main_of(&html);
        assert_eq!(names_in_rows(main), names, "{page}");
        assert!(
            main.contains(&format!("aria-current=\"page\">{active}</a>")),
            "{page} marks {active}"
        );
        assert_eq!(main.matches("aria-current=\"page\"").count(), 1, "{page}");
    }
    let by_roi = site.read("partners/by-roi/index.html");
    assert!(row_with(&by_roi, ">Bravo Ltd<").contains("200%"));
    assert!(row_with(&by_roi, ">Alpha Corp<").contains("50%"));
}

#[test]
fn partner_pages_mark_their_place_in_the_main_navigation() {
    let site = three_partners(false);
    site.build();
    for (page, current) in [
        ("partners/index.html", "Partners"),
        ("partners/by-roi/index.html", "Partners"),
        ("partners/p1/index.html", "Partners"),
        ("reports/executive/index.html", "Executive summary"),
    ] {
        let html = site.read(page);
        let nav_start = html.find("aria-label=\"Main\"").expect("a main navigation");
        let nav = &html[nav_start..nav_start + html[nav_start..].find("</nav>").expect("closed")];
        assert!(
            nav.contains(&format!("aria-current=\"page\">{current}</a>")),
            "{page}: {nav}"
        );
        assert_eq!(nav.matches("aria-current").count(), 1, "{page}: {nav}");
    }
}

#[test]
fn the_default_workflow_page_shows_adoption_across_partners() {
    let uses = format!(
        "{}people:\n  - id: u1\n    role: partner manager\n    ai_use:\n      - workflow: qbr\n        since: 2025-04-01\n  - id: u2\n    role: sales engineer\n    ai_use:\n      - workflow: qbr\n        since: 2025-04-01\n{EMBEDDED_QBR}{}",
        head("Embedding Partner"),
        flat_kpis()
    );
    let other = format!(
        "{}people:\n  - id: o1\n    role: partner manager\n{}",
        head("Other Partner"),
        flat_kpis()
    );
    let site = partner_site("", &[("uses", &uses), ("other", &other)], false);
    site.build();
    let html = site.read("workflows/qbr/index.html");
    let main = main_of(&html);
    let row = row_with(main, "href=\"/partners/uses/\"");
    // Embedded since 2025-Q2, two people, 4 runs × 60 minutes = 4 hours.
    assert!(row.starts_with("Embedding Partner"), "{row}");
    assert!(row.contains("since 2025-Q2"), "{row}");
    assert!(row.contains(" 2 4.0"), "{row}");
    assert!(!main.contains("Other Partner"), "{main}");
    let none = site.read("workflows/onboarding/index.html");
    assert!(!main_of(&none).contains("/partners/"), "no adoption rows");
}

#[test]
fn two_builds_with_the_default_theme_are_byte_identical() {
    let site = flagged_partners(false);
    site.build();
    let first = site.snapshot();
    site.build();
    assert_same_tree(&first, &site.snapshot());
    let again = flagged_partners(false);
    again.build();
    assert_same_tree(&first, &again.snapshot());
}

#[test]
fn payback_is_not_shown_when_no_investment_is_set() {
    let site = flagged_partners(false);
    site.build();
    let row = row_with(&site.read("partners/index.html"), ">Example Partner<");
    assert!(!row.contains(" mo"), "{row}");
    let json = site.read_json("data/metrics.json");
    let example = json["partners"]
        .as_array()
        .expect("partners")
        .iter()
        .find(|p| p["id"] == "example")
        .expect("the example partner");
    assert!(
        example["payback_months"].is_null(),
        "{}",
        example["payback_months"]
    );
}

#[test]
fn a_site_rewords_one_narrative_sentence_by_overriding_its_template() {
    let site = Site::demo();
    site.build();
    let before = site.read("reports/executive/index.html");
    let hours = before
        .split("Embedded workflows saved ")
        .nth(1)
        .and_then(|rest| rest.split(" hours").next())
        .unwrap_or_else(|| panic!("no hours sentence in:\n{before}"))
        .to_string();
    site.write(
        "templates/partials/narrative/hours.html",
        "Les workflows ont économisé {{ facts.hours_saved | number }} heures.",
    );
    site.build();
    let after = site.read("reports/executive/index.html");
    assert!(!after.contains("Embedded workflows saved"), "{after}");
    let reworded = format!("<p>Les workflows ont économisé {hours} heures.</p>");
    assert!(after.contains(&reworded), "{reworded} not in:\n{after}");
    // The other sentences keep the theme's wording, and the data file keeps
    // the default wording whatever the theme says.
    let unchanged = before
        .lines()
        .find(|line| line.contains("<li>Benefits of "))
        .unwrap_or_else(|| panic!("no ROI sentence in:\n{before}"));
    assert!(after.contains(unchanged), "{unchanged}");
    let narrative = site.read_json("data/metrics.json")["ecosystem"]["narrative"].to_string();
    assert!(
        narrative.contains("Embedded workflows saved"),
        "{narrative}"
    );
}

// ---------------------------------------------------------------- health

/// One partner per health status, with the latest quarter 2025-Q4 (the
/// worked example's): `example` on track, `learning` (AI, nothing embedded,
/// a completion in 2025-Q4) and `slipping` (3 KPIs worse) at risk, `quiet`
/// (AI, nothing embedded, last completion in 2025-Q2) stalled, `idle`
/// (nobody uses AI) without adoption.
fn health_partners() -> Site {
    let ai_person = |id: &str, completed: &str| {
        format!(
            "  - id: {id}\n    role: partner manager\n    ai_use:\n      - workflow: qbr\n        since: 2025-04-01\n    completions:\n      - module: first-steps\n        date: {completed}\n"
        )
    };
    let not_embedded = "workflows:\n  - id: qbr\n    embedded: false\n";
    let learning = format!(
        "{}people:\n{}  - id: l2\n    role: sales engineer\n{not_embedded}{}",
        head("Learning Partner"),
        ai_person("l1", "2025-11-02"),
        flat_kpis_to("2025-Q4")
    );
    let quiet = format!(
        "{}people:\n{}  - id: q2\n    role: sales engineer\n{not_embedded}{}",
        head("Quiet Partner"),
        ai_person("q1", "2025-05-02"),
        flat_kpis_to("2025-Q4")
    );
    let idle = format!(
        "{}people:\n  - id: i1\n    role: partner manager\n  - id: i2\n    role: sales engineer\n    completions:\n      - module: first-steps\n        date: 2025-11-02\n{}",
        head("Idle Partner"),
        flat_kpis_to("2025-Q4")
    );
    // Revenue and margin fall, cost to serve rises: three KPIs worse.
    let slipping = format!(
        "{}people:\n{}{EMBEDDED_QBR}kpis:\n{}{}",
        head("Slipping Partner"),
        ai_person("s1", "2025-05-02"),
        kpi("2025-Q2", 100000, 60, 10000, 2, 20000),
        kpi("2025-Q4", 90000, 60, 12000, 2, 15000)
    );
    partner_site(
        "",
        &[
            ("example", &worked_example("yaml")),
            ("learning", &learning),
            ("quiet", &quiet),
            ("idle", &idle),
            ("slipping", &slipping),
        ],
        false,
    )
}

/// Each partner of [`health_partners`] with its status label and reason.
const HEALTH: [(&str, &str, &str, &str); 5] = [
    (
        "example",
        "on-track",
        "On track",
        "1 embedded workflow, 2 of 4 people using AI, no warning sign",
    ),
    (
        "learning",
        "at-risk",
        "At risk",
        "no embedded workflow yet; warning sign: activity without instrumentation",
    ),
    (
        "quiet",
        "stalled",
        "Stalled",
        "no embedded workflow and no module completion in the last 2 quarters",
    ),
    (
        "idle",
        "no-adoption",
        "No adoption",
        "none of the 2 people uses AI in any workflow",
    ),
    (
        "slipping",
        "at-risk",
        "At risk",
        "3 of 5 KPIs worse than at the baseline",
    ),
];

#[test]
fn each_scorecard_shows_its_health_status_near_the_top_with_the_reason() {
    let site = health_partners();
    site.build();
    for (id, _, title, reason) in HEALTH {
        let html = site.read(&format!("partners/{id}/index.html"));
        let main = main_of(&html);
        // In the verdict strip, above everything but the partner's name.
        let header = &main[..main.find("id=\"stand-title\"").expect("a first section")];
        let text = visible_text(section(main, "verdict-title"));
        assert!(
            text.contains("Status ") && text.contains(&format!("{title} {reason}")),
            "{id}: {text}"
        );
        // The status is in words, its mark hidden from screen readers.
        assert!(
            header.contains("<span class=\"health-mark\" aria-hidden=\"true\">"),
            "{id}"
        );
    }
}

#[test]
fn the_partner_lists_and_the_summary_show_each_status_in_words() {
    let site = health_partners();
    site.build();
    let list = site.read("partners/index.html");
    let report = site.read("reports/executive/index.html");
    let ranked = section(main_of(&report), "ranked-title");
    for (id, _, title, _) in HEALTH {
        let name = site.read_json("data/metrics.json")["partners"]
            .as_array()
            .expect("partners")
            .iter()
            .find(|p| p["id"] == id)
            .map(|p| p["name"].as_str().unwrap_or_default().to_string())
            .expect("the partner is in metrics.json");
        let needle = format!(">{name}<");
        assert!(row_with(&list, &needle).contains(title), "{id} in the list");
        assert!(
            row_with(ranked, &needle).contains(title),
            "{id} in the summary"
        );
    }
}

#[test]
fn the_health_status_reaches_metrics_json_and_the_csv() {
    let site = health_partners();
    site.build();
    let json = site.read_json("data/metrics.json");
    let csv = site.read("data/partners.csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().expect("a header").clone();
    let at = header
        .iter()
        .position(|h| h == "health")
        .expect("a health column");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
    for (id, status, title, reason) in HEALTH {
        let partner = json["partners"]
            .as_array()
            .expect("partners")
            .iter()
            .find(|p| p["id"] == id)
            .expect("the partner is in metrics.json");
        assert_eq!(partner["health"]["status"], status, "{id}");
        assert_eq!(partner["health"]["title"], title, "{id}");
        assert_eq!(partner["health"]["reason"], reason, "{id}");
        let row = rows.iter().find(|r| &r[0] == id).expect("a CSV row");
        assert_eq!(&row[at], status, "{id}");
    }
}

#[test]
fn a_partner_at_risk_lists_why_under_warning_signs_and_counts_it_in_the_verdict() {
    let site = health_partners();
    site.build();
    let html = site.read("partners/slipping/index.html");
    let main = main_of(&html);
    let flags = visible_text(section(main, "flags-title"));
    assert!(
        flags.contains(
            "KPIs worse than at the baseline 3 of 5 KPIs are worse than at the baseline."
        ),
        "{flags}"
    );
    assert!(!flags.contains("None found"), "{flags}");
    let verdict = visible_text(section(main, "verdict-title"));
    assert!(
        verdict.contains("Warning signs 1 see the warning signs"),
        "{verdict}"
    );
    let list = site.read("partners/index.html");
    let row = row_with(&list, ">Slipping Partner<");
    assert!(row.contains("KPIs worse than at the baseline"), "{row}");
    assert!(!row.contains("None"), "{row}");
    let clean = site.read("partners/example/index.html");
    let verdict = visible_text(section(main_of(&clean), "verdict-title"));
    assert!(verdict.contains("Warning signs 0 none found"), "{verdict}");
    let json = site.read_json("data/metrics.json");
    let slipping = json["partners"]
        .as_array()
        .and_then(|all| all.iter().find(|p| p["id"] == "slipping"))
        .expect("the partner in metrics.json");
    assert_eq!(slipping["warning_count"], 1);
    assert_eq!(slipping["warnings"][0]["id"], "kpis-worse");
}

#[test]
fn the_verdict_comes_first_with_the_roi_coloured_by_its_sign() {
    let site = worked_example_site(false);
    site.build();
    let report = site.read("reports/executive/index.html");
    let main = main_of(&report);
    let verdict_at = main.find("id=\"verdict-title\"").expect("a verdict strip");
    for later in ["brief-title", "headline-title", "downloads-title"] {
        let at = main.find(&format!("id=\"{later}\"")).expect(later);
        assert!(verdict_at < at, "{later} comes after the verdict");
    }
    let verdict = section(main, "verdict-title");
    assert!(
        visible_text(verdict).contains("data as of 2025-Q4"),
        "{verdict}"
    );
    // −37%: below zero, so never in the good colour.
    assert!(
        verdict.contains("verdict-roi tone-bad\" data-verdict=\"roi\""),
        "{verdict}"
    );
    assert!(
        visible_text(verdict).contains(
            "Return on investment −37% benefits below cost; range −57% to −17%, over 2 quarters"
        ),
        "{}",
        visible_text(verdict)
    );
    let brief = section(main, "brief-title");
    assert!(brief.matches("<li>").count() <= 3, "{brief}");
    assert!(brief.contains("<strong>−37%</strong>"), "{brief}");
    let downloads = section(main, "downloads-title");
    assert!(downloads.contains("metrics.json"), "{downloads}");
    let spread = section(main, "distribution-title");
    assert!(spread.contains("<line x1="), "a zero line: {spread}");
    assert!(spread.contains("chart-bar-loss"), "a loss marked: {spread}");
    assert!(spread.contains("1 of 2 below zero"), "{spread}");
    let ranked = section(main, "ranked-title");
    assert!(
        ranked.contains("roi-loss") || ranked.contains("roi-gain"),
        "{ranked}"
    );
}

#[test]
fn a_partner_where_nobody_uses_ai_shows_a_warning_sign_never_none_found() {
    let site = health_partners();
    site.build();
    let html = site.read("partners/idle/index.html");
    let flags = visible_text(section(main_of(&html), "flags-title"));
    assert!(
        flags.contains("No AI use None of the 2 people uses AI in any workflow."),
        "{flags}"
    );
    assert!(!flags.contains("None found"), "{flags}");
    let list = site.read("partners/index.html");
    assert!(row_with(&list, ">Idle Partner<").contains("No AI use"));
    let report = site.read("reports/executive/index.html");
    let patterns = section(main_of(&report), "patterns-title");
    let row = row_with(patterns, ">No AI use<");
    assert!(row.contains("Idle Partner"), "{row}");
    let json = site.read_json("data/metrics.json");
    let idle = json["partners"]
        .as_array()
        .expect("partners")
        .iter()
        .find(|p| p["id"] == "idle")
        .expect("the idle partner");
    assert_eq!(idle["flags"][0]["id"], "no-ai-use");
}

// ---------------------------------------------------------------- recommendations

/// A partner of three experimenters (AI in a workflow not embedded), weakest
/// in light automation and output validation, and seven modules teaching
/// those skills: one for nay-sayers (below their level, though it teaches
/// both), one needing "Data foundations", which nobody completed.
fn level_partner() -> Site {
    let weak = scores(3, &[("output-validation", 1), ("light-automation", 0)]);
    let person = |id: &str| {
        format!(
            "  - id: {id}\n    role: partner manager\n    assessments:\n      - date: 2025-06-01\n        scores: {weak}\n    ai_use:\n      - workflow: qbr\n        since: 2025-04-01\n"
        )
    };
    let partner = format!(
        "{}people:\n{}{}{}workflows:\n  - id: qbr\n    embedded: false\n{}",
        head("Level Partner"),
        person("v1"),
        person("v2"),
        person("v3"),
        flat_kpis()
    );
    let site = partner_site("", &[("level", &partner)], false);
    for (id, front) in [
        (
            "basic-automation",
            "title: Basic automation\nlevel: nay-sayer\nskills: [light-automation, output-validation]",
        ),
        (
            "automate-like-a-pro",
            "title: Automate like a pro\nlevel: practitioner\nskills: [light-automation, output-validation]\nprerequisites: [data-foundations]",
        ),
        (
            "data-foundations",
            "title: Data foundations\nlevel: experimenter\nskills: [data-interpretation]",
        ),
        (
            "tidy-a-sheet",
            "title: Tidy a sheet\nskills: [light-automation]",
        ),
        (
            "numbers-check",
            "title: Numbers check\nlevel: experimenter\nskills: [output-validation]",
        ),
    ] {
        site.write(
            &format!("content/modules/{id}.md"),
            &module(front, "Body.\n"),
        );
    }
    site
}

/// The module links of the "Recommended next modules" section, in order.
fn recommended_links(html: &str) -> Vec<String> {
    section(main_of(html), "next-title")
        .split("href=\"/modules/")
        .skip(1)
        .filter_map(|rest| rest.split('/').next())
        .fold(Vec::new(), |mut links, id| {
            if links.last().map(String::as_str) != Some(id) {
                links.push(id.to_string());
            }
            links
        })
}

#[test]
fn recommendations_put_missing_prerequisites_first_and_match_the_peoples_level() {
    let site = level_partner();
    site.build();
    let html = site.read("partners/level/index.html");
    assert_eq!(
        recommended_links(&html),
        [
            // Needed first by "Automate like a pro", though it teaches no weak skill.
            "data-foundations",
            // Then the five chosen, in learning order: "Basic automation" is
            // for nay-sayers, below these experimenters, so it gives way.
            "automate-a-step",
            "check-the-output",
            // After "Data foundations" in the learning order, which it needs.
            "automate-like-a-pro",
            "numbers-check",
            "tidy-a-sheet",
        ]
    );
    let next = visible_text(section(main_of(&html), "next-title"));
    assert!(
        next.contains("needed first for Automate like a pro, not yet completed"),
        "{next}"
    );
}

// ---------------------------------------------------------------- which workflows pay

#[test]
fn the_summary_shows_which_workflows_pay_across_partners() {
    // qbr: embedded at the example (30 h in 2025-Q4, from when it is
    // embedded) and at Slipping (4 h in each of 2025-Q3 and Q4), used by one
    // person at each of four partners.
    let site = health_partners();
    site.build();
    let report = site.read("reports/executive/index.html");
    let table = section(main_of(&report), "workflows-pay-title");
    let qbr = row_with(table, "/workflows/qbr/");
    // Worth 38 h × $85 × 50 % realisation.
    assert_eq!(qbr, "Quarterly business reviews 2 4 38 h $1,615", "{table}");
    let co_selling = row_with(table, "/workflows/co-selling/");
    assert!(co_selling.ends_with(" 0 1 0 h $0"), "{co_selling}");
    assert!(
        table.find("/workflows/qbr/") < table.find("/workflows/co-selling/"),
        "most hours saved first"
    );
    let json = site.read_json("data/metrics.json");
    let rows = json["ecosystem"]["workflows"]
        .as_array()
        .expect("workflow rows");
    assert_eq!(rows.len(), default_workflows().len());
    assert_eq!(rows[0]["id"], "qbr");
    assert_eq!(rows[0]["partners_embedded"], 2);
    assert_eq!(rows[0]["people_using_ai"], 4);
    assert!(close(&rows[0]["hours_saved"], 38.0), "{}", rows[0]);
    assert!(close(&rows[0]["value"], 1_615.0), "{}", rows[0]);
    let hours: f64 = rows
        .iter()
        .map(|r| r["hours_saved"].as_f64().unwrap())
        .sum();
    let roi_hours = &json["ecosystem"]["roi"]["hours_saved"];
    assert!(
        close(roi_hours, hours),
        "the rows add up to the ROI's hours"
    );
}
