//! Syntax highlighting of fenced code with syntect. Syntaxes come from
//! syntect's bundled set and, for the languages it lacks (TypeScript,
//! PowerShell, Dockerfile and some 150 more), from the collection `two-face`
//! packages (bat's); themes are syntect's bundled ones. Each set is loaded
//! once, on first use, from its binary dump, so a site whose code is all in
//! syntect's languages never loads bat's. A fence's language is
//! looked up case-insensitively, first among GitHub's fence names
//! ([`ALIASES`]), then among the syntaxes' own names and file extensions;
//! a few names mean plain text on purpose ([`PLAIN`]). A block's label is
//! its syntax's display name ([`label`]). Code is marked up
//! with CSS classes (prefixed `hl-`) and the colours live in one generated
//! stylesheet with a light and a dark variant, so pages stay small and
//! follow the reader's colour scheme.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Looked in first: its syntaxes are what proficio has always highlighted
/// with, so their output stays the same, and for the commonest languages
/// (YAML, Python) they are also the faster ones.
static BUILT_IN: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);
/// bat's syntaxes, for the languages [`BUILT_IN`] does not have.
static EXTRA: LazyLock<SyntaxSet> = LazyLock::new(two_face::syntax::extra_newlines);

/// The two syntax sets in the order they are searched, each loaded only when
/// it is searched.
const SETS: [fn() -> &'static SyntaxSet; 2] = [|| &BUILT_IN, || &EXTRA];
static THEMES: LazyLock<ThemeSet> = LazyLock::new(ThemeSet::load_defaults);

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// GitHub's fence names (linguist's names and aliases, lower case) and the
/// syntax each one means, for the names people write whether or not a
/// syntax's own name or extensions already match: this table decides first.
pub const ALIASES: &[(&str, &str)] = &[
    ("bash", "Bourne Again Shell (bash)"),
    ("bat", "Batch File"),
    ("batch", "Batch File"),
    ("batchfile", "Batch File"),
    ("c", "C"),
    ("c#", "C#"),
    ("c++", "C++"),
    ("cmd", "Batch File"),
    ("cpp", "C++"),
    ("cs", "C#"),
    ("csharp", "C#"),
    ("css", "CSS"),
    ("diff", "Diff"),
    ("docker", "Dockerfile"),
    ("dockerfile", "Dockerfile"),
    ("f#", "F#"),
    ("fsharp", "F#"),
    ("go", "Go"),
    ("golang", "Go"),
    ("graphql", "GraphQL"),
    ("hcl", "Terraform"),
    ("html", "HTML"),
    ("ini", "INI"),
    ("java", "Java"),
    ("javascript", "JavaScript"),
    ("js", "JavaScript"),
    ("json", "JSON"),
    ("jsonc", "JSON"),
    ("jsx", "JavaScript (Babel)"),
    ("kotlin", "Kotlin"),
    ("kt", "Kotlin"),
    ("latex", "LaTeX"),
    ("lua", "Lua"),
    ("make", "Makefile"),
    ("makefile", "Makefile"),
    ("markdown", "Markdown"),
    ("md", "Markdown"),
    ("node", "JavaScript"),
    ("obj-c", "Objective-C"),
    ("objc", "Objective-C"),
    ("objective-c", "Objective-C"),
    ("objectivec", "Objective-C"),
    ("patch", "Diff"),
    ("perl", "Perl"),
    ("php", "PHP"),
    ("pl", "Perl"),
    ("posh", "PowerShell"),
    ("powershell", "PowerShell"),
    ("proto", "Protocol Buffer"),
    ("protobuf", "Protocol Buffer"),
    ("ps1", "PowerShell"),
    ("pwsh", "PowerShell"),
    ("py", "Python"),
    ("python", "Python"),
    ("r", "R"),
    ("rb", "Ruby"),
    ("rs", "Rust"),
    ("ruby", "Ruby"),
    ("rust", "Rust"),
    ("scala", "Scala"),
    ("sh", "Bourne Again Shell (bash)"),
    ("shell", "Bourne Again Shell (bash)"),
    ("sql", "SQL"),
    ("swift", "Swift"),
    ("terraform", "Terraform"),
    ("tex", "LaTeX"),
    ("tf", "Terraform"),
    ("toml", "TOML"),
    ("ts", "TypeScript"),
    ("tsx", "TypeScriptReact"),
    ("typescript", "TypeScript"),
    ("xml", "XML"),
    ("yaml", "YAML"),
    ("yml", "YAML"),
    ("zsh", "Bourne Again Shell (bash)"),
];

/// Fence names shown as written on purpose, without highlighting and
/// without a warning (as is a fence with no name): plain text, terminal
/// sessions, and what GitHub draws instead of showing code (diagrams, maps,
/// models, maths), which a theme's script can find by its
/// `language-…` class.
pub const PLAIN: &[&str] = &[
    "console",
    "geojson",
    "math",
    "mermaid",
    "output",
    "plain",
    "plaintext",
    "sh-session",
    "shell-session",
    "stl",
    "text",
    "topojson",
    "txt",
];

/// What a fence's language name means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// A syntax highlights it.
    Known,
    /// Plain text on purpose: no name, or one of [`PLAIN`].
    Plain,
    /// Neither: shown as plain text, and `check` warns.
    Unknown,
}

