//! The ROI method: a partner's benefits and cost quarter by quarter (the
//! cash flows), from which come the ROI, the payback month (where cumulative
//! benefits first stay above cumulative cost), a low / base / high range from
//! the per-component risk adjustments of `site.toml`, the attribution share
//! at which the ROI breaks even and, with a discount rate, the NPV. KPI-based
//! benefits count from a partner's first embedded workflow on, netted against
//! the comparison group (the partners with no embedded workflow) and
//! multiplied by one attribution share; saved hours count at their
//! realisation factor. Pure functions of the partner records and the program
//! assumptions; every formula is documented in `docs/metrics.md`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::base::quarter::Quarter;
use crate::input::config::{Program, Risk};
use crate::partners::analytics::{self, embedded_workflows, hours_saved};
use crate::partners::metrics::PartnerFile;

/// One quarter's cash flows, base case.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QuarterFlow {
    /// `YYYY-Qn`.
    pub quarter: String,
    /// Hours saved by embedded workflows.
    pub hours_saved: f64,
    /// `hours_saved × hourly_cost × time_realisation`.
    pub time_value: f64,
    /// Cost-to-serve reduction against the baseline, net of the comparison
    /// group's, before attribution; 0 before the first embedded workflow.
    pub cost_to_serve_net: f64,
    /// Margin uplift against the baseline, net of the comparison group's,
    /// before attribution; 0 before the first embedded workflow.
    pub margin_net: f64,
    /// `cost_to_serve_net × kpi_attribution`.
    pub cost_to_serve: f64,
    /// `margin_net × kpi_attribution`.
    pub margin: f64,
    /// Revenue change against the baseline: shown, never added.
    pub revenue_change: f64,
    /// `time_value + cost_to_serve + margin`.
    pub benefits: f64,
    /// The quarter's cost.
    pub cost: f64,
    /// Σ (benefits − cost) up to the end of this quarter.
    pub cumulative_net: f64,
}

/// Whether and when the cumulative benefits repay the cumulative cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaybackStatus {
    /// Paid back, at `payback_months`.
    PaidBack,
    /// There is a cost, but cumulative benefits are still below it.
    NotYet,
    /// No cost recorded: nothing to pay back.
    #[default]
    NoCost,
    /// No quarter after the baseline.
    NoData,
}

/// The figures of one case of the range.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scenario {
    /// Benefits over the period.
    pub benefits: f64,
    /// `(benefits − investment) / investment`; none without investment.
    pub roi: Option<f64>,
    /// Months from the start of the period until cumulative net stays
    /// non-negative; none unless `payback` is `paid_back`.
    pub payback_months: Option<f64>,
    /// Why there is or is not a payback month.
    pub payback: PaybackStatus,
    /// Net present value of the quarterly net cash flows, with a discount rate.
    pub npv: Option<f64>,
}

/// Which attribution share the ROI breaks even at (base case).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[serde(tag = "kind", content = "share", rename_all = "snake_case")]
pub enum BreakEven {
    /// ROI is not negative while the attribution is at least this share (0 to 1).
    Above(f64),
    /// ROI is not negative at any attribution, even 0%.
    Always,
    /// ROI is negative at any attribution, even 100%.
    #[default]
    Never,
    /// No investment, so no ROI.
    NoCost,
}

/// The ROI of the program over the quarters after the baseline.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Roi {
    /// Hours saved by embedded workflows, summed over the period.
    pub hours_saved: f64,
    /// `hours_saved × hourly_cost`, before the realisation factor.
    pub time_value_gross: f64,
    /// `time_value_gross × time_realisation`.
    pub time_value: f64,
    /// Σ attributed, netted cost-to-serve reduction.
    pub cost_to_serve_reduction: f64,
    /// Σ netted margin uplift, before attribution.
    pub margin_uplift: f64,
    /// Σ attributed, netted margin uplift.
    pub attributed_margin: f64,
    /// Σ (quarter's revenue − baseline revenue): shown, never added to benefits.
    pub revenue_change: f64,
    /// `time_value + cost_to_serve_reduction + attributed_margin`.
    pub benefits: f64,
    /// The program's cost over the period (a partner's share or own cost).
    pub investment: f64,
    /// Base case ROI; none without investment.
    pub roi: Option<f64>,
    /// Base case payback month.
    pub payback_months: Option<f64>,
    /// Base case payback status.
    pub payback: PaybackStatus,
    /// Base case NPV, with a discount rate.
    pub npv: Option<f64>,
    /// Every benefit component reduced by its risk adjustment.
    pub low: Scenario,
    /// Every benefit component increased by its risk adjustment.
    pub high: Scenario,
    /// The attribution share at which the base ROI is zero.
    pub break_even: BreakEven,
    /// Whether an ROI percentage means something for this cost (see
    /// `docs/metrics.md`); figures are computed either way.
    pub roi_meaningful: bool,
    /// The quarter of the partner's first embedded workflow, from which its
    /// KPI benefits count; none for the ecosystem or a partner without one.
    pub attributed_from: Option<String>,
    /// Whether KPI changes were netted against a comparison group (there
    /// was one in the data).
    pub compared: bool,
    /// Number of quarters after the baseline.
    pub quarters: usize,
    /// The cash flows, one per quarter of the period.
    pub flows: Vec<QuarterFlow>,
}

