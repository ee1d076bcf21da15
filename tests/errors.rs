//! Mistakes in a site's input: each is reported as `Error::Input` with the
//! file, line and column of the mistake and what was expected, and a build
//! that fails leaves the previously built site exactly as it was.

mod common;

use std::path::Path;

use common::problems::{assert_at, break_and_build, only};
use common::{
    SITE_TOML, Site, assert_same_tree, default_skills, default_workflows, describe, module, one_of,
};
use proficio::Error;

/// A small site that builds: two modules in a track and a plain page.
fn good_site() -> Site {
    Site::with_config(&[
        (
            "content/modules/a.md",
            &module(
                "title: Start here\nlevel: experimenter\nskills: [prompting]\ntrack: basics",
                "Intro.\n\n## First step\n\nText.\n",
            ),
        ),
        (
            "content/modules/b.md",
            &module(
                "title: Next steps\ntrack: basics\nprerequisites: [a]",
                "## Go on\n\nMore.\n",
            ),
        ),
        ("content/about.md", "# About\n\nWho we are.\n"),
    ])
}

// ---------------------------------------------------------------- front matter

#[test]
fn malformed_yaml_front_matter_is_located() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/b.md",
            "---\ntitle: Next steps\n  level: experimenter\n---\nMore.\n",
        )],
    );
    insta::assert_snapshot!(only(&problems), @"content/modules/b.md:3:8: mapping values are not allowed in this context (expected each key of a mapping indented like the keys beside it)");
}

#[test]
fn a_front_matter_key_written_twice_is_located_at_the_second() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/b.md",
            "---\ntitle: Next steps\nsummary: On.\ntitle: Again\n---\nMore.\n",
        )],
    );
    insta::assert_snapshot!(only(&problems), @"content/modules/b.md:4:1: duplicate field `title` (expected each key once in a mapping)");
}

#[test]
fn a_front_matter_value_of_the_wrong_type_is_located_at_the_value() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/b.md",
            "---\ntitle: Next steps\nduration_minutes: soon\n---\nMore.\n",
        )],
    );
    insta::assert_snapshot!(only(&problems), @r#"content/modules/b.md:3:19: duration_minutes: invalid type: string "soon", expected u32"#);
}

#[test]
fn an_unknown_front_matter_key_is_located_and_the_known_keys_are_listed() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/b.md",
            "---\ntitle: Next steps\nauthor: Ana\n---\nMore.\n",
        )],
    );
    insta::assert_snapshot!(only(&problems), @"content/modules/b.md:3:1: unknown field `author`, expected one of `title`, `summary`, `date`, `weight`, `draft`, `level`, `skills`, `workflows`, `track`, `prerequisites`, `duration_minutes`, `tags`, `slug`, `menu`");
}

#[test]
fn front_matter_without_its_closing_line_is_an_error() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/b.md",
            "---\ntitle: Next steps\nlevel: experimenter\n\nMore.\n",
        )],
    );
    insta::assert_snapshot!(only(&problems), @"content/modules/b.md:1:1: front matter is not closed (expected a line `---` after the front matter)");
}

#[test]
fn a_module_with_broken_front_matter_is_not_reported_as_missing_by_its_dependants() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/a.md",
            "---\ntitle: Start here\nduration_minutes: soon\n---\nIntro.\n",
        )],
    );
    assert_at(
        only(&problems),
        ("content/modules/a.md", 3, 19),
        "invalid type",
    );
}

#[test]
fn a_title_with_an_unquoted_colon_gets_a_hint_to_quote_it() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/b.md",
            "---\ntitle: Pricing: the basics\ntrack: basics\n---\nMore.\n",
        )],
    );
    insta::assert_snapshot!(only(&problems), @r#"content/modules/b.md:2:15: mapping values are not allowed in this context (expected a value with ": " in it quoted: title: "Pricing: the basics")"#);
}

#[test]
fn an_unclosed_quote_gets_a_hint_to_close_it() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/b.md",
            "---\ntitle: \"Next steps\ntrack: basics\n---\nMore.\n",
        )],
    );
    insta::assert_snapshot!(only(&problems), @r#"content/modules/b.md:2:8: this quote is never closed (expected a closing " at the end of the value)"#);
}

