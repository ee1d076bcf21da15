//! Syntax highlighting of fenced code with syntect. Syntaxes come from
//! syntect's bundled set and, for the languages it lacks (TypeScript,
//! PowerShell, Dockerfile and some 150 more), from the collection `two-face`
//! packages (bat's); themes are syntect's bundled ones. Each set is loaded
//! once, on first use, from its binary dump, so a site whose code is all in
//! syntect's languages never loads bat's. A fence's language is
//! looked up case-insensitively, first among GitHub's fence names
//! ([`ALIASES`]), then among the syntaxes' own names and file extensions;
//! a few names mean plain text on purpose ([`PLAIN`]). A block's label is
//! its syntax's display name ([`label`]). Each token is resolved to its
//! look in the light and in the dark theme at once, and written with one
//! short class for that pair of looks ([`CodeStyle`]); the colours live in
//! one generated stylesheet with a light and a dark variant, so pages stay
//! small (smaller than syntect's inline styles for one theme) and follow
//! the reader's colour scheme. Each distinct scope stack is resolved to its
//! looks once a build, and a line met again in the same parser state is not
//! parsed again (`parsed_lines.rs`). A block shown on many pages is
//! highlighted at most twice in a build ([`Blocks`]), and the blocks of a
//! Markdown body highlighted by an earlier build are taken from the build
//! cache when there is one ([`BodyBlocks`]).

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;
use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError, RwLock};

use syntect::highlighting::{Color, FontStyle, Highlighter, Style, Theme, ThemeSet};
use syntect::parsing::{ParseState, Scope, ScopeStack, ScopeStackOp, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use crate::base::build_cache::{BuildCache, Key};
use crate::markup::parsed_lines::ParsedLines;

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

/// One token's look in one theme: what the stylesheet sets for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Look {
    foreground: [u8; 3],
    /// `None` when it is the theme's own background.
    background: Option<[u8; 3]>,
    /// syntect's `FontStyle` bits (bold, underline, italic).
    font: u8,
}

impl Look {
    fn of(style: Style, theme_background: Color) -> Look {
        Look {
            foreground: rgb(style.foreground),
            background: (style.background != theme_background).then(|| rgb(style.background)),
            font: style.font_style.bits(),
        }
    }

    /// Whether text of only white space shows this look (a background or an
    /// underline), so cannot join its neighbours' span.
    fn shows_on_space(&self) -> bool {
        self.background.is_some() || self.font & FontStyle::UNDERLINE.bits() != 0
    }

    /// The declarations of this look in a block of `background`.
    fn css(&self, background: [u8; 3]) -> String {
        let mut css = foreground_css(self.foreground, background);
        if let Some(own) = self.background {
            css.push(' ');
            css.push_str(&background_css(own));
        }
        if self.font != 0 {
            css.push(' ');
            css.push_str(&font_css(self.font));
        }
        css
    }
}

/// A foreground moved to AA contrast against the block's background.
fn foreground_css(colour: [u8; 3], background: [u8; 3]) -> String {
    format!("color: {};", hex(readable(colour, background)))
}

fn background_css(colour: [u8; 3]) -> String {
    format!("background-color: {};", hex(colour))
}

fn font_css(font: u8) -> String {
    [
        (FontStyle::BOLD, "font-weight: bold;"),
        (FontStyle::ITALIC, "font-style: italic;"),
        (FontStyle::UNDERLINE, "text-decoration: underline;"),
    ]
    .iter()
    .filter(|(bit, _)| font & bit.bits() != 0)
    .map(|(_, declaration)| *declaration)
    .collect::<Vec<_>>()
    .join(" ")
}

/// A token's look in the light theme and in the dark one.
type Pair = (Look, Look);

/// The looks of text under `stack` in each theme.
fn resolve(light: &Highlighter, dark: &Highlighter, stack: &[Scope]) -> Pair {
    (
        Look::of(light.style_for_stack(stack), light.get_default().background),
        Look::of(dark.style_for_stack(stack), dark.get_default().background),
    )
}

/// Everything one theme's rules can give a token, each list sorted: a look
/// is one of its foregrounds, maybe one of its backgrounds and maybe one of
/// its font styles, since each rule that wins decides one of the three.
struct Palette {
    theme: &'static Theme,
    background: [u8; 3],
    foregrounds: Vec<[u8; 3]>,
    backgrounds: Vec<[u8; 3]>,
    fonts: Vec<u8>,
}

