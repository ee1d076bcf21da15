//! Partner data from exports (`[[sources]]`): CSV and xAPI rows joining the
//! partner files, their problems located at row and column, conflicts
//! naming both places, and no email or name of an export in the output.

mod common;

use common::problems::break_and_build;
use common::{Site, assert_same_tree, describe};
use proficio::base::audience::Audience;

/// A site with one partner written in YAML (facts and the workflow
/// register) and its people, assessments, completions, AI use and KPIs in
/// `data/`.
fn exported_site() -> Site {
    Site::new(&[
        (
            "site.toml",
            r#"title = "Export Portal"
base_url = "https://example.com/"

[program]
baseline_quarter = "2026-Q1"
show_people = true

[[sources]]
file = "data/people.csv"
kind = "people"
[sources.columns]
person = "Email"
partner = "Account"
role = "Title"

[[sources]]
file = "data/survey.csv"
kind = "assessments"
date_format = "%m/%d/%Y"
[sources.columns]
person = "Email"
date = "Taken"
[sources.scores]
prompting = "Prompting"
output-validation = "Validation"

[[sources]]
file = "data/completions.csv"
kind = "completions"
[sources.columns]
person = "Learner"
module = "Course"
date = "Completed"
[sources.modules]
"C-1" = "basics"

[[sources]]
file = "data/statements.ndjson"
kind = "completions"

[[sources]]
file = "data/kpis.csv"
kind = "kpis"
[sources.columns]
partner = "Account"
quarter = "Quarter"
partner_sourced_revenue = "Revenue"
sales_cycle_days = "Cycle"
cost_to_serve = "Cost"
enablement_throughput = "Certified"
margin_contribution = "Margin"
"#,
        ),
        (
            "content/modules/basics.md",
            "---\ntitle: Basics\nlevel: experimenter\nskills: [prompting]\n---\nText.\n",
        ),
        (
            "content/modules/checks.md",
            "---\ntitle: Checks\nlevel: practitioner\nskills: [output-validation]\n---\nText.\n",
        ),
        (
            "content/partners/acme.yaml",
            "name: Acme Systems\ntier: gold\nregion: EMEA\ntype: reseller\nowner: Pat Lee\n\
             workflows:\n  - id: qbr\n    embedded: true\n    since: 2026-Q2\n    documented: true\n    \
             quality_standard: true\n    minutes_before: 120\n    minutes_after: 40\n    runs_per_quarter: 6\n",
        ),
        (
            "data/people.csv",
            "Email,Full Name,Account,Title\n\
             ana.lima@acme.example,Ana Lima,Acme Systems,partner account manager\n\
             bo.chen@acme.example,Bo Chen,acme,solutions engineer\n",
        ),
        (
            "data/survey.csv",
            "Email;Name;Taken;Prompting;Validation\n\
             ana.lima@acme.example;Ana Lima;02/10/2026;1;0\n\
             ana.lima@acme.example;Ana Lima;08/14/2026;3;2\n\
             bo.chen@acme.example;Bo Chen;02/11/2026;2;1\n",
        ),
        (
            "data/completions.csv",
            "Learner,Course,Completed\nana.lima@acme.example,C-1,2026-03-02T10:15:00\n",
        ),
        (
            "data/statements.ndjson",
            concat!(
                r#"{"actor":{"name":"Bo Chen","mbox":"mailto:bo.chen@acme.example"},"verb":{"id":"http://adlnet.gov/expapi/verbs/passed"},"object":{"id":"https://example.com/modules/checks/"},"timestamp":"2026-04-09T08:00:00Z"}"#,
                "\n"
            ),
        ),
        (
            "data/kpis.csv",
            "\u{feff}Account,Quarter,Revenue,Cycle,Cost,Certified,Margin\n\
             Acme Systems,Q1 2026,\"$500,000\",80,\"$60,000\",1,\"$90,000\"\n\
             Acme Systems,Q2 2026,\"$540,000\",76,\"$58,000\",2,\"$96,000\"\n",
        ),
    ])
}

