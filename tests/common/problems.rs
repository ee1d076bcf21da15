//! Problems a build reports: break a site that built, build it again, and
//! check where each problem is located and what it says.

use std::path::Path;

use proficio::Diagnostic;

use super::{Site, assert_same_tree, describe};

/// Builds `site` once as it is, applies `changes` (files to write), builds
/// again and returns the problems the second build reported, after checking
/// that it left the first build's output byte-for-byte untouched.
pub fn break_and_build(site: &Site, changes: &[(&str, &str)]) -> Vec<Diagnostic> {
    let report = site.build();
    let before = site.snapshot();
    // The comparison below means something only if the first build wrote
    // its pages.
    assert!(!report.pages.is_empty(), "the first build wrote no page");
    for page in &report.pages {
        assert!(
            before.contains_key(&page.output),
            "{} was not written",
            page.output
        );
    }
    for (path, text) in changes {
        site.write(path, text);
    }
    let problems = site.build_rejected();
    assert_same_tree(&before, &site.snapshot());
    problems
}

/// The single problem of a run.
pub fn only(problems: &[Diagnostic]) -> &Diagnostic {
    assert_eq!(
        problems.len(),
        1,
        "expected one problem:\n{}",
        describe(problems)
    );
    &problems[0]
}

/// Checks where a problem is (file, line, column) and that its message says
/// `message`.
pub fn assert_at(problem: &Diagnostic, (file, line, column): (&str, usize, usize), message: &str) {
    assert_eq!(problem.file, Path::new(file), "{problem}");
    assert_eq!(
        (problem.line(), problem.column()),
        (line, column),
        "{problem}"
    );
    assert!(problem.message.contains(message), "{problem}");
    assert!(
        problem
            .to_string()
            .starts_with(&format!("{file}:{line}:{column}: ")),
        "{problem}"
    );
}

/// [`assert_at`], and that what was expected is said, in the `expected`
/// note or in the message itself.
pub fn assert_at_expecting(
    problem: &Diagnostic,
    at: (&str, usize, usize),
    message: &str,
    expected: &str,
) {
    assert_at(problem, at, message);
    let said = format!(
        "{} {}",
        problem.message,
        problem.expected.as_deref().unwrap_or("")
    );
    assert!(
        said.contains(expected),
        "expected `{expected}` in: {problem}"
    );
}