// ---------------------------------------------------------------- catalogue ids

#[test]
fn an_unknown_skill_is_named_and_the_valid_skills_are_listed() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/a.md",
            &module(
                "title: Start here\nskills:\n  - prompting\n  - juggling",
                "Intro.\n",
            ),
        )],
    );
    let problem = only(&problems);
    assert_at(
        problem,
        ("content/modules/a.md", 5, 5),
        "unknown skill `juggling`",
    );
    assert_eq!(
        problem.expected.as_deref(),
        Some(one_of(&default_skills()).as_str()),
        "{problem}"
    );
}

#[test]
fn an_unknown_workflow_is_named_and_the_valid_workflows_are_listed() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/a.md",
            &module("title: Start here\nworkflows: [qbr, golf]", "Intro.\n"),
        )],
    );
    let problem = only(&problems);
    assert_at(
        problem,
        ("content/modules/a.md", 3, 18),
        "unknown workflow `golf`",
    );
    assert_eq!(
        problem.expected.as_deref(),
        Some(one_of(&default_workflows()).as_str()),
        "{problem}"
    );
}

#[test]
fn an_unknown_level_is_named_and_the_valid_levels_are_listed() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/a.md",
            &module("title: Start here\nlevel: guru", "Intro.\n"),
        )],
    );
    insta::assert_snapshot!(only(&problems), @"content/modules/a.md:3:8: unknown level `guru` (expected one of nay-sayer, experimenter, practitioner)");
}

#[test]
fn an_unknown_track_is_named_and_the_defined_tracks_are_listed() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/b.md",
            &module(
                "title: Next steps\ntrack: advanced\nprerequisites: [a]",
                "More.\n",
            ),
        )],
    );
    insta::assert_snapshot!(only(&problems), @"content/modules/b.md:3:8: unknown track `advanced` (expected one of basics)");
}

#[test]
fn an_unknown_prerequisite_is_named_at_its_place_in_the_list() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/b.md",
            &module(
                "title: Next steps\ntrack: basics\nprerequisites: [a, nothing]",
                "More.\n",
            ),
        )],
    );
    insta::assert_snapshot!(only(&problems), @"content/modules/b.md:4:20: unknown prerequisite `nothing` (expected one of a)");
}

#[test]
fn a_misspelt_prerequisite_among_many_modules_gets_the_nearest_ids() {
    let site = good_site();
    for id in [
        "qbr-narrative",
        "qbr-prep",
        "pricing",
        "discovery",
        "objections",
        "renewals",
        "forecasting",
        "co-selling",
    ] {
        site.write(
            &format!("content/modules/{id}.md"),
            &module("title: A module", "Text.\n"),
        );
    }
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/b.md",
            &module(
                "title: Next steps\ntrack: basics\nprerequisites: [a, qbr-narative]",
                "More.\n",
            ),
        )],
    );
    insta::assert_snapshot!(only(&problems), @"content/modules/b.md:4:20: unknown prerequisite `qbr-narative` (expected the id of a module, its file name without .md or its bundle folder; did you mean `qbr-narrative`?)");
    site.write(
        "content/modules/b.md",
        &module(
            "title: Next steps\ntrack: basics\nprerequisites: [a, juggling]",
            "More.\n",
        ),
    );
    insta::assert_snapshot!(only(&site.build_rejected()), @"content/modules/b.md:4:20: unknown prerequisite `juggling` (expected the id of a module, its file name without .md or its bundle folder; none of the 9 is close to `juggling`)");
}

#[test]
fn a_misspelt_level_is_answered_with_did_you_mean() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/a.md",
            &module("title: Start here\nlevel: experimentor", "Intro.\n"),
        )],
    );
    insta::assert_snapshot!(only(&problems), @"content/modules/a.md:3:8: unknown level `experimentor` (expected one of nay-sayer, experimenter, practitioner; did you mean `experimenter`?)");
}

