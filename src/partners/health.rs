//! Partner health: one status per partner at the latest quarter, from a few
//! plain rules over what its file says (AI use, embedded workflows, recent
//! module completions, failure patterns, score and KPI movement), with the
//! reason in words. The rules and their thresholds are documented in
//! `docs/metrics.md` ("Partner health"); they are checked in this order and
//! the first that holds decides:
//!
//! 1. `no-adoption`: nobody uses AI in any workflow;
//! 2. `stalled`: no embedded workflow and no module completion in the last
//!    [`RECENT_QUARTERS`] quarters;
//! 3. `at-risk`: no embedded workflow, a failure pattern, a score lower than
//!    at the baseline, [`KPIS_WORSE`] or more KPIs worse than at the
//!    baseline, or no KPIs reported for the latest quarter;
//! 4. `on-track`: otherwise.

use serde::Serialize;

use crate::base::quarter::Quarter;
use crate::partners::analytics::{self, Flag, KPIS, PersonState};
use crate::partners::metrics::{PartnerFile, date};

/// Quarters (the latest and those just before it) in which a module
/// completion counts as recent.
pub const RECENT_QUARTERS: usize = 2;

/// KPIs worse at the latest quarter than at the baseline from which a
/// partner is at risk.
pub const KPIS_WORSE: usize = 3;

/// A partner's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Embedded AI, no warning sign, nothing going backwards.
    OnTrack,
    /// In motion, but something needs attention.
    AtRisk,
    /// AI in use, yet nothing embedded and no recent learning.
    Stalled,
    /// Nobody uses AI at all.
    NoAdoption,
}

impl Status {
    /// Every status, best first.
    pub const ALL: [Status; 4] = [
        Status::OnTrack,
        Status::AtRisk,
        Status::Stalled,
        Status::NoAdoption,
    ];

    /// The id `metrics.json` and `partners.csv` hold.
    pub fn id(self) -> &'static str {
        match self {
            Status::OnTrack => "on-track",
            Status::AtRisk => "at-risk",
            Status::Stalled => "stalled",
            Status::NoAdoption => "no-adoption",
        }
    }

    /// The label shown beside (never instead of) the status colour.
    pub fn title(self) -> &'static str {
        match self {
            Status::OnTrack => "On track",
            Status::AtRisk => "At risk",
            Status::Stalled => "Stalled",
            Status::NoAdoption => "No adoption",
        }
    }
}

/// A partner's status with its label and the reason in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Health {
    /// `on-track`, `at-risk`, `stalled` or `no-adoption`.
    pub status: Status,
    /// "On track", "At risk", "Stalled" or "No adoption".
    pub title: &'static str,
    /// Why, as a clause to follow the title ("no embedded workflow and …").
    pub reason: String,
}

/// What the rules look at, taken from a partner at the latest quarter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// People in the program.
    pub headcount: usize,
    /// People using AI in at least one workflow.
    pub ai_users: usize,
    /// Workflows that count as AI-embedded.
    pub embedded: usize,
    /// Module completions dated in the last [`RECENT_QUARTERS`] quarters.
    pub recent_completions: usize,
    /// Titles of the failure patterns found.
    pub flags: Vec<&'static str>,
    /// Latest proficiency score minus the baseline score.
    pub score_change: Option<f64>,
    /// KPIs worse than at the baseline, of those the partner reported for
    /// both the baseline and the latest quarter: (worse, compared).
    pub kpis_worse: (usize, usize),
    /// The latest quarter, when the partner reported no KPIs for it: its
    /// results cannot be judged, which is a risk of its own.
    pub kpis_missing: Option<Quarter>,
}

