//! How a URL is formed and how a link looks to a template. Every URL the
//! portal writes comes from [`url`] (root-relative, with the base path) or
//! [`absolute`] (percent-encoded, for sitemaps, feeds and canonical links);
//! [`markdown::LinkTargets`](super::markdown::LinkTargets) resolves content
//! links through them, and the compute stages build their views from
//! [`Ref`] and [`TermRef`]. A new kind of URL or link shape goes here.

use serde::Serialize;

/// What an absolute URL's path keeps as written: RFC 3986's unreserved
/// characters and the `/` between segments. Everything else is percent-encoded
/// (as UTF-8 bytes), `%` included, since a path here is a file name, never an
/// already-encoded URL.
const PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// The root-relative URL of `path` under `base_path` (`/` or `/portal/`),
/// as written: `/portal/modules/qbr/`.
pub fn url(base_path: &str, path: &str) -> String {
    format!("{base_path}{}", path.trim_start_matches('/'))
}

/// The absolute URL of `path` under `base_url` (with its trailing slash),
/// percent-encoded: sitemaps, feeds and canonical links need a valid URL,
/// and a content file name may hold spaces, quotes or any other character.
pub fn absolute(base_url: &str, path: &str) -> String {
    let path = percent_encoding::utf8_percent_encode(path.trim_start_matches('/'), PATH);
    format!("{base_url}{path}")
}

/// A link to a page as templates see it: `{title, url}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Ref {
    /// The page's title.
    pub title: String,
    /// Its URL, from [`url`].
    pub url: String,
}

/// A link to a catalogue entry (skill, workflow, level, track) or a tag:
/// `{id, title, url}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TermRef {
    /// The entry's id; a tag's slug.
    pub id: String,
    /// Its title and the URL of its page.
    #[serde(flatten)]
    pub link: Ref,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_the_base_path_and_encode_absolute_paths() {
        assert_eq!(url("/portal/", "/modules/qbr/"), "/portal/modules/qbr/");
        assert_eq!(url("/", "style.css"), "/style.css");
        assert_eq!(
            absolute("https://x.example/portal/", "/notes/a b%\"é/"),
            "https://x.example/portal/notes/a%20b%25%22%C3%A9/"
        );
    }

    #[test]
    fn a_term_ref_is_a_ref_with_an_id_first() {
        let term = TermRef {
            id: "prompting".to_string(),
            link: Ref {
                title: "Prompting".to_string(),
                url: "/skills/prompting/".to_string(),
            },
        };
        assert_eq!(
            serde_json::to_string(&term).expect("serializes"),
            r#"{"id":"prompting","title":"Prompting","url":"/skills/prompting/"}"#
        );
    }
}