/// The same partner, every record written in its YAML file.
const ACME_AS_YAML: &str = "name: Acme Systems\ntier: gold\nregion: EMEA\ntype: reseller\nowner: Pat Lee\n\
workflows:\n  - id: qbr\n    embedded: true\n    since: 2026-Q2\n    documented: true\n    quality_standard: true\n    \
minutes_before: 120\n    minutes_after: 40\n    runs_per_quarter: 6\n\
people:\n  - id: person-001\n    role: partner account manager\n    assessments:\n      - date: 2026-02-10\n        \
scores: {prompting: 1, output-validation: 0}\n      - date: 2026-08-14\n        scores: {prompting: 3, output-validation: 2}\n    \
completions:\n      - module: basics\n        date: 2026-03-02\n  - id: person-002\n    role: solutions engineer\n    \
assessments:\n      - date: 2026-02-11\n        scores: {prompting: 2, output-validation: 1}\n    completions:\n      \
- module: checks\n        date: 2026-04-09\n\
kpis:\n  - quarter: 2026-Q1\n    partner_sourced_revenue: 500000\n    sales_cycle_days: 80\n    cost_to_serve: 60000\n    \
enablement_throughput: 1\n    margin_contribution: 90000\n  - quarter: 2026-Q2\n    partner_sourced_revenue: 540000\n    \
sales_cycle_days: 76\n    cost_to_serve: 58000\n    enablement_throughput: 2\n    margin_contribution: 96000\n";