/// The comparison group's mean relative KPI change against the baseline,
/// per quarter: what an embedder's KPIs would have done without the program.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Comparison {
    /// Quarter → the group's change then.
    pub by_quarter: BTreeMap<Quarter, GroupChange>,
    /// Partners with no embedded workflow, in the data.
    pub partners: usize,
}

/// A group's mean relative KPI change in one quarter against the baseline,
/// over the partners that reported both (and a non-zero baseline value).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct GroupChange {
    /// Partners that reported both quarters.
    pub reported: usize,
    /// Mean of `(baseline − quarter) / baseline` for cost to serve.
    pub cost_to_serve_reduction: Option<f64>,
    /// Mean of `(quarter − baseline) / baseline` for margin.
    pub margin_uplift: Option<f64>,
}

/// The quarter of a partner's first embedded workflow, if any.
pub fn first_embedded(partner: &PartnerFile) -> Option<Quarter> {
    embedded_workflows(&partner.record.workflows)
        .into_iter()
        .map(|(_, since)| since)
        .min()
}

/// The mean relative change of `partners` in `quarter` against `baseline`,
/// like for like: only partners that reported both quarters count.
pub fn group_change<'a>(
    partners: impl IntoIterator<Item = &'a PartnerFile>,
    baseline: Quarter,
    quarter: Quarter,
) -> GroupChange {
    let (mut reported, mut cts, mut margin) = (0, Vec::new(), Vec::new());
    for partner in partners {
        let kpis = analytics::kpi_records(partner);
        let (Some(base), Some(now)) = (kpis.get(&baseline), kpis.get(&quarter)) else {
            continue;
        };
        reported += 1;
        if base.cost_to_serve != 0.0 {
            cts.push((base.cost_to_serve - now.cost_to_serve) / base.cost_to_serve.abs());
        }
        if base.margin_contribution != 0.0 {
            margin.push(
                (now.margin_contribution - base.margin_contribution)
                    / base.margin_contribution.abs(),
            );
        }
    }
    let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    GroupChange {
        reported,
        cost_to_serve_reduction: mean(&cts),
        margin_uplift: mean(&margin),
    }
}

impl Comparison {
    /// The comparison group of `partners`: those without any embedded
    /// workflow, their change in every quarter of `period`.
    pub fn of(partners: &[PartnerFile], baseline: Quarter, period: &[Quarter]) -> Comparison {
        let group: Vec<&PartnerFile> = partners
            .iter()
            .filter(|p| first_embedded(p).is_none())
            .collect();
        if group.is_empty() {
            return Comparison::default();
        }
        Comparison {
            by_quarter: period
                .iter()
                .map(|q| (*q, group_change(group.iter().copied(), baseline, *q)))
                .collect(),
            partners: group.len(),
        }
    }
}

/// A partner's ROI over `period` (the quarters after `baseline`), with
/// `cost_in` its cost in each quarter of the period (accruing whether or not
/// it reported KPIs then). KPI benefits need the baseline and
/// the quarter, and count from its first embedded workflow on.
pub fn roi(
    partner: &PartnerFile,
    program: &Program,
    baseline: Quarter,
    period: &[Quarter],
    comparison: &Comparison,
    cost_in: impl Fn(Quarter) -> f64,
) -> Roi {
    let kpis = analytics::kpi_records(partner);
    let base = kpis.get(&baseline);
    let from = first_embedded(partner);
    let flows = period
        .iter()
        .map(|quarter| {
            let hours: f64 = partner
                .record
                .workflows
                .iter()
                .map(|w| hours_saved(w, *quarter))
                .sum();
            let mut flow = QuarterFlow {
                quarter: quarter.to_string(),
                hours_saved: hours,
                time_value: hours * program.hourly_cost * program.time_realisation,
                cost: cost_in(*quarter),
                ..QuarterFlow::default()
            };
            if let (Some(base), Some(now)) = (base, kpis.get(quarter)) {
                flow.revenue_change = now.partner_sourced_revenue - base.partner_sourced_revenue;
                if from.is_some_and(|from| from <= *quarter) {
                    let expected = comparison
                        .by_quarter
                        .get(quarter)
                        .copied()
                        .unwrap_or_default();
                    flow.cost_to_serve_net = base.cost_to_serve
                        - now.cost_to_serve
                        - base.cost_to_serve.abs()
                            * expected.cost_to_serve_reduction.unwrap_or(0.0);
                    flow.margin_net = now.margin_contribution
                        - base.margin_contribution
                        - base.margin_contribution.abs() * expected.margin_uplift.unwrap_or(0.0);
                }
            }
            flow
        })
        .collect();
    Roi {
        flows,
        attributed_from: from.map(|q| q.to_string()),
        roi_meaningful: true,
        compared: comparison.partners > 0,
        ..Roi::default()
    }
    .finish(program)
}

