//! One partner's scorecard: its people's levels and scores over time, its
//! skill profile and weakest skills, its workflows and hours saved, its KPIs,
//! the modules recommended to it, its health status and its ROI, measured
//! against its cost as the audience allows. Worked out from its own file and
//! the inputs every view shares, so partners are computed in parallel.

use super::views::{
    PartnerSummary, PartnerView, PersonView, Point, Recommendation, SkillView, WorkflowView,
    partner_kpi_views, roi_view,
};
use super::{Cost, Standings, ViewInputs, mean_score, present, score_movement};
use crate::base::quarter::Quarter;
use crate::input::config::{CatalogEntry, Config};
use crate::partners::analytics::{self, PersonState, PersonTimeline, Recommended, Standing};
use crate::partners::health;
use crate::partners::metrics::{Assessment, PartnerFile};
use crate::partners::roi::{self, Roi};
use crate::render::links::TermRef;

/// A mean skill score (0–4) at or above which a skill is not called weak.
const STRONG_SKILL: f64 = 3.5;

/// What a scorecard knows of the people over time.
struct People<'p> {
    /// Everyone's timeline, in file order.
    timelines: Vec<PersonTimeline<'p>>,
    /// The people present at the latest quarter, as places in the file…
    present: Vec<usize>,
    /// …and their full state then.
    latest: Vec<PersonState>,
    /// Everyone's standings at every quarter and the baseline.
    standings: Standings,
}

/// The people of `partner` over the quarters of `inputs`.
fn people_over_time<'p>(inputs: &ViewInputs, partner: &'p PartnerFile) -> People<'p> {
    let record = &partner.record;
    let timelines: Vec<PersonTimeline> = record
        .people
        .iter()
        .map(|person| PersonTimeline::new(person, &inputs.skills))
        .collect();
    let embedded = analytics::embedded_workflows(&record.workflows);
    let rules = &inputs.level_rules;
    let at = |quarter: Quarter| -> Vec<Option<Standing>> {
        timelines
            .iter()
            .map(|t| {
                t.member_at(quarter)
                    .then(|| t.standing(&embedded, quarter, rules))
            })
            .collect()
    };
    let present: Vec<usize> = (0..timelines.len())
        .filter(|i| timelines[*i].member_at(inputs.latest))
        .collect();
    let latest = present
        .iter()
        .map(|i| timelines[*i].state(&embedded, inputs.latest, rules))
        .collect();
    let standings = Standings {
        by_quarter: inputs.quarters.iter().map(|q| at(*q)).collect(),
        baseline: at(inputs.baseline),
    };
    People {
        timelines,
        present,
        latest,
        standings,
    }
}

