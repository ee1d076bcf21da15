//! Fenced code as GitHub names it: highlighted, each kind of token in the
//! same colours whatever the language, plain text on purpose without a word, and an unknown language
//! warned about by `check` at the name (with the nearest known one) while
//! the build still succeeds.

mod common;

use common::command::{proficio, root_arg, stderr, stdout};
use common::problems::{assert_at_expecting, only};
use common::{Site, module};
use proficio::check::{self, Code, Severity};

/// A module in the `basics` track with `body`.
fn tracked(title: &str, body: &str) -> String {
    module(&format!("title: {title}\ntrack: basics"), body)
}

/// A fenced block of `language` holding `code`.
fn fence(language: &str, code: &str) -> String {
    format!("```{language}\n{code}\n```\n\n")
}

/// The classes of the first span whose text holds `token` as a word
/// (neighbouring tokens of one colour share a span).
fn classes_around<'h>(html: &'h str, token: &str) -> &'h str {
    html.split("<span class=\"")
        .skip(1)
        .find_map(|span| {
            let (classes, rest) = span.split_once("\">")?;
            let text = rest.split("</span>").next()?;
            text.split_whitespace()
                .any(|word| word == token)
                .then_some(classes)
        })
        .unwrap_or_else(|| panic!("no span holds `{token}` in:\n{html}"))
}

/// The `<code>` element of the block whose class names `language`.
fn code_of<'h>(html: &'h str, language: &str) -> &'h str {
    let start = html
        .find(&format!("<code class=\"language-{language}\">"))
        .unwrap_or_else(|| panic!("no ```{language} block in:\n{html}"));
    let end = start + html[start..].find("</code>").expect("a closing code");
    &html[start..end]
}

const CSHARP: &str = "public interface IGreeter { string Greet(); }";
const TYPESCRIPT: &str = "export interface Greeter { greet(): string }";
const POWERSHELL: &str = "function Get-Greeting { param($Name) return \"Hi $Name\" }";
const DOCKERFILE: &str = "FROM alpine:3\nRUN echo hi";
const TSX: &str = "export function Hi() { return <b>hi</b>; }";

/// A site with one module of GitHub-named blocks and one with a typo.
fn site() -> Site {
    let mut blocks = String::from("## Code\n\n");
    for (language, code) in [
        ("csharp", CSHARP),
        ("typescript", TYPESCRIPT),
        ("ts", TYPESCRIPT),
        ("TS title=\"greeter.ts\"", TYPESCRIPT),
        ("powershell", POWERSHELL),
        ("ps1", POWERSHELL),
        ("dockerfile", DOCKERFILE),
        ("tsx", TSX),
        ("text", "public interface NotCode"),
        ("plaintext", "public"),
        ("console", "$ proficio build"),
        ("", "no language"),
    ] {
        blocks.push_str(&fence(language, code));
    }
    Site::with_config(&[
        ("content/modules/code.md", &tracked("Code", &blocks)),
        (
            "content/modules/typo.md",
            &tracked("Typo", &fence("cshrap", CSHARP)),
        ),
    ])
}

/// The colour `/highlight.css` gives a span of `classes` in the light
/// (`dark` false) or the dark scheme, and the colour of the block's plain
/// text in that scheme.
fn colours(css: &str, classes: &str, dark: bool) -> (String, String) {
    let scheme = css
        .split("@media")
        .nth(if dark { 2 } else { 1 })
        .expect("a light and a dark scheme");
    let colour_in = |rule: &str| {
        rule.split(';')
            .map(|declaration| declaration.rsplit('{').next().unwrap_or_default().trim())
            .find_map(|declaration| declaration.strip_prefix("color: "))
            .map(str::to_string)
    };
    let plain = scheme
        .lines()
        .find(|line| line.starts_with("pre.code"))
        .and_then(colour_in)
        .expect("the blocks' colours");
    let token = classes
        .split(' ')
        .find_map(|class| {
            let head = format!("code .{class} {{ ");
            scheme
                .lines()
                .find(|line| line.starts_with(&head))
                .and_then(colour_in)
        })
        .unwrap_or_else(|| panic!("no colour for `{classes}` in:\n{scheme}"));
    (token, plain)
}

