//! Properties of the analytics that must hold for any partner data.

mod common;

use std::collections::BTreeMap;

use common::{default_skills, default_workflows};
use proficio::base::quarter::Quarter;
use proficio::input::config::{LevelRules, Program};
use proficio::partners::analytics::{self, KPIS, delta, person_state};
use proficio::partners::metrics::{
    AiUse, Assessment, KpiRecord, PartnerFile, PartnerRecord, PartnerType, Person, Tier,
    WorkflowRecord,
};
use proficio::partners::roi::{self, Comparison, PaybackStatus};
use proptest::prelude::*;

const QUARTERS: [&str; 4] = ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"];

fn person() -> impl Strategy<Value = Person> {
    let skills = default_skills();
    let workflows = default_workflows();
    (
        prop::collection::vec(0u8..=4, skills.len()),
        prop::collection::vec((0usize..workflows.len(), 1u32..=12), 0..4),
        // Months after 2024-12 that the person joined and left, if ever:
        // anywhere from before the first quarter to after the last.
        prop::option::of(0u32..20),
        prop::option::of(1u32..20),
        1u32..=28,
    )
        .prop_map(move |(scores, uses, joined, stay, day)| Person {
            id: String::new(),
            role: "partner manager".to_string(),
            joined: joined.map(|m| month(m, day)),
            left: stay.map(|s| month(joined.unwrap_or(0) + s, day)),
            assessments: vec![Assessment {
                date: "2025-05-01".to_string(),
                scores: skills
                    .iter()
                    .zip(scores)
                    .map(|(s, v)| (s.clone(), f64::from(v)))
                    .collect(),
            }],
            ai_use: uses
                .into_iter()
                .map(|(w, month)| AiUse {
                    workflow: workflows[w].clone(),
                    since: format!("2025-{month:02}-01"),
                })
                .collect(),
            completions: Vec::new(),
        })
}

/// The `day` of the `n`th month after December 2024, as `YYYY-MM-DD`.
fn month(n: u32, day: u32) -> String {
    let index = 11 + n;
    format!("{}-{:02}-{day:02}", 2024 + index / 12, index % 12 + 1)
}

fn workflow() -> impl Strategy<Value = WorkflowRecord> {
    let workflows = default_workflows();
    (
        0usize..workflows.len(),
        any::<bool>(),
        any::<bool>(),
        0usize..4,
        0.0f64..300.0,
        0.0f64..300.0,
        0.0f64..50.0,
    )
        .prop_map(
            move |(id, embedded, documented, since, before, after, runs)| WorkflowRecord {
                id: workflows[id].clone(),
                embedded,
                since: Some(QUARTERS[since].to_string()),
                documented,
                quality_standard: documented,
                minutes_before: Some(before),
                minutes_after: Some(after),
                runs_per_quarter: runs,
            },
        )
}

fn kpi(quarter: &str) -> impl Strategy<Value = KpiRecord> {
    let quarter = quarter.to_string();
    (
        0.0f64..5e6,
        10.0f64..200.0,
        0.0f64..2e5,
        0.0f64..50.0,
        0.0f64..1e6,
    )
        .prop_map(move |(revenue, days, cts, throughput, margin)| KpiRecord {
            quarter: quarter.clone(),
            partner_sourced_revenue: revenue,
            sales_cycle_days: days,
            cost_to_serve: cts,
            enablement_throughput: throughput,
            margin_contribution: margin,
        })
}

/// A partner reporting KPIs for the quarters whose `reported` flag is set.
fn partner_reporting() -> impl Strategy<Value = PartnerFile> {
    (
        partner(),
        prop::collection::vec(any::<bool>(), QUARTERS.len()),
    )
        .prop_map(|(mut partner, reported)| {
            let mut flags = reported.into_iter();
            partner
                .record
                .kpis
                .retain(|_| flags.next().unwrap_or(false));
            partner
        })
}

