//! The executive summary's sentences ("In brief"). Rust works out what they
//! say, the facts: figures, names, which case applies. The wording belongs
//! to the theme: `partials/narrative.html` and one template per sentence in
//! `partials/narrative/`, which a site overrides like any template
//! (docs/templates.md). `metrics.json` holds the same sentences in the
//! default theme's wording, written here from the same facts, so the data
//! file reads the same whatever theme a site uses; a test holds the two
//! wordings to each other.

use std::collections::BTreeSet;

use serde::Serialize;

use super::executive::ExecutiveFigures;
use super::views::{FlagCount, PartnerView};
use crate::base::format::{format_currency, format_number};
use crate::input::config::Config;
use crate::partners::roi::PaybackStatus;

/// What the executive summary's sentences say, as templates receive it
/// (`report.narrative_facts`).
#[derive(Debug, Clone, Serialize)]
pub struct NarrativeFacts {
    /// Partners in the summary.
    partners: usize,
    /// People in the program at the latest quarter.
    headcount: usize,
    /// The highest level's title as configured (`practitioner` without
    /// levels); the sentence writes it in lower case.
    top_level: String,
    /// Share of people at the highest level at the baseline (0–1).
    top_level_share_baseline: f64,
    /// The same share at the latest quarter.
    top_level_share: f64,
    /// Baseline quarter.
    baseline_quarter: String,
    /// Latest quarter.
    latest_quarter: String,
    /// Currency code of every amount.
    currency: String,
    /// Loaded cost of an hour.
    hourly_cost: f64,
    /// Share of saved time reused for paid work (0–1).
    time_realisation: f64,
    /// Hours saved by embedded workflows after the baseline.
    hours_saved: f64,
    /// Quarters after the baseline.
    quarters: usize,
    /// Value of those hours.
    time_value: f64,
    /// Benefits over the period.
    benefits: f64,
    /// Investment over the period.
    investment: f64,
    /// ROI ratio; none without an investment.
    roi: Option<f64>,
    /// The ROI's low and high cases (risk-adjusted).
    roi_low: Option<f64>,
    roi_high: Option<f64>,
    /// Months until cumulative benefits passed cumulative cost; none
    /// unless `payback` is `paid_back`.
    payback_months: Option<f64>,
    /// Paid back, not yet, no cost or no data.
    payback: PaybackStatus,
    /// How much rests on one partner, with two or more partners.
    concentration: Option<Concentrated>,
    /// Partner-sourced revenue against the baseline (0.13: 13 % above),
    /// when both quarters have a figure.
    revenue_vs_baseline: Option<f64>,
    /// The partners that moved most and least, with two or more partners.
    movers: Option<Movers>,
    /// The failure patterns found, when any partner shows one.
    flags: Option<Flagged>,
}

/// The partner with the largest benefits, and what the rest return.
#[derive(Debug, Clone, Serialize)]
pub struct Concentrated {
    /// Its name.
    top: String,
    /// Its share of the benefits (0–1).
    top_share: f64,
    /// The ROI of the other partners; none without their cost.
    roi_without_top: Option<f64>,
    /// Partners whose benefits are below their cost.
    below_zero: usize,
    /// Partners in the summary.
    partners: usize,
}

/// The ends of the ranking by movement.
#[derive(Debug, Clone, Serialize)]
pub struct Movers {
    /// The partner whose score rose most.
    most: Mover,
    /// The partner whose score rose least (or fell most).
    least: Mover,
}

/// A partner and its movement.
#[derive(Debug, Clone, Serialize)]
pub struct Mover {
    /// Company name.
    name: String,
    /// Change of its proficiency score since the baseline (0 without one).
    score_change: f64,
    /// That change as the sentence writes it: always signed, in whole
    /// points (`+28`, `-3`).
    signed: String,
}

/// How many partners show a failure pattern, and the most common one.
#[derive(Debug, Clone, Serialize)]
pub struct Flagged {
    /// Partners showing at least one pattern.
    partners: usize,
    /// The most common pattern's title as defined (the sentence writes it in
    /// lower case).
    most_common: String,
    /// Partners showing that pattern.
    count: usize,
}

