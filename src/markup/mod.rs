//! Text-to-HTML helpers with no knowledge of a site: code highlighting
//! ([`highlight`]) and the sanitizer for raw HTML in Markdown
//! ([`raw_html`]). They import nothing from the crate but `base` (the
//! build cache highlighted blocks are kept in), so configuration can check
//! a setting against them and rendering can use them.

pub mod highlight;
mod parsed_lines;
pub mod raw_html;