impl Facts {
    /// The facts of `partner` at `latest`, with its people's `states` at
    /// `latest`, its `flags` and its score change.
    pub fn of(
        partner: &PartnerFile,
        states: &[PersonState],
        flags: &[Flag],
        score_change: Option<f64>,
        baseline: Quarter,
        latest: Quarter,
    ) -> Facts {
        let record = &partner.record;
        let recent = recent_quarters(latest);
        let recent_completions = record
            .people
            .iter()
            .filter(|p| analytics::is_member(p, latest))
            .flat_map(|p| &p.completions)
            .filter_map(|c| date(&c.date))
            .filter(|d| recent.contains(&Quarter::of(*d)))
            .count();
        let kpi = |quarter: Quarter| {
            record
                .kpis
                .iter()
                .find(|k| Quarter::parse(&k.quarter) == Some(quarter))
        };
        let kpis_worse = match (kpi(baseline), kpi(latest)) {
            (Some(from), Some(to)) if baseline < latest => {
                let worse = KPIS
                    .iter()
                    .filter(|k| {
                        analytics::delta(k.value(from), k.value(to), k.higher_is_better).improved
                            == Some(false)
                    })
                    .count();
                (worse, KPIS.len())
            }
            _ => (0, 0),
        };
        Facts {
            headcount: states.len(),
            ai_users: states.iter().filter(|s| !s.ai_workflows.is_empty()).count(),
            embedded: record
                .workflows
                .iter()
                .filter(|w| analytics::is_embedded(w, latest))
                .count(),
            recent_completions,
            flags: flags.iter().map(|f| f.title).collect(),
            score_change,
            kpis_worse,
            kpis_missing: kpi(latest).is_none().then_some(latest),
        }
    }
}

/// `latest` and the quarters just before it, [`RECENT_QUARTERS`] in all.
fn recent_quarters(latest: Quarter) -> Vec<Quarter> {
    let mut quarters = vec![latest];
    while quarters.len() < RECENT_QUARTERS {
        let last = quarters[quarters.len() - 1];
        let previous = if last.number == 1 {
            Quarter {
                year: last.year - 1,
                number: 4,
            }
        } else {
            Quarter {
                year: last.year,
                number: last.number - 1,
            }
        };
        quarters.push(previous);
    }
    quarters
}

/// The status the rules give `facts`, with its reason.
pub fn health(facts: &Facts) -> Health {
    let (status, reason) = if facts.ai_users == 0 {
        (
            Status::NoAdoption,
            format!(
                "none of the {} {} uses AI in any workflow",
                facts.headcount,
                people(facts.headcount)
            ),
        )
    } else if facts.embedded == 0 && facts.recent_completions == 0 {
        (
            Status::Stalled,
            format!(
                "no embedded workflow and no module completion in the last {RECENT_QUARTERS} quarters"
            ),
        )
    } else {
        let risks = risks(facts);
        if risks.is_empty() {
            (
                Status::OnTrack,
                format!(
                    "{} embedded workflow{}, {} of {} {} using AI, no warning sign",
                    facts.embedded,
                    if facts.embedded == 1 { "" } else { "s" },
                    facts.ai_users,
                    facts.headcount,
                    people(facts.headcount)
                ),
            )
        } else {
            (Status::AtRisk, risks.join("; "))
        }
    };
    Health {
        status,
        title: status.title(),
        reason,
    }
}

/// A warning sign other than a failure pattern: one of the rules that keep
/// a partner off track, named and with its numbers, so a scorecard can list
/// every reason its status gives rather than the failure patterns alone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    /// `no-embedded-workflow`, `no-recent-learning`, `score-down`,
    /// `kpis-worse` or `kpis-missing`.
    pub id: &'static str,
    /// Display name.
    pub title: &'static str,
    /// The numbers that raised it, in a sentence.
    pub evidence: String,
    /// The same, as a clause of the health reason.
    #[serde(skip)]
    clause: String,
}