/// The language name of a fence's info string, as GitHub reads it: the
/// first word (```` ```ts title="x" ````, ```` ```ts{1,3} ````).
pub fn fence_language(info: &str) -> &str {
    info.split([' ', ',', '{']).next().unwrap_or("")
}

/// Whether `language` (a fence's language name) is highlighted, plain on
/// purpose, or unknown.
pub fn classify(language: &str) -> Language {
    if is_plain(language) {
        Language::Plain
    } else if syntax(language).is_some() {
        Language::Known
    } else {
        Language::Unknown
    }
}

/// Every fence name that is highlighted, lower case and sorted: the
/// aliases and each syntax's name and file extensions that a fence can
/// hold (one word).
pub fn language_names() -> Vec<&'static str> {
    static NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
        let mut names: BTreeSet<String> =
            ALIASES.iter().map(|(name, _)| name.to_string()).collect();
        for syntax in SETS.iter().flat_map(|set| set().syntaxes()) {
            names.extend(
                std::iter::once(&syntax.name)
                    .chain(&syntax.file_extensions)
                    .map(|name| name.to_lowercase()),
            );
        }
        names.retain(|name| fence_language(name) == name && classify(name) == Language::Known);
        names.into_iter().collect()
    });
    NAMES.iter().map(String::as_str).collect()
}

fn is_plain(language: &str) -> bool {
    language.is_empty()
        || PLAIN
            .iter()
            .any(|plain| plain.eq_ignore_ascii_case(language))
}

/// The syntax for a fence's language name, with the set it is in: an alias
/// first, then a syntax's own file extension or name (both
/// case-insensitive), each looked up in syntect's set before bat's.
fn syntax(language: &str) -> Option<(&'static SyntaxSet, &'static SyntaxReference)> {
    let alias = ALIASES
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(language))
        .map(|(_, name)| *name);
    SETS.iter().find_map(|set| {
        let set = set();
        let found = match alias {
            Some(name) => set.find_syntax_by_name(name),
            None => set.find_syntax_by_token(language),
        };
        found.map(|syntax| (set, syntax))
    })
}

/// Syntax names too long or too odd for a code block's label, and the
/// label shown instead.
const SHORT_LABELS: &[(&str, &str)] = &[
    ("Bourne Again Shell (bash)", "Shell"),
    ("JavaScript (Babel)", "JSX"),
    ("TypeScriptReact", "TSX"),
];

/// Labels of the plain-text fence names that have one; the others in
/// [`PLAIN`] are labelled as written.
const PLAIN_LABELS: &[(&str, &str)] = &[
    ("console", "Terminal"),
    ("output", "Output"),
    ("plain", "Text"),
    ("plaintext", "Text"),
    ("sh-session", "Terminal"),
    ("shell-session", "Terminal"),
    ("text", "Text"),
    ("txt", "Text"),
];

/// The label shown on a code block fenced as `language`: the display name
/// of the syntax that highlights it ("C#" for `cs`, "Python" for `py`),
/// "Text", "Terminal" or "Output" for those plain-text names, or `None`
/// (the caller shows the name as written).
pub fn label(language: &str) -> Option<&'static str> {
    if let Some((_, label)) = PLAIN_LABELS
        .iter()
        .find(|(plain, _)| plain.eq_ignore_ascii_case(language))
    {
        return Some(label);
    }
    if is_plain(language) {
        return None;
    }
    let name = syntax(language)?.1.name.as_str();
    Some(
        SHORT_LABELS
            .iter()
            .find(|(long, _)| *long == name)
            .map_or(name, |(_, short)| short),
    )
}

/// True when syntect ships a theme of this name.
pub fn has_theme(name: &str) -> bool {
    THEMES.themes.contains_key(name)
}

/// The names of the bundled themes, sorted.
pub fn theme_names() -> Vec<&'static str> {
    THEMES.themes.keys().map(String::as_str).collect()
}