impl Palette {
    fn new(theme: &'static Theme) -> Palette {
        let background = background_of(theme);
        let rules = || theme.scopes.iter().map(|item| &item.style);
        fn sorted<T: Ord>(items: BTreeSet<T>) -> Vec<T> {
            items.into_iter().collect()
        }
        Palette {
            theme,
            background,
            foregrounds: sorted(
                rules()
                    .filter_map(|style| style.foreground)
                    .chain([theme.settings.foreground.unwrap_or(Color::BLACK)])
                    .map(rgb)
                    .collect(),
            ),
            backgrounds: sorted(
                rules()
                    .filter_map(|style| style.background.map(rgb))
                    .filter(|colour| *colour != background)
                    .collect(),
            ),
            fonts: sorted(
                rules()
                    .filter_map(|style| style.font_style.map(|font| font.bits()))
                    .filter(|font| *font != 0)
                    .collect(),
            ),
        }
    }

    /// `look`'s classes in this palette (a theme's letter after `t`):
    /// `tl3` its foreground, `tlb0` its background, `tlf1` its font style.
    fn classes(&self, look: Look, letter: char, out: &mut String) {
        let mut push = |kind: &str, index: Option<usize>| {
            if let Some(index) = index {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&format!("t{letter}{kind}{index}"));
            }
        };
        push("", self.foregrounds.binary_search(&look.foreground).ok());
        if let Some(background) = look.background {
            push("b", self.backgrounds.binary_search(&background).ok());
        }
        if look.font != 0 {
            push("f", self.fonts.binary_search(&look.font).ok());
        }
    }

    /// The rules of this palette's classes, for its scheme.
    fn css(&self, letter: char) -> String {
        let mut out = String::new();
        for (i, colour) in self.foregrounds.iter().enumerate() {
            let css = foreground_css(*colour, self.background);
            out.push_str(&format!("code .t{letter}{i} {{ {css} }}\n"));
        }
        for (i, colour) in self.backgrounds.iter().enumerate() {
            let css = background_css(*colour);
            out.push_str(&format!("code .t{letter}b{i} {{ {css} }}\n"));
        }
        for (i, font) in self.fonts.iter().enumerate() {
            let css = font_css(*font);
            out.push_str(&format!("code .t{letter}f{i} {{ {css} }}\n"));
        }
        out
    }
}

/// Code colours for one light and one dark theme. Each pair of looks a
/// theme rule gives on its own (a keyword, a string, a comment) has one
/// short class (`t1`, `t2`…), numbered in the order of the looks
/// themselves; a token whose looks come from rules meeting (a quote inside
/// a string) has a class for each part of each look instead (`tl3 td7`).
/// Either way a block's markup depends only on its code, its language and
/// the two themes, never on which page or thread highlighted it first.
pub struct CodeStyle {
    light: Palette,
    dark: Palette,
    /// Each theme's rules sorted for matching, made once rather than per
    /// block.
    for_light: Highlighter<'static>,
    for_dark: Highlighter<'static>,
    light_name: String,
    dark_name: String,
    /// Class number of each pair; the themes' plain text (both defaults) is
    /// 0 and left without a span.
    classes: ahash::AHashMap<Pair, usize>,
    pairs: Vec<Pair>,
    /// The looks of each scope stack met so far. Resolving a stack matches
    /// every rule of both themes against it, while a build meets a few
    /// hundred distinct stacks millions of times.
    stack_looks: RwLock<ahash::AHashMap<Vec<Scope>, Pair>>,
}

impl std::fmt::Debug for CodeStyle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CodeStyle({} / {})", self.light_name, self.dark_name)
    }
}

impl Default for CodeStyle {
    fn default() -> CodeStyle {
        CodeStyle::new(DEFAULT_LIGHT, DEFAULT_DARK)
    }
}

/// The light theme a site highlights with unless it names another.
pub const DEFAULT_LIGHT: &str = "InspiredGitHub";
/// The dark theme a site highlights with unless it names another.
pub const DEFAULT_DARK: &str = "base16-ocean.dark";

