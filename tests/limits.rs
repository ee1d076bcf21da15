//! Input budgets: files over their size limit, YAML aliases that would copy
//! too much, numbers out of range and names too long for a file system are
//! refused as located errors, before they cost minutes or gigabytes.

mod common;

use common::Site;
use common::problems::{assert_at_expecting, only};

/// A partner file that builds, with `people` as its `people:` list.
fn partner(people: &str) -> String {
    format!("name: P\ntier: gold\nregion: EU\ntype: isv\nowner: O\npeople:\n{people}")
}

#[test]
fn an_alias_bomb_in_front_matter_is_refused_at_the_first_alias_past_the_budget() {
    let aliases = vec!["*s"; 3000].join(", ");
    let text = format!(
        "---\ntitle: &s \"{}\"\ntags: [{aliases}]\n---\nText.\n",
        "x".repeat(1 << 20)
    );
    let site = Site::with_config(&[("content/modules/a.md", &text)]);
    let problems = site.build_rejected();
    // The first alias copies 1 MiB, the limit; the second is past it.
    assert_at_expecting(
        only(&problems),
        ("content/modules/a.md", 3, 12),
        "copy more than 1048576 bytes",
        "max_yaml_alias_bytes",
    );
}

#[test]
fn an_alias_bomb_in_a_partner_file_is_refused_where_it_is() {
    let people: String = (0..200)
        .map(|i| format!("  - {{id: p{i}, role: *s}}\n"))
        .collect();
    let text = format!(
        "name: P\ntier: gold\nregion: &s \"{}\"\ntype: isv\nowner: O\npeople:\n{people}",
        "y".repeat(300_000)
    );
    let site = Site::with_config(&[("content/partners/p.yaml", &text)]);
    let problems = site.build_rejected();
    // 300,000 bytes a copy: the fourth copy is past 1 MiB.
    assert_at_expecting(
        only(&problems),
        ("content/partners/p.yaml", 10, 20),
        "copy more than 1048576 bytes",
        "under `[limits]` in site.toml",
    );
}

#[test]
fn more_aliases_than_the_limit_are_refused_at_the_first_one_past_it() {
    let site = Site::with_config_and(
        "\n[limits]\nmax_yaml_aliases = 2\n",
        &[(
            "content/modules/a.md",
            "---\ntitle: &t A\nsummary: *t\ntags: [*t, *t]\n---\n",
        )],
    );
    assert_at_expecting(
        only(&site.build_rejected()),
        ("content/modules/a.md", 4, 12),
        "one more than the 2 a file may hold",
        "max_yaml_aliases",
    );
}

#[test]
fn a_few_aliases_are_fine() {
    let site = Site::with_config(&[
        (
            "content/modules/a.md",
            "---\ntitle: &t Aliased title\nsummary: *t\ntags: [*t]\n---\nText.\n",
        ),
        (
            "content/partners/p.yaml",
            &partner("  - {id: a, role: &r engineer}\n  - {id: b, role: *r}\n"),
        ),
    ]);
    site.build();
    assert!(site.read("modules/a/index.html").contains("Aliased title"));
}

#[test]
fn a_markdown_file_over_its_size_limit_is_refused_with_its_size() {
    let site = Site::with_config_and(
        "\n[limits]\nmax_markdown_bytes = 100\n",
        &[
            (
                "content/modules/a.md",
                &format!("# A\n\n{}\n", "z".repeat(200)),
            ),
            ("content/modules/b.md", "# B\n"),
        ],
    );
    let problems = site.build_rejected();
    let problem = only(&problems);
    assert_eq!(problem.file, std::path::Path::new("content/modules/a.md"));
    assert_eq!(
        problem.message,
        "this file is 206 bytes, more than the limit of 100 bytes"
    );
    assert!(
        problem.to_string().contains("`max_markdown_bytes`"),
        "{problem}"
    );
}

#[test]
fn a_partner_file_over_its_size_limit_is_refused_with_its_size() {
    let text = partner("  - {id: a, role: r}\n");
    let site = Site::with_config_and(
        "\n[limits]\nmax_partner_file_bytes = 50\n",
        &[("content/partners/p.yaml", &text)],
    );
    let problems = site.build_rejected();
    let problem = only(&problems);
    assert_eq!(
        problem.file,
        std::path::Path::new("content/partners/p.yaml")
    );
    assert_eq!(
        problem.message,
        format!(
            "this file is {} bytes, more than the limit of 50 bytes",
            text.len()
        )
    );
    assert!(
        problem.to_string().contains("`max_partner_file_bytes`"),
        "{problem}"
    );
}

