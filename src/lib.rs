//! proficio turns a folder of Markdown enablement modules and partner data
//! into a partner enablement portal. The library holds the whole pipeline so
//! tests and the thin `proficio` binary drive it the same way. Its folders
//! are the pipeline's stages, and each imports only from the ones listed
//! before it:
//!
//! - [`base`]: diagnostics, which files may be read, quarters, number
//!   formats: what every stage needs;
//! - [`markup`]: code highlighting and the raw-HTML sanitizer;
//! - [`input`]: load and validate `site.toml`, content and theme;
//! - [`render`]: Markdown, templates and charts, the tools of the later stages;
//! - [`partners`]: partner files, the formulas, scorecards, executive
//!   summary and exports;
//! - [`site`]: compute: the site model, every page to render and its context;
//! - [`build`](mod@build): the pipeline in order (load → validate → compute
//!   → render → write), the output folder, and the page cache and
//!   incremental renders the preview reuses;
//! - [`serve`]: the live preview; [`check`](mod@check): the site's findings
//!   for people and CI; [`init`]: a new site.
//!
//! `docs/architecture.md` says where a new page type, metric or check goes.

#![warn(missing_docs)]

pub mod base;
pub mod build;
pub mod check;
pub mod init;
pub mod input;
pub mod markup;
pub mod partners;
pub mod render;
pub mod serve;
pub mod site;

pub use base::diagnostics::{Diagnostic, Error, Result};
pub use build::{BuildOptions, BuildReport, build};
