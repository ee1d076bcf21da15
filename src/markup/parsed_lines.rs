//! Lines of code parsed earlier in a build, for the lines many blocks share
//! (an import, a closing brace, a manifest's `apiVersion: apps/v1`).
//! syntect's parse of a line depends only on the parser's state before it
//! and the line's text, so a line met again in an equal state takes the
//! scope operations and the state after it from the first parse: the
//! result is the same by construction, not by approximation. A line is kept
//! from its second sighting on, as blocks are, since most lines of most
//! sites appear once; and a line is kept in a few states at most. The
//! states themselves are kept once each: a language's lines start and end
//! in a handful of them. At most [`KEPT_LINES`] lines are kept, so a site
//! with a great deal of recurring code holds tens of megabytes at most.

use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use ahash::{AHashMap, AHashSet, RandomState};
use syntect::parsing::{ParseState, ScopeStackOp, SyntaxSet};

/// How many parser states one line's text is kept in: a blank line inside
/// strings, comments and code is several lines to the parser, but not
/// hundreds.
const STATES_PER_LINE: usize = 8;
/// How many distinct parser states are shared between kept lines; a state
/// past them is kept with its line alone.
const SHARED_STATES: usize = 512;

/// How many lines a build keeps: a kept line holds its text, its scope
/// operations (32 bytes each, a few dozen a line) and two shared states,
/// so the limit bounds them to tens of megabytes.
pub const KEPT_LINES: usize = 16_384;

/// The scope operations of one line, by byte offset.
pub type Ops = [(usize, ScopeStackOp)];

/// The shared lines of one build.
pub struct ParsedLines {
    hasher: RandomState,
    /// Hashes of every line met once.
    seen: Mutex<AHashSet<u64>>,
    kept: RwLock<Kept>,
    /// How many lines may be kept.
    limit: usize,
}

impl Default for ParsedLines {
    fn default() -> ParsedLines {
        ParsedLines::keeping_at_most(KEPT_LINES)
    }
}

#[derive(Default)]
struct Kept {
    /// The lines met more than once, by hash.
    lines: AHashMap<u64, Vec<Arc<ParsedLine>>>,
    /// How many lines `lines` holds, in all their states.
    count: usize,
    /// The states those lines start and end in.
    states: Vec<Arc<SharedState>>,
}

impl Kept {
    /// `state` as kept already, or kept from now on.
    fn share(&mut self, state: ParseState) -> Arc<SharedState> {
        if let Some(kept) = self.states.iter().find(|kept| kept.0 == state) {
            return kept.clone();
        }
        let state = Arc::new(SharedState(state));
        if self.states.len() < SHARED_STATES {
            self.states.push(state.clone());
        }
        state
    }
}

impl std::fmt::Debug for ParsedLines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kept = self.kept.read().unwrap_or_else(PoisonError::into_inner);
        write!(f, "ParsedLines({} kept)", kept.lines.len())
    }
}

/// A line's text, the state it was parsed in, and what the parse gave.
pub struct ParsedLine {
    set: &'static SyntaxSet,
    text: Box<str>,
    before: Arc<SharedState>,
    ops: Box<Ops>,
    after: Arc<SharedState>,
}

/// A parser state kept for the build, read from every thread.
struct SharedState(ParseState);

// SAFETY: a `ParseState` is owned data (context ids and vectors); the one
// part the compiler cannot see through is onig's `Region`, the capture
// positions a state keeps for a back-reference (a heredoc's end marker): a
// C struct owning two malloc'd arrays, with no tie to the thread that made
// it. A kept state is never changed after it is made; other threads only
// compare and clone it, which reads the arrays (onig_region_copy copies
// from its source without writing it), and it is freed once, by the last
// `Arc`. (`Region` compares by its pointers, so a state holding captures
// never equals another one: such lines are parsed every time.)
unsafe impl Send for SharedState {}
unsafe impl Sync for SharedState {}

/// One line's operations: kept for the build, or parsed just now.
pub enum LineOps {
    /// A line met before, or kept from now on.
    Kept(Arc<ParsedLine>),
    /// A line met for the first time.
    Parsed(Vec<(usize, ScopeStackOp)>),
}

