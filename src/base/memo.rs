//! The live preview's one rule for what to redo: a stage's result is kept
//! with the inputs it was computed from, and computed again only when those
//! inputs changed. A [`Memo`] is one such result; the page cache keeps one
//! per page (its template, context and Markdown), the computed site one per
//! page summary (the page's front matter and title), the kept output files
//! one (the theme's static files among them), the preview server one per
//! copied file and the partner import one per export (its size and
//! modification time), the kept partner data one
//! for every partner's people at every quarter (the quarters covered and
//! the total headcount they were worked out with). Comparing the inputs themselves, rather than following
//! a hand-kept list of what depends on what, is what keeps a preview's
//! result equal to a full build's.

/// A value kept with the inputs (its key) it was computed from.
#[derive(Debug, Clone)]
pub struct Memo<K, V> {
    key: K,
    value: V,
}

impl<K, V> Memo<K, V> {
    /// `value`, computed from `key`.
    pub fn new(key: K, value: V) -> Memo<K, V> {
        Memo { key, value }
    }

    /// The kept value if it was computed from inputs equal to `key`.
    pub fn get<Q: ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: PartialEq<Q>,
    {
        (self.key == *key).then_some(&self.value)
    }

    /// [`Memo::get`], to update the value in place.
    pub fn get_mut<Q: ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: PartialEq<Q>,
    {
        (self.key == *key).then_some(&mut self.value)
    }

    /// The kept value, whatever it was computed from.
    pub fn value(&self) -> &V {
        &self.value
    }

    /// [`Memo::value`], to update in place along with the inputs it holds
    /// (a table of memos, each with inputs of its own).
    pub fn value_mut(&mut self) -> &mut V {
        &mut self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_given_only_for_the_inputs_it_was_computed_from() {
        let memo = Memo::new((3, "b"), 9);
        assert_eq!(memo.get(&(3, "b")), Some(&9));
        assert_eq!(memo.get(&(3, "c")), None);
    }
}
