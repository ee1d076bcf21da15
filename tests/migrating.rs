//! Bringing a folder of lessons written for GitHub over as modules, the way
//! `docs/migrating.md` tells a writer to: each lesson a folder with a
//! `README.md` and its images, raw `<img>` and `<a>` tags, in-page links to
//! GitHub's heading ids, code fenced in GitHub's language names.

mod common;

use common::command::{proficio, root_arg, stdout};
use common::{Site, main_of};

const INTRODUCTION: &str = r#"---
summary: What a language model does with your words, and where it helps a partner team.
track: basics
---
# Introduction to generative AI

Generative AI writes text from a prompt.

<img src="./images/tokens.png" alt="A sentence split into tokens" width="600">

## What's a token?

A token is a piece of a word. Read [what a token is](#whats-a-token) again,
or go on to [your first prompt](../02-prompts/README.md#writing-your-first-prompt).

```csharp
public class Greeter
{
    public string Greet(string name) => $"Hello, {name}";
}
```
"#;

const PROMPTS: &str = r#"---
track: basics
prerequisites: [01-introduction]
---
# Prompt engineering fundamentals

## Writing your first prompt

```typescript
interface Prompt { text: string }
```

```powershell
Get-ChildItem -Path .\lessons
```

<div><img src="images/prompt.png" alt="A prompt and its answer"></div>

<a href="../01-introduction/README.md#whats-a-token">Back to tokens</a>
"#;

/// The lesson folder as it sits in a GitHub repository, front matter added.
fn migrated_course() -> Site {
    let site = Site::with_config(&[
        (
            "content/modules/_index.md",
            "---\ntitle: Generative AI for beginners\n---\nEighteen lessons, two here.\n",
        ),
        ("content/modules/01-introduction/README.md", INTRODUCTION),
        ("content/modules/02-prompts/README.md", PROMPTS),
    ]);
    site.write_bytes(
        "content/modules/01-introduction/images/tokens.png",
        b"\x89PNG",
    );
    site.write_bytes("content/modules/02-prompts/images/prompt.png", b"\x89PNG");
    site
}

#[test]
fn each_readme_is_its_lessons_page_with_its_images_beside_it() {
    let site = migrated_course();
    site.build();
    let intro = site.read("modules/01-introduction/index.html");
    let main = main_of(&intro);
    assert!(
        main.contains("<h1>Introduction to generative AI</h1>"),
        "{main}"
    );
    assert!(main.contains("<img src=\"./images/tokens.png\""), "{main}");
    assert!(site.built("modules/01-introduction/images/tokens.png"));
    let prompts = site.read("modules/02-prompts/index.html");
    assert!(
        main_of(&prompts).contains("<img src=\"images/prompt.png\""),
        "{prompts}"
    );
    assert!(site.built("modules/02-prompts/images/prompt.png"));
}

#[test]
fn the_summary_is_the_lede_and_the_body_is_not_repeated() {
    let site = migrated_course();
    site.build();
    let intro = site.read("modules/01-introduction/index.html");
    let main = main_of(&intro);
    assert_eq!(
        main.matches("What a language model does with your words")
            .count(),
        1,
        "{main}"
    );
    assert!(
        main.contains("<p class=\"lede\">What a language model does with your words"),
        "{main}"
    );
    assert_eq!(
        main.matches("Generative AI writes text").count(),
        1,
        "{main}"
    );
}

#[test]
fn links_written_for_github_reach_their_headings() {
    let site = migrated_course();
    site.build();
    let intro = site.read("modules/01-introduction/index.html");
    assert!(
        intro.contains(
            "<h2 id=\"whats-a-token\"><span id=\"what-s-a-token\"></span>What's a token?"
        ),
        "{intro}"
    );
    assert!(intro.contains("href=\"#whats-a-token\""), "{intro}");
    assert!(
        intro.contains("href=\"/modules/02-prompts/#writing-your-first-prompt\""),
        "{intro}"
    );
    let prompts = site.read("modules/02-prompts/index.html");
    assert!(
        prompts.contains("<h2 id=\"writing-your-first-prompt\">"),
        "{prompts}"
    );
    assert!(
        prompts.contains("<a href=\"/modules/01-introduction/#whats-a-token\">Back to tokens</a>"),
        "{prompts}"
    );
}

#[test]
fn code_fenced_in_githubs_language_names_is_highlighted() {
    let site = migrated_course();
    site.build();
    let intro = site.read("modules/01-introduction/index.html");
    let prompts = site.read("modules/02-prompts/index.html");
    for (html, token) in [
        (&intro, ">public class</span>"),
        (&prompts, ">interface</span>"),
        (&prompts, ">Get-ChildItem</span>"),
    ] {
        assert!(html.contains(token), "{token} in {html}");
    }
}

#[test]
fn the_migrated_course_passes_a_strict_check() {
    let site = migrated_course();
    let output = proficio(&["check", "--strict", "--root", &root_arg(&site)]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(stdout(&output).contains("no problems"), "{output:?}");
}

#[test]
fn a_readme_beside_an_index_is_two_pages_at_one_url() {
    let site = migrated_course();
    site.write(
        "content/modules/02-prompts/index.md",
        "---\ntitle: Prompts\ntrack: basics\n---\nText.\n",
    );
    let problems = site.build_rejected();
    assert!(
        problems.iter().any(|p| {
            p.file.ends_with("02-prompts/index.md")
                && p.message
                    == "this page and content/modules/02-prompts/README.md both want the URL /modules/02-prompts/"
        }),
        "{problems:?}"
    );
}
