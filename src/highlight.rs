//! Syntax highlighting of fenced code with syntect. Syntaxes and themes are
//! loaded once, on first use, from syntect's bundled binary dumps; code is
//! marked up with CSS classes (prefixed `hl-`) and the colours live in one
//! generated stylesheet with a light and a dark variant, so pages stay small
//! and follow the reader's colour scheme.

use std::sync::LazyLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);
static THEMES: LazyLock<ThemeSet> = LazyLock::new(ThemeSet::load_defaults);

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// True when syntect ships a theme of this name.
pub fn has_theme(name: &str) -> bool {
    THEMES.themes.contains_key(name)
}

/// The names of the bundled themes, sorted.
pub fn theme_names() -> Vec<&'static str> {
    THEMES.themes.keys().map(String::as_str).collect()
}

/// Highlights `code` as `language`, returning HTML spans for the inside of a
/// `<code>` element, or `None` when the language is unknown (the caller then
/// shows the code escaped and unstyled).
pub fn highlight(code: &str, language: &str) -> Option<String> {
    let syntax = SYNTAXES.find_syntax_by_token(language)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

/// The stylesheet for highlighted code: `light` by default and `dark` when the
/// reader prefers a dark scheme. Both names must satisfy [`has_theme`].
pub fn stylesheet(light: &str, dark: &str) -> String {
    let css = |name: &str| {
        THEMES
            .themes
            .get(name)
            .and_then(|theme| css_for_theme_with_class_style(theme, CLASS_STYLE).ok())
            .unwrap_or_default()
    };
    format!(
        "/* Code colours: {light} (light), {dark} (dark). */\n{}\n@media (prefers-color-scheme: dark) {{\n{}}}\n",
        css(light),
        css(dark)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classed_spans() {
        let html = highlight("let x = 1;\n", "rust").expect("rust is bundled");
        assert!(html.contains("<span class=\"hl-"), "{html}");
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
}