#[test]
fn a_prerequisite_cycle_is_reported_once_with_its_path() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/a.md",
            &module(
                "title: Start here\ntrack: basics\nprerequisites: [b]",
                "Intro.\n",
            ),
        )],
    );
    insta::assert_snapshot!(only(&problems), @"content/modules/a.md:4:17: prerequisites form a cycle: a → b → a (expected prerequisites that lead back to a first module)");
}

#[test]
fn an_impossible_date_is_located_at_the_date() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/a.md",
            &module("title: Start here\ndate: 2026-02-30", "Intro.\n"),
        )],
    );
    insta::assert_snapshot!(only(&problems), @"content/modules/a.md:3:7: `2026-02-30` is not a date (expected a date written YYYY-MM-DD, such as 2026-03-02)");
}

#[test]
fn an_unknown_menu_is_answered_with_the_menus_there_are() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/guides/_index.md",
            "---\ntitle: Guides\nmenu: foter\n---\nFor writers.\n",
        )],
    );
    insta::assert_snapshot!(only(&problems), @"content/guides/_index.md:3:7: unknown menu `foter` (expected one of main, footer; did you mean `footer`?)");
}

#[test]
fn a_menu_on_a_page_that_is_not_a_top_level_section_is_located() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/a.md",
            &module("title: Start here\nmenu: footer", "Intro.\n"),
        )],
    );
    insta::assert_snapshot!(only(&problems), @"content/modules/a.md:3:7: `menu` is read only on a top-level section's _index.md (expected this key in content/<section>/_index.md, or no `menu` here)");
}

// ---------------------------------------------------------------- links and URLs

#[test]
fn a_link_to_missing_content_is_located_at_the_link() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/a.md",
            &module(
                "title: Start here",
                "Intro.\n\nRead [this](@/modules/nope.md) first.\n",
            ),
        )],
    );
    insta::assert_snapshot!(only(&problems), @"content/modules/a.md:6:13: link to `@/modules/nope.md`, which is not a content file (expected the path of a Markdown file under content/, such as @/modules/qbr-narrative.md)");
}

#[test]
fn a_draft_named_as_a_prerequisite_is_reported_as_a_draft() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/a.md",
            &module("title: Start here\ndraft: true\ntrack: basics", "Intro.\n"),
        )],
    );
    insta::assert_snapshot!(only(&problems), @"content/modules/b.md:4:17: prerequisite `a` is a draft (expected a published module, or a build with --drafts)");
}

#[test]
fn a_file_that_is_not_utf8_is_located_at_the_first_bad_byte() {
    let site = good_site();
    site.build();
    let before = site.snapshot();
    site.write_bytes("content/about.md", b"# About\n\nCaf\xe9 hours.\n");
    let problems = site.build_rejected();
    assert_same_tree(&before, &site.snapshot());
    assert_at(only(&problems), ("content/about.md", 3, 4), "not UTF-8");
}

#[test]
fn a_partner_file_that_is_not_utf8_is_located_at_the_first_bad_byte() {
    let site = good_site();
    site.build();
    let before = site.snapshot();
    site.write_bytes(
        "content/partners/latin.yaml",
        b"name: Caf\xe9 Partners\nheadcount: 3\n",
    );
    let problems = site.build_rejected();
    assert_same_tree(&before, &site.snapshot());
    let problem = only(&problems);
    assert_at(problem, ("content/partners/latin.yaml", 1, 10), "not UTF-8");
    assert_eq!(problem.expected.as_deref(), Some("YAML saved as UTF-8"));
}

#[test]
fn a_template_that_is_not_utf8_is_refused_by_name() {
    let site = good_site();
    site.build();
    let before = site.snapshot();
    site.write_bytes("templates/page.html", b"<p>Caf\xe9</p>");
    match site.try_build() {
        Err(Error::Refused(reason)) => {
            assert_eq!(reason, "templates/page.html is not UTF-8 text")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_same_tree(&before, &site.snapshot());
}

#[test]
fn two_pages_wanting_the_same_url_are_an_error() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/z.md",
            &module("title: Imposter\nslug: a", "Text.\n"),
        )],
    );
    let problem = only(&problems);
    assert_at(problem, ("content/modules/z.md", 3, 7), "/modules/a/");
    assert!(
        problem.message.contains("content/modules/a.md"),
        "{problem}"
    );
}

