//! Fenced code as GitHub names it: highlighted with the token's kind in its
//! class, plain text on purpose without a word, and an unknown language
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

/// The classes of the innermost span around the first `token` written as a
/// whole span's text.
fn classes_around<'h>(html: &'h str, token: &str) -> &'h str {
    let end = html
        .find(&format!(">{token}</span>"))
        .unwrap_or_else(|| panic!("no span holds `{token}` alone in:\n{html}"));
    let open = html[..end]
        .rfind("<span class=\"")
        .expect("an opening span");
    let classes = &html[open + "<span class=\"".len()..end];
    classes.trim_end_matches('"')
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

#[test]
fn github_fence_names_are_highlighted_with_the_token_kind_in_the_class() {
    let site = site();
    site.build();
    let html = site.read("modules/code/index.html");
    for (language, token, kind) in [
        ("csharp", "public", "hl-storage hl-modifier"),
        ("csharp", "interface", "hl-storage hl-type"),
        ("typescript", "interface", "hl-storage hl-type"),
        ("ts", "interface", "hl-storage hl-type"),
        ("TS", "interface", "hl-storage hl-type"),
        ("powershell", "function", "hl-storage hl-type"),
        ("ps1", "function", "hl-storage hl-type"),
        ("dockerfile", "FROM", "hl-keyword"),
        ("tsx", "function", "hl-storage hl-type"),
    ] {
        let code = code_of(&html, language);
        let classes = classes_around(code, token);
        assert!(
            classes.starts_with(kind),
            "```{language}: `{token}` is classed `{classes}`, expected `{kind}…`"
        );
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
