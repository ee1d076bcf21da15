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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Measure the time saved"), "measure-the-time-saved");
        assert_eq!(slugify("  QBR: prep & follow-up!  "), "qbr-prep-follow-up");
        assert_eq!(slugify("***"), "");
    }
}