impl CodeStyle {
    /// The colours of `light` and `dark`, bundled theme names (an unknown
    /// name, which the configuration refuses, falls back to the default).
    pub fn new(light: &str, dark: &str) -> CodeStyle {
        let theme = |name: &str, fallback: &str| {
            THEMES
                .themes
                .get(name)
                .or_else(|| THEMES.themes.get(fallback))
                .expect("syntect bundles the default themes")
        };
        let (light_theme, dark_theme) = (theme(light, DEFAULT_LIGHT), theme(dark, DEFAULT_DARK));
        let (for_light, for_dark) = (Highlighter::new(light_theme), Highlighter::new(dark_theme));
        let pair_for = |stack: &[Scope]| resolve(&for_light, &for_dark, stack);
        let plain = pair_for(&[]);
        let mut found: BTreeSet<Pair> = [light_theme, dark_theme]
            .iter()
            .flat_map(|theme| &theme.scopes)
            .flat_map(|item| &item.scope.selectors)
            .map(|selector| pair_for(selector.path.as_slice()))
            .collect();
        found.remove(&plain);
        let pairs: Vec<Pair> = std::iter::once(plain).chain(found).collect();
        let classes = pairs
            .iter()
            .enumerate()
            .map(|(i, pair)| (*pair, i))
            .collect();
        CodeStyle {
            light: Palette::new(light_theme),
            dark: Palette::new(dark_theme),
            for_light,
            for_dark,
            light_name: light.to_string(),
            dark_name: dark.to_string(),
            classes,
            pairs,
            stack_looks: RwLock::default(),
        }
    }

    /// Highlights `code` as `language` (a fence's language name), returning
    /// HTML spans for the inside of a `<code>` element, or `None` when the
    /// language is plain text or unknown (the caller then shows the code
    /// escaped and unstyled).
    pub fn highlight(&self, code: &str, language: &str) -> Option<String> {
        self.highlight_with(code, language, &ParsedLines::default())
    }

    /// [`CodeStyle::highlight`], taking the lines `lines` has parsed before.
    fn highlight_with(&self, code: &str, language: &str, lines: &ParsedLines) -> Option<String> {
        if is_plain(language) {
            return None;
        }
        let (set, syntax) = syntax(language)?;
        let mut parser = ParseState::new(syntax);
        let mut stack = ScopeStack::new();
        let mut out = Markup::with_capacity(code.len() * 2);
        for line in LinesWithEndings::from(code) {
            let ops = lines.parse(set, &mut parser, line)?;
            // Each operation applies at a byte offset; the text before it
            // has the looks of the stack as it was.
            let mut start = 0;
            for (at, op) in ops
                .iter()
                .map(|(at, op)| (*at, op))
                .chain([(line.len(), &ScopeStackOp::Noop)])
            {
                if at > start {
                    self.write_token(&line[start..at], stack.as_slice(), &mut out);
                    start = at;
                }
                stack.apply(op).ok()?;
            }
        }
        Some(out.finish())
    }

    fn write_token(&self, text: &str, stack: &[Scope], out: &mut Markup) {
        let pair = self.looks_of(stack);
        // White space shows no colour, so it waits to join the span of the
        // token after it if that span is the one open.
        let invisible =
            text.trim().is_empty() && !pair.0.shows_on_space() && !pair.1.shows_on_space();
        if invisible {
            out.space(text);
        } else {
            out.token(pair, text, |html| self.open_span(pair, html));
        }
    }

    /// The looks of text under `stack` in the light and the dark theme.
    fn looks_of(&self, stack: &[Scope]) -> Pair {
        let known = self
            .stack_looks
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(stack)
            .copied();
        known.unwrap_or_else(|| {
            let pair = resolve(&self.for_light, &self.for_dark, stack);
            self.stack_looks
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(stack.to_vec(), pair);
            pair
        })
    }

    /// Writes the opening tag of `pair`'s span, or nothing for plain text.
    fn open_span(&self, (light, dark): Pair, html: &mut String) {
        match self.classes.get(&(light, dark)) {
            Some(0) => {}
            Some(class) => {
                // Written in place: this runs for most tokens.
                let _ = write!(html, "<span class=\"t{class}\">");
            }
            None => {
                let mut classes = String::new();
                self.light.classes(light, 'l', &mut classes);
                self.dark.classes(dark, 'd', &mut classes);
                let _ = write!(html, "<span class=\"{classes}\">");
            }
        }
    }

    /// The stylesheet for highlighted code: the light theme by default and the
    /// dark one when the reader prefers a dark scheme.
    ///
    /// Code blocks take the theme's own background, and every token colour
    /// that falls short of WCAG AA contrast (4.5:1) against it is darkened or
    /// lightened until it passes: most bundled themes have faint comments.
    pub fn stylesheet(&self) -> String {
        format!(
            "/* Code colours: {} (light), {} (dark), adjusted to WCAG AA contrast.\n   Each scheme is scoped so no rule of one leaks into the other; print is light. */\n@media not (prefers-color-scheme: dark), print {{\n{}}}\n@media screen and (prefers-color-scheme: dark) {{\n{}}}\n",
            self.light_name,
            self.dark_name,
            self.scheme_css(&self.light, |pair| pair.0, 'l'),
            self.scheme_css(&self.dark, |pair| pair.1, 'd'),
        )
    }

