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