/// The rules besides the failure patterns that hold for `facts`, in the
/// order the health reason names them.
pub fn warnings(facts: &Facts) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if facts.embedded == 0 {
        warnings.push(Warning {
            id: "no-embedded-workflow",
            title: "No embedded workflow",
            evidence: "No workflow counts as AI-embedded yet: none is documented, with a quality standard and a measured time saving.".to_string(),
            clause: "no embedded workflow yet".to_string(),
        });
        if facts.recent_completions == 0 && facts.ai_users > 0 {
            warnings.push(Warning {
                id: "no-recent-learning",
                title: "No recent learning",
                evidence: format!("No module completion in the last {RECENT_QUARTERS} quarters."),
                clause: format!("no module completion in the last {RECENT_QUARTERS} quarters"),
            });
        }
    }
    if let Some(change) = facts.score_change.filter(|c| *c < 0.0) {
        warnings.push(Warning {
            id: "score-down",
            title: "Proficiency score down",
            evidence: format!(
                "The proficiency score is {:.1} points lower than at the baseline.",
                -change
            ),
            clause: format!(
                "proficiency score down {:.1} points since the baseline",
                -change
            ),
        });
    }
    let (worse, compared) = facts.kpis_worse;
    if worse >= KPIS_WORSE {
        warnings.push(Warning {
            id: "kpis-worse",
            title: "KPIs worse than at the baseline",
            evidence: format!("{worse} of {compared} KPIs are worse than at the baseline."),
            clause: format!("{worse} of {compared} KPIs worse than at the baseline"),
        });
    }
    if let Some(quarter) = facts.kpis_missing {
        warnings.push(Warning {
            id: "kpis-missing",
            title: "No KPIs reported",
            evidence: format!(
                "No KPIs were reported for {quarter}, so its results cannot be judged."
            ),
            clause: format!("no KPIs reported for {quarter}"),
        });
    }
    warnings
}

/// Each at-risk rule that holds, in words: the failure patterns after the
/// first rule, then the other warnings.
fn risks(facts: &Facts) -> Vec<String> {
    let mut others = warnings(facts)
        .into_iter()
        .filter(|w| w.id != "no-recent-learning")
        .map(|w| w.clause);
    let mut risks: Vec<String> = Vec::new();
    if facts.embedded == 0 {
        risks.extend(others.next());
    }
    risks.extend(
        facts
            .flags
            .iter()
            .map(|title| format!("warning sign: {}", title.to_lowercase())),
    );
    risks.extend(others);
    risks
}

fn people(count: usize) -> &'static str {
    if count == 1 { "person" } else { "people" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on_track() -> Facts {
        Facts {
            headcount: 4,
            ai_users: 2,
            embedded: 1,
            ..Facts::default()
        }
    }

    #[test]
    fn the_first_rule_that_holds_decides() {
        let status = |facts: Facts| health(&facts).status;
        assert_eq!(status(on_track()), Status::OnTrack);
        assert_eq!(
            status(Facts {
                ai_users: 0,
                embedded: 0,
                flags: vec!["Literacy without capability"],
                ..on_track()
            }),
            Status::NoAdoption
        );
        assert_eq!(
            status(Facts {
                embedded: 0,
                ..on_track()
            }),
            Status::Stalled
        );
        assert_eq!(
            status(Facts {
                embedded: 0,
                recent_completions: 1,
                ..on_track()
            }),
            Status::AtRisk
        );
        assert_eq!(
            status(Facts {
                kpis_worse: (2, 5),
                score_change: Some(0.0),
                ..on_track()
            }),
            Status::OnTrack
        );
        let risky = health(&Facts {
            kpis_worse: (3, 5),
            score_change: Some(-1.5),
            ..on_track()
        });
        assert_eq!(
            risky.reason,
            "proficiency score down 1.5 points since the baseline; 3 of 5 KPIs worse than at the baseline"
        );
        let silent = health(&Facts {
            kpis_missing: Quarter::parse("2026-Q3"),
            ..on_track()
        });
        assert_eq!(
            (silent.status, silent.reason.as_str()),
            (Status::AtRisk, "no KPIs reported for 2026-Q3")
        );
    }

    #[test]
    fn recent_quarters_cross_the_year() {
        let q = |text: &str| Quarter::parse(text).expect("quarter");
        assert_eq!(
            recent_quarters(q("2026-Q1")),
            vec![q("2026-Q1"), q("2025-Q4")]
        );
    }
}
