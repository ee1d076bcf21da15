//! Partner data, from file to figures: the partner files and their checks
//! ([`metrics`]), the formulas (levels, scores, KPI movement, ROI:
//! [`analytics`]), and each partner's scorecard, the executive summary and
//! the data exports built from them ([`scorecards`]). A new metric goes
//! into `analytics`, and its place on a page into `scorecards`.

pub mod analytics;
pub mod metrics;
pub mod scorecards;