/// `site.toml` without its `[[sources]]`.
fn without_sources(site: &Site) -> String {
    let text = std::fs::read_to_string(site.path("site.toml")).expect("site.toml");
    text.split("[[sources]]")
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The site of `exported` with its `[[sources]]` left out and Acme's
/// records written in YAML as `acme`, built.
fn written_as_yaml(exported: &Site, acme: &str) -> Site {
    let written = Site::new(&[
        ("site.toml", &without_sources(exported)),
        ("content/partners/acme.yaml", acme),
    ]);
    for module in ["basics", "checks"] {
        let path = format!("content/modules/{module}.md");
        let text = std::fs::read_to_string(exported.path(&path)).expect("module");
        written.write(&path, &text);
    }
    written.build();
    written
}

#[test]
fn exported_rows_give_the_figures_their_yaml_would() {
    let exported = exported_site();
    exported.build();
    let written = written_as_yaml(&exported, ACME_AS_YAML);
    let metrics = exported.read("data/metrics.json");
    assert_eq!(metrics, written.read("data/metrics.json"));
    assert!(metrics.contains("\"person-002\""), "{metrics}");
    // Not only the figures: every page and export is the same.
    assert_same_tree(&written.snapshot(), &exported.snapshot());
}

#[test]
fn the_example_export_site_equals_the_same_data_written_as_yaml() {
    let example = Site::copy_of("examples/lms-export");
    example.build();
    let twin = Site::copy_of("examples/lms-export");
    std::fs::remove_dir_all(twin.path("data")).expect("drop the exports");
    std::fs::remove_dir_all(twin.path("content/partners")).expect("drop the partner files");
    common::copy_tree(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/lms-export-yaml/partners"),
        &twin.path("content/partners"),
    );
    twin.write("site.toml", &without_sources(&twin));
    twin.build();
    assert_eq!(
        example.read("data/metrics.json"),
        twin.read("data/metrics.json")
    );
    assert_same_tree(&twin.snapshot(), &example.snapshot());
}

/// Every email and every name the exports of `site` hold: emails
/// anywhere, names in a CSV column whose header says "Name" and in an xAPI
/// actor's `name`.
fn personal_data(site: &Site) -> Vec<String> {
    let mut found = Vec::new();
    for file in walk(&site.path("data")) {
        let text = std::fs::read_to_string(&file).expect("export");
        let text = text.trim_start_matches('\u{feff}');
        let words = text.split(|c: char| ",;\"".contains(c) || c.is_whitespace());
        found.extend(
            words
                .filter(|w| w.contains('@'))
                .map(|w| w.trim_start_matches("mailto:").to_string()),
        );
        let statements: Option<Vec<serde_json::Value>> = match file.extension() {
            Some(e) if e == "ndjson" => {
                text.lines().map(|l| serde_json::from_str(l).ok()).collect()
            }
            Some(e) if e == "json" => serde_json::from_str(text).ok(),
            _ => None,
        };
        if let Some(statements) = statements {
            let names = statements
                .iter()
                .filter_map(|s| s["actor"]["name"].as_str());
            found.extend(names.map(str::to_string));
            continue;
        }
        let mut lines = text.lines();
        let header = lines.next().unwrap_or_default();
        let delimiter = if header.contains(';') { ';' } else { ',' };
        let named: Vec<usize> = header
            .split(delimiter)
            .enumerate()
            .filter(|(_, h)| h.contains("Name") && !h.contains("Account"))
            .map(|(i, _)| i)
            .collect();
        for line in lines {
            let cells: Vec<&str> = line.split(delimiter).collect();
            found.extend(
                named
                    .iter()
                    .filter_map(|i| cells.get(*i))
                    .map(|c| c.to_string()),
            );
        }
    }
    found.sort();
    found.dedup();
    found
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn no_email_or_name_of_an_export_reaches_any_output_byte() {
    for site in [exported_site(), Site::copy_of("examples/lms-export")] {
        site.build();
        let secrets = personal_data(&site);
        assert!(
            secrets.len() >= 4,
            "the fixtures hold emails and names: {secrets:?}"
        );
        for (file, bytes) in site.snapshot() {
            let text = String::from_utf8_lossy(&bytes);
            for secret in &secrets {
                assert!(!text.contains(secret.as_str()), "{file} holds `{secret}`");
            }
        }
    }
}

#[test]
fn a_partners_portal_reads_only_its_own_rows() {
    let site = Site::copy_of("examples/lms-export");
    let options = proficio::BuildOptions {
        audience: Audience::Partner("copperline-systems".to_string()),
        ..site.options()
    };
    site.build_with(&options);
    let others = ["brightwater", "Brightwater", "northgate", "Northgate"];
    for (file, bytes) in site.snapshot() {
        let text = String::from_utf8_lossy(&bytes);
        for other in others {
            assert!(!text.contains(other), "{file} names `{other}`");
        }
    }
    let metrics = site.read("data/metrics.json");
    assert!(metrics.contains("Copperline Systems"), "{metrics}");
}

#[test]
fn every_problem_of_the_exports_is_reported_at_once_at_its_row_and_column() {
    let site = exported_site();
    let problems = break_and_build(
        &site,
        &[
            (
                "data/survey.csv",
                "Email;Name;Taken;Prompting;Validation\n\
                 ana.lima@acme.example;Ana Lima;13/40/2026;1;0\n\
                 ana.lima@acme.example;Ana Lima;08/14/2026;5;2\n\
                 cy.diaz@acme.example;Cy Diaz;02/11/2026;2;1\n",
            ),
            (
                "data/completions.csv",
                "Learner,Course,Completed\nana.lima@acme.example,C-9,2026-03-02\n",
            ),
            (
                "data/kpis.csv",
                "Account,Quarter,Revenue,Cycle,Cost,Certified,Margin\n\
                 Acme Sytems,Q1 2026,500000,80,60000,1,90000\n\
                 Acme Systems,2026-05,540000,seventy,58000,2,96000\n",
            ),
        ],
    );
    insta::assert_snapshot!(describe(&problems), @r"
    data/completions.csv:2:23: row 2, column `Course`: unknown module `C-9` (expected one of basics, checks)
    data/kpis.csv:2:1: row 2, column `Account`: unknown partner `Acme Sytems` (expected one of acme; did you mean `acme`?)
    data/kpis.csv:3:14: row 3, column `Quarter`: `2026-05` is not a quarter (expected a quarter such as 2026-Q1 (or Q1 2026))
    data/kpis.csv:3:29: row 3, column `Cycle`: `seventy` is not a number (expected a number with `.` as its decimal mark (the source's `decimal`))
    data/survey.csv:2:32: row 2, column `Taken`: `13/40/2026` is not a date (expected a date written as `%m/%d/%Y` (the source's `date_format`))
    data/survey.csv:3:43: row 3, column `Prompting`: score 5 is outside 0–4 (expected a score from 0 (none) to 4 (expert))
    data/survey.csv:4:1: row 4, column `Email`: unknown person `cy.diaz@acme.example` (expected a person's key in a people source, or a person id of the partner's YAML file (with a partner column))
    ");
}

#[test]
fn a_row_that_disagrees_with_another_names_both_places() {
    let site = exported_site();
    let problems = break_and_build(
        &site,
        &[(
            "data/survey.csv",
            "Email;Name;Taken;Prompting;Validation\n\
             ana.lima@acme.example;Ana Lima;02/10/2026;1;0\n\
             bo.chen@acme.example;Bo Chen;02/11/2026;2;1\n\
             ana.lima@acme.example;Ana Lima;02/10/2026;2;0\n\
             ana.lima@acme.example;Ana Lima;02/10/2026;1;0\n",
        )],
    );
    insta::assert_snapshot!(describe(&problems), @"data/survey.csv:4:43: row 4, column `Prompting`: prompting is scored 1.0 on this date at data/survey.csv:2 (expected one score per skill, person and date)");
}

#[test]
fn an_export_that_disagrees_with_the_yaml_names_the_partner_file() {
    let site = exported_site();
    let yaml = std::fs::read_to_string(site.path("content/partners/acme.yaml")).expect("yaml");
    let problems = break_and_build(
        &site,
        &[(
            "content/partners/acme.yaml",
            &format!(
                "{yaml}kpis:\n  - quarter: 2026-Q1\n    partner_sourced_revenue: 1\n    sales_cycle_days: 80\n    \
                 cost_to_serve: 60000\n    enablement_throughput: 1\n    margin_contribution: 90000\n"
            ),
        )],
    );
    insta::assert_snapshot!(describe(&problems), @"data/kpis.csv:2:14: row 2, column `Quarter`: the KPIs of 2026-Q1 are also given, otherwise, in content/partners/acme.yaml (expected one row of KPIs per partner and quarter)");
}

#[test]
fn a_missing_column_is_named_with_the_headers_there_are() {
    let site = exported_site();
    let problems = break_and_build(
        &site,
        &[(
            "data/completions.csv",
            "Learner,Course Code,Completed\nana.lima@acme.example,C-1,2026-03-02\n",
        )],
    );
    insta::assert_snapshot!(describe(&problems), @"data/completions.csv:1:1: no column `Course` (expected one of Learner, Course Code, Completed)");
}

#[test]
fn xapi_statements_with_problems_are_located_in_the_statement() {
    let site = exported_site();
    let problems = break_and_build(
        &site,
        &[(
            "data/statements.ndjson",
            concat!(
                r#"{"actor":{"mbox":"mailto:bo.chen@acme.example"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"https://example.com/modules/chekcs/"},"timestamp":"2026-04-09T08:00:00Z"}"#,
                "\n",
                r#"{"actor":{"mbox":"mailto:bo.chen@acme.example"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"https://example.com/modules/checks/"},"timestamp":"yesterday"}"#,
                "\n",
                "not json\n",
            ),
        )],
    );
    insta::assert_snapshot!(describe(&problems), @r"
    data/statements.ndjson:1:122: unknown module `https://example.com/modules/chekcs/` (expected one of basics, checks; did you mean `checks`?)
    data/statements.ndjson:2:173: `yesterday` is not a timestamp (expected an ISO 8601 timestamp such as 2026-02-10T09:30:00Z)
    data/statements.ndjson:3:1: this is not an xAPI statement: expected ident at line 1 column 2 (expected xAPI statements: a JSON array of them, or one statement per line)
    ");
}

#[test]
fn a_source_outside_the_data_folder_is_refused_in_site_toml() {
    let site = exported_site();
    let toml = std::fs::read_to_string(site.path("site.toml")).expect("site.toml");
    let problems = break_and_build(
        &site,
        &[(
            "site.toml",
            &toml.replace("file = \"data/kpis.csv\"", "file = \"content/kpis.csv\""),
        )],
    );
    insta::assert_snapshot!(describe(&problems), @"site.toml:42:8: source file `content/kpis.csv` is not under data/ (expected a path under the site's data/ folder, such as \"data/lms-completions.csv\": data/ is read and watched but never published, unlike content/ or static/)");
}

#[test]
fn check_reports_export_problems_with_the_data_source_code() {
    let site = exported_site();
    site.write(
        "data/completions.csv",
        "Learner,Course,Completed\nana.lima@acme.example,C-1,not a date\n",
    );
    let output = common::command::proficio(&[
        "check",
        "--root",
        &site.root().display().to_string(),
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    let problems = report["findings"].as_array().expect("findings");
    assert_eq!(problems.len(), 1, "{report}");
    assert_eq!(problems[0]["code"], "data-source", "{report}");
    assert_eq!(problems[0]["file"], "data/completions.csv", "{report}");
    assert_eq!(problems[0]["line"], 2, "{report}");
}

#[test]
fn a_sources_entry_that_cannot_be_read_is_told_in_site_toml() {
    let site = exported_site();
    let toml = std::fs::read_to_string(site.path("site.toml")).expect("site.toml");
    let broken = toml
        .replace(
            "prompting = \"Prompting\"",
            "prompting = \"Prompting\"\nprompt-craft = \"Craft\"",
        )
        .replace(
            "date_format = \"%m/%d/%Y\"",
            "date_format = \"%m/%Y\"\ndelimiter = \";;\"\nencoding = \"latin-9\"",
        )
        .replace("role = \"Title\"", "role = \"Title\"\nnickname = \"Nick\"")
        .replace("module = \"Course\"\n", "");
    let problems = break_and_build(&site, &[("site.toml", &broken)]);
    insta::assert_snapshot!(describe(&problems), @r#"
    site.toml:15:12: a source of kind `people` has no field `nickname` (expected one of person, partner, role, joined, left)
    site.toml:28:16: unknown skill `prompt-craft` (expected one of prompting, workflow-design, data-interpretation, output-validation, light-automation, actions-and-reporting)
    site.toml:21:13: `;;` cannot be a delimiter (expected one ASCII character such as ",", ";", "|" or "\t")
    site.toml:22:12: unknown encoding `latin-9` (expected one of utf-8, utf-16, windows-1252)
    site.toml:20:15: `%m/%Y` is not a date pattern (expected a strftime pattern with a year, month and day, such as "%m/%d/%Y" or "%d.%m.%Y")
    site.toml:33:8: a source of kind `completions` needs the column of `module` (expected `module = "<header>"` under [sources.columns], naming the export's column)
    "#);
}

#[test]
fn a_missing_export_an_export_that_is_not_text_and_an_unknown_workflow_are_located() {
    let site = exported_site();
    let toml = std::fs::read_to_string(site.path("site.toml")).expect("site.toml");
    let with_ai_use = format!(
        "{toml}\n[[sources]]\nfile = \"data/ai-use.csv\"\nkind = \"ai_use\"\n[sources.columns]\n\
         person = \"Email\"\nworkflow = \"Workflow\"\nsince = \"Since\"\n\n\
         [[sources]]\nfile = \"data/later.csv\"\nkind = \"kpis\"\n[sources.columns]\npartner = \"A\"\n\
         quarter = \"Q\"\npartner_sourced_revenue = \"R\"\nsales_cycle_days = \"C\"\ncost_to_serve = \"S\"\n\
         enablement_throughput = \"T\"\nmargin_contribution = \"M\"\n"
    );
    site.build();
    site.write("site.toml", &with_ai_use);
    site.write(
        "data/ai-use.csv",
        "Email,Workflow,Since\nana.lima@acme.example,qbrs,2026-03-01\nbo.chen@acme.example,qbr,2026-03-01\n",
    );
    site.write_bytes(
        "data/completions.csv",
        b"Learner,Course,Completed\nana.lima@acme.example,C-1 \xff,2026-03-02\n",
    );
    let problems = site.build_rejected();
    insta::assert_snapshot!(describe(&problems), @r#"
    data/ai-use.csv:2:23: row 2, column `Workflow`: unknown workflow `qbrs` (expected one of account-planning, qbr, onboarding, co-selling, performance-reporting, ecosystem-mapping; did you mean `qbr`?)
    data/completions.csv:2:27: this file is not UTF-8 (expected a UTF-8 file, or `encoding = "utf-16"` or "windows-1252" in its [[sources]] entry)
    data/later.csv:0:0: this source file does not exist (expected the export at the path `file` gives in site.toml's [[sources]])
    "#);
}

#[test]
fn a_workflow_register_export_replaces_the_yaml_register() {
    let exported = exported_site();
    let toml = std::fs::read_to_string(exported.path("site.toml")).expect("site.toml");
    exported.write(
        "site.toml",
        &format!(
            "{toml}\n[[sources]]\nfile = \"data/workflows.csv\"\nkind = \"workflows\"\n[sources.columns]\n\
             partner = \"Partner\"\nworkflow = \"Workflow\"\nembedded = \"AI Embedded\"\nsince = \"Since\"\n\
             documented = \"Documented\"\nquality_standard = \"QA Standard\"\nminutes_before = \"Min Before\"\n\
             minutes_after = \"Min After\"\nruns_per_quarter = \"Runs/Qtr\"\n"
        ),
    );
    exported.write(
        "data/workflows.csv",
        "Partner,Workflow,AI Embedded,Since,Documented,QA Standard,Min Before,Min After,Runs/Qtr\n\
         acme,qbr,yes,Q2 2026,yes,yes,120,40,6\n\
         acme,onboarding,no,,no,no,90,,4\n",
    );
    let yaml = std::fs::read_to_string(exported.path("content/partners/acme.yaml")).expect("yaml");
    let facts = yaml
        .split("workflows:")
        .next()
        .unwrap_or_default()
        .to_string();
    exported.write("content/partners/acme.yaml", &facts);
    exported.build();
    let written = written_as_yaml(
        &exported,
        &ACME_AS_YAML.replace(
            "    runs_per_quarter: 6\n",
            "    runs_per_quarter: 6\n  - id: onboarding\n    minutes_before: 90\n    runs_per_quarter: 4\n",
        ),
    );
    assert_eq!(
        exported.read("data/metrics.json"),
        written.read("data/metrics.json")
    );
    let problems = break_and_build(
        &exported,
        &[(
            "data/workflows.csv",
            "Partner,Workflow,AI Embedded,Since,Documented,QA Standard,Min Before,Min After,Runs/Qtr\n\
             acme,qbr,maybe,,yes,yes,120,40,6\n\
             acme,onboarding,yes,,no,no,90,,4\n",
        )],
    );
    insta::assert_snapshot!(describe(&problems), @r#"
    data/workflows.csv:2:10: row 2, column `AI Embedded`: `maybe` is not yes or no (expected yes, no, true, false, 1 or 0)
    data/workflows.csv:3:6: row 3, column `Workflow`: workflow `onboarding` is embedded but has no quarter it became so (expected the `since` column: the quarter AI became a permanent step, such as 2026-Q1)
    "#);
}

#[test]
fn an_exports_decimal_mark_and_module_names_win_over_the_defaults() {
    let exported = exported_site();
    let toml = std::fs::read_to_string(exported.path("site.toml")).expect("site.toml");
    exported.write(
        "site.toml",
        &toml
            .replace(
                "date_format = \"%m/%d/%Y\"",
                "date_format = \"%m/%d/%Y\"\ndecimal = \",\"",
            )
            .replace("\"C-1\" = \"basics\"", "\"basics\" = \"checks\""),
    );
    // A score written 1,5 is one and a half; a course named like one module
    // but mapped to another is the other.
    exported.write(
        "data/survey.csv",
        "Email;Name;Taken;Prompting;Validation\n\
         ana.lima@acme.example;Ana Lima;02/10/2026;1,5;0\n\
         ana.lima@acme.example;Ana Lima;08/14/2026;3;2\n\
         bo.chen@acme.example;Bo Chen;02/11/2026;2;1\n",
    );
    exported.write(
        "data/completions.csv",
        "Learner,Course,Completed\nana.lima@acme.example,basics,2026-03-02\n",
    );
    exported.build();
    let written = written_as_yaml(
        &exported,
        &ACME_AS_YAML
            .replacen(
                "scores: {prompting: 1, output-validation: 0}",
                "scores: {prompting: 1.5, output-validation: 0}",
                1,
            )
            .replacen("      - module: basics\n", "      - module: checks\n", 1),
    );
    assert_eq!(
        exported.read("data/metrics.json"),
        written.read("data/metrics.json")
    );
}

#[test]
fn more_sources_entries_that_cannot_be_read_are_told_in_site_toml() {
    let site = exported_site();
    let toml = std::fs::read_to_string(site.path("site.toml")).expect("site.toml");
    let broken = toml
        .replace(
            "file = \"data/kpis.csv\"",
            "file = \"data/../content/kpis.csv\"",
        )
        .replace(
            "date_format = \"%m/%d/%Y\"",
            "date_format = \"%m/%d/%Y\"\ndecimal = \";\"",
        )
        .replace(
            "file = \"data/statements.ndjson\"\nkind = \"completions\"",
            "file = \"data/statements.ndjson\"\nkind = \"ai_use\"",
        );
    let problems = break_and_build(&site, &[("site.toml", &broken)]);
    insta::assert_snapshot!(describe(&problems), @r#"
    site.toml:20:11: `;` cannot be a decimal mark (expected "." or ",")
    site.toml:40:8: xAPI statements cannot be a source of kind `ai_use` (expected kind = "completions": proficio reads `completed` and `passed` statements)
    site.toml:43:8: source file `data/../content/kpis.csv` is not under data/ (expected a path under the site's data/ folder, such as "data/lms-completions.csv": data/ is read and watched but never published, unlike content/ or static/)
    "#);
}

#[test]
fn people_rows_that_contradict_themselves_are_located() {
    let site = exported_site();
    let toml = std::fs::read_to_string(site.path("site.toml")).expect("site.toml");
    let with_dates = toml
        .replace(
            "role = \"Title\"",
            "role = \"Title\"\njoined = \"Joined\"\nleft = \"Left\"",
        )
        .replace(
            "module = \"Course\"",
            "module = \"Course\"\npartner = \"Account\"",
        );
    let problems = break_and_build(
        &site,
        &[
            ("site.toml", &with_dates),
            (
                "data/people.csv",
                "Email,Full Name,Account,Title,Joined,Left\n\
                 ana.lima@acme.example,Ana Lima,Acme Systems,partner account manager,2026-01-05,\n\
                 bo.chen@acme.example,Bo Chen,acme,solutions engineer,2026-03-01,2026-02-01\n\
                 ana.lima@acme.example,Ana Lima,Acme Systems,channel chief,2026-01-05,\n\
                 cy.diaz@acme.example,Cy Diaz,acme,,2026-01-05,\n",
            ),
            (
                "data/completions.csv",
                "Learner,Account,Course,Completed\nana.lima@acme.example,other,C-1,2026-03-02\n",
            ),
        ],
    );
    insta::assert_snapshot!(describe(&problems), @r#"
    data/completions.csv:2:23: row 2, column `Account`: unknown partner `other` (expected one of acme)
    data/people.csv:3:65: row 3, column `Left`: left on 2026-02-01, not after joining on 2026-03-01 (expected a `left` date after the `joined` date)
    data/people.csv:4:1: row 4, column `Email`: this person is also given, otherwise, at data/people.csv:2 (expected each person once, or their rows alike)
    data/people.csv:5:1: row 5: `Title` is empty (expected the row's role)
    "#);
}