impl NarrativeFacts {
    /// The facts of the summary with `figures`, its partners `ranked` by
    /// movement (places among `views`) and its `flag_counts`.
    pub(super) fn new(
        config: &Config,
        figures: &ExecutiveFigures,
        ranked: &[usize],
        flag_counts: &[FlagCount],
        views: &[PartnerView],
    ) -> NarrativeFacts {
        let program = &config.program;
        let roi = &figures.roi.roi;
        let mover = |at: usize| {
            let change = views[at].summary.score_change.unwrap_or(0.0);
            Mover {
                name: views[at].summary.name.clone(),
                score_change: change,
                signed: format!("{change:+.0}"),
            }
        };
        let movers = match ranked {
            [first, .., last] => Some(Movers {
                most: mover(*first),
                least: mover(*last),
            }),
            _ => None,
        };
        // The last of equally common patterns, as `max_by_key` picks.
        let flags = flag_counts.iter().max_by_key(|f| f.count).map(|most| {
            let flagged: BTreeSet<&str> = flag_counts
                .iter()
                .flat_map(|f| f.partners.iter().map(|p| p.name.as_str()))
                .collect();
            Flagged {
                partners: flagged.len(),
                most_common: most.title.to_string(),
                count: most.count,
            }
        });
        let revenue_vs_baseline = figures
            .kpis
            .iter()
            .find(|k| k.id == "partner_sourced_revenue")
            .and_then(|k| k.vs_baseline)
            .and_then(|d| d.relative);
        NarrativeFacts {
            partners: figures.partners,
            headcount: figures.headcount,
            top_level: config
                .levels
                .last()
                .map_or("practitioner".to_string(), |l| l.title.clone()),
            top_level_share_baseline: figures.practitioner_share_baseline,
            top_level_share: figures.practitioner_share,
            baseline_quarter: figures.baseline_quarter.clone(),
            latest_quarter: figures.latest_quarter.clone(),
            currency: program.currency.clone(),
            hourly_cost: program.hourly_cost,
            time_realisation: program.time_realisation,
            hours_saved: roi.hours_saved,
            quarters: roi.quarters,
            time_value: roi.time_value,
            benefits: roi.benefits,
            investment: roi.investment,
            roi: roi.roi,
            roi_low: roi.low.roi,
            roi_high: roi.high.roi,
            payback_months: roi.payback_months,
            payback: roi.payback,
            concentration: concentrated(figures),
            revenue_vs_baseline,
            movers,
            flags,
        }
    }

    /// The sentences in the default theme's wording, as plain text: what
    /// `metrics.json` holds. Keep in step with
    /// `themes/default/templates/partials/narrative/`.
    pub(super) fn sentences(&self) -> Vec<String> {
        let money = |v: f64| format_currency(v, &self.currency, 0);
        let percent = |v: f64| format!("{}%", format_number(v * 100.0, 0));
        let mut sentences = vec![format!(
            "Across {} and {}, the share of {}s moved from {} in {} to {} in {}.",
            count(self.partners, "partner", "partners"),
            count(self.headcount, "person", "people"),
            self.top_level.to_lowercase(),
            percent(self.top_level_share_baseline),
            self.baseline_quarter,
            percent(self.top_level_share),
            self.latest_quarter
        )];
        sentences.push(format!(
            "Embedded workflows saved {} hours over {} after the baseline, worth {} at {} an hour and {} realisation.",
            format_number(self.hours_saved, 0),
            count(self.quarters, "quarter", "quarters"),
            money(self.time_value),
            money(self.hourly_cost),
            percent(self.time_realisation)
        ));
        let range = match (self.roi_low, self.roi_high) {
            (Some(low), Some(high)) => format!(" (low {}, high {})", percent(low), percent(high)),
            _ => String::new(),
        };
        sentences.push(match (self.roi, self.payback_months) {
            (Some(ratio), Some(months)) => format!(
                "Benefits of {} against an investment of {} give an ROI of {}{range}; cumulative benefits passed cumulative cost {} months into the period.",
                money(self.benefits),
                money(self.investment),
                percent(ratio),
                format_number(months, 1)
            ),
            (Some(ratio), None) => format!(
                "Benefits of {} against an investment of {} give an ROI of {}{range}; cumulative benefits have not yet passed cumulative cost.",
                money(self.benefits),
                money(self.investment),
                percent(ratio)
            ),
            _ => format!(
                "Benefits total {}; no investment is set in site.toml, so no ROI is computed.",
                money(self.benefits)
            ),
        });
        if let Some(c) = &self.concentration {
            let without = c.roi_without_top.map_or_else(String::new, |r| {
                format!("; without it the others' ROI is {}", percent(r))
            });
            sentences.push(format!(
                "{} accounts for {} of the benefits{without}. {} of {} have benefits below their cost.",
                c.top,
                percent(c.top_share),
                c.below_zero,
                count(c.partners, "partner", "partners"),
            ));
        }
        if let Some(relative) = self.revenue_vs_baseline {
            sentences.push(format!(
                "Partner-sourced revenue is {} {} baseline; it is reported but not counted as a benefit, because the attributed margin already carries its effect.",
                percent(relative.abs()),
                if relative >= 0.0 { "above" } else { "below" }
            ));
        }
        if let Some(Movers { most, least }) = &self.movers {
            sentences.push(format!(
                "{} moved most (proficiency score {}); {} moved least ({}).",
                most.name, most.signed, least.name, least.signed
            ));
        }
        if let Some(flags) = &self.flags {
            sentences.push(format!(
                "{} {} a failure pattern; the most common is {} ({}).",
                count(flags.partners, "partner", "partners"),
                if flags.partners == 1 { "shows" } else { "show" },
                flags.most_common.to_lowercase(),
                flags.count
            ));
        }
        sentences
    }
}