// ---------------------------------------------------------------- site.toml

#[test]
fn a_toml_syntax_error_in_site_toml_is_located() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "site.toml",
            "title = \"Test Portal\"\n\n[[tracks]\nid = \"basics\"\ntitle = \"Basics\"\n",
        )],
    );
    let problem = only(&problems);
    assert_eq!(problem.file, Path::new("site.toml"));
    assert_eq!(problem.line(), 3, "{problem}");
    assert!(problem.message.contains("expected `]`"), "{problem}");
}

#[test]
fn an_unknown_key_in_site_toml_is_located() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[("site.toml", &format!("colour = \"red\"\n{SITE_TOML}"))],
    );
    let problem = only(&problems);
    assert_at(problem, ("site.toml", 1, 1), "unknown field `colour`");
    assert!(problem.message.contains("`base_url`"), "{problem}");
}

#[test]
fn a_theme_that_does_not_exist_is_located_in_site_toml() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[
            (
                "site.toml",
                &SITE_TOML.replace("base_url", "theme = \"midnigth\"\nbase_url"),
            ),
            ("themes/midnight/static/site.css", "body { color: navy; }"),
        ],
    );
    let problem = only(&problems);
    assert_at(problem, ("site.toml", 3, 1), "theme `midnigth` not found");
    assert_eq!(
        problem.expected.as_deref(),
        Some("one of default, midnight; did you mean `midnight`?"),
        "{problem}"
    );
}

#[test]
fn a_catalogue_id_defined_twice_is_located_at_its_second_definition() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "site.toml",
            &format!("{SITE_TOML}\n[[tracks]]\nid = \"basics\"\ntitle = \"More basics\"\n"),
        )],
    );
    let problem = only(&problems);
    assert_eq!(problem.file, Path::new("site.toml"));
    assert!(
        problem
            .message
            .contains("tracks id `basics` is defined twice"),
        "{problem}"
    );
    assert_eq!(problem.line(), 11, "{problem}");
}

#[test]
fn an_invalid_catalogue_id_is_located_at_the_id() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "site.toml",
            &format!(
                "{SITE_TOML}\n[[skills]]\nid = \"prompting\"\ntitle = \"Prompting\"\n\n[[skills]]\ntitle = \"Negotiation Basics\"\nid = \"Basics\"\n"
            ),
        )],
    );
    let problem = only(&problems);
    assert_eq!(problem.file, Path::new("site.toml"));
    assert!(
        problem
            .message
            .contains("`Basics` is not a valid skills id"),
        "{problem}"
    );
    assert_eq!(problem.line(), 16, "{problem}");
}

#[test]
fn content_at_a_url_proficio_generates_is_an_error() {
    let site = good_site();
    let problems = break_and_build(&site, &[("content/tags/mine.md", "# My tags\n")]);
    let problem = only(&problems);
    assert_at(
        problem,
        ("content/tags/mine.md", 1, 1),
        "the URL /tags/mine/ belongs to pages proficio generates",
    );
}

#[test]
fn two_modules_with_the_same_id_are_an_error() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "content/modules/extra/a.md",
            &module("title: Another start", "Text.\n"),
        )],
    );
    let problem = only(&problems);
    assert_at(
        problem,
        ("content/modules/extra/a.md", 1, 1),
        "module id `a` is also used by content/modules/a.md",
    );
}

// ---------------------------------------------------------------- templates

#[test]
fn a_syntax_error_in_a_site_template_names_the_template_and_line() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "templates/module.html",
            "{% extends \"base.html\" %}\n{% block main %}\n<h1>{{ page.title }</h1>\n{% endblock main %}\n",
        )],
    );
    let problem = only(&problems);
    assert_eq!(
        problem.file,
        Path::new("templates/module.html"),
        "{problem}"
    );
    assert_eq!((problem.line(), problem.column()), (3, 19), "{problem}");
    assert!(problem.message.contains("}}"), "{problem}");
}