    fn scheme_css(&self, palette: &Palette, look: impl Fn(&Pair) -> Look, letter: char) -> String {
        let background = palette.background;
        let foreground = palette.theme.settings.foreground.map_or([0, 0, 0], rgb);
        let mut out = format!(
            "pre.code, .prose pre.code {{ background-color: {}; color: {}; }}\n",
            hex(background),
            hex(readable(foreground, background))
        );
        for (class, pair) in self.pairs.iter().enumerate().skip(1) {
            out.push_str(&format!(
                "code .t{class} {{ {} }}\n",
                look(pair).css(background)
            ));
        }
        out.push_str(&palette.css(letter));
        out
    }
}

/// Highlighted blocks of one build: a (language, code) pair shown on many
/// pages is highlighted at most twice, from any thread. A block is kept
/// from its second sighting on, not its first: most blocks appear once,
/// and keeping every one would hold the whole site's code in memory.
/// With a build cache, the blocks of a Markdown body are read from it
/// before they are highlighted, and written to it after ([`BodyBlocks`]).
#[derive(Debug, Default)]
pub struct Blocks {
    style: CodeStyle,
    /// By a hash of the language and the code.
    seen: Mutex<HashMap<u128, Seen>>,
    /// Lines many blocks share, parsed once.
    lines: ParsedLines,
    cache: Option<Arc<BuildCache>>,
}

impl Blocks {
    /// Blocks highlighted with `style`'s themes.
    pub fn new(style: CodeStyle) -> Blocks {
        Blocks::with_cache(style, None)
    }

    /// Blocks highlighted with `style`'s themes, taken from and kept in
    /// `cache` when there is one.
    pub fn with_cache(style: CodeStyle, cache: Option<Arc<BuildCache>>) -> Blocks {
        Blocks {
            style,
            seen: Mutex::default(),
            lines: ParsedLines::default(),
            cache,
        }
    }

    /// The colours blocks are highlighted with.
    pub fn style(&self) -> &CodeStyle {
        &self.style
    }

    /// [`CodeStyle::highlight`], kept for a block seen before.
    pub fn highlight(&self, code: &str, language: &str) -> Option<Arc<str>> {
        let key = block_key(code, language);
        let kept = {
            // A poisoned lock only means another thread panicked while
            // inserting: the map itself is whole.
            let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
            match seen.get(&key) {
                None => {
                    seen.insert(key, Seen::Once);
                    None
                }
                Some(Seen::Once) => {
                    let cell = Arc::new(Cell::new());
                    seen.insert(key, Seen::Kept(cell.clone()));
                    Some(cell)
                }
                Some(Seen::Kept(cell)) => Some(cell.clone()),
            }
        };
        let highlight = || {
            self.style
                .highlight_with(code, language, &self.lines)
                .map(Arc::from)
        };
        match kept {
            // The cell is filled by the first thread to ask; the others
            // wait for it.
            Some(cell) => cell.get_or_init(highlight).clone(),
            None => highlight(),
        }
    }

    /// The blocks of the body whose Markdown is `markdown`.
    pub fn for_body(&self, markdown: &str) -> BodyBlocks<'_> {
        let key = self.cache.as_ref().map(|_| {
            Key::new(
                "highlighted code of a Markdown body",
                &[
                    self.style.light_name.as_bytes(),
                    self.style.dark_name.as_bytes(),
                    markdown.as_bytes(),
                ],
            )
        });
        BodyBlocks {
            blocks: self,
            key,
            found: None,
            shown: Vec::new(),
            missed: false,
        }
    }
}

/// The highlighted blocks of one Markdown body, in the order it shows them.
/// With a build cache they are one entry, keyed by the body's Markdown (the
/// blocks it holds) and both themes: a body's blocks are a few kilobytes,
/// so one file for them all fills a file-system block about as well as it
/// can, where a file per block would take twice the space on disk. Each
/// block in the entry carries a hash of its language and code, so a block
/// that does not match is highlighted rather than taken.
pub struct BodyBlocks<'a> {
    blocks: &'a Blocks,
    /// The entry's key, with a cache.
    key: Option<Key>,
    /// What the entry held, read at the first block.
    found: Option<Vec<(BlockId, Arc<str>)>>,
    /// Every highlighted block so far.
    shown: Vec<(BlockId, Arc<str>)>,
    /// Whether a block was not in the entry, so it is written anew.
    missed: bool,
}