/// A module with a tag whose URL form is `bytes` bytes long.
fn module_with_tag(bytes: usize) -> String {
    format!(
        "---\ntitle: A\ntags: [ok, {}]\n---\nText.\n",
        "t".repeat(bytes)
    )
}

#[test]
fn a_tag_too_long_for_a_file_name_is_located_at_the_tag() {
    let site = Site::with_config(&[("content/guides/a.md", &module_with_tag(201))]);
    assert_at_expecting(
        only(&site.build_rejected()),
        ("content/guides/a.md", 3, 12),
        "tag `tttttttttttttttttttttttt…` makes a name of 201 bytes in the URL",
        "at most 200 bytes",
    );
    site.write("content/guides/a.md", &module_with_tag(200));
    site.build();
}

#[test]
fn a_slug_too_long_for_a_file_name_is_located_at_the_slug() {
    let slug = "s".repeat(300);
    let site = Site::with_config(&[(
        "content/guides/a.md",
        &format!("---\ntitle: A\nslug: {slug}\n---\nText.\n"),
    )]);
    assert_at_expecting(
        only(&site.build_rejected()),
        ("content/guides/a.md", 3, 7),
        "slug `ssssssssssssssssssssssss…` makes a name of 300 bytes in the URL",
        "file systems refuse names longer than 255 bytes",
    );
}

#[test]
fn a_file_name_too_long_for_the_output_names_the_file() {
    let file = format!("content/modules/{}.md", "m".repeat(201));
    let site = Site::with_config(&[(file.as_str(), "# M\n")]);
    let problems = site.build_rejected();
    let problem = only(&problems);
    assert_eq!(problem.file, std::path::Path::new(&file));
    assert!(
        problem
            .message
            .contains("file or folder name `mmmmmmmmmmmmmmmmmmmmmmmm…` makes a name of 201 bytes"),
        "{problem}"
    );
}

#[test]
fn a_partner_id_too_long_for_the_output_names_the_file() {
    let file = format!("content/partners/{}.yaml", "p".repeat(201));
    let site = Site::with_config(&[(file.as_str(), &partner("  - {id: a, role: r}\n"))]);
    let problems = site.build_rejected();
    let problem = only(&problems);
    assert_eq!(problem.file, std::path::Path::new(&file));
    assert!(problem.message.contains("partner id `pppp"), "{problem}");
}

#[test]
fn check_reports_a_name_too_long_as_an_error_and_exits_1() {
    let site = Site::with_config(&[("content/guides/a.md", &module_with_tag(256))]);
    let report = proficio::check::check(&site.options()).expect("check runs");
    let found = report
        .findings
        .iter()
        .find(|f| f.message.contains("makes a name of 256 bytes"))
        .unwrap_or_else(|| panic!("no finding: {:?}", report.findings));
    assert_eq!((found.line(), found.column()), (3, 12));
    let output = common::command::proficio(&["check", "--root", &common::command::root_arg(&site)]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
}

#[test]
fn a_catalogue_id_too_long_for_a_file_name_is_located_at_the_id() {
    let id = "t".repeat(201);
    let site = Site::new(&[(
        "site.toml",
        &format!("title = \"T\"\n\n[[tracks]]\nid = \"{id}\"\ntitle = \"Long\"\n"),
    )]);
    let problems = match site.try_build() {
        Err(proficio::Error::Input(problems)) => problems,
        other => panic!("expected problems, got {other:?}"),
    };
    assert_at_expecting(
        only(&problems),
        ("site.toml", 4, 7),
        "tracks id `tttttttttttttttttttttttt…` makes a name of 201 bytes in the URL",
        "at most 200 bytes",
    );
}

#[test]
fn an_unknown_limit_is_located_and_the_limits_listed() {
    let site = Site::new(&[("site.toml", "title = \"T\"\n\n[limits]\nmax_pages = 3\n")]);
    let problems = match site.try_build() {
        Err(proficio::Error::Input(problems)) => problems,
        other => panic!("expected problems, got {other:?}"),
    };
    assert_at_expecting(
        only(&problems),
        ("site.toml", 4, 1),
        "unknown field `max_pages`",
        "max_yaml_alias_bytes",
    );
}
