//! The `[limits]` table of `site.toml`: how large an input may be before it
//! is refused, and what rendering may write and take, so that a hostile or
//! mistaken file or template cannot hold a build (or the live preview) for
//! minutes or gigabytes. Each default is far above what a
//! real page or partner file needs (`docs/content.md` gives the reasons), and
//! a site may raise or lower any of them.

use std::num::NonZeroU64;

use serde::Deserialize;

use crate::base::yaml::AliasBudget;

const MIB: u64 = 1024 * 1024;

/// The longest name, in bytes, that may become one segment of a URL and so
/// one folder or file name in the output (a module id, a slug, a tag or a
/// partner id, as written in the URL). File systems refuse names over 255
/// bytes; 200 leaves room for the extensions and the temporary names the
/// output is written under.
pub const MAX_NAME_BYTES: usize = 200;

/// Input and render budgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// The largest Markdown file, in bytes.
    pub max_markdown_bytes: u64,
    /// The largest partner file, in bytes.
    pub max_partner_file_bytes: u64,
    /// The largest export a `[[sources]]` entry reads, in bytes.
    pub max_source_file_bytes: u64,
    /// The most YAML aliases (`*name`) in one front matter or partner file.
    pub max_yaml_aliases: u64,
    /// The most bytes the aliases of one file may copy, added up.
    pub max_yaml_alias_bytes: u64,
    /// Bytes one rendered page may have.
    pub max_page_bytes: NonZeroU64,
    /// Bytes all rendered pages together may have.
    pub max_output_bytes: NonZeroU64,
    /// Milliseconds one page's render may take.
    pub max_page_milliseconds: NonZeroU64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_markdown_bytes: 4 * MIB,
            max_partner_file_bytes: 16 * MIB,
            // 512 MiB: an LMS export of a large program, a few million rows.
            max_source_file_bytes: 512 * MIB,
            max_yaml_aliases: 10_000,
            max_yaml_alias_bytes: MIB,
            // 16 MiB: far above the largest page of a large portal.
            max_page_bytes: NonZeroU64::new(16 * MIB).expect("positive"),
            max_output_bytes: NonZeroU64::new(2048 * MIB).expect("positive"),
            // 10 s: a page renders in milliseconds.
            max_page_milliseconds: NonZeroU64::new(10_000).expect("positive"),
        }
    }
}

impl Limits {
    /// What YAML aliases may repeat.
    pub fn aliases(&self) -> AliasBudget {
        AliasBudget {
            max_aliases: self.max_yaml_aliases,
            max_alias_bytes: self.max_yaml_alias_bytes,
        }
    }
}

/// What is wrong with `name`, a `what` that becomes one segment of a URL
/// (`bytes` long as written in the output), when it is longer than
/// [`MAX_NAME_BYTES`]; the message shows only its start, however long it is.
pub fn name_too_long(what: &str, name: &str, bytes: usize) -> Option<(String, String)> {
    if bytes <= MAX_NAME_BYTES {
        return None;
    }
    let start: String = name.chars().take(24).collect();
    Some((
        format!("{what} `{start}…` makes a name of {bytes} bytes in the URL"),
        format!(
            "at most {MAX_NAME_BYTES} bytes: each part of a URL is a folder of the \
             output, and file systems refuse names longer than 255 bytes"
        ),
    ))
}