/// The range's adjustment of a benefit `value` with risk `risk`: towards the
/// worse by `risk × |value|` (low, `sign` −1) or the better (high, +1).
fn adjusted(value: f64, risk: f64, sign: f64) -> f64 {
    value + sign * risk * value.abs()
}

impl Roi {
    /// Fills in every derived figure from the flows' components.
    pub fn finish(mut self, program: &Program) -> Roi {
        let attribution = program.kpi_attribution;
        let mut cumulative = 0.0;
        for flow in &mut self.flows {
            flow.cost_to_serve = flow.cost_to_serve_net * attribution;
            flow.margin = flow.margin_net * attribution;
            flow.benefits = flow.time_value + flow.cost_to_serve + flow.margin;
            cumulative += flow.benefits - flow.cost;
            flow.cumulative_net = cumulative;
        }
        // Folded from +0: an empty `sum` of floats is −0, which exports would print.
        let sum = |of: fn(&QuarterFlow) -> f64| self.flows.iter().map(of).fold(0.0, |a, b| a + b);
        self.hours_saved = sum(|f| f.hours_saved);
        self.time_value = sum(|f| f.time_value);
        self.time_value_gross = if program.time_realisation > 0.0 {
            self.time_value / program.time_realisation
        } else {
            self.hours_saved * program.hourly_cost
        };
        self.cost_to_serve_reduction = sum(|f| f.cost_to_serve);
        self.margin_uplift = sum(|f| f.margin_net);
        self.attributed_margin = sum(|f| f.margin);
        self.revenue_change = sum(|f| f.revenue_change);
        self.investment = sum(|f| f.cost);
        self.quarters = self.flows.len();
        let base = self.scenario(program, 0.0);
        self.benefits = base.benefits;
        self.roi = base.roi;
        self.payback_months = base.payback_months;
        self.payback = base.payback;
        self.npv = base.npv;
        self.low = self.scenario(program, -1.0);
        self.high = self.scenario(program, 1.0);
        let kpi_net = sum(|f| f.cost_to_serve_net + f.margin_net);
        self.break_even = break_even(self.time_value, kpi_net, self.investment);
        self
    }

    /// The case `sign` of the range: 0 base, −1 low, +1 high.
    fn scenario(&self, program: &Program, sign: f64) -> Scenario {
        let Risk {
            time,
            cost_to_serve,
            margin,
        } = program.risk;
        let flows: Vec<(f64, f64)> = self
            .flows
            .iter()
            .map(|f| {
                let benefits = adjusted(f.time_value, time, sign)
                    + adjusted(f.cost_to_serve, cost_to_serve, sign)
                    + adjusted(f.margin, margin, sign);
                (benefits, f.cost)
            })
            .collect();
        let benefits = flows.iter().fold(0.0, |sum, (b, _)| sum + b);
        let (payback_months, payback) = payback(&flows);
        Scenario {
            benefits,
            roi: (self.investment > 0.0).then(|| (benefits - self.investment) / self.investment),
            payback_months,
            payback,
            npv: program.discount_rate.map(|rate| npv(&flows, rate)),
        }
    }

    /// Adds another ROI's flows, quarter by quarter (for ecosystem totals);
    /// [`Roi::finish`] then works out the derived figures.
    pub fn add(&mut self, other: &Roi) {
        for (at, flow) in other.flows.iter().enumerate() {
            if self.flows.len() <= at {
                self.flows.push(QuarterFlow {
                    quarter: flow.quarter.clone(),
                    ..QuarterFlow::default()
                });
            }
            let sum = &mut self.flows[at];
            sum.hours_saved += flow.hours_saved;
            sum.time_value += flow.time_value;
            sum.cost_to_serve_net += flow.cost_to_serve_net;
            sum.margin_net += flow.margin_net;
            sum.revenue_change += flow.revenue_change;
            sum.cost += flow.cost;
        }
        self.roi_meaningful = true;
        self.compared |= other.compared;
    }
}