impl Deref for LineOps {
    type Target = Ops;
    fn deref(&self) -> &Ops {
        match self {
            LineOps::Kept(line) => &line.ops,
            LineOps::Parsed(ops) => ops,
        }
    }
}

impl ParsedLines {
    /// Lines of a build that keeps at most `limit` of them.
    pub fn keeping_at_most(limit: usize) -> ParsedLines {
        ParsedLines {
            hasher: RandomState::new(),
            seen: Mutex::default(),
            kept: RwLock::default(),
            limit,
        }
    }

    /// Parses `line` with `parser` (moving it to the state after the line),
    /// or takes a kept parse of the same text from the same state; `None`
    /// when syntect fails on it.
    pub fn parse(
        &self,
        set: &'static SyntaxSet,
        parser: &mut ParseState,
        line: &str,
    ) -> Option<LineOps> {
        let key = self
            .hasher
            .hash_one((std::ptr::from_ref(set) as usize, line));
        if let Some(kept) = self.find(key, set, parser, line) {
            parser.clone_from(&kept.after.0);
            return Some(LineOps::Kept(kept));
        }
        let first_sighting = self
            .seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key);
        let full = || {
            self.kept
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .count
                >= self.limit
        };
        if first_sighting || full() {
            return parser.parse_line(line, set).ok().map(LineOps::Parsed);
        }
        let before = parser.clone();
        let ops = parser.parse_line(line, set).ok()?;
        let mut kept = self.kept.write().unwrap_or_else(PoisonError::into_inner);
        let parsed = Arc::new(ParsedLine {
            set,
            text: line.into(),
            before: kept.share(before),
            // Trimmed to its length: a kept line lives for the build.
            ops: ops.into_boxed_slice(),
            after: kept.share(parser.clone()),
        });
        let states = kept.lines.entry(key).or_default();
        if states.len() < STATES_PER_LINE {
            states.push(parsed.clone());
            kept.count += 1;
        }
        Some(LineOps::Kept(parsed))
    }

    fn find(
        &self,
        key: u64,
        set: &'static SyntaxSet,
        parser: &ParseState,
        line: &str,
    ) -> Option<Arc<ParsedLine>> {
        let kept = self.kept.read().unwrap_or_else(PoisonError::into_inner);
        kept.lines
            .get(&key)?
            .iter()
            .find(|kept| {
                std::ptr::eq(kept.set, set) && *kept.text == *line && kept.before.0 == *parser
            })
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use super::*;

    static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

    /// Parses `lines` as Python from the start, saying of each line whether
    /// it was kept, with its operations.
    fn parse(parsed: &ParsedLines, lines: &[&str]) -> Vec<(bool, Vec<(usize, ScopeStackOp)>)> {
        let set: &'static SyntaxSet = &SYNTAXES;
        let python = set.find_syntax_by_token("python").expect("bundled");
        let mut parser = ParseState::new(python);
        lines
            .iter()
            .map(|line| {
                let ops = parsed.parse(set, &mut parser, line).expect("parses");
                (matches!(ops, LineOps::Kept(_)), ops.to_vec())
            })
            .collect()
    }

    #[test]
    fn a_line_is_kept_from_its_second_sighting_until_the_limit() {
        let parsed = ParsedLines::keeping_at_most(1);
        let fresh = ParsedLines::keeping_at_most(0);
        let lines = ["x = 1\n", "x = 1\n", "y = 2\n", "y = 2\n", "x = 1\n"];
        let found = parse(&parsed, &lines);
        let kept: Vec<bool> = found.iter().map(|(kept, _)| *kept).collect();
        // `y = 2` recurs after the one line allowed is kept.
        assert_eq!(kept, [false, true, false, false, true]);
        let found: Vec<_> = found.into_iter().map(|(_, ops)| ops).collect();
        let unkept: Vec<_> = parse(&fresh, &lines)
            .into_iter()
            .map(|(_, ops)| ops)
            .collect();
        assert_eq!(found, unkept);
    }
}