/// Highlights `code` as `language` (a fence's language name), returning
/// HTML spans for the inside of a `<code>` element, or `None` when the
/// language is plain text or unknown (the caller then shows the code
/// escaped and unstyled).
pub fn highlight(code: &str, language: &str) -> Option<String> {
    if is_plain(language) {
        return None;
    }
    let (set, syntax) = syntax(language)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

/// The stylesheet for highlighted code: `light` by default and `dark` when the
/// reader prefers a dark scheme. Both names must satisfy [`has_theme`].
///
/// Code blocks take the theme's own background, and every token colour that
/// falls short of WCAG AA contrast (4.5:1) against it is darkened or lightened
/// until it passes: most bundled themes have faint comments.
pub fn stylesheet(light: &str, dark: &str) -> String {
    format!(
        "/* Code colours: {light} (light), {dark} (dark), adjusted to WCAG AA contrast.\n   Each scheme is scoped so no rule of one leaks into the other; print is light. */\n@media not (prefers-color-scheme: dark), print {{\n{}}}\n@media screen and (prefers-color-scheme: dark) {{\n{}}}\n",
        theme_css(light),
        theme_css(dark)
    )
}

fn theme_css(name: &str) -> String {
    let Some(theme) = THEMES.themes.get(name) else {
        return String::new();
    };
    let css = css_for_theme_with_class_style(theme, CLASS_STYLE).unwrap_or_default();
    let to_rgb = |c: syntect::highlighting::Color| [c.r, c.g, c.b];
    let background = theme.settings.background.map_or([255, 255, 255], to_rgb);
    let foreground = theme.settings.foreground.map_or([0, 0, 0], to_rgb);
    let mut out = format!(
        "pre.code, .prose pre.code {{ background-color: {}; color: {}; }}\n",
        hex(background),
        hex(readable(foreground, background))
    );
    for line in css.lines() {
        let trimmed = line.trim_start();
        match trimmed
            .strip_prefix("color: #")
            .and_then(|rest| parse_hex(rest.trim_end_matches(';')))
        {
            Some(colour) => {
                out.push_str(&format!(" color: {};\n", hex(readable(colour, background))));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

fn parse_hex(text: &str) -> Option<[u8; 3]> {
    let text = text.get(..6)?;
    let channel = |i: usize| u8::from_str_radix(&text[i..i + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

fn hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn luminance(rgb: [u8; 3]) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2])
}

/// WCAG contrast ratio of two colours.
pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// `colour` moved toward black (on light backgrounds) or white (on dark ones)
/// just far enough to reach 4.6:1, a hair above AA to survive rounding.
fn readable(colour: [u8; 3], background: [u8; 3]) -> [u8; 3] {
    let target = if luminance(background) > 0.5 {
        0.0
    } else {
        255.0
    };
    let mut mixed = colour;
    for step in 0..=20 {
        let share = f64::from(step) / 20.0;
        mixed = colour.map(|c| (f64::from(c) * (1.0 - share) + target * share).round() as u8);
        if contrast(mixed, background) >= 4.6 {
            break;
        }
    }
    mixed
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// `docs/languages.md` as the code makes it: every highlighted fence
    /// name, by the syntax it selects.
    fn languages_doc() -> String {
        let mut by_syntax: BTreeMap<(String, &str), Vec<&str>> = BTreeMap::new();
        for name in language_names() {
            let syntax = &super::syntax(name)
                .expect("a listed name highlights")
                .1
                .name;
            by_syntax
                .entry((syntax.to_lowercase(), syntax))
                .or_default()
                .push(name);
        }
        let mut doc = String::from(
            "# Highlighted languages\n\n\
             <!-- Written by `PROFICIO_WRITE_DOCS=1 cargo test --lib languages_md`; a test keeps it equal to the code. -->\n\n\
             Every name a fence can carry (```` ```name ````) that proficio highlights, by the\n\
             syntax it selects: GitHub's names for the common languages and each syntax's own\n\
             name and file extensions, matched without regard to case. The common names, what\n\
             is plain text on purpose and the warning for any other name are in\n\
             [content.md](content.md#code-blocks).\n\n\
             | syntax | fence names |\n|---|---|\n",
        );
        for ((_, syntax), names) in by_syntax {
            let names: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
            doc.push_str(&format!("| {syntax} | {} |\n", names.join(", ")));
        }
        doc
    }

    #[test]
    fn docs_languages_md_is_the_list_the_code_highlights() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/languages.md");
        let made = languages_doc();
        if std::env::var_os("PROFICIO_WRITE_DOCS").is_some() {
            std::fs::write(&path, &made).expect("write docs/languages.md");
        }
        let written = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            written == made,
            "docs/languages.md differs from the code: PROFICIO_WRITE_DOCS=1 cargo test --lib languages_md"
        );
    }

    /// The `| language | fence names |` table of docs/content.md, as
    /// (syntax, names) rows.
    fn documented_aliases() -> Vec<(String, Vec<String>)> {
        let content = include_str!("../../docs/content.md");
        crate::base::text::doc_table(content, "| language | fence names |")
            .into_iter()
            .map(|cells| {
                let names = cells[2]
                    .split(", ")
                    .map(|name| name.trim_matches('`').to_string())
                    .collect();
                (cells[1].clone(), names)
            })
            .collect()
    }

    #[test]
    fn the_documented_fence_names_are_exactly_the_aliases() {
        let mut documented: Vec<(String, String)> = documented_aliases()
            .into_iter()
            .flat_map(|(syntax, names)| names.into_iter().map(move |name| (name, syntax.clone())))
            .collect();
        documented.sort();
        let declared: Vec<(String, String)> = ALIASES
            .iter()
            .map(|(name, syntax)| (name.to_string(), syntax.to_string()))
            .collect();
        assert_eq!(documented, declared);
    }

    #[test]
    fn known_languages_get_classed_spans() {
        let html = highlight("let x = 1;\n", "rust").expect("rust is bundled");
        assert!(html.contains("<span class=\"hl-"), "{html}");
    }

    #[test]
    fn every_alias_names_a_syntax_and_no_plain_name() {
        for (alias, name) in ALIASES {
            assert!(
                SETS.iter()
                    .any(|set| set().find_syntax_by_name(name).is_some()),
                "{alias}: no syntax `{name}`"
            );
            assert_eq!(*alias, alias.to_lowercase());
            assert!(!is_plain(alias), "{alias} is also plain");
        }
        let names: Vec<&str> = ALIASES.iter().map(|(alias, _)| *alias).collect();
        assert!(
            names.is_sorted(),
            "ALIASES are sorted, so each appears once"
        );
        assert!(names.windows(2).all(|pair| pair[0] != pair[1]));
    }

    #[test]
    fn github_names_resolve_case_insensitively() {
        for (language, syntax) in [
            ("csharp", "C#"),
            ("CSharp", "C#"),
            ("C#", "C#"),
            ("ts", "TypeScript"),
            ("tsx", "TypeScriptReact"),
            ("jsx", "JavaScript (Babel)"),
            ("PowerShell", "PowerShell"),
            ("Dockerfile", "Dockerfile"),
            ("golang", "Go"),
        ] {
            assert_eq!(
                super::syntax(language).map(|(_, s)| s.name.as_str()),
                Some(syntax),
                "{language}"
            );
        }
    }

    #[test]
    fn plain_and_unknown_names_are_told_apart() {
        for plain in ["", "text", "TEXT", "txt", "console", "mermaid"] {
            assert_eq!(classify(plain), Language::Plain, "{plain:?}");
            assert!(highlight("x\n", plain).is_none(), "{plain:?}");
        }
        assert_eq!(classify("cshrap"), Language::Unknown);
        assert_eq!(classify("csharp"), Language::Known);
    }

    #[test]
    fn the_fence_language_is_the_info_strings_first_word() {
        for (info, language) in [
            ("ts", "ts"),
            ("ts title=\"a.ts\"", "ts"),
            ("ts{1,3}", "ts"),
            ("ts,linenos", "ts"),
            ("", ""),
        ] {
            assert_eq!(fence_language(info), language, "{info:?}");
        }
    }

    #[test]
    fn the_names_list_only_highlighted_one_word_names() {
        let names = language_names();
        for name in [
            "csharp",
            "cs",
            "ts",
            "typescript",
            "ps1",
            "dockerfile",
            "rust",
            "yaml",
        ] {
            assert!(names.contains(&name), "{name}");
        }
        for name in &names {
            assert_eq!(classify(name), Language::Known, "{name}");
            assert!(!name.contains(' '), "{name}");
        }
        assert!(!names.contains(&"text"));
    }

    #[test]
    fn unknown_languages_are_none() {
        assert!(highlight("x", "no-such-language").is_none());
    }

    #[test]
    fn stylesheet_has_both_schemes() {
        let css = stylesheet("InspiredGitHub", "base16-ocean.dark");
        assert!(css.contains(".hl-"));
        assert!(css.contains("prefers-color-scheme: dark"));
    }

    #[test]
    fn every_token_colour_reaches_aa_contrast() {
        for name in theme_names() {
            let theme = &THEMES.themes[name];
            let background = theme
                .settings
                .background
                .map_or([255, 255, 255], |c| [c.r, c.g, c.b]);
            for line in theme_css(name).lines() {
                if let Some(colour) = line.trim().strip_prefix("color: #").and_then(parse_hex) {
                    assert!(contrast(colour, background) >= 4.5, "{name}: {line}");
                }
            }
        }
    }
}