/// One partner's scorecard, and its people's standings at every quarter.
pub(super) fn partner_view(inputs: &ViewInputs, partner: &PartnerFile) -> (PartnerView, Standings) {
    let config = inputs.config;
    let record = &partner.record;
    let People {
        timelines,
        present: present_people,
        latest: latest_states,
        standings,
    } = people_over_time(inputs, partner);
    let (latest, baseline) = (present(standings.latest()), present(&standings.baseline));
    let score = mean_score(&latest);
    let score_baseline = (!baseline.is_empty()).then(|| mean_score(&baseline));
    let score_movement = score_movement(&standings.stayers().collect::<Vec<_>>());
    let level_rows = inputs
        .quarters
        .iter()
        .zip(&standings.by_quarter)
        .map(|(q, at)| inputs.level_row(*q, &present(at)))
        .collect();
    let skills = skill_profile(inputs, &timelines);
    // A skill near the top of the scale is no weakness, however it ranks.
    let mut ranked_skills: Vec<&SkillView> =
        skills.iter().filter(|s| s.latest < STRONG_SKILL).collect();
    ranked_skills.sort_by(|a, b| a.latest.total_cmp(&b.latest));
    let weakest: Vec<&SkillView> = ranked_skills.into_iter().take(2).collect();
    let workflows = workflow_views(inputs, partner, &latest_states);
    let listed = |id: &str| record.workflows.iter().any(|w| w.id == id);
    let open_workflows: Vec<String> = workflows
        .iter()
        .filter(|w| !w.embedded && listed(&w.id))
        .map(|w| w.id.clone())
        .collect();
    let weakest_ids: Vec<String> = weakest.iter().map(|s| s.id.clone()).collect();
    let typical_level =
        analytics::typical_level(standings.latest().iter().flatten().map(|s| s.level));
    let recommendations = analytics::recommendations(
        partner,
        &weakest_ids,
        &open_workflows,
        typical_level,
        &inputs.modules,
    )
    .into_iter()
    .map(|recommended| recommendation(config, &recommended, &weakest_ids, &open_workflows))
    .collect();
    let own_workflows: Vec<_> = record.workflows.iter().collect();
    let hours_by_quarter = super::views::hours_by_quarter(&inputs.quarters, &own_workflows);
    let roi = partner_roi(inputs, partner);
    let flags = analytics::flags(partner, &latest_states, inputs.latest);
    let score_change = score_movement.map(|m| m.to - m.from);
    let facts = health::Facts::of(
        partner,
        &latest_states,
        &flags,
        score_change,
        inputs.baseline,
        inputs.latest,
    );
    let health = health::health(&facts);
    let warnings = health::warnings(&facts);
    let summary = PartnerSummary {
        id: partner.id.clone(),
        name: record.name.clone(),
        url: inputs.url(&format!("/partners/{}/", partner.id)),
        tier: record.tier,
        region: record.region.clone(),
        partner_type: record.partner_type,
        owner: record.owner.clone(),
        headcount: latest.len(),
        headcount_baseline: baseline.len(),
        levels: inputs.levels(&latest),
        levels_baseline: inputs.levels(&baseline),
        score,
        score_baseline,
        score_movement,
        score_change,
        roi: roi.roi.filter(|_| roi.roi_meaningful),
        benefits: roi.benefits,
        investment: roi.investment,
        payback_months: roi.payback_months,
        payback: roi.payback,
        hours_saved_latest: hours_by_quarter.last().map_or(0.0, |p| p.value),
        embedded_count: workflows.iter().filter(|w| w.embedded).count(),
        warning_count: flags.len() + warnings.len(),
        flags,
        warnings,
        health,
    };
    let people = if config.program.show_people {
        present_people
            .iter()
            .map(|i| &record.people[*i])
            .zip(&latest_states)
            .map(|(person, state)| PersonView {
                id: person.id.clone(),
                role: person.role.clone(),
                level: config
                    .levels
                    .get(state.level)
                    .map_or_else(TermRef::default, |l| inputs.catalog_ref("levels", l)),
                score: state.score,
                mean_score: state.mean_score,
            })
            .collect()
    } else {
        Vec::new()
    };
    let view = PartnerView {
        baseline_quarter: inputs.baseline.to_string(),
        latest_quarter: inputs.latest.to_string(),
        level_rows,
        skill_bars: skills
            .iter()
            .map(|s| Point {
                label: s.title.clone(),
                value: s.latest,
                compare: s.baseline,
            })
            .collect(),
        weakest_skills: weakest
            .iter()
            .filter_map(|s| config.skills.iter().find(|e| e.id == s.id))
            .map(|e| inputs.catalog_ref("skills", e))
            .collect(),
        hours_bars: workflows
            .iter()
            .filter(|w| w.embedded)
            .map(|w| Point {
                label: w.title.clone(),
                value: w.hours_saved_latest,
                compare: None,
            })
            .collect(),
        skills,
        workflows,
        hours_by_quarter,
        kpis: partner_kpi_views(inputs, partner),
        recommendations,
        roi_breakdown: roi_view(
            config,
            roi,
            (!analytics::kpi_records(partner).contains_key(&inputs.baseline))
                .then_some(inputs.baseline),
        ),
        people,
        source: partner.source.clone(),
        summary,
    };
    (view, standings)
}

/// Below this share of the program cost, a partner's ROI is shown as
/// benefit and cost side by side, without a percentage: a small allocated
/// cost makes the ratio swing by thousands of percent on noise in the KPIs.
pub(super) const MEANINGFUL_COST_SHARE: f64 = 0.05;

/// A partner's ROI, measured against its cost as [`ViewInputs::cost`] says,
/// each quarter for the people who belong then.
fn partner_roi(inputs: &ViewInputs, partner: &PartnerFile) -> Roi {
    let program = &inputs.config.program;
    let period = inputs.period();
    let members = |quarter: Quarter| analytics::headcount_at(partner, quarter) as f64;
    let investment = &program.investment;
    let program_per_quarter = investment.licences_per_quarter + investment.enablement_per_quarter;
    let cost_in = |quarter: Quarter| match &inputs.cost {
        Cost::HeadcountShare { total_headcount } => match total_headcount.get(&quarter) {
            Some(&total) if total > 0 => program_per_quarter * members(quarter) / total as f64,
            _ => 0.0,
        },
        Cost::PerPerson(rate) => rate.unwrap_or(0.0) * members(quarter),
    };
    let roi = roi::roi(
        partner,
        program,
        inputs.baseline,
        &period,
        &inputs.comparison,
        cost_in,
    );
    let meaningful = match inputs.cost {
        Cost::HeadcountShare { .. } => {
            let program_cost = program_per_quarter * period.len() as f64;
            program_cost > 0.0 && roi.investment / program_cost >= MEANINGFUL_COST_SHARE
        }
        // The partner's own cost at its own rate: a cost it bears in full,
        // not an allocated slice, so its ratio is shown whenever there is one.
        Cost::PerPerson(_) => true,
    };
    Roi {
        roi_meaningful: meaningful,
        ..roi
    }
}

