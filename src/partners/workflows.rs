//! Ecosystem workflows: which workflows pay, across partners. For each
//! catalogue workflow, how many partners have AI embedded in it, how many
//! people use AI in it, and the hours it saved over the period with their
//! value as the ROI counts it (`hourly_cost × time_realisation` an hour):
//! the hours of the ROI (`analytics::hours_saved`), taken per workflow. Documented in `docs/metrics.md` ("Which workflows
//! pay").

use crate::base::quarter::Quarter;
use crate::partners::analytics;
use crate::partners::metrics::WorkflowRecord;

/// One workflow across partners.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowPayoff {
    /// Catalogue id.
    pub id: String,
    /// Partners where it counts as AI-embedded at the latest quarter.
    pub partners_embedded: usize,
    /// People using AI in it at the latest quarter, over all partners.
    pub people_using_ai: usize,
    /// Hours it saved, summed over the period and the partners.
    pub hours_saved: f64,
    /// `hours_saved × hourly_cost × time_realisation`.
    pub value: f64,
}

/// How one partner runs one workflow: its record (if its file lists the
/// workflow) and the people using AI in it at the latest quarter.
#[derive(Debug, Clone, Copy)]
pub struct PartnerUse<'a> {
    /// The partner's record of the workflow.
    pub record: Option<&'a WorkflowRecord>,
    /// People using AI in it.
    pub users: usize,
}

/// The workflow `id` across `uses` (one per partner) over `period`, with the
/// embedding judged at `latest` and each hour saved worth `hour_value`.
pub fn payoff<'a>(
    id: &str,
    uses: impl IntoIterator<Item = PartnerUse<'a>>,
    period: &[Quarter],
    latest: Quarter,
    hour_value: f64,
) -> WorkflowPayoff {
    let mut row = WorkflowPayoff {
        id: id.to_string(),
        partners_embedded: 0,
        people_using_ai: 0,
        hours_saved: 0.0,
        value: 0.0,
    };
    for usage in uses {
        row.people_using_ai += usage.users;
        if let Some(record) = usage.record {
            row.partners_embedded += usize::from(analytics::is_embedded(record, latest));
            row.hours_saved += period
                .iter()
                .map(|q| analytics::hours_saved(record, *q))
                .sum::<f64>();
        }
    }
    row.value = row.hours_saved * hour_value;
    row
}

/// `rows` most hours saved first; equal hours keep their (catalogue) order.
pub fn by_hours_saved(mut rows: Vec<WorkflowPayoff>) -> Vec<WorkflowPayoff> {
    rows.sort_by(|a, b| b.hours_saved.total_cmp(&a.hours_saved));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Quarter {
        Quarter::parse(text).expect("quarter")
    }

    #[test]
    fn hours_add_up_over_partners_and_the_period() {
        let embedded = WorkflowRecord {
            id: "qbr".to_string(),
            embedded: true,
            since: Some("2025-Q4".to_string()),
            documented: true,
            quality_standard: true,
            minutes_before: Some(120.0),
            minutes_after: Some(60.0),
            runs_per_quarter: 10.0,
        };
        let claimed = WorkflowRecord {
            documented: false,
            ..embedded.clone()
        };
        let uses = [
            PartnerUse {
                record: Some(&embedded),
                users: 2,
            },
            PartnerUse {
                record: Some(&claimed),
                users: 3,
            },
            PartnerUse {
                record: None,
                users: 1,
            },
        ];
        let row = payoff(
            "qbr",
            uses,
            &[q("2025-Q3"), q("2025-Q4"), q("2026-Q1")],
            q("2026-Q1"),
            100.0,
        );
        assert_eq!(row.partners_embedded, 1);
        assert_eq!(row.people_using_ai, 6);
        assert_eq!(row.hours_saved, 20.0, "10 hours in each of two quarters");
        assert_eq!(row.value, 2_000.0);
    }
}
