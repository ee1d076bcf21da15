//! The URL arithmetic of the link check: which output file a page's URL
//! path is, how a relative path joins a folder, `.`/`..` and `%XX` in paths,
//! and what counts as a URL with a scheme (external, never checked).

/// The output file of a page published at URL path `path` (without the base path).
pub(super) fn output_of(path: &str) -> String {
    format!("{}index.html", path.trim_start_matches('/'))
}

/// `folder/index.html` for a path naming a folder; the page itself for `#…` links.
pub(super) fn with_index(joined: &str, same_page: bool, from: &str) -> String {
    if same_page {
        from.to_string()
    } else if joined.is_empty() {
        "index.html".to_string()
    } else {
        format!("{joined}/index.html")
    }
}

/// Resolves `.` and `..` and decodes `%XX`; the result has no leading or
/// trailing `/`.
pub(super) fn normalise(path: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(percent_decode(other)),
        }
    }
    parts.join("/")
}

/// `text` with every `%XX` escape decoded; a `%` without two hex digits
/// stays as written.
pub(super) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// True for `https:`, `mailto:`, `data:` and other URL schemes.
pub(super) fn has_scheme(url: &str) -> bool {
    let Some(colon) = url.find(':') else {
        return false;
    };
    let scheme = &url[..colon];
    scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

/// The last segment of a URL path, without its query: the file name.
pub(super) fn last_segment(path: &str) -> &str {
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_told_from_paths() {
        assert!(has_scheme("https://example.com/"));
        assert!(has_scheme("mailto:a@b.c"));
        assert!(!has_scheme("/modules/"));
        assert!(!has_scheme("a/b:c"));
        assert!(!has_scheme("#top"));
    }

    #[test]
    fn paths_are_normalised_and_decoded() {
        assert_eq!(normalise("modules/x/../y/./a%20b.svg"), "modules/y/a b.svg");
        assert_eq!(normalise("../../x"), "x");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
    }
}