/// The concentration facts, with two or more partners and positive benefits.
fn concentrated(figures: &ExecutiveFigures) -> Option<Concentrated> {
    let c = &figures.concentration;
    let top = c.top.as_ref().filter(|_| c.partners >= 2)?;
    Some(Concentrated {
        top: top.name.clone(),
        top_share: c.top_share?,
        roi_without_top: c.roi_without_top,
        below_zero: c.below_zero,
        partners: c.partners,
    })
}

/// `1 partner`, `3 partners`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::input::theme::{TemplateSource, Theme};
    use crate::render::markdown::LinkTargets;
    use crate::render::templates::Templates;

    /// The built-in narrative templates, and two to render them with: the
    /// partial as `executive.html` includes it, and the plain sentences as
    /// that page listed them before the wording moved into templates.
    fn templates() -> Templates {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
        let mut theme = Theme::default();
        let mut add = |name: &str, text: String| {
            let source = TemplateSource {
                file: Path::new("themes/default/templates").join(name),
                text: Arc::from(text),
            };
            theme.templates.insert(name.to_string(), source);
        };
        let sentences = [
            "levels",
            "hours",
            "roi",
            "concentration",
            "revenue",
            "movers",
            "flags",
        ];
        for name in sentences.map(|s| format!("partials/narrative/{s}.html")) {
            add(
                &name,
                std::fs::read_to_string(root.join(&name)).expect(&name),
            );
        }
        let list = "partials/narrative.html";
        add(list, std::fs::read_to_string(root.join(list)).expect(list));
        for name in sentences {
            add(
                &format!("{name}.html"),
                format!("{{%- include \"partials/narrative/{name}.html\" -%}}"),
            );
        }
        add("sentence.html", "{{ sentence }}".to_string());
        Templates::new(&theme, Arc::new(LinkTargets::default()), Vec::new()).expect("compiles")
    }

    fn facts() -> NarrativeFacts {
        let mover = |name: &str, change: f64| Mover {
            name: name.to_string(),
            score_change: change,
            signed: format!("{change:+.0}"),
        };
        NarrativeFacts {
            partners: 12,
            headcount: 1500,
            top_level: "Practitioner".to_string(),
            top_level_share_baseline: 0.0,
            top_level_share: 0.194,
            baseline_quarter: "2025-Q2".to_string(),
            latest_quarter: "2026-Q3".to_string(),
            currency: "USD".to_string(),
            hourly_cost: 95.0,
            time_realisation: 0.5,
            hours_saved: 5555.5,
            quarters: 5,
            time_value: 52804.4,
            benefits: 555404.0,
            investment: 275000.0,
            roi: Some(1.02),
            roi_low: Some(0.41),
            roi_high: Some(1.63),
            payback_months: Some(7.9),
            payback: PaybackStatus::PaidBack,
            concentration: Some(Concentrated {
                top: "Halvorsen & <Sons>".to_string(),
                top_share: 0.876,
                roi_without_top: Some(-0.72),
                below_zero: 9,
                partners: 12,
            }),
            revenue_vs_baseline: Some(0.104),
            movers: Some(Movers {
                most: mover("Halvorsen & <Sons>", 45.5),
                least: mover("O'Brien \"Networks\"", -0.4),
            }),
            flags: Some(Flagged {
                partners: 5,
                most_common: "Activity without instrumentation".to_string(),
                count: 5,
            }),
        }
    }

    /// Every case the sentences distinguish, one change from [`facts`] each.
    fn cases() -> Vec<NarrativeFacts> {
        let base = facts();
        let singular = NarrativeFacts {
            partners: 1,
            headcount: 1,
            quarters: 1,
            movers: None,
            flags: Some(Flagged {
                partners: 1,
                most_common: "Tool sprawl".to_string(),
                count: 1,
            }),
            ..base.clone()
        };
        vec![
            base.clone(),
            singular,
            NarrativeFacts {
                payback_months: None,
                payback: PaybackStatus::NotYet,
                roi_low: None,
                concentration: None,
                revenue_vs_baseline: Some(-0.25),
                ..base.clone()
            },
            NarrativeFacts {
                roi: None,
                payback_months: None,
                payback: PaybackStatus::NoCost,
                concentration: None,
                revenue_vs_baseline: None,
                flags: None,
                currency: "EUR".to_string(),
                ..base.clone()
            },
            NarrativeFacts {
                roi: None,
                top_level: "Expert".to_string(),
                revenue_vs_baseline: Some(0.0),
                ..base
            },
        ]
    }

    #[test]
    fn the_default_templates_word_the_facts_as_the_exports_do() {
        let templates = templates();
        for facts in cases() {
            let mut context = tera::Context::new();
            context.insert("facts", &facts);
            // The sentences shown, in the order `sentences` gives them.
            let shown = [
                ("levels", true),
                ("hours", true),
                ("roi", true),
                ("concentration", facts.concentration.is_some()),
                ("revenue", facts.revenue_vs_baseline.is_some()),
                ("movers", facts.movers.is_some()),
                ("flags", facts.flags.is_some()),
            ];
            let names: Vec<&str> = shown.iter().filter(|s| s.1).map(|s| s.0).collect();
            let sentences = facts.sentences();
            assert_eq!(names.len(), sentences.len(), "{facts:?}");
            for (name, sentence) in names.iter().zip(&sentences) {
                let page = templates
                    .render(&format!("{name}.html"), &context)
                    .expect("renders");
                // The page sets the figures in bold; the words are the same.
                let page = page.replace("<strong>", "").replace("</strong>", "");
                let mut plain = tera::Context::new();
                plain.insert("sentence", sentence);
                let expected = templates.render("sentence.html", &plain).expect("renders");
                assert_eq!(page, expected, "{name}: {facts:?}");
            }
            let brief = templates
                .render("partials/narrative.html", &context)
                .expect("renders");
            assert!(brief.matches("<li>").count() <= 3, "{brief}");
        }
    }

    #[test]
    fn the_sentences_follow_the_facts() {
        let [base, singular, no_payback, no_roi, ..] = &cases()[..] else {
            panic!("five cases");
        };
        let base = base.sentences();
        assert_eq!(
            base[0],
            "Across 12 partners and 1500 people, the share of practitioners moved from 0% in 2025-Q2 to 19% in 2026-Q3."
        );
        assert_eq!(
            base[2],
            "Benefits of $555,404 against an investment of $275,000 give an ROI of 102% (low 41%, high 163%); cumulative benefits passed cumulative cost 7.9 months into the period."
        );
        assert_eq!(
            base[3],
            "Halvorsen & <Sons> accounts for 88% of the benefits; without it the others' ROI is −72%. 9 of 12 partners have benefits below their cost."
        );
        assert_eq!(
            base[5],
            "Halvorsen & <Sons> moved most (proficiency score +46); O'Brien \"Networks\" moved least (-0)."
        );
        let singular = singular.sentences();
        assert!(singular[0].starts_with("Across 1 partner and 1 person,"));
        assert!(singular[1].contains("over 1 quarter after"));
        assert_eq!(
            singular.last().map(String::as_str),
            Some("1 partner shows a failure pattern; the most common is tool sprawl (1).")
        );
        let no_payback = no_payback.sentences();
        assert!(no_payback[2].ends_with(
            "give an ROI of 102%; cumulative benefits have not yet passed cumulative cost."
        ));
        assert!(no_payback[3].starts_with("Partner-sourced revenue is 25% below baseline;"));
        let no_roi = no_roi.sentences();
        assert_eq!(
            no_roi[2],
            "Benefits total €555,404; no investment is set in site.toml, so no ROI is computed."
        );
        assert_eq!(no_roi.len(), 4, "no revenue or flag sentence: {no_roi:?}");
    }
}