/// Why a module is recommended: the modules it is needed first for, the
/// weakest skills it teaches and the open workflows it improves.
fn recommendation(
    config: &Config,
    recommended: &Recommended,
    weakest: &[String],
    open: &[String],
) -> Recommendation {
    let module = recommended.module;
    let title = |catalog: &[CatalogEntry], id: &str| {
        catalog
            .iter()
            .find(|e| e.id == id)
            .map_or(id.to_string(), |e| e.title.clone())
    };
    let mut reasons: Vec<String> = recommended
        .needed_by
        .iter()
        .map(|later| format!("needed first for {}, not yet completed", later.title))
        .collect();
    reasons.extend(
        module
            .front
            .skills
            .iter()
            .filter(|s| weakest.contains(s))
            .map(|s| {
                format!(
                    "teaches {}, one of the weakest skills",
                    title(&config.skills, s)
                )
            }),
    );
    reasons.extend(
        module
            .front
            .workflows
            .iter()
            .filter(|w| open.contains(w))
            .map(|w| {
                format!(
                    "improves {}, not yet AI-embedded",
                    title(&config.workflows, w)
                )
            }),
    );
    Recommendation {
        source: module.source.clone(),
        reasons,
    }
}

/// Each catalogue skill's mean score, latest and at the baseline.
fn skill_profile(inputs: &ViewInputs, timelines: &[PersonTimeline]) -> Vec<SkillView> {
    // Each person's latest assessment by the end of a quarter, found once for every skill.
    let assessed = |quarter: Quarter| -> Vec<&Assessment> {
        let end = quarter.last_day();
        timelines
            .iter()
            .filter(|t| t.member_at(quarter))
            .filter_map(|t| t.assessment_at(end))
            .collect()
    };
    let (latest, baseline) = (assessed(inputs.latest), assessed(inputs.baseline));
    let mean = |assessments: &[&Assessment], skill: &str| -> Option<f64> {
        let scores: Vec<f64> = assessments
            .iter()
            .map(|a| a.scores.get(skill).copied().unwrap_or(0.0))
            .collect();
        (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64)
    };
    inputs
        .config
        .skills
        .iter()
        .map(|skill| {
            let reference = inputs.catalog_ref("skills", skill);
            SkillView {
                id: reference.id,
                title: reference.link.title,
                url: reference.link.url,
                latest: mean(&latest, &skill.id).unwrap_or(0.0),
                baseline: mean(&baseline, &skill.id),
            }
        })
        .collect()
}

/// Each catalogue workflow as the partner runs it.
fn workflow_views(
    inputs: &ViewInputs,
    partner: &PartnerFile,
    states: &[PersonState],
) -> Vec<WorkflowView> {
    inputs
        .config
        .workflows
        .iter()
        .map(|entry| {
            let record = partner.record.workflows.iter().find(|w| w.id == entry.id);
            let reference = inputs.catalog_ref("workflows", entry);
            WorkflowView {
                id: reference.id,
                title: reference.link.title,
                url: reference.link.url,
                embedded: record.is_some_and(|w| analytics::is_embedded(w, inputs.latest)),
                claimed_embedded: record.is_some_and(|w| w.embedded),
                since: record.and_then(|w| w.since.clone()),
                documented: record.is_some_and(|w| w.documented),
                quality_standard: record.is_some_and(|w| w.quality_standard),
                minutes_before: record.and_then(|w| w.minutes_before),
                minutes_after: record.and_then(|w| w.minutes_after),
                runs_per_quarter: record.map_or(0.0, |w| w.runs_per_quarter),
                hours_saved_latest: record
                    .map_or(0.0, |w| analytics::hours_saved(w, inputs.latest)),
                users: states
                    .iter()
                    .filter(|s| s.ai_workflows.contains(&entry.id))
                    .count(),
            }
        })
        .collect()
}