/// A stable hash of a block's language and code, for telling an entry's
/// blocks apart (an in-run hash may differ between machines).
type BlockId = [u8; 8];

impl BodyBlocks<'_> {
    /// [`Blocks::highlight`] for the body's next block, taken from the
    /// cache's entry when it holds it.
    pub fn highlight(&mut self, code: &str, language: &str) -> Option<Arc<str>> {
        let (Some(key), Some(cache)) = (&self.key, &self.blocks.cache) else {
            return self.blocks.highlight(code, language);
        };
        if is_plain(language) || syntax(language).is_none() {
            return None;
        }
        let id = block_id(code, language);
        let found = self.found.get_or_insert_with(|| {
            cache
                .get(key)
                .and_then(|entry| decode(&entry))
                .unwrap_or_default()
        });
        let html = match found.get(self.shown.len()) {
            Some((kept, html)) if *kept == id => html.clone(),
            _ => {
                self.missed = true;
                self.blocks.highlight(code, language)?
            }
        };
        self.shown.push((id, html.clone()));
        Some(html)
    }

    /// Writes the body's entry when a block was not in it.
    pub fn finish(self) {
        if let (Some(key), Some(cache), true) = (&self.key, &self.blocks.cache, self.missed)
            && let Some(entry) = encode(&self.shown)
        {
            cache.put(key, &entry);
        }
    }
}

fn block_id(code: &str, language: &str) -> BlockId {
    let hash = Key::new("code block", &[language.as_bytes(), code.as_bytes()]);
    let mut id = [0; 8];
    id.copy_from_slice(&hash.as_bytes()[..8]);
    id
}

/// An entry's bytes: each block's id, its HTML's length (4 bytes) and HTML;
/// `None` for a block too large to say its length so.
fn encode(blocks: &[(BlockId, Arc<str>)]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(blocks.iter().map(|(_, html)| 12 + html.len()).sum());
    for (id, html) in blocks {
        out.extend_from_slice(id);
        out.extend_from_slice(&u32::try_from(html.len()).ok()?.to_le_bytes());
        out.extend_from_slice(html.as_bytes());
    }
    Some(out)
}

/// The blocks of an entry, or `None` if it is not one [`encode`] wrote.
fn decode(mut bytes: &[u8]) -> Option<Vec<(BlockId, Arc<str>)>> {
    let mut blocks = Vec::new();
    while !bytes.is_empty() {
        let (id, rest) = bytes.split_first_chunk::<8>()?;
        let (len, rest) = rest.split_first_chunk::<4>()?;
        let len = u32::from_le_bytes(*len) as usize;
        let html = std::str::from_utf8(rest.get(..len)?).ok()?;
        blocks.push((*id, Arc::from(html)));
        bytes = &rest[len..];
    }
    Some(blocks)
}

/// A block's HTML once highlighted (`None` for a language nothing
/// highlights).
type Cell = OnceLock<Option<Arc<str>>>;

/// What a build remembers of a block.
#[derive(Debug)]
enum Seen {
    /// Highlighted once, not kept.
    Once,
    /// Seen again: highlighted once more and kept.
    Kept(Arc<Cell>),
}

/// A 128-bit hash of a block, for telling blocks apart within one run.
fn block_key(code: &str, language: &str) -> u128 {
    let half = |seed: u64| {
        let state = ahash::RandomState::with_seeds(seed, 1, 2, 3);
        state.hash_one((language, code))
    };
    (u128::from(half(0x5eed)) << 64) | u128::from(half(0xc0de))
}

/// Highlighted HTML being written: neighbouring tokens of the same looks
/// share one span.
struct Markup {
    html: String,
    /// The looks of the open span, if one is open.
    open: Option<Pair>,
    /// White space after the open span's last token, not yet written.
    space: String,
}

impl Markup {
    fn with_capacity(capacity: usize) -> Markup {
        Markup {
            html: String::with_capacity(capacity),
            open: None,
            space: String::new(),
        }
    }

    fn space(&mut self, text: &str) {
        self.space.push_str(text);
    }

    /// Writes `text` of `pair`'s looks: in the open span if it has them,
    /// else after ending it, in a span whose opening tag `open` writes.
    fn token(&mut self, pair: Pair, text: &str, open: impl FnOnce(&mut String)) {
        if self.open != Some(pair) {
            self.close();
            let before = self.html.len();
            open(&mut self.html);
            self.open = (self.html.len() > before).then_some(pair);
        }
        self.html.push_str(&self.space);
        self.space.clear();
        for c in text.chars() {
            match c {
                '&' => self.html.push_str("&amp;"),
                '<' => self.html.push_str("&lt;"),
                '>' => self.html.push_str("&gt;"),
                c => self.html.push(c),
            }
        }
    }

