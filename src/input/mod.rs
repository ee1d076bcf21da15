//! Load and validate: the site's own files read into memory and checked.
//! `site.toml` ([`config`]) with its input budgets ([`limits`]), the Markdown pages and assets under `content/`
//! ([`content`]), the layered theme ([`theme`]), and the checks across pages
//! (ids, prerequisites, catalogue references: [`validate`]), and what a
//! `[[sources]]` entry may say ([`sources`]). Partner data has its own
//! folder, `partners`, since it is computed on as well.

pub mod config;
pub mod content;
pub mod limits;
pub mod sources;
pub mod theme;
pub mod validate;