/// When cumulative net (benefits − cost) turns non-negative for good, from
/// `(benefits, cost)` per quarter: the month, from the start of the period,
/// after which it is non-negative at every quarter's end. Within a quarter
/// its cost is committed at the start and its benefits accrue evenly, so
/// the month is interpolated in the quarter after the last quarter that
/// ended below zero.
pub fn payback(flows: &[(f64, f64)]) -> (Option<f64>, PaybackStatus) {
    if flows.is_empty() {
        return (None, PaybackStatus::NoData);
    }
    if flows.iter().all(|(_, cost)| *cost <= 0.0) {
        return (None, PaybackStatus::NoCost);
    }
    let ends: Vec<f64> = flows
        .iter()
        .scan(0.0, |cumulative, (benefits, cost)| {
            *cumulative += benefits - cost;
            Some(*cumulative)
        })
        .collect();
    let after = match ends.iter().rposition(|end| *end < 0.0) {
        Some(last) if last + 1 == ends.len() => return (None, PaybackStatus::NotYet),
        Some(last) => last + 1,
        None => 0,
    };
    let before = if after == 0 { 0.0 } else { ends[after - 1] };
    let (benefits, cost) = flows[after];
    let start = before - cost;
    // start < 0 ≤ end means benefits > 0.
    let within = if start < 0.0 { -start / benefits } else { 0.0 };
    (Some(3.0 * (after as f64 + within)), PaybackStatus::PaidBack)
}

/// Net present value at `annual_rate`, discounted quarterly: each quarter's
/// cost at its start, its benefits at its end.
pub fn npv(flows: &[(f64, f64)], annual_rate: f64) -> f64 {
    let quarterly = (1.0 + annual_rate).powf(0.25);
    flows
        .iter()
        .enumerate()
        .map(|(at, (benefits, cost))| {
            benefits / quarterly.powi(at as i32 + 1) - cost / quarterly.powi(at as i32)
        })
        .sum()
}

/// The attribution share at which `time_value + share × kpi_net` equals
/// `investment`.
pub fn break_even(time_value: f64, kpi_net: f64, investment: f64) -> BreakEven {
    if investment <= 0.0 {
        return BreakEven::NoCost;
    }
    let shortfall = investment - time_value;
    if shortfall <= 0.0 && kpi_net >= 0.0 {
        return BreakEven::Always;
    }
    if kpi_net <= 0.0 {
        // More attribution only lowers (or keeps) the benefits.
        return if shortfall <= 0.0 {
            BreakEven::Always
        } else {
            BreakEven::Never
        };
    }
    let share = shortfall / kpi_net;
    if share <= 0.0 {
        BreakEven::Always
    } else if share > 1.0 {
        BreakEven::Never
    } else {
        BreakEven::Above(share)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payback_is_where_cumulative_net_stays_non_negative() {
        // Cost 100 a quarter; benefits 50, 150, 200: cumulative −50, 0, 100.
        let flows = [(50.0, 100.0), (150.0, 100.0), (200.0, 100.0)];
        // Q2 starts at −150 and gains 150 over 3 months: month 3 + 3.
        assert_eq!(payback(&flows), (Some(6.0), PaybackStatus::PaidBack));
        assert_eq!(payback(&flows[..1]), (None, PaybackStatus::NotYet));
        assert_eq!(payback(&[(5.0, 0.0)]), (None, PaybackStatus::NoCost));
        assert_eq!(payback(&[]), (None, PaybackStatus::NoData));
        // Paid back, then behind again: not yet.
        assert_eq!(
            payback(&[(200.0, 100.0), (0.0, 100.0), (0.0, 100.0)]).1,
            PaybackStatus::NotYet
        );
    }

    #[test]
    fn break_even_solves_for_the_attribution_share() {
        assert_eq!(break_even(50.0, 200.0, 100.0), BreakEven::Above(0.25));
        assert_eq!(break_even(150.0, 10.0, 100.0), BreakEven::Always);
        assert_eq!(break_even(50.0, 20.0, 100.0), BreakEven::Never);
        assert_eq!(break_even(50.0, -20.0, 100.0), BreakEven::Never);
        assert_eq!(break_even(50.0, 20.0, 0.0), BreakEven::NoCost);
    }

    #[test]
    fn npv_discounts_costs_at_the_start_and_benefits_at_the_end() {
        let rate = 1.1_f64.powi(4) - 1.0;
        let value = npv(&[(110.0, 100.0), (121.0, 0.0)], rate);
        assert!((value - (100.0 - 100.0 + 100.0)).abs() < 1e-9, "{value}");
    }
}
