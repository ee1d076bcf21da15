//! Render budgets (`[limits]` in `site.toml`, `docs/templates.md`): a
//! template that writes too much or runs too long fails the build with a
//! located error and leaves the previous output as it was; a template that
//! includes or extends itself is reported where it names itself.

mod common;

use common::problems::{break_and_build, only};
use common::{SITE_TOML, Site, small_site};

/// A page template whose loops would write gigabytes and run for hours.
const RUNAWAY: &str = "{% extends \"base.html\" %}{% block main %}\
{% for i in range(end=100000) %}{% for j in range(end=100000) %}\
<p>line {{ i }} {{ j }} of a loop that does not end soon</p>\n\
{% endfor %}{% endfor %}{% endblock main %}";

fn limited(limits: &str) -> String {
    format!("{SITE_TOML}\n[limits]\n{limits}\n")
}

#[test]
fn a_page_past_its_byte_budget_fails_the_build_at_its_source_and_template() {
    let site = small_site();
    site.write("site.toml", &limited("max_page_bytes = 200000"));
    let problems = break_and_build(&site, &[("templates/page.html", RUNAWAY)]);
    insta::assert_snapshot!(only(&problems).to_string(), @"content/about.md:0:0: rendering `about/index.html` with templates/page.html: the page grew past 200000 bytes ([limits] max_page_bytes) (look for a loop or a recursive include in the template that does not end)");
}

#[test]
fn the_default_page_budget_stops_a_runaway_loop() {
    let site = small_site();
    let problems = break_and_build(&site, &[("templates/page.html", RUNAWAY)]);
    insta::assert_snapshot!(only(&problems).to_string(), @"content/about.md:0:0: rendering `about/index.html` with templates/page.html: the page grew past 16777216 bytes ([limits] max_page_bytes) (look for a loop or a recursive include in the template that does not end)");
}

#[test]
fn pages_past_the_output_budget_fail_the_build_once() {
    let site = small_site();
    let problems = break_and_build(&site, &[("site.toml", &limited("max_output_bytes = 5000"))]);
    insta::assert_snapshot!(only(&problems).to_string(), @"site.toml:0:0: the rendered pages together grew past 5000 bytes ([limits] max_output_bytes) (raise max_output_bytes in [limits] if the site is meant to be this large)");
}

#[test]
fn a_page_past_its_time_budget_fails_the_build_at_its_source_and_template() {
    let site = small_site();
    // 300 ms: far above an ordinary page, even on a busy machine.
    site.write("site.toml", &limited("max_page_milliseconds = 300"));
    // Ten million turns that write nothing: seconds, and no byte budget
    // ends them.
    let slow = "{% extends \"base.html\" %}{% block main %}\
{% for i in range(end=100000) %}{% for j in range(end=100) %}{% endfor %}{% endfor %}\
{% endblock main %}";
    let problems = break_and_build(&site, &[("templates/page.html", slow)]);
    insta::assert_snapshot!(only(&problems).to_string(), @"content/about.md:0:0: rendering `about/index.html` with templates/page.html: the page took longer than 300 ms to render ([limits] max_page_milliseconds) (look for a loop or a recursive include in the template that does not end)");
}

#[test]
fn a_budget_of_zero_is_refused_where_it_is_written() {
    let site = small_site();
    let problems = break_and_build(&site, &[("site.toml", &limited("max_page_bytes = 0"))]);
    insta::assert_snapshot!(only(&problems).to_string(), @"site.toml:11:18: invalid value: integer `0`, expected a nonzero u64");
}

#[test]
fn an_include_of_itself_is_reported_where_it_names_itself() {
    let site = small_site();
    let problems = break_and_build(
        &site,
        &[(
            "templates/partials/toc.html",
            "<nav>\n  {% include \"partials/toc.html\" %}\n</nav>\n",
        )],
    );
    insta::assert_snapshot!(only(&problems).to_string(), @"templates/partials/toc.html:2:14: `partials/toc.html` includes itself: partials/toc.html → partials/toc.html (expected templates that do not include themselves, directly or through others)");
}

#[test]
fn an_extends_circle_is_reported_where_it_closes() {
    let site = small_site();
    let problems = break_and_build(
        &site,
        &[("templates/base.html", "{% extends \"page.html\" %}\n")],
    );
    insta::assert_snapshot!(only(&problems).to_string(), @"themes/default/templates/page.html:1:12: `base.html` extends itself: base.html → page.html → base.html (expected templates that do not extend themselves, directly or through others)");
}

#[test]
fn a_site_within_its_budgets_builds_as_before() {
    let site = Site::with_config_and(
        "\n[limits]\nmax_page_bytes = 1000000\nmax_output_bytes = 100000000\nmax_page_milliseconds = 60000\n",
        &[("content/about.md", "# About\n\nWho we are.\n")],
    );
    site.build();
    assert!(site.read("about/index.html").contains("Who we are."));
}