fn partner() -> impl Strategy<Value = PartnerFile> {
    (
        prop::collection::vec(person(), 0..12),
        prop::collection::vec(workflow(), 0..6),
        (
            kpi(QUARTERS[0]),
            kpi(QUARTERS[1]),
            kpi(QUARTERS[2]),
            kpi(QUARTERS[3]),
        ),
    )
        .prop_map(|(people, workflows, (a, b, c, d))| PartnerFile {
            id: "p".to_string(),
            file: "content/partners/p.yaml".into(),
            source: "partners/p.yaml".to_string(),
            text: "".into(),
            record: PartnerRecord {
                name: "P".to_string(),
                tier: Tier::Gold,
                region: "EMEA".to_string(),
                partner_type: PartnerType::Reseller,
                owner: "O".to_string(),
                people,
                workflows,
                kpis: vec![a, b, c, d],
            },
        })
}

proptest! {
    #[test]
    fn the_level_distribution_always_sums_to_the_headcount(partner in partner(), quarter in 0usize..4) {
        let quarter = Quarter::parse(QUARTERS[quarter]).unwrap();
        let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
        let skills = default_skills();
        for person in &partner.record.people {
            let state = person_state(person, &partner.record.workflows, quarter, &skills, &LevelRules::default().ladder(3));
            prop_assert!(state.level < 3);
            prop_assert!((0.0..=100.0).contains(&state.score));
            *counts.entry(state.level).or_default() += 1;
        }
        prop_assert_eq!(counts.values().sum::<usize>(), partner.record.people.len());
    }

    #[test]
    fn practitioners_always_meet_the_rule(partner in partner()) {
        let quarter = Quarter::parse("2026-Q1").unwrap();
        let rules = LevelRules::default();
        let skills = default_skills();
        for person in &partner.record.people {
            let state = person_state(person, &partner.record.workflows, quarter, &skills, &rules.ladder(3));
            if state.level == 2 {
                prop_assert!(state.mean_score >= rules.practitioner_min_mean_score);
                prop_assert!(state.embedded_use >= 1);
            }
            if state.ai_workflows.is_empty() {
                prop_assert_eq!(state.level, 0);
            }
        }
    }

    #[test]
    fn deltas_call_a_move_better_only_in_the_kpis_good_direction(from in -1e6f64..1e6, to in -1e6f64..1e6, higher in any::<bool>()) {
        let d = delta(from, to, higher);
        prop_assert_eq!(d.change, to - from);
        match d.improved {
            None => prop_assert_eq!(from, to),
            Some(better) => prop_assert_eq!(better, (to > from) == higher),
        }
    }

    #[test]
    fn benefits_never_include_revenue_and_roi_follows_its_formula(partner in partner(), licences in 0.0f64..1e5, enablement in 0.0f64..1e5) {
        let mut program = Program::default();
        program.investment.licences_per_quarter = licences;
        program.investment.enablement_per_quarter = enablement;
        let period: Vec<Quarter> = QUARTERS[1..].iter().filter_map(|q| Quarter::parse(q)).collect();
        let per_quarter = licences + enablement;
        let roi = roi::roi(&partner, &program, Quarter::parse("2025-Q2").unwrap(), &period, &Comparison::default(), |_| per_quarter);
        prop_assert_eq!(roi.quarters, 3);
        let benefits = roi.time_value + roi.cost_to_serve_reduction + roi.attributed_margin;
        prop_assert!((roi.benefits - benefits).abs() < 1e-6);
        prop_assert!((roi.attributed_margin - roi.margin_uplift * program.kpi_attribution).abs() < 1e-6);
        prop_assert!(roi.low.benefits <= roi.benefits + 1e-6 && roi.benefits <= roi.high.benefits + 1e-6);
        prop_assert!((roi.investment - 3.0 * (licences + enablement)).abs() < 1e-6);
        match roi.roi {
            Some(ratio) => prop_assert!((ratio - (roi.benefits - roi.investment) / roi.investment).abs() < 1e-9),
            None => prop_assert_eq!(roi.investment, 0.0),
        }
        prop_assert!(roi.hours_saved >= 0.0);
    }

    #[test]
    fn the_payback_month_is_where_cumulative_net_turns_non_negative(
        flows in prop::collection::vec((-50.0f64..300.0, 0.0f64..200.0), 1..10)
    ) {
        let (month, status) = roi::payback(&flows);
        // The cumulative net at month `m`: each quarter's cost at its start,
        // its benefits evenly through it.
        let at = |m: f64| -> f64 {
            let mut net = 0.0;
            for (k, (benefits, cost)) in flows.iter().enumerate() {
                let start = 3.0 * k as f64;
                if m < start { break; }
                net += benefits * ((m - start) / 3.0).min(1.0) - cost;
            }
            net
        };
        let ends: Vec<f64> = (1..=flows.len()).map(|k| at(3.0 * k as f64 - 1e-9) ).collect();
        if flows.iter().all(|(_, c)| *c <= 0.0) {
            prop_assert_eq!(status, PaybackStatus::NoCost);
        } else if let Some(m) = month {
            prop_assert_eq!(status, PaybackStatus::PaidBack);
            // Non-negative at the month (within rounding) and at every
            // quarter's end after it…
            prop_assert!(at(m) >= -1e-6, "{} at month {}", at(m), m);
            for (k, end) in ends.iter().enumerate() {
                if 3.0 * (k + 1) as f64 >= m + 1e-9 {
                    prop_assert!(*end >= -1e-6, "quarter {} ends at {}", k + 1, end);
                }
            }
            // …and negative just before it, unless it is the period's start.
            if m > 1e-6 {
                // A payback within the first 1e-3 month is checked at the start.
                let before = (m - 1e-3).max(0.0);
                prop_assert!(at(before) < 0.0, "{} just before month {}", at(before), m);
            }
        } else {
            prop_assert_eq!(status, PaybackStatus::NotYet);
            prop_assert!(ends.last().is_some_and(|e| *e < 0.0));
        }
    }

    #[test]
    fn ecosystem_kpi_movement_is_over_exactly_the_partners_with_both_quarters(
        partners in prop::collection::vec(partner_reporting(), 0..6),
        from in 0usize..4,
        to in 0usize..4,
    ) {
        let (from, to) = (Quarter::parse(QUARTERS[from]).unwrap(), Quarter::parse(QUARTERS[to]).unwrap());
        let records: Vec<_> = partners.iter().map(analytics::kpi_records).collect();
        for kpi in &KPIS {
            // Independently: the partners whose file lists both quarters.
            let both: Vec<(f64, f64)> = partners
                .iter()
                .filter_map(|p| {
                    let value = |q: Quarter| {
                        p.record.kpis.iter().find(|k| k.quarter == q.to_string()).map(|k| kpi.value(k))
                    };
                    value(from).zip(value(to))
                })
                .collect();
            let (movement, count) = analytics::like_for_like(kpi, &records, from, to);
            prop_assert_eq!(count, both.len());
            match movement {
                None => prop_assert!(both.is_empty()),
                Some(d) => {
                    let n = both.len() as f64;
                    let divisor = if kpi.id == "sales_cycle_days" { n } else { 1.0 };
                    let before: f64 = both.iter().map(|b| b.0).sum::<f64>() / divisor;
                    let after: f64 = both.iter().map(|b| b.1).sum::<f64>() / divisor;
                    prop_assert!((d.change - (after - before)).abs() < 1e-6 * (1.0 + after.abs() + before.abs()));
                }
            }
        }
    }

    #[test]
    fn the_headcount_of_a_quarter_is_the_people_who_joined_by_its_end_and_had_not_left(
        partner in partner(),
        quarter in 0usize..4,
    ) {
        let quarter = Quarter::parse(QUARTERS[quarter]).unwrap();
        // ISO dates compare as text.
        let end = quarter.last_day().format("%Y-%m-%d").to_string();
        let expected = partner
            .record
            .people
            .iter()
            .filter(|p| {
                p.joined.as_ref().is_none_or(|joined| *joined <= end)
                    && p.left.as_ref().is_none_or(|left| *left > end)
            })
            .count();
        prop_assert_eq!(analytics::headcount_at(&partner, quarter), expected);
    }
}