#[test]
fn github_fence_names_are_highlighted_each_kind_of_token_in_one_colour() {
    let site = site();
    site.build();
    let html = site.read("modules/code/index.html");
    let css = site.read("highlight.css");
    for (kind, tokens) in [
        ("a modifier", &[("csharp", "public")][..]),
        (
            "a type keyword",
            &[
                ("csharp", "interface"),
                ("typescript", "interface"),
                ("ts", "interface"),
                ("TS", "interface"),
                ("powershell", "function"),
                ("ps1", "function"),
                ("tsx", "function"),
            ][..],
        ),
        ("a keyword", &[("dockerfile", "FROM")][..]),
    ] {
        for dark in [false, true] {
            let seen: Vec<(String, String)> = tokens
                .iter()
                .map(|(language, token)| {
                    let classes = classes_around(code_of(&html, language), token);
                    assert!(
                        !classes.contains("hl-") && classes.len() <= 12,
                        "```{language}: `{token}` is classed `{classes}`, a short class"
                    );
                    colours(&css, classes, dark)
                })
                .collect();
            let (colour, plain) = &seen[0];
            assert_ne!(colour, plain, "{kind} is coloured (dark: {dark})");
            assert!(
                seen.iter().all(|(other, _)| other == colour),
                "{kind} has one colour in every language (dark: {dark}): {seen:?}"
            );
        }
    }
}

#[test]
fn plain_text_names_and_an_unknown_name_are_shown_as_written() {
    let site = site();
    site.build();
    let html = site.read("modules/code/index.html");
    for language in ["text", "plaintext", "console"] {
        let code = code_of(&html, language);
        assert!(!code.contains("<span"), "```{language}: {code}");
    }
    assert!(
        html.contains(
            "<div class=\"code-block\">\n<pre class=\"code\" tabindex=\"0\"><code>no language\n</code></pre>"
        ),
        "{html}"
    );
    let typo = site.read("modules/typo/index.html");
    assert!(
        typo.contains("<code class=\"language-cshrap\">public interface IGreeter"),
        "{typo}"
    );
}

#[test]
fn an_unknown_language_is_one_located_warning_naming_the_nearest() {
    let site = site();
    let report = check::check(&site.options()).expect("check runs");
    let problem = only(&report.findings);
    assert_eq!(
        (problem.code, problem.severity),
        (Code::UnknownLanguage, Severity::Warning)
    );
    assert_at_expecting(
        problem,
        ("content/modules/typo.md", 5, 4),
        "no syntax highlights `cshrap`",
        "did you mean `csharp`",
    );
}

#[test]
fn the_build_succeeds_and_strict_check_fails_on_an_unknown_language() {
    let site = site();
    let root = root_arg(&site);
    let build = proficio(&["build", "--root", &root]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));

    let check = proficio(&["check", "--root", &root]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    let text = stdout(&check);
    assert!(
        text.contains("warning[unknown-language]: ")
            && text.contains("content/modules/typo.md:5:4")
            && text.contains("did you mean `csharp`"),
        "{text}"
    );

    let strict = proficio(&["check", "--strict", "--format", "json", "--root", &root]);
    assert_eq!(strict.status.code(), Some(1), "{}", stdout(&strict));
    let json: serde_json::Value = serde_json::from_slice(&strict.stdout).expect("JSON");
    let finding = &json["findings"][0];
    assert_eq!(finding["code"], "unknown-language", "{json}");
    assert_eq!(
        (&finding["file"], &finding["line"], &finding["column"]),
        (
            &serde_json::json!("content/modules/typo.md"),
            &serde_json::json!(5),
            &serde_json::json!(4)
        ),
        "{json}"
    );
}