#[test]
fn an_unknown_variable_in_a_site_template_names_the_template_and_line() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "templates/page.html",
            "{% extends \"base.html\" %}\n{% block main %}\n<h1>{{ page.title }}</h1>\n{{ author }}\n{% endblock main %}\n",
        )],
    );
    assert_at(
        only(&problems),
        ("templates/page.html", 4, 4),
        "`author` is not defined",
    );
}

#[test]
fn syntax_errors_in_two_templates_are_reported_together() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[
            (
                "templates/module.html",
                "{% extends \"base.html\" %}\n{% block main %}{% if %}{% endblock main %}\n",
            ),
            (
                "templates/page.html",
                "{% extends \"base.html\" %}\n{% block main %}{{ page.title }{% endblock main %}\n",
            ),
        ],
    );
    let files: Vec<_> = problems.iter().map(|p| p.file.clone()).collect();
    assert_eq!(
        files,
        [
            Path::new("templates/module.html"),
            Path::new("templates/page.html")
        ],
        "{}",
        describe(&problems)
    );
    assert!(
        problems.iter().all(|p| p.line() == 2),
        "{}",
        describe(&problems)
    );
}

#[test]
fn a_mistake_in_a_shared_partial_is_reported_once() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[(
            "templates/partials/footer.html",
            "<footer>\n{{ footer_note }}\n</footer>\n",
        )],
    );
    assert_at(
        only(&problems),
        ("templates/partials/footer.html", 2, 4),
        "`footer_note` is not defined",
    );
}

// ---------------------------------------------------------------- many at once

#[test]
fn every_mistake_of_a_run_is_reported_together_in_file_order() {
    let site = good_site();
    let problems = break_and_build(
        &site,
        &[
            (
                "content/modules/b.md",
                &module(
                    "title: Next steps\ntrack: basics\nprerequisites: [a]\ndate: last week",
                    "More.\n",
                ),
            ),
            (
                "content/modules/a.md",
                &module(
                    "title: Start here\nlevel: guru",
                    "Intro.\n\nSee [the guide](@/guides/missing.md).\n",
                ),
            ),
        ],
    );
    // An unknown id, a dead link and a bad date: found by different passes,
    // reported in one run, sorted by file and position.
    insta::assert_snapshot!(describe(&problems), @r"
    content/modules/a.md:3:8: unknown level `guru` (expected one of nay-sayer, experimenter, practitioner)
    content/modules/a.md:7:17: link to `@/guides/missing.md`, which is not a content file (expected the path of a Markdown file under content/, such as @/modules/qbr-narrative.md)
    content/modules/b.md:5:7: `last week` is not a date (expected a date written YYYY-MM-DD, such as 2026-03-02)
    ");
}

#[test]
fn the_error_message_of_a_failed_build_lists_every_problem_and_counts_them() {
    let site = good_site();
    site.write(
        "content/modules/a.md",
        &module(
            "title: Start here\nlevel: guru\nskills: [juggling]",
            "Intro.\n",
        ),
    );
    let error = site.try_build().expect_err("the build must fail");
    insta::assert_snapshot!(error, @r"
    content/modules/a.md:3:8: unknown level `guru` (expected one of nay-sayer, experimenter, practitioner)
    content/modules/a.md:4:10: unknown skill `juggling` (expected one of prompting, workflow-design, data-interpretation, output-validation, light-automation, actions-and-reporting)
    2 errors
    ");
    assert!(
        !site.output().exists(),
        "a failed first build writes nothing"
    );
}

#[test]
fn a_rendered_problem_shows_the_offending_line_and_what_was_expected() {
    let site = good_site();
    site.write(
        "content/modules/a.md",
        &module("title: Start here\nlevel: guru", "Intro.\n"),
    );
    let problems = site.build_rejected();
    insta::assert_snapshot!(only(&problems).render(false), @r"
    error: unknown level `guru`
      ┌─ content/modules/a.md:3:8
      │
    3 │ level: guru
      │        ^^^^
      │
      = expected one of nay-sayer, experimenter, practitioner
    ");
}
