//! A bound on YAML aliases, checked before any value is built. An alias
//! (`*name`) stands for a copy of its anchored node, so a small file can ask
//! for gigabytes: one 1 MiB string repeated by 3,000 aliases. serde_yaml
//! caps how many events aliases replay, not how many bytes, so the YAML is
//! first walked as events (saphyr's parser, which builds no values) and
//! refused at the first alias past either budget: the number of aliases,
//! or the bytes the aliases copy, added up.
//!
//! Text without a `*` has no alias and is not walked. YAML this parser
//! rejects is left to serde_yaml, whose error is the one to report.

use std::collections::HashMap;
use std::ops::Range;

use saphyr_parser::{Event, Parser, Span};

/// How much repetition a YAML text may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AliasBudget {
    /// The most aliases a text may hold.
    pub max_aliases: u64,
    /// The most bytes all aliases together may copy.
    pub max_alias_bytes: u64,
}

/// The first alias past the budget: where it is (bytes in the text) and why
/// it is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excess {
    /// The alias, as written.
    pub at: Range<usize>,
    /// What went past the budget.
    pub message: String,
    /// What is allowed.
    pub expected: String,
}

/// The first alias of `yaml` past `budget`, if any.
pub fn check_aliases(yaml: &str, budget: AliasBudget) -> Option<Excess> {
    if !yaml.contains('*') {
        return None;
    }
    let mut walk = Walk::default();
    for item in Parser::new_from_str(yaml) {
        let Ok((event, span)) = item else {
            return None;
        };
        if let Some(excess) = walk.step(&event, budget) {
            return Some(excess.at(yaml, span));
        }
    }
    None
}

/// What was counted so far. Every event counts at least one byte, so
/// aliases of empty collections cannot multiply unnoticed.
#[derive(Default)]
struct Walk {
    /// The size of each anchored node, by anchor id.
    sizes: HashMap<usize, u64>,
    /// Each open collection: its anchor id (0 for none) and `total` when it opened.
    open: Vec<(usize, u64)>,
    /// Bytes of the text as it would be materialised, so far.
    total: u64,
    aliases: u64,
    alias_bytes: u64,
}

/// Which budget an alias went past.
enum Over {
    Aliases(u64),
    Bytes(u64),
}

impl Walk {
    fn step(&mut self, event: &Event, budget: AliasBudget) -> Option<Over> {
        match event {
            Event::Scalar(value, _, anchor, _) => {
                let size = (value.len() as u64).max(1);
                self.total = self.total.saturating_add(size);
                if *anchor != 0 {
                    self.sizes.insert(*anchor, size);
                }
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.total = self.total.saturating_add(1);
                self.open.push((*anchor, self.total));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((anchor, start)) = self.open.pop()
                    && anchor != 0
                {
                    self.sizes.insert(anchor, self.total - start + 1);
                }
            }
            Event::Alias(anchor) => {
                let size = self.sizes.get(anchor).copied().unwrap_or(1);
                self.aliases += 1;
                self.alias_bytes = self.alias_bytes.saturating_add(size);
                self.total = self.total.saturating_add(size);
                if self.aliases > budget.max_aliases {
                    return Some(Over::Aliases(budget.max_aliases));
                }
                if self.alias_bytes > budget.max_alias_bytes {
                    return Some(Over::Bytes(budget.max_alias_bytes));
                }
            }
            _ => {}
        }
        None
    }
}

impl Over {
    fn at(self, yaml: &str, span: Span) -> Excess {
        let start = byte_offset(yaml, span.start.index());
        let end = byte_offset(yaml, span.end.index()).max(start);
        let (message, expected) = match self {
            Over::Aliases(max) => (
                format!("this alias is one more than the {max} a file may hold"),
                format!(
                    "at most {max} aliases (`*name`) in one file, or a higher \
                     `max_yaml_aliases` under `[limits]` in site.toml"
                ),
            ),
            Over::Bytes(max) => (
                format!("with this alias, the aliases of this file copy more than {max} bytes"),
                format!(
                    "aliases that repeat at most {max} bytes in all (write the text once), \
                     or a higher `max_yaml_alias_bytes` under `[limits]` in site.toml"
                ),
            ),
        };
        Excess {
            at: start..end,
            message,
            expected,
        }
    }
}

/// The byte offset of the `chars`-th character of `text` (the parser counts
/// characters).
fn byte_offset(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(at, _)| at)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUDGET: AliasBudget = AliasBudget {
        max_aliases: 3,
        max_alias_bytes: 100,
    };

    #[test]
    fn a_few_small_aliases_pass() {
        let yaml = "a: &s \"hello\"\nb: [*s, *s]\nc: &m {x: 1}\nd: *m\n";
        assert_eq!(check_aliases(yaml, BUDGET), None);
        assert_eq!(check_aliases("no: aliases here", BUDGET), None);
    }

    #[test]
    fn the_first_alias_past_the_count_is_refused_where_it_is() {
        let yaml = "a: &s x\nb: [*s, *s, *s, *s]\n";
        let excess = check_aliases(yaml, BUDGET).expect("refused");
        assert_eq!(excess.at.start, yaml.rfind("*s").unwrap());
        assert!(excess.message.contains("3 a file may hold"), "{excess:?}");
    }

    #[test]
    fn aliases_copying_too_many_bytes_are_refused() {
        let yaml = format!("t: &s \"{}\"\nk: [*s, *s]\n", "é".repeat(60));
        let excess = check_aliases(&yaml, BUDGET).expect("refused");
        assert_eq!(&yaml[excess.at.clone()], "*s");
        // The second alias: 120 + 120 bytes are past 100, the first is too.
        assert_eq!(excess.at.start, yaml.find("*s").unwrap());
    }

    #[test]
    fn nested_anchors_count_what_they_repeat() {
        let yaml = "a: &a [x, x]\nb: &b [*a, *a, *a]\nc: [*b]\n";
        let budget = AliasBudget {
            max_aliases: 10,
            max_alias_bytes: 12,
        };
        let excess = check_aliases(yaml, budget).expect("refused");
        assert_eq!(excess.at.start, yaml.rfind("*b").unwrap());
    }
}