    /// Ends the open span; the white space after it follows outside.
    fn close(&mut self) {
        if self.open.take().is_some() {
            self.html.push_str("</span>");
        }
        self.html.push_str(&self.space);
        self.space.clear();
    }

    fn finish(mut self) -> String {
        self.close();
        self.html
    }
}

fn rgb(colour: Color) -> [u8; 3] {
    [colour.r, colour.g, colour.b]
}

/// The background of a theme's code blocks.
fn background_of(theme: &Theme) -> [u8; 3] {
    theme.settings.background.map_or([255, 255, 255], rgb)
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

    fn parse_hex(text: &str) -> Option<[u8; 3]> {
        let text = text.get(..6)?;
        let channel = |i: usize| u8::from_str_radix(&text[i..i + 2], 16).ok();
        Some([channel(0)?, channel(2)?, channel(4)?])
    }

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

    fn highlight(code: &str, language: &str) -> Option<String> {
        CodeStyle::default().highlight(code, language)
    }

    #[test]
    fn known_languages_get_short_classed_spans() {
        let html = highlight("let x = 1;\n", "rust").expect("rust is bundled");
        assert!(html.starts_with("<span class=\"t"), "{html}");
        assert!(!html.contains("style="), "{html}");
    }

    /// The declarations `stylesheet` gives each class in one scheme.
    fn rules(stylesheet: &str, dark: bool) -> HashMap<String, Vec<String>> {
        let scheme = stylesheet
            .split("@media")
            .nth(if dark { 2 } else { 1 })
            .expect("two schemes");
        let mut rules = HashMap::new();
        for line in scheme.lines() {
            if let Some(rule) = line.strip_prefix("code .")
                && let Some((class, body)) = rule.split_once(" { ")
            {
                rules.insert(class.to_string(), declarations(body.trim_end_matches(" }")));
            }
        }
        rules
    }

    /// Each visible character of highlighted `html` with the colour and font
    /// declarations its span's classes get in one scheme (none outside spans),
    /// leaving out the classes only the `other` scheme styles; text outside
    /// spans has the `plain` declarations of the block.
    fn styled_chars(
        html: &str,
        rules: &HashMap<String, Vec<String>>,
        other: &str,
        plain: &Vec<String>,
    ) -> Vec<(char, Vec<String>)> {
        let mut out = Vec::new();
        let mut current: Vec<String> = Vec::new();
        let mut rest = html;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("<span class=\"") {
                let end = after.find("\">").expect("a closed tag");
                current = after[..end]
                    .split(' ')
                    .filter(|class| !class.starts_with(other))
                    .flat_map(|class| {
                        rules
                            .get(class)
                            .unwrap_or_else(|| panic!("no rule .{class}"))
                            .clone()
                    })
                    .collect();
                current.sort();
                rest = &after[end + 2..];
            } else if let Some(after) = rest.strip_prefix("</span>") {
                current.clear();
                rest = after;
            } else {
                let (c, len) = [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>')]
                    .iter()
                    .find(|(entity, _)| rest.starts_with(entity))
                    .map_or_else(
                        || {
                            let c = rest.chars().next().expect("not empty");
                            (c, c.len_utf8())
                        },
                        |(entity, c)| (*c, entity.len()),
                    );
                if !c.is_whitespace() {
                    let declarations = if current.is_empty() { plain } else { &current };
                    out.push((c, declarations.clone()));
                }
                rest = &rest[len..];
            }
        }
        out
    }

    /// `color: #…; font-weight: bold;` as sorted declarations.
    fn declarations(css: &str) -> Vec<String> {
        let mut declarations: Vec<String> = css
            .split(';')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string)
            .collect();
        declarations.sort();
        declarations
    }

    /// What syntect's own inline rendering gives each visible character in
    /// `theme`, as declarations.
    fn syntect_chars(code: &str, language: &str, theme: &str) -> Vec<(char, Vec<String>)> {
        let theme = &THEMES.themes[theme];
        let (set, syntax) = super::syntax(language).expect("a syntax");
        let mut lines = syntect::easy::HighlightLines::new(syntax, theme);
        let plain = Highlighter::new(theme).get_default().background;
        let background = background_of(theme);
        let mut out = Vec::new();
        for line in LinesWithEndings::from(code) {
            for (style, text) in lines.highlight_line(line, set).expect("highlights") {
                let look = Look::of(style, plain);
                let declarations = declarations(&look.css(background));
                out.extend(
                    text.chars()
                        .filter(|c| !c.is_whitespace())
                        .map(|c| (c, declarations.clone())),
                );
            }
        }
        out
    }

    #[test]
    fn every_character_gets_the_colours_syntect_gives_it_in_both_themes() {
        let samples = [
            (
                "python",
                "import json\n\n@dataclass\nclass Check:\n    \"\"\"Gate.\"\"\"\n    threshold: float = 0.5\n\n    def evaluate(self, xs: list[dict]) -> bool:\n        ok = [x for x in xs if x.get(\"score\", 0) >= self.threshold]  # keep\n        print(json.dumps({\"a\": round(len(ok) / 3, 3)}))\n        return f\"{ok}\" != '<b>' and 1 & 2\n",
            ),
            (
                "yaml",
                "apiVersion: apps/v1\nmetadata:\n  name: x # a comment\n  limits: {cpu: \"250m\", memory: '1Gi'}\n  list:\n    - &anchor 12\n    - *anchor\n",
            ),
            (
                "cs",
                "public interface IGreeter { string Greet(); } // done\n",
            ),
            ("diff", "--- a\n+++ b\n-old\n+new\n"),
            ("html", "<p class=\"x\">a &amp; b</p>\n"),
        ];
        for (light, dark) in [
            (DEFAULT_LIGHT, DEFAULT_DARK),
            ("Solarized (light)", "Solarized (dark)"),
            ("base16-ocean.light", "base16-mocha.dark"),
        ] {
            let style = CodeStyle::new(light, dark);
            for (language, code) in samples {
                let html = style.highlight(code, language).expect("highlighted");
                assert_colours_are_syntects(&style, &html, code, language);
            }
        }
    }

    /// Checks that every character of `html` shows the colours syntect gives
    /// it, on its own, in each of `style`'s themes.
    fn assert_colours_are_syntects(style: &CodeStyle, html: &str, code: &str, language: &str) {
        let css = style.stylesheet();
        for (scheme, theme, is_dark, other) in [
            ("light", &style.light_name, false, "td"),
            ("dark", &style.dark_name, true, "tl"),
        ] {
            let palette = Palette::new(&THEMES.themes[theme.as_str()]);
            let foreground = palette.theme.settings.foreground.unwrap_or(Color::BLACK);
            let plain = declarations(&foreground_css(rgb(foreground), palette.background));
            assert_eq!(
                styled_chars(html, &rules(&css, is_dark), other, &plain),
                syntect_chars(code, language, theme),
                "{language} in {theme} ({scheme}):\n{html}"
            );
        }
    }

    #[test]
    fn a_line_parsed_before_is_reused_only_where_the_parser_is_in_the_same_state() {
        // `x = 1` as code, inside a docstring, inside a heredoc; a heredoc's
        // end marker is a back-reference the parser keeps as captures.
        let samples = [
            ("python", "x = 1\n\"\"\"\nx = 1\n\"\"\"\nx = 1\n"),
            (
                "python",
                "def f():\n    \"\"\"\nx = 1\n    \"\"\"\n    return x = 1\n",
            ),
            ("python", "x = 1\nx = 1\n\"\"\"\n"),
            ("bash", "cat <<EOF\nx = 1\nEOF\nx = 1\n"),
            ("bash", "cat <<END\nEOF\nx = 1\nEND\nEOF\nx = 1\n"),
        ];
        let blocks = Blocks::new(CodeStyle::default());
        // Twice over, so the second round meets every line kept.
        for (language, code) in samples.iter().chain(&samples) {
            let html = blocks.highlight(code, language).expect("highlighted");
            assert_colours_are_syntects(blocks.style(), &html, code, language);
        }
    }

    #[test]
    fn a_block_seen_again_is_kept_and_the_same() {
        let blocks = Blocks::default();
        let code = "x = 1\n";
        let first = blocks.highlight(code, "python").expect("python");
        let second = blocks.highlight(code, "python").expect("python");
        let third = blocks.highlight(code, "python").expect("python");
        assert_eq!(first, second);
        assert!(!Arc::ptr_eq(&first, &second), "not kept on first sight");
        assert!(Arc::ptr_eq(&second, &third), "kept from the second");
        assert_eq!(
            blocks.highlight(code, "yaml"),
            blocks.highlight(code, "yaml")
        );
        assert_ne!(blocks.highlight(code, "yaml"), Some(first));
    }

    #[test]
    fn a_bodys_blocks_are_one_entry_and_a_wrong_one_is_highlighted_anew() {
        use crate::base::build_cache::{Access, BuildCache};
        use crate::base::remarks::Remarks;

        let temp = tempfile::tempdir().expect("temp dir");
        let open = || {
            BuildCache::open(temp.path(), "cache", Access::ReadWrite, &Remarks::default())
                .expect("not refused")
                .map(Arc::new)
        };
        let markdown = "```python\nx = 1\n```\n\n```text\nplain\n```\n\n```yaml\na: 1\n```\n";
        let body = |blocks: &Blocks| {
            let mut body = blocks.for_body(markdown);
            let html = [
                body.highlight("x = 1\n", "python"),
                body.highlight("plain\n", "text"),
                body.highlight("a: 1\n", "yaml"),
            ];
            body.finish();
            html
        };
        let expected = body(&Blocks::default());
        let cold = Blocks::with_cache(CodeStyle::default(), open());
        assert_eq!(body(&cold), expected);
        let entry = |blocks: &Blocks| blocks.cache.as_ref().map(|cache| cache.stats());
        assert_eq!(entry(&cold).map(|s| (s.hits, s.misses)), Some((0, 1)));

        let warm = Blocks::with_cache(CodeStyle::default(), open());
        assert_eq!(body(&warm), expected);
        assert_eq!(entry(&warm).map(|s| (s.hits, s.written)), Some((1, 0)));

        // An entry holding other blocks (as a bug or a stray file might) is
        // not taken for these: they are highlighted and the entry rewritten.
        let key = warm.for_body(markdown).key.expect("a key");
        let other = encode(&[(block_id("y = 2\n", "python"), Arc::from("<b>no</b>"))]);
        warm.cache
            .as_ref()
            .expect("a cache")
            .put(&key, &other.expect("encodes"));
        let again = Blocks::with_cache(CodeStyle::default(), open());
        assert_eq!(body(&again), expected);
        assert!(entry(&again).is_some_and(|s| s.written > 0));
        assert_eq!(decode(b"short"), None);
    }

    #[test]
    fn classes_depend_on_the_block_alone() {
        let code = "def f(x):\n    return \"x\" # y\n";
        let first = highlight(code, "python");
        let style = CodeStyle::default();
        style.highlight("other = [1, 'two']\n", "python");
        assert_eq!(style.highlight(code, "python"), first);
    }

    #[test]
    fn neighbouring_tokens_of_one_look_share_a_span_and_code_is_escaped() {
        let html = highlight("x = \"<a> & b\"\n", "python").expect("python");
        assert!(html.contains("&lt;a&gt; &amp; b"), "{html}");
        assert_eq!(
            html.matches("<span").count(),
            html.matches("</span>").count()
        );
        let spans: Vec<&str> = html.split("<span class=\"").skip(1).collect();
        for pair in spans.windows(2) {
            let class = |span: &str| span.split('"').next().unwrap_or_default().to_string();
            assert!(
                !(pair[0].ends_with("</span>") && class(pair[0]) == class(pair[1])),
                "two neighbouring spans of one class in {html}"
            );
        }
        // A name is the themes' plain text: no span.
        assert!(html.starts_with("x <span"), "{html}");
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
        let css = CodeStyle::default().stylesheet();
        assert!(css.contains("code .t1 {"), "{css}");
        assert!(css.contains("prefers-color-scheme: dark"), "{css}");
        assert!(rules(&css, false).contains_key("tl0"), "{css}");
        assert!(rules(&css, true).contains_key("td0"), "{css}");
    }

    #[test]
    fn every_token_colour_reaches_aa_contrast() {
        for name in theme_names() {
            let theme = &THEMES.themes[name];
            let background = theme
                .settings
                .background
                .map_or([255, 255, 255], |c| [c.r, c.g, c.b]);
            let css = CodeStyle::new(name, name).stylesheet();
            let light = css.split("@media").nth(1).unwrap_or_default();
            let mut colours = 0;
            for declaration in light.split(';') {
                let declaration = declaration.rsplit('{').next().unwrap_or_default().trim();
                if let Some(colour) = declaration.strip_prefix("color: #").and_then(parse_hex) {
                    assert!(contrast(colour, background) >= 4.5, "{name}: {declaration}");
                    colours += 1;
                }
            }
            assert!(colours > 2, "{name}: {light}");
        }
    }
}
