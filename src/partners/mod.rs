//! Partner data, from file to figures: the partner files and their checks
//! ([`metrics`]), the exports that add to them ([`sources`]), the formulas (levels, scores, KPI movement:
//! [`analytics`]; the ROI method: [`roi`]), each partner's health status
//! ([`health`]) and which workflows pay across partners ([`workflows`]),
//! and each partner's scorecard, the executive summary and the data exports
//! built from them ([`scorecards`]). A new metric goes into `analytics`, its
//! place on a page into a view of `scorecards::views` (filled in
//! `scorecards/partner.rs` or `scorecards/executive.rs`), and a new sentence
//! of the executive summary into `scorecards::narrative` with
//! its template in the theme's `partials/narrative/`.

pub mod analytics;
pub mod health;
pub mod metrics;
pub mod roi;
pub mod scorecards;
pub mod sources;
pub mod workflows;
