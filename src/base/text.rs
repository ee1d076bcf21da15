//! Small text helpers shared by several stages.

/// Lower-case words joined by dashes: `Measure the time saved` →
/// `measure-the-time-saved`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// The id GitHub gives a heading with this text: lower case, every space a
/// dash (runs are kept), letters, digits, `-` and `_` kept and everything
/// else dropped: `What's new?` → `whats-new`, `C# & .NET` → `c--net`.
/// Markdown written for GitHub links to these ids.
pub fn github_slug(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() || is_combining_mark(c) => Some(c),
            _ => None,
        })
        .collect()
}

/// Combining diacritics, which GitHub keeps in ids (`e` + U+0301 stays two
/// characters) and `char::is_alphanumeric` does not count.
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// How many valid ids an "unknown id" message lists in full.
const LISTED: usize = 8;

/// What an unknown `value` should have been, given the valid `ids` and what
/// they are (`what`, such as "a skill defined in site.toml"): every id when
/// there are at most eight, else `what`; then the nearest ids by edit
/// distance, when some are close, as "did you mean `x`?". Every "unknown
/// id" diagnostic builds its `expected` text here.
pub fn expected_one_of(value: &str, ids: &[&str], what: &str) -> String {
    if ids.is_empty() {
        return format!("{what} (none are defined yet)");
    }
    let near = nearest(value, ids);
    let list = if ids.len() <= LISTED {
        format!("one of {}", ids.join(", "))
    } else if near.is_empty() {
        return format!("{what}; none of the {} is close to `{value}`", ids.len());
    } else {
        what.to_string()
    };
    match near.as_slice() {
        [] => list,
        [only] => format!("{list}; did you mean `{only}`?"),
        [first @ .., last] => format!(
            "{list}; did you mean {} or `{last}`?",
            first
                .iter()
                .map(|id| format!("`{id}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// At most three of `ids` close to `value` (a few edits apart, fewer for a
/// short value, or one containing the other), nearest first.
pub fn nearest<'a>(value: &str, ids: &[&'a str]) -> Vec<&'a str> {
    let value = value.to_lowercase();
    let limit = (value.chars().count() / 3).clamp(1, 3);
    let mut near: Vec<(usize, &str)> = ids
        .iter()
        .filter_map(|&id| {
            let distance = strsim::damerau_levenshtein(&value, &id.to_lowercase());
            let contained =
                (value.len() >= 3 && id.contains(&value)) || (id.len() >= 3 && value.contains(id));
            (distance <= limit || contained).then_some((distance, id))
        })
        .collect();
    near.sort();
    near.into_iter().take(3).map(|(_, id)| id).collect()
}

/// The cells of each row of the Markdown table in `doc` whose header row is
/// `header`, trimmed: for tests that hold a documented table to the code.
#[cfg(test)]
pub(crate) fn doc_table(doc: &str, header: &str) -> Vec<Vec<String>> {
    let table = doc
        .split(header)
        .nth(1)
        .unwrap_or_else(|| panic!("the document has the table `{header}`"));
    table
        .lines()
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            line.split('|')
                .map(|cell| cell.trim().to_string())
                .collect()
        })
        .collect()
}

/// JSON with `<`, `>` and `&` written `\u003c` and the like, and `indent`
/// after every line break. The three characters only occur inside JSON
/// strings, where the escapes mean the same: the data is unchanged, and the
/// file stays inert even if a viewer treats it as HTML.
pub fn inert_json(plain: &[u8], indent: &[u8]) -> Vec<u8> {
    // One pass over the serialiser's output is several times faster than
    // escaping each of its many small writes.
    let mut bytes = Vec::with_capacity(plain.len() + plain.len() / 8);
    let mut rest = plain;
    while let Some(at) = rest
        .iter()
        .position(|b| matches!(b, b'<' | b'>' | b'&' | b'\n'))
    {
        bytes.extend_from_slice(&rest[..at]);
        match rest[at] {
            b'<' => bytes.extend_from_slice(b"\\u003c"),
            b'>' => bytes.extend_from_slice(b"\\u003e"),
            b'&' => bytes.extend_from_slice(b"\\u0026"),
            _ => {
                bytes.push(b'\n');
                bytes.extend_from_slice(indent);
            }
        }
        rest = &rest[at + 1..];
    }
    bytes.extend_from_slice(rest);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_ids_are_listed_and_near_ones_suggested() {
        let ids = ["nay-sayer", "experimenter", "practitioner"];
        assert_eq!(
            expected_one_of("guru", &ids, "a level"),
            "one of nay-sayer, experimenter, practitioner"
        );
        assert_eq!(
            expected_one_of("experimentor", &ids, "a level"),
            "one of nay-sayer, experimenter, practitioner; did you mean `experimenter`?"
        );
        assert_eq!(
            expected_one_of("x", &[], "a track defined in site.toml"),
            "a track defined in site.toml (none are defined yet)"
        );
    }

    #[test]
    fn many_ids_give_the_nearest_few() {
        let ids: Vec<String> = (0..20).map(|i| format!("module-{i:02}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        assert_eq!(
            expected_one_of("modul-17", &ids, "a module id"),
            "a module id; did you mean `module-17`, `module-07` or `module-10`?"
        );
        assert_eq!(
            expected_one_of("prompting", &ids, "a module id"),
            "a module id; none of the 20 is close to `prompting`"
        );
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Measure the time saved"), "measure-the-time-saved");
        assert_eq!(slugify("  QBR: prep & follow-up!  "), "qbr-prep-follow-up");
        assert_eq!(slugify("***"), "");
    }

    #[test]
    fn github_slugs_follow_github() {
        assert_eq!(github_slug("What's new?"), "whats-new");
        assert_eq!(github_slug("C# & .NET"), "c--net");
        assert_eq!(github_slug("Step 1: set up_env"), "step-1-set-up_env");
        assert_eq!(github_slug("Élan ✨ guide"), "élan--guide");
        assert_eq!(github_slug("Cafe\u{301}"), "cafe\u{301}");
        assert_eq!(github_slug("***"), "");
    }
}
