//! proficio turns a folder of Markdown enablement modules into a partner
//! enablement portal. The library holds the whole pipeline so tests and the
//! thin `proficio` binary drive it the same way:
//! load ([`config`], [`content`], [`theme`]) → validate ([`validate`]) →
//! compute ([`site`], [`markdown`]) → render ([`templates`], [`bodies`],
//! [`highlight`]) → write ([`output`]), orchestrated by [`build`](mod@build). [`serve`]
//! is the live preview: the same pipeline rendered into memory and served
//! over HTTP, redoing only what an edit touched ([`incremental`]).
//! [`check`] renders into memory too and reports broken links and anchors,
//! images without alt text, unused assets, modules outside every track and
//! what [`raw_html`] sanitizing removed, for people and for CI.

#![warn(missing_docs)]

pub mod analytics;
pub mod bodies;
pub mod build;
pub mod charts;
pub mod check;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod highlight;
pub mod incremental;
pub mod init;
pub mod markdown;
pub mod metrics;
pub mod output;
mod page_cache;
pub mod paths;
pub mod raw_html;
pub mod scorecards;
pub mod serve;
pub mod site;
pub mod templates;
pub mod theme;
pub mod validate;

pub use build::{BuildOptions, BuildReport, build};
pub use diagnostics::{Diagnostic, Error, Result};
